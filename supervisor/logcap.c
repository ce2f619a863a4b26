/*
 * logcap.c: worker output to logs/NAME.log, its rotation by size, and the
 * stderr tail that last_error quotes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "logcap.h"

#define LOGCAP_HDR_MAX	(ISO8601_LEN + 8)
#define LOGCAP_OUT_CAP	(96 * 1024)

static const char *const logcap_tag[] = { "out", "err" };

/* Records gathered from one read, written with one write(2). */
struct logcap_out {
	char	buf[LOGCAP_OUT_CAP];
	size_t	len;
};

static struct logcap_out logcap_outbuf;

/* Capture starts lazily, so a tenant that never runs has no file. */
void
logcap_init(struct logcap *lc, const char *logs_dir, const char *name)
{
	memset(lc, 0, sizeof(*lc));
	lc->fd = -1;
	if (asprintf(&lc->path, "%s/%s.log", logs_dir, name) == -1)
		lc->path = NULL;
}

static int
logcap_numbered(const struct logcap *lc, int n, char *buf, size_t len)
{
	int w;

	w = snprintf(buf, len, "%s.%d", lc->path, n);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

/* Each start applies the spec's current rotation settings. */
void
logcap_configure(struct logcap *lc, int64_t max_size, int keep)
{
	char old[PATH_MAX];
	int i;

	/* Fewer files kept now: the surplus would never be rotated away. */
	if (lc->configured && keep < lc->keep && lc->path != NULL)
		for (i = keep + 1; i <= lc->keep; i++)
			if (logcap_numbered(lc, i, old, sizeof(old)) == 0)
				(void)unlink(old);
	lc->max_size = max_size;
	lc->keep = keep;
	lc->configured = 1;
}

/* Remember a failure; say so once per kind, and retry only later. */
static void
logcap_fail(struct logcap *lc, const char *op, int error)
{
	if (lc->last_errno == 0)
		lc->dropped_mark = lc->dropped;
	if (lc->last_errno != error || lc->err_op != op)
		log_warn("unable to %s %s: %s", op, lc->path != NULL ?
		    lc->path : "log file", strerror(error));
	lc->last_errno = error;
	lc->err_op = op;
	lc->retry_ms = clock_mono_ms() + LOGCAP_RETRY_MS;
	if (lc->fd != -1)
		close(lc->fd);
	lc->fd = -1;
}

static int
logcap_open(struct logcap *lc)
{
	struct stat st;

	if (lc->fd != -1)
		return 0;
	/* After a failure, try again once a second, not per chunk. */
	if (lc->last_errno != 0 && clock_mono_ms() < lc->retry_ms)
		return -1;
	if (lc->path == NULL) {
		logcap_fail(lc, "open", ENOMEM);
		return -1;
	}
	lc->fd = open(lc->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0640);
	if (lc->fd == -1) {
		logcap_fail(lc, "open", errno);
		return -1;
	}
	/* The only stat: from here on the size is counted, not asked. */
	if (fstat(lc->fd, &st) == -1) {
		logcap_fail(lc, "open", errno);
		return -1;
	}
	lc->regular = S_ISREG(st.st_mode);
	lc->size = lc->regular ? (int64_t)st.st_size : 0;
	if (lc->broken && lc->size > 0) {
		/* End the record a failed write cut short. */
		if (write(lc->fd, "\n", 1) == 1)
			lc->size++;
	}
	lc->broken = 0;
	return 0;
}

/* Keep the last LOGCAP_TAIL_MAX bytes of stderr, raw. */
static void
logcap_keep_tail(struct logcap *lc, const char *data, size_t len)
{
	size_t keep;

	if (len == 0)
		return;
	if (lc->tail == NULL && (lc->tail = malloc(LOGCAP_TAIL_MAX)) == NULL)
		return;
	if (len >= LOGCAP_TAIL_MAX) {
		memcpy(lc->tail, data + len - LOGCAP_TAIL_MAX, LOGCAP_TAIL_MAX);
		lc->tlen = LOGCAP_TAIL_MAX;
		return;
	}
	if (lc->tlen + len > LOGCAP_TAIL_MAX) {
		keep = LOGCAP_TAIL_MAX - len;
		memmove(lc->tail, lc->tail + lc->tlen - keep, keep);
		lc->tlen = keep;
	}
	memcpy(lc->tail + lc->tlen, data, len);
	lc->tlen += len;
}

static void
logcap_clean_byte(char *p)
{
	unsigned char c = (unsigned char)*p;

	/* A stray CR or NUL must not break the line structure. */
	if (c < 0x20 && c != '\t')
		*p = '?';
}

/*
 * Replace control characters, eight bytes at a time: the word test says
 * whether any byte is below 0x20 (bytes >= 0x80 never match), so the
 * common clean word costs a load and three operations.
 */
static void
logcap_clean(char *p, size_t len)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t highs = 0x8080808080808080ULL;
	uint64_t w;
	size_t i = 0, j;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, sizeof(w));
		if (((w - ones * 0x20) & ~w & highs) == 0)
			continue;
		for (j = i; j < i + 8; j++)
			logcap_clean_byte(p + j);
	}
	for (; i < len; i++)
		logcap_clean_byte(p + i);
}

/*
 * Append buf to the file; what cannot be written is counted as dropped.
 * Each chunk read from a worker is written before the next is read, so a
 * worker that writes faster than the disk fills its pipe and blocks in
 * write(2): back-pressure, with no buffer in the master growing.  A write
 * that fails drops the chunk, never the worker.
 */
static void
logcap_write(struct logcap *lc, const char *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;

	if (len == 0)
		return;
	if (logcap_open(lc) == -1) {
		lc->dropped += len;
		return;
	}
	while (off < len) {
		n = write(lc->fd, buf + off, len - off);
		if (n > 0) {
			off += (size_t)n;
			lc->size += n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (off > 0)
			lc->broken = 1;
		logcap_fail(lc, "write", n == -1 ? errno : EIO);
		lc->dropped += len - off;
		return;
	}
	if (lc->last_errno != 0) {
		log_info("writing %s again; %llu bytes were dropped",
		    lc->path, (unsigned long long)(lc->dropped -
		    lc->dropped_mark));
		lc->last_errno = 0;
		lc->err_op = NULL;
	}
}

/*
 * NAME.log -> NAME.log.1 -> ... -> NAME.log.keep (the oldest is
 * replaced), or with keep 0 the file is emptied in place.  Everything
 * before was written already, so no record is lost or doubled.
 */
static void
logcap_rotate(struct logcap *lc)
{
	char from[PATH_MAX], to[PATH_MAX];
	int i;

	if (lc->keep == 0) {
		if (ftruncate(lc->fd, 0) == -1) {
			if (lc->rotate_errno != errno)
				log_warn("unable to truncate %s: %s",
				    lc->path, strerror(errno));
			lc->rotate_errno = errno;
			lc->size = 0;	/* try again after max_size more */
			return;
		}
		lc->size = 0;
		lc->rotations++;
		return;
	}
	for (i = lc->keep - 1; i >= 1; i--) {
		if (logcap_numbered(lc, i, from, sizeof(from)) == -1 ||
		    logcap_numbered(lc, i + 1, to, sizeof(to)) == -1)
			continue;
		if (rename(from, to) == -1 && errno != ENOENT &&
		    lc->rotate_errno != errno)
			log_warn("unable to rename %s: %s", from,
			    strerror(errno));
	}
	if (logcap_numbered(lc, 1, to, sizeof(to)) == -1 ||
	    (rename(lc->path, to) == -1 && errno != ENOENT)) {
		/* Keep appending; the next attempt is max_size bytes away. */
		if (lc->rotate_errno != errno)
			log_warn("unable to rotate %s: %s", lc->path,
			    strerror(errno));
		lc->rotate_errno = errno;
		lc->size = 0;
		return;
	}
	/* (ENOENT: someone removed it; a new file starts all the same.) */
	lc->rotate_errno = 0;
	close(lc->fd);
	lc->fd = -1;
	lc->rotations++;
	(void)logcap_open(lc);
}

/* Add one record to o, writing o out first and rotating as needed. */
static void
logcap_line(struct logcap *lc, struct logcap_out *o, const char *hdr,
    size_t hlen, const char *line, size_t len)
{
	size_t rec = hlen + len + 1;
	char *p;

	if (o->len + rec > sizeof(o->buf)) {
		logcap_write(lc, o->buf, o->len);
		o->len = 0;
	}
	/* Rotate at a record boundary, before the file would grow too big. */
	if (lc->max_size > 0 && lc->fd != -1 && lc->regular &&
	    lc->size + (int64_t)(o->len + rec) > lc->max_size &&
	    lc->size + (int64_t)o->len > 0) {
		logcap_write(lc, o->buf, o->len);
		o->len = 0;
		if (lc->fd != -1)
			logcap_rotate(lc);
	}
	p = o->buf + o->len;
	memcpy(p, hdr, hlen);
	memcpy(p + hlen, line, len);
	logcap_clean(p + hlen, len);
	p[hlen + len] = '\n';
	o->len += rec;
}

/* "2026-01-11T06:23:00Z out ", formatted once a second. */
static size_t
logcap_header(enum logcap_stream s, char *hdr)
{
	static char ts[ISO8601_LEN] = "";
	static time_t last = -1;
	time_t now = time(NULL);
	size_t n;

	if (now != last) {
		clock_iso8601(now, ts);
		last = now;
	}
	n = strlen(ts);
	memcpy(hdr, ts, n);
	hdr[n++] = ' ';
	memcpy(hdr + n, logcap_tag[s], 3);
	n += 3;
	hdr[n++] = ' ';
	return n;
}

/* Every read from a worker pipe ends up here. */
void
logcap_feed(struct logcap *lc, enum logcap_stream s, const char *data,
    size_t len)
{
	struct logcap_out *o = &logcap_outbuf;
	char hdr[LOGCAP_HDR_MAX];
	size_t hlen, take;
	const char *nl;

	if (s == LOGCAP_ERR)
		logcap_keep_tail(lc, data, len);
	/* Open now, so that the size is known before the first record. */
	if (lc->fd == -1)
		(void)logcap_open(lc);
	hlen = logcap_header(s, hdr);
	o->len = 0;
	while (len > 0) {
		nl = memchr(data, '\n', len);
		take = nl != NULL ? (size_t)(nl - data) : len;
		/* A whole line with nothing pending: no copy. */
		if (lc->plen[s] == 0 && nl != NULL && take < LOGCAP_LINE_MAX) {
			logcap_line(lc, o, hdr, hlen, data, take);
			data += take + 1;
			len -= take + 1;
			continue;
		}
		if (lc->part[s] == NULL &&
		    (lc->part[s] = malloc(LOGCAP_LINE_MAX)) == NULL) {
			lc->dropped += len;
			break;
		}
		if (lc->plen[s] + take >= LOGCAP_LINE_MAX)
			take = LOGCAP_LINE_MAX - lc->plen[s] - 1;
		memcpy(lc->part[s] + lc->plen[s], data, take);
		lc->plen[s] += take;
		data += take;
		len -= take;
		if (nl != NULL && data == nl) {
			data++;
			len--;
		} else if (lc->plen[s] < LOGCAP_LINE_MAX - 1)
			break;		/* partial line: wait for more */
		logcap_line(lc, o, hdr, hlen, lc->part[s], lc->plen[s]);
		lc->plen[s] = 0;
	}
	logcap_write(lc, o->buf, o->len);
	o->len = 0;
}

/* The worker is gone: what it wrote without a newline still counts. */
void
logcap_flush(struct logcap *lc)
{
	struct logcap_out *o = &logcap_outbuf;
	char hdr[LOGCAP_HDR_MAX];
	size_t hlen;
	int s;

	o->len = 0;
	for (s = 0; s < 2; s++) {
		if (lc->plen[s] == 0)
			continue;
		if (lc->fd == -1)
			(void)logcap_open(lc);
		hlen = logcap_header((enum logcap_stream)s, hdr);
		logcap_line(lc, o, hdr, hlen, lc->part[s], lc->plen[s]);
		lc->plen[s] = 0;
	}
	logcap_write(lc, o->buf, o->len);
	o->len = 0;
	for (s = 0; s < 2; s++) {
		free(lc->part[s]);
		lc->part[s] = NULL;
	}
}

/* A new run: last_error must quote this run's stderr only. */
void
logcap_reset_tail(struct logcap *lc)
{
	lc->tlen = 0;
}

/* The last n stderr lines (trailing blank lines skipped), escaped. */
char *
logcap_tail(const struct logcap *lc, int n, char *buf, size_t len)
{
	const char *start, *end, *p;
	size_t used = 0, elen;
	char esc[1024];
	int lines = 0, w;

	buf[0] = '\0';
	if (n <= 0 || lc->tail == NULL || lc->tlen == 0)
		return buf;
	end = lc->tail + lc->tlen;
	while (end > lc->tail && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	/* Walk back over n lines. */
	for (start = end; start > lc->tail; start--)
		if (start[-1] == '\n' && ++lines == n)
			break;
	for (p = start; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl != NULL ? nl : end;

		elen = (size_t)(le - p);
		if (elen > 0 && p[elen - 1] == '\r')
			elen--;
		if (elen > 0) {
			log_escape(esc, sizeof(esc), p, elen);
			w = snprintf(buf + used, len - used, "%s%s",
			    used ? " | " : "", esc);
			if (w < 0 || (size_t)w >= len - used)
				break;
			used += (size_t)w;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return buf;
}

/* What status shows while the log cannot be written. */
const char *
logcap_error(const struct logcap *lc, char *buf, size_t len)
{
	if (lc->last_errno == 0)
		return NULL;
	snprintf(buf, len, "unable to %s %s: %s", lc->err_op != NULL ?
	    lc->err_op : "write", lc->path != NULL ? lc->path : "log file",
	    strerror(lc->last_errno));
	return buf;
}

/* Close the log file; the next write re-opens it (logrotate, reload). */
void
logcap_close(struct logcap *lc)
{
	if (lc->fd != -1)
		close(lc->fd);
	lc->fd = -1;
	lc->retry_ms = 0;	/* an operator asked: try at once */
}

/* The tenant is going away. */
void
logcap_free(struct logcap *lc)
{
	int s;

	logcap_close(lc);
	for (s = 0; s < 2; s++)
		free(lc->part[s]);
	free(lc->tail);
	free(lc->path);
	memset(lc, 0, sizeof(*lc));
	lc->fd = -1;
}

/* logcap.c: worker output to logs/NAME.log and the stderr tail. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "fd.h"
#include "log.h"
#include "logcap.h"

static const char *const logcap_tag[] = { "out", "err" };

/* Capture starts lazily, so a tenant that never runs has no file. */
void
logcap_init(struct logcap *lc, const char *logs_dir, const char *name)
{
	memset(lc, 0, sizeof(*lc));
	lc->fd = -1;
	if (asprintf(&lc->path, "%s/%s.log", logs_dir, name) == -1)
		lc->path = NULL;
}

/* Each start applies the spec's current rotation settings. */
void
logcap_configure(struct logcap *lc, int64_t max_size, int keep)
{
	lc->max_size = max_size;
	lc->keep = keep;
}

static int
logcap_open(struct logcap *lc)
{
	if (lc->fd != -1)
		return 0;
	if (lc->path == NULL) {
		errno = ENOMEM;
		return -1;
	}
	lc->fd = open(lc->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0640);
	if (lc->fd == -1) {
		if (lc->last_errno != errno)
			log_warn("unable to open %s: %s", lc->path,
			    strerror(errno));
		lc->last_errno = errno;
		return -1;
	}
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

/* Format one record into out; returns bytes used. */
static size_t
logcap_record(char *out, size_t cap, const char *ts, enum logcap_stream s,
    const char *line, size_t len)
{
	size_t n, i;

	n = (size_t)snprintf(out, cap, "%s %s ", ts, logcap_tag[s]);
	for (i = 0; i < len && n + 2 < cap; i++) {
		unsigned char c = (unsigned char)line[i];
		/* A stray CR or NUL must not break the line structure. */
		out[n++] = (c < 0x20 && c != '\t') ? '?' : (char)c;
	}
	out[n++] = '\n';
	return n;
}

static void
logcap_write(struct logcap *lc, const char *buf, size_t len)
{
	if (len == 0)
		return;
	if (logcap_open(lc) == -1 || fd_write_all(lc->fd, buf, len) == -1) {
		if (lc->fd != -1 && lc->last_errno != errno)
			log_warn("unable to write %s: %s", lc->path,
			    strerror(errno));
		lc->last_errno = errno;
		lc->dropped += len;
		return;
	}
	lc->last_errno = 0;
}

static void
logcap_line(struct logcap *lc, enum logcap_stream s, const char *line,
    size_t len, char *out, size_t *olen, size_t ocap, const char *ts)
{
	if (*olen + len + 64 > ocap) {
		logcap_write(lc, out, *olen);
		*olen = 0;
	}
	*olen += logcap_record(out + *olen, ocap - *olen, ts, s, line, len);
}

/* Every read from a worker pipe ends up here. */
void
logcap_feed(struct logcap *lc, enum logcap_stream s, const char *data,
    size_t len)
{
	static char out[96 * 1024];
	char ts[ISO8601_LEN];
	size_t olen = 0, take;
	const char *nl;

	if (s == LOGCAP_ERR)
		logcap_keep_tail(lc, data, len);
	clock_iso8601(time(NULL), ts);
	while (len > 0) {
		nl = memchr(data, '\n', len);
		take = nl != NULL ? (size_t)(nl - data) : len;
		/* A whole line with nothing pending: no copy. */
		if (lc->plen[s] == 0 && nl != NULL && take < LOGCAP_LINE_MAX) {
			logcap_line(lc, s, data, take, out, &olen,
			    sizeof(out), ts);
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
		logcap_line(lc, s, lc->part[s], lc->plen[s], out, &olen,
		    sizeof(out), ts);
		lc->plen[s] = 0;
	}
	logcap_write(lc, out, olen);
}

/* The worker is gone: what it wrote without a newline still counts. */
void
logcap_flush(struct logcap *lc)
{
	static char out[2 * LOGCAP_LINE_MAX + 128];
	char ts[ISO8601_LEN];
	size_t olen = 0;
	int s;

	clock_iso8601(time(NULL), ts);
	for (s = 0; s < 2; s++) {
		if (lc->plen[s] == 0)
			continue;
		logcap_line(lc, (enum logcap_stream)s, lc->part[s],
		    lc->plen[s], out, &olen, sizeof(out), ts);
		lc->plen[s] = 0;
	}
	logcap_write(lc, out, olen);
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

/* Close the log file; the next write re-opens it (logrotate, reload). */
void
logcap_close(struct logcap *lc)
{
	if (lc->fd != -1)
		close(lc->fd);
	lc->fd = -1;
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

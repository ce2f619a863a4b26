/* logcap.c: worker output to logs/NAME.log and the stderr tail. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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
	snprintf(lc->path, sizeof(lc->path), "%s/%s.log", logs_dir, name);
}

static int
logcap_open(struct logcap *lc)
{
	if (lc->fd != -1)
		return 0;
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

static void
logcap_keep_tail(struct logcap *lc, const char *line, size_t len)
{
	char *slot;

	if (len == 0)
		return;
	slot = lc->tail[lc->tailhead];
	log_escape(slot, LOGCAP_TAIL_LEN, line, len);
	lc->tailhead = (lc->tailhead + 1) % LOGCAP_TAIL;
	if (lc->ntail < LOGCAP_TAIL)
		lc->ntail++;
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
	if (s == LOGCAP_ERR)
		logcap_keep_tail(lc, line, len);
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

	clock_iso8601(time(NULL), ts);
	while (len > 0) {
		nl = memchr(data, '\n', len);
		take = nl != NULL ? (size_t)(nl - data) : len;
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
}

/* A new run: last_error must quote this run's stderr only. */
void
logcap_reset_tail(struct logcap *lc)
{
	lc->ntail = lc->tailhead = 0;
}

/* The stderr lines last_error quotes. */
char *
logcap_tail(const struct logcap *lc, int n, char *buf, size_t len)
{
	unsigned int k, idx;
	size_t used = 0;
	int w;

	buf[0] = '\0';
	if (n <= 0 || lc->ntail == 0)
		return buf;
	if ((unsigned int)n > lc->ntail)
		n = (int)lc->ntail;
	for (k = (unsigned int)n; k > 0; k--) {
		idx = (lc->tailhead + LOGCAP_TAIL - k) % LOGCAP_TAIL;
		w = snprintf(buf + used, len - used, "%s%s",
		    used ? " | " : "", lc->tail[idx]);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
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

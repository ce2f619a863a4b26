/* log.c: one-line log messages to stderr with time, level and program. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

static const char	*log_prog = "vectis";
static enum log_level	 log_level = LOG_LVL_INFO;

static const char *const log_names[] = { "error", "warn", "info", "debug" };

/* Name the program that prefixes every line. */
void
log_init(const char *prog)
{
	log_prog = prog;
}

/* Change the threshold (supervisor.conf LOG_LEVEL). */
void
log_set_level(enum log_level level)
{
	log_level = level;
}

/* Map a LOG_LEVEL value to its level. */
int
log_level_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++)
		if (strcmp(name, log_names[i]) == 0)
			return (int)i;
	return -1;
}

static void
log_vwrite(enum log_level level, const char *fmt, va_list ap)
{
	char line[2048], ts[ISO8601_LEN];
	int n, m;

	if (level > log_level)
		return;
	n = snprintf(line, sizeof(line), "%s %s %s: ",
	    clock_iso8601(time(NULL), ts), log_prog, log_names[level]);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line so that concurrent writers do not interleave. */
	(void)!write(STDERR_FILENO, line, n);
}

#define LOG_FN(fn, lvl)						\
void									\
fn(const char *fmt, ...)						\
{									\
	va_list ap;							\
									\
	va_start(ap, fmt);						\
	log_vwrite(lvl, fmt, ap);					\
	va_end(ap);							\
}

/* Log at error level. */
LOG_FN(log_error, LOG_LVL_ERROR)
/* Log at warn level. */
LOG_FN(log_warn, LOG_LVL_WARN)
/* Log at info level. */
LOG_FN(log_info, LOG_LVL_INFO)
/* Log at debug level. */
LOG_FN(log_debug, LOG_LVL_DEBUG)

/* Log and exit during start-up, when there is nothing to keep running. */
void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t
log_utf8_len(const unsigned char *s, size_t len)
{
	size_t n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* Escape untrusted bytes before they reach a log line, a table or JSON. */
char *
log_escape(char *dst, size_t dstsz, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)src;
	size_t i = 0, o = 0, n;
	unsigned char c;

	if (dstsz == 0)
		return dst;
	while (i < len) {
		c = u[i];
		if (o + 5 >= dstsz)
			break;
		if (c == '\\') {
			dst[o++] = '\\';
			dst[o++] = '\\';
		} else if (c == '\n') {
			dst[o++] = '\\';
			dst[o++] = 'n';
		} else if (c == '\t') {
			dst[o++] = '\\';
			dst[o++] = 't';
		} else if (c < 0x20 || c == 0x7f ||
		    (n = log_utf8_len(u + i, len - i)) == 0 ||
		    (c == 0xc2 && u[i + 1] < 0xa0)) {
			/* C0, DEL, broken UTF-8, and C1 (U+0080-U+009F). */
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		} else {
			if (o + n + 1 >= dstsz)
				break;
			memcpy(dst + o, u + i, n);
			o += n;
			i += n;
			continue;
		}
		i++;
	}
	dst[o] = '\0';
	return dst;
}

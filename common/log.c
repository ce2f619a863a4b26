/* log.c: one-line log messages to stderr with time, level and program. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "esc.h"
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

/*
 * Escape untrusted bytes before they reach a log line, a table or JSON:
 * esc_bytes() in its text style, under the name most callers know.
 */
char *
log_escape(char *dst, size_t dstsz, const char *src, size_t len)
{
	return esc_bytes(dst, dstsz, src, len, 0);
}

/* log.h: one-line log messages to stderr, untrusted bytes escaped. */
#ifndef VX_LOG_H
#define VX_LOG_H

#include <stddef.h>

enum log_level {
	LOG_LVL_ERROR,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

void	log_init(const char *prog);
void	log_set_level(enum log_level);
/* "error", "warn", "info", "debug" -> level; -1 if unknown. */
int	log_level_from_name(const char *);
void	log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Log and exit 1; only during start-up and in the shim. */
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
/*
 * Copy len bytes of src into dst (size dstsz) with control characters,
 * backslashes and non-UTF-8-safe bytes escaped as \n, \t, \\ or \xNN, so
 * that untrusted text cannot break a log line, a table or a terminal:
 * esc_bytes(dst, dstsz, src, len, 0) (esc.h), which has the other styles.
 */
char   *log_escape(char *dst, size_t dstsz, const char *src, size_t len);

#endif

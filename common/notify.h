/* notify.h: the worker protocol grammar, KEY=VALUE lines (SPEC section 8). */
#ifndef VX_NOTIFY_H
#define VX_NOTIFY_H

#include <stddef.h>

#define NOTIFY_LINE_MAX	4096	/* bytes, newline included */

enum notify_key {
	NK_UNKNOWN,		/* ignored */
	NK_READY,
	NK_WATCHDOG,		/* WATCHDOG=1 */
	NK_WATCHDOG_TRIGGER,	/* WATCHDOG=trigger */
	NK_STATUS,
	NK_STOPPING,
	NK_ERRNO,
	NK_SESSION,
	NK_LAST_ERROR,
	NK_RELOADING,
	NK_MAINPID,
	NK_EXTEND_TIMEOUT_USEC,
	NK_BARRIER,
};

struct notify_msg {
	enum notify_key	 key;
	const char	*value;		/* points into the line, not NUL-ended */
	size_t		 vlen;
	long long	 num;		/* ERRNO, MAINPID, EXTEND_TIMEOUT_USEC */
};

/* Splits a byte stream into lines; over-long lines are skipped whole. */
struct notify_split {
	char		*buf;		/* NOTIFY_LINE_MAX bytes, when needed */
	size_t		 len;
	int		 skipping;
	unsigned long	 bad;		/* malformed or over-long lines */
};

typedef void	(*notify_line_cb)(void *, const char *, size_t);

/*
 * Parse one line (without its newline).  Returns 0 for a well-formed line
 * (an unknown key gives NK_UNKNOWN) and -1 for a malformed one: no '=',
 * an empty or bad key, a NUL byte, or a known key with a bad value.
 */
int	notify_parse(const char *line, size_t len, struct notify_msg *);
/*
 * Feed bytes; cb gets each complete line of at most NOTIFY_LINE_MAX bytes
 * (newline included).  Longer lines are discarded up to the next newline
 * and counted in bad.
 */
void	notify_split_feed(struct notify_split *, const char *, size_t,
	    notify_line_cb, void *);
/* Reset between runs and release the buffer. */
void	notify_split_reset(struct notify_split *);

#endif

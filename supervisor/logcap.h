/* logcap.h: capture a worker's stdout/stderr into logs/NAME.log. */
#ifndef VX_LOGCAP_H
#define VX_LOGCAP_H

#include <stddef.h>
#include <stdint.h>

#define LOGCAP_LINE_MAX	8192	/* longer lines are split */
#define LOGCAP_TAIL_MAX	4096	/* stderr bytes kept for last_error */
#define LOGCAP_RETRY_MS	1000	/* after a failure, next attempt */

enum logcap_stream {
	LOGCAP_OUT,
	LOGCAP_ERR,
};

/*
 * Buffers are allocated when first needed, so that an idle tenant costs a
 * few dozen bytes: a thousand tenants fit in a small master.
 */
struct logcap {
	char		*path;
	int		 fd;			/* log file, -1 if closed */
	char		*part[2];		/* partial lines, or NULL */
	size_t		 plen[2];
	char		*tail;			/* last stderr bytes, or NULL */
	size_t		 tlen;
	int64_t		 max_size;		/* rotate above this size */
	int		 keep;			/* rotated files kept */
	int		 configured;		/* keep is from a spec */
	int64_t		 size;			/* of the open file, tracked */
	int		 regular;		/* open file can be rotated */
	int		 broken;		/* a write stopped mid-record */
	uint64_t	 rotations;		/* since the master started */
	uint64_t	 dropped;		/* bytes we could not write */
	uint64_t	 dropped_mark;		/* dropped when trouble began */
	int		 last_errno;		/* of the last failure, or 0 */
	const char	*err_op;		/* "open", "write", "rotate" */
	uint64_t	 retry_ms;		/* no new open before this */
	int		 rotate_errno;		/* last rotation failure */
};

/* Prepare capture for tenant name; the file opens on first write. */
void	logcap_init(struct logcap *, const char *logs_dir, const char *name);
/* Rotation settings from the spec (logs.max_size_bytes, logs.keep). */
void	logcap_configure(struct logcap *, int64_t max_size, int keep);
/* Split data into lines and append them with time and stream. */
void	logcap_feed(struct logcap *, enum logcap_stream, const char *, size_t);
/* Write out partial lines (the worker exited). */
void	logcap_flush(struct logcap *);
/* Forget the stderr tail (a new run starts). */
void	logcap_reset_tail(struct logcap *);
/* The last n stderr lines joined with " | ", escaped; "" if none. */
char   *logcap_tail(const struct logcap *, int n, char *buf, size_t len);
/* "unable to write PATH: reason" while writing fails, else NULL. */
const char *logcap_error(const struct logcap *, char *buf, size_t len);
/* Close the file (SIGHUP re-open, tenant removal). */
void	logcap_close(struct logcap *);
/* Release everything (tenant removal). */
void	logcap_free(struct logcap *);

#endif

/* logcap.h: capture a worker's stdout/stderr into logs/NAME.log. */
#ifndef VX_LOGCAP_H
#define VX_LOGCAP_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define LOGCAP_LINE_MAX	8192	/* longer lines are split */
#define LOGCAP_TAIL	20	/* stderr lines kept for last_error */
#define LOGCAP_TAIL_LEN	512	/* bytes kept of each */

enum logcap_stream {
	LOGCAP_OUT,
	LOGCAP_ERR,
};

struct logcap {
	char		 path[PATH_MAX];
	int		 fd;			/* log file, -1 if closed */
	char		 part[2][LOGCAP_LINE_MAX];	/* partial lines */
	size_t		 plen[2];
	char		 tail[LOGCAP_TAIL][LOGCAP_TAIL_LEN];
	unsigned int	 ntail, tailhead;
	uint64_t	 dropped;		/* bytes we could not write */
	int		 last_errno;		/* of the last failed write */
};

/* Prepare capture for tenant name; the file opens on first write. */
void	logcap_init(struct logcap *, const char *logs_dir, const char *name);
/* Split data into lines and append them with time and stream. */
void	logcap_feed(struct logcap *, enum logcap_stream, const char *, size_t);
/* Write out partial lines (the worker exited). */
void	logcap_flush(struct logcap *);
/* Forget the stderr tail (a new run starts). */
void	logcap_reset_tail(struct logcap *);
/* The last n stderr lines joined with " | ", escaped; "" if none. */
char   *logcap_tail(const struct logcap *, int n, char *buf, size_t len);
/* Close the file (SIGHUP re-open, tenant removal). */
void	logcap_close(struct logcap *);

#endif

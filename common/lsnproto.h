/*
 * lsnproto.h: the narrow message set between the unprivileged HTTP
 * listener and the master: a request frame up, a reply frame down.
 */
#ifndef VX_LSNPROTO_H
#define VX_LSNPROTO_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define LSN_MAX_BODY	(1024 * 1024)		/* larger bodies get 413 */
#define LSN_MAX_TARGET	8192
#define LSN_MAX_HEADER	1024			/* timestamp, authorization */
#define LSN_MAX_METHOD	16
#define LSN_MAX_FRAME	(LSN_MAX_BODY + 3 * 65536)	/* listener to master */
#define LSN_MAX_REPLY	(64 * 1024 * 1024)	/* master to listener */
#define LSN_PREFIX	4			/* u32 length before a frame */

enum lsn_type {
	LSN_REQUEST = 1,
	LSN_REPLY = 2,
};

/* Fields point into the frame; ts and auth are NULL when absent. */
struct lsn_request {
	uint32_t	 id;
	const char	*method;
	size_t		 methodlen;
	const char	*target;
	size_t		 targetlen;
	const char	*ts;
	size_t		 tslen;
	const char	*auth;
	size_t		 authlen;
	const char	*body;
	size_t		 bodylen;
};

struct lsn_reply {
	uint32_t	 id;
	unsigned int	 status;		/* HTTP status code */
	const char	*ctype;			/* Content-Type */
	size_t		 ctypelen;
	const char	*allow;			/* Allow (405), or NULL */
	size_t		 allowlen;
	const char	*body;
	size_t		 bodylen;
};

/*
 * Is a whole frame (payload at most max) at the start of buf?  1 with the
 * payload's offset and length, 0 when more bytes are needed, -1 when the
 * length is impossible.
 */
int	lsn_frame_next(const char *buf, size_t len, size_t max, size_t *off,
	    size_t *paylen);
/* The frame's type byte (LSN_*), or -1 for an empty payload. */
int	lsn_frame_type(const char *payload, size_t len);
/* Encode into a new buffer (length prefix included); -1 if too large. */
int	lsn_request_encode(const struct lsn_request *, char **out,
	    size_t *outlen);
int	lsn_reply_encode(const struct lsn_reply *, char **out, size_t *outlen);
/* Decode a payload; every length is checked against the limits above. */
int	lsn_request_decode(const char *payload, size_t len,
	    struct lsn_request *, struct vx_err *);
int	lsn_reply_decode(const char *payload, size_t len, struct lsn_reply *,
	    struct vx_err *);

#endif

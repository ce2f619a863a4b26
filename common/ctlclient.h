/* ctlclient.h: the client side of the control socket, one round trip. */
#ifndef VX_CTLCLIENT_H
#define VX_CTLCLIENT_H

#include <jansson.h>

#include "err.h"
#include "paths.h"

/* How long the CLI waits for the master by default (SPEC 6). */
#define CTLCLIENT_TIMEOUT_MS	30000

/* Where ctlclient_request() stopped. */
enum {
	CTLCLIENT_OK,
	CTLCLIENT_CONNECT,	/* no master listening, or no access */
	CTLCLIENT_SEND,
	CTLCLIENT_REPLY,	/* no (valid) answer */
	CTLCLIENT_PEER,		/* the server is neither root nor us */
	CTLCLIENT_TIMEOUT,	/* the master fell silent */
};

/*
 * A connected control socket (CLOEXEC), or -1 with errno: EPERM when the
 * process listening is neither root's nor ours (nor, with --home, the
 * directory owner's), EAGAIN when it did not take the connection within
 * CTLCLIENT_TIMEOUT_MS.
 */
int	 ctlclient_connect(const struct vx_paths *);
/*
 * Send req (taken over) on the master's control socket and return the
 * whole reply object, or NULL with *stage saying what failed (errno set
 * for CTLCLIENT_CONNECT and CTLCLIENT_SEND) and err (may be NULL) saying
 * it in a sentence.  With passthrough, a success reply's result is copied
 * to stdout unparsed and {"ok": true, "result": null} returned.
 * timeout_ms bounds the connect, the send and each wait for a byte of the
 * reply (a waiting master sends keep-alive spaces); 0 waits for ever.
 */
json_t	*ctlclient_call(const struct vx_paths *, json_t *req,
	    int passthrough, int timeout_ms, int *stage, struct vx_err *err);
/* ctlclient_call() without the sentence. */
json_t	*ctlclient_request(const struct vx_paths *, json_t *req,
	    int passthrough, int timeout_ms, int *stage);

#endif

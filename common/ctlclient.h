/* ctlclient.h: the client side of the control socket, one round trip. */
#ifndef VX_CTLCLIENT_H
#define VX_CTLCLIENT_H

#include <jansson.h>

#include "paths.h"

/* Where ctlclient_request() stopped. */
enum {
	CTLCLIENT_OK,
	CTLCLIENT_CONNECT,	/* no master listening, or no access */
	CTLCLIENT_SEND,
	CTLCLIENT_REPLY,	/* no (valid) answer */
};

/* A connected control socket (CLOEXEC), or -1 with errno. */
int	 ctlclient_connect(const struct vx_paths *);
/*
 * Send req (taken over) on the master's control socket and return the
 * whole reply object, or NULL with *stage saying what failed (errno set
 * for CTLCLIENT_CONNECT and CTLCLIENT_SEND).  With passthrough, a success
 * reply's result is copied to stdout unparsed and {"ok": true, "result":
 * null} returned.  timeout_ms bounds the wait for the reply; 0 waits as
 * long as the master takes.
 */
json_t	*ctlclient_request(const struct vx_paths *, json_t *req,
	    int passthrough, int timeout_ms, int *stage);

#endif

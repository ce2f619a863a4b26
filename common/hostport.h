/* hostport.h: SYNC_LISTEN's "HOST:PORT" (or "off") as a socket address. */
#ifndef VX_HOSTPORT_H
#define VX_HOSTPORT_H

#include <sys/socket.h>

#include "err.h"

/*
 * Parse "off", "PORT", "IPV4:PORT", "[IPV6]:PORT" or "*:PORT" (all
 * addresses).  Host names are refused: the listener binds before DNS is
 * trusted.  Returns 1 with ss/sslen set, 0 for "off", -1 with err set.
 */
int	hostport_parse(const char *, struct sockaddr_storage *,
	    socklen_t *, struct vx_err *);

#endif

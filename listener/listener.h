/* listener.h: the unprivileged HTTP front end (libmicrohttpd on libev). */
#ifndef VX_LISTENER_H
#define VX_LISTENER_H

#include "err.h"

/*
 * Serve HTTP on the listening socket lfd, forwarding every complete request
 * to the master over chan and answering with what the master decides.
 * Returns when the master goes away (0) or on a fatal error (-1).
 */
int	listener_run(int lfd, int chan, struct vx_err *);

#endif

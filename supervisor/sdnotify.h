/* sdnotify.h: the NOTIFY_SOCKET receiver for notify: systemd tenants. */
#ifndef VX_SDNOTIFY_H
#define VX_SDNOTIFY_H

#include "err.h"

/* Bind the datagram socket (abstract address) and watch it. */
int		 sdnotify_listen(struct vx_err *);
/* The NOTIFY_SOCKET value workers get ("@vectis/..."), or NULL. */
const char	*sdnotify_address(void);
/* Close it (master exit). */
void		 sdnotify_close(void);

#endif

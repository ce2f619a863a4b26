/* command.h: the control commands, their privileges and handlers. */
#ifndef VX_COMMAND_H
#define VX_COMMAND_H

#include <jansson.h>

#include "err.h"

struct conn;
struct tenant;

/* Run one parsed request for conn; the reply may come later. */
void	command_dispatch(struct conn *, json_t *req);
/* The connection went away: forget its pending wait. */
void	command_conn_gone(const struct conn *);
/* Re-check pending waits after state changes (from the loop). */
void	command_settle(void);
/* Answer the shutdown request(s) just before the master exits. */
void	command_shutdown_done(void);
/* Re-read supervisor.conf and re-open logs (SIGHUP, reload). */
int	command_reload(struct vx_err *);

#endif

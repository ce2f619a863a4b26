/* control.h: the control socket: accept, credentials, framing, timeouts. */
#ifndef VX_CONTROL_H
#define VX_CONTROL_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "err.h"

struct conn;

/* Receives an in-process request's reply line (to free; NULL on ENOMEM). */
typedef void control_done_fn(void *arg, char *line, size_t len);

/* Bind and listen on path (mode 0660); a stale socket file is replaced. */
int	control_listen(const char *path, struct vx_err *);
/* Socket and directory modes for CONTROL_GROUP/CONTROL_READ (reload). */
void	control_set_access(void);
/* Shutdown began: clients are still accepted and answered (control.c). */
void	control_stop_listening(void);
/* Close everything and unlink the socket (master exit). */
void	control_close(void);
/* Queue a reply line (taken over) and resume reading requests. */
void	control_reply(struct conn *, char *line, size_t len);
/* Write a reply synchronously (the master is about to exit). */
void	control_reply_now(struct conn *, char *line, size_t len);
/* Run req for an in-process client with admin rights; see control.c. */
void	control_run(json_t *req, control_done_fn *, void *arg);
/* The peer's credentials, from SO_PEERCRED at accept. */
uid_t	control_peer_uid(const struct conn *);
/* Whether the peer may run commands that change state. */
int	control_peer_admin(const struct conn *);
/* Whether the peer is the HTTP API (in-process): it never sees secrets. */
int	control_peer_remote(const struct conn *);

#endif

/* httpd.h: the master's side of the HTTP listener process. */
#ifndef VX_HTTPD_H
#define VX_HTTPD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Read worker.conf, bind SYNC_LISTEN and start the unprivileged listener.
 * Never fatal: a port in use or a missing listener is logged and retried,
 * and supervision goes on.
 */
void	httpd_start(void);
/* SIGHUP / reload: re-read worker.conf; rebind if SYNC_LISTEN changed. */
void	httpd_reload(void);
/* Master exit: stop the listener and close the socket. */
void	httpd_stop(void);
/* A child exited: 1 if it was the listener (handled), else 0. */
int	httpd_child(pid_t, int status);
/*
 * Answer request id of listener generation gen; dropped when that listener
 * is gone.  allow may be NULL.
 */
void	httpd_reply(unsigned long gen, uint32_t id, unsigned int status,
	    const char *ctype, const char *allow, const char *body,
	    size_t bodylen);
/* The current listener generation (requests carry it to their reply). */
unsigned long httpd_generation(void);
/* Whether the listener is up (for /healthz-like reporting). */
int	httpd_running(void);

#endif

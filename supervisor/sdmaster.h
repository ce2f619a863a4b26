/* sdmaster.h: the master's own sd_notify to systemd (Type=notify). */
#ifndef VX_SDMASTER_H
#define VX_SDMASTER_H

struct ev_loop;

/* Take NOTIFY_SOCKET / WATCHDOG_USEC from the environment (and remove them). */
void	sdmaster_init(void);
/* Autostart tenants were spawned: READY=1 and start the watchdog pings. */
void	sdmaster_ready(struct ev_loop *);
/* Tenants changed (settle hook): STATUS= counts, rate-limited to 1/s. */
void	sdmaster_changed(struct ev_loop *);
/* Shutdown began: STOPPING=1. */
void	sdmaster_stopping(void);

#endif

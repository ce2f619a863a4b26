/* heartbeat.h: the master's side of the worker protocol (notify pipe). */
#ifndef VX_HEARTBEAT_H
#define VX_HEARTBEAT_H

#include <stddef.h>

struct tenant;

struct notify_msg;

/* One parsed message (pipe line or datagram assignment). */
void	heartbeat_message(struct tenant *, const struct notify_msg *);
/* Count and (rate-limited) log a malformed message. */
void	heartbeat_malformed(struct tenant *);
/* Bytes read from a worker's notify pipe. */
void	heartbeat_feed(struct tenant *, const char *, size_t);
/* The worker is ready: start its watchdog if it has one. */
void	heartbeat_arm(struct tenant *);
/* Stop the watchdog (the worker is stopping or gone). */
void	heartbeat_disarm(struct tenant *);
/* No heartbeat in time: restart with that reason. */
void	heartbeat_expired(struct tenant *);
/* Write pending last_seen_at values in one transaction. */
void	heartbeat_flush(void);

#endif

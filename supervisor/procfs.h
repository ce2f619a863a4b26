/* procfs.h: what /proc says about a process. */
#ifndef VX_PROCFS_H
#define VX_PROCFS_H

#include <stddef.h>
#include <sys/types.h>

#include "procstat.h"

/* Read /proc/PID/FILE into buf, NUL-terminated; -1 if gone or empty. */
int		procfs_read(pid_t, const char *file, char *buf, size_t len);
/* The parsed stat of pid; -1 if it is gone or its stat is malformed. */
int		procfs_stat(pid_t, struct procstat *);
/* Start time (clock ticks since boot, field 22 of stat); -1 if gone. */
long long	procfs_start_time(pid_t);
/* The state letter of stat (R, S, Z, ...); -1 if gone. */
int		procfs_state(pid_t);

#endif

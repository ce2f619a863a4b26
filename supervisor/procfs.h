/* procfs.h: what /proc says about a process. */
#ifndef VX_PROCFS_H
#define VX_PROCFS_H

#include <sys/types.h>

/* Start time (clock ticks since boot, field 22 of stat); -1 if gone. */
long long	procfs_start_time(pid_t);
/* The state letter of stat (R, S, Z, ...); -1 if gone. */
int		procfs_state(pid_t);

#endif

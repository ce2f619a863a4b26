/* pidref.h: a reference to one process that a reused pid cannot fool. */
#ifndef VX_PIDREF_H
#define VX_PIDREF_H

#include <sys/types.h>

/*
 * A pidfd for pid (close-on-exec): -1 with errno ESRCH when it is gone,
 * ENOSYS on a kernel before 5.3 (callers then fall back to the pid).
 */
int	pidref_open(pid_t pid);
/* Send sig to the process fd refers to: 0, or -1 (ESRCH once reaped). */
int	pidref_signal(int fd, int sig);

#endif

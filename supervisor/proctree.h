/* proctree.h: signal a process that is not our child, only if it is ours. */
#ifndef VX_PROCTREE_H
#define VX_PROCTREE_H

#include <sys/types.h>

/*
 * Send sig to pid only while it is the process that started at start
 * (clock ticks after boot, field 22 of stat): 1 sent, 0 gone or another
 * process now (nothing sent), -1 the signal failed.
 */
int	proctree_signal(pid_t pid, long long start, int sig);
/*
 * A previous master's worker: SIGKILL it and its group if pid and start
 * match (else nothing, never a stale group), then wait, at most wait_ms,
 * until it is dead and, if its parent is a tenant reaper, until that
 * reaper has killed the rest of the tenant and exited.  1 killed, 0
 * nothing to kill, -1 still there after wait_ms.
 */
int	proctree_kill_leftover(pid_t pid, long long start, int wait_ms);

#endif

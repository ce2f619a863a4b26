/* synccheck.h: the master re-checks the node's registration periodically. */
#ifndef VX_SYNCCHECK_H
#define VX_SYNCCHECK_H

#include <sys/types.h>

/*
 * At start and every SYNC_CHECK_INTERVAL_S (worker.conf; 0 turns it off)
 * run `vectis-sync --check` while the node is synced, so a changed public
 * IP or secret turns SYNC_STATUS to outdated without anyone looking.
 */
void	synccheck_start(void);
/* Master exit: stop the timer, kill a check still running. */
void	synccheck_stop(void);
/* A child exited: 1 if it was the check (handled), else 0. */
int	synccheck_child(pid_t, int status);

#endif

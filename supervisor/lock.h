/* lock.h: one active master per state directory. */
#ifndef VX_LOCK_H
#define VX_LOCK_H

#include "err.h"

/*
 * Take the master lock at path (flock, kept open close-on-exec for the
 * master's life).  With wait, block until the holder dies (run --standby);
 * otherwise fail with "another master is running (pid N)".
 */
int	lock_take(const char *path, int wait, struct vx_err *);

#endif

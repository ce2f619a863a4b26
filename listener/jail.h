/* jail.h: the HTTP listener gives up root before it reads a byte. */
#ifndef VX_JAIL_H
#define VX_JAIL_H

#include <sys/types.h>

#include "err.h"

/*
 * As root: chroot to root (an empty directory), drop the bounding set,
 * clear supplementary groups, setresgid(gid), setresuid(uid), clear every
 * capability set and the ambient set, forbid new privileges, and verify
 * all of it.  As another user only the last two steps apply.  Also sets
 * rlimits that make forking and writing files impossible and bound the
 * memory it may allocate (RLIMIT_DATA).
 */
int	jail_enter(uid_t uid, gid_t gid, const char *root, struct vx_err *);

#endif

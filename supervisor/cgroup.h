/* cgroup.h: one cgroup v2 per tenant, when a delegated hierarchy allows. */
#ifndef VX_CGROUP_H
#define VX_CGROUP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum cgroup_mode {
	CGROUP_AUTO,		/* use cgroup v2 when it is writable */
	CGROUP_OFF,		/* rlimits and process groups only */
};

/* What the master last did to one tenant's cgroup; inside struct tenant. */
struct cgroup_tenant {
	int	made;		/* the directory exists */
	int64_t	memory_max;	/* last written to memory.max, -2 = never */
	int64_t	pids_max;	/* last written to pids.max, -2 = never */
};

/*
 * Find the cgroup v2 mount and our own cgroup, create our subtree
 * ("vectis-" and a hash of key, which names the state directory) next to
 * us, kill and remove what a previous master left in it, and enable the
 * memory and pids controllers for it where they are delegated (moving the
 * master into a leaf if that is what cgroup v2's no-internal-processes rule
 * asks).  Call once, holding the master lock, before the spawner is forked.
 * Whatever fails is logged once and leaves cgroups off: workers still run,
 * with rlimits and process groups.
 */
void	cgroup_init(enum cgroup_mode, const char *key);
/* Whether tenants get cgroups; 0 after cgroup_init() gave up. */
int	cgroup_enabled(void);
/*
 * Make sure tenant name's cgroup exists with memory.max and pids.max as
 * given (-1 = "max"), and put its directory in path (the shim joins it).
 * -1 (logged) means this start goes without a cgroup.
 */
int	cgroup_prepare(const char *name, struct cgroup_tenant *,
	    int64_t memory_max, int64_t pids_max, char *path, size_t len);
/* Send sig to every process of the tenant outside process group pgid. */
void	cgroup_signal(const char *name, int sig, pid_t pgid);
/* SIGKILL every process of the tenant, re-parented daemons included. */
void	cgroup_kill(const char *name);
/* "vectis-HASH", the tail of every tenant cgroup's path; NULL if off. */
const char *cgroup_subtree(void);
/* Read file (memory.current, ...) of tenant name's cgroup: 0 or -1. */
int	cgroup_tenant_read(const char *name, const char *file, char *buf,
	    size_t len);
/* Remove the tenant's cgroup (remove); a busy one is left for later. */
void	cgroup_remove(const char *name, struct cgroup_tenant *);
/* Master exit: remove every empty tenant cgroup and the subtree. */
void	cgroup_cleanup(void);

/* Pure helpers, exposed for the unit tests. */

/*
 * One line of /proc/self/mountinfo: 1 and the mount point and mount root
 * (octal escapes undone) for a cgroup2 mount, 0 for another file system,
 * -1 for a line that cannot be parsed.
 */
int	cgroup_parse_mountinfo(const char *line, char *mnt, size_t mntlen,
	    char *root, size_t rootlen);
/* One line of /proc/self/cgroup: 1 and the path for "0::PATH", else 0. */
int	cgroup_parse_self(const char *line, char *path, size_t len);
/* Directory of cgroup path self under a mount of root at mnt; -1 if none. */
int	cgroup_dir(const char *mnt, const char *root, const char *self,
	    char *out, size_t len);
/* Whether a space-separated list (cgroup.controllers) holds word. */
int	cgroup_has_word(const char *list, const char *word);
/* "populated N" of a cgroup.events text: 1, 0, or -1 when absent. */
int	cgroup_populated(const char *events);
/* /proc/PID/cgroup text: 1 and NAME if in subtree/NAME.tenant, else 0. */
int	cgroup_parse_tenant(const char *text, const char *subtree, char *name,
	    size_t len);
/* Our subtree's name for key: "vectis-" and 16 hex digits. */
void	cgroup_subtree_name(const char *key, char *buf, size_t len);

#endif

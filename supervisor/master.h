/* master.h: the master's global state: loop, store, paths, tenants. */
#ifndef VX_MASTER_H
#define VX_MASTER_H

#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <ev.h>

#include "paths.h"
#include "supconf.h"

struct store;
struct tenant;

struct master {
	struct ev_loop	*loop;
	struct vx_paths	 paths;
	struct supconf	 conf;
	struct store	*store;
	int		 store_degraded;	/* a write failed; retrying */
	char		 boot_id[40];		/* the kernel's, "" if unknown */
	ev_timer	 store_retry;
	const char	*shim_path;
	struct rlimit	 nofile_default;	/* what workers get back */

	struct tenant	**tenants;		/* sorted by name */
	size_t		 ntenants;
	size_t		 cap;

	ev_child	 child_w;
	ev_signal	 sigterm_w, sigint_w, sighup_w;
	ev_prepare	 settle_w;		/* re-checks waiting clients */
	int		 waits_dirty;

	int		 shutting_down;
	int		 exit_code;
	int		 pid1;
	time_t		 started_at;
	unsigned long	 events_since_trim;
};

extern struct master *M;

/* vectis-supervisor run; returns the exit code. */
int		 master_run(const struct vx_paths *, int standby);
/* Find a tenant by name (binary search), or NULL. */
struct tenant	*master_find(const char *name);
/* Insert a new tenant, keeping the array sorted; -1 on ENOMEM. */
int		 master_insert(struct tenant *);
/* Remove a tenant from the array (the caller frees it). */
void		 master_unlink(const struct tenant *);
/* Tell waiting control clients that some tenant changed state. */
void		 master_changed(void);
/* Begin a graceful shutdown: stop every tenant, then leave the loop. */
void		 master_shutdown(const char *why);
/* A store write failed: remember it and retry from a timer. */
void		 master_store_failed(void);

#endif

/* paths.h: where vectis keeps its files (SPEC section 3). */
#ifndef VX_PATHS_H
#define VX_PATHS_H

#include <limits.h>

#include "err.h"

struct vx_paths {
	char	home[PATH_MAX];		/* VECTIS_HOME, or "" */
	char	conf_dir[PATH_MAX];
	char	state_dir[PATH_MAX];
	char	run_dir[PATH_MAX];
	char	supervisor_conf[PATH_MAX];
	char	worker_conf[PATH_MAX];
	char	worker_secret[PATH_MAX];
	char	db[PATH_MAX];
	char	logs_dir[PATH_MAX];
	char	control_sock[PATH_MAX];
	char	lock[PATH_MAX];
};

/*
 * Resolve every path from home (--home, else $VECTIS_HOME, else the
 * root / XDG defaults of SPEC section 3).  A relative home is made absolute.
 */
int	paths_init(struct vx_paths *, const char *home, struct vx_err *);
/*
 * Create the directories the master writes to (mode 0750; a user's
 * runtime directory 0700).  Without --home or VECTIS_HOME the runtime
 * directory must then be ours, a real directory, and writable by nobody
 * else, or this fails with EPERM and err naming what is wrong.
 */
int	paths_make_dirs(const struct vx_paths *, struct vx_err *);

#endif

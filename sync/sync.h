/* sync.h: the flows of vectis-sync: register, and check for outdated. */
#ifndef VX_SYNC_H
#define VX_SYNC_H

#include "paths.h"

/* Exit codes of vectis-sync (vectis-sync(8)). */
enum sync_exit {
	SYNC_EXIT_OK = 0,
	SYNC_EXIT_FAILED = 1,	/* the attempt failed; SYNC_STATUS=failed */
	SYNC_EXIT_USAGE = 2,
	SYNC_EXIT_NOTOKEN = 3,	/* no VECTIS_TOKEN; nothing sent or written */
	SYNC_EXIT_LOCAL = 4,	/* worker.conf could not be read or written */
};

/* Register with the dashboard (VECTIS_TOKEN=... vectis-sync). */
int	sync_register(const struct vx_paths *);
/* vectis-sync --check: mark a synced node outdated if it changed. */
int	sync_check(const struct vx_paths *);

#endif

/* supconf.h: supervisor.conf, the master's own settings. */
#ifndef VX_SUPCONF_H
#define VX_SUPCONF_H

#include <sys/types.h>

#include "err.h"

#define SUPCONF_MAX_CONCURRENCY	10000	/* START_CONCURRENCY's ceiling */

struct supconf {
	int	log_level;		/* LOG_LEVEL */
	long	event_keep;		/* EVENT_KEEP: events kept per tenant */
	int	stderr_tail_lines;	/* LAST_ERROR_LINES */
	int	has_control_group;	/* CONTROL_GROUP set */
	gid_t	control_gid;		/* its members may run every command */
	int	control_read_all;	/* CONTROL_READ=all: anyone may read */
	int	cgroup_mode;		/* CGROUP: enum cgroup_mode */
	int	http_root_tenants;	/* HTTP_ROOT_TENANTS=yes: pushes may */
					/* bring tenants that run as root */
	int	start_concurrency;	/* START_CONCURRENCY: starting at once */
};

/* Read path into conf (defaults for a missing file); errors name the line. */
int	supconf_load(const char *path, struct supconf *, struct vx_err *);

#endif

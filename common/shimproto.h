/* shimproto.h: how the worker shim reports a failed stage to the master. */
#ifndef VX_SHIMPROTO_H
#define VX_SHIMPROTO_H

#include <stdint.h>

/*
 * File descriptors the master hands to vectis-worker-shim.  0-3 are what the
 * worker keeps; SHIM_STATUS_FD is close-on-exec in the shim, so EOF on it
 * means the exec succeeded.
 */
#define SHIM_NOTIFY_FD	3
#define SHIM_STATUS_FD	4

enum shim_stage {
	SHIM_STAGE_SETUP = 1,	/* bad arguments, fd setup */
	SHIM_STAGE_RLIMIT,	/* setrlimit */
	SHIM_STAGE_USER,	/* user or group lookup */
	SHIM_STAGE_GROUPS,	/* initgroups / setgroups */
	SHIM_STAGE_SETGID,
	SHIM_STAGE_SETUID,
	SHIM_STAGE_CAPS,	/* clear capabilities (and ambient ones) */
	SHIM_STAGE_CHDIR,
	SHIM_STAGE_EXEC,
	SHIM_STAGE_CAPBOUND,	/* lower the capability bounding set */
	SHIM_STAGE_NNP,		/* PR_SET_NO_NEW_PRIVS */
	SHIM_STAGE_CGROUP,	/* join the tenant's cgroup */
};

/* Written once to SHIM_STATUS_FD before _exit(127). */
struct shim_report {
	int32_t	stage;
	int32_t	error;		/* errno, or one of the SHIM_E* below */
};

/* Most supplementary groups the master passes (-S) and the shim checks. */
#define SHIM_MAX_GROUPS	4096

#define SHIM_ENOUSER	(-1)
#define SHIM_ENOGROUP	(-2)
#define SHIM_EROOTALIAS	(-3)	/* uid 0 under another name than "root" */

#endif

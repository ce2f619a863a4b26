/* shimproto.h: how the worker shim reports to the master, and is told. */
#ifndef VX_SHIMPROTO_H
#define VX_SHIMPROTO_H

#include <signal.h>
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
	SHIM_STAGE_REAPER,	/* -R: become a subreaper, fork the worker */
};

/* Written once to SHIM_STATUS_FD before _exit(127). */
struct shim_report {
	int32_t	stage;
	int32_t	error;		/* errno, or one of the SHIM_E* below */
};

/*
 * With -R (a tenant without a cgroup) the shim forks: the child becomes the
 * worker, the shim stays as the tenant's subreaper.  The first record on
 * SHIM_STATUS_FD is then {SHIM_WORKER_PID, pid of the worker}, written by
 * the worker itself before its first stage, so it always comes before a
 * stage report; EOF still means the worker's exec succeeded.
 */
#define SHIM_WORKER_PID	0x100

/*
 * Requests the master queues to a reaper with sigqueue(); the value is a
 * signal number.  SHIM_SIG_TREE: send it to every process of the tenant;
 * SHIM_SIG_WORKER: to the worker only.  Counted from SIGRTMAX, which a
 * static and a dynamic glibc agree on (SIGRTMIN depends on the threads
 * library).  A reaper obeys its parent only.
 */
#define SHIM_SIG_TREE	(SIGRTMAX - 1)
#define SHIM_SIG_WORKER	(SIGRTMAX - 2)

/* The reaper's name in ps (comm), which a new master checks. */
#define SHIM_REAPER_NAME	"vectis-reaper"

/* Most supplementary groups the master passes (-S) and the shim checks. */
#define SHIM_MAX_GROUPS	4096

#define SHIM_ENOUSER	(-1)
#define SHIM_ENOGROUP	(-2)
#define SHIM_EROOTALIAS	(-3)	/* uid 0 under another name than "root" */

#endif

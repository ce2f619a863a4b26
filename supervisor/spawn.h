/* spawn.h: start a worker through the shim; signal its processes. */
#ifndef VX_SPAWN_H
#define VX_SPAWN_H

#include <sys/resource.h>
#include <sys/types.h>

#include "err.h"
#include "spec.h"

/* The master's ends of a worker's pipes, non-blocking and close-on-exec. */
struct spawn_fds {
	int	out;
	int	err;
	int	notify;
	int	status;
};

/*
 * Start the shim for spec in a new session with stdin /dev/null, stdout,
 * stderr, notify and status pipes, a fresh environment and default signal
 * dispositions; the shim joins cgroup (a directory, or NULL) first.
 * Without a cgroup the shim stays as the tenant's reaper (-R) and forks
 * the worker.  Returns the master's child, the reaper or the worker, and
 * puts the worker's pid (its own session and process group) in *worker;
 * -1 with err, or -2 when the spec's user or group cannot be resolved or
 * the shim refused: err then says so as the shim says a failed stage, and
 * retrying will not help.
 */
pid_t	spawn_worker(const struct tenant_spec *, const char *shim,
	    const struct rlimit *nofile_default, const char *cgroup,
	    struct spawn_fds *, pid_t *worker, struct vx_err *);
/*
 * Queue a request to a tenant's reaper (spawn_worker's return when it
 * differs from the worker): sig to every process of the tenant (tree) or
 * to the worker only.  A reaper already gone is fine.
 */
int	spawn_reaper_signal(pid_t reaper, int tree, int sig);
/* 1 and the reason in buf when this master must not start spec at all. */
int	spawn_refused(const struct tenant_spec *, char *buf, size_t len);
/* Whether spec's worker runs as root ("user": "root", or none as root). */
int	spawn_as_root(const struct tenant_spec *);
/* Close whichever of the fds are open and mark them -1. */
void	spawn_close_fds(struct spawn_fds *);
/* killpg that treats "no such group" as done. */
int	spawn_killpg(pid_t pgid, int sig);
/* "cannot exec 'bot.js': No such file or directory" from a shim report. */
void	spawn_report_text(const struct tenant_spec *, int stage, int error,
	    char *buf, size_t len);

#endif

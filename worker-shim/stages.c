/* stages.c: the shim's fixed stages; each failure is reported, not guessed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shimproto.h"
#include "stages.h"

/* Tell the master which stage failed, then die without running atexit. */
void
stage_fail(int stage, int error)
{
	struct shim_report r;

	r.stage = stage;
	r.error = error;
	(void)!write(SHIM_STATUS_FD, &r, sizeof(r));
	_exit(127);
}

static void
stage_close_from(int lowfd)
{
	DIR *d;
	struct dirent *de;
	char *end;
	long fd;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) == 0)
		return;
#endif
	if ((d = opendir("/proc/self/fd")) == NULL)
		stage_fail(SHIM_STAGE_SETUP, errno);
	while ((de = readdir(d)) != NULL) {
		/* Only the all-digit names are fds; "." and ".." are not. */
		errno = 0;
		fd = strtol(de->d_name, &end, 10);
		if (end == de->d_name || *end != '\0' || errno != 0 ||
		    fd > INT_MAX)
			continue;
		if (fd >= lowfd && fd != dirfd(d))
			close((int)fd);
	}
	closedir(d);
}

/* The worker sees 0-3 only; the status fd closes itself at exec. */
void
stage_fds(void)
{
	if (fcntl(SHIM_STATUS_FD, F_SETFD, FD_CLOEXEC) == -1)
		_exit(127);	/* no status fd: nobody to tell */
	stage_close_from(SHIM_STATUS_FD + 1);
}

static void
stage_rlimit(int resource, long long value, long long hard)
{
	struct rlimit rl;

	if (value < 0)
		return;
	rl.rlim_cur = (rlim_t)value;
	rl.rlim_max = hard >= value ? (rlim_t)hard : (rlim_t)value;
	if (setrlimit(resource, &rl) == -1)
		stage_fail(SHIM_STAGE_RLIMIT, errno);
}

/*
 * Limits from the spec; the nofile default restores the master's own.  Set
 * while still privileged, so a hard limit may also be raised.  RLIMIT_NPROC
 * counts every process and thread of the real uid, not of the tenant.
 */
void
stage_rlimits(const struct shim_opts *o)
{
	stage_rlimit(RLIMIT_NOFILE, o->nofile, o->nofile_hard);
	stage_rlimit(RLIMIT_NPROC, o->nproc, -1);
}

/*
 * Memory is RLIMIT_DATA, not RLIMIT_AS: V8 and Chromium reserve gigabytes
 * of address space they never touch and die at start-up under an address
 * space limit, while RLIMIT_DATA counts the private writable memory (heap
 * and anonymous mappings) a runaway bot actually grows.  Set last, just
 * before exec, so that it bounds the tenant and not the shim's own work.
 */
void
stage_memory(const struct shim_opts *o)
{
	stage_rlimit(RLIMIT_DATA, o->memory, -1);
}

/*
 * Move ourselves into the tenant's cgroup before anything else runs, with
 * the master's privileges: every process the tenant ever forks is then in
 * it, and a stop can kill them all with cgroup.kill.
 */
void
stage_cgroup(const struct shim_opts *o)
{
	char path[4096];
	int fd;

	if (o->cgroup == NULL)
		return;
	if ((size_t)snprintf(path, sizeof(path), "%s/cgroup.procs",
	    o->cgroup) >= sizeof(path))
		stage_fail(SHIM_STAGE_CGROUP, ENAMETOOLONG);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		stage_fail(SHIM_STAGE_CGROUP, errno);
	if (write(fd, "0", 1) != 1)
		stage_fail(SHIM_STAGE_CGROUP, errno);
	close(fd);
}

/* The spec's cwd must exist; the default falls back to / quietly. */
void
stage_chdir(const struct shim_opts *o)
{
	const char *home = o->home;

	if (o->cwd != NULL) {
		if (chdir(o->cwd) == -1)
			stage_fail(SHIM_STAGE_CHDIR, errno);
		return;
	}
	if (home == NULL || chdir(home) == -1) {
		if (chdir("/") == -1)
			stage_fail(SHIM_STAGE_CHDIR, errno);
	}
}

/* sd_watchdog_enabled(3) checks that WATCHDOG_PID is its own pid. */
void
stage_watchdog_pid(void)
{
	char pid[16];

	if (getenv("WATCHDOG_USEC") == NULL)
		return;
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	if (setenv("WATCHDOG_PID", pid, 1) == -1)
		stage_fail(SHIM_STAGE_SETUP, errno);
}

/*
 * Replace the shim with the tenant command, searching the worker's PATH,
 * with 0-3 open only.
 */
void
stage_exec(const struct shim_opts *o)
{
	stage_close_from(SHIM_STATUS_FD + 1);
	execvp(o->argv[0], o->argv);
	stage_fail(SHIM_STAGE_EXEC, errno);
}

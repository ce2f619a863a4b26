/*
 * proctree.c: signals for processes that are not the master's children (a
 * dead master's workers, a worker whose reaper was killed).  A pidfd is
 * taken before the start time is checked, so the signal reaches the
 * process that was checked or nobody, never a later owner of the pid.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "pidref.h"
#include "procfs.h"
#include "procstat.h"
#include "proctree.h"
#include "shimproto.h"

/* pid's stat, if pid is alive and started at start. */
static int
proctree_check(pid_t pid, long long start, struct procstat *ps)
{
	if (procfs_stat(pid, ps) == -1 || ps->start != start ||
	    ps->state == 'Z' || ps->state == 'X')
		return -1;
	return 0;
}

/* A pidfd of pid if it is the process that started at start, else -1. */
static int
proctree_pin(pid_t pid, long long start, struct procstat *ps)
{
	int fd;

	if (pid <= 1 || start <= 0)
		return -1;
	if ((fd = pidref_open(pid)) == -1 && errno != ENOSYS)
		return -1;	/* gone */
	if (proctree_check(pid, start, ps) == -1) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	/* Without pidfds (before Linux 5.3): the pid, just checked. */
	return fd != -1 ? fd : -2;
}

static int
proctree_send(int fd, pid_t pid, int sig)
{
	if (fd >= 0)
		return pidref_signal(fd, sig);
	return kill(pid, sig);
}

/* Signal one verified process. */
int
proctree_signal(pid_t pid, long long start, int sig)
{
	struct procstat ps;
	int fd, rc;

	if ((fd = proctree_pin(pid, start, &ps)) == -1)
		return 0;
	rc = proctree_send(fd, pid, sig);
	if (rc == -1 && errno == ESRCH)
		rc = 0;
	else
		rc = rc == 0 ? 1 : -1;
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Wait until fd's process has exited (a zombie counts); 0 or -1. */
static int
proctree_wait(int fd, pid_t pid, long long start, uint64_t end)
{
	struct procstat ps;
	struct pollfd pfd;
	uint64_t now;

	pfd.fd = fd;
	pfd.events = POLLIN;
	while ((now = clock_mono_ms()) < end) {
		if (fd >= 0) {
			if (poll(&pfd, 1, (int)(end - now)) == 1)
				return 0;
			continue;
		}
		if (proctree_check(pid, start, &ps) == -1)
			return 0;
		usleep(5000);
	}
	return fd >= 0 ? (poll(&pfd, 1, 0) == 1 ? 0 : -1) :
	    (proctree_check(pid, start, &ps) == -1 ? 0 : -1);
}

/*
 * The worker's parent, pinned, if it is a tenant reaper (its name, and
 * still the worker's parent once pinned); -1 otherwise.
 */
static int
proctree_reaper(pid_t pid, long long start, pid_t ppid, long long *rstart)
{
	struct procstat ps, rps;
	char buf[1024];
	int fd;

	if (ppid <= 1 || procfs_read(ppid, "comm", buf, sizeof(buf)) == -1 ||
	    strcmp(buf, SHIM_REAPER_NAME "\n") != 0 ||
	    procfs_stat(ppid, &rps) == -1 ||
	    (fd = proctree_pin(ppid, rps.start, &rps)) == -1)
		return -1;
	if (proctree_check(pid, start, &ps) == -1 || ps.ppid != ppid) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*rstart = rps.start;
	return fd;
}

/* A dead master's worker, and with it its reaper's whole tenant. */
int
proctree_kill_leftover(pid_t pid, long long start, int wait_ms)
{
	struct procstat ps;
	uint64_t end = clock_mono_ms() + (uint64_t)wait_ms;
	long long rstart = 0;
	pid_t ppid;
	int fd, rfd, rc = 1;

	if ((fd = proctree_pin(pid, start, &ps)) == -1)
		return 0;
	ppid = ps.ppid;
	rfd = proctree_reaper(pid, start, ppid, &rstart);
	/* A live, checked leader: its group id is still its own. */
	if (ps.pgid == pid)
		(void)kill(-pid, SIGKILL);
	(void)proctree_send(fd, pid, SIGKILL);
	if (proctree_wait(fd, pid, start, end) == -1)
		rc = -1;
	/* Its reaper kills the rest of the tenant, then exits. */
	if (rfd != -1 && proctree_wait(rfd, ppid, rstart, end) == -1)
		rc = -1;
	if (fd >= 0)
		close(fd);
	if (rfd >= 0)
		close(rfd);
	return rc;
}

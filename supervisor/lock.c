/* lock.c: the master lock; the kernel drops it when the holder dies. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "fd.h"
#include "lock.h"

static int lock_fd = -1;

static long
lock_holder(int fd)
{
	char buf[32];
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* flock rather than a pid file: a dead master cannot hold it. */
int
lock_take(const char *path, int wait, struct vx_err *err)
{
	char buf[32];
	int fd, n;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to open %s: %s", path,
		    strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) == -1) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK)
			vx_err_set(err, VX_EXIT_FAIL,
			    "another master is running (pid %ld) on %s",
			    lock_holder(fd), path);
		else
			vx_err_set(err, VX_EXIT_FAIL, "unable to lock %s: %s",
			    path, strerror(errno));
		close(fd);
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, (size_t)n, 0) != n) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to write %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	lock_fd = fd;
	return 0;
}

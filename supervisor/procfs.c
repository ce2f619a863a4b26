/* procfs.c: read /proc/PID files, to tell a live worker from a reused pid. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "procfs.h"

/* Read /proc/PID/FILE into buf, NUL-terminated; -1 if gone or empty. */
int
procfs_read(pid_t pid, const char *file, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, len - 1);
	(void)close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* The parsed stat of pid; -1 if it is gone or its stat is malformed. */
int
procfs_stat(pid_t pid, struct procstat *ps)
{
	char buf[1024];

	if (procfs_read(pid, "stat", buf, sizeof(buf)) == -1)
		return -1;
	return procstat_parse(buf, ps);
}

/* A pid and its start time identify one process for the system's life. */
long long
procfs_start_time(pid_t pid)
{
	struct procstat ps;

	return procfs_stat(pid, &ps) == -1 ? -1 : ps.start;
}

/* Lets the master tell a zombie from a live leftover. */
int
procfs_state(pid_t pid)
{
	struct procstat ps;

	return procfs_stat(pid, &ps) == -1 ? -1 : ps.state;
}

/* procfs.c: read /proc/PID/stat, to tell a live worker from a reused pid. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfs.h"

/* Read stat and return the text after the command's closing paren. */
static int
procfs_stat(pid_t pid, char *buf, size_t len, char **rest)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* The command may contain ") ", so look for the last paren. */
	if ((*rest = strrchr(buf, ')')) == NULL || (*rest)[1] != ' ')
		return -1;
	*rest += 2;
	return 0;
}

/* A pid and its start time identify one process for the system's life. */
long long
procfs_start_time(pid_t pid)
{
	char buf[1024], *p, *end;
	int field;

	if (procfs_stat(pid, buf, sizeof(buf), &p) == -1)
		return -1;
	/* p is at field 3 (state); start time is field 22. */
	for (field = 3; field < 22; field++) {
		if ((p = strchr(p, ' ')) == NULL)
			return -1;
		p++;
	}
	return strtoll(p, &end, 10);
}

/* Lets the master tell a zombie from a live leftover. */
int
procfs_state(pid_t pid)
{
	char buf[1024], *p;

	if (procfs_stat(pid, buf, sizeof(buf), &p) == -1)
		return -1;
	return (unsigned char)p[0];
}

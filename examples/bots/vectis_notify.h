/*
 * vectis_notify.h: a tiny helper for C workers of vectis-supervisor.
 * vectis_notify("READY=1"); vectis_notify("WATCHDOG=1"); ...
 * Returns 0, or -1 when not run under vectis (no VECTIS_NOTIFY_FD).
 */
#ifndef VECTIS_NOTIFY_H
#define VECTIS_NOTIFY_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline int
vectis_notify(const char *line)
{
	const char *s = getenv("VECTIS_NOTIFY_FD");
	char buf[4096];
	size_t n;
	ssize_t w;
	int fd;

	if (s == NULL || (fd = atoi(s)) < 0)
		return -1;
	n = strlen(line);
	if (n > sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	memcpy(buf, line, n);
	buf[n++] = '\n';
	/* One write per line: the pipe keeps writes under 4096 bytes whole. */
	do {
		w = write(fd, buf, n);
	} while (w == -1 && errno == EINTR);
	return w == (ssize_t)n ? 0 : -1;
}

#endif

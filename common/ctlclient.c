/*
 * ctlclient.c: one request and its reply on the master's control socket,
 * shared by the operator CLI and vectis-status.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "clock.h"
#include "ctlclient.h"
#include "ctlproto.h"
#include "fd.h"

/* The CLI also polls this to see a freshly spawned master come up. */
int
ctlclient_connect(const struct vx_paths *p)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(p->control_sock) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, p->control_sock, strlen(p->control_sock) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

#define CTLCLIENT_OK_PREFIX	"{\"v\":1,\"ok\":true,\"result\":"

/*
 * Print the result of a success reply as the master wrote it (compact
 * JSON), without parsing and re-encoding 1000 tenants; 0 if done.
 */
static int
ctlclient_passthrough(const char *buf, size_t len)
{
	size_t plen = sizeof(CTLCLIENT_OK_PREFIX) - 1;

	if (len < plen + 2 || memcmp(buf, CTLCLIENT_OK_PREFIX, plen) != 0 ||
	    buf[len - 1] != '\n' || buf[len - 2] != '}')
		return -1;
	fwrite(buf + plen, 1, len - plen - 2, stdout);
	fputc('\n', stdout);
	return 0;
}

/* Wait until fd is readable or the deadline passed; 0 when readable. */
static int
ctlclient_wait(int fd, uint64_t deadline)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	uint64_t now;
	int n;

	for (;;) {
		now = clock_mono_ms();
		if (now >= deadline)
			return -1;
		n = poll(&pfd, 1, (int)(deadline - now));
		if (n == -1 && errno == EINTR)
			continue;
		return n == 1 ? 0 : -1;
	}
}

/* Read one reply line; the master may take a while (start waits). */
static json_t *
ctlclient_read_reply(int fd, int passthrough, int timeout_ms)
{
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	json_error_t jerr;
	json_t *r = NULL;
	uint64_t deadline = 0;
	ssize_t n;

	if (timeout_ms > 0)
		deadline = clock_mono_ms() + (uint64_t)timeout_ms;
	for (;;) {
		if (len + 65536 > cap) {
			cap = cap ? cap * 2 : 131072;
			if ((nb = realloc(buf, cap)) == NULL)
				break;
			buf = nb;
		}
		if (timeout_ms > 0 && ctlclient_wait(fd, deadline) == -1) {
			len = 0;	/* a partial line is no answer */
			break;
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (buf[len - 1] == '\n')
			break;
	}
	if (passthrough && len > 0 && ctlclient_passthrough(buf, len) == 0)
		r = json_pack("{s:b, s:n}", "ok", 1, "result");
	else if (len > 0)
		r = json_loadb(buf, len, 0, &jerr);
	free(buf);
	return r;
}

/* Every client of the master speaks through this one round trip. */
json_t *
ctlclient_request(const struct vx_paths *paths, json_t *req, int passthrough,
    int timeout_ms, int *stage)
{
	json_t *rep;
	size_t len;
	char *line;
	int fd, e;

	*stage = CTLCLIENT_SEND;
	line = ctl_line(req, &len);
	json_decref(req);
	if (line == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	if ((fd = ctlclient_connect(paths)) == -1) {
		e = errno;
		free(line);
		*stage = CTLCLIENT_CONNECT;
		errno = e;
		return NULL;
	}
	if (fd_write_all(fd, line, len) == -1) {
		e = errno;
		free(line);
		close(fd);
		errno = e;
		return NULL;
	}
	free(line);
	*stage = CTLCLIENT_REPLY;
	rep = ctlclient_read_reply(fd, passthrough, timeout_ms);
	close(fd);
	if (rep != NULL)
		*stage = CTLCLIENT_OK;
	return rep;
}

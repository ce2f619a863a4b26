/*
 * ctlclient.c: one request and its reply on the master's control socket,
 * shared by the operator CLI and vectis-status.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
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

/*
 * Is the process behind the socket the master meant?  Root's, or our own;
 * with --home or VECTIS_HOME, also that of the directory's owner when
 * nobody else may write there (a master run by a service user for its
 * CONTROL_GROUP).  Anyone may have made /tmp/vectis-UID and put a socket
 * in it: a request (env values, tokens) must not reach them.
 */
static int
ctlclient_peer_ok(int fd, const struct vx_paths *p, uid_t *peer)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct stat st;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return -1;
	*peer = cred.uid;
	if (cred.uid == 0 || cred.uid == geteuid())
		return 1;
	if (p->home[0] != '\0' && lstat(p->run_dir, &st) == 0 &&
	    S_ISDIR(st.st_mode) && st.st_uid == cred.uid &&
	    (st.st_mode & 022) == 0)
		return 1;
	return 0;
}

/*
 * Connect within timeout_ms (0: no bound); -1 with errno, EAGAIN when the
 * master did not take the connection in time, EPERM (and *peer) when the
 * server is not one to talk to.  The send timeout bounds connect(2) on a
 * unix socket whose backlog is full, and the writes of the request.
 */
static int
ctlclient_open(const struct vx_paths *p, int timeout_ms, uid_t *peer)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	struct sockaddr_un sun;
	int fd, e, ok;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(p->control_sock) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, p->control_sock, strlen(p->control_sock) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (timeout_ms > 0 && setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv,
	    sizeof(tv)) == -1)
		goto fail;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == EINPROGRESS || errno == EWOULDBLOCK)
			errno = EAGAIN;
		goto fail;
	}
	if ((ok = ctlclient_peer_ok(fd, p, peer)) != 1) {
		if (ok == 0)
			errno = EPERM;
		goto fail;
	}
	return fd;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* The CLI also polls this to see a freshly spawned master come up. */
int
ctlclient_connect(const struct vx_paths *p)
{
	uid_t peer;

	return ctlclient_open(p, CTLCLIENT_TIMEOUT_MS, &peer);
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

/*
 * Read one reply line.  timeout_ms bounds each wait for a byte, not the
 * whole reply: while start or stop waits for tenants the master sends a
 * space every second (control.c), which is skipped here.  *timedout is
 * set when the master fell silent.
 */
static json_t *
ctlclient_read_reply(int fd, int passthrough, int timeout_ms, int *timedout)
{
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0, skip;
	json_error_t jerr;
	json_t *r = NULL;
	ssize_t n;

	*timedout = 0;
	for (;;) {
		if (len + 65536 > cap) {
			cap = cap ? cap * 2 : 131072;
			if ((nb = realloc(buf, cap)) == NULL)
				break;
			buf = nb;
		}
		if (timeout_ms > 0 && ctlclient_wait(fd, clock_mono_ms() +
		    (uint64_t)timeout_ms) == -1) {
			*timedout = 1;
			len = 0;	/* a partial line is no answer */
			break;
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* Keep-alive spaces before the line are not kept. */
		if (len == 0) {
			for (skip = 0; skip < (size_t)n && buf[skip] == ' ';
			    skip++)
				;
			memmove(buf, buf + skip, (size_t)n - skip);
			n -= (ssize_t)skip;
		}
		len += (size_t)n;
		if (len > 0 && buf[len - 1] == '\n')
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
ctlclient_call(const struct vx_paths *paths, json_t *req, int passthrough,
    int timeout_ms, int *stage, struct vx_err *err)
{
	json_t *rep;
	int fd, e, timedout;
	uid_t peer = 0;
	size_t len;
	char *line;

	*stage = CTLCLIENT_SEND;
	line = ctl_line(req, &len);
	json_decref(req);
	if (line == NULL) {
		vx_err_set(err, VX_EXIT_FAIL, "%s", strerror(ENOMEM));
		errno = ENOMEM;
		return NULL;
	}
	if ((fd = ctlclient_open(paths, timeout_ms, &peer)) == -1) {
		e = errno;
		free(line);
		*stage = CTLCLIENT_CONNECT;
		if (e == EPERM) {
			*stage = CTLCLIENT_PEER;
			vx_err_set(err, VX_EXIT_FAIL, "%s: the process "
			    "listening there runs as uid %u, not as root or "
			    "as you (uid %u); refusing to talk to it",
			    paths->control_sock, (unsigned)peer,
			    (unsigned)geteuid());
		} else if (e == EAGAIN) {
			*stage = CTLCLIENT_TIMEOUT;
			vx_err_set(err, VX_EXIT_FAIL, "%s: the master did not "
			    "take the connection within %d s",
			    paths->control_sock, timeout_ms / 1000);
		} else
			vx_err_set(err, VX_EXIT_NOMASTER, "%s: %s",
			    paths->control_sock, strerror(e));
		errno = e;
		return NULL;
	}
	if (fd_write_all(fd, line, len) == -1) {
		e = errno;
		free(line);
		/* A master that refused us ("too many") said why first. */
		if ((e == EPIPE || e == ECONNRESET) && (rep =
		    ctlclient_read_reply(fd, 0, timeout_ms, &timedout)) !=
		    NULL) {
			close(fd);
			*stage = CTLCLIENT_OK;
			return rep;
		}
		close(fd);
		if (e == EAGAIN) {
			*stage = CTLCLIENT_TIMEOUT;
			vx_err_set(err, VX_EXIT_FAIL, "the master did not read "
			    "the request within %d s", timeout_ms / 1000);
		} else
			vx_err_set(err, VX_EXIT_FAIL, "unable to send request: "
			    "%s", strerror(e));
		errno = e;
		return NULL;
	}
	free(line);
	*stage = CTLCLIENT_REPLY;
	rep = ctlclient_read_reply(fd, passthrough, timeout_ms, &timedout);
	close(fd);
	if (rep != NULL)
		*stage = CTLCLIENT_OK;
	else if (timedout) {
		*stage = CTLCLIENT_TIMEOUT;
		vx_err_set(err, VX_EXIT_FAIL, "the master did not answer "
		    "within %d s", timeout_ms / 1000);
	} else
		vx_err_set(err, VX_EXIT_FAIL, "no answer from the master (it "
		    "may have exited)");
	return rep;
}

/* The same round trip, for callers that only need to know where it failed. */
json_t *
ctlclient_request(const struct vx_paths *paths, json_t *req, int passthrough,
    int timeout_ms, int *stage)
{
	return ctlclient_call(paths, req, passthrough, timeout_ms, stage, NULL);
}

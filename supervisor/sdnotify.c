/*
 * sdnotify.c: receive sd_notify(3) datagrams, so that unmodified
 * systemd-aware daemons are supervised with readiness and a watchdog.
 *
 * One datagram socket serves every notify: systemd tenant.  The kernel
 * tells us the sender's pid (SO_PASSCRED); a message counts only if that
 * process is in the process group of a notify: systemd worker, so a tenant
 * can speak for itself (or through a wrapper such as runuser) and for
 * nobody else.  Every descriptor passed along is closed: that is how
 * BARRIER=1 is acknowledged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "heartbeat.h"
#include "log.h"
#include "master.h"
#include "notify.h"
#include "sdnotify.h"
#include "tenant.h"

#define SDNOTIFY_MAX	4096	/* bytes per datagram (SPEC section 8) */
#define SDNOTIFY_BATCH	256	/* datagrams per wake-up: others get a turn */
#define SDNOTIFY_FDS	64	/* descriptors we make room for */

static int sd_fd = -1;
static ev_io sd_w;
static char sd_addr[64];
static unsigned long sd_rejected;

/* Which tenant may this pid speak for?  Its group must be a worker's. */
static struct tenant *
sdnotify_sender(pid_t pid)
{
	struct tenant *t;
	pid_t pgid;

	if (pid <= 0 || (pgid = getpgid(pid)) == -1)
		return NULL;
	if ((t = tenant_by_pid(pgid)) == NULL || t->pid != pgid ||
	    t->spec.notify != NOTIFY_SYSTEMD)
		return NULL;
	return t;
}

static void
sdnotify_close_fds(struct msghdr *msg)
{
	struct cmsghdr *c;
	size_t i, n;
	int fd;

	for (c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			close(fd);
		}
	}
}

static pid_t
sdnotify_pid(struct msghdr *msg)
{
	struct cmsghdr *c;
	struct ucred cred;

	for (c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c))
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len == CMSG_LEN(sizeof(cred))) {
			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
			return cred.pid;
		}
	return 0;
}

/* A datagram: several "\n"-separated assignments, trailing newline optional. */
static void
sdnotify_datagram(struct tenant *t, const char *buf, size_t len)
{
	struct notify_msg m;
	const char *p = buf, *end = buf + len, *nl;
	size_t n;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > 0) {
			if (notify_parse(p, n, &m) == -1)
				heartbeat_malformed(t);
			else
				heartbeat_message(t, &m);
		}
		p += n + 1;
	}
}

static void
sdnotify_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	char buf[SDNOTIFY_MAX + 1];
	char cbuf[CMSG_SPACE(sizeof(struct ucred)) +
	    CMSG_SPACE(SDNOTIFY_FDS * sizeof(int))];
	struct iovec iov;
	struct msghdr msg;
	struct tenant *t;
	ssize_t n;
	int i;

	for (i = 0; i < SDNOTIFY_BATCH; i++) {
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf) - 1;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		n = recvmsg(w->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC |
		    MSG_TRUNC);
		if (n == -1)
			return;		/* EAGAIN, or nothing we can do */
		sdnotify_close_fds(&msg);
		t = sdnotify_sender(sdnotify_pid(&msg));
		if (t == NULL) {
			if (sd_rejected++ % 1000 == 0)
				log_warn("notify socket: message from pid %d, "
				    "not of a notify: systemd worker, ignored "
				    "(%lu so far)", (int)sdnotify_pid(&msg),
				    sd_rejected);
			continue;
		}
		if ((size_t)n > SDNOTIFY_MAX || (msg.msg_flags & MSG_CTRUNC)) {
			heartbeat_malformed(t);	/* too long, or too many fds */
			continue;
		}
		sdnotify_datagram(t, buf, (size_t)n);
	}
}

/* Called once at start-up; the address is unique per master. */
int
sdnotify_listen(struct vx_err *err)
{
	struct sockaddr_un sun;
	unsigned int rnd;
	socklen_t len;
	int one = 1, fd;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to create notify "
		    "socket: %s", strerror(errno));
		return -1;
	}
	if (getentropy(&rnd, sizeof(rnd)) == -1)
		rnd = (unsigned int)getpid();
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	/* Abstract: reachable by tenants of any uid; credentials decide. */
	snprintf(sd_addr, sizeof(sd_addr), "@vectis/%ld/%08x",
	    (long)getpid(), rnd);
	memcpy(sun.sun_path + 1, sd_addr + 1, strlen(sd_addr) - 1);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(sd_addr));
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, len) == -1) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to bind notify socket "
		    "%s: %s", sd_addr, strerror(errno));
		close(fd);
		sd_addr[0] = '\0';
		return -1;
	}
	sd_fd = fd;
	ev_io_init(&sd_w, sdnotify_read_cb, fd, EV_READ);
	ev_io_start(M->loop, &sd_w);
	return 0;
}

/* What spawn.c puts in NOTIFY_SOCKET. */
const char *
sdnotify_address(void)
{
	return sd_fd != -1 ? sd_addr : NULL;
}

/* The master is exiting. */
void
sdnotify_close(void)
{
	if (sd_fd == -1)
		return;
	ev_io_stop(M->loop, &sd_w);
	close(sd_fd);
	sd_fd = -1;
}

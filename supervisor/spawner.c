/*
 * spawner.c: a fork server.  Forking from the master copies its file
 * descriptor table (four pipes per worker) and, at exec, closes each of
 * them again: with a thousand tenants that cost dominates a start.  The
 * spawner is forked early, holds one socket, and forks workers with
 * CLONE_PARENT so that they are the master's children all the same.  The
 * kernel writes each clone's pid into a page the master shares
 * (CLONE_PARENT_SETTID), so a spawner that dies before its reply leaves the
 * master knowing which child to kill (review L3).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "shimproto.h"
#include "spawner.h"

#define SPAWNER_MAX_REQ	(256 * 1024)

struct spawner_hdr {
	uint32_t	argc;
	uint32_t	envc;
	uint32_t	len;		/* bytes of strings that follow */
};

struct spawner_reply {
	int32_t		pid;
	int32_t		error;
};

static int	sp_fd = -1;
static pid_t	sp_pid;
/* Shared with the spawner: the pid of the clone of the current request. */
static volatile pid_t	*sp_slot;

static void __attribute__((noreturn))
spawner_fail(int stage, int error)
{
	struct shim_report r;

	r.stage = stage;
	r.error = error;
	(void)!write(SHIM_STATUS_FD, &r, sizeof(r));
	_exit(127);
}

/*
 * In the new worker: fds in place, new session, clean signals, exec.  join
 * is a cgroup directory the clone could not put us in (a kernel before
 * CLONE_INTO_CGROUP): we move ourselves, the slow way.
 */
static void __attribute__((noreturn))
spawner_child(const int fds[4], int join, const char *path, char **argv,
    char **envp)
{
	sigset_t none;
	int tmp[4], i, fd;

	for (i = 0; i < 4; i++)
		if ((tmp[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 10)) == -1)
			_exit(127);
	if ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1 ||
	    dup2(fd, 0) == -1 || dup2(tmp[0], 1) == -1 ||
	    dup2(tmp[1], 2) == -1 || dup2(tmp[2], SHIM_NOTIFY_FD) == -1 ||
	    dup2(tmp[3], SHIM_STATUS_FD) == -1)
		_exit(127);
	if (join != -1 && ((fd = openat(join, "cgroup.procs",
	    O_WRONLY | O_CLOEXEC)) == -1 || write(fd, "0", 1) != 1))
		spawner_fail(SHIM_STAGE_CGROUP, errno);
	for (i = 1; i < NSIG; i++)
		signal(i, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	execve(path, argv, envp);
	spawner_fail(SHIM_STAGE_SETUP, errno);
}

/*
 * fork, as the master's child (CLONE_PARENT), and with a cgroup fd right
 * into that cgroup: CLONE_INTO_CGROUP costs nothing, while moving a
 * process afterwards through cgroup.procs waits for an RCU grace period,
 * milliseconds on a busy machine.  *join says the child must move itself.
 * The kernel stores the pid in the shared slot before the clone can run
 * (CLONE_PARENT_SETTID); the old clone() stores it just after.
 */
static pid_t
spawner_fork(int cgfd, int *join)
{
	struct clone_args ca;
	pid_t pid;

	*join = -1;
	memset(&ca, 0, sizeof(ca));
	/* With CLONE_PARENT the exit signal is the spawner's own. */
	ca.flags = CLONE_PARENT | CLONE_PARENT_SETTID;
	ca.exit_signal = 0;
	ca.parent_tid = (uint64_t)(uintptr_t)sp_slot;
	if (cgfd != -1) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)cgfd;
	}
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid != -1 || (errno != ENOSYS && errno != E2BIG &&
	    errno != EINVAL))
		return pid;
	*join = cgfd;
	pid = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL,
	    NULL, NULL);
	if (pid > 0)
		*sp_slot = pid;
	return pid;
}

/* Split the request's strings into path, argv and envp (in place). */
static int
spawner_unpack(char *buf, const struct spawner_hdr *h, char **path,
    char ***argv, char ***envp)
{
	char **v, *p = buf, *end = buf + h->len;
	uint32_t i, n = h->argc + h->envc;

	if (h->len == 0 || end[-1] != '\0' || h->argc == 0 || n > 65536)
		return -1;
	if ((v = calloc(n + 2, sizeof(*v))) == NULL)
		return -1;
	*path = p;
	p += strlen(p) + 1;
	for (i = 0; i < n; i++) {
		if (p >= end) {
			free(v);
			return -1;
		}
		v[i + (i >= h->argc ? 1 : 0)] = p;
		p += strlen(p) + 1;
	}
	v[h->argc] = NULL;
	*argv = v;
	*envp = v + h->argc + 1;
	return 0;
}

/* A request: header, strings, and room for four or five descriptors. */
static void
spawner_msg(struct msghdr *msg, struct iovec iov[2], struct spawner_hdr *h,
    char *buf, size_t len, char *cbuf, size_t clen)
{
	memset(msg, 0, sizeof(*msg));
	memset(cbuf, 0, clen);
	iov[0].iov_base = h;
	iov[0].iov_len = sizeof(*h);
	iov[1].iov_base = buf;
	iov[1].iov_len = len;
	msg->msg_iov = iov;
	msg->msg_iovlen = 2;
	msg->msg_control = cbuf;
	msg->msg_controllen = clen;
}

static int
spawner_recv(int sock, char *buf, struct spawner_hdr *h, int fds[5])
{
	char cbuf[CMSG_SPACE(5 * sizeof(int))];
	struct iovec iov[2];
	struct msghdr msg;
	struct cmsghdr *c;
	ssize_t n;

	spawner_msg(&msg, iov, h, buf, SPAWNER_MAX_REQ, cbuf, sizeof(cbuf));
	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n <= 0)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (c == NULL || c->cmsg_type != SCM_RIGHTS ||
	    (c->cmsg_len != CMSG_LEN(4 * sizeof(int)) &&
	    c->cmsg_len != CMSG_LEN(5 * sizeof(int))) ||
	    (size_t)n != sizeof(*h) + h->len)
		return -1;
	fds[4] = -1;	/* the fifth, a cgroup, is optional */
	memcpy(fds, CMSG_DATA(c), c->cmsg_len - CMSG_LEN(0));
	return 0;
}

/* The spawner's life: one request, one fork, one reply, forever. */
static void __attribute__((noreturn))
spawner_main(int sock)
{
	struct spawner_hdr h;
	struct spawner_reply r;
	char *buf, *path, **argv, **envp;
	int fds[5], i, join;
	pid_t pid;

	if ((buf = malloc(SPAWNER_MAX_REQ)) == NULL)
		_exit(1);
	for (;;) {
		if (spawner_recv(sock, buf, &h, fds) == -1)
			_exit(0);	/* the master is gone */
		r.pid = -1;
		r.error = EINVAL;
		if (spawner_unpack(buf, &h, &path, &argv, &envp) == 0) {
			pid = spawner_fork(fds[4], &join);
			if (pid == 0)
				spawner_child(fds, join, path, argv, envp);
			r.pid = pid;
			r.error = pid == -1 ? errno : 0;
			free(argv);
		}
		for (i = 0; i < 5; i++)
			if (fds[i] != -1)
				close(fds[i]);
		(void)!write(sock, &r, sizeof(r));
	}
}

/* Fork the spawner; the master works without one if this fails. */
int
spawner_start(struct vx_err *err)
{
	pid_t pid, master = getpid();
	void *slot;
	int sv[2], fd;

	if (sp_slot == NULL) {
		slot = mmap(NULL, sizeof(pid_t), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (slot == MAP_FAILED) {
			vx_err_set(err, VX_EXIT_FAIL, "unable to map a page: "
			    "%s", strerror(errno));
			return -1;
		}
		sp_slot = slot;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to create socket: %s",
		    strerror(errno));
		return -1;
	}
	fd = SPAWNER_MAX_REQ * 2;
	(void)setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &fd, sizeof(fd));
	(void)setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &fd, sizeof(fd));
	if ((pid = fork()) == -1) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to fork: %s",
		    strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		/* Die with the master; keep only our socket (and 0-2). */
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != master)
			_exit(0);	/* the master died before prctl */
		/* Signals to the master's process group are not for us. */
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		if (dup2(sv[1], 3) == -1)
			_exit(1);
		(void)fcntl(3, F_SETFD, FD_CLOEXEC);
		if (syscall(SYS_close_range, 4U, ~0U, 0U) == -1)
			for (fd = 4; fd < 65536; fd++)
				(void)close(fd);
		(void)prctl(PR_SET_NAME, "vectis-spawner");
		spawner_main(3);
	}
	close(sv[1]);
	sp_fd = sv[0];
	sp_pid = pid;
	return 0;
}

/* The master's side: one request and a blocking reply (microseconds). */
pid_t
spawner_spawn(const char *path, char *const argv[], char *const envp[],
    const int fds[4], int cgfd, int *error, pid_t *lost)
{
	char cbuf[CMSG_SPACE(5 * sizeof(int))], *buf, *p;
	int all[5], nfd = cgfd != -1 ? 5 : 4;
	struct spawner_hdr h = { 0, 0, 0 };
	struct spawner_reply r;
	struct iovec iov[2];
	struct msghdr msg;
	struct cmsghdr *c;
	size_t len, i;
	ssize_t n;

	if (sp_fd == -1)
		return -2;
	len = strlen(path) + 1;
	for (i = 0; argv[i] != NULL; i++, h.argc++)
		len += strlen(argv[i]) + 1;
	for (i = 0; envp[i] != NULL; i++, h.envc++)
		len += strlen(envp[i]) + 1;
	if (len > SPAWNER_MAX_REQ || (buf = malloc(len)) == NULL)
		return -2;
	p = stpcpy(buf, path) + 1;
	for (i = 0; argv[i] != NULL; i++)
		p = stpcpy(p, argv[i]) + 1;
	for (i = 0; envp[i] != NULL; i++)
		p = stpcpy(p, envp[i]) + 1;
	h.len = (uint32_t)len;
	spawner_msg(&msg, iov, &h, buf, len, cbuf,
	    CMSG_SPACE(nfd * sizeof(int)));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(nfd * sizeof(int));
	memcpy(all, fds, 4 * sizeof(int));
	all[4] = cgfd;
	memcpy(CMSG_DATA(c), all, nfd * sizeof(int));
	*lost = 0;
	*sp_slot = 0;
	do {
		n = sendmsg(sp_fd, &msg, MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	free(buf);
	if (n == -1) {
		log_warn("spawner: unable to send: %s", strerror(errno));
		spawner_lost();
		return -2;
	}
	do {
		n = read(sp_fd, &r, sizeof(r));
	} while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof(r)) {
		/*
		 * It took the request and died: it may have cloned a worker
		 * that holds these pipes.  No second one (review L3).
		 */
		log_error("spawner: no reply; spawning directly from now on");
		spawner_lost();
		*lost = *sp_slot;
		*error = EPIPE;
		return -3;
	}
	if (r.pid <= 0) {
		*error = r.error;
		return -1;
	}
	return (pid_t)r.pid;
}

/* Whose exit means the spawner is gone. */
pid_t
spawner_pid(void)
{
	return sp_pid;
}

/* Fall back to posix_spawn from the master. */
void
spawner_lost(void)
{
	if (sp_fd != -1)
		close(sp_fd);
	sp_fd = -1;
}

/*
 * httpd.c: the master's half of the privilege-separated HTTP endpoint.  The
 * master binds SYNC_LISTEN (so a low port works), starts vectis-listener
 * as an unprivileged user with the socket on fd 3 and a socketpair on fd 4,
 * and from then on only exchanges lsnproto frames with it.  A listener that
 * dies or speaks nonsense is killed and started again with back-off.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "clock.h"
#include "hostport.h"
#include "httpapi.h"
#include "httpd.h"
#include "iobuf.h"
#include "log.h"
#include "lsnproto.h"
#include "master.h"
#include "workerconf.h"

#define RESPAWN_MIN_S	1.
#define RESPAWN_MAX_S	60.
#define STABLE_S	60		/* a run this long resets back-off */
#define OUT_LIMIT	(2u * LSN_MAX_REPLY)
#define BATCH		8	/* requests judged per loop iteration */
#define WINDOW_US	100000	/* HTTP may use SHARE of each window */
#define SHARE_US	25000
#define TRIM_BYTES	(64 * 1024)
#define EXIT_WAIT_MS	2000	/* the listener's grace at master exit */

static struct {
	char		 listen[128];	/* SYNC_LISTEN as configured */
	char		 user[64];	/* SYNC_USER */
	int		 lfd;		/* bound socket, or -1 */
	int		 chan;		/* socketpair end, or -1 */
	pid_t		 pid;
	unsigned long	 gen;
	uint64_t	 started_ms;
	double		 delay;
	ev_io		 rw, ww;
	ev_idle		 drain;		/* frames left over: when idle */
	ev_timer	 pace;		/* out of budget: the next window */
	uint64_t	 window_start;	/* CLOCK_MONOTONIC, us */
	uint64_t	 window_used;	/* us spent judging requests */
	ev_timer	 retry;
	struct iobuf	 in, out;
	int		 stopping;
} H = { .lfd = -1, .chan = -1, .delay = RESPAWN_MIN_S };

static void	httpd_spawn(void);

static const char *
httpd_listener_path(void)
{
	const char *p = getenv("VECTIS_LISTENER");

	return p != NULL ? p : VECTIS_LISTENER_PATH;
}

static void
httpd_retry_later(const char *why)
{
	log_warn("http: %s; trying again in %.0f s", why, H.delay);
	ev_timer_stop(M->loop, &H.retry);
	ev_timer_set(&H.retry, H.delay, 0.);
	ev_timer_start(M->loop, &H.retry);
	H.delay = H.delay * 2 > RESPAWN_MAX_S ? RESPAWN_MAX_S : H.delay * 2;
}

/* Bind SYNC_LISTEN; 0 for "off", -1 after logging. */
static int
httpd_bind(void)
{
	struct sockaddr_storage ss;
	struct vx_err err;
	socklen_t sslen = 0;
	char why[256];
	int fd, on = 1, rc;

	vx_err_clear(&err);
	if ((rc = hostport_parse(H.listen, &ss, &sslen, &err)) <= 0) {
		if (rc == -1)
			log_error("http: %s; not listening", err.msg);
		return rc;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    bind(fd, (struct sockaddr *)&ss, sslen) == -1 ||
	    listen(fd, 1024) == -1) {
		snprintf(why, sizeof(why), "unable to listen on %s: %s",
		    H.listen, strerror(errno));
		if (fd != -1)
			close(fd);
		httpd_retry_later(why);
		return -1;
	}
	H.lfd = fd;
	return 1;
}

static int
httpd_read_conf(char *listen, size_t lsz, char *user, size_t usz)
{
	struct workerconf wc;
	struct vx_err err;
	const char *v;

	vx_err_clear(&err);
	if (workerconf_load(M->paths.worker_conf, &wc, &err) == -1) {
		log_error("http: %s; not listening", err.msg);
		return -1;
	}
	v = workerconf_get(&wc, "SYNC_LISTEN");
	snprintf(listen, lsz, "%s", v != NULL ? v : "0.0.0.0:3000");
	v = workerconf_get(&wc, "SYNC_USER");
	snprintf(user, usz, "%s", v != NULL && *v != '\0' ? v : "nobody");
	httpapi_configure(&wc);
	workerconf_free(&wc);
	return 0;
}

/* Who the listener runs as: SYNC_USER as root, else ourselves. */
static int
httpd_identity(uid_t *uid, gid_t *gid)
{
	struct passwd *pw;

	if (geteuid() != 0) {
		*uid = geteuid();
		*gid = getegid();
		return 0;
	}
	if ((pw = getpwnam(H.user)) == NULL || pw->pw_uid == 0) {
		log_error("http: SYNC_USER '%s' %s; not listening", H.user,
		    pw == NULL ? "does not exist" : "must not be root");
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/* An empty directory for the listener's chroot, root's and read-only. */
static const char *
httpd_jail_dir(char *buf, size_t sz)
{
	struct stat st;

	if (geteuid() != 0)
		return NULL;
	snprintf(buf, sz, "%s/listener.empty", M->paths.run_dir);
	if (mkdir(buf, 0555) == -1 && errno != EEXIST)
		return NULL;
	if (lstat(buf, &st) == -1 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 0222) != 0)
		return NULL;
	return buf;
}

static int
httpd_exec(int lfd, int chan, uid_t uid, gid_t gid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char us[24], gs[24], dir[4200];
	const char *root = httpd_jail_dir(dir, sizeof(dir));
	char *argv[] = { (char *)"vectis-listener", us, gs, (char *)root,
	    NULL };
	/* Nothing of ours (VECTIS_TOKEN, ...) for what faces the network. */
	char *envp[] = { NULL };
	sigset_t none, all;
	int rc;

	snprintf(us, sizeof(us), "%u", (unsigned)uid);
	snprintf(gs, sizeof(gs), "%u", (unsigned)gid);
	sigemptyset(&none);
	sigfillset(&all);
	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	if (posix_spawnattr_init(&attr) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	/* Each call returns an error number: keep it, not a boolean. */
	if ((rc = posix_spawn_file_actions_adddup2(&fa, lfd, 3)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, chan, 4)) == 0 &&
	    (rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP)) == 0 &&
	    (rc = posix_spawnattr_setsigmask(&attr, &none)) == 0 &&
	    (rc = posix_spawnattr_setsigdefault(&attr, &all)) == 0 &&
	    (rc = posix_spawnattr_setpgroup(&attr, 0)) == 0)
		rc = posix_spawn(&H.pid, httpd_listener_path(), &fa, &attr,
		    argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0)
		errno = rc;
	return rc != 0 ? -1 : 0;
}

static void
httpd_close_chan(void)
{
	if (H.chan == -1)
		return;
	ev_io_stop(M->loop, &H.rw);
	ev_io_stop(M->loop, &H.ww);
	ev_idle_stop(M->loop, &H.drain);
	ev_timer_stop(M->loop, &H.pace);
	close(H.chan);
	H.chan = -1;
	iobuf_free(&H.in);
	iobuf_free(&H.out);
	H.gen++;			/* late replies go nowhere */
}

/* The listener broke the protocol: it is not trusted again. */
static void
httpd_kill(const char *why)
{
	log_error("http: %s; killing the listener", why);
	httpd_close_chan();
	if (H.pid > 0)
		(void)kill(H.pid, SIGKILL);
}

/*
 * Whether HTTP may use the master now: at most SHARE_US of CPU in each
 * WINDOW_US, so that a flood of signed requests (or a few lists of
 * thousands of tenants) leaves the master's time to supervision.
 */
static int
httpd_budget(uint64_t now)
{
	if (now - H.window_start >= WINDOW_US) {
		H.window_start = now;
		H.window_used = 0;
	}
	return H.window_used < SHARE_US;
}

/*
 * Judge at most BATCH buffered requests.  What is left waits for an idle
 * moment (ev_idle runs only when no other watcher is pending), or for the
 * next window when the budget is spent, and the socket is not read
 * meanwhile: a flood of HTTP requests can delay HTTP answers but never a
 * worker's exit, a heartbeat or a control client.
 */
static void
httpd_frames(void)
{
	struct lsn_request q;
	struct vx_err err;
	size_t off, len;
	uint64_t t0, t1;
	int rc = 0, n = 0, broke = 0;

	t0 = clock_mono_us();
	while (H.chan != -1 && n < BATCH && !(broke = !httpd_budget(t0)) &&
	    (rc = lsn_frame_next(H.in.p + H.in.off, H.in.len - H.in.off,
	    LSN_MAX_FRAME, &off, &len)) == 1) {
		vx_err_clear(&err);
		if (lsn_request_decode(H.in.p + H.in.off + off, len, &q,
		    &err) == -1) {
			httpd_kill(err.msg);
			return;
		}
		/* q points into the buffer: consume only after judging. */
		n++;
		httpapi_request(H.gen, &q);
		t1 = clock_mono_us();
		H.window_used += t1 - t0;
		t0 = t1;
		if (H.chan == -1)
			return;
		iobuf_consume(&H.in, off + len);
	}
	if (H.chan == -1)
		return;
	if (!broke && n < BATCH && rc == -1) {
		httpd_kill("impossible frame length");
		return;
	}
	ev_idle_stop(M->loop, &H.drain);
	if (broke) {
		ev_io_stop(M->loop, &H.rw);
		ev_timer_set(&H.pace, (double)(H.window_start + WINDOW_US -
		    t0) / 1e6, 0.);
		ev_timer_start(M->loop, &H.pace);
	} else if (n == BATCH) {
		ev_io_stop(M->loop, &H.rw);
		ev_idle_start(M->loop, &H.drain);
	} else
		ev_io_start(M->loop, &H.rw);
}

static void
httpd_drain_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	httpd_frames();
}

static void
httpd_pace_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	httpd_frames();
}

static void
httpd_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	ssize_t n;

	n = iobuf_fill(&H.in, H.chan, LSN_MAX_FRAME + 2 * LSN_PREFIX);
	if (n == -1) {
		httpd_close_chan();	/* the child watcher restarts it */
		return;
	}
	if (n > 0)
		httpd_frames();
}

static void
httpd_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	int rc = iobuf_flush(&H.out, H.chan);

	if (rc == -1) {
		httpd_close_chan();
		return;
	}
	if (rc == 0)
		return;
	ev_io_stop(loop, w);
	/* As control.c does: a big answer left a heap full of freed JSON. */
	if (iobuf_shrink(&H.out, TRIM_BYTES))
		malloc_trim(0);
}

static void
httpd_spawn(void)
{
	int sv[2] = { -1, -1 }, lfd = -1, chan = -1;
	uid_t uid;
	gid_t gid;

	if (H.stopping || H.pid > 0)
		return;
	if (H.lfd == -1 && httpd_bind() <= 0)
		return;
	if (httpd_identity(&uid, &gid) == -1)
		return;
	/* fds 3 and 4 in the child: keep ours well above them. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1 ||
	    (lfd = fcntl(H.lfd, F_DUPFD_CLOEXEC, 10)) == -1 ||
	    (chan = fcntl(sv[1], F_DUPFD_CLOEXEC, 10)) == -1 ||
	    httpd_exec(lfd, chan, uid, gid) == -1) {
		log_error("http: unable to start %s: %s", httpd_listener_path(),
		    strerror(errno));
		if (sv[0] != -1)
			close(sv[0]);
		H.pid = 0;
	} else {
		H.chan = sv[0];
		(void)fcntl(H.chan, F_SETFL, O_NONBLOCK);
		ev_io_init(&H.rw, httpd_read_cb, H.chan, EV_READ);
		ev_io_init(&H.ww, httpd_write_cb, H.chan, EV_WRITE);
		ev_idle_init(&H.drain, httpd_drain_cb);
		ev_init(&H.pace, httpd_pace_cb);
		ev_io_start(M->loop, &H.rw);
		H.started_ms = clock_mono_ms();
		log_info("http: listening on %s (listener %ld)", H.listen,
		    (long)H.pid);
	}
	if (sv[1] != -1)
		close(sv[1]);
	if (lfd != -1)
		close(lfd);
	if (chan != -1)
		close(chan);
	if (H.pid <= 0)
		httpd_retry_later("no listener");
}

static void
httpd_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	httpd_spawn();
}

/* See httpd.h. */
void
httpd_start(void)
{
	ev_init(&H.retry, httpd_retry_cb);
	if (httpd_read_conf(H.listen, sizeof(H.listen), H.user,
	    sizeof(H.user)) == -1)
		return;
	httpd_spawn();
}

/* See httpd.h. */
void
httpd_reload(void)
{
	char listen[sizeof(H.listen)], user[sizeof(H.user)];

	if (httpd_read_conf(listen, sizeof(listen), user, sizeof(user)) == -1)
		return;
	if (strcmp(listen, H.listen) == 0 && strcmp(user, H.user) == 0)
		return;
	log_info("http: SYNC_LISTEN or SYNC_USER changed, restarting");
	snprintf(H.listen, sizeof(H.listen), "%s", listen);
	snprintf(H.user, sizeof(H.user), "%s", user);
	httpd_close_chan();
	if (H.lfd != -1) {
		close(H.lfd);
		H.lfd = -1;
	}
	H.delay = RESPAWN_MIN_S;
	if (H.pid > 0)
		(void)kill(H.pid, SIGTERM);	/* respawned when reaped */
	else
		httpd_spawn();
}

/* See httpd.h. */
int
httpd_child(pid_t pid, int status)
{
	if (pid <= 0 || pid != H.pid)
		return 0;
	H.pid = 0;
	httpd_close_chan();
	if (H.stopping)
		return 1;
	if (clock_mono_ms() - H.started_ms > STABLE_S * 1000)
		H.delay = RESPAWN_MIN_S;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)
		H.delay = RESPAWN_MIN_S;	/* we asked (reload) */
	log_warn("http: listener %ld exited (%s %d)", (long)pid,
	    WIFSIGNALED(status) ? "signal" : "status",
	    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)
		httpd_spawn();
	else
		httpd_retry_later("listener exited");
	return 1;
}

/* See httpd.h. */
void
httpd_reply(unsigned long gen, uint32_t id, unsigned int status,
    const char *ctype, const char *allow, const char *body, size_t bodylen)
{
	struct lsn_reply p;
	size_t flen;
	char *frame;

	if (gen != H.gen || H.chan == -1)
		return;
	memset(&p, 0, sizeof(p));
	p.id = id;
	p.status = status;
	p.ctype = ctype;
	p.ctypelen = strlen(ctype);
	p.allow = allow;
	p.allowlen = allow != NULL ? strlen(allow) : 0;
	p.body = body;
	p.bodylen = bodylen;
	if (lsn_reply_encode(&p, &frame, &flen) == -1) {
		log_error("http: reply too large (%zu bytes)", bodylen);
		return;
	}
	if (iobuf_put(&H.out, frame, flen, OUT_LIMIT) == -1) {
		free(frame);
		httpd_kill("listener not reading its replies");
		return;
	}
	free(frame);
	ev_io_start(M->loop, &H.ww);
}

/* See httpd.h. */
unsigned long
httpd_generation(void)
{
	return H.gen;
}

/* See httpd.h. */
int
httpd_running(void)
{
	return H.pid > 0 && H.chan != -1;
}

/*
 * The master is exiting: TERM the listener, give it EXIT_WAIT_MS, then
 * SIGKILL.  A listener is untrusted and may ignore TERM and the closed
 * channel; it must not be able to keep the master from exiting.
 */
static void
httpd_reap(void)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	uint64_t t0 = clock_mono_ms();
	pid_t rc;

	(void)kill(H.pid, SIGTERM);
	while ((rc = waitpid(H.pid, NULL, WNOHANG)) == 0 &&
	    clock_mono_ms() - t0 < EXIT_WAIT_MS)
		nanosleep(&tick, NULL);
	if (rc == 0) {
		log_warn("http: listener %ld still running %d ms after "
		    "SIGTERM; killing it", (long)H.pid, EXIT_WAIT_MS);
		(void)kill(H.pid, SIGKILL);
		while (waitpid(H.pid, NULL, 0) == -1 && errno == EINTR)
			;
	}
	H.pid = 0;
}

/* See httpd.h. */
void
httpd_stop(void)
{
	H.stopping = 1;
	ev_timer_stop(M->loop, &H.retry);
	httpd_close_chan();
	if (H.pid > 0)
		httpd_reap();
	if (H.lfd != -1) {
		close(H.lfd);
		H.lfd = -1;
	}
}

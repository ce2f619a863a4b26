/*
 * control.c: the control socket.  Peer credentials at accept, a cap on
 * the connections of users who are not admins (admins always get in), a
 * request size limit (small for readers), a deadline for each whole
 * request, a keep-alive while a request waits, and EMFILE survival.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <ev.h>

#include "command.h"
#include "control.h"
#include "ctlproto.h"
#include "log.h"
#include "master.h"

#define CONTROL_MAX_CONNS	256	/* of users who are not admins */
#define CONTROL_MAX_PER_UID	64
#define CONTROL_REQUEST_S	10.	/* to send one whole request */
#define CONTROL_WRITE_S		30.
#define CONTROL_KEEPALIVE_S	1.	/* a space while a request waits */
#define CONTROL_READER_BUF	4096	/* a reader's requests are small */
#define CONTROL_TRIM_BYTES	(64 * 1024)
#define CONTROL_BURST		32	/* pipelined requests per loop turn */

#define container_of(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))

struct conn {
	int		 fd;
	uid_t		 uid;
	gid_t		 gid;
	pid_t		 pid;
	ev_io		 rw, ww;
	ev_timer	 timer;		/* request deadline, then write */
	ev_timer	 kick;		/* serve more pipelined requests */
	ev_timer	 alive;		/* keep-alive while a request waits */
	char		*in;		/* unserved input is in[inoff, inlen) */
	size_t		 inoff, inlen, incap;
	unsigned int	 burst;		/* requests fed in loop turn burst_turn */
	unsigned int	 burst_turn;
	char		*out;
	size_t		 outlen, outoff;
	int		 busy;		/* a request is being served */
	int		 eof;		/* peer shut down its side */
	int		 virt;		/* in-process client, fd == -1 */
	int		 counted;	/* against the caps: not root or us */
	int		 admin;		/* 1, 0, or -1 not asked yet */
	control_done_fn	*done;		/* its reply goes here, once */
	void		*done_arg;
	struct conn	*next, *prev;
};

static int listen_fd = -1;
static char listen_path[108];
static ev_io accept_w;
static ev_timer accept_pause_w;
static struct conn *conns;
static unsigned int nconns;

static void control_free(struct conn *);
static void control_serve_later(struct ev_loop *, struct conn *);
static int control_cred_admin(uid_t, gid_t);

/* The peer's uid, for command privileges. */
uid_t
control_peer_uid(const struct conn *c)
{
	return c->uid;
}

/*
 * May this peer run commands that change things?  Root, the master's own
 * user, and members of CONTROL_GROUP (supervisor.conf).
 */
int
control_peer_admin(const struct conn *c)
{
	/* In-process clients authenticated themselves (a signed request). */
	return c->virt || control_cred_admin(c->uid, c->gid);
}

static int
control_cred_admin(uid_t uid, gid_t gid)
{
	struct passwd *pw;
	gid_t groups[256];
	int i, n = 256;

	if (uid == 0 || uid == geteuid())
		return 1;
	if (!M->conf.has_control_group)
		return 0;
	if (gid == M->conf.control_gid)
		return 1;
	if ((pw = getpwuid(uid)) == NULL ||
	    getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) == -1)
		return 0;
	for (i = 0; i < n; i++)
		if (groups[i] == M->conf.control_gid)
			return 1;
	return 0;
}

/*
 * Is this peer the HTTP API?  It may run every command (the dashboard
 * signed its request), but what it is told leaves the node in clear
 * text, so secrets such as env values are hidden from it (SPEC 9).
 */
int
control_peer_remote(const struct conn *c)
{
	return c->virt;
}

static unsigned int
control_count_uid(uid_t uid)
{
	unsigned int n = 0;
	struct conn *c;

	for (c = conns; c != NULL; c = c->next)
		if (c->uid == uid && c->counted)
			n++;
	return n;
}

static void
control_refuse(int fd, const char *msg)
{
	size_t len;
	char *line;

	if ((line = ctl_reply_err(VX_EXIT_FAIL, msg, &len)) != NULL) {
		(void)!write(fd, line, len);
		free(line);
	}
	close(fd);
}

/* Take one complete line out of the input buffer and dispatch it. */
static void
control_request(struct conn *c, size_t linelen)
{
	struct vx_err err;
	json_t *req;
	char *line;
	size_t len;

	vx_err_clear(&err);
	req = ctl_request_parse(c->in + c->inoff, linelen, &err);
	/* Consumed, not moved: a megabyte of pipelined lines stays O(n). */
	c->inoff += linelen + 1;
	if (c->inoff == c->inlen)
		c->inoff = c->inlen = 0;
	c->busy = 1;
	ev_io_stop(M->loop, &c->rw);
	ev_timer_stop(M->loop, &c->timer);
	/* Until the reply: start, stop and shutdown wait for tenants. */
	if (!c->virt) {
		ev_timer_set(&c->alive, CONTROL_KEEPALIVE_S,
		    CONTROL_KEEPALIVE_S);
		ev_timer_start(M->loop, &c->alive);
	}
	if (req == NULL) {
		line = ctl_reply_err(err.code ? err.code : VX_EXIT_USAGE,
		    err.msg, &len);
		control_reply(c, line, len);
		return;
	}
	command_dispatch(c, req);
	json_decref(req);
}

/*
 * Serve the next buffered request, if a whole one is there; 1 if it was.
 * One request per call: what follows it is served from the loop.
 */
static int
control_try_request(struct conn *c)
{
	char *nl;

	if (c->busy || c->inlen == c->inoff)
		return 0;
	nl = memchr(c->in + c->inoff, '\n', c->inlen - c->inoff);
	if (nl == NULL)
		return 0;
	control_request(c, (size_t)(nl - (c->in + c->inoff)));
	return 1;
}

static int
control_has_request(const struct conn *c)
{
	return c->inlen > c->inoff &&
	    memchr(c->in + c->inoff, '\n', c->inlen - c->inoff) != NULL;
}

/*
 * How much input a connection may buffer.  Readers (not admins) send
 * list, status, history or ping: a few hundred bytes; a megabyte is for
 * apply.  Whether a peer is in CONTROL_GROUP is asked only when its
 * request outgrows a reader's buffer.
 */
static size_t
control_in_limit(struct conn *c)
{
	if (c->admin == -1 && c->incap >= CONTROL_READER_BUF)
		c->admin = control_cred_admin(c->uid, c->gid);
	return c->admin == 1 ? CTL_MAX_LINE + 4096 : CONTROL_READER_BUF;
}

/*
 * Room to read: the served part of the buffer is dropped first (once per
 * read, not once per request), then the buffer grows up to the limit;
 * -1 when it is full without a newline.
 */
static int
control_grow(struct conn *c, size_t limit)
{
	size_t ncap;
	char *n;

	if (c->inoff > 0) {
		memmove(c->in, c->in + c->inoff, c->inlen - c->inoff);
		c->inlen -= c->inoff;
		c->inoff = 0;
	}
	if (c->incap - c->inlen >= 4096)
		return 0;
	if (c->inlen >= limit)
		return -1;
	ncap = c->incap ? c->incap * 2 : 8192;
	if (ncap > limit)
		ncap = limit;
	if (ncap <= c->incap)
		return 0;	/* at the limit, with some room left */
	if ((n = realloc(c->in, ncap)) == NULL)
		return -1;
	c->in = n;
	c->incap = ncap;
	return 0;
}

static void
control_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = container_of(w, struct conn, rw);
	size_t len, limit;
	char *line;
	ssize_t n;

	/* Requests that came in one read: the next one, before reading on. */
	if (control_try_request(c))
		return;
	limit = control_in_limit(c);
	if (control_grow(c, limit) == -1) {
		/* No newline within the limit: answer once, then hang up. */
		log_warn("control: request from uid %u too large, dropped",
		    (unsigned)c->uid);
		line = ctl_reply_err(VX_EXIT_USAGE, limit > CONTROL_READER_BUF ?
		    "request too large (limit 1 MiB)" :
		    "request too large (limit 4 KiB for users who are not "
		    "admins)", &len);
		c->inoff = c->inlen = 0;
		c->eof = 1;
		c->busy = 1;
		ev_io_stop(loop, &c->rw);
		control_reply(c, line, len);
		return;
	}
	n = read(c->fd, c->in + c->inlen, c->incap - c->inlen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		control_free(c);
		return;
	}
	/*
	 * Bytes do not re-arm the deadline: a whole request is due within
	 * CONTROL_REQUEST_S of the connect or of the last answer, however
	 * it trickles in.
	 */
	c->inlen += (size_t)n;
	control_try_request(c);
}

static void
control_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = container_of(w, struct conn, ww);
	ssize_t n;

	while (c->outoff < c->outlen) {
		n = write(c->fd, c->out + c->outoff, c->outlen - c->outoff);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0) {
			control_free(c);
			return;
		}
		c->outoff += (size_t)n;
	}
	ev_io_stop(loop, &c->ww);
	free(c->out);
	c->out = NULL;
	/*
	 * A big reply (list of 1000 tenants) left a heap full of freed JSON:
	 * give it back, so the master stays small between requests.
	 */
	if (c->outlen > CONTROL_TRIM_BYTES)
		malloc_trim(0);
	c->outlen = c->outoff = 0;
	if (c->eof) {
		control_free(c);
		return;
	}
	c->busy = 0;
	ev_io_start(loop, &c->rw);
	c->timer.repeat = CONTROL_REQUEST_S;
	ev_timer_again(loop, &c->timer);
	if (control_has_request(c))
		control_serve_later(loop, c);
}

/*
 * More requests are buffered (a client may pipeline a megabyte of them).
 * Serving the next one from here would recurse, request -> reply -> write
 * -> request, until the stack overflows.  A fed event runs in this same
 * loop turn, with the clock stopped, so only CONTROL_BURST of them go that
 * way; the rest wait for the next turn, after tenants, signals and other
 * clients have had theirs.
 */
static void
control_serve_later(struct ev_loop *loop, struct conn *c)
{
	if (c->burst_turn != ev_iteration(loop)) {
		c->burst_turn = ev_iteration(loop);
		c->burst = 0;
	}
	if (++c->burst < CONTROL_BURST) {
		ev_feed_event(loop, &c->rw, EV_READ);
		return;
	}
	ev_timer_set(&c->kick, 0., 0.);
	ev_timer_start(loop, &c->kick);
}

static void
control_kick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct conn *c = container_of(w, struct conn, kick);

	if (!c->busy)
		ev_feed_event(loop, &c->rw, EV_READ);
}

static void
control_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct conn *c = container_of(w, struct conn, timer);

	log_debug("control: dropping a client (uid %u) that sent no whole "
	    "request within %.0f s, or did not read its answer",
	    (unsigned)c->uid, c->busy ? CONTROL_WRITE_S : CONTROL_REQUEST_S);
	control_free(c);
}

/*
 * A request is waiting for tenants (start, stop, shutdown): one space
 * every second tells the client the master is alive, so that it can bound
 * its wait for a byte (SPEC 6) without bounding the tenants' timeouts.
 * JSON allows the space before the reply.  A client that hung up is
 * dropped here, and its wait with it.
 */
static void
control_alive_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct conn *c = container_of(w, struct conn, alive);

	if (c->out != NULL)
		return;		/* the reply is being written */
	if (send(c->fd, " ", 1, MSG_NOSIGNAL | MSG_DONTWAIT) == -1 &&
	    errno != EAGAIN && errno != EINTR)
		control_free(c);
}

/* Send a reply; the connection then reads its next request. */
void
control_reply(struct conn *c, char *line, size_t len)
{
	control_done_fn *done = c->done;

	if (c->virt) {
		c->done = NULL;
		if (done != NULL)
			done(c->done_arg, line, line != NULL ? len : 0);
		else
			free(line);
		control_free(c);
		return;
	}
	ev_timer_stop(M->loop, &c->alive);
	if (line == NULL) {
		control_free(c);
		return;
	}
	free(c->out);
	c->out = line;
	c->outlen = len;
	c->outoff = 0;
	c->timer.repeat = CONTROL_WRITE_S;
	ev_timer_again(M->loop, &c->timer);
	ev_io_start(M->loop, &c->ww);
	control_write_cb(M->loop, &c->ww, EV_WRITE);
}

/* Used by shutdown: the loop will not run again to flush the reply. */
void
control_reply_now(struct conn *c, char *line, size_t len)
{
	int fl;

	if (c->virt) {
		control_reply(c, line, len);
		return;
	}
	if (line != NULL) {
		fl = fcntl(c->fd, F_GETFL);
		if (fl != -1)
			(void)fcntl(c->fd, F_SETFL, fl & ~O_NONBLOCK);
		(void)!write(c->fd, line, len);
		free(line);
	}
	control_free(c);
}

static void
control_free(struct conn *c)
{
	control_done_fn *done = c->done;

	/* An in-process client still waiting hears that nothing will come. */
	c->done = NULL;
	if (done != NULL)
		done(c->done_arg, NULL, 0);
	command_conn_gone(c);
	ev_io_stop(M->loop, &c->rw);
	ev_io_stop(M->loop, &c->ww);
	ev_timer_stop(M->loop, &c->timer);
	ev_timer_stop(M->loop, &c->kick);
	ev_timer_stop(M->loop, &c->alive);
	if (c->fd != -1)
		close(c->fd);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	if (c->counted)
		nconns--;
	free(c->in);
	free(c->out);
	free(c);
}

static void
control_accept_pause_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ev_io_start(loop, &accept_w);
}

static void
control_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct conn *c;
	int fd, owner;

	fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd == -1) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			/* Out of descriptors: pause instead of spinning. */
			log_warn("control: unable to accept: %s; pausing 1 s",
			    strerror(errno));
			ev_io_stop(loop, &accept_w);
			ev_timer_set(&accept_pause_w, 1., 0.);
			ev_timer_start(loop, &accept_pause_w);
		}
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		close(fd);
		return;
	}
	/*
	 * Root and the master's user are never counted nor refused; a
	 * CONTROL_GROUP member is let in over the caps (asked only then, so
	 * that readers cost no group lookup).  Only readers can fill them.
	 */
	owner = cred.uid == 0 || cred.uid == geteuid();
	if (!owner && (nconns >= CONTROL_MAX_CONNS ||
	    control_count_uid(cred.uid) >= CONTROL_MAX_PER_UID) &&
	    !control_cred_admin(cred.uid, cred.gid)) {
		control_refuse(fd, "too many control connections");
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->uid = cred.uid;
	c->gid = cred.gid;
	c->pid = cred.pid;
	c->counted = !owner;
	c->admin = owner ? 1 : -1;
	ev_io_init(&c->rw, control_read_cb, fd, EV_READ);
	ev_io_init(&c->ww, control_write_cb, fd, EV_WRITE);
	ev_init(&c->timer, control_timer_cb);
	ev_init(&c->kick, control_kick_cb);
	ev_init(&c->alive, control_alive_cb);
	c->timer.repeat = CONTROL_REQUEST_S;
	ev_timer_again(loop, &c->timer);
	ev_io_start(loop, &c->rw);
	c->next = conns;
	if (conns != NULL)
		conns->prev = c;
	conns = c;
	if (c->counted)
		nconns++;
}

/*
 * Run one request for an in-process client (the HTTP API): same command
 * table, same JSON; done gets the reply line (its to free; NULL when out
 * of memory), possibly before this returns.
 */
void
control_run(json_t *req, control_done_fn *done, void *arg)
{
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		done(arg, NULL, 0);
		return;
	}
	c->fd = -1;
	c->virt = 1;
	c->admin = 1;
	c->uid = geteuid();
	c->gid = getegid();
	c->done = done;
	c->done_arg = arg;
	c->busy = 1;
	ev_io_init(&c->rw, control_read_cb, -1, EV_READ);
	ev_io_init(&c->ww, control_write_cb, -1, EV_WRITE);
	ev_init(&c->timer, control_timer_cb);
	ev_init(&c->kick, control_kick_cb);
	ev_init(&c->alive, control_alive_cb);
	c->next = conns;
	if (conns != NULL)
		conns->prev = c;
	conns = c;
	command_dispatch(c, req);
}

/* The master holds the lock, so a socket file left behind is stale. */
int
control_listen(const char *path, struct vx_err *err)
{
	struct sockaddr_un sun;
	mode_t old;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		vx_err_set(err, VX_EXIT_FAIL, "%s: path too long", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	strcpy(listen_path, path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (listen_fd == -1) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to create socket: %s",
		    strerror(errno));
		return -1;
	}
	(void)unlink(path);
	old = umask(0117);
	if (bind(listen_fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(listen_fd, 128) == -1) {
		umask(old);
		vx_err_set(err, VX_EXIT_FAIL, "unable to listen on %s: %s",
		    path, strerror(errno));
		close(listen_fd);
		listen_fd = -1;
		return -1;
	}
	umask(old);
	control_set_access();
	ev_io_init(&accept_w, control_accept_cb, listen_fd, EV_READ);
	ev_io_start(M->loop, &accept_w);
	ev_init(&accept_pause_w, control_accept_pause_cb);
	return 0;
}

/*
 * Who may reach the socket.  CONTROL_GROUP gets the socket and its
 * directory's group; CONTROL_READ=all opens the socket to every local
 * user (mode 0666, directory 0751: others traverse, not list), who may then
 * run the read-only commands.  Without either, modes are left as created.
 */
void
control_set_access(void)
{
	static int touched;
	mode_t dmode = M->conf.control_read_all ? 0751 : 0750;
	mode_t smode = M->conf.control_read_all ? 0666 : 0660;

	if (listen_fd == -1)
		return;
	if (M->conf.has_control_group &&
	    (chown(listen_path, (uid_t)-1, M->conf.control_gid) == -1 ||
	    chown(M->paths.run_dir, (uid_t)-1, M->conf.control_gid) == -1))
		log_warn("unable to give %s to CONTROL_GROUP: %s", listen_path,
		    strerror(errno));
	if (!M->conf.has_control_group && !M->conf.control_read_all &&
	    !touched)
		return;
	touched = 1;
	if (chmod(listen_path, smode) == -1 ||
	    chmod(M->paths.run_dir, dmode) == -1)
		log_warn("unable to set the mode of %s: %s", listen_path,
		    strerror(errno));
}

/*
 * Shutdown began.  Clients are still accepted and answered until the master
 * exits: readers as usual, changes with "master is shutting down"
 * (command.c), a second shutdown when the first is done.  A socket that
 * stopped accepting would leave every new client hanging in connect or
 * read for as long as the shutdown takes.
 */
void
control_stop_listening(void)
{
}

/* Master exit: drop every client and the socket file. */
void
control_close(void)
{
	while (conns != NULL)
		control_free(conns);
	ev_io_stop(M->loop, &accept_w);
	ev_timer_stop(M->loop, &accept_pause_w);
	if (listen_fd != -1) {
		close(listen_fd);
		listen_fd = -1;
		(void)unlink(listen_path);
	}
}

/*
 * listener.c: the HTTP front end.  libmicrohttpd parses requests (limits,
 * timeouts, connection caps in all and per address); each complete
 * request becomes one frame to the master and the connection is suspended
 * until the master's reply frame arrives.  Nothing here knows the secret
 * or any tenant; it only checks that a body comes with well-formed, fresh
 * signature headers before reading it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>
#include <microhttpd.h>

#include "iobuf.h"
#include "listener.h"
#include "log.h"
#include "lsnproto.h"
#include "sighdr.h"

#define CONN_LIMIT	4096
#define PER_IP_LIMIT	64		/* connections from one address */
#define CONN_TIMEOUT_S	10		/* idle client */
#define REQ_DEADLINE_S	10.		/* to send a whole request */
#define CONN_MEMORY	(32 * 1024)	/* request line and headers */
#define OUT_LIMIT	(64u * 1024 * 1024)	/* queued to a slow master */
#define REFUSED_LOG_S	10.		/* one refusal line per 10 s */
#define UNAUTHORIZED	"{\"error\":\"unauthorized\"}"	/* the master's */

#define container_of(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))

enum req_state {
	REQ_NEW,		/* only the headers are known */
	REQ_READING,		/* headers seen, body arriving */
	REQ_WAITING,		/* suspended, frame sent to the master */
	REQ_ANSWERED,		/* resumed with the master's response */
};

struct req {
	uint32_t		 id;
	enum req_state		 state;
	char			*target;	/* as sent, query included */
	char			*body;
	size_t			 bodylen, bodycap;
	int			 too_large;
	struct MHD_Connection	*conn;
	struct MHD_Response	*resp;
	unsigned int		 status;
	struct req		*next, *prev;	/* waiting for the master */
};

/*
 * One per connection, for the request deadline: libmicrohttpd's timeout
 * counts inactivity, so a client trickling a byte a second (slowloris)
 * would hold its connection for ever.  From its start, and again after
 * each answer, a connection has REQ_DEADLINE_S to deliver a complete
 * request, or its socket is shut down.
 */
struct track {
	int		 fd;
	double		 deadline;	/* 0 while the master has it */
	struct track	*next, *prev;
};

static struct {
	struct ev_loop		*loop;
	struct MHD_Daemon	*d;
	ev_io			 mhd_w, chan_rw, chan_ww;
	ev_timer		 mhd_t, sweep_t;
	struct track		*tracks;
	int			 chan;
	struct iobuf		 in, out;
	struct req		*waiting;
	uint32_t		 next_id;
	int			 done;
	double			 refused_logged;
	unsigned long		 refused;
} L;

static void	listener_schedule(void);
static void	listener_deadline(struct MHD_Connection *, int);

static void
req_link(struct req *r)
{
	r->prev = NULL;
	r->next = L.waiting;
	if (L.waiting != NULL)
		L.waiting->prev = r;
	L.waiting = r;
}

static void
req_unlink(struct req *r)
{
	if (r->prev != NULL)
		r->prev->next = r->next;
	else if (L.waiting == r)
		L.waiting = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	r->next = r->prev = NULL;
}

static struct req *
req_find(uint32_t id)
{
	struct req *r;

	for (r = L.waiting; r != NULL; r = r->next)
		if (r->id == id)
			return r;
	return NULL;
}

static struct track *
listener_track(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci != NULL ? ci->socket_context : NULL;
}

/* Arm (on) or clear the connection's request deadline. */
static void
listener_deadline(struct MHD_Connection *conn, int on)
{
	struct track *t = listener_track(conn);

	if (t != NULL)
		t->deadline = on ? ev_now(L.loop) + REQ_DEADLINE_S : 0;
}

static void
listener_sweep_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct track *t;
	double now = ev_now(loop);
	int hit = 0;

	for (t = L.tracks; t != NULL; t = t->next)
		if (t->deadline != 0 && now > t->deadline) {
			(void)shutdown(t->fd, SHUT_RDWR);
			t->deadline = 0;
			hit = 1;
		}
	if (L.tracks == NULL)
		ev_timer_stop(loop, w);
	if (hit)
		listener_schedule();
}

static void
listener_conn_cb(void *cls, struct MHD_Connection *conn, void **sctx,
    enum MHD_ConnectionNotificationCode code)
{
	const union MHD_ConnectionInfo *ci;
	struct track *t = *sctx;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci == NULL || (t = calloc(1, sizeof(*t))) == NULL)
			return;
		t->fd = ci->connect_fd;
		t->deadline = ev_now(L.loop) + REQ_DEADLINE_S;
		t->next = L.tracks;
		if (L.tracks != NULL)
			L.tracks->prev = t;
		L.tracks = t;
		*sctx = t;
		if (!ev_is_active(&L.sweep_t))
			ev_timer_again(L.loop, &L.sweep_t);
		return;
	}
	if (t == NULL)
		return;
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		L.tracks = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	free(t);
	*sctx = NULL;
}

/* Called once per request before its headers: keep the raw target. */
static void *
listener_uri_cb(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct req *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if ((r->target = strdup(uri)) == NULL) {
		free(r);
		return NULL;
	}
	r->conn = conn;
	return r;
}

static void
listener_completed_cb(void *cls, struct MHD_Connection *conn, void **ctx,
    enum MHD_RequestTerminationCode toe)
{
	struct req *r = *ctx;

	listener_deadline(conn, 1);
	if (r == NULL)
		return;
	req_unlink(r);
	if (r->resp != NULL)
		MHD_destroy_response(r->resp);
	free(r->target);
	free(r->body);
	free(r);
	*ctx = NULL;
}

static enum MHD_Result
listener_simple(struct MHD_Connection *conn, unsigned int status,
    const char *json)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;

	resp = MHD_create_response_from_buffer(strlen(json), (void *)json,
	    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(resp, "Content-Type",
	    "application/json");
	rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static int
listener_append(struct req *r, const char *data, size_t len)
{
	size_t ncap;
	char *n;

	if (r->bodylen + len > LSN_MAX_BODY) {
		r->too_large = 1;
		return 0;
	}
	if (r->bodylen + len > r->bodycap) {
		ncap = r->bodycap ? r->bodycap : 4096;
		while (ncap < r->bodylen + len)
			ncap *= 2;
		if ((n = realloc(r->body, ncap)) == NULL)
			return -1;
		r->body = n;
		r->bodycap = ncap;
	}
	memcpy(r->body + r->bodylen, data, len);
	r->bodylen += len;
	return 0;
}

static int
listener_send(const char *frame, size_t len)
{
	if (iobuf_put(&L.out, frame, len, OUT_LIMIT) == -1)
		return -1;
	ev_io_start(L.loop, &L.chan_ww);
	return 0;
}

static const char *
listener_header(struct MHD_Connection *conn, const char *name, size_t *len)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    name);

	*len = v != NULL ? strlen(v) : 0;
	return v;
}

/* The body is complete: hand the request to the master and wait. */
static enum MHD_Result
listener_forward(struct MHD_Connection *conn, struct req *r,
    const char *method)
{
	struct lsn_request q;
	size_t flen;
	char *frame;
	int rc;

	memset(&q, 0, sizeof(q));
	q.id = r->id = ++L.next_id;
	q.method = method;
	q.methodlen = strlen(method);
	q.target = r->target;
	q.targetlen = strlen(r->target);
	q.ts = listener_header(conn, "X-Vectis-Timestamp", &q.tslen);
	q.auth = listener_header(conn, MHD_HTTP_HEADER_AUTHORIZATION,
	    &q.authlen);
	q.body = r->body;
	q.bodylen = r->bodylen;
	if (q.methodlen > LSN_MAX_METHOD)
		return listener_simple(conn, MHD_HTTP_NOT_IMPLEMENTED,
		    "{\"error\":\"method not implemented\"}");
	if (q.targetlen > LSN_MAX_TARGET)
		return listener_simple(conn, MHD_HTTP_URI_TOO_LONG,
		    "{\"error\":\"request target too long\"}");
	if (q.tslen > LSN_MAX_HEADER || q.authlen > LSN_MAX_HEADER)
		return listener_simple(conn,
		    MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE,
		    "{\"error\":\"header too large\"}");
	if (lsn_request_encode(&q, &frame, &flen) == -1)
		return MHD_NO;
	rc = listener_send(frame, flen);
	free(frame);
	if (rc == -1)
		return listener_simple(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "{\"error\":\"busy\"}");
	r->state = REQ_WAITING;
	req_link(r);
	listener_deadline(conn, 0);
	MHD_suspend_connection(conn);
	return MHD_YES;
}

/*
 * A request that brings a body must be signed (only the signed routes
 * take one), so its signature headers are checked for syntax and
 * freshness before any of the body is read: an unsigned or stale upload
 * is answered 401, as the master would, and costs no memory.  The master
 * still checks everything, the signature itself included.
 */
static int
listener_precheck(struct MHD_Connection *conn)
{
	unsigned char mac[SIGAUTH_MAC_LEN];
	const char *ts, *auth;
	size_t tslen, authlen;
	double now = ev_now(L.loop);

	ts = listener_header(conn, "X-Vectis-Timestamp", &tslen);
	auth = listener_header(conn, MHD_HTTP_HEADER_AUTHORIZATION, &authlen);
	if (sighdr_check(ts, tslen, auth, authlen, time(NULL), mac) ==
	    SIGAUTH_OK)
		return 1;
	/* Seen where stderr is a pipe or the journal (main.c, SIGXFSZ). */
	L.refused++;
	if (L.refused_logged == 0 || now - L.refused_logged >= REFUSED_LOG_S) {
		log_warn("refused a request before reading its body: "
		    "missing, malformed or stale signature headers (%lu so "
		    "far)", L.refused);
		L.refused_logged = now;
	}
	return 0;
}

static enum MHD_Result
listener_first(struct MHD_Connection *conn, struct req *r)
{
	const char *cl;
	char *end;
	unsigned long long n = 0;
	int body;

	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL) {
		errno = 0;
		n = strtoull(cl, &end, 10);
		if (errno == 0 && *end == '\0' && n > LSN_MAX_BODY)
			return listener_simple(conn,
			    MHD_HTTP_CONTENT_TOO_LARGE,
			    "{\"error\":\"request body larger than 1 MiB\"}");
	}
	body = n > 0 || MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
	if (body && !listener_precheck(conn))
		return listener_simple(conn, MHD_HTTP_UNAUTHORIZED,
		    UNAUTHORIZED);
	r->state = REQ_READING;
	return MHD_YES;
}

/* libmicrohttpd's access handler: called per header block, body chunk. */
static enum MHD_Result
listener_access_cb(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **ctx)
{
	struct req *r = *ctx;

	if (r == NULL)
		return MHD_NO;		/* out of memory at the URI callback */
	if (r->state == REQ_ANSWERED)
		return MHD_queue_response(conn, r->status, r->resp);
	if (r->state == REQ_WAITING)
		return MHD_YES;
	if (r->state == REQ_NEW)
		return listener_first(conn, r);
	if (*upload_size > 0) {
		if (listener_append(r, upload, *upload_size) == -1)
			return MHD_NO;
		*upload_size = 0;
		/* A chunked body past the limit: stop reading, hang up. */
		return r->too_large ? MHD_NO : MHD_YES;
	}
	return listener_forward(conn, r, method);
}

static void
listener_answer(const struct lsn_reply *p)
{
	struct MHD_Response *resp;
	struct req *r;
	char ctype[LSN_MAX_HEADER + 1], allow[LSN_MAX_HEADER + 1];

	if ((r = req_find(p->id)) == NULL)
		return;		/* the client went away meanwhile */
	resp = MHD_create_response_from_buffer(p->bodylen, (void *)p->body,
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return;
	memcpy(ctype, p->ctype, p->ctypelen);
	ctype[p->ctypelen] = '\0';
	(void)MHD_add_response_header(resp, "Content-Type", ctype);
	if (p->allow != NULL) {
		memcpy(allow, p->allow, p->allowlen);
		allow[p->allowlen] = '\0';
		(void)MHD_add_response_header(resp, "Allow", allow);
	}
	req_unlink(r);
	r->resp = resp;
	r->status = p->status;
	r->state = REQ_ANSWERED;
	MHD_resume_connection(r->conn);
}

static void
listener_chan_frames(void)
{
	struct lsn_reply p;
	struct vx_err err;
	size_t off, len;
	int rc;

	while ((rc = lsn_frame_next(L.in.p + L.in.off, L.in.len - L.in.off,
	    LSN_MAX_REPLY, &off, &len)) == 1) {
		if (lsn_reply_decode(L.in.p + L.in.off + off, len, &p, &err) ==
		    -1) {
			log_error("%s from the master", err.msg);
			L.done = -1;
			return;
		}
		listener_answer(&p);
		iobuf_consume(&L.in, off + len);
	}
	if (rc == -1) {
		log_error("impossible frame length from the master");
		L.done = -1;
	}
}

static void
listener_chan_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	ssize_t n;

	n = iobuf_fill(&L.in, L.chan, LSN_MAX_REPLY + 2 * LSN_PREFIX);
	if (n == -1) {
		L.done = 1;		/* the master is gone: so are we */
		ev_break(loop, EVBREAK_ALL);
		return;
	}
	if (n == 0)
		return;
	listener_chan_frames();
	if (L.done)
		ev_break(loop, EVBREAK_ALL);
	else
		listener_schedule();
}

static void
listener_chan_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	int rc = iobuf_flush(&L.out, L.chan);

	if (rc == -1) {
		L.done = 1;
		ev_break(loop, EVBREAK_ALL);
	} else if (rc == 1) {
		ev_io_stop(loop, w);
		(void)iobuf_shrink(&L.out, 1u << 20);
	}
}

/* Run libmicrohttpd's work, then re-arm its timeout. */
static void
listener_schedule(void)
{
	MHD_UNSIGNED_LONG_LONG ms;

	(void)MHD_run(L.d);
	ev_timer_stop(L.loop, &L.mhd_t);
	if (MHD_get_timeout(L.d, &ms) == MHD_YES) {
		ev_timer_set(&L.mhd_t, (double)ms / 1000., 0.);
		ev_timer_start(L.loop, &L.mhd_t);
	}
}

static void
listener_mhd_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	listener_schedule();
}

static void
listener_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	listener_schedule();
}

static struct MHD_Daemon *
listener_daemon(int lfd)
{
	return MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME,
	    0, NULL, NULL, listener_access_cb, NULL,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)lfd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONN_LIMIT,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)PER_IP_LIMIT,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONN_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
	    MHD_OPTION_URI_LOG_CALLBACK, listener_uri_cb, NULL,
	    MHD_OPTION_NOTIFY_COMPLETED, listener_completed_cb, NULL,
	    MHD_OPTION_NOTIFY_CONNECTION, listener_conn_cb, NULL,
	    MHD_OPTION_END);
}

/* See listener.h. */
int
listener_run(int lfd, int chan, struct vx_err *err)
{
	const union MHD_DaemonInfo *info;

	L.chan = chan;
	if ((L.loop = ev_default_loop(EVFLAG_AUTO | EVFLAG_NOENV)) == NULL) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to create the loop");
		return -1;
	}
	if ((L.d = listener_daemon(lfd)) == NULL ||
	    (info = MHD_get_daemon_info(L.d, MHD_DAEMON_INFO_EPOLL_FD)) ==
	    NULL) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to start libmicrohttpd");
		return -1;
	}
	ev_io_init(&L.mhd_w, listener_mhd_cb, info->epoll_fd, EV_READ);
	ev_io_init(&L.chan_rw, listener_chan_read_cb, chan, EV_READ);
	ev_io_init(&L.chan_ww, listener_chan_write_cb, chan, EV_WRITE);
	ev_init(&L.mhd_t, listener_timer_cb);
	ev_init(&L.sweep_t, listener_sweep_cb);
	L.sweep_t.repeat = 1.;
	ev_io_start(L.loop, &L.mhd_w);
	ev_io_start(L.loop, &L.chan_rw);
	listener_schedule();
	ev_run(L.loop, 0);
	MHD_stop_daemon(L.d);
	if (L.done == -1) {
		vx_err_set(err, VX_EXIT_FAIL, "protocol error");
		return -1;
	}
	return 0;
}

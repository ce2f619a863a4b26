/*
 * tenant.c: the tenant state machine.
 *
 * Every change of state goes through tenant_set_state(), which commits the
 * worker_process row and an event in one transaction before anyone (log,
 * waiting CLI, HTTP) hears of it.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "heartbeat.h"
#include "log.h"
#include "master.h"
#include "procfs.h"
#include "proctree.h"
#include "shimproto.h"
#include "sig.h"
#include "store.h"
#include "tenant.h"
#include "transition.h"

#define container_of(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))

static const char *const state_names[TS_NSTATES] = {
	"starting", "running", "backoff", "stopping", "stopped", "exited",
	"fatal", "queued", "stopping", "stopping", "stopping",
};

/* Pid -> tenant, open addressing; 0 marks an empty slot. */
#define PIDTAB_SIZE 8192
static struct { pid_t pid; struct tenant *t; } pidtab[PIDTAB_SIZE];
static size_t pidtab_used;

static void tenant_spawn(struct tenant *);
static void tenant_spawn_error(struct tenant *, const char *);
static void queue_del(struct tenant *);
static int nstarting;
static void tenant_timer_cb(struct ev_loop *, ev_timer *, int);
static void tenant_cycle_cb(struct ev_loop *, ev_timer *, int);

/* The detail the CLI and the database show. */
const char *
tenant_state_name(enum tstate s)
{
	if ((unsigned)s >= TS_NSTATES)
		return "?";
	return state_names[s];
}

/* The control plane's enum for a state (SPEC section 5). */
const char *
tenant_status_name(enum tstate s)
{
	switch (s) {
	case TS_STARTING:
	case TS_RUNNING:
	case TS_STOPPING:
	case TS_STOPPING_RESTART:
	case TS_STOPPING_FAIL:
	case TS_STOPPING_CYCLE:
		return "RUNNING";
	case TS_BACKOFF:
	case TS_FATAL:
		return "ERROR";
	case TS_STOPPED:
	case TS_EXITED:
	case TS_QUEUED:
		return "STOPPED";
	case TS_NSTATES:
		break;
	}
	log_error("can't happen: state %d", (int)s);
	return "ERROR";
}

static int
tenant_state_from_name(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++)
		if (s != NULL && strcmp(s, state_names[i]) == 0)
			return (int)i;
	return -1;
}

static void
pidtab_put(pid_t pid, struct tenant *t)
{
	size_t i = (size_t)pid % PIDTAB_SIZE;

	if (pidtab_used >= PIDTAB_SIZE - 1) {
		log_error("can't happen: pid table full");
		return;
	}
	while (pidtab[i].pid != 0)
		i = (i + 1) % PIDTAB_SIZE;
	pidtab[i].pid = pid;
	pidtab[i].t = t;
	pidtab_used++;
}

/* Take out pid's entry for t (a freed pid may be in there twice). */
static void
pidtab_del(pid_t pid, const struct tenant *owner)
{
	size_t i = (size_t)pid % PIDTAB_SIZE, j;

	while (pidtab[i].pid != 0 &&
	    (pidtab[i].pid != pid || pidtab[i].t != owner))
		i = (i + 1) % PIDTAB_SIZE;
	if (pidtab[i].pid == 0)
		return;
	pidtab[i].pid = 0;
	pidtab_used--;
	/* Re-insert the rest of the cluster (linear probing deletion). */
	for (j = (i + 1) % PIDTAB_SIZE; pidtab[j].pid != 0;
	    j = (j + 1) % PIDTAB_SIZE) {
		pid_t p = pidtab[j].pid;
		struct tenant *t = pidtab[j].t;

		pidtab[j].pid = 0;
		pidtab_used--;
		pidtab_put(p, t);
	}
}

/*
 * The table holds each tenant's child_pid (the master's child: its reaper,
 * or the worker) and, when that is a reaper, the worker's pid too, for
 * sd_notify's group check.  SIGCHLD dispatch finds the child_pid first.
 */
static void
pidtab_put_tenant(struct tenant *t)
{
	pidtab_put(t->child_pid, t);
	if (t->pid != t->child_pid)
		pidtab_put(t->pid, t);
}

static void
pidtab_del_tenant(struct tenant *t)
{
	if (t->child_pid > 0)
		pidtab_del(t->child_pid, t);
	if (t->pid > 0 && t->pid != t->child_pid)
		pidtab_del(t->pid, t);
}

/* SIGCHLD dispatch: which tenant owns this pid (its child_pid first). */
struct tenant *
tenant_by_pid(pid_t pid)
{
	size_t i = (size_t)pid % PIDTAB_SIZE;
	struct tenant *t = NULL;

	while (pidtab[i].pid != 0) {
		if (pidtab[i].pid == pid) {
			if (pidtab[i].t->child_pid == pid)
				return pidtab[i].t;
			t = pidtab[i].t;
		}
		i = (i + 1) % PIDTAB_SIZE;
	}
	return t;
}

static char *
xstrdup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* A tenant loaded from the store or created by add/apply. */
struct tenant *
tenant_new(struct tenant_spec *spec, const struct store_tenant *row)
{
	struct tenant *t;
	int st;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->spec = *spec;
	spec_init(spec);	/* taken over */
	t->name = t->spec.name;
	t->state = TS_STOPPED;
	t->cpu_percent = -1;
	t->rss_bytes = -1;
	t->fds.out = t->fds.err = t->fds.notify = t->fds.status = -1;
	t->root = spawn_as_root(&t->spec);
	t->cg.memory_max = t->cg.pids_max = -2;
	ev_init(&t->timer, tenant_timer_cb);
	ev_init(&t->cycle_timer, tenant_cycle_cb);
	logcap_init(&t->logcap, M->paths.logs_dir, t->name);
	if (row == NULL)
		return t;
	if (row->desired != NULL)
		t->desired = strcmp(row->desired, "started") == 0 ?
		    DESIRED_STARTED : DESIRED_STOPPED;
	/* A previous master's live states are not ours: start from rest. */
	st = tenant_state_from_name(row->proc.state);
	if (st == TS_FATAL || st == TS_EXITED)
		t->state = (enum tstate)st;
	t->last_error = xstrdup_or_null(row->proc.last_error);
	t->restarts = row->proc.restarts;
	t->session_state = xstrdup_or_null(row->proc.session_state);
	if (row->proc.last_seen_at != NULL)
		(void)clock_parse_iso8601(row->proc.last_seen_at,
		    &t->last_seen_at);
	return t;
}

static void
tenant_stop_watchers(struct tenant *t)
{
	ev_io_stop(M->loop, &t->out_w);
	ev_io_stop(M->loop, &t->err_w);
	ev_io_stop(M->loop, &t->notify_w);
	ev_io_stop(M->loop, &t->status_w);
}

/* Free a tenant that has no live worker. */
void
tenant_free(struct tenant *t)
{
	if (t == NULL)
		return;
	ev_timer_stop(M->loop, &t->timer);
	ev_timer_stop(M->loop, &t->cycle_timer);
	queue_del(t);
	if (t->state == TS_STARTING)
		nstarting--;
	tenant_stop_watchers(t);
	spawn_close_fds(&t->fds);
	pidtab_del_tenant(t);
	logcap_free(&t->logcap);
	notify_split_reset(&t->nsplit);
	restart_free(&t->rs);
	spec_free(&t->spec);
	free(t->last_error);
	free(t->session_state);
	free(t->status_text);
	free(t->stop_reason);
	tenant_spawn_error(t, NULL);
	free(t);
}

static void
tenant_row(const struct tenant *t, struct store_process *p, char *started,
    char *seen)
{
	memset(p, 0, sizeof(*p));
	p->name = t->name;
	p->tenant_id = t->spec.tenant_id;
	p->status = tenant_status_name(t->state);
	p->state = tenant_state_name(t->state);
	p->last_error = t->last_error;
	p->pid = t->pid > 0 ? t->pid : 0;
	p->pid_start = t->pid > 0 ? t->pid_start : 0;
	p->boot_id = t->pid > 0 && M->boot_id[0] != '\0' ? M->boot_id : NULL;
	p->restarts = t->restarts;
	p->started_at = t->started_at ? clock_iso8601(t->started_at,
	    started) : NULL;
	p->last_seen_at = t->last_seen_at ? clock_iso8601(t->last_seen_at,
	    seen) : NULL;
	p->session_state = t->session_state;
}

/*
 * Write the row (and an event) in one transaction; queued events go
 * first, so history stays in order, and this tenant's history is trimmed
 * now and then.  In a caller's open transaction (group commit: master
 * load, store retry, many tenants at once) the row joins it and the event
 * is queued, for the caller to write before it commits, or to keep if it
 * fails.  While the store is degraded nothing waits for it: the event is
 * queued and the retry rewrites every row (SPEC section 7).
 */
int
tenant_save(struct tenant *t, const char *kind, const char *detail)
{
	char started[ISO8601_LEN], seen[ISO8601_LEN];
	struct store_process p;
	struct vx_err err;
	int own, trim;

	if (t->removed)
		return 0;
	if (kind != NULL)
		t->events_untrimmed++;
	own = !store_in_transaction(M->store);
	if (own && M->store_degraded) {
		if (kind != NULL)
			(void)store_queue_event(M->store, t->name, kind,
			    detail);
		return -1;
	}
	tenant_row(t, &p, started, seen);
	vx_err_clear(&err);
	if (!own) {
		if (store_put_process(M->store, &p, &err) == -1)
			return -1;	/* the caller rolls back and reports */
		if (kind != NULL)
			(void)store_queue_event(M->store, t->name, kind,
			    detail);
		return 0;
	}
	trim = t->events_untrimmed >= STORE_TRIM_EVERY(M->conf.event_keep);
	if (store_begin(M->store, &err) == -1 ||
	    store_put_process(M->store, &p, &err) == -1 ||
	    (kind != NULL && (store_write_queued(M->store, &err) == -1 ||
	    store_add_event(M->store, t->name, kind, detail, &err) == -1)) ||
	    (trim && store_trim_events(M->store, t->name,
	    M->conf.event_keep, &err) == -1) ||
	    store_commit(M->store, &err) == -1) {
		store_rollback(M->store);
		log_error("%s: unable to record state %s: %s", t->name,
		    tenant_state_name(t->state), err.msg);
		if (kind != NULL)
			(void)store_queue_event(M->store, t->name, kind,
			    detail);
		master_store_failed();
		return -1;
	}
	if (trim)
		t->events_untrimmed = 0;
	return 0;
}

/* The one writer of tenant state (STYLE rule 3). */
void
tenant_set_state(struct tenant *t, enum tstate s, const char *last_error)
{
	char esc[1024];
	enum tstate old = t->state;

	t->state = s;
	if (s != TS_RUNNING)
		ev_timer_stop(M->loop, &t->cycle_timer);
	if (old == TS_STARTING && s != TS_STARTING) {
		nstarting--;
		master_changed();	/* a start slot is free */
	} else if (s == TS_STARTING && old != TS_STARTING)
		nstarting++;
	if (last_error != NULL) {
		free(t->last_error);
		t->last_error = strdup(last_error);
	}
	if (s == TS_RUNNING && old != TS_RUNNING)
		t->seq_up++;
	if (s == TS_BACKOFF || s == TS_FATAL)
		t->seq_fail++;
	if (s == TS_STOPPED || s == TS_EXITED || s == TS_FATAL)
		t->seq_down++;
	(void)tenant_save(t, tenant_state_name(s), last_error);
	if (last_error != NULL)
		log_info("%s: %s: %s", t->name, tenant_state_name(s),
		    log_escape(esc, sizeof(esc), last_error,
		    strlen(last_error)));
	else if (t->pid > 0 && (s == TS_STARTING || s == TS_RUNNING))
		log_info("%s: %s (pid %d)", t->name, tenant_state_name(s),
		    (int)t->pid);
	else
		log_info("%s: %s", t->name, tenant_state_name(s));
	master_changed();
}

/*
 * Persist desired state, then set it: it survives master restarts with no
 * save step, and an operator's change that cannot be recorded changes
 * nothing (SPEC section 7).  Inside the caller's transaction if one is
 * open; then the caller undoes memory if that transaction fails.
 */
int
tenant_set_desired(struct tenant *t, enum desired d)
{
	struct vx_err err;
	const char *v;

	if (t->desired == d)
		return 0;
	v = d == DESIRED_STARTED ? "started" :
	    d == DESIRED_STOPPED ? "stopped" : NULL;
	vx_err_clear(&err);
	if (store_set_desired(M->store, t->name, v, &err) == -1) {
		log_error("%s: unable to record desired state: %s", t->name,
		    err.msg);
		return -1;
	}
	t->desired = d;
	return 0;
}

/* Whether the tenant should run when the master starts. */
int
tenant_wants_up(const struct tenant *t)
{
	if (t->desired == DESIRED_NONE)
		return t->spec.autostart && t->state != TS_FATAL &&
		    t->state != TS_EXITED;
	return t->desired == DESIRED_STARTED && t->state != TS_FATAL &&
	    t->state != TS_EXITED;
}

/* Whether a worker process exists (or is being started or stopped). */
int
tenant_is_active(const struct tenant *t)
{
	return t->pid > 0;
}

/* The tenant's one timer: back-off, retry, stop, start or watchdog. */
void
tenant_timer(struct tenant *t, enum timer_kind kind, double after)
{
	ev_timer_stop(M->loop, &t->timer);
	t->timer_kind = kind;
	if (kind == TIMER_NONE)
		return;
	ev_timer_set(&t->timer, after, 0.);
	ev_timer_start(M->loop, &t->timer);
}

static void
tenant_drain(struct tenant *t, int fd, enum logcap_stream s)
{
	char buf[65536];
	ssize_t n;
	int rounds = 0;

	/* Bounded: a group member may still be writing. */
	while (fd != -1 && rounds++ < 64) {
		n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			logcap_feed(&t->logcap, s, buf, (size_t)n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		break;
	}
}

static void
tenant_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tenant *t;
	enum logcap_stream s;
	char buf[65536];
	ssize_t n;
	int *fdp;

	if (w->data == (void *)LOGCAP_OUT) {
		t = container_of(w, struct tenant, out_w);
		s = LOGCAP_OUT;
		fdp = &t->fds.out;
	} else {
		t = container_of(w, struct tenant, err_w);
		s = LOGCAP_ERR;
		fdp = &t->fds.err;
	}
	n = read(w->fd, buf, sizeof(buf));
	if (n > 0) {
		logcap_feed(&t->logcap, s, buf, (size_t)n);
		return;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	/* EOF or error: the worker closed its end. */
	ev_io_stop(loop, w);
	close(*fdp);
	*fdp = -1;
}

static void
tenant_notify_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tenant *t = container_of(w, struct tenant, notify_w);
	char buf[8192];
	ssize_t n;

	n = read(w->fd, buf, sizeof(buf));
	if (n > 0) {
		heartbeat_feed(t, buf, (size_t)n);
		return;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	ev_io_stop(loop, w);
	close(t->fds.notify);
	t->fds.notify = -1;
}

/* The worker counts as started: now or at READY=1 (notify tenants). */
static void
tenant_exec_ok(struct tenant *t)
{
	if (t->spec.notify == NOTIFY_NONE)
		tenant_event(t, TE_READY, 0, NULL);
	else
		tenant_timer(t, TIMER_START, t->spec.start_timeout_s);
}

/*
 * Why this start failed before the command ran, or NULL to clear.  Kept on
 * the heap: most tenants never have one, and 1000 of them should not carry
 * half a megabyte of empty buffers.
 */
static void
tenant_spawn_error(struct tenant *t, const char *why)
{
	static char nomem[] = "cannot start: out of memory";

	if (t->spawn_error != nomem)
		free(t->spawn_error);
	t->spawn_error = NULL;
	if (why != NULL && (t->spawn_error = strdup(why)) == NULL)
		t->spawn_error = nomem;
}

/* Read the shim's status pipe: a report, or EOF (exec succeeded). */
static int
tenant_read_status(struct tenant *t)
{
	char why[512];
	struct shim_report r;
	ssize_t n;

	do {
		n = read(t->fds.status, &r, sizeof(r));
	} while (n == -1 && errno == EINTR);
	if (n == -1 && errno == EAGAIN)
		return 0;
	ev_io_stop(M->loop, &t->status_w);
	close(t->fds.status);
	t->fds.status = -1;
	if (n == (ssize_t)sizeof(r)) {
		spawn_report_text(&t->spec, r.stage, r.error, why,
		    sizeof(why));
		tenant_spawn_error(t, why);
		t->spawn_errno = r.error;
		return 1;
	}
	if (n != 0)	/* a short report cannot come from our shim */
		tenant_spawn_error(t,
		    "worker shim failed (short status report)");
	return 1;
}

/*
 * Has the exec succeeded?  The notify pipe may be read before the status
 * pipe's EOF in one loop iteration, so READY=1 checks here first.
 */
int
tenant_exec_confirmed(struct tenant *t)
{
	if (t->fds.status != -1 && tenant_read_status(t) == 0)
		return 0;
	return t->spawn_error == NULL;
}

static void
tenant_status_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tenant *t = container_of(w, struct tenant, status_w);

	if (tenant_read_status(t) == 1 && t->spawn_error == NULL &&
	    t->state == TS_STARTING)
		tenant_exec_ok(t);
}

static void
tenant_watch(struct tenant *t)
{
	ev_io_init(&t->out_w, tenant_io_cb, t->fds.out, EV_READ);
	t->out_w.data = (void *)LOGCAP_OUT;
	ev_io_init(&t->err_w, tenant_io_cb, t->fds.err, EV_READ);
	t->err_w.data = (void *)LOGCAP_ERR;
	ev_io_init(&t->notify_w, tenant_notify_cb, t->fds.notify, EV_READ);
	ev_io_init(&t->status_w, tenant_status_cb, t->fds.status, EV_READ);
	ev_io_start(M->loop, &t->out_w);
	ev_io_start(M->loop, &t->err_w);
	ev_io_start(M->loop, &t->notify_w);
	ev_io_start(M->loop, &t->status_w);
}

static void tenant_policy(struct tenant *, int ws, const char *cause);

/* A fatal tenant is tried again after retry_after_s, spread by 20 %. */
void
tenant_arm_retry(struct tenant *t)
{
	uint32_t ms;

	if (t->spec.restart.retry_after_s <= 0)
		return;
	ms = restart_jitter((uint32_t)t->spec.restart.retry_after_s * 1000u,
	    arc4random());
	tenant_timer(t, TIMER_RETRY, ms / 1000.);
}

/*
 * Planned restarts (restart.cron, restart.max_age_s): the earlier of the
 * two, plus the tenant's own offset within a minute, so that a fleet with
 * one schedule does not restart in one instant.  Armed at READY, dropped
 * when the tenant leaves running.
 */
static void
tenant_cycle_arm(struct tenant *t)
{
	double after = -1, a, spread = restart_spread_ms(t->name) / 1000.;
	time_t now = time(NULL), next;
	uint64_t mono = clock_mono_ms(), due;

	ev_timer_stop(M->loop, &t->cycle_timer);
	if (t->spec.restart.cron != NULL &&
	    cron_next(&t->spec.restart.sched, now, &next) == 0)
		after = (double)(next - now) + spread;
	if (t->spec.restart.max_age_s > 0) {
		due = t->started_mono + (uint64_t)t->spec.restart.max_age_s *
		    1000u;
		a = due > mono ? (double)(due - mono) / 1000. : 0.;
		/* A short age gets a spread of a tenth of it, not a minute. */
		a += spread * (t->spec.restart.max_age_s >= 600 ? 1. :
		    t->spec.restart.max_age_s / 600.);
		if (after < 0 || a < after)
			after = a;
	}
	if (after < 0)
		return;
	ev_timer_set(&t->cycle_timer, after, 0.);
	ev_timer_start(M->loop, &t->cycle_timer);
}

static void
tenant_cycle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct tenant *t = container_of(w, struct tenant, cycle_timer);
	uint64_t age_ms = clock_mono_ms() - t->started_mono;
	char why[CRON_MAX_LEN + 32];

	if (t->state != TS_RUNNING)
		return;
	if (t->spec.restart.max_age_s > 0 &&
	    age_ms >= (uint64_t)t->spec.restart.max_age_s * 1000u)
		snprintf(why, sizeof(why), "max_age_s %d reached",
		    t->spec.restart.max_age_s);
	else if (t->spec.restart.cron != NULL)
		snprintf(why, sizeof(why), "cron %s", t->spec.restart.cron);
	else
		return;
	log_info("%s: planned restart: %s", t->name, why);
	tenant_event(t, TE_CYCLE, 0, why);
}

/* The start queue (SPEC section 5, "Start pacing"): FIFO, intrusive. */
static struct tenant	*queue_head, **queue_tailp = &queue_head;

static void
queue_put(struct tenant *t)
{
	if (t->q_prevp != NULL)
		return;
	t->q_next = NULL;
	t->q_prevp = queue_tailp;
	*queue_tailp = t;
	queue_tailp = &t->q_next;
}

static void
queue_del(struct tenant *t)
{
	if (t->q_prevp == NULL)
		return;
	if (t->q_next != NULL)
		t->q_next->q_prevp = t->q_prevp;
	else
		queue_tailp = t->q_prevp;
	*t->q_prevp = t->q_next;
	t->q_next = NULL;
	t->q_prevp = NULL;
}

/* Tenants in state starting now. */
int
tenant_starting_count(void)
{
	return nstarting;
}

static int
queue_limit(void)
{
	return M->conf.start_concurrency > 0 ? M->conf.start_concurrency : 2;
}

/* Give free start slots to queued tenants, oldest first. */
void
tenant_queue_kick(void)
{
	struct tenant *t;

	while (queue_head != NULL && nstarting < queue_limit() &&
	    !M->shutting_down) {
		t = queue_head;
		queue_del(t);
		tenant_event(t, TE_SLOT, 0, NULL);
	}
}

/*
 * A failed spawn: a cause the tenant cannot outgrow by itself goes fatal
 * (no restart storm, STYLE rule 5), re-armed by retry_after_s (review M9);
 * a transient one (no memory, too many processes) counts as a crash.
 */
static void
tenant_spawn_failed(struct tenant *t)
{
	switch (t->spawn_errno) {
	case EAGAIN:
	case ENOMEM:
	case EIO:
	case EMFILE:
	case ENFILE:
	case EINTR:
		tenant_policy(t, -1, t->spawn_error);
		return;
	}
	tenant_set_state(t, TS_FATAL, t->spawn_error);
	tenant_arm_retry(t);
}

/* Fork the shim; a spawn failure counts as a failed run. */
static void
tenant_spawn(struct tenant *t)
{
	char cgdir[PATH_MAX], why[512];
	struct vx_err err;
	pid_t pid, worker;

	queue_del(t);
	tenant_timer(t, TIMER_NONE, 0);
	if (M->shutting_down) {		/* never a new worker (review H3) */
		tenant_set_state(t, TS_STOPPED, NULL);
		return;
	}
	vx_err_clear(&err);
	tenant_spawn_error(t, NULL);
	t->spawn_errno = 0;
	t->ready = 0;
	notify_split_reset(&t->nsplit);
	t->reloading = 0;
	t->errno_value = 0;
	t->main_pid = 0;
	free(t->stop_reason);
	t->stop_reason = NULL;
	free(t->status_text);
	t->status_text = NULL;
	free(t->session_state);		/* unknown until the new run says */
	t->session_state = NULL;
	logcap_reset_tail(&t->logcap);
	logcap_configure(&t->logcap, t->spec.logs.max_size_bytes,
	    t->spec.logs.keep);
	t->started_mono = clock_mono_ms();
	t->started_at = 0;
	if (spawn_refused(&t->spec, why, sizeof(why))) {
		tenant_spawn_error(t, why);
		tenant_spawn_failed(t);
		return;
	}
	pid = spawn_worker(&t->spec, M->shim_path, &M->nofile_default,
	    cgroup_prepare(t->name, &t->cg, t->spec.limits.memory_max_bytes,
	    t->spec.limits.nproc, cgdir, sizeof(cgdir)) == 0 ? cgdir : NULL,
	    &t->fds, &worker, &err);
	if (pid < 0) {
		if (pid == -1) {	/* ours (pipes, fork): transient */
			log_error("%s: %s", t->name, err.msg);
			t->spawn_errno = EAGAIN;
		}
		tenant_spawn_error(t, err.msg);
		tenant_spawn_failed(t);
		return;
	}
	t->child_pid = pid;
	t->pid = worker;
	t->pid_start = procfs_start_time(worker);
	t->started_at = time(NULL);
	pidtab_put_tenant(t);
	tenant_watch(t);
	tenant_set_state(t, TS_STARTING, NULL);
}

/*
 * Every process of the tenant hears sig (SPEC section 5): its reaper sends
 * it down the whole tree, whatever session each process is in; without a
 * reaper the tenant has a cgroup, which daemons that left the group with
 * setsid cannot leave.
 */
void
tenant_signal_all(struct tenant *t, int sig)
{
	if (t->child_pid > 0 && t->child_pid != t->pid) {
		if (spawn_reaper_signal(t->child_pid, 1, sig) == -1)
			log_warn("%s: unable to signal reaper %d: %s",
			    t->name, (int)t->child_pid, strerror(errno));
		return;
	}
	if (spawn_killpg(t->pid, sig) == -1 && errno != ESRCH)
		log_warn("%s: unable to signal process group %d: %s",
		    t->name, (int)t->pid, strerror(errno));
	cgroup_signal(t->name, sig, t->pid);
}

/*
 * SIGKILL every process of the tenant.  After the exit (child_pid 0) a
 * reaper has killed everything already, and the group id of a reaped
 * leader may name someone else now (review L5): only the cgroup, and a
 * worker whose reaper was killed, checked by its start time.
 */
void
tenant_kill_all(struct tenant *t)
{
	if (t->child_pid > 0 && t->child_pid != t->pid) {
		(void)spawn_reaper_signal(t->child_pid, 1, SIGKILL);
		return;
	}
	if (t->child_pid > 0)
		(void)spawn_killpg(t->pid, SIGKILL);
	else if (t->pid > 0 && proctree_signal(t->pid, t->pid_start,
	    SIGKILL) == 1)
		log_error("%s: worker %d outlived its reaper, killed it",
		    t->name, (int)t->pid);
	cgroup_kill(t->name);
}

/*
 * The actions of the transition table.  Each one does the work and sets
 * the next state; ev holds what the event carries (wait status, reason).
 */
struct tev {
	int		 ws;
	const char	*reason;
};

typedef void tenant_action(struct tenant *, const struct tev *);

static void
act_nop(struct tenant *t, const struct tev *ev)
{
}

static void
act_spawn(struct tenant *t, const struct tev *ev)
{
	tenant_spawn(t);
}

static void
act_queue(struct tenant *t, const struct tev *ev)
{
	tenant_timer(t, TIMER_NONE, 0);
	if (M->shutting_down) {
		tenant_set_state(t, TS_STOPPED, NULL);
		return;
	}
	queue_put(t);
	tenant_set_state(t, TS_QUEUED, NULL);
}

/* At rest (no process): cancel timers and the queue, stay down. */
static void
act_down(struct tenant *t, const struct tev *ev)
{
	tenant_timer(t, TIMER_NONE, 0);
	queue_del(t);
	if (t->state != TS_STOPPED)
		tenant_set_state(t, TS_STOPPED, NULL);
}

/* Fatal stays fatal at shutdown (the next master re-arms its retry). */
static void
act_disarm(struct tenant *t, const struct tev *ev)
{
	tenant_timer(t, TIMER_NONE, 0);
}

/* Send the stop signal to every process; SIGKILL after stop.timeout_s. */
static void
tenant_term(struct tenant *t, enum tstate next)
{
	int sig = t->spec.stop.signal;

	heartbeat_disarm(t);
	tenant_signal_all(t, sig);
	if (sig != SIGKILL && sig != SIGCONT)
		tenant_signal_all(t, SIGCONT);
	tenant_timer(t, TIMER_STOP, t->spec.stop.timeout_s);
	tenant_set_state(t, next, NULL);
}

static void
act_stop(struct tenant *t, const struct tev *ev)
{
	tenant_term(t, TS_STOPPING);
}

static void
act_stop_restart(struct tenant *t, const struct tev *ev)
{
	tenant_term(t, TS_STOPPING_RESTART);
}

static void
act_stop_cycle(struct tenant *t, const struct tev *ev)
{
	if (ev->reason != NULL)
		(void)tenant_save(t, "cycle", ev->reason);
	tenant_term(t, TS_STOPPING_CYCLE);
}

static void
act_stop_fail(struct tenant *t, const struct tev *ev)
{
	free(t->stop_reason);
	t->stop_reason = ev->reason != NULL ? strdup(ev->reason) : NULL;
	tenant_term(t, TS_STOPPING_FAIL);
}

/* Already signalled: only what follows the exit changes. */
static void
act_retarget(struct tenant *t, enum tstate next)
{
	if (next != TS_STOPPING_FAIL) {
		free(t->stop_reason);
		t->stop_reason = NULL;
	}
	tenant_set_state(t, next, NULL);
}

static void
act_to_stopping(struct tenant *t, const struct tev *ev)
{
	act_retarget(t, TS_STOPPING);
}

static void
act_to_restart(struct tenant *t, const struct tev *ev)
{
	act_retarget(t, TS_STOPPING_RESTART);
}

static void
act_to_cycle(struct tenant *t, const struct tev *ev)
{
	act_retarget(t, TS_STOPPING_CYCLE);
}

static void
act_kill(struct tenant *t, const struct tev *ev)
{
	log_warn("%s: still running %d s after %s, sending SIGKILL", t->name,
	    t->spec.stop.timeout_s, sig_name(t->spec.stop.signal));
	tenant_kill_all(t);
}

static void
act_ready(struct tenant *t, const struct tev *ev)
{
	t->ready = 1;
	tenant_timer(t, TIMER_NONE, 0);
	tenant_set_state(t, TS_RUNNING, NULL);
	heartbeat_arm(t);
	tenant_cycle_arm(t);
}

static void
act_start_timeout(struct tenant *t, const struct tev *ev)
{
	char why[128];

	snprintf(why, sizeof(why), "not ready after %d s",
	    t->spec.start_timeout_s);
	act_stop_fail(t, &(struct tev){ .reason = why });
}

static void
act_retry(struct tenant *t, const struct tev *ev)
{
	log_info("%s: retry_after_s passed, starting again", t->name);
	restart_reset(&t->rs);
	act_queue(t, ev);
}

/* An exit nobody asked for: the restart policy decides. */
static void
act_exited(struct tenant *t, const struct tev *ev)
{
	if (t->spawn_error != NULL) {
		tenant_spawn_failed(t);
		return;
	}
	tenant_policy(t, ev->ws, ev->reason);
}

static void
act_exited_down(struct tenant *t, const struct tev *ev)
{
	tenant_set_state(t, TS_STOPPED, NULL);
}

static void
act_exited_restart(struct tenant *t, const struct tev *ev)
{
	tenant_set_state(t, TS_STOPPED, NULL);
	tenant_spawn(t);
}

static void
act_exited_fail(struct tenant *t, const struct tev *ev)
{
	tenant_policy(t, ev->ws, t->stop_reason != NULL ? t->stop_reason :
	    ev->reason);
}

static void
act_exited_cycle(struct tenant *t, const struct tev *ev)
{
	act_queue(t, ev);
}

static void
act_bug(struct tenant *t, const struct tev *ev)
{
	log_error("%s: can't happen: event in state %s", t->name,
	    tenant_state_name(t->state));
}

/* The function that carries out each action of the transition table. */
static tenant_action *const action_fns[TA_NACTIONS] = {
	[TA_NOP] = act_nop,
	[TA_BUG] = act_bug,
	[TA_SPAWN] = act_spawn,
	[TA_QUEUE] = act_queue,
	[TA_DOWN] = act_down,
	[TA_DISARM] = act_disarm,
	[TA_STOP] = act_stop,
	[TA_STOP_RESTART] = act_stop_restart,
	[TA_STOP_CYCLE] = act_stop_cycle,
	[TA_STOP_FAIL] = act_stop_fail,
	[TA_TO_STOPPING] = act_to_stopping,
	[TA_TO_RESTART] = act_to_restart,
	[TA_TO_CYCLE] = act_to_cycle,
	[TA_KILL] = act_kill,
	[TA_READY] = act_ready,
	[TA_START_TIMEOUT] = act_start_timeout,
	[TA_RETRY] = act_retry,
	[TA_EXITED] = act_exited,
	[TA_EXITED_DOWN] = act_exited_down,
	[TA_EXITED_RESTART] = act_exited_restart,
	[TA_EXITED_FAIL] = act_exited_fail,
	[TA_EXITED_CYCLE] = act_exited_cycle,
};

/* Feed one event to the transition table. */
void
tenant_event(struct tenant *t, enum tevent e, int ws, const char *reason)
{
	struct tev ev = { .ws = ws, .reason = reason };

	const struct transition *tr = transition_get(t->state, e);

	if (tr == NULL) {
		log_error("%s: can't happen: event %d in state %d", t->name,
		    (int)e, (int)t->state);
		return;
	}
	action_fns[tr->action](t, &ev);
}

static void
tenant_start_reset(struct tenant *t)
{
	tenant_set_desired(t, DESIRED_STARTED);
	t->restarts = 0;
	restart_reset(&t->rs);
	if (t->last_error != NULL) {
		free(t->last_error);
		t->last_error = NULL;
		(void)tenant_save(t, "cleared", "operator start");
	}
}

/* Operator start resets the count and the error; the master's does not. */
void
tenant_start(struct tenant *t, int operator)
{
	if (operator)
		tenant_start_reset(t);
	tenant_event(t, operator ? TE_START : TE_WANT, 0, NULL);
}

/* Operator start of many tenants: the same resets, through the queue. */
void
tenant_start_paced(struct tenant *t)
{
	tenant_start_reset(t);
	tenant_event(t, tenant_is_active(t) || t->state == TS_QUEUED ?
	    TE_WANT : TE_CYCLE, 0, NULL);
}

/* Stop; reason != NULL: we stop it ourselves and the policy follows. */
void
tenant_stop(struct tenant *t, int operator, const char *reason)
{
	if (operator)
		tenant_set_desired(t, DESIRED_STOPPED);
	if (reason != NULL && !operator)
		tenant_event(t, TE_FAIL, 0, reason);
	else
		tenant_event(t, TE_STOP, 0, NULL);
}

static void
tenant_restart_reset(struct tenant *t)
{
	tenant_set_desired(t, DESIRED_STARTED);
	t->restarts = 0;
	restart_reset(&t->rs);
	free(t->last_error);
	t->last_error = NULL;
}

/* Operator restart: a fresh start, whatever the state. */
void
tenant_restart(struct tenant *t)
{
	tenant_restart_reset(t);
	tenant_event(t, TE_RESTART, 0, NULL);
}

/* Operator restart of many tenants: through the start queue. */
void
tenant_restart_paced(struct tenant *t)
{
	tenant_restart_reset(t);
	tenant_event(t, TE_CYCLE, 0, "operator restart");
}

/* The worker counts as ready (exec of a notify none worker, READY=1). */
void
tenant_ready(struct tenant *t)
{
	tenant_event(t, TE_READY, 0, NULL);
}

/* The master shuts down; desired state stays what it was. */
void
tenant_shutdown(struct tenant *t)
{
	tenant_event(t, TE_SHUTDOWN, 0, NULL);
}

/* Any internal variant of stopping. */
int
tenant_is_stopping(const struct tenant *t)
{
	return t->state == TS_STOPPING || t->state == TS_STOPPING_RESTART ||
	    t->state == TS_STOPPING_FAIL || t->state == TS_STOPPING_CYCLE;
}

static void
tenant_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct tenant *t = container_of(w, struct tenant, timer);
	enum timer_kind kind = t->timer_kind;

	ev_timer_stop(loop, w);		/* a watchdog timer repeats */
	t->timer_kind = TIMER_NONE;
	switch (kind) {
	case TIMER_BACKOFF:
		tenant_event(t, TE_BACKOFF_DUE, 0, NULL);
		break;
	case TIMER_RETRY:
		tenant_event(t, TE_RETRY_DUE, 0, NULL);
		break;
	case TIMER_STOP:
		if (t->pid > 0)
			tenant_event(t, TE_KILL_DUE, 0, NULL);
		break;
	case TIMER_START:
		if (t->pid > 0)
			tenant_event(t, TE_START_DUE, 0, NULL);
		break;
	case TIMER_WATCHDOG:
		heartbeat_expired(t);
		break;
	case TIMER_NONE:
		log_error("%s: can't happen: timer without a kind", t->name);
		break;
	}
}

/* "exited with status 1" or "killed by signal SIGKILL". */
static void
tenant_cause(int ws, char *buf, size_t len)
{
	if (WIFEXITED(ws))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(ws));
	else if (WIFSIGNALED(ws))
		snprintf(buf, len, "killed by signal %s%s",
		    sig_name(WTERMSIG(ws)), WCOREDUMP(ws) ? " (core dumped)" :
		    "");
	else
		snprintf(buf, len, "ended with wait status %d", ws);
}

/* last_error: the cause, the policy outcome, the last stderr lines. */
static void
tenant_error_text(struct tenant *t, const char *cause, const char *outcome,
    char *buf, size_t len)
{
	char tail[2048];

	logcap_tail(&t->logcap, M->conf.stderr_tail_lines, tail,
	    sizeof(tail));
	snprintf(buf, len, "%s (%s)%s%s", cause, outcome, tail[0] ? ": " : "",
	    tail);
}

static void
tenant_policy(struct tenant *t, int ws, const char *cause)
{
	struct restart_decision d;
	char outcome[128], msg[3072];
	uint64_t now = clock_mono_ms();
	int clean = ws != -1 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0 &&
	    t->stop_reason == NULL;

	if (restart_decide(&t->spec, &t->rs, clean, now - t->started_mono,
	    now, &d) == -1) {
		d.verdict = RESTART_AFTER;
		d.delay_ms = (uint32_t)t->spec.restart.backoff_max_ms;
	}
	switch (d.verdict) {
	case RESTART_AFTER:
		/* Tenants that crashed together come back spread (SPEC 5). */
		d.delay_ms = restart_jitter(d.delay_ms, arc4random());
		t->restarts++;
		snprintf(outcome, sizeof(outcome),
		    "restart %u in %d s, next in %u ms", d.recent,
		    t->spec.restart.window_s, d.delay_ms);
		tenant_error_text(t, cause, outcome, msg, sizeof(msg));
		tenant_set_state(t, TS_BACKOFF, msg);
		/* Even a zero delay goes through the loop: no recursion. */
		tenant_timer(t, TIMER_BACKOFF, d.delay_ms / 1000.);
		break;
	case RESTART_GIVE_UP:
		snprintf(outcome, sizeof(outcome),
		    "%u restarts in %d s, giving up", d.recent,
		    t->spec.restart.window_s);
		tenant_error_text(t, cause, outcome, msg, sizeof(msg));
		tenant_set_state(t, TS_FATAL, msg);
		tenant_arm_retry(t);
		break;
	case RESTART_FAILED:
		tenant_error_text(t, cause, "restart policy never", msg,
		    sizeof(msg));
		tenant_set_state(t, TS_FATAL, msg);
		break;
	case RESTART_EXITED:
		tenant_set_state(t, TS_EXITED, NULL);
		break;
	}
}

/* The worker (and with it every process of the tenant) is gone. */
void
tenant_exited(struct tenant *t, int ws)
{
	char cause[128];

	pidtab_del_tenant(t);
	t->child_pid = 0;	/* reaped */
	/*
	 * No process of the tenant survives its leader (SPEC section 5): its
	 * reaper saw to that before it exited; a cgroup is emptied here.
	 */
	tenant_kill_all(t);
	t->pid = 0;
	t->pid_start = 0;
	tenant_timer(t, TIMER_NONE, 0);
	heartbeat_disarm(t);
	if (t->fds.status != -1)
		(void)tenant_read_status(t);
	tenant_drain(t, t->fds.out, LOGCAP_OUT);
	tenant_drain(t, t->fds.err, LOGCAP_ERR);
	if (t->fds.notify != -1) {
		char buf[8192];
		ssize_t n = read(t->fds.notify, buf, sizeof(buf));

		if (n > 0)
			heartbeat_feed(t, buf, (size_t)n);
	}
	logcap_flush(&t->logcap);
	tenant_stop_watchers(t);
	spawn_close_fds(&t->fds);
	t->ready = 0;
	tenant_cause(ws, cause, sizeof(cause));
	if (t->state == TS_STOPPING)
		log_info("%s: worker %s", t->name, cause);
	tenant_event(t, TE_EXIT, ws, cause);
}

/*
 * A master that died (kill -9) may have left this tenant's worker behind.
 * It is ours only if pid and start time both match; its group is killed
 * before anything new is spawned, so there is never a second worker.
 */
void
tenant_kill_leftover(struct tenant *t, pid_t pid, long long start,
    const char *boot_id)
{
	if (pid <= 1)
		return;
	/* A pid and start time of another boot name a stranger (review M1). */
	if (boot_id == NULL || M->boot_id[0] == '\0' ||
	    strcmp(boot_id, M->boot_id) != 0) {
		log_debug("%s: worker %d was recorded in %s boot: not killed",
		    t->name, (int)pid, boot_id == NULL ? "an unknown" :
		    "another");
		return;
	}
	/*
	 * Only the process that pid and start time name, never a stale
	 * group (review M1); its reaper, if any, kills the rest and exits.
	 */
	switch (proctree_kill_leftover(pid, start, 5000)) {
	case 1:
		log_warn("%s: killed worker %d left by a previous master",
		    t->name, (int)pid);
		break;
	case -1:
		log_error("%s: worker %d left by a previous master, or its "
		    "reaper, did not die after SIGKILL", t->name, (int)pid);
		break;
	}
}

static json_t *
json_str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
json_time_or_null(time_t t)
{
	char buf[ISO8601_LEN];

	return t ? json_string(clock_iso8601(t, buf)) : json_null();
}

/* One tenant as status --json shows it (SPEC section 6). */
json_t *
tenant_to_json(const struct tenant *t)
{
	json_t *o;
	time_t now = time(NULL);

	o = json_object();
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "name", json_string(t->name));
	json_object_set_new(o, "tenant_id", json_str_or_null(t->spec.tenant_id));
	json_object_set_new(o, "status",
	    json_string(tenant_status_name(t->state)));
	json_object_set_new(o, "state", json_string(tenant_state_name(t->state)));
	json_object_set_new(o, "pid", t->pid > 0 ? json_integer(t->pid) :
	    json_null());
	json_object_set_new(o, "ready", json_boolean(t->ready));
	json_object_set_new(o, "restarts", json_integer(t->restarts));
	json_object_set_new(o, "last_error", json_str_or_null(t->last_error));
	json_object_set_new(o, "started_at", t->pid > 0 ?
	    json_time_or_null(t->started_at) : json_null());
	json_object_set_new(o, "last_seen_at",
	    json_time_or_null(t->last_seen_at));
	json_object_set_new(o, "uptime_s", t->pid > 0 && t->started_at ?
	    json_integer(now >= t->started_at ? now - t->started_at : 0) :
	    json_null());
	json_object_set_new(o, "cpu_percent", t->pid > 0 &&
	    t->cpu_percent >= 0 ? json_real(t->cpu_percent) : json_null());
	json_object_set_new(o, "rss_bytes", t->pid > 0 && t->rss_bytes >= 0 ?
	    json_integer(t->rss_bytes) : json_null());
	json_object_set_new(o, "session_state",
	    json_str_or_null(t->session_state));
	json_object_set_new(o, "status_text", json_str_or_null(t->status_text));
	json_object_set_new(o, "errno", t->errno_value > 0 ?
	    json_integer(t->errno_value) : json_null());
	json_object_set_new(o, "reloading", json_boolean(t->reloading));
	json_object_set_new(o, "main_pid", t->main_pid > 0 ?
	    json_integer(t->main_pid) : json_null());
	json_object_set_new(o, "root", json_boolean(t->root));
	json_object_set_new(o, "desired", json_string(
	    t->desired == DESIRED_STARTED ? "started" :
	    t->desired == DESIRED_STOPPED ? "stopped" :
	    t->spec.autostart ? "started" : "stopped"));
	return o;
}

/* New spec from add/apply; the running worker keeps the old one. */
int
tenant_set_spec(struct tenant *t, struct tenant_spec *spec)
{
	spec_free(&t->spec);
	t->spec = *spec;
	spec_init(spec);
	t->name = t->spec.name;
	t->root = spawn_as_root(&t->spec);
	return 0;
}

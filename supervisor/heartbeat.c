/*
 * heartbeat.c: act on the lines workers send on their notify pipe.
 *
 * Heartbeats only touch memory and the watchdog timer.  What workers report
 * (last_seen_at, SESSION=, LAST_ERROR=) reaches the store in batches, one
 * transaction per flush, and their history events are queued and limited
 * per tenant, so that no worker can make the master commit at its pace;
 * state changes are committed at once (tenant.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "heartbeat.h"
#include "log.h"
#include "master.h"
#include "notify.h"
#include "store.h"
#include "tenant.h"

#define HEARTBEAT_FLUSH_S	2.0
#define HEARTBEAT_BAD_LOG_MS	10000
#define HEARTBEAT_EVENTS	10	/* report events per tenant per flush */

static ev_timer flush_w;
static int flush_init;

static void
heartbeat_flush_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	heartbeat_flush();
}

/* Start the flush timer only when something waits: idle costs nothing. */
static void
heartbeat_dirty(struct tenant *t)
{
	t->seen_dirty = 1;
	if (!flush_init) {
		ev_init(&flush_w, heartbeat_flush_cb);
		flush_init = 1;
	}
	if (!ev_is_active(&flush_w)) {
		ev_timer_set(&flush_w, HEARTBEAT_FLUSH_S, 0.);
		ev_timer_start(M->loop, &flush_w);
	}
}

/*
 * A SESSION= or LAST_ERROR= change goes to history through the store's
 * queue, at most HEARTBEAT_EVENTS per tenant between two flushes; the
 * rest are counted, and the flush writes one event that says how many.
 */
static void
heartbeat_event(struct tenant *t, const char *kind, const char *detail)
{
	heartbeat_dirty(t);
	if (t->hb_events >= HEARTBEAT_EVENTS ||
	    store_queue_event(M->store, t->name, kind, detail) == -1) {
		t->hb_suppressed++;
		return;
	}
	t->hb_events++;
	t->events_untrimmed++;
}

/* The flush's event for what heartbeat_event() left out. */
static void
heartbeat_summary(struct tenant *t)
{
	char sum[160];

	snprintf(sum, sizeof(sum), "%lu more session or last_error "
	    "change(s) not recorded (at most %d per %.0f s)",
	    t->hb_suppressed, HEARTBEAT_EVENTS, HEARTBEAT_FLUSH_S);
	if (store_queue_event(M->store, t->name, "suppressed", sum) == 0) {
		t->hb_suppressed = 0;
		t->events_untrimmed++;
	}
}

/*
 * Batched reports: one transaction however many heartbeats, sessions and
 * errors came, with the queued events and the trims they call for.  While
 * the store is degraded nothing is tried: the retry (master.c) rewrites
 * every row, then calls this.
 */
void
heartbeat_flush(void)
{
	char seen[ISO8601_LEN];
	struct vx_err err;
	struct tenant *t;
	size_t i;

	if (flush_init)
		ev_timer_stop(M->loop, &flush_w);
	if (M->store_degraded)
		return;
	vx_err_clear(&err);
	if (store_begin(M->store, &err) == -1)
		goto fail;
	for (i = 0; i < M->ntenants; i++) {
		t = M->tenants[i];
		t->hb_events = 0;
		if (t->hb_suppressed > 0)
			heartbeat_summary(t);
		if (t->seen_dirty && store_put_seen(M->store, t->name,
		    t->last_seen_at ? clock_iso8601(t->last_seen_at, seen) :
		    NULL, t->session_state, t->last_error, &err) == -1)
			goto fail;
	}
	if (store_write_queued(M->store, &err) == -1)
		goto fail;
	for (i = 0; i < M->ntenants; i++) {
		t = M->tenants[i];
		if (t->events_untrimmed < STORE_TRIM_EVERY(M->conf.event_keep))
			continue;
		if (store_trim_events(M->store, t->name, M->conf.event_keep,
		    &err) == -1)
			goto fail;
		t->events_untrimmed = 0;
	}
	if (store_commit(M->store, &err) == -1)
		goto fail;
	for (i = 0; i < M->ntenants; i++)
		M->tenants[i]->seen_dirty = 0;
	return;
fail:
	store_rollback(M->store);
	log_error("unable to record heartbeats: %s", err.msg);
	master_store_failed();
}

static void
heartbeat_watchdog_reset(struct tenant *t)
{
	/* ev_timer_again moves the timer in place: cheapest per beat. */
	if (t->timer_kind == TIMER_WATCHDOG) {
		t->timer.repeat = t->spec.heartbeat.timeout_s;
		ev_timer_again(M->loop, &t->timer);
	}
}

/* Arm the watchdog once the worker is ready. */
void
heartbeat_arm(struct tenant *t)
{
	if (t->spec.heartbeat.timeout_s > 0 && t->state == TS_RUNNING)
		tenant_timer(t, TIMER_WATCHDOG, t->spec.heartbeat.timeout_s);
}

/* A stopping or dead worker has no watchdog. */
void
heartbeat_disarm(struct tenant *t)
{
	if (t->timer_kind == TIMER_WATCHDOG)
		tenant_timer(t, TIMER_NONE, 0);
}

/* The watchdog fired (or the worker asked for it): restart it. */
void
heartbeat_expired(struct tenant *t)
{
	char why[128];

	if (t->state != TS_RUNNING || t->pid <= 0)
		return;
	snprintf(why, sizeof(why), "no heartbeat for %d s",
	    t->spec.heartbeat.timeout_s);
	tenant_stop(t, 0, why);
}

static void
heartbeat_ready(struct tenant *t)
{
	t->reloading = 0;
	if (t->state != TS_STARTING || t->pid <= 0)
		return;
	if (!tenant_exec_confirmed(t)) {
		log_warn("%s: READY=1 before exec: ignored", t->name);
		return;
	}
	tenant_ready(t);
}

/* Worker text is stored escaped: valid UTF-8, no control characters. */
static char *
heartbeat_text(const struct notify_msg *m)
{
	char *s;

	if ((s = malloc(m->vlen * 4 + 6)) == NULL)
		return NULL;
	return log_escape(s, m->vlen * 4 + 6, m->value, m->vlen);
}

static void
heartbeat_bad(struct tenant *t)
{
	uint64_t now = clock_mono_ms();

	if (now - t->bad_logged_ms < HEARTBEAT_BAD_LOG_MS &&
	    t->bad_logged_ms != 0)
		return;
	log_warn("%s: ignored %lu malformed notify line(s)", t->name,
	    t->nsplit.bad - t->bad_reported);
	t->bad_reported = t->nsplit.bad;
	t->bad_logged_ms = now;
}

/* EXTEND_TIMEOUT_USEC: push the start or stop deadline out, never in. */
static void
heartbeat_extend(struct tenant *t, long long usec)
{
	double want = (double)usec / 1e6;

	if ((t->timer_kind != TIMER_START && t->timer_kind != TIMER_STOP) ||
	    !ev_is_active(&t->timer))
		return;
	if (ev_timer_remaining(M->loop, &t->timer) < want)
		tenant_timer(t, t->timer_kind, want);
}

/* One message from a worker, from its pipe or its NOTIFY_SOCKET. */
void
heartbeat_message(struct tenant *t, const struct notify_msg *mp)
{
	const struct notify_msg m = *mp;
	char *text;

	switch (m.key) {
	case NK_READY:
		heartbeat_ready(t);
		break;
	case NK_WATCHDOG:
		t->last_seen_at = time(NULL);
		heartbeat_dirty(t);
		heartbeat_watchdog_reset(t);
		break;
	case NK_WATCHDOG_TRIGGER:
		heartbeat_expired(t);
		break;
	case NK_STATUS:
		if ((text = heartbeat_text(&m)) != NULL) {
			free(t->status_text);
			t->status_text = text;
		}
		break;
	case NK_STOPPING:
		log_info("%s: worker says it is stopping", t->name);
		break;
	case NK_ERRNO:
		t->errno_value = (int)m.num;
		break;
	case NK_RELOADING:
		t->reloading = 1;
		break;
	case NK_MAINPID:
		t->main_pid = (pid_t)m.num;
		break;
	case NK_EXTEND_TIMEOUT_USEC:
		heartbeat_extend(t, m.num);
		break;
	case NK_BARRIER:
		break;	/* acknowledged by closing its fd (sdnotify.c) */
	case NK_SESSION:
		if ((text = heartbeat_text(&m)) == NULL)
			break;
		if (t->session_state != NULL &&
		    strcmp(t->session_state, text) == 0) {
			free(text);
			break;
		}
		free(t->session_state);
		t->session_state = text;
		heartbeat_event(t, "session", text);
		master_changed();
		break;
	case NK_LAST_ERROR:
		if ((text = heartbeat_text(&m)) == NULL)
			break;
		free(t->last_error);
		t->last_error = text;
		heartbeat_event(t, "last_error", text);
		master_changed();
		break;
	default:
		break;	/* unknown keys are ignored (SPEC section 8) */
	}
}

static void
heartbeat_line(void *arg, const char *line, size_t len)
{
	struct tenant *t = arg;
	struct notify_msg m;

	if (notify_parse(line, len, &m) == -1) {
		t->nsplit.bad++;
		heartbeat_bad(t);
		return;
	}
	heartbeat_message(t, &m);
}

/* A malformed message arrived some other way (a datagram). */
void
heartbeat_malformed(struct tenant *t)
{
	t->nsplit.bad++;
	heartbeat_bad(t);
}

/* Every read from a notify pipe: split into lines and act on each. */
void
heartbeat_feed(struct tenant *t, const char *buf, size_t n)
{
	unsigned long bad = t->nsplit.bad;

	notify_split_feed(&t->nsplit, buf, n, heartbeat_line, t);
	if (t->nsplit.bad != bad)
		heartbeat_bad(t);	/* over-long lines */
}

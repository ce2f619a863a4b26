/*
 * command.c: the control commands.  A table maps each command to the
 * privilege it needs and its handler; start, stop, restart and remove
 * answer once their tenants have settled.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "control.h"
#include "httpd.h"
#include "ctlproto.h"
#include "log.h"
#include "master.h"
#include "name.h"
#include "resource.h"
#include "spec.h"
#include "store.h"
#include "supconf.h"
#include "tenant.h"

#define HISTORY_DEFAULT	20
#define HISTORY_MAX	10000

enum wait_kind {
	WAIT_UP,		/* start, restart */
	WAIT_DOWN,		/* stop */
	WAIT_REMOVE,		/* remove, apply --prune */
	WAIT_SHUTDOWN,
};

struct wait_entry {
	struct tenant	*t;
	char		*name;
	unsigned long	 seq_up0;
	int		 done;
	int		 ok;
	int		 cancelled;	/* a removal a newer apply undid */
	char		*error;
};

struct wait {
	struct conn		*conn;
	enum wait_kind		 kind;
	struct wait_entry	*e;
	size_t			 n;
	json_t			*extra;		/* apply summary */
	struct wait		*next;
};

static struct wait *waits;

struct command {
	const char	*name;
	int		 admin;		/* needs root or the master's uid */
	void		(*fn)(struct conn *, json_t *);
	const char	*const *fields;
};

static void
command_error(struct conn *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
command_error(struct conn *c, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	size_t len;
	char *line;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	line = ctl_reply_err(code, msg, &len);
	control_reply(c, line, len);
}

static void
command_ok(struct conn *c, json_t *result)
{
	size_t len;
	char *line;

	line = ctl_reply_ok(result, &len);
	control_reply(c, line, len);
}

/* "names": [..] or "all": true, resolved to tenants; -1 after replying. */
static int
command_targets(struct conn *c, json_t *req, struct tenant ***out,
    size_t *nout)
{
	json_t *names = json_object_get(req, "names"), *v;
	struct tenant **ts;
	struct vx_err err;
	size_t i, n;

	if (json_is_true(json_object_get(req, "all"))) {
		n = M->ntenants;
		if ((ts = calloc(n + 1, sizeof(*ts))) == NULL)
			goto nomem;
		memcpy(ts, M->tenants, n * sizeof(*ts));
		*out = ts;
		*nout = n;
		return 0;
	}
	if (!json_is_array(names) || json_array_size(names) == 0) {
		command_error(c, VX_EXIT_USAGE,
		    "name required (or --all)");
		return -1;
	}
	n = json_array_size(names);
	if ((ts = calloc(n, sizeof(*ts))) == NULL)
		goto nomem;
	/*
	 * Over 0..n-1, not json_array_foreach: the loop then sets every
	 * ts[i] or returns, which the analyzer (and a reader) can see.
	 */
	for (i = 0; i < n; i++) {
		v = json_array_get(names, i);
		vx_err_clear(&err);
		if (!json_is_string(v) ||
		    name_check(json_string_value(v), &err) == -1) {
			command_error(c, VX_EXIT_USAGE, "%s", json_is_string(v)
			    ? err.msg : "names must be strings");
			free(ts);
			return -1;
		}
		if ((ts[i] = master_find(json_string_value(v))) == NULL) {
			command_error(c, VX_EXIT_NOTENANT, "%s: no such tenant",
			    json_string_value(v));
			free(ts);
			return -1;
		}
	}
	*out = ts;
	*nout = n;
	return 0;
nomem:
	command_error(c, VX_EXIT_FAIL, "%s", strerror(ENOMEM));
	return -1;
}

static struct wait *
wait_new(struct conn *c, enum wait_kind kind, struct tenant **ts, size_t n)
{
	struct wait *w;
	size_t i;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	if (n > 0 && (w->e = calloc(n, sizeof(*w->e))) == NULL) {
		free(w);
		return NULL;
	}
	w->conn = c;
	w->kind = kind;
	w->n = n;
	for (i = 0; i < n; i++) {
		w->e[i].t = ts[i];
		w->e[i].name = strdup(ts[i]->name);
		w->e[i].seq_up0 = ts[i]->seq_up;
	}
	w->next = waits;
	waits = w;
	master_changed();
	return w;
}

static void
wait_free(struct wait *w)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		free(w->e[i].name);
		free(w->e[i].error);
	}
	free(w->e);
	json_decref(w->extra);
	free(w);
}

static void
wait_unlink(struct wait *w)
{
	struct wait **pp;

	for (pp = &waits; *pp != NULL; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			return;
		}
}

static int
wait_entry_settled(enum wait_kind kind, struct wait_entry *e)
{
	struct tenant *t = e->t;

	if (t == NULL)
		return 1;
	switch (kind) {
	case WAIT_UP:
		if (t->state == TS_RUNNING || t->seq_up > e->seq_up0) {
			e->ok = 1;
			return 1;
		}
		if (t->state == TS_STARTING || tenant_is_stopping(t) ||
		    t->state == TS_QUEUED)
			return 0;
		e->ok = 0;
		e->error = strdup(M->shutting_down ?
		    "master shut down before the request completed" :
		    t->last_error != NULL ? t->last_error :
		    tenant_state_name(t->state));
		return 1;
	case WAIT_DOWN:
	case WAIT_REMOVE:
		if (tenant_is_active(t))
			return 0;
		e->ok = 1;
		return 1;
	case WAIT_SHUTDOWN:
		return 0;
	}
	return 1;
}

/*
 * Delete a stopped tenant: from the database, then from memory.  If the
 * deletion cannot be committed the tenant stays in both, stopped as its
 * committed desired state says, and -1 fails the command (SPEC 7).
 */
static int
command_remove_now(struct tenant *t)
{
	struct vx_err err;
	struct wait *w;
	size_t i;

	vx_err_clear(&err);
	if (store_begin(M->store, &err) == -1 ||
	    store_delete_tenant(M->store, t->name, &err) == -1 ||
	    store_add_event(M->store, t->name, "removed", NULL, &err) == -1 ||
	    store_commit(M->store, &err) == -1) {
		store_rollback(M->store);
		log_error("%s: unable to remove: %s", t->name, err.msg);
		return -1;
	}
	log_info("%s: removed", t->name);
	for (w = waits; w != NULL; w = w->next)
		for (i = 0; i < w->n; i++)
			if (w->e[i].t == t)
				w->e[i].t = NULL;
	t->removed = 1;
	cgroup_remove(t->name, &t->cg);
	master_unlink(t);
	tenant_free(t);
	return 0;
}

/* Why a removal did not happen: undone by an apply, or not committed. */
static const char *
command_lost_why(struct wait *w, const char *name)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->e[i].cancelled && strcmp(w->e[i].name, name) == 0)
			return "not removed: a newer spec was applied meanwhile";
	return "database busy/unwritable, not recorded: stopped, not removed";
}

/*
 * A spec arrived (apply, config push) for a tenant whose removal waits for
 * its worker to stop: the newer intent wins, the removal is undone and its
 * requester told so, instead of "updated" followed by a deletion (M4).
 */
static void
command_cancel_remove(struct tenant *t)
{
	struct wait *w;
	size_t i;

	if (!t->removing)
		return;
	t->removing = 0;
	for (w = waits; w != NULL; w = w->next)
		for (i = 0; i < w->n; i++)
			if (w->kind == WAIT_REMOVE && w->e[i].t == t) {
				w->e[i].t = NULL;
				w->e[i].cancelled = 1;
			}
	log_info("%s: removal cancelled by a newer spec", t->name);
	master_changed();
}

/* Mark the tenants of a removal, so that apply and start know of it. */
static void
command_mark_removing(struct tenant **ts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ts[i]->removing = 1;
}

static json_t *
wait_result(struct wait *w)
{
	json_t *arr = json_array(), *o;
	size_t i;

	for (i = 0; i < w->n; i++) {
		struct wait_entry *e = &w->e[i];

		o = e->t != NULL ? tenant_to_json(e->t) :
		    json_pack("{s:s}", "name", e->name);
		json_object_set_new(o, "ok", json_boolean(e->ok));
		json_object_set_new(o, "error", e->error != NULL ?
		    json_string(e->error) : json_null());
		json_array_append_new(arr, o);
	}
	return arr;
}

static int
wait_check(struct wait *w)
{
	const char *lost = NULL;
	json_t *res;
	size_t i, nlost = 0;

	if (w->kind == WAIT_SHUTDOWN)
		return 0;	/* answered by command_shutdown_done() */
	for (i = 0; i < w->n; i++) {
		if (w->e[i].done)
			continue;
		if (!wait_entry_settled(w->kind, &w->e[i]))
			return 0;
		w->e[i].done = 1;
	}
	if (w->kind == WAIT_REMOVE)
		for (i = 0; i < w->n; i++) {
			if (w->e[i].cancelled && nlost++ == 0)
				lost = w->e[i].name;
			if (w->e[i].t != NULL &&
			    command_remove_now(w->e[i].t) == -1 &&
			    nlost++ == 0)
				lost = w->e[i].name;
		}
	if (w->extra != NULL) {
		res = w->extra;
		w->extra = NULL;
	} else
		res = wait_result(w);
	wait_unlink(w);
	if (lost != NULL) {
		json_decref(res);
		if (w->conn != NULL)
			command_error(w->conn, VX_EXIT_FAIL, "%s%s: %s", lost,
			    nlost > 1 ? " and others" : "", command_lost_why(w,
			    lost));
	} else if (w->conn != NULL)
		command_ok(w->conn, res);
	else
		json_decref(res);
	wait_free(w);
	return 1;
}

/* Answer every wait whose tenants have all settled. */
void
command_settle(void)
{
	struct wait *w, *next;

	for (w = waits; w != NULL; w = next) {
		next = w->next;
		(void)wait_check(w);
	}
}

/* A client that hung up no longer needs an answer. */
void
command_conn_gone(const struct conn *c)
{
	struct wait *w, *next;

	for (w = waits; w != NULL; w = next) {
		next = w->next;
		if (w->conn != c)
			continue;
		if (w->kind == WAIT_REMOVE) {
			/* The removal still happens; nobody hears of it. */
			w->conn = NULL;
			continue;
		}
		wait_unlink(w);
		wait_free(w);
	}
}

/* The master is about to exit: answer shutdown requests now. */
void
command_shutdown_done(void)
{
	struct wait *w, *next;
	size_t len = 0;
	char *line;

	for (w = waits; w != NULL; w = next) {
		next = w->next;
		wait_unlink(w);
		if (w->conn != NULL) {
			/* A start or stop cut short by the shutdown failed. */
			line = w->kind == WAIT_SHUTDOWN ?
			    ctl_reply_ok(json_string("stopped"), &len) :
			    ctl_reply_err(VX_EXIT_FAIL, "master shut down before "
			    "the request completed", &len);
			control_reply_now(w->conn, line, len);
		}
		wait_free(w);
	}
}

/*
 * Commit the operator's desired state for every target, in one
 * transaction, before anything moves: a change that cannot be recorded
 * fails and leaves memory as it was (SPEC section 7).  -1 after replying.
 */
static int
command_desire(struct conn *c, struct tenant **ts, size_t n, enum desired d)
{
	enum desired *old;
	struct vx_err err;
	size_t i, set = 0;

	if ((old = calloc(n + 1, sizeof(*old))) == NULL) {
		command_error(c, VX_EXIT_FAIL, "%s", strerror(ENOMEM));
		return -1;
	}
	vx_err_clear(&err);
	if (store_begin(M->store, &err) == -1)
		goto fail;
	for (set = 0; set < n; set++) {
		old[set] = ts[set]->desired;
		if (tenant_set_desired(ts[set], d) == -1)
			goto fail;
	}
	if (store_commit(M->store, &err) == -1)
		goto fail;
	free(old);
	return 0;
fail:
	store_rollback(M->store);
	for (i = 0; i < set; i++)
		ts[i]->desired = old[i];
	free(old);
	command_error(c, VX_EXIT_FAIL, "%s%s: database busy/unwritable, not "
	    "recorded: %s", n > 0 ? ts[0]->name : "", n > 1 ? " and others" :
	    "", err.msg[0] != '\0' ? err.msg : "see the master's log");
	return -1;
}

static void
cmd_updown(struct conn *c, json_t *req, int op)
{
	struct tenant **ts;
	struct vx_err err;
	size_t i, n;
	int paced, batch;

	if (command_targets(c, req, &ts, &n) == -1)
		return;
	/* A removal waits for the worker to stop: no start in between (M4). */
	for (i = 0; op != 1 && i < n; i++)
		if (ts[i]->removing) {
			command_error(c, VX_EXIT_FAIL, "%s: being removed "
			    "(apply its spec to keep it)", ts[i]->name);
			free(ts);
			return;
		}
	if (command_desire(c, ts, n, op == 1 ? DESIRED_STOPPED :
	    DESIRED_STARTED) == -1) {
		free(ts);
		return;
	}
	/* Many tenants at once go through the start queue (SPEC 5). */
	paced = n > 1 || json_is_true(json_object_get(req, "all"));
	/*
	 * Group commit: the changes of state below are one transaction
	 * (with synchronous=FULL, stop --all of 1000 made 1000 commits);
	 * the reply waits for them to settle, after the commit.
	 */
	vx_err_clear(&err);
	batch = n > 1 && store_begin(M->store, &err) == 0;
	for (i = 0; i < n; i++) {
		if (op == 0 && paced)
			tenant_start_paced(ts[i]);
		else if (op == 0)
			tenant_start(ts[i], 1);
		else if (op == 1)
			tenant_stop(ts[i], 1, NULL);
		else if (paced)
			tenant_restart_paced(ts[i]);
		else
			tenant_restart(ts[i]);
	}
	if (batch && (store_write_queued(M->store, &err) == -1 ||
	    store_commit(M->store, &err) == -1)) {
		store_rollback(M->store);
		log_error("unable to record %zu tenants: %s", n, err.msg);
		master_store_failed();
	}
	if (wait_new(c, op == 1 ? WAIT_DOWN : WAIT_UP, ts, n) == NULL)
		command_error(c, VX_EXIT_FAIL, "%s", strerror(ENOMEM));
	free(ts);
}

static void
cmd_start(struct conn *c, json_t *req)
{
	cmd_updown(c, req, 0);
}

static void
cmd_stop(struct conn *c, json_t *req)
{
	cmd_updown(c, req, 1);
}

static void
cmd_restart(struct conn *c, json_t *req)
{
	cmd_updown(c, req, 2);
}

static void
cmd_list(struct conn *c, json_t *req)
{
	json_t *arr = json_array();
	size_t i;

	resource_refresh();
	for (i = 0; i < M->ntenants; i++)
		json_array_append_new(arr, tenant_to_json(M->tenants[i]));
	command_ok(c, arr);
}

static struct tenant *
command_one(struct conn *c, json_t *req)
{
	json_t *v = json_object_get(req, "name");
	struct vx_err err;
	struct tenant *t;

	vx_err_clear(&err);
	if (!json_is_string(v)) {
		command_error(c, VX_EXIT_USAGE, "name required");
		return NULL;
	}
	if (name_check(json_string_value(v), &err) == -1) {
		command_error(c, VX_EXIT_USAGE, "%s", err.msg);
		return NULL;
	}
	if ((t = master_find(json_string_value(v))) == NULL)
		command_error(c, VX_EXIT_NOTENANT, "%s: no such tenant",
		    json_string_value(v));
	return t;
}

/*
 * The tenant's spec as its owner wrote it; a reader who is not an admin
 * (CONTROL_READ=all), and the HTTP API whose answers cross the network in
 * clear text, see the names of its env variables, not their values,
 * which are where tokens live.
 */
static json_t *
command_spec_json(struct conn *c, const struct tenant *t)
{
	json_t *o = spec_to_json(&t->spec), *env, *v;
	const char *k;

	if (o == NULL || (control_peer_admin(c) && !control_peer_remote(c)))
		return o;
	env = json_object_get(o, "env");
	json_object_foreach(env, k, v)
		json_object_set_new(env, k, json_string("(hidden)"));
	return o;
}

static void
cmd_status(struct conn *c, json_t *req)
{
	struct tenant *t;
	char lerr[PATH_MAX + 128];
	json_t *o;

	if ((t = command_one(c, req)) == NULL)
		return;
	resource_refresh();
	o = tenant_to_json(t);
	json_object_set_new(o, "spec", command_spec_json(c, t));
	json_object_set_new(o, "notify_errors",
	    json_integer((json_int_t)t->nsplit.bad));
	json_object_set_new(o, "log_file", json_string(t->logcap.path));
	json_object_set_new(o, "log_dropped_bytes",
	    json_integer((json_int_t)t->logcap.dropped));
	json_object_set_new(o, "log_error", logcap_error(&t->logcap, lerr,
	    sizeof(lerr)) != NULL ? json_string(lerr) : json_null());
	command_ok(c, o);
}

static int
history_cb(void *arg, const struct store_event *ev)
{
	json_array_append_new(arg, json_pack("{s:I, s:s, s:s, s:s, s:s?}",
	    "id", (json_int_t)ev->id, "at", ev->at, "tenant", ev->tenant,
	    "kind", ev->kind, "detail", ev->detail));
	return 0;
}

static void
cmd_history(struct conn *c, json_t *req)
{
	json_t *lim = json_object_get(req, "limit"), *arr;
	struct vx_err err;
	struct tenant *t;
	json_int_t limit = HISTORY_DEFAULT;

	if (lim != NULL) {
		if (!json_is_integer(lim) || json_integer_value(lim) < 1 ||
		    json_integer_value(lim) > HISTORY_MAX) {
			command_error(c, VX_EXIT_USAGE,
			    "limit must be an integer in 1..%d", HISTORY_MAX);
			return;
		}
		limit = json_integer_value(lim);
	}
	if ((t = command_one(c, req)) == NULL)
		return;
	arr = json_array();
	vx_err_clear(&err);
	if (store_history(M->store, t->name, (int)limit, history_cb, arr,
	    &err) == -1) {
		json_decref(arr);
		command_error(c, VX_EXIT_FAIL, "%s", err.msg);
		return;
	}
	command_ok(c, arr);
}

/* Store a new or changed spec; the caller holds a transaction. */
static int
command_put_spec(struct tenant_spec *s, struct vx_err *err)
{
	char *text;
	int rc;

	if ((text = spec_to_text(s)) == NULL) {
		vx_err_set(err, VX_EXIT_FAIL, "%s", strerror(ENOMEM));
		return -1;
	}
	rc = store_put_spec(M->store, s->name, s->tenant_id, text, err);
	free(text);
	return rc;
}

static struct tenant *
command_create(struct tenant_spec *s)
{
	struct tenant *t;

	if ((t = tenant_new(s, NULL)) == NULL)
		return NULL;
	if (master_insert(t) == -1) {
		tenant_free(t);
		return NULL;
	}
	(void)tenant_save(t, "added", NULL);
	if (t->spec.autostart && !M->shutting_down)
		tenant_start(t, 0);
	return t;
}

static void
cmd_add(struct conn *c, json_t *req)
{
	struct tenant_spec s;
	struct vx_err err;
	struct tenant *t;

	vx_err_clear(&err);
	if (spec_from_json(json_object_get(req, "spec"), &s, &err) == -1) {
		command_error(c, err.code ? err.code : VX_EXIT_FAIL, "%s",
		    err.msg);
		return;
	}
	if (master_find(s.name) != NULL) {
		command_error(c, VX_EXIT_FAIL,
		    "%s: already exists (use apply to change it)", s.name);
		spec_free(&s);
		return;
	}
	if (spawn_refused(&s, err.msg, sizeof(err.msg))) {
		command_error(c, VX_EXIT_FAIL, "%s: %s", s.name, err.msg);
		spec_free(&s);
		return;
	}
	if (store_begin(M->store, &err) == -1 ||
	    command_put_spec(&s, &err) == -1 ||
	    store_commit(M->store, &err) == -1) {
		store_rollback(M->store);
		command_error(c, VX_EXIT_FAIL, "%s: %s", s.name, err.msg);
		spec_free(&s);
		return;
	}
	if ((t = command_create(&s)) == NULL) {
		spec_free(&s);
		command_error(c, VX_EXIT_FAIL, "%s", strerror(ENOMEM));
		return;
	}
	command_ok(c, tenant_to_json(t));
}

static void
cmd_remove(struct conn *c, json_t *req)
{
	struct tenant *t;

	if ((t = command_one(c, req)) == NULL)
		return;
	if (command_desire(c, &t, 1, DESIRED_STOPPED) == -1)
		return;
	tenant_stop(t, 1, NULL);
	if (wait_new(c, WAIT_REMOVE, &t, 1) == NULL)
		command_error(c, VX_EXIT_FAIL, "%s", strerror(ENOMEM));
	else
		command_mark_removing(&t, 1);
}

/* Validate every spec before changing anything: all or nothing. */
static struct tenant_spec *
apply_parse(struct conn *c, json_t *arr, size_t *np)
{
	struct tenant_spec *specs;
	struct vx_err err;
	json_t *v;
	size_t i, j, n;

	n = json_array_size(arr);
	if ((specs = calloc(n + 1, sizeof(*specs))) == NULL) {
		command_error(c, VX_EXIT_FAIL, "%s", strerror(ENOMEM));
		return NULL;
	}
	/* Not json_array_foreach: every specs[i] below n gets a name. */
	for (i = 0; i < n; i++) {
		v = json_array_get(arr, i);
		vx_err_clear(&err);
		if (spec_from_json(v, &specs[i], &err) == -1) {
			json_t *nm = json_is_object(v) ?
			    json_object_get(v, "name") : NULL;

			command_error(c, VX_EXIT_FAIL, "tenant %zu%s%s%s: %s",
			    i + 1, json_is_string(nm) ? " (" : "",
			    json_is_string(nm) ? json_string_value(nm) : "",
			    json_is_string(nm) ? ")" : "", err.msg);
			goto fail;
		}
		if (spawn_refused(&specs[i], err.msg, sizeof(err.msg))) {
			command_error(c, VX_EXIT_FAIL, "tenant %zu (%s): %s",
			    i + 1, specs[i].name, err.msg);
			i++;
			goto fail;
		}
		for (j = 0; j < i; j++)
			if (strcmp(specs[j].name, specs[i].name) == 0) {
				command_error(c, VX_EXIT_FAIL,
				    "tenant %zu (%s): duplicate name", i + 1,
				    specs[i].name);
				i++;
				goto fail;
			}
	}
	*np = n;
	return specs;
fail:
	for (j = 0; j < i; j++)
		spec_free(&specs[j]);
	free(specs);
	return NULL;
}

static int
apply_in(const struct tenant_spec *specs, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(specs[i].name, name) == 0)
			return 1;
	return 0;
}

/* Persist all changed specs in one transaction. */
static int
apply_store(struct tenant_spec *specs, size_t n, int *what,
    struct vx_err *err)
{
	struct tenant *t;
	char *a, *b;
	size_t i;

	if (store_begin(M->store, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		t = master_find(specs[i].name);
		what[i] = t == NULL ? 1 : 0;
		if (t != NULL) {
			a = spec_to_text(&t->spec);
			b = spec_to_text(&specs[i]);
			what[i] = (a == NULL || b == NULL ||
			    strcmp(a, b) != 0 || t->removing) ? 2 : 0;
			free(a);
			free(b);
		}
		if (what[i] != 0 && command_put_spec(&specs[i], err) == -1) {
			store_rollback(M->store);
			return -1;
		}
	}
	return store_commit(M->store, err);
}

static void
cmd_apply(struct conn *c, json_t *req)
{
	static const char *const verbs[] = { "unchanged", "created",
	    "updated" };
	json_t *arr = json_object_get(req, "tenants"), *summary;
	struct tenant_spec *specs;
	struct tenant **prune = NULL, *t;
	struct vx_err err;
	size_t n, i, np = 0;
	int *what;

	if (!json_is_array(arr)) {
		command_error(c, VX_EXIT_FAIL,
		    "tenants: must be an array of tenant specs");
		return;
	}
	if ((specs = apply_parse(c, arr, &n)) == NULL)
		return;
	what = calloc(n + 1, sizeof(*what));
	prune = calloc(M->ntenants + 1, sizeof(*prune));
	vx_err_clear(&err);
	if (what == NULL || prune == NULL) {
		command_error(c, VX_EXIT_FAIL, "%s", strerror(ENOMEM));
		goto out;
	}
	if (apply_store(specs, n, what, &err) == -1) {
		command_error(c, VX_EXIT_FAIL, "apply: %s", err.msg);
		goto out;
	}
	/* Pick the tenants to prune while specs[] still holds every name. */
	if (json_is_true(json_object_get(req, "prune")))
		for (i = 0; i < M->ntenants; i++)
			if (!apply_in(specs, n, M->tenants[i]->name))
				prune[np++] = M->tenants[i];
	summary = json_array();
	for (i = 0; i < n; i++) {
		json_array_append_new(summary, json_pack("{s:s, s:s}", "name",
		    specs[i].name, "result", verbs[what[i]]));
		if (what[i] == 1)
			(void)command_create(&specs[i]);
		else if (what[i] == 2) {
			t = master_find(specs[i].name);
			command_cancel_remove(t);
			tenant_set_spec(t, &specs[i]);
			(void)tenant_save(t, "updated", NULL);
		}
	}
	for (i = 0; i < np; i++) {
		json_array_append_new(summary, json_pack("{s:s, s:s}", "name",
		    prune[i]->name, "result", "removed"));
		tenant_stop(prune[i], 1, NULL);
	}
	if (np > 0) {
		struct wait *w = wait_new(c, WAIT_REMOVE, prune, np);

		if (w != NULL) {
			w->extra = summary;
			command_mark_removing(prune, np);
		} else
			json_decref(summary);
	} else
		command_ok(c, summary);
out:
	for (i = 0; i < n; i++)
		spec_free(&specs[i]);
	free(specs);
	free(what);
	free(prune);
}

static void
cmd_export(struct conn *c, json_t *req)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < M->ntenants; i++)
		json_array_append_new(arr, spec_to_json(&M->tenants[i]->spec));
	command_ok(c, arr);
}

/* SIGHUP and the reload command: new settings, re-opened log files. */
int
command_reload(struct vx_err *err)
{
	struct supconf conf;
	size_t i;

	if (supconf_load(M->paths.supervisor_conf, &conf, err) == -1)
		return -1;
	M->conf = conf;
	log_set_level((enum log_level)conf.log_level);
	for (i = 0; i < M->ntenants; i++)
		logcap_close(&M->tenants[i]->logcap);
	log_info("reloaded %s", M->paths.supervisor_conf);
	control_set_access();
	httpd_reload();
	return 0;
}

static void
cmd_reload(struct conn *c, json_t *req)
{
	struct vx_err err;

	vx_err_clear(&err);
	if (command_reload(&err) == -1) {
		command_error(c, VX_EXIT_FAIL, "%s", err.msg);
		return;
	}
	command_ok(c, json_string("reloaded"));
}

static void
cmd_shutdown(struct conn *c, json_t *req)
{
	if (wait_new(c, WAIT_SHUTDOWN, NULL, 0) == NULL) {
		command_error(c, VX_EXIT_FAIL, "%s", strerror(ENOMEM));
		return;
	}
	master_shutdown("shutdown command");
}

static void
cmd_ping(struct conn *c, json_t *req)
{
	command_ok(c, json_pack("{s:s, s:I, s:I, s:I, s:b}", "version",
	    VECTIS_VERSION, "pid", (json_int_t)getpid(), "tenants",
	    (json_int_t)M->ntenants, "store_commits",
	    (json_int_t)store_commits(M->store), "store_degraded",
	    M->store_degraded));
}

static const char *const f_targets[] = { "v", "cmd", "names", "all", NULL };
static const char *const f_none[] = { "v", "cmd", NULL };
static const char *const f_name[] = { "v", "cmd", "name", NULL };
static const char *const f_history[] = { "v", "cmd", "name", "limit", NULL };
static const char *const f_add[] = { "v", "cmd", "spec", NULL };
static const char *const f_apply[] = { "v", "cmd", "tenants", "prune", NULL };

static const struct command commands[] = {
	{ "start", 1, cmd_start, f_targets },
	{ "stop", 1, cmd_stop, f_targets },
	{ "restart", 1, cmd_restart, f_targets },
	{ "list", 0, cmd_list, f_none },
	{ "status", 0, cmd_status, f_name },
	{ "history", 0, cmd_history, f_history },
	{ "add", 1, cmd_add, f_add },
	{ "remove", 1, cmd_remove, f_name },
	{ "apply", 1, cmd_apply, f_apply },
	{ "export", 1, cmd_export, f_none },
	{ "reload", 1, cmd_reload, f_none },
	{ "shutdown", 1, cmd_shutdown, f_none },
	{ "ping", 0, cmd_ping, f_none },
};

/* Look up the command, check fields and privilege, run the handler. */
void
command_dispatch(struct conn *c, json_t *req)
{
	const char *name = json_string_value(json_object_get(req, "cmd"));
	struct vx_err err;
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		command_error(c, VX_EXIT_USAGE, "unknown command '%.32s'",
		    name);
		return;
	}
	vx_err_clear(&err);
	if (ctl_check_fields(req, commands[i].fields, &err) == -1) {
		command_error(c, VX_EXIT_USAGE, "%s: %s", name, err.msg);
		return;
	}
	if (commands[i].admin && !control_peer_admin(c)) {
		command_error(c, VX_EXIT_PERM, "%s: permission denied", name);
		return;
	}
	if (M->shutting_down && strcmp(name, "shutdown") != 0 &&
	    commands[i].admin) {
		command_error(c, VX_EXIT_FAIL, "master is shutting down");
		return;
	}
	commands[i].fn(c, req);
}

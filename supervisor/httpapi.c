/*
 * httpapi.c: the HTTP API's routes.  Every route but /healthz (and
 * /metrics with METRICS_OPEN=1) needs the dashboard's signature; a signed
 * POST is accepted once.  Tenant routes run the control commands through
 * an in-process client, so HTTP and CLI share one command table and one
 * JSON.  Auth failures all get the same 401 body and a log line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "clock.h"
#include "control.h"
#include "ctlproto.h"
#include "httpapi.h"
#include "httpd.h"
#include "log.h"
#include "master.h"
#include "metrics.h"
#include "name.h"
#include "nodestats.h"
#include "replay.h"
#include "secret.h"
#include "sigauth.h"
#include "spawn.h"
#include "spec.h"
#include "workerconf.h"

#define JSON_TYPE	"application/json"
#define METRICS_TYPE	"text/plain; version=0.0.4"
#define UNAUTHORIZED	"{\"error\":\"unauthorized\"}"
#define AUTH_LOG_MS	10000		/* one auth-failure line per 10 s */

enum route {
	R_NONE,
	R_HEALTHZ,
	R_METRICS,
	R_SYNC,
	R_TENANTS,
	R_TENANT,
	R_TENANT_ACTION,
};

/* One request waiting for the command it became. */
struct pending {
	unsigned long	 gen;
	uint32_t	 id;
	int		 sync;		/* POST /sync with a config push */
	long long	 version;	/* its config_version */
	long long	 overtaken;	/* newer CONFIG_VERSION found, or -1 */
	struct pending	*next, *prev;	/* pushes being applied */
};

/* Config pushes dispatched and not yet answered. */
static struct pending *pushes;

static int metrics_open;
static struct {
	char		hex[SECRET_HEX];
	int		have;
	struct stat	st;
} key;
static uint64_t auth_logged_ms;
static unsigned long auth_failures;

/* See httpapi.h. */
void
httpapi_configure(const struct workerconf *wc)
{
	metrics_open = wc->metrics_open;
}

static void
reply(unsigned long gen, uint32_t id, unsigned int status, const char *ctype,
    const char *allow, const char *body, size_t len)
{
	metrics_http(status);
	httpd_reply(gen, id, status, ctype, allow, body, len);
}

static void
reply_json(unsigned long gen, uint32_t id, unsigned int status, json_t *o)
{
	char *s;

	if (o == NULL || (s = json_dumps(o, JSON_COMPACT |
	    JSON_REAL_PRECISION(6))) == NULL) {
		json_decref(o);
		reply(gen, id, 500, JSON_TYPE, NULL,
		    "{\"error\":\"out of memory\"}", 25);
		return;
	}
	reply(gen, id, status, JSON_TYPE, NULL, s, strlen(s));
	free(s);
	json_decref(o);
}

static void
reply_error(unsigned long gen, uint32_t id, unsigned int status,
    const char *msg)
{
	reply_json(gen, id, status, json_pack("{s:s}", "error", msg));
}

/* worker.secret, re-read only when the file changed. */
static const char *
httpapi_key(void)
{
	struct vx_err err;
	struct stat st;

	if (stat(M->paths.worker_secret, &st) == -1) {
		key.have = 0;
		return NULL;
	}
	if (key.have && st.st_ino == key.st.st_ino &&
	    st.st_size == key.st.st_size &&
	    st.st_mtim.tv_sec == key.st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == key.st.st_mtim.tv_nsec)
		return key.hex;
	vx_err_clear(&err);
	if (secret_load(M->paths.worker_secret, key.hex, &err) == -1) {
		key.have = 0;
		log_warn("http: %s", err.msg);
		return NULL;
	}
	key.have = 1;
	key.st = st;
	return key.hex;
}

static void
httpapi_auth_failed(enum sigauth_result r, const struct lsn_request *q)
{
	uint64_t now = clock_mono_ms();
	char target[128];

	auth_failures++;
	if (auth_logged_ms != 0 && now - auth_logged_ms < AUTH_LOG_MS)
		return;
	log_escape(target, sizeof(target), q->target,
	    q->targetlen > 80 ? 80 : q->targetlen);
	log_warn("http: refused %.*s %s: %s (%lu refused so far)",
	    (int)q->methodlen, q->method, target, sigauth_reason(r),
	    auth_failures);
	auth_logged_ms = now;
}

/* 1 when the request is signed, fresh and (for a POST) new. */
static int
httpapi_authorized(const struct lsn_request *q)
{
	unsigned char mac[SIGAUTH_MAC_LEN];
	struct sigauth_req sr;
	enum sigauth_result r;
	const char *k = httpapi_key();
	time_t now = time(NULL);
	char ts[32];
	int seen;

	memset(&sr, 0, sizeof(sr));
	sr.ts = q->ts;
	sr.tslen = q->tslen;
	sr.auth = q->auth;
	sr.authlen = q->authlen;
	sr.method = q->method;
	sr.methodlen = q->methodlen;
	sr.target = q->target;
	sr.targetlen = q->targetlen;
	sr.body = q->body;
	sr.bodylen = q->bodylen;
	r = sigauth_check(k, k != NULL ? strlen(k) : 0, &sr, now, mac);
	if (r != SIGAUTH_OK) {
		httpapi_auth_failed(r, q);
		return 0;
	}
	if (q->methodlen == 3 && memcmp(q->method, "GET", 3) == 0)
		return 1;
	/* Once ts is out of the window the time check refuses it anyway. */
	memcpy(ts, q->ts, q->tslen);	/* checked: at most 18 digits */
	ts[q->tslen] = '\0';
	seen = replay_check(mac, (time_t)strtoll(ts, NULL, 10) +
	    SIGAUTH_WINDOW_S + 1, now);
	if (seen != 0) {
		log_warn("http: refused %.*s: %s", (int)q->methodlen,
		    q->method, seen == 1 ? "replayed signature" :
		    "replay table full");
		return 0;
	}
	return 1;
}

/*
 * Split the path (query dropped) into a route; name receives NAME of
 * /v1/tenants/NAME[/ACTION] and action the ACTION.
 */
static enum route
httpapi_route(const struct lsn_request *q, char *name, size_t namesz,
    char *action, size_t actsz)
{
	const char *p = q->target, *end, *slash;
	size_t len;

	end = memchr(p, '?', q->targetlen);
	len = end != NULL ? (size_t)(end - p) : q->targetlen;
	name[0] = action[0] = '\0';
#define IS(s) (len == sizeof(s) - 1 && memcmp(p, s, len) == 0)
	if (IS("/healthz"))
		return R_HEALTHZ;
	if (IS("/metrics"))
		return R_METRICS;
	if (IS("/sync"))
		return R_SYNC;
	if (IS("/v1/tenants") || IS("/v1/tenants/"))
		return R_TENANTS;
#undef IS
	if (len <= 12 || memcmp(p, "/v1/tenants/", 12) != 0)
		return R_NONE;
	p += 12;
	len -= 12;
	slash = memchr(p, '/', len);
	if (slash == NULL) {
		if (len >= namesz)
			return R_NONE;
		memcpy(name, p, len);
		name[len] = '\0';
		return R_TENANT;
	}
	if ((size_t)(slash - p) >= namesz ||
	    len - (size_t)(slash - p) - 1 >= actsz)
		return R_NONE;
	memcpy(name, p, (size_t)(slash - p));
	name[slash - p] = '\0';
	memcpy(action, slash + 1, len - (size_t)(slash - p) - 1);
	action[len - (size_t)(slash - p) - 1] = '\0';
	return R_TENANT_ACTION;
}

static unsigned int
httpapi_status_of(int code)
{
	switch (code) {
	case VX_EXIT_USAGE:
		return 400;
	case VX_EXIT_NOTENANT:
		return 404;
	case VX_EXIT_PERM:
		return 403;
	case VX_EXIT_NOMASTER:
		return 503;
	}
	return 409;
}

/* A control error line {"ok": false, "code", "error"} as an HTTP error. */
static void
httpapi_reply_ctl_error(const struct pending *pd, const char *line,
    size_t len)
{
	json_t *o = json_loadb(line, len, 0, NULL);
	const char *msg = json_string_value(json_object_get(o, "error"));
	int code = (int)json_integer_value(json_object_get(o, "code"));

	/* A refused config push is the dashboard's bad request. */
	reply_error(pd->gen, pd->id, pd->sync && code == VX_EXIT_FAIL ? 400 :
	    httpapi_status_of(code), msg != NULL ? msg : "command failed");
	json_decref(o);
}

static void
httpapi_push_link(struct pending *pd)
{
	pd->prev = NULL;
	pd->next = pushes;
	if (pushes != NULL)
		pushes->prev = pd;
	pushes = pd;
}

static void
httpapi_push_unlink(struct pending *pd)
{
	if (pd->prev != NULL)
		pd->prev->next = pd->next;
	else if (pushes == pd)
		pushes = pd->next;
	if (pd->next != NULL)
		pd->next->prev = pd->prev;
	pd->next = pd->prev = NULL;
}

/* The newest config_version being applied now, or -1. */
static long long
httpapi_push_newest(void)
{
	struct pending *pd;
	long long v = -1;

	for (pd = pushes; pd != NULL; pd = pd->next)
		if (pd->version > v)
			v = pd->version;
	return v;
}

/*
 * CONFIG_VERSION only ever rises.  Checked again here, under the lock, at
 * completion: a newer version recorded meanwhile is kept and this push is
 * reported as overtaken, never written over it.
 */
static int
httpapi_set_version(struct workerconf *wc, void *arg, struct vx_err *err)
{
	struct pending *pd = arg;
	char v[32];

	if ((long long)wc->config_version > pd->version) {
		pd->overtaken = (long long)wc->config_version;
		return 1;
	}
	snprintf(v, sizeof(v), "%lld", pd->version);
	if (workerconf_set(wc, "CONFIG_VERSION", v, err) == -1)
		return -1;
	if ((long long)wc->announced_version < pd->version &&
	    workerconf_set(wc, "ANNOUNCED_CONFIG_VERSION", v, err) == -1)
		return -1;
	return 0;
}

static void
httpapi_sync_answer(const struct pending *pd, json_t *applied,
    long long version, int outdated)
{
	json_t *o;

	o = json_pack("{s:s, s:s, s:o, s:I, s:b}", "status", "online",
	    "version", VECTIS_VERSION, "stats", nodestats_json(),
	    "config_version", (json_int_t)version, "outdated", outdated);
	if (o != NULL && applied != NULL)
		json_object_set(o, "applied", applied);
	reply_json(pd->gen, pd->id, 200, o);
}

/* A config push was applied: record its version, then answer. */
static void
httpapi_sync_applied(struct pending *pd, const char *res, size_t reslen)
{
	struct workerconf wc;
	struct vx_err err;
	json_t *applied;
	char msg[160];

	vx_err_clear(&err);
	pd->overtaken = -1;
	if (workerconf_update(M->paths.worker_conf, httpapi_set_version,
	    pd, &wc, &err) == -1) {
		log_error("http: config %lld applied but not recorded: %s",
		    pd->version, err.msg);
		reply_error(pd->gen, pd->id, 500, "applied, but worker.conf "
		    "could not be written");
		return;
	}
	if (pd->overtaken != -1) {
		log_warn("http: dashboard config version %lld applied, but "
		    "%lld was recorded meanwhile; CONFIG_VERSION stays %lld",
		    pd->version, pd->overtaken, pd->overtaken);
		snprintf(msg, sizeof(msg), "config_version %lld was overtaken "
		    "by %lld while it was applied; push the newest again",
		    pd->version, pd->overtaken);
		reply_error(pd->gen, pd->id, 409, msg);
		workerconf_free(&wc);
		return;
	}
	log_info("http: dashboard config version %lld applied",
	    pd->version);
	applied = json_loadb(res, reslen, 0, NULL);
	httpapi_sync_answer(pd, applied, (long long)wc.config_version,
	    wc.status == WC_OUTDATED);
	json_decref(applied);
	workerconf_free(&wc);
}

/* The in-process control client's reply arrives here. */
static void
httpapi_done(void *arg, char *line, size_t len)
{
	struct pending *pd = arg;
	const char *res;
	size_t reslen;

	if (pd->sync)
		httpapi_push_unlink(pd);
	if (line == NULL)
		reply_error(pd->gen, pd->id, 503, "master is shutting down");
	else if (!ctl_reply_result(line, len, &res, &reslen))
		httpapi_reply_ctl_error(pd, line, len);
	else if (pd->sync)
		httpapi_sync_applied(pd, res, reslen);
	else
		reply(pd->gen, pd->id, 200, JSON_TYPE, NULL, res, reslen);
	free(line);
	free(pd);
}

static void
httpapi_command(unsigned long gen, const struct lsn_request *q, json_t *req,
    int sync, long long version)
{
	struct pending *pd;

	if (req == NULL || (pd = calloc(1, sizeof(*pd))) == NULL) {
		json_decref(req);
		reply_error(gen, q->id, 500, strerror(ENOMEM));
		return;
	}
	pd->gen = gen;
	pd->id = q->id;
	pd->sync = sync;
	pd->version = version;
	if (sync)
		httpapi_push_link(pd);
	control_run(req, httpapi_done, pd);
	json_decref(req);
}

static int
httpapi_announce(struct workerconf *wc, void *arg, struct vx_err *err)
{
	long long v = *(long long *)arg;
	char s[32];
	int to;

	if ((long long)wc->announced_version >= v)
		return 1;
	snprintf(s, sizeof(s), "%lld", v);
	if (workerconf_set(wc, "ANNOUNCED_CONFIG_VERSION", s, err) == -1)
		return -1;
	if (v > (long long)wc->config_version &&
	    (to = workerconf_transition(wc->status, WC_EV_CHANGED)) != -1 &&
	    workerconf_set(wc, "SYNC_STATUS",
	    workerconf_status_name((enum wc_status)to), err) == -1)
		return -1;
	return 0;
}

/* POST /sync without tenants: a health check, maybe an announcement. */
static void
httpapi_sync_health(unsigned long gen, const struct lsn_request *q,
    long long announced)
{
	struct pending pd = { gen, q->id, 0, 0, -1, NULL, NULL };
	struct workerconf wc;
	struct vx_err err;
	int rc;

	vx_err_clear(&err);
	if (announced >= 0)
		rc = workerconf_update(M->paths.worker_conf, httpapi_announce,
		    &announced, &wc, &err);
	else
		rc = workerconf_load(M->paths.worker_conf, &wc, &err);
	if (rc == -1) {
		log_error("http: %s", err.msg);
		reply_error(gen, q->id, 500, "worker.conf unreadable");
		return;
	}
	if (announced > (long long)wc.config_version)
		log_info("http: dashboard announced config version %lld "
		    "(applied: %llu)", announced,
		    (unsigned long long)wc.config_version);
	httpapi_sync_answer(&pd, NULL, (long long)wc.config_version,
	    wc.status == WC_OUTDATED);
	workerconf_free(&wc);
}

static const char *const sync_fields[] = { "config_version", "tenants",
    NULL };

/*
 * HTTP_ROOT_TENANTS=no (supervisor.conf): a push may not bring a tenant
 * that runs as root, since whoever holds worker.secret would be root on
 * the node.  1 with msg filled when one does.  Specs that do not parse
 * are left to apply, which says what is wrong with them.
 */
static int
httpapi_root_refused(const json_t *tenants, char *msg, size_t sz)
{
	struct tenant_spec s;
	struct vx_err err;
	char why[256];
	json_t *v;
	size_t i;
	int root;

	json_array_foreach(tenants, i, v) {
		vx_err_clear(&err);
		spec_init(&s);
		if (spec_from_json(v, &s, &err) == -1)
			continue;
		root = !spawn_refused(&s, why, sizeof(why)) &&
		    spawn_as_root(&s);
		if (root)
			snprintf(msg, sz, "tenant %s would run as root, which "
			    "this node refuses from the network "
			    "(HTTP_ROOT_TENANTS in supervisor.conf)", s.name);
		spec_free(&s);
		if (root)
			return 1;
	}
	return 0;
}

static void
httpapi_sync(unsigned long gen, const struct lsn_request *q)
{
	json_t *body = NULL, *tenants, *cv, *req;
	struct workerconf wc;
	struct vx_err err;
	json_error_t jerr;
	long long version = -1, newest;
	char msg[600];

	vx_err_clear(&err);
	if (q->bodylen > 0 && ((body = json_loadb(q->body, q->bodylen,
	    JSON_REJECT_DUPLICATES, &jerr)) == NULL || !json_is_object(body) ||
	    ctl_check_fields(body, sync_fields, &err) == -1)) {
		snprintf(msg, sizeof(msg), "body: %s", body == NULL ?
		    jerr.text : err.msg[0] ? err.msg : "not a JSON object");
		json_decref(body);
		reply_error(gen, q->id, 400, msg);
		return;
	}
	cv = json_object_get(body, "config_version");
	tenants = json_object_get(body, "tenants");
	if (cv != NULL && (!json_is_integer(cv) ||
	    json_integer_value(cv) < 0)) {
		json_decref(body);
		reply_error(gen, q->id, 400,
		    "config_version: must be a non-negative integer");
		return;
	}
	if (cv != NULL)
		version = json_integer_value(cv);
	if (tenants == NULL) {
		json_decref(body);
		httpapi_sync_health(gen, q, version);
		return;
	}
	if (cv == NULL || !json_is_array(tenants)) {
		json_decref(body);
		reply_error(gen, q->id, 400, cv == NULL ? "tenants: needs "
		    "config_version" : "tenants: must be an array");
		return;
	}
	if (workerconf_load(M->paths.worker_conf, &wc, &err) == -1) {
		json_decref(body);
		log_error("http: %s", err.msg);
		reply_error(gen, q->id, 500, "worker.conf unreadable");
		return;
	}
	/*
	 * Pushes are applied in the order they arrive, and the last one's
	 * specs stay: an older version than one already being applied would
	 * replace newer specs, so it is refused like an older applied one.
	 */
	newest = httpapi_push_newest();
	if (version < (long long)wc.config_version || version < newest) {
		if (version < newest)
			snprintf(msg, sizeof(msg), "config_version %lld is "
			    "older than %lld, being applied", version, newest);
		else
			snprintf(msg, sizeof(msg), "config_version %lld is "
			    "older than the applied %llu", version,
			    (unsigned long long)wc.config_version);
		workerconf_free(&wc);
		json_decref(body);
		reply_error(gen, q->id, 409, msg);
		return;
	}
	workerconf_free(&wc);
	if (!M->conf.http_root_tenants &&
	    httpapi_root_refused(tenants, msg, sizeof(msg))) {
		json_decref(body);
		log_warn("http: config push %lld refused: %s", version, msg);
		reply_error(gen, q->id, 403, msg);
		return;
	}
	req = ctl_request_new("apply");
	if (req != NULL) {
		json_object_set(req, "tenants", tenants);
		json_object_set_new(req, "prune", json_true());
	}
	json_decref(body);
	httpapi_command(gen, q, req, 1, version);
}

static void
httpapi_tenant(unsigned long gen, const struct lsn_request *q,
    enum route r, const char *name, const char *action)
{
	struct vx_err err;
	json_t *req;

	vx_err_clear(&err);
	if (r == R_TENANTS) {
		httpapi_command(gen, q, ctl_request_new("list"), 0, 0);
		return;
	}
	if (name_check(name, &err) == -1) {
		reply_error(gen, q->id, 404, "no such tenant");
		return;
	}
	if (r == R_TENANT) {
		req = ctl_request_new("status");
		if (req != NULL)
			json_object_set_new(req, "name", json_string(name));
	} else {
		req = ctl_request_new(action);
		if (req != NULL)
			json_object_set_new(req, "names",
			    json_pack("[s]", name));
	}
	httpapi_command(gen, q, req, 0, 0);
}

static void
httpapi_metrics(unsigned long gen, uint32_t id)
{
	size_t len;
	char *text;

	if ((text = metrics_text(&len)) == NULL) {
		reply_error(gen, id, 500, strerror(ENOMEM));
		return;
	}
	reply(gen, id, 200, METRICS_TYPE, NULL, text, len);
	free(text);
}

static int
method_is(const struct lsn_request *q, const char *m)
{
	return q->methodlen == strlen(m) && memcmp(q->method, m, q->methodlen)
	    == 0;
}

/* The method a route wants, or NULL for an unknown tenant action. */
static const char *
httpapi_allowed(enum route r, const char *action)
{
	switch (r) {
	case R_SYNC:
		return "POST";
	case R_TENANT_ACTION:
		if (strcmp(action, "start") != 0 &&
		    strcmp(action, "stop") != 0 &&
		    strcmp(action, "restart") != 0)
			return NULL;
		return "POST";
	default:
		return "GET";
	}
}

/* See httpapi.h. */
void
httpapi_request(unsigned long gen, const struct lsn_request *q)
{
	char name[128], action[16];
	enum route r;
	const char *want;

	r = httpapi_route(q, name, sizeof(name), action, sizeof(action));
	if (r == R_HEALTHZ) {
		if (M->store_degraded || M->shutting_down)
			reply(gen, q->id, 503, JSON_TYPE, NULL,
			    "{\"status\":\"unhealthy\"}", 22);
		else
			reply(gen, q->id, 200, JSON_TYPE, NULL,
			    "{\"status\":\"ok\"}", 15);
		return;
	}
	if (!(r == R_METRICS && metrics_open) && !httpapi_authorized(q)) {
		reply(gen, q->id, 401, JSON_TYPE, NULL, UNAUTHORIZED,
		    sizeof(UNAUTHORIZED) - 1);
		return;
	}
	if (r == R_NONE || (want = httpapi_allowed(r, action)) == NULL) {
		reply_error(gen, q->id, 404, "not found");
		return;
	}
	if (!method_is(q, want)) {
		reply(gen, q->id, 405, JSON_TYPE, want,
		    "{\"error\":\"method not allowed\"}", 30);
		return;
	}
	if (r == R_METRICS)
		httpapi_metrics(gen, q->id);
	else if (r == R_SYNC)
		httpapi_sync(gen, q);
	else
		httpapi_tenant(gen, q, r, name, action);
}

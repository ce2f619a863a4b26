/*
 * sync.c: what vectis-sync does: register the node with the dashboard and
 * record the outcome in worker.conf, or check whether a synced node has
 * become outdated (SPEC 9).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "err.h"
#include "fd.h"
#include "log.h"
#include "paths.h"
#include "register.h"
#include "register_parse.h"
#include "secret.h"
#include "sync.h"
#include "workerconf.h"

#define SYNC_PROG	"vectis-sync"

/* What a finished attempt writes into worker.conf. */
struct sync_result {
	const struct register_answer	*ans;	/* NULL: the attempt failed */
	const char			*error;
	const char			*secret_sha;
};

/* Replace every occurrence of needle in s (NUL-terminated) with "***". */
static void
sync_redact(char *s, size_t sz, const char *needle)
{
	char out[sizeof(((struct vx_err *)0)->msg)];
	size_t nlen, o = 0;
	const char *p = s, *q;

	if (needle == NULL || (nlen = strlen(needle)) == 0 ||
	    strstr(s, needle) == NULL)
		return;
	while ((q = strstr(p, needle)) != NULL && o < sizeof(out) - 1) {
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%.*s***",
		    (int)(q - p), p);
		p = q + nlen;
	}
	if (o < sizeof(out) - 1)
		snprintf(out + o, sizeof(out) - o, "%s", p);
	out[sizeof(out) - 1] = '\0';
	snprintf(s, sz, "%s", out);
	explicit_bzero(out, sizeof(out));
}

/* Settings from the environment win over worker.conf (tests, one-offs). */
static const char *
sync_setting(const struct workerconf *wc, const char *env, const char *key)
{
	const char *v = getenv(env);

	if (v != NULL && *v != '\0')
		return v;
	return workerconf_get(wc, key);
}

static void
sync_opts(const struct workerconf *wc, struct register_opts *o)
{
	o->timeout_s = wc->timeout_s;
	o->retries = wc->retries;
	o->retry_delay_ms = wc->retry_delay_ms;
}

/* The public IP for this attempt: VECTIS_PUBLIC_IP, or IP_DETECT_URL. */
static int
sync_ip(const struct workerconf *wc, const struct register_opts *o,
    char *ip, size_t ipsz, struct vx_err *err)
{
	const char *v, *url;
	char echo[128];

	if ((v = getenv("VECTIS_PUBLIC_IP")) != NULL && *v != '\0') {
		if (register_parse_ip(v, strlen(v), ip, ipsz) == -1) {
			vx_err_set(err, VX_EXIT_FAIL, "VECTIS_PUBLIC_IP='%s' "
			    "is not an IP address", log_escape(echo,
			    sizeof(echo), v, strnlen(v, 46)));
			return -1;
		}
		return 0;
	}
	url = sync_setting(wc, "VECTIS_IP_DETECT_URL", "IP_DETECT_URL");
	if (url == NULL) {
		vx_err_set(err, VX_EXIT_FAIL, "no public IP: set IP_DETECT_URL "
		    "in worker.conf or VECTIS_PUBLIC_IP");
		return -1;
	}
	return register_detect_ip(url, o, ip, ipsz, err);
}

/* DASHBOARD_URL + REGISTER_PATH, with exactly one slash between them. */
static int
sync_url(const struct workerconf *wc, char *url, size_t sz,
    struct vx_err *err)
{
	const char *base, *path, *auth;
	size_t blen;
	int n;

	base = sync_setting(wc, "VECTIS_DASHBOARD_URL", "DASHBOARD_URL");
	path = workerconf_get(wc, "REGISTER_PATH");
	if (base == NULL) {
		vx_err_set(err, VX_EXIT_FAIL, "no DASHBOARD_URL in worker.conf "
		    "(or VECTIS_DASHBOARD_URL)");
		return -1;
	}
	if (strncmp(base, "https://", 8) != 0 &&
	    strncmp(base, "http://", 7) != 0) {
		vx_err_set(err, VX_EXIT_FAIL, "DASHBOARD_URL must start with "
		    "https:// or http://");
		return -1;
	}
	/* Credentials belong in VECTIS_TOKEN, not in a file or a message. */
	auth = strstr(base, "://") + 3;
	if (memchr(auth, '@', strcspn(auth, "/?#")) != NULL) {
		vx_err_set(err, VX_EXIT_FAIL, "DASHBOARD_URL must not hold "
		    "user:password@ (the token is VECTIS_TOKEN)");
		return -1;
	}
	blen = strlen(base);
	if (blen > 0 && base[blen - 1] == '/' && path[0] == '/')
		blen--;
	n = snprintf(url, sz, "%.*s%s%s", (int)blen, base,
	    path[0] == '/' || (blen > 0 && base[blen - 1] == '/') ? "" : "/",
	    path);
	if (n < 0 || (size_t)n >= sz) {
		vx_err_set(err, VX_EXIT_FAIL, "DASHBOARD_URL too long");
		return -1;
	}
	return 0;
}

/* Apply the outcome under the lock; the status moves as SPEC 9 allows. */
static int
sync_record(struct workerconf *wc, void *arg, struct vx_err *err)
{
	const struct sync_result *r = arg;
	char ts[ISO8601_LEN];
	int next;

	next = workerconf_transition(wc->status, r->ans != NULL ?
	    WC_EV_SYNC_OK : WC_EV_SYNC_FAIL);
	if (next == -1) {
		vx_err_set(err, VX_EXIT_FAIL, "can't happen: no transition "
		    "from %s", workerconf_status_name(wc->status));
		return -1;
	}
	if (workerconf_set(wc, "SYNC_STATUS",
	    workerconf_status_name((enum wc_status)next), err) == -1)
		return -1;
	if (r->ans == NULL)
		return workerconf_set(wc, "ERROR_MESSAGE", r->error, err);
	if (workerconf_set(wc, "WORKER_ID", r->ans->id, err) == -1 ||
	    workerconf_set(wc, "SUBDOMAIN", r->ans->subdomain, err) == -1 ||
	    workerconf_set(wc, "PUBLIC_IP", r->ans->ip, err) == -1 ||
	    workerconf_set(wc, "LAST_SYNC", clock_iso8601(time(NULL), ts),
	    err) == -1 ||
	    workerconf_set(wc, "SECRET_SHA256", r->secret_sha, err) == -1 ||
	    workerconf_set(wc, "ERROR_MESSAGE", NULL, err) == -1)
		return -1;
	return 0;
}

/* The conf directory holds worker.conf, its lock and the secret. */
static int
sync_dir(const struct vx_paths *paths)
{
	if (fd_mkdirs(paths->conf_dir, 0750) == -1) {
		fprintf(stderr, "%s: unable to create directory %s: %s\n",
		    SYNC_PROG, paths->conf_dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* One registration attempt; every failure is recorded as failed. */
int
sync_register(const struct vx_paths *paths)
{
	struct register_answer ans;
	struct register_opts o;
	struct sync_result r = { NULL, NULL, NULL };
	struct workerconf wc;
	struct vx_err err, werr;
	char ip[REGISTER_IP_MAX], url[4096], secret[SECRET_HEX];
	char sha[SECRET_SHA_HEX];
	const char *token;
	int created = 0, rc = -1;

	vx_err_clear(&err);
	vx_err_clear(&werr);
	if (workerconf_load(paths->worker_conf, &wc, &err) == -1) {
		fprintf(stderr, "%s: %s\n", SYNC_PROG, err.msg);
		return SYNC_EXIT_LOCAL;
	}
	token = getenv("VECTIS_TOKEN");
	if (token == NULL || *token == '\0') {
		fprintf(stderr, "%s: VECTIS_TOKEN is not set; sync status "
		    "stays %s.\nRun VECTIS_TOKEN=xxx vectis-sync\n", SYNC_PROG,
		    workerconf_status_name(wc.status));
		workerconf_free(&wc);
		return SYNC_EXIT_NOTOKEN;
	}
	if (sync_dir(paths) == -1) {
		workerconf_free(&wc);
		return SYNC_EXIT_LOCAL;
	}
	printf("Syncing with dashboard...\n");
	(void)fflush(stdout);
	sync_opts(&wc, &o);
	secret[0] = '\0';
	if (sync_url(&wc, url, sizeof(url), &err) == 0 &&
	    sync_ip(&wc, &o, ip, sizeof(ip), &err) == 0 &&
	    secret_load_or_create(paths->worker_secret, secret, &created,
	    &err) == 0 &&
	    secret_sha256_hex(secret, strlen(secret), sha) == 0 &&
	    register_post(url, token, ip, secret, &o, &ans, &err) == 0)
		rc = 0;
	else if (err.msg[0] == '\0')
		vx_err_set(&err, VX_EXIT_FAIL, "unable to hash worker.secret");
	workerconf_free(&wc);

	/* Neither the token nor the secret reaches a file or a terminal. */
	sync_redact(err.msg, sizeof(err.msg), token);
	sync_redact(err.msg, sizeof(err.msg), secret[0] ? secret : NULL);
	explicit_bzero(secret, sizeof(secret));
	if (rc == 0) {
		r.ans = &ans;
		r.secret_sha = sha;
	} else
		r.error = err.msg;
	if (workerconf_update(paths->worker_conf, sync_record, &r, NULL,
	    &werr) == -1) {
		if (rc == -1)
			fprintf(stderr, "%s: sync failed: %s\n", SYNC_PROG,
			    err.msg);
		fprintf(stderr, "%s: %s%s\n", SYNC_PROG, rc == 0 ?
		    "registered, but " : "", werr.msg);
		return SYNC_EXIT_LOCAL;
	}
	if (rc == -1) {
		fprintf(stderr, "%s: sync failed: %s\n", SYNC_PROG, err.msg);
		return SYNC_EXIT_FAILED;
	}
	printf("\u2705 Sync successful!\n");
	printf("   Subdomain: %s\n", ans.subdomain);
	printf("   Worker ID: %s\n", ans.id);
	return SYNC_EXIT_OK;
}

/*
 * vectis-sync --check: compare the node with what it registered and mark
 * a synced node outdated; one line on stdout either way.  Quick (no
 * retries) because the master runs it periodically.
 */
int
sync_check(const struct vx_paths *paths)
{
	struct register_opts o;
	struct workerconf wc, now;
	struct vx_err err;
	char ip[REGISTER_IP_MAX], secret[SECRET_HEX], sha[SECRET_SHA_HEX];
	char why[512], note[600], echo[300];
	const char *ipp = NULL, *shap = NULL, *em, *env_ip;

	vx_err_clear(&err);
	note[0] = '\0';
	if (workerconf_load(paths->worker_conf, &wc, &err) == -1) {
		fprintf(stderr, "%s: %s\n", SYNC_PROG, err.msg);
		return SYNC_EXIT_LOCAL;
	}
	sync_opts(&wc, &o);
	o.retries = 0;
	env_ip = getenv("VECTIS_PUBLIC_IP");
	if ((env_ip != NULL && *env_ip != '\0') || sync_setting(&wc,
	    "VECTIS_IP_DETECT_URL", "IP_DETECT_URL") != NULL) {
		if (sync_ip(&wc, &o, ip, sizeof(ip), &err) == 0)
			ipp = ip;
		else
			snprintf(note, sizeof(note), " (IP not checked: %s)",
			    err.msg);
	}
	workerconf_free(&wc);
	if (secret_load(paths->worker_secret, secret, &err) == 0) {
		if (secret_sha256_hex(secret, strlen(secret), sha) == 0)
			shap = sha;
	} else if (errno == ENOENT)
		shap = "";	/* no secret differs from any registered one */
	else if (strlen(note) + 30 < sizeof(note))
		snprintf(note + strlen(note), sizeof(note) - strlen(note),
		    " (secret not checked: %s)", err.msg);
	explicit_bzero(secret, sizeof(secret));
	if (sync_dir(paths) == -1)
		return SYNC_EXIT_LOCAL;
	if (workerconf_mark_outdated(paths->worker_conf, ipp, shap, &now, why,
	    sizeof(why), &err) == -1) {
		fprintf(stderr, "%s: %s\n", SYNC_PROG, err.msg);
		return SYNC_EXIT_LOCAL;
	}
	switch (now.status) {
	case WC_PENDING:
		printf("pending: not registered; run VECTIS_TOKEN=xxx "
		    "vectis-sync%s\n", note);
		break;
	case WC_FAILED:
		em = workerconf_get(&now, "ERROR_MESSAGE");
		printf("failed: %s; run vectis-sync%s\n", em == NULL ?
		    "unknown error" : log_escape(echo, sizeof(echo), em,
		    strlen(em)), note);
		break;
	case WC_OUTDATED:
		printf("outdated: %s; run vectis-sync%s\n", why[0] ? why :
		    "marked earlier", note);
		break;
	case WC_SYNCED:
		printf("synced%s\n", note);
		break;
	}
	workerconf_free(&now);
	return SYNC_EXIT_OK;
}

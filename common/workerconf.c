/*
 * workerconf.c: worker.conf, the node's registration and sync settings,
 * with the SYNC_STATUS state machine of SPEC 9 and locked updates.
 */
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "kvconf.h"
#include "log.h"
#include "hostport.h"
#include "workerconf.h"

#define WC_LOCK_WAIT_MS	10000	/* a writer holds the lock for milliseconds */
#define WC_ECHO		80	/* bytes of a bad value echoed in an error */

enum wc_kind {
	WC_TEXT,		/* anything on one line */
	WC_UINT,		/* decimal in [min, max] */
	WC_STATUS,		/* pending|synced|failed|outdated */
	WC_LISTEN,		/* HOST:PORT or [V6]:PORT */
};

struct wc_key {
	const char	*key;
	enum wc_kind	 kind;
	uint64_t	 min, max;
	const char	*def;		/* documented default, or NULL */
};

static const struct wc_key wc_table[] = {
	{ "WORKER_ID", WC_TEXT, 0, 0, NULL },
	{ "SUBDOMAIN", WC_TEXT, 0, 0, NULL },
	{ "PUBLIC_IP", WC_TEXT, 0, 0, NULL },
	{ "SYNC_STATUS", WC_STATUS, 0, 0, "pending" },
	{ "LAST_SYNC", WC_TEXT, 0, 0, NULL },
	{ "ERROR_MESSAGE", WC_TEXT, 0, 0, NULL },
	{ "DASHBOARD_URL", WC_TEXT, 0, 0, NULL },
	{ "REGISTER_PATH", WC_TEXT, 0, 0, "/api/v1/workers" },
	{ "IP_DETECT_URL", WC_TEXT, 0, 0, NULL },
	{ "SYNC_LISTEN", WC_LISTEN, 0, 0, "0.0.0.0:3000" },
	{ "SECRET_SHA256", WC_TEXT, 0, 0, NULL },
	{ "CONFIG_VERSION", WC_UINT, 0, INT64_MAX, "0" },
	{ "ANNOUNCED_CONFIG_VERSION", WC_UINT, 0, INT64_MAX, "0" },
	{ "SYNC_TIMEOUT_S", WC_UINT, 1, 3600, "10" },
	{ "SYNC_RETRIES", WC_UINT, 0, 10, "2" },
	{ "SYNC_RETRY_DELAY_MS", WC_UINT, 0, 600000, "1000" },
	{ "METRICS_OPEN", WC_UINT, 0, 1, "0" },
	{ "SYNC_USER", WC_TEXT, 0, 0, NULL },
	{ "SYNC_CHECK_INTERVAL_S", WC_UINT, 0, 86400, "300" },
};
#define WC_NKEYS	(sizeof(wc_table) / sizeof(wc_table[0]))

const char *const workerconf_keys[] = {
	"WORKER_ID", "SUBDOMAIN", "PUBLIC_IP", "SYNC_STATUS", "LAST_SYNC",
	"ERROR_MESSAGE", "DASHBOARD_URL", "REGISTER_PATH", "IP_DETECT_URL",
	"SYNC_LISTEN", "SECRET_SHA256", "CONFIG_VERSION",
	"ANNOUNCED_CONFIG_VERSION", "SYNC_TIMEOUT_S", "SYNC_RETRIES",
	"SYNC_RETRY_DELAY_MS", "METRICS_OPEN", "SYNC_USER",
	"SYNC_CHECK_INTERVAL_S", NULL
};

static const char *const wc_status_names[] = {
	"pending", "synced", "failed", "outdated"
};
#define WC_NSTATUS	(sizeof(wc_status_names) / sizeof(wc_status_names[0]))

/*
 * SPEC 9 as a [state][event] table; -1 is a forbidden transition.  A
 * failed retry of a failed node and a re-sync of a synced node keep the
 * status (and refresh ERROR_MESSAGE or LAST_SYNC); a change noticed on an
 * outdated node keeps it outdated.  Nothing ever goes back to pending.
 */
static const int wc_next[WC_NSTATUS][3] = {
	/*		SYNC_OK		SYNC_FAIL	CHANGED */
	[WC_PENDING] =	{ WC_SYNCED,	WC_FAILED,	-1 },
	[WC_SYNCED] =	{ WC_SYNCED,	WC_FAILED,	WC_OUTDATED },
	[WC_FAILED] =	{ WC_SYNCED,	WC_FAILED,	-1 },
	[WC_OUTDATED] =	{ WC_SYNCED,	WC_FAILED,	WC_OUTDATED },
};

static const struct wc_key *
wc_lookup(const char *key)
{
	size_t i;

	for (i = 0; i < WC_NKEYS; i++) {
		if (strcmp(wc_table[i].key, key) == 0)
			return &wc_table[i];
	}
	return NULL;
}

/* Strict decimal: digits only, no sign, no overflow. */
static int
wc_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* Check one value and store what it means in the typed fields. */
static int
wc_apply(struct workerconf *wc, const struct wc_key *k, const char *value,
    const char *file, int line, struct vx_err *err)
{
	char echo[WC_ECHO * 4 + 8], where[300];
	struct sockaddr_storage ss;
	socklen_t sslen;
	const char *v = value;
	uint64_t n = 0;
	int st;

	if (line > 0)
		snprintf(where, sizeof(where), "%s:%d", file, line);
	else
		snprintf(where, sizeof(where), "%s", file);
	if (v == NULL || *v == '\0')
		v = k->def;
	if (v == NULL)
		return 0;
	log_escape(echo, sizeof(echo), v, strnlen(v, WC_ECHO));
	switch (k->kind) {
	case WC_TEXT:
		return 0;
	case WC_STATUS:
		if ((st = workerconf_status_parse(v)) == -1) {
			vx_err_set(err, VX_EXIT_FAIL, "%s: %s: unknown status "
			    "'%s' (pending, synced, failed or outdated)",
			    where, k->key, echo);
			return -1;
		}
		wc->status = (enum wc_status)st;
		return 0;
	case WC_LISTEN:
		/* The master binds exactly what hostport_parse() accepts. */
		if (hostport_parse(v, &ss, &sslen, err) == -1) {
			vx_err_set(err, VX_EXIT_FAIL, "%s: %s: expected "
			    "IP:PORT, [IPV6]:PORT, PORT or off, got '%s'",
			    where, k->key, echo);
			return -1;
		}
		return 0;
	case WC_UINT:
		if (wc_parse_uint(v, k->max, &n) == -1 || n < k->min) {
			vx_err_set(err, VX_EXIT_FAIL, "%s: %s: expected a "
			    "number from %" PRIu64 " to %" PRIu64 ", got '%s'",
			    where, k->key, k->min, k->max, echo);
			return -1;
		}
		break;
	}
	if (strcmp(k->key, "SYNC_TIMEOUT_S") == 0)
		wc->timeout_s = (unsigned int)n;
	else if (strcmp(k->key, "SYNC_RETRIES") == 0)
		wc->retries = (unsigned int)n;
	else if (strcmp(k->key, "SYNC_RETRY_DELAY_MS") == 0)
		wc->retry_delay_ms = (unsigned int)n;
	else if (strcmp(k->key, "SYNC_CHECK_INTERVAL_S") == 0)
		wc->check_interval_s = (unsigned int)n;
	else if (strcmp(k->key, "METRICS_OPEN") == 0)
		wc->metrics_open = (int)n;
	else if (strcmp(k->key, "CONFIG_VERSION") == 0)
		wc->config_version = n;
	else if (strcmp(k->key, "ANNOUNCED_CONFIG_VERSION") == 0)
		wc->announced_version = n;
	return 0;
}

/* Derive every typed field from kv (defaults for keys not set). */
static int
wc_derive(struct workerconf *wc, const char *file, struct vx_err *err)
{
	const char *v;
	size_t i;
	int line;

	for (i = 0; i < WC_NKEYS; i++) {
		v = kvconf_get(&wc->kv, wc_table[i].key);
		line = 0;
		if (v != NULL) {
			size_t j;

			for (j = 0; j < wc->kv.n; j++) {
				if (strcmp(wc->kv.v[j].key,
				    wc_table[i].key) == 0)
					line = wc->kv.v[j].line;
			}
		}
		if (wc_apply(wc, &wc_table[i], v, file, line, err) == -1)
			return -1;
	}
	return 0;
}

/* The sync tools and the master read the node's settings through here. */
int
workerconf_load(const char *path, struct workerconf *wc, struct vx_err *err)
{
	memset(wc, 0, sizeof(*wc));
	if (kvconf_load(path, workerconf_keys, &wc->kv, err) == -1)
		return -1;
	if (wc_derive(wc, path, err) == -1) {
		workerconf_free(wc);
		return -1;
	}
	return 0;
}

/* Release the keys; the struct may be loaded again. */
void
workerconf_free(struct workerconf *wc)
{
	kvconf_free(&wc->kv);
}

/* Readers want the effective value: an empty value counts as unset. */
const char *
workerconf_get(const struct workerconf *wc, const char *key)
{
	const struct wc_key *k;
	const char *v;

	v = kvconf_get(&wc->kv, key);
	if (v != NULL && *v != '\0')
		return v;
	if ((k = wc_lookup(key)) == NULL)
		return NULL;
	return k->def;
}

/* Writers change keys through here so a bad value never reaches the file. */
int
workerconf_set(struct workerconf *wc, const char *key, const char *value,
    struct vx_err *err)
{
	const struct wc_key *k;

	if ((k = wc_lookup(key)) == NULL) {
		vx_err_set(err, VX_EXIT_FAIL, "worker.conf: unknown key '%s'",
		    key);
		return -1;
	}
	if (value != NULL && (strchr(value, '\n') != NULL ||
	    strchr(value, '\r') != NULL)) {
		vx_err_set(err, VX_EXIT_FAIL, "worker.conf: %s: newline in "
		    "value", key);
		return -1;
	}
	/* NULL or "" falls back to the default, as on load. */
	if (wc_apply(wc, k, value, "worker.conf", 0, err) == -1)
		return -1;
	if (kvconf_set(&wc->kv, key, value) == -1) {
		vx_err_set(err, VX_EXIT_FAIL, "worker.conf: %s: %s", key,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Take an exclusive flock on path.lock, waiting at most WC_LOCK_WAIT_MS:
 * holders only read and rewrite a small file, so a longer wait means a
 * stuck process and an error is better than hanging the master.
 */
static int
wc_lock(const char *path, struct vx_err *err)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	char lock[4096];
	int fd, n, waited = 0;

	n = snprintf(lock, sizeof(lock), "%s.lock", path);
	if (n < 0 || (size_t)n >= sizeof(lock)) {
		vx_err_set(err, VX_EXIT_FAIL, "%s: path too long", path);
		return -1;
	}
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
	    0600);
	if (fd == -1) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to open %s: %s", lock,
		    strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			vx_err_set(err, VX_EXIT_FAIL, "unable to lock %s: %s",
			    lock, strerror(errno));
			close(fd);
			return -1;
		}
		if (waited >= WC_LOCK_WAIT_MS) {
			vx_err_set(err, VX_EXIT_FAIL, "unable to lock %s: held "
			    "by another process for %d s", lock,
			    WC_LOCK_WAIT_MS / 1000);
			close(fd);
			return -1;
		}
		nanosleep(&ts, NULL);
		waited += 10;
	}
	return fd;
}

/* The master and vectis-sync both write worker.conf; neither loses keys. */
int
workerconf_update(const char *path, workerconf_fn fn, void *arg,
    struct workerconf *out, struct vx_err *err)
{
	struct workerconf wc;
	int lfd, rc;

	if ((lfd = wc_lock(path, err)) == -1)
		return -1;
	if (workerconf_load(path, &wc, err) == -1) {
		close(lfd);
		return -1;
	}
	rc = fn(&wc, arg, err);
	if (rc == 0 && kvconf_save(&wc.kv, path, 0600, err) == -1)
		rc = -1;
	close(lfd);
	if (rc == -1) {
		workerconf_free(&wc);
		return -1;
	}
	if (out != NULL)
		*out = wc;
	else
		workerconf_free(&wc);
	return 0;
}

/* SPEC 9 transitions in one place, so no writer can invent another. */
int
workerconf_transition(enum wc_status from, enum wc_event ev)
{
	if ((unsigned int)from >= WC_NSTATUS || (unsigned int)ev > 2)
		return -1;
	return wc_next[from][ev];
}

/* The spelling of a status in worker.conf and in every output. */
const char *
workerconf_status_name(enum wc_status st)
{
	if ((unsigned int)st >= WC_NSTATUS)
		return "unknown";
	return wc_status_names[st];
}

/* Map the file's spelling back to the status. */
int
workerconf_status_parse(const char *s)
{
	size_t i;

	for (i = 0; i < WC_NSTATUS; i++) {
		if (strcmp(s, wc_status_names[i]) == 0)
			return (int)i;
	}
	return -1;
}

/*
 * The outdated rule of SPEC 9, without I/O so that vectis-sync --check
 * and the master agree: each input is compared only when both sides are
 * known (a worker.conf from before SECRET_SHA256 is not "changed").
 */
int
workerconf_differs(const struct workerconf *wc, const char *ip,
    const char *secret_sha256, char *why, size_t whysz)
{
	const char *reg_ip, *reg_sha;
	char a[64], b[64];

	reg_ip = workerconf_get(wc, "PUBLIC_IP");
	reg_sha = workerconf_get(wc, "SECRET_SHA256");
	if (ip != NULL && reg_ip != NULL && strcmp(ip, reg_ip) != 0) {
		snprintf(why, whysz, "public IP changed from %s to %s",
		    log_escape(a, sizeof(a), reg_ip, strlen(reg_ip)),
		    log_escape(b, sizeof(b), ip, strlen(ip)));
		return 1;
	}
	if (secret_sha256 != NULL && reg_sha != NULL &&
	    strcmp(secret_sha256, reg_sha) != 0) {
		snprintf(why, whysz, "worker.secret changed since it was "
		    "registered");
		return 1;
	}
	if (wc->announced_version > wc->config_version) {
		snprintf(why, whysz, "dashboard announced config version "
		    "%" PRIu64 ", node applied %" PRIu64,
		    wc->announced_version, wc->config_version);
		return 1;
	}
	return 0;
}

struct wc_mark {
	const char	*ip;
	const char	*sha;
	char		*why;
	size_t		 whysz;
};

static int
wc_mark_fn(struct workerconf *wc, void *arg, struct vx_err *err)
{
	struct wc_mark *m = arg;
	int next;

	if (!workerconf_differs(wc, m->ip, m->sha, m->why, m->whysz))
		return 1;
	next = workerconf_transition(wc->status, WC_EV_CHANGED);
	if (next == -1 || next == (int)wc->status)
		return 1;	/* pending and failed stay what they are */
	return workerconf_set(wc, "SYNC_STATUS",
	    workerconf_status_name((enum wc_status)next), err);
}

/* Periodic check of a synced node (vectis-sync --check, the master). */
int
workerconf_mark_outdated(const char *path, const char *ip,
    const char *secret_sha256, struct workerconf *now, char *why,
    size_t whysz, struct vx_err *err)
{
	struct wc_mark m = { ip, secret_sha256, why, whysz };

	if (whysz > 0)
		why[0] = '\0';
	return workerconf_update(path, wc_mark_fn, &m, now, err);
}

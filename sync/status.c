/*
 * status.c: vectis-status, the node's registration as worker.conf records
 * it and whether the master answers on its control socket.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "ctlclient.h"
#include "ctlproto.h"
#include "err.h"
#include "log.h"
#include "paths.h"
#include "workerconf.h"

#define STATUS_PING_MS	2000	/* a master that takes longer is not up */

/* The keys shown, in the seed's order: {label, key, json name}. */
static const struct {
	const char	*label;
	const char	*key;
	const char	*json;
} status_rows[] = {
	{ "Worker ID:", "WORKER_ID", "worker_id" },
	{ "Subdomain:", "SUBDOMAIN", "subdomain" },
	{ "Public IP:", "PUBLIC_IP", "public_ip" },
	{ "Sync Status:", "SYNC_STATUS", "sync_status" },
	{ "Last Sync:", "LAST_SYNC", "last_sync" },
};
#define STATUS_NROWS	(sizeof(status_rows) / sizeof(status_rows[0]))

static void
status_usage(FILE *f)
{
	fprintf(f, "usage: vectis-status [--home DIR] [--json]\n");
}

/* Service is Running only if the master answers a ping in time. */
static int
status_master_up(const struct vx_paths *paths)
{
	json_t *req, *rep;
	int stage, up;

	if ((req = ctl_request_new("ping")) == NULL)
		return 0;
	rep = ctlclient_request(paths, req, 0, STATUS_PING_MS, &stage);
	up = rep != NULL && json_is_true(json_object_get(rep, "ok"));
	json_decref(rep);
	return up;
}

static int
status_json(const struct workerconf *wc, int up)
{
	const char *v;
	json_t *o;
	size_t i;

	if ((o = json_object()) == NULL)
		return 1;
	for (i = 0; i < STATUS_NROWS; i++) {
		v = workerconf_get(wc, status_rows[i].key);
		json_object_set_new(o, status_rows[i].json,
		    v ? json_string(v) : json_null());
	}
	v = workerconf_get(wc, "ERROR_MESSAGE");
	json_object_set_new(o, "error_message", v != NULL &&
	    wc->status == WC_FAILED ? json_string(v) : json_null());
	json_object_set_new(o, "service", json_string(up ? "running" :
	    "stopped"));
	if (json_dumpf(o, stdout, JSON_INDENT(2)) == -1) {
		json_decref(o);
		return 1;
	}
	putchar('\n');
	json_decref(o);
	return 0;
}

/* One aligned line, "-" for an unset value, untrusted bytes escaped. */
static void
status_line(const char *label, const char *v)
{
	char buf[1024];

	printf("%-14s%s\n", label, v == NULL ? "-" :
	    log_escape(buf, sizeof(buf), v, strlen(v)));
}

int
main(int argc, char **argv)
{
	struct vx_paths paths;
	struct workerconf wc;
	struct vx_err err;
	const char *home = NULL;
	int json = 0, up, rc, i;
	size_t r;

	log_init("vectis-status");
	signal(SIGPIPE, SIG_IGN);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--home") == 0 && i + 1 < argc)
			home = argv[++i];
		else if (strncmp(argv[i], "--home=", 7) == 0)
			home = argv[i] + 7;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--version") == 0 ||
		    strcmp(argv[i], "-V") == 0) {
			printf("vectis-status %s\n", VECTIS_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			status_usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "vectis-status: unknown argument "
			    "'%.64s'\n", argv[i]);
			status_usage(stderr);
			return VX_EXIT_USAGE;
		}
	}
	vx_err_clear(&err);
	if (paths_init(&paths, home, &err) == -1 ||
	    workerconf_load(paths.worker_conf, &wc, &err) == -1) {
		fprintf(stderr, "vectis-status: %s\n", err.msg);
		return VX_EXIT_FAIL;
	}
	up = status_master_up(&paths);
	if (json) {
		rc = status_json(&wc, up);
		workerconf_free(&wc);
		return rc;
	}
	printf("Worker Status\n=============\n");
	for (r = 0; r < STATUS_NROWS; r++)
		status_line(status_rows[r].label,
		    workerconf_get(&wc, status_rows[r].key));
	printf("%-14s%s\n", "Service:", up ? "Running" : "Stopped");
	if (wc.status == WC_FAILED)
		status_line("Error:", workerconf_get(&wc, "ERROR_MESSAGE"));
	workerconf_free(&wc);
	return 0;
}

/*
 * metrics.c: the Prometheus exposition: tenants by status, restarts and
 * heartbeat age per tenant, the master's own size.  Built on request from
 * the master's memory; tenant names need no label escaping because the
 * name grammar has no quote, backslash or newline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "master.h"
#include "metrics.h"
#include "nodestats.h"
#include "replay.h"
#include "tenant.h"

static unsigned long long http_by_class[6];	/* 1xx..5xx */

/* See metrics.h. */
void
metrics_http(unsigned int status)
{
	if (status >= 100 && status < 600)
		http_by_class[status / 100]++;
}

static void
metrics_tenants(FILE *f, time_t now)
{
	struct tenant_counts c;
	const struct tenant *t;
	size_t i;

	nodestats_count(&c);
	fprintf(f, "# HELP vectis_tenants Tenants by status.\n"
	    "# TYPE vectis_tenants gauge\n"
	    "vectis_tenants{status=\"running\"} %zu\n"
	    "vectis_tenants{status=\"stopped\"} %zu\n"
	    "vectis_tenants{status=\"error\"} %zu\n",
	    c.running, c.stopped, c.error);
	fprintf(f, "# HELP vectis_tenant_restarts_total Automatic restarts "
	    "since the last operator start.\n"
	    "# TYPE vectis_tenant_restarts_total counter\n");
	for (i = 0; i < M->ntenants; i++) {
		t = M->tenants[i];
		fprintf(f, "vectis_tenant_restarts_total{tenant=\"%s\"} %d\n",
		    t->name, t->restarts);
	}
	fprintf(f, "# HELP vectis_tenant_up Whether the tenant's status is "
	    "RUNNING.\n# TYPE vectis_tenant_up gauge\n");
	for (i = 0; i < M->ntenants; i++) {
		t = M->tenants[i];
		fprintf(f, "vectis_tenant_up{tenant=\"%s\"} %d\n", t->name,
		    t->state == TS_RUNNING);
	}
	fprintf(f, "# HELP vectis_tenant_heartbeat_age_seconds Seconds "
	    "since the worker's last heartbeat.\n"
	    "# TYPE vectis_tenant_heartbeat_age_seconds gauge\n");
	for (i = 0; i < M->ntenants; i++) {
		t = M->tenants[i];
		if (t->last_seen_at > 0)
			fprintf(f, "vectis_tenant_heartbeat_age_seconds"
			    "{tenant=\"%s\"} %lld\n", t->name,
			    (long long)(now - t->last_seen_at));
	}
}

static void
metrics_master(FILE *f, time_t now)
{
	int i;

	fprintf(f, "# HELP vectis_master_resident_bytes The master's RSS.\n"
	    "# TYPE vectis_master_resident_bytes gauge\n"
	    "vectis_master_resident_bytes %lld\n"
	    "# HELP vectis_master_uptime_seconds Seconds since the master "
	    "started.\n# TYPE vectis_master_uptime_seconds gauge\n"
	    "vectis_master_uptime_seconds %lld\n"
	    "# HELP vectis_store_degraded 1 while database writes fail.\n"
	    "# TYPE vectis_store_degraded gauge\n"
	    "vectis_store_degraded %d\n"
	    "# HELP vectis_http_replay_entries Signed requests remembered "
	    "against replay.\n# TYPE vectis_http_replay_entries gauge\n"
	    "vectis_http_replay_entries %zu\n"
	    "# HELP vectis_http_responses_total HTTP responses by class.\n"
	    "# TYPE vectis_http_responses_total counter\n",
	    nodestats_master_rss(), (long long)(now - M->started_at),
	    M->store_degraded, replay_count());
	for (i = 1; i < 6; i++)
		fprintf(f, "vectis_http_responses_total{code=\"%dxx\"} %llu\n",
		    i, http_by_class[i]);
}

/* See metrics.h. */
char *
metrics_text(size_t *len)
{
	time_t now = time(NULL);
	char *buf = NULL;
	size_t size = 0;
	FILE *f;

	if ((f = open_memstream(&buf, &size)) == NULL)
		return NULL;
	metrics_tenants(f, now);
	metrics_master(f, now);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	*len = size;
	return buf;
}

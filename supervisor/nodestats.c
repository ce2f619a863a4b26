/*
 * nodestats.c: what a health sync reports: system uptime, load, memory,
 * and the tenants by status.  Read from /proc on demand; nothing runs
 * between requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "master.h"
#include "nodestats.h"
#include "tenant.h"

/* See nodestats.h. */
void
nodestats_count(struct tenant_counts *c)
{
	const char *st;
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < M->ntenants; i++) {
		st = tenant_status_name(M->tenants[i]->state);
		c->total++;
		if (strcmp(st, "RUNNING") == 0)
			c->running++;
		else if (strcmp(st, "ERROR") == 0)
			c->error++;
		else
			c->stopped++;
	}
}

/* MemTotal and MemAvailable from /proc/meminfo, in bytes. */
static void
nodestats_memory(long long *total, long long *avail)
{
	char line[256];
	long long kb;
	FILE *f;

	*total = *avail = -1;
	if ((f = fopen("/proc/meminfo", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "MemTotal: %lld kB", &kb) == 1)
			*total = kb * 1024;
		else if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
			*avail = kb * 1024;
	}
	fclose(f);
}

/* See nodestats.h. */
long long
nodestats_master_rss(void)
{
	long long size, rss;
	FILE *f;
	int n;

	if ((f = fopen("/proc/self/statm", "re")) == NULL)
		return -1;
	n = fscanf(f, "%lld %lld", &size, &rss);
	fclose(f);
	return n == 2 ? rss * sysconf(_SC_PAGESIZE) : -1;
}

/* See nodestats.h. */
json_t *
nodestats_json(void)
{
	struct tenant_counts c;
	struct sysinfo si;
	long long total, avail;
	double load[3] = { 0, 0, 0 };

	nodestats_count(&c);
	nodestats_memory(&total, &avail);
	if (getloadavg(load, 3) != 3)
		load[0] = load[1] = load[2] = 0;
	if (sysinfo(&si) == -1)
		si.uptime = 0;
	return json_pack("{s:I, s:[f,f,f], s:{s:I, s:I}, "
	    "s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I}}",
	    "uptime_s", (json_int_t)si.uptime,
	    "load", load[0], load[1], load[2],
	    "memory", "total_bytes", (json_int_t)total,
	    "available_bytes", (json_int_t)avail,
	    "tenants", "total", (json_int_t)c.total,
	    "running", (json_int_t)c.running,
	    "stopped", (json_int_t)c.stopped,
	    "error", (json_int_t)c.error,
	    "master", "pid", (json_int_t)getpid(),
	    "uptime_s", (json_int_t)(time(NULL) - M->started_at),
	    "rss_bytes", (json_int_t)nodestats_master_rss());
}

/*
 * nodestats.c: what a health sync reports: system uptime, load, memory,
 * and the tenants by status.  Read from /proc on demand; nothing runs
 * between requests.
 */
#include <errno.h>
#include <fcntl.h>
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

/* "NAME:   123 kB" -> bytes, when line is that field; else -1. */
static long long
nodestats_kb_field(const char *line, const char *name)
{
	size_t n = strlen(name);
	long long v;
	char *end;

	if (strncmp(line, name, n) != 0 || line[n] != ':')
		return -1;
	errno = 0;
	v = strtoll(line + n + 1, &end, 10);
	if (errno != 0 || end == line + n + 1 || v < 0 ||
	    strncmp(end, " kB", 3) != 0)
		return -1;
	return v * 1024;
}

/* MemTotal and MemAvailable from /proc/meminfo, in bytes (-1: unknown). */
static void
nodestats_memory(long long *total, long long *avail)
{
	char line[256];
	long long v;
	FILE *f;

	*total = *avail = -1;
	if ((f = fopen("/proc/meminfo", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((v = nodestats_kb_field(line, "MemTotal")) >= 0)
			*total = v;
		else if ((v = nodestats_kb_field(line, "MemAvailable")) >= 0)
			*avail = v;
	}
	(void)fclose(f);
}

/* See nodestats.h. */
long long
nodestats_master_rss(void)
{
	char buf[128], *p, *end;
	long long rss;
	ssize_t n;
	int fd;

	if ((fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* size resident shared ...: the second field, in pages. */
	if ((p = strchr(buf, ' ')) == NULL)
		return -1;
	errno = 0;
	rss = strtoll(p + 1, &end, 10);
	if (errno != 0 || end == p + 1)
		return -1;
	return rss * sysconf(_SC_PAGESIZE);
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

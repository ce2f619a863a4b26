/*
 * resource.c: cpu_percent and rss_bytes of each worker's whole process
 * group, from one scan of /proc, and limits.max_memory_restart_bytes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <ev.h>

#include "clock.h"
#include "log.h"
#include "master.h"
#include "resource.h"
#include "tenant.h"

#define RESOURCE_MIN_WINDOW_MS	500	/* shorter: keep the last figure */

/* One worker's process group while /proc is scanned. */
struct rgroup {
	pid_t			 pgid;
	struct tenant		*t;
	unsigned long long	 ticks;
	long long		 rss_pages;
	int			 nproc;
};

static ev_timer	resource_timer;
static int	resource_timer_ready;
static uint64_t	resource_last_ms;	/* last full sample */

/* Fields 3 to 24 of stat, after the command in parentheses. */
int
resource_parse_stat(const char *buf, struct resource_proc *p)
{
	long long v[25];
	const char *s;
	char *end;
	int f, i;

	/* The command may hold ") ", so the last parenthesis counts. */
	if ((s = strrchr(buf, ')')) == NULL || s[1] != ' ' || s[2] == '\0')
		return -1;
	s += 3;		/* past the state letter */
	for (f = 4; f <= 24; f++) {
		if (*s != ' ')
			return -1;
		s++;
		errno = 0;
		v[f] = strtoll(s, &end, 10);
		if (end == s || errno != 0)
			return -1;
		s = end;
	}
	p->pgid = (pid_t)v[5];
	p->sid = (pid_t)v[6];
	p->ticks = 0;
	for (i = 14; i <= 17; i++)	/* utime stime cutime cstime */
		if (v[i] > 0)
			p->ticks += (unsigned long long)v[i];
	p->rss_pages = v[24] > 0 ? v[24] : 0;
	return 0;
}

/* Percent of one core, as ps and top show it, to one decimal. */
double
resource_cpu_percent(unsigned long long ticks, uint64_t ms, long hz)
{
	double pct;

	if (ms == 0 || hz <= 0)
		return 0.;
	pct = (double)ticks * 100000. / (double)hz / (double)ms;
	return (double)(long long)(pct * 10. + .5) / 10.;
}

static void
resource_mib(long long bytes, int whole, char *buf, size_t len)
{
	if (whole)
		snprintf(buf, len, "%lld", (bytes + 524288) / 1048576);
	else
		snprintf(buf, len, "%.1f", (double)bytes / 1048576.);
}

/* The last_error of a memory restart; decimals only where needed. */
void
resource_limit_text(long long rss, long long limit, char *buf, size_t len)
{
	char r[32], l[32];

	resource_mib(limit, limit % 1048576 == 0, l, sizeof(l));
	resource_mib(rss, 1, r, sizeof(r));
	if (strcmp(r, l) == 0 || limit % 1048576 != 0)
		resource_mib(rss, 0, r, sizeof(r));
	snprintf(buf, len, "memory %s MiB above limit %s MiB", r, l);
}

static int
rgroup_cmp(const void *a, const void *b)
{
	const struct rgroup *x = a, *y = b;

	return x->pgid < y->pgid ? -1 : x->pgid > y->pgid;
}

static int
resource_limited(const struct tenant *t)
{
	return t->spec.limits.max_memory_restart_bytes > 0 &&
	    (t->state == TS_RUNNING || t->state == TS_STARTING);
}

/*
 * The processes seen by the last scan.  A process outside every worker's
 * session can never join one (sessions are only left, never joined), so
 * it is read once and then skipped for as long as the same /proc entry
 * (pid and inode number) exists.  The workers' processes are re-read,
 * through a /proc/PID/stat descriptor kept open: a read after the
 * process died fails, even if its pid was reused.
 */
struct rproc {
	pid_t		 pid;		/* 0: free slot */
	ino_t		 ino;		/* of /proc/PID */
	int		 fd;		/* open stat, or -1 */
	int		 ours;		/* in a worker's session */
	uint32_t	 gen;		/* the last scan that saw it */
};

static struct rproc	*rtab;
static size_t		 rcap, rcount;
static uint32_t		 rgen;
static int		 rfds, rfds_max;

static size_t
rtab_slot(pid_t pid)
{
	size_t i = ((uint32_t)pid * 2654435761u) & (rcap - 1);

	while (rtab[i].pid != 0 && rtab[i].pid != pid)
		i = (i + 1) & (rcap - 1);
	return i;
}

/* Rebuild with room to spare, dropping what the last scan did not see. */
static int
rtab_rebuild(size_t cap, int sweep)
{
	struct rproc *old = rtab, *e;
	size_t i, ocap = rcap;

	if ((rtab = calloc(cap, sizeof(*rtab))) == NULL) {
		rtab = old;
		return -1;
	}
	rcap = cap;
	rcount = 0;
	for (i = 0; i < ocap; i++) {
		if (old[i].pid == 0)
			continue;
		if (sweep && old[i].gen != rgen) {
			if (old[i].fd != -1) {
				close(old[i].fd);
				rfds--;
			}
			continue;
		}
		e = &rtab[rtab_slot(old[i].pid)];
		*e = old[i];
		rcount++;
	}
	free(old);
	return 0;
}

static struct rproc *
rtab_get(pid_t pid, ino_t ino)
{
	struct rproc *e;

	if ((rcount + 1) * 2 > rcap &&
	    rtab_rebuild(rcap ? rcap * 2 : 4096, 0) == -1)
		return NULL;
	e = &rtab[rtab_slot(pid)];
	if (e->pid == pid && e->ino == ino)
		return e;
	if (e->pid == pid && e->fd != -1) {	/* another process now */
		close(e->fd);
		rfds--;
	}
	if (e->pid == 0)
		rcount++;
	e->pid = pid;
	e->ino = ino;
	e->fd = -1;
	e->ours = -1;		/* not read yet */
	return e;
}

static void
rtab_close(struct rproc *e)
{
	if (e->fd != -1) {
		close(e->fd);
		rfds--;
		e->fd = -1;
	}
}

/* Read the process's stat, through its kept descriptor if it has one. */
static int
resource_read(int dfd, const char *name, struct rproc *e, char *buf,
    size_t len)
{
	char path[NAME_MAX + 8];
	ssize_t n;
	int fd;

	if (e->fd != -1) {
		n = pread(e->fd, buf, len - 1, 0);
		if (n <= 0) {
			rtab_close(e);	/* gone (ESRCH), maybe pid reused */
			return -1;
		}
		buf[n] = '\0';
		return 0;
	}
	snprintf(path, sizeof(path), "%s/stat", name);
	if ((fd = openat(dfd, path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, len - 1);
	if (n <= 0) {
		close(fd);
		return -1;
	}
	buf[n] = '\0';
	e->fd = fd;
	rfds++;
	return 0;
}

static int
pid_cmp(const void *a, const void *b)
{
	const pid_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/*
 * One pass over /proc: every process in a worker's session is read and
 * added to its group in g; workers[] holds every worker's pid (its
 * session and group id), sorted.
 */
static void
resource_scan(const pid_t *workers, size_t nw, struct rgroup *g, size_t n)
{
	struct resource_proc p;
	struct rgroup key, *hit;
	struct dirent *de;
	struct rproc *e;
	char buf[1024], *end;
	pid_t pid;
	long l;
	DIR *d;

	if (rfds_max == 0) {
		struct rlimit rl;

		/* Leave most descriptors to pipes and control clients. */
		rfds_max = getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    rl.rlim_cur != RLIM_INFINITY ? (int)(rl.rlim_cur / 4) :
		    1024;
		if (rfds_max > 16384)
			rfds_max = 16384;
		if (rfds_max < 1)
			rfds_max = 1;
	}
	if ((d = opendir("/proc")) == NULL) {
		log_warn("unable to read /proc: %s", strerror(errno));
		return;
	}
	rgen++;
	while ((de = readdir(d)) != NULL) {
		/* Only the numeric entries are processes. */
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		errno = 0;
		l = strtol(de->d_name, &end, 10);
		if (*end != '\0' || errno != 0 || l > INT_MAX)
			continue;
		pid = (pid_t)l;
		if ((e = rtab_get(pid, de->d_ino)) == NULL)
			break;
		if (e->ours == 0) {
			e->gen = rgen;	/* a stranger, known already */
			continue;
		}
		if (resource_read(dirfd(d), de->d_name, e, buf,
		    sizeof(buf)) == -1 || resource_parse_stat(buf, &p) == -1)
			continue;	/* gone meanwhile */
		e->gen = rgen;
		/* The worker itself may not have called setsid() yet. */
		e->ours = bsearch(&pid, workers, nw, sizeof(*workers),
		    pid_cmp) != NULL || bsearch(&p.sid, workers, nw,
		    sizeof(*workers), pid_cmp) != NULL;
		if (!e->ours || rfds > rfds_max)
			rtab_close(e);
		if (!e->ours)
			continue;
		key.pgid = p.pgid;
		hit = bsearch(&key, g, n, sizeof(*g), rgroup_cmp);
		if (hit == NULL)
			continue;
		hit->ticks += p.ticks;
		hit->rss_pages += p.rss_pages;
		hit->nproc++;
	}
	closedir(d);
	(void)rtab_rebuild(rcap, 1);
}

/* New figures for one tenant from its group's totals. */
static void
resource_apply(struct rgroup *g, uint64_t now, long hz, long page)
{
	struct tenant *t = g->t;
	unsigned long long d;

	if (g->nproc == 0) {
		t->cpu_percent = -1;
		t->rss_bytes = -1;
		t->cpu_sampled_ms = 0;
		return;
	}
	t->rss_bytes = g->rss_pages * page;
	if (t->cpu_sampled_ms != 0 && t->cpu_sampled_ms >= t->started_mono) {
		if (now - t->cpu_sampled_ms < RESOURCE_MIN_WINDOW_MS)
			return;
		/* A member that exited takes its ticks along: no negative. */
		d = g->ticks >= t->cpu_ticks ? g->ticks - t->cpu_ticks : 0;
		t->cpu_percent = resource_cpu_percent(d,
		    now - t->cpu_sampled_ms, hz);
	} else	/* first sample of this run: the average so far */
		t->cpu_percent = resource_cpu_percent(g->ticks,
		    now - t->started_mono, hz);
	t->cpu_ticks = g->ticks;
	t->cpu_sampled_ms = now;
}

/* Restart every sampled tenant whose group is above its memory limit. */
static void
resource_enforce(struct rgroup *g, size_t n)
{
	struct tenant *t;
	char why[128];
	size_t i;

	for (i = 0; i < n; i++) {
		t = g[i].t;
		if (!resource_limited(t) || t->rss_bytes < 0 ||
		    t->rss_bytes <= t->spec.limits.max_memory_restart_bytes)
			continue;
		resource_limit_text(t->rss_bytes,
		    t->spec.limits.max_memory_restart_bytes, why, sizeof(why));
		log_warn("%s: %s, restarting", t->name, why);
		tenant_stop(t, 0, why);
	}
}

/* Sample the running tenants (only those with a limit if limited). */
static void
resource_sample(int limited)
{
	static long hz, page;
	struct rgroup *g;
	struct tenant *t;
	pid_t *w;
	size_t i, n = 0, nw = 0;
	uint64_t now;

	if (hz == 0) {
		hz = sysconf(_SC_CLK_TCK);
		page = sysconf(_SC_PAGESIZE);
		if (hz <= 0)
			hz = 100;
		if (page <= 0)
			page = 4096;
	}
	g = calloc(M->ntenants + 1, sizeof(*g));
	w = calloc(M->ntenants + 1, sizeof(*w));
	if (g == NULL || w == NULL)
		goto out;
	for (i = 0; i < M->ntenants; i++) {
		t = M->tenants[i];
		if (t->pid <= 0)
			continue;
		w[nw++] = t->pid;
		if (limited && !resource_limited(t))
			continue;
		g[n].pgid = t->pid;	/* the worker leads its group */
		g[n].t = t;
		n++;
	}
	if (n > 0) {
		qsort(w, nw, sizeof(*w), pid_cmp);
		qsort(g, n, sizeof(*g), rgroup_cmp);
		resource_scan(w, nw, g, n);
		now = clock_mono_ms();
		for (i = 0; i < n; i++)
			resource_apply(&g[i], now, hz, page);
		resource_enforce(g, n);
	}
out:
	free(g);
	free(w);
}

/*
 * Called before list and status build their answer.  An idle master must
 * not wake up, so figures are sampled on demand, at most once a second;
 * only a memory limit brings a timer (resource_schedule).
 */
void
resource_refresh(void)
{
	uint64_t now = clock_mono_ms();

	if (resource_last_ms != 0 && now - resource_last_ms < RESOURCE_CACHE_MS)
		return;
	resource_last_ms = now;
	resource_sample(0);
}

static void
resource_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	resource_sample(1);
	resource_schedule();
}

/* After any state change: is a memory limit to be watched? */
void
resource_schedule(void)
{
	size_t i;
	int want = 0;

	if (M->shutting_down == 0)
		for (i = 0; i < M->ntenants && !want; i++)
			want = resource_limited(M->tenants[i]);
	if (!resource_timer_ready) {
		ev_timer_init(&resource_timer, resource_timer_cb,
		    RESOURCE_LIMIT_S, RESOURCE_LIMIT_S);
		resource_timer_ready = 1;
	}
	if (want && !ev_is_active(&resource_timer))
		ev_timer_start(M->loop, &resource_timer);
	else if (!want && ev_is_active(&resource_timer))
		ev_timer_stop(M->loop, &resource_timer);
}

/*
 * resource.c: cpu_percent and rss_bytes of every process of each tenant
 * (SPEC section 5), from one scan of /proc, and
 * limits.max_memory_restart_bytes.  A tenant's processes are its reaper's
 * descendants, or, with a cgroup, its worker's session and whatever is in
 * its cgroup.
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

#include "cgroup.h"
#include "clock.h"
#include "log.h"
#include "master.h"
#include "procstat.h"
#include "resource.h"
#include "tenant.h"

#define RESOURCE_MIN_WINDOW_MS	500	/* shorter: keep the last figure */

/* One running tenant while /proc is scanned. */
struct rgroup {
	pid_t			 key;		/* its reaper, or its worker */
	int			 reaper;	/* key is a reaper */
	int			 sampled;	/* figures wanted this time */
	struct tenant		*t;
	unsigned long long	 ticks;
	long long		 rss_pages;
	int			 nproc;
};

/* One process read by this scan, until it is attributed. */
struct rrec {
	pid_t			 pid;
	pid_t			 ppid;
	pid_t			 sid;
	unsigned long long	 ticks;
	long long		 rss_pages;
	int			 owner;		/* index in the groups, or: */
};
#define R_UNRESOLVED	(-1)
#define R_STRANGER	(-2)		/* no tenant's, for good */
#define R_UNKNOWN	(-3)		/* cannot tell yet: next scan */

static ev_timer	resource_timer;
static int	resource_timer_ready;
static uint64_t	resource_last_ms;	/* last full sample */

/* The fields resource.c uses, through the one stat parser (procstat.c). */
int
resource_parse_stat(const char *buf, struct resource_proc *p)
{
	struct procstat ps;

	if (procstat_parse(buf, &ps) == -1)
		return -1;
	p->pgid = ps.pgid;
	p->sid = ps.sid;
	p->ticks = ps.ticks;
	p->rss_pages = ps.rss_pages;
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

	return x->key < y->key ? -1 : x->key > y->key;
}

static int
resource_limited(const struct tenant *t)
{
	return t->spec.limits.max_memory_restart_bytes > 0 &&
	    (t->state == TS_RUNNING || t->state == TS_STARTING);
}

/*
 * The processes seen by the last scan.  A process that is no tenant's can
 * never become one: a process that is not a reaper's descendant never
 * becomes one (re-parenting goes up, to the nearest subreaper), sessions
 * are only left, never joined, and only the master moves processes into
 * a tenant's cgroup.  So a stranger is read once and then skipped for as
 * long as the same /proc entry (pid and inode number) exists.  Tenants'
 * processes are re-read, through a /proc/PID/stat descriptor kept open: a
 * read after the process died fails, even if its pid was reused.
 */
struct rproc {
	pid_t		 pid;		/* 0: free slot */
	ino_t		 ino;		/* of /proc/PID */
	int		 fd;		/* open stat, or -1 */
	int		 ours;		/* 1 a tenant's, 0 none's, -1 unread */
	pid_t		 key;		/* ours: its group's key */
	int		 rec;		/* its rrec in this scan */
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

/* The entry of pid, if the table has one (whatever its inode). */
static struct rproc *
rtab_find(pid_t pid)
{
	struct rproc *e;

	if (rcap == 0)
		return NULL;
	e = &rtab[rtab_slot(pid)];
	return e->pid == pid ? e : NULL;
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

static struct rgroup *
resource_group(struct rgroup *g, size_t n, pid_t key)
{
	struct rgroup k = { 0 };

	if (key <= 0)
		return NULL;
	k.key = key;
	return bsearch(&k, g, n, sizeof(*g), rgroup_cmp);
}

/* What a process is by itself: its group's worker or session, or a reaper. */
static int
resource_direct(const struct rrec *r, struct rproc *e, struct rgroup *g,
    size_t n)
{
	struct rgroup *hit;

	if (e->ours == 1) {
		if ((hit = resource_group(g, n, e->key)) != NULL)
			return (int)(hit - g);
		e->ours = -1;	/* its run ended: look again */
	}
	if ((hit = resource_group(g, n, r->pid)) != NULL)
		return hit->reaper ? R_STRANGER : (int)(hit - g);
	/* The worker may not have called setsid() yet: its pid counts. */
	if ((hit = resource_group(g, n, r->sid)) != NULL && !hit->reaper)
		return (int)(hit - g);
	return R_UNRESOLVED;
}

/*
 * Attribute rec i by its parents: up the ppid chain to a reaper or a
 * worker (a group's key), a stranger, or a process this scan did not
 * see (then nobody can tell yet).  Every process on the way gets the
 * answer; the chain never loops, a snapshot of one could (pid reuse).
 */
static void
resource_chain(struct rrec *recs, size_t nrec, size_t i, struct rgroup *g,
    size_t n, size_t *path)
{
	struct rgroup *hit;
	struct rproc *e, *pe;
	size_t np = 0, cur = i, k;
	int res;

	for (;;) {
		if (recs[cur].owner != R_UNRESOLVED) {	/* NOLINT: set below */
			res = recs[cur].owner;
			break;
		}
		e = rtab_find(recs[cur].pid);
		if (e == NULL || np == nrec) {
			res = R_UNKNOWN;
			break;
		}
		if ((res = resource_direct(&recs[cur], e, g, n)) !=
		    R_UNRESOLVED) {
			recs[cur].owner = res;
			break;
		}
		path[np++] = cur;
		if (recs[cur].ppid <= 0) {	/* init, kthreadd */
			res = R_STRANGER;
			break;
		}
		if ((hit = resource_group(g, n, recs[cur].ppid)) != NULL) {
			res = (int)(hit - g);
			break;
		}
		pe = rtab_find(recs[cur].ppid);
		if (pe == NULL || pe->gen != rgen) {
			res = R_UNKNOWN;	/* not seen: new, or gone */
			break;
		}
		if (pe->ours == 0) {
			res = R_STRANGER;
			break;
		}
		cur = (size_t)pe->rec;
	}
	for (k = 0; k < np; k++)
		recs[path[k]].owner = res;
}

/* The tenant whose cgroup holds pid (cgroups on), as an index in g. */
static int
resource_cgroup(pid_t pid, const char *subtree, struct rgroup *g, size_t n)
{
	char path[64], buf[4096], name[NAME_MAX + 1];
	ssize_t len;
	size_t i;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return R_UNKNOWN;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return R_UNKNOWN;
	buf[len] = '\0';
	if (cgroup_parse_tenant(buf, subtree, name, sizeof(name)) != 1)
		return R_STRANGER;
	for (i = 0; i < n; i++)
		if (!g[i].reaper && strcmp(g[i].t->name, name) == 0)
			return (int)i;
	return R_UNKNOWN;	/* a tenant's, but not running now */
}

/*
 * One pass over /proc reads every process not known as a stranger; then
 * each is attributed to a group of g (sorted by key): a reaper's
 * descendants, a worker's session, what is in a tenant's cgroup.
 */
static void
resource_scan(struct rgroup *g, size_t n)
{
	struct procstat p;
	struct rrec *recs = NULL, *nr;
	struct dirent *de;
	struct rproc *e;
	size_t nrec = 0, rcapx = 0, i, *path = NULL;
	const char *subtree = cgroup_subtree();
	char buf[1024], *end;
	pid_t pid;
	long l;
	int k;
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
		    sizeof(buf)) == -1 || procstat_parse(buf, &p) == -1)
			continue;	/* gone meanwhile */
		if (nrec == rcapx) {
			rcapx = rcapx ? rcapx * 2 : 256;
			if ((nr = realloc(recs, rcapx * sizeof(*recs))) ==
			    NULL)
				break;
			recs = nr;
		}
		e->gen = rgen;
		recs[nrec].pid = pid;
		recs[nrec].ppid = p.ppid;
		recs[nrec].sid = p.sid;
		recs[nrec].ticks = p.ticks;
		recs[nrec].rss_pages = p.rss_pages;
		recs[nrec].owner = R_UNRESOLVED;
		nrec++;
	}
	closedir(d);
	if (nrec > 0 && (path = calloc(nrec, sizeof(*path))) == NULL)
		nrec = 0;
	/* The table is complete for this scan: its entries stay put. */
	for (i = 0; i < nrec; i++)
		rtab_find(recs[i].pid)->rec = (int)i;
	for (i = 0; i < nrec; i++) {
		resource_chain(recs, nrec, i, g, n, path);
		e = rtab_find(recs[i].pid);
		/* In no tenant's tree: maybe in a tenant's cgroup. */
		if (recs[i].owner < 0 && subtree != NULL) {
			k = resource_cgroup(recs[i].pid, subtree, g, n);
			if (k >= 0 || recs[i].owner == R_STRANGER)
				recs[i].owner = k;
		}
		if (recs[i].owner == R_STRANGER) {
			e->ours = 0;
			rtab_close(e);
			continue;
		}
		if (recs[i].owner < 0)
			continue;	/* R_UNKNOWN: read again next time */
		e->ours = 1;
		e->key = g[recs[i].owner].key;
		if (rfds > rfds_max)
			rtab_close(e);
		g[recs[i].owner].ticks += recs[i].ticks;
		g[recs[i].owner].rss_pages += recs[i].rss_pages;
		g[recs[i].owner].nproc++;
	}
	free(path);
	free(recs);
	(void)rtab_rebuild(rcap, 1);
}

/*
 * A cgroup's memory.current less its inactive file cache (the working
 * set, as the kubelet counts it), when the memory controller is there.
 */
static long long
resource_cgroup_memory(const struct tenant *t)
{
	char buf[8192], *p, *end;
	long long cur, inactive = 0;

	if (cgroup_tenant_read(t->name, "memory.current", buf,
	    sizeof(buf)) == -1)
		return -1;
	errno = 0;
	cur = strtoll(buf, &end, 10);
	if (errno != 0 || end == buf || cur < 0)
		return -1;
	if (cgroup_tenant_read(t->name, "memory.stat", buf,
	    sizeof(buf)) == 0 && (p = strstr(buf, "\ninactive_file ")) != NULL)
		inactive = strtoll(p + 15, NULL, 10);
	return inactive > 0 && inactive < cur ? cur - inactive : cur;
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
	/* The cgroup's own figure, where its memory controller is on. */
	if (g->reaper || (t->rss_bytes = resource_cgroup_memory(t)) < 0)
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

/* Restart every sampled tenant whose processes are above its limit. */
static void
resource_enforce(struct rgroup *g, size_t n)
{
	struct tenant *t;
	char why[128];
	size_t i;

	for (i = 0; i < n; i++) {
		t = g[i].t;
		if (!g[i].sampled || !resource_limited(t) || t->rss_bytes < 0 ||
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
	size_t i, n = 0, ns = 0;
	uint64_t now;

	if (hz == 0) {
		hz = sysconf(_SC_CLK_TCK);
		page = sysconf(_SC_PAGESIZE);
		if (hz <= 0)
			hz = 100;
		if (page <= 0)
			page = 4096;
	}
	/*
	 * Every running tenant has a group, so that none of its processes
	 * is taken for a stranger; only the sampled ones get new figures.
	 */
	if ((g = calloc(M->ntenants + 1, sizeof(*g))) == NULL)
		return;
	for (i = 0; i < M->ntenants; i++) {
		t = M->tenants[i];
		if (t->pid <= 0)
			continue;
		g[n].reaper = t->child_pid > 0 && t->child_pid != t->pid;
		g[n].key = g[n].reaper ? t->child_pid : t->pid;
		g[n].t = t;
		g[n].sampled = !limited || resource_limited(t);
		ns += (size_t)g[n].sampled;
		n++;
	}
	if (ns > 0) {
		qsort(g, n, sizeof(*g), rgroup_cmp);
		resource_scan(g, n);
		now = clock_mono_ms();
		for (i = 0; i < n; i++)
			if (g[i].sampled)
				resource_apply(&g[i], now, hz, page);
		resource_enforce(g, n);
	}
	free(g);
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

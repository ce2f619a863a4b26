/*
 * cgroup.c: a cgroup v2 per tenant below a subtree of the master's own
 * cgroup, for memory.max, pids.max and a kill that also reaches
 * double-forked, re-parented daemons.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "cgroup.h"
#include "log.h"

#define CGROUP_LEAF	"master"	/* the master's own leaf, if moved */
#define CGROUP_SUFFIX	".tenant"	/* never a cgroup interface file */
#define CGROUP_RETRY_S	0.05		/* rmdir of a cgroup still dying */
#define CGROUP_RETRIES	100
#define CGROUP_KILL_ROUNDS 32		/* re-reads of cgroup.procs */

static struct {
	int	on;
	int	memory;			/* controller enabled for tenants */
	int	pids;
	int	moved;			/* the master lives in CGROUP_LEAF */
	char	base[PATH_MAX];		/* the cgroup the master started in */
	char	root[PATH_MAX];		/* base/vectis-HASH */

	struct ev_loop	*loop;		/* set at the first busy rmdir */
	ev_timer	 retry;		/* removes pending[] once empty */
	char		**pending;
	size_t		 npending;
	int		 tries;
} cg;

/* Undo mountinfo's octal escapes (\040 for a space) into out. */
static int
cgroup_unescape(const char *s, size_t n, char *out, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (o + 1 >= len)
			return -1;
		if (s[i] == '\\' && i + 3 < n &&
		    s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' &&
		    s[i + 3] >= '0' && s[i + 3] <= '7') {
			out[o++] = (char)((s[i + 1] - '0') * 64 +
			    (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
	return 0;
}

/* The n-th space-separated field of line (0-based): start and length. */
static const char *
cgroup_field(const char *line, int n, size_t *len)
{
	const char *p = line, *e;
	int i;

	for (i = 0; ; i++) {
		while (*p == ' ')
			p++;
		if (*p == '\0' || *p == '\n')
			return NULL;
		e = p + strcspn(p, " \n");
		if (i == n) {
			*len = (size_t)(e - p);
			return p;
		}
		p = e;
	}
}

/* mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS...] - FSTYPE ... */
int
cgroup_parse_mountinfo(const char *line, char *mnt, size_t mntlen,
    char *root, size_t rootlen)
{
	const char *f, *dash;
	size_t len;
	int i;

	for (i = 6; ; i++) {
		if ((dash = cgroup_field(line, i, &len)) == NULL)
			return -1;
		if (len == 1 && dash[0] == '-')
			break;
	}
	if ((f = cgroup_field(line, i + 1, &len)) == NULL)
		return -1;
	if (len != 7 || strncmp(f, "cgroup2", 7) != 0)
		return 0;
	if ((f = cgroup_field(line, 3, &len)) == NULL ||
	    cgroup_unescape(f, len, root, rootlen) == -1 ||
	    (f = cgroup_field(line, 4, &len)) == NULL ||
	    cgroup_unescape(f, len, mnt, mntlen) == -1)
		return -1;
	return 1;
}

/* /proc/self/cgroup: "0::/PATH" is the unified hierarchy's line. */
int
cgroup_parse_self(const char *line, char *path, size_t len)
{
	size_t n;

	if (strncmp(line, "0::/", 4) != 0)
		return 0;
	n = strcspn(line + 3, "\n");
	if (n >= len)
		return 0;
	memcpy(path, line + 3, n);
	path[n] = '\0';
	return 1;
}

/*
 * A cgroup path is relative to the hierarchy's root; a mount may show only
 * a subtree of it (its mountinfo root), so strip that prefix first.
 */
int
cgroup_dir(const char *mnt, const char *root, const char *self, char *out,
    size_t len)
{
	size_t rl = strlen(root);
	const char *rest = self;
	int n;

	if (strcmp(root, "/") != 0) {
		if (strncmp(self, root, rl) != 0 ||
		    (self[rl] != '/' && self[rl] != '\0'))
			return -1;
		rest = self + rl;
	}
	while (*rest == '/')
		rest++;
	n = snprintf(out, len, "%s%s%s", mnt,
	    *rest != '\0' && strcmp(mnt, "/") != 0 ? "/" : "", rest);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return 0;
}

/* cgroup.controllers and cgroup.subtree_control are word lists. */
int
cgroup_has_word(const char *list, const char *word)
{
	size_t wl = strlen(word), n;
	const char *p = list;

	while (*p != '\0') {
		p += strspn(p, " \n");
		n = strcspn(p, " \n");
		if (n == wl && n > 0 && strncmp(p, word, wl) == 0)
			return 1;
		p += n;
	}
	return 0;
}

/* cgroup.events: "populated 0\nfrozen 0\n". */
int
cgroup_populated(const char *events)
{
	const char *p = events;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, "populated ", 10) == 0)
			return p[10] == '1' ? 1 : p[10] == '0' ? 0 : -1;
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return -1;
}

/* FNV-1a: one master per state directory, so one subtree per key. */
void
cgroup_subtree_name(const char *key, char *buf, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *key != '\0'; key++) {
		h ^= (unsigned char)*key;
		h *= 0x100000001b3ULL;
	}
	snprintf(buf, len, "vectis-%016" PRIx64, h);
}

static int
cgroup_path(char *buf, size_t len, const char *dir, const char *name,
    const char *file)
{
	int n;

	n = snprintf(buf, len, "%s/%s%s%s", dir, name, file ? "/" : "",
	    file ? file : "");
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Read a small cgroupfs file (their size is not known in advance). */
static int
cgroup_read(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	size_t got = 0;
	int fd;

	if (cgroup_path(path, sizeof(path), dir, file, NULL) == -1)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (got + 1 < len && (n = read(fd, buf + got,
	    len - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	return 0;
}

/* One write, as cgroupfs wants it; 0 or -1 with errno. */
static int
cgroup_write(const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX];
	int fd, saved;
	ssize_t n;

	if (cgroup_path(path, sizeof(path), dir, file, NULL) == -1)
		return -1;
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	n = write(fd, value, strlen(value));
	saved = errno;
	close(fd);
	errno = saved;
	return n == (ssize_t)strlen(value) ? 0 : -1;
}

/* The cgroup2 mount and our cgroup in it: base. */
static int
cgroup_find_base(char *why, size_t whylen)
{
	char line[4096], mnt[PATH_MAX], mroot[PATH_MAX], self[PATH_MAX];
	int found = 0;
	FILE *f;

	if ((f = fopen("/proc/self/mountinfo", "re")) == NULL) {
		snprintf(why, whylen, "/proc/self/mountinfo: %s",
		    strerror(errno));
		return -1;
	}
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = cgroup_parse_mountinfo(line, mnt, sizeof(mnt), mroot,
		    sizeof(mroot)) == 1;
	(void)fclose(f);		/* read-only: nothing to lose */
	if (!found) {
		snprintf(why, whylen, "no cgroup2 file system is mounted");
		return -1;
	}
	found = 0;
	if ((f = fopen("/proc/self/cgroup", "re")) == NULL) {
		snprintf(why, whylen, "/proc/self/cgroup: %s",
		    strerror(errno));
		return -1;
	}
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = cgroup_parse_self(line, self, sizeof(self));
	(void)fclose(f);
	if (!found) {
		snprintf(why, whylen, "/proc/self/cgroup has no cgroup v2 "
		    "line");
		return -1;
	}
	if (cgroup_dir(mnt, mroot, self, cg.base, sizeof(cg.base)) == -1) {
		snprintf(why, whylen, "our cgroup %.200s is not below the "
		    "cgroup2 mount %.200s", self, mnt);
		return -1;
	}
	return 0;
}

/* A master restarted inside its own leaf starts from the leaf's parent's. */
static void
cgroup_unleaf(const char *sub)
{
	size_t bl = strlen(cg.base), sl = strlen(sub), ll = strlen(CGROUP_LEAF);

	if (bl > sl + ll + 2 &&
	    strcmp(cg.base + bl - ll, CGROUP_LEAF) == 0 &&
	    cg.base[bl - ll - 1] == '/' &&
	    strncmp(cg.base + bl - ll - 1 - sl, sub, sl) == 0 &&
	    cg.base[bl - ll - 2 - sl] == '/')
		cg.base[bl - ll - 2 - sl] = '\0';
}

static int
cgroup_is_tenant(const char *d)
{
	size_t n = strlen(d), sl = strlen(CGROUP_SUFFIX);

	return n > sl && strcmp(d + n - sl, CGROUP_SUFFIX) == 0;
}

/* Wait (bounded) until a killed cgroup is empty. */
static int
cgroup_wait_empty(const char *dir, int ms)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	char buf[256];
	int i;

	for (i = 0; i <= ms / 5; i++) {
		if (cgroup_read(dir, "cgroup.events", buf, sizeof(buf)) == -1 ||
		    cgroup_populated(buf) != 1)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

/*
 * A pid at the start of s, as the kernel writes them in cgroup.procs;
 * *end is left after its digits.  -1 if s does not start with one.
 */
static int
cgroup_parse_pid(const char *s, char **end, pid_t *pid)
{
	long v;

	errno = 0;
	v = strtol(s, end, 10);
	if (*end == s || errno != 0 || v < INT_MIN || v > INT_MAX)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

/* The next pid of an open cgroup.procs: 1, or 0 at its end. */
static int
cgroup_next_pid(FILE *f, pid_t *pid)
{
	char line[64], *end;

	if (fgets(line, sizeof(line), f) == NULL ||
	    cgroup_parse_pid(line, &end, pid) == -1)
		return 0;
	return 1;
}

static int
cgroup_seen(const pid_t *v, size_t n, pid_t pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == pid)
			return 1;
	return 0;
}

/*
 * SIGKILL every process in dir, in rounds until a round finds nobody new:
 * one may fork between our read and its death, and its child shows up in
 * the next read.  Not cgroup.kill: on some kernels (6.18 here) a cgroup
 * once killed that way has every later CLONE_INTO_CGROUP child killed at
 * birth (its kill_seq is compared with the parent's cgroup's), so the
 * tenant's next worker would never run.
 */
static void
cgroup_kill_dir(const char *dir)
{
	char path[PATH_MAX];
	pid_t seen[512], pid;
	size_t nseen = 0;
	int round, fresh;
	FILE *f;

	if (cgroup_path(path, sizeof(path), dir, "cgroup.procs", NULL) == -1)
		return;
	for (round = 0; round < CGROUP_KILL_ROUNDS; round++) {
		if ((f = fopen(path, "re")) == NULL)
			return;
		fresh = 0;
		while (cgroup_next_pid(f, &pid) == 1) {
			if (pid <= 1 || cgroup_seen(seen, nseen, pid))
				continue;
			(void)kill(pid, SIGKILL);
			fresh++;
			if (nseen < sizeof(seen) / sizeof(seen[0]))
				seen[nseen++] = pid;
		}
		(void)fclose(f);
		if (fresh == 0)
			return;
	}
}

/*
 * A previous master died (kill -9) with workers running: whatever is still
 * in a tenant cgroup of our subtree is its, since one master at a time
 * holds the lock for this state directory.  Kill them all, then wait once.
 */
static void
cgroup_leftovers(void)
{
	char dir[PATH_MAX], buf[256];
	struct dirent *de;
	int killed = 0;
	DIR *d;

	if ((d = opendir(cg.root)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!cgroup_is_tenant(de->d_name) ||
		    cgroup_path(dir, sizeof(dir), cg.root, de->d_name,
		    NULL) == -1 ||
		    cgroup_read(dir, "cgroup.events", buf, sizeof(buf)) == -1 ||
		    cgroup_populated(buf) != 1)
			continue;
		log_warn("killing the processes left by a previous master in "
		    "%s", dir);
		cgroup_kill_dir(dir);
		killed++;
	}
	if (killed > 0 && cgroup_wait_empty(cg.root, 2000) == -1)
		log_error("processes in %s did not die", cg.root);
	rewinddir(d);
	while ((de = readdir(d)) != NULL)
		if (cgroup_is_tenant(de->d_name) &&
		    cgroup_path(dir, sizeof(dir), cg.root, de->d_name,
		    NULL) == 0 && rmdir(dir) == -1 && errno != EBUSY)
			log_warn("unable to remove cgroup %s: %s", dir,
			    strerror(errno));
	closedir(d);
}

/* Move the master into its own leaf, so that base has no processes. */
static int
cgroup_move_to_leaf(void)
{
	char leaf[PATH_MAX], buf[64], *end;
	pid_t pid;

	if (cg.moved)
		return 0;
	/* Only when we are alone in base: others would keep it busy. */
	if (cgroup_read(cg.base, "cgroup.procs", buf, sizeof(buf)) == -1 ||
	    cgroup_parse_pid(buf, &end, &pid) == -1 || pid != getpid() ||
	    strchr(buf, '\n') == NULL || strchr(buf, '\n')[1] != '\0')
		return -1;
	if (cgroup_path(leaf, sizeof(leaf), cg.root, CGROUP_LEAF,
	    NULL) == -1 ||
	    (mkdir(leaf, 0755) == -1 && errno != EEXIST) ||
	    cgroup_write(leaf, "cgroup.procs", "0") == -1)
		return -1;
	cg.moved = 1;
	log_info("cgroups: moved the master into %s", leaf);
	return 0;
}

/* Enable controller for our subtree: in base, then in our root. */
static int
cgroup_enable(const char *controller)
{
	char avail[1024], sub[1024], plus[64];

	if (cgroup_read(cg.base, "cgroup.controllers", avail,
	    sizeof(avail)) == -1 || !cgroup_has_word(avail, controller))
		return 0;
	snprintf(plus, sizeof(plus), "+%s", controller);
	if (cgroup_read(cg.base, "cgroup.subtree_control", sub,
	    sizeof(sub)) == -1)
		return 0;
	if (!cgroup_has_word(sub, controller) &&
	    cgroup_write(cg.base, "cgroup.subtree_control", plus) == -1) {
		/* No internal processes: a cgroup that delegates has none. */
		if (errno != EBUSY || cgroup_move_to_leaf() == -1 ||
		    cgroup_write(cg.base, "cgroup.subtree_control",
		    plus) == -1)
			return 0;
	}
	return cgroup_write(cg.root, "cgroup.subtree_control", plus) == 0;
}

/* See cgroup.h; runs once at start-up. */
void
cgroup_init(enum cgroup_mode mode, const char *key)
{
	char why[512], name[64];

	memset(&cg, 0, sizeof(cg));
	if (mode == CGROUP_OFF) {
		log_info("cgroups: off (CGROUP=off); rlimits, and a reaper "
		    "per tenant holds its processes");
		return;
	}
	cgroup_subtree_name(key, name, sizeof(name));
	if (cgroup_find_base(why, sizeof(why)) == -1) {
		log_info("cgroups: not used: %s; rlimits, and a reaper per "
		    "tenant holds its processes", why);
		return;
	}
	cgroup_unleaf(name);
	if (cgroup_path(cg.root, sizeof(cg.root), cg.base, name,
	    NULL) == -1 ||
	    (mkdir(cg.root, 0755) == -1 && errno != EEXIST)) {
		log_info("cgroups: not used: unable to create %s/%s: %s; "
		    "rlimits, and a reaper per tenant holds its processes",
		    cg.base, name, strerror(errno));
		return;
	}
	(void)chmod(cg.root, 0755);
	cg.on = 1;
	cgroup_leftovers();
	cg.memory = cgroup_enable("memory");
	cg.pids = cgroup_enable("pids");
	log_info("cgroups: tenants in %s (memory.max %s, pids.max %s)",
	    cg.root, cg.memory ? "on" : "off", cg.pids ? "on" : "off");
	if (!cg.memory || !cg.pids)
		log_info("cgroups: the %s%s%s controller%s not delegated to "
		    "%s: those limits are rlimits only", cg.memory ? "" :
		    "memory", !cg.memory && !cg.pids ? " and " : "",
		    cg.pids ? "" : "pids", !cg.memory && !cg.pids ? "s are" :
		    " is", cg.base);
}

/* Whether tenants get a cgroup. */
int
cgroup_enabled(void)
{
	return cg.on;
}

static int
cgroup_tenant_dir(const char *name, char *buf, size_t len)
{
	int n;

	n = snprintf(buf, len, "%s/%s%s", cg.root, name, CGROUP_SUFFIX);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/*
 * /proc/PID/cgroup text: 1 and the tenant's name when the unified line
 * ("0::PATH") ends in /subtree/NAME.tenant, 0 otherwise.
 */
int
cgroup_parse_tenant(const char *text, const char *subtree, char *name,
    size_t len)
{
	const char *l, *e, *n;
	size_t sl = strlen(subtree), xl = strlen(CGROUP_SUFFIX);

	for (l = text; *l != '\0'; l = *e == '\n' ? e + 1 : e) {
		e = l + strcspn(l, "\n");
		if (strncmp(l, "0::", 3) != 0)
			continue;
		/* NAME.tenant is the last component, subtree the one before. */
		for (n = e; n > l && n[-1] != '/'; n--)
			;
		if (n - l < (ptrdiff_t)(sl + 5) || (size_t)(e - n) <= xl ||
		    (size_t)(e - n) - xl >= len ||
		    strncmp(e - xl, CGROUP_SUFFIX, xl) != 0 ||
		    strncmp(n - 1 - sl, subtree, sl) != 0 ||
		    n[-2 - (ptrdiff_t)sl] != '/')
			return 0;
		memcpy(name, n, (size_t)(e - n) - xl);
		name[(size_t)(e - n) - xl] = '\0';
		return 1;
	}
	return 0;
}

/* Our subtree's last path component, which /proc/PID/cgroup shows. */
const char *
cgroup_subtree(void)
{
	const char *s;

	if (!cg.on || (s = strrchr(cg.root, '/')) == NULL)
		return NULL;
	return s + 1;
}

/* A tenant's cgroup file, for the figures resource.c reports. */
int
cgroup_tenant_read(const char *name, const char *file, char *buf,
    size_t len)
{
	char dir[PATH_MAX];

	if (!cg.on || cgroup_tenant_dir(name, dir, sizeof(dir)) == -1)
		return -1;
	return cgroup_read(dir, file, buf, len);
}

static void
cgroup_limit(const char *name, const char *dir, const char *file,
    int64_t want, int64_t *have)
{
	char v[32];

	if (*have == want)
		return;
	if (want < 0)
		snprintf(v, sizeof(v), "max");
	else
		snprintf(v, sizeof(v), "%" PRId64, want);
	if (cgroup_write(dir, file, v) == -1) {
		log_warn("%s: unable to set %s to %s: %s", name, file, v,
		    strerror(errno));
		*have = -2;
		return;
	}
	*have = want;
}

/* A tenant added again while its old cgroup awaits removal keeps it. */
static void
cgroup_unpend(const char *dir)
{
	size_t i;

	for (i = 0; i < cg.npending; i++)
		if (strcmp(cg.pending[i], dir) == 0) {
			free(cg.pending[i]);
			cg.pending[i] = cg.pending[--cg.npending];
			return;
		}
}

/*
 * Called at every start.  mkdir each time (an EEXIST costs a path lookup)
 * so that a cgroup someone removed comes back; limits are written only
 * when they changed or the cgroup is new.
 */
int
cgroup_prepare(const char *name, struct cgroup_tenant *ct,
    int64_t memory_max, int64_t pids_max, char *path, size_t len)
{
	if (!cg.on)
		return -1;
	if (cgroup_tenant_dir(name, path, len) == -1)
		return -1;
	if (mkdir(path, 0755) == 0) {
		/* Workers may read their limits, never write them. */
		(void)chmod(path, 0755);
		ct->memory_max = ct->pids_max = -2;
	} else if (errno != EEXIST) {
		log_warn("%s: unable to create cgroup %s: %s", name, path,
		    strerror(errno));
		return -1;
	}
	if (!ct->made) {
		cgroup_unpend(path);
		ct->made = 1;
	}
	if (cg.memory)
		cgroup_limit(name, path, "memory.max", memory_max,
		    &ct->memory_max);
	if (cg.pids)
		cgroup_limit(name, path, "pids.max", pids_max, &ct->pids_max);
	return 0;
}

/* A stop signal reaches processes that left the group with setsid too. */
void
cgroup_signal(const char *name, int sig, pid_t pgid)
{
	char dir[PATH_MAX], path[PATH_MAX];
	FILE *f;
	pid_t pid;

	if (!cg.on || cgroup_tenant_dir(name, dir, sizeof(dir)) == -1 ||
	    cgroup_path(path, sizeof(path), dir, "cgroup.procs", NULL) == -1 ||
	    (f = fopen(path, "re")) == NULL)
		return;
	while (cgroup_next_pid(f, &pid) == 1)
		if (pid > 1 && getpgid(pid) != pgid)
			(void)kill(pid, sig);
	(void)fclose(f);
}

/* No process of a tenant survives its stop (SPEC section 5). */
void
cgroup_kill(const char *name)
{
	char dir[PATH_MAX];

	if (!cg.on || cgroup_tenant_dir(name, dir, sizeof(dir)) == -1)
		return;
	cgroup_kill_dir(dir);
}

static void
cgroup_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	size_t i, n = 0;

	cg.tries++;
	for (i = 0; i < cg.npending; i++) {
		if (rmdir(cg.pending[i]) == 0 || errno == ENOENT) {
			free(cg.pending[i]);
			continue;
		}
		if (errno != EBUSY || cg.tries >= CGROUP_RETRIES) {
			log_warn("unable to remove cgroup %s: %s",
			    cg.pending[i], strerror(errno));
			free(cg.pending[i]);
			continue;
		}
		cg.pending[n++] = cg.pending[i];
	}
	cg.npending = n;
	if (n == 0) {
		ev_timer_stop(loop, w);
		cg.tries = 0;
	}
}

/*
 * rmdir succeeds only on an empty cgroup, and the processes a kill just
 * killed may still be exiting: then try again from a timer.
 */
void
cgroup_remove(const char *name, struct cgroup_tenant *ct)
{
	char dir[PATH_MAX], *d, **np;

	if (!cg.on || !ct->made ||
	    cgroup_tenant_dir(name, dir, sizeof(dir)) == -1)
		return;
	ct->made = 0;
	if (rmdir(dir) == 0 || errno == ENOENT)
		return;
	if (errno != EBUSY) {
		log_warn("%s: unable to remove cgroup %s: %s", name, dir,
		    strerror(errno));
		return;
	}
	np = realloc(cg.pending, (cg.npending + 1) * sizeof(*np));
	if (np == NULL || (d = strdup(dir)) == NULL) {
		if (np != NULL)
			cg.pending = np;
		log_warn("%s: cgroup %s left: %s", name, dir,
		    strerror(ENOMEM));
		return;
	}
	cg.pending = np;
	cg.pending[cg.npending++] = d;
	if (cg.loop == NULL) {
		/* The master's one default loop, running by now. */
		cg.loop = ev_default_loop(0);
		ev_timer_init(&cg.retry, cgroup_retry_cb, CGROUP_RETRY_S,
		    CGROUP_RETRY_S);
	}
	if (!ev_is_active(&cg.retry))
		ev_timer_start(cg.loop, &cg.retry);
}

/* Leave no empty cgroups behind; the subtree too unless we live in it. */
void
cgroup_cleanup(void)
{
	char dir[PATH_MAX];
	struct dirent *de;
	size_t i;
	DIR *d;

	for (i = 0; i < cg.npending; i++)
		free(cg.pending[i]);
	free(cg.pending);
	cg.pending = NULL;
	cg.npending = 0;
	if (cg.loop != NULL && ev_is_active(&cg.retry))
		ev_timer_stop(cg.loop, &cg.retry);
	if (!cg.on || (d = opendir(cg.root)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!cgroup_is_tenant(de->d_name) ||
		    cgroup_path(dir, sizeof(dir), cg.root, de->d_name,
		    NULL) == -1 || rmdir(dir) == 0 || errno != EBUSY)
			continue;
		/* Every worker is gone: what is left must go too. */
		cgroup_kill_dir(dir);
		if (cgroup_wait_empty(dir, 1000) == -1 || rmdir(dir) == -1)
			log_warn("unable to remove cgroup %s: %s", dir,
			    strerror(errno));
	}
	closedir(d);
	if (!cg.moved)
		(void)rmdir(cg.root);
}

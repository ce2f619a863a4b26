/*
 * reaper.c: the shim's resident mode (-R), for a tenant without a cgroup.
 * The shim becomes a child subreaper and starts the worker, so every
 * process the tenant starts, whatever session it moves to, stays below it,
 * and an orphan (a double fork's grandchild, Puppeteer's detached
 * Chromium) is re-parented here instead of to the master.  Then it sleeps
 * in sigwaitinfo(): the master's requests arrive as queued real-time
 * signals (shimproto.h); when the worker exits, it SIGKILLs whatever is
 * left below it, waits until it has no child at all, and exits as the
 * worker did.  So the master's SIGCHLD for it means "the tenant's
 * processes are all gone".
 *
 * The worker is started as posix_spawn() starts a child: with CLONE_VM and
 * CLONE_VFORK, on a stack of its own, while the reaper waits; a fork()
 * would copy the page tables and take a copy-on-write fault for every page
 * either side then writes (1.6 ms more per start, measured).  The worker
 * runs the shim's stages in the reaper's memory, so from then on the
 * reaper never uses the heap (a worker killed inside malloc() would leave
 * its lock taken): its walks of the tree use mmap() and getdents64().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pidref.h"
#include "procstat.h"
#include "reaper.h"
#include "shimproto.h"
#include "stages.h"

#define REAPER_ROUND_MS	100	/* longest wait between two kill rounds */
#define REAPER_STACK	(256 * 1024)	/* the worker's until it execs */
#define REAPER_CHILD	(-1)	/* our own child: its pid is ours till reaped */
#define REAPER_NOFD	(-2)	/* no pidfds here: the pid, checked by ppid */

/* One process below us, found by a walk. */
struct rnode {
	pid_t	pid;
	int	fd;		/* pidfd, REAPER_CHILD or REAPER_NOFD */
};

/* One walk of the tree: a queue (breadth first) and the pids seen. */
struct rwalk {
	struct rnode	*q;
	size_t		 head, n, cap;	/* cap in bytes, as below */
	pid_t		*set;		/* open addressing, 0 = free */
	size_t		 setcap, setn;	/* setcap in entries */
	char		*buf;		/* one children file */
	size_t		 buflen;
	pid_t		*snap;		/* no children files: pid, ppid pairs */
	size_t		 nsnap, snapcap;
};

/* What the shim's argv and environment occupy, blanked in the reaper. */
struct rblank {
	char	*argv, *env;
	size_t	 argvlen, envlen;
};

/* What the worker needs on its way from clone() to its stages. */
struct rstart {
	sigset_t	  old;
	void		(*fn)(void *);
	void		 *arg;
};

static pid_t	reaper_self;
static int	reaper_nochildren;	/* the kernel has no children files */

/* Grow a walk's array to hold want bytes (pages, by mmap): 0 or -1. */
static int
reaper_grow(void *pp, size_t *cap, size_t want)
{
	void **p = pp, *np;
	size_t ncap = *cap ? *cap : 16384;

	if (want <= *cap)
		return 0;
	while (ncap < want)
		ncap *= 2;
	if (*p == NULL)
		np = mmap(NULL, ncap, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	else
		np = mremap(*p, *cap, ncap, MREMAP_MAYMOVE);
	if (np == MAP_FAILED)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

static void
reaper_drop(void *p, size_t cap)
{
	if (p != NULL)
		(void)munmap(p, cap);
}

static size_t
reaper_hash(pid_t pid, size_t cap)
{
	return ((size_t)(unsigned)pid * 2654435761u) & (cap - 1);
}

/* 1 if pid is new to this walk (and now marked), 0 if seen or no memory. */
static int
reaper_mark(struct rwalk *w, pid_t pid)
{
	pid_t *old = w->set, *nset = NULL;
	size_t i, j, ocap = w->setcap, ncap, bytes = 0;

	if ((w->setn + 1) * 2 > w->setcap) {
		/* 16 KiB and its doublings: whole mappings, as reaper_grow. */
		ncap = ocap ? ocap * 2 : 16384 / sizeof(*nset);
		/* A fresh mapping is zeroed: every slot free. */
		if (reaper_grow(&nset, &bytes, ncap * sizeof(*nset)) == -1)
			return 0;
		for (i = 0; i < ocap; i++) {
			if (old[i] == 0)
				continue;
			for (j = reaper_hash(old[i], ncap); nset[j] != 0;
			    j = (j + 1) & (ncap - 1))
				;
			nset[j] = old[i];
		}
		reaper_drop(old, ocap * sizeof(*old));
		w->set = nset;
		w->setcap = ncap;
	}
	for (i = reaper_hash(pid, w->setcap); w->set[i] != 0;
	    i = (i + 1) & (w->setcap - 1))
		if (w->set[i] == pid)
			return 0;
	w->set[i] = pid;
	w->setn++;
	return 1;
}

static int
reaper_push(struct rwalk *w, pid_t pid, int fd)
{
	if (reaper_grow(&w->q, &w->cap, (w->n + 1) * sizeof(*w->q)) == -1)
		return -1;
	w->q[w->n].pid = pid;
	w->q[w->n].fd = fd;
	w->n++;
	return 0;
}

/* The whole of a small /proc file into w->buf, NUL-terminated. */
static int
reaper_slurp(struct rwalk *w, const char *path)
{
	size_t got = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	for (;;) {
		if (got + 1 >= w->buflen &&
		    reaper_grow(&w->buf, &w->buflen, got + 2) == -1)
			break;
		n = read(fd, w->buf + got, w->buflen - 1 - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (w->buf == NULL)
		return -1;
	w->buf[got] = '\0';
	return 0;
}

/* The parent pid /proc says pid has now; -1 if it is gone. */
static pid_t
reaper_ppid(pid_t pid)
{
	struct procstat ps;
	char path[64], buf[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (procstat_parse(buf, &ps) == -1 || ps.state == 'Z' ||
	    ps.state == 'X')
		return -1;
	return ps.ppid;
}

/*
 * Queue c, a child that parent's list named.  Our own child is safe by pid
 * until we reap it; any other is pinned by a pidfd and kept only if it
 * still names parent as its parent once the pidfd is open: the pidfd then
 * holds the process that pid was when it was parent's child, or a dead
 * one, which a signal cannot reach.
 */
static void
reaper_adopt(struct rwalk *w, const struct rnode *parent, pid_t c)
{
	int fd;

	if (c == reaper_self || !reaper_mark(w, c))
		return;
	if (parent->pid == reaper_self) {
		(void)reaper_push(w, c, REAPER_CHILD);
		return;
	}
	if ((fd = pidref_open(c)) == -1) {
		if (errno != ENOSYS)
			return;		/* gone already */
		fd = REAPER_NOFD;
	}
	if (reaper_ppid(c) != parent->pid || reaper_push(w, c, fd) == -1) {
		if (fd >= 0)
			close(fd);
	}
}

/* Whether the process behind n is still the one we found (not reaped). */
static int
reaper_still(const struct rnode *n)
{
	if (n->pid == reaper_self || n->fd == REAPER_CHILD)
		return 1;	/* ours: we have not reaped it */
	if (n->fd >= 0)
		return pidref_signal(n->fd, 0) == 0 || errno == EPERM;
	return kill(n->pid, 0) == 0 || errno == EPERM;
}

/*
 * Call fn for each numeric entry of directory path, read with getdents64()
 * (opendir() would take memory from the heap).
 */
static void
reaper_dir(const char *path, void (*fn)(struct rwalk *, const void *,
    const char *), struct rwalk *w, const void *arg)
{
	char buf[4096];
	struct dirent64 *de;
	ssize_t n, off;
	int fd;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	while ((n = getdents64(fd, buf, sizeof(buf))) > 0)
		for (off = 0; off < n; off += de->d_reclen) {
			de = (struct dirent64 *)(void *)(buf + off);
			if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
				fn(w, arg, de->d_name);
		}
	close(fd);
}

/* One thread of p: the children it forked. */
static void
reaper_task(struct rwalk *w, const void *arg, const char *tid)
{
	const struct rnode *p = arg;
	char path[96];
	const char *s;
	pid_t c;

	snprintf(path, sizeof(path), "/proc/%d/task/%.16s/children",
	    (int)p->pid, tid);
	if (reaper_slurp(w, path) == -1)
		return;
	for (s = w->buf; (s = procstat_next_pid(s, &c)) != NULL;)
		reaper_adopt(w, p, c);
}

/* Children of p from the snapshot of a kernel without children files. */
static void
reaper_expand_snap(struct rwalk *w, const struct rnode *p)
{
	size_t i;

	for (i = 0; i < w->nsnap; i++)
		if (w->snap[2 * i + 1] == p->pid)
			reaper_adopt(w, p, w->snap[2 * i]);
}

/*
 * Queue every child of p: the children file of each of its threads, since
 * a child belongs to the thread that forked it.  The children are kept
 * only if p was still itself after its lists were read; if it died
 * meanwhile they are re-parented to us, and the next round finds them.
 */
static void
reaper_expand(struct rwalk *w, const struct rnode *p)
{
	char path[64];
	size_t first = w->n, i;

	if (reaper_nochildren)
		reaper_expand_snap(w, p);
	else {
		snprintf(path, sizeof(path), "/proc/%d/task", (int)p->pid);
		reaper_dir(path, reaper_task, w, p);
	}
	if (reaper_still(p))
		return;
	for (i = first; i < w->n; i++)
		if (w->q[i].fd >= 0)
			close(w->q[i].fd);
	w->n = first;
}

/* One process of /proc, for the snapshot. */
static void
reaper_snap1(struct rwalk *w, const void *arg, const char *name)
{
	pid_t pid, ppid;

	(void)arg;
	if (procstat_next_pid(name, &pid) == NULL ||
	    (ppid = reaper_ppid(pid)) <= 0 ||
	    reaper_grow(&w->snap, &w->snapcap, (w->nsnap + 1) * 2 *
	    sizeof(*w->snap)) == -1)
		return;
	w->snap[2 * w->nsnap] = pid;
	w->snap[2 * w->nsnap + 1] = ppid;
	w->nsnap++;
}

/* Without children files: every process's parent, read from /proc. */
static void
reaper_snapshot(struct rwalk *w)
{
	w->nsnap = 0;
	reaper_dir("/proc", reaper_snap1, w, NULL);
}

static void
reaper_send(const struct rnode *n, int sig)
{
	if (n->fd >= 0)
		(void)pidref_signal(n->fd, sig);
	else
		(void)kill(n->pid, sig);
}

/*
 * Send sig to every process below us, parents before their children, each
 * after its own children were queued: a parent that dies of the signal
 * leaves them pinned in the queue, not lost.  Returns how many.
 */
static size_t
reaper_walk(int sig)
{
	struct rwalk w;
	struct rnode n;
	size_t count = 0;

	memset(&w, 0, sizeof(w));
	if (reaper_nochildren)
		reaper_snapshot(&w);
	if (reaper_push(&w, reaper_self, REAPER_CHILD) == -1)
		goto out;
	while (w.head < w.n) {
		n = w.q[w.head++];
		reaper_expand(&w, &n);
		if (n.pid == reaper_self)
			continue;
		reaper_send(&n, sig);
		count++;
		if (n.fd >= 0)
			close(n.fd);
	}
out:
	reaper_drop(w.q, w.cap);
	reaper_drop(w.set, w.setcap * sizeof(*w.set));
	reaper_drop(w.buf, w.buflen);
	reaper_drop(w.snap, w.snapcap);
	return count;
}

/* Exit as the worker did; a signal's core-dump flag is lost. */
static void __attribute__((noreturn))
reaper_exit(int status)
{
	struct rlimit core = { 0, 0 };
	sigset_t one;
	int sig;

	if (!WIFSIGNALED(status))
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 127);
	sig = WTERMSIG(status);
	(void)setrlimit(RLIMIT_CORE, &core);	/* no core of our own */
	(void)signal(sig, SIG_DFL);
	sigemptyset(&one);
	sigaddset(&one, sig);
	(void)kill(getpid(), sig);	/* pending until unblocked */
	(void)sigprocmask(SIG_UNBLOCK, &one, NULL);
	_exit(128 + sig);
}

/*
 * The worker is gone: SIGKILL everything below us, in rounds, until we
 * have no child left at all.  A process forked before its parent's
 * SIGKILL landed is re-parented to us and found by the next round; a fork
 * bomb dies out because a killed process forks no more (limits.nproc
 * bounds how many there are).
 */
static void __attribute__((noreturn))
reaper_finish(int status)
{
	struct timespec ts = { 0, REAPER_ROUND_MS * 1000000L };
	sigset_t chld;
	pid_t p;
	int st;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (;;) {
		/* No child left means no descendant: all went through us. */
		while ((p = waitpid(-1, &st, WNOHANG)) > 0)
			;
		if (p == -1 && errno == ECHILD)
			break;
		(void)reaper_walk(SIGKILL);
		(void)sigtimedwait(&chld, NULL, &ts);
	}
	reaper_exit(status);
}

/* Sleep in the kernel until a child exits or the master asks. */
static void __attribute__((noreturn))
reaper_run(pid_t worker)
{
	sigset_t set;
	siginfo_t si;
	pid_t p;
	int st, sig;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SHIM_SIG_TREE);
	sigaddset(&set, SHIM_SIG_WORKER);
	for (;;) {
		if (sigwaitinfo(&set, &si) == -1)
			continue;
		if (si.si_signo == SIGCHLD) {
			while ((p = waitpid(-1, &st, WNOHANG)) > 0)
				if (p == worker)
					reaper_finish(st);
			continue;
		}
		/* Only the master, our parent, may ask. */
		if (si.si_code != SI_QUEUE || si.si_pid != getppid())
			continue;
		sig = si.si_value.sival_int;
		if (sig < 0 || sig >= NSIG)
			continue;
		if (si.si_signo == SHIM_SIG_TREE)
			(void)reaper_walk(sig);
		else
			(void)kill(worker, sig);
	}
}

/*
 * Where argv and the environment lie (the kernel copied their strings
 * each in one piece): taken before the worker runs, since its setenv()
 * calls, in our memory, change what environ points to.
 */
static void
reaper_span(char **v, int n, char **start, size_t *len)
{
	int i;

	*start = NULL;
	*len = 0;
	if (v == NULL || n <= 0)
		return;
	for (i = 1; i < n; i++)	/* one piece, in order, or none */
		if (v[i] != v[i - 1] + strlen(v[i - 1]) + 1)
			return;
	*start = v[0];
	*len = (size_t)(v[n - 1] + strlen(v[n - 1]) - v[0]);
}

/*
 * What the reaper holds: no descriptor (the master's pipes see EOF when
 * the worker closes them, as without a reaper), no directory, no argv or
 * environment of the tenant's (ps, pgrep -f and environ watchers must not
 * take it for the worker), and no place on the OOM killer's list where it
 * may be kept off it.
 */
static void
reaper_detach(const struct rblank *b)
{
	char path[96];
	int fd;

	(void)prctl(PR_SET_NAME, SHIM_REAPER_NAME, 0, 0, 0);
	if (b->env != NULL)
		memset(b->env, 0, b->envlen);
	if (b->argv != NULL) {
		memset(b->argv, 0, b->argvlen);
		if (b->argvlen >= sizeof(SHIM_REAPER_NAME) - 1)
			memcpy(b->argv, SHIM_REAPER_NAME,
			    sizeof(SHIM_REAPER_NAME) - 1);
	}
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 0U, ~0U, 0U) == -1)
#endif
		for (fd = 0; fd <= SHIM_STATUS_FD; fd++)
			close(fd);
	if ((fd = open("/proc/self/oom_score_adj", O_WRONLY |
	    O_CLOEXEC)) != -1) {
		(void)!write(fd, "-1000", 5);
		close(fd);
	}
	/* Kernels without CONFIG_PROC_CHILDREN: walk by /proc's ppids. */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children",
	    (int)reaper_self, (int)reaper_self);
	reaper_nochildren = access(path, R_OK) == -1 && errno == ENOENT;
	(void)!chdir("/");
}

/*
 * The worker, from clone() to its stages: the pid first, before any stage
 * can report a failure, then a session of its own, as without a reaper.
 * It runs on its own stack in our memory; we wait until it execs or exits.
 */
static int
reaper_worker(void *arg)
{
	struct rstart *rs = arg;
	struct shim_report r;

	r.stage = SHIM_WORKER_PID;
	r.error = (int32_t)getpid();
	if (write(SHIM_STATUS_FD, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(127);
	(void)sigprocmask(SIG_SETMASK, &rs->old, NULL);
	if (setsid() == -1)
		stage_fail(SHIM_STAGE_REAPER, errno);
	rs->fn(rs->arg);
	_exit(127);
}

/* -R: start the worker and stay as the tenant's subreaper. */
void
reaper_start(int argc, char **argv, void (*fn)(void *), void *arg)
{
	struct rstart rs;
	struct rblank b;
	sigset_t all;
	char *stack, **e;
	pid_t pid;
	int n;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1)
		stage_fail(SHIM_STAGE_REAPER, errno);
	for (n = 0, e = environ; e != NULL && e[n] != NULL; n++)
		;
	reaper_span(argv, argc, &b.argv, &b.argvlen);
	reaper_span(environ, n, &b.env, &b.envlen);
	/* Nothing is delivered to us from here on: we wait for it. */
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &rs.old) == -1)
		stage_fail(SHIM_STAGE_REAPER, errno);
	rs.fn = fn;
	rs.arg = arg;
	stack = mmap(NULL, REAPER_STACK, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		stage_fail(SHIM_STAGE_REAPER, errno);
	pid = clone(reaper_worker, stack + REAPER_STACK,
	    CLONE_VM | CLONE_VFORK | SIGCHLD, &rs);
	if (pid == -1)
		stage_fail(SHIM_STAGE_REAPER, errno);
	/* The worker has executed its command, or exited. */
	(void)munmap(stack, REAPER_STACK);
	reaper_self = getpid();
	reaper_detach(&b);
	reaper_run(pid);
}

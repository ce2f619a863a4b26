/*
 * reaper.c: the shim's resident mode (-R), for a tenant without a cgroup.
 * The shim becomes a child subreaper and forks the worker, so every process
 * the tenant starts, whatever session it moves to, stays below it, and an
 * orphan (a double fork's grandchild, Puppeteer's detached Chromium) is
 * re-parented here instead of to the master.  Then it sleeps in
 * sigwaitinfo(): the master's requests arrive as queued real-time signals
 * (shimproto.h); when the worker exits, it SIGKILLs whatever is left below
 * it, waits until it has no child at all, and exits as the worker did.  So
 * the master's SIGCHLD for it means "the tenant's processes are all gone".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	size_t		 head, n, cap;
	pid_t		*set;		/* open addressing, 0 = free */
	size_t		 setcap, setn;
	char		*buf;		/* one children file */
	size_t		 buflen;
	pid_t		*snap;		/* no children files: pid, ppid pairs */
	size_t		 nsnap;
};

static pid_t	reaper_self;
static int	reaper_nochildren;	/* the kernel has no children files */

static size_t
reaper_hash(pid_t pid, size_t cap)
{
	return ((size_t)(unsigned)pid * 2654435761u) & (cap - 1);
}

/* 1 if pid is new to this walk (and now marked), 0 if seen or no memory. */
static int
reaper_mark(struct rwalk *w, pid_t pid)
{
	pid_t *old = w->set, *nset;
	size_t i, j, ocap = w->setcap, ncap;

	if ((w->setn + 1) * 2 > w->setcap) {
		ncap = ocap ? ocap * 2 : 256;
		if ((nset = calloc(ncap, sizeof(*nset))) == NULL)
			return 0;
		for (i = 0; i < ocap; i++) {
			if (old[i] == 0)
				continue;
			for (j = reaper_hash(old[i], ncap); nset[j] != 0;
			    j = (j + 1) & (ncap - 1))
				;
			nset[j] = old[i];
		}
		free(old);
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
	struct rnode *nq;
	size_t ncap;

	if (w->n == w->cap) {
		ncap = w->cap ? w->cap * 2 : 64;
		if ((nq = realloc(w->q, ncap * sizeof(*nq))) == NULL)
			return -1;
		w->q = nq;
		w->cap = ncap;
	}
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
	char *nb;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	for (;;) {
		if (got + 1 >= w->buflen) {
			if ((nb = realloc(w->buf, w->buflen ? w->buflen * 2 :
			    4096)) == NULL)
				break;
			w->buf = nb;
			w->buflen = w->buflen ? w->buflen * 2 : 4096;
		}
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
	char path[96];
	struct dirent *de;
	const char *s;
	size_t first = w->n, i;
	pid_t c;
	DIR *d;

	if (reaper_nochildren)
		reaper_expand_snap(w, p);
	else {
		snprintf(path, sizeof(path), "/proc/%d/task", (int)p->pid);
		if ((d = opendir(path)) == NULL)
			return;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] < '1' || de->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%d/task/%.16s/"
			    "children", (int)p->pid, de->d_name);
			if (reaper_slurp(w, path) == -1)
				continue;
			for (s = w->buf; (s = procstat_next_pid(s, &c)) !=
			    NULL;)
				reaper_adopt(w, p, c);
		}
		closedir(d);
	}
	if (reaper_still(p))
		return;
	for (i = first; i < w->n; i++)
		if (w->q[i].fd >= 0)
			close(w->q[i].fd);
	w->n = first;
}

/* Without children files: every process's parent, read from /proc. */
static void
reaper_snapshot(struct rwalk *w)
{
	struct dirent *de;
	pid_t pid, ppid, *ns;
	size_t cap = 0;
	DIR *d;

	w->nsnap = 0;
	if ((d = opendir("/proc")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (procstat_next_pid(de->d_name, &pid) == NULL ||
		    (ppid = reaper_ppid(pid)) <= 0)
			continue;
		if (w->nsnap == cap) {
			cap = cap ? cap * 2 : 1024;
			if ((ns = realloc(w->snap, cap * 2 *
			    sizeof(*ns))) == NULL)
				break;
			w->snap = ns;
		}
		w->snap[2 * w->nsnap] = pid;
		w->snap[2 * w->nsnap + 1] = ppid;
		w->nsnap++;
	}
	closedir(d);
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
	free(w.q);
	free(w.set);
	free(w.buf);
	free(w.snap);
	(void)malloc_trim(0);	/* a thousand reapers: keep each small */
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
 * What the reaper holds: no descriptor (the master's pipes see EOF when
 * the worker closes them, as without a reaper), no directory, no argv or
 * environment of the tenant's (ps, pgrep -f and environ watchers must not
 * take it for the worker), and no place on the OOM killer's list where it
 * may be kept off it.
 */
static void
reaper_detach(int argc, char **argv)
{
	char path[96], **e;
	size_t len;
	int i, fd;

	(void)prctl(PR_SET_NAME, SHIM_REAPER_NAME, 0, 0, 0);
	/* Nor the tenant's environment (a watcher reads it from /proc). */
	for (e = environ; e != NULL && *e != NULL; e++)
		memset(*e, 0, strlen(*e));
	for (i = 0; i < argc; i++) {
		len = strlen(argv[i]);
		memset(argv[i], 0, len);
		if (i == 0 && len >= sizeof(SHIM_REAPER_NAME) - 1)
			memcpy(argv[i], SHIM_REAPER_NAME,
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

/* -R: fork the worker and stay as the tenant's subreaper. */
void
reaper_start(int argc, char **argv)
{
	struct shim_report r;
	sigset_t all, old;
	pid_t pid;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1)
		stage_fail(SHIM_STAGE_REAPER, errno);
	/* Nothing is delivered to us from here on: we wait for it. */
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &old) == -1)
		stage_fail(SHIM_STAGE_REAPER, errno);
	if ((pid = fork()) == -1)
		stage_fail(SHIM_STAGE_REAPER, errno);
	if (pid == 0) {
		/* The pid first, before any stage can report a failure. */
		r.stage = SHIM_WORKER_PID;
		r.error = (int32_t)getpid();
		if (write(SHIM_STATUS_FD, &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(127);
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
		if (setsid() == -1)	/* its own session, as without us */
			stage_fail(SHIM_STAGE_REAPER, errno);
		return;
	}
	reaper_self = getpid();
	reaper_detach(argc, argv);
	reaper_run(pid);
}

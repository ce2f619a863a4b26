/*
 * spawn.c: pipes, posix_spawn of the shim, process group signals, and the
 * requests a tenant's reaper takes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "clock.h"
#include "fd.h"
#include "ident.h"
#include "log.h"
#include "shimproto.h"
#include "spawn.h"
#include "sdnotify.h"
#include "spawner.h"

#define SPAWN_WORKER_WAIT_MS	2000	/* a reaper names its worker */

/* Growable NULL-terminated vector of malloc'd strings. */
struct strv {
	char	**v;
	size_t	  n, cap;
};

static int
strv_add(struct strv *sv, char *s)
{
	char **nv;

	if (s == NULL)
		return -1;
	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 32;
		if ((nv = realloc(sv->v, sv->cap * sizeof(*nv))) == NULL) {
			free(s);
			return -1;
		}
		sv->v = nv;
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
	return 0;
}

static int
strv_cat(struct strv *sv, const char *sep, const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, "%s%s%s", a, sep, b) == -1)
		return -1;
	return strv_add(sv, s);
}

static void
strv_free(struct strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

/*
 * The worker's environment is built afresh from the spec at every start:
 * nothing comes from the master's own environment (SPEC section 4), so no
 * VECTIS_TOKEN or other secret of the operator's shell reaches a tenant.
 * HOME, USER, LOGNAME, PATH and LANG are the shim's, which knows the user;
 * a variable the supervisor sets is not also taken from the spec.
 */
static int
spawn_env(const struct tenant_spec *s, struct strv *env)
{
	const char *sock = NULL;
	char num[32];
	size_t i;

	if (s->notify == NOTIFY_SYSTEMD)
		sock = sdnotify_address();
	for (i = 0; i < s->nenv; i++) {
		if ((sock != NULL && strcmp(s->env[i].key,
		    "NOTIFY_SOCKET") == 0) || (s->heartbeat.timeout_s > 0 &&
		    strcmp(s->env[i].key, "WATCHDOG_USEC") == 0))
			continue;
		if (strv_cat(env, "=", s->env[i].key, s->env[i].value) == -1)
			return -1;
	}
	if (s->heartbeat.timeout_s > 0) {
		/* As systemd sets it; the shim adds WATCHDOG_PID. */
		snprintf(num, sizeof(num), "%lld",
		    (long long)s->heartbeat.timeout_s * 1000000);
		if (strv_cat(env, "=", "WATCHDOG_USEC", num) == -1)
			return -1;
	}
	if (sock != NULL && strv_cat(env, "=", "NOTIFY_SOCKET", sock) == -1)
		return -1;
	snprintf(num, sizeof(num), "%d", SHIM_NOTIFY_FD);
	if (strv_cat(env, "=", "VECTIS_NOTIFY_FD", num) == -1 ||
	    strv_cat(env, "=", "VECTIS_NAME", s->name) == -1)
		return -1;
	if (s->tenant_id != NULL &&
	    strv_cat(env, "=", "VECTIS_TENANT_ID", s->tenant_id) == -1)
		return -1;
	return 0;
}

static int
spawn_argv_num(struct strv *argv, const char *flag, long long v)
{
	char num[32];

	if (v < 0)
		return 0;
	snprintf(num, sizeof(num), "%lld", v);
	return strv_cat(argv, "", flag, num);
}

/* "-S" "1,2,3": the supplementary groups; "-S" "" for none. */
static int
spawn_argv_groups(struct strv *argv, const struct ident *id)
{
	char *list, *p;
	int i;

	if ((list = malloc((size_t)id->ngroups * 12 + 1)) == NULL)
		return -1;
	p = list;
	*p = '\0';
	for (i = 0; i < id->ngroups; i++)
		p += sprintf(p, "%s%lu", i ? "," : "",
		    (unsigned long)id->groups[i]);
	if (strv_add(argv, strdup("-S")) == -1) {
		free(list);
		return -1;
	}
	return strv_add(argv, list);
}

/* -U uid -G gid -S groups when changing; -H home and -L name for the env. */
static int
spawn_argv_ident(struct strv *argv, const struct ident *id)
{
	if (id->change &&
	    (spawn_argv_num(argv, "-U", (long long)id->uid) == -1 ||
	    spawn_argv_num(argv, "-G", (long long)id->gid) == -1 ||
	    spawn_argv_groups(argv, id) == -1))
		return -1;
	if ((id->home[0] && strv_cat(argv, "", "-H", id->home) == -1) ||
	    (id->name[0] && strv_cat(argv, "", "-L", id->name) == -1))
		return -1;
	return 0;
}

/* vectis-worker-shim [-R] [-C dir] [-c cgroup] [-U uid -G gid ...] -- argv */
static int
spawn_argv(const struct tenant_spec *s, const struct ident *id,
    const char *shim, const struct rlimit *nofile, const char *cgroup,
    int reaper, struct strv *argv)
{
	size_t i;

	if (strv_add(argv, strdup(shim)) == -1 ||
	    (reaper && strv_add(argv, strdup("-R")) == -1) ||
	    (s->cwd != NULL && strv_cat(argv, "", "-C", s->cwd) == -1) ||
	    (cgroup != NULL && strv_cat(argv, "", "-c", cgroup) == -1) ||
	    spawn_argv_ident(argv, id) == -1 ||
	    spawn_argv_num(argv, "-n", s->limits.nofile > 0 ?
	    s->limits.nofile : (long long)nofile->rlim_cur) == -1 ||
	    spawn_argv_num(argv, "-N", s->limits.nofile > 0 ?
	    s->limits.nofile : (long long)nofile->rlim_max) == -1 ||
	    spawn_argv_num(argv, "-p", s->limits.nproc) == -1 ||
	    spawn_argv_num(argv, "-m", s->limits.memory_max_bytes) == -1 ||
	    strv_add(argv, strdup("--")) == -1)
		return -1;
	for (i = 0; i < s->argc; i++)
		if (strv_add(argv, strdup(s->argv[i])) == -1)
			return -1;
	return 0;
}

static void
spawn_close1(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

/* Close the master's ends of a worker's pipes. */
void
spawn_close_fds(struct spawn_fds *f)
{
	spawn_close1(&f->out);
	spawn_close1(&f->err);
	spawn_close1(&f->notify);
	spawn_close1(&f->status);
}

static int
spawn_pipes(int child[4], struct spawn_fds *f)
{
	int p[4][2];
	int i, j;

	for (i = 0; i < 4; i++) {
		if (pipe2(p[i], O_CLOEXEC) == -1) {
			for (j = 0; j < i; j++) {
				close(p[j][0]);
				close(p[j][1]);
			}
			return -1;
		}
		(void)fd_set_nonblock(p[i][0]);
		child[i] = p[i][1];
	}
	f->out = p[0][0];
	f->err = p[1][0];
	f->notify = p[2][0];
	f->status = p[3][0];
	return 0;
}

static int
spawn_actions(posix_spawn_file_actions_t *fa, posix_spawnattr_t *attr,
    const int child[4])
{
	sigset_t all, none;

	sigfillset(&all);
	sigemptyset(&none);
	if (posix_spawn_file_actions_init(fa) != 0)
		return -1;
	if (posix_spawnattr_init(attr) != 0) {
		posix_spawn_file_actions_destroy(fa);
		return -1;
	}
	/* dup2 clears close-on-exec on the targets: only 0-4 survive. */
	if (posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY,
	    0) != 0 ||
	    posix_spawn_file_actions_adddup2(fa, child[0], 1) != 0 ||
	    posix_spawn_file_actions_adddup2(fa, child[1], 2) != 0 ||
	    posix_spawn_file_actions_adddup2(fa, child[2],
	    SHIM_NOTIFY_FD) != 0 ||
	    posix_spawn_file_actions_adddup2(fa, child[3],
	    SHIM_STATUS_FD) != 0 ||
	    posix_spawnattr_setsigdefault(attr, &all) != 0 ||
	    posix_spawnattr_setsigmask(attr, &none) != 0 ||
	    posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSID |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK) != 0) {
		posix_spawn_file_actions_destroy(fa);
		posix_spawnattr_destroy(attr);
		return -1;
	}
	return 0;
}

/*
 * The spawner died holding this start's pipes (review L3): the clone it
 * may have made is our unreaped child, so its pid is safe to signal; a
 * reaper takes the request for its whole tree, even before it forked.
 */
static void
spawn_kill_lost(const struct tenant_spec *s, pid_t lost, int reaper)
{
	if (lost <= 0)
		return;
	log_warn("%s: killing process %d the spawner made before it died",
	    s->name, (int)lost);
	if (reaper)
		(void)spawn_reaper_signal(lost, 1, SIGKILL);
	else {
		(void)kill(lost, SIGKILL);
		cgroup_kill(s->name);
	}
}

/*
 * A reaper's first record names its worker.  Waited for here, bounded:
 * the shim is a small static program, so this is its exec and one fork
 * (a fraction of a millisecond), and the tenant's pid is then known from
 * the start, as without a reaper.  A report instead is the shim's failed
 * stage; a timeout or EOF fails the start, and the reaper is told to kill
 * whatever it made.  0, -1 (transient) or -2 (the shim refused), err set.
 */
static int
spawn_wait_worker(const struct tenant_spec *s, int fd, pid_t reaper,
    pid_t *worker, struct vx_err *err)
{
	struct shim_report r;
	struct pollfd pfd;
	uint64_t end = clock_mono_ms() + SPAWN_WORKER_WAIT_MS, now;
	ssize_t n;

	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		n = read(fd, &r, sizeof(r));
		if (n == (ssize_t)sizeof(r))
			break;
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN &&
		    (now = clock_mono_ms()) < end) {
			(void)poll(&pfd, 1, (int)(end - now));
			continue;
		}
		(void)spawn_reaper_signal(reaper, 1, SIGKILL);
		vx_err_set(err, VX_EXIT_FAIL, "worker shim %s before naming "
		    "its worker", n == 0 ? "exited" : n == -1 ?
		    "took too long" : "wrote a short record");
		return -1;
	}
	if (r.stage == SHIM_WORKER_PID && r.error > 1) {
		*worker = (pid_t)r.error;
		return 0;
	}
	/* The shim exits by itself after a report. */
	spawn_report_text(s, r.stage, r.error, err->msg, sizeof(err->msg));
	err->code = VX_EXIT_FAIL;
	return r.stage == SHIM_STAGE_REAPER && (r.error == EAGAIN ||
	    r.error == ENOMEM) ? -1 : -2;
}

/* Start one worker; the shim does the rest and reports failures. */
pid_t
spawn_worker(const struct tenant_spec *s, const char *shim,
    const struct rlimit *nofile_default, const char *cgroup,
    struct spawn_fds *f, pid_t *worker, struct vx_err *err)
{
	struct strv argv = { NULL, 0, 0 }, env = { NULL, 0, 0 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct ident id;
	int child[4], i, rc, cgfd = -1, reaper;
	pid_t pid = -1, lost = 0;

	f->out = f->err = f->notify = f->status = -1;
	*worker = -1;
	if (ident_lookup(s->user, s->group, &id, &rc) == -1) {
		/* Said as the shim would have said it, in last_error. */
		spawn_report_text(s, SHIM_STAGE_USER, rc, err->msg,
		    sizeof(err->msg));
		err->code = VX_EXIT_FAIL;
		return -2;
	}
	/* The spawner forks cheaply, right into the cgroup. */
	if (cgroup != NULL && (cgfd = open(cgroup,
	    O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		cgroup = NULL;	/* gone: this start goes without */
	/* No cgroup to hold the tenant's processes: the shim stays. */
	reaper = cgroup == NULL;
	if (spawn_argv(s, &id, shim, nofile_default, NULL, reaper,
	    &argv) == -1 || spawn_env(s, &env) == -1) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to spawn: %s",
		    strerror(ENOMEM));
		goto out;
	}
	if (spawn_pipes(child, f) == -1) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to create pipes: %s",
		    strerror(errno));
		goto out;
	}
	rc = 0;
	pid = spawner_spawn(shim, argv.v, env.v, child, cgfd, &rc, &lost);
	if (pid == -2) {
		/* posix_spawn cannot: the shim joins the cgroup itself. */
		strv_free(&argv);
		if (spawn_argv(s, &id, shim, nofile_default, cgroup, reaper,
		    &argv) == -1 || spawn_actions(&fa, &attr, child) == -1)
			rc = ENOMEM;
		else {
			rc = posix_spawn(&pid, shim, &fa, &attr, argv.v,
			    env.v);
			posix_spawn_file_actions_destroy(&fa);
			posix_spawnattr_destroy(&attr);
		}
	}
	for (i = 0; i < 4; i++)
		close(child[i]);
	if (pid == -3) {
		spawn_kill_lost(s, lost, reaper);
		pid = -1;
		vx_err_set(err, VX_EXIT_FAIL, "the spawner died during this "
		    "start");
	} else if (rc != 0 || pid <= 0) {
		if (rc == 0)
			rc = EAGAIN;
		pid = -1;
		vx_err_set(err, VX_EXIT_FAIL, "cannot start %s: %s", shim,
		    strerror(rc));
	} else if (!reaper)
		*worker = pid;
	else if ((rc = spawn_wait_worker(s, f->status, pid, worker,
	    err)) != 0)
		pid = rc;
	if (pid < 0)
		spawn_close_fds(f);
out:
	if (cgfd != -1)
		close(cgfd);
	ident_free(&id);
	strv_free(&argv);
	strv_free(&env);
	return pid;
}

/*
 * A master running as root runs a tenant as root only when its spec says
 * "user": "root" (vectis-tenants(5)); add and apply refuse such a spec
 * already, this catches one stored before the rule or by another path.
 */
int
spawn_refused(const struct tenant_spec *s, char *buf, size_t len)
{
	if (s->user != NULL || geteuid() != 0)
		return 0;
	snprintf(buf, len, "\"user\" is required when the master runs as "
	    "root: set it to the account the tenant should run as, or to "
	    "\"root\" to run it as root on purpose");
	return 1;
}

/* Whether the tenant's worker runs as uid 0 (list marks it). */
int
spawn_as_root(const struct tenant_spec *s)
{
	if (s->user == NULL)
		return geteuid() == 0;
	return strcmp(s->user, "root") == 0;
}

/*
 * Ask a tenant's reaper (our child, so its pid is safe until we reap it)
 * to send sig to every process of the tenant (tree) or to the worker.
 */
int
spawn_reaper_signal(pid_t reaper, int tree, int sig)
{
	union sigval v;

	if (reaper <= 1)
		return -1;
	v.sival_int = sig;
	if (sigqueue(reaper, tree ? SHIM_SIG_TREE : SHIM_SIG_WORKER,
	    v) == -1 && errno != ESRCH)
		return -1;
	return 0;
}

/* Signal a whole worker group; a group that is already gone is fine. */
int
spawn_killpg(pid_t pgid, int sig)
{
	if (pgid <= 1)
		return -1;	/* never the master's group or init */
	if (killpg(pgid, sig) == -1 && errno != ESRCH)
		return -1;
	return 0;
}

/* Turn the shim's {stage, errno} into the sentence last_error shows. */
void
spawn_report_text(const struct tenant_spec *s, int stage, int error,
    char *buf, size_t len)
{
	const char *why;

	why = error == SHIM_ENOUSER ? "no such user" :
	    error == SHIM_ENOGROUP ? "no such group" : strerror(error);
	if (stage == SHIM_STAGE_USER && error == SHIM_EROOTALIAS) {
		snprintf(buf, len, "user '%s' has uid 0: say \"user\": "
		    "\"root\" to run a tenant as root",
		    s->user ? s->user : "-");
		return;
	}
	switch (stage) {
	case SHIM_STAGE_EXEC:
		snprintf(buf, len, "cannot exec '%s': %s", s->argv[0], why);
		break;
	case SHIM_STAGE_CHDIR:
		snprintf(buf, len, "cannot change directory to '%s': %s",
		    s->cwd != NULL ? s->cwd : "/", why);
		break;
	case SHIM_STAGE_USER:
		snprintf(buf, len, "cannot find user '%s' or group '%s': %s",
		    s->user ? s->user : "-", s->group ? s->group : "-", why);
		break;
	case SHIM_STAGE_GROUPS:
	case SHIM_STAGE_SETGID:
		snprintf(buf, len, "cannot set group: %s", why);
		break;
	case SHIM_STAGE_SETUID:
		snprintf(buf, len, "cannot set user '%s': %s",
		    s->user ? s->user : "-", why);
		break;
	case SHIM_STAGE_RLIMIT:
		snprintf(buf, len, "cannot set resource limits: %s", why);
		break;
	case SHIM_STAGE_CAPS:
		snprintf(buf, len, "cannot drop capabilities: %s", why);
		break;
	case SHIM_STAGE_CAPBOUND:
		snprintf(buf, len, "cannot drop the capability bounding set: "
		    "%s", why);
		break;
	case SHIM_STAGE_NNP:
		snprintf(buf, len, "cannot set no_new_privs: %s", why);
		break;
	case SHIM_STAGE_CGROUP:
		snprintf(buf, len, "cannot join the tenant's cgroup: %s", why);
		break;
	case SHIM_STAGE_REAPER:
		snprintf(buf, len, "cannot start the tenant's reaper: %s",
		    why);
		break;
	default:
		snprintf(buf, len, "worker shim failed to set up: %s", why);
		break;
	}
}

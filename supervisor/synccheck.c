/*
 * synccheck.c: the periodic registration check.  The work (public IP
 * detection over the network, the secret's digest, the status rules) is
 * vectis-sync's; the master only runs `vectis-sync --check` as a child on
 * a timer, one at a time, with a time limit, and reaps it.
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <ev.h>

#include "childenv.h"
#include "log.h"
#include "master.h"
#include "synccheck.h"
#include "workerconf.h"

#define CHECK_LIMIT_S	120.	/* a check still running then is killed */

static ev_timer tick, limit;
static pid_t check_pid;

static const char *
synccheck_path(void)
{
	const char *p = getenv("VECTIS_SYNC");

	return p != NULL ? p : VECTIS_SYNC_PATH;
}

/* Only a synced node can become outdated; 0 when there is nothing to do. */
static unsigned int
synccheck_interval(int *synced)
{
	struct workerconf wc;
	struct vx_err err;
	unsigned int iv;

	vx_err_clear(&err);
	*synced = 0;
	if (workerconf_load(M->paths.worker_conf, &wc, &err) == -1) {
		log_warn("sync check: %s", err.msg);
		return 300;
	}
	*synced = wc.status == WC_SYNCED;
	iv = wc.check_interval_s;
	workerconf_free(&wc);
	return iv;
}

static void
synccheck_run(void)
{
	char *argv[] = { (char *)"vectis-sync", (char *)"--check", NULL,
	    NULL, NULL };
	char *envp[CHILDENV_MAX];
	posix_spawnattr_t attr;
	sigset_t none, all;
	int rc;

	/* The same node as ours, even when we were given --home. */
	if (M->paths.home[0] != '\0') {
		argv[2] = (char *)"--home";
		argv[3] = M->paths.home;
	}
	/* Its settings and curl's, never VECTIS_TOKEN (childenv.c). */
	childenv_build(envp);
	sigemptyset(&none);
	sigfillset(&all);
	if (posix_spawnattr_init(&attr) != 0)
		return;
	/* Each call returns an error number: keep it, not a boolean. */
	if ((rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF)) == 0 &&
	    (rc = posix_spawnattr_setsigmask(&attr, &none)) == 0 &&
	    (rc = posix_spawnattr_setsigdefault(&attr, &all)) == 0)
		rc = posix_spawn(&check_pid, synccheck_path(), NULL, &attr,
		    argv, envp);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		log_warn("sync check: unable to run %s: %s", synccheck_path(),
		    strerror(rc));
		check_pid = 0;
		return;
	}
	ev_timer_set(&limit, CHECK_LIMIT_S, 0.);
	ev_timer_start(M->loop, &limit);
}

static void
synccheck_tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	unsigned int iv;
	int synced;

	iv = synccheck_interval(&synced);
	if (iv == 0) {
		ev_timer_stop(loop, w);
		return;
	}
	if (synced && check_pid == 0 && !M->shutting_down)
		synccheck_run();
	w->repeat = iv;
	ev_timer_again(loop, w);
}

static void
synccheck_limit_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	if (check_pid > 0) {
		log_warn("sync check: still running after %.0f s, killed",
		    CHECK_LIMIT_S);
		(void)kill(check_pid, SIGKILL);
	}
}

/* See synccheck.h. */
void
synccheck_start(void)
{
	ev_init(&tick, synccheck_tick_cb);
	ev_init(&limit, synccheck_limit_cb);
	synccheck_tick_cb(M->loop, &tick, 0);
}

/* See synccheck.h. */
void
synccheck_stop(void)
{
	ev_timer_stop(M->loop, &tick);
	ev_timer_stop(M->loop, &limit);
	if (check_pid > 0) {
		(void)kill(check_pid, SIGKILL);
		(void)waitpid(check_pid, NULL, 0);
		check_pid = 0;
	}
}

/* See synccheck.h. */
int
synccheck_child(pid_t pid, int status)
{
	if (pid <= 0 || pid != check_pid)
		return 0;
	check_pid = 0;
	ev_timer_stop(M->loop, &limit);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		log_warn("sync check: vectis-sync --check failed (%s %d)",
		    WIFSIGNALED(status) ? "signal" : "status",
		    WIFSIGNALED(status) ? WTERMSIG(status) :
		    WEXITSTATUS(status));
	return 1;
}

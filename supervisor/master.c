/*
 * master.c: the master process: start-up order, the tenant table, signals,
 * child reaping, store retries and graceful shutdown.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "command.h"
#include "control.h"
#include "heartbeat.h"
#include "httpd.h"
#include "synccheck.h"
#include "lock.h"
#include "log.h"
#include "master.h"
#include "resource.h"
#include "sdmaster.h"
#include "sdnotify.h"
#include "spawner.h"
#include "spec.h"
#include "store.h"
#include "tenant.h"

struct master *M;

static int
master_cmp(const void *key, const void *elem)
{
	const struct tenant *const *t = elem;

	return strcmp(key, (*t)->name);
}

/* Tenants are kept sorted so list output needs no sort. */
struct tenant *
master_find(const char *name)
{
	struct tenant **t;

	if (M->ntenants == 0)	/* bsearch must not see a NULL base */
		return NULL;
	t = bsearch(name, M->tenants, M->ntenants, sizeof(*M->tenants),
	    master_cmp);
	return t != NULL ? *t : NULL;
}

/* Add a tenant at its sorted place. */
int
master_insert(struct tenant *t)
{
	struct tenant **nt;
	size_t lo = 0, hi = M->ntenants, mid;

	if (M->ntenants == M->cap) {
		M->cap = M->cap ? M->cap * 2 : 64;
		nt = realloc(M->tenants, M->cap * sizeof(*nt));
		if (nt == NULL)
			return -1;
		M->tenants = nt;
	}
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (strcmp(M->tenants[mid]->name, t->name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&M->tenants[lo + 1], &M->tenants[lo],
	    (M->ntenants - lo) * sizeof(*M->tenants));
	M->tenants[lo] = t;
	M->ntenants++;
	master_changed();	/* the counts in STATUS= */
	return 0;
}

/* Take a tenant out of the table (remove). */
void
master_unlink(const struct tenant *t)
{
	size_t i;

	for (i = 0; i < M->ntenants; i++)
		if (M->tenants[i] == t)
			break;
	if (i == M->ntenants)
		return;
	memmove(&M->tenants[i], &M->tenants[i + 1],
	    (M->ntenants - i - 1) * sizeof(*M->tenants));
	M->ntenants--;
	master_changed();
}

/* Waiting clients are re-checked once, before the loop next sleeps. */
void
master_changed(void)
{
	if (!ev_is_active(&M->settle_w))
		ev_prepare_start(M->loop, &M->settle_w);
}

static void
master_settle_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	size_t i;

	ev_prepare_stop(loop, w);
	tenant_queue_kick();
	command_settle();
	resource_schedule();
	sdmaster_changed(loop);
	if (!M->shutting_down)
		return;
	for (i = 0; i < M->ntenants; i++)
		if (tenant_is_active(M->tenants[i]))
			return;
	log_info("all workers stopped; exiting");
	command_shutdown_done();
	ev_break(loop, EVBREAK_ALL);
}

/*
 * SIGTERM, SIGINT or the shutdown command.  Every tenant gets the shutdown
 * event: live ones are stopped, timers and the start queue are dropped,
 * so no worker is started any more (review H3).  A second request sends
 * the stop signal again to what is still stopping.
 */
void
master_shutdown(const char *why)
{
	size_t i;

	if (M->shutting_down) {
		log_info("shutting down (%s again): signalling again", why);
		for (i = 0; i < M->ntenants; i++)
			if (tenant_is_stopping(M->tenants[i]) &&
			    M->tenants[i]->pid > 0)
				tenant_signal_all(M->tenants[i],
				    M->tenants[i]->spec.stop.signal);
		return;
	}
	log_info("shutting down (%s)", why);
	M->shutting_down = 1;
	sdmaster_stopping();
	control_stop_listening();
	for (i = 0; i < M->ntenants; i++)
		tenant_shutdown(M->tenants[i]);
	master_changed();
}

/*
 * One transaction: every row from memory, then the events queued while
 * degraded.  A try waits at most STORE_BUSY_MS for another writer.
 */
static void
master_store_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vx_err err;
	unsigned long lost;
	size_t i;

	vx_err_clear(&err);
	if (store_begin(M->store, &err) == -1)
		goto fail;
	for (i = 0; i < M->ntenants; i++)
		if (tenant_save(M->tenants[i], NULL, NULL) == -1) {
			snprintf(err.msg, sizeof(err.msg), "unable to record "
			    "%s", M->tenants[i]->name);
			goto fail;
		}
	if (store_write_queued(M->store, &err) == -1 ||
	    store_commit(M->store, &err) == -1)
		goto fail;
	log_info("database writable again; state re-recorded");
	if ((lost = store_queue_dropped(M->store)) > 0)
		log_warn("%lu event(s) were not recorded while the database "
		    "was degraded", lost);
	M->store_degraded = 0;
	ev_timer_stop(loop, w);
	heartbeat_flush();
	return;
fail:
	store_rollback(M->store);
	log_debug("database still degraded: %s", err.msg);
}

/*
 * Keep supervising; rewrite every row from memory once the store works.
 * Meanwhile writes are not even tried (tenant_save), so another process
 * holding the database never stalls supervision.
 */
void
master_store_failed(void)
{
	if (M->store_degraded)
		return;
	M->store_degraded = 1;
	log_error("database degraded: supervising on, retrying every second");
	ev_timer_again(M->loop, &M->store_retry);
}

static void
master_child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct tenant *t;

	/* libev reaps every child, orphans reparented to us included. */
	if (w->rpid == spawner_pid()) {
		log_error("the spawner exited (status %d); spawning directly",
		    w->rstatus);
		spawner_lost();
		return;
	}
	if (httpd_child(w->rpid, w->rstatus) ||
	    synccheck_child(w->rpid, w->rstatus))
		return;
	if ((t = tenant_by_pid(w->rpid)) == NULL) {
		log_debug("reaped process %d", (int)w->rpid);
		return;
	}
	tenant_exited(t, w->rstatus);
}

static void
master_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct vx_err err;

	if (w->signum == SIGHUP) {
		vx_err_clear(&err);
		if (command_reload(&err) == -1)
			log_error("reload: %s", err.msg);
		return;
	}
	master_shutdown(w->signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void
master_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	M->nofile_default = rl;
	/* Four pipes per worker: take what the hard limit allows. */
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The kernel's boot id, stored with each worker's pid (review M1). */
static void
master_boot_id(void)
{
	FILE *f;

	M->boot_id[0] = '\0';
	if ((f = fopen("/proc/sys/kernel/random/boot_id", "re")) == NULL) {
		log_warn("unable to read the boot id: %s; workers left by a "
		    "previous master will not be killed", strerror(errno));
		return;
	}
	if (fgets(M->boot_id, sizeof(M->boot_id), f) == NULL)
		M->boot_id[0] = '\0';
	(void)fclose(f);
	M->boot_id[strcspn(M->boot_id, "\n")] = '\0';
}

static int
master_load_cb(void *arg, const struct store_tenant *row)
{
	struct tenant_spec spec;
	struct vx_err err;
	struct tenant *t;

	vx_err_clear(&err);
	if (spec_from_text(row->spec_json, &spec, &err) == -1) {
		log_error("%s: stored spec is invalid, skipping: %s",
		    row->name, err.msg);
		return 0;
	}
	if ((t = tenant_new(&spec, row)) == NULL || master_insert(t) == -1)
		fatalx("unable to load tenants: %s", strerror(ENOMEM));
	/* A previous master may have died with this worker running. */
	if (row->proc.pid > 0)
		tenant_kill_leftover(t, (pid_t)row->proc.pid,
		    row->proc.pid_start, row->proc.boot_id);
	return 0;
}

static void
master_load(void)
{
	struct vx_err err;
	size_t i;

	vx_err_clear(&err);
	if (store_load_tenants(M->store, master_load_cb, NULL, &err) == -1)
		fatalx("unable to load tenants: %s", err.msg);
	/*
	 * Record that no worker of a previous master is left, in one
	 * transaction: with synchronous=FULL, one commit per tenant took
	 * 5.7 s at 1000 tenants instead of 1 s.
	 */
	if (store_begin(M->store, &err) == -1)
		goto fail;
	for (i = 0; i < M->ntenants; i++)
		if (tenant_save(M->tenants[i], NULL, NULL) == -1) {
			snprintf(err.msg, sizeof(err.msg), "unable to record "
			    "%s", M->tenants[i]->name);
			goto fail;
		}
	if (store_commit(M->store, &err) == 0)
		return;
fail:
	store_rollback(M->store);
	log_error("unable to record the tenants: %s", err.msg);
	master_store_failed();
}

static void
master_autostart(void)
{
	struct tenant *t;
	size_t i;

	for (i = 0; i < M->ntenants; i++) {
		t = M->tenants[i];
		if (tenant_wants_up(t))
			tenant_start(t, 0);
		else if (t->state == TS_FATAL && t->desired != DESIRED_STOPPED &&
		    t->spec.restart.retry_after_s > 0)
			tenant_arm_retry(t);
	}
}

static void
master_signals(struct ev_loop *loop)
{
	signal(SIGPIPE, SIG_IGN);
	ev_signal_init(&M->sigterm_w, master_signal_cb, SIGTERM);
	ev_signal_init(&M->sigint_w, master_signal_cb, SIGINT);
	ev_signal_init(&M->sighup_w, master_signal_cb, SIGHUP);
	ev_signal_start(loop, &M->sigterm_w);
	ev_signal_start(loop, &M->sigint_w);
	ev_signal_start(loop, &M->sighup_w);
	ev_child_init(&M->child_w, master_child_cb, 0, 0);
	ev_child_start(loop, &M->child_w);
}

/*
 * vectis-supervisor run: lock, config, store, leftovers, control socket,
 * autostart, loop.  Fatal errors are only possible before the loop runs.
 */
int
master_run(const struct vx_paths *paths, int standby)
{
	static struct master m;
	struct vx_err err;

	M = &m;
	M->paths = *paths;
	M->started_at = time(NULL);
	M->pid1 = getpid() == 1;
	sdmaster_init();
	vx_err_clear(&err);
	umask(027);
	if (paths_make_dirs(&M->paths, &err) == -1)
		fatalx("%s", err.msg);
	if (standby)
		log_info("standby: waiting for the active master to exit");
	if (lock_take(M->paths.lock, standby, &err) == -1)
		fatalx("%s", err.msg);
	if (supconf_load(M->paths.supervisor_conf, &M->conf, &err) == -1)
		fatalx("%s", err.msg);
	log_set_level((enum log_level)M->conf.log_level);
	if ((M->shim_path = getenv("VECTIS_SHIM")) == NULL)
		M->shim_path = VECTIS_SHIM_PATH;
	if (access(M->shim_path, X_OK) == -1)
		fatalx("cannot run worker shim %s: %s", M->shim_path,
		    strerror(errno));
	/* Holding the lock, before the spawner: it may move the master. */
	cgroup_init((enum cgroup_mode)M->conf.cgroup_mode, M->paths.db);
	/* Before the store and the socket: the spawner holds nothing. */
	if (spawner_start(&err) == -1)
		log_warn("no spawner, workers are spawned directly: %s",
		    err.msg);
	if (store_open(M->paths.db, &M->store, &err) == -1)
		fatalx("%s", err.msg);
	master_boot_id();
	master_nofile();
	if (!M->pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1)
		log_warn("unable to become a child subreaper: %s",
		    strerror(errno));
	M->loop = ev_default_loop(EVFLAG_AUTO | EVFLAG_NOENV);
	if (M->loop == NULL)
		fatalx("unable to create the event loop");
	master_signals(M->loop);
	ev_prepare_init(&M->settle_w, master_settle_cb);
	ev_init(&M->store_retry, master_store_retry_cb);
	M->store_retry.repeat = 1.;
	master_load();
	if (sdnotify_listen(&err) == -1)
		log_warn("notify: systemd tenants will not be heard: %s",
		    err.msg);
	if (control_listen(M->paths.control_sock, &err) == -1)
		fatalx("%s", err.msg);
	log_info("master %ld running on %s with %zu tenant(s)%s",
	    (long)getpid(), M->paths.control_sock, M->ntenants,
	    M->pid1 ? " as PID 1" : "");
	master_autostart();
	httpd_start();
	synccheck_start();
	sdmaster_ready(M->loop);
	ev_run(M->loop, 0);
	heartbeat_flush();
	cgroup_cleanup();
	httpd_stop();
	synccheck_stop();
	control_close();
	sdnotify_close();
	store_close(M->store);
	return M->exit_code;
}

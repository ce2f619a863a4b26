/* tenant.h: one tenant's state machine; tenant_set_state() is its writer. */
#ifndef VX_TENANT_H
#define VX_TENANT_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <ev.h>
#include <jansson.h>

#include "cgroup.h"
#include "logcap.h"
#include "notify.h"
#include "restart.h"
#include "spawn.h"
#include "spec.h"
#include "transition.h"

struct store_tenant;

enum desired {
	DESIRED_NONE,		/* never operated: follow autostart */
	DESIRED_STARTED,
	DESIRED_STOPPED,
};

enum timer_kind {
	TIMER_NONE,
	TIMER_BACKOFF,		/* restart after back-off */
	TIMER_RETRY,		/* fatal: retry_after_s */
	TIMER_STOP,		/* stop.timeout_s, then SIGKILL */
	TIMER_START,		/* start_timeout_s for READY=1 */
	TIMER_WATCHDOG,		/* heartbeat.timeout_s */
};

struct tenant {
	char			*name;
	struct tenant_spec	 spec;
	enum desired		 desired;
	enum tstate		 state;
	char			*last_error;
	pid_t			 pid;		/* the worker: its group, list */
	long long		 pid_start;
	pid_t			 child_pid;	/* ours: its reaper, or itself */
	int			 restarts;
	time_t			 started_at;	/* wall, for people */
	uint64_t		 started_mono;	/* for run length */
	time_t			 last_seen_at;
	char			*session_state;
	char			*status_text;	/* STATUS= */
	int			 ready;
	int			 removed;
	int			 removing;	/* a removal waits for its stop */
	int			 root;		/* runs as uid 0 (list marks it) */
	struct cgroup_tenant	 cg;

	struct restart_state	 rs;
	struct spawn_fds	 fds;
	ev_io			 out_w, err_w, notify_w, status_w;
	ev_timer		 timer;
	ev_timer		 cycle_timer;	/* restart.cron, max_age_s */
	enum timer_kind		 timer_kind;
	char			*spawn_error;	/* this start failed: why */
	char			*stop_reason;	/* we stopped it: why */
	int			 restart_pending;	/* start after the stop */
	struct logcap		 logcap;
	struct notify_split	 nsplit;	/* notify pipe lines */
	unsigned long		 bad_reported;	/* nsplit.bad last logged */
	uint64_t		 bad_logged_ms;
	int			 seen_dirty;	/* last_seen_at not flushed */
	unsigned int		 hb_events;	/* report events this flush */
	unsigned long		 hb_suppressed;	/* and those left out */
	unsigned int		 events_untrimmed;	/* since history trim */
	int			 reloading;	/* RELOADING=1 until READY=1 */
	int			 errno_value;	/* ERRNO= */
	pid_t			 main_pid;	/* MAINPID= */

	/* Resource figures (resource.c); negative = unknown. */
	double			 cpu_percent;
	long long		 rss_bytes;
	unsigned long long	 cpu_ticks;	/* last sample, whole group */
	uint64_t		 cpu_sampled_ms;	/* when, CLOCK_MONOTONIC */

	/* Counters for waiting control clients. */
	unsigned long		 seq_up;	/* times it reached running */
	unsigned long		 seq_down;	/* times it settled down */
	unsigned long		 seq_fail;	/* backoff or fatal entered */

	/* Start pacing: the queue of tenants waiting for a slot. */
	struct tenant		*q_next, **q_prevp;
	int			 spawn_errno;	/* of spawn_error, or 0 */
};

const char	*tenant_state_name(enum tstate);
const char	*tenant_status_name(enum tstate);
/* Build a tenant from its spec (taken over) and, if known, its stored row. */
struct tenant	*tenant_new(struct tenant_spec *, const struct store_tenant *);
void		 tenant_free(struct tenant *);
/* The only writer of state: memory, one transaction, log, waiters. */
void		 tenant_set_state(struct tenant *, enum tstate,
		    const char *last_error);
/* Start (operator: also resets the restart count and last_error). */
void		 tenant_start(struct tenant *, int operator);
/* Stop; reason != NULL means we stop it ourselves and will restart it. */
void		 tenant_stop(struct tenant *, int operator, const char *reason);
/* Operator restart: stop if running, then start afresh. */
void		 tenant_restart(struct tenant *);
/* Operator start through the start queue (start --all, selectors). */
void		 tenant_start_paced(struct tenant *);
/* Restart through the start queue (restart --all, selectors). */
void		 tenant_restart_paced(struct tenant *);
/* Feed one event to the transition table. */
void		 tenant_event(struct tenant *, enum tevent, int ws,
		    const char *reason);
/* The worker counts as ready (exec, or READY=1). */
void		 tenant_ready(struct tenant *);
/* The master shuts down: stop, cancel timers, leave the queue. */
void		 tenant_shutdown(struct tenant *);
/* Every process of the tenant hears sig (SPEC section 5). */
void		 tenant_signal_all(struct tenant *, int sig);
/* SIGKILL every process of the tenant. */
void		 tenant_kill_all(struct tenant *);
/* Any internal variant of stopping. */
int		 tenant_is_stopping(const struct tenant *);
/* Give free start slots to queued tenants (from the settle step). */
void		 tenant_queue_kick(void);
/* Arm the retry_after_s timer of a fatal tenant (with its spread). */
void		 tenant_arm_retry(struct tenant *);
/* Tenants in state starting now (for pacing and tests). */
int		 tenant_starting_count(void);
/* The worker (group leader) exited with wait status ws. */
void		 tenant_exited(struct tenant *, int ws);
/* Persist desired state, then set it; -1 (nothing changed) if it cannot. */
int		 tenant_set_desired(struct tenant *, enum desired);
/* A previous master died: kill what is left of this tenant's worker. */
void		 tenant_kill_leftover(struct tenant *, pid_t, long long start,
		    const char *boot_id);
/* Whether the tenant should run when the master starts. */
int		 tenant_wants_up(const struct tenant *);
/* Whether it has a live process. */
int		 tenant_is_active(const struct tenant *);
/* status --json / one element of list --json. */
json_t		*tenant_to_json(const struct tenant *);
/* Commit the row and an event (kind, detail) without a state change. */
int		 tenant_save(struct tenant *, const char *kind,
		    const char *detail);
/* Replace the spec (apply/add); effective at the next start. */
int		 tenant_set_spec(struct tenant *, struct tenant_spec *);

/* (Re)arm the tenant's one timer for kind; TIMER_NONE stops it. */
void		 tenant_timer(struct tenant *, enum timer_kind, double after);
/* Whether the worker's exec succeeded (reads the status pipe if needed). */
int		 tenant_exec_confirmed(struct tenant *);
/* Find the tenant whose worker has this pid. */
struct tenant	*tenant_by_pid(pid_t);

#endif

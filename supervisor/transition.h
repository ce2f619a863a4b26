/*
 * transition.h: the tenant state machine as one table of
 * (state, event) -> (action, next state), as s6-supervise does.
 */
#ifndef VX_TRANSITION_H
#define VX_TRANSITION_H

/*
 * The visible states of SPEC section 5, then the internal variants of
 * "stopping" that say what follows the exit; tenant_state_name() shows
 * every variant as "stopping".
 */
enum tstate {
	TS_STARTING,
	TS_RUNNING,
	TS_BACKOFF,
	TS_STOPPING,		/* then stay down */
	TS_STOPPED,
	TS_EXITED,
	TS_FATAL,
	TS_QUEUED,		/* wanted up, waiting for a start slot */
	TS_STOPPING_RESTART,	/* then start again at once (operator) */
	TS_STOPPING_FAIL,	/* ours (watchdog, memory, ...): then policy */
	TS_STOPPING_CYCLE,	/* planned (cron, max_age, paced restart) */
	TS_NSTATES
};

/* What can happen to a tenant: the columns of the transition table. */
enum tevent {
	TE_START,		/* operator start of this tenant: at once */
	TE_WANT,		/* a start the master makes: paced */
	TE_SLOT,		/* a start slot is free for a queued tenant */
	TE_STOP,		/* operator stop */
	TE_RESTART,		/* operator restart of this tenant: at once */
	TE_CYCLE,		/* planned restart: cron, max_age, paced */
	TE_FAIL,		/* ours: watchdog, memory, start timeout */
	TE_READY,		/* exec (notify none) or READY=1 */
	TE_EXIT,		/* the worker and its processes are gone */
	TE_BACKOFF_DUE,		/* back-off delay passed */
	TE_RETRY_DUE,		/* retry_after_s passed */
	TE_KILL_DUE,		/* stop.timeout_s passed */
	TE_START_DUE,		/* start_timeout_s passed without READY=1 */
	TE_SHUTDOWN,		/* the master is shutting down */
	TE_NEVENTS
};

/* What tenant.c does for a (state, event) pair. */
enum taction {
	TA_NOP,
	TA_BUG,
	TA_SPAWN,
	TA_QUEUE,
	TA_DOWN,
	TA_DISARM,
	TA_STOP,
	TA_STOP_RESTART,
	TA_STOP_CYCLE,
	TA_STOP_FAIL,
	TA_TO_STOPPING,
	TA_TO_RESTART,
	TA_TO_CYCLE,
	TA_KILL,
	TA_READY,
	TA_START_TIMEOUT,
	TA_RETRY,
	TA_EXITED,
	TA_EXITED_DOWN,
	TA_EXITED_RESTART,
	TA_EXITED_FAIL,
	TA_EXITED_CYCLE,
	TA_NACTIONS
};

/* next for an action whose outcome the restart policy decides. */
#define TX_POLICY	TS_NSTATES

struct transition {
	enum taction	action;
	enum tstate	next;		/* on success; TX_POLICY: policy */
};

/* The cell for (state, event), or NULL when either is out of range. */
const struct transition	*transition_get(enum tstate, enum tevent);
/* Names for logs and tests. */
const char		*transition_action_name(enum taction);
const char		*transition_event_name(enum tevent);

#endif

/* store.h: the SQLite database vectis.db; the only user of sqlite3.h. */
#ifndef VX_STORE_H
#define VX_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct store;

/* How long a write waits for another process's lock (ms). */
#define STORE_BUSY_MS	50
/* Events queued in memory while the database cannot be written, at most. */
#define STORE_QUEUE_MAX	10000
/* Trim a tenant's events after this many new ones: keep / 10, >= 100. */
#define STORE_TRIM_EVERY(keep)	((keep) / 10 > 100 ? (keep) / 10 : 100)

/* One worker_process row, as the master keeps it in memory. */
struct store_process {
	const char	*name;
	const char	*tenant_id;	/* NULL = SQL NULL */
	const char	*status;	/* RUNNING | STOPPED | ERROR */
	const char	*state;		/* starting, running, backoff, ... */
	const char	*last_error;
	long		 pid;		/* 0 = NULL */
	long long	 pid_start;	/* /proc start time, 0 = NULL */
	const char	*boot_id;	/* the kernel's boot of pid, or NULL */
	int		 restarts;
	const char	*started_at;	/* ISO 8601 or NULL */
	const char	*last_seen_at;
	const char	*session_state;
};

/* One tenant as loaded at start: spec, desired state and last known row. */
struct store_tenant {
	const char	*name;
	const char	*spec_json;
	const char	*desired;	/* "started", "stopped" or NULL */
	struct store_process proc;
};

/* One event row, for history. */
struct store_event {
	int64_t		 id;
	const char	*at;
	const char	*tenant;
	const char	*kind;
	const char	*detail;
};

typedef int	(*store_tenant_cb)(void *, const struct store_tenant *);
typedef int	(*store_event_cb)(void *, const struct store_event *);

/*
 * Open (creating if absent) the database at path, mode 0600: WAL,
 * synchronous=FULL (a commit survives a power loss), foreign keys, then
 * apply the embedded migrations of sql/ inside one transaction each.
 * Open waits up to 5 s for another writer's lock; after it, a write waits
 * at most STORE_BUSY_MS, so another process holding the database never
 * stalls the master for longer (the caller degrades and retries).  A file that is not a
 * database or fails "PRAGMA quick_check" is an error ("database ... is
 * corrupt: ...") and is never recreated.  A database newer than this
 * program (user_version too high) is an error too.
 */
int	store_open(const char *path, struct store **, struct vx_err *);
void	store_close(struct store *);
/* The schema version of the open database (PRAGMA user_version). */
int	store_version(struct store *);

/* Explicit transactions committed since open (for statistics). */
unsigned long long store_commits(const struct store *);
/* Explicit transactions, so one status change is one commit. */
int	store_begin(struct store *, struct vx_err *);
/* Commit; queued events written in the transaction leave the queue. */
int	store_commit(struct store *, struct vx_err *);
void	store_rollback(struct store *);
/* Whether a transaction is open (callers join it instead of nesting). */
int	store_in_transaction(struct store *);

/* Call cb for every tenant, ordered by name; a non-zero cb return stops. */
int	store_load_tenants(struct store *, store_tenant_cb, void *,
	    struct vx_err *);
/*
 * Insert or update the spec of a tenant.  A new tenant also gets its
 * worker_process row (status STOPPED, state stopped, desired NULL).
 * tenant_id is mirrored into worker_process.tenant_id.
 */
int	store_put_spec(struct store *, const char *name, const char *tenant_id,
	    const char *spec_json, struct vx_err *);
/* Delete a tenant's spec and worker_process row (events are kept). */
int	store_delete_tenant(struct store *, const char *name, struct vx_err *);
/* Persist desired state: "started", "stopped" or NULL. */
int	store_set_desired(struct store *, const char *name, const char *desired,
	    struct vx_err *);
/* Update every column of the worker_process row p->name (+ updated_at). */
int	store_put_process(struct store *, const struct store_process *,
	    struct vx_err *);
/* Append one event (at = now, UTC ISO 8601). */
int	store_add_event(struct store *, const char *tenant, const char *kind,
	    const char *detail, struct vx_err *);
/*
 * Keep only the newest keep events of tenant: retention is per tenant, so
 * one tenant's events never push another's history out.
 */
int	store_trim_events(struct store *, const char *tenant, int64_t keep,
	    struct vx_err *);
/*
 * Keep an event (at = now) in memory, for a later transaction: batched
 * events, and those met while the database cannot be written.  -1 if
 * STORE_QUEUE_MAX are already waiting (it is counted as dropped).
 */
int	store_queue_event(struct store *, const char *tenant, const char *kind,
	    const char *detail);
/*
 * Insert the queued events inside the open transaction; they leave the
 * queue when it commits, and stay for the next try if it rolls back.
 */
int	store_write_queued(struct store *, struct vx_err *);
/* Events waiting in the queue. */
size_t	store_queued(const struct store *);
/* Events dropped because the queue was full, since the last call. */
unsigned long store_queue_dropped(struct store *);
/* The newest limit events of tenant, newest first. */
int	store_history(struct store *, const char *tenant, int limit,
	    store_event_cb, void *, struct vx_err *);
/*
 * Batched flush of what workers report: last_seen_at (NULL leaves it),
 * session_state and last_error (written as given, NULL included).
 */
int	store_put_seen(struct store *, const char *name,
	    const char *last_seen_at, const char *session_state,
	    const char *last_error, struct vx_err *);

#endif

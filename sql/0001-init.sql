-- 0001-init.sql: the first schema of vectis.db (PRAGMA user_version 1).
--
-- Table and column names follow the control plane's, so that its operators
-- can query a node's database directly: worker_process is the control
-- plane's table of the same name, its name column is the pm2_name
-- equivalent and its status column takes the control plane's enum.
-- Timestamps are UTC ISO 8601 text with a Z ("2026-01-11T06:23:00Z").
-- Migrations are forward-only: never edit this file once released; add
-- sql/0002-*.sql instead.

-- What operators asked for: one row per tenant, holding its spec as the
-- JSON that "apply" reads and "export" prints, and the persisted desired
-- state, so that tenants that were started are started again after the
-- master restarts.  desired is NULL until an operator starts or stops the
-- tenant (then its spec's autostart decides).
CREATE TABLE tenant_spec (
	name		TEXT PRIMARY KEY,
	spec		TEXT NOT NULL,
	desired		TEXT CHECK (desired IN ('started', 'stopped')),
	created_at	TEXT NOT NULL,
	updated_at	TEXT NOT NULL
);

-- What is happening: one row per tenant, its last known worker.  status is
-- the coarse control plane enum; state is the supervisor's detail (see
-- vectis-supervisor(8)): starting, running and stopping are RUNNING;
-- backoff and fatal are ERROR; stopped and exited are STOPPED.  pid_start
-- is the worker's start time from /proc, so a recycled pid is never taken
-- for the worker after a restart of the master.  The row goes with its
-- spec.
CREATE TABLE worker_process (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE
			    REFERENCES tenant_spec (name) ON DELETE CASCADE,
	tenant_id	TEXT,
	status		TEXT NOT NULL DEFAULT 'STOPPED'
			    CHECK (status IN ('RUNNING', 'STOPPED', 'ERROR')),
	state		TEXT NOT NULL DEFAULT 'stopped'
			    CHECK (state IN ('starting', 'running', 'backoff',
			    'stopping', 'stopped', 'exited', 'fatal')),
	last_error	TEXT,
	pid		INTEGER,
	pid_start	INTEGER,
	restarts	INTEGER NOT NULL DEFAULT 0,
	started_at	TEXT,
	last_seen_at	TEXT,
	session_state	TEXT,
	created_at	TEXT NOT NULL,
	updated_at	TEXT NOT NULL
);

-- What happened: the history of every tenant (state changes, operator
-- commands), newest last.  Not tied to tenant_spec, so a removed tenant's
-- history stays readable; retention is bounded by the master, which keeps
-- only the newest rows.
CREATE TABLE event (
	id		INTEGER PRIMARY KEY,
	at		TEXT NOT NULL,
	tenant		TEXT NOT NULL,
	kind		TEXT NOT NULL,
	detail		TEXT
);

-- "history NAME": one tenant's newest events first.
CREATE INDEX event_tenant ON event (tenant, id);

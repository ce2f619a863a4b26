-- 0002: the state "queued" (SPEC section 5, start pacing): a tenant that is
-- wanted up and waits for a start slot.  SQLite cannot change a CHECK
-- constraint in place, so worker_process is rebuilt with its rows.

CREATE TABLE worker_process_new (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE
			    REFERENCES tenant_spec (name) ON DELETE CASCADE,
	tenant_id	TEXT,
	status		TEXT NOT NULL DEFAULT 'STOPPED'
			    CHECK (status IN ('RUNNING', 'STOPPED', 'ERROR')),
	state		TEXT NOT NULL DEFAULT 'stopped'
			    CHECK (state IN ('starting', 'running', 'backoff',
			    'stopping', 'stopped', 'exited', 'fatal',
			    'queued')),
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
INSERT INTO worker_process_new (id, name, tenant_id, status, state,
    last_error, pid, pid_start, restarts, started_at, last_seen_at,
    session_state, created_at, updated_at)
    SELECT id, name, tenant_id, status, state, last_error, pid, pid_start,
    restarts, started_at, last_seen_at, session_state, created_at,
    updated_at FROM worker_process;
DROP TABLE worker_process;
ALTER TABLE worker_process_new RENAME TO worker_process;

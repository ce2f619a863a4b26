/* store.c: vectis.db, the SQLite database of specs, workers and events. */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "clock.h"
#include "err.h"
#include "store.h"

/* The forward-only migrations of sql/, embedded by sql/embed.sh. */
extern const char *const vx_migrations[];
extern const unsigned int vx_nmigrations;

/* Open may wait longer: nothing is supervised yet (store.h: STORE_BUSY_MS). */
#define STORE_OPEN_BUSY_MS	5000

/* Every statement the master runs, prepared once at open. */
enum store_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_LOAD,
	ST_SPEC_PUT,
	ST_PROC_NEW,
	ST_DELETE,
	ST_DESIRED,
	ST_PROC_PUT,
	ST_SEEN,
	ST_EVENT_ADD,
	ST_EVENT_TRIM,
	ST_HISTORY,
	ST__COUNT
};

/* The SQL of each statement and the operation named in its errors. */
static const struct {
	const char	*sql;
	const char	*what;
} store_sql[ST__COUNT] = {
	[ST_BEGIN] = { "BEGIN IMMEDIATE", "begin transaction" },
	[ST_COMMIT] = { "COMMIT", "commit transaction" },
	[ST_ROLLBACK] = { "ROLLBACK", "roll back transaction" },
	[ST_SAVEPOINT] = { "SAVEPOINT store", "begin savepoint" },
	[ST_RELEASE] = { "RELEASE store", "release savepoint" },
	[ST_ROLLBACK_TO] = { "ROLLBACK TO store", "roll back savepoint" },
	[ST_LOAD] = {
		"SELECT s.name, s.spec, s.desired, p.tenant_id, p.status,"
		" p.state, p.last_error, p.pid, p.pid_start, p.restarts,"
		" p.started_at, p.last_seen_at, p.session_state, p.boot_id"
		" FROM tenant_spec AS s"
		" LEFT JOIN worker_process AS p ON p.name = s.name"
		" ORDER BY s.name",
		"read tenant_spec"
	},
	[ST_SPEC_PUT] = {
		"INSERT INTO tenant_spec (name, spec, desired, created_at,"
		" updated_at) VALUES (?1, ?2, NULL, ?3, ?3)"
		" ON CONFLICT (name) DO UPDATE SET spec = excluded.spec,"
		" updated_at = excluded.updated_at",
		"write tenant_spec"
	},
	[ST_PROC_NEW] = {
		"INSERT INTO worker_process (name, tenant_id, created_at,"
		" updated_at) VALUES (?1, ?2, ?3, ?3)"
		" ON CONFLICT (name) DO UPDATE SET"
		" tenant_id = excluded.tenant_id,"
		" updated_at = excluded.updated_at"
		" WHERE tenant_id IS NOT excluded.tenant_id",
		"write worker_process"
	},
	[ST_DELETE] = {
		/* worker_process follows through ON DELETE CASCADE. */
		"DELETE FROM tenant_spec WHERE name = ?1",
		"delete tenant_spec"
	},
	[ST_DESIRED] = {
		"UPDATE tenant_spec SET desired = ?2, updated_at = ?3"
		" WHERE name = ?1",
		"update tenant_spec"
	},
	[ST_PROC_PUT] = {
		"UPDATE worker_process SET tenant_id = ?2, status = ?3,"
		" state = ?4, last_error = ?5, pid = ?6, pid_start = ?7,"
		" restarts = ?8, started_at = ?9, last_seen_at = ?10,"
		" session_state = ?11, updated_at = ?12, boot_id = ?13"
		" WHERE name = ?1",
		"update worker_process"
	},
	[ST_SEEN] = {
		"UPDATE worker_process"
		" SET last_seen_at = coalesce(?2, last_seen_at),"
		" session_state = ?3, last_error = ?4"
		" WHERE name = ?1",
		"update worker_process"
	},
	[ST_EVENT_ADD] = {
		"INSERT INTO event (at, tenant, kind, detail)"
		" VALUES (?1, ?2, ?3, ?4)",
		"insert event"
	},
	[ST_EVENT_TRIM] = {
		/* Both sides walk the index event_tenant (tenant, id). */
		"DELETE FROM event WHERE tenant = ?1 AND id <= (SELECT id"
		" FROM event WHERE tenant = ?1 ORDER BY id DESC LIMIT 1"
		" OFFSET ?2)",
		"trim event"
	},
	[ST_HISTORY] = {
		"SELECT id, at, tenant, kind, detail FROM event"
		" WHERE tenant = ?1 ORDER BY id DESC LIMIT ?2",
		"read event"
	},
};

/* An event waiting in memory for a transaction. */
struct store_qevent {
	char		*tenant;
	char		*kind;
	char		*detail;	/* NULL = SQL NULL */
	char		 at[ISO8601_LEN];
};

struct store {
	sqlite3		*db;
	char		*path;
	sqlite3_stmt	*stmt[ST__COUNT];
	unsigned long long commits;	/* write transactions, for stats */
	struct store_qevent *queue;	/* oldest first */
	size_t		 nqueue, qcap;
	size_t		 qwritten;	/* inserted by the open transaction */
	unsigned long	 qdropped;	/* refused: the queue was full */
};

static const char *
col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

static int
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	/* Static: the statement is stepped and reset before we return. */
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* A zero id (pid, pid_start) is stored as NULL, i.e. unknown. */
static int
bind_id(sqlite3_stmt *s, int i, long long v)
{
	if (v == 0)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_int64(s, i, v);
}

static void
stmt_reset(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Report a failed bind of statement id and forget its bindings. */
static int
bind_failed(struct store *st, enum store_stmt id, int rc, struct vx_err *err)
{
	vx_err_set(err, VX_EXIT_FAIL, "unable to %s: %s", store_sql[id].what,
	    sqlite3_errstr(rc));
	stmt_reset(st->stmt[id]);
	return -1;
}

/*
 * Run statement id (already bound) to completion.  The error names the
 * operation, and is taken before the reset so it is the step's own.
 */
static int
stmt_run(struct store *st, enum store_stmt id, struct vx_err *err)
{
	sqlite3_stmt *s = st->stmt[id];
	int rc;

	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to %s: %s",
		    store_sql[id].what, sqlite3_errmsg(st->db));
		stmt_reset(s);
		return -1;
	}
	stmt_reset(s);
	return 0;
}

/* Best effort: a failed statement may already have ended the transaction. */
static void
stmt_run_quiet(struct store *st, enum store_stmt id)
{
	sqlite3_step(st->stmt[id]);
	stmt_reset(st->stmt[id]);
}

/*
 * The message for an error met while opening: corruption is its own.  The
 * detail is made one line (quick_check's are several), as errors are.
 */
static void
open_error(struct store *st, const char *what, int rc, const char *detail,
    struct vx_err *err)
{
	char line[256];
	size_t i;

	snprintf(line, sizeof(line), "%s", detail);
	for (i = 0; line[i] != '\0'; i++)
		if (line[i] == '\n' || line[i] == '\r' || line[i] == '\t')
			line[i] = ' ';
	if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) {
		vx_err_set(err, VX_EXIT_FAIL, "database %s is corrupt: %s; "
		    "refusing to start (move it aside to begin afresh)",
		    st->path, line);
	} else {
		vx_err_set(err, VX_EXIT_FAIL, "unable to %s database %s: %s",
		    what, st->path, line);
	}
}

/* Run one statement during open, for pragmas and migration steps. */
static int
open_exec(struct store *st, const char *what, const char *sql,
    struct vx_err *err)
{
	int rc;

	rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		open_error(st, what, rc & 0xff, sqlite3_errmsg(st->db), err);
		return -1;
	}
	return 0;
}

/* Read a one-row pragma (user_version, foreign_keys) as an integer. */
static int
open_pragma_int(struct store *st, const char *sql, int *v,
    struct vx_err *err)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		open_error(st, "read", rc & 0xff, sqlite3_errmsg(st->db), err);
		return -1;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int(s, 0);
	else if (rc == SQLITE_DONE) {
		/* A pragma compiled out of this SQLite answers nothing. */
		vx_err_set(err, VX_EXIT_FAIL, "unable to read database %s: "
		    "%s is not supported by this SQLite", st->path, sql);
	} else
		open_error(st, "read", rc & 0xff, sqlite3_errmsg(st->db), err);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/*
 * Refuse a file that is not a database or whose structure is damaged:
 * writing to it would only spread the damage, and recreating it would
 * silently lose every tenant.  quick_check reads every page but skips the
 * index cross-checks of integrity_check, so start-up stays fast.
 */
static int
open_check(struct store *st, struct vx_err *err)
{
	sqlite3_stmt *s;
	const char *row;
	int rc, ok = 0, rows = 0;

	rc = sqlite3_prepare_v2(st->db, "PRAGMA quick_check", -1, &s, NULL);
	if (rc != SQLITE_OK) {
		open_error(st, "check", rc & 0xff, sqlite3_errmsg(st->db), err);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row = col_text(s, 0);
		if (rows++ == 0) {
			if (row != NULL && strcmp(row, "ok") == 0)
				ok = 1;
			else
				open_error(st, "check", SQLITE_CORRUPT,
				    row != NULL ? row : "quick_check failed",
				    err);
		}
	}
	if (rc != SQLITE_DONE) {
		open_error(st, "check", rc & 0xff, sqlite3_errmsg(st->db), err);
		ok = 0;
	} else if (ok && rows != 1) {
		open_error(st, "check", SQLITE_CORRUPT, "quick_check failed",
		    err);
		ok = 0;
	}
	sqlite3_finalize(s);
	return ok ? 0 : -1;
}

/* WAL lets readers (the CLI, operators' sqlite3) work beside the master. */
static int
open_wal(struct store *st, struct vx_err *err)
{
	sqlite3_stmt *s;
	const char *mode;
	int rc, ok = 0;

	rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s,
	    NULL);
	if (rc != SQLITE_OK) {
		open_error(st, "set WAL mode on", rc & 0xff,
		    sqlite3_errmsg(st->db), err);
		return -1;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		mode = col_text(s, 0);
		if (mode != NULL && strcmp(mode, "wal") == 0)
			ok = 1;
		else
			vx_err_set(err, VX_EXIT_FAIL, "unable to set WAL mode "
			    "on database %s: journal mode is still %s",
			    st->path, mode != NULL ? mode : "unknown");
	} else
		open_error(st, "set WAL mode on", rc & 0xff,
		    sqlite3_errmsg(st->db), err);
	sqlite3_finalize(s);
	return ok ? 0 : -1;
}

/*
 * Apply the missing migrations, each with its user_version in one
 * transaction, so a crash leaves the database at one version or the next.
 * The version is read again under the write lock in case another process
 * migrated first.
 */
static int
open_migrate(struct store *st, struct vx_err *err)
{
	char sql[64];
	int v;

	for (;;) {
		if (open_exec(st, "lock", "BEGIN IMMEDIATE", err) == -1)
			return -1;
		if (open_pragma_int(st, "PRAGMA user_version", &v, err) == -1)
			goto fail;
		if (v < 0 || (unsigned int)v > vx_nmigrations) {
			vx_err_set(err, VX_EXIT_FAIL, "database %s has schema "
			    "version %d, newer than this program (%u)",
			    st->path, v, vx_nmigrations);
			goto fail;
		}
		if ((unsigned int)v == vx_nmigrations)
			break;
		if (sqlite3_exec(st->db, vx_migrations[v], NULL, NULL,
		    NULL) != SQLITE_OK) {
			vx_err_set(err, VX_EXIT_FAIL, "unable to apply "
			    "migration %d to database %s: %s", v + 1,
			    st->path, sqlite3_errmsg(st->db));
			goto fail;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (open_exec(st, "migrate", sql, err) == -1)
			goto fail;
		if (open_exec(st, "migrate", "COMMIT", err) == -1)
			goto fail;
	}
	return open_exec(st, "migrate", "COMMIT", err);

fail:
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/*
 * Create the file ourselves so it is 0600 whatever the umask: specs hold
 * environments, which hold secrets.  SQLite gives its -wal and -shm files
 * the mode of the database.
 */
static int
open_create(struct store *st, struct vx_err *err)
{
	int fd;

	fd = open(st->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to open database %s: %s",
		    st->path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* Open vectis.db: check, configure and migrate it, prepare statements. */
int
store_open(const char *path, struct store **stp, struct vx_err *err)
{
	struct store *st;
	int rc, i, v, fk;

	*stp = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->path = strdup(path)) == NULL) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to open database %s: %s",
		    path, strerror(errno));
		free(st);
		return -1;
	}
	if (open_create(st, err) == -1)
		goto fail;

	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		open_error(st, "open", rc, st->db != NULL ?
		    sqlite3_errmsg(st->db) : sqlite3_errstr(rc), err);
		goto fail;
	}
	/* SQLite falls back to read-only silently; the master must write. */
	if (sqlite3_db_readonly(st->db, "main") != 0) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to open database %s: "
		    "it is read-only", path);
		goto fail;
	}
	sqlite3_busy_timeout(st->db, STORE_OPEN_BUSY_MS);

	/* Nothing is written before the file is known to be sound. */
	if (open_check(st, err) == -1)
		goto fail;
	if (open_pragma_int(st, "PRAGMA user_version", &v, err) == -1)
		goto fail;
	if (v < 0 || (unsigned int)v > vx_nmigrations) {
		vx_err_set(err, VX_EXIT_FAIL, "database %s has schema version "
		    "%d, newer than this program (%u)", path, v,
		    vx_nmigrations);
		goto fail;
	}

	if (open_exec(st, "configure", "PRAGMA foreign_keys = ON", err) == -1)
		goto fail;
	if (open_pragma_int(st, "PRAGMA foreign_keys", &fk, err) == -1)
		goto fail;
	if (fk != 1) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to configure database "
		    "%s: foreign keys cannot be enabled", path);
		goto fail;
	}
	/*
	 * FULL: in WAL mode NORMAL may lose the last commits on power loss,
	 * and a status change must survive once reported (SPEC section 7).
	 * Writes are few: heartbeats and worker reports are batched.
	 */
	if (open_exec(st, "configure", "PRAGMA synchronous = FULL",
	    err) == -1)
		goto fail;
	/*
	 * A small page cache: the master keeps its state in memory and only
	 * writes rows; the default 2 MiB would be a quarter of its footprint.
	 */
	if (open_exec(st, "configure", "PRAGMA cache_size = -256", err) == -1)
		goto fail;
	if (open_wal(st, err) == -1)
		goto fail;
	if ((unsigned int)v < vx_nmigrations && open_migrate(st, err) == -1)
		goto fail;

	for (i = 0; i < ST__COUNT; i++) {
		rc = sqlite3_prepare_v3(st->db, store_sql[i].sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL);
		if (rc != SQLITE_OK) {
			vx_err_set(err, VX_EXIT_FAIL, "unable to prepare "
			    "statement to %s in database %s: %s",
			    store_sql[i].what, path, sqlite3_errmsg(st->db));
			goto fail;
		}
	}

	/* From now on supervision must not wait for other writers. */
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	*stp = st;
	return 0;

fail:
	store_close(st);
	return -1;
}

/* Free the oldest n queued events and move the rest to the front. */
static void
queue_forget(struct store *st, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(st->queue[i].tenant);
		free(st->queue[i].kind);
		free(st->queue[i].detail);
	}
	if (st->nqueue > n)
		memmove(st->queue, st->queue + n, (st->nqueue - n) *
		    sizeof(*st->queue));
	st->nqueue -= n;
	st->qwritten = 0;
}

/* Finalize every statement and close; an open transaction is rolled back. */
void
store_close(struct store *st)
{
	int i;

	if (st == NULL)
		return;
	for (i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	if (st->db != NULL)
		sqlite3_close(st->db);
	queue_forget(st, st->nqueue);
	free(st->queue);
	free(st->path);
	free(st);
}

/* For "status" and start-up logs; -1 if it cannot be read. */
int
store_version(struct store *st)
{
	sqlite3_stmt *s;
	int v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Take the write lock now, so the commit cannot fail for want of it. */
int
store_begin(struct store *st, struct vx_err *err)
{
	return stmt_run(st, ST_BEGIN, err);
}

/*
 * Commit; on failure the transaction is rolled back here, so the caller
 * never holds the write lock after an error (store_rollback() after this
 * is harmless).
 */
int
store_commit(struct store *st, struct vx_err *err)
{
	if (stmt_run(st, ST_COMMIT, err) == -1) {
		store_rollback(st);
		return -1;
	}
	st->commits++;
	if (st->qwritten > 0)
		queue_forget(st, st->qwritten);
	return 0;
}

/* How many explicit transactions were committed (bench, ping). */
unsigned long long
store_commits(const struct store *st)
{
	return st->commits;
}

/* Discard the open transaction, if any: errors can end one on their own. */
void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		stmt_run_quiet(st, ST_ROLLBACK);
	st->qwritten = 0;	/* they stay queued for the next try */
}

/* An explicit transaction is open (or one an error left behind). */
int
store_in_transaction(struct store *st)
{
	return !sqlite3_get_autocommit(st->db);
}

/*
 * Walk the tenants in name order for the master's start-up.  Pointers in
 * the row are valid during the call only; cb must not call this function
 * again.  Returns 0, -1 on a database error, or cb's non-zero return.
 */
int
store_load_tenants(struct store *st, store_tenant_cb cb, void *arg,
    struct vx_err *err)
{
	sqlite3_stmt *s = st->stmt[ST_LOAD];
	struct store_tenant t;
	const char *v;
	int rc, ret = 0;

	if (sqlite3_stmt_busy(s)) {
		vx_err_set(err, VX_EXIT_FAIL, "can't happen: nested "
		    "store_load_tenants");
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&t, 0, sizeof(t));
		t.name = col_text(s, 0);
		t.spec_json = col_text(s, 1);
		t.desired = col_text(s, 2);
		t.proc.name = t.name;
		t.proc.tenant_id = col_text(s, 3);
		/* No worker_process row (can't happen): a stopped one. */
		v = col_text(s, 4);
		t.proc.status = v != NULL ? v : "STOPPED";
		v = col_text(s, 5);
		t.proc.state = v != NULL ? v : "stopped";
		t.proc.last_error = col_text(s, 6);
		t.proc.pid = (long)sqlite3_column_int64(s, 7);
		t.proc.pid_start = sqlite3_column_int64(s, 8);
		t.proc.restarts = sqlite3_column_int(s, 9);
		t.proc.started_at = col_text(s, 10);
		t.proc.last_seen_at = col_text(s, 11);
		t.proc.session_state = col_text(s, 12);
		t.proc.boot_id = col_text(s, 13);
		if (t.name == NULL || t.spec_json == NULL) {
			rc = SQLITE_NOMEM;
			break;
		}
		if ((ret = cb(arg, &t)) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to %s: %s",
		    store_sql[ST_LOAD].what, rc == SQLITE_NOMEM ?
		    sqlite3_errstr(rc) : sqlite3_errmsg(st->db));
		ret = -1;
	}
	stmt_reset(s);
	return ret;
}

/*
 * Both rows of a new tenant are written under a savepoint, so that even in
 * autocommit mode a failure leaves neither behind.
 */
int
store_put_spec(struct store *st, const char *name, const char *tenant_id,
    const char *spec_json, struct vx_err *err)
{
	sqlite3_stmt *s;
	char now[ISO8601_LEN];
	int rc;

	clock_iso8601(time(NULL), now);
	if (stmt_run(st, ST_SAVEPOINT, err) == -1)
		return -1;

	s = st->stmt[ST_SPEC_PUT];
	rc = bind_text(s, 1, name);
	rc |= bind_text(s, 2, spec_json);
	rc |= bind_text(s, 3, now);
	if (rc != SQLITE_OK) {
		bind_failed(st, ST_SPEC_PUT, rc, err);
		goto fail;
	}
	if (stmt_run(st, ST_SPEC_PUT, err) == -1)
		goto fail;

	s = st->stmt[ST_PROC_NEW];
	rc = bind_text(s, 1, name);
	rc |= bind_text(s, 2, tenant_id);
	rc |= bind_text(s, 3, now);
	if (rc != SQLITE_OK) {
		bind_failed(st, ST_PROC_NEW, rc, err);
		goto fail;
	}
	if (stmt_run(st, ST_PROC_NEW, err) == -1)
		goto fail;

	if (stmt_run(st, ST_RELEASE, err) == -1)
		goto fail;
	return 0;

fail:
	/* An I/O error may have rolled everything back already. */
	stmt_run_quiet(st, ST_ROLLBACK_TO);
	stmt_run_quiet(st, ST_RELEASE);
	return -1;
}

/* Removing a tenant keeps its history; a missing tenant is no error. */
int
store_delete_tenant(struct store *st, const char *name, struct vx_err *err)
{
	int rc;

	rc = bind_text(st->stmt[ST_DELETE], 1, name);
	if (rc != SQLITE_OK)
		return bind_failed(st, ST_DELETE, rc, err);
	return stmt_run(st, ST_DELETE, err);
}

/* Fail unless the last statement changed a row of tenant name. */
static int
store_changed(struct store *st, enum store_stmt id, const char *name,
    struct vx_err *err)
{
	if (sqlite3_changes(st->db) > 0)
		return 0;
	vx_err_set(err, VX_EXIT_NOTENANT, "unable to %s: no tenant %s",
	    store_sql[id].what, name);
	return -1;
}

/* desired survives restarts of the master; NULL lets autostart decide. */
int
store_set_desired(struct store *st, const char *name, const char *desired,
    struct vx_err *err)
{
	sqlite3_stmt *s = st->stmt[ST_DESIRED];
	char now[ISO8601_LEN];
	int rc;

	clock_iso8601(time(NULL), now);
	rc = bind_text(s, 1, name);
	rc |= bind_text(s, 2, desired);
	rc |= bind_text(s, 3, now);
	if (rc != SQLITE_OK)
		return bind_failed(st, ST_DESIRED, rc, err);
	if (stmt_run(st, ST_DESIRED, err) == -1)
		return -1;
	return store_changed(st, ST_DESIRED, name, err);
}

/* Write the master's whole view of one worker; the row must exist. */
int
store_put_process(struct store *st, const struct store_process *p,
    struct vx_err *err)
{
	sqlite3_stmt *s = st->stmt[ST_PROC_PUT];
	char now[ISO8601_LEN];
	int rc;

	clock_iso8601(time(NULL), now);
	rc = bind_text(s, 1, p->name);
	rc |= bind_text(s, 2, p->tenant_id);
	rc |= bind_text(s, 3, p->status);
	rc |= bind_text(s, 4, p->state);
	rc |= bind_text(s, 5, p->last_error);
	rc |= bind_id(s, 6, p->pid);
	rc |= bind_id(s, 7, p->pid_start);
	rc |= sqlite3_bind_int(s, 8, p->restarts);
	rc |= bind_text(s, 9, p->started_at);
	rc |= bind_text(s, 10, p->last_seen_at);
	rc |= bind_text(s, 11, p->session_state);
	rc |= bind_text(s, 12, now);
	rc |= bind_text(s, 13, p->boot_id);
	if (rc != SQLITE_OK)
		return bind_failed(st, ST_PROC_PUT, rc, err);
	if (stmt_run(st, ST_PROC_PUT, err) == -1)
		return -1;
	return store_changed(st, ST_PROC_PUT, p->name, err);
}

/* Insert one event that happened at at. */
static int
event_insert(struct store *st, const char *at, const char *tenant,
    const char *kind, const char *detail, struct vx_err *err)
{
	sqlite3_stmt *s = st->stmt[ST_EVENT_ADD];
	int rc;

	rc = bind_text(s, 1, at);
	rc |= bind_text(s, 2, tenant);
	rc |= bind_text(s, 3, kind);
	rc |= bind_text(s, 4, detail);
	if (rc != SQLITE_OK)
		return bind_failed(st, ST_EVENT_ADD, rc, err);
	return stmt_run(st, ST_EVENT_ADD, err);
}

/* History is written beside each state change, in the same transaction. */
int
store_add_event(struct store *st, const char *tenant, const char *kind,
    const char *detail, struct vx_err *err)
{
	char now[ISO8601_LEN];

	clock_iso8601(time(NULL), now);
	return event_insert(st, now, tenant, kind, detail, err);
}

/* Remember an event, stamped now, for store_write_queued(). */
int
store_queue_event(struct store *st, const char *tenant, const char *kind,
    const char *detail)
{
	struct store_qevent *q, *nq;
	size_t cap;

	if (st->nqueue >= STORE_QUEUE_MAX) {
		st->qdropped++;
		return -1;
	}
	if (st->nqueue == st->qcap) {
		cap = st->qcap ? st->qcap * 2 : 16;
		if ((nq = reallocarray(st->queue, cap, sizeof(*nq))) == NULL) {
			st->qdropped++;
			return -1;
		}
		st->queue = nq;
		st->qcap = cap;
	}
	q = &st->queue[st->nqueue];
	q->tenant = strdup(tenant);
	q->kind = strdup(kind);
	q->detail = detail != NULL ? strdup(detail) : NULL;
	if (q->tenant == NULL || q->kind == NULL ||
	    (detail != NULL && q->detail == NULL)) {
		free(q->tenant);
		free(q->kind);
		free(q->detail);
		st->qdropped++;
		return -1;
	}
	clock_iso8601(time(NULL), q->at);
	st->nqueue++;
	return 0;
}

/*
 * Only inside a transaction: the queue is emptied by its commit, so the
 * events are written once, whether it commits or rolls back.
 */
int
store_write_queued(struct store *st, struct vx_err *err)
{
	struct store_qevent *q;
	size_t i;

	if (sqlite3_get_autocommit(st->db)) {
		vx_err_set(err, VX_EXIT_FAIL, "can't happen: queued events "
		    "written outside a transaction");
		return -1;
	}
	for (i = st->qwritten; i < st->nqueue; i++) {
		q = &st->queue[i];
		if (event_insert(st, q->at, q->tenant, q->kind, q->detail,
		    err) == -1)
			return -1;
		st->qwritten = i + 1;
	}
	return 0;
}

/* For the log and tests. */
size_t
store_queued(const struct store *st)
{
	return st->nqueue;
}

/* Read and reset the count of events the full queue refused. */
unsigned long
store_queue_dropped(struct store *st)
{
	unsigned long n = st->qdropped;

	st->qdropped = 0;
	return n;
}

/* Bound one tenant's history, whatever a restart storm wrote into it. */
int
store_trim_events(struct store *st, const char *tenant, int64_t keep,
    struct vx_err *err)
{
	sqlite3_stmt *s = st->stmt[ST_EVENT_TRIM];
	int rc;

	if (keep < 0) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to %s: negative count "
		    "%lld", store_sql[ST_EVENT_TRIM].what, (long long)keep);
		return -1;
	}
	rc = bind_text(s, 1, tenant);
	rc |= sqlite3_bind_int64(s, 2, keep);
	if (rc != SQLITE_OK)
		return bind_failed(st, ST_EVENT_TRIM, rc, err);
	return stmt_run(st, ST_EVENT_TRIM, err);
}

/*
 * For "history NAME": newest first; limit <= 0 means all.  Pointers in
 * the row are valid during the call only.  Returns 0, -1 on a database
 * error, or cb's non-zero return.
 */
int
store_history(struct store *st, const char *tenant, int limit,
    store_event_cb cb, void *arg, struct vx_err *err)
{
	sqlite3_stmt *s = st->stmt[ST_HISTORY];
	struct store_event ev;
	int rc, ret = 0;

	if (sqlite3_stmt_busy(s)) {
		vx_err_set(err, VX_EXIT_FAIL, "can't happen: nested "
		    "store_history");
		return -1;
	}
	rc = bind_text(s, 1, tenant);
	rc |= sqlite3_bind_int(s, 2, limit > 0 ? limit : -1);
	if (rc != SQLITE_OK)
		return bind_failed(st, ST_HISTORY, rc, err);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ev.id = sqlite3_column_int64(s, 0);
		ev.at = col_text(s, 1);
		ev.tenant = col_text(s, 2);
		ev.kind = col_text(s, 3);
		ev.detail = col_text(s, 4);
		if (ev.at == NULL || ev.tenant == NULL || ev.kind == NULL) {
			rc = SQLITE_NOMEM;
			break;
		}
		if ((ret = cb(arg, &ev)) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to %s: %s",
		    store_sql[ST_HISTORY].what, rc == SQLITE_NOMEM ?
		    sqlite3_errstr(rc) : sqlite3_errmsg(st->db));
		ret = -1;
	}
	stmt_reset(s);
	return ret;
}

/*
 * Heartbeats and worker reports reach the database only in batches; a
 * NULL last_seen_at leaves it as it is, session_state and last_error are
 * the master's current values, and a tenant removed meanwhile is skipped.
 * updated_at is left alone: it dates changes of state, not liveness.
 */
int
store_put_seen(struct store *st, const char *name, const char *last_seen_at,
    const char *session_state, const char *last_error, struct vx_err *err)
{
	sqlite3_stmt *s = st->stmt[ST_SEEN];
	int rc;

	rc = bind_text(s, 1, name);
	rc |= bind_text(s, 2, last_seen_at);
	rc |= bind_text(s, 3, session_state);
	rc |= bind_text(s, 4, last_error);
	if (rc != SQLITE_OK)
		return bind_failed(st, ST_SEEN, rc, err);
	return stmt_run(st, ST_SEEN, err);
}

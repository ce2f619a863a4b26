/* test_store.c: vectis.db on disk: schema, round trips, corruption. */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

/* Only to arrange and inspect files the way an operator's sqlite3 would. */
#include <sqlite3.h>

#include "clock.h"
#include "err.h"
#include "store.h"

/* sql/migrations.c: the schema version a new database gets. */
extern const char *const vx_migrations[];
extern const unsigned int vx_nmigrations;

#define MAXROWS 16

struct fx {
	char		 dir[PATH_MAX];
	char		 path[PATH_MAX + 16];
	struct store	*st;
	struct vx_err	 err;
};

/* A copy of one struct store_tenant, so it outlives the callback. */
struct row {
	char	*name, *spec, *desired;
	char	*tenant_id, *status, *state, *last_error;
	long	 pid;
	long long pid_start;
	int	 restarts;
	char	*started_at, *last_seen_at, *session_state;
	char	*boot_id;
};

struct rows {
	struct row	r[MAXROWS];
	int		n;
	int		stop_after;	/* 0 = never */
};

struct evs {
	int64_t		id[MAXROWS];
	char		*kind[MAXROWS];
	char		*detail[MAXROWS];
	char		*at[MAXROWS];
	int		n;
};

static char *
dup_or_null(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	assert_non_null(d);
	return d;
}

static int
collect_tenant(void *arg, const struct store_tenant *t)
{
	struct rows *rs = arg;
	struct row *r;

	assert_true(rs->n < MAXROWS);
	assert_ptr_equal(t->proc.name, t->name);
	r = &rs->r[rs->n++];
	r->name = dup_or_null(t->name);
	r->spec = dup_or_null(t->spec_json);
	r->desired = dup_or_null(t->desired);
	r->tenant_id = dup_or_null(t->proc.tenant_id);
	r->status = dup_or_null(t->proc.status);
	r->state = dup_or_null(t->proc.state);
	r->last_error = dup_or_null(t->proc.last_error);
	r->pid = t->proc.pid;
	r->pid_start = t->proc.pid_start;
	r->restarts = t->proc.restarts;
	r->started_at = dup_or_null(t->proc.started_at);
	r->last_seen_at = dup_or_null(t->proc.last_seen_at);
	r->session_state = dup_or_null(t->proc.session_state);
	r->boot_id = dup_or_null(t->proc.boot_id);
	if (rs->stop_after != 0 && rs->n == rs->stop_after)
		return 7;
	return 0;
}

static void
rows_free(struct rows *rs)
{
	struct row *r;
	int i;

	for (i = 0; i < rs->n; i++) {
		r = &rs->r[i];
		free(r->name);
		free(r->spec);
		free(r->desired);
		free(r->tenant_id);
		free(r->status);
		free(r->state);
		free(r->last_error);
		free(r->started_at);
		free(r->last_seen_at);
		free(r->session_state);
		free(r->boot_id);
	}
	memset(rs, 0, sizeof(*rs));
}

static void
load(struct fx *f, struct rows *rs)
{
	memset(rs, 0, sizeof(*rs));
	assert_int_equal(store_load_tenants(f->st, collect_tenant, rs,
	    &f->err), 0);
}

static int
collect_event(void *arg, const struct store_event *ev)
{
	struct evs *es = arg;

	assert_true(es->n < MAXROWS);
	es->id[es->n] = ev->id;
	es->kind[es->n] = dup_or_null(ev->kind);
	es->detail[es->n] = dup_or_null(ev->detail);
	es->at[es->n] = dup_or_null(ev->at);
	es->n++;
	return 0;
}

static void
evs_free(struct evs *es)
{
	int i;

	for (i = 0; i < es->n; i++) {
		free(es->kind[i]);
		free(es->detail[i]);
		free(es->at[i]);
	}
	memset(es, 0, sizeof(*es));
}

static void
history(struct fx *f, const char *tenant, int limit, struct evs *es)
{
	memset(es, 0, sizeof(*es));
	assert_int_equal(store_history(f->st, tenant, limit, collect_event,
	    es, &f->err), 0);
}

/* Run sql on path through a connection of our own, as an operator would. */
static void
raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* The first column of the first row of sql as text ("" for NULL/none). */
static void
raw_text(const char *path, const char *sql, char *buf, size_t len)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	const unsigned char *v;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE,
	    NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	buf[0] = '\0';
	if (sqlite3_step(s) == SQLITE_ROW &&
	    (v = sqlite3_column_text(s, 0)) != NULL)
		snprintf(buf, len, "%s", (const char *)v);
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static long
raw_int(const char *path, const char *sql)
{
	char buf[64];

	raw_text(path, sql, buf, sizeof(buf));
	return strtol(buf, NULL, 10);
}

static void
fx_open(struct fx *f)
{
	vx_err_clear(&f->err);
	if (store_open(f->path, &f->st, &f->err) != 0)
		fail_msg("store_open: %s", f->err.msg);
	assert_non_null(f->st);
}

static void
fx_close(struct fx *f)
{
	store_close(f->st);
	f->st = NULL;
}

static void
write_file(const char *path, const char *data, size_t len)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd != -1);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* Read all of path into a malloc'd buffer. */
static char *
read_file(const char *path, size_t *len)
{
	struct stat sb;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd != -1);
	assert_int_equal(fstat(fd, &sb), 0);
	buf = malloc(sb.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, sb.st_size), sb.st_size);
	close(fd);
	*len = sb.st_size;
	return buf;
}

/* The number of entries in dir other than . and .. */
static int
dir_entries(const char *dir)
{
	DIR *d;
	struct dirent *de;
	int n = 0;

	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static int
setup(void **state)
{
	struct fx *f;
	const char *tmp;

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(f->dir, sizeof(f->dir), "%s/vx-store-XXXXXX", tmp);
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/vectis.db", f->dir);
	*state = f;
	return 0;
}

/* Close the store and remove the temporary directory and all in it. */
static int
teardown(void **state)
{
	struct fx *f = *state;
	DIR *d;
	struct dirent *de;
	char p[PATH_MAX * 2];

	store_close(f->st);
	(void)chmod(f->dir, 0700);	/* best effort: a test may have locked it */
	if ((d = opendir(f->dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", f->dir, de->d_name);
			(void)chmod(p, 0700);
			if (unlink(p) == -1 && errno == EISDIR)
				rmdir(p);
		}
		closedir(d);
	}
	if (rmdir(f->dir) == -1) {
		fprintf(stderr, "rmdir %s: %s\n", f->dir, strerror(errno));
		free(f);
		return -1;
	}
	free(f);
	return 0;
}

static void
assert_contains(const char *s, const char *sub)
{
	if (strstr(s, sub) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", s, sub);
}

static void
test_open_creates(void **state)
{
	struct fx *f = *state;
	struct stat sb;
	char wal[PATH_MAX + 32];
	mode_t old;

	/* Whatever the umask, the database is private. */
	old = umask(0);
	fx_open(f);
	umask(old);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(store_version(f->st), (int)vx_nmigrations);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"),
	    (int)vx_nmigrations);
	/* Write something so the -wal file exists, then check its mode. */
	assert_int_equal(store_put_spec(f->st, "a", NULL, "{}", &f->err), 0);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	assert_int_equal(stat(wal, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_schema"
	    " WHERE name IN ('tenant_spec', 'worker_process', 'event',"
	    " 'event_tenant')"), 4);
}

static void
test_wal(void **state)
{
	struct fx *f = *state;
	char buf[32];

	fx_open(f);
	raw_text(f->path, "PRAGMA journal_mode", buf, sizeof(buf));
	assert_string_equal(buf, "wal");
	fx_close(f);
	/* WAL is persistent: it is in the file, not just the connection. */
	raw_text(f->path, "PRAGMA journal_mode", buf, sizeof(buf));
	assert_string_equal(buf, "wal");
}

static void
test_reopen(void **state)
{
	struct fx *f = *state;
	struct rows rs;

	fx_open(f);
	assert_int_equal(store_put_spec(f->st, "a", "t1", "{\"x\":1}",
	    &f->err), 0);
	fx_close(f);
	fx_open(f);
	assert_int_equal(store_version(f->st), (int)vx_nmigrations);
	fx_close(f);
	fx_open(f);
	assert_int_equal(store_version(f->st), (int)vx_nmigrations);
	load(f, &rs);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].spec, "{\"x\":1}");
	rows_free(&rs);
}

static void
test_put_spec(void **state)
{
	struct fx *f = *state;
	struct rows rs;
	char created[64], created2[64], updated[64], pcreated[64];
	time_t t, now;

	fx_open(f);
	assert_int_equal(store_put_spec(f->st, "bot", "t-1", "{\"v\":1}",
	    &f->err), 0);
	load(f, &rs);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].name, "bot");
	assert_string_equal(rs.r[0].spec, "{\"v\":1}");
	assert_null(rs.r[0].desired);
	assert_string_equal(rs.r[0].tenant_id, "t-1");
	assert_string_equal(rs.r[0].status, "STOPPED");
	assert_string_equal(rs.r[0].state, "stopped");
	assert_null(rs.r[0].last_error);
	assert_int_equal(rs.r[0].pid, 0);
	assert_int_equal(rs.r[0].restarts, 0);
	rows_free(&rs);
	fx_close(f);

	raw_text(f->path, "SELECT created_at FROM tenant_spec", created,
	    sizeof(created));
	assert_int_equal(clock_parse_iso8601(created, &t), 0);
	now = time(NULL);
	assert_true(t <= now && t >= now - 60);
	raw_text(f->path, "SELECT created_at FROM worker_process", pcreated,
	    sizeof(pcreated));
	assert_int_equal(clock_parse_iso8601(pcreated, &t), 0);
	/* Age updated_at, so the update must visibly move it. */
	raw_exec(f->path, "UPDATE tenant_spec SET"
	    " updated_at = '2000-01-01T00:00:00Z'");

	fx_open(f);
	assert_int_equal(store_put_spec(f->st, "bot", "t-2", "{\"v\":2}",
	    &f->err), 0);
	load(f, &rs);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].spec, "{\"v\":2}");
	assert_string_equal(rs.r[0].tenant_id, "t-2");
	rows_free(&rs);
	fx_close(f);

	raw_text(f->path, "SELECT created_at FROM tenant_spec", created2,
	    sizeof(created2));
	assert_string_equal(created2, created);
	raw_text(f->path, "SELECT updated_at FROM tenant_spec", updated,
	    sizeof(updated));
	assert_string_not_equal(updated, "2000-01-01T00:00:00Z");
	assert_int_equal(clock_parse_iso8601(updated, &t), 0);
	raw_text(f->path, "SELECT created_at FROM worker_process", created2,
	    sizeof(created2));
	assert_string_equal(created2, pcreated);
	assert_int_equal(raw_int(f->path,
	    "SELECT count(*) FROM worker_process"), 1);
}

static void
test_load_order(void **state)
{
	struct fx *f = *state;
	struct rows rs;

	fx_open(f);
	assert_int_equal(store_put_spec(f->st, "charlie", NULL, "{\"c\":3}",
	    &f->err), 0);
	assert_int_equal(store_put_spec(f->st, "alpha", "ta", "{\"a\":1}",
	    &f->err), 0);
	assert_int_equal(store_put_spec(f->st, "bravo", NULL, "{\"b\":2}",
	    &f->err), 0);
	load(f, &rs);
	assert_int_equal(rs.n, 3);
	assert_string_equal(rs.r[0].name, "alpha");
	assert_string_equal(rs.r[0].spec, "{\"a\":1}");
	assert_string_equal(rs.r[0].tenant_id, "ta");
	assert_string_equal(rs.r[1].name, "bravo");
	assert_string_equal(rs.r[1].spec, "{\"b\":2}");
	assert_null(rs.r[1].tenant_id);
	assert_string_equal(rs.r[2].name, "charlie");
	assert_string_equal(rs.r[2].spec, "{\"c\":3}");
	rows_free(&rs);

	/* A non-zero callback return stops the walk and is returned. */
	memset(&rs, 0, sizeof(rs));
	rs.stop_after = 2;
	assert_int_equal(store_load_tenants(f->st, collect_tenant, &rs,
	    &f->err), 7);
	assert_int_equal(rs.n, 2);
	rows_free(&rs);
	/* And the statement is reusable afterwards. */
	load(f, &rs);
	assert_int_equal(rs.n, 3);
	rows_free(&rs);
}

static void
test_set_desired(void **state)
{
	struct fx *f = *state;
	struct rows rs;

	fx_open(f);
	assert_int_equal(store_put_spec(f->st, "a", NULL, "{}", &f->err), 0);
	assert_int_equal(store_set_desired(f->st, "a", "started", &f->err),
	    0);
	load(f, &rs);
	assert_string_equal(rs.r[0].desired, "started");
	rows_free(&rs);
	assert_int_equal(store_set_desired(f->st, "a", "stopped", &f->err),
	    0);
	load(f, &rs);
	assert_string_equal(rs.r[0].desired, "stopped");
	rows_free(&rs);
	assert_int_equal(store_set_desired(f->st, "a", NULL, &f->err), 0);
	load(f, &rs);
	assert_null(rs.r[0].desired);
	rows_free(&rs);

	/* A put_spec of an existing tenant keeps its desired state. */
	assert_int_equal(store_set_desired(f->st, "a", "started", &f->err),
	    0);
	assert_int_equal(store_put_spec(f->st, "a", NULL, "{\"n\":2}",
	    &f->err), 0);
	load(f, &rs);
	assert_string_equal(rs.r[0].desired, "started");
	rows_free(&rs);

	vx_err_clear(&f->err);
	assert_int_equal(store_set_desired(f->st, "a", "running", &f->err),
	    -1);
	assert_contains(f->err.msg, "unable to update tenant_spec");
	assert_contains(f->err.msg, "CHECK constraint failed");
	assert_int_equal(f->err.code, VX_EXIT_FAIL);

	vx_err_clear(&f->err);
	assert_int_equal(store_set_desired(f->st, "nope", "started",
	    &f->err), -1);
	assert_contains(f->err.msg, "no tenant nope");
	assert_int_equal(f->err.code, VX_EXIT_NOTENANT);
}

static void
test_put_process(void **state)
{
	struct fx *f = *state;
	struct store_process p;
	struct rows rs;
	char buf[64];

	fx_open(f);
	assert_int_equal(store_put_spec(f->st, "a", "tid", "{}", &f->err), 0);
	memset(&p, 0, sizeof(p));
	p.name = "a";
	p.tenant_id = "tid-2";
	p.status = "ERROR";
	p.state = "backoff";
	p.last_error = "exited with status 1: \"quoted\" \xc3\xa9";
	p.pid = 4242;
	p.pid_start = 123456789012LL;
	p.restarts = 3;
	p.started_at = "2026-01-11T06:23:00Z";
	p.last_seen_at = "2026-01-11T06:24:00Z";
	p.session_state = "CONNECTED";
	p.boot_id = "0b6e1a8e-3f1c-4a57-9d7c-5b2f1e8a9c01";
	raw_exec(f->path, "UPDATE worker_process SET"
	    " updated_at = '2000-01-01T00:00:00Z'");
	assert_int_equal(store_put_process(f->st, &p, &f->err), 0);
	load(f, &rs);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].tenant_id, "tid-2");
	assert_string_equal(rs.r[0].status, "ERROR");
	assert_string_equal(rs.r[0].state, "backoff");
	assert_string_equal(rs.r[0].last_error, p.last_error);
	assert_int_equal(rs.r[0].pid, 4242);
	assert_int_equal(rs.r[0].pid_start, 123456789012LL);
	assert_int_equal(rs.r[0].restarts, 3);
	assert_string_equal(rs.r[0].started_at, "2026-01-11T06:23:00Z");
	assert_string_equal(rs.r[0].last_seen_at, "2026-01-11T06:24:00Z");
	assert_string_equal(rs.r[0].session_state, "CONNECTED");
	/* The boot the pid belongs to comes back with it (review M1). */
	assert_string_equal(rs.r[0].boot_id, p.boot_id);
	rows_free(&rs);
	raw_text(f->path, "SELECT updated_at FROM worker_process", buf,
	    sizeof(buf));
	assert_string_not_equal(buf, "2000-01-01T00:00:00Z");

	/* Every nullable column back to NULL; 0 pid is NULL on disk. */
	memset(&p, 0, sizeof(p));
	p.name = "a";
	p.status = "STOPPED";
	p.state = "exited";
	assert_int_equal(store_put_process(f->st, &p, &f->err), 0);
	load(f, &rs);
	assert_null(rs.r[0].tenant_id);
	assert_string_equal(rs.r[0].status, "STOPPED");
	assert_string_equal(rs.r[0].state, "exited");
	assert_null(rs.r[0].last_error);
	assert_int_equal(rs.r[0].pid, 0);
	assert_int_equal(rs.r[0].pid_start, 0);
	assert_int_equal(rs.r[0].restarts, 0);
	assert_null(rs.r[0].started_at);
	assert_null(rs.r[0].last_seen_at);
	assert_null(rs.r[0].session_state);
	assert_null(rs.r[0].boot_id);
	rows_free(&rs);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM worker_process"
	    " WHERE pid IS NULL AND pid_start IS NULL AND boot_id IS NULL"
	    " AND tenant_id IS NULL AND last_error IS NULL"
	    " AND started_at IS NULL AND last_seen_at IS NULL"
	    " AND session_state IS NULL"), 1);

	/* No row, no silent success. */
	p.name = "ghost";
	vx_err_clear(&f->err);
	assert_int_equal(store_put_process(f->st, &p, &f->err), -1);
	assert_contains(f->err.msg, "no tenant ghost");
}

static void
test_put_process_check(void **state)
{
	struct fx *f = *state;
	struct store_process p;
	struct rows rs;

	fx_open(f);
	assert_int_equal(store_put_spec(f->st, "a", NULL, "{}", &f->err), 0);
	memset(&p, 0, sizeof(p));
	p.name = "a";
	p.status = "BOGUS";
	p.state = "running";
	p.pid = 99;
	vx_err_clear(&f->err);
	assert_int_equal(store_put_process(f->st, &p, &f->err), -1);
	assert_int_equal(f->err.code, VX_EXIT_FAIL);
	assert_contains(f->err.msg, "unable to update worker_process: ");
	assert_contains(f->err.msg, "CHECK constraint failed");

	p.status = "RUNNING";
	p.state = "dancing";
	vx_err_clear(&f->err);
	assert_int_equal(store_put_process(f->st, &p, &f->err), -1);
	assert_contains(f->err.msg, "CHECK constraint failed");

	p.state = NULL;
	vx_err_clear(&f->err);
	assert_int_equal(store_put_process(f->st, &p, &f->err), -1);
	assert_contains(f->err.msg, "NOT NULL constraint failed");

	/* The row is untouched, and the statement still works. */
	load(f, &rs);
	assert_string_equal(rs.r[0].status, "STOPPED");
	assert_int_equal(rs.r[0].pid, 0);
	rows_free(&rs);
	p.state = "running";
	assert_int_equal(store_put_process(f->st, &p, &f->err), 0);
}

static void
test_delete_tenant(void **state)
{
	struct fx *f = *state;
	struct rows rs;
	struct evs es;

	fx_open(f);
	assert_int_equal(store_put_spec(f->st, "a", NULL, "{}", &f->err), 0);
	assert_int_equal(store_put_spec(f->st, "b", NULL, "{}", &f->err), 0);
	assert_int_equal(store_add_event(f->st, "a", "added", NULL, &f->err),
	    0);
	assert_int_equal(store_delete_tenant(f->st, "a", &f->err), 0);
	load(f, &rs);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].name, "b");
	rows_free(&rs);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM worker_process"
	    " WHERE name = 'a'"), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM tenant_spec"
	    " WHERE name = 'a'"), 0);
	/* History outlives the tenant. */
	history(f, "a", 0, &es);
	assert_int_equal(es.n, 1);
	evs_free(&es);
	/* Deleting what is not there is no error. */
	assert_int_equal(store_delete_tenant(f->st, "a", &f->err), 0);
	/* A re-added tenant starts afresh. */
	assert_int_equal(store_put_spec(f->st, "a", NULL, "{}", &f->err), 0);
	load(f, &rs);
	assert_int_equal(rs.n, 2);
	assert_string_equal(rs.r[0].state, "stopped");
	rows_free(&rs);
}

static void
test_events(void **state)
{
	struct fx *f = *state;
	struct evs es;
	char kind[16];
	time_t t, now;
	int i;

	fx_open(f);
	for (i = 1; i <= 5; i++) {
		snprintf(kind, sizeof(kind), "k%d", i);
		assert_int_equal(store_add_event(f->st, "a", kind,
		    i == 3 ? NULL : "some detail", &f->err), 0);
		assert_int_equal(store_add_event(f->st, "b", kind, NULL,
		    &f->err), 0);
	}

	history(f, "a", 3, &es);
	assert_int_equal(es.n, 3);
	assert_string_equal(es.kind[0], "k5");
	assert_string_equal(es.kind[1], "k4");
	assert_string_equal(es.kind[2], "k3");
	assert_true(es.id[0] > es.id[1] && es.id[1] > es.id[2]);
	assert_string_equal(es.detail[0], "some detail");
	assert_null(es.detail[2]);
	now = time(NULL);
	assert_int_equal(clock_parse_iso8601(es.at[0], &t), 0);
	assert_true(t <= now && t >= now - 60);
	evs_free(&es);

	history(f, "a", 0, &es);
	assert_int_equal(es.n, 5);
	evs_free(&es);
	history(f, "nobody", 10, &es);
	assert_int_equal(es.n, 0);
	evs_free(&es);

	/*
	 * Retention is per tenant (review M5): a's newest 2 are kept and
	 * b's 5 are untouched, however many a wrote.
	 */
	assert_int_equal(store_trim_events(f->st, "a", 2, &f->err), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM event"), 7);
	history(f, "a", 0, &es);
	assert_int_equal(es.n, 2);
	assert_string_equal(es.kind[0], "k5");
	assert_string_equal(es.kind[1], "k4");
	evs_free(&es);
	history(f, "b", 0, &es);
	assert_int_equal(es.n, 5);
	assert_string_equal(es.kind[0], "k5");
	assert_string_equal(es.kind[4], "k1");
	evs_free(&es);

	/* Keeping more than there are changes nothing. */
	assert_int_equal(store_trim_events(f->st, "b", 100, &f->err), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM event"), 7);
	assert_int_equal(store_trim_events(f->st, "b", -1, &f->err), -1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM event"), 7);
	assert_int_equal(store_trim_events(f->st, "b", 0, &f->err), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM event"), 2);
	assert_int_equal(store_trim_events(f->st, "nobody", 0, &f->err), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM event"), 2);
}

/* A flood of one tenant's events trims only that tenant's history. */
static void
test_trim_flood(void **state)
{
	struct fx *f = *state;
	struct evs es;
	int i;

	fx_open(f);
	assert_int_equal(store_add_event(f->st, "quiet", "started", NULL,
	    &f->err), 0);
	assert_int_equal(store_begin(f->st, &f->err), 0);
	for (i = 0; i < 5000; i++)
		assert_int_equal(store_add_event(f->st, "loud", "session",
		    i % 2 ? "CONNECTED" : "DISCONNECTED", &f->err), 0);
	assert_int_equal(store_trim_events(f->st, "loud", 100, &f->err), 0);
	assert_int_equal(store_commit(f->st, &f->err), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM event"
	    " WHERE tenant = 'loud'"), 100);
	history(f, "quiet", 0, &es);
	assert_int_equal(es.n, 1);
	assert_string_equal(es.kind[0], "started");
	evs_free(&es);
	assert_int_equal(STORE_TRIM_EVERY(1000), 100);
	assert_int_equal(STORE_TRIM_EVERY(100000), 10000);
}

/*
 * Events queued in memory reach the table with their own time, once: a
 * rolled-back transaction keeps them queued, a commit empties the queue.
 */
static void
test_queue(void **state)
{
	struct fx *f = *state;
	struct evs es;
	int i;

	fx_open(f);
	assert_int_equal(store_queue_event(f->st, "a", "session",
	    "CONNECTED"), 0);
	assert_int_equal(store_queue_event(f->st, "a", "last_error", NULL),
	    0);
	assert_int_equal(store_queued(f->st), 2);
	/* Not outside a transaction: nothing would empty the queue. */
	vx_err_clear(&f->err);
	assert_int_equal(store_write_queued(f->st, &f->err), -1);
	assert_contains(f->err.msg, "outside a transaction");

	assert_int_equal(store_begin(f->st, &f->err), 0);
	assert_int_equal(store_write_queued(f->st, &f->err), 0);
	store_rollback(f->st);
	assert_int_equal(store_queued(f->st), 2);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM event"), 0);

	assert_int_equal(store_begin(f->st, &f->err), 0);
	assert_int_equal(store_write_queued(f->st, &f->err), 0);
	/* Queued after the write: waits for the next transaction. */
	assert_int_equal(store_queue_event(f->st, "b", "session", "QR_READY"),
	    0);
	assert_int_equal(store_commit(f->st, &f->err), 0);
	assert_int_equal(store_queued(f->st), 1);
	history(f, "a", 0, &es);
	assert_int_equal(es.n, 2);
	assert_string_equal(es.kind[0], "last_error");
	assert_null(es.detail[0]);
	assert_string_equal(es.kind[1], "session");
	assert_string_equal(es.detail[1], "CONNECTED");
	assert_non_null(es.at[1]);
	evs_free(&es);

	/* Bounded: the rest are counted, not kept. */
	for (i = 1; i < STORE_QUEUE_MAX; i++)
		assert_int_equal(store_queue_event(f->st, "b", "k", NULL), 0);
	assert_int_equal(store_queue_event(f->st, "b", "k", NULL), -1);
	assert_int_equal(store_queue_event(f->st, "b", "k", NULL), -1);
	assert_int_equal(store_queued(f->st), STORE_QUEUE_MAX);
	assert_int_equal(store_queue_dropped(f->st), 2);
	assert_int_equal(store_queue_dropped(f->st), 0);
	/* Closing with events queued frees them (the leak checker sees). */
}

/*
 * Review M2: another connection holding the write lock made every write
 * of the master wait 5 s.  Now a write gives up after STORE_BUSY_MS; the
 * bound checked here is a wide sanity bound, not a latency figure.
 */
static void
test_busy(void **state)
{
	struct fx *f = *state;
	sqlite3 *other;
	struct timespec t0, t1;
	long ms;

	fx_open(f);
	assert_int_equal(store_put_spec(f->st, "a", NULL, "{}", &f->err), 0);
	assert_int_equal(sqlite3_open_v2(f->path, &other,
	    SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), SQLITE_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	vx_err_clear(&f->err);
	assert_int_equal(store_begin(f->st, &f->err), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_contains(f->err.msg, "locked");
	if (ms >= 2000)
		fail_msg("store_begin waited %ld ms for the lock", ms);
	assert_false(store_in_transaction(f->st));
	/* Autocommit writes give up the same way. */
	assert_int_equal(store_set_desired(f->st, "a", "stopped", &f->err),
	    -1);
	/* Readers are not stopped by the writer (WAL). */
	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_close(other), SQLITE_OK);
	assert_int_equal(store_begin(f->st, &f->err), 0);
	assert_true(store_in_transaction(f->st));
	assert_int_equal(store_set_desired(f->st, "a", "stopped", &f->err),
	    0);
	assert_int_equal(store_commit(f->st, &f->err), 0);
	assert_false(store_in_transaction(f->st));
}

/*
 * A database of schema 1 with a worker left running gets the boot_id
 * column (review M1); the old row has none, so it is never taken for a
 * worker of this boot.
 */
static void
test_migrate_boot_id(void **state)
{
	struct fx *f = *state;
	struct rows rs;
	char sql[8192];

	snprintf(sql, sizeof(sql), "%s PRAGMA user_version = 1;"
	    " INSERT INTO tenant_spec VALUES ('a', '{}', 'started',"
	    " '2026-01-11T06:23:00Z', '2026-01-11T06:23:00Z');"
	    " INSERT INTO worker_process (name, status, state, pid, pid_start,"
	    " created_at, updated_at) VALUES ('a', 'RUNNING', 'running',"
	    " 4242, 777, '2026-01-11T06:23:00Z', '2026-01-11T06:23:00Z');",
	    vx_migrations[0]);
	raw_exec(f->path, sql);
	fx_open(f);
	assert_int_equal(store_version(f->st), (int)vx_nmigrations);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM"
	    " pragma_table_info('worker_process') WHERE name = 'boot_id'"), 1);
	load(f, &rs);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.r[0].pid, 4242);
	assert_int_equal(rs.r[0].pid_start, 777);
	assert_null(rs.r[0].boot_id);
	assert_string_equal(rs.r[0].desired, "started");
	rows_free(&rs);
}

static void
test_put_seen(void **state)
{
	struct fx *f = *state;
	struct rows rs;

	fx_open(f);
	assert_int_equal(store_put_spec(f->st, "a", NULL, "{}", &f->err), 0);
	assert_int_equal(store_put_seen(f->st, "a", "2026-01-11T06:24:00Z",
	    "QR_READY", NULL, &f->err), 0);
	load(f, &rs);
	assert_string_equal(rs.r[0].last_seen_at, "2026-01-11T06:24:00Z");
	assert_string_equal(rs.r[0].session_state, "QR_READY");
	rows_free(&rs);
	assert_null(rs.r[0].last_error);
	rows_free(&rs);
	/* last_error is batched too (review M5). */
	assert_int_equal(store_put_seen(f->st, "a", NULL, "CONNECTED",
	    "auth failed", &f->err), 0);
	load(f, &rs);
	assert_string_equal(rs.r[0].last_seen_at, "2026-01-11T06:24:00Z");
	assert_string_equal(rs.r[0].session_state, "CONNECTED");
	assert_string_equal(rs.r[0].last_error, "auth failed");
	rows_free(&rs);
	/*
	 * A NULL last_seen_at leaves it as it was; session_state and
	 * last_error are the master's current values, NULL included.
	 */
	assert_int_equal(store_put_seen(f->st, "a", "2026-01-11T06:25:00Z",
	    NULL, NULL, &f->err), 0);
	load(f, &rs);
	assert_string_equal(rs.r[0].last_seen_at, "2026-01-11T06:25:00Z");
	assert_null(rs.r[0].session_state);
	assert_null(rs.r[0].last_error);
	rows_free(&rs);
	/* A tenant removed before the flush is skipped, not an error. */
	assert_int_equal(store_put_seen(f->st, "gone", "2026-01-11T06:25:00Z",
	    NULL, NULL, &f->err), 0);
}

static void
test_transactions(void **state)
{
	struct fx *f = *state;
	struct store_process p;
	struct rows rs;
	struct evs es;

	fx_open(f);
	assert_int_equal(store_put_spec(f->st, "keep", NULL, "{}", &f->err),
	    0);

	assert_int_equal(store_begin(f->st, &f->err), 0);
	assert_int_equal(store_put_spec(f->st, "a", NULL, "{}", &f->err), 0);
	assert_int_equal(store_add_event(f->st, "a", "added", NULL, &f->err),
	    0);
	memset(&p, 0, sizeof(p));
	p.name = "keep";
	p.status = "RUNNING";
	p.state = "running";
	p.pid = 1234;
	assert_int_equal(store_put_process(f->st, &p, &f->err), 0);
	/* A failed statement inside leaves the transaction usable. */
	p.status = "BOGUS";
	assert_int_equal(store_put_process(f->st, &p, &f->err), -1);
	store_rollback(f->st);
	load(f, &rs);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0].name, "keep");
	assert_string_equal(rs.r[0].status, "STOPPED");
	rows_free(&rs);
	history(f, "a", 0, &es);
	assert_int_equal(es.n, 0);
	evs_free(&es);
	/* A second rollback, outside any transaction, is harmless. */
	store_rollback(f->st);

	assert_int_equal(store_begin(f->st, &f->err), 0);
	assert_int_equal(store_put_spec(f->st, "a", NULL, "{}", &f->err), 0);
	assert_int_equal(store_add_event(f->st, "a", "added", NULL, &f->err),
	    0);
	/* Not visible to another connection until the commit. */
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM event"), 0);
	assert_int_equal(store_commit(f->st, &f->err), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM event"), 1);
	load(f, &rs);
	assert_int_equal(rs.n, 2);
	rows_free(&rs);

	/* Nesting is an error, the transaction stays. */
	assert_int_equal(store_begin(f->st, &f->err), 0);
	vx_err_clear(&f->err);
	assert_int_equal(store_begin(f->st, &f->err), -1);
	assert_contains(f->err.msg, "unable to begin transaction");
	assert_int_equal(store_commit(f->st, &f->err), 0);
	vx_err_clear(&f->err);
	assert_int_equal(store_commit(f->st, &f->err), -1);
	assert_contains(f->err.msg, "unable to commit transaction");
}

static void
test_corrupt_garbage(void **state)
{
	struct fx *f = *state;
	static const char line[] = "this is not a database";
	char data[2200 + 1], *after;
	size_t len = 0, i;

	/* 100 copies, no NUL between them: file bytes, not a string. */
	for (i = 0; i < 100; i++, len += sizeof(line) - 1)
		memcpy(data + len, line, sizeof(line) - 1);
	write_file(f->path, data, len);

	assert_int_equal(store_open(f->path, &f->st, &f->err), -1);
	assert_null(f->st);
	assert_int_equal(f->err.code, VX_EXIT_FAIL);
	assert_contains(f->err.msg, "corrupt");
	assert_contains(f->err.msg, f->path);
	assert_contains(f->err.msg, "refusing to start");
	assert_contains(f->err.msg, "move it aside");

	after = read_file(f->path, &i);
	assert_int_equal(i, len);
	assert_memory_equal(after, data, len);
	free(after);
	/* No -wal, -shm or -journal left beside it either. */
	assert_int_equal(dir_entries(f->dir), 1);
}

static void
test_corrupt_page(void **state)
{
	struct fx *f = *state;
	char junk[512], *before, *after;
	size_t blen, alen;
	long pagesz;
	int fd;

	fx_open(f);
	assert_int_equal(store_put_spec(f->st, "a", NULL, "{}", &f->err), 0);
	fx_close(f);
	/* Closing checkpointed the WAL: every page is in the main file. */
	pagesz = raw_int(f->path, "PRAGMA page_size");
	assert_true(pagesz >= 512);
	memset(junk, 0xa5, sizeof(junk));
	fd = open(f->path, O_WRONLY | O_CLOEXEC);
	assert_true(fd != -1);
	/* Page 2 is the root of tenant_spec. */
	assert_int_equal(pwrite(fd, junk, sizeof(junk), pagesz),
	    (ssize_t)sizeof(junk));
	close(fd);
	before = read_file(f->path, &blen);

	assert_int_equal(store_open(f->path, &f->st, &f->err), -1);
	assert_contains(f->err.msg, "corrupt");
	assert_contains(f->err.msg, "refusing to start");
	/* One line, though quick_check reports in several. */
	assert_null(strchr(f->err.msg, '\n'));

	after = read_file(f->path, &alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(after, before, blen);
	free(before);
	free(after);
}

static void
test_newer(void **state)
{
	struct fx *f = *state;
	char buf[32];

	raw_exec(f->path, "CREATE TABLE x (y); PRAGMA user_version = 99");
	assert_int_equal(store_open(f->path, &f->st, &f->err), -1);
	assert_null(f->st);
	assert_contains(f->err.msg, "newer");
	assert_contains(f->err.msg, "schema version 99");
	assert_contains(f->err.msg, f->path);
	/* Left exactly as it was: not even switched to WAL. */
	raw_text(f->path, "PRAGMA journal_mode", buf, sizeof(buf));
	assert_string_equal(buf, "delete");
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 99);
}

/*
 * The checks of an unwritable place, run as an unprivileged user: root
 * ignores directory permissions.  Exits non-zero on the first failure.
 */
static int
unwritable_checks(struct fx *f)
{
	char path[PATH_MAX + 32];
	struct store *st = NULL;
	struct vx_err err;

	/* A database that does not exist cannot be created there. */
	vx_err_clear(&err);
	if (store_open(f->path, &st, &err) != -1 || st != NULL)
		return 1;
	if (strstr(err.msg, "unable to open database") == NULL ||
	    strstr(err.msg, f->path) == NULL ||
	    strstr(err.msg, strerror(EACCES)) == NULL) {
		fprintf(stderr, "unexpected: %s\n", err.msg);
		return 2;
	}
	if (access(f->path, F_OK) == 0)
		return 3;
	/* Nor in a directory that does not exist. */
	snprintf(path, sizeof(path), "%s/no/such/vectis.db", f->dir);
	vx_err_clear(&err);
	if (store_open(path, &st, &err) != -1 ||
	    strstr(err.msg, strerror(ENOENT)) == NULL) {
		fprintf(stderr, "unexpected: %s\n", err.msg);
		return 4;
	}
	return 0;
}

static void
test_unwritable_dir(void **state)
{
	struct fx *f = *state;
	pid_t pid;
	int status;

	assert_int_equal(chmod(f->dir, 0555), 0);
	if (geteuid() != 0) {
		assert_int_equal(unwritable_checks(f), 0);
		return;
	}
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		if (setgroups(0, NULL) == -1 || setgid(65534) == -1 ||
		    setuid(65534) == -1)
			_exit(99);
		_exit(unwritable_checks(f));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_errors_name_operation(void **state)
{
	struct fx *f = *state;

	fx_open(f);
	/* NOT NULL spec: the message names the table and SQLite's reason. */
	vx_err_clear(&f->err);
	assert_int_equal(store_put_spec(f->st, "b", NULL, NULL, &f->err), -1);
	assert_int_equal(f->err.code, VX_EXIT_FAIL);
	assert_contains(f->err.msg, "unable to write tenant_spec: ");
	assert_contains(f->err.msg, "NOT NULL constraint failed");
	/* Nor was half a tenant left behind, even in autocommit mode. */
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM worker_process"
	    " WHERE name = 'b'"), 0);
	assert_int_equal(store_put_spec(f->st, "b", NULL, "{}", &f->err), 0);
}

/* In a child, with a file size limit standing in for a full disk. */
static int
disk_full_checks(struct fx *f)
{
	struct rlimit rl;
	struct vx_err err;
	char detail[1024];
	int i, rc = 0;

	memset(detail, 'x', sizeof(detail) - 1);
	detail[sizeof(detail) - 1] = '\0';
	signal(SIGXFSZ, SIG_IGN);
	rl.rlim_cur = rl.rlim_max = 256 * 1024;
	if (setrlimit(RLIMIT_FSIZE, &rl) == -1)
		return 10;
	vx_err_clear(&err);
	if (store_open(f->path, &f->st, &err) == -1) {
		fprintf(stderr, "store_open: %s\n", err.msg);
		return 9;
	}
	for (i = 0; i < 10000; i++)
		if ((rc = store_add_event(f->st, "a", "k", detail,
		    &err)) == -1)
			break;
	if (rc != -1) {
		fprintf(stderr, "never failed\n");
		return 11;
	}
	if (strncmp(err.msg, "unable to insert event: ", 24) != 0 ||
	    (strstr(err.msg, "full") == NULL &&
	    strstr(err.msg, "I/O") == NULL)) {
		fprintf(stderr, "unexpected: %s\n", err.msg);
		return 12;
	}
	store_rollback(f->st);
	store_close(f->st);
	f->st = NULL;
	return 0;
}

static void
test_disk_full(void **state)
{
	struct fx *f = *state;
	pid_t pid;
	int status;

	/* The child opens its own: a connection must not cross a fork. */
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0)
		_exit(disk_full_checks(f));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Run every store test, each in a temporary directory of its own. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_spec, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_set_desired, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_put_process, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_put_process_check, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_delete_tenant, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_seen, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_trim_flood, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_boot_id, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_garbage, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_page, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_newer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_dir, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_errors_name_operation,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_disk_full, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

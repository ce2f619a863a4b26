/* test_workerconf.c: SYNC_STATUS transitions, worker.conf I/O, the secret. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "secret.h"
#include "workerconf.h"

static char dir[] = "/tmp/vx-wc.XXXXXX";
static char conf[256], secretp[256];

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(conf, sizeof(conf), "%s/worker.conf", dir);
	snprintf(secretp, sizeof(secretp), "%s/worker.secret", dir);
	return 0;
}

static int
teardown(void **state)
{
	char p[300];

	(void)state;
	unlink(conf);
	snprintf(p, sizeof(p), "%s.lock", conf);
	unlink(p);
	unlink(secretp);
	rmdir(dir);
	return 0;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

/* Every (state, event) pair against SPEC 9, written out by hand. */
static void
test_transition_table(void **state)
{
	static const struct {
		enum wc_status	from;
		enum wc_event	ev;
		int		to;
	} cases[] = {
		{ WC_PENDING, WC_EV_SYNC_OK, WC_SYNCED },
		{ WC_PENDING, WC_EV_SYNC_FAIL, WC_FAILED },
		{ WC_PENDING, WC_EV_CHANGED, -1 },
		{ WC_FAILED, WC_EV_SYNC_OK, WC_SYNCED },
		{ WC_FAILED, WC_EV_SYNC_FAIL, WC_FAILED },
		{ WC_FAILED, WC_EV_CHANGED, -1 },
		{ WC_SYNCED, WC_EV_SYNC_OK, WC_SYNCED },
		{ WC_SYNCED, WC_EV_SYNC_FAIL, WC_FAILED },
		{ WC_SYNCED, WC_EV_CHANGED, WC_OUTDATED },
		{ WC_OUTDATED, WC_EV_SYNC_OK, WC_SYNCED },
		{ WC_OUTDATED, WC_EV_SYNC_FAIL, WC_FAILED },
		{ WC_OUTDATED, WC_EV_CHANGED, WC_OUTDATED },
	};
	size_t i;
	int s, e, to;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		to = workerconf_transition(cases[i].from, cases[i].ev);
		if (to != cases[i].to)
			fail_msg("%s + event %d: got %d, wanted %d",
			    workerconf_status_name(cases[i].from),
			    (int)cases[i].ev, to, cases[i].to);
	}
	/* Nothing leads back to pending; out-of-range input is refused. */
	for (s = 0; s < 4; s++) {
		for (e = 0; e < 3; e++)
			assert_int_not_equal(workerconf_transition(
			    (enum wc_status)s, (enum wc_event)e), WC_PENDING);
		assert_int_equal(workerconf_transition((enum wc_status)s,
		    (enum wc_event)3), -1);
	}
	assert_int_equal(workerconf_transition((enum wc_status)4,
	    WC_EV_SYNC_OK), -1);
	assert_int_equal(workerconf_transition((enum wc_status)-1,
	    WC_EV_SYNC_OK), -1);
}

static void
test_status_names(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(workerconf_status_parse(
		    workerconf_status_name((enum wc_status)i)), i);
	assert_int_equal(workerconf_status_parse("Synced"), -1);
	assert_int_equal(workerconf_status_parse(""), -1);
	assert_string_equal(workerconf_status_name((enum wc_status)9),
	    "unknown");
}

/* No file: an unregistered node with every documented default. */
static void
test_defaults(void **state)
{
	struct workerconf wc;
	struct vx_err err;

	(void)state;
	unlink(conf);
	assert_int_equal(workerconf_load(conf, &wc, &err), 0);
	assert_int_equal(wc.status, WC_PENDING);
	assert_string_equal(workerconf_get(&wc, "SYNC_STATUS"), "pending");
	assert_string_equal(workerconf_get(&wc, "REGISTER_PATH"),
	    "/api/v1/workers");
	assert_string_equal(workerconf_get(&wc, "SYNC_LISTEN"),
	    "0.0.0.0:3000");
	assert_null(workerconf_get(&wc, "WORKER_ID"));
	assert_null(workerconf_get(&wc, "DASHBOARD_URL"));
	assert_int_equal(wc.timeout_s, 10);
	assert_int_equal(wc.retries, 2);
	assert_int_equal(wc.retry_delay_ms, 1000);
	assert_int_equal(wc.check_interval_s, 300);
	assert_int_equal(wc.metrics_open, 0);
	assert_int_equal(wc.config_version, 0);
	workerconf_free(&wc);
}

/* The seed's file, comment and all, reads as the seed says. */
static void
test_seed_file(void **state)
{
	struct workerconf wc;
	struct vx_err err;

	(void)state;
	write_file(conf, "WORKER_ID=wrk_abc123\n"
	    "SUBDOMAIN=worker-a1b2c3.vectis.dev\n"
	    "PUBLIC_IP=203.0.113.5\n"
	    "SYNC_STATUS=synced\n"
	    "LAST_SYNC=2026-01-11T06:23:00Z\n"
	    "ERROR_MESSAGE=  # Only present if status=failed\n", 0600);
	assert_int_equal(workerconf_load(conf, &wc, &err), 0);
	assert_int_equal(wc.status, WC_SYNCED);
	assert_string_equal(workerconf_get(&wc, "WORKER_ID"), "wrk_abc123");
	assert_string_equal(workerconf_get(&wc, "LAST_SYNC"),
	    "2026-01-11T06:23:00Z");
	assert_null(workerconf_get(&wc, "ERROR_MESSAGE"));
	workerconf_free(&wc);
}

static void
load_fails(const char *text, const char *msg)
{
	struct workerconf wc;
	struct vx_err err;

	write_file(conf, text, 0600);
	vx_err_clear(&err);
	if (workerconf_load(conf, &wc, &err) != -1)
		fail_msg("accepted: %s", text);
	if (strstr(err.msg, msg) == NULL)
		fail_msg("%s: error '%s' lacks '%s'", text, err.msg, msg);
}

static void
test_bad_values(void **state)
{
	(void)state;
	load_fails("FOO=1\n", "worker.conf:1: unknown key 'FOO'");
	load_fails("WORKER_ID=a\nSYNC_STATUS=done\n",
	    "worker.conf:2: SYNC_STATUS: unknown status 'done'");
	load_fails("SYNC_TIMEOUT_S=0\n", "SYNC_TIMEOUT_S: expected a number "
	    "from 1 to 3600, got '0'");
	load_fails("SYNC_RETRIES=-1\n", "SYNC_RETRIES");
	load_fails("SYNC_RETRIES=11\n", "SYNC_RETRIES");
	load_fails("METRICS_OPEN=yes\n", "METRICS_OPEN");
	load_fails("CONFIG_VERSION=99999999999999999999\n", "CONFIG_VERSION");
	load_fails("SYNC_LISTEN=localhost:3000\n",
	    "SYNC_LISTEN: expected IP:PORT");
	load_fails("SYNC_LISTEN=0.0.0.0:0\n", "SYNC_LISTEN: expected IP:PORT");
	load_fails("SYNC_LISTEN=OFF\n", "SYNC_LISTEN");
	load_fails("SYNC_LISTEN=::1:3000\n", "SYNC_LISTEN");
	load_fails("SYNC_LISTEN=0.0.0.0:65536\n", "SYNC_LISTEN");
}

static void
test_listen_v6(void **state)
{
	struct workerconf wc;
	struct vx_err err;

	(void)state;
	write_file(conf, "SYNC_LISTEN=[::1]:8080\nMETRICS_OPEN=1\n", 0600);
	assert_int_equal(workerconf_load(conf, &wc, &err), 0);
	assert_string_equal(workerconf_get(&wc, "SYNC_LISTEN"), "[::1]:8080");
	assert_int_equal(wc.metrics_open, 1);
	workerconf_free(&wc);
	write_file(conf, "SYNC_LISTEN=off\n", 0600);
	assert_int_equal(workerconf_load(conf, &wc, &err), 0);
	assert_string_equal(workerconf_get(&wc, "SYNC_LISTEN"), "off");
	workerconf_free(&wc);
	/* What the master could not bind is refused at load. */
	write_file(conf, "SYNC_LISTEN=localhost:3000\n", 0600);
	assert_int_equal(workerconf_load(conf, &wc, &err), -1);
	assert_non_null(strstr(err.msg, "SYNC_LISTEN"));
}

struct setargs {
	const char	*key, *value;
};

static int
set_fn(struct workerconf *wc, void *arg, struct vx_err *err)
{
	const struct setargs *a = arg;

	return workerconf_set(wc, a->key, a->value, err);
}

static int
keep_fn(struct workerconf *wc, void *arg, struct vx_err *err)
{
	(void)wc;
	(void)arg;
	(void)err;
	return 1;
}

/* Values that need quoting survive a save and a load unchanged. */
static void
test_update_roundtrip(void **state)
{
	static const char *msg = "dashboard said: \"it's\" $HOME # not a "
	    "comment \\ \xc3\xa9";
	struct setargs a = { "ERROR_MESSAGE", msg };
	struct workerconf wc, out;
	struct vx_err err;
	struct stat st;

	(void)state;
	write_file(conf, "WORKER_ID=wrk_1\nCONFIG_VERSION=7\n", 0644);
	assert_int_equal(workerconf_update(conf, set_fn, &a, &out, &err), 0);
	assert_string_equal(workerconf_get(&out, "ERROR_MESSAGE"), msg);
	workerconf_free(&out);
	assert_int_equal(stat(conf, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(workerconf_load(conf, &wc, &err), 0);
	assert_string_equal(workerconf_get(&wc, "ERROR_MESSAGE"), msg);
	assert_string_equal(workerconf_get(&wc, "WORKER_ID"), "wrk_1");
	assert_int_equal(wc.config_version, 7);
	workerconf_free(&wc);

	/* A callback that keeps the file does not rewrite it. */
	assert_int_equal(chmod(conf, 0640), 0);
	assert_int_equal(workerconf_update(conf, keep_fn, NULL, NULL, &err),
	    0);
	assert_int_equal(stat(conf, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);

	/* A bad value is refused before it reaches the file. */
	a.key = "SYNC_RETRIES";
	a.value = "many";
	assert_int_equal(workerconf_update(conf, set_fn, &a, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "SYNC_RETRIES"));
	a.key = "ERROR_MESSAGE";
	a.value = "two\nlines";
	assert_int_equal(workerconf_update(conf, set_fn, &a, NULL, &err), -1);
	a.key = "NOPE";
	a.value = "1";
	assert_int_equal(workerconf_update(conf, set_fn, &a, NULL, &err), -1);
	assert_int_equal(workerconf_load(conf, &wc, &err), 0);
	assert_string_equal(workerconf_get(&wc, "ERROR_MESSAGE"), msg);
	assert_int_equal(wc.retries, 2);
	workerconf_free(&wc);
}

/* The outdated rule and mark_outdated's respect for the state machine. */
static void
test_outdated(void **state)
{
	struct workerconf wc;
	struct vx_err err;
	char why[256];

	(void)state;
	write_file(conf, "SYNC_STATUS=synced\nPUBLIC_IP=203.0.113.5\n"
	    "SECRET_SHA256=aaaa\nCONFIG_VERSION=3\n"
	    "ANNOUNCED_CONFIG_VERSION=3\n", 0600);
	assert_int_equal(workerconf_load(conf, &wc, &err), 0);
	assert_int_equal(workerconf_differs(&wc, "203.0.113.5", "aaaa", why,
	    sizeof(why)), 0);
	assert_int_equal(workerconf_differs(&wc, NULL, NULL, why,
	    sizeof(why)), 0);
	assert_int_equal(workerconf_differs(&wc, "198.51.100.7", NULL, why,
	    sizeof(why)), 1);
	assert_string_equal(why, "public IP changed from 203.0.113.5 to "
	    "198.51.100.7");
	assert_int_equal(workerconf_differs(&wc, NULL, "bbbb", why,
	    sizeof(why)), 1);
	assert_non_null(strstr(why, "worker.secret changed"));
	wc.announced_version = 4;
	assert_int_equal(workerconf_differs(&wc, NULL, NULL, why,
	    sizeof(why)), 1);
	assert_string_equal(why, "dashboard announced config version 4, "
	    "node applied 3");
	workerconf_free(&wc);

	/* Unchanged: the file is left as it is. */
	assert_int_equal(workerconf_mark_outdated(conf, "203.0.113.5", "aaaa",
	    &wc, why, sizeof(why), &err), 0);
	assert_int_equal(wc.status, WC_SYNCED);
	assert_string_equal(why, "");
	workerconf_free(&wc);
	/* Changed: synced -> outdated, and it stays outdated. */
	assert_int_equal(workerconf_mark_outdated(conf, "198.51.100.7", NULL,
	    &wc, why, sizeof(why), &err), 0);
	assert_int_equal(wc.status, WC_OUTDATED);
	workerconf_free(&wc);
	assert_int_equal(workerconf_load(conf, &wc, &err), 0);
	assert_int_equal(wc.status, WC_OUTDATED);
	assert_string_equal(workerconf_get(&wc, "PUBLIC_IP"), "203.0.113.5");
	workerconf_free(&wc);

	/* pending and failed are never made outdated. */
	write_file(conf, "SYNC_STATUS=failed\nPUBLIC_IP=203.0.113.5\n", 0600);
	assert_int_equal(workerconf_mark_outdated(conf, "198.51.100.7", NULL,
	    &wc, why, sizeof(why), &err), 0);
	assert_int_equal(wc.status, WC_FAILED);
	workerconf_free(&wc);
	write_file(conf, "PUBLIC_IP=203.0.113.5\n", 0600);
	assert_int_equal(workerconf_mark_outdated(conf, "198.51.100.7", NULL,
	    &wc, why, sizeof(why), &err), 0);
	assert_int_equal(wc.status, WC_PENDING);
	workerconf_free(&wc);
}

/* worker.secret: created once, 0600, 64 hex, read back the same. */
static void
test_secret(void **state)
{
	char a[SECRET_HEX], b[SECRET_HEX], sha[SECRET_SHA_HEX];
	struct vx_err err;
	struct stat st;
	int created, fd;
	size_t i;

	(void)state;
	unlink(secretp);
	assert_int_equal(secret_load(secretp, a, &err), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(secret_load_or_create(secretp, a, &created, &err), 0);
	assert_int_equal(created, 1);
	assert_int_equal(strlen(a), 64);
	for (i = 0; i < 64; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
	assert_int_equal(stat(secretp, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 64);
	assert_int_equal(secret_load_or_create(secretp, b, &created, &err), 0);
	assert_int_equal(created, 0);
	assert_string_equal(a, b);

	/* One trailing newline is tolerated, anything else is not. */
	snprintf(b, sizeof(b), "%s", a);
	write_file(secretp, "", 0600);
	fd = open(secretp, O_WRONLY | O_CLOEXEC);
	assert_int_equal(write(fd, a, 64), 64);
	assert_int_equal(write(fd, "\n", 1), 1);
	close(fd);
	assert_int_equal(secret_load(secretp, b, &err), 0);
	assert_string_equal(a, b);
	write_file(secretp, "ABCDEF", 0600);
	assert_int_equal(secret_load(secretp, b, &err), -1);
	assert_non_null(strstr(err.msg, "64 lower-case hex digits"));
	write_file(secretp, "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef", 0644);
	assert_int_equal(secret_load(secretp, b, &err), -1);
	assert_non_null(strstr(err.msg, "too open"));

	/* FIPS 180-2 test vector. */
	assert_int_equal(secret_sha256_hex("abc", 3, sha), 0);
	assert_string_equal(sha, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transition_table),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_seed_file),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_listen_v6),
		cmocka_unit_test(test_update_roundtrip),
		cmocka_unit_test(test_outdated),
		cmocka_unit_test(test_secret),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

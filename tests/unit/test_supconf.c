/* test_supconf.c: supervisor.conf's START_CONCURRENCY, default and bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "supconf.h"

static char dir[] = "/tmp/test_supconf.XXXXXX";
static char path[64];

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/supervisor.conf", dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

/* Write text as the file and load it. */
static int
load(const char *text, struct supconf *c, struct vx_err *err)
{
	FILE *f;

	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	vx_err_clear(err);
	return supconf_load(path, c, err);
}

static void
test_default_is_cpus(void **state)
{
	struct supconf c;
	struct vx_err err;
	cpu_set_t set;
	int n;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	n = CPU_COUNT(&set);
	unlink(path);
	assert_int_equal(supconf_load(path, &c, &err), 0);
	assert_int_equal(c.start_concurrency, n < 2 ? 2 : n);
	assert_int_equal(load("# nothing set\nLOG_LEVEL=info\n", &c, &err), 0);
	assert_int_equal(c.start_concurrency, n < 2 ? 2 : n);
}

static void
test_values(void **state)
{
	struct supconf c;
	struct vx_err err;

	(void)state;
	assert_int_equal(load("START_CONCURRENCY=1\n", &c, &err), 0);
	assert_int_equal(c.start_concurrency, 1);
	assert_int_equal(load("START_CONCURRENCY=16\n", &c, &err), 0);
	assert_int_equal(c.start_concurrency, 16);
	assert_int_equal(load("START_CONCURRENCY=\"10000\"\n", &c, &err), 0);
	assert_int_equal(c.start_concurrency, 10000);
	/* a later line wins, as for every key */
	assert_int_equal(load("START_CONCURRENCY=3\nSTART_CONCURRENCY=4\n",
	    &c, &err), 0);
	assert_int_equal(c.start_concurrency, 4);
}

/* 0, negative, not a number or absurd: an error naming file and line. */
static void
test_bad(void **state)
{
	static const char *const bad[] = {
		"0", "-1", "-2147483648", "10001", "2147483648",
		"99999999999999999999999", "abc", "''", "4x", "1.5", "0x10",
		"\"4 \"", "1e3",
	};
	char text[128], want[256];
	struct supconf c;
	struct vx_err err;
	size_t i;

	(void)state;
	snprintf(want, sizeof(want), "%s:3: START_CONCURRENCY must be an "
	    "integer in 1..10000", path);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "# pacing\nLOG_LEVEL=info\n"
		    "START_CONCURRENCY=%s\n", bad[i]);
		c.start_concurrency = -7;
		if (load(text, &c, &err) != -1)
			fail_msg("START_CONCURRENCY=%s accepted", bad[i]);
		if (strcmp(err.msg, want) != 0)
			fail_msg("START_CONCURRENCY=%s: '%s'", bad[i], err.msg);
		/* a bad file changes nothing */
		assert_int_equal(c.start_concurrency, -7);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_is_cpus),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

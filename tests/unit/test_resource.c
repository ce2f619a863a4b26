/* test_resource.c: /proc/PID/stat parsing, CPU percent, group sampling. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "master.h"
#include "resource.h"
#include "tenant.h"

struct master *M;
static int stops;
static pid_t child;

/* Whatever an assertion left running goes. */
static int
kill_child(void **state)
{
	int st;

	if (child > 0) {
		kill(-child, SIGKILL);
		waitpid(child, &st, 0);
	}
	child = 0;
	return 0;
}

/* The one tenant.c function resource.c calls. */
void
tenant_stop(struct tenant *t, int operator, const char *reason)
{
	stops++;
	free(t->last_error);
	t->last_error = strdup(reason);
}

static void
test_parse_stat(void **state)
{
	struct resource_proc p;
	const char *s = "123 (a) b) S 1 456 456 0 -1 4194304 100 0 0 0 "
	    "7 3 2 1 20 0 1 0 100 12345678 250 18446744073709551615 1 1 0";

	assert_int_equal(resource_parse_stat(s, &p), 0);
	assert_int_equal(p.pgid, 456);
	assert_int_equal(p.sid, 456);
	assert_int_equal(p.ticks, 13);
	assert_int_equal(p.rss_pages, 250);
	assert_int_equal(resource_parse_stat("123 (a) S 1 2", &p), -1);
	assert_int_equal(resource_parse_stat("garbage", &p), -1);
	assert_int_equal(resource_parse_stat("1 (x)", &p), -1);
	/* negative cutime of a strange kernel does not subtract */
	assert_int_equal(resource_parse_stat("9 (x) R 1 9 9 0 -1 0 0 0 0 0 "
	    "5 5 -3 0 20 0 1 0 1 1 1", &p), 0);
	assert_int_equal(p.ticks, 10);
}

static void
test_cpu_percent(void **state)
{
	assert_true(resource_cpu_percent(100, 1000, 100) == 100.);
	assert_true(resource_cpu_percent(50, 2000, 100) == 25.);
	assert_true(resource_cpu_percent(1, 3000, 100) == .3);
	assert_true(resource_cpu_percent(400, 2000, 100) == 200.);
	assert_true(resource_cpu_percent(5, 0, 100) == 0.);
}

static void
test_limit_text(void **state)
{
	char buf[128];

	resource_limit_text(812LL * 1048576 + 300000, 800LL * 1048576, buf,
	    sizeof(buf));
	assert_string_equal(buf, "memory 812 MiB above limit 800 MiB");
	resource_limit_text(800LL * 1048576 + 400000, 800LL * 1048576, buf,
	    sizeof(buf));
	assert_string_equal(buf, "memory 800.4 MiB above limit 800 MiB");
	resource_limit_text(60000000, 50000000, buf, sizeof(buf));
	assert_string_equal(buf, "memory 57.2 MiB above limit 47.7 MiB");
}

/* A real group: a busy leader with a child holding 64 MiB. */
static void
test_sample_group(void **state)
{
	static struct master m;
	struct tenant t, *tp = &t;
	struct timespec ts = { 0, 300 * 1000 * 1000 };
	pid_t pid;

	memset(&t, 0, sizeof(t));
	t.name = "g";
	spec_init(&t.spec);
	t.state = TS_RUNNING;
	t.cpu_percent = -1;
	t.rss_bytes = -1;
	t.started_mono = clock_mono_ms();
	if ((pid = fork()) == 0) {
		volatile char *mem;
		uint64_t end;
		size_t i;

		setsid();	/* as the shim does */
		if (fork() == 0) {
			mem = malloc(64 << 20);
			for (i = 0; mem != NULL && i < 64 << 20; i += 4096)
				mem[i] = 1;
			pause();
			_exit(0);
		}
		end = clock_mono_ms() + 5000;
		while (clock_mono_ms() < end)
			;
		_exit(0);
	}
	assert_true(pid > 0);
	child = pid;
	t.pid = pid;
	m.tenants = &tp;
	m.ntenants = 1;
	M = &m;
	nanosleep(&ts, NULL);
	resource_refresh();
	assert_true(t.rss_bytes > 64LL << 20);
	assert_true(t.cpu_percent >= 0);
	/* A limit below the group's memory restarts it. */
	stops = 0;
	t.spec.limits.max_memory_restart_bytes = 32LL << 20;
	resource_refresh();	/* cached: nothing new */
	assert_int_equal(stops, 0);
	nanosleep(&ts, NULL);
	nanosleep(&ts, NULL);
	nanosleep(&ts, NULL);
	nanosleep(&ts, NULL);
	resource_refresh();
	assert_int_equal(stops, 1);
	assert_non_null(strstr(t.last_error, "above limit 32 MiB"));
	/*
	 * Busy all along: close to one core on a quiet machine.  A loaded
	 * one (2 cores, fuzzers beside) may give it much less; an idle
	 * process reads 0, so 5 % still tells the two apart.
	 */
	assert_true(t.cpu_percent > 5.);
	free(t.last_error);
	spec_free(&t.spec);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_stat),
		cmocka_unit_test(test_cpu_percent),
		cmocka_unit_test(test_limit_text),
		cmocka_unit_test_teardown(test_sample_group, kill_child),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

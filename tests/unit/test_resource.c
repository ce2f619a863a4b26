/* test_resource.c: /proc/PID/stat parsing, CPU percent, group sampling. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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

/*
 * A real group: a busy leader with a child holding 64 MiB.  The test
 * waits for events (the child says it touched its memory; the limit
 * restart comes), never for a time: a busy machine only makes it slower.
 */
static void
test_sample_group(void **state)
{
	static struct master m;
	struct tenant t, *tp = &t;
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	struct pollfd pfd;
	uint64_t t0, end;
	pid_t pid;
	char c;
	int p[2];

	memset(&t, 0, sizeof(t));
	t.name = "g";
	spec_init(&t.spec);
	t.state = TS_RUNNING;
	t.cpu_percent = -1;
	t.rss_bytes = -1;
	t.started_mono = clock_mono_ms();
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	if ((pid = fork()) == 0) {
		volatile char *mem;
		size_t i;

		/* Nothing outlives the test, even one killed midway. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
			_exit(1);
		setsid();	/* as the shim does */
		if (fork() == 0) {
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
				_exit(1);
			mem = malloc(64 << 20);
			for (i = 0; mem != NULL && i < 64 << 20; i += 4096)
				mem[i] = 1;
			if (write(p[1], "t", 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
		close(p[1]);
		for (;;)	/* busy until killed */
			;
	}
	assert_true(pid > 0);
	child = pid;
	close(p[1]);
	t.pid = pid;
	m.tenants = &tp;
	m.ntenants = 1;
	M = &m;
	/* The child has touched its 64 MiB (generous bound: a hang). */
	pfd.fd = p[0];
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 60 * 1000), 1);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	t0 = clock_mono_ms();
	resource_refresh();
	assert_true(t.rss_bytes > 64LL << 20);
	assert_true(t.cpu_percent >= 0);
	/* A limit below the group's memory restarts it. */
	stops = 0;
	t.spec.limits.max_memory_restart_bytes = 32LL << 20;
	resource_refresh();
	/* Cached, unless this machine took a whole cache period meanwhile. */
	if (clock_mono_ms() - t0 < RESOURCE_CACHE_MS)
		assert_int_equal(stops, 0);
	/* The next sample (after RESOURCE_CACHE_MS) sees the limit. */
	end = clock_mono_ms() + 60 * 1000;
	while (stops == 0 && clock_mono_ms() < end) {
		nanosleep(&ts, NULL);
		resource_refresh();
	}
	assert_int_equal(stops, 1);
	assert_non_null(strstr(t.last_error, "above limit 32 MiB"));
	/*
	 * Busy all along: close to one core on a quiet machine, much less
	 * on a loaded one; an idle group reads exactly 0 over the window.
	 */
	assert_true(t.cpu_percent > 0.);
	free(t.last_error);
	spec_free(&t.spec);
}

static pid_t orphan;

static int
kill_orphan(void **state)
{
	if (orphan > 0)
		kill(orphan, SIGKILL);
	orphan = 0;
	return kill_child(state);
}

/*
 * With a reaper (a tenant without a cgroup): the worker forks a middle
 * process that forks a detached holder of 64 MiB and exits at once, so
 * the holder is re-parented to the reaper; it still counts, by its ppid.
 */
static void
test_sample_reaper(void **state)
{
	static struct master m;
	struct tenant t, *tp = &t;
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	struct pollfd pfd;
	uint64_t end;
	pid_t r, w = 0;
	int p[2];

	memset(&t, 0, sizeof(t));
	t.name = "r";
	spec_init(&t.spec);
	t.state = TS_RUNNING;
	t.cpu_percent = -1;
	t.rss_bytes = -1;
	t.started_mono = clock_mono_ms();
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	if ((r = fork()) == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 ||
		    prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
			_exit(1);
		setsid();
		if ((w = fork()) == 0) {
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
				_exit(1);
			setsid();
			if (fork() == 0) {
				if (fork() == 0) {
					volatile char *mem;
					pid_t me = getpid();
					size_t i;

					setsid();
					mem = malloc(64 << 20);
					for (i = 0; mem != NULL &&
					    i < 64 << 20; i += 4096)
						mem[i] = 1;
					if (write(p[1], &me, sizeof(me)) !=
					    sizeof(me))
						_exit(1);
					pause();
				}
				_exit(0);	/* the middle: at once */
			}
			for (;;)
				pause();
		}
		if (write(p[1], &w, sizeof(w)) != sizeof(w))
			_exit(1);
		for (;;)	/* reap what comes, as a reaper */
			if (wait(NULL) == -1)
				pause();
	}
	assert_true(r > 0);
	child = r;
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 60 * 1000), 1);
	assert_int_equal(read(p[0], &w, sizeof(w)), sizeof(w));
	assert_int_equal(poll(&pfd, 1, 60 * 1000), 1);
	assert_int_equal(read(p[0], &orphan, sizeof(orphan)), sizeof(orphan));
	close(p[0]);
	t.child_pid = r;
	t.pid = w;
	m.tenants = &tp;
	m.ntenants = 1;
	M = &m;
	/* A sample of the last test may be fresh: the next one counts. */
	end = clock_mono_ms() + 60 * 1000;
	do {
		nanosleep(&ts, NULL);
		resource_refresh();
	} while (t.rss_bytes <= 64LL << 20 && clock_mono_ms() < end);
	assert_true(t.rss_bytes > 64LL << 20);
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
		cmocka_unit_test_teardown(test_sample_reaper, kill_orphan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_procstat.c: /proc/PID/stat fields and /proc pid lists. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "procstat.h"

static void
test_parse(void **state)
{
	struct procstat p;
	const char *s = "123 (a) b) S 7 456 457 0 -1 4194304 100 0 0 0 "
	    "7 3 2 1 20 0 1 0 98765 12345678 250 18446744073709551615 1 1 0";

	(void)state;
	assert_int_equal(procstat_parse(s, &p), 0);
	assert_int_equal(p.state, 'S');
	assert_int_equal(p.ppid, 7);
	assert_int_equal(p.pgid, 456);
	assert_int_equal(p.sid, 457);
	assert_int_equal(p.ticks, 13);
	assert_int_equal(p.start, 98765);
	assert_int_equal(p.rss_pages, 250);
	/* Too short, garbage, no state, a state but no fields. */
	assert_int_equal(procstat_parse("123 (a) S 1 2", &p), -1);
	assert_int_equal(procstat_parse("garbage", &p), -1);
	assert_int_equal(procstat_parse("1 (x)", &p), -1);
	assert_int_equal(procstat_parse("1 (x) ", &p), -1);
	assert_int_equal(procstat_parse("1 (x) S", &p), -1);
	/* A field that is not a number, a negative or huge ppid. */
	assert_int_equal(procstat_parse("9 (x) R 1 9 9 0 -1 0 0 0 0 0 "
	    "5 5 x 0 20 0 1 0 1 1 1", &p), -1);
	assert_int_equal(procstat_parse("9 (x) R -1 9 9 0 -1 0 0 0 0 0 "
	    "5 5 0 0 20 0 1 0 1 1 1", &p), -1);
	assert_int_equal(procstat_parse("9 (x) R 4294967297 9 9 0 -1 0 0 0 "
	    "0 0 5 5 0 0 20 0 1 0 1 1 1", &p), -1);
	/* A negative cutime of a strange kernel does not subtract. */
	assert_int_equal(procstat_parse("9 (x) R 1 9 9 0 -1 0 0 0 0 0 "
	    "5 5 -3 0 20 0 1 0 1 1 1", &p), 0);
	assert_int_equal(p.ticks, 10);
	/* A zombie's line. */
	assert_int_equal(procstat_parse("9 (sh) Z 8 9 9 0 -1 0 0 0 0 0 "
	    "0 0 0 0 20 0 1 0 77 0 0", &p), 0);
	assert_int_equal(p.state, 'Z');
	assert_int_equal(p.start, 77);
}

/* This process's own stat, as the kernel writes it. */
static void
test_parse_self(void **state)
{
	struct procstat p;
	char buf[1024];
	FILE *f;
	size_t n;

	(void)state;
	assert_non_null(f = fopen("/proc/self/stat", "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	(void)fclose(f);
	buf[n] = '\0';
	assert_int_equal(procstat_parse(buf, &p), 0);
	assert_int_equal(p.ppid, getppid());
	assert_int_equal(p.pgid, getpgrp());
	assert_int_equal(p.sid, getsid(0));
	assert_true(p.start > 0);
	assert_true(p.rss_pages > 0);
}

static void
test_next_pid(void **state)
{
	const char *s;
	pid_t pid, got[8] = { 0 };
	int n = 0;

	(void)state;
	/* A children file: blank-separated, a trailing blank. */
	for (s = "12 345 6789 "; (s = procstat_next_pid(s, &pid)) != NULL;)
		got[n++] = pid;
	assert_int_equal(n, 3);
	assert_int_equal(got[0], 12);
	assert_int_equal(got[2], 6789);
	/* cgroup.procs: one a line. */
	n = 0;
	for (s = "1\n22\n333\n"; (s = procstat_next_pid(s, &pid)) != NULL;)
		got[n++] = pid;
	assert_int_equal(n, 3);
	assert_int_equal(got[1], 22);
	/* Empty, nothing, garbage stop the list; so do 0 and overflow. */
	assert_null(procstat_next_pid("", &pid));
	assert_null(procstat_next_pid(" \n", &pid));
	assert_null(procstat_next_pid("x1", &pid));
	assert_null(procstat_next_pid("12x", &pid));
	assert_null(procstat_next_pid("-3", &pid));
	assert_null(procstat_next_pid("0", &pid));
	assert_null(procstat_next_pid("99999999999", &pid));
	/* A directory name of /proc, as the reaper reads them. */
	assert_non_null(procstat_next_pid("4321", &pid));
	assert_int_equal(pid, 4321);
	assert_null(procstat_next_pid("self", &pid));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_self),
		cmocka_unit_test(test_next_pid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

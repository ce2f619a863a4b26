/* test_notify.c: the worker protocol grammar and line splitting. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "notify.h"

static int
parse(const char *s, struct notify_msg *m)
{
	return notify_parse(s, strlen(s), m);
}

static void
test_known_keys(void **state)
{
	struct notify_msg m;

	assert_int_equal(parse("READY=1", &m), 0);
	assert_int_equal(m.key, NK_READY);
	assert_int_equal(parse("WATCHDOG=1", &m), 0);
	assert_int_equal(m.key, NK_WATCHDOG);
	assert_int_equal(parse("WATCHDOG=trigger", &m), 0);
	assert_int_equal(m.key, NK_WATCHDOG_TRIGGER);
	assert_int_equal(parse("STATUS=connecting to WhatsApp", &m), 0);
	assert_int_equal(m.key, NK_STATUS);
	assert_int_equal(m.vlen, strlen("connecting to WhatsApp"));
	assert_memory_equal(m.value, "connecting", 10);
	assert_int_equal(parse("STOPPING=1", &m), 0);
	assert_int_equal(m.key, NK_STOPPING);
	assert_int_equal(parse("ERRNO=13", &m), 0);
	assert_int_equal(m.key, NK_ERRNO);
	assert_int_equal(m.num, 13);
	assert_int_equal(parse("SESSION=QR_READY", &m), 0);
	assert_int_equal(m.key, NK_SESSION);
	assert_int_equal(parse("LAST_ERROR=auth failed: 401", &m), 0);
	assert_int_equal(m.key, NK_LAST_ERROR);
	assert_int_equal(parse("MAINPID=4242", &m), 0);
	assert_int_equal(m.num, 4242);
	assert_int_equal(parse("EXTEND_TIMEOUT_USEC=5000000", &m), 0);
	assert_int_equal(m.num, 5000000);
	assert_int_equal(parse("RELOADING=1", &m), 0);
	assert_int_equal(parse("BARRIER=1", &m), 0);
	/* a trailing CR (a worker writing \r\n) is tolerated */
	assert_int_equal(parse("READY=1\r", &m), 0);
	assert_int_equal(m.key, NK_READY);
}

static void
test_unknown_ignored(void **state)
{
	struct notify_msg m;

	assert_int_equal(parse("FDSTORE=1", &m), 0);
	assert_int_equal(m.key, NK_UNKNOWN);
	assert_int_equal(parse("X_CUSTOM=anything at all", &m), 0);
	assert_int_equal(m.key, NK_UNKNOWN);
	assert_int_equal(parse("STATUS=", &m), 0);
	assert_int_equal(m.vlen, 0);
}

static void
test_malformed(void **state)
{
	struct notify_msg m;

	assert_int_equal(parse("", &m), -1);
	assert_int_equal(parse("READY", &m), -1);
	assert_int_equal(parse("=1", &m), -1);
	assert_int_equal(parse("ready=1", &m), -1);
	assert_int_equal(parse("RE ADY=1", &m), -1);
	assert_int_equal(parse("READY=0", &m), -1);
	assert_int_equal(parse("READY=yes", &m), -1);
	assert_int_equal(parse("WATCHDOG=2", &m), -1);
	assert_int_equal(parse("ERRNO=-1", &m), -1);
	assert_int_equal(parse("ERRNO=99999", &m), -1);
	assert_int_equal(parse("ERRNO=", &m), -1);
	assert_int_equal(parse("MAINPID=0", &m), -1);
	assert_int_equal(parse("MAINPID=12x", &m), -1);
	assert_int_equal(parse("SESSION=LOGGED_IN", &m), -1);
	assert_int_equal(parse("SESSION=connected", &m), -1);
	assert_int_equal(parse("EXTEND_TIMEOUT_USEC=99999999999999999999", &m),
	    -1);
	assert_int_equal(notify_parse("READY=1\0x", 9, &m), -1);
	assert_int_equal(notify_parse("STATUS=a\0b", 10, &m), -1);
}

/*
 * Found by fuzz_notify: a 19-digit number overflowed long long while it was
 * read (undefined behaviour), and the wrapped, negative value then passed
 * the range check, so ERRNO= and EXTEND_TIMEOUT_USEC= accepted it.
 */
static void
test_number_overflow(void **state)
{
	struct notify_msg m;

	assert_int_equal(parse("ERRNO=9999999999999999999", &m), -1);
	assert_int_equal(parse("EXTEND_TIMEOUT_USEC=9999999999999999999", &m),
	    -1);
	assert_int_equal(parse("EXTEND_TIMEOUT_USEC=9223372036854775808", &m),
	    -1);
	assert_int_equal(parse("MAINPID=18446744073709551615", &m), -1);
	/* The limits themselves, and leading zeros, still parse. */
	assert_int_equal(parse("EXTEND_TIMEOUT_USEC=31536000000000", &m), 0);
	assert_true(m.num == 31536000000000LL);
	assert_int_equal(parse("EXTEND_TIMEOUT_USEC=31536000000001", &m), -1);
	assert_int_equal(parse("ERRNO=0000000000000004095", &m), 0);
	assert_int_equal(m.num, 4095);
}

struct lines {
	int	 n;
	char	 last[NOTIFY_LINE_MAX + 1];
	size_t	 lastlen;
};

static void
collect(void *arg, const char *line, size_t len)
{
	struct lines *l = arg;

	l->n++;
	memcpy(l->last, line, len);
	l->last[len] = '\0';
	l->lastlen = len;
}

static void
test_split_batched_and_partial(void **state)
{
	struct notify_split sp;
	struct lines l;

	memset(&sp, 0, sizeof(sp));
	memset(&l, 0, sizeof(l));
	notify_split_feed(&sp, "READY=1\nWATCH", 13, collect, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.last, "READY=1");
	notify_split_feed(&sp, "DOG=1\nSTATUS=a\n", 15, collect, &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.last, "STATUS=a");
	/* byte at a time */
	notify_split_feed(&sp, "S", 1, collect, &l);
	notify_split_feed(&sp, "=", 1, collect, &l);
	notify_split_feed(&sp, "\n", 1, collect, &l);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.last, "S=");
	assert_int_equal(sp.bad, 0);
	notify_split_reset(&sp);
}

/* 4096 bytes with the newline is allowed; 4097 is discarded and counted. */
static void
test_split_limits(void **state)
{
	struct notify_split sp;
	struct lines l;
	char *big;

	memset(&sp, 0, sizeof(sp));
	memset(&l, 0, sizeof(l));
	big = malloc(1 << 20);
	memset(big, 'A', 1 << 20);
	memcpy(big, "STATUS=", 7);
	big[NOTIFY_LINE_MAX - 1] = '\n';
	notify_split_feed(&sp, big, NOTIFY_LINE_MAX, collect, &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.lastlen, NOTIFY_LINE_MAX - 1);
	big[NOTIFY_LINE_MAX - 1] = 'A';
	big[NOTIFY_LINE_MAX] = '\n';
	notify_split_feed(&sp, big, NOTIFY_LINE_MAX + 1, collect, &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(sp.bad, 1);
	/* 1 MiB without newline, in pieces, then a good line */
	big[NOTIFY_LINE_MAX] = 'A';
	notify_split_feed(&sp, big, 1 << 19, collect, &l);
	notify_split_feed(&sp, big, 1 << 19, collect, &l);
	notify_split_feed(&sp, "tail\nREADY=1\n", 13, collect, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.last, "READY=1");
	assert_int_equal(sp.bad, 2);
	free(big);
	notify_split_reset(&sp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_keys),
		cmocka_unit_test(test_unknown_ignored),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_number_overflow),
		cmocka_unit_test(test_split_batched_and_partial),
		cmocka_unit_test(test_split_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

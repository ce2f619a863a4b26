/* test_iobuf.c: the frame channel's buffer over a real socketpair. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iobuf.h"

static int sv[2];

static int
setup(void **state)
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	(void)fcntl(sv[0], F_SETFL, O_NONBLOCK);
	(void)fcntl(sv[1], F_SETFL, O_NONBLOCK);
	return 0;
}

static int
teardown(void **state)
{
	close(sv[0]);
	close(sv[1]);
	return 0;
}

static void
test_round_trip(void **state)
{
	struct iobuf out = { 0 }, in = { 0 };

	assert_int_equal(iobuf_put(&out, "hello ", 6, 100), 0);
	assert_int_equal(iobuf_put(&out, "world", 5, 100), 0);
	assert_int_equal(iobuf_flush(&out, sv[0]), 1);
	assert_int_equal(out.len - out.off, 0);
	assert_int_equal(iobuf_fill(&in, sv[1], 1 << 20), 11);
	assert_memory_equal(in.p + in.off, "hello world", 11);
	iobuf_consume(&in, 6);
	assert_memory_equal(in.p + in.off, "world", 5);
	/* Nothing more to read: 0, not EOF. */
	assert_int_equal(iobuf_fill(&in, sv[1], 1 << 20), 0);
	iobuf_consume(&in, 5);
	assert_int_equal(in.len, 0);
	iobuf_free(&in);
	iobuf_free(&out);
}

static void
test_limit(void **state)
{
	struct iobuf out = { 0 };

	assert_int_equal(iobuf_put(&out, "12345", 5, 8), 0);
	assert_int_equal(iobuf_put(&out, "6789", 4, 8), -1);
	assert_int_equal(out.len - out.off, 5);
	iobuf_free(&out);
}

/* A full socket leaves the rest queued; a closed peer is an error. */
static void
test_full_and_closed(void **state)
{
	static char big[1 << 20];
	struct iobuf out = { 0 }, in = { 0 };
	ssize_t n;
	size_t got = 0;

	assert_int_equal(iobuf_put(&out, big, sizeof(big), sizeof(big)), 0);
	assert_int_equal(iobuf_flush(&out, sv[0]), 0);
	assert_true(out.off > 0 && out.off < out.len);
	while (got < sizeof(big)) {
		if ((n = iobuf_fill(&in, sv[1], 2 << 20)) > 0)
			got += (size_t)n;
		(void)iobuf_flush(&out, sv[0]);
		iobuf_consume(&in, in.len - in.off);
	}
	assert_int_equal(got, sizeof(big));
	assert_int_equal(iobuf_shrink(&out, 4096), 1);
	assert_null(out.p);
	close(sv[0]);
	assert_int_equal(iobuf_fill(&in, sv[1], 2 << 20), -1);
	sv[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	iobuf_free(&in);
}

/* The input never grows past max, however much the peer sends. */
static void
test_max(void **state)
{
	static char big[200000];
	struct iobuf in = { 0 };
	size_t sent = 0;
	ssize_t n;

	while (sent < sizeof(big) &&
	    (n = write(sv[0], big + sent, sizeof(big) - sent)) > 0)
		sent += (size_t)n;
	assert_true(sent > 100000);
	assert_true(iobuf_fill(&in, sv[1], 100000) > 0);
	while (iobuf_fill(&in, sv[1], 100000) > 0)
		;
	assert_true(in.cap <= 100000);
	assert_int_equal(in.len, in.cap);
	assert_int_equal(iobuf_fill(&in, sv[1], 100000), 0);
	iobuf_free(&in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_and_closed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_max, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

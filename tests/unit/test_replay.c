/* test_replay.c: signed POSTs are accepted once, and memory stays bounded. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "replay.h"
#include "sigauth.h"

static void
mac_of(unsigned char *mac, unsigned long n)
{
	unsigned long x = n * 2654435761ul + 1;
	size_t i;

	for (i = 0; i < SIGAUTH_MAC_LEN; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		mac[i] = (unsigned char)x;
	}
}

static void
test_once(void **state)
{
	unsigned char a[SIGAUTH_MAC_LEN], b[SIGAUTH_MAC_LEN];

	replay_reset();
	mac_of(a, 1);
	mac_of(b, 2);
	assert_int_equal(replay_check(a, 1000, 100), 0);
	assert_int_equal(replay_check(a, 1000, 100), 1);
	assert_int_equal(replay_check(b, 1000, 100), 0);
	assert_int_equal(replay_check(a, 1000, 999), 1);
	assert_int_equal(replay_count(), 2);
}

/* Same first 8 bytes (one hash bucket), different MACs: both new. */
static void
test_collision(void **state)
{
	unsigned char a[SIGAUTH_MAC_LEN], b[SIGAUTH_MAC_LEN];

	replay_reset();
	memset(a, 7, sizeof(a));
	memcpy(b, a, sizeof(b));
	b[15] = 8;
	assert_int_equal(replay_check(a, 1000, 100), 0);
	assert_int_equal(replay_check(b, 1000, 100), 0);
	assert_int_equal(replay_check(b, 1000, 100), 1);
}

/* Expired entries are dropped when the table is rebuilt. */
static void
test_expiry(void **state)
{
	unsigned char m[SIGAUTH_MAC_LEN];
	unsigned long i;

	replay_reset();
	for (i = 0; i < 10000; i++) {
		mac_of(m, i);
		assert_int_equal(replay_check(m, 200, 100), 0);
	}
	assert_int_equal(replay_count(), 10000);
	for (i = 10000; i < 10100; i++) {
		mac_of(m, i);
		assert_int_equal(replay_check(m, 2000, 1000), 0);
	}
	assert_true(replay_count() <= 10100);
	mac_of(m, 5);
	/* Expired: accepted again, but its timestamp is stale by then. */
	assert_int_equal(replay_check(m, 2000, 1000), 0);
	replay_reset();
	assert_int_equal(replay_count(), 0);
}

/* Full of live entries: refuse (fail closed) instead of forgetting. */
static void
test_full(void **state)
{
	unsigned char m[SIGAUTH_MAC_LEN];
	unsigned long i;
	int rc = 0;

	replay_reset();
	for (i = 0; i <= REPLAY_MAX && rc == 0; i++) {
		mac_of(m, i);
		rc = replay_check(m, 1000, 100);
	}
	assert_int_equal(rc, -1);
	assert_int_equal(i, REPLAY_MAX + 1);
	mac_of(m, 3);
	assert_int_equal(replay_check(m, 1000, 100), 1);
	replay_reset();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_once),
		cmocka_unit_test(test_collision),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

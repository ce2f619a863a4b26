/* test_restart.c: the restart policy of SPEC section 5, exhaustively. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "restart.h"
#include "spec.h"

static struct tenant_spec
mkspec(enum restart_mode policy, int max, int window_s, int init_ms,
    int max_ms, int min_uptime_s)
{
	struct tenant_spec s;

	spec_init(&s);
	s.restart.policy = policy;
	s.restart.max_restarts = max;
	s.restart.window_s = window_s;
	s.restart.backoff_initial_ms = init_ms;
	s.restart.backoff_max_ms = max_ms;
	s.restart.min_uptime_s = min_uptime_s;
	return s;
}

static struct restart_decision
decide(struct tenant_spec *s, struct restart_state *st, int clean,
    uint64_t run_ms, uint64_t now_ms)
{
	struct restart_decision d;

	assert_int_equal(restart_decide(s, st, clean, run_ms, now_ms, &d), 0);
	return d;
}

static void
test_defaults(void **state)
{
	struct tenant_spec s;

	spec_init(&s);
	assert_int_equal(s.restart.policy, RESTART_ON_FAILURE);
	assert_int_equal(s.restart.max_restarts, 10);
	assert_int_equal(s.restart.window_s, 300);
	assert_int_equal(s.restart.backoff_initial_ms, 100);
	assert_int_equal(s.restart.backoff_max_ms, 30000);
	assert_int_equal(s.restart.min_uptime_s, 5);
	assert_int_equal(s.restart.retry_after_s, 300);
	assert_null(s.restart.cron);
	assert_int_equal(s.restart.max_age_s, 0);
}

/* initial -> x2 -> max, for runs shorter than min_uptime_s. */
static void
test_backoff_doubles_to_max(void **state)
{
	struct tenant_spec s = mkspec(RESTART_ALWAYS, 100, 300, 100, 1000, 5);
	struct restart_state st = { 0 };
	uint32_t want[] = { 100, 200, 400, 800, 1000, 1000 };
	size_t i;

	for (i = 0; i < 6; i++) {
		struct restart_decision d = decide(&s, &st, 0, 10,
		    1000 + i * 10);
		assert_int_equal(d.verdict, RESTART_AFTER);
		assert_int_equal(d.delay_ms, want[i]);
		assert_int_equal(d.recent, i + 1);
	}
	restart_free(&st);
}

/* A run that lasted min_uptime_s resets the back-off to initial. */
static void
test_long_run_resets_backoff(void **state)
{
	struct tenant_spec s = mkspec(RESTART_ALWAYS, 100, 300, 100, 30000, 5);
	struct restart_state st = { 0 };

	assert_int_equal(decide(&s, &st, 0, 10, 1000).delay_ms, 100);
	assert_int_equal(decide(&s, &st, 0, 10, 2000).delay_ms, 200);
	assert_int_equal(decide(&s, &st, 0, 10, 3000).delay_ms, 400);
	assert_int_equal(decide(&s, &st, 0, 5000, 9000).delay_ms, 100);
	assert_int_equal(decide(&s, &st, 0, 4999, 10000).delay_ms, 200);
	restart_free(&st);
}

/* More than max_restarts within window -> give up, whatever run lengths. */
static void
test_cap_in_window(void **state)
{
	struct tenant_spec s = mkspec(RESTART_ON_FAILURE, 3, 60, 100, 30000, 5);
	struct restart_state st = { 0 };
	struct restart_decision d;

	assert_int_equal(decide(&s, &st, 0, 10, 0).verdict, RESTART_AFTER);
	assert_int_equal(decide(&s, &st, 0, 10, 1000).verdict, RESTART_AFTER);
	assert_int_equal(decide(&s, &st, 0, 10, 2000).verdict, RESTART_AFTER);
	d = decide(&s, &st, 0, 10, 3000);
	assert_int_equal(d.verdict, RESTART_GIVE_UP);
	assert_int_equal(d.recent, 3);
	restart_free(&st);
}

/* The bot that crashes every ten seconds still ends in ERROR. */
static void
test_slow_crash_loop_gives_up(void **state)
{
	struct tenant_spec s = mkspec(RESTART_ALWAYS, 5, 60, 100, 30000, 5);
	struct restart_state st = { 0 };
	uint64_t now = 0;
	int i;

	for (i = 0; i < 5; i++) {
		now += 10000;
		assert_int_equal(decide(&s, &st, 0, 10000, now).verdict,
		    RESTART_AFTER);
		/* each run was long enough: back-off stays at initial */
		assert_int_equal(st.backoff_ms, 200);
	}
	now += 10000;
	assert_int_equal(decide(&s, &st, 0, 10000, now).verdict,
	    RESTART_GIVE_UP);
	restart_free(&st);
}

/* Restarts older than window_s no longer count. */
static void
test_window_slides(void **state)
{
	struct tenant_spec s = mkspec(RESTART_ALWAYS, 2, 10, 0, 0, 5);
	struct restart_state st = { 0 };

	assert_int_equal(decide(&s, &st, 0, 1, 0).verdict, RESTART_AFTER);
	assert_int_equal(decide(&s, &st, 0, 1, 5000).verdict, RESTART_AFTER);
	assert_int_equal(decide(&s, &st, 0, 1, 9999).verdict, RESTART_GIVE_UP);
	/* at 10000 the first restart (t=0) left the window */
	assert_int_equal(decide(&s, &st, 0, 1, 10000).verdict, RESTART_AFTER);
	assert_int_equal(decide(&s, &st, 0, 1, 14999).verdict, RESTART_GIVE_UP);
	assert_int_equal(decide(&s, &st, 0, 1, 30000).verdict, RESTART_AFTER);
	restart_free(&st);
}

static void
test_policies(void **state)
{
	struct tenant_spec s = mkspec(RESTART_ON_FAILURE, 3, 60, 100, 1000, 5);
	struct restart_state st = { 0 };

	assert_int_equal(decide(&s, &st, 1, 10, 0).verdict, RESTART_EXITED);
	assert_int_equal(decide(&s, &st, 0, 10, 0).verdict, RESTART_AFTER);
	s.restart.policy = RESTART_NEVER;
	assert_int_equal(decide(&s, &st, 1, 10, 0).verdict, RESTART_EXITED);
	assert_int_equal(decide(&s, &st, 0, 10, 0).verdict, RESTART_FAILED);
	s.restart.policy = RESTART_ALWAYS;
	assert_int_equal(decide(&s, &st, 1, 10, 0).verdict, RESTART_AFTER);
	restart_free(&st);
}

static void
test_zero_max_restarts(void **state)
{
	struct tenant_spec s = mkspec(RESTART_ALWAYS, 0, 60, 100, 1000, 5);
	struct restart_state st = { 0 };

	assert_int_equal(decide(&s, &st, 0, 10, 0).verdict, RESTART_GIVE_UP);
	restart_free(&st);
}

/* Operator action or retry_after_s: the count starts afresh. */
static void
test_reset(void **state)
{
	struct tenant_spec s = mkspec(RESTART_ALWAYS, 1, 60, 100, 1000, 5);
	struct restart_state st = { 0 };

	assert_int_equal(decide(&s, &st, 0, 10, 0).verdict, RESTART_AFTER);
	assert_int_equal(decide(&s, &st, 0, 10, 10).verdict, RESTART_GIVE_UP);
	restart_reset(&st);
	assert_int_equal(decide(&s, &st, 0, 10, 20).delay_ms, 100);
	restart_free(&st);
}

/* A huge cap with few restarts uses little memory; many still count. */
static void
test_large_cap(void **state)
{
	struct tenant_spec s = mkspec(RESTART_ALWAYS, 1000, 3600, 0, 0, 5);
	struct restart_state st = { 0 };
	int i;

	for (i = 0; i < 1000; i++)
		assert_int_equal(decide(&s, &st, 0, 1, (uint64_t)i).verdict,
		    RESTART_AFTER);
	assert_true(st.cap <= 1000);
	assert_int_equal(decide(&s, &st, 0, 1, 1000).verdict, RESTART_GIVE_UP);
	/* lowering the cap keeps the policy sane */
	s.restart.max_restarts = 10;
	assert_int_equal(decide(&s, &st, 0, 1, 1001).verdict, RESTART_GIVE_UP);
	restart_free(&st);
}

/* A full ring replaces its oldest entry, not an arbitrary one. */
static void
test_ring_replaces_oldest(void **state)
{
	struct tenant_spec s = mkspec(RESTART_ALWAYS, 3, 100, 0, 0, 5);
	struct restart_state st = { 0 };

	assert_int_equal(decide(&s, &st, 0, 1, 0).verdict, RESTART_AFTER);
	assert_int_equal(decide(&s, &st, 0, 1, 50000).verdict, RESTART_AFTER);
	assert_int_equal(decide(&s, &st, 0, 1, 60000).verdict, RESTART_AFTER);
	/* t=0 left the window at 100000: one slot free */
	assert_int_equal(decide(&s, &st, 0, 1, 100000).verdict, RESTART_AFTER);
	/* now 50000, 60000, 100000 are in the window */
	assert_int_equal(decide(&s, &st, 0, 1, 100001).verdict,
	    RESTART_GIVE_UP);
	assert_int_equal(decide(&s, &st, 0, 1, 150000).verdict, RESTART_AFTER);
	restart_free(&st);
}

/* A fixed xorshift32, so that the "random" numbers are the same each run. */
static uint32_t
xorshift(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* +-20 %: both ends reached, nothing beyond, spread over the range. */
static void
test_jitter_bounds(void **state)
{
	static const uint32_t delays[] = {
		0, 1, 4, 5, 9, 100, 101, 999, 30000, 86400000, 2592000000u,
		UINT32_MAX,
	};
	uint32_t d, lo, hi, j, prev, x = 0x9e3779b9;
	unsigned int bucket[10];
	size_t i, k;

	for (i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
		d = delays[i];
		lo = d - d / 5;
		hi = d > UINT32_MAX - d / 5 ? UINT32_MAX : d + d / 5;
		assert_int_equal(restart_jitter(d, 0), lo);
		assert_int_equal(restart_jitter(d, UINT32_MAX), hi);
		j = restart_jitter(d, 0x80000000u);
		assert_true((int64_t)j >= (int64_t)d - d / 50 - 1 &&
		    (int64_t)j <= (int64_t)d + d / 50 + 1);
		/* monotonic in rnd */
		for (prev = lo, k = 0; k < 64; k++) {
			j = restart_jitter(d, (uint32_t)(k << 26));
			assert_true(j >= prev && j >= lo && j <= hi);
			prev = j;
		}
	}
	/* 10000 draws for 1000 ms: each tenth of 800..1200 gets its share */
	memset(bucket, 0, sizeof(bucket));
	for (k = 0; k < 10000; k++) {
		j = restart_jitter(1000, xorshift(&x));
		assert_true(j >= 800 && j <= 1200);
		bucket[j == 1200 ? 9 : (j - 800) / 40]++;
	}
	for (k = 0; k < 10; k++)
		assert_true(bucket[k] > 800 && bucket[k] < 1200);
}

/* initial -> x2 -> max still holds, each step within +-20 %. */
static void
test_backoff_with_jitter(void **state)
{
	struct tenant_spec s = mkspec(RESTART_ALWAYS, 100, 300, 100, 1000, 5);
	struct restart_state st = { 0 };
	uint32_t want[] = { 100, 200, 400, 800, 1000, 1000 }, j, x = 42;
	size_t i, round;

	for (round = 0; round < 50; round++) {
		restart_reset(&st);
		for (i = 0; i < 6; i++) {
			struct restart_decision d = decide(&s, &st, 0, 10,
			    round * 1000000 + i * 10);
			assert_int_equal(d.verdict, RESTART_AFTER);
			/* the policy's delay is exact; the spread comes on top */
			assert_int_equal(d.delay_ms, want[i]);
			j = restart_jitter(d.delay_ms, xorshift(&x));
			assert_true(j >= want[i] * 4 / 5 &&
			    j <= want[i] * 6 / 5);
		}
	}
	restart_free(&st);
}

/* Same name, same offset; a fleet spreads over the minute. */
static void
test_spread(void **state)
{
	unsigned int bucket[60];
	uint32_t a, b;
	char name[32];
	int i, same = 0;

	assert_int_equal(restart_spread_ms("bot-1"), restart_spread_ms("bot-1"));
	assert_true(restart_spread_ms("") < RESTART_SPREAD_MS);
	memset(bucket, 0, sizeof(bucket));
	for (i = 0; i < 6000; i++) {
		snprintf(name, sizeof(name), "bot-%04d", i);
		a = restart_spread_ms(name);
		assert_true(a < RESTART_SPREAD_MS);
		bucket[a / 1000]++;
		snprintf(name, sizeof(name), "bot-%04d", i + 1);
		b = restart_spread_ms(name);
		if (a / 1000 == b / 1000)
			same++;
	}
	/* 100 a second on average; no second gets three times that */
	for (i = 0; i < 60; i++)
		assert_true(bucket[i] > 50 && bucket[i] < 150);
	/* neighbours in name are not neighbours in time */
	assert_true(same < 300);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_backoff_doubles_to_max),
		cmocka_unit_test(test_long_run_resets_backoff),
		cmocka_unit_test(test_cap_in_window),
		cmocka_unit_test(test_slow_crash_loop_gives_up),
		cmocka_unit_test(test_window_slides),
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_zero_max_restarts),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_large_cap),
		cmocka_unit_test(test_ring_replaces_oldest),
		cmocka_unit_test(test_jitter_bounds),
		cmocka_unit_test(test_backoff_with_jitter),
		cmocka_unit_test(test_spread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

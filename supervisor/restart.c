/* restart.c: the restart policy as a pure function of history and time. */
#include <stdlib.h>
#include <string.h>

#include "restart.h"

/* Count recorded restarts newer than now - window. */
static unsigned int
restart_recent(const struct restart_state *st, uint64_t now_ms,
    uint64_t window_ms)
{
	unsigned int count = 0;
	size_t i;

	for (i = 0; i < st->n; i++)
		if (now_ms - st->times[i] < window_ms)
			count++;
	return count;
}

/* Remember one restart; only the newest max_restarts can matter. */
static int
restart_record(struct restart_state *st, size_t max, uint64_t now_ms)
{
	uint64_t *t;
	size_t ncap, lim, i, oldest;

	if (max == 0)
		return 0;
	if (st->n == st->cap && st->cap < max) {
		ncap = st->cap ? st->cap * 2 : 8;
		if (ncap > max)
			ncap = max;
		if ((t = realloc(st->times, ncap * sizeof(*t))) == NULL)
			return -1;
		st->times = t;
		st->cap = ncap;
	}
	lim = st->cap < max ? st->cap : max;
	if (st->n > lim)	/* max_restarts was lowered since */
		st->n = lim;
	if (st->n < lim) {
		st->times[st->n++] = now_ms;
		return 0;
	}
	for (oldest = 0, i = 1; i < st->n; i++)
		if (st->times[i] < st->times[oldest])
			oldest = i;
	st->times[oldest] = now_ms;
	return 0;
}

static uint32_t
restart_next_backoff(const struct tenant_spec *s, struct restart_state *st,
    uint64_t run_ms)
{
	uint32_t delay, next;

	if (!st->backoff_set ||
	    run_ms >= (uint64_t)s->restart.min_uptime_s * 1000)
		st->backoff_ms = (uint32_t)s->restart.backoff_initial_ms;
	delay = st->backoff_ms;
	if (delay > (uint32_t)s->restart.backoff_max_ms)
		delay = (uint32_t)s->restart.backoff_max_ms;
	next = delay > UINT32_MAX / 2 ? UINT32_MAX : delay * 2;
	if (next > (uint32_t)s->restart.backoff_max_ms)
		next = (uint32_t)s->restart.backoff_max_ms;
	st->backoff_ms = next;
	st->backoff_set = 1;
	return delay;
}

/* The one place that decides restart, give up or stay down. */
int
restart_decide(const struct tenant_spec *s, struct restart_state *st,
    int clean, uint64_t run_ms, uint64_t now_ms, struct restart_decision *d)
{
	uint64_t window_ms = (uint64_t)s->restart.window_s * 1000;
	unsigned int recent;

	memset(d, 0, sizeof(*d));
	if (s->restart.policy == RESTART_NEVER ||
	    (s->restart.policy == RESTART_ON_FAILURE && clean)) {
		d->verdict = clean ? RESTART_EXITED : RESTART_FAILED;
		return 0;
	}
	recent = restart_recent(st, now_ms, window_ms);
	if (recent >= (unsigned int)s->restart.max_restarts) {
		d->verdict = RESTART_GIVE_UP;
		d->recent = recent;
		return 0;
	}
	if (restart_record(st, (size_t)s->restart.max_restarts, now_ms) == -1)
		return -1;
	d->verdict = RESTART_AFTER;
	d->recent = recent + 1;
	d->delay_ms = restart_next_backoff(s, st, run_ms);
	return 0;
}

/* Spread a delay by +-20 % with the caller's random number. */
uint32_t
restart_jitter(uint32_t delay_ms, uint32_t rnd)
{
	uint64_t d5 = delay_ms / 5, v;

	v = delay_ms - d5 + (((2 * d5 + 1) * rnd) >> 32);
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/*
 * FNV-1a over the name, then murmur3's finaliser so that names differing
 * in one digit land far apart, scaled to the minute without modulo bias.
 */
uint32_t
restart_spread_ms(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	uint32_t h = 2166136261u;

	for (; *p != '\0'; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return (uint32_t)(((uint64_t)h * RESTART_SPREAD_MS) >> 32);
}

/* An operator acted, or retry_after_s passed: the count starts afresh. */
void
restart_reset(struct restart_state *st)
{
	st->n = 0;
	st->backoff_set = 0;
	st->backoff_ms = 0;
}

/* Free the history ring. */
void
restart_free(struct restart_state *st)
{
	free(st->times);
	memset(st, 0, sizeof(*st));
}

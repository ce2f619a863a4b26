/*
 * replay.c: a set of recently accepted request MACs.  A signed POST is
 * good for 300 s either side of its timestamp, so without this a captured
 * "stop" could be sent again and again within that window.  Open
 * addressing; the table grows on demand and expired entries are dropped
 * when it is rebuilt, so an idle master holds nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "sigauth.h"

/*
 * 128 bits of the MAC tell requests apart well enough (a collision only
 * refuses a request), and a 32-bit expiry does until 2106: 20-byte slots.
 */
#define KEEP	16

struct slot {
	unsigned char	mac[KEEP];
	uint32_t	expires;	/* 0: empty */
};

static struct slot *tab;
static size_t cap, used;

static size_t
replay_hash(const unsigned char *mac)
{
	uint64_t h;

	/* The MAC is uniformly random already: its first bytes will do. */
	memcpy(&h, mac, sizeof(h));
	return (size_t)h;
}

static void
replay_put(struct slot *t, size_t tcap, const unsigned char *mac,
    time_t expires)
{
	size_t i = replay_hash(mac) & (tcap - 1);

	while (t[i].expires != 0)
		i = (i + 1) & (tcap - 1);
	memcpy(t[i].mac, mac, KEEP);
	t[i].expires = (uint32_t)expires;
}

/* Rebuild with live entries only, in a table sized for them. */
static int
replay_rebuild(time_t now)
{
	size_t i, live = 0, ncap = 64;
	struct slot *n;

	for (i = 0; i < cap; i++)
		if (tab[i].expires > (uint32_t)now)
			live++;
	while (ncap < 4 * (live + 1))
		ncap *= 2;
	if (ncap > 2 * REPLAY_MAX)
		ncap = 2 * REPLAY_MAX;
	if ((n = calloc(ncap, sizeof(*n))) == NULL)
		return -1;
	for (i = 0; i < cap; i++)
		if (tab[i].expires > (uint32_t)now)
			replay_put(n, ncap, tab[i].mac, tab[i].expires);
	free(tab);
	tab = n;
	cap = ncap;
	used = live;
	return 0;
}

/* See replay.h. */
int
replay_check(const unsigned char *mac, time_t expires, time_t now)
{
	size_t i;

	if (cap > 0) {
		i = replay_hash(mac) & (cap - 1);
		for (; tab[i].expires != 0; i = (i + 1) & (cap - 1))
			if (memcmp(tab[i].mac, mac, KEEP) == 0 &&
			    tab[i].expires > (uint32_t)now)
				return 1;
	}
	/* Grow when half full; shrink a big table the load has left. */
	if ((used + 1) * 2 > cap || (cap > 4096 && used * 16 < cap)) {
		if (replay_rebuild(now) == -1 || used >= REPLAY_MAX)
			return -1;
	}
	replay_put(tab, cap, mac, expires);
	used++;
	return 0;
}

/* For /metrics and the unit tests. */
size_t
replay_count(void)
{
	return used;
}

/* Drop the table (tests; the master's exit, for valgrind). */
void
replay_reset(void)
{
	free(tab);
	tab = NULL;
	cap = used = 0;
}

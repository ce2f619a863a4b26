/* replay.h: signed state-changing requests are accepted once. */
#ifndef VX_REPLAY_H
#define VX_REPLAY_H

#include <stddef.h>
#include <time.h>

#define REPLAY_MAX	131072		/* remembered MACs, at most */

/*
 * Remember mac (SIGAUTH_MAC_LEN bytes) until expires.  Returns 0 if it is
 * new, 1 if it was seen before (a replay), -1 if the table is full of live
 * entries or out of memory: the caller refuses the request (fail closed).
 */
int	replay_check(const unsigned char *mac, time_t expires, time_t now);
/* Entries currently held (for tests and /metrics). */
size_t	replay_count(void);
/* Forget everything (tests, master exit). */
void	replay_reset(void);

#endif

/* restart.h: the pure restart policy of SPEC section 5. */
#ifndef VX_RESTART_H
#define VX_RESTART_H

#include <stddef.h>
#include <stdint.h>

#include "spec.h"

enum restart_verdict {
	RESTART_AFTER,		/* restart in delay_ms */
	RESTART_GIVE_UP,	/* retry cap hit: fatal */
	RESTART_EXITED,		/* clean exit, policy says stay down */
	RESTART_FAILED,		/* failure under policy "never": fatal */
};

/* What the policy remembers of a tenant between exits. */
struct restart_state {
	uint64_t	*times;		/* ring of recent restart times, ms */
	size_t		 cap;		/* allocated slots, <= max_restarts */
	size_t		 n;		/* valid slots */
	uint32_t	 backoff_ms;	/* delay for the next restart */
	int		 backoff_set;	/* backoff_ms is meaningful */
};

struct restart_decision {
	enum restart_verdict verdict;
	uint32_t	 delay_ms;
	unsigned int	 recent;	/* restarts within window, this one incl. */
};

/*
 * Decide what follows an exit.  clean is 1 for exit status 0; run_ms is
 * how long the run lasted; now_ms is CLOCK_MONOTONIC.  Records the restart
 * in st when the verdict is RESTART_AFTER.  No I/O; -1 only on ENOMEM.
 */
int	restart_decide(const struct tenant_spec *, struct restart_state *st,
	    int clean, uint64_t run_ms, uint64_t now_ms,
	    struct restart_decision *);
/*
 * delay_ms spread at random by +-20 % (SPEC section 5), so that tenants
 * that failed together do not come back in lock-step: the result is in
 * delay_ms - delay_ms/5 .. delay_ms + delay_ms/5.  rnd is a uniformly
 * random number the caller draws (arc4random()), which keeps this pure.
 * For back-off delays and for retry_after_s alike.
 */
uint32_t restart_jitter(uint32_t delay_ms, uint32_t rnd);

#define RESTART_SPREAD_MS	60000	/* cron and max_age: within a minute */

/*
 * A tenant's offset in 0 .. RESTART_SPREAD_MS - 1 for its planned
 * restarts (restart.cron, restart.max_age_s), from a hash of its name:
 * tenants that share a schedule restart spread over a minute, and each
 * one at the same second every time, across master restarts too.
 */
uint32_t restart_spread_ms(const char *name);
/* Forget history and back-off (operator start/restart, retry_after_s). */
void	restart_reset(struct restart_state *);
/* Release the history. */
void	restart_free(struct restart_state *);

#endif

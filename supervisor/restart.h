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
/* Forget history and back-off (operator start/restart, retry_after_s). */
void	restart_reset(struct restart_state *);
/* Release the history. */
void	restart_free(struct restart_state *);

#endif

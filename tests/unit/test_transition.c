/*
 * test_transition.c: walks every cell of the tenant transition table
 * (supervisor/transition.c) and checks the rules the state machine keeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "transition.h"

static int
at_rest(enum tstate s)
{
	return s == TS_BACKOFF || s == TS_STOPPED || s == TS_EXITED ||
	    s == TS_FATAL || s == TS_QUEUED;
}

static int
stopping(enum tstate s)
{
	return s == TS_STOPPING || s == TS_STOPPING_RESTART ||
	    s == TS_STOPPING_FAIL || s == TS_STOPPING_CYCLE;
}

static int
starts(enum taction a)
{
	return a == TA_SPAWN || a == TA_QUEUE || a == TA_RETRY ||
	    a == TA_EXITED_RESTART || a == TA_EXITED_CYCLE;
}

/* Every cell exists and names a real action and a real next state. */
static void
test_every_cell(void **state)
{
	const struct transition *tr;
	int s, e;

	for (s = 0; s < TS_NSTATES; s++)
		for (e = 0; e < TE_NEVENTS; e++) {
			tr = transition_get((enum tstate)s, (enum tevent)e);
			assert_non_null(tr);
			assert_true((unsigned)tr->action < TA_NACTIONS);
			assert_true((unsigned)tr->next <= TX_POLICY);
			assert_string_not_equal(
			    transition_action_name(tr->action), "?");
		}
	assert_null(transition_get(TS_NSTATES, TE_START));
	assert_null(transition_get(TS_RUNNING, TE_NEVENTS));
}

/* Review H3: once the master shuts down, nothing is started. */
static void
test_shutdown_starts_nothing(void **state)
{
	const struct transition *tr;
	int s;

	for (s = 0; s < TS_NSTATES; s++) {
		tr = transition_get((enum tstate)s, TE_SHUTDOWN);
		assert_false(starts(tr->action));
		/* What follows is a state that stays down. */
		if (tr->next != (enum tstate)s)
			assert_true(tr->next == TS_STOPPING ||
			    tr->next == TS_STOPPED);
		/* A stop that would restart stays down after shutdown. */
		if (stopping((enum tstate)s))
			assert_int_equal(tr->next, TS_STOPPING);
	}
}

/* A tenant without a process cannot exit, and is never signalled. */
static void
test_rest_states(void **state)
{
	const struct transition *tr;
	int s, e;

	for (s = 0; s < TS_NSTATES; s++) {
		if (!at_rest((enum tstate)s))
			continue;
		assert_int_equal(transition_get((enum tstate)s,
		    TE_EXIT)->action, TA_BUG);
		for (e = 0; e < TE_NEVENTS; e++) {
			tr = transition_get((enum tstate)s, (enum tevent)e);
			assert_true(tr->action != TA_STOP &&
			    tr->action != TA_KILL &&
			    tr->action != TA_STOP_FAIL &&
			    tr->action != TA_STOP_RESTART &&
			    tr->action != TA_STOP_CYCLE);
		}
		/* An operator stop always ends at rest, stopped or fatal. */
		tr = transition_get((enum tstate)s, TE_STOP);
		assert_true(tr->next == TS_STOPPED ||
		    tr->next == (enum tstate)s);
	}
}

/* A live worker's exit always has a rule; a stop's kill timer works. */
static void
test_live_states(void **state)
{
	const struct transition *tr;
	int s;

	for (s = 0; s < TS_NSTATES; s++) {
		if (at_rest((enum tstate)s))
			continue;
		tr = transition_get((enum tstate)s, TE_EXIT);
		assert_true(tr->action != TA_BUG && tr->action != TA_NOP);
		if (stopping((enum tstate)s)) {
			assert_int_equal(transition_get((enum tstate)s,
			    TE_KILL_DUE)->action, TA_KILL);
			/* An operator stop wins over any restart. */
			tr = transition_get((enum tstate)s, TE_STOP);
			assert_true(tr->next == TS_STOPPING);
		} else {
			assert_int_equal(transition_get((enum tstate)s,
			    TE_STOP)->action, TA_STOP);
			assert_int_equal(transition_get((enum tstate)s,
			    TE_SHUTDOWN)->action, TA_STOP);
		}
	}
}

/* Only an operator's single start skips the queue; the master queues. */
static void
test_pacing(void **state)
{
	const struct transition *tr;
	int s;

	for (s = 0; s < TS_NSTATES; s++) {
		tr = transition_get((enum tstate)s, TE_WANT);
		assert_true(tr->action != TA_SPAWN);
		tr = transition_get((enum tstate)s, TE_BACKOFF_DUE);
		assert_true(tr->action != TA_SPAWN);
		tr = transition_get((enum tstate)s, TE_RETRY_DUE);
		assert_true(tr->action != TA_SPAWN);
		tr = transition_get((enum tstate)s, TE_SLOT);
		assert_true(tr->action == TA_NOP || s == TS_QUEUED);
	}
	assert_int_equal(transition_get(TS_QUEUED, TE_SLOT)->action,
	    TA_SPAWN);
	assert_int_equal(transition_get(TS_QUEUED, TE_START)->action,
	    TA_SPAWN);
	assert_int_equal(transition_get(TS_STOPPED, TE_WANT)->next,
	    TS_QUEUED);
	/* A fatal tenant is re-armed through the queue (review M9). */
	assert_int_equal(transition_get(TS_FATAL, TE_RETRY_DUE)->next,
	    TS_QUEUED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_cell),
		cmocka_unit_test(test_shutdown_starts_nothing),
		cmocka_unit_test(test_rest_states),
		cmocka_unit_test(test_live_states),
		cmocka_unit_test(test_pacing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

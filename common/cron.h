/* cron.h: the "m h dom mon dow" schedules of restart.cron. */
#ifndef VX_CRON_H
#define VX_CRON_H

#include <stdint.h>
#include <time.h>

#include "err.h"

#define CRON_MAX_LEN	256	/* bytes of an expression */

#define CRON_DOM_STAR	0x01	/* the day-of-month field starts with '*' */
#define CRON_DOW_STAR	0x02	/* the day-of-week field starts with '*' */

/*
 * A parsed expression, one bit per value a field allows.  Plain data with
 * no pointers, so that a spec holding one is copied by assignment; read
 * it only through cron_next().
 */
struct cron {
	uint64_t	minute;		/* bits 0..59 */
	uint32_t	hour;		/* bits 0..23 */
	uint32_t	dom;		/* bits 1..31 */
	uint16_t	month;		/* bits 1..12 */
	uint8_t		dow;		/* bits 0..6, 0 = Sunday */
	uint8_t		flags;		/* CRON_DOM_STAR, CRON_DOW_STAR */
};

/*
 * Parse expr: five fields (numbers, a-b, lists, * and steps, month and
 * weekday names, dow 7 = Sunday) or one of @yearly @annually @monthly
 * @weekly @daily @midnight @hourly.  An expression that can never fire
 * (0 0 31 2 *) is an error too; err is one sentence naming the field and
 * the bad text.
 */
int	cron_parse(const char *expr, struct cron *, struct vx_err *err);
/*
 * The first firing strictly after `after`, in local time: a wall-clock
 * minute fires once (at its first occurrence when the clocks go back), and
 * one the clocks skip fires when the skip ends.  -1 with errno ERANGE when
 * nothing fires within 400 years (a struct cron_parse() did not make), or
 * EOVERFLOW when the time cannot be represented.
 */
int	cron_next(const struct cron *, time_t after, time_t *next);

#endif

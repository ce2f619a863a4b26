/*
 * fuzz_cron.c: libFuzzer harness for restart.cron expressions: whatever
 * parses must fire, strictly later, at a wall-clock minute it names (or
 * where the clocks skip past one), within the run time limit;
 * whatever is refused gets one line naming what is wrong.
 *
 * The zone is Europe/Berlin when this machine has it, so that the clock
 * changes of March and October are inside the searched range.
 *
 * fuzz-sources: common/cron.c common/err.c
 * fuzz-flags: -max_len=300
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cron.h"
#include "err.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Starting points: 2025 around both clock changes, a leap day, 2099. */
static const time_t starts[] = {
	1743289200, 1743296399, 1761436799, 1761440400, 1709164800,
	4102444740,
};

/* Whether the wall-clock minute tm shows fits c (Vixie's day rule). */
static int
fits(const struct cron *c, const struct tm *tm)
{
	int dom = (int)((c->dom >> tm->tm_mday) & 1);
	int dow = (int)((c->dow >> tm->tm_wday) & 1);
	int day = (c->flags & (CRON_DOM_STAR | CRON_DOW_STAR)) ? dom && dow :
	    dom || dow;

	return ((c->minute >> tm->tm_min) & 1) &&
	    ((c->hour >> tm->tm_hour) & 1) &&
	    ((c->month >> (tm->tm_mon + 1)) & 1) && day;
}

static void
check(const struct cron *c)
{
	struct tm tm, before;
	time_t after, next, prev;
	size_t i;
	int k;

	for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		after = starts[i];
		for (k = 0; k < 3; k++) {
			if (cron_next(c, after, &next) == -1)
				abort();	/* every parsed schedule fires */
			if (next <= after || next % 60 != 0 ||
			    localtime_r(&next, &tm) == NULL)
				abort();
			/* a match, or the first instant after a skip */
			prev = next - 1;
			localtime_r(&prev, &before);
			if (!fits(c, &tm) && timegm(&tm) - timegm(&before) <= 1)
				abort();
			after = next;
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int zoned;
	struct vx_err err;
	struct cron c;
	char *s;

	if (!zoned) {
		if (access("/usr/share/zoneinfo/Europe/Berlin", R_OK) == 0)
			setenv("TZ", "Europe/Berlin", 1);
		else
			setenv("TZ", "UTC", 1);
		tzset();
		zoned = 1;
	}
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	vx_err_clear(&err);
	if (cron_parse(s, &c, &err) == -1) {
		if (err.msg[0] == '\0' || strchr(err.msg, '\n') != NULL)
			abort();
	} else {
		if (c.minute == 0 || c.hour == 0 || c.dom == 0 ||
		    c.month == 0 || c.dow == 0 || (c.minute >> 60) != 0 ||
		    (c.hour >> 24) != 0 || (c.dom & 1) != 0 ||
		    (c.month & 0xe001) != 0 || (c.dow & 0x80) != 0)
			abort();
		check(&c);
	}
	free(s);
	return 0;
}

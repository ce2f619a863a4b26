/* clock.c: monotonic time for durations, UTC ISO 8601 for people. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"

/* Milliseconds on CLOCK_MONOTONIC, for back-off and uptime arithmetic. */
uint64_t
clock_mono_ms(void)
{
	return clock_mono_us() / 1000;
}

/* Microseconds on CLOCK_MONOTONIC. */
uint64_t
clock_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Timestamps stored and printed are UTC with a Z, as the control plane's. */
char *
clock_iso8601(time_t t, char *buf)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, ISO8601_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strcpy(buf, "1970-01-01T00:00:00Z");
	return buf;
}

/* Inverse of clock_iso8601(), for uptime from a stored started_at. */
int
clock_parse_iso8601(const char *s, time_t *t)
{
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	*t = timegm(&tm);
	return 0;
}

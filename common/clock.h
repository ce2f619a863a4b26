/* clock.h: monotonic durations and human-readable wall timestamps. */
#ifndef VX_CLOCK_H
#define VX_CLOCK_H

#include <stdint.h>
#include <time.h>

#define ISO8601_LEN 24	/* "2026-01-11T06:23:00Z" + NUL, rounded up */

uint64_t	clock_mono_ms(void);
uint64_t	clock_mono_us(void);
/* Format t as UTC "YYYY-MM-DDTHH:MM:SSZ" into buf (ISO8601_LEN bytes). */
char	       *clock_iso8601(time_t t, char *buf);
/* Parse "YYYY-MM-DDTHH:MM:SSZ"; -1 if malformed. */
int		clock_parse_iso8601(const char *s, time_t *t);

#endif

/* test_cron.c: the restart.cron grammar and its next firing, DST included. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cron.h"
#include "err.h"

#define MAX_FIRES	20000

/* Switch the process to zone z; 0, or -1 when this machine lacks it. */
static int
use_tz(const char *z)
{
	char path[256];
	const char *dir = getenv("TZDIR");

	if (strcmp(z, "UTC") != 0) {
		snprintf(path, sizeof(path), "%s/%s",
		    dir != NULL ? dir : "/usr/share/zoneinfo", z);
		if (access(path, R_OK) == -1)
			return -1;
	}
	setenv("TZ", z, 1);
	tzset();
	return 0;
}

/* "YYYY-MM-DD HH:MM" in UTC as an instant. */
static time_t
utc(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	assert_non_null(strptime(s, "%Y-%m-%d %H:%M", &tm));
	return timegm(&tm);
}

/* "YYYY-MM-DD HH:MM" in the current zone, standard or summer time. */
static time_t
local(const char *s, int isdst)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	assert_non_null(strptime(s, "%Y-%m-%d %H:%M", &tm));
	tm.tm_isdst = isdst;
	return mktime(&tm);
}

static struct cron
parse_ok(const char *expr)
{
	struct cron c;
	struct vx_err err;

	vx_err_clear(&err);
	if (cron_parse(expr, &c, &err) == -1)
		fail_msg("'%s' rejected: %s", expr, err.msg);
	return c;
}

static void
parse_fails(const char *expr, const char *want)
{
	struct cron c;
	struct vx_err err;

	vx_err_clear(&err);
	if (cron_parse(expr, &c, &err) == 0)
		fail_msg("'%s' accepted", expr);
	if (strstr(err.msg, want) == NULL)
		fail_msg("'%s': got '%s', want '%s'", expr, err.msg, want);
	assert_null(strchr(err.msg, '\n'));
}

static time_t
next_of(const struct cron *c, time_t after)
{
	time_t n;

	if (cron_next(c, after, &n) == -1)
		fail_msg("cron_next: %s", strerror(errno));
	return n;
}

static void
test_fields(void **state)
{
	struct cron c;

	c = parse_ok("* * * * *");
	assert_true(c.minute == ((uint64_t)1 << 60) - 1);
	assert_int_equal(c.hour, (1u << 24) - 1);
	assert_int_equal(c.dom, 0xfffffffeu);
	assert_int_equal(c.month, 0x1ffe);
	assert_int_equal(c.dow, 0x7f);
	assert_int_equal(c.flags, CRON_DOM_STAR | CRON_DOW_STAR);

	c = parse_ok("0,15,30-32 1-5/2 1,31 jan,Mar-may 1-5");
	assert_true(c.minute == (1 | 1 << 15 | 1ull << 30 | 1ull << 31 |
	    1ull << 32));
	assert_int_equal(c.hour, 1 << 1 | 1 << 3 | 1 << 5);
	assert_int_equal(c.dom, 1u << 1 | 1u << 31);
	assert_int_equal(c.month, 1 << 1 | 1 << 3 | 1 << 4 | 1 << 5);
	assert_int_equal(c.dow, 0x3e);
	assert_int_equal(c.flags, 0);

	/* steps: every n, a-b every n, a every n up to the field's end */
	c = parse_ok("*/20 */7 */10 */5 */3");
	assert_true(c.minute == (1 | 1ull << 20 | 1ull << 40));
	assert_int_equal(c.hour, 1 | 1 << 7 | 1 << 14 | 1 << 21);
	assert_int_equal(c.dom, 1u << 1 | 1u << 11 | 1u << 21 | 1u << 31);
	assert_int_equal(c.month, 1 << 1 | 1 << 6 | 1 << 11);
	assert_int_equal(c.dow, 1 | 1 << 3 | 1 << 6);
	assert_int_equal(c.flags, CRON_DOM_STAR | CRON_DOW_STAR);
	c = parse_ok("50/5 22/1 * * *");
	assert_true(c.minute == (1ull << 50 | 1ull << 55));
	assert_int_equal(c.hour, 1 << 22 | 1 << 23);
	c = parse_ok("*/60 * * * *");
	assert_true(c.minute == 1);

	/* Sunday is 0, 7 and sun; fri-sun wraps to 7 */
	assert_int_equal(parse_ok("0 0 * * 7").dow, 1);
	assert_int_equal(parse_ok("0 0 * * SUN").dow, 1);
	assert_int_equal(parse_ok("0 0 * * 0,7").dow, 1);
	assert_int_equal(parse_ok("0 0 * * fri-sun").dow, 1 | 1 << 5 | 1 << 6);
	assert_int_equal(parse_ok("0 0 * * 5-7").dow, 1 | 1 << 5 | 1 << 6);
	assert_int_equal(parse_ok("0 0 * * sun-sat").dow, 0x7f);
	assert_int_equal(parse_ok("0 0 * * sun-sun").dow, 1);
	assert_int_equal(parse_ok("0 0 * * 0-7").dow, 0x7f);

	/* Vixie: a field that starts with '*' is "any" for the OR rule */
	assert_int_equal(parse_ok("0 0 */2 * 1").flags, CRON_DOM_STAR);
	assert_int_equal(parse_ok("0 0 1 * */2").flags, CRON_DOW_STAR);

	/* whitespace around and between fields */
	c = parse_ok(" \t0\t12  *  * *  ");
	assert_true(c.minute == 1);
	assert_int_equal(c.hour, 1 << 12);
}

static void
test_macros(void **state)
{
	static const char *const pairs[][2] = {
		{ "@yearly", "0 0 1 1 *" }, { "@annually", "0 0 1 jan *" },
		{ "@monthly", "0 0 1 * *" }, { "@weekly", "0 0 * * sun" },
		{ "@daily", "0 0 * * *" }, { "@midnight", "0 0 * * *" },
		{ "@hourly", "0 * * * *" }, { "  @daily ", "0 0 * * *" },
	};
	struct cron a, b;
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		a = parse_ok(pairs[i][0]);
		b = parse_ok(pairs[i][1]);
		assert_memory_equal(&a, &b, sizeof(a));
	}
	parse_fails("@reboot", "\"@reboot\"; expected five fields or one of "
	    "@yearly, @annually, @monthly, @weekly, @daily, @midnight, "
	    "@hourly (autostart starts a tenant at boot)");
	parse_fails("@often", "unknown \"@often\"");
	parse_fails("@daily 5", "\"@daily\" must stand alone");
	parse_fails("@", "unknown \"@\"");
}

/* Each bad expression: one sentence naming the field and the text. */
static void
test_errors(void **state)
{
	static const char *const cases[][2] = {
		{ "", "empty; expected five fields: minute hour "
		    "day-of-month month day-of-week" },
		{ "   ", "empty; expected five fields" },
		{ "* * * *", "too few fields; expected five fields" },
		{ "0 0 * * * *", "too many fields; expected five fields" },
		{ "0 0 * * * /bin/true", "too many fields" },
		{ "60 * * * *", "minute field \"60\": 60 is out of range "
		    "0..59" },
		{ "* 24 * * *", "hour field \"24\": 24 is out of range 0..23" },
		{ "* * 0 * *", "day-of-month field \"0\": 0 is out of range "
		    "1..31" },
		{ "* * 32 * *", "day-of-month field \"32\": 32 is out of "
		    "range 1..31" },
		{ "* * * 0 *", "month field \"0\": 0 is out of range 1..12" },
		{ "* * * 13 *", "month field \"13\": 13 is out of range" },
		{ "* * * * 8", "day-of-week field \"8\": 8 is out of range "
		    "0..7" },
		{ "1,2,99999999999999999999 * * * *", "minute field "
		    "\"1,2,99999999999999999999\": 99999999999999999999 is "
		    "out of range 0..59" },
		{ "* * * * 4294967297", "4294967297 is out of range 0..7" },
		{ "-1 * * * *", "minute field \"-1\": expected a number at "
		    "\"-1\"" },
		{ "*/0 * * * *", "minute field \"*/0\": step 0 is out of "
		    "range 1..60" },
		{ "*/61 * * * *", "step 61 is out of range 1..60" },
		{ "* */99999999999 * * *", "hour field \"*/99999999999\": "
		    "step 99999999999 is out of range 1..24" },
		{ "*/ * * * *", "minute field \"*/\": '/' must be followed "
		    "by a step number" },
		{ "*/x * * * *", "'/' must be followed by a step number" },
		{ "1-/5 * * * *", "minute field \"1-/5\": expected a number "
		    "at \"/5\"" },
		{ "1- * * * *", "minute field \"1-\": expected a number" },
		{ "30-10 * * * *", "minute field \"30-10\": range \"30-10\" "
		    "runs backwards; write 30-59,0-10" },
		{ "* * 1,25-5 * *", "day-of-month field \"1,25-5\": range "
		    "\"25-5\" runs backwards; write 25-31,1-5" },
		{ "* * * dec-jan *", "month field \"dec-jan\": range "
		    "\"dec-jan\" runs backwards; write 12,1" },
		{ "* * * * sat-mon", "write 6-7,0-1" },
		{ "1,,2 * * * *", "minute field \"1,,2\": empty list element" },
		{ "1, * * * *", "minute field \"1,\": empty list element" },
		{ ",1 * * * *", "empty list element" },
		{ "*-5 * * * *", "minute field \"*-5\": '*' cannot start a "
		    "range" },
		{ "** * * * *", "minute field \"**\": unexpected '*'" },
		{ "1x * * * *", "minute field \"1x\": unexpected 'x'" },
		{ "1-2-3 * * * *", "unexpected '-'" },
		{ "1/2/3 * * * *", "unexpected '/'" },
		{ "jan * * * *", "minute field \"jan\": expected a number at "
		    "\"jan\"" },
		{ "* * * foo *", "month field \"foo\": unknown name \"foo\" "
		    "(expected jan..dec)" },
		{ "* * * january *", "unknown name \"january\"" },
		{ "* * * * funday", "day-of-week field \"funday\": unknown "
		    "name \"funday\" (expected sun..sat)" },
		{ "* * * * mon-", "day-of-week field \"mon-\": expected a "
		    "number or a day name (sun..sat)" },
		{ "* * * ? *", "month field \"?\": expected a number or a "
		    "month name" },
		{ "* * L * *", "day-of-month field \"L\": expected a number "
		    "at \"L\"" },
		{ "* * * * 1#2", "unexpected '#'" },
		{ "0 0 31 2 *", "never fires: day-of-month \"31\" does not "
		    "occur in month \"2\"" },
		{ "0 0 30 feb *", "never fires: day-of-month \"30\" does not "
		    "occur in month \"feb\"" },
		{ "0 0 30,31 2 *", "never fires" },
		{ "0 0 31 4,6,9,11 *", "never fires: day-of-month \"31\" does "
		    "not occur in month \"4,6,9,11\"" },
		{ "0 0 31 2 */2", "never fires" },
		{ "0 0 31 2 *\n", "byte 0x0a at offset 10 is not printable "
		    "ASCII" },
		{ "0 0 * * m\xc3\xb6n", "byte 0xc3 at offset 9 is not "
		    "printable ASCII" },
		{ "0 0 * * \x7f", "byte 0x7f at offset 8" },
	};
	char big[CRON_MAX_LEN + 2];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		parse_fails(cases[i][0], cases[i][1]);
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "0 0 * * *", 9);
	parse_fails(big, "longer than 256 bytes");
	/* exactly CRON_MAX_LEN bytes is fine */
	big[CRON_MAX_LEN] = '\0';
	parse_ok(big);
	/* a long field is echoed cut, not overflowing the message */
	memset(big, '1', CRON_MAX_LEN);
	memcpy(big + 200, " * * * *", 8);
	parse_fails(big, "is out of range 0..59");
}

/* Restricted day fields OR, a '*' day field ANDs; 29 Feb; rollover. */
static void
test_next_utc(void **state)
{
	static const char *const cases[][3] = {
		{ "0 3 * * *", "2025-06-10 02:59", "2025-06-10 03:00" },
		/* strictly after: a firing instant gives the next one */
		{ "0 3 * * *", "2025-06-10 03:00", "2025-06-11 03:00" },
		{ "* * * * *", "2025-06-10 03:00", "2025-06-10 03:01" },
		{ "*/15 * * * *", "2025-12-31 23:59", "2026-01-01 00:00" },
		{ "59 23 31 12 *", "2025-01-01 00:00", "2025-12-31 23:59" },
		{ "0 0 31 * *", "2025-04-01 00:00", "2025-05-31 00:00" },
		{ "0 0 29 2 *", "2025-01-01 00:00", "2028-02-29 00:00" },
		{ "0 0 29 2 *", "2096-03-01 00:00", "2104-02-29 00:00" },
		{ "0 0 29 feb mon", "2024-02-29 00:00", "2025-02-03 00:00" },
		{ "0 0 29 * mon", "2024-02-26 00:00", "2024-02-29 00:00" },
		/* Friday or the 13th */
		{ "0 12 13 * fri", "2025-01-01 00:00", "2025-01-03 12:00" },
		{ "0 12 13 * fri", "2025-01-10 12:00", "2025-01-13 12:00" },
		/* a '*' day field makes it AND: Mondays on odd days */
		{ "0 0 */2 * mon", "2025-01-01 00:00", "2025-01-13 00:00" },
		/* 1 Feb or 29 Feb on a Monday: eleven years apart */
		{ "0 0 */28 2 1", "2027-02-02 00:00", "2038-02-01 00:00" },
		{ "0 0 */28 2 1", "2038-02-01 00:00", "2044-02-01 00:00" },
		{ "0 0 */28 2 1", "2044-02-01 00:00", "2044-02-29 00:00" },
		{ "0 0 * * 7", "2025-06-10 00:00", "2025-06-15 00:00" },
		{ "30 8 * * mon-fri", "2025-06-13 09:00", "2025-06-16 08:30" },
		{ "5/20 1-3/2 * jan-mar *", "2025-03-31 03:45",
		    "2026-01-01 01:05" },
		{ "@yearly", "2025-01-01 00:00", "2026-01-01 00:00" },
		{ "@weekly", "2025-06-10 00:00", "2025-06-15 00:00" },
	};
	struct cron c;
	char buf[32];
	struct tm tm;
	time_t n;
	size_t i;

	assert_int_equal(use_tz("UTC"), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = parse_ok(cases[i][0]);
		n = next_of(&c, utc(cases[i][1]));
		gmtime_r(&n, &tm);
		(void)strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M", &tm);
		if (strcmp(buf, cases[i][2]) != 0)
			fail_msg("'%s' after %s: %s, want %s", cases[i][0],
			    cases[i][1], buf, cases[i][2]);
	}
	/* seconds do not matter: after 03:00:59 comes tomorrow */
	c = parse_ok("0 3 * * *");
	assert_int_equal(next_of(&c, utc("2025-06-10 03:00") + 59),
	    utc("2025-06-11 03:00"));
	assert_int_equal(next_of(&c, utc("2025-06-10 02:59") + 59),
	    utc("2025-06-10 03:00"));
}

/* Europe/Berlin: 30 Mar 2025 02:00 -> 03:00, 26 Oct 03:00 -> 02:00. */
static void
test_next_berlin(void **state)
{
	struct cron c;
	time_t t;

	if (use_tz("Europe/Berlin") == -1)
		skip();
	/* 02:30 does not exist on 30 March: at 03:00 CEST, once */
	c = parse_ok("30 2 * * *");
	t = next_of(&c, utc("2025-03-29 11:00"));
	assert_int_equal(t, utc("2025-03-30 01:00"));
	t = next_of(&c, t);
	assert_int_equal(t, utc("2025-03-31 00:30"));
	/* each quarter hour of the skipped hour folds into 03:00 */
	c = parse_ok("*/15 * * * *");
	t = next_of(&c, utc("2025-03-30 00:45"));
	assert_int_equal(t, utc("2025-03-30 01:00"));
	assert_int_equal(next_of(&c, t), utc("2025-03-30 01:15"));
	/* 02:30 exists twice on 26 October: the first (CEST) only */
	c = parse_ok("30 2 * * *");
	t = next_of(&c, utc("2025-10-25 10:00"));
	assert_int_equal(t, utc("2025-10-26 00:30"));
	assert_int_equal(t, local("2025-10-26 02:30", 1));
	t = next_of(&c, t);
	assert_int_equal(t, utc("2025-10-27 01:30"));
	/* hourly: 02:00 CEST, then 03:00 CET, two hours later */
	c = parse_ok("0 * * * *");
	t = next_of(&c, utc("2025-10-25 23:30"));
	assert_int_equal(t, utc("2025-10-26 00:00"));
	assert_int_equal(next_of(&c, t), utc("2025-10-26 02:00"));
	/* from inside the second 02:xx: its minutes fired already */
	c = parse_ok("*/20 * * * *");
	assert_int_equal(next_of(&c, utc("2025-10-26 01:05")),
	    utc("2025-10-26 02:00"));
	c = parse_ok("0 3 * * *");
	assert_int_equal(next_of(&c, utc("2025-10-25 22:00")),
	    utc("2025-10-26 02:00"));
	/* a day a year apart keeps its wall-clock time */
	c = parse_ok("0 12 1 1,7 *");
	t = next_of(&c, utc("2025-01-01 12:00"));
	assert_int_equal(t, utc("2025-07-01 10:00"));
	assert_int_equal(next_of(&c, t), utc("2026-01-01 11:00"));
}

/* America/New_York: 9 Mar 2025 02:00 -> 03:00, 2 Nov 02:00 -> 01:00. */
static void
test_next_new_york(void **state)
{
	struct cron c;
	time_t t;

	if (use_tz("America/New_York") == -1)
		skip();
	c = parse_ok("30 2 * * *");
	t = next_of(&c, local("2025-03-08 12:00", 0));
	assert_int_equal(t, utc("2025-03-09 07:00"));
	assert_int_equal(next_of(&c, t), utc("2025-03-10 06:30"));
	c = parse_ok("30 1 * * *");
	t = next_of(&c, local("2025-11-01 12:00", 1));
	assert_int_equal(t, utc("2025-11-02 05:30"));
	t = next_of(&c, t);
	assert_int_equal(t, utc("2025-11-03 06:30"));
	/* after 01:10 EST (second 01:xx): 02:00 EST is next */
	c = parse_ok("*/20 * * * *");
	assert_int_equal(next_of(&c, utc("2025-11-02 06:10")),
	    utc("2025-11-02 07:00"));
	assert_int_equal(next_of(&c, utc("2025-11-02 05:10")),
	    utc("2025-11-02 05:20"));
}

/* Whether the wall-clock minute w (seconds since the epoch, as UTC) fits. */
static int
ref_match(const struct cron *c, time_t w)
{
	struct tm tm;
	int dom, dow, day;

	gmtime_r(&w, &tm);
	dom = (int)((c->dom >> tm.tm_mday) & 1);
	dow = (int)((c->dow >> tm.tm_wday) & 1);
	day = (c->flags & (CRON_DOM_STAR | CRON_DOW_STAR)) ? dom && dow :
	    dom || dow;
	return ((c->minute >> tm.tm_min) & 1) && ((c->hour >> tm.tm_hour) & 1)
	    && ((c->month >> (tm.tm_mon + 1)) & 1) && day;
}

/* What the clock on the wall shows at t, as seconds since the epoch. */
static time_t
wall(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	return timegm(&tm);
}

/*
 * Compare cron_next, chained, with a minute-by-minute walk over [from,
 * to): an instant fires when the wall-clock minutes it newly shows (more
 * than one after a skip, none in a repeated hour) include a match.
 */
static void
check_window(const char *zone, const char *expr, time_t from, time_t to)
{
	static time_t want[MAX_FIRES], got[MAX_FIRES];
	struct cron c = parse_ok(expr);
	size_t nw = 0, ng = 0, i;
	time_t t, w, m, maxw, after;
	int fire;

	from -= from % 60;
	maxw = wall(from - 60);
	for (t = from; t < to; t += 60) {
		w = wall(t);
		w -= w % 60;
		fire = 0;
		for (m = maxw + 60; m <= w && !fire; m += 60)
			fire = ref_match(&c, m);
		if (w > maxw)
			maxw = w;
		if (fire && nw < MAX_FIRES)
			want[nw++] = t;
	}
	for (after = from - 1; ng < MAX_FIRES;) {
		t = next_of(&c, after);
		if (t >= to)
			break;
		got[ng++] = t;
		after = t;
	}
	for (i = 0; i < nw && i < ng; i++) {
		if (want[i] != got[i])
			break;
	}
	if (i < nw || i < ng)
		fail_msg("%s '%s': firing %zu of %zu/%zu: got %lld, want "
		    "%lld", zone, expr, i, ng, nw, i < ng ? (long long)got[i] :
		    -1LL, i < nw ? (long long)want[i] : -1LL);
}

/* Every clock change of zone in year, checked in a window around it. */
static void
check_zone(const char *zone, int year)
{
	static const char *const exprs[] = {
		"* * * * *", "*/15 * * * *", "30 2 * * *", "0 * * * *",
		"0 0 * * *", "45 0-3 * * *", "0,30 * * * 0", "59 23 * * *",
		"*/7 1-3 * * *", "0 12 * * *",
	};
	char buf[32];
	struct tm tm;
	time_t t, end;
	long off;
	size_t i;
	int n = 0;

	if (use_tz(zone) == -1) {
		print_message("%s: no such zone here, not checked\n", zone);
		return;
	}
	snprintf(buf, sizeof(buf), "%d-01-01 00:00", year);
	t = utc(buf);
	end = t + 366 * 86400;
	localtime_r(&t, &tm);
	off = tm.tm_gmtoff;
	for (; t < end; t += 3600) {
		localtime_r(&t, &tm);
		if (tm.tm_gmtoff == off)
			continue;
		off = tm.tm_gmtoff;
		for (i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++)
			check_window(zone, exprs[i], t - 86400, t + 86400);
		n++;
	}
	assert_true(n >= 1);
}

static void
test_next_matches_walk(void **state)
{
	static const char *const utc_exprs[] = {
		"0 0 29 2 *", "0 12 * * 1-5", "15 */6 1,15 * *", "0 0 * * 7",
		"0 0 1 * 0", "0 0 */2 * 1", "*/20 9-17 * mar mon-fri",
		"0 0 13 * fri", "7 7 7 * *", "0 6 * * sat,sun",
	};
	size_t i;

	assert_int_equal(use_tz("UTC"), 0);
	for (i = 0; i < sizeof(utc_exprs) / sizeof(utc_exprs[0]); i++)
		check_window("UTC", utc_exprs[i], utc("2024-02-20 00:00"),
		    utc("2024-04-05 00:00"));
	check_zone("Europe/Berlin", 2025);
	check_zone("America/New_York", 2025);
	check_zone("Australia/Lord_Howe", 2025);	/* 30-minute DST */
	check_zone("America/Santiago", 2025);		/* at midnight */
	check_zone("Pacific/Apia", 2011);		/* 30 Dec skipped */
}

/* A struct cron_parse would refuse, and times beyond the calendar. */
static void
test_next_errors(void **state)
{
	struct cron c;
	time_t n;

	assert_int_equal(use_tz("UTC"), 0);
	c = parse_ok("0 0 * * *");
	c.month = 1 << 2;
	c.dom = 1u << 31;
	c.flags = CRON_DOW_STAR;
	errno = 0;
	assert_int_equal(cron_next(&c, utc("2025-01-01 00:00"), &n), -1);
	assert_int_equal(errno, ERANGE);
	c = parse_ok("0 0 * * *");
	errno = 0;
	assert_int_equal(cron_next(&c, (time_t)1 << 62, &n), -1);
	assert_int_equal(errno, EOVERFLOW);
	/* the year 2038 and far beyond are fine with a 64-bit time_t */
	assert_int_equal(next_of(&c, utc("2038-01-19 03:14")),
	    utc("2038-01-20 00:00"));
	assert_int_equal(next_of(&c, utc("9999-12-31 12:00")),
	    utc("9999-12-31 00:00") + 86400);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_next_utc),
		cmocka_unit_test(test_next_berlin),
		cmocka_unit_test(test_next_new_york),
		cmocka_unit_test(test_next_matches_walk),
		cmocka_unit_test(test_next_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * cron.c: parses the "m h dom mon dow" schedules of restart.cron and finds
 * their next firing in local time; pure but for localtime_r and mktime.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cron.h"
#include "err.h"

#define CRON_NFIELDS		5
#define CRON_SEARCH_YEARS	401	/* the Gregorian calendar repeats */
#define CRON_SKIP_MAX		(8 * 86400)	/* widest clock jump looked for */
#define CRON_FIELDS_TEXT	"minute hour day-of-month month day-of-week"

/* What a field accepts. */
struct cron_field {
	const char		 *name;
	int			  lo, hi;	/* numbers accepted */
	int			  count;	/* values: the largest step */
	const char *const	 *names;	/* 3-letter names, or NULL */
	int			  base;		/* the value of names[0] */
};

static const char *const cron_months[] = {
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
	"nov", "dec", NULL
};
static const char *const cron_days[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL
};

enum { CRON_MIN, CRON_HOUR, CRON_DOM, CRON_MON, CRON_DOW };

static const struct cron_field cron_fields[CRON_NFIELDS] = {
	{ "minute", 0, 59, 60, NULL, 0 },
	{ "hour", 0, 23, 24, NULL, 0 },
	{ "day-of-month", 1, 31, 31, NULL, 0 },
	{ "month", 1, 12, 12, cron_months, 1 },
	{ "day-of-week", 0, 7, 7, cron_days, 0 },	/* 7 = Sunday too */
};

/* The shorthands of Vixie cron; @reboot is no schedule. */
static const struct {
	const char	*name;
	const char	*expr;
} cron_macros[] = {
	{ "@yearly", "0 0 1 1 *" }, { "@annually", "0 0 1 1 *" },
	{ "@monthly", "0 0 1 * *" }, { "@weekly", "0 0 * * 0" },
	{ "@daily", "0 0 * * *" }, { "@midnight", "0 0 * * *" },
	{ "@hourly", "0 * * * *" },
};

/* The most days each month can have (February: 29, in leap years). */
static const int cron_mdays_max[12] = {
	31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
};

/* Record 'FIELD field "TEXT": why' as the error; always -1. */
static int __attribute__((format(printf, 5, 6)))
cron_fail(struct vx_err *err, const struct cron_field *f, const char *text,
    size_t len, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vx_err_set(err, VX_EXIT_FAIL, "%s field \"%.*s\": %s", f->name,
	    (int)(len > 64 ? 64 : len), text, msg);
	return -1;
}

static int
cron_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

static int
cron_isalpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A run of digits at *pp, saturated well above any field's range. */
static long
cron_digits(const char **pp, const char *end)
{
	const char *p = *pp;
	long n = 0;

	while (p < end && cron_isdigit(*p)) {
		if (n < 100000)
			n = n * 10 + (*p - '0');
		p++;
	}
	*pp = p;
	return n;
}

/* One number or name at *pp, checked against the field's range. */
static int
cron_value(const struct cron_field *f, const char *text, size_t len,
    const char **pp, const char *end, int *out, struct vx_err *err)
{
	const char *p = *pp, *s = p;
	long n;
	size_t i;

	if (p < end && cron_isdigit(*p)) {
		n = cron_digits(&p, end);
		if (n < f->lo || n > f->hi)
			return cron_fail(err, f, text, len,
			    "%.*s is out of range %d..%d", (int)(p - s), s,
			    f->lo, f->hi);
		*out = (int)n;
		*pp = p;
		return 0;
	}
	if (f->names == NULL || p == end || !cron_isalpha(*p))
		return cron_fail(err, f, text, len, "expected a number%s "
		    "at \"%.*s\"", f->names == NULL ? "" : f->names ==
		    cron_months ? " or a month name (jan..dec)" :
		    " or a day name (sun..sat)", (int)(end - p), p);
	while (p < end && cron_isalpha(*p))
		p++;
	for (i = 0; f->names[i] != NULL; i++) {
		if (p - s == 3 && strncasecmp(s, f->names[i], 3) == 0)
			break;
	}
	if (f->names[i] == NULL)
		return cron_fail(err, f, text, len, "unknown name \"%.*s\" "
		    "(expected %s)", (int)(p - s), s, f->names == cron_months ?
		    "jan..dec" : "sun..sat");
	*out = (int)i + f->base;
	*pp = p;
	return 0;
}

/* A range a-b with a > b: say how to write what was probably meant. */
static int
cron_backwards(const struct cron_field *f, const char *text, size_t len,
    const char *elem, const char *p, int a, int b, struct vx_err *err)
{
	char hi[16], lo[16];

	if (a == f->hi)
		snprintf(hi, sizeof(hi), "%d", a);
	else
		snprintf(hi, sizeof(hi), "%d-%d", a, f->hi);
	if (b == f->lo)
		snprintf(lo, sizeof(lo), "%d", b);
	else
		snprintf(lo, sizeof(lo), "%d-%d", f->lo, b);
	return cron_fail(err, f, text, len, "range \"%.*s\" runs backwards; "
	    "write %s,%s", (int)(p - elem), elem, hi, lo);
}

/* One field: a comma-separated list of *, a, a-b, each with /step. */
static int
cron_field_parse(const struct cron_field *f, const char *text, size_t len,
    uint64_t *bits, struct vx_err *err)
{
	const char *p = text, *end = text + len, *s, *elem;
	int a = 0, b, v, star, range;
	long step;

	*bits = 0;
	for (;;) {
		star = range = 0;
		elem = p;
		if (p == end || *p == ',')
			return cron_fail(err, f, text, len,
			    "empty list element");
		if (*p == '*') {
			star = 1;
			a = f->lo;
			b = f->hi;
			p++;
			if (p < end && *p == '-')
				return cron_fail(err, f, text, len,
				    "'*' cannot start a range");
		} else {
			if (cron_value(f, text, len, &p, end, &a, err) == -1)
				return -1;
			b = a;
			if (p < end && *p == '-') {
				range = 1;
				p++;
				if (cron_value(f, text, len, &p, end, &b,
				    err) == -1)
					return -1;
				/* fri-sun: Sunday as 7 when it ends a range */
				if (f == &cron_fields[CRON_DOW] && b == 0 &&
				    a > 0)
					b = 7;
				if (a > b)
					return cron_backwards(f, text, len,
					    elem, p, a, b, err);
			}
		}
		step = 1;
		if (p < end && *p == '/') {
			s = ++p;
			if (p == end || !cron_isdigit(*p))
				return cron_fail(err, f, text, len,
				    "'/' must be followed by a step number");
			step = cron_digits(&p, end);
			if (step < 1 || step > f->count)
				return cron_fail(err, f, text, len,
				    "step %.*s is out of range 1..%d",
				    (int)(p - s), s, f->count);
			if (!star && !range)	/* a/n: from a to the end */
				b = f->hi;
		}
		if (p < end && *p != ',')
			return cron_fail(err, f, text, len,
			    "unexpected '%c'", *p);
		for (v = a; v <= b; v += (int)step)
			*bits |= (uint64_t)1 << (f == &cron_fields[CRON_DOW] &&
			    v == 7 ? 0 : v);
		if (p == end)
			return 0;
		p++;
	}
}

/* Whether some day in dom occurs in some month in month (Vixie's AND). */
static int
cron_days_exist(const struct cron *c)
{
	int m, d;

	for (m = 1; m <= 12; m++) {
		if (!(c->month & (1u << m)))
			continue;
		for (d = 1; d <= cron_mdays_max[m - 1]; d++) {
			if (c->dom & ((uint32_t)1 << d))
				return 1;
		}
	}
	return 0;
}

/* The five fields of expr, or a macro's; -1 with err set. */
static int
cron_parse_fields(const char *expr, struct cron *c, struct vx_err *err)
{
	const char *text[CRON_NFIELDS], *p = expr;
	size_t len[CRON_NFIELDS], n = 0, i, l;
	uint64_t bits[CRON_NFIELDS];

	for (;;) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		l = strcspn(p, " \t");
		if (n < CRON_NFIELDS) {
			text[n] = p;
			len[n] = l;
		}
		n++;
		p += l;
	}
	if (n != CRON_NFIELDS) {
		vx_err_set(err, VX_EXIT_FAIL, "%s; expected five fields: "
		    CRON_FIELDS_TEXT, n == 0 ? "empty" : n < CRON_NFIELDS ?
		    "too few fields" : "too many fields");
		return -1;
	}
	for (i = 0; i < CRON_NFIELDS; i++) {
		if (cron_field_parse(&cron_fields[i], text[i], len[i],
		    &bits[i], err) == -1)
			return -1;
	}
	memset(c, 0, sizeof(*c));
	c->minute = bits[CRON_MIN];
	c->hour = (uint32_t)bits[CRON_HOUR];
	c->dom = (uint32_t)bits[CRON_DOM];
	c->month = (uint16_t)bits[CRON_MON];
	c->dow = (uint8_t)bits[CRON_DOW];
	if (text[CRON_DOM][0] == '*')
		c->flags |= CRON_DOM_STAR;
	if (text[CRON_DOW][0] == '*')
		c->flags |= CRON_DOW_STAR;
	/*
	 * With both day fields restricted either may match, and every month
	 * has every weekday; otherwise the days must exist in the months.
	 * Any date that exists falls on every weekday within 400 years.
	 */
	if ((c->flags & (CRON_DOM_STAR | CRON_DOW_STAR)) &&
	    !cron_days_exist(c)) {
		vx_err_set(err, VX_EXIT_FAIL, "never fires: day-of-month "
		    "\"%.*s\" does not occur in month \"%.*s\"",
		    (int)(len[CRON_DOM] > 64 ? 64 : len[CRON_DOM]),
		    text[CRON_DOM],
		    (int)(len[CRON_MON] > 64 ? 64 : len[CRON_MON]),
		    text[CRON_MON]);
		return -1;
	}
	return 0;
}

/* Parse one expression; see cron.h for the grammar. */
int
cron_parse(const char *expr, struct cron *c, struct vx_err *err)
{
	struct cron tmp;
	const char *p;
	size_t i, len = strlen(expr), l;

	if (len > CRON_MAX_LEN) {
		vx_err_set(err, VX_EXIT_FAIL, "longer than %d bytes",
		    CRON_MAX_LEN);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (((unsigned char)expr[i] < 0x20 && expr[i] != '\t') ||
		    (unsigned char)expr[i] >= 0x7f) {
			vx_err_set(err, VX_EXIT_FAIL, "byte 0x%02x at offset "
			    "%zu is not printable ASCII",
			    (unsigned char)expr[i], i);
			return -1;
		}
	}
	p = expr + strspn(expr, " \t");
	if (*p == '@') {
		l = strcspn(p, " \t");
		if (p[l + strspn(p + l, " \t")] != '\0') {
			vx_err_set(err, VX_EXIT_FAIL, "\"%.*s\" must stand "
			    "alone", (int)(l > 64 ? 64 : l), p);
			return -1;
		}
		for (i = 0; i < sizeof(cron_macros) / sizeof(cron_macros[0]);
		    i++) {
			if (strlen(cron_macros[i].name) == l &&
			    strncmp(p, cron_macros[i].name, l) == 0)
				return cron_parse_fields(cron_macros[i].expr, c,
				    err);
		}
		vx_err_set(err, VX_EXIT_FAIL, "unknown \"%.*s\"; expected "
		    "five fields or one of @yearly, @annually, @monthly, "
		    "@weekly, @daily, @midnight, @hourly%s",
		    (int)(l > 64 ? 64 : l), p, strncmp(p, "@reboot", l) == 0 ?
		    " (autostart starts a tenant at boot)" : "");
		return -1;
	}
	if (cron_parse_fields(expr, &tmp, err) == -1)
		return -1;
	*c = tmp;
	return 0;
}

/* A wall-clock time as one ordered number. */
static long long
cron_key(long long y, int mon, int d, int h, int mi, int s)
{
	return ((((y * 13 + mon) * 32 + d) * 24 + h) * 60 + mi) * 61 + s;
}

/* The wall-clock key of an instant. */
static int
cron_local(time_t t, long long *key)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL) {
		errno = EOVERFLOW;
		return -1;
	}
	*key = cron_key(tm.tm_year + 1900LL, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
	return 0;
}

/* mktime() of a wall-clock minute with the given DST guess. */
static time_t
cron_mktime(long long y, int mon, int d, int h, int mi, int isdst)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)(y - 1900);
	tm.tm_mon = mon - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_isdst = isdst;
	return mktime(&tm);
}

/*
 * The first instant showing the wall-clock minute y-mon-d h:mi, or, when
 * the clocks skip it, the first instant after the skip.
 */
static int
cron_instant(long long y, int mon, int d, int h, int mi, time_t *out)
{
	long long want = cron_key(y, mon, d, h, mi, 0), k;
	time_t t, lo, hi, mid, step, best = 0;
	int isdst, found = 0;

	/* Both readings of a minute the clocks show twice; keep the first. */
	for (isdst = 1; isdst >= 0; isdst--) {
		t = cron_mktime(y, mon, d, h, mi, isdst);
		if (t == (time_t)-1 || cron_local(t, &k) == -1)
			continue;
		if (k == want && (!found || t < best)) {
			best = t;
			found = 1;
		}
	}
	if (found) {
		*out = best;
		return 0;
	}
	/* Skipped: bracket the jump, then find its end by bisection. */
	t = cron_mktime(y, mon, d, h, mi, -1);
	if (t == (time_t)-1 || cron_local(t, &k) == -1) {
		errno = EOVERFLOW;
		return -1;
	}
	if (k >= want) {
		hi = t;
		for (step = 60;; step *= 2) {
			lo = t - step;
			if (step > CRON_SKIP_MAX || cron_local(lo, &k) == -1)
				goto range;
			if (k < want)
				break;
		}
	} else {
		lo = t;
		for (step = 60;; step *= 2) {
			hi = t + step;
			if (step > CRON_SKIP_MAX || cron_local(hi, &k) == -1)
				goto range;
			if (k >= want)
				break;
		}
	}
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (cron_local(mid, &k) == -1)
			return -1;
		if (k >= want)
			hi = mid;
		else
			lo = mid;
	}
	*out = hi;
	return 0;
range:
	errno = ERANGE;	/* can't happen: no clock jump is that wide */
	return -1;
}

static int
cron_leap(long long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
cron_mdays(long long y, int mon)
{
	if (mon == 2)
		return cron_leap(y) ? 29 : 28;
	return cron_mdays_max[mon - 1];
}

/* Day of the week, 0 = Sunday, of a Gregorian date (year >= 1). */
static int
cron_wday(long long y, int mon, int d)
{
	static const int t[12] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };

	if (mon < 3)
		y--;
	return (int)((y + y / 4 - y / 100 + y / 400 + t[mon - 1] + d) % 7);
}

/* Vixie's rule: both day fields restricted means either may match. */
static int
cron_day_ok(const struct cron *c, long long y, int mon, int d)
{
	int dom = (int)((c->dom >> d) & 1);
	int dow = (int)((c->dow >> cron_wday(y, mon, d)) & 1);

	if (c->flags & (CRON_DOM_STAR | CRON_DOW_STAR))
		return dom && dow;
	return dom || dow;
}

/*
 * Walk wall-clock time field by field from the minute after `after`:
 * whole months, days and hours that cannot match are skipped at once, so
 * even a schedule that fires once in decades costs a few thousand steps.
 */
int
cron_next(const struct cron *c, time_t after, time_t *next)
{
	struct tm tm;
	long long y, ylim;
	int mon, d, h, mi;
	time_t t;

	if (localtime_r(&after, &tm) == NULL ||
	    tm.tm_year > INT_MAX - 1900 - CRON_SEARCH_YEARS - 1 ||
	    tm.tm_year + 1900LL < 1) {
		errno = EOVERFLOW;
		return -1;
	}
	y = tm.tm_year + 1900LL;
	mon = tm.tm_mon + 1;
	d = tm.tm_mday;
	h = tm.tm_hour;
	mi = tm.tm_min + 1;
	ylim = y + CRON_SEARCH_YEARS;
	for (;;) {
		/* Carry overflowing fields upwards. */
		if (mi > 59) {
			mi = 0;
			h++;
		}
		if (h > 23) {
			h = 0;
			mi = 0;
			d++;
		}
		if (mon > 12) {
			mon = 1;
			d = 1;
			h = mi = 0;
			y++;
		}
		if (d > cron_mdays(y, mon)) {
			d = 1;
			h = mi = 0;
			if (++mon > 12) {
				mon = 1;
				y++;
			}
		}
		if (y > ylim) {
			errno = ERANGE;
			return -1;
		}
		if (!(c->month & (1u << mon))) {
			mon++;
			d = 1;
			h = mi = 0;
			continue;
		}
		if (!cron_day_ok(c, y, mon, d)) {
			d++;
			h = mi = 0;
			continue;
		}
		if (!(c->hour & ((uint32_t)1 << h))) {
			h++;
			mi = 0;
			continue;
		}
		if (!(c->minute & ((uint64_t)1 << mi))) {
			mi++;
			continue;
		}
		if (cron_instant(y, mon, d, h, mi, &t) == -1)
			return -1;
		if (t > after) {
			*next = t;
			return 0;
		}
		mi++;	/* shown twice and its first showing is past */
	}
}

/* notify.c: parse worker notify lines; pure, no system calls. */
#include <stdlib.h>
#include <string.h>

#include "notify.h"

static const struct {
	const char	*name;
	enum notify_key	 key;
} notify_keys[] = {
	{ "READY", NK_READY },
	{ "WATCHDOG", NK_WATCHDOG },
	{ "STATUS", NK_STATUS },
	{ "STOPPING", NK_STOPPING },
	{ "ERRNO", NK_ERRNO },
	{ "SESSION", NK_SESSION },
	{ "LAST_ERROR", NK_LAST_ERROR },
	{ "RELOADING", NK_RELOADING },
	{ "MAINPID", NK_MAINPID },
	{ "EXTEND_TIMEOUT_USEC", NK_EXTEND_TIMEOUT_USEC },
	{ "BARRIER", NK_BARRIER },
};

static int
notify_is_one(const char *v, size_t n)
{
	return n == 1 && v[0] == '1';
}

/*
 * A decimal number 0..max (max well below LLONG_MAX / 10).  Checked after
 * each digit, so that no long run of digits can overflow x: it once did,
 * and the wrapped value passed as small (fuzz_notify, test_notify.c).
 */
static int
notify_number(const char *v, size_t n, long long max, long long *out)
{
	long long x = 0;
	size_t i;

	if (n == 0 || n > 19)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (v[i] - '0');
		if (x > max)
			return -1;
	}
	*out = x;
	return 0;
}

static int
notify_session_ok(const char *v, size_t n)
{
	static const char *const ok[] = { "DISCONNECTED", "QR_READY",
	    "CONNECTED" };
	size_t i;

	for (i = 0; i < 3; i++)
		if (strlen(ok[i]) == n && memcmp(v, ok[i], n) == 0)
			return 1;
	return 0;
}

static int
notify_value(struct notify_msg *m)
{
	const char *v = m->value;
	size_t n = m->vlen;

	switch (m->key) {
	case NK_READY:
	case NK_STOPPING:
	case NK_RELOADING:
	case NK_BARRIER:
		return notify_is_one(v, n) ? 0 : -1;
	case NK_WATCHDOG:
		if (n == 7 && memcmp(v, "trigger", 7) == 0) {
			m->key = NK_WATCHDOG_TRIGGER;
			return 0;
		}
		return notify_is_one(v, n) ? 0 : -1;
	case NK_ERRNO:
		return notify_number(v, n, 4095, &m->num);
	case NK_MAINPID:
		return notify_number(v, n, 4194304, &m->num) == 0 &&
		    m->num > 0 ? 0 : -1;
	case NK_EXTEND_TIMEOUT_USEC:
		return notify_number(v, n, 1000000LL * 86400 * 365, &m->num);
	case NK_SESSION:
		return notify_session_ok(v, n) ? 0 : -1;
	default:
		return 0;
	}
}

/* One line of the worker protocol, checked against SPEC section 8. */
int
notify_parse(const char *line, size_t len, struct notify_msg *m)
{
	const char *eq;
	size_t klen, i;

	memset(m, 0, sizeof(m[0]));
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0 || memchr(line, '\0', len) != NULL)
		return -1;
	if ((eq = memchr(line, '=', len)) == NULL || eq == line)
		return -1;
	klen = (size_t)(eq - line);
	for (i = 0; i < klen; i++)
		if (!((line[i] >= 'A' && line[i] <= 'Z') ||
		    (line[i] >= '0' && line[i] <= '9') || line[i] == '_'))
			return -1;
	m->value = eq + 1;
	m->vlen = len - klen - 1;
	m->key = NK_UNKNOWN;
	for (i = 0; i < sizeof(notify_keys) / sizeof(notify_keys[0]); i++)
		if (strlen(notify_keys[i].name) == klen &&
		    memcmp(notify_keys[i].name, line, klen) == 0) {
			m->key = notify_keys[i].key;
			break;
		}
	return notify_value(m);
}

/* Line assembly for the notify pipe; bounded memory whatever arrives. */
void
notify_split_feed(struct notify_split *sp, const char *data, size_t n,
    notify_line_cb cb, void *arg)
{
	const char *nl;
	size_t take;

	while (n > 0) {
		nl = memchr(data, '\n', n);
		take = nl != NULL ? (size_t)(nl - data) : n;
		if (sp->skipping) {
			if (nl != NULL)
				sp->skipping = 0;
		} else if (sp->len + take + 1 > NOTIFY_LINE_MAX) {
			sp->bad++;
			sp->len = 0;
			sp->skipping = nl == NULL;
		} else if (sp->len == 0 && nl != NULL) {
			cb(arg, data, take);	/* whole line: no copy */
		} else {
			if (sp->buf == NULL &&
			    (sp->buf = malloc(NOTIFY_LINE_MAX)) == NULL) {
				sp->bad++;
				sp->skipping = nl == NULL;
				if (nl == NULL)
					break;
				data = nl + 1;
				n -= take + 1;
				continue;
			}
			memcpy(sp->buf + sp->len, data, take);
			sp->len += take;
			if (nl != NULL) {
				cb(arg, sp->buf, sp->len);
				sp->len = 0;
			}
		}
		if (nl == NULL)
			break;
		data = nl + 1;
		n -= take + 1;
	}
}

/* Forget a partial line (new run). */
void
notify_split_reset(struct notify_split *sp)
{
	free(sp->buf);
	sp->buf = NULL;
	sp->len = 0;
	sp->skipping = 0;
}

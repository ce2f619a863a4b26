/*
 * sighdr.c: the syntax of the dashboard's signature headers and the time
 * window.  No key and no OpenSSL here, so that the unprivileged listener
 * can refuse a malformed or stale request before reading its body.
 */
#include <strings.h>

#include "sighdr.h"

#define TS_MAX_DIGITS	18	/* fits in a long long */

static int
sighdr_ts(const char *s, size_t len, long long *out)
{
	long long v = 0;
	size_t i;

	if (len == 0 || len > TS_MAX_DIGITS)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
sighdr_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* "Bearer" (any case, RFC 7235), one space, 64 lower-case hex digits. */
static int
sighdr_auth(const char *s, size_t len, unsigned char *mac)
{
	const size_t pre = sizeof("Bearer ") - 1;
	int hi, lo;
	size_t i;

	if (len != pre + SIGAUTH_HEX_LEN || strncasecmp(s, "Bearer ", pre) != 0)
		return -1;
	s += pre;
	for (i = 0; i < SIGAUTH_MAC_LEN; i++) {
		if ((hi = sighdr_hexval(s[2 * i])) == -1 ||
		    (lo = sighdr_hexval(s[2 * i + 1])) == -1)
			return -1;
		mac[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* See sighdr.h. */
enum sigauth_result
sighdr_check(const char *ts, size_t tslen, const char *auth, size_t authlen,
    time_t now, unsigned char *mac)
{
	long long t;

	if (ts == NULL)
		return SIGAUTH_NO_TIMESTAMP;
	if (sighdr_ts(ts, tslen, &t) == -1)
		return SIGAUTH_BAD_TIMESTAMP;
	if (t < (long long)now - SIGAUTH_WINDOW_S ||
	    t > (long long)now + SIGAUTH_WINDOW_S)
		return SIGAUTH_STALE;
	if (auth == NULL)
		return SIGAUTH_NO_AUTH;
	if (sighdr_auth(auth, authlen, mac) == -1)
		return SIGAUTH_BAD_AUTH;
	return SIGAUTH_OK;
}

/*
 * test_sigauth.c: the dashboard signature.  The expected MACs were made
 * with `openssl dgst -sha256 -hmac`, the independent implementation the
 * man page's worked example uses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sigauth.h"

#define KEY	"fd124cdb7ecfcc913fb79e7da24c9ac69f43b9bc25ec2584a52cd6402607b93d"
#define TS	"1767225600"
#define NOW	((time_t)1767225600)
#define BODY	"{\"config_version\":3}"
#define SIG	"af48ca54cc68701a0b527245d70eb866660d098a91a0e8bedd94de46187a6084"
#define SIG_GET	"5fe75cc3e686186de237d0d875e97383a13a3dd215c0ee9a139806a1e39c52ff"

static struct sigauth_req
mkreq(const char *ts, const char *auth, const char *method,
    const char *target, const char *body)
{
	struct sigauth_req r;

	memset(&r, 0, sizeof(r));
	r.ts = ts;
	r.tslen = ts != NULL ? strlen(ts) : 0;
	r.auth = auth;
	r.authlen = auth != NULL ? strlen(auth) : 0;
	r.method = method;
	r.methodlen = strlen(method);
	r.target = target;
	r.targetlen = strlen(target);
	r.body = body;
	r.bodylen = strlen(body);
	return r;
}

static enum sigauth_result
check(const char *ts, const char *auth, const char *method,
    const char *target, const char *body, time_t now)
{
	struct sigauth_req r = mkreq(ts, auth, method, target, body);
	unsigned char mac[SIGAUTH_MAC_LEN];

	return sigauth_check(KEY, strlen(KEY), &r, now, mac);
}

static void
test_sign_matches_openssl(void **state)
{
	struct sigauth_req r = mkreq(TS, NULL, "POST", "/sync", BODY);
	char hex[SIGAUTH_HEX_LEN + 1];

	assert_int_equal(sigauth_sign(KEY, strlen(KEY), &r, hex), 0);
	assert_string_equal(hex, SIG);
	r = mkreq(TS, NULL, "GET", "/v1/tenants", "");
	assert_int_equal(sigauth_sign(KEY, strlen(KEY), &r, hex), 0);
	assert_string_equal(hex, SIG_GET);
}

static void
test_good(void **state)
{
	assert_int_equal(check(TS, "Bearer " SIG, "POST", "/sync", BODY,
	    NOW), SIGAUTH_OK);
	assert_int_equal(check(TS, "bearer " SIG, "POST", "/sync", BODY,
	    NOW), SIGAUTH_OK);
	/* The window is inclusive at 300 s either side. */
	assert_int_equal(check(TS, "Bearer " SIG, "POST", "/sync", BODY,
	    NOW + 300), SIGAUTH_OK);
	assert_int_equal(check(TS, "Bearer " SIG, "POST", "/sync", BODY,
	    NOW - 300), SIGAUTH_OK);
}

static void
test_window(void **state)
{
	assert_int_equal(check(TS, "Bearer " SIG, "POST", "/sync", BODY,
	    NOW + 301), SIGAUTH_STALE);
	assert_int_equal(check(TS, "Bearer " SIG, "POST", "/sync", BODY,
	    NOW - 301), SIGAUTH_STALE);
}

static void
test_bad_timestamps(void **state)
{
	static const char *const bad[] = { "", "-1767225600", "+1767225600",
	    " 1767225600", "1767225600 ", "1767225600x", "0x10", "1e9",
	    "1234567890123456789", "17672256.0" };
	size_t i;

	assert_int_equal(check(NULL, "Bearer " SIG, "POST", "/sync", BODY,
	    NOW), SIGAUTH_NO_TIMESTAMP);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(check(bad[i], "Bearer " SIG, "POST", "/sync",
		    BODY, NOW), SIGAUTH_BAD_TIMESTAMP);
}

static void
test_bad_auth(void **state)
{
	char upper[] = "Bearer " SIG;
	size_t i;

	assert_int_equal(check(TS, NULL, "POST", "/sync", BODY, NOW),
	    SIGAUTH_NO_AUTH);
	assert_int_equal(check(TS, SIG, "POST", "/sync", BODY, NOW),
	    SIGAUTH_BAD_AUTH);
	assert_int_equal(check(TS, "Bearer  " SIG, "POST", "/sync", BODY,
	    NOW), SIGAUTH_BAD_AUTH);
	assert_int_equal(check(TS, "Basic " SIG, "POST", "/sync", BODY, NOW),
	    SIGAUTH_BAD_AUTH);
	assert_int_equal(check(TS, "Bearer " SIG "0", "POST", "/sync", BODY,
	    NOW), SIGAUTH_BAD_AUTH);
	for (i = 7; upper[i] != '\0'; i++)
		if (upper[i] >= 'a' && upper[i] <= 'f')
			upper[i] -= 'a' - 'A';
	assert_int_equal(check(TS, upper, "POST", "/sync", BODY, NOW),
	    SIGAUTH_BAD_AUTH);
	/* Truncated by one digit. */
	upper[strlen(upper) - 1] = '\0';
	assert_int_equal(check(TS, upper, "POST", "/sync", BODY, NOW),
	    SIGAUTH_BAD_AUTH);
}

static void
test_mismatch(void **state)
{
	/* Any byte of what is signed changes the MAC. */
	assert_int_equal(check(TS, "Bearer " SIG, "GET", "/sync", BODY, NOW),
	    SIGAUTH_MISMATCH);
	assert_int_equal(check(TS, "Bearer " SIG, "POST", "/sync?", BODY,
	    NOW), SIGAUTH_MISMATCH);
	assert_int_equal(check(TS, "Bearer " SIG, "POST", "/sync",
	    "{\"config_version\":4}", NOW), SIGAUTH_MISMATCH);
	assert_int_equal(check("1767225601", "Bearer " SIG, "POST", "/sync",
	    BODY, NOW), SIGAUTH_MISMATCH);
	assert_int_equal(check(TS, "Bearer " SIG_GET, "POST", "/sync", BODY,
	    NOW), SIGAUTH_MISMATCH);
}

static void
test_no_key(void **state)
{
	struct sigauth_req r = mkreq(TS, "Bearer " SIG, "POST", "/sync",
	    BODY);
	unsigned char mac[SIGAUTH_MAC_LEN];

	assert_int_equal(sigauth_check(NULL, 0, &r, NOW, mac),
	    SIGAUTH_NO_KEY);
	assert_int_equal(sigauth_check("", 0, &r, NOW, mac), SIGAUTH_NO_KEY);
	assert_string_equal(sigauth_reason(SIGAUTH_NO_KEY),
	    "no worker.secret (run vectis-sync)");
}

/* The body may hold NUL bytes: lengths, not C strings, are signed. */
static void
test_binary_body(void **state)
{
	struct sigauth_req r = mkreq(TS, NULL, "POST", "/sync", "");
	unsigned char a[SIGAUTH_MAC_LEN], b[SIGAUTH_MAC_LEN];

	r.body = "a\0b";
	r.bodylen = 3;
	assert_int_equal(sigauth_mac(KEY, strlen(KEY), &r, a), 0);
	r.bodylen = 1;
	assert_int_equal(sigauth_mac(KEY, strlen(KEY), &r, b), 0);
	assert_memory_not_equal(a, b, SIGAUTH_MAC_LEN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_matches_openssl),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_bad_timestamps),
		cmocka_unit_test(test_bad_auth),
		cmocka_unit_test(test_mismatch),
		cmocka_unit_test(test_no_key),
		cmocka_unit_test(test_binary_body),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * fuzz_sigauth.c: the HTTP auth headers and the signature check.  The input
 * is split at NUL bytes into timestamp, Authorization, method, target and
 * body; the check must never accept what it did not sign itself, and a
 * request re-signed with the key must always pass.
 *
 * fuzz-sources: common/sigauth.c common/sighdr.c
 * fuzz-pkgs: libcrypto
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigauth.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define KEY	"fd124cdb7ecfcc913fb79e7da24c9ac69f43b9bc25ec2584a52cd6402607b93d"
#define NOW	((time_t)1767225600)

static const char *
next(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *z;

	if (s >= end) {
		*len = 0;
		return NULL;
	}
	z = memchr(s, '\0', (size_t)(end - s));
	*len = (size_t)((z != NULL ? z : end) - s);
	*p = z != NULL ? z + 1 : end;
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	unsigned char mac[SIGAUTH_MAC_LEN];
	char hex[SIGAUTH_HEX_LEN + 1], auth[7 + SIGAUTH_HEX_LEN + 1];
	struct sigauth_req r;
	enum sigauth_result res;

	memset(&r, 0, sizeof(r));
	r.ts = next(&p, end, &r.tslen);
	r.auth = next(&p, end, &r.authlen);
	r.method = next(&p, end, &r.methodlen);
	r.target = next(&p, end, &r.targetlen);
	r.body = p;
	r.bodylen = (size_t)(end - p);
	if (r.method == NULL)
		r.method = "";
	if (r.target == NULL)
		r.target = "";
	res = sigauth_check(KEY, strlen(KEY), &r, NOW, mac);
	if (res == SIGAUTH_OK) {
		/* Only a correct MAC over exactly these bytes may pass. */
		if (sigauth_sign(KEY, strlen(KEY), &r, hex) != 0 ||
		    r.authlen != 7 + SIGAUTH_HEX_LEN ||
		    memcmp(r.auth + 7, hex, SIGAUTH_HEX_LEN) != 0)
			abort();
	}
	if (sigauth_reason(res) == NULL)
		abort();
	/* Signed with the key and a fresh timestamp, it must pass. */
	if (sigauth_sign(KEY, strlen(KEY), &(struct sigauth_req){ "1767225600",
	    10, NULL, 0, r.method, r.methodlen, r.target, r.targetlen, r.body,
	    r.bodylen }, hex) != 0)
		abort();
	snprintf(auth, sizeof(auth), "Bearer %s", hex);
	r.ts = "1767225600";
	r.tslen = 10;
	r.auth = auth;
	r.authlen = strlen(auth);
	if (sigauth_check(KEY, strlen(KEY), &r, NOW, mac) != SIGAUTH_OK)
		abort();
	return 0;
}

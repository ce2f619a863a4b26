/*
 * sigauth.c: the HMAC-SHA256 request signature the dashboard puts on every
 * call: header parsing, the time window and a constant-time comparison.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "sigauth.h"
#include "sighdr.h"

static EVP_MAC *hmac;

static int
sigauth_update(EVP_MAC_CTX *ctx, const char *p, size_t len, int nl)
{
	if (len > 0 && !EVP_MAC_update(ctx, (const unsigned char *)p, len))
		return -1;
	if (nl && !EVP_MAC_update(ctx, (const unsigned char *)"\n", 1))
		return -1;
	return 0;
}

/* The MAC of one request; the EVP_MAC is fetched once and kept. */
int
sigauth_mac(const char *key, size_t keylen, const struct sigauth_req *r,
    unsigned char *mac)
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx;
	size_t outlen = 0;
	int rc = -1;

	if (hmac == NULL && (hmac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return -1;
	if ((ctx = EVP_MAC_CTX_new(hmac)) == NULL)
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, (const unsigned char *)key, keylen, params) &&
	    sigauth_update(ctx, r->ts, r->tslen, 1) == 0 &&
	    sigauth_update(ctx, r->method, r->methodlen, 1) == 0 &&
	    sigauth_update(ctx, r->target, r->targetlen, 1) == 0 &&
	    sigauth_update(ctx, r->body, r->bodylen, 0) == 0 &&
	    EVP_MAC_final(ctx, mac, &outlen, SIGAUTH_MAC_LEN) &&
	    outlen == SIGAUTH_MAC_LEN)
		rc = 0;
	EVP_MAC_CTX_free(ctx);
	return rc;
}

/* A client's view of the signature: what curl | openssl dgst prints. */
int
sigauth_sign(const char *key, size_t keylen, const struct sigauth_req *r,
    char *hex)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char mac[SIGAUTH_MAC_LEN];
	size_t i;

	if (sigauth_mac(key, keylen, r, mac) == -1)
		return -1;
	for (i = 0; i < SIGAUTH_MAC_LEN; i++) {
		hex[2 * i] = digits[mac[i] >> 4];
		hex[2 * i + 1] = digits[mac[i] & 0xf];
	}
	hex[SIGAUTH_HEX_LEN] = '\0';
	return 0;
}

/* Every check a signed request must pass, cheapest first. */
enum sigauth_result
sigauth_check(const char *key, size_t keylen, const struct sigauth_req *r,
    time_t now, unsigned char *mac)
{
	unsigned char want[SIGAUTH_MAC_LEN], got[SIGAUTH_MAC_LEN];
	enum sigauth_result rc;

	if (key == NULL || keylen == 0)
		return SIGAUTH_NO_KEY;
	if ((rc = sighdr_check(r->ts, r->tslen, r->auth, r->authlen, now,
	    got)) != SIGAUTH_OK)
		return rc;
	if (sigauth_mac(key, keylen, r, want) == -1)
		return SIGAUTH_INTERNAL;
	if (CRYPTO_memcmp(want, got, SIGAUTH_MAC_LEN) != 0)
		return SIGAUTH_MISMATCH;
	memcpy(mac, got, SIGAUTH_MAC_LEN);
	return SIGAUTH_OK;
}

/* For the master's log line; clients only ever see "unauthorized". */
const char *
sigauth_reason(enum sigauth_result r)
{
	switch (r) {
	case SIGAUTH_OK:
		return "ok";
	case SIGAUTH_NO_TIMESTAMP:
		return "no X-Vectis-Timestamp header";
	case SIGAUTH_BAD_TIMESTAMP:
		return "malformed X-Vectis-Timestamp";
	case SIGAUTH_STALE:
		return "timestamp outside the 300 s window";
	case SIGAUTH_NO_AUTH:
		return "no Authorization header";
	case SIGAUTH_BAD_AUTH:
		return "malformed Authorization header";
	case SIGAUTH_MISMATCH:
		return "signature mismatch";
	case SIGAUTH_NO_KEY:
		return "no worker.secret (run vectis-sync)";
	case SIGAUTH_INTERNAL:
		return "HMAC computation failed";
	}
	return "can't happen: unknown result";
}

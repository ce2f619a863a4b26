/* sigauth.h: the dashboard's request signature (SPEC section 9). */
#ifndef VX_SIGAUTH_H
#define VX_SIGAUTH_H

#include <stddef.h>
#include <time.h>

#define SIGAUTH_WINDOW_S	300	/* accepted clock skew, each way */
#define SIGAUTH_MAC_LEN		32	/* HMAC-SHA256 */
#define SIGAUTH_HEX_LEN		64

/* One request as the listener saw it; fields are not NUL-terminated. */
struct sigauth_req {
	const char	*ts;		/* X-Vectis-Timestamp, or NULL */
	size_t		 tslen;
	const char	*auth;		/* Authorization, or NULL */
	size_t		 authlen;
	const char	*method;
	size_t		 methodlen;
	const char	*target;	/* path and query as sent */
	size_t		 targetlen;
	const char	*body;
	size_t		 bodylen;
};

enum sigauth_result {
	SIGAUTH_OK,
	SIGAUTH_NO_TIMESTAMP,
	SIGAUTH_BAD_TIMESTAMP,
	SIGAUTH_STALE,
	SIGAUTH_NO_AUTH,
	SIGAUTH_BAD_AUTH,
	SIGAUTH_MISMATCH,
	SIGAUTH_NO_KEY,
	SIGAUTH_INTERNAL,
};

/*
 * HMAC-SHA256, keyed with key, over TIMESTAMP "\n" METHOD "\n" TARGET "\n"
 * BODY; mac receives SIGAUTH_MAC_LEN bytes.  -1 if OpenSSL fails.
 */
int		 sigauth_mac(const char *key, size_t keylen,
		    const struct sigauth_req *, unsigned char *mac);
/* The same as lower-case hex, NUL-terminated (SIGAUTH_HEX_LEN + 1). */
int		 sigauth_sign(const char *key, size_t keylen,
		    const struct sigauth_req *, char *hex);
/*
 * Check a request: a decimal timestamp within SIGAUTH_WINDOW_S of now,
 * "Bearer <64 lower-case hex>", and a matching MAC compared in constant
 * time.  On success mac holds the request's MAC (for replay detection).
 */
enum sigauth_result sigauth_check(const char *key, size_t keylen,
		    const struct sigauth_req *, time_t now, unsigned char *mac);
/* Why a check failed, for the log (never for the client). */
const char	*sigauth_reason(enum sigauth_result);

#endif

/* register.h: the HTTP client of vectis-sync (libcurl). */
#ifndef VX_REGISTER_H
#define VX_REGISTER_H

#include <stddef.h>

#include "err.h"
#include "register_parse.h"

/* How hard to try: SYNC_TIMEOUT_S, SYNC_RETRIES, SYNC_RETRY_DELAY_MS. */
struct register_opts {
	unsigned int	timeout_s;	/* per attempt, connection included */
	unsigned int	retries;	/* extra attempts after a transient error */
	unsigned int	retry_delay_ms;	/* before the first retry, then doubled */
};

/* Set up and release libcurl's global state, once per program. */
int	register_init(struct vx_err *);
void	register_cleanup(void);
/*
 * A Bearer token as RFC 6750 allows it (b64token): anything else could
 * break the header.  Returns 1 if token is usable.
 */
int	register_token_ok(const char *token);
/* GET url (an IP service) and return the address its body names. */
int	register_detect_ip(const char *url, const struct register_opts *,
	    char *ip, size_t ipsz, struct vx_err *);
/*
 * POST {"ip", "secret"} to url with "Authorization: Bearer token" and
 * check the answer (register_parse_answer).  err never holds the token.
 */
int	register_post(const char *url, const char *token, const char *ip,
	    const char *secret, const struct register_opts *,
	    struct register_answer *, struct vx_err *);

#endif

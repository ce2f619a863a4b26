/* register_parse.h: checks of what the dashboard and IP service answer. */
#ifndef VX_REGISTER_PARSE_H
#define VX_REGISTER_PARSE_H

#include <stddef.h>

#include "err.h"

#define REGISTER_ID_MAX		128	/* bytes of a worker id */
#define REGISTER_HOST_MAX	253	/* bytes of a DNS name */
#define REGISTER_IP_MAX		46	/* INET6_ADDRSTRLEN */

/* A registration the node accepted. */
struct register_answer {
	char	id[REGISTER_ID_MAX + 1];
	char	subdomain[REGISTER_HOST_MAX + 1];
	char	ip[REGISTER_IP_MAX];
};

/*
 * Check the dashboard's answer {"id", "subdomain", "ip"}: a JSON object,
 * id and subdomain strings of sane length and characters, ip an address
 * equal to sent_ip.  Pure; 0 with out filled, or -1 with err saying why.
 */
int	register_parse_answer(const char *body, size_t len,
	    const char *sent_ip, struct register_answer *out,
	    struct vx_err *);
/*
 * An IPv4 or IPv6 address in text (an IP service's body, or
 * VECTIS_PUBLIC_IP), surrounding white space ignored; out gets the
 * canonical form.  0, or -1 if it is not exactly one address.
 */
int	register_parse_ip(const char *text, size_t len, char *out,
	    size_t outsz);
/*
 * What a dashboard said in an error answer: a JSON "message" or "error"
 * string, else the first non-blank line; escaped, at most about 200
 * bytes, "" when the body says nothing.
 */
void	register_parse_error(const char *body, size_t len, char *out,
	    size_t outsz);

#endif

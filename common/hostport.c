/* hostport.c: parsing of listen addresses, literal IPs only. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "hostport.h"

static int
hostport_port(const char *s, in_port_t *port)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 1 || v > 65535)
		return -1;
	*port = htons((in_port_t)v);
	return 0;
}

/* Split at the last colon; an IPv6 host must be bracketed. */
static int
hostport_split(const char *s, char *host, size_t hostsz, const char **port)
{
	const char *colon, *h = s;
	size_t n;

	if ((colon = strrchr(s, ':')) == NULL) {
		host[0] = '\0';
		*port = s;
		return 0;
	}
	n = (size_t)(colon - s);
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		h = s + 1;
		n -= 2;
	} else if (memchr(s, ':', n) != NULL)
		return -1;
	if (n == 0 || n >= hostsz)
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	*port = colon + 1;
	return 0;
}

/* SYNC_LISTEN for the master: refuse anything that is not exact. */
int
hostport_parse(const char *s, struct sockaddr_storage *ss, socklen_t *sslen,
    struct vx_err *err)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	const char *port;
	char host[64];
	in_port_t p;

	if (strcmp(s, "off") == 0)
		return 0;
	memset(ss, 0, sizeof(*ss));
	if (hostport_split(s, host, sizeof(host), &port) == -1 ||
	    hostport_port(port, &p) == -1)
		goto bad;
	if (host[0] == '\0' || strcmp(host, "*") == 0) {
		strcpy(host, "0.0.0.0");
	}
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = p;
		*sslen = sizeof(*sin);
		return 1;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = p;
		*sslen = sizeof(*sin6);
		return 1;
	}
bad:
	vx_err_set(err, VX_EXIT_USAGE, "SYNC_LISTEN: '%.80s' is not "
	    "HOST:PORT, [IPV6]:PORT, PORT or off (literal addresses only)", s);
	return -1;
}

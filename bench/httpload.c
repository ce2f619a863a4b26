/* httpload — a signing HTTP load generator for the vectis HTTP API.
 *
 *   httpload -c CONNS -d SECONDS -m METHOD -t TARGET -s SECRETFILE
 *            [-b BODY] [-u] HOST PORT
 *
 * Keeps CONNS keep-alive connections busy for SECONDS, one request in
 * flight on each, every request signed afresh (SPEC 9: HMAC-SHA256 over
 * "ts\nmethod\ntarget\nbody").  With -u the target gets "?n=COUNTER"
 * appended so that no two requests share a signature (a signed POST is
 * accepted once).  Prints one line:
 *   requests=.. rps=.. p50_ms=.. p99_ms=.. max_ms=.. non2xx=.. errors=..
 * Why not ab or wrk: they send one fixed request, and a fixed signed POST
 * is a replay after its first use.  GET benchmarks are checked with ab.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sigauth.h"

struct conn {
	int		 fd;
	char		 req[4096];
	size_t		 reqlen, reqoff;
	char		*in;
	size_t		 inlen, incap;
	uint64_t	 t0;
};

static const char *method, *target, *body = "";
static char secret[128];
static unsigned long counter;
static double *lat;
static size_t nlat, caplat;
static unsigned long non2xx, errors;

/* A decimal option value in [lo, hi], or exit 2 saying which. */
static long
number(const char *s, const char *what, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "httpload: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
build(struct conn *c, int unique)
{
	struct sigauth_req r;
	char t[2048], ts[32], hex[SIGAUTH_HEX_LEN + 1];

	if (unique)
		snprintf(t, sizeof(t), "%s?n=%lu", target, ++counter);
	else
		snprintf(t, sizeof(t), "%s", target);
	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	memset(&r, 0, sizeof(r));
	r.ts = ts;
	r.tslen = strlen(ts);
	r.method = method;
	r.methodlen = strlen(method);
	r.target = t;
	r.targetlen = strlen(t);
	r.body = body;
	r.bodylen = strlen(body);
	if (sigauth_sign(secret, strlen(secret), &r, hex) == -1) {
		fprintf(stderr, "httpload: HMAC failed\n");
		exit(1);
	}
	c->reqlen = (size_t)snprintf(c->req, sizeof(c->req),
	    "%s %s HTTP/1.1\r\nHost: bench\r\nX-Vectis-Timestamp: %s\r\n"
	    "Authorization: Bearer %s\r\nContent-Length: %zu\r\n\r\n%s",
	    method, t, ts, hex, strlen(body), body);
	c->reqoff = 0;
	c->t0 = now_us();
}

/* The status code after "HTTP/1.1 ", or 0. */
static long
number_or(const char *s)
{
	long v = 0;
	int i;

	for (i = 0; i < 3 && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (s[i] - '0');
	return i == 3 ? v : 0;
}

/* A whole response in c->in?  Returns its length, 0 if not yet. */
static size_t
complete(struct conn *c, int *status)
{
	char *hdr_end, *cl;
	size_t hlen, blen;

	if ((hdr_end = memmem(c->in, c->inlen, "\r\n\r\n", 4)) == NULL)
		return 0;
	hlen = (size_t)(hdr_end - c->in) + 4;
	*status = c->inlen > 12 ? (int)number_or(c->in + 9) : 0;
	cl = memmem(c->in, hlen, "Content-Length:", 15);
	if (cl == NULL)
		cl = memmem(c->in, hlen, "content-length:", 15);
	blen = cl != NULL ? strtoul(cl + 15, NULL, 10) : 0;
	return c->inlen >= hlen + blen ? hlen + blen : 0;
}

static int
connect_to(const char *host, int port)
{
	struct sockaddr_in sin;
	int fd, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return -1;
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	(void)fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static void
record(double ms)
{
	if (nlat == caplat) {
		caplat = caplat ? caplat * 2 : 65536;
		if ((lat = realloc(lat, caplat * sizeof(*lat))) == NULL)
			exit(1);
	}
	lat[nlat++] = ms;
}

/* Write the request, read answers; each answer is followed by a new request. */
static int
pump(struct conn *c, int unique)
{
	ssize_t n;
	size_t len;
	int status;

	for (;;) {
		while (c->reqoff < c->reqlen) {
			n = write(c->fd, c->req + c->reqoff,
			    c->reqlen - c->reqoff);
			if (n == -1 && errno == EAGAIN)
				return 0;
			if (n <= 0)
				return -1;
			c->reqoff += (size_t)n;
		}
		if (c->incap - c->inlen < 65536) {
			c->incap = c->incap ? c->incap * 2 : 131072;
			if ((c->in = realloc(c->in, c->incap)) == NULL)
				exit(1);
		}
		n = read(c->fd, c->in + c->inlen, c->incap - c->inlen);
		if (n == -1 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -1;
		c->inlen += (size_t)n;
		if ((len = complete(c, &status)) == 0)
			continue;
		record((double)(now_us() - c->t0) / 1000.);
		if (status < 200 || status > 299)
			non2xx++;
		memmove(c->in, c->in + len, c->inlen - len);
		c->inlen -= len;
		build(c, unique);
	}
}

int
main(int argc, char **argv)
{
	struct epoll_event ev, evs[256];
	struct conn *cs;
	int conns = 10, secs = 10, unique = 0, ch, ep, i, n, port;
	const char *sfile = NULL;
	uint64_t start, end;
	FILE *f;

	method = "GET";
	target = "/v1/tenants";
	while ((ch = getopt(argc, argv, "c:d:m:t:s:b:u")) != -1) {
		switch (ch) {
		case 'c': conns = (int)number(optarg, "-c", 1, 60000); break;
		case 'd': secs = (int)number(optarg, "-d", 1, 86400); break;
		case 'm': method = optarg; break;
		case 't': target = optarg; break;
		case 's': sfile = optarg; break;
		case 'b': body = optarg; break;
		case 'u': unique = 1; break;
		default: return 2;
		}
	}
	if (argc - optind != 2 || sfile == NULL || conns < 1) {
		fprintf(stderr, "usage: httpload -c N -d S -m M -t T -s FILE "
		    "[-b BODY] [-u] HOST PORT\n");
		return 2;
	}
	if ((f = fopen(sfile, "r")) == NULL ||
	    fgets(secret, sizeof(secret), f) == NULL) {
		perror(sfile);
		return 1;
	}
	(void)fclose(f);
	secret[strcspn(secret, "\n")] = '\0';
	port = (int)number(argv[optind + 1], "port", 1, 65535);
	if ((cs = calloc((size_t)conns, sizeof(*cs))) == NULL)
		return 1;
	ep = epoll_create1(EPOLL_CLOEXEC);
	for (i = 0; i < conns; i++) {
		if ((cs[i].fd = connect_to(argv[optind], port)) == -1) {
			perror("connect");
			free(cs);
			return 1;
		}
		ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
		ev.data.ptr = &cs[i];
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
		build(&cs[i], unique);
	}
	start = now_us();
	end = start + (uint64_t)secs * 1000000;
	while (now_us() < end) {
		n = epoll_wait(ep, evs, 256, 100);
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (c->fd != -1 && pump(c, unique) == -1) {
				errors++;
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				close(c->fd);
				c->fd = -1;
			}
		}
	}
	end = now_us();
	qsort(lat, nlat, sizeof(*lat), cmp);
	printf("requests=%zu rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f "
	    "non2xx=%lu errors=%lu\n", nlat,
	    (double)nlat / ((double)(end - start) / 1e6),
	    nlat ? lat[nlat / 2] : 0, nlat ? lat[nlat * 99 / 100] : 0,
	    nlat ? lat[nlat - 1] : 0, non2xx, errors);
	for (i = 0; i < conns; i++) {
		if (cs[i].fd != -1)
			(void)close(cs[i].fd);
		free(cs[i].in);
	}
	free(cs);
	free(lat);
	return fflush(stdout) == 0 ? 0 : 1;
}

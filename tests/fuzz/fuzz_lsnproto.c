/*
 * fuzz_lsnproto.c: what a compromised listener could send the master (and
 * the master's replies).  Frames are split off the input as a stream;
 * every decoded field must lie inside the frame and within its limit, and
 * re-encoding a decoded request must give back the same bytes.
 *
 * fuzz-sources: common/lsnproto.c common/err.c
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lsnproto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
inside(const char *f, size_t len, const char *p, size_t n)
{
	return p == NULL ? n == 0 : p >= f && p + n <= f + len;
}

static void
request(const char *f, size_t len)
{
	struct lsn_request q;
	struct vx_err err;
	size_t elen;
	char *e;

	if (lsn_request_decode(f, len, &q, &err) == -1)
		return;
	if (!inside(f, len, q.method, q.methodlen) ||
	    !inside(f, len, q.target, q.targetlen) ||
	    !inside(f, len, q.ts, q.tslen) ||
	    !inside(f, len, q.auth, q.authlen) ||
	    !inside(f, len, q.body, q.bodylen) ||
	    q.methodlen > LSN_MAX_METHOD || q.targetlen > LSN_MAX_TARGET ||
	    q.bodylen > LSN_MAX_BODY)
		abort();
	if (lsn_request_encode(&q, &e, &elen) != 0 ||
	    elen != len + LSN_PREFIX || memcmp(e + LSN_PREFIX, f, len) != 0)
		abort();
	free(e);
}

static void
reply(const char *f, size_t len)
{
	struct lsn_reply p;
	struct vx_err err;

	if (lsn_reply_decode(f, len, &p, &err) == -1)
		return;
	if (!inside(f, len, p.ctype, p.ctypelen) ||
	    !inside(f, len, p.allow, p.allowlen) ||
	    !inside(f, len, p.body, p.bodylen) || p.status < 100 ||
	    p.status > 599)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t off, len, left = size;

	while (lsn_frame_next(p, left, LSN_MAX_FRAME, &off, &len) == 1) {
		if (off + len > left)
			abort();
		request(p + off, len);
		reply(p + off, len);
		p += off + len;
		left -= off + len;
	}
	/* The whole input as one payload, too. */
	request((const char *)data, size);
	reply((const char *)data, size);
	return 0;
}

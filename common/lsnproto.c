/*
 * lsnproto.c: encoding and strict decoding of the listener's frames.  The
 * master trusts nothing in them: every length is bounded and checked, and
 * a frame must be consumed exactly.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lsnproto.h"

#define ABSENT16	0xffff

struct wbuf {
	char	*p;
	size_t	 len;
};

struct rbuf {
	const char	*p;
	size_t		 len, off;
};

static void
put_u8(struct wbuf *w, unsigned int v)
{
	w->p[w->len++] = (char)(v & 0xff);
}

static void
put_u16(struct wbuf *w, unsigned int v)
{
	put_u8(w, v);
	put_u8(w, v >> 8);
}

static void
put_u32(struct wbuf *w, uint32_t v)
{
	put_u16(w, v & 0xffff);
	put_u16(w, v >> 16);
}

static void
put_str16(struct wbuf *w, const char *s, size_t len)
{
	if (s == NULL) {
		put_u16(w, ABSENT16);
		return;
	}
	put_u16(w, (unsigned int)len);
	memcpy(w->p + w->len, s, len);
	w->len += len;
}

static void
put_str32(struct wbuf *w, const char *s, size_t len)
{
	put_u32(w, (uint32_t)len);
	if (len > 0)
		memcpy(w->p + w->len, s, len);
	w->len += len;
}

static int
get_u8(struct rbuf *r, unsigned int *v)
{
	if (r->len - r->off < 1)
		return -1;
	*v = (unsigned char)r->p[r->off++];
	return 0;
}

static int
get_u16(struct rbuf *r, unsigned int *v)
{
	unsigned int lo, hi;

	if (get_u8(r, &lo) == -1 || get_u8(r, &hi) == -1)
		return -1;
	*v = lo | hi << 8;
	return 0;
}

static int
get_u32(struct rbuf *r, uint32_t *v)
{
	unsigned int lo, hi;

	if (get_u16(r, &lo) == -1 || get_u16(r, &hi) == -1)
		return -1;
	*v = (uint32_t)lo | (uint32_t)hi << 16;
	return 0;
}

/* A 16-bit-length string of at most max bytes; absent allowed or not. */
static int
get_str16(struct rbuf *r, const char **s, size_t *len, size_t max,
    int optional)
{
	unsigned int n;

	if (get_u16(r, &n) == -1)
		return -1;
	if (n == ABSENT16) {
		*s = NULL;
		*len = 0;
		return optional ? 0 : -1;
	}
	if (n > max || r->len - r->off < n)
		return -1;
	*s = r->p + r->off;
	*len = n;
	r->off += n;
	return 0;
}

static int
get_str32(struct rbuf *r, const char **s, size_t *len, size_t max)
{
	uint32_t n;

	if (get_u32(r, &n) == -1 || n > max || r->len - r->off < n)
		return -1;
	*s = r->p + r->off;
	*len = n;
	r->off += n;
	return 0;
}

/* Split a byte stream into frames without copying. */
int
lsn_frame_next(const char *buf, size_t len, size_t max, size_t *off,
    size_t *paylen)
{
	struct rbuf r = { buf, len, 0 };
	uint32_t n;

	if (get_u32(&r, &n) == -1)
		return 0;
	if (n == 0 || n > max)
		return -1;
	if (len - LSN_PREFIX < n)
		return 0;
	*off = LSN_PREFIX;
	*paylen = n;
	return 1;
}

/* Which message this is, so the reader can pick a decoder. */
int
lsn_frame_type(const char *payload, size_t len)
{
	return len == 0 ? -1 : (unsigned char)payload[0];
}

static int
lsn_alloc(struct wbuf *w, size_t paylen, size_t max)
{
	if (paylen > max) {
		errno = EMSGSIZE;
		return -1;
	}
	if ((w->p = malloc(LSN_PREFIX + paylen)) == NULL)
		return -1;
	w->len = 0;
	put_u32(w, (uint32_t)paylen);
	return 0;
}

/* The listener's side: one HTTP request for the master to judge. */
int
lsn_request_encode(const struct lsn_request *q, char **out, size_t *outlen)
{
	struct wbuf w;
	size_t n;

	if (q->methodlen > LSN_MAX_METHOD || q->targetlen > LSN_MAX_TARGET ||
	    q->tslen > LSN_MAX_HEADER || q->authlen > LSN_MAX_HEADER ||
	    q->bodylen > LSN_MAX_BODY) {
		errno = EMSGSIZE;
		return -1;
	}
	n = 1 + 4 + 4 * 2 + 4 + q->methodlen + q->targetlen + q->tslen +
	    q->authlen + q->bodylen;
	if (lsn_alloc(&w, n, LSN_MAX_FRAME) == -1)
		return -1;
	put_u8(&w, LSN_REQUEST);
	put_u32(&w, q->id);
	put_str16(&w, q->method, q->methodlen);
	put_str16(&w, q->target, q->targetlen);
	put_str16(&w, q->ts, q->tslen);
	put_str16(&w, q->auth, q->authlen);
	put_str32(&w, q->body, q->bodylen);
	*out = w.p;
	*outlen = w.len;
	return 0;
}

/* The master's side: status, content type and body for one request. */
int
lsn_reply_encode(const struct lsn_reply *p, char **out, size_t *outlen)
{
	struct wbuf w;
	size_t n;

	if (p->ctypelen > LSN_MAX_HEADER || p->allowlen > LSN_MAX_HEADER ||
	    p->bodylen > LSN_MAX_REPLY - 2 * LSN_MAX_HEADER - 16) {
		errno = EMSGSIZE;
		return -1;
	}
	n = 1 + 4 + 2 + 2 * 2 + 4 + p->ctypelen + p->allowlen + p->bodylen;
	if (lsn_alloc(&w, n, LSN_MAX_REPLY) == -1)
		return -1;
	put_u8(&w, LSN_REPLY);
	put_u32(&w, p->id);
	put_u16(&w, p->status);
	put_str16(&w, p->ctype, p->ctypelen);
	put_str16(&w, p->allow, p->allowlen);
	put_str32(&w, p->body, p->bodylen);
	*out = w.p;
	*outlen = w.len;
	return 0;
}

/* Decode what a possibly compromised listener sent. */
int
lsn_request_decode(const char *payload, size_t len, struct lsn_request *q,
    struct vx_err *err)
{
	struct rbuf r = { payload, len, 0 };
	unsigned int type;

	memset(q, 0, sizeof(*q));
	if (get_u8(&r, &type) == -1 || type != LSN_REQUEST ||
	    get_u32(&r, &q->id) == -1 ||
	    get_str16(&r, &q->method, &q->methodlen, LSN_MAX_METHOD, 0) == -1 ||
	    get_str16(&r, &q->target, &q->targetlen, LSN_MAX_TARGET, 0) ==
	    -1 ||
	    get_str16(&r, &q->ts, &q->tslen, LSN_MAX_HEADER, 1) == -1 ||
	    get_str16(&r, &q->auth, &q->authlen, LSN_MAX_HEADER, 1) == -1 ||
	    get_str32(&r, &q->body, &q->bodylen, LSN_MAX_BODY) == -1 ||
	    r.off != r.len) {
		vx_err_set(err, VX_EXIT_FAIL, "malformed request frame");
		return -1;
	}
	return 0;
}

/* Decode the master's answer in the listener. */
int
lsn_reply_decode(const char *payload, size_t len, struct lsn_reply *p,
    struct vx_err *err)
{
	struct rbuf r = { payload, len, 0 };
	unsigned int type;

	memset(p, 0, sizeof(*p));
	if (get_u8(&r, &type) == -1 || type != LSN_REPLY ||
	    get_u32(&r, &p->id) == -1 || get_u16(&r, &p->status) == -1 ||
	    p->status < 100 || p->status > 599 ||
	    get_str16(&r, &p->ctype, &p->ctypelen, LSN_MAX_HEADER, 0) == -1 ||
	    get_str16(&r, &p->allow, &p->allowlen, LSN_MAX_HEADER, 1) == -1 ||
	    get_str32(&r, &p->body, &p->bodylen, LSN_MAX_REPLY) == -1 ||
	    r.off != r.len) {
		vx_err_set(err, VX_EXIT_FAIL, "malformed reply frame");
		return -1;
	}
	return 0;
}

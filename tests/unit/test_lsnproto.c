/*
 * test_lsnproto.c: the listener's frames.  The master decodes what a
 * possibly compromised listener wrote, so every truncation, overlong
 * field and trailing byte must be refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lsnproto.h"

static struct lsn_request
sample(void)
{
	struct lsn_request q;

	memset(&q, 0, sizeof(q));
	q.id = 42;
	q.method = "POST";
	q.methodlen = 4;
	q.target = "/sync?x=1";
	q.targetlen = 9;
	q.ts = "1767225600";
	q.tslen = 10;
	q.auth = NULL;
	q.body = "{\"a\":\0}";
	q.bodylen = 7;
	return q;
}

static void
test_request_round_trip(void **state)
{
	struct lsn_request q = sample(), d;
	struct vx_err err;
	size_t len, off, plen;
	char *f;

	assert_int_equal(lsn_request_encode(&q, &f, &len), 0);
	assert_int_equal(lsn_frame_next(f, len, LSN_MAX_FRAME, &off, &plen),
	    1);
	assert_int_equal(off + plen, len);
	assert_int_equal(lsn_frame_type(f + off, plen), LSN_REQUEST);
	assert_int_equal(lsn_request_decode(f + off, plen, &d, &err), 0);
	assert_int_equal(d.id, 42);
	assert_memory_equal(d.method, "POST", 4);
	assert_int_equal(d.targetlen, 9);
	assert_memory_equal(d.target, "/sync?x=1", 9);
	assert_int_equal(d.tslen, 10);
	assert_null(d.auth);
	assert_int_equal(d.bodylen, 7);
	assert_memory_equal(d.body, q.body, 7);
	free(f);
}

static void
test_reply_round_trip(void **state)
{
	struct lsn_reply p, d;
	struct vx_err err;
	size_t len, off, plen;
	char *f;

	memset(&p, 0, sizeof(p));
	p.id = 7;
	p.status = 405;
	p.ctype = "application/json";
	p.ctypelen = 16;
	p.allow = "POST";
	p.allowlen = 4;
	p.body = "{}";
	p.bodylen = 2;
	assert_int_equal(lsn_reply_encode(&p, &f, &len), 0);
	assert_int_equal(lsn_frame_next(f, len, LSN_MAX_REPLY, &off, &plen),
	    1);
	assert_int_equal(lsn_reply_decode(f + off, plen, &d, &err), 0);
	assert_int_equal(d.status, 405);
	assert_memory_equal(d.allow, "POST", 4);
	assert_memory_equal(d.body, "{}", 2);
	/* A request decoder refuses a reply and vice versa. */
	assert_int_equal(lsn_request_decode(f + off, plen,
	    &(struct lsn_request){ 0 }, &err), -1);
	free(f);
}

/* Every strict prefix of a frame is incomplete, never misread. */
static void
test_truncations(void **state)
{
	struct lsn_request q = sample(), d;
	struct vx_err err;
	size_t len, off, plen, i;
	char *f;

	assert_int_equal(lsn_request_encode(&q, &f, &len), 0);
	for (i = 0; i < len; i++)
		assert_int_equal(lsn_frame_next(f, i, LSN_MAX_FRAME, &off,
		    &plen), 0);
	for (i = 0; i + LSN_PREFIX < len; i++)
		assert_int_equal(lsn_request_decode(f + LSN_PREFIX, i, &d,
		    &err), -1);
	free(f);
}

static void
test_trailing_and_lengths(void **state)
{
	struct lsn_request q = sample(), d;
	struct vx_err err;
	size_t len;
	char *f, *g;

	assert_int_equal(lsn_request_encode(&q, &f, &len), 0);
	g = malloc(len + 1);
	memcpy(g, f, len);
	g[len] = 'x';
	assert_int_equal(lsn_request_decode(g + LSN_PREFIX, len + 1 -
	    LSN_PREFIX, &d, &err), -1);
	assert_string_equal(err.msg, "malformed request frame");
	/* A method length beyond LSN_MAX_METHOD. */
	memcpy(g, f, len);
	g[LSN_PREFIX + 5] = 17;
	assert_int_equal(lsn_request_decode(g + LSN_PREFIX, len - LSN_PREFIX,
	    &d, &err), -1);
	/* A frame length of zero or beyond the maximum is impossible. */
	memset(g, 0, 4);
	assert_int_equal(lsn_frame_next(g, len, LSN_MAX_FRAME, &(size_t){ 0 },
	    &(size_t){ 0 }), -1);
	memset(g, 0xff, 4);
	assert_int_equal(lsn_frame_next(g, len, LSN_MAX_FRAME, &(size_t){ 0 },
	    &(size_t){ 0 }), -1);
	free(g);
	free(f);
}

static void
test_limits(void **state)
{
	struct lsn_request q = sample();
	size_t len;
	char *f;

	q.bodylen = LSN_MAX_BODY + 1;
	q.body = calloc(1, q.bodylen);
	assert_int_equal(lsn_request_encode(&q, &f, &len), -1);
	q.bodylen = LSN_MAX_BODY;
	assert_int_equal(lsn_request_encode(&q, &f, &len), 0);
	free(f);
	free((void *)q.body);
	q = sample();
	q.methodlen = LSN_MAX_METHOD + 1;
	q.method = "ABCDEFGHIJKLMNOPQ";
	assert_int_equal(lsn_request_encode(&q, &f, &len), -1);
}

static void
test_bad_status(void **state)
{
	struct lsn_reply p, d;
	struct vx_err err;
	size_t len;
	char *f;

	memset(&p, 0, sizeof(p));
	p.status = 99;
	p.ctype = "text/plain";
	p.ctypelen = 10;
	assert_int_equal(lsn_reply_encode(&p, &f, &len), 0);
	assert_int_equal(lsn_reply_decode(f + LSN_PREFIX, len - LSN_PREFIX,
	    &d, &err), -1);
	free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_round_trip),
		cmocka_unit_test(test_reply_round_trip),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_trailing_and_lengths),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_bad_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

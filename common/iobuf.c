/*
 * iobuf.c: the buffering under the listener's frame channel, both ends:
 * input gathered until whole frames are there, output queued while the
 * peer is slow, each with a bound.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iobuf.h"

static int
iobuf_room(struct iobuf *b, size_t need, size_t max)
{
	size_t ncap;
	char *n;

	if (b->off > 0) {
		memmove(b->p, b->p + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
	}
	if (b->cap - b->len >= need)
		return 0;
	ncap = b->cap ? b->cap : 65536;
	while (ncap - b->len < need)
		ncap *= 2;
	if (ncap > max)
		ncap = max;
	if (ncap <= b->cap || (n = realloc(b->p, ncap)) == NULL)
		return -1;
	b->p = n;
	b->cap = ncap;
	return 0;
}

/* See iobuf.h. */
int
iobuf_put(struct iobuf *b, const void *data, size_t len, size_t limit)
{
	if (b->len - b->off + len > limit ||
	    iobuf_room(b, len, (size_t)-1 / 2) == -1)
		return -1;
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

/* See iobuf.h. */
int
iobuf_flush(struct iobuf *b, int fd)
{
	ssize_t n;

	while (b->off < b->len) {
		n = write(fd, b->p + b->off, b->len - b->off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -1;
		b->off += (size_t)n;
	}
	b->off = b->len = 0;
	return 1;
}

/* See iobuf.h. */
ssize_t
iobuf_fill(struct iobuf *b, int fd, size_t max)
{
	ssize_t n;

	(void)iobuf_room(b, 65536, max);
	if (b->len == b->cap)
		return 0;
	n = read(fd, b->p + b->len, b->cap - b->len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		return -1;
	b->len += (size_t)n;
	return n;
}

/* See iobuf.h. */
void
iobuf_consume(struct iobuf *b, size_t n)
{
	b->off += n;
	if (b->off == b->len)
		b->off = b->len = 0;
}

/* See iobuf.h. */
int
iobuf_shrink(struct iobuf *b, size_t keep)
{
	if (b->off != b->len || b->cap <= keep)
		return 0;
	iobuf_free(b);
	return 1;
}

/* See iobuf.h. */
void
iobuf_free(struct iobuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

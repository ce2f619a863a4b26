/* iobuf.h: a growable byte buffer for a non-blocking stream socket. */
#ifndef VX_IOBUF_H
#define VX_IOBUF_H

#include <stddef.h>
#include <sys/types.h>

/* Bytes p[off, len) are pending: unread input or unsent output. */
struct iobuf {
	char	*p;
	size_t	 off, len, cap;
};

/* Queue len bytes; -1 (nothing queued) past limit pending or on ENOMEM. */
int	iobuf_put(struct iobuf *, const void *, size_t len, size_t limit);
/* Send what is pending: 1 all sent, 0 the socket is full, -1 error. */
int	iobuf_flush(struct iobuf *, int fd);
/*
 * Read more from fd, the buffer growing to at most max bytes: >0 bytes
 * read, 0 nothing now (EAGAIN, or the buffer is full), -1 EOF or error.
 */
ssize_t	iobuf_fill(struct iobuf *, int fd, size_t max);
/* The first n pending bytes were consumed. */
void	iobuf_consume(struct iobuf *, size_t n);
/* Give the memory back when nothing is pending and it grew past keep. */
int	iobuf_shrink(struct iobuf *, size_t keep);
void	iobuf_free(struct iobuf *);

#endif

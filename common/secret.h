/* secret.h: the node secret worker.secret and its SHA-256. */
#ifndef VX_SECRET_H
#define VX_SECRET_H

#include <stddef.h>

#include "err.h"

#define SECRET_BYTES	32			/* random bytes */
#define SECRET_HEX	(SECRET_BYTES * 2 + 1)	/* hex digits and a NUL */
#define SECRET_SHA_HEX	65			/* SHA-256 in hex and a NUL */

/*
 * Read worker.secret: 64 lower-case hex digits, at most one trailing
 * newline, a regular file not readable by group or others.  Returns 0,
 * or -1 with errno ENOENT (err set) when it does not exist.
 */
int	secret_load(const char *path, char hex[SECRET_HEX], struct vx_err *);
/*
 * Read path, or create it first (32 bytes from getrandom(2), hex, no
 * newline, mode 0600) when missing; *created says which.
 */
int	secret_load_or_create(const char *path, char hex[SECRET_HEX],
	    int *created, struct vx_err *);
/* Lower-case hex SHA-256 of len bytes. */
int	secret_sha256_hex(const void *, size_t len, char out[SECRET_SHA_HEX]);

#endif

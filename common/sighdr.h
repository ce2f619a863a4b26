/* sighdr.h: the signature headers' syntax and time window, without a key. */
#ifndef VX_SIGHDR_H
#define VX_SIGHDR_H

#include <stddef.h>
#include <time.h>

#include "sigauth.h"

/*
 * The checks of a signed request that need no key, cheapest first: an
 * X-Vectis-Timestamp of 1 to 18 decimal digits within SIGAUTH_WINDOW_S of
 * now, then an Authorization of "Bearer" (any case), one space and 64
 * lower-case hex digits, decoded into mac.  ts and auth may be NULL (the
 * header is missing); neither needs a NUL.  The master runs it inside
 * sigauth_check; the listener runs it before it reads a body, so that
 * unsigned uploads cost no memory.
 */
enum sigauth_result sighdr_check(const char *ts, size_t tslen,
		    const char *auth, size_t authlen, time_t now,
		    unsigned char *mac);

#endif

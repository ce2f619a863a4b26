/* err.c: fill a struct vx_err for whoever must read it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

/* Record an error with its exit code; a NULL err is allowed and ignored. */
void
vx_err_set(struct vx_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* Reset err to "no error". */
void
vx_err_clear(struct vx_err *err)
{
	if (err == NULL)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

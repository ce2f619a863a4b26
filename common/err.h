/* err.h: an error a person must read, carried in a fixed buffer. */
#ifndef VX_ERR_H
#define VX_ERR_H

#include <stddef.h>

struct vx_err {
	int	code;		/* VX_EXIT_* for the CLI, 0 when unset */
	char	msg[512];
};

/* CLI exit codes, SPEC section 6. */
enum vx_exit {
	VX_EXIT_OK = 0,
	VX_EXIT_FAIL = 1,
	VX_EXIT_USAGE = 2,
	VX_EXIT_NOMASTER = 3,
	VX_EXIT_NOTENANT = 4,
	VX_EXIT_PERM = 5,
};

void	vx_err_set(struct vx_err *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	vx_err_clear(struct vx_err *);

#endif

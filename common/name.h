/* name.h: tenant name validation, ^[a-z0-9][a-z0-9_.-]{0,62}$. */
#ifndef VX_NAME_H
#define VX_NAME_H

#include "err.h"

#define NAME_MAX_LEN 63

/* 0 if name is a valid tenant name; else -1 with err saying why. */
int	name_check(const char *name, struct vx_err *err);

#endif

/* childenv.h: the environment the master's own helpers are started with. */
#ifndef VX_CHILDENV_H
#define VX_CHILDENV_H

#include <stddef.h>

#define CHILDENV_MAX	32	/* entries of the allow-list, plus NULL */

/*
 * Fill out (CHILDENV_MAX pointers) with the entries of environ whose
 * names are on the allow-list, NULL-terminated: what vectis programs read
 * (paths, the binaries' locations, vectis-sync's settings, curl's proxy
 * and CA settings), never VECTIS_TOKEN or the rest of a shell's
 * environment.  The strings stay environ's.
 */
void	childenv_build(char **out);

#endif

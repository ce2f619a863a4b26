/* kvconf.h: KEY=VALUE config files (supervisor.conf, worker.conf). */
#ifndef VX_KVCONF_H
#define VX_KVCONF_H

#include <stddef.h>

#include "err.h"

struct kv {
	char	*key;
	char	*value;
	int	 line;		/* line number in the file, 1-based */
};

struct kvconf {
	struct kv	*v;
	size_t		 n;
};

/*
 * Parse shell-like KEY=VALUE text: blank lines and '#' comments are skipped,
 * an optional "export " prefix is allowed, values may be bare (a trailing
 * " # comment" is dropped), 'single quoted' or "double quoted" (with \" \\ \$
 * escapes).  Keys are [A-Z_][A-Z0-9_]*.  When allowed is not NULL, a key not
 * in that NULL-terminated list is an error.  Errors name file and line:
 * "supervisor.conf:3: unknown key 'FOO'".  A later duplicate key replaces an
 * earlier one.
 */
int		 kvconf_parse(const char *text, size_t len, const char *file,
		    const char *const *allowed, struct kvconf *, struct vx_err *);
/* Read and parse a file; a missing file is an empty config (return 0). */
int		 kvconf_load(const char *path, const char *const *allowed,
		    struct kvconf *, struct vx_err *);
/* The value of key, or NULL. */
const char	*kvconf_get(const struct kvconf *, const char *key);
/* Set (replace or append) key; value NULL removes it.  -1 on ENOMEM. */
int		 kvconf_set(struct kvconf *, const char *key, const char *value);
/*
 * Write the config atomically (path.new, fsync, rename, fsync dir) with the
 * given mode; values are quoted so kvconf_parse() reads them back exactly.
 */
int		 kvconf_save(const struct kvconf *, const char *path,
		    unsigned int mode, struct vx_err *);
/* The text kvconf_save() writes (malloc'd, NUL-ended); NULL with err. */
char		*kvconf_format(const struct kvconf *, size_t *len,
		    struct vx_err *);
void		 kvconf_free(struct kvconf *);

#endif

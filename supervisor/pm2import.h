/* pm2import.h: PM2 ecosystem files and pm2 jlist output to tenants JSON. */
#ifndef VX_PM2IMPORT_H
#define VX_PM2IMPORT_H

#include <stddef.h>

#include <jansson.h>

#include "err.h"

/* What PM2 would have taken from the shell that ran it. */
struct pm2import_opts {
	const char	*base_dir;	/* absolute: relative paths start here */
	const char	*env_name;	/* merge env_NAME over env (--env) */
	long		 ncpu;		/* for instances "max", 0 and -1 */
	const char	*user;		/* for apps that name no uid/user */
};

/*
 * Convert a parsed ecosystem file ({"apps": [...]}, {"pm2": [...]}, an
 * array of apps or one app) or pm2 jlist output (an array of processes
 * with "pm2_env") into an array of tenant specs that apply accepts.  Each
 * PM2 setting that cannot be honoured appends one string naming the app
 * and the setting to warnings (a JSON array, may be NULL).  NULL on error,
 * with err naming the app and the field.
 */
json_t	*pm2import_convert(const json_t *doc, const struct pm2import_opts *,
	    json_t *warnings, struct vx_err *err);
/* pm2import_convert() on JSON text; syntax errors say what:line:column. */
json_t	*pm2import_text(const char *buf, size_t len, const char *what,
	    const struct pm2import_opts *, json_t *warnings,
	    struct vx_err *err);

#endif

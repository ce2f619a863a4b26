/*
 * clipm2.c: the import-pm2 command: reads a PM2 ecosystem file or pm2
 * jlist output, prints the tenants JSON that pm2import.c makes of it, or
 * applies it through the apply request.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "err.h"
#include "fd.h"
#include "pm2import.h"

/* pm2 jlist of a big node with long environments is larger than apply's. */
#define CLIPM2_MAX_INPUT	(16 * 1024 * 1024)

/* Print every warning as one line on stderr. */
static void
clipm2_warnings(const json_t *warnings)
{
	const json_t *w;
	size_t i;

	json_array_foreach(warnings, i, w)
		cli_err("warning: %s", json_string_value(w));
}

/* import-pm2 FILE [--env NAME] [--user USER] [--apply [--prune]]. */
int
clipm2_main(const struct vx_paths *paths, int argc, char **argv)
{
	struct pm2import_opts opts;
	char cwd[PATH_MAX], *buf, *s;
	const char *file = NULL;
	json_t *warnings, *tenants;
	struct vx_err err;
	int a, apply = 0, prune = 0;
	size_t len;

	memset(&opts, 0, sizeof(opts));
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--apply") == 0)
			apply = 1;
		else if (strcmp(argv[a], "--prune") == 0)
			prune = 1;
		else if (strcmp(argv[a], "--env") == 0 && a + 1 < argc)
			opts.env_name = argv[++a];
		else if (strcmp(argv[a], "--user") == 0 && a + 1 < argc)
			opts.user = argv[++a];
		else if ((argv[a][0] == '-' && argv[a][1] != '\0') ||
		    file != NULL)
			return cli_usage_error("import-pm2", "unexpected "
			    "argument '%s'", argv[a]);
		else
			file = argv[a];
	}
	if (file == NULL)
		return cli_usage_error("import-pm2", "%s", "FILE required");
	if (prune && !apply)
		return cli_usage_error("import-pm2", "%s",
		    "--prune needs --apply");
	/* Relative paths start where pm2 start would have run. */
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		cli_err("unable to get the current directory: %s",
		    strerror(errno));
		return VX_EXIT_FAIL;
	}
	opts.base_dir = cwd;
	opts.ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (fd_read_file(file, CLIPM2_MAX_INPUT, &buf, &len) == -1) {
		if (errno == EFBIG)
			cli_err("%s: larger than 16 MiB", file);
		else
			cli_err("%s: %s", file, strerror(errno));
		return VX_EXIT_FAIL;
	}
	if ((warnings = json_array()) == NULL) {
		free(buf);
		return VX_EXIT_FAIL;
	}
	tenants = pm2import_text(buf, len, strcmp(file, "-") == 0 ? "stdin" :
	    file, &opts, warnings, &err);
	free(buf);
	clipm2_warnings(warnings);
	json_decref(warnings);
	if (tenants == NULL) {
		cli_err("%s", err.msg);
		return VX_EXIT_FAIL;
	}
	if (apply)
		return cli_apply_tenants(paths, tenants, prune);
	if ((s = json_dumps(tenants, JSON_INDENT(2))) == NULL) {
		json_decref(tenants);
		cli_err("%s", "unable to print the tenants: out of memory");
		return VX_EXIT_FAIL;
	}
	puts(s);
	free(s);
	json_decref(tenants);
	return VX_EXIT_OK;
}

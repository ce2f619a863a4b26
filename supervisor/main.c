/* main.c: global options, then the master (run) or the CLI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "log.h"
#include "master.h"
#include "paths.h"

static int
main_run(const struct vx_paths *paths, int argc, char **argv)
{
	int standby = 0, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--standby") == 0)
			standby = 1;
		else
			return cli_usage_error("run", "run: unknown argument "
			    "'%s'", argv[i]);
	}
	return master_run(paths, standby);
}

int
main(int argc, char **argv)
{
	struct vx_paths paths;
	struct vx_err err;
	const char *home = NULL;
	int i, rc;

	log_init("vectis-supervisor");
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--home") == 0 && i + 1 < argc)
			home = argv[++i];
		else if (strncmp(argv[i], "--home=", 7) == 0)
			home = argv[i] + 7;
		else if (strcmp(argv[i], "--version") == 0 ||
		    strcmp(argv[i], "-V") == 0) {
			printf("vectis-supervisor %s\n", VECTIS_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			cli_usage(stdout, NULL);
			return 0;
		} else {
			fprintf(stderr, "vectis-supervisor: unknown option "
			    "'%s'\n", argv[i]);
			cli_usage(stderr, NULL);
			return VX_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		cli_usage(stderr, NULL);
		return VX_EXIT_USAGE;
	}
	if ((rc = cli_help(argc - i, argv + i)) != -1)
		return rc;
	vx_err_clear(&err);
	if (paths_init(&paths, home, &err) == -1) {
		fprintf(stderr, "vectis-supervisor: %s\n", err.msg);
		return err.code ? err.code : VX_EXIT_USAGE;
	}
	if (strcmp(argv[i], "run") == 0)
		return main_run(&paths, argc - i, argv + i);
	return cli_main(&paths, home, argc - i, argv + i);
}

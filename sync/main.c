/* main.c: vectis-sync options, then a registration or a --check. */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "paths.h"
#include "register.h"
#include "sync.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: vectis-sync [--home DIR] [--check]\n"
	    "  VECTIS_TOKEN=xxx vectis-sync   register this node with the "
	    "dashboard\n"
	    "  vectis-sync --check            mark a synced node outdated "
	    "if it changed\n");
}

int
main(int argc, char **argv)
{
	struct vx_paths paths;
	struct vx_err err;
	const char *home = NULL;
	int check = 0, i, rc;

	log_init("vectis-sync");
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--home") == 0 && i + 1 < argc)
			home = argv[++i];
		else if (strncmp(argv[i], "--home=", 7) == 0)
			home = argv[i] + 7;
		else if (strcmp(argv[i], "--check") == 0)
			check = 1;
		else if (strcmp(argv[i], "--version") == 0 ||
		    strcmp(argv[i], "-V") == 0) {
			printf("vectis-sync %s\n", VECTIS_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "vectis-sync: unknown argument "
			    "'%.64s'\n", argv[i]);
			usage(stderr);
			return SYNC_EXIT_USAGE;
		}
	}
	vx_err_clear(&err);
	if (paths_init(&paths, home, &err) == -1) {
		fprintf(stderr, "vectis-sync: %s\n", err.msg);
		return SYNC_EXIT_USAGE;
	}
	if (register_init(&err) == -1) {
		fprintf(stderr, "vectis-sync: %s\n", err.msg);
		return SYNC_EXIT_LOCAL;
	}
	rc = check ? sync_check(&paths) : sync_register(&paths);
	register_cleanup();
	return rc;
}

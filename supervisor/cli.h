/* cli.h: the operator CLI: argv -> one request -> printed reply, exit code. */
#ifndef VX_CLI_H
#define VX_CLI_H

#include "paths.h"

/* Run one CLI command (everything but run); returns the exit code. */
int	cli_main(const struct vx_paths *, const char *home, int argc,
	    char **argv);
/* The logs command (clilogs.c): reads the files, no master needed. */
int	clilogs_main(const struct vx_paths *, int argc, char **argv);
/* Print usage for cmd (or all) to stdout/stderr. */
void	cli_usage(FILE *, const char *cmd);
/* Print "vectis-supervisor: MESSAGE" on stderr. */
void	cli_err(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif

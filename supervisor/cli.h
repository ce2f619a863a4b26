/* cli.h: the operator CLI: argv -> one request -> printed reply, exit code. */
#ifndef VX_CLI_H
#define VX_CLI_H

#include <stdio.h>

#include <jansson.h>

#include "paths.h"

/* Run one CLI command (everything but run); returns the exit code. */
int	cli_main(const struct vx_paths *, const char *home, int argc,
	    char **argv);
/* The logs command (clilogs.c): reads the files, no master needed. */
int	clilogs_main(const struct vx_paths *, int argc, char **argv);
/* Print usage for cmd (or all) to stdout/stderr. */
void	cli_usage(FILE *, const char *cmd);
/* Where cli_request() stopped. */
enum {
	CLI_REQ_OK,
	CLI_REQ_CONNECT,	/* no master listening, or no access */
	CLI_REQ_SEND,
	CLI_REQ_REPLY,		/* no (valid) answer */
};

/* One request and its whole reply object; NULL with *stage on failure. */
json_t	*cli_request(const struct vx_paths *, json_t *req, int passthrough,
	    int *stage);
/* Print "vectis-supervisor: MESSAGE" on stderr. */
void	cli_err(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif

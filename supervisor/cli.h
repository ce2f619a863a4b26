/* cli.h: the operator CLI: argv -> one request -> printed reply, exit code. */
#ifndef VX_CLI_H
#define VX_CLI_H

#include <stdio.h>

#include <jansson.h>

#include "ctlclient.h"
#include "paths.h"

/* Run one CLI command (everything but run); returns the exit code. */
int	cli_main(const struct vx_paths *, const char *home, int argc,
	    char **argv);
/* The logs command (clilogs.c): reads the files, no master needed. */
int	clilogs_main(const struct vx_paths *, int argc, char **argv);
/* Print usage for cmd (or all) to stdout/stderr. */
void	cli_usage(FILE *, const char *cmd);
/* The message, then cmd's usage (all if NULL) on stderr; VX_EXIT_USAGE. */
int	cli_usage_error(const char *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* help [COMMAND], COMMAND --help: the exit code, or -1 if not asked. */
int	cli_help(int argc, char **argv);
/* One apply request with tenants (taken over); prints, returns exit code. */
int	cli_apply_tenants(const struct vx_paths *, json_t *tenants,
	    int prune);
/* The import-pm2 command (clipm2.c). */
int	clipm2_main(const struct vx_paths *, int argc, char **argv);
/* Where cli_request() stopped. */
enum {
	CLI_REQ_OK = CTLCLIENT_OK,
	CLI_REQ_CONNECT = CTLCLIENT_CONNECT,	/* no master, or no access */
	CLI_REQ_SEND = CTLCLIENT_SEND,
	CLI_REQ_REPLY = CTLCLIENT_REPLY,	/* no (valid) answer */
};

/* One request and its whole reply object; NULL with *stage on failure. */
json_t	*cli_request(const struct vx_paths *, json_t *req, int passthrough,
	    int *stage);
/* Print "vectis-supervisor: MESSAGE" on stderr. */
void	cli_err(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif

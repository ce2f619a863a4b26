/*
 * shim.c: vectis-worker-shim, the exec stage between master and worker.
 *
 * The master starts it with fds 0-2 (stdin /dev/null, stdout and stderr
 * pipes), SHIM_NOTIFY_FD (the notify pipe) and SHIM_STATUS_FD (a pipe whose
 * EOF means exec succeeded), already in its own session.  The shim runs
 * fixed stages and execs the tenant command; it never stays resident.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privdrop.h"
#include "shimproto.h"
#include "stages.h"

static long long
shim_number(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0)
		stage_fail(SHIM_STAGE_SETUP, EINVAL);
	return v;
}

static void
shim_parse(int argc, char **argv, struct shim_opts *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	o->nofile = o->nofile_hard = o->nproc = o->memory = -1;
	while ((ch = getopt(argc, argv, "+C:c:u:g:n:N:p:m:")) != -1) {
		switch (ch) {
		case 'C':
			o->cwd = optarg;
			break;
		case 'c':
			o->cgroup = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'g':
			o->group = optarg;
			break;
		case 'n':
			o->nofile = shim_number(optarg);
			break;
		case 'N':
			o->nofile_hard = shim_number(optarg);
			break;
		case 'p':
			o->nproc = shim_number(optarg);
			break;
		case 'm':
			o->memory = shim_number(optarg);
			break;
		default:
			stage_fail(SHIM_STAGE_SETUP, EINVAL);
		}
	}
	if (optind >= argc)
		stage_fail(SHIM_STAGE_SETUP, EINVAL);
	o->argv = argv + optind;
}

int
main(int argc, char **argv)
{
	struct shim_opts o;
	const char *home;

	stage_fds();
	shim_parse(argc, argv, &o);
	stage_cgroup(&o);
	stage_rlimits(&o);
	home = privdrop(o.user, o.group);
	stage_chdir(&o, home);
	stage_watchdog_pid();
	stage_memory(&o);
	stage_exec(&o);
}

/*
 * shim.c: vectis-worker-shim, the exec stage between master and worker.
 *
 * The master starts it with fds 0-2 (stdin /dev/null, stdout and stderr
 * pipes), SHIM_NOTIFY_FD (the notify pipe) and SHIM_STATUS_FD (a pipe whose
 * EOF means exec succeeded), already in its own session.  The shim runs
 * fixed stages and execs the tenant command.  With -R (a tenant without a
 * cgroup) it starts the worker as a child that runs the stages, and stays
 * resident as the tenant's subreaper (reaper.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privdrop.h"
#include "reaper.h"
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

/* A uid or gid: not -1, which the set*id calls read as "unchanged". */
static long long
shim_id(const char *s)
{
	long long v = shim_number(s);

	if (v >= (long long)(uid_t)-1)
		stage_fail(SHIM_STAGE_SETUP, EINVAL);
	return v;
}

/* -S's comma-separated gids ("" for none), at most SHIM_MAX_GROUPS. */
static void
shim_groups(const char *s, struct shim_opts *o)
{
	long long v;
	char *end;

	free(o->groups);
	if ((o->groups = calloc(SHIM_MAX_GROUPS, sizeof(gid_t))) == NULL)
		stage_fail(SHIM_STAGE_SETUP, ENOMEM);
	o->ngroups = 0;
	while (*s != '\0') {
		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno != 0 || end == s || v < 0 || v > (gid_t)-2 ||
		    (*end != ',' && *end != '\0') ||
		    (*end == ',' && end[1] == '\0') ||
		    o->ngroups == SHIM_MAX_GROUPS)
			stage_fail(SHIM_STAGE_SETUP, EINVAL);
		o->groups[o->ngroups++] = (gid_t)v;
		s = *end == ',' ? end + 1 : end;
	}
}

/*
 * The master's options; -U uid and -G gid come together (with -S), and
 * their absence means the worker keeps the shim's ids.
 */
static void
shim_parse(int argc, char **argv, struct shim_opts *o)
{
	int ch, u = 0, g = 0;

	memset(o, 0, sizeof(*o));
	o->nofile = o->nofile_hard = o->nproc = o->memory = -1;
	while ((ch = getopt(argc, argv, "+C:c:U:G:S:H:L:n:N:p:m:R")) != -1) {
		switch (ch) {
		case 'R':
			o->reaper = 1;
			break;
		case 'C':
			o->cwd = optarg;
			break;
		case 'c':
			o->cgroup = optarg;
			break;
		case 'U':
			o->uid = (uid_t)shim_id(optarg);
			u = 1;
			break;
		case 'G':
			o->gid = (gid_t)shim_id(optarg);
			g = 1;
			break;
		case 'S':
			shim_groups(optarg, o);
			break;
		case 'H':
			o->home = optarg;
			break;
		case 'L':
			o->login = optarg;
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
	if (optind >= argc || u != g)
		stage_fail(SHIM_STAGE_SETUP, EINVAL);
	o->change = u;
	o->argv = argv + optind;
}

/* From the limits to the exec: the worker's own stages. */
static void
shim_stages(void *arg)
{
	struct shim_opts *o = arg;

	stage_rlimits(o);
	privdrop(o);
	stage_chdir(o);
	stage_watchdog_pid();
	stage_memory(o);
	stage_exec(o);
}

int
main(int argc, char **argv)
{
	struct shim_opts o;

	stage_fds();
	shim_parse(argc, argv, &o);
	stage_cgroup(&o);
	if (o.reaper)
		reaper_start(argc, argv, shim_stages, &o);
	shim_stages(&o);
}

/*
 * privdrop.c: become the tenant's user in a fixed order, give up every
 * capability, then verify.  The only file that includes sys/capability.h.
 * The master looked the user up (supervisor/ident.c): no NSS code runs
 * here.
 */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privdrop.h"
#include "shimproto.h"
#include "stages.h"

#define PRIVDROP_PATH		"/usr/local/bin:/usr/bin:/bin"
#define PRIVDROP_ROOT_PATH \
	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/*
 * The bounding set caps what any later execve() can ever grant.  Lowering
 * it needs CAP_SETPCAP in the effective set, which setresuid() to a
 * non-root uid takes away, so it goes first, while we are still
 * privileged; it does not touch the capabilities we hold now, which the
 * setgroups/setresgid/setresuid calls below still need.  Without
 * CAP_SETPCAP (a non-root master) there is nothing to lower it with, and
 * no_new_privs keeps exec from using it.
 */
static int
privdrop_bound(void)
{
	cap_flag_value_t v;
	cap_value_t c;
	cap_t caps;

	if ((caps = cap_get_proc()) == NULL)
		stage_fail(SHIM_STAGE_CAPBOUND, errno);
	if (cap_get_flag(caps, CAP_SETPCAP, CAP_EFFECTIVE, &v) == -1) {
		cap_free(caps);
		stage_fail(SHIM_STAGE_CAPBOUND, errno);
	}
	cap_free(caps);
	if (v != CAP_SET)
		return 0;
	/* Every capability the running kernel knows, not just ours. */
	for (c = 0; CAP_IS_SUPPORTED(c); c++)
		if (cap_drop_bound(c) == -1)
			stage_fail(SHIM_STAGE_CAPBOUND, errno);
	return 1;
}

static void
privdrop_ids(const struct shim_opts *o)
{
	if (!o->change)
		return;
	if (setgroups((size_t)o->ngroups, o->groups) == -1)
		stage_fail(SHIM_STAGE_GROUPS, errno);
	if (setresgid(o->gid, o->gid, o->gid) == -1)
		stage_fail(SHIM_STAGE_SETGID, errno);
	if (setresuid(o->uid, o->uid, o->uid) == -1)
		stage_fail(SHIM_STAGE_SETUID, errno);
}

/* The kernel holds exactly o's supplementary groups, in any order. */
static int
privdrop_groups_ok(const struct shim_opts *o)
{
	gid_t now[SHIM_MAX_GROUPS];
	int n, i, j;

	if ((n = getgroups(SHIM_MAX_GROUPS, now)) == -1)
		return 0;
	for (i = 0; i < o->ngroups; i++) {
		for (j = 0; j < n && now[j] != o->groups[i]; j++)
			;
		if (j == n)
			return 0;
	}
	for (j = 0; j < n; j++) {
		for (i = 0; i < o->ngroups && o->groups[i] != now[j]; i++)
			;
		if (i == o->ngroups)
			return 0;
	}
	return 1;
}

/* Effective, permitted and inheritable: all empty, for root tenants too. */
static void
privdrop_caps(void)
{
	cap_t none;

	if ((none = cap_init()) == NULL)
		stage_fail(SHIM_STAGE_CAPS, errno);
	if (cap_set_proc(none) == -1) {
		cap_free(none);
		stage_fail(SHIM_STAGE_CAPS, errno);
	}
	cap_free(none);
}

/* Trust, but check: ids, capabilities, bounding set, no way back. */
static void
privdrop_verify(const struct shim_opts *o, int bound)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	cap_t now, none;
	cap_value_t c;
	int same;

	if (getresgid(&rg, &eg, &sg) == -1 || eg != rg || sg != rg ||
	    (o->change && rg != o->gid))
		stage_fail(SHIM_STAGE_SETGID, EPERM);
	if (getresuid(&ru, &eu, &su) == -1 || eu != ru || su != ru ||
	    (o->change && ru != o->uid))
		stage_fail(SHIM_STAGE_SETUID, EPERM);
	if (o->change && !privdrop_groups_ok(o))
		stage_fail(SHIM_STAGE_GROUPS, EPERM);
	/* A process that dropped root must not be able to regain it. */
	if (ru != 0 && setuid(0) != -1)
		stage_fail(SHIM_STAGE_SETUID, EPERM);
	if ((now = cap_get_proc()) == NULL || (none = cap_init()) == NULL)
		stage_fail(SHIM_STAGE_CAPS, errno);
	same = cap_compare(now, none) == 0;
	cap_free(now);
	cap_free(none);
	if (!same)
		stage_fail(SHIM_STAGE_CAPS, EPERM);
	for (c = 0; bound && CAP_IS_SUPPORTED(c); c++)
		if (cap_get_bound(c) != 0)
			stage_fail(SHIM_STAGE_CAPBOUND, EPERM);
}

/*
 * USER and LOGNAME name the account the worker runs as, whatever the
 * spec's env says; HOME, PATH and LANG are defaults the env may override.
 */
static void
privdrop_env(const struct shim_opts *o)
{
	if (setenv("HOME", o->home != NULL ? o->home : "/", 0) == -1 ||
	    (o->login != NULL && setenv("USER", o->login, 1) == -1) ||
	    (o->login != NULL && setenv("LOGNAME", o->login, 1) == -1) ||
	    setenv("PATH", getuid() == 0 ? PRIVDROP_ROOT_PATH :
	    PRIVDROP_PATH, 0) == -1 ||
	    setenv("LANG", "C.UTF-8", 0) == -1)
		stage_fail(SHIM_STAGE_SETUP, errno);
}

/*
 * Become the tenant: lower the bounding set and clear ambient capabilities
 * while privileged, then groups, gid, uid; clear every remaining
 * capability, verify, set no_new_privs and umask 027.
 */
void
privdrop(const struct shim_opts *o)
{
	int bound;

	bound = privdrop_bound();
	if (cap_reset_ambient() == -1)
		stage_fail(SHIM_STAGE_CAPS, errno);
	privdrop_ids(o);
	privdrop_caps();
	privdrop_verify(o, bound);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		stage_fail(SHIM_STAGE_NNP, errno);
	umask(027);
	privdrop_env(o);
}

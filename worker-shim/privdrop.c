/*
 * privdrop.c: become the tenant's user in a fixed order, give up every
 * capability, then verify.  The only file that includes sys/capability.h.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
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

/* Who the worker becomes; the strings live in static storage. */
struct privdrop_id {
	uid_t	 uid;
	gid_t	 gid;
	int	 change;	/* 0: keep the shim's own identity */
	int	 initgroups;	/* 1: the user's groups; 0: none at all */
	char	 name[256];	/* "" without a passwd entry */
	char	 home[4096];
};

static struct privdrop_id id;

static void
privdrop_copy(char *dst, size_t len, const char *src)
{
	if (src == NULL || strlen(src) >= len)
		dst[0] = '\0';
	else
		strcpy(dst, src);
}

static gid_t
privdrop_group(const char *group, gid_t dflt)
{
	struct group *gr;

	if (group == NULL)
		return dflt;
	errno = 0;
	if ((gr = getgrnam(group)) == NULL)
		stage_fail(SHIM_STAGE_USER, errno ? errno : SHIM_ENOGROUP);
	return gr->gr_gid;
}

/*
 * Resolve user and group while /etc is still readable to us.  Only the name
 * "root" may mean uid 0: an alias such as "toor" would run a tenant as root
 * without saying so.  A non-root master can name itself, which is a no-op.
 */
static void
privdrop_lookup(const char *user, const char *group)
{
	struct passwd *pw;

	memset(&id, 0, sizeof(id));
	if (user == NULL) {
		pw = getpwuid(getuid());
		id.uid = getuid();
		id.gid = privdrop_group(group, getgid());
		id.change = group != NULL;
	} else {
		errno = 0;
		if ((pw = getpwnam(user)) == NULL)
			stage_fail(SHIM_STAGE_USER,
			    errno ? errno : SHIM_ENOUSER);
		if (pw->pw_uid == 0 && strcmp(user, "root") != 0)
			stage_fail(SHIM_STAGE_USER, SHIM_EROOTALIAS);
		id.uid = pw->pw_uid;
		id.gid = privdrop_group(group, pw->pw_gid);
		id.initgroups = 1;
		id.change = geteuid() == 0 || id.uid != getuid() ||
		    id.gid != getgid();
	}
	privdrop_copy(id.name, sizeof(id.name), pw ? pw->pw_name : NULL);
	privdrop_copy(id.home, sizeof(id.home), pw ? pw->pw_dir : NULL);
}

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
privdrop_ids(void)
{
	if (!id.change)
		return;
	if (id.initgroups) {
		if (initgroups(id.name, id.gid) == -1)
			stage_fail(SHIM_STAGE_GROUPS, errno);
	} else if (setgroups(0, NULL) == -1)
		stage_fail(SHIM_STAGE_GROUPS, errno);
	if (setresgid(id.gid, id.gid, id.gid) == -1)
		stage_fail(SHIM_STAGE_SETGID, errno);
	if (setresuid(id.uid, id.uid, id.uid) == -1)
		stage_fail(SHIM_STAGE_SETUID, errno);
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
privdrop_verify(int bound)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	cap_t now, none;
	cap_value_t c;
	int same;

	if (getresgid(&rg, &eg, &sg) == -1 || rg != id.gid || eg != id.gid ||
	    sg != id.gid)
		stage_fail(SHIM_STAGE_SETGID, EPERM);
	if (getresuid(&ru, &eu, &su) == -1 || ru != id.uid || eu != id.uid ||
	    su != id.uid)
		stage_fail(SHIM_STAGE_SETUID, EPERM);
	if (id.change && !id.initgroups && getgroups(0, NULL) != 0)
		stage_fail(SHIM_STAGE_GROUPS, EPERM);
	/* A process that dropped root must not be able to regain it. */
	if (id.uid != 0 && setuid(0) != -1)
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
privdrop_env(void)
{
	if (setenv("HOME", id.home[0] ? id.home : "/", 0) == -1 ||
	    (id.name[0] && setenv("USER", id.name, 1) == -1) ||
	    (id.name[0] && setenv("LOGNAME", id.name, 1) == -1) ||
	    setenv("PATH", id.uid == 0 ? PRIVDROP_ROOT_PATH : PRIVDROP_PATH,
	    0) == -1 ||
	    setenv("LANG", "C.UTF-8", 0) == -1)
		stage_fail(SHIM_STAGE_SETUP, errno);
}

/*
 * Become the tenant: look up, lower the bounding set and clear ambient
 * capabilities while privileged, then groups, gid, uid; clear every
 * remaining capability, verify, set no_new_privs and umask 027.
 */
const char *
privdrop(const char *user, const char *group)
{
	int bound;

	privdrop_lookup(user, group);
	bound = privdrop_bound();
	if (cap_reset_ambient() == -1)
		stage_fail(SHIM_STAGE_CAPS, errno);
	privdrop_ids();
	privdrop_caps();
	privdrop_verify(bound);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		stage_fail(SHIM_STAGE_NNP, errno);
	umask(027);
	privdrop_env();
	return id.home[0] ? id.home : NULL;
}

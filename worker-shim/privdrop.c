/* privdrop.c: drop to the tenant's user in a fixed order, then verify. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "privdrop.h"
#include "shimproto.h"
#include "stages.h"

static char home_buf[4096];

static const char *
privdrop_keep_home(const char *dir)
{
	if (dir == NULL || strlen(dir) >= sizeof(home_buf))
		return NULL;
	strcpy(home_buf, dir);
	return home_buf;
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

static void
privdrop_verify(uid_t uid, gid_t gid)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresgid(&rg, &eg, &sg) == -1 || rg != gid || eg != gid ||
	    sg != gid)
		stage_fail(SHIM_STAGE_SETGID, EPERM);
	if (getresuid(&ru, &eu, &su) == -1 || ru != uid || eu != uid ||
	    su != uid)
		stage_fail(SHIM_STAGE_SETUID, EPERM);
	/* A process that dropped root must not be able to regain it. */
	if (uid != 0 && setuid(0) != -1)
		stage_fail(SHIM_STAGE_SETUID, EPERM);
}

/* Become the tenant's user: groups, then gid, then uid, then check. */
const char *
privdrop(const char *user, const char *group)
{
	struct passwd *pw;
	gid_t gid;

	if (user == NULL) {
		pw = getpwuid(getuid());
		if (group != NULL) {
			gid = privdrop_group(group, getgid());
			if (setgroups(0, NULL) == -1)
				stage_fail(SHIM_STAGE_GROUPS, errno);
			if (setresgid(gid, gid, gid) == -1)
				stage_fail(SHIM_STAGE_SETGID, errno);
		}
		return privdrop_keep_home(pw ? pw->pw_dir : NULL);
	}
	errno = 0;
	if ((pw = getpwnam(user)) == NULL)
		stage_fail(SHIM_STAGE_USER, errno ? errno : SHIM_ENOUSER);
	gid = privdrop_group(group, pw->pw_gid);
	if (initgroups(pw->pw_name, gid) == -1)
		stage_fail(SHIM_STAGE_GROUPS, errno);
	if (setresgid(gid, gid, gid) == -1)
		stage_fail(SHIM_STAGE_SETGID, errno);
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		stage_fail(SHIM_STAGE_SETUID, errno);
	privdrop_verify(pw->pw_uid, gid);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		stage_fail(SHIM_STAGE_CAPS, errno);
	if (setenv("HOME", pw->pw_dir, 1) == -1 ||
	    setenv("USER", pw->pw_name, 1) == -1 ||
	    setenv("LOGNAME", pw->pw_name, 1) == -1)
		stage_fail(SHIM_STAGE_SETUP, errno);
	return privdrop_keep_home(pw->pw_dir);
}

/*
 * ident.c: resolve a tenant's user and group in the master, once per
 * spawn, so that the shim runs no NSS code: it gets numbers, sets them and
 * verifies them, and can be linked statically (no dynamic loader on the
 * restart path).
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ident.h"
#include "shimproto.h"

static void
ident_copy(char *dst, size_t len, const char *src)
{
	if (src == NULL || strlen(src) >= len)
		dst[0] = '\0';
	else
		strcpy(dst, src);
}

static int
ident_group(const char *group, gid_t *gid, int *error)
{
	struct group *gr;

	errno = 0;
	if ((gr = getgrnam(group)) == NULL) {
		*error = errno ? errno : SHIM_ENOGROUP;
		return -1;
	}
	*gid = gr->gr_gid;
	return 0;
}

/* The user's groups, as initgroups(3) would set them. */
static int
ident_groups(const char *name, gid_t gid, struct ident *id, int *error)
{
	int n = 32;
	gid_t *g;

	for (;;) {
		if ((g = calloc((size_t)n, sizeof(*g))) == NULL) {
			*error = ENOMEM;
			return -1;
		}
		if (getgrouplist(name, gid, g, &n) != -1)
			break;
		free(g);
		if (n > SHIM_MAX_GROUPS) {
			*error = E2BIG;
			return -1;
		}
	}
	id->groups = g;
	id->ngroups = n;
	return 0;
}

int
ident_lookup(const char *user, const char *group, struct ident *id,
    int *error)
{
	struct passwd *pw;

	memset(id, 0, sizeof(*id));
	if (user == NULL) {
		/* The master's own account, for HOME, USER and LOGNAME. */
		pw = getpwuid(getuid());
		id->uid = getuid();
		id->gid = getgid();
		if (group != NULL && ident_group(group, &id->gid, error) == -1)
			return -1;
		id->change = group != NULL;
	} else {
		errno = 0;
		if ((pw = getpwnam(user)) == NULL) {
			*error = errno ? errno : SHIM_ENOUSER;
			return -1;
		}
		/* An alias such as "toor" would run a tenant as root unsaid. */
		if (pw->pw_uid == 0 && strcmp(user, "root") != 0) {
			*error = SHIM_EROOTALIAS;
			return -1;
		}
		id->uid = pw->pw_uid;
		id->gid = pw->pw_gid;
		if (group != NULL && ident_group(group, &id->gid, error) == -1)
			return -1;
		id->change = geteuid() == 0 || id->uid != getuid() ||
		    id->gid != getgid();
		ident_copy(id->name, sizeof(id->name), pw->pw_name);
		ident_copy(id->home, sizeof(id->home), pw->pw_dir);
		if (id->change && ident_groups(user, id->gid, id, error) == -1)
			return -1;
		return 0;
	}
	ident_copy(id->name, sizeof(id->name), pw ? pw->pw_name : NULL);
	ident_copy(id->home, sizeof(id->home), pw ? pw->pw_dir : NULL);
	return 0;
}

void
ident_free(struct ident *id)
{
	free(id->groups);
	id->groups = NULL;
	id->ngroups = 0;
}

/* ident.h: who a tenant's worker becomes, looked up by the master. */
#ifndef VX_IDENT_H
#define VX_IDENT_H

#include <sys/types.h>

struct ident {
	int	 change;	/* 0: the worker keeps the master's ids */
	uid_t	 uid;
	gid_t	 gid;
	gid_t	*groups;	/* supplementary groups, when changing */
	int	 ngroups;
	char	 name[256];	/* "" without a passwd entry */
	char	 home[4096];	/* "" likewise */
};

/*
 * Resolve user and group (either may be NULL) the way the shim used to:
 * only the name "root" may mean uid 0; a user brings its groups
 * (getgrouplist, as initgroups would set them), a group alone brings
 * none.  0, or -1 with *error an errno or SHIM_ENOUSER, SHIM_ENOGROUP,
 * SHIM_EROOTALIAS.  Free with ident_free.
 */
int	ident_lookup(const char *user, const char *group, struct ident *,
	    int *error);
void	ident_free(struct ident *);

#endif

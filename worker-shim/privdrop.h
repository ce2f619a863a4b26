/* privdrop.h: become the tenant's user and group, verified. */
#ifndef VX_PRIVDROP_H
#define VX_PRIVDROP_H

/*
 * Switch to user (and group, default the user's primary group): bounding
 * set and ambient capabilities dropped, initgroups (setgroups(0) for a
 * group without a user), setresgid, setresuid in that order, every
 * capability cleared, all of it verified; then no_new_privs, umask 027 and
 * HOME/USER/LOGNAME/PATH/LANG defaults for the user.  Reports a failed
 * stage and exits.  Without a user the identity stays.  Returns the home
 * directory (static storage) or NULL.
 */
const char	*privdrop(const char *user, const char *group);

#endif

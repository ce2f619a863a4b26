/* privdrop.h: become the tenant's user and group, verified. */
#ifndef VX_PRIVDROP_H
#define VX_PRIVDROP_H

/*
 * Switch to user (and group, default the user's primary group): initgroups,
 * setgid, setuid in that order, then verified with getresuid/getresgid and
 * HOME/USER/LOGNAME set for the user.  Reports a failed stage and exits.
 * Without a user only the home directory is looked up.  Returns the home
 * directory (static storage) or NULL.
 */
const char	*privdrop(const char *user, const char *group);

#endif

/* privdrop.h: become the tenant's user and group, verified. */
#ifndef VX_PRIVDROP_H
#define VX_PRIVDROP_H

struct shim_opts;

/*
 * Become o's uid, gid and groups (the master looked them up): bounding set
 * and ambient capabilities dropped, setgroups, setresgid, setresuid in
 * that order, every capability cleared, all of it verified; then
 * no_new_privs, umask 027 and HOME/USER/LOGNAME/PATH/LANG defaults.
 * Reports a failed stage and exits.  Without o->change the ids stay.
 */
void	privdrop(const struct shim_opts *o);

#endif

/* reaper.h: the shim's resident mode, for a tenant without a cgroup. */
#ifndef VX_REAPER_H
#define VX_REAPER_H

/*
 * Become a child subreaper and start the worker, which writes its pid on
 * the status fd, takes a session of its own and calls fn(arg): the
 * worker's stages, which never return.  The shim itself stays: it closes
 * every descriptor, serves the master's signal requests, and once the
 * worker has exited it kills every process left below it and exits as the
 * worker did.  argv and the environment are blanked in the reaper, so
 * that ps shows it as SHIM_REAPER_NAME, not as the tenant.
 */
void	reaper_start(int argc, char **argv, void (*fn)(void *), void *arg)
	    __attribute__((noreturn));

#endif

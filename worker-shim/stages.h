/* stages.h: the fixed stages the shim runs before exec. */
#ifndef VX_STAGES_H
#define VX_STAGES_H

#include <sys/types.h>

struct shim_opts {
	const char	*cwd;
	int		 change;	/* -U and -G given: become them */
	uid_t		 uid;
	gid_t		 gid;
	gid_t		*groups;	/* -S: supplementary groups */
	int		 ngroups;
	const char	*home;		/* -H: HOME and the default cwd */
	const char	*login;		/* -L: USER and LOGNAME */
	const char	*cgroup;	/* cgroup v2 directory to join */
	long long	 nofile;	/* -1 = leave */
	long long	 nofile_hard;	/* -1 = same as nofile */
	long long	 nproc;
	long long	 memory;
	int		 reaper;	/* -R: stay as the tenant's subreaper */
	char		**argv;
};

/* Report {stage, error} on the status fd and _exit(127). */
void	stage_fail(int stage, int error) __attribute__((noreturn));
/* Close every fd above the status fd and mark the status fd cloexec. */
void	stage_fds(void);
/* Apply the nofile and nproc rlimits of opts. */
void	stage_rlimits(const struct shim_opts *);
/* Apply the memory rlimit of opts (RLIMIT_DATA). */
void	stage_memory(const struct shim_opts *);
/* Join opts->cgroup (if any) by writing 0 to its cgroup.procs. */
void	stage_cgroup(const struct shim_opts *);
/* chdir to opts->cwd, or to opts->home (falling back to /). */
void	stage_chdir(const struct shim_opts *);
/* With WATCHDOG_USEC set, WATCHDOG_PID names us, as systemd does. */
void	stage_watchdog_pid(void);
/* execvp the tenant command with the environment we were given. */
void	stage_exec(const struct shim_opts *) __attribute__((noreturn));

#endif

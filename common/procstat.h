/* procstat.h: what a /proc/PID/stat line and a /proc list of pids say. */
#ifndef VX_PROCSTAT_H
#define VX_PROCSTAT_H

#include <sys/types.h>

/* The fields of /proc/PID/stat that the supervisor and the reaper use. */
struct procstat {
	int			state;		/* R, S, Z, ... */
	pid_t			ppid;
	pid_t			pgid;
	pid_t			sid;
	unsigned long long	ticks;		/* utime+stime+cutime+cstime */
	long long		start;		/* clock ticks after boot */
	long long		rss_pages;
};

/* Parse /proc/PID/stat text (NUL-terminated); -1 if malformed. */
int		 procstat_parse(const char *, struct procstat *);
/*
 * The next pid of a list separated by blanks or newlines, as in
 * /proc/PID/task/TID/children and cgroup.procs: s after it, or NULL at the
 * end of the list or at anything that is not a positive pid.
 */
const char	*procstat_next_pid(const char *s, pid_t *pid);

#endif

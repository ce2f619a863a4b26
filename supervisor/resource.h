/* resource.h: CPU and memory of every process of each tenant, from /proc. */
#ifndef VX_RESOURCE_H
#define VX_RESOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RESOURCE_CACHE_MS	1000	/* list/status reuse a sample */
#define RESOURCE_LIMIT_S	3.	/* memory limit checks, when needed */

/* What one line of /proc/PID/stat says about a process. */
struct resource_proc {
	pid_t			pgid;
	pid_t			sid;
	unsigned long long	ticks;		/* utime+stime+cutime+cstime */
	long long		rss_pages;
};

/* Parse /proc/PID/stat text (NUL-terminated); -1 if malformed. */
int	resource_parse_stat(const char *, struct resource_proc *);
/* CPU percent of one core for ticks used over ms milliseconds. */
double	resource_cpu_percent(unsigned long long ticks, uint64_t ms, long hz);
/* "memory 812 MiB above limit 800 MiB" */
void	resource_limit_text(long long rss, long long limit, char *, size_t);
/* Before list/status answers: sample every running tenant unless fresh. */
void	resource_refresh(void);
/* Run the memory-limit timer only while a limited worker runs. */
void	resource_schedule(void);

#endif

/* procstat.c: /proc/PID/stat and pid lists, parsed without trusting them. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "procstat.h"

/* Fields 3 to 24 of stat, after the command in parentheses. */
int
procstat_parse(const char *buf, struct procstat *p)
{
	long long v[25];
	const char *s;
	char *end;
	int f, i;

	/* The command may hold ") ", so the last parenthesis counts. */
	if ((s = strrchr(buf, ')')) == NULL || s[1] != ' ' || s[2] == '\0' ||
	    s[2] == ' ')
		return -1;
	p->state = (unsigned char)s[2];
	s += 3;		/* past the state letter */
	for (f = 4; f <= 24; f++) {
		if (*s != ' ')
			return -1;
		s++;
		errno = 0;
		v[f] = strtoll(s, &end, 10);
		if (end == s || errno != 0)
			return -1;
		s = end;
	}
	if (v[4] < 0 || v[4] > INT_MAX || v[5] < INT_MIN || v[5] > INT_MAX ||
	    v[6] < INT_MIN || v[6] > INT_MAX)
		return -1;
	p->ppid = (pid_t)v[4];
	p->pgid = (pid_t)v[5];
	p->sid = (pid_t)v[6];
	p->ticks = 0;
	for (i = 14; i <= 17; i++)	/* utime stime cutime cstime */
		if (v[i] > 0)
			p->ticks += (unsigned long long)v[i];
	p->start = v[22] > 0 ? v[22] : 0;
	p->rss_pages = v[24] > 0 ? v[24] : 0;
	return 0;
}

/* One pid of a children file or of cgroup.procs. */
const char *
procstat_next_pid(const char *s, pid_t *pid)
{
	char *end;
	long v;

	while (*s == ' ' || *s == '\n' || *s == '\t')
		s++;
	if (*s < '0' || *s > '9')
		return NULL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || v <= 0 || v > INT_MAX ||
	    (*end != '\0' && *end != ' ' && *end != '\n' && *end != '\t'))
		return NULL;
	*pid = (pid_t)v;
	return end;
}

/*
 * pidref.c: pidfds, so that a process that is not our child is signalled
 * only while it is the one we looked at, never a later owner of its pid.
 */
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pidref.h"

/* pidfd_open(2); its descriptors are close-on-exec. */
int
pidref_open(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/* pidfd_send_signal(2), which also works on a zombie that is not reaped. */
int
pidref_signal(int fd, int sig)
{
#ifdef SYS_pidfd_send_signal
	return (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
#else
	(void)fd;
	(void)sig;
	errno = ENOSYS;
	return -1;
#endif
}

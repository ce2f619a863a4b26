/*
 * main.c: vectis-listener, the master's unprivileged HTTP front end.
 * The master starts it with the bound listening socket on fd 3 and its
 * end of a socketpair on fd 4; it is not meant to be run by hand.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "jail.h"
#include "listener.h"
#include "log.h"

#define FD_LISTEN	3
#define FD_CHAN		4

static long
number(const char *s, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > INT_MAX)
		fatalx("bad %s '%s'", what, s);
	return v;
}

int
main(int argc, char **argv)
{
	struct vx_err err;
	uid_t uid;
	gid_t gid;

	log_init("vectis-listener");
	if (argc != 3 && argc != 4)
		fatalx("usage: vectis-listener UID GID [EMPTY-DIR] (started "
		    "by vectis-supervisor run)");
	uid = (uid_t)number(argv[1], "uid");
	gid = (gid_t)number(argv[2], "gid");
	if (fcntl(FD_LISTEN, F_GETFD) == -1 || fcntl(FD_CHAN, F_GETFD) == -1)
		fatalx("fds 3 and 4 must be the socket and the master channel");
	(void)fcntl(FD_LISTEN, F_SETFD, FD_CLOEXEC);
	(void)fcntl(FD_CHAN, F_SETFD, FD_CLOEXEC);
	(void)fcntl(FD_CHAN, F_SETFL, O_NONBLOCK);
	(void)signal(SIGPIPE, SIG_IGN);
	/*
	 * RLIMIT_FSIZE is 0 (jail.c): a log line to a stderr that is a
	 * regular file (the log of a background master) fails with EFBIG
	 * instead of killing us; to a pipe or the journal it gets through.
	 */
	(void)signal(SIGXFSZ, SIG_IGN);
	vx_err_clear(&err);
	if (jail_enter(uid, gid, argc == 4 ? argv[3] : NULL, &err) == -1)
		fatalx("%s", err.msg);
	/* Cleared by the uid change, so set afterwards. */
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	if (listener_run(FD_LISTEN, FD_CHAN, &err) == -1)
		fatalx("%s", err.msg);
	return 0;
}

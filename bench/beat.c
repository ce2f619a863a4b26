/* beat.c: a bench worker that sends READY=1, then WATCHDOG=1 at HZ. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	const char *fds = getenv("VECTIS_NOTIFY_FD");
	int hz = argc > 1 ? atoi(argv[1]) : 10, fd;
	struct timespec ts;

	if (fds == NULL || hz <= 0)
		return 2;
	fd = atoi(fds);
	ts.tv_sec = 0;
	ts.tv_nsec = 1000000000L / hz;
	if (write(fd, "READY=1\n", 8) != 8)
		return 1;
	for (;;) {
		nanosleep(&ts, NULL);
		if (write(fd, "WATCHDOG=1\n", 11) != 11)
			return 1;
	}
}

/* beat.c: a bench worker that sends READY=1, then WATCHDOG=1 at HZ. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	const char *fds = getenv("VECTIS_NOTIFY_FD");
	long hz = argc > 1 ? strtol(argv[1], NULL, 10) : 10, fd;
	struct timespec ts;

	if (fds == NULL || hz <= 0 || hz > 1000000)
		return 2;
	fd = strtol(fds, NULL, 10);
	if (fd < 0 || fd > 65535)
		return 2;
	ts.tv_sec = 0;
	ts.tv_nsec = 1000000000L / hz;
	if (write((int)fd, "READY=1\n", 8) != 8)
		return 1;
	for (;;) {
		nanosleep(&ts, NULL);
		if (write((int)fd, "WATCHDOG=1\n", 11) != 11)
			return 1;
	}
}

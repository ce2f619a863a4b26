/* startload.c: a bench worker whose start costs CPU and memory before READY=1. */
/*
 * usage: startload CPU_MS MB KEEP_MB
 *
 * Like a browser bot coming up: it touches MB megabytes, spends CPU_MS
 * milliseconds of its own CPU time (not wall time: on a busy machine it
 * takes longer), gives back all but KEEP_MB, sends READY=1 on
 * VECTIS_NOTIFY_FD and then sleeps until it is signalled.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static long
num(const char *s, long max)
{
	char *end;
	long v;

	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || v < 0 || v > max)
		return -1;
	return v;
}

static long long
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
main(int argc, char **argv)
{
	const char *fds = getenv("VECTIS_NOTIFY_FD");
	long ms, mb, keep, fd;
	size_t len, kept, i, j;
	unsigned char *p;
	unsigned long sum = 0;

	if (argc != 4 || (ms = num(argv[1], 3600000)) < 0 ||
	    (mb = num(argv[2], 1 << 20)) < 0 ||
	    (keep = num(argv[3], 1 << 20)) < 0 || keep > mb)
		return 2;
	fd = fds != NULL ? num(fds, 65535) : -1;
	len = (size_t)mb << 20;
	kept = (size_t)keep << 20;
	p = NULL;
	if (len > 0) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 1;
		memset(p, 1, len);		/* resident, page by page */
	}
	/* Work on the memory until the CPU budget is spent. */
	for (i = 0; cpu_ms() < ms; ) {
		for (j = 0; j < 100000; j++, i++) {
			if (len > 0)
				sum += p[(i * 4099) % len]++;
			else
				sum += i;
		}
	}
	if (len > kept && munmap(p + kept, len - kept) == -1)
		return 1;
	if (fd >= 0 && write((int)fd, "READY=1\n", 8) != 8)
		return 1;
	for (;;)
		pause();
	/* NOTREACHED */
	return (int)(sum & 1);
}

/* parser.c: raw throughput of the notify line splitter and parser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "notify.h"

static unsigned long ok, bad;

static void
line_cb(void *arg, const char *line, size_t len)
{
	struct notify_msg m;

	if (notify_parse(line, len, &m) == 0)
		ok++;
	else
		bad++;
}

int
main(int argc, char **argv)
{
	static const char *const lines[] = { "WATCHDOG=1\n", "READY=1\n",
	    "STATUS=serving 12 chats\n", "SESSION=CONNECTED\n",
	    "X_UNKNOWN=whatever\n", "WATCHDOG=1\n", "WATCHDOG=1\n",
	    "LAST_ERROR=auth failed: 401\n" };
	long total = argc > 1 ? strtol(argv[1], NULL, 10) : 20000000;
	struct notify_split sp;
	struct timespec a, b;
	char buf[8192];
	size_t len = 0, i = 0;
	long fed = 0, n = 0;
	double s;

	/* An 8 KiB chunk of mixed lines, fed as the pipe reader would. */
	while (len + 40 < sizeof(buf)) {
		strcpy(buf + len, lines[i++ % 8]);
		len += strlen(buf + len);
		n++;
	}
	memset(&sp, 0, sizeof(sp));
	clock_gettime(CLOCK_MONOTONIC, &a);
	while (fed < total) {
		notify_split_feed(&sp, buf, len, line_cb, NULL);
		fed += n;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) /
	    1e9;
	printf("parser lines=%ld seconds=%.3f lines_per_s=%.0f ok=%lu bad=%lu\n",
	    fed, s, (double)fed / s, ok, bad);
	notify_split_reset(&sp);
	return 0;
}

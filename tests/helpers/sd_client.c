/*
 * sd_client.c: a worker that uses libsystemd's sd_notify(3), as an
 * unmodified systemd-aware C daemon would: STATUS, READY=1, then
 * WATCHDOG=1 at half the interval sd_watchdog_enabled(3) reports, each
 * ping counted on stdout so that a test can wait for them.
 */
#include <stdio.h>
#include <stdint.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

int
main(void)
{
	uint64_t usec = 0;
	unsigned long n;
	int wd;

	wd = sd_watchdog_enabled(0, &usec);
	sd_notifyf(0, "STATUS=watchdog %s, %llu usec", wd > 0 ? "on" : "off",
	    (unsigned long long)usec);
	usleep(200000);
	if (sd_notify(0, "READY=1\nSTATUS=serving") <= 0)
		return 1;
	for (n = 1;; n++) {
		usleep(wd > 0 ? (useconds_t)(usec / 2) : 1000000);
		sd_notify(0, "WATCHDOG=1");
		if (printf("ping %lu\n", n) < 0 || fflush(stdout) == EOF)
			return 1;
	}
}

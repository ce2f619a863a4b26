/*
 * sdmaster.c: tell our own service manager how we are, as sd_notify(3)
 * does, so that a systemd unit can be Type=notify with WatchdogSec=.
 * Nothing here runs unless NOTIFY_SOCKET was set when the master started.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <ev.h>

#include "log.h"
#include "master.h"
#include "sdmaster.h"
#include "tenant.h"

static struct sockaddr_un sdm_addr;
static socklen_t sdm_len;
static int sdm_fd = -1;
static double sdm_watchdog_s;
static ev_timer sdm_timer;

static void
sdmaster_send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
sdmaster_send(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	if (sdm_fd == -1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return;
	if (sendto(sdm_fd, msg, (size_t)n, MSG_NOSIGNAL,
	    (struct sockaddr *)&sdm_addr, sdm_len) == -1)
		log_debug("unable to notify the service manager: %s",
		    strerror(errno));
}

/* Read and clear the variables; they are for us, not for tenants. */
void
sdmaster_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET"), *wd, *wpid;
	size_t len;

	wd = getenv("WATCHDOG_USEC");
	wpid = getenv("WATCHDOG_PID");
	if (wd != NULL && (wpid == NULL || atol(wpid) == (long)getpid()))
		sdm_watchdog_s = atof(wd) / 1e6;
	if (path != NULL && (path[0] == '/' || path[0] == '@') &&
	    (len = strlen(path)) < sizeof(sdm_addr.sun_path)) {
		memset(&sdm_addr, 0, sizeof(sdm_addr));
		sdm_addr.sun_family = AF_UNIX;
		memcpy(sdm_addr.sun_path, path, len);
		if (path[0] == '@')
			sdm_addr.sun_path[0] = '\0';	/* abstract */
		sdm_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    len + (path[0] == '/' ? 1 : 0));
		sdm_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	}
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

static void
sdmaster_counts(char *buf, size_t len)
{
	size_t i, run = 0, err = 0;

	for (i = 0; i < M->ntenants; i++) {
		const char *s = tenant_status_name(M->tenants[i]->state);

		if (strcmp(s, "RUNNING") == 0)
			run++;
		else if (strcmp(s, "ERROR") == 0)
			err++;
	}
	snprintf(buf, len, "%zu tenants: %zu running, %zu in error",
	    M->ntenants, run, err);
}

static void
sdmaster_watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	char counts[128];

	sdmaster_counts(counts, sizeof(counts));
	sdmaster_send("WATCHDOG=1\nSTATUS=%s", counts);
}

/* Type=notify: we are up once the autostart tenants were spawned. */
void
sdmaster_ready(struct ev_loop *loop)
{
	char counts[128];

	if (sdm_fd == -1)
		return;
	sdmaster_counts(counts, sizeof(counts));
	sdmaster_send("READY=1\nMAINPID=%ld\nSTATUS=%s", (long)getpid(),
	    counts);
	if (sdm_watchdog_s > 0) {
		/* Half the interval, as sd_watchdog_enabled(3) advises. */
		ev_timer_init(&sdm_timer, sdmaster_watchdog_cb,
		    sdm_watchdog_s / 2, sdm_watchdog_s / 2);
		ev_timer_start(loop, &sdm_timer);
	}
}

/* Shutdown: systemd shows "deactivating" instead of a crash. */
void
sdmaster_stopping(void)
{
	sdmaster_send("STOPPING=1\nSTATUS=stopping all tenants");
}

/*
 * sdmaster.c: tell our own service manager how we are, as sd_notify(3)
 * does, so that a systemd unit can be Type=notify with WatchdogSec=.
 * Nothing here runs unless NOTIFY_SOCKET was set when the master started.
 *
 * STATUS= carries the tenant counts.  It is recomputed when the master's
 * settle hook runs (once per loop iteration after a change), sent only when
 * the text differs from what was sent last, and at most once a second: a
 * change within the second arms one one-shot timer that sends the latest
 * counts when it fires.  With nothing changing there is no timer at all.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <ev.h>

#include "clock.h"
#include "log.h"
#include "master.h"
#include "sdmaster.h"
#include "tenant.h"

static struct sockaddr_un sdm_addr;
static socklen_t sdm_len;
static int sdm_fd = -1;
static double sdm_watchdog_s;
static ev_timer sdm_timer;		/* WATCHDOG=1 pings */
static ev_timer sdm_status_timer;	/* the rate-limited STATUS= */
static int sdm_ready;			/* READY=1 was sent */
static char sdm_status[128];		/* the last STATUS= sent */
static uint64_t sdm_status_ms;		/* when, CLOCK_MONOTONIC */

#define SDM_STATUS_INTERVAL_MS 1000

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

/* Whether WATCHDOG_PID names this process; a malformed one does not. */
static int
sdm_is_our_pid(const char *s)
{
	char *end;
	long pid;

	errno = 0;
	pid = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0)
		return 0;
	return pid == (long)getpid();
}

/* WATCHDOG_USEC in seconds; 0 (no watchdog) when it is malformed. */
static double
sdm_parse_usec(const char *s)
{
	char *end;
	double usec;

	errno = 0;
	usec = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !isfinite(usec))
		return 0;
	return usec / 1e6;
}

/* Read and clear the variables; they are for us, not for tenants. */
void
sdmaster_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET"), *wd, *wpid;
	size_t len;

	wd = getenv("WATCHDOG_USEC");
	wpid = getenv("WATCHDOG_PID");
	if (wd != NULL && (wpid == NULL || sdm_is_our_pid(wpid)))
		sdm_watchdog_s = sdm_parse_usec(wd);
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
	size_t i, run = 0, stop = 0, err = 0;

	for (i = 0; i < M->ntenants; i++) {
		switch (M->tenants[i]->state) {
		case TS_STARTING:
		case TS_RUNNING:
		case TS_STOPPING:
		case TS_STOPPING_RESTART:
		case TS_STOPPING_FAIL:
		case TS_STOPPING_CYCLE:
			run++;
			break;
		case TS_STOPPED:
		case TS_EXITED:
		case TS_QUEUED:
			stop++;
			break;
		case TS_BACKOFF:
		case TS_FATAL:
			err++;
			break;
		case TS_NSTATES:
			break;
		}
	}
	/* The same three counts as the control plane's status enum. */
	snprintf(buf, len, "%s%zu tenant%s: %zu running, %zu stopped, "
	    "%zu error", M->shutting_down ? "stopping; " : "", M->ntenants,
	    M->ntenants == 1 ? "" : "s", run, stop, err);
}

/* Send STATUS=counts after the assignments in head; remember what and when. */
static void
sdmaster_status_send(const char *head, const char *counts)
{
	snprintf(sdm_status, sizeof(sdm_status), "%s", counts);
	sdm_status_ms = clock_mono_ms();
	sdmaster_send("%sSTATUS=%s", head, counts);
}

/*
 * Send the counts if they changed and a second has passed since the last
 * STATUS=, else arm the one-shot timer for the rest of that second.  The
 * check is on CLOCK_MONOTONIC, not on the loop's cached time, so a timer
 * that fires early only re-arms itself.
 */
static void
sdmaster_status_due(struct ev_loop *loop)
{
	char counts[sizeof(sdm_status)];
	uint64_t since;

	sdmaster_counts(counts, sizeof(counts));
	if (strcmp(counts, sdm_status) == 0)
		return;
	since = clock_mono_ms() - sdm_status_ms;
	if (since >= SDM_STATUS_INTERVAL_MS) {
		sdmaster_status_send("", counts);
		return;
	}
	ev_timer_set(&sdm_status_timer,
	    (double)(SDM_STATUS_INTERVAL_MS - since) / 1e3, 0.);
	ev_timer_start(loop, &sdm_status_timer);
}

static void
sdmaster_status_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	sdmaster_status_due(loop);
}

static void
sdmaster_watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	sdmaster_send("WATCHDOG=1");
}

/* Type=notify: we are up once the autostart tenants were spawned. */
void
sdmaster_ready(struct ev_loop *loop)
{
	char counts[sizeof(sdm_status)], head[64];

	if (sdm_fd == -1)
		return;
	sdmaster_counts(counts, sizeof(counts));
	snprintf(head, sizeof(head), "READY=1\nMAINPID=%ld\n", (long)getpid());
	sdmaster_status_send(head, counts);
	sdm_ready = 1;
	ev_init(&sdm_status_timer, sdmaster_status_cb);
	if (sdm_watchdog_s > 0) {
		/* Half the interval, as sd_watchdog_enabled(3) advises. */
		ev_timer_init(&sdm_timer, sdmaster_watchdog_cb,
		    sdm_watchdog_s / 2, sdm_watchdog_s / 2);
		ev_timer_start(loop, &sdm_timer);
	}
}

/* A tenant changed: STATUS= if the counts did, at most once a second. */
void
sdmaster_changed(struct ev_loop *loop)
{
	if (sdm_fd == -1 || !sdm_ready || ev_is_active(&sdm_status_timer))
		return;		/* not ours, or the timer sends the latest */
	sdmaster_status_due(loop);
}

/* Shutdown: systemd shows "deactivating" instead of a crash. */
void
sdmaster_stopping(void)
{
	char counts[sizeof(sdm_status)];

	if (sdm_fd == -1)
		return;
	sdmaster_counts(counts, sizeof(counts));
	sdmaster_status_send("STOPPING=1\n", counts);
}

/* workerconf.h: the node's worker.conf and its sync status (SPEC 9). */
#ifndef VX_WORKERCONF_H
#define VX_WORKERCONF_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "kvconf.h"

/* SYNC_STATUS values; the order is the file's spelling in wc_status_names. */
enum wc_status {
	WC_PENDING,
	WC_SYNCED,
	WC_FAILED,
	WC_OUTDATED,
};

/* What happened to the node's registration. */
enum wc_event {
	WC_EV_SYNC_OK,		/* a registration succeeded */
	WC_EV_SYNC_FAIL,	/* a registration attempt failed */
	WC_EV_CHANGED,		/* IP, secret or announced config differ */
};

#define WC_SHA256_HEX	65	/* 64 hex digits and a NUL */

struct workerconf {
	struct kvconf	kv;		/* every key as read, in file order */
	enum wc_status	status;
	unsigned int	timeout_s;	/* SYNC_TIMEOUT_S [10] */
	unsigned int	retries;	/* SYNC_RETRIES [2] */
	unsigned int	retry_delay_ms;	/* SYNC_RETRY_DELAY_MS [1000] */
	unsigned int	check_interval_s; /* SYNC_CHECK_INTERVAL_S [300] */
	int		metrics_open;	/* METRICS_OPEN [0] */
	uint64_t	config_version;	/* CONFIG_VERSION [0] */
	uint64_t	announced_version; /* ANNOUNCED_CONFIG_VERSION [0] */
};

/* Called by workerconf_update() with the current file: 0 save, 1 keep, -1. */
typedef int	(*workerconf_fn)(struct workerconf *, void *,
		    struct vx_err *);

/* The keys worker.conf may hold, NULL-terminated. */
extern const char *const workerconf_keys[];

/*
 * Read path (a missing file gives the defaults and SYNC_STATUS=pending);
 * unknown keys and malformed values are errors with file and line.
 */
int		 workerconf_load(const char *path, struct workerconf *,
		    struct vx_err *);
void		 workerconf_free(struct workerconf *);
/* A key's value, its documented default when unset, or NULL. */
const char	*workerconf_get(const struct workerconf *, const char *key);
/* Set a key (NULL removes it) and re-derive the typed fields. */
int		 workerconf_set(struct workerconf *, const char *key,
		    const char *value, struct vx_err *);
/*
 * Read-modify-write of path under an flock on path.lock: load, call fn,
 * save atomically with mode 0600 when fn returned 0.  *out, when not
 * NULL, receives the config as saved (caller frees).
 */
int		 workerconf_update(const char *path, workerconf_fn fn,
		    void *arg, struct workerconf *out, struct vx_err *);
/* The SYNC_STATUS after event in state from, or -1 if SPEC 9 forbids it. */
int		 workerconf_transition(enum wc_status from, enum wc_event);
/* "pending", "synced", ... */
const char	*workerconf_status_name(enum wc_status);
/* The status named s, or -1. */
int		 workerconf_status_parse(const char *s);
/*
 * Does the node differ from what it registered?  ip and secret_sha256 may
 * be NULL (not checked).  Returns 1 with why filled, else 0.  Pure.
 */
int		 workerconf_differs(const struct workerconf *, const char *ip,
		    const char *secret_sha256, char *why, size_t whysz);
/*
 * Under the lock, mark a synced node outdated when workerconf_differs();
 * *now receives the resulting config (caller frees), why the reason.
 */
int		 workerconf_mark_outdated(const char *path, const char *ip,
		    const char *secret_sha256, struct workerconf *now,
		    char *why, size_t whysz, struct vx_err *);

#endif

/* spec.h: a tenant's spec, the apply/export JSON of vectis-tenants(5). */
#ifndef VX_SPEC_H
#define VX_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cron.h"
#include "err.h"

enum restart_mode {
	RESTART_ALWAYS,
	RESTART_ON_FAILURE,
	RESTART_NEVER,
};

enum notify_mode {
	NOTIFY_NONE,
	NOTIFY_PIPE,
	NOTIFY_SYSTEMD,
};

struct env_var {
	char	*key;
	char	*value;
};

/*
 * Every field of SPEC section 4.  Strings are owned (malloc'd) by the spec;
 * optional ones are NULL when absent.  Optional numbers use -1 for "not set"
 * (limits) so that export can print null.
 */
struct tenant_spec {
	char		 *name;
	char		 *tenant_id;		/* NULL = null */
	char		**argv;			/* NULL-terminated, argc >= 1 */
	size_t		  argc;
	char		 *cwd;			/* NULL = home dir or / */
	struct env_var	 *env;			/* sorted by key */
	size_t		  nenv;
	char		 *user;
	char		 *group;
	int		  autostart;		/* default 1 */
	struct {
		enum restart_mode policy;	/* on-failure */
		int	max_restarts;		/* 10 */
		int	window_s;		/* 300 */
		int	backoff_initial_ms;	/* 100 */
		int	backoff_max_ms;		/* 30000 */
		int	min_uptime_s;		/* 5 */
		int	retry_after_s;		/* 300; 0 = never */
		char	*cron;			/* NULL = no schedule */
		struct cron sched;		/* cron, parsed */
		int	max_age_s;		/* 0 = no age limit */
	} restart;
	int		  start_timeout_s;	/* 60 */
	struct {
		int	signal;			/* SIGTERM */
		int	timeout_s;		/* 10 */
	} stop;
	struct {
		int	timeout_s;		/* 0 = no watchdog */
	} heartbeat;
	enum notify_mode  notify;		/* none */
	struct {
		int64_t	nofile;			/* -1 = unset */
		int64_t	nproc;
		int64_t	memory_max_bytes;
		int64_t	max_memory_restart_bytes;
	} limits;
	struct {
		int64_t	max_size_bytes;		/* 10 MiB */
		int	keep;			/* 5 */
	} logs;
};

/* Fill every field with its default; name and argv stay NULL. */
void		 spec_init(struct tenant_spec *);
/* Release everything the spec owns and re-initialise it. */
void		 spec_free(struct tenant_spec *);
/*
 * Build a spec from one JSON object.  Unknown fields, wrong types, out of
 * range numbers, a bad name or a missing/empty command are errors: err says
 * which field and why ("restart.max_restarts: must be an integer 0..100000").
 * On error the spec is left freed.
 */
int		 spec_from_json(const json_t *, struct tenant_spec *,
		    struct vx_err *);
/* The spec as a JSON object with every field (defaults included). */
json_t		*spec_to_json(const struct tenant_spec *);
/* Parse the JSON text of one spec (as stored in the database). */
int		 spec_from_text(const char *, struct tenant_spec *,
		    struct vx_err *);
/* Compact, key-sorted JSON text of the spec; caller frees. */
char		*spec_to_text(const struct tenant_spec *);
/* Deep copy; 0 or -1 (ENOMEM). */
int		 spec_copy(struct tenant_spec *dst, const struct tenant_spec *);

const char	*spec_restart_mode_name(enum restart_mode);
const char	*spec_notify_mode_name(enum notify_mode);

/* Whether k is an environment name: [A-Za-z_][A-Za-z0-9_]*. */
int	spec_env_key_ok(const char *k);

#endif

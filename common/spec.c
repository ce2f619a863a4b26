/* spec.c: a tenant's spec, the apply/export JSON of vectis-tenants(5). */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cron.h"
#include "err.h"
#include "esc.h"
#include "name.h"
#include "sig.h"
#include "spec.h"

#define SPEC_MAX_ARGS		256
#define SPEC_MAX_ARG_LEN	4096
#define SPEC_MAX_PATH_LEN	4096
#define SPEC_MAX_TENANT_ID	128
#define SPEC_MAX_ENV		1024
#define SPEC_MAX_ENV_KEY	256
#define SPEC_MAX_ENV_VALUE	32768
#define SPEC_MAX_ACCOUNT	32
#define SPEC_2_40		((long long)1 << 40)
#define SPEC_2_50		((long long)1 << 50)

#define SPEC_PATH_LEN		(ESC_SHORT_LEN + 64)

#define SPEC_RESERVED_PREFIX	"VECTIS_"

static const char *const spec_top_fields[] = {
	"name", "tenant_id", "command", "cwd", "env", "user", "group",
	"autostart", "restart", "start_timeout_s", "stop", "heartbeat",
	"notify", "limits", "logs", NULL
};
static const char *const spec_restart_fields[] = {
	"policy", "max_restarts", "window_s", "backoff_initial_ms",
	"backoff_max_ms", "min_uptime_s", "retry_after_s", "cron", "max_age_s",
	NULL
};
static const char *const spec_stop_fields[] = {
	"signal", "timeout_s", NULL
};
static const char *const spec_heartbeat_fields[] = {
	"timeout_s", NULL
};
static const char *const spec_limits_fields[] = {
	"nofile", "nproc", "memory_max_bytes", "max_memory_restart_bytes",
	NULL
};
static const char *const spec_logs_fields[] = {
	"max_size_bytes", "keep", NULL
};

static const char *const spec_restart_names[] = {
	[RESTART_ALWAYS] = "always",
	[RESTART_ON_FAILURE] = "on-failure",
	[RESTART_NEVER] = "never",
};
static const char *const spec_notify_names[] = {
	[NOTIFY_NONE] = "none",
	[NOTIFY_PIPE] = "pipe",
	[NOTIFY_SYSTEMD] = "systemd",
};

/* The field path "prefix.key" (or "key" at the top), key escaped. */
static const char *
spec_path(char *buf, size_t size, const char *prefix, const char *key)
{
	char esc[ESC_SHORT_LEN];

	esc_bytes(esc, sizeof(esc), key, strlen(key), ESC_ECHO);
	if (prefix == NULL || *prefix == '\0')
		snprintf(buf, size, "%s", esc);
	else
		snprintf(buf, size, "%s.%s", prefix, esc);
	return buf;
}

/* Record "path: why" as a spec error; always returns -1. */
static int __attribute__((format(printf, 3, 4)))
spec_fail(struct vx_err *err, const char *path, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vx_err_set(err, VX_EXIT_FAIL, "%s: %s", path, msg);
	return -1;
}

/* A JSON string that holds no NUL byte; its length in *len. */
static const char *
spec_cstring(const json_t *v, size_t *len)
{
	const char *s;

	if (!json_is_string(v))
		return NULL;
	s = json_string_value(v);
	*len = json_string_length(v);
	if (strlen(s) != *len)
		return NULL;
	return s;
}

/* Reject any member of obj whose key is not in known. */
static int
spec_check_fields(const json_t *obj, const char *prefix,
    const char *const *known, struct vx_err *err)
{
	char path[SPEC_PATH_LEN];
	const char *key;
	json_t *v;
	size_t i;

	/* jansson's iterators take a non-const object but do not change it. */
	json_object_foreach((json_t *)obj, key, v) {
		for (i = 0; known[i] != NULL; i++) {
			if (strcmp(key, known[i]) == 0)
				break;
		}
		if (known[i] == NULL)
			return spec_fail(err,
			    spec_path(path, sizeof(path), prefix, key),
			    "unknown field");
	}
	return 0;
}

/*
 * The nested object obj.key, or NULL when absent; *bad is set when it is
 * present but not an object or has unknown fields.
 */
static const json_t *
spec_object(const json_t *obj, const char *key, const char *const *known,
    int *bad, struct vx_err *err)
{
	const json_t *v;

	*bad = 0;
	if ((v = json_object_get(obj, key)) == NULL)
		return NULL;
	if (!json_is_object(v)) {
		spec_fail(err, key, "must be an object");
		*bad = 1;
		return NULL;
	}
	if (spec_check_fields(v, key, known, err) == -1) {
		*bad = 1;
		return NULL;
	}
	return v;
}

/*
 * An integer member in min..max (or null, stored as -1, when nullable);
 * *out keeps its default when the member is absent.
 */
static int
spec_integer(const json_t *obj, const char *prefix, const char *key,
    long long min, long long max, int nullable, long long *out,
    struct vx_err *err)
{
	char path[SPEC_PATH_LEN];
	const json_t *v;
	long long n;

	if (obj == NULL || (v = json_object_get(obj, key)) == NULL)
		return 0;
	if (nullable && json_is_null(v)) {
		*out = -1;
		return 0;
	}
	if (json_is_integer(v)) {
		n = json_integer_value(v);
		if (n >= min && n <= max) {
			*out = n;
			return 0;
		}
	}
	return spec_fail(err, spec_path(path, sizeof(path), prefix, key),
	    "must be %san integer in %lld..%lld", nullable ? "null or " : "",
	    min, max);
}

/* spec_integer() for an int field that cannot be null. */
static int
spec_int(const json_t *obj, const char *prefix, const char *key, int min,
    int max, int *out, struct vx_err *err)
{
	long long n = *out;

	if (spec_integer(obj, prefix, key, min, max, 0, &n, err) == -1)
		return -1;
	*out = (int)n;
	return 0;
}

/* spec_integer() for an optional int64_t field (limits). */
static int
spec_int64(const json_t *obj, const char *prefix, const char *key,
    long long min, long long max, int nullable, int64_t *out,
    struct vx_err *err)
{
	long long n = *out;

	if (spec_integer(obj, prefix, key, min, max, nullable, &n, err) == -1)
		return -1;
	*out = n;
	return 0;
}

/* The index of a member that must be one of names, or -1 with err set. */
static int
spec_enum(const json_t *obj, const char *prefix, const char *key,
    const char *const *names, size_t count, int *out, struct vx_err *err)
{
	char path[SPEC_PATH_LEN], list[128];
	const json_t *v;
	const char *s;
	size_t i, len;

	if (obj == NULL || (v = json_object_get(obj, key)) == NULL)
		return 0;
	if ((s = spec_cstring(v, &len)) != NULL) {
		for (i = 0; i < count; i++) {
			if (strcmp(s, names[i]) == 0) {
				*out = (int)i;
				return 0;
			}
		}
	}
	list[0] = '\0';
	for (i = 0; i < count; i++) {
		if (i > 0)
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		strncat(list, names[i], sizeof(list) - strlen(list) - 1);
	}
	return spec_fail(err, spec_path(path, sizeof(path), prefix, key),
	    "must be one of %s", list);
}

/* Duplicate a C string into *dst; -1 on ENOMEM. */
static int
spec_strdup(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	if ((*dst = strdup(src)) == NULL)
		return -1;
	return 0;
}

/* Out of memory while parsing is reported like any other error. */
static int
spec_nomem(struct vx_err *err, const char *path)
{
	return spec_fail(err, path, "%s", strerror(ENOMEM));
}

static int
spec_parse_name(const json_t *j, struct tenant_spec *s, struct vx_err *err)
{
	struct vx_err nerr;
	const json_t *v;
	const char *name;
	size_t len;

	if ((v = json_object_get(j, "name")) == NULL)
		return spec_fail(err, "name", "required");
	if (!json_is_string(v))
		return spec_fail(err, "name", "must be a string");
	if ((name = spec_cstring(v, &len)) == NULL) {
		vx_err_set(err, VX_EXIT_USAGE, "name: invalid tenant name: "
		    "contains a NUL byte; must match "
		    "^[a-z0-9][a-z0-9_.-]{0,62}$");
		return -1;
	}
	vx_err_clear(&nerr);
	if (name_check(name, &nerr) == -1) {
		vx_err_set(err, nerr.code, "name: %s", nerr.msg);
		return -1;
	}
	if (spec_strdup(&s->name, name) == -1)
		return spec_nomem(err, "name");
	return 0;
}

static int
spec_parse_tenant_id(const json_t *j, struct tenant_spec *s,
    struct vx_err *err)
{
	const json_t *v;
	const char *id;
	size_t len, i;

	if ((v = json_object_get(j, "tenant_id")) == NULL || json_is_null(v))
		return 0;
	if ((id = spec_cstring(v, &len)) == NULL || len == 0 ||
	    len > SPEC_MAX_TENANT_ID)
		goto bad;
	for (i = 0; i < len; i++) {
		if ((unsigned char)id[i] < 0x20 || id[i] == 0x7f)
			goto bad;
	}
	if (spec_strdup(&s->tenant_id, id) == -1)
		return spec_nomem(err, "tenant_id");
	return 0;
bad:
	return spec_fail(err, "tenant_id", "must be null or a string of "
	    "1..%d bytes without control characters", SPEC_MAX_TENANT_ID);
}

static int
spec_parse_command(const json_t *j, struct tenant_spec *s,
    struct vx_err *err)
{
	char path[32];
	const json_t *v, *a;
	size_t n, i, len;

	if ((v = json_object_get(j, "command")) == NULL)
		return spec_fail(err, "command", "required");
	if (!json_is_array(v) || (n = json_array_size(v)) == 0)
		return spec_fail(err, "command",
		    "must be a non-empty array of strings");
	if (n > SPEC_MAX_ARGS)
		return spec_fail(err, "command", "at most %d arguments",
		    SPEC_MAX_ARGS);
	for (i = 0; i < n; i++) {
		a = json_array_get(v, i);
		snprintf(path, sizeof(path), "command[%zu]", i);
		if (!json_is_string(a))
			return spec_fail(err, path, "must be a string");
		if (spec_cstring(a, &len) == NULL)
			return spec_fail(err, path, "must not contain NUL");
		/* Arguments may be empty (redis --save ""); the program not. */
		if (len == 0 && i == 0)
			return spec_fail(err, path, "must not be empty");
		if (len > SPEC_MAX_ARG_LEN)
			return spec_fail(err, path, "longer than %d bytes",
			    SPEC_MAX_ARG_LEN);
	}
	if ((s->argv = calloc(n + 1, sizeof(*s->argv))) == NULL)
		return spec_nomem(err, "command");
	for (i = 0; i < n; i++) {
		if (spec_strdup(&s->argv[i],
		    json_string_value(json_array_get(v, i))) == -1)
			return spec_nomem(err, "command");
		s->argc = i + 1;
	}
	return 0;
}

static int
spec_parse_cwd(const json_t *j, struct tenant_spec *s, struct vx_err *err)
{
	const json_t *v;
	const char *cwd;
	size_t len;

	if ((v = json_object_get(j, "cwd")) == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		goto bad;
	if ((cwd = spec_cstring(v, &len)) == NULL)
		return spec_fail(err, "cwd", "must not contain NUL");
	if (cwd[0] != '/')
		goto bad;
	if (len > SPEC_MAX_PATH_LEN)
		return spec_fail(err, "cwd", "longer than %d bytes",
		    SPEC_MAX_PATH_LEN);
	if (spec_strdup(&s->cwd, cwd) == -1)
		return spec_nomem(err, "cwd");
	return 0;
bad:
	return spec_fail(err, "cwd", "must be null or an absolute path");
}

/* An environment name the shell would accept: [A-Za-z_][A-Za-z0-9_]*. */
int
spec_env_key_ok(const char *k)
{
	size_t i;

	if (k[0] == '\0' || (k[0] >= '0' && k[0] <= '9'))
		return 0;
	for (i = 0; k[i] != '\0'; i++) {
		if (!((k[i] >= 'A' && k[i] <= 'Z') ||
		    (k[i] >= 'a' && k[i] <= 'z') ||
		    (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return 0;
	}
	return 1;
}

static int
spec_env_cmp(const void *a, const void *b)
{
	const struct env_var *x = a, *y = b;

	return strcmp(x->key, y->key);
}

static int
spec_parse_env(const json_t *j, struct tenant_spec *s, struct vx_err *err)
{
	char path[SPEC_PATH_LEN];
	const json_t *v;
	const char *key, *val;
	json_t *m;
	size_t n, len;

	if ((v = json_object_get(j, "env")) == NULL)
		return 0;
	if (!json_is_object(v))
		return spec_fail(err, "env", "must be an object");
	if ((n = json_object_size(v)) == 0)
		return 0;
	if (n > SPEC_MAX_ENV)
		return spec_fail(err, "env", "at most %d variables",
		    SPEC_MAX_ENV);
	if ((s->env = calloc(n, sizeof(*s->env))) == NULL)
		return spec_nomem(err, "env");
	json_object_foreach((json_t *)v, key, m) {
		spec_path(path, sizeof(path), "env", key);
		if (strlen(key) > SPEC_MAX_ENV_KEY)
			return spec_fail(err, path, "name longer than %d bytes",
			    SPEC_MAX_ENV_KEY);
		if (!spec_env_key_ok(key))
			return spec_fail(err, path,
			    "name must match [A-Za-z_][A-Za-z0-9_]*");
		if (strncmp(key, SPEC_RESERVED_PREFIX,
		    strlen(SPEC_RESERVED_PREFIX)) == 0)
			return spec_fail(err, path, "reserved name");
		if (!json_is_string(m))
			return spec_fail(err, path, "must be a string");
		if ((val = spec_cstring(m, &len)) == NULL)
			return spec_fail(err, path, "must not contain NUL");
		if (len > SPEC_MAX_ENV_VALUE)
			return spec_fail(err, path, "longer than %d bytes",
			    SPEC_MAX_ENV_VALUE);
		if (s->nenv >= n)
			break;	/* can't happen: the size was read above */
		if (spec_strdup(&s->env[s->nenv].key, key) == -1 ||
		    spec_strdup(&s->env[s->nenv].value, val) == -1) {
			s->nenv++;
			return spec_nomem(err, "env");
		}
		s->nenv++;
	}
	qsort(s->env, s->nenv, sizeof(*s->env), spec_env_cmp);
	return 0;
}

/* A user or group name: 1..32 of [A-Za-z0-9_.-], not starting with '-'. */
static int
spec_parse_account(const json_t *j, const char *key, char **out,
    struct vx_err *err)
{
	const json_t *v;
	const char *a;
	size_t len, i;

	if ((v = json_object_get(j, key)) == NULL || json_is_null(v))
		return 0;
	if ((a = spec_cstring(v, &len)) == NULL || len == 0 ||
	    len > SPEC_MAX_ACCOUNT || a[0] == '-')
		goto bad;
	for (i = 0; i < len; i++) {
		if (!((a[i] >= 'A' && a[i] <= 'Z') ||
		    (a[i] >= 'a' && a[i] <= 'z') ||
		    (a[i] >= '0' && a[i] <= '9') ||
		    a[i] == '_' || a[i] == '.' || a[i] == '-'))
			goto bad;
	}
	if (spec_strdup(out, a) == -1)
		return spec_nomem(err, key);
	return 0;
bad:
	return spec_fail(err, key, "must be null or a name of 1..%d "
	    "characters [A-Za-z0-9_.-] not starting with '-'",
	    SPEC_MAX_ACCOUNT);
}

/* restart.cron: null, or a schedule cron_parse() accepts. */
static int
spec_parse_cron(const json_t *o, struct tenant_spec *s, struct vx_err *err)
{
	struct vx_err cerr;
	const json_t *v;
	const char *text;
	size_t len;

	if ((v = json_object_get(o, "cron")) == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return spec_fail(err, "restart.cron", "must be null or a "
		    "string such as \"0 4 * * *\"");
	if ((text = spec_cstring(v, &len)) == NULL)
		return spec_fail(err, "restart.cron", "must not contain NUL");
	vx_err_clear(&cerr);
	if (cron_parse(text, &s->restart.sched, &cerr) == -1)
		return spec_fail(err, "restart.cron", "%s", cerr.msg);
	if (spec_strdup(&s->restart.cron, text) == -1)
		return spec_nomem(err, "restart.cron");
	return 0;
}

static int
spec_parse_restart(const json_t *j, struct tenant_spec *s,
    struct vx_err *err)
{
	const json_t *o;
	int bad, policy;

	o = spec_object(j, "restart", spec_restart_fields, &bad, err);
	if (bad)
		return -1;
	if (o == NULL)
		return 0;
	policy = (int)s->restart.policy;
	if (spec_enum(o, "restart", "policy", spec_restart_names,
	    sizeof(spec_restart_names) / sizeof(spec_restart_names[0]),
	    &policy, err) == -1)
		return -1;
	s->restart.policy = (enum restart_mode)policy;
	if (spec_int(o, "restart", "max_restarts", 0, 1000000,
	    &s->restart.max_restarts, err) == -1 ||
	    spec_int(o, "restart", "window_s", 1, 31536000,
	    &s->restart.window_s, err) == -1 ||
	    spec_int(o, "restart", "backoff_initial_ms", 0, 3600000,
	    &s->restart.backoff_initial_ms, err) == -1 ||
	    spec_int(o, "restart", "backoff_max_ms", 0, 86400000,
	    &s->restart.backoff_max_ms, err) == -1 ||
	    spec_int(o, "restart", "min_uptime_s", 0, 86400,
	    &s->restart.min_uptime_s, err) == -1 ||
	    spec_int(o, "restart", "retry_after_s", 0, 2592000,
	    &s->restart.retry_after_s, err) == -1 ||
	    spec_parse_cron(o, s, err) == -1 ||
	    spec_int(o, "restart", "max_age_s", 0, 31536000,
	    &s->restart.max_age_s, err) == -1)
		return -1;
	if (s->restart.backoff_max_ms < s->restart.backoff_initial_ms)
		return spec_fail(err, "restart.backoff_max_ms",
		    "must not be less than restart.backoff_initial_ms (%d)",
		    s->restart.backoff_initial_ms);
	/* An age restart before min_uptime_s would look like a crash loop. */
	if (s->restart.max_age_s > 0 &&
	    s->restart.max_age_s < s->restart.min_uptime_s)
		return spec_fail(err, "restart.max_age_s",
		    "%d is below restart.min_uptime_s (%d); use 0 (no age "
		    "limit) or at least %d", s->restart.max_age_s,
		    s->restart.min_uptime_s, s->restart.min_uptime_s);
	return 0;
}

static int
spec_parse_stop(const json_t *j, struct tenant_spec *s, struct vx_err *err)
{
	const json_t *o, *v;
	const char *name;
	size_t len;
	int bad, sig;

	o = spec_object(j, "stop", spec_stop_fields, &bad, err);
	if (bad)
		return -1;
	if (o == NULL)
		return 0;
	if ((v = json_object_get(o, "signal")) != NULL) {
		if ((name = spec_cstring(v, &len)) == NULL ||
		    (sig = sig_from_name(name)) == -1)
			return spec_fail(err, "stop.signal",
			    "must be a signal name such as SIGTERM");
		s->stop.signal = sig;
	}
	return spec_int(o, "stop", "timeout_s", 0, 3600, &s->stop.timeout_s,
	    err);
}

static int
spec_parse_limits(const json_t *j, struct tenant_spec *s,
    struct vx_err *err)
{
	const json_t *o;
	int bad;

	o = spec_object(j, "limits", spec_limits_fields, &bad, err);
	if (bad)
		return -1;
	if (o == NULL)
		return 0;
	if (spec_int64(o, "limits", "nofile", 1, 1048576, 1,
	    &s->limits.nofile, err) == -1 ||
	    spec_int64(o, "limits", "nproc", 1, 4194304, 1,
	    &s->limits.nproc, err) == -1 ||
	    spec_int64(o, "limits", "memory_max_bytes", 1048576, SPEC_2_50, 1,
	    &s->limits.memory_max_bytes, err) == -1 ||
	    spec_int64(o, "limits", "max_memory_restart_bytes", 1048576,
	    SPEC_2_50, 1, &s->limits.max_memory_restart_bytes, err) == -1)
		return -1;
	return 0;
}

/* Every field in the order of SPEC section 4; the first error wins. */
static int
spec_parse(const json_t *j, struct tenant_spec *s, struct vx_err *err)
{
	const json_t *o, *v;
	int bad, notify;

	if (!json_is_object(j))
		return spec_fail(err, "spec", "must be a JSON object");
	if (spec_check_fields(j, "", spec_top_fields, err) == -1)
		return -1;
	if (spec_parse_name(j, s, err) == -1 ||
	    spec_parse_tenant_id(j, s, err) == -1 ||
	    spec_parse_command(j, s, err) == -1 ||
	    spec_parse_cwd(j, s, err) == -1 ||
	    spec_parse_env(j, s, err) == -1 ||
	    spec_parse_account(j, "user", &s->user, err) == -1 ||
	    spec_parse_account(j, "group", &s->group, err) == -1)
		return -1;
	if ((v = json_object_get(j, "autostart")) != NULL) {
		if (!json_is_boolean(v))
			return spec_fail(err, "autostart", "must be a boolean");
		s->autostart = json_is_true(v);
	}
	if (spec_parse_restart(j, s, err) == -1 ||
	    spec_int(j, "", "start_timeout_s", 1, 86400, &s->start_timeout_s,
	    err) == -1 ||
	    spec_parse_stop(j, s, err) == -1)
		return -1;
	o = spec_object(j, "heartbeat", spec_heartbeat_fields, &bad, err);
	if (bad || spec_int(o, "heartbeat", "timeout_s", 0, 86400,
	    &s->heartbeat.timeout_s, err) == -1)
		return -1;
	notify = (int)s->notify;
	if (spec_enum(j, "", "notify", spec_notify_names,
	    sizeof(spec_notify_names) / sizeof(spec_notify_names[0]),
	    &notify, err) == -1)
		return -1;
	s->notify = (enum notify_mode)notify;
	if (spec_parse_limits(j, s, err) == -1)
		return -1;
	o = spec_object(j, "logs", spec_logs_fields, &bad, err);
	if (bad || spec_int64(o, "logs", "max_size_bytes", 4096, SPEC_2_40, 0,
	    &s->logs.max_size_bytes, err) == -1 ||
	    spec_int(o, "logs", "keep", 0, 1000, &s->logs.keep, err) == -1)
		return -1;
	return 0;
}

/* Defaults of SPEC section 4, so a partial JSON spec means the rest. */
void
spec_init(struct tenant_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->autostart = 1;
	s->restart.policy = RESTART_ON_FAILURE;
	s->restart.max_restarts = 10;
	s->restart.window_s = 300;
	s->restart.backoff_initial_ms = 100;
	s->restart.backoff_max_ms = 30000;
	s->restart.min_uptime_s = 5;
	s->restart.retry_after_s = 300;
	s->start_timeout_s = 60;
	s->stop.signal = SIGTERM;
	s->stop.timeout_s = 10;
	s->heartbeat.timeout_s = 0;
	s->notify = NOTIFY_NONE;
	s->limits.nofile = -1;
	s->limits.nproc = -1;
	s->limits.memory_max_bytes = -1;
	s->limits.max_memory_restart_bytes = -1;
	s->logs.max_size_bytes = 10 * 1024 * 1024;
	s->logs.keep = 5;
}

/* The spec owns its strings; this is the one place they are released. */
void
spec_free(struct tenant_spec *s)
{
	size_t i;

	free(s->name);
	free(s->tenant_id);
	if (s->argv != NULL) {
		for (i = 0; s->argv[i] != NULL; i++)
			free(s->argv[i]);
		free(s->argv);
	}
	free(s->cwd);
	for (i = 0; i < s->nenv; i++) {
		free(s->env[i].key);
		free(s->env[i].value);
	}
	free(s->env);
	free(s->user);
	free(s->group);
	free(s->restart.cron);
	spec_init(s);
}

/*
 * apply and the database hand specs over as JSON; whatever *spec held
 * before is overwritten, not freed.
 */
int
spec_from_json(const json_t *j, struct tenant_spec *spec, struct vx_err *err)
{
	struct tenant_spec s;

	spec_init(&s);
	if (spec_parse(j, &s, err) == -1) {
		spec_free(&s);
		spec_init(spec);
		return -1;
	}
	*spec = s;
	return 0;
}

/* A JSON string, or null for a NULL pointer. */
static json_t *
spec_jstring(const char *s)
{
	return s == NULL ? json_null() : json_string(s);
}

/* A JSON integer, or null for an unset (negative) limit. */
static json_t *
spec_jlimit(int64_t n)
{
	return n < 0 ? json_null() : json_integer(n);
}

static json_t *
spec_argv_json(const struct tenant_spec *s)
{
	json_t *a;
	size_t i;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; s->argv != NULL && s->argv[i] != NULL; i++) {
		if (json_array_append_new(a, json_string(s->argv[i])) == -1) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *
spec_env_json(const struct tenant_spec *s)
{
	json_t *o;
	size_t i;

	if ((o = json_object()) == NULL)
		return NULL;
	for (i = 0; i < s->nenv; i++) {
		if (json_object_set_new(o, s->env[i].key,
		    json_string(s->env[i].value)) == -1) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static json_t *
spec_restart_json(const struct tenant_spec *s)
{
	json_t *o;

	if ((o = json_object()) == NULL)
		return NULL;
	if (json_object_set_new(o, "policy",
	    json_string(spec_restart_mode_name(s->restart.policy))) == -1 ||
	    json_object_set_new(o, "max_restarts",
	    json_integer(s->restart.max_restarts)) == -1 ||
	    json_object_set_new(o, "window_s",
	    json_integer(s->restart.window_s)) == -1 ||
	    json_object_set_new(o, "backoff_initial_ms",
	    json_integer(s->restart.backoff_initial_ms)) == -1 ||
	    json_object_set_new(o, "backoff_max_ms",
	    json_integer(s->restart.backoff_max_ms)) == -1 ||
	    json_object_set_new(o, "min_uptime_s",
	    json_integer(s->restart.min_uptime_s)) == -1 ||
	    json_object_set_new(o, "retry_after_s",
	    json_integer(s->restart.retry_after_s)) == -1 ||
	    json_object_set_new(o, "cron",
	    spec_jstring(s->restart.cron)) == -1 ||
	    json_object_set_new(o, "max_age_s",
	    json_integer(s->restart.max_age_s)) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
spec_stop_json(const struct tenant_spec *s)
{
	json_t *o;

	if ((o = json_object()) == NULL)
		return NULL;
	if (json_object_set_new(o, "signal",
	    json_string(sig_name(s->stop.signal))) == -1 ||
	    json_object_set_new(o, "timeout_s",
	    json_integer(s->stop.timeout_s)) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
spec_heartbeat_json(const struct tenant_spec *s)
{
	json_t *o;

	if ((o = json_object()) == NULL)
		return NULL;
	if (json_object_set_new(o, "timeout_s",
	    json_integer(s->heartbeat.timeout_s)) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
spec_limits_json(const struct tenant_spec *s)
{
	json_t *o;

	if ((o = json_object()) == NULL)
		return NULL;
	if (json_object_set_new(o, "nofile",
	    spec_jlimit(s->limits.nofile)) == -1 ||
	    json_object_set_new(o, "nproc",
	    spec_jlimit(s->limits.nproc)) == -1 ||
	    json_object_set_new(o, "memory_max_bytes",
	    spec_jlimit(s->limits.memory_max_bytes)) == -1 ||
	    json_object_set_new(o, "max_memory_restart_bytes",
	    spec_jlimit(s->limits.max_memory_restart_bytes)) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
spec_logs_json(const struct tenant_spec *s)
{
	json_t *o;

	if ((o = json_object()) == NULL)
		return NULL;
	if (json_object_set_new(o, "max_size_bytes",
	    json_integer(s->logs.max_size_bytes)) == -1 ||
	    json_object_set_new(o, "keep", json_integer(s->logs.keep)) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/*
 * export prints every field, defaults included, in the order of SPEC
 * section 4, so an operator sees what a tenant really runs with.  NULL on
 * ENOMEM (or a string that is not UTF-8, which JSON cannot carry).
 */
json_t *
spec_to_json(const struct tenant_spec *s)
{
	json_t *j;

	if ((j = json_object()) == NULL)
		return NULL;
	if (json_object_set_new(j, "name", spec_jstring(s->name)) == -1 ||
	    json_object_set_new(j, "tenant_id",
	    spec_jstring(s->tenant_id)) == -1 ||
	    json_object_set_new(j, "command", spec_argv_json(s)) == -1 ||
	    json_object_set_new(j, "cwd", spec_jstring(s->cwd)) == -1 ||
	    json_object_set_new(j, "env", spec_env_json(s)) == -1 ||
	    json_object_set_new(j, "user", spec_jstring(s->user)) == -1 ||
	    json_object_set_new(j, "group", spec_jstring(s->group)) == -1 ||
	    json_object_set_new(j, "autostart",
	    json_boolean(s->autostart)) == -1 ||
	    json_object_set_new(j, "restart", spec_restart_json(s)) == -1 ||
	    json_object_set_new(j, "start_timeout_s",
	    json_integer(s->start_timeout_s)) == -1 ||
	    json_object_set_new(j, "stop", spec_stop_json(s)) == -1 ||
	    json_object_set_new(j, "heartbeat", spec_heartbeat_json(s)) == -1 ||
	    json_object_set_new(j, "notify",
	    json_string(spec_notify_mode_name(s->notify))) == -1 ||
	    json_object_set_new(j, "limits", spec_limits_json(s)) == -1 ||
	    json_object_set_new(j, "logs", spec_logs_json(s)) == -1) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* The database stores specs as JSON text; JSON errors give line, column. */
int
spec_from_text(const char *text, struct tenant_spec *spec,
    struct vx_err *err)
{
	json_error_t jerr;
	json_t *j;
	int rc;

	if (text == NULL ||
	    (j = json_loads(text, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		spec_init(spec);
		if (text == NULL)
			vx_err_set(err, VX_EXIT_FAIL, "spec: no text");
		else
			vx_err_set(err, VX_EXIT_FAIL, "line %d column %d: %s",
			    jerr.line, jerr.column, jerr.text);
		return -1;
	}
	rc = spec_from_json(j, spec, err);
	json_decref(j);
	return rc;
}

/* One canonical text per spec, so stored specs compare with strcmp(). */
char *
spec_to_text(const struct tenant_spec *s)
{
	json_t *j;
	char *text;

	if ((j = spec_to_json(s)) == NULL)
		return NULL;
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	return text;
}

/*
 * A tenant keeps its own copy of the spec it runs with while a new one is
 * applied; dst is overwritten, not freed.
 */
int
spec_copy(struct tenant_spec *dst, const struct tenant_spec *src)
{
	struct tenant_spec d;
	size_t i, argc;

	d = *src;
	d.name = d.tenant_id = d.cwd = d.user = d.group = NULL;
	d.restart.cron = NULL;
	d.argv = NULL;
	d.argc = 0;
	d.env = NULL;
	d.nenv = 0;
	if (spec_strdup(&d.name, src->name) == -1 ||
	    spec_strdup(&d.tenant_id, src->tenant_id) == -1 ||
	    spec_strdup(&d.cwd, src->cwd) == -1 ||
	    spec_strdup(&d.user, src->user) == -1 ||
	    spec_strdup(&d.group, src->group) == -1 ||
	    spec_strdup(&d.restart.cron, src->restart.cron) == -1)
		goto fail;
	if (src->argv != NULL) {
		for (argc = 0; src->argv[argc] != NULL; argc++)
			;
		if ((d.argv = calloc(argc + 1, sizeof(*d.argv))) == NULL)
			goto fail;
		for (i = 0; i < argc; i++) {
			if (spec_strdup(&d.argv[i], src->argv[i]) == -1)
				goto fail;
		}
		d.argc = argc;
	}
	if (src->nenv > 0) {
		if ((d.env = calloc(src->nenv, sizeof(*d.env))) == NULL)
			goto fail;
		for (i = 0; i < src->nenv; i++) {
			d.nenv = i + 1;
			if (spec_strdup(&d.env[i].key, src->env[i].key) == -1 ||
			    spec_strdup(&d.env[i].value,
			    src->env[i].value) == -1)
				goto fail;
		}
	}
	*dst = d;
	return 0;
fail:
	spec_free(&d);
	spec_init(dst);
	errno = ENOMEM;
	return -1;
}

/* The JSON spelling of a restart policy. */
const char *
spec_restart_mode_name(enum restart_mode m)
{
	if ((size_t)m >= sizeof(spec_restart_names) /
	    sizeof(spec_restart_names[0]))
		return "on-failure";	/* can't happen: not a policy */
	return spec_restart_names[m];
}

/* The JSON spelling of a notify mode. */
const char *
spec_notify_mode_name(enum notify_mode m)
{
	if ((size_t)m >= sizeof(spec_notify_names) /
	    sizeof(spec_notify_names[0]))
		return "none";		/* can't happen: not a mode */
	return spec_notify_names[m];
}

/*
 * pm2import.c: converts a PM2 ecosystem file or the output of pm2 jlist
 * into the tenants JSON of vectis-tenants(5); pure, no I/O.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cron.h"
#include "err.h"
#include "esc.h"
#include "log.h"
#include "name.h"
#include "pm2import.h"
#include "spec.h"

#define IMP_MAX_APPS		10000
#define IMP_MAX_INSTANCES	1024
#define IMP_MAX_PATH		4096
#define IMP_ECHO_LEN		(ESC_SHORT_MAX * 4 + 8)	/* an echoed value */
#define IMP_LABEL_LEN		(IMP_ECHO_LEN + 16)
#define IMP_MIN_MEMORY		(1024 * 1024)
#define IMP_MAX_MEMORY		((double)((long long)1 << 50))

/* PM2's defaults (lib/API/schema.json, lib/God.js), applied when unset. */
#define PM2_MAX_RESTARTS	16
#define PM2_MIN_UPTIME_MS	1000
#define PM2_MIN_UPTIME_MIN	100
#define PM2_KILL_TIMEOUT_MS	1600
#define PM2_EXP_BACKOFF_MAX_MS	15000
#define PM2_INSTANCE_VAR	"NODE_APP_INSTANCE"

/* One app being converted, and where its messages go. */
struct imp_app {
	json_t			*src;		/* the app, or its pm2_env */
	int			 jlist;
	const struct pm2import_opts *opts;
	char			 label[IMP_LABEL_LEN];	/* "app 'NAME'" */
	json_t			*warnings;
	struct vx_err		*err;
};

/* A PM2 setting and the other names PM2 accepts for it. */
struct imp_key {
	const char	*key;
	const char	*alias[5];
};

/* Every app setting of PM2 7's lib/API/schema.json. */
static const struct imp_key imp_keys[] = {
	{ "script", { "exec", NULL } },
	{ "name", { NULL } },
	{ "name_prefix", { NULL } },
	{ "filter_env", { NULL } },
	{ "namespace", { NULL } },
	{ "install_url", { NULL } },
	{ "cwd", { NULL } },
	{ "args", { NULL } },
	{ "exec_interpreter", { "interpreter", NULL } },
	{ "node_args", { "interpreterArgs", "interpreter_args", NULL } },
	{ "out_file", { "out", "output", "out_log", NULL } },
	{ "error_file", { "error", "err", "err_file", "err_log", NULL } },
	{ "log_file", { "log", NULL } },
	{ "disable_logs", { NULL } },
	{ "log_type", { NULL } },
	{ "log_date_format", { NULL } },
	{ "time", { NULL } },
	{ "env", { NULL } },
	{ "max_memory_restart", { NULL } },
	{ "pid_file", { "pid", NULL } },
	{ "restart_delay", { NULL } },
	{ "exp_backoff_restart_delay", { NULL } },
	{ "source_map_support", { NULL } },
	{ "disable_source_map_support", { NULL } },
	{ "wait_ready", { NULL } },
	{ "instances", { NULL } },
	{ "kill_timeout", { NULL } },
	{ "shutdown_with_message", { NULL } },
	{ "listen_timeout", { NULL } },
	{ "cron_restart", { "cron", NULL } },
	{ "merge_logs", { "combine_logs", NULL } },
	{ "vizion", { NULL } },
	{ "autostart", { NULL } },
	{ "autorestart", { NULL } },
	{ "stop_exit_codes", { NULL } },
	{ "watch_delay", { NULL } },
	{ "watch", { NULL } },
	{ "ignore_watch", { NULL } },
	{ "watch_options", { NULL } },
	{ "min_uptime", { NULL } },
	{ "max_restarts", { NULL } },
	{ "execute_command", { NULL } },
	{ "exec_mode", { NULL } },
	{ "force", { NULL } },
	{ "append_env_to_name", { NULL } },
	{ "post_update", { NULL } },
	{ "trace", { NULL } },
	{ "disable_trace", { NULL } },
	{ "v8", { NULL } },
	{ "event_loop_inspector", { NULL } },
	{ "deep_monitoring", { NULL } },
	{ "increment_var", { NULL } },
	{ "instance_var", { NULL } },
	{ "pmx", { NULL } },
	{ "automation", { NULL } },
	{ "treekill", { NULL } },
	{ "port", { NULL } },
	{ "username", { NULL } },
	{ "uid", { "user", NULL } },
	{ "gid", { NULL } },
	{ "windowsHide", { NULL } },
	{ "kill_retry_time", { NULL } },
	{ "write", { NULL } },
	{ "io", { NULL } },
	{ NULL, { NULL } }
};

/* PM2's lib/API/interpreter.json, plus the module extensions of node. */
static const struct {
	const char	*ext;
	const char	*interp;
} imp_interps[] = {
	{ ".sh", "bash" }, { ".py", "python3" }, { ".rb", "ruby" },
	{ ".php", "php" }, { ".pl", "perl" }, { ".js", "node" },
	{ ".mjs", "node" }, { ".cjs", "node" }, { ".coffee", "coffee" },
	{ ".ls", "lsc" }, { ".ts", "bun" }, { ".tsx", "bun" },
};

/* Variables PM2 puts into a process's environment for its own use. */
static const char *const imp_pm2_vars[] = {
	"unique_id", "pm_id", "PWD", "OLDPWD", "_", "SHLVL", NULL
};

/* An untrusted string, escaped and cut to ESC_SHORT_MAX bytes. */
static const char *
imp_esc(char *buf, size_t size, const char *s)
{
	return esc_bytes(buf, size, s, strlen(s), ESC_SHORT);
}

/* Append one warning line, unless the same one is there already. */
static void __attribute__((format(printf, 3, 4)))
imp_warn(struct imp_app *a, const char *setting, const char *fmt, ...)
{
	char msg[600], line[1200], esc[IMP_ECHO_LEN];
	json_t *v;
	size_t i;
	va_list ap;

	if (a->warnings == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s: %s: %s", a->label,
	    imp_esc(esc, sizeof(esc), setting), msg);
	json_array_foreach(a->warnings, i, v) {
		if (json_is_string(v) &&
		    strcmp(json_string_value(v), line) == 0)
			return;
	}
	json_array_append_new(a->warnings, json_string(line));
}

/* Record "LABEL: setting: why" as the error; always -1. */
static int __attribute__((format(printf, 3, 4)))
imp_fail(struct imp_app *a, const char *setting, const char *fmt, ...)
{
	char msg[400], esc[IMP_ECHO_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vx_err_set(a->err, VX_EXIT_FAIL, "%s: %s: %s", a->label,
	    imp_esc(esc, sizeof(esc), setting), msg);
	return -1;
}

/* PM2's camelCase alias of a setting: max_restarts -> maxRestarts. */
static void
imp_camel(const char *key, char *buf, size_t size)
{
	size_t o = 0, len;
	int first = 1;

	while (*key != '\0' || first) {
		len = strcspn(key, "_");
		if (o + len + 1 > size)
			break;
		memcpy(buf + o, key, len);
		if (!first && len > 1 && buf[o] >= 'a' && buf[o] <= 'z')
			buf[o] = (char)(buf[o] - 'a' + 'A');
		o += len;
		key += len;
		if (*key == '_')
			key++;
		first = 0;
	}
	buf[o] = '\0';
}

/* Whether name is key, its camelCase form or one of its aliases. */
static int
imp_key_is(const struct imp_key *k, const char *name)
{
	char camel[64];
	size_t i;

	if (strcmp(k->key, name) == 0)
		return 1;
	imp_camel(k->key, camel, sizeof(camel));
	if (strcmp(camel, name) == 0)
		return 1;
	for (i = 0; i < 5 && k->alias[i] != NULL; i++) {
		if (strcmp(k->alias[i], name) == 0)
			return 1;
	}
	return 0;
}

/* The value of a setting under any of its names; null counts as unset. */
static json_t *
imp_get(const struct imp_app *a, const char *key)
{
	const struct imp_key *k;
	json_t *v;
	char camel[64];
	size_t i;

	for (k = imp_keys; k->key != NULL; k++) {
		if (strcmp(k->key, key) == 0)
			break;
	}
	if (k->key == NULL) {	/* can't happen: a key missing above */
		v = json_object_get(a->src, key);
		return json_is_null(v) ? NULL : v;
	}
	if ((v = json_object_get(a->src, key)) != NULL && !json_is_null(v))
		return v;
	imp_camel(key, camel, sizeof(camel));
	if ((v = json_object_get(a->src, camel)) != NULL && !json_is_null(v))
		return v;
	for (i = 0; i < 5 && k->alias[i] != NULL; i++) {
		v = json_object_get(a->src, k->alias[i]);
		if (v != NULL && !json_is_null(v))
			return v;
	}
	return NULL;
}

/* JavaScript's truthiness of a JSON value (watch: [] counts as off). */
static int
imp_truthy(const json_t *v)
{
	if (v == NULL || json_is_null(v) || json_is_false(v))
		return 0;
	if (json_is_number(v))
		return json_number_value(v) != 0;
	if (json_is_string(v))
		return json_string_length(v) > 0 &&
		    strcmp(json_string_value(v), "false") != 0;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	return 1;
}

/* A string PM2 parses as a number ("300", " 1.5"); 0 or -1. */
static int
imp_strtonum(const char *s, double *out)
{
	char *end;
	double d;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!((*s >= '0' && *s <= '9') || *s == '.' || *s == '-' ||
	    *s == '+') || strpbrk(s, "xXnNiI") != NULL)
		return -1;
	d = strtod(s, &end);
	if (end == s)
		return -1;
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end != '\0' || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}

/*
 * A numeric setting: 0 unset, 1 set, -1 error.  *out is written only when
 * 1 is returned; the -1s are spelled out, not imp_fail's value, so that
 * the analyzer (which does not follow variadic calls) sees that too.
 */
static int
imp_num(struct imp_app *a, const char *key, double *out)
{
	json_t *v;

	if ((v = imp_get(a, key)) == NULL)
		return 0;
	if (json_is_number(v)) {
		*out = json_number_value(v);
		if (isfinite(*out))
			return 1;
	} else if (json_is_string(v) &&
	    imp_strtonum(json_string_value(v), out) == 0)
		return 1;
	imp_fail(a, key, "must be a number");
	return -1;
}

/*
 * A number or a string of digits with one of the units (1-char suffix,
 * its factor); 0 unset, 1 set, -1 error.  PM2's ext_type sbyte and stime.
 */
static int
imp_unit(struct imp_app *a, const char *key, const char *units,
    const double *factors, const char *what, double *out)
{
	const char *s, *u;
	json_t *v;
	size_t len, i;

	if ((v = imp_get(a, key)) == NULL)
		return 0;
	if (json_is_string(v) &&
	    imp_strtonum(json_string_value(v), out) == -1) {
		s = json_string_value(v);
		len = strlen(s);
		for (i = 0; i + 1 < len; i++) {
			if (s[i] < '0' || s[i] > '9')
				break;
		}
		if (len >= 2 && i == len - 1 &&
		    (u = strchr(units, s[len - 1])) != NULL) {
			*out = strtod(s, NULL) * factors[u - units];
			if (isfinite(*out))
				return 1;
		}
		imp_fail(a, key, "must be %s", what);
		return -1;
	}
	return imp_num(a, key, out);
}

/* Milliseconds to whole seconds, rounded up, within lo..hi (warned). */
static long long
imp_ms_to_s(struct imp_app *a, const char *key, double ms, long long hi)
{
	double s = ms / 1000;
	long long n;

	if (s > (double)hi) {
		imp_warn(a, key, "%.0f ms is more than vectis allows, "
		    "imported as %lld s", ms, hi);
		return hi;
	}
	n = (long long)s;
	if ((double)n < s)
		n++;
	return n < 0 ? 0 : n;
}

/* A number as JavaScript's String() would print it, near enough. */
static void
imp_num_text(double d, char *buf, size_t size)
{
	int prec;

	if (fabs(d) < 1e18 && d == (double)(long long)d) {
		snprintf(buf, size, "%lld", (long long)d);
		return;
	}
	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
}

/*
 * Split a string of arguments as PM2's Config._valid does: whitespace
 * separates, "..." and '...' group (quotes removed), KEY="..." stays whole.
 */
static int
imp_split(const char *s, json_t *arr)
{
	const char *p = s, *t, *q;
	char *tok;
	size_t len, i;

	for (;;) {
		while (*p != '\0' && strchr(" \t\n\v\f\r", *p) != NULL)
			p++;
		if (*p == '\0')
			return 0;
		t = p;
		q = p + strcspn(p, " \t\n\v\f\r\"'=");
		if (q > p && *q == '=' && (q[1] == '"' || q[1] == '\'') &&
		    strchr(q + 2, q[1]) != NULL)
			p = strchr(q + 2, q[1]) + 1;	/* KEY="v w" */
		else if ((*p == '"' || *p == '\'') &&
		    strchr(p + 1, *p) != NULL)
			p = strchr(p + 1, *p) + 1;	/* "v w" */
		else
			p += strcspn(p, " \t\n\v\f\r");
		len = (size_t)(p - t);
		if (len >= 2 && (*t == '"' || *t == '\'') && t[len - 1] == *t) {
			t++;
			len -= 2;
		}
		for (i = 0; i < len; i++) {
			if (strchr(" \t\n\v\f\r", t[i]) == NULL)
				break;
		}
		if (i == len)
			continue;		/* PM2 drops blank arguments */
		if ((tok = strndup(t, len)) == NULL)
			return -1;
		if (json_array_append_new(arr, json_string(tok)) == -1) {
			free(tok);
			return -1;
		}
		free(tok);
	}
}

/* Append an array or string of arguments (key names it) to cmd. */
static int
imp_args(struct imp_app *a, const char *key, json_t *cmd)
{
	char buf[64], path[64];
	json_t *v, *e;
	size_t i;

	if ((v = imp_get(a, key)) == NULL)
		return 0;
	if (json_is_string(v)) {
		if (imp_split(json_string_value(v), cmd) == -1)
			return imp_fail(a, key, "not valid UTF-8, or out of "
			    "memory");
		return 0;
	}
	if (!json_is_array(v))
		return imp_fail(a, key, "must be an array or a string");
	json_array_foreach(v, i, e) {
		snprintf(path, sizeof(path), "%s[%zu]", key, i);
		if (json_is_string(e))
			json_array_append(cmd, e);
		else if (json_is_number(e)) {
			imp_num_text(json_number_value(e), buf, sizeof(buf));
			json_array_append_new(cmd, json_string(buf));
		} else
			return imp_fail(a, path, "must be a string");
	}
	return 0;
}

/*
 * Resolve p against the absolute directory base as path.resolve() does:
 * "." and ".." segments and repeated slashes go; -1 if too long.
 */
static int
imp_path(const char *base, const char *p, char *out, size_t size)
{
	char tmp[IMP_MAX_PATH * 2 + 2];
	const char *s;
	size_t o = 0, len;

	if (p[0] == '/' || base == NULL || base[0] != '/')
		snprintf(tmp, sizeof(tmp), "%s", p);
	else if ((size_t)snprintf(tmp, sizeof(tmp), "%s/%s", base, p) >=
	    sizeof(tmp))
		return -1;
	if (tmp[0] != '/')
		return -1;
	for (s = tmp; *s != '\0';) {
		while (*s == '/')
			s++;
		len = strcspn(s, "/");
		if (len == 0 || (len == 1 && s[0] == '.')) {
			s += len;
			continue;
		}
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			s += len;
			continue;
		}
		if (o + 1 + len + 1 > size)
			return -1;
		out[o++] = '/';
		memcpy(out + o, s, len);
		o += len;
		s += len;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return 0;
}

/* The app's working directory, resolved as pm2 start does. */
static int
imp_cwd(struct imp_app *a, char *cwd, size_t size)
{
	const char *key = a->jlist ? "pm_cwd" : "cwd";
	const char *base = a->opts != NULL ? a->opts->base_dir : NULL;
	json_t *v;

	v = json_object_get(a->src, key);
	if (!a->jlist)
		v = imp_get(a, "cwd");
	/* Every -1 spelled out: cwd is written exactly when 0 is returned. */
	if (v == NULL || json_is_null(v)) {
		if (base == NULL || base[0] != '/') {
			imp_fail(a, key, "not given, and no base directory "
			    "to start from");
			return -1;
		}
		if (imp_path(base, ".", cwd, size) == -1) {
			imp_fail(a, key, "path too long");
			return -1;
		}
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		imp_fail(a, key, "must be a path");
		return -1;
	}
	if (json_string_value(v)[0] != '/' &&
	    (base == NULL || base[0] != '/')) {
		imp_fail(a, key, "relative, and no base directory to resolve "
		    "it against");
		return -1;
	}
	if (imp_path(base, json_string_value(v), cwd, size) == -1) {
		imp_fail(a, key, "path too long");
		return -1;
	}
	return 0;
}

/* The interpreter PM2 picks for a script without one, or NULL. */
static const char *
imp_interp_for(const char *script)
{
	const char *base, *dot;
	size_t i;

	base = strrchr(script, '/') ? strrchr(script, '/') + 1 : script;
	if ((dot = strrchr(base, '.')) == NULL || dot == base)
		return NULL;
	for (i = 0; i < sizeof(imp_interps) / sizeof(imp_interps[0]); i++) {
		if (strcmp(dot, imp_interps[i].ext) == 0)
			return imp_interps[i].interp;
	}
	return NULL;
}

/* The script as PM2 named it: pm_exec_path in jlist, script otherwise. */
static const char *
imp_script(struct imp_app *a)
{
	json_t *v;

	v = a->jlist ? json_object_get(a->src, "pm_exec_path") :
	    imp_get(a, "script");
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		imp_fail(a, a->jlist ? "pm_exec_path" : "script", "%s",
		    v == NULL || json_is_null(v) ? "required" :
		    "must be a non-empty string");
		return NULL;
	}
	return json_string_value(v);
}

/*
 * The command: [interpreter, interpreter args..., script, args...], or
 * [script, args...] for interpreter "none"; *interp_out says which.
 */
static json_t *
imp_command(struct imp_app *a, const char *cwd, const char **interp_out)
{
	char path[IMP_MAX_PATH + 1], esc[IMP_ECHO_LEN];
	const char *script, *interp = NULL;
	json_t *cmd, *v;

	if ((script = imp_script(a)) == NULL)
		return NULL;
	if ((v = imp_get(a, "exec_interpreter")) != NULL) {
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    strlen(json_string_value(v)) != json_string_length(v)) {
			imp_fail(a, "interpreter", "must be a non-empty "
			    "string");
			return NULL;
		}
		interp = json_string_value(v);
	} else if ((interp = imp_interp_for(script)) != NULL) {
		if (strcmp(interp, "bun") == 0)
			imp_warn(a, "interpreter", "PM2 runs .ts with bun, or "
			    "with node's type stripping when bun is missing; "
			    "imported with bun");
	} else {
		interp = "none";
		imp_warn(a, "interpreter", "none given and none known for "
		    "'%s': executed directly (PM2 would run a text file "
		    "with node)", imp_esc(esc, sizeof(esc), script));
	}
	if (strncmp(interp, "node@", 5) == 0) {
		imp_warn(a, "interpreter", "'%s' chooses a version through "
		    "nvm; imported as node from PATH",
		    imp_esc(esc, sizeof(esc), interp));
		interp = "node";
	}
	if (strcmp(interp, "none") == 0)
		interp = NULL;
	*interp_out = interp;
	/* Without an interpreter a bare name is a command from PATH. */
	if (interp != NULL || strchr(script, '/') != NULL) {
		if (imp_path(cwd, script, path, sizeof(path)) == -1) {
			imp_fail(a, "script", "path too long");
			return NULL;
		}
		script = path;
	}
	if ((cmd = json_array()) == NULL) {
		imp_fail(a, "script", "out of memory");
		return NULL;
	}
	if (interp != NULL) {
		json_array_append_new(cmd, json_string(interp));
		if (imp_args(a, "node_args", cmd) == -1)
			goto fail;
	} else if (imp_get(a, "node_args") != NULL &&
	    imp_truthy(imp_get(a, "node_args")))
		imp_warn(a, "interpreter_args", "ignored: there is no "
		    "interpreter");
	if (json_array_append_new(cmd, json_string(script)) == -1) {
		imp_fail(a, "script", "not valid UTF-8");
		goto fail;
	}
	if (imp_args(a, "args", cmd) == -1)
		goto fail;
	return cmd;
fail:
	json_decref(cmd);
	return NULL;
}

/* An environment name vectis accepts, of a sane length. */
static int
imp_env_key_ok(const char *k)
{
	return strlen(k) <= 256 && spec_env_key_ok(k);
}

/*
 * Set env[key] to v as a process would see it: strings as they are,
 * numbers and booleans as JavaScript prints them, objects as JSON.
 */
static void
imp_env_set(struct imp_app *a, json_t *env, const char *what,
    const char *key, const json_t *v)
{
	char path[IMP_ECHO_LEN + 32], esc[IMP_ECHO_LEN], buf[64], *s;

	snprintf(path, sizeof(path), "%s.%s", what,
	    imp_esc(esc, sizeof(esc), key));
	if (!imp_env_key_ok(key)) {
		imp_warn(a, path, "not a variable name vectis accepts "
		    "([A-Za-z_][A-Za-z0-9_]*), left out");
		return;
	}
	if (strncmp(key, "VECTIS_", 7) == 0) {
		imp_warn(a, path, "names starting with VECTIS_ are reserved, "
		    "left out");
		return;
	}
	if (json_is_string(v))
		json_object_set(env, key, (json_t *)v);
	else if (json_is_number(v)) {
		imp_num_text(json_number_value(v), buf, sizeof(buf));
		json_object_set_new(env, key, json_string(buf));
	} else if (json_is_boolean(v))
		json_object_set_new(env, key, json_string(json_is_true(v) ?
		    "true" : "false"));
	else if (json_is_null(v))
		imp_warn(a, path, "null, left out");
	else if ((s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) != NULL) {
		json_object_set_new(env, key, json_string(s));
		free(s);
	}
}

/* Merge the object v (an app's env or env_NAME) into env. */
static int
imp_env_merge(struct imp_app *a, json_t *env, const char *what,
    const json_t *v)
{
	const char *key;
	json_t *m;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return imp_fail(a, what, "must be an object");
	json_object_foreach((json_t *)v, key, m)
		imp_env_set(a, env, what, key, m);
	return 0;
}

/* Whether key is one PM2 put into a jlist process's env for itself. */
static int
imp_pm2_var(const struct imp_app *a, const char *key, const char *ivar)
{
	const char *name;
	size_t i;

	if (strncmp(key, "PM2_", 4) == 0 || strcmp(key, ivar) == 0)
		return 1;
	for (i = 0; imp_pm2_vars[i] != NULL; i++) {
		if (strcmp(key, imp_pm2_vars[i]) == 0)
			return 1;
	}
	/* PM2 adds the app's module configuration under its name. */
	name = json_string_value(json_object_get(a->src, "name"));
	return name != NULL && strcmp(key, name) == 0;
}

/* The environment: jlist's as PM2 ran it, or env merged with env_NAME. */
static json_t *
imp_env(struct imp_app *a, const char *interp, const char *ivar)
{
	const char *key, *en = a->opts != NULL ? a->opts->env_name : NULL;
	char ekey[300], list[200], esc[IMP_ECHO_LEN];
	json_t *env, *v, *m;
	double port;
	size_t kept = 0;
	int rc;

	if ((env = json_object()) == NULL)
		return NULL;
	if (a->jlist) {
		v = json_object_get(a->src, "env");
		if (v != NULL && !json_is_object(v) && !json_is_null(v)) {
			imp_fail(a, "env", "must be an object");
			goto fail;
		}
		json_object_foreach(v, key, m) {
			if (imp_pm2_var(a, key, ivar))
				continue;
			imp_env_set(a, env, "env", key, m);
			kept++;
		}
		if (kept > 0)
			imp_warn(a, "env", "%zu variables taken from the "
			    "process's environment in PM2, which includes "
			    "the environment of the shell that ran pm2 "
			    "start; check them", kept);
		goto done;
	}
	if (imp_env_merge(a, env, "env", imp_get(a, "env")) == -1)
		goto fail;
	if ((rc = imp_num(a, "port", &port)) == -1)
		goto fail;
	if (rc == 1)
		imp_env_set(a, env, "port", "PORT", imp_get(a, "port"));
	if (interp != NULL && strstr(interp, "python") != NULL)
		json_object_set_new(env, "PYTHONUNBUFFERED", json_string("1"));
	if (en != NULL) {
		snprintf(ekey, sizeof(ekey), "env_%s", en);
		if ((v = json_object_get(a->src, ekey)) == NULL)
			imp_warn(a, "--env", "%s is not defined; only env is "
			    "used", imp_esc(esc, sizeof(esc), ekey));
		else if (imp_env_merge(a, env, ekey, v) == -1)
			goto fail;
	} else {
		list[0] = '\0';
		json_object_foreach(a->src, key, m) {
			if (strncmp(key, "env_", 4) != 0)
				continue;
			if (list[0] != '\0')
				strncat(list, ", ", sizeof(list) -
				    strlen(list) - 1);
			strncat(list, imp_esc(esc, sizeof(esc), key),
			    sizeof(list) - strlen(list) - 1);
		}
		if (list[0] != '\0')
			imp_warn(a, list, "ignored; use --env NAME to merge "
			    "env_NAME over env, as pm2 start --env NAME does");
	}
done:
	return env;
fail:
	json_decref(env);
	return NULL;
}

/*
 * restart.cron from cron_restart.  PM2 runs it with croner, whose grammar
 * is wider: a leading seconds field (six fields) is dropped when it is a
 * plain number, and anything cron_parse() refuses is left out with a
 * warning rather than failing the whole import.  0 is PM2's "none".
 */
static int
imp_cron(struct imp_app *a, json_t *o)
{
	char esc[IMP_ECHO_LEN], sec[16];
	struct vx_err cerr;
	struct cron c;
	const char *s, *p;
	json_t *v;
	size_t n, len, l;

	if ((v = imp_get(a, "cron_restart")) == NULL ||
	    (json_is_number(v) && json_number_value(v) == 0))
		return 0;
	if (!json_is_string(v))
		return imp_fail(a, "cron_restart", "must be a string such as "
		    "\"0 3 * * *\"");
	s = json_string_value(v);
	if (s[strspn(s, " \t")] == '\0' || strcmp(s, "0") == 0)
		return 0;
	for (n = 0, p = s; *(p += strspn(p, " \t")) != '\0'; n++)
		p += strcspn(p, " \t");
	if (n == 6) {
		p = s + strspn(s, " \t");
		len = strcspn(p, " \t");
		for (l = 0; l < len && p[l] >= '0' && p[l] <= '9'; l++)
			;
		if (l == 0 || l != len || len > 2 ||
		    strtol(p, NULL, 10) > 59) {
			imp_warn(a, "cron_restart", "'%s' not imported: "
			    "restart.cron has no seconds field and fires at "
			    "most once a minute", imp_esc(esc, sizeof(esc), s));
			return 0;
		}
		if (strtol(p, NULL, 10) != 0) {
			snprintf(sec, sizeof(sec), "%.*s", (int)len, p);
			imp_warn(a, "cron_restart", "seconds field %s dropped: "
			    "restart.cron fires at the start of the minute",
			    sec);
		}
		s = p + len;
		s += strspn(s, " \t");
	}
	vx_err_clear(&cerr);
	if (cron_parse(s, &c, &cerr) == -1) {
		imp_warn(a, "cron_restart", "'%s' not imported: %s",
		    imp_esc(esc, sizeof(esc), json_string_value(v)), cerr.msg);
		return 0;
	}
	json_object_set_new(o, "cron", json_string(s));
	return 0;
}

/*
 * restart: autorestart, stop_exit_codes, max_restarts, delays, cron.
 * Nothing of PM2's maps onto retry_after_s (an errored app stays down
 * until someone acts), so it keeps vectis' default.
 */
static json_t *
imp_restart(struct imp_app *a)
{
	const char *policy = "always";
	double d, delay = 0, exp = 0, mr = PM2_MAX_RESTARTS;
	double mu = PM2_MIN_UPTIME_MS;
	const double stime[] = { 3600000, 60000, 1000 };
	long long bi = -1, bm = -1;
	json_t *v, *o;
	size_t i;
	int rc, has_zero = 0, others = 0;

	v = imp_get(a, "autorestart");
	if (v != NULL && (json_is_false(v) || (json_is_string(v) &&
	    strcmp(json_string_value(v), "false") == 0)))
		policy = "never";
	else if ((v = imp_get(a, "stop_exit_codes")) != NULL) {
		if (json_is_number(v)) {
			has_zero = json_number_value(v) == 0;
			others = !has_zero;
		} else if (json_is_array(v)) {
			json_array_foreach(v, i, o) {
				if (json_is_number(o) &&
				    json_number_value(o) == 0)
					has_zero = 1;
				else
					others = 1;
			}
		} else {
			imp_fail(a, "stop_exit_codes", "must be a number or "
			    "an array of numbers");
			return NULL;
		}
		if (has_zero)
			policy = "on-failure";
		if (others)
			imp_warn(a, "stop_exit_codes", "only 0 has an "
			    "equivalent (policy on-failure); other codes "
			    "are restarted");
	}
	if ((rc = imp_num(a, "max_restarts", &d)) == -1)
		return NULL;
	if (rc == 1) {
		if (d < 0) {
			imp_fail(a, "max_restarts", "must not be negative");
			return NULL;
		}
		mr = d > 1000000 ? 1000000 : d;
	}
	if ((rc = imp_unit(a, "min_uptime", "hms", stime, "milliseconds "
	    "or a string such as 10s, 5m or 1h", &d)) == -1)
		return NULL;
	if (rc == 1) {
		if (d < PM2_MIN_UPTIME_MIN) {
			imp_fail(a, "min_uptime", "must be at least %d (ms), "
			    "as in PM2", PM2_MIN_UPTIME_MIN);
			return NULL;
		}
		mu = d;
	}
	if (imp_num(a, "restart_delay", &delay) == -1 ||
	    imp_num(a, "exp_backoff_restart_delay", &exp) == -1)
		return NULL;
	if (delay < 0 || exp < 0) {
		imp_fail(a, delay < 0 ? "restart_delay" :
		    "exp_backoff_restart_delay", "must not be negative");
		return NULL;
	}
	if (exp >= 1) {
		/* PM2: first delay exp, then x1.5 up to 15 s. */
		bi = exp > 3600000 ? 3600000 : (long long)exp;
		bm = bi > PM2_EXP_BACKOFF_MAX_MS ? bi : PM2_EXP_BACKOFF_MAX_MS;
		if (delay >= 1)
			imp_warn(a, "restart_delay", "ignored, as in PM2: "
			    "exp_backoff_restart_delay wins");
	} else if (delay >= 1) {
		bi = bm = delay > 3600000 ? 3600000 : (long long)delay;
	}
	if ((o = json_pack("{s:s, s:I}", "policy", policy, "max_restarts",
	    (json_int_t)mr)) == NULL)
		return NULL;
	if (bi >= 0) {
		json_object_set_new(o, "backoff_initial_ms", json_integer(bi));
		json_object_set_new(o, "backoff_max_ms", json_integer(bm));
	}
	json_object_set_new(o, "min_uptime_s", json_integer(
	    imp_ms_to_s(a, "min_uptime", mu, 86400)));
	if (imp_cron(a, o) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* limits.max_memory_restart_bytes from max_memory_restart ("300M"). */
static int
imp_memory(struct imp_app *a, json_t *t)
{
	const double sbyte[] = { 1024. * 1024 * 1024, 1024 * 1024, 1024 };
	double d;
	int rc;

	if ((rc = imp_unit(a, "max_memory_restart", "GMK", sbyte, "bytes or "
	    "a string such as 300M (K, M or G)", &d)) <= 0)
		return rc;
	if (d < IMP_MIN_MEMORY) {
		imp_warn(a, "max_memory_restart", "%.0f bytes is below vectis' "
		    "minimum, imported as 1 MiB", d);
		d = IMP_MIN_MEMORY;
	}
	if (d > IMP_MAX_MEMORY)
		d = IMP_MAX_MEMORY;
	json_object_set_new(t, "limits", json_pack("{s:I}",
	    "max_memory_restart_bytes", (json_int_t)d));
	return 0;
}

/* user and group from uid/user and gid, when they are names. */
static int
imp_account(struct imp_app *a, json_t *t, const char *key, const char *field)
{
	double d;
	json_t *v;

	if ((v = imp_get(a, key)) == NULL)
		return 0;
	if (json_is_number(v) || (json_is_string(v) &&
	    imp_strtonum(json_string_value(v), &d) == 0)) {
		imp_warn(a, key, "a numeric id has no equivalent; give %s "
		    "a name in the tenant's spec", field);
		return 0;
	}
	if (!json_is_string(v))
		return imp_fail(a, key, "must be a name");
	json_object_set(t, field, v);
	return 0;
}

/* The log-file settings: vectis writes logs/NAME.log and nothing else. */
static void
imp_logs(struct imp_app *a, const char *name)
{
	static const char *const keys[] = { "out_file", "error_file",
	    "log_file", NULL };
	char esc[IMP_ECHO_LEN], fmt[IMP_ECHO_LEN];
	const char *p, *b;
	json_t *v;
	size_t i;

	if (a->jlist) {
		/* Only paths other than PM2's own logs/NAME-out.log. */
		for (i = 0; name[i] != '\0' && i + 1 < sizeof(fmt); i++) {
			fmt[i] = name[i];
			if (strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-\\",
			    name[i]) == NULL)
				fmt[i] = '-';
		}
		fmt[i] = '\0';
		for (i = 0; i < 2; i++) {
			v = json_object_get(a->src, i == 0 ?
			    "pm_out_log_path" : "pm_err_log_path");
			if ((p = json_string_value(v)) == NULL)
				continue;
			b = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
			if (strncmp(b, fmt, strlen(fmt)) == 0 &&
			    strncmp(b + strlen(fmt), i == 0 ? "-out" :
			    "-error", i == 0 ? 4 : 6) == 0 &&
			    strstr(p, "/logs/") != NULL)
				continue;
			imp_warn(a, i == 0 ? "out_file" : "error_file",
			    "'%s' is not used: output goes to logs/NAME.log "
			    "(vectis-supervisor logs NAME)",
			    imp_esc(esc, sizeof(esc), p));
		}
		return;
	}
	for (i = 0; keys[i] != NULL; i++) {
		if ((v = imp_get(a, keys[i])) == NULL || !imp_truthy(v))
			continue;
		imp_warn(a, keys[i], "'%s' is not used: output goes to "
		    "logs/NAME.log (vectis-supervisor logs NAME)",
		    json_is_string(v) ? imp_esc(esc, sizeof(esc),
		    json_string_value(v)) : "true");
	}
	if (imp_get(a, "pid_file") != NULL)
		imp_warn(a, "pid_file", "no pid files; list --json and "
		    "status --json give the pid");
}

/* One warning for every setting with no equivalent that is in use. */
static void
imp_unsupported(struct imp_app *a, long instances)
{
	char esc[IMP_ECHO_LEN];
	json_t *v;

	if (imp_truthy(imp_get(a, "watch")))
		imp_warn(a, "watch", "no file watching; restart the tenant "
		    "after a deploy");
	if (imp_truthy(imp_get(a, "wait_ready")))
		imp_warn(a, "wait_ready", "process.send('ready') is not "
		    "seen; use notify \"pipe\" and write READY=1 to "
		    "VECTIS_NOTIFY_FD (vectis-notify(7))");
	if (imp_truthy(imp_get(a, "shutdown_with_message")))
		imp_warn(a, "shutdown_with_message", "no IPC message; the "
		    "worker gets SIGINT");
	if ((v = imp_get(a, "treekill")) != NULL && json_is_false(v))
		imp_warn(a, "treekill", "vectis always stops the whole "
		    "process group");
	if (instances > 1 && imp_truthy(imp_get(a, "merge_logs")))
		imp_warn(a, "merge_logs", "each instance writes its own "
		    "logs/NAME-N.log");
	if (imp_get(a, "log_date_format") != NULL)
		imp_warn(a, "log_date_format", "every log line starts with "
		    "the time in UTC ISO 8601; the format is fixed");
	if (imp_truthy(imp_get(a, "time")))
		imp_warn(a, "time", "log lines always carry the time");
	if (imp_truthy(imp_get(a, "disable_logs")))
		imp_warn(a, "disable_logs", "output is always kept, rotated "
		    "by logs.max_size_bytes and logs.keep");
	if ((v = imp_get(a, "log_type")) != NULL && json_is_string(v) &&
	    strcmp(json_string_value(v), "json") == 0)
		imp_warn(a, "log_type", "JSON log lines have no equivalent");
	if (imp_get(a, "increment_var") != NULL)
		imp_warn(a, "increment_var", "not set; only the instance "
		    "variable is");
	if (imp_get(a, "listen_timeout") != NULL &&
	    imp_truthy(imp_get(a, "wait_ready")))
		imp_warn(a, "listen_timeout", "see wait_ready; "
		    "start_timeout_s applies with notify \"pipe\"");
	if (imp_get(a, "post_update") != NULL)
		imp_warn(a, "post_update", "PM2 deploy hooks have no "
		    "equivalent");
	if (!a->jlist && (v = imp_get(a, "namespace")) != NULL &&
	    json_is_string(v) &&
	    strcmp(json_string_value(v), "default") != 0)
		imp_warn(a, "namespace", "'%s' dropped: tenants have no "
		    "namespaces", imp_esc(esc, sizeof(esc),
		    json_string_value(v)));
}

/* Warn about every setting of an ecosystem app PM2 does not know. */
static void
imp_unknown(struct imp_app *a)
{
	const struct imp_key *k;
	const char *key;
	json_t *v;

	json_object_foreach(a->src, key, v) {
		if (strncmp(key, "env_", 4) == 0)
			continue;
		for (k = imp_keys; k->key != NULL; k++) {
			if (imp_key_is(k, key))
				break;
		}
		if (k->key == NULL)
			imp_warn(a, key, "not a PM2 setting, ignored");
	}
}

/*
 * The tenant name from a PM2 name: lower case, every run of other
 * characters one '-', cut so that "-N" for an instance still fits.
 */
static int
imp_name(struct imp_app *a, const char *pm2, size_t room, char *out,
    size_t size)
{
	char esc[IMP_ECHO_LEN];
	struct vx_err nerr;
	const char *orig = pm2;
	size_t o = 0, max = NAME_MAX_LEN - room;
	unsigned char c;
	int dash = 0;

	for (; *pm2 != '\0' && o < max && o + 1 < size; pm2++) {
		c = (unsigned char)*pm2;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (o > 0 && (c == '_' || c == '.' || c == '-'))) {
			out[o++] = (char)c;
			dash = 0;
		} else if (o > 0 && !dash) {
			out[o++] = '-';
			dash = 1;
		}
	}
	while (o > 0 && out[o - 1] == '-' && dash) {
		o--;
		dash = 0;
	}
	out[o] = '\0';
	vx_err_clear(&nerr);
	if (o == 0 || name_check(out, &nerr) == -1)
		return imp_fail(a, "name", "no tenant name can be made from "
		    "it; rename the app to match ^[a-z0-9][a-z0-9_.-]*$");
	if (strcmp(out, orig) != 0)
		imp_warn(a, "name", "not a tenant name; imported as '%s'",
		    imp_esc(esc, sizeof(esc), out));
	return 0;
}

/* The PM2 name: name, or the script's file name without extension. */
static const char *
imp_pm2_name(struct imp_app *a, char *buf, size_t size)
{
	const char *s, *dot;
	json_t *v;
	size_t len;

	if ((v = json_object_get(a->src, "name")) != NULL && !json_is_null(v)) {
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    strlen(json_string_value(v)) != json_string_length(v)) {
			imp_fail(a, "name", "must be a non-empty string");
			return NULL;
		}
		return json_string_value(v);
	}
	if ((s = json_string_value(imp_get(a, "script"))) == NULL)
		return "";
	s = strrchr(s, '/') ? strrchr(s, '/') + 1 : s;
	dot = strrchr(s, '.');
	len = dot != NULL && dot != s ? (size_t)(dot - s) : strlen(s);
	snprintf(buf, size, "%.*s", (int)len, s);
	return buf;
}

/* The number of instances an ecosystem app asks for (PM2's rules). */
static int
imp_instances(struct imp_app *a, long *n)
{
	long ncpu = a->opts != NULL && a->opts->ncpu > 0 ? a->opts->ncpu : 1;
	json_t *v;
	double d;
	int rc;

	*n = 1;
	v = imp_get(a, "instances");
	if (json_is_string(v) && strcmp(json_string_value(v), "max") == 0)
		d = 0;
	else if ((rc = imp_num(a, "instances", &d)) == -1)
		return -1;
	else if (rc == 0)
		return 0;
	if (d == 0 || d == -1)
		*n = d == 0 ? ncpu : ncpu - 1;
	else if (d < 0)
		return imp_fail(a, "instances", "must be a count, 0, -1 or "
		    "\"max\"");
	else if (d > IMP_MAX_INSTANCES)
		return imp_fail(a, "instances", "more than %d",
		    IMP_MAX_INSTANCES);
	else
		*n = (long)d;
	if (*n < 1)
		*n = 1;
	return 0;
}

/* Whether s ends with end. */
static int
imp_ends(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && strcmp(s + n - m, end) == 0;
}

/* Whether PM2 runs the app in cluster mode (given, or node's default). */
static int
imp_cluster(struct imp_app *a, const char *interp)
{
	const char *m, *b;

	if ((m = json_string_value(imp_get(a, "exec_mode"))) != NULL)
		return strncmp(m, "cluster", 7) == 0;
	if (a->jlist || imp_get(a, "instances") == NULL || interp == NULL)
		return 0;
	b = strrchr(interp, '/') ? strrchr(interp, '/') + 1 : interp;
	return imp_ends(b, "node") || imp_ends(b, "bun");
}

/* autostart: PM2's autostart, or in jlist whether the process was up. */
static int
imp_autostart(struct imp_app *a)
{
	const char *st;
	json_t *v;

	if (a->jlist) {
		st = json_string_value(json_object_get(a->src, "status"));
		if (st == NULL || strcmp(st, "online") == 0 ||
		    strcmp(st, "launching") == 0)
			return 1;
		if (strcmp(st, "errored") == 0)
			imp_warn(a, "status", "errored in PM2; imported with "
			    "autostart false");
		return 0;
	}
	v = imp_get(a, "autostart");
	return !(v != NULL && (json_is_false(v) || (json_is_string(v) &&
	    strcmp(json_string_value(v), "false") == 0)));
}

/* Add t to out under name, remembering which app it came from. */
static int
imp_emit(struct imp_app *a, json_t *out, json_t *origin, json_t *t,
    const char *name)
{
	json_object_set_new(t, "name", json_string(name));
	if (json_array_append(out, t) == -1 ||
	    json_array_append_new(origin, json_string(a->label)) == -1)
		return imp_fail(a, "name", "out of memory");
	return 0;
}

/*
 * Convert one app (or one jlist process) into one tenant, or into N for
 * N instances, appended to out.
 */
static int
imp_app(struct imp_app *a, json_t *out, json_t *origin)
{
	char cwd[IMP_MAX_PATH + 1], nbuf[256], ebuf[512];
	char name[NAME_MAX_LEN + 1], tname[NAME_MAX_LEN + 32], ibuf[32];
	char esc[IMP_ECHO_LEN];
	const char *pm2name, *interp = NULL, *ivar;
	json_t *t = NULL, *cmd, *env, *v, *ti;
	double d;
	long n = 1, i, idx = -1;
	int rc = -1, cluster;

	if ((pm2name = imp_pm2_name(a, nbuf, sizeof(nbuf))) == NULL)
		return -1;
	if (*pm2name != '\0')
		snprintf(a->label, sizeof(a->label), "app '%s'",
		    imp_esc(esc, sizeof(esc), pm2name));
	if (!a->jlist)
		imp_unknown(a);
	ivar = json_string_value(imp_get(a, "instance_var"));
	if (ivar == NULL || !imp_env_key_ok(ivar))
		ivar = PM2_INSTANCE_VAR;
	if (a->jlist) {
		if (imp_num(a, "instances", &d) == 1 && d > 1) {
			if (d > IMP_MAX_INSTANCES)
				return imp_fail(a, "instances", "more than %d",
				    IMP_MAX_INSTANCES);
			n = (long)d;
			idx = (long)json_integer_value(json_object_get(a->src,
			    "pm_id"));
			v = json_object_get(a->src, ivar);
			d = -1;
			if (json_is_number(v))
				d = json_number_value(v);
			else if (json_is_string(v))
				imp_strtonum(json_string_value(v), &d);
			if (d >= 0 && d < IMP_MAX_INSTANCES)
				idx = (long)d;
			if (idx < 0 || idx > 99999999)
				idx = 0;
		}
	} else if (imp_instances(a, &n) == -1)
		return -1;
	if (!a->jlist && imp_truthy(imp_get(a, "append_env_to_name")) &&
	    a->opts != NULL && a->opts->env_name != NULL) {
		snprintf(ebuf, sizeof(ebuf), "%.200s-%.200s", pm2name,
		    a->opts->env_name);
		pm2name = ebuf;
	}
	snprintf(ibuf, sizeof(ibuf), "-%ld", n > 1 ? (idx >= 0 ? idx : n - 1) :
	    0);
	if (imp_name(a, pm2name, n > 1 ? strlen(ibuf) : 0, name,
	    sizeof(name)) == -1)
		return -1;
	if (imp_cwd(a, cwd, sizeof(cwd)) == -1 ||
	    (cmd = imp_command(a, cwd, &interp)) == NULL)
		return -1;
	if ((t = json_pack("{s:s, s:o, s:s}", "name", name, "command", cmd,
	    "cwd", cwd)) == NULL) {
		imp_fail(a, "cwd", "not valid UTF-8");
		return -1;
	}
	if ((env = imp_env(a, interp, ivar)) == NULL)
		goto done;
	json_object_set_new(t, "env", env);
	if (imp_account(a, t, "uid", "user") == -1 ||
	    imp_account(a, t, "gid", "group") == -1)
		goto done;
	if (json_object_get(t, "user") == NULL && a->opts != NULL &&
	    a->opts->user != NULL)
		json_object_set_new(t, "user", json_string(a->opts->user));
	else if (json_object_get(t, "user") == NULL && a->jlist &&
	    (v = json_object_get(a->src, "username")) != NULL &&
	    json_is_string(v) && imp_get(a, "uid") == NULL)
		imp_warn(a, "username", "ran as '%s' under PM2; --user "
		    "chooses the user of tenants", imp_esc(esc, sizeof(esc),
		    json_string_value(v)));
	json_object_set_new(t, "autostart", json_boolean(imp_autostart(a)));
	if ((v = imp_restart(a)) == NULL)
		goto done;
	json_object_set_new(t, "restart", v);
	d = PM2_KILL_TIMEOUT_MS;
	if (imp_num(a, "kill_timeout", &d) == -1)
		goto done;
	json_object_set_new(t, "stop", json_pack("{s:s, s:I}", "signal",
	    "SIGINT", "timeout_s", (json_int_t)imp_ms_to_s(a, "kill_timeout",
	    d < 0 ? 0 : d, 3600)));
	if (imp_memory(a, t) == -1)
		goto done;
	imp_logs(a, pm2name);
	imp_unsupported(a, n);
	cluster = imp_cluster(a, interp);
	if (cluster)
		imp_warn(a, "exec_mode", "cluster mode (workers sharing one "
		    "port through node's cluster module) has no equivalent; "
		    "each instance is a separate process: give each its "
		    "own port, or use SO_REUSEPORT or a reverse proxy");
	if (n > 1)
		imp_warn(a, "instances", "%ld instances become %ld tenants "
		    "%s-0 .. %s-%ld, each with %s set to its number", n, n,
		    name, name, n - 1, ivar);
	if (n == 1 || a->jlist) {
		snprintf(ibuf, sizeof(ibuf), "%ld", idx >= 0 ? idx : 0);
		json_object_set_new(env, ivar, json_string(ibuf));
		if (n > 1)
			snprintf(tname, sizeof(tname), "%s-%s", name, ibuf);
		else
			snprintf(tname, sizeof(tname), "%s", name);
		rc = imp_emit(a, out, origin, t, tname);
		goto done;
	}
	for (i = 0; i < n; i++) {
		if ((ti = json_deep_copy(t)) == NULL) {
			imp_fail(a, "instances", "out of memory");
			goto done;
		}
		snprintf(ibuf, sizeof(ibuf), "%ld", i);
		json_object_set_new(json_object_get(ti, "env"), ivar,
		    json_string(ibuf));
		snprintf(tname, sizeof(tname), "%s-%ld", name, i);
		rc = imp_emit(a, out, origin, ti, tname);
		json_decref(ti);
		if (rc == -1)
			goto done;
	}
	rc = 0;
done:
	json_decref(t);
	return rc;
}

/* Every tenant must be one apply accepts, and names must not collide. */
static int
imp_check(json_t *out, json_t *origin, struct vx_err *err)
{
	struct tenant_spec s;
	struct vx_err serr;
	json_t *seen, *t, *prev;
	const char *name;
	size_t i;

	if ((seen = json_object()) == NULL) {
		vx_err_set(err, VX_EXIT_FAIL, "out of memory");
		return -1;
	}
	json_array_foreach(out, i, t) {
		vx_err_clear(&serr);
		if (spec_from_json(t, &s, &serr) == -1) {
			vx_err_set(err, VX_EXIT_FAIL, "%s: %s",
			    json_string_value(json_array_get(origin, i)),
			    serr.msg);
			json_decref(seen);
			return -1;
		}
		spec_free(&s);
		name = json_string_value(json_object_get(t, "name"));
		if ((prev = json_object_get(seen, name)) != NULL) {
			vx_err_set(err, VX_EXIT_FAIL, "%s: name: tenant '%s' "
			    "would also be made from %s; rename one",
			    json_string_value(json_array_get(origin, i)), name,
			    json_string_value(prev));
			json_decref(seen);
			return -1;
		}
		json_object_set(seen, name, json_array_get(origin, i));
	}
	json_decref(seen);
	return 0;
}

/* The list of apps (or jlist processes) in doc; *jlist says which. */
static json_t *
imp_apps(const json_t *doc, int *jlist, json_t *warnings, struct vx_err *err)
{
	struct imp_app top;
	json_t *apps, *first;

	memset(&top, 0, sizeof(top));
	snprintf(top.label, sizeof(top.label), "ecosystem");
	top.warnings = warnings;
	top.err = err;
	*jlist = 0;
	if (json_is_array(doc)) {
		first = json_array_get(doc, 0);
		*jlist = json_is_object(first) &&
		    json_object_get(first, "pm2_env") != NULL;
		return json_incref((json_t *)doc);
	}
	if (!json_is_object(doc))
		goto bad;
	if (json_object_get(doc, "deploy") != NULL)
		imp_warn(&top, "deploy", "pm2 deploy has no equivalent; "
		    "ignored");
	if (json_object_get(doc, "static") != NULL)
		imp_warn(&top, "static", "pm2 serve has no equivalent; "
		    "ignored");
	if ((apps = json_object_get(doc, "apps")) == NULL)
		apps = json_object_get(doc, "pm2");
	if (apps == NULL && json_object_get(doc, "script") != NULL)
		apps = (json_t *)doc;
	if (json_is_object(apps))
		return json_pack("[O]", apps);
	if (json_is_array(apps))
		return json_incref(apps);
bad:
	vx_err_set(err, VX_EXIT_FAIL, "expected a PM2 ecosystem file "
	    "({\"apps\": [...]}) or the output of pm2 jlist "
	    "([{\"pm2_env\": ...}, ...])");
	return NULL;
}

/* Ecosystem files and jlist output, to the tenants that apply reads. */
json_t *
pm2import_convert(const json_t *doc, const struct pm2import_opts *opts,
    json_t *warnings, struct vx_err *err)
{
	struct imp_app a;
	json_t *apps, *app, *out, *origin, *env;
	size_t i;
	int jlist, rc = 0;

	vx_err_clear(err);
	if ((apps = imp_apps(doc, &jlist, warnings, err)) == NULL)
		return NULL;
	if (json_array_size(apps) > IMP_MAX_APPS) {
		vx_err_set(err, VX_EXIT_FAIL, "more than %d apps",
		    IMP_MAX_APPS);
		json_decref(apps);
		return NULL;
	}
	out = json_array();
	origin = json_array();
	json_array_foreach(apps, i, app) {
		memset(&a, 0, sizeof(a));
		a.jlist = jlist;
		a.opts = opts;
		a.warnings = warnings;
		a.err = err;
		snprintf(a.label, sizeof(a.label), "%s[%zu]", jlist ?
		    "process" : "apps", i);
		env = jlist ? json_object_get(app, "pm2_env") : app;
		if (!json_is_object(app) || !json_is_object(env)) {
			vx_err_set(err, VX_EXIT_FAIL, "%s: %s", a.label,
			    jlist ? "not a pm2 jlist process (an object "
			    "with pm2_env)" : "must be an object");
			rc = -1;
			break;
		}
		a.src = env;
		if ((rc = imp_app(&a, out, origin)) == -1)
			break;
	}
	json_decref(apps);
	if (rc == 0 && out != NULL && origin != NULL &&
	    imp_check(out, origin, err) == 0) {
		json_decref(origin);
		return out;
	}
	if (rc == 0 && (out == NULL || origin == NULL))
		vx_err_set(err, VX_EXIT_FAIL, "out of memory");
	json_decref(out);
	json_decref(origin);
	return NULL;
}

/* The CLI and the fuzzer start from text; errors say where it broke. */
json_t *
pm2import_text(const char *buf, size_t len, const char *what,
    const struct pm2import_opts *opts, json_t *warnings, struct vx_err *err)
{
	json_error_t jerr;
	json_t *doc, *out;

	if ((doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		vx_err_set(err, VX_EXIT_FAIL, "%s:%d:%d: %s", what, jerr.line,
		    jerr.column, jerr.text);
		return NULL;
	}
	out = pm2import_convert(doc, opts, warnings, err);
	json_decref(doc);
	return out;
}

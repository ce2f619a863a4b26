/* test_pm2import.c: PM2 apps to tenants: each mapping, warning and error. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "err.h"
#include "fd.h"
#include "pm2import.h"
#include "spec.h"

static json_t *warnings;

/* Convert text with base /srv/app and 4 CPUs; NULL on error. */
static json_t *
conv_env(const char *text, const char *env_name, struct vx_err *err)
{
	struct pm2import_opts o = { .base_dir = "/srv/app",
	    .env_name = env_name, .ncpu = 4 };

	json_decref(warnings);
	warnings = json_array();
	return pm2import_text(text, strlen(text), "test.json", &o, warnings,
	    err);
}

/* Convert text that must convert; every tenant must be a valid spec. */
static json_t *
ok_env(const char *text, const char *env_name)
{
	struct tenant_spec s;
	struct vx_err err;
	json_t *t, *e;
	size_t i;

	if ((t = conv_env(text, env_name, &err)) == NULL)
		fail_msg("rejected: %s\n  %s", err.msg, text);
	assert_true(json_is_array(t));
	json_array_foreach(t, i, e) {
		if (spec_from_json(e, &s, &err) == -1)
			fail_msg("not a valid spec: %s", err.msg);
		spec_free(&s);
	}
	return t;
}

static json_t *
ok(const char *text)
{
	return ok_env(text, NULL);
}

/* text must fail with an error containing each of the given strings. */
static void
bad(const char *text, const char *want1, const char *want2)
{
	struct vx_err err;
	json_t *t;

	if ((t = conv_env(text, NULL, &err)) != NULL) {
		json_decref(t);
		fail_msg("accepted: %s", text);
	}
	assert_int_equal(err.code, VX_EXIT_FAIL);
	if (strstr(err.msg, want1) == NULL ||
	    (want2 != NULL && strstr(err.msg, want2) == NULL))
		fail_msg("error '%s' lacks '%s' / '%s'", err.msg, want1,
		    want2 ? want2 : "");
}

/* Whether some warning contains all of the given strings. */
static int
warned(const char *a, const char *b)
{
	const json_t *w;
	const char *s;
	size_t i;

	json_array_foreach(warnings, i, w) {
		s = json_string_value(w);
		if (strstr(s, a) != NULL && (b == NULL || strstr(s, b) != NULL))
			return 1;
	}
	return 0;
}

/* The value at a jq-like path of tenant i ("restart.policy"). */
static json_t *
at(json_t *t, size_t i, const char *path)
{
	char buf[128], *p, *dot;
	json_t *v = json_array_get(t, i);

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf; v != NULL && p != NULL; p = dot) {
		if ((dot = strchr(p, '.')) != NULL)
			*dot++ = '\0';
		v = json_object_get(v, p);
	}
	return v;
}

static const char *
str(json_t *t, size_t i, const char *path)
{
	const char *s = json_string_value(at(t, i, path));

	return s != NULL ? s : "(none)";
}

static long long
num(json_t *t, size_t i, const char *path)
{
	json_t *v = at(t, i, path);

	if (!json_is_integer(v))
		fail_msg("%s is not an integer", path);
	return json_integer_value(v);
}

/* The command of tenant i as one space-separated string. */
static const char *
cmd(json_t *t, size_t i)
{
	static char buf[1024];
	json_t *a = at(t, i, "command"), *e;
	size_t k;

	buf[0] = '\0';
	json_array_foreach(a, k, e) {
		if (k > 0)
			strcat(buf, "|");
		strncat(buf, json_string_value(e), 200);
	}
	return buf;
}

#define APP(x)	"{\"apps\": [{" x "}]}"

static void
test_names(void **state)
{
	json_t *t;

	(void)state;
	t = ok(APP("\"name\": \"My  App!\", \"script\": \"a.js\""));
	assert_string_equal(str(t, 0, "name"), "my-app");
	assert_true(warned("app 'My  App!': name:", "'my-app'"));
	json_decref(t);

	t = ok(APP("\"script\": \"lib/server.js\""));
	assert_string_equal(str(t, 0, "name"), "server");
	assert_false(warned("name", NULL));
	json_decref(t);

	t = ok(APP("\"name\": \"_Ab.c-d_\", \"script\": \"a.js\""));
	assert_string_equal(str(t, 0, "name"), "ab.c-d_");
	json_decref(t);

	bad(APP("\"name\": \"!!!\", \"script\": \"a.js\""), "app '!!!': name:",
	    "no tenant name");
	bad(APP("\"name\": 7, \"script\": \"a.js\""), "apps[0]: name:",
	    "string");
	bad("{\"apps\": [{\"name\": \"Web\", \"script\": \"a.js\"},"
	    "{\"name\": \"web\", \"script\": \"b.js\"}]}",
	    "app 'web': name: tenant 'web'", "app 'Web'");
}

static void
test_command(void **state)
{
	json_t *t;

	(void)state;
	t = ok(APP("\"name\": \"a\", \"script\": \"bot.js\", \"args\": "
	    "\"--x 1 'two words' k=\\\"v w\\\" \\\"\\\" \", "
	    "\"node_args\": [\"--inspect\"]"));
	assert_string_equal(cmd(t, 0),
	    "node|--inspect|/srv/app/bot.js|--x|1|two words|k=\"v w\"");
	assert_string_equal(str(t, 0, "cwd"), "/srv/app");
	json_decref(t);

	t = ok(APP("\"name\": \"a\", \"script\": \"../x/./w.py\", "
	    "\"cwd\": \"sub\", \"args\": [\"-n\", 3, 1.5]"));
	assert_string_equal(cmd(t, 0), "python3|/srv/app/x/w.py|-n|3|1.5");
	assert_string_equal(str(t, 0, "cwd"), "/srv/app/sub");
	assert_string_equal(str(t, 0, "env.PYTHONUNBUFFERED"), "1");
	json_decref(t);

	t = ok(APP("\"name\": \"a\", \"exec\": \"run.sh\", \"cwd\": \"/opt/b\","
	    " \"interpreter_args\": \"-e\""));
	assert_string_equal(cmd(t, 0), "bash|-e|/opt/b/run.sh");
	json_decref(t);

	t = ok(APP("\"name\": \"a\", \"script\": \"sleep\", \"args\": \"5\", "
	    "\"interpreter\": \"none\", \"node_args\": \"-x\""));
	assert_string_equal(cmd(t, 0), "sleep|5");
	assert_true(warned("interpreter_args", "no interpreter"));
	json_decref(t);

	t = ok(APP("\"name\": \"a\", \"script\": \"npm\", \"args\": "
	    "\"run start\""));
	assert_string_equal(cmd(t, 0), "npm|run|start");
	assert_true(warned("app 'a': interpreter:", "executed directly"));
	json_decref(t);

	t = ok(APP("\"name\": \"a\", \"script\": \"./srv\", "
	    "\"interpreter\": \"none\""));
	assert_string_equal(cmd(t, 0), "/srv/app/srv");
	json_decref(t);

	t = ok(APP("\"name\": \"a\", \"script\": \"a.js\", "
	    "\"exec_interpreter\": \"node@18.1.0\""));
	assert_string_equal(cmd(t, 0), "node|/srv/app/a.js");
	assert_true(warned("interpreter", "nvm"));
	json_decref(t);

	t = ok(APP("\"name\": \"a\", \"script\": \"a.ts\""));
	assert_string_equal(cmd(t, 0), "bun|/srv/app/a.ts");
	assert_true(warned("interpreter", "bun"));
	json_decref(t);

	t = ok(APP("\"name\": \"a\", \"script\": \"a.rb\", "
	    "\"interpreter\": \"/usr/bin/ruby3\""));
	assert_string_equal(cmd(t, 0), "/usr/bin/ruby3|/srv/app/a.rb");
	json_decref(t);

	bad(APP("\"name\": \"a\""), "app 'a': script:", "required");
	bad(APP("\"name\": \"a\", \"script\": \"\""), "script:", "non-empty");
	bad(APP("\"name\": \"a\", \"script\": \"a.js\", \"args\": {}"),
	    "app 'a': args:", "array or a string");
	bad(APP("\"name\": \"a\", \"script\": \"a.js\", \"args\": [[1]]"),
	    "app 'a': args[0]:", "string");
	bad(APP("\"name\": \"a\", \"script\": \"a.js\", \"interpreter\": 1"),
	    "app 'a': interpreter:", NULL);
}

static void
test_command_limits(void **state)
{
	char *big, *text;
	json_t *t;

	(void)state;
	/* An argument apply would refuse is an error naming the app. */
	big = malloc(5000);
	assert_non_null(big);
	memset(big, 'x', 4999);
	big[4999] = '\0';
	assert_true(asprintf(&text, APP("\"name\": \"a\", \"script\": "
	    "\"a.js\", \"args\": [\"%s\"]"), big) > 0);
	bad(text, "app 'a': command[2]:", "longer than 4096");
	free(text);
	free(big);

	/* Without a base directory a relative path cannot be resolved. */
	{
		struct pm2import_opts o = { .ncpu = 1 };
		struct vx_err err;
		const char *s = APP("\"name\": \"a\", \"script\": \"a.js\"");

		t = pm2import_text(s, strlen(s), "x", &o, NULL, &err);
		assert_null(t);
		assert_non_null(strstr(err.msg, "app 'a': cwd:"));
		s = APP("\"name\": \"a\", \"script\": \"a.js\", "
		    "\"cwd\": \"/b\"");
		t = pm2import_text(s, strlen(s), "x", &o, NULL, &err);
		assert_non_null(t);
		assert_string_equal(cmd(t, 0), "node|/b/a.js");
		json_decref(t);
	}
}

static void
test_env(void **state)
{
	json_t *t;

	(void)state;
	t = ok(APP("\"name\": \"a\", \"script\": \"a.js\", \"env\": {"
	    "\"S\": \"x\", \"N\": 3, \"F\": 1.5, \"B\": true, "
	    "\"O\": {\"k\": [1, 2]}, \"Z\": null, \"bad-key\": \"1\", "
	    "\"VECTIS_X\": \"1\"}, \"env_production\": {\"S\": \"p\"}, "
	    "\"port\": 8080"));
	assert_string_equal(str(t, 0, "env.S"), "x");
	assert_string_equal(str(t, 0, "env.N"), "3");
	assert_string_equal(str(t, 0, "env.F"), "1.5");
	assert_string_equal(str(t, 0, "env.B"), "true");
	assert_string_equal(str(t, 0, "env.O"), "{\"k\":[1,2]}");
	assert_string_equal(str(t, 0, "env.PORT"), "8080");
	assert_string_equal(str(t, 0, "env.NODE_APP_INSTANCE"), "0");
	assert_null(at(t, 0, "env.Z"));
	assert_null(at(t, 0, "env.bad-key"));
	assert_null(at(t, 0, "env.VECTIS_X"));
	assert_true(warned("app 'a': env.Z:", "null"));
	assert_true(warned("app 'a': env.bad-key:", "left out"));
	assert_true(warned("app 'a': env.VECTIS_X:", "reserved"));
	assert_true(warned("app 'a': env_production:", "--env NAME"));
	json_decref(t);

	/* --env production merges env_production over env, as pm2 does. */
	t = ok_env(APP("\"name\": \"a\", \"script\": \"a.js\", \"env\": "
	    "{\"S\": \"x\", \"T\": \"t\"}, \"env_production\": {\"S\": \"p\","
	    " \"PORT\": \"9\"}, \"port\": 8080"), "production");
	assert_string_equal(str(t, 0, "env.S"), "p");
	assert_string_equal(str(t, 0, "env.T"), "t");
	assert_string_equal(str(t, 0, "env.PORT"), "9");
	assert_false(warned("env_production", NULL));
	json_decref(t);

	t = ok_env(APP("\"name\": \"a\", \"script\": \"a.js\"") , "staging");
	assert_true(warned("app 'a': --env:", "env_staging is not defined"));
	json_decref(t);

	/* A renamed instance variable. */
	t = ok(APP("\"name\": \"a\", \"script\": \"a.js\", "
	    "\"instance_var\": \"INSTANCE_ID\""));
	assert_string_equal(str(t, 0, "env.INSTANCE_ID"), "0");
	assert_null(at(t, 0, "env.NODE_APP_INSTANCE"));
	json_decref(t);

	bad(APP("\"name\": \"a\", \"script\": \"a.js\", \"env\": [1]"),
	    "app 'a': env:", "object");
	bad(APP("\"name\": \"a\", \"script\": \"a.js\", \"port\": \"x\""),
	    "app 'a': port:", "number");
}

static void
test_restart(void **state)
{
	json_t *t;

	(void)state;
	/* PM2's defaults: always, 16 restarts, 1 s uptime, SIGINT, 1.6 s. */
	t = ok(APP("\"name\": \"a\", \"script\": \"a.js\""));
	assert_string_equal(str(t, 0, "restart.policy"), "always");
	assert_int_equal(num(t, 0, "restart.max_restarts"), 16);
	assert_int_equal(num(t, 0, "restart.min_uptime_s"), 1);
	assert_null(at(t, 0, "restart.backoff_initial_ms"));
	/* PM2 has nothing like retry_after_s: vectis' default applies */
	assert_null(at(t, 0, "restart.retry_after_s"));
	assert_null(at(t, 0, "restart.cron"));
	assert_null(at(t, 0, "restart.max_age_s"));
	assert_string_equal(str(t, 0, "stop.signal"), "SIGINT");
	assert_int_equal(num(t, 0, "stop.timeout_s"), 2);
	assert_true(json_is_true(at(t, 0, "autostart")));
	assert_null(at(t, 0, "limits"));
	json_decref(t);

	t = ok(APP("\"name\": \"a\", \"script\": \"a.js\", \"autorestart\": "
	    "false, \"max_restarts\": \"3\", \"min_uptime\": \"2m\", "
	    "\"kill_timeout\": 5000, \"restart_delay\": 250, "
	    "\"autostart\": false"));
	assert_string_equal(str(t, 0, "restart.policy"), "never");
	assert_int_equal(num(t, 0, "restart.max_restarts"), 3);
	assert_int_equal(num(t, 0, "restart.min_uptime_s"), 120);
	assert_int_equal(num(t, 0, "restart.backoff_initial_ms"), 250);
	assert_int_equal(num(t, 0, "restart.backoff_max_ms"), 250);
	assert_int_equal(num(t, 0, "stop.timeout_s"), 5);
	assert_true(json_is_false(at(t, 0, "autostart")));
	json_decref(t);

	t = ok(APP("\"name\": \"a\", \"script\": \"a.js\", \"min_uptime\": "
	    "1500, \"stop_exit_codes\": [0], \"exp_backoff_restart_delay\": "
	    "100, \"restart_delay\": 9, \"kill_timeout\": 0"));
	assert_string_equal(str(t, 0, "restart.policy"), "on-failure");
	assert_int_equal(num(t, 0, "restart.min_uptime_s"), 2);
	assert_int_equal(num(t, 0, "restart.backoff_initial_ms"), 100);
	assert_int_equal(num(t, 0, "restart.backoff_max_ms"), 15000);
	assert_int_equal(num(t, 0, "stop.timeout_s"), 0);
	assert_true(warned("app 'a': restart_delay:", "exp_backoff"));
	json_decref(t);

	t = ok(APP("\"name\": \"a\", \"script\": \"a.js\", \"min_uptime\": "
	    "\"1h\", \"stop_exit_codes\": [0, 3], \"kill_timeout\": 1e9"));
	assert_string_equal(str(t, 0, "restart.policy"), "on-failure");
	assert_int_equal(num(t, 0, "restart.min_uptime_s"), 3600);
	assert_int_equal(num(t, 0, "stop.timeout_s"), 3600);
	assert_true(warned("app 'a': stop_exit_codes:", "only 0"));
	assert_true(warned("app 'a': kill_timeout:", "3600 s"));
	json_decref(t);

	t = ok(APP("\"name\": \"a\", \"script\": \"a.js\", "
	    "\"stop_exit_codes\": 2, \"minUptime\": \"30s\""));
	assert_string_equal(str(t, 0, "restart.policy"), "always");
	assert_int_equal(num(t, 0, "restart.min_uptime_s"), 30);
	json_decref(t);

	bad(APP("\"name\": \"a\", \"script\": \"a.js\", \"min_uptime\": 50"),
	    "app 'a': min_uptime:", "at least 100");
	bad(APP("\"name\": \"a\", \"script\": \"a.js\", \"min_uptime\": "
	    "\"1.5s\""), "app 'a': min_uptime:", "10s");
	bad(APP("\"name\": \"a\", \"script\": \"a.js\", \"max_restarts\": "
	    "-1"), "app 'a': max_restarts:", "negative");
	bad(APP("\"name\": \"a\", \"script\": \"a.js\", \"restart_delay\": "
	    "\"soon\""), "app 'a': restart_delay:", "number");
	bad(APP("\"name\": \"a\", \"script\": \"a.js\", \"stop_exit_codes\": "
	    "\"0\""), "app 'a': stop_exit_codes:", NULL);
}

static void
test_memory(void **state)
{
	json_t *t;

	(void)state;
	t = ok("{\"apps\": ["
	    "{\"name\": \"a\", \"script\": \"a.js\", "
	    "\"max_memory_restart\": \"300M\"},"
	    "{\"name\": \"b\", \"script\": \"a.js\", "
	    "\"max_memory_restart\": \"2G\"},"
	    "{\"name\": \"c\", \"script\": \"a.js\", "
	    "\"max_memory_restart\": \"512K\"},"
	    "{\"name\": \"d\", \"script\": \"a.js\", "
	    "\"maxMemoryRestart\": 2097152},"
	    "{\"name\": \"e\", \"script\": \"a.js\", "
	    "\"max_memory_restart\": \"3145728\"}]}");
	assert_int_equal(num(t, 0, "limits.max_memory_restart_bytes"),
	    300LL << 20);
	assert_int_equal(num(t, 1, "limits.max_memory_restart_bytes"),
	    2LL << 30);
	assert_int_equal(num(t, 2, "limits.max_memory_restart_bytes"),
	    1LL << 20);
	assert_true(warned("app 'c': max_memory_restart:", "1 MiB"));
	assert_int_equal(num(t, 3, "limits.max_memory_restart_bytes"),
	    2LL << 20);
	assert_int_equal(num(t, 4, "limits.max_memory_restart_bytes"),
	    3LL << 20);
	json_decref(t);

	bad(APP("\"name\": \"a\", \"script\": \"a.js\", "
	    "\"max_memory_restart\": \"300MB\""),
	    "app 'a': max_memory_restart:", "300M");
	bad(APP("\"name\": \"a\", \"script\": \"a.js\", "
	    "\"max_memory_restart\": \"300m\""),
	    "app 'a': max_memory_restart:", NULL);
	bad(APP("\"name\": \"a\", \"script\": \"a.js\", "
	    "\"max_memory_restart\": true"),
	    "app 'a': max_memory_restart:", NULL);
}

static void
test_instances(void **state)
{
	json_t *t;

	(void)state;
	t = ok(APP("\"name\": \"w\", \"script\": \"w.sh\", \"instances\": 3"));
	assert_int_equal(json_array_size(t), 3);
	assert_string_equal(str(t, 0, "name"), "w-0");
	assert_string_equal(str(t, 2, "name"), "w-2");
	assert_string_equal(str(t, 1, "env.NODE_APP_INSTANCE"), "1");
	assert_true(warned("app 'w': instances:", "w-0 .. w-2"));
	assert_false(warned("exec_mode", NULL));	/* bash: fork mode */
	json_decref(t);

	/* node with instances is cluster mode unless exec_mode says fork. */
	t = ok(APP("\"name\": \"api\", \"script\": \"a.js\", "
	    "\"instances\": \"max\""));
	assert_int_equal(json_array_size(t), 4);
	assert_true(warned("app 'api': exec_mode:", "cluster"));
	json_decref(t);
	t = ok(APP("\"name\": \"api\", \"script\": \"a.ts\", "
	    "\"instances\": 1"));
	assert_true(warned("app 'api': exec_mode:", "cluster"));
	json_decref(t);
	t = ok(APP("\"name\": \"api\", \"script\": \"a.js\", "
	    "\"instances\": -1, \"exec_mode\": \"fork\""));
	assert_int_equal(json_array_size(t), 3);
	assert_false(warned("exec_mode", NULL));
	json_decref(t);
	t = ok(APP("\"name\": \"api\", \"script\": \"a.js\", "
	    "\"instances\": 0, \"exec_mode\": \"cluster_mode\", "
	    "\"merge_logs\": true"));
	assert_int_equal(json_array_size(t), 4);
	assert_true(warned("app 'api': exec_mode:", "cluster"));
	assert_true(warned("app 'api': merge_logs:", NULL));
	json_decref(t);
	t = ok(APP("\"name\": \"api\", \"script\": \"a.js\", "
	    "\"exec_mode\": \"cluster\""));
	assert_int_equal(json_array_size(t), 1);
	assert_string_equal(str(t, 0, "name"), "api");
	assert_true(warned("app 'api': exec_mode:", "cluster"));
	json_decref(t);

	/* A long name is cut so that the suffix fits. */
	t = ok(APP("\"name\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaa\", \"script\": \"a.sh\", "
	    "\"instances\": 12"));
	assert_int_equal(strlen(str(t, 11, "name")), 63);
	assert_string_equal(str(t, 11, "name") + 60, "-11");
	json_decref(t);

	bad(APP("\"name\": \"a\", \"script\": \"a.js\", \"instances\": 5000"),
	    "app 'a': instances:", "more than");
	bad(APP("\"name\": \"a\", \"script\": \"a.js\", \"instances\": -3"),
	    "app 'a': instances:", NULL);
	/* The instance names collide with another app's name. */
	bad("{\"apps\": [{\"name\": \"w\", \"script\": \"a.sh\", "
	    "\"instances\": 2}, {\"name\": \"w-1\", \"script\": \"b.sh\"}]}",
	    "app 'w-1': name: tenant 'w-1'", "app 'w'");
}

static void
test_warnings(void **state)
{
	json_t *t;

	(void)state;
	t = ok("{\"deploy\": {}, \"apps\": [{\"name\": \"a\", \"script\": "
	    "\"a.js\", \"watch\": [\"src\"], \"cron_restart\": \"0 3 * * *\", "
	    "\"wait_ready\": true, \"listen_timeout\": 3000, "
	    "\"shutdown_with_message\": true, \"treekill\": false, "
	    "\"log_date_format\": \"YYYY\", \"time\": true, "
	    "\"disable_logs\": true, \"out_file\": \"/var/log/a.out\", "
	    "\"error\": \"/var/log/a.err\", \"log\": true, "
	    "\"pid_file\": \"/run/a.pid\", \"increment_var\": \"PORT\", "
	    "\"log_type\": \"json\", \"namespace\": \"bots\", "
	    "\"post_update\": [\"npm i\"], \"colour\": \"blue\", "
	    "\"vizion\": false, \"env_staging\": {}}]}");
	assert_true(warned("ecosystem: deploy:", NULL));
	assert_true(warned("app 'a': watch:", NULL));
	/* cron_restart is restart.cron now: no warning */
	assert_false(warned("cron_restart", NULL));
	assert_string_equal(str(t, 0, "restart.cron"), "0 3 * * *");
	assert_true(warned("app 'a': wait_ready:", "READY=1"));
	assert_true(warned("app 'a': listen_timeout:", NULL));
	assert_true(warned("app 'a': shutdown_with_message:", NULL));
	assert_true(warned("app 'a': treekill:", NULL));
	assert_true(warned("app 'a': log_date_format:", NULL));
	assert_true(warned("app 'a': time:", NULL));
	assert_true(warned("app 'a': disable_logs:", NULL));
	assert_true(warned("app 'a': out_file:", "/var/log/a.out"));
	assert_true(warned("app 'a': error_file:", "/var/log/a.err"));
	assert_true(warned("app 'a': log_file:", NULL));
	assert_true(warned("app 'a': pid_file:", NULL));
	assert_true(warned("app 'a': increment_var:", NULL));
	assert_true(warned("app 'a': log_type:", NULL));
	assert_true(warned("app 'a': namespace:", "'bots'"));
	assert_true(warned("app 'a': post_update:", NULL));
	assert_true(warned("app 'a': colour:", "not a PM2 setting"));
	assert_true(warned("app 'a': env_staging:", NULL));
	assert_false(warned("vizion", NULL));
	json_decref(t);

	/* Settings at their harmless values give no warning at all. */
	t = ok(APP("\"name\": \"a\", \"script\": \"a.js\", \"watch\": false, "
	    "\"treekill\": true, \"exec_mode\": \"fork_mode\", "
	    "\"autorestart\": true, \"namespace\": \"default\", "
	    "\"merge_logs\": true, \"out_file\": \"\""));
	assert_int_equal(json_array_size(warnings), 0);
	json_decref(t);
}

/* cron_restart -> restart.cron; croner's seconds field; what is refused. */
static void
test_cron_restart(void **state)
{
	static const char *const same[] = {
		"0 3 * * *", "*/30 * * * *", "0 4 * * mon-fri", "@daily",
		"15 2 1,15 * *",
	};
	static const char *const none[] = { "\"0\"", "0", "\"\"", "\"  \"",
	    "null" };
	char text[256];
	json_t *t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		snprintf(text, sizeof(text), APP("\"name\": \"a\", \"script\": "
		    "\"a.js\", \"cron_restart\": \"%s\""), same[i]);
		t = ok(text);
		assert_string_equal(str(t, 0, "restart.cron"), same[i]);
		assert_int_equal(json_array_size(warnings), 0);
		json_decref(t);
	}
	/* PM2's own way of saying "no schedule" */
	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		snprintf(text, sizeof(text), APP("\"name\": \"a\", \"script\": "
		    "\"a.js\", \"cron_restart\": %s"), none[i]);
		t = ok(text);
		assert_null(at(t, 0, "restart.cron"));
		assert_int_equal(json_array_size(warnings), 0);
		json_decref(t);
	}
	/* the alias and camelCase names PM2 accepts */
	t = ok(APP("\"name\": \"a\", \"script\": \"a.js\", \"cron\": "
	    "\"0 5 * * *\""));
	assert_string_equal(str(t, 0, "restart.cron"), "0 5 * * *");
	json_decref(t);
	t = ok(APP("\"name\": \"a\", \"script\": \"a.js\", \"cronRestart\": "
	    "\"0 6 * * *\""));
	assert_string_equal(str(t, 0, "restart.cron"), "0 6 * * *");
	json_decref(t);

	/* croner's six fields: a seconds field of 0 is dropped silently */
	t = ok(APP("\"name\": \"a\", \"script\": \"a.js\", "
	    "\"cron_restart\": \"0 0 3 * * *\""));
	assert_string_equal(str(t, 0, "restart.cron"), "0 3 * * *");
	assert_int_equal(json_array_size(warnings), 0);
	json_decref(t);
	t = ok(APP("\"name\": \"a\", \"script\": \"a.js\", "
	    "\"cron_restart\": \"30 0 3 * * *\""));
	assert_string_equal(str(t, 0, "restart.cron"), "0 3 * * *");
	assert_true(warned("app 'a': cron_restart: seconds field 30 dropped",
	    NULL));
	json_decref(t);
	t = ok(APP("\"name\": \"a\", \"script\": \"a.js\", "
	    "\"cron_restart\": \"*/2 * * * * *\""));
	assert_null(at(t, 0, "restart.cron"));
	assert_true(warned("app 'a': cron_restart: '*/2 * * * * *' not "
	    "imported: restart.cron has no seconds field", NULL));
	json_decref(t);

	/* what restart.cron refuses is left out, with the parser's reason */
	t = ok(APP("\"name\": \"a\", \"script\": \"a.js\", "
	    "\"cron_restart\": \"0 0 L * *\""));
	assert_null(at(t, 0, "restart.cron"));
	assert_true(warned("app 'a': cron_restart: '0 0 L * *' not imported: "
	    "day-of-month field \"L\": expected a number", NULL));
	json_decref(t);
	t = ok(APP("\"name\": \"a\", \"script\": \"a.js\", "
	    "\"cron_restart\": \"0 0 31 2 *\""));
	assert_null(at(t, 0, "restart.cron"));
	assert_true(warned("'0 0 31 2 *' not imported: never fires", NULL));
	json_decref(t);
	t = ok(APP("\"name\": \"a\", \"script\": \"a.js\", "
	    "\"cron_restart\": \"* * * asdasd\""));
	assert_null(at(t, 0, "restart.cron"));
	assert_true(warned("'* * * asdasd' not imported: too few fields",
	    NULL));
	json_decref(t);
	t = ok(APP("\"name\": \"a\", \"script\": \"a.js\", "
	    "\"cron_restart\": \"0 3 * * *\\n\""));
	assert_null(at(t, 0, "restart.cron"));
	assert_true(warned("app 'a': cron_restart: '0 3 * * *\\n' not "
	    "imported: byte 0x0a", NULL));
	json_decref(t);

	/* not a string: an error, as for PM2's other settings */
	bad(APP("\"name\": \"a\", \"script\": \"a.js\", \"cron_restart\": "
	    "3"), "app 'a': cron_restart: must be a string", NULL);
	bad(APP("\"name\": \"a\", \"script\": \"a.js\", \"cron_restart\": "
	    "[\"0 3 * * *\"]"), "app 'a': cron_restart: must be a string",
	    NULL);
	bad(APP("\"name\": \"a\", \"script\": \"a.js\", \"cron_restart\": "
	    "true"), "app 'a': cron_restart: must be a string", NULL);
}

static void
test_account(void **state)
{
	json_t *t;

	(void)state;
	t = ok(APP("\"name\": \"a\", \"script\": \"a.js\", \"uid\": \"bot\", "
	    "\"gid\": \"bots\""));
	assert_string_equal(str(t, 0, "user"), "bot");
	assert_string_equal(str(t, 0, "group"), "bots");
	json_decref(t);
	t = ok(APP("\"name\": \"a\", \"script\": \"a.js\", \"user\": 1000"));
	assert_null(at(t, 0, "user"));
	assert_true(warned("app 'a': uid:", "numeric"));
	json_decref(t);
	bad(APP("\"name\": \"a\", \"script\": \"a.js\", \"uid\": \"-x\""),
	    "app 'a': user:", NULL);

	/* --user: for apps that name no usable user. */
	{
		struct pm2import_opts o = { .base_dir = "/", .ncpu = 1,
		    .user = "deploy" };
		struct vx_err err;
		const char *s = "{\"apps\": [{\"name\": \"a\", \"script\": "
		    "\"a.js\"}, {\"name\": \"b\", \"script\": \"a.js\", "
		    "\"uid\": \"bot\"}, {\"name\": \"c\", \"script\": "
		    "\"a.js\", \"uid\": 33}]}";

		t = pm2import_text(s, strlen(s), "x", &o, NULL, &err);
		assert_non_null(t);
		assert_string_equal(str(t, 0, "user"), "deploy");
		assert_string_equal(str(t, 1, "user"), "bot");
		assert_string_equal(str(t, 2, "user"), "deploy");
		json_decref(t);
	}
}

static void
test_append_env(void **state)
{
	json_t *t;

	(void)state;
	t = ok_env(APP("\"name\": \"bot\", \"script\": \"a.js\", "
	    "\"append_env_to_name\": true, \"env_prod\": {}"), "prod");
	assert_string_equal(str(t, 0, "name"), "bot-prod");
	json_decref(t);
}

#define PROC(env, rest) "{\"pid\": 1, \"name\": \"x\", \"pm2_env\": {" \
	"\"pm_exec_path\": \"/srv/p/app.js\", \"pm_cwd\": \"/srv/p\", " \
	"\"exec_interpreter\": \"node\", \"node_args\": [], \"args\": null, " \
	"\"env\": " env ", " rest "}}"

static void
test_jlist(void **state)
{
	json_t *t;

	(void)state;
	t = ok("[" PROC("{\"PM2_HOME\": \"/h\", \"unique_id\": \"u\", "
	    "\"PWD\": \"apps\", \"web\": \"{}\", \"pm_id\": \"0\", "
	    "\"NODE_APP_INSTANCE\": 5, \"A\": \"1\", \"HOME\": \"/root\"}",
	    "\"name\": \"web\", \"status\": \"online\", \"pm_id\": 0, "
	    "\"instances\": 1, \"exec_mode\": \"fork_mode\", "
	    "\"autorestart\": true, \"min_uptime\": 2000, \"max_restarts\": "
	    "null, \"kill_timeout\": null, \"max_memory_restart\": 314572800, "
	    "\"pm_out_log_path\": \"/h/logs/web-out.log\", "
	    "\"pm_err_log_path\": \"/h/logs/web-error.log\", "
	    "\"watch\": false, \"vizion\": true, \"axm_options\": {}, "
	    "\"username\": \"deploy\"") "]");
	assert_int_equal(json_array_size(t), 1);
	assert_string_equal(str(t, 0, "name"), "web");
	assert_string_equal(cmd(t, 0), "node|/srv/p/app.js");
	assert_string_equal(str(t, 0, "cwd"), "/srv/p");
	assert_string_equal(str(t, 0, "env.A"), "1");
	assert_string_equal(str(t, 0, "env.HOME"), "/root");
	assert_string_equal(str(t, 0, "env.NODE_APP_INSTANCE"), "0");
	assert_null(at(t, 0, "env.PM2_HOME"));
	assert_null(at(t, 0, "env.unique_id"));
	assert_null(at(t, 0, "env.PWD"));
	assert_null(at(t, 0, "env.web"));
	assert_null(at(t, 0, "env.pm_id"));
	assert_true(warned("app 'web': env:", "2 variables"));
	assert_null(at(t, 0, "user"));
	assert_int_equal(num(t, 0, "restart.min_uptime_s"), 2);
	assert_int_equal(num(t, 0, "restart.max_restarts"), 16);
	assert_int_equal(num(t, 0, "stop.timeout_s"), 2);
	assert_int_equal(num(t, 0, "limits.max_memory_restart_bytes"),
	    300LL << 20);
	assert_true(json_is_true(at(t, 0, "autostart")));
	assert_false(warned("out_file", NULL));
	assert_false(warned("vizion", NULL));
	assert_false(warned("not a PM2 setting", NULL));
	assert_true(warned("app 'web': username:", "'deploy'"));
	json_decref(t);

	/* Two cluster instances, a stopped and an errored process. */
	t = ok("[" PROC("{}", "\"name\": \"Api\", \"status\": \"online\", "
	    "\"pm_id\": 3, \"instances\": 2, \"NODE_APP_INSTANCE\": 1, "
	    "\"exec_mode\": \"cluster_mode\", \"pm_out_log_path\": "
	    "\"/var/log/api.log\"") ","
	    PROC("{}", "\"name\": \"Api\", \"status\": \"online\", "
	    "\"pm_id\": 2, \"instances\": 2, \"NODE_APP_INSTANCE\": 0, "
	    "\"exec_mode\": \"cluster_mode\"") ","
	    PROC("{}", "\"name\": \"s\", \"status\": \"stopped\", "
	    "\"autorestart\": false") ","
	    PROC("{}", "\"name\": \"e\", \"status\": \"errored\"") "]");
	assert_int_equal(json_array_size(t), 4);
	assert_string_equal(str(t, 0, "name"), "api-1");
	assert_string_equal(str(t, 0, "env.NODE_APP_INSTANCE"), "1");
	assert_string_equal(str(t, 1, "name"), "api-0");
	assert_true(warned("app 'Api': exec_mode:", "cluster"));
	assert_true(warned("app 'Api': out_file:", "/var/log/api.log"));
	assert_true(json_is_false(at(t, 2, "autostart")));
	assert_string_equal(str(t, 2, "restart.policy"), "never");
	assert_true(json_is_false(at(t, 3, "autostart")));
	assert_true(warned("app 'e': status:", "errored"));
	json_decref(t);

	/* Two processes of one name and one instance collide. */
	bad("[" PROC("{}", "\"name\": \"d\", \"pm_id\": 0") ","
	    PROC("{}", "\"name\": \"d\", \"pm_id\": 1") "]",
	    "app 'd': name: tenant 'd' would also be made from app 'd'", NULL);
	bad("[" PROC("{}", "\"name\": \"d\"") ", {\"pid\": 1}]",
	    "process[1]:", "pm2_env");
	bad("[{\"pm2_env\": {\"name\": \"d\"}}]", "app 'd': pm_exec_path:",
	    "required");
	bad("[" PROC("[]", "\"name\": \"d\"") "]", "app 'd': env:", "object");
}

static void
test_bad_documents(void **state)
{
	json_t *t;

	(void)state;
	bad("{\"apps\": [", "test.json:1:", NULL);
	bad("{\"apps\": [], \"apps\": []}", "test.json:1:", "duplicate");
	bad("42", "test.json:1:", NULL);
	bad("{\"foo\": 1}", "expected a PM2 ecosystem file", NULL);
	bad("{\"apps\": 3}", "expected a PM2 ecosystem file", NULL);
	bad("{\"apps\": [3]}", "apps[0]: must be an object", NULL);
	bad("[{\"script\": \"a.js\"}, 3]", "apps[1]: must be an object", NULL);

	/* The other shapes PM2 accepts. */
	t = ok("{\"apps\": {\"name\": \"one\", \"script\": \"a.js\"}}");
	assert_string_equal(str(t, 0, "name"), "one");
	json_decref(t);
	t = ok("{\"pm2\": [{\"name\": \"two\", \"script\": \"a.js\"}]}");
	assert_string_equal(str(t, 0, "name"), "two");
	json_decref(t);
	t = ok("{\"name\": \"three\", \"script\": \"a.js\"}");
	assert_string_equal(str(t, 0, "name"), "three");
	json_decref(t);
	t = ok("[]");
	assert_int_equal(json_array_size(t), 0);
	json_decref(t);
}

/* The committed fixtures from a real PM2 (tests/fixtures/pm2). */
static void
test_fixtures(void **state)
{
	struct pm2import_opts o = { .base_dir =
	    "/work/main/tests/fixtures/pm2", .env_name = "production",
	    .ncpu = 2 };
	const char *src = getenv("VECTIS_SRCDIR");
	char path[4096], *buf;
	struct vx_err err;
	json_t *t, *w;
	size_t len, i;

	(void)state;
	if (src == NULL)
		skip();
	snprintf(path, sizeof(path), "%s/tests/fixtures/pm2/jlist.json", src);
	assert_int_equal(fd_read_file(path, 1 << 20, &buf, &len), 0);
	w = json_array();
	t = pm2import_text(buf, len, "jlist.json", &o, w, &err);
	free(buf);
	if (t == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(json_array_size(t), 7);
	assert_string_equal(str(t, 0, "name"), "bot-a");
	assert_string_equal(str(t, 1, "name"), "queue-worker");
	assert_string_equal(str(t, 6, "name"), "sleeper");
	assert_true(json_is_false(at(t, 6, "autostart")));
	/* PM2's cron_restart of api, for both of its instances */
	for (len = 0, i = 0; i < json_array_size(t); i++) {
		if (strncmp(str(t, i, "name"), "api-", 4) != 0) {
			assert_null(at(t, i, "restart.cron"));
			continue;
		}
		assert_string_equal(str(t, i, "restart.cron"), "0 3 * * *");
		len++;
	}
	assert_int_equal(len, 2);
	json_decref(t);
	json_decref(w);

	snprintf(path, sizeof(path), "%s/tests/fixtures/pm2/ecosystem.json",
	    src);
	assert_int_equal(fd_read_file(path, 1 << 20, &buf, &len), 0);
	t = pm2import_text(buf, len, "ecosystem.json", &o, NULL, &err);
	free(buf);
	if (t == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(json_array_size(t), 7);
	assert_string_equal(str(t, 0, "env.NODE_ENV"), "production");
	json_decref(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_command),
		cmocka_unit_test(test_command_limits),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_instances),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_cron_restart),
		cmocka_unit_test(test_account),
		cmocka_unit_test(test_append_env),
		cmocka_unit_test(test_jlist),
		cmocka_unit_test(test_bad_documents),
		cmocka_unit_test(test_fixtures),
	};
	int rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	json_decref(warnings);
	return rc;
}

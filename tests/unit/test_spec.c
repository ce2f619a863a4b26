/* test_spec.c: tenant spec JSON: every rule, default, error and round trip. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "err.h"
#include "sig.h"
#include "spec.h"

#define BASE	"\"name\":\"t\",\"command\":[\"/bin/true\"]"
#define RULE	"^[a-z0-9][a-z0-9_.-]{0,62}$"

/* A printf-formatted string in a rotating static buffer. */
static const char *
fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static const char *
fmt(const char *f, ...)
{
	static char bufs[8][1 << 17];
	static int next;
	char *buf = bufs[next++ % 8];
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, sizeof(bufs[0]), f, ap);
	va_end(ap);
	return buf;
}

/* n copies of c, malloc'd. */
static char *
repeat(char c, size_t n)
{
	char *s;

	s = malloc(n + 1);
	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void
parse_ok(const char *text, struct tenant_spec *s)
{
	struct vx_err err;

	vx_err_clear(&err);
	if (spec_from_text(text, s, &err) != 0)
		fail_msg("rejected: %s\n  %s", err.msg, text);
}

/* text must fail with a message that starts with prefix. */
static void
parse_fails(const char *text, const char *prefix, int code)
{
	struct tenant_spec s;
	struct vx_err err;

	vx_err_clear(&err);
	memset(&s, 0x5a, sizeof(s));
	if (spec_from_text(text, &s, &err) != -1) {
		spec_free(&s);
		fail_msg("accepted: %s", text);
	}
	if (strncmp(err.msg, prefix, strlen(prefix)) != 0)
		fail_msg("wanted '%s...'\n  got '%s'\n  for %s", prefix,
		    err.msg, text);
	assert_int_equal(err.code, code);
	/* The spec is left initialised: nothing to free, nothing leaked. */
	assert_null(s.name);
	assert_null(s.argv);
	assert_null(s.env);
	assert_int_equal(s.autostart, 1);
	spec_free(&s);
}

/* Parsing {BASE, extra} must fail with exactly msg. */
static void
extra_fails(const char *extra, const char *msg)
{
	struct tenant_spec s;
	struct vx_err err;
	const char *text = fmt("{" BASE ",%s}", extra);

	vx_err_clear(&err);
	if (spec_from_text(text, &s, &err) != -1) {
		spec_free(&s);
		fail_msg("accepted: %s", text);
	}
	if (strcmp(err.msg, msg) != 0)
		fail_msg("wanted '%s'\n  got '%s'\n  for %s", msg, err.msg,
		    text);
	assert_int_equal(err.code, VX_EXIT_FAIL);
	assert_null(s.name);
}

static void
extra_ok(const char *extra, struct tenant_spec *s)
{
	parse_ok(fmt("{" BASE ",%s}", extra), s);
}

/* spec_from_json() of a JSON value built in code (NUL bytes and such). */
static int
from_json(json_t *j, struct tenant_spec *s, struct vx_err *err)
{
	int rc;

	assert_non_null(j);
	vx_err_clear(err);
	rc = spec_from_json(j, s, err);
	json_decref(j);
	return rc;
}

/* The spec's JSON text must parse back into the same text. */
static void
assert_round_trip(const struct tenant_spec *s)
{
	struct tenant_spec s2;
	struct vx_err err;
	char *t1, *t2;
	json_t *j;

	t1 = spec_to_text(s);
	assert_non_null(t1);
	j = spec_to_json(s);
	assert_non_null(j);
	if (from_json(j, &s2, &err) != 0)
		fail_msg("export not accepted: %s\n  %s", err.msg, t1);
	t2 = spec_to_text(&s2);
	assert_non_null(t2);
	assert_string_equal(t1, t2);
	free(t2);
	spec_free(&s2);
	/* And through the text form, as the database stores it. */
	parse_ok(t1, &s2);
	t2 = spec_to_text(&s2);
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);
	spec_free(&s2);
}

static void
test_defaults(void **state)
{
	struct tenant_spec s;

	(void)state;
	parse_ok("{" BASE "}", &s);
	assert_string_equal(s.name, "t");
	assert_null(s.tenant_id);
	assert_int_equal(s.argc, 1);
	assert_string_equal(s.argv[0], "/bin/true");
	assert_null(s.argv[1]);
	assert_null(s.cwd);
	assert_int_equal(s.nenv, 0);
	assert_null(s.user);
	assert_null(s.group);
	assert_int_equal(s.autostart, 1);
	assert_int_equal(s.restart.policy, RESTART_ON_FAILURE);
	assert_int_equal(s.restart.max_restarts, 10);
	assert_int_equal(s.restart.window_s, 300);
	assert_int_equal(s.restart.backoff_initial_ms, 100);
	assert_int_equal(s.restart.backoff_max_ms, 30000);
	assert_int_equal(s.restart.min_uptime_s, 5);
	assert_int_equal(s.restart.retry_after_s, 300);
	assert_null(s.restart.cron);
	assert_int_equal(s.restart.max_age_s, 0);
	assert_int_equal(s.start_timeout_s, 60);
	assert_int_equal(s.stop.signal, SIGTERM);
	assert_int_equal(s.stop.timeout_s, 10);
	assert_int_equal(s.heartbeat.timeout_s, 0);
	assert_int_equal(s.notify, NOTIFY_NONE);
	assert_true(s.limits.nofile == -1);
	assert_true(s.limits.nproc == -1);
	assert_true(s.limits.memory_max_bytes == -1);
	assert_true(s.limits.max_memory_restart_bytes == -1);
	assert_true(s.logs.max_size_bytes == 10 * 1024 * 1024);
	assert_int_equal(s.logs.keep, 5);
	assert_round_trip(&s);
	spec_free(&s);
}

static void
test_init_free(void **state)
{
	struct tenant_spec s, d;

	(void)state;
	memset(&d, 0x5a, sizeof(d));
	spec_init(&d);
	spec_init(&s);
	assert_memory_equal(&s, &d, sizeof(s));
	assert_null(s.name);
	assert_null(s.argv);
	spec_free(&s);
	spec_free(&s);	/* twice is harmless */
	assert_memory_equal(&s, &d, sizeof(s));
}

#define FULL \
	"{\"name\":\"tenant-a\",\"tenant_id\":\"0b6f-42\"," \
	"\"command\":[\"node\",\"bot.js\",\"--flag=1\"]," \
	"\"cwd\":\"/srv/bots/a\"," \
	"\"env\":{\"ZED\":\"z\",\"A_1\":\"one\",\"_x\":\"\",\"m\":\"=\"}," \
	"\"user\":\"bot\",\"group\":\"bots\",\"autostart\":false," \
	"\"restart\":{\"policy\":\"always\",\"max_restarts\":3," \
	"\"window_s\":60,\"backoff_initial_ms\":250," \
	"\"backoff_max_ms\":5000,\"min_uptime_s\":7," \
	"\"retry_after_s\":600,\"cron\":\"30 4 * * mon-fri\"," \
	"\"max_age_s\":86400}," \
	"\"start_timeout_s\":30," \
	"\"stop\":{\"signal\":\"SIGINT\",\"timeout_s\":20}," \
	"\"heartbeat\":{\"timeout_s\":45}," \
	"\"notify\":\"pipe\"," \
	"\"limits\":{\"nofile\":4096,\"nproc\":512," \
	"\"memory_max_bytes\":536870912," \
	"\"max_memory_restart_bytes\":268435456}," \
	"\"logs\":{\"max_size_bytes\":1048576,\"keep\":2}}"

static void
test_full(void **state)
{
	struct tenant_spec s;

	(void)state;
	parse_ok(FULL, &s);
	assert_string_equal(s.name, "tenant-a");
	assert_string_equal(s.tenant_id, "0b6f-42");
	assert_int_equal(s.argc, 3);
	assert_string_equal(s.argv[0], "node");
	assert_string_equal(s.argv[1], "bot.js");
	assert_string_equal(s.argv[2], "--flag=1");
	assert_null(s.argv[3]);
	assert_string_equal(s.cwd, "/srv/bots/a");
	/* Sorted by key (byte order). */
	assert_int_equal(s.nenv, 4);
	assert_string_equal(s.env[0].key, "A_1");
	assert_string_equal(s.env[0].value, "one");
	assert_string_equal(s.env[1].key, "ZED");
	assert_string_equal(s.env[2].key, "_x");
	assert_string_equal(s.env[2].value, "");
	assert_string_equal(s.env[3].key, "m");
	assert_string_equal(s.env[3].value, "=");
	assert_string_equal(s.user, "bot");
	assert_string_equal(s.group, "bots");
	assert_int_equal(s.autostart, 0);
	assert_int_equal(s.restart.policy, RESTART_ALWAYS);
	assert_int_equal(s.restart.max_restarts, 3);
	assert_int_equal(s.restart.window_s, 60);
	assert_int_equal(s.restart.backoff_initial_ms, 250);
	assert_int_equal(s.restart.backoff_max_ms, 5000);
	assert_int_equal(s.restart.min_uptime_s, 7);
	assert_int_equal(s.restart.retry_after_s, 600);
	assert_string_equal(s.restart.cron, "30 4 * * mon-fri");
	assert_true(s.restart.sched.minute == (uint64_t)1 << 30);
	assert_int_equal(s.restart.sched.hour, 1 << 4);
	assert_int_equal(s.restart.sched.dow, 0x3e);
	assert_int_equal(s.restart.max_age_s, 86400);
	assert_int_equal(s.start_timeout_s, 30);
	assert_int_equal(s.stop.signal, SIGINT);
	assert_int_equal(s.stop.timeout_s, 20);
	assert_int_equal(s.heartbeat.timeout_s, 45);
	assert_int_equal(s.notify, NOTIFY_PIPE);
	assert_true(s.limits.nofile == 4096);
	assert_true(s.limits.nproc == 512);
	assert_true(s.limits.memory_max_bytes == 536870912);
	assert_true(s.limits.max_memory_restart_bytes == 268435456);
	assert_true(s.logs.max_size_bytes == 1048576);
	assert_int_equal(s.logs.keep, 2);
	assert_round_trip(&s);
	spec_free(&s);
}

static void
test_export_order(void **state)
{
	static const char *const top[] = {
		"name", "tenant_id", "command", "cwd", "env", "user", "group",
		"autostart", "restart", "start_timeout_s", "stop",
		"heartbeat", "notify", "limits", "logs", NULL
	};
	static const char *const restart[] = {
		"policy", "max_restarts", "window_s", "backoff_initial_ms",
		"backoff_max_ms", "min_uptime_s", "retry_after_s", "cron",
		"max_age_s", NULL
	};
	static const char *const limits[] = {
		"nofile", "nproc", "memory_max_bytes",
		"max_memory_restart_bytes", NULL
	};
	struct tenant_spec s;
	const char *key;
	json_t *j, *v;
	size_t i;
	char *text;

	(void)state;
	parse_ok("{" BASE "}", &s);
	j = spec_to_json(&s);
	assert_non_null(j);
	i = 0;
	json_object_foreach(j, key, v) {
		assert_non_null(top[i]);
		assert_string_equal(key, top[i]);
		i++;
	}
	assert_null(top[i]);
	i = 0;
	json_object_foreach(json_object_get(j, "restart"), key, v) {
		assert_non_null(restart[i]);
		assert_string_equal(key, restart[i]);
		i++;
	}
	assert_null(restart[i]);
	i = 0;
	json_object_foreach(json_object_get(j, "limits"), key, v) {
		assert_non_null(limits[i]);
		assert_string_equal(key, limits[i]);
		assert_true(json_is_null(v));
		i++;
	}
	assert_null(limits[i]);
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(text,
	    "{\"name\":\"t\",\"tenant_id\":null,\"command\":[\"/bin/true\"],"
	    "\"cwd\":null,\"env\":{},\"user\":null,\"group\":null,"
	    "\"autostart\":true,\"restart\":{\"policy\":\"on-failure\","
	    "\"max_restarts\":10,\"window_s\":300,"
	    "\"backoff_initial_ms\":100,\"backoff_max_ms\":30000,"
	    "\"min_uptime_s\":5,\"retry_after_s\":300,\"cron\":null,"
	    "\"max_age_s\":0},"
	    "\"start_timeout_s\":60,"
	    "\"stop\":{\"signal\":\"SIGTERM\",\"timeout_s\":10},"
	    "\"heartbeat\":{\"timeout_s\":0},\"notify\":\"none\","
	    "\"limits\":{\"nofile\":null,\"nproc\":null,"
	    "\"memory_max_bytes\":null,\"max_memory_restart_bytes\":null},"
	    "\"logs\":{\"max_size_bytes\":10485760,\"keep\":5}}");
	free(text);
	json_decref(j);
	spec_free(&s);
}

static void
test_to_text_sorted(void **state)
{
	struct tenant_spec s;
	char *text;

	(void)state;
	parse_ok("{" BASE "}", &s);
	text = spec_to_text(&s);
	assert_string_equal(text,
	    "{\"autostart\":true,\"command\":[\"/bin/true\"],\"cwd\":null,"
	    "\"env\":{},\"group\":null,\"heartbeat\":{\"timeout_s\":0},"
	    "\"limits\":{\"max_memory_restart_bytes\":null,"
	    "\"memory_max_bytes\":null,\"nofile\":null,\"nproc\":null},"
	    "\"logs\":{\"keep\":5,\"max_size_bytes\":10485760},"
	    "\"name\":\"t\",\"notify\":\"none\","
	    "\"restart\":{\"backoff_initial_ms\":100,"
	    "\"backoff_max_ms\":30000,\"cron\":null,\"max_age_s\":0,"
	    "\"max_restarts\":10,"
	    "\"min_uptime_s\":5,\"policy\":\"on-failure\","
	    "\"retry_after_s\":300,\"window_s\":300},"
	    "\"start_timeout_s\":60,"
	    "\"stop\":{\"signal\":\"SIGTERM\",\"timeout_s\":10},"
	    "\"tenant_id\":null,\"user\":null}");
	free(text);
	spec_free(&s);
}

static void
test_not_object(void **state)
{
	struct tenant_spec s;
	struct vx_err err;

	(void)state;
	parse_fails("[]", "spec: must be a JSON object", VX_EXIT_FAIL);
	parse_fails("[{" BASE "}]", "spec: must be a JSON object",
	    VX_EXIT_FAIL);
	assert_int_equal(from_json(json_integer(1), &s, &err), -1);
	assert_string_equal(err.msg, "spec: must be a JSON object");
	assert_int_equal(from_json(json_string("x"), &s, &err), -1);
	assert_string_equal(err.msg, "spec: must be a JSON object");
	assert_int_equal(from_json(json_null(), &s, &err), -1);
	assert_int_equal(spec_from_json(NULL, &s, &err), -1);
	assert_string_equal(err.msg, "spec: must be a JSON object");
	assert_null(s.name);
}

static void
test_syntax_errors(void **state)
{
	struct tenant_spec s;
	struct vx_err err;

	(void)state;
	parse_fails("", "line 1 column 0: ", VX_EXIT_FAIL);
	parse_fails("{", "line 1 column 1: ", VX_EXIT_FAIL);
	parse_fails("{\n\"name\": \"t\",\n\"command\": [\"x\",]}",
	    "line 3 column ", VX_EXIT_FAIL);
	parse_fails("{" BASE "} x", "line 1 column ", VX_EXIT_FAIL);
	parse_fails("{" BASE ",\"cwd\":\"/a\\u0000b\"}", "line 1 column ",
	    VX_EXIT_FAIL);
	/* Duplicate keys are rejected, at any level. */
	parse_fails("{" BASE ",\"name\":\"u\"}", "line 1 column ",
	    VX_EXIT_FAIL);
	parse_fails("{" BASE ",\"env\":{\"A\":\"1\",\"A\":\"2\"}}",
	    "line 1 column ", VX_EXIT_FAIL);
	parse_fails("{" BASE ",\"restart\":{\"window_s\":1,\"window_s\":2}}",
	    "line 1 column ", VX_EXIT_FAIL);
	vx_err_clear(&err);
	assert_int_equal(spec_from_text("{" BASE ",\"name\":\"u\"}", &s, &err),
	    -1);
	assert_non_null(strstr(err.msg, "duplicate"));
	assert_int_equal(spec_from_text(NULL, &s, &err), -1);
}

static void
test_unknown_fields(void **state)
{
	(void)state;
	extra_fails("\"foo\":1", "foo: unknown field");
	extra_fails("\"Name\":\"t\"", "Name: unknown field");
	extra_fails("\"restart\":{\"foo\":1}", "restart.foo: unknown field");
	extra_fails("\"restart\":{\"policy\":\"never\",\"tries\":1}",
	    "restart.tries: unknown field");
	extra_fails("\"stop\":{\"sig\":\"TERM\"}", "stop.sig: unknown field");
	extra_fails("\"heartbeat\":{\"interval_s\":1}",
	    "heartbeat.interval_s: unknown field");
	extra_fails("\"limits\":{\"cpu\":1}", "limits.cpu: unknown field");
	extra_fails("\"logs\":{\"dir\":\"/x\"}", "logs.dir: unknown field");
	/* An untrusted key is escaped and cut in the message. */
	extra_fails("\"a\\u0001b\\\\\":1", "a\\x01b\\x5c: unknown field");
	extra_fails(fmt("\"%0100d\":1", 0), fmt("%064d...: unknown field", 0));
	/* Unknown fields are reported before a bad known one. */
	parse_fails("{\"name\":\"BAD\",\"zzz\":1}", "zzz: unknown field",
	    VX_EXIT_FAIL);
}

static void
test_name(void **state)
{
	char *n;

	(void)state;
	parse_fails("{\"command\":[\"x\"]}", "name: required", VX_EXIT_FAIL);
	parse_fails("{\"name\":1,\"command\":[\"x\"]}",
	    "name: must be a string", VX_EXIT_FAIL);
	parse_fails("{\"name\":null,\"command\":[\"x\"]}",
	    "name: must be a string", VX_EXIT_FAIL);
	parse_fails("{\"name\":\"../x\",\"command\":[\"x\"]}",
	    "name: invalid tenant name '../x': must match " RULE,
	    VX_EXIT_USAGE);
	parse_fails("{\"name\":\"\",\"command\":[\"x\"]}",
	    "name: invalid tenant name '': must match " RULE, VX_EXIT_USAGE);
	parse_fails("{\"name\":\"Tenant\",\"command\":[\"x\"]}",
	    "name: invalid tenant name 'Tenant'", VX_EXIT_USAGE);
	n = repeat('a', 64);
	parse_fails(fmt("{\"name\":\"%s\",\"command\":[\"x\"]}", n),
	    "name: invalid tenant name", VX_EXIT_USAGE);
	n[63] = '\0';
	{
		struct tenant_spec s;

		parse_ok(fmt("{\"name\":\"%s\",\"command\":[\"x\"]}", n), &s);
		assert_string_equal(s.name, n);
		spec_free(&s);
	}
	free(n);
}

static void
test_name_nul(void **state)
{
	struct tenant_spec s;
	struct vx_err err;
	json_t *j;

	(void)state;
	j = json_pack("{s:o,s:[s]}", "name", json_stringn("a\0b", 3),
	    "command", "x");
	assert_int_equal(from_json(j, &s, &err), -1);
	assert_int_equal(err.code, VX_EXIT_USAGE);
	assert_string_equal(err.msg, "name: invalid tenant name: contains a "
	    "NUL byte; must match " RULE);
}

static void
test_tenant_id(void **state)
{
	struct tenant_spec s;
	char *id;
	const char *msg = "tenant_id: must be null or a string of 1..128 "
	    "bytes without control characters";

	(void)state;
	extra_ok("\"tenant_id\":null", &s);
	assert_null(s.tenant_id);
	spec_free(&s);
	extra_ok("\"tenant_id\":\"c0ffee-\\u00e9\"", &s);
	assert_string_equal(s.tenant_id, "c0ffee-\xc3\xa9");
	assert_round_trip(&s);
	spec_free(&s);
	id = repeat('i', 128);
	extra_ok(fmt("\"tenant_id\":\"%s\"", id), &s);
	assert_string_equal(s.tenant_id, id);
	spec_free(&s);
	free(id);
	id = repeat('i', 129);
	extra_fails(fmt("\"tenant_id\":\"%s\"", id), msg);
	free(id);
	extra_fails("\"tenant_id\":\"\"", msg);
	extra_fails("\"tenant_id\":\"a\\tb\"", msg);
	extra_fails("\"tenant_id\":\"a\\nb\"", msg);
	extra_fails("\"tenant_id\":\"a\\u007fb\"", msg);
	extra_fails("\"tenant_id\":42", msg);
	extra_fails("\"tenant_id\":[]", msg);
}

static void
test_command(void **state)
{
	struct tenant_spec s;
	const char *nonempty = "command: must be a non-empty array of strings";
	char *arg, *text;
	size_t i, off;

	(void)state;
	parse_fails("{\"name\":\"t\"}", "command: required", VX_EXIT_FAIL);
	parse_fails("{\"name\":\"t\",\"command\":[]}", nonempty, VX_EXIT_FAIL);
	parse_fails("{\"name\":\"t\",\"command\":\"node bot.js\"}", nonempty,
	    VX_EXIT_FAIL);
	parse_fails("{\"name\":\"t\",\"command\":null}", nonempty,
	    VX_EXIT_FAIL);
	parse_fails("{\"name\":\"t\",\"command\":{}}", nonempty, VX_EXIT_FAIL);
	parse_fails("{\"name\":\"t\",\"command\":[1]}",
	    "command[0]: must be a string", VX_EXIT_FAIL);
	parse_fails("{\"name\":\"t\",\"command\":[\"a\",null]}",
	    "command[1]: must be a string", VX_EXIT_FAIL);
	parse_fails("{\"name\":\"t\",\"command\":[\"\",\"a\"]}",
	    "command[0]: must not be empty", VX_EXIT_FAIL);
	/* Later arguments may be empty, as in redis-server --save "". */
	parse_ok("{\"name\":\"t\",\"command\":[\"a\",\"\"]}", &s);
	assert_string_equal(s.argv[1], "");
	spec_free(&s);

	/* One argument of 4096 bytes is fine, 4097 is not. */
	arg = repeat('x', 4096);
	parse_ok(fmt("{\"name\":\"t\",\"command\":[\"%s\"]}", arg), &s);
	assert_int_equal(strlen(s.argv[0]), 4096);
	spec_free(&s);
	free(arg);
	arg = repeat('x', 4097);
	parse_fails(fmt("{\"name\":\"t\",\"command\":[\"a\",\"%s\"]}", arg),
	    "command[1]: longer than 4096 bytes", VX_EXIT_FAIL);
	free(arg);

	/* 256 arguments are fine, 257 are not. */
	text = malloc(8192);
	assert_non_null(text);
	off = (size_t)sprintf(text, "{\"name\":\"t\",\"command\":[");
	for (i = 0; i < 256; i++)
		off += (size_t)sprintf(text + off, "%s\"a%zu\"", i ? "," : "",
		    i);
	strcpy(text + off, "]}");
	parse_ok(text, &s);
	assert_int_equal(s.argc, 256);
	assert_string_equal(s.argv[255], "a255");
	assert_null(s.argv[256]);
	assert_round_trip(&s);
	spec_free(&s);
	off += (size_t)sprintf(text + off, ",\"a256\"");
	strcpy(text + off, "]}");
	parse_fails(text, "command: at most 256 arguments", VX_EXIT_FAIL);
	free(text);
}

static void
test_command_nul(void **state)
{
	struct tenant_spec s;
	struct vx_err err;
	json_t *j;

	(void)state;
	j = json_pack("{s:s,s:[s,o]}", "name", "t", "command", "node",
	    json_stringn("a\0b", 3));
	assert_int_equal(from_json(j, &s, &err), -1);
	assert_string_equal(err.msg, "command[1]: must not contain NUL");
	assert_null(s.argv);
}

static void
test_cwd(void **state)
{
	struct tenant_spec s;
	struct vx_err err;
	const char *msg = "cwd: must be null or an absolute path";
	char *p;

	(void)state;
	extra_ok("\"cwd\":null", &s);
	assert_null(s.cwd);
	spec_free(&s);
	extra_ok("\"cwd\":\"/\"", &s);
	assert_string_equal(s.cwd, "/");
	spec_free(&s);
	p = repeat('d', 4096);
	p[0] = '/';
	extra_ok(fmt("\"cwd\":\"%s\"", p), &s);
	assert_int_equal(strlen(s.cwd), 4096);
	spec_free(&s);
	free(p);
	p = repeat('d', 4097);
	p[0] = '/';
	extra_fails(fmt("\"cwd\":\"%s\"", p), "cwd: longer than 4096 bytes");
	free(p);
	extra_fails("\"cwd\":\"srv/a\"", msg);
	extra_fails("\"cwd\":\"./a\"", msg);
	extra_fails("\"cwd\":\"\"", msg);
	extra_fails("\"cwd\":1", msg);
	extra_fails("\"cwd\":false", msg);
	assert_int_equal(from_json(json_pack("{s:s,s:[s],s:o}", "name", "t",
	    "command", "x", "cwd", json_stringn("/a\0b", 4)), &s, &err), -1);
	assert_string_equal(err.msg, "cwd: must not contain NUL");
}

static void
test_env(void **state)
{
	struct tenant_spec s;
	struct vx_err err;
	char *k, *v, *text;
	size_t i, off;

	(void)state;
	extra_ok("\"env\":{}", &s);
	assert_int_equal(s.nenv, 0);
	assert_null(s.env);
	spec_free(&s);
	extra_ok("\"env\":{\"b\":\"2\",\"a\":\"1\",\"B\":\"3\",\"vectis_x\":"
	    "\"lower case is not reserved\",\"VECTIS\":\"v\"}", &s);
	assert_int_equal(s.nenv, 5);
	assert_string_equal(s.env[0].key, "B");
	assert_string_equal(s.env[1].key, "VECTIS");
	assert_string_equal(s.env[2].key, "a");
	assert_string_equal(s.env[3].key, "b");
	assert_string_equal(s.env[4].key, "vectis_x");
	assert_round_trip(&s);
	spec_free(&s);

	extra_fails("\"env\":[]", "env: must be an object");
	extra_fails("\"env\":null", "env: must be an object");
	extra_fails("\"env\":{\"VECTIS_X\":\"1\"}",
	    "env.VECTIS_X: reserved name");
	extra_fails("\"env\":{\"VECTIS_\":\"1\"}",
	    "env.VECTIS_: reserved name");
	extra_fails("\"env\":{\"A\":\"1\",\"VECTIS_NOTIFY_FD\":\"9\"}",
	    "env.VECTIS_NOTIFY_FD: reserved name");
	extra_fails("\"env\":{\"1A\":\"x\"}",
	    "env.1A: name must match [A-Za-z_][A-Za-z0-9_]*");
	extra_fails("\"env\":{\"A-B\":\"x\"}",
	    "env.A-B: name must match [A-Za-z_][A-Za-z0-9_]*");
	extra_fails("\"env\":{\"A=B\":\"x\"}",
	    "env.A=B: name must match [A-Za-z_][A-Za-z0-9_]*");
	extra_fails("\"env\":{\"\":\"x\"}",
	    "env.: name must match [A-Za-z_][A-Za-z0-9_]*");
	extra_fails("\"env\":{\"A\\nB\":\"x\"}",
	    "env.A\\x0aB: name must match [A-Za-z_][A-Za-z0-9_]*");
	extra_fails("\"env\":{\"A\":1}", "env.A: must be a string");
	extra_fails("\"env\":{\"A\":null}", "env.A: must be a string");

	/* Name of 256 bytes is fine, 257 is not. */
	k = repeat('K', 256);
	extra_ok(fmt("\"env\":{\"%s\":\"v\"}", k), &s);
	assert_string_equal(s.env[0].key, k);
	spec_free(&s);
	free(k);
	k = repeat('K', 257);
	extra_fails(fmt("\"env\":{\"%s\":\"v\"}", k),
	    fmt("env.%.64s...: name longer than 256 bytes", k));
	free(k);

	/* Value of 32768 bytes is fine, 32769 is not. */
	v = repeat('v', 32768);
	extra_ok(fmt("\"env\":{\"V\":\"%s\"}", v), &s);
	assert_int_equal(strlen(s.env[0].value), 32768);
	spec_free(&s);
	free(v);
	v = repeat('v', 32769);
	extra_fails(fmt("\"env\":{\"V\":\"%s\"}", v),
	    "env.V: longer than 32768 bytes");
	free(v);

	/* 1024 variables are fine, 1025 are not. */
	text = malloc(65536);
	assert_non_null(text);
	off = (size_t)sprintf(text, "{" BASE ",\"env\":{");
	for (i = 0; i < 1024; i++)
		off += (size_t)sprintf(text + off, "%s\"V%04zu\":\"%zu\"",
		    i ? "," : "", 1023 - i, i);
	strcpy(text + off, "}}");
	parse_ok(text, &s);
	assert_int_equal(s.nenv, 1024);
	assert_string_equal(s.env[0].key, "V0000");
	assert_string_equal(s.env[1023].key, "V1023");
	assert_round_trip(&s);
	spec_free(&s);
	off += (size_t)sprintf(text + off, ",\"W\":\"w\"");
	strcpy(text + off, "}}");
	parse_fails(text, "env: at most 1024 variables", VX_EXIT_FAIL);
	free(text);

	assert_int_equal(from_json(json_pack("{s:s,s:[s],s:{s:o}}", "name",
	    "t", "command", "x", "env", "A", json_stringn("a\0b", 3)), &s,
	    &err), -1);
	assert_string_equal(err.msg, "env.A: must not contain NUL");
	assert_null(s.env);
}

static void
account_tests(const char *field)
{
	struct tenant_spec s;
	char msg[200], *a;

	snprintf(msg, sizeof(msg), "%s: must be null or a name of 1..32 "
	    "characters [A-Za-z0-9_.-] not starting with '-'", field);
	extra_ok(fmt("\"%s\":null", field), &s);
	spec_free(&s);
	extra_ok(fmt("\"%s\":\"root\"", field), &s);
	assert_string_equal(strcmp(field, "user") == 0 ? s.user : s.group,
	    "root");
	assert_round_trip(&s);
	spec_free(&s);
	extra_ok(fmt("\"%s\":\"www-data\"", field), &s);
	spec_free(&s);
	extra_ok(fmt("\"%s\":\"Bot_1.x\"", field), &s);
	spec_free(&s);
	extra_ok(fmt("\"%s\":\"1000\"", field), &s);
	spec_free(&s);
	a = repeat('u', 32);
	extra_ok(fmt("\"%s\":\"%s\"", field, a), &s);
	spec_free(&s);
	free(a);
	a = repeat('u', 33);
	extra_fails(fmt("\"%s\":\"%s\"", field, a), msg);
	free(a);
	extra_fails(fmt("\"%s\":\"\"", field), msg);
	extra_fails(fmt("\"%s\":\"-x\"", field), msg);
	extra_fails(fmt("\"%s\":\"a b\"", field), msg);
	extra_fails(fmt("\"%s\":\"a:b\"", field), msg);
	extra_fails(fmt("\"%s\":\"a/b\"", field), msg);
	extra_fails(fmt("\"%s\":\"\\u00e9\"", field), msg);
	extra_fails(fmt("\"%s\":0", field), msg);
	extra_fails(fmt("\"%s\":true", field), msg);
}

static void
test_user_group(void **state)
{
	struct tenant_spec s;

	(void)state;
	account_tests("user");
	account_tests("group");
	extra_ok("\"user\":\"bot\",\"group\":\"bots\"", &s);
	assert_string_equal(s.user, "bot");
	assert_string_equal(s.group, "bots");
	spec_free(&s);
}

static void
test_autostart(void **state)
{
	struct tenant_spec s;

	(void)state;
	extra_ok("\"autostart\":false", &s);
	assert_int_equal(s.autostart, 0);
	assert_round_trip(&s);
	spec_free(&s);
	extra_ok("\"autostart\":true", &s);
	assert_int_equal(s.autostart, 1);
	spec_free(&s);
	extra_fails("\"autostart\":1", "autostart: must be a boolean");
	extra_fails("\"autostart\":\"yes\"", "autostart: must be a boolean");
	extra_fails("\"autostart\":null", "autostart: must be a boolean");
}

/* One integer field with its bounds; extra keeps other rules satisfied. */
struct int_field {
	const char	*obj;		/* NULL = top level */
	const char	*key;
	long long	 min;
	long long	 max;
	int		 nullable;
	const char	*extra;		/* more members of the same object */
};

static const struct int_field int_fields[] = {
	{ "restart", "max_restarts", 0, 1000000, 0, NULL },
	{ "restart", "window_s", 1, 31536000, 0, NULL },
	{ "restart", "backoff_initial_ms", 0, 3600000, 0,
	    "\"backoff_max_ms\":86400000" },
	{ "restart", "backoff_max_ms", 0, 86400000, 0,
	    "\"backoff_initial_ms\":0" },
	{ "restart", "min_uptime_s", 0, 86400, 0, NULL },
	{ "restart", "retry_after_s", 0, 2592000, 0, NULL },
	{ "restart", "max_age_s", 0, 31536000, 0, "\"min_uptime_s\":0" },
	{ NULL, "start_timeout_s", 1, 86400, 0, NULL },
	{ "stop", "timeout_s", 0, 3600, 0, NULL },
	{ "heartbeat", "timeout_s", 0, 86400, 0, NULL },
	{ "limits", "nofile", 1, 1048576, 1, NULL },
	{ "limits", "nproc", 1, 4194304, 1, NULL },
	{ "limits", "memory_max_bytes", 1048576, 1LL << 50, 1, NULL },
	{ "limits", "max_memory_restart_bytes", 1048576, 1LL << 50, 1, NULL },
	{ "logs", "max_size_bytes", 4096, 1LL << 40, 0, NULL },
	{ "logs", "keep", 0, 1000, 0, NULL },
};

/* The JSON member "key": value, inside its object when it has one. */
static const char *
int_member(const struct int_field *f, const char *value)
{
	if (f->obj == NULL)
		return fmt("\"%s\":%s", f->key, value);
	return fmt("\"%s\":{\"%s\":%s%s%s}", f->obj, f->key, value,
	    f->extra ? "," : "", f->extra ? f->extra : "");
}

/* The exported value of field f. */
static json_t *
int_exported(const struct tenant_spec *s, const struct int_field *f,
    json_t **root)
{
	*root = spec_to_json(s);
	assert_non_null(*root);
	if (f->obj == NULL)
		return json_object_get(*root, f->key);
	return json_object_get(json_object_get(*root, f->obj), f->key);
}

static void
int_accepts(const struct int_field *f, long long n)
{
	struct tenant_spec s;
	json_t *root, *v;

	extra_ok(int_member(f, fmt("%lld", n)), &s);
	v = int_exported(&s, f, &root);
	assert_true(json_is_integer(v));
	assert_true(json_integer_value(v) == n);
	json_decref(root);
	assert_round_trip(&s);
	spec_free(&s);
}

static void
test_integers(void **state)
{
	const struct int_field *f;
	struct tenant_spec s;
	json_t *root, *v;
	char path[64], msg[200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(int_fields) / sizeof(int_fields[0]); i++) {
		f = &int_fields[i];
		if (f->obj != NULL)
			snprintf(path, sizeof(path), "%s.%s", f->obj, f->key);
		else
			snprintf(path, sizeof(path), "%s", f->key);
		snprintf(msg, sizeof(msg), "%s: must be %san integer in "
		    "%lld..%lld", path, f->nullable ? "null or " : "", f->min,
		    f->max);
		int_accepts(f, f->min);
		int_accepts(f, f->max);
		int_accepts(f, (f->min + f->max) / 2);
		extra_fails(int_member(f, fmt("%lld", f->min - 1)), msg);
		extra_fails(int_member(f, fmt("%lld", f->max + 1)), msg);
		extra_fails(int_member(f, "-1"), msg);
		extra_fails(int_member(f, "9223372036854775807"), msg);
		extra_fails(int_member(f, "-9223372036854775807"), msg);
		/* Integers only: not reals, strings or booleans. */
		extra_fails(int_member(f, fmt("%lld.0", f->min)), msg);
		extra_fails(int_member(f, "1.5"), msg);
		extra_fails(int_member(f, "1e3"), msg);
		extra_fails(int_member(f, fmt("\"%lld\"", f->min)), msg);
		extra_fails(int_member(f, "true"), msg);
		extra_fails(int_member(f, "false"), msg);
		extra_fails(int_member(f, "[]"), msg);
		extra_fails(int_member(f, "{}"), msg);
		if (f->nullable) {
			extra_ok(int_member(f, "null"), &s);
			v = int_exported(&s, f, &root);
			assert_true(json_is_null(v));
			json_decref(root);
			assert_round_trip(&s);
			spec_free(&s);
		} else
			extra_fails(int_member(f, "null"), msg);
	}
}

static void
test_restart(void **state)
{
	struct tenant_spec s;
	const char *msg = "restart.policy: must be one of always, on-failure, "
	    "never";

	(void)state;
	extra_ok("\"restart\":{\"policy\":\"always\"}", &s);
	assert_int_equal(s.restart.policy, RESTART_ALWAYS);
	/* A partial object keeps the other defaults. */
	assert_int_equal(s.restart.max_restarts, 10);
	assert_int_equal(s.restart.window_s, 300);
	assert_int_equal(s.restart.backoff_max_ms, 30000);
	spec_free(&s);
	extra_ok("\"restart\":{\"policy\":\"on-failure\"}", &s);
	assert_int_equal(s.restart.policy, RESTART_ON_FAILURE);
	spec_free(&s);
	extra_ok("\"restart\":{\"policy\":\"never\"}", &s);
	assert_int_equal(s.restart.policy, RESTART_NEVER);
	assert_round_trip(&s);
	spec_free(&s);
	extra_ok("\"restart\":{}", &s);
	assert_int_equal(s.restart.policy, RESTART_ON_FAILURE);
	spec_free(&s);
	extra_fails("\"restart\":{\"policy\":\"Always\"}", msg);
	extra_fails("\"restart\":{\"policy\":\"on_failure\"}", msg);
	extra_fails("\"restart\":{\"policy\":\"\"}", msg);
	extra_fails("\"restart\":{\"policy\":null}", msg);
	extra_fails("\"restart\":{\"policy\":1}", msg);
	extra_fails("\"restart\":null", "restart: must be an object");
	extra_fails("\"restart\":\"always\"", "restart: must be an object");
	extra_fails("\"restart\":[]", "restart: must be an object");

	/* backoff_max_ms may equal, never undercut, backoff_initial_ms. */
	extra_ok("\"restart\":{\"backoff_initial_ms\":500,"
	    "\"backoff_max_ms\":500}", &s);
	assert_int_equal(s.restart.backoff_max_ms, 500);
	spec_free(&s);
	extra_fails("\"restart\":{\"backoff_initial_ms\":500,"
	    "\"backoff_max_ms\":499}", "restart.backoff_max_ms: must not be "
	    "less than restart.backoff_initial_ms (500)");
	extra_fails("\"restart\":{\"backoff_initial_ms\":40000}",
	    "restart.backoff_max_ms: must not be less than "
	    "restart.backoff_initial_ms (40000)");
	extra_fails("\"restart\":{\"backoff_max_ms\":50}",
	    "restart.backoff_max_ms: must not be less than "
	    "restart.backoff_initial_ms (100)");
}

/* restart.cron: null or a schedule that fires; kept as written. */
static void
test_restart_cron(void **state)
{
	static const char *const bad[][2] = {
		{ "1", "restart.cron: must be null or a string such as "
		    "\"0 4 * * *\"" },
		{ "true", "restart.cron: must be null or a string such as "
		    "\"0 4 * * *\"" },
		{ "[\"0 4 * * *\"]", "restart.cron: must be null or a string "
		    "such as \"0 4 * * *\"" },
		{ "\"\"", "restart.cron: empty; expected five fields: minute "
		    "hour day-of-month month day-of-week" },
		{ "\"0 4 * *\"", "restart.cron: too few fields; expected five "
		    "fields: minute hour day-of-month month day-of-week" },
		{ "\"0 0 4 * * *\"", "restart.cron: too many fields; expected "
		    "five fields: minute hour day-of-month month day-of-week" },
		{ "\"61 4 * * *\"", "restart.cron: minute field \"61\": 61 "
		    "is out of range 0..59" },
		{ "\"0 4 * * mo\"", "restart.cron: day-of-week field \"mo\": "
		    "unknown name \"mo\" (expected sun..sat)" },
		{ "\"0 0 31 2 *\"", "restart.cron: never fires: day-of-month "
		    "\"31\" does not occur in month \"2\"" },
		{ "\"0 4 * * *\\n\"", "restart.cron: byte 0x0a at offset 9 "
		    "is not printable ASCII" },
		{ "\"@reboot\"", "restart.cron: unknown \"@reboot\"; expected "
		    "five fields or one of @yearly, @annually, @monthly, "
		    "@weekly, @daily, @midnight, @hourly (autostart starts a "
		    "tenant at boot)" },
	};
	struct tenant_spec s;
	struct vx_err err;
	json_t *j;
	size_t i;

	(void)state;
	extra_ok("\"restart\":{\"cron\":\"0 4 * * *\"}", &s);
	assert_string_equal(s.restart.cron, "0 4 * * *");
	assert_true(s.restart.sched.minute == 1);
	assert_int_equal(s.restart.sched.hour, 1 << 4);
	assert_round_trip(&s);
	spec_free(&s);
	assert_null(s.restart.cron);
	/* Exported exactly as written: spacing, names, case and macros. */
	extra_ok("\"restart\":{\"cron\":\" 0\\t4  * JAN-mar Mon \"}", &s);
	j = spec_to_json(&s);
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(j, "restart"), "cron")), " 0\t4  * JAN-mar Mon ");
	json_decref(j);
	assert_round_trip(&s);
	spec_free(&s);
	extra_ok("\"restart\":{\"cron\":\"@daily\"}", &s);
	assert_round_trip(&s);
	spec_free(&s);
	extra_ok("\"restart\":{\"cron\":null}", &s);
	assert_null(s.restart.cron);
	j = spec_to_json(&s);
	assert_true(json_is_null(json_object_get(json_object_get(j,
	    "restart"), "cron")));
	json_decref(j);
	spec_free(&s);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		extra_fails(fmt("\"restart\":{\"cron\":%s}", bad[i][0]),
		    bad[i][1]);
	/* A NUL byte inside the string. */
	j = json_pack("{s:s, s:[s], s:{s:s#}}", "name", "t", "command",
	    "/bin/true", "restart", "cron", "0 4 * * *\0x", (size_t)11);
	assert_int_equal(from_json(j, &s, &err), -1);
	assert_string_equal(err.msg, "restart.cron: must not contain NUL");
}

/* restart.max_age_s: 0 = none, else at least min_uptime_s. */
static void
test_restart_max_age(void **state)
{
	struct tenant_spec s;

	(void)state;
	extra_ok("\"restart\":{\"max_age_s\":5}", &s);
	assert_int_equal(s.restart.max_age_s, 5);
	assert_round_trip(&s);
	spec_free(&s);
	extra_ok("\"restart\":{\"max_age_s\":0,\"min_uptime_s\":60}", &s);
	assert_int_equal(s.restart.max_age_s, 0);
	spec_free(&s);
	extra_ok("\"restart\":{\"max_age_s\":3600,\"min_uptime_s\":3600,"
	    "\"cron\":\"0 3 * * *\"}", &s);
	assert_round_trip(&s);
	spec_free(&s);
	extra_fails("\"restart\":{\"max_age_s\":4}", "restart.max_age_s: "
	    "4 is below restart.min_uptime_s (5); use 0 (no age limit) or "
	    "at least 5");
	extra_fails("\"restart\":{\"min_uptime_s\":600,\"max_age_s\":599}",
	    "restart.max_age_s: 599 is below restart.min_uptime_s (600); "
	    "use 0 (no age limit) or at least 600");
	extra_fails("\"restart\":{\"max_age_s\":31536001}",
	    "restart.max_age_s: must be an integer in 0..31536000");
	extra_fails("\"restart\":{\"max_age_s\":null}",
	    "restart.max_age_s: must be an integer in 0..31536000");
}

static void
test_stop(void **state)
{
	static const struct {
		const char	*in;
		int		 sig;
		const char	*out;
	} ok[] = {
		{ "SIGTERM", SIGTERM, "SIGTERM" },
		{ "TERM", SIGTERM, "SIGTERM" },
		{ "term", SIGTERM, "SIGTERM" },
		{ "sigterm", SIGTERM, "SIGTERM" },
		{ "SigInt", SIGINT, "SIGINT" },
		{ "KILL", SIGKILL, "SIGKILL" },
		{ "SIGKILL", SIGKILL, "SIGKILL" },
		{ "HUP", SIGHUP, "SIGHUP" },
		{ "SIGQUIT", SIGQUIT, "SIGQUIT" },
		{ "USR2", SIGUSR2, "SIGUSR2" },
		{ "SIGWINCH", SIGWINCH, "SIGWINCH" },
	};
	const char *msg = "stop.signal: must be a signal name such as SIGTERM";
	struct tenant_spec s;
	json_t *j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		extra_ok(fmt("\"stop\":{\"signal\":\"%s\"}", ok[i].in), &s);
		assert_int_equal(s.stop.signal, ok[i].sig);
		assert_int_equal(s.stop.timeout_s, 10);
		j = spec_to_json(&s);
		assert_string_equal(json_string_value(json_object_get(
		    json_object_get(j, "stop"), "signal")), ok[i].out);
		json_decref(j);
		assert_round_trip(&s);
		spec_free(&s);
	}
	extra_fails("\"stop\":{\"signal\":\"SIGFOO\"}", msg);
	extra_fails("\"stop\":{\"signal\":\"SIG\"}", msg);
	extra_fails("\"stop\":{\"signal\":\"\"}", msg);
	extra_fails("\"stop\":{\"signal\":\"SIGSIGTERM\"}", msg);
	extra_fails("\"stop\":{\"signal\":\" SIGTERM\"}", msg);
	extra_fails("\"stop\":{\"signal\":\"15\"}", msg);
	extra_fails("\"stop\":{\"signal\":15}", msg);
	extra_fails("\"stop\":{\"signal\":null}", msg);
	extra_fails("\"stop\":null", "stop: must be an object");
	extra_ok("\"stop\":{\"timeout_s\":0}", &s);
	assert_int_equal(s.stop.signal, SIGTERM);
	assert_int_equal(s.stop.timeout_s, 0);
	spec_free(&s);
}

static void
test_heartbeat(void **state)
{
	struct tenant_spec s;

	(void)state;
	extra_ok("\"heartbeat\":{}", &s);
	assert_int_equal(s.heartbeat.timeout_s, 0);
	spec_free(&s);
	extra_ok("\"heartbeat\":{\"timeout_s\":30}", &s);
	assert_int_equal(s.heartbeat.timeout_s, 30);
	spec_free(&s);
	extra_fails("\"heartbeat\":30", "heartbeat: must be an object");
	extra_fails("\"heartbeat\":null", "heartbeat: must be an object");
}

static void
test_notify(void **state)
{
	const char *msg = "notify: must be one of none, pipe, systemd";
	struct tenant_spec s;

	(void)state;
	extra_ok("\"notify\":\"none\"", &s);
	assert_int_equal(s.notify, NOTIFY_NONE);
	spec_free(&s);
	extra_ok("\"notify\":\"pipe\"", &s);
	assert_int_equal(s.notify, NOTIFY_PIPE);
	assert_round_trip(&s);
	spec_free(&s);
	extra_ok("\"notify\":\"systemd\"", &s);
	assert_int_equal(s.notify, NOTIFY_SYSTEMD);
	assert_round_trip(&s);
	spec_free(&s);
	extra_fails("\"notify\":\"NONE\"", msg);
	extra_fails("\"notify\":\"sd_notify\"", msg);
	extra_fails("\"notify\":null", msg);
	extra_fails("\"notify\":0", msg);
	extra_fails("\"notify\":true", msg);
}

static void
test_limits_logs(void **state)
{
	struct tenant_spec s;

	(void)state;
	extra_ok("\"limits\":{\"nofile\":1024}", &s);
	assert_true(s.limits.nofile == 1024);
	assert_true(s.limits.nproc == -1);
	assert_true(s.limits.memory_max_bytes == -1);
	assert_round_trip(&s);
	spec_free(&s);
	extra_ok("\"limits\":{\"nofile\":null,\"nproc\":null,"
	    "\"memory_max_bytes\":null,\"max_memory_restart_bytes\":null}",
	    &s);
	assert_true(s.limits.nofile == -1);
	spec_free(&s);
	extra_ok("\"limits\":{\"memory_max_bytes\":1125899906842624}", &s);
	assert_true(s.limits.memory_max_bytes == (int64_t)1 << 50);
	assert_round_trip(&s);
	spec_free(&s);
	extra_fails("\"limits\":null", "limits: must be an object");
	extra_ok("\"logs\":{\"keep\":0}", &s);
	assert_int_equal(s.logs.keep, 0);
	assert_true(s.logs.max_size_bytes == 10485760);
	spec_free(&s);
	extra_ok("\"logs\":{\"max_size_bytes\":1099511627776}", &s);
	assert_true(s.logs.max_size_bytes == (int64_t)1 << 40);
	assert_int_equal(s.logs.keep, 5);
	assert_round_trip(&s);
	spec_free(&s);
	extra_fails("\"logs\":[]", "logs: must be an object");
}

/* A failure after strings were taken must free them (ASan/valgrind). */
static void
test_error_frees(void **state)
{
	(void)state;
	parse_fails("{\"name\":\"t\",\"tenant_id\":\"x\",\"command\":[\"a\","
	    "\"b\"],\"cwd\":\"/\",\"env\":{\"A\":\"1\",\"B\":\"2\"},"
	    "\"user\":\"u\",\"group\":\"g\",\"logs\":{\"keep\":-1}}",
	    "logs.keep: must be an integer in 0..1000", VX_EXIT_FAIL);
	parse_fails("{\"name\":\"t\",\"command\":[\"a\"],\"env\":{\"A\":\"1\","
	    "\"B\":\"2\",\"VECTIS_C\":\"3\"}}", "env.VECTIS_C: reserved name",
	    VX_EXIT_FAIL);
}

static void
test_copy(void **state)
{
	struct tenant_spec s, d, e;
	char *t1, *t2;

	(void)state;
	parse_ok(FULL, &s);
	assert_int_equal(spec_copy(&d, &s), 0);
	t1 = spec_to_text(&s);
	t2 = spec_to_text(&d);
	assert_string_equal(t1, t2);
	assert_ptr_not_equal(s.name, d.name);
	assert_ptr_not_equal(s.argv, d.argv);
	assert_ptr_not_equal(s.argv[0], d.argv[0]);
	assert_ptr_not_equal(s.env, d.env);
	assert_ptr_not_equal(s.env[0].key, d.env[0].key);
	assert_ptr_not_equal(s.restart.cron, d.restart.cron);
	assert_memory_equal(&s.restart.sched, &d.restart.sched,
	    sizeof(s.restart.sched));
	assert_int_equal(d.argc, 3);
	assert_int_equal(d.nenv, 4);
	free(t1);
	free(t2);
	spec_free(&s);
	/* The copy lives on after the original is gone. */
	assert_string_equal(d.argv[1], "bot.js");
	assert_string_equal(d.restart.cron, "30 4 * * mon-fri");
	spec_free(&d);

	/* A spec with nothing set copies too. */
	spec_init(&s);
	assert_int_equal(spec_copy(&e, &s), 0);
	assert_null(e.name);
	assert_null(e.argv);
	assert_int_equal(e.autostart, 1);
	assert_int_equal(e.stop.signal, SIGTERM);
	spec_free(&e);
}

static void
test_to_json_unset(void **state)
{
	struct tenant_spec s;
	json_t *j;

	(void)state;
	/* An initialised spec exports, with nulls for name and no argv. */
	spec_init(&s);
	j = spec_to_json(&s);
	assert_non_null(j);
	assert_true(json_is_null(json_object_get(j, "name")));
	assert_int_equal(json_array_size(json_object_get(j, "command")), 0);
	json_decref(j);
}

static void
test_mode_names(void **state)
{
	(void)state;
	assert_string_equal(spec_restart_mode_name(RESTART_ALWAYS), "always");
	assert_string_equal(spec_restart_mode_name(RESTART_ON_FAILURE),
	    "on-failure");
	assert_string_equal(spec_restart_mode_name(RESTART_NEVER), "never");
	assert_string_equal(spec_notify_mode_name(NOTIFY_NONE), "none");
	assert_string_equal(spec_notify_mode_name(NOTIFY_PIPE), "pipe");
	assert_string_equal(spec_notify_mode_name(NOTIFY_SYSTEMD), "systemd");
}

static void
test_sig(void **state)
{
	static const char *const names[] = {
		"HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
		"KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM",
		"STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
		"URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO",
		"PWR", "SYS",
	};
	char full[32];
	size_t i;
	int n;

	(void)state;
	assert_int_equal(sig_from_name("SIGTERM"), SIGTERM);
	assert_int_equal(sig_from_name("TERM"), SIGTERM);
	assert_int_equal(sig_from_name("sigterm"), SIGTERM);
	assert_int_equal(sig_from_name("Term"), SIGTERM);
	assert_int_equal(sig_from_name("SIGKILL"), SIGKILL);
	assert_int_equal(sig_from_name("HUP"), SIGHUP);
	assert_int_equal(sig_from_name("SIGCHLD"), SIGCHLD);
	assert_int_equal(sig_from_name("SYS"), SIGSYS);
	assert_int_equal(sig_from_name("SIGSYS"), SIGSYS);
	assert_int_equal(sig_from_name(""), -1);
	assert_int_equal(sig_from_name("SIG"), -1);
	assert_int_equal(sig_from_name("SIGFOO"), -1);
	assert_int_equal(sig_from_name("15"), -1);
	assert_int_equal(sig_from_name("SIGTERM "), -1);
	assert_int_equal(sig_from_name("SIGSIGTERM"), -1);
	assert_int_equal(sig_from_name(NULL), -1);
	assert_string_equal(sig_name(SIGTERM), "SIGTERM");
	assert_string_equal(sig_name(SIGKILL), "SIGKILL");
	assert_string_equal(sig_name(SIGSEGV), "SIGSEGV");
	assert_string_equal(sig_name(0), "SIG?");
	assert_string_equal(sig_name(-1), "SIG?");
	assert_string_equal(sig_name(1000), "SIG?");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(full, sizeof(full), "SIG%s", names[i]);
		n = sig_from_name(names[i]);
		assert_true(n > 0);
		assert_int_equal(sig_from_name(full), n);
		assert_string_equal(sig_name(n), full);
	}
	/* Every classic Linux signal 1..31 has a name. */
	for (n = 1; n < 32; n++)
		assert_string_not_equal(sig_name(n), "SIG?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_init_free),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_export_order),
		cmocka_unit_test(test_to_text_sorted),
		cmocka_unit_test(test_not_object),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_unknown_fields),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_name_nul),
		cmocka_unit_test(test_tenant_id),
		cmocka_unit_test(test_command),
		cmocka_unit_test(test_command_nul),
		cmocka_unit_test(test_cwd),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_user_group),
		cmocka_unit_test(test_autostart),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_restart_cron),
		cmocka_unit_test(test_restart_max_age),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_heartbeat),
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_limits_logs),
		cmocka_unit_test(test_error_frees),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_to_json_unset),
		cmocka_unit_test(test_mode_names),
		cmocka_unit_test(test_sig),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

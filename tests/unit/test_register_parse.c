/* test_register_parse.c: the dashboard's answers, IPs and error bodies. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "register_parse.h"

static int
parse(const char *body, const char *ip, struct register_answer *a,
    struct vx_err *err)
{
	vx_err_clear(err);
	return register_parse_answer(body, strlen(body), ip, a, err);
}

static void
refused(const char *body, const char *ip, const char *msg)
{
	struct register_answer a;
	struct vx_err err;

	if (parse(body, ip, &a, &err) != -1)
		fail_msg("accepted: %s", body);
	if (strstr(err.msg, msg) == NULL)
		fail_msg("%s: '%s' lacks '%s'", body, err.msg, msg);
}

static void
test_answer_ok(void **state)
{
	struct register_answer a;
	struct vx_err err;

	(void)state;
	assert_int_equal(parse("{\"id\": \"wrk_abc123\", \"subdomain\": "
	    "\"worker-a1b2c3.vectis.dev\", \"ip\": \"203.0.113.5\", "
	    "\"extra\": [1, 2]}", "203.0.113.5", &a, &err), 0);
	assert_string_equal(a.id, "wrk_abc123");
	assert_string_equal(a.subdomain, "worker-a1b2c3.vectis.dev");
	assert_string_equal(a.ip, "203.0.113.5");
	/* The same IPv6 address in another spelling is the same address. */
	assert_int_equal(parse("{\"id\": \"w\", \"subdomain\": \"a.b\", "
	    "\"ip\": \"2001:DB8:0:0::1\"}", "2001:db8::1", &a, &err), 0);
	assert_string_equal(a.ip, "2001:db8::1");
}

static void
test_answer_refused(void **state)
{
	char big[400];

	(void)state;
	refused("", "203.0.113.5", "not JSON");
	refused("<html>", "203.0.113.5", "not JSON");
	refused("[1]", "203.0.113.5", "not a JSON object");
	refused("{\"subdomain\": \"a.b\", \"ip\": \"203.0.113.5\"}",
	    "203.0.113.5", "\"id\"");
	refused("{\"id\": 5, \"subdomain\": \"a.b\", \"ip\": \"203.0.113.5\"}",
	    "203.0.113.5", "\"id\"");
	refused("{\"id\": \"\", \"subdomain\": \"a.b\", \"ip\": "
	    "\"203.0.113.5\"}", "203.0.113.5", "\"id\"");
	refused("{\"id\": \"a\\nb\", \"subdomain\": \"a.b\", \"ip\": "
	    "\"203.0.113.5\"}", "203.0.113.5", "\"id\"");
	refused("{\"id\": \"w\", \"subdomain\": \"a..b\", \"ip\": "
	    "\"203.0.113.5\"}", "203.0.113.5", "\"subdomain\"");
	refused("{\"id\": \"w\", \"subdomain\": \"-a.b\", \"ip\": "
	    "\"203.0.113.5\"}", "203.0.113.5", "\"subdomain\"");
	refused("{\"id\": \"w\", \"subdomain\": \"a b\", \"ip\": "
	    "\"203.0.113.5\"}", "203.0.113.5", "\"subdomain\"");
	refused("{\"id\": \"w\", \"subdomain\": \"a.b\"}", "203.0.113.5",
	    "\"ip\"");
	refused("{\"id\": \"w\", \"subdomain\": \"a.b\", \"ip\": \"x\"}",
	    "203.0.113.5", "\"ip\"");
	refused("{\"id\": \"w\", \"subdomain\": \"a.b\", \"ip\": "
	    "\"198.51.100.9\"}", "203.0.113.5",
	    "echoed IP 198.51.100.9, but this node sent 203.0.113.5");
	refused("{\"id\": \"w\", \"id\": \"v\", \"subdomain\": \"a.b\", "
	    "\"ip\": \"203.0.113.5\"}", "203.0.113.5", "not JSON");
	memset(big, 'a', sizeof(big));
	snprintf(big, sizeof(big), "{\"id\": \"%0*d\", \"subdomain\": \"a.b\", "
	    "\"ip\": \"203.0.113.5\"}", 129, 0);
	refused(big, "203.0.113.5", "\"id\"");
}

static void
test_ip(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(register_parse_ip(" 203.0.113.5\r\n", 14, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "203.0.113.5");
	assert_int_equal(register_parse_ip("::FFFF:1.2.3.4\n", 15, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "::ffff:1.2.3.4");
	assert_int_equal(register_parse_ip("", 0, out, sizeof(out)), -1);
	assert_int_equal(register_parse_ip("1.2.3.4 5.6.7.8", 15, out,
	    sizeof(out)), -1);
	assert_int_equal(register_parse_ip("1.2.3", 5, out, sizeof(out)), -1);
	assert_int_equal(register_parse_ip("1.2.3.4\0", 8, out, sizeof(out)),
	    -1);
	assert_int_equal(register_parse_ip("<html>1.2.3.4</html>", 20, out,
	    sizeof(out)), -1);
}

static void
error_is(const char *body, const char *want)
{
	char out[512];

	register_parse_error(body, strlen(body), out, sizeof(out));
	if (strcmp(out, want) != 0)
		fail_msg("%s: got '%s', wanted '%s'", body, out, want);
}

static void
test_error(void **state)
{
	char big[1000], out[512];

	(void)state;
	error_is("{\"message\": \"invalid token\"}", "invalid token");
	error_is("{\"error\": \"forbidden\"}", "forbidden");
	error_is("{\"message\": \"\", \"error\": \"e\"}", "e");
	error_is("{\"message\": \"a\\nb\\u001b[31m\"}", "a\\nb\\x1b[31m");
	error_is("\n  \ninternal error  \ntrace\n", "internal error");
	error_is("{\"code\": 7}", "{\"code\": 7}");
	error_is("", "");
	error_is("   \n\t\n", "");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	register_parse_error(big, strlen(big), out, sizeof(out));
	assert_int_equal(strlen(out), 203);
	assert_string_equal(out + 200, "...");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answer_ok),
		cmocka_unit_test(test_answer_refused),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

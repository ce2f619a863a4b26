/* test_name.c: tenant name rule and the error text a person reads. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "name.h"

#define RULE "^[a-z0-9][a-z0-9_.-]{0,62}$"

/* A string of n copies of c, in a static buffer. */
static const char *
repeat(char c, size_t n)
{
	static char buf[256];

	assert_true(n < sizeof(buf));
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

static void
assert_valid(const char *name)
{
	struct vx_err err;

	vx_err_clear(&err);
	if (name_check(name, &err) != 0)
		fail_msg("'%s' rejected: %s", name, err.msg);
	assert_int_equal(err.code, 0);
}

static void
assert_invalid(const char *name, const char *msg)
{
	struct vx_err err;

	vx_err_clear(&err);
	assert_int_equal(name_check(name, &err), -1);
	assert_int_equal(err.code, VX_EXIT_USAGE);
	if (msg != NULL)
		assert_string_equal(err.msg, msg);
}

static void
test_valid(void **state)
{
	(void)state;
	assert_valid("a");
	assert_valid("0");
	assert_valid("tenant-a");
	assert_valid("bot_42.prod");
	assert_valid("9lives");
	assert_valid("a-");
	assert_valid("a.");
	assert_valid("a_");
	assert_valid("a..b");
	assert_valid("abcdefghijklmnopqrstuvwxyz0123456789_.-");
}

static void
test_lengths(void **state)
{
	char buf[80];

	(void)state;
	assert_valid(repeat('a', 62));
	assert_valid(repeat('a', 63));
	assert_invalid(repeat('a', 64), NULL);
	assert_invalid(repeat('a', 65), NULL);
	/* 63 valid bytes and one more valid one is still too long. */
	memset(buf, 'x', 63);
	strcpy(buf + 63, "-");
	assert_invalid(buf, NULL);
	/* A bad byte at the last allowed position. */
	memset(buf, 'x', 62);
	strcpy(buf + 62, "X");
	assert_invalid(buf, NULL);
}

static void
test_first_char(void **state)
{
	(void)state;
	assert_invalid("-a", "invalid tenant name '-a': must match " RULE);
	assert_invalid("_a", NULL);
	assert_invalid(".a", NULL);
	assert_invalid(".", NULL);
	assert_invalid("..", NULL);
}

static void
test_bad_chars(void **state)
{
	(void)state;
	assert_invalid("Tenant", NULL);
	assert_invalid("tenantA", NULL);
	assert_invalid("a b", NULL);
	assert_invalid("a/b", NULL);
	assert_invalid("a:b", NULL);
	assert_invalid("a+b", NULL);
	assert_invalid("a@b", NULL);
	assert_invalid("caf\xc3\xa9", NULL);
	assert_invalid("a\n", NULL);
}

static void
test_messages(void **state)
{
	(void)state;
	assert_invalid("../x",
	    "invalid tenant name '../x': must match " RULE);
	assert_invalid("", "invalid tenant name '': must match " RULE);
	assert_invalid(NULL, "invalid tenant name '': must match " RULE);
	assert_invalid("a\tb\x01\x7f\xff",
	    "invalid tenant name 'a\\x09b\\x01\\x7f\\xff': must match " RULE);
	assert_invalid("a\\b",
	    "invalid tenant name 'a\\x5cb': must match " RULE);
	assert_invalid("A'B", "invalid tenant name 'A'B': must match " RULE);
}

static void
test_long_echo_cut(void **state)
{
	char want[512];

	(void)state;
	snprintf(want, sizeof(want),
	    "invalid tenant name '%s...': must match " RULE,
	    repeat('A', 64));
	assert_invalid(repeat('A', 200), want);
	/* Exactly 64 bytes are echoed whole, without "...". */
	snprintf(want, sizeof(want),
	    "invalid tenant name '%s': must match " RULE, repeat('b', 64));
	assert_invalid(repeat('b', 64), want);
}

static void
test_long_escaped_echo(void **state)
{
	struct vx_err err;
	char name[101], want[400];
	size_t i;

	(void)state;
	/* 64 escaped bytes still fit the message, then "...". */
	memset(name, 1, 100);
	name[100] = '\0';
	assert_int_equal(name_check(name, &err), -1);
	strcpy(want, "invalid tenant name '");
	for (i = 0; i < 64; i++)
		strcat(want, "\\x01");
	strcat(want, "...': must match " RULE);
	assert_string_equal(err.msg, want);
}

static void
test_null_err(void **state)
{
	(void)state;
	assert_int_equal(name_check("ok", NULL), 0);
	assert_int_equal(name_check("NOT OK", NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_first_char),
		cmocka_unit_test(test_bad_chars),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_long_echo_cut),
		cmocka_unit_test(test_long_escaped_echo),
		cmocka_unit_test(test_null_err),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

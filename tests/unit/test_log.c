/*
 * test_log.c: log_escape keeps untrusted text from steering a terminal.
 * Regression: UTF-8-encoded C1 controls (U+009B is CSI on UTF-8
 * terminals) passed through unescaped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "log.h"

static const char *
esc(const char *s, size_t len)
{
	static char buf[256];

	return log_escape(buf, sizeof(buf), s, len);
}

static void
test_controls(void **state)
{
	assert_string_equal(esc("a\nb\tc\\", 6), "a\\nb\\tc\\\\");
	assert_string_equal(esc("\x1b[31m", 5), "\\x1b[31m");
	assert_string_equal(esc("\x7f", 1), "\\x7f");
	assert_string_equal(esc("a\0b", 3), "a\\x00b");
}

static void
test_c1(void **state)
{
	assert_string_equal(esc("\xc2\x9b" "31m", 5), "\\xc2\\x9b31m");
	assert_string_equal(esc("\xc2\x80", 2), "\\xc2\\x80");
	/* U+00A0 and up are text. */
	assert_string_equal(esc("\xc2\xa0\xc3\xa9", 4), "\xc2\xa0\xc3\xa9");
}

static void
test_utf8(void **state)
{
	assert_string_equal(esc("\xe2\x9c\x85 ok", 6), "\xe2\x9c\x85 ok");
	assert_string_equal(esc("\xff\xfe", 2), "\\xff\\xfe");
	assert_string_equal(esc("\xe2\x9c", 2), "\\xe2\\x9c");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_c1),
		cmocka_unit_test(test_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_esc.c: esc_bytes(), the one escaping of untrusted bytes: controls,
 * UTF-8 C1 controls, invalid UTF-8, NUL bytes, cuts at the buffer's end
 * (never half an escape or half a character), and the echo style that
 * names, spec keys and configuration keys use in error messages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "esc.h"
#include "log.h"

static char buf[1024];

/* esc_bytes() into buf, or into its first size bytes. */
static const char *
e(const char *s, size_t len, int flags)
{
	memset(buf, '#', sizeof(buf));
	return esc_bytes(buf, sizeof(buf), s, len, flags);
}

static const char *
en(size_t size, const char *s, size_t len, int flags)
{
	memset(buf, '#', sizeof(buf));
	esc_bytes(buf, size, s, len, flags);
	assert_true(strlen(buf) < size);
	assert_int_equal(buf[size], '#');	/* nothing written past it */
	return buf;
}

static void
test_controls(void **state)
{
	(void)state;
	assert_string_equal(e("a\nb\tc\\", 6, 0), "a\\nb\\tc\\\\");
	assert_string_equal(e("\x1b[31m\r\x07", 7, 0), "\\x1b[31m\\x0d\\x07");
	assert_string_equal(e("\x7f\x01\x1f", 3, 0), "\\x7f\\x01\\x1f");
	assert_string_equal(e(" ~", 2, 0), " ~");
	/* ESC_HEX: the named escapes become \xNN too. */
	assert_string_equal(e("a\nb\tc\\", 6, ESC_HEX),
	    "a\\x0ab\\x09c\\x5c");
}

static void
test_nul(void **state)
{
	(void)state;
	assert_string_equal(e("a\0b", 3, 0), "a\\x00b");
	assert_string_equal(e("\0", 1, ESC_ECHO), "\\x00");
	assert_string_equal(e("", 0, 0), "");
	assert_string_equal(e("", 0, ESC_ECHO), "");
}

static void
test_c1(void **state)
{
	(void)state;
	/* U+009B is CSI on UTF-8 terminals; U+0080-U+009F are controls. */
	assert_string_equal(e("\xc2\x9b" "31m", 5, 0), "\\xc2\\x9b31m");
	assert_string_equal(e("\xc2\x80\xc2\x9f", 4, 0),
	    "\\xc2\\x80\\xc2\\x9f");
	/* U+00A0 and up are text. */
	assert_string_equal(e("\xc2\xa0\xc3\xa9", 4, 0), "\xc2\xa0\xc3\xa9");
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_string_equal(e("\xe2\x9c\x85 ok", 6, 0), "\xe2\x9c\x85 ok");
	assert_string_equal(e("\xf0\x9f\x98\x80", 4, 0), "\xf0\x9f\x98\x80");
	/* Invalid: stray bytes, a cut sequence, a lone continuation. */
	assert_string_equal(e("\xff\xfe", 2, 0), "\\xff\\xfe");
	assert_string_equal(e("\xe2\x9c", 2, 0), "\\xe2\\x9c");
	assert_string_equal(e("\x85x", 2, 0), "\\x85x");
	assert_string_equal(e("\xe2x\x85", 3, 0), "\\xe2x\\x85");
	/* Overlong forms, surrogates, above U+10FFFF. */
	assert_string_equal(e("\xc0\xaf", 2, 0), "\\xc0\\xaf");
	assert_string_equal(e("\xe0\x80\xaf", 3, 0), "\\xe0\\x80\\xaf");
	assert_string_equal(e("\xed\xa0\x80", 3, 0), "\\xed\\xa0\\x80");
	assert_string_equal(e("\xf4\x90\x80\x80", 4, 0),
	    "\\xf4\\x90\\x80\\x80");
	/* A sequence cut by len is broken, not read past len. */
	assert_string_equal(e("\xc3\xa9", 1, 0), "\\xc3");
	/* ESC_ASCII: no UTF-8 text at all. */
	assert_string_equal(e("\xc3\xa9", 2, ESC_ASCII), "\\xc3\\xa9");
}

static void
test_buffer_end(void **state)
{
	(void)state;
	/* Plain bytes fill the buffer up to its NUL. */
	assert_string_equal(en(4, "abcdef", 6, 0), "abc");
	/* An escape is never cut in two. */
	assert_string_equal(en(6, "ab\x01", 3, 0), "ab");
	assert_string_equal(en(7, "ab\x01", 3, 0), "ab\\x01");
	assert_string_equal(en(4, "a\n", 2, 0), "a\\n");
	assert_string_equal(en(3, "a\n", 2, 0), "a");
	/* Nor a character. */
	assert_string_equal(en(4, "a\xe2\x9c\x85", 4, 0), "a");
	assert_string_equal(en(5, "a\xe2\x9c\x85", 4, 0), "a\xe2\x9c\x85");
	assert_string_equal(en(1, "abc", 3, 0), "");
	/* Size 0: nothing is written at all. */
	buf[0] = '#';
	esc_bytes(buf, 0, "abc", 3, 0);
	assert_int_equal(buf[0], '#');
}

static void
test_short(void **state)
{
	char in[200], want[400];
	size_t i;

	(void)state;
	/* At most ESC_SHORT_MAX bytes; "..." only when some were left out. */
	memset(in, 'a', sizeof(in));
	memset(want, 'a', ESC_SHORT_MAX);
	want[ESC_SHORT_MAX] = '\0';
	assert_string_equal(e(in, ESC_SHORT_MAX, ESC_SHORT), want);
	strcpy(want + ESC_SHORT_MAX, "...");
	assert_string_equal(e(in, ESC_SHORT_MAX + 1, ESC_SHORT), want);
	assert_string_equal(e(in, sizeof(in), ESC_SHORT), want);
	/* 64 escaped bytes still fit ESC_SHORT_LEN, then "...". */
	memset(in, 1, sizeof(in));
	want[0] = '\0';
	for (i = 0; i < ESC_SHORT_MAX; i++)
		strcat(want, "\\x01");
	strcat(want, "...");
	assert_string_equal(en(ESC_SHORT_LEN, in, 100, ESC_ECHO), want);
	/* Cut by the buffer: "..." still fits, after whole escapes. */
	assert_string_equal(en(12, "\x01\x02\x03", 3, ESC_ECHO),
	    "\\x01\\x02...");
	assert_string_equal(en(4, "abcdef", 6, ESC_SHORT), "...");
	assert_string_equal(en(3, "abcdef", 6, ESC_SHORT), "");
	assert_string_equal(en(8, "abcd", 4, ESC_SHORT), "abcd");
	/* The text style with ESC_SHORT keeps UTF-8 text. */
	assert_string_equal(e("\xc3\xa9\n", 3, ESC_SHORT), "\xc3\xa9\\n");
}

static void
test_echo(void **state)
{
	(void)state;
	/* What names, spec keys and config keys have always shown. */
	assert_string_equal(e("a\tb\x01\x7f\xff", 6, ESC_ECHO),
	    "a\\x09b\\x01\\x7f\\xff");
	assert_string_equal(e("a\\b", 3, ESC_ECHO), "a\\x5cb");
	assert_string_equal(e("A'B\"", 4, ESC_ECHO), "A'B\"");
	assert_string_equal(e("\xc3\xa9", 2, ESC_ECHO), "\\xc3\\xa9");
}

static void
test_log_escape(void **state)
{
	char out[64];

	(void)state;
	/* log_escape() is the text style, by its older name. */
	assert_string_equal(log_escape(out, sizeof(out), "\xc2\x9b\n\xc3\xa9",
	    5), "\\xc2\\x9b\\n\xc3\xa9");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_c1),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_buffer_end),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_log_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

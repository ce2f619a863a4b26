/* test_logcap.c: log records, rotation without loss, write failures. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd.h"
#include "logcap.h"

static char dir[64];

static int
setup(void **state)
{
	strcpy(dir, "/tmp/vx-logcap.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

/* rm -rf of the test directory, without a shell. */
static int
teardown(void **state)
{
	assert_int_equal(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	return 0;
}

/* The whole file (empty if missing). */
static char *
slurp(const char *name, int k, size_t *len)
{
	char path[256], *buf;

	if (k > 0)
		snprintf(path, sizeof(path), "%s/%s.log.%d", dir, name, k);
	else
		snprintf(path, sizeof(path), "%s/%s.log", dir, name);
	if (fd_read_file(path, 1 << 26, &buf, len) == -1) {
		*len = 0;
		return strdup("");
	}
	return buf;
}

static off_t
fsize(const char *name, int k)
{
	char path[256];
	struct stat st;

	if (k > 0)
		snprintf(path, sizeof(path), "%s/%s.log.%d", dir, name, k);
	else
		snprintf(path, sizeof(path), "%s/%s.log", dir, name);
	return stat(path, &st) == 0 ? st.st_size : -1;
}

/*
 * Check the concatenation of the kept files: per stream, numbers must
 * follow each other and end at last; returns the first number seen.
 */
static long
check_sequence(const char *name, int keep, const char *tag, long last)
{
	long prev = -1, first = -1, n;
	char *all = strdup(""), *f, *p, *nl, pat[8];
	size_t len, alen = 0;
	int k;

	for (k = keep; k >= 0; k--) {
		f = slurp(name, k, &len);
		all = realloc(all, alen + len + 1);
		memcpy(all + alen, f, len);
		alen += len;
		all[alen] = '\0';
		free(f);
	}
	snprintf(pat, sizeof(pat), " %s ", tag);
	for (p = all; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		*nl = '\0';
		/* "2026-01-11T06:23:00Z out N" */
		assert_true(strlen(p) > 21);
		if (strncmp(p + 20, pat, 5) != 0)
			continue;
		n = strtol(p + 25, NULL, 10);
		if (prev != -1)
			assert_int_equal(n, prev + 1);
		else
			first = n;
		prev = n;
	}
	assert_string_equal(p, "");	/* ends with a newline */
	assert_int_equal(prev, last);
	free(all);
	return first;
}

static void
feed_numbers(struct logcap *lc, long count)
{
	char buf[4096];
	size_t len = 0, cut;
	long i;
	int w;

	/* Odd chunk sizes: lines cross reads, as with a real pipe. */
	for (i = 1; i <= count; i++) {
		w = snprintf(buf + len, sizeof(buf) - len, "%ld\n", i);
		len += (size_t)w;
		if (len > 1000 || i == count) {
			cut = len / 3;
			logcap_feed(lc, LOGCAP_OUT, buf, cut);
			logcap_feed(lc, LOGCAP_ERR, buf, len);
			logcap_feed(lc, LOGCAP_OUT, buf + cut, len - cut);
			len = 0;
		}
	}
}

static void
test_rotation_keeps_every_line_once(void **state)
{
	struct logcap lc;
	int k;

	logcap_init(&lc, dir, "t");
	logcap_configure(&lc, 4096, 3);
	feed_numbers(&lc, 20000);
	logcap_flush(&lc);
	assert_true(lc.rotations > 10);
	assert_int_equal(lc.dropped, 0);
	for (k = 0; k <= 3; k++) {
		assert_true(fsize("t", k) > 0);
		assert_true(fsize("t", k) <= 4096);
	}
	assert_int_equal(fsize("t", 4), -1);
	assert_true(check_sequence("t", 3, "out", 20000) > 1);
	assert_true(check_sequence("t", 3, "err", 20000) > 1);
	logcap_free(&lc);
}

static void
test_keep_zero_truncates(void **state)
{
	struct logcap lc;

	logcap_init(&lc, dir, "z");
	logcap_configure(&lc, 4096, 0);
	feed_numbers(&lc, 5000);
	assert_true(lc.rotations > 0);
	assert_true(fsize("z", 0) <= 4096);
	assert_int_equal(fsize("z", 1), -1);
	check_sequence("z", 0, "out", 5000);
	logcap_free(&lc);
}

static void
test_fewer_kept_removes_surplus(void **state)
{
	struct logcap lc;

	logcap_init(&lc, dir, "s");
	logcap_configure(&lc, 4096, 4);
	feed_numbers(&lc, 5000);
	assert_true(fsize("s", 4) > 0);
	logcap_configure(&lc, 4096, 2);
	assert_int_equal(fsize("s", 3), -1);
	assert_int_equal(fsize("s", 4), -1);
	assert_true(fsize("s", 2) > 0);
	logcap_free(&lc);
}

static void
test_records(void **state)
{
	struct logcap lc;
	char *f, line[LOGCAP_LINE_MAX * 2 + 1];
	size_t len;

	logcap_init(&lc, dir, "r");
	logcap_configure(&lc, 1 << 20, 1);
	logcap_feed(&lc, LOGCAP_OUT, "a\rb", 3);
	logcap_feed(&lc, LOGCAP_OUT, "\0c\td\x01\x1f\x7f\xc3\xa9\n", 10);
	logcap_feed(&lc, LOGCAP_ERR, "0123456789abcdef\x02z\n", 19);
	logcap_feed(&lc, LOGCAP_ERR, "no newline", 10);
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	logcap_feed(&lc, LOGCAP_OUT, line, sizeof(line));
	logcap_flush(&lc);
	f = slurp("r", 0, &len);
	assert_non_null(strstr(f, " out a?b?c\td??\x7f\xc3\xa9\n"));
	assert_non_null(strstr(f, " err 0123456789abcdef?z\n"));
	assert_non_null(strstr(f, " err no newline\n"));
	/* 16384 x: split into 8191 + 8191 + 2 */
	assert_int_equal(len, (25 + 12 + 1) + (25 + 18 + 1) + (25 + 10 + 1) +
	    2 * (25 + 8191 + 1) + (25 + 2 + 1));
	free(f);
	logcap_free(&lc);
}

static void
test_write_failure_counts_and_recovers(void **state)
{
	struct logcap lc;
	char sub[128], buf[512];

	snprintf(sub, sizeof(sub), "%s/missing", dir);
	logcap_init(&lc, sub, "f");
	logcap_configure(&lc, 4096, 2);
	logcap_feed(&lc, LOGCAP_OUT, "hello\n", 6);
	assert_int_equal(lc.dropped, 25 + 6);
	assert_non_null(logcap_error(&lc, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "No such file or directory"));
	assert_int_equal(mkdir(sub, 0700), 0);
	/* Within the retry delay nothing is tried ... */
	logcap_feed(&lc, LOGCAP_OUT, "again\n", 6);
	assert_int_equal(lc.dropped, 2 * 25 + 6 + 6);
	/* ... but a reload (close) tries at once. */
	logcap_close(&lc);
	logcap_feed(&lc, LOGCAP_OUT, "back\n", 5);
	assert_int_equal(lc.dropped, 2 * 25 + 6 + 6);
	assert_null(logcap_error(&lc, buf, sizeof(buf)));
	logcap_free(&lc);
}

static void
test_full_disk(void **state)
{
	struct logcap lc;
	char path[128], buf[512];

	snprintf(path, sizeof(path), "%s/full.log", dir);
	if (symlink("/dev/full", path) == -1)
		skip();
	logcap_init(&lc, dir, "full");
	logcap_configure(&lc, 4096, 2);
	logcap_feed(&lc, LOGCAP_OUT, "hello\n", 6);
	assert_int_equal(lc.dropped, 31);
	assert_non_null(logcap_error(&lc, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "unable to write"));
	assert_non_null(strstr(buf, "No space left on device"));
	assert_int_equal(unlink(path), 0);
	logcap_close(&lc);
	logcap_feed(&lc, LOGCAP_OUT, "hello\n", 6);
	assert_null(logcap_error(&lc, buf, sizeof(buf)));
	assert_int_equal(fsize("full", 0), 31);
	logcap_free(&lc);
}

static void
test_tail(void **state)
{
	struct logcap lc;
	char buf[256];

	logcap_init(&lc, dir, "tail");
	logcap_feed(&lc, LOGCAP_ERR, "one\ntwo\r\nthree\n\n", 16);
	assert_string_equal(logcap_tail(&lc, 2, buf, sizeof(buf)),
	    "two | three");
	logcap_reset_tail(&lc);
	assert_string_equal(logcap_tail(&lc, 2, buf, sizeof(buf)), "");
	logcap_free(&lc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_rotation_keeps_every_line_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_zero_truncates,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_fewer_kept_removes_surplus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_records, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_write_failure_counts_and_recovers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_disk, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tail, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

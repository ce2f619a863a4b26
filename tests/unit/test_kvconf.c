/* test_kvconf.c: KEY=VALUE parsing, errors with lines, atomic save. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "kvconf.h"

static const char *const allowed[] = {
	"WORKER_ID", "SUBDOMAIN", "PUBLIC_IP", "SYNC_STATUS", NULL
};

static void
parse_ok(const char *text, struct kvconf *c)
{
	struct vx_err err;

	vx_err_clear(&err);
	if (kvconf_parse(text, strlen(text), "t.conf", NULL, c, &err) != 0)
		fail_msg("rejected: %s\n  %s", err.msg, text);
}

/* The value of the only key of text. */
static void
value_is(const char *text, const char *key, const char *want)
{
	struct kvconf c;
	const char *v;

	parse_ok(text, &c);
	v = kvconf_get(&c, key);
	if (v == NULL)
		fail_msg("%s missing in %s", key, text);
	if (strcmp(v, want) != 0)
		fail_msg("%s: wanted [%s] got [%s]", text, want, v);
	kvconf_free(&c);
}

static void
parse_fails_len(const char *text, size_t len, const char *const *keys,
    const char *msg)
{
	struct kvconf c;
	struct vx_err err;

	vx_err_clear(&err);
	c.v = (struct kv *)&c;	/* garbage the parser must overwrite */
	c.n = 42;
	if (kvconf_parse(text, len, "t.conf", keys, &c, &err) != -1) {
		kvconf_free(&c);
		fail_msg("accepted: %s", text);
	}
	if (strcmp(err.msg, msg) != 0)
		fail_msg("wanted '%s'\n  got '%s'", msg, err.msg);
	assert_int_equal(err.code, VX_EXIT_FAIL);
	assert_null(c.v);
	assert_int_equal(c.n, 0);
}

static void
parse_fails(const char *text, const char *msg)
{
	parse_fails_len(text, strlen(text), NULL, msg);
}

static void
test_basic(void **state)
{
	struct kvconf c;

	(void)state;
	parse_ok("# node config\n"
	    "\n"
	    "WORKER_ID=42\n"
	    "   \t\n"
	    "  SUBDOMAIN=bot-7.example.com   \n"
	    "\t# indented comment\n"
	    "export PUBLIC_IP=203.0.113.9\n"
	    "SYNC_STATUS=synced # trailing comment\n"
	    "EMPTY=\n"
	    "_U1=x", &c);
	assert_int_equal(c.n, 6);
	assert_string_equal(c.v[0].key, "WORKER_ID");
	assert_string_equal(c.v[0].value, "42");
	assert_int_equal(c.v[0].line, 3);
	assert_string_equal(c.v[1].key, "SUBDOMAIN");
	assert_string_equal(c.v[1].value, "bot-7.example.com");
	assert_int_equal(c.v[1].line, 5);
	assert_string_equal(c.v[2].key, "PUBLIC_IP");
	assert_string_equal(c.v[2].value, "203.0.113.9");
	assert_int_equal(c.v[2].line, 7);
	assert_string_equal(kvconf_get(&c, "SYNC_STATUS"), "synced");
	assert_string_equal(kvconf_get(&c, "EMPTY"), "");
	assert_string_equal(kvconf_get(&c, "_U1"), "x");
	assert_int_equal(c.v[5].line, 10);
	assert_null(kvconf_get(&c, "NOPE"));
	assert_null(kvconf_get(&c, "worker_id"));
	kvconf_free(&c);
	kvconf_free(&c);	/* twice is harmless */

	parse_ok("", &c);
	assert_int_equal(c.n, 0);
	kvconf_free(&c);
	parse_ok("\n\n# only comments\n", &c);
	assert_int_equal(c.n, 0);
	kvconf_free(&c);
}

static void
test_quotes(void **state)
{
	(void)state;
	value_is("K='hello world'", "K", "hello world");
	value_is("K=\"hello world\"", "K", "hello world");
	value_is("K=''", "K", "");
	value_is("K=\"\"", "K", "");
	value_is("K='a \"b\" $c \\d #e'", "K", "a \"b\" $c \\d #e");
	value_is("K=\"a \\\"b\\\" \\$c \\\\d \\`e\\`\"", "K",
	    "a \"b\" $c \\d `e`");
	/* Other backslashes in double quotes stay, as in the shell. */
	value_is("K=\"a\\nb\\x\"", "K", "a\\nb\\x");
	value_is("K=\"it's\"", "K", "it's");
	value_is("K='it'\\''s'", "K", "it's");
	value_is("K='a'\"b\"c", "K", "abc");
	value_is("K=a\\ b", "K", "a b");
	value_is("K=a\\#b", "K", "a#b");
	value_is("K=a#b", "K", "a#b");
	value_is("K=#b", "K", "#b");
	value_is("K='x' # comment 'with quotes'", "K", "x");
	value_is("K=\"x\"\t#c", "K", "x");
	value_is("K=a=b=c", "K", "a=b=c");
	value_is("K=$HOME/x", "K", "$HOME/x");
	value_is("K=https://dash.example.com/api?x=1&y=2", "K",
	    "https://dash.example.com/api?x=1&y=2");
	value_is("K='caf\xc3\xa9'", "K", "caf\xc3\xa9");
	value_is("K=' lead and trail '", "K", " lead and trail ");
	value_is("export   K=v", "K", "v");
	value_is("export\tK=v", "K", "v");
}

static void
test_crlf(void **state)
{
	struct kvconf c;

	(void)state;
	parse_ok("A=1\r\nB='two words'\r\n# c\r\n\r\nC=3", &c);
	assert_int_equal(c.n, 3);
	assert_string_equal(kvconf_get(&c, "A"), "1");
	assert_string_equal(kvconf_get(&c, "B"), "two words");
	assert_string_equal(kvconf_get(&c, "C"), "3");
	assert_int_equal(c.v[2].line, 5);
	kvconf_free(&c);
}

static void
test_duplicates(void **state)
{
	struct kvconf c;

	(void)state;
	parse_ok("A=1\nB=2\nA=3\n", &c);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.v[0].key, "A");
	assert_string_equal(c.v[0].value, "3");
	assert_int_equal(c.v[0].line, 3);
	assert_string_equal(c.v[1].key, "B");
	kvconf_free(&c);
}

static void
test_allowed(void **state)
{
	struct kvconf c;
	struct vx_err err;
	const char *text = "WORKER_ID=1\nSUBDOMAIN=x\n";

	(void)state;
	assert_int_equal(kvconf_parse(text, strlen(text), "worker.conf",
	    allowed, &c, &err), 0);
	assert_int_equal(c.n, 2);
	kvconf_free(&c);
	parse_fails_len("WORKER_ID=1\n# c\nFOO=2\n", 22, allowed,
	    "t.conf:3: unknown key 'FOO'");
	parse_fails_len("WORKER=1\n", 9, allowed,
	    "t.conf:1: unknown key 'WORKER'");
	parse_fails_len("WORKER_IDS=1\n", 13, allowed,
	    "t.conf:1: unknown key 'WORKER_IDS'");
	/* An empty list allows nothing. */
	{
		static const char *const none[] = { NULL };

		parse_fails_len("A=1", 3, none, "t.conf:1: unknown key 'A'");
	}
}

static void
test_errors(void **state)
{
	struct kvconf c;
	struct vx_err err;
	char big[200];

	(void)state;
	parse_fails("A=1\nlower=2\n",
	    "t.conf:2: invalid key 'lower': must match [A-Z_][A-Z0-9_]*");
	parse_fails("1A=x",
	    "t.conf:1: invalid key '1A': must match [A-Z_][A-Z0-9_]*");
	parse_fails("A-B=x",
	    "t.conf:1: invalid key 'A-B': must match [A-Z_][A-Z0-9_]*");
	parse_fails("=x", "t.conf:1: invalid key '': must match "
	    "[A-Z_][A-Z0-9_]*");
	parse_fails("A\x01=x", "t.conf:1: invalid key 'A\\x01': must match "
	    "[A-Z_][A-Z0-9_]*");
	memset(big, 'k', 100);
	strcpy(big + 100, "=1");
	parse_fails(big, "t.conf:1: invalid key 'kkkkkkkkkkkkkkkkkkkkkkkkkk"
	    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...': must match "
	    "[A-Z_][A-Z0-9_]*");
	parse_fails("KEY\n", "t.conf:1: expected KEY=VALUE");
	parse_fails("KEY = v\n", "t.conf:1: expected KEY=VALUE");
	parse_fails("export\n", "t.conf:1: expected KEY=VALUE");
	parse_fails("export KEY\n", "t.conf:1: expected KEY=VALUE");
	parse_fails("export=1\n",
	    "t.conf:1: invalid key 'export': must match [A-Z_][A-Z0-9_]*");
	parse_fails("A=1\nB=two words\n", "t.conf:2: unexpected text after "
	    "the value of B (quote values that hold spaces)");
	parse_fails("B='x' y", "t.conf:1: unexpected text after the value of B"
	    " (quote values that hold spaces)");
	parse_fails("A='abc\n", "t.conf:1: unterminated quote");
	parse_fails("A=\"abc\n", "t.conf:1: unterminated quote");
	parse_fails("A=\"abc\\\"\n", "t.conf:1: unterminated quote");
	parse_fails("A=1\nB='multi\nline'\n", "t.conf:2: unterminated quote");
	parse_fails("A=abc\\\n", "t.conf:1: backslash at end of line");
	parse_fails_len("A=1\nB=x\0y\n", 10, NULL, "t.conf:2: NUL byte");
	parse_fails_len("\0", 1, NULL, "t.conf:1: NUL byte");

	/* No file name: a generic one. */
	vx_err_clear(&err);
	assert_int_equal(kvconf_parse("x", 1, NULL, NULL, &c, &err), -1);
	assert_string_equal(err.msg, "config:1: expected KEY=VALUE");
}

static void
test_limits(void **state)
{
	struct kvconf c;
	struct vx_err err;
	char *text;
	size_t len, off, i;

	(void)state;
	/* 1 MiB is the largest file. */
	len = 1024 * 1024;
	text = malloc(len + 2);
	assert_non_null(text);
	memset(text, '#', len + 1);
	text[len + 1] = '\0';
	assert_int_equal(kvconf_parse(text, len, "t.conf", NULL, &c, &err), 0);
	kvconf_free(&c);
	parse_fails_len(text, len + 1, NULL,
	    "t.conf: larger than 1048576 bytes");

	/* At most 1024 keys; a repeated key does not count twice. */
	off = 0;
	for (i = 0; i < 1024; i++)
		off += (size_t)sprintf(text + off, "K%zu=%zu\n", i, i);
	off += (size_t)sprintf(text + off, "K0=again\n");
	assert_int_equal(kvconf_parse(text, off, "t.conf", NULL, &c, &err), 0);
	assert_int_equal(c.n, 1024);
	assert_string_equal(kvconf_get(&c, "K0"), "again");
	assert_string_equal(kvconf_get(&c, "K1023"), "1023");
	kvconf_free(&c);
	off += (size_t)sprintf(text + off, "K1024=x\n");
	parse_fails_len(text, off, NULL, "t.conf:1026: more than 1024 keys");
	free(text);
}

static void
test_set(void **state)
{
	struct kvconf c = { NULL, 0 };
	char key[16];
	int i;

	(void)state;
	assert_int_equal(kvconf_set(&c, "A", "1"), 0);
	assert_int_equal(kvconf_set(&c, "B", "2"), 0);
	assert_int_equal(kvconf_set(&c, "A", "3"), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.v[0].key, "A");
	assert_string_equal(kvconf_get(&c, "A"), "3");
	assert_int_equal(kvconf_set(&c, "A", NULL), 0);
	assert_int_equal(c.n, 1);
	assert_null(kvconf_get(&c, "A"));
	assert_string_equal(c.v[0].key, "B");
	assert_int_equal(kvconf_set(&c, "A", NULL), 0);
	assert_int_equal(c.n, 1);
	errno = 0;
	assert_int_equal(kvconf_set(&c, "bad", "x"), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(kvconf_set(&c, "", "x"), -1);
	assert_int_equal(kvconf_set(&c, "C", "a\nb"), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(c.n, 1);

	/* Many appends and removals keep the array consistent. */
	for (i = 0; i < 300; i++) {
		snprintf(key, sizeof(key), "K%d", i);
		assert_int_equal(kvconf_set(&c, key, key), 0);
	}
	for (i = 0; i < 300; i += 3) {
		snprintf(key, sizeof(key), "K%d", i);
		assert_int_equal(kvconf_set(&c, key, NULL), 0);
	}
	for (i = 0; i < 300; i++) {
		snprintf(key, sizeof(key), "K%d", i);
		if (i % 3 == 0)
			assert_null(kvconf_get(&c, key));
		else
			assert_string_equal(kvconf_get(&c, key), key);
	}
	for (i = 300; i < 600; i++) {
		snprintf(key, sizeof(key), "K%d", i);
		assert_int_equal(kvconf_set(&c, key, "v"), 0);
	}
	assert_int_equal(c.n, 1 + 200 + 300);
	assert_string_equal(kvconf_get(&c, "K599"), "v");
	kvconf_free(&c);
}

/* A private directory for file tests, removed by teardown. */
struct tmp {
	char	dir[64];
	char	path[128];
};

static int
setup_tmp(void **state)
{
	struct tmp *t;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -1;
	strcpy(t->dir, "/tmp/test_kvconf.XXXXXX");
	if (mkdtemp(t->dir) == NULL) {
		free(t);
		return -1;
	}
	snprintf(t->path, sizeof(t->path), "%s/worker.conf", t->dir);
	*state = t;
	return 0;
}

static int
teardown_tmp(void **state)
{
	struct tmp *t = *state;
	char p[160];

	unlink(t->path);
	snprintf(p, sizeof(p), "%s.new", t->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s/sub", t->dir);
	rmdir(p);
	rmdir(t->dir);
	free(t);
	return 0;
}

/* The whole content of path. */
static char *
slurp(const char *path)
{
	char *buf;
	FILE *f;
	size_t n;

	f = fopen(path, "r");
	assert_non_null(f);
	buf = calloc(1, 65536);
	assert_non_null(buf);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void
test_save_format(void **state)
{
	struct tmp *t = *state;
	struct kvconf c = { NULL, 0 };
	struct vx_err err;
	struct stat st;
	char *text, p[160];
	int fd;

	assert_int_equal(kvconf_set(&c, "WORKER_ID", "42"), 0);
	assert_int_equal(kvconf_set(&c, "URL", "https://d.example.com:8443/"
	    "api/v1,x@y+z-w_v.~"), 0);
	assert_int_equal(kvconf_set(&c, "MSG", "it's down"), 0);
	assert_int_equal(kvconf_set(&c, "EMPTY", ""), 0);
	assert_int_equal(kvconf_set(&c, "DOLLAR", "$x"), 0);

	/* A stale .new from a crash is replaced. */
	snprintf(p, sizeof(p), "%s.new", t->path);
	fd = open(p, O_WRONLY | O_CREAT, 0);
	assert_true(fd >= 0);
	close(fd);

	vx_err_clear(&err);
	if (kvconf_save(&c, t->path, 0600, &err) != 0)
		fail_msg("save: %s", err.msg);
	text = slurp(t->path);
	assert_string_equal(text,
	    "WORKER_ID=42\n"
	    "URL='https://d.example.com:8443/api/v1,x@y+z-w_v.~'\n"
	    "MSG='it'\\''s down'\n"
	    "EMPTY=''\n"
	    "DOLLAR='$x'\n");
	free(text);
	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(access(p, F_OK), -1);

	/* Saving again replaces the file, with the new mode. */
	assert_int_equal(kvconf_set(&c, "URL", "plain"), 0);
	assert_int_equal(kvconf_save(&c, t->path, 0644, &err), 0);
	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	text = slurp(t->path);
	assert_non_null(strstr(text, "\nURL=plain\n"));
	free(text);
	kvconf_free(&c);

	/* An empty config is an empty file. */
	assert_int_equal(kvconf_save(&c, t->path, 0600, &err), 0);
	text = slurp(t->path);
	assert_string_equal(text, "");
	free(text);
}

static void
test_save_load(void **state)
{
	static const char *const values[] = {
		"", "plain", "two words", "it's", "''", "'\\''", "\"q\"",
		"back\\slash", "$HOME `cmd` $(x)", "#hash", "a # b",
		"tab\there",
		" lead", "trail ", "cr\rin", "crend\r", "=", "a=b",
		"caf\xc3\xa9 \xff\x01", "!&|;<>(){}[]*?~%^",
	};
	struct tmp *t = *state;
	struct kvconf c = { NULL, 0 }, d;
	struct vx_err err;
	char key[16];
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		snprintf(key, sizeof(key), "K_%zu", i);
		assert_int_equal(kvconf_set(&c, key, values[i]), 0);
	}
	vx_err_clear(&err);
	if (kvconf_save(&c, t->path, 0600, &err) != 0)
		fail_msg("save: %s", err.msg);
	if (kvconf_load(t->path, NULL, &d, &err) != 0)
		fail_msg("load: %s", err.msg);
	assert_int_equal(d.n, c.n);
	for (i = 0; i < c.n; i++) {
		assert_string_equal(d.v[i].key, c.v[i].key);
		assert_string_equal(d.v[i].value, c.v[i].value);
		assert_int_equal(d.v[i].line, (int)i + 1);
	}
	kvconf_free(&c);
	kvconf_free(&d);
}

static void
test_save_load_random(void **state)
{
	struct tmp *t = *state;
	struct kvconf c = { NULL, 0 }, d;
	struct vx_err err;
	char key[16], val[64];
	unsigned int seed = 12345;
	size_t i, j, n;
	int round;

	/* Random bytes (all but NUL and newline) survive save and load. */
	for (round = 0; round < 50; round++) {
		for (i = 0; i < 20; i++) {
			n = (size_t)rand_r(&seed) % (sizeof(val) - 1);
			for (j = 0; j < n; j++) {
				do
					val[j] = (char)(rand_r(&seed) % 256);
				while (val[j] == '\0' || val[j] == '\n');
			}
			val[n] = '\0';
			snprintf(key, sizeof(key), "R%zu", i);
			assert_int_equal(kvconf_set(&c, key, val), 0);
		}
		assert_int_equal(kvconf_save(&c, t->path, 0600, &err), 0);
		if (kvconf_load(t->path, NULL, &d, &err) != 0)
			fail_msg("load: %s", err.msg);
		assert_int_equal(d.n, c.n);
		for (i = 0; i < c.n; i++) {
			assert_string_equal(d.v[i].key, c.v[i].key);
			assert_string_equal(d.v[i].value, c.v[i].value);
		}
		kvconf_free(&d);
	}
	kvconf_free(&c);
}

static void
test_load(void **state)
{
	struct tmp *t = *state;
	struct kvconf c;
	struct vx_err err;
	char p[160], msg[400];
	FILE *f;

	/* A missing file is an empty config. */
	vx_err_clear(&err);
	c.n = 7;
	assert_int_equal(kvconf_load(t->path, allowed, &c, &err), 0);
	assert_int_equal(c.n, 0);
	assert_null(c.v);

	f = fopen(t->path, "w");
	assert_non_null(f);
	fputs("# written by hand\nWORKER_ID=7\n\nSYNC_STATUS=pending\n"
	    "OOPS=1\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(kvconf_load(t->path, allowed, &c, &err), -1);
	snprintf(msg, sizeof(msg), "%s:5: unknown key 'OOPS'", t->path);
	assert_string_equal(err.msg, msg);
	assert_int_equal(err.code, VX_EXIT_FAIL);
	assert_int_equal(c.n, 0);
	assert_int_equal(kvconf_load(t->path, NULL, &c, &err), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(kvconf_get(&c, "SYNC_STATUS"), "pending");
	assert_int_equal(c.v[1].line, 4);
	kvconf_free(&c);

	/* A directory is not a config file. */
	snprintf(p, sizeof(p), "%s/sub", t->dir);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(kvconf_load(p, NULL, &c, &err), -1);
	snprintf(msg, sizeof(msg), "%s: not a regular file", p);
	assert_string_equal(err.msg, msg);

	/* Over 1 MiB is refused before parsing. */
	assert_int_equal(truncate(t->path, 1024 * 1024 + 1), 0);
	assert_int_equal(kvconf_load(t->path, NULL, &c, &err), -1);
	snprintf(msg, sizeof(msg), "%s: larger than 1 MiB", t->path);
	assert_string_equal(err.msg, msg);
}

static void
test_save_errors(void **state)
{
	struct tmp *t = *state;
	struct kvconf c = { NULL, 0 };
	struct kv bad;
	struct vx_err err;
	char p[160];

	assert_int_equal(kvconf_set(&c, "A", "1"), 0);
	snprintf(p, sizeof(p), "%s/missing/worker.conf", t->dir);
	vx_err_clear(&err);
	assert_int_equal(kvconf_save(&c, p, 0600, &err), -1);
	assert_true(strncmp(err.msg, "unable to write ", 16) == 0);
	assert_non_null(strstr(err.msg, "No such file or directory"));
	kvconf_free(&c);

	/* A value with a newline could not be read back: refused. */
	bad.key = (char *)"A";
	bad.value = (char *)"x\ny";
	bad.line = 0;
	c.v = &bad;
	c.n = 1;
	assert_int_equal(kvconf_save(&c, t->path, 0600, &err), -1);
	assert_int_equal(access(t->path, F_OK), -1);
	bad.key = (char *)"a";
	bad.value = (char *)"x";
	assert_int_equal(kvconf_save(&c, t->path, 0600, &err), -1);
	assert_int_equal(access(t->path, F_OK), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_allowed),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_set),
		cmocka_unit_test_setup_teardown(test_save_format, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_save_load, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_save_load_random,
		    setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_load, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_save_errors, setup_tmp,
		    teardown_tmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_secret.c: worker.secret creation.  Regression (review L8): the
 * secret was link(2)ed into place without an fsync of its directory, so a
 * power loss could take the new name while the dashboard kept the key.
 * link and fsync are wrapped (-Wl,--wrap) to see the order of the calls.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "secret.h"

/* ld --wrap names these, as cmocka's manual does for its mocks. */
/* NOLINTBEGIN(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
int	__real_link(const char *, const char *);
int	__real_fsync(int);
int	__wrap_link(const char *, const char *);
int	__wrap_fsync(int);

static int linked;		/* link() succeeded */
static struct stat synced_dir;	/* the directory fsynced after it */
static int dir_synced;

int
__wrap_link(const char *from, const char *to)
{
	int rc = __real_link(from, to);

	if (rc == 0)
		linked = 1;
	return rc;
}

int
__wrap_fsync(int fd)
{
	struct stat st;

	if (linked && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		synced_dir = st;
		dir_synced = 1;
	}
	return __real_fsync(fd);
}
/* NOLINTEND(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */

static void
test_create_syncs_dir(void **state)
{
	char dir[] = "/tmp/vxsecret.XXXXXX", path[PATH_MAX];
	char hex[SECRET_HEX], again[SECRET_HEX];
	struct vx_err err;
	struct stat st;
	int created = 0;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/worker.secret", dir);
	vx_err_clear(&err);
	assert_int_equal(secret_load_or_create(path, hex, &created, &err), 0);
	assert_int_equal(created, 1);
	assert_int_equal(strlen(hex), SECRET_HEX - 1);
	assert_int_equal(linked, 1);
	/* The directory holding the new name, after the link. */
	assert_int_equal(dir_synced, 1);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(st.st_dev == synced_dir.st_dev &&
	    st.st_ino == synced_dir.st_ino);
	/* Mode 0600, and read back as created. */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(secret_load_or_create(path, again, &created, &err), 0);
	assert_int_equal(created, 0);
	assert_string_equal(hex, again);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_syncs_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

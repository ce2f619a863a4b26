/* test_cgroup.c: the pure parsers behind finding our cgroup v2. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "cgroup.h"

static void
test_mountinfo_cgroup2(void **state)
{
	char mnt[PATH_MAX], root[PATH_MAX];

	(void)state;
	/* A hybrid host: the unified hierarchy beside the v1 ones. */
	assert_int_equal(cgroup_parse_mountinfo("41 31 0:38 / "
	    "/sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n", mnt,
	    sizeof(mnt), root, sizeof(root)), 1);
	assert_string_equal(mnt, "/sys/fs/cgroup/unified");
	assert_string_equal(root, "/");
	/* Pure v2 with optional fields (shared:N) before the dash. */
	assert_int_equal(cgroup_parse_mountinfo("30 23 0:26 / /sys/fs/cgroup "
	    "rw,nosuid,nodev,noexec,relatime shared:4 master:1 - cgroup2 "
	    "cgroup2 rw,nsdelegate,memory_recursiveprot", mnt, sizeof(mnt),
	    root, sizeof(root)), 1);
	assert_string_equal(mnt, "/sys/fs/cgroup");
	/* A bind mount of a subtree, with an escaped space in its path. */
	assert_int_equal(cgroup_parse_mountinfo("50 30 0:26 /a\\040b "
	    "/mnt/my\\040cg rw - cgroup2 none rw", mnt, sizeof(mnt), root,
	    sizeof(root)), 1);
	assert_string_equal(mnt, "/mnt/my cg");
	assert_string_equal(root, "/a b");
}

static void
test_mountinfo_other(void **state)
{
	char mnt[PATH_MAX], root[PATH_MAX];

	(void)state;
	/* cgroup v1 is not ours, nor is a file system named like a path. */
	assert_int_equal(cgroup_parse_mountinfo("35 31 0:32 / "
	    "/sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
	    mnt, sizeof(mnt), root, sizeof(root)), 0);
	assert_int_equal(cgroup_parse_mountinfo("22 1 8:1 / /cgroup2 rw - "
	    "ext4 /dev/sda1 rw", mnt, sizeof(mnt), root, sizeof(root)), 0);
	assert_int_equal(cgroup_parse_mountinfo("41 31 0:38 / /x rw - "
	    "cgroup2x none rw", mnt, sizeof(mnt), root, sizeof(root)), 0);
	/* Garbage: no separator, too few fields, empty. */
	assert_int_equal(cgroup_parse_mountinfo("41 31 0:38 / /x rw cgroup2",
	    mnt, sizeof(mnt), root, sizeof(root)), -1);
	assert_int_equal(cgroup_parse_mountinfo("41 31 - cgroup2", mnt,
	    sizeof(mnt), root, sizeof(root)), -1);
	assert_int_equal(cgroup_parse_mountinfo("", mnt, sizeof(mnt), root,
	    sizeof(root)), -1);
	/* Too long for the caller's buffer. */
	assert_int_equal(cgroup_parse_mountinfo("41 31 0:38 / "
	    "/sys/fs/cgroup/unified rw - cgroup2 none rw", mnt, 8, root,
	    sizeof(root)), -1);
}

static void
test_self(void **state)
{
	char p[PATH_MAX];

	(void)state;
	assert_int_equal(cgroup_parse_self("0::/\n", p, sizeof(p)), 1);
	assert_string_equal(p, "/");
	assert_int_equal(cgroup_parse_self("0::/system.slice/vectis.service\n",
	    p, sizeof(p)), 1);
	assert_string_equal(p, "/system.slice/vectis.service");
	/* v1 lines, and a named v1 hierarchy that looks close. */
	assert_int_equal(cgroup_parse_self("4:memory:/process_api/6d\n", p,
	    sizeof(p)), 0);
	assert_int_equal(cgroup_parse_self("9:name=systemd:/\n", p,
	    sizeof(p)), 0);
	assert_int_equal(cgroup_parse_self("0::\n", p, sizeof(p)), 0);
	assert_int_equal(cgroup_parse_self("0::/abcdef", p, 4), 0);
}

static void
test_dir(void **state)
{
	char d[PATH_MAX];

	(void)state;
	assert_int_equal(cgroup_dir("/sys/fs/cgroup", "/", "/", d,
	    sizeof(d)), 0);
	assert_string_equal(d, "/sys/fs/cgroup");
	assert_int_equal(cgroup_dir("/sys/fs/cgroup", "/", "/a/b", d,
	    sizeof(d)), 0);
	assert_string_equal(d, "/sys/fs/cgroup/a/b");
	/* A mount of /a shows /a/b as its b. */
	assert_int_equal(cgroup_dir("/mnt", "/a", "/a/b", d, sizeof(d)), 0);
	assert_string_equal(d, "/mnt/b");
	assert_int_equal(cgroup_dir("/mnt", "/a", "/a", d, sizeof(d)), 0);
	assert_string_equal(d, "/mnt");
	/* /ab is not below /a; /c is not reachable through it at all. */
	assert_int_equal(cgroup_dir("/mnt", "/a", "/ab", d, sizeof(d)), -1);
	assert_int_equal(cgroup_dir("/mnt", "/a", "/c", d, sizeof(d)), -1);
	assert_int_equal(cgroup_dir("/sys/fs/cgroup", "/", "/a", d, 10), -1);
}

static void
test_words(void **state)
{
	(void)state;
	assert_true(cgroup_has_word("cpuset cpu io memory pids\n", "memory"));
	assert_true(cgroup_has_word("cpuset cpu io memory pids\n", "pids"));
	assert_true(cgroup_has_word("memory", "memory"));
	assert_false(cgroup_has_word("hugetlb\n", "memory"));
	assert_false(cgroup_has_word("memoryx pids", "memory"));
	assert_false(cgroup_has_word("", "pids"));
	assert_false(cgroup_has_word("\n", "pids"));
}

static void
test_populated(void **state)
{
	(void)state;
	assert_int_equal(cgroup_populated("populated 1\nfrozen 0\n"), 1);
	assert_int_equal(cgroup_populated("populated 0\nfrozen 0\n"), 0);
	assert_int_equal(cgroup_populated("frozen 0\npopulated 1\n"), 1);
	assert_int_equal(cgroup_populated("frozen 0\n"), -1);
	assert_int_equal(cgroup_populated(""), -1);
}

static void
test_subtree_name(void **state)
{
	char a[64], b[64], c[64];

	(void)state;
	cgroup_subtree_name("/var/lib/vectis/vectis.db", a, sizeof(a));
	cgroup_subtree_name("/var/lib/vectis/vectis.db", b, sizeof(b));
	cgroup_subtree_name("/tmp/vxt.1/vectis.db", c, sizeof(c));
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), strlen("vectis-") + 16);
	assert_memory_equal(a, "vectis-", 7);
	/* FNV-1a of the empty string is its offset basis. */
	cgroup_subtree_name("", a, sizeof(a));
	assert_string_equal(a, "vectis-cbf29ce484222325");
}

/* /proc/PID/cgroup says which tenant's cgroup a process is in. */
static void
test_parse_tenant(void **state)
{
	char name[64];

	(void)state;
	assert_int_equal(cgroup_parse_tenant("0::/vectis-ab/bot.tenant\n",
	    "vectis-ab", name, sizeof(name)), 1);
	assert_string_equal(name, "bot");
	/* Hybrid hosts list v1 hierarchies first; a deeper base is fine. */
	assert_int_equal(cgroup_parse_tenant("4:memory:/x\n1:cpu:/\n"
	    "0::/system.slice/v.service/vectis-ab/a.b.tenant\n", "vectis-ab",
	    name, sizeof(name)), 1);
	assert_string_equal(name, "a.b");
	/* Another subtree, the master's leaf, a suffix only, no v2 line. */
	assert_int_equal(cgroup_parse_tenant("0::/vectis-cd/bot.tenant\n",
	    "vectis-ab", name, sizeof(name)), 0);
	assert_int_equal(cgroup_parse_tenant("0::/xvectis-ab/bot.tenant\n",
	    "vectis-ab", name, sizeof(name)), 0);
	assert_int_equal(cgroup_parse_tenant("0::/vectis-ab/master\n",
	    "vectis-ab", name, sizeof(name)), 0);
	assert_int_equal(cgroup_parse_tenant("0::/vectis-ab/.tenant\n",
	    "vectis-ab", name, sizeof(name)), 0);
	assert_int_equal(cgroup_parse_tenant("0::vectis-ab/b.tenant",
	    "vectis-ab", name, sizeof(name)), 0);
	assert_int_equal(cgroup_parse_tenant("1:cpu:/vectis-ab/b.tenant\n",
	    "vectis-ab", name, sizeof(name)), 0);
	assert_int_equal(cgroup_parse_tenant("", "vectis-ab", name,
	    sizeof(name)), 0);
	/* A name that does not fit is no name. */
	assert_int_equal(cgroup_parse_tenant("0::/vectis-ab/toolong.tenant",
	    "vectis-ab", name, 4), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_tenant),
		cmocka_unit_test(test_mountinfo_cgroup2),
		cmocka_unit_test(test_mountinfo_other),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_dir),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_populated),
		cmocka_unit_test(test_subtree_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

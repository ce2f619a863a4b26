/*
 * jail.c: privilege drop for the HTTP listener, in a fixed order and then
 * verified, in the manner of OpenSSH's privsep child: what parses network
 * input holds no uid 0, no capability and no way back.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "jail.h"
#include "log.h"

/*
 * Heap and other private memory the listener may add to what it uses at
 * start: 4096 connections of 32 KiB, the bodies being read (1 MiB each at
 * most, 64 per address) and 64 MiB queued to the master fit; a flood of
 * uploads from many addresses gets allocation failures (connections
 * dropped), not the node's memory.
 */
#define DATA_BUDGET	(256ull * 1024 * 1024)

static int
jail_fail(struct vx_err *err, const char *what)
{
	vx_err_set(err, VX_EXIT_FAIL, "unable to %s: %s", what,
	    strerror(errno));
	return -1;
}

/*
 * Bounding set first: dropping it needs CAP_SETPCAP, which setuid ends.
 * A container may have been started without CAP_SETPCAP: its runtime
 * trimmed the bounding set already, and no_new_privs keeps exec from
 * using what is left, so that is not an error.
 */
static int
jail_drop_bounding(void)
{
	int last = (int)cap_max_bits() - 1;
	cap_value_t c;

	for (c = 0; c <= last; c++) {
		if (!CAP_IS_SUPPORTED(c) || cap_get_bound(c) == 0)
			continue;
		if (cap_drop_bound(c) == -1) {
			if (errno == EPERM)
				return 1;
			return -1;
		}
	}
	return 0;
}

static int
jail_clear_caps(void)
{
	cap_t none;
	int rc;

	if ((none = cap_init()) == NULL)
		return -1;
	rc = cap_set_proc(none);
	cap_free(none);
	if (rc == -1)
		return -1;
	return cap_reset_ambient();
}

/* Nothing may remain: effective, permitted, inheritable all empty. */
static int
jail_verify_caps(void)
{
	cap_t now, none;
	int same;

	if ((now = cap_get_proc()) == NULL)
		return -1;
	if ((none = cap_init()) == NULL) {
		cap_free(now);
		return -1;
	}
	same = cap_compare(now, none) == 0;
	cap_free(now);
	cap_free(none);
	if (!same) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

static int
jail_become(uid_t uid, gid_t gid, struct vx_err *err)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (setgroups(0, NULL) == -1)
		return jail_fail(err, "clear supplementary groups");
	if (setresgid(gid, gid, gid) == -1)
		return jail_fail(err, "set group");
	if (setresuid(uid, uid, uid) == -1)
		return jail_fail(err, "set user");
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1)
		return jail_fail(err, "read back ids");
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid ||
	    sg != gid || setuid(0) != -1) {
		vx_err_set(err, VX_EXIT_FAIL, "privilege drop did not hold");
		return -1;
	}
	return 0;
}

/*
 * VmData (what RLIMIT_DATA counts) now, in bytes, or 0 if unknown: read
 * before the chroot hides /proc.  A sanitizer build starts with terabytes
 * of shadow memory there, so the limit is the budget above this.
 */
static unsigned long long
jail_data_now(void)
{
	unsigned long long kb = 0;
	char line[128], *p, *end;
	FILE *f;

	if ((f = fopen("/proc/self/status", "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "VmData:", 7) != 0)
			continue;
		for (p = line + 7; *p == ' ' || *p == '\t'; p++)
			;
		errno = 0;
		kb = strtoull(p, &end, 10);
		if (errno != 0 || end == p || strcmp(end, " kB\n") != 0)
			kb = 0;
		break;
	}
	(void)fclose(f);
	return kb * 1024;
}

static int
jail_limits(unsigned long long data_now)
{
	struct rlimit zero = { 0, 0 }, data;

	/* Network work yields the CPU to supervision (the master, workers). */
	(void)setpriority(PRIO_PROCESS, 0, 10);
	if (data_now == 0)
		log_warn("VmData unknown (no /proc?): memory not limited");
	else {
		if (getrlimit(RLIMIT_DATA, &data) == -1)
			return -1;
		if (data.rlim_max == RLIM_INFINITY ||
		    data.rlim_max > (rlim_t)(data_now + DATA_BUDGET))
			data.rlim_max = (rlim_t)(data_now + DATA_BUDGET);
		data.rlim_cur = data.rlim_max;
		if (setrlimit(RLIMIT_DATA, &data) == -1)
			return -1;
	}
	/* No forking (RLIMIT_NPROC counts per uid, but 0 is 0), no files. */
	if (setrlimit(RLIMIT_NPROC, &zero) == -1 ||
	    setrlimit(RLIMIT_FSIZE, &zero) == -1 ||
	    setrlimit(RLIMIT_CORE, &zero) == -1)
		return -1;
	return 0;
}

/* The listener's whole privilege story; see jail.h. */
int
jail_enter(uid_t uid, gid_t gid, const char *root, struct vx_err *err)
{
	unsigned long long data_now = jail_data_now();

	if (geteuid() == 0) {
		/* Without CAP_SYS_CHROOT (a trimmed container) go without. */
		if (root != NULL && chroot(root) == -1 && errno != EPERM)
			return jail_fail(err, "chroot");
		if (chdir("/") == -1)
			return jail_fail(err, "chdir /");
		if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1 ||
		    jail_drop_bounding() == -1)
			return jail_fail(err, "drop the bounding set");
		if (uid == 0) {
			vx_err_set(err, VX_EXIT_FAIL,
			    "refusing to run the listener as root");
			return -1;
		}
		if (jail_become(uid, gid, err) == -1)
			return -1;
	}
	if (jail_clear_caps() == -1 || jail_verify_caps() == -1)
		return jail_fail(err, "clear capabilities");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return jail_fail(err, "set no_new_privs");
	if (jail_limits(data_now) == -1)
		return jail_fail(err, "set resource limits");
	return 0;
}

/* supconf.c: parse supervisor.conf into struct supconf. */
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "kvconf.h"
#include "log.h"
#include "supconf.h"

static const char *const supconf_keys[] = {
	"LOG_LEVEL", "EVENT_KEEP", "LAST_ERROR_LINES", "CONTROL_GROUP",
	"CGROUP", "CONTROL_READ",
	"HTTP_ROOT_TENANTS",
	"START_CONCURRENCY",
	NULL
};

static int
supconf_line(const struct kvconf *kv, const char *key)
{
	size_t i;

	for (i = 0; i < kv->n; i++)
		if (strcmp(kv->v[i].key, key) == 0)
			return kv->v[i].line;
	return 0;
}

static int
supconf_long(const struct kvconf *kv, const char *key, long lo, long hi,
    long *out, const char *path, struct vx_err *err)
{
	const char *v;
	char *end;
	long n;

	if ((v = kvconf_get(kv, key)) == NULL)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < lo || n > hi) {
		vx_err_set(err, VX_EXIT_FAIL,
		    "%s:%d: %s must be an integer in %ld..%ld", path,
		    supconf_line(kv, key), key, lo, hi);
		return -1;
	}
	*out = n;
	return 0;
}

/*
 * START_CONCURRENCY's default: the CPUs this process may run on (a
 * container's cpuset included), at least 2 so that one slow start does not
 * hold up every other.
 */
static int
supconf_ncpu(void)
{
	cpu_set_t set;
	long n = 0;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		n = CPU_COUNT(&set);
	if (n <= 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n > SUPCONF_MAX_CONCURRENCY)
		n = SUPCONF_MAX_CONCURRENCY;
	return n < 2 ? 2 : (int)n;
}

/* The master reads this at start and on reload; a bad file changes nothing. */
int
supconf_load(const char *path, struct supconf *conf, struct vx_err *err)
{
	struct kvconf kv = { NULL, 0 };
	struct supconf c;
	const char *v;
	long lines = 2, conc;

	c.log_level = LOG_LVL_INFO;
	c.event_keep = 1000;		/* per tenant */
	if (kvconf_load(path, supconf_keys, &kv, err) == -1)
		return -1;
	if ((v = kvconf_get(&kv, "LOG_LEVEL")) != NULL)
		c.log_level = log_level_from_name(v);
	if (c.log_level == -1) {
		vx_err_set(err, VX_EXIT_FAIL,
		    "%s:%d: LOG_LEVEL must be error, warn, info or debug", path,
		    supconf_line(&kv, "LOG_LEVEL"));
		goto fail;
	}
	if (supconf_long(&kv, "EVENT_KEEP", 100, 100000000, &c.event_keep,
	    path, err) == -1 ||
	    supconf_long(&kv, "LAST_ERROR_LINES", 1, 20, &lines, path,
	    err) == -1)
		goto fail;
	c.stderr_tail_lines = (int)lines;
	conc = supconf_ncpu();
	if (supconf_long(&kv, "START_CONCURRENCY", 1, SUPCONF_MAX_CONCURRENCY,
	    &conc, path, err) == -1)
		goto fail;
	c.start_concurrency = (int)conc;
	c.has_control_group = 0;
	c.control_gid = 0;
	if ((v = kvconf_get(&kv, "CONTROL_GROUP")) != NULL && v[0] != '\0') {
		struct group *gr = getgrnam(v);

		if (gr == NULL) {
			vx_err_set(err, VX_EXIT_FAIL,
			    "%s:%d: CONTROL_GROUP: no such group '%.64s'", path,
			    supconf_line(&kv, "CONTROL_GROUP"), v);
			goto fail;
		}
		c.has_control_group = 1;
		c.control_gid = gr->gr_gid;
	}
	c.control_read_all = 0;
	if ((v = kvconf_get(&kv, "CONTROL_READ")) != NULL) {
		if (strcmp(v, "all") == 0)
			c.control_read_all = 1;
		else if (strcmp(v, "admin") != 0) {
			vx_err_set(err, VX_EXIT_FAIL,
			    "%s:%d: CONTROL_READ must be admin or all", path,
			    supconf_line(&kv, "CONTROL_READ"));
			goto fail;
		}
	}
	c.cgroup_mode = CGROUP_AUTO;
	if ((v = kvconf_get(&kv, "CGROUP")) != NULL) {
		if (strcmp(v, "off") == 0)
			c.cgroup_mode = CGROUP_OFF;
		else if (strcmp(v, "auto") != 0) {
			vx_err_set(err, VX_EXIT_FAIL,
			    "%s:%d: CGROUP must be auto or off", path,
			    supconf_line(&kv, "CGROUP"));
			goto fail;
		}
	}
	/* No by default: worker.secret would be root on the node. */
	c.http_root_tenants = 0;
	if ((v = kvconf_get(&kv, "HTTP_ROOT_TENANTS")) != NULL) {
		if (strcmp(v, "yes") == 0)
			c.http_root_tenants = 1;
		else if (strcmp(v, "no") != 0) {
			vx_err_set(err, VX_EXIT_FAIL,
			    "%s:%d: HTTP_ROOT_TENANTS must be no or yes", path,
			    supconf_line(&kv, "HTTP_ROOT_TENANTS"));
			goto fail;
		}
	}
	kvconf_free(&kv);
	*conf = c;
	return 0;
fail:
	kvconf_free(&kv);
	return -1;
}

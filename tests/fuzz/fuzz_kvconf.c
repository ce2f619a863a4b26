/*
 * fuzz_kvconf.c: libFuzzer harness for KEY=VALUE config parsing.
 *
 * fuzz-sources: common/kvconf.c common/err.c
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "kvconf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const allowed[] = {
	"WORKER_ID", "SUBDOMAIN", "PUBLIC_IP", "SYNC_STATUS", "LAST_SYNC",
	"ERROR_MESSAGE", "DASHBOARD_URL", NULL
};

/* Parse with and without a key list; whatever parses must be consistent. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvconf c, d;
	struct vx_err err;
	size_t i;

	if (kvconf_parse((const char *)data, size, "fuzz.conf", NULL, &c,
	    &err) == 0) {
		for (i = 0; i < c.n; i++) {
			if (kvconf_get(&c, c.v[i].key) != c.v[i].value ||
			    strchr(c.v[i].value, '\n') != NULL ||
			    c.v[i].line < 1)
				abort();
		}
		kvconf_free(&c);
	} else if (strncmp(err.msg, "fuzz.conf:", 10) != 0)
		abort();
	if (kvconf_parse((const char *)data, size, "fuzz.conf", allowed, &d,
	    &err) == 0) {
		for (i = 0; i < d.n; i++) {
			if (kvconf_get(&d, d.v[i].key) == NULL)
				abort();
		}
		kvconf_free(&d);
	}
	return 0;
}

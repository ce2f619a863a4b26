/*
 * fuzz_kvconf.c: libFuzzer harness for KEY=VALUE config parsing, and for
 * the writer: whatever parses, and any value set by a program (vectis-sync
 * stores what the dashboard answered), must be written so that it parses
 * back the same.
 *
 * Inputs up to 4 KiB: the key cap (1024 keys, a quadratic parse at the
 * limit) is a unit test, and smaller inputs keep the rate up.
 *
 * fuzz-sources: common/kvconf.c common/err.c common/esc.c
 * fuzz-flags: -max_len=4096
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

/* Format c, parse the text again: the same keys and values, in order. */
static void
round_trip(const struct kvconf *c)
{
	struct kvconf back;
	struct vx_err err;
	size_t i, len;
	char *text;

	if ((text = kvconf_format(c, &len, &err)) == NULL)
		abort();	/* parsed keys and values can always be saved */
	if (strlen(text) != len)
		abort();
	if (kvconf_parse(text, len, "saved.conf", NULL, &back, &err) == -1)
		abort();	/* what we write, we read */
	if (back.n != c->n)
		abort();
	for (i = 0; i < c->n; i++) {
		if (strcmp(back.v[i].key, c->v[i].key) != 0 ||
		    strcmp(back.v[i].value, c->v[i].value) != 0 ||
		    back.v[i].line != (int)i + 1)
			abort();
	}
	kvconf_free(&back);
	free(text);
}

/*
 * Parse with and without a key list; whatever parses must be consistent
 * and survive a save.  Then the input's first line, as a value a program
 * sets, must survive a save too.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvconf c, d, e;
	struct vx_err err;
	const char *nl;
	char *value;
	size_t i, n;

	if (kvconf_parse((const char *)data, size, "fuzz.conf", NULL, &c,
	    &err) == 0) {
		for (i = 0; i < c.n; i++) {
			if (kvconf_get(&c, c.v[i].key) != c.v[i].value ||
			    strchr(c.v[i].value, '\n') != NULL ||
			    c.v[i].line < 1)
				abort();
		}
		round_trip(&c);
		if (c.n > 0) {
			/* Removing a key keeps the others, in order. */
			n = c.n;
			if (kvconf_set(&c, c.v[0].key, NULL) == -1 ||
			    c.n != n - 1)
				abort();
			round_trip(&c);
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

	nl = memchr(data, '\n', size);
	n = nl != NULL ? (size_t)(nl - (const char *)data) : size;
	if ((value = strndup((const char *)data, n)) == NULL)
		return 0;
	memset(&e, 0, sizeof(e));
	if (kvconf_set(&e, "ERROR_MESSAGE", value) == -1 ||
	    kvconf_set(&e, "WORKER_ID", "7") == -1 ||
	    kvconf_set(&e, "ERROR_MESSAGE", value) == -1 || e.n != 2)
		abort();
	round_trip(&e);
	kvconf_free(&e);
	free(value);
	return 0;
}

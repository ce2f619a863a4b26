/*
 * fuzz_spec.c: libFuzzer harness: spec JSON in, export must round-trip.
 *
 * fuzz-sources: common/spec.c common/name.c common/sig.c common/err.c
 * fuzz-sources: common/esc.c common/cron.c
 * fuzz-pkgs: jansson
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "err.h"
#include "spec.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Any input that parses as a spec must export to JSON that parses back. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tenant_spec s, s2;
	struct vx_err err;
	json_error_t jerr;
	char *t1, *t2;
	json_t *j, *e;

	j = json_loadb((const char *)data, size, 0, &jerr);
	if (j == NULL)
		return 0;
	if (spec_from_json(j, &s, &err) == -1) {
		/* Every error names a field (or the JSON position). */
		if (err.msg[0] == '\0' || strchr(err.msg, ':') == NULL)
			abort();
		json_decref(j);
		return 0;
	}
	json_decref(j);
	if ((t1 = spec_to_text(&s)) == NULL)
		abort();
	if ((e = spec_to_json(&s)) == NULL)
		abort();
	if (spec_from_json(e, &s2, &err) == -1)
		abort();
	json_decref(e);
	if ((t2 = spec_to_text(&s2)) == NULL || strcmp(t1, t2) != 0)
		abort();
	free(t2);
	spec_free(&s2);

	/* The stored text form and a deep copy say the same. */
	if (spec_from_text(t1, &s2, &err) == -1)
		abort();
	if ((t2 = spec_to_text(&s2)) == NULL || strcmp(t1, t2) != 0)
		abort();
	free(t2);
	spec_free(&s2);
	if (spec_copy(&s2, &s) == -1)
		abort();
	if ((t2 = spec_to_text(&s2)) == NULL || strcmp(t1, t2) != 0)
		abort();
	free(t2);
	spec_free(&s2);
	free(t1);
	spec_free(&s);
	return 0;
}

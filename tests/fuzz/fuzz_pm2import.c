/*
 * fuzz_pm2import.c: libFuzzer harness: any PM2 JSON in, valid tenants out.
 *
 * fuzz-sources: supervisor/pm2import.c common/spec.c common/name.c
 * fuzz-sources: common/sig.c common/err.c common/log.c common/clock.c
 * fuzz-sources: common/esc.c common/cron.c
 * fuzz-pkgs: jansson
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "err.h"
#include "pm2import.h"
#include "spec.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Whatever the input, a conversion either fails with a message or yields
 * tenants that apply would accept, under distinct names, and warnings
 * that name an app or the file.
 */
static void
fuzz_one(const uint8_t *data, size_t size, const char *env_name)
{
	struct pm2import_opts o = { .base_dir = "/srv/app",
	    .env_name = env_name, .ncpu = 3,
	    .user = env_name != NULL ? "bot" : NULL };
	struct tenant_spec s;
	struct vx_err err;
	json_t *out, *w, *t, *seen;
	const char *name;
	size_t i;

	w = json_array();
	out = pm2import_text((const char *)data, size, "fuzz", &o, w, &err);
	json_array_foreach(w, i, t) {
		if (!json_is_string(t) ||
		    strstr(json_string_value(t), ": ") == NULL)
			abort();
	}
	json_decref(w);
	if (out == NULL) {
		if (err.msg[0] == '\0' || err.code != VX_EXIT_FAIL)
			abort();
		return;
	}
	if (!json_is_array(out) || (seen = json_object()) == NULL)
		abort();
	json_array_foreach(out, i, t) {
		if (spec_from_json(t, &s, &err) == -1)
			abort();
		spec_free(&s);
		name = json_string_value(json_object_get(t, "name"));
		if (name == NULL || json_object_get(seen, name) != NULL)
			abort();
		json_object_set_new(seen, name, json_true());
	}
	json_decref(seen);
	json_decref(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_one(data, size, NULL);
	fuzz_one(data, size, "production");
	return 0;
}

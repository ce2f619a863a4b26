/*
 * fuzz_ctlproto.c: the control socket envelope.  Any bytes must give a
 * request or a clear error, never a crash or a leak.
 *
 * fuzz-sources: common/ctlproto.c common/err.c common/log.c common/clock.c
 * fuzz-sources: common/esc.c
 * fuzz-pkgs: jansson
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctlproto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fields[] = { "v", "cmd", "names", "all",
	    NULL };
	struct vx_err err;
	json_t *req;
	char *line;
	size_t len;

	vx_err_clear(&err);
	req = ctl_request_parse((const char *)data, size, &err);
	if (req == NULL) {
		if (err.msg[0] == '\0')
			abort();	/* every refusal says why */
		line = ctl_reply_err(err.code, err.msg, &len);
		if (line == NULL || line[len - 1] != '\n')
			abort();
		free(line);
		return 0;
	}
	vx_err_clear(&err);
	if (ctl_check_fields(req, fields, &err) == -1 && err.msg[0] == '\0')
		abort();
	line = ctl_line(req, &len);
	if (line == NULL || memchr(line, '\n', len) != line + len - 1)
		abort();	/* a reply is exactly one line */
	free(line);
	/* The request echoed as a result: still one line, parseable. */
	line = ctl_reply_ok(json_deep_copy(req), &len);
	if (line == NULL || memchr(line, '\n', len) != line + len - 1)
		abort();
	json_decref(req);
	if ((req = json_loadb(line, len, 0, NULL)) == NULL)
		abort();
	free(line);
	json_decref(req);
	return 0;
}

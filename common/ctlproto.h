/* ctlproto.h: control socket framing: one JSON object per line. */
#ifndef VX_CTLPROTO_H
#define VX_CTLPROTO_H

#include <stddef.h>

#include <jansson.h>

#include "err.h"

#define CTL_VERSION	1
/* An apply of 1 MiB of JSON plus its envelope fits; more is refused. */
#define CTL_MAX_LINE	(1024 * 1024 + 4096)
#define CTL_MAX_APPLY	(1024 * 1024)

/*
 * Parse one request line: a JSON object with "v" == CTL_VERSION and a
 * string "cmd".  Returns a new reference or NULL with err set.
 */
json_t	*ctl_request_parse(const char *line, size_t len, struct vx_err *);
/* A request {"v": 1, "cmd": cmd} the caller adds arguments to. */
json_t	*ctl_request_new(const char *cmd);
/* Serialise a success reply (steals result, may be NULL) with newline. */
char	*ctl_reply_ok(json_t *result, size_t *len);
/*
 * The result of a success line made by ctl_reply_ok(), sliced out without
 * parsing (a 300 KB list need not be decoded and encoded again): 1 with
 * res/reslen set (NULL result: "null"), 0 if line is not in that form.
 */
int	 ctl_reply_result(const char *line, size_t len, const char **res,
	    size_t *reslen);
/* Serialise an error reply {"ok": false, "code", "error"} with newline. */
char	*ctl_reply_err(int code, const char *msg, size_t *len);
/* Serialise any object as one line with a trailing newline. */
char	*ctl_line(const json_t *, size_t *len);
/*
 * Check that obj has only the given fields (NULL-terminated list);
 * err says "unknown field 'x'".
 */
int	 ctl_check_fields(const json_t *obj, const char *const *allowed,
	    struct vx_err *);

#endif

/* ctlproto.c: control socket framing and envelope checks. */
#include <stdlib.h>
#include <string.h>

#include "ctlproto.h"
#include "log.h"

/* Check the envelope every request carries before any handler sees it. */
json_t *
ctl_request_parse(const char *line, size_t len, struct vx_err *err)
{
	json_error_t jerr;
	json_t *req, *v, *cmd;

	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (req == NULL) {
		vx_err_set(err, VX_EXIT_USAGE, "malformed request: %s",
		    jerr.text);
		return NULL;
	}
	if (!json_is_object(req)) {
		vx_err_set(err, VX_EXIT_USAGE,
		    "malformed request: not a JSON object");
		goto fail;
	}
	v = json_object_get(req, "v");
	if (!json_is_integer(v) || json_integer_value(v) != CTL_VERSION) {
		vx_err_set(err, VX_EXIT_USAGE,
		    "unsupported protocol version (want \"v\": %d)",
		    CTL_VERSION);
		goto fail;
	}
	cmd = json_object_get(req, "cmd");
	if (!json_is_string(cmd)) {
		vx_err_set(err, VX_EXIT_USAGE,
		    "malformed request: \"cmd\" must be a string");
		goto fail;
	}
	return req;
fail:
	json_decref(req);
	return NULL;
}

/* Start a request; the CLI adds its arguments. */
json_t *
ctl_request_new(const char *cmd)
{
	return json_pack("{s:i, s:s}", "v", CTL_VERSION, "cmd", cmd);
}

/* One line of JSON, newline-terminated, for the wire. */
char *
ctl_line(const json_t *obj, size_t *len)
{
	char *s, *t;
	size_t n;

	if ((s = json_dumps(obj, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		return NULL;
	n = strlen(s);
	if ((t = realloc(s, n + 2)) == NULL) {
		free(s);
		return NULL;
	}
	t[n] = '\n';
	t[n + 1] = '\0';
	if (len != NULL)
		*len = n + 1;
	return t;
}

#define OK_PREFIX	"{\"v\":1,\"ok\":true"
#define OK_RESULT	",\"result\":"

/* See ctlproto.h; the prefixes are what ctl_reply_ok() writes. */
int
ctl_reply_result(const char *line, size_t len, const char **res,
    size_t *reslen)
{
	const size_t pre = sizeof(OK_PREFIX) - 1, rp = sizeof(OK_RESULT) - 1;

	if (len < pre + 2 || memcmp(line, OK_PREFIX, pre) != 0 ||
	    line[len - 1] != '\n' || line[len - 2] != '}')
		return 0;
	if (len == pre + 2) {
		*res = "null";
		*reslen = 4;
		return 1;
	}
	if (len < pre + rp + 3 || memcmp(line + pre, OK_RESULT, rp) != 0)
		return 0;
	*res = line + pre + rp;
	*reslen = len - pre - rp - 2;
	return 1;
}

/* The success envelope. */
char *
ctl_reply_ok(json_t *result, size_t *len)
{
	json_t *r;
	char *s;

	r = json_pack("{s:i, s:b}", "v", CTL_VERSION, "ok", 1);
	if (r == NULL) {
		json_decref(result);
		return NULL;
	}
	if (result != NULL)
		json_object_set_new(r, "result", result);
	s = ctl_line(r, len);
	json_decref(r);
	return s;
}

/*
 * The error envelope, carrying the CLI exit code.  The message may quote
 * untrusted bytes (a parser's "near '...'"): escaped, it is always valid
 * UTF-8, so the reply can always be encoded.
 */
char *
ctl_reply_err(int code, const char *msg, size_t *len)
{
	char esc[2048];
	json_t *r;
	char *s;

	log_escape(esc, sizeof(esc), msg, strlen(msg));
	r = json_pack("{s:i, s:b, s:i, s:s}", "v", CTL_VERSION, "ok", 0,
	    "code", code, "error", esc);
	if (r == NULL)
		return NULL;
	s = ctl_line(r, len);
	json_decref(r);
	return s;
}

/* Reject unknown fields, as the strict control protocol requires. */
int
ctl_check_fields(const json_t *obj, const char *const *allowed,
    struct vx_err *err)
{
	const char *key;
	json_t *val;
	size_t i;

	json_object_foreach((json_t *)obj, key, val) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			vx_err_set(err, VX_EXIT_USAGE,
			    "malformed request: unknown field '%.64s'", key);
			return -1;
		}
	}
	return 0;
}

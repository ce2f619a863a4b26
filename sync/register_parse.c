/*
 * register_parse.c: untrusted answers from the dashboard and the IP
 * service, checked without I/O so that a fuzzer can drive them.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "err.h"
#include "log.h"
#include "register_parse.h"

#define RP_ECHO		200	/* bytes of dashboard text quoted */

static int
rp_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A worker id: what a database key or slug looks like, nothing more. */
static int
rp_id_ok(const char *s, size_t n)
{
	size_t i;
	char c;

	if (n == 0 || n > REGISTER_ID_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		    c == ':' || c == '-'))
			return 0;
	}
	return 1;
}

/* A DNS name: dot-separated labels of letters, digits and inner hyphens. */
static int
rp_host_ok(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || n > REGISTER_HOST_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
		if (s[i] == '-' && label == 0)
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && s[n - 1] != '-';
}

/* The IP services answer "203.0.113.5\n"; anything else is refused. */
int
register_parse_ip(const char *text, size_t len, char *out, size_t outsz)
{
	unsigned char addr[sizeof(struct in6_addr)];
	char buf[REGISTER_IP_MAX];
	size_t b = 0, e = len;
	int af;

	while (b < e && rp_space(text[b]))
		b++;
	while (e > b && rp_space(text[e - 1]))
		e--;
	if (e == b || e - b >= sizeof(buf) || memchr(text + b, '\0', e - b))
		return -1;
	memcpy(buf, text + b, e - b);
	buf[e - b] = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		af = AF_INET6;
	else
		return -1;
	if (inet_ntop(af, addr, out, (socklen_t)outsz) == NULL)
		return -1;
	return 0;
}

/* A string member of o between 1 and max bytes; NULL otherwise. */
static const char *
rp_string(json_t *o, const char *key, size_t *n)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return NULL;
	*n = json_string_length(v);
	return json_string_value(v);
}

/* The answer is trusted only after every field was checked. */
int
register_parse_answer(const char *body, size_t len, const char *sent_ip,
    struct register_answer *out, struct vx_err *err)
{
	char echo[RP_ECHO * 4 + 8], ip[REGISTER_IP_MAX];
	const char *id, *sub, *aip;
	size_t nid = 0, nsub = 0, nip = 0;
	json_error_t jerr;
	json_t *root;

	memset(out, 0, sizeof(*out));
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		vx_err_set(err, VX_EXIT_FAIL, "dashboard answer is not JSON: "
		    "%s", log_escape(echo, sizeof(echo), jerr.text,
		    strnlen(jerr.text, sizeof(jerr.text))));
		return -1;
	}
	if (!json_is_object(root)) {
		vx_err_set(err, VX_EXIT_FAIL, "dashboard answer is not a JSON "
		    "object");
		goto fail;
	}
	if ((id = rp_string(root, "id", &nid)) == NULL ||
	    !rp_id_ok(id, nid)) {
		vx_err_set(err, VX_EXIT_FAIL, "dashboard answer lacks a valid "
		    "\"id\" (1 to %d letters, digits, '_', '.', ':' or '-')",
		    REGISTER_ID_MAX);
		goto fail;
	}
	if ((sub = rp_string(root, "subdomain", &nsub)) == NULL ||
	    !rp_host_ok(sub, nsub)) {
		vx_err_set(err, VX_EXIT_FAIL, "dashboard answer lacks a valid "
		    "\"subdomain\" (a DNS name)");
		goto fail;
	}
	if ((aip = rp_string(root, "ip", &nip)) == NULL ||
	    register_parse_ip(aip, nip, ip, sizeof(ip)) == -1) {
		vx_err_set(err, VX_EXIT_FAIL, "dashboard answer lacks a valid "
		    "\"ip\"");
		goto fail;
	}
	if (sent_ip == NULL || strcmp(ip, sent_ip) != 0) {
		vx_err_set(err, VX_EXIT_FAIL, "dashboard echoed IP %s, but "
		    "this node sent %s", ip, sent_ip ? sent_ip : "none");
		goto fail;
	}
	memcpy(out->id, id, nid);
	memcpy(out->subdomain, sub, nsub);
	memcpy(out->ip, ip, strlen(ip) + 1);
	json_decref(root);
	return 0;
fail:
	json_decref(root);
	return -1;
}

/* Operators should read the dashboard's own words, made safe to print. */
void
register_parse_error(const char *body, size_t len, char *out, size_t outsz)
{
	const char *msg = NULL, *keys[] = { "message", "error" };
	size_t n = 0, i, b, e;
	json_error_t jerr;
	json_t *root, *v;

	if (outsz == 0)
		return;
	out[0] = '\0';
	root = json_loadb(body, len, 0, &jerr);
	if (json_is_object(root)) {
		for (i = 0; i < 2 && msg == NULL; i++) {
			v = json_object_get(root, keys[i]);
			if (json_is_string(v) && json_string_length(v) > 0) {
				msg = json_string_value(v);
				n = json_string_length(v);
			}
		}
	}
	if (msg == NULL) {
		/* The first line that holds more than white space. */
		for (b = 0; b < len; b = e + 1) {
			for (e = b; e < len && body[e] != '\n'; e++)
				;
			while (b < e && rp_space(body[b]))
				b++;
			n = e;
			while (n > b && rp_space(body[n - 1]))
				n--;
			if (n > b) {
				msg = body + b;
				n -= b;
				break;
			}
		}
	}
	if (msg != NULL) {
		log_escape(out, outsz, msg, n > RP_ECHO ? RP_ECHO : n);
		if (n > RP_ECHO && strlen(out) + 4 <= outsz)
			strcat(out, "...");
	}
	json_decref(root);
}

/* name.c: tenant name validation, ^[a-z0-9][a-z0-9_.-]{0,62}$. */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "name.h"

#define NAME_RULE	"^[a-z0-9][a-z0-9_.-]{0,62}$"
#define NAME_ECHO_MAX	64	/* bytes of a rejected name echoed back */

static int
name_first_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int
name_rest_ok(unsigned char c)
{
	return name_first_ok(c) || c == '_' || c == '.' || c == '-';
}

/*
 * Copy at most NAME_ECHO_MAX bytes of an untrusted name into buf for an
 * error message: non-printable bytes and backslashes become \xNN, and a cut
 * name ends with "...".
 */
static void
name_escape(const char *name, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)name;
	size_t i, o = 0;

	for (i = 0; i < NAME_ECHO_MAX && p[i] != '\0'; i++) {
		if (o + 5 > size)
			break;
		if (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '\\') {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[p[i] >> 4];
			buf[o++] = hex[p[i] & 0xf];
		} else
			buf[o++] = (char)p[i];
	}
	if (p[i] != '\0' && o + 4 <= size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

/* Names become file names and SQL keys, so the rule is checked everywhere. */
int
name_check(const char *name, struct vx_err *err)
{
	char echo[NAME_ECHO_MAX * 4 + 4];
	size_t i;

	if (name == NULL)
		name = "";
	for (i = 0; name[i] != '\0'; i++) {
		if (i >= NAME_MAX_LEN)
			break;
		if (i == 0 ? !name_first_ok((unsigned char)name[i]) :
		    !name_rest_ok((unsigned char)name[i]))
			break;
	}
	if (i > 0 && name[i] == '\0')
		return 0;
	name_escape(name, echo, sizeof(echo));
	vx_err_set(err, VX_EXIT_USAGE,
	    "invalid tenant name '%s': must match " NAME_RULE, echo);
	return -1;
}

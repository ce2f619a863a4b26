/* name.c: tenant name validation, ^[a-z0-9][a-z0-9_.-]{0,62}$. */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "esc.h"
#include "name.h"

#define NAME_RULE	"^[a-z0-9][a-z0-9_.-]{0,62}$"

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

/* Names become file names and SQL keys, so the rule is checked everywhere. */
int
name_check(const char *name, struct vx_err *err)
{
	char echo[ESC_SHORT_LEN];
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
	esc_bytes(echo, sizeof(echo), name, strlen(name), ESC_ECHO);
	vx_err_set(err, VX_EXIT_USAGE,
	    "invalid tenant name '%s': must match " NAME_RULE, echo);
	return -1;
}

/*
 * fuzz_register.c: libFuzzer harness for the dashboard answer checks.
 *
 * fuzz-sources: sync/register_parse.c common/err.c common/log.c
 * fuzz-sources: common/clock.c common/esc.c
 * fuzz-pkgs: jansson
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "register_parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Nothing that reaches worker.conf or a terminal may hold a control byte. */
static void
printable(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
	}
}

/*
 * The same bytes as a registration answer, an IP service's answer and an
 * error body: whatever is accepted must satisfy what the callers assume.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct register_answer a;
	struct vx_err err;
	char ip[REGISTER_IP_MAX], ip2[REGISTER_IP_MAX], msg[1024];

	vx_err_clear(&err);
	if (register_parse_answer(body, size, "203.0.113.5", &a, &err) == 0) {
		if (a.id[0] == '\0' || strlen(a.id) > REGISTER_ID_MAX ||
		    a.subdomain[0] == '\0' ||
		    strlen(a.subdomain) > REGISTER_HOST_MAX ||
		    strcmp(a.ip, "203.0.113.5") != 0)
			abort();
		printable(a.id);
		printable(a.subdomain);
	} else {
		if (err.msg[0] == '\0')
			abort();
		printable(err.msg);
	}
	if (register_parse_ip(body, size, ip, sizeof(ip)) == 0) {
		/* The canonical form is a fixed point. */
		if (register_parse_ip(ip, strlen(ip), ip2, sizeof(ip2)) != 0 ||
		    strcmp(ip, ip2) != 0)
			abort();
		printable(ip);
	}
	register_parse_error(body, size, msg, sizeof(msg));
	if (strlen(msg) >= sizeof(msg))
		abort();
	printable(msg);
	register_parse_error(body, size, msg, 8);
	if (strlen(msg) >= 8)
		abort();
	return 0;
}

/* test_hostport.c: SYNC_LISTEN accepts exact addresses and nothing else. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "hostport.h"

static int
parse(const char *s, struct sockaddr_storage *ss)
{
	struct vx_err err;
	socklen_t len;

	vx_err_clear(&err);
	return hostport_parse(s, ss, &len, &err);
}

static void
test_good(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	char buf[64];

	assert_int_equal(parse("0.0.0.0:3000", &ss), 1);
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 3000);
	assert_int_equal(parse("127.0.0.1:1", &ss), 1);
	assert_string_equal(inet_ntop(AF_INET, &sin->sin_addr, buf,
	    sizeof(buf)), "127.0.0.1");
	assert_int_equal(parse("8080", &ss), 1);
	assert_int_equal(sin->sin_addr.s_addr, htonl(INADDR_ANY));
	assert_int_equal(parse("*:65535", &ss), 1);
	assert_int_equal(ntohs(sin->sin_port), 65535);
	assert_int_equal(parse("[::1]:3000", &ss), 1);
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(parse("[::]:3000", &ss), 1);
	assert_int_equal(parse("off", &ss), 0);
}

static void
test_bad(void **state)
{
	static const char *const bad[] = { "", ":", "3000:", ":3000",
	    "0.0.0.0:0", "0.0.0.0:65536", "0.0.0.0:-1", "0.0.0.0:30x",
	    "localhost:3000", "::1:3000", "[::1]", "[::1:3000", "1.2.3:80",
	    "0.0.0.0: 3000", "OFF", "0.0.0.0:3000 " };
	struct sockaddr_storage ss;
	struct vx_err err;
	socklen_t len;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vx_err_clear(&err);
		if (hostport_parse(bad[i], &ss, &len, &err) != -1)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(strstr(err.msg, "SYNC_LISTEN"));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * cmocka-noreturn.h: included by tests/static/run.sh before each cmocka
 * test it analyses.  cmocka's _fail() (behind fail() and fail_msg()) never
 * returns, it longjmps out of the test, but cmocka.h does not say so; the
 * analyzer then follows "if (p == NULL) fail_msg(...);" into a use of p and
 * reports a null dereference that cannot happen.  Not used by the build.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

void	_fail(const char * const, const int) __attribute__((noreturn));

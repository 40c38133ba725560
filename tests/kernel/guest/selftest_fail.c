/*
 * selftest_fail.c: a guest that fails on purpose.
 *
 * Registered with should_fail, it proves that the runner turns a failure
 * marker into a failed test -- without it, a runner that passed everything
 * would go unnoticed.
 */
#include "guest.h"

const char guest_name[] = MOSAIC_GUEST_NAME;

int guest_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	guest_fail("deliberate failure (runner self-test)");
}

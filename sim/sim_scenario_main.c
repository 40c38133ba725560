/*
 * sim_scenario_main.c: `mosaic-addr32 scenario [--task-bits 32] FILE...',
 * the simulator's scenario interpreter with the core built for 32-bit
 * addresses (VMC_ADDR_BITS=32, i386 GNU Mach's width).  The `mosaic'
 * command's scenario subcommand, alone: the comparison of scenarios with
 * an i386 kernel (tests/kernel/kernel-test.sh --compare) runs this one.
 * Not installed: it is a tool of the tests.
 */
#include <stdio.h>
#include <string.h>

#include "sim_scenario.h"

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "scenario") != 0) {
		fprintf(stderr, "usage: %s scenario [--task-bits 32] FILE.scn...\n", argv[0]);
		return 2;
	}
	return sim_scenario_command(argc - 1, argv + 1);
}

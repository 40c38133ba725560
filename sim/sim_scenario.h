/*
 * sim_scenario.h: scenarios (traces/SCENARIO.md) run in the simulator.
 */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The most bytes one fill or check may cover in the simulator: its pages
 * are the host's memory.  A line asking more prints `refused' and fails,
 * saying why on err. */
#define SIM_SCENARIO_TOUCH_MAX ((uint64_t)1 << 30)

/* Runs every scenario of text[0, len) in a fresh simulated world (seeded),
 * printing the canonical result lines to out.  task_bits is the width of
 * the interpreting task's words (32 or 64, at most VMC_ADDR_BITS, the
 * kernel's): a 32-bit task on a 64-bit kernel is --enable-user32 GNU
 * Mach's, whose tasks' space ends at SIM_MAP_MAX_USER32.  Returns -1 after printing
 * why to err as "NAME:LINE:COLUMN: reason" (name is the text's file name)
 * if the text is malformed or holds no scenario: nothing is run then.
 * Else 0, with the number of scenarios and of failed ones. */
int sim_scenario_run(const char *name, const char *text, size_t len, uint64_t seed,
		     unsigned task_bits, FILE *out, FILE *err, unsigned *scenarios,
		     unsigned *failed);

/* `mosaic scenario [--task-bits 32|64] FILE...': exit status 0 if every
 * scenario passed. */
int sim_scenario_command(int argc, char **argv);

#endif /* SIM_SCENARIO_H */

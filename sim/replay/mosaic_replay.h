/*
 * mosaic_replay.h: the `mosaic replay` subcommand, called by sim/replay/mosaic.c's
 * dispatcher with argv[0] = "replay".  default_seed is the global --seed
 * (the subcommand's own --seed overrides it).  Returns the exit status.
 */

#include <stdint.h>
#ifndef MOSAIC_REPLAY_H
#define MOSAIC_REPLAY_H

int mosaic_replay_main(int argc, char **argv, uint64_t default_seed);

#endif /* MOSAIC_REPLAY_H */

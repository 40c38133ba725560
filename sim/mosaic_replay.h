/*
 * mosaic_replay.h: the `mosaic replay` subcommand, called by sim/mosaic.c's
 * dispatcher with argv[0] = "replay".  Returns the process's exit status.
 */
#ifndef MOSAIC_REPLAY_H
#define MOSAIC_REPLAY_H

int mosaic_replay_main(int argc, char **argv);

#endif /* MOSAIC_REPLAY_H */

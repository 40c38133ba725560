/*
 * hurd_replay.h: what the Hurd's trace replay (tests/hurd/hurdreplay.c, on
 * the Hurd) and the program that writes its files (tests/hurd/mkreplay.c, on
 * the build machine) agree on.
 */
#ifndef HURD_REPLAY_H
#define HURD_REPLAY_H

#include <stdint.h>

/* The longest read the replayer's buffer takes (the kernel replay's too). */
#define HURD_REPLAY_MAX_READ (16u << 20)

/* All the traces' files together: the image holds them all. */
#define HURD_REPLAY_MAX_BYTES (UINT64_C(512) << 20)

/* The chunk-size bucket of a read of len bytes, as the simulator's
 * (sim_replay_bucket): the smallest k with 2^k >= len. */
static inline unsigned hurd_replay_bucket(uint64_t len)
{
	unsigned k = 0;

	while (k < 63 && (UINT64_C(1) << k) < len)
		k++;
	return k;
}

#endif /* HURD_REPLAY_H */

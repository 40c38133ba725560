/*
 * hurd_replay.h: what the Hurd's trace replay (tests/hurd/hurdreplay.c, on
 * the Hurd) and the program that writes its files (tests/hurd/mkreplay.c, on
 * the build machine) agree on.
 */
#ifndef HURD_REPLAY_H
#define HURD_REPLAY_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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

/* The whole file at PATH in a block of malloc's, its length in *LEN; NULL
 * when it cannot be read or there is no memory for it. */
static inline char *hurd_replay_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t cap = 0, n = 0;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (n == cap) {
			char *more = realloc(data, cap = cap ? 2 * cap : 65536);

			if (more == NULL) {
				free(data);
				fclose(f);
				return NULL;
			}
			data = more;
		}
		size_t got = fread(data + n, 1, cap - n, f);
		if (got == 0)
			break;
		n += got;
	}
	if (ferror(f)) {
		free(data);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = n;
	return data;
}

#endif /* HURD_REPLAY_H */

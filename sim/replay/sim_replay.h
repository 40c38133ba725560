/*
 * sim_replay.h: replays read workloads through the simulated translator and
 * reports the old path against the fast path.
 *
 * A replay owns one simulated world, one translator and the clients a trace
 * names (those that read last: SIM_REPLAY_CLIENT_BYTES).  The caller feeds it a trace's files, then its reads one at a time
 * (so memory does not grow with the trace's length), then asks for the
 * results: per chunk size (the smallest power of two >= the read's length)
 * and per path, the reads, the bytes, the summed event counts, the predicted
 * time (cost model) and the host wall time of the simulation (the
 * simulator's own speed, shown only when asked).  Every read is
 * checked: the client's buffer must hold the file's bytes afterwards.
 *
 * With both paths, each read runs the old path, then the fast path, into the
 * same client's buffer (rounds interleaved, as the measuring rules ask).
 */
#ifndef SIM_REPLAY_H
#define SIM_REPLAY_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim.h"
#include "sim_cost.h"
#include "sim_translator.h"

#define SIM_REPLAY_ERROR (sim_replay_error_quark())
GQuark sim_replay_error_quark(void);
enum sim_replay_error {
	SIM_REPLAY_ERROR_FAILED,        /* an operation returned an error */
	SIM_REPLAY_ERROR_UNSUPPORTED,   /* a path this build does not have */
	SIM_REPLAY_ERROR_BYTES,         /* a buffer did not hold the file's bytes */
};

#define SIM_REPLAY_BUCKETS 40   /* chunk sizes 2^0 .. 2^39 */

/* The clients' buffers kept at once, together (they are simulated memory,
 * so the host's): past it, the client that read longest ago gives its
 * buffer back, and gets a new one (not counted) when it reads again.  A
 * buffer larger than this is kept alone. */
#define SIM_REPLAY_CLIENT_BYTES ((uint64_t)64 << 20)

struct sim_replay_config {
	bool run_old, run_fast;
	enum sim_read_path fast_path;   /* SIM_READ_FAST_PROXY or _TASK */
	bool cold;                      /* evict the read's pages before each read */
	uint32_t frames;                /* 0: the simulator's default */
	uint64_t seed;
	sim_content_fn content;
	void *content_ctx;
	uint64_t client_bytes;          /* 0: SIM_REPLAY_CLIENT_BYTES */
};

/* What one path did for one chunk size. */
struct sim_replay_cell {
	uint64_t reads;
	uint64_t bytes;
	uint64_t events[SIM_EV_COUNT];
	uint64_t wall_ns;
};

struct sim_replay_result {
	char *trace;                    /* its name (g_free'd by _result_free) */
	struct sim_replay_cell cell[2][SIM_REPLAY_BUCKETS];  /* [0] old, [1] fast */
	uint64_t verified;              /* reads checked, all paths */
};

struct sim_replay;

/* Creates the world.  NULL with *error set if it cannot be built. */
struct sim_replay *sim_replay_create(const struct sim_replay_config *config,
				     const char *trace_name, GError **error);
void sim_replay_destroy(struct sim_replay *r);

/* Declares file number `file` (0, 1, ... in order) of `size` bytes. */
gboolean sim_replay_add_file(struct sim_replay *r, uint32_t file, uint64_t size,
			     GError **error);

/* Replays one read: client `client` (created on first use) reads `len`
 * bytes of `file` at `offset`.  FALSE with *error set if a path fails or a
 * buffer does not hold the file's bytes afterwards. */
gboolean sim_replay_read(struct sim_replay *r, uint32_t client, uint32_t file,
			 uint64_t offset, uint64_t len, GError **error);

/* The simulated world (for its counters: sim_vm_pages_held). */
const struct sim_vm *sim_replay_world(const struct sim_replay *r);

/* The results so far (owned by r). */
const struct sim_replay_result *sim_replay_result(const struct sim_replay *r);

/* Predicted microseconds per read of a cell (NAN if it has no read). */
double sim_replay_cell_us(const struct sim_replay_cell *cell, const struct sim_cost *cost);

/* Bucket b's label in the tables: 512, 4K, 1M. */
void sim_replay_chunk_label(unsigned b, char *out, size_t size);

/* The chunk-size bucket of a read length: the smallest k with 2^k >= len. */
unsigned sim_replay_bucket(uint64_t len);

/* Output.  All results of one run go to one file: */
/* The text tables: per chunk size, predicted microseconds of each path,
 * their ratio, what the fast path saves; with sim_speed, also the host
 * microseconds the simulator took per read (its own speed, never a
 * prediction). */
void sim_replay_print_table(FILE *out, const struct sim_replay_result *const *res, size_t n,
			    const struct sim_cost *cost, bool sim_speed);
void sim_replay_print_csv(FILE *out, const struct sim_replay_result *const *res, size_t n,
			  const struct sim_cost *cost, const char *meta);
void sim_replay_print_json(FILE *out, const struct sim_replay_result *const *res, size_t n,
			   const struct sim_cost *cost, const char *meta);

/* A copy of the result that outlives the replay. */
struct sim_replay_result *sim_replay_result_dup(const struct sim_replay_result *res);
void sim_replay_result_free(struct sim_replay_result *res);

#endif /* SIM_REPLAY_H */

/*
 * replay_trace.h: the replay's view of a trace file.
 *
 * The only code that knows the trace format is the traces library (traces/,
 * specified in traces/FORMAT.md).  This adapter streams one trace through it
 * into two callbacks, so the replay engine never holds a trace in memory, and
 * gives the replay the traces' content function (the bytes every replayed
 * read must deliver).
 *
 * All or nothing: the trace is parsed once without handing anything out (the
 * format's recommendation for users that set up state), and replayed only if
 * that pass succeeds.  The path is opened and read once, so it may be a pipe
 * (/dev/stdin): what cannot be read again is kept in an unnamed temporary
 * file for the replaying pass.  Write operations are counted and skipped: the replay
 * measures reads.
 */
#ifndef REPLAY_TRACE_H
#define REPLAY_TRACE_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

struct replay_trace_sink {
	/* A file of the header, numbered 0, 1, ... in order. */
	gboolean (*file)(void *ctx, uint32_t file, const char *name, uint64_t size,
			 GError **error);
	/* One read operation. */
	gboolean (*read)(void *ctx, uint32_t client, uint32_t file, uint64_t offset,
			 uint64_t len, GError **error);
	/* Called now and then with the bytes of the trace consumed so far and
	 * its total size; may be NULL. */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *ctx;
};

/* Per-trace state: the files' content keys. */
struct replay_trace;

struct replay_trace *replay_trace_new(void);
void replay_trace_free(struct replay_trace *t);

/* Streams the trace at `path` into `sink` (after a validating pass).
 * Returns FALSE with *error set ("PATH:LINE: reason" for a bad trace, or the
 * callback's error) otherwise. */
gboolean replay_trace_stream(struct replay_trace *t, const char *path,
			     const struct replay_trace_sink *sink, GError **error);

/* Write operations the last stream skipped. */
uint64_t replay_trace_writes_skipped(const struct replay_trace *t);

/* The traces' content function for the trace being streamed: `ctx` is the
 * struct replay_trace.  Fits sim_content_fn. */
void replay_trace_content(void *ctx, uint32_t file, uint64_t offset, unsigned char *out,
			  size_t len);

#endif /* REPLAY_TRACE_H */

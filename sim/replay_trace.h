/*
 * replay_trace.h: the replay's view of a trace file.
 *
 * The only place that knows the trace format is the traces library
 * (traces/, see traces/FORMAT.md); this adapter streams one trace through it
 * into two callbacks, so the replay engine never holds a trace in memory, and
 * gives the replay the file content function that the traces define (the
 * bytes every replayed read must deliver).
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
	 * its total size (0 if unknown); may be NULL. */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *ctx;
};

/* Streams the trace at `path` into `sink`.  Returns FALSE with *error set
 * (naming the file and line) on a bad trace or when a callback fails. */
gboolean replay_trace_stream(const char *path, const struct replay_trace_sink *sink,
			     GError **error);

/* The traces' content function: the bytes of file `file` at `offset`.
 * `ctx` is ignored (the function is pure). */
void replay_trace_content(void *ctx, uint32_t file, uint64_t offset, unsigned char *out,
			  size_t len);

#endif /* REPLAY_TRACE_H */

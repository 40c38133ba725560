/*
 * replay_trace.c: streams a trace through the traces library (see
 * replay_trace.h).  Reads the file in 64 KiB chunks; the parser keeps at most
 * one partial line, so memory is constant in the trace's length.
 */
#include "replay_trace.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "trace_content.h"
#include "trace_parse.h"

struct replay_trace {
	struct trace_file files[TRACE_MAX_FILES];
	uint64_t keys[TRACE_MAX_FILES];       /* copied at the header */
	uint32_t nfiles;
	uint64_t writes_skipped;
};

/* What the parser's callbacks need during one pass. */
struct pass {
	struct replay_trace *t;
	const struct replay_trace_sink *sink;   /* NULL: the validating pass */
	GError *error;                          /* a callback's failure */
};

struct replay_trace *replay_trace_new(void)
{
	return g_new0(struct replay_trace, 1);
}

void replay_trace_free(struct replay_trace *t)
{
	g_free(t);
}

uint64_t replay_trace_writes_skipped(const struct replay_trace *t)
{
	return t->writes_skipped;
}

void replay_trace_content(void *ctx, uint32_t file, uint64_t offset, unsigned char *out,
			  size_t len)
{
	struct replay_trace *t = ctx;
	g_assert(file < t->nfiles);
	trace_content_fill(t->keys[file], offset, out, len);
}

static int pass_header(void *ctx, const struct trace_header *h)
{
	struct pass *ps = ctx;
	struct replay_trace *t = ps->t;

	t->nfiles = h->nfiles;
	for (uint32_t i = 0; i < h->nfiles; i++)
		t->keys[i] = h->files[i].key;
	if (ps->sink == NULL)
		return 0;
	for (uint32_t i = 0; i < h->nfiles; i++)
		if (!ps->sink->file(ps->sink->ctx, i, h->files[i].id, h->files[i].size,
				    &ps->error))
			return 1;
	return 0;
}

static int pass_op(void *ctx, const struct trace_op *op)
{
	struct pass *ps = ctx;

	if (op->kind != TRACE_OP_READ) {
		ps->t->writes_skipped++;
		return 0;
	}
	if (!ps->sink->read(ps->sink->ctx, op->client, op->file, op->offset, op->length,
			    &ps->error)) {
		g_prefix_error(&ps->error, "line %" G_GUINT64_FORMAT ": ", op->line);
		return 1;
	}
	return 0;
}

/* One pass over the file.  With ps->sink NULL, only validates. */
static gboolean replay_pass(struct pass *ps, const char *path, GError **error)
{
	static const struct trace_handler validate = { .header = pass_header };
	static const struct trace_handler replay = { .header = pass_header, .op = pass_op };
	struct trace_parser *p = g_new(struct trace_parser, 1);
	char *chunk = g_malloc(65536);
	gboolean ok = FALSE;
	struct stat st;
	uint64_t total = 0, done = 0;
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", path,
			    g_strerror(errno));
		goto out;
	}
	if (fstat(fileno(f), &st) == 0)
		total = (uint64_t)st.st_size;
	trace_parser_init(p, ps->t->files, TRACE_MAX_FILES);
	ps->t->writes_skipped = 0;
	const struct trace_handler *h = ps->sink == NULL ? &validate : &replay;
	enum trace_error e = TRACE_OK;
	size_t n;
	while (e == TRACE_OK && (n = fread(chunk, 1, 65536, f)) > 0) {
		e = trace_parser_feed(p, chunk, n, h, ps);
		done += n;
		if (ps->sink != NULL && ps->sink->progress != NULL)
			ps->sink->progress(ps->sink->ctx, done, total);
	}
	if (e == TRACE_OK && ferror(f)) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO, "%s: read error", path);
		goto out;
	}
	if (e == TRACE_OK)
		e = trace_parser_finish(p, h, ps);
	if (e == TRACE_E_STOPPED && ps->error != NULL) {
		g_propagate_error(error, ps->error);
		ps->error = NULL;
		goto out;
	}
	if (e != TRACE_OK) {
		char msg[256];
		trace_error_format(p, path, msg, sizeof(msg));
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s", msg);
		goto out;
	}
	ok = TRUE;
out:
	if (f != NULL)
		fclose(f);
	g_free(chunk);
	g_free(p);
	return ok;
}

gboolean replay_trace_stream(struct replay_trace *t, const char *path,
			     const struct replay_trace_sink *sink, GError **error)
{
	struct pass check = { .t = t, .sink = NULL, .error = NULL };
	if (!replay_pass(&check, path, error))
		return FALSE;
	struct pass run = { .t = t, .sink = sink, .error = NULL };
	return replay_pass(&run, path, error);
}

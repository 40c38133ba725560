/*
 * replay_trace.c: streams a trace through the traces library (see
 * replay_trace.h).  Reads the file in 64 KiB chunks; the parser keeps at most
 * one partial line, so memory is constant in the trace's length.  The input
 * is opened and read once: a regular file is read again from its start for
 * the replay; anything else (a pipe, /dev/stdin) is copied, as it is
 * validated, into an unnamed temporary file the replay then reads.
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

/* One pass over in (named path in messages).  With ps->sink NULL, only
 * validates; with tee, also copies every byte read there.  total: the
 * input's size for the progress (0: unknown). */
static gboolean replay_pass(struct pass *ps, FILE *in, const char *path, FILE *tee,
			    uint64_t total, GError **error)
{
	static const struct trace_handler validate = { .header = pass_header };
	static const struct trace_handler replay = { .header = pass_header, .op = pass_op };
	struct trace_parser *p = g_new(struct trace_parser, 1);
	char *chunk = g_malloc(65536);
	gboolean ok = FALSE;
	uint64_t done = 0;

	trace_parser_init(p, ps->t->files, TRACE_MAX_FILES);
	ps->t->writes_skipped = 0;
	const struct trace_handler *h = ps->sink == NULL ? &validate : &replay;
	enum trace_error e = TRACE_OK;
	size_t n;
	while (e == TRACE_OK && (n = fread(chunk, 1, 65536, in)) > 0) {
		if (tee != NULL && fwrite(chunk, 1, n, tee) != n) {
			g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
				    "%s: cannot keep a copy to replay: %s", path, g_strerror(errno));
			goto out;
		}
		e = trace_parser_feed(p, chunk, n, h, ps);
		done += n;
		if (ps->sink != NULL && ps->sink->progress != NULL)
			ps->sink->progress(ps->sink->ctx, done, total);
	}
	if (e == TRACE_OK && ferror(in)) {
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
	g_free(chunk);
	g_free(p);
	return ok;
}

/* Back to the start of f, for the replaying pass. */
static gboolean rewind_or_fail(FILE *f, const char *path, GError **error)
{
	if (fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
			    "%s: cannot read it again: %s", path, g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

gboolean replay_trace_stream(struct replay_trace *t, const char *path,
			     const struct replay_trace_sink *sink, GError **error)
{
	struct pass check = { .t = t, .sink = NULL, .error = NULL };
	struct pass run = { .t = t, .sink = sink, .error = NULL };
	FILE *in = fopen(path, "rb"), *copy = NULL;
	struct stat st;
	gboolean ok = FALSE;

	if (in == NULL) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", path,
			    g_strerror(errno));
		return FALSE;
	}
	if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode)) {
		/* A file: validated, then replayed from its start. */
		ok = replay_pass(&check, in, path, NULL, 0, error) &&
		     rewind_or_fail(in, path, error) &&
		     replay_pass(&run, in, path, NULL, (uint64_t)st.st_size, error);
	} else if ((copy = tmpfile()) == NULL) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
			    "%s: cannot make a temporary file to replay it from: %s", path,
			    g_strerror(errno));
	} else {
		/* A pipe or a device can be read once: the validating pass keeps
		 * a copy in an unnamed temporary file (disk, not memory), and
		 * the replay reads the copy. */
		ok = replay_pass(&check, in, path, copy, 0, error);
		long size = ok ? ftell(copy) : 0;
		ok = ok && rewind_or_fail(copy, path, error) &&
		     replay_pass(&run, copy, path, NULL, size > 0 ? (uint64_t)size : 0, error);
	}
	if (copy != NULL)
		fclose(copy);
	fclose(in);
	return ok;
}

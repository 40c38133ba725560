/*
 * fuzz_trace_parser.c: the trace parser on arbitrary bytes.
 *
 * Beyond "does not crash": every operation handed out lies inside a declared
 * file and comes after the header, and parsing the input whole and one byte
 * at a time gives the same verdict, line and operation count.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "trace_content.h"
#include "trace_parse.h"

struct seen {
	int headers;
	uint32_t nfiles;
	const struct trace_file *files;
	uint64_t ops;
};

static int on_header(void *ctx, const struct trace_header *h)
{
	struct seen *s = ctx;

	if (s->headers++ != 0 || h->nfiles == 0)
		abort();
	s->nfiles = h->nfiles;
	s->files = h->files;
	return 0;
}

static int on_op(void *ctx, const struct trace_op *op)
{
	struct seen *s = ctx;
	const struct trace_file *f;
	uint8_t buf[8];

	if (s->headers != 1 || op->file >= s->nfiles || op->length == 0 ||
	    op->length > TRACE_MAX_LENGTH)
		abort();
	f = &s->files[op->file];
	if (op->offset > f->size || op->length > f->size - op->offset)
		abort();
	/* The replayer's first step on every read: must not fault. */
	trace_content_fill(f->key, op->offset, buf, op->length < 8 ? (size_t)op->length : 8);
	s->ops++;
	return 0;
}

static const struct trace_handler handler = { NULL, on_header, on_op, NULL };
static struct trace_file files_a[64], files_b[64];

static enum trace_error run(const uint8_t *data, size_t size, size_t step,
			    struct trace_file *files, struct trace_parser *p, struct seen *s)
{
	enum trace_error e = TRACE_OK;

	trace_parser_init(p, files, 64);
	for (size_t at = 0; at < size && e == TRACE_OK; at += step) {
		size_t n = size - at < step ? size - at : step;
		e = trace_parser_feed(p, (const char *)data + at, n, &handler, s);
	}
	if (e == TRACE_OK)
		e = trace_parser_finish(p, &handler, s);
	return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct trace_parser pa, pb;
	struct seen sa = { 0 }, sb = { 0 };
	enum trace_error ea, eb;
	char msg[128];

	ea = run(data, size, size ? size : 1, files_a, &pa, &sa);
	trace_error_format(&pa, "fuzz", msg, sizeof(msg));
	if (size > 1 << 16)
		return 0;
	eb = run(data, size, 1, files_b, &pb, &sb);
	if (ea != eb || pa.error_line != pb.error_line || sa.ops != sb.ops)
		abort();
	return 0;
}

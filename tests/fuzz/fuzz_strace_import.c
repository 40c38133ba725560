/*
 * fuzz_strace_import.c: the strace importer on arbitrary bytes.
 *
 * Beyond "does not crash": whenever the importer says it wrote a trace, the
 * trace parser must accept that trace, and the stats must agree with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "strace_import.h"
#include "trace_parse.h"

static int count_op(void *ctx, const struct trace_op *op)
{
	uint64_t *n = ctx;
	(void)op;
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct trace_handler h = { NULL, NULL, count_op, NULL };
	static struct trace_file files[TRACE_MAX_FILES];
	struct strace_import_stats st;
	struct trace_parser p;
	GError *err = NULL;
	char *out_buf = NULL;
	size_t out_size = 0;
	uint64_t nops = 0;
	FILE *in, *out;
	int rc;

	if (size == 0)
		return 0;
	in = fmemopen((void *)data, size, "r");
	out = open_memstream(&out_buf, &out_size);
	if (in == NULL || out == NULL)
		abort();
	rc = strace_import(in, "fuzz.log", out, &st, &err);
	fclose(in);
	fclose(out);
	if (rc == 0) {
		trace_parser_init(&p, files, TRACE_MAX_FILES);
		if (trace_parser_feed(&p, out_buf, out_size, &h, &nops) != TRACE_OK ||
		    trace_parser_finish(&p, &h, &nops) != TRACE_OK || nops != st.reads ||
		    nops == 0)
			abort();
	} else if (err == NULL) {
		abort();
	}
	g_clear_error(&err);
	free(out_buf);
	return 0;
}

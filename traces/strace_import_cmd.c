/*
 * strace_import_cmd.c: the `mosaic import strace` command.
 *
 *     mosaic import strace [OPTION...] LOG... > TRACE
 *
 * Several LOGs are the per-process files of `strace -ff -o NAME`: the pid of
 * each is the numeric suffix of its name (NAME.1234).  Counts go to stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strace_import.h"

/* The pid of an -ff log from its name's ".N" suffix, else fallback. */
static long pid_of_name(const char *name, long fallback)
{
	const char *dot = strrchr(name, '.');
	char *end;
	long v;

	if (dot == NULL || dot[1] == '\0')
		return fallback;
	v = strtol(dot + 1, &end, 10);
	return *end == '\0' && v > 0 ? v : fallback;
}

static void print_stats(const struct strace_import_stats *st)
{
	fprintf(stderr,
		"import: %" G_GUINT64_FORMAT " lines, %" G_GUINT64_FORMAT " calls, %"
		G_GUINT64_FORMAT " processes, %" G_GUINT64_FORMAT " files, %" G_GUINT64_FORMAT
		" reads (%" G_GUINT64_FORMAT " bytes); skipped: %" G_GUINT64_FORMAT " failed, %"
		G_GUINT64_FORMAT " unmatched, %" G_GUINT64_FORMAT " at EOF, %" G_GUINT64_FORMAT
		" not regular, %" G_GUINT64_FORMAT " other\n",
		st->lines, st->calls, st->processes, st->files, st->reads, st->bytes, st->failed,
		st->unmatched, st->eof_reads, st->other_reads, st->ignored);
	if (st->bad_sizes > 0)
		fprintf(stderr, "import: %" G_GUINT64_FORMAT " fstat result(s) with no size (st_size=-1, "
			"or past off_t): those files' sizes are what their reads reached\n",
			st->bad_sizes);
}

int strace_import_command(int argc, char **argv)
{
	gboolean numeric = FALSE;
	char *map = NULL, *program = NULL, *captured = NULL, *note = NULL, *output = NULL;
	GOptionEntry entries[] = {
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "write the trace to FILE (default: stdout)", "FILE" },
		{ "map", 0, 0, G_OPTION_ARG_FILENAME, &map, "write ID<TAB>PATH lines to FILE (machine paths: do not commit)", "FILE" },
		{ "program", 0, 0, G_OPTION_ARG_STRING, &program, "meta program: what was traced", "TEXT" },
		{ "captured", 0, 0, G_OPTION_ARG_STRING, &captured, "meta captured: how it was captured", "TEXT" },
		{ "numeric-ids", 0, 0, G_OPTION_ARG_NONE, &numeric, "name files f<N> only, without base names", NULL },
		{ "note", 0, 0, G_OPTION_ARG_STRING, &note, "meta note", "TEXT" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new("strace LOG... - turn strace logs into a mosaic trace");
	GError *err = NULL;
	struct strace_importer *imp;
	struct strace_import_stats st;
	FILE *out = stdout;
	int rc = 1;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
		"Exit status: 0 done, 1 failed work (a log that cannot be read, the trace\n"
		"not written), 2 usage.  See mosaic(1).\n");
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "mosaic import: %s\n", err->message);
		g_error_free(err);
		rc = 2;
		goto out_ctx;
	}
	if (argc < 3 || strcmp(argv[1], "strace") != 0) {
		fprintf(stderr, "usage: mosaic import strace [OPTION...] LOG... > TRACE\n");
		rc = 2;
		goto out_ctx;
	}

	imp = strace_importer_new();
	strace_importer_set_numeric_ids(imp, numeric);
	if (program != NULL)
		strace_importer_add_meta(imp, "program", program);
	if (captured != NULL)
		strace_importer_add_meta(imp, "captured", captured);
	if (note != NULL)
		strace_importer_add_meta(imp, "note", note);
	for (int i = 2; i < argc; i++) {
		FILE *in = strcmp(argv[i], "-") == 0 ? stdin : fopen(argv[i], "r");
		char *base = g_path_get_basename(argv[i]);
		gboolean ok;

		strace_importer_add_meta(imp, "log", base);
		g_free(base);
		if (in == NULL) {
			perror(argv[i]);
			goto out;
		}
		ok = strace_importer_read(imp, in, argc > 3 ? pid_of_name(argv[i], i) : 0, &err);
		if (in != stdin)
			fclose(in);
		if (!ok) {
			fprintf(stderr, "mosaic import: %s: %s\n", argv[i], err->message);
			goto out;
		}
	}
	if (output != NULL && (out = fopen(output, "w")) == NULL) {
		perror(output);
		goto out;
	}
	if (!strace_importer_write(imp, out, &err)) {
		fprintf(stderr, "mosaic import: %s\n", err->message);
		goto out;
	}
	if (map != NULL) {
		FILE *m = fopen(map, "w");
		if (m == NULL || !strace_importer_write_map(imp, m, &err)) {
			fprintf(stderr, "mosaic import: %s: %s\n", map,
				err != NULL ? err->message : g_strerror(errno));
			if (m != NULL)
				fclose(m);
			goto out;
		}
		fclose(m);
	}
	rc = 0;
out:
	strace_importer_stats(imp, &st);
	print_stats(&st);
	if (out != stdout && out != NULL && fclose(out) != 0 && rc == 0) {
		perror(output);
		rc = 1;
	}
	strace_importer_free(imp);
	g_clear_error(&err);
out_ctx:
	g_option_context_free(ctx);
	g_free(map); g_free(program); g_free(captured); g_free(note); g_free(output);
	return rc;
}

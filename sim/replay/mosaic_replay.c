/*
 * mosaic_replay.c: `mosaic replay TRACE...`, the seed's experiment.
 *
 * Replays each trace through the simulated translator by the old path, the
 * fast path or both, checks every read's bytes, and prints per chunk size the
 * predicted time of each path (event counts x the calibration file) and
 * their ratio (--sim-speed: also the host's time spent simulating, the
 * simulator's own speed); then the events per read; with --kernel-csv, the
 * kernel's measured old/fast beside this run's predicted, per trace and
 * chunk size.
 * --csv and --json print the same results for scripts (plots/ read the CSV);
 * --plot DIR writes that CSV to DIR/replay.csv and draws the figures of
 * plots/ from it with gnuplot (the same scripts make demo runs, found as the
 * calibration is: mosaic_data.h), run in DIR so that no path of the user's
 * is ever part of gnuplot's code (draw).
 *
 * Memory does not grow with a trace's length: traces are streamed, and the
 * results are a fixed table per trace.
 */
#include <glib.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mosaic_data.h"
#include "mosaic_replay.h"
#include "replay_trace.h"
#include "sim_cost.h"
#include "sim_replay.h"

/* The figures --plot draws, each from the replay's CSV (and the kernel's
 * ratios when given): plots/NAME.gp writes DIR/NAME.png and DIR/NAME.svg. */
static const char *const figures[] = { "speedup", "breakdown", "traces" };

/*
 * Runs gnuplot on plots/NAME.gp for the CSV in dir.  False with *error set
 * if a script is missing or gnuplot fails.
 *
 * The paths reach gnuplot as data, never as code: gnuplot runs in dir,
 * its -e text is fixed (in='replay.csv'; outdir='.'), and the kernel's CSV
 * comes as the script's ARG1 (gnuplot -c), a string gnuplot never parses,
 * made absolute first so that it can name no special file of gnuplot's
 * ('<command', '-', '+', '$datablock', '~').
 */
static gboolean draw(const char *gnuplot, const char *dir, const char *kernel_csv,
		     GError **error)
{
	char *kern = kernel_csv != NULL ? g_canonicalize_filename(kernel_csv, NULL) : NULL;
	gboolean ok = TRUE;

	for (size_t i = 0; ok && i < G_N_ELEMENTS(figures); i++) {
		char *name = g_strdup_printf("plots/%s.gp", figures[i]);
		char *found = mosaic_data_file(name);
		if (found == NULL) {
			char *places = mosaic_data_places(name);
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
				    "no gnuplot script %s (looked in %s)", name, places);
			g_free(places);
			g_free(name);
			ok = FALSE;
			break;
		}
		char *script = g_canonicalize_filename(found, NULL);
		char *argv[] = { (char *)gnuplot, "-e", "in='replay.csv'; outdir='.'", "-c", script,
				 kern, NULL };
		gint wait_status = 0;
		gchar *err_text = NULL;
		ok = g_spawn_sync(dir, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err_text,
				  &wait_status, error) &&
		     g_spawn_check_wait_status(wait_status, error);
		if (!ok)
			g_prefix_error(error, "gnuplot %s: %s", script,
				       err_text != NULL ? err_text : "");
		g_free(err_text);
		g_free(script);
		g_free(found);
		g_free(name);
	}
	g_free(kern);
	return ok;
}

/* A row of the kernel's ratios (bench/kernel_replay.py --ratios) for this
 * run's cache and fast form. */
struct kernel_row {
	char *trace;
	uint64_t chunk;
	uint64_t reads;
	double icount, plain;           /* old/fast measured */
};

static const char kernel_csv_header[] = "trace,cache,chunk,form,reads,icount,plain,predicted";

static void kernel_row_clear(gpointer p)
{
	g_free(((struct kernel_row *)p)->trace);
}

/* A number of the CSV: all of field, a count or a ratio (nan allowed: a
 * measurement missing). */
static gboolean kernel_u64(const char *field, uint64_t *out)
{
	return g_ascii_string_to_unsigned(field, 10, 0, G_MAXUINT64, out, NULL);
}

static gboolean kernel_double(const char *field, double *out)
{
	char *end;

	if (*field == '\0')
		return FALSE;
	*out = g_ascii_strtod(field, &end);
	return *end == '\0';
}

/* Reads the kernel's ratios from path, keeping the rows of this cache and
 * form.  FALSE with *error set (path and line) if it is not such a CSV:
 * before any replay, as every input is checked. */
static gboolean kernel_rows_load(const char *path, const char *cache, const char *form,
				 GArray *rows, GError **error)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned lineno = 0;
	gboolean header = FALSE, ok = TRUE;

	if (f == NULL) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
			    "--kernel-csv %s: %s", path, g_strerror(errno));
		return FALSE;
	}
	while (ok && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		g_strchomp(line);
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (!header) {
			header = strcmp(line, kernel_csv_header) == 0;
			if (!header)
				ok = FALSE;
			continue;
		}
		char **v = g_strsplit(line, ",", -1);
		struct kernel_row row = { 0 };
		double predicted;
		if (g_strv_length(v) != 8 || v[0][0] == '\0' || !kernel_u64(v[2], &row.chunk) ||
		    !kernel_u64(v[4], &row.reads) || !kernel_double(v[5], &row.icount) ||
		    !kernel_double(v[6], &row.plain) || !kernel_double(v[7], &predicted))
			ok = FALSE;
		else if (strcmp(v[1], cache) == 0 && strcmp(v[3], form) == 0) {
			row.trace = g_strdup(v[0]);
			g_array_append_val(rows, row);
		}
		g_strfreev(v);
	}
	if (ok && ferror(f)) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO, "--kernel-csv %s: read error", path);
	} else if (!ok || !header) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "--kernel-csv %s:%u: not the kernel's ratios (%s, as "
			    "bench/kernel_replay.py --ratios writes them)", path,
			    ok ? lineno + 1 : lineno, kernel_csv_header);
		ok = FALSE;
	}
	free(line);
	fclose(f);
	return ok;
}

/* The kernel's measured old/fast beside this run's predicted, per trace
 * and chunk size the kernel measured. */
static void kernel_table_print(FILE *out, const char *path, const GArray *rows,
			       const struct sim_replay_result *const *res, size_t n,
			       const struct sim_cost *cost, const char *cache, const char *form)
{
	unsigned printed = 0;

	fprintf(out, "the kernel's measurements (%s: GNU Mach with mosaic in QEMU, %s cache, "
		"%s form)\n", path, cache, form);
	fprintf(out, "%-24s %6s %8s %8s %8s %10s %7s\n", "trace", "chunk", "reads", "icount",
		"plain", "predicted", "diff");
	for (size_t i = 0; i < n; i++) {
		for (unsigned b = 0; b < SIM_REPLAY_BUCKETS; b++) {
			const struct sim_replay_cell *old = &res[i]->cell[0][b], *fast = &res[i]->cell[1][b];
			if (old->reads == 0 && fast->reads == 0)
				continue;
			for (guint k = 0; k < rows->len; k++) {
				const struct kernel_row *row = &g_array_index(rows, struct kernel_row, k);
				if (row->chunk != (uint64_t)1 << b || strcmp(row->trace, res[i]->trace) != 0)
					continue;
				double pred = sim_replay_cell_us(old, cost) / sim_replay_cell_us(fast, cost);
				char label[16];
				sim_replay_chunk_label(b, label, sizeof(label));
				fprintf(out, "%-24s %6s %8" PRIu64 " %8.2f %8.2f", row->trace, label,
					row->reads, row->icount, row->plain);
				if (isnan(pred))
					fprintf(out, " %10s %7s\n", "-", "-");
				else
					fprintf(out, " %10.2f %+6.0f%%\n", pred,
						100.0 * (pred - row->icount) / row->icount);
				printed++;
			}
		}
	}
	if (printed == 0)
		fprintf(out, "  (no measurement of these traces and chunk sizes)\n");
	fprintf(out, "\nold/fast per read: icount and plain measured on the kernel (QEMU -icount, and "
		"plain\nemulation; reads: the kernel's), predicted by this replay; diff: predicted "
		"against icount.\n");
}

struct replay_run {
	struct sim_replay *replay;
	const char *trace;
	gboolean show_progress;
	gint64 started_us;
	gint64 last_draw_us;
	gboolean drawn;
};

static gboolean run_file(void *ctx, uint32_t file, const char *name, uint64_t size,
			 GError **error)
{
	struct replay_run *run = ctx;
	(void)name;
	return sim_replay_add_file(run->replay, file, size, error);
}

static gboolean run_read(void *ctx, uint32_t client, uint32_t file, uint64_t offset,
			 uint64_t len, GError **error)
{
	struct replay_run *run = ctx;
	return sim_replay_read(run->replay, client, file, offset, len, error);
}

/* A progress bar on stderr, only when it is a terminal and the replay has
 * run for more than a second, redrawn at most ten times a second. */
static void run_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct replay_run *run = ctx;
	gint64 now = g_get_monotonic_time();

	if (!run->show_progress || total == 0)
		return;
	if (now - run->started_us < G_USEC_PER_SEC || now - run->last_draw_us < 100000)
		return;
	run->last_draw_us = now;
	int width = 40, fill = (int)((double)done / (double)total * width);
	fprintf(stderr, "\r%-24.24s [%.*s%*s] %3d%%", run->trace, fill,
		"========================================", width - fill, "",
		(int)(100.0 * (double)done / (double)total));
	run->drawn = TRUE;
}

static void run_progress_clear(struct replay_run *run)
{
	if (run->drawn)
		fprintf(stderr, "\r%*s\r", 80, "");
}

/* The trace's name in reports: its file name without directory and suffix. */
static char *run_trace_name(const char *path)
{
	char *base = g_path_get_basename(path);
	char *dot = strrchr(base, '.');
	if (dot != NULL && dot != base)
		*dot = '\0';
	return base;
}

static struct sim_replay_result *run_one(const struct sim_replay_config *config,
					 const char *path, gboolean progress, GError **error)
{
	char *name = run_trace_name(path);
	struct replay_run run = { .trace = name, .show_progress = progress,
				  .started_us = g_get_monotonic_time() };
	struct replay_trace *t = replay_trace_new();
	struct sim_replay_config c = *config;
	struct sim_replay_result *res = NULL;

	/* The content function is the one of this trace's files. */
	c.content = replay_trace_content;
	c.content_ctx = t;
	run.replay = sim_replay_create(&c, name, error);
	if (run.replay != NULL) {
		struct replay_trace_sink sink = { .file = run_file, .read = run_read,
						  .progress = run_progress, .ctx = &run };
		gboolean ok = replay_trace_stream(t, path, &sink, error);
		run_progress_clear(&run);
		if (ok) {
			res = sim_replay_result_dup(sim_replay_result(run.replay));
			if (replay_trace_writes_skipped(t) > 0)
				fprintf(stderr, "mosaic replay: %s: %" PRIu64 " write operations "
					"not replayed (the replay measures reads)\n", path,
					replay_trace_writes_skipped(t));
		}
		sim_replay_destroy(run.replay);
	}
	replay_trace_free(t);
	g_free(name);
	return res;
}

int mosaic_replay_main(int argc, char **argv, uint64_t default_seed)
{
	char *path_opt = NULL, *cache_opt = NULL, *form_opt = NULL, *calib = NULL;
	char *plot_dir = NULL, *kernel_csv = NULL, *calib_found = NULL, *gnuplot = NULL;
	gboolean json = FALSE, csv = FALSE, sim_speed = FALSE;
	GArray *kernel_rows = g_array_new(FALSE, TRUE, sizeof(struct kernel_row));
	gint frames = 0;
	gint64 seed = (gint64)MIN(default_seed, (uint64_t)G_MAXINT64);
	GError *error = NULL;
	int status = 1;
	GOptionEntry entries[] = {
		{ "path", 0, 0, G_OPTION_ARG_STRING, &path_opt,
		  "old, fast or both (default both)", "PATH" },
		{ "fast-form", 0, 0, G_OPTION_ARG_STRING, &form_opt,
		  "what the fast read hands the server: proxy (a write-only proxy of the "
		  "buffer, default) or task (the client's task port, the seed's form)", "FORM" },
		{ "cache", 0, 0, G_OPTION_ARG_STRING, &cache_opt,
		  "warm (file pages resident, default) or cold (evicted before each read)",
		  "CACHE" },
		{ "frames", 0, 0, G_OPTION_ARG_INT, &frames,
		  "page frames in the simulated machine (default: the simulator's)", "N" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "the simulator's random seed (default: mosaic's --seed, 1)",
		  "N" },
		{ "calibration", 0, 0, G_OPTION_ARG_FILENAME, &calib,
		  "per-event costs (default: the calibration installed with mosaic, or "
		  "the source tree's bench/calibration.tsv)", "FILE" },
		{ "plot", 0, 0, G_OPTION_ARG_FILENAME, &plot_dir,
		  "also write DIR/replay.csv and draw its figures there (PNG and SVG; needs "
		  "gnuplot)", "DIR" },
		{ "kernel-csv", 0, 0, G_OPTION_ARG_FILENAME, &kernel_csv,
		  "the kernel's measured ratios (bench/kernel_replay.py --ratios): printed beside "
		  "the prediction, and drawn with --plot", "FILE" },
		{ "sim-speed", 0, 0, G_OPTION_ARG_NONE, &sim_speed,
		  "also print the simulator's own speed (host microseconds per simulated read; "
		  "not a prediction)", NULL },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json, "print JSON", NULL },
		{ "csv", 0, 0, G_OPTION_ARG_NONE, &csv, "print CSV (what plots/ read)", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *octx = g_option_context_new("TRACE... - replay read traces, old path "
						    "against fast path");
	g_option_context_add_main_entries(octx, entries, NULL);
	g_option_context_set_description(octx,
		"Every read is checked: the client's buffer must hold the file's bytes.\n"
		"Times are predicted from the simulator's event counts and the calibration\n"
		"file (see bench/CALIBRATION.md); --sim-speed adds the host's time spent\n"
		"simulating, which measures the simulator, not a kernel.\n"
		"Exit status: 0 done, 1 failed work (a trace, the calibration, gnuplot),\n"
		"2 usage.  See mosaic(1).\n");
	GPtrArray *results = g_ptr_array_new_with_free_func(
		(GDestroyNotify)sim_replay_result_free);

	if (!g_option_context_parse(octx, &argc, &argv, &error))
		goto out;

	struct sim_replay_config config = {
		.run_old = TRUE, .run_fast = TRUE, .fast_path = SIM_READ_FAST_PROXY,
		.cold = FALSE, .seed = (uint64_t)seed,
	};
	/* Every option checked before anything runs. */
	if (path_opt != NULL && strcmp(path_opt, "both") != 0) {
		if (strcmp(path_opt, "old") == 0)
			config.run_fast = FALSE;
		else if (strcmp(path_opt, "fast") == 0)
			config.run_old = FALSE;
		else {
			g_set_error(&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "--path must be old, fast or both, not '%s'", path_opt);
			goto out;
		}
	}
	/* The proxy form, the recommended one, unless the task form is asked. */
	if (form_opt != NULL && strcmp(form_opt, "task") == 0) {
		config.fast_path = SIM_READ_FAST_TASK;
	} else if (form_opt != NULL && strcmp(form_opt, "proxy") != 0) {
		g_set_error(&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--fast-form must be proxy or task, not '%s'", form_opt);
		goto out;
	}
	if (cache_opt != NULL && strcmp(cache_opt, "warm") != 0) {
		if (strcmp(cache_opt, "cold") != 0) {
			g_set_error(&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "--cache must be warm or cold, not '%s'", cache_opt);
			goto out;
		}
		config.cold = TRUE;
	}
	if (frames < 0 || seed < 0) {
		g_set_error(&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--frames and --seed must not be negative");
		goto out;
	}
	config.frames = (uint32_t)frames;
	if (json && csv) {
		g_set_error(&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--json and --csv exclude each other");
		goto out;
	}
	if (argc < 2) {
		g_set_error(&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "no trace given (try: mosaic replay traces/workloads/*)");
		goto out;
	}
	/* What the work needs, before any of it is done. */
	if (plot_dir != NULL && (gnuplot = g_find_program_in_path("gnuplot")) == NULL) {
		g_set_error(&error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT,
			    "--plot needs gnuplot, which is not on PATH "
			    "(Debian: apt-get install gnuplot-nox)");
		goto out;
	}
	/* (gnuplot would skip a file it cannot read and draw the figures
	 * without it, saying nothing in its exit status.) */
	g_array_set_clear_func(kernel_rows, kernel_row_clear);
	if (kernel_csv != NULL && !g_file_test(kernel_csv, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(&error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
			    "--kernel-csv %s: no such file", kernel_csv);
		goto out;
	}
	if (kernel_csv != NULL &&
	    !kernel_rows_load(kernel_csv, config.cold ? "cold" : "warm",
			      config.fast_path == SIM_READ_FAST_TASK ? "task" : "proxy", kernel_rows,
			      &error))
		goto out;
	if (calib == NULL && (calib_found = mosaic_data_file("calibration.tsv")) == NULL) {
		char *places = mosaic_data_places("calibration.tsv");
		g_set_error(&error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
			    "no calibration (looked in %s): give one with --calibration FILE",
			    places);
		g_free(places);
		goto out;
	}
	struct sim_cost cost;
	const char *calib_path = calib != NULL ? calib : calib_found;
	if (!sim_cost_load(&cost, calib_path, &error))
		goto out;

	gboolean progress = isatty(STDERR_FILENO);
	for (int i = 1; i < argc; i++) {
		struct sim_replay_result *res = run_one(&config, argv[i], progress, &error);
		if (res == NULL) {
			g_prefix_error(&error, "%s: ", argv[i]);
			goto out;
		}
		g_ptr_array_add(results, res);
	}

	char *meta = g_strdup_printf("mosaic %s; calibration=%s; cache=%s; frames=%d; seed=%"
				     G_GINT64_FORMAT "; fast=%s", mosaic_version(), calib_path,
				     config.cold ? "cold" : "warm", frames, seed,
				     config.fast_path == SIM_READ_FAST_TASK ? "task" : "proxy");
	const struct sim_replay_result *const *res =
		(const struct sim_replay_result *const *)results->pdata;
	if (csv)
		sim_replay_print_csv(stdout, res, results->len, &cost, meta);
	else if (json)
		sim_replay_print_json(stdout, res, results->len, &cost, meta);
	else {
		printf("mosaic replay: %s\n\n", meta);
		sim_replay_print_table(stdout, res, results->len, &cost, sim_speed);
		if (kernel_csv != NULL) {
			fputc('\n', stdout);
			kernel_table_print(stdout, kernel_csv, kernel_rows, res, results->len, &cost,
					   config.cold ? "cold" : "warm",
					   config.fast_path == SIM_READ_FAST_TASK ? "task" : "proxy");
		}
	}
	if (plot_dir != NULL) {
		if (g_mkdir_with_parents(plot_dir, 0777) != 0) {
			g_set_error(&error, G_FILE_ERROR, g_file_error_from_errno(errno),
				    "cannot make %s: %s", plot_dir, g_strerror(errno));
			g_free(meta);
			goto out;
		}
		char *csv_path = g_build_filename(plot_dir, "replay.csv", NULL);
		FILE *f = fopen(csv_path, "w");
		if (f == NULL) {
			g_set_error(&error, G_FILE_ERROR, g_file_error_from_errno(errno),
				    "cannot write %s: %s", csv_path, g_strerror(errno));
			g_free(csv_path);
			g_free(meta);
			goto out;
		}
		sim_replay_print_csv(f, res, results->len, &cost, meta);
		gboolean written = fclose(f) == 0;
		g_free(csv_path);
		if (!written || !draw(gnuplot, plot_dir, kernel_csv, &error)) {
			if (error == NULL)
				g_set_error(&error, G_FILE_ERROR, G_FILE_ERROR_IO,
					    "cannot write %s/replay.csv", plot_dir);
			g_free(meta);
			goto out;
		}
		fprintf(stderr, "mosaic replay: figures in %s:", plot_dir);
		for (size_t i = 0; i < G_N_ELEMENTS(figures); i++)
			fprintf(stderr, " %s.png %s.svg", figures[i], figures[i]);
		fprintf(stderr, " (data: replay.csv)\n");
	}
	g_free(meta);
	status = fflush(stdout) == 0 ? 0 : 1;
out:
	if (error != NULL) {
		fprintf(stderr, "mosaic replay: %s\n", error->message);
		/* A bad command line is a usage error; anything else failed work. */
		if (error->domain == G_OPTION_ERROR)
			status = 2;
		g_error_free(error);
	}
	g_ptr_array_free(results, TRUE);
	g_array_free(kernel_rows, TRUE);
	g_option_context_free(octx);
	g_free(path_opt);
	g_free(cache_opt);
	g_free(form_opt);
	g_free(calib);
	g_free(calib_found);
	g_free(plot_dir);
	g_free(kernel_csv);
	g_free(gnuplot);
	return status;
}

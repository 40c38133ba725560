/*
 * sim_replay.c: the replay engine and its reports (see sim_replay.h).
 *
 * State is bounded by the trace's files and clients, never by its length:
 * each read updates one cell per path and is forgotten.  The clients'
 * buffers live in the simulated world, which is host memory: those of the
 * clients that read last are kept, up to SIM_REPLAY_CLIENT_BYTES (the
 * config's client_bytes) together; a client that read longest ago gives
 * its buffer back to make room, and is made again (not counted) when it
 * reads again.
 */
#include "sim_replay.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <time.h>

G_DEFINE_QUARK(sim-replay-error-quark, sim_replay_error)

struct replay_client {
	struct sim_client *client;      /* NULL: none yet, or given back */
	uint64_t bufsize;               /* its buffer's size, kept when given back */
	uint64_t last_read;             /* r->reads when it last read */
};

struct sim_replay {
	struct sim_replay_config config;
	struct sim_vm *vm;
	struct sim_translator *tr;
	GArray *clients;                /* struct replay_client, index = client id */
	uint64_t client_bytes;          /* the live clients' buffers */
	uint64_t reads;
	struct sim_replay_result result;
};

static uint64_t replay_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

unsigned sim_replay_bucket(uint64_t len)
{
	unsigned k = 0;
	while (k + 1 < SIM_REPLAY_BUCKETS && ((uint64_t)1 << k) < len)
		k++;
	return k;
}

struct sim_replay *sim_replay_create(const struct sim_replay_config *config,
				     const char *trace_name, GError **error)
{
	struct sim_replay *r = g_new0(struct sim_replay, 1);
	struct sim_vm_config vc = { .seed = config->seed, .frames = config->frames };

	r->config = *config;
	if (r->config.client_bytes == 0)
		r->config.client_bytes = SIM_REPLAY_CLIENT_BYTES;
	r->result.trace = g_strdup(trace_name);
	r->clients = g_array_new(FALSE, TRUE, sizeof(struct replay_client));
	r->vm = sim_vm_create(&vc);
	if (r->vm == NULL) {
		g_set_error(error, SIM_REPLAY_ERROR, SIM_REPLAY_ERROR_FAILED, "cannot create the simulated VM");
		goto fail;
	}
	r->tr = sim_translator_create(r->vm, config->content, config->content_ctx);
	if (r->tr == NULL) {
		g_set_error(error, SIM_REPLAY_ERROR, SIM_REPLAY_ERROR_FAILED, "cannot create the translator");
		goto fail;
	}
	if ((config->run_old && !sim_translator_has_path(SIM_READ_OLD)) ||
	    (config->run_fast && !sim_translator_has_path(config->fast_path))) {
		g_set_error(error, SIM_REPLAY_ERROR, SIM_REPLAY_ERROR_UNSUPPORTED,
			    "the %s path is not available in this build",
			    config->run_fast ? sim_read_path_name(config->fast_path) : "old");
		goto fail;
	}
	return r;
fail:
	sim_replay_destroy(r);
	return NULL;
}

void sim_replay_destroy(struct sim_replay *r)
{
	if (r == NULL)
		return;
	sim_translator_destroy(r->tr);
	if (r->vm != NULL)
		sim_vm_destroy(r->vm);
	g_array_free(r->clients, TRUE);
	g_free(r->result.trace);
	g_free(r);
}

gboolean sim_replay_add_file(struct sim_replay *r, uint32_t file, uint64_t size,
			     GError **error)
{
	/* A warm cache is made read by read (replay_one): a file's declared
	 * size costs nothing until its bytes are read. */
	vmc_kr_t kr = sim_translator_add_file(r->tr, file, size);
	if (kr != KERN_SUCCESS) {
		g_set_error(error, SIM_REPLAY_ERROR, SIM_REPLAY_ERROR_FAILED, "file %" PRIu32 ": %s", file,
			    vmc_kr_name(kr));
		return FALSE;
	}
	return TRUE;
}

/* Ends client rc's task and buffer; its size is kept for the next. */
static void replay_client_give_back(struct sim_replay *r, struct replay_client *rc)
{
	sim_client_destroy(rc->client);
	rc->client = NULL;
	r->client_bytes -= rc->bufsize;
}

/* Do the live clients' buffers leave room for one of size bytes?
 * (Subtracts: never wraps.) */
static gboolean replay_client_room(const struct sim_replay *r, uint64_t size)
{
	return r->client_bytes <= r->config.client_bytes &&
	       size <= r->config.client_bytes - r->client_bytes;
}

/* Gives back the buffer of the live client that read longest ago; false
 * if there is none. */
static gboolean replay_client_retire_oldest(struct sim_replay *r)
{
	struct replay_client *oldest = NULL;

	for (guint i = 0; i < r->clients->len; i++) {
		struct replay_client *rc = &g_array_index(r->clients, struct replay_client, i);
		if (rc->client != NULL && (oldest == NULL || rc->last_read < oldest->last_read))
			oldest = rc;
	}
	if (oldest == NULL)
		return FALSE;
	replay_client_give_back(r, oldest);
	return TRUE;
}

/* The client `id`, with a buffer of at least len bytes (a client whose
 * buffer is too small is replaced by one with a buffer twice as large). */
static struct sim_client *replay_client(struct sim_replay *r, uint32_t id, uint64_t len,
					GError **error)
{
	if (id >= r->clients->len)
		g_array_set_size(r->clients, id + 1);
	struct replay_client *rc = &g_array_index(r->clients, struct replay_client, id);
	rc->last_read = ++r->reads;
	if (rc->client != NULL && rc->bufsize >= len)
		return rc->client;

	uint64_t size = MAX(rc->bufsize, VMC_PAGE_SIZE);
	while (size < len)
		size *= 2;
	/* The old buffer goes, then as many others as the new one needs room
	 * for (the one being read into always gets its buffer). */
	if (rc->client != NULL)
		replay_client_give_back(r, rc);
	while (!replay_client_room(r, size) && replay_client_retire_oldest(r))
		;
	char label[32];
	g_snprintf(label, sizeof(label), "client%" PRIu32, id);
	vmc_kr_t kr = KERN_SUCCESS;
	struct sim_client *c = sim_client_create(r->tr, label, size, &kr);
	if (c == NULL) {
		g_set_error(error, SIM_REPLAY_ERROR, SIM_REPLAY_ERROR_FAILED,
			    "client %" PRIu32 ": cannot create it with a %" PRIu64
			    "-byte buffer: %s", id, size, vmc_kr_name(kr));
		return NULL;
	}
	rc->client = c;
	rc->bufsize = size;
	r->client_bytes += size;
	return c;
}

/* One read by one path, counted into its cell and verified. */
static gboolean replay_one(struct sim_replay *r, struct sim_client *c, int which,
			   enum sim_read_path path, uint32_t file, uint64_t offset,
			   uint64_t len, GError **error)
{
	struct sim_replay_cell *cell = &r->result.cell[which][sim_replay_bucket(len)];
	uint64_t done = 0;
	vmc_kr_t kr;

	/* The cache as asked, for this read's pages, before it (not counted). */
	kr = r->config.cold ? sim_translator_evict(r->tr, file, offset, len)
			    : sim_translator_warm(r->tr, file, offset, len);
	if (kr != KERN_SUCCESS)
		goto fail;
	kr = sim_client_poison(c, file, offset, len);
	if (kr != KERN_SUCCESS)
		goto fail;
	uint64_t t0 = replay_now_ns();
	kr = sim_translator_read(r->tr, c, path, file, offset, len, &done, cell->events);
	cell->wall_ns += replay_now_ns() - t0;
	if (kr != KERN_SUCCESS)
		goto fail;
	cell->reads++;
	cell->bytes += done;
	if (!sim_client_verify(c, file, offset, done)) {
		g_set_error(error, SIM_REPLAY_ERROR, SIM_REPLAY_ERROR_BYTES,
			    "%s path: file %" PRIu32 " offset %" PRIu64 " length %" PRIu64
			    ": the client's buffer does not hold the file's bytes",
			    sim_read_path_name(path), file, offset, len);
		return FALSE;
	}
	r->result.verified++;
	return TRUE;
fail:
	g_set_error(error, SIM_REPLAY_ERROR, SIM_REPLAY_ERROR_FAILED,
		    "%s path: file %" PRIu32 " offset %" PRIu64 " length %" PRIu64 ": %s",
		    sim_read_path_name(path), file, offset, len, vmc_kr_name(kr));
	return FALSE;
}

gboolean sim_replay_read(struct sim_replay *r, uint32_t client, uint32_t file,
			 uint64_t offset, uint64_t len, GError **error)
{
	struct sim_client *c = replay_client(r, client, len, error);
	if (c == NULL)
		return FALSE;
	if (r->config.run_old &&
	    !replay_one(r, c, 0, SIM_READ_OLD, file, offset, len, error))
		return FALSE;
	if (r->config.run_fast &&
	    !replay_one(r, c, 1, r->config.fast_path, file, offset, len, error))
		return FALSE;
	return TRUE;
}

const struct sim_vm *sim_replay_world(const struct sim_replay *r)
{
	return r->vm;
}

const struct sim_replay_result *sim_replay_result(const struct sim_replay *r)
{
	return &r->result;
}

struct sim_replay_result *sim_replay_result_dup(const struct sim_replay_result *res)
{
	struct sim_replay_result *d = g_memdup2(res, sizeof(*res));
	d->trace = g_strdup(res->trace);
	return d;
}

void sim_replay_result_free(struct sim_replay_result *res)
{
	if (res == NULL)
		return;
	g_free(res->trace);
	g_free(res);
}

/* Reports ------------------------------------------------------------------ */

static const char *const path_label[2] = { "old", "fast" };

/* Adds every bucket of a path into one cell (the trace's "all" row). */
static void replay_cell_total(const struct sim_replay_result *res, int which,
			      struct sim_replay_cell *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned b = 0; b < SIM_REPLAY_BUCKETS; b++) {
		const struct sim_replay_cell *c = &res->cell[which][b];
		out->reads += c->reads;
		out->bytes += c->bytes;
		out->wall_ns += c->wall_ns;
		for (int ev = 0; ev < SIM_EV_COUNT; ev++)
			out->events[ev] += c->events[ev];
	}
}

/* Predicted microseconds per read of a cell (NAN if empty); by_event per
 * read too, if not NULL. */
static double replay_cell_us(const struct sim_replay_cell *c, const struct sim_cost *cost,
			     double by_event[SIM_EV_COUNT])
{
	double by[SIM_EV_COUNT];
	if (c->reads == 0) {
		if (by_event != NULL)
			for (int ev = 0; ev < SIM_EV_COUNT; ev++)
				by_event[ev] = NAN;
		return NAN;
	}
	double total = sim_cost_predict(cost, c->events, by) / (double)c->reads;
	if (by_event != NULL)
		for (int ev = 0; ev < SIM_EV_COUNT; ev++)
			by_event[ev] = by[ev] / (double)c->reads;
	return total;
}

static double replay_cell_wall_us(const struct sim_replay_cell *c)
{
	return c->reads == 0 ? NAN : (double)c->wall_ns / 1000.0 / (double)c->reads;
}

void sim_replay_chunk_label(unsigned b, char *out, size_t size)
{
	uint64_t v = (uint64_t)1 << b;
	if (v >= 1024 * 1024 && v % (1024 * 1024) == 0)
		g_snprintf(out, size, "%" PRIu64 "M", v >> 20);
	else if (v >= 1024)
		g_snprintf(out, size, "%" PRIu64 "K", v >> 10);
	else
		g_snprintf(out, size, "%" PRIu64, v);
}

/* "  12.34" or "      -" for a missing number. */
static void replay_print_num(FILE *out, int width, double v)
{
	if (isnan(v))
		fprintf(out, " %*s", width, "-");
	else
		fprintf(out, " %*.2f", width, v);
}

static void replay_print_row(FILE *out, const char *label, const struct sim_replay_cell *old,
			     const struct sim_replay_cell *fast, const struct sim_cost *cost,
			     bool sim_speed)
{
	double o = replay_cell_us(old, cost, NULL), f = replay_cell_us(fast, cost, NULL);
	fprintf(out, "%-6s %8" PRIu64, label, MAX(old->reads, fast->reads));
	replay_print_num(out, 11, o);
	replay_print_num(out, 11, f);
	replay_print_num(out, 7, o / f);
	replay_print_num(out, 8, o - f);
	if (sim_speed) {
		replay_print_num(out, 10, replay_cell_wall_us(old));
		replay_print_num(out, 10, replay_cell_wall_us(fast));
	}
	fputc('\n', out);
}

static void replay_print_events(FILE *out, const struct sim_replay_cell *old,
				const struct sim_replay_cell *fast)
{
	fprintf(out, "  events per read (all chunk sizes)   %10s %10s\n", "old", "fast");
	for (int ev = 0; ev < SIM_EV_COUNT; ev++) {
		double o = old->reads ? (double)old->events[ev] / (double)old->reads : NAN;
		double f = fast->reads ? (double)fast->events[ev] / (double)fast->reads : NAN;
		if ((isnan(o) || o == 0) && (isnan(f) || f == 0))
			continue;
		fprintf(out, "    %-32s", sim_cost_key(ev));
		replay_print_num(out, 10, o);
		replay_print_num(out, 10, f);
		fputc('\n', out);
	}
}

void sim_replay_print_table(FILE *out, const struct sim_replay_result *const *res, size_t n,
			    const struct sim_cost *cost, bool sim_speed)
{
	for (size_t i = 0; i < n; i++) {
		const struct sim_replay_result *r = res[i];
		unsigned rows = 0;
		fprintf(out, "%s\n", r->trace);
		fprintf(out, "%-6s %8s %11s %11s %7s %8s", "chunk", "reads", "old us", "fast us",
			"ratio", "saved");
		if (sim_speed)
			fprintf(out, " %10s %10s", "sim old", "sim fast");
		fputc('\n', out);
		for (unsigned b = 0; b < SIM_REPLAY_BUCKETS; b++) {
			if (r->cell[0][b].reads == 0 && r->cell[1][b].reads == 0)
				continue;
			char label[16];
			sim_replay_chunk_label(b, label, sizeof(label));
			replay_print_row(out, label, &r->cell[0][b], &r->cell[1][b], cost, sim_speed);
			rows++;
		}
		struct sim_replay_cell old, fast;
		replay_cell_total(r, 0, &old);
		replay_cell_total(r, 1, &fast);
		if (rows > 1)
			replay_print_row(out, "all", &old, &fast, cost, sim_speed);
		replay_print_events(out, &old, &fast);
		fprintf(out, "  %" PRIu64 " reads verified (bytes equal the file's)\n\n", r->verified);
	}
	fprintf(out, "us: predicted microseconds per read (event counts x calibration); "
		"ratio: old / fast;\nsaved: old - fast.\n");
	if (sim_speed)
		fprintf(out, "sim old, sim fast: the simulator's own speed, host microseconds it "
			"took to simulate\na read (not a prediction of any kernel's time).\n");
}

double sim_replay_cell_us(const struct sim_replay_cell *cell, const struct sim_cost *cost)
{
	return replay_cell_us(cell, cost, NULL);
}

static void replay_csv_num(FILE *out, double v)
{
	if (isnan(v))
		fputs(",", out);
	else
		fprintf(out, ",%.6g", v);
}

void sim_replay_print_csv(FILE *out, const struct sim_replay_result *const *res, size_t n,
			  const struct sim_cost *cost, const char *meta)
{
	fprintf(out, "# mosaic replay, format 3\n# %s\n", meta);
	fputs("trace,chunk,reads,bytes,old_us,fast_us,speedup,old_wall_us,fast_wall_us", out);
	for (int w = 0; w < 2; w++)
		for (int ev = 0; ev < SIM_EV_COUNT; ev++)
			fprintf(out, ",%s_us_%s", path_label[w], sim_cost_key(ev));
	for (int w = 0; w < 2; w++)
		for (int ev = 0; ev < SIM_EV_COUNT; ev++)
			fprintf(out, ",%s_n_%s", path_label[w], sim_cost_key(ev));
	fputc('\n', out);
	for (size_t i = 0; i < n; i++) {
		const struct sim_replay_result *r = res[i];
		for (unsigned b = 0; b < SIM_REPLAY_BUCKETS; b++) {
			const struct sim_replay_cell *c[2] = { &r->cell[0][b], &r->cell[1][b] };
			if (c[0]->reads == 0 && c[1]->reads == 0)
				continue;
			double by[2][SIM_EV_COUNT];
			double us[2] = { replay_cell_us(c[0], cost, by[0]),
					 replay_cell_us(c[1], cost, by[1]) };
			fprintf(out, "%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64, r->trace,
				(uint64_t)1 << b, MAX(c[0]->reads, c[1]->reads),
				MAX(c[0]->bytes, c[1]->bytes));
			replay_csv_num(out, us[0]);
			replay_csv_num(out, us[1]);
			replay_csv_num(out, us[0] / us[1]);
			replay_csv_num(out, replay_cell_wall_us(c[0]));
			replay_csv_num(out, replay_cell_wall_us(c[1]));
			for (int w = 0; w < 2; w++)
				for (int ev = 0; ev < SIM_EV_COUNT; ev++)
					replay_csv_num(out, by[w][ev]);
			for (int w = 0; w < 2; w++)
				for (int ev = 0; ev < SIM_EV_COUNT; ev++)
					replay_csv_num(out, c[w]->reads ? (double)c[w]->events[ev] /
						       (double)c[w]->reads : NAN);
			fputc('\n', out);
		}
	}
}

static void replay_json_num(FILE *out, double v)
{
	if (isnan(v))
		fputs("null", out);
	else
		fprintf(out, "%.6g", v);
}

static void replay_json_cell(FILE *out, const struct sim_replay_cell *c,
			     const struct sim_cost *cost)
{
	double by[SIM_EV_COUNT];
	double us = replay_cell_us(c, cost, by);
	fprintf(out, "{\"reads\": %" PRIu64 ", \"bytes\": %" PRIu64 ", \"us_per_read\": ",
		c->reads, c->bytes);
	replay_json_num(out, us);
	fputs(", \"wall_us_per_read\": ", out);
	replay_json_num(out, replay_cell_wall_us(c));
	fputs(", \"events\": {", out);
	for (int ev = 0; ev < SIM_EV_COUNT; ev++)
		fprintf(out, "%s\"%s\": %" PRIu64, ev ? ", " : "", sim_cost_key(ev), c->events[ev]);
	fputs("}, \"us_per_read_by_event\": {", out);
	for (int ev = 0; ev < SIM_EV_COUNT; ev++) {
		fprintf(out, "%s\"%s\": ", ev ? ", " : "", sim_cost_key(ev));
		replay_json_num(out, by[ev]);
	}
	fputs("}}", out);
}

static void replay_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

void sim_replay_print_json(FILE *out, const struct sim_replay_result *const *res, size_t n,
			   const struct sim_cost *cost, const char *meta)
{
	fputs("{\"format\": \"mosaic-replay-1\", \"meta\": ", out);
	replay_json_string(out, meta);
	fputs(", \"traces\": [", out);
	for (size_t i = 0; i < n; i++) {
		const struct sim_replay_result *r = res[i];
		fprintf(out, "%s\n {\"trace\": ", i ? "," : "");
		replay_json_string(out, r->trace);
		fprintf(out, ", \"verified\": %" PRIu64 ", \"chunks\": [", r->verified);
		bool first = true;
		for (unsigned b = 0; b < SIM_REPLAY_BUCKETS; b++) {
			if (r->cell[0][b].reads == 0 && r->cell[1][b].reads == 0)
				continue;
			fprintf(out, "%s\n  {\"chunk\": %" PRIu64 ", \"old\": ", first ? "" : ",",
				(uint64_t)1 << b);
			replay_json_cell(out, &r->cell[0][b], cost);
			fputs(", \"fast\": ", out);
			replay_json_cell(out, &r->cell[1][b], cost);
			fputc('}', out);
			first = false;
		}
		struct sim_replay_cell old, fast;
		replay_cell_total(r, 0, &old);
		replay_cell_total(r, 1, &fast);
		fputs("],\n  \"all\": {\"old\": ", out);
		replay_json_cell(out, &old, cost);
		fputs(", \"fast\": ", out);
		replay_json_cell(out, &fast, cost);
		fputs("}}", out);
	}
	fputs("]}\n", out);
}

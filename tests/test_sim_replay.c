/*
 * test_sim_replay.c: the replay engine (sim/replay/sim_replay.c) and the replay of
 * every bundled trace (traces/workloads/), every read's bytes verified.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "replay_trace.h"
#include "sim_replay.h"

static uint64_t test_seed = 1;

static void content(void *ctx, uint32_t file, uint64_t offset, unsigned char *out, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++)
		out[i] = (unsigned char)((offset + i) * 13 + file * 101 + ((offset + i) >> 9));
}

static struct sim_replay_config config_both(void)
{
	struct sim_replay_config c = {
		.run_old = true, .run_fast = false, .fast_path = SIM_READ_FAST_PROXY,
		.cold = false, .frames = 0, .seed = test_seed,
		.content = content, .content_ctx = NULL,
	};
	if (!sim_translator_has_path(SIM_READ_FAST_PROXY))
		c.fast_path = SIM_READ_FAST_TASK;
	c.run_fast = sim_translator_has_path(c.fast_path);
	return c;
}

static void test_replay_bucket_is_next_power_of_two(void **state)
{
	(void)state;
	assert_int_equal(sim_replay_bucket(0), 0);
	assert_int_equal(sim_replay_bucket(1), 0);
	assert_int_equal(sim_replay_bucket(2), 1);
	assert_int_equal(sim_replay_bucket(1000), 10);
	assert_int_equal(sim_replay_bucket(1024), 10);
	assert_int_equal(sim_replay_bucket(1025), 11);
	assert_int_equal(sim_replay_bucket(UINT64_MAX), SIM_REPLAY_BUCKETS - 1);
}

static void test_replay_counts_and_verifies_every_read(void **state)
{
	(void)state;
	struct sim_replay_config c = config_both();
	GError *err = NULL;
	struct sim_replay *r = sim_replay_create(&c, "t", &err);
	assert_non_null(r);
	assert_true(sim_replay_add_file(r, 0, 100000, &err));
	assert_true(sim_replay_add_file(r, 1, 5000, &err));
	uint64_t reads = 0;
	for (uint64_t off = 0; off < 100000; off += 4096, reads++)
		assert_true(sim_replay_read(r, (uint32_t)(reads % 3), 0, off, 4096, &err));
	assert_true(sim_replay_read(r, 7, 1, 10, 1000, &err));
	/* A client whose buffer grows. */
	assert_true(sim_replay_read(r, 0, 0, 1, 70000, &err));
	const struct sim_replay_result *res = sim_replay_result(r);
	const struct sim_replay_cell *old4k = &res->cell[0][12];
	assert_int_equal(old4k->reads, reads);
	/* The last read is cut at the end of the file. */
	assert_int_equal(old4k->bytes, 100000);
	assert_int_equal(res->cell[0][10].reads, 1);
	assert_int_equal(res->cell[0][17].reads, 1);
	int paths = c.run_fast ? 2 : 1;
	assert_int_equal(res->verified, (reads + 2) * (uint64_t)paths);
	if (c.run_fast)
		assert_int_equal(res->cell[1][12].reads, reads);
	sim_replay_destroy(r);
}

static void test_replay_rejects_unknown_file(void **state)
{
	(void)state;
	struct sim_replay_config c = config_both();
	GError *err = NULL;
	struct sim_replay *r = sim_replay_create(&c, "t", &err);
	assert_non_null(r);
	assert_false(sim_replay_read(r, 0, 3, 0, 10, &err));
	assert_non_null(err);
	g_error_free(err);
	sim_replay_destroy(r);
}

/* Renders the outputs into memory and checks their shape. */
/* The text table of one result. */
static char *table_text(const struct sim_replay_result *res, const struct sim_cost *cost,
			bool sim_speed)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	sim_replay_print_table(m, &res, 1, cost, sim_speed);
	fclose(m);
	return buf;
}

static void test_replay_outputs_have_expected_shape(void **state)
{
	(void)state;
	struct sim_replay_config c = config_both();
	GError *err = NULL;
	struct sim_replay *r = sim_replay_create(&c, "shape", &err);
	assert_non_null(r);
	assert_true(sim_replay_add_file(r, 0, 65536, &err));
	for (int i = 0; i < 10; i++)
		assert_true(sim_replay_read(r, 0, 0, (uint64_t)i * 1024, 1024, &err));
	struct sim_cost cost;
	for (int ev = 0; ev < SIM_EV_COUNT; ev++)
		cost.us[ev] = 1;
	const struct sim_replay_result *res = sim_replay_result(r);

	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	sim_replay_print_csv(m, &res, 1, &cost, "meta");
	fclose(m);
	char **lines = g_strsplit(buf, "\n", -1);
	assert_true(g_str_has_prefix(lines[0], "# mosaic replay, format 3"));
	assert_true(g_str_has_prefix(lines[2], "trace,chunk,reads,bytes,old_us,fast_us,speedup"));
	assert_true(g_str_has_prefix(lines[3], "shape,1024,10,10240,"));
	/* Same number of fields in the header and the row. */
	char **head = g_strsplit(lines[2], ",", -1), **row = g_strsplit(lines[3], ",", -1);
	assert_int_equal(g_strv_length(head), g_strv_length(row));
	assert_int_equal(g_strv_length(head), 9 + 4 * SIM_EV_COUNT);
	g_strfreev(head);
	g_strfreev(row);
	g_strfreev(lines);
	free(buf);

	m = open_memstream(&buf, &len);
	sim_replay_print_json(m, &res, 1, &cost, "meta");
	fclose(m);
	assert_non_null(strstr(buf, "\"trace\": \"shape\""));
	assert_non_null(strstr(buf, "\"chunk\": 1024"));
	free(buf);

	buf = table_text(res, &cost, false);
	assert_non_null(strstr(buf, "1K"));
	char want[64];
	g_snprintf(want, sizeof(want), "%llu reads verified", (unsigned long long)res->verified);
	assert_non_null(strstr(buf, want));
	/* The host's time is the simulator's speed, not a prediction: not in
	 * the default table, and named so when asked for. */
	assert_null(strstr(buf, "wall"));
	assert_null(strstr(buf, "sim old"));
	assert_null(strstr(buf, "host"));
	free(buf);
	buf = table_text(res, &cost, true);
	assert_non_null(strstr(buf, "sim old   sim fast"));
	assert_non_null(strstr(buf, "the simulator's own speed"));
	free(buf);
	sim_replay_destroy(r);
}

/* Replays one bundled trace through the adapter, as `mosaic replay` does,
 * and checks that every read of every path was verified. */
struct bundled {
	struct sim_replay *r;
	uint64_t reads;
};

static gboolean bundled_file(void *ctx, uint32_t file, const char *name, uint64_t size,
			     GError **error)
{
	struct bundled *b = ctx;
	(void)name;
	return sim_replay_add_file(b->r, file, size, error);
}

static gboolean bundled_read(void *ctx, uint32_t client, uint32_t file, uint64_t offset,
			     uint64_t len, GError **error)
{
	struct bundled *b = ctx;
	b->reads++;
	return sim_replay_read(b->r, client, file, offset, len, error);
}

static void replay_bundled(const char *path, bool cold, uint32_t frames)
{
	struct replay_trace *t = replay_trace_new();
	struct sim_replay_config c = config_both();
	c.content = replay_trace_content;
	c.content_ctx = t;
	c.cold = cold;
	c.frames = frames;
	GError *err = NULL;
	struct bundled b = { .r = sim_replay_create(&c, path, &err) };
	assert_non_null(b.r);
	struct replay_trace_sink sink = { .file = bundled_file, .read = bundled_read, .ctx = &b };
	if (!replay_trace_stream(t, path, &sink, &err))
		fail_msg("%s (%s, %u frames): %s", path, cold ? "cold" : "warm", frames,
			 err->message);
	const struct sim_replay_result *res = sim_replay_result(b.r);
	assert_true(b.reads > 0);
	assert_int_equal(res->verified, b.reads * (c.run_fast ? 2 : 1));
	printf("# %s (%s, %u frames): %llu reads verified\n", path, cold ? "cold" : "warm",
	       frames, (unsigned long long)res->verified);
	sim_replay_destroy(b.r);
	replay_trace_free(t);
}

static gint bundled_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.trace under traces/workloads (and real/). */
static GPtrArray *bundled_traces(void)
{
	const char *root = g_getenv("MOSAIC_SOURCE_ROOT");
	assert_non_null(root);
	GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
	const char *dirs[] = { "traces/workloads", "traces/workloads/real" };
	for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
		char *dir = g_build_filename(root, dirs[i], NULL);
		GDir *d = g_dir_open(dir, 0, NULL);
		assert_non_null(d);
		const char *name;
		while ((name = g_dir_read_name(d)) != NULL)
			if (g_str_has_suffix(name, ".trace"))
				g_ptr_array_add(paths, g_build_filename(dir, name, NULL));
		g_dir_close(d);
		g_free(dir);
	}
	/* Directory order is the file system's: sort, so runs are identical. */
	g_ptr_array_sort(paths, bundled_cmp);
	return paths;
}

static void test_replay_bundled_traces_warm_verify_every_read(void **state)
{
	(void)state;
	GPtrArray *paths = bundled_traces();
	/* The four seed workloads, the random mix and the five real traces. */
	assert_true(paths->len >= 10);
	for (guint i = 0; i < paths->len; i++)
		replay_bundled(g_ptr_array_index(paths, i), false, 0);
	g_ptr_array_free(paths, TRUE);
}

static void test_replay_bundled_traces_cold_verify_every_read(void **state)
{
	(void)state;
	GPtrArray *paths = bundled_traces();
	for (guint i = 0; i < paths->len; i++)
		replay_bundled(g_ptr_array_index(paths, i), true, 0);
	g_ptr_array_free(paths, TRUE);
}

/* The working set of a trace: distinct (file, page) pairs its reads touch. */
static gboolean ws_file(void *ctx, uint32_t file, const char *name, uint64_t size,
			GError **error)
{
	(void)ctx, (void)file, (void)name, (void)size, (void)error;
	return TRUE;
}

static gboolean ws_read(void *ctx, uint32_t client, uint32_t file, uint64_t offset,
			uint64_t len, GError **error)
{
	GHashTable *pages = ctx;
	(void)client, (void)error;
	for (uint64_t p = offset / 4096; len > 0 && p <= (offset + len - 1) / 4096; p++)
		g_hash_table_add(pages, GSIZE_TO_POINTER(((gsize)file << 40) | (gsize)p));
	return TRUE;
}

static uint32_t working_set(const char *path)
{
	struct replay_trace *t = replay_trace_new();
	GHashTable *pages = g_hash_table_new(g_direct_hash, g_direct_equal);
	struct replay_trace_sink sink = { .file = ws_file, .read = ws_read, .ctx = pages };
	GError *err = NULL;
	if (!replay_trace_stream(t, path, &sink, &err))
		fail_msg("%s: %s", path, err->message);
	uint32_t n = g_hash_table_size(pages);
	g_hash_table_destroy(pages);
	replay_trace_free(t);
	return n;
}

/* Every bundled trace, warm and cold, in a quarter of the frames its reads
 * touch (at least 16, below its working set): pages are evicted and read
 * back all the time, and every read of both paths still returns the file's
 * bytes. */
static void test_replay_under_memory_pressure_verifies_every_read(void **state)
{
	(void)state;
	GPtrArray *paths = bundled_traces();
	for (guint i = 0; i < paths->len; i++) {
		const char *path = g_ptr_array_index(paths, i);
		uint32_t ws = working_set(path);
		uint32_t frames = ws / 4 > 16 ? ws / 4 : 16;
		printf("# %s: working set %u pages, %u frames\n", path, ws, frames);
		assert_true(frames < ws);
		replay_bundled(path, false, frames);
		replay_bundled(path, true, frames);
	}
	g_ptr_array_free(paths, TRUE);
}

/* The world holds what is live: the file's pages and the buffers of the
 * clients that read last, up to the config's client_bytes together, not a
 * buffer for every client that ever read (16 clients of 32 MiB reads once
 * held 16 buffers, 885 MB of peak RSS), nor the old buffer of a client
 * whose reads grew.  Counted in the world's pages (sim_vm_pages_held),
 * after every read; every read still verified. */
static void test_replay_holds_only_the_live_clients_buffers(void **state)
{
	(void)state;
	struct sim_replay_config c = config_both();
	const uint64_t P = VMC_PAGE_SIZE, file = 4 << 20, len = 256 << 10;
	GError *err = NULL;

	c.client_bytes = 1 << 20;       /* four buffers of 256 KiB */
	struct sim_replay *r = sim_replay_create(&c, "t", &err);
	assert_non_null(r);
	assert_true(sim_replay_add_file(r, 0, file, &err));
	/* The file's pages, every one of which the reads below touch, the
	 * live buffers, and a few of the translator's own. */
	const uint64_t bound = file / P + c.client_bytes / P + 16;
	uint64_t most = 0, reads = 0;
	for (int round = 0; round < 2; round++) {
		for (uint32_t client = 0; client < 16; client++, reads++) {
			assert_true(sim_replay_read(r, client, 0, (client * len) % file, len, &err));
			uint64_t held = sim_vm_pages_held(sim_replay_world(r));
			most = MAX(most, held);
			if (held > bound)
				fail_msg("round %d, client %u: %llu pages held, more than %llu", round,
					 client, (unsigned long long)held, (unsigned long long)bound);
		}
	}
	/* One client whose reads grow to 1 MiB: its old buffers go. */
	for (uint64_t n = P; n <= c.client_bytes; n *= 2, reads++) {
		assert_true(sim_replay_read(r, 99, 0, 0, n, &err));
		uint64_t held = sim_vm_pages_held(sim_replay_world(r));
		most = MAX(most, held);
		if (held > bound)
			fail_msg("a read of %llu: %llu pages held, more than %llu",
				 (unsigned long long)n, (unsigned long long)held,
				 (unsigned long long)bound);
	}
	/* A read larger than client_bytes is served all the same. */
	assert_true(sim_replay_read(r, 5, 0, 0, 2 * c.client_bytes, &err));
	reads++;
	printf("# at most %llu pages held (bound %llu)\n", (unsigned long long)most,
	       (unsigned long long)bound);
	int paths = c.run_fast ? 2 : 1;
	assert_int_equal(sim_replay_result(r)->verified, reads * (uint64_t)paths);
	sim_replay_destroy(r);
}

int main(void)
{
	const char *s = g_getenv("MOSAIC_TEST_SEED");
	if (s != NULL)
		test_seed = g_ascii_strtoull(s, NULL, 10);
	printf("# seed %llu (set MOSAIC_TEST_SEED to change)\n", (unsigned long long)test_seed);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_bucket_is_next_power_of_two),
		cmocka_unit_test(test_replay_counts_and_verifies_every_read),
		cmocka_unit_test(test_replay_rejects_unknown_file),
		cmocka_unit_test(test_replay_outputs_have_expected_shape),
		cmocka_unit_test(test_replay_bundled_traces_warm_verify_every_read),
		cmocka_unit_test(test_replay_bundled_traces_cold_verify_every_read),
		cmocka_unit_test(test_replay_under_memory_pressure_verifies_every_read),
		cmocka_unit_test(test_replay_holds_only_the_live_clients_buffers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

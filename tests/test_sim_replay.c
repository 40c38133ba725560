/*
 * test_sim_replay.c: the replay engine (sim/sim_replay.c) and the replay of
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
	c.run_fast = sim_translator_has_path(SIM_READ_FAST_PROXY);
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
	assert_true(g_str_has_prefix(lines[0], "# mosaic replay, format 1"));
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

	m = open_memstream(&buf, &len);
	sim_replay_print_table(m, &res, 1, &cost);
	fclose(m);
	assert_non_null(strstr(buf, "1K"));
	assert_non_null(strstr(buf, "10 reads verified"));
	free(buf);
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

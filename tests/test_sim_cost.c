/*
 * test_sim_cost.c: the cost model (sim/replay/sim_cost.c).
 *
 * The parser must accept the bundled calibration file and reject every kind
 * of bad file without touching the caller's table; the prediction must be
 * the dot product of counts and costs, broken down per event.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim_cost.h"

/* A valid file with cost (ev + 1) for event ev, built at run time. */
static char *cost_text_valid(void)
{
	GString *s = g_string_new("# comment\nevent\tcost_us\tunit\tsource\n");
	for (int ev = 0; ev < SIM_EV_COUNT; ev++)
		g_string_append_printf(s, "%s\t%d\t%s\ttest\n", sim_cost_key(ev), ev + 1,
				       ev == SIM_EV_BYTES_COPIED || ev == SIM_EV_MSG_BYTES ? "us/byte"
										     : "us/event");
	return g_string_free(s, FALSE);
}

static void test_cost_parse_accepts_every_event(void **state)
{
	(void)state;
	struct sim_cost c;
	GError *err = NULL;
	char *text = cost_text_valid();
	assert_true(sim_cost_parse(&c, text, "t", &err));
	assert_null(err);
	for (int ev = 0; ev < SIM_EV_COUNT; ev++)
		assert_true(c.us[ev] == ev + 1);
	g_free(text);
}

/* Replaces the first occurrence of `from` in the valid text by `to`, parses,
 * and checks the parse fails and leaves the table alone. */
static void cost_expect_reject(const char *from, const char *to, const char *why)
{
	char *text = cost_text_valid();
	char *at = strstr(text, from);
	assert_non_null(at);
	GString *s = g_string_new_len(text, at - text);
	g_string_append(s, to);
	g_string_append(s, at + strlen(from));

	struct sim_cost c;
	for (int ev = 0; ev < SIM_EV_COUNT; ev++)
		c.us[ev] = -7;
	GError *err = NULL;
	assert_false(sim_cost_parse(&c, s->str, "t", &err));
	assert_non_null(err);
	if (strstr(err->message, why) == NULL)
		fail_msg("message '%s' does not mention '%s'", err->message, why);
	for (int ev = 0; ev < SIM_EV_COUNT; ev++)
		assert_true(c.us[ev] == -7);
	g_error_free(err);
	g_string_free(s, TRUE);
	g_free(text);
}

static void test_cost_parse_rejects_bad_files(void **state)
{
	(void)state;
	cost_expect_reject("event\tcost_us", "evnt\tcost_us", "header");
	cost_expect_reject("rpc\t1\t", "rpx\t1\t", "unknown event");
	cost_expect_reject("trap\t2\t", "rpc\t2\t", "twice");
	cost_expect_reject("trap\t2\t", "trap\t-2\t", "bad cost");
	cost_expect_reject("trap\t2\t", "trap\tnan\t", "bad cost");
	cost_expect_reject("trap\t2\t", "trap\t2x\t", "bad cost");
	cost_expect_reject("trap\t2\tus/event", "trap\t2\tus/byte", "unit");
	char bytes_line[64], bytes_bad[64];
	snprintf(bytes_line, sizeof bytes_line, "bytes_copied\t%d\tus/byte", SIM_EV_BYTES_COPIED + 1);
	snprintf(bytes_bad, sizeof bytes_bad, "bytes_copied\t%d\tus/event", SIM_EV_BYTES_COPIED + 1);
	cost_expect_reject(bytes_line, bytes_bad, "unit");
	cost_expect_reject("trap\t2\tus/event\ttest\n", "", "no cost for event 'trap'");
	cost_expect_reject("trap\t2\tus/event\ttest", "trap\t2\tus/event", "4 tab-separated");
}

static void test_cost_parse_rejects_empty_file(void **state)
{
	(void)state;
	struct sim_cost c = { { 0 } };
	GError *err = NULL;
	assert_false(sim_cost_parse(&c, "# only a comment\n", "t", &err));
	assert_non_null(err);
	g_error_free(err);
}

static void test_cost_load_reads_bundled_calibration(void **state)
{
	(void)state;
	const char *root = g_getenv("MOSAIC_SOURCE_ROOT");
	assert_non_null(root);
	char *path = g_build_filename(root, "bench", "calibration.tsv", NULL);
	struct sim_cost c;
	GError *err = NULL;
	if (!sim_cost_load(&c, path, &err))
		fail_msg("%s", err->message);
	/* The two numbers measured directly (bench/kernel-measurements.tsv,
	 * -icount: null RPC = median of limit_rpc - copy over the sizes, trap
	 * likewise). */
	assert_true(fabs(c.us[SIM_EV_RPC] - 1.310) < 1e-9);
	assert_true(fabs(c.us[SIM_EV_TRAP] - 0.424) < 1e-9);
	/* A 4K copy at the fitted rate is within 20% of the measured 1.604 us. */
	assert_true(fabs(c.us[SIM_EV_BYTES_COPIED] * 4096 - 1.604) < 0.32);
	g_free(path);
}

static void test_cost_load_missing_file_fails(void **state)
{
	(void)state;
	struct sim_cost c;
	GError *err = NULL;
	assert_false(sim_cost_load(&c, "/nonexistent/calibration.tsv", &err));
	assert_non_null(err);
	g_error_free(err);
}

static void test_cost_predict_is_dot_product_with_breakdown(void **state)
{
	(void)state;
	struct sim_cost c;
	uint64_t n[SIM_EV_COUNT];
	double by[SIM_EV_COUNT];
	double want = 0;
	for (int ev = 0; ev < SIM_EV_COUNT; ev++) {
		c.us[ev] = 0.25 * (ev + 1);
		n[ev] = (uint64_t)ev * 3 + 1;
		want += c.us[ev] * (double)n[ev];
	}
	double got = sim_cost_predict(&c, n, by);
	assert_true(fabs(got - want) < 1e-9);
	double sum = 0;
	for (int ev = 0; ev < SIM_EV_COUNT; ev++) {
		assert_true(fabs(by[ev] - c.us[ev] * (double)n[ev]) < 1e-12);
		sum += by[ev];
	}
	assert_true(fabs(sum - got) < 1e-9);
	/* Without a breakdown array, the same total. */
	assert_true(fabs(sim_cost_predict(&c, n, NULL) - want) < 1e-9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cost_parse_accepts_every_event),
		cmocka_unit_test(test_cost_parse_rejects_bad_files),
		cmocka_unit_test(test_cost_parse_rejects_empty_file),
		cmocka_unit_test(test_cost_load_reads_bundled_calibration),
		cmocka_unit_test(test_cost_load_missing_file_fails),
		cmocka_unit_test(test_cost_predict_is_dot_product_with_breakdown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_sim_scenario.c: the simulator's scenario interpreter
 * (sim/sim_scenario.c) and what it costs the host: a fill or check moves
 * its pattern in bounded chunks, one larger than the simulator holds is
 * refused, and a name bound again lets its old port (a proxy, and what the
 * proxy holds) go.  The scenario files of traces/scenarios/ test the
 * language itself (scenarios_sim).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"
#include "sim_scenario.h"

static const uint64_t seed = 1;

/* Runs text; its result lines and error lines into *lines and *errors. */
static int run(const char *text, char **lines, char **errors, unsigned *n, unsigned *failed)
{
	size_t lsize = 0, esize = 0;
	FILE *out = open_memstream(lines, &lsize), *err = open_memstream(errors, &esize);

	assert_non_null(out);
	assert_non_null(err);
	int r = sim_scenario_run("t.scn", text, strlen(text), seed, VMC_ADDR_BITS, out, err, n,
				 failed);
	fclose(out);
	fclose(err);
	printf("# seed %llu\n%s%s", (unsigned long long)seed, *lines, *errors);
	return r;
}

/* Fills and checks of several chunks (the interpreter makes its pattern
 * 64 KiB at a time), in its own memory and through vm_write and vm_read in
 * another task's: the bytes and the first differing offset are those of
 * the whole range, not of a chunk. */
static void test_scenario_fill_and_check_span_chunks(void **state)
{
	(void)state;
	static const char text[] =
		"scenario chunks\n"
		"alloc a self 50p\n"
		"fill a 3 200000 @7\n"
		"check a 3 200000 @7\n"
		"fill a 150003 1 @9\n"                  /* byte 150000 of the range */
		"check a 3 200000 @7 => mismatch\n"
		"check a 150003 1 @9\n"
		"task t\n"
		"alloc b t 50p\n"
		"fill b 0 50p @5\n"
		"check b 0 50p @5\n"
		"check b 0 50p @6 => mismatch\n";
	char *lines = NULL, *errors = NULL;
	unsigned n = 0, failed = 0;

	assert_int_equal(run(text, &lines, &errors, &n, &failed), 0);
	assert_int_equal(n, 1);
	assert_int_equal(failed, 0);
	assert_non_null(strstr(lines, "scn chunks 6 check KERN_SUCCESS mismatch@150000 ok\n"));
	assert_non_null(strstr(lines, "scn chunks 12 check KERN_SUCCESS mismatch@0 ok\n"));
	assert_string_equal(errors, "");
	free(lines);
	free(errors);
}

/* A fill or check of more than SIM_SCENARIO_TOUCH_MAX bytes inside its
 * region is refused, with the reason on the error stream, before a byte is
 * made: it once allocated the whole pattern in the host (a fill of tens of
 * GiB aborted or exhausted memory).  One outside its region is still the
 * kernel's KERN_INVALID_ARGUMENT, whatever its length. */
static void test_scenario_refuses_what_it_cannot_hold(void **state)
{
	(void)state;
	char text[512];
	char *lines = NULL, *errors = NULL;
	unsigned n = 0, failed = 0;
	const unsigned long long pages = SIM_SCENARIO_TOUCH_MAX / 4096 + 1;

	snprintf(text, sizeof text,
		 "scenario huge\n"
		 "alloc a self %llup\n"
		 "fill a 0 %llup @1\n"
		 "check a 0 %llup @1\n"
		 "fill a 1 %llup @1 => KERN_INVALID_ARGUMENT\n"
		 "check a 0 1p zero\n",
		 pages, pages, pages, pages);
	assert_int_equal(run(text, &lines, &errors, &n, &failed), 0);
	assert_int_equal(n, 1);
	assert_int_equal(failed, 1);
	assert_non_null(strstr(lines, "scn huge 3 fill refused FAIL want KERN_SUCCESS\n"));
	assert_non_null(strstr(lines, "scn huge 4 check refused FAIL want match\n"));
	assert_non_null(strstr(lines, "scn huge 5 fill KERN_INVALID_ARGUMENT ok\n"));
	assert_non_null(strstr(lines, "scn huge 6 check KERN_SUCCESS match ok\n"));
	assert_non_null(strstr(errors, "t.scn:3: fill of 1073745920 bytes refused: the simulator "
				       "holds at most 1073741824 bytes for one fill or check\n"));
	assert_non_null(strstr(errors, "t.scn:4: check of 1073745920 bytes refused"));
	free(lines);
	free(errors);
}

/* The core's outstanding allocations (sim_base's accounting: a proxy is
 * one) after each result line, sampled by the output stream itself. */
static uint64_t outstanding[64];
static unsigned nlines;

static ssize_t sample_write(void *cookie, const char *buf, size_t size)
{
	(void)cookie;
	for (size_t i = 0; i < size; i++)
		if (buf[i] == '\n' && nlines < G_N_ELEMENTS(outstanding))
			outstanding[nlines++] = sim_alloc_outstanding();
	return (ssize_t)size;
}

/* A name bound again lets go of its old port: a proxy, and the memory it
 * holds, die with the last name that reaches them.  They once lived until
 * the end of the run: rebinding a proxy's name over a region deallocated
 * each time (a 10 KB scenario) reached 1 GiB. */
static void test_scenario_rebinding_releases_the_old_proxy(void **state)
{
	(void)state;
	GString *text = g_string_new("scenario rebind\n"
				     "alloc a self 4p\n"
				     "fill a 0 4p @1\n");
	enum { N = 20 };
	for (int i = 0; i < N; i++)
		g_string_append(text, "rproxy p a 0 rw 4p\n"
				      "proxy q r p 0 0 4p\n");
	g_string_append(text, "scenario next\nalloc a self 1p\n");
	cookie_io_functions_t io = { .write = sample_write };
	FILE *out = fopencookie(NULL, "w", io);
	char *errors = NULL;
	size_t esize = 0;
	FILE *err = open_memstream(&errors, &esize);
	unsigned n = 0, failed = 0;
	uint64_t before = sim_alloc_outstanding();

	assert_non_null(out);
	setvbuf(out, NULL, _IOLBF, 0);
	nlines = 0;
	assert_int_equal(sim_scenario_run("t.scn", text->str, text->len, seed, VMC_ADDR_BITS, out,
					  err, &n, &failed), 0);
	fclose(out);
	fclose(err);
	assert_int_equal(failed, 0);
	/* Lines: alloc, fill, then rproxy and proxy N times, the end line, the
	 * next scenario's alloc and end line. */
	assert_int_equal(nlines, 2 + 2 * N + 1 + 2);
	printf("# outstanding after the first pair %llu, after the last %llu\n",
	       (unsigned long long)outstanding[3], (unsigned long long)outstanding[1 + 2 * N]);
	/* From the first pair on, two proxies live, whatever the pairs. */
	assert_true(outstanding[3] > outstanding[2] && outstanding[2] > before);
	for (int i = 2; i <= N; i++) {
		assert_int_equal(outstanding[2 * i], outstanding[3]);
		assert_int_equal(outstanding[2 * i + 1], outstanding[3]);
	}
	/* The next scenario starts with no name: the proxies are gone. */
	assert_int_equal(outstanding[2 * N + 3], before);
	assert_string_equal(errors, "");
	free(errors);
	g_string_free(text, TRUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenario_fill_and_check_span_chunks),
		cmocka_unit_test(test_scenario_refuses_what_it_cannot_hold),
		cmocka_unit_test(test_scenario_rebinding_releases_the_old_proxy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_sim_pindex.c: the page index (sim/sim_pindex.c), on its own: no
 * world, values are tagged integers.  After every change the index's own
 * checker (sim_pindex_check, also run by sim_vm_check on every object) must
 * pass, and a random sequence is held to a GHashTable doing the same.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <glib.h>

#include "sim_pindex.h"

/* A value for key k: never NULL, and different for every key. */
static void *val(uint64_t k)
{
	return (void *)(uintptr_t)(k * 2 + 1);
}

static void check(const struct sim_pindex *ix)
{
	const char *why = NULL;
	if (!sim_pindex_check(ix, &why))
		fail_msg("sim_pindex_check: %s", why);
}

static void test_pindex_empty_finds_nothing(void **state)
{
	(void)state;
	struct sim_pindex ix;
	uint64_t k = 5;

	sim_pindex_init(&ix);
	check(&ix);
	assert_null(sim_pindex_lookup(&ix, 0));
	assert_null(sim_pindex_lookup(&ix, UINT64_MAX));
	assert_null(sim_pindex_remove(&ix, 0));
	assert_null(sim_pindex_first(&ix, &k));
	assert_null(sim_pindex_after(&ix, 0, &k));
	assert_int_equal(k, 5);
	assert_int_equal(sim_pindex_count(&ix), 0);
	sim_pindex_destroy(&ix);
}

static void test_pindex_finds_what_was_filed_across_leaves(void **state)
{
	(void)state;
	struct sim_pindex ix;

	sim_pindex_init(&ix);
	/* Both sides of every leaf boundary up to three levels. */
	for (uint64_t k = 0; k < 3 * SIM_PINDEX_FANOUT * SIM_PINDEX_FANOUT; k += 31) {
		sim_pindex_insert(&ix, k, val(k));
		check(&ix);
	}
	for (uint64_t k = 0; k < 3 * SIM_PINDEX_FANOUT * SIM_PINDEX_FANOUT; k++)
		assert_ptr_equal(sim_pindex_lookup(&ix, k), k % 31 == 0 ? val(k) : NULL);
	/* Backwards too: every lookup leaves the hint elsewhere. */
	for (uint64_t k = 3 * SIM_PINDEX_FANOUT * SIM_PINDEX_FANOUT; k-- > 0;)
		assert_ptr_equal(sim_pindex_lookup(&ix, k), k % 31 == 0 ? val(k) : NULL);
	check(&ix);
	sim_pindex_destroy(&ix);
	check(&ix);
}

static void test_pindex_grows_for_high_keys_and_shrinks_back(void **state)
{
	(void)state;
	struct sim_pindex ix;
	static const uint64_t high[] = {
		(uint64_t)1 << 52, ((uint64_t)1 << 52) - 1, (uint64_t)1 << 60, UINT64_MAX,
		UINT64_MAX - 1,
	};

	sim_pindex_init(&ix);
	sim_pindex_insert(&ix, 3, val(3));
	assert_int_equal(ix.height, 1);
	for (unsigned i = 0; i < sizeof high / sizeof high[0]; i++) {
		sim_pindex_insert(&ix, high[i], val(high[i]));
		check(&ix);
	}
	assert_int_equal(ix.height, SIM_PINDEX_HEIGHT_MAX);
	for (unsigned i = 0; i < sizeof high / sizeof high[0]; i++)
		assert_ptr_equal(sim_pindex_lookup(&ix, high[i]), val(high[i]));
	assert_ptr_equal(sim_pindex_lookup(&ix, 3), val(3));
	assert_null(sim_pindex_lookup(&ix, UINT64_MAX - 2));
	/* The high keys gone, the tree is one level again. */
	for (unsigned i = 0; i < sizeof high / sizeof high[0]; i++) {
		assert_ptr_equal(sim_pindex_remove(&ix, high[i]), val(high[i]));
		assert_null(sim_pindex_remove(&ix, high[i]));
		check(&ix);
	}
	assert_int_equal(ix.height, 1);
	assert_int_equal(sim_pindex_count(&ix), 1);
	assert_ptr_equal(sim_pindex_lookup(&ix, 3), val(3));
	/* The last value gone, nothing is left. */
	assert_ptr_equal(sim_pindex_remove(&ix, 3), val(3));
	check(&ix);
	assert_null(ix.root);
	/* A first key needing a tall tree keeps no node off its way. */
	sim_pindex_insert(&ix, UINT64_MAX, val(UINT64_MAX));
	check(&ix);
	assert_ptr_equal(sim_pindex_remove(&ix, UINT64_MAX), val(UINT64_MAX));
	check(&ix);
	sim_pindex_destroy(&ix);
}

static void test_pindex_iterates_in_key_order_while_removing(void **state)
{
	(void)state;
	struct sim_pindex ix;
	static const uint64_t keys[] = { 0, 1, 63, 64, 4095, 4096, 70000, (uint64_t)1 << 40,
					 UINT64_MAX };
	const unsigned n = sizeof keys / sizeof keys[0];
	uint64_t k;
	void *v;
	unsigned i = 0;

	sim_pindex_init(&ix);
	for (unsigned j = n; j-- > 0;)
		sim_pindex_insert(&ix, keys[j], val(keys[j]));
	for (v = sim_pindex_first(&ix, &k); v != NULL; v = sim_pindex_after(&ix, k, &k)) {
		assert_true(i < n);
		assert_int_equal(k, keys[i]);
		assert_ptr_equal(v, val(keys[i]));
		i++;
	}
	assert_int_equal(i, n);
	/* From a key that is not filed. */
	assert_ptr_equal(sim_pindex_after(&ix, 65, &k), val(4095));
	assert_int_equal(k, 4095);
	/* Every other one removed during the walk: the walk sees them all. */
	i = 0;
	for (v = sim_pindex_first(&ix, &k); v != NULL; v = sim_pindex_after(&ix, k, &k)) {
		assert_int_equal(k, keys[i]);
		if (i++ % 2 == 0)
			assert_ptr_equal(sim_pindex_remove(&ix, k), v);
		check(&ix);
	}
	assert_int_equal(i, n);
	assert_int_equal(sim_pindex_count(&ix), n / 2);
	/* Then all of them, as object_free does. */
	while ((v = sim_pindex_first(&ix, &k)) != NULL) {
		assert_ptr_equal(sim_pindex_remove(&ix, k), v);
		check(&ix);
	}
	assert_int_equal(sim_pindex_count(&ix), 0);
	sim_pindex_destroy(&ix);
}

static void test_pindex_hint_goes_with_its_leaf(void **state)
{
	(void)state;
	struct sim_pindex ix;

	sim_pindex_init(&ix);
	sim_pindex_insert(&ix, 10, val(10));
	sim_pindex_insert(&ix, 1000, val(1000));
	assert_ptr_equal(sim_pindex_lookup(&ix, 10), val(10));
	assert_int_equal(ix.hint_base, 10 >> SIM_PINDEX_BITS);
	/* The hint's leaf freed: the hint must not outlive it. */
	assert_ptr_equal(sim_pindex_remove(&ix, 10), val(10));
	check(&ix);
	assert_null(sim_pindex_lookup(&ix, 10));
	assert_null(sim_pindex_lookup(&ix, 11));
	sim_pindex_insert(&ix, 11, val(11));
	assert_ptr_equal(sim_pindex_lookup(&ix, 11), val(11));
	assert_null(sim_pindex_lookup(&ix, 10));
	check(&ix);
	sim_pindex_destroy(&ix);
}

/* Random inserts, removals, lookups and walks, against a GHashTable. */
static void test_pindex_matches_a_hash_table_under_random_use(void **state)
{
	(void)state;
	struct sim_pindex ix;
	GHashTable *ref = g_hash_table_new(g_int64_hash, g_int64_equal);
	GRand *r = g_rand_new_with_seed(20261122);

	sim_pindex_init(&ix);
	for (unsigned step = 0; step < 20000; step++) {
		/* Mostly dense keys, as pages are; some far away. */
		uint64_t k = g_rand_int_range(r, 0, 8) == 0
				     ? ((uint64_t)g_rand_int(r) << 32 | g_rand_int(r))
				     : (uint64_t)g_rand_int_range(r, 0, 600);
		gboolean had = g_hash_table_contains(ref, &k);
		switch (g_rand_int_range(r, 0, 4)) {
		case 0:
		case 1:
			if (!had) {
				uint64_t *kk = g_new(uint64_t, 1);
				*kk = k;
				g_hash_table_add(ref, kk);
				sim_pindex_insert(&ix, k, val(k));
			}
			break;
		case 2:
			assert_ptr_equal(sim_pindex_remove(&ix, k), had ? val(k) : NULL);
			if (had) {
				uint64_t *kk = g_hash_table_lookup(ref, &k);
				g_hash_table_remove(ref, &k);
				g_free(kk);
			}
			break;
		default:
			assert_ptr_equal(sim_pindex_lookup(&ix, k), had ? val(k) : NULL);
			break;
		}
		assert_int_equal(sim_pindex_count(&ix), g_hash_table_size(ref));
		if (step % 97 == 0) {
			check(&ix);
			/* The walk sees exactly the reference's keys, ascending. */
			uint64_t key = 0, prev = 0;
			unsigned seen = 0;
			for (void *v = sim_pindex_first(&ix, &key); v != NULL;
			     v = sim_pindex_after(&ix, key, &key)) {
				assert_true(seen == 0 || key > prev);
				assert_true(g_hash_table_contains(ref, &key));
				assert_ptr_equal(v, val(key));
				prev = key;
				seen++;
			}
			assert_int_equal(seen, g_hash_table_size(ref));
		}
	}
	check(&ix);
	GHashTableIter it;
	gpointer kk;
	g_hash_table_iter_init(&it, ref);
	while (g_hash_table_iter_next(&it, &kk, NULL)) {
		assert_ptr_equal(sim_pindex_remove(&ix, *(uint64_t *)kk), val(*(uint64_t *)kk));
		g_hash_table_iter_remove(&it);
		g_free(kk);
	}
	check(&ix);
	assert_null(ix.root);
	sim_pindex_destroy(&ix);
	g_hash_table_destroy(ref);
	g_rand_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pindex_empty_finds_nothing),
		cmocka_unit_test(test_pindex_finds_what_was_filed_across_leaves),
		cmocka_unit_test(test_pindex_grows_for_high_keys_and_shrinks_back),
		cmocka_unit_test(test_pindex_iterates_in_key_order_while_removing),
		cmocka_unit_test(test_pindex_hint_goes_with_its_leaf),
		cmocka_unit_test(test_pindex_matches_a_hash_table_under_random_use),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_sim_map.c: address maps (sim/sim_map.c) and the map primitives of
 * the porting header (vmc_map_lookup, vmc_map_verify), with GNU Mach's
 * vm_map_lookup semantics.
 */
#include "simtest.h"
#include "sim_internal.h"

static void test_many_entries_keep_tree_list_and_hint_in_agreement(void **state)
{
	struct st *st = *state;
	GRand *r = g_rand_new_with_seed((guint32)st_seed());

	/* 2000 one-page entries with one-page gaps, entered in random order. */
	for (int i = 0; i < 2000; i++) {
		guint32 slot = g_rand_int_range(r, 0, 4000);
		vmc_addr_t at = 0x100000 + (vmc_addr_t)slot * 2 * P;
		vmc_kr_t kr = sim_vm_allocate(st->a, st->aself, &at, P, false);
		assert_true(kr == KERN_SUCCESS || kr == KERN_NO_SPACE);
	}
	st_check(st);
	uint32_t n = st->a->map->nentries;
	assert_true(n > 1000);
	/* Every entry is found from any address inside it. */
	for (struct sim_entry *e = st->a->map->first; e; e = e->next) {
		assert_ptr_equal(sim_map_lookup_entry(st->a->map, e->start), e);
		assert_ptr_equal(sim_map_lookup_entry(st->a->map, e->end - 1), e);
		assert_null(sim_map_lookup_entry(st->a->map, e->end));
	}
	/* Remove every other one. */
	int i = 0;
	for (struct sim_entry *e = st->a->map->first; e;) {
		struct sim_entry *next = e->next;
		if (i++ % 2 == 0)
			assert_int_equal(sim_vm_deallocate(st->a, st->aself, e->start, P),
					 KERN_SUCCESS);
		e = next;
	}
	assert_int_equal(st->a->map->nentries, n / 2);
	st_check(st);
	g_rand_free(r);
}

/* The lookup index (sim_map.c) answers as the tree does, for entries of
 * mixed sizes in far-apart clusters (many per bucket), at addresses in
 * entries, in holes, below the first and past the last. */
static void test_lookup_index_agrees_with_the_tree(void **state)
{
	struct st *st = *state;
	GRand *r = g_rand_new_with_seed((guint32)st_seed());
	struct vmc_map *map = st->a->map;
	const vmc_addr_t cluster[3] = { 0x200000, 0x40000000, 0x7ff000000000 };

	for (int i = 0; i < 600; i++) {
		vmc_addr_t at = cluster[i % 3] + (vmc_addr_t)g_rand_int_range(r, 0, 2000) * P;
		vmc_kr_t kr = sim_vm_allocate(st->a, st->aself, &at,
					      (vmc_size_t)g_rand_int_range(r, 1, 5) * P, false);
		assert_true(kr == KERN_SUCCESS || kr == KERN_NO_SPACE);
	}
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 20000; i++) {
			vmc_addr_t a;
			switch (i % 4) {
			case 0:
				a = (vmc_addr_t)g_rand_int_range(r, 0, 0x400000);
				break;
			case 3:
				a = SIM_MAP_MAX_X86_64 - 1 - (vmc_addr_t)g_rand_int_range(r, 0, 0x1000000);
				break;
			default:
				a = cluster[i % 3] + (vmc_addr_t)g_rand_int_range(r, 0, 2010 * P);
			}
			assert_ptr_equal(sim_map_lookup_entry(map, a), sim_map_entry_peek(map, a));
		}
		/* 20,000 lookups without a change built the index. */
		assert_true(map->index_valid);
		st_check(st);
		/* A change drops it; the tree answers until it is rebuilt. */
		vmc_addr_t at = cluster[1] + (vmc_addr_t)(4000 + round) * P;
		assert_int_equal(sim_vm_allocate(st->a, st->aself, &at, P, false), KERN_SUCCESS);
		assert_false(map->index_valid);
	}
	g_rand_free(r);
}

static void test_clipping_splits_one_object_at_consecutive_offsets(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = st_alloc(st, st->a, 4 * P);

	st_fill(st->a, a, 4 * P, 1);   /* the entry has an object now */
	assert_int_equal(sim_vm_protect(st->a, st->aself, a + P, 2 * P, false, VMC_PROT_READ),
			 KERN_SUCCESS);
	assert_int_equal(st->a->map->nentries, 3);
	struct sim_entry *e0 = sim_map_lookup_entry(st->a->map, a);
	struct sim_entry *e1 = e0->next, *e2 = e1->next;
	assert_ptr_equal(e0->object, e1->object);
	assert_ptr_equal(e1->object, e2->object);
	assert_int_equal(e1->offset, e0->offset + P);
	assert_int_equal(e2->offset, e0->offset + 3 * P);
	assert_int_equal(e1->prot, VMC_PROT_READ);
	assert_int_equal(e2->prot, VMC_PROT_READ | VMC_PROT_WRITE);
	assert_true(st_holds(st->a, a, 4 * P, 1, 0));
	st_check(st);
}

static void test_first_fit_reuses_the_lowest_hole(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = st_alloc(st, st->a, 4 * P);

	assert_int_equal(sim_vm_deallocate(st->a, st->aself, a + P, 2 * P), KERN_SUCCESS);
	assert_int_equal(st_alloc(st, st->a, P), a + P);
	assert_int_equal(st_alloc(st, st->a, 2 * P), a + 4 * P);   /* hole too small */
	assert_int_equal(st_alloc(st, st->a, P), a + 2 * P);
}

static void test_lookup_failures_leave_output_and_references(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = st_alloc(st, st->a, P);
	struct vmc_lookup l, orig;

	memset(&l, 0x5a, sizeof l);
	orig = l;
	assert_int_equal(vmc_map_lookup(st->a->map, a + P, VMC_PROT_READ, &l), KERN_INVALID_ADDRESS);
	assert_int_equal(sim_vm_protect(st->a, st->aself, a, P, false, VMC_PROT_READ), KERN_SUCCESS);
	assert_int_equal(vmc_map_lookup(st->a->map, a, VMC_PROT_WRITE, &l), KERN_PROTECTION_FAILURE);
	assert_memory_equal(&l, &orig, sizeof l);
	st_check(st);
}

static void test_lookup_gives_an_entry_without_object_a_zero_fill_object(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = st_alloc(st, st->a, 2 * P);
	struct sim_entry *e = sim_map_lookup_entry(st->a->map, a);
	struct vmc_lookup l;

	assert_null(e->object);
	uint64_t stamp = st->a->map->timestamp;
	assert_int_equal(vmc_map_lookup(st->a->map, a + P + 5, VMC_PROT_READ, &l), KERN_SUCCESS);
	assert_non_null(e->object);
	assert_ptr_equal(l.object, e->object);
	assert_int_equal(l.offset, P + 5);
	assert_int_equal(l.entry_start, a);
	assert_int_equal(l.entry_last, a + 2 * P - 1);
	assert_int_equal(l.prot, VMC_PROT_READ | VMC_PROT_WRITE);
	assert_true(l.version.stamp > stamp);
	st_check(st);
	vmc_object_release(l.object);
}

static void test_lookup_on_needs_copy_entry(void **state)
{
	struct st *st = *state;
	vmc_addr_t src = st_alloc(st, st->a, P), data = 0;
	struct vmc_lookup r, w;

	st_fill(st->a, src, P, 2);
	assert_int_equal(sim_vm_read(st->a, st->aself, src, P, &data), KERN_SUCCESS);
	struct sim_entry *e = sim_map_lookup_entry(st->a->map, data);
	assert_true(e->needs_copy);
	struct vmc_object *shared = e->object;

	/* A read: same object, write removed from the protection. */
	assert_int_equal(vmc_map_lookup(st->a->map, data, VMC_PROT_READ, &r), KERN_SUCCESS);
	assert_ptr_equal(r.object, shared);
	assert_int_equal(r.prot, VMC_PROT_READ);
	/* A write: the entry gets its shadow now, and the map changes. */
	assert_int_equal(vmc_map_lookup(st->a->map, data, VMC_PROT_WRITE, &w), KERN_SUCCESS);
	assert_false(e->needs_copy);
	assert_ptr_not_equal(w.object, shared);
	assert_ptr_equal(w.object->shadow, shared);
	assert_int_equal(w.prot, VMC_PROT_READ | VMC_PROT_WRITE);
	assert_false(vmc_map_verify(st->a->map, &r.version));
	assert_true(vmc_map_verify(st->a->map, &w.version));
	st_check(st);
	vmc_map_verify_done(st->a->map, &w.version);
	vmc_object_release(r.object);
	vmc_object_release(w.object);
	/* The source is still copy-on-write: its bytes are untouched. */
	assert_true(st_holds(st->a, src, P, 2, 0));
}

static void test_verify_fails_after_any_map_change(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = st_alloc(st, st->a, 2 * P);
	struct vmc_lookup l;

	st_fill(st->a, a, 1, 3);
	assert_int_equal(vmc_map_lookup(st->a->map, a, VMC_PROT_READ, &l), KERN_SUCCESS);
	assert_true(vmc_map_verify(st->a->map, &l.version));
	vmc_map_verify_done(st->a->map, &l.version);
	/* Even a protect that changes nothing visible bumps the stamp. */
	assert_int_equal(sim_vm_protect(st->a, st->aself, a + P, P, false, VMC_PROT_ALL),
			 KERN_SUCCESS);
	assert_false(vmc_map_verify(st->a->map, &l.version));
	vmc_object_release(l.object);
}

static void test_checker_catches_overlapping_entries(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = st_alloc(st, st->a, P);
	vmc_addr_t b = a + P;
	const char *why = NULL;

	assert_int_equal(sim_vm_allocate(st->a, st->aself, &b, P, false), KERN_SUCCESS);
	struct sim_entry *e = sim_map_lookup_entry(st->a->map, a);
	e->end += P;   /* now overlaps the next entry */
	assert_false(sim_vm_check(st->vm, &why));
	assert_non_null(strstr(why, "overlap"));
	e->end -= P;
	st_check(st);
}

static void test_checker_catches_a_stale_page_table_entry(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = st_alloc(st, st->a, P);
	const char *why = NULL;

	st_fill(st->a, a, 8, 4);
	struct sim_entry *e = sim_map_lookup_entry(st->a->map, a);
	e->prot = VMC_PROT_READ;   /* behind the pmap's back */
	assert_false(sim_vm_check(st->vm, &why));
	assert_non_null(strstr(why, "grants more"));
	e->prot = VMC_PROT_READ | VMC_PROT_WRITE;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ST_TEST(test_many_entries_keep_tree_list_and_hint_in_agreement),
		ST_TEST(test_clipping_splits_one_object_at_consecutive_offsets),
		ST_TEST(test_first_fit_reuses_the_lowest_hole),
		ST_TEST(test_lookup_index_agrees_with_the_tree),
		ST_TEST(test_lookup_failures_leave_output_and_references),
		ST_TEST(test_lookup_gives_an_entry_without_object_a_zero_fill_object),
		ST_TEST(test_lookup_on_needs_copy_entry),
		ST_TEST(test_verify_fails_after_any_map_change),
		ST_TEST(test_checker_catches_overlapping_entries),
		ST_TEST(test_checker_catches_a_stale_page_table_entry),
	};
	return cmocka_run_group_tests_name("sim_map", tests, NULL, NULL);
}

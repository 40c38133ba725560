/*
 * test_walk.c: the range walk (core/vmc_walk.c) on the copy host.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmc_kern_names.h"
#include "copyhost.h"
#include "vmc_walk.h"

#define P VMC_PAGE_SIZE

static int teardown(void **state)
{
	(void)state;
	const char *why = "";
	bool ok = ch_check(&why);
	ch_reset();
	if (!ok)
		fail_msg("copy host not back to baseline: %s", why);
	return 0;
}

/* Three entries: [10P, 12P) A@0 rw, [12P, 15P) B@5P r, [15P, 16P) C@P rw. */
static struct vmc_map *three_entries(struct vmc_object **a, struct vmc_object **b,
				     struct vmc_object **c)
{
	struct vmc_map *m = ch_map();
	*a = ch_object(1, 4, NULL);
	*b = ch_object(2, 8, NULL);
	*c = ch_object(3, 4, NULL);
	ch_map_enter(m, 10 * P, 2 * P, *a, 0, VMC_PROT_READ | VMC_PROT_WRITE);
	ch_map_enter(m, 12 * P, 3 * P, *b, 5 * P, VMC_PROT_READ);
	ch_map_enter(m, 15 * P, 1 * P, *c, P, VMC_PROT_READ | VMC_PROT_WRITE);
	return m;
}

static void test_walk_yields_one_clipped_segment_per_entry(void **state)
{
	(void)state;
	struct vmc_object *a, *b, *c;
	struct vmc_map *m = three_entries(&a, &b, &c);
	struct vmc_walk w;
	struct vmc_walk_segment seg;

	assert_int_equal(vmc_walk_begin(&w, m, 11 * P + 7, 4 * P, VMC_PROT_READ), KERN_SUCCESS);
	assert_true(vmc_walk_next(&w, &seg));
	assert_int_equal(seg.start, 11 * P + 7);
	assert_int_equal(seg.size, P - 7);
	assert_ptr_equal(seg.object, a);
	assert_int_equal(seg.offset, P + 7);
	vmc_walk_segment_release(&seg);
	assert_true(vmc_walk_next(&w, &seg));
	assert_int_equal(seg.start, 12 * P);
	assert_int_equal(seg.size, 3 * P);
	assert_ptr_equal(seg.object, b);
	assert_int_equal(seg.offset, 5 * P);
	assert_int_equal(seg.prot, VMC_PROT_READ);
	vmc_walk_segment_release(&seg);
	assert_true(vmc_walk_next(&w, &seg));
	assert_int_equal(seg.start, 15 * P);
	assert_int_equal(seg.size, 7);          /* clipped to the range's end */
	assert_ptr_equal(seg.object, c);
	assert_int_equal(seg.offset, P);
	vmc_walk_segment_release(&seg);
	assert_false(vmc_walk_next(&w, &seg));
	vmc_size_t covered = 0;
	assert_int_equal(vmc_walk_stopped(&w, NULL, &covered), KERN_SUCCESS);
	assert_int_equal(covered, 4 * P);
	assert_int_equal(ch_counts()->lookups, 3);   /* one per entry, not per page */
}

static void test_walk_stops_exactly_at_protection_failure(void **state)
{
	(void)state;
	struct vmc_object *a, *b, *c;
	struct vmc_map *m = three_entries(&a, &b, &c);
	struct vmc_walk w;
	struct vmc_walk_segment seg;
	vmc_addr_t at = 0;
	vmc_size_t covered = 0;

	assert_int_equal(vmc_walk_begin(&w, m, 10 * P + 1, 5 * P, VMC_PROT_WRITE), KERN_SUCCESS);
	assert_true(vmc_walk_next(&w, &seg));
	assert_int_equal(seg.size, 2 * P - 1);
	vmc_walk_segment_release(&seg);
	assert_false(vmc_walk_next(&w, &seg));
	assert_false(vmc_walk_next(&w, &seg));  /* stays stopped */
	assert_int_equal(vmc_walk_stopped(&w, &at, &covered), KERN_PROTECTION_FAILURE);
	assert_int_equal(at, 12 * P);
	assert_int_equal(covered, 2 * P - 1);
}

static void test_walk_stops_exactly_at_holes(void **state)
{
	(void)state;
	struct vmc_object *a, *b, *c;
	struct vmc_map *m = three_entries(&a, &b, &c);
	struct vmc_walk w;
	struct vmc_walk_segment seg;
	vmc_addr_t at = 0;
	vmc_size_t covered = 1;

	ch_map_remove(m, 13 * P, 5);     /* a hole of 5 bytes inside B */
	/* Between entries. */
	assert_int_equal(vmc_walk_begin(&w, m, 12 * P, 3 * P, VMC_PROT_READ), KERN_SUCCESS);
	assert_true(vmc_walk_next(&w, &seg));
	assert_int_equal(seg.size, P);
	vmc_walk_segment_release(&seg);
	assert_false(vmc_walk_next(&w, &seg));
	assert_int_equal(vmc_walk_stopped(&w, &at, &covered), KERN_INVALID_ADDRESS);
	assert_int_equal(at, 13 * P);
	assert_int_equal(covered, P);
	/* Before the first entry. */
	assert_int_equal(vmc_walk_begin(&w, m, 10 * P - 1, 2, VMC_PROT_READ), KERN_SUCCESS);
	assert_false(vmc_walk_next(&w, &seg));
	assert_int_equal(vmc_walk_stopped(&w, &at, &covered), KERN_INVALID_ADDRESS);
	assert_int_equal(at, 10 * P - 1);
	assert_int_equal(covered, 0);
	/* After the last. */
	assert_int_equal(vmc_walk_begin(&w, m, 16 * P - 3, 4, VMC_PROT_READ), KERN_SUCCESS);
	assert_true(vmc_walk_next(&w, &seg));
	assert_int_equal(seg.size, 3);
	vmc_walk_segment_release(&seg);
	assert_false(vmc_walk_next(&w, &seg));
	assert_int_equal(vmc_walk_stopped(&w, &at, NULL), KERN_INVALID_ADDRESS);
	assert_int_equal(at, 16 * P);
}

static void test_walk_begin_rejects_bad_arguments_and_leaves_walk(void **state)
{
	(void)state;
	struct vmc_map *m = ch_map();
	struct vmc_walk w = { .done = 77 };

	assert_int_equal(vmc_walk_begin(&w, m, VMC_ADDR_MAX - 4, 6, VMC_PROT_READ),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(vmc_walk_begin(&w, NULL, 0, 1, VMC_PROT_READ), KERN_INVALID_ARGUMENT);
	assert_int_equal(vmc_walk_begin(&w, m, 0, 1, VMC_PROT_NONE), KERN_INVALID_ARGUMENT);
	assert_int_equal(vmc_walk_begin(&w, m, 0, 1, 0x10), KERN_INVALID_ARGUMENT);
	assert_int_equal(w.done, 77);
	assert_int_equal(ch_counts()->lookups, 0);
}

static void test_walk_zero_size_yields_nothing_and_looks_nothing_up(void **state)
{
	(void)state;
	struct vmc_map *m = ch_map();
	struct vmc_walk w;
	struct vmc_walk_segment seg;

	assert_int_equal(vmc_walk_begin(&w, m, VMC_ADDR_MAX, 0, VMC_PROT_READ), KERN_SUCCESS);
	assert_false(vmc_walk_next(&w, &seg));
	assert_int_equal(vmc_walk_stopped(&w, NULL, NULL), KERN_SUCCESS);
	assert_int_equal(ch_counts()->lookups, 0);
}

static void test_walk_reaches_top_of_address_space(void **state)
{
	(void)state;
	struct vmc_map *m = ch_map();
	struct vmc_object *o = ch_object(1, 2, NULL);
	struct vmc_walk w;
	struct vmc_walk_segment seg;

	ch_map_enter(m, VMC_ADDR_MAX - 2 * P + 1, 2 * P, o, 0, VMC_PROT_READ);
	assert_int_equal(vmc_walk_begin(&w, m, VMC_ADDR_MAX - P, P + 1, VMC_PROT_READ), KERN_SUCCESS);
	assert_true(vmc_walk_next(&w, &seg));
	assert_int_equal(seg.start, VMC_ADDR_MAX - P);
	assert_int_equal(seg.size, P + 1);
	assert_int_equal(seg.offset, P - 1);
	vmc_walk_segment_release(&seg);
	assert_false(vmc_walk_next(&w, &seg));
	/* Not stopped: no first uncovered address (it would be one past the
	 * top), so *at is left as it was. */
	vmc_addr_t at = 77;
	vmc_size_t covered = 0;
	assert_int_equal(vmc_walk_stopped(&w, &at, &covered), KERN_SUCCESS);
	assert_int_equal(at, 77);
	assert_int_equal(covered, P + 1);
}

/* Counts past 32 bits: with 64-bit addresses only (a 32-bit build's sizes
 * cannot say them). */
#if VMC_ADDR_BITS == 64
static void test_walk_counts_multi_gib_without_truncation(void **state)
{
	(void)state;
	struct vmc_map *m = ch_map();
	struct vmc_object *o = ch_object(1, 1, NULL);
	struct vmc_walk w;
	struct vmc_walk_segment seg;
	const vmc_size_t gib = (vmc_size_t)1 << 30;
	vmc_size_t total = 0;
	unsigned n = 0;

	/* Entries of 3, 5 and 1 GiB; only the lookups matter, not the pages. */
	ch_map_enter(m, 1 * gib, 3 * gib, o, 0, VMC_PROT_READ);
	ch_map_enter(m, 4 * gib, 5 * gib, o, 7 * gib, VMC_PROT_READ);
	ch_map_enter(m, 9 * gib, 1 * gib, o, 0, VMC_PROT_READ);
	assert_int_equal(vmc_walk_begin(&w, m, gib + 3, 9 * gib - 5, VMC_PROT_READ), KERN_SUCCESS);
	while (vmc_walk_next(&w, &seg)) {
		total += seg.size;
		n++;
		vmc_walk_segment_release(&seg);
	}
	assert_int_equal(vmc_walk_stopped(&w, NULL, NULL), KERN_SUCCESS);
	assert_int_equal(n, 3);
	assert_int_equal(total, 9 * gib - 5);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_walk_yields_one_clipped_segment_per_entry, teardown),
		cmocka_unit_test_teardown(test_walk_stops_exactly_at_protection_failure, teardown),
		cmocka_unit_test_teardown(test_walk_stops_exactly_at_holes, teardown),
		cmocka_unit_test_teardown(test_walk_begin_rejects_bad_arguments_and_leaves_walk, teardown),
		cmocka_unit_test_teardown(test_walk_zero_size_yields_nothing_and_looks_nothing_up, teardown),
		cmocka_unit_test_teardown(test_walk_reaches_top_of_address_space, teardown),
#if VMC_ADDR_BITS == 64
		cmocka_unit_test_teardown(test_walk_counts_multi_gib_without_truncation, teardown),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

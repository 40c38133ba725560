/*
 * test_range.c: the overflow-checked arithmetic that every other module uses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmc_kern_names.h"
#include "vmc_range.h"

static void test_add_rejects_wrap_and_leaves_sum(void **state)
{
	(void)state;
	vmc_addr_t s = 7;
	assert_true(vmc_add(1, 2, &s));
	assert_int_equal(s, 3);
	assert_false(vmc_add(VMC_ADDR_MAX, 1, &s));
	assert_int_equal(s, 3);
	assert_true(vmc_add(VMC_ADDR_MAX - 5, 5, &s));
	assert_int_equal(s, VMC_ADDR_MAX);
	assert_false(vmc_add(VMC_ADDR_MAX - 4095, 4096, &s));
	assert_int_equal(s, VMC_ADDR_MAX);
}

static void test_range_make_accepts_top_of_space(void **state)
{
	(void)state;
	struct vmc_range r = { 11, 22 };
	/* A range ending exactly at 2^64 is representable. */
	assert_true(vmc_range_make(VMC_ADDR_MAX - 4095, 4096, &r));
	assert_int_equal(vmc_range_last(&r), VMC_ADDR_MAX);
	assert_true(vmc_range_contains(&r, VMC_ADDR_MAX));
	assert_false(vmc_range_contains(&r, VMC_ADDR_MAX - 4096));
	/* One byte more wraps, and r is left as it was. */
	assert_false(vmc_range_make(VMC_ADDR_MAX - 4095, 4097, &r));
	assert_int_equal(r.start, VMC_ADDR_MAX - 4095);
	assert_int_equal(r.size, 4096);
	/* Empty ranges are representable anywhere; sizes up to 2^64 - start. */
	assert_true(vmc_range_make(0, 0, &r));
	assert_true(vmc_range_make(VMC_ADDR_MAX, 0, &r));
	assert_true(vmc_range_make(VMC_ADDR_MAX, 1, &r));
	assert_true(vmc_range_make(1, VMC_ADDR_MAX, &r));
	assert_false(vmc_range_make(2, VMC_ADDR_MAX, &r));
	assert_int_equal(r.start, 1);
}

static void test_range_contains_range_handles_edges(void **state)
{
	(void)state;
	struct vmc_range r;
	assert_true(vmc_range_make(0x1000, 0x3000, &r));
	assert_true(vmc_range_contains_range(&r, 0x1000, 0x3000));
	assert_true(vmc_range_contains_range(&r, 0x3fff, 1));
	assert_true(vmc_range_contains_range(&r, 0x4000, 0)); /* empty, at the end */
	assert_false(vmc_range_contains_range(&r, 0x4000, 1));
	assert_false(vmc_range_contains_range(&r, 0xfff, 1));
	assert_false(vmc_range_contains_range(&r, 0x2000, VMC_ADDR_MAX)); /* would wrap */
	assert_int_equal(vmc_range_left(&r, 0x3fff), 1);
	assert_int_equal(vmc_range_left(&r, 0x4000), 0);
}

static void test_closed_intersect(void **state)
{
	(void)state;
	vmc_addr_t lo = 1, hi = 1;
	assert_true(vmc_closed_intersect(0, 99, 50, 149, &lo, &hi));
	assert_int_equal(lo, 50);
	assert_int_equal(hi, 99);
	lo = hi = 9;
	assert_false(vmc_closed_intersect(0, 99, 100, 100, &lo, &hi));
	assert_int_equal(lo, 9);
	assert_int_equal(hi, 9);
	/* Up to the last offset, which a start and a size cannot reach. */
	assert_true(vmc_closed_intersect(0, VMC_ADDR_MAX, VMC_ADDR_MAX - 4, VMC_ADDR_MAX, &lo, &hi));
	assert_int_equal(lo, VMC_ADDR_MAX - 4);
	assert_int_equal(hi, VMC_ADDR_MAX);
	assert_true(vmc_closed_intersect(7, 7, 0, VMC_ADDR_MAX, &lo, &hi));
	assert_int_equal(lo, 7);
	assert_int_equal(hi, 7);
}

static void test_page_left_and_kr_names(void **state)
{
	(void)state;
	assert_int_equal(vmc_page_left(0), VMC_PAGE_SIZE);
	assert_int_equal(vmc_page_left(VMC_PAGE_SIZE - 1), 1);
	assert_int_equal(vmc_page_left(VMC_PAGE_SIZE + 3), VMC_PAGE_SIZE - 3);
	assert_string_equal(vmc_kr_name(KERN_PROTECTION_FAILURE), "KERN_PROTECTION_FAILURE");
	assert_string_equal(vmc_kr_name(MACH_SEND_INTERRUPTED), "MACH_SEND_INTERRUPTED");
	assert_string_equal(vmc_kr_name(11), "KERN_?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_rejects_wrap_and_leaves_sum),
		cmocka_unit_test(test_range_make_accepts_top_of_space),
		cmocka_unit_test(test_range_contains_range_handles_edges),
		cmocka_unit_test(test_closed_intersect),
		cmocka_unit_test(test_page_left_and_kr_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_proxy.c: proxy creation (both forms), flattening, resolution and
 * iteration, on the fake host.  Every test ends with the objects' reference
 * counts back at the test's own reference and no allocation outstanding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "vmc_kern_names.h"
#include "fakehost.h"
#include "vmc_proxy_host.h"

#define P VMC_PAGE_SIZE
#define RW (VMC_PROT_READ | VMC_PROT_WRITE)
#define R VMC_PROT_READ

static struct vmc_object *obj_a, *obj_b, *obj_c;

static int setup(void **state)
{
	(void)state;
	obj_a = fake_object_create(1);
	obj_b = fake_object_create(2);
	obj_c = fake_object_create(3);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_object_destroy_checked(obj_a);
	fake_object_destroy_checked(obj_b);
	fake_object_destroy_checked(obj_c);
	assert_int_equal(fake_alloc_outstanding(), 0);
	fake_alloc_fail_nth(0);
	return 0;
}

static struct vmc_proxy_input obj(struct vmc_object *o)
{
	return (struct vmc_proxy_input){ .kind = VMC_PROXY_IN_OBJECT, .object = o };
}

static struct vmc_proxy_input prx(const struct vmc_proxy *p)
{
	return (struct vmc_proxy_input){ .kind = VMC_PROXY_IN_PROXY, .proxy = p };
}

static const struct vmc_proxy_input hole = { .kind = VMC_PROXY_IN_HOLE };

static void expect_at(const struct vmc_proxy *p, vmc_off_t x, struct vmc_object *o,
		      vmc_off_t off, vmc_prot_t prot, vmc_size_t left)
{
	struct vmc_proxy_resolved r;
	vmc_proxy_resolve(p, x, &r);
	assert_ptr_equal(r.object, o);
	assert_int_equal(r.offset, off);
	assert_int_equal(r.max_prot, prot);
	assert_int_equal(r.left, left);
}

/* --- the seed's form ---------------------------------------------------- */

static void test_proxy_create_shorthand_is_whole_object(void **state)
{
	(void)state;
	struct vmc_proxy_input in[] = { obj(obj_a) };
	vmc_prot_t prot[] = { R };
	struct vmc_proxy *p = NULL;

	assert_int_equal(vmc_proxy_create_ranges(in, 1, prot, 1, NULL, 0, NULL, 0, &p),
			 KERN_SUCCESS);
	assert_int_equal(vmc_proxy_segments(p), 1);
	assert_true(vmc_proxy_segment(p, 0)->open_ended);
	assert_int_equal(obj_a->refs, 2);
	expect_at(p, 0, obj_a, 0, R, VMC_ADDR_MAX);
	expect_at(p, VMC_ADDR_MAX, obj_a, VMC_ADDR_MAX, R, 1);
	vmc_proxy_destroy(p);
	assert_int_equal(obj_a->refs, 1);
}

static void test_proxy_create_ranges_end_to_end_with_hole(void **state)
{
	(void)state;
	/* A: [3P, 5P) then a 2P hole then B: [1, P + 1) with its own protection. */
	struct vmc_proxy_input in[] = { obj(obj_a), hole, obj(obj_b) };
	vmc_prot_t prot[] = { RW, RW, R };
	vmc_off_t start[] = { 3 * P, 0, 1 };
	vmc_off_t end[] = { 5 * P, 2 * P, P + 1 };
	struct vmc_proxy *p = NULL;

	assert_int_equal(vmc_proxy_create_ranges(in, 3, prot, 3, start, 3, end, 3, &p),
			 KERN_SUCCESS);
	assert_int_equal(vmc_proxy_segments(p), 2);
	expect_at(p, 0, obj_a, 3 * P, RW, 2 * P);
	expect_at(p, 2 * P - 1, obj_a, 5 * P - 1, RW, 1);
	expect_at(p, 2 * P, NULL, 0, VMC_PROT_NONE, 2 * P);        /* the hole */
	expect_at(p, 4 * P, obj_b, 1, R, P);                       /* B, unaligned */
	expect_at(p, 5 * P - 1, obj_b, P, R, 1);
	expect_at(p, 5 * P, NULL, 0, VMC_PROT_NONE, VMC_ADDR_MAX - 5 * P + 1);
	vmc_proxy_destroy(p);
}

static void test_proxy_create_open_ended_last_range(void **state)
{
	(void)state;
	struct vmc_proxy_input in[] = { obj(obj_a), obj(obj_b) };
	vmc_prot_t prot[] = { R, RW };
	vmc_off_t start[] = { 7 };
	vmc_off_t end[] = { 7 + P };
	struct vmc_proxy *p = NULL;

	assert_int_equal(vmc_proxy_create_ranges(in, 2, prot, 2, start, 1, end, 1, &p),
			 KERN_SUCCESS);
	assert_int_equal(vmc_proxy_segments(p), 2);
	assert_false(vmc_proxy_segment(p, 0)->open_ended);
	assert_true(vmc_proxy_segment(p, 1)->open_ended);
	expect_at(p, P, obj_b, 0, RW, VMC_ADDR_MAX - P + 1);
	expect_at(p, VMC_ADDR_MAX, obj_b, VMC_ADDR_MAX - P, RW, 1);
	vmc_proxy_destroy(p);
}

static void test_proxy_create_open_ended_near_top_of_offset_space(void **state)
{
	(void)state;
	/* The closed range ends 16 bytes below 2^64; the open one gets those. */
	struct vmc_proxy_input in[] = { obj(obj_a), obj(obj_b) };
	vmc_prot_t prot[] = { R, R };
	vmc_off_t start[] = { 0 };
	vmc_off_t end[] = { VMC_ADDR_MAX - 15 };
	struct vmc_proxy *p = NULL;

	assert_int_equal(vmc_proxy_create_ranges(in, 2, prot, 2, start, 1, end, 1, &p),
			 KERN_SUCCESS);
	expect_at(p, VMC_ADDR_MAX - 15, obj_b, 0, R, 16);
	expect_at(p, VMC_ADDR_MAX, obj_b, 15, R, 1);
	vmc_proxy_destroy(p);

	/* A closed range that fills the space leaves no room for the next one. */
	vmc_off_t full_end[] = { VMC_ADDR_MAX };
	vmc_off_t s2[] = { 0, 0 }, e2[] = { VMC_ADDR_MAX, 1 };
	p = NULL;
	assert_int_equal(vmc_proxy_create_ranges(in, 2, prot, 2, start, 1, full_end, 1, &p),
			 KERN_SUCCESS);   /* [0, 2^64 - 1) then one open byte */
	expect_at(p, VMC_ADDR_MAX, obj_b, 0, R, 1);
	vmc_proxy_destroy(p);
	/* [0, 2^64 - 1) then [0, 1): the second range ends past 2^64 - 1. */
	vmc_off_t e3[] = { VMC_ADDR_MAX, 2 };
	p = NULL;
	assert_int_equal(vmc_proxy_create_ranges(in, 2, prot, 2, s2, 2, e2, 2, &p),
			 KERN_SUCCESS);
	vmc_proxy_destroy(p);
	p = NULL;
	assert_int_equal(vmc_proxy_create_ranges(in, 2, prot, 2, s2, 2, e3, 2, &p),
			 KERN_INVALID_ARGUMENT);
	assert_null(p);
}

static void test_proxy_create_ranges_rejects_bad_counts(void **state)
{
	(void)state;
	struct vmc_proxy_input in[] = { obj(obj_a), obj(obj_b), obj(obj_c) };
	vmc_prot_t prot[] = { R, R, R };
	vmc_off_t start[] = { 0, 0, 0 }, end[] = { P, P, P };
	struct vmc_proxy *p = NULL;

	/* Counts that differ by one in each position, and count 0. */
	assert_int_equal(vmc_proxy_create_ranges(in, 0, prot, 0, NULL, 0, NULL, 0, &p),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(vmc_proxy_create_ranges(in, 3, prot, 2, start, 3, end, 3, &p),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(vmc_proxy_create_ranges(in, 2, prot, 3, start, 2, end, 2, &p),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(vmc_proxy_create_ranges(in, 3, prot, 3, start, 2, end, 3, &p),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(vmc_proxy_create_ranges(in, 3, prot, 3, start, 3, end, 2, &p),
			 KERN_INVALID_ARGUMENT);
	/* Two shorter is not open-ended: it is wrong. */
	assert_int_equal(vmc_proxy_create_ranges(in, 3, prot, 3, start, 1, end, 1, &p),
			 KERN_INVALID_ARGUMENT);
	assert_null(p);
	assert_int_equal(obj_a->refs, 1);
}

static void test_proxy_create_ranges_rejects_bad_ranges_and_prot(void **state)
{
	(void)state;
	struct vmc_proxy_input in[] = { obj(obj_a), obj(obj_b) };
	vmc_prot_t prot[] = { R, R };
	vmc_prot_t badprot[] = { R, 0x8 };
	vmc_off_t start[] = { 0, 2 * P }, end_lt[] = { P, P }, end_eq[] = { P, 2 * P };
	vmc_off_t end[] = { P, 3 * P };
	struct vmc_proxy_input nullobj[] = { obj(obj_a), { .kind = VMC_PROXY_IN_OBJECT } };
	struct vmc_proxy *p = NULL;

	/* end < start is an error, not an open-ended range. */
	assert_int_equal(vmc_proxy_create_ranges(in, 2, prot, 2, start, 2, end_lt, 2, &p),
			 KERN_INVALID_ARGUMENT);
	/* Empty ranges are rejected. */
	assert_int_equal(vmc_proxy_create_ranges(in, 2, prot, 2, start, 2, end_eq, 2, &p),
			 KERN_INVALID_ARGUMENT);
	/* Protection bits outside VM_PROT_ALL. */
	assert_int_equal(vmc_proxy_create_ranges(in, 2, badprot, 2, start, 2, end, 2, &p),
			 KERN_INVALID_VALUE);
	/* An object input without an object. */
	assert_int_equal(vmc_proxy_create_ranges(nullobj, 2, prot, 2, start, 2, end, 2, &p),
			 KERN_INVALID_ARGUMENT);
	assert_null(p);
	assert_int_equal(fake_alloc_outstanding(), 0);
}

/* The seed's form by lengths (vmc_proxy_create_sized, what
 * vm_region_create_proxy uses): a range may end at the very top of its
 * input's offsets, which an exclusive end cannot say; a zero length, a
 * window past the top and counts that differ are refused. */
static void test_proxy_create_sized_reaches_top_of_input_offsets(void **state)
{
	(void)state;
	struct vmc_proxy_input in[] = { obj(obj_a), obj(obj_b) };
	vmc_prot_t prot[] = { RW, R };
	vmc_off_t start[] = { 3 * P, VMC_ADDR_MAX - (P - 1) };
	vmc_size_t len[] = { 2 * P, P };
	struct vmc_proxy *p = NULL;

	assert_int_equal(vmc_proxy_create_sized(in, 2, prot, 2, start, 2, len, 2, &p),
			 KERN_SUCCESS);
	assert_int_equal(vmc_proxy_segments(p), 2);
	expect_at(p, 0, obj_a, 3 * P, RW, 2 * P);
	expect_at(p, 2 * P, obj_b, VMC_ADDR_MAX - (P - 1), R, P);
	expect_at(p, 3 * P - 1, obj_b, VMC_ADDR_MAX, R, 1);
	expect_at(p, 3 * P, NULL, 0, VMC_PROT_NONE, VMC_ADDR_MAX - 3 * P + 1);
	assert_int_equal(obj_b->refs, 2);
	vmc_proxy_destroy(p);

	/* One byte too many, a zero length, counts one off: nothing made. */
	vmc_size_t past[] = { 2 * P, P + 1 }, empty[] = { 2 * P, 0 };
	p = NULL;
	assert_int_equal(vmc_proxy_create_sized(in, 2, prot, 2, start, 2, past, 2, &p),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(vmc_proxy_create_sized(in, 2, prot, 2, start, 2, empty, 2, &p),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(vmc_proxy_create_sized(in, 2, prot, 2, start, 2, len, 1, &p),
			 KERN_INVALID_ARGUMENT);
	assert_null(p);
	assert_int_equal(obj_a->refs, 1);
	assert_int_equal(obj_b->refs, 1);
	assert_int_equal(fake_alloc_outstanding(), 0);
	/* Open-ended last range, as in the seed's form: lengths one shorter. */
	assert_int_equal(vmc_proxy_create_sized(in, 2, prot, 2, start, 1, len, 1, &p),
			 KERN_SUCCESS);
	assert_true(vmc_proxy_segment(p, 1)->open_ended);
	expect_at(p, 2 * P, obj_b, 0, R, VMC_ADDR_MAX - 2 * P + 1);
	vmc_proxy_destroy(p);
}

static void test_proxy_create_ranges_largest_count_and_one_more(void **state)
{
	(void)state;
	static struct vmc_proxy_input in[VMC_PROXY_MAX_RANGES + 1];
	static vmc_prot_t prot[VMC_PROXY_MAX_RANGES + 1];
	static vmc_off_t start[VMC_PROXY_MAX_RANGES + 1], end[VMC_PROXY_MAX_RANGES + 1];
	struct vmc_proxy *p = NULL;

	for (uint32_t i = 0; i <= VMC_PROXY_MAX_RANGES; i++) {
		in[i] = (i % 3 == 1) ? hole : obj(i % 2 ? obj_a : obj_b);
		prot[i] = (i % 2) ? R : RW;
		start[i] = (vmc_off_t)i * P;
		end[i] = start[i] + P;
	}
	uint32_t n = VMC_PROXY_MAX_RANGES;
	assert_int_equal(vmc_proxy_create_ranges(in, n, prot, n, start, n, end, n, &p),
			 KERN_SUCCESS);
	assert_int_equal(vmc_proxy_segments(p), n - (n + 1) / 3);
	expect_at(p, 1001 * P + 5, obj_a, 1001 * P + 5, R, P - 5);   /* range 1001 */
	expect_at(p, 1000 * P + 5, NULL, 0, VMC_PROT_NONE, P - 5);   /* range 1000: a hole */
	vmc_proxy_destroy(p);
	n++;
	p = NULL;
	assert_int_equal(vmc_proxy_create_ranges(in, n, prot, n, start, n, end, n, &p),
			 KERN_NO_SPACE);
	assert_null(p);
}

/* --- GNU Mach's form ---------------------------------------------------- */

static void test_proxy_create_placed_sorts_and_leaves_gaps_as_holes(void **state)
{
	(void)state;
	/* Given out of order: B at 8P (object offset 3), A at 0 (offset 2P). */
	struct vmc_proxy_input in[] = { obj(obj_b), obj(obj_a) };
	vmc_off_t offset[] = { 8 * P, 0 };
	vmc_off_t start[] = { 3, 2 * P };
	vmc_size_t len[] = { P, 4 * P };
	struct vmc_proxy *p = NULL;

	assert_int_equal(vmc_proxy_create_placed(R, in, 2, offset, 2, start, 2, len, 2, &p),
			 KERN_SUCCESS);
	assert_int_equal(vmc_proxy_segments(p), 2);
	expect_at(p, 0, obj_a, 2 * P, R, 4 * P);
	expect_at(p, 4 * P, NULL, 0, VMC_PROT_NONE, 4 * P);
	expect_at(p, 8 * P + 1, obj_b, 4, R, P - 1);
	vmc_proxy_destroy(p);
}

static void test_proxy_create_rejects_overlap(void **state)
{
	(void)state;
	struct vmc_proxy_input in[] = { obj(obj_a), obj(obj_b) };
	vmc_off_t offset[] = { 4 * P, 0 };
	vmc_off_t start[] = { 0, 0 };
	vmc_size_t len[] = { P, 4 * P + 1 };    /* the second covers one byte of the first */
	struct vmc_proxy *p = NULL;

	assert_int_equal(vmc_proxy_create_placed(RW, in, 2, offset, 2, start, 2, len, 2, &p),
			 KERN_INVALID_ARGUMENT);
	len[1] = 4 * P;    /* adjacent is fine */
	assert_int_equal(vmc_proxy_create_placed(RW, in, 2, offset, 2, start, 2, len, 2, &p),
			 KERN_SUCCESS);
	vmc_proxy_destroy(p);
}

static void test_proxy_create_placed_rejects_bad_arguments(void **state)
{
	(void)state;
	struct vmc_proxy_input in[] = { obj(obj_a), obj(obj_b) };
	struct vmc_proxy_input with_hole[] = { obj(obj_a), hole };
	vmc_off_t offset[] = { 0, 8 * P }, start[] = { 0, 0 };
	vmc_size_t len[] = { P, P };
	vmc_off_t wrap_off[] = { 0, VMC_ADDR_MAX - 10 };
	vmc_off_t wrap_start[] = { VMC_ADDR_MAX, 0 };
	vmc_size_t zero[] = { P, 0 };
	struct vmc_proxy *p = NULL;

	assert_int_equal(vmc_proxy_create_placed(R, in, 0, offset, 0, start, 0, len, 0, &p),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(vmc_proxy_create_placed(R, in, 2, offset, 1, start, 2, len, 2, &p),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(vmc_proxy_create_placed(R, in, 2, offset, 2, start, 3, len, 2, &p),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(vmc_proxy_create_placed(R, in, 2, offset, 2, start, 2, len, 1, &p),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(vmc_proxy_create_placed(0x10, in, 2, offset, 2, start, 2, len, 2, &p),
			 KERN_INVALID_VALUE);
	assert_int_equal(vmc_proxy_create_placed(R, with_hole, 2, offset, 2, start, 2, len, 2, &p),
			 KERN_INVALID_NAME);
	assert_int_equal(vmc_proxy_create_placed(R, in, 2, offset, 2, start, 2, zero, 2, &p),
			 KERN_INVALID_ARGUMENT);
	/* Offsets whose sum overflows, in proxy space and in the object. */
	assert_int_equal(vmc_proxy_create_placed(R, in, 2, wrap_off, 2, start, 2, len, 2, &p),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(vmc_proxy_create_placed(R, in, 2, offset, 2, wrap_start, 2, len, 2, &p),
			 KERN_INVALID_ARGUMENT);
	assert_null(p);
	assert_int_equal(obj_a->refs, 1);
	assert_int_equal(obj_b->refs, 1);
}

/* --- nesting ------------------------------------------------------------ */

/* Wrapping a read-only proxy in read-write ones, to any depth, never gives
 * write access; offsets compose exactly. */
static void test_proxy_nested_rights_never_rise(void **state)
{
	(void)state;
	struct vmc_proxy *chain[65] = { NULL };
	struct vmc_proxy_input in[] = { obj(obj_a) };
	vmc_prot_t ro[] = { R };
	vmc_off_t s0[] = { 5 * P }, e0[] = { 105 * P };

	/* Depth 0: a read-only window [5P, 105P) of A. */
	assert_int_equal(vmc_proxy_create_ranges(in, 1, ro, 1, s0, 1, e0, 1, &chain[0]),
			 KERN_SUCCESS);
	for (int d = 1; d <= 64; d++) {
		/* Each level asks for everything, from one page further in. */
		struct vmc_proxy_input up[] = { prx(chain[d - 1]) };
		vmc_off_t off[] = { 0 }, st[] = { P };
		vmc_size_t len[] = { 100 * P };
		assert_int_equal(vmc_proxy_create_placed(VMC_PROT_ALL, up, 1, off, 1, st, 1,
							 len, 1, &chain[d]),
				 KERN_SUCCESS);
		assert_int_equal(vmc_proxy_segments(chain[d]), 1);
		/* Rights: the intersection along the chain. */
		expect_at(chain[d], 0, obj_a, (vmc_off_t)(5 + d) * P, R, (vmc_size_t)(100 - d) * P);
		/* Windows: the parent's end bounds the child. */
		expect_at(chain[d], (vmc_off_t)(100 - d) * P, NULL, 0, VMC_PROT_NONE,
			  VMC_ADDR_MAX - (vmc_off_t)(100 - d) * P + 1);
	}
	assert_int_equal(obj_a->refs, 1 + 65);
	for (int d = 64; d >= 0; d--)
		vmc_proxy_destroy(chain[d]);
	assert_int_equal(obj_a->refs, 1);
}

static void test_proxy_nested_keeps_inner_holes_and_pieces(void **state)
{
	(void)state;
	/* Inner: A [0,P) RW, hole P, B [0,P) R.  Outer: its [P/2, 3P - 1) at 10. */
	struct vmc_proxy_input in[] = { obj(obj_a), hole, obj(obj_b) };
	vmc_prot_t prot[] = { RW, RW, R };
	vmc_off_t st[] = { 0, 0, 0 }, en[] = { P, P, P };
	struct vmc_proxy *inner = NULL, *outer = NULL;
	assert_int_equal(vmc_proxy_create_ranges(in, 3, prot, 3, st, 3, en, 3, &inner),
			 KERN_SUCCESS);

	struct vmc_proxy_input up[] = { prx(inner) };
	vmc_off_t off[] = { 10 }, ist[] = { P / 2 };
	vmc_size_t len[] = { 3 * P - 1 - P / 2 };
	assert_int_equal(vmc_proxy_create_placed(RW, up, 1, off, 1, ist, 1, len, 1, &outer),
			 KERN_SUCCESS);
	assert_int_equal(vmc_proxy_segments(outer), 2);
	expect_at(outer, 10, obj_a, P / 2, RW, P / 2);
	expect_at(outer, 10 + P / 2, NULL, 0, VMC_PROT_NONE, P);
	expect_at(outer, 10 + P / 2 + P, obj_b, 0, R, P - 1);   /* clipped by the window */
	vmc_proxy_destroy(outer);
	vmc_proxy_destroy(inner);
}

static void test_proxy_nested_window_past_inner_end_is_hole(void **state)
{
	(void)state;
	struct vmc_proxy_input in[] = { obj(obj_a) };
	vmc_prot_t prot[] = { RW };
	vmc_off_t st[] = { 0 }, en[] = { 4 * P };
	struct vmc_proxy *inner = NULL, *outer = NULL;
	assert_int_equal(vmc_proxy_create_ranges(in, 1, prot, 1, st, 1, en, 1, &inner),
			 KERN_SUCCESS);

	/* A window that starts past the inner proxy's end maps nothing. */
	struct vmc_proxy_input up[] = { prx(inner) };
	vmc_off_t off[] = { 0 }, ist[] = { 8 * P };
	vmc_size_t len[] = { P };
	assert_int_equal(vmc_proxy_create_placed(RW, up, 1, off, 1, ist, 1, len, 1, &outer),
			 KERN_SUCCESS);
	assert_int_equal(vmc_proxy_segments(outer), 0);
	expect_at(outer, 0, NULL, 0, VMC_PROT_NONE, VMC_ADDR_MAX);
	vmc_proxy_destroy(outer);
	vmc_proxy_destroy(inner);
}

static void test_proxy_flattening_respects_segment_limit(void **state)
{
	(void)state;
	static struct vmc_proxy_input in[1024], up[1024];
	static vmc_prot_t prot[1024];
	static vmc_off_t st[1024], en[1024];
	struct vmc_proxy *inner = NULL, *outer = NULL;

	/* Inner: 1024 one-page segments (alternating objects, so none merge). */
	for (int i = 0; i < 1024; i++) {
		in[i] = obj(i % 2 ? obj_a : obj_b);
		prot[i] = RW;
		st[i] = 0;
		en[i] = P;
		up[i] = prx(NULL);
	}
	assert_int_equal(vmc_proxy_create_ranges(in, 1024, prot, 1024, st, 1024, en, 1024, &inner),
			 KERN_SUCCESS);
	/* Outer: 64 copies of the whole inner proxy = 65,536 segments: allowed. */
	for (int i = 0; i < 1024; i++) {
		up[i] = prx(inner);
		st[i] = 0;
		en[i] = 1024 * P;
	}
	assert_int_equal(vmc_proxy_create_ranges(up, 64, prot, 64, st, 64, en, 64, &outer),
			 KERN_SUCCESS);
	assert_int_equal(vmc_proxy_segments(outer), VMC_PROXY_MAX_SEGMENTS);
	expect_at(outer, 63 * 1024 * P + 1023 * P, obj_a, 0, RW, P);
	vmc_proxy_destroy(outer);
	/* One more copy is too many. */
	outer = NULL;
	assert_int_equal(vmc_proxy_create_ranges(up, 65, prot, 65, st, 65, en, 65, &outer),
			 KERN_NO_SPACE);
	assert_null(outer);
	vmc_proxy_destroy(inner);
}

/* Resolution uses a bucket index; compare it with a linear scan on segments
 * of very different sizes, gaps, and a last one that reaches 2^64 - 1. */
static void linear_resolve(const struct vmc_proxy *p, vmc_off_t x, struct vmc_proxy_resolved *r)
{
	for (uint32_t i = 0; i < vmc_proxy_segments(p); i++) {
		const struct vmc_proxy_seg *s = vmc_proxy_segment(p, i);
		if (x < s->start) {
			*r = (struct vmc_proxy_resolved){ NULL, 0, VMC_PROT_NONE, s->start - x };
			return;
		}
		if (x <= s->last) {
			vmc_size_t n = s->last - x;
			*r = (struct vmc_proxy_resolved){ s->object, s->offset + (x - s->start),
							  s->max_prot, n == VMC_ADDR_MAX ? n : n + 1 };
			return;
		}
	}
	vmc_size_t n = VMC_ADDR_MAX - x;
	*r = (struct vmc_proxy_resolved){ NULL, 0, VMC_PROT_NONE, n == VMC_ADDR_MAX ? n : n + 1 };
}

static void test_proxy_resolve_matches_linear_scan_on_skewed_segments(void **state)
{
	(void)state;
	enum { N = 40 };
	struct vmc_proxy_input in[N];
	vmc_off_t off[N], st[N];
	vmc_size_t len[N];
	struct vmc_proxy *p = NULL;
	uint64_t seed = 20261122;
	vmc_addr_t x = 1;

	printf("seed %llu\n", (unsigned long long)seed);
	vmc_off_t at = 7;
	for (int i = 0; i < N; i++) {
		seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
		in[i] = obj(i % 2 ? obj_a : obj_b);
		/* sizes from 1 byte to 2^40 (2^24 with 32-bit addresses), gaps of
		 * 0 to a few pages */
		len[i] = (seed % 4 == 0) ? 1 + seed % 5 : (seed % 4 == 1) ? (seed % 7 + 1) * P
			 : (seed % 4 == 2) ? (vmc_size_t)1 << (VMC_ADDR_BITS == 64 ? 20 + seed % 21
									      : 12 + seed % 13)
			 : 3;
		off[i] = at;
		st[i] = seed % 1000;
		at += len[i] + (seed >> 8) % (3 * P);
	}
	len[N - 1] = VMC_ADDR_MAX - off[N - 1] + 1;   /* the last reaches the top */
	st[N - 1] = 0;
	assert_int_equal(vmc_proxy_create_placed(RW, in, N, off, N, st, N, len, N, &p),
			 KERN_SUCCESS);
	for (uint32_t i = 0; i < vmc_proxy_segments(p); i++) {
		const struct vmc_proxy_seg *sg = vmc_proxy_segment(p, i);
		vmc_off_t probes[] = { sg->start - 1, sg->start, sg->start + 1,
				       sg->last - 1, sg->last, sg->last + 1 };
		for (unsigned k = 0; k < 6; k++) {
			struct vmc_proxy_resolved got, want;
			vmc_proxy_resolve(p, probes[k], &got);
			linear_resolve(p, probes[k], &want);
			assert_ptr_equal(got.object, want.object);
			assert_int_equal(got.offset, want.offset);
			assert_int_equal(got.left, want.left);
		}
	}
	for (int k = 0; k < 20000; k++) {
		struct vmc_proxy_resolved got, want;
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		vmc_off_t probe = k % 2 ? x : x % at;
		vmc_proxy_resolve(p, probe, &got);
		linear_resolve(p, probe, &want);
		assert_ptr_equal(got.object, want.object);
		assert_int_equal(got.offset, want.offset);
		assert_int_equal(got.left, want.left);
	}
	vmc_proxy_destroy(p);
}

/* --- the plan and the build -------------------------------------------- */

/* A host that breaks the plan's rule (its inputs stay as they were but for
 * naming the unnamed ones as objects): a host bug, which the build finds
 * by counting before it writes, and panics (vmc_proxy.h).  Here an
 * unnamed input named with a proxy of 64 segments, where the plan made
 * room for one: the build used to write all 64 into the room for one (a
 * heap overflow under ASan, a corrupt guard under CMocka's allocator)
 * before it panicked.  Also an input left unnamed, and a hole turned into
 * an object.  Nothing is written, referenced or freed; the plan can still
 * be discarded. */
static void test_proxy_build_panics_before_writing_if_inputs_changed(void **state)
{
	(void)state;
	enum { NW = 64 };
	struct vmc_proxy_input win[NW];
	vmc_off_t woff[NW], wstart[NW];
	vmc_size_t wlen[NW];
	struct vmc_proxy *wide = NULL, *p;
	struct vmc_proxy_plan *plan = NULL;

	for (uint32_t i = 0; i < NW; i++) {
		win[i] = obj(obj_b);
		woff[i] = (vmc_off_t)i * P;      /* half pages, holes between */
		wstart[i] = 0;
		wlen[i] = P / 2;
	}
	assert_int_equal(vmc_proxy_create_placed(R, win, NW, woff, NW, wstart, NW, wlen, NW, &wide),
			 KERN_SUCCESS);
	assert_int_equal(vmc_proxy_segments(wide), NW);

	struct vmc_proxy_input in[] = { { .kind = VMC_PROXY_IN_UNNAMED }, hole };
	vmc_prot_t prot[] = { R, R };
	vmc_off_t start[] = { 0, 0 }, end[] = { NW * P, P };

	assert_int_equal(vmc_proxy_plan_ranges(in, 2, prot, 2, start, 2, end, 2, &plan),
			 KERN_SUCCESS);
	in[0] = prx(wide);
	expect_assert_failure(vmc_proxy_build(plan));
	assert_string_equal(fake_last_panic(), "vmc_proxy_build: the inputs changed since the plan");
	assert_int_equal(obj_b->refs, 1 + NW);
	vmc_proxy_plan_discard(plan);

	in[0] = (struct vmc_proxy_input){ .kind = VMC_PROXY_IN_UNNAMED };
	assert_int_equal(vmc_proxy_plan_ranges(in, 2, prot, 2, start, 2, end, 2, &plan),
			 KERN_SUCCESS);
	expect_assert_failure(vmc_proxy_build(plan));
	assert_string_equal(fake_last_panic(), "vmc_proxy_build: an input was not named");
	in[0] = obj(obj_a);
	in[1] = obj(obj_c);
	expect_assert_failure(vmc_proxy_build(plan));
	assert_string_equal(fake_last_panic(), "vmc_proxy_build: the inputs changed since the plan");
	assert_int_equal(obj_a->refs, 1);
	assert_int_equal(obj_c->refs, 1);
	vmc_proxy_plan_discard(plan);

	/* Named as the rule says: built. */
	in[0] = (struct vmc_proxy_input){ .kind = VMC_PROXY_IN_UNNAMED };
	in[1] = hole;
	assert_int_equal(vmc_proxy_plan_ranges(in, 2, prot, 2, start, 2, end, 2, &plan),
			 KERN_SUCCESS);
	in[0] = obj(obj_a);
	p = vmc_proxy_build(plan);
	assert_int_equal(vmc_proxy_segments(p), 1);
	assert_int_equal(obj_a->refs, 2);
	vmc_proxy_destroy(p);
	vmc_proxy_destroy(wide);
}

/* --- failure injection and iteration ----------------------------------- */

static void test_proxy_create_survives_allocation_failure_at_every_n(void **state)
{
	(void)state;
	struct vmc_proxy_input in[] = { obj(obj_a), hole, obj(obj_b), obj(obj_c) };
	vmc_prot_t prot[] = { RW, R, R, RW };
	vmc_off_t st[] = { 0, 0, P }, en[] = { P, P, 3 * P };
	struct vmc_proxy *p;
	vmc_kr_t kr;
	unsigned long n;

	for (n = 1;; n++) {
		p = NULL;
		fake_alloc_fail_nth(n);
		kr = vmc_proxy_create_ranges(in, 4, prot, 4, st, 3, en, 3, &p);
		if (kr == KERN_SUCCESS)
			break;
		assert_int_equal(kr, KERN_RESOURCE_SHORTAGE);
		assert_null(p);
		assert_int_equal(fake_alloc_outstanding(), 0);
		assert_int_equal(obj_a->refs, 1);
		assert_int_equal(obj_b->refs, 1);
		assert_int_equal(obj_c->refs, 1);
	}
	assert_true(n > 1);     /* at least one failure was injected */
	vmc_proxy_destroy(p);
	fake_alloc_fail_nth(0);

	/* The same for GNU Mach's form. */
	vmc_off_t off[] = { 5 * P, 0 }, s2[] = { 0, 0 };
	vmc_size_t len[] = { P, P };
	struct vmc_proxy_input in2[] = { obj(obj_a), obj(obj_b) };
	for (n = 1;; n++) {
		p = NULL;
		fake_alloc_fail_nth(n);
		kr = vmc_proxy_create_placed(R, in2, 2, off, 2, s2, 2, len, 2, &p);
		if (kr == KERN_SUCCESS)
			break;
		assert_int_equal(kr, KERN_RESOURCE_SHORTAGE);
		assert_int_equal(fake_alloc_outstanding(), 0);
		assert_int_equal(obj_a->refs, 1);
	}
	assert_true(n > 1);
	vmc_proxy_destroy(p);
}

static void test_proxy_iter_yields_pieces_and_holes(void **state)
{
	(void)state;
	struct vmc_proxy_input in[] = { obj(obj_a), hole, obj(obj_b) };
	vmc_prot_t prot[] = { RW, RW, R };
	vmc_off_t st[] = { 0, 0, 0 }, en[] = { P, P, P };
	struct vmc_proxy *p = NULL;
	struct vmc_proxy_iter it;
	struct vmc_proxy_piece pc;

	assert_int_equal(vmc_proxy_create_ranges(in, 3, prot, 3, st, 3, en, 3, &p), KERN_SUCCESS);
	assert_true(vmc_proxy_iter_init(&it, p, 10, 3 * P));
	assert_true(vmc_proxy_iter_next(&it, &pc));
	assert_int_equal(pc.start, 10);
	assert_int_equal(pc.size, P - 10);
	assert_ptr_equal(pc.object, obj_a);
	assert_true(vmc_proxy_iter_next(&it, &pc));
	assert_null(pc.object);
	assert_int_equal(pc.size, P);
	assert_true(vmc_proxy_iter_next(&it, &pc));
	assert_ptr_equal(pc.object, obj_b);
	assert_int_equal(pc.size, P);
	assert_int_equal(pc.max_prot, R);
	assert_true(vmc_proxy_iter_next(&it, &pc));   /* past the end: a hole */
	assert_null(pc.object);
	assert_int_equal(pc.size, 10);
	assert_false(vmc_proxy_iter_next(&it, &pc));

	/* Windows that wrap or are empty are refused. */
	assert_false(vmc_proxy_iter_init(&it, p, VMC_ADDR_MAX - P + 1, 2 * P));
	assert_false(vmc_proxy_iter_init(&it, p, 0, 0));
	/* A window that ends exactly at the top of the space is fine. */
	assert_true(vmc_proxy_iter_init(&it, p, VMC_ADDR_MAX - P + 1, P));
	assert_true(vmc_proxy_iter_next(&it, &pc));
	assert_int_equal(pc.size, P);
	assert_false(vmc_proxy_iter_next(&it, &pc));
	vmc_proxy_destroy(p);
}

/* vm_map of a window: the checks both hosts rely on, and the plan. */
static void test_proxy_map_check_and_plan(void **state)
{
	(void)state;
	/* A: [0, 2P) rw, a P hole, B: [P, 2P) r. */
	struct vmc_proxy_input in[] = { obj(obj_a), hole, obj(obj_b) };
	vmc_prot_t prot[] = { RW, RW, R };
	vmc_off_t start[] = { 0, 0, P };
	vmc_off_t end[] = { 2 * P, P, 2 * P };
	struct vmc_proxy *p = NULL;
	struct vmc_proxy_map_piece pc[3];
	uint32_t n = 99;

	assert_int_equal(vmc_proxy_create_ranges(in, 3, prot, 3, start, 3, end, 3, &p),
			 KERN_SUCCESS);
	assert_int_equal(vmc_proxy_map_check(p, 0, 4 * P, false, &n), KERN_SUCCESS);
	assert_int_equal(n, 3);
	vmc_proxy_map_plan(p, 0, 4 * P, false, RW, VMC_PROT_ALL, pc);
	assert_true(pc[0].at == 0 && pc[0].size == 2 * P && pc[0].object == obj_a);
	assert_true(pc[0].cur == RW && pc[0].max == RW);
	assert_true(pc[1].at == 2 * P && pc[1].size == P && pc[1].object == NULL);
	assert_true(pc[1].cur == VMC_PROT_NONE && pc[1].max == VMC_PROT_NONE);
	assert_true(pc[2].at == 3 * P && pc[2].object == obj_b && pc[2].offset == P);
	assert_true(pc[2].cur == R && pc[2].max == R);
	/* A copy is the caller's own memory: not capped. */
	vmc_proxy_map_plan(p, P, 3 * P, true, RW, VMC_PROT_ALL, pc);
	assert_true(pc[0].at == 0 && pc[0].size == P && pc[0].offset == P);
	assert_true(pc[2].object == obj_b && pc[2].cur == RW && pc[2].max == VMC_PROT_ALL);

	n = 99;
	assert_int_equal(vmc_proxy_map_check(p, 1, P, false, &n), KERN_INVALID_ARGUMENT);
	assert_int_equal(vmc_proxy_map_check(p, 3 * P, 2 * P, false, &n),
			 KERN_INVALID_ARGUMENT);        /* past the end */
	assert_int_equal(vmc_proxy_map_check(p, 0, 0, false, &n), KERN_INVALID_ARGUMENT);
	assert_int_equal(vmc_proxy_map_check(p, P, VMC_ADDR_MAX, false, &n),
			 KERN_INVALID_ARGUMENT);        /* wraps */
	assert_int_equal(n, 99);
	vmc_proxy_destroy(p);

	/* A piece off a page boundary; a copy of a piece that cannot be read. */
	vmc_off_t ustart[] = { 1 }, uend[] = { P + 1 };
	assert_int_equal(vmc_proxy_create_ranges(in, 1, prot, 1, ustart, 1, uend, 1, &p),
			 KERN_SUCCESS);
	assert_int_equal(vmc_proxy_map_check(p, 0, P, false, &n), KERN_INVALID_ARGUMENT);
	vmc_proxy_destroy(p);
	vmc_prot_t wo[] = { VMC_PROT_WRITE };
	vmc_off_t wend[] = { P };
	assert_int_equal(vmc_proxy_create_ranges(in, 1, wo, 1, start, 1, wend, 1, &p),
			 KERN_SUCCESS);
	assert_int_equal(vmc_proxy_map_check(p, 0, P, true, &n), KERN_PROTECTION_FAILURE);
	assert_int_equal(vmc_proxy_map_check(p, 0, P, false, &n), KERN_SUCCESS);
	vmc_proxy_destroy(p);
}

static void count_object(struct vmc_object *o, void *ctx)
{
	unsigned *seen = ctx;
	seen[o == obj_a ? 0 : o == obj_b ? 1 : 2]++;
}

static void test_proxy_for_each_object(void **state)
{
	(void)state;
	struct vmc_proxy_input in[] = { obj(obj_a), hole, obj(obj_b), obj(obj_a) };
	vmc_prot_t prot[] = { RW, RW, R, R };
	vmc_off_t start[] = { 0, 0, 0, P };
	vmc_off_t end[] = { P, P, P, 2 * P };
	struct vmc_proxy *p = NULL;
	unsigned seen[3] = { 0, 0, 0 };

	assert_int_equal(vmc_proxy_create_ranges(in, 4, prot, 4, start, 4, end, 4, &p),
			 KERN_SUCCESS);
	vmc_proxy_for_each_object(p, count_object, seen);
	assert_int_equal(seen[0], 2);
	assert_int_equal(seen[1], 1);
	assert_int_equal(seen[2], 0);
	vmc_proxy_destroy(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_proxy_create_shorthand_is_whole_object),
		T(test_proxy_create_ranges_end_to_end_with_hole),
		T(test_proxy_create_open_ended_last_range),
		T(test_proxy_create_open_ended_near_top_of_offset_space),
		T(test_proxy_create_ranges_rejects_bad_counts),
		T(test_proxy_create_ranges_rejects_bad_ranges_and_prot),
		T(test_proxy_create_sized_reaches_top_of_input_offsets),
		T(test_proxy_create_ranges_largest_count_and_one_more),
		T(test_proxy_create_placed_sorts_and_leaves_gaps_as_holes),
		T(test_proxy_create_rejects_overlap),
		T(test_proxy_create_placed_rejects_bad_arguments),
		T(test_proxy_nested_rights_never_rise),
		T(test_proxy_nested_keeps_inner_holes_and_pieces),
		T(test_proxy_nested_window_past_inner_end_is_hole),
		T(test_proxy_flattening_respects_segment_limit),
		T(test_proxy_resolve_matches_linear_scan_on_skewed_segments),
		T(test_proxy_build_panics_before_writing_if_inputs_changed),
		T(test_proxy_create_survives_allocation_failure_at_every_n),
		T(test_proxy_iter_yields_pieces_and_holes),
		T(test_proxy_map_check_and_plan),
		T(test_proxy_for_each_object),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

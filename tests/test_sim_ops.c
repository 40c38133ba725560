/*
 * test_sim_ops.c: the simulated RPCs (sim/sim_ops.c) against GNU Mach's
 * semantics: return codes for bad arguments (CASES.md "Arguments"), nothing
 * changed and no output written on failure, and the bytes of every copy.
 */
#include "simtest.h"

/* A name that is in no space: names are random 32-bit values, so take one
 * and check. */
static sim_name_t bogus_name(struct st *st)
{
	sim_name_t n = 0x5eed;
	vmc_addr_t a = 0;
	assert_int_equal(sim_vm_allocate(st->a, n, &a, P, true), MACH_SEND_INVALID_DEST);
	return n;
}

static void test_allocate_zero_size_returns_address_zero(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = 0x1234;

	assert_int_equal(sim_vm_allocate(st->a, st->aself, &a, 0, true), KERN_SUCCESS);
	assert_int_equal(a, 0);
}

static void test_allocate_anywhere_is_page_aligned_and_zero(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = st_alloc(st, st->a, 3 * P - 5);
	unsigned char buf[64];

	assert_true(vmc_page_aligned(a));
	/* The size was rounded up to 3 pages: the last byte is mapped. */
	assert_int_equal(sim_task_load(st->a, a + 3 * P - 64, buf, 64, NULL), KERN_SUCCESS);
	for (int i = 0; i < 64; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(sim_task_load(st->a, a + 3 * P, buf, 1, NULL), KERN_INVALID_ADDRESS);
}

static void test_allocate_fixed_rejects_overlap_and_keeps_addr(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = st_alloc(st, st->a, 2 * P);
	vmc_addr_t b = a + P + 17;   /* truncated to a + P, inside the first */

	assert_int_equal(sim_vm_allocate(st->a, st->aself, &b, P, false), KERN_NO_SPACE);
	assert_int_equal(b, a + P + 17);
	b = a + P;
	assert_int_equal(sim_vm_allocate(st->a, st->aself, &b, 2 * P, false), KERN_NO_SPACE);
	assert_int_equal(b, a + P);
	b = a + 2 * P;
	assert_int_equal(sim_vm_allocate(st->a, st->aself, &b, P, false), KERN_SUCCESS);
}

static void test_allocate_fixed_outside_space_is_invalid_address(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = 0;

	assert_int_equal(sim_vm_allocate(st->a, st->aself, &a, P, false), KERN_INVALID_ADDRESS);
	assert_int_equal(a, 0);
	a = UINT64_MAX - P + 1;
	assert_int_equal(sim_vm_allocate(st->a, st->aself, &a, P, false), KERN_INVALID_ADDRESS);
	a = 0x7ffffffff000 - P;   /* the last page of the space */
	assert_int_equal(sim_vm_allocate(st->a, st->aself, &a, P, false), KERN_SUCCESS);
	/* Bounds are checked before overlap, as in vm_map_enter. */
	a = 0x7ffffffff000 - P;
	assert_int_equal(sim_vm_allocate(st->a, st->aself, &a, 2 * P, false), KERN_INVALID_ADDRESS);
	a = 0x7ffffffff000 - 2 * P;
	assert_int_equal(sim_vm_allocate(st->a, st->aself, &a, 2 * P, false), KERN_NO_SPACE);
	a = 0x7ffffffff000;
	assert_int_equal(sim_vm_allocate(st->a, st->aself, &a, P, false), KERN_INVALID_ADDRESS);
}

static void test_allocate_size_that_rounds_past_top_is_invalid_argument(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = 0x10000;

	assert_int_equal(sim_vm_allocate(st->a, st->aself, &a, UINT64_MAX, true),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_vm_allocate(st->a, st->aself, &a, UINT64_MAX - P, false),
			 KERN_INVALID_ADDRESS);
	assert_int_equal(a, 0x10000);
}

static void test_rpc_target_null_unknown_dead_wrong_kind(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = 0x77000;
	sim_name_t obj = st_memobj(st->a, 1, 4 * P, 0), b_in_a;

	assert_int_equal(sim_vm_allocate(st->a, SIM_NAME_NULL, &a, P, true),
			 MACH_SEND_INVALID_DEST);
	(void)bogus_name(st);
	/* A memory-object port is not a task port: the server's conversion
	 * fails (convert_port_to_map -> VM_MAP_NULL). */
	assert_int_equal(sim_vm_allocate(st->a, obj, &a, P, true), KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_vm_deallocate(st->a, obj, 0x1000, P), KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_vm_protect(st->a, obj, 0x1000, P, false, 0), KERN_INVALID_ARGUMENT);
	vmc_addr_t d = 0;
	assert_int_equal(sim_vm_read(st->a, obj, 0x1000, P, &d), KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_vm_write(st->a, obj, 0x1000, 0x1000, P), KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_vm_copy(st->a, obj, 0x1000, P, 0x2000), KERN_INVALID_ARGUMENT);
	/* A thread port is not a task port either. */
	sim_name_t thread = sim_task_thread_port(st->a);
	assert_int_equal(sim_vm_allocate(st->a, thread, &a, P, true), KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_vm_map(st->a, thread, &a, P, 0, true, SIM_NAME_NULL, 0, false,
				    VMC_PROT_ALL, VMC_PROT_ALL), KERN_INVALID_ARGUMENT);
	/* A dead task's port: a dead name. */
	assert_int_equal(sim_port_copy_send(st->b, st->bself, st->a, &b_in_a), KERN_SUCCESS);
	sim_task_terminate(st->b);
	assert_int_equal(sim_vm_allocate(st->a, b_in_a, &a, P, true), MACH_SEND_INVALID_DEST);
	assert_int_equal(sim_vm_read(st->a, b_in_a, 0x1000, P, &d), MACH_SEND_INVALID_DEST);
	assert_int_equal(a, 0x77000);
	assert_int_equal(d, 0);
}

static void test_deallocate_clips_and_removes_mappings(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = st_alloc(st, st->a, 4 * P);
	unsigned char c;

	st_fill(st->a, a, 4 * P, 1);
	uint64_t flushes = st_event(st, SIM_EV_TLB_FLUSH);
	assert_int_equal(sim_vm_deallocate(st->a, st->aself, a + P + 100, P), KERN_SUCCESS);
	/* [trunc(a+P+100), round(a+2P+100)) = pages 1 and 2. */
	assert_true(st_event(st, SIM_EV_TLB_FLUSH) > flushes);
	assert_int_equal(sim_task_load(st->a, a + P, &c, 1, NULL), KERN_INVALID_ADDRESS);
	assert_int_equal(sim_task_load(st->a, a + 2 * P, &c, 1, NULL), KERN_INVALID_ADDRESS);
	assert_true(st_holds(st->a, a, P, 1, 0));
	assert_true(st_holds(st->a, a + 3 * P, P, 1, 3 * P));
	st_check(st);
}

static void test_deallocate_zero_wrap_and_holes_succeed_changing_nothing(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = st_alloc(st, st->a, P);

	st_fill(st->a, a, P, 2);
	assert_int_equal(sim_vm_deallocate(st->a, st->aself, a, 0), KERN_SUCCESS);
	/* GNU Mach: the end wraps, VM_MAP_RANGE_CHECK makes the range empty. */
	assert_int_equal(sim_vm_deallocate(st->a, st->aself, a, UINT64_MAX), KERN_SUCCESS);
	assert_int_equal(sim_vm_deallocate(st->a, st->aself, a + P, 16 * P), KERN_SUCCESS);
	assert_int_equal(sim_vm_deallocate(st->a, st->aself, 0, P), KERN_SUCCESS);
	assert_true(st_holds(st->a, a, P, 2, 0));
}

static void test_protect_above_maximum_fails_and_changes_nothing(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = st_alloc(st, st->a, 2 * P);

	st_fill(st->a, a, 2 * P, 3);
	assert_int_equal(sim_vm_protect(st->a, st->aself, a + P, P, true, VMC_PROT_READ),
			 KERN_SUCCESS);
	/* Current above the new maximum, over both pages: refused as a whole. */
	assert_int_equal(sim_vm_protect(st->a, st->aself, a, 2 * P, false,
					VMC_PROT_READ | VMC_PROT_WRITE),
			 KERN_PROTECTION_FAILURE);
	/* Page 0 kept its write access, page 1 has none. */
	assert_int_equal(sim_task_store(st->a, a, "x", 1, NULL), KERN_SUCCESS);
	assert_int_equal(sim_task_store(st->a, a + P, "x", 1, NULL), KERN_PROTECTION_FAILURE);
	assert_true(st_holds(st->a, a + P, P, 3, P));
}

static void test_protect_set_maximum_lowers_current_and_ptes(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = st_alloc(st, st->a, P);
	unsigned char c;

	st_fill(st->a, a, P, 4);   /* a writable page-table entry exists */
	assert_int_equal(sim_vm_protect(st->a, st->aself, a, P, true, VMC_PROT_NONE),
			 KERN_SUCCESS);
	assert_int_equal(sim_task_load(st->a, a, &c, 1, NULL), KERN_PROTECTION_FAILURE);
	assert_int_equal(sim_vm_protect(st->a, st->aself, a, P, false, VMC_PROT_READ),
			 KERN_PROTECTION_FAILURE);
	st_check(st);
}

static void test_protect_rejects_bits_outside_all(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = st_alloc(st, st->a, P);

	assert_int_equal(sim_vm_protect(st->a, st->aself, a, P, false, 0x8), KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_vm_protect(st->a, st->aself, a, P, false, -1), KERN_INVALID_ARGUMENT);
	st_fill(st->a, a, P, 5);
}

static void test_protect_read_only_then_store_fails_with_exact_count(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = st_alloc(st, st->a, 2 * P);
	unsigned char buf[200];
	size_t done = 7;

	assert_int_equal(sim_vm_protect(st->a, st->aself, a + P, P, false, VMC_PROT_READ),
			 KERN_SUCCESS);
	memset(buf, 0xab, sizeof buf);
	assert_int_equal(sim_task_store(st->a, a + P - 50, buf, sizeof buf, &done),
			 KERN_PROTECTION_FAILURE);
	assert_int_equal(done, 50);
	assert_int_equal(sim_task_load(st->a, a + P, buf, 1, NULL), KERN_SUCCESS);
	assert_int_equal(buf[0], 0);
}

/* CASES.md: unaligned heads and tails, (offset mod P, length). */
static const struct { vmc_size_t off, len; } shapes[] = {
	{ 0, 1 }, { P - 1, 1 }, { P - 1, 2 }, { 1, P - 2 }, { 1, P },
	{ P - 1, P + 2 }, { 3, 5 * P - 7 }, { 0, 6 * P },
};

static void test_read_unaligned_shapes_return_exact_bytes(void **state)
{
	struct st *st = *state;
	vmc_addr_t src = st_alloc(st, st->b, 8 * P), data = 0;
	sim_name_t b_in_a;

	st_fill(st->b, src, 8 * P, 6);
	assert_int_equal(sim_port_copy_send(st->b, st->bself, st->a, &b_in_a), KERN_SUCCESS);
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		vmc_addr_t at = src + P + shapes[i].off;
		assert_int_equal(sim_vm_read(st->a, b_in_a, at, shapes[i].len, &data),
				 KERN_SUCCESS);
		assert_int_equal(data & VMC_PAGE_MASK, at & VMC_PAGE_MASK);
		assert_true(st_holds(st->a, data, shapes[i].len, 6, at - src));
		st_check(st);
	}
}

static void test_read_bad_ranges(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = st_alloc(st, st->a, 2 * P), b, data = 0x99;

	b = a + 3 * P;
	assert_int_equal(sim_vm_allocate(st->a, st->aself, &b, P, false), KERN_SUCCESS);
	/* Zero length: a null copy, address 0. */
	assert_int_equal(sim_vm_read(st->a, st->aself, a, 0, &data), KERN_SUCCESS);
	assert_int_equal(data, 0);
	data = 0x99;
	/* Wrap, and an end that rounds up to 0. */
	assert_int_equal(sim_vm_read(st->a, st->aself, a, UINT64_MAX, &data), KERN_INVALID_ADDRESS);
	assert_int_equal(sim_vm_read(st->a, st->aself, UINT64_MAX - 10, 5, &data),
			 KERN_INVALID_ADDRESS);
	/* Holes: before the first entry, between entries, after the last. */
	assert_int_equal(sim_vm_read(st->a, st->aself, a - P, 2 * P, &data), KERN_INVALID_ADDRESS);
	assert_int_equal(sim_vm_read(st->a, st->aself, a + P, 3 * P, &data), KERN_INVALID_ADDRESS);
	assert_int_equal(sim_vm_read(st->a, st->aself, b + 10, P, &data), KERN_INVALID_ADDRESS);
	assert_int_equal(sim_vm_read(st->a, st->aself, 0x7ffffffff000 - 1, 2, &data),
			 KERN_INVALID_ADDRESS);
	/* No read access. */
	assert_int_equal(sim_vm_protect(st->a, st->aself, a + P, P, false, VMC_PROT_NONE),
			 KERN_SUCCESS);
	assert_int_equal(sim_vm_read(st->a, st->aself, a, 2 * P, &data), KERN_PROTECTION_FAILURE);
	assert_int_equal(data, 0x99);
}

static void test_read_copy_is_isolated_both_ways(void **state)
{
	struct st *st = *state;
	vmc_addr_t src = st_alloc(st, st->a, 3 * P), data = 0;

	st_fill(st->a, src, 3 * P, 7);
	assert_int_equal(sim_vm_read(st->a, st->aself, src, 3 * P, &data), KERN_SUCCESS);
	/* The source changes: the copy keeps the old bytes. */
	st_fill(st->a, src + P, P, 8);
	assert_true(st_holds(st->a, data, 3 * P, 7, 0));
	/* The copy changes: the source keeps its bytes. */
	st_fill(st->a, data, P, 9);
	assert_true(st_holds(st->a, src, P, 7, 0));
	assert_true(st_holds(st->a, src + P, P, 8, 0));
	assert_true(st_event(st, SIM_EV_COW_COPY) >= 2);
	st_check(st);
}

static void test_write_checks_alignment_space_and_protection(void **state)
{
	struct st *st = *state;
	vmc_addr_t src = st_alloc(st, st->a, 2 * P), dst = st_alloc(st, st->b, 2 * P);
	sim_name_t b_in_a;

	assert_int_equal(sim_port_copy_send(st->b, st->bself, st->a, &b_in_a), KERN_SUCCESS);
	st_fill(st->a, src, 2 * P, 10);
	st_fill(st->b, dst, 2 * P, 11);
	assert_int_equal(sim_vm_write(st->a, b_in_a, dst, src, 0), KERN_SUCCESS);
	assert_int_equal(sim_vm_write(st->a, b_in_a, dst + 1, src, P), KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_vm_write(st->a, b_in_a, dst, src + 1, P), KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_vm_write(st->a, b_in_a, dst, src, P - 1), KERN_INVALID_ARGUMENT);
	/* The data must be readable by the caller for the message to go. */
	assert_int_equal(sim_vm_write(st->a, b_in_a, dst, src + P, 2 * P),
			 MACH_SEND_INVALID_MEMORY);
	assert_int_equal(sim_vm_write(st->a, b_in_a, dst + P, src, 2 * P), KERN_INVALID_ADDRESS);
	/* Data whose end wraps cannot be sent; a destination across the top
	 * of the space, or whose end wraps, is not mapped. */
	assert_int_equal(sim_vm_write(st->a, b_in_a, dst, src, UINT64_MAX - P + 1),
			 MACH_SEND_INVALID_MEMORY);
	assert_int_equal(sim_vm_write(st->a, b_in_a, 0x7ffffffff000 - P, src, 2 * P),
			 KERN_INVALID_ADDRESS);
	assert_int_equal(sim_vm_write(st->a, b_in_a, UINT64_MAX - P + 1, src, 2 * P),
			 KERN_INVALID_ADDRESS);
	assert_int_equal(sim_vm_protect(st->b, st->bself, dst + P, P, false, VMC_PROT_READ),
			 KERN_SUCCESS);
	assert_int_equal(sim_vm_write(st->a, b_in_a, dst, src, 2 * P), KERN_PROTECTION_FAILURE);
	/* Nothing was written by the failures, not even the writable page. */
	assert_true(st_holds(st->b, dst, 2 * P, 11, 0));
	assert_int_equal(sim_vm_write(st->a, b_in_a, dst, src, P), KERN_SUCCESS);
	assert_true(st_holds(st->b, dst, P, 10, 0));
	assert_true(st_holds(st->b, dst + P, P, 11, P));
}

static void test_copy_overlapping_moves_as_if_read_first(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = st_alloc(st, st->a, 4 * P);

	st_fill(st->a, a, 4 * P, 12);
	assert_int_equal(sim_vm_copy(st->a, st->aself, a, 3 * P, a + P), KERN_SUCCESS);
	assert_true(st_holds(st->a, a, P, 12, 0));
	assert_true(st_holds(st->a, a + P, 3 * P, 12, 0));
	assert_int_equal(sim_vm_copy(st->a, st->aself, a + 1, P, a + 2 * P), KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_vm_copy(st->a, st->aself, a, P, a + 4 * P), KERN_INVALID_ADDRESS);
	assert_int_equal(sim_vm_copy(st->a, st->aself, a + 3 * P, 2 * P, a), KERN_INVALID_ADDRESS);
	assert_int_equal(sim_vm_copy(st->a, st->aself, a, 0, a + 99), KERN_SUCCESS);
	/* Wrapping source: vm_map_copyin's KERN_INVALID_ADDRESS. */
	assert_int_equal(sim_vm_copy(st->a, st->aself, a, UINT64_MAX, a), KERN_INVALID_ADDRESS);
	assert_int_equal(sim_vm_copy(st->a, st->aself, UINT64_MAX - P + 1, P, a),
			 KERN_INVALID_ADDRESS);
	/* Nothing moved by the failures. */
	assert_true(st_holds(st->a, a + P, 3 * P, 12, 0));
}

static void test_map_shared_sees_pager_and_translator_writes(void **state)
{
	struct st *st = *state;
	sim_name_t obj = st_memobj(st->b, 13, 8 * P, 0), obj_a;
	vmc_addr_t at = 0, srv = 0;

	assert_int_equal(sim_port_copy_send(st->b, obj, st->a, &obj_a), KERN_SUCCESS);
	assert_int_equal(sim_vm_map(st->a, st->aself, &at, 4 * P, 0, true, obj_a, 2 * P, false,
				    VMC_PROT_READ, VMC_PROT_READ), KERN_SUCCESS);
	assert_true(st_holds(st->a, at, 4 * P, 13, 2 * P));
	assert_int_equal(sim_vm_map(st->b, st->bself, &srv, 8 * P, 0, true, obj, 0, false,
				    VMC_PROT_ALL, VMC_PROT_ALL), KERN_SUCCESS);
	st_fill(st->b, srv + 3 * P, P, 14);
	assert_true(st_holds(st->a, at + P, P, 14, 0));
	/* Read-only mapping: no store. */
	assert_int_equal(sim_task_store(st->a, at, "x", 1, NULL), KERN_PROTECTION_FAILURE);
}

static void test_map_copy_is_private_both_ways(void **state)
{
	struct st *st = *state;
	sim_name_t obj = st_memobj(st->b, 15, 8 * P, 0);
	vmc_addr_t cpy = 0, srv = 0;

	assert_int_equal(sim_vm_map(st->b, st->bself, &srv, 8 * P, 0, true, obj, 0, false,
				    VMC_PROT_ALL, VMC_PROT_ALL), KERN_SUCCESS);
	/* The shared mapping has a page resident and writable before the copy. */
	st_fill(st->b, srv, P, 16);
	assert_int_equal(sim_vm_map(st->b, st->bself, &cpy, 2 * P, 0, true, obj, 0, true,
				    VMC_PROT_ALL, VMC_PROT_ALL), KERN_SUCCESS);
	st_fill(st->b, srv, 2 * P, 17);      /* original changes after the copy */
	assert_true(st_holds(st->b, cpy, P, 16, 0));
	assert_true(st_holds(st->b, cpy + P, P, 15, P));
	st_fill(st->b, cpy, P, 18);          /* the copy changes */
	assert_true(st_holds(st->b, srv, 2 * P, 17, 0));
	st_check(st);
}

static void test_map_bad_arguments(void **state)
{
	struct st *st = *state;
	sim_name_t obj = st_memobj(st->a, 19, 8 * P, 0);
	vmc_addr_t at = 0x5000, rw = VMC_PROT_READ | VMC_PROT_WRITE;

	assert_int_equal(sim_vm_map(st->a, st->aself, &at, 0, 0, true, obj, 0, false, rw, rw),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_vm_map(st->a, st->aself, &at, P, 0, true, obj, 0, false, 8, rw),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_vm_map(st->a, st->aself, &at, P, 0, true, obj, 0, false, rw, 16),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_vm_map(st->a, st->aself, &at, P, 0, true, obj, 1, false, rw, rw),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_vm_map(st->a, st->aself, &at, 2 * P, 0, true, obj,
				    UINT64_MAX - P + 1, false, rw, rw), KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_vm_map(st->a, st->aself, &at, P, 0, true, 0x5eed, 0, false, rw, rw),
			 MACH_SEND_INVALID_RIGHT);
	assert_int_equal(sim_vm_map(st->a, st->aself, &at, P, 0, true, st->aself, 0, false, rw,
				    rw), KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_vm_map(st->a, st->aself, &at, P, 0xfff, false, obj, 0, false, rw,
				    rw), KERN_SUCCESS);
	vmc_addr_t again = at + 0x1000;
	assert_int_equal(sim_vm_map(st->a, st->aself, &again, P, 0x3fff, false, obj, 0, false,
				    rw, rw), KERN_NO_SPACE);
	assert_int_equal(again, at + 0x1000);
	/* Failed copies leave no copy object behind. */
	assert_int_equal(sim_vm_map(st->a, st->aself, &at, P, 0, false, obj, 0, true, rw, rw),
			 KERN_NO_SPACE);
	assert_int_equal(at, 0x5000);
	/* Mask: anywhere honours the alignment. */
	vmc_addr_t m = 0;
	assert_int_equal(sim_vm_map(st->a, st->aself, &m, P, 0xfffff, true, obj, 0, false, rw,
				    rw), KERN_SUCCESS);
	assert_int_equal(m & 0xfffff, 0);
	/* A null memory object: anonymous zero-fill memory. */
	vmc_addr_t z = 0;
	assert_int_equal(sim_vm_map(st->a, st->aself, &z, P, 0, true, SIM_NAME_NULL, 77, true,
				    rw, rw), KERN_SUCCESS);
	st_fill(st->a, z, P, 20);
}

static void test_map_at_and_past_object_end_faults_with_memory_error(void **state)
{
	struct st *st = *state;
	sim_name_t obj = st_memobj(st->a, 21, 2 * P, 0);
	vmc_addr_t at = 0, past = 0;
	unsigned char c;

	/* GNU Mach does not check the window against the object: the mapping
	 * succeeds and the pager refuses the pages (data_error). */
	assert_int_equal(sim_vm_map(st->a, st->aself, &at, P, 0, true, obj, 2 * P, false,
				    VMC_PROT_READ, VMC_PROT_READ), KERN_SUCCESS);
	assert_int_equal(sim_vm_map(st->a, st->aself, &past, P, 0, true, obj, 3 * P, false,
				    VMC_PROT_READ, VMC_PROT_READ), KERN_SUCCESS);
	assert_int_equal(sim_task_load(st->a, at, &c, 1, NULL), KERN_MEMORY_ERROR);
	assert_int_equal(sim_task_load(st->a, past, &c, 1, NULL), KERN_MEMORY_ERROR);
	/* vm_read is virtual: it succeeds, the fault comes when reading. */
	vmc_addr_t data = 0;
	assert_int_equal(sim_vm_read(st->a, st->aself, at, P, &data), KERN_SUCCESS);
	assert_int_equal(sim_task_load(st->a, data, &c, 1, NULL), KERN_MEMORY_ERROR);
	/* vm_copy into unshared anonymous memory is virtual too: it succeeds
	 * and the destination fails when read (vm_map_copy_overwrite). */
	vmc_addr_t dst = st_alloc(st, st->a, P);
	assert_int_equal(sim_vm_copy(st->a, st->aself, at, P, dst), KERN_SUCCESS);
	assert_int_equal(sim_task_load(st->a, dst, &c, 1, NULL), KERN_MEMORY_ERROR);
	/* Into a memory object's pages it is physical: the error is reported
	 * and nothing is written. */
	sim_name_t obj2 = st_memobj(st->a, 22, P, 0);
	vmc_addr_t shared = 0;
	assert_int_equal(sim_vm_map(st->a, st->aself, &shared, P, 0, true, obj2, 0, false,
				    VMC_PROT_ALL, VMC_PROT_ALL), KERN_SUCCESS);
	assert_int_equal(sim_vm_copy(st->a, st->aself, at, P, shared), KERN_MEMORY_ERROR);
	assert_true(st_holds(st->a, shared, P, 22, 0));
}

static void test_write_into_shared_memory_object_is_seen_by_others(void **state)
{
	struct st *st = *state;
	sim_name_t obj = st_memobj(st->b, 23, 4 * P, 0), obj_a, b_in_a;
	vmc_addr_t win_a = 0, win_b = 0, src = st_alloc(st, st->a, 2 * P);

	assert_int_equal(sim_port_copy_send(st->b, obj, st->a, &obj_a), KERN_SUCCESS);
	assert_int_equal(sim_port_copy_send(st->b, st->bself, st->a, &b_in_a), KERN_SUCCESS);
	assert_int_equal(sim_vm_map(st->a, st->aself, &win_a, 4 * P, 0, true, obj_a, 0, false,
				    VMC_PROT_READ, VMC_PROT_READ), KERN_SUCCESS);
	assert_int_equal(sim_vm_map(st->b, st->bself, &win_b, 4 * P, 0, true, obj, 0, false,
				    VMC_PROT_ALL, VMC_PROT_ALL), KERN_SUCCESS);
	assert_true(st_holds(st->a, win_a, 4 * P, 23, 0));
	st_fill(st->a, src, 2 * P, 24);
	/* a writes into b's window: the bytes land in the shared object. */
	assert_int_equal(sim_vm_write(st->a, b_in_a, win_b + P, src, 2 * P), KERN_SUCCESS);
	assert_true(st_holds(st->a, win_a + P, 2 * P, 24, 0));
	assert_true(st_holds(st->a, win_a, P, 23, 0));
	assert_true(st_holds(st->a, win_a + 3 * P, P, 23, 3 * P));
	assert_int_equal(st_event(st, SIM_EV_BYTES_COPIED), 2 * P);
	/* The source stays the caller's: writing it now changes nothing there. */
	st_fill(st->a, src, P, 25);
	assert_true(st_holds(st->b, win_b + P, P, 24, 0));
	st_check(st);
}

static void test_write_into_anonymous_memory_is_virtual(void **state)
{
	struct st *st = *state;
	vmc_addr_t src = st_alloc(st, st->a, 2 * P), dst = st_alloc(st, st->b, 3 * P);
	sim_name_t b_in_a;

	assert_int_equal(sim_port_copy_send(st->b, st->bself, st->a, &b_in_a), KERN_SUCCESS);
	st_fill(st->a, src, 2 * P, 26);
	st_fill(st->b, dst, 3 * P, 27);
	uint64_t before = st_event(st, SIM_EV_BYTES_COPIED);
	assert_int_equal(sim_vm_write(st->a, b_in_a, dst + P, src, 2 * P), KERN_SUCCESS);
	/* dst's entry is unshared anonymous memory: it is clipped and its
	 * last two pages take the source's pages; no byte moves. */
	assert_int_equal(st_event(st, SIM_EV_BYTES_COPIED), before);
	assert_true(st_holds(st->b, dst, P, 27, 0));
	assert_true(st_holds(st->b, dst + P, 2 * P, 26, 0));
	/* A fresh, untouched destination takes the pages without copying. */
	vmc_addr_t fresh = st_alloc(st, st->b, 2 * P);
	uint64_t copied = st_event(st, SIM_EV_BYTES_COPIED);
	assert_int_equal(sim_vm_write(st->a, b_in_a, fresh, src, 2 * P), KERN_SUCCESS);
	assert_int_equal(st_event(st, SIM_EV_BYTES_COPIED), copied);
	assert_true(st_holds(st->b, fresh, 2 * P, 26, 0));
	st_fill(st->b, fresh, P, 28);            /* copy-on-write both ways */
	assert_true(st_holds(st->a, src, 2 * P, 26, 0));
	st_fill(st->a, src + P, P, 29);
	assert_true(st_holds(st->b, fresh + P, P, 26, P));
	st_check(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ST_TEST(test_allocate_zero_size_returns_address_zero),
		ST_TEST(test_allocate_anywhere_is_page_aligned_and_zero),
		ST_TEST(test_allocate_fixed_rejects_overlap_and_keeps_addr),
		ST_TEST(test_allocate_fixed_outside_space_is_invalid_address),
		ST_TEST(test_allocate_size_that_rounds_past_top_is_invalid_argument),
		ST_TEST(test_rpc_target_null_unknown_dead_wrong_kind),
		ST_TEST(test_deallocate_clips_and_removes_mappings),
		ST_TEST(test_deallocate_zero_wrap_and_holes_succeed_changing_nothing),
		ST_TEST(test_protect_above_maximum_fails_and_changes_nothing),
		ST_TEST(test_protect_set_maximum_lowers_current_and_ptes),
		ST_TEST(test_protect_rejects_bits_outside_all),
		ST_TEST(test_protect_read_only_then_store_fails_with_exact_count),
		ST_TEST(test_read_unaligned_shapes_return_exact_bytes),
		ST_TEST(test_read_bad_ranges),
		ST_TEST(test_read_copy_is_isolated_both_ways),
		ST_TEST(test_write_checks_alignment_space_and_protection),
		ST_TEST(test_copy_overlapping_moves_as_if_read_first),
		ST_TEST(test_map_shared_sees_pager_and_translator_writes),
		ST_TEST(test_map_copy_is_private_both_ways),
		ST_TEST(test_map_bad_arguments),
		ST_TEST(test_map_at_and_past_object_end_faults_with_memory_error),
		ST_TEST(test_write_into_shared_memory_object_is_seen_by_others),
		ST_TEST(test_write_into_anonymous_memory_is_virtual),
	};
	return cmocka_run_group_tests_name("sim_ops", tests, NULL, NULL);
}

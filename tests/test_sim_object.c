/*
 * test_sim_object.c: objects, pagers, faults, eviction and the porting
 * header's page primitives (sim/sim_object.c, sim/sim_port.c).
 */
#include "simtest.h"
#include "sim_internal.h"

/* Maps npages of a new memory object (key k) read/write into task a;
 * returns its address and the object's name in *obj. */
static vmc_addr_t map_obj(struct st *st, unsigned k, vmc_size_t npages, uint32_t latency,
			  sim_name_t *obj)
{
	vmc_addr_t at = 0;

	*obj = st_memobj(st->a, k, npages * P, latency);
	assert_int_equal(sim_vm_map(st->a, st->aself, &at, npages * P, 0, true, *obj, 0, false,
				    VMC_PROT_ALL, VMC_PROT_ALL), KERN_SUCCESS);
	return at;
}

static void test_pager_error_stops_load_at_page_with_exact_count(void **state)
{
	struct st *st = *state;
	sim_name_t obj;
	vmc_addr_t at = map_obj(st, 1, 4, 0, &obj);
	unsigned char buf[4 * P];
	size_t done = 0;

	for (int k = 0; k < 3; k++) {   /* first, middle, last page */
		vmc_off_t bad = (vmc_off_t)(k == 0 ? 0 : k == 1 ? 2 : 3) * P;
		assert_int_equal(sim_memory_object_set_answer(st->a, obj, bad, SIM_PAGER_ERROR),
				 KERN_SUCCESS);
		assert_int_equal(sim_task_load(st->a, at + 10, buf, 4 * P - 20, &done),
				 KERN_MEMORY_ERROR);
		assert_int_equal(done, bad == 0 ? 0 : bad - 10);
		assert_int_equal(sim_memory_object_set_answer(st->a, obj, bad, SIM_PAGER_DATA),
				 KERN_SUCCESS);
	}
	assert_true(st_holds(st->a, at, 4 * P, 1, 0));
}

static void test_pager_unavailable_zero_fills(void **state)
{
	struct st *st = *state;
	sim_name_t obj;
	vmc_addr_t at = map_obj(st, 2, 2, 0, &obj);
	unsigned char buf[P];

	assert_int_equal(sim_memory_object_set_answer(st->a, obj, P, SIM_PAGER_UNAVAILABLE),
			 KERN_SUCCESS);
	assert_int_equal(sim_task_load(st->a, at + P, buf, P, NULL), KERN_SUCCESS);
	for (size_t i = 0; i < P; i++)
		assert_int_equal(buf[i], 0);
	assert_true(st_holds(st->a, at, P, 2, 0));
	assert_int_equal(st_event(st, SIM_EV_ZERO_FILL), 1);
}

static void test_pager_never_interrupts_and_past_size_errors(void **state)
{
	struct st *st = *state;
	sim_name_t obj;
	vmc_addr_t at = 0;
	unsigned char c;

	obj = st_memobj(st->a, 3, P + 100, 0);   /* one page and a bit */
	assert_int_equal(sim_vm_map(st->a, st->aself, &at, 4 * P, 0, true, obj, 0, false,
				    VMC_PROT_ALL, VMC_PROT_ALL), KERN_SUCCESS);
	assert_int_equal(sim_task_load(st->a, at + P + 50, &c, 1, NULL), KERN_SUCCESS);
	assert_int_equal(sim_task_load(st->a, at + 2 * P, &c, 1, NULL), KERN_MEMORY_ERROR);
	assert_int_equal(sim_memory_object_set_answer(st->a, obj, 3 * P, SIM_PAGER_NEVER),
			 KERN_SUCCESS);
	assert_int_equal(sim_task_load(st->a, at + 3 * P, &c, 1, NULL), MACH_SEND_INTERRUPTED);
}

static void test_terminated_object_faults_fail(void **state)
{
	struct st *st = *state;
	sim_name_t obj;
	vmc_addr_t at = map_obj(st, 4, 2, 0, &obj);
	unsigned char c;

	assert_true(st_holds(st->a, at, P, 4, 0));
	assert_int_equal(sim_memory_object_terminate(st->a, obj), KERN_SUCCESS);
	/* Resident pages went with it, and their page-table entries. */
	assert_int_equal(sim_task_load(st->a, at, &c, 1, NULL), KERN_MEMORY_ERROR);
	assert_int_equal(sim_task_load(st->a, at + P, &c, 1, NULL), KERN_MEMORY_ERROR);
	assert_int_equal(sim_vm_frames_used(st->vm), 0);
}

static void test_memory_pressure_keeps_every_byte(void **state)
{
	struct st *st = *state;

	vmc_addr_t anon = st_alloc(st, st->a, 40 * P);
	sim_name_t obj;
	vmc_addr_t mo = map_obj(st, 5, 24, 0, &obj);

	st_fill(st->a, anon, 40 * P, 6);
	st_fill(st->a, mo + 4 * P, 8 * P, 7);   /* dirty pager pages */
	st_check(st);
	assert_true(sim_vm_frames_used(st->vm) <= SIM_FRAMES_MIN);
	assert_true(st_holds(st->a, anon, 40 * P, 6, 0));
	assert_true(st_holds(st->a, mo, 4 * P, 5, 0));
	assert_true(st_holds(st->a, mo + 4 * P, 8 * P, 7, 0));
	assert_true(st_holds(st->a, mo + 12 * P, 12 * P, 5, 12 * P));
	assert_true(st_event(st, SIM_EV_EVICT) > 0);
	assert_true(st_event(st, SIM_EV_PAGEOUT) >= 48);
}

static void test_evicted_dirty_page_comes_back_from_store(void **state)
{
	struct st *st = *state;
	sim_name_t obj;
	vmc_addr_t at = map_obj(st, 8, 2, 0, &obj);

	st_fill(st->a, at, P, 9);
	assert_int_equal(sim_memory_object_evict(st->a, obj, 0), KERN_SUCCESS);
	assert_int_equal(sim_memory_object_evict(st->a, obj, 0), KERN_INVALID_ADDRESS);
	assert_int_equal(st_event(st, SIM_EV_PAGEOUT), 1);
	assert_true(st_holds(st->a, at, P, 9, 0));
	/* Anonymous memory too, through the task control. */
	vmc_addr_t anon = st_alloc(st, st->a, P);
	st_fill(st->a, anon, P, 10);
	assert_int_equal(sim_task_evict(st->a, anon), KERN_SUCCESS);
	assert_true(st_holds(st->a, anon, P, 10, 0));
	assert_int_equal(sim_memory_object_evict(st->a, obj, 1), KERN_INVALID_ARGUMENT);
}

static void test_pinned_page_is_never_evicted(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = st_alloc(st, st->a, P);
	struct vmc_lookup l;
	struct vmc_page_ref ref;

	assert_int_equal(vmc_map_lookup(st->a->map, a, VMC_PROT_WRITE, &l), KERN_SUCCESS);
	assert_int_equal(vmc_object_page_get(l.object, l.offset, VMC_PROT_WRITE, &ref),
			 VMC_FAULT_OK);
	st_check(st);   /* the core's reference is accounted for */
	assert_int_equal(sim_task_evict(st->a, a), KERN_FAILURE);
	ref.page->data[5] = 0x42;   /* a store into the pinned page */
	vmc_page_put(&ref, true);
	vmc_object_release(l.object);
	assert_int_equal(sim_task_evict(st->a, a), KERN_SUCCESS);
	unsigned char c;
	assert_int_equal(sim_task_load(st->a, a + 5, &c, 1, NULL), KERN_SUCCESS);
	assert_int_equal(c, 0x42);
}

struct hook_log {
	int calls[VMC_BLOCK_COUNT];
	struct sim_task *task;
	vmc_addr_t unmap;       /* nonzero: deallocate this page at the first call */
	sim_name_t terminate;   /* nonzero: terminate this object at the first call */
};

static void hook(struct sim_vm *vm, enum vmc_block_point where, void *ctx)
{
	struct hook_log *h = ctx;

	(void)vm;
	h->calls[where]++;
	if (h->unmap) {
		assert_int_equal(sim_vm_deallocate(h->task, sim_task_self(h->task), h->unmap, P),
				 KERN_SUCCESS);
		h->unmap = 0;
	}
	if (h->terminate) {
		assert_int_equal(sim_memory_object_terminate(h->task, h->terminate), KERN_SUCCESS);
		h->terminate = 0;
	}
}

static void test_latency_yields_then_retries_once(void **state)
{
	struct st *st = *state;
	sim_name_t obj;
	vmc_addr_t at = map_obj(st, 11, 2, 3, &obj);
	struct hook_log h = { .task = st->a };
	struct vmc_lookup l;
	struct vmc_page_ref ref = { 0 };

	sim_vm_set_yield_hook(st->vm, hook, &h);
	assert_int_equal(vmc_map_lookup(st->a->map, at, VMC_PROT_READ, &l), KERN_SUCCESS);
	assert_int_equal(vmc_object_page_get(l.object, 0, VMC_PROT_READ, &ref), VMC_FAULT_RETRY);
	assert_null(ref.page);
	assert_int_equal(h.calls[VMC_BLOCK_FAULT_SRC], 3);
	assert_int_equal(vmc_object_page_get(l.object, 0, VMC_PROT_READ, &ref), VMC_FAULT_OK);
	assert_int_equal(h.calls[VMC_BLOCK_FAULT_SRC], 3);
	vmc_page_put(&ref, false);
	/* Switched off: the write fault waits and continues. */
	sim_vm_set_retry_after_wait(st->vm, false);
	assert_int_equal(vmc_object_page_get(l.object, P, VMC_PROT_WRITE, &ref), VMC_FAULT_OK);
	assert_int_equal(h.calls[VMC_BLOCK_FAULT_DST], 3);
	vmc_page_put(&ref, false);
	vmc_object_release(l.object);
	sim_vm_set_yield_hook(st->vm, NULL, NULL);
}

static void test_unmap_during_pager_wait_stops_load(void **state)
{
	struct st *st = *state;
	sim_name_t obj;
	vmc_addr_t at = map_obj(st, 12, 2, 2, &obj);
	struct hook_log h = { .task = st->a, .unmap = 0 };
	unsigned char buf[2 * P];
	size_t done = 99;

	h.unmap = at + P;
	assert_true(st_holds(st->a, at, P, 12, 0));   /* page 0 resident, no wait */
	sim_vm_set_yield_hook(st->vm, hook, &h);
	assert_int_equal(sim_task_load(st->a, at, buf, 2 * P, &done), KERN_INVALID_ADDRESS);
	assert_int_equal(done, P);
	sim_vm_set_yield_hook(st->vm, NULL, NULL);
	st_check(st);
}

static void test_terminate_during_pager_wait_is_memory_error(void **state)
{
	struct st *st = *state;
	sim_name_t obj;
	vmc_addr_t at = map_obj(st, 13, 1, 1, &obj);
	struct hook_log h = { .task = st->a, .terminate = obj };
	unsigned char c;

	sim_vm_set_yield_hook(st->vm, hook, &h);
	assert_int_equal(sim_task_load(st->a, at, &c, 1, NULL), KERN_MEMORY_ERROR);
	sim_vm_set_yield_hook(st->vm, NULL, NULL);
}

static void test_page_not_current_after_copy_made_while_pinned(void **state)
{
	struct st *st = *state;
	sim_name_t obj;
	vmc_addr_t at = map_obj(st, 14, 2, 0, &obj), cpy = 0;
	struct vmc_lookup l;
	struct vmc_page_ref ref;

	assert_int_equal(vmc_map_lookup(st->a->map, at, VMC_PROT_WRITE, &l), KERN_SUCCESS);
	assert_int_equal(vmc_object_page_get(l.object, 0, VMC_PROT_WRITE, &ref), VMC_FAULT_OK);
	assert_true(vmc_page_still_current(&ref));
	assert_int_equal(sim_vm_map(st->a, st->aself, &cpy, P, 0, true, obj, 0, true,
				    VMC_PROT_ALL, VMC_PROT_ALL), KERN_SUCCESS);
	assert_false(vmc_page_still_current(&ref));
	vmc_page_put(&ref, false);
	vmc_object_release(l.object);
}

static void test_write_fault_copies_up_and_unmaps_old_page(void **state)
{
	struct st *st = *state;
	vmc_addr_t src = st_alloc(st, st->a, P), data = 0;

	st_fill(st->a, src, P, 15);
	assert_int_equal(sim_vm_read(st->a, st->aself, src, P, &data), KERN_SUCCESS);
	assert_true(st_holds(st->a, data, P, 15, 0));   /* both map the same page */
	uint64_t cow = st_event(st, SIM_EV_COW_COPY);
	st_fill(st->a, src, 16, 16);
	assert_int_equal(st_event(st, SIM_EV_COW_COPY), cow + 1);
	st_check(st);   /* no page-table entry shows the wrong page */
	assert_true(st_holds(st->a, data, P, 15, 0));
}

static void test_alloc_knob_fails_nth_and_counts_bytes(void **state)
{
	(void)state;
	uint64_t base = sim_alloc_outstanding();
	void *a = vmc_alloc(100);
	assert_non_null(a);
	assert_int_equal(sim_alloc_outstanding(), base + 100);
	sim_alloc_fail_nth(2);
	void *b = vmc_alloc(10);
	assert_non_null(b);
	assert_null(vmc_alloc(10));
	void *c = vmc_alloc(0);
	assert_non_null(c);
	vmc_free(a, 100);
	vmc_free(b, 10);
	vmc_free(c, 0);
	assert_int_equal(sim_alloc_outstanding(), base);
}

static void test_checker_catches_a_wrong_reference_count(void **state)
{
	struct st *st = *state;
	vmc_addr_t a = st_alloc(st, st->a, P);
	struct vmc_lookup l;
	const char *why = NULL;

	assert_int_equal(vmc_map_lookup(st->a->map, a, VMC_PROT_READ, &l), KERN_SUCCESS);
	l.object->port_refs--;          /* pretend the core's reference is not there */
	assert_false(sim_vm_check(st->vm, &why));
	assert_non_null(strstr(why, "references"));
	l.object->port_refs++;
	vmc_object_release(l.object);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ST_TEST(test_pager_error_stops_load_at_page_with_exact_count),
		ST_TEST(test_pager_unavailable_zero_fills),
		ST_TEST(test_pager_never_interrupts_and_past_size_errors),
		ST_TEST(test_terminated_object_faults_fail),
		ST_TEST_FRAMES(test_memory_pressure_keeps_every_byte, SIM_FRAMES_MIN),
		ST_TEST(test_evicted_dirty_page_comes_back_from_store),
		ST_TEST(test_pinned_page_is_never_evicted),
		ST_TEST(test_latency_yields_then_retries_once),
		ST_TEST(test_unmap_during_pager_wait_stops_load),
		ST_TEST(test_terminate_during_pager_wait_is_memory_error),
		ST_TEST(test_page_not_current_after_copy_made_while_pinned),
		ST_TEST(test_write_fault_copies_up_and_unmaps_old_page),
		ST_TEST(test_alloc_knob_fails_nth_and_counts_bytes),
		ST_TEST(test_checker_catches_a_wrong_reference_count),
	};
	return cmocka_run_group_tests_name("sim_object", tests, NULL, NULL);
}

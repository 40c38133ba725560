/*
 * test_sim_port.c: the porting header as the core uses it, on the simulator
 * (sim/sim_port.c).
 *
 * A small copy loop written against vmc_port.h alone (the shape of GNU
 * Mach's vm_fault_copy: look up, fault both pages, verify the map, check
 * the destination page is still current, copy, release) runs with races
 * planted at its yield points.  It checks the contract the core relies on:
 * RETRY after a pager wait, verify failing after the map changed, a page no
 * longer current after a copy was made of its object, references and pins
 * balanced at every exit.
 */
#include "simtest.h"
#include "sim_internal.h"

/* Copies len bytes from object `src` at `off` to `map` at `dst`, stopping
 * at the first failure.  Returns its code; *done is exact. */
static vmc_kr_t mini_copy(struct vmc_object *src, vmc_off_t off, struct vmc_map *map,
			  vmc_addr_t dst, vmc_size_t len, vmc_size_t *done, int *retries)
{
	*done = 0;
	while (*done < len) {
		vmc_addr_t va = dst + *done;
		vmc_off_t so = off + *done;
		vmc_size_t n = vmc_min(vmc_min(vmc_page_left(va), vmc_page_left(so)), len - *done);
		struct vmc_lookup l;
		struct vmc_page_ref sp, dp;
		vmc_fault_t f;

		vmc_may_block(VMC_BLOCK_LOOKUP_DST);
		vmc_kr_t kr = vmc_map_lookup(map, va, VMC_PROT_WRITE, &l);
		if (kr != KERN_SUCCESS)
			return *done ? KERN_SUCCESS : kr;
		vmc_may_block(VMC_BLOCK_FAULT_SRC);
		f = vmc_object_page_get(src, vmc_trunc_page(so), VMC_PROT_READ, &sp);
		if (f != VMC_FAULT_OK) {
			vmc_object_release(l.object);
			if (f == VMC_FAULT_RETRY) {
				(*retries)++;
				continue;
			}
			return *done ? KERN_SUCCESS : KERN_MEMORY_ERROR;
		}
		vmc_may_block(VMC_BLOCK_FAULT_DST);
		f = vmc_object_page_get(l.object, vmc_trunc_page(l.offset), VMC_PROT_WRITE, &dp);
		if (f != VMC_FAULT_OK) {
			vmc_page_put(&sp, false);
			vmc_object_release(l.object);
			if (f == VMC_FAULT_RETRY) {
				(*retries)++;
				continue;
			}
			return *done ? KERN_SUCCESS : KERN_MEMORY_ERROR;
		}
		vmc_may_block(VMC_BLOCK_VERIFY);
		if (!vmc_map_verify(map, &l.version)) {
			vmc_page_put(&dp, false);
			vmc_page_put(&sp, false);
			vmc_object_release(l.object);
			(*retries)++;
			continue;
		}
		if (!vmc_page_still_current(&dp)) {
			vmc_map_verify_done(map, &l.version);
			vmc_page_put(&dp, false);
			vmc_page_put(&sp, false);
			vmc_object_release(l.object);
			(*retries)++;
			continue;
		}
		vmc_page_copy(&dp, l.offset & VMC_PAGE_MASK, &sp, so & VMC_PAGE_MASK, n);
		vmc_map_verify_done(map, &l.version);
		vmc_page_put(&dp, true);
		vmc_page_put(&sp, false);
		vmc_object_release(l.object);
		*done += n;
		vmc_may_block(VMC_BLOCK_NEXT_CHUNK);
	}
	return KERN_SUCCESS;
}

struct race {
	struct st *st;
	enum vmc_block_point at;
	int countdown;           /* act at the countdown-th visit of `at` */
	void (*act)(struct race *r);
	vmc_addr_t addr;
	sim_name_t obj;
	bool checked;
};

static void race_hook(struct sim_vm *vm, enum vmc_block_point where, void *ctx)
{
	struct race *r = ctx;
	const char *why;

	(void)vm;
	/* The world is consistent at every yield, core references included. */
	if (!sim_vm_check(r->st->vm, &why))
		fail_msg("sim_vm_check at yield %d: %s", where, why);
	r->checked = true;
	if (where == r->at && r->act != NULL && --r->countdown == 0)
		r->act(r);
}

static void unmap_second_page(struct race *r)
{
	assert_int_equal(sim_vm_deallocate(r->st->a, r->st->aself, r->addr + P, P), KERN_SUCCESS);
}

/* Another task takes a private copy of the object: the copier's map does
 * not change, so only vmc_page_still_current can notice. */
static void copy_the_object(struct race *r)
{
	vmc_addr_t at = 0;
	assert_int_equal(sim_vm_map(r->st->b, r->st->bself, &at, 4 * P, 0, true, r->obj, 0, true,
				    VMC_PROT_READ, VMC_PROT_READ), KERN_SUCCESS);
	r->addr = at;
}

static void test_copy_loop_retries_after_pager_wait(void **state)
{
	struct st *st = *state;
	sim_name_t obj = st_memobj(st->a, 1, 4 * P, 2);
	struct vmc_object *src;
	vmc_addr_t buf = st_alloc(st, st->a, 4 * P);
	struct race r = { .st = st };
	vmc_size_t done;
	int retries = 0;

	assert_int_equal(sim_memory_object_get(st->a, obj, &src), KERN_SUCCESS);
	sim_vm_set_yield_hook(st->vm, race_hook, &r);
	assert_int_equal(mini_copy(src, 100, st->a->map, buf + 7, 3 * P, &done, &retries),
			 KERN_SUCCESS);
	assert_int_equal(done, 3 * P);
	assert_int_equal(retries, 4);   /* source pages 0..3, one wait each */
	assert_true(r.checked);
	sim_vm_set_yield_hook(st->vm, NULL, NULL);
	assert_true(st_holds(st->a, buf + 7, 3 * P, 1, 100));
	vmc_object_release(src);
}

static void test_copy_loop_stops_where_the_destination_was_unmapped(void **state)
{
	struct st *st = *state;
	sim_name_t obj = st_memobj(st->a, 2, 4 * P, 0);
	struct vmc_object *src;
	vmc_addr_t buf = st_alloc(st, st->a, 3 * P);
	struct race r = { .st = st, .at = VMC_BLOCK_VERIFY, .countdown = 2,
			  .act = unmap_second_page };
	vmc_size_t done;
	int retries = 0;

	r.addr = buf;
	assert_int_equal(sim_memory_object_get(st->a, obj, &src), KERN_SUCCESS);
	sim_vm_set_yield_hook(st->vm, race_hook, &r);
	/* Page 1 of the destination goes between its faults and the verify:
	 * the verify fails, the lookup then finds the hole. */
	assert_int_equal(mini_copy(src, 0, st->a->map, buf, 3 * P, &done, &retries),
			 KERN_SUCCESS);
	assert_int_equal(done, P);
	assert_int_equal(retries, 1);
	sim_vm_set_yield_hook(st->vm, NULL, NULL);
	assert_true(st_holds(st->a, buf, P, 2, 0));
	unsigned char c = 1;   /* page 2 was never reached: still zero */
	assert_int_equal(sim_task_load(st->a, buf + 2 * P, &c, 1, NULL), KERN_SUCCESS);
	assert_int_equal(c, 0);
	vmc_object_release(src);
}

static void test_copy_into_object_redone_when_copied_meanwhile(void **state)
{
	struct st *st = *state;
	sim_name_t obj = st_memobj(st->a, 3, 4 * P, 0);
	vmc_addr_t win = 0, src = st_alloc(st, st->a, P);
	struct vmc_object *srcobj;
	struct race r = { .st = st, .at = VMC_BLOCK_VERIFY, .countdown = 1,
			  .act = copy_the_object };
	vmc_size_t done;
	int retries = 0;

	assert_int_equal(sim_port_copy_send(st->a, obj, st->b, &r.obj), KERN_SUCCESS);
	/* Destination: a shared mapping of the memory object; source: an
	 * anonymous page. */
	assert_int_equal(sim_vm_map(st->a, st->aself, &win, 4 * P, 0, true, obj, 0, false,
				    VMC_PROT_ALL, VMC_PROT_ALL), KERN_SUCCESS);
	st_fill(st->a, src, P, 4);
	struct sim_entry *e = sim_map_lookup_entry(st->a->map, src);
	srcobj = e->object;
	vmc_object_reference(srcobj);
	sim_vm_set_yield_hook(st->vm, race_hook, &r);
	assert_int_equal(mini_copy(srcobj, 0, st->a->map, win + P, P, &done, &retries),
			 KERN_SUCCESS);
	sim_vm_set_yield_hook(st->vm, NULL, NULL);
	assert_int_equal(done, P);
	/* The copy made meanwhile made the pinned page stale: redone once. */
	assert_int_equal(retries, 1);
	assert_true(st_holds(st->a, win + P, P, 4, 0));
	/* The private copy taken before the write keeps the old bytes. */
	assert_true(st_holds(st->b, r.addr + P, P, 3, P));
	vmc_object_release(srcobj);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ST_TEST(test_copy_loop_retries_after_pager_wait),
		ST_TEST(test_copy_loop_stops_where_the_destination_was_unmapped),
		ST_TEST(test_copy_into_object_redone_when_copied_meanwhile),
	};
	return cmocka_run_group_tests_name("sim_port", tests, NULL, NULL);
}

/*
 * test_sim_task.c: tasks, port name spaces and send rights
 * (sim/sim_task.c).
 */
#include "simtest.h"
#include "sim_internal.h"

static void test_names_are_random_distinct_and_seeded(void **state)
{
	struct st *st = *state;
	struct sim_vm_config cfg = { .seed = st_seed(), .frames = 0 };
	sim_name_t seen[16];

	for (int i = 0; i < 16; i++) {
		struct sim_task *t = sim_task_create(st->vm, "t");
		seen[i] = sim_task_self(t);
		assert_true(seen[i] != SIM_NAME_NULL && seen[i] != ~0u);
		for (int j = 0; j < i; j++)
			assert_true(seen[i] != seen[j]);
		sim_task_terminate(t);
	}
	/* Small integers are not names: nothing to guess. */
	int small = 0;
	for (int i = 0; i < 16; i++)
		small += seen[i] < 1024;
	assert_true(small < 2);
	/* Same seed, same names. */
	struct sim_vm *vm2 = sim_vm_create(&cfg);
	struct sim_task *x = sim_task_create(vm2, "a");
	assert_int_equal(sim_task_self(x), st->aself);
	sim_vm_destroy(vm2);
}

static void test_copy_send_merges_user_references(void **state)
{
	struct st *st = *state;
	sim_name_t n1, n2;

	assert_int_equal(sim_port_copy_send(st->b, st->bself, st->a, &n1), KERN_SUCCESS);
	assert_int_equal(sim_port_copy_send(st->b, st->bself, st->a, &n2), KERN_SUCCESS);
	assert_int_equal(n1, n2);
	struct sim_right *r = sim_right_find(st->a, n1);
	assert_non_null(r);
	assert_int_equal(r->urefs, 2);
	assert_int_equal(r->port->srights, 2);   /* b's own and a's */
	assert_int_equal(sim_port_deallocate(st->a, n1), KERN_SUCCESS);
	vmc_addr_t at = 0;
	assert_int_equal(sim_vm_allocate(st->a, n1, &at, P, true), KERN_SUCCESS);
	assert_int_equal(sim_port_deallocate(st->a, n1), KERN_SUCCESS);
	assert_int_equal(sim_vm_allocate(st->a, n1, &at, P, true), MACH_SEND_INVALID_DEST);
	assert_int_equal(sim_port_deallocate(st->a, n1), KERN_INVALID_NAME);
}

static void test_copy_send_bad_names(void **state)
{
	struct st *st = *state;
	sim_name_t out = 0x77, dead;

	assert_int_equal(sim_port_copy_send(st->a, 0x5eed, st->b, &out), KERN_INVALID_NAME);
	assert_int_equal(sim_port_copy_send(st->a, SIM_NAME_NULL, st->b, &out), KERN_INVALID_NAME);
	struct sim_task *c = sim_task_create(st->vm, "c");
	assert_int_equal(sim_port_copy_send(c, sim_task_self(c), st->a, &dead), KERN_SUCCESS);
	sim_task_terminate(c);
	assert_int_equal(sim_port_copy_send(st->a, dead, st->b, &out), KERN_INVALID_RIGHT);
	assert_int_equal(sim_port_copy_send(st->a, st->aself, c, &out), KERN_INVALID_TASK);
	assert_int_equal(out, 0x77);
	/* A dead name can still be deallocated. */
	assert_int_equal(sim_port_deallocate(st->a, dead), KERN_SUCCESS);
	assert_int_equal(sim_port_deallocate(c, 1), KERN_INVALID_TASK);
}

static void test_terminate_empties_map_and_kills_port(void **state)
{
	struct st *st = *state;
	sim_name_t b_in_a, obj = st_memobj(st->b, 1, 4 * P, 0);
	vmc_addr_t at = 0, anon = st_alloc(st, st->b, 4 * P);
	unsigned char c;

	st_fill(st->b, anon, 4 * P, 2);
	assert_int_equal(sim_vm_map(st->b, st->bself, &at, 4 * P, 0, true, obj, 0, false,
				    VMC_PROT_READ, VMC_PROT_READ), KERN_SUCCESS);
	assert_true(st_holds(st->b, at, 4 * P, 1, 0));
	assert_int_equal(sim_port_copy_send(st->b, st->bself, st->a, &b_in_a), KERN_SUCCESS);
	sim_task_terminate(st->b);
	sim_task_terminate(st->b);   /* idempotent */
	assert_false(sim_task_alive(st->b));
	assert_int_equal(sim_task_self(st->b), SIM_NAME_NULL);
	assert_int_equal(sim_vm_object_count(st->vm), 0);
	assert_int_equal(sim_vm_frames_used(st->vm), 0);
	assert_int_equal(sim_vm_deallocate(st->a, b_in_a, at, P), MACH_SEND_INVALID_DEST);
	assert_int_equal(sim_task_load(st->b, at, &c, 1, NULL), KERN_INVALID_TASK);
	assert_int_equal(sim_vm_allocate(st->b, st->bself, &at, P, true), MACH_SEND_INVALID_DEST);
}

static void test_memory_object_outlives_its_last_send_right_while_mapped(void **state)
{
	struct st *st = *state;
	sim_name_t obj = st_memobj(st->b, 3, 2 * P, 0);
	vmc_addr_t at = 0;

	assert_int_equal(sim_vm_map(st->b, st->bself, &at, 2 * P, 0, true, obj, 0, false,
				    VMC_PROT_READ, VMC_PROT_READ), KERN_SUCCESS);
	assert_int_equal(sim_port_deallocate(st->b, obj), KERN_SUCCESS);
	/* No senders: the name is gone, the mapping still works. */
	assert_int_equal(sim_memory_object_evict(st->b, obj, 0), KERN_INVALID_NAME);
	assert_true(st_holds(st->b, at, 2 * P, 3, 0));
	assert_int_equal(sim_vm_object_count(st->vm), 1);
	assert_int_equal(sim_vm_deallocate(st->b, st->bself, at, 2 * P), KERN_SUCCESS);
	assert_int_equal(sim_vm_object_count(st->vm), 0);
	assert_int_equal(sim_vm_frames_used(st->vm), 0);
}

static void test_memory_object_controls_check_names(void **state)
{
	struct st *st = *state;
	sim_name_t obj = st_memobj(st->a, 4, P, 0);
	struct sim_pager pg = { 0 };
	sim_name_t out = 0x66;

	assert_int_equal(sim_memory_object_set_answer(st->a, 0x5eed, 0, SIM_PAGER_ERROR),
			 KERN_INVALID_NAME);
	assert_int_equal(sim_memory_object_set_answer(st->a, st->aself, 0, SIM_PAGER_ERROR),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_memory_object_set_answer(st->a, obj, 1, SIM_PAGER_ERROR),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_memory_object_set_answer(st->a, obj, 0, (enum sim_pager_answer)9),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_memory_object_terminate(st->b, obj), KERN_INVALID_NAME);
	assert_int_equal(sim_memory_object_evict(st->a, st->aself, 0), KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_memory_object_create(st->a, NULL, &out), KERN_INVALID_ARGUMENT);
	sim_task_terminate(st->b);
	assert_int_equal(sim_memory_object_create(st->b, &pg, &out), KERN_INVALID_TASK);
	assert_int_equal(out, 0x66);
}

static void test_dead_memory_object_name_maps_anonymous_memory(void **state)
{
	struct st *st = *state;
	sim_name_t obj = st_memobj(st->b, 5, P, 0), obj_a;
	vmc_addr_t at = 0;

	assert_int_equal(sim_port_copy_send(st->b, obj, st->a, &obj_a), KERN_SUCCESS);
	sim_task_terminate(st->b);   /* b held the other right; a's remains */
	struct sim_right *r = sim_right_find(st->a, obj_a);
	sim_port_destroy(r->port);   /* the pager went away: a dead name */
	/* GNU Mach: a dead name arrives as an invalid port; vm_map maps
	 * anonymous memory (IP_VALID in vm_user.c:vm_map). */
	assert_int_equal(sim_vm_map(st->a, st->aself, &at, P, 0, true, obj_a, 0, false,
				    VMC_PROT_ALL, VMC_PROT_ALL), KERN_SUCCESS);
	unsigned char c = 1;
	assert_int_equal(sim_task_load(st->a, at, &c, 1, NULL), KERN_SUCCESS);
	assert_int_equal(c, 0);
}

static void test_memory_object_get_checks_names_and_references(void **state)
{
	struct st *st = *state;
	sim_name_t obj = st_memobj(st->a, 6, P, 0);
	struct vmc_object *o = NULL;

	assert_int_equal(sim_memory_object_get(st->a, 0x5eed, &o), MACH_SEND_INVALID_RIGHT);
	assert_int_equal(sim_memory_object_get(st->a, st->aself, &o), KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_memory_object_get(st->a, SIM_NAME_NULL, &o), KERN_INVALID_ARGUMENT);
	assert_null(o);
	assert_int_equal(sim_memory_object_get(st->a, obj, &o), KERN_SUCCESS);
	assert_non_null(o);
	st_check(st);
	/* The reference keeps the object after its last right goes. */
	assert_int_equal(sim_port_deallocate(st->a, obj), KERN_SUCCESS);
	assert_int_equal(sim_vm_object_count(st->vm), 1);
	st_check(st);
	vmc_object_release(o);
	assert_int_equal(sim_vm_object_count(st->vm), 0);
}

static int proxy_calls;

static vmc_kr_t fake_proxy_map(struct sim_task *caller, struct vmc_map *map, vmc_addr_t *addr,
			       vmc_size_t size, vmc_addr_t mask, bool anywhere,
			       struct sim_port *proxy, vmc_off_t offset, bool copy,
			       vmc_prot_t cur, vmc_prot_t max)
{
	(void)caller; (void)mask; (void)anywhere; (void)proxy; (void)copy; (void)cur; (void)max;
	proxy_calls++;
	assert_int_equal(size, 2 * P);          /* rounded */
	assert_int_equal(*addr & VMC_PAGE_MASK, 0);   /* truncated */
	if (offset == 1)
		return KERN_INVALID_ARGUMENT;
	return sim_map_enter(map, addr, size, 0, false, NULL, 0, false, VMC_PROT_READ,
			     VMC_PROT_READ);
}

static void test_proxy_ports_go_to_the_proxy_hook(void **state)
{
	struct st *st = *state;
	struct sim_port *proxy = sim_port_create(st->vm, SIM_PORT_PROXY, NULL, NULL);
	sim_name_t pn = sim_right_insert(st->a, proxy);
	vmc_addr_t at = 0x200010;
	sim_proxy_map_fn installed = st->vm->proxy_map;   /* sim_proxy.c's */

	/* The seam itself: without a hook, a proxy is refused. */
	st->vm->proxy_map = NULL;
	assert_int_equal(sim_vm_map(st->a, st->aself, &at, P + 1, 0, false, pn, 0, false,
				    VMC_PROT_READ, VMC_PROT_READ), KERN_INVALID_ARGUMENT);
	st->vm->proxy_map = fake_proxy_map;
	assert_int_equal(sim_vm_map(st->a, st->aself, &at, P + 1, 0, false, pn, 1, false,
				    VMC_PROT_READ, VMC_PROT_READ), KERN_INVALID_ARGUMENT);
	assert_int_equal(at, 0x200010);
	assert_int_equal(sim_vm_map(st->a, st->aself, &at, P + 1, 0, false, pn, 0, false,
				    VMC_PROT_READ, VMC_PROT_READ), KERN_SUCCESS);
	assert_int_equal(at, 0x200000);
	assert_int_equal(proxy_calls, 2);
	/* The hook runs after vm_map's own checks. */
	assert_int_equal(sim_vm_map(st->a, st->aself, &at, 0, 0, false, pn, 0, false,
				    VMC_PROT_READ, VMC_PROT_READ), KERN_INVALID_ARGUMENT);
	assert_int_equal(proxy_calls, 2);
	st->vm->proxy_map = installed;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ST_TEST(test_names_are_random_distinct_and_seeded),
		ST_TEST(test_copy_send_merges_user_references),
		ST_TEST(test_copy_send_bad_names),
		ST_TEST(test_terminate_empties_map_and_kills_port),
		ST_TEST(test_memory_object_outlives_its_last_send_right_while_mapped),
		ST_TEST(test_memory_object_controls_check_names),
		ST_TEST(test_dead_memory_object_name_maps_anonymous_memory),
		ST_TEST(test_memory_object_get_checks_names_and_references),
		ST_TEST(test_proxy_ports_go_to_the_proxy_hook),
	};
	return cmocka_run_group_tests_name("sim_task", tests, NULL, NULL);
}

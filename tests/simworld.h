/*
 * simworld.h: what the tests that build their own simulated worlds share
 * (test_grid.c, test_sim_alloc_fail.c): the visible state a failed call
 * must leave alone, and the checked end of a world.  Include after
 * cmocka.h and sim_internal.h.
 */
#ifndef SIMWORLD_H
#define SIMWORLD_H

/* Appends every map entry of the tasks (bounds and protections) and the
 * number of ports: what a failed call must not change.  The objects behind
 * the entries are left out: a lookup may give an untouched entry its
 * zero-fill object, or a copy-on-write entry its shadow, without changing
 * a byte (sim_vm_check accounts for every reference). */
static inline void sw_entries(GString *s, struct sim_vm *vm, struct sim_task *const *task,
			      int ntask)
{
	for (int i = 0; i < ntask; i++)
		for (struct sim_entry *e = sim_task_map(task[i])->first; e != NULL; e = e->next)
			g_string_append_printf(s, "%d %#llx-%#llx p%d/%d\n", i,
					       (unsigned long long)e->start,
					       (unsigned long long)e->end, e->prot, e->max_prot);
	g_string_append_printf(s, "ports %u\n", vm->ports->len);
}

/* Checks the world's consistency, then destroys it. */
static inline void sw_destroy(struct sim_vm *vm)
{
	const char *why = "";

	if (!sim_vm_check(vm, &why))
		fail_msg("sim_vm_check: %s", why);
	sim_vm_destroy(vm);
}

#endif /* SIMWORLD_H */

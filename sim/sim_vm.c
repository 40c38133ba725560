/*
 * sim_vm.c: making and ending a simulated world.  The top of the VM model:
 * it wires the modules together (the proxy module's vm_map hook) and, at
 * the end, terminates the tasks and destroys the ports.
 *
 * A world (struct sim_vm) holds everything: tasks, ports, objects, and a
 * bounded pool of page frames (sim_object.c).  Its event counters, its
 * yield hook and which world is current are sim_world.c's, which every
 * module below uses.
 */
#include <stdio.h>

#include "sim_internal.h"
#include "sim_proxy.h"

struct sim_vm *sim_vm_create(const struct sim_vm_config *config)
{
	struct sim_vm *vm = g_new0(struct sim_vm, 1);

	vm->seed = config->seed;
	/* GRand takes 32-bit seeds; fold the 64-bit one so both halves count. */
	guint32 words[2] = { (guint32)config->seed, (guint32)(config->seed >> 32) };
	vm->rand = g_rand_new_with_seed_array(words, 2);
	vm->frames = config->frames ? config->frames : 65536;
#if VMC_ADDR_BITS == 64
	vm->map_max = config->map_max ? config->map_max : SIM_MAP_MAX_X86_64;
#else
	vm->map_max = config->map_max ? config->map_max : SIM_MAP_MAX_I386;
#endif
	if (vm->frames < SIM_FRAMES_MIN)
		vm->frames = SIM_FRAMES_MIN;
	g_queue_init(&vm->resident);
	vm->tasks = g_ptr_array_new();
	vm->ports = g_ptr_array_new();
	vm->objects = g_hash_table_new(g_direct_hash, g_direct_equal);
	vm->retry_after_wait = true;
	vm->resident_shortcut = true;
	vm->proxy_map = sim_proxy_map;     /* sim_proxy.c */
	sim_world_enter(vm);
	return vm;
}

void sim_vm_destroy(struct sim_vm *vm)
{
	if (vm == NULL)
		return;
	vm->destroying = true;
	/* Tasks first: emptying maps and name spaces drops every reference an
	 * object has, except those of memory-object ports. */
	for (guint i = 0; i < vm->tasks->len; i++)
		sim_task_terminate(g_ptr_array_index(vm->tasks, i));
	for (guint i = 0; i < vm->ports->len; i++)
		sim_port_destroy(g_ptr_array_index(vm->ports, i));
	/* Anything left is held by a reference the core never released: a bug
	 * in the caller, reported rather than hidden. */
	if (g_hash_table_size(vm->objects) != 0)
		fprintf(stderr, "sim_vm_destroy: %u objects still referenced\n",
			g_hash_table_size(vm->objects));
	for (guint i = 0; i < vm->tasks->len; i++) {
		struct sim_task *t = g_ptr_array_index(vm->tasks, i);
		g_free(t->label);
		g_free(t);
	}
	for (guint i = 0; i < vm->ports->len; i++)
		g_free(g_ptr_array_index(vm->ports, i));
	g_ptr_array_free(vm->tasks, TRUE);
	g_ptr_array_free(vm->ports, TRUE);
	g_hash_table_destroy(vm->objects);
	sim_frame_runs_release(vm);
	g_rand_free(vm->rand);
	sim_world_leave(vm);
	g_free(vm);
}

/*
 * sim_world.c: what every module of the VM model asks of its world, and
 * nothing above: the event counters, the yield hook where tests plant
 * races, the switches tests turn, and which world is current.
 *
 * The porting header has no "world" argument (a kernel has one world), so
 * the most recently created world still alive is the current one: vmc_may_block()
 * finds it through sim_vm_current().  Tests use one world at a time.
 */
#include "sim_internal.h"

/* Live worlds, oldest first; the current one is the last. */
static GList *live_worlds;

static const char *const event_names[SIM_EV_COUNT] = {
	[SIM_EV_RPC] = "rpc",
	[SIM_EV_TRAP] = "trap",
	[SIM_EV_PORT_RIGHT] = "port_right",
	[SIM_EV_FAST_CALL] = "fast_call",
	[SIM_EV_USER_RPC] = "user_rpc",
	[SIM_EV_OOL_PAGE] = "ool_page",
	[SIM_EV_ENTRY_CREATE] = "entry_create",
	[SIM_EV_ENTRY_REMOVE] = "entry_remove",
	[SIM_EV_MAP_LOOKUP] = "map_lookup",
	[SIM_EV_FAULT] = "fault",
	[SIM_EV_PAGE_LOOKUP] = "page_lookup",
	[SIM_EV_PAGEIN] = "pagein",
	[SIM_EV_ZERO_FILL] = "zero_fill",
	[SIM_EV_COW_COPY] = "cow_copy",
	[SIM_EV_PAGEOUT] = "pageout",
	[SIM_EV_EVICT] = "evict",
	[SIM_EV_PTE_ENTER] = "pte_enter",
	[SIM_EV_PTE_REMOVE] = "pte_remove",
	[SIM_EV_TLB_FLUSH] = "tlb_flush",
	[SIM_EV_BYTES_COPIED] = "bytes_copied",
	[SIM_EV_MSG_BYTES] = "msg_bytes",
};

const char *sim_event_name(enum sim_event ev)
{
	return (unsigned)ev < SIM_EV_COUNT ? event_names[ev] : "?";
}

void sim_world_enter(struct sim_vm *vm)
{
	live_worlds = g_list_append(live_worlds, vm);
}

void sim_world_leave(struct sim_vm *vm)
{
	live_worlds = g_list_remove(live_worlds, vm);
}

struct sim_vm *sim_vm_current(void)
{
	GList *last = g_list_last(live_worlds);

	return last ? last->data : NULL;
}

void sim_events(const struct sim_vm *vm, uint64_t out[SIM_EV_COUNT])
{
	for (int i = 0; i < SIM_EV_COUNT; i++)
		out[i] = vm->events[i];
}

void sim_count(struct sim_vm *vm, enum sim_event ev, uint64_t n)
{
	if ((unsigned)ev < SIM_EV_COUNT)
		vm->events[ev] += n;
}

void sim_vm_set_yield_hook(struct sim_vm *vm, sim_yield_fn fn, void *ctx)
{
	vm->yield_fn = fn;
	vm->yield_ctx = ctx;
}

void sim_vm_set_retry_after_wait(struct sim_vm *vm, bool on)
{
	vm->retry_after_wait = on;
}

void sim_vm_set_resident_shortcut(struct sim_vm *vm, bool on)
{
	vm->resident_shortcut = on;
}

uint32_t sim_vm_frames_used(const struct sim_vm *vm)
{
	return vm->frames_used;
}

uint32_t sim_vm_object_count(const struct sim_vm *vm)
{
	return g_hash_table_size(vm->objects);
}

/* Calls the test's hook, if any.  The hook may change anything; callers
 * revalidate what they knew before calling this. */
void sim_yield_at(struct sim_vm *vm, enum vmc_block_point where)
{
	if (vm != NULL && vm->peeks != 0)
		vmc_panic("sim_yield_at: a yield with a page peek open");
	if (vm != NULL && vm->yield_fn != NULL)
		vm->yield_fn(vm, where, vm->yield_ctx);
}

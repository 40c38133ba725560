/*
 * sim_vm.c: the simulated world, its event counters and its frame pool.
 *
 * A world (struct sim_vm) holds everything: tasks, ports, objects, and a
 * bounded pool of page frames.  The pool is what makes memory pressure
 * real: when every frame is in use, sim_frame_alloc evicts a resident page
 * with a clock sweep over the resident queue (pinned pages are skipped,
 * referenced ones get a second chance; dirty ones are written back to their
 * object's store by sim_page_evict, so nothing is lost).
 *
 * The porting header has no "world" argument (a kernel has one world), so
 * the most recently created world still alive is the current one: vmc_yield()
 * finds it through sim_vm_current().  Tests use one world at a time.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sim_internal.h"
#include "sim_proxy.h"

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

struct sim_vm *sim_vm_create(const struct sim_vm_config *config)
{
	struct sim_vm *vm = g_new0(struct sim_vm, 1);

	vm->seed = config->seed;
	/* GRand takes 32-bit seeds; fold the 64-bit one so both halves count. */
	guint32 words[2] = { (guint32)config->seed, (guint32)(config->seed >> 32) };
	vm->rand = g_rand_new_with_seed_array(words, 2);
	vm->frames = config->frames ? config->frames : 65536;
	if (vm->frames < SIM_FRAMES_MIN)
		vm->frames = SIM_FRAMES_MIN;
	g_queue_init(&vm->resident);
	vm->tasks = g_ptr_array_new();
	vm->ports = g_ptr_array_new();
	vm->objects = g_hash_table_new(g_direct_hash, g_direct_equal);
	vm->retry_after_wait = true;
	vm->resident_shortcut = true;
	vm->proxy_map = sim_proxy_map;     /* sim_proxy.c */
	live_worlds = g_list_append(live_worlds, vm);
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
	g_rand_free(vm->rand);
	live_worlds = g_list_remove(live_worlds, vm);
	g_free(vm);
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
void sim_yield_at(struct sim_vm *vm, enum vmc_yield_point where)
{
	if (vm != NULL && vm->peeks != 0)
		vmc_panic("sim_yield_at: a yield with a page peek open");
	if (vm != NULL && vm->yield_fn != NULL)
		vm->yield_fn(vm, where, vm->yield_ctx);
}

/* Picks a victim with the clock: the first unpinned page whose referenced
 * bit is clear, clearing bits as the hand passes.  Two sweeps always
 * suffice unless every page is pinned. */
static struct vmc_page *clock_victim(struct sim_vm *vm)
{
	guint n = g_queue_get_length(&vm->resident);

	for (guint i = 0; i < 2 * n; i++) {
		struct vmc_page *p = g_queue_peek_head(&vm->resident);
		GList *link = g_queue_pop_head_link(&vm->resident);

		g_queue_push_tail_link(&vm->resident, link);
		if (p->busy)
			continue;
		if (p->referenced) {
			p->referenced = false;
			continue;
		}
		return p;
	}
	return NULL;
}

/*
 * Takes a frame from the pool, evicting a page if the pool is empty.
 * Never fails: a world has at least SIM_FRAMES_MIN frames and the core pins
 * at most a few, so finding every frame pinned is an impossible state.
 */
unsigned char *sim_frame_alloc(struct sim_vm *vm)
{
	while (vm->frames_used >= vm->frames) {
		struct vmc_page *victim = clock_victim(vm);

		if (victim == NULL)
			vmc_panic("sim_frame_alloc: every frame is pinned");
		if (!sim_page_evict(victim))
			vmc_panic("sim_frame_alloc: victim could not be evicted");
	}
	vm->frames_used++;
	return g_malloc0(VMC_PAGE_SIZE);
}

void sim_frame_free(struct sim_vm *vm, unsigned char *data)
{
	if (vm->frames_used == 0)
		vmc_panic("sim_frame_free: pool underflow");
	vm->frames_used--;
	g_free(data);
}

/*
 * sim_fast.c: vm_read_fast, vm_write_fast and memory_object_copy on the
 * simulator.  See sim_fast.h.
 *
 * Each call resolves its port names (rights checks), builds the copy
 * engine's endpoints -- (target map, address) for a task buffer, (object,
 * offset, all rights) for a memory object -- and runs vmc_copy().  The
 * objects are referenced for the duration of the copy, so that a memory
 * object whose port dies meanwhile stays valid memory for the engine (its
 * faults then fail if it was terminated).
 */
#include "sim_fast.h"
#include "sim_internal.h"
#include "sim_proxy.h"
#include "vmc_proxy.h"
#include "vmc_copy.h"

/*
 * The copy endpoint behind a memory-object name: a plain memory object
 * (referenced for the copy) or a proxy (held for the copy, so that a
 * no-senders arriving meanwhile cannot free it; its segments are resolved by
 * the core, vmc_proxy_copy_resolve, with each segment's maximum protection).
 * memobj_done undoes what this took.
 */
struct memobj_use {
	struct vmc_object *object;
	struct sim_proxy *proxy;
};

static vmc_kr_t memobj_endpoint(struct sim_task *caller, sim_name_t name, vmc_off_t offset,
				struct vmc_endpoint *ep, struct memobj_use *use)
{
	struct sim_port *port = NULL;
	vmc_kr_t kr = sim_memobj_from_name(caller, name, &port);

	/* Does the caller hold a send right to a live port? */
	if (kr != KERN_SUCCESS || port == NULL || port->kobject == NULL)
		return KERN_INVALID_ARGUMENT;
	*use = (struct memobj_use){ NULL, NULL };
	if (port->kind == SIM_PORT_PROXY) {
		use->proxy = sim_proxy_hold(port);
		*ep = vmc_endpoint_resolver(vmc_proxy_copy_resolve,
					    (void *)sim_proxy_core(use->proxy), offset);
		return KERN_SUCCESS;
	}
	use->object = port->kobject;
	sim_object_ref(use->object);
	*ep = vmc_endpoint_object(use->object, offset, VMC_PROT_ALL);
	return KERN_SUCCESS;
}

static void memobj_done(struct memobj_use *use)
{
	if (use->object != NULL)
		sim_object_unref(use->object);
	if (use->proxy != NULL)
		sim_proxy_release(use->proxy);
}

/* The copy between a task buffer and a memory object, either way. */
static vmc_kr_t task_object_copy(struct sim_task *caller, sim_name_t target_task,
				 vmc_addr_t address, vmc_size_t size, sim_name_t memory_object,
				 vmc_off_t offset, vmc_size_t *count, bool to_task)
{
	struct sim_task *target;
	struct memobj_use use;
	struct vmc_endpoint obj;
	vmc_kr_t kr;

	if (count == NULL)
		return KERN_INVALID_ARGUMENT;
	*count = 0;
	/* Is the caller alive, and does it hold a send right to the target? */
	if ((kr = sim_task_from_name(caller, target_task, &target)) != KERN_SUCCESS)
		return kr;
	sim_count(caller->vm, SIM_EV_RPC, 1);
	sim_count(caller->vm, SIM_EV_FAST_CALL, 1);
	if (memory_object != SIM_NAME_NULL)
		sim_count(caller->vm, SIM_EV_PORT_RIGHT, 1);
	/* A live memory object the caller holds a right to? */
	if ((kr = memobj_endpoint(caller, memory_object, offset, &obj, &use)) != KERN_SUCCESS)
		return kr;

	/* The target's map, held for the call as convert_port_to_map holds it:
	 * a target terminated while the copy waits leaves it empty, and the
	 * copy stops at the next lookup (a short copy, or nothing). */
	struct vmc_map *map = target->map;
	sim_map_reference(map);
	struct vmc_endpoint task = vmc_endpoint_map(map, address);
	kr = to_task ? vmc_copy(&obj, &task, size, count) : vmc_copy(&task, &obj, size, count);
	sim_map_release(map);
	memobj_done(&use);
	sim_count(caller->vm, SIM_EV_BYTES_COPIED, *count);
	return kr;
}

vmc_kr_t sim_vm_read_fast(struct sim_task *caller, sim_name_t target_task, vmc_addr_t address,
			  vmc_size_t size, sim_name_t memory_object, vmc_off_t offset,
			  vmc_size_t *count)
{
	return task_object_copy(caller, target_task, address, size, memory_object, offset,
				count, true);
}

vmc_kr_t sim_vm_write_fast(struct sim_task *caller, sim_name_t target_task, vmc_addr_t address,
			   vmc_size_t size, sim_name_t memory_object, vmc_off_t offset,
			   vmc_size_t *count)
{
	return task_object_copy(caller, target_task, address, size, memory_object, offset,
				count, false);
}

vmc_kr_t sim_memory_object_copy(struct sim_task *caller, sim_name_t src_object,
				vmc_off_t src_offset, sim_name_t dst_object, vmc_off_t dst_offset,
				vmc_size_t size, vmc_size_t *count)
{
	struct memobj_use su, du;
	struct vmc_endpoint s, d;
	vmc_kr_t kr;

	if (count == NULL)
		return KERN_INVALID_ARGUMENT;
	*count = 0;
	/* Is the caller alive (it is sending the message)? */
	if (caller == NULL || !caller->alive)
		return MACH_SEND_INVALID_DEST;
	sim_count(caller->vm, SIM_EV_RPC, 1);
	sim_count(caller->vm, SIM_EV_FAST_CALL, 1);
	/* The message goes to src_object: dst_object's right is the one carried. */
	if (dst_object != SIM_NAME_NULL)
		sim_count(caller->vm, SIM_EV_PORT_RIGHT, 1);
	/* Rights to both objects? */
	if ((kr = memobj_endpoint(caller, src_object, src_offset, &s, &su)) != KERN_SUCCESS)
		return kr;
	if ((kr = memobj_endpoint(caller, dst_object, dst_offset, &d, &du)) != KERN_SUCCESS) {
		memobj_done(&su);
		return kr;
	}
	kr = vmc_copy(&s, &d, size, count);
	memobj_done(&du);
	memobj_done(&su);
	sim_count(caller->vm, SIM_EV_BYTES_COPIED, *count);
	return kr;
}

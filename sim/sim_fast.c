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
#include "vmc_copy.h"

/* The object behind a memory-object name, referenced; or the reason not. */
static vmc_kr_t memobj_object(struct sim_task *caller, sim_name_t name,
			      struct vmc_object **out)
{
	struct sim_port *port = NULL;
	vmc_kr_t kr = sim_memobj_from_name(caller, name, &port);

	/* Does the caller hold a send right to a live port? */
	if (kr != KERN_SUCCESS || port == NULL)
		return KERN_INVALID_ARGUMENT;
	/* Is it a plain memory object?  (TODO: proxies, once core/vmc_proxy.c
	 * gives a resolver for them; until then they are refused, not faked.) */
	if (port->kind != SIM_PORT_MEMORY_OBJECT)
		return KERN_INVALID_ARGUMENT;
	*out = port->kobject;
	sim_object_ref(*out);
	return KERN_SUCCESS;
}

/* The copy between a task buffer and a memory object, either way. */
static vmc_kr_t task_object_copy(struct sim_task *caller, sim_name_t target_task,
				 vmc_addr_t address, vmc_size_t size, sim_name_t memory_object,
				 vmc_off_t offset, vmc_size_t *count, bool to_task)
{
	struct sim_task *target;
	struct vmc_object *object;
	vmc_kr_t kr;

	if (count == NULL)
		return KERN_INVALID_ARGUMENT;
	*count = 0;
	/* Is the caller alive, and does it hold a send right to the target? */
	if ((kr = sim_task_from_name(caller, target_task, &target)) != KERN_SUCCESS)
		return kr;
	sim_count(caller->vm, SIM_EV_RPC, 1);
	/* A live memory object the caller holds a right to? */
	if ((kr = memobj_object(caller, memory_object, &object)) != KERN_SUCCESS)
		return kr;

	struct vmc_endpoint task = vmc_endpoint_map(target->map, address);
	struct vmc_endpoint obj = vmc_endpoint_object(object, offset, VMC_PROT_ALL);
	kr = to_task ? vmc_copy(&obj, &task, size, count) : vmc_copy(&task, &obj, size, count);
	sim_object_unref(object);
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
	struct vmc_object *src, *dst;
	vmc_kr_t kr;

	if (count == NULL)
		return KERN_INVALID_ARGUMENT;
	*count = 0;
	/* Is the caller alive (it is sending the message)? */
	if (caller == NULL || !caller->alive)
		return MACH_SEND_INVALID_DEST;
	sim_count(caller->vm, SIM_EV_RPC, 1);
	/* Rights to both objects? */
	if ((kr = memobj_object(caller, src_object, &src)) != KERN_SUCCESS)
		return kr;
	if ((kr = memobj_object(caller, dst_object, &dst)) != KERN_SUCCESS) {
		sim_object_unref(src);
		return kr;
	}

	struct vmc_endpoint s = vmc_endpoint_object(src, src_offset, VMC_PROT_ALL);
	struct vmc_endpoint d = vmc_endpoint_object(dst, dst_offset, VMC_PROT_ALL);
	kr = vmc_copy(&s, &d, size, count);
	sim_object_unref(dst);
	sim_object_unref(src);
	sim_count(caller->vm, SIM_EV_BYTES_COPIED, *count);
	return kr;
}

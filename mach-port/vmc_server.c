/* Copyright (C) 2026 the mosaic authors.

   This program is free software; you can redistribute it and/or
   modify it under the terms of the GNU General Public License
   as published by the Free Software Foundation; either
   version 2 of the license, or (at your option) any later version.

   This program is distributed in the hope that it will be useful,
   but WITHOUT ANY WARRANTY; without even the implied warranty of
   MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE. See the
   GNU General Public License for more details.

   You should have received a copy of the GNU General Public
   License along with this program; if not, see
   <http://www.gnu.org/licenses/>.
*/
/*
 *	File:	vm/vmc_server.c  (mosaic: mach-port/vmc_server.c)
 *
 *	The kernel side of the copies of experimental.defs:
 *	vm_copy_from_object, vm_copy_to_object and vm_copy_between_objects
 *	(vm_copy_from_object is a trap too: syscall_vm_copy_from_object,
 *	kern/ipc_mig.c).  Each copies between a memory
 *	object and a buffer in a task, or between two memory objects, at
 *	any alignment and length, without mapping anything: the core's copy
 *	engine (vmc_copy.h) does it, through the port layer (vmc_gnumach.c).
 *
 *	MIG's stubs (kern/experimental.server.c) have already turned the task
 *	port into its map with convert_port_to_map, which gives a null map
 *	for any port that is not a live task's; they pass the memory object
 *	ports as they came in the message.  This file turns each memory
 *	object port into a copy endpoint, as vm_map (vm/vm_user.c) turns a
 *	port into what it maps, in the other order so that nothing is
 *	created for a proxy:
 *	  - a proxy (memory_object_proxy_endpoint, vm/memory_object_proxy.c) is used through
 *	    the core's flattened proxy: each position resolves to its
 *	    segment's object with the segment's maximum protection, which is
 *	    the intersection along any chain of nested proxies; the copy
 *	    stops exactly at a hole or at the proxy's end;
 *	  - any other port goes to vm_object_enter, which returns the object
 *	    of a pager port the kernel already knows (an internal object's),
 *	    sets up a new object for a port with no kernel object (a pager
 *	    the caller implements), and returns nothing for kernel ports of
 *	    other kinds (a task, a thread, ...).
 *	A dead port is refused (KERN_INVALID_ARGUMENT): vm_object_enter
 *	would otherwise give a fresh object that nobody pages, and the copy
 *	would wait forever.
 *
 *	Rights: the stubs hold the message's rights across the call and
 *	release them afterwards, so nothing here consumes a port right.  The
 *	object references taken here are dropped before returning.
 *
 *	Argument errors are found before anything is touched: the target
 *	task, then the ranges (before a new pager object could be set up),
 *	then the memory objects.  Each is KERN_INVALID_ARGUMENT, so the
 *	order is not visible.  A null or dead port where the message goes
 *	(target_task; src_object for vm_copy_between_objects) never reaches
 *	the kernel: the client's mach_msg says MACH_SEND_INVALID_DEST.
 */

#include <ipc/ipc_port.h>
#include <kern/experimental.server.h>
#include <mach/kern_return.h>
#include <mach/vm_param.h>
#include <mach/vm_prot.h>
#include <vm/memory_object_proxy.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>

#include "vmc_copy.h"
#include "vmc_range.h"

/*
 *	object_endpoint: the copy endpoint for memory object port `port`,
 *	from `position` on (a proxy offset for a proxy, an object offset
 *	otherwise).  `size` is what vm_object_enter gets for a new object,
 *	as in vm_map.
 *
 *	Conditions: nothing locked; may block (vm_object_enter).
 *	Returns: KERN_SUCCESS with *ep filled, and *object the object it
 *	referenced (the caller drops it), or VM_OBJECT_NULL for a proxy,
 *	which lives as long as the caller's send right to port.
 *	KERN_INVALID_ARGUMENT if port is not a live memory object or
 *	proxy; then nothing is referenced.
 */
static kern_return_t
object_endpoint(
	ipc_port_t		port,
	vm_offset_t		position,
	vm_size_t		size,
	struct vmc_endpoint	*ep,		/* OUT */
	vm_object_t		*object)	/* OUT */
{
	boolean_t		alive;

	*object = VM_OBJECT_NULL;

	/* A proxy (a live one)?  Then its ranges, one by one. */
	if (memory_object_proxy_endpoint(port, position, ep))
		return KERN_SUCCESS;

	/* Is there a live port at all?  (A snapshot: the port may die
	   right after, which the copy survives, the object referenced.) */
	if (!IP_VALID(port))
		return KERN_INVALID_ARGUMENT;
	ip_lock(port);
	alive = ip_active(port);
	ip_unlock(port);
	if (!alive)
		return KERN_INVALID_ARGUMENT;

	/* A pager port (known, or new), and not another kind of object? */
	*object = vm_object_enter(port, round_page(size), FALSE);
	if (*object == VM_OBJECT_NULL)
		return KERN_INVALID_ARGUMENT;
	*ep = vmc_endpoint_object((struct vmc_object *) *object, position,
				  VM_PROT_ALL);
	return KERN_SUCCESS;
}

/*
 *	ranges_ok: do both [a, a + size) and [b, b + size) stay below 2^N
 *	(the kernel's word)?  Checked before anything is touched.
 */
static boolean_t
ranges_ok(vm_offset_t a, vm_offset_t b, vm_size_t size)
{
	struct vmc_range	r;

	return vmc_range_make(a, size, &r) && vmc_range_make(b, size, &r);
}

/*
 *	copy: vmc_copy between two endpoints, with *count the exact number
 *	of bytes it copied whatever it returns.
 */
static kern_return_t
copy(
	const struct vmc_endpoint	*src,
	const struct vmc_endpoint	*dst,
	vm_size_t			size,
	vm_size_t			*count)		/* OUT */
{
	vmc_size_t	done = 0;
	kern_return_t	kr;

	kr = vmc_copy(src, dst, size, &done);
	*count = done;
	return kr;
}

/*
 *	task_object_copy: the body of vm_copy_from_object (to_task) and
 *	vm_copy_to_object (!to_task).
 */
static kern_return_t
task_object_copy(
	vm_map_t	map,
	vm_offset_t	address,
	vm_size_t	size,
	ipc_port_t	memory_object,
	vm_offset_t	offset,
	boolean_t	to_task,
	vm_size_t	*count)		/* OUT */
{
	struct vmc_endpoint	task;
	struct vmc_endpoint	object;
	vm_object_t		held;
	kern_return_t		kr;

	*count = 0;

	/* Is the target a task? (convert_port_to_map said no otherwise) */
	if (map == VM_MAP_NULL)
		return KERN_INVALID_ARGUMENT;

	/* Do both ranges stay below 2^N? */
	if (!ranges_ok(address, offset, size))
		return KERN_INVALID_ARGUMENT;

	/* Is the memory object one? */
	kr = object_endpoint(memory_object, offset, size, &object, &held);
	if (kr != KERN_SUCCESS)
		return kr;

	task = vmc_endpoint_map((struct vmc_map *) map, address);
	if (to_task)
		kr = copy(&object, &task, size, count);
	else
		kr = copy(&task, &object, size, count);

	if (held != VM_OBJECT_NULL)
		vm_object_deallocate(held);
	return kr;
}

/*
 *	Routine:	vm_copy_from_object [kernel RPC]
 *	Purpose:
 *		Copies size bytes of memory_object from offset on into the
 *		target task's memory at address.
 *	Conditions:
 *		Nothing locked.  May block.
 *	Returns:
 *		See experimental.defs: KERN_SUCCESS with *count the bytes
 *		copied (all, or k > 0 before what stopped the copy), or the
 *		reason the first byte could not be copied.
 */
kern_return_t
experimental_vm_copy_from_object(
	vm_map_t	target_map,
	vm_offset_t	address,
	vm_size_t	size,
	ipc_port_t	memory_object,
	vm_offset_t	offset,
	vm_size_t	*count)		/* OUT */
{
	return task_object_copy(target_map, address, size, memory_object,
				offset, TRUE, count);
}

/*
 *	Routine:	vm_copy_to_object [kernel RPC]
 *	Purpose:
 *		Copies size bytes of the target task's memory at address
 *		into memory_object from offset on.
 *	Conditions and returns: as vm_copy_from_object.
 */
kern_return_t
experimental_vm_copy_to_object(
	vm_map_t	target_map,
	vm_offset_t	address,
	vm_size_t	size,
	ipc_port_t	memory_object,
	vm_offset_t	offset,
	vm_size_t	*count)		/* OUT */
{
	return task_object_copy(target_map, address, size, memory_object,
				offset, FALSE, count);
}

/*
 *	Routine:	vm_copy_between_objects [kernel RPC]
 *	Purpose:
 *		Copies size bytes of src_object from src_offset on into
 *		dst_object from dst_offset on.
 *	Conditions and returns: as vm_copy_from_object.
 */
kern_return_t
experimental_vm_copy_between_objects(
	ipc_port_t	src_object,
	vm_offset_t	src_offset,
	ipc_port_t	dst_object,
	vm_offset_t	dst_offset,
	vm_size_t	size,
	vm_size_t	*count)		/* OUT */
{
	struct vmc_endpoint	src;
	struct vmc_endpoint	dst;
	vm_object_t		src_held;
	vm_object_t		dst_held;
	kern_return_t		kr;

	*count = 0;

	/* Do both ranges stay below 2^N? */
	if (!ranges_ok(src_offset, dst_offset, size))
		return KERN_INVALID_ARGUMENT;

	/* Are both memory objects ones? */
	kr = object_endpoint(src_object, src_offset, size, &src, &src_held);
	if (kr != KERN_SUCCESS)
		return kr;
	kr = object_endpoint(dst_object, dst_offset, size, &dst, &dst_held);
	if (kr == KERN_SUCCESS) {
		kr = copy(&src, &dst, size, count);
		if (dst_held != VM_OBJECT_NULL)
			vm_object_deallocate(dst_held);
	}
	if (src_held != VM_OBJECT_NULL)
		vm_object_deallocate(src_held);
	return kr;
}

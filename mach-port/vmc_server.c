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
 *	The kernel side of mosaic.defs: vm_read_fast, vm_write_fast and
 *	memory_object_copy, the simulator's calls of the same names
 *	(sim/sim_fast.h) on the real kernel.
 *
 *	MIG's stubs (mosaic/mosaic.server.c, made from mosaic.srv) have
 *	already turned the task port into its map with convert_port_to_map,
 *	which gives a null map for any port that is not a live task's; they
 *	pass the memory object ports as they came in the message.  This file
 *	turns each memory object port into the object behind it, and the
 *	port layer (mosaic_copy, vmc_gnumach.c) runs the core's copy
 *	engine between the two sides.
 *
 *	A memory object port is resolved as vm_map (vm/vm_user.c) resolves
 *	one, in the other order so that nothing is created for a proxy:
 *	  - a proxy (mosaic_proxy_core, vmc_proxy_gnumach.c) is used through
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
 *	then the memory objects.  Each is KERN_INVALID_ARGUMENT, as in the
 *	simulator, so the order is not visible.  A null or dead port where
 *	the message goes (target_task; src_object for memory_object_copy)
 *	never reaches the kernel: the client's mach_msg says
 *	MACH_SEND_INVALID_DEST.
 *	The trap form of vm_read_fast (mosaic_vm_read_fast_trap, trap number
 *	MOSAIC_TRAP_VM_READ_FAST) does the same copy without a message: it
 *	translates the caller's names under one read lock of its space,
 *	deciding as mach_msg's copyin would (trap_rights), so its results
 *	are the RPC's, and writes the count to user memory.
 */

#include <ipc/ipc_entry.h>
#include <ipc/ipc_object.h>
#include <ipc/ipc_port.h>
#include <ipc/ipc_space.h>
#include <kern/assert.h>
#include <kern/ipc_tt.h>
#include <kern/task.h>
#include <kern/thread.h>
#include <machine/locore.h>
#include <mach/kern_return.h>
#include <mach/vm_param.h>
#include <mach/vm_prot.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>

#include "vmc_gnumach.h"
#include "vmc_proxy_gnumach.h"
#include "vmc_server.h"

/*
 *	port_alive: is port a live port?  A snapshot: the port may die
 *	right after, which the copy survives (the object stays referenced).
 */
static boolean_t
port_alive(ipc_port_t port)
{
	boolean_t	alive;

	if (!IP_VALID(port))
		return FALSE;
	ip_lock(port);
	alive = ip_active(port);
	ip_unlock(port);
	return alive;
}

/*
 *	memory_object_side: the copy side for memory object port `port`,
 *	from `position` on (a proxy offset for a proxy, an object offset
 *	otherwise).  `size` is what vm_object_enter gets for a new object,
 *	as in vm_map.
 *
 *	Conditions: nothing locked; may block (vm_object_enter).
 *	Returns: KERN_SUCCESS with *side filled; an object side's object
 *	is referenced (side_release drops it), a proxy side's proxy lives
 *	as long as the caller's send right to port.
 *	KERN_INVALID_ARGUMENT if port is not a live memory object or
 *	proxy; then nothing is referenced.
 */
static inline kern_return_t
memory_object_side(
	ipc_port_t			port,
	vm_offset_t			position,
	vm_size_t			size,
	struct mosaic_side		*side)		/* OUT */
{
	struct vmc_proxy	*proxy;
	vm_object_t		object;

	side->map = VM_MAP_NULL;
	side->address = 0;
	side->object = VM_OBJECT_NULL;
	side->proxy = NULL;
	side->position = position;
	side->max_protection = VM_PROT_ALL;

	/* A proxy (a live one)?  Then the core's, segment by segment. */
	proxy = mosaic_proxy_core(port);
	if (proxy != NULL) {
		side->kind = MOSAIC_SIDE_PROXY;
		side->proxy = proxy;
		return KERN_SUCCESS;
	}

	/* Is there a live port at all? */
	if (!port_alive(port))
		return KERN_INVALID_ARGUMENT;

	/* A pager port (known, or new), and not another kind of object? */
	object = vm_object_enter(port, round_page(size), FALSE);
	if (object == VM_OBJECT_NULL)
		return KERN_INVALID_ARGUMENT;
	side->kind = MOSAIC_SIDE_OBJECT;
	side->object = object;
	return KERN_SUCCESS;
}

/* Drops what memory_object_side took. */
static void
side_release(struct mosaic_side *side)
{
	if (side->kind == MOSAIC_SIDE_OBJECT)
		vm_object_deallocate(side->object);
}

/*
 *	task_object_copy: the body of vm_read_fast (to_task) and
 *	vm_write_fast (!to_task).
 */
static inline kern_return_t
task_object_copy(
	vm_map_t	map,
	vm_offset_t	address,
	vm_size_t	size,
	ipc_port_t	memory_object,
	vm_offset_t	offset,
	boolean_t	to_task,
	vm_size_t	*count)		/* OUT */
{
	struct mosaic_side	task;
	struct mosaic_side	object;
	kern_return_t		kr;

	*count = 0;

	/* Is the target a task? (convert_port_to_map said no otherwise) */
	if (map == VM_MAP_NULL)
		return KERN_INVALID_ARGUMENT;

	/* Do both ranges stay below 2^64? */
	if (!mosaic_range_ok(address, size) ||
	    !mosaic_range_ok(offset, size))
		return KERN_INVALID_ARGUMENT;

	/* Is the memory object one? */
	kr = memory_object_side(memory_object, offset, size, &object);
	if (kr != KERN_SUCCESS)
		return kr;

	task.kind = MOSAIC_SIDE_MAP;
	task.map = map;
	task.address = address;
	task.object = VM_OBJECT_NULL;
	task.proxy = NULL;

	if (to_task)
		kr = mosaic_copy(&object, &task, size, count);
	else
		kr = mosaic_copy(&task, &object, size, count);

	side_release(&object);
	return kr;
}

/*
 *	Routine:	vm_read_fast [kernel RPC]
 *	Purpose:
 *		Copies size bytes of memory_object from offset on into the
 *		target task's memory at address.
 *	Conditions:
 *		Nothing locked.  May block.
 *	Returns:
 *		See mosaic.defs: KERN_SUCCESS with *count the bytes copied
 *		(all, or k > 0 before what stopped the copy), or the reason
 *		the first byte could not be copied.
 */
kern_return_t
mosaic_vm_read_fast(
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
 *	Routine:	vm_write_fast [kernel RPC]
 *	Purpose:
 *		Copies size bytes of the target task's memory at address
 *		into memory_object from offset on.
 *	Conditions and returns: as vm_read_fast.
 */
kern_return_t
mosaic_vm_write_fast(
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
 *	Routine:	memory_object_copy [kernel RPC]
 *	Purpose:
 *		Copies size bytes of src_object from src_offset on into
 *		dst_object from dst_offset on.
 *	Conditions and returns: as vm_read_fast.
 */
kern_return_t
mosaic_memory_object_copy(
	ipc_port_t	src_object,
	vm_offset_t	src_offset,
	ipc_port_t	dst_object,
	vm_offset_t	dst_offset,
	vm_size_t	size,
	vm_size_t	*count)		/* OUT */
{
	struct mosaic_side	src;
	struct mosaic_side	dst;
	kern_return_t		kr;

	*count = 0;

	/* Do both ranges stay below 2^64? */
	if (!mosaic_range_ok(src_offset, size) ||
	    !mosaic_range_ok(dst_offset, size))
		return KERN_INVALID_ARGUMENT;

	/* Are both memory objects ones? */
	kr = memory_object_side(src_object, src_offset, size, &src);
	if (kr != KERN_SUCCESS)
		return kr;
	kr = memory_object_side(dst_object, dst_offset, size, &dst);
	if (kr != KERN_SUCCESS) {
		side_release(&src);
		return kr;
	}

	kr = mosaic_copy(&src, &dst, size, count);

	side_release(&dst);
	side_release(&src);
	return kr;
}

/*
 *	trap_rights: the trap's two names, translated under one hold of the
 *	caller's space (read-locked), with what mach_msg's copyin of a
 *	message carrying them would decide (ipc_object_copyin,
 *	MACH_MSG_TYPE_COPY_SEND):
 *	  - target_task must name a send right to a live port: otherwise
 *	    MACH_SEND_INVALID_DEST.  What the copy needs of it is only the
 *	    task's map, referenced here under the port's lock as
 *	    convert_port_to_map would (VM_MAP_NULL for a live port that is
 *	    not a task's, which the copy refuses as the RPC does);
 *	  - memory_object may be null (IP_NULL), a dead name or a send right
 *	    to a dead port (IP_DEAD), or a send right to a live port, which
 *	    is copied (a naked send right, held across the copy: a proxy
 *	    cannot lose its last send right, and so its memory object,
 *	    while the copy looks it up); anything else is
 *	    MACH_SEND_INVALID_RIGHT.
 *	A copy-send changes no entry, so a read lock is enough; an entry
 *	whose port died is left for the next writer of the space to turn
 *	into a dead name (ipc_right_check), as every reader leaves it.
 *	Conditions: nothing locked.
 *	Returns: KERN_SUCCESS with *map and *object set; otherwise nothing
 *	is held.
 */
static kern_return_t
trap_rights(
	ipc_space_t		space,
	mach_port_name_t	target_task,
	mach_port_name_t	memory_object,
	vm_map_t		*map,		/* OUT */
	ipc_port_t		*object)	/* OUT */
{
	ipc_entry_t	entry;
	ipc_port_t	port;

	*map = VM_MAP_NULL;
	*object = IP_NULL;
	if (!MACH_PORT_NAME_VALID(target_task))
		return MACH_SEND_INVALID_DEST;

	is_read_lock(space);
	if (!space->is_active) {
		is_read_unlock(space);
		return MACH_SEND_INVALID_DEST;
	}

	/* The task: a send right to a live port. */
	entry = ipc_entry_lookup(space, target_task);
	if (entry == IE_NULL || !(entry->ie_bits & MACH_PORT_TYPE_SEND)) {
		is_read_unlock(space);
		return MACH_SEND_INVALID_DEST;
	}
	port = (ipc_port_t) entry->ie_object;
	ip_lock(port);
	if (!ip_active(port)) {
		ip_unlock(port);
		is_read_unlock(space);
		return MACH_SEND_INVALID_DEST;
	}
	if (ip_kotype(port) == IKOT_TASK) {
		*map = ((task_t) port->ip_kobject)->map;
		vm_map_reference(*map);
	}
	ip_unlock(port);

	/* The memory object: null, dead, or a send right. */
	if (MACH_PORT_NAME_VALID(memory_object)) {
		entry = ipc_entry_lookup(space, memory_object);
		if (entry == IE_NULL ||
		    !(entry->ie_bits & (MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_DEAD_NAME))) {
			is_read_unlock(space);
			if (*map != VM_MAP_NULL)
				vm_map_deallocate(*map);
			*map = VM_MAP_NULL;
			return MACH_SEND_INVALID_RIGHT;
		}
		if (entry->ie_bits & MACH_PORT_TYPE_SEND) {
			port = (ipc_port_t) entry->ie_object;
			ip_lock(port);
			if (ip_active(port)) {
				ip_reference(port);
				port->ip_srights++;
				*object = port;
			} else {
				*object = IP_DEAD;
			}
			ip_unlock(port);
		} else {
			*object = IP_DEAD;
		}
	}
	is_read_unlock(space);
	return KERN_SUCCESS;
}

/*
 *	Routine:	vm_read_fast [trap MOSAIC_TRAP_VM_READ_FAST]
 *	Purpose:
 *		vm_read_fast without a message: the arguments are the
 *		RPC's, the ports are names in the caller's space (taken as
 *		trap_rights says, so that its results are the RPC's), and
 *		count points into the caller's memory.
 *	Conditions:
 *		Nothing locked.  May block.
 *	Returns:
 *		What the RPC returns, and where the RPC fails before
 *		reaching the kernel, what mach_msg would say:
 *		MACH_SEND_INVALID_DEST for a null, dead or unknown task
 *		name, MACH_SEND_INVALID_RIGHT for a memory object name
 *		that is not a send right (a dead name passes, and is then
 *		KERN_INVALID_ARGUMENT, as in the RPC).  *count is written
 *		every time (0 when nothing moved); KERN_INVALID_ADDRESS if
 *		it cannot be, in which case the copy may have happened.
 */
kern_return_t
mosaic_vm_read_fast_trap(
	mach_port_name_t	target_task,
	rpc_vm_offset_t		address,
	rpc_vm_size_t		size,
	mach_port_name_t	memory_object,
	rpc_vm_offset_t		offset,
	rpc_vm_size_t		*count)		/* OUT, user memory */
{
	vm_map_t	map;
	ipc_port_t	object;
	vm_size_t	done = 0;
	rpc_vm_size_t	user_count;
	kern_return_t	kr;

	kr = trap_rights(current_space(), target_task, memory_object,
			 &map, &object);
	if (kr == KERN_SUCCESS) {
		kr = task_object_copy(map, (vm_offset_t) address,
				      (vm_size_t) size, object,
				      (vm_offset_t) offset, TRUE, &done);
		if (map != VM_MAP_NULL)
			vm_map_deallocate(map);
		if (IP_VALID(object))
			ipc_port_release_send(object);
	}

	user_count = (rpc_vm_size_t) done;
	if (copyout(&user_count, count, sizeof user_count))
		return KERN_INVALID_ADDRESS;
	return kr;
}

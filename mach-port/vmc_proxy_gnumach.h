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
 *	File:	vm/vmc_proxy_gnumach.h  (mosaic: mach-port/vmc_proxy_gnumach.h)
 *
 *	GNU Mach's proxy memory objects, done by mosaic's core (see
 *	vmc_proxy_gnumach.c).  Each routine here takes the place of a
 *	stock one, which calls it (patch 4 of the series:
 *	mach-port/README.md).
 *
 *	vm/memory_object_proxy.h includes this header, so the files that
 *	call the stock routines (vm/memory_object_proxy.c, vm/vm_user.c,
 *	vm/vm_map.c, kern/ipc_kobject.c) see these too.  It therefore
 *	includes only what memory_object_proxy.h already needs, and names
 *	maps and tasks by their structures.  Kernel types only, except the
 *	core's proxy, which is opaque here.
 */

#ifndef	_MOSAIC_VMC_PROXY_GNUMACH_H_
#define	_MOSAIC_VMC_PROXY_GNUMACH_H_

#include <ipc/ipc_types.h>
#include <mach/boolean.h>
#include <mach/machine/kern_return.h>
#include <mach/machine/vm_types.h>
#include <mach/message.h>
#include <mach/vm_inherit.h>
#include <mach/vm_prot.h>

struct task;
struct vm_map;
struct vmc_proxy;

/*
 *	memory_object_create_proxy [mach4.defs], for every shape GNU
 *	Mach's arguments take: range i maps [start[i], start[i] + len[i])
 *	of object[i] (a memory object or a proxy) at proxy offset
 *	offset[i]; gaps are holes; nested proxies are flattened with
 *	their protections intersected.  Stock: one object at offset 0.
 */
extern kern_return_t	mosaic_memory_object_create_proxy(
	ipc_space_t		space,
	vm_prot_t		max_protection,
	ipc_port_t		*object,
	natural_t		object_count,
	rpc_vm_offset_t		*offset,
	natural_t		offset_count,
	rpc_vm_offset_t		*start,
	natural_t		start_count,
	rpc_vm_size_t		*len,
	natural_t		len_count,
	ipc_port_t		*port);		/* OUT */

/*
 *	vm_region_create_proxy [mach4.defs]: a proxy of exactly
 *	[address, address + len) of task's memory, one range per map
 *	entry.  Stock: the whole length from one entry, past its end.
 */
extern kern_return_t	mosaic_vm_region_create_proxy(
	struct task		*task,
	vm_address_t		address,
	vm_prot_t		max_protection,
	vm_size_t		len,
	ipc_port_t		*port);		/* OUT */

/*
 *	vm_map's branch for a port that is not a memory object
 *	(vm/vm_user.c): a proxy's window mapped piece by piece, all or
 *	nothing.  Arguments as vm_map has them at that point (address
 *	truncated, size rounded to pages).
 */
extern kern_return_t	mosaic_vm_map_proxy(
	struct vm_map		*target_map,
	vm_offset_t		*address,	/* IN/OUT */
	vm_size_t		size,
	vm_offset_t		mask,
	boolean_t		anywhere,
	ipc_port_t		memory_object,
	vm_offset_t		offset,
	boolean_t		copy,
	vm_prot_t		cur_protection,
	vm_prot_t		max_protection,
	vm_inherit_t		inheritance);

/*
 *	The no-senders notification of a proxy port (kern/ipc_kobject.c
 *	calls memory_object_proxy_notify for IKOT_PAGER_PROXY ports).
 */
extern boolean_t	mosaic_memory_object_proxy_notify(
	mach_msg_header_t	*msg);

/*
 *	The core's proxy behind a proxy port, or null if port is not a
 *	live proxy.  The caller holds a send right to port for as long as
 *	it uses the result (the proxy dies on no-senders).
 */
extern struct vmc_proxy	*mosaic_proxy_core(
	ipc_port_t		port);

#endif	/* _MOSAIC_VMC_PROXY_GNUMACH_H_ */

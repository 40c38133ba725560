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
 *	File:	vm/vmc_server.h  (mosaic: mach-port/vmc_server.h)
 *
 *	The kernel routines behind mosaic.defs, as MIG's server stubs
 *	(mosaic/mosaic.server.c) call them, and the trap form of
 *	vm_read_fast, as mach_trap_table (kern/syscall_sw.c) calls it.
 *	See vmc_server.c.
 */

#ifndef	_MOSAIC_VMC_SERVER_H_
#define	_MOSAIC_VMC_SERVER_H_

#include <ipc/ipc_port.h>
#include <mach/kern_return.h>
#include <mach/machine/vm_types.h>
#include <mach/port.h>
#include <vm/vm_map.h>

extern kern_return_t	mosaic_vm_read_fast(
	vm_map_t	target_map,
	vm_offset_t	address,
	vm_size_t	size,
	ipc_port_t	memory_object,
	vm_offset_t	offset,
	vm_size_t	*count);		/* OUT */

extern kern_return_t	mosaic_vm_write_fast(
	vm_map_t	target_map,
	vm_offset_t	address,
	vm_size_t	size,
	ipc_port_t	memory_object,
	vm_offset_t	offset,
	vm_size_t	*count);		/* OUT */

extern kern_return_t	mosaic_memory_object_copy(
	ipc_port_t	src_object,
	vm_offset_t	src_offset,
	ipc_port_t	dst_object,
	vm_offset_t	dst_offset,
	vm_size_t	size,
	vm_size_t	*count);		/* OUT */

/*
 *	The trap form of vm_read_fast: Mach trap number 120 (the user
 *	stub traps with -120), installed in mach_trap_table by patch 6
 *	of the series.  Same arguments as the RPC, with port names.
 */
#define	MOSAIC_TRAP_VM_READ_FAST	120

extern kern_return_t	mosaic_vm_read_fast_trap(
	mach_port_name_t	target_task,
	rpc_vm_offset_t		address,
	rpc_vm_size_t		size,
	mach_port_name_t	memory_object,
	rpc_vm_offset_t		offset,
	rpc_vm_size_t		*count);	/* OUT, user memory */

#endif	/* _MOSAIC_VMC_SERVER_H_ */

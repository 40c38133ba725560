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
 *	The trap form of vm_copy_from_object, as mach_trap_table
 *	(kern/syscall_sw.c) calls it.  The RPCs' routines are declared by
 *	MIG's kern/experimental.server.h.  See vmc_server.c.
 */

#ifndef	_VM_VMC_SERVER_H_
#define	_VM_VMC_SERVER_H_

#include <mach/kern_return.h>
#include <mach/machine/vm_types.h>
#include <mach/port.h>

extern kern_return_t	syscall_vm_copy_from_object(
	mach_port_name_t	target_task,
	rpc_vm_offset_t		address,
	rpc_vm_size_t		size,
	mach_port_name_t	memory_object,
	rpc_vm_offset_t		offset,
	rpc_vm_size_t		*count);	/* OUT, user memory */

#endif	/* _VM_VMC_SERVER_H_ */

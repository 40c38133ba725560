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
 *	File:	vm/memory_object_proxy.c
 *
 *	The kernel's entry points for proxy memory objects: vm_init's
 *	setup, the no-senders of a proxy's port, and the RPC
 *	memory_object_create_proxy (mach4.defs).  A proxy is made of
 *	several memory objects and proxies, each range with its own
 *	maximum protection, nested proxies flattened with their rights
 *	intersected; vm/vmc_proxy_gnumach.c does it with mosaic's core.
 *	(Replaces the stock file, which took one object at offset 0:
 *	patch series of mosaic.)
 */

#include <ipc/ipc_space.h>
#include <kern/mach4.server.h>
#include <mach/kern_return.h>
#include <vm/memory_object_proxy.h>

void
memory_object_proxy_init(void)
{
}

boolean_t
memory_object_proxy_notify(mach_msg_header_t *msg)
{
	return mosaic_memory_object_proxy_notify(msg);
}

/*
 *	memory_object_create_proxy: a proxy of object[i]'s ranges
 *	[start[i], start[i] + len[i]) placed at offset[i] of the proxy,
 *	all with max_protection (vm/vmc_proxy_gnumach.c has the rules).
 */
kern_return_t
memory_object_create_proxy(
	ipc_space_t	space,
	vm_prot_t	max_protection,
	ipc_port_t	*object,
	natural_t	object_count,
	rpc_vm_offset_t	*offset,
	natural_t	offset_count,
	rpc_vm_offset_t	*start,
	natural_t	start_count,
	rpc_vm_size_t	*len,
	natural_t	len_count,
	ipc_port_t	*port)
{
	return mosaic_memory_object_create_proxy(space, max_protection,
						 object, object_count,
						 offset, offset_count,
						 start, start_count,
						 len, len_count, port);
}

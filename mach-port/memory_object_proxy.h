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
 *	File:	vm/memory_object_proxy.h
 *
 *	Proxy memory objects: the entry points the rest of the kernel
 *	calls.  The proxies themselves, made of several objects and holes,
 *	are vm/vmc_proxy_gnumach.c's, whose routines this header declares
 *	too.  (Replaces the stock header: patch series of mosaic.)
 */

#ifndef	_VM_MEMORY_OBJECT_PROXY_H_
#define	_VM_MEMORY_OBJECT_PROXY_H_

#include <ipc/ipc_types.h>
#include <mach/boolean.h>
#include <mach/message.h>
#include <vm/vmc_proxy_gnumach.h>

/* Called once by vm_init; proxies need no setup of their own. */
extern void		memory_object_proxy_init(void);

/* A notification for a proxy's port (kern/ipc_kobject.c): its
   no-senders destroys the proxy.  TRUE if it was one. */
extern boolean_t	memory_object_proxy_notify(mach_msg_header_t *msg);

#endif	/* _VM_MEMORY_OBJECT_PROXY_H_ */

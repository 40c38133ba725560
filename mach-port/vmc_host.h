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
 *	File:	vm/vmc_host.h  (mosaic: mach-port/vmc_host.h)
 *
 *	What GNU Mach decides for the core (core/vmc_types.h includes this
 *	header by name): the address width, that of vm_offset_t (checked in
 *	vmc_gnumach.c), and the state a page reference keeps.
 */
#ifndef	_MOSAIC_VMC_HOST_H_
#define	_MOSAIC_VMC_HOST_H_

#ifdef	__LP64__
#define	VMC_ADDR_BITS	64
#else
#define	VMC_ADDR_BITS	32
#endif

struct vm_page;
struct vm_object;

/*
 *	A pinned or peeked page's state (struct vmc_page_ref, vmc_port.h).
 */
struct vmc_page_ref_host {
	struct vm_page		*top;		/* vm_fault_page's top page,
						   or null */
	struct vm_object	*copy;		/* the page's object's copy
						   object at the fault */
	int			locked;		/* a peek took the object's
						   lock */
};

#endif	/* _MOSAIC_VMC_HOST_H_ */

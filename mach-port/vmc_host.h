/*
 * Copyright (c) 2026 the mosaic authors.
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the Free
 * Software Foundation; either version 2, or (at your option) any later
 * version.
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

/*
 *	Nothing happens at the core's yield points in the kernel (the
 *	simulator is where races are planted): vmc_yield compiles to
 *	nothing (vmc_port.h).
 */
#define	VMC_HOST_NO_YIELD	1

/*
 *	GNU Mach's frames lie where its page allocator put them, so a peek
 *	never runs on past its page: there is no vmc_object_page_extent,
 *	and the core's copy does not ask (vmc_port.h).
 */
#define	VMC_HOST_NO_EXTENT	1

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

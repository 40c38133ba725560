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
 *	File:	vm/vmc_gnumach.h  (mosaic: mach-port/vmc_gnumach.h)
 *
 *	What the rest of the kernel may call in mosaic's port layer
 *	(vmc_gnumach.c).  Kernel types only: the core's types stay inside
 *	vmc_gnumach.c, so a caller never includes a core header.
 */

#ifndef	_MOSAIC_VMC_GNUMACH_H_
#define	_MOSAIC_VMC_GNUMACH_H_

#include <mach/boolean.h>
#include <mach/kern_return.h>
#include <mach/vm_prot.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>

/*
 *	One side of a copy: a buffer in a map, a memory object, or a proxy.
 *
 *	A memory object is an object, a position (an object offset) and
 *	the most access the caller may use.  A proxy is the core's proxy
 *	(opaque here: see vmc_proxy_gnumach.h) and a position in it; the
 *	copy resolves each position to its segment's object, with the
 *	segment's maximum protection, and stops at a hole or past the
 *	proxy's end exactly as at an unmapped byte.
 */
typedef enum {
	MOSAIC_SIDE_MAP,		/* map, address */
	MOSAIC_SIDE_OBJECT,		/* object, position, protection */
	MOSAIC_SIDE_PROXY		/* proxy, position */
} mosaic_side_kind_t;

struct vmc_proxy;

struct mosaic_side {
	mosaic_side_kind_t kind;
	vm_map_t	map;		/* MAP: the buffer's map */
	vm_offset_t	address;	/* MAP: the buffer */
	vm_object_t	object;		/* OBJECT: referenced by the caller
					   for the whole copy */
	struct vmc_proxy *proxy;	/* PROXY: alive for the whole copy
					   (the caller holds its port) */
	vm_offset_t	position;	/* OBJECT, PROXY: first byte */
	vm_prot_t	max_protection;	/* OBJECT: access allowed */
};

/*
 *	mosaic_copy: copies size bytes from src to dst with the core's
 *	copy engine (vmc_copy): any alignment, any length, pages faulted
 *	in on both sides, the destination map verified before each write.
 *
 *	Conditions: nothing locked; may block (faults, pagers).
 *	Returns, with *count always the exact number of bytes copied:
 *	KERN_SUCCESS if any byte moved, else the reason the first could
 *	not be (KERN_INVALID_ARGUMENT for a wrapping range, checked
 *	before anything is touched; KERN_INVALID_ADDRESS;
 *	KERN_PROTECTION_FAILURE; KERN_MEMORY_ERROR;
 *	MACH_SEND_INTERRUPTED).
 */
extern kern_return_t	mosaic_copy(
	const struct mosaic_side	*src,
	const struct mosaic_side	*dst,
	vm_size_t			size,
	vm_size_t			*count);	/* OUT */

/*
 *	mosaic_range_ok: does [start, start + size) stay below 2^N (the
 *	kernel's word)?  What the core's vmc_range_make accepts, for
 *	callers that must refuse a wrapping range before they touch
 *	anything (inline: it runs on every call).
 */
static inline boolean_t
mosaic_range_ok(
	vm_offset_t	start,
	vm_size_t	size)
{
	/* The last byte, start + size - 1, does not pass the top. */
	return size == 0 || size - 1 <= ~(vm_offset_t) 0 - start;
}

#endif	/* _MOSAIC_VMC_GNUMACH_H_ */

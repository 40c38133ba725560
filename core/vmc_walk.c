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
 * vmc_walk.c: the range walk.  See vmc_walk.h.
 *
 * One lookup per entry: the host's lookup reports the bounds of the entry
 * holding the address, so the segment runs to the entry's last byte (or the
 * walk's end) without looking at the pages in between.
 */
#include "vmc_walk.h"

/* The segment from addr that lookup lk found, at most limit bytes. */
static void segment_of(const struct vmc_lookup *lk, vmc_addr_t addr, vmc_size_t limit,
		       struct vmc_walk_segment *seg)
{
	if (addr < lk->entry_start || addr > lk->entry_last)
		vmc_panic("vmc_walk: host returned an entry not holding the address");

	/* Bytes to the entry's end, counted as last-byte distances so that an
	 * entry ending at VMC_ADDR_MAX is handled without overflow. */
	vmc_size_t span = vmc_min(lk->entry_last - addr, limit - 1);
	/* The object offset of the segment's last byte must fit too. */
	span = vmc_min(span, VMC_ADDR_MAX - lk->offset);

	seg->start = addr;
	seg->size = span + 1;
	seg->object = lk->object;
	seg->offset = lk->offset;
	seg->prot = lk->prot;
	seg->version = lk->version;
}

vmc_kr_t vmc_walk_lookup(struct vmc_map *map, vmc_addr_t addr, vmc_size_t limit,
			 vmc_prot_t access, struct vmc_walk_segment *seg)
{
	struct vmc_lookup lk;
	vmc_kr_t kr;

	if (limit == 0)
		vmc_panic("vmc_walk_lookup: empty segment requested");
	kr = vmc_map_lookup(map, addr, access, &lk);
	if (kr != VMC_KERN_SUCCESS)
		return kr;
	segment_of(&lk, addr, limit, seg);
	return VMC_KERN_SUCCESS;
}

bool vmc_walk_lookup_locked(struct vmc_map *map, vmc_addr_t addr, vmc_size_t limit,
			    vmc_prot_t access, struct vmc_walk_segment *seg)
{
	struct vmc_lookup lk;

	if (limit == 0)
		vmc_panic("vmc_walk_lookup_locked: empty segment requested");
	if (!vmc_map_lookup_locked(map, addr, access, &lk))
		return false;
	segment_of(&lk, addr, limit, seg);
	return true;
}

void vmc_walk_segment_release(struct vmc_walk_segment *seg)
{
	if (seg->object != NULL) {
		vmc_object_release(seg->object);
		seg->object = NULL;
	}
}

vmc_kr_t vmc_walk_begin(struct vmc_walk *walk, struct vmc_map *map, vmc_addr_t addr,
			vmc_size_t size, vmc_prot_t access)
{
	struct vmc_range r;

	/* Is there a map? */
	if (map == NULL)
		return VMC_KERN_INVALID_ARGUMENT;
	/* Is the access a real one? */
	if (access == VMC_PROT_NONE || !vmc_prot_valid(access))
		return VMC_KERN_INVALID_ARGUMENT;
	/* Does the range fit in the address space? */
	if (!vmc_range_make(addr, size, &r))
		return VMC_KERN_INVALID_ARGUMENT;

	walk->map = map;
	walk->access = access;
	walk->range = r;
	walk->done = 0;
	walk->status = VMC_KERN_SUCCESS;
	return VMC_KERN_SUCCESS;
}

bool vmc_walk_next(struct vmc_walk *walk, struct vmc_walk_segment *seg)
{
	if (walk->status != VMC_KERN_SUCCESS || walk->done == walk->range.size)
		return false;

	vmc_addr_t addr = walk->range.start + walk->done;   /* inside the range */
	vmc_kr_t kr = vmc_walk_lookup(walk->map, addr, walk->range.size - walk->done,
				      walk->access, seg);
	if (kr != VMC_KERN_SUCCESS) {
		walk->status = kr;
		return false;
	}
	walk->done += seg->size;
	return true;
}

vmc_kr_t vmc_walk_stopped(const struct vmc_walk *walk, vmc_addr_t *at, vmc_size_t *covered)
{
	/* Stopped, done < size: inside the range.  A complete walk has no
	 * first uncovered address (it may be one past the top). */
	if (at != NULL && walk->status != VMC_KERN_SUCCESS)
		*at = walk->range.start + walk->done;
	if (covered != NULL)
		*covered = walk->done;
	return walk->status;
}

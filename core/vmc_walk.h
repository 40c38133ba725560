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
 * vmc_walk.h: walking a range of a map, one segment per map entry.
 *
 * A user buffer may span several map entries, each with its own object,
 * offset and protection (the 2005 proposal's open item "buffers of more than
 * one map entry").  The walk turns [addr, addr + size) into segments: the part
 * of one entry that lies inside the range, with the object and object offset
 * behind its first byte and the protection allowed now.  It stops exactly at
 * the first byte that no entry holds (VMC_KERN_INVALID_ADDRESS) or whose entry
 * lacks the requested access (VMC_KERN_PROTECTION_FAILURE), and says where.
 *
 * The step that builds one segment, vmc_walk_lookup(), is shared with the
 * copy engine (vmc_copy.c), which walks its map endpoints one segment at a
 * time and re-looks-up whenever its map version no longer verifies.
 *
 * A segment holds a reference on its object; the caller drops it with
 * vmc_walk_segment_release().  Nothing is locked between calls: a segment is
 * a snapshot, and its map version says whether it still holds.
 */
#ifndef VMC_WALK_H
#define VMC_WALK_H

#include "vmc_port.h"
#include "vmc_range.h"

/* The part of one map entry inside a walked range. */
struct vmc_walk_segment {
	vmc_addr_t start;           /* first address of the segment */
	vmc_size_t size;            /* bytes (> 0) */
	struct vmc_object *object;  /* referenced: vmc_walk_segment_release */
	vmc_off_t offset;           /* object offset of `start` */
	vmc_prot_t prot;            /* access the entry allows now */
	vmc_map_version_t version;  /* map version at lookup (vmc_map_verify) */
};

/*
 * Builds the segment that starts at addr and ends at the nearer of the end
 * of its map entry and addr + limit (limit > 0; the caller has checked that
 * [addr, addr + limit) does not wrap).  The segment is also cut where its
 * object offset would pass VMC_ADDR_MAX.
 * locks: none held.  sleeps: yes (vmc_map_lookup).
 * returns: VMC_KERN_SUCCESS and *seg filled (object referenced);
 *          VMC_KERN_INVALID_ADDRESS / VMC_KERN_PROTECTION_FAILURE from the lookup.
 *          On failure *seg is untouched and no reference is held.
 */
vmc_kr_t vmc_walk_lookup(struct vmc_map *map, vmc_addr_t addr, vmc_size_t limit,
			 vmc_prot_t access, struct vmc_walk_segment *seg);

/*
 * The same segment through vmc_map_lookup_locked: on true the map is
 * read-locked until vmc_map_verify_done(map, &seg->version) and the object
 * is not referenced (the lock keeps it).  False when the host declines;
 * then nothing is held and *seg is untouched.
 */
bool vmc_walk_lookup_locked(struct vmc_map *map, vmc_addr_t addr, vmc_size_t limit,
			    vmc_prot_t access, struct vmc_walk_segment *seg);

/* Drops the segment's object reference.  sleeps: yes (the last reference
 * may terminate the object). */
void vmc_walk_segment_release(struct vmc_walk_segment *seg);

/* An iterator over [addr, addr + size).  Fields are private to vmc_walk.c. */
struct vmc_walk {
	struct vmc_map *map;
	vmc_prot_t access;
	struct vmc_range range;
	vmc_size_t done;            /* bytes already yielded */
	vmc_kr_t status;            /* VMC_KERN_SUCCESS until the walk stops short */
};

/*
 * Starts a walk over [addr, addr + size) for `access` (VMC_PROT_READ and/or
 * VMC_PROT_WRITE, not none).  Looks nothing up yet.
 * returns: VMC_KERN_SUCCESS; VMC_KERN_INVALID_ARGUMENT if the range wraps, map is
 *          NULL or access is not a valid non-empty protection (*walk is
 *          then untouched).  A zero size gives a walk with no segment.
 */
vmc_kr_t vmc_walk_begin(struct vmc_walk *walk, struct vmc_map *map, vmc_addr_t addr,
			vmc_size_t size, vmc_prot_t access);

/*
 * The next segment.  Returns true with *seg filled (the caller releases it),
 * or false when the walk is over: completely, or stopped at a hole or a
 * protection failure (see vmc_walk_stopped).  sleeps: yes.
 */
bool vmc_walk_next(struct vmc_walk *walk, struct vmc_walk_segment *seg);

/*
 * Why and where the walk ended.  Returns VMC_KERN_SUCCESS if every byte was
 * yielded so far without a stop (*at untouched: the end of a range that
 * reaches the top of the space is one past it); otherwise the code that
 * stopped it, with *at (if not NULL) set to the first address it could not
 * cover.  *covered (if not NULL) gets the bytes yielded before that point.
 */
vmc_kr_t vmc_walk_stopped(const struct vmc_walk *walk, vmc_addr_t *at, vmc_size_t *covered);

#endif /* VMC_WALK_H */

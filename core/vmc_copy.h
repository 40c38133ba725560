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
 * vmc_copy.h: the copy engine behind vm_read_fast, vm_write_fast and
 * object-to-object copies.
 *
 * One loop copies bytes from a source endpoint to a destination endpoint,
 * whatever each endpoint is:
 *   - a map and an address (a task's buffer);
 *   - an object, an offset and the maximum protection the caller may use;
 *   - a resolver: a callback that maps a position to (object, offset,
 *     protection, bytes left in its segment).  Proxy memory objects plug in
 *     here (core/vmc_proxy.c) without the loop knowing about them.
 *
 * It generalises GNU Mach's vm_fault_copy (page-aligned, object to object,
 * one destination map version) to any byte alignment on either side, any
 * length, and ranges spanning several map entries or proxy segments.  Each
 * step copies one chunk: up to the nearest of the source page end, the
 * destination page end, the source segment end, the destination segment end
 * and the end of the request.  When both pages are resident and idle, the
 * chunk moves with the destination map verified and held and both objects
 * locked (the resident shortcut, vmc_object_page_peek); otherwise both
 * pages are faulted in and pinned (vmc_object_page_get), and before the
 * bytes move the destination map version is verified and the destination
 * page checked to be still current.  Either way a write never goes through
 * a mapping that has since lost write access.
 *
 * Short copies: a copy that moves every byte returns VMC_KERN_SUCCESS; one that
 * stops after k > 0 bytes returns VMC_KERN_SUCCESS with count k; one that moves
 * nothing returns what stopped it.  Retrying from the first uncopied byte
 * reports the reason.  The count is always written and always exact, and no
 * byte outside the destination range is ever written.
 */
#ifndef VMC_COPY_H
#define VMC_COPY_H

#include "vmc_port.h"
#include "vmc_range.h"

/* What a resolver reports for one position of its endpoint. */
struct vmc_segment {
	struct vmc_object *object;  /* referenced for the caller, unless held */
	bool held;                  /* no reference taken: the resolver's
	                               context keeps the object alive for the
	                               whole copy (the engine sets it false
	                               before each call) */
	vmc_off_t offset;           /* object offset of the position */
	vmc_prot_t prot;            /* access allowed there */
	vmc_size_t left;            /* bytes from the position to the segment's
	                               end (> 0); the engine never goes past it */
};

/*
 * A resolver: fills *seg for position `pos` of the endpoint (a proxy offset,
 * say).  locks: none held on entry or return.  sleeps: may.
 * returns: VMC_KERN_SUCCESS with *seg filled and seg->object referenced, or
 *          held (seg->held) by ctx, which the caller keeps for the copy;
 *          VMC_KERN_INVALID_ADDRESS for a hole or a position past the end;
 *          any other code stops the copy with that code.
 *          On failure nothing is referenced.  The engine checks seg->prot
 *          against the access it needs.
 */
typedef vmc_kr_t (*vmc_resolve_fn)(void *ctx, vmc_off_t pos, struct vmc_segment *seg);

enum vmc_endpoint_kind {
	VMC_ENDPOINT_MAP,       /* map, addr */
	VMC_ENDPOINT_OBJECT,    /* object, offset, max_prot */
	VMC_ENDPOINT_RESOLVER,  /* resolve(ctx, pos) */
};

struct vmc_endpoint {
	enum vmc_endpoint_kind kind;
	union {
		struct {
			struct vmc_map *map;
			vmc_addr_t addr;
			/* The first segment, when the caller has it
			 * (vmc_endpoint_map_at); object NULL otherwise. */
			struct vmc_object *object;  /* the caller holds a reference */
			vmc_off_t offset;
			vmc_size_t size;
			vmc_map_version_t version;
		} map;
		struct {
			struct vmc_object *object;  /* the caller holds a reference */
			vmc_off_t offset;
			vmc_prot_t max_prot;
		} object;
		struct {
			vmc_resolve_fn fn;
			void *ctx;
			vmc_off_t pos;
		} resolver;
	} u;
};

/* Endpoint builders (inline: a small copy's cost is counted in
 * instructions, and these run on every call). */
static inline struct vmc_endpoint vmc_endpoint_map(struct vmc_map *map, vmc_addr_t addr)
{
	struct vmc_endpoint ep = { .kind = VMC_ENDPOINT_MAP };

	ep.u.map.map = map;
	ep.u.map.addr = addr;
	return ep;
}

/*
 * A map endpoint whose first segment the caller has looked up itself: the
 * `size` bytes from addr are those of object from `offset` on, allowing the
 * access the copy needs on that side, for as long as the map's version is
 * `version`.  The engine starts there with no lookup, checks the version
 * before each chunk as it does for its own lookups, and looks the map up
 * afresh once the version has changed or the segment is used up.  The
 * caller holds a reference on object for the copy.  (GNU Mach's
 * vm_map_copy_overwrite has the destination's entry in hand, as
 * vm_fault_copy's callers had.)
 */
static inline struct vmc_endpoint vmc_endpoint_map_at(struct vmc_map *map, vmc_addr_t addr,
						      struct vmc_object *object,
						      vmc_off_t offset, vmc_size_t size,
						      const vmc_map_version_t *version)
{
	struct vmc_endpoint ep = vmc_endpoint_map(map, addr);

	ep.u.map.object = object;
	ep.u.map.offset = offset;
	ep.u.map.size = size;
	ep.u.map.version = *version;
	return ep;
}

static inline struct vmc_endpoint vmc_endpoint_object(struct vmc_object *object,
						      vmc_off_t offset, vmc_prot_t max_prot)
{
	struct vmc_endpoint ep = { .kind = VMC_ENDPOINT_OBJECT };

	ep.u.object.object = object;
	ep.u.object.offset = offset;
	ep.u.object.max_prot = max_prot;
	return ep;
}

static inline struct vmc_endpoint vmc_endpoint_resolver(vmc_resolve_fn fn, void *ctx,
							vmc_off_t pos)
{
	struct vmc_endpoint ep = { .kind = VMC_ENDPOINT_RESOLVER };

	ep.u.resolver.fn = fn;
	ep.u.resolver.ctx = ctx;
	ep.u.resolver.pos = pos;
	return ep;
}

/*
 * Copies size bytes from src to dst.
 * locks: none held on entry or return.  sleeps: yes (faults, pagers).
 * returns, with *count always set to the exact number of bytes copied:
 *   VMC_KERN_SUCCESS             all bytes, or k > 0 bytes before a failure;
 *   VMC_KERN_INVALID_ARGUMENT    a range wraps, an endpoint is malformed
 *                            (checked before anything is touched);
 *   VMC_KERN_INVALID_ADDRESS     the first byte is in a hole;
 *   VMC_KERN_PROTECTION_FAILURE  the first byte may not be read (source) or
 *                            written (destination);
 *   VMC_KERN_MEMORY_ERROR        a pager error or a dead object on the first page;
 *   VMC_MACH_SEND_INTERRUPTED    a wait for the first page was interrupted.
 * Zero size: VMC_KERN_SUCCESS, count 0, nothing looked up or touched.
 * Overlapping source and destination bytes (the same object) give
 * unspecified destination contents, as memcpy does, but never deadlock,
 * never write outside the range and keep the count exact.
 */
vmc_kr_t vmc_copy(const struct vmc_endpoint *src, const struct vmc_endpoint *dst,
		  vmc_size_t size, vmc_size_t *count);

#endif /* VMC_COPY_H */

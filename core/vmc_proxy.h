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
 * vmc_proxy.h: proxy memory objects made of several objects and holes.
 *
 * A proxy is a memory object whose offsets are pasted together from ranges
 * of other memory objects, each with its own maximum protection; offsets
 * no range covers are holes, which behave like unmapped memory.  This is
 * the interface designed on the Hurd list in November 2002 (object[],
 * maxprot[], start[], end[]), of which GNU Mach implements only the case of
 * one object at offset 0.
 *
 * Representation.  A proxy is flattened at creation: it is a sorted array
 * of segments, each naming a BASE object (never another proxy), so that
 * resolving an offset is one binary search whatever the nesting depth was.
 * When an input names a proxy, its segments are pulled in: windows are
 * intersected, offsets composed (overflow-checked), maximum protections
 * intersected.  Rights therefore can only shrink along a chain: wrapping a
 * read-only proxy in a read-write one yields read-only segments (stock GNU
 * Mach takes the outermost proxy's protection and lets the inner memory be
 * written).  Holes are not stored: they are the gaps between segments.
 *
 * Segments are stored by their first and LAST offset, so a segment that
 * reaches the top of the 64-bit offset space is representable.  An
 * open-ended input range becomes a segment that runs as far as both the
 * proxy's and the object's offsets can go; it is marked open_ended.
 *
 * Creation checks every argument before it allocates anything, and
 * allocates everything before it commits (takes object references), so a
 * failure leaves nothing behind (seL4's decode, then invoke); the plan
 * calls below expose the steps to a host that must act between them.
 *
 * Lifetime: a proxy is immutable once created.  The host decides when it
 * dies (GNU Mach and the simulator: on no-senders of its port, once no
 * call still uses it) and calls vmc_proxy_destroy, which drops the
 * segments' object references.  No locking is needed to read a proxy.
 */
#ifndef VMC_PROXY_H
#define VMC_PROXY_H

#include "vmc_copy.h"
#include "vmc_port.h"
#include "vmc_range.h"
#include "vmc_types.h"

/* Largest number of input ranges in one creation call: the bound of the
 * arrays in GNU Mach's mach4.defs (array[*:1024]). */
#define VMC_PROXY_MAX_RANGES   1024u
/* Largest number of segments after flattening. */
#define VMC_PROXY_MAX_SEGMENTS 65536u

struct vmc_proxy_seg {
	vmc_off_t start;            /* first proxy offset */
	vmc_off_t last;             /* last proxy offset (inclusive) */
	struct vmc_object *object;  /* base object, referenced by the proxy */
	vmc_off_t offset;           /* object offset at `start` */
	vmc_prot_t max_prot;        /* intersection along the chain */
	bool open_ended;            /* came from an open-ended range */
};

/* A proxy: opaque outside vmc_proxy.c (vmc_proxy_impl.h).  Its segments
 * are sorted by start and disjoint; vmc_proxy_host.h shows them to the
 * tests, the fuzzer and the benchmarks. */
struct vmc_proxy;

/* One creation input: a base object, an existing proxy, or a hole (the
 * null port).  The host turns ports into these. */
enum vmc_proxy_input_kind {
	VMC_PROXY_IN_HOLE,
	VMC_PROXY_IN_OBJECT,
	VMC_PROXY_IN_UNNAMED,   /* a memory object the host names between the
	                           plan and the build (GNU Mach makes a new
	                           pager's object only once the arguments are
	                           known good): it sets kind OBJECT and object */
	VMC_PROXY_IN_PROXY,
};

struct vmc_proxy_input {
	enum vmc_proxy_input_kind kind;
	struct vmc_object *object;       /* VMC_PROXY_IN_OBJECT */
	const struct vmc_proxy *proxy;   /* VMC_PROXY_IN_PROXY */
};

/*
 * Creation is in steps (seL4's decode, then invoke), so that a host can act
 * between validation and construction:
 *
 *   a plan call decodes and checks every argument before allocating
 *   anything (overlaps of GNU Mach's form are found on the ranges sorted in
 *   the plan's own array), then allocates the proxy, so that the build
 *   cannot fail.  An input may be VMC_PROXY_IN_UNNAMED.  The plan refers to
 *   the caller's inputs, which must stay as they are until the build or the
 *   discard, but for naming the unnamed ones.
 *
 *   vmc_proxy_build commits: it takes the objects' references and returns
 *   the proxy; it cannot fail.  Inputs that break the rule above are the
 *   host's bug, not a caller's error: it panics, before it writes or
 *   references anything, if an input is still unnamed (or named as an
 *   object or proxy that is NULL), or if the inputs no longer flatten into
 *   exactly the segments planned (a hole named, or an input replaced by a
 *   proxy of other segments); the plan is then still the caller's.
 *   vmc_proxy_plan_discard gives a plan up.  Either frees the plan.
 *
 * The plan calls, for the two forms:
 *
 * The seed's form, vmc_proxy_plan_ranges: ranges laid end to end in proxy
 * space.  Range i maps [start[i], end[i]) of input i (end exclusive) with
 * maximum protection maxprot[i].  The start and end arrays may be exactly
 * one shorter than the inputs: then the last input is pasted whole (from
 * its offset 0) and open-ended.  With one input and no start/end at all,
 * the proxy is that whole object (the shorthand).  A hole input maps
 * nothing.
 *
 * GNU Mach's form, vmc_proxy_plan_placed (memory_object_create_proxy):
 * range i maps [start[i], start[i] + len[i]) of input i at proxy offset
 * offset[i].  All ranges share max_protection.  Ranges may come in any
 * order; gaps between them are holes; overlapping ranges are rejected.
 * Every input must be an object or a proxy (VMC_KERN_INVALID_NAME for a
 * hole, as GNU Mach does for an invalid port).
 *
 * sleeps: yes (allocation).  locks: none.
 * returns: VMC_KERN_SUCCESS and *out;
 *   VMC_KERN_INVALID_ARGUMENT: no input, a count that does not fit the rules,
 *     end < start, an empty closed range, proxy space that overflows (and
 *     for the placed form, overlaps, zero lengths and wrapping ranges);
 *   VMC_KERN_INVALID_VALUE: protection bits outside VMC_PROT_ALL;
 *   VMC_KERN_NO_SPACE: more than VMC_PROXY_MAX_RANGES inputs or
 *     VMC_PROXY_MAX_SEGMENTS segments after flattening;
 *   VMC_KERN_RESOURCE_SHORTAGE: allocation failed.
 *   On failure *out is untouched and no reference is taken.
 */
struct vmc_proxy_plan;

vmc_kr_t vmc_proxy_plan_ranges(const struct vmc_proxy_input *in, uint32_t n,
			       const vmc_prot_t *maxprot, uint32_t nprot,
			       const vmc_off_t *start, uint32_t nstart,
			       const vmc_off_t *end, uint32_t nend,
			       struct vmc_proxy_plan **out);
vmc_kr_t vmc_proxy_plan_placed(vmc_prot_t max_protection,
			       const struct vmc_proxy_input *in, uint32_t n,
			       const vmc_off_t *offset, uint32_t noffset,
			       const vmc_off_t *start, uint32_t nstart,
			       const vmc_size_t *len, uint32_t nlen,
			       struct vmc_proxy_plan **out);
struct vmc_proxy *vmc_proxy_build(struct vmc_proxy_plan *plan);
void vmc_proxy_plan_discard(struct vmc_proxy_plan *plan);

/*
 * The seed's form with each closed range given by its start and length
 * (len[i] > 0) instead of its end, planned and built in one step (every
 * input named): range i maps [start[i], start[i] + len[i]) of input i.
 * What vm_region_create_proxy needs: an entry's object range may end at the
 * very top of the offset space, where its exclusive end is one past the top
 * and cannot be said.  Same rules and results as vmc_proxy_plan_ranges
 * (len[] in end[]'s place), plus VMC_KERN_INVALID_ARGUMENT for a zero
 * length or a window that wraps.
 */
vmc_kr_t vmc_proxy_create_sized(const struct vmc_proxy_input *in, uint32_t n,
				const vmc_prot_t *maxprot, uint32_t nprot,
				const vmc_off_t *start, uint32_t nstart,
				const vmc_size_t *len, uint32_t nlen,
				struct vmc_proxy **out);

/* Drops the segments' object references and frees the proxy.
 * sleeps: yes (object release).  */
void vmc_proxy_destroy(struct vmc_proxy *proxy);

/* What one proxy offset resolves to. */
struct vmc_proxy_resolved {
	struct vmc_object *object;  /* NULL: a hole */
	vmc_off_t offset;           /* object offset (0 for a hole) */
	vmc_prot_t max_prot;        /* VMC_PROT_NONE for a hole */
	vmc_size_t left;            /* bytes from here to the end of this
	                               segment or hole; saturates at
	                               VMC_ADDR_MAX for the
	                               whole space */
};

/* Resolves proxy offset x, by binary search: O(log segments).  No
 * reference is taken: the object lives as long as the proxy.
 * sleeps: no. */
void vmc_proxy_resolve(const struct vmc_proxy *proxy, vmc_off_t x,
		       struct vmc_proxy_resolved *out);

/* One piece of a window: a segment clipped to the window, or a hole. */
struct vmc_proxy_piece {
	vmc_off_t start;            /* proxy offset of the piece */
	vmc_size_t size;            /* > 0 */
	struct vmc_object *object;  /* NULL: hole */
	vmc_off_t offset;           /* object offset at start */
	vmc_prot_t max_prot;
};

/* Iterates the pieces of the window [offset, offset + size) in order.
 * vmc_proxy_iter_init returns false (and the iterator is unusable) if the
 * window wraps or is empty.  A host that maps a window counts the pieces
 * with one pass, allocates its entries, then fills them with a second
 * pass, so that the mapping is all or nothing. */
struct vmc_proxy_iter {
	const struct vmc_proxy *proxy;
	vmc_off_t next;             /* next proxy offset to yield */
	vmc_size_t remaining;       /* bytes of the window not yet yielded */
};

/* Is the window [offset, offset + size) non-empty, without wrap, and within
 * the proxy's extent (up to the last byte of its last segment)?  What
 * vm_map of a proxy checks: holes inside a proxy can be mapped (they are
 * reserved with no access), what lies past its end cannot, as GNU Mach's
 * window check intends (its sum wraps; this does not). */
bool vmc_proxy_window_inside(const struct vmc_proxy *proxy, vmc_off_t offset, vmc_size_t size);

bool vmc_proxy_iter_init(struct vmc_proxy_iter *it, const struct vmc_proxy *proxy,
			 vmc_off_t offset, vmc_size_t size);
bool vmc_proxy_iter_next(struct vmc_proxy_iter *it, struct vmc_proxy_piece *piece);

/* vm_map of a window -------------------------------------------------------- */

/* One map entry of a vm_map of a window: where it goes in the window, what
 * it maps (object NULL: a hole, reserved with no access) and with which
 * protections. */
struct vmc_proxy_map_piece {
	vmc_off_t at;               /* from the window's first byte */
	vmc_size_t size;            /* > 0, whole pages */
	struct vmc_object *object;  /* NULL: a hole */
	vmc_off_t offset;           /* object offset at the piece's start */
	vmc_prot_t cur;
	vmc_prot_t max;
};

/*
 * Checks a vm_map of the window [offset, offset + size) of proxy (a copy,
 * or shared) and counts its pieces.  What GNU Mach's vm_map and the
 * simulator's both ask: the window is on a page boundary, non-empty,
 * without wrap and within the proxy (vmc_proxy_window_inside); every piece
 * begins and ends on a page boundary (map entries are whole pages); and a
 * copy, made by reading, may read every piece that is not a hole.
 * returns: VMC_KERN_SUCCESS and *npieces (>= 1); VMC_KERN_INVALID_ARGUMENT
 *          (window or piece boundaries); VMC_KERN_PROTECTION_FAILURE (a copy
 *          of a piece without read).  Nothing is allocated or referenced.
 * sleeps: no.
 */
vmc_kr_t vmc_proxy_map_check(const struct vmc_proxy *proxy, vmc_off_t offset, vmc_size_t size,
			     bool copy, uint32_t *npieces);

/*
 * The pieces of a window vmc_proxy_map_check accepted, into
 * pieces[0 .. npieces): a piece's protections are cur and max capped by
 * its segment's maximum protection, or not capped for a copy (the caller's
 * own memory then, as vm_map makes it); a hole has none.  No reference is
 * taken: the host takes what its entries hold.
 * sleeps: no.
 */
void vmc_proxy_map_plan(const struct vmc_proxy *proxy, vmc_off_t offset, vmc_size_t size,
			bool copy, vmc_prot_t cur, vmc_prot_t max,
			struct vmc_proxy_map_piece *pieces);

/* Calls fn(object, ctx) once for each segment's object, in offset order
 * (an object several segments name comes several times).  For the host's
 * bookkeeping of what a proxy shares (GNU Mach: use_shared_copy).
 * sleeps: if fn does. */
void vmc_proxy_for_each_object(const struct vmc_proxy *proxy,
			       void (*fn)(struct vmc_object *object, void *ctx), void *ctx);

/*
 * The copy engine's resolver over a proxy (vmc_copy.h, VMC_ENDPOINT_RESOLVER
 * with ctx = the proxy): position pos resolves to its segment, with the
 * object held by the proxy (seg->held: the caller keeps the proxy alive for
 * the copy, which keeps its objects) and the segment's maximum protection as
 * the access allowed; a hole gives VMC_KERN_INVALID_ADDRESS, so a copy stops
 * exactly there.
 * sleeps: no.
 */
vmc_kr_t vmc_proxy_copy_resolve(void *ctx, vmc_off_t pos, struct vmc_segment *seg);

#endif /* VMC_PROXY_H */

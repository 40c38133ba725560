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
 * vmc_copy.c: the copy engine.  See vmc_copy.h for the contract.
 *
 * Each endpoint is a "side": where its next byte is (pos), and, once looked
 * up, the segment holding that byte (object, object offset, bytes left in
 * the segment, and for a map the version the lookup saw).  A segment is
 * looked up once and then advanced chunk by chunk; it is looked up again
 * only when it is used up, when the destination map no longer verifies, or
 * when a fault says the world changed (VMC_FAULT_RETRY).
 *
 * One chunk (copy_chunk):
 *   1. look up whichever side has no segment; a destination map is left
 *      for the shortcut to look up under its lock, when the source is not a
 *      map too;
 *   then the resident shortcut (copy_resident): check the source map, hold
 *   the destination map (looked up under its lock, or verified), peek at
 *   the destination page for writing and at the source page for reading;
 *   while both are resident and idle, move the bytes under those locks and
 *   advance, chunk after chunk, up to VMC_RESIDENT_BATCH chunks.  Otherwise,
 *   with
 *   nothing changed, the general path:
 *   2. fault and pin the destination page for writing (copy-on-write
 *      already resolved by the write lookup), then the source page;
 *   3. check the source map version, then verify the destination map's
 *      and keep it verified (read-locked) across the move: if either map
 *      changed, nothing is written; the pages go back and that side is
 *      looked up again from the current byte, which either finds the same
 *      access or stops the copy exactly there;
 *   4. check that the destination page is still the one a write must reach;
 *   5. move the bytes (vmc_page_copy: the host reaches both pages' bytes),
 *      unpin, advance both sides.
 *
 * The source map is checked, not held: its version is compared (verify and
 * verify_done at once) just before the destination map is verified, so two
 * map locks are never held together (with a writer queued between them, a
 * second read lock on the same map would deadlock).  A source byte is then
 * read from a page that was mapped at the check and is still pinned, so a
 * read never outlives its mapping by more than the one chunk in flight.
 */
#include "vmc_copy.h"
#include "vmc_walk.h"

/* Endpoints ---------------------------------------------------------------- */

/* The start position of an endpoint (address, offset or resolver position). */
static vmc_off_t endpoint_start(const struct vmc_endpoint *ep)
{
	switch (ep->kind) {
	case VMC_ENDPOINT_MAP:
		return ep->u.map.addr;
	case VMC_ENDPOINT_OBJECT:
		return ep->u.object.offset;
	case VMC_ENDPOINT_RESOLVER:
		return ep->u.resolver.pos;
	}
	vmc_panic("endpoint_start: unknown endpoint kind");
}

/* Is the endpoint well formed, and does [start, start + size) fit? */
static inline vmc_kr_t endpoint_check(const struct vmc_endpoint *ep, vmc_size_t size)
{
	struct vmc_range r;

	if (ep == NULL)
		return VMC_KERN_INVALID_ARGUMENT;
	switch (ep->kind) {
	case VMC_ENDPOINT_MAP:
		/* Is there a map, and is a segment given any bytes long, with
		 * offsets that do not wrap? */
		if (ep->u.map.map == NULL)
			return VMC_KERN_INVALID_ARGUMENT;
		if (ep->u.map.object != NULL &&
		    (ep->u.map.size == 0 || !vmc_range_make(ep->u.map.offset, ep->u.map.size, &r)))
			return VMC_KERN_INVALID_ARGUMENT;
		break;
	case VMC_ENDPOINT_OBJECT:
		/* Is there an object, and is the protection made of real bits? */
		if (ep->u.object.object == NULL || !vmc_prot_valid(ep->u.object.max_prot))
			return VMC_KERN_INVALID_ARGUMENT;
		break;
	case VMC_ENDPOINT_RESOLVER:
		/* Is there a resolver? */
		if (ep->u.resolver.fn == NULL)
			return VMC_KERN_INVALID_ARGUMENT;
		break;
	default:
		return VMC_KERN_INVALID_ARGUMENT;
	}
	/* Does the range stay within the address space? */
	if (!vmc_range_make(endpoint_start(ep), size, &r))
		return VMC_KERN_INVALID_ARGUMENT;
	return VMC_KERN_SUCCESS;
}

/* Sides --------------------------------------------------------------------- */

struct side {
	const struct vmc_endpoint *ep;
	vmc_prot_t access;          /* VMC_PROT_READ (source) or _WRITE (dest) */
	vmc_off_t pos;              /* endpoint position of the next byte */
	bool have;                  /* the fields below describe pos's segment */
	bool ref;                   /* the core holds a reference on object */
	struct vmc_object *object;  /* alive while `have` (referenced if ref) */
	vmc_off_t offset;           /* object offset of pos */
	vmc_size_t left;            /* bytes from pos to the segment's end (> 0) */
	vmc_map_version_t version;  /* map endpoints: version at lookup */
};

static void side_init(struct side *sd, const struct vmc_endpoint *ep, vmc_prot_t access)
{
	sd->ep = ep;
	sd->access = access;
	sd->pos = endpoint_start(ep);
	sd->have = false;
	sd->ref = false;
	sd->object = NULL;
	if (ep->kind == VMC_ENDPOINT_MAP && ep->u.map.object != NULL) {
		/* The caller's segment (vmc_endpoint_map_at), its reference
		 * the caller's. */
		sd->object = ep->u.map.object;
		sd->offset = ep->u.map.offset;
		sd->left = ep->u.map.size;
		sd->version = ep->u.map.version;
		sd->have = true;
	}
}

/* Forgets the segment (and its reference): the next chunk looks it up again. */
static void side_drop(struct side *sd)
{
	if (sd->have) {
		if (sd->ref)
			vmc_object_release(sd->object);
		sd->object = NULL;
		sd->have = false;
	}
}

/* Makes a map lookup's segment the side's; `ref` if the lookup referenced
 * its object. */
static void side_take(struct side *sd, const struct vmc_walk_segment *ws, bool ref)
{
	sd->object = ws->object;
	sd->ref = ref;
	sd->offset = ws->offset;
	sd->left = ws->size;
	sd->version = ws->version;
	sd->have = true;
}

/* Fills the side's segment for pos, at most `limit` bytes long (limit > 0
 * and [pos, pos + limit) does not wrap: checked by vmc_copy).  Returns what
 * stops the copy at pos if there is no usable segment. */
static inline vmc_kr_t side_resolve(struct side *sd, vmc_size_t limit)
{
	const struct vmc_endpoint *ep = sd->ep;
	struct vmc_walk_segment ws;
	struct vmc_segment seg;
	vmc_kr_t kr;

	switch (ep->kind) {
	case VMC_ENDPOINT_MAP:
		kr = vmc_walk_lookup(ep->u.map.map, sd->pos, limit, sd->access, &ws);
		if (kr != VMC_KERN_SUCCESS)
			return kr;
		side_take(sd, &ws, true);
		return VMC_KERN_SUCCESS;

	case VMC_ENDPOINT_OBJECT:
		if ((ep->u.object.max_prot & sd->access) != sd->access)
			return VMC_KERN_PROTECTION_FAILURE;
		/* The caller's reference covers the copy. */
		sd->object = ep->u.object.object;
		sd->ref = false;
		sd->offset = sd->pos;
		sd->left = limit;
		break;

	case VMC_ENDPOINT_RESOLVER:
		seg.held = false;
		kr = ep->u.resolver.fn(ep->u.resolver.ctx, sd->pos, &seg);
		if (kr != VMC_KERN_SUCCESS)
			return kr;
		if (seg.object == NULL || seg.left == 0)
			vmc_panic("side_resolve: resolver returned an empty segment");
		if ((seg.prot & sd->access) != sd->access) {
			if (!seg.held)
				vmc_object_release(seg.object);
			return VMC_KERN_PROTECTION_FAILURE;
		}
		sd->object = seg.object;
		sd->ref = !seg.held;
		sd->offset = seg.offset;
		/* Never past the request, nor past the top of the offset space. */
		sd->left = vmc_min(vmc_min(seg.left - 1, limit - 1), VMC_ADDR_MAX - seg.offset) + 1;
		break;
	}
	sd->have = true;
	return VMC_KERN_SUCCESS;
}

/* The destination map's lookup under its lock (vmc_walk_lookup_locked): the
 * segment holds no reference and is valid only until the lock is dropped.
 * False when the host declines; nothing held then. */
static bool side_lookup_locked(struct side *sd, vmc_size_t limit)
{
	struct vmc_walk_segment ws;

	if (!vmc_walk_lookup_locked(sd->ep->u.map.map, sd->pos, limit, sd->access, &ws))
		return false;
	side_take(sd, &ws, false);
	return true;
}

/* Moves the side past n bytes of its segment (n <= left), keeping the
 * segment even when it is used up (left 0). */
static void side_consume(struct side *sd, vmc_size_t n)
{
	sd->pos += n;
	sd->left -= n;
	sd->offset += n;
}

/* Moves the side past n bytes of its segment (n <= left), dropping it when
 * it is used up. */
static void side_advance(struct side *sd, vmc_size_t n)
{
	side_consume(sd, n);
	if (sd->left == 0)
		side_drop(sd);
}

/* Does the destination mapping still hold?  On true, a map endpoint's map is
 * read-locked until side_verify_done. */
static bool side_verify(struct side *sd)
{
	if (sd->ep->kind != VMC_ENDPOINT_MAP)
		return true;
	return vmc_map_verify(sd->ep->u.map.map, &sd->version);
}

/* Is the source mapping still as looked up?  Checks only; holds nothing. */
static bool side_check(struct side *sd)
{
	if (sd->ep->kind != VMC_ENDPOINT_MAP)
		return true;
	if (!vmc_map_verify(sd->ep->u.map.map, &sd->version))
		return false;
	vmc_map_verify_done(sd->ep->u.map.map, &sd->version);
	return true;
}

static void side_verify_done(struct side *sd)
{
	if (sd->ep->kind == VMC_ENDPOINT_MAP)
		vmc_map_verify_done(sd->ep->u.map.map, &sd->version);
}

/* The copy loop -------------------------------------------------------------- */

/* What a failed fault means for the copy: VMC_KERN_SUCCESS to go round again
 * (both sides looked up afresh), or the code that stops it, as
 * vm_fault_copy reports them. */
static vmc_kr_t fault_outcome(vmc_fault_t fr, struct side *s, struct side *d)
{
	switch (fr) {
	case VMC_FAULT_RETRY:
		side_drop(s);
		side_drop(d);
		return VMC_KERN_SUCCESS;
	case VMC_FAULT_ERROR:
		return VMC_KERN_MEMORY_ERROR;
	case VMC_FAULT_INTERRUPTED:
		return VMC_MACH_SEND_INTERRUPTED;
	case VMC_FAULT_OK:
		break;
	}
	vmc_panic("fault_outcome: unexpected fault result");
}

/* Bytes the next chunk may move: up to the nearest page or segment end. */
static vmc_size_t chunk_size(const struct side *s, const struct side *d, vmc_size_t left)
{
	vmc_size_t n = vmc_min(left, vmc_min(s->left, d->left));

	n = vmc_min(n, vmc_page_left(s->offset));
	return vmc_min(n, vmc_page_left(d->offset));
}

/* Chunks moved under one hold of the destination map's lock, at most: a
 * writer of that map waits for no more than this many copies of at most a
 * page each (64: 256 KiB, some tens of microseconds on real hardware). */
#define VMC_RESIDENT_BATCH 64

/*
 * One chunk of the resident shortcut: n bytes from the source's current
 * byte to the destination's, both pages peeked (vmc_port.h) and both
 * objects locked while the bytes move.  Both sides in one object (anonymous
 * memory that the kernel grew by coalescing, say) share its lock; both in
 * one page is the overlapping copy.  Returns false, with nothing moved or
 * held, if a page cannot be used as it is.
 */
static bool copy_resident_chunk(struct side *s, struct side *d, vmc_size_t n)
{
	vmc_off_t spage = vmc_trunc_page(s->offset);
	vmc_off_t dpage = vmc_trunc_page(d->offset);
	bool one_object = s->object == d->object;
	struct vmc_page_ref sref, dref;

	/* Map before object, as a lookup locks them; a second object's lock
	 * only tried. */
	if (!vmc_object_page_peek(d->object, dpage, VMC_PROT_WRITE, VMC_PEEK_LOCK, &dref))
		return false;
	if (one_object && spage == dpage) {
		vmc_page_copy(&dref, d->offset - dpage, &dref, s->offset - spage, n);
	} else {
		if (!vmc_object_page_peek(s->object, spage, VMC_PROT_READ,
					  one_object ? VMC_PEEK_HELD : VMC_PEEK_TRY, &sref)) {
			vmc_object_page_unpeek(&dref, false);
			return false;
		}
		vmc_page_copy(&dref, d->offset - dpage, &sref, s->offset - spage, n);
		vmc_object_page_unpeek(&sref, false);
	}
	vmc_object_page_unpeek(&dref, true);
	return true;
}

/*
 * The resident shortcut: up to `left` bytes, chunk by chunk, with the
 * destination map held throughout, so that nothing can unmap or protect the
 * destination meanwhile, and each chunk's objects locked, so that nothing
 * can evict or copy-on-write its pages.  The destination map is held by the
 * lookup that finds its segment when it has none (no reference taken; the
 * segment is forgotten with the lock) or by verifying the one it has.  A
 * source map is checked before each chunk, not held (two map locks are
 * never held together).  It stops at the first chunk whose pages cannot be
 * used as they are, at the end of either segment, or after
 * VMC_RESIDENT_BATCH chunks.  Returns the bytes moved; 0, with
 * nothing moved, changed or held, sends the chunk down the general path.
 * The source has its segment; the destination too unless it is a map.
 */
static vmc_size_t copy_resident(struct side *s, struct side *d, vmc_size_t left)
{
	bool looked_up = false;
	vmc_size_t moved = 0;
	unsigned budget = VMC_RESIDENT_BATCH;

	if (!d->have) {
		if (!side_lookup_locked(d, left))
			return 0;
		looked_up = true;
	} else if (!side_verify(d)) {
		return 0;
	}
	while (budget > 0 && moved < left && s->left != 0 && d->left != 0) {
		vmc_size_t n = chunk_size(s, d, left - moved);
		/* The source mapping as looked up? */
		if (!side_check(s) || !copy_resident_chunk(s, d, n))
			break;
		budget--;
		moved += n;
		side_consume(s, n);
		side_consume(d, n);
	}
	side_verify_done(d);
	/* A segment used up goes now, with its reference (none is dropped
	 * under a lock); a segment that held none goes with the lock. */
	if (s->left == 0)
		side_drop(s);
	if (d->left == 0 || looked_up)
		side_drop(d);
	return moved;
}

/*
 * Copies one chunk, at most `left` bytes.  Returns VMC_KERN_SUCCESS with *moved
 * set (0 if the world changed and the chunk must be tried again), or the
 * code that stops the copy at the current byte.
 */
static vmc_kr_t copy_chunk(struct side *s, struct side *d, vmc_size_t left, vmc_size_t *moved)
{
	struct vmc_page_ref sref, dref;
	vmc_fault_t fr;
	vmc_kr_t kr;

	*moved = 0;
	if (!s->have) {
		vmc_may_block(VMC_BLOCK_LOOKUP_SRC);
		if ((kr = side_resolve(s, left)) != VMC_KERN_SUCCESS)
			return kr;
	}
	/* A destination map is looked up by the shortcut, under its lock,
	 * unless the source is a map too (one map lock at a time). */
	bool lazy = !d->have && d->ep->kind == VMC_ENDPOINT_MAP &&
		    s->ep->kind != VMC_ENDPOINT_MAP;
	if (!d->have) {
		vmc_may_block(VMC_BLOCK_LOOKUP_DST);
		if (!lazy && (kr = side_resolve(d, left)) != VMC_KERN_SUCCESS)
			return kr;
	}

	if ((*moved = copy_resident(s, d, left)) != 0)
		return VMC_KERN_SUCCESS;
	/* The general path; the destination's lookup if the shortcut's
	 * declined (its error, if any, is the lookup's). */
	if (!d->have && (kr = side_resolve(d, left)) != VMC_KERN_SUCCESS)
		return kr;

	vmc_size_t n = chunk_size(s, d, left);
	vmc_off_t spage = vmc_trunc_page(s->offset);
	vmc_off_t dpage = vmc_trunc_page(d->offset);
	/* One page on both sides: pin it once (a second pin would wait on the
	 * first forever in a real kernel). */
	bool same = s->object == d->object && spage == dpage;

	/* The destination first: a write fault pushes the page's old contents
	 * to the object's copy object (the private copies made of it), and
	 * the source may be one of those copies, which must then be read
	 * from its own page, not through to the one being written.  In a
	 * real kernel the other order would also wait forever: the source
	 * fault leaves the shared page busy, and the write fault waits for
	 * it. */
	vmc_may_block(VMC_BLOCK_FAULT_DST);
	fr = vmc_object_page_get(d->object, dpage, VMC_PROT_WRITE, &dref);
	if (fr != VMC_FAULT_OK)
		return fault_outcome(fr, s, d);
	if (!same) {
		vmc_may_block(VMC_BLOCK_FAULT_SRC);
		fr = vmc_object_page_get(s->object, spage, VMC_PROT_READ, &sref);
		if (fr != VMC_FAULT_OK) {
			vmc_page_put(&dref, false);
			return fault_outcome(fr, s, d);
		}
	}

	vmc_may_block(VMC_BLOCK_VERIFY);
	if (!side_check(s)) {
		/* The source was unmapped or protected: look it up again. */
		if (!same)
			vmc_page_put(&sref, false);
		vmc_page_put(&dref, false);
		side_drop(s);
		return VMC_KERN_SUCCESS;
	}
	bool verified = side_verify(d);
	if (verified && !vmc_page_still_current(&dref)) {
		side_verify_done(d);
		verified = false;
	}
	if (!verified) {
		/* Nothing written; look the destination up again from here. */
		if (!same)
			vmc_page_put(&sref, false);
		vmc_page_put(&dref, false);
		side_drop(d);
		return VMC_KERN_SUCCESS;
	}

	vmc_page_copy(&dref, d->offset - dpage, same ? &dref : &sref, s->offset - spage, n);

	side_verify_done(d);
	if (!same)
		vmc_page_put(&sref, false);
	vmc_page_put(&dref, true);
	side_advance(s, n);
	side_advance(d, n);
	*moved = n;
	return VMC_KERN_SUCCESS;
}

vmc_kr_t vmc_copy(const struct vmc_endpoint *src, const struct vmc_endpoint *dst,
		  vmc_size_t size, vmc_size_t *count)
{
	struct side s, d;
	vmc_size_t done = 0, n;
	vmc_kr_t kr = VMC_KERN_SUCCESS;

	/* Is there somewhere to put the count? */
	if (count == NULL)
		return VMC_KERN_INVALID_ARGUMENT;
	*count = 0;
	/* Are both endpoints well formed, and do both ranges fit? */
	if ((kr = endpoint_check(src, size)) != VMC_KERN_SUCCESS)
		return kr;
	if ((kr = endpoint_check(dst, size)) != VMC_KERN_SUCCESS)
		return kr;
	if (size == 0)
		return VMC_KERN_SUCCESS;

	side_init(&s, src, VMC_PROT_READ);
	side_init(&d, dst, VMC_PROT_WRITE);
	while (done < size) {
		kr = copy_chunk(&s, &d, size - done, &n);
		if (kr != VMC_KERN_SUCCESS)
			break;
		done += n;
		if (n != 0 && done < size)
			vmc_may_block(VMC_BLOCK_NEXT_CHUNK);
	}
	side_drop(&s);
	side_drop(&d);

	*count = done;
	return done != 0 ? VMC_KERN_SUCCESS : kr;
}

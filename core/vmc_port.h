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
 * vmc_port.h: the porting boundary.  Everything the core needs from its host.
 *
 * Who may include this: core/ and the host implementations (sim/sim_port.c,
 * mach-port/vmc_gnumach.c, the test fake).  Nothing else.
 *
 * The core owns algorithms (range arithmetic, the entry walk, the copy loop,
 * proxy composition, argument checks).  The host owns data structures, locks
 * and page frames.  The three handle types below are opaque to the core; a
 * host defines them (GNU Mach: vm_map_t, vm_object_t, vm_page_t; the
 * simulator: its own structures).
 *
 * Every primitive states:
 *   locks    what must be held on entry, what is held on return;
 *   sleeps   whether it may block (the core calls vmc_may_block() around each
 *            such call so that tests can plant a race there);
 *   returns  its results, and what it leaves untouched on failure.
 *
 * GNU Mach names in brackets say what each primitive is built from there.
 */
#ifndef VMC_PORT_H
#define VMC_PORT_H

#include "vmc_types.h"

struct vmc_map;     /* an address map (vm_map_t) */
struct vmc_object;  /* a VM object (vm_object_t) */
struct vmc_page;    /* a resident page (vm_page_t) */

/* Memory ------------------------------------------------------------------ */

/* Allocates size bytes of kernel memory, or returns NULL.  [kalloc]
 * locks: none held across.  sleeps: yes.  The contents are undefined. */
void *vmc_alloc(vmc_size_t size);

/* Frees what vmc_alloc returned; size must be the size it was given. [kfree]
 * locks: none.  sleeps: no. */
void vmc_free(void *p, vmc_size_t size);

/* Stops the system: an impossible state was reached.  msg names the
 * function and the broken rule.  [panic] */
_Noreturn void vmc_panic(const char *msg);

/* A fact the code relies on and checks: false is a bug in the core. */
#define VMC_ASSERT(cond, msg) \
	do { \
		if (!(cond)) \
			vmc_panic(msg); \
	} while (0)

/* Objects ----------------------------------------------------------------- */

/* Takes a reference on object.  [vm_object_reference]
 * locks: none.  sleeps: no. */
void vmc_object_reference(struct vmc_object *object);

/* Drops a reference; the last one may terminate the object.
 * [vm_object_deallocate]  locks: none held.  sleeps: yes. */
void vmc_object_release(struct vmc_object *object);

/* Map lookup -------------------------------------------------------------- */

/* A map version: a token that vmc_map_verify compares.  [vm_map_version_t] */
typedef struct vmc_map_version {
	uint64_t stamp;
} vmc_map_version_t;

/* What vmc_map_lookup found for one address. */
struct vmc_lookup {
	struct vmc_object *object;  /* referenced; the caller releases it */
	vmc_off_t offset;           /* object offset of the looked-up address */
	vmc_addr_t entry_start;     /* the entry holding the address: */
	vmc_addr_t entry_last;      /*   its first and last byte */
	vmc_prot_t prot;            /* access allowed now (copy-on-write read
	                               lookups have write removed) */
	vmc_map_version_t version;  /* for vmc_map_verify */
};

/*
 * Finds the object behind addr in map for an access of type `access`
 * (VMC_PROT_READ and/or VMC_PROT_WRITE).
 * [vm_map_lookup with keep_map_locked, vm_map_lookup_entry for the entry
 *  bounds, vm_object_reference_locked, then both unlocked]
 *
 * For a write, a copy-on-write entry gets its shadow object now, and an
 * entry without an object gets a zero-fill object, so the object returned
 * is the one a write must reach.
 *
 * locks: map unlocked on entry and on return.  sleeps: yes.
 * returns: VMC_KERN_SUCCESS and *out filled;
 *          VMC_KERN_INVALID_ADDRESS if no entry holds addr;
 *          VMC_KERN_PROTECTION_FAILURE if the entry's protection lacks `access`;
 *          VMC_KERN_RESOURCE_SHORTAGE if the shadow or zero-fill object could
 *            not be allocated (a host whose allocations wait, as GNU Mach's
 *            do, never returns it).
 *          On failure *out is untouched, no reference is taken and the map
 *          is as it was.
 */
vmc_kr_t vmc_map_lookup(struct vmc_map *map, vmc_addr_t addr, vmc_prot_t access,
			struct vmc_lookup *out);

/*
 * Checks that map has not changed since `version` was returned.  If it has
 * not, returns true with the map read-locked: nothing can unmap or protect
 * it until vmc_map_verify_done.  Otherwise returns false, map unlocked.
 * [vm_map_verify]  sleeps: yes (lock).
 */
bool vmc_map_verify(struct vmc_map *map, const vmc_map_version_t *version);

/* Ends a successful vmc_map_verify.  [vm_map_verify_done]  sleeps: no. */
void vmc_map_verify_done(struct vmc_map *map, const vmc_map_version_t *version);

/* Pages ------------------------------------------------------------------- */

/* A page pinned by vmc_object_page_get.  `host' is the host's own
 * (vmc_host.h); the core only passes it back.  (GNU Mach: the "top page"
 * placeholder that vm_fault_cleanup frees, and the object's copy object at
 * fault time.) */
struct vmc_page_ref {
	struct vmc_page *page;
	struct vmc_page_ref_host host;
};

/*
 * Makes the page at `offset` (page-aligned) of object resident for `access`
 * and pins it (busy): it can be neither evicted nor replaced until
 * vmc_page_put.  A write fault goes down the shadow chain and copies the
 * page into `object` itself; a page no pager provides is zero-filled.
 * [vm_object_lock, vm_object_paging_begin, vm_fault_page; VM_PAGE_WAIT and
 *  vm_page_more_fictitious on shortages, which it handles itself]
 *
 * locks: none on entry; on return the object is unlocked.  sleeps: yes
 * (it waits for the pager).
 * returns: VMC_FAULT_OK and *ref filled;
 *          VMC_FAULT_RETRY: state changed while it slept, nothing pinned;
 *             the caller redoes its lookup (the map may have changed too);
 *          VMC_FAULT_ERROR: the pager failed this page, or the object is
 *             dead (terminated);
 *          VMC_FAULT_INTERRUPTED: the wait was interrupted.
 *          On anything but OK, *ref is untouched and nothing is pinned.
 */
vmc_fault_t vmc_object_page_get(struct vmc_object *object, vmc_off_t offset,
				vmc_prot_t access, struct vmc_page_ref *ref);

/*
 * Is a write into this pinned page still going to the right place?  False if
 * the object gained a new copy object since the fault (a virtual copy was
 * made of it while the page was being fetched): the caller drops the page
 * and faults again.  Call it with the map verified.
 * [dst_page->object->copy != old_copy_object, as in vm_fault_copy]
 * locks: takes and drops the object lock.  sleeps: no.
 */
bool vmc_page_still_current(const struct vmc_page_ref *ref);

/*
 * Copies n bytes into the page dst holds, from its byte doff on, from the
 * page src holds, from its byte soff on: every byte the core moves goes
 * through here.  Each page is pinned (vmc_object_page_get) or peeked
 * (vmc_object_page_peek).  src may be dst, the same page: the two ranges
 * may then overlap, and the copy is as if through a buffer.  doff + n and
 * soff + n are at most VMC_PAGE_SIZE.  Any alignment; n may be 0.  The host reaches the pages' bytes as it must: a kernel that maps
 * only part of physical memory maps the rest for the copy.
 * [vm_page_copy_part: pmap_copy_part_page, which maps a page above the
 *  direct map in one of the processor's windows]
 * locks: any.  sleeps: no.
 */
void vmc_page_copy(const struct vmc_page_ref *dst, vmc_size_t doff,
		   const struct vmc_page_ref *src, vmc_size_t soff, vmc_size_t n);

/* Unpins the page; `dirtied` if the core wrote into it.
 * [PAGE_WAKEUP_DONE, page->dirty, vm_page_activate, vm_fault_cleanup]
 * locks: none on entry or return.  sleeps: no. */
void vmc_page_put(struct vmc_page_ref *ref, bool dirtied);

/* The resident shortcut ---------------------------------------------------- */

/*
 * Most chunks of a copy between cached data and a task's buffer find both
 * pages resident and idle.  The copy loop then moves the chunk with locks
 * held throughout, the destination map's read lock (taken by the lookup
 * that finds the segment, or by vmc_map_verify) and the two objects' locks,
 * instead of pinning the pages: no fault, no pin, no reference, no second
 * look at the map.  Each primitive below either succeeds, holding what it
 * says, or declines having changed nothing and holding nothing; on a
 * decline the loop takes the general path above, which waits and reports
 * errors where the shortcut only declines.  A host without the shortcut
 * declines every time.
 */

/*
 * The lookup of the shortcut: what vmc_map_lookup returns for addr, except
 * that the map is left read-locked (until vmc_map_verify_done with
 * out->version) and the object is not referenced: the lock keeps the entry,
 * and the entry its object.  Declines (false, nothing held, *out untouched)
 * wherever vmc_map_lookup would fail, wait or change the map: no entry, the
 * access not allowed, copy-on-write to resolve for a write, no object yet.
 * [vm_map_lock_read, vm_map_lookup_entry]
 * locks: none on entry.  sleeps: yes (the map's lock).
 */
bool vmc_map_lookup_locked(struct vmc_map *map, vmc_addr_t addr, vmc_prot_t access,
			   struct vmc_lookup *out);

/*
 * The page at `offset` (page-aligned) of object, if it is resident in
 * object itself and can serve `access` as it is: idle (neither pinned nor
 * being paged in or out), without error, not locked against the access by
 * its pager, its object alive, and for a write, no copy object to push the
 * old contents to first.  Returns true, *ref filled, with the object locked
 * until vmc_object_page_unpeek; or false, with nothing more held and *ref
 * untouched, if any of that is not so.  `lock` says how:
 *   VMC_PEEK_LOCK  take the object's lock;
 *   VMC_PEEK_TRY   only try it (a second object's lock, taken while holding
 *                  a first: there is no lock order between objects);
 *   VMC_PEEK_HELD  the caller holds it already, by a peek at another page
 *                  of the same object that is still open.
 * [vm_object_lock or vm_object_lock_try, vm_page_lookup]
 * locks: the caller may hold a map's read lock and one object's lock.
 * sleeps: no.
 */
enum vmc_peek_lock { VMC_PEEK_LOCK, VMC_PEEK_TRY, VMC_PEEK_HELD };

bool vmc_object_page_peek(struct vmc_object *object, vmc_off_t offset, vmc_prot_t access,
			  enum vmc_peek_lock lock, struct vmc_page_ref *ref);

/* Ends a peek; `dirtied` if the core wrote into the page.
 * A VMC_PEEK_HELD peek is ended before the one that took the lock.
 * [page->dirty, page->reference, vm_object_unlock]  sleeps: no. */
void vmc_object_page_unpeek(struct vmc_page_ref *ref, bool dirtied);

/* Blocking points ---------------------------------------------------------- */

/*
 * The core calls vmc_may_block() at each place where the copy may block
 * next (a lookup takes a sleeping lock, a fault waits for its pager), with
 * no lock of its own held, as Linux code calls might_sleep().  A kernel
 * checks there that nothing forbids blocking (GNU Mach: check_simple_locks,
 * an assertion that no simple lock is held, in a MACH_LDEBUG kernel); the
 * simulator lets a test act there as another thread could while the copy
 * blocks (unmap, protect, evict, terminate).
 */
enum vmc_block_point {
	VMC_BLOCK_LOOKUP_SRC,      /* before looking up the source entry */
	VMC_BLOCK_LOOKUP_DST,      /* before looking up the destination entry */
	VMC_BLOCK_FAULT_SRC,       /* before faulting the source page */
	VMC_BLOCK_FAULT_DST,       /* before faulting the destination page */
	VMC_BLOCK_VERIFY,          /* between the faults and the map verify */
	VMC_BLOCK_NEXT_CHUNK,      /* after a chunk was copied and released */
	VMC_BLOCK_COUNT
};

/* [check_simple_locks]  locks: none held by the caller.  sleeps: may. */
void vmc_may_block(enum vmc_block_point where);

#endif /* VMC_PORT_H */

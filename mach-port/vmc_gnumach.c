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
 *	File:	vm/vmc_gnumach.c  (mosaic: mach-port/vmc_gnumach.c)
 *
 *	The porting header of the mosaic core (vmc_port.h) implemented
 *	over GNU Mach's VM internals.  With vm/memory_object_proxy.c (GNU
 *	Mach's proxies made of the core's) it is the port layer, the only
 *	place where core types and kernel types meet: a struct vmc_map is a
 *	struct vm_map, a struct vmc_object a struct vm_object, a struct
 *	vmc_page a struct vm_page, and the conversion is a cast.
 *
 *	Each routine below follows the contract written beside its
 *	declaration in vmc_port.h; the comment on each says which kernel
 *	routines it is built from and where it differs from vm_fault_copy,
 *	whose structure the core's copy loop generalises.
 *
 *	Locking, as in vm_fault_copy: the core holds no lock across a call,
 *	except between a successful vmc_map_verify and vmc_map_verify_done,
 *	when the destination map is read-locked and the core only copies
 *	bytes between two busy pages (and in the resident shortcut, whose
 *	peeks hold the objects' locks, vmc_port.h).
 *
 *	The other way round, the kernel calls the core's copy engine
 *	(vmc_copy.h) with endpoints built of kernel objects cast to the
 *	core's: vmc_server.c does.
 */

#include <kern/assert.h>
#include <kern/debug.h>
#include <kern/kalloc.h>
#include <kern/lock.h>
#include <mach/kern_return.h>
#include <mach/vm_prot.h>
#include <vm/vm_fault.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>

#include "vmc_port.h"

/*
 *	The core's numbers are Mach's: each checked against GNU Mach's own
 *	name, once, at compile time.
 */
_Static_assert(VMC_PAGE_SIZE == PAGE_SIZE, "page size");
_Static_assert(sizeof(vm_offset_t) == sizeof(vmc_addr_t), "address width");
_Static_assert(sizeof(vm_size_t) == sizeof(vmc_size_t), "size width");
_Static_assert(VMC_PROT_READ == VM_PROT_READ, "VM_PROT_READ");
_Static_assert(VMC_PROT_WRITE == VM_PROT_WRITE, "VM_PROT_WRITE");
_Static_assert(VMC_PROT_EXECUTE == VM_PROT_EXECUTE, "VM_PROT_EXECUTE");
_Static_assert(VMC_KERN_SUCCESS == KERN_SUCCESS, "KERN_SUCCESS");
_Static_assert(VMC_KERN_INVALID_ADDRESS == KERN_INVALID_ADDRESS, "KERN_INVALID_ADDRESS");
_Static_assert(VMC_KERN_PROTECTION_FAILURE == KERN_PROTECTION_FAILURE, "KERN_PROTECTION_FAILURE");
_Static_assert(VMC_KERN_NO_SPACE == KERN_NO_SPACE, "KERN_NO_SPACE");
_Static_assert(VMC_KERN_INVALID_ARGUMENT == KERN_INVALID_ARGUMENT, "KERN_INVALID_ARGUMENT");
_Static_assert(VMC_KERN_FAILURE == KERN_FAILURE, "KERN_FAILURE");
_Static_assert(VMC_KERN_RESOURCE_SHORTAGE == KERN_RESOURCE_SHORTAGE, "KERN_RESOURCE_SHORTAGE");
_Static_assert(VMC_KERN_NOT_RECEIVER == KERN_NOT_RECEIVER, "KERN_NOT_RECEIVER");
_Static_assert(VMC_KERN_NO_ACCESS == KERN_NO_ACCESS, "KERN_NO_ACCESS");
_Static_assert(VMC_KERN_MEMORY_FAILURE == KERN_MEMORY_FAILURE, "KERN_MEMORY_FAILURE");
_Static_assert(VMC_KERN_MEMORY_ERROR == KERN_MEMORY_ERROR, "KERN_MEMORY_ERROR");
_Static_assert(VMC_KERN_NOT_IN_SET == KERN_NOT_IN_SET, "KERN_NOT_IN_SET");
_Static_assert(VMC_KERN_NAME_EXISTS == KERN_NAME_EXISTS, "KERN_NAME_EXISTS");
_Static_assert(VMC_KERN_ABORTED == KERN_ABORTED, "KERN_ABORTED");
_Static_assert(VMC_KERN_INVALID_NAME == KERN_INVALID_NAME, "KERN_INVALID_NAME");
_Static_assert(VMC_KERN_INVALID_TASK == KERN_INVALID_TASK, "KERN_INVALID_TASK");
_Static_assert(VMC_KERN_INVALID_RIGHT == KERN_INVALID_RIGHT, "KERN_INVALID_RIGHT");
_Static_assert(VMC_KERN_INVALID_VALUE == KERN_INVALID_VALUE, "KERN_INVALID_VALUE");
_Static_assert(VMC_KERN_UREFS_OVERFLOW == KERN_UREFS_OVERFLOW, "KERN_UREFS_OVERFLOW");
_Static_assert(VMC_KERN_INVALID_CAPABILITY == KERN_INVALID_CAPABILITY, "KERN_INVALID_CAPABILITY");
_Static_assert(VMC_KERN_RIGHT_EXISTS == KERN_RIGHT_EXISTS, "KERN_RIGHT_EXISTS");
_Static_assert(VMC_KERN_INVALID_HOST == KERN_INVALID_HOST, "KERN_INVALID_HOST");
_Static_assert(VMC_KERN_MEMORY_PRESENT == KERN_MEMORY_PRESENT, "KERN_MEMORY_PRESENT");
_Static_assert(VMC_KERN_WRITE_PROTECTION_FAILURE == KERN_WRITE_PROTECTION_FAILURE, "KERN_WRITE_PROTECTION_FAILURE");
_Static_assert(VMC_KERN_TERMINATED == KERN_TERMINATED, "KERN_TERMINATED");
_Static_assert(VMC_KERN_TIMEDOUT == KERN_TIMEDOUT, "KERN_TIMEDOUT");
_Static_assert(VMC_KERN_INTERRUPTED == KERN_INTERRUPTED, "KERN_INTERRUPTED");
_Static_assert(VMC_MACH_SEND_INVALID_DEST == MACH_SEND_INVALID_DEST, "MACH_SEND_INVALID_DEST");
_Static_assert(VMC_MACH_SEND_INTERRUPTED == MACH_SEND_INTERRUPTED, "MACH_SEND_INTERRUPTED");
_Static_assert(VMC_MACH_SEND_INVALID_MEMORY == MACH_SEND_INVALID_MEMORY, "MACH_SEND_INVALID_MEMORY");

#define	to_map(m)	((vm_map_t)(m))
#define	to_object(o)	((vm_object_t)(o))
#define	from_object(o)	((struct vmc_object *)(o))

void *
vmc_alloc(vmc_size_t size)
{
	return (void *) kalloc((vm_size_t) size);
}

void
vmc_free(void *p, vmc_size_t size)
{
	kfree((vm_offset_t) p, (vm_size_t) size);
}

void
vmc_panic(const char *msg)
{
	panic("mosaic: %s", msg);
}

void
vmc_object_reference(struct vmc_object *object)
{
	vm_object_reference(to_object(object));
}

void
vmc_object_release(struct vmc_object *object)
{
	vm_object_deallocate(to_object(object));
}

/*
 *	vmc_map_lookup: vm_map_lookup, keeping the map read-locked just
 *	long enough to read the bounds of the entry it used and to take a
 *	reference on the object it returned (locked).
 *
 *	User task maps have no submaps, so the entry found again by
 *	vm_map_lookup_entry is the one vm_map_lookup used; a submap would
 *	change *var_map, which we refuse rather than misreport bounds.
 */
vmc_kr_t
vmc_map_lookup(struct vmc_map *vmap, vmc_addr_t addr, vmc_prot_t access,
	       struct vmc_lookup *out)
{
	vm_map_t		map = to_map(vmap);
	vm_map_t		found_map = map;
	vm_map_version_t	version;
	vm_object_t		object;
	vm_offset_t		offset;
	vm_prot_t		prot;
	boolean_t		wired;
	vm_map_entry_t		entry;
	kern_return_t		kr;

	kr = vm_map_lookup(&found_map, (vm_offset_t) addr, (vm_prot_t) access,
			   TRUE, &version, &object, &offset, &prot, &wired);
	if (kr == KERN_WRITE_PROTECTION_FAILURE)
		kr = KERN_PROTECTION_FAILURE;
	if (kr != KERN_SUCCESS)
		return kr;

	/* Map read-locked, object locked. */
	if (found_map != map || !vm_map_lookup_entry(map, addr, &entry)) {
		vm_object_unlock(object);
		vm_map_unlock_read(found_map);
		return KERN_INVALID_ADDRESS;
	}
	vm_object_reference_locked(object);
	vm_object_unlock(object);

	out->object = from_object(object);
	out->offset = offset;
	out->entry_start = entry->vme_start;
	out->entry_last = entry->vme_end - 1;
	out->prot = prot;
	out->version.stamp = version.main_timestamp;
	vm_map_unlock_read(map);
	return KERN_SUCCESS;
}

/*
 *	vmc_map_lookup_locked: the resident shortcut's lookup,
 *	vm_map_lookup_in_place, with the map left read-locked and no
 *	reference taken.
 */
bool
vmc_map_lookup_locked(struct vmc_map *vmap, vmc_addr_t addr, vmc_prot_t access,
		      struct vmc_lookup *out)
{
	vm_map_t	map = to_map(vmap);
	vm_map_entry_t	entry;
	vm_object_t	object;
	vm_offset_t	offset;
	vm_prot_t	prot;

	vm_map_lock_read(map);
	entry = vm_map_lookup_in_place(map, (vm_offset_t) addr,
				       (vm_prot_t) access, &object, &offset,
				       &prot);
	if (entry == VM_MAP_ENTRY_NULL) {
		vm_map_unlock_read(map);
		return FALSE;
	}
	out->object = from_object(object);
	out->offset = offset;
	out->entry_start = entry->vme_start;
	out->entry_last = entry->vme_end - 1;
	out->prot = prot;
	out->version.stamp = map->timestamp;
	return TRUE;
}

bool
vmc_map_verify(struct vmc_map *map, const vmc_map_version_t *v)
{
	vm_map_version_t	version;

	version.main_timestamp = (unsigned int) v->stamp;
	return vm_map_verify(to_map(map), &version);
}

void
vmc_map_verify_done(struct vmc_map *map, const vmc_map_version_t *v)
{
	(void) v;
	vm_map_unlock_read(to_map(map));
}

/*
 *	vmc_object_page_get: vm_fault_page, as vm_fault_copy calls it.
 *	Memory and fictitious-page shortages are waited out here; a retry
 *	goes back to the core, which may have to redo its map lookup (the
 *	map can change while vm_fault_page sleeps).
 */
vmc_fault_t
vmc_object_page_get(struct vmc_object *vobject, vmc_off_t offset,
		    vmc_prot_t access, struct vmc_page_ref *ref)
{
	vm_object_t		object = to_object(vobject);
	vm_prot_t		prot;
	vm_page_t		page;
	vm_page_t		top_page;

	for (;;) {
		prot = (vm_prot_t) access;
		vm_object_lock(object);
		vm_object_paging_begin(object);

		switch (vm_fault_page(object, (vm_offset_t) offset,
				      (vm_prot_t) access, FALSE, TRUE,
				      &prot, &page, &top_page,
				      FALSE, (continuation_t) 0)) {
		case VM_FAULT_SUCCESS:
			break;
		case VM_FAULT_RETRY:
			return VMC_FAULT_RETRY;
		case VM_FAULT_INTERRUPTED:
			return VMC_FAULT_INTERRUPTED;
		case VM_FAULT_MEMORY_SHORTAGE:
			VM_PAGE_WAIT((continuation_t) 0);
			continue;
		case VM_FAULT_FICTITIOUS_SHORTAGE:
			vm_page_more_fictitious();
			continue;
		case VM_FAULT_MEMORY_ERROR:
		default:
			return VMC_FAULT_ERROR;
		}
		break;
	}

	/* page->object is locked, page busy. */
	ref->page = (struct vmc_page *) page;
	ref->host.top = top_page;
	ref->host.copy = page->object->copy;
	vm_object_unlock(page->object);
	return VMC_FAULT_OK;
}

/*
 *	vmc_page_copy: vm_page_copy_part, whose pmap_copy_part_page maps a
 *	page above the direct map of physical memory in one of the
 *	processor's windows, as pmap_copy_page does, and moves the bytes
 *	with the kernel's memcpy (memmove within one page).  Nothing sleeps
 *	between the window's use and its release.
 */
void
vmc_page_copy(const struct vmc_page_ref *dst, vmc_size_t doff,
	      const struct vmc_page_ref *src, vmc_size_t soff, vmc_size_t n)
{
	vm_page_copy_part((vm_page_t) src->page, (vm_offset_t) soff,
			  (vm_page_t) dst->page, (vm_offset_t) doff,
			  (vm_size_t) n);
}

bool
vmc_page_still_current(const struct vmc_page_ref *ref)
{
	vm_page_t	page = (vm_page_t) ref->page;
	boolean_t	same;

	vm_object_lock(page->object);
	same = (page->object->copy == ref->host.copy);
	vm_object_unlock(page->object);
	return same;
}

/*
 *	vmc_object_page_peek: the resident shortcut (vmc_port.h),
 *	vm_fault_page_resident under the object's lock.  The page is not
 *	made busy: with its object locked the pageout daemon cannot take
 *	it.  It stays where it is on the paging queues, and the reference
 *	bit tells the daemon it was used, as vm_fault does with software
 *	reference bits (GNU Mach's default).
 */
bool
vmc_object_page_peek(struct vmc_object *vobject, vmc_off_t offset,
		     vmc_prot_t access, enum vmc_peek_lock lock,
		     struct vmc_page_ref *ref)
{
	vm_object_t	object = to_object(vobject);
	vm_page_t	page;

	switch (lock) {
	case VMC_PEEK_TRY:
		if (!vm_object_lock_try(object))
			return FALSE;
		break;
	case VMC_PEEK_LOCK:
		vm_object_lock(object);
		break;
	case VMC_PEEK_HELD:
		break;
	}
	page = vm_fault_page_resident(object, (vm_offset_t) offset,
				      (vm_prot_t) access);
	if (page == VM_PAGE_NULL) {
		if (lock != VMC_PEEK_HELD)
			vm_object_unlock(object);
		return FALSE;
	}
	ref->page = (struct vmc_page *) page;
	ref->host.top = VM_PAGE_NULL;
	ref->host.copy = VM_OBJECT_NULL;
	ref->host.locked = (lock != VMC_PEEK_HELD);
	return TRUE;
}

void
vmc_object_page_unpeek(struct vmc_page_ref *ref, bool dirtied)
{
	vm_page_t	page = (vm_page_t) ref->page;

	if (dirtied)
		page->dirty = TRUE;
	vm_page_lock_queues();
	page->reference = TRUE;
	vm_page_unlock_queues();
	if (ref->host.locked)
		vm_object_unlock(page->object);
}

/*
 *	vmc_page_put: vm_fault_copy's cleanup, the page marked dirty first
 *	when the core wrote into it, as vm_fault_copy marks it.
 */
void
vmc_page_put(struct vmc_page_ref *ref, bool dirtied)
{
	vm_page_t	page = (vm_page_t) ref->page;

	if (dirtied)
		page->dirty = TRUE;
	vm_fault_copy_cleanup(page, ref->host.top);
}

/*
 *	vmc_may_block: the core may block next (a lookup's lock, a fault's
 *	wait for its pager); no simple lock may be held (MACH_LDEBUG checks
 *	it, as elsewhere before a thread blocks).
 */
void
vmc_may_block(enum vmc_block_point where)
{
	(void) where;
	check_simple_locks();
}

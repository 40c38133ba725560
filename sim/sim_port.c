/*
 * sim_port.c: the porting header (core/vmc_port.h) implemented on the
 * simulator.
 *
 * Each primitive is a thin layer over the sim modules, plus the bookkeeping
 * that lets tests catch the core misbehaving (the allocation primitives,
 * which every module uses too, are sim_base.c's):
 *   - references the core takes (vmc_map_lookup, vmc_object_reference) are
 *     counted per object, so sim_vm_check can tell them from the
 *     simulator's own and a release without a reference panics;
 *   - between vmc_map_verify and vmc_map_verify_done the map is "read
 *     locked": a change to it then panics, which is how a core that yields
 *     while holding a verified map is caught.
 * The contracts are those of vmc_port.h; only the differences are noted.
 */
#include <string.h>

#include "sim_internal.h"

void vmc_object_reference(struct vmc_object *object)
{
	sim_object_ref(object);
	object->port_refs++;
}

void vmc_object_release(struct vmc_object *object)
{
	if (object->port_refs == 0)
		vmc_panic("vmc_object_release: the core holds no reference");
	object->port_refs--;
	sim_object_unref(object);
}

vmc_kr_t vmc_map_lookup(struct vmc_map *map, vmc_addr_t addr, vmc_prot_t access,
			struct vmc_lookup *out)
{
	struct vmc_lookup l;
	vmc_kr_t kr = sim_map_lookup_object(map, addr, access, &l);

	if (kr != KERN_SUCCESS)
		return kr;
	l.object->port_refs++;
	*out = l;
	return KERN_SUCCESS;
}

bool vmc_map_verify(struct vmc_map *map, const vmc_map_version_t *version)
{
	if (map->timestamp != version->stamp)
		return false;
	map->verified++;
	return true;
}

void vmc_map_verify_done(struct vmc_map *map, const vmc_map_version_t *version)
{
	(void)version;
	if (map->verified == 0)
		vmc_panic("vmc_map_verify_done: map not verified");
	map->verified--;
}

/*
 * The fault.  The reference remembers the object faulted on and its copy
 * generation, for vmc_page_still_current.
 */
vmc_fault_t vmc_object_page_get(struct vmc_object *object, vmc_off_t offset,
				vmc_prot_t access, struct vmc_page_ref *ref)
{
	struct vmc_page *page;

	if (!vmc_page_aligned(offset))
		vmc_panic("vmc_object_page_get: offset not page aligned");
	vmc_fault_t f = sim_object_fault(object, offset, access, &page);
	if (f != VMC_FAULT_OK)
		return f;
	ref->page = page;
	ref->host.object = object;
	ref->host.stamp = object->copy_gen;
	return VMC_FAULT_OK;
}

/* The bytes of a held page at off: its frame.  A page not pinned must be a
 * peek's, with a peek open. */
static unsigned char *held_bytes(const struct vmc_page_ref *ref, vmc_size_t off, vmc_size_t n,
				 const char *side)
{
	if (ref->page->busy == 0 && ref->host.object->vm->peeks == 0)
		vmc_panic(side);
	if (off > VMC_PAGE_SIZE || n > VMC_PAGE_SIZE - off)
		vmc_panic("vmc_page_copy: bytes past the page");
	return ref->page->data + off;
}

/* The C library's memcpy, the host's fastest; memmove within one page. */
void vmc_page_copy(const struct vmc_page_ref *dst, vmc_size_t doff,
		   const struct vmc_page_ref *src, vmc_size_t soff, vmc_size_t n)
{
	unsigned char *d = held_bytes(dst, doff, n, "vmc_page_copy: destination page not held");
	const unsigned char *s = held_bytes(src, soff, n, "vmc_page_copy: source page not held");

	if (dst->page == src->page)
		memmove(d, s, n);
	else
		memcpy(d, s, n);
}

bool vmc_page_still_current(const struct vmc_page_ref *ref)
{
	return ref->host.object->copy_gen == ref->host.stamp;
}

void vmc_page_put(struct vmc_page_ref *ref, bool dirtied)
{
	sim_page_put(ref->page, dirtied);
}

/*
 * The resident shortcut's lookup: the entry must hold an object already and
 * allow the access with nothing to change (no copy-on-write to resolve for
 * a write).  The map's read lock is its verify count, as for
 * vmc_map_verify.  Declines every time when the world's shortcut is off.
 */
bool vmc_map_lookup_locked(struct vmc_map *map, vmc_addr_t addr, vmc_prot_t access,
			   struct vmc_lookup *out)
{
	struct sim_entry *e;

	if (!map->vm->resident_shortcut)
		return false;
	e = sim_map_lookup_entry(map, addr);
	if (e == NULL || (access & e->prot) != access || e->object == NULL ||
	    (e->needs_copy && (access & VMC_PROT_WRITE)))
		return false;
	out->object = e->object;
	out->offset = sim_entry_offset(e, addr);
	out->entry_start = e->start;
	out->entry_last = e->end - 1;
	out->prot = e->needs_copy ? e->prot & ~VMC_PROT_WRITE : e->prot;
	out->version.stamp = map->timestamp;
	map->verified++;
	return true;
}

/*
 * The resident shortcut's peek: the page must be in object's own table and
 * unpinned, the object alive, and for a write without delayed copies (the
 * fault would push to them).  The simulator has no locks; the world counts
 * the peeks in progress, and the core must end each before it yields (a
 * yield with a peek open panics, as sleeping with a simple lock held
 * would).  Declines every time when the world's shortcut is off.
 *
 * A copy peeks at two pages for every page it moves, nearly always at the
 * page after the last one of the same object, which the page index's hint
 * answers; that case makes no call and needs no stack frame.  Any other
 * page goes through peek_walk, out of line.
 */

/* The end of a peek at page, what object shows at the page looked up
 * (NULL: not resident in object itself). */
static inline bool peek_open(struct vmc_object *object, struct vmc_page *page,
			     vmc_prot_t access, struct vmc_page_ref *ref)
{
	if (page == NULL || page->busy != 0)
		return false;
	if ((access & VMC_PROT_WRITE) && object->copies->len != 0)
		return false;
	object->vm->peeks++;
	ref->page = page;
	ref->host.object = object;
	ref->host.stamp = 0;
	return true;
}

/* A peek at a page off the index's hint: the walk from its root. */
static __attribute__((__noinline__)) bool
peek_walk(struct vmc_object *object, vmc_off_t offset, vmc_prot_t access,
	  struct vmc_page_ref *ref)
{
	return peek_open(object, sim_object_page_find(object, offset), access, ref);
}

bool vmc_object_page_peek(struct vmc_object *object, vmc_off_t offset, vmc_prot_t access,
			  enum vmc_peek_lock lock, struct vmc_page_ref *ref)
{
	if (lock == VMC_PEEK_HELD && object->vm->peeks == 0)
		vmc_panic("vmc_object_page_peek: VMC_PEEK_HELD with no peek open");
	if (!vmc_page_aligned(offset))
		vmc_panic("vmc_object_page_peek: offset not page aligned");
	if (!object->vm->resident_shortcut || !object->alive)
		return false;
	if (!sim_pindex_hinted(&object->pages, (uint64_t)offset >> VMC_PAGE_SHIFT))
		return peek_walk(object, offset, access, ref);
	return peek_open(object, sim_object_page_find(object, offset), access, ref);
}

void vmc_object_page_unpeek(struct vmc_page_ref *ref, bool dirtied)
{
	struct vmc_object *object = ref->host.object;
	struct vmc_page *page = ref->page;

	if (object->vm->peeks == 0)
		vmc_panic("vmc_object_page_unpeek: no peek open");
	object->vm->peeks--;
	if (dirtied)
		page->dirty = true;
	page->referenced = true;
}

void vmc_may_block(enum vmc_block_point where)
{
	sim_yield_at(sim_vm_current(), where);
}

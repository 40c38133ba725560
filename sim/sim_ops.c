/*
 * sim_ops.c: the RPCs a task can make (vm_allocate, vm_deallocate,
 * vm_protect, vm_map, vm_read, vm_write, vm_copy), the kernel's own access
 * to task memory, and the task's loads and stores.
 *
 * Each RPC follows GNU Mach's vm/vm_user.c and the vm_map.c routines it
 * calls, check for check, so that a scenario gives the same codes on the
 * simulator and on the real kernel.  The order is that of a real call:
 * mach_msg first (the destination must be a live send right:
 * MACH_SEND_INVALID_DEST; port arguments must be valid names:
 * MACH_SEND_INVALID_RIGHT; out-of-line data must be readable:
 * MACH_SEND_INVALID_MEMORY), then the server's conversion of the task port
 * (another kind of port gives KERN_INVALID_ARGUMENT), then the routine's
 * own checks.  Every check comes before any change: a failing call changes
 * nothing (the map timestamp aside).  Output parameters are written only on
 * success.
 *
 * Where GNU Mach is lenient, we are too, and say so: vm_deallocate and
 * vm_protect clamp the range to the address space and accept a range whose
 * end wraps as empty (VM_MAP_RANGE_CHECK), returning KERN_SUCCESS; vm_protect
 * skips holes.  Where GNU Mach computes with wrapping arithmetic and acts on
 * the wrong memory, we refuse: vm_map with an offset whose end wraps or that
 * is not page aligned returns KERN_INVALID_ARGUMENT (GNU Mach passes both to
 * the pager unchecked).
 *
 * Copies are virtual, as in GNU Mach: the source of vm_read, vm_write and
 * vm_copy becomes a list of pieces (vm_map_copyin's entry list), anonymous
 * memory shared copy-on-write with needs_copy on both sides (symmetric),
 * memory objects through a delayed copy object (see sim_object.c).
 * vm_read maps the pieces into the caller; vm_write and vm_copy overwrite
 * the destination with them (vm_map_copy_overwrite): an entry of unshared
 * anonymous memory simply takes the pieces' objects, anything else gets
 * the bytes page by page through write faults, so a pager error in the
 * source surfaces there (and, for a replaced entry, only when the
 * destination is read later, as in GNU Mach).
 */
#include <string.h>

#include "sim_internal.h"

/* Fault states as status codes, as GNU Mach's vm_fault_copy reports them. */
vmc_kr_t sim_fault_kr(vmc_fault_t f)
{
	switch (f) {
	case VMC_FAULT_OK:
		return KERN_SUCCESS;
	case VMC_FAULT_ERROR:
		return KERN_MEMORY_ERROR;
	case VMC_FAULT_INTERRUPTED:
		return MACH_SEND_INTERRUPTED;
	case VMC_FAULT_RETRY:
	default:
		vmc_panic("sim_fault_kr: no status code for this fault state");
	}
}

/* Makes the page behind addr resident and pinned for access.  On success
 * the lookup (*l) keeps its object reference, for the caller to drop with
 * sim_object_unref(l->object); on failure nothing is held. */
static vmc_kr_t fault_page(struct vmc_map *map, vmc_addr_t addr, vmc_prot_t access,
			   struct vmc_lookup *l, struct vmc_page **page)
{
	for (;;) {
		vmc_kr_t kr = sim_map_lookup_object(map, addr, access, l);
		if (kr != KERN_SUCCESS)
			return kr;
		vmc_fault_t f = sim_object_fault(l->object, vmc_trunc_page(l->offset), access, page);
		if (f == VMC_FAULT_OK)
			return KERN_SUCCESS;
		sim_object_unref(l->object);
		if (f != VMC_FAULT_RETRY)
			return sim_fault_kr(f);
	}
}

/* Kernel copy between a task's memory and a kernel buffer, one page at a
 * time.  Stops at the first failing page with its code. */
static vmc_kr_t kernel_access(struct vmc_map *map, vmc_addr_t addr, unsigned char *buf,
			      size_t len, bool write)
{
	size_t done = 0;

	while (done < len) {
		vmc_addr_t va;
		struct vmc_lookup l;
		struct vmc_page *page;

		if (!vmc_add(addr, done, &va))
			return KERN_INVALID_ADDRESS;
		size_t chunk = vmc_min(vmc_page_left(va), len - done);
		vmc_kr_t kr = fault_page(map, va, write ? VMC_PROT_WRITE : VMC_PROT_READ, &l, &page);
		if (kr != KERN_SUCCESS)
			return kr;
		unsigned char *p = page->data + (va & VMC_PAGE_MASK);
		if (write)
			memcpy(p, buf + done, chunk);
		else
			memcpy(buf + done, p, chunk);
		sim_page_put(page, write);
		sim_object_unref(l.object);
		done += chunk;
	}
	return KERN_SUCCESS;
}

vmc_kr_t sim_kernel_read(struct vmc_map *map, vmc_addr_t addr, void *buf, size_t len)
{
	return kernel_access(map, addr, buf, len, false);
}

vmc_kr_t sim_kernel_write(struct vmc_map *map, vmc_addr_t addr, const void *buf, size_t len)
{
	return kernel_access(map, addr, (unsigned char *)buf, len, true);
}

/* [trunc_page(addr), round_page(addr + size)) into *start, *end; false if
 * the end wraps. */
static bool page_range(vmc_addr_t addr, vmc_size_t size, vmc_addr_t *start, vmc_addr_t *end)
{
	vmc_addr_t e;

	if (!vmc_add(addr, size, &e) || !vmc_add(e, VMC_PAGE_MASK, &e))
		return false;
	*start = vmc_trunc_page(addr);
	*end = vmc_trunc_page(e);
	return true;
}

/* Rounds size up to pages; false if that wraps. */
static bool round_size(vmc_size_t size, vmc_size_t *out)
{
	vmc_size_t r;

	if (!vmc_add(size, VMC_PAGE_MASK, &r))
		return false;
	*out = vmc_trunc_page(r);
	return true;
}

/* The target of an RPC: counts the RPC, resolves the name. */
static vmc_kr_t rpc_target(struct sim_task *caller, sim_name_t target, struct sim_task **t)
{
	if (caller != NULL)
		sim_count(caller->vm, SIM_EV_RPC, 1);
	return sim_task_from_name(caller, target, t);
}

/*
 * vm_allocate: zero-fill memory, read/write, maximum all.  [vm/vm_user.c]
 * size 0 succeeds with *addr = 0 (GNU Mach writes it); a fixed address is
 * truncated to its page; a size whose rounding wraps is KERN_INVALID_ARGUMENT
 * (GNU Mach: round_page gives 0, vm_map_enter refuses it).
 */
vmc_kr_t sim_vm_allocate(struct sim_task *caller, sim_name_t target, vmc_addr_t *addr,
			 vmc_size_t size, bool anywhere)
{
	struct sim_task *t;
	vmc_kr_t kr = rpc_target(caller, target, &t);

	if (kr != KERN_SUCCESS)
		return kr;
	if (size == 0) {
		*addr = 0;
		return KERN_SUCCESS;
	}
	vmc_addr_t start = anywhere ? SIM_MAP_MIN : vmc_trunc_page(*addr);
	/* Does the size round without wrapping? */
	if (!round_size(size, &size))
		return KERN_INVALID_ARGUMENT;
	kr = sim_map_enter(t->map, &start, size, 0, anywhere, NULL, 0, false,
			   VMC_PROT_READ | VMC_PROT_WRITE, VMC_PROT_ALL);
	if (kr == KERN_SUCCESS)
		*addr = start;
	return kr;
}

/* vm_deallocate.  [vm/vm_user.c, vm_map_remove]  size 0, holes, and parts
 * outside the space are fine; a wrapping end makes the range empty. */
vmc_kr_t sim_vm_deallocate(struct sim_task *caller, sim_name_t target, vmc_addr_t addr,
			   vmc_size_t size)
{
	struct sim_task *t;
	vmc_addr_t start, end;
	vmc_kr_t kr = rpc_target(caller, target, &t);

	if (kr != KERN_SUCCESS)
		return kr;
	if (size == 0 || !page_range(addr, size, &start, &end))
		return KERN_SUCCESS;
	sim_map_remove(t->map, start, end);
	return KERN_SUCCESS;
}

/* vm_protect.  [vm/vm_user.c, vm_map_protect]  Bits outside
 * VM_PROT_ALL: KERN_INVALID_ARGUMENT.  The range is
 * [trunc_page(addr), round_page(addr + size)): with size 0 and an
 * unaligned addr, that is one page, as in GNU Mach. */
vmc_kr_t sim_vm_protect(struct sim_task *caller, sim_name_t target, vmc_addr_t addr,
			vmc_size_t size, bool set_maximum, vmc_prot_t prot)
{
	struct sim_task *t;
	vmc_addr_t start, end;
	vmc_kr_t kr = rpc_target(caller, target, &t);

	if (kr != KERN_SUCCESS)
		return kr;
	if (!vmc_prot_valid(prot))
		return KERN_INVALID_ARGUMENT;
	if (!page_range(addr, size, &start, &end))
		return KERN_SUCCESS;
	return sim_map_protect(t->map, start, end, prot, set_maximum);
}

/*
 * vm_map.  [vm/vm_user.c:vm_map, vm_map_enter]
 * memobj: a memory object name, or null/dead for anonymous memory.  copy:
 * the mapping gets a private delayed copy (later changes to the object do
 * not show through it; its writes do not reach the object).
 * Proxies go to vm->proxy_map, installed by the proxy module (see
 * sim_proxy_map_fn); without one a proxy port gives KERN_INVALID_ARGUMENT,
 * like any port that is not a memory object.
 */
vmc_kr_t sim_vm_map(struct sim_task *caller, sim_name_t target, vmc_addr_t *addr,
		    vmc_size_t size, vmc_addr_t mask, bool anywhere, sim_name_t memobj,
		    vmc_off_t offset, bool copy, vmc_prot_t cur, vmc_prot_t max)
{
	struct sim_task *t;
	struct sim_port *port;
	vmc_off_t last;
	vmc_kr_t kr = rpc_target(caller, target, &t);

	if (kr != KERN_SUCCESS)
		return kr;
	if (memobj != SIM_NAME_NULL)
		sim_count(caller->vm, SIM_EV_PORT_RIGHT, 1);
	/* Is the memory-object argument a right the caller holds? */
	if ((kr = sim_memobj_from_name(caller, memobj, &port)) != KERN_SUCCESS)
		return kr;
	/* Are the protections protections? */
	if (!vmc_prot_valid(cur) || !vmc_prot_valid(max))
		return KERN_INVALID_ARGUMENT;
	/* Is there anything to map, and does its size round? */
	if (size == 0 || !round_size(size, &size))
		return KERN_INVALID_ARGUMENT;
	vmc_addr_t start = vmc_trunc_page(*addr);

	struct vmc_object *object = NULL;
	if (port != NULL && port->kind == SIM_PORT_PROXY) {
		if (t->vm->proxy_map == NULL)
			return KERN_INVALID_ARGUMENT;
		vmc_addr_t at = start;
		kr = t->vm->proxy_map(caller, t->map, &at, size, mask, anywhere, port, offset,
				      copy, cur, max);
		if (kr == KERN_SUCCESS)
			*addr = at;
		return kr;
	}
	if (port != NULL) {
		if (port->kind != SIM_PORT_MEMORY_OBJECT || port->kobject == NULL)
			return KERN_INVALID_ARGUMENT;
		/* Is the window inside the offset space, on a page boundary?
		 * (Stricter than GNU Mach, see the header comment.)  The
		 * space is checked by sim_map_enter, after the copy is made,
		 * as in GNU Mach; a failure drops the copy again. */
		if (!vmc_page_aligned(offset) || !vmc_add(offset, size - 1, &last))
			return KERN_INVALID_ARGUMENT;
		object = port->kobject;
	} else {
		offset = 0;
		copy = false;
	}

	if (object != NULL) {
		if (copy) {
			if (!sim_alloc_try())
				return KERN_RESOURCE_SHORTAGE;
			object = sim_object_copy_delayed(object, offset, size);
			offset = 0;
		} else {
			sim_object_ref(object);
		}
	}
	kr = sim_map_enter(t->map, &start, size, mask, anywhere, object, offset, false, cur, max);
	if (kr != KERN_SUCCESS) {
		if (object != NULL)
			sim_object_unref(object);
		return kr;
	}
	*addr = start;
	return KERN_SUCCESS;
}

/*
 * The checks of vm_map_copyin for [addr, addr + size) of map.
 * [vm/vm_map.c:vm_map_copyin]  A wrapping range, or one whose rounded end is
 * 0, is KERN_INVALID_ADDRESS; so is a hole; an entry without read access is
 * KERN_PROTECTION_FAILURE (whichever comes first in address order).
 */
static vmc_kr_t copyin_check(struct vmc_map *map, vmc_addr_t addr, vmc_size_t size,
			     vmc_addr_t *start, vmc_addr_t *end)
{
	vmc_kr_t why;

	if (!page_range(addr, size, start, end))
		return KERN_INVALID_ADDRESS;
	if (!sim_map_range_mapped(map, *start, *end, VMC_PROT_READ, &why))
		return why;
	return KERN_SUCCESS;
}

/* The checks of vm_map_copy_overwrite for a page-aligned destination.
 * [vm/vm_map.c:vm_map_copy_overwrite] */
static vmc_kr_t overwrite_check(struct vmc_map *map, vmc_addr_t dst, vmc_size_t size)
{
	vmc_addr_t end;
	vmc_kr_t why;

	if (!vmc_add(dst, size, &end))
		return KERN_INVALID_ADDRESS;
	if (!sim_map_range_mapped(map, dst, end, VMC_PROT_WRITE, &why))
		return why;
	return KERN_SUCCESS;
}

/*
 * A copy in flight (GNU Mach's entry-list vm_map_copy_t): the pieces of a
 * virtual copy of a source range, in address order, each holding one
 * object reference.  vm_read maps the pieces; vm_write and vm_copy
 * overwrite a destination with them.
 */
struct piece {
	vmc_size_t size;
	struct vmc_object *object;   /* NULL: the source was never touched (zeros) */
	vmc_off_t offset;
	bool needs_copy;             /* shared symmetric copy-on-write */
};

/* A virtual copy of entry e (already clipped to the range): anonymous
 * memory (or memory already copy-on-write) is shared with needs_copy on
 * both sides and the source loses write access in its page table; a memory
 * object, or anonymous memory a proxy holds (shared_copy), gets a delayed
 * copy.  [vm_map_copyin: vm_object_copy_quickly,
 * vm_object_copy_strategically] */
static struct piece entry_virtual_copy(struct sim_entry *e)
{
	struct piece p = { e->end - e->start, e->object, e->offset, false };

	if (p.object != NULL && ((p.object->internal && !p.object->shared_copy) ||
				 e->needs_copy)) {
		sim_object_ref(p.object);
		p.needs_copy = true;
		p.object->shadowed = true;
		e->needs_copy = true;
		if (e->map->task != NULL && e->map->task->pmap != NULL)
			sim_pmap_protect_range(e->map->task->pmap, e->start, e->end,
					       VMC_PROT_ALL & ~VMC_PROT_WRITE);
	} else if (p.object != NULL) {
		p.object = sim_object_copy_delayed(p.object, p.offset, p.size);
		p.offset = 0;
	}
	return p;
}

/* The pieces of [start, end) of map (page aligned, checked mapped). */
static GArray *copyin_pieces(struct vmc_map *map, vmc_addr_t start, vmc_addr_t end)
{
	GArray *pieces = g_array_new(FALSE, FALSE, sizeof(struct piece));
	struct sim_entry *e = sim_map_lookup_entry(map, start);

	while (e != NULL && e->start < end) {
		e = sim_map_clip(map, e, start, end);
		struct piece p = entry_virtual_copy(e);
		g_array_append_val(pieces, p);
		e = e->next;
	}
	return pieces;
}

static void pieces_free(GArray *pieces)
{
	for (guint i = 0; i < pieces->len; i++) {
		struct piece *p = &g_array_index(pieces, struct piece, i);
		if (p->object != NULL)
			sim_object_unref(p->object);
	}
	g_array_free(pieces, TRUE);
}

/* Maps the pieces at dst of map, read/write (maximum all), as
 * vm_map_copyout does.  The space was checked free: cannot fail. */
static void pieces_map(struct vmc_map *map, vmc_addr_t dst, GArray *pieces)
{
	for (guint i = 0; i < pieces->len; i++) {
		struct piece *p = &g_array_index(pieces, struct piece, i);
		vmc_addr_t at = dst;
		if (p->object != NULL)
			sim_object_ref(p->object);
		if (sim_map_enter(map, &at, p->size, 0, false, p->object, p->offset,
				  p->needs_copy, VMC_PROT_READ | VMC_PROT_WRITE,
				  VMC_PROT_ALL) != KERN_SUCCESS)
			vmc_panic("pieces_map: checked space is not free");
		dst += p->size;
	}
}

/* Can the destination entry simply take the source's pages?  GNU Mach
 * replaces "temporary unshared memory" (vm/vm_map.c:vm_map_copy_overwrite:
 * !entry->is_shared && (no object || object->temporary)): an entry without
 * object, or with anonymous memory, that is not shared.  An entry is
 * shared once a proxy holds its memory (vm_region_create_proxy marks it,
 * as vm_map_fork marks memory inherited shared), so the proxy sees what is
 * written into it.  Inheritance across task_create, which also marks it
 * in the kernel, is not modelled.  A mapping of a proxy is not marked: a
 * vm_write into a shared mapping of anonymous memory replaces the
 * mapping's pages and leaves the memory it shared alone, as the kernel
 * does (traces/scenarios/proxy.scn, region-proxy-shared).  Anything else
 * is overwritten in place, byte by byte, so that others sharing it see the
 * new bytes. */
static bool entry_replaceable(const struct sim_entry *e)
{
	const struct vmc_object *o = e->object;

	return !e->shared && (o == NULL || o->internal);
}

/* Copies one page of piece p (at piece offset poff) into map at va through
 * a write fault. */
static vmc_kr_t piece_page_copy(const struct piece *p, vmc_off_t poff, struct vmc_map *map,
				vmc_addr_t va)
{
	struct vmc_page *src = NULL;
	vmc_off_t off;

	if (p->object != NULL) {
		if (!vmc_add(p->offset, poff, &off))
			return KERN_INVALID_ADDRESS;
		vmc_fault_t f;
		/* After a wait the page is resident: the retry finds it. */
		while ((f = sim_object_fault(p->object, off, VMC_PROT_READ, &src)) ==
		       VMC_FAULT_RETRY)
			;
		if (f != VMC_FAULT_OK)
			return sim_fault_kr(f);
	}
	struct vmc_lookup l;
	struct vmc_page *dst;
	vmc_kr_t kr = fault_page(map, va, VMC_PROT_WRITE, &l, &dst);
	if (kr == KERN_SUCCESS) {
		if (src != NULL)
			memcpy(dst->data, src->data, VMC_PAGE_SIZE);
		else
			memset(dst->data, 0, VMC_PAGE_SIZE);
		sim_page_put(dst, true);
		sim_object_unref(l.object);
		sim_count(map->vm, SIM_EV_BYTES_COPIED, VMC_PAGE_SIZE);
	}
	if (src != NULL)
		sim_page_put(src, false);
	return kr;
}

/*
 * Overwrites [dst, dst + size of the pieces) of map (checked mapped and
 * writable) with the pieces.  [vm_map_copy_overwrite]  Replaceable entries
 * take the pieces' objects (clipped to the range; page tables of the old
 * pages removed); others get the bytes.  Stops at the first failing page
 * (a pager error, or the map changed while a pager made us wait).
 */
static vmc_kr_t pieces_overwrite(struct vmc_map *map, vmc_addr_t dst, GArray *pieces)
{
	vmc_addr_t at = dst;

	for (guint i = 0; i < pieces->len; i++) {
		struct piece *p = &g_array_index(pieces, struct piece, i);
		vmc_size_t poff = 0;
		while (poff < p->size) {
			struct sim_entry *e = sim_map_lookup_entry(map, at);
			if (e == NULL)
				return KERN_INVALID_ADDRESS;
			if (!(e->prot & VMC_PROT_WRITE))
				return KERN_PROTECTION_FAILURE;
			vmc_size_t span = vmc_min(e->end - at, p->size - poff);
			if (entry_replaceable(e)) {
				e = sim_map_clip(map, e, at, at + span);
				sim_map_entry_replace(map, e, p->object, p->offset + poff,
						      p->needs_copy);
			} else {
				for (vmc_size_t k = 0; k < span; k += VMC_PAGE_SIZE) {
					vmc_kr_t kr = piece_page_copy(p, poff + k, map, at + k);
					if (kr != KERN_SUCCESS)
						return kr;
				}
			}
			at += span;
			poff += span;
		}
	}
	return KERN_SUCCESS;
}

/*
 * vm_read: a virtual copy of [addr, addr + size) of the target, mapped into
 * the caller's map anywhere (the out-of-line reply), read/write, at the
 * same page offset; *data is its address.  size 0: *data = 0 (a null copy
 * arrives as address 0).  [vm/vm_user.c:vm_read, vm_map_copyin,
 * vm_map_copyout]  No room in the caller: KERN_NO_SPACE.
 */
vmc_kr_t sim_vm_read(struct sim_task *caller, sim_name_t target, vmc_addr_t addr,
		     vmc_size_t size, vmc_addr_t *data)
{
	struct sim_task *t;
	vmc_addr_t start, end, dst;
	vmc_kr_t kr = rpc_target(caller, target, &t);

	if (kr != KERN_SUCCESS)
		return kr;
	if (size == 0) {
		*data = 0;
		return KERN_SUCCESS;
	}
	if ((kr = copyin_check(t->map, addr, size, &start, &end)) != KERN_SUCCESS)
		return kr;
	/* Is there room for the copy in the caller? */
	if (!sim_map_find_space(caller->map, end - start, 0, &dst))
		return KERN_NO_SPACE;

	GArray *pieces = copyin_pieces(t->map, start, end);
	pieces_map(caller->map, dst, pieces);
	pieces_free(pieces);
	/* A virtual copy: no bytes move now (copy-on-write faults count
	 * later, as COW_COPY). */
	*data = dst + (addr - start);
	return KERN_SUCCESS;
}

/*
 * vm_write: the caller's [data, data + size) overwrites the target's
 * [addr, addr + size).  [vm/vm_user.c:vm_write, vm_map_copy_overwrite]
 * The data travels out of line: unreadable or wrapping data fails the send
 * (MACH_SEND_INVALID_MEMORY).  size 0 is a null copy: KERN_SUCCESS.  data,
 * size and addr must be page aligned (KERN_INVALID_ARGUMENT); the
 * destination must be mapped (KERN_INVALID_ADDRESS) and writable
 * (KERN_PROTECTION_FAILURE) throughout before anything is written.
 */
vmc_kr_t sim_vm_write(struct sim_task *caller, sim_name_t target, vmc_addr_t addr,
		      vmc_addr_t data, vmc_size_t size)
{
	struct sim_task *t;
	vmc_addr_t s, e;
	vmc_kr_t kr = rpc_target(caller, target, &t);

	if (kr != KERN_SUCCESS)
		return kr;
	if (size == 0)
		return KERN_SUCCESS;
	/* Can the message carry the data? */
	if (copyin_check(caller->map, data, size, &s, &e) != KERN_SUCCESS)
		return MACH_SEND_INVALID_MEMORY;
	/* Is everything page aligned? */
	if (!vmc_page_aligned(data) || !vmc_page_aligned(size) || !vmc_page_aligned(addr))
		return KERN_INVALID_ARGUMENT;
	if ((kr = overwrite_check(t->map, addr, size)) != KERN_SUCCESS)
		return kr;
	GArray *pieces = copyin_pieces(caller->map, data, data + size);
	kr = pieces_overwrite(t->map, addr, pieces);
	pieces_free(pieces);
	return kr;
}

/*
 * vm_copy: within the target, [src, src + size) overwrites [dst, dst + size)
 * as if read first.  [vm/vm_user.c:vm_copy]  The source is checked as by
 * vm_read, then alignment of src, size and dst (KERN_INVALID_ARGUMENT),
 * then the destination as by vm_write.  size 0: KERN_SUCCESS.
 */
vmc_kr_t sim_vm_copy(struct sim_task *caller, sim_name_t target, vmc_addr_t src,
		     vmc_size_t size, vmc_addr_t dst)
{
	struct sim_task *t;
	vmc_addr_t s, e;
	vmc_kr_t kr = rpc_target(caller, target, &t);

	if (kr != KERN_SUCCESS)
		return kr;
	if (size == 0)
		return KERN_SUCCESS;
	if ((kr = copyin_check(t->map, src, size, &s, &e)) != KERN_SUCCESS)
		return kr;
	if (!vmc_page_aligned(src) || !vmc_page_aligned(size) || !vmc_page_aligned(dst))
		return KERN_INVALID_ARGUMENT;
	if ((kr = overwrite_check(t->map, dst, size)) != KERN_SUCCESS)
		return kr;
	GArray *pieces = copyin_pieces(t->map, src, src + size);
	kr = pieces_overwrite(t->map, dst, pieces);
	pieces_free(pieces);
	return kr;
}

/* A user fault: makes vpage of task accessible for `need` and enters it in
 * the page table.  Read faults get write only on the object's own page
 * when no delayed copy could need a push first. */
static vmc_kr_t user_fault(struct sim_task *task, vmc_addr_t va, vmc_prot_t need)
{
	struct vmc_lookup l;
	struct vmc_page *page;
	vmc_kr_t kr = fault_page(task->map, va, need, &l, &page);

	if (kr != KERN_SUCCESS)
		return kr;
	vmc_prot_t prot = l.prot;
	if (page->object != l.object ||
	    (!(need & VMC_PROT_WRITE) && l.object->copies->len != 0))
		prot &= ~VMC_PROT_WRITE;
	sim_pmap_enter(task->pmap, vmc_trunc_page(va), page, prot);
	sim_page_put(page, false);
	sim_object_unref(l.object);
	return KERN_SUCCESS;
}

/* A task's own access: through the page table, faulting when the entry is
 * missing or too weak. */
static vmc_kr_t task_access(struct sim_task *task, vmc_addr_t addr, unsigned char *buf,
			    size_t len, bool write, size_t *done_out)
{
	vmc_prot_t need = write ? VMC_PROT_WRITE : VMC_PROT_READ;
	size_t done = 0;
	vmc_kr_t kr = KERN_SUCCESS;

	if (!sim_task_alive(task))
		kr = KERN_INVALID_TASK;
	while (kr == KERN_SUCCESS && done < len) {
		vmc_addr_t va;
		if (!vmc_add(addr, done, &va)) {
			kr = KERN_INVALID_ADDRESS;
			break;
		}
		vmc_addr_t vpage = vmc_trunc_page(va);
		struct sim_pte *pte = sim_pmap_find(task->pmap, vpage);
		if (pte == NULL || (pte->prot & need) != need) {
			if ((kr = user_fault(task, va, need)) != KERN_SUCCESS)
				break;
			pte = sim_pmap_find(task->pmap, vpage);
		}
		size_t chunk = vmc_min(vmc_page_left(va), len - done);
		unsigned char *p = pte->page->data + (va & VMC_PAGE_MASK);
		if (write) {
			memcpy(p, buf + done, chunk);
			pte->page->dirty = true;
		} else {
			memcpy(buf + done, p, chunk);
		}
		pte->page->referenced = true;
		done += chunk;
	}
	if (done_out != NULL)
		*done_out = done;
	return kr;
}

vmc_kr_t sim_task_load(struct sim_task *task, vmc_addr_t addr, void *buf, size_t len,
		       size_t *done)
{
	return task_access(task, addr, buf, len, false, done);
}

vmc_kr_t sim_task_store(struct sim_task *task, vmc_addr_t addr, const void *buf,
			size_t len, size_t *done)
{
	return task_access(task, addr, (unsigned char *)buf, len, true, done);
}

/*
 * sim_object.c: VM objects, resident pages, pagers, copy-on-write, eviction.
 *
 * An object is a sparse array of pages.  A page of an object is found, in
 * this order: resident (object->pages, a radix tree by page number:
 * sim_pindex.h); in the object's store (pages that were dirty when evicted:
 * the "disk" of the default pager for anonymous memory, the pager's backing
 * file for a memory object); from the pager (memory objects only); in the
 * shadow object, at offset + shadow_offset; and at the end of the chain,
 * zero fill.  That is GNU Mach's vm_fault_page walk (vm/vm_fault.c) without
 * its locking and sleeping.
 *
 * Copy-on-write comes in GNU Mach's two strategies:
 *   - symmetric (anonymous memory): two map entries share the object with
 *     needs_copy; the first write through either gives that entry a new
 *     shadow object (sim_object_shadow, from vmc_map_lookup), and the write
 *     fault copies the page up into it ("copy up", counted COW_COPY);
 *   - delayed (memory objects, whose contents others may change): the copy
 *     is a new object shadowing the original and registered in its
 *     `copies`; before the original's page is first written, its current
 *     contents are pushed into every copy that does not have that page yet
 *     (vm_fault_page's copy-object push), and the original's mappings are
 *     write-protected when the copy is made, so that no write escapes the
 *     push.  A copy made while a page is pinned is seen by
 *     vmc_page_still_current through copy_gen.
 * When a page is copied up or pushed, every page-table mapping of the old
 * page is removed (pmap_page_protect(VM_PROT_NONE) in GNU Mach), so no task
 * keeps reading a page that no longer shows its view.
 *
 * Pager knobs (enum sim_pager_answer): data, error (VMC_FAULT_ERROR),
 * unavailable (zero fill, as GNU Mach does for memory_object_data_unavailable),
 * never (the wait is interrupted: VMC_FAULT_INTERRUPTED).  A pager with
 * latency L makes a fault wait: the yield hook is called L times
 * (VMC_BLOCK_FAULT_SRC for reads, _DST for writes), then the data is made
 * resident and, by default, the fault returns VMC_FAULT_RETRY once, as GNU
 * Mach's vm_fault_page does after sleeping; sim_vm_set_retry_after_wait(vm,
 * false) makes it continue instead.  Either way is deterministic.
 *
 * Pinned (busy) pages are never evicted.  What is not modelled: shadow
 * chain collapse, object caching, clustered page-in, precious pages.
 */
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

/* Page numbers (up to 52 bits) are the store's and the pager answers' hash
 * keys, stored in pointers, and the page index's keys. */
_Static_assert(sizeof(gpointer) == 8, "page keys need 64-bit pointers");

static gpointer pkey(vmc_off_t offset)
{
	return (gpointer)(uintptr_t)(offset >> VMC_PAGE_SHIFT);
}

static uint64_t pnum(vmc_off_t offset)
{
	return (uint64_t)offset >> VMC_PAGE_SHIFT;
}

static struct vmc_object *object_new(struct sim_vm *vm, bool internal)
{
	struct vmc_object *o = g_new0(struct vmc_object, 1);

	o->vm = vm;
	o->id = ++vm->next_id;
	o->refs = 1;
	o->alive = true;
	o->internal = internal;
	sim_pindex_init(&o->pages);
	o->store = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	o->answers = g_hash_table_new(g_direct_hash, g_direct_equal);
	o->copies = g_ptr_array_new();
	g_hash_table_add(vm->objects, o);
	return o;
}

/* An anonymous object of size bytes, one reference (the caller's). */
struct vmc_object *sim_object_create_internal(struct sim_vm *vm, vmc_size_t size)
{
	struct vmc_object *o = object_new(vm, true);

	o->size = size;
	return o;
}

/* An object served by a copy of *pager, one reference (the caller's). */
struct vmc_object *sim_object_create_pager(struct sim_vm *vm, const struct sim_pager *pager)
{
	struct vmc_object *o = object_new(vm, false);

	o->has_pager = true;
	o->pager = *pager;
	o->size = pager->size;
	return o;
}

void sim_object_ref(struct vmc_object *object)
{
	if (object->refs == UINT32_MAX)
		vmc_panic("sim_object_ref: reference count overflow");
	object->refs++;
}

static void page_free(struct vmc_page *page);

static void object_free(struct vmc_object *o)
{
	struct vmc_page *p;
	uint64_t k;

	while ((p = sim_pindex_first(&o->pages, &k)) != NULL) {
		if (p->busy)
			vmc_panic("object_free: a pinned page outlives its object");
		sim_pindex_remove(&o->pages, k);
		page_free(p);
	}
	if (o->copies->len != 0)
		vmc_panic("object_free: copies still shadow it");
	if (o->shadow != NULL) {
		g_ptr_array_remove(o->shadow->copies, o);
		sim_object_unref(o->shadow);
	}
	g_hash_table_remove(o->vm->objects, o);
	sim_pindex_destroy(&o->pages);
	g_hash_table_destroy(o->store);
	g_hash_table_destroy(o->answers);
	if (o->runs != NULL) {
		if (g_hash_table_size(o->runs) != 0)
			vmc_panic("object_free: frames outlive the object's pages");
		g_hash_table_destroy(o->runs);
	}
	g_ptr_array_free(o->copies, TRUE);
	g_free(o);
}

/* Drops a reference; the last one frees the object, its pages and store,
 * and drops its reference on its shadow.  [vm_object_deallocate] */
void sim_object_unref(struct vmc_object *object)
{
	if (object->refs == 0)
		vmc_panic("sim_object_unref: no reference to drop");
	if (--object->refs == 0)
		object_free(object);
}

/*
 * Interposes a new anonymous object in front of `object`: the result
 * shadows [offset, offset + size) of it.  The caller's reference on
 * `object` moves to the shadow link; the result has one reference, the
 * caller's.  [vm_object_shadow]
 */
struct vmc_object *sim_object_shadow(struct vmc_object *object, vmc_off_t offset,
				     vmc_size_t size)
{
	struct vmc_object *n = sim_object_create_internal(object->vm, size);

	n->shadow = object;
	n->shadow_offset = offset;
	return n;
}

/* Write-protects every mapping of every resident page of object. */
static void object_write_protect(struct vmc_object *object)
{
	struct vmc_page *p;
	uint64_t k;

	for (p = sim_pindex_first(&object->pages, &k); p != NULL;
	     p = sim_pindex_after(&object->pages, k, &k)) {
		for (GSList *l = p->mappings; l != NULL; l = l->next) {
			struct sim_pte *pte = l->data;
			if (pte->prot & VMC_PROT_WRITE)
				sim_pmap_protect_range(pte->pmap, pte->vpage,
						       pte->vpage + VMC_PAGE_SIZE,
						       pte->prot & ~VMC_PROT_WRITE);
		}
	}
}

/*
 * A delayed copy of [offset, offset + size) of object: a new object
 * shadowing it, registered so that writes to object push their old
 * contents first.  Takes its own reference on object; the result has one
 * reference, the caller's.  [vm_object_copy_delay]
 */
struct vmc_object *sim_object_copy_delayed(struct vmc_object *object, vmc_off_t offset,
					   vmc_size_t size)
{
	struct vmc_object *c = sim_object_create_internal(object->vm, size);

	sim_object_ref(object);
	c->shadow = object;
	c->shadow_offset = offset;
	g_ptr_array_add(object->copies, c);
	object->copy_gen++;
	object_write_protect(object);
	return c;
}

/* Does object itself hold data for offset (resident or in its store)? */
bool sim_object_has_data(struct vmc_object *object, vmc_off_t offset)
{
	return sim_pindex_lookup(&object->pages, pnum(offset)) != NULL ||
	       g_hash_table_contains(object->store, pkey(offset));
}

/* Makes a new resident page of object at offset (zero filled).  May evict
 * any unpinned page, so the caller pins what it still needs first. */
static struct vmc_page *page_new(struct vmc_object *object, vmc_off_t offset)
{
	struct vmc_page *p = g_new0(struct vmc_page, 1);

	p->data = sim_frame_alloc(object, offset);
	p->object = object;
	p->offset = offset;
	p->referenced = true;
	g_queue_push_tail(&object->vm->resident, p);
	p->link = object->vm->resident.tail;
	sim_pindex_insert(&object->pages, pnum(offset), p);
	return p;
}

/* Frees a page already taken out of its object's table. */
static void page_free(struct vmc_page *page)
{
	struct sim_vm *vm = page->object->vm;

	sim_pmap_page_remove_all(page);
	g_queue_delete_link(&vm->resident, page->link);
	sim_frame_free(page->object, page->offset, page->data);
	g_free(page);
}

/*
 * Evicts an unpinned page: its mappings go, a dirty page is written to its
 * object's store first (unless the object is dead), the frame returns to
 * the pool.  Returns false, changing nothing, if the page is pinned.
 */
bool sim_page_evict(struct vmc_page *page)
{
	struct vmc_object *o = page->object;

	if (page->busy)
		return false;
	if (page->dirty && o->alive) {
		g_hash_table_replace(o->store, pkey(page->offset),
				     g_memdup2(page->data, VMC_PAGE_SIZE));
		sim_count(o->vm, SIM_EV_PAGEOUT, 1);
	}
	sim_count(o->vm, SIM_EV_EVICT, 1);
	sim_pindex_remove(&o->pages, pnum(page->offset));
	page_free(page);
	return true;
}

/* Reads a page back from the object's store. */
static struct vmc_page *page_in_store(struct vmc_object *o, vmc_off_t offset)
{
	const unsigned char *bytes = g_hash_table_lookup(o->store, pkey(offset));
	struct vmc_page *p = page_new(o, offset);

	memcpy(p->data, bytes, VMC_PAGE_SIZE);
	sim_count(o->vm, SIM_EV_PAGEIN, 1);
	/* The store keeps its copy: the page is clean until written again. */
	return p;
}

/* The pager's answer for a page. */
static enum sim_pager_answer pager_answer(struct vmc_object *o, vmc_off_t offset)
{
	gpointer v;

	if (g_hash_table_lookup_extended(o->answers, pkey(offset), NULL, &v))
		return (enum sim_pager_answer)GPOINTER_TO_INT(v);
	return offset < o->pager.size ? SIM_PAGER_DATA : SIM_PAGER_ERROR;
}

/* Asks the pager of o for offset.  VMC_FAULT_OK with *out resident (not
 * pinned), or a fault state with nothing changed except what the yield hook
 * did. */
static vmc_fault_t pager_request(struct vmc_object *o, vmc_off_t offset, vmc_prot_t access,
				 struct vmc_page **out)
{
	struct sim_vm *vm = o->vm;
	enum vmc_block_point where = (access & VMC_PROT_WRITE) ? VMC_BLOCK_FAULT_DST
							       : VMC_BLOCK_FAULT_SRC;
	enum sim_pager_answer answer = pager_answer(o, offset);

	if (answer == SIM_PAGER_ERROR)
		return VMC_FAULT_ERROR;
	if (answer == SIM_PAGER_NEVER) {
		/* The thread waits until something interrupts it. */
		sim_yield_at(vm, where);
		return VMC_FAULT_INTERRUPTED;
	}
	uint32_t latency = o->pager.latency;
	if (latency > 0) {
		/* The object stays referenced by our caller across the wait. */
		for (uint32_t i = 0; i < latency; i++)
			sim_yield_at(vm, where);
		if (!o->alive)
			return VMC_FAULT_ERROR;
	}
	struct vmc_page *p = sim_pindex_lookup(&o->pages, pnum(offset));
	if (p == NULL) {
		p = page_new(o, offset);
		if (answer == SIM_PAGER_UNAVAILABLE) {
			sim_count(vm, SIM_EV_ZERO_FILL, 1);
		} else {
			if (o->pager.content != NULL)
				o->pager.content(o->pager.ctx, offset, p->data);
			sim_count(vm, SIM_EV_PAGEIN, 1);
		}
	}
	if (latency > 0 && vm->retry_after_wait)
		return VMC_FAULT_RETRY;
	*out = p;
	return VMC_FAULT_OK;
}

/* Finds (or makes) the page that `object` shows at offset: the walk down the
 * shadow chain.  *out is the page, not pinned, possibly in a shadow. */
static vmc_fault_t chain_find(struct vmc_object *object, vmc_off_t offset,
			      vmc_prot_t access, struct vmc_page **out)
{
	struct vmc_object *cur = object;
	vmc_off_t off = offset;

	for (;;) {
		/* Is this level dead (terminated)? */
		if (!cur->alive)
			return VMC_FAULT_ERROR;
		struct vmc_page *p = sim_object_page_find(cur, off);
		if (p != NULL) {
			*out = p;
			return VMC_FAULT_OK;
		}
		if (g_hash_table_contains(cur->store, pkey(off))) {
			*out = page_in_store(cur, off);
			return VMC_FAULT_OK;
		}
		if (cur->has_pager)
			return pager_request(cur, off, access, out);
		if (cur->shadow == NULL)
			break;
		if (!vmc_add(off, cur->shadow_offset, &off))
			return VMC_FAULT_ERROR;
		cur = cur->shadow;
	}
	/* Nobody has data: zero fill in the top object.  A zero page over a
	 * shadow must survive eviction (the shadow may gain data later), so it
	 * starts dirty there. */
	struct vmc_page *z = page_new(object, offset);
	z->dirty = object->shadow != NULL;
	sim_count(object->vm, SIM_EV_ZERO_FILL, 1);
	*out = z;
	return VMC_FAULT_OK;
}

/* Pushes the current contents of page (of object o) into every delayed copy
 * of o that does not have its own version of that page yet. */
static void push_to_copies(struct vmc_object *o, struct vmc_page *page)
{
	bool pushed = false;

	page->busy++;   /* page_new below may evict */
	for (guint i = 0; i < o->copies->len; i++) {
		struct vmc_object *c = g_ptr_array_index(o->copies, i);
		vmc_off_t coff;

		/* Is the page inside the window the copy shadows? */
		if (page->offset < c->shadow_offset)
			continue;
		coff = page->offset - c->shadow_offset;
		if (coff >= c->size || sim_object_has_data(c, coff))
			continue;
		struct vmc_page *n = page_new(c, coff);
		memcpy(n->data, page->data, VMC_PAGE_SIZE);
		n->dirty = true;
		sim_count(o->vm, SIM_EV_COW_COPY, 1);
		pushed = true;
	}
	page->busy--;
	if (pushed)
		sim_pmap_page_remove_all(page);
}

/*
 * The fault: makes the page `object` shows at offset resident for access,
 * copying it up into object for a write and pushing it to object's delayed
 * copies.  The page is returned pinned (busy).  [vm_fault_page]
 * returns a vmc_fault_t; on anything but VMC_FAULT_OK nothing is pinned.
 */
vmc_fault_t sim_object_fault(struct vmc_object *object, vmc_off_t offset,
			     vmc_prot_t access, struct vmc_page **out)
{
	struct vmc_page *p = NULL;
	vmc_fault_t f;

	if (!vmc_page_aligned(offset))
		vmc_panic("sim_object_fault: offset not page aligned");
	sim_count(object->vm, SIM_EV_FAULT, 1);
	f = chain_find(object, offset, access, &p);
	if (f != VMC_FAULT_OK)
		return f;

	if ((access & VMC_PROT_WRITE) && p->object != object) {
		/* Copy up: the write goes to object's own page. */
		p->busy++;
		struct vmc_page *n = page_new(object, offset);
		memcpy(n->data, p->data, VMC_PAGE_SIZE);
		p->busy--;
		n->dirty = true;
		sim_count(object->vm, SIM_EV_COW_COPY, 1);
		sim_pmap_page_remove_all(p);
		p = n;
	}
	if ((access & VMC_PROT_WRITE) && object->copies->len != 0)
		push_to_copies(object, p);
	p->busy++;
	p->referenced = true;
	*out = p;
	return VMC_FAULT_OK;
}

/* Unpins a page (a pin from sim_object_fault).  A page of a dead object is
 * freed when its last pin goes. */
void sim_page_put(struct vmc_page *page, bool dirtied)
{
	if (page->busy == 0)
		vmc_panic("sim_page_put: page not pinned");
	page->busy--;
	if (dirtied)
		page->dirty = true;
	page->referenced = true;
	if (page->busy == 0 && !page->object->alive) {
		sim_pindex_remove(&page->object->pages, pnum(page->offset));
		page_free(page);
	}
}

/*
 * Terminates object: later faults on it (or through it) fail with
 * VMC_FAULT_ERROR; its unpinned pages and its store are dropped now, pinned
 * ones when unpinned.  References stay valid until released.
 * [memory_object_destroy -> vm_object_terminate]
 */
void sim_object_terminate(struct vmc_object *object)
{
	struct vmc_page *p;
	uint64_t k;

	object->alive = false;
	for (p = sim_pindex_first(&object->pages, &k); p != NULL;
	     p = sim_pindex_after(&object->pages, k, &k)) {
		/* No task may touch the object's memory any more; a pinned
		 * page stays for its holder until vmc_page_put. */
		sim_pmap_page_remove_all(p);
		if (p->busy)
			continue;
		sim_pindex_remove(&object->pages, k);
		page_free(p);
	}
	g_hash_table_remove_all(object->store);
}

/* The frame pool --------------------------------------------------------
 *
 * A world has a bounded pool of page frames; that is what makes memory
 * pressure real: when every frame is in use, sim_frame_alloc evicts a
 * resident page with a clock sweep over the resident queue (pinned pages
 * are skipped, referenced ones get a second chance; dirty ones are written
 * back to their object's store by sim_page_evict, so nothing is lost).
 *
 * Where a frame's bytes live in the host is the simulator's own business,
 * but it sets the speed of every copy.  The frames of an object come in
 * runs: the frames of pages [64 r, 64 r + 64) of one object are consecutive
 * in one host allocation (made with the run's first frame, freed with its
 * last), one allocation for many pages, next to each other as a copy walks
 * them.  Each
 * run starts at its own offset in a host page (its colour): with every
 * frame at the same offset, a copy whose destination sits 1 to 15 bytes
 * above its source in the page meets the slowest case of the CPU's
 * `rep movsb', which glibc's memcpy uses for 4 KiB (16 times slower on AMD
 * Zen 3, the machine of the benchmarks: bench_copy's unaligned write_fast
 * fell to 0.07 of memcpy with runs starting at a page boundary).  Under
 * AddressSanitizer the frames of a run are kept apart by poisoned gaps, and
 * a free frame is poisoned, so that a byte moved past a page's end or into
 * a freed frame is still reported as it was with one allocation a frame.
 */

#if defined(__SANITIZE_ADDRESS__)
#define SIM_FRAME_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_FRAME_ASAN 1
#endif
#endif

#ifdef SIM_FRAME_ASAN
#include <sanitizer/asan_interface.h>
#define SIM_FRAME_GAP 64u
#define frame_poison(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define frame_unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define SIM_FRAME_GAP 0u
#define frame_poison(p, n) ((void)(p), (void)(n))
#define frame_unpoison(p, n) ((void)(p), (void)(n))
#endif

#define SIM_RUN_SHIFT 6                             /* 64 frames a run */
#define SIM_RUN_FRAMES (1u << SIM_RUN_SHIFT)
#define SIM_FRAME_STRIDE (VMC_PAGE_SIZE + SIM_FRAME_GAP)
#define SIM_RUN_BYTES (SIM_RUN_FRAMES * SIM_FRAME_STRIDE)
_Static_assert(SIM_RUN_FRAMES <= 64, "a run's frames are the bits of a uint64_t");
#define SIM_COLOURS 64u                             /* 64-byte steps in a host page */

/* The frames of pages [first, first + SIM_RUN_FRAMES) of one object. */
struct sim_frame_run {
	void *alloc;            /* the host allocation */
	unsigned char *base;    /* frame i at base + i * SIM_FRAME_STRIDE */
	uint64_t used;          /* bit i: frame i holds a page */
};

static uint64_t run_number(vmc_off_t offset)
{
	return (uint64_t)offset >> (VMC_PAGE_SHIFT + SIM_RUN_SHIFT);
}

static unsigned run_slot(vmc_off_t offset)
{
	return (unsigned)(((uint64_t)offset >> VMC_PAGE_SHIFT) & (SIM_RUN_FRAMES - 1));
}

/* The run holding the frame of offset in object, or NULL. */
static struct sim_frame_run *run_find(struct vmc_object *object, vmc_off_t offset)
{
	if (object->runs == NULL)
		return NULL;
	return g_hash_table_lookup(object->runs, (gpointer)(uintptr_t)run_number(offset));
}

/* Emptied runs' host allocations kept for new runs, at most: a run is over
 * glibc's mmap threshold (128 KiB), so giving each back and asking again
 * costs an munmap, an mmap and a page fault for every page of it; the
 * replay of 10,000,000 reads spent three quarters of its time there. */
#define SIM_SPARE_RUNS 16u

/* A new run for the frame of offset in object: no frame used, all poisoned. */
static struct sim_frame_run *run_new(struct vmc_object *object, vmc_off_t offset)
{
	struct sim_frame_run *run = g_new0(struct sim_frame_run, 1);
	uint64_t rn = run_number(offset);
	/* Runs of one object, and the same run of neighbouring objects, at
	 * different offsets in their host pages. */
	size_t colour = (size_t)((object->id * 7 + rn) % SIM_COLOURS) * (VMC_PAGE_SIZE / SIM_COLOURS);

	struct sim_vm *vm = object->vm;

	if (vm->spare_runs != NULL && vm->spare_runs->len != 0)
		run->alloc = g_ptr_array_steal_index_fast(vm->spare_runs, vm->spare_runs->len - 1);
	else if (posix_memalign(&run->alloc, VMC_PAGE_SIZE, SIM_RUN_BYTES + VMC_PAGE_SIZE) != 0)
		vmc_panic("sim_frame_alloc: the host is out of memory");
	run->base = (unsigned char *)run->alloc + colour;
	frame_poison(run->alloc, SIM_RUN_BYTES + VMC_PAGE_SIZE);
	if (object->runs == NULL)
		object->runs = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_hash_table_insert(object->runs, (gpointer)(uintptr_t)rn, run);
	return run;
}

/* Picks a victim with the clock: the first unpinned page whose referenced
 * bit is clear, clearing bits as the hand passes.  Two sweeps always
 * suffice unless every page is pinned. */
static struct vmc_page *clock_victim(struct sim_vm *vm)
{
	guint n = g_queue_get_length(&vm->resident);

	for (guint i = 0; i < 2 * n; i++) {
		struct vmc_page *p = g_queue_peek_head(&vm->resident);
		GList *link = g_queue_pop_head_link(&vm->resident);

		g_queue_push_tail_link(&vm->resident, link);
		if (p->busy)
			continue;
		if (p->referenced) {
			p->referenced = false;
			continue;
		}
		return p;
	}
	return NULL;
}

/*
 * Takes a frame from the pool for the page at offset of object, evicting a
 * page if the pool is empty; the frame is zero filled.  Never fails: a
 * world has at least SIM_FRAMES_MIN frames and the core pins at most a few,
 * so finding every frame pinned is an impossible state.
 */
unsigned char *sim_frame_alloc(struct vmc_object *object, vmc_off_t offset)
{
	struct sim_vm *vm = object->vm;

	while (vm->frames_used >= vm->frames) {
		struct vmc_page *victim = clock_victim(vm);

		if (victim == NULL)
			vmc_panic("sim_frame_alloc: every frame is pinned");
		if (!sim_page_evict(victim))
			vmc_panic("sim_frame_alloc: victim could not be evicted");
	}
	vm->frames_used++;

	/* The run after the eviction, which may have freed it. */
	struct sim_frame_run *run = run_find(object, offset);
	unsigned slot = run_slot(offset);
	if (run == NULL)
		run = run_new(object, offset);
	if (run->used & ((uint64_t)1 << slot))
		vmc_panic("sim_frame_alloc: the page has a frame already");
	run->used |= (uint64_t)1 << slot;
	unsigned char *data = run->base + (size_t)slot * SIM_FRAME_STRIDE;
	frame_unpoison(data, VMC_PAGE_SIZE);
	memset(data, 0, VMC_PAGE_SIZE);
	return data;
}

/* Gives back the frame of the page at offset of object; the run goes with
 * its last frame. */
void sim_frame_free(struct vmc_object *object, vmc_off_t offset, unsigned char *data)
{
	struct sim_vm *vm = object->vm;
	struct sim_frame_run *run = run_find(object, offset);
	unsigned slot = run_slot(offset);

	if (vm->frames_used == 0)
		vmc_panic("sim_frame_free: pool underflow");
	if (run == NULL || !(run->used & ((uint64_t)1 << slot)) ||
	    data != run->base + (size_t)slot * SIM_FRAME_STRIDE)
		vmc_panic("sim_frame_free: not the page's frame");
	vm->frames_used--;
	run->used &= ~((uint64_t)1 << slot);
	frame_poison(data, VMC_PAGE_SIZE);
	if (run->used == 0) {
		g_hash_table_remove(object->runs, (gpointer)(uintptr_t)run_number(offset));
		if (vm->spare_runs == NULL)
			vm->spare_runs = g_ptr_array_new();
		if (vm->spare_runs->len < SIM_SPARE_RUNS) {
			/* Still poisoned: a stale pointer into it stays reported. */
			g_ptr_array_add(vm->spare_runs, run->alloc);
		} else {
			frame_unpoison(run->alloc, SIM_RUN_BYTES + VMC_PAGE_SIZE);
			free(run->alloc);
		}
		g_free(run);
	}
}

uint64_t sim_vm_pages_held(const struct sim_vm *vm)
{
	uint64_t n = vm->frames_used;
	GHashTableIter it;
	gpointer o;

	g_hash_table_iter_init(&it, vm->objects);
	while (g_hash_table_iter_next(&it, &o, NULL))
		n += g_hash_table_size(((struct vmc_object *)o)->store);
	return n;
}

/* Gives the spare runs' allocations back to the host (the world's end). */
void sim_frame_runs_release(struct sim_vm *vm)
{
	if (vm->spare_runs == NULL)
		return;
	for (guint i = 0; i < vm->spare_runs->len; i++) {
		frame_unpoison(g_ptr_array_index(vm->spare_runs, i), SIM_RUN_BYTES + VMC_PAGE_SIZE);
		free(g_ptr_array_index(vm->spare_runs, i));
	}
	g_ptr_array_free(vm->spare_runs, TRUE);
	vm->spare_runs = NULL;
}

/* Does every resident page of object sit in its own frame, and is every
 * frame its runs count as used a page's?  For sim_vm_check. */
bool sim_object_frames_check(struct vmc_object *object, const char **why)
{
	struct vmc_page *p;
	uint64_t k;
	size_t frames = 0;

	for (p = sim_pindex_first(&object->pages, &k); p != NULL;
	     p = sim_pindex_after(&object->pages, k, &k)) {
		struct sim_frame_run *run = run_find(object, p->offset);
		unsigned slot = run_slot(p->offset);
		if (run == NULL || !(run->used & ((uint64_t)1 << slot)) ||
		    p->data != run->base + (size_t)slot * SIM_FRAME_STRIDE) {
			*why = "a page is not in its frame";
			return false;
		}
	}
	if (object->runs != NULL) {
		GHashTableIter it;
		gpointer rk, rv;
		g_hash_table_iter_init(&it, object->runs);
		while (g_hash_table_iter_next(&it, &rk, &rv)) {
			const struct sim_frame_run *run = rv;
			if (run->used == 0) {
				*why = "an empty run of frames was kept";
				return false;
			}
			frames += (size_t)__builtin_popcountll(run->used);
		}
	}
	if (frames != sim_pindex_count(&object->pages)) {
		*why = "frames in use that hold no page";
		return false;
	}
	*why = NULL;
	return true;
}

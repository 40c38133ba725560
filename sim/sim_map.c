/*
 * sim_map.c: address maps.
 *
 * A map is a set of non-overlapping, page-aligned entries inside
 * [SIM_MAP_MIN, SIM_MAP_MAX(map)), each naming an object (or none yet: zero fill
 * on demand), an offset into it, a current and a maximum protection, and
 * whether the object is shared copy-on-write (needs_copy).
 *
 * Entries are kept three ways, as in GNU Mach's vm/vm_map.c:
 *   - a balanced tree (GTree, keyed by start) for O(log n) lookup of the
 *     entry holding an address;
 *   - a doubly-linked list in address order, for walking a range and for
 *     finding holes;
 *   - a hint, the last entry found, because lookups cluster.
 * sim_vm_check verifies that the three agree.
 *
 * A fourth, optional view makes lookups in large maps cheap.  The tree's
 * nodes are scattered over the heap and a lookup in a large map misses the
 * cache at every level.  The index is an array of every entry's bounds in
 * address order, and a table of buckets that cut the mapped span into
 * about as many equal steps (a power of two bytes each) as there are
 * entries; a bucket holds the position of the last entry starting at or
 * below its first address.  A lookup takes the bucket by a shift, then
 * bisects the few positions between it and the next bucket: two dependent
 * cache lines when entries are spread evenly, whatever their number, and
 * a logarithmic bisection when they cluster (the worst case: every entry
 * in one bucket).  Any change to the entries invalidates the index; it is
 * rebuilt from the list once the map has served nentries/8 + 8 lookups
 * without a change, so the rebuild costs O(1) amortized per lookup, and a
 * map that keeps changing simply uses the tree.  (GNU Mach has only the
 * tree; this is a simulator speed-up, invisible to the semantics and
 * checked by sim_vm_check.)
 *
 * Clipping splits an entry at a page boundary so that an operation on part
 * of it (unmap, protect) acts on whole entries.  Both halves name the same
 * object at consecutive offsets; each holds its own reference.
 *
 * The map timestamp changes whenever the map is write-locked in GNU Mach
 * (vm_map_lock bumps it there, vm/vm_map.c:vm_map_lock), so a version taken
 * by vmc_map_lookup survives only if nothing could have changed the map.
 *
 * What is not modelled: entry coalescing (GNU Mach extends a neighbouring
 * entry on vm_allocate; here every allocation is its own entry), submaps,
 * wiring, the gap tree (an "anywhere" allocation walks the list: first fit).
 */
#include "sim_internal.h"

/* The tree orders entries by start; entries never overlap, so starts are
 * unique. */
static gint entry_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
	const struct sim_entry *x = a, *y = b;

	(void)unused;
	return x->start < y->start ? -1 : x->start > y->start ? 1 : 0;
}

/* g_tree_search: 0 if the entry holds *addr, -1 to go to smaller keys. */
static gint entry_holds(gconstpointer key, gconstpointer addrp)
{
	const struct sim_entry *e = key;
	vmc_addr_t addr = *(const vmc_addr_t *)addrp;

	if (addr < e->start)
		return -1;
	if (addr >= e->end)
		return 1;
	return 0;
}

/* Creates an empty map for task.  Cannot fail (g_malloc aborts). */
struct vmc_map *sim_map_create(struct sim_vm *vm, struct sim_task *task)
{
	struct vmc_map *map = g_new0(struct vmc_map, 1);

	map->vm = vm;
	map->task = task;
	map->refs = 1;
	map->tree = g_tree_new_full(entry_cmp, NULL, NULL, NULL);
	return map;
}

/* Bumps the timestamp: what GNU Mach's vm_map_lock does. */
static void map_lock_write(struct vmc_map *map)
{
	/* The core must not let anything run while it holds a verified map. */
	if (map->verified != 0)
		vmc_panic("map_lock_write: map changed while verified (read locked)");
	map->timestamp++;
}

static void entry_free(struct vmc_map *map, struct sim_entry *e)
{
	if (e->object != NULL)
		sim_object_unref(e->object);
	sim_count(map->vm, SIM_EV_ENTRY_REMOVE, 1);
	g_free(e);
}

/* Entries changed: the lookup index no longer describes them. */
static void index_invalidate(struct vmc_map *map)
{
	if (map->hint != NULL) {
		map->hint_start = map->hint->start;
		map->hint_end = map->hint->end;
	}
	map->index_valid = false;
	map->lookups_since_change = 0;
}

/* Rebuilds the lookup index from the list (see the top of this file). */
static void index_rebuild(struct vmc_map *map)
{
	uint32_t n = map->nentries;

	if (n == 0) {
		map->index_len = 0;
		map->index_valid = true;
		return;
	}
	if (map->index_cap < n) {
		map->index_cap = n + n / 4 + 16;
		map->index_slot = g_renew(struct sim_index_slot, map->index_slot, map->index_cap);
	}
	uint32_t i = 0;
	for (struct sim_entry *e = map->first; e != NULL; e = e->next, i++)
		map->index_slot[i] = (struct sim_index_slot){ e->start, e->end, e };

	/* Buckets: the smallest power-of-two step that cuts the span into at
	 * most n of them. */
	vmc_addr_t lo = map->first->start, span = map->last->end - lo;
	unsigned shift = VMC_PAGE_SHIFT;
	while ((span >> shift) >= n)
		shift++;
	uint32_t nbucket = (uint32_t)(span >> shift) + 1;
	if (map->index_bucket_cap < nbucket + 1) {
		map->index_bucket_cap = nbucket + 1 + nbucket / 4 + 16;
		map->index_bucket = g_renew(struct sim_index_slot, map->index_bucket,
					    map->index_bucket_cap);
		map->index_pos = g_renew(uint32_t, map->index_pos, map->index_bucket_cap);
	}
	uint32_t k = 0;
	for (uint32_t b = 0; b < nbucket; b++) {
		vmc_addr_t first = lo + ((vmc_addr_t)b << shift);
		while (k + 1 < n && map->index_slot[k + 1].start <= first)
			k++;
		map->index_bucket[b] = map->index_slot[k];
		map->index_pos[b] = k;
	}
	map->index_pos[nbucket] = n - 1;
	map->index_lo = lo;
	map->index_shift = shift;
	map->index_nbucket = nbucket;
	map->index_len = n;
	map->index_valid = true;
}

/* The last position k in [lo, hi] with slot[k].start <= x, given
 * slot[lo].start <= x: bisection without branches on the data. */
static uint32_t last_at_most(const struct sim_index_slot *slot, uint32_t lo, uint32_t hi,
			     vmc_addr_t x)
{
	uint32_t n = hi - lo + 1;

	while (n > 1) {
		uint32_t half = n / 2;
		lo = slot[lo + half].start <= x ? lo + half : lo;
		n -= half;
	}
	return lo;
}

/* The slot of the entry holding addr, by the index (valid), or NULL.  The
 * bucket carries a copy of its first candidate, which starts at or below
 * addr and is the answer if addr is below its end: one cache line when
 * entries are spread evenly.  Otherwise the positions of this bucket and
 * the next bound a bisection over the slots.  The entries themselves are
 * not touched. */
static const struct sim_index_slot *index_search(const struct vmc_map *map, vmc_addr_t addr)
{
	if (map->index_len == 0 || addr < map->index_lo)
		return NULL;
	vmc_addr_t b = (addr - map->index_lo) >> map->index_shift;
	if (b >= map->index_nbucket)
		return NULL;        /* past the last entry's end */
	const struct sim_index_slot *s = &map->index_bucket[b];
	if (addr >= s->end) {
		s = &map->index_slot[last_at_most(map->index_slot, map->index_pos[b],
						  map->index_pos[b + 1], addr)];
		if (addr >= s->end)
			return NULL;
	}
	return s;
}

/* Links e into the list after prev (NULL: at the head) and into the tree. */
static void entry_link(struct vmc_map *map, struct sim_entry *prev, struct sim_entry *e)
{
	e->map = map;
	e->prev = prev;
	e->next = prev ? prev->next : map->first;
	if (e->prev)
		e->prev->next = e;
	else
		map->first = e;
	if (e->next)
		e->next->prev = e;
	else
		map->last = e;
	g_tree_insert(map->tree, e, e);
	map->nentries++;
	index_invalidate(map);
	sim_count(map->vm, SIM_EV_ENTRY_CREATE, 1);
}

static void entry_unlink(struct vmc_map *map, struct sim_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		map->first = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		map->last = e->prev;
	if (!g_tree_remove(map->tree, e))
		vmc_panic("entry_unlink: entry not in tree");
	if (map->hint == e)
		map->hint = NULL;
	map->nentries--;
	index_invalidate(map);
}

/* Empties the map (page tables too) and frees it. */
void sim_map_destroy(struct vmc_map *map)
{
	if (map == NULL)
		return;
	sim_map_remove(map, SIM_MAP_MIN, SIM_MAP_MAX(map));
	map->task = NULL;               /* no page tables from here on */
	sim_map_release(map);
}

void sim_map_reference(struct vmc_map *map)
{
	if (map->refs == UINT32_MAX)
		vmc_panic("sim_map_reference: too many references");
	map->refs++;
}

void sim_map_release(struct vmc_map *map)
{
	if (map->refs == 0)
		vmc_panic("sim_map_release: no reference to release");
	if (--map->refs != 0)
		return;
	if (map->nentries != 0)
		vmc_panic("sim_map_release: the last reference to a map with entries");
	g_tree_destroy(map->tree);
	g_free(map->index_slot);
	g_free(map->index_bucket);
	g_free(map->index_pos);
	g_free(map);
}

/*
 * The entry holding addr, or NULL.  Tries the hint first (its bounds are
 * kept in the map, so a miss touches no entry), then the index if it is
 * valid, else the tree.  Counts one map lookup.  [vm_map_lookup_entry]
 */
struct sim_entry *sim_map_lookup_entry(struct vmc_map *map, vmc_addr_t addr)
{
	struct sim_entry *e;

	sim_count(map->vm, SIM_EV_MAP_LOOKUP, 1);
	if (map->hint != NULL && addr >= map->hint_start && addr < map->hint_end)
		return map->hint;
	if (!map->index_valid && ++map->lookups_since_change >= map->nentries / 8 + 8)
		index_rebuild(map);
	if (map->index_valid) {
		const struct sim_index_slot *s = index_search(map, addr);
		if (s == NULL)
			return NULL;
		map->hint = s->entry;
		map->hint_start = s->start;
		map->hint_end = s->end;
		return s->entry;
	}
	e = g_tree_search(map->tree, entry_holds, &addr);
	if (e != NULL) {
		map->hint = e;
		map->hint_start = e->start;
		map->hint_end = e->end;
	}
	return e;
}

/* The entry holding addr, or NULL, without counting or moving the hint
 * (for the checker, which must change nothing). */
struct sim_entry *sim_map_entry_peek(struct vmc_map *map, vmc_addr_t addr)
{
	return g_tree_search(map->tree, entry_holds, &addr);
}

/* The entry holding addr, else the first entry above addr, else NULL. */
struct sim_entry *sim_map_entry_after(struct vmc_map *map, vmc_addr_t addr)
{
	struct sim_entry *e = sim_map_lookup_entry(map, addr);

	if (e != NULL)
		return e;
	struct sim_entry key = { .start = addr };
	GTreeNode *node = g_tree_upper_bound(map->tree, &key);
	return node ? g_tree_node_value(node) : NULL;
}

/* The last entry starting at or below addr (NULL if none): the entry after
 * which a new entry at addr is linked. */
static struct sim_entry *entry_before(struct vmc_map *map, vmc_addr_t addr)
{
	struct sim_entry key = { .start = addr };
	GTreeNode *node = g_tree_upper_bound(map->tree, &key);

	if (node == NULL)
		return map->last;
	struct sim_entry *next = g_tree_node_value(node);
	return next->prev;
}

/* Is [start, start + size) inside the address space and unmapped? */
bool sim_map_space_free(struct vmc_map *map, vmc_addr_t start, vmc_size_t size)
{
	struct vmc_range space = { SIM_MAP_MIN, SIM_MAP_MAX(map) - SIM_MAP_MIN };

	if (size == 0 || !vmc_range_contains_range(&space, start, size))
		return false;
	struct sim_entry *e = sim_map_entry_after(map, start);
	return e == NULL || (e->start > start && e->start - start >= size);
}

/*
 * Can [start, start + size) be mapped at exactly start?  The checks of GNU
 * Mach's vm_map_enter for a fixed address, in its order: the mask
 * (KERN_NO_SPACE), the range inside the address space (KERN_INVALID_ADDRESS),
 * the range free (KERN_NO_SPACE).
 */
vmc_kr_t sim_map_fixed_check(struct vmc_map *map, vmc_addr_t start, vmc_size_t size,
			     vmc_addr_t mask)
{
	struct vmc_range space = { SIM_MAP_MIN, SIM_MAP_MAX(map) - SIM_MAP_MIN };

	if ((start & mask) != 0)
		return KERN_NO_SPACE;
	if (!vmc_page_aligned(start) || !vmc_range_contains_range(&space, start, size))
		return KERN_INVALID_ADDRESS;
	if (!sim_map_space_free(map, start, size))
		return KERN_NO_SPACE;
	return KERN_SUCCESS;
}

/* First address >= a with (addr & mask) == 0, or false if none fits. */
static bool align_up(vmc_addr_t a, vmc_addr_t mask, vmc_addr_t *out)
{
	vmc_addr_t up;

	if (!vmc_add(a, mask, &up))
		return false;
	*out = up & ~mask;
	return true;
}

/* First fit: the lowest hole of size bytes whose start satisfies mask. */
bool sim_map_find_space(struct vmc_map *map, vmc_size_t size, vmc_addr_t mask,
		       vmc_addr_t *out)
{
	vmc_addr_t candidate;
	struct sim_entry *e = map->first;

	if (!align_up(SIM_MAP_MIN, mask | VMC_PAGE_MASK, &candidate))
		return false;
	for (;;) {
		while (e != NULL && e->end <= candidate)
			e = e->next;
		vmc_addr_t limit = e ? e->start : SIM_MAP_MAX(map);
		if (candidate < limit && limit - candidate >= size) {
			*out = candidate;
			return true;
		}
		if (e == NULL)
			return false;
		if (!align_up(e->end, mask | VMC_PAGE_MASK, &candidate))
			return false;
	}
}

/*
 * Enters a mapping of object (may be NULL: zero fill on demand) at *addr.
 * [vm_map_enter]  size and *addr page aligned (callers round as GNU Mach's
 * RPCs do); anywhere: the lowest free range satisfying mask.
 * Consumes the caller's object reference on success only.
 * returns: KERN_SUCCESS and *addr;
 *          KERN_INVALID_ARGUMENT for size 0 or an offset range that wraps;
 *          KERN_NO_SPACE if (fixed) *addr & mask, or the range is in use,
 *             or (anywhere) no hole is large enough;
 *          KERN_INVALID_ADDRESS if (fixed) the range leaves the space.
 * On failure nothing changes.
 */
vmc_kr_t sim_map_enter(struct vmc_map *map, vmc_addr_t *addr, vmc_size_t size,
		       vmc_addr_t mask, bool anywhere, struct vmc_object *object,
		       vmc_off_t offset, bool needs_copy, vmc_prot_t cur, vmc_prot_t max)
{
	vmc_addr_t start = *addr, end;
	vmc_off_t last;
	vmc_kr_t kr;

	/* Is there anything to map, and do its object offsets fit? */
	if (size == 0 || !vmc_page_aligned(size) || !vmc_add(offset, size - 1, &last))
		return KERN_INVALID_ARGUMENT;
	if (anywhere) {
		/* Is there a hole large enough? */
		if (!sim_map_find_space(map, size, mask, &start))
			return KERN_NO_SPACE;
	} else if ((kr = sim_map_fixed_check(map, start, size, mask)) != KERN_SUCCESS) {
		return kr;
	}
	end = start + size;   /* cannot wrap: inside the space, checked above */

	if (!sim_alloc_try())
		return KERN_RESOURCE_SHORTAGE;
	map_lock_write(map);
	struct sim_entry *e = g_new0(struct sim_entry, 1);
	e->start = start;
	e->end = end;
	e->object = object;
	e->offset = offset;
	e->prot = cur;
	e->max_prot = max;
	e->needs_copy = needs_copy;
	e->inheritance = SIM_INHERIT_COPY;
	entry_link(map, entry_before(map, start), e);
	*addr = start;
	return KERN_SUCCESS;
}

/*
 * Splits e at `at` (page aligned, strictly inside e).  e keeps the lower
 * part; the new entry, returned, takes the upper part with its own object
 * reference.  The mapping does not change.  [_vm_map_clip_start/_end]
 */
static struct sim_entry *entry_split(struct vmc_map *map, struct sim_entry *e, vmc_addr_t at)
{
	struct sim_entry *tail = g_new0(struct sim_entry, 1);

	*tail = *e;
	tail->start = at;
	/* The offset cannot wrap: e's offsets stayed representable when it
	 * was entered (its object offset plus its size was checked). */
	tail->offset = e->offset + (at - e->start);
	e->end = at;
	index_invalidate(map);
	if (tail->object != NULL)
		sim_object_ref(tail->object);
	entry_link(map, e, tail);
	return tail;
}

/*
 * Clips e so that it lies inside [start, end) where it overlaps it, and
 * returns the part inside.  e must overlap the range.
 */
struct sim_entry *sim_map_clip(struct vmc_map *map, struct sim_entry *e,
			       vmc_addr_t start, vmc_addr_t end)
{
	if (e->start < start && start < e->end)
		e = entry_split(map, e, start);
	if (e->start < end && end < e->end)
		entry_split(map, e, end);
	return e;
}

/* Clamps [*start, *end) to the address space as GNU Mach's
 * VM_MAP_RANGE_CHECK does (vm/vm_map.c): out-of-range parts are ignored,
 * an inverted range becomes empty. */
static void range_clamp(const struct vmc_map *map, vmc_addr_t *start, vmc_addr_t *end)
{
	if (*start < SIM_MAP_MIN)
		*start = SIM_MAP_MIN;
	if (*end > SIM_MAP_MAX(map))
		*end = SIM_MAP_MAX(map);
	if (*start > *end)
		*start = *end;
}

/*
 * Removes every mapping in [start, end) (page aligned), clipping entries at
 * the ends, removing their page-table entries (one TLB flush) and releasing
 * their objects.  Holes are fine.  Cannot fail.
 * [vm_map_remove, vm_map_delete]
 */
void sim_map_remove(struct vmc_map *map, vmc_addr_t start, vmc_addr_t end)
{
	range_clamp(map, &start, &end);
	map_lock_write(map);
	if (start == end)
		return;
	struct sim_entry *e = sim_map_entry_after(map, start);
	while (e != NULL && e->start < end) {
		e = sim_map_clip(map, e, start, end);
		struct sim_entry *next = e->next;
		entry_unlink(map, e);
		entry_free(map, e);
		e = next;
	}
	if (map->task != NULL && map->task->pmap != NULL)
		sim_pmap_remove_range(map->task->pmap, start, end);
}

/*
 * Sets the current (or, with set_max, the maximum) protection of every
 * entry in [start, end).  [vm_map_protect]
 * GNU Mach's rules: the range is clamped to the map and holes are skipped;
 * a first pass refuses the whole call with KERN_PROTECTION_FAILURE if prot
 * exceeds any entry's maximum; setting the maximum also lowers the current
 * protection to what the new maximum allows.  Page tables lose what the new
 * protection removes.
 */
vmc_kr_t sim_map_protect(struct vmc_map *map, vmc_addr_t start, vmc_addr_t end,
			 vmc_prot_t prot, bool set_max)
{
	range_clamp(map, &start, &end);
	map_lock_write(map);
	if (start == end)
		return KERN_SUCCESS;

	/* Does every entry in the range allow prot? */
	for (struct sim_entry *e = sim_map_entry_after(map, start);
	     e != NULL && e->start < end; e = e->next)
		if ((prot & e->max_prot) != prot)
			return KERN_PROTECTION_FAILURE;

	struct sim_entry *e = sim_map_entry_after(map, start);
	while (e != NULL && e->start < end) {
		e = sim_map_clip(map, e, start, end);
		if (set_max) {
			e->max_prot = prot;
			e->prot &= prot;
		} else {
			e->prot = prot;
		}
		if (map->task != NULL && map->task->pmap != NULL)
			sim_pmap_protect_range(map->task->pmap, e->start, e->end, e->prot);
		e = e->next;
	}
	return KERN_SUCCESS;
}

/*
 * Is [start, end) mapped without holes, every entry allowing `need`?
 * If not, *why says which rule fails first in address order:
 * KERN_INVALID_ADDRESS (a hole) or KERN_PROTECTION_FAILURE.
 */
bool sim_map_range_mapped(struct vmc_map *map, vmc_addr_t start, vmc_addr_t end,
			  vmc_prot_t need, vmc_kr_t *why)
{
	vmc_addr_t at = start;
	struct sim_entry *e = sim_map_lookup_entry(map, start);

	while (at < end) {
		if (e == NULL || e->start > at) {
			*why = KERN_INVALID_ADDRESS;
			return false;
		}
		if ((e->prot & need) != need) {
			*why = KERN_PROTECTION_FAILURE;
			return false;
		}
		at = e->end;
		e = e->next;
	}
	return true;
}

/*
 * Gives entry e an object that no copy-on-write relation reaches, so that
 * it can be shared beyond the entry (by a proxy), as GNU Mach's
 * vm_map_fork does for memory inherited shared: an entry that is
 * copy-on-write, or whose anonymous object may be the source of a symmetric
 * copy (it was copied, or it is larger than the entry, a part of it having
 * been clipped off), gets a new shadow object, and if it was writable in
 * place its page-table entries lose write, so that the next write copies
 * the page up.  An entry with no object gets one.  Objects already shared
 * (shared_copy) stay as they are.  Either way the entry is marked shared,
 * as vm_map_fork marks an entry it shares (is_shared): an overwrite
 * (vm_write, vm_copy) then writes its object in place, where the proxy
 * sees it, instead of giving the entry another object.
 */
static void entry_share(struct sim_entry *e)
{
	struct vmc_object *o = e->object;
	vmc_size_t size = e->end - e->start;

	e->shared = true;
	if (o != NULL && !e->needs_copy &&
	    !(o->internal && !o->shared_copy && (o->shadowed || o->size > size)))
		return;         /* already shareable: nothing changes */
	map_lock_write(e->map);
	if (o == NULL) {
		e->object = sim_object_create_internal(e->map->vm, size);
		e->offset = 0;
		return;
	}
	if (!e->needs_copy && (e->prot & VMC_PROT_WRITE) && e->map->task != NULL &&
	    e->map->task->pmap != NULL)
		sim_pmap_protect_range(e->map->task->pmap, e->start, e->end,
				       e->prot & ~VMC_PROT_WRITE);
	e->object = sim_object_shadow(o, e->offset, size);
	e->offset = 0;
	e->needs_copy = false;
}

/*
 * Prepares every entry holding a byte of [addr, addr + len) to be shared
 * through a proxy (entry_share), if a walk for `access` will take them
 * all: the range does not wrap, every byte is mapped with that access, in
 * at most max_entries entries.  Otherwise nothing changes and the result
 * is false (the walk then gives the answer).  The kernel's
 * vm_region_create_proxy does the same under the map's write lock
 * (vm_map_share_range, mach-port/gnumach/vm_map_proxy.c).
 */
bool sim_map_share_range(struct vmc_map *map, vmc_addr_t addr, vmc_size_t len,
			 vmc_prot_t access, uint32_t max_entries)
{
	vmc_addr_t last = addr + (len - 1);
	struct sim_entry *first = sim_map_lookup_entry(map, addr), *e;
	vmc_addr_t at = addr;
	uint32_t entries = 0;

	if (len == 0 || last < addr)
		return false;
	for (e = first;; e = e->next) {
		if (e == NULL || e->start > at || (e->prot & access) != access ||
		    ++entries > max_entries)
			return false;
		if (e->end - 1 >= last)
			break;
		at = e->end;
	}
	for (e = first;; e = e->next) {
		entry_share(e);
		if (e->end - 1 >= last)
			break;
	}
	return true;
}

/* The object offset that addr (inside e) maps to.  Entered offsets were
 * checked not to wrap over the entry's size, so this cannot fail. */
vmc_off_t sim_entry_offset(const struct sim_entry *e, vmc_addr_t addr)
{
	vmc_off_t off;

	if (!vmc_add(e->offset, addr - e->start, &off))
		vmc_panic("sim_entry_offset: entry offset wraps");
	return off;
}

/*
 * Finds the object behind addr for an access, resolving copy-on-write as
 * GNU Mach's vm_map_lookup (vm/vm_map.c) does:
 *   - no entry: KERN_INVALID_ADDRESS; access beyond the entry's current
 *     protection: KERN_PROTECTION_FAILURE (nothing changes);
 *   - needs_copy and a write: the entry gets a new shadow object now (map
 *     timestamp bumped); needs_copy and a read: write is removed from the
 *     protection returned;
 *   - no object yet: the entry gets a zero-fill object of its size.
 * On success *out is filled and the object carries a new reference, which
 * the caller drops with sim_object_unref.
 */
vmc_kr_t sim_map_lookup_object(struct vmc_map *map, vmc_addr_t addr, vmc_prot_t access,
			       struct vmc_lookup *out)
{
	struct sim_entry *e = sim_map_lookup_entry(map, addr);

	/* Is addr mapped? */
	if (e == NULL)
		return KERN_INVALID_ADDRESS;
	/* Does the entry allow the access? */
	if ((access & e->prot) != access)
		return KERN_PROTECTION_FAILURE;

	vmc_prot_t prot = e->prot;
	/* Will an object be made?  Its allocation may fail, before any change. */
	if (((e->needs_copy && (access & VMC_PROT_WRITE)) || e->object == NULL) &&
	    !sim_alloc_try())
		return KERN_RESOURCE_SHORTAGE;
	if (e->needs_copy) {
		if (access & VMC_PROT_WRITE) {
			map_lock_write(map);
			if (e->object != NULL) {
				e->object = sim_object_shadow(e->object, e->offset,
							      e->end - e->start);
				e->offset = 0;
			}
			e->needs_copy = false;
		} else {
			prot &= ~VMC_PROT_WRITE;
		}
	}
	if (e->object == NULL) {
		map_lock_write(map);
		e->object = sim_object_create_internal(map->vm, e->end - e->start);
		e->offset = 0;
	}
	sim_object_ref(e->object);
	out->object = e->object;
	out->offset = sim_entry_offset(e, addr);
	out->entry_start = e->start;
	out->entry_last = e->end - 1;
	out->prot = prot;
	out->version.stamp = map->timestamp;
	return KERN_SUCCESS;
}

/*
 * Makes entry e map `object` at `offset` instead of what it mapped (the
 * replacement step of vm_map_copy_overwrite): page-table entries of the
 * range go, the old object is released, the new one referenced.
 */
void sim_map_entry_replace(struct vmc_map *map, struct sim_entry *e,
			   struct vmc_object *object, vmc_off_t offset, bool needs_copy)
{
	map_lock_write(map);
	if (map->task != NULL && map->task->pmap != NULL)
		sim_pmap_remove_range(map->task->pmap, e->start, e->end);
	if (object != NULL)
		sim_object_ref(object);
	if (e->object != NULL)
		sim_object_unref(e->object);
	e->object = object;
	e->offset = offset;
	e->needs_copy = needs_copy;
}

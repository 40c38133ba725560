/*
 * sim_check.c: the whole-world consistency checker (sim_vm_check).
 *
 * FreeBSD's _vm_map_assert_consistent, widened to everything the simulator
 * keeps twice: the map's tree, list and hint; object reference counts
 * against the references that exist (map entries, shadow links,
 * memory-object ports, and references the core holds through vmc_port.h);
 * resident pages against the frame pool; page tables against the maps and
 * objects they cache.  Tests call it after every step that matters; it is
 * also safe to call from a yield hook, in the middle of a core operation.
 *
 * The page-table rule it enforces is the one that makes races safe: an
 * entry never grants more than a fault would grant now.  It maps the page
 * that the entry's object chain shows at that address (the first object in
 * the chain holding data there), with no more than the entry's protection,
 * and with write only if the page belongs to the entry's own object and
 * the entry is not copy-on-write.
 */
#include <stdio.h>

#include "sim_internal.h"

static char why_buf[256];

#define FAIL(...)                                                   \
	do {                                                        \
		snprintf(why_buf, sizeof why_buf, __VA_ARGS__);     \
		*why = why_buf;                                     \
		return false;                                       \
	} while (0)

static bool check_map(struct vmc_map *map, GHashTable *expect, const char **why)
{
	uint32_t n = 0;
	bool hint_found = map->hint == NULL;
	struct sim_entry *prev = NULL;

	for (struct sim_entry *e = map->first; e != NULL; prev = e, e = e->next) {
		if (e->prev != prev)
			FAIL("map %s: list back link broken at %#llx", map->task->label,
			     (unsigned long long)e->start);
		if (e->map != map)
			FAIL("map %s: entry %#llx names another map", map->task->label,
			     (unsigned long long)e->start);
		if (!vmc_page_aligned(e->start) || !vmc_page_aligned(e->end) || e->start >= e->end)
			FAIL("map %s: entry [%#llx, %#llx) empty or unaligned", map->task->label,
			     (unsigned long long)e->start, (unsigned long long)e->end);
		if (e->start < SIM_MAP_MIN || e->end > SIM_MAP_MAX(map))
			FAIL("map %s: entry %#llx outside the space", map->task->label,
			     (unsigned long long)e->start);
		if (prev != NULL && prev->end > e->start)
			FAIL("map %s: entries %#llx and %#llx overlap or are out of order",
			     map->task->label, (unsigned long long)prev->start,
			     (unsigned long long)e->start);
		if (g_tree_lookup(map->tree, e) != e)
			FAIL("map %s: entry %#llx missing from the tree", map->task->label,
			     (unsigned long long)e->start);
		/* (The current protection may exceed the maximum: GNU Mach's
		 * vm_map_enter does not compare them.) */
		if (!vmc_prot_valid(e->prot) || !vmc_prot_valid(e->max_prot))
			FAIL("map %s: entry %#llx has invalid protection", map->task->label,
			     (unsigned long long)e->start);
		if (e->needs_copy && e->object == NULL)
			FAIL("map %s: entry %#llx needs a copy of nothing", map->task->label,
			     (unsigned long long)e->start);
		vmc_off_t last;
		if (!vmc_add(e->offset, e->end - e->start - 1, &last))
			FAIL("map %s: entry %#llx offset wraps", map->task->label,
			     (unsigned long long)e->start);
		if (e == map->hint)
			hint_found = true;
		if (e->object != NULL) {
			gpointer c = g_hash_table_lookup(expect, e->object);
			g_hash_table_insert(expect, e->object, GUINT_TO_POINTER(GPOINTER_TO_UINT(c) + 1));
		}
		n++;
	}
	if (prev != map->last)
		FAIL("map %s: last pointer is not the last entry", map->task->label);
	if (n != map->nentries || (gint)n != g_tree_nnodes(map->tree))
		FAIL("map %s: list has %u entries, count %u, tree %d", map->task->label, n,
		     map->nentries, g_tree_nnodes(map->tree));
	if (!hint_found)
		FAIL("map %s: hint is not an entry", map->task->label);
	if (map->hint != NULL && (map->hint_start != map->hint->start ||
				  map->hint_end != map->hint->end))
		FAIL("map %s: the hint's cached bounds are stale", map->task->label);
	if (map->index_valid) {
		uint32_t i = 0;
		if (map->index_len != n)
			FAIL("map %s: lookup index has %u entries, list %u", map->task->label,
			     map->index_len, n);
		for (struct sim_entry *e = map->first; e != NULL; e = e->next, i++)
			if (map->index_slot[i].entry != e || map->index_slot[i].start != e->start ||
			    map->index_slot[i].end != e->end)
				FAIL("map %s: lookup index disagrees with the list at %u",
				     map->task->label, i);
		/* Every bucket names the last entry starting at or below its
		 * first address. */
		for (uint32_t b = 0; n > 0 && b < map->index_nbucket; b++) {
			vmc_addr_t first = map->index_lo + ((vmc_addr_t)b << map->index_shift);
			const struct sim_index_slot *bk = &map->index_bucket[b];
			uint32_t k = map->index_pos[b];
			if (k >= n || bk->entry != map->index_slot[k].entry ||
			    bk->start != map->index_slot[k].start ||
			    bk->end != map->index_slot[k].end ||
			    map->index_slot[k].start > first ||
			    (k + 1 < n && map->index_slot[k + 1].start <= first))
				FAIL("map %s: lookup bucket %u is wrong", map->task->label, b);
		}
		if (n > 0 && map->index_pos[map->index_nbucket] != n - 1)
			FAIL("map %s: lookup index does not end at the last entry",
			     map->task->label);
	}
	return true;
}

/* The first object down e's chain holding data for addr, and its offset. */
static struct vmc_object *chain_holder(struct sim_entry *e, vmc_addr_t addr, vmc_off_t *off)
{
	struct vmc_object *o = e->object;
	vmc_off_t x = sim_entry_offset(e, addr);

	while (o != NULL) {
		if (sim_object_has_data(o, x) || o->has_pager || o->shadow == NULL)
			break;
		if (!vmc_add(x, o->shadow_offset, &x))
			return NULL;
		o = o->shadow;
	}
	*off = x;
	return o;
}

static bool check_pte(struct sim_task *t, struct sim_pte *pte, const char **why)
{
	unsigned long long va = (unsigned long long)pte->vpage;
	struct sim_entry *e = sim_map_entry_peek(t->map, pte->vpage);

	if (e == NULL)
		FAIL("pmap %s: %#llx mapped by the page table, not by the map", t->label, va);
	if ((pte->prot & ~e->prot) != 0)
		FAIL("pmap %s: %#llx page table grants more than the entry", t->label, va);
	if (g_slist_find(pte->page->mappings, pte) == NULL)
		FAIL("pmap %s: %#llx missing from its page's reverse map", t->label, va);
	vmc_off_t off = 0;
	struct vmc_object *holder = chain_holder(e, pte->vpage, &off);
	if (holder == NULL || holder != pte->page->object || off != pte->page->offset)
		FAIL("pmap %s: %#llx maps a page the object chain no longer shows", t->label, va);
	if (sim_pindex_lookup(&holder->pages, (uint64_t)off >> VMC_PAGE_SHIFT) != pte->page)
		FAIL("pmap %s: %#llx maps a page that is not resident", t->label, va);
	if ((pte->prot & VMC_PROT_WRITE) && (holder != e->object || e->needs_copy))
		FAIL("pmap %s: %#llx writable on a copy-on-write page", t->label, va);
	return true;
}

static bool check_pmap(struct sim_task *t, uint64_t *ptes, const char **why)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, t->pmap->ptes);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct sim_pte *pte = v;
		if (pte->pmap != t->pmap || (pte->vpage >> VMC_PAGE_SHIFT) != (uintptr_t)k)
			FAIL("pmap %s: entry filed under the wrong key", t->label);
		if (!check_pte(t, pte, why))
			return false;
		(*ptes)++;
	}
	return true;
}

/* References held by ports and shadow links. */
static void count_other_refs(struct sim_vm *vm, GHashTable *expect)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, vm->objects);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct vmc_object *o = k;
		if (o->shadow != NULL) {
			gpointer c = g_hash_table_lookup(expect, o->shadow);
			g_hash_table_insert(expect, o->shadow,
					    GUINT_TO_POINTER(GPOINTER_TO_UINT(c) + 1));
		}
	}
	for (guint i = 0; i < vm->ports->len; i++) {
		struct sim_port *p = g_ptr_array_index(vm->ports, i);
		if (p->kind == SIM_PORT_MEMORY_OBJECT && p->kobject != NULL) {
			gpointer c = g_hash_table_lookup(expect, p->kobject);
			g_hash_table_insert(expect, p->kobject,
					    GUINT_TO_POINTER(GPOINTER_TO_UINT(c) + 1));
		}
	}
}

static bool check_objects(struct sim_vm *vm, GHashTable *expect, uint64_t *resident,
			  uint64_t *mappings, const char **why)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, vm->objects);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct vmc_object *o = k;
		uint32_t want = GPOINTER_TO_UINT(g_hash_table_lookup(expect, o)) + o->port_refs;
		if (o->refs != want)
			FAIL("object %llu: %u references, %u found", (unsigned long long)o->id,
			     o->refs, want);
		for (guint i = 0; i < o->copies->len; i++) {
			struct vmc_object *c = g_ptr_array_index(o->copies, i);
			if (c->shadow != o)
				FAIL("object %llu: a registered copy does not shadow it",
				     (unsigned long long)o->id);
		}
		const char *ixwhy = NULL;
		if (!sim_pindex_check(&o->pages, &ixwhy) || !sim_object_frames_check(o, &ixwhy))
			FAIL("object %llu: %s", (unsigned long long)o->id, ixwhy);
		struct vmc_page *p;
		uint64_t pn;
		for (p = sim_pindex_first(&o->pages, &pn); p != NULL;
		     p = sim_pindex_after(&o->pages, pn, &pn)) {
			if (p->object != o || ((uint64_t)p->offset >> VMC_PAGE_SHIFT) != pn)
				FAIL("object %llu: page filed under the wrong key",
				     (unsigned long long)o->id);
			if (p->link == NULL || p->link->data != p)
				FAIL("object %llu: page not in the resident queue",
				     (unsigned long long)o->id);
			if (!o->alive && p->busy == 0)
				FAIL("object %llu: dead object keeps an unpinned page",
				     (unsigned long long)o->id);
			*mappings += g_slist_length(p->mappings);
			(*resident)++;
		}
	}
	return true;
}

bool sim_vm_check(struct sim_vm *vm, const char **why)
{
	GHashTable *expect = g_hash_table_new(g_direct_hash, g_direct_equal);
	uint64_t ptes = 0, resident = 0, mappings = 0;
	bool ok = true;

	for (guint i = 0; ok && i < vm->tasks->len; i++) {
		struct sim_task *t = g_ptr_array_index(vm->tasks, i);
		if (!t->alive)
			continue;
		ok = check_map(t->map, expect, why) && check_pmap(t, &ptes, why);
	}
	if (ok) {
		count_other_refs(vm, expect);
		ok = check_objects(vm, expect, &resident, &mappings, why);
	}
	g_hash_table_destroy(expect);
	if (!ok)
		return false;
	if (vm->peeks != 0)
		FAIL("%u page peeks still open", vm->peeks);
	if (resident != vm->frames_used || resident != g_queue_get_length(&vm->resident))
		FAIL("frames: %llu resident pages, %u frames used, %u queued",
		     (unsigned long long)resident, vm->frames_used,
		     g_queue_get_length(&vm->resident));
	if (vm->frames_used > vm->frames)
		FAIL("frames: %u used of %u", vm->frames_used, vm->frames);
	if (ptes != mappings)
		FAIL("page tables hold %llu entries, reverse maps %llu",
		     (unsigned long long)ptes, (unsigned long long)mappings);
	*why = NULL;
	return true;
}

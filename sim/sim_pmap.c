/*
 * sim_pmap.c: per-task simulated page tables.
 *
 * A pmap maps a task's virtual pages to resident pages with a protection,
 * like the hardware tables a real pmap module maintains.  A task's loads and
 * stores (sim_task_load/store) go through it and fault when an entry is
 * missing or too weak.  Every entry is also linked from its page (the
 * reverse map, GNU Mach's pv lists), so that a page can lose all its
 * mappings at once: when it is evicted, copied up for copy-on-write, pushed
 * to a copy, or its object is terminated.
 *
 * The invariant that makes this safe: a page-table entry never grants more
 * than the map entry and the object chain would grant on a fault now.
 * Whoever changes the map (unmap, protect) or the page (evict, copy up)
 * removes or downgrades the entries first; sim_vm_check verifies it.
 *
 * Each removal batch counts one TLB flush, as a real pmap would flush once
 * per pmap_remove / pmap_protect / pmap_page_protect call.
 */
#include "sim_internal.h"

static gpointer vkey(vmc_addr_t vpage)
{
	return (gpointer)(uintptr_t)(vpage >> VMC_PAGE_SHIFT);
}

struct sim_pmap *sim_pmap_create(struct sim_task *task)
{
	struct sim_pmap *pmap = g_new0(struct sim_pmap, 1);

	pmap->task = task;
	pmap->ptes = g_hash_table_new(g_direct_hash, g_direct_equal);
	return pmap;
}

/* Unlinks pte from its page and its pmap and frees it (no counting). */
static void pte_drop(struct sim_pte *pte)
{
	pte->page->mappings = g_slist_remove(pte->page->mappings, pte);
	g_hash_table_remove(pte->pmap->ptes, vkey(pte->vpage));
	g_free(pte);
}

/* Frees an empty pmap.  The map was emptied first (sim_map_destroy). */
void sim_pmap_destroy(struct sim_pmap *pmap)
{
	if (pmap == NULL)
		return;
	if (g_hash_table_size(pmap->ptes) != 0)
		vmc_panic("sim_pmap_destroy: entries left");
	g_hash_table_destroy(pmap->ptes);
	g_free(pmap);
}

struct sim_pte *sim_pmap_find(struct sim_pmap *pmap, vmc_addr_t vpage)
{
	return g_hash_table_lookup(pmap->ptes, vkey(vpage));
}

/* Maps vpage to page with prot, replacing any previous entry.  [pmap_enter] */
void sim_pmap_enter(struct sim_pmap *pmap, vmc_addr_t vpage, struct vmc_page *page,
		    vmc_prot_t prot)
{
	struct sim_pte *old = sim_pmap_find(pmap, vpage);
	struct sim_vm *vm = pmap->task->vm;

	if (old != NULL && old->page == page) {
		old->prot = prot;
		sim_count(vm, SIM_EV_PTE_ENTER, 1);
		return;
	}
	if (old != NULL) {
		pte_drop(old);
		sim_count(vm, SIM_EV_PTE_REMOVE, 1);
		sim_count(vm, SIM_EV_TLB_FLUSH, 1);
	}
	struct sim_pte *pte = g_new0(struct sim_pte, 1);
	pte->pmap = pmap;
	pte->vpage = vpage;
	pte->page = page;
	pte->prot = prot;
	g_hash_table_insert(pmap->ptes, vkey(vpage), pte);
	page->mappings = g_slist_prepend(page->mappings, pte);
	sim_count(vm, SIM_EV_PTE_ENTER, 1);
}

/* Calls fn on every entry of pmap inside [start, end), whichever is
 * cheaper: walking the pages of the range or the entries of the pmap. */
static void range_each(struct sim_pmap *pmap, vmc_addr_t start, vmc_addr_t end,
		       void (*fn)(struct sim_pte *, vmc_prot_t, uint64_t *), vmc_prot_t prot,
		       uint64_t *n)
{
	uint64_t pages = (end - start) >> VMC_PAGE_SHIFT;

	if (pages <= g_hash_table_size(pmap->ptes)) {
		for (vmc_addr_t va = start; va < end; va += VMC_PAGE_SIZE) {
			struct sim_pte *pte = sim_pmap_find(pmap, va);
			if (pte != NULL)
				fn(pte, prot, n);
		}
		return;
	}
	GPtrArray *hit = g_ptr_array_new();
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, pmap->ptes);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct sim_pte *pte = v;
		if (pte->vpage >= start && pte->vpage < end)
			g_ptr_array_add(hit, pte);
	}
	for (guint i = 0; i < hit->len; i++)
		fn(g_ptr_array_index(hit, i), prot, n);
	g_ptr_array_free(hit, TRUE);
}

static void pte_remove_one(struct sim_pte *pte, vmc_prot_t unused, uint64_t *n)
{
	(void)unused;
	pte_drop(pte);
	(*n)++;
}

static void pte_protect_one(struct sim_pte *pte, vmc_prot_t prot, uint64_t *n)
{
	if ((pte->prot & ~prot) == 0)
		return;
	pte->prot &= prot;
	if (pte->prot == VMC_PROT_NONE)
		pte_drop(pte);
	(*n)++;
}

static void count_batch(struct sim_pmap *pmap, uint64_t n)
{
	if (n == 0)
		return;
	sim_count(pmap->task->vm, SIM_EV_PTE_REMOVE, n);
	sim_count(pmap->task->vm, SIM_EV_TLB_FLUSH, 1);
}

/* Removes every entry in [start, end).  [pmap_remove] */
void sim_pmap_remove_range(struct sim_pmap *pmap, vmc_addr_t start, vmc_addr_t end)
{
	uint64_t n = 0;

	range_each(pmap, start, end, pte_remove_one, 0, &n);
	count_batch(pmap, n);
}

/* Lowers every entry in [start, end) to at most prot (none: removed).
 * [pmap_protect] */
void sim_pmap_protect_range(struct sim_pmap *pmap, vmc_addr_t start, vmc_addr_t end,
			    vmc_prot_t prot)
{
	uint64_t n = 0;

	range_each(pmap, start, end, pte_protect_one, prot, &n);
	count_batch(pmap, n);
}

/* Removes every mapping of page, in every pmap.  [pmap_page_protect(NONE)] */
void sim_pmap_page_remove_all(struct vmc_page *page)
{
	while (page->mappings != NULL) {
		struct sim_pte *pte = page->mappings->data;
		struct sim_pmap *pmap = pte->pmap;
		pte_drop(pte);
		count_batch(pmap, 1);
	}
}

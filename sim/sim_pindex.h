/*
 * sim_pindex.h: a page index, the resident pages of one object by page
 * number (object->pages; GNU Mach's vm_page_lookup hash).
 *
 * A radix tree over 64-bit keys (page numbers: offset >> VMC_PAGE_SHIFT) of
 * 64-way nodes, only as tall as its largest key needs: an object of up to
 * 256 KiB is one level, up to 16 MiB two.  It remembers the last leaf a
 * lookup or an insertion went through (the hint): a copy walks an object's
 * pages in order, so 63 lookups of 64 end at the hint with one compare and
 * one load, inline; the others walk the levels.  What it replaced, a
 * GHashTable, cost about 77 instructions a lookup, two lookups per page
 * copied by the resident shortcut.
 *
 * The index stores pointers (never NULL) and owns only its nodes.  Removing
 * is allowed during an iteration (sim_pindex_first/after walk from the root
 * each time), and the iteration is in key order.  A lookup may move the
 * hint, so it takes the index writable.  Nodes come from GLib (g_new0,
 * which aborts on exhaustion, as the pages they index do): an insertion
 * never fails.
 */
#ifndef SIM_PINDEX_H
#define SIM_PINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_PINDEX_BITS 6                            /* key bits per level */
#define SIM_PINDEX_FANOUT (1u << SIM_PINDEX_BITS)
#define SIM_PINDEX_MASK ((uint64_t)SIM_PINDEX_FANOUT - 1)
#define SIM_PINDEX_HEIGHT_MAX ((64 + SIM_PINDEX_BITS - 1) / SIM_PINDEX_BITS)

struct sim_pindex_node {
	void *slot[SIM_PINDEX_FANOUT];  /* children; at level 0, the values */
	uint32_t used;                  /* slots not NULL */
};

struct sim_pindex {
	struct sim_pindex_node *root;   /* NULL: empty */
	unsigned height;                /* levels (0 when empty): the root
					 * holds keys below 2^(BITS * height) */
	size_t count;                   /* values */
	struct sim_pindex_node *hint;   /* a leaf of the tree, or NULL */
	uint64_t hint_base;             /* its keys' key >> SIM_PINDEX_BITS */
};

void sim_pindex_init(struct sim_pindex *ix);

/* Frees the nodes, not the values; the index is empty afterwards. */
void sim_pindex_destroy(struct sim_pindex *ix);

/* The value at key by the walk from the root, or NULL; moves the hint to
 * key's leaf.  sim_pindex_lookup's out-of-line half. */
void *sim_pindex_lookup_walk(struct sim_pindex *ix, uint64_t key);

/* Is key under the hint, so that sim_pindex_lookup of it makes no call? */
static inline bool sim_pindex_hinted(const struct sim_pindex *ix, uint64_t key)
{
	return ix->hint != NULL && ix->hint_base == key >> SIM_PINDEX_BITS;
}

/* The value at key, or NULL. */
static inline void *sim_pindex_lookup(struct sim_pindex *ix, uint64_t key)
{
	if (sim_pindex_hinted(ix, key))
		return ix->hint->slot[key & SIM_PINDEX_MASK];
	return sim_pindex_lookup_walk(ix, key);
}

/* Files value (not NULL) under key, which must be free (panics otherwise). */
void sim_pindex_insert(struct sim_pindex *ix, uint64_t key, void *value);

/* Takes the value at key out and returns it, or NULL if there is none;
 * nodes left empty are freed, and the tree shortened when it can be. */
void *sim_pindex_remove(struct sim_pindex *ix, uint64_t key);

/* The value with the smallest key, with its key in *key; NULL if empty. */
void *sim_pindex_first(const struct sim_pindex *ix, uint64_t *key);

/* The value with the smallest key above `key` (which need not be filed,
 * nor be any more), with its key in *next; NULL if there is none. */
void *sim_pindex_after(const struct sim_pindex *ix, uint64_t key, uint64_t *next);

static inline size_t sim_pindex_count(const struct sim_pindex *ix)
{
	return ix->count;
}

/* The index's own consistency: every node's count of used slots, the
 * number of values, no empty node, no key beyond the height, the hint a
 * leaf of the tree at its base.  False with *why set if broken. */
bool sim_pindex_check(const struct sim_pindex *ix, const char **why);

#endif /* SIM_PINDEX_H */

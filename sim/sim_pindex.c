/*
 * sim_pindex.c: the page index.  See sim_pindex.h.
 *
 * Levels are numbered from the leaves: a node of level l holds, in slot i,
 * what is under keys whose bits [BITS*l, BITS*(l+1)) are i; level 0 holds
 * the values.  The root is at level height - 1.  The tree grows upwards
 * (a new root whose slot 0 is the old one) when a key beyond its height
 * arrives, and shrinks back when only slot 0 of the root is left, so an
 * object whose high pages went keeps a short walk.  No node is ever empty:
 * the removal that empties one frees it, and its parent's slot with it.
 */
#include <glib.h>

#include "sim_pindex.h"
#include "vmc_port.h"

/* Does a tree of `height` levels hold `key`? */
static bool height_holds(unsigned height, uint64_t key)
{
	return height >= SIM_PINDEX_HEIGHT_MAX || (key >> (SIM_PINDEX_BITS * height)) == 0;
}

/* key's slot in a node of level l. */
static unsigned slot_of(uint64_t key, unsigned level)
{
	return (unsigned)((key >> (SIM_PINDEX_BITS * level)) & SIM_PINDEX_MASK);
}

void sim_pindex_init(struct sim_pindex *ix)
{
	ix->root = NULL;
	ix->height = 0;
	ix->count = 0;
	ix->hint = NULL;
	ix->hint_base = 0;
}

static void node_free_all(struct sim_pindex_node *n, unsigned level)
{
	if (level > 0)
		for (unsigned i = 0; i < SIM_PINDEX_FANOUT; i++)
			if (n->slot[i] != NULL)
				node_free_all(n->slot[i], level - 1);
	g_free(n);
}

void sim_pindex_destroy(struct sim_pindex *ix)
{
	if (ix->root != NULL)
		node_free_all(ix->root, ix->height - 1);
	sim_pindex_init(ix);
}

void *sim_pindex_lookup_walk(struct sim_pindex *ix, uint64_t key)
{
	struct sim_pindex_node *n = ix->root;

	if (n == NULL || !height_holds(ix->height, key))
		return NULL;
	for (unsigned l = ix->height - 1; l > 0; l--) {
		n = n->slot[slot_of(key, l)];
		if (n == NULL)
			return NULL;
	}
	ix->hint = n;
	ix->hint_base = key >> SIM_PINDEX_BITS;
	return n->slot[key & SIM_PINDEX_MASK];
}

void sim_pindex_insert(struct sim_pindex *ix, uint64_t key, void *value)
{
	struct sim_pindex_node *n;

	if (value == NULL)
		vmc_panic("sim_pindex_insert: a NULL value");
	if (ix->root == NULL) {
		/* As short as key allows: no node on another key's way. */
		ix->root = g_new0(struct sim_pindex_node, 1);
		for (ix->height = 1; !height_holds(ix->height, key); ix->height++)
			;
	}
	/* Grow upwards until the root holds key. */
	while (!height_holds(ix->height, key)) {
		n = g_new0(struct sim_pindex_node, 1);
		n->slot[0] = ix->root;
		n->used = 1;
		ix->root = n;
		ix->height++;
	}
	n = ix->root;
	for (unsigned l = ix->height - 1; l > 0; l--) {
		struct sim_pindex_node **child = (struct sim_pindex_node **)&n->slot[slot_of(key, l)];
		if (*child == NULL) {
			*child = g_new0(struct sim_pindex_node, 1);
			n->used++;
		}
		n = *child;
	}
	if (n->slot[key & SIM_PINDEX_MASK] != NULL)
		vmc_panic("sim_pindex_insert: key already filed");
	n->slot[key & SIM_PINDEX_MASK] = value;
	n->used++;
	ix->count++;
	ix->hint = n;
	ix->hint_base = key >> SIM_PINDEX_BITS;
}

/* Lets the hint go if it is n (about to be freed). */
static void hint_forget(struct sim_pindex *ix, const struct sim_pindex_node *n)
{
	if (ix->hint == n)
		ix->hint = NULL;
}

void *sim_pindex_remove(struct sim_pindex *ix, uint64_t key)
{
	struct sim_pindex_node *path[SIM_PINDEX_HEIGHT_MAX];
	struct sim_pindex_node *n = ix->root;
	void *value;

	if (n == NULL || !height_holds(ix->height, key))
		return NULL;
	/* path[l]: the node of level l on key's way. */
	for (unsigned l = ix->height - 1;; l--) {
		path[l] = n;
		if (l == 0)
			break;
		n = n->slot[slot_of(key, l)];
		if (n == NULL)
			return NULL;
	}
	value = n->slot[key & SIM_PINDEX_MASK];
	if (value == NULL)
		return NULL;
	n->slot[key & SIM_PINDEX_MASK] = NULL;
	n->used--;
	ix->count--;
	/* Free the nodes this left empty, from the leaf up. */
	for (unsigned l = 0; l < ix->height && path[l]->used == 0; l++) {
		hint_forget(ix, path[l]);
		g_free(path[l]);
		if (l + 1 == ix->height) {
			sim_pindex_init(ix);
			return value;
		}
		path[l + 1]->slot[slot_of(key, l + 1)] = NULL;
		path[l + 1]->used--;
	}
	/* Shorten the tree while its root holds only slot 0. */
	while (ix->height > 1 && ix->root->used == 1 && ix->root->slot[0] != NULL) {
		struct sim_pindex_node *old = ix->root;
		ix->root = old->slot[0];
		ix->height--;
		g_free(old);
	}
	return value;
}

/* The value with the smallest key at or above `from` under n, a node of
 * `level` whose first key is base (from below base: all of n counts). */
static void *node_next(const struct sim_pindex_node *n, unsigned level, uint64_t base,
		       uint64_t from, uint64_t *key)
{
	unsigned shift = SIM_PINDEX_BITS * level;
	unsigned i = from > base ? (unsigned)((from - base) >> shift) : 0;

	for (; i < SIM_PINDEX_FANOUT; i++) {
		void *c = n->slot[i];
		if (c == NULL)
			continue;
		uint64_t cbase = base + ((uint64_t)i << shift);
		if (level == 0) {
			*key = cbase;
			return c;
		}
		void *v = node_next(c, level - 1, cbase, from, key);
		if (v != NULL)
			return v;
	}
	return NULL;
}

/* The value with the smallest key at or above from. */
static void *next_from(const struct sim_pindex *ix, uint64_t from, uint64_t *key)
{
	if (ix->root == NULL || !height_holds(ix->height, from))
		return NULL;
	return node_next(ix->root, ix->height - 1, 0, from, key);
}

void *sim_pindex_first(const struct sim_pindex *ix, uint64_t *key)
{
	return next_from(ix, 0, key);
}

void *sim_pindex_after(const struct sim_pindex *ix, uint64_t key, uint64_t *next)
{
	if (key == UINT64_MAX)
		return NULL;
	return next_from(ix, key + 1, next);
}

/* Checks the subtree of n (level `level`, first key base): adds its values
 * to *values; notes in *hint_found whether the hint is among its leaves at
 * the right base. */
static bool node_check(const struct sim_pindex *ix, const struct sim_pindex_node *n,
		       unsigned level, uint64_t base, size_t *values, bool *hint_found,
		       const char **why)
{
	uint32_t used = 0;

	for (unsigned i = 0; i < SIM_PINDEX_FANOUT; i++) {
		if (n->slot[i] == NULL)
			continue;
		used++;
		if (level > 0 && !node_check(ix, n->slot[i], level - 1,
					     base + ((uint64_t)i << (SIM_PINDEX_BITS * level)),
					     values, hint_found, why))
			return false;
	}
	if (used != n->used) {
		*why = "sim_pindex: a node's count of used slots is wrong";
		return false;
	}
	if (used == 0) {
		*why = "sim_pindex: an empty node was kept";
		return false;
	}
	if (level == 0) {
		*values += used;
		if (n == ix->hint) {
			if (ix->hint_base != base >> SIM_PINDEX_BITS) {
				*why = "sim_pindex: the hint names the wrong keys";
				return false;
			}
			*hint_found = true;
		}
	}
	return true;
}

bool sim_pindex_check(const struct sim_pindex *ix, const char **why)
{
	size_t values = 0;
	bool hint_found = false;

	if (ix->root == NULL) {
		if (ix->height != 0 || ix->count != 0 || ix->hint != NULL) {
			*why = "sim_pindex: an empty index with a height, values or a hint";
			return false;
		}
		return true;
	}
	if (ix->height == 0 || ix->height > SIM_PINDEX_HEIGHT_MAX) {
		*why = "sim_pindex: a tree of impossible height";
		return false;
	}
	/* The top level uses only the slots the key width allows. */
	if (ix->height == SIM_PINDEX_HEIGHT_MAX) {
		unsigned top_bits = 64 - SIM_PINDEX_BITS * (SIM_PINDEX_HEIGHT_MAX - 1);
		for (unsigned i = 1u << top_bits; i < SIM_PINDEX_FANOUT; i++)
			if (ix->root->slot[i] != NULL) {
				*why = "sim_pindex: a key beyond 64 bits";
				return false;
			}
	}
	if (!node_check(ix, ix->root, ix->height - 1, 0, &values, &hint_found, why))
		return false;
	if (values != ix->count) {
		*why = "sim_pindex: the count of values is wrong";
		return false;
	}
	if (ix->hint != NULL && !hint_found) {
		*why = "sim_pindex: the hint is not a leaf of the tree";
		return false;
	}
	*why = NULL;
	return true;
}

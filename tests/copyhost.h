/*
 * copyhost.h: a small host for the copy engine's and the range walk's unit
 * tests: maps, objects with pages, pager answers, races.
 *
 * It implements the map, page and race parts of core/vmc_port.h with plain
 * arrays, so that the engine can be tested byte for byte without the
 * simulator, and against a model that shares no code with it:
 *   - a map is a sorted array of entries (start, size, object, offset, prot)
 *     and a version stamp that every change bumps;
 *   - an object is an array of bytes ("the pager's data") with, per page, a
 *     pager answer (data, error, unavailable, never) and a resident flag;
 *     a terminated object fails every fault;
 *   - pins, map verifications and object references are counted, and
 *     ch_check() says whether all of them are back to their baseline.
 * No copy-on-write: a write lookup returns the entry's object.  Objects and
 * maps live until ch_reset().  Not thread-safe, like the tests.
 */
#ifndef COPYHOST_H
#define COPYHOST_H

#include "vmc_port.h"

#define CH_MAX_ENTRIES 32
#define CH_MAX_PAGES   64

enum ch_answer { CH_DATA, CH_ERROR, CH_UNAVAILABLE, CH_NEVER, CH_RETRY_ONCE };

struct vmc_object {
	int id;
	int refs;                   /* references held by the engine */
	bool alive;
	bool alias;                 /* every page is page 0 (sparse, any size) */
	unsigned npages;
	unsigned char *data;        /* npages * VMC_PAGE_SIZE bytes */
	enum ch_answer answer[CH_MAX_PAGES];
	bool resident[CH_MAX_PAGES];
	int pins[CH_MAX_PAGES];
	bool dirty[CH_MAX_PAGES];
};

struct ch_entry {
	vmc_addr_t start;
	vmc_size_t size;
	struct vmc_object *object;
	vmc_off_t offset;
	vmc_prot_t prot;
};

struct vmc_map {
	unsigned n;
	struct ch_entry e[CH_MAX_ENTRIES];
	vmc_addr_t stamp;
	int verified;               /* outstanding successful verifies */
};

/* Frees every object and map made since the last reset. */
void ch_reset(void);

/* An object of npages pages; byte i holds fill(i) (fill NULL: zeros). */
struct vmc_object *ch_object(int id, unsigned npages, unsigned char (*fill)(int id, vmc_addr_t i));
/* An object of 2^64 bytes whose pages all share one page of storage:
 * for multi-GiB transfers that only count. */
struct vmc_object *ch_object_alias(int id);
/* An empty map. */
struct vmc_map *ch_map(void);

/* Map changes (each bumps the version).  enter: a new entry, must not
 * overlap.  remove / protect: every byte of [start, start+size) held by an
 * entry, clipping entries at the edges. */
void ch_map_enter(struct vmc_map *map, vmc_addr_t start, vmc_size_t size,
		  struct vmc_object *object, vmc_off_t offset, vmc_prot_t prot);
void ch_map_remove(struct vmc_map *map, vmc_addr_t start, vmc_size_t size);
void ch_map_protect(struct vmc_map *map, vmc_addr_t start, vmc_size_t size, vmc_prot_t prot);

/* Objects: evict every unpinned page; terminate. */
void ch_object_evict_all(struct vmc_object *object);
void ch_object_terminate(struct vmc_object *object);

/* The next n calls of vmc_page_still_current return false. */
void ch_fail_still_current(int n);

/* The resident shortcut (vmc_map_lookup_locked, vmc_object_page_peek): off
 * after a reset, so that every chunk takes the general path and reaches
 * every yield point; on, a map entry allowing the access is looked up under
 * the map's lock and a resident, alive, unpinned page is peeked.  fail_try: a peek that only
 * tries its object's lock fails (another CPU holds it). */
void ch_set_shortcut(bool on, bool fail_try);

/* Races: fn is called at every vmc_may_block (NULL: none). */
typedef void (*ch_yield_fn)(enum vmc_block_point where, void *ctx);
void ch_set_yield(ch_yield_fn fn, void *ctx);

/* Event counts since the last reset. */
struct ch_counts {
	unsigned long lookups, faults, verifies, verify_failures, yields;
	unsigned long peeks, peek_declines, locked_lookups;
};
const struct ch_counts *ch_counts(void);

/* Are all pins, verifications and references released?  Otherwise false
 * with a reason in *why. */
bool ch_check(const char **why);

#endif /* COPYHOST_H */

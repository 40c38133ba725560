/*
 * copyhost.c: see copyhost.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmc_kern_names.h"
#include "copyhost.h"
#include "vmc_copy.h"

#define CH_MAX_OBJECTS 64
#define CH_MAX_MAPS 8

static struct vmc_object *objects[CH_MAX_OBJECTS];
static unsigned nobjects;
static struct vmc_map *maps[CH_MAX_MAPS];
static unsigned nmaps;
static struct ch_counts counts;
static int still_current_failures;
static bool shortcut, shortcut_fail_try;
static int peeks_open;
static ch_yield_fn yield_fn;
static void *yield_ctx;

void ch_reset(void)
{
	for (unsigned i = 0; i < nobjects; i++) {
		free(objects[i]->data);
		free(objects[i]);
	}
	for (unsigned i = 0; i < nmaps; i++)
		free(maps[i]);
	nobjects = nmaps = 0;
	memset(&counts, 0, sizeof counts);
	still_current_failures = 0;
	shortcut = shortcut_fail_try = false;
	peeks_open = 0;
	yield_fn = NULL;
	yield_ctx = NULL;
}

struct vmc_object *ch_object(int id, unsigned npages, unsigned char (*fill)(int id, vmc_addr_t i))
{
	assert_true(nobjects < CH_MAX_OBJECTS && npages <= CH_MAX_PAGES);
	struct vmc_object *o = calloc(1, sizeof *o);
	o->id = id;
	o->alive = true;
	o->npages = npages;
	o->data = calloc(npages ? npages : 1, VMC_PAGE_SIZE);
	for (vmc_addr_t i = 0; fill != NULL && i < npages * VMC_PAGE_SIZE; i++)
		o->data[i] = fill(id, i);
	objects[nobjects++] = o;
	return o;
}

struct vmc_object *ch_object_alias(int id)
{
	struct vmc_object *o = ch_object(id, 1, NULL);
	o->alias = true;
	return o;
}

struct vmc_map *ch_map(void)
{
	assert_true(nmaps < CH_MAX_MAPS);
	struct vmc_map *m = calloc(1, sizeof *m);
	m->stamp = 1;
	maps[nmaps++] = m;
	return m;
}

/* Entries --------------------------------------------------------------------- */

static void insert_at(struct vmc_map *map, unsigned i, const struct ch_entry *e)
{
	assert_true(map->n < CH_MAX_ENTRIES);
	memmove(&map->e[i + 1], &map->e[i], (map->n - i) * sizeof map->e[0]);
	map->e[i] = *e;
	map->n++;
}

static void remove_at(struct vmc_map *map, unsigned i)
{
	memmove(&map->e[i], &map->e[i + 1], (map->n - i - 1) * sizeof map->e[0]);
	map->n--;
}

void ch_map_enter(struct vmc_map *map, vmc_addr_t start, vmc_size_t size,
		  struct vmc_object *object, vmc_off_t offset, vmc_prot_t prot)
{
	unsigned i = 0;

	assert_true(size > 0);
	while (i < map->n && map->e[i].start < start)
		i++;
	if (i > 0)
		assert_true(map->e[i - 1].start + map->e[i - 1].size <= start);
	if (i < map->n)
		assert_true(start + size <= map->e[i].start);
	struct ch_entry e = { start, size, object, offset, prot };
	insert_at(map, i, &e);
	map->stamp++;
}

/* Splits the entry holding addr (if any) so that an entry starts at addr. */
static void clip_at(struct vmc_map *map, vmc_addr_t addr)
{
	for (unsigned i = 0; i < map->n; i++) {
		struct ch_entry *e = &map->e[i];
		if (addr > e->start && addr - e->start < e->size) {
			struct ch_entry tail = *e;
			vmc_size_t head = addr - e->start;
			tail.start = addr;
			tail.size = e->size - head;
			tail.offset = e->offset + head;
			e->size = head;
			insert_at(map, i + 1, &tail);
			return;
		}
	}
}

void ch_map_remove(struct vmc_map *map, vmc_addr_t start, vmc_size_t size)
{
	clip_at(map, start);
	clip_at(map, start + size);
	for (unsigned i = 0; i < map->n;) {
		if (map->e[i].start >= start && map->e[i].start - start < size)
			remove_at(map, i);
		else
			i++;
	}
	map->stamp++;
}

void ch_map_protect(struct vmc_map *map, vmc_addr_t start, vmc_size_t size, vmc_prot_t prot)
{
	clip_at(map, start);
	clip_at(map, start + size);
	for (unsigned i = 0; i < map->n; i++)
		if (map->e[i].start >= start && map->e[i].start - start < size)
			map->e[i].prot = prot;
	map->stamp++;
}

void ch_object_evict_all(struct vmc_object *object)
{
	for (unsigned p = 0; p < object->npages; p++)
		if (object->pins[p] == 0)
			object->resident[p] = false;
}

void ch_object_terminate(struct vmc_object *object)
{
	object->alive = false;
}

void ch_fail_still_current(int n) { still_current_failures = n; }

void ch_set_shortcut(bool on, bool fail_try)
{
	shortcut = on;
	shortcut_fail_try = fail_try;
}

void ch_set_yield(ch_yield_fn fn, void *ctx)
{
	yield_fn = fn;
	yield_ctx = ctx;
}

const struct ch_counts *ch_counts(void) { return &counts; }

bool ch_check(const char **why)
{
	if (peeks_open != 0) {
		*why = "a page peek is still open (object locked)";
		return false;
	}
	for (unsigned i = 0; i < nobjects; i++) {
		if (objects[i]->refs != 0) {
			*why = "an object reference was not released";
			return false;
		}
		for (unsigned p = 0; p < objects[i]->npages; p++)
			if (objects[i]->pins[p] != 0) {
				*why = "a page is still pinned";
				return false;
			}
	}
	for (unsigned i = 0; i < nmaps; i++)
		if (maps[i]->verified != 0) {
			*why = "a map is still verified (read-locked)";
			return false;
		}
	return true;
}

/* The porting header ------------------------------------------------------------ */

/* Through CMocka's allocator, so that a leak fails the test. */
void *vmc_alloc(vmc_size_t size)
{
	return test_malloc(size);
}

void vmc_free(void *p, vmc_size_t size)
{
	(void)size;
	test_free(p);
}

_Noreturn void vmc_panic(const char *msg)
{
	fprintf(stderr, "vmc_panic: %s\n", msg);
	abort();
}

void vmc_object_reference(struct vmc_object *object)
{
	object->refs++;
}

void vmc_object_release(struct vmc_object *object)
{
	assert_true(object->refs > 0);
	object->refs--;
}

vmc_kr_t vmc_map_lookup(struct vmc_map *map, vmc_addr_t addr, vmc_prot_t access,
			struct vmc_lookup *out)
{
	counts.lookups++;
	assert_int_equal(map->verified, 0);
	for (unsigned i = 0; i < map->n; i++) {
		const struct ch_entry *e = &map->e[i];
		if (addr >= e->start && addr - e->start < e->size) {
			if ((e->prot & access) != access)
				return KERN_PROTECTION_FAILURE;
			out->object = e->object;
			vmc_object_reference(e->object);
			out->offset = e->offset + (addr - e->start);
			out->entry_start = e->start;
			out->entry_last = e->start + (e->size - 1);
			out->prot = e->prot;
			out->version.stamp = map->stamp;
			return KERN_SUCCESS;
		}
	}
	return KERN_INVALID_ADDRESS;
}

bool vmc_map_verify(struct vmc_map *map, const vmc_map_version_t *version)
{
	counts.verifies++;
	if (version->stamp != map->stamp) {
		counts.verify_failures++;
		return false;
	}
	map->verified++;
	return true;
}

void vmc_map_verify_done(struct vmc_map *map, const vmc_map_version_t *version)
{
	assert_int_equal(version->stamp, map->stamp);
	assert_true(map->verified > 0);
	map->verified--;
}

vmc_fault_t vmc_object_page_get(struct vmc_object *object, vmc_off_t offset,
				vmc_prot_t access, struct vmc_page_ref *ref)
{
	(void)access;
	counts.faults++;
	assert_true((offset & VMC_PAGE_MASK) == 0);
	/* No check that the engine holds a reference: an object endpoint's
	 * and a held segment's are its caller's.  Objects live until
	 * ch_reset; a release without a reference fails in
	 * vmc_object_release, a leaked one in ch_check. */
	if (!object->alive)
		return VMC_FAULT_ERROR;
	vmc_addr_t p = object->alias ? 0 : offset / VMC_PAGE_SIZE;
	if (p >= object->npages)
		return VMC_FAULT_ERROR;     /* past the pager's data */
	assert_int_equal(object->pins[p], 0);   /* a second pin would deadlock */
	if (!object->resident[p]) {
		switch (object->answer[p]) {
		case CH_DATA:
			break;
		case CH_ERROR:
			return VMC_FAULT_ERROR;
		case CH_NEVER:
			return VMC_FAULT_INTERRUPTED;
		case CH_UNAVAILABLE:
			memset(object->data + p * VMC_PAGE_SIZE, 0, VMC_PAGE_SIZE);
			break;
		case CH_RETRY_ONCE:
			object->answer[p] = CH_DATA;
			return VMC_FAULT_RETRY;
		}
		object->resident[p] = true;
	}
	object->pins[p]++;
	ref->page = NULL;
	ref->host.object = object;
	ref->host.stamp = p;
	return VMC_FAULT_OK;
}

/* The bytes of a held page at off, with the contract checked: the page is
 * pinned or peeked, and the n bytes lie within it. */
static unsigned char *held_bytes(const struct vmc_page_ref *ref, vmc_size_t off, vmc_size_t n)
{
	struct vmc_object *o = ref->host.object;
	uintptr_t p = (uintptr_t)ref->host.stamp;
	if (o->pins[p] == 0)
		assert_true(peeks_open > 0);
	assert_true(off <= VMC_PAGE_SIZE && n <= VMC_PAGE_SIZE - off);
	return o->data + p * VMC_PAGE_SIZE + off;
}

/* Byte by byte, through a buffer where the ranges may overlap: the
 * contract's "as if through a buffer", checked against the model. */
void vmc_page_copy(const struct vmc_page_ref *dst, vmc_size_t doff,
		   const struct vmc_page_ref *src, vmc_size_t soff, vmc_size_t n)
{
	unsigned char *d = held_bytes(dst, doff, n);
	const unsigned char *s = held_bytes(src, soff, n);

	if (dst->host.object == src->host.object && dst->host.stamp == src->host.stamp) {
		memmove(d, s, n);
		return;
	}
	assert_true(n == 0 || d + n <= s || s + n <= d);
	memcpy(d, s, n);
}

bool vmc_page_still_current(const struct vmc_page_ref *ref)
{
	(void)ref;
	if (still_current_failures > 0) {
		still_current_failures--;
		return false;
	}
	return true;
}

void vmc_page_put(struct vmc_page_ref *ref, bool dirtied)
{
	struct vmc_object *o = ref->host.object;
	uintptr_t p = (uintptr_t)ref->host.stamp;

	assert_true(o->pins[p] > 0);
	o->pins[p]--;
	if (dirtied)
		o->dirty[p] = true;
}

bool vmc_map_lookup_locked(struct vmc_map *map, vmc_addr_t addr, vmc_prot_t access,
			   struct vmc_lookup *out)
{
	assert_int_equal(map->verified, 0);
	if (!shortcut)
		return false;
	for (unsigned i = 0; i < map->n; i++) {
		const struct ch_entry *e = &map->e[i];
		if (addr >= e->start && addr - e->start < e->size) {
			if ((e->prot & access) != access)
				return false;
			counts.locked_lookups++;
			out->object = e->object;
			out->offset = e->offset + (addr - e->start);
			out->entry_start = e->start;
			out->entry_last = e->start + (e->size - 1);
			out->prot = e->prot;
			out->version.stamp = map->stamp;
			map->verified++;
			return true;
		}
	}
	return false;
}

bool vmc_object_page_peek(struct vmc_object *object, vmc_off_t offset, vmc_prot_t access,
			  enum vmc_peek_lock lock, struct vmc_page_ref *ref)
{
	(void)access;   /* no copy-on-write here: a write goes to the page */
	assert_true((offset & VMC_PAGE_MASK) == 0);
	assert_true(lock != VMC_PEEK_HELD || peeks_open > 0);
	vmc_addr_t p = object->alias ? 0 : offset / VMC_PAGE_SIZE;
	if (!shortcut || (lock == VMC_PEEK_TRY && shortcut_fail_try) || !object->alive ||
	    p >= object->npages || !object->resident[p] || object->pins[p] != 0) {
		counts.peek_declines++;
		return false;
	}
	counts.peeks++;
	peeks_open++;
	ref->page = NULL;
	ref->host.object = object;
	ref->host.stamp = p;
	return true;
}

void vmc_object_page_unpeek(struct vmc_page_ref *ref, bool dirtied)
{
	struct vmc_object *o = ref->host.object;
	uintptr_t p = (uintptr_t)ref->host.stamp;

	assert_true(peeks_open > 0);
	assert_true(p < (o->alias ? 1 : o->npages));
	peeks_open--;
	if (dirtied)
		o->dirty[p] = true;
}

void vmc_may_block(enum vmc_block_point where)
{
	assert_int_equal(peeks_open, 0);   /* never yield holding a peek */
	counts.yields++;
	if (yield_fn != NULL)
		yield_fn(where, yield_ctx);
}

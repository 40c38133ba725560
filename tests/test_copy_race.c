/*
 * test_copy_race.c: the copy engine against a world that changes at every
 * point where a real kernel may sleep.
 *
 * One unaligned copy over 5 pages and 3 map entries (different objects), in
 * both directions: object -> task buffer (vm_read_fast's shape) and task
 * buffer -> object (vm_write_fast's).  A first run plants nothing and
 * records the sequence of yield points and the bytes copied when each was
 * reached.  Then the copy is rerun once per (yield point, action), the
 * action performed at that point:
 *   - unmap the task buffer;
 *   - take the needed access away from the buffer's last entry;
 *   - evict every unpinned page of the object side;
 *   - terminate the object side's object.
 * After each run: the count is exactly what the action allows (below), the
 * destination holds the source bytes before the count and its old bytes
 * everywhere else, a retry from the count reports the reason, and the host
 * holds no pin, verification or reference.
 * (Dropping the last right to a proxy joins the list when core/vmc_proxy.c
 * exists: a resolver endpoint whose segments die.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vmc_kern_names.h"
#include "copyhost.h"
#include "vmc_copy.h"

#define P VMC_PAGE_SIZE
#define BASE ((vmc_addr_t)0x400000)
#define RW (VMC_PROT_READ | VMC_PROT_WRITE)
#define OPAGES 8u
#define MAX_YIELDS 256

/* The copy: 5 buffer pages, 3 entries (2 pages, 1 page, 3 pages). */
#define BUF_OFF 1000u                  /* the buffer starts BASE + BUF_OFF */
#define OBJ_OFF (P + 123)              /* and the object range here */
#define LEN (5 * P - 1500)
#define LAST_ENTRY (3 * P)             /* the last entry starts BASE + 3P */

enum action { ACT_NONE, ACT_UNMAP, ACT_PROTECT_LAST, ACT_EVICT, ACT_TERMINATE, ACT_COUNT };
static const char *const action_names[] = { "none", "unmap buffer", "protect last entry",
					    "evict object pages", "terminate object" };

struct world {
	bool read;                  /* object -> buffer; else buffer -> object */
	struct vmc_object *obj;     /* the object side */
	struct vmc_object *e[3];    /* the buffer's entries' objects */
	struct vmc_map *map;
	unsigned char *before[4];   /* initial bytes: obj, e[0..2] */
	/* The planted action. */
	enum action act;
	int at;                     /* yield index to act at, -1: never */
	int seen;                   /* yields seen so far */
	/* Recording. */
	enum vmc_block_point where[MAX_YIELDS];
	vmc_size_t progress[MAX_YIELDS];
};

static unsigned char pattern(int id, vmc_addr_t i)
{
	return (unsigned char)(id * 71 + i * 11 + (i >> 12) * 3 + 7);
}

/* Where buffer byte x (offset from BASE) lives. */
static unsigned char *buf_byte(struct world *w, vmc_size_t x)
{
	if (x < 2 * P)
		return &w->e[0]->data[x];
	if (x < 3 * P)
		return &w->e[1]->data[P + (x - 2 * P)];
	return &w->e[2]->data[x - 3 * P];
}

static unsigned char *src_byte(struct world *w, vmc_size_t i)
{
	return w->read ? &w->obj->data[OBJ_OFF + i] : buf_byte(w, BUF_OFF + i);
}

static unsigned char *dst_byte(struct world *w, vmc_size_t i)
{
	return w->read ? buf_byte(w, BUF_OFF + i) : &w->obj->data[OBJ_OFF + i];
}

/* Bytes of the destination already holding the source's. */
static vmc_size_t progress(struct world *w)
{
	vmc_size_t i = 0;
	while (i < LEN && *dst_byte(w, i) == *src_byte(w, i))
		i++;
	return i;
}

static void world_make(struct world *w, bool read)
{
	memset(w, 0, sizeof *w);
	w->read = read;
	w->at = -1;
	w->obj = ch_object(1, OPAGES, pattern);
	for (int k = 0; k < 3; k++)
		w->e[k] = ch_object(2 + k, OPAGES, pattern);
	w->map = ch_map();
	ch_map_enter(w->map, BASE, 2 * P, w->e[0], 0, RW);
	ch_map_enter(w->map, BASE + 2 * P, P, w->e[1], P, RW);
	ch_map_enter(w->map, BASE + 3 * P, 3 * P, w->e[2], 0, RW);
	/* Every destination byte differs from its source byte, so progress()
	 * sees exactly the bytes copied. */
	for (vmc_size_t i = 0; i < LEN; i++)
		*dst_byte(w, i) = *src_byte(w, i) ^ 0x5a;
	w->before[0] = test_malloc(OPAGES * P);
	memcpy(w->before[0], w->obj->data, OPAGES * P);
	for (int k = 0; k < 3; k++) {
		w->before[k + 1] = test_malloc(OPAGES * P);
		memcpy(w->before[k + 1], w->e[k]->data, OPAGES * P);
	}
}

static void world_free(struct world *w)
{
	for (int k = 0; k < 4; k++)
		test_free(w->before[k]);
}

static void act(struct world *w)
{
	switch (w->act) {
	case ACT_UNMAP:
		ch_map_remove(w->map, BASE, 6 * P);
		break;
	case ACT_PROTECT_LAST:
		ch_map_protect(w->map, BASE + LAST_ENTRY, 3 * P,
			       w->read ? VMC_PROT_READ : VMC_PROT_NONE);
		break;
	case ACT_EVICT:
		ch_object_evict_all(w->obj);
		break;
	case ACT_TERMINATE:
		ch_object_terminate(w->obj);
		break;
	default:
		break;
	}
}

static void on_yield(enum vmc_block_point where, void *ctx)
{
	struct world *w = ctx;

	if (w->seen < MAX_YIELDS) {
		w->where[w->seen] = where;
		w->progress[w->seen] = progress(w);
	}
	if (w->seen == w->at)
		act(w);
	w->seen++;
}

static vmc_kr_t run_copy(struct world *w, vmc_size_t skip, vmc_size_t *count)
{
	struct vmc_endpoint o = vmc_endpoint_object(w->obj, OBJ_OFF + skip,
						    w->read ? VMC_PROT_READ : VMC_PROT_WRITE);
	struct vmc_endpoint b = vmc_endpoint_map(w->map, BASE + BUF_OFF + skip);
	return w->read ? vmc_copy(&o, &b, LEN - skip, count) : vmc_copy(&b, &o, LEN - skip, count);
}

/* Every byte of every object: the destination range holds the source's
 * bytes before count and the old bytes from count on; everything else is as
 * it was. */
static void check_bytes(struct world *w, vmc_size_t count)
{
	/* Compare the written range first, through the layout. */
	for (vmc_size_t i = 0; i < LEN; i++) {
		unsigned char want = i < count ? *src_byte(w, i) : (unsigned char)(*src_byte(w, i) ^ 0x5a);
		if (*dst_byte(w, i) != want)
			fail_msg("destination byte %llu of %llu is %#x, expected %#x (count %llu)",
				 (unsigned long long)i, (unsigned long long)LEN, *dst_byte(w, i),
				 want, (unsigned long long)count);
	}
	/* Then everything outside it: put the range back and compare whole
	 * objects with their initial bytes. */
	for (vmc_size_t i = 0; i < count; i++)
		*dst_byte(w, i) = *src_byte(w, i) ^ 0x5a;
	struct vmc_object *all[4] = { w->obj, w->e[0], w->e[1], w->e[2] };
	for (int k = 0; k < 4; k++) {
		/* An unavailable/evicted page keeps its data in this host, so
		 * only writes can change bytes. */
		if (memcmp(all[k]->data, w->before[k], OPAGES * P) != 0)
			fail_msg("object %d changed outside the copied range", all[k]->id);
	}
}

/* What the action lets the copy achieve, given when it happened. */
static vmc_size_t expected_count(const struct world *rec, enum action a, int at)
{
	vmc_size_t prog = rec->progress[at];
	/* The chunk in flight when the action came: completed if its pages
	 * were already pinned and the mapping it uses is unaffected. */
	vmc_size_t next = LEN;
	for (int q = at + 1; q < rec->seen; q++)
		if (rec->where[q] == VMC_BLOCK_NEXT_CHUNK) {
			next = rec->progress[q];
			break;
		}
	/* The destination is faulted first, then the source: the object is
	 * pinned, for a read (it is the source), at VERIFY only; for a write,
	 * from FAULT_SRC on. */
	bool obj_pinned = rec->read ? rec->where[at] == VMC_BLOCK_VERIFY
				    : (rec->where[at] == VMC_BLOCK_FAULT_SRC ||
				       rec->where[at] == VMC_BLOCK_VERIFY);

	switch (a) {
	case ACT_UNMAP:
		return prog;
	case ACT_PROTECT_LAST: {
		vmc_size_t last = LAST_ENTRY - BUF_OFF;
		return prog > last ? prog : last;
	}
	case ACT_EVICT:
		return LEN;
	case ACT_TERMINATE:
		return obj_pinned ? next : prog;
	default:
		return LEN;
	}
}

static vmc_kr_t expected_retry(enum action a, bool read)
{
	switch (a) {
	case ACT_UNMAP:
		return KERN_INVALID_ADDRESS;
	case ACT_PROTECT_LAST:
		return KERN_PROTECTION_FAILURE;
	case ACT_TERMINATE:
		return KERN_MEMORY_ERROR;
	default:
		(void)read;
		return KERN_SUCCESS;
	}
}

static unsigned run_direction(bool read)
{
	struct world rec, w;
	vmc_size_t count = 0;
	const char *why = "";
	unsigned runs = 0;

	/* The recording run. */
	world_make(&rec, read);
	ch_set_yield(on_yield, &rec);
	assert_int_equal(run_copy(&rec, 0, &count), KERN_SUCCESS);
	assert_int_equal(count, LEN);
	check_bytes(&rec, count);
	assert_true(rec.seen > 0 && rec.seen <= MAX_YIELDS);
	struct world saved = rec;
	world_free(&rec);
	ch_reset();

	for (int at = 0; at < saved.seen; at++)
		for (enum action a = ACT_UNMAP; a < ACT_COUNT; a++) {
			world_make(&w, read);
			w.act = a;
			w.at = at;
			ch_set_yield(on_yield, &w);
			vmc_kr_t kr = run_copy(&w, 0, &count);
			vmc_size_t want = expected_count(&saved, a, at);
			if (count != want || kr != (count ? KERN_SUCCESS : expected_retry(a, read)))
				fail_msg("%s, action '%s' at yield %d (point %d, %llu bytes done): "
					 "%s count %llu, expected %llu", read ? "read" : "write",
					 action_names[a], at, (int)saved.where[at],
					 (unsigned long long)saved.progress[at], vmc_kr_name(kr),
					 (unsigned long long)count, (unsigned long long)want);
			ch_set_yield(NULL, NULL);
			if (!ch_check(&why))
				fail_msg("after '%s' at yield %d: %s", action_names[a], at, why);
			check_bytes(&w, count);
			/* The retry from the count reports why it stopped. */
			if (count < LEN) {
				vmc_size_t again = 99;
				kr = run_copy(&w, count, &again);
				assert_int_equal(kr, expected_retry(a, read));
				assert_int_equal(again, 0);
			}
			if (!ch_check(&why))
				fail_msg("after the retry: %s", why);
			world_free(&w);
			ch_reset();
			runs++;
		}
	print_message("%s: %d yield points x %d actions = %u interleavings\n",
		      read ? "object -> buffer" : "buffer -> object", saved.seen, ACT_COUNT - 1, runs);
	return runs;
}

static unsigned total_runs;

static void test_copy_race_read_every_yield_every_action(void **state)
{
	(void)state;
	total_runs += run_direction(true);
}

static void test_copy_race_write_every_yield_every_action(void **state)
{
	(void)state;
	total_runs += run_direction(false);
	print_message("race interleavings run: %u\n", total_runs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_race_read_every_yield_every_action),
		cmocka_unit_test(test_copy_race_write_every_yield_every_action),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_copy_model.c: the copy engine against a naive model, on thousands of
 * seeded random cases.
 *
 * Each case builds random endpoints -- maps with page-aligned entries over
 * several objects (gaps, offsets, protections, entries running past their
 * object), single objects, proxy-like resolvers with holes -- random pager
 * answers per page (data, error, unavailable, never, retry once) and
 * resident pages, then copies a random unaligned range.  The model shares no
 * code with the engine: plain byte arrays, and one byte at a time it asks
 * "can this source byte be read, can this destination byte be written",
 * in the engine's documented order (source lookup, destination lookup,
 * destination fault, source fault).  Return code, count and every byte of
 * every object must agree.
 *
 * The cases run three times: on the general path only (the host's resident
 * shortcut off), with the shortcut (chunks over resident, unpinned pages
 * move under locks, core/vmc_port.h), and with the shortcut finding every
 * second object's lock taken; the model is the same for all three.
 *
 * The seed is printed; MOSAIC_SEED=n reruns one, MOSAIC_CASES=n sets the
 * number of cases.
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

#define P VMC_PAGE_SIZE
#define BASE ((vmc_addr_t)0x10000000)
#define OPAGES 16u
#define WINDOW_PAGES 14u
#define NOBJ 3

/* A small, seeded generator (xorshift64*), independent of libc's rand. */
static uint64_t rng_state;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}
static vmc_addr_t below(vmc_addr_t n) { return n ? (vmc_addr_t)(rnd() % n) : 0; }

/* The model ------------------------------------------------------------------ */

struct mobj {                       /* the model's own copy of an object */
	unsigned char data[OPAGES * P];
	bool resident[OPAGES];
	enum ch_answer answer[OPAGES];
	struct vmc_object *real;
};

struct mseg {                       /* a map entry or a resolver segment */
	vmc_addr_t start, size;       /* in endpoint space */
	int obj;                    /* index into the side's objects, -1: hole */
	vmc_addr_t offset;
	vmc_prot_t prot;
};

enum kind { K_MAP, K_OBJECT, K_RESOLVER };

struct mside {
	enum kind kind;
	struct mobj obj[NOBJ];
	unsigned nseg;
	struct mseg seg[WINDOW_PAGES];
	vmc_addr_t pos;               /* the endpoint's start */
	struct vmc_map *map;        /* K_MAP */
};

/* Model lookup: the object and offset behind endpoint byte x, or why not. */
static vmc_kr_t mlookup(const struct mside *s, vmc_addr_t x, vmc_prot_t access, int *obj,
			vmc_addr_t *off)
{
	if (s->kind == K_OBJECT) {
		if ((s->seg[0].prot & access) != access)
			return KERN_PROTECTION_FAILURE;
		*obj = 0;
		*off = x;
		return KERN_SUCCESS;
	}
	for (unsigned i = 0; i < s->nseg; i++) {
		const struct mseg *g = &s->seg[i];
		if (x >= g->start && x - g->start < g->size) {
			if (g->obj < 0)
				return KERN_INVALID_ADDRESS;
			if ((g->prot & access) != access)
				return KERN_PROTECTION_FAILURE;
			*obj = g->obj;
			*off = g->offset + (x - g->start);
			return KERN_SUCCESS;
		}
	}
	return KERN_INVALID_ADDRESS;
}

static vmc_kr_t mfault(struct mobj *o, vmc_addr_t off)
{
	vmc_addr_t p = off / P;
	if (p >= OPAGES)
		return KERN_MEMORY_ERROR;
	if (o->resident[p])
		return KERN_SUCCESS;
	switch (o->answer[p]) {
	case CH_ERROR:
		return KERN_MEMORY_ERROR;
	case CH_NEVER:
		return MACH_SEND_INTERRUPTED;
	case CH_UNAVAILABLE:
		memset(o->data + p * P, 0, P);
		break;
	default:
		break;
	}
	o->resident[p] = true;
	return KERN_SUCCESS;
}

/* The copy, one byte at a time.  Returns the code; *count the bytes. */
static vmc_kr_t model_copy(struct mside *s, struct mside *d, vmc_addr_t len, vmc_addr_t *count)
{
	vmc_addr_t i;
	vmc_kr_t kr = KERN_SUCCESS;

	for (i = 0; i < len; i++) {
		int so, dob;
		vmc_addr_t soff, doff;
		if ((kr = mlookup(s, s->pos + i, VMC_PROT_READ, &so, &soff)) != KERN_SUCCESS)
			break;
		if ((kr = mlookup(d, d->pos + i, VMC_PROT_WRITE, &dob, &doff)) != KERN_SUCCESS)
			break;
		if ((kr = mfault(&d->obj[dob], doff)) != KERN_SUCCESS)
			break;
		if ((kr = mfault(&s->obj[so], soff)) != KERN_SUCCESS)
			break;
		d->obj[dob].data[doff] = s->obj[so].data[soff];
	}
	*count = i;
	return i ? KERN_SUCCESS : kr;
}

/* Random worlds -------------------------------------------------------------------- */

static enum ch_answer random_answer(void)
{
	vmc_addr_t r = below(100);
	return r < 85 ? CH_DATA : r < 90 ? CH_ERROR : r < 94 ? CH_UNAVAILABLE
	     : r < 97 ? CH_NEVER : CH_RETRY_ONCE;
}

static vmc_prot_t random_prot(void)
{
	static const vmc_prot_t p[] = { VMC_PROT_READ | VMC_PROT_WRITE, VMC_PROT_READ | VMC_PROT_WRITE,
					VMC_PROT_READ | VMC_PROT_WRITE, VMC_PROT_READ,
					VMC_PROT_WRITE, VMC_PROT_NONE };
	return p[below(6)];
}

static int next_id;

/* Makes the side's objects (real and model, same bytes and answers). */
static void make_objects(struct mside *s, int n)
{
	for (int k = 0; k < n; k++) {
		struct mobj *o = &s->obj[k];
		int id = ++next_id;
		o->real = ch_object(id, OPAGES, NULL);
		/* Eight bytes of each draw: a fill per object and case. */
		for (vmc_addr_t i = 0; i < OPAGES * P; i += 8) {
			uint64_t r = rnd();
			memcpy(&o->real->data[i], &r, 8);
		}
		for (unsigned p = 0; p < OPAGES; p++) {
			o->real->answer[p] = o->answer[p] = random_answer();
			o->real->resident[p] = o->resident[p] = below(4) == 0;
		}
		memcpy(o->data, o->real->data, OPAGES * P);
	}
}

/* Byte-granular segments over [0, WINDOW_PAGES pages), for resolvers
 * (proxy segments need not end on a page boundary). */
static void make_byte_segments(struct mside *s)
{
	vmc_addr_t pos = 0;
	s->nseg = 0;
	while (pos < WINDOW_PAGES * P && s->nseg < WINDOW_PAGES) {
		struct mseg *g = &s->seg[s->nseg++];
		g->start = pos;
		g->size = 1 + below(3 * P);
		if (pos + g->size > WINDOW_PAGES * P || s->nseg == WINDOW_PAGES)
			g->size = WINDOW_PAGES * P - pos;
		g->obj = below(8) == 0 ? -1 : (int)below(NOBJ);
		g->offset = below(OPAGES * P);
		g->prot = below(3) ? (VMC_PROT_READ | VMC_PROT_WRITE) : random_prot();
		pos += g->size;
	}
}

/* Page-aligned segments over [0, WINDOW_PAGES pages): entries with gaps. */
static void make_segments(struct mside *s, bool holes_as_segments)
{
	vmc_addr_t page = 0;
	s->nseg = 0;
	while (page < WINDOW_PAGES && s->nseg < WINDOW_PAGES) {
		vmc_addr_t size = 1 + below(4);
		if (page + size > WINDOW_PAGES)
			size = WINDOW_PAGES - page;
		struct mseg *g = &s->seg[s->nseg];
		bool hole = below(8) == 0;
		if (hole && !holes_as_segments) {
			page += size;
			continue;
		}
		g->start = page * P;
		g->size = size * P;
		g->obj = hole ? -1 : (int)below(NOBJ);
		/* Offsets usually inside the object, sometimes running past it. */
		g->offset = below(OPAGES - (below(5) ? size : 0) + 1) * P;
		g->prot = below(3) ? (VMC_PROT_READ | VMC_PROT_WRITE) : random_prot();
		s->nseg++;
		page += size;
	}
}

static vmc_kr_t resolve(void *ctx, vmc_off_t pos, struct vmc_segment *seg)
{
	const struct mside *s = ctx;
	for (unsigned i = 0; i < s->nseg; i++) {
		const struct mseg *g = &s->seg[i];
		if (pos >= g->start && pos - g->start < g->size) {
			if (g->obj < 0)
				return KERN_INVALID_ADDRESS;
			seg->object = s->obj[g->obj].real;
			vmc_object_reference(seg->object);
			seg->offset = g->offset + (pos - g->start);
			seg->prot = g->prot;
			seg->left = g->size - (pos - g->start);
			return KERN_SUCCESS;
		}
	}
	return KERN_INVALID_ADDRESS;
}

static void make_side(struct mside *s, enum kind kind)
{
	memset(s, 0, sizeof *s);
	s->kind = kind;
	switch (kind) {
	case K_OBJECT:
		make_objects(s, 1);
		s->nseg = 1;
		s->seg[0].prot = below(6) ? (VMC_PROT_READ | VMC_PROT_WRITE) : random_prot();
		s->pos = below(OPAGES * P);
		break;
	case K_MAP:
		make_objects(s, NOBJ);
		make_segments(s, false);
		s->map = ch_map();
		for (unsigned i = 0; i < s->nseg; i++) {
			struct mseg *g = &s->seg[i];
			ch_map_enter(s->map, BASE + g->start, g->size, s->obj[g->obj].real, g->offset,
				     g->prot);
		}
		/* Model positions are relative to BASE. */
		s->pos = below(WINDOW_PAGES * P);
		break;
	case K_RESOLVER:
		make_objects(s, NOBJ);
		if (below(2))
			make_segments(s, true);
		else
			make_byte_segments(s);
		s->pos = below(WINDOW_PAGES * P);
		break;
	}
}

static struct vmc_endpoint endpoint_of(struct mside *s)
{
	switch (s->kind) {
	case K_OBJECT:
		return vmc_endpoint_object(s->obj[0].real, s->pos, s->seg[0].prot);
	case K_MAP:
		return vmc_endpoint_map(s->map, BASE + s->pos);
	default:
		return vmc_endpoint_resolver(resolve, s, s->pos);
	}
}

static vmc_addr_t random_length(void)
{
	switch (below(4)) {
	case 0:
		return below(70);
	case 1:
		return P - 3 + below(7);
	default:
		return below(9 * P);
	}
}

/* 0: the general path only; 1: the resident shortcut; 2: the shortcut,
 * with every lock it only tries taken elsewhere.  And what it did. */
static int shortcut_mode;
static unsigned long peeks, peek_declines;

/* One case: returns the bytes the engine copied. */
static vmc_addr_t one_case(struct mside *s, struct mside *d, unsigned long n)
{
	static const enum kind kinds[][2] = {
		{ K_OBJECT, K_MAP }, { K_MAP, K_OBJECT }, { K_MAP, K_MAP },
		{ K_OBJECT, K_OBJECT }, { K_RESOLVER, K_MAP }, { K_MAP, K_RESOLVER },
	};
	unsigned shape = (unsigned)below(6);
	make_side(s, kinds[shape][0]);
	make_side(d, kinds[shape][1]);
	vmc_addr_t len = random_length();

	struct vmc_endpoint src = endpoint_of(s), dst = endpoint_of(d);
	vmc_size_t count = 12345;
	ch_set_shortcut(shortcut_mode != 0, shortcut_mode == 2);
	vmc_kr_t kr = vmc_copy(&src, &dst, len, &count);
	peeks += ch_counts()->peeks;
	peek_declines += ch_counts()->peek_declines;
	vmc_addr_t mcount;
	vmc_kr_t mkr = model_copy(s, d, len, &mcount);

	if (kr != mkr || count != mcount)
		fail_msg("case %lu (shape %u, src pos %llu, dst pos %llu, len %llu): engine %s/%llu, "
			 "model %s/%llu", n, shape, (unsigned long long)s->pos,
			 (unsigned long long)d->pos, (unsigned long long)len, vmc_kr_name(kr),
			 (unsigned long long)count, vmc_kr_name(mkr), (unsigned long long)mcount);
	struct mside *sides[2] = { s, d };
	for (int k = 0; k < 2; k++)
		for (int j = 0; j < NOBJ; j++) {
			struct mobj *o = &sides[k]->obj[j];
			if (o->real == NULL || memcmp(o->real->data, o->data, OPAGES * P) == 0)
				continue;
			for (vmc_addr_t i = 0; i < OPAGES * P; i++)
				if (o->real->data[i] != o->data[i])
					fail_msg("case %lu (shape %u): %s object %d byte %llu: engine %#x, model %#x",
						 n, shape, k ? "destination" : "source", j,
						 (unsigned long long)i, o->real->data[i], o->data[i]);
		}
	const char *why = "";
	if (!ch_check(&why))
		fail_msg("case %lu: %s", n, why);
	ch_reset();
	return count;
}

static void run_cases(int mode)
{
	const char *env = getenv("MOSAIC_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : 0x6d6f73616963ULL;
	env = getenv("MOSAIC_CASES");
	unsigned long cases = env ? strtoul(env, NULL, 0) : 4000;
	static struct mside s, d;
	uint64_t bytes = 0;
	unsigned long shorts = 0, empties = 0;

	static const char *const modes[] = { "general path", "resident shortcut",
					     "shortcut, try-locks fail" };
	print_message("copy model (%s): seed %#llx, %lu cases\n", modes[mode],
		      (unsigned long long)seed, cases);
	rng_state = seed ? seed : 1;
	shortcut_mode = mode;
	peeks = peek_declines = 0;
	for (unsigned long n = 0; n < cases; n++) {
		vmc_addr_t c = one_case(&s, &d, n);
		bytes += c;
		shorts += c != 0;
		empties += c == 0;
	}
	print_message("copy model: %lu cases agree (%lu moved bytes, %lu moved nothing), "
		      "%llu bytes\n", cases, shorts, empties, (unsigned long long)bytes);
	/* The generator must reach both outcomes, or the test proves little. */
	assert_true(shorts > cases / 4 && empties > cases / 20);
	/* And each mode must do what it says. */
	print_message("copy model: %lu peeks, %lu declined\n", peeks, peek_declines);
	if (mode == 0)
		assert_true(peeks == 0);
	else if (mode == 1)
		assert_true(peeks > cases / 4);
	else
		assert_true(peeks > 0 && peek_declines > cases / 4);
}

static void test_copy_matches_model_on_random_cases(void **state)
{
	(void)state;
	run_cases(0);
}

static void test_copy_matches_model_with_resident_shortcut(void **state)
{
	(void)state;
	run_cases(1);
}

static void test_copy_matches_model_when_try_locks_fail(void **state)
{
	(void)state;
	run_cases(2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_matches_model_on_random_cases),
		cmocka_unit_test(test_copy_matches_model_with_resident_shortcut),
		cmocka_unit_test(test_copy_matches_model_when_try_locks_fail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_copy.c: the copy engine (core/vmc_copy.c) on the copy host: the
 * innermost copy, argument checks, alignments, holes, protections, pager
 * answers, short counts and retries, resolvers, multi-GiB counts.
 *
 * Layout used by most tests: a source object S and a destination object D
 * of 8 pages, each filled with its own pattern; a map M whose entries
 * cover D (address BASE + x is D's offset x) or S, with holes around.
 * Every check compares the whole destination object against what the copy
 * should have produced, so canaries in the same page as the range and
 * everything outside it are checked byte for byte.
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
#include "vmc_proxy_host.h"

#define P VMC_PAGE_SIZE
#define BASE ((vmc_addr_t)0x100000)
#define RW (VMC_PROT_READ | VMC_PROT_WRITE)
#define NPAGES 8u

static unsigned char pattern(int id, vmc_addr_t i)
{
	return (unsigned char)(id * 61 + i * 7 + (i >> 12) * 29 + 1);
}

static int teardown(void **state)
{
	(void)state;
	const char *why = "";
	bool ok = ch_check(&why);
	ch_reset();
	if (!ok)
		fail_msg("copy host not back to baseline: %s", why);
	return 0;
}

/* A snapshot of an object's bytes (test-allocated; freed by check_copy). */
static unsigned char *snapshot(const struct vmc_object *o)
{
	unsigned char *b = test_malloc(o->npages * P);
	memcpy(b, o->data, o->npages * P);
	return b;
}

/* D must equal `before` except [doff, doff + count), which holds S's bytes
 * from soff (S as it is now).  Frees `before`. */
static void check_copy(unsigned char *before, const struct vmc_object *d, vmc_off_t doff,
		       const struct vmc_object *s, vmc_off_t soff, vmc_size_t count)
{
	for (vmc_addr_t i = 0; i < d->npages * P; i++) {
		unsigned char want = before[i];
		if (i >= doff && i - doff < count)
			want = s->data[soff + (i - doff)];
		if (d->data[i] != want)
			fail_msg("byte %llu of the destination object: %#x, expected %#x "
				 "(copy to %llu, count %llu)", (unsigned long long)i, d->data[i],
				 want, (unsigned long long)doff, (unsigned long long)count);
	}
	test_free(before);
}

/* object -> map (vm_read_fast's shape). */
static vmc_kr_t read_fast(struct vmc_object *s, vmc_off_t soff, struct vmc_map *m,
			  vmc_addr_t addr, vmc_size_t size, vmc_size_t *count)
{
	struct vmc_endpoint src = vmc_endpoint_object(s, soff, VMC_PROT_READ);
	struct vmc_endpoint dst = vmc_endpoint_map(m, addr);
	return vmc_copy(&src, &dst, size, count);
}

/* map -> object (vm_write_fast's shape). */
static vmc_kr_t write_fast(struct vmc_map *m, vmc_addr_t addr, struct vmc_object *d,
			   vmc_off_t doff, vmc_size_t size, vmc_size_t *count)
{
	struct vmc_endpoint src = vmc_endpoint_map(m, addr);
	struct vmc_endpoint dst = vmc_endpoint_object(d, doff, VMC_PROT_WRITE);
	return vmc_copy(&src, &dst, size, count);
}

/* D mapped at BASE in two rw entries split at 3P (a copy crosses entries). */
static struct vmc_map *map_d(struct vmc_object *d)
{
	struct vmc_map *m = ch_map();
	ch_map_enter(m, BASE, 3 * P, d, 0, RW);
	ch_map_enter(m, BASE + 3 * P, (NPAGES - 3) * P, d, 3 * P, RW);
	return m;
}

/* Arguments ----------------------------------------------------------------- */

static void test_copy_zero_length_touches_nothing(void **state)
{
	(void)state;
	struct vmc_object *s = ch_object(1, NPAGES, pattern);
	struct vmc_object *d = ch_object(2, NPAGES, pattern);
	struct vmc_map *m = ch_map();      /* empty: any lookup would fail */
	vmc_size_t count = 99;

	/* In range, at the exact end of the object, one past it, in a hole. */
	vmc_off_t offs[] = { 5, NPAGES * P, NPAGES * P + 1, VMC_ADDR_MAX };
	for (unsigned i = 0; i < 4; i++) {
		count = 99;
		assert_int_equal(read_fast(s, offs[i], m, BASE, 0, &count), KERN_SUCCESS);
		assert_int_equal(count, 0);
		count = 99;
		assert_int_equal(write_fast(m, offs[i], d, offs[i], 0, &count), KERN_SUCCESS);
		assert_int_equal(count, 0);
	}
	assert_int_equal(ch_counts()->lookups, 0);
	assert_int_equal(ch_counts()->faults, 0);
	assert_int_equal(ch_counts()->yields, 0);
}

static void test_copy_rejects_wrap_before_anything(void **state)
{
	(void)state;
	struct vmc_object *s = ch_object(1, NPAGES, pattern);
	struct vmc_object *d = ch_object(2, NPAGES, pattern);
	struct vmc_map *m = map_d(d);
	unsigned char *before = snapshot(d);
	vmc_size_t count = 99;

	/* Offset + size wraps; address + size wraps; size near the maximum. */
	assert_int_equal(read_fast(s, VMC_ADDR_MAX - 10, m, BASE, 12, &count), KERN_INVALID_ARGUMENT);
	assert_int_equal(count, 0);
	count = 99;
	assert_int_equal(read_fast(s, 0, m, VMC_ADDR_MAX - P + 1, P + 1, &count),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(count, 0);
	count = 99;
	assert_int_equal(read_fast(s, 1, m, BASE, VMC_ADDR_MAX, &count), KERN_INVALID_ARGUMENT);
	assert_int_equal(count, 0);
	count = 99;
	assert_int_equal(write_fast(m, BASE + 1, d, 0, VMC_ADDR_MAX, &count), KERN_INVALID_ARGUMENT);
	assert_int_equal(count, 0);
	assert_int_equal(ch_counts()->lookups, 0);
	assert_int_equal(ch_counts()->yields, 0);
	check_copy(before, d, 0, s, 0, 0);
}

static vmc_kr_t never_resolve(void *ctx, vmc_off_t pos, struct vmc_segment *seg)
{
	(void)ctx; (void)pos; (void)seg;
	fail_msg("resolver called for a malformed copy");
	return KERN_FAILURE;
}

static void test_copy_rejects_malformed_endpoints(void **state)
{
	(void)state;
	struct vmc_object *s = ch_object(1, NPAGES, pattern);
	struct vmc_map *m = ch_map();
	vmc_size_t count = 99;
	struct vmc_endpoint good = vmc_endpoint_object(s, 0, VMC_PROT_READ);
	struct vmc_endpoint nomap = vmc_endpoint_map(NULL, BASE);
	struct vmc_endpoint noobj = vmc_endpoint_object(NULL, 0, RW);
	struct vmc_endpoint badprot = vmc_endpoint_object(s, 0, 0x40);
	struct vmc_endpoint nofn = vmc_endpoint_resolver(NULL, NULL, 0);
	struct vmc_endpoint res = vmc_endpoint_resolver(never_resolve, NULL, 0);
	struct vmc_endpoint badkind = good;
	badkind.kind = (enum vmc_endpoint_kind)7;

	assert_int_equal(vmc_copy(&good, &nomap, 1, &count), KERN_INVALID_ARGUMENT);
	assert_int_equal(count, 0);
	count = 99;
	assert_int_equal(vmc_copy(&noobj, &res, 1, &count), KERN_INVALID_ARGUMENT);
	assert_int_equal(count, 0);
	assert_int_equal(vmc_copy(&badprot, &res, 1, &count), KERN_INVALID_ARGUMENT);
	assert_int_equal(vmc_copy(&good, &nofn, 1, &count), KERN_INVALID_ARGUMENT);
	assert_int_equal(vmc_copy(&badkind, &res, 1, &count), KERN_INVALID_ARGUMENT);
	assert_int_equal(vmc_copy(NULL, &res, 1, &count), KERN_INVALID_ARGUMENT);
	assert_int_equal(vmc_copy(&good, &res, 1, NULL), KERN_INVALID_ARGUMENT);
	(void)m;
	assert_int_equal(ch_counts()->yields, 0);
}

/* Alignments ------------------------------------------------------------- */

/* CASES.md's (offset mod P, length) pairs. */
static const struct { vmc_size_t mod, len; } pairs[] = {
	{ 0, 1 }, { P - 1, 1 }, { P - 1, 2 }, { 1, P - 2 }, { 1, P }, { P - 1, P + 2 },
	{ 3, 5 * P - 7 },
};

static void test_copy_unaligned_heads_and_tails_both_directions(void **state)
{
	(void)state;
	unsigned runs = 0;
	const unsigned n = sizeof pairs / sizeof pairs[0];

	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < n; j++) {
			/* The pair i gives the source offset, j the destination's;
			 * the length is pair i's. */
			vmc_size_t len = pairs[i].len;
			vmc_off_t so = P + pairs[i].mod, dof = P + pairs[j].mod;
			vmc_size_t count = 0;

			struct vmc_object *s = ch_object(1, NPAGES, pattern);
			struct vmc_object *d = ch_object(2, NPAGES, pattern);
			struct vmc_map *m = map_d(d);
			unsigned char *before = snapshot(d);
			assert_int_equal(read_fast(s, so, m, BASE + dof, len, &count), KERN_SUCCESS);
			assert_int_equal(count, len);
			check_copy(before, d, dof, s, so, count);

			/* And the other way: a task buffer (S mapped) into an object. */
			struct vmc_map *ms = ch_map();
			ch_map_enter(ms, BASE, 2 * P, s, 0, VMC_PROT_READ);
			ch_map_enter(ms, BASE + 2 * P, (NPAGES - 2) * P, s, 2 * P, VMC_PROT_READ);
			before = snapshot(d);
			assert_int_equal(write_fast(ms, BASE + so, d, dof, len, &count), KERN_SUCCESS);
			assert_int_equal(count, len);
			check_copy(before, d, dof, s, so, count);
			teardown(NULL);
			runs += 2;
		}
	print_message("unaligned heads and tails: %u copies\n", runs);
}

/* Holes and protections -------------------------------------------------- */

static void test_copy_stops_at_holes_before_between_after(void **state)
{
	(void)state;
	struct vmc_object *s = ch_object(1, NPAGES, pattern);
	struct vmc_object *d = ch_object(2, NPAGES, pattern);
	struct vmc_map *m = map_d(d);
	vmc_size_t count = 99;
	unsigned char *before;

	ch_map_remove(m, BASE + 2 * P + 100, 10);   /* a hole in the middle */

	/* Before the first entry: nothing, the hole's reason. */
	before = snapshot(d);
	assert_int_equal(read_fast(s, 0, m, BASE - 1, 10, &count), KERN_INVALID_ADDRESS);
	assert_int_equal(count, 0);
	check_copy(before, d, 0, s, 0, 0);

	/* Between entries: exact count, retry reports the hole. */
	before = snapshot(d);
	assert_int_equal(read_fast(s, 7, m, BASE + P + 3, 2 * P, &count), KERN_SUCCESS);
	assert_int_equal(count, P + 97);
	check_copy(before, d, P + 3, s, 7, count);
	assert_int_equal(read_fast(s, 7 + count, m, BASE + P + 3 + count, 2 * P - count, &count),
			 KERN_INVALID_ADDRESS);
	assert_int_equal(count, 0);

	/* After the last entry. */
	before = snapshot(d);
	assert_int_equal(read_fast(s, 1, m, BASE + NPAGES * P - 5, 9, &count), KERN_SUCCESS);
	assert_int_equal(count, 5);
	check_copy(before, d, NPAGES * P - 5, s, 1, 5);

	/* Source side: a hole in the task buffer stops vm_write_fast too. */
	before = snapshot(s);
	assert_int_equal(write_fast(m, BASE + 2 * P + 90, s, 3, 50, &count), KERN_SUCCESS);
	assert_int_equal(count, 10);
	check_copy(before, s, 3, d, 2 * P + 90, 10);
}

static void test_copy_writable_into_readonly_is_exact(void **state)
{
	(void)state;
	struct vmc_object *s = ch_object(1, NPAGES, pattern);
	struct vmc_object *d = ch_object(2, NPAGES, pattern);
	struct vmc_map *m = map_d(d);
	vmc_size_t count = 99;

	/* The second entry becomes read-only from an unaligned address on. */
	ch_map_protect(m, BASE + 3 * P + 17, 5 * P - 17, VMC_PROT_READ);
	unsigned char *before = snapshot(d);
	assert_int_equal(read_fast(s, 5, m, BASE + 2 * P + 1, 3 * P, &count), KERN_SUCCESS);
	assert_int_equal(count, P + 16);
	check_copy(before, d, 2 * P + 1, s, 5, count);
	/* The retry reports why. */
	assert_int_equal(read_fast(s, 5 + count, m, BASE + 2 * P + 1 + count, 3 * P - count, &count),
			 KERN_PROTECTION_FAILURE);
	assert_int_equal(count, 0);

	/* Reading from a region whose protection is none. */
	ch_map_protect(m, BASE, P, VMC_PROT_NONE);
	assert_int_equal(write_fast(m, BASE + 3, s, 0, 10, &count), KERN_PROTECTION_FAILURE);
	assert_int_equal(count, 0);
}

static void test_copy_object_endpoint_max_prot_is_checked(void **state)
{
	(void)state;
	struct vmc_object *s = ch_object(1, NPAGES, pattern);
	struct vmc_object *d = ch_object(2, NPAGES, pattern);
	vmc_size_t count = 99;
	struct vmc_endpoint src = vmc_endpoint_object(s, 0, VMC_PROT_WRITE);
	struct vmc_endpoint dst = vmc_endpoint_object(d, 0, VMC_PROT_READ | VMC_PROT_WRITE);
	unsigned char *before = snapshot(d);

	assert_int_equal(vmc_copy(&src, &dst, 10, &count), KERN_PROTECTION_FAILURE);
	assert_int_equal(count, 0);
	src = vmc_endpoint_object(s, 0, VMC_PROT_READ);
	dst = vmc_endpoint_object(d, 0, VMC_PROT_READ);
	assert_int_equal(vmc_copy(&src, &dst, 10, &count), KERN_PROTECTION_FAILURE);
	assert_int_equal(count, 0);
	check_copy(before, d, 0, s, 0, 0);
	assert_int_equal(ch_counts()->faults, 0);
}

/* Pager answers ---------------------------------------------------------- */

static void test_copy_pager_error_at_page_k_of_n(void **state)
{
	(void)state;
	/* A copy over 4 source pages (P/2 in, so 5 destination pages are
	 * touched); the error at source page k = 1 (first), 2 (middle), 4
	 * (last); then the same on the destination side. */
	const unsigned ks[] = { 1, 2, 4 };
	for (unsigned side = 0; side < 2; side++)
		for (unsigned i = 0; i < 3; i++) {
			struct vmc_object *s = ch_object(1, NPAGES, pattern);
			struct vmc_object *d = ch_object(2, NPAGES, pattern);
			struct vmc_map *m = map_d(d);
			vmc_off_t so = P, dof = P + P / 2;
			vmc_size_t len = 4 * P, count = 99, want;
			unsigned k = ks[i];

			if (side == 0) {
				s->answer[k] = CH_ERROR;
				want = (k - 1) * P;
			} else {
				d->answer[k] = CH_ERROR;
				want = k == 1 ? 0 : (k - 1) * P - P / 2;
			}
			unsigned char *before = snapshot(d);
			vmc_kr_t kr = read_fast(s, so, m, BASE + dof, len, &count);
			assert_int_equal(count, want);
			assert_int_equal(kr, want ? KERN_SUCCESS : KERN_MEMORY_ERROR);
			check_copy(before, d, dof, s, so, count);
			/* The retry from offset + count reports the error. */
			kr = read_fast(s, so + count, m, BASE + dof + count, len - count, &count);
			assert_int_equal(kr, KERN_MEMORY_ERROR);
			assert_int_equal(count, 0);
			teardown(NULL);
		}
}

static void test_copy_unavailable_page_reads_zeros(void **state)
{
	(void)state;
	struct vmc_object *s = ch_object(1, NPAGES, pattern);
	struct vmc_object *d = ch_object(2, NPAGES, pattern);
	struct vmc_map *m = map_d(d);
	vmc_size_t count = 0;

	s->answer[2] = CH_UNAVAILABLE;
	unsigned char *before = snapshot(d);
	assert_int_equal(read_fast(s, P + 9, m, BASE + 3, 3 * P, &count), KERN_SUCCESS);
	assert_int_equal(count, 3 * P);
	for (unsigned i = 0; i < P; i++)
		assert_int_equal(d->data[3 + (P - 9) + i], 0);
	check_copy(before, d, 3, s, P + 9, count);
}

static void test_copy_never_answered_is_interrupted(void **state)
{
	(void)state;
	struct vmc_object *s = ch_object(1, NPAGES, pattern);
	struct vmc_object *d = ch_object(2, NPAGES, pattern);
	struct vmc_map *m = map_d(d);
	vmc_size_t count = 99;

	s->answer[0] = CH_NEVER;
	assert_int_equal(read_fast(s, 10, m, BASE, 100, &count), MACH_SEND_INTERRUPTED);
	assert_int_equal(count, 0);
	s->answer[3] = CH_NEVER;
	unsigned char *before = snapshot(d);
	assert_int_equal(read_fast(s, P, m, BASE + 1, 3 * P, &count), KERN_SUCCESS);
	assert_int_equal(count, 2 * P);
	check_copy(before, d, 1, s, P, count);
}

static void test_copy_retry_from_count_completes(void **state)
{
	(void)state;
	struct vmc_object *s = ch_object(1, NPAGES, pattern);
	struct vmc_object *d = ch_object(2, NPAGES, pattern);
	struct vmc_map *m = map_d(d);
	vmc_size_t count = 0, total = 0, len = 5 * P - 7;
	unsigned char *before = snapshot(d);

	s->answer[3] = CH_ERROR;
	assert_int_equal(read_fast(s, P + 3, m, BASE + 2, len, &count), KERN_SUCCESS);
	assert_int_equal(count, 2 * P - 3);
	total = count;
	s->answer[3] = CH_DATA;      /* the pager recovers */
	assert_int_equal(read_fast(s, P + 3 + total, m, BASE + 2 + total, len - total, &count),
			 KERN_SUCCESS);
	assert_int_equal(total + count, len);
	check_copy(before, d, 2, s, P + 3, len);
}

static void test_copy_refaults_when_page_not_current(void **state)
{
	(void)state;
	struct vmc_object *s = ch_object(1, NPAGES, pattern);
	struct vmc_object *d = ch_object(2, NPAGES, pattern);
	struct vmc_map *m = map_d(d);
	vmc_size_t count = 0;
	unsigned char *before = snapshot(d);

	ch_fail_still_current(3);
	s->answer[2] = CH_RETRY_ONCE;   /* and one fault says "state changed" */
	assert_int_equal(read_fast(s, 5, m, BASE + 6, 3 * P, &count), KERN_SUCCESS);
	assert_int_equal(count, 3 * P);
	check_copy(before, d, 6, s, 5, count);
	assert_true(ch_counts()->lookups >= 4);   /* redone after each refusal */
}

/* The hot path: one lookup per entry, not per page. */
static void test_copy_looks_up_once_per_entry(void **state)
{
	(void)state;
	struct vmc_object *s = ch_object(1, NPAGES, pattern);
	struct vmc_object *d = ch_object(2, NPAGES, pattern);
	struct vmc_map *m = map_d(d);
	vmc_size_t count = 0;

	assert_int_equal(read_fast(s, 0, m, BASE + 1, 7 * P - 1, &count), KERN_SUCCESS);
	assert_int_equal(count, 7 * P - 1);
	assert_int_equal(ch_counts()->lookups, 2);
	assert_int_equal(ch_counts()->verify_failures, 0);
}

/* A map endpoint whose first segment the caller gives (vmc_endpoint_map_at,
 * GNU Mach's vm_map_copy_overwrite): used with no lookup while the map's
 * version holds, on the general path and on the resident shortcut; looked up
 * afresh once the version changed or the segment is used up. */
static void test_copy_map_at_uses_the_callers_segment_while_version_holds(void **state)
{
	(void)state;
	for (int shortcut = 0; shortcut < 2; shortcut++) {
		struct vmc_object *s = ch_object(1, NPAGES, pattern);
		struct vmc_object *d = ch_object(2, NPAGES, pattern);
		/* The caller's segment names another object than the map's
		 * entry: which one the bytes reach shows which was used. */
		struct vmc_object *given = ch_object(3, NPAGES, pattern);
		struct vmc_map *m = map_d(d);
		unsigned char *d_before = test_malloc(NPAGES * P);
		vmc_size_t count = 0;

		ch_set_shortcut(shortcut != 0, false);
		memcpy(d_before, d->data, NPAGES * P);
		vmc_map_version_t v = { .stamp = m->stamp };
		struct vmc_endpoint src = vmc_endpoint_object(s, 0, VMC_PROT_READ);
		struct vmc_endpoint dst = vmc_endpoint_map_at(m, BASE + 5, given, P + 5, P, &v);

		/* The version holds: a copy within the segment goes to `given'
		 * with no lookup at all. */
		assert_int_equal(vmc_copy(&src, &dst, 100, &count), KERN_SUCCESS);
		assert_int_equal(count, 100);
		assert_memory_equal(given->data + P + 5, s->data, 100);
		assert_int_equal(ch_counts()->lookups + ch_counts()->locked_lookups, 0);
		assert_memory_equal(d->data, d_before, NPAGES * P);

		/* Past the segment: its P bytes go to `given' at P + 5, the
		 * next 2P, looked up, to the map's d. */
		assert_int_equal(vmc_copy(&src, &dst, 3 * P, &count), KERN_SUCCESS);
		assert_int_equal(count, 3 * P);
		assert_memory_equal(given->data + P + 5, s->data, P);
		assert_memory_equal(d->data + P + 5, s->data + P, 2 * P);
		assert_memory_equal(d->data, d_before, P + 5);
		assert_int_equal(ch_counts()->verify_failures, 0);
		assert_true(ch_counts()->lookups + ch_counts()->locked_lookups >= 1);

		/* A stale version: nothing reaches `given'; d gets the bytes. */
		memcpy(given->data, d_before, NPAGES * P);  /* any known bytes */
		unsigned char *given_before = test_malloc(NPAGES * P);
		memcpy(given_before, given->data, NPAGES * P);
		v.stamp = m->stamp - 1;
		dst = vmc_endpoint_map_at(m, BASE, given, 0, NPAGES * P, &v);
		src = vmc_endpoint_object(s, 3 * P, VMC_PROT_READ);
		assert_int_equal(vmc_copy(&src, &dst, P + 9, &count), KERN_SUCCESS);
		assert_int_equal(count, P + 9);
		assert_memory_equal(d->data, s->data + 3 * P, P + 9);
		assert_memory_equal(given->data, given_before, NPAGES * P);
		assert_true(ch_counts()->verify_failures >= 1);

		test_free(given_before);
		test_free(d_before);
		const char *why = "";
		if (!ch_check(&why))
			fail_msg("shortcut %d: copy host not back to baseline: %s", shortcut, why);
		ch_reset();
	}
}

/* The caller's segment is checked as the endpoint is: any bytes long, its
 * offsets not wrapping. */
static void test_copy_map_at_rejects_malformed_segments(void **state)
{
	(void)state;
	struct vmc_object *s = ch_object(1, NPAGES, pattern);
	struct vmc_object *d = ch_object(2, NPAGES, pattern);
	struct vmc_map *m = map_d(d);
	vmc_map_version_t v = { .stamp = m->stamp };
	struct vmc_endpoint src = vmc_endpoint_object(s, 0, VMC_PROT_READ);
	struct vmc_endpoint dst;
	vmc_size_t count = 99;

	dst = vmc_endpoint_map_at(m, BASE, d, 0, 0, &v);
	assert_int_equal(vmc_copy(&src, &dst, P, &count), KERN_INVALID_ARGUMENT);
	assert_int_equal(count, 0);
	dst = vmc_endpoint_map_at(m, BASE, d, VMC_ADDR_MAX - 10, 12, &v);
	assert_int_equal(vmc_copy(&src, &dst, P, &count), KERN_INVALID_ARGUMENT);
	assert_int_equal(ch_counts()->lookups + ch_counts()->faults + ch_counts()->verifies, 0);
}

/* Overlap within one object: no double pin (which would deadlock). */
static void test_copy_same_object_same_page_does_not_pin_twice(void **state)
{
	(void)state;
	struct vmc_object *s = ch_object(1, NPAGES, pattern);
	vmc_size_t count = 0;
	struct vmc_endpoint src = vmc_endpoint_object(s, 10, VMC_PROT_READ);
	struct vmc_endpoint dst = vmc_endpoint_object(s, 20, VMC_PROT_WRITE);
	unsigned char want[40];

	memcpy(want, s->data + 10, 40);
	assert_int_equal(vmc_copy(&src, &dst, 40, &count), KERN_SUCCESS);
	assert_int_equal(count, 40);
	assert_memory_equal(s->data + 20, want, 40);   /* memmove within the page */
}

/* Resolvers (how proxies plug in) ------------------------------------------ */

/* A two-segment "proxy": [0, P+5) -> A at 2P read-write; a hole of 7
 * bytes; [P+12, 4P) -> B at 0, read-only. */
struct fake_proxy {
	struct vmc_object *a, *b;
	int calls;
};

static vmc_kr_t fake_proxy_resolve(void *ctx, vmc_off_t pos, struct vmc_segment *seg)
{
	struct fake_proxy *fp = ctx;

	fp->calls++;
	if (pos < P + 5) {
		seg->object = fp->a;
		seg->offset = 2 * P + pos;
		seg->prot = RW;
		seg->left = P + 5 - pos;
	} else if (pos < P + 12) {
		return KERN_INVALID_ADDRESS;
	} else if (pos < 4 * P) {
		seg->object = fp->b;
		seg->offset = pos - (P + 12);
		seg->prot = VMC_PROT_READ;
		seg->left = 4 * P - pos;
	} else {
		return KERN_INVALID_ADDRESS;
	}
	vmc_object_reference(seg->object);
	return KERN_SUCCESS;
}

static void test_copy_resolver_endpoint_stops_at_hole_and_prot(void **state)
{
	(void)state;
	struct fake_proxy fp = { ch_object(1, NPAGES, pattern), ch_object(2, NPAGES, pattern), 0 };
	struct vmc_object *d = ch_object(3, NPAGES, pattern);
	struct vmc_map *m = map_d(d);
	vmc_size_t count = 0;

	/* Reading the proxy into a task buffer stops at the hole. */
	struct vmc_endpoint src = vmc_endpoint_resolver(fake_proxy_resolve, &fp, 3);
	struct vmc_endpoint dst = vmc_endpoint_map(m, BASE + 11);
	unsigned char *before = snapshot(d);
	assert_int_equal(vmc_copy(&src, &dst, 2 * P, &count), KERN_SUCCESS);
	assert_int_equal(count, P + 2);
	check_copy(before, d, 11, fp.a, 2 * P + 3, count);
	src.u.resolver.pos = P + 5;
	assert_int_equal(vmc_copy(&src, &dst, 2 * P, &count), KERN_INVALID_ADDRESS);
	assert_int_equal(count, 0);

	/* Past the hole, B reads fine... */
	src.u.resolver.pos = P + 12 + 1;
	before = snapshot(d);
	assert_int_equal(vmc_copy(&src, &dst, 2 * P, &count), KERN_SUCCESS);
	assert_int_equal(count, 2 * P);
	check_copy(before, d, 11, fp.b, 1, count);

	/* ...but writing through the proxy stops where B's segment starts. */
	struct vmc_endpoint wsrc = vmc_endpoint_map(m, BASE);
	struct vmc_endpoint wdst = vmc_endpoint_resolver(fake_proxy_resolve, &fp, P);
	before = snapshot(fp.a);
	assert_int_equal(vmc_copy(&wsrc, &wdst, 100, &count), KERN_SUCCESS);
	assert_int_equal(count, 5);
	check_copy(before, fp.a, 3 * P, d, 0, 5);
	wdst.u.resolver.pos = P + 12;
	assert_int_equal(vmc_copy(&wsrc, &wdst, 100, &count), KERN_PROTECTION_FAILURE);
	assert_int_equal(count, 0);
}

/* A real proxy (core/vmc_proxy.c): a read-only window of A wrapped in a
 * read-write proxy next to a read-write range of B.  Reads splice the exact
 * bytes across the segment boundary; a write is refused on A's part, at any
 * nesting, and stops exactly where B's part begins when it starts in B's. */
static void test_copy_through_nested_proxy_splices_and_keeps_rights(void **state)
{
	(void)state;
	struct vmc_object *a = ch_object(1, NPAGES, pattern);
	struct vmc_object *b = ch_object(2, NPAGES, pattern);
	struct vmc_object *d = ch_object(3, NPAGES, pattern);
	struct vmc_map *m = map_d(d);
	struct vmc_proxy *ro = NULL, *outer = NULL;
	vmc_size_t count = 0;

	/* ro: A's [P + 7, 3P) read-only.  outer: all of ro, then B's [0, 2P) rw. */
	struct vmc_proxy_input in_ro[] = { { .kind = VMC_PROXY_IN_OBJECT, .object = a } };
	vmc_prot_t p_ro[] = { VMC_PROT_READ };
	vmc_off_t s_ro[] = { P + 7 }, e_ro[] = { 3 * P };
	assert_int_equal(vmc_proxy_create_ranges(in_ro, 1, p_ro, 1, s_ro, 1, e_ro, 1, &ro),
			 KERN_SUCCESS);
	struct vmc_proxy_input in_out[] = { { .kind = VMC_PROXY_IN_PROXY, .proxy = ro },
					    { .kind = VMC_PROXY_IN_OBJECT, .object = b } };
	vmc_prot_t p_out[] = { VMC_PROT_ALL, RW };
	vmc_off_t s_out[] = { 0, 0 }, e_out[] = { 2 * P - 7, 2 * P };
	assert_int_equal(vmc_proxy_create_ranges(in_out, 2, p_out, 2, s_out, 2, e_out, 2,
						 &outer),
			 KERN_SUCCESS);

	/* Read 100 bytes across the A|B boundary (at 2P - 7) into the buffer. */
	struct vmc_endpoint src = vmc_endpoint_resolver(vmc_proxy_copy_resolve, outer, 2 * P - 57);
	struct vmc_endpoint dst = vmc_endpoint_map(m, BASE + 1);
	unsigned char *before = snapshot(d);
	assert_int_equal(vmc_copy(&src, &dst, 100, &count), KERN_SUCCESS);
	assert_int_equal(count, 100);
	for (unsigned i = 0; i < 100; i++) {
		unsigned char want = i < 50 ? a->data[P + 7 + 2 * P - 57 + i]
					   : b->data[i - 50];
		assert_int_equal(d->data[1 + i], want);
	}
	test_free(before);

	/* Writing into the read-only part: refused, nothing written. */
	before = snapshot(a);
	struct vmc_endpoint wsrc = vmc_endpoint_map(m, BASE);
	struct vmc_endpoint wdst = vmc_endpoint_resolver(vmc_proxy_copy_resolve, outer, 5);
	assert_int_equal(vmc_copy(&wsrc, &wdst, 10, &count), KERN_PROTECTION_FAILURE);
	assert_int_equal(count, 0);
	check_copy(before, a, 0, a, 0, 0);

	/* Writing into B's part works, up to the hole after it. */
	before = snapshot(b);
	wdst.u.resolver.pos = 4 * P - 7 - 3;
	assert_int_equal(vmc_copy(&wsrc, &wdst, 10, &count), KERN_SUCCESS);
	assert_int_equal(count, 3);
	check_copy(before, b, 2 * P - 3, d, 0, 3);

	vmc_proxy_destroy(outer);
	vmc_proxy_destroy(ro);
}

/* Counts ------------------------------------------------------------------------ */

/* Counts past 32 bits: with 64-bit addresses only (a 32-bit build's sizes
 * cannot say them). */
#if VMC_ADDR_BITS == 64
static void test_copy_multi_gib_sparse_count_never_truncates(void **state)
{
	(void)state;
	struct vmc_object *s = ch_object_alias(1);
	struct vmc_object *d = ch_object_alias(2);
	const vmc_size_t len = ((vmc_size_t)5 << 30) + 3;   /* 5 GiB + 3 */
	vmc_size_t count = 0;
	struct vmc_endpoint src = vmc_endpoint_object(s, 1, VMC_PROT_READ);
	struct vmc_endpoint dst = vmc_endpoint_object(d, ((vmc_off_t)1 << 40) + 2, VMC_PROT_WRITE);

	assert_int_equal(vmc_copy(&src, &dst, len, &count), KERN_SUCCESS);
	assert_true(count == len);

	/* A failure past 4 GiB is counted exactly too. */
	struct vmc_object *s2 = ch_object(3, CH_MAX_PAGES, pattern);
	struct vmc_endpoint src2 = vmc_endpoint_object(s2, 0, VMC_PROT_READ);
	struct vmc_map *m = ch_map();
	ch_map_enter(m, 0, ((vmc_size_t)4 << 30) + 5, d, 0, RW);
	struct vmc_endpoint dst2 = vmc_endpoint_map(m, ((vmc_size_t)4 << 30) - 7);
	assert_int_equal(vmc_copy(&src2, &dst2, 100, &count), KERN_SUCCESS);
	assert_true(count == 12);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_copy_zero_length_touches_nothing, teardown),
		cmocka_unit_test_teardown(test_copy_rejects_wrap_before_anything, teardown),
		cmocka_unit_test_teardown(test_copy_rejects_malformed_endpoints, teardown),
		cmocka_unit_test_teardown(test_copy_unaligned_heads_and_tails_both_directions, teardown),
		cmocka_unit_test_teardown(test_copy_stops_at_holes_before_between_after, teardown),
		cmocka_unit_test_teardown(test_copy_writable_into_readonly_is_exact, teardown),
		cmocka_unit_test_teardown(test_copy_object_endpoint_max_prot_is_checked, teardown),
		cmocka_unit_test_teardown(test_copy_pager_error_at_page_k_of_n, teardown),
		cmocka_unit_test_teardown(test_copy_unavailable_page_reads_zeros, teardown),
		cmocka_unit_test_teardown(test_copy_never_answered_is_interrupted, teardown),
		cmocka_unit_test_teardown(test_copy_retry_from_count_completes, teardown),
		cmocka_unit_test_teardown(test_copy_refaults_when_page_not_current, teardown),
		cmocka_unit_test_teardown(test_copy_looks_up_once_per_entry, teardown),
		cmocka_unit_test_teardown(test_copy_map_at_uses_the_callers_segment_while_version_holds,
					  teardown),
		cmocka_unit_test_teardown(test_copy_map_at_rejects_malformed_segments, teardown),
		cmocka_unit_test_teardown(test_copy_same_object_same_page_does_not_pin_twice, teardown),
		cmocka_unit_test_teardown(test_copy_resolver_endpoint_stops_at_hole_and_prot, teardown),
		cmocka_unit_test_teardown(test_copy_through_nested_proxy_splices_and_keeps_rights, teardown),
#if VMC_ADDR_BITS == 64
		cmocka_unit_test_teardown(test_copy_multi_gib_sparse_count_never_truncates, teardown),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

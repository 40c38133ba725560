/*
 * fuzz_proxy_create.c: both proxy creation forms on arbitrary arguments.
 *
 * The input decodes into one creation call (form, counts, inputs, ranges,
 * protections).  Inputs are two base objects, a hole, and an inner proxy
 * that is the only way to reach a third object, read-only.  After every
 * call: on success the segments are sorted and disjoint, each resolves to
 * itself, no segment's rights exceed what was asked, and the read-only
 * object is never reachable with more than read; on failure nothing was
 * allocated or referenced.  After the proxy is destroyed, every count is
 * back at its baseline.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmc_kern_names.h"
#include "fuzz.h"
#include "fuzzhost.h"
#include "vmc_proxy_host.h"

#define MAXN 40

struct reader {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct reader *r, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n && r->left > 0; i++, r->left--)
		v = (v << 8) | *r->p++;
	return v;
}

/* Mostly small values, sometimes values near the top of the space. */
static uint64_t take_offset(struct reader *r)
{
	uint8_t shape = (uint8_t)take(r, 1);
	uint64_t v = take(r, shape & 0x80 ? 8 : 2);
	return (shape & 0x40) ? UINT64_MAX - v : v * (shape & 0x20 ? VMC_PAGE_SIZE : 1);
}

static void check(int ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader rd = { data, size };
	struct vmc_object objs[3] = { { 1 }, { 1 }, { 1 } };
	struct vmc_proxy *inner = NULL, *p = NULL;

	/* The inner proxy: objs[2] read-only at [0, 16P), a hole, objs[0] RW. */
	struct vmc_proxy_input iin[] = {
		{ .kind = VMC_PROXY_IN_OBJECT, .object = &objs[2] },
		{ .kind = VMC_PROXY_IN_HOLE },
		{ .kind = VMC_PROXY_IN_OBJECT, .object = &objs[0] },
	};
	vmc_prot_t iprot[] = { VMC_PROT_READ, VMC_PROT_ALL, VMC_PROT_ALL };
	vmc_off_t ist[] = { 0, 0 }, ien[] = { 16 * VMC_PAGE_SIZE, VMC_PAGE_SIZE };
	if (vmc_proxy_create_ranges(iin, 3, iprot, 3, ist, 2, ien, 2, &inner) != KERN_SUCCESS)
		abort();
	unsigned long baseline = fuzz_alloc_outstanding();

	uint8_t head = (uint8_t)take(&rd, 1);
	bool placed = head & 1;
	uint32_t n = (uint32_t)(take(&rd, 1) % MAXN) + 1;
	struct vmc_proxy_input in[MAXN];
	vmc_prot_t prot[MAXN];
	vmc_off_t a[MAXN], b[MAXN];
	vmc_size_t len[MAXN];
	vmc_prot_t allowed = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint8_t kind = (uint8_t)take(&rd, 1);
		switch (kind % 4) {
		case 0: in[i] = (struct vmc_proxy_input){ .kind = VMC_PROXY_IN_HOLE }; break;
		case 1: in[i] = (struct vmc_proxy_input){ .kind = VMC_PROXY_IN_OBJECT, .object = &objs[0] }; break;
		case 2: in[i] = (struct vmc_proxy_input){ .kind = VMC_PROXY_IN_OBJECT, .object = &objs[1] }; break;
		default: in[i] = (struct vmc_proxy_input){ .kind = VMC_PROXY_IN_PROXY, .proxy = inner }; break;
		}
		prot[i] = (vmc_prot_t)(take(&rd, 1) % 9);    /* 8 is invalid */
		allowed |= prot[i];
		a[i] = take_offset(&rd);
		b[i] = (head & 2) ? a[i] + take_offset(&rd) : take_offset(&rd);
		len[i] = take_offset(&rd);
	}
	/* Counts: usually right, sometimes one off in one place. */
	uint8_t skew = (uint8_t)take(&rd, 1);
	uint32_t c[4] = { n, n, n, n };
	if (skew & 0x80)
		c[skew & 3] += (skew & 0x40) ? 1 : (uint32_t)-1;
	if (c[skew & 3] > MAXN)
		c[skew & 3] = n;
	bool open = (head & 4) != 0;

	vmc_kr_t kr;
	if (placed) {
		allowed = prot[0];
		kr = vmc_proxy_create_placed(prot[0], in, n, a, c[0], b, c[1], len, c[2], &p);
	} else {
		uint32_t ns = open ? n - 1 : c[2];
		kr = vmc_proxy_create_ranges(in, n, prot, c[0], a, ns, b, open ? n - 1 : c[3], &p);
	}

	if (kr != KERN_SUCCESS) {
		check(p == NULL);
		check(fuzz_alloc_outstanding() == baseline);
		check(objs[0].refs == 2 && objs[1].refs == 1 && objs[2].refs == 2);
	} else {
		for (uint32_t i = 0; i < vmc_proxy_segments(p); i++) {
			const struct vmc_proxy_seg *s = vmc_proxy_segment(p, i);
			struct vmc_proxy_resolved r;
			check(s->start <= s->last);
			check(i == 0 || vmc_proxy_segment(p, i - 1)->last < s->start);
			check((s->max_prot & ~allowed) == 0);
			/* The read-only object never gains rights through nesting. */
			check(s->object != &objs[2] || (s->max_prot & ~VMC_PROT_READ) == 0);
			vmc_proxy_resolve(p, s->start, &r);
			check(r.object == s->object && r.offset == s->offset);
		}
		vmc_proxy_destroy(p);
		check(fuzz_alloc_outstanding() == baseline);
	}
	vmc_proxy_destroy(inner);
	check(objs[0].refs == 1 && objs[1].refs == 1 && objs[2].refs == 1);
	check(fuzz_alloc_outstanding() == 0);
	return 0;
}

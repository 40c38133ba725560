/* Copyright (C) 2026 the mosaic authors.

   This program is free software; you can redistribute it and/or
   modify it under the terms of the GNU General Public License
   as published by the Free Software Foundation; either
   version 2 of the license, or (at your option) any later version.

   This program is distributed in the hope that it will be useful,
   but WITHOUT ANY WARRANTY; without even the implied warranty of
   MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE. See the
   GNU General Public License for more details.

   You should have received a copy of the GNU General Public
   License along with this program; if not, see
   <http://www.gnu.org/licenses/>.
*/
/*
 * vmc_proxy.c: creation, flattening and resolution of proxy memory objects.
 * See vmc_proxy.h for the model.
 *
 * Both creation forms (the seed's, its ranges given by ends or by
 * lengths, and GNU Mach's) decode their arguments into the same list of
 * validated ranges (struct range: where in proxy space, which input, where
 * in the input, what protection), sorted by proxy offset and disjoint.
 * From there one path builds the proxy: count the segments that flattening
 * yields, allocate, then fill and take references.  Only the last step
 * changes anything outside the new proxy, and it cannot fail.
 */
#include "vmc_proxy_impl.h"

/* One validated input range. */
struct range {
	vmc_off_t pstart;           /* first proxy offset */
	vmc_off_t plast;            /* last proxy offset */
	const struct vmc_proxy_input *in;
	vmc_off_t istart;           /* offset in the input at pstart */
	vmc_prot_t prot;
	bool open_ended;
};

/* Buckets for n segments: the smallest power of two >= n (0 for none). */
static uint32_t buckets_for(uint32_t n)
{
	uint32_t b = 1;

	if (n == 0)
		return 0;
	while (b < n)
		b <<= 1;
	return b;
}

static vmc_size_t proxy_bytes(uint32_t nsegs, uint32_t nbuckets)
{
	return sizeof(struct vmc_proxy) + (vmc_size_t)nsegs * sizeof(struct vmc_proxy_seg) +
	       (vmc_size_t)nbuckets * sizeof(uint32_t);
}

/* Index of the first segment in [lo, hi) whose last offset is >= x, or hi. */
static uint32_t seg_search_in(const struct vmc_proxy *p, vmc_off_t x, uint32_t lo, uint32_t hi)
{
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (p->segs[mid].last < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the first segment whose last offset is >= x, or nsegs. */
static inline uint32_t seg_search(const struct vmc_proxy *p, vmc_off_t x)
{
	if (p->nsegs == 0 || x < p->segs[0].start)
		return 0;

	vmc_off_t b = (x - p->segs[0].start) >> p->shift;
	if (b >= p->nbuckets)
		return seg_search_in(p, x, p->bucket[p->nbuckets - 1], p->nsegs);
	uint32_t lo = p->bucket[b];
	uint32_t hi = b + 1 < p->nbuckets ? p->bucket[b + 1] + 1 : p->nsegs;
	return seg_search_in(p, x, lo, hi < p->nsegs ? hi : p->nsegs);
}

/* Fills the bucket index of a proxy whose segments are in place. */
static void buckets_fill(struct vmc_proxy *p)
{
	if (p->nsegs == 0)
		return;

	vmc_off_t base = p->segs[0].start;
	vmc_off_t span = p->segs[p->nsegs - 1].start - base;
	uint32_t shift = 0;

	while (shift < 63 && (span >> shift) >= p->nbuckets)
		shift++;
	p->shift = shift;
	for (uint32_t b = 0, i = 0; b < p->nbuckets; b++) {
		vmc_off_t first = base + ((vmc_off_t)b << shift);   /* <= last start */
		if ((vmc_off_t)b > (span >> shift)) {
			p->bucket[b] = p->nsegs - 1;
			continue;
		}
		while (i < p->nsegs && p->segs[i].last < first)
			i++;
		p->bucket[b] = i;
	}
}

/* Last input offset that range r reaches.  It does not wrap: closed
 * ranges were checked when decoded, open ones are cut to fit. */
static vmc_off_t range_ilast(const struct range *r)
{
	VMC_ASSERT(r->plast >= r->pstart && r->istart <= VMC_ADDR_MAX - (r->plast - r->pstart),
		   "range_ilast: the range wraps");
	return r->istart + (r->plast - r->pstart);
}

/* Open-ended range from proxy offset pstart and input offset istart: it
 * runs as far as both offsets can go. */
static vmc_off_t open_plast(vmc_off_t pstart, vmc_off_t istart)
{
	vmc_off_t room_p = VMC_ADDR_MAX - pstart, room_i = VMC_ADDR_MAX - istart;

	return pstart + vmc_min(room_p, room_i);
}

/* The segments that range r flattens into: written to out[0..], or only
 * counted when out is NULL.  Returns how many. */
static uint64_t range_flatten(const struct range *r, struct vmc_proxy_seg *out)
{
	const struct vmc_proxy_input *in = r->in;

	if (in->kind == VMC_PROXY_IN_HOLE)
		return 0;
	if (in->kind == VMC_PROXY_IN_OBJECT || in->kind == VMC_PROXY_IN_UNNAMED) {
		if (out != NULL) {
			*out = (struct vmc_proxy_seg){
				.start = r->pstart, .last = r->plast,
				.object = in->object, .offset = r->istart,
				.max_prot = r->prot, .open_ended = r->open_ended,
			};
		}
		return 1;
	}

	/* A proxy: pull in its segments that meet [istart, ilast]. */
	const struct vmc_proxy *q = in->proxy;
	vmc_off_t ilast = range_ilast(r);
	uint64_t n = 0;

	for (uint32_t i = seg_search(q, r->istart); i < q->nsegs; i++) {
		const struct vmc_proxy_seg *s = &q->segs[i];
		if (s->start > ilast)
			break;
		if (out != NULL) {
			vmc_off_t a, b;
			/* They meet: s->start <= ilast, s->last >= r->istart. */
			if (!vmc_closed_intersect(s->start, s->last, r->istart, ilast, &a, &b))
				vmc_panic("range_flatten: a segment found does not meet the range");
			out[n] = (struct vmc_proxy_seg){
				.start = r->pstart + (a - r->istart),
				.last = r->pstart + (b - r->istart),
				.object = s->object,
				.offset = s->offset + (a - s->start),
				.max_prot = r->prot & s->max_prot,
				.open_ended = r->open_ended && s->open_ended && b == s->last,
			};
		}
		n++;
	}
	return n;
}

/* A creation decoded and planned (vmc_proxy.h). */
struct vmc_proxy_plan {
	struct range *ranges;       /* n of them, sorted, disjoint */
	uint32_t n;
	uint32_t nsegs, nbuckets;
	struct vmc_proxy *proxy;    /* allocated, not yet filled */
};

static void plan_free(struct vmc_proxy_plan *plan)
{
	if (plan->ranges != NULL)
		vmc_free(plan->ranges, (vmc_size_t)plan->n * sizeof(struct range));
	if (plan->proxy != NULL)
		vmc_free(plan->proxy, proxy_bytes(plan->nsegs, plan->nbuckets));
	vmc_free(plan, sizeof *plan);
}

/* Measures the proxy the plan's ranges make and allocates it, so that the
 * build cannot fail. */
static vmc_kr_t plan_measure(struct vmc_proxy_plan *plan)
{
	uint64_t nsegs = 0;

	for (uint32_t i = 0; i < plan->n; i++) {
		nsegs += range_flatten(&plan->ranges[i], NULL);
		/* Does flattening stay within the segment limit? */
		if (nsegs > VMC_PROXY_MAX_SEGMENTS)
			return VMC_KERN_NO_SPACE;
	}
	plan->nsegs = (uint32_t)nsegs;
	plan->nbuckets = buckets_for(plan->nsegs);
	plan->proxy = vmc_alloc(proxy_bytes(plan->nsegs, plan->nbuckets));
	return plan->proxy != NULL ? VMC_KERN_SUCCESS : VMC_KERN_RESOURCE_SHORTAGE;
}

/* A plan with room for n ranges, or NULL. */
static struct vmc_proxy_plan *plan_alloc(uint32_t n)
{
	struct vmc_proxy_plan *plan = vmc_alloc(sizeof *plan);

	if (plan == NULL)
		return NULL;
	*plan = (struct vmc_proxy_plan){ .n = n };
	plan->ranges = vmc_alloc((vmc_size_t)n * sizeof(struct range));
	if (plan->ranges == NULL) {
		plan_free(plan);
		return NULL;
	}
	return plan;
}

/* Is this input named now, as the build needs it (an object or a proxy
 * that exists, or a hole)? */
static bool input_named(const struct vmc_proxy_input *in)
{
	return in->kind == VMC_PROXY_IN_HOLE ||
	       (in->kind == VMC_PROXY_IN_OBJECT && in->object != NULL) ||
	       (in->kind == VMC_PROXY_IN_PROXY && in->proxy != NULL);
}

struct vmc_proxy *vmc_proxy_build(struct vmc_proxy_plan *plan)
{
	struct vmc_proxy *p = plan->proxy;
	uint64_t nsegs = 0;

	/* The host's side of the plan, before anything is written: every
	 * input named, and the inputs still flattening into exactly the
	 * segments the proxy has room for (at most 1024 ranges of at most
	 * 65536 segments each: the count cannot wrap). */
	for (uint32_t i = 0; i < plan->n; i++) {
		if (!input_named(plan->ranges[i].in))
			vmc_panic("vmc_proxy_build: an input was not named");
		nsegs += range_flatten(&plan->ranges[i], NULL);
	}
	if (nsegs != plan->nsegs)
		vmc_panic("vmc_proxy_build: the inputs changed since the plan");

	/* Commit: nothing below can fail. */
	p->nsegs = 0;
	for (uint32_t i = 0; i < plan->n; i++)
		p->nsegs += (uint32_t)range_flatten(&plan->ranges[i], &p->segs[p->nsegs]);
	p->nbuckets = plan->nbuckets;
	p->shift = 0;
	p->bucket = (uint32_t *)&p->segs[p->nsegs];
	buckets_fill(p);
	for (uint32_t i = 0; i < p->nsegs; i++)
		vmc_object_reference(p->segs[i].object);
	plan->proxy = NULL;
	plan_free(plan);
	return p;
}

void vmc_proxy_plan_discard(struct vmc_proxy_plan *plan)
{
	plan_free(plan);
}

/* Is this input well formed (a hole, or a non-null object or proxy)? */
static bool input_valid(const struct vmc_proxy_input *in)
{
	switch (in->kind) {
	case VMC_PROXY_IN_HOLE:
		return true;
	case VMC_PROXY_IN_OBJECT:
		return in->object != NULL;
	case VMC_PROXY_IN_UNNAMED:
		return true;
	case VMC_PROXY_IN_PROXY:
		return in->proxy != NULL;
	}
	return false;
}

/* Decodes the seed's form into ranges laid end to end: into r, or, with r
 * NULL, only checking the arguments.  A closed range is given by its start
 * and either its exclusive end (end[], the seed's) or its length (len[],
 * which can say a range that ends at the top of the input's offsets); the
 * other array is NULL. */
static vmc_kr_t decode_seed(const struct vmc_proxy_input *in, uint32_t n,
			    const vmc_prot_t *maxprot, const vmc_off_t *start,
			    const vmc_off_t *end, const vmc_size_t *len, uint32_t nclosed,
			    struct range *r)
{
	vmc_off_t p = 0;

	for (uint32_t i = 0; i < n; i++) {
		struct range one = { .pstart = p, .in = &in[i], .prot = maxprot[i] };

		/* Is the protection made of VM_PROT bits only? */
		if (!vmc_prot_valid(maxprot[i]))
			return VMC_KERN_INVALID_VALUE;
		/* Is the input a hole, an object or a proxy? */
		if (!input_valid(&in[i]))
			return VMC_KERN_INVALID_ARGUMENT;

		if (i == nclosed) {
			/* The open-ended last range: the whole input, from 0. */
			one.istart = 0;
			one.plast = open_plast(p, 0);
			one.open_ended = true;
		} else {
			struct vmc_range window;
			vmc_size_t size;
			if (end != NULL) {
				/* Is the range non-empty and in order (end >= start)? */
				if (end[i] <= start[i])
					return VMC_KERN_INVALID_ARGUMENT;
				size = end[i] - start[i];
			} else {
				/* Is the range non-empty, within the input's offsets? */
				if (len[i] == 0 || !vmc_range_make(start[i], len[i], &window))
					return VMC_KERN_INVALID_ARGUMENT;
				size = len[i];
			}
			/* Does it fit in proxy space after the ranges before it? */
			if (!vmc_range_make(p, size, &window))
				return VMC_KERN_INVALID_ARGUMENT;
			one.istart = start[i];
			one.plast = vmc_range_last(&window);
			/* Is there proxy space left for the next range? */
			if (i + 1 < n && !vmc_add(one.plast, 1, &p))
				return VMC_KERN_INVALID_ARGUMENT;
		}
		if (r != NULL)
			r[i] = one;
	}
	return VMC_KERN_SUCCESS;
}

/* The plan of the seed's form, with ends or lengths (decode_seed). */
static vmc_kr_t plan_seed(const struct vmc_proxy_input *in, uint32_t n,
			  const vmc_prot_t *maxprot, uint32_t nprot,
			  const vmc_off_t *start, uint32_t nstart,
			  const vmc_off_t *end, const vmc_size_t *len, uint32_t nend,
			  struct vmc_proxy_plan **out)
{
	/* Is there at least one input, and not more than the interface takes? */
	if (n == 0)
		return VMC_KERN_INVALID_ARGUMENT;
	if (n > VMC_PROXY_MAX_RANGES)
		return VMC_KERN_NO_SPACE;
	/* One protection per input; start and end paired, for every input or
	 * for all but the last (which is then open-ended)? */
	if (nprot != n || nstart != nend || (nstart != n && nstart != n - 1))
		return VMC_KERN_INVALID_ARGUMENT;

	/* Every argument, before anything is allocated. */
	vmc_kr_t kr = decode_seed(in, n, maxprot, start, end, len, nstart, NULL);
	if (kr != VMC_KERN_SUCCESS)
		return kr;

	struct vmc_proxy_plan *plan = plan_alloc(n);
	if (plan == NULL)
		return VMC_KERN_RESOURCE_SHORTAGE;
	(void)decode_seed(in, n, maxprot, start, end, len, nstart, plan->ranges);
	if ((kr = plan_measure(plan)) != VMC_KERN_SUCCESS) {
		plan_free(plan);
		return kr;
	}
	*out = plan;
	return VMC_KERN_SUCCESS;
}

vmc_kr_t vmc_proxy_plan_ranges(const struct vmc_proxy_input *in, uint32_t n,
			       const vmc_prot_t *maxprot, uint32_t nprot,
			       const vmc_off_t *start, uint32_t nstart,
			       const vmc_off_t *end, uint32_t nend,
			       struct vmc_proxy_plan **out)
{
	return plan_seed(in, n, maxprot, nprot, start, nstart, end, NULL, nend, out);
}

/* Sorts ranges by proxy start (heapsort: n is at most 1024, no recursion,
 * no allocation). */
static void sift_down(struct range *r, uint32_t root, uint32_t n)
{
	for (;;) {
		uint32_t child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && r[child + 1].pstart > r[child].pstart)
			child++;
		if (r[root].pstart >= r[child].pstart)
			return;
		struct range t = r[root];
		r[root] = r[child];
		r[child] = t;
		root = child;
	}
}

static void ranges_sort(struct range *r, uint32_t n)
{
	for (uint32_t i = n / 2; i-- > 0;)
		sift_down(r, i, n);
	for (uint32_t end = n; end-- > 1;) {
		struct range t = r[0];
		r[0] = r[end];
		r[end] = t;
		sift_down(r, 0, end);
	}
}

/* Decodes GNU Mach's form: explicit placement, any order, no overlap.  With
 * r NULL it checks each range's own arguments only; into r it also sorts
 * them and checks that none overlaps the next. */
static vmc_kr_t decode_placed(vmc_prot_t prot, const struct vmc_proxy_input *in,
			      uint32_t n, const vmc_off_t *offset,
			      const vmc_off_t *start, const vmc_size_t *len,
			      struct range *r)
{
	for (uint32_t i = 0; i < n; i++) {
		struct vmc_range placed, window;

		/* Is the input an object or a proxy (a null port is no name)? */
		if (in[i].kind == VMC_PROXY_IN_HOLE)
			return VMC_KERN_INVALID_NAME;
		if (!input_valid(&in[i]))
			return VMC_KERN_INVALID_ARGUMENT;
		/* Is the range non-empty? */
		if (len[i] == 0)
			return VMC_KERN_INVALID_ARGUMENT;
		/* Do both its place in the proxy and its window fit in 64 bits? */
		if (!vmc_range_make(offset[i], len[i], &placed) ||
		    !vmc_range_make(start[i], len[i], &window))
			return VMC_KERN_INVALID_ARGUMENT;
		if (r != NULL)
			r[i] = (struct range){
				.pstart = placed.start, .plast = vmc_range_last(&placed),
				.in = &in[i], .istart = start[i], .prot = prot,
			};
	}
	if (r == NULL)
		return VMC_KERN_SUCCESS;
	ranges_sort(r, n);
	for (uint32_t i = 1; i < n; i++) {
		/* Does range i begin after range i - 1 ends? */
		if (r[i].pstart <= r[i - 1].plast)
			return VMC_KERN_INVALID_ARGUMENT;
	}
	return VMC_KERN_SUCCESS;
}

vmc_kr_t vmc_proxy_plan_placed(vmc_prot_t max_protection,
			       const struct vmc_proxy_input *in, uint32_t n,
			       const vmc_off_t *offset, uint32_t noffset,
			       const vmc_off_t *start, uint32_t nstart,
			       const vmc_size_t *len, uint32_t nlen,
			       struct vmc_proxy_plan **out)
{
	/* Is there at least one input, and not more than the interface takes? */
	if (n == 0)
		return VMC_KERN_INVALID_ARGUMENT;
	if (n > VMC_PROXY_MAX_RANGES)
		return VMC_KERN_NO_SPACE;
	/* Do all arrays describe the same ranges? */
	if (noffset != n || nstart != n || nlen != n)
		return VMC_KERN_INVALID_ARGUMENT;
	/* Is the protection made of VM_PROT bits only? */
	if (!vmc_prot_valid(max_protection))
		return VMC_KERN_INVALID_VALUE;

	/* Each range's own arguments, before anything is allocated. */
	vmc_kr_t kr = decode_placed(max_protection, in, n, offset, start, len, NULL);
	if (kr != VMC_KERN_SUCCESS)
		return kr;

	/* Overlaps: found on the ranges sorted in the plan's own array. */
	struct vmc_proxy_plan *plan = plan_alloc(n);
	if (plan == NULL)
		return VMC_KERN_RESOURCE_SHORTAGE;
	kr = decode_placed(max_protection, in, n, offset, start, len, plan->ranges);
	if (kr == VMC_KERN_SUCCESS)
		kr = plan_measure(plan);
	if (kr != VMC_KERN_SUCCESS) {
		plan_free(plan);
		return kr;
	}
	*out = plan;
	return VMC_KERN_SUCCESS;
}


vmc_kr_t vmc_proxy_create_sized(const struct vmc_proxy_input *in, uint32_t n,
				const vmc_prot_t *maxprot, uint32_t nprot,
				const vmc_off_t *start, uint32_t nstart,
				const vmc_size_t *len, uint32_t nlen,
				struct vmc_proxy **out)
{
	struct vmc_proxy_plan *plan;
	vmc_kr_t kr = plan_seed(in, n, maxprot, nprot, start, nstart, NULL, len, nlen, &plan);

	if (kr == VMC_KERN_SUCCESS)
		*out = vmc_proxy_build(plan);
	return kr;
}

void vmc_proxy_destroy(struct vmc_proxy *proxy)
{
	for (uint32_t i = 0; i < proxy->nsegs; i++)
		vmc_object_release(proxy->segs[i].object);
	vmc_free(proxy, proxy_bytes(proxy->nsegs, proxy->nbuckets));
}

/* Bytes in [x, last], saturating at VMC_ADDR_MAX for the whole space. */
static vmc_size_t bytes_through(vmc_off_t x, vmc_off_t last)
{
	vmc_size_t n = last - x;
	return n == VMC_ADDR_MAX ? n : n + 1;
}

void vmc_proxy_resolve(const struct vmc_proxy *proxy, vmc_off_t x,
		       struct vmc_proxy_resolved *out)
{
	uint32_t i = seg_search(proxy, x);

	if (i < proxy->nsegs && proxy->segs[i].start <= x) {
		const struct vmc_proxy_seg *s = &proxy->segs[i];
		out->object = s->object;
		out->offset = s->offset + (x - s->start);
		out->max_prot = s->max_prot;
		out->left = bytes_through(x, s->last);
		return;
	}
	/* A hole, up to the next segment or the top of the space. */
	out->object = NULL;
	out->offset = 0;
	out->max_prot = VMC_PROT_NONE;
	out->left = i < proxy->nsegs ? proxy->segs[i].start - x : bytes_through(x, VMC_ADDR_MAX);
}

bool vmc_proxy_window_inside(const struct vmc_proxy *proxy, vmc_off_t offset, vmc_size_t size)
{
	struct vmc_range window;

	if (size == 0 || proxy->nsegs == 0 || !vmc_range_make(offset, size, &window))
		return false;
	return vmc_range_last(&window) <= proxy->segs[proxy->nsegs - 1].last;
}

bool vmc_proxy_iter_init(struct vmc_proxy_iter *it, const struct vmc_proxy *proxy,
			 vmc_off_t offset, vmc_size_t size)
{
	struct vmc_range window;

	if (size == 0 || !vmc_range_make(offset, size, &window))
		return false;
	it->proxy = proxy;
	it->next = offset;
	it->remaining = size;
	return true;
}

bool vmc_proxy_iter_next(struct vmc_proxy_iter *it, struct vmc_proxy_piece *piece)
{
	struct vmc_proxy_resolved r;

	if (it->remaining == 0)
		return false;
	vmc_proxy_resolve(it->proxy, it->next, &r);
	piece->start = it->next;
	piece->size = vmc_min(r.left, it->remaining);
	piece->object = r.object;
	piece->offset = r.offset;
	piece->max_prot = r.max_prot;
	it->remaining -= piece->size;
	/* The window fits in 64 bits, so this only wraps when nothing is left. */
	it->next += it->remaining != 0 ? piece->size : 0;
	return true;
}

vmc_kr_t vmc_proxy_copy_resolve(void *ctx, vmc_off_t pos, struct vmc_segment *seg)
{
	struct vmc_proxy_resolved r;

	vmc_proxy_resolve(ctx, pos, &r);
	if (r.object == NULL)
		return VMC_KERN_INVALID_ADDRESS;
	/* The proxy holds its objects, and the copy holds the proxy. */
	seg->object = r.object;
	seg->held = true;
	seg->offset = r.offset;
	seg->prot = r.max_prot;
	seg->left = r.left;
	return VMC_KERN_SUCCESS;
}

/* vm_map of a window ---------------------------------------------------------- */

vmc_kr_t vmc_proxy_map_check(const struct vmc_proxy *proxy, vmc_off_t offset, vmc_size_t size,
			     bool copy, uint32_t *npieces)
{
	struct vmc_proxy_iter it;
	struct vmc_proxy_piece pc;
	uint32_t n = 0;

	/* Is the window on a page boundary, inside the proxy, without wrap? */
	if (!vmc_page_aligned(offset) || !vmc_proxy_window_inside(proxy, offset, size) ||
	    !vmc_proxy_iter_init(&it, proxy, offset, size))
		return VMC_KERN_INVALID_ARGUMENT;
	while (vmc_proxy_iter_next(&it, &pc)) {
		/* Does every piece begin and end on a page boundary? */
		if (!vmc_page_aligned(pc.start) || !vmc_page_aligned(pc.size) ||
		    (pc.object != NULL && !vmc_page_aligned(pc.offset)))
			return VMC_KERN_INVALID_ARGUMENT;
		/* A copy is made by reading: may it read every piece? */
		if (copy && pc.object != NULL && !(pc.max_prot & VMC_PROT_READ))
			return VMC_KERN_PROTECTION_FAILURE;
		n++;
	}
	*npieces = n;
	return VMC_KERN_SUCCESS;
}

void vmc_proxy_map_plan(const struct vmc_proxy *proxy, vmc_off_t offset, vmc_size_t size,
			bool copy, vmc_prot_t cur, vmc_prot_t max,
			struct vmc_proxy_map_piece *pieces)
{
	struct vmc_proxy_iter it;
	struct vmc_proxy_piece pc;
	uint32_t i = 0;

	if (!vmc_proxy_iter_init(&it, proxy, offset, size))
		vmc_panic("vmc_proxy_map_plan: a window vmc_proxy_map_check refuses");
	while (vmc_proxy_iter_next(&it, &pc)) {
		vmc_prot_t cap = copy ? VMC_PROT_ALL : pc.max_prot;

		pieces[i++] = (struct vmc_proxy_map_piece){
			.at = pc.start - offset,
			.size = pc.size,
			.object = pc.object,
			.offset = pc.object != NULL ? pc.offset : 0,
			.cur = pc.object != NULL ? cur & cap : VMC_PROT_NONE,
			.max = pc.object != NULL ? max & cap : VMC_PROT_NONE,
		};
	}
}

void vmc_proxy_for_each_object(const struct vmc_proxy *proxy,
			       void (*fn)(struct vmc_object *object, void *ctx), void *ctx)
{
	for (uint32_t i = 0; i < proxy->nsegs; i++)
		fn(proxy->segs[i].object, ctx);
}

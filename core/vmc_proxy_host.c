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
 * vmc_proxy_host.c: what hosts other than a kernel want of proxies: the
 * create calls in one step (plan and build, vmc_proxy.h), and the segments
 * shown (the tests, the fuzzer and the benchmarks check what flattening
 * made).  A kernel takes vmc_proxy.c without this file: GNU Mach plans,
 * names its pagers' objects, then builds.
 */
#include "vmc_proxy_host.h"
#include "vmc_proxy_impl.h"

uint32_t vmc_proxy_segments(const struct vmc_proxy *proxy)
{
	return proxy->nsegs;
}

const struct vmc_proxy_seg *vmc_proxy_segment(const struct vmc_proxy *proxy, uint32_t i)
{
	if (i >= proxy->nsegs)
		vmc_panic("vmc_proxy_segment: no such segment");
	return &proxy->segs[i];
}

vmc_kr_t vmc_proxy_create_ranges(const struct vmc_proxy_input *in, uint32_t n,
				 const vmc_prot_t *maxprot, uint32_t nprot,
				 const vmc_off_t *start, uint32_t nstart,
				 const vmc_off_t *end, uint32_t nend,
				 struct vmc_proxy **out)
{
	struct vmc_proxy_plan *plan;
	vmc_kr_t kr = vmc_proxy_plan_ranges(in, n, maxprot, nprot, start, nstart, end, nend,
					    &plan);

	if (kr == VMC_KERN_SUCCESS)
		*out = vmc_proxy_build(plan);
	return kr;
}

vmc_kr_t vmc_proxy_create_placed(vmc_prot_t max_protection,
				 const struct vmc_proxy_input *in, uint32_t n,
				 const vmc_off_t *offset, uint32_t noffset,
				 const vmc_off_t *start, uint32_t nstart,
				 const vmc_size_t *len, uint32_t nlen,
				 struct vmc_proxy **out)
{
	struct vmc_proxy_plan *plan;
	vmc_kr_t kr = vmc_proxy_plan_placed(max_protection, in, n, offset, noffset, start,
					    nstart, len, nlen, &plan);

	if (kr == VMC_KERN_SUCCESS)
		*out = vmc_proxy_build(plan);
	return kr;
}

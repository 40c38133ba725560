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
 * vmc_proxy_impl.h: a proxy's representation, which vmc_proxy.c builds and
 * reads and vmc_proxy_host.c shows.  No other file includes it: to the
 * rest of the core and to hosts a proxy is opaque.
 */
#ifndef VMC_PROXY_IMPL_H
#define VMC_PROXY_IMPL_H

#include "vmc_proxy.h"

/* Resolution is a binary search, narrowed first by a bucket index: the span
 * from the first segment's start to the last one's is cut into nbuckets
 * (a power of two, at least nsegs) slices of 2^shift offsets, and bucket[b]
 * is the first segment that ends at or after slice b's first offset.  With
 * evenly sized segments a lookup then touches one or two segments whatever
 * their number; with skewed ones it is never worse than the plain search. */
struct vmc_proxy {
	uint32_t nsegs;
	uint32_t nbuckets;
	uint32_t shift;
	uint32_t *bucket;            /* nbuckets entries, after segs[] */
	struct vmc_proxy_seg segs[]; /* sorted by start, disjoint */
};

#endif /* VMC_PROXY_IMPL_H */

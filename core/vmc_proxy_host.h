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
 * vmc_proxy_host.h: proxies as hosts other than a kernel use them
 * (vmc_proxy_host.c): creation in one step, and the segments shown.
 */
#ifndef VMC_PROXY_HOST_H
#define VMC_PROXY_HOST_H

#include "vmc_proxy.h"

/* The plan calls of vmc_proxy.h and vmc_proxy_build in one step, for inputs
 * that are all named: the same arguments and results (a plan that fails
 * gives its code; otherwise *out is the proxy). */
vmc_kr_t vmc_proxy_create_ranges(const struct vmc_proxy_input *in, uint32_t n,
				 const vmc_prot_t *maxprot, uint32_t nprot,
				 const vmc_off_t *start, uint32_t nstart,
				 const vmc_off_t *end, uint32_t nend,
				 struct vmc_proxy **out);
vmc_kr_t vmc_proxy_create_placed(vmc_prot_t max_protection,
				 const struct vmc_proxy_input *in, uint32_t n,
				 const vmc_off_t *offset, uint32_t noffset,
				 const vmc_off_t *start, uint32_t nstart,
				 const vmc_size_t *len, uint32_t nlen,
				 struct vmc_proxy **out);

/* How many segments the proxy has, and segment i (i < that): what
 * flattening made, sorted by start and disjoint. */
uint32_t vmc_proxy_segments(const struct vmc_proxy *proxy);
const struct vmc_proxy_seg *vmc_proxy_segment(const struct vmc_proxy *proxy, uint32_t i);

#endif /* VMC_PROXY_HOST_H */

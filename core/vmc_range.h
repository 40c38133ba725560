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
 * vmc_range.h: overflow-checked arithmetic on addresses, offsets and sizes.
 *
 * This is the only place in mosaic where addresses, offsets and sizes are
 * added.  Everything else calls vmc_add() or builds a struct vmc_range with
 * vmc_range_make(), which refuses a range that wraps.
 *
 * A range is half-open, [start, start + size), but it is stored as a start
 * and a size, never as an end: a range that finishes at the very top of the
 * address space (VMC_ADDR_MAX; its end would be one past it) is still
 * representable.  Membership
 * subtracts instead of adding (Zircon's is_in_range), and the last byte,
 * start + size - 1, is the end used in comparisons.
 */
#ifndef VMC_RANGE_H
#define VMC_RANGE_H

#include "vmc_types.h"

/* a + b into *sum.  Returns false, leaving *sum untouched, if it wraps. */
static inline bool vmc_add(vmc_addr_t a, vmc_addr_t b, vmc_addr_t *sum)
{
	vmc_addr_t s;

	if (__builtin_add_overflow(a, b, &s))
		return false;
	*sum = s;
	return true;
}

/* A half-open range [start, start + size); size 0 is the empty range at start.
 * Invariant (kept by vmc_range_make): size == 0 || start + (size - 1) fits. */
struct vmc_range {
	vmc_addr_t start;
	vmc_size_t size;
};

/* Builds [start, start + size).  Returns false, leaving *r untouched, if the
 * last byte is past VMC_ADDR_MAX. */
static inline bool vmc_range_make(vmc_addr_t start, vmc_addr_t size, struct vmc_range *r)
{
	vmc_addr_t last;

	if (size != 0 && !vmc_add(start, size - 1, &last))
		return false;
	r->start = start;
	r->size = size;
	return true;
}

/* The last byte of a non-empty range. */
static inline vmc_addr_t vmc_range_last(const struct vmc_range *r)
{
	return r->start + (r->size - 1);
}

/* Is x inside r?  Subtracts: never overflows. */
static inline bool vmc_range_contains(const struct vmc_range *r, vmc_addr_t x)
{
	return x >= r->start && x - r->start < r->size;
}

/* Is [start, start + size) inside r?  False if it wraps.  An empty range is
 * inside r when its start is inside r or equals r's end. */
static inline bool vmc_range_contains_range(const struct vmc_range *r, vmc_addr_t start,
					    vmc_addr_t size)
{
	if (start < r->start)
		return false;
	vmc_addr_t off = start - r->start;
	return off <= r->size && size <= r->size - off;
}

/* Bytes from x to the end of r, for x inside r (0 otherwise). */
static inline vmc_addr_t vmc_range_left(const struct vmc_range *r, vmc_addr_t x)
{
	return vmc_range_contains(r, x) ? r->size - (x - r->start) : 0;
}

/* The intersection of the closed intervals [a0, a1] and [b0, b1] (a0 <= a1,
 * b0 <= b1; either may end at VMC_ADDR_MAX, which a start and a size cannot
 * say): true with it in [*lo, *hi], false (nothing written) when they do
 * not meet. */
static inline bool vmc_closed_intersect(vmc_addr_t a0, vmc_addr_t a1, vmc_addr_t b0, vmc_addr_t b1,
					vmc_addr_t *lo, vmc_addr_t *hi)
{
	vmc_addr_t l = a0 > b0 ? a0 : b0, h = a1 < b1 ? a1 : b1;

	if (l > h)
		return false;
	*lo = l;
	*hi = h;
	return true;
}

/* Bytes from x to the end of its page (1 .. VMC_PAGE_SIZE). */
static inline vmc_size_t vmc_page_left(vmc_addr_t x)
{
	return VMC_PAGE_SIZE - (x & VMC_PAGE_MASK);
}

static inline vmc_addr_t vmc_min(vmc_addr_t a, vmc_addr_t b) { return a < b ? a : b; }

#endif /* VMC_RANGE_H */

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
 *	File:	include/mach/mosaic_types.h  (mosaic: mach-port/mosaic_types.h)
 *
 *	The C types of mosaic.defs that the Mach headers do not have.
 *	mosaic.defs imports this header, so MIG's user and server headers
 *	include it: it is installed beside mosaic.defs (patch 5 of the
 *	series), and a guest finds it among its generated stubs
 *	(build-guest.sh).
 */

#ifndef	_MOSAIC_MOSAIC_TYPES_H_
#define	_MOSAIC_MOSAIC_TYPES_H_

#include <mach/vm_prot.h>

/* memory_object_create_proxy_ranges' maxprot: one protection a range. */
typedef	vm_prot_t	*mosaic_prot_array_t;

#endif	/* _MOSAIC_MOSAIC_TYPES_H_ */

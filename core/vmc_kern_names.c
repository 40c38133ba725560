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
 * vmc_kern_names.c: the Mach names of the core's status codes, for the
 * hosts that print them (the simulator, the tools, the tests, the guests).
 * A kernel has its own names and needs none of this file.
 */
#include "vmc_kern_names.h"

const char *vmc_kr_name(vmc_kr_t kr)
{
	switch (kr) {
#define NAME(x) case VMC_##x: return #x
	NAME(KERN_SUCCESS);
	NAME(KERN_INVALID_ADDRESS);
	NAME(KERN_PROTECTION_FAILURE);
	NAME(KERN_NO_SPACE);
	NAME(KERN_INVALID_ARGUMENT);
	NAME(KERN_FAILURE);
	NAME(KERN_RESOURCE_SHORTAGE);
	NAME(KERN_NOT_RECEIVER);
	NAME(KERN_NO_ACCESS);
	NAME(KERN_MEMORY_FAILURE);
	NAME(KERN_MEMORY_ERROR);
	NAME(KERN_NOT_IN_SET);
	NAME(KERN_NAME_EXISTS);
	NAME(KERN_ABORTED);
	NAME(KERN_INVALID_NAME);
	NAME(KERN_INVALID_TASK);
	NAME(KERN_INVALID_RIGHT);
	NAME(KERN_INVALID_VALUE);
	NAME(KERN_UREFS_OVERFLOW);
	NAME(KERN_INVALID_CAPABILITY);
	NAME(KERN_RIGHT_EXISTS);
	NAME(KERN_INVALID_HOST);
	NAME(KERN_MEMORY_PRESENT);
	NAME(KERN_WRITE_PROTECTION_FAILURE);
	NAME(KERN_TERMINATED);
	NAME(KERN_TIMEDOUT);
	NAME(KERN_INTERRUPTED);
	NAME(MACH_SEND_INVALID_DEST);
	NAME(MACH_SEND_INTERRUPTED);
	NAME(MACH_SEND_INVALID_MEMORY);
#undef NAME
	default:
		return "KERN_?";
	}
}

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
 * vmc_kern_names.h: Mach's names for the core's status codes, for hosts
 * that do not have Mach's own <mach/kern_return.h> and <mach/message.h>:
 * the simulator, the tools and the tests; and vmc_kr_name, which spells a
 * code, for them and for the guests (which have Mach's headers: included
 * after those, this header defines only vmc_kr_name).  The core never
 * includes it, nor does a kernel port (which has Mach's own names, and
 * checks that each equals the core's: mach-port/vmc_gnumach.c).
 */
#ifndef VMC_KERN_NAMES_H
#define VMC_KERN_NAMES_H

#include "vmc_types.h"

/* The Mach name of a status code ("KERN_PROTECTION_FAILURE"), or "KERN_?"
 * for an unknown value (core/vmc_kern_names.c).  Tools print codes by name. */
const char *vmc_kr_name(vmc_kr_t kr);

#ifndef KERN_SUCCESS
#define KERN_SUCCESS                VMC_KERN_SUCCESS
#define KERN_INVALID_ADDRESS        VMC_KERN_INVALID_ADDRESS
#define KERN_PROTECTION_FAILURE     VMC_KERN_PROTECTION_FAILURE
#define KERN_NO_SPACE               VMC_KERN_NO_SPACE
#define KERN_INVALID_ARGUMENT       VMC_KERN_INVALID_ARGUMENT
#define KERN_FAILURE                VMC_KERN_FAILURE
#define KERN_RESOURCE_SHORTAGE      VMC_KERN_RESOURCE_SHORTAGE
#define KERN_NOT_RECEIVER           VMC_KERN_NOT_RECEIVER
#define KERN_NO_ACCESS              VMC_KERN_NO_ACCESS
#define KERN_MEMORY_FAILURE         VMC_KERN_MEMORY_FAILURE
#define KERN_MEMORY_ERROR           VMC_KERN_MEMORY_ERROR
#define KERN_NOT_IN_SET             VMC_KERN_NOT_IN_SET
#define KERN_NAME_EXISTS            VMC_KERN_NAME_EXISTS
#define KERN_ABORTED                VMC_KERN_ABORTED
#define KERN_INVALID_NAME           VMC_KERN_INVALID_NAME
#define KERN_INVALID_TASK           VMC_KERN_INVALID_TASK
#define KERN_INVALID_RIGHT          VMC_KERN_INVALID_RIGHT
#define KERN_INVALID_VALUE          VMC_KERN_INVALID_VALUE
#define KERN_UREFS_OVERFLOW         VMC_KERN_UREFS_OVERFLOW
#define KERN_INVALID_CAPABILITY     VMC_KERN_INVALID_CAPABILITY
#define KERN_RIGHT_EXISTS           VMC_KERN_RIGHT_EXISTS
#define KERN_INVALID_HOST           VMC_KERN_INVALID_HOST
#define KERN_MEMORY_PRESENT         VMC_KERN_MEMORY_PRESENT
#define KERN_WRITE_PROTECTION_FAILURE VMC_KERN_WRITE_PROTECTION_FAILURE
#define KERN_TERMINATED             VMC_KERN_TERMINATED
#define KERN_TIMEDOUT               VMC_KERN_TIMEDOUT
#define KERN_INTERRUPTED            VMC_KERN_INTERRUPTED
#define MACH_SEND_INVALID_DEST      VMC_MACH_SEND_INVALID_DEST
#define MACH_SEND_INTERRUPTED       VMC_MACH_SEND_INTERRUPTED
#define MACH_SEND_INVALID_MEMORY    VMC_MACH_SEND_INVALID_MEMORY
#endif

#endif

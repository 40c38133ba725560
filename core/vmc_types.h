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
 * vmc_types.h: the core's basic types, Mach status codes and protections.
 *
 * The core is freestanding: it includes nothing but the compiler's own
 * <stdint.h>, <stddef.h> and <stdbool.h>.  Status codes carry Mach's numeric
 * values (the GNU Mach port checks each one with _Static_assert), so a code
 * can cross the porting boundary without translation.  Fault states of the
 * page-fault primitive live in their own enum (vmc_fault_t): GNU Mach's
 * VM_FAULT_RETRY equals VMC_KERN_INVALID_ADDRESS numerically, and a type the
 * compiler tells apart is the cheapest way never to confuse the two.
 */
#ifndef VMC_TYPES_H
#define VMC_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the host decides (lwIP's arch/ pattern): a header of the host's,
 * found on the include path, defines VMC_ADDR_BITS (32 or 64) and struct
 * vmc_page_ref_host (vmc_port.h).  The simulator's is sim/host/vmc_host.h,
 * GNU Mach's mach-port/vmc_host.h. */
#include "vmc_host.h"

/* Addresses, object offsets and sizes: the host's address width, one type
 * for all three as in Mach (vm_offset_t, vm_size_t).  VMC_ADDR_MAX is the
 * last address; nothing the core computes goes past it. */
#if VMC_ADDR_BITS == 64
typedef uint64_t vmc_addr_t;
#define VMC_ADDR_MAX UINT64_MAX
#elif VMC_ADDR_BITS == 32
typedef uint32_t vmc_addr_t;
#define VMC_ADDR_MAX UINT32_MAX
#else
#error "vmc_host.h: VMC_ADDR_BITS must be 32 or 64"
#endif
typedef vmc_addr_t vmc_off_t;
typedef vmc_addr_t vmc_size_t;

#define VMC_PAGE_SHIFT 12u
#define VMC_PAGE_SIZE  ((vmc_size_t)1 << VMC_PAGE_SHIFT)
#define VMC_PAGE_MASK  (VMC_PAGE_SIZE - 1)

static inline vmc_addr_t vmc_trunc_page(vmc_addr_t a) { return a & ~VMC_PAGE_MASK; }
static inline bool vmc_page_aligned(vmc_addr_t a) { return (a & VMC_PAGE_MASK) == 0; }

/* Protections: Mach's bits. */
typedef int vmc_prot_t;
#define VMC_PROT_NONE    0x0
#define VMC_PROT_READ    0x1
#define VMC_PROT_WRITE   0x2
#define VMC_PROT_EXECUTE 0x4
#define VMC_PROT_ALL     (VMC_PROT_READ | VMC_PROT_WRITE | VMC_PROT_EXECUTE)

static inline bool vmc_prot_valid(vmc_prot_t p) { return (p & ~VMC_PROT_ALL) == 0; }

/* Status codes: Mach's kern_return_t values, and the message errors an
 * RPC-shaped operation can return, under names of the core's own so that a
 * kernel's <mach/kern_return.h> can sit beside them (the GNU Mach port
 * checks each against its Mach name with _Static_assert).  Hosts without
 * Mach's headers get the Mach names from vmc_kern_names.h. */
typedef int vmc_kr_t;
#define VMC_KERN_SUCCESS                0
#define VMC_KERN_INVALID_ADDRESS        1
#define VMC_KERN_PROTECTION_FAILURE     2
#define VMC_KERN_NO_SPACE               3
#define VMC_KERN_INVALID_ARGUMENT       4
#define VMC_KERN_FAILURE                5
#define VMC_KERN_RESOURCE_SHORTAGE      6
#define VMC_KERN_NOT_RECEIVER           7
#define VMC_KERN_NO_ACCESS              8
#define VMC_KERN_MEMORY_FAILURE         9
#define VMC_KERN_MEMORY_ERROR           10
#define VMC_KERN_NOT_IN_SET             12
#define VMC_KERN_NAME_EXISTS            13
#define VMC_KERN_ABORTED                14
#define VMC_KERN_INVALID_NAME           15
#define VMC_KERN_INVALID_TASK           16
#define VMC_KERN_INVALID_RIGHT          17
#define VMC_KERN_INVALID_VALUE          18
#define VMC_KERN_UREFS_OVERFLOW         19
#define VMC_KERN_INVALID_CAPABILITY     20
#define VMC_KERN_RIGHT_EXISTS           21
#define VMC_KERN_INVALID_HOST           22
#define VMC_KERN_MEMORY_PRESENT         23
#define VMC_KERN_WRITE_PROTECTION_FAILURE 24
#define VMC_KERN_TERMINATED             26
#define VMC_KERN_TIMEDOUT               27
#define VMC_KERN_INTERRUPTED            28
#define VMC_MACH_SEND_INVALID_DEST      0x10000003
#define VMC_MACH_SEND_INTERRUPTED       0x10000007
#define VMC_MACH_SEND_INVALID_MEMORY    0x1000000c

/* Result of the page-fault primitive (vmc_object_page_get).  Not a status
 * code: the core turns it into one (vmc_fault_kr). */
typedef enum vmc_fault {
	VMC_FAULT_OK = 0x100,   /* page pinned and returned */
	VMC_FAULT_RETRY,        /* state changed while waiting: redo the lookup */
	VMC_FAULT_ERROR,        /* pager error, or the object was terminated */
	VMC_FAULT_INTERRUPTED,  /* the wait was interrupted */
} vmc_fault_t;

#endif /* VMC_TYPES_H */

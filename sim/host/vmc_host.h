/*
 * vmc_host.h: what the simulator decides for the core (core/vmc_types.h
 * includes this header by name; each host puts its own on the include
 * path).  Also used by the tools and tests built on the host, and by the
 * guest programs, which use the core's types and status names only.
 *
 * VMC_ADDR_BITS: 64 unless the build says otherwise (make check builds the
 * core and its unit tests a second time with -DVMC_ADDR_BITS=32, the width
 * of i386 GNU Mach).
 */
#ifndef VMC_HOST_H
#define VMC_HOST_H

#include <stdint.h>

#ifndef VMC_ADDR_BITS
#define VMC_ADDR_BITS 64
#endif

struct vmc_object;

/* A pinned or peeked page's host state (struct vmc_page_ref, vmc_port.h). */
struct vmc_page_ref_host {
	struct vmc_object *object;      /* the object faulted on or peeked */
	uint64_t stamp;                 /* the simulator: the object's copy
					   generation at the fault (for
					   vmc_page_still_current); the unit
					   tests' hosts: the page's index */
};

#endif

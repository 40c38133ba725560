/*
 * krname.c: KERN_* names for the guest, from the core's table.
 *
 * Kept apart from runtime.c because the core's header and GNU Mach's both
 * define the KERN_* macros; this file sees only the core's.
 */
#include "vmc_types.h"

const char *guest_kern_name(int kr);

/* The KERN_* name of kr, or NULL if the core does not know it. */
const char *guest_kern_name(int kr)
{
	const char *name = vmc_kr_name(kr);

	return name[5] == '?' ? NULL : name;
}

/*
 * mach/mig_support.h: what MIG's generated stubs include for their runtime.
 *
 * On a Hurd system the C library provides this header.  A guest has no C
 * library: the declarations are guest.h's, the definitions runtime.c's.
 */
#ifndef MOSAIC_GUEST_MIG_SUPPORT_H
#define MOSAIC_GUEST_MIG_SUPPORT_H
#include "guest.h"
#endif

/* fuzzhost.h: see fuzzhost.c. */
#ifndef FUZZHOST_H
#define FUZZHOST_H

#include "vmc_port.h"

struct vmc_object {
	int refs;
};

unsigned long fuzz_alloc_outstanding(void);

#endif

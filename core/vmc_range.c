/*
 * vmc_range.c: range intersection and status-code names.
 */
#include "vmc_range.h"

bool vmc_range_intersect(const struct vmc_range *a, const struct vmc_range *b,
			 struct vmc_range *out)
{
	if (a->size == 0 || b->size == 0)
		return false;

	uint64_t start = a->start > b->start ? a->start : b->start;
	uint64_t last = vmc_min(vmc_range_last(a), vmc_range_last(b));

	if (start > last)
		return false;
	out->start = start;
	out->size = last - start + 1;   /* cannot wrap: at most a->size */
	return true;
}

const char *vmc_kr_name(vmc_kr_t kr)
{
	switch (kr) {
#define NAME(x) case x: return #x
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

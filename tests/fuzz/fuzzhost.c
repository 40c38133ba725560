/*
 * fuzzhost.c: the porting primitives a fuzz target needs, on plain malloc.
 *
 * Fuzz targets run outside CMocka, so they cannot use tests/fakehost.c.
 * This host counts outstanding bytes and object references so that a
 * target can check, after each input, that everything was given back.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzzhost.h"

static unsigned long outstanding;

unsigned long fuzz_alloc_outstanding(void) { return outstanding; }

void *vmc_alloc(vmc_size_t size)
{
	void *p = malloc(size);
	if (p != NULL)
		outstanding += size;
	return p;
}

void vmc_free(void *p, vmc_size_t size)
{
	if (size > outstanding) {
		fprintf(stderr, "vmc_free: %llu bytes freed, %lu outstanding\n",
			(unsigned long long)size, outstanding);
		abort();
	}
	outstanding -= size;
	free(p);
}

_Noreturn void vmc_panic(const char *msg)
{
	fprintf(stderr, "vmc_panic: %s\n", msg);
	abort();
}

void vmc_object_reference(struct vmc_object *object) { object->refs++; }

void vmc_object_release(struct vmc_object *object)
{
	if (object->refs <= 1)
		vmc_panic("fuzzhost: object released below its owner's reference");
	object->refs--;
}

void vmc_may_block(enum vmc_block_point where) { (void)where; }

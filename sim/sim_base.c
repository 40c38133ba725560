/*
 * sim_base.c: what every module of the simulator stands on, and no module
 * above it: the allocation primitives of the porting header (vmc_alloc,
 * vmc_free, vmc_panic) with the accounting the tests use, and the
 * injected allocation failure (sim_alloc_try) that makes every error path
 * of the core and the simulator reachable.
 *
 *   - vmc_alloc/vmc_free count outstanding bytes (a leak shows as a nonzero
 *     count) and can fail the Nth allocation (sim_alloc_fail_nth);
 *   - sim_alloc_try counts one allocation of the simulator's own and says
 *     whether it is the one to fail.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sim_internal.h"

static uint64_t alloc_calls;
static uint64_t alloc_fail_at;   /* absolute call number that fails; 0: none */
static uint64_t alloc_outstanding;

void sim_alloc_fail_nth(uint64_t n)
{
	alloc_fail_at = n ? alloc_calls + n : 0;
}

uint64_t sim_alloc_calls(void)
{
	return alloc_calls;
}

uint64_t sim_alloc_outstanding(void)
{
	return alloc_outstanding;
}

/* Counts one allocation; false if it is the one to fail. */
bool sim_alloc_try(void)
{
	alloc_calls++;
	if (alloc_fail_at != 0 && alloc_calls == alloc_fail_at) {
		alloc_fail_at = 0;
		return false;
	}
	return true;
}

void *vmc_alloc(vmc_size_t size)
{
	if (!sim_alloc_try())
		return NULL;
	/* g_malloc(0) is NULL, which the caller would take for a failure. */
	void *p = g_malloc(size ? size : 1);
	alloc_outstanding += size;
	return p;
}

void vmc_free(void *p, vmc_size_t size)
{
	if (p == NULL)
		return;
	if (size > alloc_outstanding)
		vmc_panic("vmc_free: more freed than allocated (size mismatch?)");
	alloc_outstanding -= size;
	g_free(p);
}

_Noreturn void vmc_panic(const char *msg)
{
	fprintf(stderr, "panic: %s\n", msg);
	fflush(stderr);
	abort();
}

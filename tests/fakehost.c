/*
 * fakehost.c: see fakehost.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fakehost.h"

static unsigned long alloc_calls;
static unsigned long alloc_fail_at;     /* absolute call number that fails; 0: none */
static unsigned long alloc_outstanding;
static fake_yield_fn yield_fn;
static void *yield_ctx;

void fake_alloc_fail_nth(unsigned long n)
{
	alloc_fail_at = n ? alloc_calls + n : 0;
}

unsigned long fake_alloc_calls(void) { return alloc_calls; }
unsigned long fake_alloc_outstanding(void) { return alloc_outstanding; }

void *vmc_alloc(vmc_size_t size)
{
	alloc_calls++;
	if (alloc_fail_at != 0 && alloc_calls == alloc_fail_at)
		return NULL;
	void *p = test_malloc(size);
	if (p != NULL)
		alloc_outstanding += size;
	return p;
}

void vmc_free(void *p, vmc_size_t size)
{
	if (p == NULL)
		fail_msg("vmc_free: NULL");
	if (size > alloc_outstanding)
		fail_msg("vmc_free: size %llu larger than what is outstanding",
			 (unsigned long long)size);
	alloc_outstanding -= size;
	test_free(p);
}

static const char *last_panic;

const char *fake_last_panic(void) { return last_panic; }

/* A panic a test expects (expect_assert_failure) returns to the test
 * through CMocka's mock_assert; any other ends the program. */
_Noreturn void vmc_panic(const char *msg)
{
	last_panic = msg;
	if (global_expecting_assert)
		mock_assert(0, msg, __FILE__, __LINE__);
	fprintf(stderr, "vmc_panic: %s\n", msg);
	abort();
}

struct vmc_object *fake_object_create(int id)
{
	struct vmc_object *o = test_malloc(sizeof *o);
	o->refs = 1;
	o->id = id;
	o->alive = true;
	return o;
}

void fake_object_destroy_checked(struct vmc_object *object)
{
	assert_int_equal(object->refs, 1);
	test_free(object);
}

void vmc_object_reference(struct vmc_object *object)
{
	assert_true(object->refs > 0);
	object->refs++;
}

void vmc_object_release(struct vmc_object *object)
{
	assert_true(object->refs > 1);   /* the test always keeps its own */
	object->refs--;
}

void fake_set_yield(fake_yield_fn fn, void *ctx)
{
	yield_fn = fn;
	yield_ctx = ctx;
}

void vmc_may_block(enum vmc_block_point where)
{
	if (yield_fn != NULL)
		yield_fn(where, yield_ctx);
}

/*
 * fakehost.h: a tiny host for the core's unit tests.
 *
 * It implements the memory, object and race parts of core/vmc_port.h with
 * knobs: every allocation goes through CMocka's test allocator (a leak fails
 * the test), and the Nth allocation can be made to fail, so that every error
 * path of the core is reachable (SQLite's DO_OS_MALLOC_TEST idea).  Objects
 * are reference-counted records; a test checks that counts return to their
 * baseline.  Maps and pages are not faked here: tests that need them run on
 * the simulator (suite sim).
 */
#ifndef FAKEHOST_H
#define FAKEHOST_H

#include "vmc_port.h"

/* A fake VM object: only a reference count and a label. */
struct vmc_object {
	int refs;
	int id;
	bool alive;
};

/* Makes an object with one reference (the test's). */
struct vmc_object *fake_object_create(int id);
/* Drops the test's reference; fails the test if any other remains. */
void fake_object_destroy_checked(struct vmc_object *object);

/* Allocations: fail the nth vmc_alloc from now (1 = the next one), 0 = never. */
void fake_alloc_fail_nth(unsigned long n);
/* vmc_alloc calls made, and bytes currently outstanding. */
unsigned long fake_alloc_calls(void);
unsigned long fake_alloc_outstanding(void);

/* Panics: the message of the last vmc_panic (NULL: none yet).  A test that
 * expects one calls the core under CMocka's expect_assert_failure, which
 * vmc_panic then returns to; an unexpected panic aborts. */
const char *fake_last_panic(void);

/* Races: a function called at every vmc_may_block() point (NULL: none). */
typedef void (*fake_yield_fn)(enum vmc_block_point where, void *ctx);
void fake_set_yield(fake_yield_fn fn, void *ctx);

#endif /* FAKEHOST_H */

/*
 * simtest.h: what every simulator test does around its body.
 *
 * st_setup makes a seeded world (the seed is printed, so a failure can be
 * replayed) with two tasks; st_teardown checks the world (sim_vm_check),
 * terminates the tasks, and checks that no object or frame survives them
 * and that the core's allocations are balanced.  Small helpers fill and
 * compare task memory with a pattern that differs for every byte.
 */
#ifndef SIMTEST_H
#define SIMTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim.h"

#define P VMC_PAGE_SIZE

struct st {
	struct sim_vm *vm;
	struct sim_task *a, *b;
	sim_name_t aself, bself;
	uint64_t alloc_base;
};

static inline uint64_t st_seed(void)
{
	const char *s = getenv("MOSAIC_SEED");
	return s ? strtoull(s, NULL, 0) : 20261122;
}

static inline struct st *st_new(uint32_t frames)
{
	struct st *st = test_calloc(1, sizeof *st);
	struct sim_vm_config cfg = { .seed = st_seed(), .frames = frames };

	st->vm = sim_vm_create(&cfg);
	st->a = sim_task_create(st->vm, "a");
	st->b = sim_task_create(st->vm, "b");
	st->aself = sim_task_self(st->a);
	st->bself = sim_task_self(st->b);
	st->alloc_base = sim_alloc_outstanding();
	return st;
}

static inline int st_setup(void **state)
{
	printf("# seed %llu\n", (unsigned long long)st_seed());
	*state = st_new(0);
	return 0;
}

/* Setup for ST_TEST_FRAMES: the prestate is the number of page frames. */
static inline int st_setup_frames(void **state)
{
	uint32_t frames = (uint32_t)(uintptr_t)*state;

	printf("# seed %llu, %u frames\n", (unsigned long long)st_seed(), frames);
	*state = st_new(frames);
	return 0;
}

static inline void st_check(struct st *st)
{
	const char *why = NULL;
	bool ok = sim_vm_check(st->vm, &why);
	if (!ok)
		fail_msg("sim_vm_check: %s", why);
}

static inline int st_teardown(void **state)
{
	struct st *st = *state;

	st_check(st);
	assert_int_equal(sim_alloc_outstanding(), st->alloc_base);
	sim_task_terminate(st->a);
	sim_task_terminate(st->b);
	assert_int_equal(sim_vm_frames_used(st->vm), 0);
	assert_int_equal(sim_vm_object_count(st->vm), 0);
	sim_vm_destroy(st->vm);
	test_free(st);
	return 0;
}

/* Byte i of the pattern with key k. */
static inline unsigned char st_byte(unsigned k, uint64_t i)
{
	return (unsigned char)(k * 31 + i * 7 + (i >> 12) * 13 + 1);
}

static inline void st_pattern(unsigned k, uint64_t base, unsigned char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = st_byte(k, base + i);
}

/* Stores pattern k over [addr, addr + len) of task (byte i: st_byte(k, i)). */
static inline void st_fill(struct sim_task *t, vmc_addr_t addr, size_t len, unsigned k)
{
	unsigned char *buf = test_malloc(len ? len : 1);
	st_pattern(k, 0, buf, len);
	assert_int_equal(sim_task_store(t, addr, buf, len, NULL), KERN_SUCCESS);
	test_free(buf);
}

/* Does [addr, addr + len) of task hold pattern k starting at index from? */
static inline bool st_holds(struct sim_task *t, vmc_addr_t addr, size_t len, unsigned k,
			    uint64_t from)
{
	unsigned char *got = test_malloc(len ? len : 1), *want = test_malloc(len ? len : 1);
	assert_int_equal(sim_task_load(t, addr, got, len, NULL), KERN_SUCCESS);
	st_pattern(k, from, want, len);
	bool same = memcmp(got, want, len) == 0;
	test_free(got);
	test_free(want);
	return same;
}

static inline vmc_addr_t st_alloc(struct st *st, struct sim_task *t, vmc_size_t size)
{
	vmc_addr_t a = 0;
	(void)st;
	assert_int_equal(sim_vm_allocate(t, sim_task_self(t), &a, size, true), KERN_SUCCESS);
	return a;
}

/* Pager content: page bytes are st_byte(key, offset + i), key in ctx. */
static inline void st_pager_content(void *ctx, vmc_off_t offset, unsigned char *page)
{
	st_pattern((unsigned)(uintptr_t)ctx, offset, page, P);
}

static inline sim_name_t st_memobj(struct sim_task *owner, unsigned key, vmc_size_t size,
				   uint32_t latency)
{
	struct sim_pager pg = { st_pager_content, (void *)(uintptr_t)key, size, latency };
	sim_name_t n = SIM_NAME_NULL;
	assert_int_equal(sim_memory_object_create(owner, &pg, &n), KERN_SUCCESS);
	return n;
}

static inline uint64_t st_event(struct st *st, enum sim_event ev)
{
	uint64_t e[SIM_EV_COUNT];
	sim_events(st->vm, e);
	return e[ev];
}

#define ST_TEST(f) cmocka_unit_test_setup_teardown(f, st_setup, st_teardown)
/* A test in a world with a bounded pool of `frames` page frames. */
#define ST_TEST_FRAMES(f, frames) \
	cmocka_unit_test_prestate_setup_teardown(f, st_setup_frames, st_teardown, \
						 (void *)(uintptr_t)(frames))

#endif /* SIMTEST_H */

/*
 * test_sim_alloc_fail.c: every allocation of proxy creation, copies and
 * mappings fails in turn, and each failure is clean.
 *
 * For each operation and each N = 1, 2, ...: a fresh world is built (the
 * same every time), the Nth allocation from the start of the operation is
 * made to fail (sim_alloc_fail_nth counts the core's vmc_alloc and the
 * simulator's own failable allocations, see sim.h), and the operation
 * runs.  The loop ends at the first N past the operation's last
 * allocation, where it succeeds.  Each failed run is compared with a world
 * where the operation never ran (and, for copies, one where it succeeded):
 *   - mappings and proxy creation: KERN_RESOURCE_SHORTAGE, output
 *     parameters untouched, every map entry (bounds and protections) and
 *     every port as before, the buffer's bytes as before;
 *   - copies: either KERN_RESOURCE_SHORTAGE with count 0 and nothing
 *     changed, or a short copy (KERN_SUCCESS, count below the length) whose
 *     first count bytes are the successful copy's and the rest untouched;
 *   - nothing leaks (allocation bytes outstanding back to the start) and
 *     sim_vm_check holds.
 * Materializing memory is not a change: a lookup may give an untouched
 * entry its zero-fill object, or a copy-on-write entry its shadow, before a
 * later allocation fails (as GNU Mach's vm_map_lookup would); the bytes are
 * the same, and sim_vm_check verifies that every object reference is
 * accounted for, so a leaked object still fails the test.
 * Each operation must have at least one allocation to fail, or the loop
 * would prove nothing; the operations that allocate nothing (the object
 * to object copy) are checked to allocate nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sim_internal.h"
#include "sim_fast.h"
#include "sim_proxy.h"
#include "simworld.h"

#define P VMC_PAGE_SIZE
#define BUF   ((vmc_addr_t)0x10000000)   /* the client's buffer, 6 pages */
#define SRC   ((vmc_addr_t)0x18000000)   /* what the buffer's middle copies */
#define SPOT  ((vmc_addr_t)0x30000000)   /* where mappings go */
#define BUF_LEN (6 * P)

struct aw {
	struct sim_vm *vm;
	struct sim_task *srv, *cli;
	sim_name_t cport;               /* the client's task port, in srv */
	sim_name_t obj, obj2, px;       /* in srv */
};

static void content(void *ctx, vmc_off_t offset, unsigned char *page)
{
	for (unsigned i = 0; i < P; i++)
		page[i] = (unsigned char)((uintptr_t)ctx * 31 + (offset + i) * 7 + 3);
}

/*
 * The world: a server with two objects and a nested proxy over them; a
 * client whose buffer is three entries of two pages each: anonymous memory
 * never touched (no object yet), a copy-on-write copy of touched memory
 * (vm_copy: needs_copy), and a private copy of an object (vm_map copy).
 * Reading into it makes a zero-fill object and a shadow.
 */
static void aw_build(struct aw *w)
{
	struct sim_vm_config c = { .seed = 7, .frames = 0 };
	struct sim_pager pg = { .content = content, .ctx = (void *)1, .size = 16 * P };
	struct sim_pager pg2 = { .content = content, .ctx = (void *)2, .size = 16 * P };
	sim_name_t cself, inner;
	vmc_addr_t a;
	unsigned char bytes[2 * P];

	w->vm = sim_vm_create(&c);
	w->srv = sim_task_create(w->vm, "server");
	w->cli = sim_task_create(w->vm, "client");
	cself = sim_task_self(w->cli);
	assert_int_equal(sim_port_copy_send(w->cli, cself, w->srv, &w->cport), KERN_SUCCESS);
	assert_int_equal(sim_memory_object_create(w->srv, &pg, &w->obj), KERN_SUCCESS);
	assert_int_equal(sim_memory_object_create(w->srv, &pg2, &w->obj2), KERN_SUCCESS);
	/* A proxy of three ranges: obj read-write, a hole, a read-only proxy
	 * of obj2 (nested), the last open-ended. */
	{
		sim_name_t in[1] = { w->obj2 };
		vmc_prot_t mp[1] = { VMC_PROT_READ };
		assert_int_equal(sim_memory_object_create_proxy_ranges(w->srv, in, 1, mp, 1, NULL,
								       0, NULL, 0, &inner),
				 KERN_SUCCESS);
		sim_name_t in3[3] = { w->obj, SIM_NAME_NULL, inner };
		vmc_prot_t mp3[3] = { VMC_PROT_READ | VMC_PROT_WRITE, VMC_PROT_NONE,
				      VMC_PROT_READ | VMC_PROT_WRITE };
		vmc_off_t s[2] = { 0, 0 }, e[2] = { 2 * P, P };
		assert_int_equal(sim_memory_object_create_proxy_ranges(w->srv, in3, 3, mp3, 3, s,
								       2, e, 2, &w->px),
				 KERN_SUCCESS);
	}
	/* The buffer. */
	a = BUF;
	assert_int_equal(sim_vm_allocate(w->cli, cself, &a, 2 * P, false), KERN_SUCCESS);
	a = SRC;
	assert_int_equal(sim_vm_allocate(w->cli, cself, &a, 2 * P, false), KERN_SUCCESS);
	for (unsigned i = 0; i < sizeof bytes; i++)
		bytes[i] = (unsigned char)(i * 13 + 5);
	assert_int_equal(sim_task_store(w->cli, SRC, bytes, sizeof bytes, NULL), KERN_SUCCESS);
	a = BUF + 2 * P;
	assert_int_equal(sim_vm_allocate(w->cli, cself, &a, 2 * P, false), KERN_SUCCESS);
	assert_int_equal(sim_vm_copy(w->cli, cself, SRC, 2 * P, BUF + 2 * P), KERN_SUCCESS);
	a = BUF + 4 * P;
	assert_int_equal(sim_vm_map(w->srv, w->cport, &a, 2 * P, 0, false, w->obj, 4 * P, true,
				    VMC_PROT_READ | VMC_PROT_WRITE, VMC_PROT_ALL), KERN_SUCCESS);
}

/* Everything a failed operation must not have changed: each task's
 * entries and the ports that exist. */
static char *fingerprint(struct aw *w)
{
	GString *s = g_string_new(NULL);
	struct sim_task *t[2] = { w->srv, w->cli };

	sw_entries(s, w->vm, t, 2);
	return g_string_free(s, FALSE);
}

/* The client's buffer, as the client reads it (this faults pages in, so it
 * comes after the fingerprint). */
static void buffer_bytes(struct aw *w, unsigned char *out)
{
	assert_int_equal(sim_task_load(w->cli, BUF, out, BUF_LEN, NULL), KERN_SUCCESS);
}

static void aw_destroy(struct aw *w)
{
	sw_destroy(w->vm);
}

/* The operations.  Each returns its code; copies also their count. */
struct opres {
	vmc_kr_t kr;
	vmc_size_t count;
	sim_name_t name;                /* proxy made */
	vmc_addr_t addr;                /* where a mapping went */
};

static struct opres op_allocate(struct aw *w)
{
	struct opres r = { .addr = 0x5a5a };
	vmc_addr_t a = SPOT;
	r.kr = sim_vm_allocate(w->srv, w->cport, &a, 3 * P, false);
	if (r.kr == KERN_SUCCESS)
		r.addr = a;
	return r;
}

/* vm_map of size bytes of memobj, shared or a private copy, at SPOT. */
static struct opres map(struct aw *w, sim_name_t memobj, vmc_off_t off, vmc_size_t size,
			bool copy)
{
	struct opres r = { .addr = 0x5a5a };
	vmc_addr_t a = SPOT;
	r.kr = sim_vm_map(w->srv, w->cport, &a, size, 0, false, memobj, off, copy, VMC_PROT_READ,
			  VMC_PROT_READ);
	if (r.kr == KERN_SUCCESS)
		r.addr = a;
	return r;
}

static struct opres op_map_shared(struct aw *w)
{
	return map(w, w->obj, P, 3 * P, false);
}

static struct opres op_map_copy(struct aw *w)
{
	return map(w, w->obj, P, 3 * P, true);
}

/* The proxy's first four pages: obj, the hole, obj2. */
static struct opres op_map_proxy_shared(struct aw *w)
{
	return map(w, w->px, 0, 4 * P, false);
}

static struct opres op_map_proxy_copy(struct aw *w)
{
	return map(w, w->px, 0, 4 * P, true);
}

static struct opres op_proxy_ranges(struct aw *w)
{
	struct opres r = { .name = 0x5a5a };
	sim_name_t in[3] = { w->px, w->obj, w->px };
	vmc_prot_t mp[3] = { VMC_PROT_READ, VMC_PROT_ALL, VMC_PROT_READ | VMC_PROT_WRITE };
	vmc_off_t s[3] = { 100, 0, P }, e[3] = { 4 * P, 3, 5 * P };
	r.kr = sim_memory_object_create_proxy_ranges(w->srv, in, 3, mp, 3, s, 3, e, 3, &r.name);
	return r;
}

static struct opres op_proxy_placed(struct aw *w)
{
	struct opres r = { .name = 0x5a5a };
	sim_name_t in[2] = { w->obj2, w->px };
	vmc_off_t off[2] = { 8 * P, 0 }, st[2] = { P, 0 };
	vmc_size_t len[2] = { 2 * P, 5 * P };
	r.kr = sim_memory_object_create_proxy(w->srv, VMC_PROT_READ, in, 2, off, 2, st, 2, len, 2,
					      &r.name);
	return r;
}

static struct opres op_region_proxy(struct aw *w)
{
	struct opres r = { .name = 0x5a5a };
	r.kr = sim_vm_region_create_proxy(w->srv, w->cport, BUF + 100, VMC_PROT_READ,
					  BUF_LEN - 200, &r.name);
	return r;
}

static struct opres op_read_fast(struct aw *w)
{
	struct opres r = { .count = 0x5a5a };
	r.kr = sim_vm_read_fast(w->srv, w->cport, BUF + 100, BUF_LEN - 200, w->obj, 7, &r.count);
	return r;
}

static struct opres op_read_fast_proxy(struct aw *w)
{
	struct opres r = { .count = 0x5a5a };
	/* Up to the proxy's hole. */
	r.kr = sim_vm_read_fast(w->srv, w->cport, BUF + 1, 2 * P - 5, w->px, 5, &r.count);
	return r;
}

static struct opres op_write_fast(struct aw *w)
{
	struct opres r = { .count = 0x5a5a };
	r.kr = sim_vm_write_fast(w->srv, w->cport, BUF + 100, BUF_LEN - 200, w->obj2, 9, &r.count);
	return r;
}

static struct opres op_object_copy(struct aw *w)
{
	struct opres r = { .count = 0x5a5a };
	r.kr = sim_memory_object_copy(w->srv, w->px, 11, w->obj2, 3 * P + 1, P + 50, &r.count);
	return r;
}

enum kind { MAPPING, PROXY, COPY };

struct op {
	const char *name;
	struct opres (*run)(struct aw *);
	enum kind kind;
	bool allocates;
	vmc_size_t len;                 /* copies: the length asked */
};

static const struct op ops[] = {
	{ "vm_allocate", op_allocate, MAPPING, true, 0 },
	{ "vm_map object shared", op_map_shared, MAPPING, true, 0 },
	{ "vm_map object copy", op_map_copy, MAPPING, true, 0 },
	{ "vm_map proxy shared", op_map_proxy_shared, MAPPING, true, 0 },
	{ "vm_map proxy copy", op_map_proxy_copy, MAPPING, true, 0 },
	{ "create_proxy_ranges", op_proxy_ranges, PROXY, true, 0 },
	{ "create_proxy (placed)", op_proxy_placed, PROXY, true, 0 },
	{ "vm_region_create_proxy", op_region_proxy, PROXY, true, 0 },
	{ "vm_read_fast", op_read_fast, COPY, true, BUF_LEN - 200 },
	{ "vm_read_fast via proxy", op_read_fast_proxy, COPY, true, 2 * P - 5 },
	{ "vm_write_fast", op_write_fast, COPY, true, BUF_LEN - 200 },
	{ "memory_object_copy", op_object_copy, COPY, false, P + 50 },
};

static void check_op(const struct op *op)
{
	uint64_t base = sim_alloc_outstanding();
	struct aw ref, ok;
	unsigned char before[BUF_LEN], after_ok[BUF_LEN], got[BUF_LEN];
	unsigned failures = 0, shorts = 0;

	/* The world untouched, and the world after a successful run. */
	aw_build(&ref);
	char *fp_ref = fingerprint(&ref);
	buffer_bytes(&ref, before);
	aw_build(&ok);
	uint64_t calls0 = sim_alloc_calls();
	struct opres rok = op->run(&ok);
	uint64_t nalloc = sim_alloc_calls() - calls0;
	assert_int_equal(rok.kr, KERN_SUCCESS);
	if (op->kind == COPY)
		assert_int_equal(rok.count, op->len);
	buffer_bytes(&ok, after_ok);
	if (op->allocates)
		assert_true(nalloc > 0);
	else
		assert_int_equal(nalloc, 0);

	for (uint64_t n = 1; n <= nalloc; n++) {
		struct aw w;
		uint64_t held = sim_alloc_outstanding();
		aw_build(&w);
		sim_alloc_fail_nth(n);
		struct opres r = op->run(&w);
		sim_alloc_fail_nth(0);
		char *fp = fingerprint(&w);
		if (op->kind != COPY || r.count == 0) {
			/* Failed, and changed nothing. */
			if (r.kr != KERN_RESOURCE_SHORTAGE)
				fail_msg("%s, allocation %llu failing: %s", op->name,
					 (unsigned long long)n, vmc_kr_name(r.kr));
			if (strcmp(fp, fp_ref) != 0)
				fail_msg("%s, allocation %llu failing: state changed:\n%s\nwas:\n%s",
					 op->name, (unsigned long long)n, fp, fp_ref);
			if (op->kind == MAPPING)
				assert_int_equal(r.addr, 0x5a5a);
			if (op->kind == PROXY)
				assert_int_equal(r.name, 0x5a5a);
			buffer_bytes(&w, got);
			assert_memory_equal(got, before, BUF_LEN);
			failures++;
		} else {
			/* A short copy: exactly count bytes moved. */
			assert_int_equal(r.kr, KERN_SUCCESS);
			assert_true(r.count < op->len);
			buffer_bytes(&w, got);
			if (op->run == op_read_fast || op->run == op_read_fast_proxy) {
				vmc_addr_t at = op->run == op_read_fast ? 100 : 1;
				assert_memory_equal(got, after_ok, at + r.count);
				assert_memory_equal(got + at + r.count, before + at + r.count,
						    BUF_LEN - at - r.count);
			}
			shorts++;
		}
		g_free(fp);
		aw_destroy(&w);
		assert_int_equal(sim_alloc_outstanding(), held);
	}
	printf("# %-24s %llu allocations: %u clean failures, %u short copies\n", op->name,
	       (unsigned long long)nalloc, failures, shorts);
	g_free(fp_ref);
	aw_destroy(&ok);
	aw_destroy(&ref);
	/* Every world is gone: nothing the core or the simulator allocated is
	 * left. */
	assert_int_equal(sim_alloc_outstanding(), base);
}

static void test_every_allocation_fails_cleanly(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		check_op(&ops[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_allocation_fails_cleanly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

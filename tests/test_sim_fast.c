/*
 * test_sim_fast.c: vm_read_fast, vm_write_fast and memory_object_copy on the
 * simulator (sim/sim_fast.c): rights, buffers over several map entries,
 * protections, pager answers, exact counts, events, and sim_vm_check after
 * every test.
 *
 * The cast: a server task (a translator) holding a memory object F served
 * by a pager whose byte at offset x is fbyte(x), and a send right to the
 * client's task port; a client task with a buffer made of three map
 * entries (three separate memory objects mapped side by side).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim.h"
#include "sim_fast.h"

#define P VMC_PAGE_SIZE
#define RW (VMC_PROT_READ | VMC_PROT_WRITE)
#define BUF ((vmc_addr_t)0x10000000)
#define SEED 0x5eedu

static unsigned char fbyte(uintptr_t id, vmc_off_t x)
{
	return (unsigned char)(id * 89 + x * 7 + (x >> 12) * 31 + 3);
}

static void content(void *ctx, vmc_off_t offset, unsigned char *page)
{
	for (unsigned i = 0; i < P; i++)
		page[i] = fbyte((uintptr_t)ctx, offset + i);
}

struct cast {
	struct sim_vm *vm;
	struct sim_task *server, *client;
	sim_name_t file;            /* F, in server's space */
	sim_name_t client_port;     /* client's task port, in server's space */
	sim_name_t entry_obj[3];    /* the buffer's objects, in client's space */
};

/* The buffer: [BUF, BUF+2P) on object 10, [BUF+2P, BUF+3P) on object 11 at
 * offset P, [BUF+3P, BUF+6P) on object 12; guard pages (unmapped) around. */
static void cast_make_frames(struct cast *c, uint32_t frames)
{
	struct sim_vm_config cfg = { .seed = SEED, .frames = frames };
	vmc_kr_t kr;

	c->vm = sim_vm_create(&cfg);
	c->server = sim_task_create(c->vm, "server");
	c->client = sim_task_create(c->vm, "client");
	struct sim_pager pf = { .content = content, .ctx = (void *)(uintptr_t)1, .size = 64 * P };
	assert_int_equal(sim_memory_object_create(c->server, &pf, &c->file), KERN_SUCCESS);
	assert_int_equal(sim_port_copy_send(c->client, sim_task_self(c->client), c->server,
					    &c->client_port), KERN_SUCCESS);
	static const vmc_addr_t at[3] = { BUF, BUF + 2 * P, BUF + 3 * P };
	static const vmc_size_t size[3] = { 2 * P, P, 3 * P };
	static const vmc_off_t off[3] = { 0, P, 0 };
	for (int k = 0; k < 3; k++) {
		struct sim_pager pe = { .content = content, .ctx = (void *)(uintptr_t)(10 + k),
					.size = 8 * P };
		assert_int_equal(sim_memory_object_create(c->client, &pe, &c->entry_obj[k]),
				 KERN_SUCCESS);
		vmc_addr_t a = at[k];
		kr = sim_vm_map(c->client, sim_task_self(c->client), &a, size[k], 0, false,
				c->entry_obj[k], off[k], false, RW, RW);
		assert_int_equal(kr, KERN_SUCCESS);
		assert_int_equal(a, at[k]);
	}
}

static void cast_make(struct cast *c)
{
	cast_make_frames(c, 0);
}

static void cast_check_and_free(struct cast *c)
{
	const char *why = "";
	if (!sim_vm_check(c->vm, &why))
		fail_msg("sim_vm_check: %s", why);
	sim_vm_destroy(c->vm);
}

/* The client's view of buffer byte BUF + x before any copy. */
static unsigned char buf_initial(vmc_size_t x)
{
	if (x < 2 * P)
		return fbyte(10, x);
	if (x < 3 * P)
		return fbyte(11, P + (x - 2 * P));
	return fbyte(12, x - 3 * P);
}

/* Loads n client bytes from BUF + x (all must be readable). */
static void load(struct cast *c, vmc_addr_t x, unsigned char *out, size_t n)
{
	size_t done = 0;
	assert_int_equal(sim_task_load(c->client, BUF + x, out, n, &done), KERN_SUCCESS);
	assert_int_equal(done, n);
}

/* The whole buffer holds F's bytes from foff in [x, x + count) and its
 * initial bytes elsewhere. */
static void check_buffer(struct cast *c, vmc_size_t x, vmc_off_t foff, vmc_size_t count)
{
	unsigned char *b = test_malloc(6 * P);
	load(c, 0, b, 6 * P);
	for (vmc_size_t i = 0; i < 6 * P; i++) {
		unsigned char want = (i >= x && i - x < count) ? fbyte(1, foff + (i - x))
							       : buf_initial(i);
		if (b[i] != want)
			fail_msg("buffer byte %llu: %#x, expected %#x", (unsigned long long)i, b[i],
				 want);
	}
	test_free(b);
}

static void test_read_fast_across_three_entries_counts_events(void **state)
{
	(void)state;
	struct cast c;
	uint64_t before[SIM_EV_COUNT], after[SIM_EV_COUNT];
	vmc_size_t count = 0, len = 5 * P - 7;

	cast_make(&c);
	sim_events(c.vm, before);
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF + 3, len, c.file, 5,
					  &count), KERN_SUCCESS);
	assert_int_equal(count, len);
	sim_events(c.vm, after);
	assert_int_equal(after[SIM_EV_RPC] - before[SIM_EV_RPC], 1);
	assert_int_equal(after[SIM_EV_BYTES_COPIED] - before[SIM_EV_BYTES_COPIED], len);
	print_message("vm_read_fast of %llu bytes over 3 entries:", (unsigned long long)len);
	for (int e = 0; e < SIM_EV_COUNT; e++)
		if (after[e] != before[e])
			print_message(" %s=%llu", sim_event_name(e),
				      (unsigned long long)(after[e] - before[e]));
	print_message("\n");
	check_buffer(&c, 3, 5, count);
	cast_check_and_free(&c);
}

static void test_unaligned_heads_and_tails_round_trip(void **state)
{
	(void)state;
	static const struct { vmc_size_t mod, len; } pairs[] = {
		{ 0, 1 }, { P - 1, 1 }, { P - 1, 2 }, { 1, P - 2 }, { 1, P }, { P - 1, P + 2 },
		{ 3, 5 * P - 7 },
	};
	for (unsigned i = 0; i < 7; i++)
		for (unsigned j = 0; j < 7; j += 3) {
			struct cast c;
			vmc_size_t count = 0, len = pairs[i].len;
			vmc_addr_t x = pairs[i].mod;
			vmc_off_t foff = 2 * P + pairs[j].mod;

			cast_make(&c);
			assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF + x, len, c.file,
							  foff, &count), KERN_SUCCESS);
			assert_int_equal(count, len);
			check_buffer(&c, x, foff, len);
			/* And back: the buffer into another place of F, then read it
			 * out of F with memory_object_copy into place 0. */
			assert_int_equal(sim_vm_write_fast(c.server, c.client_port, BUF + x, len, c.file,
							   20 * P + 1, &count), KERN_SUCCESS);
			assert_int_equal(count, len);
			unsigned char *got = test_malloc(len), *want = test_malloc(len);
			assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF + x, len, c.file,
							  20 * P + 1, &count), KERN_SUCCESS);
			load(&c, x, got, len);
			for (vmc_size_t k = 0; k < len; k++)
				want[k] = fbyte(1, foff + k);
			assert_memory_equal(got, want, len);
			test_free(got);
			test_free(want);
			cast_check_and_free(&c);
		}
}

static void test_fast_rejects_bad_task_names_and_touches_nothing(void **state)
{
	(void)state;
	struct cast c;
	vmc_size_t count = 77;

	cast_make(&c);
	/* Null. */
	assert_int_equal(sim_vm_read_fast(c.server, SIM_NAME_NULL, BUF, 10, c.file, 0, &count),
			 MACH_SEND_INVALID_DEST);
	assert_int_equal(count, 0);
	/* A memory-object port where a task port is expected. */
	count = 77;
	assert_int_equal(sim_vm_read_fast(c.server, c.file, BUF, 10, c.file, 0, &count),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(count, 0);
	/* A name the server never received (guessing the client's own name). */
	count = 77;
	vmc_kr_t kr = sim_vm_write_fast(c.server, sim_task_self(c.client) ^ 0x100, BUF, 10,
					c.file, 0, &count);
	assert_true(kr == MACH_SEND_INVALID_DEST || kr == KERN_INVALID_ARGUMENT);
	assert_int_equal(count, 0);
	/* A thread port where a task port is expected (convert_port_to_map
	 * gives no map: KERN_INVALID_ARGUMENT, as for vm_read). */
	sim_name_t thread;
	assert_int_equal(sim_port_copy_send(c.client, sim_task_thread_port(c.client), c.server,
					    &thread), KERN_SUCCESS);
	count = 77;
	assert_int_equal(sim_vm_read_fast(c.server, thread, BUF, 10, c.file, 0, &count),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(count, 0);
	assert_int_equal(sim_port_deallocate(c.server, thread), KERN_SUCCESS);
	/* A task port where the memory object is expected; a null object. */
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF, 10, c.client_port, 0,
					  &count), KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF, 10, SIM_NAME_NULL, 0,
					  &count), KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_memory_object_copy(c.server, c.file, 0, c.client_port, 0, 10,
						&count), KERN_INVALID_ARGUMENT);
	/* Wrap. */
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF, UINT64_MAX, c.file, 1,
					  &count), KERN_INVALID_ARGUMENT);
	assert_int_equal(count, 0);
	check_buffer(&c, 0, 0, 0);
	/* Dead: the client is terminated. */
	sim_task_terminate(c.client);
	count = 77;
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF, 10, c.file, 0, &count),
			 MACH_SEND_INVALID_DEST);
	assert_int_equal(count, 0);
	cast_check_and_free(&c);
}

static void test_read_fast_into_readonly_entry_is_exact(void **state)
{
	(void)state;
	struct cast c;
	vmc_size_t count = 0;

	cast_make(&c);
	assert_int_equal(sim_vm_protect(c.client, sim_task_self(c.client), BUF + 2 * P, P, false,
					VMC_PROT_READ), KERN_SUCCESS);
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF + 9, 4 * P, c.file, 1,
					  &count), KERN_SUCCESS);
	assert_int_equal(count, 2 * P - 9);
	check_buffer(&c, 9, 1, count);
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF + 9 + count, 4 * P - count,
					  c.file, 1 + count, &count), KERN_PROTECTION_FAILURE);
	assert_int_equal(count, 0);
	/* Holes: after the last entry, before the first. */
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF + 6 * P - 4, 100, c.file, 0,
					  &count), KERN_SUCCESS);
	assert_int_equal(count, 4);
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF - 1, 100, c.file, 0,
					  &count), KERN_INVALID_ADDRESS);
	assert_int_equal(count, 0);
	cast_check_and_free(&c);
}

static void test_read_fast_pager_answers_at_page_k(void **state)
{
	(void)state;
	/* 4 pages of F from offset P/2 + 3 into the buffer at 1: error at F's
	 * page k for the first, a middle and the last page touched. */
	const unsigned ks[] = { 0, 2, 4 };
	for (unsigned i = 0; i < 3; i++) {
		struct cast c;
		vmc_size_t count = 0, len = 4 * P;
		vmc_off_t foff = P / 2 + 3;
		unsigned k = ks[i];

		cast_make(&c);
		assert_int_equal(sim_memory_object_set_answer(c.server, c.file, k * P, SIM_PAGER_ERROR),
				 KERN_SUCCESS);
		vmc_size_t want = k == 0 ? 0 : k * P - foff;
		vmc_kr_t kr = sim_vm_read_fast(c.server, c.client_port, BUF + 1, len, c.file, foff,
					       &count);
		assert_int_equal(count, want);
		assert_int_equal(kr, want ? KERN_SUCCESS : KERN_MEMORY_ERROR);
		check_buffer(&c, 1, foff, count);
		kr = sim_vm_read_fast(c.server, c.client_port, BUF + 1 + count, len - count, c.file,
				      foff + count, &count);
		assert_int_equal(kr, KERN_MEMORY_ERROR);
		assert_int_equal(count, 0);
		cast_check_and_free(&c);
	}
}

static void test_read_fast_unavailable_zeros_and_never_interrupts(void **state)
{
	(void)state;
	struct cast c;
	vmc_size_t count = 0;
	unsigned char b[P];

	cast_make(&c);
	assert_int_equal(sim_memory_object_set_answer(c.server, c.file, 3 * P, SIM_PAGER_UNAVAILABLE),
			 KERN_SUCCESS);
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF, P, c.file, 3 * P, &count),
			 KERN_SUCCESS);
	assert_int_equal(count, P);
	load(&c, 0, b, P);
	for (unsigned i = 0; i < P; i++)
		assert_int_equal(b[i], 0);
	assert_int_equal(sim_memory_object_set_answer(c.server, c.file, 5 * P, SIM_PAGER_NEVER),
			 KERN_SUCCESS);
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF, 10, c.file, 5 * P + 1,
					  &count), MACH_SEND_INTERRUPTED);
	assert_int_equal(count, 0);
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF + 3 * P, 2 * P, c.file,
					  4 * P + 5, &count), KERN_SUCCESS);
	assert_int_equal(count, P - 5);
	cast_check_and_free(&c);
}

static void test_memory_object_copy_then_read_back(void **state)
{
	(void)state;
	struct cast c;
	vmc_size_t count = 0;
	sim_name_t g;

	cast_make(&c);
	struct sim_pager pg = { .content = NULL, .size = 16 * P };
	assert_int_equal(sim_memory_object_create(c.server, &pg, &g), KERN_SUCCESS);
	assert_int_equal(sim_memory_object_copy(c.server, c.file, 7, g, P + 1, 3 * P, &count),
			 KERN_SUCCESS);
	assert_int_equal(count, 3 * P);
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF + 2, 3 * P, g, P + 1, &count),
			 KERN_SUCCESS);
	assert_int_equal(count, 3 * P);
	check_buffer(&c, 2, 7, count);
	/* Past the destination pager's size: short, then the reason. */
	assert_int_equal(sim_memory_object_copy(c.server, c.file, 0, g, 16 * P - 10, 100, &count),
			 KERN_SUCCESS);
	assert_int_equal(count, 10);
	cast_check_and_free(&c);
}

static void test_fast_offsets_beyond_4_gib_count_exactly(void **state)
{
	(void)state;
	struct cast c;
	vmc_size_t count = 0;
	sim_name_t big;

	cast_make(&c);
	struct sim_pager pb = { .content = content, .ctx = (void *)(uintptr_t)1,
				.size = (vmc_size_t)6 << 30 };
	assert_int_equal(sim_memory_object_create(c.server, &pb, &big), KERN_SUCCESS);
	/* A 5 GiB request into a 6-page buffer: stops at the buffer's end. */
	vmc_off_t off = ((vmc_off_t)5 << 30) + 3;
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF + 1, (vmc_size_t)5 << 30,
					  big, off, &count), KERN_SUCCESS);
	assert_int_equal(count, 6 * P - 1);
	check_buffer(&c, 1, off, count);
	cast_check_and_free(&c);
}

static void test_fast_zero_length_touches_nothing_anywhere(void **state)
{
	(void)state;
	struct cast c;
	uint64_t before[SIM_EV_COUNT], after[SIM_EV_COUNT];
	/* In range, at the exact end of the object, one past it, in a hole. */
	static const struct { vmc_addr_t addr; vmc_off_t off; } at[] = {
		{ BUF + 5, 7 }, { BUF + 6 * P, 64 * P }, { BUF + 6 * P + 1, 64 * P + 1 },
		{ BUF - 1, 0 },
	};

	cast_make(&c);
	for (unsigned i = 0; i < 4; i++) {
		vmc_size_t count = 77;
		sim_events(c.vm, before);
		assert_int_equal(sim_vm_read_fast(c.server, c.client_port, at[i].addr, 0, c.file,
						  at[i].off, &count), KERN_SUCCESS);
		assert_int_equal(count, 0);
		count = 77;
		assert_int_equal(sim_vm_write_fast(c.server, c.client_port, at[i].addr, 0, c.file,
						   at[i].off, &count), KERN_SUCCESS);
		assert_int_equal(count, 0);
		count = 77;
		assert_int_equal(sim_memory_object_copy(c.server, c.file, at[i].off, c.file, 3, 0,
							&count), KERN_SUCCESS);
		assert_int_equal(count, 0);
		sim_events(c.vm, after);
		/* Three RPCs, each carrying one memory object's right, and
		 * their fixed work, and nothing else: no lookup, no fault, no
		 * byte. */
		for (int e = 0; e < SIM_EV_COUNT; e++)
			assert_int_equal(after[e] - before[e],
					 e == SIM_EV_RPC || e == SIM_EV_PORT_RIGHT ||
					 e == SIM_EV_FAST_CALL ? 3 : 0);
	}
	check_buffer(&c, 0, 0, 0);
	cast_check_and_free(&c);
}

static void test_read_fast_stops_at_hole_between_entries_and_top(void **state)
{
	(void)state;
	struct cast c;
	vmc_size_t count = 0;

	cast_make(&c);
	assert_int_equal(sim_vm_deallocate(c.client, sim_task_self(c.client), BUF + 2 * P, P),
			 KERN_SUCCESS);
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF + 11, 3 * P, c.file, 9,
					  &count), KERN_SUCCESS);
	assert_int_equal(count, 2 * P - 11);
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF + 2 * P, 10, c.file, 9,
					  &count), KERN_INVALID_ADDRESS);
	assert_int_equal(count, 0);
	/* The bytes after the hole are untouched: read them through a fresh
	 * buffer view (the first two entries hold the copy). */
	unsigned char b[P];
	load(&c, 3 * P, b, P);
	for (unsigned i = 0; i < P; i++)
		assert_int_equal(b[i], buf_initial(3 * P + i));
	/* At the top of the address space: a hole, then a wrap. */
	vmc_addr_t top = (vmc_addr_t)0 - 10;
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, top, 10, c.file, 0, &count),
			 KERN_INVALID_ADDRESS);
	assert_int_equal(count, 0);
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, top, 11, c.file, 0, &count),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(count, 0);
	cast_check_and_free(&c);
}

static void test_fast_retry_from_count_completes(void **state)
{
	(void)state;
	struct cast c;
	vmc_size_t count = 0, len = 5 * P - 7;

	cast_make(&c);
	assert_int_equal(sim_memory_object_set_answer(c.server, c.file, 3 * P, SIM_PAGER_ERROR),
			 KERN_SUCCESS);
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF + 3, len, c.file, P + 5,
					  &count), KERN_SUCCESS);
	assert_int_equal(count, 2 * P - 5);
	/* The pager recovers; the retry from offset + count completes. */
	assert_int_equal(sim_memory_object_set_answer(c.server, c.file, 3 * P, SIM_PAGER_DATA),
			 KERN_SUCCESS);
	vmc_size_t first = count;
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF + 3 + first, len - first,
					  c.file, P + 5 + first, &count), KERN_SUCCESS);
	assert_int_equal(count, len - first);
	check_buffer(&c, 3, P + 5, len);
	cast_check_and_free(&c);
}

static void test_fast_object_terminated_is_memory_error(void **state)
{
	(void)state;
	struct cast c;
	vmc_size_t count = 77;

	cast_make(&c);
	assert_int_equal(sim_memory_object_terminate(c.server, c.file), KERN_SUCCESS);
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF + 1, 100, c.file, 0,
					  &count), KERN_MEMORY_ERROR);
	assert_int_equal(count, 0);
	assert_int_equal(sim_vm_write_fast(c.server, c.client_port, BUF + 1, 100, c.file, 0,
					   &count), KERN_MEMORY_ERROR);
	assert_int_equal(count, 0);
	check_buffer(&c, 0, 0, 0);
	cast_check_and_free(&c);
}

static void test_fast_under_memory_pressure_moves_right_bytes(void **state)
{
	(void)state;
	/* Fewer frames than the copy's working set: pages are evicted (and
	 * written back) while the copy runs; every byte still arrives. */
	struct cast c;
	vmc_size_t count = 0, len = 6 * P - 9;
	uint64_t ev[SIM_EV_COUNT];

	cast_make_frames(&c, 4);
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF + 4, len, c.file, 3 * P + 5,
					  &count), KERN_SUCCESS);
	assert_int_equal(count, len);
	check_buffer(&c, 4, 3 * P + 5, len);
	assert_int_equal(sim_vm_write_fast(c.server, c.client_port, BUF + 4, len, c.file, 30 * P + 1,
					   &count), KERN_SUCCESS);
	assert_int_equal(count, len);
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF, 6 * P, c.file, 0, &count),
			 KERN_SUCCESS);
	assert_int_equal(sim_vm_read_fast(c.server, c.client_port, BUF + 4, len, c.file, 30 * P + 1,
					  &count), KERN_SUCCESS);
	assert_int_equal(count, len);
	unsigned char *b = test_malloc(len);
	load(&c, 4, b, len);
	for (vmc_size_t i = 0; i < len; i++)
		if (b[i] != fbyte(1, 3 * P + 5 + i))
			fail_msg("byte %llu wrong after the round trip", (unsigned long long)i);
	test_free(b);
	sim_events(c.vm, ev);
	assert_true(ev[SIM_EV_EVICT] > 0);
	cast_check_and_free(&c);
}

/*
 * The source is a private copy (vm_map copy=TRUE) of F in the client, the
 * destination F itself, a few hundred bytes further on in the same page:
 * the write must first push F's old page to the copy, and the copy must be
 * read from there, so F receives the bytes F had when the copy was made.
 * (Found by fuzz_ops: faulting the source first read through the copy to
 * the page being written, and a real kernel would have waited forever on
 * its own busy page.)
 */
static void test_write_fast_from_a_private_copy_into_its_object(void **state)
{
	(void)state;
	struct cast c;
	vmc_addr_t at = 0x30000000, view = 0x38000000;
	vmc_size_t count = 0, len = 3899;
	unsigned char *got = test_malloc(len);

	cast_make(&c);
	assert_int_equal(sim_vm_map(c.server, c.client_port, &at, 4 * P, 0, false, c.file, 2 * P,
				    true, VMC_PROT_READ, VMC_PROT_ALL), KERN_SUCCESS);
	assert_int_equal(sim_vm_write_fast(c.server, c.client_port, at + P + 0x18d, len, c.file,
					   3 * P + 0x42f, &count), KERN_SUCCESS);
	assert_int_equal(count, len);
	/* F now holds, at 3P + 0x42f, what it held at 3P + 0x18d. */
	assert_int_equal(sim_vm_map(c.server, sim_task_self(c.server), &view, 8 * P, 0, false,
				    c.file, 0, false, VMC_PROT_READ, VMC_PROT_READ), KERN_SUCCESS);
	assert_int_equal(sim_task_load(c.server, view + 3 * P + 0x42f, got, len, NULL),
			 KERN_SUCCESS);
	for (vmc_size_t i = 0; i < len; i++)
		if (got[i] != fbyte(1, 3 * P + 0x18d + i))
			fail_msg("object byte %llu: %#x, expected %#x", (unsigned long long)i, got[i],
				 fbyte(1, 3 * P + 0x18d + i));
	/* And the private copy still shows F as it was. */
	assert_int_equal(sim_task_load(c.client, at + P + 0x42f, got, len, NULL), KERN_SUCCESS);
	for (vmc_size_t i = 0; i < len; i++)
		if (got[i] != fbyte(1, 3 * P + 0x42f + i))
			fail_msg("copy byte %llu changed", (unsigned long long)i);
	test_free(got);
	cast_check_and_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_fast_across_three_entries_counts_events),
		cmocka_unit_test(test_unaligned_heads_and_tails_round_trip),
		cmocka_unit_test(test_fast_rejects_bad_task_names_and_touches_nothing),
		cmocka_unit_test(test_read_fast_into_readonly_entry_is_exact),
		cmocka_unit_test(test_read_fast_pager_answers_at_page_k),
		cmocka_unit_test(test_read_fast_unavailable_zeros_and_never_interrupts),
		cmocka_unit_test(test_memory_object_copy_then_read_back),
		cmocka_unit_test(test_fast_offsets_beyond_4_gib_count_exactly),
		cmocka_unit_test(test_fast_zero_length_touches_nothing_anywhere),
		cmocka_unit_test(test_read_fast_stops_at_hole_between_entries_and_top),
		cmocka_unit_test(test_fast_retry_from_count_completes),
		cmocka_unit_test(test_fast_object_terminated_is_memory_error),
		cmocka_unit_test(test_fast_under_memory_pressure_moves_right_bytes),
		cmocka_unit_test(test_write_fast_from_a_private_copy_into_its_object),
	};
	print_message("sim seed %#x\n", SEED);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_sim_fast_race.c: vm_read_fast and vm_write_fast on the simulator
 * while the world changes at every point where a real kernel may sleep.
 *
 * The copy: LEN bytes, unaligned on both sides, over 5 buffer pages and 3
 * map entries (three memory objects mapped side by side in the client),
 * between the buffer and a memory object F the server holds.  A first run
 * plants nothing and records the sequence of yield points (vmc_may_block, seen
 * through sim_vm_set_yield_hook).  Then the RPC is rerun in a fresh world
 * once per (yield point, action), the action done by the hook at that point:
 *   - unmap the buffer (vm_deallocate by the client);
 *   - take the needed access away from the buffer's last entry
 *     (vm_protect: read-only for a read_fast, none for a write_fast);
 *   - evict every unpinned page of the source side;
 *   - terminate F (the source of a read_fast, the destination of a
 *     write_fast);
 *   - terminate the target task (the client, whose buffer it is): the call
 *     holds the target's map, as GNU Mach's convert_port_to_map does, so
 *     the copy finds it empty and stops where it is, as for an unmap (it
 *     once used a map the termination had freed);
 *   - terminate the caller (the server): the copy is the kernel's work and
 *     goes on to the end, its result for nobody (the simulator has no
 *     thread to abort; on the kernel a thread terminated while it waits
 *     for a page is interrupted, and the copy stops short); F lives on,
 *     its pager being the simulator's.
 * Every direction runs twice: with F's pager answering at once, and with a
 * pager latency of 2 (the fault waits, yielding, then returns
 * VMC_FAULT_RETRY), so each action also lands while the copy waits for a
 * page ("the destination is unmapped while the copy waits for a source
 * page; then the data arrives").
 * After each run: the count is exactly what the action allows, computed
 * from the chunk geometry and the point reached (expected_count); every
 * byte of every object involved is checked through an observer task that
 * maps them all (the copied range holds the source bytes, everything else
 * its old bytes -- so nothing was written outside the range or through a
 * mapping that had lost write access); the retry from the count reports
 * the reason with count 0; sim_vm_check passes.
 * The pages start out paged out, so every chunk faults one page in and
 * takes the general path.  The pager-answers-at-once runs are made twice
 * more with every page made resident first (the observer reads them all):
 * with the resident shortcut (the default, as in the kernel: such chunks
 * move under locks and reach fewer yield points, until an eviction sends
 * them back to the general path) and without it (every chunk faults, pins
 * and verifies).
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
#define SEED 0x7ace5u
#define BASE ((vmc_addr_t)0x10000000)     /* the client's buffer entries */
#define OBS ((vmc_addr_t)0x40000000)      /* observer: object k at OBS + k * 16P */
#define OPAGES 8u
#define BUF_OFF 1000u                      /* the copy starts at BASE + BUF_OFF */
#define OBJ_OFF (P + 123)                  /* and at F's offset OBJ_OFF */
#define LEN (5 * P - 1500)
#define LAST_ENTRY (3 * P)                 /* the last entry starts at BASE + 3P */
#define MAX_YIELDS 256

enum action { ACT_NONE, ACT_UNMAP, ACT_PROTECT_LAST, ACT_EVICT, ACT_TERMINATE, ACT_KILL_TARGET,
	      ACT_KILL_CALLER, ACT_COUNT };
static const char *const action_names[] = { "none", "unmap buffer", "protect last entry",
					    "evict source pages", "terminate F",
					    "terminate the target task", "terminate the caller" };

static unsigned char fbyte(uintptr_t id, vmc_off_t x)
{
	return (unsigned char)(id * 89 + x * 7 + (x >> 12) * 31 + 3);
}

static void content(void *ctx, vmc_off_t offset, unsigned char *page)
{
	for (unsigned i = 0; i < P; i++)
		page[i] = fbyte((uintptr_t)ctx, offset + i);
}

/* Object 0 is F (pager id 1); objects 1..3 are the entries (ids 10..12). */
static uintptr_t obj_id(int k)
{
	return k == 0 ? 1 : (uintptr_t)(9 + k);
}

struct world {
	bool read;                      /* F -> buffer; else buffer -> F */
	struct sim_vm *vm;
	struct sim_task *server, *client, *observer;
	sim_name_t file, client_port;   /* in server's space */
	sim_name_t entry[3];            /* in client's space */
	/* The planted action. */
	enum action act;
	int at;                         /* yield index to act at; -1: never */
	int seen;
	enum vmc_block_point where[MAX_YIELDS];
};

/* The worlds made next: the resident shortcut on or off
 * (sim_vm_set_resident_shortcut); every page made resident first. */
static bool shortcut = true;
static bool warm;

static void world_make(struct world *w, bool read, uint32_t latency)
{
	struct sim_vm_config cfg = { .seed = SEED, .frames = 0 };
	sim_name_t o;

	memset(w, 0, sizeof *w);
	w->read = read;
	w->at = -1;
	w->vm = sim_vm_create(&cfg);
	sim_vm_set_resident_shortcut(w->vm, shortcut);
	w->server = sim_task_create(w->vm, "server");
	w->client = sim_task_create(w->vm, "client");
	w->observer = sim_task_create(w->vm, "observer");
	struct sim_pager pf = { .content = content, .ctx = (void *)obj_id(0), .size = OPAGES * P,
				.latency = latency };
	assert_int_equal(sim_memory_object_create(w->server, &pf, &w->file), KERN_SUCCESS);
	assert_int_equal(sim_port_copy_send(w->client, sim_task_self(w->client), w->server,
					    &w->client_port), KERN_SUCCESS);
	static const vmc_addr_t at[3] = { BASE, BASE + 2 * P, BASE + 3 * P };
	static const vmc_size_t size[3] = { 2 * P, P, 3 * P };
	static const vmc_off_t off[3] = { 0, P, 0 };
	for (int k = 0; k < 3; k++) {
		struct sim_pager pe = { .content = content, .ctx = (void *)obj_id(k + 1),
					.size = OPAGES * P };
		assert_int_equal(sim_memory_object_create(w->client, &pe, &w->entry[k]),
				 KERN_SUCCESS);
		vmc_addr_t a = at[k];
		assert_int_equal(sim_vm_map(w->client, sim_task_self(w->client), &a, size[k], 0,
					    false, w->entry[k], off[k], false, RW, RW),
				 KERN_SUCCESS);
	}
	/* The observer maps all four objects whole, shared, read-only. */
	for (int k = 0; k < 4; k++) {
		if (k == 0)
			assert_int_equal(sim_port_copy_send(w->server, w->file, w->observer, &o),
					 KERN_SUCCESS);
		else
			assert_int_equal(sim_port_copy_send(w->client, w->entry[k - 1], w->observer,
							    &o), KERN_SUCCESS);
		vmc_addr_t a = OBS + (vmc_addr_t)k * 16 * P;
		assert_int_equal(sim_vm_map(w->observer, sim_task_self(w->observer), &a,
					    OPAGES * P, 0, false, o, 0, false, VMC_PROT_READ,
					    VMC_PROT_READ), KERN_SUCCESS);
	}
	/* Warm: the observer's reads fault every page into its object. */
	for (int k = 0; warm && k < 4; k++) {
		static unsigned char sink[OPAGES * P];
		size_t done = 0;
		assert_int_equal(sim_task_load(w->observer, OBS + (vmc_addr_t)k * 16 * P, sink,
					       OPAGES * P, &done), KERN_SUCCESS);
	}
}

/* Where buffer byte x (from BASE) lives: object index and offset. */
static void buf_place(vmc_size_t x, int *k, vmc_off_t *off)
{
	if (x < 2 * P) {
		*k = 1;
		*off = x;
	} else if (x < 3 * P) {
		*k = 2;
		*off = P + (x - 2 * P);
	} else {
		*k = 3;
		*off = x - 3 * P;
	}
}

static void act(struct world *w)
{
	switch (w->act) {
	case ACT_UNMAP:
		assert_int_equal(sim_vm_deallocate(w->client, sim_task_self(w->client), BASE, 6 * P),
				 KERN_SUCCESS);
		break;
	case ACT_PROTECT_LAST:
		assert_int_equal(sim_vm_protect(w->client, sim_task_self(w->client),
						BASE + LAST_ENTRY, 3 * P, false,
						w->read ? VMC_PROT_READ : VMC_PROT_NONE),
				 KERN_SUCCESS);
		break;
	case ACT_EVICT:
		/* Pinned pages refuse (KERN_FAILURE); absent ones say so. */
		for (unsigned p = 0; p < OPAGES; p++) {
			if (w->read)
				(void)sim_memory_object_evict(w->server, w->file, (vmc_off_t)p * P);
			else
				(void)sim_task_evict(w->client, BASE + (vmc_addr_t)p * P);
		}
		break;
	case ACT_TERMINATE:
		assert_int_equal(sim_memory_object_terminate(w->server, w->file), KERN_SUCCESS);
		break;
	case ACT_KILL_TARGET:
		sim_task_terminate(w->client);
		break;
	case ACT_KILL_CALLER:
		sim_task_terminate(w->server);
		break;
	default:
		break;
	}
}

static void on_yield(struct sim_vm *vm, enum vmc_block_point where, void *ctx)
{
	struct world *w = ctx;

	(void)vm;
	if (w->seen < MAX_YIELDS)
		w->where[w->seen] = where;
	if (w->seen == w->at)
		act(w);
	w->seen++;
}

static vmc_kr_t run_copy(struct world *w, vmc_size_t skip, vmc_size_t *count)
{
	vmc_addr_t b = BASE + BUF_OFF + skip;
	vmc_off_t o = OBJ_OFF + skip;

	if (w->read)
		return sim_vm_read_fast(w->server, w->client_port, b, LEN - skip, w->file, o, count);
	return sim_vm_write_fast(w->server, w->client_port, b, LEN - skip, w->file, o, count);
}

/*
 * Every object's bytes, read by the observer: the destination range holds
 * the source bytes before count and its old bytes from count on; all else
 * is as it was.  Objects whose pager is gone cannot be read and are
 * skipped: F (object 0) once terminated or its server gone, the buffer's
 * (1 to 3) once their client is.
 */
static void check_bytes(struct world *w, vmc_size_t count, bool f_dead, bool buf_dead)
{
	unsigned char *want = test_malloc(4 * OPAGES * P), *got = test_malloc(OPAGES * P);

	for (int k = 0; k < 4; k++)
		for (vmc_off_t x = 0; x < OPAGES * P; x++)
			want[k * OPAGES * P + x] = fbyte(obj_id(k), x);
	for (vmc_size_t i = 0; i < count; i++) {
		int k;
		vmc_off_t off;
		buf_place(BUF_OFF + i, &k, &off);
		unsigned char *bufb = &want[k * OPAGES * P + off];
		unsigned char *fb = &want[OBJ_OFF + i];
		if (w->read)
			*bufb = *fb;
		else
			*fb = *bufb;
	}
	for (int k = f_dead ? 1 : 0; k < (buf_dead ? 1 : 4); k++) {
		size_t done = 0;
		assert_int_equal(sim_task_load(w->observer, OBS + (vmc_addr_t)k * 16 * P, got,
					       OPAGES * P, &done), KERN_SUCCESS);
		for (vmc_off_t x = 0; x < OPAGES * P; x++)
			if (got[x] != want[k * OPAGES * P + x])
				fail_msg("object %d byte %llu is %#x, expected %#x (count %llu)", k,
					 (unsigned long long)x, got[x], want[k * OPAGES * P + x],
					 (unsigned long long)count);
	}
	test_free(got);
	test_free(want);
}

/* The chunk ends of the whole copy, in bytes from its start: a chunk ends
 * at the nearer of a buffer page end (entries are page aligned), an F page
 * end and LEN.  Returns the number of chunks. */
static unsigned chunk_ends(vmc_size_t *ends, unsigned max)
{
	unsigned n = 0;
	vmc_size_t i = 0;

	while (i < LEN && n < max) {
		vmc_size_t b = P - (BUF_OFF + i) % P, o = P - (OBJ_OFF + i) % P;
		vmc_size_t step = b < o ? b : o;
		/* Over resident pages the shortcut moves chunk after chunk
		 * under one hold of the buffer's map, to the end of its map
		 * entry (fewer than VMC_RESIDENT_BATCH chunks here): one
		 * NEXT_CHUNK yield per entry. */
		if (warm && shortcut) {
			vmc_size_t x = BUF_OFF + i;
			step = x < 2 * P ? 2 * P - x : x < LAST_ENTRY ? LAST_ENTRY - x : LEN - i;
		}
		if (step > LEN - i)
			step = LEN - i;
		i += step;
		ends[n++] = i;
	}
	return n;
}

/* Bytes copied when yield `at` was reached: the chunks whose NEXT_CHUNK
 * yield came at or before it. */
static vmc_size_t progress_at(const struct world *rec, int at, const vmc_size_t *ends)
{
	unsigned done = 0;
	for (int q = 0; q <= at; q++)
		if (rec->where[q] == VMC_BLOCK_NEXT_CHUNK)
			done++;
	return done ? ends[done - 1] : 0;
}

/* What the action lets the copy achieve, given where it happened. */
static vmc_size_t expected_count(const struct world *rec, enum action a, int at,
				 const vmc_size_t *ends)
{
	vmc_size_t prog = progress_at(rec, at, ends);
	/* The chunk in flight completes if F's page was pinned before the
	 * termination.  The destination is faulted first, then the source: for
	 * a read (F is the source) that is at VERIFY only; for a write (F is
	 * the destination), from FAULT_SRC on. */
	bool f_pinned = rec->read ? rec->where[at] == VMC_BLOCK_VERIFY
				  : (rec->where[at] == VMC_BLOCK_FAULT_SRC ||
				     rec->where[at] == VMC_BLOCK_VERIFY);
	vmc_size_t next = LEN;
	for (unsigned c = 0; c < MAX_YIELDS; c++)
		if (ends[c] > prog) {
			next = ends[c];
			break;
		}

	switch (a) {
	case ACT_UNMAP:
	case ACT_KILL_TARGET:
		return prog;
	case ACT_PROTECT_LAST: {
		vmc_size_t last = LAST_ENTRY - BUF_OFF;
		return prog > last ? prog : last;
	}
	case ACT_TERMINATE:
		return f_pinned ? next : prog;
	default:
		return LEN;
	}
}

/* What the call says when the action left it nothing to copy: as its retry
 * would, but for a dead target, whose map the call still holds (emptied:
 * KERN_INVALID_ADDRESS) while a new call finds its name dead. */
static vmc_kr_t expected_retry(enum action a);
static vmc_kr_t expected_none(enum action a)
{
	return a == ACT_KILL_TARGET ? KERN_INVALID_ADDRESS : expected_retry(a);
}

static vmc_kr_t expected_retry(enum action a)
{
	switch (a) {
	case ACT_UNMAP:
		return KERN_INVALID_ADDRESS;
	case ACT_PROTECT_LAST:
		return KERN_PROTECTION_FAILURE;
	case ACT_TERMINATE:
		return KERN_MEMORY_ERROR;
	case ACT_KILL_TARGET:
		return MACH_SEND_INVALID_DEST;   /* a dead task's name */
	default:
		return KERN_SUCCESS;
	}
}

static void world_check_and_free(struct world *w, const char *what)
{
	const char *why = "";
	if (!sim_vm_check(w->vm, &why))
		fail_msg("sim_vm_check after %s: %s", what, why);
	sim_vm_destroy(w->vm);
}

static unsigned run_direction(bool read, uint32_t latency)
{
	static vmc_size_t ends[MAX_YIELDS];
	struct world *rec = test_malloc(sizeof *rec), *w = test_malloc(sizeof *w);
	vmc_size_t count = 0;
	unsigned runs = 0;
	unsigned nchunks = chunk_ends(ends, MAX_YIELDS);

	for (unsigned c = nchunks; c < MAX_YIELDS; c++)
		ends[c] = LEN;
	/* The recording run. */
	world_make(rec, read, latency);
	sim_vm_set_yield_hook(rec->vm, on_yield, rec);
	assert_int_equal(run_copy(rec, 0, &count), KERN_SUCCESS);
	assert_int_equal(count, LEN);
	sim_vm_set_yield_hook(rec->vm, NULL, NULL);
	check_bytes(rec, count, false, false);
	assert_true(rec->seen > 0 && rec->seen <= MAX_YIELDS);
	world_check_and_free(rec, "the recording run");
	print_message("%s, pager latency %u, %s, %s: yield sequence (%d points, %u chunks):",
		      read ? "read_fast" : "write_fast", latency, warm ? "warm" : "cold",
		      shortcut ? "resident shortcut" : "general path", rec->seen, nchunks);
	for (int q = 0; q < rec->seen; q++)
		print_message(" %d", (int)rec->where[q]);
	print_message("\n");
	/* The geometry agrees with the engine: one NEXT_CHUNK after every
	 * chunk but the last. */
	assert_int_equal(progress_at(rec, rec->seen - 1, ends), ends[nchunks - 2]);

	for (int at = 0; at < rec->seen; at++)
		for (enum action a = ACT_UNMAP; a < ACT_COUNT; a++) {
			world_make(w, read, latency);
			w->act = a;
			w->at = at;
			sim_vm_set_yield_hook(w->vm, on_yield, w);
			vmc_kr_t kr = run_copy(w, 0, &count);
			sim_vm_set_yield_hook(w->vm, NULL, NULL);
			vmc_size_t want = expected_count(rec, a, at, ends);
			if (w->seen <= at)
				fail_msg("%s at yield %d: only %d yields this time", action_names[a], at,
					 w->seen);
			if (count != want || kr != (count ? KERN_SUCCESS : expected_none(a)))
				fail_msg("%s, '%s' at yield %d (point %d, %llu bytes done): %s, "
					 "count %llu, expected %llu", read ? "read_fast" : "write_fast",
					 action_names[a], at, (int)rec->where[at],
					 (unsigned long long)progress_at(rec, at, ends),
					 vmc_kr_name(kr), (unsigned long long)count,
					 (unsigned long long)want);
			check_bytes(w, count, a == ACT_TERMINATE, a == ACT_KILL_TARGET);
			/* The retry from the first uncopied byte reports why. */
			if (count < LEN) {
				vmc_size_t again = 99;
				kr = run_copy(w, count, &again);
				assert_int_equal(kr, expected_retry(a));
				assert_int_equal(again, 0);
			}
			world_check_and_free(w, action_names[a]);
			runs++;
		}
	print_message("%s: %d yield points x %d actions = %u interleavings\n",
		      read ? "read_fast" : "write_fast", rec->seen, ACT_COUNT - 1, runs);
	test_free(w);
	test_free(rec);
	return runs;
}

static unsigned total_runs;

static void test_sim_fast_race_read_every_yield_every_action(void **state)
{
	(void)state;
	total_runs += run_direction(true, 0);
}

/* F's pager makes every fault wait (two yields, then VMC_FAULT_RETRY): the
 * buffer is unmapped, protected, evicted or F terminated while the copy
 * waits for a page, and the engine redoes its lookups when the data has
 * arrived. */
static void test_sim_fast_race_read_while_waiting_for_pager(void **state)
{
	(void)state;
	total_runs += run_direction(true, 2);
}

static void test_sim_fast_race_write_while_waiting_for_pager(void **state)
{
	(void)state;
	total_runs += run_direction(false, 2);
}

static void test_sim_fast_race_write_every_yield_every_action(void **state)
{
	(void)state;
	total_runs += run_direction(false, 0);
}

/* Every page resident first: with the shortcut, whose chunks reach only
 * the lookup and next-chunk yield points; without it, every chunk on the
 * general path, whose fault and verify points the shortcut skips. */
static void warm_runs(bool read)
{
	warm = true;
	total_runs += run_direction(read, 0);
	shortcut = false;
	total_runs += run_direction(read, 0);
	shortcut = true;
	warm = false;
}

static void test_sim_fast_race_read_resident_pages(void **state)
{
	(void)state;
	warm_runs(true);
}

static void test_sim_fast_race_write_resident_pages(void **state)
{
	(void)state;
	warm_runs(false);
	print_message("sim race interleavings run: %u\n", total_runs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sim_fast_race_read_every_yield_every_action),
		cmocka_unit_test(test_sim_fast_race_read_while_waiting_for_pager),
		cmocka_unit_test(test_sim_fast_race_write_while_waiting_for_pager),
		cmocka_unit_test(test_sim_fast_race_write_every_yield_every_action),
		cmocka_unit_test(test_sim_fast_race_read_resident_pages),
		cmocka_unit_test(test_sim_fast_race_write_resident_pages),
	};
	print_message("sim seed %#x\n", SEED);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_sim_proxy.c: proxies in the simulated kernel (sim/sim_proxy.c):
 * CASES.md "Composition" and the proxy cases of "Protection and
 * authorization", through vm_map and through the fast copies.
 */
#include "simtest.h"
#include "sim_fast.h"
#include "sim_proxy.h"

#define R VMC_PROT_READ
#define W VMC_PROT_WRITE
#define RW (R | W)

static void drop(struct sim_task *t, sim_name_t n)
{
	assert_int_equal(sim_port_deallocate(t, n), KERN_SUCCESS);
}

/* A read-only proxy of a page, wrapped in read-write proxies d times: the
 * mapping is read-only at every depth; a store fails, the page is intact,
 * and the maximum cannot be raised afterwards. */
static void test_proxy_nested_escalation_fails_at_every_depth(void **state)
{
	struct st *st = *state;
	vmc_addr_t page = st_alloc(st, st->a, P);
	sim_name_t chain[65];

	st_fill(st->a, page, P, 40);
	assert_int_equal(sim_vm_region_create_proxy(st->a, st->aself, page, R, P, &chain[0]),
			 KERN_SUCCESS);
	for (int d = 1; d <= 64; d++) {
		vmc_off_t off = 0, start = 0;
		vmc_size_t len = P;
		assert_int_equal(sim_memory_object_create_proxy(st->a, VMC_PROT_ALL, &chain[d - 1], 1,
								&off, 1, &start, 1, &len, 1,
								&chain[d]),
				 KERN_SUCCESS);
		vmc_addr_t m = 0;
		assert_int_equal(sim_vm_map(st->a, st->aself, &m, P, 0, true, chain[d], 0, false,
					    R, R), KERN_SUCCESS);
		/* Asking for write through the map path is capped, not granted. */
		unsigned char b = 0x5a;
		assert_int_equal(sim_task_store(st->a, m, &b, 1, NULL), KERN_PROTECTION_FAILURE);
		assert_int_equal(sim_vm_protect(st->a, st->aself, m, P, true, RW),
				 KERN_PROTECTION_FAILURE);
		assert_true(st_holds(st->a, m, P, 40, 0));
		assert_int_equal(sim_vm_deallocate(st->a, st->aself, m, P), KERN_SUCCESS);
		/* And through the copy path. */
		vmc_size_t count = 7;
		assert_int_equal(sim_vm_write_fast(st->a, st->aself, page, 16, chain[d], 0, &count),
				 KERN_PROTECTION_FAILURE);
		assert_int_equal(count, 0);
	}
	/* A read-write map request of the outermost is capped to read. */
	vmc_addr_t m = 0;
	assert_int_equal(sim_vm_map(st->a, st->aself, &m, P, 0, true, chain[64], 0, false, RW, RW),
			 KERN_SUCCESS);
	unsigned char b = 1;
	assert_int_equal(sim_task_store(st->a, m, &b, 1, NULL), KERN_PROTECTION_FAILURE);
	assert_true(st_holds(st->a, page, P, 40, 0));
	assert_int_equal(sim_vm_deallocate(st->a, st->aself, m, P), KERN_SUCCESS);
	for (int d = 64; d >= 0; d--)
		drop(st->a, chain[d]);
}

/* The seed's form's argument errors that the kernel guest checks too
 * (tests/kernel/guest/fastcopy.c, test_seed_proxy): the same codes. */
static void test_proxy_ranges_argument_errors_are_the_kernels(void **state)
{
	struct st *st = *state;
	sim_name_t o1 = st_memobj(st->a, 1, 16 * P, 0);
	sim_name_t in[] = { o1, SIM_NAME_NULL, o1 }, task[] = { st->aself };
	vmc_prot_t prot[] = { RW, R, R }, bad[] = { 0x10 };
	vmc_off_t start[] = { 2 * P, 0, 0 }, end[] = { 4 * P, P, P };
	sim_name_t px = SIM_NAME_NULL;

	assert_int_equal(sim_memory_object_create_proxy_ranges(st->a, in, 0, prot, 0, start, 0,
							       end, 0, &px),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_memory_object_create_proxy_ranges(st->a, in, 2, prot, 1, start, 2,
							       end, 2, &px),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_memory_object_create_proxy_ranges(st->a, in, 2, prot, 2, start, 2,
							       end, 1, &px),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_memory_object_create_proxy_ranges(st->a, in, 3, prot, 3, start, 1,
							       end, 1, &px),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_memory_object_create_proxy_ranges(st->a, in, 1, bad, 1, start, 1,
							       end, 1, &px),
			 KERN_INVALID_VALUE);
	assert_int_equal(sim_memory_object_create_proxy_ranges(st->a, task, 1, prot, 1, start, 1,
							       end, 1, &px),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(px, SIM_NAME_NULL);
	/* A range, a hole, an open-ended last range. */
	assert_int_equal(sim_memory_object_create_proxy_ranges(st->a, in, 3, prot, 3, start, 2,
							       end, 2, &px),
			 KERN_SUCCESS);
	drop(st->a, px);
}

/* Two memory objects with a hole between them, each range with its own
 * protection: a mapping splices the exact bytes, reserves the hole with no
 * access, and caps each part. */
static void test_proxy_map_splices_objects_and_reserves_holes(void **state)
{
	struct st *st = *state;
	sim_name_t o1 = st_memobj(st->a, 1, 16 * P, 0);
	sim_name_t o2 = st_memobj(st->a, 2, 16 * P, 0);
	sim_name_t in[] = { o1, SIM_NAME_NULL, o2 };
	vmc_prot_t prot[] = { RW, RW, R };
	vmc_off_t start[] = { 2 * P, 0, 5 * P }, end[] = { 4 * P, P, 7 * P };
	sim_name_t px;

	assert_int_equal(sim_memory_object_create_proxy_ranges(st->a, in, 3, prot, 3, start, 3,
							       end, 3, &px),
			 KERN_SUCCESS);
	uint64_t created = st_event(st, SIM_EV_ENTRY_CREATE);
	vmc_addr_t m = 0;
	assert_int_equal(sim_vm_map(st->a, st->aself, &m, 5 * P, 0, true, px, 0, false, RW, RW),
			 KERN_SUCCESS);
	assert_int_equal(st_event(st, SIM_EV_ENTRY_CREATE) - created, 3);
	/* o1's [2P, 4P), then the hole, then o2's [5P, 7P) read-only. */
	assert_true(st_holds(st->a, m, 2 * P, 1, 2 * P));
	unsigned char b;
	assert_int_equal(sim_task_load(st->a, m + 2 * P, &b, 1, NULL), KERN_PROTECTION_FAILURE);
	assert_true(st_holds(st->a, m + 3 * P, 2 * P, 2, 5 * P));
	assert_int_equal(sim_task_store(st->a, m + 3 * P, &b, 1, NULL), KERN_PROTECTION_FAILURE);
	/* A store into o1's part reaches o1. */
	b = 0xee;
	assert_int_equal(sim_task_store(st->a, m + 5, &b, 1, NULL), KERN_SUCCESS);
	vmc_addr_t m1 = 0;
	assert_int_equal(sim_vm_map(st->a, st->aself, &m1, P, 0, true, o1, 2 * P, false, R, R),
			 KERN_SUCCESS);
	unsigned char c = 0;
	assert_int_equal(sim_task_load(st->a, m1 + 5, &c, 1, NULL), KERN_SUCCESS);
	assert_int_equal(c, 0xee);
	/* The hole stays reserved: nothing can be allocated there, nor opened up. */
	vmc_addr_t h = m + 2 * P;
	assert_int_equal(sim_vm_allocate(st->a, st->aself, &h, P, false), KERN_NO_SPACE);
	assert_int_equal(sim_vm_protect(st->a, st->aself, m + 2 * P, P, false, R),
			 KERN_PROTECTION_FAILURE);

	/* A copy across the o1 | hole boundary stops exactly at the hole. */
	vmc_addr_t buf = st_alloc(st, st->b, 2 * P);
	sim_name_t bport;
	assert_int_equal(sim_port_copy_send(st->b, st->bself, st->a, &bport), KERN_SUCCESS);
	vmc_size_t count = 0;
	assert_int_equal(sim_vm_read_fast(st->a, bport, buf, P, px, 2 * P - 100, &count),
			 KERN_SUCCESS);
	assert_int_equal(count, 100);
	assert_int_equal(sim_vm_read_fast(st->a, bport, buf, P, px, 2 * P, &count),
			 KERN_INVALID_ADDRESS);
	assert_int_equal(count, 0);

	assert_int_equal(sim_vm_deallocate(st->a, st->aself, m, 5 * P), KERN_SUCCESS);
	assert_int_equal(sim_vm_deallocate(st->a, st->aself, m1, P), KERN_SUCCESS);
	drop(st->a, px);
	drop(st->a, o1);
	drop(st->a, o2);
	drop(st->a, bport);
}

static void test_proxy_map_window_checks_do_not_wrap(void **state)
{
	struct st *st = *state;
	sim_name_t o = st_memobj(st->a, 3, 4 * P, 0);
	vmc_off_t off = 0, start = 0;
	vmc_size_t len = 4 * P;
	sim_name_t px;
	assert_int_equal(sim_memory_object_create_proxy(st->a, RW, &o, 1, &off, 1, &start, 1, &len,
							1, &px),
			 KERN_SUCCESS);
	vmc_addr_t m = 0x300000;
	uint64_t entries = st_event(st, SIM_EV_ENTRY_CREATE);
	/* Stock GNU Mach's check wraps for an offset of 2^64 - 4096. */
	assert_int_equal(sim_vm_map(st->a, st->aself, &m, 2 * P, 0, true, px, (vmc_off_t)-P, false,
				    RW, RW), KERN_INVALID_ARGUMENT);
	/* A window past the proxy's end, or running past it, is refused. */
	assert_int_equal(sim_vm_map(st->a, st->aself, &m, P, 0, true, px, 8 * P, false, RW, RW),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_vm_map(st->a, st->aself, &m, 2 * P, 0, true, px, 3 * P, false, RW,
				    RW), KERN_INVALID_ARGUMENT);
	assert_int_equal(st_event(st, SIM_EV_ENTRY_CREATE) - entries, 0);
	/* Unaligned offsets are refused; nothing was entered. */
	assert_int_equal(sim_vm_map(st->a, st->aself, &m, P, 0, true, px, 3, false, RW, RW),
			 KERN_INVALID_ARGUMENT);
	drop(st->a, px);
	drop(st->a, o);
}

/* vm_map(copy=TRUE): a private copy, as GNU Mach makes it: allowed when the
 * proxy allows reading, and then writable, since it is the caller's own
 * memory; writing it leaves the original as it was.  Without read rights no
 * copy is made. */
static void test_proxy_map_copy_leaves_original_unchanged(void **state)
{
	struct st *st = *state;
	vmc_addr_t page = st_alloc(st, st->a, P);
	sim_name_t ro, wo;
	st_fill(st->a, page, P, 50);
	assert_int_equal(sim_vm_region_create_proxy(st->a, st->aself, page, R, P, &ro),
			 KERN_SUCCESS);
	assert_int_equal(sim_vm_region_create_proxy(st->a, st->aself, page, W, P, &wo),
			 KERN_SUCCESS);

	vmc_addr_t c1 = 0, c2 = 0, shared = 0;
	assert_int_equal(sim_vm_map(st->a, st->aself, &c1, P, 0, true, ro, 0, true, RW, RW),
			 KERN_SUCCESS);
	assert_true(st_holds(st->a, c1, P, 50, 0));
	st_fill(st->a, c1, P, 51);
	assert_true(st_holds(st->a, c1, P, 51, 0));
	assert_true(st_holds(st->a, page, P, 50, 0));
	/* A shared mapping of the same proxy still sees the original only. */
	assert_int_equal(sim_vm_map(st->a, st->aself, &shared, P, 0, true, ro, 0, false, R, R),
			 KERN_SUCCESS);
	assert_true(st_holds(st->a, shared, P, 50, 0));
	/* A write-only proxy cannot be copied. */
	assert_int_equal(sim_vm_map(st->a, st->aself, &c2, P, 0, true, wo, 0, true, RW, RW),
			 KERN_PROTECTION_FAILURE);

	assert_int_equal(sim_vm_deallocate(st->a, st->aself, c1, P), KERN_SUCCESS);
	assert_int_equal(sim_vm_deallocate(st->a, st->aself, shared, P), KERN_SUCCESS);
	drop(st->a, ro);
	drop(st->a, wo);
}

/* The capability-safe fast path: the client gives the server a write-only
 * proxy of exactly its buffer window, never its task port.  The server can
 * fill the window, not one byte past it, and cannot read it. */
static void test_region_proxy_is_exactly_the_window(void **state)
{
	struct st *st = *state;
	vmc_addr_t buf = st_alloc(st, st->b, 3 * P);   /* the client is b */
	sim_name_t px, given;
	st_fill(st->b, buf, 3 * P, 60);
	assert_int_equal(sim_vm_region_create_proxy(st->b, st->bself, buf + P + 5, W, 100, &px),
			 KERN_SUCCESS);
	assert_int_equal(sim_port_copy_send(st->b, px, st->a, &given), KERN_SUCCESS);
	drop(st->b, px);

	sim_name_t file = st_memobj(st->a, 7, 8 * P, 0);
	vmc_size_t count = 0;
	assert_int_equal(sim_memory_object_copy(st->a, file, 3, given, 0, 200, &count),
			 KERN_SUCCESS);
	assert_int_equal(count, 100);
	unsigned char got[3 * P], want[3 * P];
	assert_int_equal(sim_task_load(st->b, buf, got, sizeof got, NULL), KERN_SUCCESS);
	st_pattern(60, 0, want, sizeof want);
	st_pattern(7, 3, want + P + 5, 100);
	assert_memory_equal(got, want, sizeof got);
	/* Write-only: the server cannot read the client's bytes through it. */
	assert_int_equal(sim_memory_object_copy(st->a, given, 0, file, 0, 10, &count),
			 KERN_PROTECTION_FAILURE);
	assert_int_equal(count, 0);
	/* Unmapped bytes, a wrap, and a zero length are refused, nothing made. */
	assert_int_equal(sim_vm_region_create_proxy(st->b, st->bself, buf + 2 * P, W, 2 * P, &px),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_vm_region_create_proxy(st->b, st->bself, buf + 3 * P, W, P, &px),
			 KERN_INVALID_ADDRESS);
	assert_int_equal(sim_vm_region_create_proxy(st->b, st->bself, buf, W, (vmc_size_t)-1, &px),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_vm_region_create_proxy(st->b, st->bself, buf, W, 0, &px),
			 KERN_INVALID_ARGUMENT);
	/* Nor can a task grant more than it has. */
	assert_int_equal(sim_vm_protect(st->b, st->bself, buf, P, false, R), KERN_SUCCESS);
	assert_int_equal(sim_vm_region_create_proxy(st->b, st->bself, buf, RW, P, &px),
			 KERN_PROTECTION_FAILURE);
	drop(st->a, given);
	drop(st->a, file);
}

/* Memory whose object range ends exactly at the top of the offset space
 * (the last page of an object as large as the offsets go: 4 GiB with
 * 32-bit addresses): the proxy of it is exactly that page, as anywhere
 * else.  The range's exclusive end is one past the top and cannot be
 * computed; it used to wrap to 0 and the proxy was refused. */
static void test_region_proxy_of_the_offset_spaces_last_page(void **state)
{
	struct st *st = *state;
	vmc_off_t top = VMC_ADDR_MAX - (P - 1);     /* the last page's offset */
	sim_name_t obj = st_memobj(st->a, 9, 0, 0), px, given;
	vmc_addr_t m = 0;

	assert_int_equal(sim_memory_object_set_answer(st->a, obj, top, SIM_PAGER_UNAVAILABLE),
			 KERN_SUCCESS);
	assert_int_equal(sim_vm_map(st->a, st->aself, &m, P, 0, true, obj, top, false, RW, RW),
			 KERN_SUCCESS);
	st_fill(st->a, m, P, 62);
	assert_int_equal(sim_vm_region_create_proxy(st->a, st->aself, m + 10, RW, P - 10, &px),
			 KERN_SUCCESS);
	assert_int_equal(sim_port_copy_send(st->a, px, st->b, &given), KERN_SUCCESS);
	drop(st->a, px);
	/* Exactly the window: its bytes, and nothing past its end. */
	sim_name_t file = st_memobj(st->b, 10, 4 * P, 0);
	vmc_size_t count = 0;
	assert_int_equal(sim_memory_object_copy(st->b, file, 2 * P, given, 0, 5, &count),
			 KERN_SUCCESS);
	assert_int_equal(count, 5);
	assert_int_equal(sim_memory_object_copy(st->b, file, 0, given, P - 10, 1, &count),
			 KERN_INVALID_ADDRESS);
	assert_int_equal(count, 0);
	assert_int_equal(sim_memory_object_copy(st->b, given, 0, file, 0, P, &count), KERN_SUCCESS);
	assert_int_equal(count, P - 10);
	assert_true(st_holds(st->a, m, 10, 62, 0));
	assert_true(st_holds(st->a, m + 10, 5, 10, 2 * P));
	assert_true(st_holds(st->a, m + 15, P - 15, 62, 15));
	drop(st->b, given);
	drop(st->b, file);
	assert_int_equal(sim_vm_deallocate(st->a, st->aself, m, P), KERN_SUCCESS);
	drop(st->a, obj);
}

/* The last send right to a proxy goes while a copy through it is under
 * way, at every yield point the copy passes (a first run records how many):
 * the copy completes (the call holds the proxy), the bytes arrive, and the
 * proxy is freed after the call (st_teardown checks the core's allocations
 * are back where they were). */
static sim_name_t race_name;
static struct sim_task *race_task;
static int race_at, race_seen;

static void drop_at_yield(struct sim_vm *vm, enum vmc_block_point where, void *ctx)
{
	(void)vm; (void)where; (void)ctx;
	if (race_seen++ == race_at)
		assert_int_equal(sim_port_deallocate(race_task, race_name), KERN_SUCCESS);
}

static void test_proxy_last_right_dropped_during_copy(void **state)
{
	struct st *st = *state;
	vmc_addr_t buf = st_alloc(st, st->b, 3 * P);
	sim_name_t file = st_memobj(st->a, 8, 8 * P, 0);
	int points = 0;

	/* Both ways a chunk may go: the general path, then the resident
	 * shortcut (fewer yield points: no fault, no verify). */
	for (int shortcut = 0; shortcut < 2; shortcut++) {
		sim_vm_set_resident_shortcut(st->vm, shortcut);
		/* race_at -1: the recording run; then one run per point. */
		for (race_at = -1; race_at < 0 || race_at < points; race_at++) {
			sim_name_t px, given;
			vmc_size_t count = 0;
			st_fill(st->b, buf, 3 * P, 61);
			assert_int_equal(sim_vm_region_create_proxy(st->b, st->bself, buf + 7, W, 2 * P, &px),
					 KERN_SUCCESS);
			assert_int_equal(sim_port_copy_send(st->b, px, st->a, &given), KERN_SUCCESS);
			drop(st->b, px);
			race_task = st->a;
			race_name = given;
			race_seen = 0;
			sim_vm_set_yield_hook(st->vm, drop_at_yield, NULL);
			assert_int_equal(sim_memory_object_copy(st->a, file, 5, given, 0, 2 * P, &count),
					 KERN_SUCCESS);
			sim_vm_set_yield_hook(st->vm, NULL, NULL);
			assert_int_equal(count, 2 * P);
			assert_true(st_holds(st->b, buf + 7, 2 * P, 8, 5));
			assert_true(st_holds(st->b, buf, 7, 61, 0));
			if (race_at < 0) {
				/* The recording run: nothing dropped; count the points. */
				points = race_seen;
				assert_true(points >= (shortcut ? 2 : 5));
				drop(st->a, given);
			} else {
				/* Dropped during the call: the name is gone afterwards. */
				assert_int_equal(sim_memory_object_copy(st->a, file, 0, given, 0, 1, &count),
						 KERN_INVALID_ARGUMENT);
			}
			st_check(st);
		}
		printf("# last right dropped at each of %d yield points (%s)\n", points,
		       shortcut ? "resident shortcut" : "general path");
	}
	drop(st->a, file);
}

static void test_proxy_create_checks_names(void **state)
{
	struct st *st = *state;
	sim_name_t o = st_memobj(st->a, 3, 4 * P, 0);
	vmc_off_t off = 0, start = 0;
	vmc_size_t len = P;
	sim_name_t px = 77;

	/* A name the caller does not hold, a task port, the null port. */
	sim_name_t bogus = o ^ 0x5555;
	assert_int_equal(sim_memory_object_create_proxy(st->a, R, &bogus, 1, &off, 1, &start, 1,
							&len, 1, &px),
			 MACH_SEND_INVALID_RIGHT);
	assert_int_equal(sim_memory_object_create_proxy(st->a, R, &st->aself, 1, &off, 1, &start,
							1, &len, 1, &px),
			 KERN_INVALID_ARGUMENT);
	sim_name_t null = SIM_NAME_NULL;
	assert_int_equal(sim_memory_object_create_proxy(st->a, R, &null, 1, &off, 1, &start, 1,
							&len, 1, &px),
			 KERN_INVALID_NAME);
	assert_int_equal(px, 77);
	drop(st->a, o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ST_TEST(test_proxy_nested_escalation_fails_at_every_depth),
		ST_TEST(test_proxy_ranges_argument_errors_are_the_kernels),
		ST_TEST(test_proxy_map_splices_objects_and_reserves_holes),
		ST_TEST(test_proxy_map_window_checks_do_not_wrap),
		ST_TEST(test_proxy_map_copy_leaves_original_unchanged),
		ST_TEST(test_region_proxy_is_exactly_the_window),
		ST_TEST(test_region_proxy_of_the_offset_spaces_last_page),
		ST_TEST(test_proxy_last_right_dropped_during_copy),
		ST_TEST(test_proxy_create_checks_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

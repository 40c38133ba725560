/*
 * test_sim_translator.c: the simulated translator (sim/replay/sim_translator.c).
 *
 * Each read path must deliver exactly the file's bytes into the client's
 * buffer, at any alignment, across window and inline/out-of-line boundaries,
 * at the end of the file, with a cold cache and under memory pressure; and
 * count the events the header promises (one RPC per message round trip).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "sim_translator.h"

static uint64_t test_seed = 1;

/* A content function no read can fake: depends on file and offset. */
static void content(void *ctx, uint32_t file, uint64_t offset, unsigned char *out, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++) {
		uint64_t o = offset + i;
		out[i] = (unsigned char)((o * 7) ^ (o >> 12) ^ (file * 131) ^ 0x5a);
	}
}

struct fixture {
	struct sim_vm *vm;
	struct sim_translator *tr;
	struct sim_client *client;
};

static struct fixture *fixture_make(uint32_t frames, uint64_t file_size, uint64_t bufsize,
				     bool warm)
{
	struct fixture *f = g_new0(struct fixture, 1);
	struct sim_vm_config vc = { .seed = test_seed, .frames = frames };
	f->vm = sim_vm_create(&vc);
	assert_non_null(f->vm);
	f->tr = sim_translator_create(f->vm, content, NULL);
	assert_non_null(f->tr);
	assert_int_equal(sim_translator_add_file(f->tr, 0, file_size), KERN_SUCCESS);
	if (warm)
		assert_int_equal(sim_translator_warm(f->tr, 0, 0, file_size), KERN_SUCCESS);
	vmc_kr_t kr = KERN_FAILURE;
	f->client = sim_client_create(f->tr, "client", bufsize, &kr);
	assert_int_equal(kr, KERN_SUCCESS);
	assert_non_null(f->client);
	return f;
}

/* A translator with one file, all of it resident, and one client. */
static struct fixture *fixture_new(uint32_t frames, uint64_t file_size, uint64_t bufsize)
{
	return fixture_make(frames, file_size, bufsize, true);
}

static void fixture_free(struct fixture *f)
{
	const char *why = NULL;
	if (!sim_vm_check(f->vm, &why))
		fail_msg("sim_vm_check: %s", why);
	sim_translator_destroy(f->tr);
	sim_vm_destroy(f->vm);
	g_free(f);
}

/* Reads by `path` and checks the bytes; returns the read's events. */
static void read_ok(struct fixture *f, enum sim_read_path path, uint64_t offset, uint64_t len,
		    uint64_t want_done, uint64_t ev[SIM_EV_COUNT])
{
	uint64_t done = 12345;
	memset(ev, 0, sizeof(uint64_t) * SIM_EV_COUNT);
	assert_int_equal(sim_client_poison(f->client, 0, offset, want_done), KERN_SUCCESS);
	assert_false(want_done > 0 && sim_client_verify(f->client, 0, offset, want_done));
	assert_int_equal(sim_translator_read(f->tr, f->client, path, 0, offset, len, &done, ev),
			 KERN_SUCCESS);
	assert_int_equal(done, want_done);
	if (!sim_client_verify(f->client, 0, offset, done))
		fail_msg("%s read of %llu at %llu: wrong bytes", sim_read_path_name(path),
			 (unsigned long long)len, (unsigned long long)offset);
}

static void test_translator_old_inline_read_delivers_bytes(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(0, 64 * 1024, 8192);
	uint64_t ev[SIM_EV_COUNT];
	read_ok(f, SIM_READ_OLD, 123, 1000, 1000, ev);
	/* io_read (between two tasks) + vm_map + vm_deallocate of one window. */
	assert_int_equal(ev[SIM_EV_USER_RPC], 1);
	assert_int_equal(ev[SIM_EV_RPC], 2);
	assert_int_equal(ev[SIM_EV_ENTRY_CREATE], 1);
	/* server memcpy and the stub's memcpy: 2 x 1000, plus whatever the
	 * simulator's own operations count; the kernel's copyin + copyout of
	 * the message: 2 x 1000 message bytes. */
	assert_true(ev[SIM_EV_BYTES_COPIED] >= 2000);
	assert_int_equal(ev[SIM_EV_MSG_BYTES], 2000);
	fixture_free(f);
}

static void test_translator_old_inline_limit_is_2048(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(0, 64 * 1024, 8192);
	uint64_t ev[SIM_EV_COUNT];
	read_ok(f, SIM_READ_OLD, 4000, SIM_TRANSLATOR_INLINE_MAX, 2048, ev);
	assert_int_equal(ev[SIM_EV_USER_RPC], 1);
	assert_int_equal(ev[SIM_EV_RPC], 2);
	/* One byte more goes out of line: + vm_allocate, + the client's
	 * vm_deallocate (the server's deallocation rides on the reply). */
	read_ok(f, SIM_READ_OLD, 4000, SIM_TRANSLATOR_INLINE_MAX + 1, 2049, ev);
	assert_int_equal(ev[SIM_EV_USER_RPC], 1);
	assert_int_equal(ev[SIM_EV_RPC], 4);
	fixture_free(f);
}

static void test_translator_old_ool_read_maps_windows_of_8_pages(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(0, 256 * 1024, 128 * 1024);
	uint64_t ev[SIM_EV_COUNT];
	/* 64K at offset 1 spans 17 pages: windows of 8, 8 and 1 pages. */
	read_ok(f, SIM_READ_OLD, 1, 65536, 65536, ev);
	/* 3 x (vm_map + vm_deallocate) + vm_allocate + the client's
	 * vm_deallocate; io_read (the vm_read) is the round trip between the
	 * tasks. */
	assert_int_equal(ev[SIM_EV_RPC], 8);
	assert_int_equal(ev[SIM_EV_USER_RPC], 1);
	fixture_free(f);
}

static void test_translator_old_reads_at_every_alignment(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(0, 64 * 1024, 32 * 1024);
	const uint64_t P = VMC_PAGE_SIZE;
	const uint64_t cases[][2] = { { 0, 1 }, { P - 1, 1 }, { P - 1, 2 }, { 1, P - 2 },
				      { 1, P }, { P - 1, P + 2 }, { 3, 5 * P - 7 },
				      { 0, 8 * P }, { 5, 8 * P } };
	uint64_t ev[SIM_EV_COUNT];
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		read_ok(f, SIM_READ_OLD, cases[i][0], cases[i][1], cases[i][1], ev);
	fixture_free(f);
}

static void test_translator_read_past_eof_is_cut(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(0, 5000, 8192);
	uint64_t ev[SIM_EV_COUNT];
	read_ok(f, SIM_READ_OLD, 4000, 4096, 1000, ev);
	read_ok(f, SIM_READ_OLD, 5000, 4096, 0, ev);
	assert_int_equal(ev[SIM_EV_USER_RPC], 1);
	assert_int_equal(ev[SIM_EV_RPC], 0);
	read_ok(f, SIM_READ_OLD, UINT64_MAX - 3, 4096, 0, ev);
	fixture_free(f);
}

static void test_translator_read_rejects_bad_arguments(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(0, 64 * 1024, 4096);
	uint64_t ev[SIM_EV_COUNT] = { 0 }, done = 77;
	/* Longer than the buffer. */
	assert_int_equal(sim_translator_read(f->tr, f->client, SIM_READ_OLD, 0, 0, 4097, &done, ev),
			 KERN_INVALID_ARGUMENT);
	/* Unknown file. */
	assert_int_equal(sim_translator_read(f->tr, f->client, SIM_READ_OLD, 1, 0, 10, &done, ev),
			 KERN_INVALID_ARGUMENT);
	assert_int_equal(done, 77);
	for (int e = 0; e < SIM_EV_COUNT; e++)
		assert_int_equal(ev[e], 0);
	/* Files come in order. */
	assert_int_equal(sim_translator_add_file(f->tr, 2, 10), KERN_INVALID_ARGUMENT);
	assert_int_equal(sim_translator_add_file(f->tr, 0, 10), KERN_INVALID_ARGUMENT);
	fixture_free(f);
}

static void test_translator_cold_read_gets_pages_from_pager(void **state)
{
	(void)state;
	struct fixture *f = fixture_new(0, 64 * 1024, 16384);
	uint64_t ev[SIM_EV_COUNT];
	assert_int_equal(sim_translator_evict(f->tr, 0, 4096, 8192), KERN_SUCCESS);
	read_ok(f, SIM_READ_OLD, 4096, 8192, 8192, ev);
	assert_int_equal(ev[SIM_EV_PAGEIN], 2);
	/* Now warm: no pager traffic. */
	read_ok(f, SIM_READ_OLD, 4096, 8192, 8192, ev);
	assert_int_equal(ev[SIM_EV_PAGEIN], 0);
	fixture_free(f);
}

static void test_translator_memory_pressure_keeps_bytes_right(void **state)
{
	(void)state;
	/* 1 MiB file, 24 frames for everything: reads evict each other. */
	struct fixture *f = fixture_new(24, 1024 * 1024, 16384);
	GRand *rng = g_rand_new_with_seed((guint32)test_seed);
	uint64_t ev[SIM_EV_COUNT];
	for (int i = 0; i < 200; i++) {
		uint64_t len = 1 + (uint64_t)g_rand_int_range(rng, 0, 16384);
		uint64_t off = (uint64_t)g_rand_int_range(rng, 0, 1024 * 1024 - (gint32)len);
		for (int p = 0; p < 3; p++)
			if (sim_translator_has_path((enum sim_read_path)p))
				read_ok(f, (enum sim_read_path)p, off, len, len, ev);
	}
	g_rand_free(rng);
	fixture_free(f);
}

static void test_translator_fast_reads_deliver_bytes_with_two_rpcs(void **state)
{
	(void)state;
	if (!sim_translator_has_path(SIM_READ_FAST_PROXY) &&
	    !sim_translator_has_path(SIM_READ_FAST_TASK))
		skip();
	struct fixture *f = fixture_new(0, 64 * 1024, 32768);
	uint64_t ev[SIM_EV_COUNT];
	for (int p = SIM_READ_FAST_PROXY; p <= SIM_READ_FAST_TASK; p++) {
		if (!sim_translator_has_path((enum sim_read_path)p))
			continue;
		read_ok(f, (enum sim_read_path)p, 4095, 8194, 8194, ev);
		/* io_read_direct + the kernel copy; nothing mapped or unmapped, no
		 * page-table entry (the kernel reaches pages by their frames); one
		 * copy of the bytes. */
		assert_int_equal(ev[SIM_EV_USER_RPC], 1);
		assert_int_equal(ev[SIM_EV_RPC], 1);
		assert_int_equal(ev[SIM_EV_FAST_CALL], 1);
		assert_int_equal(ev[SIM_EV_ENTRY_CREATE], 0);
		assert_int_equal(ev[SIM_EV_ENTRY_REMOVE], 0);
		assert_int_equal(ev[SIM_EV_PTE_ENTER], 0);
		assert_int_equal(ev[SIM_EV_TLB_FLUSH], 0);
		assert_int_equal(ev[SIM_EV_BYTES_COPIED], 8194);
		read_ok(f, (enum sim_read_path)p, 60000, 8192, 64 * 1024 - 60000, ev);
	}
	fixture_free(f);
}

/* A warm cache costs what the read reads: a file declaring 64 GiB with one
 * read at its end pages in that read's page, not the file (it once mapped
 * and touched every page of the declared size, minutes of work). */
static void test_translator_warm_follows_the_bytes_read(void **state)
{
	(void)state;
	const uint64_t size = (uint64_t)64 << 30;
	struct fixture *f = fixture_make(64, size, 8192, false);
	uint64_t before[SIM_EV_COUNT], after[SIM_EV_COUNT], ev[SIM_EV_COUNT];

	sim_events(f->vm, before);
	assert_int_equal(sim_translator_warm(f->tr, 0, size - 100, 100), KERN_SUCCESS);
	sim_events(f->vm, after);
	assert_int_equal(after[SIM_EV_PAGEIN] - before[SIM_EV_PAGEIN], 1);
	/* Warm means the read finds its page resident: no page-in during it. */
	read_ok(f, SIM_READ_OLD, size - 100, 100, 100, ev);
	assert_int_equal(ev[SIM_EV_PAGEIN], 0);
	/* A range past the end, or empty, does nothing. */
	sim_events(f->vm, before);
	assert_int_equal(sim_translator_warm(f->tr, 0, size, 4096), KERN_SUCCESS);
	assert_int_equal(sim_translator_warm(f->tr, 0, 0, 0), KERN_SUCCESS);
	assert_int_equal(sim_translator_warm(f->tr, 1, 0, 1), KERN_INVALID_ARGUMENT);
	sim_events(f->vm, after);
	assert_int_equal(after[SIM_EV_PAGEIN] - before[SIM_EV_PAGEIN], 0);
	fixture_free(f);
}

/* Files that end at the top of the offset space, or in its last page:
 * every path, warm and cold, serves their last bytes right.  A file of
 * more than 2^64 - 4096 bytes rounded its size up to 0 pages (every read
 * KERN_MEMORY_ERROR); one of 2^64 - 4096 made the warm cache's window
 * offset wrap after the last window, and it mapped from the file's start
 * again without end; so did an eviction's page offset. */
static void read_at_top(uint64_t size, uint64_t offset, uint64_t len, bool cold)
{
	struct fixture *f = fixture_make(64, size, 3 * 4096, false);
	enum sim_read_path paths[] = { SIM_READ_OLD, SIM_READ_FAST_PROXY, SIM_READ_FAST_TASK };
	uint64_t ev[SIM_EV_COUNT], before[SIM_EV_COUNT], after[SIM_EV_COUNT];

	printf("# file of %llu bytes, %s read of %llu at %llu\n", (unsigned long long)size,
	       cold ? "cold" : "warm", (unsigned long long)len, (unsigned long long)offset);
	for (unsigned i = 0; i < 3; i++) {
		sim_events(f->vm, before);
		assert_int_equal(cold ? sim_translator_evict(f->tr, 0, offset, len)
				      : sim_translator_warm(f->tr, 0, offset, len),
				 KERN_SUCCESS);
		sim_events(f->vm, after);
		/* The pages of this read only, once each. */
		assert_true(after[SIM_EV_PAGEIN] - before[SIM_EV_PAGEIN] <= (cold ? 0 : 3));
		read_ok(f, paths[i], offset, len, len, ev);
		if (!cold)
			assert_int_equal(ev[SIM_EV_PAGEIN], 0);
		else
			assert_true(ev[SIM_EV_PAGEIN] >= 1);
	}
	fixture_free(f);
}

static void test_translator_serves_files_ending_at_the_top_of_the_offsets(void **state)
{
	(void)state;
	const uint64_t top = UINT64_MAX;          /* 2^64 - 1 bytes */
	const uint64_t last_page = top - 4095;    /* 2^64 - 4096 */

	for (int cold = 0; cold < 2; cold++) {
		read_at_top(top, top - 100, 100, cold);
		read_at_top(top, last_page - 5000, 9000, cold);
		read_at_top(top - 1000, top - 2000, 1000, cold);
		read_at_top(last_page, last_page - 4096 + 10, 100, cold);
		read_at_top(last_page, last_page - 9000, 9000, cold);
	}
}

/* bench/calibrate.py prices a page-in from bench_oldpath's `pagein' (a
 * user load of a mapped page whose page was flushed) by taking off the
 * events the simulator counts for that load besides the page-in itself:
 * one fault, one map lookup, one page lookup, one page-table entry, and the
 * exception's trap, which the translator counts for its tasks' faults.  If
 * the simulator counts otherwise, the script must change with it. */
static void test_calibration_cold_load_events(void **state)
{
	(void)state;
	struct sim_vm_config vc = { .seed = test_seed };
	struct sim_vm *vm = sim_vm_create(&vc);
	struct sim_task *t = sim_task_create(vm, "t");
	struct sim_pager pager = { .content = NULL, .size = 16 * VMC_PAGE_SIZE };
	sim_name_t obj;
	vmc_addr_t at = 0;
	unsigned char b;
	uint64_t before[SIM_EV_COUNT], after[SIM_EV_COUNT];

	assert_int_equal(sim_memory_object_create(t, &pager, &obj), KERN_SUCCESS);
	assert_int_equal(sim_vm_map(t, sim_task_self(t), &at, 16 * VMC_PAGE_SIZE, 0, true, obj, 0,
				    false, VMC_PROT_READ, VMC_PROT_READ), KERN_SUCCESS);
	assert_int_equal(sim_task_load(t, at + 5 * VMC_PAGE_SIZE, &b, 1, NULL), KERN_SUCCESS);
	assert_int_equal(sim_memory_object_evict(t, obj, 5 * VMC_PAGE_SIZE), KERN_SUCCESS);
	sim_events(vm, before);
	assert_int_equal(sim_task_load(t, at + 5 * VMC_PAGE_SIZE + 17, &b, 1, NULL), KERN_SUCCESS);
	sim_events(vm, after);
	for (int e = 0; e < SIM_EV_COUNT; e++) {
		uint64_t want = e == SIM_EV_FAULT || e == SIM_EV_MAP_LOOKUP ||
				e == SIM_EV_PAGE_LOOKUP || e == SIM_EV_PTE_ENTER ||
				e == SIM_EV_PAGEIN ? 1 : 0;
		if (after[e] - before[e] != want)
			fail_msg("%s: %llu, calibrate.py assumes %llu", sim_event_name(e),
				 (unsigned long long)(after[e] - before[e]),
				 (unsigned long long)want);
	}
	const char *why = NULL;
	if (!sim_vm_check(vm, &why))
		fail_msg("sim_vm_check: %s", why);
	sim_vm_destroy(vm);
}

/*
 * bench/calibrate.py prices an out-of-line reply's pages from bench_oldpath's
 * `ool_rpc' (a server task answers io_read with a buffer of its own: it
 * allocates it, writes the bytes, sends it deallocated; the client copies
 * the bytes out and deallocates them) by taking off what the simulator
 * counts for the same work, which bench/ool-events.tsv lists per size.  The
 * simulator's translator does that work with these operations
 * (tr_read_old_ool); here they are done alone, and the counts must be the
 * file's.
 */
static void ool_reply_events(uint64_t size, uint64_t ev[SIM_EV_COUNT])
{
	struct sim_vm_config vc = { .seed = test_seed };
	struct sim_vm *vm = sim_vm_create(&vc);
	struct sim_task *server = sim_task_create(vm, "server");
	struct sim_task *client = sim_task_create(vm, "client");
	sim_name_t server_port;
	uint64_t rounded = (size + VMC_PAGE_SIZE - 1) & ~(uint64_t)(VMC_PAGE_SIZE - 1);
	vmc_addr_t obuf = 0, data = 0;
	unsigned char *bytes = g_malloc0(size);
	uint64_t before[SIM_EV_COUNT], after[SIM_EV_COUNT], f0[SIM_EV_COUNT], f1[SIM_EV_COUNT];

	assert_int_equal(sim_port_copy_send(server, sim_task_self(server), client, &server_port),
			 KERN_SUCCESS);
	sim_events(vm, before);
	assert_int_equal(sim_vm_allocate(server, sim_task_self(server), &obuf, rounded, true),
			 KERN_SUCCESS);
	sim_events(vm, f0);
	assert_int_equal(sim_task_store(server, obuf, bytes, size, NULL), KERN_SUCCESS);
	sim_events(vm, f1);
	uint64_t traps = f1[SIM_EV_FAULT] - f0[SIM_EV_FAULT];
	assert_int_equal(sim_vm_read(client, server_port, obuf, size, &data), KERN_SUCCESS);
	assert_int_equal(sim_vm_deallocate(server, sim_task_self(server), obuf, rounded),
			 KERN_SUCCESS);
	sim_events(vm, f0);
	assert_int_equal(sim_task_load(client, data, bytes, size, NULL), KERN_SUCCESS);
	sim_events(vm, f1);
	traps += f1[SIM_EV_FAULT] - f0[SIM_EV_FAULT];
	assert_int_equal(sim_vm_deallocate(client, sim_task_self(client), data, rounded),
			 KERN_SUCCESS);
	sim_events(vm, after);
	for (int e = 0; e < SIM_EV_COUNT; e++)
		ev[e] = after[e] - before[e];
	/* As the translator counts them: the user faults' traps; the vm_read's
	 * and the server's vm_deallocate's RPCs are the reply message. */
	ev[SIM_EV_TRAP] += traps;
	ev[SIM_EV_RPC] -= 2;
	g_free(bytes);
	sim_vm_destroy(vm);
}

static void test_calibration_ool_reply_events(void **state)
{
	(void)state;
	/* MOSAIC_OOL_REGEN=1: print the file's lines instead of checking. */
	if (g_getenv("MOSAIC_OOL_REGEN") != NULL) {
		static const uint64_t regen[] = { 1024, 4096, 8192, 65536 };
		for (size_t i = 0; i < G_N_ELEMENTS(regen); i++) {
			uint64_t ev[SIM_EV_COUNT];
			ool_reply_events(regen[i], ev);
			printf("%llu", (unsigned long long)regen[i]);
			for (int e = 0; e < SIM_EV_COUNT; e++)
				if (ev[e] != 0)
					printf("\t%s=%llu", sim_event_name(e), (unsigned long long)ev[e]);
			printf("\n");
		}
		return;
	}
	const char *root = g_getenv("MOSAIC_SOURCE_ROOT");
	assert_non_null(root);
	char *path = g_build_filename(root, "bench", "ool-events.tsv", NULL);
	char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		fail_msg("cannot read %s", path);
	char **lines = g_strsplit(text, "\n", -1);
	unsigned sizes = 0;
	for (char **l = lines; *l != NULL; l++) {
		if (**l == '#' || **l == '\0' || g_str_has_prefix(*l, "size\t"))
			continue;
		/* size, then event=count fields; absent events count 0. */
		char **f = g_strsplit(*l, "\t", -1);
		uint64_t size = g_ascii_strtoull(f[0], NULL, 10), ev[SIM_EV_COUNT];
		uint64_t want[SIM_EV_COUNT] = { 0 };
		for (char **kv = f + 1; *kv != NULL; kv++) {
			char **p = g_strsplit(*kv, "=", 2);
			int e = 0;
			while (e < SIM_EV_COUNT && strcmp(sim_event_name(e), p[0]) != 0)
				e++;
			if (e == SIM_EV_COUNT || p[1] == NULL)
				fail_msg("%s: bad field '%s'", path, *kv);
			want[e] = g_ascii_strtoull(p[1], NULL, 10);
			g_strfreev(p);
		}
		ool_reply_events(size, ev);
		for (int e = 0; e < SIM_EV_COUNT; e++)
			if (ev[e] != want[e])
				fail_msg("%s: size %llu: the simulator counts %s=%llu, the file %llu",
					 path, (unsigned long long)size, sim_event_name(e),
					 (unsigned long long)ev[e], (unsigned long long)want[e]);
		g_strfreev(f);
		sizes++;
	}
	assert_true(sizes >= 4);
	g_strfreev(lines);
	g_free(text);
	g_free(path);
}

int main(void)
{
	const char *s = g_getenv("MOSAIC_TEST_SEED");
	if (s != NULL)
		test_seed = g_ascii_strtoull(s, NULL, 10);
	printf("# seed %llu (set MOSAIC_TEST_SEED to change)\n", (unsigned long long)test_seed);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_translator_old_inline_read_delivers_bytes),
		cmocka_unit_test(test_translator_old_inline_limit_is_2048),
		cmocka_unit_test(test_translator_old_ool_read_maps_windows_of_8_pages),
		cmocka_unit_test(test_translator_old_reads_at_every_alignment),
		cmocka_unit_test(test_translator_read_past_eof_is_cut),
		cmocka_unit_test(test_translator_read_rejects_bad_arguments),
		cmocka_unit_test(test_translator_cold_read_gets_pages_from_pager),
		cmocka_unit_test(test_translator_memory_pressure_keeps_bytes_right),
		cmocka_unit_test(test_translator_fast_reads_deliver_bytes_with_two_rpcs),
		cmocka_unit_test(test_translator_warm_follows_the_bytes_read),
		cmocka_unit_test(test_translator_serves_files_ending_at_the_top_of_the_offsets),
		cmocka_unit_test(test_calibration_cold_load_events),
		cmocka_unit_test(test_calibration_ool_reply_events),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

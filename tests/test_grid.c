/*
 * test_grid.c: every public operation over a grid of edge addresses,
 * offsets and sizes, against a golden table of return codes.
 *
 * The grid (../shared/CASES.md, "Arguments"): addresses and offsets 0, 1,
 * 2, P-2 .. P+2, around a mapped region, just below the top of the user
 * address space and just below 2^64; sizes 0, 1, 2, P-2 .. P+2, four pages,
 * and, for each start, the sizes whose end wraps to exactly 0, 1 and P.
 * Each case runs in a fresh world (a client with a 4-page region at BASE,
 * a server holding the client's task port, a pager-backed object and a
 * proxy of it), and prints one line: operation, start, size, result code
 * (and the byte count of a fast copy).  The lines must equal
 * tests/grid/golden.tsv; with MOSAIC_GRID_REGEN=1 the test rewrites that
 * file instead (then review the diff: every changed line is a changed
 * semantic).
 *
 * Whatever the table says, every failure is checked here to have changed
 * nothing: output parameters keep their sentinel (a fast copy's count, which
 * is always written, must be 0), map entries and ports are as before, and
 * the bytes of the client's region and of the object are those of a world
 * where nothing ran.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim_internal.h"
#include "sim_fast.h"
#include "sim_proxy.h"
#include "simworld.h"

#define P       VMC_PAGE_SIZE
#define BASE    ((vmc_addr_t)0x10000000)    /* the client's region, 4 pages */
#define SRVBUF  ((vmc_addr_t)0x20000000)    /* the server's data, 4 pages */
#define SRVOBJ  ((vmc_addr_t)0x30000000)    /* the server's view of the object */
#define OBJ_LEN (4 * P)
#define SENTINEL ((uint64_t)0x5a5a5a5a5a5a5a5aull)

struct gw {
	struct sim_vm *vm;
	struct sim_task *srv, *cli;
	sim_name_t cport, obj, px;      /* in srv */
};

static void content(void *ctx, vmc_off_t offset, unsigned char *page)
{
	(void)ctx;
	for (unsigned i = 0; i < P; i++)
		page[i] = (unsigned char)((offset + i) * 7 + 1);
}

static void gw_build(struct gw *w)
{
	struct sim_vm_config c = { .seed = 3, .frames = 0 };
	struct sim_pager pg = { .content = content, .size = OBJ_LEN };
	unsigned char bytes[4 * P];
	vmc_addr_t a;

	w->vm = sim_vm_create(&c);
	w->srv = sim_task_create(w->vm, "server");
	w->cli = sim_task_create(w->vm, "client");
	assert_int_equal(sim_port_copy_send(w->cli, sim_task_self(w->cli), w->srv, &w->cport),
			 KERN_SUCCESS);
	assert_int_equal(sim_memory_object_create(w->srv, &pg, &w->obj), KERN_SUCCESS);
	sim_name_t in[1] = { w->obj };
	vmc_prot_t mp[1] = { VMC_PROT_READ | VMC_PROT_WRITE };
	assert_int_equal(sim_memory_object_create_proxy_ranges(w->srv, in, 1, mp, 1, NULL, 0, NULL,
							       0, &w->px), KERN_SUCCESS);
	for (unsigned i = 0; i < sizeof bytes; i++)
		bytes[i] = (unsigned char)(i * 13 + 5);
	a = BASE;
	assert_int_equal(sim_vm_allocate(w->srv, w->cport, &a, 4 * P, false), KERN_SUCCESS);
	assert_int_equal(sim_task_store(w->cli, BASE, bytes, sizeof bytes, NULL), KERN_SUCCESS);
	a = SRVBUF;
	assert_int_equal(sim_vm_allocate(w->srv, sim_task_self(w->srv), &a, 4 * P, false),
			 KERN_SUCCESS);
	assert_int_equal(sim_task_store(w->srv, SRVBUF, bytes, sizeof bytes, NULL), KERN_SUCCESS);
	a = SRVOBJ;
	assert_int_equal(sim_vm_map(w->srv, sim_task_self(w->srv), &a, OBJ_LEN, 0, false, w->obj,
				    0, false, VMC_PROT_READ, VMC_PROT_READ), KERN_SUCCESS);
}

/* Map entries of both tasks and the ports; then the bytes of the client's
 * region and of the object (loaded after the entries were listed). */
static char *gw_state(struct gw *w)
{
	GString *s = g_string_new(NULL);
	struct sim_task *t[2] = { w->srv, w->cli };
	unsigned char buf[4 * P];

	sw_entries(s, w->vm, t, 2);
	assert_int_equal(sim_task_load(w->cli, BASE, buf, sizeof buf, NULL), KERN_SUCCESS);
	char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, buf, sizeof buf);
	g_string_append_printf(s, "region %s\n", sum);
	g_free(sum);
	assert_int_equal(sim_task_load(w->srv, SRVOBJ, buf, OBJ_LEN, NULL), KERN_SUCCESS);
	sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, buf, OBJ_LEN);
	g_string_append_printf(s, "object %s\n", sum);
	g_free(sum);
	return g_string_free(s, FALSE);
}

static void gw_destroy(struct gw *w)
{
	sw_destroy(w->vm);
}

/* One case's outputs. */
struct out {
	vmc_kr_t kr;
	uint64_t o;                     /* the output parameter, SENTINEL */
	bool is_count;                  /* o is a fast copy's count */
};

typedef struct out (*op_fn)(struct gw *, vmc_addr_t a, vmc_size_t n);

static struct out op_allocate(struct gw *w, vmc_addr_t a, vmc_size_t n)
{
	vmc_addr_t x = a;
	struct out r = { .o = SENTINEL };
	r.kr = sim_vm_allocate(w->srv, w->cport, &x, n, false);
	if (r.kr == KERN_SUCCESS)
		r.o = x;
	return r;
}

static struct out op_deallocate(struct gw *w, vmc_addr_t a, vmc_size_t n)
{
	return (struct out){ sim_vm_deallocate(w->srv, w->cport, a, n), SENTINEL, false };
}

static struct out op_protect(struct gw *w, vmc_addr_t a, vmc_size_t n)
{
	return (struct out){ sim_vm_protect(w->srv, w->cport, a, n, false, VMC_PROT_READ),
			     SENTINEL, false };
}

static struct out op_maxprotect(struct gw *w, vmc_addr_t a, vmc_size_t n)
{
	return (struct out){ sim_vm_protect(w->srv, w->cport, a, n, true, VMC_PROT_READ),
			     SENTINEL, false };
}

/* vm_map of memobj at address `at` and offset `off`; the address out. */
static struct out map(struct gw *w, vmc_addr_t at, sim_name_t memobj, vmc_off_t off,
		      vmc_size_t n)
{
	struct out r = { .o = SENTINEL };
	r.kr = sim_vm_map(w->srv, w->cport, &at, n, 0, false, memobj, off, false, VMC_PROT_READ,
			  VMC_PROT_ALL);
	if (r.kr == KERN_SUCCESS)
		r.o = at;
	return r;
}

/* The object at address a; at a free address with object offset a; a
 * window of the proxy at offset a. */
static struct out op_map_at(struct gw *w, vmc_addr_t a, vmc_size_t n)
{
	return map(w, a, w->obj, 0, n);
}

static struct out op_map_offset(struct gw *w, vmc_addr_t a, vmc_size_t n)
{
	return map(w, 0x40000000, w->obj, a, n);
}

static struct out op_map_proxy_offset(struct gw *w, vmc_addr_t a, vmc_size_t n)
{
	return map(w, 0x40000000, w->px, a, n);
}

static struct out op_read(struct gw *w, vmc_addr_t a, vmc_size_t n)
{
	vmc_addr_t d = SENTINEL;
	struct out r = { .o = SENTINEL };
	r.kr = sim_vm_read(w->srv, w->cport, a, n, &d);
	if (r.kr == KERN_SUCCESS)
		r.o = d;
	else
		assert_int_equal(d, SENTINEL);
	return r;
}

static struct out op_write(struct gw *w, vmc_addr_t a, vmc_size_t n)
{
	return (struct out){ sim_vm_write(w->srv, w->cport, a, SRVBUF, n), SENTINEL, false };
}

static struct out op_copy_from(struct gw *w, vmc_addr_t a, vmc_size_t n)
{
	return (struct out){ sim_vm_copy(w->srv, w->cport, a, n, BASE + 2 * P), SENTINEL, false };
}

static struct out op_copy_to(struct gw *w, vmc_addr_t a, vmc_size_t n)
{
	return (struct out){ sim_vm_copy(w->srv, w->cport, BASE, n, a), SENTINEL, false };
}

/* vm_read_fast (or vm_write_fast) between the client at addr and memobj
 * at off; the count, always written, is the output. */
static struct out fast(struct gw *w, bool write, vmc_addr_t addr, vmc_size_t n,
		       sim_name_t memobj, vmc_off_t off)
{
	vmc_size_t c = SENTINEL;
	vmc_kr_t kr = (write ? sim_vm_write_fast : sim_vm_read_fast)(w->srv, w->cport, addr, n,
								   memobj, off, &c);
	return (struct out){ kr, c, true };
}

static struct out op_read_fast_addr(struct gw *w, vmc_addr_t a, vmc_size_t n)
{
	return fast(w, false, a, n, w->obj, 0);
}

static struct out op_read_fast_offset(struct gw *w, vmc_addr_t a, vmc_size_t n)
{
	return fast(w, false, BASE, n, w->obj, a);
}

static struct out op_read_fast_proxy(struct gw *w, vmc_addr_t a, vmc_size_t n)
{
	return fast(w, false, BASE, n, w->px, a);
}

static struct out op_write_fast_addr(struct gw *w, vmc_addr_t a, vmc_size_t n)
{
	return fast(w, true, a, n, w->obj, 0);
}

static struct out op_write_fast_offset(struct gw *w, vmc_addr_t a, vmc_size_t n)
{
	return fast(w, true, BASE, n, w->obj, a);
}

static struct out op_object_copy(struct gw *w, vmc_addr_t a, vmc_size_t n)
{
	vmc_size_t c = SENTINEL;
	vmc_kr_t kr = sim_memory_object_copy(w->srv, w->px, a, w->obj, 0, n, &c);
	return (struct out){ kr, c, true };
}

/* A proxy creation's result: the name must be untouched on failure. */
static struct out proxy_out(vmc_kr_t kr, sim_name_t p)
{
	if (kr != KERN_SUCCESS)
		assert_int_equal(p, (sim_name_t)SENTINEL);
	return (struct out){ kr, kr == KERN_SUCCESS ? 1 : SENTINEL, false };
}

static struct out op_region_proxy(struct gw *w, vmc_addr_t a, vmc_size_t n)
{
	sim_name_t p = (sim_name_t)SENTINEL;
	vmc_kr_t kr = sim_vm_region_create_proxy(w->srv, w->cport, a, VMC_PROT_READ, n, &p);
	return proxy_out(kr, p);
}

/* The seed's form: one range [a, a + n) of the object (the end wraps when
 * the grid says so). */
static struct out op_proxy_ranges(struct gw *w, vmc_addr_t a, vmc_size_t n)
{
	sim_name_t p = (sim_name_t)SENTINEL, in[1] = { w->obj };
	vmc_prot_t mp[1] = { VMC_PROT_READ };
	vmc_off_t s[1] = { a }, e[1] = { a + n };
	vmc_kr_t kr = sim_memory_object_create_proxy_ranges(w->srv, in, 1, mp, 1, s, 1, e, 1, &p);
	return proxy_out(kr, p);
}

/* GNU Mach's form: object offset a, length n, at proxy offset 0. */
static struct out op_proxy_placed(struct gw *w, vmc_addr_t a, vmc_size_t n)
{
	sim_name_t p = (sim_name_t)SENTINEL, in[1] = { w->obj };
	vmc_off_t off[1] = { 0 }, st[1] = { a };
	vmc_size_t len[1] = { n };
	vmc_kr_t kr = sim_memory_object_create_proxy(w->srv, VMC_PROT_READ, in, 1, off, 1, st, 1,
						     len, 1, &p);
	return proxy_out(kr, p);
}

static const struct {
	const char *name;
	op_fn fn;
} ops[] = {
	{ "vm_allocate", op_allocate },
	{ "vm_deallocate", op_deallocate },
	{ "vm_protect", op_protect },
	{ "vm_protect_max", op_maxprotect },
	{ "vm_map@addr", op_map_at },
	{ "vm_map@offset", op_map_offset },
	{ "vm_map_proxy@offset", op_map_proxy_offset },
	{ "vm_read", op_read },
	{ "vm_write", op_write },
	{ "vm_copy@src", op_copy_from },
	{ "vm_copy@dst", op_copy_to },
	{ "vm_read_fast@addr", op_read_fast_addr },
	{ "vm_read_fast@offset", op_read_fast_offset },
	{ "vm_read_fast_proxy@offset", op_read_fast_proxy },
	{ "vm_write_fast@addr", op_write_fast_addr },
	{ "vm_write_fast@offset", op_write_fast_offset },
	{ "memory_object_copy@src", op_object_copy },
	{ "vm_region_create_proxy", op_region_proxy },
	{ "create_proxy_ranges", op_proxy_ranges },
	{ "create_proxy", op_proxy_placed },
};

static const vmc_addr_t starts[] = {
	0, 1, 2, P - 2, P - 1, P, P + 1, P + 2,
	BASE - 1, BASE, BASE + 1, BASE + P - 1, BASE + 3 * P,
	0x7ffffffff000 - P, 0x7ffffffff000 - 1, 0x7ffffffff000,
	(vmc_addr_t)0 - 2 * P, (vmc_addr_t)0 - P - 1, (vmc_addr_t)0 - P, (vmc_addr_t)0 - 2,
	(vmc_addr_t)0 - 1,
};

static const vmc_size_t sizes[] = { 0, 1, 2, P - 2, P - 1, P, P + 1, P + 2, 4 * P };

static char *golden_path(void)
{
	const char *root = getenv("MOSAIC_SOURCE_ROOT");
	assert_non_null(root);
	return g_build_filename(root, "tests", "grid", "golden.tsv", NULL);
}

static void run_case(GString *table, const char *ref_state, unsigned opi, vmc_addr_t a,
		     vmc_size_t n, const char *why)
{
	struct gw w;

	gw_build(&w);
	struct out r = ops[opi].fn(&w, a, n);
	g_string_append_printf(table, "%s\t%#llx\t%#llx\t%s", ops[opi].name,
			       (unsigned long long)a, (unsigned long long)n, vmc_kr_name(r.kr));
	if (r.is_count)
		g_string_append_printf(table, " count=%llu", (unsigned long long)r.o);
	g_string_append_printf(table, "\t%s\n", why);
	if (r.is_count && r.o > n)
		fail_msg("%s %#llx %#llx: count %llu above the length", ops[opi].name,
			 (unsigned long long)a, (unsigned long long)n, (unsigned long long)r.o);
	if (r.kr != KERN_SUCCESS || (r.is_count && r.o == 0)) {
		char *st = gw_state(&w);
		if (r.is_count ? r.o != 0 : r.o != SENTINEL)
			fail_msg("%s %#llx %#llx: %s wrote its output", ops[opi].name,
				 (unsigned long long)a, (unsigned long long)n, vmc_kr_name(r.kr));
		if (strcmp(st, ref_state) != 0)
			fail_msg("%s %#llx %#llx: %s changed the state:\n%s\nwas:\n%s",
				 ops[opi].name, (unsigned long long)a, (unsigned long long)n,
				 vmc_kr_name(r.kr), st, ref_state);
		g_free(st);
	}
	gw_destroy(&w);
}

static void test_argument_grid_matches_golden_table(void **state)
{
	(void)state;
	GString *table = g_string_new("# op\tstart\tsize\tresult\twhy the size\n");
	struct gw ref;
	unsigned cases = 0;

	gw_build(&ref);
	char *ref_state = gw_state(&ref);
	gw_destroy(&ref);
	for (unsigned o = 0; o < G_N_ELEMENTS(ops); o++)
		for (unsigned i = 0; i < G_N_ELEMENTS(starts); i++) {
			vmc_addr_t a = starts[i];
			for (unsigned j = 0; j < G_N_ELEMENTS(sizes); j++, cases++)
				run_case(table, ref_state, o, a, sizes[j], "");
			/* Sizes whose end wraps to 0, 1 and P. */
			run_case(table, ref_state, o, a, (vmc_size_t)0 - a, "end=0");
			run_case(table, ref_state, o, a, (vmc_size_t)0 - a + 1, "end=1");
			run_case(table, ref_state, o, a, (vmc_size_t)0 - a + P, "end=P");
			cases += 3;
		}
	g_free(ref_state);

	char *path = golden_path();
	if (getenv("MOSAIC_GRID_REGEN") != NULL) {
		GError *err = NULL;
		if (!g_file_set_contents(path, table->str, (gssize)table->len, &err))
			fail_msg("%s: %s", path, err->message);
		printf("# grid: %u cases written to %s\n", cases, path);
	} else {
		char *golden = NULL;
		gsize len = 0;
		if (!g_file_get_contents(path, &golden, &len, NULL))
			fail_msg("%s is missing: run with MOSAIC_GRID_REGEN=1", path);
		char **want = g_strsplit(golden, "\n", -1), **got = g_strsplit(table->str, "\n", -1);
		unsigned bad = 0;
		for (unsigned k = 0; want[k] != NULL || got[k] != NULL; k++) {
			if (want[k] != NULL && got[k] != NULL && strcmp(want[k], got[k]) == 0)
				continue;
			if (bad++ < 20)
				printf("# grid line %u: want '%s'\n#              got '%s'\n", k + 1,
				       want[k] ? want[k] : "(end)", got[k] ? got[k] : "(end)");
			if (want[k] == NULL || got[k] == NULL)
				break;
		}
		printf("# grid: %u cases, %u differ from %s\n", cases, bad, path);
		g_strfreev(want);
		g_strfreev(got);
		g_free(golden);
		if (bad != 0)
			fail_msg("the grid differs from its golden table (MOSAIC_GRID_REGEN=1 "
				 "rewrites it; review the diff)");
	}
	g_free(path);
	g_string_free(table, TRUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_argument_grid_matches_golden_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

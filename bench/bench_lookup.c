/*
 * bench_lookup.c: the cost of one map lookup at 64 and at 65,536 entries.
 *
 * The simulator promises a lookup that scales logarithmically (a balanced
 * tree, as GNU Mach's red-black tree); this measures it.  Two maps in one
 * world, one with 64 entries and one with 65,536 (one page each, a page
 * apart, each with its object already made), are looked up at random
 * addresses inside their entries, rounds interleaved so that both see the
 * same machine state.  Two operations are timed:
 *   entry   sim_map_lookup_entry: hint, then the lookup index;
 *   vmc     vmc_map_lookup + vmc_object_release: what the core pays;
 *   tree    the balanced tree alone (GTree search), which the index
 *           replaces between changes: for comparison.
 * The random addresses defeat the hint, as a worst case.
 *
 * Output: TSV with a metadata header ('#' lines), the median of the rounds
 * in nanoseconds per lookup for each size, and the ratio large/small, on
 * stdout and into the file named by argv[1] (default bench_lookup.tsv in
 * the working directory: the build directory under `meson test
 * --benchmark`).  The goal is a ratio under 2.  This is a benchmark: it
 * never fails on a number.
 *
 * Instruction counts, which the cache does not blur: with
 * BENCH_LOOKUP_ONLY=64 (or 65536) only that size is timed, so
 *   valgrind --tool=callgrind --toggle-collect=time_entry bench_lookup
 * counts the instructions of exactly ROUNDS * LOOKUPS lookups of one size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_internal.h"

#define ROUNDS   9
#define LOOKUPS  200000
#define NADDR    8192

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return v[n / 2];
}

struct setup {
	struct sim_task *task;
	uint32_t entries;
	vmc_addr_t addr[NADDR];
};

/* Fills a task with `entries` one-page entries and picks random addresses. */
static void build(struct sim_vm *vm, struct setup *s, uint32_t entries, GRand *r)
{
	const vmc_addr_t base = 0x10000000;

	s->task = sim_task_create(vm, "bench");
	s->entries = entries;
	for (uint32_t i = 0; i < entries; i++) {
		vmc_addr_t at = base + (vmc_addr_t)i * 2 * VMC_PAGE_SIZE;
		struct vmc_lookup l;
		if (sim_vm_allocate(s->task, sim_task_self(s->task), &at, VMC_PAGE_SIZE, false)
		    != KERN_SUCCESS || vmc_map_lookup(s->task->map, at, VMC_PROT_READ, &l)
		    != KERN_SUCCESS) {
			fprintf(stderr, "bench_lookup: setup failed at entry %u\n", i);
			exit(1);
		}
		vmc_object_release(l.object);
	}
	for (int i = 0; i < NADDR; i++)
		s->addr[i] = base + (vmc_addr_t)g_rand_int_range(r, 0, (gint32)entries) * 2 *
			VMC_PAGE_SIZE + (vmc_addr_t)g_rand_int_range(r, 0, VMC_PAGE_SIZE);
}

/* ns per lookup over LOOKUPS lookups. */
static double time_entry(struct setup *s, uintptr_t *sink)
{
	uint64_t t0 = now_ns();

	for (int i = 0; i < LOOKUPS; i++)
		*sink += (uintptr_t)sim_map_lookup_entry(s->task->map, s->addr[i % NADDR]);
	return (double)(now_ns() - t0) / LOOKUPS;
}

static gint holds(gconstpointer key, gconstpointer addrp)
{
	const struct sim_entry *e = key;
	vmc_addr_t addr = *(const vmc_addr_t *)addrp;

	return addr < e->start ? -1 : addr >= e->end ? 1 : 0;
}

static double time_tree(struct setup *s, uintptr_t *sink)
{
	uint64_t t0 = now_ns();

	for (int i = 0; i < LOOKUPS; i++)
		*sink += (uintptr_t)g_tree_search(s->task->map->tree, holds, &s->addr[i % NADDR]);
	return (double)(now_ns() - t0) / LOOKUPS;
}

static double time_vmc(struct setup *s, uintptr_t *sink)
{
	uint64_t t0 = now_ns();

	for (int i = 0; i < LOOKUPS; i++) {
		struct vmc_lookup l;
		if (vmc_map_lookup(s->task->map, s->addr[i % NADDR], VMC_PROT_READ, &l)
		    == KERN_SUCCESS) {
			*sink += l.offset;
			vmc_object_release(l.object);
		}
	}
	return (double)(now_ns() - t0) / LOOKUPS;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "bench_lookup.tsv";
	const uint64_t seed = 20261122;
	struct sim_vm_config cfg = { .seed = seed, .frames = 0 };
	struct sim_vm *vm = sim_vm_create(&cfg);
	GRand *r = g_rand_new_with_seed((guint32)seed);
	static struct setup small, large;
	double e_s[ROUNDS], e_l[ROUNDS], v_s[ROUNDS], v_l[ROUNDS], t_s[ROUNDS], t_l[ROUNDS];
	uintptr_t sink = 0;

	build(vm, &small, 64, r);
	build(vm, &large, 65536, r);
	const char *only = getenv("BENCH_LOOKUP_ONLY");
	bool do_s = only == NULL || strcmp(only, "64") == 0;
	bool do_l = only == NULL || strcmp(only, "65536") == 0;
	/* Warm up (this also builds the lookup indexes), then interleave the
	 * rounds. */
	for (int i = 0; i < LOOKUPS; i++) {
		if (do_s)
			sink += (uintptr_t)sim_map_lookup_entry(small.task->map, small.addr[i % NADDR]);
		if (do_l)
			sink += (uintptr_t)sim_map_lookup_entry(large.task->map, large.addr[i % NADDR]);
	}
	for (int i = 0; i < ROUNDS; i++) {
		e_s[i] = do_s ? time_entry(&small, &sink) : 1;
		e_l[i] = do_l ? time_entry(&large, &sink) : 1;
		v_s[i] = do_s ? time_vmc(&small, &sink) : 1;
		v_l[i] = do_l ? time_vmc(&large, &sink) : 1;
		t_s[i] = do_s ? time_tree(&small, &sink) : 1;
		t_l[i] = do_l ? time_tree(&large, &sink) : 1;
	}
	double es = median(e_s, ROUNDS), el = median(e_l, ROUNDS);
	double vs = median(v_s, ROUNDS), vl = median(v_l, ROUNDS);
	double ts = median(t_s, ROUNDS), tl = median(t_l, ROUNDS);

	FILE *out = fopen(path, "w");
	for (int pass = 0; pass < 2; pass++) {
		FILE *f = pass == 0 ? stdout : out;
		if (f == NULL)
			continue;
		fprintf(f, "# bench_lookup: ns per random map lookup, median of %d rounds of %d\n",
			ROUNDS, LOOKUPS);
		fprintf(f, "# seed\t%llu\n# rounds\t%d\n# lookups_per_round\t%d\n",
			(unsigned long long)seed, ROUNDS, LOOKUPS);
		fprintf(f, "# entries\t64 65536 (one page each, a page apart)\n"
			"# index_block\t%u\n", SIM_INDEX_BLOCK);
		fprintf(f, "# glib\t%u.%u.%u\n# sink\t%llu\n", glib_major_version,
			glib_minor_version, glib_micro_version, (unsigned long long)(sink & 0xff));
		fprintf(f, "op\tns_64\tns_65536\tratio\n");
		fprintf(f, "entry\t%.1f\t%.1f\t%.2f\n", es, el, el / es);
		fprintf(f, "vmc\t%.1f\t%.1f\t%.2f\n", vs, vl, vl / vs);
		fprintf(f, "tree\t%.1f\t%.1f\t%.2f\n", ts, tl, tl / ts);
	}
	if (out != NULL)
		fclose(out);
	else
		fprintf(stderr, "bench_lookup: cannot write %s\n", path);

	sim_vm_destroy(vm);
	g_rand_free(r);
	return 0;
}

/*
 * bench_lookup.c: the cost of one map lookup at 64 and at 65,536 entries.
 *
 * The simulator promises a lookup that scales at worst logarithmically;
 * this measures it.  Three maps in one world: 64 entries, 65,536 entries
 * (one page each, a page apart), and 65,536 entries clustered in 64 runs
 * of 1,024, the runs 4 GiB apart (the layout the bucket index handles
 * worst: see sim/sim_map.c).  Each entry has its object already made.
 * Lookups go to random addresses inside the entries (8,192 distinct ones
 * per map), rounds interleaved so that all see the same machine state.
 * Three operations are timed:
 *   entry   sim_map_lookup_entry: hint, then the lookup index;
 *   vmc     vmc_map_lookup + vmc_object_release: what the core pays (it
 *           also reads the entry and takes a reference on its object,
 *           two more cache lines that the index cannot hold);
 *   tree    the balanced tree alone (GTree search), which the index
 *           replaces between changes: for comparison.
 * The random addresses defeat the hint, as a worst case.
 *
 * Output: TSV with a metadata header ('#' lines), the median of the rounds
 * in nanoseconds per lookup for each size, and the ratio large/small, on
 * stdout and into the file named by argv[1] (default bench_lookup.tsv in
 * the working directory: the build directory under `meson test
 * --benchmark`).  The goal is a ratio under 2 for the entry lookup at
 * 64 and at 65,536 entries.  This is a benchmark: it never fails on a
 * number.
 *
 * Instruction counts, which the cache does not blur: with
 * BENCH_LOOKUP_ONLY=64 (or 65536, or clustered) only that map is timed, so
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

/* Where entry i goes: a page apart, or, with `clusters`, in that many runs
 * of one-page entries a page apart, the runs 4 GiB apart. */
static vmc_addr_t place(uint32_t i, uint32_t entries, uint32_t clusters)
{
	const vmc_addr_t base = 0x10000000;

	if (clusters == 0)
		return base + (vmc_addr_t)i * 2 * VMC_PAGE_SIZE;
	uint32_t per = entries / clusters;
	return base + (vmc_addr_t)(i / per) * ((vmc_addr_t)1 << 32) +
		(vmc_addr_t)(i % per) * 2 * VMC_PAGE_SIZE;
}

/* Fills a task with `entries` one-page entries and picks random addresses
 * inside them. */
static void build(struct sim_vm *vm, struct setup *s, uint32_t entries, uint32_t clusters,
		  GRand *r)
{
	s->task = sim_task_create(vm, "bench");
	s->entries = entries;
	for (uint32_t i = 0; i < entries; i++) {
		vmc_addr_t at = place(i, entries, clusters);
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
		s->addr[i] = place((uint32_t)g_rand_int_range(r, 0, (gint32)entries), entries,
				   clusters) + (vmc_addr_t)g_rand_int_range(r, 0, VMC_PAGE_SIZE);
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
	static struct setup set[3];
	static const char *const name[3] = { "64", "65536", "clustered" };
	static double (*const op[3])(struct setup *, uintptr_t *) = {
		time_entry, time_vmc, time_tree,
	};
	static const char *const opname[3] = { "entry", "vmc", "tree" };
	double t[3][3][ROUNDS], med[3][3];   /* [op][setup][round] */
	bool on[3];
	uintptr_t sink = 0;

	build(vm, &set[0], 64, 0, r);
	build(vm, &set[1], 65536, 0, r);
	build(vm, &set[2], 65536, 64, r);
	const char *only = getenv("BENCH_LOOKUP_ONLY");
	for (int k = 0; k < 3; k++)
		on[k] = only == NULL || strcmp(only, name[k]) == 0;
	/* Warm up (this also builds the lookup indexes), then interleave the
	 * rounds. */
	for (int i = 0; i < LOOKUPS; i++)
		for (int k = 0; k < 3; k++)
			if (on[k])
				sink += (uintptr_t)sim_map_lookup_entry(set[k].task->map,
									set[k].addr[i % NADDR]);
	for (int i = 0; i < ROUNDS; i++)
		for (int o = 0; o < 3; o++)
			for (int k = 0; k < 3; k++)
				t[o][k][i] = on[k] ? op[o](&set[k], &sink) : 1;
	for (int o = 0; o < 3; o++)
		for (int k = 0; k < 3; k++)
			med[o][k] = median(t[o][k], ROUNDS);

	FILE *out = fopen(path, "w");
	for (int pass = 0; pass < 2; pass++) {
		FILE *f = pass == 0 ? stdout : out;
		if (f == NULL)
			continue;
		fprintf(f, "# bench_lookup: ns per random map lookup, median of %d rounds of %d\n",
			ROUNDS, LOOKUPS);
		fprintf(f, "# seed\t%llu\n# rounds\t%d\n# lookups_per_round\t%d\n"
			"# distinct_addresses\t%d\n", (unsigned long long)seed, ROUNDS, LOOKUPS,
			NADDR);
		fprintf(f, "# entries\t64 and 65536 one-page entries a page apart; clustered: "
			"65536 in 64 runs of 1024, the runs 4 GiB apart\n");
		fprintf(f, "# glib\t%u.%u.%u\n# sink\t%llu\n", glib_major_version,
			glib_minor_version, glib_micro_version, (unsigned long long)(sink & 0xff));
		fprintf(f, "op\tns_64\tns_65536\tratio\tns_65536_clustered\tratio_clustered\n");
		for (int o = 0; o < 3; o++)
			fprintf(f, "%s\t%.1f\t%.1f\t%.2f\t%.1f\t%.2f\n", opname[o], med[o][0],
				med[o][1], med[o][1] / med[o][0], med[o][2], med[o][2] / med[o][0]);
	}
	if (out != NULL)
		fclose(out);
	else
		fprintf(stderr, "bench_lookup: cannot write %s\n", path);

	sim_vm_destroy(vm);
	g_rand_free(r);
	return 0;
}

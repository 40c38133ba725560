/*
 * sim_vs_kernel.c: the simulator's prediction of the kernel benchmark.
 *
 * tests/kernel/guest/bench_oldpath.c measures, on GNU Mach in QEMU, reads of
 * 1K, 4K, 8K and 64K from a cached memory object (a read-only proxy of 1 MiB
 * of the task's own memory) by the old path (vm_map of the page-rounded
 * window, a user copy, vm_deallocate) and by vm_read_fast.  This program
 * does the same reads in the simulator, counts their events, prices them
 * with the calibration file (bench/calibration.tsv, derived by
 * bench/calibrate.py from the old path, the copy and the null RPC and trap
 * of that benchmark: never from the fast path) and prints, per size, the
 * predicted old/fast ratio beside the kernel's measured one from the
 * benchmark's TSV (-icount column, the one the calibration used, and plain
 * emulation).  The fast path is therefore a prediction, and the difference
 * says how much of the kernel's work the simulator's events miss.
 *
 * Usage: sim_vs_kernel CALIBRATION KERNEL_TSV [OUT_TSV]
 * Writes TSV with a metadata header to stdout and to OUT_TSV.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "sim_cost.h"
#include "sim_fast.h"
#include "sim_proxy.h"

#define P         VMC_PAGE_SIZE
#define FILE_SIZE (1024 * 1024)
#define READS     1000
#define NSIZES    4

static const vmc_size_t sizes[NSIZES] = { 1024, 4096, 8192, 65536 };

struct rig {
	struct sim_vm *vm;
	struct sim_task *t;
	sim_name_t self, object;
	vmc_addr_t file, buf;
	unsigned char *tmp;
};

static void die(const char *what, vmc_kr_t kr)
{
	fprintf(stderr, "sim_vs_kernel: %s: %s\n", what, vmc_kr_name(kr));
	exit(1);
}

static void rig_make(struct rig *r)
{
	struct sim_vm_config c = { .seed = 1, .frames = 0 };
	vmc_kr_t kr;

	r->vm = sim_vm_create(&c);
	r->t = sim_task_create(r->vm, "bench");
	r->self = sim_task_self(r->t);
	r->tmp = g_malloc(65536);
	if ((kr = sim_vm_allocate(r->t, r->self, &r->file, FILE_SIZE, true)) != KERN_SUCCESS ||
	    (kr = sim_vm_allocate(r->t, r->self, &r->buf, 65536, true)) != KERN_SUCCESS)
		die("vm_allocate", kr);
	unsigned char *fill = g_malloc(FILE_SIZE);
	for (size_t i = 0; i < FILE_SIZE; i++)
		fill[i] = (unsigned char)(i * 7 + 1);
	if ((kr = sim_task_store(r->t, r->file, fill, FILE_SIZE, NULL)) != KERN_SUCCESS ||
	    (kr = sim_task_store(r->t, r->buf, fill, 65536, NULL)) != KERN_SUCCESS)
		die("fill", kr);
	g_free(fill);
	if ((kr = sim_vm_region_create_proxy(r->t, r->self, r->file, VMC_PROT_READ, FILE_SIZE,
					     &r->object)) != KERN_SUCCESS)
		die("vm_region_create_proxy", kr);
}

/* One read of n bytes at off, as the guest does it. */
static void read_old(struct rig *r, vmc_off_t off, vmc_size_t n)
{
	vmc_off_t start = off & ~(vmc_off_t)(P - 1);
	vmc_size_t len = ((off + n + P - 1) & ~(vmc_off_t)(P - 1)) - start;
	vmc_addr_t win = 0;
	vmc_kr_t kr;

	if ((kr = sim_vm_map(r->t, r->self, &win, len, 0, true, r->object, start, false,
			     VMC_PROT_READ, VMC_PROT_READ)) != KERN_SUCCESS)
		die("vm_map", kr);
	/* The user copy: loads through the fresh window (the task's faults),
	 * stores into the buffer; its bytes are priced as the guest's copy. */
	if ((kr = sim_task_load(r->t, win + (off - start), r->tmp, n, NULL)) != KERN_SUCCESS ||
	    (kr = sim_task_store(r->t, r->buf, r->tmp, n, NULL)) != KERN_SUCCESS)
		die("user copy", kr);
	sim_count(r->vm, SIM_EV_BYTES_COPIED, n);
	if ((kr = sim_vm_deallocate(r->t, r->self, win, len)) != KERN_SUCCESS)
		die("vm_deallocate", kr);
}

static void read_fast(struct rig *r, vmc_off_t off, vmc_size_t n)
{
	vmc_size_t count = 0;
	vmc_kr_t kr = sim_vm_read_fast(r->t, r->self, r->buf, n, r->object, off, &count);

	if (kr != KERN_SUCCESS || count != n)
		die("vm_read_fast", kr);
}

/* Predicted microseconds per read of READS successive reads of n bytes;
 * the events of one read in *ev (the last). */
static double run(struct rig *r, void (*read)(struct rig *, vmc_off_t, vmc_size_t),
		  vmc_size_t n, const struct sim_cost *cost, uint64_t per_read[SIM_EV_COUNT])
{
	uint64_t before[SIM_EV_COUNT], after[SIM_EV_COUNT], diff[SIM_EV_COUNT];
	vmc_off_t off = 0;

	read(r, 0, n);          /* warm: the buffer's pages and the file's */
	sim_events(r->vm, before);
	for (int i = 0; i < READS; i++) {
		read(r, off, n);
		off += n;
		if (off + n > FILE_SIZE)
			off = 0;
	}
	sim_events(r->vm, after);
	for (int e = 0; e < SIM_EV_COUNT; e++) {
		diff[e] = after[e] - before[e];
		per_read[e] = (diff[e] + READS / 2) / READS;
	}
	return sim_cost_predict(cost, diff, NULL) / READS;
}

/* The kernel's medians: ticks[size index][0 old, 1 fast_rpc] per column. */
static int load_kernel(const char *path, double icount[NSIZES][2], double plain[NSIZES][2])
{
	FILE *f = fopen(path, "r");
	char line[512];
	int found = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		unsigned long size;
		char pathname[32];
		double a, b;
		if (line[0] == '#' ||
		    sscanf(line, "%lu\t%31s\t%lf\t%lf", &size, pathname, &a, &b) != 4)
			continue;
		int k = strcmp(pathname, "old") == 0 ? 0 : strcmp(pathname, "fast_rpc") == 0 ? 1 : -1;
		for (int s = 0; s < NSIZES && k >= 0; s++)
			if (sizes[s] == size) {
				plain[s][k] = a;
				icount[s][k] = b;
				found++;
			}
	}
	fclose(f);
	return found == 2 * NSIZES ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct sim_cost cost;
	GError *err = NULL;
	double icount[NSIZES][2], plain[NSIZES][2];
	struct rig r = { 0 };

	if (argc < 3) {
		fprintf(stderr, "usage: sim_vs_kernel CALIBRATION KERNEL_TSV [OUT_TSV]\n");
		return 2;
	}
	if (!sim_cost_load(&cost, argv[1], &err)) {
		fprintf(stderr, "sim_vs_kernel: %s\n", err->message);
		return 1;
	}
	if (load_kernel(argv[2], icount, plain) != 0) {
		fprintf(stderr, "sim_vs_kernel: %s: no old and fast_rpc medians at every size "
			"(run bench/kernel_oldpath.py on a kernel with mosaic built in)\n", argv[2]);
		return 1;
	}
	rig_make(&r);

	GString *out = g_string_new(NULL);
	g_string_append_printf(out, "# sim_vs_kernel: predicted and measured old/fast ratios, "
			       "%d reads per size\n# calibration\t%s\n# kernel\t%s\n"
			       "# fast path: vm_read_fast by RPC; old: vm_map, user copy, "
			       "vm_deallocate\n# goal: predicted within 15%% of measured (icount)\n",
			       READS, argv[1], argv[2]);
	g_string_append(out, "size\tsim_old_us\tsim_fast_us\tsim_ratio\tkernel_ratio_icount"
			"\tdiff_icount\tkernel_ratio_plain\tdiff_plain\tsim_fast_events_per_read\n");
	for (int s = 0; s < NSIZES; s++) {
		uint64_t ev_old[SIM_EV_COUNT], ev_fast[SIM_EV_COUNT];
		double old = run(&r, read_old, sizes[s], &cost, ev_old);
		double fast = run(&r, read_fast, sizes[s], &cost, ev_fast);
		double ratio = old / fast;
		double ki = icount[s][0] / icount[s][1], kp = plain[s][0] / plain[s][1];
		g_string_append_printf(out, "%lu\t%.2f\t%.2f\t%.2f\t%.2f\t%+.0f%%\t%.2f\t%+.0f%%\t",
				       (unsigned long)sizes[s], old, fast, ratio, ki,
				       100.0 * (ratio - ki) / ki, kp, 100.0 * (ratio - kp) / kp);
		for (int e = 0; e < SIM_EV_COUNT; e++)
			if (e != SIM_EV_BYTES_COPIED && ev_fast[e] != 0)
				g_string_append_printf(out, "%s=%llu ", sim_event_name(e),
						       (unsigned long long)ev_fast[e]);
		g_string_append_c(out, '\n');
	}
	fputs(out->str, stdout);
	if (argc > 3) {
		FILE *f = fopen(argv[3], "w");
		if (f == NULL || fputs(out->str, f) == EOF || fclose(f) != 0) {
			fprintf(stderr, "sim_vs_kernel: cannot write %s\n", argv[3]);
			return 1;
		}
	}
	g_string_free(out, TRUE);
	g_free(r.tmp);
	sim_vm_destroy(r.vm);
	return 0;
}

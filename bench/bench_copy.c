/*
 * bench_copy.c: the core's copy engine on the simulator against plain
 * memcpy of the same bytes, side by side in one run.
 *
 * For each size (64 B .. 1 MiB) and alignment (both sides page aligned; the
 * buffer 3 bytes in and the object 5 bytes in), one round times, in turn:
 *   memcpy      host buffer -> host buffer, same sizes and misalignments
 *               (the limit: the bytes are already mapped);
 *   write_fast  a task buffer -> a memory object (sim_vm_write_fast);
 *   read_fast   the memory object -> the task buffer (sim_vm_read_fast).
 * Pages are resident after a warm-up, so what is measured is the copy path:
 * rights checks, lookups, pinning, verification and the byte loop.  Rounds
 * are interleaved and the median per operation is reported, in TSV with a
 * metadata header (lines starting with '#').
 *
 * Usage: bench_copy [rounds] [output.tsv]   (defaults: 21, stdout)
 *
 * Per-call overhead in instructions at 64 B (not run by Meson):
 *   valgrind --tool=callgrind --callgrind-out-file=cg.out \
 *       --toggle-collect=measure build/bench/bench_copy --calls 64 1000
 *   callgrind_annotate --inclusive=yes cg.out | grep -E 'TOTALS|read_fast|vmc_copy '
 * and divide by 1000; `--calls SIZE CALLS write` counts write_fast instead.
 * Per page: `--calls 1048576 20`, divided by 20 * 256.  Collecting in
 * measure() only leaves out the set-up, whose warm-up also calls
 * sim_vm_read_fast.  Measured 2026-12-05 (gcc 12, -O2): 1,117 instructions
 * per sim_vm_read_fast of 64 B, 662 of them in vmc_copy; at 1 MiB, 644.5 per
 * page (write_fast 657.7): 412 in memcpy, 111 in the engine itself, 77 in
 * the simulator's two page peeks, 25 in the two unpeeks.  In time, an
 * engine that moves a page per memcpy call is held to about 0.82 of one
 * memcpy of the whole MiB by those 256 calls alone (AMD EPYC, Zen 3,
 * 2026-12-05), whatever its overhead.  (From 2026-12-05 to 12-07 the core
 * ran a chunk on over pages both sides kept side by side, up to 64 pages a
 * memcpy, and came within a tenth of memcpy at 1 MiB; that was a branch for
 * the simulator alone in a core that GNU Mach compiles, and went.)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"
#include "sim_fast.h"
#include "vmc_copy.h"

#define MIB (1024u * 1024u)
#define ROUND_BYTES (8u * MIB)   /* bytes moved per measurement */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void content(void *ctx, vmc_off_t offset, unsigned char *page)
{
	(void)ctx;
	for (unsigned i = 0; i < VMC_PAGE_SIZE; i++)
		page[i] = (unsigned char)(offset / VMC_PAGE_SIZE + i);
}

/* Keeps the compiler from dropping a memcpy whose result is unused. */
static void *(*volatile memcpy_fn)(void *, const void *, size_t) = memcpy;

struct rig {
	struct sim_vm *vm;
	struct sim_task *server;    /* holds the memory object and the task port */
	struct sim_task *client;
	sim_name_t client_port;     /* in server's space */
	sim_name_t memobj;          /* in server's space */
	vmc_addr_t buf;             /* in client */
	unsigned char *host_src, *host_dst;
};

static void die(const char *what, vmc_kr_t kr)
{
	fprintf(stderr, "bench_copy: %s: %s\n", what, vmc_kr_name(kr));
	exit(1);
}

static void rig_make(struct rig *r)
{
	struct sim_vm_config cfg = { .seed = 1, .frames = 4096 };
	vmc_kr_t kr;

	r->vm = sim_vm_create(&cfg);
	r->server = sim_task_create(r->vm, "server");
	r->client = sim_task_create(r->vm, "client");
	struct sim_pager pager = { .content = content, .size = 4 * MIB };
	if ((kr = sim_memory_object_create(r->server, &pager, &r->memobj)) != KERN_SUCCESS)
		die("memory_object_create", kr);
	if ((kr = sim_port_copy_send(r->client, sim_task_self(r->client), r->server,
				     &r->client_port)) != KERN_SUCCESS)
		die("port_copy_send", kr);
	r->buf = 0;
	if ((kr = sim_vm_allocate(r->client, sim_task_self(r->client), &r->buf, 2 * MIB,
				  true)) != KERN_SUCCESS)
		die("vm_allocate", kr);
	r->host_src = aligned_alloc(VMC_PAGE_SIZE, 2 * MIB);
	r->host_dst = aligned_alloc(VMC_PAGE_SIZE, 2 * MIB);
	memset(r->host_src, 1, 2 * MIB);
	memset(r->host_dst, 2, 2 * MIB);
	/* Warm up: every page of both sides resident. */
	vmc_size_t count;
	if ((kr = sim_vm_read_fast(r->server, r->client_port, r->buf, 2 * MIB, r->memobj, 0,
				   &count)) != KERN_SUCCESS || count != 2 * MIB)
		die("warm-up read_fast", kr);
	if ((kr = sim_vm_write_fast(r->server, r->client_port, r->buf, 2 * MIB, r->memobj, 0,
				    &count)) != KERN_SUCCESS || count != 2 * MIB)
		die("warm-up write_fast", kr);
}

static void rig_free(struct rig *r)
{
	free(r->host_src);
	free(r->host_dst);
	sim_vm_destroy(r->vm);
}

enum op { OP_MEMCPY, OP_WRITE_FAST, OP_READ_FAST, OP_COUNT };
static const char *const op_names[] = { "memcpy", "write_fast", "read_fast" };

/* Nanoseconds per operation for `iters` operations of `size` bytes. */
static double measure(struct rig *r, enum op op, size_t size, unsigned misalign_buf,
		      unsigned misalign_obj, unsigned iters)
{
	vmc_size_t count = 0;
	vmc_kr_t kr = KERN_SUCCESS;
	uint64_t t0 = now_ns();

	for (unsigned i = 0; i < iters; i++) {
		switch (op) {
		case OP_MEMCPY:
			memcpy_fn(r->host_dst + misalign_obj, r->host_src + misalign_buf, size);
			count = size;
			break;
		case OP_WRITE_FAST:
			kr = sim_vm_write_fast(r->server, r->client_port, r->buf + misalign_buf, size,
					       r->memobj, misalign_obj, &count);
			break;
		case OP_READ_FAST:
			kr = sim_vm_read_fast(r->server, r->client_port, r->buf + misalign_buf, size,
					      r->memobj, misalign_obj, &count);
			break;
		default:
			break;
		}
		if (kr != KERN_SUCCESS || count != size)
			die(op_names[op], kr);
	}
	return (double)(now_ns() - t0) / iters;
}

/* Instruction-count mode: `calls` read_fast (or write_fast) calls of `size`
 * bytes, both sides page aligned. */
static int calls_mode(size_t size, unsigned calls, enum op op)
{
	struct rig r;
	rig_make(&r);
	measure(&r, op, size, 0, 0, calls);
	rig_free(&r);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--calls") == 0)
		return calls_mode(argc > 2 ? strtoul(argv[2], NULL, 0) : 64,
				  argc > 3 ? (unsigned)strtoul(argv[3], NULL, 0) : 1000,
				  argc > 4 && strcmp(argv[4], "write") == 0 ? OP_WRITE_FAST
									  : OP_READ_FAST);

	unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 21;
	FILE *out = argc > 2 ? fopen(argv[2], "w") : stdout;
	if (out == NULL || rounds == 0) {
		fprintf(stderr, "usage: bench_copy [rounds] [output.tsv]\n");
		return 2;
	}
	static const size_t sizes[] = { 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576 };
	const unsigned nsizes = sizeof sizes / sizeof sizes[0];
	struct rig r;
	rig_make(&r);

	time_t t = time(NULL);
	char date[64];
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	fprintf(out, "# bench_copy: core copy engine on the simulator vs memcpy\n");
	fprintf(out, "# date\t%s\n# rounds\t%u\n# page_size\t%llu\n", date, rounds,
		(unsigned long long)VMC_PAGE_SIZE);
#ifdef __VERSION__
	fprintf(out, "# compiler\t%s\n", __VERSION__);
#endif
	fprintf(out, "# misalignment\taligned: 0/0; unaligned: buffer +3, object +5\n");
	fprintf(out, "size\talign\top\tmedian_ns\tMiB_per_s\tvs_memcpy\n");

	double *samples[OP_COUNT];
	for (int op = 0; op < OP_COUNT; op++)
		samples[op] = calloc(rounds, sizeof(double));
	for (unsigned s = 0; s < nsizes; s++)
		for (unsigned al = 0; al < 2; al++) {
			size_t size = sizes[s];
			unsigned mb = al ? 3 : 0, mo = al ? 5 : 0;
			unsigned iters = ROUND_BYTES / size;
			if (iters > 20000)
				iters = 20000;
			for (unsigned k = 0; k < rounds; k++)
				for (int op = 0; op < OP_COUNT; op++)
					samples[op][k] = measure(&r, op, size, mb, mo, iters);
			double med[OP_COUNT];
			for (int op = 0; op < OP_COUNT; op++) {
				uint64_t *v = calloc(rounds, sizeof *v);
				for (unsigned k = 0; k < rounds; k++)
					v[k] = (uint64_t)(samples[op][k] * 1000.0);
				qsort(v, rounds, sizeof v[0], cmp_u64);
				med[op] = v[rounds / 2] / 1000.0;
				free(v);
			}
			for (int op = 0; op < OP_COUNT; op++)
				fprintf(out, "%zu\t%s\t%s\t%.1f\t%.1f\t%.3f\n", size,
					al ? "unaligned" : "aligned", op_names[op], med[op],
					size / med[op] * 1e9 / MIB, med[OP_MEMCPY] / med[op]);
			fflush(out);
		}
	for (int op = 0; op < OP_COUNT; op++)
		free(samples[op]);
	rig_free(&r);
	if (out != stdout)
		fclose(out);
	return 0;
}

/*
 * bench_proxy.c: the cost of resolving a proxy offset, against the number of
 * segments (1 .. 65,536) and against the nesting depth it was built with
 * (1 .. 64), side by side in one run.
 *
 * Resolution is a binary search over the flattened segments, so its cost
 * should grow with log(segments) only, and not at all with depth: a proxy
 * built from a proxy of a proxy is as flat as one built from objects.  The
 * goals: at 1,024 segments under 1.5x the cost at 1 segment; no growth with
 * depth.
 *
 * Each measurement resolves a fixed, seeded sequence of random offsets that
 * land inside the proxy (so every lookup finds a segment); rounds are
 * interleaved across all configurations and the median is reported.
 * Output: TSV with a metadata header (lines starting with '#').
 *
 * Usage: bench_proxy [rounds] [output.tsv]   (defaults: 15, stdout)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmc_kern_names.h"
#include "vmc_proxy_host.h"

#define LOOKUPS 200000u
#define SEED 0x70726f7879ull

/* The porting primitives the proxy code needs, on plain malloc. */
struct vmc_object {
	int refs;
};

void *vmc_alloc(vmc_size_t size) { return malloc(size); }
void vmc_free(void *p, vmc_size_t size) { (void)size; free(p); }
void vmc_object_reference(struct vmc_object *o) { o->refs++; }
void vmc_object_release(struct vmc_object *o) { o->refs--; }
void vmc_may_block(enum vmc_block_point where) { (void)where; }
_Noreturn void vmc_panic(const char *msg)
{
	fprintf(stderr, "vmc_panic: %s\n", msg);
	abort();
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static struct vmc_object objs[2] = { { 1 }, { 1 } };

static void die(const char *what, vmc_kr_t kr)
{
	fprintf(stderr, "bench_proxy: %s: %s\n", what, vmc_kr_name(kr));
	exit(1);
}

/* n one-page segments alternating between two objects (so none could be
 * merged), built with the seed's form from a proxy of 1,024 ranges as many
 * times as needed. */
static struct vmc_proxy *make_segments(uint32_t n)
{
	static struct vmc_proxy_input in[VMC_PROXY_MAX_RANGES];
	static vmc_prot_t prot[VMC_PROXY_MAX_RANGES];
	static vmc_off_t start[VMC_PROXY_MAX_RANGES], end[VMC_PROXY_MAX_RANGES];
	struct vmc_proxy *base = NULL, *p = NULL;
	uint32_t k = n < 1024 ? n : 1024;
	vmc_kr_t kr;

	for (uint32_t i = 0; i < k; i++) {
		in[i] = (struct vmc_proxy_input){ .kind = VMC_PROXY_IN_OBJECT, .object = &objs[i % 2] };
		prot[i] = VMC_PROT_READ;
		start[i] = (vmc_off_t)i * VMC_PAGE_SIZE;
		end[i] = start[i] + VMC_PAGE_SIZE;
	}
	if ((kr = vmc_proxy_create_ranges(in, k, prot, k, start, k, end, k, &base)) != KERN_SUCCESS)
		die("create base", kr);
	if (n <= 1024)
		return base;
	uint32_t copies = n / 1024;
	for (uint32_t i = 0; i < copies; i++) {
		in[i] = (struct vmc_proxy_input){ .kind = VMC_PROXY_IN_PROXY, .proxy = base };
		prot[i] = VMC_PROT_READ;
		start[i] = 0;
		end[i] = (vmc_off_t)1024 * VMC_PAGE_SIZE;
	}
	if ((kr = vmc_proxy_create_ranges(in, copies, prot, copies, start, copies, end, copies,
					  &p)) != KERN_SUCCESS)
		die("create copies", kr);
	vmc_proxy_destroy(base);
	return p;
}

/* A window of 64 pages of object 0 wrapped `depth` times, each level asking
 * for one page less from one page further in. */
static struct vmc_proxy *make_nested(int depth)
{
	struct vmc_proxy_input in = { .kind = VMC_PROXY_IN_OBJECT, .object = &objs[0] };
	vmc_prot_t prot = VMC_PROT_ALL;
	vmc_off_t start = 0, end = 128 * VMC_PAGE_SIZE;
	struct vmc_proxy *p = NULL;
	vmc_kr_t kr;

	if ((kr = vmc_proxy_create_ranges(&in, 1, &prot, 1, &start, 1, &end, 1, &p)) != KERN_SUCCESS)
		die("create nested base", kr);
	for (int d = 1; d < depth; d++) {
		struct vmc_proxy *up = NULL;
		struct vmc_proxy_input pin = { .kind = VMC_PROXY_IN_PROXY, .proxy = p };
		vmc_off_t off = 0, st = VMC_PAGE_SIZE;
		vmc_size_t len = (vmc_size_t)(127 - d) * VMC_PAGE_SIZE;
		if ((kr = vmc_proxy_create_placed(VMC_PROT_READ, &pin, 1, &off, 1, &st, 1, &len, 1,
						  &up)) != KERN_SUCCESS)
			die("create nested level", kr);
		vmc_proxy_destroy(p);
		p = up;
	}
	return p;
}

/* Nanoseconds per resolution over a seeded sequence inside [0, extent). */
static double measure(const struct vmc_proxy *p, vmc_size_t extent, uint64_t *sink)
{
	uint64_t s = SEED;
	struct vmc_proxy_resolved r;
	uint64_t t0 = now_ns();

	for (unsigned i = 0; i < LOOKUPS; i++) {
		vmc_proxy_resolve(p, xorshift(&s) % extent, &r);
		*sink += r.offset;
	}
	return (double)(now_ns() - t0) / LOOKUPS;
}

struct config {
	const char *axis;
	unsigned value;
	struct vmc_proxy *proxy;
	vmc_size_t extent;
	double *samples;
};

int main(int argc, char **argv)
{
	unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 15;
	FILE *out = argc > 2 ? fopen(argv[2], "w") : stdout;
	struct config cfg[64];
	unsigned n = 0;
	uint64_t sink = 0;

	if (out == NULL || rounds == 0) {
		fprintf(stderr, "usage: bench_proxy [rounds] [output.tsv]\n");
		return 2;
	}
	for (unsigned segs = 1; segs <= VMC_PROXY_MAX_SEGMENTS; segs *= 2) {
		struct vmc_proxy *p = make_segments(segs);
		cfg[n++] = (struct config){ "segments", segs, p,
					    (vmc_size_t)segs * VMC_PAGE_SIZE, NULL };
	}
	static const int depths[] = { 1, 2, 4, 8, 16, 32, 64 };
	for (unsigned i = 0; i < sizeof depths / sizeof depths[0]; i++) {
		struct vmc_proxy *p = make_nested(depths[i]);
		cfg[n++] = (struct config){ "depth", (unsigned)depths[i], p,
					    (vmc_size_t)(128 - depths[i]) * VMC_PAGE_SIZE, NULL };
	}
	for (unsigned c = 0; c < n; c++)
		cfg[c].samples = calloc(rounds, sizeof(double));

	for (unsigned r = 0; r < rounds; r++)
		for (unsigned c = 0; c < n; c++)
			cfg[c].samples[r] = measure(cfg[c].proxy, cfg[c].extent, &sink);

	time_t t = time(NULL);
	char date[32];
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	fprintf(out, "# bench_proxy: proxy offset resolution vs segments and nesting depth\n");
	fprintf(out, "# date\t%s\n# rounds\t%u\n# lookups_per_round\t%u\n# seed\t%#llx\n",
		date, rounds, LOOKUPS, (unsigned long long)SEED);
	fprintf(out, "# compiler\t%s\n", __VERSION__);
	fprintf(out, "axis\tvalue\tsegments\tmedian_ns\tvs_first\n");
	double first[2] = { 0, 0 };
	for (unsigned c = 0; c < n; c++) {
		qsort(cfg[c].samples, rounds, sizeof(double), cmp_double);
		double med = cfg[c].samples[rounds / 2];
		int axis = strcmp(cfg[c].axis, "depth") == 0;
		if (first[axis] == 0)
			first[axis] = med;
		fprintf(out, "%s\t%u\t%u\t%.2f\t%.3f\n", cfg[c].axis, cfg[c].value,
			vmc_proxy_segments(cfg[c].proxy), med, med / first[axis]);
		vmc_proxy_destroy(cfg[c].proxy);
		free(cfg[c].samples);
	}
	if (objs[0].refs != 1 || objs[1].refs != 1) {
		fprintf(stderr, "bench_proxy: references not returned\n");
		return 1;
	}
	fprintf(stderr, "(checksum %llu)\n", (unsigned long long)sink);
	if (out != stdout)
		fclose(out);
	return 0;
}

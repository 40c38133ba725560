/*
 * hurdreplay.c: replays read traces (traces/FORMAT.md) on the Hurd, through
 * glibc and the Hurd's ext2fs, and times and checks every read.
 *
 * The program runs as /libexec/runsystem on the GNU system that
 * bench/hurd_replay.py boots (as tests/hurd/hurd-check.sh boots hurdread):
 * ext2fs serves the root file system, whose /replay holds what
 * tests/hurd/mkreplay.c wrote on the build machine: a line "N NAME" per trace
 * in /replay/list, the trace as /replay/N.trace, and its files as
 * /replay/N/ID, each the trace format's content function of its id and seed.
 *
 * For each trace: the trace is parsed whole first (a trace that does not
 * parse, or that this program cannot replay, is refused before any read);
 * then its operations are done in line order.  A read `CLIENT FILE OFFSET
 * LENGTH r' is done on the client's own descriptor of the file (each client
 * opens each file it reads once, so that ext2fs sees a peropen per client
 * and file, as it would for processes of their own; the clients are one
 * process here, so that the reads are done and timed in the trace's order):
 * read() when the descriptor is already at OFFSET, pread() otherwise (a
 * trace imported from strace records the offsets, not which call it was).
 * Writes in a trace are skipped and counted, as the kernel replay does.
 *
 * The cache is warm, as the kernel replay's `warm': just before a read, the
 * same range is read once, untimed, into another buffer, so that its pages
 * are in ext2fs's pager and the kernel's cache.  Then the read is timed with
 * the processor's time-stamp counter, from just before the call to just
 * after it: under QEMU -icount shift=0 the counter counts instructions (all
 * of them, the kernel's and ext2fs's included), in plain emulation it runs
 * with the host's.  The read must return exactly LENGTH bytes, each the
 * file's, and leave the 64 bytes past them as they were.
 *
 * Output, on the kernel's console: per trace, "mosaic-hurd-replay: begin
 * NAME", a line "BUCKET<TAB>READS<TAB>TICKS" per chunk-size bucket (reads of
 * (2^(k-1), 2^k] bytes), "mosaic-hurd-replay: end NAME"; at the end
 * "mosaic-hurd: PASS hurdreplay" or "mosaic-hurd: FAIL hurdreplay: WHY".
 * Then the machine is rebooted (QEMU runs with -no-reboot).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <unistd.h>
#include <hurd.h>
#include <device/device.h>

#include "trace_parse.h"
#include "trace_content.h"
#include "hurd_console.h"
#include "hurd_replay.h"

#define SLACK 64
#define CANARY 0xa5
#define NBUCKETS 40

static inline uint64_t ticks(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static struct trace_parser parser;
static struct trace_file files[TRACE_MAX_FILES];

/* One trace's state. */
struct replay {
	const char *name;
	int n;                          /* its number under /replay */
	uint32_t nfiles;
	uint32_t nclients;
	int32_t slot[TRACE_MAX_CLIENT + 1];     /* client id -> index, -1 */
	struct desc { int fd; uint64_t pos; } *desc;    /* [client index][file] */
	uint64_t longest;
	uint64_t reads, writes, bytes, by_read, by_pread, done;
	uint64_t n_b[NBUCKETS], ticks_b[NBUCKETS];
	uint8_t *buf, *warm;
	const char *why;                /* set when a read went wrong */
};

static struct replay r;

static int scan_op(void *ctx, const struct trace_op *op)
{
	(void)ctx;
	if (op->kind != TRACE_OP_READ) {
		r.writes++;
		return 0;
	}
	if (r.slot[op->client] < 0)
		r.slot[op->client] = (int32_t)r.nclients++;
	if (op->length > r.longest)
		r.longest = op->length;
	r.reads++;
	return 0;
}

static int scan_header(void *ctx, const struct trace_header *h)
{
	(void)ctx;
	r.nfiles = h->nfiles;
	return 0;
}

static int open_desc(struct desc *d, uint32_t file)
{
	char path[128];

	snprintf(path, sizeof path, "/replay/%d/%s", r.n, files[file].id);
	for (int again = 0; again < 2; again++) {
		d->fd = open(path, O_RDONLY);
		if (d->fd >= 0) {
			d->pos = 0;
			return 0;
		}
		if (errno != EMFILE && errno != ENFILE)
			break;
		/* Out of descriptors: close this trace's others (they are opened
		 * again, at 0, when next used). */
		for (uint64_t i = 0; i < (uint64_t)r.nclients * r.nfiles; i++)
			if (r.desc[i].fd > 0) {
				close(r.desc[i].fd);
				r.desc[i].fd = 0;
			}
	}
	out("hurdreplay: %s: cannot open %s: %s", r.name, path, strerror(errno));
	return -1;
}

static int replay_op(void *ctx, const struct trace_op *op)
{
	(void)ctx;
	if (op->kind != TRACE_OP_READ)
		return 0;
	struct desc *d = &r.desc[(uint64_t)r.slot[op->client] * r.nfiles + op->file];
	size_t len = (size_t)op->length;
	uint64_t key = files[op->file].key;
	unsigned b = hurd_replay_bucket(len);
	ssize_t got;
	uint64_t t0, t1;
	int seq;

	if (d->fd <= 0 && open_desc(d, op->file) != 0) {
		r.why = "a file would not open";
		return 1;
	}
	/* Warm: the range read once, untimed. */
	got = pread(d->fd, r.warm, len, (off_t)op->offset);
	if (got != (ssize_t)len) {
		out("hurdreplay: %s: line %llu: warming pread of %zu bytes at %llu returned %ld: %s",
		    r.name, (unsigned long long)op->line, len, (unsigned long long)op->offset,
		    (long)got, got < 0 ? strerror(errno) : "short");
		r.why = "a read went wrong";
		return 1;
	}
	memset(r.buf, CANARY, len + SLACK);
	seq = d->pos == op->offset;
	if (seq) {
		t0 = ticks();
		got = read(d->fd, r.buf, len);
		t1 = ticks();
	} else {
		t0 = ticks();
		got = pread(d->fd, r.buf, len, (off_t)op->offset);
		t1 = ticks();
	}
	if (got != (ssize_t)len) {
		out("hurdreplay: %s: line %llu: %s of %zu bytes at %llu returned %ld: %s", r.name,
		    (unsigned long long)op->line, seq ? "read" : "pread", len,
		    (unsigned long long)op->offset, (long)got, got < 0 ? strerror(errno) : "short");
		r.why = "a read went wrong";
		return 1;
	}
	size_t good = trace_content_check(key, op->offset, r.buf, len);
	if (good != len) {
		out("hurdreplay: %s: line %llu: byte %zu (offset %llu of %s) is 0x%02x, expected 0x%02x",
		    r.name, (unsigned long long)op->line, good,
		    (unsigned long long)(op->offset + good), files[op->file].id, r.buf[good],
		    trace_content_byte(key, op->offset + good));
		r.why = "a read returned a wrong byte";
		return 1;
	}
	for (size_t i = len; i < len + SLACK; i++)
		if (r.buf[i] != CANARY) {
			out("hurdreplay: %s: line %llu: a read of %zu bytes wrote byte %zu", r.name,
			    (unsigned long long)op->line, len, i);
			r.why = "a read wrote past its count";
			return 1;
		}
	if (seq) {
		d->pos += len;
		r.by_read++;
	} else {
		r.by_pread++;
	}
	r.n_b[b]++;
	r.ticks_b[b] += t1 - t0;
	r.bytes += len;
	r.done++;
	if (r.done % 250 == 0)
		out("hurdreplay: %s: %llu/%llu reads", r.name, (unsigned long long)r.done,
		    (unsigned long long)r.reads);
	return 0;
}

/* One trace: parsed, then replayed.  Returns NULL or why it failed. */
static const char *replay_trace(int n, const char *name)
{
	static const struct trace_handler scan = { NULL, scan_header, scan_op, NULL };
	static const struct trace_handler run = { NULL, NULL, replay_op, NULL };
	char path[64], msg[256];
	size_t len;
	char *data;

	snprintf(path, sizeof path, "/replay/%d.trace", n);
	data = hurd_replay_slurp(path, &len);
	if (data == NULL) {
		out("hurdreplay: %s: cannot read %s: %s", name, path, strerror(errno));
		return "a trace is missing";
	}
	free(r.desc);
	free(r.buf);
	free(r.warm);
	memset(&r, 0, sizeof r);
	r.name = name;
	r.n = n;
	memset(r.slot, 0xff, sizeof r.slot);
	trace_parser_init(&parser, files, TRACE_MAX_FILES);
	(void)trace_parser_feed(&parser, data, len, &scan, NULL);
	(void)trace_parser_finish(&parser, &scan, NULL);
	if (parser.error != TRACE_OK) {
		trace_error_format(&parser, name, msg, sizeof msg);
		out("hurdreplay: REFUSED %s", msg);
		return "a trace was refused";
	}
	if (r.longest > HURD_REPLAY_MAX_READ) {
		out("hurdreplay: REFUSED %s: a read of %llu bytes", name,
		    (unsigned long long)r.longest);
		return "a trace was refused";
	}
	r.desc = calloc((size_t)r.nclients * r.nfiles + 1, sizeof *r.desc);
	r.buf = malloc((size_t)r.longest + SLACK);
	r.warm = malloc((size_t)r.longest + SLACK);
	if (r.desc == NULL || r.buf == NULL || r.warm == NULL) {
		out("hurdreplay: %s: out of memory", name);
		return "out of memory";
	}
	memset(r.warm, 0, (size_t)r.longest + SLACK);
	out("hurdreplay: %s: %u files, %u clients, %llu reads, %llu writes (skipped)", name,
	    (unsigned)r.nfiles, (unsigned)r.nclients, (unsigned long long)r.reads,
	    (unsigned long long)r.writes);
	trace_parser_init(&parser, files, TRACE_MAX_FILES);
	(void)trace_parser_feed(&parser, data, len, &run, NULL);
	(void)trace_parser_finish(&parser, &run, NULL);
	free(data);
	for (uint64_t i = 0; i < (uint64_t)r.nclients * r.nfiles; i++)
		if (r.desc[i].fd > 0)
			close(r.desc[i].fd);
	if (r.why != NULL)
		return r.why;
	if (parser.error != TRACE_OK) {
		trace_error_format(&parser, name, msg, sizeof msg);
		out("hurdreplay: %s", msg);
		return "the replay stopped";
	}
	out("mosaic-hurd-replay: begin %s", name);
	for (unsigned b = 0; b < NBUCKETS; b++)
		if (r.n_b[b] != 0)
			out("%u\t%llu\t%llu", b, (unsigned long long)r.n_b[b],
			    (unsigned long long)r.ticks_b[b]);
	out("mosaic-hurd-replay: end %s", name);
	out("hurdreplay: %s: %llu reads (%llu by read, %llu by pread), %llu bytes checked: ok",
	    name, (unsigned long long)r.done, (unsigned long long)r.by_read,
	    (unsigned long long)r.by_pread, (unsigned long long)r.bytes);
	return NULL;
}

int main(void)
{
	const char *why = NULL;
	struct rlimit rl;
	char line[256];
	int traces = 0;
	FILE *list;

	/* The traces with many files keep a descriptor per client and file. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	list = fopen("/replay/list", "r");
	if (list == NULL) {
		out("hurdreplay: /replay/list: %s", strerror(errno));
		why = "no list of traces";
	}
	while (why == NULL && fgets(line, sizeof line, list) != NULL) {
		char name[200];
		int n;

		if (sscanf(line, "%d %199s", &n, name) != 2) {
			why = "a bad line in /replay/list";
			break;
		}
		why = replay_trace(n, name);
		traces++;
	}
	if (list != NULL)
		fclose(list);
	if (why == NULL && traces == 0)
		why = "no trace";
	if (why == NULL)
		out("mosaic-hurd: PASS hurdreplay");
	else
		out("mosaic-hurd: FAIL hurdreplay: %s", why);
	sync();
	reboot(RB_AUTOBOOT);
	out("hurdreplay: reboot: %s", strerror(errno));
	return why == NULL ? 0 : 1;
}

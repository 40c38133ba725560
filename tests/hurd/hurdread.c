/*
 * hurdread.c: reads the image's files through the Hurd, several processes
 * at once, and checks every byte.
 *
 * The program runs on the GNU system booted by tests/hurd/hurd-check.sh: the
 * Hurd's ext2fs serves the root file system, and startup runs this program
 * as /libexec/runsystem (through console-run, which gives it the console on
 * its standard output).  Every read goes through glibc (open, read, pread,
 * lseek: io_read RPCs to ext2fs), and ext2fs answers from its pager
 * (libpager's pager_memcpy) over the disk.  The files' bytes are known here
 * (hurd_files.h): they are a function of the file's name and a seed.
 *
 * The parent checks each file's size, then forks one child per workload and
 * waits for them all:
 *
 *   sequential  each file read from start to end with reads of 1 B to 1 MiB
 *               (the small sizes on the small files only), until read
 *               returns 0
 *   random-1,2  seeded random preads and lseek+reads anywhere in a file or
 *               at its end, of 1 B to 1 MiB, into a buffer at any alignment
 *   large       the largest file in 1 MiB reads from unaligned starts
 *   write       a new file of /tmp written by writes and pwrites of 1 B to
 *               64 KiB from a buffer at any alignment, then read back
 *
 * Every read must return exactly min(length, size - offset) bytes, each the
 * file's byte at its offset, and must leave the buffer past the count as it
 * was; every write must write all it was given.  The result is one line, read from the serial console by the runner:
 * "mosaic-hurd: PASS hurdread", or "mosaic-hurd: FAIL hurdread: WHY" after
 * the lines that say what went wrong.  Then the system is rebooted (which
 * ends QEMU, started with -no-reboot).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <hurd.h>
#include <device/device.h>

#include "hurd_console.h"
#include "hurd_files.h"

#define MIB 1048576u
#define SLACK 64                /* bytes past the largest read, checked too */
#define CANARY 0xa5

static uint8_t buf[MIB + 16 + SLACK];

/* splitmix64: the workloads' offsets and lengths. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static uint32_t rng_below(uint64_t *s, uint32_t n)
{
	return n == 0 ? 0 : (uint32_t)(rng_next(s) % n);
}

/* A read of this many bytes or more from a page-aligned offset into the
 * server's page-aligned buffer is one libpager's pager_memcpy moves with
 * vm_copy (VMCOPY_BETTER_THAN_MEMCPY, eight pages), with the series too. */
#define VMCOPY_MIN (8 * 4096)

/* The glibc of the direct read (mach-port/hurd/glibc) gives a read of two
 * pages or more to io_read_direct: the whole pages of the buffer by a
 * proxy, the rest in the reply.  Such a read whose bytes reach those pages
 * made the kernel copy between objects (vm_copy_between_objects). */
#define DIRECT_MIN (2 * 4096)

struct tally {
	const char *who;
	unsigned long reads;            /* reads checked */
	unsigned long data_reads;       /* of which returned at least a byte */
	unsigned long vmcopy_reads;     /* of which libpager may vm_copy (VMCOPY_MIN) */
	unsigned long direct_reads;     /* of which the direct read copies pages of (DIRECT_MIN) */
	unsigned long writes;
	unsigned long long bytes;       /* read and checked */
};

static int open_file(unsigned f)
{
	char path[64];
	int fd;

	snprintf(path, sizeof path, "/data/%s", hurd_files[f].name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		out("hurdread: %s: cannot open %s: %s", "open", path, strerror(errno));
	return fd;
}

/* Counts a read of len bytes at off into dst that returned want, checked. */
static void tally_read(struct tally *t, const uint8_t *dst, uint32_t off, uint32_t len,
		       uint32_t want)
{
	uint32_t head = (uint32_t)(-(uintptr_t)dst & 4095);

	t->reads++;
	t->data_reads += want > 0;
	t->vmcopy_reads += want >= VMCOPY_MIN && off % 4096 == 0;
	t->direct_reads += len >= DIRECT_MIN && head + 4096 <= len && want > head;
	t->bytes += want;
}

/* Checks the answer to a read of len bytes at off of file f into dst: got
 * must be exactly what the file has there, the bytes the file's, and the
 * buffer past got untouched.  Returns 0 if so; says what is wrong and
 * returns -1 otherwise. */
static int check_read(struct tally *t, unsigned f, uint32_t off, uint32_t len,
		      const uint8_t *dst, ssize_t got)
{
	uint32_t size = hurd_files[f].size;
	uint32_t want = off >= size ? 0 : (size - off < len ? size - off : len);
	size_t good;

	if (got < 0) {
		out("hurdread: %s: read of %u bytes at %u of %s failed: %s", t->who, len, off,
		    hurd_files[f].name, strerror(errno));
		return -1;
	}
	if ((size_t)got != want) {
		out("hurdread: %s: read of %u bytes at %u of %s (size %u) returned %ld, expected %u",
		    t->who, len, off, hurd_files[f].name, size, (long)got, want);
		return -1;
	}
	good = trace_content_check(hurd_file_key(f), off, dst, want);
	if (good != want) {
		out("hurdread: %s: read of %u bytes at %u of %s: byte %lu (offset %lu) is 0x%02x, "
		    "expected 0x%02x", t->who, len, off, hurd_files[f].name, (unsigned long)good,
		    (unsigned long)(off + good), dst[good],
		    trace_content_byte(hurd_file_key(f), off + good));
		return -1;
	}
	for (size_t i = want; i < (size_t)len + SLACK; i++)
		if (dst[i] != CANARY) {
			out("hurdread: %s: read of %u bytes at %u of %s returned %u but wrote byte %lu",
			    t->who, len, off, hurd_files[f].name, want, (unsigned long)i);
			return -1;
		}
	tally_read(t, dst, off, len, want);
	return 0;
}

/* The destination of a read of len bytes at alignment a, canaries set. */
static uint8_t *prepare(unsigned a, uint32_t len)
{
	memset(buf + a, CANARY, (size_t)len + SLACK);
	return buf + a;
}

/* Each file from start to end with reads of each size; the small sizes on
 * files they cover in at most 4096 reads. */
static int sequential(struct tally *t)
{
	static const uint32_t sizes[] = { 1, 7, 512, 4096, 4097, 65536, MIB };

	for (unsigned f = 0; f < HURD_NFILES; f++)
		for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
			uint32_t len = sizes[s], off = 0;
			int fd;

			if (hurd_files[f].size / len > 4096)
				continue;
			fd = open_file(f);
			if (fd < 0)
				return -1;
			for (;;) {
				uint8_t *dst = prepare((off + s) % 16, len);
				ssize_t got = read(fd, dst, len);

				if (check_read(t, f, off, len, dst, got) != 0)
					return -1;
				if (got == 0)
					break;
				off += (uint32_t)got;
			}
			close(fd);
		}
	return 0;
}

/* A length: mostly small, sometimes around a page, sometimes large. */
static uint32_t random_length(uint64_t *s)
{
	switch (rng_below(s, 8)) {
	case 0: case 1: case 2: return 1 + rng_below(s, 64);
	case 3: case 4: return 1 + rng_below(s, 3 * 4096);
	case 5: return 4096 * (1 + rng_below(s, 4));
	case 6: return 1 + rng_below(s, 256 * 1024);
	default: return rng_below(s, 4) == 0 ? MIB : 1 + rng_below(s, MIB);
	}
}

/* Random reads: pread, or lseek then read (seek_read), anywhere in a file
 * (its end included), into a buffer at any alignment. */
static int random_reads(struct tally *t, uint64_t seed, unsigned n, int seek_read)
{
	int fds[HURD_NFILES];
	int rc = 0;

	for (unsigned f = 0; f < HURD_NFILES; f++)
		if ((fds[f] = open_file(f)) < 0)
			return -1;
	for (unsigned i = 0; i < n && rc == 0; i++) {
		unsigned f = rng_below(&seed, HURD_NFILES);
		uint32_t off = rng_below(&seed, hurd_files[f].size + 1);
		uint32_t len = random_length(&seed);
		uint8_t *dst = prepare(rng_below(&seed, 16), len);
		ssize_t got;

		if (seek_read) {
			if (lseek(fds[f], off, SEEK_SET) != (off_t)off) {
				out("hurdread: %s: lseek to %u of %s: %s", t->who, off,
				    hurd_files[f].name, strerror(errno));
				return -1;
			}
			got = read(fds[f], dst, len);
		} else {
			got = pread(fds[f], dst, len, off);
		}
		rc = check_read(t, f, off, len, dst, got);
	}
	for (unsigned f = 0; f < HURD_NFILES; f++)
		close(fds[f]);
	return rc;
}

/* The largest file in 1 MiB preads from starts that are not aligned. */
static int large(struct tally *t)
{
	static const uint32_t starts[] = { 0, 1, 4095, 4097, MIB - 3 };
	unsigned f = HURD_NFILES - 1;
	int fd = open_file(f);

	if (fd < 0)
		return -1;
	for (unsigned s = 0; s < sizeof starts / sizeof starts[0]; s++)
		for (uint32_t off = starts[s];; off += MIB) {
			uint8_t *dst = prepare(s, MIB);
			ssize_t got = pread(fd, dst, MIB, off);

			if (check_read(t, f, off, MIB, dst, got) != 0)
				return -1;
			if (got == 0)
				break;
		}
	close(fd);
	return 0;
}

/* The written file: its name, size and content key. */
#define WFILE "/tmp/hurdread-written"
#define WSIZE 300001u

static int write_all(struct tally *t, int fd, uint32_t off, uint32_t len, unsigned a,
		     uint64_t key, int positioned)
{
	uint8_t *src = buf + a;
	ssize_t got;

	trace_content_fill(key, off, src, len);
	got = positioned ? pwrite(fd, src, len, off) : write(fd, src, len);
	if (got != (ssize_t)len) {
		out("hurdread: %s: %s of %u bytes at %u of %s returned %ld: %s", t->who,
		    positioned ? "pwrite" : "write", len, off, WFILE, (long)got,
		    got < 0 ? strerror(errno) : "short");
		return -1;
	}
	t->writes++;
	return 0;
}

/* A new file written front to back, then written over at random places
 * with the same bytes (the content is a function of the offset), then read
 * back through another open. */
static int written(struct tally *t, uint64_t seed)
{
	uint64_t key = trace_content_key("written", 7, HURD_FILES_SEED);
	struct stat st;
	uint32_t off;
	int fd;

	fd = open(WFILE, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		out("hurdread: %s: cannot create %s: %s", t->who, WFILE, strerror(errno));
		return -1;
	}
	for (off = 0; off < WSIZE;) {
		uint32_t len = 1 + rng_below(&seed, 65536);

		if (len > WSIZE - off)
			len = WSIZE - off;
		if (write_all(t, fd, off, len, rng_below(&seed, 16), key, 0) != 0)
			return -1;
		off += len;
	}
	for (unsigned i = 0; i < 200; i++) {
		uint32_t len = 1 + rng_below(&seed, i % 4 == 0 ? 65536 : 5000);

		off = rng_below(&seed, WSIZE);
		if (len > WSIZE - off)
			len = WSIZE - off;
		if (write_all(t, fd, off, len, rng_below(&seed, 16), key, 1) != 0)
			return -1;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		out("hurdread: %s: fsync or close of %s: %s", t->who, WFILE, strerror(errno));
		return -1;
	}
	if (stat(WFILE, &st) != 0 || st.st_size != (off_t)WSIZE) {
		out("hurdread: %s: %s has %lld bytes after writing, expected %u", t->who, WFILE,
		    (long long)st.st_size, WSIZE);
		return -1;
	}
	fd = open(WFILE, O_RDONLY);
	if (fd < 0) {
		out("hurdread: %s: cannot open %s again: %s", t->who, WFILE, strerror(errno));
		return -1;
	}
	for (off = 0;;) {
		uint32_t len = 1 + rng_below(&seed, 20000);
		uint8_t *dst = prepare(rng_below(&seed, 16), len);
		uint32_t want = WSIZE - off < len ? WSIZE - off : len;
		ssize_t got = read(fd, dst, len);
		size_t good;

		if (got != (ssize_t)want) {
			out("hurdread: %s: read of %u bytes at %u of %s returned %ld, expected %u",
			    t->who, len, off, WFILE, (long)got, want);
			return -1;
		}
		good = trace_content_check(key, off, dst, want);
		if (good != want) {
			out("hurdread: %s: read back at %lu of %s: 0x%02x, written 0x%02x", t->who,
			    (unsigned long)(off + good), WFILE, dst[good],
			    trace_content_byte(key, off + good));
			return -1;
		}
		tally_read(t, dst, off, len, want);
		if (got == 0)
			break;
		off += want;
	}
	close(fd);
	unlink(WFILE);
	return 0;
}

/* One child: its workload, a line of counts, its verdict as exit status. */
static int child(unsigned k)
{
	static const char *const names[] = {
		"sequential", "random-1", "random-2", "large", "write"
	};
	struct tally t = { names[k], 0, 0, 0, 0, 0, 0 };
	uint64_t seed = HURD_FILES_SEED * UINT64_C(1000) + k;
	int rc;

	switch (k) {
	case 0: rc = sequential(&t); break;
	case 1: rc = random_reads(&t, seed, 400, 0); break;
	case 2: rc = random_reads(&t, seed, 400, 1); break;
	case 3: rc = large(&t); break;
	default: rc = written(&t, seed); break;
	}
	/* The runner adds up the "with data" counts: each such read went
	 * through the server's pager_memcpy at least once, and each but those
	 * it may move with vm_copy made a copy by the kernel with the series;
	 * with the direct read's glibc, each "for io_read_direct" made a copy
	 * between objects. */
	out("hurdread: process %d (%s, seed %llu): %lu reads (%lu with data, %lu for vm_copy, "
	    "%lu for io_read_direct), %lu writes, %llu bytes checked: %s", getpid(), t.who,
	    (unsigned long long)seed, t.reads, t.data_reads, t.vmcopy_reads, t.direct_reads,
	    t.writes, t.bytes,
	    rc == 0 ? "ok" : "FAILED");
	return rc == 0 ? 0 : 1;
}

#define NCHILDREN 5

int main(void)
{
	pid_t pids[NCHILDREN];
	const char *why = NULL;

	out("hurdread: %u files under /data, content seed %u, %d processes", (unsigned)HURD_NFILES,
	    HURD_FILES_SEED, NCHILDREN);
	for (unsigned f = 0; f < HURD_NFILES && why == NULL; f++) {
		char path[64];
		struct stat st;

		snprintf(path, sizeof path, "/data/%s", hurd_files[f].name);
		if (stat(path, &st) != 0) {
			out("hurdread: stat %s: %s", path, strerror(errno));
			why = "a file is missing";
		} else if (st.st_size != (off_t)hurd_files[f].size) {
			out("hurdread: %s has %lld bytes, expected %u", path, (long long)st.st_size,
			    hurd_files[f].size);
			why = "a file has the wrong size";
		}
	}
	for (unsigned k = 0; k < NCHILDREN && why == NULL; k++) {
		pids[k] = fork();
		if (pids[k] < 0) {
			out("hurdread: fork: %s", strerror(errno));
			why = "fork failed";
			for (unsigned j = 0; j < k; j++)
				waitpid(pids[j], NULL, 0);
		} else if (pids[k] == 0) {
			_exit(child(k));
		}
	}
	for (unsigned k = 0; k < NCHILDREN && why == NULL; k++) {
		int status;

		if (waitpid(pids[k], &status, 0) != pids[k]) {
			out("hurdread: waitpid %d: %s", pids[k], strerror(errno));
			why = "waitpid failed";
		} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			out("hurdread: process %d ended with status 0x%x", pids[k], status);
			why = "a process found a wrong read";
			for (unsigned j = k + 1; j < NCHILDREN; j++)
				waitpid(pids[j], NULL, 0);
		}
	}
	if (why == NULL)
		out("mosaic-hurd: PASS hurdread");
	else
		out("mosaic-hurd: FAIL hurdread: %s", why);
	sync();
	reboot(RB_AUTOBOOT);
	out("hurdread: reboot: %s", strerror(errno));
	return why == NULL ? 0 : 1;
}

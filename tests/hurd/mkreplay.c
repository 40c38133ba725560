/*
 * mkreplay.c: writes traces' files into a directory on the build machine,
 * for the image the Hurd's trace replay boots (bench/hurd_replay.py stages
 * the directory as /replay and makes the image with mke2fs -d).
 *
 *     mkreplay DIR TRACE...
 *
 * For the N-th trace (from 1): DIR/N.trace, a copy of the trace, which the
 * replayer on the Hurd (tests/hurd/hurdreplay.c) parses again, and DIR/N/ID
 * for each file the trace declares, SIZE bytes of the trace format's content
 * function of (ID, SEED) (traces/trace_content.c: the bytes the kernel
 * replay's pager supplies).  DIR/list has a line "N NAME" per trace, NAME
 * the trace's file name without ".trace".
 *
 * A trace is refused whole (exit 1, the reason printed) when it does not
 * parse, has a read longer than HURD_REPLAY_MAX_READ, or when the files of
 * all the traces together pass HURD_REPLAY_MAX_BYTES (the image holds them
 * all).  A host program: it runs where the image is made, never on the Hurd.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "trace_parse.h"
#include "trace_content.h"
#include "hurd_replay.h"

static struct trace_parser parser;
static struct trace_file files[TRACE_MAX_FILES];

struct scan {
	uint32_t nfiles;
	uint64_t bytes;
	uint64_t reads;
	uint64_t longest;
};

static int on_header(void *ctx, const struct trace_header *h)
{
	struct scan *s = ctx;

	s->nfiles = h->nfiles;
	for (uint32_t i = 0; i < h->nfiles; i++)
		s->bytes += h->files[i].size;
	return 0;
}

static int on_op(void *ctx, const struct trace_op *op)
{
	struct scan *s = ctx;

	if (op->kind == TRACE_OP_READ) {
		s->reads++;
		if (op->length > s->longest)
			s->longest = op->length;
	}
	return 0;
}

static int write_file(const char *path, uint64_t key, uint64_t size)
{
	static uint8_t buf[1 << 16];
	FILE *f = fopen(path, "wb");

	if (f == NULL) {
		fprintf(stderr, "mkreplay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (uint64_t off = 0; off < size;) {
		size_t n = size - off < sizeof buf ? (size_t)(size - off) : sizeof buf;

		trace_content_fill(key, off, buf, n);
		if (fwrite(buf, 1, n, f) != n) {
			fprintf(stderr, "mkreplay: %s: short write\n", path);
			fclose(f);
			return -1;
		}
		off += n;
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "mkreplay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct trace_handler handler = { NULL, on_header, on_op, NULL };
	uint64_t total = 0;
	FILE *list;
	char path[4096];

	if (argc < 3) {
		fprintf(stderr, "usage: mkreplay DIR TRACE...\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/list", argv[1]);
	list = fopen(path, "w");
	if (list == NULL) {
		fprintf(stderr, "mkreplay: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (int t = 2; t < argc; t++) {
		struct scan s = { 0, 0, 0, 0 };
		const char *base = strrchr(argv[t], '/') ? strrchr(argv[t], '/') + 1 : argv[t];
		size_t blen = strlen(base), len;
		char *data = hurd_replay_slurp(argv[t], &len);
		char msg[256];
		int n = t - 1;

		if (blen > 6 && strcmp(base + blen - 6, ".trace") == 0)
			blen -= 6;
		if (data == NULL) {
			fprintf(stderr, "mkreplay: %s: %s\n", argv[t], strerror(errno));
			return 1;
		}
		trace_parser_init(&parser, files, TRACE_MAX_FILES);
		(void)trace_parser_feed(&parser, data, len, &handler, &s);
		(void)trace_parser_finish(&parser, &handler, &s);
		if (parser.error != TRACE_OK) {
			trace_error_format(&parser, argv[t], msg, sizeof msg);
			fprintf(stderr, "mkreplay: refused: %s\n", msg);
			return 1;
		}
		if (s.longest > HURD_REPLAY_MAX_READ) {
			fprintf(stderr, "mkreplay: refused: %s: a read of %llu bytes, above the "
				"replayer's %u\n", argv[t], (unsigned long long)s.longest,
				HURD_REPLAY_MAX_READ);
			return 1;
		}
		total += s.bytes;
		if (total > HURD_REPLAY_MAX_BYTES) {
			fprintf(stderr, "mkreplay: refused: %s: the traces' files come to %llu bytes, "
				"above the image's %llu\n", argv[t], (unsigned long long)total,
				(unsigned long long)HURD_REPLAY_MAX_BYTES);
			return 1;
		}
		snprintf(path, sizeof path, "%s/%d.trace", argv[1], n);
		FILE *copy = fopen(path, "wb");
		if (copy == NULL || fwrite(data, 1, len, copy) != len || fclose(copy) != 0) {
			fprintf(stderr, "mkreplay: %s: cannot write\n", path);
			return 1;
		}
		snprintf(path, sizeof path, "%s/%d", argv[1], n);
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "mkreplay: %s: %s\n", path, strerror(errno));
			return 1;
		}
		for (uint32_t i = 0; i < s.nfiles; i++) {
			if (strcmp(files[i].id, ".") == 0 || strcmp(files[i].id, "..") == 0) {
				fprintf(stderr, "mkreplay: refused: %s: a file named %s\n", argv[t],
					files[i].id);
				return 1;
			}
			if ((size_t)snprintf(path, sizeof path, "%s/%d/", argv[1], n) +
			    files[i].id_len >= sizeof path) {
				fprintf(stderr, "mkreplay: %s: path too long\n", argv[1]);
				return 1;
			}
			memcpy(path + strlen(path), files[i].id, (size_t)files[i].id_len + 1);
			if (write_file(path, files[i].key, files[i].size) != 0)
				return 1;
		}
		fprintf(list, "%d %.*s\n", n, (int)blen, base);
		printf("mkreplay: %d %.*s: %u files, %llu bytes, %llu reads\n", n, (int)blen, base,
		       s.nfiles, (unsigned long long)s.bytes, (unsigned long long)s.reads);
		free(data);
	}
	if (fclose(list) != 0) {
		fprintf(stderr, "mkreplay: list: %s\n", strerror(errno));
		return 1;
	}
	printf("mkreplay: %d traces, %llu bytes of files in %s\n", argc - 2,
	       (unsigned long long)total, argv[1]);
	return 0;
}

/*
 * test_strace_import.c: strace logs -> mosaic traces (traces/strace_import.h).
 *
 * Each test imports a small log written here, in one of the shapes people
 * capture (with and without -f, -tt, -ttt, -r, -T, -y; unfinished and resumed
 * halves; several processes; failed calls; short reads), then parses the trace
 * it wrote with the real parser and checks files, sizes and operations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strace_import.h"
#include "trace_parse.h"

#define MAX_OPS 64

/* The parsed result of one import. */
struct result {
	int rc;
	GError *err;
	struct strace_import_stats st;
	char *trace;
	struct trace_file files[16];
	uint32_t nfiles;
	struct trace_op ops[MAX_OPS];
	unsigned nops;
};

static int grab_header(void *ctx, const struct trace_header *h)
{
	struct result *r = ctx;
	r->nfiles = h->nfiles;
	return 0;
}

static int grab_op(void *ctx, const struct trace_op *op)
{
	struct result *r = ctx;
	assert_true(r->nops < MAX_OPS);
	r->ops[r->nops++] = *op;
	return 0;
}

/* The trace the importer wrote must parse; its files and ops land in r. */
static void parse_result(struct result *r)
{
	static const struct trace_handler h = { NULL, grab_header, grab_op, NULL };
	struct trace_parser p;
	char msg[256];

	trace_parser_init(&p, r->files, 16);
	if (trace_parser_feed(&p, r->trace, strlen(r->trace), &h, r) != TRACE_OK ||
	    trace_parser_finish(&p, &h, r) != TRACE_OK) {
		trace_error_format(&p, "imported", msg, sizeof(msg));
		fail_msg("%s\n%s", msg, r->trace);
	}
}

static void import(const char *log, struct result *r)
{
	FILE *in = fmemopen((void *)log, strlen(log), "r");
	size_t size;
	FILE *out;

	memset(r, 0, sizeof(*r));
	out = open_memstream(&r->trace, &size);
	assert_non_null(in);
	assert_non_null(out);
	r->rc = strace_import(in, "/some/where/x.log", out, &r->st, &r->err);
	fclose(in);
	fclose(out);
	if (r->rc == 0)
		parse_result(r);
}

static void result_clear(struct result *r)
{
	free(r->trace);
	g_clear_error(&r->err);
}

static void assert_op(const struct result *r, unsigned i, uint32_t client, const char *file,
		      uint64_t offset, uint64_t length)
{
	assert_true(i < r->nops);
	assert_int_equal(r->ops[i].client, client);
	assert_string_equal(r->files[r->ops[i].file].id, file);
	assert_int_equal(r->ops[i].offset, offset);
	assert_int_equal(r->ops[i].length, length);
	assert_int_equal(r->ops[i].kind, TRACE_OP_READ);
}

static void test_strace_import_plain_log_without_options(void **state)
{
	(void)state;
	struct result r;

	import("openat(AT_FDCWD, \"/home/u/data.bin\", O_RDONLY) = 3\n"
	       "read(3, \"\\177ELF\\2\\1\"..., 4096) = 4096\n"
	       "read(3, \"abc\", 4096) = 3\n"
	       "read(3, \"\", 4096) = 0\n"
	       "close(3) = 0\n"
	       "+++ exited with 0 +++\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nfiles, 1);
	assert_string_equal(r.files[0].id, "f0-data.bin");
	assert_int_equal(r.files[0].size, 4099);
	assert_int_equal(r.nops, 2);
	assert_op(&r, 0, 0, "f0-data.bin", 0, 4096);
	assert_op(&r, 1, 0, "f0-data.bin", 4096, 3);
	assert_int_equal(r.st.lines, 6);
	assert_int_equal(r.st.calls, 5);
	assert_int_equal(r.st.reads, 2);
	assert_int_equal(r.st.bytes, 4099);
	assert_int_equal(r.st.eof_reads, 1);
	assert_int_equal(r.st.processes, 1);
	assert_int_equal(r.st.files, 1);
	/* No machine path lands in the trace; the log's base name does. */
	assert_null(strstr(r.trace, "/home"));
	assert_non_null(strstr(r.trace, "meta log x.log\n"));
	result_clear(&r);
}

static void test_strace_import_f_tt_T_y_with_pid_prefixes(void **state)
{
	(void)state;
	struct result r;

	import("[pid  7001] 11:03:29.611405 openat(AT_FDCWD</tmp/w>, \"a.txt\", O_RDONLY|O_CLOEXEC) = 3</tmp/w/a.txt> <0.000163>\n"
	       "[pid  7002] 11:03:29.611406 openat(AT_FDCWD</tmp/w>, \"/tmp/w/b, (odd) name\", O_RDONLY) = 5</tmp/w/b, (odd) name> <0.000010>\n"
	       "[pid  7001] 11:03:29.611500 read(3</tmp/w/a.txt>, \"x, y) = 7\"..., 8192) = 8192 <0.000022>\n"
	       "[pid  7002] 11:03:29.611600 pread64(5</tmp/w/b, (odd) name>, \"q\"..., 100, 4000) = 100 <0.000021>\n"
	       "[pid  7001] 11:03:29.611700 read(3</tmp/w/a.txt>, \"z\", 8192) = 1 <0.000022>\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nfiles, 2);
	assert_string_equal(r.files[0].id, "f0-a.txt");
	assert_string_equal(r.files[1].id, "f1-b___odd__name");
	assert_int_equal(r.files[0].size, 8193);
	assert_int_equal(r.files[1].size, 4100);
	assert_int_equal(r.nops, 3);
	assert_op(&r, 0, 0, "f0-a.txt", 0, 8192);
	assert_op(&r, 1, 1, "f1-b___odd__name", 4000, 100);
	assert_op(&r, 2, 0, "f0-a.txt", 8192, 1);
	assert_int_equal(r.st.processes, 2);
	assert_null(strstr(r.trace, "/tmp"));
	result_clear(&r);
}

static void test_strace_import_f_o_prefix_and_timestamps(void **state)
{
	(void)state;
	struct result r;

	/* strace -f -o: "PID " prefix; -ttt and -r timestamps; no -y. */
	import("4242  1700000000.123456 open(\"/d/f\", O_RDONLY) = 4\n"
	       "4242       0.000120 read(4, \"..\", 10) = 10\n"
	       "4243 11:00:00 open(\"/d/f\", O_RDONLY) = 4\n"
	       "4243 11:00:01 read(4, \"..\", 10) = 5\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nops, 2);
	assert_op(&r, 0, 0, "f0-f", 0, 10);
	assert_op(&r, 1, 1, "f0-f", 0, 5);
	assert_int_equal(r.files[0].size, 10);
	assert_int_equal(r.st.processes, 2);
	result_clear(&r);
}

static void test_strace_import_joins_unfinished_and_resumed(void **state)
{
	(void)state;
	struct result r;

	import("[pid 1] openat(AT_FDCWD, \"/f\", O_RDONLY) = 3\n"
	       "[pid 2] openat(AT_FDCWD, \"/g\", O_RDONLY) = 3\n"
	       "[pid 1] read(3,  <unfinished ...>\n"
	       "[pid 2] read(3, \"gg\", 2) = 2\n"
	       "[pid 1] <... read resumed>\"ffff\", 4096) = 4\n"
	       "[pid 2] pread64(3,  <unfinished ...>\n"
	       "[pid 2] <... pread64 resumed> \"g\", 1, 9) = 1\n"
	       "[pid 1] <... read resumed>\"x\", 1) = 1\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nops, 3);
	assert_op(&r, 0, 1, "f0-g", 0, 2);
	assert_op(&r, 1, 0, "f1-f", 0, 4);
	assert_op(&r, 2, 1, "f0-g", 9, 1);
	assert_int_equal(r.st.calls, 5);
	/* The last resumed half had no first half. */
	assert_int_equal(r.st.unmatched, 1);
	result_clear(&r);
}

static void test_strace_import_skips_and_counts_failed_calls(void **state)
{
	(void)state;
	struct result r;

	import("openat(AT_FDCWD, \"/nope\", O_RDONLY) = -1 ENOENT (No such file or directory)\n"
	       "openat(AT_FDCWD, \"/f\", O_RDONLY) = 3\n"
	       "read(3, 0x7ffd, 4096) = -1 EINTR (Interrupted system call)\n"
	       "read(9, 0x7ffd, 4096) = -1 EBADF (Bad file descriptor)\n"
	       "lseek(3, -5, SEEK_SET) = -1 EINVAL (Invalid argument)\n"
	       "read(3, \"a\", 1) = 1\n"
	       "read(3, \"a\", 1) = ?\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nops, 1);
	assert_op(&r, 0, 0, "f0-f", 0, 1);
	assert_int_equal(r.st.failed, 4);
	assert_int_equal(r.st.unmatched, 1);
	result_clear(&r);
}

static void test_strace_import_positions_follow_lseek_readv_pread(void **state)
{
	(void)state;
	struct result r;

	import("openat(AT_FDCWD, \"/f\", O_RDONLY) = 3\n"
	       "lseek(3, 1000, SEEK_SET) = 1000\n"
	       "read(3, \"\", 10) = 10\n"
	       "lseek(3, -4, SEEK_CUR) = 1006\n"
	       "readv(3, [{iov_base=\"ab\", iov_len=2}, {iov_base=\"c\", iov_len=8}], 2) = 3\n"
	       "pread64(3, \"\", 50, 7) = 50\n"
	       "preadv(3, [{iov_base=\"\", iov_len=5}], 1, 300) = 5\n"
	       "read(3, \"\", 1) = 1\n"
	       "lseek(3, 0, SEEK_END) = 5000\n"
	       "read(3, \"\", 10) = 0\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nops, 5);
	assert_op(&r, 0, 0, "f0-f", 1000, 10);
	assert_op(&r, 1, 0, "f0-f", 1006, 3);
	assert_op(&r, 2, 0, "f0-f", 7, 50);
	assert_op(&r, 3, 0, "f0-f", 300, 5);
	assert_op(&r, 4, 0, "f0-f", 1009, 1);
	assert_int_equal(r.files[0].size, 1010);
	assert_int_equal(r.st.eof_reads, 1);
	result_clear(&r);
}

static void test_strace_import_dup_shares_position_close_forgets(void **state)
{
	(void)state;
	struct result r;

	import("openat(AT_FDCWD, \"/f\", O_RDONLY) = 3\n"
	       "dup(3) = 4\n"
	       "read(4, \"\", 10) = 10\n"
	       "read(3, \"\", 10) = 10\n"
	       "openat(AT_FDCWD, \"/g\", O_RDONLY) = 5\n"
	       "dup2(5, 3) = 3\n"
	       "read(3, \"\", 7) = 7\n"
	       "dup3(4, 6, O_CLOEXEC) = 6\n"
	       "close(4) = 0\n"
	       "read(6, \"\", 1) = 1\n"
	       "read(4, \"\", 1) = 1\n"
	       "fcntl(6, F_DUPFD_CLOEXEC, 10) = 10\n"
	       "read(10, \"\", 2) = 2\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nops, 5);
	assert_op(&r, 0, 0, "f0-f", 0, 10);
	assert_op(&r, 1, 0, "f0-f", 10, 10);
	assert_op(&r, 2, 0, "f1-g", 0, 7);
	assert_op(&r, 3, 0, "f0-f", 20, 1);
	assert_op(&r, 4, 0, "f0-f", 21, 2);
	/* fd 4 was closed: its read has nowhere to go. */
	assert_int_equal(r.st.unmatched, 1);
	result_clear(&r);
}

static void test_strace_import_y_fd_opened_before_the_log(void **state)
{
	(void)state;
	struct result r;

	/* Known by path, position unknown until an lseek. */
	import("read(7</srv/in.dat>, \"\", 100) = 100\n"
	       "pread64(7</srv/in.dat>, \"\", 100, 50) = 100\n"
	       "lseek(7</srv/in.dat>, 0, SEEK_CUR) = 400\n"
	       "read(7</srv/in.dat>, \"\", 100) = 100\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nops, 2);
	assert_op(&r, 0, 0, "f0-in.dat", 50, 100);
	assert_op(&r, 1, 0, "f0-in.dat", 400, 100);
	assert_int_equal(r.st.unmatched, 1);
	result_clear(&r);
}

static void test_strace_import_y_path_corrects_a_stale_fd_table(void **state)
{
	(void)state;
	struct result r;

	/* Threads 1 and 2 share an fd table, which strace does not show. */
	import("[pid 1] openat(AT_FDCWD, \"/a\", O_RDONLY) = 3</a>\n"
	       "[pid 2] openat(AT_FDCWD, \"/b\", O_RDONLY) = 4</b>\n"
	       "[pid 1] read(4</b>, \"\", 5) = 5\n"
	       "[pid 1] pread64(4</b>, \"\", 5, 20) = 5\n"
	       "[pid 2] close(3</a>) = 0\n"
	       "[pid 2] openat(AT_FDCWD, \"/c\", O_RDONLY) = 3</c>\n"
	       "[pid 1] pread64(3</c>, \"\", 5, 0) = 5\n"
	       "[pid 1] read(3</a>, \"\", 1) = 1\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nops, 2);
	assert_op(&r, 0, 0, "f0-b", 20, 5);
	assert_op(&r, 1, 0, "f1-c", 0, 5);
	/* read() on a description known only by its -y name has no position:
	 * fd 4 in pid 1, then fd 3 naming /a again. */
	assert_int_equal(r.st.unmatched, 2);
	result_clear(&r);
}

static void test_strace_import_ignores_pipes_ttys_proc(void **state)
{
	(void)state;
	struct result r;

	import("read(0</dev/pts/0>, \"x\", 1) = 1\n"
	       "read(3<pipe:[123]>, \"x\", 1) = 1\n"
	       "openat(AT_FDCWD, \"/proc/self/maps\", O_RDONLY) = 4\n"
	       "read(4, \"x\", 1) = 1\n"
	       "openat(AT_FDCWD, \"/x/dev\", O_RDONLY) = 5\n"
	       "fstat(5, {st_mode=S_IFCHR|0620, st_rdev=makedev(0x88, 0), ...}) = 0\n"
	       "read(5, \"x\", 1) = 1\n"
	       "--- SIGCHLD {si_signo=SIGCHLD} ---\n"
	       "strace: Process 5 attached\n", &r);
	assert_int_equal(r.rc, -1);
	assert_true(g_error_matches(r.err, STRACE_IMPORT_ERROR, STRACE_IMPORT_ERROR_NO_FILES));
	assert_int_equal(r.st.other_reads, 4);
	assert_int_equal(r.st.reads, 0);
	assert_int_equal(r.st.ignored, 2);
	result_clear(&r);
}

static void test_strace_import_size_from_fstat_and_newfstatat(void **state)
{
	(void)state;
	struct result r;

	import("openat(AT_FDCWD, \"/f\", O_RDONLY) = 3\n"
	       "fstat(3, {st_mode=S_IFREG|0644, st_size=10000, ...}) = 0\n"
	       "read(3, \"\", 100) = 100\n"
	       "openat(AT_FDCWD, \"/g\", O_RDONLY) = 4\n"
	       "newfstatat(4, \"\", {st_mode=S_IFREG|0600, st_size=77, ...}, AT_EMPTY_PATH) = 0\n"
	       "read(4, \"\", 100) = 77\n"
	       "newfstatat(AT_FDCWD, \"/h\", {st_mode=S_IFREG|0600, st_size=5, ...}, 0) = 0\n"
	       "openat(AT_FDCWD, \"/h\", O_RDONLY) = 5\n"
	       "read(5, \"\", 1) = 1\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nfiles, 3);
	assert_int_equal(r.files[0].size, 10000);
	assert_int_equal(r.files[1].size, 77);
	assert_int_equal(r.files[2].size, 5);
	result_clear(&r);
}

/* An st_size that is no size (strace prints st_size=-1 for a file system
 * that reports none; a number past off_t's range, a sign, no digits) says
 * the size is unknown: the file's size is what its reads reached, as with
 * no fstat at all, and the count of such sizes is reported.  It once read
 * -1 as 2^64 - 1 bytes. */
static void test_strace_import_invalid_st_size_is_unknown(void **state)
{
	(void)state;
	struct result r;

	import("openat(AT_FDCWD, \"/f\", O_RDONLY) = 3\n"
	       "fstat(3, {st_mode=S_IFREG|0644, st_size=-1, ...}) = 0\n"
	       "read(3, \"\", 100) = 100\n"
	       "openat(AT_FDCWD, \"/g\", O_RDONLY) = 4\n"
	       "fstat(4, {st_mode=S_IFREG|0644, st_size=9223372036854775808, ...}) = 0\n"
	       "read(4, \"\", 10) = 10\n"
	       "openat(AT_FDCWD, \"/h\", O_RDONLY) = 5\n"
	       "fstat(5, {st_mode=S_IFREG|0644, st_size=+700, ...}) = 0\n"
	       "fstat(5, {st_mode=S_IFREG|0644, st_size=, ...}) = 0\n"
	       "read(5, \"\", 7) = 7\n"
	       "openat(AT_FDCWD, \"/k\", O_RDONLY) = 6\n"
	       "fstat(6, {st_mode=S_IFREG|0644, st_size=9223372036854775807, ...}) = 0\n"
	       "fstat(6, {st_mode=S_IFREG|0644, st_size=-1, ...}) = 0\n"
	       "read(6, \"\", 1) = 1\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nfiles, 4);
	assert_int_equal(r.files[0].size, 100);
	assert_int_equal(r.files[1].size, 10);
	assert_int_equal(r.files[2].size, 7);
	/* The largest off_t is a size; a later unknown one does not undo it. */
	assert_int_equal(r.files[3].size, INT64_MAX);
	assert_int_equal(r.st.bad_sizes, 5);
	assert_int_equal(r.st.reads, 4);
	result_clear(&r);
}

static void test_strace_import_ids_are_sanitised_cut_and_unique(void **state)
{
	(void)state;
	struct result r;
	char log[512];

	snprintf(log, sizeof(log),
		 "open(\"/a/%s\", O_RDONLY) = 3\nread(3, \"\", 1) = 1\n"
		 "open(\"/b/%s\", O_RDONLY) = 4\nread(4, \"\", 1) = 1\n"
		 "open(\"/c/sp ace\\303\\251\\\"q\", O_RDONLY) = 5\nread(5, \"\", 1) = 1\n",
		 "x123456789x123456789x123456789x123456789x123456789x123456789x123456789",
		 "x123456789x123456789x123456789x123456789x123456789x123456789x123456789");
	import(log, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nfiles, 3);
	assert_int_equal(strlen(r.files[0].id), TRACE_ID_MAX);
	assert_string_not_equal(r.files[0].id, r.files[1].id);
	assert_string_equal(r.files[2].id, "f2-sp_ace___q");
	result_clear(&r);
}

static void test_strace_importer_ff_logs_numeric_ids_and_map(void **state)
{
	(void)state;
	struct strace_importer *imp = strace_importer_new();
	struct strace_import_stats st;
	struct result r;
	char *map = NULL;
	size_t size;
	GError *err = NULL;

	/* strace -ff: one log per process, no prefixes, the pid from the name. */
	strace_importer_set_numeric_ids(imp, true);
	strace_importer_add_meta(imp, "program", "two\nlines\x01");
	strace_importer_feed_line(imp, "openat(AT_FDCWD, \"/p/one\", O_RDONLY) = 3\n", 100);
	strace_importer_feed_line(imp, "openat(AT_FDCWD, \"/p/two\", O_RDONLY) = 3\n", 200);
	strace_importer_feed_line(imp, "read(3, \"\", 9) = 9\n", 100);
	strace_importer_feed_line(imp, "read(3, \"\", 9) = 8\n", 200);
	memset(&r, 0, sizeof(r));
	FILE *out = open_memstream(&r.trace, &size);
	assert_true(strace_importer_write(imp, out, &err));
	fclose(out);
	parse_result(&r);
	assert_int_equal(r.nops, 2);
	assert_op(&r, 0, 0, "f0", 0, 9);
	assert_op(&r, 1, 1, "f1", 0, 8);
	assert_non_null(strstr(r.trace, "meta program two\n"));

	out = open_memstream(&map, &size);
	assert_true(strace_importer_write_map(imp, out, &err));
	fclose(out);
	assert_string_equal(map, "f0\t/p/one\nf1\t/p/two\n");
	strace_importer_stats(imp, &st);
	assert_int_equal(st.processes, 2);
	assert_int_equal(st.files, 2);
	free(map);
	result_clear(&r);
	strace_importer_free(imp);
}

/* The map is one line a file, ID<TAB>PATH: a path's own tab, line feed,
 * carriage return, backslash and other control bytes are escaped (\\t \\n
 * \\r \\\\ \\ooo), so that a path cannot add a line or a field.  They
 * were written raw. */
static void test_strace_importer_map_escapes_paths(void **state)
{
	(void)state;
	struct strace_importer *imp = strace_importer_new();
	struct result r;
	char *map = NULL;
	size_t size;
	GError *err = NULL;

	strace_importer_set_numeric_ids(imp, true);
	/* strace prints paths C-quoted; the importer reads them back to bytes. */
	strace_importer_feed_line(imp, "openat(AT_FDCWD, \"/a\\tb\\nf1\\t/etc/x\", O_RDONLY) = 3\n", 1);
	strace_importer_feed_line(imp, "read(3, \"\", 9) = 9\n", 1);
	strace_importer_feed_line(imp, "openat(AT_FDCWD, \"/c\\\\d\\r\\33\\177\\303\\251\", O_RDONLY) = 4\n", 1);
	strace_importer_feed_line(imp, "read(4, \"\", 9) = 9\n", 1);
	memset(&r, 0, sizeof(r));
	FILE *out = open_memstream(&r.trace, &size);
	assert_true(strace_importer_write(imp, out, &err));
	fclose(out);
	out = open_memstream(&map, &size);
	assert_true(strace_importer_write_map(imp, out, &err));
	fclose(out);
	printf("%s", map);
	assert_string_equal(map, "f0\t/a\\tb\\nf1\\t/etc/x\n"
				 "f1\t/c\\\\d\\r\\033\\177\303\251\n");
	free(map);
	result_clear(&r);
	strace_importer_free(imp);
}

static void test_strace_import_splits_reads_over_the_format_limit(void **state)
{
	(void)state;
	struct result r;

	/* Linux returns up to 2^31 - 4096 bytes from one read; an op holds 2^30. */
	import("openat(AT_FDCWD, \"/big\", O_RDONLY) = 3\n"
	       "read(3, \"\"..., 2147479552) = 2147479552\n"
	       "read(3, \"\"..., 10) = 10\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nops, 3);
	assert_op(&r, 0, 0, "f0-big", 0, TRACE_MAX_LENGTH);
	assert_op(&r, 1, 0, "f0-big", TRACE_MAX_LENGTH, TRACE_MAX_LENGTH - 4096);
	assert_op(&r, 2, 0, "f0-big", 2147479552, 10);
	assert_int_equal(r.st.reads, 3);
	assert_int_equal(r.st.bytes, 2147479562);
	result_clear(&r);
}

static void test_strace_import_garbage_counts_and_never_crashes(void **state)
{
	(void)state;
	struct result r;

	import("read(\n"
	       "read(3\n"
	       "read(3, \"unterminated\n"
	       "openat(AT_FDCWD, \"/f\", O_RDONLY) = 3\n"
	       "read(3, \"\", 1) = 1 garbage\n"
	       "<... read resumed>\n"
	       "[pid\n"
	       "[pid 12] \n"
	       "99999999999999999999999 read(3, \"\", 1) = 1\n"
	       "read(3, \"\", 1) = 1\n", &r);
	assert_int_equal(r.rc, 0);
	assert_true(r.st.unmatched >= 3);
	assert_true(r.nops >= 1);
	result_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strace_import_plain_log_without_options),
		cmocka_unit_test(test_strace_import_f_tt_T_y_with_pid_prefixes),
		cmocka_unit_test(test_strace_import_f_o_prefix_and_timestamps),
		cmocka_unit_test(test_strace_import_joins_unfinished_and_resumed),
		cmocka_unit_test(test_strace_import_skips_and_counts_failed_calls),
		cmocka_unit_test(test_strace_import_positions_follow_lseek_readv_pread),
		cmocka_unit_test(test_strace_import_dup_shares_position_close_forgets),
		cmocka_unit_test(test_strace_import_y_fd_opened_before_the_log),
		cmocka_unit_test(test_strace_import_y_path_corrects_a_stale_fd_table),
		cmocka_unit_test(test_strace_import_ignores_pipes_ttys_proc),
		cmocka_unit_test(test_strace_import_size_from_fstat_and_newfstatat),
		cmocka_unit_test(test_strace_import_invalid_st_size_is_unknown),
		cmocka_unit_test(test_strace_import_ids_are_sanitised_cut_and_unique),
		cmocka_unit_test(test_strace_importer_ff_logs_numeric_ids_and_map),
		cmocka_unit_test(test_strace_importer_map_escapes_paths),
		cmocka_unit_test(test_strace_import_splits_reads_over_the_format_limit),
		cmocka_unit_test(test_strace_import_garbage_counts_and_never_crashes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

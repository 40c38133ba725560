/*
 * test_trace_parser.c: the trace format v1 parser and content function
 * (traces/trace_parse.h, traces/trace_content.h, traces/FORMAT.md).
 *
 * Every error code of FORMAT.md is produced by a table entry, with the line it
 * must name; each limit is tried at its value and one past it; a trace of a
 * million operations is parsed while the heap is watched; every bundled
 * workload must parse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_content.h"
#include "trace_parse.h"

/* What the callbacks saw. */
struct rec {
	int metas;
	int headers;
	uint32_t nfiles;
	uint64_t ops;
	uint64_t bytes;
	int ends;
	struct trace_op first, last;
	uint64_t stop_at_op;     /* stop when this many ops were seen (0: never) */
};

static int on_meta(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
	struct rec *r = ctx;
	(void)k; (void)kl; (void)v;
	assert_true(vl > 0);
	r->metas++;
	return 0;
}

static int on_header(void *ctx, const struct trace_header *h)
{
	struct rec *r = ctx;
	assert_int_equal(h->version, 1);
	r->headers++;
	r->nfiles = h->nfiles;
	return 0;
}

static int on_op(void *ctx, const struct trace_op *op)
{
	struct rec *r = ctx;
	/* Nothing may be handed out before the header. */
	assert_int_equal(r->headers, 1);
	if (r->ops == 0)
		r->first = *op;
	r->last = *op;
	r->ops++;
	r->bytes += op->length;
	return r->stop_at_op != 0 && r->ops == r->stop_at_op;
}

static int on_end(void *ctx, uint64_t n)
{
	struct rec *r = ctx;
	assert_int_equal(n, r->ops);
	r->ends++;
	return 0;
}

static const struct trace_handler handler = { on_meta, on_header, on_op, on_end };

static struct trace_file files[TRACE_MAX_FILES];

/* Parses text in chunks of chunk bytes (0: all at once). */
static enum trace_error parse_chunked(const char *text, size_t chunk, struct trace_parser *p,
				      struct rec *r, uint32_t cap)
{
	size_t len = strlen(text), at = 0;
	enum trace_error e = TRACE_OK;

	trace_parser_init(p, files, cap);
	if (chunk == 0)
		chunk = len ? len : 1;
	while (at < len && e == TRACE_OK) {
		size_t n = len - at < chunk ? len - at : chunk;
		e = trace_parser_feed(p, text + at, n, &handler, r);
		at += n;
	}
	if (e == TRACE_OK)
		e = trace_parser_finish(p, &handler, r);
	return e;
}

static enum trace_error parse(const char *text, struct trace_parser *p, struct rec *r)
{
	return parse_chunked(text, 0, p, r, TRACE_MAX_FILES);
}

#define GOOD_HEADER "mosaic-trace 1\nfile a 100 pattern 7\n"

static void test_trace_parse_valid_trace_delivers_header_ops_end(void **state)
{
	(void)state;
	static const char text[] =
		"mosaic-trace 1\n"
		"# a comment\n"
		"meta source test\n"
		"meta note  caf\xc3\xa9, UTF-8 is fine here  \n"
		"\n"
		"\tfile a 100 pattern 7\n"
		"file B.x_y+z-1 18446744073709551615 pattern 18446744073709551615\n"
		"ops\n"
		"0 a 0 100 r\n"
		"  # comments between ops\n"
		"65535\tB.x_y+z-1 18446744072635809791 1073741824 w  \n"
		"end 2\n"
		"# after end\n";
	struct trace_parser p;
	struct rec r = { 0 };

	assert_int_equal(parse(text, &p, &r), TRACE_OK);
	assert_int_equal(r.metas, 2);
	assert_int_equal(r.headers, 1);
	assert_int_equal(r.nfiles, 2);
	assert_int_equal(r.ops, 2);
	assert_int_equal(r.ends, 1);
	assert_int_equal(r.first.line, 9);
	assert_int_equal(r.first.client, 0);
	assert_int_equal(r.first.file, 0);
	assert_int_equal(r.first.offset, 0);
	assert_int_equal(r.first.length, 100);
	assert_int_equal(r.first.kind, TRACE_OP_READ);
	assert_int_equal(r.last.line, 11);
	assert_int_equal(r.last.client, 65535);
	assert_int_equal(r.last.file, 1);
	assert_int_equal(r.last.offset, UINT64_MAX - TRACE_MAX_LENGTH);
	assert_int_equal(r.last.kind, TRACE_OP_WRITE);
	assert_int_equal(files[1].size, UINT64_MAX);
	assert_string_equal(files[1].id, "B.x_y+z-1");
	assert_int_equal(files[0].key, trace_content_key("a", 1, 7));
}

struct bad_case {
	const char *what;
	const char *text;
	enum trace_error error;
	uint64_t line;
};

/* One entry (at least) per error code of FORMAT.md. */
static const struct bad_case bad_cases[] = {
	{ "empty input", "", TRACE_E_MAGIC, 1 },
	{ "wrong magic", "mosaic-trace-x 1\n", TRACE_E_MAGIC, 1 },
	{ "magic without version", "mosaic-trace\n", TRACE_E_MAGIC, 1 },
	{ "comment as line 1", "# hi\nmosaic-trace 1\n", TRACE_E_MAGIC, 1 },
	{ "binary line 1", "\x7f" "ELF\n", TRACE_E_MAGIC, 1 },
	{ "version 2", "mosaic-trace 2\n", TRACE_E_VERSION, 1 },
	{ "version 0", "mosaic-trace 0\nfile a 1 pattern 1\nops\nend 0\n", TRACE_E_VERSION, 1 },
	{ "CR line end", "mosaic-trace 1\r\n", TRACE_E_MAGIC, 1 },
	{ "CR in header", GOOD_HEADER "ops\r\n", TRACE_E_CHAR, 3 },
	{ "NUL in comment", GOOD_HEADER "# a\0b\n", TRACE_E_OP_IN_HEADER, 0 },
	{ "control byte in comment", GOOD_HEADER "# a\x01 b\n", TRACE_E_CHAR, 3 },
	{ "DEL", GOOD_HEADER "ops\x7f\n", TRACE_E_CHAR, 3 },
	{ "high byte outside meta", GOOD_HEADER "file \xc3\xa9 1 pattern 1\n", TRACE_E_CHAR, 3 },
	{ "high byte in meta key", GOOD_HEADER "meta k\xc3\xa9 v\n", TRACE_E_CHAR, 3 },
	{ "unknown keyword", GOOD_HEADER "files a 1 pattern 1\n", TRACE_E_SYNTAX, 3 },
	{ "file with 4 fields", GOOD_HEADER "file b 1 pattern\n", TRACE_E_SYNTAX, 3 },
	{ "file with 6 fields", GOOD_HEADER "file b 1 pattern 1 x\n", TRACE_E_SYNTAX, 3 },
	{ "ops with a field", GOOD_HEADER "ops now\n", TRACE_E_SYNTAX, 3 },
	{ "op with 4 fields", GOOD_HEADER "ops\n0 a 0 1\n", TRACE_E_SYNTAX, 4 },
	{ "op with 6 fields", GOOD_HEADER "ops\n0 a 0 1 r r\n", TRACE_E_SYNTAX, 4 },
	{ "trailing comment on op", GOOD_HEADER "ops\n0 a 0 1 r # x\n", TRACE_E_SYNTAX, 4 },
	{ "end without count", GOOD_HEADER "ops\nend\n", TRACE_E_SYNTAX, 4 },
	{ "size not a number", GOOD_HEADER "file b 1k pattern 1\n", TRACE_E_NUMBER, 3 },
	{ "negative size", GOOD_HEADER "file b -1 pattern 1\n", TRACE_E_NUMBER, 3 },
	{ "hex size", GOOD_HEADER "file b 0x10 pattern 1\n", TRACE_E_NUMBER, 3 },
	{ "size 2^64", GOOD_HEADER "file b 18446744073709551616 pattern 1\n", TRACE_E_NUMBER, 3 },
	{ "21 digits", GOOD_HEADER "file b 000000000000000000001 pattern 1\n", TRACE_E_NUMBER, 3 },
	{ "seed not a number", GOOD_HEADER "file b 1 pattern x\n", TRACE_E_NUMBER, 3 },
	{ "offset not a number", GOOD_HEADER "ops\n0 a x 1 r\n", TRACE_E_NUMBER, 4 },
	{ "length not a number", GOOD_HEADER "ops\n0 a 0 +1 r\n", TRACE_E_NUMBER, 4 },
	{ "client 2^64", GOOD_HEADER "ops\n18446744073709551616 a 0 1 r\n", TRACE_E_NUMBER, 4 },
	{ "end count not a number", GOOD_HEADER "ops\nend -0\n", TRACE_E_NUMBER, 4 },
	{ "id with a slash", GOOD_HEADER "file a/b 1 pattern 1\n", TRACE_E_ID, 3 },
	{ "id with a hash", GOOD_HEADER "file a#b 1 pattern 1\n", TRACE_E_ID, 3 },
	{ "id of 64 bytes", GOOD_HEADER
	  "file aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1 pattern 1\n",
	  TRACE_E_ID, 3 },
	{ "op id with a slash", GOOD_HEADER "ops\n0 a/b 0 1 r\n", TRACE_E_ID, 4 },
	{ "meta without value", GOOD_HEADER "meta source\n", TRACE_E_META, 3 },
	{ "meta without value, blanks", GOOD_HEADER "meta source  \t\n", TRACE_E_META, 3 },
	{ "meta without key", GOOD_HEADER "meta\n", TRACE_E_META, 3 },
	{ "meta key upper case", GOOD_HEADER "meta Source x\n", TRACE_E_META, 3 },
	{ "meta key of 32 bytes", GOOD_HEADER "meta aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa x\n",
	  TRACE_E_META, 3 },
	{ "content zero", GOOD_HEADER "file b 1 zero 1\n", TRACE_E_CONTENT, 3 },
	{ "duplicate file", GOOD_HEADER "file a 5 pattern 1\n", TRACE_E_DUP_FILE, 3 },
	{ "ops without files", "mosaic-trace 1\nmeta a b\nops\n", TRACE_E_NO_FILES, 3 },
	{ "meta after ops", GOOD_HEADER "ops\nmeta a b\n", TRACE_E_HEADER_AFTER_OPS, 4 },
	{ "file after ops", GOOD_HEADER "ops\nfile b 1 pattern 1\n", TRACE_E_HEADER_AFTER_OPS, 4 },
	{ "second ops", GOOD_HEADER "ops\n0 a 0 1 r\nops\n", TRACE_E_HEADER_AFTER_OPS, 5 },
	{ "op before ops", GOOD_HEADER "0 a 0 1 r\n", TRACE_E_OP_IN_HEADER, 3 },
	{ "end before ops", GOOD_HEADER "end 0\n", TRACE_E_OP_IN_HEADER, 3 },
	{ "unknown file", GOOD_HEADER "ops\n0 a 0 1 r\n1 b 0 1 r\n", TRACE_E_UNKNOWN_FILE, 5 },
	{ "file id case differs", GOOD_HEADER "ops\n0 A 0 1 r\n", TRACE_E_UNKNOWN_FILE, 4 },
	{ "client 65536", GOOD_HEADER "ops\n65536 a 0 1 r\n", TRACE_E_CLIENT, 4 },
	{ "length 0", GOOD_HEADER "ops\n0 a 0 0 r\n", TRACE_E_LENGTH, 4 },
	{ "length 2^30 + 1", "mosaic-trace 1\nfile a 2000000000 pattern 1\nops\n0 a 0 1073741825 r\n",
	  TRACE_E_LENGTH, 4 },
	{ "read past the end", GOOD_HEADER "ops\n0 a 0 100 r\n0 a 1 100 r\n", TRACE_E_RANGE, 5 },
	{ "offset at the end", GOOD_HEADER "ops\n0 a 100 1 r\n", TRACE_E_RANGE, 4 },
	{ "write past the end", GOOD_HEADER "ops\n0 a 99 2 w\n", TRACE_E_RANGE, 4 },
	{ "offset + length wraps", "mosaic-trace 1\nfile a 18446744073709551615 pattern 1\nops\n"
	  "0 a 18446744073709551615 1 r\n", TRACE_E_RANGE, 4 },
	{ "offset + length wraps far", "mosaic-trace 1\nfile a 18446744073709551615 pattern 1\nops\n"
	  "0 a 18446744073709547520 8192 r\n", TRACE_E_RANGE, 4 },
	{ "op x", GOOD_HEADER "ops\n0 a 0 1 x\n", TRACE_E_OP, 4 },
	{ "op read", GOOD_HEADER "ops\n0 a 0 1 read\n", TRACE_E_OP, 4 },
	{ "op upper case", GOOD_HEADER "ops\n0 a 0 1 R\n", TRACE_E_OP, 4 },
	{ "end count too small", GOOD_HEADER "ops\n0 a 0 1 r\nend 0\n", TRACE_E_END_COUNT, 5 },
	{ "end count too large", GOOD_HEADER "ops\nend 1\n", TRACE_E_END_COUNT, 4 },
	{ "op after end", GOOD_HEADER "ops\nend 0\n0 a 0 1 r\n", TRACE_E_AFTER_END, 5 },
	{ "second end", GOOD_HEADER "ops\nend 0\nend 0\n", TRACE_E_AFTER_END, 5 },
	{ "no end", GOOD_HEADER "ops\n0 a 0 1 r\n", TRACE_E_TRUNCATED, 5 },
	{ "no end, no LF", GOOD_HEADER "ops\n0 a 0 1 r", TRACE_E_TRUNCATED, 5 },
	{ "header only", GOOD_HEADER, TRACE_E_TRUNCATED, 3 },
	{ "magic only", "mosaic-trace 1\n", TRACE_E_TRUNCATED, 2 },
};

static void test_trace_parse_every_error_names_its_line(void **state)
{
	(void)state;
	bool seen[TRACE_E_COUNT_] = { false };

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		/* The NUL case: strlen stops at the NUL, so the line is "# a". */
		if (c->line == 0)
			continue;
		for (size_t chunk = 0; chunk <= 7; chunk += 7) {
			struct trace_parser p;
			struct rec r = { 0 };
			enum trace_error e = parse_chunked(c->text, chunk, &p, &r, TRACE_MAX_FILES);

			if (e != c->error || p.error_line != c->line)
				fail_msg("%s (chunk %zu): got %s at line %llu, want %s at line %llu",
					 c->what, chunk, trace_error_string(e),
					 (unsigned long long)p.error_line,
					 trace_error_string(c->error), (unsigned long long)c->line);
			assert_int_equal(p.error, e);
			/* A bad header is never handed out. */
			if (c->line <= 3 && c->error != TRACE_E_TRUNCATED)
				assert_int_equal(r.headers, 0);
		}
		seen[c->error] = true;
	}
	/* Every code but STOPPED (a callback's), TOO_MANY_FILES and LINE_TOO_LONG
	 * (their own tests). */
	for (int code = 1; code < TRACE_E_COUNT_; code++)
		if (code != TRACE_E_STOPPED && code != TRACE_E_TOO_MANY_FILES &&
		    code != TRACE_E_LINE_TOO_LONG && !seen[code])
			fail_msg("no case for %s", trace_error_string((enum trace_error)code));
}

static void test_trace_parse_rejects_nul_byte(void **state)
{
	(void)state;
	static const char text[] = GOOD_HEADER "# a\0b\nops\nend 0\n";
	struct trace_parser p;
	struct rec r = { 0 };

	trace_parser_init(&p, files, 4);
	assert_int_equal(trace_parser_feed(&p, text, sizeof(text) - 1, &handler, &r), TRACE_E_CHAR);
	assert_int_equal(p.error_line, 3);
}

static void test_trace_parse_line_limit_is_4096(void **state)
{
	(void)state;
	char line[TRACE_LINE_MAX + 2];
	struct trace_parser p;
	struct trace_op op;

	/* Exactly 4096 bytes: a comment, accepted, fed whole or in pieces. */
	memset(line, ' ', sizeof(line));
	line[0] = '#';
	trace_parser_init(&p, files, 4);
	assert_int_equal(trace_parse_line(&p, "mosaic-trace 1", 14, &op), TRACE_EV_NONE);
	assert_int_equal(trace_parse_line(&p, line, TRACE_LINE_MAX, &op), TRACE_EV_NONE);
	assert_int_equal(trace_parse_line(&p, line, TRACE_LINE_MAX + 1, &op), TRACE_EV_ERROR);
	assert_int_equal(p.error, TRACE_E_LINE_TOO_LONG);
	assert_int_equal(p.error_line, 3);

	for (size_t chunk = 1; chunk <= 4097; chunk += 1365) {
		trace_parser_init(&p, files, 4);
		assert_int_equal(trace_parser_feed(&p, "mosaic-trace 1\n", 15, NULL, NULL), TRACE_OK);
		size_t at = 0;
		enum trace_error e = TRACE_OK;
		line[TRACE_LINE_MAX] = '\n';
		while (at <= TRACE_LINE_MAX && e == TRACE_OK) {
			size_t n = TRACE_LINE_MAX + 1 - at < chunk ? TRACE_LINE_MAX + 1 - at : chunk;
			e = trace_parser_feed(&p, line + at, n, NULL, NULL);
			at += n;
		}
		assert_int_equal(e, TRACE_OK);
		assert_int_equal(p.line, 2);
		/* 4097 bytes without LF yet: reported at once, without waiting. */
		line[TRACE_LINE_MAX] = ' ';
		e = trace_parser_feed(&p, line, TRACE_LINE_MAX + 1, NULL, NULL);
		assert_int_equal(e, TRACE_E_LINE_TOO_LONG);
		assert_int_equal(p.error_line, 3);
	}
}

static void test_trace_parse_limits_accepted_at_their_value(void **state)
{
	(void)state;
	static const char text[] =
		"mosaic-trace 1\n"
		"meta aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa x\n"
		"file aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 2147483648 pattern 0\n"
		"file z 0 pattern 00000000000000000001\n"
		"ops\n"
		"65535 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1073741824 1073741824 r\n"
		"end 00000000000000000001\n";
	struct trace_parser p;
	struct rec r = { 0 };

	assert_int_equal(parse(text, &p, &r), TRACE_OK);
	assert_int_equal(r.ops, 1);
	assert_int_equal(files[1].size, 0);
	assert_int_equal(files[1].seed, 1);
	assert_int_equal(r.last.length, TRACE_MAX_LENGTH);
}

static void test_trace_parse_too_many_files_for_caller_or_format(void **state)
{
	(void)state;
	struct trace_parser p;
	struct trace_op op;
	char line[64];

	/* The caller's room. */
	trace_parser_init(&p, files, 2);
	assert_int_equal(trace_parse_line(&p, "mosaic-trace 1", 14, &op), TRACE_EV_NONE);
	assert_int_equal(trace_parse_line(&p, "file a 1 pattern 1", 18, &op), TRACE_EV_NONE);
	assert_int_equal(trace_parse_line(&p, "file b 1 pattern 1", 18, &op), TRACE_EV_NONE);
	assert_int_equal(trace_parse_line(&p, "file c 1 pattern 1", 18, &op), TRACE_EV_ERROR);
	assert_int_equal(p.error, TRACE_E_TOO_MANY_FILES);
	assert_int_equal(p.error_line, 4);
	assert_int_equal(p.nfiles, 2);

	/* The format's 4096, even with more room. */
	static struct trace_file big[TRACE_MAX_FILES + 1];
	trace_parser_init(&p, big, TRACE_MAX_FILES + 1);
	assert_int_equal(trace_parse_line(&p, "mosaic-trace 1", 14, &op), TRACE_EV_NONE);
	for (unsigned i = 0; i <= TRACE_MAX_FILES; i++) {
		int n = snprintf(line, sizeof(line), "file f%u 1 pattern %u", i, i);
		enum trace_event ev = trace_parse_line(&p, line, (size_t)n, &op);
		assert_int_equal(ev, i < TRACE_MAX_FILES ? TRACE_EV_NONE : TRACE_EV_ERROR);
	}
	assert_int_equal(p.error, TRACE_E_TOO_MANY_FILES);
	assert_int_equal(p.error_line, TRACE_MAX_FILES + 2);
}

static void test_trace_parse_finds_each_of_4096_files(void **state)
{
	(void)state;
	struct trace_parser p;
	struct trace_op op;
	char line[96];

	trace_parser_init(&p, files, TRACE_MAX_FILES);
	assert_int_equal(trace_parse_line(&p, "mosaic-trace 1", 14, &op), TRACE_EV_NONE);
	for (unsigned i = 0; i < TRACE_MAX_FILES; i++) {
		int n = snprintf(line, sizeof(line), "file f%u %u pattern %u", i, i + 1, i);
		assert_int_equal(trace_parse_line(&p, line, (size_t)n, &op), TRACE_EV_NONE);
	}
	assert_int_equal(trace_parse_line(&p, "ops", 3, &op), TRACE_EV_HEADER);
	/* Backwards, so the last-file hint never helps. */
	for (unsigned i = TRACE_MAX_FILES; i-- > 0;) {
		int n = snprintf(line, sizeof(line), "7 f%u %u 1 r", i, i);
		assert_int_equal(trace_parse_line(&p, line, (size_t)n, &op), TRACE_EV_OP);
		assert_int_equal(op.file, i);
		assert_int_equal(op.offset, i);
	}
	assert_null(trace_parser_find_file(&p, "f4096", 5));
	assert_null(trace_parser_find_file(&p, "f", 1));
	assert_non_null(trace_parser_find_file(&p, "f0", 2));
	assert_int_equal(trace_parse_line(&p, "0 f4096 0 1 r", 13, &op), TRACE_EV_ERROR);
	assert_int_equal(p.error, TRACE_E_UNKNOWN_FILE);
}

static void test_trace_parse_same_result_in_any_chunking(void **state)
{
	(void)state;
	static const char text[] =
		"mosaic-trace 1\nmeta a b\nfile x 10000 pattern 3\nfile y 10 pattern 4\nops\n"
		"0 x 0 4096 r\n1 y 0 10 r\n0 x 4096 5904 r\n# c\n2 y 9 1 w\nend 4";
	struct rec whole = { 0 };
	struct trace_parser p;

	assert_int_equal(parse(text, &p, &whole), TRACE_OK);
	assert_int_equal(whole.ops, 4);
	for (size_t chunk = 1; chunk < sizeof(text); chunk++) {
		struct rec r = { 0 };
		assert_int_equal(parse_chunked(text, chunk, &p, &r, 8), TRACE_OK);
		assert_int_equal(r.ops, whole.ops);
		assert_int_equal(r.bytes, whole.bytes);
		assert_int_equal(r.last.line, whole.last.line);
		assert_int_equal(r.metas, 1);
		assert_int_equal(r.ends, 1);
	}
}

static void test_trace_parse_stops_when_asked_and_stays_stopped(void **state)
{
	(void)state;
	static const char text[] = GOOD_HEADER "ops\n0 a 0 1 r\n0 a 1 1 r\n0 a 2 1 r\nend 3\n";
	struct trace_parser p;
	struct rec r = { 0 };

	r.stop_at_op = 2;
	assert_int_equal(parse(text, &p, &r), TRACE_E_STOPPED);
	assert_int_equal(p.error_line, 5);
	assert_int_equal(r.ops, 2);
	/* Stopped: more input changes nothing and calls nobody. */
	assert_int_equal(trace_parser_feed(&p, "0 a 3 1 r\n", 10, &handler, &r), TRACE_E_STOPPED);
	assert_int_equal(trace_parser_finish(&p, &handler, &r), TRACE_E_STOPPED);
	assert_int_equal(r.ops, 2);
	assert_int_equal(p.error_line, 5);
}

static void test_trace_error_format_names_file_and_line(void **state)
{
	(void)state;
	struct trace_parser p;
	struct rec r = { 0 };
	char buf[128], tiny[8];

	assert_int_equal(parse(GOOD_HEADER "ops\n0 nosuch 0 1 r\n", &p, &r), TRACE_E_UNKNOWN_FILE);
	size_t n = trace_error_format(&p, "w.trace", buf, sizeof(buf));
	assert_string_equal(buf, "w.trace:4: operation names an undeclared file");
	assert_int_equal(n, strlen(buf));
	/* Cut to size, still terminated, full length returned. */
	assert_int_equal(trace_error_format(&p, "w.trace", tiny, sizeof(tiny)), n);
	assert_string_equal(tiny, "w.trace");
	trace_error_format(&p, NULL, buf, sizeof(buf));
	assert_string_equal(buf, "trace:4: operation names an undeclared file");
	assert_string_equal(trace_error_string((enum trace_error)999), "unknown error");
}

static void test_trace_content_matches_reference_values(void **state)
{
	(void)state;
	/* Computed by an independent implementation of FORMAT.md (Python). */
	static const uint8_t first[8] = { 0xc7, 0x89, 0xd8, 0x40, 0x20, 0x4c, 0x25, 0xc7 };
	static const uint8_t at4093[7] = { 0x1e, 0xf4, 0x8b, 0xff, 0x88, 0x4a, 0x72 };
	uint64_t key = trace_content_key("data", 4, 1);
	uint8_t buf[16];

	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(trace_content_byte(key, i), first[i]);
	trace_content_fill(key, 4093, buf, 7);
	assert_memory_equal(buf, at4093, 7);
	assert_int_equal(trace_content_byte(trace_content_key("big", 3, 1),
					    (UINT64_C(1) << 63) + 5), 0x98);
}

static void test_trace_content_fill_and_check_agree_at_any_alignment(void **state)
{
	(void)state;
	uint64_t key = trace_content_key("x", 1, 99);
	uint8_t buf[64];

	for (uint64_t off = 0; off < 17; off++)
		for (size_t len = 0; len <= 40; len++) {
			trace_content_fill(key, off, buf, len);
			for (size_t i = 0; i < len; i++)
				assert_int_equal(buf[i], trace_content_byte(key, off + i));
			assert_int_equal(trace_content_check(key, off, buf, len), len);
			if (len > 0) {
				buf[len - 1] ^= 1;
				assert_int_equal(trace_content_check(key, off, buf, len), len - 1);
			}
		}
	/* Different ids and seeds give different bytes. */
	trace_content_fill(trace_content_key("x", 1, 98), 0, buf, 32);
	assert_int_not_equal(trace_content_check(key, 0, buf, 32), 32);
	trace_content_fill(trace_content_key("y", 1, 99), 0, buf, 32);
	assert_int_not_equal(trace_content_check(key, 0, buf, 32), 32);
}

/* A million operations, generated a chunk at a time and never held whole:
 * the parser must not touch the heap at all. */
static void test_trace_parse_million_ops_in_constant_memory(void **state)
{
	(void)state;
	enum { NOPS = 1000000 };
	static char chunk[1 << 16];
	struct trace_parser p;
	struct rec r = { 0 };
	size_t used = 0;

	trace_parser_init(&p, files, 4);
	const char *head = "mosaic-trace 1\nfile data 8192000 pattern 8192\nops\n";
	assert_int_equal(trace_parser_feed(&p, head, strlen(head), &handler, &r), TRACE_OK);

	struct mallinfo2 before = mallinfo2();
	for (uint32_t i = 0; i < NOPS; i++) {
		/* 61 bytes of line at most: flush before that could overflow. */
		if (used > sizeof(chunk) - 64) {
			assert_int_equal(trace_parser_feed(&p, chunk, used, &handler, &r), TRACE_OK);
			used = 0;
		}
		used += (size_t)snprintf(chunk + used, sizeof(chunk) - used, "%u data %u %u r\n",
					 i % 3, (i % 1000) * 8192, 8192 - i % 7);
	}
	used += (size_t)snprintf(chunk + used, sizeof(chunk) - used, "end %u\n", NOPS);
	assert_int_equal(trace_parser_feed(&p, chunk, used, &handler, &r), TRACE_OK);
	assert_int_equal(trace_parser_finish(&p, &handler, &r), TRACE_OK);
	struct mallinfo2 after = mallinfo2();

	assert_int_equal(r.ops, NOPS);
	assert_int_equal(p.line, NOPS + 4);
	assert_int_equal(after.uordblks, before.uordblks);
	print_message("1,000,000 ops in a %zu-byte parser, heap in use %zu -> %zu bytes\n",
		      sizeof(p), before.uordblks, after.uordblks);
}

/* Parses one file from disk in 4 KiB reads; fails with name:line: reason. */
static uint64_t parse_path(const char *path)
{
	FILE *f = fopen(path, "r");
	struct trace_parser p;
	struct rec r = { 0 };
	char buf[4096], msg[512];
	size_t n;
	enum trace_error e = TRACE_OK;

	assert_non_null(f);
	trace_parser_init(&p, files, TRACE_MAX_FILES);
	while (e == TRACE_OK && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		e = trace_parser_feed(&p, buf, n, &handler, &r);
	fclose(f);
	if (e == TRACE_OK)
		e = trace_parser_finish(&p, &handler, &r);
	if (e != TRACE_OK) {
		trace_error_format(&p, path, msg, sizeof(msg));
		fail_msg("%s", msg);
	}
	assert_int_equal(r.headers, 1);
	return r.ops;
}

static unsigned parse_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;
	char path[1024];

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 6, ".trace") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		uint64_t ops = parse_path(path);
		print_message("%s: %llu ops\n", e->d_name, (unsigned long long)ops);
		assert_true(ops > 0);
		n++;
	}
	closedir(d);
	return n;
}

static void test_trace_parse_every_bundled_workload(void **state)
{
	(void)state;
	const char *root = getenv("MOSAIC_SOURCE_ROOT");
	char dir[1024];

	assert_non_null(root);
	snprintf(dir, sizeof(dir), "%s/traces/workloads", root);
	assert_int_equal(parse_dir(dir), 6);   /* gen.py all */
	snprintf(dir, sizeof(dir), "%s/traces/workloads/real", root);
	assert_true(parse_dir(dir) >= 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_parse_valid_trace_delivers_header_ops_end),
		cmocka_unit_test(test_trace_parse_every_error_names_its_line),
		cmocka_unit_test(test_trace_parse_rejects_nul_byte),
		cmocka_unit_test(test_trace_parse_line_limit_is_4096),
		cmocka_unit_test(test_trace_parse_limits_accepted_at_their_value),
		cmocka_unit_test(test_trace_parse_too_many_files_for_caller_or_format),
		cmocka_unit_test(test_trace_parse_finds_each_of_4096_files),
		cmocka_unit_test(test_trace_parse_same_result_in_any_chunking),
		cmocka_unit_test(test_trace_parse_stops_when_asked_and_stays_stopped),
		cmocka_unit_test(test_trace_error_format_names_file_and_line),
		cmocka_unit_test(test_trace_content_matches_reference_values),
		cmocka_unit_test(test_trace_content_fill_and_check_agree_at_any_alignment),
		cmocka_unit_test(test_trace_parse_million_ops_in_constant_memory),
		cmocka_unit_test(test_trace_parse_every_bundled_workload),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

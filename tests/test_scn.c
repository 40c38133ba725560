/*
 * test_scn.c: the scenario parser and the canonical result lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "scn.h"

/* Parse one line; returns scn_next's result. */
static int parse1(const char *text, struct scn_op *op, struct scn_error *err)
{
	struct scn_parser p;

	scn_parser_init(&p, text, strlen(text));
	return scn_next(&p, op, err);
}

static void test_scn_parses_every_operation(void **state)
{
	(void)state;
	static const char text[] =
		"# a comment line\n"
		"\n"
		"scenario all-ops defect-stock\n"
		"task t2\n"
		"alloc a self 4p\n"
		"dealloc a 1p 1p\n"
		"fill a 0 2p @7   # trailing comment\n"
		"check a 0 2p zero => mismatch\n"
		"protect a 0 1p r\n"
		"maxprotect a 0 1p none => KERN_PROTECTION_FAILURE\n"
		"read d a 0 1p => KERN_SUCCESS count 4096\n"
		"write a 0 d 0 1p\n"
		"copy a 1p a 0 1p\n"
		"rproxy p a 0 rw 1p\n"
		"proxy q r p 0 0x1000 1p\n"
		"map m self q -1p 1p rw rwx copy => KERN_INVALID_ARGUMENT\n"
		"fastread a 5 q 0x11 1p => KERN_SUCCESS count 4000\n"
		"fastwrite a 0 p 1 2 => KERN_PROTECTION_FAILURE\n"
		"objcopy p 3 q 4 5 => KERN_SUCCESS count 5\n";
	static const enum scn_kind kinds[] = {
		SCN_SCENARIO, SCN_TASK, SCN_ALLOC, SCN_DEALLOC, SCN_FILL,
		SCN_CHECK, SCN_PROTECT, SCN_MAXPROTECT, SCN_READ, SCN_WRITE,
		SCN_COPY, SCN_RPROXY, SCN_PROXY, SCN_MAP, SCN_FASTREAD,
		SCN_FASTWRITE, SCN_OBJCOPY,
	};
	struct scn_parser p;
	struct scn_op op;
	struct scn_error err;
	size_t i = 0;

	scn_parser_init(&p, text, sizeof text - 1);
	while (scn_next(&p, &op, &err) == 1) {
		assert_true(i < sizeof kinds / sizeof kinds[0]);
		assert_int_equal(op.kind, kinds[i]);
		i++;
		switch (op.kind) {
		case SCN_SCENARIO:
			assert_string_equal(op.sym[0], "all-ops");
			assert_int_equal(op.tags, SCN_TAG_DEFECT_STOCK);
			assert_int_equal(op.line, 3);
			break;
		case SCN_FILL:
			assert_int_equal(op.num[1], 2 * 4096);
			assert_int_equal(op.pattern, 7);
			break;
		case SCN_CHECK:
			assert_int_equal(op.pattern, SCN_PATTERN_ZERO);
			assert_int_equal(op.want_cmp, SCN_CMP_MISMATCH);
			break;
		case SCN_MAXPROTECT:
			assert_int_equal(op.prot[0], 0);
			assert_int_equal(op.want_kr, 2);
			break;
		case SCN_READ:
			assert_true(op.want_count);
			assert_int_equal(op.count, 4096);
			break;
		case SCN_PROXY:
			assert_int_equal(op.prot[0], 1);
			assert_string_equal(op.sym[1], "p");
			assert_int_equal(op.num[1], 0x1000);
			assert_int_equal(op.ranges, 1);
			break;
		case SCN_MAP:
			assert_string_equal(op.sym[2], "q");
			assert_int_equal(op.num[0], UINT64_MAX - 4095);
			assert_int_equal(op.prot[0], 3);
			assert_int_equal(op.prot[1], 7);
			assert_true(op.copy);
			assert_int_equal(op.want_kr, 4);
			break;
		case SCN_FASTREAD:
			assert_string_equal(op.sym[0], "a");
			assert_string_equal(op.sym[1], "q");
			assert_int_equal(op.num[0], 5);
			assert_int_equal(op.num[1], 0x11);
			assert_int_equal(op.num[2], 4096);
			assert_true(op.want_count);
			assert_int_equal(op.count, 4000);
			break;
		case SCN_FASTWRITE:
			assert_int_equal(op.want_kr, 2);
			assert_false(op.want_count);
			break;
		case SCN_OBJCOPY:
			assert_string_equal(op.sym[0], "p");
			assert_string_equal(op.sym[1], "q");
			assert_int_equal(op.num[0], 3);
			assert_int_equal(op.num[1], 4);
			assert_int_equal(op.num[2], 5);
			assert_int_equal(op.count, 5);
			break;
		default:
			break;
		}
	}
	assert_int_equal(i, sizeof kinds / sizeof kinds[0]);
}

static void test_scn_default_expectation_is_success(void **state)
{
	(void)state;
	struct scn_op op;
	struct scn_error err;

	assert_int_equal(parse1("alloc a self 1p", &op, &err), 1);
	assert_int_equal(op.want_kr, 0);
	assert_false(op.want_count);
	assert_int_equal(op.want_cmp, SCN_CMP_NONE);
	assert_int_equal(parse1("check a 0 1p @1", &op, &err), 1);
	assert_int_equal(op.want_cmp, SCN_CMP_MATCH);
}

static void test_scn_rejects_malformed_lines(void **state)
{
	(void)state;
	static const char *bad[] = {
		"frobnicate a",                 /* unknown operation */
		"alloc a self",                 /* too few arguments */
		"alloc a self 1p 2p",           /* too many */
		"alloc 1a self 1p",             /* name starts with a digit */
		"alloc a self 0x",              /* number without digits */
		"alloc a self 1q",              /* bad suffix */
		"alloc a self 99999999999999999999",    /* magnitude overflow */
		"alloc a self 0x10000000000000p",       /* page overflow */
		"protect a 0 1p rr",            /* repeated bit */
		"protect a 0 1p q",
		"fill a 0 1p @256",             /* pattern out of range */
		"fill a 0 1p 7",                /* pattern without @ */
		"alloc a self 1p => KERN_NOPE", /* unknown status */
		"alloc a self 1p =>",           /* empty expectation */
		"alloc a self 1p => match",     /* match only after check */
		"alloc a self 1p => KERN_SUCCESS count 1",  /* count only after read, fast copies */
		"fastread a 0 q 0",             /* fast copy without its length */
		"objcopy p 0 q 0 1 copy",       /* a flag it does not take */
		"read d a 0 1p => KERN_SUCCESS count",
		"read d a 0 1p => KERN_SUCCESS extra",
		"scenario x bogus-tag",
		"alloc abcdefghijklmnopqrstuvwxyz self 1p",  /* name too long */
		"proxy q rw p 0 0",             /* a range without its length */
		"proxy q rw p 0 0 1p p 1p 0",   /* a second range cut short */
		"proxy q rw p 0 0 1p 1p 0 0 1p",        /* a number for a name */
		"proxy q rw",                   /* no range at all */
		("proxy q rw p 0 0 1p p 1p 0 1p p 2p 0 1p p 3p 0 1p "
		 "p 4p 0 1p p 5p 0 1p p 6p 0 1p p 7p 0 1p p 8p 0 1p"),  /* nine */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct scn_op op;
		struct scn_error err = { 0, 0, NULL };
		if (parse1(bad[i], &op, &err) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(err.line, 1);
		assert_non_null(err.msg);
	}
}

static void test_scn_proxy_takes_one_group_per_range(void **state)
{
	(void)state;
	struct scn_op op;
	struct scn_error err;

	assert_int_equal(parse1("proxy q rw a 0 0 1p b 2p 1p 3p null 0x5000 0 1 "
				"=> KERN_INVALID_NAME", &op, &err), 1);
	assert_int_equal(op.kind, SCN_PROXY);
	assert_int_equal(op.ranges, 3);
	assert_string_equal(op.sym[0], "q");
	assert_string_equal(op.sym[1], "a");
	assert_string_equal(op.sym[2], "b");
	assert_string_equal(op.sym[3], "null");
	assert_int_equal(op.num[3], 2 * 4096);
	assert_int_equal(op.num[4], 4096);
	assert_int_equal(op.num[5], 3 * 4096);
	assert_int_equal(op.num[6], 0x5000);
	assert_int_equal(op.num[8], 1);
	assert_int_equal(op.want_kr, 15);

	/* The most ranges a line takes. */
	assert_int_equal(parse1("proxy q rw p 0 0 1p p 1p 0 1p p 2p 0 1p p 3p 0 1p "
				"p 4p 0 1p p 5p 0 1p p 6p 0 1p p 7p 0 1p", &op, &err), 1);
	assert_int_equal(op.ranges, SCN_RANGES_MAX);
	assert_int_equal(op.num[3 * (SCN_RANGES_MAX - 1)], 7 * 4096);

	/* Other operations have no ranges. */
	assert_int_equal(parse1("map m self q 0 1p r r", &op, &err), 1);
	assert_int_equal(op.ranges, 0);
}

static void test_scn_rangeproxy_groups_and_open_end(void **state)
{
	(void)state;
	struct scn_op op;
	struct scn_error err;

	/* Closed ranges only. */
	assert_int_equal(parse1("rangeproxy q a r 0 1p null none 0 2p b rw 1p 3p",
				&op, &err), 1);
	assert_int_equal(op.kind, SCN_RANGEPROXY);
	assert_int_equal(op.ranges, 3);
	assert_false(op.open_ended);
	assert_string_equal(op.sym[0], "q");
	assert_string_equal(op.sym[1], "a");
	assert_string_equal(op.sym[2], "null");
	assert_string_equal(op.sym[3], "b");
	assert_int_equal(op.prot[0], 1);
	assert_int_equal(op.prot[1], 0);
	assert_int_equal(op.prot[2], 3);
	assert_int_equal(op.num[0], 0);
	assert_int_equal(op.num[1], 4096);
	assert_int_equal(op.num[3], 2 * 4096);
	assert_int_equal(op.num[4], 4096);
	assert_int_equal(op.num[5], 3 * 4096);
	assert_int_equal(op.want_kr, 0);

	/* An open-ended last range, then an expectation. */
	assert_int_equal(parse1("rangeproxy q a rw 1p 2p b r => KERN_INVALID_ARGUMENT",
				&op, &err), 1);
	assert_int_equal(op.ranges, 2);
	assert_true(op.open_ended);
	assert_string_equal(op.sym[2], "b");
	assert_int_equal(op.prot[1], 1);
	assert_int_equal(op.want_kr, 4);

	/* One open-ended range alone. */
	assert_int_equal(parse1("rangeproxy q a rwx", &op, &err), 1);
	assert_int_equal(op.ranges, 1);
	assert_true(op.open_ended);
	assert_int_equal(op.prot[0], 7);

	/* The most ranges, the last open-ended. */
	assert_int_equal(parse1("rangeproxy q p r 0 1p p r 0 1p p r 0 1p p r 0 1p "
				"p r 0 1p p r 0 1p p r 0 1p p w", &op, &err), 1);
	assert_int_equal(op.ranges, SCN_RANGES_MAX);
	assert_true(op.open_ended);
	assert_int_equal(op.prot[SCN_RANGES_MAX - 1], 2);

	/* A group cut elsewhere, nothing at all, one range too many. */
	assert_int_equal(parse1("rangeproxy q a r 0", &op, &err), -1);
	assert_string_equal(err.msg, "too few arguments");
	assert_int_equal(parse1("rangeproxy q a", &op, &err), -1);
	assert_int_equal(parse1("rangeproxy q", &op, &err), -1);
	assert_int_equal(parse1("rangeproxy q a 0 0 1p", &op, &err), -1);
	assert_string_equal(err.msg, "bad protection");
	assert_int_equal(parse1("rangeproxy q p r 0 1p p r 0 1p p r 0 1p p r 0 1p "
				"p r 0 1p p r 0 1p p r 0 1p p r 0 1p p r", &op, &err), -1);
	assert_string_equal(err.msg, "too many arguments");
}

static void test_scn_error_reports_line_and_column(void **state)
{
	(void)state;
	static const char text[] = "task t\n\nprotect a 0 1p rz\ntask u\n";
	struct scn_parser p;
	struct scn_op op;
	struct scn_error err;

	scn_parser_init(&p, text, sizeof text - 1);
	assert_int_equal(scn_next(&p, &op, &err), 1);
	assert_int_equal(scn_next(&p, &op, &err), -1);
	assert_int_equal(err.line, 3);
	assert_int_equal(err.column, 16);
	assert_string_equal(err.msg, "bad protection");
	/* The parser goes on after the bad line. */
	assert_int_equal(scn_next(&p, &op, &err), 1);
	assert_string_equal(op.sym[0], "u");
	assert_int_equal(scn_next(&p, &op, &err), 0);
}

static void test_scn_numbers_wrap_only_by_minus(void **state)
{
	(void)state;
	struct scn_op op;
	struct scn_error err;

	assert_int_equal(parse1("alloc a self 0xffffffffffffffff", &op, &err), 1);
	assert_int_equal(op.num[0], UINT64_MAX);
	assert_int_equal(parse1("alloc a self -1", &op, &err), 1);
	assert_int_equal(op.num[0], UINT64_MAX);
	assert_int_equal(parse1("alloc a self 0x10000000000000000", &op, &err), -1);
}

static void test_scn_text_without_final_newline(void **state)
{
	(void)state;
	struct scn_op op;
	struct scn_error err;
	struct scn_parser p;
	static const char text[] = "task a\ntask b";

	scn_parser_init(&p, text, sizeof text - 1);
	assert_int_equal(scn_next(&p, &op, &err), 1);
	assert_int_equal(scn_next(&p, &op, &err), 1);
	assert_string_equal(op.sym[0], "b");
	assert_int_equal(op.line, 2);
	assert_int_equal(scn_next(&p, &op, &err), 0);
	assert_int_equal(scn_next(&p, &op, &err), 0);
}

static void test_scn_pattern_differs_by_seed_and_page(void **state)
{
	(void)state;
	assert_int_equal(scn_pattern_byte(SCN_PATTERN_ZERO, 12345), 0);
	assert_true(scn_pattern_byte(1, 0) != scn_pattern_byte(2, 0));
	/* A page shifted by one page is not the same bytes. */
	int same = 0;
	for (uint64_t k = 0; k < 4096; k++)
		same += scn_pattern_byte(5, k) == scn_pattern_byte(5, k + 4096);
	assert_int_equal(same, 0);
}

static void test_scn_result_line_ok_and_fail(void **state)
{
	(void)state;
	struct scn_op op;
	struct scn_error err;
	struct scn_outcome out = { 0 };
	char line[SCN_RESULT_MAX];

	assert_int_equal(parse1("read d a 0 1p => KERN_SUCCESS count 4096", &op, &err), 1);
	out.kr = 0;
	out.has_count = true;
	out.count = 4096;
	scn_result_format(line, sizeof line, "s1", &op, &out);
	assert_string_equal(line, "scn s1 1 read KERN_SUCCESS count=4096 ok");
	out.count = 100;
	scn_result_format(line, sizeof line, "s1", &op, &out);
	assert_string_equal(line,
		"scn s1 1 read KERN_SUCCESS count=100 FAIL want KERN_SUCCESS count=4096");

	assert_int_equal(parse1("check a 0 1p @3", &op, &err), 1);
	out = (struct scn_outcome){ .kr = 0, .compared = true, .match = false,
				    .mismatch_at = 4097 };
	scn_result_format(line, sizeof line, "s1", &op, &out);
	assert_string_equal(line, "scn s1 1 check KERN_SUCCESS mismatch@4097 FAIL want match");
	out = (struct scn_outcome){ .unbound = true };
	scn_result_format(line, sizeof line, "s1", &op, &out);
	assert_string_equal(line, "scn s1 1 check unbound FAIL want match");
	out = (struct scn_outcome){ .refused = true, .compared = true, .match = true };
	assert_false(scn_outcome_ok(&op, &out));
	scn_result_format(line, sizeof line, "s1", &op, &out);
	assert_string_equal(line, "scn s1 1 check refused FAIL want match");

	assert_int_equal(parse1("map m self p 0 1p rw rw => KERN_INVALID_ARGUMENT", &op, &err), 1);
	out = (struct scn_outcome){ .kr = 4 };
	scn_result_format(line, sizeof line, "s1", &op, &out);
	assert_string_equal(line, "scn s1 1 map KERN_INVALID_ARGUMENT ok");
}

static void test_scn_result_line_truncates_safely(void **state)
{
	(void)state;
	struct scn_op op;
	struct scn_error err;
	struct scn_outcome out = { 0 };
	char line[12];

	memset(line, 'x', sizeof line);
	assert_int_equal(parse1("task t", &op, &err), 1);
	assert_int_equal(scn_result_format(line, sizeof line, "s", &op, &out), 11);
	assert_string_equal(line, "scn s 1 tas");
	assert_int_equal(scn_result_format(line, 0, "s", &op, &out), 0);
}

static void test_scn_summary_line(void **state)
{
	(void)state;
	char line[SCN_RESULT_MAX];

	scn_summary_format(line, sizeof line, "s", 7, 0);
	assert_string_equal(line, "scn s end ok 7");
	scn_summary_format(line, sizeof line, "s", 7, 2);
	assert_string_equal(line, "scn s end FAIL 2/7");
}

static void test_scn_kr_parse_knows_mach_names(void **state)
{
	(void)state;
	int kr = -1;

	assert_true(scn_kr_parse("KERN_NO_SPACE", 13, &kr));
	assert_int_equal(kr, 3);
	assert_true(scn_kr_parse("MACH_SEND_INVALID_DEST", 22, &kr));
	assert_int_equal(kr, 0x10000003);
	assert_false(scn_kr_parse("KERN_NO_SPACEX", 14, &kr));
	assert_false(scn_kr_parse("KERN_NO_SPAC", 12, &kr));
	assert_false(scn_kr_parse("KERN_?", 6, &kr));
}

/* A small deterministic generator: the seed is printed, so a failure can
 * be replayed. */
static uint64_t rng_state;

static uint32_t rng_next(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33);
}

static void test_scn_survives_random_text(void **state)
{
	(void)state;
	static const char *tokens[] = {
		"scenario", "task", "alloc", "dealloc", "fill", "check", "protect",
		"maxprotect", "read", "write", "copy", "rproxy", "proxy", "map",
		"a", "self", "p", "0", "1p", "-1p", "0x1000", "0x", "p", "@7",
		"@300", "zero", "rw", "rwx", "none", "rr", "copy", "=>", "count",
		"match", "mismatch", "KERN_SUCCESS", "KERN_NO_SPACE", "#", "x#y",
		"defect-stock", "99999999999999999999", "\t", "\r", "\n", "",
	};
	static char text[1 << 16];
	const uint64_t seed = 20261122;
	size_t len = 0;

	print_message("seed %llu\n", (unsigned long long)seed);
	rng_state = seed;
	static const char *lines[] = {
		"scenario s defect-stock\n", "task t\n", "alloc a self 4p\n",
		"fill a 0 1p @3\n", "check a 0 1p zero => mismatch\n",
		"read d a 0 1p => KERN_SUCCESS count 4096\n",
		"map m self p -1p 1p r r copy => KERN_INVALID_ARGUMENT\n",
		"proxy q rw p 0 0 1p\n",
	};
	while (len + 64 < sizeof text) {
		if (rng_next() % 2) {
			/* A valid line, cut short one time in four. */
			const char *l = lines[rng_next() % (sizeof lines / sizeof lines[0])];
			size_t n = strlen(l), cut = rng_next() % 4 ? n : rng_next() % n;
			memcpy(text + len, l, cut);
			len += cut;
			if (cut < n)
				text[len++] = '\n';
			continue;
		}
		const char *t = tokens[rng_next() % (sizeof tokens / sizeof tokens[0])];
		if (t[0] == '\\') {
			text[len++] = t[1] == 't' ? '\t' : t[1] == 'r' ? '\r' : '\n';
			continue;
		}
		while (*t)
			text[len++] = *t++;
		text[len++] = rng_next() % 5 ? ' ' : '\n';
	}

	struct scn_parser p;
	struct scn_op op;
	struct scn_error err;
	unsigned last = 0, ops = 0, errors = 0;
	int r;

	scn_parser_init(&p, text, len);
	while ((r = scn_next(&p, &op, &err)) != 0) {
		assert_true(r == 1 || r == -1);
		if (r == 1) {
			assert_true(op.kind < SCN_KIND_COUNT);
			assert_true(op.line > last);
			last = op.line;
			for (int i = 0; i < SCN_SYMS_MAX; i++)
				assert_true(memchr(op.sym[i], '\0', SCN_NAME_MAX) != NULL);
			ops++;
		} else {
			assert_true(err.line > last);
			assert_non_null(err.msg);
			last = err.line;
			errors++;
		}
	}
	/* Random text must exercise both outcomes, or the test proves nothing. */
	assert_true(ops > 0);
	assert_true(errors > 0);
	print_message("%u ops, %u errors\n", ops, errors);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scn_parses_every_operation),
		cmocka_unit_test(test_scn_default_expectation_is_success),
		cmocka_unit_test(test_scn_rejects_malformed_lines),
		cmocka_unit_test(test_scn_proxy_takes_one_group_per_range),
		cmocka_unit_test(test_scn_error_reports_line_and_column),
		cmocka_unit_test(test_scn_numbers_wrap_only_by_minus),
		cmocka_unit_test(test_scn_text_without_final_newline),
		cmocka_unit_test(test_scn_pattern_differs_by_seed_and_page),
		cmocka_unit_test(test_scn_rangeproxy_groups_and_open_end),
		cmocka_unit_test(test_scn_result_line_ok_and_fail),
		cmocka_unit_test(test_scn_result_line_truncates_safely),
		cmocka_unit_test(test_scn_summary_line),
		cmocka_unit_test(test_scn_kr_parse_knows_mach_names),
		cmocka_unit_test(test_scn_survives_random_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

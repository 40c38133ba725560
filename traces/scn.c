/*
 * scn.c: the scenario language -- parser and canonical result lines.
 *
 * The grammar is one table: each keyword has a signature, a string with
 * one letter per argument (S name, N number, P protection, A pattern,
 * c the optional word `copy'); a `+' makes the letters after it a group
 * that comes one or more times (at most SCN_RANGES_MAX), as long as words
 * are left before the expectation; a `|' in the group lets the last group
 * end there (rangeproxy's open-ended range, op->open_ended).  A line is split into words; the words are
 * checked against the signature one by one, then the optional expectation
 * after `=>' is read.  Every check happens before the op is reported, so a
 * malformed line yields an error and no half-read operation.
 *
 * See scn.h for the contract and traces/SCENARIO.md for the language.
 */
#include "scn.h"

#include "vmc_types.h"
#include "vmc_kern_names.h"

struct scn_keyword {
	const char *word;
	const char *sig;
};

static const struct scn_keyword keywords[SCN_KIND_COUNT] = {
	[SCN_SCENARIO]   = { "scenario",   "S" },     /* tags read apart */
	[SCN_TASK]       = { "task",       "S" },
	[SCN_ALLOC]      = { "alloc",      "SSN" },
	[SCN_DEALLOC]    = { "dealloc",    "SNN" },
	[SCN_FILL]       = { "fill",       "SNNA" },
	[SCN_CHECK]      = { "check",      "SNNA" },
	[SCN_PROTECT]    = { "protect",    "SNNP" },
	[SCN_MAXPROTECT] = { "maxprotect", "SNNP" },
	[SCN_READ]       = { "read",       "SSNN" },
	[SCN_WRITE]      = { "write",      "SNSNN" },
	[SCN_COPY]       = { "copy",       "SNSNN" },
	[SCN_RPROXY]     = { "rproxy",     "SSNPN" },
	[SCN_PROXY]      = { "proxy",      "SP+SNNN" },
	[SCN_MAP]        = { "map",        "SSSNNPPc" },
	[SCN_RANGEPROXY] = { "rangeproxy", "S+SP|NN" },
	[SCN_FASTREAD]   = { "fastread",   "SNSNN" },
	[SCN_FASTWRITE]  = { "fastwrite",  "SNSNN" },
	[SCN_OBJCOPY]    = { "objcopy",    "SNSNN" },
};

const char *scn_kind_name(enum scn_kind kind)
{
	return (unsigned)kind < SCN_KIND_COUNT ? keywords[kind].word : "?";
}

void scn_parser_init(struct scn_parser *p, const char *text, size_t len)
{
	p->text = text;
	p->len = len;
	p->pos = 0;
	p->line = 0;
}

/* Words ------------------------------------------------------------------- */

struct word {
	const char *s;
	size_t len;
	unsigned column;
};

static bool word_is(const struct word *w, const char *lit)
{
	size_t i;

	for (i = 0; i < w->len; i++)
		if (lit[i] != w->s[i])
			return false;
	return lit[i] == '\0';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Split line[0, len) into at most max words, stopping at a comment.
 * Returns the number of words, or max + 1 if there were more. */
static size_t split(const char *line, size_t len, struct word *w, size_t max)
{
	size_t n = 0, i = 0;

	for (;;) {
		while (i < len && is_space(line[i]))
			i++;
		if (i == len || line[i] == '#')
			return n;
		if (n == max)
			return max + 1;
		w[n].s = line + i;
		w[n].column = (unsigned)i + 1;
		while (i < len && !is_space(line[i]) && line[i] != '#')
			i++;
		w[n].len = (size_t)(line + i - w[n].s);
		n++;
	}
}

/* Values ------------------------------------------------------------------ */

static bool parse_name(const struct word *w, char out[SCN_NAME_MAX])
{
	if (w->len == 0 || w->len >= SCN_NAME_MAX)
		return false;
	/* Does it start like a name (not a number, pattern or arrow)? */
	char c0 = w->s[0];
	if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || c0 == '_'))
		return false;
	for (size_t i = 0; i < w->len; i++) {
		char c = w->s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			return false;
		out[i] = c;
	}
	out[w->len] = '\0';
	return true;
}

static int digit_value(char c, unsigned base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return (unsigned)v < base ? v : -1;
}

/* [-] (decimal | 0x hex) [p]: `p' counts pages; a leading minus negates
 * modulo 2^64, so -1p is 2^64 - 4096.  The magnitude must fit in 64 bits. */
static bool parse_number(const struct word *w, uint64_t *out)
{
	const char *s = w->s, *end = w->s + w->len;
	bool neg = false, pages = false;
	unsigned base = 10;
	uint64_t v = 0;

	if (s < end && *s == '-') {
		neg = true;
		s++;
	}
	if (end - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (s < end && end[-1] == 'p') {
		pages = true;
		end--;
	}
	if (s == end)
		return false;
	for (; s < end; s++) {
		int d = digit_value(*s, base);
		if (d < 0 || v > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
	}
	if (pages) {
		if (v > UINT64_MAX / SCN_PAGE_SIZE)
			return false;
		v *= SCN_PAGE_SIZE;
	}
	*out = neg ? (uint64_t)0 - v : v;
	return true;
}

/* `none', or some of r, w, x, each at most once. */
static bool parse_prot(const struct word *w, int *out)
{
	int prot = 0;

	if (word_is(w, "none")) {
		*out = VMC_PROT_NONE;
		return true;
	}
	if (w->len == 0)
		return false;
	for (size_t i = 0; i < w->len; i++) {
		int bit;
		switch (w->s[i]) {
		case 'r': bit = VMC_PROT_READ; break;
		case 'w': bit = VMC_PROT_WRITE; break;
		case 'x': bit = VMC_PROT_EXECUTE; break;
		default: return false;
		}
		if (prot & bit)
			return false;
		prot |= bit;
	}
	*out = prot;
	return true;
}

/* `zero', or @N with N in 0..255. */
static bool parse_pattern(const struct word *w, unsigned *out)
{
	uint64_t v;
	struct word rest;

	if (word_is(w, "zero")) {
		*out = SCN_PATTERN_ZERO;
		return true;
	}
	if (w->len < 2 || w->s[0] != '@')
		return false;
	rest.s = w->s + 1;
	rest.len = w->len - 1;
	rest.column = w->column + 1;
	if (rest.s[0] == '-' || !parse_number(&rest, &v) || v > 255)
		return false;
	*out = (unsigned)v;
	return true;
}

uint8_t scn_pattern_byte(unsigned pattern, uint64_t k)
{
	if (pattern == SCN_PATTERN_ZERO)
		return 0;
	/* The page number enters too, so a page shifted by whole pages does
	 * not match by accident. */
	return (uint8_t)(pattern * 31u + (unsigned)k * 7u + (unsigned)(k >> 12) * 13u + 1u);
}

/* Status codes the language can name: Mach's KERN_* and the message
 * errors the core knows (vm_write of unreadable data fails in its send:
 * MACH_SEND_INVALID_MEMORY). */
static const int kr_values[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 20,
	21, 22, 23, 24, 26, 27, 28, VMC_MACH_SEND_INVALID_DEST, VMC_MACH_SEND_INTERRUPTED,
	VMC_MACH_SEND_INVALID_MEMORY,
};

bool scn_kr_parse(const char *name, size_t len, int *kr)
{
	for (size_t i = 0; i < sizeof kr_values / sizeof kr_values[0]; i++) {
		struct word w = { name, len, 0 };
		if (word_is(&w, vmc_kr_name(kr_values[i]))) {
			*kr = kr_values[i];
			return true;
		}
	}
	return false;
}

/* Lines ------------------------------------------------------------------- */

/* The longest line: proxy P PROT, SCN_RANGES_MAX groups of four, and an
 * expectation. */
#define WORDS_MAX (3 + 4 * SCN_RANGES_MAX + 2)

static int fail(struct scn_error *err, unsigned line, unsigned column,
		const char *msg)
{
	err->line = line;
	err->column = column;
	err->msg = msg;
	return -1;
}

static int find_keyword(const struct word *w)
{
	for (int k = 0; k < SCN_KIND_COUNT; k++)
		if (word_is(w, keywords[k].word))
			return k;
	return -1;
}

/* The words after `=>': a status name, `match' or `mismatch', then
 * optionally `count N'. */
static int parse_expect(const struct word *w, size_t n, struct scn_op *op,
			unsigned line, struct scn_error *err)
{
	size_t i = 0;

	if (n == 0)
		return fail(err, line, 0, "nothing after =>");
	if (word_is(&w[0], "match") || word_is(&w[0], "mismatch")) {
		if (op->kind != SCN_CHECK)
			return fail(err, line, w[0].column, "match/mismatch only follow check");
		op->want_cmp = word_is(&w[0], "match") ? SCN_CMP_MATCH : SCN_CMP_MISMATCH;
		op->want_kr = 0;
	} else if (scn_kr_parse(w[0].s, w[0].len, &op->want_kr)) {
		op->want_cmp = SCN_CMP_NONE;
	} else {
		return fail(err, line, w[0].column, "unknown status name");
	}
	i = 1;
	if (i < n && word_is(&w[i], "count")) {
		if (op->kind != SCN_READ && op->kind != SCN_FASTREAD &&
		    op->kind != SCN_FASTWRITE && op->kind != SCN_OBJCOPY)
			return fail(err, line, w[i].column,
				    "count only follows read and the fast copies");
		if (i + 1 >= n || !parse_number(&w[i + 1], &op->count))
			return fail(err, line, w[i].column, "count needs a number");
		op->want_count = true;
		i += 2;
	}
	if (i < n)
		return fail(err, line, w[i].column, "unexpected word after the expectation");
	return 1;
}

static int parse_tags(const struct word *w, size_t n, struct scn_op *op,
		      unsigned line, struct scn_error *err)
{
	for (size_t i = 0; i < n; i++) {
		if (word_is(&w[i], "defect-stock"))
			op->tags |= SCN_TAG_DEFECT_STOCK;
		else if (word_is(&w[i], "wraps"))
			op->tags |= SCN_TAG_WRAPS;
		else if (word_is(&w[i], "words32"))
			op->tags |= SCN_TAG_WORDS32;
		else if (word_is(&w[i], "words64"))
			op->tags |= SCN_TAG_WORDS64;
		else
			return fail(err, line, w[i].column, "unknown tag");
	}
	return 1;
}

/* Has the line more words for arguments from w[i] on? */
static bool args_left(const struct word *w, size_t i, size_t n)
{
	return i < n && !word_is(&w[i], "=>");
}

/* The arguments of op against its signature; returns the count of words
 * used, or -1. */
static int parse_args(const char *sig, const struct word *w, size_t n,
		      struct scn_op *op, unsigned line, struct scn_error *err)
{
	size_t i = 0;
	unsigned ns = 0, nn = 0, np = 0;
	const char *group = NULL;

	for (;; sig++) {
		if (*sig == '\0') {
			/* A group again, while words are left and room too? */
			if (group == NULL)
				break;
			op->ranges++;
			if (!args_left(w, i, n) || op->ranges == SCN_RANGES_MAX)
				break;
			sig = group;
		}
		if (*sig == '+') {      /* the rest repeats */
			group = sig + 1;
			continue;
		}
		if (*sig == '|') {      /* the last group may stop here */
			if (!args_left(w, i, n)) {
				op->open_ended = true;
				op->ranges++;
				break;
			}
			continue;
		}
		if (*sig == 'c') {      /* optional flag: present or not */
			if (i < n && word_is(&w[i], "copy")) {
				op->copy = true;
				i++;
			}
			continue;
		}
		if (!args_left(w, i, n))
			return fail(err, line, i < n ? w[i].column : 0, "too few arguments");
		switch (*sig) {
		case 'S':
			if (!parse_name(&w[i], op->sym[ns++]))
				return fail(err, line, w[i].column, "bad name");
			break;
		case 'N':
			if (!parse_number(&w[i], &op->num[nn++]))
				return fail(err, line, w[i].column, "bad number");
			break;
		case 'P':
			if (!parse_prot(&w[i], &op->prot[np++]))
				return fail(err, line, w[i].column, "bad protection");
			break;
		case 'A':
			if (!parse_pattern(&w[i], &op->pattern))
				return fail(err, line, w[i].column, "bad pattern");
			break;
		default:
			return fail(err, line, w[i].column, "scn: bad signature");
		}
		i++;
	}
	return (int)i;
}

static int parse_line(const char *s, size_t len, unsigned line,
		      struct scn_op *op, struct scn_error *err)
{
	struct word w[WORDS_MAX];
	size_t n = split(s, len, w, WORDS_MAX);
	int k, used;

	if (n == 0)
		return 0;
	if (n > WORDS_MAX)
		return fail(err, line, 0, "too many words");
	k = find_keyword(&w[0]);
	if (k < 0)
		return fail(err, line, w[0].column, "unknown operation");

	*op = (struct scn_op){ .kind = (enum scn_kind)k, .line = line };
	used = parse_args(keywords[k].sig, w + 1, n - 1, op, line, err);
	if (used < 0)
		return -1;
	size_t rest = 1 + (size_t)used;
	if (k == SCN_SCENARIO)
		return parse_tags(w + rest, n - rest, op, line, err);
	if (k == SCN_CHECK)
		op->want_cmp = SCN_CMP_MATCH;
	if (rest == n)
		return 1;
	if (!word_is(&w[rest], "=>"))
		return fail(err, line, w[rest].column, "too many arguments");
	return parse_expect(w + rest + 1, n - rest - 1, op, line, err);
}

int scn_next(struct scn_parser *p, struct scn_op *op, struct scn_error *err)
{
	while (p->pos < p->len) {
		const char *s = p->text + p->pos;
		size_t len = 0;

		while (p->pos + len < p->len && s[len] != '\n')
			len++;
		p->pos += len + (p->pos + len < p->len);
		p->line++;
		int r = parse_line(s, len, p->line, op, err);
		if (r != 0)
			return r;
	}
	return 0;
}

/* Results ----------------------------------------------------------------- */

bool scn_outcome_ok(const struct scn_op *op, const struct scn_outcome *out)
{
	if (out->unbound || out->refused)
		return false;
	if (op->want_cmp != SCN_CMP_NONE) {
		if (out->kr != 0 || !out->compared)
			return false;
		return out->match == (op->want_cmp == SCN_CMP_MATCH);
	}
	if (out->kr != op->want_kr)
		return false;
	if (op->want_count && (!out->has_count || out->count != op->count))
		return false;
	return true;
}

struct out {
	char *buf;
	size_t cap;
	size_t len;
};

static void out_str(struct out *o, const char *s)
{
	for (; *s; s++) {
		if (o->len + 1 < o->cap)
			o->buf[o->len] = *s;
		o->len++;
	}
}

static void out_u64(struct out *o, uint64_t v)
{
	char d[21];
	int n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n) {
		char c[2] = { d[--n], '\0' };
		out_str(o, c);
	}
}

static size_t out_end(struct out *o)
{
	if (o->cap == 0)
		return 0;
	size_t end = o->len < o->cap ? o->len : o->cap - 1;
	o->buf[end] = '\0';
	return end;
}

static void out_want(struct out *o, const struct scn_op *op)
{
	if (op->want_cmp == SCN_CMP_MATCH)
		out_str(o, "match");
	else if (op->want_cmp == SCN_CMP_MISMATCH)
		out_str(o, "mismatch");
	else
		out_str(o, vmc_kr_name(op->want_kr));
	if (op->want_count) {
		out_str(o, " count=");
		out_u64(o, op->count);
	}
}

size_t scn_result_format(char *buf, size_t cap, const char *scenario,
			 const struct scn_op *op, const struct scn_outcome *out)
{
	struct out o = { buf, cap, 0 };

	out_str(&o, "scn ");
	out_str(&o, scenario);
	out_str(&o, " ");
	out_u64(&o, op->line);
	out_str(&o, " ");
	out_str(&o, scn_kind_name(op->kind));
	out_str(&o, " ");
	if (out->unbound) {
		out_str(&o, "unbound");
	} else if (out->refused) {
		out_str(&o, "refused");
	} else {
		out_str(&o, vmc_kr_name(out->kr));
		if (out->has_count) {
			out_str(&o, " count=");
			out_u64(&o, out->count);
		}
		if (out->compared && out->match) {
			out_str(&o, " match");
		} else if (out->compared) {
			out_str(&o, " mismatch@");
			out_u64(&o, out->mismatch_at);
		}
	}
	if (scn_outcome_ok(op, out)) {
		out_str(&o, " ok");
	} else {
		out_str(&o, " FAIL want ");
		out_want(&o, op);
	}
	return out_end(&o);
}

size_t scn_summary_format(char *buf, size_t cap, const char *scenario,
			  unsigned ops, unsigned failed)
{
	struct out o = { buf, cap, 0 };

	out_str(&o, "scn ");
	out_str(&o, scenario);
	if (failed == 0) {
		out_str(&o, " end ok ");
		out_u64(&o, ops);
	} else {
		out_str(&o, " end FAIL ");
		out_u64(&o, failed);
		out_str(&o, "/");
		out_u64(&o, ops);
	}
	return out_end(&o);
}

bool scn_runs_at(unsigned tags, unsigned task_bits, unsigned kernel_bits, const char **why)
{
	if ((tags & SCN_TAG_WRAPS) && task_bits < kernel_bits)
		*why = "wraps";
	else if ((tags & SCN_TAG_WORDS32) && task_bits != 32)
		*why = "words32";
	else if ((tags & SCN_TAG_WORDS64) && task_bits != 64)
		*why = "words64";
	else
		return true;
	return false;
}

size_t scn_skip_format(char *buf, size_t cap, const char *scenario, const char *why)
{
	struct out o = { buf, cap, 0 };

	out_str(&o, "scn ");
	out_str(&o, scenario);
	out_str(&o, " skipped (");
	out_str(&o, why);
	out_str(&o, ")");
	return out_end(&o);
}

/*
 * scn.h: the scenario language -- parser and canonical result lines.
 *
 * A scenario is a short script of VM operations with expected results
 * (traces/SCENARIO.md is the reference).  The same file runs inside GNU Mach
 * (a guest program interprets it) and in the simulator, and both print the
 * same result lines, produced by scn_result_format(); comparing the two
 * outputs is how the simulator is held to the kernel.
 *
 * Freestanding: no libc, no allocation.  The parser walks a caller-owned
 * text in place and fills one struct scn_op a line; names are copied into
 * the op, so the op outlives nothing.  Status codes are plain ints with
 * Mach's values (the core's vmc_kr_name() spells them).
 */
#ifndef SCN_H
#define SCN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCN_NAME_MAX   24      /* a name's length, terminator included */
#define SCN_RANGES_MAX  8      /* most ranges one proxy line takes */
#define SCN_SYMS_MAX   (1 + SCN_RANGES_MAX)      /* most names one operation takes */
#define SCN_NUMS_MAX   (3 * SCN_RANGES_MAX)      /* most numbers one operation takes */
#define SCN_PROTS_MAX  SCN_RANGES_MAX    /* most protections: rangeproxy's */
#define SCN_PAGE_SIZE  4096u   /* the `p' suffix of numbers */
#define SCN_PATTERN_ZERO 256u  /* the pattern `zero' */
#define SCN_RESULT_MAX 160     /* a result line, terminator included */

enum scn_kind {
	SCN_SCENARIO,   /* scenario NAME [TAG...] */
	SCN_TASK,       /* task T */
	SCN_ALLOC,      /* alloc R T SIZE */
	SCN_DEALLOC,    /* dealloc R OFF LEN */
	SCN_FILL,       /* fill R OFF LEN PAT */
	SCN_CHECK,      /* check R OFF LEN PAT */
	SCN_PROTECT,    /* protect R OFF LEN PROT */
	SCN_MAXPROTECT, /* maxprotect R OFF LEN PROT */
	SCN_READ,       /* read D R OFF LEN */
	SCN_WRITE,      /* write R OFF S SOFF LEN */
	SCN_COPY,       /* copy R OFF S SOFF LEN */
	SCN_RPROXY,     /* rproxy P R OFF PROT LEN */
	SCN_PROXY,      /* proxy P PROT (OBJ OFFSET START LEN)... */
	SCN_MAP,        /* map M T P OFF SIZE PROT MAXPROT [copy] */
	SCN_RANGEPROXY, /* rangeproxy P (OBJ PROT START END)... [OBJ PROT] */
	SCN_FASTREAD,   /* fastread R OFF OBJ OOFF LEN */
	SCN_FASTWRITE,  /* fastwrite R OFF OBJ OOFF LEN */
	SCN_OBJCOPY,    /* objcopy SRC SOFF DST DOFF LEN */
	SCN_KIND_COUNT
};

/* Tags of a scenario line. */
#define SCN_TAG_DEFECT_STOCK 0x1u  /* expectations are stock GNU Mach's defect */
#define SCN_TAG_WRAPS        0x2u  /* numbers wrap as the kernel's addresses:
                                      skipped for a task of narrower words */
#define SCN_TAG_WORDS32      0x4u  /* only for a task of 32-bit words */
#define SCN_TAG_WORDS64      0x8u  /* only for a task of 64-bit words */

/* What the comparison of a check is expected to find. */
enum scn_cmp { SCN_CMP_NONE, SCN_CMP_MATCH, SCN_CMP_MISMATCH };

struct scn_op {
	enum scn_kind kind;
	unsigned line;                          /* 1-based */
	char sym[SCN_SYMS_MAX][SCN_NAME_MAX];   /* names, in order of the line */
	uint64_t num[SCN_NUMS_MAX];             /* numbers, in order */
	int prot[SCN_PROTS_MAX];                /* protections, in order */
	unsigned ranges;                        /* proxy: OBJ OFFSET START LEN groups
	                                           (1..SCN_RANGES_MAX); range i is
	                                           sym[1 + i], num[3i .. 3i + 2];
	                                           rangeproxy: OBJ PROT START END
	                                           groups, the last maybe OBJ PROT
	                                           only: range i is sym[1 + i],
	                                           prot[i], num[2i], num[2i + 1] */
	bool open_ended;                        /* rangeproxy: the last range is
	                                           OBJ PROT only */
	unsigned pattern;                       /* 0..255, or SCN_PATTERN_ZERO */
	bool copy;                              /* map: the `copy' flag */
	unsigned tags;                          /* scenario: SCN_TAG_* */
	/* The expectation after `=>'; a line without one expects
	 * KERN_SUCCESS (and, for check, a match). */
	int want_kr;
	bool want_count;
	uint64_t count;
	enum scn_cmp want_cmp;
};

struct scn_parser {
	const char *text;
	size_t len;
	size_t pos;
	unsigned line;          /* of the last line read */
};

struct scn_error {
	unsigned line;
	unsigned column;        /* 1-based */
	const char *msg;        /* static text */
};

/* Start parsing text[0, len).  The text is not copied: it must outlive
 * the parser. */
void scn_parser_init(struct scn_parser *p, const char *text, size_t len);

/* Parse the next operation into *op.  Returns 1 with *op filled, 0 at the
 * end of the text, -1 with *err filled on a malformed line (the parser then
 * stands after that line; *op is left in an unspecified state).  Blank lines
 * and comments (`#' to the end of a line) are skipped. */
int scn_next(struct scn_parser *p, struct scn_op *op, struct scn_error *err);

/* The keyword of an operation kind ("alloc"). */
const char *scn_kind_name(enum scn_kind kind);

/* Byte k of pattern seed (0..255, or SCN_PATTERN_ZERO): what fill writes
 * and check expects at offset k from the range's start. */
uint8_t scn_pattern_byte(unsigned pattern, uint64_t k);

/* What an interpreter observed for one operation. */
struct scn_outcome {
	int kr;                 /* the status the operation returned */
	bool has_count;         /* read: count is the byte count returned */
	uint64_t count;
	bool compared;          /* check: the bytes were compared */
	bool match;
	uint64_t mismatch_at;   /* check: first differing offset if !match */
	bool unbound;           /* a name the op needs was never bound */
	bool refused;           /* the interpreter cannot do what the line asks
				   (the simulator: more bytes than it holds);
				   it says why on its error stream */
};

/* Whether outcome meets op's expectation. */
bool scn_outcome_ok(const struct scn_op *op, const struct scn_outcome *out);

/* The canonical result line, without newline, into buf[cap]:
 *
 *   scn SCENARIO LINE KIND RESULT... ok
 *   scn SCENARIO LINE KIND RESULT... FAIL want EXPECTATION
 *
 * RESULT is the status name, then `count=N' if a count came back, then
 * `match' or `mismatch@OFFSET' if bytes were compared; an op whose names
 * were never bound prints `unbound', one the interpreter refused `refused'
 * (neither is ever ok).  Nothing in it depends on addresses or
 * port names, so two faithful interpreters print identical lines.  Returns
 * the length written (truncated to cap - 1). */
size_t scn_result_format(char *buf, size_t cap, const char *scenario,
			 const struct scn_op *op, const struct scn_outcome *out);

/* The summary line of a scenario: `scn SCENARIO end ok N' or
 * `scn SCENARIO end FAIL F/N' (F failed operations out of N). */
size_t scn_summary_format(char *buf, size_t cap, const char *scenario,
			  unsigned ops, unsigned failed);

/* The status code named name[0, len) ("KERN_NO_SPACE"); false if unknown. */
bool scn_kr_parse(const char *name, size_t len, int *kr);

/* Whether a scenario with these tags runs for a task of task_bits-bit
 * words on a kernel of kernel_bits-bit addresses; if not, *why is the tag
 * that skips it. */
bool scn_runs_at(unsigned tags, unsigned task_bits, unsigned kernel_bits, const char **why);

/* The line of a scenario skipped for its tag `why':
 * `scn SCENARIO skipped (WHY)'. */
size_t scn_skip_format(char *buf, size_t cap, const char *scenario, const char *why);

#endif /* SCN_H */

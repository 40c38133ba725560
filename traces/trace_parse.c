/*
 * trace_parse.c: the trace format version 1 parser (see trace_parse.h and
 * FORMAT.md).
 *
 * A line goes through three steps: its bytes are checked (control bytes,
 * and bytes above 127 outside comments and meta values), it is cut into
 * blank-separated fields, and the state machine (magic, header, ops, done)
 * decides what the fields may be.  Each line kind has one function that
 * checks every field before it changes anything in the parser, so a line
 * that fails leaves the file table and the counters as they were.
 */
#include "trace_parse.h"
#include "trace_content.h"
#include "vmc_range.h"

#define MAX_FIELDS 6        /* the longest line kind has 5; one more spots extras */

struct field {
	const char *s;
	size_t len;
};

/* Bytes ---------------------------------------------------------------- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool bytes_equal(const char *a, size_t alen, const char *b)
{
	size_t i;

	for (i = 0; i < alen; i++)
		if (b[i] == '\0' || a[i] != b[i])
			return false;
	return b[i] == '\0';
}

/* Is every byte allowed?  Control bytes (except tab), and DEL, never are;
 * bytes above 127 only when high_ok. */
static bool bytes_valid(const char *s, size_t len, bool high_ok)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)s[i];

		if ((c < 32 && c != '\t') || c == 127)
			return false;
		if (c > 127 && !high_ok)
			return false;
	}
	return true;
}

/* Cuts line into at most MAX_FIELDS fields; returns how many (MAX_FIELDS
 * meaning "at least that many"). */
static unsigned split_fields(const char *line, size_t len, struct field *f)
{
	unsigned n = 0;
	size_t i = 0;

	while (n < MAX_FIELDS) {
		while (i < len && is_blank(line[i]))
			i++;
		if (i == len)
			break;
		f[n].s = line + i;
		while (i < len && !is_blank(line[i]))
			i++;
		f[n].len = (size_t)(line + i - f[n].s);
		n++;
	}
	return n;
}

/* 1 to 20 decimal digits, no more than UINT64_MAX. */
static bool parse_u64(const struct field *f, uint64_t *out)
{
	uint64_t v = 0;

	if (f->len == 0 || f->len > 20)
		return false;
	for (size_t i = 0; i < f->len; i++) {
		char c = f->s[i];
		unsigned d;

		if (c < '0' || c > '9')
			return false;
		d = (unsigned)(c - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static bool id_valid(const struct field *f)
{
	if (f->len == 0 || f->len > TRACE_ID_MAX)
		return false;
	for (size_t i = 0; i < f->len; i++) {
		char c = f->s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '+' ||
			  c == '-';
		if (!ok)
			return false;
	}
	return true;
}

static bool meta_key_valid(const struct field *f)
{
	if (f->len == 0 || f->len > TRACE_META_KEY_MAX)
		return false;
	for (size_t i = 0; i < f->len; i++) {
		char c = f->s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

static uint64_t id_hash(const char *s, size_t len)
{
	return trace_content_key(s, len, 0);
}

/* Parser state ---------------------------------------------------------- */

void trace_parser_init(struct trace_parser *p, struct trace_file *files, uint32_t cap)
{
	p->state = TRACE_ST_MAGIC;
	p->error = TRACE_OK;
	p->error_line = 0;
	p->line = 0;
	p->nops = 0;
	p->files = files;
	p->cap = cap > TRACE_MAX_FILES ? TRACE_MAX_FILES : cap;
	p->nfiles = 0;
	p->last_file = 0;
	p->meta_key = p->meta_value = NULL;
	p->meta_key_len = p->meta_value_len = 0;
	p->buf_len = 0;
	p->overlong = false;
}

/* Stops p with code at line lineno. */
static enum trace_event fail(struct trace_parser *p, enum trace_error code, uint64_t lineno)
{
	p->state = TRACE_ST_ERROR;
	p->error = code;
	p->error_line = lineno;
	return TRACE_EV_ERROR;
}

/* The first position in by_hash whose file's hash is >= h. */
static uint32_t hash_lower_bound(const struct trace_parser *p, uint64_t h)
{
	uint32_t lo = 0, hi = p->nfiles;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (p->files[p->by_hash[mid]].id_hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct trace_file *trace_parser_find_file(struct trace_parser *p, const char *id,
						size_t len)
{
	uint64_t h = id_hash(id, len);
	uint32_t i;

	/* Consecutive operations mostly name the same file: try it first. */
	if (p->last_file < p->nfiles) {
		const struct trace_file *f = &p->files[p->last_file];
		if (f->id_hash == h && f->id_len == len && bytes_equal(id, len, f->id))
			return f;
	}
	/* Then every file with the same hash, found by binary search. */
	for (i = hash_lower_bound(p, h); i < p->nfiles; i++) {
		const struct trace_file *f = &p->files[p->by_hash[i]];
		if (f->id_hash != h)
			break;
		if (f->id_len == len && bytes_equal(id, len, f->id)) {
			p->last_file = p->by_hash[i];
			return f;
		}
	}
	return NULL;
}

/* Adds file index n (already filled in) to the hash index, keeping it sorted. */
static void hash_insert(struct trace_parser *p, uint32_t n)
{
	uint32_t at = hash_lower_bound(p, p->files[n].id_hash);

	for (uint32_t i = n; i > at; i--)
		p->by_hash[i] = p->by_hash[i - 1];
	p->by_hash[at] = (uint16_t)n;
}

/* Line kinds ------------------------------------------------------------ */

/* Line 1: "mosaic-trace VERSION". */
static enum trace_event parse_magic(struct trace_parser *p, const char *line, size_t len,
				    uint64_t lineno)
{
	struct field f[MAX_FIELDS];
	uint64_t version;

	/* Is it printable ASCII, two fields, the magic word and a number? */
	if (!bytes_valid(line, len, false))
		return fail(p, TRACE_E_MAGIC, lineno);
	if (split_fields(line, len, f) != 2 || !bytes_equal(f[0].s, f[0].len, "mosaic-trace") ||
	    !parse_u64(&f[1], &version))
		return fail(p, TRACE_E_MAGIC, lineno);
	/* Is it the version this parser reads? */
	if (version != TRACE_VERSION)
		return fail(p, TRACE_E_VERSION, lineno);
	p->state = TRACE_ST_HEADER;
	return TRACE_EV_NONE;
}

/* "meta KEY VALUE": VALUE is the rest of the line, trailing blanks removed. */
static enum trace_event parse_meta(struct trace_parser *p, const char *line, size_t len,
				   const struct field *f, unsigned nf, uint64_t lineno)
{
	const char *v;
	size_t vlen;

	/* Are the keyword and key plain ASCII (the value may be UTF-8)? */
	if (!bytes_valid(line, nf >= 3 ? (size_t)(f[2].s - line) : len, false))
		return fail(p, TRACE_E_CHAR, lineno);
	/* Is there a well-formed key, and a value after it? */
	if (nf < 3 || !meta_key_valid(&f[1]))
		return fail(p, TRACE_E_META, lineno);
	v = f[2].s;
	vlen = len - (size_t)(v - line);
	while (vlen > 0 && is_blank(v[vlen - 1]))
		vlen--;
	p->meta_key = f[1].s;
	p->meta_key_len = f[1].len;
	p->meta_value = v;
	p->meta_value_len = vlen;
	return TRACE_EV_META;
}

/* "file ID SIZE pattern SEED" */
static enum trace_event parse_file(struct trace_parser *p, const struct field *f, unsigned nf,
				   uint64_t lineno)
{
	uint64_t size, seed;
	struct trace_file *t;

	/* Five fields? */
	if (nf != 5)
		return fail(p, TRACE_E_SYNTAX, lineno);
	/* A well-formed id, not declared yet? */
	if (!id_valid(&f[1]))
		return fail(p, TRACE_E_ID, lineno);
	if (trace_parser_find_file(p, f[1].s, f[1].len) != NULL)
		return fail(p, TRACE_E_DUP_FILE, lineno);
	/* A size, and a content kind this version knows, with its seed? */
	if (!parse_u64(&f[2], &size))
		return fail(p, TRACE_E_NUMBER, lineno);
	if (!bytes_equal(f[3].s, f[3].len, "pattern"))
		return fail(p, TRACE_E_CONTENT, lineno);
	if (!parse_u64(&f[4], &seed))
		return fail(p, TRACE_E_NUMBER, lineno);
	/* Room for it? */
	if (p->nfiles >= p->cap)
		return fail(p, TRACE_E_TOO_MANY_FILES, lineno);

	t = &p->files[p->nfiles];
	for (size_t i = 0; i < f[1].len; i++)
		t->id[i] = f[1].s[i];
	t->id[f[1].len] = '\0';
	t->id_len = (uint8_t)f[1].len;
	t->size = size;
	t->seed = seed;
	t->key = trace_content_key(t->id, t->id_len, seed);
	t->id_hash = id_hash(t->id, t->id_len);
	hash_insert(p, p->nfiles);
	p->nfiles++;
	return TRACE_EV_NONE;
}

/* "CLIENT FILE OFFSET LENGTH OP" */
static enum trace_event parse_op(struct trace_parser *p, const struct field *f, unsigned nf,
				 uint64_t lineno, struct trace_op *op)
{
	uint64_t client, offset, length, end;
	const struct trace_file *file;
	char kind;

	/* Five fields? */
	if (nf != 5)
		return fail(p, TRACE_E_SYNTAX, lineno);
	/* A client number in range? */
	if (!parse_u64(&f[0], &client))
		return fail(p, TRACE_E_NUMBER, lineno);
	if (client > TRACE_MAX_CLIENT)
		return fail(p, TRACE_E_CLIENT, lineno);
	/* A declared file? */
	file = id_valid(&f[1]) ? trace_parser_find_file(p, f[1].s, f[1].len) : NULL;
	if (file == NULL)
		return fail(p, id_valid(&f[1]) ? TRACE_E_UNKNOWN_FILE : TRACE_E_ID, lineno);
	/* Numbers for offset and length, the length in range? */
	if (!parse_u64(&f[2], &offset) || !parse_u64(&f[3], &length))
		return fail(p, TRACE_E_NUMBER, lineno);
	if (length == 0 || length > TRACE_MAX_LENGTH)
		return fail(p, TRACE_E_LENGTH, lineno);
	/* Is [offset, offset + length) inside the file, without wrapping? */
	if (!vmc_add(offset, length, &end) || end > file->size)
		return fail(p, TRACE_E_RANGE, lineno);
	/* A known op? */
	kind = f[4].len == 1 ? f[4].s[0] : '\0';
	if (kind != 'r' && kind != 'w')
		return fail(p, TRACE_E_OP, lineno);

	op->line = lineno;
	op->client = (uint32_t)client;
	op->file = (uint32_t)(file - p->files);
	op->offset = offset;
	op->length = length;
	op->kind = kind == 'r' ? TRACE_OP_READ : TRACE_OP_WRITE;
	p->nops++;
	return TRACE_EV_OP;
}

/* "end N" */
static enum trace_event parse_end(struct trace_parser *p, const struct field *f, unsigned nf,
				  uint64_t lineno)
{
	uint64_t n;

	if (nf != 2)
		return fail(p, TRACE_E_SYNTAX, lineno);
	if (!parse_u64(&f[1], &n))
		return fail(p, TRACE_E_NUMBER, lineno);
	/* Did we read exactly the operations it announces? */
	if (n != p->nops)
		return fail(p, TRACE_E_END_COUNT, lineno);
	p->state = TRACE_ST_DONE;
	return TRACE_EV_END;
}

/* Is fields[0] an operation line's first field (a client number)? */
static bool looks_like_op(const struct field *f0)
{
	return f0->len > 0 && f0->s[0] >= '0' && f0->s[0] <= '9';
}

/* A line after line 1. */
static enum trace_event parse_body(struct trace_parser *p, const char *line, size_t len,
				   uint64_t lineno, struct trace_op *op)
{
	struct field f[MAX_FIELDS];
	unsigned nf = split_fields(line, len, f);
	bool is_meta = nf > 0 && bytes_equal(f[0].s, f[0].len, "meta");
	bool in_header = p->state == TRACE_ST_HEADER;

	/* Comments and blank lines: anything printable, anywhere. */
	if (nf == 0 || f[0].s[0] == '#')
		return bytes_valid(line, len, true) ? TRACE_EV_NONE :
						      fail(p, TRACE_E_CHAR, lineno);
	/* Only meta values may hold bytes above 127 (checked in parse_meta). */
	if (!bytes_valid(line, len, is_meta))
		return fail(p, TRACE_E_CHAR, lineno);
	if (p->state == TRACE_ST_DONE)
		return fail(p, TRACE_E_AFTER_END, lineno);

	if (is_meta)
		return in_header ? parse_meta(p, line, len, f, nf, lineno) :
				   fail(p, TRACE_E_HEADER_AFTER_OPS, lineno);
	if (bytes_equal(f[0].s, f[0].len, "file"))
		return in_header ? parse_file(p, f, nf, lineno) :
				   fail(p, TRACE_E_HEADER_AFTER_OPS, lineno);
	if (bytes_equal(f[0].s, f[0].len, "ops")) {
		if (!in_header)
			return fail(p, TRACE_E_HEADER_AFTER_OPS, lineno);
		if (nf != 1)
			return fail(p, TRACE_E_SYNTAX, lineno);
		if (p->nfiles == 0)
			return fail(p, TRACE_E_NO_FILES, lineno);
		p->state = TRACE_ST_OPS;
		return TRACE_EV_HEADER;
	}
	if (bytes_equal(f[0].s, f[0].len, "end"))
		return in_header ? fail(p, TRACE_E_OP_IN_HEADER, lineno) :
				   parse_end(p, f, nf, lineno);
	if (looks_like_op(&f[0]))
		return in_header ? fail(p, TRACE_E_OP_IN_HEADER, lineno) :
				   parse_op(p, f, nf, lineno, op);
	return fail(p, TRACE_E_SYNTAX, lineno);
}

enum trace_event trace_parse_line(struct trace_parser *p, const char *line, size_t len,
				  struct trace_op *op)
{
	uint64_t lineno;

	if (p->state == TRACE_ST_ERROR)
		return TRACE_EV_ERROR;
	lineno = p->line + 1;
	p->line = lineno;
	if (len > TRACE_LINE_MAX)
		return fail(p, TRACE_E_LINE_TOO_LONG, lineno);
	if (p->state == TRACE_ST_MAGIC)
		return parse_magic(p, line, len, lineno);
	return parse_body(p, line, len, lineno, op);
}

/* Streaming ------------------------------------------------------------- */

/* Runs one line and its callback.  Returns the error that stopped p, or OK. */
static enum trace_error run_line(struct trace_parser *p, const char *line, size_t len,
				 const struct trace_handler *h, void *ctx)
{
	struct trace_op op;
	int stop = 0;

	switch (trace_parse_line(p, line, len, &op)) {
	case TRACE_EV_NONE:
		break;
	case TRACE_EV_META:
		if (h != NULL && h->meta != NULL)
			stop = h->meta(ctx, p->meta_key, p->meta_key_len, p->meta_value,
				       p->meta_value_len);
		break;
	case TRACE_EV_HEADER:
		if (h != NULL && h->header != NULL) {
			struct trace_header hd = { TRACE_VERSION, p->files, p->nfiles };
			stop = h->header(ctx, &hd);
		}
		break;
	case TRACE_EV_OP:
		if (h != NULL && h->op != NULL)
			stop = h->op(ctx, &op);
		break;
	case TRACE_EV_END:
		if (h != NULL && h->end != NULL)
			stop = h->end(ctx, p->nops);
		break;
	case TRACE_EV_ERROR:
		return p->error;
	}
	if (stop != 0) {
		fail(p, TRACE_E_STOPPED, p->line);
		return p->error;
	}
	return TRACE_OK;
}

enum trace_error trace_parser_feed(struct trace_parser *p, const char *data, size_t len,
				   const struct trace_handler *h, void *ctx)
{
	size_t i = 0;

	if (p->state == TRACE_ST_ERROR)
		return p->error;
	while (i < len) {
		/* Find the end of the current line in data. */
		size_t j = i;
		while (j < len && data[j] != '\n')
			j++;

		if (p->buf_len == 0 && j < len) {
			/* A whole line in data: parse it in place, no copy. */
			enum trace_error e = run_line(p, data + i, j - i, h, ctx);
			if (e != TRACE_OK)
				return e;
		} else {
			/* Part of a line: gather it in buf, up to one byte too many. */
			size_t n = j - i, room = sizeof(p->buf) - p->buf_len;
			if (n > room)
				n = room;
			for (size_t k = 0; k < n; k++)
				p->buf[p->buf_len + k] = data[i + k];
			p->buf_len += n;
			if (p->buf_len > TRACE_LINE_MAX) {
				/* Report now: waiting for the LF could take forever. */
				p->line++;
				fail(p, TRACE_E_LINE_TOO_LONG, p->line);
				return p->error;
			}
			if (j < len) {
				enum trace_error e = run_line(p, p->buf, p->buf_len, h, ctx);
				p->buf_len = 0;
				if (e != TRACE_OK)
					return e;
			}
		}
		i = j < len ? j + 1 : len;
	}
	return TRACE_OK;
}

enum trace_error trace_parser_finish(struct trace_parser *p, const struct trace_handler *h,
				     void *ctx)
{
	if (p->state == TRACE_ST_ERROR)
		return p->error;
	if (p->buf_len > 0) {
		enum trace_error e = run_line(p, p->buf, p->buf_len, h, ctx);
		p->buf_len = 0;
		if (e != TRACE_OK)
			return e;
	}
	if (p->state == TRACE_ST_MAGIC) {
		fail(p, TRACE_E_MAGIC, 1);
		return p->error;
	}
	if (p->state != TRACE_ST_DONE) {
		fail(p, TRACE_E_TRUNCATED, p->line + 1);
		return p->error;
	}
	return TRACE_OK;
}

/* Messages -------------------------------------------------------------- */

static const char *const reasons[TRACE_E_COUNT_] = {
	[TRACE_OK] = "no error",
	[TRACE_E_MAGIC] = "not a mosaic trace (line 1 must be \"mosaic-trace 1\")",
	[TRACE_E_VERSION] = "unsupported trace version (this parser reads version 1)",
	[TRACE_E_LINE_TOO_LONG] = "line longer than 4096 bytes",
	[TRACE_E_CHAR] = "control byte, or byte above 127 outside a comment or meta value",
	[TRACE_E_SYNTAX] = "unknown keyword or wrong number of fields",
	[TRACE_E_NUMBER] = "bad number (1-20 decimal digits, at most 2^64-1)",
	[TRACE_E_ID] = "bad file id (1-63 bytes of A-Z a-z 0-9 . _ + -)",
	[TRACE_E_META] = "bad meta line (key: 1-31 bytes of a-z 0-9 _ -, then a value)",
	[TRACE_E_CONTENT] = "unknown content kind (version 1 has \"pattern SEED\")",
	[TRACE_E_DUP_FILE] = "file declared twice",
	[TRACE_E_TOO_MANY_FILES] = "too many files",
	[TRACE_E_NO_FILES] = "\"ops\" before any file was declared",
	[TRACE_E_HEADER_AFTER_OPS] = "header line after \"ops\"",
	[TRACE_E_OP_IN_HEADER] = "operation or \"end\" before \"ops\"",
	[TRACE_E_UNKNOWN_FILE] = "operation names an undeclared file",
	[TRACE_E_CLIENT] = "client number above 65535",
	[TRACE_E_LENGTH] = "length 0 or above 2^30",
	[TRACE_E_RANGE] = "offset + length past the end of the file",
	[TRACE_E_OP] = "unknown operation (r or w)",
	[TRACE_E_END_COUNT] = "\"end\" count differs from the number of operations",
	[TRACE_E_AFTER_END] = "line after \"end\"",
	[TRACE_E_TRUNCATED] = "truncated trace (no \"end\" line)",
	[TRACE_E_STOPPED] = "stopped by its user",
};

const char *trace_error_string(enum trace_error code)
{
	if ((unsigned)code >= TRACE_E_COUNT_ || reasons[code] == NULL)
		return "unknown error";
	return reasons[code];
}

/* Appends s to buf (cut to size, always terminated when size > 0). */
static size_t put(char *buf, size_t size, size_t at, const char *s)
{
	for (; *s != '\0'; s++, at++)
		if (size > 0 && at < size - 1)
			buf[at] = *s;
	return at;
}

size_t trace_error_format(const struct trace_parser *p, const char *name, char *buf,
			  size_t size)
{
	char num[21];
	size_t at, i = sizeof(num) - 1;
	uint64_t v = p->error_line;

	num[i] = '\0';
	do {
		num[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);

	at = put(buf, size, 0, name != NULL ? name : "trace");
	at = put(buf, size, at, ":");
	at = put(buf, size, at, num + i);
	at = put(buf, size, at, ": ");
	at = put(buf, size, at, trace_error_string(p->error));
	if (size > 0)
		buf[at < size - 1 ? at : size - 1] = '\0';
	return at;
}

/*
 * trace_parse.h: a streaming parser for mosaic trace format version 1.
 *
 * The format is specified in traces/FORMAT.md.  This parser is shared by the
 * simulator, the host tools and a guest program on the real kernel, so it is
 * freestanding C11 (only <stdint.h>, <stddef.h>, <stdbool.h> and core/'s
 * vmc_range.h) and it never allocates: its whole state is one struct
 * trace_parser (about 12 KiB: the line buffer and a file index; keep it
 * static or on the heap, not on a small kernel stack), plus a file table whose
 * room the caller provides.  Memory therefore does not grow with the length
 * of a trace; a million-line trace parses in the same memory as a ten-line
 * one.  An operation's file is found by binary search over the file ids'
 * hashes, after a one-entry hint (traces read runs of one file).
 *
 * Two ways to drive it:
 *   - trace_parse_line() takes one complete line and says what it was
 *     (nothing, the completed header, an operation, the end);
 *   - trace_parser_feed() takes arbitrary chunks of bytes (a read() buffer),
 *     cuts them into lines in the parser's own line buffer, and calls the
 *     handler's callbacks; trace_parser_finish() at end of input.
 *
 * Validate, then hand out.  The header (every meta and file line) is checked
 * completely, and handed out only when the `ops` line is reached; each
 * operation is checked completely (its file is declared, its range is inside
 * the file, computed with vmc_add) before it is handed out.  A stream parser
 * cannot take back operations handed out before a later bad line: a user that
 * needs all or nothing parses once without an op callback, then again.
 *
 * Errors stop the parser.  p->error holds the code, and p->error_line the
 * 1-based line; trace_error_format() writes "NAME:LINE: reason" with a name
 * the caller supplies (the parser never sees file names).  Once stopped,
 * every call returns the same error and changes nothing.
 *
 * Locks: none; a parser is used by one thread.  Nothing here sleeps.
 */
#ifndef TRACE_PARSE_H
#define TRACE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_VERSION        1
#define TRACE_LINE_MAX       4096u            /* bytes, LF excluded */
#define TRACE_MAX_FILES      4096u
#define TRACE_ID_MAX         63u              /* bytes */
#define TRACE_META_KEY_MAX   31u              /* bytes */
#define TRACE_MAX_CLIENT     65535u
#define TRACE_MAX_LENGTH     (UINT64_C(1) << 30)

/* Reasons a parse stops (FORMAT.md, "Errors").  0 is success. */
enum trace_error {
	TRACE_OK = 0,
	TRACE_E_MAGIC,
	TRACE_E_VERSION,
	TRACE_E_LINE_TOO_LONG,
	TRACE_E_CHAR,
	TRACE_E_SYNTAX,
	TRACE_E_NUMBER,
	TRACE_E_ID,
	TRACE_E_META,
	TRACE_E_CONTENT,
	TRACE_E_DUP_FILE,
	TRACE_E_TOO_MANY_FILES,
	TRACE_E_NO_FILES,
	TRACE_E_HEADER_AFTER_OPS,
	TRACE_E_OP_IN_HEADER,
	TRACE_E_UNKNOWN_FILE,
	TRACE_E_CLIENT,
	TRACE_E_LENGTH,
	TRACE_E_RANGE,
	TRACE_E_OP,
	TRACE_E_END_COUNT,
	TRACE_E_AFTER_END,
	TRACE_E_TRUNCATED,
	TRACE_E_STOPPED,
	TRACE_E_COUNT_         /* number of codes; not a code */
};

/* A declared file.  The parser fills these in the caller's array. */
struct trace_file {
	char id[TRACE_ID_MAX + 1];   /* NUL-terminated */
	uint8_t id_len;
	uint64_t size;
	uint64_t seed;
	uint64_t key;                /* trace_content_key(id, seed) */
	uint64_t id_hash;            /* for the op-line lookup */
};

enum trace_op_kind { TRACE_OP_READ = 'r', TRACE_OP_WRITE = 'w' };

/* One operation, valid: file declared, [offset, offset + length) inside it. */
struct trace_op {
	uint64_t line;               /* where it was read */
	uint32_t client;
	uint32_t file;               /* index into the file table */
	uint64_t offset;
	uint64_t length;
	enum trace_op_kind kind;
};

/* The completed header, handed out once, at the `ops` line. */
struct trace_header {
	unsigned version;
	const struct trace_file *files;
	uint32_t nfiles;
};

/* What one line was (trace_parse_line's result). */
enum trace_event {
	TRACE_EV_NONE,       /* a comment, a blank line, line 1, or a file line */
	TRACE_EV_META,       /* a meta line: p->meta_key / p->meta_value */
	TRACE_EV_HEADER,     /* the `ops` line: the header is complete */
	TRACE_EV_OP,         /* an operation: *op */
	TRACE_EV_END,        /* the `end` line, count checked */
	TRACE_EV_ERROR       /* p->error, p->error_line */
};

/* Callbacks for trace_parser_feed().  Any may be NULL.  A non-zero return
 * stops the parser with TRACE_E_STOPPED.  Pointers passed in are valid only
 * during the call (the header's file table stays valid as long as the
 * caller's array does). */
struct trace_handler {
	int (*meta)(void *ctx, const char *key, size_t key_len,
		    const char *value, size_t value_len);
	int (*header)(void *ctx, const struct trace_header *h);
	int (*op)(void *ctx, const struct trace_op *op);
	int (*end)(void *ctx, uint64_t nops);
};

enum trace_state { TRACE_ST_MAGIC, TRACE_ST_HEADER, TRACE_ST_OPS, TRACE_ST_DONE,
		   TRACE_ST_ERROR };

/* The parser.  Fields are read-only to users except through the calls. */
struct trace_parser {
	enum trace_state state;
	enum trace_error error;
	uint64_t error_line;         /* 1-based; 0 while no error */
	uint64_t line;               /* lines completed so far */
	uint64_t nops;               /* operations handed out */
	struct trace_file *files;    /* the caller's array */
	uint32_t cap;                /* its room, at most TRACE_MAX_FILES */
	uint32_t nfiles;
	uint32_t last_file;          /* lookup hint: traces read runs of one file */
	uint16_t by_hash[TRACE_MAX_FILES]; /* file indexes sorted by id_hash */
	const char *meta_key;        /* TRACE_EV_META: valid until the next line */
	size_t meta_key_len;
	const char *meta_value;
	size_t meta_value_len;
	size_t buf_len;              /* bytes of a partial line in buf */
	bool overlong;               /* the partial line is already too long */
	char buf[TRACE_LINE_MAX + 1];
};

/* Sets p up to parse one trace, its file table being files[0 .. cap).
 * A cap above TRACE_MAX_FILES is treated as TRACE_MAX_FILES. */
void trace_parser_init(struct trace_parser *p, struct trace_file *files, uint32_t cap);

/* Parses one complete line (len bytes, without its LF; it may hold any
 * bytes).  Returns what the line was; on TRACE_EV_OP fills *op, on every other
 * result leaves *op untouched.  On TRACE_EV_ERROR, p->error and p->error_line
 * say why and where, and p stays stopped. */
enum trace_event trace_parse_line(struct trace_parser *p, const char *line, size_t len,
				  struct trace_op *op);

/* Parses the next len bytes of the input, calling h's callbacks (h may be
 * NULL) as lines complete.  A partial last line is kept in p until more bytes
 * or trace_parser_finish() arrive.  Returns TRACE_OK or the error that
 * stopped the parser (also in p->error). */
enum trace_error trace_parser_feed(struct trace_parser *p, const char *data, size_t len,
				   const struct trace_handler *h, void *ctx);

/* End of input: parses a last line without LF, then checks that `end` was
 * read (TRACE_E_TRUNCATED otherwise).  Returns TRACE_OK or the error. */
enum trace_error trace_parser_finish(struct trace_parser *p, const struct trace_handler *h,
				     void *ctx);

/* A short English reason for code ("unknown file"); never NULL. */
const char *trace_error_string(enum trace_error code);

/* Writes "NAME:LINE: reason" (NUL-terminated, cut to size) into buf and
 * returns the length it would have had.  name may be NULL ("trace"). */
size_t trace_error_format(const struct trace_parser *p, const char *name, char *buf,
			  size_t size);

/* The file whose id is id[0 .. len), or NULL.  Usable once the header is
 * complete (and during it, for what has been declared so far). */
const struct trace_file *trace_parser_find_file(struct trace_parser *p, const char *id,
						size_t len);

#endif /* TRACE_PARSE_H */

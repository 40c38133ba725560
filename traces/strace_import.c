/*
 * strace_import.c: strace log -> mosaic trace (see strace_import.h).
 *
 * How a line is read.  A log line is [pid prefix] [timestamp] record, where
 * the pid prefix is "[pid N] " (strace -f to a terminal) or "N " (strace -f
 * -o), the timestamp is -t/-tt (11:03:29.611405), -ttt (1700000000.611405) or
 * -r (0.000123), and the record is a call "name(args) = result [<time>]", half
 * of one ("name(args <unfinished ...>" then "<... name resumed>args) = r"),
 * or something else (signals, exits, strace's own messages), which is
 * ignored.  The two halves of a call are joined per pid before parsing.
 *
 * How a read is placed.  Each process has an fd table mapping fds to open
 * file descriptions (struct desc), shared after dup as in the kernel, each
 * with a file and a position.  open/openat make one at position 0, read and
 * readv advance it, lseek sets it from its result, pread64/preadv carry their
 * offset.  With -y every fd argument also names its path (3</usr/lib/x>), so
 * an fd opened before tracing began is still known by file, but its position
 * is not: a read() on it is unmatched (skipped and counted), a pread64() or a
 * read after an lseek is placed exactly.  The same -y names catch an fd table
 * gone stale because threads share it (clone is not in the traced set).
 *
 * What is a regular file.  A path under /dev, /proc or /sys, or a -y name
 * like pipe:[123] or socket:[4], is not; an fstat/newfstatat whose st_mode is
 * not S_IFREG says a file is not; anything else read with a positive result
 * is taken as regular.
 */
#include "strace_import.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace_parse.h"

G_DEFINE_QUARK(strace-import-error-quark, strace_import_error)

/* The most bytes one read or write moves on Linux (MAX_RW_COUNT). */
#define LINUX_RW_MAX 0x7ffff000LL

struct file {
	char *path;
	uint64_t extent;         /* largest offset + length read */
	uint64_t stat_size;
	bool has_stat;
	bool not_regular;        /* by path, or by fstat */
	int index;               /* in the trace, -1 until written */
	char *id;
};

struct desc {
	int refs;
	struct file *file;       /* NULL: not a file we can place reads in */
	uint64_t pos;
	bool pos_known;
};

struct proc {
	long pid;
	uint32_t client;
	GHashTable *fds;         /* GINT_TO_POINTER(fd) -> struct desc * */
	char *pending;           /* the first half of an unfinished call */
	char *pending_name;
};

struct op {
	struct file *file;
	uint32_t client;
	uint64_t offset;
	uint64_t length;
};

struct strace_importer {
	GHashTable *files;       /* path -> struct file * (owned) */
	GPtrArray *order;        /* struct file *, in first-read order */
	GHashTable *procs;       /* pid -> struct proc * (owned) */
	GArray *ops;             /* struct op */
	GPtrArray *meta;         /* "key value" strings */
	bool numeric_ids;
	struct strace_import_stats st;
};

/* Objects --------------------------------------------------------------- */

static void file_free(gpointer p)
{
	struct file *f = p;
	g_free(f->path);
	g_free(f->id);
	g_free(f);
}

static void desc_unref(gpointer p)
{
	struct desc *d = p;
	if (--d->refs == 0)
		g_free(d);
}

static struct desc *desc_new(struct file *f, bool pos_known)
{
	struct desc *d = g_new0(struct desc, 1);
	d->refs = 1;
	d->file = f;
	d->pos_known = pos_known;
	return d;
}

static void proc_free(gpointer p)
{
	struct proc *pr = p;
	g_hash_table_destroy(pr->fds);
	g_free(pr->pending);
	g_free(pr->pending_name);
	g_free(pr);
}

struct strace_importer *strace_importer_new(void)
{
	struct strace_importer *imp = g_new0(struct strace_importer, 1);
	imp->files = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, file_free);
	imp->order = g_ptr_array_new();
	imp->procs = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, proc_free);
	imp->ops = g_array_new(FALSE, FALSE, sizeof(struct op));
	imp->meta = g_ptr_array_new_with_free_func(g_free);
	return imp;
}

void strace_importer_free(struct strace_importer *imp)
{
	if (imp == NULL)
		return;
	g_hash_table_destroy(imp->procs);
	g_hash_table_destroy(imp->files);
	g_ptr_array_free(imp->order, TRUE);
	g_array_free(imp->ops, TRUE);
	g_ptr_array_free(imp->meta, TRUE);
	g_free(imp);
}

static struct proc *proc_get(struct strace_importer *imp, long pid)
{
	gint64 key = pid;
	struct proc *pr = g_hash_table_lookup(imp->procs, &key);

	if (pr == NULL) {
		gint64 *k = g_new(gint64, 1);
		*k = pid;
		pr = g_new0(struct proc, 1);
		pr->pid = pid;
		pr->client = (uint32_t)imp->st.processes++;
		pr->fds = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, desc_unref);
		g_hash_table_insert(imp->procs, k, pr);
	}
	return pr;
}

static bool path_not_regular(const char *path)
{
	return g_str_has_prefix(path, "/dev/") || g_str_has_prefix(path, "/proc/") ||
	       g_str_has_prefix(path, "/sys/") || strstr(path, ":[") != NULL ||
	       g_str_has_prefix(path, "anon_inode:") || strcmp(path, "/dev") == 0;
}

static struct file *file_get(struct strace_importer *imp, const char *path)
{
	struct file *f = g_hash_table_lookup(imp->files, path);

	if (f == NULL) {
		f = g_new0(struct file, 1);
		f->path = g_strdup(path);
		f->not_regular = path_not_regular(path);
		f->index = -1;
		g_hash_table_insert(imp->files, f->path, f);
	}
	return f;
}

/* fd tables ------------------------------------------------------------- */

static struct desc *fd_lookup(struct proc *pr, long fd)
{
	return g_hash_table_lookup(pr->fds, GINT_TO_POINTER((int)fd));
}

/* Installs d at fd (taking a reference), closing what was there. */
static void fd_install(struct proc *pr, long fd, struct desc *d)
{
	d->refs++;
	g_hash_table_replace(pr->fds, GINT_TO_POINTER((int)fd), d);
}

/* Text helpers ---------------------------------------------------------- */

/* Parses a whole string as a decimal (optionally negative) integer. */
static bool parse_long(const char *s, long long *out)
{
	char *end;

	if (s == NULL || *s == '\0')
		return false;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

/* Decodes a C-quoted string as strace prints it ("a\"b\n\x41\101").  Returns
 * NULL if s is NULL or not one. */
static char *unquote(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;
	GString *o;

	if (n < 2 || s[0] != '"')
		return NULL;
	/* strace appends "..." after a cut string: not a complete path. */
	if (s[n - 1] != '"')
		return NULL;
	o = g_string_new(NULL);
	for (size_t i = 1; i + 1 < n; i++) {
		char c = s[i];
		if (c != '\\' || i + 2 >= n) {
			g_string_append_c(o, c);
			continue;
		}
		c = s[++i];
		switch (c) {
		case 'n': g_string_append_c(o, '\n'); break;
		case 't': g_string_append_c(o, '\t'); break;
		case 'r': g_string_append_c(o, '\r'); break;
		case 'v': g_string_append_c(o, '\v'); break;
		case 'f': g_string_append_c(o, '\f'); break;
		case 'x': {
			unsigned v = 0, k = 0;
			while (k < 2 && i + 2 < n && g_ascii_isxdigit(s[i + 1]))
				v = v * 16 + (unsigned)g_ascii_xdigit_value(s[++i]), k++;
			g_string_append_c(o, (char)v);
			break;
		}
		default:
			if (c >= '0' && c <= '7') {
				unsigned v = (unsigned)(c - '0'), k = 1;
				while (k < 3 && i + 2 < n && s[i + 1] >= '0' && s[i + 1] <= '7')
					v = v * 8 + (unsigned)(s[++i] - '0'), k++;
				g_string_append_c(o, (char)v);
			} else {
				g_string_append_c(o, c);
			}
		}
	}
	return g_string_free(o, FALSE);
}

/* Splits "a, "x,y", {b, c}, 3</p,q>" at top-level commas (outside quotes,
 * brackets of any kind, and -y's <...> annotations).  Trims each argument. */
static GPtrArray *split_args(const char *s, size_t len)
{
	GPtrArray *args = g_ptr_array_new_with_free_func(g_free);
	int depth = 0;
	bool quoted = false;
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? s[i] : ',';
		if (quoted) {
			if (c == '\\' && i + 1 < len)
				i++;
			else if (c == '"')
				quoted = false;
			continue;
		}
		if (c == '"')
			quoted = true;
		else if (c == '(' || c == '[' || c == '{' || c == '<')
			depth++;
		else if ((c == ')' || c == ']' || c == '}' || c == '>') && depth > 0)
			depth--;
		else if (c == ',' && (depth == 0 || i == len)) {
			char *a = g_strndup(s + start, i - start);
			g_ptr_array_add(args, g_strstrip(a));
			start = i + 1;
		}
	}
	return args;
}

/* An fd argument: "3" or, with -y, "3</path>" (*path set, else NULL).
 * Returns false if it is neither. */
static bool parse_fd(const char *a, long *fd, char **path)
{
	char *end;
	long v;

	if (a == NULL || !g_ascii_isdigit(a[0]))
		return false;
	errno = 0;
	v = strtol(a, &end, 10);
	if (errno != 0 || v < 0 || v > INT32_MAX)
		return false;
	*path = NULL;
	if (*end == '<') {
		size_t n = strlen(end);
		if (n < 2 || end[n - 1] != '>')
			return false;
		*path = g_strndup(end + 1, n - 2);
	} else if (*end != '\0') {
		return false;
	}
	*fd = v;
	return true;
}

/* One call ---------------------------------------------------------------- */

struct call {
	char *name;
	GPtrArray *args;
	char *result;            /* the text after "= ", -T time removed */
	long long ret;           /* when the result is a number */
	bool ret_ok;             /* the result is a number (not -1 ERRNO, not ?) */
	bool failed;             /* -1 ERRNO */
	char *ret_path;          /* -y annotation of a returned fd */
};

static void call_clear(struct call *c)
{
	g_free(c->name);
	if (c->args != NULL)
		g_ptr_array_free(c->args, TRUE);
	g_free(c->result);
	g_free(c->ret_path);
}

/* Removes a trailing -T " <0.000021>" from s (in place). */
static void strip_time(char *s)
{
	size_t n = strlen(s);
	char *lt;

	if (n == 0 || s[n - 1] != '>' || (lt = strrchr(s, '<')) == NULL || lt == s ||
	    lt[-1] != ' ')
		return;
	for (char *q = lt + 1; q < s + n - 1; q++)
		if (!g_ascii_isdigit(*q) && *q != '.')
			return;
	lt[-1] = '\0';
}

/* Parses "name(args) = result".  False if the text is not a complete call. */
static bool call_parse(const char *text, struct call *c)
{
	const char *p = text, *open, *close = NULL, *eq;
	int depth = 0;
	bool quoted = false;

	memset(c, 0, sizeof(*c));
	while (g_ascii_isalnum(*p) || *p == '_')
		p++;
	if (p == text || *p != '(')
		return false;
	open = p;
	for (p = open; *p != '\0'; p++) {
		if (quoted) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				quoted = false;
			continue;
		}
		if (*p == '"')
			quoted = true;
		else if (*p == '(' || *p == '[' || *p == '{')
			depth++;
		else if ((*p == ')' || *p == ']' || *p == '}') && --depth == 0 && *p == ')') {
			close = p;
			break;
		}
	}
	if (close == NULL)
		return false;
	eq = close + 1;
	while (*eq == ' ')
		eq++;
	if (*eq != '=')
		return false;
	eq++;
	while (*eq == ' ')
		eq++;

	c->name = g_strndup(text, (size_t)(open - text));
	c->args = split_args(open + 1, (size_t)(close - open - 1));
	c->result = g_strdup(eq);
	strip_time(c->result);
	if (g_str_has_prefix(c->result, "-1 ") || strcmp(c->result, "-1") == 0) {
		c->failed = true;
	} else if (g_ascii_isdigit(c->result[0])) {
		char *lt = strchr(c->result, '<');
		char *num = lt != NULL ? g_strndup(c->result, (size_t)(lt - c->result)) :
					 g_strdup(c->result);
		g_strstrip(num);
		/* A returned fd with -y: "3</path>". */
		if (lt != NULL) {
			size_t n = strlen(lt);
			if (n >= 2 && lt[n - 1] == '>')
				c->ret_path = g_strndup(lt + 1, n - 2);
		}
		c->ret_ok = parse_long(num, &c->ret);
		g_free(num);
	}
	return true;
}

static const char *arg(const struct call *c, guint i)
{
	return i < c->args->len ? g_ptr_array_index(c->args, i) : NULL;
}

/* The description behind fd argument i.  With -y the argument names its file:
 * if the fd is not in the table (opened before the log began, or by a thread
 * sharing the fd table), or the table holds another file there (a close or
 * dup2 done by such a thread), the -y path wins and the position is unknown.
 * NULL if nothing is known. */
static struct desc *desc_of_arg(struct strace_importer *imp, struct proc *pr,
				const struct call *c, guint i)
{
	long fd;
	char *path;
	struct desc *d;

	if (!parse_fd(arg(c, i), &fd, &path))
		return NULL;
	d = fd_lookup(pr, fd);
	if (path != NULL && (d == NULL || strcmp(d->file->path, path) != 0)) {
		d = desc_new(file_get(imp, path), false);
		fd_install(pr, fd, d);
		desc_unref(d);
	}
	g_free(path);
	return d;
}

/* Handlers ---------------------------------------------------------------- */

/* Did the call return a file descriptor (0 .. INT32_MAX)? */
static bool ret_is_fd(const struct call *c)
{
	return c->ret_ok && c->ret >= 0 && c->ret <= INT32_MAX;
}

static void on_open(struct strace_importer *imp, struct proc *pr, const struct call *c,
		    guint path_arg)
{
	char *path;
	struct desc *d;

	if (!ret_is_fd(c)) {
		imp->st.unmatched++;
		return;
	}
	/* -y's resolved path beats the one the program passed. */
	path = c->ret_path != NULL ? g_strdup(c->ret_path) : unquote(arg(c, path_arg));
	if (path == NULL) {
		imp->st.unmatched++;
		return;
	}
	d = desc_new(file_get(imp, path), true);
	fd_install(pr, c->ret, d);
	desc_unref(d);
	g_free(path);
}

/* A read of c->ret bytes at offset (or at the description's position when
 * explicit is false). */
static void on_read(struct strace_importer *imp, struct proc *pr, const struct call *c,
		    bool explicit, uint64_t offset)
{
	struct desc *d = desc_of_arg(imp, pr, c, 0);
	uint64_t end;
	struct op op;

	/* Linux moves at most 0x7ffff000 bytes in one call: more is a garbled log. */
	if (d == NULL || !c->ret_ok || c->ret < 0 || c->ret > LINUX_RW_MAX) {
		imp->st.unmatched++;
		return;
	}
	if (d->file == NULL || d->file->not_regular) {
		imp->st.other_reads++;
		return;
	}
	if (c->ret == 0) {
		imp->st.eof_reads++;
		return;
	}
	if (!explicit) {
		if (!d->pos_known) {
			imp->st.unmatched++;
			return;
		}
		offset = d->pos;
	}
	if (!g_uint64_checked_add(&end, offset, (uint64_t)c->ret)) {
		imp->st.unmatched++;
		return;
	}
	if (!explicit)
		d->pos = end;
	if (end > d->file->extent)
		d->file->extent = end;
	/* A trace operation holds at most 2^30 bytes; Linux returns up to 2^31 -
	 * 4096 from one read: such a read becomes consecutive operations. */
	op.file = d->file;
	op.client = pr->client;
	while (offset < end) {
		op.offset = offset;
		op.length = end - offset < TRACE_MAX_LENGTH ? end - offset : TRACE_MAX_LENGTH;
		g_array_append_val(imp->ops, op);
		imp->st.reads++;
		imp->st.bytes += op.length;
		offset += op.length;
	}
}

static void on_read_at(struct strace_importer *imp, struct proc *pr, const struct call *c,
		       guint off_arg)
{
	long long off;

	if (!parse_long(arg(c, off_arg), &off) || off < 0) {
		imp->st.unmatched++;
		return;
	}
	on_read(imp, pr, c, true, (uint64_t)off);
}

static void on_lseek(struct strace_importer *imp, struct proc *pr, const struct call *c)
{
	struct desc *d = desc_of_arg(imp, pr, c, 0);

	if (d == NULL || !c->ret_ok || c->ret < 0) {
		imp->st.unmatched++;
		return;
	}
	/* The result is the new position, whatever the whence. */
	d->pos = (uint64_t)c->ret;
	d->pos_known = true;
}

static void on_dup(struct strace_importer *imp, struct proc *pr, const struct call *c)
{
	struct desc *d = desc_of_arg(imp, pr, c, 0);

	if (d == NULL || !ret_is_fd(c)) {
		imp->st.unmatched++;
		return;
	}
	if (fd_lookup(pr, c->ret) != d)
		fd_install(pr, c->ret, d);
}

static void on_close(struct strace_importer *imp, struct proc *pr, const struct call *c)
{
	long fd;
	char *path;

	if (!parse_fd(arg(c, 0), &fd, &path)) {
		imp->st.unmatched++;
		return;
	}
	g_free(path);
	g_hash_table_remove(pr->fds, GINT_TO_POINTER((int)fd));
}

/* A printed st_size: decimal digits that make an off_t at or above 0, up
 * to the field's end.  Anything else (strace's -1 for a file system that
 * reports no size, a sign, a number past off_t, no digits) is no size. */
static bool parse_st_size(const char *z, uint64_t *out)
{
	char *end;

	if (!g_ascii_isdigit(*z))
		return false;
	errno = 0;
	unsigned long long v = strtoull(z, &end, 10);
	if (errno != 0 || v > INT64_MAX || (*end != ',' && *end != '}' && *end != '\0'))
		return false;
	*out = v;
	return true;
}

/* st_mode and st_size out of a printed struct stat.  An st_size that is no
 * size leaves the size unknown (counted in bad_sizes): the reads' extent
 * gives it, as for a file never stat'ed. */
static void apply_stat(struct strace_importer *imp, struct file *f, const char *st)
{
	const char *m = st != NULL ? strstr(st, "st_mode=") : NULL;
	const char *z = st != NULL ? strstr(st, "st_size=") : NULL;
	uint64_t size;

	if (f == NULL)
		return;
	if (m != NULL && !g_str_has_prefix(m + 8, "S_IFREG"))
		f->not_regular = true;
	if (z == NULL)
		return;
	if (!parse_st_size(z + 8, &size)) {
		imp->st.bad_sizes++;
		return;
	}
	f->stat_size = size;
	f->has_stat = true;
}

static void on_fstat(struct strace_importer *imp, struct proc *pr, const struct call *c)
{
	struct desc *d = desc_of_arg(imp, pr, c, 0);

	if (d == NULL || !c->ret_ok) {
		imp->st.unmatched++;
		return;
	}
	apply_stat(imp, d->file, arg(c, 1));
}

/* newfstatat(fd, "", {...}, AT_EMPTY_PATH) is an fstat; with a path, a stat. */
static void on_fstatat(struct strace_importer *imp, struct proc *pr, const struct call *c)
{
	char *path = unquote(arg(c, 1));

	if (path == NULL || !c->ret_ok) {
		imp->st.unmatched++;
	} else if (path[0] == '\0') {
		struct desc *d = desc_of_arg(imp, pr, c, 0);
		if (d == NULL)
			imp->st.unmatched++;
		else
			apply_stat(imp, d->file, arg(c, 2));
	} else if (path[0] == '/') {
		/* Relative paths would need the cwd: not worth guessing. */
		apply_stat(imp, file_get(imp, path), arg(c, 2));
	}
	g_free(path);
}

static void on_call(struct strace_importer *imp, struct proc *pr, const char *text)
{
	struct call c;
	const char *n;

	if (!call_parse(text, &c)) {
		imp->st.unmatched++;
		call_clear(&c);
		return;
	}
	imp->st.calls++;
	n = c.name;
	if (c.failed) {
		imp->st.failed++;
	} else if (strcmp(n, "open") == 0) {
		on_open(imp, pr, &c, 0);
	} else if (strcmp(n, "openat") == 0 || strcmp(n, "openat2") == 0) {
		on_open(imp, pr, &c, 1);
	} else if (strcmp(n, "read") == 0 || strcmp(n, "readv") == 0) {
		on_read(imp, pr, &c, false, 0);
	} else if (strcmp(n, "pread64") == 0 || strcmp(n, "preadv") == 0 ||
		   strcmp(n, "preadv2") == 0) {
		on_read_at(imp, pr, &c, 3);
	} else if (strcmp(n, "lseek") == 0) {
		on_lseek(imp, pr, &c);
	} else if (strcmp(n, "dup") == 0 || strcmp(n, "dup2") == 0 || strcmp(n, "dup3") == 0) {
		on_dup(imp, pr, &c);
	} else if (strcmp(n, "fcntl") == 0 && arg(&c, 1) != NULL &&
		   g_str_has_prefix(arg(&c, 1), "F_DUPFD")) {
		on_dup(imp, pr, &c);
	} else if (strcmp(n, "close") == 0) {
		on_close(imp, pr, &c);
	} else if (strcmp(n, "fstat") == 0) {
		on_fstat(imp, pr, &c);
	} else if (strcmp(n, "newfstatat") == 0) {
		on_fstatat(imp, pr, &c);
	} else {
		imp->st.ignored++;
	}
	call_clear(&c);
}

/* Lines ------------------------------------------------------------------- */

/* Skips a -t/-tt/-ttt/-r timestamp and the blanks after it. */
static const char *skip_time(const char *p)
{
	const char *q = p;
	bool mark = false;

	while (g_ascii_isdigit(*q) || *q == ':' || *q == '.') {
		mark |= *q == ':' || *q == '.';
		q++;
	}
	if (q == p || !mark || *q != ' ')
		return p;
	while (*q == ' ')
		q++;
	return q;
}

/* Reads the pid prefix, if any, into *pid; returns what follows. */
static const char *skip_pid(const char *p, long *pid)
{
	char *end;
	long v;

	if (g_str_has_prefix(p, "[pid ")) {
		p += 5;
		while (*p == ' ')
			p++;
		v = strtol(p, &end, 10);
		if (end != p && *end == ']') {
			*pid = v;
			p = end + 1;
		}
	} else if (g_ascii_isdigit(*p)) {
		v = strtol(p, &end, 10);
		/* "N " is a pid; "N." and "N:" start a timestamp. */
		if (*end == ' ') {
			*pid = v;
			p = end;
		}
	}
	while (*p == ' ')
		p++;
	return p;
}

/* "name(args <unfinished ...>": keep the first half for the pid. */
static bool take_unfinished(struct strace_importer *imp, struct proc *pr, const char *rec)
{
	static const char mark[] = "<unfinished ...>";
	size_t n = strlen(rec), m = sizeof(mark) - 1;
	const char *paren;

	if (n < m || strcmp(rec + n - m, mark) != 0)
		return false;
	paren = strchr(rec, '(');
	if (pr->pending != NULL)
		imp->st.unmatched++;    /* never resumed */
	g_free(pr->pending);
	g_free(pr->pending_name);
	pr->pending = g_strndup(rec, n - m);
	g_strchomp(pr->pending);
	pr->pending_name = paren != NULL ? g_strndup(rec, (size_t)(paren - rec)) : g_strdup("");
	return true;
}

/* "<... name resumed>rest": join with the first half and handle the call. */
static bool take_resumed(struct strace_importer *imp, struct proc *pr, const char *rec)
{
	const char *name, *end;
	char *joined;

	if (!g_str_has_prefix(rec, "<... "))
		return false;
	name = rec + 5;
	end = strstr(name, " resumed>");
	if (end == NULL)
		return false;
	if (pr->pending == NULL || strlen(pr->pending_name) != (size_t)(end - name) ||
	    strncmp(pr->pending_name, name, (size_t)(end - name)) != 0) {
		imp->st.unmatched++;
		return true;
	}
	joined = g_strconcat(pr->pending, " ", end + 9, NULL);
	g_clear_pointer(&pr->pending, g_free);
	g_clear_pointer(&pr->pending_name, g_free);
	on_call(imp, pr, joined);
	g_free(joined);
	return true;
}

void strace_importer_feed_line(struct strace_importer *imp, const char *line, long default_pid)
{
	long pid = default_pid;
	char *copy = g_strdup(line);
	const char *rec;
	struct proc *pr;

	imp->st.lines++;
	g_strchomp(copy);                 /* LF, CR, trailing blanks */
	rec = skip_time(skip_pid(skip_time(copy), &pid));
	/* A call starts with a name and "("; a resumed half with "<... ". */
	if (!(g_ascii_isalpha(*rec) || *rec == '_' || g_str_has_prefix(rec, "<... ")) ||
	    g_str_has_prefix(rec, "strace:")) {
		if (*rec != '\0')
			imp->st.ignored++;
		g_free(copy);
		return;
	}
	pr = proc_get(imp, pid);
	if (!take_unfinished(imp, pr, rec) && !take_resumed(imp, pr, rec))
		on_call(imp, pr, rec);
	g_free(copy);
}

gboolean strace_importer_read(struct strace_importer *imp, FILE *in, long default_pid,
			      GError **err)
{
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, in) >= 0)
		strace_importer_feed_line(imp, line, default_pid);
	free(line);
	if (ferror(in)) {
		g_set_error(err, STRACE_IMPORT_ERROR, STRACE_IMPORT_ERROR_IO,
			    "reading the log failed: %s", g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

/* Output ------------------------------------------------------------------ */

void strace_importer_add_meta(struct strace_importer *imp, const char *key, const char *value)
{
	char *v = g_strdup(value != NULL ? value : "");
	char *nl = strpbrk(v, "\r\n");

	if (nl != NULL)
		*nl = '\0';
	for (char *q = v; *q != '\0'; q++)
		if ((unsigned char)*q < 32 || *q == 127)
			*q = ' ';
	g_strstrip(v);
	if (*v != '\0')
		g_ptr_array_add(imp->meta, g_strdup_printf("%s %s", key, v));
	g_free(v);
}

void strace_importer_set_numeric_ids(struct strace_importer *imp, bool numeric)
{
	imp->numeric_ids = numeric;
}

/* "f<N>-<basename>", basename cut to what an id may hold; or "f<N>". */
static char *make_id(const struct file *f, int index, bool numeric)
{
	const char *base = strrchr(f->path, '/');
	GString *id = g_string_new(NULL);

	g_string_printf(id, "f%d", index);
	if (numeric)
		return g_string_free(id, FALSE);
	g_string_append_c(id, '-');
	for (base = base != NULL ? base + 1 : f->path; *base != '\0'; base++) {
		char ch = *base;
		bool ok = g_ascii_isalnum(ch) || ch == '.' || ch == '_' || ch == '+' || ch == '-';
		if (id->len >= TRACE_ID_MAX)
			break;
		g_string_append_c(id, ok ? ch : '_');
	}
	return g_string_free(id, FALSE);
}

/* Numbers the regular files that were read, in first-read order. */
static gboolean assign_ids(struct strace_importer *imp, GError **err)
{
	g_ptr_array_set_size(imp->order, 0);
	for (guint i = 0; i < imp->ops->len; i++) {
		struct op *o = &g_array_index(imp->ops, struct op, i);
		struct file *f = o->file;
		if (f->not_regular || f->index >= 0)
			continue;
		if (imp->order->len >= TRACE_MAX_FILES) {
			g_set_error(err, STRACE_IMPORT_ERROR, STRACE_IMPORT_ERROR_LIMIT,
				    "more than %u files were read", TRACE_MAX_FILES);
			return FALSE;
		}
		f->index = (int)imp->order->len;
		g_free(f->id);
		f->id = make_id(f, f->index, imp->numeric_ids);
		g_ptr_array_add(imp->order, f);
	}
	if (imp->order->len == 0) {
		g_set_error(err, STRACE_IMPORT_ERROR, STRACE_IMPORT_ERROR_NO_FILES,
			    "no regular file was read in the log");
		return FALSE;
	}
	if (imp->st.processes > TRACE_MAX_CLIENT + 1u) {
		g_set_error(err, STRACE_IMPORT_ERROR, STRACE_IMPORT_ERROR_LIMIT,
			    "more than %u processes", TRACE_MAX_CLIENT + 1u);
		return FALSE;
	}
	return TRUE;
}

static gboolean check_out(FILE *out, GError **err)
{
	if (fflush(out) != 0 || ferror(out)) {
		g_set_error(err, STRACE_IMPORT_ERROR, STRACE_IMPORT_ERROR_IO,
			    "writing the trace failed: %s", g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

gboolean strace_importer_write(struct strace_importer *imp, FILE *out, GError **err)
{
	uint64_t n = 0;

	if (!assign_ids(imp, err))
		return FALSE;
	imp->st.files = imp->order->len;
	fprintf(out, "mosaic-trace 1\n");
	fprintf(out, "meta source strace\n");
	for (guint i = 0; i < imp->meta->len; i++)
		fprintf(out, "meta %s\n", (const char *)g_ptr_array_index(imp->meta, i));
	fprintf(out, "# read lengths are the bytes each call returned; a file's size is the\n"
		     "# largest extent read, or its fstat size if larger; contents are patterns.\n");
	for (guint i = 0; i < imp->order->len; i++) {
		const struct file *f = g_ptr_array_index(imp->order, i);
		uint64_t size = f->has_stat && f->stat_size > f->extent ? f->stat_size : f->extent;
		fprintf(out, "file %s %" G_GUINT64_FORMAT " pattern %u\n", f->id, size, i + 1);
	}
	fprintf(out, "ops\n");
	imp->st.bytes = 0;
	for (guint i = 0; i < imp->ops->len; i++) {
		const struct op *o = &g_array_index(imp->ops, struct op, i);
		if (o->file->not_regular)
			continue;   /* fstat said so after the read */
		fprintf(out, "%u %s %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " r\n", o->client,
			o->file->id, o->offset, o->length);
		imp->st.bytes += o->length;
		n++;
	}
	fprintf(out, "end %" G_GUINT64_FORMAT "\n", n);
	/* Reads dropped because a later fstat showed a non-regular file. */
	imp->st.other_reads += imp->st.reads - n;
	imp->st.reads = n;
	return check_out(out, err);
}

/* A path as the map writes it: one field of one line.  Tab, line feed,
 * carriage return and backslash become \t \n \r \\, any other byte below
 * 32 and DEL \ooo (three octal digits); the rest (UTF-8 included) as is. */
static void map_path_write(FILE *out, const char *path)
{
	for (const unsigned char *c = (const unsigned char *)path; *c != '\0'; c++) {
		switch (*c) {
		case '\t': fputs("\\t", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\\': fputs("\\\\", out); break;
		default:
			if (*c < 32 || *c == 127)
				fprintf(out, "\\%03o", *c);
			else
				fputc(*c, out);
		}
	}
}

gboolean strace_importer_write_map(struct strace_importer *imp, FILE *out, GError **err)
{
	for (guint i = 0; i < imp->order->len; i++) {
		const struct file *f = g_ptr_array_index(imp->order, i);
		fprintf(out, "%s\t", f->id);
		map_path_write(out, f->path);
		fputc('\n', out);
	}
	return check_out(out, err);
}

void strace_importer_stats(const struct strace_importer *imp, struct strace_import_stats *st)
{
	*st = imp->st;
}

int strace_import(FILE *in, const char *name, FILE *out, struct strace_import_stats *st,
		  GError **err)
{
	struct strace_importer *imp = strace_importer_new();
	gboolean ok;

	if (name != NULL) {
		char *base = g_path_get_basename(name);
		strace_importer_add_meta(imp, "log", base);
		g_free(base);
	}
	ok = strace_importer_read(imp, in, 0, err) && strace_importer_write(imp, out, err);
	if (st != NULL)
		strace_importer_stats(imp, st);
	strace_importer_free(imp);
	return ok ? 0 : -1;
}

/*
 * strace_import.h: turns an strace log into a mosaic trace (FORMAT.md).
 *
 * Host side (GLib).  It reads what people capture with
 *     strace -f [-tt|-ttt|-r] [-T] [-y] -e trace=open,openat,read,pread64,readv,
 *            preadv,lseek,dup,dup2,dup3,close [-o LOG | -ff -o LOG]
 * and replays the file-descriptor bookkeeping of every traced process (fd
 * tables, shared open-file positions after dup, lseek, close) to find which
 * bytes of which regular file each read returned.  Each successful read of
 * n > 0 bytes from a regular file becomes one operation of length n (the bytes
 * the call returned, not those it asked for; a read of more than 2^30 bytes,
 * the format's limit, becomes consecutive operations); failed calls are
 * skipped and counted.  A file's declared size is the largest extent read, or its
 * fstat/newfstatat st_size when the log has one, whichever is larger.
 *
 * No machine path lands in the trace: files are named f<N>-<basename> in the
 * order they were first read, and the path of each id is written only to a
 * separate map on request (strace_importer_write_map()).
 *
 * Nothing here is thread-safe; nothing sleeps except on the caller's FILEs.
 */
#ifndef STRACE_IMPORT_H
#define STRACE_IMPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

#define STRACE_IMPORT_ERROR (strace_import_error_quark())
GQuark strace_import_error_quark(void);

enum strace_import_error_code {
	STRACE_IMPORT_ERROR_IO,          /* reading the log or writing the trace failed */
	STRACE_IMPORT_ERROR_NO_FILES,    /* no regular file was read in the log */
	STRACE_IMPORT_ERROR_LIMIT,       /* more clients or files than FORMAT.md allows */
};

struct strace_import_stats {
	uint64_t lines;         /* input lines */
	uint64_t calls;         /* complete system-call records (resumed ones joined) */
	uint64_t reads;         /* operations written (one per read, or more past 2^30) */
	uint64_t bytes;         /* bytes those reads returned */
	uint64_t failed;        /* calls that returned -1 ERRNO: skipped */
	uint64_t unmatched;     /* resumed without unfinished, unknown fd or position,
				   unparseable call, interrupted (= ?): skipped */
	uint64_t eof_reads;     /* reads that returned 0: no operation */
	uint64_t other_reads;   /* reads of pipes, ttys, sockets, /proc, /sys, /dev */
	uint64_t ignored;       /* calls of other system calls, and non-call lines */
	uint64_t processes;     /* distinct pids seen */
	uint64_t files;         /* regular files written to the trace */
	uint64_t bad_sizes;     /* fstat sizes that are none (st_size=-1, past
				   off_t): ignored, the size taken from the reads */
};

struct strace_importer;

/* A new, empty importer.  Never fails (GLib aborts on memory exhaustion). */
struct strace_importer *strace_importer_new(void);
void strace_importer_free(struct strace_importer *imp);

/* Adds "meta KEY VALUE" to the trace's header.  KEY must be a FORMAT.md meta
 * key; VALUE is cut at its first line break, control bytes become spaces. */
void strace_importer_add_meta(struct strace_importer *imp, const char *key, const char *value);

/* Names files f<N> alone, without their base names, for logs whose file names
 * themselves say too much about the machine.  Default: f<N>-<basename>. */
void strace_importer_set_numeric_ids(struct strace_importer *imp, bool numeric);

/* Takes one log line (with or without its LF).  default_pid is the process of
 * lines without a pid prefix (the suffix of an -ff log's name, or 0). */
void strace_importer_feed_line(struct strace_importer *imp, const char *line, long default_pid);

/* Feeds every line of in.  FALSE with *err set (IO) on a read error; the lines
 * read so far stay fed. */
gboolean strace_importer_read(struct strace_importer *imp, FILE *in, long default_pid,
			      GError **err);

/* Writes the trace.  FALSE with *err set if there is nothing to write (NO_FILES),
 * a limit is passed (LIMIT), or out fails (IO); out may then hold a partial
 * trace, which has no `end` line and so fails to parse. */
gboolean strace_importer_write(struct strace_importer *imp, FILE *out, GError **err);

/* Writes "ID<TAB>PATH" for every file of the trace, for the person who
 * captured it (machine paths: keep it out of the repository).  One line a
 * file: the path's tab, line feed, carriage return and backslash are
 * written \t \n \r \\, its other bytes below 32 and DEL \ooo (octal). */
gboolean strace_importer_write_map(struct strace_importer *imp, FILE *out, GError **err);

/* The counts so far (files: after strace_importer_write). */
void strace_importer_stats(const struct strace_importer *imp, struct strace_import_stats *st);

/* One log in, one trace out: new, meta log=basename(name), read, write.
 * Returns 0, or -1 with *err set.  st (may be NULL) is filled either way. */
int strace_import(FILE *in, const char *name, FILE *out, struct strace_import_stats *st,
		  GError **err);

/* The `mosaic import strace [OPTION...] LOG...` command: argv[0] is
 * "import", argv[1] "strace".  Returns the process exit status. */
int strace_import_command(int argc, char **argv);

#endif /* STRACE_IMPORT_H */

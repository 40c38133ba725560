/*
 * hurd_files.h: the files the Hurd's image holds under /data for the read
 * tests, and what they hold.
 *
 * The bytes of a file are trace_content's function of its name and the seed
 * (traces/trace_content.h), so that the program that writes the files on the
 * build machine (mkfiles.c) and the test program that reads them on the Hurd
 * (hurdread.c) agree on every byte without either carrying the other's data.
 * The sizes are chosen around ext2's blocks and the pager's pages: empty,
 * one byte, less than a block, exactly a page, an odd size of a few pages,
 * some fifty pages, and three MiB and a bit, which no single read covers.
 */
#ifndef HURD_FILES_H
#define HURD_FILES_H

#include <stdint.h>
#include <string.h>

#include "trace_content.h"

/* Printed by both sides; changing it changes every byte of every file. */
#define HURD_FILES_SEED 26u

struct hurd_file {
	const char *name;       /* under /data */
	uint32_t size;
};

static const struct hurd_file hurd_files[] = {
	{ "empty", 0 },
	{ "one", 1 },
	{ "small", 100 },
	{ "page", 4096 },
	{ "odd", 12345 },
	{ "medium", 200001 },
	{ "large", 3 * 1048576 + 777 },
};

#define HURD_NFILES (sizeof hurd_files / sizeof hurd_files[0])

/* The content key of file i. */
static inline uint64_t hurd_file_key(unsigned i)
{
	return trace_content_key(hurd_files[i].name, strlen(hurd_files[i].name),
				 HURD_FILES_SEED);
}

#endif /* HURD_FILES_H */

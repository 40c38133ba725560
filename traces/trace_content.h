/*
 * trace_content.h: the bytes of a trace file, computed rather than stored.
 *
 * A trace declares each file as `file ID SIZE pattern SEED` (FORMAT.md).  Its
 * bytes are a function of (ID, SEED, offset), so a replayer can fill a file
 * and check every byte a read returns without the trace carrying any data,
 * and a test can compute the same bytes independently.  The file is a
 * sequence of little-endian 64-bit words, word i being a splitmix64-style
 * hash of a per-file key and i.
 *
 * Freestanding: <stdint.h>, <stddef.h>, <stdbool.h> only.  The arithmetic
 * here is hashing modulo 2^64, where wrapping is intended; it is not offset
 * arithmetic and does not go through vmc_add().
 */
#ifndef TRACE_CONTENT_H
#define TRACE_CONTENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The key of file ID (len bytes, no terminator needed) with seed SEED.  Pure. */
uint64_t trace_content_key(const char *id, size_t len, uint64_t seed);

/* The byte at offset off of the file whose key is key.  Pure. */
uint8_t trace_content_byte(uint64_t key, uint64_t off);

/* Writes the len bytes starting at offset off into buf.  Never fails; the
 * caller keeps off + len inside the file (it is not checked here). */
void trace_content_fill(uint64_t key, uint64_t off, uint8_t *buf, size_t len);

/* Compares buf with the len bytes at off.  Returns len if they all match,
 * else the index of the first byte that differs.  Pure. */
size_t trace_content_check(uint64_t key, uint64_t off, const uint8_t *buf, size_t len);

#endif /* TRACE_CONTENT_H */

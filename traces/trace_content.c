/*
 * trace_content.c: the content function of FORMAT.md (see trace_content.h).
 */
#include "trace_content.h"

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

uint64_t trace_content_key(const char *id, size_t len, uint64_t seed)
{
	uint64_t h = UINT64_C(0xCBF29CE484222325);

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)id[i]) * UINT64_C(0x00000100000001B3);
	return mix(h ^ seed);
}

/* Word i of the file.  i < 2^61, so i + 1 cannot wrap. */
static uint64_t word(uint64_t key, uint64_t i)
{
	return mix(key + (i + 1) * UINT64_C(0x9E3779B97F4A7C15));
}

uint8_t trace_content_byte(uint64_t key, uint64_t off)
{
	return (uint8_t)(word(key, off >> 3) >> (8 * (off & 7)));
}

/* The 8 bytes of word w at b, least significant first (the compiler makes
 * one store of it on a little-endian machine). */
static void put_word(uint8_t *b, uint64_t w)
{
	b[0] = (uint8_t)w;
	b[1] = (uint8_t)(w >> 8);
	b[2] = (uint8_t)(w >> 16);
	b[3] = (uint8_t)(w >> 24);
	b[4] = (uint8_t)(w >> 32);
	b[5] = (uint8_t)(w >> 40);
	b[6] = (uint8_t)(w >> 48);
	b[7] = (uint8_t)(w >> 56);
}

void trace_content_fill(uint64_t key, uint64_t off, uint8_t *buf, size_t len)
{
	size_t n = 0;

	/* One hash per word, not per byte: replay fills whole files.  The
	 * bytes before the first whole word, the whole words 8 bytes at a
	 * time, then the bytes after the last. */
	while (n < len && (off & 7) != 0) {
		buf[n++] = trace_content_byte(key, off);
		off++;
	}
	for (uint64_t i = off >> 3; len - n >= 8; i++, n += 8, off += 8)
		put_word(buf + n, word(key, i));
	if (n < len) {
		uint64_t w = word(key, off >> 3);
		for (unsigned shift = 0; n < len; shift++, n++)
			buf[n] = (uint8_t)(w >> (8 * shift));
	}
}

size_t trace_content_check(uint64_t key, uint64_t off, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	while (n < len) {
		uint64_t w = word(key, off >> 3);
		unsigned shift = (unsigned)(off & 7);

		for (; shift < 8 && n < len; shift++, n++, off++)
			if (buf[n] != (uint8_t)(w >> (8 * shift)))
				return n;
	}
	return len;
}

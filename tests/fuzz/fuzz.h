/*
 * fuzz.h: the one entry point every fuzz target defines (libFuzzer's), so
 * the same source builds with -fsanitize=fuzzer or with replay.c.
 */
#ifndef MOSAIC_FUZZ_H
#define MOSAIC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* MOSAIC_FUZZ_H */

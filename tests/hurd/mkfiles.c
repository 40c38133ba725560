/*
 * mkfiles.c: writes the read tests' files (hurd_files.h) into a directory
 * on the build machine, for the Hurd's image (mach-port/hurd/build-hurd.sh
 * stages them as /data/NAME and makes the image with mke2fs -d).
 *
 *     mkfiles DIR
 *
 * A host program: it runs where the image is made, never on the Hurd.
 * Exit status 0 when every file was written whole, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "hurd_files.h"

int main(int argc, char **argv)
{
	static uint8_t buf[65536];

	if (argc != 2) {
		fprintf(stderr, "usage: mkfiles DIR\n");
		return 2;
	}
	for (unsigned i = 0; i < HURD_NFILES; i++) {
		char path[4096];
		uint64_t key = hurd_file_key(i);
		FILE *f;

		snprintf(path, sizeof path, "%s/%s", argv[1], hurd_files[i].name);
		f = fopen(path, "wb");
		if (f == NULL) {
			fprintf(stderr, "mkfiles: %s: %s\n", path, strerror(errno));
			return 1;
		}
		for (uint32_t off = 0; off < hurd_files[i].size;) {
			size_t n = hurd_files[i].size - off;

			if (n > sizeof buf)
				n = sizeof buf;
			trace_content_fill(key, off, buf, n);
			if (fwrite(buf, 1, n, f) != n) {
				fprintf(stderr, "mkfiles: %s: short write\n", path);
				return 1;
			}
			off += (uint32_t)n;
		}
		if (fclose(f) != 0) {
			fprintf(stderr, "mkfiles: %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	printf("mkfiles: %u files in %s, seed %u\n", (unsigned)HURD_NFILES, argv[1],
	       HURD_FILES_SEED);
	return 0;
}

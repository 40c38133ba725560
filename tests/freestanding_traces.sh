#!/bin/sh
# Compiles the freestanding trace parser (traces/trace_*.c) with kernel
# flags, as tests/freestanding.sh does for core/: it runs inside a guest on
# the real kernel, so it may need nothing from a hosted C library.
# Usage: freestanding_traces.sh CC TRACES_DIR CORE_DIR
set -eu
cc=$1
traces=$2
core=$3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
flags="-std=c11 -Wall -Wextra -Werror -ffreestanding -fno-builtin -nostdlib -nostdinc
       -mno-red-zone -mcmodel=kernel -fno-pic -fno-stack-protector -O2"
inc=$($cc -print-file-name=include)
n=0
for src in "$traces"/trace_*.c; do
	$cc $flags -isystem "$inc" -I"$traces" -I"$core" -c "$src" -o "$out/$(basename "$src").o"
	n=$((n + 1))
done
# Not even malloc: the parser's memory is the caller's struct, whatever the
# trace's length.
nm -u "$out"/*.o | awk 'NF == 2 && $1 == "U" {print $2}' | sort -u > "$out/undef"
nm --defined-only "$out"/*.o | awk 'NF == 3 {print $3}' | sort -u > "$out/def"
undef=$(comm -23 "$out/undef" "$out/def" | grep -v -E '^(memcpy|memset|memmove|memcmp)$' || true)
if [ -n "$undef" ]; then
	echo "traces/trace_*.o need symbols from outside:"
	echo "$undef"
	exit 1
fi
for hdr in "$traces"/trace_*.h; do
	printf '#include "%s"\n' "$(basename "$hdr")" > "$out/self.c"
	$cc $flags -isystem "$inc" -I"$traces" -I"$core" -c "$out/self.c" -o "$out/self.o"
done
echo "freestanding_traces: $n sources compiled with kernel flags, no outside symbol"

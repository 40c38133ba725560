#!/bin/sh
# Compiles every core source with kernel flags, and every core header on its
# own, so that core/ provably needs nothing from a hosted C library and each
# header includes what it uses.  Usage: freestanding.sh CC CORE_DIR
set -eu
cc=$1
core=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
flags="-std=c11 -Wall -Wextra -Werror -ffreestanding -fno-builtin -nostdlib -nostdinc
       -mno-red-zone -mcmodel=kernel -fno-pic -fno-stack-protector -O2"
# -nostdinc takes away libc's headers; give back only the compiler's own
# freestanding ones (stdint.h, stddef.h, stdbool.h, ...).
inc=$($cc -print-file-name=include)
n=0
for src in "$core"/*.c; do
	$cc $flags -isystem "$inc" -I"$core" -c "$src" -o "$out/$(basename "$src").o"
	n=$((n + 1))
done
# No undefined symbol may come from a hosted library: only the porting
# primitives (vmc_*) and the few the C standard lets a compiler emit.
undef=$(nm -u "$out"/*.o | awk '{print $2}' | sort -u | grep -v -E '^(vmc_|memcpy$|memset$|memmove$|memcmp$)' || true)
if [ -n "$undef" ]; then
	echo "core/ objects need symbols from outside the porting header:"
	echo "$undef"
	exit 1
fi
h=0
for hdr in "$core"/*.h; do
	printf '#include "%s"\n' "$(basename "$hdr")" > "$out/self.c"
	$cc $flags -isystem "$inc" -I"$core" -c "$out/self.c" -o "$out/self.o"
	h=$((h + 1))
done
echo "freestanding: $n core sources compiled with kernel flags, $h headers compile on their own"

#!/bin/sh
# Proves that code which must run inside a kernel or a guest needs nothing
# from a hosted C library: compiles the sources DIR/PATTERN.c with kernel
# flags, rejects any undefined symbol that they do not define themselves,
# other than the few a compiler may emit (memcpy, memset, memmove, memcmp)
# and those matching ALLOW (core/: the porting primitives vmc_*), and
# compiles each header DIR/PATTERN.h on its own.
#
# Usage: freestanding.sh CC DIR 'PATTERN...' ALLOW [INCLUDE_DIR...]
#   core/:   freestanding.sh cc core '*' '^vmc_' mach-port
#   traces/: freestanding.sh cc traces 'trace_* scn' '^vmc_' core sim/host
# The include directories give the host's vmc_host.h (core/vmc_types.h);
# FREESTANDING_DEFINES, if set, is added to the flags (-DVMC_ADDR_BITS=32).
set -eu
cc=$1
dir=$2
patterns=$3
allow=$4
shift 4
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
flags="-std=c11 -Wall -Wextra -Werror -ffreestanding -fno-builtin -nostdlib -nostdinc
       -mno-red-zone -mcmodel=kernel -fno-pic -fno-stack-protector -O2
       ${FREESTANDING_DEFINES:-}"
# -nostdinc takes away libc's headers; give back only the compiler's own
# freestanding ones (stdint.h, stddef.h, stdbool.h, ...).
incs="-isystem $($cc -print-file-name=include) -I$dir"
for d in "$@"; do incs="$incs -I$d"; done

# The files DIR/PATTERN.EXT, one a line (patterns are globbed in DIR only).
files() {
	set -f
	for pat in $patterns; do
		set +f
		for f in "$dir"/$pat."$1"; do
			[ -e "$f" ] && echo "$f"
		done
		set -f
	done
	set +f
}

n=0
h=0
for src in $(files c); do
	$cc $flags $incs -c "$src" -o "$out/$(basename "$src").o"
	n=$((n + 1))
done
[ $n -gt 0 ] || { echo "freestanding: no source matches '$patterns' in $dir"; exit 1; }

nm -u "$out"/*.o | awk 'NF == 2 && $1 == "U" {print $2}' | sort -u > "$out/undef"
nm --defined-only "$out"/*.o | awk 'NF == 3 {print $3}' | sort -u > "$out/def"
undef=$(comm -23 "$out/undef" "$out/def" | grep -v -E '^(memcpy|memset|memmove|memcmp)$' |
	{ if [ -n "$allow" ]; then grep -v -E "$allow"; else cat; fi; } || true)
if [ -n "$undef" ]; then
	echo "$dir: objects need symbols from outside:"
	echo "$undef"
	exit 1
fi

for hdr in $(files h); do
	printf '#include "%s"\n' "$(basename "$hdr")" > "$out/self.c"
	$cc $flags $incs -c "$out/self.c" -o "$out/self.o"
	h=$((h + 1))
done
echo "freestanding: $dir: $n sources compiled with kernel flags, $h headers compile on their own"

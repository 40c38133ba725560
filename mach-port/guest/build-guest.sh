#!/bin/sh
# build-guest.sh BUILDDIR SRCROOT NAME SOURCE... -- build one guest program.
#
# Writes BUILDDIR/guest/NAME, a static freestanding x86_64 ELF that GNU Mach
# can run as its boot module.  Needs the reference kernel's headers and MIG
# in BUILDDIR/refkernel (mach-port/fetch-kernel.sh).  The MIG user stubs are
# generated once per build directory, from the .defs the kernel package
# ships, into BUILDDIR/guest/mig.  SOURCE paths are relative to SRCROOT.
#
# The guest is built with the host's gcc whatever compiler the Meson build
# uses (a sanitizer build uses clang with runtime libraries a guest cannot
# have), and with the project's strict warnings as errors.
set -eu

[ $# -ge 4 ] || { echo "usage: $0 BUILDDIR SRCROOT NAME SOURCE..." >&2; exit 2; }
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
name=$3
shift 3

ref="$build/refkernel"
inc="$ref/usr/include/x86_64-linux-gnu"
migcom="$ref/usr/lib/mig/x86_64-gnu-migcom"
out="$build/guest"
mig="$out/mig"
CC_GUEST=${CC_GUEST:-gcc}

[ -f "$ref/.complete" ] || { echo "build-guest: no reference kernel in $ref" >&2; exit 77; }
command -v "$CC_GUEST" >/dev/null 2>&1 || { echo "build-guest: $CC_GUEST not found" >&2; exit 77; }

# The interfaces the guests call: VM and tasks (mach), proxies (mach4),
# ports, the host (reboot) and the console device.
defs="mach/mach mach/mach4 mach/mach_port mach/mach_host device/device"

gen_mig() {
	mkdir -p "$mig.tmp"
	for d in $defs; do
		n=$(basename "$d")
		"$CC_GUEST" -E -x c -nostdinc -I"$inc" -o "$mig.tmp/$n.defs.i" "$inc/$d.defs"
		"$migcom" -n -user "$mig.tmp/$n.user.c" -header "$mig.tmp/$n.user.h" \
			-server /dev/null -sheader /dev/null < "$mig.tmp/$n.defs.i"
	done
	rm -rf "$mig"
	mv "$mig.tmp" "$mig"
}

mkdir -p "$out"
if [ ! -f "$mig/device.user.c" ]; then
	# Parallel tests share the stubs: one generates, the others wait.
	exec 9>"$out/.mig.lock"
	flock 9 2>/dev/null || true
	[ -f "$mig/device.user.c" ] || gen_mig
	exec 9>&-
fi

cflags="-std=gnu11 -O2 -g -ffreestanding -fno-stack-protector -fno-pie
	-fno-builtin -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables
	-Wall -Wextra -Werror -Wno-unused-parameter
	-Wstrict-prototypes -Wmissing-prototypes -Wshadow -Wvla -Wpointer-arith
	-I$src/mach-port/guest/include -I$src/mach-port/guest -I$src/core -I$src/traces -I$mig -I$inc"
# The generated stubs are MIG's code: compiled without our warnings.
migflags="-std=gnu11 -O2 -g -ffreestanding -fno-stack-protector -fno-pie
	-fno-builtin -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables
	-w -I$src/mach-port/guest/include -I$src/mach-port/guest -I$mig -I$inc"

objs="$out/obj-$name"
rm -rf "$objs"
mkdir -p "$objs"
for d in $defs; do
	n=$(basename "$d")
	# shellcheck disable=SC2086
	"$CC_GUEST" $migflags -c "$mig/$n.user.c" -o "$objs/mig-$n.o"
done
for s in mach-port/guest/entry.S "$@"; do
	o="$objs/$(echo "$s" | tr / _).o"
	# shellcheck disable=SC2086
	"$CC_GUEST" $cflags -c "$src/$s" -o "$o"
done
# shellcheck disable=SC2086
"$CC_GUEST" -static -nostdlib -no-pie -Wl,--build-id=none -o "$out/$name.tmp" "$objs"/*.o -lgcc
mv "$out/$name.tmp" "$out/$name"

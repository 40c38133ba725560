#!/bin/sh
# build-guest.sh BUILDDIR SRCROOT NAME SOURCE... -- build one guest program.
#
# SOURCE is C, assembly, a scenario (.scn) or a trace (.trace), or a MIG
# interface of the guest's own (.defs).  Scenarios and traces are
# concatenated and compiled in as guest_embed[] / guest_embed_len
# (tests/kernel/guest/scenario.c runs scenarios, replay.c a trace).  A .defs
# gets its user and server stubs (NAME.user.h, NAME.server.h beside them),
# both linked in: a guest's tasks may be both ends of its own protocol.
# The guest's markers carry NAME (MOSAIC_GUEST_NAME).  SOURCE paths that
# are absolute are taken as they are (a trace of the user's).
#
# Writes BUILDDIR/guest/NAME, a static freestanding x86_64 ELF that GNU Mach
# can run as its boot module.  Needs the reference kernel's headers and MIG
# in BUILDDIR/refkernel (mach-port/fetch-kernel.sh).  The MIG user stubs
# (and the server stubs of the interfaces a guest may serve) are generated
# once per build directory (again when the series or this script changes),
# from the .defs the kernel package ships, experimental.defs as the series
# (mach-port/series) makes it,
# into BUILDDIR/guest/mig.  SOURCE paths are relative to SRCROOT.
#
# The guest is built with the host's gcc whatever compiler the Meson build
# uses (a sanitizer build uses clang with runtime libraries a guest cannot
# have), and with the project's strict warnings as errors.
# MOSAIC_GUEST_DEFINES adds -D options (kernel-test.sh --compare sets
# -DMOSAIC_SCN_REPORT_ONLY).
set -eu

[ $# -ge 4 ] || { echo "usage: $0 BUILDDIR SRCROOT NAME SOURCE..." >&2; exit 2; }
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
name=$3
shift 3

ref="$build/refkernel"
# MOSAIC_ARCH=i386 (or i386-pae) builds a 32-bit guest for the i386 kernel
# make kernel ARCH=i386 built: its headers are that tree's (installed by
# build-kernel.sh into BUILDDIR/include-i386), its MIG the i686-gnu MIG
# build-mig.sh built for this machine.  The
# same guest runs as a 32-bit task on an x86_64 kernel built with
# --enable-user32 (MOSAIC_ARCH=x86_64-user32).
case ${MOSAIC_ARCH:-x86_64} in
x86_64)
	inc="$ref/usr/include/x86_64-linux-gnu"
	migcom="$ref/usr/lib/mig/x86_64-gnu-migcom"
	out="$build/guest"
	archflags="" ;;
i386|i386-pae|x86_64-user32)
	inc="$build/include-i386/usr/local/include"
	migcom="$build/mig-i686/usr/lib/mig/i686-gnu-migcom"
	out="$build/guest-i386"
	archflags="-m32"
	if [ "${MOSAIC_ARCH}" = x86_64-user32 ]; then
		out="$build/guest-user32"
		archflags="-m32 -DGUEST_KERNEL_ADDR_BITS=64"
	fi
	[ -d "$inc/mach" ] || { echo "build-guest: no i386 headers in $inc (make kernel ARCH=i386)" >&2; exit 77; } ;;
*) echo "build-guest: MOSAIC_ARCH must be x86_64, x86_64-user32, i386 or i386-pae" >&2; exit 2 ;;
esac
mig="$out/mig"
CC_GUEST=${CC_GUEST:-gcc}

[ -f "$ref/.complete" ] || { echo "build-guest: no reference kernel in $ref" >&2; exit 77; }
command -v "$CC_GUEST" >/dev/null 2>&1 || { echo "build-guest: $CC_GUEST not found" >&2; exit 77; }

# The interfaces the guests call: VM and tasks (mach), proxies (mach4),
# ports, the host (reboot), the console device and the kernel's allocator
# statistics (mach_debug: host_slab_info), from the kernel
# package's headers; and GNU Mach's experimental.defs as the series makes it
# (mach-port/series: mosaic's copies and proxy creation, which only a
# kernel with mosaic built in serves; the package's own lacks them).
defs="mach/mach mach/mach4 mach/mach_port mach/mach_host device/device mach_debug/mach_debug"
# The interfaces a guest serves: the pager side of memory_object.defs, for a
# guest's pager thread (guest/pager.c).  Made with SEQNOS, as the Hurd's
# libpager makes them, so the routines a guest implements are
# seqnos_memory_object_*.
server_defs="mach/memory_object"
# experimental.defs and vm_prot.h as the kernel the guest runs on has them:
# a message's id is its routine's place in the file, so the stubs come from
# the kernel's own tree (make kernel's patched tree; an i386 tree's headers
# installed in $inc).  Without one no test can call these routines, and the
# series' edits are applied to the subsystem alone
# (guest/experimental-base.defs, what GNU Mach's file holds before them) so
# that the guests link.
series_files="include/mach/experimental.defs include/mach/vm_prot.h"
if grep -q vm_copy_from_object "$inc/mach/experimental.defs"; then
	exp_tree=$inc/..
elif [ -f "$build/gnumach-series/include/mach/experimental.defs" ]; then
	exp_tree=$build/gnumach-series
else
	exp_tree=""
fi

gen_one() {  # DEFS NAME
	"$CC_GUEST" $archflags -E -x c -nostdinc -I"$inc" -o "$mig.tmp/$2.defs.i" "$1"
	"$migcom" -n -user "$mig.tmp/$2.user.c" -header "$mig.tmp/$2.user.h" \
		-server /dev/null -sheader /dev/null < "$mig.tmp/$2.defs.i"
}

gen_server() {  # DEFS NAME
	"$CC_GUEST" $archflags -E -x c -nostdinc -I"$inc" -DSEQNOS -o "$mig.tmp/$2.sdefs.i" "$1"
	"$migcom" -n -user /dev/null -header /dev/null \
		-server "$mig.tmp/$2.server.c" -sheader "$mig.tmp/$2.server.h" \
		< "$mig.tmp/$2.sdefs.i"
}

gen_mig() {
	rm -rf "$mig.tmp"
	mkdir -p "$mig.tmp"
	for d in $server_defs; do
		gen_server "$inc/$d.defs" "$(basename "$d")"
	done
	for d in $defs; do
		gen_one "$inc/$d.defs" "$(basename "$d")"
	done
	# experimental.defs and vm_prot.h (beside the stubs, found before the
	# package's mach/).
	mkdir -p "$mig.tmp/mach"
	exp_sources
	cp "$mig.tmp/tree/include/mach/vm_prot.h" "$mig.tmp/mach/"
	gen_one "$mig.tmp/tree/include/mach/experimental.defs" experimental
	cat "$mig.tmp/tree/include/mach/experimental.defs" > "$mig.tmp/experimental.defs.src"
	rm -rf "$mig"
	mv "$mig.tmp" "$mig"
}

# The two interface files into the tree $mig.tmp/tree.
exp_sources() {
	mkdir -p "$mig.tmp/tree/include/mach"
	if [ -n "$exp_tree" ]; then
		for f in $series_files; do cp "$exp_tree/$f" "$mig.tmp/tree/$f"; done
		return
	fi
	cp "$src/tests/kernel/guest/experimental-base.defs" "$mig.tmp/tree/include/mach/experimental.defs"
	cp "$inc/mach/vm_prot.h" "$mig.tmp/tree/include/mach/vm_prot.h"
	MOSAIC_SERIES_NOGIT=1 MOSAIC_SERIES_ONLY="$series_files" \
		sh "$src/mach-port/patch-series.sh" "$mig.tmp/tree" "$mig.tmp/tree.patched" >/dev/null
	rm -rf "$mig.tmp/tree"
	mv "$mig.tmp/tree.patched" "$mig.tmp/tree"
}

# The stubs are current when they were made from the experimental.defs the
# guest's kernel has (or, with none, the base as the series leaves it) and
# are newer than this script (the kernel package's .defs do not change
# under us).
exp_current() {
	if [ -n "$exp_tree" ]; then
		cmp -s "$exp_tree/include/mach/experimental.defs" "$mig/experimental.defs.src"
	else
		[ -z "$(find "$src/mach-port/series" "$src/tests/kernel/guest/experimental-base.defs" \
			-newer "$mig/experimental.defs.src")" ]
	fi
}
stubs_current() {
	[ -f "$mig/experimental.defs.src" ] && [ ! "$0" -nt "$mig/experimental.user.c" ] && exp_current
}

mkdir -p "$out"
if ! stubs_current; then
	# Parallel tests share the stubs: one generates, the others wait.
	exec 9>"$out/.mig.lock"
	flock 9 2>/dev/null || true
	stubs_current || gen_mig
	exec 9>&-
fi

objs="$out/obj-$name"
cflags="-std=gnu11 -O2 -g -ffreestanding -fno-stack-protector -fno-pie
	-fno-builtin -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables
	-Wall -Wextra -Werror -Wno-unused-parameter
	-Wstrict-prototypes -Wmissing-prototypes -Wshadow -Wvla -Wpointer-arith
	-I$src/tests/kernel/guest/include -I$src/tests/kernel/guest -I$src/core -I$src/sim/host -I$src/traces -I$mig -I$objs/defs -I$inc
	-DMOSAIC_GUEST_NAME=\"$name\" ${MOSAIC_GUEST_DEFINES:-}"
# The generated stubs are MIG's code: compiled without our warnings.
migflags="-std=gnu11 -O2 -g -ffreestanding -fno-stack-protector -fno-pie
	-fno-builtin -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables
	-w -I$src/tests/kernel/guest/include -I$src/tests/kernel/guest -I$mig -I$inc"

rm -rf "$objs"
mkdir -p "$objs"
for n in $(for d in $defs; do basename "$d"; done) experimental; do
	# shellcheck disable=SC2086
	"$CC_GUEST" $archflags $migflags -c "$mig/$n.user.c" -o "$objs/mig-$n.o"
done
# Server stubs call routines only a serving guest defines: they go into an
# archive, linked in only by a guest that calls their demux routine.
mkdir -p "$objs/server"
for n in $(for d in $server_defs; do basename "$d"; done); do
	# shellcheck disable=SC2086
	"$CC_GUEST" $archflags $migflags -c "$mig/$n.server.c" -o "$objs/server/mig-$n.server.o"
done
ar rcs "$objs/server/libmigserver.a" "$objs/server"/*.o
scn=""
csrc=""
defs_own=""
for s in "$@"; do
	case $s in
	/*) path=$s ;;
	*) path=$src/$s ;;
	esac
	case $s in
	*.scn|*.trace) scn="$scn $path" ;;
	*.defs) defs_own="$defs_own $path" ;;
	*) csrc="$csrc $s" ;;
	esac
done
# The guest's own interfaces: both stubs, compiled without our warnings.
mkdir -p "$objs/defs"
for d in $defs_own; do
	n=$(basename "$d" .defs)
	"$CC_GUEST" $archflags -E -x c -nostdinc -I"$inc" -o "$objs/defs/$n.defs.i" "$d"
	"$migcom" -n -user "$objs/defs/$n.user.c" -header "$objs/defs/$n.user.h" \
		-server "$objs/defs/$n.server.c" -sheader "$objs/defs/$n.server.h" \
		< "$objs/defs/$n.defs.i"
	for side in user server; do
		# shellcheck disable=SC2086
		"$CC_GUEST" $archflags $migflags -I"$objs/defs" -c "$objs/defs/$n.$side.c" -o "$objs/own-$n-$side.o"
	done
done
if [ -n "$scn" ]; then
	# The scenario text as a byte array: no assembler tricks, any content.
	{
		echo "/* generated by build-guest.sh from:$scn */"
		echo "const char guest_embed[] = {"
		# shellcheck disable=SC2086
		cat $scn | od -An -v -tx1 | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'
		echo "0 };"
		echo "const unsigned long guest_embed_len = sizeof guest_embed - 1;"
	} > "$objs/embed.c"
	"$CC_GUEST" $archflags $migflags -c "$objs/embed.c" -o "$objs/embed.o"
fi
for s in tests/kernel/guest/entry.S $csrc; do
	o="$objs/$(echo "$s" | tr / _).o"
	# shellcheck disable=SC2086
	"$CC_GUEST" $archflags $cflags -c "$src/$s" -o "$o"
done
# shellcheck disable=SC2086
"$CC_GUEST" $archflags -static -nostdlib -no-pie -Wl,--build-id=none -o "$out/$name.tmp" "$objs"/*.o \
	"$objs/server/libmigserver.a" -lgcc
mv "$out/$name.tmp" "$out/$name"

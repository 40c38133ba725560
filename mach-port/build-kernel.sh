#!/bin/sh
# build-kernel.sh BUILDDIR GNUMACH_SRC [check] -- integrates mosaic into the
# GNU Mach tree the user provides, then configures and builds an x86_64
# kernel out of tree in BUILDDIR/gnumach-obj.  With `check', also runs GNU
# Mach's own `make check' (its QEMU tests) on the patched tree.
#
# MIG: the tree of 2026 needs a newer MIG than Debian 12 ships; we use
# Debian 13's mig-x86-64-gnu, which fetch-kernel.sh unpacks into
# BUILDDIR/refkernel (its binary runs on Debian 12).
set -eu

[ $# -ge 2 ] || { echo "usage: $0 BUILDDIR GNUMACH_SRC [check]" >&2; exit 2; }
build=$(cd "$1" && pwd)
tree=$(cd "$2" && pwd)
what=${3:-build}
here=$(cd "$(dirname "$0")" && pwd)

"$here/fetch-kernel.sh" "$build"
"$here/integrate.sh" "$tree"

export PATH="$build/refkernel/usr/bin:$PATH"
command -v x86_64-gnu-mig >/dev/null || { echo "build-kernel: no x86_64-gnu-mig" >&2; exit 1; }

# The tree's Makefile.am changed: regenerate its build system when needed.
if [ ! -x "$tree/configure" ] || [ "$tree/Makefile.am" -nt "$tree/Makefile.in" ]; then
	echo "build-kernel: autoreconf in $tree"
	(cd "$tree" && autoreconf -i >/dev/null 2>&1) || {
		echo "build-kernel: autoreconf failed in $tree" >&2; exit 1; }
fi

obj="$build/gnumach-obj"
mkdir -p "$obj"
if [ ! -f "$obj/Makefile" ]; then
	echo "build-kernel: configure (x86_64, out of tree in $obj)"
	(cd "$obj" && "$tree/configure" --host=x86_64-gnu CC=gcc LD=ld \
		--enable-kdb --disable-user32 MIG=x86_64-gnu-mig >configure.log 2>&1) || {
		echo "build-kernel: configure failed, see $obj/configure.log" >&2; exit 1; }
fi

jobs=$(nproc 2>/dev/null || echo 2)
echo "build-kernel: make gnumach"
make -C "$obj" -j"$jobs" gnumach >"$obj/make.log" 2>&1 || {
	tail -30 "$obj/make.log" >&2
	echo "build-kernel: the kernel did not build, see $obj/make.log" >&2; exit 1; }
rev=$(cd "$tree" && git rev-parse HEAD 2>/dev/null || echo 'tree not under git')
# Where the kernel came from, for the benchmarks' metadata.
echo "GNU Mach $rev (tree $tree) with mosaic $(cd "$here/.." && git describe --always --dirty 2>/dev/null || echo '?')" \
	> "$obj/gnumach.source"
echo "build-kernel: kernel at $obj/gnumach ($rev)"

if [ "$what" = check ]; then
	echo "build-kernel: GNU Mach's own make check on the patched tree"
	make -C "$obj" check >"$obj/check.log" 2>&1; rc=$?
	grep -E '^(PASS|FAIL|XFAIL|XPASS|SKIP|ERROR):|^# ' "$obj/check.log" || true
	exit $rc
fi

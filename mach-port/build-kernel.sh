#!/bin/sh
# build-kernel.sh BUILDDIR GNUMACH_SRC [check|build] [NCPUS] -- integrates
# mosaic into the GNU Mach tree the user provides, then configures and
# builds an x86_64 kernel out of tree in BUILDDIR/gnumach-obj, or, for NCPUS
# above 1, a multiprocessor one (--enable-ncpus=NCPUS) in
# BUILDDIR/gnumach-obj-smpNCPUS (its processor count in gnumach.ncpus there,
# for the runner's -smp).  With `check', also runs GNU Mach's own `make
# check' (its QEMU tests, booted with -smp 2 on a multiprocessor kernel) on
# the patched tree.
#
# MIG: the tree of 2026 needs a newer MIG than Debian 12 ships; we use
# Debian 13's mig-x86-64-gnu, which fetch-kernel.sh unpacks into
# BUILDDIR/refkernel (its binary runs on Debian 12).
set -eu

[ $# -ge 2 ] || { echo "usage: $0 BUILDDIR GNUMACH_SRC [check]" >&2; exit 2; }
build=$(cd "$1" && pwd)
tree=$(cd "$2" && pwd)
what=${3:-build}
ncpus=${4:-1}
here=$(cd "$(dirname "$0")" && pwd)
case $ncpus in
''|*[!0-9]*|0) echo "build-kernel: NCPUS must be a number from 1, not '$ncpus'" >&2; exit 2 ;;
esac

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

if [ "$ncpus" = 1 ]; then
	obj="$build/gnumach-obj"
	smp=""
else
	obj="$build/gnumach-obj-smp$ncpus"
	smp="--enable-ncpus=$ncpus"
fi
mkdir -p "$obj"
if [ ! -f "$obj/Makefile" ]; then
	echo "build-kernel: configure (x86_64, $ncpus processor(s), out of tree in $obj)"
	# shellcheck disable=SC2086
	(cd "$obj" && "$tree/configure" --host=x86_64-gnu CC=gcc LD=ld \
		--enable-kdb --disable-user32 $smp MIG=x86_64-gnu-mig >configure.log 2>&1) || {
		rm -f "$obj/Makefile"
		echo "build-kernel: configure failed, see $obj/configure.log" >&2; exit 1; }
fi
echo "$ncpus" > "$obj/gnumach.ncpus"

jobs=$(nproc 2>/dev/null || echo 2)
echo "build-kernel: make gnumach"
make -C "$obj" -j"$jobs" gnumach >"$obj/make.log" 2>&1 || {
	tail -30 "$obj/make.log" >&2
	echo "build-kernel: the kernel did not build, see $obj/make.log" >&2; exit 1; }
rev=$(cd "$tree" && git rev-parse HEAD 2>/dev/null || echo 'tree not under git')
# Where the kernel came from, for the benchmarks' metadata.
echo "GNU Mach $rev (tree $tree, $ncpus processor(s)) with mosaic $(cd "$here/.." && git describe --always --dirty 2>/dev/null || echo '?')" \
	> "$obj/gnumach.source"
echo "build-kernel: kernel at $obj/gnumach ($rev)"

if [ "$what" = check ]; then
	echo "build-kernel: GNU Mach's own make check on the patched tree"
	make -C "$obj" check >"$obj/check.log" 2>&1; rc=$?
	grep -E '^(PASS|FAIL|XFAIL|XPASS|SKIP|ERROR):|^# ' "$obj/check.log" || true
	exit $rc
fi

#!/bin/sh
# build-kernel.sh BUILDDIR GNUMACH_SRC [check|build] [NCPUS] [ARCH] -- builds GNU
# Mach with mosaic: the patch series (patch-series.sh) on the HEAD commit of
# the user's tree, in BUILDDIR/gnumach-series; its tree copied into
# BUILDDIR/gnumach-src (only the files that differ, so that make rebuilds
# what changed); then an x86_64 kernel configured and built out of tree in
# BUILDDIR/gnumach-obj, or, for NCPUS above 1, a multiprocessor one
# (--enable-ncpus=NCPUS) in BUILDDIR/gnumach-obj-smpNCPUS (its processor
# count in gnumach.ncpus there, for the runner's -smp).  With `check', also
# runs GNU Mach's own `make check' (its QEMU tests, booted with -smp 2 on a
# multiprocessor kernel) on the patched tree.  The user's tree is never
# changed.
#
# ARCH is x86_64 (the default), i386 or i386-pae: an i386 kernel, with
# gcc -m32 (gcc-multilib) and Debian 13's mig-i686-gnu (fetch-kernel.sh
# mig-i386), in BUILDDIR/gnumach-obj-i386[-pae][-smpN]; GNU Mach's own
# make check then boots it in qemu-system-i386.
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
arch=${5:-x86_64}
here=$(cd "$(dirname "$0")" && pwd)
case $ncpus in
''|*[!0-9]*|0) echo "build-kernel: NCPUS must be a number from 1, not '$ncpus'" >&2; exit 2 ;;
esac
case $arch in
x86_64)
	host=x86_64-gnu; cc=gcc; ld=ld; mig=x86_64-gnu-mig
	archflags="--disable-user32"; suffix="" ;;
i386|i386-pae)
	host=i686-gnu; cc="gcc -m32"; ld="ld -melf_i386"; mig=i686-gnu-mig
	archflags=""; suffix="-i386"
	if [ "$arch" = i386-pae ]; then archflags="--enable-pae"; suffix="-i386-pae"; fi
	echo 'int main(void) { return 0; }' | gcc -m32 -x c -c -o /dev/null - 2>/dev/null || {
		echo "build-kernel: gcc -m32 cannot compile (install gcc-multilib)" >&2; exit 1; }
	;;
*) echo "build-kernel: ARCH must be x86_64, i386 or i386-pae, not '$arch'" >&2; exit 2 ;;
esac

"$here/fetch-kernel.sh" "$build"
[ "$host" = x86_64-gnu ] || "$here/fetch-kernel.sh" "$build" mig-i386
"$here/patch-series.sh" "$tree" "$build/gnumach-series"

# The series' tree into the build's source tree, file by file.
src="$build/gnumach-src"
mkdir -p "$src"
changed=$(mktemp)
trap 'rm -f "$changed"' EXIT
git -C "$build/gnumach-series" ls-files -z | (cd "$build/gnumach-series" && xargs -0 sh -c '
	for f; do
		if [ -L "$f" ]; then
			[ -L "$0/$f" ] && [ "$(readlink "$f")" = "$(readlink "$0/$f")" ] && continue
			mkdir -p "$0/$(dirname "$f")"
			rm -rf "$0/$f"
			ln -s "$(readlink "$f")" "$0/$f"
			echo "$f"
		elif [ -L "$0/$f" ] || ! cmp -s "$f" "$0/$f"; then
			mkdir -p "$0/$(dirname "$f")"
			rm -f "$0/$f"
			cp -p "$f" "$0/$f"
			echo "$f"
		fi
	done' "$src") > "$changed"
if [ -s "$changed" ]; then
	echo "build-kernel: $(wc -l < "$changed") file(s) of $src updated"
fi
export PATH="$build/refkernel/usr/bin:$build/mig-i386/usr/bin:$PATH"
command -v "$mig" >/dev/null || { echo "build-kernel: no $mig" >&2; exit 1; }

# The build system: generated once, again when its sources changed.
if [ ! -x "$src/configure" ] ||
   grep -qxE 'configure.ac|Makefile.am|Makefrag.am|Makerules.*|tests/Makefrag.am' "$changed"; then
	echo "build-kernel: autoreconf in $src"
	(cd "$src" && autoreconf -i >/dev/null 2>&1) || {
		echo "build-kernel: autoreconf failed in $src" >&2; exit 1; }
fi

if [ "$ncpus" = 1 ]; then
	obj="$build/gnumach-obj$suffix"
	smp=""
else
	obj="$build/gnumach-obj$suffix-smp$ncpus"
	smp="--enable-ncpus=$ncpus"
fi
mkdir -p "$obj"
# Configured for another source tree (the user's, before the series): anew.
if [ -f "$obj/Makefile" ] && ! grep -qxF "srcdir = $src" "$obj/Makefile"; then
	echo "build-kernel: $obj was configured for another source tree: configuring anew"
	find "$obj" -mindepth 1 -delete
fi
if [ ! -f "$obj/Makefile" ]; then
	echo "build-kernel: configure ($arch, $ncpus processor(s), out of tree in $obj)"
	# shellcheck disable=SC2086
	(cd "$obj" && "$src/configure" --host=$host CC="$cc" LD="$ld" \
		--enable-kdb $archflags $smp MIG=$mig >configure.log 2>&1) || {
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
echo "GNU Mach $rev ($arch, tree $tree, $ncpus processor(s)) with mosaic $(cd "$here/.." && git describe --always --dirty 2>/dev/null || echo '?')" \
	> "$obj/gnumach.source"
echo "build-kernel: kernel at $obj/gnumach ($rev)"
# The i386 guests (tests/kernel/guest, MOSAIC_ARCH=i386) take their Mach
# headers from this tree: Debian ships them for x86_64 only.
if [ "$host" = i686-gnu ]; then
	make -C "$obj" install-data DESTDIR="$build/include-i386" >"$obj/install-data.log" 2>&1 || {
		echo "build-kernel: make install-data failed, see $obj/install-data.log" >&2; exit 1; }
fi

if [ "$what" = check ]; then
	echo "build-kernel: GNU Mach's own make check on the patched tree"
	make -C "$obj" check >"$obj/check.log" 2>&1; rc=$?
	grep -E '^(PASS|FAIL|XFAIL|XPASS|SKIP|ERROR):|^# ' "$obj/check.log" || true
	exit $rc
fi

#!/bin/sh
# build-kernel.sh [--stock] [--obj DIR] [--flags "OPTIONS"] [--patches N]
#                 BUILDDIR GNUMACH_SRC [check|build] [NCPUS] [ARCH] -- builds GNU
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
# gcc -m32 (gcc-multilib) and an i686-gnu MIG built for this machine
# (build-mig.sh: from MIG_SRC, a MIG tree, when the environment names one,
# else from Debian 13's source package), in
# BUILDDIR/gnumach-obj-i386[-pae][-smpN]; GNU Mach's own make check then
# boots it in qemu-system-i386.  Or x86_64-user32: an x86_64 kernel whose
# tasks are 32-bit (--enable-user32), in
# BUILDDIR/gnumach-obj-x86_64-user32[-smpN]; GNU Mach's tests are then
# built with gcc -m32 and that MIG, as are our guests.  No step runs an
# i386 program on the build machine.
#
# --patches N builds the tree of the series' first N patches only (make
# kernel-patch builds after each).
#
# For kernel-matrix (tests/kernel/kernel_matrix.py): --stock builds stock
# GNU Mach of the same commit (the user's HEAD, cloned into
# BUILDDIR/gnumach-stock-src) instead of the series; --obj DIR builds in
# DIR; --flags adds configure options after ours (the last of a pair such
# as --enable-kdb/--disable-kdb is the one configure keeps).
#
# MIG: the tree of 2026 needs a newer MIG than Debian 12 ships; we use
# Debian 13's mig-x86-64-gnu, which fetch-kernel.sh unpacks into
# BUILDDIR/refkernel (its binary runs on Debian 12).
set -eu

stock=0
patches=""
objdir=""
flags=""
while [ $# -gt 0 ]; do
	case $1 in
	--stock) stock=1; shift ;;
	--obj) objdir=${2:?}; shift 2 ;;
	--patches) patches=${2:?}; shift 2 ;;
	--flags) flags=${2?}; shift 2 ;;
	-*) echo "build-kernel: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || { echo "usage: $0 [--stock] [--obj DIR] [--flags OPTIONS] [--patches N] BUILDDIR GNUMACH_SRC [check|build] [NCPUS] [ARCH]" >&2; exit 2; }
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
x86_64-user32)
	host=x86_64-gnu; cc=gcc; ld=ld; mig=x86_64-gnu-mig
	archflags="--enable-user32"; suffix="-x86_64-user32" ;;
i386|i386-pae)
	host=i686-gnu; cc="gcc -m32"; ld="ld -melf_i386"; mig=i686-gnu-mig
	archflags=""; suffix="-i386"
	if [ "$arch" = i386-pae ]; then archflags="--enable-pae"; suffix="-i386-pae"; fi
	;;
*) echo "build-kernel: ARCH must be x86_64, x86_64-user32, i386 or i386-pae, not '$arch'" >&2; exit 2 ;;
esac
# 32-bit tasks: GNU Mach's tests (and our guests) built with gcc -m32.
user32=0
case $arch in
i386*|x86_64-user32) user32=1 ;;
esac
if [ $user32 = 1 ]; then
	echo 'int main(void) { return 0; }' | gcc -m32 -x c -c -o /dev/null - 2>/dev/null || {
		echo "build-kernel: gcc -m32 cannot compile (install gcc-multilib)" >&2; exit 1; }
fi

"$here/fetch-kernel.sh" "$build"
[ $user32 = 0 ] || "$here/build-mig.sh" "$build" "$tree" ${MIG_SRC:+"$MIG_SRC"}
changed=$(mktemp)
trap 'rm -f "$changed"' EXIT
if [ $stock = 1 ]; then
	# Stock GNU Mach of the commit the series is made on.
	src="$build/gnumach-stock-src"
	rev=$(git -C "$tree" rev-parse HEAD)
	if [ "$(git -C "$src" rev-parse HEAD 2>/dev/null || true)" != "$rev" ] ||
	   [ -n "$(git -C "$src" status --porcelain --untracked-files=no 2>/dev/null || echo x)" ]; then
		echo "build-kernel: stock GNU Mach $rev in $src"
		rm -rf "$src"
		git clone -q --shared --no-checkout "$tree" "$src"
		git -C "$src" checkout -q --detach "$rev"
		echo configure.ac > "$changed"
	fi
else
"$here/patch-series.sh" "$tree" "$build/gnumach-series"
# --patches N: the first N patches of the series only (make kernel-patch
# builds after each).
if [ -n "$patches" ]; then
	total=$(git -C "$build/gnumach-series" rev-list --count "$(git -C "$tree" rev-parse HEAD)..HEAD")
	case $patches in
	''|*[!0-9]*) echo "build-kernel: --patches wants a number, not '$patches'" >&2; exit 2 ;;
	esac
	[ "$patches" -le "$total" ] || {
		echo "build-kernel: --patches $patches: the series has $total" >&2; exit 2; }
	git -C "$build/gnumach-series" checkout -q --detach "HEAD~$((total - patches))"
fi

# The series' tree into the build's source tree, file by file.
src="$build/gnumach-src"
mkdir -p "$src"
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
fi
export PATH="$build/refkernel/usr/bin:$build/mig-i686/usr/bin:$PATH"
command -v "$mig" >/dev/null || { echo "build-kernel: no $mig" >&2; exit 1; }

# The build system: generated once, again when its sources changed.
if [ ! -x "$src/configure" ] ||
   grep -qxE 'configure.ac|Makefile.am|Makefrag.am|Makerules.*|tests/Makefrag.am' "$changed"; then
	echo "build-kernel: autoreconf in $src"
	(cd "$src" && autoreconf -i >/dev/null 2>&1) || {
		echo "build-kernel: autoreconf failed in $src" >&2; exit 1; }
fi

smp=""
[ "$ncpus" = 1 ] || smp="--enable-ncpus=$ncpus"
if [ -n "$objdir" ]; then
	mkdir -p "$objdir"
	obj=$(cd "$objdir" && pwd)
elif [ "$ncpus" = 1 ]; then
	obj="$build/gnumach-obj$suffix"
else
	obj="$build/gnumach-obj$suffix-smp$ncpus"
fi
usermig=""
[ "$arch" = x86_64-user32 ] && usermig=i686-gnu-mig
configured="--host=$host --enable-kdb $archflags $smp $flags"
mkdir -p "$obj"
# Configured for another source tree or with other options: anew.
if [ -f "$obj/Makefile" ] && { ! grep -qxF "srcdir = $src" "$obj/Makefile" ||
   [ "$(cat "$obj/gnumach.configured" 2>/dev/null)" != "$configured" ]; }; then
	echo "build-kernel: $obj was configured otherwise: configuring anew"
	find "$obj" -mindepth 1 -delete
fi
if [ ! -f "$obj/Makefile" ]; then
	echo "build-kernel: configure ($arch, $ncpus processor(s), out of tree in $obj: $configured)"
	# shellcheck disable=SC2086
	(cd "$obj" && "$src/configure" CC="$cc" LD="$ld" MIG=$mig \
		${usermig:+USER_MIG=$usermig USER_CC="gcc -m32" USER_CPP="gcc -m32 -E"} \
		$configured >configure.log 2>&1) || {
		rm -f "$obj/Makefile"
		echo "build-kernel: configure failed, see $obj/configure.log" >&2; exit 1; }
	echo "$configured" > "$obj/gnumach.configured"
fi
echo "$ncpus" > "$obj/gnumach.ncpus"

# BUILDDIR/gnumach-build.ok: this run built its kernel (make kernel-check
# runs our suite then, whatever GNU Mach's own make check says).
rm -f "$build/gnumach-build.ok"
jobs=$(nproc 2>/dev/null || echo 2)
echo "build-kernel: make gnumach"
make -C "$obj" -j"$jobs" gnumach >"$obj/make.log" 2>&1 || {
	tail -30 "$obj/make.log" >&2
	echo "build-kernel: the kernel did not build, see $obj/make.log" >&2; exit 1; }
rev=$(cd "$tree" && git rev-parse HEAD 2>/dev/null || echo 'tree not under git')
# Where the kernel came from, for the benchmarks' metadata.
if [ $stock = 1 ]; then
	echo "GNU Mach $rev ($arch, tree $tree, $ncpus processor(s)), stock" > "$obj/gnumach.source"
else
	echo "GNU Mach $rev ($arch, tree $tree, $ncpus processor(s)) with mosaic $(cd "$here/.." && git describe --always --dirty 2>/dev/null || echo '?')" \
		> "$obj/gnumach.source"
fi
echo "build-kernel: kernel at $obj/gnumach ($rev)"
touch "$build/gnumach-build.ok"
# The 32-bit guests (tests/kernel/guest, MOSAIC_ARCH=i386 or
# x86_64-user32) take their Mach headers from this tree: Debian ships them
# for x86_64 only.  (An x86_64 tree installs the same headers as an i386
# one: its mach/x86_64 is i386's, which tests __x86_64__.)
if [ $user32 = 1 ] && [ $stock = 0 ]; then
	make -C "$obj" install-data DESTDIR="$build/include-i386" >"$obj/install-data.log" 2>&1 || {
		echo "build-kernel: make install-data failed, see $obj/install-data.log" >&2; exit 1; }
fi

if [ "$what" = check ]; then
	echo "build-kernel: GNU Mach's own make check on the patched tree"
	rc=0
	make -C "$obj" check >"$obj/check.log" 2>&1 || rc=$?
	grep -E '^(PASS|FAIL|XFAIL|XPASS|SKIP|ERROR):|^# ' "$obj/check.log" || true
	exit $rc
fi

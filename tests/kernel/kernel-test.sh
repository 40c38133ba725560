#!/bin/sh
# kernel-test.sh [--kernel reference|mosaic] [--compare] BUILDDIR SRCROOT NAME SOURCE...
# -- one test of the `kernel' suite: fetch the reference kernel if it is not
# there yet, build the guest NAME from SOURCE... (relative to SRCROOT, with
# the guest runtime), boot it in QEMU and pass its verdict on.  Exit 77
# (skipped, reason printed) when the kernel, QEMU or GRUB cannot be had; so a
# machine without them, or without access to Debian's archive, skips rather
# than fails.
#
# The kernel booted: `reference' (the default), Debian's prebuilt GNU Mach;
# `mosaic', the kernel with mosaic built in that `make kernel
# GNUMACH_SRC=/path' leaves in BUILDDIR/gnumach-obj/gnumach.  Without one
# (no GNU Mach tree given, as in CI) a mosaic test is skipped.  The headers
# and MIG for the guest come from the reference kernel's packages either way.
#
# With --compare (scenario guests only) the guest reports and does not
# judge (MOSAIC_SCN_REPORT_ONLY): the test passes if the guest ran every
# scenario and its result lines are exactly the simulator's for the same
# .scn files (tests/scenario_compare.py log, BUILDDIR/sim/mosaic; on i386
# BUILDDIR/sim/mosaic-addr32, the simulator at 32 bits; for 32-bit tasks on
# x86_64, mosaic with --task-bits 32), golden files of defect-stock
# scenarios included.  That is how a kernel with mosaic is held to the
# simulator.
#
# Environment: MOSAIC_NCPUS=N (N above 1) boots the multiprocessor kernel
# `make kernel NCPUS=N' built (BUILDDIR/gnumach-obj-smpN) with -smp N;
# MOSAIC_ARCH=i386 or i386-pae boots the i386 kernel `make kernel ARCH=...'
# built, with 32-bit guests (BUILDDIR/guest-i386; Debian's kernel, x86_64,
# is then skipped); MOSAIC_ARCH=x86_64-user32 boots the x86_64 kernel
# `make kernel ARCH=x86_64-user32' built (32-bit tasks) with the same
# 32-bit guests; MOSAIC_KERNEL_IMAGE names the kernel with mosaic to boot
# instead of the one these select (kernel-matrix's builds);
# MOSAIC_QEMU_ICOUNT=1 boots with -icount shift=0,sleep=off;
# MOSAIC_GUEST_TIMEOUT (seconds, default 60) bounds one boot;
# MOSAIC_QEMU_MEM (MiB, default 512) is the machine's memory;
# MOSAIC_EXPECT_PANIC_AFTER=LINE expects a kernel panic right after the
# scenario result line LINE (see run-guest.sh); MOSAIC_MIN_NCPUS=N skips a
# test that needs N processors or more on a kernel of fewer.
set -eu

kernel=reference
compare=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=${2:-}; shift 2 || true ;;
	--compare) compare=1; shift ;;
	*) break ;;
	esac
done
[ $# -ge 4 ] || { echo "usage: $0 [--kernel reference|mosaic] [--compare] BUILDDIR SRCROOT NAME SOURCE..." >&2; exit 2; }
build=$1
src=$2
name=$3
shift 3
here=$(dirname "$0")

ncpus=${MOSAIC_NCPUS:-1}
arch=${MOSAIC_ARCH:-x86_64}
if [ "$ncpus" -lt "${MOSAIC_MIN_NCPUS:-1}" ]; then
	echo "kernel-test: SKIP: $name needs a kernel of ${MOSAIC_MIN_NCPUS} processors or more (MOSAIC_NCPUS=$ncpus; make kernel-check NCPUS=8)"
	exit 77
fi
case $arch in
x86_64) suffix=""; guests="$build/guest" ;;
i386|i386-pae) suffix="-$arch"; guests="$build/guest-i386" ;;
x86_64-user32) suffix="-$arch"; guests="$build/guest-user32" ;;
*) echo "kernel-test: MOSAIC_ARCH must be x86_64, x86_64-user32, i386 or i386-pae" >&2; exit 2 ;;
esac
obj="$build/gnumach-obj$suffix"
[ "$ncpus" != 1 ] && obj="$build/gnumach-obj$suffix-smp$ncpus"
if [ -n "${MOSAIC_KERNEL_IMAGE:-}" ]; then
	obj=$(dirname "$MOSAIC_KERNEL_IMAGE")
fi
case $kernel in
reference)
	image="$build/refkernel/gnumach"
	if [ "$arch" != x86_64 ]; then
		echo "kernel-test: SKIP: Debian's kernel is x86_64 with 64-bit tasks (MOSAIC_ARCH=$arch)"
		exit 77
	fi
	# Debian's kernel is uniprocessor: a multiprocessor run boots ours only.
	if [ "$ncpus" != 1 ]; then
		echo "kernel-test: SKIP: Debian's kernel has one processor (MOSAIC_NCPUS=$ncpus)"
		exit 77
	fi
	;;
mosaic)
	image="$obj/gnumach"
	[ -f "$image" ] || {
		# No log of an earlier run is left for scenarios_vs_kernel.
		rm -f "$guests/runs/$name.log"
		echo "kernel-test: SKIP: no kernel with mosaic built in at $image"
		echo "kernel-test: (build one with: make kernel GNUMACH_SRC=/path/to/gnumach$([ "$ncpus" != 1 ] && echo " NCPUS=$ncpus")$([ "$arch" != x86_64 ] && echo " ARCH=$arch"))"
		exit 77
	}
	echo "kernel-test: booting the mosaic kernel $image (built $(date -r "$image" '+%Y-%m-%d %H:%M:%S'))"
	;;
*) echo "kernel-test: unknown kernel '$kernel' (reference or mosaic)" >&2; exit 2 ;;
esac

rc=0
"$here/../../mach-port/fetch-kernel.sh" "$build" || rc=$?
case $rc in
0) ;;
77) echo "kernel-test: SKIP: the reference kernel cannot be had (see above)"; exit 77 ;;
*) echo "kernel-test: fetch-kernel.sh failed ($rc)"; exit 1 ;;
esac

scns=""
for f in "$@"; do
	case $f in
	/*.scn) scns="$scns $f" ;;
	*.scn) scns="$scns $src/$f" ;;
	esac
done
# The simulator the kernel is held to: at the kernel's address width
# (mosaic-addr32 for i386), told the task's when it is narrower (user32).
case $arch in
x86_64) sim="$build/sim/mosaic" ;;
x86_64-user32) sim="$build/sim/mosaic --task-bits 32" ;;
*) sim="$build/sim/mosaic-addr32" ;;
esac
if [ $compare = 1 ]; then
	[ -n "$scns" ] || { echo "kernel-test: --compare needs .scn sources" >&2; exit 2; }
	[ -x "${sim%% *}" ] || { echo "kernel-test: no simulator at ${sim%% *}" >&2; exit 1; }
	export MOSAIC_GUEST_DEFINES="${MOSAIC_GUEST_DEFINES:-} -DMOSAIC_SCN_REPORT_ONLY"
fi

"$here/guest/build-guest.sh" "$build" "$src" "$name" \
	tests/kernel/guest/runtime.c core/vmc_kern_names.c "$@"

set -- --timeout "${MOSAIC_GUEST_TIMEOUT:-60}"
[ "${MOSAIC_QEMU_ICOUNT:-0}" = 1 ] && set -- "$@" --icount
[ "$ncpus" != 1 ] && set -- "$@" --smp "$ncpus"
[ -n "${MOSAIC_QEMU_MEM:-}" ] && set -- "$@" --mem "$MOSAIC_QEMU_MEM"
[ -n "${MOSAIC_EXPECT_PANIC_AFTER:-}" ] && set -- "$@" --expect-panic-after "$MOSAIC_EXPECT_PANIC_AFTER"
if [ $compare = 0 ]; then
	exec "$here/run-guest.sh" "$@" "$image" "$guests/$name" "$guests/runs"
fi
"$here/run-guest.sh" "$@" "$image" "$guests/$name" "$guests/runs" || exit $?
# shellcheck disable=SC2086
exec python3 "$src/tests/scenario_compare.py" log "$sim" \
	"$guests/runs/$name.log" $scns

#!/bin/sh
# kernel-test.sh BUILDDIR SRCROOT NAME SOURCE... -- one test of the `kernel'
# suite: fetch the reference kernel if it is not there yet, build the guest
# NAME from SOURCE... (relative to SRCROOT, with the guest runtime), boot it
# in QEMU and pass its verdict on.  Exit 77 (skipped, reason printed) when
# the kernel, QEMU or GRUB cannot be had; so a machine without them, or
# without access to Debian's archive, skips rather than fails.
#
# Environment: MOSAIC_QEMU_ICOUNT=1 boots with -icount shift=0,sleep=off;
# MOSAIC_GUEST_TIMEOUT (seconds, default 60) bounds one boot;
# MOSAIC_EXPECT_PANIC_AFTER=LINE expects a kernel panic right after the
# scenario result line LINE (see run-guest.sh).
set -eu

[ $# -ge 4 ] || { echo "usage: $0 BUILDDIR SRCROOT NAME SOURCE..." >&2; exit 2; }
build=$1
src=$2
name=$3
shift 3
here=$(dirname "$0")

rc=0
"$here/fetch-kernel.sh" "$build" || rc=$?
case $rc in
0) ;;
77) echo "kernel-test: SKIP: the reference kernel cannot be had (see above)"; exit 77 ;;
*) echo "kernel-test: fetch-kernel.sh failed ($rc)"; exit 1 ;;
esac

"$here/guest/build-guest.sh" "$build" "$src" "$name" \
	mach-port/guest/runtime.c mach-port/guest/krname.c core/vmc_range.c "$@"

set -- --timeout "${MOSAIC_GUEST_TIMEOUT:-60}"
[ "${MOSAIC_QEMU_ICOUNT:-0}" = 1 ] && set -- "$@" --icount
[ -n "${MOSAIC_EXPECT_PANIC_AFTER:-}" ] && set -- "$@" --expect-panic-after "$MOSAIC_EXPECT_PANIC_AFTER"
exec "$here/run-guest.sh" "$@" "$build/refkernel/gnumach" "$build/guest/$name" "$build/guest/runs"

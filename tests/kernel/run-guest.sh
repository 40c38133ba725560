#!/bin/sh
# run-guest.sh [--icount] [--smp N] [--mem MIB] [--timeout SECONDS] [--expect-panic-after LINE]
#              KERNEL GUEST WORKDIR
#
# Boots GNU Mach (the multiboot image KERNEL) in qemu-system-x86_64 with the
# guest program GUEST as its boot module, and judges the run by the serial
# log, kept as WORKDIR/NAME.log (NAME is the guest's file name):
#
#   exit 0   the log has "mosaic-guest: PASS NAME"
#   exit 1   a FAIL marker, a kernel panic, a trap in the kernel or its
#            debugger, no marker, or the time ran out
#   exit 77  qemu, grub-mkrescue or xorriso is missing, or KERNEL or GUEST
#            is not there (the reason is printed): the test is skipped
#
# With --expect-panic-after LINE the verdict is turned around for a known
# kernel defect: exit 0 only if the kernel panicked and the last guest line
# before the panic that starts with LINE's first word ("scn" for a
# scenario's result lines) is exactly LINE (which pins the panic to the
# operation after it); exit 1 otherwise.
#
# The machine is the one GNU Mach's own tests boot: a GRUB rescue CD whose
# grub.cfg loads the kernel with console=com0 and the guest as a module
# whose command line carries the boot script's port variables, so the
# guest, the first task, receives the host privileged port and the device
# master port as argv[1] and argv[2].  Software emulation only (no KVM:
# CI has none).  --icount runs QEMU with -icount shift=0,sleep=off, which
# makes instruction counts repeatable from boot to boot (and runs slower).
#
# --mem MIB gives the machine MIB MiB of memory (default 512).  Above about
# 1 GiB (x86_64; less on i386), part of it lies beyond the kernel's direct
# map of physical memory, where GNU Mach puts user pages first: the kernel
# reaches those only through its mapping windows.
#
# --smp N boots N processors (a kernel built with --enable-ncpus); without
# --icount QEMU then runs them in threads of their own (multi-threaded TCG),
# so that two processors really run at once on a host with two cores.
#
# QEMU names another emulator binary (default qemu-system-x86_64);
# MOSAIC_QEMU_PLUGIN=SO[,ARGS] loads a TCG plugin into it (the profiler,
# bench/kprof_plugin.c, which bench/kernel_profile.py drives).
#
# The guest ends a run by rebooting the machine, which -no-reboot turns into
# QEMU's exit; if a marker appears and QEMU lingers it is stopped.
set -eu

icount=""
smp=1
timeout=60
mem=512
panic_after=""
while [ $# -gt 0 ]; do
	case $1 in
	--icount) icount="-icount shift=0,sleep=off"; shift ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--expect-panic-after) panic_after=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "run-guest: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 3 ] || { echo "usage: $0 [--icount] [--timeout S] KERNEL GUEST WORKDIR" >&2; exit 2; }
kernel=$1
guest=$2
work=$3
name=$(basename "$guest")

skip() { echo "run-guest: SKIP: $*"; exit 77; }

qemu=${QEMU:-qemu-system-x86_64}
for tool in "$qemu" grub-mkrescue xorriso; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool not found (Debian: qemu-system-x86, grub-common, xorriso)"
done
[ -d /usr/lib/grub/i386-pc ] || skip "GRUB's i386-pc modules are missing (Debian: grub-pc-bin)"
[ -f "$kernel" ] || skip "no kernel at $kernel"
[ -f "$guest" ] || skip "no guest at $guest"

mkdir -p "$work"
iso="$work/$name.iso"
log="$work/$name.log"
tree="$work/$name.isodir"

# The CD: kernel, guest, and a grub.cfg that boots them at once.
rm -rf "$tree"
mkdir -p "$tree/boot/grub"
cp "$kernel" "$tree/boot/gnumach"
cp "$guest" "$tree/boot/$name"
cat > "$tree/boot/grub/grub.cfg" <<CFG
set timeout=0
echo mosaic: booting $name
multiboot /boot/gnumach console=com0
module /boot/$name $name '\${host-port}' '\${device-port}' '\$(task-create)' '\$(task-resume)'
boot
CFG
grub-mkrescue -o "$iso" "$tree" >"$work/$name.mkrescue.log" 2>&1 \
	|| { echo "run-guest: grub-mkrescue failed:"; cat "$work/$name.mkrescue.log"; exit 1; }
rm -rf "$tree"

# GNU Mach's panic() and assert() print these (kern/debug.c); a trap in the
# kernel prints "Kernel <trap> trap, ..." (i386/i386/trap.c), and a kernel
# built with kdb then stops in its debugger, whose prompt is "db{CPU}> ",
# where it would wait for the time limit: all are the kernel's end.
panic_re='panic \({cpu\|[^ ]*:[0-9]*: \)\|Assertion `.*failed\|^Kernel [^,]*trap[^,]*, eip \|db{[0-9]*}> '

# Several processors: each in a host thread of its own, unless -icount
# (which needs QEMU's single-threaded emulation) is asked for.
cpus=""
if [ "$smp" != 1 ]; then
	cpus="-smp $smp"
	[ -z "$icount" ] && cpus="$cpus -accel tcg,thread=multi"
fi

plugin=""
[ -n "${MOSAIC_QEMU_PLUGIN:-}" ] && plugin="-plugin $MOSAIC_QEMU_PLUGIN"

# Run, watching the log: stop at a marker, a panic, QEMU's exit or the limit.
: > "$log"
# shellcheck disable=SC2086
case $mem in
''|*[!0-9]*) echo "run-guest: --mem wants a number of MiB, not '$mem'" >&2; exit 2 ;;
esac
"$qemu" -machine pc -cpu core2duo-v1 -m "$mem" $icount $cpus $plugin \
	-display none -monitor none -serial "file:$log" \
	-no-reboot -boot d -cdrom "$iso" </dev/null >"$work/$name.qemu.log" 2>&1 &
qemu_pid=$!
start=$(date +%s)
why="timeout after ${timeout}s"
while kill -0 "$qemu_pid" 2>/dev/null; do
	if grep -q -e '^mosaic-guest: \(PASS\|FAIL\)' -e "$panic_re" "$log"; then
		why=""
		sleep 2         # let the guest's reboot end QEMU by itself
		break
	fi
	if [ $(( $(date +%s) - start )) -ge "$timeout" ]; then
		break
	fi
	sleep 0.5
done
if kill -0 "$qemu_pid" 2>/dev/null; then
	kill "$qemu_pid" 2>/dev/null || true
else
	why=""
fi
wait "$qemu_pid" 2>/dev/null || true
elapsed=$(( $(date +%s) - start ))

# The serial log, without the carriage returns the console adds.
tr -d '\r' < "$log" > "$log.txt"
mv "$log.txt" "$log"
echo "run-guest: $name: qemu ran ${elapsed}s; serial log $log:"
sed -e 's/^/  | /' "$log"

if [ -n "$panic_after" ]; then
	if ! grep -q -e "$panic_re" "$log"; then
		echo "run-guest: $name FAILED (the expected kernel panic did not happen)"
		exit 1
	fi
	word=${panic_after%% *}
	last=$(sed -n -e "/$panic_re/q" -e p "$log" | awk -v w="$word " 'index($0, w) == 1' |
		tail -n 1)
	if [ "$last" != "$panic_after" ]; then
		echo "run-guest: $name FAILED (panic after '$last', expected after '$panic_after')"
		exit 1
	fi
	echo "run-guest: $name passed (the kernel panicked where expected)"
	exit 0
fi
if grep -q "^mosaic-guest: FAIL" "$log"; then
	echo "run-guest: $name FAILED (failure marker)"
	exit 1
fi
if grep -q -e "$panic_re" "$log"; then
	echo "run-guest: $name FAILED (kernel panic, trap or debugger)"
	exit 1
fi
if grep -q "^mosaic-guest: PASS $name\$" "$log"; then
	echo "run-guest: $name passed"
	exit 0
fi
echo "run-guest: $name FAILED (no marker${why:+; $why})"
exit 1

#!/bin/sh
# hurd-check.sh [--kernel mosaic|stock] [--hurd stock|mosaic|direct] [--timeout SECONDS]
#               BUILDDIR -- boots the Hurd that `make hurd' built (BUILDDIR/hurd)
# on GNU Mach i386 in qemu-system-i386 and passes on the verdict of the read
# test it runs (tests/hurd/hurdread.c).
#
# The kernel: `mosaic' (the default), the one `make kernel ARCH=i386' built
# with mosaic (BUILDDIR/gnumach-obj-i386/gnumach); `stock', stock GNU Mach of
# the same commit (`make hurd-check' builds it with build-kernel.sh --stock
# into BUILDDIR/gnumach-obj-i386-stock/gnumach).  The Hurd: `stock' (the
# default), the Hurd as it is (BUILDDIR/hurd/boot, hurd.img); `mosaic', the
# Hurd with mosaic's series (mach-port/hurd/series), whose libpager copies
# with the kernel's fast copies (BUILDDIR/hurd/boot-mosaic,
# hurd-mosaic.img); on the stock kernel it falls back to its mapped copies.
# `direct', the same servers with the test linked with the glibc whose read
# uses io_read_direct, which the series' second patch adds (ext2fs writes
# the file's bytes into the whole pages of the caller's buffer through a
# write-only proxy of them: hurd-direct.img); on the stock kernel ext2fs
# answers EOPNOTSUPP and glibc reads with io_read.
#
# On the kernel with mosaic the boot runs under a QEMU plugin that counts
# every translation block's executions (bench/kprof_plugin.c), and the
# runner counts the calls of the kernel's fast copies (the symbols in
# FAST_COPY_SYMBOLS below, looked up in the kernel's symbol table) from the
# executions of their first blocks: with the Hurd of the series there must
# be at least one object-to-task copy per read that returned data (but
# those libpager moves with vm_copy) and at least one task-to-object copy;
# with the direct read's glibc, at least one copy between objects per read
# glibc gave io_read_direct whose bytes reached the buffer's whole pages,
# and a task-to-object copy; with the Hurd as it is none of them (which is
# what says the count counts).
#
# The machine: a GRUB rescue CD with the kernel and the Hurd's two boot
# servers as multiboot modules, ext2fs.static and exec.static, and the ext2
# image as the first IDE disk (hd0, a fresh copy each run: ext2fs mounts it
# read-write).  ext2fs starts exec, then startup (/hurd/startup), which
# starts proc and auth and runs /libexec/console-run /libexec/runsystem:
# console-run puts the Hurd's term server on /dev/console and runs our
# test, installed as /libexec/runsystem.  Memory is 2 GiB: with a 2026
# kernel's per-task limit on virtual memory, ext2fs of 2023 cannot create
# its pager threads at 512 MiB (it raises the limit only since 2025).
#
# Exit 0 when the serial log has "mosaic-hurd: PASS hurdread"; 1 on a FAIL
# marker, a kernel panic, or no marker when QEMU ended or the time ran out
# (default 600 s; a timeout is a failure); 77, with the reason printed,
# when the Hurd, the kernel, QEMU or GRUB is not there (the test is then
# skipped).  The log is kept as BUILDDIR/hurd/runs/KERNEL.log.
set -eu

kernel=mosaic
hurd=stock
timeout=600
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=${2:?}; shift 2 ;;
	--hurd) hurd=${2:?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	-*) echo "hurd-check: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { echo "usage: $0 [--kernel mosaic|stock] [--hurd stock|mosaic|direct] [--timeout S] BUILDDIR" >&2; exit 2; }
build=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
h="$build/hurd"

# The kernel's routines of the fast copies: object -> task buffer, task
# buffer -> object, object -> object (the server side of the calls the
# Hurd's series makes).
FAST_COPY_SYMBOLS="experimental_vm_copy_from_object experimental_vm_copy_to_object experimental_vm_copy_between_objects"

skip() { echo "hurd-check: SKIP: $*"; exit 77; }

case $kernel in
mosaic) image="$build/gnumach-obj-i386/gnumach"; how="make kernel ARCH=i386 GNUMACH_SRC=/path" ;;
stock) image="$build/gnumach-obj-i386-stock/gnumach"; how="make hurd-check GNUMACH_SRC=/path HURD_SRC=/path" ;;
*) echo "hurd-check: --kernel is mosaic or stock, not '$kernel'" >&2; exit 2 ;;
esac
case $hurd in
stock) boot="$h/boot"; img="$h/hurd.img" ;;
mosaic) boot="$h/boot-mosaic"; img="$h/hurd-mosaic.img" ;;
direct) boot="$h/boot-mosaic"; img="$h/hurd-direct.img" ;;
*) echo "hurd-check: --hurd is stock, mosaic or direct, not '$hurd'" >&2; exit 2 ;;
esac
run="$kernel-kernel-$hurd-hurd"
for tool in qemu-system-i386 grub-mkrescue xorriso; do
	command -v $tool >/dev/null 2>&1 || skip "$tool not found (Debian: qemu-system-x86, grub-common, xorriso)"
done
[ -d /usr/lib/grub/i386-pc ] || skip "GRUB's i386-pc modules are missing (Debian: grub-pc-bin)"
[ -f "$img" ] && [ -f "$boot/ext2fs.static" ] && [ -f "$boot/exec.static" ] ||
	skip "no Hurd ($hurd) built in $h (make hurd GNUMACH_SRC=/path HURD_SRC=/path: the Hurd is built from your trees)"
[ -f "$image" ] || skip "no $kernel kernel at $image ($how)"

runs="$h/runs"
mkdir -p "$runs"
log="$runs/$run.log"
iso="$runs/$run.iso"
disk="$runs/$run.img"
tree="$runs/$run.isodir"
rm -rf "$tree"
mkdir -p "$tree/boot/grub"
cp "$image" "$tree/boot/gnumach"
cp "$boot/ext2fs.static" "$boot/exec.static" "$tree/boot/"
# The boot script's variables are GNU Mach's (kern/bootstrap.c): ext2fs
# gets the privileged ports and the exec server's task, and resumes it.
# Quoted, so that GRUB passes them on rather than expanding them itself.
cat > "$tree/boot/grub/grub.cfg" <<'CFG'
set timeout=0
multiboot /boot/gnumach console=com0 root=device:hd0
module /boot/ext2fs.static ext2fs '--multiboot-command-line=${kernel-command-line}' '--host-priv-port=${host-port}' '--device-master-port=${device-port}' '--exec-server-task=${exec-task}' -T typed '${root}' '$(task-create)' '$(task-resume)'
module /boot/exec.static exec '$(exec-task=task-create)'
boot
CFG
grub-mkrescue -o "$iso" "$tree" >"$runs/$run.mkrescue.log" 2>&1 ||
	{ echo "hurd-check: grub-mkrescue failed:"; cat "$runs/$run.mkrescue.log"; exit 1; }
rm -rf "$tree"
cp "$img" "$disk"

# The fast copies' entry points in the kernel with mosaic, and the plugin
# that counts their executions.
plugin=""
counts="$runs/$run.tb"
rm -f "$counts"
if [ "$kernel" = mosaic ]; then
	addrs=""
	for sym in $FAST_COPY_SYMBOLS; do
		a=$(nm "$image" | awk -v s="$sym" '$3 == s && ($2 == "T" || $2 == "t") { print $1; exit }')
		[ -n "$a" ] || { echo "hurd-check: the kernel $image has no $sym"; exit 1; }
		addrs="$addrs $a"
	done
	cc -O2 -shared -fPIC -fvisibility=hidden -Wall -Werror -o "$runs/kprof_plugin.so" \
		"$src/bench/kprof_plugin.c" || { echo "hurd-check: the counting plugin did not build"; exit 1; }
	plugin="-plugin $runs/kprof_plugin.so,out=$counts"
fi

panic_re='panic \({cpu\|[^ ]*:[0-9]*: \)\|Assertion `.*failed\|^Kernel Breakpoint\|^kdb:'
echo "hurd-check: booting the Hurd ($hurd) on $(cat "$(dirname "$image")/gnumach.source" 2>/dev/null || echo "$image")"
: > "$log"
# shellcheck disable=SC2086
qemu-system-i386 -machine pc -cpu core2duo-v1 -m 2048 -display none -monitor none \
	-serial "file:$log" -no-reboot -boot d -cdrom "$iso" $plugin \
	-drive "file=$disk,format=raw,if=ide,index=0" </dev/null >"$runs/$run.qemu.log" 2>&1 &
qemu_pid=$!
start=$(date +%s)
why="timeout after ${timeout} s"
while kill -0 "$qemu_pid" 2>/dev/null; do
	if grep -q -e '^mosaic-hurd: \(PASS\|FAIL\)' -e "$panic_re" "$log"; then
		why=""
		sleep 3         # the test's reboot ends QEMU by itself
		break
	fi
	if [ $(( $(date +%s) - start )) -ge "$timeout" ]; then
		break
	fi
	sleep 1
done
if kill -0 "$qemu_pid" 2>/dev/null; then
	kill "$qemu_pid" 2>/dev/null || true
else
	[ -z "$why" ] || why="QEMU ended without a marker"
fi
wait "$qemu_pid" 2>/dev/null || true
elapsed=$(( $(date +%s) - start ))
tr -d '\r' < "$log" > "$log.txt"
mv "$log.txt" "$log"
echo "hurd-check: $run: QEMU ran ${elapsed} s; serial log $log:"
sed -e 's/^/  | /' "$log"
if grep -q '^mosaic-hurd: FAIL' "$log"; then
	echo "hurd-check: $run: FAILED (failure marker)"
	exit 1
fi
if grep -q -e "$panic_re" "$log"; then
	echo "hurd-check: $run: FAILED (kernel panic or debugger)"
	exit 1
fi
if ! grep -q '^mosaic-hurd: PASS hurdread$' "$log"; then
	echo "hurd-check: $run: FAILED (no marker: $why)"
	exit 1
fi
if [ -n "$plugin" ]; then
	# The calls of each fast copy: the executions of the translation
	# blocks that start at its entry (a block translated again after a
	# flush has a line of its own).
	[ -s "$counts" ] || { echo "hurd-check: $run: FAILED (the plugin wrote no $counts)"; exit 1; }
	# count ADDRESS: the executions of the blocks that start there.
	count() {
		awk -v a="$1" 'BEGIN { a = tolower(a); sub(/^0+/, "", a) }
			/^#/ { next } { v = tolower($1); sub(/^0x/, "", v); sub(/^0+/, "", v) }
			v == a { n += $3 } END { print n + 0 }' "$counts"
	}
	set -- $addrs
	from=$(count "$1") to=$(count "$2") between=$(count "$3")
	# Each read with data but those libpager moves with vm_copy made at
	# least one copy by the kernel, with the series; each the direct
	# read's glibc gave io_read_direct, whose bytes reached the buffer's
	# pages, a copy between objects.
	pat='^hurdread: process .* (\([0-9]*\) with data, \([0-9]*\) for vm_copy, \([0-9]*\) for io_read_direct).*'
	reads=$(sed -n "s/$pat/\1 \2/p" "$log" | awk '{ n += $1 - $2 } END { print n + 0 }')
	direct=$(sed -n "s/$pat/\3/p" "$log" | awk '{ n += $1 } END { print n + 0 }')
	set -- $FAST_COPY_SYMBOLS
	echo "hurd-check: $run: the kernel's $1 ran $from times, $2 $to times, $3 $between times; the test's reads that returned data, but for those libpager may vm_copy: $reads; that the direct read gives io_read_direct: $direct"
	case $hurd in
	mosaic)
		if [ "$from" -lt 1 ] || [ "$from" -lt "$reads" ] || [ "$to" -lt 1 ] || [ "$between" != 0 ]; then
			echo "hurd-check: $run: FAILED (the Hurd with the series did not copy by the kernel's fast copies: $from object-to-task copies for $reads reads with data not for vm_copy, $to task-to-object copies; or made $between copies between objects with a glibc that has no io_read_direct)"
			exit 1
		fi ;;
	direct)
		if [ "$direct" -lt 1 ] || [ "$between" -lt "$direct" ] || [ "$to" -lt 1 ]; then
			echo "hurd-check: $run: FAILED (the direct read did not copy between objects: $between copies for $direct reads given to io_read_direct, $to task-to-object copies)"
			exit 1
		fi ;;
	*)
		if [ "$from" != 0 ] || [ "$to" != 0 ] || [ "$between" != 0 ]; then
			echo "hurd-check: $run: FAILED (the Hurd as it is made fast copies: the count is wrong)"
			exit 1
		fi ;;
	esac
fi
echo "hurd-check: $run: passed in ${elapsed} s"
exit 0

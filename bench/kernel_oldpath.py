#!/usr/bin/env python3
"""A translator's read paths on the real kernel: boots
tests/kernel/guest/bench_oldpath.c on GNU Mach in QEMU (software emulation)
once (MOSAIC_PLAIN_BOOTS times) in plain emulation and twice with -icount shift=0,sleep=off (whose
counts must be bit-identical from boot to boot), takes the median of the
rounds for every size and path, and writes BUILD/bench/kernel_oldpath.tsv
(with a metadata header) and the figure BUILD/bench/kernel_oldpath.{png,svg}
(plots/kernel_oldpath.gp).

The kernel: the one with mosaic built in when `make kernel GNUMACH_SRC=...'
has left one in BUILD/gnumach-obj/gnumach, which adds the fast paths
(vm_read_fast by RPC and by trap) to the same boot; otherwise Debian's, with
the old paths and the limits only.

MOSAIC_ARCH=i386 (or i386-pae) measures the i386 kernel `make kernel
ARCH=...' built, with a 32-bit guest, and writes into BUILD/bench/ARCH/.

MOSAIC_PLAIN_BOOTS=N boots N times in plain emulation (default 1): the
plain column is then the median of the boots' medians, and each ratio's
spread over the boots (its lowest and highest) is in the last columns.

Usage: kernel_oldpath.py SOURCE_ROOT BUILD_ROOT
Exit 77 when the kernel suite cannot run here (no QEMU, GRUB or kernel).
"""
import collections
import datetime
import os
import statistics
import subprocess
import sys

from kernel_guest import OLDPATH_SOURCES, boot_guest

src, build = sys.argv[1], sys.argv[2]
arch = os.environ.get("MOSAIC_ARCH", "x86_64")
suffix = "" if arch == "x86_64" else "-" + arch
runs = os.path.join(build, "guest" if arch == "x86_64" else "guest-i386", "runs")
out_dir = os.path.join(build, "bench", *([] if arch == "x86_64" else [arch]))
os.makedirs(out_dir, exist_ok=True)


mosaic_kernel = os.path.join(build, "gnumach-obj" + suffix, "gnumach")
kernel = "mosaic" if os.path.isfile(mosaic_kernel) else "reference"


def boot(icount):
    boot_guest(src, build, "bench-oldpath", OLDPATH_SOURCES, kernel=kernel,
               env={"MOSAIC_GUEST_TIMEOUT": "600", "MOSAIC_QEMU_ICOUNT": "1" if icount else "0"})
    rows, inside = [], False
    with open(os.path.join(runs, "bench-oldpath.log"), errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line == "mosaic-bench: begin":
                inside = True
            elif line == "mosaic-bench: end":
                inside = False
            elif inside and not line.startswith("round"):
                rnd, size, path, ticks = line.split("\t")
                rows.append((int(rnd), int(size), path, int(ticks)))
    return rows


plain_boots = int(os.environ.get("MOSAIC_PLAIN_BOOTS", "1"))
if plain_boots < 1:
    sys.exit("kernel_oldpath: MOSAIC_PLAIN_BOOTS must be at least 1")


def spread(size, path, limit):
    """The plain ratio over `limit` in each boot: (min, max)."""
    r = [b[(size, path)] / b[(size, limit)] for b in plain_each]
    return min(r), max(r)


def medians(rows):
    by = collections.defaultdict(list)
    for _, size, path, ticks in rows:
        by[(size, path)].append(ticks)
    return {k: statistics.median(v) for k, v in by.items()}


plain_each = [medians(boot(False)) for _ in range(plain_boots)]
plain = {k: statistics.median(b[k] for b in plain_each) for k in plain_each[0]}
icount_rows = boot(True)
icount_again = boot(True)
identical = icount_rows == icount_again
icount = medians(icount_rows)

if kernel == "mosaic":
    try:
        with open(os.path.join(build, "gnumach-obj" + suffix, "gnumach.source")) as f:
            kernel_pkg = f.read().strip()
    except OSError:
        kernel_pkg = f"GNU Mach with mosaic ({mosaic_kernel})"
else:
    kernel_pkg = "?"
    p = os.path.join(build, "refkernel", "boot")
    if os.path.isdir(p):
        kernel_pkg = " ".join(sorted(n for n in os.listdir(p) if n.startswith("gnumach")))
qemu = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                      text=True).stdout.splitlines()[0]

order = ["old", "old_pager", "vm_read", "fast_rpc", "fast_trap", "fast_rpc0", "limit_rpc", "limit_trap",
         "port_rpc", "user_rpc", "inline_rpc", "ool_rpc", "pagein", "copy"]


def host_tsc_mhz():
    """The host's TSC rate, which the guest's rdtsc follows in plain
    emulation (QEMU's TCG reads the host's counter): the kernel's line, as
    /proc/cpuinfo gives it."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("cpu MHz"):
                    return line.split(":")[1].strip()
    except OSError:
        pass
    return "?"

paths = [p for p in order if any(q == p for _, q in plain)]
tsv = os.path.join(out_dir, "kernel_oldpath.tsv")
with open(tsv, "w") as f:
    f.write("# kernel_oldpath: a translator's read paths on GNU Mach in QEMU (TSC ticks per read)\n")
    f.write(f"# paths\t{' '.join(paths)}\n")
    f.write(f"# date\t{datetime.datetime.utcnow().isoformat(timespec='seconds')}Z\n")
    f.write(f"# kernel\t{kernel_pkg}\n# qemu\t{qemu}\n")
    f.write("# reads_per_round\t1000\n# rounds\t7 (median)\n")
    f.write("# plain: rdtsc follows the host clock; icount: -icount shift=0,sleep=off\n")
    f.write(f"# host_tsc_mhz\t{host_tsc_mhz()}\n")
    f.write(f"# icount_bit_identical_across_two_boots\t{'yes' if identical else 'NO'}\n")
    f.write(f"# plain_boots\t{plain_boots} (plain_ticks: median over the boots of each boot's median;"
            f" _min/_max: the ratio in each boot)\n")
    if (8192, "fast_rpc") in plain:
        per = " ".join(f"{b[(8192, 'old')] / b[(8192, 'fast_rpc')]:.2f}" for b in plain_each)
        f.write(f"# old_over_fast_rpc_8192_plain_per_boot\t{per}\n")
    f.write("# vs_limit_rpc, vs_limit_trap: ticks over those of the limit (the same bytes copied from\n"
            "#   mapped memory with 8-byte moves, plus one null RPC or one trap) in the same boot\n")
    f.write("size\tpath\tplain_ticks\ticount_ticks\tplain_vs_limit_rpc\ticount_vs_limit_rpc"
            "\tplain_vs_limit_trap\ticount_vs_limit_trap"
            "\tplain_vs_limit_rpc_min\tplain_vs_limit_rpc_max"
            "\tplain_vs_limit_trap_min\tplain_vs_limit_trap_max\n")
    for size in sorted({s for s, _ in plain}):
        for p in paths:
            a, b = plain[(size, p)], icount[(size, p)]
            f.write(f"{size}\t{p}\t{a:.0f}\t{b:.0f}\t{a / plain[(size, 'limit_rpc')]:.2f}"
                    f"\t{b / icount[(size, 'limit_rpc')]:.2f}"
                    f"\t{a / plain[(size, 'limit_trap')]:.2f}"
                    f"\t{b / icount[(size, 'limit_trap')]:.2f}"
                    + "".join(f"\t{x:.2f}" for lim in ("limit_rpc", "limit_trap")
                            for x in spread(size, p, lim)) + "\n")
print(open(tsv).read())
# gnuplot runs in out_dir on fixed names: no path of the build's is gnuplot
# code (the path names are the guest's, from a fixed list).
subprocess.run(["gnuplot", "-e", f"in='kernel_oldpath.tsv'; outdir='.'; paths='{' '.join(paths)}'",
                os.path.abspath(os.path.join(src, "plots", "kernel_oldpath.gp"))], check=True, cwd=out_dir)
print(f"figures: {out_dir}/kernel_oldpath.png {out_dir}/kernel_oldpath.svg")

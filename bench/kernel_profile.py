#!/usr/bin/env python3
"""Where one call's instructions go in the kernel, function by function.

GNU Mach has no profiler, and the fast path's budget is counted in
instructions (-icount), so this counts instructions directly: it boots
tests/kernel/guest/bench_oldpath.c under -icount with the TCG plugin
bench/kprof_plugin.c, the guest making only READS reads of one path and
size (its BENCH_PROFILE_* defines) between two marks, within which the plugin
counts every translation block's executions.  Those, times each block's
instructions, folded into the function its address falls in (the kernel's
and the guest's symbol tables) and divided by READS, are each function's
share of one read; boot, set-up and the kernel's idle work outside the
window stay out.  The guest times the same window itself (rdtsc, which under
-icount counts instructions), and the run fails when the profile's total
and the guest's count disagree by more than 1%.

With --call, the same for one of kernel_calls.py's stock calls instead
(tests/kernel/guest/bench_calls.c, its BENCH_PROFILE_* defines): READS calls
with what the guest does around each (the undoing of what it made), on the
kernel given, so that stock GNU Mach's profile and mosaic's can be set side
by side (--kernel BUILD/gnumach-obj-stock/gnumach, which make
bench-kernel-calls builds).

Usage: kernel_profile.py SOURCE_ROOT BUILD_ROOT [--path fast_rpc] [--size 1024]
                         [--call vm_write:shared] [--reads 10000] [--top 40]
                         [--kernel IMAGE]
Writes BUILD/bench/profile-PATH-SIZE.tsv (function, instructions per read;
profile-CALL.tsv with --call, the call's colon a dash) and prints the top
of it.  Exit 77 when a kernel, QEMU or GRUB is missing.
"""
import argparse
import bisect
import collections
import os
import subprocess
import sys

from kernel_guest import OLDPATH_SOURCES, boot_guest

PATHS = {"old": "OLD", "old_pager": "OLD_PAGER", "vm_read": "VMREAD", "fast_rpc": "FAST_RPC",
         "fast_trap": "FAST_TRAP", "fast_rpc0": "FAST_RPC0", "limit_rpc": "LIMIT_RPC",
         "limit_trap": "LIMIT_TRAP", "port_rpc": "PORT_RPC", "user_rpc": "USER_RPC",
         "copy": "COPY"}
# kernel_calls.py's calls, as bench_calls.c's enum call names them.
CALLS = {"vm_allocate": "ALLOCATE", "vm_deallocate": "DEALLOCATE",
         "vm_protect:plain": "PROTECT_PLAIN", "vm_protect:proxied": "PROTECT_PROXIED",
         "vm_map:object": "MAP_OBJECT", "vm_map:proxy": "MAP_PROXY",
         "vm_read:plain": "READ_PLAIN", "vm_read:proxied": "READ_PROXIED",
         "vm_write:plain": "WRITE_PLAIN", "vm_write:proxied": "WRITE_PROXIED",
         "vm_write:shared": "WRITE_SHARED", "vm_copy:plain": "COPY_PLAIN",
         "vm_copy:proxied": "COPY_PROXIED", "vm_copy:shared": "COPY_SHARED",
         "memory_object_create_proxy": "CREATE_PROXY",
         "vm_region_create_proxy:plain": "REGION_PROXY_PLAIN",
         "vm_region_create_proxy:proxied": "REGION_PROXY_PROXIED"}
CALLS_SOURCES = ["tests/kernel/guest/bench_calls.c", "tests/kernel/guest/filepager.c",
                 "traces/trace_content.c"]


class Symbols:
    """Text symbols of ELF files, for address -> function."""

    def __init__(self, *elves):
        pairs = []
        for elf in elves:
            out = subprocess.run(["nm", "-n", "--defined-only", elf], capture_output=True,
                                 text=True, check=True).stdout
            tag = "" if elf == elves[0] else "user:"
            for line in out.splitlines():
                parts = line.split()
                if len(parts) == 3 and parts[1] in "tTwW":
                    pairs.append((int(parts[0], 16), tag + parts[2]))
        pairs.sort()
        self.addrs = [a for a, _ in pairs]
        self.names = [n for _, n in pairs]

    def name(self, addr):
        i = bisect.bisect_right(self.addrs, addr) - 1
        return self.names[i] if i >= 0 else "?"


def boot(args, plugin, out):
    """One boot; returns the guest's binary and its count of the window."""
    if args.call:
        name = "prof-" + args.call.replace(":", "-")
        defines = f"-DBENCH_PROFILE_CALL={CALLS[args.call]} -DBENCH_PROFILE_CALLS={args.reads}"
        sources = CALLS_SOURCES
    else:
        name = f"prof-{args.path}-{args.size}"
        defines = (f"-DBENCH_PROFILE_PATH={PATHS[args.path]} -DBENCH_PROFILE_SIZE={args.size}"
                   f" -DBENCH_PROFILE_READS={args.reads}")
        sources = OLDPATH_SOURCES
    env = {"MOSAIC_GUEST_TIMEOUT": "900", "MOSAIC_QEMU_ICOUNT": "1",
           "MOSAIC_GUEST_DEFINES": defines, "MOSAIC_QEMU_PLUGIN": f"{plugin},out={out}"}
    if args.kernel:
        env["MOSAIC_KERNEL_IMAGE"] = args.kernel
    if os.path.exists(out):
        os.unlink(out)
    boot_guest(args.src, args.build, name, sources, env=env)
    if not os.path.exists(out):
        sys.exit(f"kernel_profile: the plugin wrote no {out}")
    ticks = None
    with open(os.path.join(args.build, "guest", "runs", name + ".log"), errors="replace") as f:
        for line in f:
            if line.startswith("mosaic-bench: profile "):
                ticks = int(line.split()[-2])
    if ticks is None:
        sys.exit("kernel_profile: the guest printed no count")
    return os.path.join(args.build, "guest", name), ticks


def fold(path, symbols):
    by = collections.Counter()
    with open(path) as f:
        head = f.readline().split()
        if head[:3] != ["#", "window", "marks"] or int(head[3]) < 2:
            sys.exit(f"kernel_profile: {path}: the guest's window was not seen ({' '.join(head)})")
        for line in f:
            vaddr, insns, runs = line.split()
            by[symbols.name(int(vaddr, 16))] += int(insns) * int(runs)
    return by


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("build")
    ap.add_argument("--path", default="fast_rpc", choices=sorted(PATHS))
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--call", choices=sorted(CALLS),
                    help="one of kernel_calls' stock calls instead of a read path")
    ap.add_argument("--reads", type=int, default=10000)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--kernel", help="the kernel image (default BUILD/gnumach-obj/gnumach)")
    args = ap.parse_args()
    if args.reads < 1000 or args.reads % 1000:
        sys.exit("kernel_profile: --reads is a multiple of 1000")

    arch, ncpus = os.environ.get("MOSAIC_ARCH", "x86_64"), os.environ.get("MOSAIC_NCPUS", "1")
    if not args.kernel and (arch != "x86_64" or ncpus != "1"):
        print(f"kernel_profile: SKIP: the profile is of the x86_64 uniprocessor kernel "
              f"(MOSAIC_ARCH={arch}, MOSAIC_NCPUS={ncpus})")
        sys.exit(77)
    kernel = args.kernel or os.path.join(args.build, "gnumach-obj", "gnumach")
    if not os.path.isfile(kernel):
        print(f"kernel_profile: SKIP: no kernel at {kernel} (make kernel GNUMACH_SRC=...)")
        sys.exit(77)
    out_dir = os.path.join(args.build, "bench")
    os.makedirs(out_dir, exist_ok=True)
    plugin = os.path.join(out_dir, "kprof_plugin.so")
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-fvisibility=hidden", "-Wall", "-Werror",
                    "-o", plugin, os.path.join(args.src, "bench", "kprof_plugin.c")], check=True)

    what = args.call.replace(":", "-") if args.call else f"{args.path}-{args.size}"
    out = os.path.join(out_dir, f"kprof-{what}.txt")
    guest, ticks = boot(args, plugin, out)
    counts = fold(out, Symbols(kernel, guest))

    per = {fn: v / args.reads for fn, v in counts.items()}
    rows = sorted(((v, fn) for fn, v in per.items() if v >= 0.05), reverse=True)
    total = sum(per.values())
    kernel_total = sum(v for fn, v in per.items() if not fn.startswith("user:"))
    guest_count = ticks / args.reads
    tsv = os.path.join(out_dir, f"profile-{what}.tsv")
    title = args.call or f"{args.path} of {args.size} bytes"
    unit = "call" if args.call else "read"
    with open(tsv, "w") as f:
        f.write(f"# kernel_profile: {title}, instructions per {unit} "
                f"({args.reads} {unit}s under -icount)\n")
        try:
            with open(kernel + ".source") as src:
                f.write(f"# kernel_image\t{src.read().strip()}\n")
        except OSError:
            f.write(f"# kernel_image\t{kernel}\n")
        f.write(f"# total\t{total:.1f}\n# kernel\t{kernel_total:.1f}\n")
        f.write(f"# guest_count\t{guest_count:.1f}\n")
        f.write("function\tinstructions\n")
        for v, fn in rows:
            f.write(f"{fn}\t{v:.1f}\n")
    print(f"{title}: {total:.1f} instructions per {unit} "
          f"({kernel_total:.1f} in the kernel); the guest counted {guest_count:.1f}; {tsv}")
    for v, fn in rows[:args.top]:
        print(f"{v:9.1f}  {fn}")
    if abs(total - guest_count) > 0.01 * guest_count:
        print(f"kernel_profile: FAIL: the profile's total {total:.1f} is not within 1% of the "
              f"guest's count {guest_count:.1f}")
        sys.exit(1)

if __name__ == "__main__":
    main()

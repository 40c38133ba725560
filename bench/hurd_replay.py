#!/usr/bin/env python3
"""The main job on the real Hurd: each trace replayed by a Hurd process that
reads through glibc and the Hurd's own ext2fs (tests/hurd/hurdreplay.c), on
GNU Mach i386 with mosaic, by the Hurd as it is (libpager's pager_memcpy
maps, copies and unmaps: `old'), by the Hurd with mosaic's series
(pager_memcpy copies with vm_copy_from_object: `libpager-fast'), and by
the same Hurd with the replayer linked with the glibc whose read uses the
series' io_read_direct (ext2fs writes the file's bytes into the whole pages
of the reader's buffer through a write-only proxy of them: `direct'), each
under QEMU -icount and in plain emulation; beside the simulator's prediction for
the same trace and the guest translator's measurement (bench/kernel-replay.tsv,
kept from make kernel-replay).

Usage: hurd_replay.py SOURCE_ROOT BUILD_ROOT [--out DIR] [--work DIR] [--timeout S] [TRACE...]
       hurd_replay.py --table HURD_REPLAY_TSV

--table prints the table of a kept TSV (bench/hurd-replay.tsv), for make demo.

Default traces: those of make kernel-replay (DEFAULT_TRACES), a few minutes a boot.  All the
traces go into one ext2 image per Hurd (tests/hurd/mkreplay.c writes their
files with the trace format's content function), and each Hurd boots twice
(-icount, plain), so six boots in all.

The images, boot CDs and serial logs are in the --work directory (default
BUILD_ROOT/hurd/replay), made anew each run.  Writes DIR/hurd_replay.tsv
(--out, default BUILD_ROOT/bench): a metadata header,
then a row per trace and chunk-size bucket.  Prints the table, then a
`fidelity:' line that says what the prediction is of: the simulator models
the seed's translator (sim/replay/TRANSLATOR.md), not ext2fs, and its fast
path is the direct read, so the line compares the Hurd's old path with the
simulator's old path (rows of at least 20 reads within 15%, and the ratio),
and the Hurd's old/direct with the simulator's old/direct (the gain the
simulator predicts, rows within 15%), and says that the libpager change
has no prediction.

Under -icount shift=0 the guest's TSC counts instructions (one per virtual
ns): ticks / 1000 are the microseconds of the calibration.  In plain
emulation ticks / host MHz are host microseconds (on a loaded machine:
say so beside any figure).  Exit 0 when every boot passed (every byte
checked) and the fast-copy counts say each Hurd took its path, 1 otherwise,
77 when the Hurd, the kernel with mosaic, QEMU or GRUB is not there.
"""
import argparse
import datetime
import glob
import math
import os
import re
import shutil
import subprocess
import sys
import time

from kernel_guest import describe, host_mhz, kernel_source, mosaic_revision

# The traces of make kernel-replay (bench/kernel-replay.tsv's, and
# python-pool's 41 clients): some 7,000 reads, about two minutes a boot.
DEFAULT_TRACES = ["traces/workloads/seq-1k.trace", "traces/workloads/seq-4k.trace",
                  "traces/workloads/seq-8k.trace", "traces/workloads/seq-64k.trace",
                  "traces/workloads/real/*.trace"]
HURDS = ["stock", "mosaic", "direct"]  # the Hurd as it is, with the series, and its direct read
PATH = {"stock": "old", "mosaic": "libpager-fast", "direct": "direct"}
BOOT = {"stock": "boot", "mosaic": "boot-mosaic", "direct": "boot-mosaic"}
WHAT = {"stock": "the Hurd as it is", "mosaic": "the Hurd with the libpager series",
        "direct": "the Hurd with the series and glibc's direct read"}
MODES = ["icount", "plain"]
FAST_COPY = ["experimental_vm_copy_from_object", "experimental_vm_copy_to_object",
             "experimental_vm_copy_between_objects"]
SERVERS = ["ext2fs", "exec", "startup", "proc", "auth", "term"]
MIN_READS = 20
GOAL = 0.15
COLUMNS = ["trace", "chunk", "reads", "old_icount_us", "fast_icount_us", "old_plain_us",
           "fast_plain_us", "predicted_old_us", "predicted_direct_us", "guest_old_us",
           "guest_direct_us", "direct_icount_us", "direct_plain_us"]
# The smallest bucket whose every read glibc gives io_read_direct: reads of
# more than 8 KiB (two pages and more, so a whole page of the buffer inside
# at any alignment).
DIRECT_BUCKET = 14


def label(v):
    return f"{v >> 20}M" if v >= 1 << 20 else f"{v >> 10}K" if v >= 1024 else str(v)


def fmt(x, w=7, p=2):
    return f"{'-':>{w}}" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:>{w}.{p}f}"


def ratio(a, b):
    return a / b if a and b and not math.isnan(a) and not math.isnan(b) else math.nan


def table(rows, out=sys.stdout):
    """The table: per trace and chunk, us per read (icount), old/fast and
    old/direct measured and predicted, and the guest translator's."""
    print(f"{'trace':<18} {'chunk':>5} {'reads':>5} | {'old':>7} {'lp-fast':>7} {'direct':>7}"
          f" {'o/lp':>5} {'o/dir':>5} {'pl/lp':>5} {'pl/dir':>6} | {'p.old':>6} {'p.dir':>6} {'ratio':>5} |"
          f" {'g.old':>6} {'g.dir':>6} | {'Hurd/p':>6}", file=out)
    for r in rows:
        print(f"{r['trace'][:18]:<18} {label(r['chunk']):>5} {r['reads']:>5} |"
              f" {fmt(r['old_icount_us'], 7, 1)} {fmt(r['fast_icount_us'], 7, 1)}"
              f" {fmt(r['direct_icount_us'], 7, 1)}"
              f" {fmt(ratio(r['old_icount_us'], r['fast_icount_us']), 5)}"
              f" {fmt(ratio(r['old_icount_us'], r['direct_icount_us']), 5)}"
              f" {fmt(ratio(r['old_plain_us'], r['fast_plain_us']), 5)}"
              f" {fmt(ratio(r['old_plain_us'], r['direct_plain_us']), 6)} |"
              f" {fmt(r['predicted_old_us'], 6, 1)} {fmt(r['predicted_direct_us'], 6, 1)}"
              f" {fmt(ratio(r['predicted_old_us'], r['predicted_direct_us']), 5)} |"
              f" {fmt(r['guest_old_us'], 6, 1)} {fmt(r['guest_direct_us'], 6, 1)} |"
              f" {fmt(ratio(r['old_icount_us'], r['predicted_old_us']), 6)}", file=out)
    print("us per read under -icount (1 us = 1000 guest instructions); old: the Hurd as it is;"
          " lp-fast: the Hurd with\nthe libpager series; direct: the same with glibc's direct"
          " read (io_read_direct); o/lp, o/dir: old over\nlp-fast and over direct under icount;"
          " pl/lp, pl/dir: the same in plain emulation; p.old, p.dir:\nthe simulator's old and"
          " direct read (task form, warm) and their ratio; g.old, g.dir: the guest\ntranslator's"
          " (bench/kernel-replay.tsv, warm, fast-task); Hurd/p: the Hurd's old over the"
          " predicted old", file=out)


def fidelity(rows):
    counted = [r for r in rows if r["reads"] >= MIN_READS and r["predicted_old_us"]
               and not math.isnan(r["predicted_old_us"])]
    within = sum(1 for r in counted
                 if abs(r["predicted_old_us"] - r["old_icount_us"]) <= GOAL * r["old_icount_us"])
    f = sorted(r["old_icount_us"] / r["predicted_old_us"] for r in counted)
    lp = sorted(ratio(r["old_icount_us"], r["fast_icount_us"]) for r in counted)
    if not counted:
        return "fidelity: no row of at least 20 reads"
    med = f[len(f) // 2]
    line = (f"fidelity: {within} of {len(counted)} rows within 15% (the Hurd's old path"
            f" against the simulator's old path, which models the seed's translator, not"
            f" ext2fs: measured/predicted {f[0]:.2f}x to {f[-1]:.2f}x, median {med:.2f}x);")
    direct = [r for r in counted if not math.isnan(r["direct_icount_us"])
              and r["chunk"] >= 1 << DIRECT_BUCKET]
    if direct:
        md = [ratio(r["old_icount_us"], r["direct_icount_us"]) for r in direct]
        pdd = [ratio(r["predicted_old_us"], r["predicted_direct_us"]) for r in direct]
        near = sum(1 for m, p in zip(md, pdd) if abs(m - p) <= GOAL * p)
        line += (f" the direct read, on the {len(direct)} rows of reads over 8 KiB (those glibc"
                 f" gives io_read_direct): measured old/direct {min(md):.2f} to {max(md):.2f}"
                 f" against the predicted {min(pdd):.2f} to {max(pdd):.2f}, {near} within 15%;")
    else:
        line += " no row of reads over 8 KiB measured with the direct read;"
    return line + (f" the libpager change has no prediction (measured old/libpager-fast"
                   f" {lp[0]:.2f} to {lp[-1]:.2f})")


def read_tsv(path):
    """The rows of a kept TSV, by its header's column names (a column it
    lacks, as a TSV of before the direct read lacks direct_*, is NaN)."""
    rows, names = [], COLUMNS
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                continue
            v = line.rstrip("\n").split("\t")
            if v[0] == "trace":
                names = v
                continue
            r = dict(zip(names, v))
            r["chunk"], r["reads"] = int(r["chunk"]), int(r["reads"])
            for k in COLUMNS[3:]:
                r[k] = float(r.get(k, "nan"))
            rows.append(r)
    return rows


if len(sys.argv) == 3 and sys.argv[1] == "--table":
    rows = read_tsv(sys.argv[2])
    with open(sys.argv[2]) as f:
        for line in f:
            if line.split("\t")[0] in ("# date", "# gnumach", "# load", "# fast_copies"):
                print(line.rstrip("\n").replace("\t", " "))
    table(rows)
    print(fidelity(rows))
    sys.exit(0)

ap = argparse.ArgumentParser()
ap.add_argument("src")
ap.add_argument("build")
ap.add_argument("--out")
ap.add_argument("--work")
ap.add_argument("--timeout", type=int, default=3600)
ap.add_argument("traces", nargs="*")
args = ap.parse_intermixed_args()
src, build = os.path.abspath(args.src), os.path.abspath(args.build)
out_dir = os.path.abspath(args.out or os.path.join(build, "bench"))
traces = [os.path.abspath(t) for t in args.traces] or [
    p for t in DEFAULT_TRACES for p in sorted(glob.glob(os.path.join(src, t)))]
h = os.path.join(build, "hurd")
kernel = os.path.join(build, "gnumach-obj-i386", "gnumach")
mosaic = os.path.join(build, "sim", "mosaic")
gcc = os.path.join(h, "toolchain", "bin", "i686-gnu-gcc")
# The compiler whose C library's read uses io_read_direct (make hurd's
# glibc_direct step).
gcc_direct = os.path.join(h, "toolchain-direct", "bin", "i686-gnu-gcc")


def skip(why):
    print(f"hurd-replay: SKIP: {why}")
    sys.exit(77)


for tool in ["qemu-system-i386", "grub-mkrescue", "xorriso", "mke2fs"]:
    if shutil.which(tool) is None:
        skip(f"{tool} not found (Debian: qemu-system-x86, grub-common, xorriso, e2fsprogs)")
if not os.path.isdir("/usr/lib/grub/i386-pc"):
    skip("GRUB's i386-pc modules are missing (Debian: grub-pc-bin)")
for hurd in HURDS:
    for s in SERVERS + ["console-run"]:
        if not os.path.isfile(os.path.join(h, BOOT[hurd], s + ".static")):
            skip(f"no Hurd ({hurd}) built in {h} (make hurd GNUMACH_SRC=/path HURD_SRC=/path)")
for g in (gcc, gcc_direct):
    if not os.path.isfile(g):
        skip(f"no i686-gnu toolchain at {g} (make hurd)")
if not os.path.isfile(kernel):
    skip(f"no kernel with mosaic at {kernel} (make kernel ARCH=i386 GNUMACH_SRC=/path)")
if not os.path.isfile(mosaic):
    skip(f"no simulator at {mosaic} (make build)")
for t in traces:
    if not os.path.isfile(t):
        sys.exit(f"hurd-replay: no trace at {t}")


def name_of(trace):
    return os.path.basename(trace).removesuffix(".trace")


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"hurd-replay: {' '.join(cmd[:3])}... failed:\n{r.stdout[-2000:]}{r.stderr[-2000:]}")
    return r.stdout


# The programs: the replayer for the Hurd, the file writer for this machine.
rd = os.path.abspath(args.work or os.path.join(h, "replay"))
shutil.rmtree(rd, ignore_errors=True)
os.makedirs(rd)
flags = ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-I" + os.path.join(src, "traces"),
         "-I" + os.path.join(src, "core"), "-I" + os.path.join(src, "sim", "host")]
common = [os.path.join(src, "traces", "trace_parse.c"), os.path.join(src, "traces", "trace_content.c")]
for g, exe in ((gcc, "hurdreplay"), (gcc_direct, "hurdreplay-direct")):
    run([g, *flags, "-o", os.path.join(rd, exe),
         os.path.join(src, "tests", "hurd", "hurdreplay.c"), *common])
run(["cc", *flags, "-o", os.path.join(rd, "mkreplay"),
     os.path.join(src, "tests", "hurd", "mkreplay.c"), *common])
data = os.path.join(rd, "data")
os.makedirs(data)
print(run([os.path.join(rd, "mkreplay"), data, *traces]), end="", flush=True)
data_bytes = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(data) for f in fs)

# An image and a boot CD per Hurd.
images = {}
for hurd in HURDS:
    bd = os.path.join(h, BOOT[hurd])
    root = os.path.join(rd, "root-" + hurd)
    for d in ["hurd", "libexec", "servers", "dev", "tmp", "etc"]:
        os.makedirs(os.path.join(root, d))
    for s in SERVERS:
        shutil.copy(os.path.join(bd, s + ".static"), os.path.join(root, "hurd", s))
    shutil.copy(os.path.join(bd, "console-run.static"), os.path.join(root, "libexec", "console-run"))
    shutil.copy(os.path.join(rd, "hurdreplay-direct" if hurd == "direct" else "hurdreplay"),
                os.path.join(root, "libexec", "runsystem"))
    for n in ["exec", "startup"]:
        open(os.path.join(root, "servers", n), "w").close()
    os.chmod(os.path.join(root, "tmp"), 0o1777)
    run(["cp", "-al", data, os.path.join(root, "replay")])
    img = os.path.join(rd, f"hurd-{hurd}.img")
    size_mb = 64 + data_bytes * 12 // 10 // (1 << 20)
    run(["mke2fs", "-q", "-F", "-o", "hurd", "-t", "ext2", "-L", "mosaic-replay", "-d", root,
         img, f"{size_mb}M"])
    iso_tree = os.path.join(rd, "iso-" + hurd)
    os.makedirs(os.path.join(iso_tree, "boot", "grub"))
    shutil.copy(kernel, os.path.join(iso_tree, "boot", "gnumach"))
    for s in ["ext2fs", "exec"]:
        shutil.copy(os.path.join(bd, s + ".static"), os.path.join(iso_tree, "boot"))
    with open(os.path.join(iso_tree, "boot", "grub", "grub.cfg"), "w") as f:
        f.write("set timeout=0\n"
                "multiboot /boot/gnumach console=com0 root=device:hd0\n"
                "module /boot/ext2fs.static ext2fs '--multiboot-command-line=${kernel-command-line}'"
                " '--host-priv-port=${host-port}' '--device-master-port=${device-port}'"
                " '--exec-server-task=${exec-task}' -T typed '${root}' '$(task-create)'"
                " '$(task-resume)'\n"
                "module /boot/exec.static exec '$(exec-task=task-create)'\nboot\n")
    iso = os.path.join(rd, f"hurd-{hurd}.iso")
    run(["grub-mkrescue", "-o", iso, iso_tree])
    images[hurd] = (img, iso)
print(f"hurd-replay: images and boot CDs in {rd} ({data_bytes} bytes of traces' files)", flush=True)

# The counting plugin (icount boots): calls of the kernel's fast copies.
plugin = os.path.join(rd, "kprof_plugin.so")
run(["cc", "-O2", "-shared", "-fPIC", "-fvisibility=hidden", "-Wall", "-Werror", "-o", plugin,
     os.path.join(src, "bench", "kprof_plugin.c")])
syms = {}
for line in run(["nm", kernel]).splitlines():
    p = line.split()
    if len(p) == 3 and p[2] in FAST_COPY and p[1] in "Tt":
        syms[p[2]] = int(p[0], 16)
if len(syms) != len(FAST_COPY):
    sys.exit(f"hurd-replay: the kernel {kernel} lacks {set(FAST_COPY) - set(syms)}")

PANIC = re.compile(r"panic \({cpu|[^ ]*:[0-9]*: \)|Assertion `.*failed|^Kernel Breakpoint|^kdb:", re.M)


def boot(hurd, mode):
    """One boot: ({trace: {bucket: (reads, ticks)}}, fast-copy counts), or exits."""
    img, iso = images[hurd]
    tag = f"{hurd}-hurd-{mode}"
    disk = os.path.join(rd, tag + ".img")
    log = os.path.join(rd, tag + ".log")
    counts = os.path.join(rd, tag + ".tb")
    shutil.copy(img, disk)
    cmd = ["qemu-system-i386", "-machine", "pc", "-cpu", "core2duo-v1", "-m", "2048",
           "-display", "none", "-monitor", "none", "-serial", "file:" + log, "-no-reboot",
           "-boot", "d", "-cdrom", iso, "-drive", f"file={disk},format=raw,if=ide,index=0"]
    if mode == "icount":
        cmd += ["-icount", "shift=0,sleep=off", "-plugin", f"{plugin},out={counts}"]
    open(log, "w").close()
    start = time.time()
    q = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=open(os.path.join(rd, tag + ".qemu.log"), "w"))
    why = f"timeout after {args.timeout} s"
    while q.poll() is None:
        text = open(log, errors="replace").read()
        if re.search(r"^mosaic-hurd: (PASS|FAIL)", text, re.M) or PANIC.search(text):
            why = ""
            try:
                q.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            break
        if time.time() - start > args.timeout:
            break
        time.sleep(1)
    if q.poll() is None:
        q.kill()
        q.wait()
    elif why:
        why = "QEMU ended without a marker"
    text = open(log, errors="replace").read().replace("\r", "")
    took = time.time() - start
    if not re.search(r"^mosaic-hurd: PASS hurdreplay$", text, re.M):
        fail = re.search(r"^mosaic-hurd: FAIL .*$", text, re.M)
        print(text[-3000:])
        sys.exit(f"hurd-replay: {tag}: FAILED ({fail.group(0) if fail else 'kernel panic' if PANIC.search(text) else why}); log {log}")
    res, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"mosaic-hurd-replay: (begin|end) (\S+)$", line)
        if m:
            cur = m.group(2) if m.group(1) == "begin" else None
            if cur:
                res[cur] = {}
        elif cur is not None:
            b, n, t = line.split("\t")
            res[cur][int(b)] = (int(n), int(t))
    calls = None
    if mode == "icount":
        calls = {s: 0 for s in FAST_COPY}
        for line in open(counts):
            if line.startswith("#"):
                continue
            p = line.split()
            a = int(p[0], 16)
            for s, sa in syms.items():
                if a == sa:
                    calls[s] += int(p[2])
    checked = re.findall(r"^hurdreplay: (\S+): (\d+) reads \(.*\), (\d+) bytes checked: ok$",
                         text, re.M)
    print(f"hurd-replay: {tag}: passed, QEMU {took:.0f} s; " +
          ", ".join(f"{t} {n} reads {b} bytes checked" for t, n, b in checked) +
          (f"; the kernel's vm_copy_from_object ran {calls[FAST_COPY[0]]} times,"
           f" vm_copy_between_objects {calls[FAST_COPY[2]]}" if calls else ""),
          flush=True)
    return res, calls, checked


mhz = host_mhz()
load = open("/proc/loadavg").read().split()[:3]
measured, calls = {}, {}
step = 0
for hurd in HURDS:
    for mode in MODES:
        step += 1
        print(f"hurd-replay: [{step}/{len(HURDS) * len(MODES)}] {WHAT[hurd]} ({PATH[hurd]}), {mode}",
              flush=True)
        res, c, _ = boot(hurd, mode)
        measured[(hurd, mode)] = res
        if c is not None:
            calls[hurd] = c

# Each Hurd took its path: the Hurd as it is made no fast copy, the Hurd of
# the series at least two per read of 16 KiB or less (the warming read and
# the timed one; a longer read may be one pager_memcpy moves with vm_copy,
# eight pages from a page boundary, with the series too).
total_reads = sum(n for b in measured[("stock", "icount")].values() for n, _ in b.values())
small_reads = sum(n for b in measured[("stock", "icount")].values()
                  for k, (n, _) in b.items() if k <= 14)
bad = []
if calls["stock"][FAST_COPY[0]] != 0:
    bad.append(f"the Hurd as it is made {calls['stock'][FAST_COPY[0]]} fast copies")
if calls["mosaic"][FAST_COPY[0]] < max(1, 2 * small_reads):
    bad.append(f"the Hurd of the series made {calls['mosaic'][FAST_COPY[0]]} fast copies for"
               f" {small_reads} timed reads of 16 KiB or less")
# The direct read: a copy between objects for each read glibc gives
# io_read_direct, timed and warming; none without that glibc.
direct_reads = sum(n for b in measured[("stock", "icount")].values()
                   for k, (n, _) in b.items() if k >= DIRECT_BUCKET)
for hurd in ("stock", "mosaic"):
    if calls[hurd][FAST_COPY[2]] != 0:
        bad.append(f"{WHAT[hurd]} made {calls[hurd][FAST_COPY[2]]} copies between objects")
if calls["direct"][FAST_COPY[2]] < max(1, 2 * direct_reads):
    bad.append(f"the direct read made {calls['direct'][FAST_COPY[2]]} copies between objects for"
               f" {direct_reads} timed reads over 8 KiB")


def predict(trace):
    r = subprocess.run([mosaic, "replay", "--csv", "--cache", "warm", "--fast-form", "task",
                        trace], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"hurd-replay: mosaic replay failed on {trace}:\n{r.stderr}")
    lines = [l for l in r.stdout.splitlines() if not l.startswith("#")]
    head = lines[0].split(",")
    pred = {}
    for l in lines[1:]:
        row = dict(zip(head, l.split(",")))
        pred[int(row["chunk"]).bit_length() - 1] = (float(row["old_us"]), float(row["fast_us"]))
    return pred


guest, guest_meta = {}, "?"
kr = os.path.join(src, "bench", "kernel-replay.tsv")
if os.path.isfile(kr):
    for line in open(kr):
        if line.startswith("# gnumach"):
            guest_meta = line.split("\t", 1)[1].strip()
        if line.startswith("#") or line.startswith("trace\t"):
            continue
        t, cache, chunk, path, n, ic, pl, pr = line.rstrip("\n").split("\t")
        if cache == "warm":
            guest[(t, int(chunk).bit_length() - 1, path)] = float(ic)

rows = []
for trace in traces:
    t = name_of(trace)
    pred = predict(trace)
    for b in sorted(measured[("stock", "icount")].get(t, {})):
        n = measured[("stock", "icount")][t][b][0]
        us = {}
        for hurd in HURDS:
            for mode in MODES:
                nn, ticks = measured[(hurd, mode)][t][b]
                if nn != n:
                    sys.exit(f"hurd-replay: {t}: bucket {b}: {nn} reads in one boot, {n} in another")
                us[(hurd, mode)] = ticks / n / (1000.0 if mode == "icount" else mhz)
        p = pred.get(b, (math.nan, math.nan))
        rows.append({"trace": t, "chunk": 1 << b, "reads": n,
                     "old_icount_us": us[("stock", "icount")],
                     "fast_icount_us": us[("mosaic", "icount")],
                     "old_plain_us": us[("stock", "plain")],
                     "fast_plain_us": us[("mosaic", "plain")],
                     "predicted_old_us": p[0], "predicted_direct_us": p[1],
                     "guest_old_us": guest.get((t, b, "old"), math.nan),
                     "guest_direct_us": guest.get((t, b, "fast-task"), math.nan),
                     "direct_icount_us": us[("direct", "icount")],
                     "direct_plain_us": us[("direct", "plain")]})

mosaic_rev = mosaic_revision(src)
gnumach = kernel_source(os.path.join(build, "gnumach-obj-i386"))
qemu = describe(["qemu-system-i386", "--version"])
os.makedirs(out_dir, exist_ok=True)
tsv = os.path.join(out_dir, "hurd_replay.tsv")
with open(tsv, "w") as f:
    f.write("# hurd-replay: traces replayed by a Hurd process through glibc and ext2fs"
            " (tests/hurd/hurdreplay.c), warm cache, us per read\n")
    f.write(f"# mosaic\t{mosaic_rev}\n# gnumach\t{gnumach}\n# qemu\t{qemu}\n")
    f.write("# hurd\tb8bcd4eb as it is (old), with mach-port/hurd/series (fast), and with its"
            " glibc's direct read, mach-port/hurd/glibc (direct)\n")
    f.write(f"# date\t{datetime.datetime.utcnow().isoformat(timespec='seconds')}Z\n")
    f.write(f"# load\t{' '.join(load)} (load average when the runs began; plain figures are host time)\n")
    f.write(f"# fast_copies\tvm_copy_from_object calls (icount boots): {calls['stock'][FAST_COPY[0]]}"
            f" with the Hurd as it is, {calls['mosaic'][FAST_COPY[0]]} with the series,"
            f" for {total_reads} timed reads and as many warming reads; vm_copy_between_objects"
            f" calls {calls['direct'][FAST_COPY[2]]} with the direct read, for {direct_reads}"
            f" timed reads over 8 KiB\n")
    f.write("# icount_us\tTSC ticks / 1000 under -icount shift=0,sleep=off (instructions)\n")
    f.write(f"# plain_us\tTSC ticks / {mhz:.3f} (the host's TSC MHz) in plain emulation\n")
    f.write("# predicted\tmosaic replay --csv --cache warm --fast-form task (old_us, fast_us:"
            " the seed's translator and its direct read), calibration bench/calibration.tsv\n")
    f.write(f"# guest\tbench/kernel-replay.tsv, warm, old and fast-task icount_us ({guest_meta})\n")
    f.write("\t".join(COLUMNS) + "\n")
    for r in rows:
        f.write("\t".join(str(r[c]) if c in ("trace", "chunk", "reads") else f"{r[c]:.3f}"
                          for c in COLUMNS) + "\n")

print()
table(rows)
print(f"data: {tsv}")
print(f"plain figures: host time, load average {' '.join(load)} when the runs began")
print(f"fast copies: the kernel's vm_copy_from_object ran {calls['stock'][FAST_COPY[0]]} times with"
      f" the Hurd as it is, {calls['mosaic'][FAST_COPY[0]]} with the series ({total_reads} timed"
      f" reads, each warmed by one untimed read); vm_copy_between_objects"
      f" {calls['direct'][FAST_COPY[2]]} times with the direct read ({direct_reads} timed reads"
      f" over 8 KiB)")
print(fidelity(rows))
for b in bad:
    print(f"hurd-replay: FAILED: {b}")
sys.exit(1 if bad else 0)

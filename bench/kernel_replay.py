#!/usr/bin/env python3
"""The main job on the real kernel: each trace replayed by the translator of
sim/replay/TRANSLATOR.md running on GNU Mach with mosaic (tests/kernel/guest/replay.c),
by the old path and both fast forms, under QEMU -icount and in plain
emulation, beside the simulator's prediction for the same trace and options.

Usage: kernel_replay.py SOURCE_ROOT BUILD_ROOT [--cache warm|cold|both]
                        [--out DIR] [TRACE...]
       kernel_replay.py --ratios REPLAY_TSV > CSV

--ratios turns a replay.tsv (bench/kernel-replay.tsv is the kept copy) into
the CSV plots/ read: per trace, cache, chunk and fast form, the old/fast
ratio measured under icount, measured plain, and predicted.

Default traces: the seed's workloads (traces/workloads/seq-*.trace) and the
real programs' traces (traces/workloads/real/*.trace).  Writes DIR/replay.tsv
(default BUILD_ROOT/kernel-replay): a metadata header, then one row per
trace, cache, chunk-size bucket and path with the reads, the measured
microseconds per read under icount and plain, and the predicted ones.  Prints
per trace, cache and bucket the measured old/fast (icount, plain) and the
predicted old/fast with their difference, then `fidelity: N of M rows within
15%' over the rows of at least 20 reads (a row: one bucket, one fast form).

Under -icount shift=0 the guest's TSC counts instructions, one per virtual
nanosecond, so ticks / 1000 are the microseconds the calibration is in.  In
plain emulation the TSC is the host's: ticks / host MHz are host
microseconds.  Exit 0 when every trace ran and every byte was right (the
fidelity goal is reported, not enforced), 1 when a replay failed or a trace
was refused, 77 when there is no kernel with mosaic or no QEMU.
"""
import argparse
import datetime
import glob
import math
import os
import re
import subprocess
import sys

from kernel_guest import describe, host_mhz, kernel_source, mosaic_revision

PATHS = ["old", "fast-proxy", "fast-task"]
FORM = {"fast-proxy": "proxy", "fast-task": "task"}
MIN_READS = 20
GOAL = 0.15

def ratios(tsv):
    rows = {}
    with open(tsv) as f:
        for line in f:
            if line.startswith("#") or line.startswith("trace\t"):
                continue
            t, cache, chunk, path, reads, ic, pl, pr = line.rstrip("\n").split("\t")
            rows[(t, cache, int(chunk), path)] = (int(reads), float(ic), float(pl), float(pr))
    print("# old/fast per read from " + os.path.basename(tsv) +
          " (bench/kernel_replay.py --ratios)")
    print("trace,cache,chunk,form,reads,icount,plain,predicted")
    for (t, cache, chunk, path), (n, ic, pl, pr) in rows.items():
        old = rows.get((t, cache, chunk, "old"))
        if path == "old" or old is None:
            continue
        print(f"{t},{cache},{chunk},{FORM[path]},{n},{old[1] / ic:.4f},{old[2] / pl:.4f},"
              f"{old[3] / pr:.4f}")


if len(sys.argv) == 3 and sys.argv[1] == "--ratios":
    ratios(sys.argv[2])
    sys.exit(0)

ap = argparse.ArgumentParser()
ap.add_argument("src")
ap.add_argument("build")
ap.add_argument("--cache", default="both", choices=["warm", "cold", "both"])
ap.add_argument("--out")
ap.add_argument("traces", nargs="*")
args = ap.parse_intermixed_args()
src, build = os.path.abspath(args.src), os.path.abspath(args.build)
out_dir = os.path.abspath(args.out or os.path.join(build, "kernel-replay"))
os.makedirs(out_dir, exist_ok=True)
caches = ["warm", "cold"] if args.cache == "both" else [args.cache]
traces = [os.path.abspath(t) for t in args.traces] or (
    sorted(glob.glob(os.path.join(src, "traces/workloads/seq-*.trace")),
           key=lambda p: int(re.search(r"seq-(\d+)k", p).group(1))) +
    sorted(glob.glob(os.path.join(src, "traces/workloads/real/*.trace"))))
kernel = os.path.join(build, "gnumach-obj", "gnumach")
mosaic = os.path.join(build, "sim", "mosaic")
if not os.path.isfile(kernel):
    print(f"kernel-replay: SKIP: no kernel with mosaic built in at {kernel}"
          " (make kernel GNUMACH_SRC=/path/to/gnumach)")
    sys.exit(77)
for t in traces:
    if not os.path.isfile(t):
        sys.exit(f"kernel-replay: no trace at {t}")


def name_of(trace):
    return os.path.basename(trace).removesuffix(".trace")


REPLAY_SOURCES = ["tests/kernel/guest/replay.c", "tests/kernel/guest/filepager.c",
                  "traces/trace_parse.c", "traces/trace_content.c",
                  "tests/kernel/guest/ktrans.defs", "tests/kernel/guest/kclient.defs"]


def guest_name(trace, cache):
    return "replay-" + re.sub(r"[^A-Za-z0-9_.-]", "_", name_of(trace)) + "-" + cache


def boot(trace, cache, icount):
    """One boot: returns {(bucket, path): (reads, ticks)}, or a reason."""
    name = guest_name(trace, cache)
    env = dict(os.environ, MOSAIC_GUEST_TIMEOUT="3600",
               MOSAIC_QEMU_ICOUNT="1" if icount else "0",
               MOSAIC_GUEST_DEFINES="-DREPLAY_COLD=1" if cache == "cold" else "")
    r = subprocess.run(["sh", os.path.join(src, "tests", "kernel", "kernel-test.sh"), "--kernel",
                        "mosaic", build, src, name, *REPLAY_SOURCES, trace],
                       env=env, capture_output=True, text=True)
    log = os.path.join(build, "guest", "runs", name + ".log")
    text = open(log, errors="replace").read() if os.path.isfile(log) else ""
    refused = re.search(r"^mosaic-replay: REFUSED (.*)$", text, re.M)
    if refused:
        return None, "refused: " + refused.group(1)
    if r.returncode == 77:
        print(r.stdout[-1500:])
        sys.exit(77)
    if r.returncode != 0:
        fail = re.search(r"^mosaic-guest: FAIL .*$", text, re.M)
        return None, (fail.group(0) if fail else
                      "the guest did not finish (see " + log + ")\n" + r.stdout[-3000:])
    rows, inside = {}, False
    for line in text.splitlines():
        if line == "mosaic-replay: begin":
            inside = True
        elif line == "mosaic-replay: end":
            inside = False
        elif inside:
            b, path, n, ticks = line.split("\t")
            rows[(int(b), path)] = (int(n), int(ticks))
    return rows, None


def predict(trace, cache):
    """The simulator's us per read: {(bucket, path): us}."""
    pred = {}
    for path in ["fast-proxy", "fast-task"]:
        r = subprocess.run([mosaic, "replay", "--csv", "--cache", cache, "--fast-form",
                            FORM[path], trace], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"kernel-replay: mosaic replay failed on {trace}:\n{r.stderr}")
        lines = [l for l in r.stdout.splitlines() if not l.startswith("#")]
        head = lines[0].split(",")
        for l in lines[1:]:
            row = dict(zip(head, l.split(",")))
            b = int(row["chunk"]).bit_length() - 1
            pred[(b, "old")] = float(row["old_us"])
            pred[(b, path)] = float(row["fast_us"])
    return pred


def label(b):
    v = 1 << b
    return f"{v >> 20}M" if v >= 1 << 20 else f"{v >> 10}K" if v >= 1024 else str(v)


mhz = host_mhz()
results, failures = [], []
total = len(traces) * len(caches) * 2
step = 0
for trace in traces:
    for cache in caches:
        measured = {}
        for icount in (True, False):
            step += 1
            mode = "icount" if icount else "plain"
            print(f"kernel-replay: [{step}/{total}] {name_of(trace)}, {cache} cache, {mode}",
                  flush=True)
            rows, why = boot(trace, cache, icount)
            if rows is None:
                print(f"kernel-replay: {name_of(trace)} ({cache}): {why}", flush=True)
                failures.append((trace, cache, why))
                break
            measured[mode] = rows
        if len(measured) < 2:
            continue
        pred = predict(trace, cache)
        for (b, path), (n, ticks) in sorted(measured["icount"].items()):
            plain = measured["plain"].get((b, path))
            results.append({
                "trace": name_of(trace), "cache": cache, "bucket": b, "path": path, "reads": n,
                "icount_us": ticks / n / 1000.0,
                "plain_us": plain[1] / plain[0] / mhz if plain else math.nan,
                "predicted_us": pred.get((b, path), math.nan)})

# The table file.
mosaic_rev = mosaic_revision(src)
gnumach = kernel_source(os.path.join(build, "gnumach-obj"))
tsv = os.path.join(out_dir, "replay.tsv")
with open(tsv, "w") as f:
    f.write("# kernel-replay: a translator on GNU Mach with mosaic, reads served to client tasks"
            " (us per read)\n")
    f.write(f"# mosaic\t{mosaic_rev}\n# gnumach\t{gnumach}\n# qemu\t{describe(['qemu-system-x86_64', '--version'])}\n")
    f.write(f"# date\t{datetime.datetime.utcnow().isoformat(timespec='seconds')}Z\n")
    f.write("# icount_us\tTSC ticks / 1000 under -icount shift=0,sleep=off (instructions)\n")
    f.write(f"# plain_us\tTSC ticks / {mhz:.3f} (the host's TSC MHz) in plain emulation\n")
    f.write("# predicted_us\tmosaic replay --csv --cache CACHE --fast-form FORM, calibration"
            " bench/calibration.tsv\n")
    f.write("trace\tcache\tchunk\tpath\treads\ticount_us\tplain_us\tpredicted_us\n")
    for r in results:
        f.write(f"{r['trace']}\t{r['cache']}\t{1 << r['bucket']}\t{r['path']}\t{r['reads']}"
                f"\t{r['icount_us']:.3f}\t{r['plain_us']:.3f}\t{r['predicted_us']:.3f}\n")

# The table on the terminal, and the fidelity line.
by = {(r["trace"], r["cache"], r["bucket"], r["path"]): r for r in results}
within = rows_counted = 0
print(f"\n{'trace':<22} {'cache':<5} {'chunk':>5} {'reads':>6} {'form':<5}"
      f" {'icount':>7} {'plain':>7} {'pred':>7} {'diff':>7}")
for key in sorted({(r["trace"], r["cache"], r["bucket"]) for r in results},
                  key=lambda k: (traces.index(next(t for t in traces if name_of(t) == k[0])),
                                 k[1], k[2])):
    old = by.get(key + ("old",))
    for path in ["fast-proxy", "fast-task"]:
        fast = by.get(key + (path,))
        if old is None or fast is None:
            continue
        mi = old["icount_us"] / fast["icount_us"]
        mp = old["plain_us"] / fast["plain_us"]
        pr = old["predicted_us"] / fast["predicted_us"]
        diff = (pr - mi) / mi
        mark = ""
        if fast["reads"] >= MIN_READS:
            rows_counted += 1
            if abs(diff) <= GOAL:
                within += 1
            else:
                mark = " *"
        print(f"{key[0]:<22} {key[1]:<5} {label(key[2]):>5} {fast['reads']:>6} {FORM[path]:<5}"
              f" {mi:>7.2f} {mp:>7.2f} {pr:>7.2f} {100 * diff:>+6.0f}%{mark}")
print("\nold/fast per read: measured under icount, measured plain, predicted; diff: predicted"
      " against icount; * outside 15% (rows of at least 20 reads)")
print(f"data: {tsv}")
for trace, cache, why in failures:
    print(f"kernel-replay: FAILED {name_of(trace)} ({cache}): {why}")
print(f"fidelity: {within} of {rows_counted} rows within 15%")
sys.exit(1 if failures else 0)

#!/usr/bin/env python3
"""replay_kernel_table_check.py MOSAIC TRACE KERNEL_TSV: `mosaic replay
--kernel-csv FILE TRACE' prints, after its tables, the kernel's measured
old/fast (FILE: bench/kernel_replay.py --ratios of KERNEL_TSV) beside this
replay's predicted old/fast, per trace and chunk size: the measured numbers
are the file's, the predicted ones the replay's own (its --csv).  The
default tables hold no host time; --sim-speed adds it, named as the
simulator's own speed.  A file that is not the kernel's ratios is refused
before anything is replayed."""
import csv
import os
import subprocess
import sys
import tempfile

mosaic, trace, tsv = sys.argv[1], sys.argv[2], sys.argv[3]
here = os.path.dirname(os.path.abspath(__file__))
bench = os.path.join(here, "..", "bench", "kernel_replay.py")
name = os.path.basename(trace).rsplit(".", 1)[0]


def fail(msg):
    sys.exit("FAIL: " + msg)


def run(*args):
    r = subprocess.run([mosaic, "replay", *args], capture_output=True, text=True)
    print(f"$ mosaic replay {' '.join(args)}: exit {r.returncode}")
    return r


with tempfile.TemporaryDirectory() as d:
    kcsv = os.path.join(d, "kernel.csv")
    with open(kcsv, "w") as f:
        subprocess.run([sys.executable, bench, "--ratios", tsv], stdout=f, check=True)
    kernel = [row for row in csv.DictReader(l for l in open(kcsv) if not l.startswith("#"))
              if row["trace"] == name and row["cache"] == "warm" and row["form"] == "proxy"]
    if not kernel:
        fail(f"{tsv} has no warm proxy row for {name}")

    pred = {}
    r = run("--csv", trace)
    for row in csv.DictReader(l for l in r.stdout.splitlines() if not l.startswith("#")):
        pred[row["chunk"]] = float(row["old_us"]) / float(row["fast_us"])

    r = run("--kernel-csv", kcsv, trace)
    print(r.stdout[-1500:])
    if r.returncode != 0:
        fail(f"exit {r.returncode}: {r.stderr}")
    lines = r.stdout.splitlines()
    head = [i for i, l in enumerate(lines) if l.startswith("the kernel's measurements (")]
    if len(head) != 1 or "warm cache, proxy form" not in lines[head[0]]:
        fail("no heading of the kernel's measurements")
    if lines[head[0] + 1].split() != ["trace", "chunk", "reads", "icount", "plain", "predicted",
                                      "diff"]:
        fail("not the kernel table's columns: " + lines[head[0] + 1])
    rows = []
    for l in lines[head[0] + 2:]:
        if not l.strip():
            break
        rows.append(l.split())
    if len(rows) != len(kernel):
        fail(f"{len(rows)} rows, the file has {len(kernel)} for {name}")
    for got, want in zip(rows, kernel):
        chunk = int(want["chunk"])
        label = f"{chunk >> 20}M" if chunk >= 1 << 20 else f"{chunk >> 10}K" if chunk >= 1024 \
            else str(chunk)
        p = pred[want["chunk"]]
        expect = [name, label, want["reads"], f"{float(want['icount']):.2f}",
                  f"{float(want['plain']):.2f}", f"{p:.2f}",
                  f"{100 * (p - float(want['icount'])) / float(want['icount']):+.0f}%"]
        if got != expect:
            fail(f"row {got}, expected {expect}")
    table = "\n".join(lines[:head[0]])
    for word in ("wall", "sim old", "host microseconds", "simulating"):
        if word in table:
            fail(f"the default tables say {word!r}")

    r = run("--sim-speed", trace)
    if r.returncode != 0 or "sim old   sim fast" not in r.stdout or \
            "the simulator's own speed" not in r.stdout:
        fail("--sim-speed does not show the simulator's speed, so named")

    # Not the kernel's ratios (the TSV they come from): refused, nothing run.
    r = run("--kernel-csv", tsv, trace)
    if r.returncode != 1 or "not the kernel's ratios" not in r.stderr or r.stdout:
        fail(f"a file that is not the ratios: exit {r.returncode}, stderr {r.stderr!r}")
print(f"ok: {len(kernel)} rows of the kernel's measurements beside the prediction")

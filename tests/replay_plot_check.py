#!/usr/bin/env python3
"""replay_plot_check.py MOSAIC TRACE: `mosaic replay --plot DIR TRACE' writes
DIR/replay.csv and the three figures, each a PNG and an SVG that are what
their names say, and prints where they are; a second run over the same DIR
replaces them."""
import os
import subprocess
import sys
import tempfile

mosaic, trace = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "figures")
    for run in (1, 2):
        r = subprocess.run([mosaic, "replay", "--path", "both", "--plot", out, trace],
                           capture_output=True, text=True)
        print(f"run {run}: exit {r.returncode}; stderr: {r.stderr.strip()}")
        if r.returncode != 0:
            sys.exit("FAIL: mosaic replay --plot failed")
        if f"figures in {out}:" not in r.stderr:
            sys.exit("FAIL: it does not say where the figures are")
    with open(os.path.join(out, "replay.csv")) as f:
        if not f.readline().startswith("# mosaic replay, format 3"):
            sys.exit("FAIL: replay.csv is not a replay CSV")
    for name in ("speedup", "breakdown", "traces"):
        with open(os.path.join(out, name + ".png"), "rb") as f:
            if f.read(8) != b"\x89PNG\r\n\x1a\n":
                sys.exit(f"FAIL: {name}.png is not a PNG")
        with open(os.path.join(out, name + ".svg")) as f:
            if "<svg" not in f.read(4096):
                sys.exit(f"FAIL: {name}.svg is not an SVG")
    print("ok: replay.csv and six figures")

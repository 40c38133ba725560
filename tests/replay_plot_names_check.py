#!/usr/bin/env python3
"""replay_plot_names_check.py MOSAIC TRACE KERNEL_TSV: `mosaic replay --plot
DIR --kernel-csv FILE' with DIR and FILE named as people and attackers name
things (a quote of either kind, a gnuplot command in quotes, backslashes, a
newline, gnuplot's special file names: '|command', '<command', '-', '+',
'$datablock', '~').  Every run must make the same figures, byte for byte, as
a run with plain names, and nothing a name says may run: gnuplot is given
no path of the user's as code.  Before, `Bob's figures' failed, and a
directory named x'; system("touch PWNED"); y=' ran the command."""
import os
import subprocess
import sys
import tempfile

mosaic, trace, kernel_tsv = (os.path.abspath(a) for a in sys.argv[1:4])
here = os.path.dirname(os.path.abspath(__file__))
bench = os.path.join(here, "..", "bench", "kernel_replay.py")
FIGURES = [f"{n}.{e}" for n in ("speedup", "breakdown", "traces") for e in ("png", "svg")]

# (DIR, kernel CSV) pairs, relative to the run's directory.
CASES = [
    ("Bob's figures", "Bob's kernel.csv"),
    ("x'; system(\"touch PWNED1\"); y='", "x\"; system('touch PWNED2'); y=\""),
    ("x\"; system('touch PWNED3'); y=\"", "x'; system(\"touch PWNED4\"); y='"),
    ("back\\slash\\'; system(\"touch PWNED5\"); '\\", "new\nline'; system(\"touch PWNED6\"); '\n"),
    ("new\nline\"; system('touch PWNED7'); \"", "back\\\\'\\\"; system(\"touch PWNED8\"); #"),
    ("|touch PWNED9", "<touch PWNED10"),
    ("$seed2005", "-"),
    ("~", "+"),
    ("@x; system(\"touch PWNED11\")", "`touch PWNED12`"),
]


def replay(cwd, plot_dir, kernel_csv):
    r = subprocess.run([mosaic, "replay", "--path", "both", "--plot", plot_dir,
                        "--kernel-csv", kernel_csv, trace],
                       cwd=cwd, capture_output=True, text=True)
    print(f"--plot {plot_dir!r} --kernel-csv {kernel_csv!r}: exit {r.returncode}; "
          f"stderr: {r.stderr.strip()[-600:]!r}")
    return r


def figures(d):
    out = {}
    for name in FIGURES:
        with open(os.path.join(d, name), "rb") as f:
            out[name] = f.read()
    return out


bad = 0
with tempfile.TemporaryDirectory() as top:
    kcsv = subprocess.run([sys.executable, bench, "--ratios", kernel_tsv],
                          capture_output=True, check=True).stdout
    # The reference: plain names.
    ref_dir = os.path.join(top, "reference")
    os.mkdir(ref_dir)
    with open(os.path.join(ref_dir, "kernel.csv"), "wb") as f:
        f.write(kcsv)
    if replay(ref_dir, "figures", "kernel.csv").returncode != 0:
        sys.exit("FAIL: the run with plain names failed")
    want = figures(os.path.join(ref_dir, "figures"))
    for i, (plot_dir, kernel_csv) in enumerate(CASES):
        cwd = os.path.join(top, f"case{i}")
        os.mkdir(cwd)
        with open(os.path.join(cwd, kernel_csv), "wb") as f:
            f.write(kcsv)
        r = replay(cwd, plot_dir, kernel_csv)
        if r.returncode != 0:
            print(f"FAIL: case {i}: exit {r.returncode}")
            bad += 1
            continue
        if f"figures in {plot_dir}:" not in r.stderr:
            print(f"FAIL: case {i}: it does not say where the figures are")
            bad += 1
        got_entries = sorted(os.listdir(os.path.join(cwd, plot_dir)))
        if got_entries != sorted(FIGURES + ["replay.csv"]):
            print(f"FAIL: case {i}: the figure directory holds {got_entries}")
            bad += 1
            continue
        got = figures(os.path.join(cwd, plot_dir))
        for name in FIGURES:
            if got[name] != want[name]:
                print(f"FAIL: case {i}: {name} differs from the plain names' "
                      "(the kernel's CSV not read as given?)")
                bad += 1
        if sorted(os.listdir(cwd)) != sorted({plot_dir, kernel_csv}):
            print(f"FAIL: case {i}: the run's directory holds {sorted(os.listdir(cwd))}")
            bad += 1
    # Nothing a name said ran, anywhere.
    for root, dirs, files in os.walk(top):
        for n in dirs + files:
            if n.startswith("PWNED"):
                print(f"FAIL: {os.path.join(root, n)!r} exists: a name ran as a command")
                bad += 1
    if os.path.exists("PWNED") or any(n.startswith("PWNED") for n in os.listdir(".")):
        print("FAIL: a PWNED file in the test's own directory")
        bad += 1
if bad:
    sys.exit(f"FAIL: {bad} problem(s)")
print(f"ok: {len(CASES)} hostile name pairs, figures identical to plain names', nothing ran")

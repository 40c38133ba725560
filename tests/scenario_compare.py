#!/usr/bin/env python3
"""Holds the simulator to the real kernel, scenario by scenario.

  scenario_compare.py sim MOSAIC SCENARIO_DIR
      runs every traces/scenarios/*.scn in the simulator (`mosaic scenario`).
      A scenario without the defect-stock tag must meet every expectation,
      which are the real kernel's.  A file of defect-stock scenarios
      (expectations: stock GNU Mach's defective behaviour) must instead print
      exactly the lines of its golden file NAME.sim: the correct results,
      which differ from the stock expectations at the defect lines.  Any
      change, in either direction, fails.

  scenario_compare.py kernel MOSAIC SCENARIO_DIR RUNS_DIR
      compares the result lines the kernels printed (the serial logs the
      kernel suite leaves in RUNS_DIR) with the simulator's, line by line.
      Stock GNU Mach (kernel-scn-NAME.log): every line must be identical,
      except in defect-stock scenarios, where the kernel's lines must all be
      `ok' (the defect is still there) and the simulator's are held to the
      golden file by the `sim' mode.  The kernel with mosaic
      (kernel-mosaic-scn-NAME.log): every line must be identical, defect-stock
      scenarios included (their lines are then the golden file's: the
      defects are gone).  Exits 77 (skipped) when no kernel log exists, or
      when MOSAIC_ARCH names another architecture than x86_64.

  scenario_compare.py log MOSAIC LOG SCN...
      one kernel log against the simulator's lines for the same .scn files,
      every line identical (kernel-test.sh --compare runs this).

MOSAIC is the simulator: the path of `mosaic' (or of `mosaic-addr32', the
simulator at 32 bits), then options of its scenario subcommand, one shell
word each (kernel-test.sh gives "PATH --task-bits 32" for 32-bit tasks on
an x86_64 kernel).
"""
import glob
import os
import shlex
import subprocess
import sys


def scenario_cmd(mosaic):
    """`MOSAIC scenario [options]': the options follow the subcommand."""
    words = shlex.split(mosaic)
    return words[:1] + ["scenario"] + words[1:]


def sim_lines(mosaic, scn):
    r = subprocess.run(scenario_cmd(mosaic) + [scn], capture_output=True, text=True)
    lines = [l for l in r.stdout.splitlines() if l.startswith("scn ")]
    return r.returncode, lines


def defect_scenarios(scn):
    names = set()
    with open(scn) as f:
        for line in f:
            w = line.split("#")[0].split()
            if len(w) >= 2 and w[0] == "scenario" and "defect-stock" in w[2:]:
                names.add(w[1])
    return names


def mode_sim(mosaic, sdir):
    bad = 0
    for scn in sorted(glob.glob(os.path.join(sdir, "*.scn"))):
        rc, lines = sim_lines(mosaic, scn)
        golden = scn[:-4] + ".sim"
        if defect_scenarios(scn):
            with open(golden) as f:
                want = [l.rstrip("\n") for l in f if l.startswith("scn ")]
            if lines != want:
                bad += 1
                print(f"FAIL {scn}: the simulator's lines differ from {golden}:")
                for a, b in zip(want + [""] * len(lines), lines + [""] * len(want)):
                    if a != b:
                        print(f"  want: {a}\n  got:  {b}")
                        break
            else:
                print(f"ok   {scn}: {len(lines)} lines equal {os.path.basename(golden)}")
        elif rc != 0:
            bad += 1
            print(f"FAIL {scn}: expectations not met in the simulator:")
            for l in lines:
                if not l.endswith(" ok") and " end " not in l:
                    print("  " + l)
        else:
            print(f"ok   {scn}: {len(lines)} lines, every expectation met")
    print(f"scenarios (simulator): {'FAILED' if bad else 'passed'}")
    return 1 if bad else 0


def kernel_lines(log):
    with open(log, errors="replace") as f:
        return [l.rstrip("\r\n") for l in f if l.startswith("scn ")]


def compare_all(name, klines, slines):
    """Every kernel line equal to the simulator's; returns the differences."""
    if len(klines) != len(slines):
        print(f"FAIL {name}: kernel printed {len(klines)} result lines, simulator {len(slines)}")
        for k, s in zip(klines + [""] * len(slines), slines + [""] * len(klines)):
            if k != s:
                print(f"  first difference:\n  kernel:    {k}\n  simulator: {s}")
                break
        return 1
    diffs = 0
    for k, s in zip(klines, slines):
        if k != s:
            diffs += 1
            print(f"FAIL {name}:\n  kernel:    {k}\n  simulator: {s}")
    return diffs


def mode_log(mosaic, log, scns):
    if not os.path.exists(log):
        print(f"FAIL: no kernel log {log}")
        return 1
    klines = kernel_lines(log)
    r = subprocess.run(scenario_cmd(mosaic) + scns, capture_output=True, text=True)
    slines = [l for l in r.stdout.splitlines() if l.startswith("scn ")]
    name = os.path.basename(log)
    if not slines:
        print(f"FAIL {name}: the simulator printed no result line")
        return 1
    if compare_all(name, klines, slines):
        return 1
    print(f"ok   {name}: {len(klines)} lines, kernel and simulator agree")
    return 0


def mode_kernel(mosaic, sdir, runs):
    arch = os.environ.get("MOSAIC_ARCH", "x86_64")
    if arch != "x86_64":
        # The logs here are the x86_64 kernels'; on another architecture
        # each kernel-mosaic-scn test compared its own log already.
        print(f"SKIP: the logs in {runs} are x86_64's (MOSAIC_ARCH={arch}); "
              "each kernel-mosaic-scn test compared its own")
        return 77
    compared = 0
    bad = 0
    for scn in sorted(glob.glob(os.path.join(sdir, "*.scn"))):
        name = os.path.basename(scn)[:-4]
        log = os.path.join(runs, f"kernel-mosaic-scn-{name}.log")
        if os.path.exists(log):
            compared += 1
            _, slines = sim_lines(mosaic, scn)
            if compare_all(f"mosaic {name}", kernel_lines(log), slines):
                bad += 1
            else:
                print(f"ok   mosaic {name}: {len(slines)} lines, kernel with mosaic and simulator agree")
        log = os.path.join(runs, f"kernel-scn-{name}.log")
        if not os.path.exists(log):
            continue
        klines = kernel_lines(log)
        _, slines = sim_lines(mosaic, scn)
        defects = defect_scenarios(scn)
        compared += 1
        if len(klines) != len(slines):
            bad += 1
            print(f"FAIL {name}: kernel printed {len(klines)} result lines, simulator {len(slines)}")
            continue
        diffs = 0
        for k, s in zip(klines, slines):
            if k.split()[1] in defects:
                if not k.endswith(" ok") and " end ok " not in k:
                    diffs += 1
                    print(f"FAIL {name}: the stock defect changed on the kernel: {k}")
            elif k != s:
                diffs += 1
                print(f"FAIL {name}:\n  kernel:    {k}\n  simulator: {s}")
        bad += diffs != 0
        if not diffs and defects:
            print(f"ok   {name}: {len(klines)} lines, the stock defects still show on the kernel")
        elif not diffs:
            print(f"ok   {name}: {len(klines)} lines, kernel and simulator agree")
    if compared == 0:
        print(f"no kernel log in {runs}: run the kernel suite first (skipped)")
        return 77
    print(f"scenarios (kernel vs simulator): {'FAILED' if bad else 'agree'}")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "sim":
        sys.exit(mode_sim(sys.argv[2], sys.argv[3]))
    if len(sys.argv) == 5 and sys.argv[1] == "kernel":
        sys.exit(mode_kernel(sys.argv[2], sys.argv[3], sys.argv[4]))
    if len(sys.argv) >= 5 and sys.argv[1] == "log":
        sys.exit(mode_log(sys.argv[2], sys.argv[3], sys.argv[4:]))
    print(__doc__)
    sys.exit(2)

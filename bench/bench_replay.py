#!/usr/bin/env python3
"""bench_replay.py: how fast `mosaic replay` is, and whether its memory stays
flat as traces get longer.

Generates (at bench time, in a temporary directory; never committed) traces of
N sequential 4 KiB reads cycling over one 4,096,000-byte file (the seed's 4K
workload, repeated), replays each with both paths in a fresh process, and
records the wall time and the peak resident set size of that process
(os.wait4's ru_maxrss).  Writes TSV with a metadata header.

Usage: bench_replay.py MOSAIC OUT.tsv [N ...]     (default N: 100000 1000000)

A benchmark, never a test: it fails only if the replay itself fails.
"""
import os
import platform
import subprocess
import sys
import tempfile
import time

FILE_SIZE = 4096000
CHUNK = 4096


def write_trace(path, nreads):
    """N reads of CHUNK bytes, sequential, wrapping at the end of the file."""
    per_pass = FILE_SIZE // CHUNK
    with open(path, "w") as f:
        f.write("mosaic-trace 1\n")
        f.write("meta source generator\n")
        f.write("meta generator bench/bench_replay.py %d\n" % nreads)
        f.write("file data %d pattern 4\n" % FILE_SIZE)
        f.write("ops\n")
        lines = ["0 data %d %d r\n" % ((i % per_pass) * CHUNK, CHUNK) for i in range(per_pass)]
        full, rest = divmod(nreads, per_pass)
        block = "".join(lines)
        for _ in range(full):
            f.write(block)
        f.write("".join(lines[:rest]))
        f.write("end %d\n" % nreads)


def run_wait4(mosaic, trace):
    """Replays trace in a child reaped with os.wait4, for its own peak RSS.
    Returns (seconds, peak RSS in KiB, the CSV it printed)."""
    t0 = time.monotonic()
    with open(os.devnull, "w") as null:
        out_path = trace + ".csv"
        with open(out_path, "w") as out:
            child = subprocess.Popen([mosaic, "replay", "--path", "both", "--csv", trace],
                                     stdout=out, stderr=null)
            _, status, usage = os.wait4(child.pid, 0)
    seconds = time.monotonic() - t0
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit("bench_replay: replay of %s failed (exit %d)" % (trace, child.returncode))
    with open(out_path) as f:
        csv = f.read()
    return seconds, usage.ru_maxrss, csv


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    mosaic, out_path = argv[1], argv[2]
    sizes = [int(a) for a in argv[3:]] or [100000, 1000000]
    rows = []
    with tempfile.TemporaryDirectory(prefix="mosaic-bench-") as tmp:
        for n in sizes:
            trace = os.path.join(tmp, "seq4k-%d.trace" % n)
            write_trace(trace, n)
            seconds, rss_kib, csv = run_wait4(mosaic, trace)
            data = [l for l in csv.splitlines() if l and not l.startswith("#")]
            head, row = data[0].split(","), data[1].split(",")
            col = dict(zip(head, row))
            rows.append((n, seconds, rss_kib, col["old_us"], col["fast_us"], col["speedup"],
                         col["old_wall_us"], col["fast_wall_us"]))
            print("bench_replay: %8d reads of 4K, both paths: %6.1f s, peak RSS %7.1f MiB, "
                  "predicted old %s us, fast %s us, speedup %s" %
                  (n, seconds, rss_kib / 1024.0, col["old_us"], col["fast_us"], col["speedup"]))
    with open(out_path, "w") as f:
        f.write("# bench_replay: mosaic replay --path both of N sequential 4K reads\n")
        f.write("# host: %s %s, python %s\n" % (platform.node(), platform.machine(),
                                                 platform.python_version()))
        f.write("# date: %s\n" % time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        f.write("# mosaic: %s\n" % mosaic)
        f.write("reads\tseconds\tpeak_rss_kib\told_us\tfast_us\tspeedup\told_wall_us\tfast_wall_us\n")
        for r in rows:
            f.write("%d\t%.3f\t%d\t%s\t%s\t%s\t%s\t%s\n" % r)
    print("bench_replay: wrote %s" % out_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

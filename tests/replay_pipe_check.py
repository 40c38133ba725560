#!/usr/bin/env python3
"""replay_pipe_check.py MOSAIC TRACE: `mosaic replay /dev/stdin' with the
trace on a pipe replays it as from its file (every count the same; the
trace's name and the host's wall times aside), and a bad trace on a pipe
fails as from a file, with nothing replayed or printed on standard output.
The trace was read twice, and a pipe gives its bytes once: every trace on
a pipe failed with "not a mosaic trace"."""
import csv
import io
import subprocess
import sys

mosaic, trace = sys.argv[1], sys.argv[2]


def rows(text):
    """The CSV's rows as dicts, without the trace's name and wall times."""
    body = "\n".join(l for l in text.splitlines() if not l.startswith("#"))
    out = []
    for r in csv.DictReader(io.StringIO(body)):
        out.append({k: v for k, v in r.items() if k != "trace" and "wall" not in k})
    return out


def run_pipe(data, *args):
    """mosaic replay ARGS /dev/stdin, data written into a pipe."""
    p = subprocess.Popen([mosaic, "replay", *args, "/dev/stdin"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate(data)
    print(f"pipe: exit {p.returncode}; stderr: {err.decode().strip()[-400:]}")
    return p.returncode, out.decode(), err.decode()


with open(trace, "rb") as f:
    data = f.read()
bad = 0
direct = subprocess.run([mosaic, "replay", "--csv", trace], capture_output=True, text=True)
if direct.returncode != 0:
    sys.exit(f"FAIL: the replay from the file failed: {direct.stderr}")
for args in (["--csv"], ["--csv", "--cache", "cold"]):
    rc, out, err = run_pipe(data, *args)
    if rc != 0:
        print(f"FAIL: {args}: exit {rc}")
        bad += 1
        continue
    if args == ["--csv"] and rows(out) != rows(direct.stdout):
        print("FAIL: the counts differ from the file's replay")
        bad += 1
    if not rows(out):
        print(f"FAIL: {args}: no rows")
        bad += 1
# A bad trace on a pipe: the parser's error, nothing replayed or printed.
broken = data.replace(b"\nend ", b"\nend 9", 1)
rc, out, err = run_pipe(broken)
if rc != 1 or "/dev/stdin:" not in err or "count differs" not in err or out != "":
    print(f"FAIL: a bad trace on a pipe: exit {rc}, stdout {out[:200]!r}")
    bad += 1
if bad:
    sys.exit(f"FAIL: {bad} problem(s)")
print("ok: a trace on a pipe is read once and replayed as from its file")

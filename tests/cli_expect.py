#!/usr/bin/env python3
"""cli_expect.py CODE TEXT -- COMMAND...: runs COMMAND and passes only if it
exits with exactly CODE (a crash or a signal never does) and its standard
error contains TEXT.  What the command printed is shown either way."""
import subprocess
import sys

if len(sys.argv) < 5 or sys.argv[3] != "--":
    sys.exit("usage: cli_expect.py CODE TEXT -- COMMAND...")
code, text, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[4:]
r = subprocess.run(cmd, capture_output=True, text=True)
print(f"$ {' '.join(cmd)}\nexit {r.returncode}\nstderr: {r.stderr.strip()[-2000:]}")
if r.returncode != code:
    sys.exit(f"FAIL: exit status {r.returncode}, expected {code}")
if text not in r.stderr:
    sys.exit(f"FAIL: standard error lacks {text!r}")
print("ok")

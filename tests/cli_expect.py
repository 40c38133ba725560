#!/usr/bin/env python3
"""cli_expect.py [--stdout] [--env NAME=VALUE] CODE TEXT -- COMMAND...: runs
COMMAND (with NAME set to VALUE in its environment) and passes only if it
exits with exactly CODE (a crash or a signal never does) and its standard
error (with --stdout: its standard output) contains TEXT.  What the command
printed is shown either way."""
import os
import subprocess
import sys

args = sys.argv[1:]
stream = "stderr"
env = dict(os.environ)
while args and args[0] in ("--stdout", "--env"):
    if args[0] == "--stdout":
        stream, args = "stdout", args[1:]
    else:
        name, _, value = args[1].partition("=")
        env[name] = value
        args = args[2:]
if len(args) < 4 or args[2] != "--":
    sys.exit("usage: cli_expect.py [--stdout] [--env NAME=VALUE] CODE TEXT -- COMMAND...")
code, text, cmd = int(args[0]), args[1], args[3:]
r = subprocess.run(cmd, capture_output=True, text=True, env=env)
out = r.stdout if stream == "stdout" else r.stderr
print(f"$ {' '.join(cmd)}\nexit {r.returncode}\n{stream}: {out.strip()[-2000:]}")
if r.returncode != code:
    sys.exit(f"FAIL: exit status {r.returncode}, expected {code}")
if text not in out:
    sys.exit(f"FAIL: {stream} lacks {text!r}")
print("ok")

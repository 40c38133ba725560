#!/usr/bin/env python3
"""Prints the counts of one `make check`: per suite for the plain build, then
for the sanitizer build, and one closing line 'check: N passed, N failed,
N skipped'.  Exits non-zero if anything failed or a run did not happen.
Arguments: the plain build directory, then the sanitizer build directory."""
import collections
import json
import os
import subprocess
import sys

def suites_of(build):
    out = subprocess.run(["meson", "introspect", build, "--tests"],
                         check=True, capture_output=True, text=True).stdout
    return {t["name"]: t["suite"][0].split(":")[-1] for t in json.loads(out)}

def load(build):
    path = os.path.join(build, "meson-logs", "testlog.json")
    suites = suites_of(build)
    counts = collections.defaultdict(collections.Counter)
    try:
        with open(path) as f:
            for line in f:
                t = json.loads(line)
                # testlog names are "project:suite / name"; introspect's "name".
                name = t["name"].split(" / ")[-1]
                counts[suites.get(name, "?")][t["result"]] += 1
    except FileNotFoundError:
        print(f"check: {path} is missing: the test run did not happen")
        sys.exit(1)
    return counts

total = collections.Counter()
for label, build in (("", sys.argv[1]), ("asan+ubsan ", sys.argv[2])):
    for suite, c in sorted(load(build).items()):
        ok = c["OK"] + c["EXPECTEDFAIL"]
        skip = c["SKIP"]
        bad = sum(c.values()) - ok - skip
        total.update(ok=ok, bad=bad, skip=skip)
        print(f"  {label + suite:<18} {ok:4d} passed {bad:4d} failed {skip:4d} skipped")
print(f"check: {total['ok']} passed, {total['bad']} failed, {total['skip']} skipped")
sys.exit(1 if total["bad"] else 0)

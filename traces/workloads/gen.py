#!/usr/bin/env python3
"""Generates the bundled synthetic workloads (mosaic trace format v1, FORMAT.md).

    gen.py seq SIZE [COUNT]     COUNT (1000) successive reads of SIZE bytes from
                                one file, the seed post's benchmark
    gen.py mix SEED [COUNT]     COUNT (1000) reads at seeded random offsets and
                                lengths, unaligned, from two files, by two clients
    gen.py fan CLIENTS [SEED]   4 reads by each of CLIENTS clients in turn, seeded
                                offsets and lengths, from one file: a translator
                                serving many client tasks at once (seed 1)
    gen.py all DIR              writes every bundled workload into DIR

Deterministic: the random mix uses its own splitmix64 generator, not Python's
`random`, so the output is the same on every Python version.  The output is
committed; the tests parse it.
"""
import os
import sys

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n


def seq(size, count=1000):
    name = {1024: "1k", 4096: "4k", 8192: "8k", 65536: "64k"}.get(size, str(size))
    out = ["mosaic-trace 1",
           f"# {count} successive reads of {size} bytes from one file (the seed post's benchmark)",
           "meta source generator",
           f"meta generator traces/workloads/gen.py seq {size} {count}",
           "meta note cached or cold is a replay option: replay this trace both ways",
           f"file data {size * count} pattern {size}",
           "ops"]
    out += [f"0 data {i * size} {size} r" for i in range(count)]
    out.append(f"end {count}")
    return f"seq-{name}.trace", out


def mix(seed, count=1000):
    rng = SplitMix64(seed)
    files = [("big", 8 << 20), ("small", 200000)]
    lengths = [1, 100, 1024, 4095, 4096, 4097, 8192, 65536]
    out = ["mosaic-trace 1",
           f"# {count} reads at random offsets and lengths, two clients, two files",
           "meta source generator",
           f"meta generator traces/workloads/gen.py mix {seed} {count}",
           f"meta note seed {seed}; lengths drawn from {lengths}, offsets uniform and unaligned"]
    out += [f"file {name} {size} pattern {i + 1}" for i, (name, size) in enumerate(files)]
    out.append("ops")
    for _ in range(count):
        name, size = files[rng.below(len(files))]
        length = lengths[rng.below(len(lengths))]
        offset = rng.below(size - length + 1)
        out.append(f"{rng.below(2)} {name} {offset} {length} r")
    out.append(f"end {count}")
    return f"random-mix-{seed}.trace", out


def fan(clients, seed=1):
    rng = SplitMix64(seed)
    size = 1 << 20
    lengths = [1, 100, 1024, 4096, 4097, 8192, 65536]
    count = 4 * clients
    out = ["mosaic-trace 1",
           f"# {count} reads by {clients} clients in turn, one file",
           "meta source generator",
           f"meta generator traces/workloads/gen.py fan {clients} {seed}",
           f"meta note seed {seed}; lengths drawn from {lengths}, offsets uniform and unaligned",
           f"file data {size} pattern 1",
           "ops"]
    for i in range(count):
        length = lengths[rng.below(len(lengths))]
        offset = rng.below(size - length + 1)
        out.append(f"{i % clients} data {offset} {length} r")
    out.append(f"end {count}")
    return f"fan-{clients}.trace", out


def write(directory, name, lines):
    with open(os.path.join(directory, name), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{name}: {len(lines)} lines")


def main(argv):
    if len(argv) >= 2 and argv[0] == "seq":
        name, lines = seq(int(argv[1]), *map(int, argv[2:3]))
    elif len(argv) >= 2 and argv[0] == "mix":
        name, lines = mix(int(argv[1]), *map(int, argv[2:3]))
    elif len(argv) >= 2 and argv[0] == "fan":
        name, lines = fan(int(argv[1]), *map(int, argv[2:3]))
    elif len(argv) == 2 and argv[0] == "all":
        for size in (1024, 4096, 8192, 65536):
            write(argv[1], *seq(size))
        write(argv[1], *mix(42))
        write(argv[1], *fan(256))
        return 0
    else:
        print(__doc__, file=sys.stderr)
        return 2
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

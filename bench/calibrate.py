#!/usr/bin/env python3
"""calibrate.py: derives the simulator's per-event costs from measurements.

The simulator counts events (RPCs, traps, port rights carried, map entries,
faults, page-table entries, TLB flushes, page lookups, bytes copied);
sim/replay/sim_cost.c multiplies counts by the per-event costs this script writes to
bench/calibration.tsv.
bench/CALIBRATION.md explains every step; this file is the executable form of
that text, so the numbers can be reproduced and re-derived when the kernel port
measures its own.

Usage:
    calibrate.py [--measurements M]            print the calibration file
    calibrate.py [--measurements M] --check F  exit 1 (with a diff) unless F
                                               is what we would write

The measurements are mosaic's own, from the real kernel: the TSV that
bench/kernel_oldpath.py writes (default bench/kernel-measurements.tsv, a copy
kept in the tree so that the calibration is reproducible), its -icount
column.

Only the Python standard library: the fits are 1- and 2-parameter weighted
least squares, solved in closed form.
"""
import difflib
import os
import sys

PAGE = 4096
SIZES = [1024, 4096, 8192, 65536]


def load_measurements(path):
    """The guest's medians under -icount (QEMU runs one instruction per
    virtual nanosecond, and the guest's TSC counts those nanoseconds), in
    virtual microseconds: {path: [us at each of SIZES]}, and the header."""
    header, col, med = [], None, {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                header.append(line)
                continue
            cells = line.split("\t")
            if col is None:
                col = cells.index("icount_ticks")
                continue
            med.setdefault(cells[1], {})[int(cells[0])] = int(cells[col]) / 1000.0
    need = ["old_pager", "copy", "limit_rpc", "limit_trap", "port_rpc", "fast_rpc0", "user_rpc",
            "inline_rpc", "pagein", "ool_rpc"]
    for p in need:
        if p not in med or any(s not in med[p] for s in SIZES):
            raise SystemExit("calibrate.py: %s lacks path %s at every size" % (path, p))
    return {p: [v[s] for s in SIZES] for p, v in med.items()}, header


def load_ool_events(path):
    """{size: {event: count}}: what the simulator counts for an out-of-line
    reply of each size (bench/ool-events.tsv)."""
    out = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#") or line.startswith("size\t"):
                continue
            cells = line.split("\t")
            out[int(cells[0])] = {k: int(v) for k, v in (c.split("=") for c in cells[1:])}
    return out


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


# Shares of the per-mapping cost M (see CALIBRATION.md, step 4): only the sum
# is determined by the measurements; the split is an assumption.
M_SHARES = {"entry_create": 0.6, "entry_remove": 0.3, "tlb_flush": 0.1}


def pages_spanned(size):
    """Pages a page-aligned window of `size` bytes covers."""
    return (size + PAGE - 1) // PAGE


def fit_through_origin_relative(xs, ys):
    """b minimising sum(((b*x - y) / y)^2): every point counts by its
    relative error, so the small sizes the seed measured are not drowned by
    the 64K point."""
    num = sum(x / y for x, y in zip(xs, ys))
    den = sum((x / y) ** 2 for x, y in zip(xs, ys))
    return num / den


def fit_line_relative(xs, ys):
    """(a, b) minimising sum(((a + b*x - y) / y)^2)."""
    w = [1.0 / (y * y) for y in ys]
    sw = sum(w)
    sx = sum(wi * x for wi, x in zip(w, xs))
    sy = sum(wi * y for wi, y in zip(w, ys))
    sxx = sum(wi * x * x for wi, x in zip(w, xs))
    sxy = sum(wi * x * y for wi, x, y in zip(w, xs, ys))
    b = (sw * sxy - sx * sy) / (sw * sxx - sx * sx)
    a = (sy - b * sx) / sw
    return a, b


def derive(meas, ool_events):
    """Returns (rows, residual lines): rows are (event, cost, unit, source)."""
    # The old read over a pager-backed memory object, as a translator maps
    # (not over a proxy: bench_oldpath's `old', whose vm_map is mosaic's
    # piece-by-piece proxy mapping).
    OLD_READ_US, COPY_US = meas["old_pager"], meas["copy"]
    # Step 0: one RPC and one trap, each the limit's time over the copy's;
    # one port right carried in a request, port_rpc's time over the limit's.
    RPC_US = median([r - c for r, c in zip(meas["limit_rpc"], COPY_US)])
    TRAP_US = median([t - c for t, c in zip(meas["limit_trap"], COPY_US)])
    PORT_US = median([p - r for p, r in zip(meas["port_rpc"], meas["limit_rpc"])])
    # A fast copy's fixed work: a vm_read_fast that moves no byte, over a
    # null RPC and the memory object's right it carries.
    FAST_CALL_US = median([f - (r - c) for f, r, c in
                           zip(meas["fast_rpc0"], meas["limit_rpc"], COPY_US)]) - PORT_US
    # A round trip between two tasks: user_rpc's time over the copy's.
    USER_RPC_US = median([u - c for u, c in zip(meas["user_rpc"], COPY_US)])
    # Step 1: per-byte copy cost.
    byte = fit_through_origin_relative(SIZES, COPY_US)
    # Bytes the kernel copies into and out of a message (copyin/copyout):
    # inline_rpc carries n = min(S, 2048) bytes inline, copied in and out by
    # the kernel and into a buffer by the client's MIG stub (at the copy rate).
    MSG_BYTE = median([(i - c - USER_RPC_US - min(s, 2048) * byte) / (2 * min(s, 2048))
                       for s, i, c in zip(SIZES, meas["inline_rpc"], COPY_US)])
    # Step 2: what the old read costs besides its two RPCs, the memory
    # object's right that vm_map carries, and its copy.
    rest = [o - 2 * RPC_US - PORT_US - c for o, c in zip(OLD_READ_US, COPY_US)]
    # Step 3: rest = M + P * pages.
    pages = [pages_spanned(s) for s in SIZES]
    m, p = fit_line_relative(pages, rest)
    # Step 4: split M by the stated shares; P is one trap (the user fault's
    # exception) plus five short per-page operations of equal cost.
    per_page_rest = (p - TRAP_US) / 5.0
    fault = per_page_rest
    page_copy = PAGE * byte
    # Step 5: a page-in, from a user load of a page flushed just before
    # (pagein, the same at every size): the load's own events, as the
    # simulator counts them for it (a trap, a fault, a map lookup, a page
    # lookup, a page-table entry; tests/test_sim_translator.c holds it to
    # that), taken off.
    PAGEIN_US = median(meas["pagein"]) - TRAP_US - 4 * per_page_rest

    rows = [
        ("rpc", RPC_US, "us/event", "measured: limit_rpc - copy (a null RPC)"),
        ("trap", TRAP_US, "us/event", "measured: limit_trap - copy (a null trap)"),
        ("port_right", PORT_US, "us/event",
         "measured: port_rpc - limit_rpc (a right carried: task_set_special_port)"),
        ("fast_call", FAST_CALL_US, "us/event",
         "measured: fast_rpc0 - (limit_rpc - copy) - port_right (vm_read_fast of 0 bytes)"),
        ("user_rpc", USER_RPC_US, "us/event",
         "measured: user_rpc - copy (a null io_read_direct to another task)"),
        ("entry_create", m * M_SHARES["entry_create"], "us/event",
         "fit: %.2f of per-mapping cost M" % M_SHARES["entry_create"]),
        ("entry_remove", m * M_SHARES["entry_remove"], "us/event",
         "fit: %.2f of per-mapping cost M" % M_SHARES["entry_remove"]),
        ("tlb_flush", m * M_SHARES["tlb_flush"], "us/event",
         "fit: %.2f of per-mapping cost M" % M_SHARES["tlb_flush"]),
        ("map_lookup", per_page_rest, "us/event", "fit: (P - trap) / 5"),
        ("fault", fault, "us/event", "fit: (P - trap) / 5 (vm_fault_page; the user fault's exception is a trap)"),
        ("page_lookup", per_page_rest, "us/event", "fit: (P - trap) / 5"),
        ("pagein", PAGEIN_US, "us/event",
         "measured: pagein - trap - fault - map_lookup - page_lookup - pte_enter"),
        ("zero_fill", page_copy, "us/event", "derived: one page written at the copy rate"),
        ("cow_copy", page_copy + per_page_rest, "us/event",
         "derived: one page copied + one page lookup"),
        ("pageout", 2 * RPC_US + page_copy, "us/event",
         "derived: data_return message + reply + one page copied"),
        ("evict", per_page_rest, "us/event", "derived: like a page-table entry removal"),
        ("pte_enter", per_page_rest, "us/event", "fit: (P - trap) / 5"),
        ("pte_remove", per_page_rest, "us/event", "fit: (P - trap) / 5"),
        ("bytes_copied", byte, "us/byte", "fit: copy times through origin, relative LS"),
        ("msg_bytes", MSG_BYTE, "us/byte",
         "measured: (inline_rpc - copy - user_rpc - n bytes_copied) / 2n, n = min(S, 2048)"),
    ]

    # Step 6: an out-of-line reply's pages.  ool_rpc(S) is a round trip, the
    # bytes written and copied out (2 S at the copy rate), and what the
    # simulator counts for the rest (bench/ool-events.tsv, priced by the
    # rows above); what that leaves, per page, is the kernel's moving of
    # the pages with the message (vm_map_copyin, copyout), which no other
    # event has.
    cost = {ev: c for ev, c, _, _ in rows}
    ool_resid = []
    for s, t in zip(SIZES, meas["ool_rpc"]):
        model = USER_RPC_US + 2 * s * byte + sum(
            n * cost[ev] for ev, n in ool_events[s].items())
        ool_resid.append((t - model) / pages_spanned(s))
    OOL_PAGE_US = median(ool_resid)
    rows.append(("ool_page", OOL_PAGE_US, "us/event",
                 "measured: (ool_rpc - user_rpc - 2 S bytes - ool-events.tsv) / pages, median"))
    resid = []
    for s, r in zip(SIZES, ool_resid):
        resid.append("ool_page %6d B: %6.2f us per page" % (s, r))
    for s, c in zip(SIZES, COPY_US):
        resid.append("copy %6d B: measured %6.2f us, model %6.2f us" % (s, c, byte * s))
    for s, o, n in zip(SIZES, OLD_READ_US, pages):
        model = 2 * RPC_US + PORT_US + byte * s + m + p * n
        resid.append("old_pager %6d B: measured %6.2f us, model %6.2f us" % (s, o, model))
    resid.append("M = %.4f us per mapping, P = %.4f us per page" % (m, p))
    return rows, resid


def render(path):
    meas, header = load_measurements(path)
    ool = load_ool_events(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                       "ool-events.tsv"))
    rows, resid = derive(meas, ool)
    source = [h[1:].strip().replace("\t", " ") for h in header
              if h.startswith(("# kernel\t", "# qemu\t", "# date\t"))]
    out = [
        "# mosaic calibration: per-event costs for sim/replay/sim_cost.c",
        "# generated by bench/calibrate.py (do not edit by hand; see bench/CALIBRATION.md)",
        "# machine: GNU Mach in QEMU with -icount shift=0 (one instruction per virtual ns),",
        "#   medians of tests/kernel/guest/bench_oldpath.c (%s)" % path.split("/")[-1],
    ] + ["#   " + x for x in source] + [
        "# version: 1",
    ]
    out += ["# residual: " + r for r in resid]
    out.append("event\tcost_us\tunit\tsource")
    for ev, cost, unit, src in rows:
        out.append("%s\t%.6g\t%s\t%s" % (ev, cost, unit, src))
    return "\n".join(out) + "\n"


def main(argv):
    meas = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernel-measurements.tsv")
    if len(argv) >= 3 and argv[1] == "--measurements":
        meas = argv[2]
        argv = argv[:1] + argv[3:]
    text = render(meas)
    if len(argv) == 3 and argv[1] == "--check":
        with open(argv[2]) as f:
            have = f.read()
        if have != text:
            sys.stdout.writelines(difflib.unified_diff(
                have.splitlines(True), text.splitlines(True), argv[2], "calibrate.py"))
            return 1
        print("calibration: %s matches calibrate.py" % argv[2])
        return 0
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""kernel_matrix.py SRCROOT BUILDDIR GNUMACH_SRC [--only REGEX] [--ours all|some|none]
[--no-stock] -- GNU Mach's own CI matrix, with mosaic built in and without.

GNU Mach's CI (.forgejo/workflows/action.yaml in its tree, commit 970604df)
builds and runs `make check' over: i386 with APIC off and on, PAE off and
on, 1 and 8 processors (8 with APIC only), kdb on and off; x86_64 with APIC
off and on, 1 and 8 processors, 32-bit tasks (--enable-user32) on and off,
kdb on and off; and the Xen platform of each.  Every configuration is
configured here as the CI configures it (--disable-linux-groups, its
platform options, kdb), built twice with mach-port/build-kernel.sh: stock
GNU Mach of the tree's HEAD commit (--stock) and the patch series on it;
GNU Mach's `make check' runs on both (a failure stock has too is not
mosaic's).  Our kernel suite (meson test --suite kernel) runs on the
mosaic kernel of the configurations in OURS_SOME (--ours some, the
default: every one of 8 processors among them), of all (--ours all) or
none.

The Xen configurations are listed and not run: GNU Mach's Xen platform is
a paravirtualized guest that needs a Xen hypervisor, and QEMU here has no
Xen accelerator (no KVM, no Xen on this machine).

Each build lives in BUILDDIR/matrix/NAME/{stock,mosaic} (make is
incremental from run to run).  The series and the source trees the
matrix builds from are its own (BUILDDIR/matrix/gnumach-series, ...),
so that `make kernel' may run beside it; it shares BUILDDIR's Debian
kernel (refkernel) and the i686-gnu MIG built for this machine (mig-i686,
mach-port/build-mig.sh; MIG_SRC in the environment names a MIG tree).  Prints one table: configuration, GNU Mach's
counts stock and with mosaic, ours, and the time each configuration took;
writes it also to BUILDDIR/matrix/matrix.tsv.  Exit status 0 when every
configuration run passes GNU Mach's suite with mosaic wherever it passes
stock, and ours wherever ours ran; 1 otherwise.
"""
import argparse
import os
import re
import subprocess
import sys
import time

I386 = [
    ("--disable-apic --disable-pae --enable-ncpus=1"),
    ("--disable-apic --enable-pae --enable-ncpus=1"),
    ("--enable-apic --disable-pae --enable-ncpus=1"),
    ("--enable-apic --enable-pae --enable-ncpus=1"),
    ("--enable-apic --disable-pae --enable-ncpus=8"),
    ("--enable-apic --enable-pae --enable-ncpus=8"),
    ("--enable-platform=xen --enable-pae --enable-ncpus=1"),
]
X86_64 = [
    ("--disable-apic --enable-ncpus=1"),
    ("--enable-apic --enable-ncpus=1"),
    ("--enable-apic --enable-ncpus=8"),
    ("--enable-platform=xen --enable-ncpus=1"),
]
KDB = ["--enable-kdb", "--disable-kdb"]
USER32 = ["--enable-user32", "--disable-user32"]

# Where our suite runs with --ours some: i386 with PAE and without, x86_64
# with 32-bit tasks, and every configuration of 8 processors (kdb on: the
# same kernel otherwise), booted with -smp 8.
OURS_SOME = {
    "i386 apic=no pae=no ncpus=1 kdb=yes",
    "i386 apic=no pae=yes ncpus=1 kdb=yes",
    "i386 apic=yes pae=no ncpus=8 kdb=yes",
    "i386 apic=yes pae=yes ncpus=8 kdb=yes",
    "x86_64 apic=yes ncpus=8 user32=no kdb=yes",
    "x86_64 apic=yes ncpus=8 user32=yes kdb=yes",
    "x86_64 apic=no ncpus=1 user32=yes kdb=yes",
}


def short(opt):
    """--enable-apic -> apic=yes, --enable-ncpus=8 -> ncpus=8."""
    m = re.fullmatch(r"--(enable|disable)-([a-z0-9]+)(?:=(.*))?", opt)
    what, name, val = m.group(1), m.group(2), m.group(3)
    if val is not None:
        return f"{name}={val}"
    return f"{name}={'yes' if what == 'enable' else 'no'}"


def configurations():
    out = []
    for plat in I386:
        for kdb in KDB:
            opts = plat.split() + [kdb]
            name = "i386 " + " ".join(short(o) for o in opts)
            arch = "i386-pae" if "--enable-pae" in opts else "i386"
            out.append((name, arch, opts))
    for plat in X86_64:
        for user32 in USER32:
            for kdb in KDB:
                opts = plat.split() + [user32, kdb]
                name = "x86_64 " + " ".join(short(o) for o in opts)
                arch = "x86_64-user32" if user32 == "--enable-user32" else "x86_64"
                out.append((name, arch, opts))
    return out


def ncpus_of(opts):
    for o in opts:
        if o.startswith("--enable-ncpus="):
            return int(o.split("=", 1)[1])
    return 1


def read_check(log):
    """GNU Mach's make check: its summary ({'TOTAL': n, 'PASS': n, ...}) and
    its tests' results ({'tests/test-hello': 'PASS', ...})."""
    counts, results = {}, {}
    try:
        with open(log, errors="replace") as f:
            for line in f:
                m = re.match(r"^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR): +(\d+)", line)
                if m:
                    counts[m.group(1)] = int(m.group(2))
                m = re.match(r"^(PASS|FAIL|XFAIL|XPASS|SKIP|ERROR): (\S+)", line)
                if m:
                    results[m.group(2)] = m.group(1)
    except OSError:
        pass
    return counts, results


def fmt_check(c, rc):
    if rc is None:
        return "-"
    if not c:
        return "no build" if rc == "build" else "no summary"
    bad = c.get("FAIL", 0) + c.get("ERROR", 0) + c.get("XPASS", 0)
    s = f"{c.get('PASS', 0)}/{c.get('TOTAL', 0)}"
    if bad:
        s += f" ({bad} failed)"
    return s


def run(cmd, log, env=None):
    with open(log, "w") as f:
        return subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, env=env).returncode


def meson_counts(log):
    c = {}
    with open(log, errors="replace") as f:
        for line in f:
            m = re.match(r"^(Ok|Expected Fail|Fail|Unexpected Pass|Skipped|Timeout): +(\d+)", line)
            if m:
                c[m.group(1)] = int(m.group(2))
    return c


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("srcroot")
    ap.add_argument("build")
    ap.add_argument("gnumach_src")
    ap.add_argument("--only", help="run the configurations whose name matches this regex")
    ap.add_argument("--ours", choices=["all", "some", "none"], default="some")
    ap.add_argument("--no-stock", action="store_true", help="do not build and check stock GNU Mach")
    a = ap.parse_args()

    src = os.path.abspath(a.srcroot)
    build = os.path.abspath(a.build)
    tree = os.path.abspath(a.gnumach_src)
    script = os.path.join(src, "mach-port", "build-kernel.sh")
    top = os.path.join(build, "matrix")
    os.makedirs(top, exist_ok=True)
    # build-kernel.sh's directory: the matrix's own trees, the packages
    # of BUILDDIR (fetched there first if need be).
    subprocess.run(["sh", os.path.join(src, "mach-port", "fetch-kernel.sh"), build],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["sh", os.path.join(src, "mach-port", "build-mig.sh"), build, tree]
                   + ([os.environ["MIG_SRC"]] if os.environ.get("MIG_SRC") else []),
                   check=True, stdout=subprocess.DEVNULL)
    for pkg in ("refkernel", "mig-i686"):
        link = os.path.join(top, pkg)
        if not os.path.islink(link):
            os.symlink(os.path.join(build, pkg), link)
    rev = subprocess.run(["git", "-C", tree, "rev-parse", "HEAD"], capture_output=True,
                         text=True).stdout.strip() or "?"

    rows = []
    ok = True
    for name, arch, opts in configurations():
        if a.only and not re.search(a.only, name):
            continue
        slug = name.replace(" ", "_").replace("=", "-")
        if "platform=xen" in name:
            rows.append((name, "not run", "not run", "not run", "-",
                         "Xen platform: needs a Xen hypervisor"))
            print(f"kernel-matrix: {name}: not run (Xen)", flush=True)
            continue
        t0 = time.time()
        flags = " ".join(["--disable-linux-groups"] + opts)
        ncpus = ncpus_of(opts)
        results, per_test = {}, {}
        for kind in (["stock"] if not a.no_stock else []) + ["mosaic"]:
            obj = os.path.join(top, slug, kind)
            os.makedirs(obj, exist_ok=True)
            print(f"kernel-matrix: {name}: {kind}: build and GNU Mach's make check", flush=True)
            cmd = ["sh", script] + (["--stock"] if kind == "stock" else []) + [
                "--obj", obj, "--flags", flags, top, tree, "check", str(ncpus), arch]
            rc = run(cmd, os.path.join(obj, "matrix.log"))
            built = os.path.exists(os.path.join(obj, "gnumach"))
            counts, per_test[kind] = read_check(os.path.join(obj, "check.log")) if built else ({}, {})
            results[kind] = (counts, rc if built else "build")
            print(f"kernel-matrix: {name}: {kind}: {fmt_check(counts, results[kind][1])}"
                  f"{'' if built else ' (see ' + obj + '/matrix.log)'}", flush=True)
        ours = "-"
        if a.ours == "all" or (a.ours == "some" and name in OURS_SOME):
            obj = os.path.join(top, slug, "mosaic")
            # 32-bit guests take their headers from a 32-bit build's
            # install-data (build-kernel.sh), the matrix's if need be.
            inc = os.path.join(build, "include-i386")
            if not os.path.exists(inc) and os.path.exists(os.path.join(top, "include-i386")):
                os.symlink(os.path.join(top, "include-i386"), inc)
            if os.path.exists(os.path.join(obj, "gnumach")):
                env = dict(os.environ, MOSAIC_ARCH=arch, MOSAIC_NCPUS=str(ncpus),
                           MOSAIC_KERNEL_IMAGE=os.path.join(obj, "gnumach"))
                log = os.path.join(obj, "ours.log")
                print(f"kernel-matrix: {name}: our kernel suite", flush=True)
                rc = run(["meson", "test", "-C", build, "--suite", "kernel",
                          "--print-errorlogs"], log, env)
                c = meson_counts(log)
                ours = (f"{c.get('Ok', 0)} ok, {c.get('Fail', 0) + c.get('Timeout', 0)} failed,"
                        f" {c.get('Skipped', 0)} skipped")
                if c.get("Expected Fail"):
                    ours += f", {c['Expected Fail']} expected fail"
                if rc != 0 or not c:
                    ok = False
                    ours += " (see " + log + ")"
            else:
                ours = "no kernel"
                ok = False
        mc, mrc = results["mosaic"]
        note = ""
        if mrc == "build":
            ok = False
            note = "mosaic's kernel did not build"
        elif mrc != 0:
            sc, src_rc = results.get("stock", ({}, None))
            # As stock does: no test that passes on stock fails with mosaic
            # (the series' own tests fail too where no test can boot).
            if src_rc is not None and src_rc != 0 and src_rc != "build" and not [
                    t for t, r in per_test["mosaic"].items()
                    if r in ("FAIL", "ERROR", "XPASS") and per_test["stock"].get(t) == "PASS"]:
                note = "fails as stock does"
            else:
                ok = False
                note = "GNU Mach's suite fails with mosaic"
        stock = results.get("stock")
        rows.append((name, fmt_check(*stock) if stock else "-", fmt_check(mc, mrc), ours,
                     f"{time.time() - t0:.0f} s", note))
        print(f"kernel-matrix: {name}: done in {time.time() - t0:.0f} s", flush=True)

    head = ("configuration", "GNU Mach stock", "GNU Mach + mosaic", "ours", "time", "")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    lines = [f"GNU Mach {rev}, make check (PASS/TOTAL); ours: meson test --suite kernel"]
    for r in [head] + rows:
        lines.append("  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip())
    print("\n".join(lines))
    with open(os.path.join(top, "matrix.tsv"), "w") as f:
        f.write(f"# GNU Mach {rev}\n")
        for r in [head] + rows:
            f.write("\t".join(str(v) for v in r) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Booting a guest program for the kernel benchmarks (kernel_oldpath.py,
kernel_calls.py, kernel_profile.py), and what every kept table says it was
measured with (mosaic_revision, kernel_source, host_mhz, describe:
kernel_replay.py, hurd_replay.py too).  tests/kernel/kernel-test.sh builds the
guest from SOURCES and boots it on the kernel, and its exits become the
benchmark's: 77 (no QEMU, GRUB or kernel: skipped, the reason printed) and any
other failure (the run's tail printed, exit 1).  The guest's serial log is
then BUILD/guest/runs/NAME.log (guest-i386/, guest-user32/ for MOSAIC_ARCH).
"""
import math
import os
import subprocess
import sys

# The read-path benchmark's guest (tests/kernel/guest/bench_oldpath.c).
OLDPATH_SOURCES = ["tests/kernel/guest/bench_oldpath.c", "tests/kernel/guest/ktrans.defs",
                   "tests/kernel/guest/filepager.c", "traces/trace_content.c"]


def boot_guest(src, build, name, sources, env, kernel="mosaic"):
    """Boots guest NAME built from SOURCES, with ENV added to this
    process's environment; returns only if the guest passed."""
    r = subprocess.run(["sh", os.path.join(src, "tests", "kernel", "kernel-test.sh"),
                        "--kernel", kernel, build, src, name, *sources],
                       env=dict(os.environ, **env), capture_output=True, text=True)
    if r.returncode == 77:
        print(r.stdout[-2000:])
        sys.exit(77)
    if r.returncode != 0:
        print(r.stdout[-4000:], r.stderr[-2000:])
        sys.exit(1)


def mosaic_revision(src):
    """mosaic's commit, as git describe --always --dirty says it ('?' without git)."""
    try:
        return subprocess.run(["git", "-C", src, "describe", "--always", "--dirty"],
                              capture_output=True, text=True).stdout.strip() or "?"
    except OSError:
        return "?"


def kernel_source(kernel_dir, default="?"):
    """The GNU Mach a kernel was built from: KERNEL_DIR/gnumach.source, which
    mach-port/build-kernel.sh writes beside the kernel (DEFAULT without it)."""
    try:
        with open(os.path.join(kernel_dir, "gnumach.source")) as f:
            return f.read().strip()
    except OSError:
        return default


def host_mhz():
    """The host's processor clock in MHz (/proc/cpuinfo), NaN if not known:
    plain emulation's time-stamp counter ticks at it."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("cpu MHz"):
                    return float(line.split(":")[1])
    except OSError:
        pass
    return math.nan


def describe(cmd):
    """The first line COMMAND prints ('?' if it cannot run): a tool's version."""
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"

"""Booting a guest program for the kernel benchmarks (kernel_oldpath.py,
kernel_calls.py, kernel_profile.py): tests/kernel/kernel-test.sh builds the
guest from SOURCES and boots it on the kernel, and its exits become the
benchmark's: 77 (no QEMU, GRUB or kernel: skipped, the reason printed) and any
other failure (the run's tail printed, exit 1).  The guest's serial log is
then BUILD/guest/runs/NAME.log (guest-i386/, guest-user32/ for MOSAIC_ARCH).
"""
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

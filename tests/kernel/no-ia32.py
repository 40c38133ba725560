#!/usr/bin/env python3
"""no-ia32.py COMMAND [ARG...] -- runs COMMAND on this machine as a machine
whose kernel cannot run 32-bit x86 programs would: a seccomp filter, which
COMMAND and everything it starts inherit, kills any process that makes a
system call of the i386 ABI (a 32-bit program's first call, at the latest).
A cross build that passes under it ran no program of its target: on a host
kernel without IA-32 emulation (some x86_64 machines are built so), a build
that needs one stops at "Exec format error"; here it stops at the same
step, killed by SIGSYS.

x86_64 Linux only.  Exit status: COMMAND's; 77 where the filter cannot be
installed (another architecture, no seccomp).
"""
import ctypes
import os
import signal
import platform
import struct
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ALLOW = 0x7FFF0000
AUDIT_ARCH_X86_64 = 0xC000003E
# BPF: load the arch word of struct seccomp_data (offset 4); the native
# ABI is allowed, any other (i386, x32 shares x86_64's arch) killed.
BPF_LD_W_ABS = 0x20
BPF_JEQ_K = 0x15
BPF_RET_K = 0x06


def insn(code, jt, jf, k):
    return struct.pack("HBBI", code, jt, jf, k)


def main(argv):
    if len(argv) < 1:
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    if platform.system() != "Linux" or platform.machine() != "x86_64":
        print("no-ia32: SKIP: needs x86_64 Linux", file=sys.stderr)
        return 77
    prog = (insn(BPF_LD_W_ABS, 0, 0, 4)
            + insn(BPF_JEQ_K, 0, 1, AUDIT_ARCH_X86_64)
            + insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW)
            + insn(BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS))
    buf = ctypes.create_string_buffer(prog)

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(prog) // 8, ctypes.cast(buf, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p,
                           ctypes.c_ulong, ctypes.c_ulong]
    if (libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0 or
            libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0):
        print(f"no-ia32: SKIP: cannot install the filter: {os.strerror(ctypes.get_errno())}",
              file=sys.stderr)
        return 77
    print("no-ia32: no process under this command may run a 32-bit x86 program",
          file=sys.stderr, flush=True)
    # Python ignores SIGPIPE, and an exec'd command would inherit that:
    # give it the default, as a shell would (else every "... | head" in
    # the build prints tail's and cat's write errors).
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.execvp(argv[0], argv)
    return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

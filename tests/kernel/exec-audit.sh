#!/bin/sh
# exec-audit.sh COMMAND [ARG...] -- runs COMMAND under strace and checks that
# every program it (or anything it starts) executed is the build machine's:
# an ELF file of the same class and machine as this shell's, or a script
# whose interpreter is one.  For a cross build, that says no step ran a
# program of the target (an i386 MIG, say), which a build machine without
# 32-bit emulation could not run.
#
# Prints each program once with what it is; exits 1 if any is not the build
# machine's (or COMMAND failed), 77 without strace.  The trace is kept in
# $EXEC_AUDIT_LOG (default: a temporary file, removed).
set -eu
AWK=${AWK:-awk}
[ $# -ge 1 ] || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }
command -v strace >/dev/null 2>&1 || { echo "exec-audit: SKIP: no strace (apt-get install strace)"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=${EXEC_AUDIT_LOG:-$tmp/trace}

# ELF class (byte 5) and machine (bytes 19-20) of a file, or "script
# INTERPRETER", or "other".
kind() {
	magic=$(od -An -c -N4 "$1" 2>/dev/null | tr -d ' ')
	case $magic in
	177ELF) od -An -tx1 -j4 -N1 "$1" | tr -d ' '
		od -An -tx1 -j18 -N2 "$1" | tr -d ' ' ;;
	'#!'*) echo "script $(head -n 1 "$1" | sed 's/^#![[:space:]]*//; s/[[:space:]].*//')" ;;
	*) echo other ;;
	esac
}
host=$(kind "$(command -v sh)" | tr '\n' ' ')

rc=0
# One trace file per process (no interleaved lines), paths in full, file
# descriptors with their paths (fchdir).
strace -ff -qq --seccomp-bpf -s 4096 -y -e trace=execve,chdir,fchdir,clone,clone3,fork,vfork \
	-e signal=none -o "$tmp/t" "$@" || rc=$?
# The first process's trace: the one no other trace says it made (process
# numbers may wrap in a long run, so not the smallest).
ls "$tmp" | sed -n 's/^t\.//p' | sort > "$tmp/pids"
cat "$tmp"/t.* | $AWK '/^(clone|clone3|fork|vfork)\(/ && /= [0-9]+$/ { sub(/.*= /, ""); print }' |
	sort -u > "$tmp/children"
root=$(comm -23 "$tmp/pids" "$tmp/children")
[ "$(echo "$root" | wc -w)" = 1 ] || { echo "exec-audit: cannot tell the first process from the traces ($root)"; exit 1; }
# Every program a successful execve ran, a relative path made absolute from
# the process's working directory: a child starts in its parent's at its
# birth, chdir and fchdir move it.  Processes are read parents first.
TRACES="$tmp/t" ROOT="$root" START="$(pwd)" $AWK '
	function resolve(base, p) { return p ~ /^\// ? p : base "/" p }
	function quoted(s,   i) { i = index(s, "\""); s = substr(s, i + 1); return substr(s, 1, index(s, "\"") - 1) }
	BEGIN {
		dir = ENVIRON["TRACES"]; nq = 1; queue[1] = ENVIRON["ROOT"]; cwd[queue[1]] = ENVIRON["START"]
		for (head = 1; head <= nq; head++) {
			pid = queue[head]; here = cwd[pid]; file = dir "." pid
			while ((getline line < file) > 0) {
				if (line !~ /= [0-9]+( |$)/ && line !~ /= 0$/)
					continue
				ret = line; sub(/.*= /, "", ret); sub(/ .*/, "", ret)
				if (line ~ /^execve\(/ && ret == "0")
					print resolve(here, quoted(line))
				else if (line ~ /^chdir\(/ && ret == "0")
					here = resolve(here, quoted(line))
				else if (line ~ /^fchdir\(/ && ret == "0") {
					p = line; sub(/^fchdir\([0-9]+</, "", p); sub(/>\).*/, "", p); here = p
				} else if (line ~ /^(clone|clone3|fork|vfork)\(/ && ret + 0 > 0) {
					queue[++nq] = ret; cwd[ret] = here
				}
			}
			close(file)
		}
	}
' | sort -u > "$tmp/programs"
bad=0
n=0
while IFS= read -r prog; do
	n=$((n + 1))
	k=$(kind "$prog" | tr '\n' ' ')
	case $k in
	"$host") ;;
	script*)
		interp=${k#script }
		interp=${interp% }
		ik=$(kind "$interp" | tr '\n' ' ')
		[ "$ik" = "$host" ] || { echo "exec-audit: $prog: a script for $interp ($ik), not this machine's ($host)"; bad=1; } ;;
	*) echo "exec-audit: $prog: ELF class/machine $k, not this machine's ($host)"; bad=1 ;;
	esac
done < "$tmp/programs"
echo "exec-audit: $n programs executed, $( [ $bad = 0 ] && echo 'all of them' || echo 'not all' ) the build machine's (ELF class/machine $host)"
[ $rc = 0 ] || { echo "exec-audit: the command failed ($rc)"; exit 1; }
exit $bad

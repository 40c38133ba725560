#!/bin/sh
# build-mig.sh [--suite SUITE] BUILDDIR GNUMACH_TREE [MIG_SRC] -- MIG for
# i686-gnu, built for this machine, in BUILDDIR/mig-i686 (bin/i686-gnu-mig
# and lib/mig/i686-gnu-migcom under usr/).
#
# A cross tool runs on the build machine.  Debian builds its mig-i686-gnu
# for i386 hosts only, and an x86_64 machine need not run i386 programs at
# all (a kernel without 32-bit emulation answers "Exec format error"), so
# MIG is built here from source, as one builds any cross tool:
#
#   - the source is the MIG tree MIG_SRC names (a git checkout: its HEAD
#     commit, the user's tree untouched), or else the source package of
#     MIG of Debian's SUITE, by default trixie, Debian 13 (fetch-kernel.sh
#     mig-source: the upstream tarball, from the archive this machine's
#     apt configuration names; the Hurd's build asks for bookworm's, a
#     MIG of the 2023 Hurd's time);
#   - MIG computes the sizes of the target's message types at build time
#     (cpu.sym, compiled to assembly only): from the Mach headers of
#     GNUMACH_TREE, installed for i686-gnu (GNU Mach's make install-data,
#     which needs no MIG), compiled with the host's gcc -m32;
#   - the target compiler MIG's configure looks for, i686-gnu-gcc, is the
#     host's gcc -m32 behind a wrapper of that name (in the build
#     directory only); the installed mig script preprocesses with
#     gcc -m32 -E, a host program (GNU Mach and our guests preprocess
#     themselves and give MIG `-cc cat').
#
# Nothing this builds or runs is an i386 program.  Rebuilt when the source
# (MIG_SRC's commit or the tarball) or GNUMACH_TREE's commit changes;
# otherwise nothing is done.  Needs autoconf, automake, flex, bison and
# gcc-multilib (make kernel installs them).  Exit status 0 when MIG is
# there, 1 with the failing step named.
set -eu

suite=trixie
if [ "${1:-}" = --suite ]; then
	suite=${2:?}
	shift 2
fi
[ $# -ge 2 ] && [ $# -le 3 ] || { echo "usage: $0 [--suite SUITE] BUILDDIR GNUMACH_TREE [MIG_SRC]" >&2; exit 2; }
build=$(cd "$1" && pwd)
tree=$(cd "$2" && pwd)
migsrc=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
target=i686-gnu
dest="$build/mig-i686"
work="$build/mig-i686-build"

fail() { echo "build-mig: $*" >&2; exit 1; }

if [ -n "$migsrc" ]; then
	migsrc=$(cd "$migsrc" && pwd)
	rev=$(git -C "$migsrc" rev-parse HEAD 2>/dev/null) ||
		fail "MIG_SRC=$migsrc is not a git checkout of MIG"
	[ -f "$migsrc/migcom.c" ] || fail "MIG_SRC=$migsrc does not look like MIG"
	from="MIG $rev ($migsrc)"
else
	rc=0
	"$here/fetch-kernel.sh" "$build" mig-source "$suite" || rc=$?
	[ $rc = 0 ] || fail "no MIG source: give a MIG tree as MIG_SRC=/path (a clone of GNU MIG), or let fetch-kernel.sh reach Debian's archive"
	from="Debian $suite $(cat "$build/mig-source/.tarball")"
fi
machrev=$(git -C "$tree" rev-parse HEAD 2>/dev/null || echo "$tree")
stamp="$from, Mach headers of GNU Mach $machrev"
if [ -f "$dest/.complete" ] && [ "$(cat "$dest/.complete")" = "$stamp" ]; then
	exit 0
fi
echo "build-mig: $target-mig from $from"

rm -rf "$work" "$dest"
mkdir -p "$work"

# The source, unpacked.
if [ -n "$migsrc" ]; then
	mkdir -p "$work/src"
	git -C "$migsrc" archive HEAD | tar -x -C "$work/src"
else
	tar -x -C "$work" -f "$build/mig-source/$(cat "$build/mig-source/.tarball")"
	mv "$work"/mig-* "$work/src"
fi
if [ ! -x "$work/src/configure" ]; then
	(cd "$work/src" && autoreconf -i >"$work/autoreconf.log" 2>&1) ||
		fail "autoreconf of MIG failed, see $work/autoreconf.log"
fi

# The target's Mach headers (GNU Mach's install-data needs no MIG).
mkdir -p "$work/mach-obj"
if [ ! -x "$tree/configure" ]; then
	# A git checkout has no configure: generate it in a copy, never in
	# the user's tree.
	mkdir -p "$work/mach-src"
	git -C "$tree" archive HEAD | tar -x -C "$work/mach-src"
	(cd "$work/mach-src" && autoreconf -i >"$work/mach-autoreconf.log" 2>&1) ||
		fail "autoreconf of GNU Mach failed, see $work/mach-autoreconf.log"
	machsrc="$work/mach-src"
else
	machsrc=$tree
fi
(cd "$work/mach-obj" && "$machsrc/configure" --host=$target --prefix=/usr \
	CC="gcc -m32" LD="ld -melf_i386" MIG=false >configure.log 2>&1) ||
	fail "configure of GNU Mach's headers failed, see $work/mach-obj/configure.log"
make -C "$work/mach-obj" install-data DESTDIR="$work/sysroot" >"$work/mach-obj/install-data.log" 2>&1 ||
	fail "make install-data of GNU Mach failed, see $work/mach-obj/install-data.log"

# MIG itself, for this machine, generating code for the target.  Its
# configure wants a compiler named for the target (Debian's version
# accepts no other name).
mkdir -p "$work/obj" "$work/bin"
printf '#!/bin/sh\nexec gcc -m32 "$@"\n' > "$work/bin/$target-gcc"
chmod +x "$work/bin/$target-gcc"
(cd "$work/obj" && PATH="$work/bin:$PATH" "$work/src/configure" --target=$target \
	--prefix=/usr --libexecdir=/usr/lib/mig \
	TARGET_CPPFLAGS="-I$work/sysroot/usr/include" \
	>configure.log 2>&1) || fail "configure of MIG failed, see $work/obj/configure.log"
PATH="$work/bin:$PATH" make -C "$work/obj" >"$work/obj/make.log" 2>&1 ||
	fail "make of MIG failed, see $work/obj/make.log"
make -C "$work/obj" install DESTDIR="$dest.tmp" >"$work/obj/install.log" 2>&1 ||
	fail "make install of MIG failed, see $work/obj/install.log"
[ -x "$dest.tmp/usr/bin/$target-mig" ] && [ -x "$dest.tmp/usr/lib/mig/$target-migcom" ] ||
	fail "MIG installed no $target-mig and $target-migcom in $dest.tmp"
# The wrapper stays here: the installed script preprocesses with gcc -m32.
sed -e "s|^default_cpp=\"$target-gcc |default_cpp=\"gcc -m32 |" \
	"$dest.tmp/usr/bin/$target-mig" > "$work/mig.script"
grep -q '^default_cpp="gcc -m32 ' "$work/mig.script" ||
	fail "the installed $target-mig names no preprocessor this script knows"
cat "$work/mig.script" > "$dest.tmp/usr/bin/$target-mig"
echo "$stamp" > "$dest.tmp/.complete"
mv "$dest.tmp" "$dest"
echo "build-mig: $dest/usr/bin/$target-mig"

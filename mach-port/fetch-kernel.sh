#!/bin/sh
# fetch-kernel.sh BUILDDIR [mig-source [SUITE]] -- bring Debian's prebuilt
# GNU Mach into BUILDDIR/refkernel/; with mig-source, the source of MIG of
# Debian's SUITE (default trixie, Debian 13) into BUILDDIR/mig-source/
# instead (build-mig.sh builds it for this machine).
#
# The kernel tests run our guest programs on a reference kernel that nobody has
# to build: Debian 13's gnumach image for x86_64, its headers (gnumach-dev,
# for the .defs the guest stubs come from) and the MIG that generates those
# stubs (mig-x86-64-gnu; its binary runs on Debian 12).
#
# The package source is derived from this machine's own apt configuration: the
# entry of Debian's main archive, with its suite swapped for trixie.  No host
# name is written here.  apt runs with a private state, list and cache under
# BUILDDIR/refkernel-apt/, so the system's apt is never touched.
#
# MIG for i686-gnu is not taken from Debian as a binary: Debian builds
# mig-i686-gnu for i386 hosts only, and a build machine need not run i386
# programs.  Its source package is taken instead (the upstream tarball,
# which apt checks against the signed source index), and build-mig.sh
# builds it for this machine.
#
# Idempotent: when the destination's .complete exists nothing is done.
# Exit status: 0 when the kernel is there, 77 (with the reason on stderr) when
# it cannot be had, so a caller running under a test harness can skip.
set -eu

[ $# -ge 1 ] && [ $# -le 3 ] || { echo "usage: $0 BUILDDIR [mig-source [SUITE]]" >&2; exit 2; }
build=$(cd "$1" && pwd)
suite=trixie
case ${2:-kernel} in
kernel)
	dest="$build/refkernel"
	state="$build/refkernel-apt"
	arch=amd64
	types=deb
	# Packages wanted, in order of preference for the image.  The
	# uniprocessor x86_64 build first: it boots fastest under emulation.
	images="gnumach-image-1.8-amd64-up gnumach-image-1.8-amd64-smp gnumach-image-1.8-486"
	others="gnumach-dev mig-x86-64-gnu"
	;;
mig-source)
	# A 2023 Hurd needs a MIG of its time (bookworm's); a 2026 GNU Mach
	# a newer one (trixie's).
	suite=${3:-trixie}
	case $suite in
	''|*[!a-z]*) echo "fetch-kernel: SUITE is a Debian code name, not '$suite'" >&2; exit 2 ;;
	esac
	dest="$build/mig-source"
	state="$build/mig-source-apt"
	arch=amd64
	types=deb-src
	images=""
	others=""
	;;
*) echo "usage: $0 BUILDDIR [mig-source [SUITE]]" >&2; exit 2 ;;
esac

skip() { echo "fetch-kernel: SKIP: $*" >&2; exit 77; }

# have_dest: the destination is complete (and, for a source, of this suite).
have_dest() {
	[ -f "$dest/.complete" ] &&
	{ [ $types = deb ] || [ "$(cat "$dest/.suite" 2>/dev/null || echo trixie)" = "$suite" ]; }
}
if have_dest; then
	exit 0
fi
# Two kernel tests may start at once: the second waits for the first.
if [ -z "${MOSAIC_FETCH_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
	MOSAIC_FETCH_LOCKED=1 exec flock "$dest.lock" "$0" "$@"
fi
if have_dest; then
	exit 0
fi
command -v apt-get >/dev/null 2>&1 || skip "apt-get not found (not a Debian system)"
command -v dpkg-deb >/dev/null 2>&1 || skip "dpkg-deb not found"

# Print "URI SIGNED-BY" for the first entry of Debian's main archive: a deb
# entry with component main whose suite is a plain release (no -security,
# -updates or -backports).  Reads deb822 .sources files first, then the
# one-line format.
archive_entry() {
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
		function flush() {
			if (types ~ /(^| )deb( |$)/ && comps ~ /(^| )main( |$)/ && uri != "" && plain) {
				print uri, (signed == "" ? "-" : signed); found = 1; exit
			}
			types = ""; comps = ""; uri = ""; signed = ""; plain = 0
		}
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		{
			key = $1; sub(/:$/, "", key); $1 = ""; sub(/^ +/, "")
			if (key == "Types") types = $0
			else if (key == "Components") comps = $0
			else if (key == "URIs") { split($0, u, " "); uri = u[1] }
			else if (key == "Signed-By") signed = $0
			else if (key == "Suites") {
				n = split($0, s, " ")
				for (i = 1; i <= n; i++) if (s[i] !~ /-/) plain = 1
			}
		}
		END { if (!found) flush() }' "$f" | head -n 1
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		# deb [opts] URI SUITE COMPONENTS...
		awk '$1 == "deb" {
			signed = "-"; i = 2
			if ($2 ~ /^\[/) {
				while (i <= NF) {
					if ($i ~ /signed-by=/) { signed = $i; sub(/.*signed-by=/, "", signed); sub(/\]$/, "", signed) }
					if ($i ~ /\]$/) { i++; break }
					i++
				}
			}
			uri = $i; suite = $(i + 1)
			main = 0
			for (j = i + 2; j <= NF; j++) if ($j == "main") main = 1
			if (main && suite !~ /-/ && uri !~ /security/) { print uri, signed; exit }
		}' "$f"
	done
}

entry=$(archive_entry | head -n 1)
[ -n "$entry" ] || skip "no Debian main archive entry in /etc/apt/sources.list{,.d}"
uri=${entry% *}
signed=${entry#* }

mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/etc/preferences.d" \
	"$state/debs"
{
	echo "Types: $types"
	echo "URIs: $uri"
	echo "Suites: $suite"
	echo "Components: main"
	[ $types = deb-src ] || echo "Architectures: $arch"
	# Only a keyring file is carried over; an inline key is not (apt then
	# falls back to its trusted keyrings).
	case $signed in /*) echo "Signed-By: $signed" ;; esac
} > "$state/etc/mosaic.sources"
: > "$state/status"

# Every apt call sees only the private files.
apt_private() {
	apt-get -q \
		-o Dir::Etc::sourcelist="$state/etc/mosaic.sources" \
		-o Dir::Etc::sourceparts=- \
		-o Dir::Etc::preferences="$state/etc/preferences" \
		-o Dir::Etc::preferencesparts="$state/etc/preferences.d" \
		-o APT::Sandbox::User=root \
		-o Dir::State="$state" \
		-o Dir::State::lists="$state/lists" \
		-o Dir::State::status="$state/status" \
		-o Dir::Cache="$state/cache" \
		-o APT::Architecture="$arch" \
		-o Debug::NoLocking=1 \
		"$@"
}
apt_cache_private() {
	apt-cache \
		-o Dir::Etc::sourcelist="$state/etc/mosaic.sources" \
		-o Dir::Etc::sourceparts=- \
		-o Dir::State="$state" \
		-o Dir::State::lists="$state/lists" \
		-o Dir::State::status="$state/status" \
		-o Dir::Cache="$state/cache" \
		-o APT::Architecture="$arch" \
		"$@"
}

echo "fetch-kernel: updating a private package list for $suite" >&2
apt_private update >"$state/update.log" 2>&1 \
	|| skip "apt-get update for $suite failed (see $state/update.log)"
# apt-get update exits 0 when it could not reach the archive at all.
ls "$state/lists" | grep -q -e "_Packages" -e "_Sources" \
	|| skip "no package list for $suite: is Debian's archive reachable? (see $state/update.log)"

# The kernel image is an architecture "amd64" package of Debian's own archive
# (the headers and MIG too: they serve cross builds), so one suite suffices.
image=""
for p in $images; do
	if apt_cache_private show "$p" >/dev/null 2>&1; then image=$p; break; fi
done
[ -n "$image" ] || [ -z "$images" ] || skip "no gnumach image among: $images in $suite"

cd "$state/debs"
if [ $types = deb-src ]; then
	# Only the upstream tarball is needed (no dpkg-source): apt keeps
	# a file only once its hash matches the signed index, so a tarball
	# here is Debian's, whatever became of the other files of the
	# package (some mirrors lack a .dsc).
	# The suite's own version: a tarball of another suite goes.
	version=$(apt_cache_private showsrc mig 2>/dev/null | awk '$1 == "Version:" { print $2; exit }')
	upstream=${version#*:}
	upstream=${upstream%-*}
	[ -n "$upstream" ] || skip "no source package mig in $suite (see $state/update.log)"
	for t in mig_*.orig.tar.*; do
		case $t in "mig_$upstream.orig.tar."*) ;; *) rm -f "$t" ;; esac
	done
	ls "mig_$upstream.orig.tar."* >/dev/null 2>&1 ||
		apt_private source --download-only mig >"$state/download.log" 2>&1 || true
	tarball=$(ls "mig_$upstream.orig.tar."* 2>/dev/null | head -n 1)
	[ -n "$tarball" ] || skip "apt-get source mig in $suite gave no upstream tarball (see $state/download.log)"
	rm -rf "$dest.tmp"
	mkdir -p "$dest.tmp"
	cp "$tarball" "$dest.tmp/"
	echo "$tarball" > "$dest.tmp/.tarball"
	echo "$suite" > "$dest.tmp/.suite"
	rm -rf "$dest"
	mv "$dest.tmp" "$dest"
	touch "$dest/.complete"
	echo "fetch-kernel: $tarball ($suite) in $dest" >&2
	exit 0
fi
for p in $image $others; do
	ls ${p}_*.deb >/dev/null 2>&1 && continue
	apt_private download "$p" >>"$state/download.log" 2>&1 \
		|| skip "apt-get download $p failed (see $state/download.log)"
done

rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
for d in "$state"/debs/*.deb; do
	dpkg-deb -x "$d" "$dest.tmp"
done
if [ -n "$image" ]; then
	# GRUB can read the gzip'd image, but a plain one is simpler to inspect.
	kimg=$(ls "$dest.tmp"/boot/gnumach-*.gz | grep -v -- '-dbg' | head -n 1)
	[ -n "$kimg" ] || skip "$image has no boot/gnumach-*.gz"
	gzip -dc "$kimg" > "$dest.tmp/gnumach"
	echo "$image" > "$dest.tmp/.image"
fi
rm -rf "$dest"
mv "$dest.tmp" "$dest"
touch "$dest/.complete"
echo "fetch-kernel: $image $others unpacked in $dest" >&2

#!/bin/sh
# patch-glibc.sh [GLIBC_TARBALL] WORK [OUT] | --check | --files -- mosaic's patch for
# glibc (mach-port/hurd/glibc/*.edit: glibc's read uses the Hurd's
# io_read_direct, which the Hurd series' second patch adds) on glibc 2.36
# as Debian 12's glibc-source ships it (default
# /usr/src/glibc/glibc-2.36.tar.xz).
#
# glibc comes here as a tarball, not a git tree, and the patch edits one
# file: WORK is a git repository of the files the patch edits, as the
# tarball has them (one commit), on which mach-port/patch-series.sh (the
# GNU Mach series' engine: mach-port/series/README.md) commits the patch;
# with OUT it writes it with git format-patch and a cover letter
# (glibc/cover-letter), checked to apply with git am.  It applies with
# `git am' (or `patch -p1') to glibc 2.36's tree.  make hurd builds the same
# edits into glibc (build-hurd.sh, step glibc_direct).  --check parses
# the patch with no tree; --files prints the files of glibc's tree it edits
# (build-hurd.sh takes them so).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
export MOSAIC_SERIES_DIR="$here/glibc" MOSAIC_SERIES_PROJECT=glibc \
	MOSAIC_SERIES_TREE_FILE=hurd/fd-read.c
[ "${1:-}" != --check ] || exec sh "$here/../patch-series.sh" --check
files=$(sed -n -e 's/^after //p' -e 's/^before //p' -e 's/^replace //p' "$here"/glibc/*.edit | sort -u)
[ "${1:-}" != --files ] || { printf '%s\n' $files; exit 0; }
tarball=/usr/src/glibc/glibc-2.36.tar.xz
case ${1:-} in
*.tar.*) tarball=$1; shift ;;
esac
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 [GLIBC_TARBALL] WORK [OUT] | --check | --files" >&2; exit 2; }
[ -f "$tarball" ] || { echo "patch-glibc: no $tarball (Debian: glibc-source)" >&2; exit 1; }
base="$1.base"
rm -rf "$base"
mkdir -p "$base"
# shellcheck disable=SC2086
tar -x -J -f "$tarball" -C "$base" --strip-components=1 $(for f in $files; do echo "glibc-2.36/$f"; done)
git -C "$base" init -q
git -C "$base" add -A
git -C "$base" -c user.name="glibc 2.36" -c user.email=libc-alpha@sourceware.org \
	commit -q -m "glibc 2.36 (${tarball##*/}): the files mosaic's patch edits"
exec sh "$here/../patch-series.sh" "$base" "$@"

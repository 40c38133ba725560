#!/bin/sh
# patch-hurd.sh HURD_SRC WORK [OUT] | --check -- mosaic's patch series for
# the Hurd (mach-port/hurd/series/*.edit) on the Hurd's commit b8bcd4eb,
# the one build-hurd.sh builds.
#
# The series' engine is mach-port/patch-series.sh, the GNU Mach series'
# own (mach-port/series/README.md describes the format): it clones
# HURD_SRC's commit into WORK (sharing its objects; your tree is never
# changed), commits one patch per .edit file, each an edit of the Hurd's
# files at lines that must be there exactly once, and with OUT writes the
# series with git format-patch, a cover letter first (series/cover-letter),
# checking that git am of it on a clean clone of the commit gives WORK's
# tree.  --check parses the series with no tree.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
MOSAIC_SERIES_DIR="$here/series" MOSAIC_SERIES_PROJECT="the Hurd" \
MOSAIC_SERIES_TREE_FILE=libpager/pager-memcpy.c \
MOSAIC_SERIES_BASE=b8bcd4eb1438721f6a52bfd1e458307d4e105d89 \
	exec sh "$here/../patch-series.sh" "$@"

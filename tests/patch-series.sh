#!/bin/sh
# patch-series.sh SRCROOT -- the series' edit engine (mach-port/patch-series.sh)
# on a fixture tree (tests/series/), under every awk this machine has.
#
# The fixture's anchors and lines hold what tools reinterpret: trailing
# backslashes (which gawk's -v once turned into nothing, so that edits of
# Makefrag.am silently did not happen), tabs, "\t" and "\\" as text, "&",
# "%", regular-expression characters.  Under each awk the result must be
# exactly tests/series/expected/.  Then the engine must refuse, naming the
# patch, the file and the anchor, an anchor that is not in the tree, one
# that is there twice, a replaced range with no last line, and a line that
# is not an edit; and the real series (mach-port/series/) must parse.
set -eu
top=$(cd "$1" && pwd)
script="$top/mach-port/patch-series.sh"
fx="$top/tests/series"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
bad() { echo "FAIL: $*"; failed=1; }

# The awks: each name once, by what it runs.
awks=""
seen=""
for a in awk mawk gawk original-awk nawk "busybox awk"; do
	set -- $a
	p=$(command -v "$1" 2>/dev/null) || continue
	if [ "$1" = busybox ]; then
		"$p" awk 'BEGIN { exit 0 }' 2>/dev/null || continue
	fi
	real=$(readlink -f "$p")
	case " $seen " in *" $real "*) [ "$1" = busybox ] || continue ;; esac
	seen="$seen $real"
	awks="$awks|$a"
done
[ -n "$awks" ] || { echo "no awk on this machine"; exit 77; }

run() {  # AWK PATCHDIR TREE OUT -> the engine's exit status, stderr in $tmp/err
	rc=0
	AWK="$1" MOSAIC_SERIES_DIR="$2" MOSAIC_SERIES_NOGIT=1 \
		sh "$script" "$3" "$4" >/dev/null 2>"$tmp/err" || rc=$?
	return $rc
}

IFS='|'
for a in $awks; do
	[ -n "$a" ] || continue
	unset IFS
	set -- $a
	echo "== awk: $a ($(readlink -f "$(command -v "$1")"))"
	if run "$a" "$fx/patches" "$fx/tree" "$tmp/out"; then
		if diff -r "$fx/expected" "$tmp/out" >"$tmp/diff"; then
			echo "ok: the fixture series gives the expected tree"
		else
			bad "$a: the tree differs from tests/series/expected:"; cat "$tmp/diff"
		fi
	else
		bad "$a: the fixture series failed: $(cat "$tmp/err")"
	fi

	# A broken anchor, in each of the patches' edits of GNU Mach files:
	# the script stops and names the patch, the file and the anchor.
	for p in 01-first 02-second; do
		grep -n '^[=~]' "$fx/patches/$p.edit" | while IFS=: read -r n line; do
			rm -rf "$tmp/pp"; cp -R "$fx/patches" "$tmp/pp"
			sed "${n}s/\$/ (broken)/" "$fx/patches/$p.edit" > "$tmp/pp/$p.edit"
			if run "$a" "$tmp/pp" "$fx/tree" "$tmp/out"; then
				echo "FAIL: $a: $p.edit line $n broken, and the script succeeded"
				echo x >> "$tmp/failures"
			elif ! grep -qF "$p.edit: edit" "$tmp/err" || ! grep -qF "(broken)" "$tmp/err"; then
				echo "FAIL: $a: $p.edit line $n broken: the error names neither patch nor anchor: $(cat "$tmp/err")"
				echo x >> "$tmp/failures"
			fi
		done
	done
	if [ -f "$tmp/failures" ]; then
		failed=1; rm -f "$tmp/failures"
	else
		echo "ok: every broken anchor stops the script, named"
	fi

	# An anchor twice in the tree.
	rm -rf "$tmp/t2"; cp -R "$fx/tree" "$tmp/t2"
	printf '\tkern/experimental.srv \\\n' >> "$tmp/t2/Makefrag.am"
	if run "$a" "$fx/patches" "$tmp/t2" "$tmp/out"; then
		bad "$a: an anchor there twice was taken"
	else
		grep -qF "is there 2 times" "$tmp/err" || bad "$a: twice: $(cat "$tmp/err")"
	fi

	# A block anchor there twice: its first line alone is not enough.
	rm -rf "$tmp/pb" "$tmp/tb"; mkdir -p "$tmp/pb" "$tmp/tb"
	printf '/*\n * one\n */\n/*\n * two\n */\n/*\n * one\n */\n' > "$tmp/tb/f"
	printf 'fixture: Anchor on a block\n---\nafter f\n=/*\n~ * one\n+new\n' > "$tmp/pb/01.edit"
	if run "$a" "$tmp/pb" "$tmp/tb" "$tmp/out"; then
		bad "$a: a block anchor there twice was taken"
	else
		grep -qF "'/*' ... ' * one' are there 2 times" "$tmp/err" || bad "$a: block twice: $(cat "$tmp/err")"
	fi
	printf 'fixture: Anchor on a block\n---\nafter f\n=/*\n~ * two\n+new\n' > "$tmp/pb/01.edit"
	if run "$a" "$tmp/pb" "$tmp/tb" "$tmp/out" && [ "$(sed -n 6p "$tmp/out/f")" = new ]; then
		:
	else
		bad "$a: a block anchor there once: $(cat "$tmp/err")"
	fi

	# A replaced range whose last line is not after its first.
	rm -rf "$tmp/pp"; cp -R "$fx/patches" "$tmp/pp"
	sed 's/^=    }$/=    } (nowhere)/' "$fx/patches/01-first.edit" > "$tmp/pp/01-first.edit"
	if run "$a" "$tmp/pp" "$fx/tree" "$tmp/out"; then
		bad "$a: a range with no last line was replaced"
	else
		grep -qF "no line '    } (nowhere)'" "$tmp/err" || bad "$a: no last line: $(cat "$tmp/err")"
	fi

	# A line that is not an edit.
	rm -rf "$tmp/pp"; cp -R "$fx/patches" "$tmp/pp"
	printf 'frobnicate Makefrag.am\n' >> "$tmp/pp/02-second.edit"
	if run "$a" "$tmp/pp" "$fx/tree" "$tmp/out"; then
		bad "$a: a line that is no edit was taken"
	else
		grep -qF "not an edit line: frobnicate" "$tmp/err" || bad "$a: not an edit: $(cat "$tmp/err")"
	fi

	# The real series parses, and every file it adds is mosaic's.
	if AWK="$a" sh "$script" --check >"$tmp/out.check" 2>"$tmp/err"; then
		cat "$tmp/out.check"
	else
		bad "$a: mach-port/series does not parse: $(cat "$tmp/err")"
	fi
	IFS='|'
done
unset IFS

# Another project's tree, the series made on a commit of its history
# (MOSAIC_SERIES_BASE, _PROJECT, _TREE_FILE: the Hurd's series so): a git
# tree whose first commit is the fixture and whose HEAD has the anchor
# twice.  The series goes on the first commit, not on HEAD; a tree without
# the project's file, or without the commit, is refused, named.
g="$tmp/git"
rm -rf "$g" "$tmp/gw"
cp -R "$fx/tree" "$g"
git -C "$g" init -q
git -C "$g" add -A
git -C "$g" -c user.name=fixture -c user.email=fixture@localhost commit -q -m base
gbase=$(git -C "$g" rev-parse HEAD)
printf '\tkern/experimental.srv \\\n' >> "$g/Makefrag.am"
git -C "$g" -c user.name=fixture -c user.email=fixture@localhost commit -q -a -m later
gsh() {  # the engine on the git fixture, stderr in $tmp/err
	rc=0
	MOSAIC_SERIES_DIR="$fx/patches" MOSAIC_SERIES_PROJECT="the fixture" \
		MOSAIC_SERIES_TREE_FILE="${treefile:-Makefrag.am}" "$@" \
		sh "$script" "$g" "$tmp/gw" >/dev/null 2>"$tmp/err" || rc=$?
	return $rc
}
npatches=$(ls "$fx/patches"/*.edit | wc -l)
if gsh env MOSAIC_SERIES_BASE="$gbase" &&
   [ "$(git -C "$tmp/gw" rev-list --count "$gbase..HEAD")" = "$npatches" ] &&
   diff -r -x .git "$fx/expected" "$tmp/gw" >"$tmp/diff"; then
	echo "ok: MOSAIC_SERIES_BASE: the series on that commit of the history, not on HEAD"
else
	bad "MOSAIC_SERIES_BASE: $(cat "$tmp/err" "$tmp/diff" 2>/dev/null)"
fi
if gsh env; then
	bad "the series on the fixture's HEAD (its anchor there twice) was taken"
fi
if gsh env MOSAIC_SERIES_BASE=0123456789abcdef0123456789abcdef01234567; then
	bad "a base the history lacks was taken"
else
	grep -qF "is not a git checkout of the fixture with commit 0123456789abcdef" "$tmp/err" ||
		bad "no base: $(cat "$tmp/err")"
fi
if treefile=vm/vm_fault.c gsh env MOSAIC_SERIES_BASE="$gbase"; then
	bad "a tree without the project's file was taken"
else
	grep -qF "does not look like a tree of the fixture (no vm/vm_fault.c)" "$tmp/err" ||
		bad "no project file: $(cat "$tmp/err")"
fi

[ $failed = 0 ] || exit 1
echo "PASS"

#!/bin/sh
# patch-series.sh GNUMACH_SRC WORK [OUT] -- mosaic as a patch series for
# GNU Mach.
#
# Clones the HEAD commit of GNUMACH_SRC (a git checkout of GNU Mach) into
# WORK, sharing its objects: the user's tree is never changed, and what is
# uncommitted there is not used.  Then commits mosaic onto it, one commit
# per file of mach-port/series/ (NN-name.edit), in the order of their
# names.  Each file is one patch: its commit message, then the patch as
# edits anchored on whole lines of GNU Mach's files (mach-port/series/
# README.md describes the format).  mosaic never carries GNU Mach's code:
# an edit names the lines it goes after, before or in place of, and those
# lines must be in the tree exactly once.
#
# The commits are made by the person running this (git's user.name and
# user.email, as for any commit of theirs), dated now; a build without OUT
# on a machine with no git identity commits as "mosaic build".
#
# Every edit is checked after it is made: the file must hold the new lines
# where the anchor was, and nothing else may have changed.  An anchor that
# is missing or not unique, or an edit that did not happen, stops the
# script naming the patch, the file and the anchor, before anything is
# committed for that patch.  The edits are done with grep, head and tail
# (an anchor is handed to grep in a file, never through a command line or
# an awk variable, so no tool reinterprets its backslashes); awk only
# splits the series' files into their parts (AWK, default awk: mawk, gawk
# and busybox awk alike).
#
# With OUT, `git format-patch' writes the series there (emptied first),
# after a cover letter (0000-cover-letter.patch: the subject and text of
# mach-port/series/cover-letter, git's shortlog and diffstat); `git am' of
# the patches on a clean tree of the same commit gives WORK's tree, which is
# checked.  build-kernel.sh
# builds from WORK, so `make kernel' and the series are one.
#
# MOSAIC_SERIES_DIR names another directory of .edit files (the tests'
# fixtures); MOSAIC_SERIES_NOGIT=1 applies the edits to WORK as a plain
# copy of GNUMACH_SRC, with no git (the tests' fixture trees);
# MOSAIC_SERIES_ONLY="FILE..." applies only the edits of those files of the
# tree and adds nothing (the guests' build takes the interface files so).
#
# The same makes a series for another project's tree (the Hurd's:
# mach-port/hurd/patch-hurd.sh): MOSAIC_SERIES_PROJECT names the project in
# messages (default "GNU Mach"), MOSAIC_SERIES_TREE_FILE is a file every
# tree of it has (default vm/vm_fault.c), MOSAIC_SERIES_BASE the commit of
# the tree's history the series is made on (default its HEAD).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
series=${MOSAIC_SERIES_DIR:-$here/series}
AWK=${AWK:-awk}
nogit=${MOSAIC_SERIES_NOGIT:-0}
only=${MOSAIC_SERIES_ONLY:-}
project=${MOSAIC_SERIES_PROJECT:-GNU Mach}
treefile=${MOSAIC_SERIES_TREE_FILE:-vm/vm_fault.c}

fail() { echo "patch-series: $*" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# split PATCH: the patch's parts into $tmp/p: msg (the commit message),
# and for the Kth edit, op.K ("after FILE", "before FILE", "replace FILE"
# or "add SRC DST"), anchor.K (its = lines), lines.K (its + lines, without
# the marker), block.K (its ~ lines: the lines the first anchor line must
# be followed by), from.K (the mosaic file its < line names) and toend.K
# (if it has a $ line).  Lines are written as read, the marker cut off.
split() {
	rm -rf "$tmp/p"
	mkdir "$tmp/p"
	PATCH_PARTS="$tmp/p" $AWK '
		function fail(why) { print FILENAME ":" FNR ": " why > "/dev/stderr"; bad = 1; exit 1 }
		function close_op() {
			if (k > 0) { close(dir "/anchor." k); close(dir "/lines." k); close(dir "/block." k) }
		}
		in_msg && $0 == "---" { in_msg = 0; close(dir "/msg"); next }
		in_msg { print > (dir "/msg"); next }
		/^#/ || /^$/ { inop = 0; next }
		/^(after|before|replace) [^ ]+$/ {
			close_op(); k++; inop = 1
			print > (dir "/op." k); close(dir "/op." k)
			printf "" > (dir "/anchor." k); printf "" > (dir "/lines." k)
			next
		}
		/^add [^ ]+ [^ ]+$/ {
			close_op(); k++; inop = 0
			print > (dir "/op." k); close(dir "/op." k)
			next
		}
		inop && /^=/ { nanchor[k]++; print substr($0, 2) > (dir "/anchor." k); next }
		inop && /^~/ {
			if (nanchor[k] != 1) fail("a ~ line not right after the first = line: " $0)
			print substr($0, 2) > (dir "/block." k); next
		}
		inop && /^\+/ { print substr($0, 2) > (dir "/lines." k); next }
		inop && $0 == "$" { print "" > (dir "/toend." k); close(dir "/toend." k); next }
		inop && /^</ { print substr($0, 2) > (dir "/from." k); close(dir "/from." k); next }
		{ fail("not an edit line: " $0) }
		BEGIN { in_msg = 1; dir = ENVIRON["PATCH_PARTS"] }
		END {
			if (bad) exit 1
			if (in_msg) { print FILENAME ": no --- line after the message" > "/dev/stderr"; exit 1 }
			close_op(); print k > (dir "/count")
		}' "$1" || fail "$(basename "$1"): not a series file (mach-port/series/README.md)"
}

# count FILE PATTERNFILE: how many lines of FILE equal the line in
# PATTERNFILE.
count() {
	grep -c -x -F -f "$2" "$1" || true
}

# block_at FILE BLOCKFILE: the numbers of the lines of FILE where the lines
# of BLOCKFILE begin, consecutive and whole (its first line is found by
# grep, the others compared).
block_at() {
	head -n 1 "$2" > "$tmp/block.first"
	nb=$(wc -l < "$2")
	grep -n -x -F -f "$tmp/block.first" "$1" | while IFS=: read -r k rest; do
		if tail -n +"$k" "$1" | head -n "$nb" | cmp -s - "$2"; then
			echo "$k"
		fi
	done
}

# line_of FILE PATTERNFILE [FROM]: the number of the first line of FILE, at
# FROM or after, equal to the line in PATTERNFILE; empty if none.
line_of() {
	tail -n +"${3:-1}" "$1" | grep -n -x -F -f "$2" | head -n 1 | {
		IFS=: read -r n rest || exit 0
		echo $((n + ${3:-1} - 1))
	}
}

# edit K PATCHNAME: the Kth edit of the patch split into $tmp/p.
edit() {
	read -r what f rest < "$tmp/p/op.$1"
	where="$2: edit $1 ($what $f)"
	if [ -n "$only" ]; then
		case $what in add) return ;; esac
		case " $only " in *" $f "*) ;; *) return ;; esac
	fi
	case $what in
	add)
		[ -f "$top/$f" ] || fail "$where: no file $f in mosaic"
		mkdir -p "$(dirname "$w/$rest")"
		cp "$top/$f" "$w/$rest"
		cmp -s "$top/$f" "$w/$rest" || fail "$where: $rest is not $f after the copy"
		return ;;
	esac
	file="$w/$f"
	[ -f "$file" ] || fail "$where: $project has no $f"
	if [ -f "$tmp/p/from.$1" ]; then
		from=$(cat "$tmp/p/from.$1")
		[ ! -s "$tmp/p/lines.$1" ] || fail "$where: both + lines and <$from"
		[ -f "$top/$from" ] || fail "$where: no file $from in mosaic"
		cat "$top/$from" > "$tmp/p/lines.$1"
	fi
	toend=0
	if [ -f "$tmp/p/toend.$1" ]; then
		[ "$what" = replace ] || fail "$where: \$ (through the end of the file) in a $what"
		toend=1
	fi
	anchors=$(wc -l < "$tmp/p/anchor.$1")
	sed -n 1p "$tmp/p/anchor.$1" > "$tmp/first"
	sed -n 2p "$tmp/p/anchor.$1" > "$tmp/last"
	first=$(cat "$tmp/first")
	case $what:$anchors:$toend in
	after:1:0|before:1:0|replace:1:*|replace:2:0) ;;
	*) fail "$where: $anchors anchor line(s)" ;;
	esac
	[ -n "$first" ] || fail "$where: an empty anchor line"
	# The anchor: its first line, and the ~ lines that must follow it.
	cat "$tmp/first" > "$tmp/block"
	[ ! -f "$tmp/p/block.$1" ] || cat "$tmp/p/block.$1" >> "$tmp/block"
	nblock=$(wc -l < "$tmp/block")
	if [ "$nblock" = 1 ]; then
		n=$(count "$file" "$tmp/first")
		[ "$n" = 1 ] || fail "$where: the line '$first' is there $n times, not once"
		a=$(line_of "$file" "$tmp/first")
	else
		block_at "$file" "$tmp/block" > "$tmp/at"
		n=$(wc -l < "$tmp/at")
		[ "$n" = 1 ] ||
			fail "$where: the $nblock lines '$first' ... '$(tail -n 1 "$tmp/block")' are there $n times, not once"
		a=$(cat "$tmp/at")
	fi
	z=$((a + nblock - 1))	# the anchor's last line
	case $what in
	after)   keep=$z;       resume=$((z + 1)) ;;
	before)  keep=$((a - 1)); resume=$a ;;
	replace)
		keep=$((a - 1))
		if [ $toend = 1 ]; then
			b=$(wc -l < "$file")
		elif [ "$anchors" = 2 ]; then
			b=$(line_of "$file" "$tmp/last" "$((z + 1))")
			[ -n "$b" ] || fail "$where: no line '$(cat "$tmp/last")' after '$first'"
		else
			b=$z
		fi
		resume=$((b + 1)) ;;
	esac
	{
		head -n "$keep" "$file"
		cat "$tmp/p/lines.$1"
		tail -n +"$resume" "$file"
	} > "$file.new"
	# The edit is there: the new lines where the anchor was, the lines
	# before and after it as they were.
	added=$(wc -l < "$tmp/p/lines.$1")
	head -n "$keep" "$file" > "$tmp/before"
	tail -n +"$resume" "$file" > "$tmp/after"
	head -n "$keep" "$file.new" | cmp -s - "$tmp/before" &&
	tail -n +"$((keep + 1))" "$file.new" | head -n "$added" | cmp -s - "$tmp/p/lines.$1" &&
	tail -n +"$((keep + added + 1))" "$file.new" | cmp -s - "$tmp/after" ||
		fail "$where: the edit at '$first' is not in the file"
	mv "$file.new" "$file"
}

ls "$series"/*.edit >/dev/null 2>&1 || fail "no patches (*.edit) in $series"

# --check: every patch parses and every file it adds is in mosaic; no
# tree needed (make check runs it).
if [ "${1:-}" = --check ]; then
	n=0
	for p in "$series"/*.edit; do
		split "$p"
		[ -s "$tmp/p/msg" ] || fail "$(basename "$p"): no commit message"
		k=1
		while [ $k -le "$(cat "$tmp/p/count")" ]; do
			read -r what f rest < "$tmp/p/op.$k"
			case $what in
			add) [ -f "$top/$f" ] || fail "$(basename "$p"): edit $k adds $f, which mosaic has not" ;;
			*) [ -s "$tmp/p/anchor.$k" ] || fail "$(basename "$p"): edit $k ($what $f) has no anchor" ;;
			esac
			k=$((k + 1))
		done
		n=$((n + 1))
	done
	[ "$n" = 1 ] && what=patch || what=patches
	echo "patch-series: $n $what in $series parse"
	exit 0
fi

[ $# -ge 2 ] || { echo "usage: $0 GNUMACH_SRC WORK [OUT] | --check" >&2; exit 2; }
src=$(cd "$1" && pwd)
work=$2
out=${3:-}

if [ "$nogit" = 1 ]; then
	rm -rf "$work"
	cp -R "$src" "$work"
	w=$(cd "$work" && pwd)
else
	base=$(git -C "$src" rev-parse --verify -q "${MOSAIC_SERIES_BASE:-HEAD}^{commit}") ||
		fail "$src is not a git checkout of $project${MOSAIC_SERIES_BASE:+ with commit $MOSAIC_SERIES_BASE}"
	git -C "$src" cat-file -e "$base:$treefile" 2>/dev/null ||
		fail "$src does not look like a tree of $project (no $treefile)"
	# The series is sent by the person who makes it: their git identity.
	# A build's own tree (no OUT) needs one too, but sends nothing: a
	# machine without an identity builds under a local one.
	name=$(git -C "$src" config user.name || true)
	email=$(git -C "$src" config user.email || true)
	if [ -z "$name" ] || [ -z "$email" ]; then
		[ -z "$out" ] ||
			fail "git has no user.name or user.email: a series is sent by a person (git config --global user.name 'Your Name'; git config --global user.email you@example.org)"
		name="mosaic build"; email="build@localhost"
	fi
	rm -rf "$work"
	git clone -q --shared --no-checkout "$src" "$work"
	git -C "$work" checkout -q --detach "$base"
	w=$(cd "$work" && pwd)
	git -C "$w" config user.name "$name"
	git -C "$w" config user.email "$email"
fi

for p in "$series"/*.edit; do
	patch=$(basename "$p")
	split "$p"
	k=1
	while [ $k -le "$(cat "$tmp/p/count")" ]; do
		edit $k "$patch"
		k=$((k + 1))
	done
	if [ "$nogit" != 1 ]; then
		git -C "$w" add -A
		git -C "$w" commit -q -F "$tmp/p/msg" ||
			fail "$patch: git commit failed"
	fi
done

if [ -n "$out" ] && [ "$nogit" != 1 ]; then
	rm -rf "$out"
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	git -C "$w" format-patch -q --cover-letter -o "$out" "$base"
	# The cover letter: the subject and the text of series/cover-letter
	# (its first line, then the rest) in place of git's placeholders,
	# before its shortlog and diffstat.
	letter="$out/0000-cover-letter.patch"
	[ -f "$series/cover-letter" ] || fail "no cover letter: $series/cover-letter"
	head -n 1 "$series/cover-letter" > "$tmp/subject"
	tail -n +3 "$series/cover-letter" > "$tmp/blurb"
	[ "$(grep -c -x -F '*** BLURB HERE ***' "$letter")" = 1 ] &&
	[ "$(grep -c -F '*** SUBJECT HERE ***' "$letter")" = 1 ] ||
		fail "git format-patch's cover letter has not the placeholders this script fills"
	PATCH_SUBJECT="$(cat "$tmp/subject")" PATCH_BLURB="$tmp/blurb" $AWK '
		index($0, "*** SUBJECT HERE ***") {
			sub(/\*\*\* SUBJECT HERE \*\*\*/, "")
			print $0 ENVIRON["PATCH_SUBJECT"]; next
		}
		$0 == "*** BLURB HERE ***" {
			while ((getline l < ENVIRON["PATCH_BLURB"]) > 0) print l
			next
		}
		{ print }' "$letter" > "$letter.new"
	mv "$letter.new" "$letter"
	# The series as a maintainer gets it: git am on a clean clone of the
	# base must give exactly this tree.
	check="$w.am-check"
	rm -rf "$check"
	git clone -q --shared --no-checkout "$src" "$check"
	git -C "$check" checkout -q --detach "$base"
	git -C "$check" -c user.name="$(git -C "$w" config user.name)" \
		-c user.email="$(git -C "$w" config user.email)" am -q \
		$(ls "$out"/*.patch | grep -v '/0000-cover-letter\.patch$') ||
		fail "git am of $out does not apply to $base"
	[ "$(git -C "$check" rev-parse 'HEAD^{tree}')" = "$(git -C "$w" rev-parse 'HEAD^{tree}')" ] ||
		fail "git am of $out gives another tree than $w"
	rm -rf "$check"
	n=$(ls "$out" | grep -c -v '^0000-cover-letter')
	[ "$n" = 1 ] && what=patch || what=patches
	echo "patch-series: $n $what on $project $base in $out (git am checked):"
	for p in "$out"/*.patch; do
		printf '  %-60s %6s lines\n' "$(basename "$p")" "$(wc -l < "$p")"
	done
fi

#!/bin/sh
# kernel-core-used.sh SRCROOT [CC] -- nothing in the kernel that the kernel
# does not use: every function the core files the GNU Mach series adds
# (mach-port/series/*.edit, `add core/...') define is called by another of
# them or named by a port file the series adds (`add mach-port/...') or a
# fragment of ours it puts into a GNU Mach file (`<mach-port/...').
# The core's files for other hosts (names, the proxies' one-step creation
# and inspection) are not among them; a function the kernel no longer calls
# must move there or go.  Exit 1 naming each unused function.
set -eu
top=$(cd "$1" && pwd)
cc=${2:-cc}
AWK=${AWK:-awk}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat "$top"/mach-port/series/*.edit | $AWK '$1 == "add" && $2 ~ /^core\/.*\.c$/ { print $2 }' > "$tmp/core"
cat "$top"/mach-port/series/*.edit | $AWK '
	$1 == "add" && $2 ~ /^mach-port\// { print $2 }
	/^<mach-port\// { print substr($0, 2) }' > "$tmp/port"
[ -s "$tmp/core" ] || { echo "kernel-core-used: the series adds no core source"; exit 1; }
while IFS= read -r f; do
	o="$tmp/$(basename "$f" .c).o"
	# Unoptimised: every call, within a file too, is a relocation.
	"$cc" -std=gnu11 -O0 -fno-inline -ffreestanding -fno-builtin -I"$top/core" \
		-I"$top/mach-port" -c "$top/$f" -o "$o"
	nm -g --defined-only "$o" | $AWK '$2 == "T" { print $3 }' >> "$tmp/defined"
	objdump -r "$o" | $AWK '$2 ~ /^R_/ { sub(/[-+].*/, "", $3); print $3 }' >> "$tmp/used"
done < "$tmp/core"
# The port files compile only in a GNU Mach tree: their code is read, the
# comments left out (a function a comment names is not a function used).
while IFS= read -r f; do
	$AWK '{
		line = $0; out = ""
		while (line != "") {
			if (incomment) {
				i = index(line, "*/")
				if (i == 0) { line = ""; break }
				line = substr(line, i + 2); incomment = 0
			} else {
				i = index(line, "/*")
				if (i == 0) { out = out line; line = ""; break }
				out = out substr(line, 1, i - 1); line = substr(line, i + 2); incomment = 1
			}
		}
		print out
	}' "$top/$f" | grep -o 'vmc_[A-Za-z0-9_]*' >> "$tmp/used" || true
done < "$tmp/port"
sort -u "$tmp/defined" > "$tmp/d"
sort -u "$tmp/used" > "$tmp/u"
unused=$(comm -23 "$tmp/d" "$tmp/u")
n=$(wc -l < "$tmp/d")
if [ -n "$unused" ]; then
	echo "kernel-core-used: functions the kernel's core defines and nothing in the kernel uses:"
	echo "$unused" | sed 's/^/  /'
	exit 1
fi
echo "kernel-core-used: $n functions of $(wc -l < "$tmp/core") core files, each used by the kernel"

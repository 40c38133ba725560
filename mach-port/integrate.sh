#!/bin/sh
# integrate.sh GNUMACH_SRC -- adds mosaic to a GNU Mach source tree.
#
# What it does to the tree, and nothing else (mach-port/README.md lists and
# explains each point):
#   1. copies core/*.[ch] and mosaic's kernel files from mach-port/ (the port
#      layer, the RPC server, the core's host header, mosaic.defs and its .srv) into
#      GNUMACH_SRC/mosaic/, with mosaic/Makefrag.am listing them and asking
#      GNU Mach's own MIG rules for mosaic.defs' server stubs;
#   2. adds one line, `include mosaic/Makefrag.am', after the anchor line
#      `include Makefrag.am' of GNUMACH_SRC/Makefile.am;
#   3. adds two lines to GNUMACH_SRC/kern/ipc_kobject.c: the include of the
#      generated mosaic/mosaic.server.h after the anchor line
#      `#include <kern/experimental.server.h>', and mosaic's demux routine
#      after the anchor line `|| (routine = experimental_server_routine(...'
#      in ipc_kobject_server's chain;
#   4. installs the trap form of vm_read_fast in GNUMACH_SRC/kern/syscall_sw.c:
#      the include of mosaic/vmc_server.h after the anchor line
#      `#include <kern/eventcount.h>', and the unused table line
#      `MACH_TRAP(kern_invalid, 0), /* 120 */' replaced by mosaic's trap;
#   5. hands GNU Mach's proxies to mosaic (vmc_proxy_gnumach.c): the include
#      of mosaic/vmc_proxy_gnumach.h in vm/memory_object_proxy.h, and one
#      line that returns mosaic's routine first thing in each stock one:
#      memory_object_proxy_notify, memory_object_create_proxy and
#      memory_object_proxy_lookup (vm/memory_object_proxy.c), vm_map's branch
#      for a port that is not a memory object (vm/vm_user.c), and
#      vm_region_create_proxy (vm/vm_map.c).
#   6. fixes a stock defect mosaic's stress reaches (README, "Several
#      processors and stress"): in memory_object_lock_page
#      (vm/memory_object.c), before the anchor line
#      `assert(!m->fictitious);', one line that is done with a page in
#      error (the pager's memory_object_data_error), freeing it for a flush.
# Running it again changes nothing: files are copied only when they differ,
# and each line is added only when it is missing.  It refuses a tree where
# an anchor line is not found exactly once, before changing anything.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 GNUMACH_SRC" >&2; exit 2; }
tree=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

[ -f "$tree/Makefile.am" ] && [ -f "$tree/vm/vm_fault.c" ] || {
	echo "integrate: $tree does not look like a GNU Mach source tree" >&2
	exit 1
}

# The anchored edits: FILE, ANCHOR (a whole line, as a fixed string), LINE
# added after it.  The marker comment in each added line is how a second
# run knows it is there.
kobject_include_anchor='#include <kern/experimental.server.h>'
kobject_include_line='#include <mosaic/mosaic.server.h>	/* mosaic: added by mosaic/integrate.sh */'
kobject_demux_anchor='	 || (routine = experimental_server_routine(&request->ikm_header)) != 0'
kobject_demux_line='	 || (routine = mosaic_server_routine(&request->ikm_header)) != 0	/* mosaic */'

syscall_include_anchor='#include <kern/eventcount.h>'
syscall_include_line='#include <mosaic/vmc_server.h>	/* mosaic: added by mosaic/integrate.sh */'
syscall_trap_anchor='	MACH_TRAP(kern_invalid, 0),		/* 120 */'
syscall_trap_line='	MACH_TRAP(mosaic_vm_read_fast_trap, 6),	/* 120: mosaic */'

# GNU Mach's proxies, done by mosaic: each stock routine returns mosaic's
# first thing.  ANCHOR is the line the added one goes before (or after).
proxy_h_anchor='#include <mach/vm_prot.h>'
proxy_h_line='#include <mosaic/vmc_proxy_gnumach.h>	/* mosaic: added by mosaic/integrate.sh */'
proxy_notify_anchor='  if (msg->msgh_id == MACH_NOTIFY_NO_SENDERS)'
proxy_notify_line='  return mosaic_memory_object_proxy_notify (msg);	/* mosaic */'
proxy_create_anchor='  if (space == IS_NULL)'
proxy_create_line='  return mosaic_memory_object_create_proxy (space, max_protection, object, object_count, offset, offset_count, start, start_count, len, len_count, port);	/* mosaic */'
proxy_lookup_anchor='  proxy = memory_object_proxy_port_lookup (port);'
proxy_lookup_line='  return mosaic_memory_object_proxy_lookup (port, object, max_protection, start, len);	/* mosaic */'
vm_map_anchor='	    result = memory_object_proxy_lookup (memory_object, &real_memobj,'
vm_map_line='	    return mosaic_vm_map_proxy (target_map, address, size, mask, anywhere, memory_object, offset, copy, cur_protection, max_protection, inheritance);	/* mosaic */'
region_proxy_anchor='  ipc_port_t pager;'
region_proxy_line='  return mosaic_vm_region_create_proxy (task, address, max_protection, len, port);	/* mosaic */'

# A stock fix: a page the pager answered with an error (still fictitious
# until the thread that faulted on it runs) holds no data; a flush frees it.
lock_error_anchor='	assert(!m->fictitious);'
lock_error_line='	if (m->error) { if (should_flush) VM_PAGE_FREE(m); return(MEMORY_OBJECT_LOCK_RESULT_DONE); }	/* mosaic: README, point 6 */'

# Each anchor must be there exactly once, or we refuse before touching
# anything.  A replaced line counts as there when its replacement is.
count_lines() {  # FILE LINE
	grep -cxF -e "$2" "$tree/$1" || true
}
check_anchor() {  # FILE ANCHOR [REPLACEMENT]
	n=$(count_lines "$1" "$2")
	if [ "$n" = 0 ] && [ $# -eq 3 ]; then
		n=$(count_lines "$1" "$3")
	fi
	[ "$n" = 1 ] || {
		echo "integrate: anchor line '$2' found $n times in $tree/$1 (expected once)" >&2
		exit 1
	}
}
check_anchor Makefile.am 'include Makefrag.am'
check_anchor kern/ipc_kobject.c "$kobject_include_anchor"
check_anchor kern/ipc_kobject.c "$kobject_demux_anchor"
check_anchor kern/syscall_sw.c "$syscall_include_anchor"
check_anchor kern/syscall_sw.c "$syscall_trap_anchor" "$syscall_trap_line"
check_anchor vm/memory_object_proxy.h "$proxy_h_anchor"
check_anchor vm/memory_object_proxy.c "$proxy_notify_anchor"
check_anchor vm/memory_object_proxy.c "$proxy_create_anchor"
check_anchor vm/memory_object_proxy.c "$proxy_lookup_anchor"
check_anchor vm/vm_user.c "$vm_map_anchor"
check_anchor vm/vm_map.c "$region_proxy_anchor"
check_anchor vm/memory_object.c "$lock_error_anchor"

changed=0
install_file() {  # SRC DST: copy if different
	if ! cmp -s "$1" "$2"; then
		cp "$1" "$2"
		changed=1
	fi
}

# Adds LINE after the line ANCHOR of FILE unless LINE is there already.
add_after() {  # FILE ANCHOR LINE
	grep -qxF -e "$3" "$tree/$1" && return 0
	awk -v anchor="$2" -v line="$3" '
		{ print }
		$0 == anchor { print line }' "$tree/$1" > "$tree/$1.mosaic-tmp"
	mv "$tree/$1.mosaic-tmp" "$tree/$1"
	changed=1
}

# Adds LINE before the line ANCHOR of FILE unless LINE is there already.
add_before() {  # FILE ANCHOR LINE
	grep -qxF -e "$3" "$tree/$1" && return 0
	awk -v anchor="$2" -v line="$3" '
		$0 == anchor { print line }
		{ print }' "$tree/$1" > "$tree/$1.mosaic-tmp"
	mv "$tree/$1.mosaic-tmp" "$tree/$1"
	changed=1
}

# Replaces the line ANCHOR of FILE by LINE unless LINE is there already.
replace_line() {  # FILE ANCHOR LINE
	grep -qxF -e "$3" "$tree/$1" && return 0
	awk -v anchor="$2" -v line="$3" '
		$0 == anchor { print line; next }
		{ print }' "$tree/$1" > "$tree/$1.mosaic-tmp"
	mv "$tree/$1.mosaic-tmp" "$tree/$1"
	changed=1
}

mkdir -p "$tree/mosaic"
sources=""
for f in "$top"/core/*.c "$top"/core/*.h "$here/vmc_gnumach.c" "$here/vmc_gnumach.h" \
	"$here/vmc_proxy_gnumach.c" "$here/vmc_proxy_gnumach.h" \
	"$here/vmc_server.c" "$here/vmc_server.h" "$here/vmc_host.h"; do
	install_file "$f" "$tree/mosaic/$(basename "$f")"
	sources="$sources mosaic/$(basename "$f")"
done
for f in "$here/mosaic.defs" "$here/mosaic.srv" "$here/mosaic_types.h"; do
	install_file "$f" "$tree/mosaic/$(basename "$f")"
done

frag=$(mktemp)
trap 'rm -f "$frag"' EXIT
{
	echo "# mosaic: the VM core and its GNU Mach port."
	echo "# Generated by mosaic's mach-port/integrate.sh; do not edit."
	echo "libkernel_a_SOURCES +=\\"
	for s in $sources; do printf '\t%s \\\n' "$s"; done
	echo "	mosaic/Makefrag.am"
	echo "EXTRA_DIST += \\"
	echo "	mosaic/mosaic.defs \\"
	echo "	mosaic/mosaic.srv \\"
	echo "	mosaic/mosaic_types.h"
	echo
	echo "# The server stubs of mosaic.defs, made by GNU Mach's own MIG rules"
	echo "# (Makerules.mig.am) from mosaic/mosaic.srv."
	echo "nodist_lib_dep_tr_for_defs_a_SOURCES += \\"
	echo "	mosaic/mosaic.server.defs.c"
	echo "nodist_libkernel_a_SOURCES += \\"
	echo "	mosaic/mosaic.server.h \\"
	echo "	mosaic/mosaic.server.c \\"
	echo "	mosaic/mosaic.server.msgids"
	echo
	echo "# The generated header is included by kern/ipc_kobject.c: make it"
	echo "# first.  The copy of the .srv needs the build tree's mosaic/."
	echo "kern/ipc_kobject.\$(OBJEXT): mosaic/mosaic.server.h"
	echo "mosaic/mosaic.server.defs.c: mosaic/\$(am__dirstamp)"
} > "$frag"
install_file "$frag" "$tree/mosaic/Makefrag.am"

if ! grep -q '^include mosaic/Makefrag.am$' "$tree/Makefile.am"; then
	sed -i 's|^include Makefrag.am$|&\n\n# mosaic (added by mosaic/integrate.sh).\ninclude mosaic/Makefrag.am|' \
		"$tree/Makefile.am"
	changed=1
fi
add_after kern/ipc_kobject.c "$kobject_include_anchor" "$kobject_include_line"
add_after kern/ipc_kobject.c "$kobject_demux_anchor" "$kobject_demux_line"
add_after kern/syscall_sw.c "$syscall_include_anchor" "$syscall_include_line"
replace_line kern/syscall_sw.c "$syscall_trap_anchor" "$syscall_trap_line"
add_after vm/memory_object_proxy.h "$proxy_h_anchor" "$proxy_h_line"
add_before vm/memory_object_proxy.c "$proxy_notify_anchor" "$proxy_notify_line"
add_before vm/memory_object_proxy.c "$proxy_create_anchor" "$proxy_create_line"
add_before vm/memory_object_proxy.c "$proxy_lookup_anchor" "$proxy_lookup_line"
add_before vm/vm_user.c "$vm_map_anchor" "$vm_map_line"
add_after vm/vm_map.c "$region_proxy_anchor" "$region_proxy_line"
add_before vm/memory_object.c "$lock_error_anchor" "$lock_error_line"

if [ $changed = 1 ]; then
	echo "integrate: $tree updated"
else
	echo "integrate: $tree already up to date"
fi

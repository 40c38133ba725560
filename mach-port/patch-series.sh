#!/bin/sh
# patch-series.sh GNUMACH_SRC WORK [OUT] -- mosaic as a patch series for
# GNU Mach.
#
# Clones the HEAD commit of GNUMACH_SRC (a git checkout of GNU Mach) into
# WORK, sharing its objects: the user's tree is never changed, and what is
# uncommitted there is not used.  Then commits mosaic onto it, one logical
# change a commit, in the order a maintainer would review them:
#
#   1. vm: Write-protect only the copied range in a delayed copy
#   2. vm: Add the mosaic VM core
#   3. vm: Port the mosaic VM core to GNU Mach
#   4. vm: Make proxies of several memory objects and holes
#   5. vm: Add vm_read_fast, vm_write_fast and memory_object_copy
#   6. kern: Add vm_read_fast as trap 120
#   7. memory_object_lock_page: Handle a page in error
#
# New files go where GNU Mach keeps their kind: the core and the port in
# vm/, the interface in include/mach/mosaic.defs (installed with the other
# .defs, so that userland makes its stubs as for gnumach.defs), its server
# in kern/mosaic.srv.  Stock routines mosaic takes over are replaced, not
# bypassed: vm/memory_object_proxy.[ch] are mosaic's, vm_region_create_proxy
# and vm_map's branch for a proxy call mosaic's.  Each edit of a GNU Mach
# file is anchored on whole lines that must be there exactly once; the
# script refuses a tree where one is not, before committing anything.
#
# With OUT, `git format-patch' writes the series there (emptied first);
# `git am OUT/*.patch' on a clean tree of the same commit gives WORK's tree.
# build-kernel.sh builds from WORK, so `make kernel' and the series are one.
set -eu

[ $# -ge 2 ] || { echo "usage: $0 GNUMACH_SRC WORK [OUT]" >&2; exit 2; }
src=$(cd "$1" && pwd)
work=$2
out=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

git -C "$src" rev-parse --verify -q HEAD >/dev/null || {
	echo "patch-series: $src is not a git checkout of GNU Mach" >&2; exit 1; }
[ -f "$src/vm/vm_fault.c" ] || {
	echo "patch-series: $src does not look like a GNU Mach tree" >&2; exit 1; }
base=$(git -C "$src" rev-parse HEAD)

rm -rf "$work"
git clone -q --shared --no-checkout "$src" "$work"
git -C "$work" checkout -q --detach "$base"
w=$(cd "$work" && pwd)

# Commits are made by the mosaic authors, dated as the base commit, so that
# the same sources give the same series.
date=$(git -C "$w" log -1 --format=%cI "$base")
export GIT_AUTHOR_NAME="mosaic authors" GIT_AUTHOR_EMAIL="mosaic@invalid"
export GIT_COMMITTER_NAME="mosaic authors" GIT_COMMITTER_EMAIL="mosaic@invalid"
export GIT_AUTHOR_DATE="$date" GIT_COMMITTER_DATE="$date"

fail() { echo "patch-series: $*" >&2; exit 1; }

# Each anchor a whole line, exactly once in its file.
need() {  # FILE LINE
	n=$(grep -cxF -e "$2" "$w/$1" || true)
	[ "$n" = 1 ] || fail "$1: the line '$2' is there $n times, not once"
}

# Inserts the lines of stdin after (or before) the anchor line.
insert() {  # after|before FILE ANCHOR < LINES
	need "$2" "$3"
	lines=$(mktemp)
	cat > "$lines"
	awk -v where="$1" -v anchor="$3" -v file="$lines" '
		function emit() { while ((getline l < file) > 0) print l }
		$0 == anchor && where == "before" { emit() }
		{ print }
		$0 == anchor && where == "after" { emit() }' \
		"$w/$2" > "$w/$2.new"
	mv "$w/$2.new" "$w/$2"
	rm -f "$lines"
}

# Replaces the lines from FIRST through the next line equal to LAST (or
# FIRST alone, if LAST is FIRST) with the lines of stdin.
replace() {  # FILE FIRST LAST < LINES
	need "$1" "$2"
	lines=$(mktemp)
	cat > "$lines"
	awk -v first="$2" -v last="$3" -v file="$lines" '
		$0 == first { skip = (first != last)
			      while ((getline l < file) > 0) print l; next }
		skip && $0 == last { skip = 0; next }
		!skip { print }
		END { if (skip) exit 1 }' "$w/$1" > "$w/$1.new" ||
		fail "$1: no line '$3' after '$2'"
	mv "$w/$1.new" "$w/$1"
	rm -f "$lines"
}

# Copies mosaic's files into the tree: SRC DST pairs.
put() {
	while [ $# -ge 2 ]; do
		mkdir -p "$(dirname "$w/$2")"
		cp "$1" "$w/$2"
		shift 2
	done
}

commit() {  # SUBJECT < BODY
	git -C "$w" add -A
	{ echo "$1"; echo; cat; } | git -C "$w" commit -q -F -
}

# Sources of libkernel.a, added after the last one of vm/ (vm/vm_user.h at
# first, then the last one added).
vm_last='	vm/vm_user.h'
vm_sources() {  # FILE...
	{
		echo "$vm_last \\"
		n=$#
		for f in "$@"; do
			n=$((n - 1))
			if [ $n -gt 0 ]; then echo "	$f \\"; else echo "	$f"; fi
		done
	} | replace Makefrag.am "$vm_last" "$vm_last"
	for f in "$@"; do vm_last="	$f"; done
}

core_files="vmc_types.h vmc_port.h vmc_range.h vmc_range.c vmc_walk.h vmc_walk.c
	vmc_copy.h vmc_copy.c vmc_proxy.h vmc_proxy.c"

# 1. A delayed copy protects the pages it copies, not the whole object's.
# Proxied memory is use_shared_copy (patch 4), so every vm_read of it is a
# delayed copy: stock write-protected every resident page of the object at
# each one (256 pages for a 1 MiB file, whatever the read's size).
insert after vm/vm_object.h '	vm_offset_t		shadow_offset;	/* Offset into shadow */' <<'EOF'
	vm_offset_t		copy_range_start;
	vm_offset_t		copy_range_end;	/* Of my shadow, whose copy I
						 * am: where its resident pages
						 * were write-protected when I
						 * became its copy */
EOF
insert after vm/vm_object.h '	vm_offset_t	*_offset,		/* in/out */' <<'EOF'
	vm_size_t	size,
EOF
replace vm/vm_object.h 'vm_object_t vm_object_copy_delayed(' '	vm_object_t	src_object);' <<'EOF'
vm_object_t vm_object_copy_delayed(
	vm_object_t	src_object,
	vm_offset_t	src_offset,
	vm_size_t	size);
EOF
insert after vm/vm_object.c '	vm_object_template.use_shared_copy = FALSE;' <<'EOF'
	vm_object_template.copy_range_start = 0;
	vm_object_template.copy_range_end = 0;
EOF
insert after vm/vm_object.c '	vm_offset_t	*_offset,		/* INOUT */' <<'EOF'
	vm_size_t	size,
EOF
replace vm/vm_object.c '			object = vm_object_copy_delayed(object);' '			object = vm_object_copy_delayed(object);' <<'EOF'
			object = vm_object_copy_delayed(object, *_offset,
							size);
EOF
replace vm/vm_object.c 'vm_object_t vm_object_copy_delayed(' '	vm_page_t	p;' <<'EOF'
vm_object_t vm_object_copy_delayed(
	vm_object_t	src_object,
	vm_offset_t	src_offset,
	vm_size_t	size)
{
	vm_object_t	new_copy;
	vm_object_t	old_copy;
	vm_page_t	p;
	vm_offset_t	start, end, offset;

	/*
	 *	The pages of the range copied, [start, end): the copy
	 *	is mapped there only, so only they are write-protected
	 *	below.  A range that wraps is taken as the whole object.
	 */
	start = trunc_page(src_offset);
	end = round_page(src_offset + size);
	if (end <= start) {
		start = 0;
		end = ~(vm_offset_t) 0;
	}
EOF
replace vm/vm_object.c '		if (old_copy->resident_page_count == 0 &&' '		    !old_copy->pager_created) {' <<'EOF'
		if (old_copy->resident_page_count == 0 &&
		    !old_copy->pager_created &&
		    old_copy->copy_range_start <= start &&
		    end <= old_copy->copy_range_end) {
EOF
insert after vm/vm_object.c '	new_copy->shadow_offset = 0;' <<'EOF'
	new_copy->copy_range_start = start;
	new_copy->copy_range_end = end;
EOF
replace vm/vm_object.c '	 *	Mark all pages of the existing object copy-on-write.' '	}' <<'EOF'
	 *	Mark the pages of the range copied copy-on-write, and
	 *	no other: the copy is mapped in that range only, and
	 *	reused above for a range inside it only.  Until the
	 *	copy goes, a fault keeps a page of this object read-only
	 *	unless it writes, and a write pushes the page into the
	 *	copy first, whichever page it is: a page protected here
	 *	stays what the copy (or an older copy, which shadows it)
	 *	saw.  This object may have a shadow chain below it, but
	 *	those pages will already be marked copy-on-write.
	 */

	if (atop(end - start) < src_object->resident_page_count) {
		for (offset = start; offset < end; offset += PAGE_SIZE) {
			p = vm_page_lookup(src_object, offset);
			if (p != VM_PAGE_NULL && !p->fictitious)
				pmap_page_protect(p->phys_addr,
						  (VM_PROT_ALL & ~VM_PROT_WRITE &
						   ~p->page_lock));
		}
	} else {
		queue_iterate(&src_object->memq, p, vm_page_t, listq) {
			if (!p->fictitious &&
			    p->offset >= start && p->offset < end)
				pmap_page_protect(p->phys_addr,
						  (VM_PROT_ALL & ~VM_PROT_WRITE &
						   ~p->page_lock));
		}
	}
EOF
replace vm/vm_object.c '		*dst_object = vm_object_copy_delayed(src_object);' '		*dst_object = vm_object_copy_delayed(src_object);' <<'EOF'
		*dst_object = vm_object_copy_delayed(src_object, src_offset,
						     size);
EOF
insert before vm/vm_map.c '				&src_needs_copy,' <<'EOF'
				src_size,
EOF
insert before vm/vm_map.c '					&src_needs_copy,' <<'EOF'
					entry_size,
EOF
commit "vm: Write-protect only the copied range in a delayed copy" <<'EOF'
vm_object_copy_delayed write-protected every resident page of the
source object, whatever the range copied: a vm_read of one page of a
shared object of a thousand resident pages protected a thousand pages.
Objects are use_shared_copy, and every vm_read of them a delayed copy,
when memory is inherited shared and, with the proxies of this series,
whenever a proxy holds them.

The copy object is mapped only where it was copied, and
vm_object_copy_delayed now protects only the resident pages of that
range, recording it in the copy object; it reuses an unmodified copy
object only for a range inside the recorded one.  Nothing else changes:
while the object has a copy, vm_fault_page keeps its pages read-only on
a read fault and pushes any page into the copy before a write, so a
page protected for a copy stays what that copy (or an older one, which
shadows it) saw.  vm_object_copy_temporary takes the size copied.
EOF

# 2. The core, unchanged, with GNU Mach's answer to what it asks its host.
for f in $core_files; do put "$top/core/$f" "vm/$f"; done
put "$here/vmc_host.h" vm/vmc_host.h
vm_sources $(for f in $core_files vmc_host.h; do echo "vm/$f"; done | sort)
commit "vm: Add the mosaic VM core" <<'EOF'
The core copies between memory objects and task buffers at any
alignment, walks a buffer across map entries faulting pages in on both
sides with an exact count, and makes proxies of several memory objects
and holes, nested proxies flattened with their rights intersected.  It
is freestanding C: everything it needs from the kernel is a primitive
listed with its contract in vm/vmc_port.h, and vm/vmc_host.h says what
GNU Mach decides for it (the address width, a page reference's state).

Nothing calls it yet.
EOF

# 3. The porting primitives.
put "$here/vmc_gnumach.c" vm/vmc_gnumach.c "$here/vmc_gnumach.h" vm/vmc_gnumach.h
vm_sources vm/vmc_gnumach.c vm/vmc_gnumach.h
commit "vm: Port the mosaic VM core to GNU Mach" <<'EOF'
vm/vmc_gnumach.c implements the core's primitives with the VM's own
calls: vm_map_lookup and vm_map_verify for map entries, vm_fault_page
for pages, the object and map locks for resident pages copied without a
fault, kalloc for memory.  The core's status codes are checked against
GNU Mach's at compile time.
EOF

# 4. Proxies.
put "$here/vmc_proxy_gnumach.c" vm/vmc_proxy_gnumach.c \
	"$here/vmc_proxy_gnumach.h" vm/vmc_proxy_gnumach.h \
	"$here/memory_object_proxy.c" vm/memory_object_proxy.c \
	"$here/memory_object_proxy.h" vm/memory_object_proxy.h
vm_sources vm/vmc_proxy_gnumach.c vm/vmc_proxy_gnumach.h
replace vm/vm_user.c '	    ipc_port_t real_memobj;' '	  }' <<'EOF'
	    /* A proxy: its pieces are mapped by vm/vmc_proxy_gnumach.c. */
	    return mosaic_vm_map_proxy (target_map, address, size, mask,
					anywhere, memory_object, offset, copy,
					cur_protection, max_protection,
					inheritance);
	  }
EOF
replace vm/vm_map.c ' *	vm_region_create_proxy:' ' */' <<'EOF'
 *	vm_region_create_proxy:
 *
 *	Gets a proxy of exactly [ADDRESS, ADDRESS + LEN) of TASK's memory,
 *	one range per map entry, with at most MAX_PROTECTION, and returns
 *	it in *PORT (vm/vmc_proxy_gnumach.c).
 */
EOF
replace vm/vm_map.c 'vm_region_create_proxy (task_t task, vm_address_t address,' '}' <<'EOF'
vm_region_create_proxy (task_t task, vm_address_t address,
			vm_prot_t max_protection, vm_size_t len,
			ipc_port_t *port)
{
  return mosaic_vm_region_create_proxy (task, address, max_protection,
					len, port);
}
EOF
commit "vm: Make proxies of several memory objects and holes" <<'EOF'
memory_object_create_proxy took one object at offset 0.  It now takes
what mach4.defs describes: several memory objects and proxies, each
range at its own offset in the proxy and in its object, gaps between
ranges left as holes.  A proxy of a proxy is flattened, its rights the
intersection of its chain's (a read-write proxy of a read-only one no
longer maps writable).  A proxy's objects need no pager: a proxy of
anonymous memory no longer waits for the default pager.

vm_map of a proxy maps each piece of the window as its own entry, holes
reserved with no access, all of them under one map lock or none; the
window check no longer wraps.  vm_region_create_proxy gives exactly the
window asked for, one range per map entry, instead of the whole entry
and past it, and no longer dereferences a null object on memory never
touched; first it gives each entry an object of its own, as vm_map_fork
does for memory inherited shared, so that copy-on-write relations stay
what vm_object_terminate expects.

vm/memory_object_proxy.[ch] are replaced: their entry points call
vm/vmc_proxy_gnumach.c, and memory_object_proxy_lookup, whose one port
and one window cannot describe such a proxy, is gone with its last
caller.
EOF

# 5. The fast copies' RPCs.
put "$here/mosaic.defs" include/mach/mosaic.defs \
	"$here/mosaic_types.h" include/mach/mosaic_types.h \
	"$here/mosaic.srv" kern/mosaic.srv \
	"$here/vmc_server.c" vm/vmc_server.c "$here/vmc_server.h" vm/vmc_server.h
vm_sources vm/vmc_server.c vm/vmc_server.h
insert after Makefrag.am '	include/mach/experimental.defs \' <<'EOF'
	include/mach/mosaic.defs \
	include/mach/mosaic_types.h \
EOF
insert after Makefrag.am '	kern/experimental.srv \' <<'EOF'
	kern/mosaic.srv \
EOF
insert after Makefrag.am '	kern/experimental.server.defs.c \' <<'EOF'
	kern/mosaic.server.defs.c \
EOF
insert after Makefrag.am '	kern/experimental.server.msgids \' <<'EOF'
	kern/mosaic.server.h \
	kern/mosaic.server.c \
	kern/mosaic.server.msgids \
EOF
insert after kern/ipc_kobject.c '#include <kern/experimental.server.h>' <<'EOF'
#include <kern/mosaic.server.h>
EOF
insert after kern/ipc_kobject.c '	 || (routine = experimental_server_routine(&request->ikm_header)) != 0' <<'EOF'
	 || (routine = mosaic_server_routine(&request->ikm_header)) != 0
EOF
commit "vm: Add vm_read_fast, vm_write_fast and memory_object_copy" <<'EOF'
Three RPCs (include/mach/mosaic.defs, subsystem 425000) copy between a
memory object and a buffer in another task, or between two memory
objects, at any alignment and length, without mapping anything: the
2005 proposal for the Hurd's translators, whose reads today map, copy
and unmap.  Buffers may span several map entries; pages are faulted in
on both sides; a copy that stops at a hole, a protection or a pager
error returns KERN_SUCCESS with the exact count of bytes copied, and an
error only when no byte moved.  A memory object may be a proxy, so a
client can let a server fill exactly its buffer (a write-only proxy of
it) without giving it its task port.

The same subsystem has memory_object_create_proxy_ranges, the form of
proxy creation designed on the Hurd list in 2002: ranges laid end to
end, one protection each, null ports as holes, an open-ended last one.

include/mach/mosaic.defs is installed with the other interface
definitions.
EOF

# 6. The trap.
insert after kern/syscall_sw.c '#include <kern/eventcount.h>' <<'EOF'
#include <vm/vmc_server.h>
EOF
replace kern/syscall_sw.c '	MACH_TRAP(kern_invalid, 0),		/* 120 */' '	MACH_TRAP(kern_invalid, 0),		/* 120 */' <<'EOF'
	MACH_TRAP(mosaic_vm_read_fast_trap, 6),	/* 120 */
EOF
commit "kern: Add vm_read_fast as trap 120" <<'EOF'
A translator serving small reads pays the message more than the copy.
Trap 120 is vm_read_fast without one: the ports are names in the
caller's space, and the count is written to the caller's memory every
time (0 when nothing moved).
EOF

# 7. A stock defect the stress of the fast copies reaches.
insert before vm/memory_object.c '	assert(!m->fictitious);' <<'EOF'
	/*
	 *	A page the pager answered with an error holds no data,
	 *	and stays fictitious until the thread that faulted on it
	 *	runs again and frees it.  A flush frees it now (that
	 *	thread looks the page up again when it wakes).
	 */

	if (m->error) {
		if (should_flush)
			VM_PAGE_FREE(m);
		return(MEMORY_OBJECT_LOCK_RESULT_DONE);
	}

EOF
commit "memory_object_lock_page: Handle a page in error" <<'EOF'
After memory_object_data_error, the placeholder page of a fault is
error, not busy, not absent, and still fictitious until the faulting
thread runs again and frees it; never, if that thread was aborted.  A
memory_object_lock_request in that window (from another processor, or
from the pager itself right after its answer) failed the assertion
!m->fictitious.  Such a page holds nothing to lock or clean: be done
with it, and free it for a flush.
EOF

if [ -n "$out" ]; then
	rm -rf "$out"
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	git -C "$w" format-patch -q -o "$out" "$base"
	# The series as a maintainer gets it: git am on a clean clone of the
	# base must give exactly this tree.
	check="$w.am-check"
	rm -rf "$check"
	git clone -q --shared --no-checkout "$src" "$check"
	git -C "$check" checkout -q --detach "$base"
	git -C "$check" am -q "$out"/*.patch ||
		fail "git am of $out does not apply to $base"
	[ "$(git -C "$check" rev-parse 'HEAD^{tree}')" = "$(git -C "$w" rev-parse 'HEAD^{tree}')" ] ||
		fail "git am of $out gives another tree than $w"
	rm -rf "$check"
	echo "patch-series: $(ls "$out" | wc -l) patches on GNU Mach $base in $out (git am checked):"
	for p in "$out"/*.patch; do
		printf '  %-60s %6s lines\n' "$(basename "$p")" "$(wc -l < "$p")"
	done
fi

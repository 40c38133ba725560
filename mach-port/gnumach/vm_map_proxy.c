/*
 *	entry_share: gives a map entry an object that no copy-on-write
 *	relation reaches, so that the object can be shared beyond the
 *	entry, as vm_map_fork does for memory inherited shared.  An entry
 *	that is copy-on-write (needs_copy), or whose temporary object may
 *	be the source of a symmetric copy (it was copied, or it is larger
 *	than the entry, as after a vm_read of part of it clipped it), gets
 *	a new shadow object; if it was writable in place, write is taken
 *	out of its page table entries so that the next write copies the
 *	page up.  An entry with no object gets one.  The object is then
 *	use_shared_copy: every later virtual copy of it is a delayed copy;
 *	and the entry is_shared, as vm_map_fork marks the entries it
 *	shares: vm_write and vm_copy into it write the object in place.
 *
 *	Why: a symmetric copy trusts every writer to go through a
 *	needs_copy entry.  An object shared otherwise and then copied
 *	delayed (object->copy set) while another entry still shadows it
 *	symmetrically breaks vm_object_terminate's rule that an object
 *	shadowing another is that object's copy or nothing.
 *
 *	Conditions: map write-locked.
 */
static void
entry_share(vm_map_t map, vm_map_entry_t entry)
{
	vm_size_t	size = entry->vme_end - entry->vme_start;
	vm_object_t	object = entry->object.vm_object;

	if (object == VM_OBJECT_NULL) {
		entry->object.vm_object = vm_object_allocate(size);
		entry->offset = 0;
	} else if (entry->needs_copy ||
		   (object->temporary && !object->use_shared_copy &&
		    (object->shadowed ||
		     (!entry->is_shared && object->size > size)))) {
		vm_object_shadow(&entry->object.vm_object, &entry->offset,
				 size);
		if (!entry->needs_copy &&
		    (entry->protection & VM_PROT_WRITE))
			pmap_protect(vm_map_pmap(map), entry->vme_start,
				     entry->vme_end,
				     entry->protection & ~VM_PROT_WRITE);
		entry->needs_copy = FALSE;
	}
	vm_object_shared(entry->object.vm_object);
	/* Shared beyond the entry: an overwrite (vm_write, vm_copy) writes
	   the object in place, where the proxy sees it, instead of giving
	   the entry another object (vm_map_copy_overwrite). */
	entry->is_shared = TRUE;
}

/*
 *	vm_map_share_range:
 *
 *	Gives every entry holding a byte of [START, START + LEN) of MAP an
 *	object that can be shared beyond it (entry_share), as vm_map_fork
 *	does for memory inherited shared: a proxy of the range will share
 *	them (vm_region_create_proxy).  Only if every byte of the range is
 *	in an entry that is not a submap and allows ACCESS, the range does
 *	not wrap, and there are at most MAX_ENTRIES entries; otherwise
 *	nothing changes (the caller's walk of the range gives the answer).
 *
 *	Returns TRUE and in *STAMP the map's timestamp after the change,
 *	which a lookup with no writer in between sees too; FALSE when
 *	nothing changed.
 *	Conditions: nothing locked; takes and drops the map's write lock.
 */
boolean_t
vm_map_share_range(
	vm_map_t	map,
	vm_offset_t	start,
	vm_size_t	len,
	vm_prot_t	access,
	unsigned int	max_entries,
	unsigned int	*stamp)		/* OUT */
{
	vm_offset_t	last = start + (len - 1);
	vm_offset_t	at = start;
	vm_map_entry_t	first, entry;
	unsigned int	entries = 0;

	if (last < start)
		return FALSE;
	vm_map_lock(map);
	if (!vm_map_lookup_entry(map, start, &first)) {
		vm_map_unlock(map);
		return FALSE;
	}
	for (entry = first; ; entry = entry->vme_next) {
		if (entry == vm_map_to_entry(map) || entry->vme_start > at ||
		    entry->is_sub_map ||
		    (entry->protection & access) != access ||
		    ++entries > max_entries) {
			vm_map_unlock(map);
			return FALSE;
		}
		if (entry->vme_end - 1 >= last)
			break;
		at = entry->vme_end;
	}
	for (entry = first; ; entry = entry->vme_next) {
		entry_share(map, entry);
		if (entry->vme_end - 1 >= last)
			break;
	}
	*stamp = map->timestamp;
	vm_map_unlock(map);
	return TRUE;
}

/*
 *	vm_map_enter_pieces:
 *
 *	Maps the pieces of a window of SIZE bytes, one entry each, all of
 *	them or none, with no moment at which another thread of the task
 *	sees, or can take, part of the window (vm_map of a proxy,
 *	vm/memory_object_proxy.c).  A piece is a range of the window with
 *	its object (referenced by the caller; null for a hole, kept with no
 *	access), offset, copy-on-write and protections.
 *
 *	The window is reserved first by vm_map_enter (which finds room, or
 *	checks the fixed address, and keeps the map's accounting), as one
 *	entry with no access whose object is a marker: a fresh object
 *	nothing else can map.  Then, with the map write-locked, the entry
 *	is checked to be still the reservation, whole (another thread may
 *	have deallocated or changed it in between: then what is left of it
 *	is removed, KERN_NO_SPACE), and cut at the pieces' boundaries, each
 *	part given its piece: object, offset, copy-on-write, protections
 *	(holes keep no object and no access).  The pieces' mappings count
 *	toward the map's limit as vm_map_enter's would.
 *
 *	On success the entries hold the pieces' references; on failure the
 *	caller still holds them.
 *	Conditions: nothing locked.
 */
kern_return_t
vm_map_enter_pieces(
	vm_map_t			map,
	vm_offset_t			*address,	/* IN/OUT */
	vm_size_t			size,
	vm_offset_t			mask,
	boolean_t			anywhere,
	vm_inherit_t			inheritance,
	const struct vm_map_piece	*pieces,
	unsigned int			n)
{
	vm_object_t	marker;
	vm_map_entry_t	entry, next;
	vm_offset_t	start = *address;
	vm_size_t	accessible = 0;
	unsigned int	marker_refs = 0;
	kern_return_t	kr;

	marker = vm_object_allocate(size);
	vm_object_reference(marker);		/* ours; the entry takes one */
	kr = vm_map_enter(map, &start, size, mask, anywhere, marker, 0,
			  FALSE, VM_PROT_NONE, VM_PROT_NONE, inheritance);
	if (kr != KERN_SUCCESS) {
		vm_object_deallocate(marker);	/* the entry's */
		vm_object_deallocate(marker);
		return kr;
	}

	for (unsigned int i = 0; i < n; i++)
		if (pieces[i].object != VM_OBJECT_NULL &&
		    pieces[i].max != VM_PROT_NONE)
			accessible += pieces[i].size;

	vm_map_lock(map);
	if (!vm_map_lookup_entry(map, start, &entry) ||
	    entry->vme_start != start || entry->vme_end != start + size ||
	    entry->is_sub_map || entry->object.vm_object != marker)
		kr = KERN_NO_SPACE;
	/* The limit, as vm_map_enter enforces it (the reservation has no
	   access, so it is not counted yet). */
	else if (vm_map_pmap(map) != kernel_pmap && accessible > 0 &&
		 (map->size - map->size_none + accessible < accessible ||
		  map->size - map->size_none + accessible >
		  map->size_cur_limit))
		kr = KERN_NO_SPACE;
	if (kr != KERN_SUCCESS) {
		/* Whatever is left of the reservation is ours to remove. */
		if (!vm_map_lookup_entry(map, start, &entry))
			entry = entry->vme_next;
		while (entry != vm_map_to_entry(map) &&
		       entry->vme_start < start + size) {
			next = entry->vme_next;
			if (!entry->is_sub_map &&
			    entry->object.vm_object == marker)
				vm_map_delete(map, entry->vme_start,
					      entry->vme_end);
			entry = next;
		}
		vm_map_unlock(map);
		vm_object_deallocate(marker);
		return kr;
	}

	for (unsigned int i = 0; i < n; i++) {
		vm_offset_t	a = start + pieces[i].at;

		/* entry starts at a: cut off what follows the piece. */
		assert(entry->vme_start == a);
		if (a + pieces[i].size < entry->vme_end)
			_vm_map_clip_end(&map->hdr, entry, a + pieces[i].size,
					 TRUE);
		marker_refs++;
		entry->object.vm_object = pieces[i].object;
		entry->offset = pieces[i].object != VM_OBJECT_NULL ?
				pieces[i].offset : 0;
		entry->needs_copy = pieces[i].needs_copy;
		entry->protection = pieces[i].cur;
		entry->max_protection = pieces[i].max;
		if (pieces[i].max != VM_PROT_NONE)
			map->size_none -= pieces[i].size;
		entry = entry->vme_next;
	}
	vm_map_unlock(map);

	/* The reservation's references (one per part it was cut into),
	   and ours: the marker goes. */
	while (marker_refs-- > 0)
		vm_object_deallocate(marker);
	vm_object_deallocate(marker);

	/* As vm_map_enter does for a map that wires all it maps. */
	if (map->wiring_required)
		for (unsigned int i = 0; i < n; i++)
			if (pieces[i].object != VM_OBJECT_NULL)
				(void) vm_map_pageable(map,
					start + pieces[i].at,
					start + pieces[i].at + pieces[i].size,
					pieces[i].cur, TRUE, FALSE);
	*address = start;
	return KERN_SUCCESS;
}

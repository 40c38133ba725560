/*
 *	vm_map_lookup_in_place:
 *
 *	Looks ADDR up in MAP for ACCESS as vm_map_lookup would, where
 *	vm_map_lookup would change nothing: the entry holds an object
 *	already, allows ACCESS, is neither a submap nor wired, and has no
 *	copy-on-write to resolve for a write.  Returns that entry, with
 *	*OBJECT, *OFFSET and *PROT what vm_map_lookup would return (write
 *	taken out of a copy-on-write entry's protection), or
 *	VM_MAP_ENTRY_NULL otherwise, with nothing changed.  No reference is
 *	taken: the map's lock keeps the entry, and the entry its object.
 *	(The copies of experimental.defs use it to copy resident pages
 *	under the map's read lock, vm/vmc_gnumach.c.)
 *
 *	The map must be read-locked, and stays so.
 */
vm_map_entry_t vm_map_lookup_in_place(
	vm_map_t	map,
	vm_offset_t	addr,
	vm_prot_t	access,
	vm_object_t	*object,	/* OUT */
	vm_offset_t	*offset,	/* OUT */
	vm_prot_t	*prot)		/* OUT */
{
	vm_map_entry_t	entry;

	if (!vm_map_lookup_entry(map, addr, &entry) ||
	    entry->is_sub_map || entry->wired_count != 0 ||
	    entry->object.vm_object == VM_OBJECT_NULL ||
	    (entry->protection & access) != access ||
	    (entry->needs_copy && (access & VM_PROT_WRITE)))
		return VM_MAP_ENTRY_NULL;

	*object = entry->object.vm_object;
	*offset = (addr - entry->vme_start) + entry->offset;
	*prot = entry->protection;
	if (entry->needs_copy)
		*prot &= ~VM_PROT_WRITE;
	return entry;
}


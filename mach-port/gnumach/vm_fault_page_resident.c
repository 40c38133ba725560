
/*
 *	Routine:	vm_fault_page_resident
 *	Purpose:
 *		The page at OFFSET of OBJECT itself if vm_fault_page would
 *		return it as it is for ACCESS: resident, neither busy,
 *		absent, in error nor fictitious, not locked by its pager
 *		against ACCESS, its object alive, and for a write, no copy
 *		object its old contents must first be pushed to.  The
 *		caller may then use the page for as long as it holds the
 *		object's lock, without making it busy: the pageout daemon
 *		cannot take it meanwhile.  (The copies of experimental.defs
 *		copy resident pages so, vm/vmc_gnumach.c.)
 *	Conditions:
 *		OBJECT locked, and left locked.
 *	Returns:
 *		The page, or VM_PAGE_NULL, nothing changed.
 */
vm_page_t vm_fault_page_resident(
	vm_object_t	object,
	vm_offset_t	offset,
	vm_prot_t	access)
{
	vm_page_t	page;

	if (!object->alive ||
	    ((access & VM_PROT_WRITE) && object->copy != VM_OBJECT_NULL))
		return VM_PAGE_NULL;
	page = vm_page_lookup(object, offset);
	if (page == VM_PAGE_NULL || page->busy || page->absent ||
	    page->error || page->fictitious ||
	    (page->page_lock & access) != 0)
		return VM_PAGE_NULL;
	return page;
}

/*
 *	pmap_copy_part_page copies LEN bytes of the page at SRC, from byte
 *	SRC_OFFSET on, to the page at DST, from byte DST_OFFSET on.  The two
 *	may be the same page, and the two ranges may then overlap.
 */
void
pmap_copy_part_page(
	phys_addr_t	src,
	vm_offset_t	src_offset,
	phys_addr_t	dst,
	vm_offset_t	dst_offset,
	vm_size_t	len)
{
	vm_offset_t src_addr_v, dst_addr_v;
	pmap_mapwindow_t *src_map = NULL;
	pmap_mapwindow_t *dst_map = NULL;
	boolean_t same = src == dst;
	boolean_t src_mapped = !same && src >= VM_PAGE_DIRECTMAP_LIMIT;
	boolean_t dst_mapped = dst >= VM_PAGE_DIRECTMAP_LIMIT;
	assert(src != vm_page_fictitious_addr);
	assert(dst != vm_page_fictitious_addr);
	assert(src_offset <= PAGE_SIZE && len <= PAGE_SIZE - src_offset);
	assert(dst_offset <= PAGE_SIZE && len <= PAGE_SIZE - dst_offset);

	if (dst_mapped)
	{
		dst_map = pmap_get_mapwindow(INTEL_PTE_W(dst));
		dst_addr_v = dst_map->vaddr;
	}
	else
		dst_addr_v = phystokv(dst);

	if (same)
		src_addr_v = dst_addr_v;
	else if (src_mapped)
	{
		src_map = pmap_get_mapwindow(INTEL_PTE_R(src));
		src_addr_v = src_map->vaddr;
	}
	else
		src_addr_v = phystokv(src);

	if (same)
		memmove((void *) (dst_addr_v + dst_offset),
			(void *) (src_addr_v + src_offset), len);
	else
		memcpy((void *) (dst_addr_v + dst_offset),
		       (void *) (src_addr_v + src_offset), len);

	if (src_mapped)
		pmap_put_mapwindow(src_map);
	if (dst_mapped)
		pmap_put_mapwindow(dst_map);
}


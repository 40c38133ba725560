			struct vmc_endpoint	src, dst;
			vm_object_t		src_object;
			vm_object_t		dst_object = VM_OBJECT_NULL;
			vm_object_t		zeros = VM_OBJECT_NULL;
			vmc_map_version_t	dst_version;
			vmc_size_t		done = 0;
			kern_return_t		r;

			/*
			 *	Record the map version information so that the
			 *	map can be safely unlocked.  Where the entry may
			 *	be written as it is (not copy-on-write, not
			 *	wired, writable, with an object), the copy
			 *	engine starts from it, holding a reference on
			 *	its object, and checks the version before it
			 *	writes; otherwise it looks the destination up
			 *	itself.
			 */

			version.main_timestamp = dst_map->timestamp;
			dst_version.stamp = version.main_timestamp;
			if (!entry->is_sub_map && !entry->needs_copy &&
			    entry->wired_count == 0 &&
			    (entry->protection & VM_PROT_WRITE) &&
			    entry->object.vm_object != VM_OBJECT_NULL) {
				dst_object = entry->object.vm_object;
				vm_object_reference(dst_object);
				dst = vmc_endpoint_map_at((struct vmc_map *) dst_map,
							  start,
							  (struct vmc_object *) dst_object,
							  entry->offset, size,
							  &dst_version);
			} else
				dst = vmc_endpoint_map((struct vmc_map *) dst_map,
						       start);

			vm_map_unlock(dst_map);

			/*
			 *	Copy as much as possible in one pass, from the
			 *	copy entry's object (zeros if it has none) to
			 *	the destination's memory (vm/vmc_copy.c): the
			 *	copy stops short where the destination changed.
			 */

			src_object = copy_entry->object.vm_object;
			if (src_object == VM_OBJECT_NULL)
				src_object = zeros = vm_object_allocate(size);
			src = vmc_endpoint_object((struct vmc_object *) src_object,
						  zeros != VM_OBJECT_NULL ? 0 :
						  copy_entry->offset,
						  VM_PROT_READ);
			r = vmc_copy(&src, &dst, size, &done);
			copy_size = done;
			if (zeros != VM_OBJECT_NULL)
				vm_object_deallocate(zeros);
			if (dst_object != VM_OBJECT_NULL)
				vm_object_deallocate(dst_object);

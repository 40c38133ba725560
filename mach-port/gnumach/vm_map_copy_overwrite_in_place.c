			struct vmc_endpoint	src, dst;
			vm_object_t		src_object;
			vm_object_t		zeros = VM_OBJECT_NULL;
			vmc_size_t		done = 0;
			kern_return_t		r;

			/*
			 *	Record the map version information, to pick up
			 *	where we left off with no lookup in the normal
			 *	case; the copy engine looks the destination up
			 *	itself, with the map unlocked.
			 */

			version.main_timestamp = dst_map->timestamp;

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
			dst = vmc_endpoint_map((struct vmc_map *) dst_map, start);
			r = vmc_copy(&src, &dst, size, &done);
			copy_size = done;
			if (zeros != VM_OBJECT_NULL)
				vm_object_deallocate(zeros);

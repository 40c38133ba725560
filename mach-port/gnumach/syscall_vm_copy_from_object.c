
/*
 *	syscall_vm_copy_from_object: vm_copy_from_object (experimental.defs)
 *	without a message, for a caller whose reads are small enough that
 *	the message costs more than the copy.  The RPC's arguments; the
 *	ports are names in the caller's space, taken as the message's copyin
 *	would take them (ipc_object_copyin, MACH_MSG_TYPE_COPY_SEND), so that
 *	the results are the RPC's; COUNT is in the caller's memory, written
 *	every time (0 when nothing moved).  Where the RPC would fail before
 *	it reached the kernel, what mach_msg would say:
 *	MACH_SEND_INVALID_DEST for a task name that is no send right to a
 *	live port, MACH_SEND_INVALID_RIGHT for a memory object name that is
 *	no send right (a dead name passes, and is then KERN_INVALID_ARGUMENT,
 *	as in the RPC); KERN_INVALID_ADDRESS if COUNT cannot be written, in
 *	which case the copy may have happened.
 */
kern_return_t syscall_vm_copy_from_object(
	mach_port_name_t	target_task,
	rpc_vm_offset_t		address,
	rpc_vm_size_t		size,
	mach_port_name_t	memory_object,
	rpc_vm_offset_t		offset,
	rpc_vm_size_t		*count)		/* OUT */
{
	ipc_port_t		task;
	ipc_port_t		object = IP_NULL;
	vm_map_t		map;
	vm_size_t		done = 0;
	rpc_vm_size_t		user_count;
	kern_return_t		result;

	/* The message's destination: a send right to a live port. */
	if (!MACH_PORT_NAME_VALID(target_task) ||
	    ipc_object_copyin(current_space(), target_task,
			      MACH_MSG_TYPE_COPY_SEND,
			      (ipc_object_t *) &task) != KERN_SUCCESS)
		result = MACH_SEND_INVALID_DEST;
	else if (!IP_VALID(task))
		result = MACH_SEND_INVALID_DEST;	/* a dead name */
	else {
		/* A port in the message's body: null or dead pass. */
		result = KERN_SUCCESS;
		if (!MACH_PORT_NAME_VALID(memory_object))
			object = (ipc_port_t) invalid_name_to_port(memory_object);
		else if (ipc_object_copyin(current_space(), memory_object,
					   MACH_MSG_TYPE_COPY_SEND,
					   (ipc_object_t *) &object)
			 != KERN_SUCCESS)
			result = MACH_SEND_INVALID_RIGHT;
		if (result == KERN_SUCCESS) {
			map = convert_port_to_map(task);
			result = experimental_vm_copy_from_object(map,
				(vm_offset_t) address, (vm_size_t) size,
				object, (vm_offset_t) offset, &done);
			if (map != VM_MAP_NULL)
				vm_map_deallocate(map);
			if (IP_VALID(object))
				ipc_port_release_send(object);
		}
		ipc_port_release_send(task);
	}

	user_count = (rpc_vm_size_t) done;
	if (copyout(&user_count, count, sizeof user_count))
		return KERN_INVALID_ADDRESS;
	return result;
}

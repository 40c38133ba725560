/*
 * sim_fast.h: the fast-copy RPCs of the simulated kernel.
 *
 *   vm_read_fast   memory object -> a buffer in a target task
 *   vm_write_fast  a buffer in a target task -> memory object
 *   memory_object_copy   memory object -> memory object
 *
 * The 2005 proposal's calls (see shared/seeds/000_*), completed: any byte
 * alignment on either side, buffers spanning several map entries, pages
 * faulted in on both sides, and an exact count.  The work is done by the
 * core's copy engine (core/vmc_copy.h); these wrappers check the caller's
 * rights through its name space, as a Mach kernel checks a message, and
 * count the events.
 *
 * Authorization: acting on `target_task` needs a send right to its task
 * port in the caller's space (as for vm_read/vm_write); naming a memory
 * object needs a send right to its port (what a translator holds for the
 * files it serves).
 *
 * Results (every call): *count is always written with the exact number of
 * bytes copied; the code follows "Short copies" in ARCHITECTURE.md: KERN_SUCCESS if
 * any byte moved, otherwise the reason the first byte could not be copied.
 * Argument errors, checked before anything is touched:
 *   MACH_SEND_INVALID_DEST  the target task name is null, unknown or dead
 *                           (or the caller is dead);
 *   KERN_INVALID_ARGUMENT   the target name is not a task port; the memory
 *                           object name is null, dead, unknown or not a
 *                           memory object; a range wraps; count is NULL.
 * A memory-object name may be a proxy (sim_proxy.h): its segments are
 * resolved by the core with each one's maximum protection, and a copy stops
 * exactly at a hole (KERN_INVALID_ADDRESS) or a segment without the access
 * (KERN_PROTECTION_FAILURE).  This is the capability-safe way for a client to
 * let a server fill its buffer: it hands over a write-only proxy of exactly
 * the buffer (sim_vm_region_create_proxy), never its task port.
 * Events: one SIM_EV_RPC per call, SIM_EV_BYTES_COPIED += *count.
 */
#ifndef SIM_FAST_H
#define SIM_FAST_H

#include "sim.h"

vmc_kr_t sim_vm_read_fast(struct sim_task *caller, sim_name_t target_task, vmc_addr_t address,
			  vmc_size_t size, sim_name_t memory_object, vmc_off_t offset,
			  vmc_size_t *count);

vmc_kr_t sim_vm_write_fast(struct sim_task *caller, sim_name_t target_task, vmc_addr_t address,
			   vmc_size_t size, sim_name_t memory_object, vmc_off_t offset,
			   vmc_size_t *count);

vmc_kr_t sim_memory_object_copy(struct sim_task *caller, sim_name_t src_object,
				vmc_off_t src_offset, sim_name_t dst_object, vmc_off_t dst_offset,
				vmc_size_t size, vmc_size_t *count);

#endif /* SIM_FAST_H */

/*
 * sim_proxy.h: proxy memory objects in the simulated kernel.
 *
 * The core (core/vmc_proxy.h) builds, flattens and resolves proxies; this
 * module makes them kernel objects behind ports, as GNU Mach does
 * (IKOT_PAGER_PROXY): creation RPCs that take port names, vm_map of a proxy
 * window, and the bookkeeping that frees a proxy when its last send right
 * goes and no call in progress still uses it.
 *
 * Names in the argument arrays are names in the caller's space: a memory
 * object, a proxy, or null (a hole, where the form allows one).  A name the
 * caller does not hold fails as the message would (MACH_SEND_INVALID_RIGHT);
 * a port that is neither a memory object nor a proxy is KERN_INVALID_ARGUMENT.
 * Every other code is the core's (see vmc_proxy.h).  *out is written only on
 * success: a send right to the new proxy in the caller's space.
 */
#ifndef SIM_PROXY_H
#define SIM_PROXY_H

#include "sim.h"

/* GNU Mach's memory_object_create_proxy: range i maps
 * [start[i], start[i] + len[i]) of object[i] at proxy offset offset[i]. */
vmc_kr_t sim_memory_object_create_proxy(struct sim_task *caller, vmc_prot_t max_protection,
					const sim_name_t *object, uint32_t nobject,
					const vmc_off_t *offset, uint32_t noffset,
					const vmc_off_t *start, uint32_t nstart,
					const vmc_size_t *len, uint32_t nlen, sim_name_t *out);

/* The seed's form: ranges [start[i], end[i]) of object[i] laid end to end,
 * each with maxprot[i]; start/end one shorter: the last is open-ended. */
vmc_kr_t sim_memory_object_create_proxy_ranges(struct sim_task *caller,
					       const sim_name_t *object, uint32_t nobject,
					       const vmc_prot_t *maxprot, uint32_t nprot,
					       const vmc_off_t *start, uint32_t nstart,
					       const vmc_off_t *end, uint32_t nend,
					       sim_name_t *out);

/*
 * vm_region_create_proxy: a proxy of exactly [addr, addr + len) of target's
 * memory, one segment per map entry, each with max_protection capped by
 * what the entry allows now.  The task must currently allow the access the
 * proxy grants (read and/or write): a copy-on-write entry gets its own copy
 * first, so writes through the proxy reach the task's memory and nothing
 * else.  (Stock GNU Mach bounds len by the whole entry, not by what is left
 * after addr; here nothing past addr + len is reachable.)
 * returns: KERN_INVALID_ARGUMENT for len 0, a wrapping range, bad
 * protection bits, or a range that runs past the mapped memory into a hole
 * (as GNU Mach for a len past the entry); KERN_INVALID_ADDRESS if addr
 * itself is unmapped;
 * KERN_PROTECTION_FAILURE if the task lacks the access.
 */
vmc_kr_t sim_vm_region_create_proxy(struct sim_task *caller, sim_name_t target,
				    vmc_addr_t addr, vmc_prot_t max_protection, vmc_size_t len,
				    sim_name_t *out);

struct sim_port;
struct sim_proxy;
struct vmc_proxy;

/* For the other RPCs (sim_fast.c): the proxy behind a proxy port, held so
 * that it outlives a no-senders that arrives during the call, as the port
 * reference a kernel RPC holds would keep it; sim_proxy_release ends the
 * hold and frees the proxy if its port died meanwhile. */
struct sim_proxy *sim_proxy_hold(struct sim_port *port);
const struct vmc_proxy *sim_proxy_core(const struct sim_proxy *proxy);
void sim_proxy_release(struct sim_proxy *proxy);

/* The vm_map hook (sim_proxy_map_fn, installed by sim_vm_create). */
struct vmc_map;
vmc_kr_t sim_proxy_map(struct sim_task *caller, struct vmc_map *map, vmc_addr_t *addr,
		       vmc_size_t size, vmc_addr_t mask, bool anywhere, struct sim_port *proxy,
		       vmc_off_t offset, bool copy, vmc_prot_t cur, vmc_prot_t max);

#endif /* SIM_PROXY_H */

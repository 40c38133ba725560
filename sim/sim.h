/*
 * sim.h: the simulated Mach VM, as its users see it.
 *
 * The simulator is a host-side model of the parts of a Mach kernel that
 * mosaic's core touches: tasks with port name spaces, address maps, VM
 * objects with resident pages and copy-on-write shadows, pagers, a bounded
 * pool of page frames, per-task page tables, and faults.  It implements the
 * porting header (core/vmc_port.h), so the core runs on it unchanged.
 *
 * Operations come in two layers:
 *   - "RPCs" (sim_vm_*, sim_memory_object_*): what a task can ask of the
 *     kernel.  Every argument naming a port is a name in the CALLER's name
 *     space and is checked as Mach does (a send right of the right kind), so
 *     nothing can be reached by guessing.  Each counts one RPC event.
 *   - the task's own loads and stores (sim_task_load / sim_task_store), which
 *     go through its page table and fault like user code would.
 *
 * Everything is deterministic: one seeded random generator per world (its
 * seed is printed by the tests), single-threaded.  Races are planted through
 * the yield hook (sim_vm_set_yield_hook): the core calls vmc_may_block() where
 * a real kernel may sleep, and the hook may change the world there.
 *
 * Every operation counts its events (enum sim_event); a cost model (bench/)
 * turns counts into time.
 */
#ifndef SIM_H
#define SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmc_port.h"
#include "vmc_kern_names.h"
#include "vmc_types.h"

struct sim_vm;
struct sim_task;

/* Message errors a simulated RPC can return besides those of vmc_types.h
 * (GNU Mach's include/mach/message.h values). */
#ifndef MACH_SEND_INVALID_RIGHT
#define MACH_SEND_INVALID_RIGHT  0x1000000a  /* a port argument is not a right */
#endif
#ifndef MACH_SEND_INVALID_MEMORY
#define MACH_SEND_INVALID_MEMORY 0x1000000c  /* out-of-line data unreadable */
#endif

/* A port name in one task's name space (mach_port_name_t).  0 is null. */
typedef uint32_t sim_name_t;
#define SIM_NAME_NULL ((sim_name_t)0)

/* The world ------------------------------------------------------------- */

struct sim_vm_config {
	uint64_t seed;          /* for port names and anything random */
	uint32_t frames;        /* page frames in the pool (0: 65536) */
	vmc_addr_t map_max;     /* where the tasks' address space ends (0: the
	                           kernel's of this width, SIM_MAP_MAX_X86_64 or
	                           SIM_MAP_MAX_I386; SIM_MAP_MAX_USER32 for 32-bit
	                           tasks on an x86_64 kernel) */
};

#define SIM_MAP_MAX_X86_64 ((vmc_addr_t)0x7ffffffff000ull)
#define SIM_MAP_MAX_USER32 ((vmc_addr_t)0xfffff000u)
#define SIM_MAP_MAX_I386   ((vmc_addr_t)0xc0000000u)

struct sim_vm *sim_vm_create(const struct sim_vm_config *config);
/* Destroys the world and everything in it. */
void sim_vm_destroy(struct sim_vm *vm);

/* Events counted by every operation. */
enum sim_event {
	SIM_EV_RPC,            /* kernel RPCs made by tasks */
	SIM_EV_TRAP,           /* kernel traps */
	SIM_EV_PORT_RIGHT,     /* port rights carried in a kernel RPC's request
	                          (a memory object's, to vm_map, vm_read_fast,
	                          ...), beyond its destination */
	SIM_EV_FAST_CALL,      /* a fast copy's fixed kernel work beyond its RPC and
	                          port right: the task's map and the memory objects
	                          found from their ports, the arguments checked */
	SIM_EV_USER_RPC,       /* message round trips between two tasks (a
	                          translator's read request and its reply) */
	SIM_EV_OOL_PAGE,       /* pages a message moves out of line (the
	                          kernel's copyin and copyout of the region) */
	SIM_EV_ENTRY_CREATE,   /* map entries created (incl. clipping) */
	SIM_EV_ENTRY_REMOVE,   /* map entries removed */
	SIM_EV_MAP_LOOKUP,     /* map entry lookups */
	SIM_EV_FAULT,          /* page faults (task accesses and kernel faults) */
	SIM_EV_PAGE_LOOKUP,    /* resident-page lookups */
	SIM_EV_PAGEIN,         /* pages supplied by a pager */
	SIM_EV_ZERO_FILL,      /* pages zero-filled */
	SIM_EV_COW_COPY,       /* pages copied for copy-on-write */
	SIM_EV_PAGEOUT,        /* dirty pages written back */
	SIM_EV_EVICT,          /* pages evicted from the frame pool */
	SIM_EV_PTE_ENTER,      /* page-table entries entered */
	SIM_EV_PTE_REMOVE,     /* page-table entries removed or downgraded */
	SIM_EV_TLB_FLUSH,      /* TLB flushes (one per removal batch) */
	SIM_EV_BYTES_COPIED,   /* bytes moved by copy operations */
	SIM_EV_MSG_BYTES,      /* bytes the kernel copies into and out of
	                          messages (inline data) */
	SIM_EV_COUNT
};

const char *sim_event_name(enum sim_event ev);
void sim_events(const struct sim_vm *vm, uint64_t out[SIM_EV_COUNT]);
void sim_count(struct sim_vm *vm, enum sim_event ev, uint64_t n);

/* Races: called at every vmc_may_block() point of the core, and where the
 * simulator itself would sleep (a pager with latency). */
typedef void (*sim_yield_fn)(struct sim_vm *vm, enum vmc_block_point where, void *ctx);
void sim_vm_set_yield_hook(struct sim_vm *vm, sim_yield_fn fn, void *ctx);

/* A pager with latency makes a fault wait (the yield hook is called
 * `latency` times).  By default the fault then returns VMC_FAULT_RETRY once,
 * as GNU Mach's vm_fault_page does after sleeping, and the caller redoes its
 * lookup; with `on` false the fault continues with the data instead. */
void sim_vm_set_retry_after_wait(struct sim_vm *vm, bool on);

/* The copy loop's resident shortcut (core/vmc_port.h, vmc_object_page_peek)
 * is on by default, as in the kernel: a chunk whose two pages are resident
 * and idle moves without a fault and without reaching the yield points of
 * the fault and the verify.  A test that plants a race at those points for
 * resident pages turns it off with `on` false: every peek then declines,
 * and every chunk takes the general path. */
void sim_vm_set_resident_shortcut(struct sim_vm *vm, bool on);

/* Frames in use, and live VM objects: tests compare them with a baseline. */
uint32_t sim_vm_frames_used(const struct sim_vm *vm);
uint32_t sim_vm_object_count(const struct sim_vm *vm);
/* Pages whose bytes the world keeps in the host: resident (in frames) and
 * stored when they were evicted dirty.  What the world costs the host's
 * memory, in pages; deterministic, unlike the process's RSS. */
uint64_t sim_vm_pages_held(const struct sim_vm *vm);

/* Allocation bookkeeping (process-wide): fail the nth allocation from now
 * (1 = the next one; 0 = never), calls made, bytes outstanding.  The
 * allocations counted are the core's (vmc_alloc) and the simulator's own
 * that a failure can undo cleanly: map entries made by vm_allocate and
 * vm_map, the objects made by a private-copy vm_map, and the shadow and
 * zero-fill objects a write lookup makes.  Those fail with
 * KERN_RESOURCE_SHORTAGE and change nothing (GNU Mach waits for memory
 * there instead; the point is that every failure path is clean). */
void sim_alloc_fail_nth(uint64_t n);
uint64_t sim_alloc_calls(void);
uint64_t sim_alloc_outstanding(void);

/* Consistency: entries ordered, non-empty, within the map; tree, list and
 * hint agree; object reference counts match the references found; resident
 * page counts, frame pool and page tables agree.  Returns true if all holds;
 * otherwise false with a description in *why (static storage). */
bool sim_vm_check(struct sim_vm *vm, const char **why);

/* Tasks and rights ------------------------------------------------------- */

/* Creates a task with an empty map.  It holds a send right to its own task
 * port (sim_task_self). */
struct sim_task *sim_task_create(struct sim_vm *vm, const char *label);
sim_name_t sim_task_self(const struct sim_task *task);
bool sim_task_alive(const struct sim_task *task);
/* A send right to the port of the task's (only) thread, for tests that
 * pass a thread port where a task port is expected.  SIM_NAME_NULL if the
 * task is dead.  The port dies with the task. */
sim_name_t sim_task_thread_port(struct sim_task *task);
/* The task's address map, for running the core on it (NULL once dead). */
struct vmc_map *sim_task_map(const struct sim_task *task);
/* Terminates a task: its map is emptied, its rights released, its port dead
 * (names for it become dead names: RPCs sent to one fail with
 * MACH_SEND_INVALID_DEST, as mach_msg does).  The struct stays valid until
 * the world is destroyed. */
void sim_task_terminate(struct sim_task *task);

/* Gives `to` a send right copied from `from`'s name (as a message carrying
 * MACH_MSG_TYPE_COPY_SEND would).  Returns the name in `to`'s space in *out.
 * KERN_INVALID_NAME / KERN_INVALID_RIGHT on a bad name. */
vmc_kr_t sim_port_copy_send(struct sim_task *from, sim_name_t name,
			    struct sim_task *to, sim_name_t *out);
/* Drops one user reference of a send right (mach_port_deallocate).  The last
 * send right to a proxy releases it (no-senders). */
vmc_kr_t sim_port_deallocate(struct sim_task *task, sim_name_t name);

/* Memory objects ---------------------------------------------------------- */

/* What a pager does.  Pages are numbered from 0 (offset / VMC_PAGE_SIZE). */
struct sim_pager {
	/* Fills one page of data for `offset`; NULL means zeros. */
	void (*content)(void *ctx, vmc_off_t offset, unsigned char *page);
	void *ctx;
	vmc_size_t size;          /* bytes the pager has; past it: data_error */
	uint32_t latency;         /* yields (VMC_BLOCK_FAULT_*) before data arrives */
};

/* Knobs on a pager-backed object, per page: answer with an error, answer
 * "unavailable" (Mach zero-fills), or never answer (the fault is
 * interrupted). */
enum sim_pager_answer { SIM_PAGER_DATA, SIM_PAGER_ERROR, SIM_PAGER_UNAVAILABLE,
			SIM_PAGER_NEVER };

/* Creates a memory object served by `pager` and gives `owner` a send right
 * to it (what a translator holds).  */
vmc_kr_t sim_memory_object_create(struct sim_task *owner, const struct sim_pager *pager,
				  sim_name_t *out);
/* The VM object behind a memory-object name in caller's space, for the
 * core's object-to-object paths.  Resolved as an RPC argument is: unknown
 * name MACH_SEND_INVALID_RIGHT, not a memory object KERN_INVALID_ARGUMENT.
 * On success *out carries a reference the caller drops with
 * vmc_object_release. */
vmc_kr_t sim_memory_object_get(struct sim_task *caller, sim_name_t name,
			       struct vmc_object **out);
vmc_kr_t sim_memory_object_set_answer(struct sim_task *owner, sim_name_t object,
				      vmc_off_t offset, enum sim_pager_answer answer);

/* Test controls (not RPCs): evict one page (written back if dirty), terminate
 * an object (later faults fail with KERN_MEMORY_ERROR). */
vmc_kr_t sim_memory_object_evict(struct sim_task *owner, sim_name_t object, vmc_off_t offset);
vmc_kr_t sim_memory_object_terminate(struct sim_task *owner, sim_name_t object);

/* Test control: evicts the resident page that `addr` of task shows now
 * (written back if dirty).  KERN_INVALID_ADDRESS if nothing is resident
 * there, KERN_FAILURE if the page is pinned. */
vmc_kr_t sim_task_evict(struct sim_task *task, vmc_addr_t addr);

/* RPCs ------------------------------------------------------------------- */
/* `caller` makes the call; `target` is a name in caller's space for a task
 * port.  Output parameters are written only on KERN_SUCCESS, except *count
 * of the fast copies, which is always exact.
 *
 * Codes follow GNU Mach (sim_ops.c says where each comes from): a null,
 * unknown or dead target name is MACH_SEND_INVALID_DEST (the message cannot
 * be sent); a live port that is not a task port (memory object, thread) is
 * KERN_INVALID_ARGUMENT (convert_port_to_map gives VM_MAP_NULL).  Then each
 * call's own checks, all before any change.  As in GNU Mach, vm_deallocate
 * and vm_protect clamp their range to the address space and treat a range
 * whose end wraps as empty (KERN_SUCCESS); vm_protect skips holes; vm_write
 * and vm_copy need page-aligned addresses and size (KERN_INVALID_ARGUMENT).
 * The address space is [0x1000, 0x7ffffffff000). */

vmc_kr_t sim_vm_allocate(struct sim_task *caller, sim_name_t target, vmc_addr_t *addr,
			 vmc_size_t size, bool anywhere);
vmc_kr_t sim_vm_deallocate(struct sim_task *caller, sim_name_t target, vmc_addr_t addr,
			   vmc_size_t size);
vmc_kr_t sim_vm_protect(struct sim_task *caller, sim_name_t target, vmc_addr_t addr,
			vmc_size_t size, bool set_maximum, vmc_prot_t prot);
/* vm_map of a memory object (memobj null or dead: anonymous memory).
 * copy: a private copy-on-write copy.  Stricter than GNU Mach: an offset
 * that is not page aligned, or whose window wraps, is KERN_INVALID_ARGUMENT.
 * Proxies: through the proxy module's hook (sim_internal.h,
 * sim_proxy_map_fn); KERN_INVALID_ARGUMENT while none is installed. */
vmc_kr_t sim_vm_map(struct sim_task *caller, sim_name_t target, vmc_addr_t *addr,
		    vmc_size_t size, vmc_addr_t mask, bool anywhere, sim_name_t memobj,
		    vmc_off_t offset, bool copy, vmc_prot_t cur, vmc_prot_t max);
/* vm_read: the data arrives out of line, mapped into the caller's map at
 * *data (same page offset as addr). */
vmc_kr_t sim_vm_read(struct sim_task *caller, sim_name_t target, vmc_addr_t addr,
		     vmc_size_t size, vmc_addr_t *data);
/* vm_write: `data` is an address in the caller's own map; unreadable data
 * is MACH_SEND_INVALID_MEMORY (the message cannot carry it).  vm_write and
 * vm_copy are virtual copies where GNU Mach's are (unshared anonymous
 * destination), byte copies elsewhere. */
vmc_kr_t sim_vm_write(struct sim_task *caller, sim_name_t target, vmc_addr_t addr,
		      vmc_addr_t data, vmc_size_t size);
vmc_kr_t sim_vm_copy(struct sim_task *caller, sim_name_t target, vmc_addr_t src,
		     vmc_size_t size, vmc_addr_t dst);

/* The task's own memory accesses (user loads and stores, through its page
 * table, faulting as needed).  Stop at the first byte that faults; return the
 * fault's code and the bytes done in *done (if not NULL). */
vmc_kr_t sim_task_load(struct sim_task *task, vmc_addr_t addr, void *buf, size_t len,
		       size_t *done);
vmc_kr_t sim_task_store(struct sim_task *task, vmc_addr_t addr, const void *buf,
			size_t len, size_t *done);

#endif /* SIM_H */

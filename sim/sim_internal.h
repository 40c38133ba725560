/*
 * sim_internal.h: the simulator's structures, shared by the sim modules.
 *
 * Only the sim modules (and the simulator tests) include this.  Users of the
 * simulator see sim.h; the core sees the opaque handles of vmc_port.h,
 * which are defined here: struct vmc_map, struct vmc_object, struct vmc_page.
 *
 * Ownership, in one paragraph.  The world (struct sim_vm) owns every task and
 * every port until it is destroyed; tasks and ports are never freed earlier,
 * they only die (a dead task has an empty map and name space, a dead port has
 * kind SIM_PORT_DEAD), so a stale pointer in a test is harmless.  Objects are
 * reference counted and freed by their last release.  Pages belong to their
 * object's page table (object->pages) and to the world's resident queue; a
 * page table entry (struct sim_pte) belongs to its task's pmap and is linked
 * from its page's reverse map.
 *
 * The simulator is single-threaded.  "Locks" in the contracts are those of
 * the kernel being modelled: the sim takes none, but it calls the yield hook
 * wherever that kernel could sleep or drop a lock.
 */
#ifndef SIM_INTERNAL_H
#define SIM_INTERNAL_H

#include <glib.h>

#include "sim.h"
#include "sim_pindex.h"
#include "vmc_range.h"

/* The user address space of every simulated task: [SIM_MAP_MIN, the
 * world's map_max), the machine's (struct sim_vm_config).  Page 0 stays
 * unmapped so that address 0 always faults.  GNU Mach x86_64 allows
 * [0, 0x800000000000); we keep the top page free as well, so that the last
 * byte of the space plus one is still below 2^47 (SIM_MAP_MAX_X86_64).  An
 * x86_64 kernel whose tasks are 32-bit (--enable-user32) ends them at
 * 0xfffff000, i386 GNU Mach at 0xc0000000 (VM_MAX_ADDRESS). */
#define SIM_MAP_MIN ((vmc_addr_t)0x1000)
#define SIM_MAP_MAX(map) ((map)->vm->map_max)

/* Fewest frames a world may have: the core pins at most two pages at once,
 * the fault path needs one more for a copy-on-write copy, and a push into a
 * copy object one more. */
#define SIM_FRAMES_MIN 8u



struct sim_port;
struct sim_pmap;

/* Ports and rights ------------------------------------------------------- */

enum sim_port_kind {
	SIM_PORT_DEAD,            /* destroyed: names for it are dead names */
	SIM_PORT_TASK,            /* kobject: struct sim_task */
	SIM_PORT_MEMORY_OBJECT,   /* kobject: struct vmc_object (one reference) */
	SIM_PORT_PROXY,           /* kobject: owned by the proxy module */
	SIM_PORT_THREAD,          /* kobject: struct sim_task (its only thread) */
};

/* What a kind of port does at its two events, given by the module that
 * makes ports of that kind (NULL entries do nothing): the module that
 * keeps name spaces (sim_task.c) calls these and needs to know no kind. */
struct sim_port_ops {
	/* The last send right went away (MACH_NOTIFY_NO_SENDERS). */
	void (*no_senders)(struct sim_port *port);
	/* The port is being destroyed: let go of its kernel object. */
	void (*dying)(struct sim_port *port);
};

struct sim_port {
	struct sim_vm *vm;
	uint64_t id;               /* creation order, for messages */
	enum sim_port_kind kind;
	void *kobject;
	uint32_t srights;          /* send rights: name-space entries holding one */
	const struct sim_port_ops *ops;   /* NULL: no behaviour of its own */
};

/* One entry of a name space: a send right and its user references. */
struct sim_right {
	struct sim_port *port;
	uint32_t urefs;
};

/* Tasks ------------------------------------------------------------------- */

struct sim_task {
	struct sim_vm *vm;
	char *label;
	bool alive;
	struct sim_port *port;     /* the task port */
	sim_name_t self;           /* its name in the task's own space */
	struct sim_port *thread;   /* its thread's port, made on demand, or NULL */
	GHashTable *names;         /* sim_name_t -> struct sim_right* (owned) */
	GHashTable *port_names;    /* struct sim_port* -> sim_name_t, reverse */
	struct vmc_map *map;
	struct sim_pmap *pmap;
};

/* Maps -------------------------------------------------------------------- */

enum sim_inherit { SIM_INHERIT_SHARE, SIM_INHERIT_COPY, SIM_INHERIT_NONE };

struct sim_entry {
	struct vmc_map *map;
	vmc_addr_t start;          /* page aligned */
	vmc_addr_t end;            /* page aligned, > start, <= the map's SIM_MAP_MAX */
	struct vmc_object *object; /* one reference; NULL: zero fill on demand */
	vmc_off_t offset;          /* object offset of start */
	vmc_prot_t prot;
	vmc_prot_t max_prot;
	bool needs_copy;           /* object shared copy-on-write (symmetric) */
	bool shared;               /* its object is shared beyond it (a proxy
				    * holds it): never replaced by an overwrite
				    * [GNU Mach's is_shared] */
	enum sim_inherit inheritance;
	struct sim_entry *prev, *next;  /* address order */
};

struct vmc_map {
	struct sim_vm *vm;
	struct sim_task *task;     /* owner; its pmap gets the page tables */
	GTree *tree;               /* struct sim_entry* keyed by start */
	struct sim_entry *first, *last;
	struct sim_entry *hint;    /* last entry found, or NULL */
	vmc_addr_t hint_start, hint_end;  /* its bounds, kept here so that a
					   * miss does not touch the entry */
	uint32_t nentries;
	uint64_t timestamp;        /* bumped by every change (vmc_map_verify) */
	/* Lookup index (see sim_map.c), valid only between changes: every
	 * entry's bounds in address order, and a bucket table over
	 * [index_lo, ...) in steps of 2^index_shift bytes.  Bucket b names the
	 * last entry that starts at or below its first address: its position
	 * in index_pos[b], a copy of its slot in index_bucket[b]. */
	struct sim_index_slot {
		vmc_addr_t start, end;
		struct sim_entry *entry;
	} *index_slot;
	struct sim_index_slot *index_bucket;  /* index_nbucket of them */
	uint32_t *index_pos;       /* index_nbucket + 1 of them */
	vmc_addr_t index_lo;
	unsigned index_shift;
	uint32_t index_len, index_cap, index_nbucket, index_bucket_cap;
	bool index_valid;
	uint32_t lookups_since_change;
	uint32_t verified;         /* vmc_map_verify holds outstanding */
	uint32_t refs;             /* the task's, and each call's that uses the
	                            * map (GNU Mach's vm_map_reference) */
};

/* Objects and pages ------------------------------------------------------- */

struct vmc_object {
	struct sim_vm *vm;
	uint64_t id;
	uint32_t refs;             /* all references */
	uint32_t port_refs;        /* of which: taken through vmc_port.h */
	bool alive;                /* false once terminated */
	bool internal;             /* anonymous memory (default pager) */
	bool shared_copy;          /* reachable beyond its map entries (a proxy
				    * holds it): virtual copies are delayed
				    * copies, never symmetric ones, as GNU
				    * Mach's use_shared_copy */
	bool shadowed;             /* has been the source of a symmetric
				    * copy (GNU Mach's shadowed) */
	vmc_size_t size;           /* internal: bytes; external: pager size */
	struct sim_pindex pages;   /* page number -> struct vmc_page* */
	GHashTable *runs;          /* page number / 64 -> the frames of those
				    * pages (sim_object.c), or NULL */
	GHashTable *store;         /* page index -> page-size bytes written back */
	struct vmc_object *shadow; /* one reference, or NULL */
	vmc_off_t shadow_offset;
	GPtrArray *copies;         /* delayed copies shadowing this (no refs) */
	uint64_t copy_gen;         /* bumped when a delayed copy is made */
	bool has_pager;
	struct sim_pager pager;
	GHashTable *answers;       /* page index -> enum sim_pager_answer */
	struct sim_port *port;     /* memory object port, or NULL */
};

/* A page-table entry: task `pmap` maps virtual page `vpage` to `page`. */
struct sim_pte {
	struct sim_pmap *pmap;
	vmc_addr_t vpage;          /* page-aligned virtual address */
	struct vmc_page *page;
	vmc_prot_t prot;
};

struct vmc_page {
	struct vmc_object *object;
	vmc_off_t offset;          /* page aligned */
	unsigned char *data;       /* the frame: VMC_PAGE_SIZE bytes */
	uint32_t busy;             /* pins (vmc_object_page_get) */
	bool dirty;
	bool referenced;           /* clock bit */
	GList *link;               /* in vm->resident */
	GSList *mappings;          /* struct sim_pte* (reverse map) */
};

struct sim_pmap {
	struct sim_task *task;
	GHashTable *ptes;          /* vpage -> struct sim_pte* */
};

/* The world --------------------------------------------------------------- */

/* How vm_map maps a proxy port: installed by the proxy module in
 * vm->proxy_map (none: a proxy gives KERN_INVALID_ARGUMENT).  Called after
 * sim_vm_map's own checks, with size rounded and *addr truncated; it does
 * the rest of vm_map (window checks, copy, entering) and writes *addr only
 * on success. */
typedef vmc_kr_t (*sim_proxy_map_fn)(struct sim_task *caller, struct vmc_map *map,
				     vmc_addr_t *addr, vmc_size_t size, vmc_addr_t mask,
				     bool anywhere, struct sim_port *proxy, vmc_off_t offset,
				     bool copy, vmc_prot_t cur, vmc_prot_t max);

struct sim_vm {
	GRand *rand;
	uint64_t seed;
	uint64_t events[SIM_EV_COUNT];
	uint32_t frames;           /* pool size */
	uint32_t frames_used;
	GPtrArray *spare_runs;     /* host allocations of emptied runs of frames,
				    * kept for the next (sim_object.c) */
	vmc_addr_t map_max;        /* where every task's space ends */
	GQueue resident;           /* every resident page, clock order */
	GPtrArray *tasks;          /* owned */
	GPtrArray *ports;          /* owned */
	GHashTable *objects;       /* live objects (set) */
	uint64_t next_id;
	sim_yield_fn yield_fn;
	void *yield_ctx;
	bool retry_after_wait;     /* see sim_vm_set_retry_after_wait */
	bool resident_shortcut;    /* see sim_vm_set_resident_shortcut */
	uint32_t peeks;            /* objects "locked" by a peek now */
	sim_proxy_map_fn proxy_map;   /* see sim_proxy_map_fn */
	bool destroying;
};

/* sim_base.c */
/* Counts one failable allocation of the simulator's own (sim.h,
 * sim_alloc_fail_nth); false if it is the one that must fail. */
bool sim_alloc_try(void);

/* sim_world.c */
struct sim_vm *sim_vm_current(void);
void sim_yield_at(struct sim_vm *vm, enum vmc_block_point where);
void sim_world_enter(struct sim_vm *vm);     /* the current world from now */
void sim_world_leave(struct sim_vm *vm);

/* sim_object.c: the frame pool */
unsigned char *sim_frame_alloc(struct vmc_object *object, vmc_off_t offset);
void sim_frame_free(struct vmc_object *object, vmc_off_t offset, unsigned char *data);
bool sim_object_frames_check(struct vmc_object *object, const char **why);

/* sim_map.c */
struct vmc_map *sim_map_create(struct sim_vm *vm, struct sim_task *task);
/* The task's end: every entry removed (and its page tables), the task's
 * reference dropped; a call still holding one keeps an empty map, as GNU
 * Mach's task_terminate leaves a map a call has referenced. */
void sim_map_destroy(struct vmc_map *map);
/* A reference for a call that uses the map across points where its task may
 * be terminated (convert_port_to_map's); released with sim_map_release. */
void sim_map_reference(struct vmc_map *map);
void sim_map_release(struct vmc_map *map);
struct sim_entry *sim_map_lookup_entry(struct vmc_map *map, vmc_addr_t addr);
struct sim_entry *sim_map_entry_peek(struct vmc_map *map, vmc_addr_t addr);
struct sim_entry *sim_map_entry_after(struct vmc_map *map, vmc_addr_t addr);
vmc_kr_t sim_map_enter(struct vmc_map *map, vmc_addr_t *addr, vmc_size_t size,
		       vmc_addr_t mask, bool anywhere, struct vmc_object *object,
		       vmc_off_t offset, bool needs_copy, vmc_prot_t cur, vmc_prot_t max);
bool sim_map_find_space(struct vmc_map *map, vmc_size_t size, vmc_addr_t mask,
			vmc_addr_t *out);
vmc_kr_t sim_map_fixed_check(struct vmc_map *map, vmc_addr_t start, vmc_size_t size,
			     vmc_addr_t mask);
bool sim_map_space_free(struct vmc_map *map, vmc_addr_t start, vmc_size_t size);
void sim_map_remove(struct vmc_map *map, vmc_addr_t start, vmc_addr_t end);
vmc_kr_t sim_map_protect(struct vmc_map *map, vmc_addr_t start, vmc_addr_t end,
			 vmc_prot_t prot, bool set_max);
struct sim_entry *sim_map_clip(struct vmc_map *map, struct sim_entry *e,
			       vmc_addr_t start, vmc_addr_t end);
void sim_map_entry_replace(struct vmc_map *map, struct sim_entry *e,
			   struct vmc_object *object, vmc_off_t offset, bool needs_copy);
vmc_off_t sim_entry_offset(const struct sim_entry *e, vmc_addr_t addr);
vmc_kr_t sim_map_lookup_object(struct vmc_map *map, vmc_addr_t addr, vmc_prot_t access,
			       struct vmc_lookup *out);
bool sim_map_range_mapped(struct vmc_map *map, vmc_addr_t start, vmc_addr_t end,
			  vmc_prot_t need, vmc_kr_t *why);
bool sim_map_share_range(struct vmc_map *map, vmc_addr_t addr, vmc_size_t len,
			 vmc_prot_t access, uint32_t max_entries);

/* sim_object.c */
struct vmc_object *sim_object_create_internal(struct sim_vm *vm, vmc_size_t size);
struct vmc_object *sim_object_create_pager(struct sim_vm *vm, const struct sim_pager *pager);
void sim_object_ref(struct vmc_object *object);
void sim_object_unref(struct vmc_object *object);
struct vmc_object *sim_object_shadow(struct vmc_object *object, vmc_off_t offset,
				     vmc_size_t size);
struct vmc_object *sim_object_copy_delayed(struct vmc_object *object, vmc_off_t offset,
					   vmc_size_t size);

/* The resident page at offset (page aligned) of object itself, or NULL.
 * Counts one page lookup (sim_count's, inline: the resident shortcut makes
 * two of these per page it copies). */
static inline struct vmc_page *sim_object_page_find(struct vmc_object *object,
						    vmc_off_t offset)
{
	struct vmc_page *p = sim_pindex_lookup(&object->pages, (uint64_t)offset >> VMC_PAGE_SHIFT);

	object->vm->events[SIM_EV_PAGE_LOOKUP]++;
	return p;
}

vmc_fault_t sim_object_fault(struct vmc_object *object, vmc_off_t offset,
			     vmc_prot_t access, struct vmc_page **out);
bool sim_object_has_data(struct vmc_object *object, vmc_off_t offset);
bool sim_page_evict(struct vmc_page *page);
void sim_page_put(struct vmc_page *page, bool dirtied);
void sim_object_terminate(struct vmc_object *object);
void sim_frame_runs_release(struct sim_vm *vm);

/* sim_pmap.c */
struct sim_pmap *sim_pmap_create(struct sim_task *task);
void sim_pmap_destroy(struct sim_pmap *pmap);
struct sim_pte *sim_pmap_find(struct sim_pmap *pmap, vmc_addr_t vpage);
void sim_pmap_enter(struct sim_pmap *pmap, vmc_addr_t vpage, struct vmc_page *page,
		    vmc_prot_t prot);
void sim_pmap_remove_range(struct sim_pmap *pmap, vmc_addr_t start, vmc_addr_t end);
void sim_pmap_protect_range(struct sim_pmap *pmap, vmc_addr_t start, vmc_addr_t end,
			    vmc_prot_t prot);
void sim_pmap_page_remove_all(struct vmc_page *page);

/* sim_task.c */
struct sim_port *sim_port_create(struct sim_vm *vm, enum sim_port_kind kind, void *kobject,
				 const struct sim_port_ops *ops);
sim_name_t sim_right_insert(struct sim_task *task, struct sim_port *port);
struct sim_right *sim_right_find(struct sim_task *task, sim_name_t name);
void sim_port_destroy(struct sim_port *port);
vmc_kr_t sim_task_from_name(struct sim_task *caller, sim_name_t name,
			    struct sim_task **out);
vmc_kr_t sim_memobj_from_name(struct sim_task *caller, sim_name_t name,
			      struct sim_port **out);

/* sim_ops.c (kernel-side access to a task's memory, as the RPCs do it) */
vmc_kr_t sim_kernel_read(struct vmc_map *map, vmc_addr_t addr, void *buf, size_t len);
vmc_kr_t sim_kernel_write(struct vmc_map *map, vmc_addr_t addr, const void *buf,
			  size_t len);
vmc_kr_t sim_fault_kr(vmc_fault_t f);

#endif /* SIM_INTERNAL_H */

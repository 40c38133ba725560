/* A proxy memory object is a kernel port (IKOT_PAGER_PROXY) that can be
   used like a memory object: in vm_map, and as the memory object of the
   copies of experimental.defs.  It is made of ranges of several memory
   objects and proxies, each range at its own offset in the proxy with its
   own maximum protection; offsets no range covers are holes, which behave
   like unmapped memory.  A proxy of a proxy is flattened when it is made:
   its ranges are the inner proxy's, windows intersected and maximum
   protections intersected along the chain, so rights only shrink (a
   read-write proxy of a read-only one cannot be mapped writable).  The
   flattening, the checks of the arguments and the resolution of an offset
   are the mosaic core's (vm/vmc_proxy.c); this file turns ports into its
   inputs and its proxies into ports and mappings.

   Nothing holds a port of the objects a proxy was made from: it holds the
   objects themselves (referenced), so a proxy of anonymous memory needs no
   pager.

   Lifetime: a proxy lives until its port has no senders.  Every call that
   uses one holds a send right to its port (the request message's, or a
   trap's copied-in right), so no-senders cannot come while a call looks at
   it; mappings hold references on the objects, not on the proxy.

   Sharing: a proxy shares its objects with whoever maps it or copies
   through it.  A temporary object (anonymous memory) shared that way must
   use the delayed copy strategy, as vm_map_fork decides for memory
   inherited shared (vm_object_shared).  */

#include <ipc/ipc_port.h>
#include <ipc/ipc_space.h>
#include <kern/assert.h>
#include <kern/debug.h>
#include <kern/experimental.server.h>
#include <kern/ipc_kobject.h>
#include <kern/kalloc.h>
#include <kern/mach4.server.h>
#include <kern/printf.h>
#include <kern/slab.h>
#include <kern/task.h>
#include <mach/kern_return.h>
#include <mach/notify.h>
#include <mach/vm_param.h>
#include <mach/vm_prot.h>
#include <vm/memory_object_proxy.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>

#include <vm/vmc_copy.h>
#include <vm/vmc_proxy.h>
#include <vm/vmc_walk.h>

#define	to_object(o)	((vm_object_t)(o))
#define	from_object(o)	((struct vmc_object *)(o))
#define	from_map(m)	((struct vmc_map *)(m))

/* The cache which holds our proxy memory objects.  */
static struct kmem_cache memory_object_proxy_cache;

/*
 *	A proxy memory object: the kobject of its port.
 */
struct memory_object_proxy {
	ipc_port_t		port;		/* IKOT_PAGER_PROXY, the proxy */
	ipc_port_t		notify;		/* IKOT_PAGER_PROXY, gets port's
						   no-senders */
	struct vmc_proxy	*core;		/* the ranges; immutable */
};
typedef struct memory_object_proxy *memory_object_proxy_t;

void
memory_object_proxy_init(void)
{
	kmem_cache_init(&memory_object_proxy_cache, "memory_object_proxy",
			sizeof(struct memory_object_proxy), 0, NULL, 0);
}

/*
 *	memory_object_proxy_port_lookup: the proxy whose port is PORT, or
 *	null.
 *	Conditions: nothing locked; takes and drops the port lock.
 */
static memory_object_proxy_t
memory_object_proxy_port_lookup(ipc_port_t port)
{
	memory_object_proxy_t	proxy = NULL;

	if (!IP_VALID(port))
		return NULL;
	ip_lock(port);
	if (ip_active(port) && ip_kotype(port) == IKOT_PAGER_PROXY)
		proxy = (memory_object_proxy_t) port->ip_kobject;
	ip_unlock(port);
	/* The notification port has the same kobject: not a proxy. */
	if (proxy != NULL && proxy->port != port)
		proxy = NULL;
	return proxy;
}

/*
 *	memory_object_proxy_endpoint: if PORT is a proxy, the endpoint of a
 *	copy through it from POSITION on (vm/vmc_copy.h): each position
 *	resolves to its range's object with the range's maximum protection,
 *	and a copy stops exactly at a hole or past the proxy's end.
 *	Conditions: nothing locked.  The caller holds a send right to PORT
 *	for the whole copy: the proxy lives as long.
 *	Returns: TRUE and *EP, or FALSE (no proxy: *EP untouched).
 */
boolean_t
memory_object_proxy_endpoint(
	ipc_port_t		port,
	vm_offset_t		position,
	struct vmc_endpoint	*ep)		/* OUT */
{
	memory_object_proxy_t	proxy = memory_object_proxy_port_lookup(port);

	if (proxy == NULL)
		return FALSE;
	*ep = vmc_endpoint_resolver(vmc_proxy_copy_resolve, proxy->core,
				    position);
	return TRUE;
}

/* Marks a segment's object shared beyond its map entries. */
static void
object_shared(struct vmc_object *o, void *ctx)
{
	(void) ctx;
	vm_object_shared(to_object(o));
}

/*
 *	proxy_publish: makes the port of a new proxy, with its no-senders
 *	request, and a send right to it in *PORT.
 *	Returns KERN_SUCCESS (the proxy owns CORE from then on) or
 *	KERN_RESOURCE_SHORTAGE (CORE untouched, still the caller's).
 */
static kern_return_t
proxy_publish(struct vmc_proxy *core, ipc_port_t *port)
{
	memory_object_proxy_t	proxy;
	ipc_port_t		notify;

	proxy = (memory_object_proxy_t)
		kmem_cache_alloc(&memory_object_proxy_cache);
	if (proxy == NULL)
		return KERN_RESOURCE_SHORTAGE;
	proxy->core = core;
	proxy->port = ipc_port_alloc_kernel();
	if (proxy->port == IP_NULL) {
		kmem_cache_free(&memory_object_proxy_cache, (vm_offset_t) proxy);
		return KERN_RESOURCE_SHORTAGE;
	}
	proxy->notify = ipc_port_alloc_kernel();
	if (proxy->notify == IP_NULL) {
		ipc_port_dealloc_kernel(proxy->port);
		kmem_cache_free(&memory_object_proxy_cache, (vm_offset_t) proxy);
		return KERN_RESOURCE_SHORTAGE;
	}
	vmc_proxy_for_each_object(core, object_shared, NULL);

	ipc_kobject_set(proxy->port, (ipc_kobject_t) proxy, IKOT_PAGER_PROXY);
	ipc_kobject_set(proxy->notify, (ipc_kobject_t) proxy, IKOT_PAGER_PROXY);
	notify = ipc_port_make_sonce(proxy->notify);
	ip_lock(proxy->port);
	ipc_port_nsrequest(proxy->port, 1, notify, &notify);	/* unlocks */
	assert(notify == IP_NULL);

	*port = ipc_port_make_send(proxy->port);
	return KERN_SUCCESS;
}

/*
 *	memory_object_proxy_notify: the no-senders notification of a
 *	proxy's port destroys the proxy, which drops its objects.
 */
boolean_t
memory_object_proxy_notify(mach_msg_header_t *msg)
{
	mach_no_senders_notification_t	*ns;
	memory_object_proxy_t		proxy;
	ipc_port_t			notify;

	if (msg->msgh_id != MACH_NOTIFY_NO_SENDERS) {
		printf("memory_object_proxy_notify: strange notification %d\n",
		       msg->msgh_id);
		return FALSE;
	}
	ns = (mach_no_senders_notification_t *) msg;
	notify = (ipc_port_t) ns->not_header.msgh_remote_port;
	proxy = (memory_object_proxy_t) notify->ip_kobject;
	if (proxy == NULL || notify != proxy->notify)
		return FALSE;

	ipc_kobject_set(proxy->port, IKO_NULL, IKOT_NONE);
	ipc_port_dealloc_kernel(proxy->port);
	ipc_kobject_set(proxy->notify, IKO_NULL, IKOT_NONE);
	ipc_port_dealloc_kernel(proxy->notify);
	vmc_proxy_destroy(proxy->core);
	kmem_cache_free(&memory_object_proxy_cache, (vm_offset_t) proxy);
	return TRUE;
}

/*
 *	Creation from ports: memory_object_create_proxy.
 */

/*
 *	What one object port of a creation call is, before the core
 *	sees it.
 */
typedef enum {
	INPUT_READY,		/* *in is final (a hole, an object we
				   referenced, or a proxy) */
	INPUT_NEW_PAGER,	/* a port with no kernel object yet: a
				   pager the caller implements */
	INPUT_BAD		/* a kernel port of another kind */
} input_state_t;

/*
 *	input_of: classifies port, and for a known memory object takes a
 *	reference on it (vm_object_enter, which for such a port sets up
 *	nothing).  A null or dead port is a hole: the seed's form takes
 *	it as one, GNU Mach's refuses it in the core (KERN_INVALID_NAME, as
 *	stock for an invalid port).
 *	Conditions: nothing locked; may block (an object being
 *	initialized).
 */
static input_state_t
input_of(ipc_port_t port, struct vmc_proxy_input *in)
{
	memory_object_proxy_t	proxy;
	ipc_kobject_type_t	kotype;
	boolean_t		active;
	vm_object_t		object;

	in->kind = VMC_PROXY_IN_HOLE;
	in->object = NULL;
	in->proxy = NULL;
	if (!IP_VALID(port))
		return INPUT_READY;
	ip_lock(port);
	active = ip_active(port);
	kotype = ip_kotype(port);
	ip_unlock(port);
	if (!active)
		return INPUT_READY;

	switch (kotype) {
	case IKOT_PAGER_PROXY:
		proxy = memory_object_proxy_port_lookup(port);
		if (proxy == NULL)
			return INPUT_BAD;
		in->kind = VMC_PROXY_IN_PROXY;
		in->proxy = proxy->core;
		return INPUT_READY;
	case IKOT_PAGER:
		object = vm_object_enter(port, 0, FALSE);
		if (object == VM_OBJECT_NULL)
			return INPUT_BAD;
		in->kind = VMC_PROXY_IN_OBJECT;
		in->object = from_object(object);
		return INPUT_READY;
	case IKOT_NONE:
	case IKOT_PAGER_TERMINATING:
		return INPUT_NEW_PAGER;
	default:
		return INPUT_BAD;
	}
}

/*
 *	The arguments of a creation call besides its ports, in one of the
 *	two forms: GNU Mach's (vmc_proxy_plan_placed) or the seed's
 *	(vmc_proxy_plan_ranges).  form_plan gives the core's verdict
 *	on them for the inputs in[0, n), and its plan.
 */
struct create_form {
	boolean_t		seed;		/* the seed's form */
	vm_prot_t		max_protection;	/* GNU Mach's: all ranges */
	rpc_vm_offset_t		*offset;	/* GNU Mach's */
	natural_t		offset_count;
	rpc_vm_size_t		*len;		/* GNU Mach's */
	natural_t		len_count;
	vm_prot_t		*maxprot;	/* the seed's: one a range */
	natural_t		maxprot_count;
	rpc_vm_offset_t		*end;		/* the seed's */
	natural_t		end_count;
	rpc_vm_offset_t		*start;		/* both */
	natural_t		start_count;
};

static kern_return_t
form_plan_wide(const struct create_form *f, const vmc_off_t *offset,
	       const vmc_size_t *len, const vmc_off_t *end,
	       const vmc_off_t *start, const struct vmc_proxy_input *in,
	       natural_t n, struct vmc_proxy_plan **plan)
{
	_Static_assert(sizeof(vm_prot_t) == sizeof(vmc_prot_t), "vm_prot_t");

	if (f->seed)
		return vmc_proxy_plan_ranges(in, n,
					     (const vmc_prot_t *) f->maxprot,
					     f->maxprot_count,
					     start, f->start_count,
					     end, f->end_count, plan);
	return vmc_proxy_plan_placed(f->max_protection, in, n,
				     offset, f->offset_count,
				     start, f->start_count,
				     len, f->len_count, plan);
}

/*
 *	widen: the first count (at most VMC_PROXY_MAX_RANGES) of a
 *	message's 32-bit words as the core's addresses, in a block of
 *	*size bytes the caller frees; NULL if there is no memory.  The
 *	core reads an array only when its count is the number of inputs,
 *	which is at most VMC_PROXY_MAX_RANGES: it never reads past them.
 */
static vmc_off_t *
widen(const rpc_vm_offset_t *a, natural_t count, vm_size_t *size)
{
	vmc_off_t	*w;
	natural_t	i;

	if (count > VMC_PROXY_MAX_RANGES)
		count = VMC_PROXY_MAX_RANGES;
	*size = (count ? count : 1) * sizeof *w;
	w = (vmc_off_t *) kalloc(*size);
	if (w != NULL)
		for (i = 0; i < count; i++)
			w[i] = a[i];
	return w;
}

static kern_return_t
form_plan(const struct create_form *f, const struct vmc_proxy_input *in,
	  natural_t n, struct vmc_proxy_plan **plan)
{
	vmc_off_t	*w[3];
	vm_size_t	size[3];
	kern_return_t	kr;
	int		i;

	/* The message's words are the core's addresses (a task of the
	   kernel's own width). */
	if (sizeof(rpc_vm_offset_t) == sizeof(vmc_off_t) &&
	    sizeof(rpc_vm_size_t) == sizeof(vmc_size_t))
		return form_plan_wide(f, (const vmc_off_t *) f->offset,
				      (const vmc_size_t *) f->len,
				      (const vmc_off_t *) f->end,
				      (const vmc_off_t *) f->start, in, n, plan);

	/* 32-bit tasks on a 64-bit kernel (--enable-user32): the arrays
	   come as 32-bit words, widened for the core. */
	_Static_assert(sizeof(rpc_vm_size_t) == sizeof(rpc_vm_offset_t),
		       "rpc_vm_size_t");
	w[0] = widen(f->start, f->start_count, &size[0]);
	if (f->seed)
		w[1] = widen(f->end, f->end_count, &size[1]);
	else
		w[1] = widen(f->offset, f->offset_count, &size[1]);
	w[2] = f->seed ? NULL : widen((const rpc_vm_offset_t *) f->len,
				      f->len_count, &size[2]);
	if (w[0] == NULL || w[1] == NULL || (!f->seed && w[2] == NULL))
		kr = KERN_RESOURCE_SHORTAGE;
	else if (f->seed)
		kr = form_plan_wide(f, NULL, NULL, w[1], w[0], in, n, plan);
	else
		kr = form_plan_wide(f, w[1], w[2], NULL, w[0], in, n, plan);
	for (i = 0; i < 3; i++)
		if (w[i] != NULL)
			kfree((vm_offset_t) w[i], size[i]);
	return kr;
}

/*
 *	form_pager_size: the size to give vm_object_enter for the new
 *	pager behind input i, once the arguments are known good: what the
 *	range reaches of it (0 for the seed's open-ended last range).
 */
static vm_size_t
form_pager_size(const struct create_form *f, natural_t i)
{
	if (f->seed)
		return i < f->start_count ? round_page(f->end[i]) : 0;
	return round_page(f->len[i]);
}

/*
 *	create_from_ports: both creation RPCs.  Converts the ports to the
 *	core's inputs, has the core check the arguments and plan the proxy,
 *	makes the objects of ports the kernel does not know yet, has the
 *	core build the proxy, and publishes its port.
 */
static kern_return_t
create_from_ports(
	ipc_space_t		space,
	ipc_port_t		*object,
	natural_t		object_count,
	const struct create_form *form,
	ipc_port_t		*port)		/* OUT */
{
	struct vmc_proxy_input	*in;
	struct vmc_proxy_plan	*plan;
	struct vmc_proxy	*core;
	vm_size_t		in_size;
	natural_t		i, n = object_count;
	kern_return_t		kr = KERN_SUCCESS;

	/* Is the caller a task? */
	if (space == IS_NULL)
		return KERN_INVALID_TASK;

	/* No input, or more than the interface takes: the core's verdict,
	   before a port is looked at. */
	if (n == 0 || n > VMC_PROXY_MAX_RANGES)
		return form_plan(form, NULL, n, &plan);

	in_size = n * sizeof *in;
	in = (struct vmc_proxy_input *) kalloc(in_size);
	if (in == NULL)
		return KERN_RESOURCE_SHORTAGE;

	/* Is every port a memory object, a proxy, or null? */
	for (i = 0; i < n; i++) {
		switch (input_of(object[i], &in[i])) {
		case INPUT_READY:
			break;
		case INPUT_NEW_PAGER:
			/* Made once the arguments are known good. */
			in[i].kind = VMC_PROXY_IN_UNNAMED;
			in[i].object = NULL;
			break;
		case INPUT_BAD:
			kr = KERN_INVALID_ARGUMENT;
			n = i;
			goto out;
		}
	}

	kr = form_plan(form, in, n, &plan);
	if (kr != KERN_SUCCESS)
		goto out;

	/*
	 *	A port the kernel does not know yet becomes a memory object
	 *	(vm_object_enter tells its pager, memory_object_init) now
	 *	that the arguments are good.
	 */
	for (i = 0; i < n; i++) {
		vm_object_t	entered;

		if (in[i].kind != VMC_PROXY_IN_UNNAMED)
			continue;
		entered = vm_object_enter(object[i], form_pager_size(form, i),
					  FALSE);
		if (entered == VM_OBJECT_NULL) {
			/* The port changed kind meanwhile. */
			vmc_proxy_plan_discard(plan);
			kr = KERN_INVALID_ARGUMENT;
			goto out;
		}
		in[i].kind = VMC_PROXY_IN_OBJECT;
		in[i].object = from_object(entered);
	}

	core = vmc_proxy_build(plan);
	kr = proxy_publish(core, port);
	if (kr != KERN_SUCCESS) {
		vmc_proxy_destroy(core);
		goto out;
	}

	/* The proxy holds its objects: the message's rights go. */
	for (i = 0; i < object_count; i++)
		if (IP_VALID(object[i]))
			ipc_port_release_send(object[i]);

    out:
	/* Our references on the objects: the proxy took its own. */
	for (i = 0; i < n; i++)
		if (in[i].kind == VMC_PROXY_IN_OBJECT && in[i].object != NULL)
			vm_object_deallocate(to_object(in[i].object));
	kfree((vm_offset_t) in, in_size);
	return kr;
}

/*
 *	memory_object_create_proxy [mach4.defs]: range i maps [start[i],
 *	start[i] + len[i]) of object[i] (a memory object or a proxy) at
 *	offset[i] of the proxy, all with max_protection; gaps are holes,
 *	overlaps refused (the core's vmc_proxy_plan_placed has the rules).
 */
kern_return_t
memory_object_create_proxy(
	ipc_space_t		space,
	vm_prot_t		max_protection,
	ipc_port_t		*object,
	natural_t		object_count,
	rpc_vm_offset_t		*offset,
	natural_t		offset_count,
	rpc_vm_offset_t		*start,
	natural_t		start_count,
	rpc_vm_size_t		*len,
	natural_t		len_count,
	ipc_port_t		*port)		/* OUT */
{
	struct create_form	form = {
		.seed = FALSE,
		.max_protection = max_protection,
		.offset = offset, .offset_count = offset_count,
		.start = start, .start_count = start_count,
		.len = len, .len_count = len_count,
	};

	return create_from_ports(space, object, object_count, &form, port);
}

/*
 *	memory_object_create_proxy_ranges [experimental.defs], the 2002
 *	form: range i maps [start[i], end[i]) of object[i] (a memory object,
 *	a proxy, or null: a hole) with maximum protection maxprot[i], the
 *	ranges laid end to end from proxy offset 0; start and end one
 *	shorter than object: the last object whole, open-ended
 *	(vmc_proxy_plan_ranges).
 */
kern_return_t
experimental_memory_object_create_proxy_ranges(
	ipc_space_t		space,
	ipc_port_t		*object,
	natural_t		object_count,
	vm_prot_t		*maxprot,
	natural_t		maxprot_count,
	rpc_vm_offset_t		*start,
	natural_t		start_count,
	rpc_vm_offset_t		*end,
	natural_t		end_count,
	ipc_port_t		*port)		/* OUT */
{
	struct create_form	form = {
		.seed = TRUE,
		.maxprot = maxprot, .maxprot_count = maxprot_count,
		.start = start, .start_count = start_count,
		.end = end, .end_count = end_count,
	};

	return create_from_ports(space, object, object_count, &form, port);
}

/*
 *	vm_region_create_proxy.
 */

/*
 *	The ranges of a region proxy, one per map entry, laid end to end
 *	by start and length (vmc_proxy_create_sized: a range may end at the
 *	top of its object's offsets, which no exclusive end can say):
 *	arrays that grow by doubling.
 */
struct region_ranges {
	unsigned int		count;
	unsigned int		room;
	struct vmc_proxy_input	*in;
	vmc_prot_t		*prot;
	vmc_off_t		*start;
	vmc_size_t		*len;
};

#define	RANGE_BYTES	(sizeof(struct vmc_proxy_input) + sizeof(vmc_prot_t) + \
			 sizeof(vmc_off_t) + sizeof(vmc_size_t))

static void
region_ranges_free(struct region_ranges *r)
{
	if (r->room > 0)
		kfree((vm_offset_t) r->in, r->room * RANGE_BYTES);
	r->room = 0;
}

/*
 *	region_ranges_add: appends one range, its object's reference
 *	passing to r.  Returns FALSE (nothing appended, the reference the
 *	caller's) if memory ran out.
 */
static boolean_t
region_ranges_add(struct region_ranges *r, const struct vmc_walk_segment *seg,
		  vm_prot_t prot)
{
	if (r->count == r->room) {
		struct region_ranges	bigger;
		unsigned int		room = r->room ? 2 * r->room : 8;
		vm_offset_t		block = kalloc(room * RANGE_BYTES);

		if (block == 0)
			return FALSE;
		bigger.count = r->count;
		bigger.room = room;
		bigger.in = (struct vmc_proxy_input *) block;
		bigger.start = (vmc_off_t *) (bigger.in + room);
		bigger.len = (vmc_size_t *) (bigger.start + room);
		bigger.prot = (vmc_prot_t *) (bigger.len + room);
		for (unsigned int i = 0; i < r->count; i++) {
			bigger.in[i] = r->in[i];
			bigger.prot[i] = r->prot[i];
			bigger.start[i] = r->start[i];
			bigger.len[i] = r->len[i];
		}
		region_ranges_free(r);
		*r = bigger;
	}
	r->in[r->count].kind = VMC_PROXY_IN_OBJECT;
	r->in[r->count].object = seg->object;
	r->in[r->count].proxy = NULL;
	r->prot[r->count] = prot;
	r->start[r->count] = seg->offset;
	r->len[r->count] = seg->size;
	r->count++;
	return TRUE;
}

/*
 *	vm_region_create_proxy [mach4.defs]: a proxy of exactly [address,
 *	address + len) of TASK's memory, one range per map entry (the core's
 *	walk), each with the entry's protection capped by max_protection.
 *	The entries first get objects of their own that the proxy can share
 *	(vm_map_share_range).  Stock GNU Mach took the whole length from the
 *	entry holding ADDRESS, past its end.
 */
kern_return_t
vm_region_create_proxy(
	struct task	*task,
	vm_address_t	address,
	vm_prot_t	max_protection,
	vm_size_t	len,
	ipc_port_t	*port)		/* OUT */
{
	struct region_ranges	r = { 0, 0, NULL, NULL, NULL, NULL };
	struct vmc_walk		walk;
	struct vmc_walk_segment	seg;
	struct vmc_proxy	*core;
	vm_prot_t		access;
	vmc_size_t		covered = 0;
	unsigned int		entries = 0;
	unsigned int		stamp = 0;
	boolean_t		shared, stale;
	kern_return_t		kr;

	/* Is the target a task? */
	if (task == TASK_NULL)
		return KERN_INVALID_ARGUMENT;
	/* Protection bits only, and something to proxy? */
	if ((max_protection & ~VM_PROT_ALL) || len == 0)
		return KERN_INVALID_ARGUMENT;

	/*
	 *	The access the proxy grants is what the task must allow now;
	 *	a proxy with neither still needs the memory to be there.  The walk
	 *	refuses a range that wraps.
	 */
	access = max_protection & (VM_PROT_READ | VM_PROT_WRITE);
	if (access == 0)
		access = VM_PROT_READ;

	/*
	 *	The proxy shares the entries' objects: first they get objects
	 *	of their own (vm_map_share_range), then the walk takes them.  A
	 *	writer in between (another thread of the task) may have
	 *	undone that: then everything is let go and done again, as
	 *	vm_map_copyin restarts.
	 */
 again:
	shared = vm_map_share_range(task->map, address, len, access,
				    VMC_PROXY_MAX_RANGES, &stamp);
	stale = FALSE;
	kr = vmc_walk_begin(&walk, from_map(task->map), address, len, access);
	if (kr != KERN_SUCCESS)
		return kr;

	/* One range per entry, laid end to end: exactly the window.
	   Past VMC_PROXY_MAX_RANGES entries only counted, so that a
	   later hole still gives its own answer, as in the simulator. */
	kr = KERN_SUCCESS;
	while (vmc_walk_next(&walk, &seg)) {
		entries++;
		if (!shared || seg.version.stamp != stamp)
			stale = TRUE;
		if (kr != KERN_SUCCESS || entries > VMC_PROXY_MAX_RANGES ||
		    !region_ranges_add(&r, &seg, max_protection & seg.prot)) {
			if (entries <= VMC_PROXY_MAX_RANGES)
				kr = KERN_RESOURCE_SHORTAGE;
			vmc_walk_segment_release(&seg);
		}
	}

	/* A hole at address itself: nothing there.  One further on: the
	   range is longer than the memory there, which stock GNU Mach
	   reports as KERN_INVALID_ARGUMENT (len past the entry). */
	if (kr == KERN_SUCCESS) {
		kr = vmc_walk_stopped(&walk, NULL, &covered);
		if (kr == KERN_INVALID_ADDRESS && covered > 0)
			kr = KERN_INVALID_ARGUMENT;
	}
	if (kr == KERN_SUCCESS && entries > VMC_PROXY_MAX_RANGES)
		kr = KERN_NO_SPACE;
	if (kr == KERN_SUCCESS && stale) {
		for (unsigned int i = 0; i < r.count; i++)
			vm_object_deallocate(to_object(r.in[i].object));
		region_ranges_free(&r);
		r = (struct region_ranges){ 0, 0, NULL, NULL, NULL, NULL };
		entries = 0;
		covered = 0;
		goto again;
	}
	if (kr == KERN_SUCCESS)
		kr = vmc_proxy_create_sized(r.in, r.count, r.prot, r.count,
					    r.start, r.count, r.len, r.count,
					    &core);
	if (kr == KERN_SUCCESS) {
		kr = proxy_publish(core, port);
		if (kr != KERN_SUCCESS)
			vmc_proxy_destroy(core);
	}

	/* The walk's references: the proxy took its own. */
	for (unsigned int i = 0; i < r.count; i++)
		vm_object_deallocate(to_object(r.in[i].object));
	region_ranges_free(&r);
	return kr;
}

/*
 *	vm_map of a proxy.
 */

/* Windows of at most this many pieces are planned on the stack. */
#define MAP_PIECES_HERE	4

/*
 *	piece_prepare: the object the piece's entry will hold, referenced:
 *	the segment's object, or with copy a private copy of the piece
 *	(which is then the caller's own memory, as vm_map makes it).  A
 *	temporary object gets the delayed copy that vm_object_copy_
 *	strategically would give it, without waiting for a pager it may
 *	never have: a proxy needs none.
 */
static kern_return_t
piece_prepare(struct vm_map_piece *pc, boolean_t copy)
{
	vm_object_t	object = pc->object;
	vm_object_t	new_object;
	vm_offset_t	new_offset;
	boolean_t	temporary;
	kern_return_t	kr;

	if (object == VM_OBJECT_NULL)
		return KERN_SUCCESS;
	if (!copy) {
		vm_object_reference(object);
		pc->needs_copy = FALSE;
		return KERN_SUCCESS;
	}

	vm_object_lock(object);
	temporary = object->temporary;
	vm_object_unlock(object);
	if (temporary) {
		pc->object = vm_object_copy_delayed(object, pc->offset,
						    pc->size);
		pc->needs_copy = TRUE;
		return KERN_SUCCESS;
	}
	kr = vm_object_copy_strategically(object, pc->offset, pc->size,
					  &new_object, &new_offset,
					  &pc->needs_copy);
	if (kr != KERN_SUCCESS) {
		pc->object = VM_OBJECT_NULL;
		return kr;
	}
	pc->object = new_object;
	pc->offset = new_offset;
	return KERN_SUCCESS;
}

/* Drops the references of pieces [from, n) that were prepared. */
static void
pieces_release(struct vm_map_piece *pieces, unsigned int from, unsigned int n)
{
	for (unsigned int i = from; i < n; i++)
		if (pieces[i].object != VM_OBJECT_NULL)
			vm_object_deallocate(pieces[i].object);
}

/*
 *	memory_object_proxy_map: vm_map of a window of a proxy, for vm_map
 *	(vm/vm_user.c), whose arguments it takes once vm_map has checked
 *	and rounded them: every piece of the window as an entry of its own,
 *	holes reserved with no access, all of them or none
 *	(vm_map_enter_pieces).  The core checks the window (vmc_proxy_map_
 *	check: on page boundaries, inside the proxy, without wrap; a copy
 *	only of readable pieces) and plans the pieces, protections capped
 *	by each piece's maximum protection (not for a copy: the caller's
 *	own memory then).
 *	Conditions: nothing locked.
 *	Returns: KERN_INVALID_ARGUMENT if MEMORY_OBJECT is no proxy, or
 *	what vm_map returns.
 */
kern_return_t
memory_object_proxy_map(
	struct vm_map	*target_map,
	vm_offset_t	*address,	/* IN/OUT */
	vm_size_t	size,
	vm_offset_t	mask,
	boolean_t	anywhere,
	ipc_port_t	memory_object,
	vm_offset_t	offset,
	boolean_t	copy,
	vm_prot_t	cur_protection,
	vm_prot_t	max_protection,
	vm_inherit_t	inheritance)
{
	memory_object_proxy_t	proxy = memory_object_proxy_port_lookup(memory_object);
	const struct vmc_proxy	*core;
	struct vmc_proxy_map_piece *plan, plan_here[MAP_PIECES_HERE];
	struct vm_map_piece	*pieces, pieces_here[MAP_PIECES_HERE];
	vm_size_t		pieces_size, plan_size;
	vm_offset_t		start = *address;
	unsigned int		i;
	uint32_t		n;
	kern_return_t		kr = KERN_SUCCESS;

	/* Is the port a proxy?  (Nor a memory object: vm_map tried.) */
	if (proxy == NULL)
		return KERN_INVALID_ARGUMENT;
	core = proxy->core;
	/* Is there anything left once vm_map rounded the size? */
	if (size == 0)
		return KERN_INVALID_ARGUMENT;

	/* The window and its pieces, as the core rules. */
	kr = vmc_proxy_map_check(core, offset, size, copy, &n);
	if (kr != KERN_SUCCESS)
		return kr;

	/* A few pieces (most windows): on the stack, no allocation. */
	plan_size = n * sizeof *plan;
	pieces_size = n * sizeof *pieces;
	if (n <= MAP_PIECES_HERE) {
		plan = plan_here;
		pieces = pieces_here;
	} else {
		plan = (struct vmc_proxy_map_piece *) kalloc(plan_size);
		if (plan == NULL)
			return KERN_RESOURCE_SHORTAGE;
		pieces = (struct vm_map_piece *) kalloc(pieces_size);
		if (pieces == NULL) {
			kfree((vm_offset_t) plan, plan_size);
			return KERN_RESOURCE_SHORTAGE;
		}
	}
	vmc_proxy_map_plan(core, offset, size, copy, cur_protection,
			   max_protection, plan);
	for (i = 0; i < n; i++) {
		pieces[i].at = plan[i].at;
		pieces[i].size = plan[i].size;
		pieces[i].object = to_object(plan[i].object);
		pieces[i].offset = plan[i].offset;
		pieces[i].needs_copy = FALSE;
		pieces[i].cur = plan[i].cur;
		pieces[i].max = plan[i].max;
	}
	if (plan != plan_here)
		kfree((vm_offset_t) plan, plan_size);

	/*
	 *	One piece with an object: one vm_map_enter, as stock vm_map
	 *	does for a proxy.
	 */
	if (n == 1 && pieces[0].object != VM_OBJECT_NULL) {
		kr = piece_prepare(&pieces[0], copy);
		if (kr == KERN_SUCCESS) {
			kr = vm_map_enter(target_map, &start, size, mask,
					  anywhere, pieces[0].object,
					  pieces[0].offset,
					  pieces[0].needs_copy,
					  pieces[0].cur, pieces[0].max,
					  inheritance);
			if (kr != KERN_SUCCESS)
				vm_object_deallocate(pieces[0].object);
		}
		goto done;
	}

	/*
	 *	Several pieces: all or none (vm_map_enter_pieces).
	 */
	for (i = 0; i < n; i++) {
		kr = piece_prepare(&pieces[i], copy);
		if (kr != KERN_SUCCESS) {
			pieces_release(pieces, 0, i);
			goto done;
		}
	}
	kr = vm_map_enter_pieces(target_map, &start, size, mask, anywhere,
				 inheritance, pieces, n);
	if (kr != KERN_SUCCESS)
		pieces_release(pieces, 0, n);

    done:
	if (pieces != pieces_here)
		kfree((vm_offset_t) pieces, pieces_size);
	if (kr == KERN_SUCCESS)
		*address = start;
	return kr;
}

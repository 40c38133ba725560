/*
 * Copyright (c) 2026 the mosaic authors.
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the Free
 * Software Foundation; either version 2, or (at your option) any later
 * version.
 */
/*
 *	File:	vm/vmc_proxy_gnumach.c  (mosaic: mach-port/vmc_proxy_gnumach.c)
 *
 *	GNU Mach's proxy memory objects, made of the core's proxies
 *	(vmc_proxy.h).  Like vmc_gnumach.c this is the port layer, where
 *	core and kernel types meet: a struct vmc_object is a struct
 *	vm_object, a struct vmc_map a struct vm_map, and the conversion is
 *	a cast, here and in vmc_gnumach.c only.
 *
 *	A proxy is a kernel port of type IKOT_PAGER_PROXY, as in stock GNU
 *	Mach, whose kobject is a struct mosaic_proxy: the port, a second
 *	port that receives the first one's no-senders notification, and
 *	the core's proxy.  The core's proxy is flattened and immutable: a
 *	sorted array of segments, each a VM object (referenced), an offset
 *	and a maximum protection already intersected along any chain of
 *	nested proxies.  Holes are the gaps between segments.  Nothing
 *	holds a port of the objects the proxy was made from, so a proxy of
 *	anonymous memory needs no pager (stock GNU Mach creates one, and
 *	waits for the default pager to exist).
 *
 *	The routines below take the place of the stock ones (patch 4 of
 *	the series, mach-port/patch-series.sh): vm/memory_object_proxy.c's
 *	entry points, vm_map's branch for a proxy and
 *	vm_region_create_proxy call them:
 *
 *	  memory_object_create_proxy	GNU Mach's argument shapes, all of
 *		them: several objects and proxies, any offsets; the core
 *		validates everything (vmc_proxy_create_placed) before any
 *		reference is taken or any port is made.
 *	  memory_object_create_proxy_ranges (mosaic.defs)	the
 *		seed's form (vmc_proxy_create_ranges): ranges laid end to
 *		end, one protection each, null ports as holes, an
 *		open-ended last range; the same conversion of ports and
 *		publishing as memory_object_create_proxy.
 *	  vm_region_create_proxy	exactly the requested window of the
 *		task's memory, one range per map entry, from the core's
 *		walk (vmc_walk), after each entry got an object of its own
 *		that no copy-on-write relation reaches, as vm_map_fork
 *		gives memory inherited shared (region_share).
 *	  vm_map of a proxy		every piece of the window, one map
 *		entry each, or nothing; holes reserved with no access.
 *	  the no-senders notification	destroys the proxy, which drops
 *		the segments' object references.
 *
 *	Lifetime: a proxy lives until its port has no senders.  Every
 *	call that uses one holds a send right to its port (the request
 *	message's, or the trap's copied-in right), so no-senders cannot
 *	come while a call looks at it; mappings hold references on the
 *	base objects, not on the proxy.
 *
 *	Sharing: a proxy shares its objects with whoever maps it or copies
 *	through it.  A temporary object (anonymous memory) shared that way
 *	must use the asymmetric (delayed) copy strategy, as vm_map_fork
 *	decides for memory inherited shared: creation sets
 *	use_shared_copy on it, and a copy=TRUE mapping of it is a delayed
 *	copy.
 */

#include <ipc/ipc_port.h>
#include <ipc/ipc_space.h>
#include <kern/assert.h>
#include <kern/debug.h>
#include <kern/ipc_kobject.h>
#include <kern/kalloc.h>
#include <kern/printf.h>
#include <kern/task.h>
#include <mach/kern_return.h>
#include <mach/notify.h>
#include <mach/vm_param.h>
#include <mach/vm_prot.h>
#include <vm/memory_object_proxy.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>

#include "vmc_proxy.h"
#include "vmc_proxy_gnumach.h"
#include "vmc_range.h"
#include "vmc_walk.h"

#define	to_object(o)	((vm_object_t)(o))
#define	from_object(o)	((struct vmc_object *)(o))
#define	from_map(m)	((struct vmc_map *)(m))

/*
 *	A proxy memory object: the kobject of its port.
 */
struct mosaic_proxy {
	ipc_port_t		port;		/* IKOT_PAGER_PROXY, the proxy */
	ipc_port_t		notify;		/* IKOT_PAGER_PROXY, gets port's
						   no-senders */
	struct vmc_proxy	*core;		/* segments; immutable */
};

/*
 *	proxy_of: the proxy whose port is port, or null.
 *	Conditions: nothing locked; takes and drops the port lock.
 */
static struct mosaic_proxy *
proxy_of(ipc_port_t port)
{
	struct mosaic_proxy	*proxy = NULL;

	if (!IP_VALID(port))
		return NULL;
	ip_lock(port);
	if (ip_active(port) && ip_kotype(port) == IKOT_PAGER_PROXY)
		proxy = (struct mosaic_proxy *) port->ip_kobject;
	ip_unlock(port);
	/* The notification port has the same kobject: not a proxy. */
	if (proxy != NULL && proxy->port != port)
		proxy = NULL;
	return proxy;
}

struct vmc_proxy *
mosaic_proxy_core(ipc_port_t port)
{
	struct mosaic_proxy	*proxy = proxy_of(port);

	return proxy != NULL ? proxy->core : NULL;
}

/*
 *	proxy_objects_shared: marks the temporary objects of a new proxy
 *	as shared beyond their map entries (see "Sharing" above).
 */
static void
object_shared(struct vmc_object *o, void *ctx)
{
	vm_object_t	object = to_object(o);

	(void) ctx;
	vm_object_lock(object);
	if (object->temporary)
		object->use_shared_copy = TRUE;
	vm_object_unlock(object);
}

static void
proxy_objects_shared(const struct vmc_proxy *core)
{
	vmc_proxy_for_each_object(core, object_shared, NULL);
}

/*
 *	proxy_publish: makes the port of a new proxy, with its no-senders
 *	request, and a send right to it in *port.
 *	Returns KERN_SUCCESS (the proxy owns core from then on) or
 *	KERN_RESOURCE_SHORTAGE (core untouched, still the caller's).
 */
static kern_return_t
proxy_publish(struct vmc_proxy *core, ipc_port_t *port)
{
	struct mosaic_proxy	*proxy;
	ipc_port_t		notify;

	proxy = (struct mosaic_proxy *) kalloc(sizeof *proxy);
	if (proxy == NULL)
		return KERN_RESOURCE_SHORTAGE;
	proxy->core = core;
	proxy->port = ipc_port_alloc_kernel();
	if (proxy->port == IP_NULL) {
		kfree((vm_offset_t) proxy, sizeof *proxy);
		return KERN_RESOURCE_SHORTAGE;
	}
	proxy->notify = ipc_port_alloc_kernel();
	if (proxy->notify == IP_NULL) {
		ipc_port_dealloc_kernel(proxy->port);
		kfree((vm_offset_t) proxy, sizeof *proxy);
		return KERN_RESOURCE_SHORTAGE;
	}
	proxy_objects_shared(core);

	ipc_kobject_set(proxy->port, (ipc_kobject_t) proxy, IKOT_PAGER_PROXY);
	ipc_kobject_set(proxy->notify, (ipc_kobject_t) proxy, IKOT_PAGER_PROXY);
	notify = ipc_port_make_sonce(proxy->notify);
	ip_lock(proxy->port);
	ipc_port_nsrequest(proxy->port, 1, notify, &notify);	/* unlocks */
	assert(notify == IP_NULL);

	*port = ipc_port_make_send(proxy->port);
	return KERN_SUCCESS;
}

boolean_t
mosaic_memory_object_proxy_notify(mach_msg_header_t *msg)
{
	mach_no_senders_notification_t	*ns;
	struct mosaic_proxy		*proxy;
	ipc_port_t			notify;

	if (msg->msgh_id != MACH_NOTIFY_NO_SENDERS) {
		printf("memory_object_proxy_notify: strange notification %d\n",
		       msg->msgh_id);
		return FALSE;
	}
	ns = (mach_no_senders_notification_t *) msg;
	notify = (ipc_port_t) ns->not_header.msgh_remote_port;
	proxy = (struct mosaic_proxy *) notify->ip_kobject;
	if (proxy == NULL || notify != proxy->notify)
		return FALSE;

	ipc_kobject_set(proxy->port, IKO_NULL, IKOT_NONE);
	ipc_port_dealloc_kernel(proxy->port);
	ipc_kobject_set(proxy->notify, IKO_NULL, IKOT_NONE);
	ipc_port_dealloc_kernel(proxy->notify);
	vmc_proxy_destroy(proxy->core);
	kfree((vm_offset_t) proxy, sizeof *proxy);
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
	struct mosaic_proxy	*proxy;
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
		proxy = proxy_of(port);
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
 *	two forms: GNU Mach's (vmc_proxy_create_placed) or the seed's
 *	(vmc_proxy_create_ranges).  form_plan gives the core's verdict
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

kern_return_t
mosaic_memory_object_create_proxy(
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

kern_return_t
mosaic_memory_object_create_proxy_ranges(
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
 *	entry_share: gives a map entry an object that no copy-on-write
 *	relation reaches, so that the object can be shared beyond the
 *	entry, as vm_map_fork does for memory inherited shared.  An entry
 *	that is copy-on-write (needs_copy), or whose temporary object may
 *	be the source of a symmetric copy (it was copied, or it is larger
 *	than the entry, as after a vm_read of part of it clipped it), gets
 *	a new shadow object; if it was writable in place, write is taken
 *	out of its page table entries so that the next write copies the
 *	page up.  An entry with no object gets one.  The object is then
 *	use_shared_copy: every later virtual copy of it is a delayed copy;
 *	and the entry is_shared, as vm_map_fork marks the entries it
 *	shares: vm_write and vm_copy into it write the object in place.
 *
 *	Why: a symmetric copy trusts every writer to go through a
 *	needs_copy entry.  An object shared otherwise and then copied
 *	delayed (object->copy set) while another entry still shadows it
 *	symmetrically breaks vm_object_terminate's rule that an object
 *	shadowing another is that object's copy or nothing.
 *
 *	Conditions: map write-locked.
 */
static void
entry_share(vm_map_t map, vm_map_entry_t entry)
{
	vm_size_t	size = entry->vme_end - entry->vme_start;
	vm_object_t	object = entry->object.vm_object;

	if (object == VM_OBJECT_NULL) {
		entry->object.vm_object = vm_object_allocate(size);
		entry->offset = 0;
	} else if (entry->needs_copy ||
		   (object->temporary && !object->use_shared_copy &&
		    (object->shadowed ||
		     (!entry->is_shared && object->size > size)))) {
		vm_object_shadow(&entry->object.vm_object, &entry->offset,
				 size);
		if (!entry->needs_copy &&
		    (entry->protection & VM_PROT_WRITE))
			pmap_protect(vm_map_pmap(map), entry->vme_start,
				     entry->vme_end,
				     entry->protection & ~VM_PROT_WRITE);
		entry->needs_copy = FALSE;
	}
	object = entry->object.vm_object;
	vm_object_lock(object);
	if (object->temporary)
		object->use_shared_copy = TRUE;
	vm_object_unlock(object);
	/* Shared beyond the entry: an overwrite (vm_write, vm_copy) writes
	   the object in place, where the proxy sees it, instead of giving
	   the entry another object (vm_map_copy_overwrite). */
	entry->is_shared = TRUE;
}

/*
 *	region_share: entry_share for every entry holding a byte of
 *	[start, start + len), if the walk will take them all: the range
 *	does not wrap, every byte of it is in an entry that is not a
 *	submap and allows `access`, and there are at most
 *	VMC_PROXY_MAX_RANGES entries.  Otherwise nothing changes, and the
 *	walk gives the answer.
 *	Returns TRUE and in *stamp the map's timestamp after the change,
 *	which a walk with no writer in between sees too; FALSE when
 *	nothing changed.
 *	Conditions: nothing locked; takes and drops the map's write lock.
 */
static boolean_t
region_share(vm_map_t map, vm_offset_t start, vm_size_t len,
	     vm_prot_t access, unsigned int *stamp)
{
	vm_offset_t	last = start + (len - 1);
	vm_offset_t	at = start;
	vm_map_entry_t	first, entry;
	unsigned int	entries = 0;

	if (last < start)
		return FALSE;
	vm_map_lock(map);
	if (!vm_map_lookup_entry(map, start, &first)) {
		vm_map_unlock(map);
		return FALSE;
	}
	for (entry = first; ; entry = entry->vme_next) {
		if (entry == vm_map_to_entry(map) || entry->vme_start > at ||
		    entry->is_sub_map ||
		    (entry->protection & access) != access ||
		    ++entries > VMC_PROXY_MAX_RANGES) {
			vm_map_unlock(map);
			return FALSE;
		}
		if (entry->vme_end - 1 >= last)
			break;
		at = entry->vme_end;
	}
	for (entry = first; ; entry = entry->vme_next) {
		entry_share(map, entry);
		if (entry->vme_end - 1 >= last)
			break;
	}
	*stamp = map->timestamp;
	vm_map_unlock(map);
	return TRUE;
}

kern_return_t
mosaic_vm_region_create_proxy(
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
	 *	of their own (region_share), then the walk takes them.  A
	 *	writer in between (another thread of the task) may have
	 *	undone that: then everything is let go and done again, as
	 *	vm_map_copyin restarts.
	 */
 again:
	shared = region_share(task->map, address, len, access, &stamp);
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

/*
 *	One map entry of a proxy mapping: a piece of the window.
 */
struct map_piece {
	vm_offset_t	at;		/* from the window's first byte */
	vm_size_t	size;
	vm_object_t	object;		/* null: a hole; else referenced once
					   prepared, until entered */
	vm_offset_t	offset;
	boolean_t	needs_copy;
	vm_prot_t	cur;
	vm_prot_t	max;
};

/*
 *	piece_prepare: the object the piece's entry will hold, referenced:
 *	the segment's object, or with copy a private copy of the piece
 *	(which is then the caller's own memory, as vm_map makes it).  A
 *	temporary object gets the delayed copy that vm_object_copy_
 *	strategically would give it, without waiting for a pager it may
 *	never have: a proxy needs none.
 */
static kern_return_t
piece_prepare(struct map_piece *pc, boolean_t copy)
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
pieces_release(struct map_piece *pieces, unsigned int from, unsigned int n)
{
	for (unsigned int i = from; i < n; i++)
		if (pieces[i].object != VM_OBJECT_NULL)
			vm_object_deallocate(pieces[i].object);
}

/*
 *	pieces_enter: maps the prepared pieces of a window, all of them or
 *	none, with no moment at which another thread of the task sees, or
 *	can take, part of the window.
 *
 *	The window is reserved first by vm_map_enter (which finds room, or
 *	checks the fixed address, and keeps the map's accounting), as one
 *	entry with no access whose object is a marker: a fresh object
 *	nothing else can map.  Then, with the map write-locked, the entry
 *	is checked to be still the reservation, whole (another thread may
 *	have deallocated or changed it in between: then what is left of it
 *	is removed, KERN_NO_SPACE), and cut at the pieces' boundaries, each
 *	part given its piece: object, offset, copy-on-write, protections
 *	(holes keep no object and no access).  The pieces' mappings count
 *	toward the map's limit as vm_map_enter's would.
 *
 *	On success the entries hold the pieces' references; on failure the
 *	caller still holds them.
 *	Conditions: nothing locked.
 */
static kern_return_t
pieces_enter(
	vm_map_t		map,
	vm_offset_t		*address,	/* IN/OUT */
	vm_size_t		size,
	vm_offset_t		mask,
	boolean_t		anywhere,
	vm_inherit_t		inheritance,
	const struct map_piece	*pieces,
	unsigned int		n)
{
	vm_object_t	marker;
	vm_map_entry_t	entry, next;
	vm_offset_t	start = *address;
	vm_size_t	accessible = 0;
	unsigned int	marker_refs = 0;
	kern_return_t	kr;

	marker = vm_object_allocate(size);
	vm_object_reference(marker);		/* ours; the entry takes one */
	kr = vm_map_enter(map, &start, size, mask, anywhere, marker, 0,
			  FALSE, VM_PROT_NONE, VM_PROT_NONE, inheritance);
	if (kr != KERN_SUCCESS) {
		vm_object_deallocate(marker);	/* the entry's */
		vm_object_deallocate(marker);
		return kr;
	}

	for (unsigned int i = 0; i < n; i++)
		if (pieces[i].object != VM_OBJECT_NULL &&
		    pieces[i].max != VM_PROT_NONE)
			accessible += pieces[i].size;

	vm_map_lock(map);
	if (!vm_map_lookup_entry(map, start, &entry) ||
	    entry->vme_start != start || entry->vme_end != start + size ||
	    entry->is_sub_map || entry->object.vm_object != marker)
		kr = KERN_NO_SPACE;
	/* The limit, as vm_map_enter enforces it (the reservation has no
	   access, so it is not counted yet). */
	else if (vm_map_pmap(map) != kernel_pmap && accessible > 0 &&
		 (map->size - map->size_none + accessible < accessible ||
		  map->size - map->size_none + accessible >
		  map->size_cur_limit))
		kr = KERN_NO_SPACE;
	if (kr != KERN_SUCCESS) {
		/* Whatever is left of the reservation is ours to remove. */
		if (!vm_map_lookup_entry(map, start, &entry))
			entry = entry->vme_next;
		while (entry != vm_map_to_entry(map) &&
		       entry->vme_start < start + size) {
			next = entry->vme_next;
			if (!entry->is_sub_map &&
			    entry->object.vm_object == marker)
				vm_map_delete(map, entry->vme_start,
					      entry->vme_end);
			entry = next;
		}
		vm_map_unlock(map);
		vm_object_deallocate(marker);
		return kr;
	}

	for (unsigned int i = 0; i < n; i++) {
		vm_offset_t	a = start + pieces[i].at;

		/* entry starts at a: cut off what follows the piece. */
		assert(entry->vme_start == a);
		if (a + pieces[i].size < entry->vme_end)
			_vm_map_clip_end(&map->hdr, entry, a + pieces[i].size,
					 TRUE);
		marker_refs++;
		entry->object.vm_object = pieces[i].object;
		entry->offset = pieces[i].object != VM_OBJECT_NULL ?
				pieces[i].offset : 0;
		entry->needs_copy = pieces[i].needs_copy;
		entry->protection = pieces[i].cur;
		entry->max_protection = pieces[i].max;
		if (pieces[i].max != VM_PROT_NONE)
			map->size_none -= pieces[i].size;
		entry = entry->vme_next;
	}
	vm_map_unlock(map);

	/* The reservation's references (one per part it was cut into),
	   and ours: the marker goes. */
	while (marker_refs-- > 0)
		vm_object_deallocate(marker);
	vm_object_deallocate(marker);

	/* Windows of at most this many pieces are planned on the stack. */
#define MAP_PIECES_HERE	4

/* As vm_map_enter does for a map that wires all it maps. */
	if (map->wiring_required)
		for (unsigned int i = 0; i < n; i++)
			if (pieces[i].object != VM_OBJECT_NULL)
				(void) vm_map_pageable(map,
					start + pieces[i].at,
					start + pieces[i].at + pieces[i].size,
					pieces[i].cur, TRUE, FALSE);
	*address = start;
	return KERN_SUCCESS;
}

kern_return_t
mosaic_vm_map_proxy(
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
	const struct vmc_proxy	*core = mosaic_proxy_core(memory_object);
	struct vmc_proxy_map_piece *plan, plan_here[MAP_PIECES_HERE];
	struct map_piece	*pieces, pieces_here[MAP_PIECES_HERE];
	vm_size_t		pieces_size, plan_size;
	vm_offset_t		start = *address;
	unsigned int		i;
	uint32_t		n;
	kern_return_t		kr = KERN_SUCCESS;

	/* Is the port a proxy?  (Nor a memory object: vm_map tried.) */
	if (core == NULL)
		return KERN_INVALID_ARGUMENT;
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
		pieces = (struct map_piece *) kalloc(pieces_size);
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
	 *	Several pieces: reserved as one entry, then made into the
	 *	pieces with the map locked throughout (pieces_enter).
	 */
	for (i = 0; i < n; i++) {
		kr = piece_prepare(&pieces[i], copy);
		if (kr != KERN_SUCCESS) {
			pieces_release(pieces, 0, i);
			goto done;
		}
	}
	kr = pieces_enter(target_map, &start, size, mask, anywhere,
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

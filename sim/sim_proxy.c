/*
 * sim_proxy.c: proxies as kernel objects of the simulated kernel.  See
 * sim_proxy.h for the interface and core/vmc_proxy.h for the model.
 *
 * A proxy port (SIM_PORT_PROXY) has a struct sim_proxy as its kobject.  The
 * struct owns the core's immutable struct vmc_proxy, which holds references
 * on the base objects of its segments.  It lives until its port dies (last
 * send right gone, or the world destroyed) and no call holds it.
 *
 * vm_map of a proxy: the window is checked without wrap and must lie within
 * the proxy's extent (vmc_proxy_window_inside), then the pieces are counted, space for the whole
 * window is found, and one entry per piece is entered: segments with their
 * protections capped by the segment's maximum, holes as entries with no
 * access at all, so the hole stays reserved.  With copy, each segment must
 * allow reading and the private copy is not capped (GNU Mach's rule: the
 * copy is the caller's own memory; the original cannot be reached).  Nothing is entered until the
 * whole window has been checked, and an entry that cannot be entered undoes
 * those before it, so a mapping is all or nothing.
 */
#include "sim_internal.h"
#include "sim_proxy.h"
#include "vmc_proxy_host.h"
#include "vmc_walk.h"

struct sim_proxy {
	struct vmc_proxy *core;
	struct sim_port *port;     /* NULL once the port died */
	uint32_t holds;            /* calls in progress */
};

static void proxy_free(struct sim_proxy *sp)
{
	vmc_proxy_destroy(sp->core);
	g_free(sp);
}

/* The port of a proxy dies; the proxy goes with it unless a call holds
 * it. */
static void proxy_port_dying(struct sim_port *port)
{
	struct sim_proxy *sp = port->kobject;

	if (sp == NULL)
		return;
	port->kobject = NULL;
	sp->port = NULL;
	if (sp->holds == 0)
		proxy_free(sp);
}

static void proxy_no_senders(struct sim_port *port)
{
	sim_port_destroy(port);
}

static const struct sim_port_ops proxy_ops = {
	.no_senders = proxy_no_senders,
	.dying = proxy_port_dying,
};

struct sim_proxy *sim_proxy_hold(struct sim_port *port)
{
	struct sim_proxy *sp = port->kobject;

	sp->holds++;
	return sp;
}

const struct vmc_proxy *sim_proxy_core(const struct sim_proxy *proxy)
{
	return proxy->core;
}

void sim_proxy_release(struct sim_proxy *sp)
{
	if (--sp->holds == 0 && sp->port == NULL)
		proxy_free(sp);
}

static void object_shared(struct vmc_object *object, void *ctx)
{
	(void)ctx;
	object->shared_copy = true;
}

/* Makes the port for a new proxy and gives caller a send right to it. */
static sim_name_t proxy_publish(struct sim_task *caller, struct vmc_proxy *core)
{
	struct sim_proxy *sp = g_new0(struct sim_proxy, 1);

	/* Its objects can now be written by whoever holds the proxy, whatever
	 * the maps say: a symmetric copy-on-write copy of one (which trusts
	 * every writer to go through a needs_copy entry) would see those
	 * writes, so their virtual copies become delayed copies. */
	vmc_proxy_for_each_object(core, object_shared, NULL);

	sp->core = core;
	sp->port = sim_port_create(caller->vm, SIM_PORT_PROXY, sp, &proxy_ops);
	return sim_right_insert(caller, sp->port);
}

/* Turns the caller's names into core inputs (a null or dead name is a
 * hole).  Returns the code of the first name that is not acceptable. */
static vmc_kr_t inputs_from_names(struct sim_task *caller, const sim_name_t *names, uint32_t n,
				  struct vmc_proxy_input *in)
{
	for (uint32_t i = 0; i < n; i++) {
		struct sim_port *port;
		if (names[i] != SIM_NAME_NULL)
			sim_count(caller->vm, SIM_EV_PORT_RIGHT, 1);
		vmc_kr_t kr = sim_memobj_from_name(caller, names[i], &port);
		if (kr != KERN_SUCCESS)
			return kr;
		if (port == NULL)
			in[i] = (struct vmc_proxy_input){ .kind = VMC_PROXY_IN_HOLE };
		else if (port->kind == SIM_PORT_PROXY)
			in[i] = (struct vmc_proxy_input){ .kind = VMC_PROXY_IN_PROXY,
							  .proxy = ((struct sim_proxy *)port->kobject)->core };
		else if (port->kobject != NULL)
			in[i] = (struct vmc_proxy_input){ .kind = VMC_PROXY_IN_OBJECT,
							  .object = port->kobject };
		else
			in[i] = (struct vmc_proxy_input){ .kind = VMC_PROXY_IN_HOLE };
	}
	return KERN_SUCCESS;
}

/* The common front of both creation RPCs: a live caller, names resolved
 * (at most VMC_PROXY_MAX_RANGES of them; more is the core's KERN_NO_SPACE,
 * without resolving anything). */
static vmc_kr_t creation_inputs(struct sim_task *caller, const sim_name_t *object, uint32_t n,
				struct vmc_proxy_input **in)
{
	if (!sim_task_alive(caller))
		return MACH_SEND_INVALID_DEST;
	sim_count(caller->vm, SIM_EV_RPC, 1);
	*in = g_new0(struct vmc_proxy_input, n > 0 && n <= VMC_PROXY_MAX_RANGES ? n : 1);
	if (n > VMC_PROXY_MAX_RANGES || object == NULL)
		return KERN_SUCCESS;    /* the core gives the verdict */
	return inputs_from_names(caller, object, n, *in);
}

vmc_kr_t sim_memory_object_create_proxy(struct sim_task *caller, vmc_prot_t max_protection,
					const sim_name_t *object, uint32_t nobject,
					const vmc_off_t *offset, uint32_t noffset,
					const vmc_off_t *start, uint32_t nstart,
					const vmc_size_t *len, uint32_t nlen, sim_name_t *out)
{
	struct vmc_proxy_input *in = NULL;
	struct vmc_proxy *core;
	vmc_kr_t kr = creation_inputs(caller, object, nobject, &in);

	if (kr == KERN_SUCCESS)
		kr = vmc_proxy_create_placed(max_protection, in, nobject, offset, noffset, start,
					     nstart, len, nlen, &core);
	g_free(in);
	if (kr == KERN_SUCCESS)
		*out = proxy_publish(caller, core);
	return kr;
}

vmc_kr_t sim_memory_object_create_proxy_ranges(struct sim_task *caller,
					       const sim_name_t *object, uint32_t nobject,
					       const vmc_prot_t *maxprot, uint32_t nprot,
					       const vmc_off_t *start, uint32_t nstart,
					       const vmc_off_t *end, uint32_t nend,
					       sim_name_t *out)
{
	struct vmc_proxy_input *in = NULL;
	struct vmc_proxy *core;
	vmc_kr_t kr = creation_inputs(caller, object, nobject, &in);

	if (kr == KERN_SUCCESS)
		kr = vmc_proxy_create_ranges(in, nobject, maxprot, nprot, start, nstart, end, nend,
					     &core);
	g_free(in);
	if (kr == KERN_SUCCESS)
		*out = proxy_publish(caller, core);
	return kr;
}

vmc_kr_t sim_vm_region_create_proxy(struct sim_task *caller, sim_name_t target,
				    vmc_addr_t addr, vmc_prot_t max_protection, vmc_size_t len,
				    sim_name_t *out)
{
	struct sim_task *t;
	struct vmc_walk walk;
	struct vmc_walk_segment seg;
	vmc_kr_t kr;

	if (caller != NULL && sim_task_alive(caller))
		sim_count(caller->vm, SIM_EV_RPC, 1);
	/* Does the caller hold a send right to a live task? */
	if ((kr = sim_task_from_name(caller, target, &t)) != KERN_SUCCESS)
		return kr;
	/* Protection bits only, and a non-empty range that does not wrap? */
	if (!vmc_prot_valid(max_protection) || len == 0)
		return KERN_INVALID_ARGUMENT;
	/* The access the proxy grants is what the task must allow now; a
	 * proxy without read or write still needs the memory to be there. */
	vmc_prot_t access = max_protection & (VMC_PROT_READ | VMC_PROT_WRITE);
	if (access == 0)
		access = VMC_PROT_READ;
	/* The proxy shares the entries' objects: first they get objects of
	 * their own, then the walk takes them (nothing runs in between here;
	 * the kernel checks the map's timestamp and starts again). */
	(void)sim_map_share_range(t->map, addr, len, access, VMC_PROXY_MAX_RANGES);
	if ((kr = vmc_walk_begin(&walk, t->map, addr, len, access)) != KERN_SUCCESS)
		return kr;

	/* One range per entry, laid end to end: exactly the window. */
	GArray *in = g_array_new(FALSE, FALSE, sizeof(struct vmc_proxy_input));
	GArray *prot = g_array_new(FALSE, FALSE, sizeof(vmc_prot_t));
	GArray *start = g_array_new(FALSE, FALSE, sizeof(vmc_off_t));
	GArray *size = g_array_new(FALSE, FALSE, sizeof(vmc_size_t));
	GPtrArray *held = g_ptr_array_new();
	while (vmc_walk_next(&walk, &seg)) {
		struct vmc_proxy_input i = { .kind = VMC_PROXY_IN_OBJECT, .object = seg.object };
		vmc_prot_t p = max_protection & seg.prot;
		g_array_append_val(in, i);
		g_array_append_val(prot, p);
		/* By start and size: the walk cut the segment to fit the object's
		 * offsets, but its end may be one past the top of them. */
		g_array_append_val(start, seg.offset);
		g_array_append_val(size, seg.size);
		g_ptr_array_add(held, seg.object);
	}
	/* A hole at addr itself: nothing there (KERN_INVALID_ADDRESS).  One
	 * further on: the range is longer than the memory there, which GNU
	 * Mach reports as KERN_INVALID_ARGUMENT (len past the entry). */
	vmc_size_t covered = 0;
	kr = vmc_walk_stopped(&walk, NULL, &covered);
	if (kr == KERN_INVALID_ADDRESS && covered > 0)
		kr = KERN_INVALID_ARGUMENT;
	if (kr == KERN_SUCCESS && in->len > VMC_PROXY_MAX_RANGES)
		kr = KERN_NO_SPACE;
	struct vmc_proxy *core = NULL;
	if (kr == KERN_SUCCESS)
		kr = vmc_proxy_create_sized((struct vmc_proxy_input *)(void *)in->data, in->len,
					    (vmc_prot_t *)(void *)prot->data, prot->len,
					    (vmc_off_t *)(void *)start->data, start->len,
					    (vmc_size_t *)(void *)size->data, size->len, &core);
	/* The walk's references: the proxy took its own. */
	for (guint i = 0; i < held->len; i++)
		vmc_object_release(g_ptr_array_index(held, i));
	g_ptr_array_free(held, TRUE);
	g_array_free(in, TRUE);
	g_array_free(prot, TRUE);
	g_array_free(start, TRUE);
	g_array_free(size, TRUE);
	if (kr == KERN_SUCCESS)
		*out = proxy_publish(caller, core);
	return kr;
}

vmc_kr_t sim_proxy_map(struct sim_task *caller, struct vmc_map *map, vmc_addr_t *addr,
		       vmc_size_t size, vmc_addr_t mask, bool anywhere, struct sim_port *port,
		       vmc_off_t offset, bool copy, vmc_prot_t cur, vmc_prot_t max)
{
	(void)caller;
	const struct vmc_proxy *proxy = ((struct sim_proxy *)port->kobject)->core;
	vmc_addr_t start = *addr;
	uint32_t n;
	vmc_kr_t kr;

	/* The window and its pieces, as the core rules (vmc_proxy_map_check). */
	if ((kr = vmc_proxy_map_check(proxy, offset, size, copy, &n)) != KERN_SUCCESS)
		return kr;
	/* Is there room for the whole window? */
	if (anywhere) {
		if (!sim_map_find_space(map, size, mask, &start))
			return KERN_NO_SPACE;
	} else if ((kr = sim_map_fixed_check(map, start, size, mask)) != KERN_SUCCESS) {
		return kr;
	}

	/* Enter one entry per piece; undo them all if one fails.  (Nothing
	 * runs in between here; GNU Mach's does it under one map lock.) */
	struct vmc_proxy_map_piece *pieces = g_new(struct vmc_proxy_map_piece, n);
	vmc_proxy_map_plan(proxy, offset, size, copy, cur, max, pieces);
	struct vmc_object *object = NULL;
	uint32_t i;
	for (i = 0; i < n; i++) {
		const struct vmc_proxy_map_piece *pc = &pieces[i];
		vmc_off_t off = pc->offset;
		object = pc->object;
		if (object != NULL && copy) {
			if (!sim_alloc_try()) {
				object = NULL;
				kr = KERN_RESOURCE_SHORTAGE;
				goto undo;
			}
			object = sim_object_copy_delayed(object, off, pc->size);
			off = 0;
		} else if (object != NULL) {
			sim_object_ref(object);
		}
		vmc_addr_t a = start + pc->at;
		kr = sim_map_enter(map, &a, pc->size, 0, false, object, off, false, pc->cur, pc->max);
		if (kr != KERN_SUCCESS)
			goto undo;
	}
	g_free(pieces);
	*addr = start;
	return KERN_SUCCESS;

undo:
	if (object != NULL)
		sim_object_unref(object);
	if (i > 0)
		sim_map_remove(map, start, start + pieces[i].at);
	g_free(pieces);
	return kr;
}

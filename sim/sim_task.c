/*
 * sim_task.c: tasks, ports, port name spaces and send rights.
 *
 * Authority in Mach is a send right: a task acts on another task, or maps a
 * memory object, only through a name in its own name space that denotes a
 * send right to the right kind of port.  This module keeps those spaces:
 * each task has a table name -> (port, user references), names are drawn
 * from the world's seeded generator (so a test cannot reach anything by
 * guessing a small integer), and each port counts the send rights held on
 * it, calling its no-senders function when the last one goes.
 *
 * Ports have a kind and a kernel object (task, memory object, proxy).  A
 * port dies when its object goes away (task terminated); names for it then
 * become dead names, as in Mach, and an RPC sent to one fails with
 * MACH_SEND_INVALID_DEST.  The proxy module adds its own kind with its
 * kobject and its operations table (struct sim_port_ops); nothing here
 * needs to know what a proxy is.
 *
 * Also here: memory-object creation with its pager, and the test controls
 * on objects (pager answers, eviction, termination).
 */
#include "sim_internal.h"

/* Mach's reserved names: MACH_PORT_NULL and MACH_PORT_DEAD. */
#define NAME_DEAD ((sim_name_t)~0u)

struct sim_port *sim_port_create(struct sim_vm *vm, enum sim_port_kind kind, void *kobject,
				 const struct sim_port_ops *ops)
{
	struct sim_port *port = g_new0(struct sim_port, 1);

	port->vm = vm;
	port->id = ++vm->next_id;
	port->kind = kind;
	port->kobject = kobject;
	port->ops = ops;
	g_ptr_array_add(vm->ports, port);
	return port;
}

/* A memory-object port owns one reference on its object; it goes when the
 * port dies or loses its last send right. */
static void memobj_port_release(struct sim_port *port)
{
	struct vmc_object *o = port->kobject;

	port->kobject = NULL;
	if (o != NULL) {
		o->port = NULL;
		sim_object_unref(o);
	}
}

/*
 * Kills port: its kernel object lets go of it and every name for it becomes
 * a dead name.  The struct stays (owned by the world).  Idempotent.
 */
void sim_port_destroy(struct sim_port *port)
{
	if (port->ops != NULL && port->ops->dying != NULL)
		port->ops->dying(port);
	port->kind = SIM_PORT_DEAD;
	port->kobject = NULL;
	port->ops = NULL;
}

/* A fresh name for task's space: random, not null, not dead, unused. */
static sim_name_t name_fresh(struct sim_task *task)
{
	for (;;) {
		sim_name_t n = g_rand_int(task->vm->rand);
		if (n != SIM_NAME_NULL && n != NAME_DEAD &&
		    !g_hash_table_contains(task->names, GUINT_TO_POINTER(n)))
			return n;
	}
}

/*
 * Gives task one send right to port (one user reference), merging with the
 * name it already has for it, as Mach's copyout of a send right does.
 * Returns the name.  The task must be alive.
 */
sim_name_t sim_right_insert(struct sim_task *task, struct sim_port *port)
{
	gpointer v;

	if (g_hash_table_lookup_extended(task->port_names, port, NULL, &v)) {
		sim_name_t name = GPOINTER_TO_UINT(v);
		struct sim_right *r = g_hash_table_lookup(task->names, v);
		r->urefs++;
		return name;
	}
	sim_name_t name = name_fresh(task);
	struct sim_right *r = g_new0(struct sim_right, 1);
	r->port = port;
	r->urefs = 1;
	g_hash_table_insert(task->names, GUINT_TO_POINTER(name), r);
	g_hash_table_insert(task->port_names, port, GUINT_TO_POINTER(name));
	port->srights++;
	return name;
}

struct sim_right *sim_right_find(struct sim_task *task, sim_name_t name)
{
	if (task == NULL || name == SIM_NAME_NULL)
		return NULL;
	return g_hash_table_lookup(task->names, GUINT_TO_POINTER(name));
}

/* Removes a name with all its user references; the port may lose its last
 * send right. */
static void right_remove(struct sim_task *task, sim_name_t name, struct sim_right *r)
{
	struct sim_port *port = r->port;

	g_hash_table_remove(task->port_names, port);
	g_hash_table_remove(task->names, GUINT_TO_POINTER(name));
	g_free(r);
	if (port->srights == 0)
		vmc_panic("right_remove: send-right count underflow");
	if (--port->srights == 0 && port->kind != SIM_PORT_DEAD && port->ops != NULL &&
	    port->ops->no_senders != NULL)
		port->ops->no_senders(port);
}

/* No senders on a memory-object port: nobody can name the object any
 * more, so the port lets go of it (mappings keep it alive). */
static void memobj_no_senders(struct sim_port *port)
{
	sim_port_destroy(port);
}

static const struct sim_port_ops memobj_ops = {
	.no_senders = memobj_no_senders,
	.dying = memobj_port_release,
};

struct sim_task *sim_task_create(struct sim_vm *vm, const char *label)
{
	struct sim_task *t = g_new0(struct sim_task, 1);

	t->vm = vm;
	t->label = g_strdup(label ? label : "task");
	t->alive = true;
	t->names = g_hash_table_new(g_direct_hash, g_direct_equal);
	t->port_names = g_hash_table_new(g_direct_hash, g_direct_equal);
	t->map = sim_map_create(vm, t);
	t->pmap = sim_pmap_create(t);
	t->port = sim_port_create(vm, SIM_PORT_TASK, t, NULL);
	t->self = sim_right_insert(t, t->port);
	g_ptr_array_add(vm->tasks, t);
	return t;
}

sim_name_t sim_task_self(const struct sim_task *task)
{
	return task->alive ? task->self : SIM_NAME_NULL;
}

/*
 * Terminates task: its port dies (names for it elsewhere become dead
 * names), its map is emptied, every right it held is released.  The struct
 * stays valid (owned by the world); a dead task can do nothing.
 */
void sim_task_terminate(struct sim_task *task)
{
	if (task == NULL || !task->alive)
		return;
	task->alive = false;
	sim_port_destroy(task->port);
	if (task->thread != NULL)
		sim_port_destroy(task->thread);
	sim_map_destroy(task->map);
	task->map = NULL;
	sim_pmap_destroy(task->pmap);
	task->pmap = NULL;

	GHashTableIter it;
	gpointer k, v;
	while (g_hash_table_size(task->names) != 0) {
		g_hash_table_iter_init(&it, task->names);
		g_hash_table_iter_next(&it, &k, &v);
		right_remove(task, GPOINTER_TO_UINT(k), v);
	}
	g_hash_table_destroy(task->names);
	g_hash_table_destroy(task->port_names);
	task->names = NULL;
	task->port_names = NULL;
	task->self = SIM_NAME_NULL;
}

sim_name_t sim_task_thread_port(struct sim_task *task)
{
	if (!sim_task_alive(task))
		return SIM_NAME_NULL;
	if (task->thread == NULL)
		task->thread = sim_port_create(task->vm, SIM_PORT_THREAD, task, NULL);
	return sim_right_insert(task, task->thread);
}

struct vmc_map *sim_task_map(const struct sim_task *task)
{
	return sim_task_alive(task) ? task->map : NULL;
}

bool sim_task_alive(const struct sim_task *task)
{
	return task != NULL && task->alive;
}

/*
 * Copies a send right from `from`'s space into `to`'s (MACH_MSG_TYPE_COPY_SEND).
 * returns KERN_INVALID_TASK if either task is dead;
 *         KERN_INVALID_NAME if name is not in from's space;
 *         KERN_INVALID_RIGHT if it is a dead name.
 * *out written on success only.
 */
vmc_kr_t sim_port_copy_send(struct sim_task *from, sim_name_t name,
			    struct sim_task *to, sim_name_t *out)
{
	/* Are both tasks alive? */
	if (!sim_task_alive(from) || !sim_task_alive(to))
		return KERN_INVALID_TASK;
	struct sim_right *r = sim_right_find(from, name);
	/* Does the name exist? */
	if (r == NULL)
		return KERN_INVALID_NAME;
	/* Is it a live send right? */
	if (r->port->kind == SIM_PORT_DEAD)
		return KERN_INVALID_RIGHT;
	*out = sim_right_insert(to, r->port);
	return KERN_SUCCESS;
}

/*
 * Drops one user reference (mach_port_deallocate).  The last one removes
 * the name; the last send right calls the port's no-senders function.
 * returns KERN_INVALID_TASK (dead task), KERN_INVALID_NAME (no such name).
 */
vmc_kr_t sim_port_deallocate(struct sim_task *task, sim_name_t name)
{
	if (!sim_task_alive(task))
		return KERN_INVALID_TASK;
	struct sim_right *r = sim_right_find(task, name);
	if (r == NULL)
		return KERN_INVALID_NAME;
	if (--r->urefs == 0)
		right_remove(task, name, r);
	return KERN_SUCCESS;
}

/*
 * Resolves the destination of a task RPC, as mach_msg and MIG do:
 * a null, unknown or dead name cannot be sent to (MACH_SEND_INVALID_DEST);
 * a live port of another kind reaches the server, whose conversion
 * (convert_port_to_map) yields VM_MAP_NULL, and vm_allocate & co. answer
 * KERN_INVALID_ARGUMENT (vm/vm_user.c).  (In GNU Mach a memory-object
 * port's message would go to its pager instead; here the kernel is every
 * port's receiver.)
 */
vmc_kr_t sim_task_from_name(struct sim_task *caller, sim_name_t name, struct sim_task **out)
{
	struct sim_right *r;

	if (!sim_task_alive(caller) || (r = sim_right_find(caller, name)) == NULL)
		return MACH_SEND_INVALID_DEST;
	if (r->port->kind == SIM_PORT_DEAD)
		return MACH_SEND_INVALID_DEST;
	if (r->port->kind != SIM_PORT_TASK)
		return KERN_INVALID_ARGUMENT;
	*out = r->port->kobject;
	return KERN_SUCCESS;
}

/*
 * Resolves a memory-object argument carried in an RPC (vm_map's
 * memory_object, sent with COPY_SEND): an unknown name fails the send
 * (MACH_SEND_INVALID_RIGHT); the null name and a dead name arrive as
 * invalid ports, which vm_map treats as "no object" (anonymous memory,
 * IP_VALID in vm/vm_user.c:vm_map), so *out is NULL; a task port is not a
 * memory object (KERN_INVALID_ARGUMENT: vm_object_enter and
 * memory_object_proxy_lookup both refuse it).
 */
vmc_kr_t sim_memobj_from_name(struct sim_task *caller, sim_name_t name, struct sim_port **out)
{
	if (name == SIM_NAME_NULL) {
		*out = NULL;
		return KERN_SUCCESS;
	}
	struct sim_right *r = sim_right_find(caller, name);
	if (r == NULL)
		return MACH_SEND_INVALID_RIGHT;
	if (r->port->kind == SIM_PORT_DEAD) {
		*out = NULL;
		return KERN_SUCCESS;
	}
	if (r->port->kind != SIM_PORT_MEMORY_OBJECT && r->port->kind != SIM_PORT_PROXY)
		return KERN_INVALID_ARGUMENT;
	*out = r->port;
	return KERN_SUCCESS;
}

vmc_kr_t sim_memory_object_get(struct sim_task *caller, sim_name_t name,
			       struct vmc_object **out)
{
	struct sim_port *port;
	vmc_kr_t kr;

	if (!sim_task_alive(caller))
		return MACH_SEND_INVALID_DEST;
	if ((kr = sim_memobj_from_name(caller, name, &port)) != KERN_SUCCESS)
		return kr;
	/* Null, dead, or a proxy: not a memory object this call can use. */
	if (port == NULL || port->kind != SIM_PORT_MEMORY_OBJECT || port->kobject == NULL)
		return KERN_INVALID_ARGUMENT;
	vmc_object_reference(port->kobject);
	*out = port->kobject;
	return KERN_SUCCESS;
}

vmc_kr_t sim_memory_object_create(struct sim_task *owner, const struct sim_pager *pager,
				  sim_name_t *out)
{
	/* Is there an owner to give the right to, and a pager? */
	if (!sim_task_alive(owner))
		return KERN_INVALID_TASK;
	if (pager == NULL)
		return KERN_INVALID_ARGUMENT;
	struct vmc_object *o = sim_object_create_pager(owner->vm, pager);
	struct sim_port *port = sim_port_create(owner->vm, SIM_PORT_MEMORY_OBJECT, o, &memobj_ops);
	o->port = port;
	*out = sim_right_insert(owner, port);
	return KERN_SUCCESS;
}

/* The object behind a memory-object name in owner's space (test controls:
 * not RPCs, so errors are those of mach_port calls). */
static vmc_kr_t memobj_lookup(struct sim_task *owner, sim_name_t name, struct vmc_object **out)
{
	if (!sim_task_alive(owner))
		return KERN_INVALID_TASK;
	struct sim_right *r = sim_right_find(owner, name);
	if (r == NULL)
		return KERN_INVALID_NAME;
	if (r->port->kind != SIM_PORT_MEMORY_OBJECT || r->port->kobject == NULL)
		return KERN_INVALID_ARGUMENT;
	*out = r->port->kobject;
	return KERN_SUCCESS;
}

vmc_kr_t sim_memory_object_set_answer(struct sim_task *owner, sim_name_t object,
				      vmc_off_t offset, enum sim_pager_answer answer)
{
	struct vmc_object *o;
	vmc_kr_t kr = memobj_lookup(owner, object, &o);

	if (kr != KERN_SUCCESS)
		return kr;
	if (!vmc_page_aligned(offset) || (unsigned)answer > SIM_PAGER_NEVER)
		return KERN_INVALID_ARGUMENT;
	g_hash_table_insert(o->answers, (gpointer)(uintptr_t)(offset >> VMC_PAGE_SHIFT),
			    GINT_TO_POINTER(answer));
	return KERN_SUCCESS;
}

/* returns KERN_INVALID_ADDRESS if the page is not resident, KERN_FAILURE if
 * it is pinned (nothing evicted). */
vmc_kr_t sim_memory_object_evict(struct sim_task *owner, sim_name_t object, vmc_off_t offset)
{
	struct vmc_object *o;
	vmc_kr_t kr = memobj_lookup(owner, object, &o);

	if (kr != KERN_SUCCESS)
		return kr;
	if (!vmc_page_aligned(offset))
		return KERN_INVALID_ARGUMENT;
	struct vmc_page *p = sim_object_page_find(o, offset);
	if (p == NULL)
		return KERN_INVALID_ADDRESS;
	return sim_page_evict(p) ? KERN_SUCCESS : KERN_FAILURE;
}

vmc_kr_t sim_memory_object_terminate(struct sim_task *owner, sim_name_t object)
{
	struct vmc_object *o;
	vmc_kr_t kr = memobj_lookup(owner, object, &o);

	if (kr != KERN_SUCCESS)
		return kr;
	sim_object_terminate(o);
	return KERN_SUCCESS;
}

/*
 * Evicts the resident page that addr of task shows now (the first page
 * found down its entry's object chain).  A test control for races.
 * returns KERN_INVALID_ADDRESS if addr is unmapped or nothing there is
 * resident, KERN_FAILURE if the page is pinned.
 */
vmc_kr_t sim_task_evict(struct sim_task *task, vmc_addr_t addr)
{
	if (!sim_task_alive(task))
		return KERN_INVALID_TASK;
	struct sim_entry *e = sim_map_lookup_entry(task->map, addr);
	if (e == NULL)
		return KERN_INVALID_ADDRESS;
	struct vmc_object *o = e->object;
	vmc_off_t off = sim_entry_offset(e, vmc_trunc_page(addr));
	while (o != NULL) {
		struct vmc_page *p = sim_object_page_find(o, off);
		if (p != NULL)
			return sim_page_evict(p) ? KERN_SUCCESS : KERN_FAILURE;
		if (sim_object_has_data(o, off) || o->has_pager ||
		    !vmc_add(off, o->shadow_offset, &off))
			break;
		o = o->shadow;
	}
	return KERN_INVALID_ADDRESS;
}

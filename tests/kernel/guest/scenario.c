/*
 * scenario.c: the guest that runs scenarios (traces/SCENARIO.md) on the
 * real kernel.
 *
 * The scenario text is compiled into the guest (build-guest.sh embeds the
 * .scn files named for the test).  Each operation is carried out with the
 * kernel's own RPCs and its outcome printed as the canonical result line of
 * traces/scn.c, which the simulator's interpreter prints too; the guest
 * passes only if every operation met its expectation.  Built with
 * MOSAIC_SCN_REPORT_ONLY (kernel-test.sh --compare) it passes once every
 * scenario ran, and the test's verdict is the comparison of its result
 * lines with the simulator's.
 *
 * Names are bound by the operations that create things: `task' binds a
 * task port, `alloc', `read' and `map' bind regions (task, address, size),
 * `rproxy' and `proxy' bind memory object ports.  `self' is this task;
 * `null', among a proxy's objects, is the null port.
 * Addresses are the kernel's; none is printed, so results do not depend on
 * where the kernel put things.
 *
 * fill and check on a region of this task use plain stores and loads: that
 * is what exercises a mapping's real protection (vm_write would not: into a
 * mapping of anonymous memory it replaces the pages rather than writing
 * through them).  Before touching anything they ask the kernel (vm_region)
 * whether every page of the range is mapped with the access needed, and
 * report KERN_INVALID_ADDRESS or KERN_PROTECTION_FAILURE without touching
 * it otherwise, so no scenario can make the guest fault.  On another task's
 * region they go through vm_write and vm_read.  A fill or check outside the
 * bound region is refused (KERN_INVALID_ARGUMENT, nothing touched).  The
 * simulator's interpreter follows the same rules.
 */
#include "guest.h"

#include "mach.user.h"
#include "mach4.user.h"
#include "mach_port.user.h"
#include "experimental.user.h"
#include "scn.h"

#ifndef MOSAIC_GUEST_NAME
#error "build-guest.sh defines MOSAIC_GUEST_NAME"
#endif
const char guest_name[] = MOSAIC_GUEST_NAME;

/* build-guest.sh: the .scn files of this test, concatenated. */
extern const char guest_embed[];
extern const unsigned long guest_embed_len;

#define SYMS_MAX 64

enum sym_kind { SYM_TASK, SYM_REGION, SYM_PORT };

struct sym {
	char name[SCN_NAME_MAX];
	enum sym_kind kind;
	mach_port_t task;       /* SYM_TASK, SYM_REGION: the task */
	vm_address_t addr;      /* SYM_REGION */
	vm_size_t size;         /* SYM_REGION */
	mach_port_t port;       /* SYM_PORT */
};

static struct sym syms[SYMS_MAX];
static unsigned nsyms;

static bool name_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static struct sym *lookup(const char *name, enum sym_kind kind)
{
	for (unsigned i = 0; i < nsyms; i++)
		if (name_eq(syms[i].name, name))
			return syms[i].kind == kind ? &syms[i] : NULL;
	return NULL;
}

/* Bind name afresh (a name bound again forgets its old value).  The table
 * is bounded: on overflow the scenario fails. */
static struct sym *bind(const char *name, enum sym_kind kind)
{
	struct sym *s = NULL;

	for (unsigned i = 0; i < nsyms; i++)
		if (name_eq(syms[i].name, name))
			s = &syms[i];
	if (s == NULL) {
		if (nsyms == SYMS_MAX)
			guest_fail("more than %d names in one scenario", SYMS_MAX);
		s = &syms[nsyms++];
	}
	*s = (struct sym){ .kind = kind };
	for (unsigned i = 0; name[i]; i++)
		s->name[i] = name[i];
	return s;
}

/* Forget every name; terminate the tasks the scenario created, so one
 * scenario's tasks cannot be seen by the next.  Regions of this task are
 * left mapped: the guest is short-lived and a mapping outliving its name
 * changes no later result. */
static void reset_names(void)
{
	for (unsigned i = 0; i < nsyms; i++)
		if (syms[i].kind == SYM_TASK && syms[i].task != mach_task_self())
			(void)task_terminate(syms[i].task);
	nsyms = 0;
	struct sym *self = bind("self", SYM_TASK);
	self->task = mach_task_self();
}

/* Is [off, off + len) inside the region?  Subtracts, never adds. */
static bool in_region(const struct sym *r, uint64_t off, uint64_t len)
{
	return off <= r->size && len <= r->size - off;
}

/* Does this task map every page of [addr, addr + len) with access want?
 * KERN_SUCCESS, KERN_INVALID_ADDRESS (a hole) or KERN_PROTECTION_FAILURE. */
static kern_return_t access_allowed(vm_address_t addr, uint64_t len,
				    vm_prot_t want)
{
	vm_address_t cur = addr;
	uint64_t left = len;

	while (left > 0) {
		vm_address_t a = cur;
		vm_size_t size;
		vm_prot_t prot, maxprot;
		kern_return_t kr;

		kr = guest_region(&a, &size, &prot, &maxprot);
		if (kr == KERN_NO_SPACE || (kr == KERN_SUCCESS && a > cur))
			return KERN_INVALID_ADDRESS;
		if (kr != KERN_SUCCESS)
			return kr;
		if ((prot & want) != want)
			return KERN_PROTECTION_FAILURE;
		/* The entry covers [a, a + size) with a <= cur. */
		uint64_t here = a + size - cur;
		if (here >= left)
			break;
		left -= here;
		cur += here;
	}
	return KERN_SUCCESS;
}

/* Operations ---------------------------------------------------------------
 * Each fills *out; a name that is not bound (or bound to the wrong kind)
 * sets out->unbound and does nothing. */

static void op_task(const struct scn_op *op, struct scn_outcome *out)
{
	mach_port_t t = MACH_PORT_NULL;

	out->kr = task_create(mach_task_self(), FALSE, &t);
	if (out->kr == KERN_SUCCESS)
		bind(op->sym[0], SYM_TASK)->task = t;
}

static void op_alloc(const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *t = lookup(op->sym[1], SYM_TASK);
	vm_address_t addr = 0;

	if (!t) {
		out->unbound = true;
		return;
	}
	out->kr = vm_allocate(t->task, &addr, op->num[0], TRUE);
	if (out->kr == KERN_SUCCESS) {
		/* R may be bound in the slot T holds: read T first. */
		mach_port_t task = t->task;
		struct sym *r = bind(op->sym[0], SYM_REGION);
		r->task = task;
		r->addr = addr;
		r->size = op->num[0];
	}
}

/* The operations below pass region + offset to the kernel as it is:
 * the sum wraps on purpose when a scenario asks for it, and the kernel is
 * what must reject it. */

static void op_dealloc(const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *r = lookup(op->sym[0], SYM_REGION);

	if (!r) {
		out->unbound = true;
		return;
	}
	out->kr = vm_deallocate(r->task, r->addr + op->num[0], op->num[1]);
}

static void op_protect(const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *r = lookup(op->sym[0], SYM_REGION);

	if (!r) {
		out->unbound = true;
		return;
	}
	out->kr = vm_protect(r->task, r->addr + op->num[0], op->num[1],
			     op->kind == SCN_MAXPROTECT, op->prot[0]);
}

static void pattern_fill(volatile uint8_t *p, uint64_t len, unsigned pat)
{
	for (uint64_t k = 0; k < len; k++)
		p[k] = scn_pattern_byte(pat, k);
}

static void pattern_check(const volatile uint8_t *p, uint64_t len,
			  unsigned pat, struct scn_outcome *out)
{
	out->compared = true;
	out->match = true;
	for (uint64_t k = 0; k < len; k++) {
		if (p[k] != scn_pattern_byte(pat, k)) {
			out->match = false;
			out->mismatch_at = k;
			return;
		}
	}
}

static void op_fill(const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *r = lookup(op->sym[0], SYM_REGION);
	uint64_t off = op->num[0], len = op->num[1];
	vm_address_t buf = 0;

	if (!r) {
		out->unbound = true;
		return;
	}
	if (!in_region(r, off, len)) {
		out->kr = KERN_INVALID_ARGUMENT;
		return;
	}
	if (r->task == mach_task_self()) {
		/* A store needs read access too: GNU Mach's x86 page tables
		 * cannot map a page write-only (pmap_protect removes such a
		 * mapping), and the store's fault then repeats for ever. */
		out->kr = access_allowed(r->addr + off, len, VM_PROT_READ | VM_PROT_WRITE);
		if (out->kr == KERN_SUCCESS)
			pattern_fill((volatile uint8_t *)(uintptr_t)(r->addr + off), len,
				     op->pattern);
		return;
	}
	/* Another task: write the pattern here, then vm_write it there. */
	out->kr = vm_allocate(mach_task_self(), &buf, len, TRUE);
	if (out->kr != KERN_SUCCESS)
		return;
	pattern_fill((volatile uint8_t *)buf, len, op->pattern);
	out->kr = vm_write(r->task, r->addr + off, buf,
			   (mach_msg_type_number_t)len);
	(void)vm_deallocate(mach_task_self(), buf, len);
}

static void op_check(const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *r = lookup(op->sym[0], SYM_REGION);
	uint64_t off = op->num[0], len = op->num[1];
	vm_offset_t data;
	mach_msg_type_number_t count;

	if (!r) {
		out->unbound = true;
		return;
	}
	if (!in_region(r, off, len)) {
		out->kr = KERN_INVALID_ARGUMENT;
		return;
	}
	if (r->task == mach_task_self()) {
		out->kr = access_allowed(r->addr + off, len, VM_PROT_READ);
		if (out->kr == KERN_SUCCESS)
			pattern_check((const volatile uint8_t *)(uintptr_t)(r->addr + off),
				      len, op->pattern, out);
		return;
	}
	out->kr = vm_read(r->task, r->addr + off, len, &data, &count);
	if (out->kr != KERN_SUCCESS)
		return;
	if (count != len) {
		/* Not a whole read: compare what came and call the rest a
		 * mismatch at the first byte that did not come. */
		pattern_check((const volatile uint8_t *)data, count, op->pattern, out);
		if (out->match) {
			out->match = false;
			out->mismatch_at = count;
		}
	} else {
		pattern_check((const volatile uint8_t *)data, len, op->pattern, out);
	}
	(void)vm_deallocate(mach_task_self(), data, count);
}

static void op_read(const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *r = lookup(op->sym[1], SYM_REGION);
	vm_offset_t data = 0;
	mach_msg_type_number_t count = 0;

	if (!r) {
		out->unbound = true;
		return;
	}
	out->kr = vm_read(r->task, r->addr + op->num[0], op->num[1], &data, &count);
	if (out->kr != KERN_SUCCESS)
		return;
	out->has_count = true;
	out->count = count;
	struct sym *d = bind(op->sym[0], SYM_REGION);
	d->task = mach_task_self();
	d->addr = data;
	d->size = count;
}

static void op_write(const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *r = lookup(op->sym[0], SYM_REGION);
	struct sym *s = lookup(op->sym[1], SYM_REGION);

	/* The data of vm_write comes from this task. */
	if (!r || !s || s->task != mach_task_self()) {
		out->unbound = true;
		return;
	}
	out->kr = vm_write(r->task, r->addr + op->num[0], s->addr + op->num[1],
			   (mach_msg_type_number_t)op->num[2]);
}

static void op_copy(const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *r = lookup(op->sym[0], SYM_REGION);
	struct sym *s = lookup(op->sym[1], SYM_REGION);

	/* vm_copy works inside one task. */
	if (!r || !s || s->task != r->task) {
		out->unbound = true;
		return;
	}
	out->kr = vm_copy(r->task, s->addr + op->num[1], op->num[2],
			  r->addr + op->num[0]);
}

static void op_rproxy(const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *r = lookup(op->sym[1], SYM_REGION);
	mach_port_t port = MACH_PORT_NULL;

	if (!r) {
		out->unbound = true;
		return;
	}
	out->kr = vm_region_create_proxy(r->task, r->addr + op->num[0],
					 op->prot[0], op->num[1], &port);
	if (out->kr == KERN_SUCCESS)
		bind(op->sym[0], SYM_PORT)->port = port;
}

/* proxy: one range per group; the name `null' is the null port. */
/* The ports of a proxy line's ranges (null: the null port, a hole); false
 * if a name is not bound to a port. */
static bool range_ports(const struct scn_op *op, mach_port_t *object)
{
	for (unsigned i = 0; i < op->ranges; i++) {
		const char *name = op->sym[1 + i];
		struct sym *obj = lookup(name, SYM_PORT);
		if (!obj && !name_eq(name, "null"))
			return false;
		object[i] = obj ? obj->port : MACH_PORT_NULL;
	}
	return true;
}

static void op_proxy(const struct scn_op *op, struct scn_outcome *out)
{
	mach_port_t object[SCN_RANGES_MAX], port = MACH_PORT_NULL;
	rpc_vm_offset_t offset[SCN_RANGES_MAX], start[SCN_RANGES_MAX];
	rpc_vm_size_t len[SCN_RANGES_MAX];

	if (!range_ports(op, object)) {
		out->unbound = true;
		return;
	}
	for (unsigned i = 0; i < op->ranges; i++) {
		offset[i] = op->num[3 * i];
		start[i] = op->num[3 * i + 1];
		len[i] = op->num[3 * i + 2];
	}
	out->kr = memory_object_create_proxy(mach_task_self(), op->prot[0],
					     object, MACH_MSG_TYPE_COPY_SEND, op->ranges,
					     offset, op->ranges, start, op->ranges,
					     len, op->ranges, &port);
	if (out->kr == KERN_SUCCESS)
		bind(op->sym[0], SYM_PORT)->port = port;
}

/* memory_object_create_proxy_ranges is mosaic's RPC (experimental.defs): only a
 * kernel with mosaic built in serves it; a stock kernel answers MIG_BAD_ID. */
static void op_rangeproxy(const struct scn_op *op, struct scn_outcome *out)
{
	mach_port_t object[SCN_RANGES_MAX], port = MACH_PORT_NULL;
	vm_prot_t maxprot[SCN_RANGES_MAX];
	rpc_vm_offset_t start[SCN_RANGES_MAX], end[SCN_RANGES_MAX];
	unsigned nclosed = op->ranges - (op->open_ended ? 1 : 0);

	if (!range_ports(op, object)) {
		out->unbound = true;
		return;
	}
	for (unsigned i = 0; i < op->ranges; i++) {
		maxprot[i] = op->prot[i];
		if (i < nclosed) {
			start[i] = op->num[2 * i];
			end[i] = op->num[2 * i + 1];
		}
	}
	out->kr = memory_object_create_proxy_ranges(mach_task_self(), object,
						    MACH_MSG_TYPE_COPY_SEND, op->ranges,
						    maxprot, op->ranges, start, nclosed,
						    end, nclosed, &port);
	if (out->kr == KERN_SUCCESS)
		bind(op->sym[0], SYM_PORT)->port = port;
}

static void op_map(const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *t = lookup(op->sym[1], SYM_TASK);
	struct sym *p = lookup(op->sym[2], SYM_PORT);
	vm_address_t addr = 0;

	if (!t || !p) {
		out->unbound = true;
		return;
	}
	mach_port_t task = t->task;
	out->kr = vm_map(task, &addr, op->num[1], 0, TRUE, p->port, op->num[0],
			 op->copy, op->prot[0], op->prot[1], VM_INHERIT_SHARE);
	if (out->kr == KERN_SUCCESS) {
		struct sym *m = bind(op->sym[0], SYM_REGION);
		m->task = task;
		m->addr = addr;
		m->size = op->num[1];
	}
}

typedef void (*op_fn)(const struct scn_op *, struct scn_outcome *);

/* fastread R OFF OBJ OOFF LEN and fastwrite R OFF OBJ OOFF LEN: mosaic's
 * fast copies between a region's task and a memory object (a proxy); the
 * count comes back only when the call succeeds (MIG drops it otherwise). */
static void op_fast(const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *r = lookup(op->sym[0], SYM_REGION);
	struct sym *o = lookup(op->sym[1], SYM_PORT);
	vm_size_t count = 0;

	if (!r || !o) {
		out->unbound = true;
		return;
	}
	if (op->kind == SCN_FASTREAD)
		out->kr = vm_copy_from_object(r->task, r->addr + op->num[0], op->num[2], o->port,
				       op->num[1], &count);
	else
		out->kr = vm_copy_to_object(r->task, r->addr + op->num[0], op->num[2], o->port,
					op->num[1], &count);
	if (out->kr == KERN_SUCCESS) {
		out->has_count = true;
		out->count = count;
	}
}

/* objcopy SRC SOFF DST DOFF LEN: vm_copy_between_objects. */
static void op_objcopy(const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *src = lookup(op->sym[0], SYM_PORT);
	struct sym *dst = lookup(op->sym[1], SYM_PORT);
	vm_size_t count = 0;

	if (!src || !dst) {
		out->unbound = true;
		return;
	}
	out->kr = vm_copy_between_objects(src->port, op->num[0], dst->port, op->num[1], op->num[2],
				     &count);
	if (out->kr == KERN_SUCCESS) {
		out->has_count = true;
		out->count = count;
	}
}

static const op_fn ops[SCN_KIND_COUNT] = {
	[SCN_TASK] = op_task,
	[SCN_ALLOC] = op_alloc,
	[SCN_DEALLOC] = op_dealloc,
	[SCN_FILL] = op_fill,
	[SCN_CHECK] = op_check,
	[SCN_PROTECT] = op_protect,
	[SCN_MAXPROTECT] = op_protect,
	[SCN_READ] = op_read,
	[SCN_WRITE] = op_write,
	[SCN_COPY] = op_copy,
	[SCN_RPROXY] = op_rproxy,
	[SCN_PROXY] = op_proxy,
	[SCN_MAP] = op_map,
	[SCN_RANGEPROXY] = op_rangeproxy,
	[SCN_FASTREAD] = op_fast,
	[SCN_FASTWRITE] = op_fast,
	[SCN_OBJCOPY] = op_objcopy,
};

/* Driver ------------------------------------------------------------------ */

struct run {
	char name[SCN_NAME_MAX];
	unsigned ops, failed;
	bool open;
	unsigned scenarios, scenarios_failed;
};

static void end_scenario(struct run *run)
{
	char line[SCN_RESULT_MAX];

	if (!run->open)
		return;
	scn_summary_format(line, sizeof line, run->name, run->ops, run->failed);
	guest_printf("%s\n", line);
	run->scenarios++;
	run->scenarios_failed += run->failed != 0;
	run->open = false;
}

int guest_main(int argc, char **argv)
{
	struct scn_parser p;
	struct scn_op op;
	struct scn_error err;
	struct run run = { .open = false };
	char line[SCN_RESULT_MAX];
	int r;

	(void)argc;
	(void)argv;
	/* A malformed text runs nothing: check every line first. */
	scn_parser_init(&p, guest_embed, guest_embed_len);
	while ((r = scn_next(&p, &op, &err)) == 1)
		continue;
	if (r < 0)
		guest_fail("scenario text line %u column %u: %s",
			   err.line, err.column, err.msg);

	bool skipping = false;
	scn_parser_init(&p, guest_embed, guest_embed_len);
	while ((r = scn_next(&p, &op, &err)) == 1) {
		if (op.kind == SCN_SCENARIO) {
			end_scenario(&run);
			for (unsigned i = 0; i < SCN_NAME_MAX; i++)
				run.name[i] = op.sym[0][i];
			run.ops = run.failed = 0;
			reset_names();
			/* Scenarios for other widths of the task's words (a
			 * 32-bit task on a 64-bit kernel: numbers do not wrap
			 * where the kernel's addresses would). */
			const char *why = NULL;
			skipping = !scn_runs_at(op.tags, 8 * sizeof(vm_address_t),
						GUEST_KERNEL_ADDR_BITS, &why);
			run.open = !skipping;
			if (skipping) {
				scn_skip_format(line, sizeof line, run.name, why);
				guest_printf("%s\n", line);
			}
			continue;
		}
		if (skipping)
			continue;
		if (!run.open)
			guest_fail("line %u: an operation before any scenario line",
				   op.line);
		struct scn_outcome out = { .kr = KERN_SUCCESS };
		ops[op.kind](&op, &out);
		scn_result_format(line, sizeof line, run.name, &op, &out);
		guest_printf("%s\n", line);
		run.ops++;
		run.failed += !scn_outcome_ok(&op, &out);
	}
	end_scenario(&run);
	if (run.scenarios == 0)
		guest_fail("no scenario in the embedded text");
#ifdef MOSAIC_SCN_REPORT_ONLY
	/* The verdict is the comparison of the result lines with the
	 * simulator's (kernel-test.sh --compare): on a kernel with mosaic,
	 * defect-stock scenarios are meant to miss their (stock)
	 * expectations, exactly as their golden file says. */
	guest_printf("scenarios: %u ran, %u missed an expectation "
		     "(the comparison with the simulator decides)\n",
		     run.scenarios, run.scenarios_failed);
#else
	if (run.scenarios_failed)
		guest_fail("%u of %u scenarios failed", run.scenarios_failed,
			   run.scenarios);
	guest_printf("scenarios: %u passed\n", run.scenarios);
#endif
	return 0;
}

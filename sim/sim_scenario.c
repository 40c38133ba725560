/*
 * sim_scenario.c: the simulator's interpreter of scenarios
 * (traces/SCENARIO.md), the twin of the guest tests/kernel/guest/scenario.c.
 *
 * Both interpreters follow the same rules and print the same canonical
 * result lines (traces/scn.c), so the simulator can be compared with the
 * real kernel line by line (tests/scenario_compare.py).  The interpreting
 * task is a simulated task of its own; every operation is the simulator's
 * RPC with the caller's names, as the guest's are the kernel's.
 *
 * Names bind what operations create: a task (a send right in the
 * interpreter's space), a region (task, address, size), a port (a memory
 * object or proxy).  fill and check on the interpreter's own regions are
 * its own stores and loads, after asking the map whether every page allows
 * them (a hole: KERN_INVALID_ADDRESS; no access: KERN_PROTECTION_FAILURE;
 * nothing touched); on another task's region they are vm_write and vm_read.
 *
 * What it costs the host follows what the lines ask, in bounded steps: a
 * fill or check moves its pattern through one buffer of SCN_CHUNK bytes,
 * never the whole range at once, and one that covers more than
 * SIM_SCENARIO_TOUCH_MAX bytes (more than the simulator holds for one line)
 * is refused (`refused', the reason on the error stream).  A port bound
 * to a name (a proxy) is released when the name is bound again or the
 * scenario ends, so that a proxy and what it holds die with their last
 * name, as the scenario can no longer reach them.
 */
#include "sim_scenario.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "scn.h"
#include "sim_internal.h"
#include "sim_fast.h"
#include "sim_proxy.h"

enum sym_kind { SYM_TASK, SYM_REGION, SYM_PORT };

struct sym {
	enum sym_kind kind;
	struct sim_task *task;   /* SYM_TASK, SYM_REGION: the task itself */
	sim_name_t tname;        /* its name in the interpreter's space */
	vmc_addr_t addr;         /* SYM_REGION */
	vmc_size_t size;         /* SYM_REGION */
	sim_name_t port;         /* SYM_PORT */
};

/* The bytes of a fill's or check's pattern made at once. */
#define SCN_CHUNK 65536u

struct interp {
	struct sim_vm *vm;
	struct sim_task *self;
	GHashTable *syms;        /* name -> struct sym* */
	GPtrArray *tasks;        /* tasks the current scenario made */
	uint64_t word;           /* the task's words: all ones of its width */
	const char *file;        /* for messages on err */
	FILE *err;
	unsigned char *chunk;    /* SCN_CHUNK bytes: a pattern's, or loaded */
};

/*
 * A number as the calling task passes it: a 32-bit task's vm_address_t and
 * vm_size_t keep the low 32 bits of what it computes (the guest's C does
 * the same), whatever the kernel's width.  Numbers the interpreter checks
 * itself (a fill's range inside its region) stay whole, as in the guest.
 */
static uint64_t tw(const struct interp *in, uint64_t x)
{
	return x & in->word;
}

static struct sym *lookup(struct interp *in, const char *name, enum sym_kind kind)
{
	struct sym *s = g_hash_table_lookup(in->syms, name);
	return s != NULL && s->kind == kind ? s : NULL;
}

/* A name's binding goes: a port's right with it (each port is bound to
 * one name only; a task's right is shared with its regions' bindings and
 * goes with the scenario's tasks). */
static void sym_free(gpointer p)
{
	struct sym *s = p;

	if (s->kind == SYM_PORT)
		(void)sim_port_deallocate(s->task, s->port);
	g_free(s);
}

static struct sym *bind(struct interp *in, const char *name, enum sym_kind kind)
{
	struct sym *s = g_new0(struct sym, 1);
	s->kind = kind;
	g_hash_table_replace(in->syms, g_strdup(name), s);
	return s;
}

/* Binds name to a port of the interpreter's. */
static void bind_port(struct interp *in, const char *name, sim_name_t port)
{
	struct sym *s = bind(in, name, SYM_PORT);
	s->task = in->self;
	s->port = port;
}

static void reset_names(struct interp *in)
{
	g_hash_table_remove_all(in->syms);
	for (guint i = 0; i < in->tasks->len; i++)
		sim_task_terminate(g_ptr_array_index(in->tasks, i));
	g_ptr_array_set_size(in->tasks, 0);
	struct sym *self = bind(in, "self", SYM_TASK);
	self->task = in->self;
	self->tname = sim_task_self(in->self);
}

static bool in_region(const struct sym *r, uint64_t off, uint64_t len)
{
	return off <= r->size && len <= r->size - off;
}

/* Does the interpreter map every page of [addr, addr + len) with `want`? */
static vmc_kr_t access_allowed(struct interp *in, vmc_addr_t addr, uint64_t len,
			       vmc_prot_t want)
{
	vmc_kr_t why = KERN_SUCCESS;
	vmc_addr_t end;

	if (len == 0)
		return KERN_SUCCESS;
	if (!vmc_add(addr, len, &end))
		return KERN_INVALID_ADDRESS;
	return sim_map_range_mapped(in->self->map, vmc_trunc_page(addr), end, want, &why)
		       ? KERN_SUCCESS : why;
}

/* Bytes [k0, k0 + n) of pattern pat into in->chunk (n <= SCN_CHUNK). */
static void pattern_chunk(struct interp *in, unsigned pat, uint64_t k0, size_t n)
{
	for (size_t i = 0; i < n; i++)
		in->chunk[i] = scn_pattern_byte(pat, k0 + i);
}

/* Stores pattern pat over [addr, addr + len) of the interpreter, a chunk at
 * a time; the first fault's code. */
static vmc_kr_t pattern_store(struct interp *in, vmc_addr_t addr, uint64_t len, unsigned pat)
{
	vmc_addr_t at;

	for (uint64_t k = 0; k < len; k += SCN_CHUNK) {
		size_t n = (size_t)MIN(SCN_CHUNK, len - k);
		pattern_chunk(in, pat, k, n);
		if (!vmc_add(addr, k, &at))
			return KERN_INVALID_ADDRESS;
		vmc_kr_t kr = sim_task_store(in->self, at, in->chunk, n, NULL);
		if (kr != KERN_SUCCESS)
			return kr;
	}
	return KERN_SUCCESS;
}

/* Compares [addr, addr + len) of the interpreter with pattern pat, a chunk
 * at a time, into out (the first differing offset); the first fault's
 * code, nothing compared then. */
static vmc_kr_t pattern_compare(struct interp *in, vmc_addr_t addr, uint64_t len, unsigned pat,
				struct scn_outcome *out)
{
	vmc_addr_t at;
	bool match = true;
	uint64_t mismatch_at = 0;

	for (uint64_t k = 0; k < len && match; k += SCN_CHUNK) {
		size_t n = (size_t)MIN(SCN_CHUNK, len - k);
		if (!vmc_add(addr, k, &at))
			return KERN_INVALID_ADDRESS;
		vmc_kr_t kr = sim_task_load(in->self, at, in->chunk, n, NULL);
		if (kr != KERN_SUCCESS)
			return kr;
		for (size_t i = 0; i < n; i++)
			if (in->chunk[i] != scn_pattern_byte(pat, k + i)) {
				match = false;
				mismatch_at = k + i;
				break;
			}
	}
	out->compared = true;
	out->match = match;
	out->mismatch_at = mismatch_at;
	return KERN_SUCCESS;
}

/* Operations: each fills *out; an unbound name sets out->unbound. ------- */

static void op_task(struct interp *in, const struct scn_op *op, struct scn_outcome *out)
{
	struct sim_task *t = sim_task_create(in->vm, op->sym[0]);
	sim_name_t name;
	out->kr = sim_port_copy_send(t, sim_task_self(t), in->self, &name);
	if (out->kr != KERN_SUCCESS) {
		sim_task_terminate(t);
		return;
	}
	g_ptr_array_add(in->tasks, t);
	struct sym *s = bind(in, op->sym[0], SYM_TASK);
	s->task = t;
	s->tname = name;
}

static void op_alloc(struct interp *in, const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *t = lookup(in, op->sym[1], SYM_TASK);
	vmc_addr_t addr = 0;
	if (!t) {
		out->unbound = true;
		return;
	}
	out->kr = sim_vm_allocate(in->self, t->tname, &addr, tw(in, op->num[0]), true);
	if (out->kr == KERN_SUCCESS) {
		struct sim_task *task = t->task;
		sim_name_t tname = t->tname;
		struct sym *r = bind(in, op->sym[0], SYM_REGION);
		*r = (struct sym){ SYM_REGION, task, tname, addr, tw(in, op->num[0]), 0 };
	}
}

static void op_dealloc(struct interp *in, const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *r = lookup(in, op->sym[0], SYM_REGION);
	if (!r) {
		out->unbound = true;
		return;
	}
	out->kr = sim_vm_deallocate(in->self, r->tname, tw(in, r->addr + op->num[0]),
				    tw(in, op->num[1]));
}

static void op_protect(struct interp *in, const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *r = lookup(in, op->sym[0], SYM_REGION);
	if (!r) {
		out->unbound = true;
		return;
	}
	out->kr = sim_vm_protect(in->self, r->tname, tw(in, r->addr + op->num[0]), tw(in, op->num[1]),
				 op->kind == SCN_MAXPROTECT, op->prot[0]);
}

/* The region of a fill or check, with [off, off + len) inside it; or NULL,
 * with out saying why (unbound, or KERN_INVALID_ARGUMENT: outside). */
static struct sym *fill_check_region(struct interp *in, const struct scn_op *op,
				     struct scn_outcome *out)
{
	struct sym *r = lookup(in, op->sym[0], SYM_REGION);
	if (!r) {
		out->unbound = true;
		return NULL;
	}
	if (!in_region(r, op->num[0], op->num[1])) {
		out->kr = KERN_INVALID_ARGUMENT;
		return NULL;
	}
	/* Can the simulator hold what the line touches? */
	if (op->num[1] > SIM_SCENARIO_TOUCH_MAX) {
		fprintf(in->err, "%s:%u: %s of %" G_GUINT64_FORMAT " bytes refused: the simulator "
			"holds at most %" G_GUINT64_FORMAT " bytes for one fill or check\n",
			in->file, op->line, op->kind == SCN_FILL ? "fill" : "check", op->num[1],
			(uint64_t)SIM_SCENARIO_TOUCH_MAX);
		out->refused = true;
		return NULL;
	}
	return r;
}

static void op_fill(struct interp *in, const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *r = fill_check_region(in, op, out);
	uint64_t off = op->num[0], len = op->num[1];
	if (!r)
		return;
	if (r->task == in->self) {
		/* A store needs read access too: on x86 GNU Mach a write-only
		 * page cannot be written by the task (the fault repeats for
		 * ever, stock and mosaic alike: traces/SCENARIO.md). */
		out->kr = access_allowed(in, r->addr + off, len, VMC_PROT_READ | VMC_PROT_WRITE);
		if (out->kr == KERN_SUCCESS)
			out->kr = pattern_store(in, r->addr + off, len, op->pattern);
	} else {
		/* Another task: the pattern goes here first, then vm_write. */
		vmc_addr_t buf = 0;
		out->kr = sim_vm_allocate(in->self, sim_task_self(in->self), &buf, len, true);
		if (out->kr == KERN_SUCCESS) {
			(void)pattern_store(in, buf, len, op->pattern);
			out->kr = sim_vm_write(in->self, r->tname, tw(in, r->addr + off), buf, len);
			sim_vm_deallocate(in->self, sim_task_self(in->self), buf, len);
		}
	}
}

static void op_check(struct interp *in, const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *r = fill_check_region(in, op, out);
	uint64_t off = op->num[0], len = op->num[1];
	if (!r)
		return;
	if (r->task == in->self) {
		out->kr = access_allowed(in, r->addr + off, len, VMC_PROT_READ);
		if (out->kr == KERN_SUCCESS)
			out->kr = pattern_compare(in, r->addr + off, len, op->pattern, out);
	} else {
		vmc_addr_t data = 0;
		out->kr = sim_vm_read(in->self, r->tname, tw(in, r->addr + off), len, &data);
		if (out->kr == KERN_SUCCESS) {
			(void)pattern_compare(in, data, len, op->pattern, out);
			if (len)
				sim_vm_deallocate(in->self, sim_task_self(in->self), data, len);
		}
	}
}

static void op_read(struct interp *in, const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *r = lookup(in, op->sym[1], SYM_REGION);
	vmc_addr_t data = 0;
	if (!r) {
		out->unbound = true;
		return;
	}
	uint64_t len = tw(in, op->num[1]);
	out->kr = sim_vm_read(in->self, r->tname, tw(in, r->addr + op->num[0]), len, &data);
	if (out->kr != KERN_SUCCESS)
		return;
	out->has_count = true;
	out->count = len;
	struct sym *d = bind(in, op->sym[0], SYM_REGION);
	*d = (struct sym){ SYM_REGION, in->self, sim_task_self(in->self), data, len, 0 };
}

static void op_write(struct interp *in, const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *r = lookup(in, op->sym[0], SYM_REGION);
	struct sym *s = lookup(in, op->sym[1], SYM_REGION);
	if (!r || !s || s->task != in->self) {
		out->unbound = true;
		return;
	}
	out->kr = sim_vm_write(in->self, r->tname, tw(in, r->addr + op->num[0]),
			       tw(in, s->addr + op->num[1]), tw(in, op->num[2]));
}

static void op_copy(struct interp *in, const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *r = lookup(in, op->sym[0], SYM_REGION);
	struct sym *s = lookup(in, op->sym[1], SYM_REGION);
	if (!r || !s || s->task != r->task) {
		out->unbound = true;
		return;
	}
	out->kr = sim_vm_copy(in->self, r->tname, tw(in, s->addr + op->num[1]),
			      tw(in, op->num[2]), tw(in, r->addr + op->num[0]));
}

static void op_rproxy(struct interp *in, const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *r = lookup(in, op->sym[1], SYM_REGION);
	sim_name_t port;
	if (!r) {
		out->unbound = true;
		return;
	}
	out->kr = sim_vm_region_create_proxy(in->self, r->tname, tw(in, r->addr + op->num[0]),
					     op->prot[0], tw(in, op->num[1]), &port);
	if (out->kr == KERN_SUCCESS)
		bind_port(in, op->sym[0], port);
}

/* The ports of a proxy line's ranges (the name `null' is the null port, a
 * hole); false if a name is not bound to a port. */
static bool range_ports(struct interp *in, const struct scn_op *op, sim_name_t *object)
{
	for (unsigned i = 0; i < op->ranges; i++) {
		const char *name = op->sym[1 + i];
		struct sym *obj = lookup(in, name, SYM_PORT);
		if (obj == NULL && strcmp(name, "null") != 0)
			return false;
		object[i] = obj != NULL ? obj->port : SIM_NAME_NULL;
	}
	return true;
}

/* proxy: one range per group. */
static void op_proxy(struct interp *in, const struct scn_op *op, struct scn_outcome *out)
{
	sim_name_t object[SCN_RANGES_MAX], port;
	vmc_off_t offset[SCN_RANGES_MAX], start[SCN_RANGES_MAX];
	vmc_size_t len[SCN_RANGES_MAX];

	if (!range_ports(in, op, object)) {
		out->unbound = true;
		return;
	}
	for (unsigned i = 0; i < op->ranges; i++) {
		offset[i] = tw(in, op->num[3 * i]);
		start[i] = tw(in, op->num[3 * i + 1]);
		len[i] = tw(in, op->num[3 * i + 2]);
	}
	out->kr = sim_memory_object_create_proxy(in->self, op->prot[0], object, op->ranges,
						 offset, op->ranges, start, op->ranges, len,
						 op->ranges, &port);
	if (out->kr == KERN_SUCCESS)
		bind_port(in, op->sym[0], port);
}

static void op_rangeproxy(struct interp *in, const struct scn_op *op, struct scn_outcome *out)
{
	sim_name_t object[SCN_RANGES_MAX], port;
	vmc_prot_t maxprot[SCN_RANGES_MAX];
	vmc_off_t start[SCN_RANGES_MAX], end[SCN_RANGES_MAX];
	uint32_t nclosed = op->ranges - (op->open_ended ? 1 : 0);

	if (!range_ports(in, op, object)) {
		out->unbound = true;
		return;
	}
	for (unsigned i = 0; i < op->ranges; i++) {
		maxprot[i] = op->prot[i];
		if (i < nclosed) {
			start[i] = tw(in, op->num[2 * i]);
			end[i] = tw(in, op->num[2 * i + 1]);
		}
	}
	out->kr = sim_memory_object_create_proxy_ranges(in->self, object, op->ranges, maxprot,
							op->ranges, start, nclosed, end, nclosed,
							&port);
	if (out->kr == KERN_SUCCESS)
		bind_port(in, op->sym[0], port);
}

static void op_map(struct interp *in, const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *t = lookup(in, op->sym[1], SYM_TASK);
	struct sym *p = lookup(in, op->sym[2], SYM_PORT);
	vmc_addr_t addr = 0;
	if (!t || !p) {
		out->unbound = true;
		return;
	}
	struct sim_task *task = t->task;
	sim_name_t tname = t->tname;
	out->kr = sim_vm_map(in->self, tname, &addr, tw(in, op->num[1]), 0, true, p->port,
			     tw(in, op->num[0]),
			     op->copy, op->prot[0], op->prot[1]);
	if (out->kr == KERN_SUCCESS) {
		struct sym *m = bind(in, op->sym[0], SYM_REGION);
		*m = (struct sym){ SYM_REGION, task, tname, addr, tw(in, op->num[1]), 0 };
	}
}

/* fastread R OFF OBJ OOFF LEN and fastwrite R OFF OBJ OOFF LEN: the fast
 * copies between a region's task and a memory object (a proxy).  The count
 * is printed when the call succeeds, as the RPC returns it only then. */
static void op_fast(struct interp *in, const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *r = lookup(in, op->sym[0], SYM_REGION);
	struct sym *o = lookup(in, op->sym[1], SYM_PORT);
	vmc_size_t count = 0;
	if (!r || !o) {
		out->unbound = true;
		return;
	}
	if (op->kind == SCN_FASTREAD)
		out->kr = sim_vm_read_fast(in->self, r->tname, tw(in, r->addr + op->num[0]),
					   tw(in, op->num[2]), o->port, tw(in, op->num[1]), &count);
	else
		out->kr = sim_vm_write_fast(in->self, r->tname, tw(in, r->addr + op->num[0]),
					    tw(in, op->num[2]), o->port, tw(in, op->num[1]), &count);
	if (out->kr == KERN_SUCCESS) {
		out->has_count = true;
		out->count = count;
	}
}

/* objcopy SRC SOFF DST DOFF LEN: memory_object_copy. */
static void op_objcopy(struct interp *in, const struct scn_op *op, struct scn_outcome *out)
{
	struct sym *src = lookup(in, op->sym[0], SYM_PORT);
	struct sym *dst = lookup(in, op->sym[1], SYM_PORT);
	vmc_size_t count = 0;
	if (!src || !dst) {
		out->unbound = true;
		return;
	}
	out->kr = sim_memory_object_copy(in->self, src->port, tw(in, op->num[0]), dst->port,
					 tw(in, op->num[1]), tw(in, op->num[2]), &count);
	if (out->kr == KERN_SUCCESS) {
		out->has_count = true;
		out->count = count;
	}
}

typedef void (*op_fn)(struct interp *, const struct scn_op *, struct scn_outcome *);
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

/* Driver ---------------------------------------------------------------- */

int sim_scenario_run(const char *file, const char *text, size_t len, uint64_t seed,
		     unsigned task_bits, FILE *out, FILE *errout, unsigned *scenarios,
		     unsigned *failed)
{
	struct scn_parser p;
	struct scn_op op;
	struct scn_error err;
	char line[SCN_RESULT_MAX], name[SCN_NAME_MAX] = "";
	unsigned nops = 0, nfailed = 0, nscn = 0, nscn_failed = 0;
	bool open = false, skipping = false;
	int r;

	/* A malformed text runs nothing: check every line first; a scenario
	 * line must come before any operation, and there must be one. */
	unsigned first_scn = 0, first_op = 0;
	scn_parser_init(&p, text, len);
	while ((r = scn_next(&p, &op, &err)) == 1) {
		if (op.kind == SCN_SCENARIO && first_scn == 0)
			first_scn = op.line;
		else if (op.kind != SCN_SCENARIO && first_op == 0)
			first_op = op.line;
	}
	if (r < 0) {
		fprintf(errout, "%s:%u:%u: %s\n", file, err.line, err.column, err.msg);
		return -1;
	}
	if (first_op != 0 && (first_scn == 0 || first_op < first_scn)) {
		fprintf(errout, "%s:%u: an operation before any scenario line\n", file, first_op);
		return -1;
	}
	if (first_scn == 0) {
		fprintf(errout, "%s: no scenario in the file\n", file);
		return -1;
	}

	/* 32-bit tasks on a kernel of 64-bit addresses: --enable-user32. */
	struct sim_vm_config cfg = { .seed = seed };
	if (task_bits < VMC_ADDR_BITS)
		cfg.map_max = SIM_MAP_MAX_USER32;
	struct interp in = { .vm = sim_vm_create(&cfg), .file = file, .err = errout };
	in.word = task_bits < 64 ? ((uint64_t)1 << task_bits) - 1 : UINT64_MAX;
	in.self = sim_task_create(in.vm, "scenario");
	in.syms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, sym_free);
	in.tasks = g_ptr_array_new();
	in.chunk = g_malloc(SCN_CHUNK);

	scn_parser_init(&p, text, len);
	while ((r = scn_next(&p, &op, &err)) == 1) {
		if (op.kind == SCN_SCENARIO) {
			if (open) {
				scn_summary_format(line, sizeof line, name, nops, nfailed);
				fprintf(out, "%s\n", line);
				nscn++;
				nscn_failed += nfailed != 0;
			}
			g_strlcpy(name, op.sym[0], sizeof name);
			nops = nfailed = 0;
			reset_names(&in);
			/* Scenarios for other widths of the task's words. */
			const char *why = NULL;
			skipping = !scn_runs_at(op.tags, task_bits, VMC_ADDR_BITS, &why);
			open = !skipping;
			if (skipping) {
				scn_skip_format(line, sizeof line, name, why);
				fprintf(out, "%s\n", line);
			}
			continue;
		}
		if (skipping)
			continue;
		if (!open)
			vmc_panic("sim_scenario_run: an operation before any scenario (checked above)");
		struct scn_outcome o = { .kr = KERN_SUCCESS };
		ops[op.kind](&in, &op, &o);
		scn_result_format(line, sizeof line, name, &op, &o);
		fprintf(out, "%s\n", line);
		nops++;
		nfailed += !scn_outcome_ok(&op, &o);
	}
	if (open && r == 0) {
		scn_summary_format(line, sizeof line, name, nops, nfailed);
		fprintf(out, "%s\n", line);
		nscn++;
		nscn_failed += nfailed != 0;
	}
	reset_names(&in);
	g_hash_table_destroy(in.syms);
	g_ptr_array_free(in.tasks, TRUE);
	g_free(in.chunk);
	sim_vm_destroy(in.vm);
	*scenarios = nscn;
	*failed = nscn_failed;
	return r < 0 ? -1 : 0;
}

int sim_scenario_command(int argc, char **argv)
{
	unsigned total = 0, total_failed = 0, task_bits = VMC_ADDR_BITS;
	int first = 1;

	if (argc > 2 && strcmp(argv[1], "--task-bits") == 0) {
		if (strcmp(argv[2], "32") == 0)
			task_bits = 32;
		else if (strcmp(argv[2], "64") == 0 && VMC_ADDR_BITS == 64)
			task_bits = 64;
		else {
			fprintf(stderr, "mosaic scenario: --task-bits is 32%s, not '%s'\n",
				VMC_ADDR_BITS == 64 ? " or 64" : " (addresses are 32-bit)",
				argv[2]);
			return 2;
		}
		first = 3;
	}
	if (argc <= first) {
		fprintf(stderr, "usage: mosaic scenario [--task-bits 32|64] FILE.scn...\n");
		return 2;
	}
	for (int i = first; i < argc; i++) {
		char *text = NULL;
		gsize len = 0;
		GError *e = NULL;
		unsigned n = 0, f = 0;
		if (!g_file_get_contents(argv[i], &text, &len, &e)) {
			fprintf(stderr, "mosaic scenario: %s\n", e->message);
			g_error_free(e);
			return 2;
		}
		int r = sim_scenario_run(argv[i], text, len, 1, task_bits, stdout, stderr, &n, &f);
		g_free(text);
		if (r < 0)
			return 2;       /* why: printed by sim_scenario_run */
		total += n;
		total_failed += f;
	}
	printf("scenarios: %u passed, %u failed\n", total - total_failed, total_failed);
	return total_failed ? 1 : 0;
}

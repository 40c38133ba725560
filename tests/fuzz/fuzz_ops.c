/*
 * fuzz_ops.c: sequences of simulator operations against a reference model.
 *
 * The input decodes into a world (frame pool size, pager latency, the copy
 * loop's resident shortcut on or off, which pages of one object answer with
 * an error) and up to MAX_OPS operations:
 * vm_allocate, vm_deallocate, vm_protect, vm_map of a memory object (shared
 * or as a private copy), the task's own loads and stores, vm_read_fast,
 * vm_write_fast and memory_object_copy on objects and on proxies, proxy
 * creation in the seed's form over objects, holes and earlier proxies
 * (nesting), evictions, and a map change or an eviction injected at the Nth
 * yield point of the next copy.  Each operation runs on the simulator and
 * on the model below; return codes, counts and every byte that can be read
 * must agree after every step, and sim_vm_check must hold.
 *
 * The model is written apart from the simulator and the core and shares no
 * code with them: a task's window is an array of pages, each unmapped or
 * mapped with a current and a maximum protection and backed either by its
 * own bytes or by a page of an object (a shared mapping); an object is a
 * byte array with a "pager error" flag per page; a proxy is its list of
 * ranges exactly as created, resolved byte by byte by recursion (the core
 * flattens nested proxies at creation; the model never does).  A copy moves
 * one byte at a time from the first and stops at the first byte that cannot
 * be read or written, with the reason checked in the engine's documented
 * order (source lookup, destination lookup, destination fault, source
 * fault: core/vmc_copy.c says why the destination is faulted first).
 *
 * Kept out of the model, so that every step has one right answer:
 *   - copies whose source and destination bytes overlap (the engine's
 *     order inside a chunk is not part of its contract): skipped;
 *   - private copies of the object whose pages can fail (a lazy copy
 *     reports the pager's error at first touch, an eager model at once):
 *     only the two objects that never fail are mapped as copies;
 *   - vm_map of a proxy window: whether its pieces line up with pages
 *     depends on how the core splits segments, which a byte-level model
 *     does not see (covered by fuzz_proxy_create, the argument grid and the
 *     proxy scenarios instead);
 *   - the injected yield-point actions touch nothing a copy reads or
 *     writes (an allocation and deallocation outside every window, an
 *     eviction, which keeps contents): the copy's result must not change,
 *     but the engine sees its map change and redoes its lookups.
 *
 * Built with -Dfuzz=true (clang) as a libFuzzer target; always built with
 * replay_main.c, which replays the corpus in `make check`.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sim.h"
#include "sim_fast.h"
#include "sim_proxy.h"

#define P       VMC_PAGE_SIZE
#define NT      2                           /* client tasks */
#define W       16                          /* pages in a task's window */
#define WBASE   ((vmc_addr_t)0x10000000)
#define FAR     ((vmc_addr_t)0x20000000)    /* outside every window */
#define NOBJ    3                           /* objects; only BADOBJ fails */
#define BADOBJ  2
#define OP      8                           /* pages a pager holds */
#define SRV     ((vmc_addr_t)0x40000000)    /* the server's view of object k
					     * at SRV + k * SRV_STEP */
#define SRV_STEP ((vmc_addr_t)0x1000000)
#define NPROXY  6
#define NRANGE  3
#define MAX_OPS 48
#define MAX_LEN (3 * P)

/* The model ----------------------------------------------------------- */

struct mpage {
	bool mapped;
	vmc_prot_t cur, max;
	int obj;                    /* -1: own bytes; else shared object page */
	uint32_t objpage;
	unsigned char own[P];
};

enum minput { IN_HOLE, IN_OBJ, IN_PROXY };

struct mrange {
	enum minput kind;
	int idx;                    /* object or proxy number */
	vmc_off_t s, e;             /* input offsets [s, e); open: from 0 up */
	bool open;
	vmc_prot_t prot;
	vmc_off_t p;                /* proxy offset of the range's first byte */
};

struct mproxy {
	int n;
	struct mrange r[NRANGE];
};

struct model {
	struct mpage pg[NT][W];
	unsigned char obj[NOBJ][OP * P];
	bool bad[NOBJ][OP];
	struct mproxy px[NPROXY];
	int npx;
};

/* One byte of an endpoint: where it lives, or why it cannot be used. */
enum stage { ST_OK, ST_LOOKUP, ST_FAULT };
struct mbyte {
	enum stage st;
	vmc_kr_t why;
	unsigned char *at;
};

static struct mbyte mb_fail(enum stage st, vmc_kr_t why)
{
	return (struct mbyte){ st, why, NULL };
}

static struct mbyte m_obj_byte(struct model *m, int k, vmc_off_t x)
{
	if (x >= OP * P || m->bad[k][x / P])
		return mb_fail(ST_FAULT, KERN_MEMORY_ERROR);
	return (struct mbyte){ ST_OK, KERN_SUCCESS, &m->obj[k][x] };
}

/* Byte x of proxy j, for reading or writing: found by walking the ranges
 * as created, recursing into inner proxies.  A hole anywhere on the way is
 * a hole; otherwise the rights of every range on the way must all allow
 * the access. */
static struct mbyte m_proxy_walk(struct model *m, int j, vmc_off_t x, vmc_prot_t *rights)
{
	const struct mproxy *px = &m->px[j];

	for (int i = 0; i < px->n; i++) {
		const struct mrange *r = &px->r[i];
		if (x < r->p || (!r->open && x - r->p >= r->e - r->s))
			continue;
		if (r->kind == IN_HOLE)
			return mb_fail(ST_LOOKUP, KERN_INVALID_ADDRESS);
		*rights &= r->prot;
		vmc_off_t inner = (r->open ? 0 : r->s) + (x - r->p);
		if (r->kind == IN_OBJ)
			return m_obj_byte(m, r->idx, inner);
		return m_proxy_walk(m, r->idx, inner, rights);
	}
	return mb_fail(ST_LOOKUP, KERN_INVALID_ADDRESS);
}

static struct mbyte m_proxy_byte(struct model *m, int j, vmc_off_t x, vmc_prot_t need)
{
	vmc_prot_t rights = VMC_PROT_ALL;
	struct mbyte b = m_proxy_walk(m, j, x, &rights);

	if (b.st == ST_LOOKUP)
		return b;
	if ((rights & need) != need)
		return mb_fail(ST_LOOKUP, KERN_PROTECTION_FAILURE);
	return b;
}

static struct mbyte m_task_byte(struct model *m, int t, vmc_addr_t va, vmc_prot_t need)
{
	if (va < WBASE || va >= WBASE + W * P)
		return mb_fail(ST_LOOKUP, KERN_INVALID_ADDRESS);
	struct mpage *pg = &m->pg[t][(va - WBASE) / P];
	if (!pg->mapped)
		return mb_fail(ST_LOOKUP, KERN_INVALID_ADDRESS);
	if ((pg->cur & need) != need)
		return mb_fail(ST_LOOKUP, KERN_PROTECTION_FAILURE);
	if (pg->obj < 0)
		return (struct mbyte){ ST_OK, KERN_SUCCESS, &pg->own[(va - WBASE) % P] };
	return m_obj_byte(m, pg->obj, (vmc_off_t)pg->objpage * P + (va - WBASE) % P);
}

/* A copy endpoint: a task buffer, an object or a proxy. */
struct mend {
	enum { E_TASK, E_OBJ, E_PROXY } kind;
	int idx;
	uint64_t at;
};

static struct mbyte m_end_byte(struct model *m, const struct mend *e, uint64_t i, bool write)
{
	vmc_prot_t need = write ? VMC_PROT_WRITE : VMC_PROT_READ;

	switch (e->kind) {
	case E_TASK:
		return m_task_byte(m, e->idx, e->at + i, need);
	case E_OBJ:
		return m_obj_byte(m, e->idx, e->at + i);
	default:
		return m_proxy_byte(m, e->idx, e->at + i, need);
	}
}

/* Does the copy touch any model byte both as source and destination (in
 * the prefix it can copy)?  Marks by offset inside the model. */
static bool m_overlaps(struct model *m, const struct mend *s, const struct mend *d, uint64_t len)
{
	static unsigned char mark[sizeof(struct model)];
	bool hit = false;
	uint64_t n = 0;

	for (; n < len; n++) {
		struct mbyte a = m_end_byte(m, s, n, false), b = m_end_byte(m, d, n, true);
		if (a.st != ST_OK || b.st != ST_OK)
			break;
		mark[a.at - (unsigned char *)m] = 1;
	}
	for (uint64_t i = 0; i < n && !hit; i++)
		hit = mark[m_end_byte(m, d, i, true).at - (unsigned char *)m] != 0;
	for (uint64_t i = 0; i < n; i++)
		mark[m_end_byte(m, s, i, false).at - (unsigned char *)m] = 0;
	return hit;
}

/* The model copy. */
static vmc_kr_t m_copy(struct model *m, const struct mend *s, const struct mend *d, uint64_t len,
		       uint64_t *count)
{
	for (uint64_t i = 0; i < len; i++) {
		struct mbyte a = m_end_byte(m, s, i, false), b = m_end_byte(m, d, i, true);
		vmc_kr_t why = a.st == ST_LOOKUP ? a.why : b.st == ST_LOOKUP ? b.why
			     : b.st == ST_FAULT ? b.why : a.st == ST_FAULT ? a.why : KERN_SUCCESS;
		if (why != KERN_SUCCESS) {
			*count = i;
			return i ? KERN_SUCCESS : why;
		}
		*b.at = *a.at;
	}
	*count = len;
	return KERN_SUCCESS;
}

/* FUZZ_OPS_TRACE=1 prints every operation as it runs (to read a crash). */
static bool trace;
#define TRACE(...) do { if (trace) fprintf(stderr, "fuzz_ops: " __VA_ARGS__); } while (0)

/* What the runs did, printed at exit with FUZZ_OPS_STATS=1: a corpus that
 * never gets a copy through must show it. */
static unsigned long long n_ops[10], n_full, n_short, n_failed, n_overlap, n_proxies, n_worlds;

static void print_stats(void)
{
	static const char *const name[10] = { "allocate", "deallocate", "protect", "map",
					      "store", "load", "proxy", "evict", "inject",
					      "copy" };
	fprintf(stderr, "fuzz_ops: %llu worlds;", n_worlds);
	for (int i = 0; i < 10; i++)
		fprintf(stderr, " %s %llu", name[i], n_ops[i]);
	fprintf(stderr, "; copies full %llu short %llu failed %llu skipped %llu; proxies %llu\n",
		n_full, n_short, n_failed, n_overlap, n_proxies);
}

/* The world ----------------------------------------------------------- */

struct world {
	struct sim_vm *vm;
	struct sim_task *srv, *t[NT];
	sim_name_t tport[NT];       /* in srv's space */
	sim_name_t obj[NOBJ];       /* in srv's space */
	sim_name_t px[NPROXY];
	struct model m;
	/* The injected action: at yield number inject_at of the next copy. */
	int inject_at, inject_kind, inject_task, yields;
	uint32_t inject_page;
};

static unsigned char pat(uintptr_t k, vmc_off_t x)
{
	return (unsigned char)(k * 71 + x * 5 + (x >> 12) * 3 + 9);
}

static void content(void *ctx, vmc_off_t offset, unsigned char *page)
{
	for (unsigned i = 0; i < P; i++)
		page[i] = pat((uintptr_t)ctx, offset + i);
}

#define CHECK(cond, ...)                                                        \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "fuzz_ops: " __VA_ARGS__);              \
			fputc('\n', stderr);                                    \
			abort();                                                \
		}                                                               \
	} while (0)

static void on_yield(struct sim_vm *vm, enum vmc_block_point where, void *ctx)
{
	struct world *w = ctx;

	(void)vm;
	(void)where;
	if (w->inject_at < 0 || w->yields++ != w->inject_at)
		return;
	w->inject_at = -1;
	struct sim_task *t = w->t[w->inject_task];
	if (w->inject_kind == 0) {
		/* A map change away from every window: the copy must redo its
		 * lookups and find the same answers. */
		vmc_addr_t a = FAR;
		CHECK(sim_vm_allocate(w->srv, w->tport[w->inject_task], &a, P, false) ==
		      KERN_SUCCESS, "inject: allocate");
		CHECK(sim_vm_deallocate(w->srv, w->tport[w->inject_task], a, P) == KERN_SUCCESS,
		      "inject: deallocate");
	} else {
		/* An eviction: contents are kept (written back if dirty).  A
		 * pinned page refuses. */
		(void)sim_task_evict(t, WBASE + (vmc_addr_t)w->inject_page * P);
	}
}

static void world_make(struct world *w, uint8_t cfg, uint8_t badmask)
{
	struct sim_vm_config c = { .seed = 1, .frames = (cfg & 7) == 0 ? 0 : 8 + (cfg & 7) * 2 };

	memset(w, 0, sizeof *w);
	w->inject_at = -1;
	w->vm = sim_vm_create(&c);
	sim_vm_set_resident_shortcut(w->vm, (cfg & 0x20) == 0);
	w->srv = sim_task_create(w->vm, "server");
	for (int t = 0; t < NT; t++) {
		w->t[t] = sim_task_create(w->vm, t ? "b" : "a");
		CHECK(sim_port_copy_send(w->t[t], sim_task_self(w->t[t]), w->srv, &w->tport[t]) ==
		      KERN_SUCCESS, "setup: task port");
	}
	for (int k = 0; k < NOBJ; k++) {
		struct sim_pager pg = { .content = content, .ctx = (void *)(uintptr_t)(k + 1),
					.size = OP * P, .latency = (cfg >> 3) & 3 };
		CHECK(sim_memory_object_create(w->srv, &pg, &w->obj[k]) == KERN_SUCCESS,
		      "setup: object");
		for (vmc_off_t x = 0; x < OP * P; x++)
			w->m.obj[k][x] = pat((uintptr_t)(k + 1), x);
		for (int p = 0; k == BADOBJ && p < OP; p++)
			if (badmask & (1u << p)) {
				w->m.bad[k][p] = true;
				CHECK(sim_memory_object_set_answer(w->srv, w->obj[k], (vmc_off_t)p * P,
								   SIM_PAGER_ERROR) == KERN_SUCCESS,
				      "setup: answer");
			}
		vmc_addr_t a = SRV + (vmc_addr_t)k * SRV_STEP;
		CHECK(sim_vm_map(w->srv, sim_task_self(w->srv), &a, OP * P, 0, false, w->obj[k], 0,
				 false, VMC_PROT_READ, VMC_PROT_READ) == KERN_SUCCESS,
		      "setup: server view");
	}
	sim_vm_set_yield_hook(w->vm, on_yield, w);
}

/* The simulator and the model agree on every byte that can be read, and
 * the checker holds. */
static void compare(struct world *w, int step)
{
	unsigned char page[P];
	const char *why = "";

	for (int t = 0; t < NT; t++)
		for (int p = 0; p < W; p++) {
			struct mbyte b = m_task_byte(&w->m, t, WBASE + (vmc_addr_t)p * P,
						     VMC_PROT_READ);
			if (b.st != ST_OK)
				continue;
			vmc_kr_t kr = sim_task_load(w->t[t], WBASE + (vmc_addr_t)p * P, page, P,
						    NULL);
			CHECK(kr == KERN_SUCCESS, "step %d: task %d page %d: load %s", step, t, p,
			      vmc_kr_name(kr));
			CHECK(memcmp(page, b.at, P) == 0, "step %d: task %d page %d differs", step,
			      t, p);
		}
	for (int k = 0; k < NOBJ; k++)
		for (int p = 0; p < OP; p++) {
			if (w->m.bad[k][p])
				continue;
			vmc_kr_t kr = sim_task_load(w->srv, SRV + (vmc_addr_t)k * SRV_STEP +
						    (vmc_addr_t)p * P, page, P, NULL);
			CHECK(kr == KERN_SUCCESS, "step %d: object %d page %d: load %s", step, k,
			      p, vmc_kr_name(kr));
			CHECK(memcmp(page, &w->m.obj[k][p * P], P) == 0,
			      "step %d: object %d page %d differs", step, k, p);
		}
	CHECK(sim_vm_check(w->vm, &why), "step %d: sim_vm_check: %s", step, why);
}

/* Input decoding ------------------------------------------------------ */

struct in {
	const uint8_t *d;
	size_t n, i;
};

static uint32_t get(struct in *in, uint32_t below)
{
	uint32_t v = 0;

	for (int b = 0; b < 3; b++)
		v = v << 8 | (in->i < in->n ? in->d[in->i++] : 0);
	return below ? v % below : v;
}

static const vmc_prot_t prots[4] = {
	VMC_PROT_NONE, VMC_PROT_READ, VMC_PROT_READ | VMC_PROT_WRITE, VMC_PROT_WRITE,
};

/* The operations ------------------------------------------------------ */

static void op_allocate(struct world *w, int t, uint32_t p, uint32_t n)
{
	vmc_addr_t a = WBASE + (vmc_addr_t)p * P;
	vmc_kr_t want = KERN_SUCCESS;

	for (uint32_t q = p; q < p + n; q++)
		if (w->m.pg[t][q].mapped)
			want = KERN_NO_SPACE;
	vmc_kr_t kr = sim_vm_allocate(w->srv, w->tport[t], &a, (vmc_size_t)n * P, false);
	CHECK(kr == want, "vm_allocate: %s, model %s", vmc_kr_name(kr), vmc_kr_name(want));
	for (uint32_t q = p; kr == KERN_SUCCESS && q < p + n; q++) {
		struct mpage *pg = &w->m.pg[t][q];
		*pg = (struct mpage){ .mapped = true, .cur = VMC_PROT_READ | VMC_PROT_WRITE,
				      .max = VMC_PROT_ALL, .obj = -1 };
	}
}

static void op_deallocate(struct world *w, int t, uint32_t p, uint32_t n)
{
	vmc_kr_t kr = sim_vm_deallocate(w->srv, w->tport[t], WBASE + (vmc_addr_t)p * P,
					(vmc_size_t)n * P);
	CHECK(kr == KERN_SUCCESS, "vm_deallocate: %s", vmc_kr_name(kr));
	for (uint32_t q = p; q < p + n; q++)
		w->m.pg[t][q].mapped = false;
}

static void op_protect(struct world *w, int t, uint32_t p, uint32_t n, bool setmax,
		       vmc_prot_t prot)
{
	vmc_kr_t want = KERN_SUCCESS;

	for (uint32_t q = p; q < p + n; q++)
		if (w->m.pg[t][q].mapped && (prot & w->m.pg[t][q].max) != prot)
			want = KERN_PROTECTION_FAILURE;
	vmc_kr_t kr = sim_vm_protect(w->srv, w->tport[t], WBASE + (vmc_addr_t)p * P,
				     (vmc_size_t)n * P, setmax, prot);
	CHECK(kr == want, "vm_protect: %s, model %s", vmc_kr_name(kr), vmc_kr_name(want));
	for (uint32_t q = p; kr == KERN_SUCCESS && q < p + n; q++) {
		struct mpage *pg = &w->m.pg[t][q];
		if (!pg->mapped)
			continue;
		if (setmax) {
			pg->max = prot;
			pg->cur &= prot;
		} else {
			pg->cur = prot;
		}
	}
}

static void op_map(struct world *w, int t, uint32_t p, uint32_t n, int k, uint32_t op,
		   bool copy, vmc_prot_t max, vmc_prot_t cur)
{
	vmc_addr_t a = WBASE + (vmc_addr_t)p * P;
	vmc_kr_t want = KERN_SUCCESS;

	for (uint32_t q = p; q < p + n; q++)
		if (w->m.pg[t][q].mapped)
			want = KERN_NO_SPACE;
	TRACE("  vm_map object %d page %u %s cur %d max %d\n", k, op, copy ? "copy" : "shared",
	      cur, max);
	vmc_kr_t kr = sim_vm_map(w->srv, w->tport[t], &a, (vmc_size_t)n * P, 0, false, w->obj[k],
				 (vmc_off_t)op * P, copy, cur, max);
	CHECK(kr == want, "vm_map: %s, model %s", vmc_kr_name(kr), vmc_kr_name(want));
	for (uint32_t q = 0; kr == KERN_SUCCESS && q < n; q++) {
		struct mpage *pg = &w->m.pg[t][p + q];
		*pg = (struct mpage){ .mapped = true, .cur = cur, .max = max,
				      .obj = copy ? -1 : k, .objpage = op + q };
		if (copy)
			memcpy(pg->own, &w->m.obj[k][(op + q) * P], P);
	}
}

/* The task's own store (fill) or load of len bytes at a. */
static void op_access(struct world *w, int t, vmc_addr_t a, uint32_t len, bool store,
		      uint8_t fill)
{
	static unsigned char buf[MAX_LEN];
	size_t done = 0;
	uint32_t i = 0;
	vmc_kr_t want = KERN_SUCCESS;

	for (; i < len; i++) {
		struct mbyte b = m_task_byte(&w->m, t, a + i, store ? VMC_PROT_WRITE : VMC_PROT_READ);
		if (b.st != ST_OK) {
			want = b.why;
			break;
		}
	}
	vmc_kr_t kr;
	TRACE("  task %s +%#llx len %u\n", store ? "store" : "load",
	      (unsigned long long)(a - WBASE), len);
	if (store) {
		memset(buf, fill, len);
		kr = sim_task_store(w->t[t], a, buf, len, &done);
	} else {
		kr = sim_task_load(w->t[t], a, buf, len, &done);
	}
	CHECK(kr == want && done == i, "task %s: %s done %zu, model %s done %u",
	      store ? "store" : "load", vmc_kr_name(kr), done, vmc_kr_name(want), i);
	for (uint32_t j = 0; j < i; j++) {
		unsigned char *at = m_task_byte(&w->m, t, a + j,
						store ? VMC_PROT_WRITE : VMC_PROT_READ).at;
		if (store)
			*at = fill;
		else
			CHECK(buf[j] == *at, "task load: byte %u differs", j);
	}
}

/* Creates proxy number w->m.npx from up to NRANGE ranges. */
static void op_proxy(struct world *w, struct in *in)
{
	if (w->m.npx == NPROXY)
		return;
	struct mproxy *px = &w->m.px[w->m.npx];
	sim_name_t names[NRANGE];
	vmc_prot_t mp[NRANGE];
	vmc_off_t s[NRANGE], e[NRANGE];
	bool open = get(in, 2);
	vmc_off_t at = 0;

	px->n = 1 + (int)get(in, NRANGE);
	for (int i = 0; i < px->n; i++) {
		struct mrange *r = &px->r[i];
		uint32_t kind = get(in, 8);
		r->kind = kind == 0 ? IN_HOLE : (kind < 5 || w->m.npx == 0) ? IN_OBJ : IN_PROXY;
		r->idx = r->kind == IN_OBJ ? (int)get(in, NOBJ)
		       : r->kind == IN_PROXY ? (int)get(in, (uint32_t)w->m.npx) : 0;
		names[i] = r->kind == IN_HOLE ? SIM_NAME_NULL
			 : r->kind == IN_OBJ ? w->obj[r->idx] : w->px[r->idx];
		r->prot = mp[i] = prots[get(in, 4)];
		/* Page-aligned starts half of the time: then whole pages line up. */
		r->s = s[i] = get(in, 2) ? (vmc_off_t)get(in, OP + 1) * P : get(in, OP * P + 64);
		r->e = e[i] = r->s + 1 + get(in, MAX_LEN);
		r->open = open && i == px->n - 1;
		r->p = at;
		at += r->e - r->s;
	}
	for (int i = 0; i < px->n; i++)
		TRACE("  proxy %d range %d: %s %d [%#llx, %#llx)%s prot %d at %#llx\n", w->m.npx, i,
		      px->r[i].kind == IN_HOLE ? "hole" : px->r[i].kind == IN_OBJ ? "object" : "proxy",
		      px->r[i].idx, (unsigned long long)px->r[i].s, (unsigned long long)px->r[i].e,
		      px->r[i].open ? " open" : "", px->r[i].prot, (unsigned long long)px->r[i].p);
	uint32_t nse = open ? (uint32_t)px->n - 1 : (uint32_t)px->n;
	sim_name_t out = SIM_NAME_NULL;
	vmc_kr_t kr = sim_memory_object_create_proxy_ranges(w->srv, names, (uint32_t)px->n, mp,
							   (uint32_t)px->n, s, nse, e, nse, &out);
	/* A single open-ended hole maps nothing at all: the core accepts it
	 * (an empty proxy) as it accepts any hole. */
	CHECK(kr == KERN_SUCCESS, "create_proxy_ranges: %s", vmc_kr_name(kr));
	w->px[w->m.npx++] = out;
	n_proxies++;
}

/* One of the three copies. */
static void op_copy(struct world *w, struct in *in, int step)
{
	int kind = (int)get(in, 3);
	uint64_t len = get(in, 4) == 0 ? get(in, 64) : get(in, MAX_LEN + 1);
	struct mend buf = { E_TASK, (int)get(in, NT), 0 };
	struct mend o1, o2;
	vmc_size_t count = 777;
	uint64_t mc = 0;

	buf.at = WBASE - 64 + get(in, W * P + 128);
	for (int i = 0; i < 2; i++) {
		struct mend *o = i ? &o2 : &o1;
		bool proxy = w->m.npx > 0 && get(in, 2);
		o->kind = proxy ? E_PROXY : E_OBJ;
		o->idx = (int)get(in, proxy ? (uint32_t)w->m.npx : NOBJ);
		o->at = get(in, 2) ? get(in, OP * P + 64) : (uint64_t)get(in, 3 * OP + 1) * P / 2;
	}
	const struct mend *src = kind == 1 ? &buf : &o1, *dst = kind == 0 ? &buf : kind == 1 ? &o1 : &o2;
	if (m_overlaps(&w->m, src, dst, len)) {
		n_overlap++;
		return;
	}
	/* The injected action, if armed, for this copy. */
	TRACE("  %s task %d +%#llx len %llu, %s %d +%#llx, %s %d +%#llx, inject %d kind %d\n",
	      kind == 0 ? "vm_read_fast" : kind == 1 ? "vm_write_fast" : "memory_object_copy",
	      buf.idx, (unsigned long long)(buf.at - WBASE), (unsigned long long)len,
	      o1.kind == E_PROXY ? "proxy" : "object", o1.idx, (unsigned long long)o1.at,
	      o2.kind == E_PROXY ? "proxy" : "object", o2.idx, (unsigned long long)o2.at,
	      w->inject_at, w->inject_kind);
	w->yields = 0;
	sim_name_t n1 = o1.kind == E_PROXY ? w->px[o1.idx] : w->obj[o1.idx];
	sim_name_t n2 = o2.kind == E_PROXY ? w->px[o2.idx] : w->obj[o2.idx];
	vmc_kr_t kr;
	if (kind == 0)
		kr = sim_vm_read_fast(w->srv, w->tport[buf.idx], buf.at, len, n1, o1.at, &count);
	else if (kind == 1)
		kr = sim_vm_write_fast(w->srv, w->tport[buf.idx], buf.at, len, n1, o1.at, &count);
	else
		kr = sim_memory_object_copy(w->srv, n1, o1.at, n2, o2.at, len, &count);
	w->inject_at = -1;
	vmc_kr_t want = m_copy(&w->m, src, dst, len, &mc);
	CHECK(kr == want && count == mc,
	      "step %d: %s (task %d +%#llx, %s %d +%#llx, %s %d +%#llx, len %llu): %s count %llu; "
	      "model %s count %llu", step,
	      kind == 0 ? "vm_read_fast" : kind == 1 ? "vm_write_fast" : "memory_object_copy",
	      buf.idx, (unsigned long long)(buf.at - WBASE), o1.kind == E_PROXY ? "proxy" : "object",
	      o1.idx, (unsigned long long)o1.at, o2.kind == E_PROXY ? "proxy" : "object", o2.idx,
	      (unsigned long long)o2.at, (unsigned long long)len, vmc_kr_name(kr),
	      (unsigned long long)count, vmc_kr_name(want), (unsigned long long)mc);
	if (kr != KERN_SUCCESS)
		n_failed++;
	else if (count < len)
		n_short++;
	else
		n_full++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct world w;
	struct in in = { data, size, 0 };

	static bool stats;
	if (!stats) {
		stats = true;
		if (getenv("FUZZ_OPS_STATS") != NULL)
			atexit(print_stats);
		trace = getenv("FUZZ_OPS_TRACE") != NULL;
	}
	if (size < 2)
		return 0;
	n_worlds++;
	world_make(&w, data[0], data[1]);
	TRACE("world: frames %s, latency %d, %s, object %d bad pages %#x\n",
	      (data[0] & 7) == 0 ? "unbounded" : "few", (data[0] >> 3) & 3,
	      (data[0] & 0x20) == 0 ? "resident shortcut" : "general path only", BADOBJ, data[1]);
	in.i = 2;
	for (int step = 0; step < MAX_OPS && in.i < in.n; step++) {
		int t = (int)get(&in, NT);
		uint32_t p = get(&in, W);
		uint32_t n = 1 + get(&in, W - p < 4 ? W - p : 4);
		uint32_t what = get(&in, 10);
		n_ops[what]++;
		TRACE("step %d: op %u task %d pages %u+%u\n", step, what, t, p, n);
		switch (what) {
		case 0:
			op_allocate(&w, t, p, n);
			break;
		case 1:
			op_deallocate(&w, t, p, n);
			break;
		case 2: {
			bool setmax = get(&in, 4) == 0;
			vmc_prot_t pr = prots[get(&in, 4)];
			TRACE("  vm_protect%s %d\n", setmax ? " (max)" : "", pr);
			op_protect(&w, t, p, n, setmax, pr);
			break;
		}
		case 3: {
			int k = (int)get(&in, NOBJ);
			bool copy = k != BADOBJ && get(&in, 2);
			uint32_t op = get(&in, OP - n + 1);
			vmc_prot_t max = prots[get(&in, 4)] | (get(&in, 2) ? VMC_PROT_EXECUTE : 0);
			op_map(&w, t, p, n, k, op, copy, max, max & prots[get(&in, 4)]);
			break;
		}
		case 4:
		case 5: {
			vmc_addr_t a = WBASE - 64 + get(&in, W * P + 128);
			uint32_t len = get(&in, 2) ? get(&in, 64) : get(&in, MAX_LEN);
			op_access(&w, t, a, len, get(&in, 2), (uint8_t)get(&in, 256));
			break;
		}
		case 6:
			op_proxy(&w, &in);
			break;
		case 7:
			(void)sim_task_evict(w.t[t], WBASE + (vmc_addr_t)p * P);
			(void)sim_memory_object_evict(w.srv, w.obj[get(&in, NOBJ)],
						      (vmc_off_t)get(&in, OP) * P);
			break;
		case 8:
			/* Arm an action at the Nth yield of the next copy. */
			w.inject_at = (int)get(&in, 24);
			w.inject_kind = (int)get(&in, 2);
			w.inject_task = t;
			w.inject_page = p;
			op_copy(&w, &in, step);
			break;
		default:
			op_copy(&w, &in, step);
			break;
		}
		compare(&w, step);
	}
	sim_vm_destroy(w.vm);
	return 0;
}

/*
 * test_sim_fast_model.c: vm_read_fast, vm_write_fast and memory_object_copy
 * on the simulator against a naive model, on thousands of seeded random
 * cases.
 *
 * The model is written separately from the engine and knows nothing of
 * pages, chunks or lookups: a task buffer is a flat array of bytes, each
 * with a state (hole, read-only, read-write, no access); a memory object is
 * a flat array of bytes, each readable and writable or failing (pager error,
 * past the pager's size).  A copy moves bytes one at a time from the first
 * and stops at the first byte that cannot be read or written; the code for
 * a copy that moved nothing is that byte's reason, checked in the engine's
 * order (source lookup, destination lookup, destination fault, source
 * fault).  After every case the model and the simulator must agree on the
 * code, the count and every readable byte of the buffer and the objects.
 *
 * A world: a client whose 12-page buffer is made of entries of 1 to 3
 * pages (each its own memory object, at a random object offset, with a
 * random protection) and holes; a server holding memory objects F (pattern,
 * some pages answering with an error) and G (zeros), both 16 pages, and a
 * send right to the client's task port.  Each world runs OPS random cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim.h"
#include "sim_fast.h"

#define P VMC_PAGE_SIZE
#define BASE ((vmc_addr_t)0x10000000)
#define BUF_PAGES 12u
#define OBJ_PAGES 16u
#define SRV_F ((vmc_addr_t)0x40000000)   /* the server's view of F and G */
#define SRV_G ((vmc_addr_t)0x48000000)
#define WORLDS 150
#define OPS 20
#define SEED 0x5f0d3lu

enum bstate { B_HOLE, B_NONE, B_RO, B_RW };

struct model {
	unsigned char buf[BUF_PAGES * P];
	enum bstate st[BUF_PAGES];
	unsigned char obj[2][OBJ_PAGES * P];    /* F, G */
	bool bad[2][OBJ_PAGES];                 /* pager error on that page */
};

struct world {
	struct sim_vm *vm;
	struct sim_task *server, *client;
	sim_name_t obj[2], client_port;
	struct model m;
};

static uint64_t rng_state;
/* What the cases did, printed so a run that tests nothing shows. */
static unsigned long long n_full, n_short, n_failed, n_bytes;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static uint64_t below(uint64_t n)
{
	return rnd() % n;
}

static unsigned char pat(uintptr_t id, vmc_off_t x)
{
	return (unsigned char)(id * 131 + x * 13 + (x >> 12) * 7 + 1);
}

static void content(void *ctx, vmc_off_t offset, unsigned char *page)
{
	for (unsigned i = 0; i < P; i++)
		page[i] = pat((uintptr_t)ctx, offset + i);
}

static void world_make(struct world *w)
{
	struct sim_vm_config cfg = { .seed = rnd(), .frames = 0 };
	const vmc_prot_t prots[] = { VMC_PROT_NONE, VMC_PROT_READ,
				     VMC_PROT_READ | VMC_PROT_WRITE };

	memset(&w->m, 0, sizeof w->m);
	w->vm = sim_vm_create(&cfg);
	w->server = sim_task_create(w->vm, "server");
	w->client = sim_task_create(w->vm, "client");
	assert_int_equal(sim_port_copy_send(w->client, sim_task_self(w->client), w->server,
					    &w->client_port), KERN_SUCCESS);
	/* F and G, and the server's read-only views of them. */
	for (int k = 0; k < 2; k++) {
		struct sim_pager pg = { .content = k == 0 ? content : NULL, .ctx = (void *)1,
					.size = OBJ_PAGES * P };
		assert_int_equal(sim_memory_object_create(w->server, &pg, &w->obj[k]), KERN_SUCCESS);
		for (vmc_off_t x = 0; x < OBJ_PAGES * P; x++)
			w->m.obj[k][x] = k == 0 ? pat(1, x) : 0;
		for (unsigned p = 0; p < OBJ_PAGES; p++)
			if (below(8) == 0) {
				w->m.bad[k][p] = true;
				assert_int_equal(sim_memory_object_set_answer(w->server, w->obj[k],
									      (vmc_off_t)p * P,
									      SIM_PAGER_ERROR),
						 KERN_SUCCESS);
			}
		vmc_addr_t a = k == 0 ? SRV_F : SRV_G;
		assert_int_equal(sim_vm_map(w->server, sim_task_self(w->server), &a,
					    OBJ_PAGES * P, 0, false, w->obj[k], 0, false,
					    VMC_PROT_READ, VMC_PROT_READ), KERN_SUCCESS);
	}
	/* The buffer: entries and holes. */
	for (unsigned p = 0; p < BUF_PAGES;) {
		unsigned n = 1 + (unsigned)below(3);
		if (n > BUF_PAGES - p)
			n = BUF_PAGES - p;
		if (below(5) == 0) {
			for (unsigned q = p; q < p + n; q++)
				w->m.st[q] = B_HOLE;
			p += n;
			continue;
		}
		uintptr_t id = 10 + p;
		vmc_off_t ooff = below(4) * P;
		vmc_prot_t prot = prots[below(8) == 0 ? 0 : 1 + below(2)];
		struct sim_pager pe = { .content = content, .ctx = (void *)id, .size = 8 * P };
		sim_name_t o;
		assert_int_equal(sim_memory_object_create(w->client, &pe, &o), KERN_SUCCESS);
		vmc_addr_t a = BASE + (vmc_addr_t)p * P;
		assert_int_equal(sim_vm_map(w->client, sim_task_self(w->client), &a,
					    (vmc_size_t)n * P, 0, false, o, ooff, false, prot,
					    VMC_PROT_ALL), KERN_SUCCESS);
		for (unsigned q = p; q < p + n; q++) {
			w->m.st[q] = prot == VMC_PROT_NONE ? B_NONE
				   : (prot & VMC_PROT_WRITE) ? B_RW : B_RO;
			for (unsigned i = 0; i < P; i++)
				w->m.buf[q * P + i] = pat(id, ooff + (q - p) * P + i);
		}
		p += n;
	}
}

/* One endpoint of a model copy: the buffer (at byte `at` from BASE) or an
 * object (k, offset). */
struct mend {
	bool buffer;
	int k;
	uint64_t at;
};

/* Can the model read (or write) byte i of the endpoint?  KERN_SUCCESS or
 * the reason, split into the lookup stage and the fault stage. */
static vmc_kr_t m_lookup(const struct model *m, const struct mend *e, uint64_t i, bool write)
{
	if (!e->buffer)
		return KERN_SUCCESS;
	uint64_t x = e->at + i;
	if (x >= BUF_PAGES * P || m->st[x / P] == B_HOLE)
		return KERN_INVALID_ADDRESS;
	enum bstate s = m->st[x / P];
	if (s == B_NONE || (write && s != B_RW))
		return KERN_PROTECTION_FAILURE;
	return KERN_SUCCESS;
}

static vmc_kr_t m_fault(const struct model *m, const struct mend *e, uint64_t i)
{
	if (e->buffer)
		return KERN_SUCCESS;
	uint64_t x = e->at + i;
	if (x >= OBJ_PAGES * P || m->bad[e->k][x / P])
		return KERN_MEMORY_ERROR;
	return KERN_SUCCESS;
}

static unsigned char *m_byte(struct model *m, const struct mend *e, uint64_t i)
{
	return e->buffer ? &m->buf[e->at + i] : &m->obj[e->k][e->at + i];
}

/* The model copy: byte by byte from the first, stopping at the first byte
 * that fails on either side. */
static vmc_kr_t m_copy(struct model *m, const struct mend *s, const struct mend *d, uint64_t len,
		       uint64_t *count)
{
	for (uint64_t i = 0; i < len; i++) {
		vmc_kr_t why = m_lookup(m, s, i, false);
		if (why == KERN_SUCCESS)
			why = m_lookup(m, d, i, true);
		if (why == KERN_SUCCESS)
			why = m_fault(m, d, i);
		if (why == KERN_SUCCESS)
			why = m_fault(m, s, i);
		if (why != KERN_SUCCESS) {
			*count = i;
			return i ? KERN_SUCCESS : why;
		}
		*m_byte(m, d, i) = *m_byte(m, s, i);
	}
	*count = len;
	return KERN_SUCCESS;
}

/* The simulator agrees with the model on every byte it can read. */
static void compare(struct world *w, unsigned long long case_no)
{
	unsigned char page[P];

	for (unsigned p = 0; p < BUF_PAGES; p++) {
		if (w->m.st[p] != B_RO && w->m.st[p] != B_RW)
			continue;
		assert_int_equal(sim_task_load(w->client, BASE + (vmc_addr_t)p * P, page, P, NULL),
				 KERN_SUCCESS);
		if (memcmp(page, &w->m.buf[p * P], P) != 0)
			fail_msg("case %llu: buffer page %u differs from the model", case_no, p);
	}
	for (int k = 0; k < 2; k++)
		for (unsigned p = 0; p < OBJ_PAGES; p++) {
			if (w->m.bad[k][p])
				continue;
			vmc_addr_t a = (k == 0 ? SRV_F : SRV_G) + (vmc_addr_t)p * P;
			assert_int_equal(sim_task_load(w->server, a, page, P, NULL), KERN_SUCCESS);
			if (memcmp(page, &w->m.obj[k][p * P], P) != 0)
				fail_msg("case %llu: object %c page %u differs from the model", case_no,
					 "FG"[k], p);
		}
}

/* A length: often short, sometimes several pages, sometimes zero. */
static uint64_t rnd_len(void)
{
	switch (below(4)) {
	case 0:
		return below(64);
	case 1:
		return below(2 * P);
	default:
		return below(6 * P);
	}
}

static unsigned long long run_world(unsigned long long case_no)
{
	struct world w;
	const char *why = "";

	world_make(&w);
	for (int op = 0; op < OPS; op++, case_no++) {
		int kind = (int)below(3);
		uint64_t len = rnd_len(), mc = 0;
		vmc_size_t count = 12345;
		vmc_kr_t kr, mkr;
		struct mend buf = { .buffer = true, .at = below(BUF_PAGES * P) };
		struct mend o1 = { .buffer = false, .k = (int)below(2), .at = below(OBJ_PAGES * P + 64) };
		struct mend o2 = { .buffer = false, .k = !o1.k, .at = below(OBJ_PAGES * P + 64) };

		switch (kind) {
		case 0:
			kr = sim_vm_read_fast(w.server, w.client_port, BASE + buf.at, len,
					      w.obj[o1.k], o1.at, &count);
			mkr = m_copy(&w.m, &o1, &buf, len, &mc);
			break;
		case 1:
			kr = sim_vm_write_fast(w.server, w.client_port, BASE + buf.at, len,
					       w.obj[o1.k], o1.at, &count);
			mkr = m_copy(&w.m, &buf, &o1, len, &mc);
			break;
		default:
			kr = sim_memory_object_copy(w.server, w.obj[o1.k], o1.at, w.obj[o2.k], o2.at,
						    len, &count);
			mkr = m_copy(&w.m, &o1, &o2, len, &mc);
			break;
		}
		if (kr != mkr || count != mc)
			fail_msg("case %llu (%s, buffer +%llu, object %c +%llu, len %llu): %s count "
				 "%llu; model %s count %llu", case_no,
				 kind == 0 ? "read_fast" : kind == 1 ? "write_fast" : "object copy",
				 (unsigned long long)buf.at, "FG"[o1.k], (unsigned long long)o1.at,
				 (unsigned long long)len, vmc_kr_name(kr), (unsigned long long)count,
				 vmc_kr_name(mkr), (unsigned long long)mc);
		compare(&w, case_no);
		n_bytes += count;
		if (kr != KERN_SUCCESS)
			n_failed++;
		else if (count < len)
			n_short++;
		else
			n_full++;
	}
	if (!sim_vm_check(w.vm, &why))
		fail_msg("sim_vm_check: %s", why);
	sim_vm_destroy(w.vm);
	return case_no;
}

static void test_sim_fast_matches_model_on_random_cases(void **state)
{
	(void)state;
	unsigned long long cases = 0;

	rng_state = SEED;
	print_message("model seed %#llx\n", (unsigned long long)SEED);
	for (int i = 0; i < WORLDS; i++)
		cases = run_world(cases);
	print_message("%d worlds, %llu random cases agree with the model: %llu complete, "
		      "%llu short, %llu failed; %llu bytes copied\n", WORLDS, cases, n_full,
		      n_short, n_failed, n_bytes);
	/* A run whose cases all fail, or all succeed, tests too little. */
	assert_true(n_full > cases / 10 && n_short > cases / 20 && n_failed > cases / 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sim_fast_matches_model_on_random_cases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_sim_model.c: the simulator against a flat model of memory.
 *
 * Random sequences of RPCs and task accesses over two small windows of two
 * tasks, with a frame pool far smaller than the memory touched, are run on
 * the simulator and on a model that knows nothing of objects, shadows or
 * page tables: one byte array and one protection pair per mapped page.
 * A memory object (served by a pager) is mapped too, shared (model pages
 * alias the object's bytes) and as private copies (model pages get a
 * snapshot), so delayed copies and their pushes are exercised.
 * Every return code, every count and every byte read must agree, and
 * sim_vm_check must hold after every step.  Copy-on-write, eviction,
 * clipping and page-table maintenance all have to be right for that.
 * The seed is printed; MOSAIC_SEED replays a run, MOSAIC_STEPS makes it
 * longer (default 3000).
 */
#include "simtest.h"
#include "sim_internal.h"

#define WPAGES 24                       /* pages in each task's window */
#define WBASE  ((vmc_addr_t)0x40000000)

#define OPAGES 8                        /* pages of the memory object */
#define OKEY   77                       /* its pattern */

struct mpage {
	bool mapped;
	vmc_prot_t cur, max;
	unsigned char *bytes;           /* own[] or a page of obj[] */
	unsigned char own[P];
};

struct model {
	struct mpage pg[2][WPAGES];
	unsigned char obj[OPAGES][P];
};

/* Maps a model page: private (zeros or a copy of src) or aliasing obj. */
static void mpage_map(struct mpage *p, const unsigned char *src, unsigned char *alias)
{
	p->mapped = true;
	p->cur = VMC_PROT_READ | VMC_PROT_WRITE;
	p->max = VMC_PROT_ALL;
	if (alias != NULL) {
		p->bytes = alias;
	} else {
		p->bytes = p->own;
		if (src != NULL)
			memcpy(p->own, src, P);
		else
			memset(p->own, 0, P);
	}
}

static struct mpage *mp(struct model *m, int t, vmc_addr_t va)
{
	if (va < WBASE || va >= WBASE + WPAGES * P)
		return NULL;
	return &m->pg[t][(va - WBASE) / P];
}

/* The first failure of `need` over the pages of [start, end), or success. */
static vmc_kr_t model_range(struct model *m, int t, vmc_addr_t start, vmc_addr_t end,
			    vmc_prot_t need)
{
	for (vmc_addr_t va = start; va < end; va += P) {
		struct mpage *p = mp(m, t, va);
		if (p == NULL || !p->mapped)
			return KERN_INVALID_ADDRESS;
		if ((p->cur & need) != need)
			return KERN_PROTECTION_FAILURE;
	}
	return KERN_SUCCESS;
}

static vmc_kr_t model_access(struct model *m, int t, vmc_addr_t addr, unsigned char *buf,
			     size_t len, bool write, size_t *done)
{
	vmc_prot_t need = write ? VMC_PROT_WRITE : VMC_PROT_READ;

	for (*done = 0; *done < len;) {
		vmc_addr_t va = addr + *done;
		struct mpage *p = mp(m, t, va);
		if (p == NULL || !p->mapped)
			return KERN_INVALID_ADDRESS;
		if ((p->cur & need) != need)
			return KERN_PROTECTION_FAILURE;
		size_t chunk = vmc_min(vmc_page_left(va), len - *done);
		if (write)
			memcpy(p->bytes + (va & VMC_PAGE_MASK), buf + *done, chunk);
		else
			memcpy(buf + *done, p->bytes + (va & VMC_PAGE_MASK), chunk);
		*done += chunk;
	}
	return KERN_SUCCESS;
}

static void model_copy(struct model *m, int ts, vmc_addr_t src, int td, vmc_addr_t dst,
		       vmc_size_t size)
{
	unsigned char *snap = test_malloc(size);
	for (vmc_size_t o = 0; o < size; o += P)
		memcpy(snap + o, mp(m, ts, src + o)->bytes, P);
	for (vmc_size_t o = 0; o < size; o += P)
		memcpy(mp(m, td, dst + o)->bytes, snap + o, P);
	test_free(snap);
}

/* vm_map of the memory object at a fixed address, shared or copied. */
static vmc_kr_t model_map(struct model *m, int t, vmc_addr_t a, vmc_size_t n, vmc_off_t off,
			  bool copy)
{
	for (vmc_addr_t va = a; va < a + n; va += P)
		if (mp(m, t, va)->mapped)
			return KERN_NO_SPACE;
	for (vmc_addr_t va = a; va < a + n; va += P) {
		unsigned char *page = m->obj[(off + (va - a)) / P];
		mpage_map(mp(m, t, va), copy ? page : NULL, copy ? NULL : page);
	}
	return KERN_SUCCESS;
}

static void test_random_operations_match_a_flat_model(void **state)
{
	struct st *st = *state;

	struct model *m = test_calloc(1, sizeof *m);
	struct sim_task *task[2] = { st->a, st->b };
	sim_name_t self[2] = { st->aself, st->bself }, other[2];
	GRand *r = g_rand_new_with_seed((guint32)st_seed());
	unsigned char *buf = test_malloc(4 * P), *want = test_malloc(4 * P);
	int steps = getenv("MOSAIC_STEPS") ? atoi(getenv("MOSAIC_STEPS")) : 3000;

	sim_name_t objname[2];
	objname[1] = st_memobj(st->b, OKEY, OPAGES * P, 1);   /* waits: retries */
	assert_int_equal(sim_port_copy_send(st->b, objname[1], st->a, &objname[0]), KERN_SUCCESS);
	for (int i = 0; i < OPAGES; i++)
		st_pattern(OKEY, (uint64_t)i * P, m->obj[i], P);
	assert_int_equal(sim_port_copy_send(st->b, st->bself, st->a, &other[0]), KERN_SUCCESS);
	assert_int_equal(sim_port_copy_send(st->a, st->aself, st->b, &other[1]), KERN_SUCCESS);
	for (int step = 0; step < steps; step++) {
		int t = g_rand_int_range(r, 0, 2), u = 1 - t;
		int op = g_rand_int_range(r, 0, 13);
		if (op == 9)
			op = 0;   /* allocate twice as often: keep the windows full */
		vmc_addr_t a = WBASE + (vmc_addr_t)g_rand_int_range(r, 0, WPAGES) * P;
		vmc_addr_t b = WBASE + (vmc_addr_t)g_rand_int_range(r, 0, WPAGES) * P;
		vmc_size_t n = (vmc_size_t)g_rand_int_range(r, 1, 5) * P;
		vmc_kr_t got, exp;
		size_t gdone, edone;

		if (a + n > WBASE + WPAGES * P)
			n = WBASE + WPAGES * P - a;
		if (b + n > WBASE + WPAGES * P)
			n = WBASE + WPAGES * P - b;
		assert_true(n >= P && n <= 4 * P);
		switch (op) {
		case 0: {   /* vm_allocate, fixed */
			vmc_addr_t at = a;
			got = sim_vm_allocate(task[t], self[t], &at, n, false);
			exp = KERN_SUCCESS;
			for (vmc_addr_t va = a; va < a + n; va += P)
				if (mp(m, t, va)->mapped)
					exp = KERN_NO_SPACE;
			if (exp == KERN_SUCCESS)
				for (vmc_addr_t va = a; va < a + n; va += P)
					mpage_map(mp(m, t, va), NULL, NULL);
			break;
		}
		case 11: case 12: {   /* vm_map of the memory object */
			bool copy = op == 12;
			vmc_off_t off = (vmc_off_t)g_rand_int_range(r, 0, OPAGES - (int)(n / P) + 1) * P;
			vmc_addr_t at = a;
			got = sim_vm_map(task[t], self[t], &at, n, 0, false, objname[t], off, copy,
					 VMC_PROT_READ | VMC_PROT_WRITE, VMC_PROT_ALL);
			exp = model_map(m, t, a, n, off, copy);
			break;
		}
		case 1:     /* vm_deallocate */
			got = sim_vm_deallocate(task[t], self[t], a, n);
			exp = KERN_SUCCESS;
			for (vmc_addr_t va = a; va < a + n; va += P)
				mp(m, t, va)->mapped = false;
			break;
		case 2: {   /* vm_protect */
			vmc_prot_t prot = g_rand_int_range(r, 0, 8);
			bool setmax = g_rand_int_range(r, 0, 4) == 0;
			got = sim_vm_protect(task[t], self[t], a, n, setmax, prot);
			exp = KERN_SUCCESS;
			for (vmc_addr_t va = a; va < a + n; va += P) {
				struct mpage *p = mp(m, t, va);
				if (p->mapped && (prot & ~p->max))
					exp = KERN_PROTECTION_FAILURE;
			}
			for (vmc_addr_t va = a; exp == KERN_SUCCESS && va < a + n; va += P) {
				struct mpage *p = mp(m, t, va);
				if (!p->mapped)
					continue;
				if (setmax) {
					p->max = prot;
					p->cur &= prot;
				} else {
					p->cur = prot;
				}
			}
			break;
		}
		case 3: case 4: {   /* a store, any alignment */
			vmc_addr_t at = a + (vmc_addr_t)g_rand_int_range(r, 0, P);
			size_t len = (size_t)g_rand_int_range(r, 1, 2 * P);
			if (at + len > WBASE + WPAGES * P)
				len = WBASE + WPAGES * P - at;
			for (size_t i = 0; i < len; i++)
				buf[i] = (unsigned char)g_rand_int(r);
			got = sim_task_store(task[t], at, buf, len, &gdone);
			exp = model_access(m, t, at, buf, len, true, &edone);
			assert_int_equal(gdone, edone);
			break;
		}
		case 5: {   /* a load, any alignment */
			vmc_addr_t at = a + (vmc_addr_t)g_rand_int_range(r, 0, P);
			size_t len = (size_t)g_rand_int_range(r, 1, 2 * P);
			if (at + len > WBASE + WPAGES * P)
				len = WBASE + WPAGES * P - at;
			got = sim_task_load(task[t], at, buf, len, &gdone);
			exp = model_access(m, t, at, want, len, false, &edone);
			assert_int_equal(gdone, edone);
			assert_memory_equal(buf, want, edone);
			break;
		}
		case 6:     /* vm_copy within t */
			got = sim_vm_copy(task[t], self[t], a, n, b);
			if ((exp = model_range(m, t, a, a + n, VMC_PROT_READ)) == KERN_SUCCESS &&
			    (exp = model_range(m, t, b, b + n, VMC_PROT_WRITE)) == KERN_SUCCESS)
				model_copy(m, t, a, t, b, n);
			break;
		case 7:     /* vm_write from t into u */
			got = sim_vm_write(task[t], other[t], b, a, n);
			if (model_range(m, t, a, a + n, VMC_PROT_READ) != KERN_SUCCESS)
				exp = MACH_SEND_INVALID_MEMORY;
			else if ((exp = model_range(m, u, b, b + n, VMC_PROT_WRITE)) ==
				 KERN_SUCCESS)
				model_copy(m, t, a, u, b, n);
			break;
		case 8: {   /* vm_read from u into t: compared, then dropped */
			vmc_addr_t at = a + (vmc_addr_t)g_rand_int_range(r, 0, P), data = 0;
			vmc_size_t len = n - (at - a);
			got = sim_vm_read(task[t], other[t], at, len, &data);
			exp = model_range(m, u, vmc_trunc_page(at), a + n, VMC_PROT_READ);
			if (got == KERN_SUCCESS && exp == KERN_SUCCESS) {
				/* Change the source first: the copy must not see it. */
				assert_int_equal(model_access(m, u, at, want, len, false, &edone),
						 KERN_SUCCESS);
				if (model_range(m, u, a, a + P, VMC_PROT_WRITE) == KERN_SUCCESS) {
					unsigned char x = (unsigned char)step;
					assert_int_equal(sim_task_store(task[u], a, &x, 1, NULL),
							 KERN_SUCCESS);
					mp(m, u, a)->bytes[0] = x;
				}
				assert_int_equal(sim_task_load(task[t], data, buf, len, NULL),
						 KERN_SUCCESS);
				assert_memory_equal(buf, want, len);
				assert_int_equal(sim_vm_deallocate(task[t], self[t], data, len),
						 KERN_SUCCESS);
			}
			break;
		}
		default:    /* evict whatever a shows */
			(void)sim_task_evict(task[t], a);
			got = exp = KERN_SUCCESS;
			break;
		}
		if (got != exp)
			fail_msg("step %d op %d: %s, model says %s", step, op, vmc_kr_name(got),
				 vmc_kr_name(exp));
		st_check(st);
	}
	/* Finally every byte of both windows. */
	for (int t = 0; t < 2; t++)
		for (vmc_addr_t va = WBASE; va < WBASE + WPAGES * P; va += P) {
			struct mpage *p = mp(m, t, va);
			if (!p->mapped || !(p->cur & VMC_PROT_READ))
				continue;
			assert_int_equal(sim_task_load(task[t], va, buf, P, NULL), KERN_SUCCESS);
			assert_memory_equal(buf, p->bytes, P);
		}
	printf("# events:");
	for (int e = 0; e < SIM_EV_COUNT; e++)
		printf(" %s=%llu", sim_event_name((enum sim_event)e),
		       (unsigned long long)st_event(st, (enum sim_event)e));
	printf("\n");
	assert_true(st_event(st, SIM_EV_EVICT) > 0);
	assert_true(st_event(st, SIM_EV_COW_COPY) > 0);
	g_rand_free(r);
	test_free(buf);
	test_free(want);
	test_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ST_TEST_FRAMES(test_random_operations_match_a_flat_model, 12),
	};
	return cmocka_run_group_tests_name("sim_model", tests, NULL, NULL);
}

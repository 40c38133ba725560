/*
 * stress.c: mosaic's copies and proxies under concurrent change, on the
 * kernel with mosaic (make kernel-stress; several processors with SMP=N).
 *
 * For STRESS_S seconds (build-time define, default 20), seeded by
 * STRESS_SEED (default 1, printed), at once:
 *
 *   copiers (two threads)  vm_copy_from_object by RPC and by trap, vm_copy_to_object,
 *            vm_copy_between_objects, at unaligned offsets and lengths, across the
 *            several map entries of a victim task's buffer, from the file's
 *            read-only proxy, a read-write proxy nested over it (rights
 *            intersected), a proxy of three ranges with a hole, and a file
 *            a misbehaving pager serves;
 *   mutator  on the victim's contended pages: vm_protect, vm_deallocate and
 *            vm_allocate again, vm_map of the file's proxy in their place,
 *            vm_region_create_proxy of them and the right dropped, proxies
 *            of the file made and dropped, pages of the paged file flushed;
 *   pager    the paged file's memory manager (filepager.c), answering some
 *            requests late and some with an error;
 *   a copier task  a second task copying into the victim, terminated and
 *            made anew every few hundred milliseconds (a copy's caller
 *            terminated mid-copy);
 *   the first thread  terminates the victim (a copy's target) and makes a
 *            new one every few hundred milliseconds, and watches the others:
 *            a thread that makes no progress for 20 s fails the run with
 *            every thread's last operation.
 *
 * Invariants checked as it runs: every call's result is one the interface
 * allows (KERN_SUCCESS with 0 < count <= length, or an error code from the
 * list the call may give, count 0); the victim's canary pages around its
 * buffer never change (checked with vm_read before each termination);
 * bytes copied into the victim's private pages, which no mutator touches,
 * equal the source's (read back with vm_read); the scratch object's
 * canaries around the window vm_copy_to_object writes never change; the file
 * never changes.  After the run: every task and proxy of the run gone, the
 * kernel's vm_object, vm_map_entry and ipc_port caches (host_slab_info)
 * back to within a few objects of where they started.  It prints the
 * operations per second by kind and the results by code.
 */
#include "guest.h"

#include <mach_debug/slab_info.h>

#include "mach.user.h"
#include "mach4.user.h"
#include "mach_debug.user.h"
#include "mach_port.user.h"
#include "experimental.user.h"

#include "filepager.h"
#include "trace_content.h"

const char guest_name[] = MOSAIC_GUEST_NAME;

#ifndef STRESS_S
#define STRESS_S 20
#endif
#ifndef STRESS_SEED
#define STRESS_SEED 1
#endif
/* Operation kinds left out (a bit per enum op), to narrow a failure down. */
#ifndef STRESS_WITHOUT
#define STRESS_WITHOUT 0
#endif
#define WITHOUT(op) ((STRESS_WITHOUT >> (op)) & 1)

#define P               GUEST_PAGE_SIZE
#define FILE_PAGES      64
#define FILE_SIZE       (FILE_PAGES * P)
#define PF_PAGES        32
/* The victim's buffer: canary, CONT contended pages, PRIV private pages,
 * canary. */
#define CONT_PAGES      6
#define PRIV_PAGES      6
#define VBUF_PAGES      (1 + CONT_PAGES + PRIV_PAGES + 1)
#define SCRATCH_PAGES   8               /* canary, 6 window pages, canary */
#define STALL_S         20

enum op {
	OP_READ_RPC, OP_READ_TRAP, OP_WRITE, OP_OBJ_COPY, OP_PROTECT, OP_REMAP, OP_MAP_PROXY,
	OP_PROXY_DROP, OP_REGION_PROXY, OP_FLUSH, OP_KILL_TARGET, OP_KILL_CALLER, NOPS
};
static const char *const op_names[NOPS] = {
	"vm_copy_from_object (rpc)", "vm_copy_from_object (trap)", "vm_copy_to_object", "vm_copy_between_objects",
	"vm_protect", "vm_deallocate + vm_allocate", "vm_map of a proxy", "proxy made, dropped",
	"vm_region_create_proxy", "pager flush", "task_terminate (target)",
	"task_terminate (caller)"
};

/* The results a copy may give under change. */
static const kern_return_t copy_codes[] = {
	KERN_SUCCESS, KERN_INVALID_ADDRESS, KERN_PROTECTION_FAILURE, KERN_MEMORY_ERROR,
	KERN_INVALID_ARGUMENT, MACH_SEND_INVALID_DEST, KERN_ABORTED, KERN_INVALID_TASK,
};
#define NCODES (sizeof copy_codes / sizeof copy_codes[0])

struct worker {
	const char *name;
	uint64_t rng;
	volatile uint64_t progress;     /* operations done */
	volatile int last_op;
	unsigned char stack[64 * 1024] __attribute__((aligned(16)));
};

static struct {
	mach_port_t self;
	vm_address_t file;              /* FILE_SIZE of pattern, ours */
	mach_port_t file_ro, nest, holes;
	struct fp_file pf;              /* paged by our misbehaving pager */
	mach_port_t pf_ro;              /* a proxy of it: vm_copy_between_objects's source
					 * must be a kernel port */
	vm_address_t scratch;           /* SCRATCH_PAGES; window proxied below */
	mach_port_t scratch_rw;
	/* The current victim, swapped by the first thread. */
	volatile mach_port_t vtask;
	volatile vm_address_t vbuf;
	mach_port_t caller_task;
	volatile bool stop;
	uint64_t ops[NOPS];
	uint64_t codes[NOPS][NCODES];
	uint64_t victims, callers;
	uint64_t bytes_checked;
} g;

static struct worker workers[3];

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static unsigned char file_byte(vm_offset_t x) { return (unsigned char)(x * 131 + (x >> 9) + 7); }
static unsigned char canary_byte(vm_offset_t x) { return (unsigned char)(0xa5 ^ (x * 29)); }

static unsigned code_index(kern_return_t kr)
{
	for (unsigned i = 0; i < NCODES; i++)
		if (copy_codes[i] == kr)
			return i;
	return NCODES;
}

/* A copy's result must be one the interface allows. */
static void check_copy(int op, kern_return_t kr, vm_size_t count, vm_size_t len)
{
	unsigned i = code_index(kr);
	if (i == NCODES)
		guest_fail("%s: %s, which it may not answer", op_names[op], guest_kr_name(kr));
	if (kr == KERN_SUCCESS && (count == 0 || count > len))
		guest_fail("%s: KERN_SUCCESS with count %lu of %lu", op_names[op],
			   (unsigned long)count, (unsigned long)len);
	if (kr != KERN_SUCCESS && count != 0)
		guest_fail("%s: %s with count %lu", op_names[op], guest_kr_name(kr),
			   (unsigned long)count);
	__atomic_add_fetch(&g.codes[op][i], 1, __ATOMIC_RELAXED);
}

static void count_op(struct worker *w, int op)
{
	w->last_op = op;
	__atomic_add_fetch(&g.ops[op], 1, __ATOMIC_RELAXED);
	w->progress++;
}

/* The byte at offset x of a source object, NULL-safe for the holed proxy:
 * returns -1 where it has a hole. */
static int source_byte(mach_port_t src, vm_offset_t x)
{
	if (src == g.holes) {
		/* [0, 8p) file [0, 8p); [8p, 9p) hole; [9p, 16p) file [16p, 23p). */
		if (x < 8 * P)
			return file_byte(x);
		if (x < 9 * P)
			return -1;
		return file_byte(x - 9 * P + 16 * P);
	}
	if (src == g.pf.object || src == g.pf_ro)
		return trace_content_byte(g.pf.key, x);
	return file_byte(x);
}

/* The copiers --------------------------------------------------------------- */

static mach_port_t pick_source(struct worker *w, vm_size_t *size)
{
	switch (rnd(&w->rng) % 4) {
	case 0: *size = FILE_SIZE; return g.file_ro;
	case 1: *size = FILE_SIZE; return g.nest;
	case 2: *size = 16 * P; return g.holes;
	default: *size = PF_PAGES * P; return g.pf.object;
	}
}

static void copier_main(void *arg)
{
	struct worker *w = arg;

	while (!g.stop) {
		mach_port_t task = g.vtask;
		vm_address_t vbuf = g.vbuf;
		vm_size_t src_size, count = 0;
		mach_port_t src = pick_source(w, &src_size);
		/* Contended pages, or this copier's own private half of the
		 * private ones; any offset, any length. */
		bool priv = rnd(&w->rng) % 2;
		unsigned half = (unsigned)(w - workers);
		vm_address_t base = vbuf + (priv ? 1 + CONT_PAGES + half * PRIV_PAGES / 2 : 1) * P;
		vm_size_t room = (priv ? PRIV_PAGES / 2 : CONT_PAGES) * P;
		vm_size_t off = rnd(&w->rng) % room;
		vm_size_t len = 1 + rnd(&w->rng) % (room - off);
		vm_offset_t soff = rnd(&w->rng) % src_size;
		if (len > src_size - soff)
			len = src_size - soff;
		kern_return_t kr;
		int op;
		unsigned pick = (unsigned)(rnd(&w->rng) % 4);

		if (WITHOUT(pick == 0 ? OP_READ_RPC : pick == 1 ? OP_READ_TRAP :
			    pick == 2 ? OP_WRITE : OP_OBJ_COPY)) {
			count_op(w, OP_READ_RPC);
			continue;
		}
		switch (pick) {
		case 0:
			op = OP_READ_RPC;
			kr = vm_copy_from_object(task, base + off, len, src, soff, &count);
			break;
		case 1:
			op = OP_READ_TRAP;
			kr = vm_copy_from_object_trap(task, base + off, len, src, soff, &count);
			break;
		case 2: {
			/* The victim's bytes into the scratch window: the canaries
			 * around it must stay. */
			op = OP_WRITE;
			vm_size_t wlen = len > 6 * P ? 6 * P : len;
			vm_offset_t woff = rnd(&w->rng) % (6 * P - wlen + 1);
			kr = vm_copy_to_object(task, base + off, wlen, g.scratch_rw, woff, &count);
			check_copy(op, kr, count, wlen);
			for (vm_size_t k = 0; k < P; k++)
				if (((volatile unsigned char *)g.scratch)[k] != canary_byte(k) ||
				    ((volatile unsigned char *)g.scratch)[7 * P + k] !=
					    canary_byte(7 * P + k))
					guest_fail("vm_copy_to_object wrote outside the scratch window");
			count_op(w, op);
			continue;
		}
		default: {
			/* Into a write-only proxy of exactly the range. */
			op = OP_OBJ_COPY;
			mach_port_t dst = MACH_PORT_NULL;
			if (src == g.pf.object)
				src = g.pf_ro;
			kr = vm_region_create_proxy(task, base + off, VM_PROT_WRITE, len, &dst);
			if (kr != KERN_SUCCESS) {
				count_op(w, OP_REGION_PROXY);
				continue;
			}
			kr = vm_copy_between_objects(src, soff, dst, 0, len, &count);
			(void)mach_port_deallocate(g.self, dst);
			break;
		}
		}
		check_copy(op, kr, count, len);
		/* Private pages: what was copied must read back (unless the
		 * victim went meanwhile). */
		if (priv && count > 0 && task == g.vtask) {
			vm_offset_t data;
			mach_msg_type_number_t n;
			if (vm_read(task, base + off, count, &data, &n) == KERN_SUCCESS) {
				const unsigned char *b = (const unsigned char *)data;
				for (vm_size_t k = 0; k < count; k++) {
					int want = source_byte(src, soff + k);
					if (want < 0 || b[k] != (unsigned char)want)
						guest_fail("%s: byte %lu of %lu copied is 0x%x, "
							   "the source's 0x%x", op_names[op],
							   (unsigned long)k, (unsigned long)count,
							   b[k], want);
				}
				__atomic_add_fetch(&g.bytes_checked, count, __ATOMIC_RELAXED);
				(void)vm_deallocate(g.self, data, n);
			}
		}
		count_op(w, op);
	}
}

/* The mutator ------------------------------------------------------------- */

static void mutator_main(void *arg)
{
	struct worker *w = arg;

	while (!g.stop) {
		mach_port_t task = g.vtask;
		vm_address_t page = g.vbuf + (1 + rnd(&w->rng) % CONT_PAGES) * P;
		static const int kinds[6] = { OP_PROTECT, OP_REMAP, OP_MAP_PROXY, OP_PROXY_DROP,
					      OP_REGION_PROXY, OP_FLUSH };
		unsigned pick = (unsigned)(rnd(&w->rng) % 6);
		if (WITHOUT(kinds[pick])) {
			w->progress++;
			continue;
		}
		switch (pick) {
		case 0: {
			static const vm_prot_t prots[3] = { VM_PROT_NONE, VM_PROT_READ,
							    VM_PROT_READ | VM_PROT_WRITE };
			(void)vm_protect(task, page, P, FALSE, prots[rnd(&w->rng) % 3]);
			count_op(w, OP_PROTECT);
			break;
		}
		case 1:
			if (vm_deallocate(task, page, P) == KERN_SUCCESS)
				(void)vm_allocate(task, &page, P, FALSE);
			count_op(w, OP_REMAP);
			break;
		case 2:
			/* The file's proxy mapped in the page's place, then gone. */
			if (vm_deallocate(task, page, P) == KERN_SUCCESS &&
			    vm_map(task, &page, P, 0, FALSE, g.file_ro,
				   (rnd(&w->rng) % FILE_PAGES) * P, FALSE, VM_PROT_READ,
				   VM_PROT_READ, VM_INHERIT_NONE) == KERN_SUCCESS &&
			    vm_deallocate(task, page, P) == KERN_SUCCESS)
				(void)vm_allocate(task, &page, P, FALSE);
			count_op(w, OP_MAP_PROXY);
			break;
		case 3: {
			/* A proxy of the nested proxy, made and dropped. */
			mach_port_t obj = g.nest, proxy;
			rpc_vm_offset_t zero = 0;
			rpc_vm_size_t len = (1 + rnd(&w->rng) % FILE_PAGES) * P;
			if (memory_object_create_proxy(g.self, VM_PROT_READ, &obj,
						       MACH_MSG_TYPE_COPY_SEND, 1, &zero, 1,
						       &zero, 1, &len, 1, &proxy) == KERN_SUCCESS)
				(void)mach_port_deallocate(g.self, proxy);
			count_op(w, OP_PROXY_DROP);
			break;
		}
		case 4: {
			mach_port_t proxy;
			if (vm_region_create_proxy(task, g.vbuf + P, VM_PROT_READ, CONT_PAGES * P,
						   &proxy) == KERN_SUCCESS)
				(void)mach_port_deallocate(g.self, proxy);
			count_op(w, OP_REGION_PROXY);
			break;
		}
		default:
			filepager_flush(&g.pf, (rnd(&w->rng) % PF_PAGES) * P, P);
			count_op(w, OP_FLUSH);
			break;
		}
	}
}

/* The copier task: copies into the victim until it is terminated. */
static void caller_main(void *arg)
{
	uint64_t rng = (uint64_t)(uintptr_t)arg | 1;
	for (;;) {
		vm_size_t count;
		vm_size_t off = rnd(&rng) % (CONT_PAGES * P);
		(void)vm_copy_from_object(g.vtask, g.vbuf + P + off, CONT_PAGES * P - off, g.file_ro,
				   rnd(&rng) % FILE_SIZE / 2, &count);
	}
}

/* The first thread's side ------------------------------------------------------ */

static void new_victim(void)
{
	mach_port_t task;
	vm_address_t buf = 0;
	/* vm_write takes whole pages. */
	static unsigned char canary[4096] __attribute__((aligned(4096)));

	/* A task with nothing of ours but what task_create copies. */
	GUEST_EXPECT_KR(task_create(g.self, FALSE, &task), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_allocate(task, &buf, VBUF_PAGES * P, TRUE), KERN_SUCCESS);
	/* Several map entries: the contended and private pages apart. */
	GUEST_EXPECT_KR(vm_inherit(task, buf + P, CONT_PAGES * P, VM_INHERIT_SHARE), KERN_SUCCESS);
	for (unsigned c = 0; c < 2; c++) {
		vm_address_t at = c ? buf + (VBUF_PAGES - 1) * P : buf;
		for (vm_size_t k = 0; k < P; k++)
			canary[k] = canary_byte(at - buf + k);
		GUEST_EXPECT_KR(vm_write(task, at, (vm_offset_t)canary, P), KERN_SUCCESS);
	}
	g.vbuf = buf;
	__atomic_store_n(&g.vtask, task, __ATOMIC_RELEASE);
	g.victims++;
}

/* Old victims' names, dropped a few victims later: a copier may still
 * send to the one it read just before the swap, and a name dropped at once
 * could name another port by then. */
#define OLD_VICTIMS 8
static mach_port_t old_victims[OLD_VICTIMS];

static void retire_victim(mach_port_t task)
{
	static unsigned next;
	if (old_victims[next] != MACH_PORT_NULL)
		(void)mach_port_deallocate(g.self, old_victims[next]);
	old_victims[next] = task;
	next = (next + 1) % OLD_VICTIMS;
}

/* The victim's canary pages must be as written. */
static void check_victim(mach_port_t task, vm_address_t buf)
{
	for (unsigned c = 0; c < 2; c++) {
		vm_address_t at = c ? buf + (VBUF_PAGES - 1) * P : buf;
		vm_offset_t data;
		mach_msg_type_number_t n;
		GUEST_EXPECT_KR(vm_read(task, at, P, &data, &n), KERN_SUCCESS);
		for (vm_size_t k = 0; k < P; k++)
			if (((unsigned char *)data)[k] != canary_byte(at - buf + k))
				guest_fail("the victim's canary byte %lu changed",
					   (unsigned long)(at - buf + k));
		(void)vm_deallocate(g.self, data, n);
	}
}

static void new_caller(uint64_t seed)
{
	static vm_address_t stack;
	mach_port_t thread;

	if (stack == 0)
		GUEST_EXPECT_KR(vm_allocate(g.self, &stack, 64 * 1024, TRUE), KERN_SUCCESS);
	/* Its names are ours: the proxies and the current victim, which it
	 * reads from its copy of g, the victim's name given anew each time. */
	struct guest_right rights[2] = {
		{ g.file_ro, MACH_MSG_TYPE_COPY_SEND },
		{ g.vtask, MACH_MSG_TYPE_COPY_SEND },
	};
	GUEST_EXPECT_KR(guest_task_start(caller_main, (void *)(uintptr_t)seed, (void *)stack,
					 64 * 1024, rights, 2, &g.caller_task, &thread),
			KERN_SUCCESS);
	(void)mach_port_deallocate(g.self, thread);
	g.callers++;
}

/* In-use objects of the kernel's caches we watch. */
static const char *const watched[] = { "vm_object", "vm_map_entry", "ipc_port" };
#define NWATCHED (sizeof watched / sizeof watched[0])

static void slab_counts(uint64_t out[NWATCHED])
{
	cache_info_array_t info = NULL;
	mach_msg_type_number_t n = 0;

	for (unsigned i = 0; i < NWATCHED; i++)
		out[i] = UINT64_MAX;
	kern_return_t kr = host_slab_info(mach_host_self(), &info, &n);
	if (kr != KERN_SUCCESS)
		guest_fail("host_slab_info: %s", guest_kr_name(kr));
	for (mach_msg_type_number_t k = 0; k < n; k++)
		for (unsigned i = 0; i < NWATCHED; i++)
			if (strlen(watched[i]) == strlen(info[k].name) &&
			    memcmp(info[k].name, watched[i], strlen(watched[i])) == 0)
				out[i] = (uint64_t)info[k].nr_objs;
	(void)vm_deallocate(g.self, (vm_address_t)info, n * sizeof *info);
	for (unsigned i = 0; i < NWATCHED; i++)
		if (out[i] == UINT64_MAX)
			guest_fail("host_slab_info has no cache '%s'", watched[i]);
}

static mach_port_t make_proxy(vm_prot_t prot, unsigned n, mach_port_t *objs,
			      rpc_vm_offset_t *offs, rpc_vm_offset_t *starts, rpc_vm_size_t *lens)
{
	mach_port_t proxy = MACH_PORT_NULL;
	GUEST_EXPECT_KR(memory_object_create_proxy(g.self, prot, objs, MACH_MSG_TYPE_COPY_SEND, n,
						   offs, n, starts, n, lens, n, &proxy),
			KERN_SUCCESS);
	return proxy;
}

int guest_main(int argc, char **argv)
{
	uint64_t before[NWATCHED], after[NWATCHED];
	mach_port_t thread;

	(void)argc, (void)argv;
	g.self = mach_task_self();
	guest_printf("stress: %u s, seed %u (STRESS_S, STRESS_SEED)\n", (unsigned)STRESS_S,
		     (unsigned)STRESS_SEED);
	/* The file and its proxies. */
	GUEST_EXPECT_KR(vm_allocate(g.self, &g.file, FILE_SIZE, TRUE), KERN_SUCCESS);
	for (vm_size_t x = 0; x < FILE_SIZE; x++)
		((unsigned char *)g.file)[x] = file_byte(x);
	GUEST_EXPECT_KR(vm_region_create_proxy(g.self, g.file, VM_PROT_READ, FILE_SIZE, &g.file_ro),
			KERN_SUCCESS);
	{
		mach_port_t o[3] = { g.file_ro, g.file_ro, MACH_PORT_NULL };
		rpc_vm_offset_t off[2] = { 0, 16 * P }, start[2] = { 0, 9 * P };
		rpc_vm_size_t len[2] = { 8 * P, 7 * P };
		rpc_vm_offset_t z = 0;
		rpc_vm_size_t whole = FILE_SIZE;
		g.nest = make_proxy(VM_PROT_READ | VM_PROT_WRITE, 1, o, &z, &z, &whole);
		g.holes = make_proxy(VM_PROT_READ, 2, o, off, start, len);
	}
	/* The scratch object: canary page, six window pages, canary page. */
	GUEST_EXPECT_KR(vm_allocate(g.self, &g.scratch, SCRATCH_PAGES * P, TRUE), KERN_SUCCESS);
	for (vm_size_t k = 0; k < SCRATCH_PAGES * P; k++)
		((unsigned char *)g.scratch)[k] = canary_byte(k);
	GUEST_EXPECT_KR(vm_region_create_proxy(g.self, g.scratch + P, VM_PROT_READ | VM_PROT_WRITE,
					       6 * P, &g.scratch_rw), KERN_SUCCESS);
	/* The paged file, its pager misbehaving. */
	filepager_start(P);
	g.pf.size = PF_PAGES * P;
	g.pf.key = trace_content_key("stress", 6, STRESS_SEED);
	filepager_add(&g.pf);
	filepager_misbehave(STRESS_SEED, 10, 3, 5);
	{
		mach_port_t o = g.pf.object;
		rpc_vm_offset_t z = 0;
		rpc_vm_size_t whole = PF_PAGES * P;
		g.pf_ro = make_proxy(VM_PROT_READ, 1, &o, &z, &z, &whole);
	}

	slab_counts(before);
	new_victim();
	new_caller(STRESS_SEED);
	static const char *const names[3] = { "copier 1", "copier 2", "mutator" };
	for (unsigned i = 0; i < 3; i++) {
		workers[i].name = names[i];
		workers[i].rng = (STRESS_SEED + 1) * 0x9e3779b97f4a7c15ull + i;
		workers[i].last_op = -1;
		GUEST_EXPECT_KR(guest_thread_start(i < 2 ? copier_main : mutator_main, &workers[i],
						   workers[i].stack, sizeof workers[i].stack,
						   &thread), KERN_SUCCESS);
	}

	/* The run: every 250 ms a new target or a new caller; every second
	 * the watchdog. */
	uint64_t last[3] = { 0, 0, 0 };
	unsigned stalled[3] = { 0, 0, 0 };
	for (unsigned tick = 0; tick < STRESS_S * 4; tick++) {
		guest_sleep_ms(250);
		if (tick % 2 == 0 && !WITHOUT(OP_KILL_TARGET)) {
			mach_port_t old = g.vtask;
			check_victim(old, g.vbuf);
			new_victim();
			GUEST_EXPECT_KR(task_terminate(old), KERN_SUCCESS);
			retire_victim(old);
			g.ops[OP_KILL_TARGET]++;
		} else if (tick % 2 == 1 && !WITHOUT(OP_KILL_CALLER)) {
			GUEST_EXPECT_KR(task_terminate(g.caller_task), KERN_SUCCESS);
			(void)mach_port_deallocate(g.self, g.caller_task);
			g.ops[OP_KILL_CALLER]++;
			new_caller(STRESS_SEED + tick);
		}
		if (tick % 4 != 3)
			continue;
		for (unsigned i = 0; i < 3; i++) {
			stalled[i] = workers[i].progress == last[i] ? stalled[i] + 1 : 0;
			last[i] = workers[i].progress;
			if (stalled[i] >= STALL_S) {
				for (unsigned j = 0; j < 3; j++)
					guest_printf("stress: %s: %lu operations, last %s\n",
						     workers[j].name, (unsigned long)workers[j].progress,
						     workers[j].last_op < 0 ? "none"
						     : op_names[workers[j].last_op]);
				guest_fail("%s made no progress for %u s", workers[i].name, STALL_S);
			}
		}
		guest_printf("stress: %u s: %lu %lu %lu operations\n", (tick + 1) / 4,
			     (unsigned long)workers[0].progress, (unsigned long)workers[1].progress,
			     (unsigned long)workers[2].progress);
	}

	/* The end: the workers stop, the tasks of the run go. */
	g.stop = true;
	for (unsigned k = 0; k < 5000; k++) {
		uint64_t p0 = workers[0].progress + workers[1].progress + workers[2].progress;
		guest_sleep_ms(20);
		if (p0 == workers[0].progress + workers[1].progress + workers[2].progress)
			break;
	}
	guest_sleep_ms(200);
	check_victim(g.vtask, g.vbuf);
	GUEST_EXPECT_KR(task_terminate(g.vtask), KERN_SUCCESS);
	GUEST_EXPECT_KR(task_terminate(g.caller_task), KERN_SUCCESS);
	(void)mach_port_deallocate(g.self, g.caller_task);
	retire_victim(g.vtask);
	for (unsigned i = 0; i < OLD_VICTIMS; i++)
		retire_victim(MACH_PORT_NULL);
	for (vm_size_t x = 0; x < FILE_SIZE; x++)
		if (((unsigned char *)g.file)[x] != file_byte(x))
			guest_fail("the file's byte %lu changed", (unsigned long)x);
	guest_sleep_ms(500);
	slab_counts(after);

	guest_printf("stress: operations in %u s (%lu victims, %lu callers; %lu bytes read back)\n",
		     (unsigned)STRESS_S, (unsigned long)g.victims, (unsigned long)g.callers,
		     (unsigned long)g.bytes_checked);
	uint64_t total = 0;
	for (int op = 0; op < NOPS; op++) {
		total += g.ops[op];
		guest_printf("stress: %s: %lu, %lu/s", op_names[op], (unsigned long)g.ops[op],
			     (unsigned long)(g.ops[op] / STRESS_S));
		for (unsigned i = 0; i < NCODES; i++)
			if (g.codes[op][i] != 0)
				guest_printf("; %s %lu", guest_kr_name(copy_codes[i]),
					     (unsigned long)g.codes[op][i]);
		guest_printf("\n");
	}
	guest_printf("stress: total %lu operations, %lu/s; pager: %lu pages, %lu late, %lu errors\n",
		     (unsigned long)total, (unsigned long)(total / STRESS_S),
		     (unsigned long)filepager_pageins(), (unsigned long)filepager_late(),
		     (unsigned long)filepager_errors());
	bool grew = false;
	for (unsigned i = 0; i < NWATCHED; i++) {
		guest_printf("stress: kernel cache %s: %lu in use before, %lu after\n", watched[i],
			     (unsigned long)before[i], (unsigned long)after[i]);
		if (after[i] > before[i] + 32)
			grew = true;
	}
	if (grew)
		guest_fail("kernel memory did not come back (see the cache lines above)");
	return 0;
}

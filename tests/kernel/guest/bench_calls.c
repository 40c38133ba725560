/*
 * bench_calls.c: the stock calls mosaic's patch series touches or sits
 * beside, timed one by one, so that stock GNU Mach and the kernel with
 * mosaic of the same commit can be compared call by call
 * (bench/kernel_calls.py boots both under -icount, where a TSC tick is an
 * instruction).
 *
 * Memory:
 *   plain    64 KiB of this task's anonymous memory, written (resident),
 *            no proxy anywhere near it;
 *   proxied  1 MiB of anonymous memory, written, whose whole extent a
 *            read-only proxy holds (vm_region_create_proxy): every page of
 *            its object resident, as a translator's file in memory is;
 *   object   a 1 MiB file of this task's pager thread (filepager.c),
 *            mapped whole and read once, so its pages are resident;
 *   shared   64 KiB of anonymous memory, written, inherited shared by a
 *            child task (created, never run): stock GNU Mach's own shared
 *            memory, the reference for a write into memory a proxy holds,
 *            which both kernels then write in place.
 *
 * Calls (one page unless said; each timed alone, what it leaves undone or
 * undone by an untimed call after it):
 *   vm_allocate, vm_deallocate        4 pages anywhere, then freed;
 *   vm_protect:{plain,proxied}        one page read-only, then back;
 *   vm_map:object                     the pager's object, 4 pages;
 *   vm_map:proxy                      the proxy, 4 pages (copy=FALSE);
 *   vm_read:{plain,proxied}           one page (the data deallocated);
 *   vm_write:{plain,proxied}          one page of this task's into it;
 *   vm_copy:{plain,proxied}           one page to the next page;
 *   vm_write:shared, vm_copy:shared   as above, into shared;
 *   memory_object_create_proxy        a proxy of the pager's object, one
 *                                     range of 4 pages at offset 0 (stock
 *                                     takes no other; its port destroyed);
 *   vm_region_create_proxy:plain      one page of fresh memory no proxy held
 *                                     (allocated and written before, port
 *                                     destroyed and memory freed after);
 *   vm_region_create_proxy:proxied    one page of proxied (port destroyed).
 *
 * Nothing makes a proxy of plain, so that its calls stay proxy-free.
 *
 * After the timed rounds, the snapshots: a vm_read of proxied memory keeps
 * its bytes after the memory is written, and the proxy shows the store
 * (mosaic's kernel only; check_snapshots), so that mosaic's numbers are
 * for correct calls.
 *
 * Output: TSV between `mosaic-bench: begin' and `mosaic-bench: end',
 * `round call ticks' (median-able per round: each line is the mean of
 * CALLS calls).
 */
#include "guest.h"

#include "mach.user.h"
#include "mach4.user.h"
#include "mach_port.user.h"

#include "filepager.h"
#include "trace_content.h"

const char guest_name[] = MOSAIC_GUEST_NAME;

#define P               GUEST_PAGE_SIZE
#define PLAIN_SIZE      (64 * 1024)
#define PROXIED_SIZE    (1024 * 1024)
#define CALLS           64
#define ROUNDS          5

enum call {
	ALLOCATE, DEALLOCATE, PROTECT_PLAIN, PROTECT_PROXIED, MAP_OBJECT, MAP_PROXY,
	READ_PLAIN, READ_PROXIED, WRITE_PLAIN, WRITE_PROXIED, WRITE_SHARED, COPY_PLAIN,
	COPY_PROXIED, COPY_SHARED, CREATE_PROXY, REGION_PROXY_PLAIN, REGION_PROXY_PROXIED, NCALLS
};
static const char *const call_names[NCALLS] = {
	"vm_allocate", "vm_deallocate", "vm_protect:plain", "vm_protect:proxied",
	"vm_map:object", "vm_map:proxy", "vm_read:plain", "vm_read:proxied",
	"vm_write:plain", "vm_write:proxied", "vm_write:shared", "vm_copy:plain",
	"vm_copy:proxied", "vm_copy:shared",
	"memory_object_create_proxy", "vm_region_create_proxy:plain",
	"vm_region_create_proxy:proxied",
};

static struct {
	mach_port_t self;
	vm_address_t plain, proxied, shared, src;
	mach_port_t proxy;              /* of proxied, read-only */
	struct fp_file file;
} r;

/* One call, timed; what it made is undone after the clock stops. */
static uint64_t one(enum call c, unsigned i)
{
	vm_address_t at = 0, data = 0;
	mach_msg_type_number_t count = 0;
	mach_port_t port = MACH_PORT_NULL;
	kern_return_t kr = KERN_SUCCESS;
	uint64_t t0, t1;
	vm_offset_t page = (vm_offset_t)(i % 8) * P;    /* walks a little */

	switch (c) {
	case ALLOCATE:
		t0 = guest_rdtsc();
		kr = vm_allocate(r.self, &at, 4 * P, TRUE);
		t1 = guest_rdtsc();
		GUEST_EXPECT_KR(kr, KERN_SUCCESS);
		GUEST_EXPECT_KR(vm_deallocate(r.self, at, 4 * P), KERN_SUCCESS);
		return t1 - t0;
	case DEALLOCATE:
		GUEST_EXPECT_KR(vm_allocate(r.self, &at, 4 * P, TRUE), KERN_SUCCESS);
		t0 = guest_rdtsc();
		kr = vm_deallocate(r.self, at, 4 * P);
		t1 = guest_rdtsc();
		GUEST_EXPECT_KR(kr, KERN_SUCCESS);
		return t1 - t0;
	case PROTECT_PLAIN:
	case PROTECT_PROXIED:
		at = (c == PROTECT_PLAIN ? r.plain : r.proxied) + page;
		t0 = guest_rdtsc();
		kr = vm_protect(r.self, at, P, FALSE, VM_PROT_READ);
		t1 = guest_rdtsc();
		GUEST_EXPECT_KR(kr, KERN_SUCCESS);
		GUEST_EXPECT_KR(vm_protect(r.self, at, P, FALSE, VM_PROT_READ | VM_PROT_WRITE),
				KERN_SUCCESS);
		return t1 - t0;
	case MAP_OBJECT:
	case MAP_PROXY:
		t0 = guest_rdtsc();
		kr = vm_map(r.self, &at, 4 * P, 0, TRUE,
			    c == MAP_OBJECT ? r.file.object : r.proxy, page, FALSE,
			    VM_PROT_READ, VM_PROT_READ, VM_INHERIT_NONE);
		t1 = guest_rdtsc();
		GUEST_EXPECT_KR(kr, KERN_SUCCESS);
		GUEST_EXPECT_KR(vm_deallocate(r.self, at, 4 * P), KERN_SUCCESS);
		return t1 - t0;
	case READ_PLAIN:
	case READ_PROXIED:
		at = (c == READ_PLAIN ? r.plain : r.proxied) + page;
		t0 = guest_rdtsc();
		kr = vm_read(r.self, at, P, &data, &count);
		t1 = guest_rdtsc();
		GUEST_EXPECT_KR(kr, KERN_SUCCESS);
		GUEST_EXPECT_KR(vm_deallocate(r.self, data, P), KERN_SUCCESS);
		return t1 - t0;
	case WRITE_PLAIN:
	case WRITE_PROXIED:
	case WRITE_SHARED:
		at = (c == WRITE_PLAIN ? r.plain : c == WRITE_PROXIED ? r.proxied : r.shared) + page;
		t0 = guest_rdtsc();
		kr = vm_write(r.self, at, r.src, P);
		t1 = guest_rdtsc();
		GUEST_EXPECT_KR(kr, KERN_SUCCESS);
		return t1 - t0;
	case COPY_PLAIN:
	case COPY_PROXIED:
	case COPY_SHARED:
		at = (c == COPY_PLAIN ? r.plain : c == COPY_PROXIED ? r.proxied : r.shared) + page;
		t0 = guest_rdtsc();
		kr = vm_copy(r.self, at, P, at + 8 * P);
		t1 = guest_rdtsc();
		GUEST_EXPECT_KR(kr, KERN_SUCCESS);
		return t1 - t0;
	case CREATE_PROXY: {
		rpc_vm_offset_t offset = 0, start = 0;  /* stock takes offset 0 only */
		rpc_vm_size_t len = 4 * P;
		t0 = guest_rdtsc();
		kr = memory_object_create_proxy(r.self, VM_PROT_READ, &r.file.object,
						MACH_MSG_TYPE_COPY_SEND, 1, &offset, 1, &start, 1,
						&len, 1, &port);
		t1 = guest_rdtsc();
		GUEST_EXPECT_KR(kr, KERN_SUCCESS);
		GUEST_EXPECT_KR(mach_port_deallocate(r.self, port), KERN_SUCCESS);
		return t1 - t0;
	}
	case REGION_PROXY_PLAIN:
		/* Memory no proxy held before: fresh, one page written. */
		GUEST_EXPECT_KR(vm_allocate(r.self, &at, 4 * P, TRUE), KERN_SUCCESS);
		*(volatile uint64_t *)at = i;
		t0 = guest_rdtsc();
		kr = vm_region_create_proxy(r.self, at, VM_PROT_READ, P, &port);
		t1 = guest_rdtsc();
		GUEST_EXPECT_KR(kr, KERN_SUCCESS);
		GUEST_EXPECT_KR(mach_port_deallocate(r.self, port), KERN_SUCCESS);
		GUEST_EXPECT_KR(vm_deallocate(r.self, at, 4 * P), KERN_SUCCESS);
		return t1 - t0;
	case REGION_PROXY_PROXIED:
		at = r.proxied + page;
		t0 = guest_rdtsc();
		kr = vm_region_create_proxy(r.self, at, VM_PROT_READ, P, &port);
		t1 = guest_rdtsc();
		GUEST_EXPECT_KR(kr, KERN_SUCCESS);
		GUEST_EXPECT_KR(mach_port_deallocate(r.self, port), KERN_SUCCESS);
		return t1 - t0;
	case NCALLS:
		break;
	}
	guest_fail("bench_calls: no call %d", (int)c);
	return 0;
}

/*
 * A snapshot of proxied memory keeps its bytes when the memory changes
 * (both kernels); and the proxy shows the change, which stock GNU Mach
 * does not (its vm_read leaves the task's store in a shadow the proxy
 * does not see: traces/scenarios/shared-cow.scn).  Printed, for the
 * runner to require on mosaic's kernel.
 */
static void check_snapshots(void)
{
	unsigned shown = 0;

	for (unsigned k = 0; k < 4; k++) {
		vm_address_t at = r.proxied + (vm_address_t)(k * 37 % 256) * P, data = 0;
		mach_msg_type_number_t count = 0;
		uint64_t before = *(volatile uint64_t *)at;
		GUEST_EXPECT_KR(vm_read(r.self, at, P, &data, &count), KERN_SUCCESS);
		*(volatile uint64_t *)at = before ^ 0xffff;
		GUEST_CHECK(*(volatile uint64_t *)data == before);
		GUEST_EXPECT_KR(vm_deallocate(r.self, data, P), KERN_SUCCESS);
		vm_address_t m = 0;
		GUEST_EXPECT_KR(vm_map(r.self, &m, P, 0, TRUE, r.proxy, at - r.proxied, FALSE,
				       VM_PROT_READ, VM_PROT_READ, VM_INHERIT_NONE), KERN_SUCCESS);
		if (*(volatile uint64_t *)m == (before ^ 0xffff))
			shown++;
		else
			guest_printf("bench-calls: page %lu: the proxy did not show the store\n",
				     (unsigned long)((at - r.proxied) / P));
		GUEST_EXPECT_KR(vm_deallocate(r.self, m, P), KERN_SUCCESS);
	}
	guest_printf("bench-calls: snapshots kept 4 of 4; the proxy showed the store %u of 4\n",
		     shown);
}

int guest_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	r.self = mach_task_self();

	filepager_start(GUEST_PAGE_SIZE);
	r.file.size = PROXIED_SIZE;
	r.file.key = trace_content_key("calls", 5, 1);
	filepager_add(&r.file);
	{
		vm_address_t at = 0;
		GUEST_EXPECT_KR(vm_map(r.self, &at, PROXIED_SIZE, 0, TRUE, r.file.object, 0, FALSE,
				       VM_PROT_READ, VM_PROT_READ, VM_INHERIT_NONE), KERN_SUCCESS);
		for (vm_size_t p = 0; p < PROXIED_SIZE; p += P)
			(void)*(volatile unsigned char *)(at + p);
	}
	/* A page of no access on either side of proxied: else the kernel
	 * extends one entry and object for the next allocation (vm_map_enter
	 * coalesces anonymous memory), and the proxy of proxied holds plain's
	 * or src's memory too. */
	vm_address_t guard = 0;
	GUEST_EXPECT_KR(vm_allocate(r.self, &r.plain, PLAIN_SIZE, TRUE), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_allocate(r.self, &guard, P, TRUE), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_protect(r.self, guard, P, TRUE, VM_PROT_NONE), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_allocate(r.self, &r.proxied, PROXIED_SIZE, TRUE), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_allocate(r.self, &guard, P, TRUE), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_protect(r.self, guard, P, TRUE, VM_PROT_NONE), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_allocate(r.self, &r.src, P, TRUE), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_allocate(r.self, &guard, P, TRUE), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_protect(r.self, guard, P, TRUE, VM_PROT_NONE), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_allocate(r.self, &r.shared, PLAIN_SIZE, TRUE), KERN_SUCCESS);
	for (vm_size_t i = 0; i < PLAIN_SIZE; i += 8)
		*(volatile uint64_t *)(r.plain + i) = i * 0x9e3779b97f4a7c15ull;
	for (vm_size_t i = 0; i < PROXIED_SIZE; i += 8)
		*(volatile uint64_t *)(r.proxied + i) = i * 0x9e3779b97f4a7c15ull;
	for (vm_size_t i = 0; i < P; i += 8)
		*(volatile uint64_t *)(r.src + i) = i + 1;
	for (vm_size_t i = 0; i < PLAIN_SIZE; i += 8)
		*(volatile uint64_t *)(r.shared + i) = i * 3 + 1;
	/* shared: inherited shared by a child (which never runs); the rest of
	 * our memory it does not get. */
	{
		mach_port_t child = MACH_PORT_NULL;
		GUEST_EXPECT_KR(vm_inherit(r.self, r.shared, PLAIN_SIZE, VM_INHERIT_SHARE),
				KERN_SUCCESS);
		GUEST_EXPECT_KR(task_create(r.self, TRUE, &child), KERN_SUCCESS);
	}
	GUEST_EXPECT_KR(vm_region_create_proxy(r.self, r.proxied, VM_PROT_READ, PROXIED_SIZE,
					       &r.proxy), KERN_SUCCESS);

	/* Every call once before the clock (first faults, caches). */
	for (int c = 0; c < NCALLS; c++)
		(void)one((enum call)c, 0);

#ifdef BENCH_PROFILE_CALL
	/* The profiler's run (bench/kernel_profile.py --call): BENCH_PROFILE_CALLS
	 * calls of BENCH_PROFILE_CALL (an enum call) after the same set-up,
	 * between the two marks the profiler's plugin counts within, and timed
	 * as a whole.  The window holds what one() does around the call too
	 * (the undoing of what it made: vm_deallocate after vm_allocate, and so
	 * on; vm_write and vm_copy undo nothing). */
	{
		uint64_t ticks = guest_rdtsc();
		__asm__ volatile("xchg %%bx, %%bx" ::: "memory");
		for (unsigned i = 0; i < BENCH_PROFILE_CALLS; i++)
			(void)one(BENCH_PROFILE_CALL, i);
		__asm__ volatile("xchg %%bx, %%bx" ::: "memory");
		ticks = guest_rdtsc() - ticks;
		guest_printf("mosaic-bench: profile %s, %d calls, %lu ticks\n",
			     call_names[BENCH_PROFILE_CALL], BENCH_PROFILE_CALLS,
			     (unsigned long)ticks);
	}
	return 0;
#endif
	guest_printf("mosaic-bench: begin\n");
	guest_printf("round\tcall\tticks_per_call\n");
	for (int round = 0; round < ROUNDS; round++)
		for (int c = 0; c < NCALLS; c++) {
			uint64_t sum = 0;
			for (unsigned i = 0; i < CALLS; i++)
				sum += one((enum call)c, i);
			guest_printf("%d\t%s\t%lu\n", round, call_names[c],
				     (unsigned long)(sum / CALLS));
		}
	guest_printf("mosaic-bench: end\n");
	check_snapshots();
	return 0;
}

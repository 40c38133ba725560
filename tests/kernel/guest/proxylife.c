/*
 * proxylife.c: the lifetime of proxy memory objects on the kernel with
 * mosaic built in.
 *
 * A proxy lives until its port has no senders; then the kernel's
 * no-senders notification destroys it, which drops its references on the
 * objects it was made of.  What was made from a proxy lives on without it:
 * a mapping holds the objects, a proxy nested over it holds its segments.
 *
 *   churn      many proxies of memory that is then deallocated, each
 *              dropped at once: if a dropped proxy kept its objects, their
 *              pages would never come back (vm_statistics' free count);
 *   mapping    a proxy mapped, then the proxy and the original memory
 *              dropped: the mapping still holds the bytes;
 *   nested     a proxy of a proxy, the inner one dropped: the outer one
 *              still maps the bytes;
 *   dead name  a proxy port whose last right went is gone.
 *
 * One line per case, `proxylife: <case>: ... ok'.
 */
#include "guest.h"

#include "mach.user.h"
#include "mach4.user.h"
#include "mach_port.user.h"

const char guest_name[] = MOSAIC_GUEST_NAME;

#define P               GUEST_PAGE_SIZE
#define CHURN_PAGES     64
#define CHURN_ROUNDS    200     /* 200 * 64 pages: 50 MiB if they leaked */

static unsigned char byte_at(vm_size_t k)
{
	return (unsigned char)(k * 13u + (k >> 12) + 0x31);
}

static void fill(vm_address_t a, vm_size_t n)
{
	volatile unsigned char *p = (volatile unsigned char *)a;

	for (vm_size_t k = 0; k < n; k += 64)
		p[k] = byte_at(k);
}

static void check(const char *what, vm_address_t a, vm_size_t n)
{
	const volatile unsigned char *p = (const volatile unsigned char *)a;

	for (vm_size_t k = 0; k < n; k += 64)
		if (p[k] != byte_at(k))
			guest_fail("%s: byte %lu is 0x%x, expected 0x%x", what,
				   (unsigned long)k, p[k], byte_at(k));
}

static integer_t free_pages(void)
{
	vm_statistics_data_t s;

	GUEST_EXPECT_KR(vm_statistics(mach_task_self(), &s), KERN_SUCCESS);
	return s.free_count;
}

/* A region of n pages, filled, and a read-write proxy of all of it. */
static mach_port_t region_proxy(vm_size_t n, vm_address_t *addr)
{
	mach_port_t proxy = MACH_PORT_NULL;

	*addr = 0;
	GUEST_EXPECT_KR(vm_allocate(mach_task_self(), addr, n, TRUE), KERN_SUCCESS);
	fill(*addr, n);
	GUEST_EXPECT_KR(vm_region_create_proxy(mach_task_self(), *addr,
					       VM_PROT_READ | VM_PROT_WRITE, n, &proxy),
			KERN_SUCCESS);
	return proxy;
}

/* A read-write proxy of [0, n) of object. */
static mach_port_t proxy_of(mach_port_t object, vm_size_t n)
{
	mach_port_t proxy = MACH_PORT_NULL;
	rpc_vm_offset_t zero = 0;
	rpc_vm_size_t len = n;

	GUEST_EXPECT_KR(memory_object_create_proxy(mach_task_self(),
						   VM_PROT_READ | VM_PROT_WRITE,
						   &object, MACH_MSG_TYPE_COPY_SEND, 1,
						   &zero, 1, &zero, 1, &len, 1, &proxy),
			KERN_SUCCESS);
	return proxy;
}

static vm_address_t map_proxy(mach_port_t proxy, vm_size_t n)
{
	vm_address_t at = 0;

	GUEST_EXPECT_KR(vm_map(mach_task_self(), &at, n, 0, TRUE, proxy, 0, FALSE,
			       VM_PROT_READ | VM_PROT_WRITE, VM_PROT_READ | VM_PROT_WRITE,
			       VM_INHERIT_NONE), KERN_SUCCESS);
	return at;
}

static void test_churn(void)
{
	integer_t before, after;
	vm_address_t a;

	/* One round first, so that what a round allocates once (map
	 * entries, kernel caches) is there before counting. */
	for (int warm = 0; warm < 2; warm++) {
		mach_port_t p = region_proxy(CHURN_PAGES * P, &a);
		mach_port_t q = proxy_of(p, CHURN_PAGES * P);
		GUEST_EXPECT_KR(vm_deallocate(mach_task_self(), a, CHURN_PAGES * P),
				KERN_SUCCESS);
		GUEST_EXPECT_KR(mach_port_deallocate(mach_task_self(), q), KERN_SUCCESS);
		GUEST_EXPECT_KR(mach_port_deallocate(mach_task_self(), p), KERN_SUCCESS);
	}
	before = free_pages();
	for (int i = 0; i < CHURN_ROUNDS; i++) {
		mach_port_t p = region_proxy(CHURN_PAGES * P, &a);
		mach_port_t q = proxy_of(p, CHURN_PAGES * P);
		GUEST_EXPECT_KR(vm_deallocate(mach_task_self(), a, CHURN_PAGES * P),
				KERN_SUCCESS);
		GUEST_EXPECT_KR(mach_port_deallocate(mach_task_self(), p), KERN_SUCCESS);
		GUEST_EXPECT_KR(mach_port_deallocate(mach_task_self(), q), KERN_SUCCESS);
	}
	after = free_pages();
	guest_printf("proxylife: churn: %d rounds of %d pages, free pages %d before, %d after\n",
		     CHURN_ROUNDS, CHURN_PAGES, (int)before, (int)after);
	/* Leaked, the rounds would hold CHURN_ROUNDS * CHURN_PAGES pages. */
	if (before - after > CHURN_PAGES * 4)
		guest_fail("churn: %d pages did not come back", (int)(before - after));
	guest_printf("proxylife: churn: every dropped proxy gave its pages back ok\n");
}

static void test_mapping_outlives_proxy(void)
{
	vm_address_t a, m;
	mach_port_t p = region_proxy(4 * P, &a);

	m = map_proxy(p, 4 * P);
	GUEST_EXPECT_KR(mach_port_deallocate(mach_task_self(), p), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_deallocate(mach_task_self(), a, 4 * P), KERN_SUCCESS);
	check("mapping after its proxy and region went", m, 4 * P);
	fill(m, 4 * P);
	check("mapping written after its proxy went", m, 4 * P);
	GUEST_EXPECT_KR(vm_deallocate(mach_task_self(), m, 4 * P), KERN_SUCCESS);
	guest_printf("proxylife: mapping: outlives its proxy and the region ok\n");
}

static void test_nested_outlives_inner(void)
{
	vm_address_t a, m;
	mach_port_t p = region_proxy(2 * P, &a);
	mach_port_t q = proxy_of(p, 2 * P);

	GUEST_EXPECT_KR(mach_port_deallocate(mach_task_self(), p), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_deallocate(mach_task_self(), a, 2 * P), KERN_SUCCESS);
	m = map_proxy(q, 2 * P);
	check("proxy of a dropped proxy", m, 2 * P);
	GUEST_EXPECT_KR(mach_port_deallocate(mach_task_self(), q), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_deallocate(mach_task_self(), m, 2 * P), KERN_SUCCESS);
	guest_printf("proxylife: nested: outlives the proxy it was made of ok\n");
}

static void test_dead_name(void)
{
	vm_address_t a, at = 0;
	mach_port_t p = region_proxy(P, &a);
	mach_port_type_t type = 0;

	GUEST_EXPECT_KR(mach_port_deallocate(mach_task_self(), p), KERN_SUCCESS);
	GUEST_EXPECT_KR(mach_port_type(mach_task_self(), p, &type), KERN_INVALID_NAME);
	GUEST_EXPECT_KR(vm_map(mach_task_self(), &at, P, 0, TRUE, p, 0, FALSE, VM_PROT_READ,
			       VM_PROT_READ, VM_INHERIT_NONE), MACH_SEND_INVALID_RIGHT);
	GUEST_EXPECT_KR(vm_deallocate(mach_task_self(), a, P), KERN_SUCCESS);
	guest_printf("proxylife: dead name: the name is gone with the last right ok\n");
}

int guest_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	test_churn();
	test_mapping_outlives_proxy();
	test_nested_outlives_inner();
	test_dead_name();
	return 0;
}

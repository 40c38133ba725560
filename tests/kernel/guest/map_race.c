/*
 * map_race.c: vm_map of a proxy of several pieces while another thread of
 * the task tries to allocate inside the window.
 *
 * The proxy has three pieces of one region and two holes between them:
 *
 *   proxy offset  0   1p   2p   3p   4p   5p
 *                 a0  hole a2   hole a3
 *
 * The first thread maps it at a fixed address W over and over, checks the
 * mapping and deallocates it.  The second tries, as fast as it can,
 * vm_allocate at W + 2p (where the second piece goes), and frees the page
 * when it gets it.  GNU Mach's vm_map of such a proxy makes one entry per
 * piece.  Entering them one by one (the window reserved, then each part
 * removed and entered again) leaves moments, inside one vm_map call, when
 * a part of the window is free; the other thread, on another processor,
 * can take it.  mosaic's vm_map enters the pieces with the map locked
 * throughout (vm_map_enter_pieces, mach-port/gnumach/vm_map_proxy.c).
 *
 * What may happen: the second thread gets W + 2p before the call reserves
 * the window (the call then fails with KERN_NO_SPACE and leaves nothing),
 * or never during it.  What must not: within one call, W + 2p first taken
 * (the allocation fails) and then free (it succeeds).  The calls are told
 * apart by a generation count, odd while a call runs.  Checked for every
 * mapping that succeeds: each piece shows its page of the region (its
 * first byte, the whole page every 64th time); vm_region at each hole
 * answers a region with no access starting there, one page long.
 *
 * Run with -smp 2 (make kernel-check NCPUS=2) to race on two processors:
 * there it also fails if the other thread never tried during a call.  On
 * one processor the threads interleave inside a call only when a timer
 * interrupt happens to switch them, so there the count is reported, not
 * required.
 */
#include "guest.h"
#include "mach.user.h"
#include "mach4.user.h"
#include "mach_host.user.h"
#include "mach_port.user.h"

const char guest_name[] = MOSAIC_GUEST_NAME;

#define P               GUEST_PAGE_SIZE
#define WINDOW          (5 * P)
#define MAPPINGS        4000

static vm_address_t W;                  /* the window's fixed address */
static volatile unsigned long gen;      /* odd while a vm_map call runs */
static volatile int stop;
static volatile unsigned long got_early, got_inside, tries;
static unsigned char stack[64 * 1024] __attribute__((aligned(16)));

static unsigned char pattern(unsigned page, vm_size_t k)
{
	return (unsigned char)(page * 37 + k * 7 + 1);
}

static void allocator(void *arg)
{
	mach_port_t self = mach_task_self();
	unsigned long taken_in = 0;     /* the call in which W + 2p was seen taken */
	(void)arg;

	while (!stop) {
		unsigned long g = gen;
		if (!(g & 1))
			continue;
		vm_address_t x = W + 2 * P;
		kern_return_t kr = vm_allocate(self, &x, P, FALSE);
		if (kr == KERN_SUCCESS)
			(void)vm_deallocate(self, x, P);
		if (gen != g)
			continue;       /* the call ended meanwhile: nothing learnt */
		tries++;
		if (kr == KERN_NO_SPACE)
			taken_in = g;
		else if (kr == KERN_SUCCESS && taken_in == g)
			got_inside++;
		else if (kr == KERN_SUCCESS)
			got_early++;
	}
}

static void check_hole(vm_address_t at)
{
	vm_address_t a = at;
	vm_size_t size;
	vm_prot_t prot, maxprot;

	GUEST_EXPECT_KR(guest_region(&a, &size, &prot, &maxprot), KERN_SUCCESS);
	if (a != at || size != P || prot != VM_PROT_NONE || maxprot != VM_PROT_NONE)
		guest_fail("map-race: the hole at %p is a region at %p of %lu bytes, "
			   "protection %d/%d", (void *)at, (void *)a, (unsigned long)size,
			   (int)prot, (int)maxprot);
}

int guest_main(int argc, char **argv)
{
	mach_port_t self = mach_task_self(), ra, q, th;
	vm_address_t a = 0;
	(void)argc, (void)argv;

	GUEST_EXPECT_KR(vm_allocate(self, &a, 4 * P, TRUE), KERN_SUCCESS);
	for (unsigned pg = 0; pg < 4; pg++)
		for (vm_size_t k = 0; k < P; k++)
			((unsigned char *)a)[pg * P + k] = pattern(pg, k);
	GUEST_EXPECT_KR(vm_region_create_proxy(self, a, VM_PROT_READ | VM_PROT_WRITE, 4 * P, &ra),
			KERN_SUCCESS);
	{
		mach_port_t obj[3] = { ra, ra, ra };
		rpc_vm_offset_t off[3] = { 0, 2 * P, 4 * P };   /* in the proxy */
		rpc_vm_offset_t start[3] = { 0, 2 * P, 3 * P }; /* in the region */
		rpc_vm_size_t len[3] = { P, P, P };
		GUEST_EXPECT_KR(memory_object_create_proxy(self, VM_PROT_READ | VM_PROT_WRITE, obj,
							   MACH_MSG_TYPE_COPY_SEND, 3, off, 3,
							   start, 3, len, 3, &q), KERN_SUCCESS);
	}

	/* A place for the window. */
	GUEST_EXPECT_KR(vm_allocate(self, &W, WINDOW, TRUE), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_deallocate(self, W, WINDOW), KERN_SUCCESS);

	GUEST_EXPECT_KR(guest_thread_start(allocator, NULL, stack, sizeof stack, &th),
			KERN_SUCCESS);
	static const unsigned piece_at[3] = { 0, 2, 4 }, piece_page[3] = { 0, 2, 3 };
	unsigned mapped = 0, no_space = 0;
	for (unsigned i = 0; i < MAPPINGS; i++) {
		vm_address_t w = W;
		gen++;
		kern_return_t kr = vm_map(self, &w, WINDOW, 0, FALSE, q, 0, FALSE,
					  VM_PROT_READ, VM_PROT_READ | VM_PROT_WRITE, VM_INHERIT_NONE);
		gen++;
		if (kr == KERN_NO_SPACE) {
			no_space++;
			continue;
		}
		if (kr != KERN_SUCCESS)
			guest_fail("map-race: mapping %u: vm_map of the proxy: %s", i,
				   guest_kr_name(kr));
		mapped++;
		for (unsigned p = 0; p < 3; p++) {
			const unsigned char *b = (const unsigned char *)(w + piece_at[p] * P);
			vm_size_t n = i % 64 == 0 ? P : 1;
			for (vm_size_t k = 0; k < n; k++)
				if (b[k] != pattern(piece_page[p], k))
					guest_fail("map-race: mapping %u: piece %u byte %lu is %u, "
						   "want %u", i, p, (unsigned long)k, b[k],
						   pattern(piece_page[p], k));
		}
		check_hole(w + P);
		check_hole(w + 3 * P);
		GUEST_EXPECT_KR(vm_deallocate(self, w, WINDOW), KERN_SUCCESS);
	}
	stop = 1;
	guest_sleep_ms(50);
	guest_printf("map-race: %u vm_map calls of a window of 3 pieces and 2 holes: %u whole, "
		     "%u KERN_NO_SPACE; the other thread tried %lu times during a call, got the "
		     "page before the call reserved it %lu times, after %lu\n", MAPPINGS, mapped,
		     no_space, tries, got_early, got_inside);
	if (got_inside != 0)
		guest_fail("map-race: a part of the window was free after the call had reserved "
			   "it (%lu times)", got_inside);
	struct host_basic_info info;
	mach_msg_type_number_t count = HOST_BASIC_INFO_COUNT;
	GUEST_EXPECT_KR(host_info(mach_host_self(), HOST_BASIC_INFO, (host_info_t)&info, &count),
			KERN_SUCCESS);
	guest_printf("map-race: %d processor(s)\n", (int)info.avail_cpus);
	if (mapped == 0)
		guest_fail("map-race: no mapping was made");
	if (info.avail_cpus > 1 && tries == 0)
		guest_fail("map-race: two processors, and no race was run");
	return 0;
}

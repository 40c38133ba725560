/*
 * every_page.c: every page of the machine through the kernel's page cache,
 * on every processor, on a kernel of several processors
 * (kernel-smp-every-page).
 *
 * A file twice the size of the machine's memory, paged by a thread of ours
 * (filepager.c), is read by a thread per processor (at most
 * GUEST_THREADS_MAX - 1: the pager has one), each its own slice, window
 * by window (a task may map no more than the machine's memory), a byte
 * of every page checked against the file's content, EVERY_PAGE_ROUNDS
 * times.  The kernel's page cache cannot hold the file: its pageout
 * daemon takes pages back as the threads read on, so nearly every page of
 * memory is given to the file, mapped (pmap_enter), looked at by the
 * daemon (pmap_is_referenced, pmap_page_protect: its pv list walked) and
 * freed, while every processor takes page faults and timer interrupts.
 * Our own memory is wired first, so that the daemon never pages it out to
 * a default pager nobody serves; the file's pages are clean and are
 * dropped.  About 260,000 page-ins on 512 MiB: some 50 s on 8 emulated
 * processors.
 *
 * What it guards against: stock GNU Mach (970604df; still so at 40166870)
 * took each processor's descriptor tables but the first (IDT, GDT, LDT,
 * kernel TSS) from the boot-time allocator as the processor started, long
 * after biosmem_setup had handed that memory to the VM system: the tables
 * lay in pages the kernel had given to something else.  With 8 processors
 * and 512 MiB that was pmap.c's pv_head_table: IDTs over the pv list heads
 * of thousands of physical pages, and the first pv walk of such a page
 * faulted (Kernel Page fault trap in phys_attribute_clear, cr2 10000000b:
 * the pmap pointer a gate descriptor's upper half, 0xffffffff); each
 * mapping of such a page wrote a pv head into an IDT.  Which structure the
 * tables land on depends on the boot's layout (the boot modules' sizes
 * move the heap the tables come from); this guest walks the pv list of
 * nearly every page, so that any layout where they land on pv heads
 * fails, whichever pages those heads are.  The order of the reads follows
 * EVERY_PAGE_SEED (printed).  Needs a kernel of several processors:
 * kernel-test.sh skips it on one (MOSAIC_MIN_NCPUS).
 */
#include "guest.h"

#include "mach.user.h"
#include "mach_host.user.h"

#include "filepager.h"
#include "trace_content.h"

const char guest_name[] = MOSAIC_GUEST_NAME;

#ifndef EVERY_PAGE_SEED
#define EVERY_PAGE_SEED 1
#endif
#ifndef EVERY_PAGE_ROUNDS
#define EVERY_PAGE_ROUNDS 1
#endif
#ifndef EVERY_PAGE_FILE_EIGHTHS
#define EVERY_PAGE_FILE_EIGHTHS 16      /* the file: twice the memory */
#endif
#define P GUEST_PAGE_SIZE
/* A task may map no more than the machine's memory (vm_map.c's
 * size_cur_limit): the file is read through windows of this many pages. */
#define WINDOW_PAGES 1024

struct reader {
	uint64_t rng;
	vm_size_t first, pages;         /* its slice of the file, in pages */
	uint64_t read;                  /* pages read and checked */
	volatile int done;
	unsigned char stack[16 * 1024] __attribute__((aligned(16)));
};

static struct fp_file file;
static struct reader readers[GUEST_THREADS_MAX - 1];

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Each round: the slice's windows in an order the seed chose (from a
 * window it chose, forwards or backwards), each mapped, its pages read in
 * order, one byte of each (at an offset the seed chose) checked, and
 * unmapped.  The file's memory object stays (the pager made it cacheable),
 * and with it its pages, until the pageout daemon takes them. */
static void reader_main(void *arg)
{
	struct reader *r = arg;
	mach_port_t self = mach_task_self();
	vm_size_t windows = (r->pages + WINDOW_PAGES - 1) / WINDOW_PAGES;

	for (unsigned round = 0; round < EVERY_PAGE_ROUNDS; round++) {
		uint64_t how = rnd(&r->rng);
		vm_size_t start = (vm_size_t)(how % windows);
		bool back = (how >> 32) & 1;
		for (vm_size_t k = 0; k < windows; k++) {
			vm_size_t w = (start + k) % windows;
			if (back)
				w = windows - 1 - w;
			vm_size_t first = r->first + w * WINDOW_PAGES;
			vm_size_t n = r->pages - w * WINDOW_PAGES;
			if (n > WINDOW_PAGES)
				n = WINDOW_PAGES;
			vm_address_t at = 0;
			GUEST_EXPECT_KR(vm_map(self, &at, n * P, 0, TRUE, file.object, first * P,
					       FALSE, VM_PROT_READ, VM_PROT_READ, VM_INHERIT_NONE),
					KERN_SUCCESS);
			for (vm_size_t i = 0; i < n; i++) {
				vm_size_t x = rnd(&r->rng) % P;
				unsigned char got = ((volatile unsigned char *)at)[i * P + x];
				uint64_t off = (first + i) * P + x;
				if (got != trace_content_byte(file.key, off))
					guest_fail("round %u: the file's byte %lu reads 0x%x, "
						   "not 0x%x", round, (unsigned long)off, got,
						   trace_content_byte(file.key, off));
				r->read++;
			}
			GUEST_EXPECT_KR(vm_deallocate(self, at, n * P), KERN_SUCCESS);
		}
	}
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
}

/* Wires every region of ours there is now (code, data, stacks, the
 * runtime's buffers): the pageout daemon then leaves them alone. */
static void wire_ourselves(void)
{
	vm_address_t addr = 0;
	vm_size_t size;
	vm_prot_t prot, maxprot;

	while (guest_region(&addr, &size, &prot, &maxprot) == KERN_SUCCESS) {
		if (prot != VM_PROT_NONE)
			GUEST_EXPECT_KR(vm_wire(guest_host_priv(), mach_task_self(), addr, size,
						prot), KERN_SUCCESS);
		if (addr + size < addr)
			break;
		addr += size;
	}
}

int guest_main(int argc, char **argv)
{
	mach_port_t self = mach_task_self();
	struct host_basic_info info;
	mach_msg_type_number_t n = HOST_BASIC_INFO_COUNT;
	uint64_t rng = (uint64_t)EVERY_PAGE_SEED * 0x2545f4914f6cdd1dull + 1;

	(void)argc, (void)argv;
	GUEST_EXPECT_KR(host_info(mach_host_self(), HOST_BASIC_INFO, (host_info_t)&info, &n),
			KERN_SUCCESS);
	unsigned threads = info.avail_cpus < GUEST_THREADS_MAX - 1 ? (unsigned)info.avail_cpus
								   : GUEST_THREADS_MAX - 1;
	vm_size_t pages = (vm_size_t)(EVERY_PAGE_FILE_EIGHTHS * (uint64_t)info.memory_size / 8 / P);
	guest_printf("every-page: seed %u (EVERY_PAGE_SEED), %d processors, %lu MiB; "
		     "a file of %lu pages read %u times by %u threads\n",
		     (unsigned)EVERY_PAGE_SEED, info.avail_cpus,
		     (unsigned long)(info.memory_size >> 20), (unsigned long)pages,
		     (unsigned)EVERY_PAGE_ROUNDS, threads);
	if (info.avail_cpus < 2)
		guest_fail("the kernel has %d processor(s): this test needs several",
			   info.avail_cpus);

	filepager_start(P);
	wire_ourselves();
	file.size = (uint64_t)pages * P;
	file.key = trace_content_key("every-page", 10, EVERY_PAGE_SEED);
	filepager_add(&file);

	for (unsigned t = 0; t < threads; t++) {
		struct reader *r = &readers[t];
		mach_port_t thread;
		r->first = pages / threads * t;
		r->pages = t + 1 < threads ? pages / threads : pages - r->first;
		r->rng = rnd(&rng) | 1;
		GUEST_EXPECT_KR(guest_thread_start(reader_main, r, r->stack, sizeof r->stack,
						   &thread), KERN_SUCCESS);
		(void)thread;
	}
	for (unsigned t = 0, s = 0; t < threads; s++) {
		if (__atomic_load_n(&readers[t].done, __ATOMIC_ACQUIRE)) {
			t++;
			continue;
		}
		guest_sleep_ms(100);
		if (s % 100 == 99) {
			uint64_t read = 0;
			for (unsigned k = 0; k < threads; k++)
				read += readers[k].read;
			guest_printf("every-page: %lu pages read, %lu paged in\n",
				     (unsigned long)read, (unsigned long)filepager_pageins());
		}
	}
	uint64_t read = 0;
	for (unsigned t = 0; t < threads; t++)
		read += readers[t].read;
	vm_statistics_data_t vs;
	GUEST_EXPECT_KR(vm_statistics(self, &vs), KERN_SUCCESS);
	guest_printf("every-page: %lu pages read and checked, %lu paged in; the kernel: %u "
		     "faults, %u pageins, %u reactivations\n", (unsigned long)read,
		     (unsigned long)filepager_pageins(), (unsigned)vs.faults,
		     (unsigned)vs.pageins, (unsigned)vs.reactivations);
	return 0;
}

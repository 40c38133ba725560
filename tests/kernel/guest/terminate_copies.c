/*
 * terminate_copies.c: copies into a task that is terminated under them,
 * the regression test of the kernel assertion make kernel-stress found
 * (mach-port/README.md, "Several processors and stress"):
 *
 *   vm_object.c:555: vm_object_terminate: Assertion `(shadow_object->copy
 *   == object) || (shadow_object->copy == VM_OBJECT_NULL)' failed.
 *
 * One copier thread, over and over, on the current victim task's buffer:
 * vm_copy_from_object into it (from a proxy of anonymous memory, or from a file a
 * pager thread answers, 30% of requests 2 ms late), vm_copy_between_objects into
 * a write-only proxy of a page of it (vm_region_create_proxy), and vm_read
 * of it; the first thread makes a new victim every 20 ms and terminates the
 * old one, 400 times.  Before the fix (region proxies now give the
 * entries objects of their own first, as vm_map_fork does for memory
 * inherited shared) it failed within seconds on one processor: a vm_read
 * clipped the buffer's entry and left part of its object copy-on-write,
 * the proxy of the page beside it made that object use delayed copies,
 * and a store into the first part shadowed it while it had a copy object.
 * traces/scenarios/shared-cow.scn (rproxy-beside-a-copy) is the same
 * sequence without threads.
 */
#include "guest.h"
#include "mach.user.h"
#include "mach4.user.h"
#include "mach_port.user.h"
#include "experimental.user.h"
#include "filepager.h"
#include "trace_content.h"

const char guest_name[] = MOSAIC_GUEST_NAME;
#define P GUEST_PAGE_SIZE
static volatile mach_port_t cur_v;
static volatile vm_address_t cur_buf;
static mach_port_t file_ro, pf_ro;
static struct fp_file pf;
static unsigned char stack[64 * 1024] __attribute__((aligned(16)));
static volatile unsigned long done_ops;

static void copier(void *arg)
{
	uint64_t r = 88172645463325252ull;
	(void)arg;
	for (;;) {
		mach_port_t v = cur_v, dst;
		vm_address_t buf = cur_buf;
		vm_size_t count;
		vm_offset_t data;
		mach_msg_type_number_t n;
		r ^= r << 13; r ^= r >> 7; r ^= r << 17;
		vm_size_t off = (vm_size_t)(r % 6) * P + (r >> 8) % 100;
		mach_port_t src = (r >> 20) & 1 ? file_ro : pf_ro;
		switch ((r >> 24) % 3) {
		case 0:
			(void)vm_copy_from_object(v, buf + off, P, (r >> 21) & 1 ? file_ro : pf.object, 0, &count);
			break;
		case 1:
			if (vm_region_create_proxy(v, buf + off, VM_PROT_WRITE, P, &dst) == KERN_SUCCESS) {
				(void)vm_copy_between_objects(src, 5, dst, 0, P, &count);
				(void)mach_port_deallocate(mach_task_self(), dst);
			}
			break;
		default:
			if (vm_read(v, buf + (off & ~(P - 1)), P, &data, &n) == KERN_SUCCESS)
				(void)vm_deallocate(mach_task_self(), data, n);
		}
		done_ops++;
	}
}

int guest_main(int argc, char **argv)
{
	mach_port_t self = mach_task_self(), th, v;
	vm_address_t file, buf;
	(void)argc, (void)argv;
	GUEST_EXPECT_KR(vm_allocate(self, &file, 16 * P, TRUE), KERN_SUCCESS);
	memset((void *)file, 7, 16 * P);
	GUEST_EXPECT_KR(vm_region_create_proxy(self, file, VM_PROT_READ, 16 * P, &file_ro), KERN_SUCCESS);
	filepager_start(P);
	pf.size = 16 * P;
	pf.key = trace_content_key("r", 1, 1);
	filepager_add(&pf);
	filepager_misbehave(1, 30, 2, 0);
	{
		mach_port_t o = pf.object;
		rpc_vm_offset_t z = 0;
		rpc_vm_size_t whole = 16 * P;
		GUEST_EXPECT_KR(memory_object_create_proxy(self, VM_PROT_READ, &o, MACH_MSG_TYPE_COPY_SEND, 1, &z, 1, &z, 1, &whole, 1, &pf_ro), KERN_SUCCESS);
	}
	GUEST_EXPECT_KR(task_create(self, FALSE, &v), KERN_SUCCESS);
	buf = 0;
	GUEST_EXPECT_KR(vm_allocate(v, &buf, 8 * P, TRUE), KERN_SUCCESS);
	cur_buf = buf; cur_v = v;
	GUEST_EXPECT_KR(guest_thread_start(copier, NULL, stack, sizeof stack, &th), KERN_SUCCESS);
	for (int round = 0; round < 400; round++) {
		guest_sleep_ms(20);
		mach_port_t old = cur_v;
		GUEST_EXPECT_KR(task_create(self, FALSE, &v), KERN_SUCCESS);
		buf = 0;
		GUEST_EXPECT_KR(vm_allocate(v, &buf, 8 * P, TRUE), KERN_SUCCESS);
		cur_buf = buf; cur_v = v;
		GUEST_EXPECT_KR(task_terminate(old), KERN_SUCCESS);
	}
	guest_printf("repro: 400 terminations, %lu copies\n", done_ops);
	return 0;
}

/*
 * error_flush.c: a page a pager answered with an error, flushed before the
 * thread that asked for it runs again.
 *
 * make kernel-stress found, on the kernel with mosaic:
 *
 *   memory_object.c:454: memory_object_lock_page: Assertion
 *   `!m->fictitious' failed.
 *
 * The state is stock GNU Mach's: a fault on an object with a pager waits
 * on a fictitious placeholder page (busy, absent); memory_object_data_error
 * makes it error, not busy, not absent, still fictitious, and wakes the
 * faulting thread, which frees it when it runs.  A flush
 * (memory_object_lock_request) in between meets a page
 * memory_object_lock_page asserts cannot be there.  Here the pager itself
 * flushes the page right after its error answer (filepager_flush_after_
 * errors), so on one processor the flush usually comes first.
 *
 * The faulting thread is this one: mach_msg with the message in a page of
 * the paged file, whose copy-in faults in the kernel (stock interfaces
 * only, no exception to handle); a page in error makes the send fail with
 * MACH_SEND_INVALID_DATA.  ROUNDS rounds; in each the pager answers with an
 * error and flushes once.  When the flush met the page, the faulting thread
 * finds it gone and asks again, and the second error stands: two error
 * answers in that round, one otherwise.
 *
 * On the reference kernel (stock) this panics with the assertion above in
 * the first round the flush wins (kernel-stock-panic-error-flush).  The
 * kernel with mosaic carries the fix (mach-port/series/02-error-page.edit): a
 * page in error holds no data, so memory_object_lock_page is done with it,
 * and a flush frees it.  There the guest passes, every round failing the
 * send with MACH_SEND_INVALID_DATA, and it fails if the flush never won
 * (the race not run).
 */
#include "guest.h"
#include "mach.user.h"
#include "mach_port.user.h"
#include "filepager.h"
#include "trace_content.h"

const char guest_name[] = MOSAIC_GUEST_NAME;

#define P       GUEST_PAGE_SIZE
#define ROUNDS  32

int guest_main(int argc, char **argv)
{
	mach_port_t self = mach_task_self(), dest;
	struct fp_file f;
	vm_address_t at = 0;
	unsigned flush_won = 0;
	(void)argc, (void)argv;

	filepager_start(P);
	f.size = P;
	f.key = trace_content_key("error-flush", 11, 1);
	filepager_add(&f);
	filepager_misbehave(1, 0, 0, 100);      /* every answer an error */
	GUEST_EXPECT_KR(vm_map(self, &at, P, 0, TRUE, f.object, 0, FALSE, VM_PROT_READ,
			       VM_PROT_READ, VM_INHERIT_NONE), KERN_SUCCESS);
	GUEST_EXPECT_KR(mach_port_allocate(self, MACH_PORT_RIGHT_RECEIVE, &dest), KERN_SUCCESS);

	for (unsigned round = 0; round < ROUNDS; round++) {
		uint64_t before = filepager_errors();
		mach_msg_return_t mr;

		filepager_flush_after_errors(1);
		guest_printf("error-flush: round %u: the pager answers with an error and flushes\n",
			     round);
		guest_flush();
		/* The header is the page's: the kernel's copy-in faults on it. */
		mr = mach_msg_trap((mach_msg_header_t *)at, MACH_SEND_MSG, 64, 0, MACH_PORT_NULL,
				   MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
		if (mr != MACH_SEND_INVALID_DATA)
			guest_fail("error-flush: round %u: mach_msg from a page in error: %s, "
				   "want MACH_SEND_INVALID_DATA", round, guest_kr_name(mr));
		uint64_t answers = filepager_errors() - before;
		if (answers != 1 && answers != 2)
			guest_fail("error-flush: round %u: %lu error answers, want 1 or 2", round,
				   (unsigned long)answers);
		flush_won += answers == 2;
	}
	guest_printf("error-flush: %u rounds, MACH_SEND_INVALID_DATA in each; the flush met "
		     "the page in error in %u\n", ROUNDS, flush_won);
	if (flush_won == 0)
		guest_fail("error-flush: the flush never came before the faulting thread: the race "
			   "was not run");
	return 0;
}

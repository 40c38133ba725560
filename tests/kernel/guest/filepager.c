/*
 * filepager.c: files as memory objects, paged by a thread of this task
 * (see filepager.h).
 */
#include "filepager.h"

#include <mach/memory_object.h>

#include "mach.user.h"
#include "mach_port.user.h"
#include "memory_object.server.h"

#include "trace_content.h"

/* MIG's demux routine for memory_object.defs, which its header does not
 * declare. */
boolean_t seqnos_memory_object_server(mach_msg_header_t *in, mach_msg_header_t *out);

#define P GUEST_PAGE_SIZE
#define FILES_MAX 4096                  /* the trace format's limit */

static struct {
	mach_port_t self;
	mach_port_t set;                /* every file's object */
	mach_port_t lock_reply;         /* memory_object_lock_completed comes here */
	/* The files by their object's port name: open addressing. */
	struct fp_file *by_port[2 * FILES_MAX];
	unsigned nfiles;
	/* The staged answers: pages [stage_first, + stage_pages) of one file. */
	vm_address_t stage;
	vm_size_t stage_room;
	const struct fp_file *stage_file;
	uint64_t stage_first, stage_pages;
	uint64_t pageins, pageins_staged;
	/* Misbehaviour (filepager_misbehave). */
	uint64_t rng;
	unsigned late_pct, late_ms, error_pct;
	uint64_t late, errors;
	unsigned flush_after_errors;    /* filepager_flush_after_errors */
} fp;

/* The pager's page for an answer it was not staged for. */
static unsigned char fp_page[4096] __attribute__((aligned(4096)));
static unsigned char fp_stack[64 * 1024] __attribute__((aligned(16)));

static unsigned slot(mach_port_t name)
{
	return (unsigned)((name * 2654435761u) >> 16) % (2 * FILES_MAX);
}

static struct fp_file *file_of(mach_port_t name, const char *call)
{
	for (unsigned i = slot(name), n = 0; n < 2 * FILES_MAX && fp.by_port[i] != NULL;
	     i = (i + 1) % (2 * FILES_MAX), n++)
		if (fp.by_port[i]->object == name)
			return fp.by_port[i];
	guest_fail("pager: %s for port %u, which is no file", call, name);
}

/* The bytes of one page of f: staged, or computed now. */
static vm_address_t page_bytes(const struct fp_file *f, vm_offset_t offset)
{
	if (f == fp.stage_file && offset >= fp.stage_first &&
	    offset - fp.stage_first < fp.stage_pages * P) {
		fp.pageins_staged++;
		return fp.stage + (offset - fp.stage_first);
	}
	uint64_t n = offset < f->size ? f->size - offset : 0;
	if (n > P)
		n = P;
	trace_content_fill(f->key, offset, fp_page, (size_t)n);
	memset(fp_page + n, 0, P - n);
	return (vm_address_t)fp_page;
}

kern_return_t seqnos_memory_object_init(mach_port_t memory_object, mach_port_seqno_t seqno,
					mach_port_t control, mach_port_t name,
					vm_size_t page_size)
{
	struct fp_file *f = file_of(memory_object, "memory_object_init");
	kern_return_t kr;

	(void)seqno;
	if (f->control != MACH_PORT_NULL)
		guest_fail("pager: memory_object_init of a file already initialized");
	if (page_size != P)
		guest_fail("pager: page size %lu", (unsigned long)page_size);
	(void)mach_port_deallocate(fp.self, name);
	/* Cached: the kernel keeps the pages while the object lives. */
	kr = memory_object_ready(control, TRUE, MEMORY_OBJECT_COPY_DELAY);
	if (kr != KERN_SUCCESS)
		guest_fail("pager: memory_object_ready: %s", guest_kr_name(kr));
	f->control = control;
	return KERN_SUCCESS;
}

kern_return_t seqnos_memory_object_terminate(mach_port_t memory_object,
					     mach_port_seqno_t seqno, mach_port_t control,
					     mach_port_t name)
{
	(void)memory_object, (void)seqno, (void)control, (void)name;
	guest_fail("pager: memory_object_terminate: the files must live as long as the guest");
}

kern_return_t seqnos_memory_object_copy(mach_port_t old_memory_object,
					mach_port_seqno_t seqno, mach_port_t old_control,
					vm_offset_t offset, vm_size_t length,
					mach_port_t new_memory_object)
{
	(void)old_memory_object, (void)seqno, (void)old_control, (void)offset;
	(void)length, (void)new_memory_object;
	guest_fail("pager: unexpected vm_copy_between_objects");
}

kern_return_t seqnos_memory_object_data_request(mach_port_t memory_object,
						mach_port_seqno_t seqno, mach_port_t control,
						vm_offset_t offset, vm_size_t length,
						vm_prot_t desired_access)
{
	struct fp_file *f = file_of(memory_object, "memory_object_data_request");

	(void)seqno, (void)control, (void)desired_access;
	if (offset % P != 0 || length % P != 0 || length == 0)
		guest_fail("pager: data request offset %lu length %lu", (unsigned long)offset,
			   (unsigned long)length);
	for (vm_size_t done = 0; done < length; done += P) {
		kern_return_t kr;
		unsigned roll = 100;
		if (fp.late_pct + fp.error_pct != 0) {
			fp.rng ^= fp.rng << 13;
			fp.rng ^= fp.rng >> 7;
			fp.rng ^= fp.rng << 17;
			roll = (unsigned)(fp.rng % 100);
		}
		if (roll < fp.late_pct) {
			fp.late++;
			guest_sleep_ms(fp.late_ms);
		}
		if (roll >= fp.late_pct && roll < fp.late_pct + fp.error_pct) {
			fp.errors++;
			kr = memory_object_data_error(f->control, offset + done, P, KERN_MEMORY_ERROR);
			if (kr == KERN_SUCCESS && fp.flush_after_errors > 0) {
				fp.flush_after_errors--;
				kr = memory_object_lock_request(f->control, offset + done, P,
								MEMORY_OBJECT_RETURN_NONE, TRUE,
								VM_PROT_NO_CHANGE, MACH_PORT_NULL);
			}
		} else if (offset + done >= guest_round_page(f->size))
			kr = memory_object_data_error(f->control, offset + done, P,
						      KERN_MEMORY_ERROR);
		else
			kr = memory_object_data_supply(f->control, offset + done,
						       page_bytes(f, offset + done), P, FALSE,
						       VM_PROT_NONE, FALSE, MACH_PORT_NULL);
		if (kr != KERN_SUCCESS)
			guest_fail("pager: answering a data request: %s", guest_kr_name(kr));
		fp.pageins++;
	}
	return KERN_SUCCESS;
}

kern_return_t seqnos_memory_object_data_unlock(mach_port_t memory_object,
					       mach_port_seqno_t seqno, mach_port_t control,
					       vm_offset_t offset, vm_size_t length,
					       vm_prot_t desired_access)
{
	(void)memory_object, (void)seqno, (void)control, (void)offset, (void)length;
	(void)desired_access;
	guest_fail("pager: unexpected memory_object_data_unlock (no page is locked)");
}

kern_return_t seqnos_memory_object_lock_completed(mach_port_t memory_object,
						  mach_port_seqno_t seqno, mach_port_t control,
						  vm_offset_t offset, vm_size_t length)
{
	(void)memory_object, (void)seqno, (void)control, (void)offset, (void)length;
	guest_fail("pager: a lock completion reached the pager's ports");
}

kern_return_t seqnos_memory_object_supply_completed(mach_port_t memory_object,
						    mach_port_seqno_t seqno,
						    mach_port_t control, vm_offset_t offset,
						    vm_size_t length, kern_return_t result,
						    vm_offset_t error_offset)
{
	(void)memory_object, (void)seqno, (void)control, (void)offset, (void)length;
	(void)result, (void)error_offset;
	guest_fail("pager: unexpected memory_object_supply_completed (none asked)");
}

kern_return_t seqnos_memory_object_data_return(mach_port_t memory_object,
					       mach_port_seqno_t seqno, mach_port_t control,
					       vm_offset_t offset, vm_offset_t data,
					       mach_msg_type_number_t data_count, boolean_t dirty,
					       boolean_t kernel_copy)
{
	(void)memory_object, (void)seqno, (void)control, (void)offset, (void)dirty;
	(void)kernel_copy;
	/* The files are read only: a page coming back has the file's bytes. */
	(void)vm_deallocate(fp.self, data, data_count);
	return KERN_SUCCESS;
}

kern_return_t seqnos_memory_object_change_completed(mach_port_t memory_object,
						    mach_port_seqno_t seqno, boolean_t may_cache,
						    memory_object_copy_strategy_t copy_strategy)
{
	(void)memory_object, (void)seqno, (void)may_cache, (void)copy_strategy;
	guest_fail("pager: unexpected memory_object_change_completed");
}

static void pager_main(void *arg)
{
	(void)arg;
	guest_serve(fp.set, seqnos_memory_object_server, "pager");
}

void filepager_start(vm_size_t stage_room)
{
	mach_port_t thread;

	fp.self = mach_task_self();
	GUEST_EXPECT_KR(mach_port_allocate(fp.self, MACH_PORT_RIGHT_PORT_SET, &fp.set),
			KERN_SUCCESS);
	GUEST_EXPECT_KR(mach_port_allocate(fp.self, MACH_PORT_RIGHT_RECEIVE, &fp.lock_reply),
			KERN_SUCCESS);
	fp.stage_room = guest_round_page(stage_room);
	GUEST_EXPECT_KR(vm_allocate(fp.self, &fp.stage, fp.stage_room, TRUE), KERN_SUCCESS);
	GUEST_EXPECT_KR(guest_thread_start(pager_main, NULL, fp_stack, sizeof fp_stack, &thread),
			KERN_SUCCESS);
}

void filepager_add(struct fp_file *f)
{
	if (fp.nfiles == FILES_MAX)
		guest_fail("pager: more than %u files", FILES_MAX);
	GUEST_EXPECT_KR(mach_port_allocate(fp.self, MACH_PORT_RIGHT_RECEIVE, &f->object),
			KERN_SUCCESS);
	GUEST_EXPECT_KR(mach_port_insert_right(fp.self, f->object, f->object,
					       MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	f->control = MACH_PORT_NULL;
	unsigned i = slot(f->object);
	while (fp.by_port[i] != NULL)
		i = (i + 1) % (2 * FILES_MAX);
	fp.by_port[i] = f;
	fp.nfiles++;
	/* In the set last: no message can come before the file is known. */
	GUEST_EXPECT_KR(mach_port_move_member(fp.self, f->object, fp.set), KERN_SUCCESS);
}

void filepager_stage(struct fp_file *f, uint64_t offset, uint64_t len)
{
	uint64_t start = guest_trunc_page(offset), size = guest_round_page(offset + len) - start;

	if (size > fp.stage_room)
		guest_fail("pager: staging %lu bytes, room for %lu", (unsigned long)size,
			   (unsigned long)fp.stage_room);
	fp.stage_file = NULL;
	for (uint64_t p = 0; p < size; p += P) {
		uint64_t n = start + p < f->size ? f->size - (start + p) : 0;
		if (n > P)
			n = P;
		trace_content_fill(f->key, start + p, (uint8_t *)(uintptr_t)(fp.stage + p), (size_t)n);
		memset((void *)(uintptr_t)(fp.stage + p + n), 0, (size_t)(P - n));
	}
	fp.stage_first = start;
	fp.stage_pages = size / P;
	fp.stage_file = f;
}

void filepager_flush(struct fp_file *f, uint64_t offset, uint64_t len)
{
	uint64_t start = guest_trunc_page(offset), size = guest_round_page(offset + len) - start;
	union {
		mach_msg_header_t head;
		char space[256];
	} m;

	for (unsigned i = 0; f->control == MACH_PORT_NULL; i++) {
		if (i == 5000)
			guest_fail("pager: no memory_object_init for a file after 5 s");
		guest_sleep_ms(1);
	}
	GUEST_EXPECT_KR(memory_object_lock_request(f->control, start, size,
						   MEMORY_OBJECT_RETURN_NONE, TRUE,
						   VM_PROT_NO_CHANGE, fp.lock_reply),
			KERN_SUCCESS);
	mach_msg_return_t mr = mach_msg(&m.head, MACH_RCV_MSG, 0, sizeof m, fp.lock_reply,
					MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
	if (mr != MACH_MSG_SUCCESS)
		guest_fail("pager: waiting for memory_object_lock_completed: %s",
			   guest_kr_name(mr));
}

void filepager_misbehave(uint64_t seed, unsigned late_pct, unsigned late_ms,
			 unsigned error_pct)
{
	fp.rng = seed ? seed : 1;
	fp.late_ms = late_ms;
	fp.error_pct = error_pct;
	fp.late_pct = late_pct;
}

void filepager_flush_after_errors(unsigned n)
{
	fp.flush_after_errors = n;
}

uint64_t filepager_late(void) { return fp.late; }
uint64_t filepager_errors(void) { return fp.errors; }
uint64_t filepager_pageins(void) { return fp.pageins; }
uint64_t filepager_pageins_staged(void) { return fp.pageins_staged; }

/*
 * pager.c: fast copies against memory objects a pager thread of the guest
 * serves, on the kernel with mosaic built in.
 *
 * The faults and races of CASES.md "Faults and races" on the real kernel.
 * The guest's second thread is a memory manager: it holds the receive right
 * of every memory object the test makes (one port set), and serves the
 * kernel's memory_object_init, _data_request, _data_return,
 * _lock_completed and _terminate with the server stubs MIG makes of
 * memory_object.defs (guest/build-guest.sh).  The first thread passes a
 * send right to an object straight to vm_copy_from_object, vm_copy_to_object or
 * vm_copy_between_objects, and the kernel (vmc_server.c, vm_object_enter) makes
 * the object and pages it from the pager like any other.
 *
 * Each object has four pages, and for each page the pager's answer to a
 * data request, written as one letter a page:
 *
 *   d  memory_object_data_supply at once, from the pager's store;
 *   l  the same, late: once the caller waits for the page (thread_info
 *      says TH_STATE_WAITING), and LATE_MS more;
 *   e  memory_object_data_error;
 *   u  memory_object_data_unavailable (the kernel zero-fills);
 *   n  never: once the caller waits, the pager aborts it (thread_abort);
 *   m  once the caller waits, the pager unmaps a range of the caller's
 *      buffer, then supplies the data;
 *   k  once the caller waits, the pager destroys the object's port (the
 *      kernel's vm_object_destroy: the object is terminated under the copy).
 *
 * Each case uses objects of its own, so no state carries over.  Objects are
 * not cached (memory_object_ready with may_cache false) unless a case
 * needs the kernel to keep its pages: each call then sees init, the
 * requests and terminate, and a dirty page comes back on
 * memory_object_data_return when the object is terminated.
 *
 * The pager reads its answers from the objects[] the first thread set up
 * before the call, and counts what it was asked; the first thread reads the
 * counts after pager_sync(), a message through the pager's port set, which
 * queues the messages of all its ports in order: every kernel message sent
 * before it has been served.
 *
 * Every copy checks every byte of the region it may write: the copied range
 * holds the source's bytes, every other byte is untouched.  One line per
 * case, `pager: <call> <case>: <result> ok (<what the pager saw>)'.  A
 * pager surprise (a message for no object, a second init, a call the test
 * never provokes) fails the guest from the pager thread.
 */
#include "guest.h"

#include <mach/memory_object.h>
#include <mach/thread_info.h>

#include "mach.user.h"
#include "mach4.user.h"
#include "mach_port.user.h"
#include "memory_object.server.h"
#include "experimental.user.h"

/* MIG's demux routine for memory_object.defs (memory_object.server.c),
 * which its header does not declare. */
boolean_t seqnos_memory_object_server(mach_msg_header_t *in, mach_msg_header_t *out);

const char guest_name[] = MOSAIC_GUEST_NAME;

#define P               GUEST_PAGE_SIZE
#define OBJ_PAGES       4
#define OBJ_SIZE        (OBJ_PAGES * P)
#define MAX_OBJECTS     20
#define BUF_SIZE        (6 * P)
#define DST_SIZE        (4 * P)
#define NO_COUNT        ((vm_size_t)0xdeadbeefcafe)
#define LATE_MS         20
#define WAIT_TRIES      5000    /* polls of the caller's state, 1 ms apart */
#define SYNC_ID         0x6d6f7301      /* "mos" 1: pager_sync's request */

enum answer {
	ANSWER_DATA,
	ANSWER_LATE,
	ANSWER_ERROR,
	ANSWER_UNAVAILABLE,
	ANSWER_NEVER,
	ANSWER_UNMAP,
	ANSWER_KILL,
};

/*
 * One memory object.  The first thread writes the set-up fields before it
 * passes the object to a call; the pager thread writes the rest.  The
 * first thread reads those only after pager_sync().
 */
struct object {
	/* set up by the first thread */
	const char *name;
	mach_port_t port;               /* receive right, in pager.set; and a send right */
	bool may_cache;
	enum answer answer[OBJ_PAGES];
	vm_address_t unmap_at;          /* ANSWER_UNMAP: what to unmap */
	vm_size_t unmap_size;
	vm_offset_t base;               /* where its pages lie: [base, base + OBJ_SIZE) */
	/* the pager's */
	mach_port_t control;            /* while initialized */
	unsigned inits, terminates;
	unsigned requests[OBJ_PAGES];
	unsigned returns[OBJ_PAGES];    /* pages of memory_object_data_return */
	unsigned returned_clean;        /* of those, not dirty */
	unsigned lock_completed;
	unsigned waits;                 /* times the caller was seen waiting */
	unsigned aborts, unmaps, kills;
	/* the object's bytes as the pager has them: what it supplies, where
	 * data_return puts what it gets */
	unsigned char store[OBJ_SIZE] __attribute__((aligned(4096)));
};

static struct object objects[MAX_OBJECTS];
static unsigned nobjects;

static struct {
	mach_port_t self;               /* the task */
	mach_port_t caller;             /* the first thread: the one that copies */
	mach_port_t thread;             /* the pager thread */
	mach_port_t set;                /* the pager's port set */
	mach_port_t sync;               /* in the set: pager_sync's requests */
	mach_port_t sync_reply;         /* the first thread's, for the answers */
	vm_address_t buf, dst;
} g;

static unsigned char pager_stack[64 * 1024] __attribute__((aligned(16)));

/* Patterns ------------------------------------------------------------------ */

static unsigned char buf_byte(vm_size_t k)
{
	return (unsigned char)(k * 11u + (k >> 9) + 0xc3);
}

static unsigned char dst_byte(vm_size_t k)
{
	return (unsigned char)(k * 5u + (k >> 11) + 0x17);
}

/* Object i's initial bytes: every object differs from the others. */
static unsigned char object_byte(unsigned i, vm_size_t k)
{
	return (unsigned char)((k * 37u) ^ (k >> 7) ^ (i * 0x45u) ^ 0x5a);
}

static void fill(vm_address_t a, vm_size_t n, unsigned char (*f)(vm_size_t))
{
	volatile unsigned char *p = (volatile unsigned char *)a;

	for (vm_size_t k = 0; k < n; k++)
		p[k] = f(k);
}

/*
 * Checks the n bytes at a: those in [lo, lo + len) must be want[k - lo],
 * the others still outside(k).  Fails the guest at the first difference.
 */
static void check(const char *what, vm_address_t a, vm_size_t n,
		  unsigned char (*outside)(vm_size_t), vm_size_t lo, vm_size_t len,
		  const unsigned char *want)
{
	const volatile unsigned char *p = (const volatile unsigned char *)a;

	for (vm_size_t k = 0; k < n; k++) {
		bool in = k >= lo && k - lo < len;
		unsigned char w = in ? want[k - lo] : outside(k);
		if (p[k] != w)
			guest_fail("%s: byte %lu is 0x%x, expected 0x%x (%s the copied range)",
				   what, (unsigned long)k, p[k], w, in ? "inside" : "outside");
	}
}

/* What a read of o from offset 0 must give: the store, zeros where the
 * pager answers "unavailable". */
static const unsigned char *object_view(const struct object *o)
{
	static unsigned char view[OBJ_SIZE];

	for (vm_size_t k = 0; k < OBJ_SIZE; k++)
		view[k] = o->answer[k / P] == ANSWER_UNAVAILABLE ? 0 : o->store[k];
	return view;
}

/* The pager thread ----------------------------------------------------------- */

static struct object *object_of(mach_port_t port, const char *what)
{
	for (unsigned i = 0; i < nobjects; i++)
		if (objects[i].port == port)
			return &objects[i];
	guest_fail("pager: %s on port %u, no object of ours", what, port);
}

/* A message brought a send right to o's control port: the name is the one
 * memory_object_init gave, with one more user reference, dropped here. */
static void control_seen(struct object *o, mach_port_t control, const char *what)
{
	if (o->control == MACH_PORT_NULL || control != o->control)
		guest_fail("pager: %s for %s: control port %u, expected %u", what, o->name,
			   control, o->control);
	(void)mach_port_deallocate(g.self, control);
}

/* Returns once the first thread waits in the kernel (for the page being
 * requested: it is in the copy, and the copy waits for nothing else). */
static void wait_for_caller(struct object *o)
{
	for (unsigned i = 0; i < WAIT_TRIES; i++) {
		struct thread_basic_info info;
		mach_msg_type_number_t n = THREAD_BASIC_INFO_COUNT;
		kern_return_t kr = thread_info(g.caller, THREAD_BASIC_INFO,
					       (thread_info_t)&info, &n);

		if (kr != KERN_SUCCESS)
			guest_fail("pager: thread_info: %s", guest_kr_name(kr));
		if (info.run_state == TH_STATE_WAITING) {
			o->waits++;
			return;
		}
		guest_sleep_ms(1);
	}
	guest_fail("pager: %s: the caller never waited for the page", o->name);
}

static void supply(struct object *o, mach_port_t control, vm_offset_t offset)
{
	kern_return_t kr = memory_object_data_supply(control, offset,
		(vm_offset_t)&o->store[offset - o->base], P, FALSE, VM_PROT_NONE, FALSE,
		MACH_PORT_NULL);

	if (kr != KERN_SUCCESS)
		guest_fail("pager: memory_object_data_supply: %s", guest_kr_name(kr));
}

/* Answers the data request for the page at offset. */
static void answer_page(struct object *o, mach_port_t control, vm_offset_t offset)
{
	vm_offset_t rel = offset - o->base;	/* past the pages: wraps above them */
	unsigned page = rel < OBJ_SIZE ? (unsigned)(rel / P) : OBJ_PAGES;
	kern_return_t kr = KERN_SUCCESS;

	if (page >= OBJ_PAGES) {
		/* Past the object's end: what the simulator's pager says too. */
		kr = memory_object_data_error(control, offset, P, KERN_MEMORY_ERROR);
		if (kr != KERN_SUCCESS)
			guest_fail("pager: memory_object_data_error: %s", guest_kr_name(kr));
		return;
	}
	o->requests[page]++;
	switch (o->answer[page]) {
	case ANSWER_LATE:
		wait_for_caller(o);
		guest_sleep_ms(LATE_MS);
		supply(o, control, offset);
		break;
	case ANSWER_DATA:
		supply(o, control, offset);
		break;
	case ANSWER_ERROR:
		kr = memory_object_data_error(control, offset, P, KERN_MEMORY_ERROR);
		break;
	case ANSWER_UNAVAILABLE:
		kr = memory_object_data_unavailable(control, offset, P);
		break;
	case ANSWER_NEVER:
		wait_for_caller(o);
		kr = thread_abort(g.caller);
		o->aborts++;
		break;
	case ANSWER_UNMAP:
		wait_for_caller(o);
		kr = vm_deallocate(g.self, o->unmap_at, o->unmap_size);
		o->unmaps++;
		if (kr == KERN_SUCCESS)
			supply(o, control, offset);
		break;
	case ANSWER_KILL:
		wait_for_caller(o);
		/* All rights under the name go, the receive right with them:
		 * no message can reach this object again. */
		kr = mach_port_destroy(g.self, o->port);
		o->port = MACH_PORT_NULL;
		o->kills++;
		break;
	}
	if (kr != KERN_SUCCESS)
		guest_fail("pager: %s page %u: answer %d: %s", o->name, page, o->answer[page],
			   guest_kr_name(kr));
}

kern_return_t seqnos_memory_object_init(mach_port_t memory_object, mach_port_seqno_t seqno,
					mach_port_t control, mach_port_t name,
					vm_size_t page_size)
{
	struct object *o = object_of(memory_object, "memory_object_init");
	kern_return_t kr;

	(void)seqno;
	if (o->control != MACH_PORT_NULL)
		guest_fail("pager: %s: memory_object_init while initialized", o->name);
	if (page_size != P)
		guest_fail("pager: %s: page size %lu", o->name, (unsigned long)page_size);
	o->control = control;
	o->inits++;
	(void)mach_port_deallocate(g.self, name);
	kr = memory_object_ready(control, o->may_cache, MEMORY_OBJECT_COPY_DELAY);
	if (kr != KERN_SUCCESS)
		guest_fail("pager: memory_object_ready: %s", guest_kr_name(kr));
	return KERN_SUCCESS;
}

kern_return_t seqnos_memory_object_terminate(mach_port_t memory_object,
					     mach_port_seqno_t seqno, mach_port_t control,
					     mach_port_t name)
{
	struct object *o = object_of(memory_object, "memory_object_terminate");

	(void)seqno;
	if (control != o->control)
		guest_fail("pager: %s: terminate with control %u, expected %u", o->name,
			   control, o->control);
	/* The receive rights of the control and name ports are ours now:
	 * drop them with the send rights under the same names. */
	(void)mach_port_destroy(g.self, control);
	(void)mach_port_destroy(g.self, name);
	o->control = MACH_PORT_NULL;
	o->terminates++;
	return KERN_SUCCESS;
}

kern_return_t seqnos_memory_object_copy(mach_port_t old_memory_object,
					mach_port_seqno_t seqno, mach_port_t old_control,
					vm_offset_t offset, vm_size_t length,
					mach_port_t new_memory_object)
{
	(void)seqno, (void)old_control, (void)offset, (void)length, (void)new_memory_object;
	guest_fail("pager: unexpected vm_copy_between_objects for %s",
		   object_of(old_memory_object, "vm_copy_between_objects")->name);
}

kern_return_t seqnos_memory_object_data_request(mach_port_t memory_object,
						mach_port_seqno_t seqno, mach_port_t control,
						vm_offset_t offset, vm_size_t length,
						vm_prot_t desired_access)
{
	struct object *o = object_of(memory_object, "memory_object_data_request");

	(void)seqno, (void)desired_access;
	control_seen(o, control, "memory_object_data_request");
	if (offset % P != 0 || length % P != 0 || length == 0)
		guest_fail("pager: %s: data request offset %lu length %lu", o->name,
			   (unsigned long)offset, (unsigned long)length);
	for (vm_size_t done = 0; done < length; done += P)
		answer_page(o, o->control, offset + done);
	return KERN_SUCCESS;
}

kern_return_t seqnos_memory_object_data_unlock(mach_port_t memory_object,
					       mach_port_seqno_t seqno, mach_port_t control,
					       vm_offset_t offset, vm_size_t length,
					       vm_prot_t desired_access)
{
	(void)seqno, (void)control, (void)offset, (void)length, (void)desired_access;
	guest_fail("pager: unexpected memory_object_data_unlock for %s (no page is locked)",
		   object_of(memory_object, "memory_object_data_unlock")->name);
}

kern_return_t seqnos_memory_object_lock_completed(mach_port_t memory_object,
						  mach_port_seqno_t seqno, mach_port_t control,
						  vm_offset_t offset, vm_size_t length)
{
	struct object *o = object_of(memory_object, "memory_object_lock_completed");

	(void)seqno, (void)offset, (void)length;
	control_seen(o, control, "memory_object_lock_completed");
	o->lock_completed++;
	return KERN_SUCCESS;
}

kern_return_t seqnos_memory_object_supply_completed(mach_port_t memory_object,
						    mach_port_seqno_t seqno,
						    mach_port_t control, vm_offset_t offset,
						    vm_size_t length, kern_return_t result,
						    vm_offset_t error_offset)
{
	(void)seqno, (void)control, (void)offset, (void)length, (void)result;
	(void)error_offset;
	guest_fail("pager: unexpected memory_object_supply_completed for %s (none asked)",
		   object_of(memory_object, "memory_object_supply_completed")->name);
}

kern_return_t seqnos_memory_object_data_return(mach_port_t memory_object,
					       mach_port_seqno_t seqno, mach_port_t control,
					       vm_offset_t offset, vm_offset_t data,
					       mach_msg_type_number_t data_count, boolean_t dirty,
					       boolean_t kernel_copy)
{
	struct object *o = object_of(memory_object, "memory_object_data_return");
	const unsigned char *bytes = (const unsigned char *)data;

	(void)seqno, (void)kernel_copy;
	control_seen(o, control, "memory_object_data_return");
	offset -= o->base;
	if (offset % P != 0 || data_count % P != 0 || offset > OBJ_SIZE ||
	    data_count > OBJ_SIZE - offset)
		guest_fail("pager: %s: data return offset %lu size %u", o->name,
			   (unsigned long)offset, data_count);
	for (vm_size_t k = 0; k < data_count; k++)
		o->store[offset + k] = bytes[k];
	for (vm_size_t done = 0; done < data_count; done += P) {
		o->returns[(offset + done) / P]++;
		if (!dirty)
			o->returned_clean++;
	}
	(void)vm_deallocate(g.self, data, data_count);
	return KERN_SUCCESS;
}

kern_return_t seqnos_memory_object_change_completed(mach_port_t memory_object,
						    mach_port_seqno_t seqno, boolean_t may_cache,
						    memory_object_copy_strategy_t copy_strategy)
{
	(void)seqno, (void)may_cache, (void)copy_strategy;
	guest_fail("pager: unexpected memory_object_change_completed for %s",
		   object_of(memory_object, "memory_object_change_completed")->name);
}

/* pager_sync's request: answered on the send-once right it carries. */
static void answer_sync(const mach_msg_header_t *in)
{
	mach_msg_header_t out;
	mach_msg_return_t mr;

	out.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
	out.msgh_size = sizeof out;
	out.msgh_remote_port = in->msgh_remote_port;
	out.msgh_local_port = MACH_PORT_NULL;
	out.msgh_seqno = 0;
	out.msgh_id = SYNC_ID + 100;
	mr = mach_msg(&out, MACH_SEND_MSG, sizeof out, 0, MACH_PORT_NULL,
		      MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
	if (mr != MACH_MSG_SUCCESS)
		guest_fail("pager: answering a sync: %s", guest_kr_name(mr));
}

/* The pager thread's body: serve the port set for ever.  Every routine of
 * memory_object.defs is a simpleroutine: nothing is ever replied. */
static void pager_main(void *arg)
{
	union {
		mach_msg_header_t head;
		char space[4096];
	} in, out;

	(void)arg;
	for (;;) {
		mach_msg_return_t mr = mach_msg(&in.head, MACH_RCV_MSG, 0, sizeof in, g.set,
						MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);

		if (mr != MACH_MSG_SUCCESS)
			guest_fail("pager: receive: %s", guest_kr_name(mr));
		if (in.head.msgh_local_port == g.sync && in.head.msgh_id == SYNC_ID) {
			answer_sync(&in.head);
			continue;
		}
		if (!seqnos_memory_object_server(&in.head, &out.head))
			guest_fail("pager: message id %d on port %u is no pager request",
				   in.head.msgh_id, in.head.msgh_local_port);
	}
}

/* The first thread's side ------------------------------------------------------ */

/* Returns once the pager has served every message sent to its ports
 * before this call. */
static void pager_sync(void)
{
	mach_msg_header_t msg;
	mach_msg_return_t mr;

	msg.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	msg.msgh_size = sizeof msg;
	msg.msgh_remote_port = g.sync;
	msg.msgh_local_port = g.sync_reply;
	msg.msgh_seqno = 0;
	msg.msgh_id = SYNC_ID;
	mr = mach_msg(&msg, MACH_SEND_MSG | MACH_RCV_MSG, sizeof msg, sizeof msg, g.sync_reply,
		      MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
	if (mr != MACH_MSG_SUCCESS || msg.msgh_id != SYNC_ID + 100)
		guest_fail("pager_sync: %s, id %d", guest_kr_name(mr), msg.msgh_id);
}

/*
 * A new memory object the pager serves: answers, one letter a page as in
 * the header comment ("dedd": page 1 fails).  Its store holds
 * object_byte(its index, k).
 */
static struct object *object_new(const char *name, const char *answers, bool may_cache)
{
	struct object *o;
	kern_return_t kr;

	if (nobjects == MAX_OBJECTS || strlen(answers) != OBJ_PAGES)
		guest_fail("object_new %s: too many objects, or not %u answers", name,
			   OBJ_PAGES);
	o = &objects[nobjects];
	memset(o, 0, sizeof *o);
	o->name = name;
	o->may_cache = may_cache;
	for (unsigned i = 0; i < OBJ_PAGES; i++) {
		switch (answers[i]) {
		case 'd': o->answer[i] = ANSWER_DATA; break;
		case 'l': o->answer[i] = ANSWER_LATE; break;
		case 'e': o->answer[i] = ANSWER_ERROR; break;
		case 'u': o->answer[i] = ANSWER_UNAVAILABLE; break;
		case 'n': o->answer[i] = ANSWER_NEVER; break;
		case 'm': o->answer[i] = ANSWER_UNMAP; break;
		case 'k': o->answer[i] = ANSWER_KILL; break;
		default: guest_fail("object_new %s: answer '%c'", name, answers[i]);
		}
	}
	for (vm_size_t k = 0; k < OBJ_SIZE; k++)
		o->store[k] = object_byte(nobjects, k);

	kr = mach_port_allocate(g.self, MACH_PORT_RIGHT_RECEIVE, &o->port);
	if (kr == KERN_SUCCESS)
		kr = mach_port_insert_right(g.self, o->port, o->port, MACH_MSG_TYPE_MAKE_SEND);
	if (kr == KERN_SUCCESS)
		kr = mach_port_move_member(g.self, o->port, g.set);
	if (kr != KERN_SUCCESS)
		guest_fail("object_new %s: %s", name, guest_kr_name(kr));
	nobjects++;
	return o;
}

/* The result of one call against what it must be; prints the case line
 * with the pager's view.  The count is checked only on success: MIG drops
 * it from an error reply. */
static void expect(const char *call, const char *what, kern_return_t kr, vm_size_t count,
		   kern_return_t want, vm_size_t want_count, const struct object *o)
{
	if (kr != want)
		guest_fail("%s %s: %s, expected %s", call, what, guest_kr_name(kr),
			   guest_kr_name(want));
	if (kr == KERN_SUCCESS && count != want_count)
		guest_fail("%s %s: count %lu, expected %lu", call, what, (unsigned long)count,
			   (unsigned long)want_count);
	pager_sync();
	guest_printf("pager: %s %s: %s", call, what, guest_kr_name(kr));
	if (kr == KERN_SUCCESS && count != NO_COUNT)
		guest_printf(" count=%lu", (unsigned long)count);
	guest_printf(" ok (%s: init %u terminate %u, requests %u %u %u %u, waited %u",
		     o->name, o->inits, o->terminates, o->requests[0], o->requests[1],
		     o->requests[2], o->requests[3], o->waits);
	if (o->aborts)
		guest_printf(", aborted the caller %u", o->aborts);
	if (o->unmaps)
		guest_printf(", unmapped %u", o->unmaps);
	if (o->kills)
		guest_printf(", destroyed the port %u", o->kills);
	if (o->returns[0] + o->returns[1] + o->returns[2] + o->returns[3])
		guest_printf(", returned %u %u %u %u", o->returns[0], o->returns[1],
			     o->returns[2], o->returns[3]);
	guest_printf(")\n");
}

#define EXPECT(call, what, expr, want, want_count, o) do {		\
	vm_size_t count = NO_COUNT;					\
	kern_return_t kr_ = (expr);					\
	expect(call, what, kr_, count, want, want_count, o);		\
} while (0)

/* An object whose pages are not cached is terminated when the call that
 * made it returns: as many terminates as inits. */
static void expect_uncached(const struct object *o)
{
	if (o->inits == 0 || o->inits != o->terminates || o->control != MACH_PORT_NULL)
		guest_fail("%s: init %u terminate %u: the object outlived the call", o->name,
			   o->inits, o->terminates);
}

/* Cases --------------------------------------------------------------------- */

/* Pages the pager supplies only once the caller has waited for each. */
static void test_late(void)
{
	struct object *o = object_new("late", "llll", false);
	struct object *t = object_new("late-trap", "ldld", false);

	fill(g.buf, BUF_SIZE, buf_byte);
	EXPECT("vm_copy_from_object", "buf=33 late=77 len=12388 (each page late)",
	       vm_copy_from_object(g.self, g.buf + 33, 3 * P + 100, o->port, 77, &count),
	       KERN_SUCCESS, 3 * P + 100, o);
	check("late: buf", g.buf, BUF_SIZE, buf_byte, 33, 3 * P + 100, object_view(o) + 77);
	GUEST_CHECK(o->waits == 4 && o->requests[3] == 1);
	expect_uncached(o);

	fill(g.buf, BUF_SIZE, buf_byte);
	EXPECT("vm_copy_from_object_trap", "buf=1 late-trap=5 len=16379 (pages 0 and 2 late)",
	       vm_copy_from_object_trap(g.self, g.buf + 1, OBJ_SIZE - 5, t->port, 5, &count),
	       KERN_SUCCESS, OBJ_SIZE - 5, t);
	check("late-trap: buf", g.buf, BUF_SIZE, buf_byte, 1, OBJ_SIZE - 5, object_view(t) + 5);
	GUEST_CHECK(t->waits == 2);
	expect_uncached(t);
}

/* data_error for page k of 4: the bytes before it, then the error. */
static void test_error(void)
{
	static const struct {
		const char *name, *answers, *what;
		unsigned k;
	} cases[] = {
		{ "error-first", "eddd", "buf=5 error-first=10 len=16364 (error on page 0)", 0 },
		{ "error-middle", "dedd", "buf=5 error-middle=10 len=16364 (error on page 1)", 1 },
		{ "error-last", "ddde", "buf=5 error-last=10 len=16364 (error on page 3)", 3 },
	};
	const vm_size_t a = 5, off = 10, len = OBJ_SIZE - 20;

	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct object *o = object_new(cases[i].name, cases[i].answers, false);
		vm_size_t before = cases[i].k * P - (cases[i].k ? off : 0);

		fill(g.buf, BUF_SIZE, buf_byte);
		if (cases[i].k == 0) {
			EXPECT("vm_copy_from_object", cases[i].what,
			       vm_copy_from_object(g.self, g.buf + a, len, o->port, off, &count),
			       KERN_MEMORY_ERROR, 0, o);
		} else {
			EXPECT("vm_copy_from_object", cases[i].what,
			       vm_copy_from_object(g.self, g.buf + a, len, o->port, off, &count),
			       KERN_SUCCESS, before, o);
			EXPECT("vm_copy_from_object", "(retry from the first uncopied byte)",
			       vm_copy_from_object(g.self, g.buf + a + before, len - before, o->port,
					    off + before, &count),
			       KERN_MEMORY_ERROR, 0, o);
		}
		check(cases[i].name, g.buf, BUF_SIZE, buf_byte, a, before, object_view(o) + off);
		GUEST_CHECK(o->requests[cases[i].k] == (cases[i].k ? 2u : 1u));
		expect_uncached(o);
	}

	/* A write stops at the page the pager cannot give; the bytes written
	 * before it come back to the pager when the object goes. */
	struct object *o = object_new("error-write", "dedd", false);
	unsigned char want[OBJ_SIZE];

	fill(g.buf, BUF_SIZE, buf_byte);
	for (vm_size_t k = 0; k < OBJ_SIZE; k++)
		want[k] = o->store[k];
	for (vm_size_t k = 100; k < P; k++)
		want[k] = buf_byte(7 + k - 100);
	EXPECT("vm_copy_to_object", "buf=7 error-write=100 len=12288 (error on page 1)",
	       vm_copy_to_object(g.self, g.buf + 7, 3 * P, o->port, 100, &count),
	       KERN_SUCCESS, P - 100, o);
	EXPECT("vm_copy_to_object", "(retry from the first uncopied byte)",
	       vm_copy_to_object(g.self, g.buf + 7 + P - 100, 2 * P + 100, o->port, P, &count),
	       KERN_MEMORY_ERROR, 0, o);
	check("error-write: buf", g.buf, BUF_SIZE, buf_byte, 0, 0, NULL);
	check("error-write: the pager's store", (vm_address_t)o->store, OBJ_SIZE, buf_byte, 0,
	      OBJ_SIZE, want);
	GUEST_CHECK(o->returns[0] == 1 && o->returned_clean == 0);
	expect_uncached(o);
}

/* data_unavailable: the kernel fills those pages with zeros. */
static void test_unavailable(void)
{
	struct object *o = object_new("unavailable", "duud", false);

	fill(g.buf, BUF_SIZE, buf_byte);
	EXPECT("vm_copy_from_object", "buf=1 unavailable=1 len=16382 (pages 1 and 2 unavailable)",
	       vm_copy_from_object(g.self, g.buf + 1, OBJ_SIZE - 2, o->port, 1, &count),
	       KERN_SUCCESS, OBJ_SIZE - 2, o);
	check("unavailable: buf", g.buf, BUF_SIZE, buf_byte, 1, OBJ_SIZE - 2, object_view(o) + 1);
	expect_uncached(o);
}

/*
 * The pager never answers page 1; once the caller waits for it, the pager
 * aborts the caller.  The copy returns at once with the bytes before the
 * page; the retry, interrupted the same way, says MACH_SEND_INTERRUPTED
 * (the simulator's code for SIM_PAGER_NEVER), by RPC and by trap.
 */
static void test_never(void)
{
	struct object *o = object_new("never", "dndd", false);
	const vm_size_t a = 9, off = 100, len = 2 * P, before = P - off;

	fill(g.buf, BUF_SIZE, buf_byte);
	EXPECT("vm_copy_from_object", "buf=9 never=100 len=8192 (page 1 never answered, caller aborted)",
	       vm_copy_from_object(g.self, g.buf + a, len, o->port, off, &count),
	       KERN_SUCCESS, before, o);
	EXPECT("vm_copy_from_object", "(retry from the first uncopied byte, aborted again)",
	       vm_copy_from_object(g.self, g.buf + a + before, len - before, o->port, P, &count),
	       MACH_SEND_INTERRUPTED, 0, o);

	vm_size_t trap_count = NO_COUNT;
	kern_return_t kr = vm_copy_from_object_trap(g.self, g.buf + a + before, len - before, o->port,
					     P, &trap_count);
	if (kr != MACH_SEND_INTERRUPTED || trap_count != 0)
		guest_fail("vm_copy_from_object_trap never: %s count %lu, expected "
			   "MACH_SEND_INTERRUPTED count 0", guest_kr_name(kr),
			   (unsigned long)trap_count);
	expect("vm_copy_from_object_trap", "(the retry by trap, aborted again; count written 0)", kr,
	       0, MACH_SEND_INTERRUPTED, 0, o);
	check("never: buf", g.buf, BUF_SIZE, buf_byte, a, before, object_view(o) + off);
	GUEST_CHECK(o->aborts == 3 && o->requests[1] == 3);
	expect_uncached(o);

	/* The same on the destination side: a write waits for the page it
	 * must fill; the bytes written before come back when the object goes. */
	struct object *w = object_new("write-never", "dndd", false);
	unsigned char want[OBJ_SIZE];

	fill(g.buf, BUF_SIZE, buf_byte);
	for (vm_size_t k = 0; k < OBJ_SIZE; k++)
		want[k] = k >= 200 && k < P ? buf_byte(1 + k - 200) : w->store[k];
	EXPECT("vm_copy_to_object",
	       "buf=1 write-never=200 len=8192 (page 1 never answered, caller aborted)",
	       vm_copy_to_object(g.self, g.buf + 1, 2 * P, w->port, 200, &count),
	       KERN_SUCCESS, P - 200, w);
	check("write-never: buf", g.buf, BUF_SIZE, buf_byte, 0, 0, NULL);
	check("write-never: the pager's store", (vm_address_t)w->store, OBJ_SIZE, buf_byte, 0,
	      OBJ_SIZE, want);
	GUEST_CHECK(w->aborts == 1 && w->returns[0] == 1 && w->returns[1] == 0);
	expect_uncached(w);
}

/*
 * The object is terminated while the copy waits for a page: the pager
 * destroys the object's port, and the kernel (vm_object_destroy) aborts
 * the pending page requests.  The copy stops there with the bytes before,
 * KERN_MEMORY_ERROR if there are none (the simulator's answer for an
 * object terminated under a copy).  The pager hears nothing more: no
 * terminate, its port is gone.
 */
static void test_killed(void)
{
	struct object *o = object_new("killed", "dkdd", false);
	mach_port_t port = o->port;
	const vm_size_t a = 2, off = 50, len = 3 * P;

	fill(g.buf, BUF_SIZE, buf_byte);
	const unsigned char *view = object_view(o);
	EXPECT("vm_copy_from_object", "buf=2 killed=50 len=12288 (port destroyed while waiting for page 1)",
	       vm_copy_from_object(g.self, g.buf + a, len, port, off, &count),
	       KERN_SUCCESS, P - off, o);
	check("killed: buf", g.buf, BUF_SIZE, buf_byte, a, P - off, view + off);
	GUEST_CHECK(o->kills == 1 && o->terminates == 0);

	struct object *first = object_new("killed-first", "kddd", false);

	fill(g.buf, BUF_SIZE, buf_byte);
	EXPECT("vm_copy_from_object", "buf=2 killed-first=50 len=12288 (port destroyed while waiting "
	       "for page 0)", vm_copy_from_object(g.self, g.buf + a, len, first->port, off, &count),
	       KERN_MEMORY_ERROR, 0, first);
	check("killed-first: buf", g.buf, BUF_SIZE, buf_byte, 0, 0, NULL);
	GUEST_CHECK(first->kills == 1 && first->terminates == 0);
}

/*
 * vm_copy_to_object into an object whose pages the kernel keeps: nothing comes
 * back until the guest asks (memory_object_lock_request: return the dirty
 * pages and flush them); then the pager has the bytes as written, and a
 * read asks it for them again.
 */
static void test_write_back(void)
{
	struct object *o = object_new("write-back", "dddd", true);
	const vm_size_t a = 3, off = P - 50, len = 2 * P + 100;
	unsigned char want[OBJ_SIZE];
	kern_return_t kr;

	for (vm_size_t k = 0; k < OBJ_SIZE; k++)
		want[k] = o->store[k];
	for (vm_size_t k = 0; k < len; k++)
		want[off + k] = buf_byte(a + k);

	fill(g.buf, BUF_SIZE, buf_byte);
	EXPECT("vm_copy_to_object", "buf=3 write-back=4046 len=8292 (the kernel keeps the pages)",
	       vm_copy_to_object(g.self, g.buf + a, len, o->port, off, &count),
	       KERN_SUCCESS, len, o);
	GUEST_CHECK(o->inits == 1 && o->terminates == 0 && o->control != MACH_PORT_NULL);
	GUEST_CHECK(o->returns[0] + o->returns[1] + o->returns[2] + o->returns[3] == 0);
	check("write-back: buf", g.buf, BUF_SIZE, buf_byte, 0, 0, NULL);

	kr = memory_object_lock_request(o->control, 0, OBJ_SIZE, MEMORY_OBJECT_RETURN_DIRTY,
					TRUE, VM_PROT_NO_CHANGE, o->port);
	if (kr != KERN_SUCCESS)
		guest_fail("memory_object_lock_request: %s", guest_kr_name(kr));
	pager_sync();
	if (o->lock_completed != 1 || o->returned_clean != 0)
		guest_fail("write-back: lock completed %u times, %u pages returned clean",
			   o->lock_completed, o->returned_clean);
	for (unsigned i = 0; i < OBJ_PAGES; i++)
		if (o->returns[i] != 1)
			guest_fail("write-back: page %u returned %u times, expected once", i,
				   o->returns[i]);
	check("write-back: the pager's store", (vm_address_t)o->store, OBJ_SIZE, buf_byte, 0,
	      OBJ_SIZE, want);
	/* A cached object with no page left is not kept (vm_object_deallocate
	 * caches only objects with resident pages): the flush ended it. */
	if (o->terminates != 1 || o->control != MACH_PORT_NULL)
		guest_fail("write-back: %u terminates after the flush, expected 1", o->terminates);
	guest_printf("pager: memory_object_lock_request write-back (return dirty, flush): "
		     "pages 0-3 returned dirty once, bytes as written, then terminated ok\n");

	fill(g.buf, BUF_SIZE, buf_byte);
	EXPECT("vm_copy_from_object", "buf=0 write-back=0 len=16384 (read back after the flush)",
	       vm_copy_from_object(g.self, g.buf, OBJ_SIZE, o->port, 0, &count),
	       KERN_SUCCESS, OBJ_SIZE, o);
	check("write-back: read back", g.buf, BUF_SIZE, buf_byte, 0, OBJ_SIZE, want);
	for (unsigned i = 0; i < OBJ_PAGES; i++)
		GUEST_CHECK(o->requests[i] == 2);
	/* Cached again, with its pages; the pager tells the kernel to let go. */
	GUEST_CHECK(o->inits == 2 && o->terminates == 1 && o->control != MACH_PORT_NULL);
	kr = memory_object_destroy(o->control, KERN_SUCCESS);
	if (kr != KERN_SUCCESS)
		guest_fail("memory_object_destroy: %s", guest_kr_name(kr));
	pager_sync();
	if (o->terminates != 2 || o->control != MACH_PORT_NULL)
		guest_fail("write-back: %u terminates after memory_object_destroy, expected 2",
			   o->terminates);
	guest_printf("pager: memory_object_destroy write-back: terminated ok\n");
}

/*
 * The destination is unmapped (by the pager thread) while the copy waits
 * for a source page; then the data arrives.  The copy stops exactly at the
 * hole.
 */
static void test_unmap(void)
{
	struct object *o = object_new("unmap", "dmdd", false);
	struct object *all = object_new("unmap-all", "mddd", false);
	vm_address_t at;

	/* dst [50, P) <- object [100, P + 50); dst [P, 4P) goes while the
	 * copy waits for object page 1. */
	o->unmap_at = g.dst + P;
	o->unmap_size = DST_SIZE - P;
	fill(g.dst, DST_SIZE, dst_byte);
	EXPECT("vm_copy_from_object", "dst=50 unmap=100 len=8692 (dst pages 1-3 unmapped while waiting)",
	       vm_copy_from_object(g.self, g.dst + 50, 2 * P + 500, o->port, 100, &count),
	       KERN_SUCCESS, P - 50, o);
	EXPECT("vm_copy_from_object", "(retry from the first uncopied byte: the hole)",
	       vm_copy_from_object(g.self, g.dst + P, P + 550, o->port, P + 50, &count),
	       KERN_INVALID_ADDRESS, 0, o);
	check("unmap: dst", g.dst, P, dst_byte, 50, P - 50, object_view(o) + 100);
	GUEST_CHECK(o->unmaps == 1);
	expect_uncached(o);
	at = g.dst + P;
	GUEST_EXPECT_KR(vm_allocate(g.self, &at, DST_SIZE - P, FALSE), KERN_SUCCESS);

	/* The whole destination goes while the copy waits for its first page. */
	all->unmap_at = g.dst;
	all->unmap_size = DST_SIZE;
	fill(g.dst, DST_SIZE, dst_byte);
	EXPECT("vm_copy_from_object", "dst=10 unmap-all=0 len=4096 (all of dst unmapped while waiting)",
	       vm_copy_from_object(g.self, g.dst + 10, P, all->port, 0, &count),
	       KERN_INVALID_ADDRESS, 0, all);
	GUEST_CHECK(all->unmaps == 1);
	expect_uncached(all);
	at = g.dst;
	GUEST_EXPECT_KR(vm_allocate(g.self, &at, DST_SIZE, FALSE), KERN_SUCCESS);
	fill(g.dst, DST_SIZE, dst_byte);
}

/* vm_copy_between_objects with a pager object on either side: as the source
 * through a proxy (the message goes to a kernel port), as the destination
 * directly. */
static void test_object_copy(void)
{
	struct object *src = object_new("proxy-late", "dlld", false);
	struct object *dst = object_new("dst-error", "ddde", false);
	mach_port_t proxy, dst_rw, buf_ro;
	vm_offset_t offset = 0, start = 0;
	vm_size_t len = OBJ_SIZE;
	unsigned char want[OBJ_SIZE];

	GUEST_EXPECT_KR(memory_object_create_proxy(g.self, VM_PROT_READ, &src->port,
						   MACH_MSG_TYPE_COPY_SEND, 1, &offset, 1,
						   &start, 1, &len, 1, &proxy), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_region_create_proxy(g.self, g.dst, VM_PROT_READ | VM_PROT_WRITE,
					       DST_SIZE, &dst_rw), KERN_SUCCESS);
	fill(g.dst, DST_SIZE, dst_byte);
	EXPECT("vm_copy_between_objects", "proxy-late=300 dst=20 len=12000 (pages 1 and 2 late)",
	       vm_copy_between_objects(proxy, 300, dst_rw, 20, 12000, &count),
	       KERN_SUCCESS, 12000, src);
	check("proxy-late: dst", g.dst, DST_SIZE, dst_byte, 20, 12000, object_view(src) + 300);
	/* The proxy holds the object (its segments are made of the kernel's
	 * objects, as a mapping is): the object goes when the proxy does. */
	GUEST_EXPECT_KR(mach_port_deallocate(g.self, proxy), KERN_SUCCESS);
	pager_sync();
	expect_uncached(src);

	/* Into a pager object whose last page fails: the bytes before it are
	 * copied, and come back to the pager when the object goes. */
	fill(g.buf, BUF_SIZE, buf_byte);
	GUEST_EXPECT_KR(vm_region_create_proxy(g.self, g.buf, VM_PROT_READ, BUF_SIZE, &buf_ro),
			KERN_SUCCESS);
	for (vm_size_t k = 0; k < OBJ_SIZE; k++)
		want[k] = dst->store[k];
	for (vm_size_t k = 2 * P + 1; k < 3 * P; k++)
		want[k] = buf_byte(11 + k - (2 * P + 1));
	EXPECT("vm_copy_between_objects", "buf=11 dst-error=8193 len=8000 (error on page 3)",
	       vm_copy_between_objects(buf_ro, 11, dst->port, 2 * P + 1, 8000, &count),
	       KERN_SUCCESS, P - 1, dst);
	EXPECT("vm_copy_between_objects", "(retry from the first uncopied byte)",
	       vm_copy_between_objects(buf_ro, 11 + P - 1, dst->port, 3 * P, 8000 - (P - 1), &count),
	       KERN_MEMORY_ERROR, 0, dst);
	check("dst-error: the pager's store", (vm_address_t)dst->store, OBJ_SIZE, buf_byte, 0,
	      OBJ_SIZE, want);
	GUEST_CHECK(dst->returns[2] == 1 && dst->returns[0] == 0 && dst->returns[1] == 0);
	check("dst-error: buf", g.buf, BUF_SIZE, buf_byte, 0, 0, NULL);
	expect_uncached(dst);

	(void)mach_port_deallocate(g.self, buf_ro);
	(void)mach_port_deallocate(g.self, dst_rw);
	(void)mach_port_deallocate(g.self, proxy);
}

/* The seed's creation form (memory_object_create_proxy_ranges) over a
 * pager port the kernel has not made an object of yet: the kernel makes it
 * (memory_object_init) while it builds the proxy; reads through the proxy
 * page it in, stop exactly at the proxy's hole, and the object goes with
 * the proxy. */
static void test_seed_form(void)
{
	struct object *o = object_new("seed-form", "dldd", false);
	mach_port_t objs[2] = { o->port, MACH_PORT_NULL };
	vm_prot_t prots[2] = { VM_PROT_READ, VM_PROT_READ };
	rpc_vm_offset_t starts[2] = { P, 0 };
	rpc_vm_offset_t ends[2] = { 3 * P, P };
	mach_port_t proxy = MACH_PORT_NULL;

	GUEST_CHECK(o->inits == 0);
	GUEST_EXPECT_KR(memory_object_create_proxy_ranges(g.self, objs, MACH_MSG_TYPE_COPY_SEND,
							  2, prots, 2, starts, 2, ends, 2,
							  &proxy), KERN_SUCCESS);
	pager_sync();
	GUEST_CHECK(o->inits == 1);
	/* [0, 2p): pages 1-2 of the object (page 1 late); [2p, 3p): a hole. */
	fill(g.buf, BUF_SIZE, buf_byte);
	EXPECT("vm_copy_from_object", "buf=5 seed-form-proxy=100 len=12288 (stops at the hole)",
	       vm_copy_from_object(g.self, g.buf + 5, 3 * P, proxy, 100, &count),
	       KERN_SUCCESS, 2 * P - 100, o);
	check("seed-form: buf", g.buf, BUF_SIZE, buf_byte, 5, 2 * P - 100,
	      object_view(o) + P + 100);
	GUEST_CHECK(o->waits == 1 && o->requests[0] == 0 && o->requests[3] == 0);
	EXPECT("vm_copy_from_object", "(retry at the hole)",
	       vm_copy_from_object(g.self, g.buf + 5 + 2 * P - 100, 100, proxy, 2 * P, &count),
	       KERN_INVALID_ADDRESS, 0, o);
	EXPECT("vm_copy_to_object", "seed-form-proxy=0 (the range is read-only)",
	       vm_copy_to_object(g.self, g.buf, 10, proxy, 0, &count),
	       KERN_PROTECTION_FAILURE, 0, o);
	GUEST_EXPECT_KR(mach_port_deallocate(g.self, proxy), KERN_SUCCESS);
	pager_sync();
	expect_uncached(o);
}

/*
 * Memory whose object range ends at the top of the offset space: the
 * object's four pages lie at its last four page offsets (2^32 - 4p on
 * i386: the last pages of a 4 GiB file), mapped here.  A proxy of that
 * region is exactly its window (the port's end of the range was once
 * computed by an addition that wrapped to 0, and the call answered
 * KERN_INVALID_ARGUMENT), and a copy through it reads the pages.
 */
static void test_region_at_top(void)
{
	struct object *o = object_new("region-at-top", "dddd", false);
	vm_address_t at = 0;
	mach_port_t proxy = MACH_PORT_NULL;

	o->base = (vm_offset_t)0 - OBJ_SIZE;
	GUEST_EXPECT_KR(vm_map(g.self, &at, OBJ_SIZE, 0, TRUE, o->port, o->base, FALSE,
			       VM_PROT_READ, VM_PROT_READ, VM_INHERIT_NONE), KERN_SUCCESS);
	EXPECT("vm_region_create_proxy", "of the object's last 4 pages, mapped",
	       vm_region_create_proxy(g.self, at, VM_PROT_READ, OBJ_SIZE, &proxy),
	       KERN_SUCCESS, NO_COUNT, o);
	fill(g.buf, BUF_SIZE, buf_byte);
	EXPECT("vm_copy_from_object", "buf=7 region-proxy=P-3 len=2p (across its pages 0 and 1)",
	       vm_copy_from_object(g.self, g.buf + 7, 2 * P, proxy, P - 3, &count),
	       KERN_SUCCESS, 2 * P, o);
	check("region-at-top: buf", g.buf, BUF_SIZE, buf_byte, 7, 2 * P,
	      object_view(o) + P - 3);
	EXPECT("vm_copy_from_object", "region-proxy=4p (its end)",
	       vm_copy_from_object(g.self, g.buf, 1, proxy, OBJ_SIZE, &count),
	       KERN_INVALID_ADDRESS, 0, o);
	GUEST_EXPECT_KR(mach_port_deallocate(g.self, proxy), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_deallocate(g.self, at, OBJ_SIZE), KERN_SUCCESS);
	pager_sync();
	expect_uncached(o);
}

static void setup(void)
{
	g.self = mach_task_self();
	g.caller = mach_thread_self();
	GUEST_EXPECT_KR(mach_port_allocate(g.self, MACH_PORT_RIGHT_PORT_SET, &g.set),
			KERN_SUCCESS);
	GUEST_EXPECT_KR(mach_port_allocate(g.self, MACH_PORT_RIGHT_RECEIVE, &g.sync),
			KERN_SUCCESS);
	GUEST_EXPECT_KR(mach_port_move_member(g.self, g.sync, g.set), KERN_SUCCESS);
	GUEST_EXPECT_KR(mach_port_allocate(g.self, MACH_PORT_RIGHT_RECEIVE, &g.sync_reply),
			KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_allocate(g.self, &g.buf, BUF_SIZE, TRUE), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_allocate(g.self, &g.dst, DST_SIZE, TRUE), KERN_SUCCESS);
	GUEST_EXPECT_KR(guest_thread_start(pager_main, NULL, pager_stack, sizeof pager_stack,
					   &g.thread), KERN_SUCCESS);
	pager_sync();
	guest_printf("pager: pager thread up; objects of %u pages, page size %lu\n",
		     OBJ_PAGES, (unsigned long)P);
}

int guest_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	setup();
	test_late();
	test_error();
	test_unavailable();
	test_never();
	test_killed();
	test_write_back();
	test_unmap();
	test_object_copy();
	test_seed_form();
	test_region_at_top();
	return 0;
}

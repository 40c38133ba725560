/*
 * runtime.c: start-up, MIG support, console and exit of a mosaic guest.
 *
 * See guest.h for what a guest is.  Start-up order matters:
 *
 *   1. the ports: the boot script passes the host privileged port and the
 *      device master port as decimal port names in argv[1] and argv[2];
 *   2. the console: device_open("console") on the device master port; from
 *      here on a failure can be reported;
 *   3. the default memory manager: a receive right of ours registered with
 *      vm_set_default_memory_manager.  Stock GNU Mach makes anonymous memory
 *      pageable only once a default manager exists; without one, creating a
 *      proxy of anonymous memory waits for it forever.  Nothing is ever
 *      paged out in these small guests, so the port is never served;
 *   4. guest_main(), then the PASS marker.
 *
 * Threads: a guest may start a few more threads in its task
 * (guest_thread_start), a pager thread for instance.  What the runtime
 * keeps per thread -- the MIG reply port, the console line, a port to sleep
 * on -- lives in a struct guest_thread, found by the stack the caller runs
 * on: each started thread runs on a stack its guest gave, the first thread
 * on any other.  That needs no trap and no thread-local storage.
 *
 * Nothing here allocates memory: buffers are static or on the stack.
 */
#include "guest.h"

#include <device/device_types.h>
#include <mach/mig_errors.h>
#include <mach/thread_status.h>

#include "device.user.h"
#include "mach.user.h"
#include "mach_host.user.h"
#include "mach_port.user.h"
#include "vmc_kern_names.h"

static mach_port_t host_priv_port;
static mach_port_t device_master_port;
static mach_port_t console_port;

/* What the runtime keeps for each thread (see the top of this file). */
struct guest_thread {
	void (*fn)(void *);
	void *arg;
	uintptr_t stack_lo;             /* 0 for the first thread */
	size_t stack_size;
	mach_port_t reply_port;         /* made on first use */
	mach_port_t sleep_port;         /* made on first use; never gets a message */
	/* The console line being built: device_write_inband carries at
	 * most IO_INBAND_MAX bytes a message. */
	char line[IO_INBAND_MAX];
	size_t line_len;
};

static struct guest_thread first_thread;
static struct guest_thread threads[GUEST_THREADS_MAX];
static volatile unsigned nthreads;      /* entries of threads[] in use */

/* The calling thread's record: the started thread whose stack holds a local
 * variable of ours, or the first thread. */
static struct guest_thread *self(void)
{
	volatile char here;
	uintptr_t at = (uintptr_t)&here;

	for (unsigned i = 0; i < nthreads; i++)
		if (at - threads[i].stack_lo < threads[i].stack_size)
			return &threads[i];
	return &first_thread;
}

mach_port_t guest_host_priv(void) { return host_priv_port; }
mach_port_t guest_device_master(void) { return device_master_port; }

/* Memory and string helpers the compiler and the stubs may call ---------- */

/* 8 bytes at a time (guest_copy8): the MIG stubs copy inline message data
 * with memcpy, and the replay's old path prices those bytes at the 8-byte
 * copy's rate. */
void *memcpy(void *dst, const void *src, size_t n)
{
	guest_copy8(dst, src, n);
	return dst;
}

/* x86 loads and stores 8 bytes at any alignment. */
typedef uint64_t unaligned_u64 __attribute__((aligned(1), may_alias));

void guest_copy8(void *dst, const void *src, size_t n)
{
	volatile unaligned_u64 *d8 = dst;
	const volatile unaligned_u64 *s8 = src;
	size_t words = n / 8, i = 0;

	for (; words - i >= 4; i += 4) {
		uint64_t a = s8[i], b = s8[i + 1], c = s8[i + 2], e = s8[i + 3];
		d8[i] = a;
		d8[i + 1] = b;
		d8[i + 2] = c;
		d8[i + 3] = e;
	}
	for (; i < words; i++)
		d8[i] = s8[i];
	volatile unsigned char *d1 = (volatile unsigned char *)dst + words * 8;
	const volatile unsigned char *s1 = (const volatile unsigned char *)src + words * 8;
	for (size_t k = 0; k < n % 8; k++)
		d1[k] = s1[k];
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Copies at most len bytes of src including its terminator; returns the
 * length copied without the terminator, as MIG expects. */
vm_size_t mig_strncpy(char *dst, const char *src, vm_size_t len)
{
	vm_size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len - 1 && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
	return i;
}

/* MIG support ------------------------------------------------------------- */

/* A message interrupted before it was sent is sent again; one interrupted
 * while waiting for the reply is waited for again.  Nothing else retries. */
mach_msg_return_t mach_msg(mach_msg_header_t *msg, mach_msg_option_t option,
	mach_msg_size_t send_size, mach_msg_size_t rcv_size,
	mach_port_t rcv_name, mach_msg_timeout_t timeout, mach_port_t notify)
{
	mach_msg_return_t mr;

	for (;;) {
		mr = mach_msg_trap(msg, option, send_size, rcv_size,
				   rcv_name, timeout, notify);
		if (mr == MACH_SEND_INTERRUPTED && (option & MACH_SEND_MSG))
			continue;
		if (mr == MACH_RCV_INTERRUPTED && (option & MACH_RCV_MSG)) {
			option &= ~MACH_SEND_MSG;
			continue;
		}
		return mr;
	}
}

/* One reply port a thread, made on first use. */
mach_port_t mig_get_reply_port(void)
{
	struct guest_thread *t = self();

	if (t->reply_port == MACH_PORT_NULL)
		t->reply_port = mach_reply_port();
	return t->reply_port;
}

/* A stub calls this when the reply port may hold a stale reply: drop it and
 * make a fresh one next time.  The cache is cleared first because
 * mach_port_mod_refs itself needs a reply port. */
void mig_dealloc_reply_port(mach_port_t port)
{
	struct guest_thread *t = self();

	if (port != t->reply_port)
		return;
	t->reply_port = MACH_PORT_NULL;
	(void)mach_port_mod_refs(mach_task_self(), port,
				 MACH_PORT_RIGHT_RECEIVE, -1);
}

void mig_put_reply_port(mach_port_t port)
{
	(void)port;
}

/* A user stub's room for inline data longer than the caller's buffer. */
void mig_allocate(vm_address_t *addr, vm_size_t size)
{
	if (vm_allocate(mach_task_self(), addr, size, TRUE) != KERN_SUCCESS)
		*addr = 0;
}

void mig_deallocate(vm_address_t addr, vm_size_t size)
{
	(void)vm_deallocate(mach_task_self(), addr, size);
}

/* Console ---------------------------------------------------------------- */

/* Each thread builds its own line, so lines of two threads do not mix. */
void guest_flush(void)
{
	struct guest_thread *t = self();
	int written;

	if (t->line_len == 0 || console_port == MACH_PORT_NULL) {
		t->line_len = 0;
		return;
	}
	(void)device_write_inband(console_port, 0, 0, t->line,
				  (mach_msg_type_number_t)t->line_len, &written);
	t->line_len = 0;
}

static void put_char(char c)
{
	struct guest_thread *t = self();

	if (t->line_len == sizeof t->line)
		guest_flush();
	t->line[t->line_len++] = c;
	if (c == '\n')
		guest_flush();
}

static void put_string(const char *s)
{
	if (s == NULL)
		s = "(null)";
	while (*s)
		put_char(*s++);
}

static void put_unsigned(uint64_t v, unsigned base)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		put_char(digits[--n]);
}

void guest_vprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put_char(*fmt);
			continue;
		}
		int longs = 0;
		fmt++;
		while (*fmt == 'l' || *fmt == 'z') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			put_string(va_arg(ap, const char *));
			break;
		case 'c':
			put_char((char)va_arg(ap, int));
			break;
		case 'd': {
			int64_t v = longs ? va_arg(ap, long) : va_arg(ap, int);
			if (v < 0) {
				put_char('-');
				put_unsigned(-(uint64_t)v, 10);
			} else {
				put_unsigned((uint64_t)v, 10);
			}
			break;
		}
		case 'u':
		case 'x': {
			uint64_t v = longs ? va_arg(ap, unsigned long)
					   : va_arg(ap, unsigned int);
			put_unsigned(v, *fmt == 'u' ? 10 : 16);
			break;
		}
		case 'p':
			put_string("0x");
			put_unsigned((uintptr_t)va_arg(ap, void *), 16);
			break;
		case '%':
			put_char('%');
			break;
		case '\0':
			return;
		default:        /* unknown conversion: show it, do not guess */
			put_char('%');
			put_char(*fmt);
			break;
		}
	}
}

void guest_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	guest_vprintf(fmt, ap);
	va_end(ap);
}

/* Status names ------------------------------------------------------------ */

/* KERN_* and the message errors from the core's table (vmc_kr_name), MIG's
 * here. */
const char *guest_kr_name(kern_return_t kr)
{
	static char unknown[2 + 16 + 1];
	const char *name = vmc_kr_name(kr);

	if (name[5] != '?')
		return name;
	switch (kr) {
#define NAME(x) case x: return #x
	NAME(MIG_TYPE_ERROR);
	NAME(MIG_REPLY_MISMATCH);
	NAME(MIG_REMOTE_ERROR);
	NAME(MIG_BAD_ID);
	NAME(MIG_BAD_ARGUMENTS);
	NAME(MIG_NO_REPLY);
	NAME(MIG_ARRAY_TOO_LARGE);
	NAME(MIG_SERVER_DIED);
	NAME(MACH_SEND_INVALID_DATA);
	NAME(MACH_SEND_INVALID_DEST);
	NAME(MACH_SEND_TIMED_OUT);
	NAME(MACH_SEND_INVALID_RIGHT);
	NAME(MACH_SEND_INVALID_MEMORY);
	NAME(MACH_RCV_INVALID_NAME);
	NAME(MACH_RCV_TIMED_OUT);
	NAME(MACH_RCV_TOO_LARGE);
	NAME(MACH_RCV_PORT_DIED);
#undef NAME
	default: {
		/* Not reentrant: two threads naming unknown codes at once
		 * may see each other's. */
		uint32_t v = (uint32_t)kr;
		unknown[0] = '0';
		unknown[1] = 'x';
		for (int i = 0; i < 8; i++)
			unknown[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xf];
		unknown[10] = '\0';
		return unknown;
	}
	}
}

/* Serving ----------------------------------------------------------------- */

/* Serves a port set with a MIG demux routine, for ever: requests with a
 * reply are answered with the next receive in the same mach_msg. */
void guest_serve(mach_port_t set, boolean_t (*demux)(mach_msg_header_t *, mach_msg_header_t *),
		  const char *who)
{
	union buf {
		mach_msg_header_t head;
		mig_reply_header_t reply;
		char space[8192];
	} a, b;
	union buf *req = &a, *rep = &b, *t;
	mach_msg_return_t mr;

	mr = mach_msg(&req->head, MACH_RCV_MSG, 0, sizeof *req, set, MACH_MSG_TIMEOUT_NONE,
		      MACH_PORT_NULL);
	for (;;) {
		if (mr != MACH_MSG_SUCCESS)
			guest_fail("%s: %s", who, guest_kr_name(mr));
		if (!demux(&req->head, &rep->head))
			guest_fail("%s: message id %d is not ours", who, req->head.msgh_id);
		if (rep->reply.RetCode == MIG_NO_REPLY ||
		    rep->head.msgh_remote_port == MACH_PORT_NULL) {
			mr = mach_msg(&req->head, MACH_RCV_MSG, 0, sizeof *req, set,
				      MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
			continue;
		}
		/* The reply sent and the next request received into its buffer,
		 * as mach_msg_server does. */
		mr = mach_msg(&rep->head, MACH_SEND_MSG | MACH_RCV_MSG, rep->head.msgh_size,
			      sizeof *rep, set, MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
		t = req;
		req = rep;
		rep = t;
	}
}

/* Threads and sleeping ------------------------------------------------------ */

extern void guest_thread_entry(void);  /* entry.S */
void guest_thread_main(struct guest_thread *t);

/* Where a started thread begins (from guest_thread_entry): its function,
 * then it ends itself. */
void guest_thread_main(struct guest_thread *t)
{
	t->fn(t->arg);
	guest_flush();
	(void)thread_terminate(mach_thread_self());
	for (;;)
		(void)swtch();
}

/*
 * A new thread's start, in two steps.  entry_stack readies the stack whose
 * top is top (16-byte aligned) and returns the stack pointer to start
 * with: x86_64 needs nothing on it (the argument goes in %rdi, and the
 * entry aligns the stack again); i386 has it as a call leaves it, a return
 * address of 0, then arg, the argument 16-byte aligned.  For a thread of a
 * new task this must come before task_create, whose copy of our memory the
 * child runs on.  entry_state then sets the thread to start at entry:
 * x86_64 with the 64-bit flat user segments the flavor brings, i386 with
 * the thread's own segments (thread_get_state).
 */
static uintptr_t entry_stack(void *arg, uintptr_t top)
{
#if defined(__x86_64__)
	(void)arg;
	return top;
#else
	uint32_t *sp = (uint32_t *)(top - 16) - 1;
	sp[0] = 0;
	sp[1] = (uint32_t)(uintptr_t)arg;
	return (uintptr_t)sp;
#endif
}

static kern_return_t entry_state(mach_port_t thread, void (*entry)(void), void *arg,
				 uintptr_t sp)
{
	struct i386_thread_state state;
	mach_msg_type_number_t count = i386_THREAD_STATE_COUNT;

#if defined(__x86_64__)
	(void)count;
	memset(&state, 0, sizeof state);
	state.rip = (uintptr_t)entry;
	state.rdi = (uintptr_t)arg;
	state.rsp = state.ursp = sp;
#else
	(void)arg;      /* on the stack already */
	kern_return_t kr = thread_get_state(thread, i386_THREAD_STATE, (thread_state_t)&state,
					    &count);
	if (kr != KERN_SUCCESS)
		return kr;
	state.eip = (uintptr_t)entry;
	state.uesp = sp;
	state.ebp = 0;
#endif
	return thread_set_state(thread, i386_THREAD_STATE, (thread_state_t)&state,
				i386_THREAD_STATE_COUNT);
}

kern_return_t guest_thread_start(void (*fn)(void *), void *arg, void *stack,
				 size_t size, mach_port_t *thread)
{
	struct guest_thread *t;
	uintptr_t lo = (uintptr_t)stack;
	mach_port_t child;
	kern_return_t kr;

	/* Is there room, and is the stack usable? */
	if (nthreads == GUEST_THREADS_MAX || self() != &first_thread)
		return KERN_RESOURCE_SHORTAGE;
	if (stack == NULL || size < 4096 || lo % 16 != 0 || size % 16 != 0)
		return KERN_INVALID_ARGUMENT;

	kr = thread_create(mach_task_self(), &child);
	if (kr != KERN_SUCCESS)
		return kr;
	t = &threads[nthreads];
	memset(t, 0, sizeof *t);
	t->fn = fn;
	t->arg = arg;
	t->stack_lo = lo;
	t->stack_size = size;
	kr = entry_state(child, guest_thread_entry, t, entry_stack(t, lo + size));
	if (kr == KERN_SUCCESS) {
		nthreads++;     /* before it runs: it finds itself by its stack */
		kr = thread_resume(child);
		if (kr != KERN_SUCCESS)
			nthreads--;
	}
	if (kr != KERN_SUCCESS) {
		(void)thread_terminate(child);
		(void)mach_port_deallocate(mach_task_self(), child);
		return kr;
	}
	*thread = child;
	return KERN_SUCCESS;
}

/* Tasks ------------------------------------------------------------------- */

extern void guest_task_entry(void);    /* entry.S */
void guest_task_main(struct guest_thread *t);

/* What the child's first thread runs, in the child's copy of this record. */
static struct guest_thread task_record;

/* Where a task guest_task_start made begins (from guest_task_entry): the
 * child's memory is a copy of the parent's, port names and all, so what
 * the runtime keeps per thread starts afresh (no started threads, no reply
 * port yet, an empty console line); the console, host and device ports
 * were inserted under the parent's names.  When fn returns, the task ends
 * itself. */
void guest_task_main(struct guest_thread *t)
{
	nthreads = 0;
	memset(&first_thread, 0, sizeof first_thread);
	t->fn(t->arg);
	guest_flush();
	(void)task_terminate(mach_task_self());
	for (;;)
		(void)swtch();
}

/* A send right of ours under the same name in the child, if we have one. */
static kern_return_t give_same_name(mach_port_t child, mach_port_t name)
{
	if (name == MACH_PORT_NULL)
		return KERN_SUCCESS;
	return mach_port_insert_right(child, name, name, MACH_MSG_TYPE_COPY_SEND);
}

kern_return_t guest_task_start(void (*fn)(void *), void *arg, void *stack, size_t size,
			       const struct guest_right *rights, unsigned nrights,
			       mach_port_t *task, mach_port_t *thread)
{
	uintptr_t lo = (uintptr_t)stack;
	mach_port_t child, th = MACH_PORT_NULL;
	kern_return_t kr;

	if (self() != &first_thread)
		return KERN_RESOURCE_SHORTAGE;
	if (stack == NULL || size < 4096 || lo % 16 != 0 || size % 16 != 0)
		return KERN_INVALID_ARGUMENT;
	/* Set before the copy: the child finds fn and arg in its own. */
	memset(&task_record, 0, sizeof task_record);
	task_record.fn = fn;
	task_record.arg = arg;
	uintptr_t sp = entry_stack(&task_record, lo + size);
	guest_flush();
	kr = task_create(mach_task_self(), TRUE, &child);
	if (kr != KERN_SUCCESS)
		return kr;
	kr = give_same_name(child, console_port);
	if (kr == KERN_SUCCESS)
		kr = give_same_name(child, host_priv_port);
	if (kr == KERN_SUCCESS)
		kr = give_same_name(child, device_master_port);
	for (unsigned i = 0; i < nrights && kr == KERN_SUCCESS; i++)
		kr = mach_port_insert_right(child, rights[i].name, rights[i].name,
					    rights[i].type);
	if (kr == KERN_SUCCESS)
		kr = thread_create(child, &th);
	if (kr == KERN_SUCCESS) {
		kr = entry_state(th, guest_task_entry, &task_record, sp);
	}
	if (kr == KERN_SUCCESS)
		kr = thread_resume(th);
	if (kr != KERN_SUCCESS) {
		(void)task_terminate(child);
		(void)mach_port_deallocate(mach_task_self(), child);
		if (th != MACH_PORT_NULL)
			(void)mach_port_deallocate(mach_task_self(), th);
		return kr;
	}
	*task = child;
	*thread = th;
	return KERN_SUCCESS;
}

kern_return_t guest_region(vm_address_t *addr, vm_size_t *size, vm_prot_t *prot,
			   vm_prot_t *maxprot)
{
	vm_inherit_t inherit;
	boolean_t shared;
	mach_port_t name = MACH_PORT_NULL;
	vm_offset_t offset;
	kern_return_t kr;

	kr = vm_region(mach_task_self(), addr, size, prot, maxprot, &inherit, &shared,
		       &name, &offset);
	if (name != MACH_PORT_NULL)
		(void)mach_port_deallocate(mach_task_self(), name);
	return kr;
}

void guest_sleep_ms(unsigned ms)
{
	struct guest_thread *t = self();
	mach_msg_header_t msg;
	mach_msg_return_t mr;

	if (t->sleep_port == MACH_PORT_NULL &&
	    mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE,
			       &t->sleep_port) != KERN_SUCCESS)
		guest_fail("guest_sleep_ms: no port to sleep on");
	mr = mach_msg(&msg, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof msg,
		      t->sleep_port, ms, MACH_PORT_NULL);
	if (mr != MACH_RCV_TIMED_OUT)
		guest_fail("guest_sleep_ms: %s", guest_kr_name(mr));
}

/* Markers and exit -------------------------------------------------------- */

static __attribute__((noreturn)) void guest_exit(void)
{
	guest_flush();
	if (host_priv_port != MACH_PORT_NULL)
		(void)host_reboot(host_priv_port, 0);
	(void)task_terminate(mach_task_self());
	for (;;)
		(void)swtch();
}

void guest_pass(void)
{
	guest_printf("mosaic-guest: PASS %s\n", guest_name);
	guest_exit();
}

void guest_fail(const char *fmt, ...)
{
	va_list ap;

	guest_flush();          /* the marker starts its own line */
	guest_printf("mosaic-guest: FAIL %s: ", guest_name);
	va_start(ap, fmt);
	guest_vprintf(fmt, ap);
	va_end(ap);
	guest_printf("\n");
	guest_exit();
}

/* Start-up ---------------------------------------------------------------- */

/* A port name in decimal, as the boot script writes it; 0 if malformed. */
static mach_port_t parse_port(const char *s)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0')
		return MACH_PORT_NULL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > UINT32_MAX / 10)
			return MACH_PORT_NULL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	return v > UINT32_MAX ? MACH_PORT_NULL : (mach_port_t)v;
}

static void become_default_pager(void)
{
	mach_port_t port, old;
	kern_return_t kr;

	kr = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &port);
	if (kr != KERN_SUCCESS)
		guest_fail("mach_port_allocate for the default pager: %s",
			   guest_kr_name(kr));
	old = port;
	kr = vm_set_default_memory_manager(host_priv_port, &old);
	if (kr != KERN_SUCCESS)
		guest_fail("vm_set_default_memory_manager: %s",
			   guest_kr_name(kr));
}

void guest_start(intptr_t *sp);
void guest_start(intptr_t *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)&sp[1];
	kern_return_t kr;

	host_priv_port = argc > 1 ? parse_port(argv[1]) : MACH_PORT_NULL;
	device_master_port = argc > 2 ? parse_port(argv[2]) : MACH_PORT_NULL;
	if (device_master_port == MACH_PORT_NULL)
		guest_exit();   /* no console: the runner reports the timeout */
	kr = device_open(device_master_port, D_WRITE, "console", &console_port);
	if (kr != KERN_SUCCESS) {
		console_port = MACH_PORT_NULL;
		guest_exit();
	}
	/* The kernel leaves "start NAME: " unterminated: begin a line. */
	guest_printf("\nmosaic-guest: START %s\n", guest_name);
	if (host_priv_port == MACH_PORT_NULL)
		guest_fail("no host privileged port on the command line");
	become_default_pager();
	if (guest_main(argc, argv) != 0)
		guest_fail("guest_main returned non-zero");
	guest_pass();
}

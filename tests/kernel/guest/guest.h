/*
 * guest.h: the runtime of mosaic's guest programs on GNU Mach.
 *
 * A guest is a freestanding x86_64 program that GRUB loads as GNU Mach's
 * boot module, so it runs as the first task, with the host privileged port
 * and the device master port named on its command line.  The runtime gives
 * it what a test needs and nothing more: the traps, the MIG support the
 * generated stubs call, a console on the kernel's "console" device, result
 * markers and an exit.
 *
 * The runner (tests/kernel/run-guest.sh) judges a boot by its serial log:
 *
 *     mosaic-guest: PASS <name>
 *     mosaic-guest: FAIL <name>: <reason>
 *
 * exactly one of which a guest prints, last.  A crash, a panic or a hang
 * prints neither and the runner fails the test on that too.
 *
 * A guest defines guest_name and guest_main(); the runtime calls
 * guest_main() after setting up the console and registering the guest as
 * the default memory manager, and prints PASS if it returns 0.
 */
#ifndef MOSAIC_GUEST_H
#define MOSAIC_GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mach/kern_return.h>
#include <mach/mach_types.h>
#include <mach/message.h>
#include <mach/vm_prot.h>

/* Traps (entry.S). */
extern mach_msg_return_t mach_msg_trap(mach_msg_header_t *msg,
	mach_msg_option_t option, mach_msg_size_t send_size,
	mach_msg_size_t rcv_size, mach_port_t rcv_name,
	mach_msg_timeout_t timeout, mach_port_t notify);
extern mach_port_t mach_reply_port(void);
extern mach_port_t mach_thread_self(void);
extern mach_port_t mach_task_self(void);
extern mach_port_t mach_host_self(void);
extern boolean_t swtch(void);
/* mosaic's trap form of vm_copy_from_object: the RPC's arguments and results
 * (experimental.defs), and *count written every time. */
extern kern_return_t vm_copy_from_object_trap(mach_port_t target_task,
	vm_address_t address, vm_size_t size, mach_port_t memory_object,
	vm_offset_t offset, vm_size_t *count);

/* What the MIG stubs call (runtime.c). */
mach_msg_return_t mach_msg(mach_msg_header_t *msg, mach_msg_option_t option,
	mach_msg_size_t send_size, mach_msg_size_t rcv_size,
	mach_port_t rcv_name, mach_msg_timeout_t timeout, mach_port_t notify);
mach_port_t mig_get_reply_port(void);
void mig_dealloc_reply_port(mach_port_t port);
void mig_put_reply_port(mach_port_t port);
void mig_allocate(vm_address_t *addr, vm_size_t size);
void mig_deallocate(vm_address_t addr, vm_size_t size);
vm_size_t mig_strncpy(char *dst, const char *src, vm_size_t len);
void *memcpy(void *dst, const void *src, size_t n);
/* n bytes, 8 at a time at any alignment, then bytes: the shape of the
 * kernel's copy loop (core/vmc_copy.c), never `rep movs' (which the
 * emulator runs a byte at a time). */
void guest_copy8(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#define GUEST_PAGE_SIZE ((vm_size_t)4096)

/* The kernel's address width, which is the guest's own except on an x86_64
 * kernel whose tasks are 32-bit (--enable-user32: build-guest.sh then
 * defines it as 64).  There a 32-bit task's words are added in 64 bits: a
 * range that wraps for the task does not for the kernel. */
#ifndef GUEST_KERNEL_ADDR_BITS
#define GUEST_KERNEL_ADDR_BITS (8 * sizeof(vm_address_t))
#endif

static inline uint64_t guest_trunc_page(uint64_t x)
{
	return x & ~(uint64_t)(GUEST_PAGE_SIZE - 1);
}

static inline uint64_t guest_round_page(uint64_t x)
{
	return (x + GUEST_PAGE_SIZE - 1) & ~(uint64_t)(GUEST_PAGE_SIZE - 1);
}

/* The time-stamp counter: instructions under QEMU -icount shift=0, the
 * host's counter in plain emulation. */
static inline uint64_t guest_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Set by the guest program: the name its markers carry. */
extern const char guest_name[];

/* The guest's body.  Returns 0 on success; on failure it has already
 * called guest_fail() (which does not return), or returns non-zero and the
 * runtime reports a generic failure. */
int guest_main(int argc, char **argv);

/* Ports the boot script handed over (0 if it did not). */
mach_port_t guest_host_priv(void);
mach_port_t guest_device_master(void);

/*
 * Threads.  guest_thread_start runs fn(arg) in a new thread of this task on
 * the stack [stack, stack + size) (16-byte aligned, at least a page; the
 * thread owns it from then on) and gives its thread port in *thread; when
 * fn returns, the thread terminates itself.  Only the first thread starts
 * threads, at most GUEST_THREADS_MAX.  Each thread has its own MIG reply
 * port and console line; the runtime tells them apart by their stacks.
 * Returns KERN_SUCCESS, KERN_RESOURCE_SHORTAGE (no room, or not called from
 * the first thread), KERN_INVALID_ARGUMENT (the stack), or what
 * thread_create, thread_set_state or thread_resume said.
 */
#define GUEST_THREADS_MAX 4
kern_return_t guest_thread_start(void (*fn)(void *), void *arg, void *stack,
				 size_t size, mach_port_t *thread);

/* Serves a port set (or port) with a MIG demux routine, for ever, as
 * mach_msg_server does: a reply goes out with the next receive in one
 * mach_msg.  Fails the guest on a receive error or a message demux does
 * not know (who names the server in the message). */
__attribute__((noreturn))
void guest_serve(mach_port_t set, boolean_t (*demux)(mach_msg_header_t *, mach_msg_header_t *),
		 const char *who);

/*
 * Tasks.  guest_task_start makes a new task whose memory is a copy of this
 * one's (task_create inheriting memory: code, data and every allocation of
 * ours whose inheritance is copy), gives it send rights to the console,
 * host and device ports and the rights[] under the names they have here
 * (inserted before its thread runs), and runs fn(arg) in its first thread
 * on the stack [stack, stack + size), which must be memory of ours the
 * child inherits (vm_allocate'd, say).  When fn returns the
 * task terminates itself.  Called from the first thread only.  Returns
 * KERN_SUCCESS with the task and its thread, or the failing call's code
 * (nothing left behind).
 */
struct guest_right {
	mach_port_t name;               /* ours, and the child's name for it */
	mach_msg_type_name_t type;      /* MACH_MSG_TYPE_MAKE_SEND, _MOVE_RECEIVE, ... */
};
kern_return_t guest_task_start(void (*fn)(void *), void *arg, void *stack, size_t size,
			       const struct guest_right *rights, unsigned nrights,
			       mach_port_t *task, mach_port_t *thread);

/* Sleeps about ms milliseconds of the kernel's clock: a receive that times
 * out on a port of the thread's own, which never gets a message. */
void guest_sleep_ms(unsigned ms);

/* vm_region of this task at *addr: the first region at or after it, in
 * *addr and *size, with its protections; the object name vm_region returns
 * is let go.  Returns what vm_region returned. */
kern_return_t guest_region(vm_address_t *addr, vm_size_t *size, vm_prot_t *prot,
			   vm_prot_t *maxprot);

/* Console output.  guest_printf understands %s %c %d %u %x %p and the l and
 * z length modifiers, and %%; output is line-buffered and a line is written
 * to the console device whole (or in 128-byte pieces if longer). */
void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void guest_vprintf(const char *fmt, va_list ap);
void guest_flush(void);

/* The name of a status code: KERN_*, MIG_* or MACH_* ("0x..." if unknown). */
const char *guest_kr_name(kern_return_t kr);

/* Print the PASS or FAIL marker (from any thread), then leave: reboot the machine through the
 * host privileged port (QEMU's -no-reboot turns that into an exit), or if
 * that is refused, terminate the task.  Neither returns. */
__attribute__((noreturn)) void guest_pass(void);
__attribute__((noreturn, format(printf, 1, 2)))
void guest_fail(const char *fmt, ...);

/* Checks for guest bodies: fail with the expression and the codes. */
#define GUEST_EXPECT_KR(expr, want) do {				\
	kern_return_t kr_ = (expr);					\
	if (kr_ != (want))						\
		guest_fail("%s:%d: %s returned %s, expected %s",	\
			__FILE__, __LINE__, #expr, guest_kr_name(kr_),	\
			guest_kr_name(want));				\
} while (0)

#define GUEST_CHECK(cond) do {						\
	if (!(cond))							\
		guest_fail("%s:%d: %s is false",			\
			__FILE__, __LINE__, #cond);			\
} while (0)

#endif /* MOSAIC_GUEST_H */

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
 * Nothing here allocates memory: buffers are static or on the stack.
 */
#include "guest.h"

#include <device/device_types.h>
#include <mach/mig_errors.h>

#include "device.user.h"
#include "mach.user.h"
#include "mach_host.user.h"
#include "mach_port.user.h"

static mach_port_t host_priv_port;
static mach_port_t device_master_port;
static mach_port_t console_port;
static mach_port_t reply_port;

mach_port_t guest_host_priv(void) { return host_priv_port; }
mach_port_t guest_device_master(void) { return device_master_port; }

/* Memory and string helpers the compiler and the stubs may call ---------- */

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
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

/* One thread, so one reply port, made on first use. */
mach_port_t mig_get_reply_port(void)
{
	if (reply_port == MACH_PORT_NULL)
		reply_port = mach_reply_port();
	return reply_port;
}

/* A stub calls this when the reply port may hold a stale reply: drop it and
 * make a fresh one next time.  The cache is cleared first because
 * mach_port_mod_refs itself needs a reply port. */
void mig_dealloc_reply_port(mach_port_t port)
{
	if (port != reply_port)
		return;
	reply_port = MACH_PORT_NULL;
	(void)mach_port_mod_refs(mach_task_self(), port,
				 MACH_PORT_RIGHT_RECEIVE, -1);
}

void mig_put_reply_port(mach_port_t port)
{
	(void)port;
}

/* Console ---------------------------------------------------------------- */

/* device_write_inband carries at most IO_INBAND_MAX bytes a message. */
static char line[IO_INBAND_MAX];
static size_t line_len;

void guest_flush(void)
{
	int written;

	if (line_len == 0 || console_port == MACH_PORT_NULL) {
		line_len = 0;
		return;
	}
	(void)device_write_inband(console_port, 0, 0, line,
				  (mach_msg_type_number_t)line_len, &written);
	line_len = 0;
}

static void put_char(char c)
{
	if (line_len == sizeof line)
		guest_flush();
	line[line_len++] = c;
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

extern const char *guest_kern_name(int kr);     /* krname.c */

const char *guest_kr_name(kern_return_t kr)
{
	static char unknown[2 + 16 + 1];
	const char *name = guest_kern_name(kr);

	if (name)
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
		/* Not reentrant, which is fine on one thread. */
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

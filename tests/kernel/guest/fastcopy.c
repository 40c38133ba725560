/*
 * fastcopy.c: mosaic's fast-copy RPCs on the kernel with mosaic built in.
 *
 * vm_copy_from_object, vm_copy_to_object and vm_copy_between_objects (experimental.defs)
 * against memory whose every byte the guest knows:
 *
 *   file    16 pages, filled with file_byte(); its memory objects are two
 *           proxies of it (vm_region_create_proxy), read-only and
 *           read-write, each exactly the file's window;
 *   buf     8 pages, filled with buf_byte(), spanning five map entries and
 *           two objects: an inheritance change splits it, and pages 5-6
 *           are a shared mapping of a proxy of another region;
 *   dst     4 pages, the destination of object-to-object copies;
 *   edge    2 pages followed by a hole, for short copies.
 *
 * Every copy is at unaligned offsets and lengths, most cross pages and map
 * entries.  After each one every byte of the region written is checked:
 * the requested range holds the source's bytes, every other byte is
 * untouched.  Then the error cases: a null or dead task, a thread port as
 * the task, ports that are not memory objects, wrapping ranges, holes in
 * the buffer and past a proxy's window (short count, then the reason on
 * the retry), a read-only proxy or page as a destination.  Last, the trap
 * form of vm_copy_from_object (Mach trap 120): the same copies and results, and
 * its count, which is written even on an error.  And copies through
 * proxies made by memory_object_create_proxy: a read-write proxy wrapping
 * the read-only one (rights are intersected: no write reaches the file),
 * and a proxy of three ranges of two objects with a hole, one range
 * read-only (copies splice the ranges, stop exactly at the hole and at the
 * read-only range).  And copies into memory that a vm_read snapshot still
 * shares: the file's object then has a copy object, so its resident pages
 * cannot take the resident shortcut for a write (the old bytes must be
 * pushed to the snapshot first); the snapshot must keep them, through the
 * file's proxy (vm_copy_to_object) and through the file's own mapping
 * (vm_copy_from_object into it).  Last, the Hurd's direct read
 * (mach-port/hurd/series, io_read_direct): a write-only proxy of the
 * whole pages inside a buffer, memory never touched, written between
 * objects from a window of the file made by memory_object_create_proxy,
 * as the server's libpager makes one of a file's pager.
 *
 * One line per case, `fastcopy: <call> <arguments>: <result> ok'; any
 * difference fails the guest with what was expected.
 */
#include "guest.h"

#include <mach/notify.h>

#include "mach.user.h"
#include "mach4.user.h"
#include "mach_port.user.h"
#include "experimental.user.h"

const char guest_name[] = MOSAIC_GUEST_NAME;

#define P               GUEST_PAGE_SIZE
#define FILE_SIZE       (16 * P)
#define BUF_SIZE        (8 * P)
#define DST_SIZE        (4 * P)
#define NO_COUNT        ((vm_size_t)0xdeadbeefcafe)

/*
 * A range past the top of the task's words wraps for the kernel only if
 * the kernel's addresses are as wide (KERN_INVALID_ARGUMENT).  A 32-bit
 * task on an x86_64 kernel (--enable-user32) gives 32-bit words that the
 * kernel adds in 64 bits: the range then lies past the task's space or the
 * object's end, where nothing is (KERN_INVALID_ADDRESS).
 */
#define TASK_WRAPS      (GUEST_KERNEL_ADDR_BITS == 8 * sizeof(vm_address_t))
#define WRAP_KR         (TASK_WRAPS ? KERN_INVALID_ARGUMENT : KERN_INVALID_ADDRESS)

typedef unsigned char (*pattern_fn)(vm_size_t k);

static unsigned char file_byte(vm_size_t k)
{
	return (unsigned char)((k * 37u) ^ (k >> 7) ^ 0x5a);
}

static unsigned char buf_byte(vm_size_t k)
{
	return (unsigned char)(k * 11u + (k >> 9) + 0xc3);
}

static unsigned char dst_byte(vm_size_t k)
{
	return (unsigned char)(k * 5u + (k >> 11) + 0x17);
}

static struct {
	mach_port_t self;
	vm_address_t file, buf, dst, edge, other;
	mach_port_t file_ro, file_rw;   /* proxies of file */
	mach_port_t dst_ro, dst_rw;     /* proxies of dst */
	mach_port_t other_rw;           /* proxy mapped into buf */
} t;

static void fill(vm_address_t a, vm_size_t n, pattern_fn f)
{
	volatile unsigned char *p = (volatile unsigned char *)a;

	for (vm_size_t k = 0; k < n; k++)
		p[k] = f(k);
}

/*
 * Checks the n bytes at a: those in [lo, lo + len) must be src(soff + k -
 * lo), the others still outside(k).  Fails the guest at the first
 * difference.
 */
static void check(const char *what, vm_address_t a, vm_size_t n, pattern_fn outside,
		  vm_size_t lo, vm_size_t len, pattern_fn src, vm_size_t soff)
{
	const volatile unsigned char *p = (const volatile unsigned char *)a;

	for (vm_size_t k = 0; k < n; k++) {
		bool in = k >= lo && k - lo < len;
		unsigned char want = in ? src(soff + (k - lo)) : outside(k);
		if (p[k] != want)
			guest_fail("%s: byte %lu is 0x%x, expected 0x%x (%s the copied range)",
				   what, (unsigned long)k, p[k], want, in ? "inside" : "outside");
	}
}

/* The result of one call against what it must be; prints the case line. */
static void expect(const char *call, const char *args, kern_return_t kr, vm_size_t count,
		   kern_return_t want, vm_size_t want_count)
{
	if (kr != want)
		guest_fail("%s %s: %s, expected %s", call, args, guest_kr_name(kr),
			   guest_kr_name(want));
	if (kr == KERN_SUCCESS && count != want_count)
		guest_fail("%s %s: count %lu, expected %lu", call, args, (unsigned long)count,
			   (unsigned long)want_count);
	if (kr == KERN_SUCCESS)
		guest_printf("fastcopy: %s %s: %s count=%lu ok\n", call, args,
			     guest_kr_name(kr), (unsigned long)count);
	else
		guest_printf("fastcopy: %s %s: %s ok\n", call, args, guest_kr_name(kr));
}

/*
 * Makes one call and checks its result.  The call expression writes the
 * count through &count, the variable this macro declares (set to NO_COUNT
 * first, so a count that is not written shows); it is read only after the
 * call returns.
 */
#define EXPECT(call, args, expr, want, want_count) do {			\
	vm_size_t count = NO_COUNT;					\
	kern_return_t kr_ = (expr);					\
	expect(call, args, kr_, count, want, want_count);		\
} while (0)

/* "boff=... foff=... len=..." into a static buffer (one thread). */
static const char *args3(const char *n1, vm_size_t v1, const char *n2, vm_size_t v2,
			 vm_size_t len)
{
	static char s[96];
	char *p = s;
	const char *names[3] = { n1, n2, "len" };
	vm_size_t vals[3] = { v1, v2, len };

	for (int i = 0; i < 3; i++) {
		char digits[24];
		int nd = 0;
		vm_size_t v = vals[i];

		if (i)
			*p++ = ' ';
		for (const char *q = names[i]; *q; q++)
			*p++ = *q;
		*p++ = '=';
		do {
			digits[nd++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		while (nd)
			*p++ = digits[--nd];
	}
	*p = '\0';
	return s;
}

/* How many map entries cover [a, a + n)?  (vm_region, entry by entry) */
static unsigned count_entries(vm_address_t a, vm_size_t n)
{
	vm_address_t cur = a;
	unsigned entries = 0;

	while (cur < a + n) {
		vm_address_t at = cur;
		vm_size_t size;
		vm_prot_t prot, maxprot;

		GUEST_EXPECT_KR(guest_region(&at, &size, &prot, &maxprot), KERN_SUCCESS);
		GUEST_CHECK(at <= cur);
		entries++;
		cur = at + size;
	}
	return entries;
}

static void setup(void)
{
	vm_address_t at;

	t.self = mach_task_self();
	GUEST_EXPECT_KR(vm_allocate(t.self, &t.file, FILE_SIZE, TRUE), KERN_SUCCESS);
	fill(t.file, FILE_SIZE, file_byte);
	GUEST_EXPECT_KR(vm_region_create_proxy(t.self, t.file, VM_PROT_READ, FILE_SIZE,
					       &t.file_ro), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_region_create_proxy(t.self, t.file, VM_PROT_READ | VM_PROT_WRITE,
					       FILE_SIZE, &t.file_rw), KERN_SUCCESS);

	GUEST_EXPECT_KR(vm_allocate(t.self, &t.dst, DST_SIZE, TRUE), KERN_SUCCESS);
	fill(t.dst, DST_SIZE, dst_byte);
	GUEST_EXPECT_KR(vm_region_create_proxy(t.self, t.dst, VM_PROT_READ, DST_SIZE,
					       &t.dst_ro), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_region_create_proxy(t.self, t.dst, VM_PROT_READ | VM_PROT_WRITE,
					       DST_SIZE, &t.dst_rw), KERN_SUCCESS);

	/* buf: [0,2) [2,3) [3,5) one object, [5,7) another's mapping, [7,8). */
	GUEST_EXPECT_KR(vm_allocate(t.self, &t.other, 2 * P, TRUE), KERN_SUCCESS);
	fill(t.other, 2 * P, dst_byte);
	GUEST_EXPECT_KR(vm_region_create_proxy(t.self, t.other, VM_PROT_READ | VM_PROT_WRITE,
					       2 * P, &t.other_rw), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_allocate(t.self, &t.buf, BUF_SIZE, TRUE), KERN_SUCCESS);
	fill(t.buf, BUF_SIZE, buf_byte);
	GUEST_EXPECT_KR(vm_inherit(t.self, t.buf + 2 * P, P, VM_INHERIT_NONE), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_deallocate(t.self, t.buf + 5 * P, 2 * P), KERN_SUCCESS);
	at = t.buf + 5 * P;
	GUEST_EXPECT_KR(vm_map(t.self, &at, 2 * P, 0, FALSE, t.other_rw, 0, FALSE,
			       VM_PROT_READ | VM_PROT_WRITE, VM_PROT_READ | VM_PROT_WRITE,
			       VM_INHERIT_COPY), KERN_SUCCESS);
	GUEST_CHECK(at == t.buf + 5 * P);
	fill(t.buf, BUF_SIZE, buf_byte);
	GUEST_CHECK(count_entries(t.buf, BUF_SIZE) >= 5);

	/* edge: two pages, then a hole. */
	GUEST_EXPECT_KR(vm_allocate(t.self, &t.edge, 3 * P, TRUE), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_deallocate(t.self, t.edge + 2 * P, P), KERN_SUCCESS);
	fill(t.edge, 2 * P, buf_byte);

	guest_printf("fastcopy: file %lu bytes, buffer %lu bytes in %u map entries\n",
		     (unsigned long)FILE_SIZE, (unsigned long)BUF_SIZE,
		     count_entries(t.buf, BUF_SIZE));
}

/* Offsets and lengths: unaligned, across pages and buf's map entries. */
struct span {
	vm_size_t a;    /* offset in the task buffer */
	vm_size_t o;    /* offset in the memory object */
	vm_size_t len;
};

static const struct span spans[] = {
	{ 0, 0, P },                            /* aligned, one page */
	{ 1, 3, 2 * P - 3 },                    /* unaligned, across a page */
	{ P - 1, 1, 2 },                        /* two bytes across a page */
	{ 100, 4000, 5 * P + 123 },             /* entries [0,2) .. [5,7) */
	{ 3 * P - 5, 12345, 4 * P + 10 },       /* into and out of the mapping */
	{ 7, 9, BUF_SIZE - 7 - 3 },             /* nearly all of buf */
	{ 6 * P + 17, 15 * P + 1, P - 1 },      /* to the file's last byte */
	{ 123, 456, 0 },                        /* nothing */
};
#define NSPANS (sizeof spans / sizeof spans[0])

static void test_read(void)
{
	for (unsigned i = 0; i < NSPANS; i++) {
		const struct span *s = &spans[i];
		const char *args = args3("buf", s->a, "file", s->o, s->len);

		fill(t.buf, BUF_SIZE, buf_byte);
		EXPECT("vm_copy_from_object", args,
		       vm_copy_from_object(t.self, t.buf + s->a, s->len, t.file_ro, s->o, &count),
		       KERN_SUCCESS, s->len);
		check("vm_copy_from_object: buf", t.buf, BUF_SIZE, buf_byte, s->a, s->len, file_byte, s->o);
		check("vm_copy_from_object: file", t.file, FILE_SIZE, file_byte, 0, 0, file_byte, 0);
	}
}

static void test_write(void)
{
	for (unsigned i = 0; i < NSPANS; i++) {
		const struct span *s = &spans[i];
		const char *args = args3("buf", s->a, "file", s->o, s->len);

		fill(t.buf, BUF_SIZE, buf_byte);
		fill(t.file, FILE_SIZE, file_byte);
		EXPECT("vm_copy_to_object", args,
		       vm_copy_to_object(t.self, t.buf + s->a, s->len, t.file_rw, s->o, &count),
		       KERN_SUCCESS, s->len);
		check("vm_copy_to_object: file", t.file, FILE_SIZE, file_byte, s->o, s->len, buf_byte,
		      s->a);
		check("vm_copy_to_object: buf", t.buf, BUF_SIZE, buf_byte, 0, 0, buf_byte, 0);
	}
	fill(t.file, FILE_SIZE, file_byte);
}

static void test_object_copy(void)
{
	static const struct span cs[] = {
		{ 0, 0, P },
		{ 4093, 5, 3 * P - 7 },                 /* dst offset 4093 */
		{ 1, 14 * P + 77, 2 * P - 77 },         /* to the file's end */
		{ 2 * P, 3, 0 },
	};

	for (unsigned i = 0; i < sizeof cs / sizeof cs[0]; i++) {
		const char *args = args3("dst", cs[i].a, "file", cs[i].o, cs[i].len);

		fill(t.dst, DST_SIZE, dst_byte);
		EXPECT("vm_copy_between_objects", args,
		       vm_copy_between_objects(t.file_ro, cs[i].o, t.dst_rw, cs[i].a, cs[i].len, &count),
		       KERN_SUCCESS, cs[i].len);
		check("vm_copy_between_objects: dst", t.dst, DST_SIZE, dst_byte, cs[i].a, cs[i].len,
		      file_byte, cs[i].o);
		check("vm_copy_between_objects: file", t.file, FILE_SIZE, file_byte, 0, 0, file_byte, 0);
	}
	fill(t.dst, DST_SIZE, dst_byte);
}

/* Short copies: k > 0 bytes then KERN_SUCCESS with count k; the retry from
 * the first uncopied byte says why. */
static void test_short(void)
{
	/* The buffer ends at a hole 100 bytes in. */
	fill(t.edge, 2 * P, buf_byte);
	EXPECT("vm_copy_from_object", "edge=8092 file=5 len=300 (hole after 100)",
	       vm_copy_from_object(t.self, t.edge + 2 * P - 100, 300, t.file_ro, 5, &count),
	       KERN_SUCCESS, 100);
	check("vm_copy_from_object: edge", t.edge, 2 * P, buf_byte, 2 * P - 100, 100, file_byte, 5);
	EXPECT("vm_copy_from_object", "edge=8192 file=105 len=200 (retry at the hole)",
	       vm_copy_from_object(t.self, t.edge + 2 * P, 200, t.file_ro, 105, &count),
	       KERN_INVALID_ADDRESS, 0);

	fill(t.edge, 2 * P, buf_byte);
	EXPECT("vm_copy_to_object", "edge=8092 file=5 len=300 (hole after 100)",
	       vm_copy_to_object(t.self, t.edge + 2 * P - 100, 300, t.file_rw, 5, &count),
	       KERN_SUCCESS, 100);
	check("vm_copy_to_object: file", t.file, FILE_SIZE, file_byte, 5, 100, buf_byte, 2 * P - 100);
	EXPECT("vm_copy_to_object", "edge=8192 file=105 len=200 (retry at the hole)",
	       vm_copy_to_object(t.self, t.edge + 2 * P, 200, t.file_rw, 105, &count),
	       KERN_INVALID_ADDRESS, 0);
	fill(t.file, FILE_SIZE, file_byte);

	/* The proxy's window ends 50 bytes in. */
	fill(t.buf, BUF_SIZE, buf_byte);
	EXPECT("vm_copy_from_object", "buf=3 file=65486 len=200 (window ends after 50)",
	       vm_copy_from_object(t.self, t.buf + 3, 200, t.file_ro, FILE_SIZE - 50, &count),
	       KERN_SUCCESS, 50);
	check("vm_copy_from_object: buf", t.buf, BUF_SIZE, buf_byte, 3, 50, file_byte, FILE_SIZE - 50);
	EXPECT("vm_copy_from_object", "buf=53 file=65536 len=150 (retry past the window)",
	       vm_copy_from_object(t.self, t.buf + 53, 150, t.file_ro, FILE_SIZE, &count),
	       KERN_INVALID_ADDRESS, 0);
	fill(t.buf, BUF_SIZE, buf_byte);
	EXPECT("vm_copy_to_object", "buf=0 file=65530 len=20 (window ends after 6)",
	       vm_copy_to_object(t.self, t.buf, 20, t.file_rw, FILE_SIZE - 6, &count),
	       KERN_SUCCESS, 6);
	check("vm_copy_to_object: file", t.file, FILE_SIZE, file_byte, FILE_SIZE - 6, 6, buf_byte, 0);
	fill(t.file, FILE_SIZE, file_byte);
	EXPECT("vm_copy_between_objects", "dst=16000 file=0 len=1000 (dst window ends after 384)",
	       vm_copy_between_objects(t.file_ro, 0, t.dst_rw, DST_SIZE - 384, 1000, &count),
	       KERN_SUCCESS, 384);
	check("vm_copy_between_objects: dst", t.dst, DST_SIZE, dst_byte, DST_SIZE - 384, 384,
	      file_byte, 0);
	fill(t.dst, DST_SIZE, dst_byte);

	/* A read-only page in the buffer: reads stop at it. */
	GUEST_EXPECT_KR(vm_protect(t.self, t.buf + 3 * P, P, FALSE, VM_PROT_READ), KERN_SUCCESS);
	fill(t.buf, 3 * P, buf_byte);
	EXPECT("vm_copy_from_object", "buf=12188 file=7 len=500 (read-only page after 100)",
	       vm_copy_from_object(t.self, t.buf + 3 * P - 100, 500, t.file_ro, 7, &count),
	       KERN_SUCCESS, 100);
	check("vm_copy_from_object: buf", t.buf, BUF_SIZE, buf_byte, 3 * P - 100, 100, file_byte, 7);
	EXPECT("vm_copy_from_object", "buf=12288 file=107 len=400 (retry at the read-only page)",
	       vm_copy_from_object(t.self, t.buf + 3 * P, 400, t.file_ro, 107, &count),
	       KERN_PROTECTION_FAILURE, 0);
	check("vm_copy_from_object: buf", t.buf, BUF_SIZE, buf_byte, 3 * P - 100, 100, file_byte, 7);
	GUEST_EXPECT_KR(vm_protect(t.self, t.buf + 3 * P, P, FALSE,
				   VM_PROT_READ | VM_PROT_WRITE), KERN_SUCCESS);
	fill(t.buf, BUF_SIZE, buf_byte);
}

static void test_errors(void)
{
	mach_port_t child = MACH_PORT_NULL, thread = mach_thread_self();

	/* Where the message goes: a null or dead task port never reaches the
	 * kernel; a thread port does, and is not a task. */
	EXPECT("vm_copy_from_object", "task=null",
	       vm_copy_from_object(MACH_PORT_NULL, t.buf, 10, t.file_ro, 0, &count),
	       MACH_SEND_INVALID_DEST, 0);
	GUEST_EXPECT_KR(task_create(t.self, FALSE, &child), KERN_SUCCESS);
	GUEST_EXPECT_KR(task_terminate(child), KERN_SUCCESS);
	EXPECT("vm_copy_from_object", "task=dead",
	       vm_copy_from_object(child, t.buf, 10, t.file_ro, 0, &count),
	       MACH_SEND_INVALID_DEST, 0);
	EXPECT("vm_copy_to_object", "task=dead",
	       vm_copy_to_object(child, t.buf, 10, t.file_rw, 0, &count),
	       MACH_SEND_INVALID_DEST, 0);
	EXPECT("vm_copy_from_object", "task=thread-port",
	       vm_copy_from_object(thread, t.buf, 10, t.file_ro, 0, &count),
	       KERN_INVALID_ARGUMENT, 0);

	/* Memory objects that are not. */
	EXPECT("vm_copy_from_object", "object=null",
	       vm_copy_from_object(t.self, t.buf, 10, MACH_PORT_NULL, 0, &count),
	       KERN_INVALID_ARGUMENT, 0);
	EXPECT("vm_copy_from_object", "object=task-port",
	       vm_copy_from_object(t.self, t.buf, 10, t.self, 0, &count),
	       KERN_INVALID_ARGUMENT, 0);
	EXPECT("vm_copy_to_object", "object=thread-port",
	       vm_copy_to_object(t.self, t.buf, 10, thread, 0, &count),
	       KERN_INVALID_ARGUMENT, 0);
	EXPECT("vm_copy_from_object", "object=dead-name",
	       vm_copy_from_object(t.self, t.buf, 10, child, 0, &count),
	       KERN_INVALID_ARGUMENT, 0);
	EXPECT("vm_copy_between_objects", "dst=task-port",
	       vm_copy_between_objects(t.file_ro, 0, t.self, 0, 10, &count),
	       KERN_INVALID_ARGUMENT, 0);
	EXPECT("vm_copy_between_objects", "src=task-port",
	       vm_copy_between_objects(t.self, 0, t.dst_rw, 0, 10, &count),
	       KERN_INVALID_ARGUMENT, 0);

	/* Ranges that wrap, on either side (past the top of a 32-bit
	   task's words on a 64-bit kernel: TASK_WRAPS). */
	EXPECT("vm_copy_from_object", "address=2^N-4096 len=8192 (wraps)",
	       vm_copy_from_object(t.self, (vm_address_t)0 - P, 2 * P, t.file_ro, 0, &count),
	       WRAP_KR, 0);
	EXPECT("vm_copy_from_object", "offset=2^N-4096 len=8192 (wraps)",
	       vm_copy_from_object(t.self, t.buf, 2 * P, t.file_ro, (vm_offset_t)0 - P, &count),
	       WRAP_KR, 0);
	EXPECT("vm_copy_to_object", "offset=2^N-1 len=2 (wraps)",
	       vm_copy_to_object(t.self, t.buf, 2, t.file_rw, (vm_offset_t)0 - 1, &count),
	       WRAP_KR, 0);
	EXPECT("vm_copy_between_objects", "dst_offset=2^N-8 len=16 (wraps)",
	       vm_copy_between_objects(t.file_ro, 0, t.dst_rw, (vm_offset_t)0 - 8, 16, &count),
	       WRAP_KR, 0);

	/* Nothing at the first byte. */
	EXPECT("vm_copy_from_object", "address=hole",
	       vm_copy_from_object(t.self, t.edge + 2 * P, 10, t.file_ro, 0, &count),
	       KERN_INVALID_ADDRESS, 0);
	EXPECT("vm_copy_from_object", "offset=past the window",
	       vm_copy_from_object(t.self, t.buf, 10, t.file_ro, FILE_SIZE + 5 * P, &count),
	       KERN_INVALID_ADDRESS, 0);

	/* No write access to the destination. */
	EXPECT("vm_copy_to_object", "object=read-only proxy",
	       vm_copy_to_object(t.self, t.buf + 1, 5000, t.file_ro, 3, &count),
	       KERN_PROTECTION_FAILURE, 0);
	EXPECT("vm_copy_between_objects", "dst=read-only proxy",
	       vm_copy_between_objects(t.file_ro, 0, t.dst_ro, 1, 100, &count),
	       KERN_PROTECTION_FAILURE, 0);

	/* None of the failed calls wrote anything. */
	check("errors: buf", t.buf, BUF_SIZE, buf_byte, 0, 0, buf_byte, 0);
	check("errors: file", t.file, FILE_SIZE, file_byte, 0, 0, file_byte, 0);
	check("errors: dst", t.dst, DST_SIZE, dst_byte, 0, 0, dst_byte, 0);
	guest_printf("fastcopy: no failed call wrote a byte\n");
	(void)mach_port_deallocate(t.self, thread);
}

/* The trap form of vm_copy_from_object: the RPC's results, and the count written
 * every time (0 when nothing moved). */
static void test_trap(void)
{
	mach_port_t thread = mach_thread_self(), receive = MACH_PORT_NULL;

	for (unsigned i = 0; i < NSPANS; i++) {
		const struct span *s = &spans[i];
		const char *args = args3("buf", s->a, "file", s->o, s->len);

		fill(t.buf, BUF_SIZE, buf_byte);
		EXPECT("vm_copy_from_object_trap", args,
		       vm_copy_from_object_trap(t.self, t.buf + s->a, s->len, t.file_ro, s->o, &count),
		       KERN_SUCCESS, s->len);
		check("vm_copy_from_object_trap: buf", t.buf, BUF_SIZE, buf_byte, s->a, s->len, file_byte,
		      s->o);
	}
	fill(t.buf, BUF_SIZE, buf_byte);

	fill(t.edge, 2 * P, buf_byte);
	EXPECT("vm_copy_from_object_trap", "edge=8092 file=5 len=300 (hole after 100)",
	       vm_copy_from_object_trap(t.self, t.edge + 2 * P - 100, 300, t.file_ro, 5, &count),
	       KERN_SUCCESS, 100);
	check("vm_copy_from_object_trap: edge", t.edge, 2 * P, buf_byte, 2 * P - 100, 100, file_byte, 5);

	/* Errors: the count is written too, 0. */
	GUEST_EXPECT_KR(mach_port_allocate(t.self, MACH_PORT_RIGHT_RECEIVE, &receive),
			KERN_SUCCESS);
	/* A dead name: a send right whose receive right (held here too) is
	 * destroyed.  An unknown name: one this space does not have. */
	mach_port_t dead, unknown = 0x7ff0f;
	mach_port_type_t type;
	GUEST_EXPECT_KR(mach_port_allocate(t.self, MACH_PORT_RIGHT_RECEIVE, &dead), KERN_SUCCESS);
	GUEST_EXPECT_KR(mach_port_insert_right(t.self, dead, dead, MACH_MSG_TYPE_MAKE_SEND),
			KERN_SUCCESS);
	GUEST_EXPECT_KR(mach_port_mod_refs(t.self, dead, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	GUEST_EXPECT_KR(mach_port_type(t.self, dead, &type), KERN_SUCCESS);
	GUEST_CHECK(type == MACH_PORT_TYPE_DEAD_NAME);
	GUEST_EXPECT_KR(mach_port_type(t.self, unknown, &type), KERN_INVALID_NAME);
	static const struct {
		const char *what;
		int task;               /* 0 self, 1 null, 2 thread, 3 dead name, 4 unknown name */
		int object;             /* 0 file_ro, 1 task port, 2 receive right only,
					   3 dead name, 4 unknown name */
		vm_size_t a, o, len;
		kern_return_t want;
	} bad[] = {
		{ "task=null", 1, 0, 0, 0, 10, MACH_SEND_INVALID_DEST },
		{ "task=thread-port", 2, 0, 0, 0, 10, KERN_INVALID_ARGUMENT },
		{ "object=task-port", 0, 1, 0, 0, 10, KERN_INVALID_ARGUMENT },
		{ "object=receive right, no send right", 0, 2, 0, 0, 10, MACH_SEND_INVALID_RIGHT },
		{ "task=dead-name", 3, 0, 0, 0, 10, MACH_SEND_INVALID_DEST },
		{ "task=unknown-name", 4, 0, 0, 0, 10, MACH_SEND_INVALID_DEST },
		{ "object=dead-name", 0, 3, 0, 0, 10, KERN_INVALID_ARGUMENT },
		{ "object=unknown-name", 0, 4, 0, 0, 10, MACH_SEND_INVALID_RIGHT },
		{ "task=unknown-name object=unknown-name", 4, 4, 0, 0, 10, MACH_SEND_INVALID_DEST },
		{ "address=hole", 0, 0, 3 * P, 0, 10, KERN_INVALID_ADDRESS },
		{ "offset=2^N-4096 len=8192 (wraps)", 0, 0, 0, (vm_size_t)0 - P, 2 * P,
		  WRAP_KR },
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const mach_port_t tasks[] = { t.self, MACH_PORT_NULL, thread, dead, unknown };
		const mach_port_t objects[] = { t.file_ro, t.self, receive, dead, unknown };
		mach_port_t task = tasks[bad[i].task];
		mach_port_t object = objects[bad[i].object];
		vm_address_t base = bad[i].a == 3 * P ? t.edge - P : t.buf;
		vm_size_t count = NO_COUNT;
		kern_return_t kr = vm_copy_from_object_trap(task, base + bad[i].a, bad[i].len, object,
						     bad[i].o, &count);

		if (kr != bad[i].want || count != 0)
			guest_fail("vm_copy_from_object_trap %s: %s count %lu, expected %s count 0",
				   bad[i].what, guest_kr_name(kr), (unsigned long)count,
				   guest_kr_name(bad[i].want));
		guest_printf("fastcopy: vm_copy_from_object_trap %s: %s count=0 ok\n", bad[i].what,
			     guest_kr_name(kr));
	}

	/* A count the kernel cannot write: the copy happens, the trap says so. */
	fill(t.buf, BUF_SIZE, buf_byte);
	GUEST_EXPECT_KR(vm_copy_from_object_trap(t.self, t.buf + 1, 10, t.file_ro, 2,
					  (vm_size_t *)(t.edge + 2 * P)), KERN_INVALID_ADDRESS);
	check("vm_copy_from_object_trap: buf", t.buf, BUF_SIZE, buf_byte, 1, 10, file_byte, 2);
	guest_printf("fastcopy: vm_copy_from_object_trap count=hole: KERN_INVALID_ADDRESS ok\n");
	fill(t.buf, BUF_SIZE, buf_byte);

	check("trap: file", t.file, FILE_SIZE, file_byte, 0, 0, file_byte, 0);
	(void)mach_port_mod_refs(t.self, receive, MACH_PORT_RIGHT_RECEIVE, -1);
	(void)mach_port_deallocate(t.self, thread);
}

/* The n bytes at a in [lo, lo + len) must be src(soff + k - lo). */
static void check_part(const char *what, vm_address_t a, vm_size_t lo, vm_size_t len,
		       pattern_fn src, vm_size_t soff)
{
	const volatile unsigned char *p = (const volatile unsigned char *)a;

	for (vm_size_t k = lo; k - lo < len; k++)
		if (p[k] != src(soff + (k - lo)))
			guest_fail("%s: byte %lu is 0x%x, expected 0x%x", what, (unsigned long)k,
				   p[k], src(soff + (k - lo)));
}

/* The n bytes at a outside [lo, lo + len) must still be outside(k). */
static void check_outside(const char *what, vm_address_t a, vm_size_t n, pattern_fn outside,
			  vm_size_t lo, vm_size_t len)
{
	const volatile unsigned char *p = (const volatile unsigned char *)a;

	for (vm_size_t k = 0; k < n; k++)
		if ((k < lo || k - lo >= len) && p[k] != outside(k))
			guest_fail("%s: byte %lu outside the copy changed", what,
				   (unsigned long)k);
}

/* memory_object_create_proxy with n ranges; returns the proxy. */
static mach_port_t make_proxy(vm_prot_t prot, unsigned n, const mach_port_t *object,
			      const rpc_vm_offset_t *offset, const rpc_vm_offset_t *start,
			      const rpc_vm_size_t *len)
{
	mach_port_t proxy = MACH_PORT_NULL;

	GUEST_EXPECT_KR(memory_object_create_proxy(t.self, prot, (mach_port_t *)object,
						   MACH_MSG_TYPE_COPY_SEND, n,
						   (rpc_vm_offset_t *)offset, n,
						   (rpc_vm_offset_t *)start, n,
						   (rpc_vm_size_t *)len, n, &proxy),
			KERN_SUCCESS);
	return proxy;
}

static void test_proxies(void)
{
	/* A read-write proxy of the read-only one: read-only all the same. */
	mach_port_t ro = t.file_ro;
	rpc_vm_offset_t zero = 0;
	rpc_vm_size_t whole = FILE_SIZE;
	mach_port_t nest = make_proxy(VM_PROT_READ | VM_PROT_WRITE, 1, &ro, &zero, &zero, &whole);

	fill(t.buf, BUF_SIZE, buf_byte);
	EXPECT("vm_copy_to_object", "object=rw proxy of the ro proxy",
	       vm_copy_to_object(t.self, t.buf + 1, 5000, nest, 3, &count),
	       KERN_PROTECTION_FAILURE, 0);
	EXPECT("vm_copy_between_objects", "dst=rw proxy of the ro proxy",
	       vm_copy_between_objects(t.dst_rw, 5, nest, 7, 100, &count),
	       KERN_PROTECTION_FAILURE, 0);
	EXPECT("vm_copy_from_object", "object=rw proxy of the ro proxy",
	       vm_copy_from_object(t.self, t.buf + 11, 3 * P, nest, 4 * P + 9, &count),
	       KERN_SUCCESS, 3 * P);
	check("vm_copy_from_object: buf", t.buf, BUF_SIZE, buf_byte, 11, 3 * P, file_byte, 4 * P + 9);
	check("nested: file", t.file, FILE_SIZE, file_byte, 0, 0, file_byte, 0);
	fill(t.buf, BUF_SIZE, buf_byte);

	/*
	 * Three ranges of two objects, given out of order:
	 *   [0, 1p)   dst  [1p, 2p)   read-write
	 *   [1p, 3p)  file [3p, 5p)   read-write
	 *   [3p, 4p)  a hole
	 *   [4p, 5p)  file [8p, 9p)   through the read-only proxy
	 */
	mach_port_t objs[3] = { t.file_ro, t.dst_rw, t.file_rw };
	rpc_vm_offset_t offs[3] = { 4 * P, 0, 1 * P };
	rpc_vm_offset_t starts[3] = { 8 * P, 1 * P, 3 * P };
	rpc_vm_size_t lens[3] = { P, P, 2 * P };
	mach_port_t multi = make_proxy(VM_PROT_READ | VM_PROT_WRITE, 3, objs, offs, starts, lens);

	EXPECT("vm_copy_from_object", "multi=4046 len=100 (across dst into file)",
	       vm_copy_from_object(t.self, t.buf + 1, 100, multi, P - 50, &count), KERN_SUCCESS, 100);
	check_part("vm_copy_from_object: dst part", t.buf, 1, 50, dst_byte, 2 * P - 50);
	check_part("vm_copy_from_object: file part", t.buf, 51, 50, file_byte, 3 * P);
	check_outside("vm_copy_from_object: buf", t.buf, BUF_SIZE, buf_byte, 1, 100);
	fill(t.buf, BUF_SIZE, buf_byte);

	EXPECT("vm_copy_from_object", "multi=8192 len=8192 (hole after 4096)",
	       vm_copy_from_object(t.self, t.buf + 3, 2 * P, multi, 2 * P, &count), KERN_SUCCESS, P);
	check("vm_copy_from_object: buf", t.buf, BUF_SIZE, buf_byte, 3, P, file_byte, 4 * P);
	EXPECT("vm_copy_from_object", "multi=12288 len=10 (retry in the hole)",
	       vm_copy_from_object(t.self, t.buf, 10, multi, 3 * P, &count), KERN_INVALID_ADDRESS, 0);
	fill(t.buf, BUF_SIZE, buf_byte);
	EXPECT("vm_copy_from_object", "multi=20476 len=100 (the read-only range's end)",
	       vm_copy_from_object(t.self, t.buf + 5, 100, multi, 5 * P - 4, &count), KERN_SUCCESS, 4);
	check("vm_copy_from_object: buf", t.buf, BUF_SIZE, buf_byte, 5, 4, file_byte, 9 * P - 4);
	fill(t.buf, BUF_SIZE, buf_byte);

	EXPECT("vm_copy_to_object", "multi=16384 (the read-only range)",
	       vm_copy_to_object(t.self, t.buf, 10, multi, 4 * P, &count), KERN_PROTECTION_FAILURE, 0);
	EXPECT("vm_copy_to_object", "multi=4000 len=5000 (dst, then file)",
	       vm_copy_to_object(t.self, t.buf + 7, 5000, multi, 4000, &count), KERN_SUCCESS, 5000);
	check("vm_copy_to_object: dst", t.dst, DST_SIZE, dst_byte, P + 4000, 96, buf_byte, 7);
	check("vm_copy_to_object: file", t.file, FILE_SIZE, file_byte, 3 * P, 5000 - 96, buf_byte,
	      7 + 96);
	fill(t.dst, DST_SIZE, dst_byte);
	fill(t.file, FILE_SIZE, file_byte);
	EXPECT("vm_copy_to_object", "multi=12000 len=1000 (stops at the hole)",
	       vm_copy_to_object(t.self, t.buf, 1000, multi, 3 * P - 288, &count), KERN_SUCCESS, 288);
	check("vm_copy_to_object: file", t.file, FILE_SIZE, file_byte, 5 * P - 288, 288, buf_byte, 0);
	fill(t.file, FILE_SIZE, file_byte);

	EXPECT("vm_copy_between_objects", "src=multi=4089 dst=12288 len=20 (across ranges)",
	       vm_copy_between_objects(multi, P - 7, t.dst_rw, 3 * P, 20, &count), KERN_SUCCESS, 20);
	check_part("vm_copy_between_objects: dst part", t.dst, 3 * P, 7, dst_byte, 2 * P - 7);
	check_part("vm_copy_between_objects: file part", t.dst, 3 * P + 7, 13, file_byte, 3 * P);
	check_outside("vm_copy_between_objects: dst", t.dst, DST_SIZE, dst_byte, 3 * P, 20);
	fill(t.dst, DST_SIZE, dst_byte);

	check("proxies: file", t.file, FILE_SIZE, file_byte, 0, 0, file_byte, 0);
	(void)mach_port_deallocate(t.self, multi);
	(void)mach_port_deallocate(t.self, nest);
}

/* memory_object_create_proxy_ranges with its own count for every array. */
static kern_return_t seed_proxy(unsigned n, const mach_port_t *object, unsigned nprot,
				const vm_prot_t *prot, unsigned nstart, const rpc_vm_offset_t *start,
				unsigned nend, const rpc_vm_offset_t *end, mach_port_t *proxy)
{
	return memory_object_create_proxy_ranges(t.self, (mach_port_t *)object,
						 MACH_MSG_TYPE_COPY_SEND, n, (vm_prot_t *)prot,
						 nprot, (rpc_vm_offset_t *)start, nstart,
						 (rpc_vm_offset_t *)end, nend, proxy);
}

/*
 * The seed's form (memory_object_create_proxy_ranges): the argument errors
 * the scenario language cannot write (traces/scenarios/seedproxy.scn has
 * the others), with the codes of the core's vmc_proxy_create_ranges, which
 * the simulator gives too; then copies through a seed proxy of a range, a
 * hole and an open-ended read-only last range.
 */
static void test_seed_proxy(void)
{
	mach_port_t objs[3] = { t.file_rw, MACH_PORT_NULL, t.dst_rw };
	vm_prot_t prots[3] = { VM_PROT_READ | VM_PROT_WRITE, VM_PROT_READ, VM_PROT_READ };
	rpc_vm_offset_t starts[3] = { 2 * P, 0, 0 };
	rpc_vm_offset_t ends[3] = { 4 * P, P, P };
	vm_prot_t bad[1] = { 0x10 };
	mach_port_t task[1] = { t.self };
	mach_port_t seed = MACH_PORT_NULL;

	EXPECT("memory_object_create_proxy_ranges", "no object",
	       seed_proxy(0, objs, 0, prots, 0, starts, 0, ends, &seed), KERN_INVALID_ARGUMENT, 0);
	EXPECT("memory_object_create_proxy_ranges", "2 objects, 1 protection",
	       seed_proxy(2, objs, 1, prots, 2, starts, 2, ends, &seed), KERN_INVALID_ARGUMENT, 0);
	EXPECT("memory_object_create_proxy_ranges", "2 starts, 1 end",
	       seed_proxy(2, objs, 2, prots, 2, starts, 1, ends, &seed), KERN_INVALID_ARGUMENT, 0);
	EXPECT("memory_object_create_proxy_ranges", "3 objects, 1 start and end",
	       seed_proxy(3, objs, 3, prots, 1, starts, 1, ends, &seed), KERN_INVALID_ARGUMENT, 0);
	EXPECT("memory_object_create_proxy_ranges", "protection 0x10",
	       seed_proxy(1, objs, 1, bad, 1, starts, 1, ends, &seed), KERN_INVALID_VALUE, 0);
	EXPECT("memory_object_create_proxy_ranges", "a task port as the object",
	       seed_proxy(1, task, 1, prots, 1, starts, 1, ends, &seed), KERN_INVALID_ARGUMENT, 0);
	GUEST_CHECK(seed == MACH_PORT_NULL);

	/* [0, 2p) file [2p, 4p) rw, [2p, 3p) a hole, [3p, ...) all of dst, r. */
	GUEST_EXPECT_KR(seed_proxy(3, objs, 3, prots, 2, starts, 2, ends, &seed), KERN_SUCCESS);
	fill(t.buf, BUF_SIZE, buf_byte);
	EXPECT("vm_copy_from_object", "seed=8182 len=100 (stops at the hole)",
	       vm_copy_from_object(t.self, t.buf + 1, 100, seed, 2 * P - 10, &count), KERN_SUCCESS, 10);
	check("vm_copy_from_object: buf", t.buf, BUF_SIZE, buf_byte, 1, 10, file_byte, 4 * P - 10);
	fill(t.buf, BUF_SIZE, buf_byte);
	EXPECT("vm_copy_from_object", "seed=16389 len=5000 (the open-ended range: dst from 1p+5)",
	       vm_copy_from_object(t.self, t.buf + 3, 5000, seed, 4 * P + 5, &count), KERN_SUCCESS, 5000);
	check("vm_copy_from_object: buf", t.buf, BUF_SIZE, buf_byte, 3, 5000, dst_byte, P + 5);
	fill(t.buf, BUF_SIZE, buf_byte);
	EXPECT("vm_copy_to_object", "seed=12288 (the open-ended range is read-only)",
	       vm_copy_to_object(t.self, t.buf, 10, seed, 3 * P, &count), KERN_PROTECTION_FAILURE, 0);
	EXPECT("vm_copy_to_object", "seed=100 len=50 (file, read-write)",
	       vm_copy_to_object(t.self, t.buf + 9, 50, seed, 100, &count), KERN_SUCCESS, 50);
	check("vm_copy_to_object: file", t.file, FILE_SIZE, file_byte, 2 * P + 100, 50, buf_byte, 9);
	fill(t.file, FILE_SIZE, file_byte);
	check("seed proxy: dst", t.dst, DST_SIZE, dst_byte, 0, 0, dst_byte, 0);
	(void)mach_port_deallocate(t.self, seed);
}

static void test_snapshots(void)
{
	vm_offset_t snap;
	mach_msg_type_number_t snap_count;

	/* A write through the proxy into pages a snapshot shares. */
	fill(t.file, FILE_SIZE, file_byte);
	fill(t.buf, BUF_SIZE, buf_byte);
	GUEST_EXPECT_KR(vm_read(t.self, t.file, 4 * P, &snap, &snap_count), KERN_SUCCESS);
	GUEST_CHECK(snap_count == 4 * P);
	EXPECT("vm_copy_to_object", "buf=3 file=4103 len=8192 (the file's pages shared by a vm_read snapshot)",
	       vm_copy_to_object(t.self, t.buf + 3, 2 * P, t.file_rw, P + 7, &count), KERN_SUCCESS,
	       2 * P);
	check("vm_copy_to_object: file", t.file, FILE_SIZE, file_byte, P + 7, 2 * P, buf_byte, 3);
	check("vm_copy_to_object: the snapshot", snap, 4 * P, file_byte, 0, 0, file_byte, 0);
	GUEST_EXPECT_KR(vm_deallocate(t.self, snap, snap_count), KERN_SUCCESS);

	/* A read into the file's own mapping, its pages shared by a snapshot. */
	fill(t.file, FILE_SIZE, file_byte);
	GUEST_EXPECT_KR(vm_read(t.self, t.file, 4 * P, &snap, &snap_count), KERN_SUCCESS);
	EXPECT("vm_copy_from_object", "file=5 dst=9 len=6000 (into pages a vm_read snapshot shares)",
	       vm_copy_from_object(t.self, t.file + 5, 6000, t.dst_ro, 9, &count), KERN_SUCCESS, 6000);
	check("vm_copy_from_object: file", t.file, FILE_SIZE, file_byte, 5, 6000, dst_byte, 9);
	check("vm_copy_from_object: the snapshot", snap, 4 * P, file_byte, 0, 0, file_byte, 0);
	GUEST_EXPECT_KR(vm_deallocate(t.self, snap, snap_count), KERN_SUCCESS);
	fill(t.file, FILE_SIZE, file_byte);
}

/*
 * What a task may not do to a proxy: give it a max_protection with bits
 * outside read, write and execute (GNU Mach's own creation form answers
 * KERN_INVALID_VALUE, as the core and the simulator do; the ranges form is
 * checked in the scenarios), or forge the kernel's
 * no-senders notification to its port (it names the proxy's port, not the
 * kernel's notification port, so the kernel must ignore it: the proxy
 * lives on and copies through it still work).
 */
static void test_proxy_abuse(void)
{
	mach_port_t ro = t.file_ro, proxy = MACH_PORT_NULL;
	rpc_vm_offset_t zero = 0;
	rpc_vm_size_t whole = FILE_SIZE;

	EXPECT("memory_object_create_proxy", "max_protection=0x1234",
	       memory_object_create_proxy(t.self, 0x1234, &ro, MACH_MSG_TYPE_COPY_SEND, 1,
					  &zero, 1, &zero, 1, &whole, 1, &proxy),
	       KERN_INVALID_VALUE, 0);
	GUEST_CHECK(proxy == MACH_PORT_NULL);

	proxy = make_proxy(VM_PROT_READ, 1, &ro, &zero, &zero, &whole);
	mach_no_senders_notification_t forged;
	memset(&forged, 0, sizeof forged);
	forged.not_header.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	forged.not_header.msgh_size = sizeof forged;
	forged.not_header.msgh_remote_port = proxy;
	forged.not_header.msgh_local_port = MACH_PORT_NULL;
	forged.not_header.msgh_id = MACH_NOTIFY_NO_SENDERS;
	forged.not_type.msgt_name = MACH_MSG_TYPE_INTEGER_32;
	forged.not_type.msgt_size = 32;
	forged.not_type.msgt_number = 1;
	forged.not_type.msgt_inline = TRUE;
	forged.not_count = 0;
	mach_msg_return_t mr = mach_msg(&forged.not_header, MACH_SEND_MSG, sizeof forged, 0,
					MACH_PORT_NULL, MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
	guest_printf("fastcopy: a forged no-senders notification to a proxy's port: sent, %s\n",
		     guest_kr_name(mr));
	GUEST_CHECK(mr == MACH_MSG_SUCCESS);
	fill(t.buf, BUF_SIZE, buf_byte);
	EXPECT("vm_copy_from_object", "object=the proxy after a forged no-senders",
	       vm_copy_from_object(t.self, t.buf + 3, 2 * P, proxy, 5, &count), KERN_SUCCESS, 2 * P);
	check("vm_copy_from_object: buf", t.buf, BUF_SIZE, buf_byte, 3, 2 * P, file_byte, 5);
	fill(t.buf, BUF_SIZE, buf_byte);
	GUEST_EXPECT_KR(mach_port_deallocate(t.self, proxy), KERN_SUCCESS);
}

/* Region bytes of test_direct_read: its first and last pages were
 * written, the four between never touched (zero when they appear). */
static unsigned char around_byte(vm_size_t k)
{
	return k < P || k >= 5 * P ? buf_byte(k) : 0;
}

static unsigned char last_page_byte(vm_size_t k)
{
	return buf_byte(5 * P + k);
}

/*
 * The Hurd's direct read: the reader gives the server a write-only proxy
 * of the whole pages of its buffer (vm_region_create_proxy), here four
 * pages no one has touched (no page, maybe no object yet) between two
 * written ones, and the server copies a file's bytes into it from a proxy
 * of the pages of the file it reads (memory_object_create_proxy of the
 * file's object, at a page offset).  The pages must appear with the
 * file's bytes where copied, zeros elsewhere; the pages around the proxy
 * keep their bytes; the proxy can be written and not read; a copy that
 * runs past its window stops there.
 */
static void test_direct_read(void)
{
	vm_address_t r;
	mach_port_t wo, win;
	rpc_vm_offset_t at = P, zero = 0;
	rpc_vm_size_t len = 8 * P;
	mach_port_t file = t.file_ro;

	GUEST_EXPECT_KR(vm_allocate(t.self, &r, 6 * P, TRUE), KERN_SUCCESS);
	fill(r, P, buf_byte);
	for (vm_size_t k = 5 * P; k < 6 * P; k++)
		((volatile unsigned char *)r)[k] = buf_byte(k);
	GUEST_EXPECT_KR(vm_region_create_proxy(t.self, r + P, VM_PROT_WRITE, 4 * P, &wo),
			KERN_SUCCESS);
	/* The window's offset 0 is the file's page 1 (offset: in the proxy;
	 * start: in the object). */
	GUEST_EXPECT_KR(memory_object_create_proxy(t.self, VM_PROT_READ, &file,
						   MACH_MSG_TYPE_COPY_SEND, 1, &zero, 1,
						   &at, 1, &len, 1, &win), KERN_SUCCESS);

	EXPECT("vm_copy_between_objects", "src=file window at 4096 +123 dst=fresh write-only 0 len=12305",
	       vm_copy_between_objects(win, 123, wo, 0, 3 * P + 17, &count),
	       KERN_SUCCESS, 3 * P + 17);
	check("direct read: region", r, 6 * P, around_byte, P, 3 * P + 17, file_byte, P + 123);
	EXPECT("vm_copy_between_objects", "src=file window 5000 dst=write-only 16284 len=300 (window ends after 100)",
	       vm_copy_between_objects(win, 5000, wo, 4 * P - 100, 300, &count),
	       KERN_SUCCESS, 100);
	check("direct read: region tail", r + 5 * P - 100, 100, buf_byte, 0, 100, file_byte,
	      P + 5000);
	EXPECT("vm_copy_between_objects", "src=write-only proxy",
	       vm_copy_between_objects(wo, 0, t.dst_rw, 0, 10, &count),
	       KERN_PROTECTION_FAILURE, 0);
	check("direct read: pages before the tail", r, 5 * P - 100, around_byte, P, 3 * P + 17,
	      file_byte, P + 123);
	check("direct read: last page", r + 5 * P, P, last_page_byte, 0, 0, buf_byte, 0);

	GUEST_EXPECT_KR(mach_port_deallocate(t.self, win), KERN_SUCCESS);
	GUEST_EXPECT_KR(mach_port_deallocate(t.self, wo), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_deallocate(t.self, r, 6 * P), KERN_SUCCESS);
}

int guest_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	setup();
	test_read();
	test_write();
	test_object_copy();
	test_short();
	test_errors();
	test_trap();
	test_proxies();
	test_seed_proxy();
	test_snapshots();
	test_proxy_abuse();
	test_direct_read();
	return 0;
}

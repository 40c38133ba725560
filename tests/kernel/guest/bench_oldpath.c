/*
 * bench_oldpath.c: a translator's old read path measured on the real
 * kernel, against vm_read and against the limit, in one boot.
 *
 * The "file" is 1 MiB of this task's anonymous memory, filled (so every page
 * is resident: the cached case), made a memory object with
 * vm_region_create_proxy, read only.  Successive reads of N bytes walk
 * through it.  Paths, per read:
 *
 *   old       vm_map the page-rounded window of the memory object, copy the
 *             N bytes out of it into the client buffer, vm_deallocate it
 *             (what a translator's pager_memcpy does, one window per read);
 *   old_pager the same over a file a pager thread of this task serves
 *             (filepager.c), all of it resident: the memory object a
 *             translator's libpager maps, where `old' maps a proxy (whose
 *             vm_map goes piece by piece through mosaic's proxy code);
 *   vm_read   vm_read the N bytes from the mapped file, copy them into the
 *             buffer, vm_deallocate the returned data;
 *   fast_rpc  vm_copy_from_object (experimental.defs): the kernel copies the N
 *             bytes from the memory object straight into the buffer;
 *   fast_trap the same copy by mosaic's trap (vm_copy_from_object_trap);
 *   fast_rpc0 vm_copy_from_object of 0 bytes, the same at every size: what the
 *             interface costs before any byte (the message and its two
 *             ports, the task's map and the memory object looked up, the
 *             arguments checked), the floor under fast_rpc;
 *   limit_rpc copy the N bytes from memory already mapped into the buffer,
 *             plus one null RPC (mach_port_get_refs on the task port);
 *   limit_trap the same copy plus one trap (mach_task_self);
 *   port_rpc  the same copy plus one RPC that carries a port right and
 *             does little else: task_set_special_port of the memory object
 *             as this task's bootstrap port (which the guest does not use),
 *             the right copied in and the one it replaces released;
 *   inline_rpc the same copy plus io_read (ktrans.defs) of min(N, 2048)
 *             bytes from the other task below, which answers at once with
 *             that many bytes inline (whatever its reply buffer holds): the
 *             round trip, the kernel's copies of the bytes in and out of
 *             the message, and the stub's copy of them into a buffer;
 *   ool_rpc   io_read of N bytes from the other task, which answers with a
 *             buffer of its own out of line (vm_allocate, N bytes written
 *             into it, deallocated with the reply); this task copies them
 *             into the buffer and deallocates them: an out-of-line reply of
 *             N bytes, its allocation and its copies, no file;
 *   pagein    a user load of one byte of a page of a file this task maps
 *             (filepager.c's pager thread, the same as the replay's), whose
 *             page was flushed from the kernel's cache just before (not
 *             timed): the fault, the pager's round trip, the page entered;
 *             the same at every size;
 *   user_rpc  the same copy plus one RPC to another task: io_read_direct
 *             (tests/kernel/guest/ktrans.defs, the translator's read request,
 *             with its four arguments and its reply) sent to a thread of a
 *             second task that answers at once, moving nothing: the round
 *             trip a translator's client makes, without its work;
 *   copy      the copy alone (so that limit_rpc - copy is one RPC,
 *             limit_trap - copy one trap, port_rpc - limit_rpc one port
 *             right carried and user_rpc - copy one round trip between two
 *             tasks: bench/calibrate.py uses them).
 *
 * The fast paths need a kernel with mosaic built in (make kernel); on
 * another kernel vm_copy_from_object answers MIG_BAD_ID and they are left out
 * (`mosaic-bench: no fast paths' on the console).
 *
 * Every copy moves 8 bytes at a time through volatile pointers (no
 * `rep movsb', which the emulator runs byte by byte, and nothing the
 * compiler could turn into one).  Times are TSC ticks (rdtsc) per read; in
 * plain emulation the TSC follows the host clock, under -icount the
 * instruction count, so only ratios compare across the two.  Rounds are
 * interleaved: each round runs every size and every path once; the runner
 * keeps the median of the rounds.  Results go to the console as TSV lines
 * between `mosaic-bench: begin' and `mosaic-bench: end', one line per round,
 * size and path.
 */
#include "guest.h"

#include "mach.user.h"
#include "mach4.user.h"
#include "mach_port.user.h"
#include "experimental.user.h"

#include "ktrans.server.h"
#include "ktrans.user.h"

#include "filepager.h"
#include "trace_content.h"

const char guest_name[] = MOSAIC_GUEST_NAME;

#define FILE_SIZE   (1024 * 1024)
#define READS       1000
#define ROUNDS      7

static const vm_size_t sizes[] = { 1024, 4096, 8192, 65536 };
enum path { OLD, OLD_PAGER, VMREAD, FAST_RPC, FAST_TRAP, FAST_RPC0, LIMIT_RPC, LIMIT_TRAP, PORT_RPC,
	    USER_RPC, INLINE_RPC, OOL_RPC, PAGEIN, COPY, NPATHS };
static const char *const path_names[] = { "old", "old_pager", "vm_read", "fast_rpc", "fast_trap", "fast_rpc0",
					  "limit_rpc", "limit_trap", "port_rpc", "user_rpc",
					  "inline_rpc", "ool_rpc", "pagein", "copy" };

/* The paths that need mosaic's kernel. */
static bool path_fast(enum path p)
{
	return p == FAST_RPC || p == FAST_TRAP || p == FAST_RPC0;
}

/* The copies are the runtime's guest_copy8, 8-byte moves, four words a turn,
 * all loaded before any is stored: the copy the replay's translator and
 * clients make (tests/kernel/guest/replay.c), so that the calibrated byte is
 * theirs.  The kernel's fast paths move bytes with its own memcpy (`rep
 * movsb'), which QEMU runs and counts a byte at a time: their distance to
 * the limits includes that (mach-port/README.md). */

struct rig {
	mach_port_t self;
	vm_address_t file;        /* the file's bytes, mapped here */
	mach_port_t object;       /* its memory object (a proxy) */
	vm_address_t buf;         /* the client's buffer */
	mach_port_t self_name;    /* for the null RPC */
	mach_port_t peer;         /* the other task's port (user_rpc) */
	struct fp_file paged;     /* a file the pager thread serves (pagein) */
	struct fp_file warm;      /* another, all resident (old_pager) */
	vm_address_t paged_at;    /* mapped here */
	unsigned char *scratch;   /* inline_rpc's reply lands here */
	bool fast;                /* the kernel has mosaic's fast paths */
};

/* One read of n bytes at off by `path`.  Returns 0 or a Mach error. */
static kern_return_t read_once(struct rig *r, enum path path, vm_offset_t off, vm_size_t n)
{
	kern_return_t kr = KERN_SUCCESS;

	switch (path) {
	case OLD:
	case OLD_PAGER: {
		vm_offset_t start = off & ~(GUEST_PAGE_SIZE - 1);
		vm_size_t len = ((off + n + GUEST_PAGE_SIZE - 1) & ~(GUEST_PAGE_SIZE - 1)) - start;
		vm_address_t win = 0;
		kr = vm_map(r->self, &win, len, 0, TRUE,
			    path == OLD ? r->object : r->warm.object, start, FALSE,
			    VM_PROT_READ, VM_PROT_READ, VM_INHERIT_NONE);
		if (kr != KERN_SUCCESS)
			return kr;
		guest_copy8((void *)r->buf, (const void *)(win + (off - start)), n);
		return vm_deallocate(r->self, win, len);
	}
	case VMREAD: {
		vm_offset_t data;
		mach_msg_type_number_t count;
		kr = vm_read(r->self, r->file + off, n, &data, &count);
		if (kr != KERN_SUCCESS)
			return kr;
		guest_copy8((void *)r->buf, (const void *)data, n);
		return vm_deallocate(r->self, data, count);
	}
	case FAST_RPC:
	case FAST_TRAP: {
		vm_size_t count = 0;
		kr = path == FAST_RPC
		     ? vm_copy_from_object(r->self, r->buf, n, r->object, off, &count)
		     : vm_copy_from_object_trap(r->self, r->buf, n, r->object, off, &count);
		if (kr == KERN_SUCCESS && count != n)
			return KERN_FAILURE;
		return kr;
	}
	case FAST_RPC0: {
		vm_size_t count = 1;
		kr = vm_copy_from_object(r->self, r->buf, 0, r->object, off, &count);
		if (kr == KERN_SUCCESS && count != 0)
			return KERN_FAILURE;
		return kr;
	}
	case LIMIT_RPC: {
		mach_port_urefs_t refs;
		guest_copy8((void *)r->buf, (const void *)(r->file + off), n);
		return mach_port_get_refs(r->self, r->self_name, MACH_PORT_RIGHT_SEND, &refs);
	}
	case LIMIT_TRAP:
		guest_copy8((void *)r->buf, (const void *)(r->file + off), n);
		return mach_task_self() == MACH_PORT_NULL ? KERN_FAILURE : KERN_SUCCESS;
	case PORT_RPC:
		guest_copy8((void *)r->buf, (const void *)(r->file + off), n);
		return task_set_special_port(r->self, TASK_BOOTSTRAP_PORT, r->object);
	case USER_RPC: {
		vm_size_t count = 1;
		guest_copy8((void *)r->buf, (const void *)(r->file + off), n);
		kr = io_read_direct(r->peer, 0, 1, off, n, &count);
		return kr == KERN_SUCCESS && count != 0 ? KERN_FAILURE : kr;
	}
	case INLINE_RPC: {
		data_t data = (data_t)r->scratch;
		mach_msg_type_number_t count = 2048;
		guest_copy8((void *)r->buf, (const void *)(r->file + off), n);
		kr = io_read(r->peer, 0, &data, &count, 0, n < 2048 ? n : 2048);
		if (kr == KERN_SUCCESS && (data != (data_t)r->scratch || count != (n < 2048 ? n : 2048)))
			return KERN_FAILURE;
		return kr;
	}
	case OOL_RPC: {
		data_t data = (data_t)r->scratch;
		mach_msg_type_number_t count = 2048;
		kr = io_read(r->peer, 1, &data, &count, 0, n);
		if (kr != KERN_SUCCESS)
			return kr;
		if (data == (data_t)r->scratch || count != n)
			return KERN_FAILURE;
		guest_copy8((void *)r->buf, data, n);
		return vm_deallocate(r->self, (vm_address_t)data,
				     (n + GUEST_PAGE_SIZE - 1) & ~(GUEST_PAGE_SIZE - 1));
	}
	case COPY:
		guest_copy8((void *)r->buf, (const void *)(r->file + off), n);
		return KERN_SUCCESS;
	default:
		return KERN_INVALID_ARGUMENT;
	}
}

/* The other task of user_rpc: answers every request at once. -------------- */

/* The bytes an out-of-line answer carries. */
static unsigned char peer_bytes[65536];

/* file 0: amount bytes inline, as they are in the reply buffer; file 1: a
 * buffer of our own, out of line, amount bytes written into it. */
kern_return_t S_io_read(mach_port_t io, natural_t file, data_t *data,
			mach_msg_type_number_t *data_count, vm_offset_t offset, vm_size_t amount)
{
	(void)io, (void)offset;
	if (file == 0) {
		if (amount > *data_count)
			return KERN_INVALID_ARGUMENT;
		*data_count = (mach_msg_type_number_t)amount;
		return KERN_SUCCESS;
	}
	vm_address_t buf;
	if (amount > sizeof peer_bytes)
		return KERN_INVALID_ARGUMENT;
	kern_return_t kr = vm_allocate(mach_task_self(), &buf, amount, TRUE);
	if (kr != KERN_SUCCESS)
		return kr;
	guest_copy8((void *)buf, peer_bytes, amount);
	*data = (data_t)buf;
	*data_count = (mach_msg_type_number_t)amount;
	return KERN_SUCCESS;
}

kern_return_t S_io_read_direct(mach_port_t io, natural_t file, natural_t form,
			       vm_offset_t offset, vm_size_t amount, vm_size_t *count)
{
	(void)io, (void)file, (void)form, (void)offset, (void)amount;
	*count = 0;
	return KERN_SUCCESS;
}

kern_return_t S_io_grant(mach_port_t io, mach_port_t buffer, vm_address_t address,
			 vm_size_t size)
{
	(void)io, (void)buffer, (void)address, (void)size;
	return KERN_SUCCESS;
}

boolean_t ktrans_server(mach_msg_header_t *in, mach_msg_header_t *out);

static mach_port_t peer_port;

/* The peer task's body. */
static void peer_main(void *arg)
{
	(void)arg;
	guest_serve(peer_port, ktrans_server, "peer");
}

static void start_peer(struct rig *r)
{
	vm_address_t stack;
	mach_port_t task, thread;

	GUEST_EXPECT_KR(mach_port_allocate(r->self, MACH_PORT_RIGHT_RECEIVE, &peer_port),
			KERN_SUCCESS);
	GUEST_EXPECT_KR(mach_port_insert_right(r->self, peer_port, peer_port,
					       MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_allocate(r->self, &stack, 64 * 1024, TRUE), KERN_SUCCESS);
	struct guest_right move = { peer_port, MACH_MSG_TYPE_MOVE_RECEIVE };
	GUEST_EXPECT_KR(guest_task_start(peer_main, NULL, (void *)stack, 64 * 1024, &move, 1,
					 &task, &thread), KERN_SUCCESS);
	r->peer = peer_port;
}

/* READS loads of one byte, each of a page flushed just before (the flush
 * not timed); ticks per load. */
static uint64_t run_pagein(struct rig *r)
{
	uint64_t ticks = 0;

	for (int i = 0; i < READS; i++) {
		vm_offset_t page = (vm_offset_t)(i % (FILE_SIZE / GUEST_PAGE_SIZE)) * GUEST_PAGE_SIZE;
		filepager_stage(&r->paged, page, 1);
		filepager_flush(&r->paged, page, 1);
		uint64_t t0 = guest_rdtsc();
		unsigned char b = *(volatile unsigned char *)(r->paged_at + page + 17);
		ticks += guest_rdtsc() - t0;
		if (b != trace_content_byte(r->paged.key, page + 17))
			guest_fail("pagein: byte %lu is 0x%x, the file's is 0x%x",
				   (unsigned long)(page + 17), b,
				   trace_content_byte(r->paged.key, page + 17));
	}
	return ticks / READS;
}

/* READS successive reads of n bytes; ticks per read. */
static uint64_t run_path(struct rig *r, enum path path, vm_size_t n)
{
	vm_offset_t off = 0;
	if (path == PAGEIN)
		return run_pagein(r);
	uint64_t t0 = guest_rdtsc();

	for (int i = 0; i < READS; i++) {
		kern_return_t kr = read_once(r, path, off, n);
		if (kr != KERN_SUCCESS)
			guest_fail("%s of %lu bytes at %lu: error %d", path_names[path],
				   (unsigned long)n, (unsigned long)off, kr);
		off += n;
		if (off + n > FILE_SIZE)
			off = 0;
	}
	return (guest_rdtsc() - t0) / READS;
}

/* The buffer must hold the file's bytes after a read (none for fast_rpc0,
 * which must leave it as it was): checked once per size and path, outside
 * the timed loops. */
static void check_path(struct rig *r, enum path path, vm_size_t n)
{
	vm_offset_t off = 3 * n < FILE_SIZE ? 3 * n : 0;
	if (path == PAGEIN) {
		(void)run_pagein(r);    /* checks the byte of every load */
		return;
	}
	memset((void *)r->buf, 0, n);
	GUEST_EXPECT_KR(read_once(r, path, off, n), KERN_SUCCESS);
	if (path == FAST_RPC0)
		GUEST_CHECK(*(volatile unsigned char *)r->buf == 0);
	else if (path == OOL_RPC)
		GUEST_CHECK(memcmp((const void *)r->buf, peer_bytes, n) == 0);
	else if (path == OLD_PAGER)
		GUEST_CHECK(trace_content_check(r->warm.key, off, (const uint8_t *)r->buf, n) == n);
	else
		GUEST_CHECK(memcmp((const void *)r->buf, (const void *)(r->file + off), n) == 0);
}

int guest_main(int argc, char **argv)
{
	struct rig r = { .self = mach_task_self() };

	(void)argc;
	(void)argv;
	/* The peer first: it inherits none of the benchmark's memory, which
	 * would otherwise be copy-on-write shared with it. */
	for (unsigned i = 0; i < sizeof peer_bytes; i++)
		peer_bytes[i] = (unsigned char)(i * 7 + 3);
	start_peer(&r);
	/* The paged file: 1 MiB of the trace format's content, mapped whole. */
	filepager_start(GUEST_PAGE_SIZE);
	r.paged.size = FILE_SIZE;
	r.paged.key = trace_content_key("bench", 5, 1);
	filepager_add(&r.paged);
	GUEST_EXPECT_KR(vm_map(r.self, &r.paged_at, FILE_SIZE, 0, TRUE, r.paged.object, 0, FALSE,
			       VM_PROT_READ, VM_PROT_READ, VM_INHERIT_NONE), KERN_SUCCESS);
	/* The warm file: mapped whole (which keeps its object) and read once. */
	r.warm.size = FILE_SIZE;
	r.warm.key = trace_content_key("warm", 4, 1);
	filepager_add(&r.warm);
	{
		vm_address_t at = 0;
		GUEST_EXPECT_KR(vm_map(r.self, &at, FILE_SIZE, 0, TRUE, r.warm.object, 0, FALSE,
				       VM_PROT_READ, VM_PROT_READ, VM_INHERIT_NONE), KERN_SUCCESS);
		for (vm_size_t p = 0; p < FILE_SIZE; p += GUEST_PAGE_SIZE)
			(void)*(volatile unsigned char *)(at + p);
	}
	GUEST_EXPECT_KR(vm_allocate(r.self, (vm_address_t *)&r.scratch, 2048, TRUE), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_allocate(r.self, &r.file, FILE_SIZE, TRUE), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_allocate(r.self, &r.buf, 65536, TRUE), KERN_SUCCESS);
	for (vm_size_t i = 0; i < FILE_SIZE; i += 8)
		*(volatile uint64_t *)(r.file + i) = i * 0x9e3779b97f4a7c15ull;
	memset((void *)r.buf, 0, 65536);
	GUEST_EXPECT_KR(vm_region_create_proxy(r.self, r.file, VM_PROT_READ, FILE_SIZE,
					       &r.object), KERN_SUCCESS);
	r.self_name = r.self;
	{
		vm_size_t count = 0;
		kern_return_t kr = vm_copy_from_object(r.self, r.buf, 1, r.object, 0, &count);
		r.fast = kr == KERN_SUCCESS;
		if (!r.fast)
			guest_printf("mosaic-bench: no fast paths (vm_copy_from_object: %s)\n",
				     guest_kr_name(kr));
	}

	for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
		for (int p = 0; p < NPATHS; p++)
			if (r.fast || !path_fast((enum path)p))
				check_path(&r, (enum path)p, sizes[s]);

#ifdef BENCH_PROFILE_PATH
	/* The profiler's run (bench/kernel_profile.py): BENCH_PROFILE_READS
	 * reads of one path and size after the same set-up and checks, between
	 * the two marks the profiler's plugin counts within (xchg %bx,%bx does
	 * nothing), and timed as a whole: under -icount, the instructions the
	 * profile must add up to. */
	if (!r.fast && path_fast(BENCH_PROFILE_PATH))
		guest_fail("profile of %s: no fast paths", path_names[BENCH_PROFILE_PATH]);
	{
		uint64_t ticks = guest_rdtsc();
		__asm__ volatile("xchg %%bx, %%bx" ::: "memory");
		for (int i = 0; i < BENCH_PROFILE_READS / READS; i++)
			(void)run_path(&r, BENCH_PROFILE_PATH, BENCH_PROFILE_SIZE);
		__asm__ volatile("xchg %%bx, %%bx" ::: "memory");
		ticks = guest_rdtsc() - ticks;
		guest_printf("mosaic-bench: profile %s %d bytes, %d reads, %lu ticks\n",
			     path_names[BENCH_PROFILE_PATH], BENCH_PROFILE_SIZE, BENCH_PROFILE_READS,
			     (unsigned long)ticks);
	}
	return 0;
#endif
	guest_printf("mosaic-bench: begin\n");
	guest_printf("round\tsize\tpath\tticks_per_read\n");
	for (int round = 0; round < ROUNDS; round++)
		for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
			for (int p = 0; p < NPATHS; p++) {
				if (!r.fast && path_fast((enum path)p))
					continue;
				uint64_t t = run_path(&r, (enum path)p, sizes[s]);
				guest_printf("%d\t%lu\t%s\t%lu\n", round, (unsigned long)sizes[s],
					     path_names[p], (unsigned long)t);
			}
	guest_printf("mosaic-bench: end\n");
	return 0;
}

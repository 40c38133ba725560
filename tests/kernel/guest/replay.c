/*
 * replay.c: the translator of sim/replay/TRANSLATOR.md on the real kernel, serving
 * a trace's reads to client tasks by the old path and both fast forms.
 *
 * The trace is compiled in (build-guest.sh embeds it as guest_embed[]) and
 * parsed here with the project's own parser (traces/trace_parse.c); the
 * bytes of its files come from the format's content function
 * (traces/trace_content.c).  This task is the translator, with three
 * threads:
 *
 *   driver   (the first thread) reads the trace and, for every read, for
 *            every path, readies the cache (warm: the read's pages made
 *            resident; cold: the pager's answers staged, then the pages
 *            flushed) and asks the read's client task to do the read
 *            (kclient.defs); it sums the client's ticks per chunk-size
 *            bucket and path;
 *   service  serves the clients' reads (ktrans.defs): io_read by the old
 *            path, io_read_direct by a fast form;
 *   pager    the files' memory manager (filepager.c): each file is a memory
 *            object whose receive right is ours, paged from the content
 *            function.
 *
 * Each client of the trace is a task of its own (guest_task_start): a
 * buffer of its own, a port to the service (its protid) and a port it
 * takes orders on.  It times each read itself, from just before its
 * request until the bytes are in its buffer, then checks every byte; a
 * wrong byte fails the guest.
 *
 * Times are TSC ticks: instructions under -icount shift=0, the host's
 * counter in plain emulation.  Results go to the console between
 * `mosaic-replay: begin' and `mosaic-replay: end', one line per bucket and
 * path: `BUCKET PATH READS TICKS' (tab-separated; BUCKET is the k of
 * the bucket (2^(k-1), 2^k], as sim_replay_bucket).  A trace this guest
 * cannot hold is refused whole, before any read, by a line
 * `mosaic-replay: REFUSED <reason>' and a FAIL marker.
 *
 * Build-time options (MOSAIC_GUEST_DEFINES): -DREPLAY_COLD=1 for a cold
 * cache.
 */
#include "guest.h"

#include <mach/memory_object.h>

#include "mach.user.h"
#include "mach4.user.h"
#include "mach_port.user.h"
#include "experimental.user.h"

#include "filepager.h"

#include "kclient.server.h"
#include "kclient.user.h"
#include "ktrans.server.h"
#include "ktrans.user.h"

#include "trace_content.h"
#include "trace_parse.h"

const char guest_name[] = MOSAIC_GUEST_NAME;

extern const char guest_embed[];
extern const unsigned long guest_embed_len;

/* MIG's demux routines, which their headers do not declare. */
boolean_t ktrans_server(mach_msg_header_t *in, mach_msg_header_t *out);
boolean_t kclient_server(mach_msg_header_t *in, mach_msg_header_t *out);

#ifndef REPLAY_COLD
#define REPLAY_COLD 0
#endif

/* What this guest can hold.  Each client is a task with a buffer and a
 * stack of its own: the buffers together are bounded (the guest boots with
 * 512 MiB), not their number. */
#define MAX_FILES       1024
#define MAX_CLIENTS     2048
#define MAX_BUF         ((vm_size_t)16 << 20)   /* a client's buffer */
#define MAX_BUFS        ((vm_size_t)192 << 20)  /* all clients' buffers */
#define CLIENT_STACK    (64 * 1024)    /* only the pages touched cost */
#define MAX_FILE_SIZE   ((uint64_t)1 << 40)     /* a file's declared size */
#define BUCKETS         40                      /* sim_replay.h's SIM_REPLAY_BUCKETS */
#define WINDOW_PAGES    8                       /* sim_translator.h's window */

#define P               GUEST_PAGE_SIZE

enum path { PATH_OLD, PATH_FAST_PROXY, PATH_FAST_TASK, NPATHS };
static const char *const path_names[NPATHS] = { "old", "fast-proxy", "fast-task" };
/* io_read_direct's forms (ktrans.defs). */
#define FORM_PROXY 1
#define FORM_TASK  2

struct file {
	struct fp_file fp;              /* size, content key, memory object */
	mach_port_t proxy;              /* a read-only proxy of the object (keeps it) */
};

struct client {
	uint32_t id;                    /* the trace's client number */
	vm_size_t bufsize;
	mach_port_t cmd;                /* orders: receive right in the client */
	mach_port_t svc;                /* its port of the service: receive right here */
	mach_port_t task;               /* its task port (the task form's capability) */
	mach_port_t thread;
	mach_port_t proxy;              /* its buffer's write-only proxy (io_grant) */
	vm_address_t buf;               /* in the client's task */
	vm_address_t stack;
};

static struct {
	struct trace_parser parser;
	struct trace_file tfiles[MAX_FILES];
	struct file files[MAX_FILES];
	uint32_t nfiles;
	struct client clients[MAX_CLIENTS];
	unsigned nclients;
	uint64_t reads, writes;         /* the trace's operations */
	uint64_t done_reads;
	mach_port_t self;
	mach_port_t svc_set;
	/* Results. */
	uint64_t n[BUCKETS][NPATHS];
	uint64_t ticks[BUCKETS][NPATHS];
} g;

/* In a client task: which client it is (set before the task is made). */
static struct client *me;
static unsigned char service_stack[64 * 1024] __attribute__((aligned(16)));

/* sim_replay_bucket: the k with 2^(k-1) < len <= 2^k (capped). */
static unsigned bucket_of(uint64_t len)
{
	unsigned k = 0;
	while (k + 1 < BUCKETS && ((uint64_t)1 << k) < len)
		k++;
	return k;
}

__attribute__((noreturn, format(printf, 1, 2)))
static void refuse(const char *fmt, ...);
static void refuse(const char *fmt, ...)
{
	va_list ap;

	guest_printf("mosaic-replay: REFUSED ");
	va_start(ap, fmt);
	guest_vprintf(fmt, ap);
	va_end(ap);
	guest_printf("\n");
	guest_fail("the trace cannot be replayed in this guest (see the line above)");
}

/* The service: the translator's read RPCs ---------------------------------- */

static struct client *client_of_port(mach_port_t port)
{
	for (unsigned i = 0; i < g.nclients; i++)
		if (g.clients[i].svc == port)
			return &g.clients[i];
	return NULL;
}

/*
 * libpager's pager_memcpy for a read: windows of at most 8 pages of the
 * file's memory object mapped here, copied out of with our loads into dst
 * with our stores, unmapped.
 */
static kern_return_t pager_memcpy(struct file *f, uint64_t offset, uint64_t len,
				  unsigned char *dst)
{
	while (len > 0) {
		uint64_t win = guest_trunc_page(offset);
		uint64_t win_size = guest_round_page(offset + len) - win;
		if (win_size > WINDOW_PAGES * P)
			win_size = WINDOW_PAGES * P;
		uint64_t n = win + win_size - offset;
		if (n > len)
			n = len;
		vm_address_t at = 0;
		kern_return_t kr = vm_map(g.self, &at, win_size, 0, TRUE, f->fp.object, win, FALSE,
					  VM_PROT_READ, VM_PROT_READ, VM_INHERIT_NONE);
		if (kr != KERN_SUCCESS)
			return kr;
		guest_copy8(dst, (const void *)(uintptr_t)(at + (offset - win)), n);
		kr = vm_deallocate(g.self, at, win_size);
		if (kr != KERN_SUCCESS)
			return kr;
		offset += n;
		dst += n;
		len -= n;
	}
	return KERN_SUCCESS;
}

kern_return_t S_io_read(mach_port_t io, natural_t file, data_t *data,
			mach_msg_type_number_t *data_count, vm_offset_t offset, vm_size_t amount)
{
	if (client_of_port(io) == NULL || file >= g.nfiles)
		return KERN_INVALID_ARGUMENT;
	struct file *f = &g.files[file];
	uint64_t n = offset >= f->fp.size ? 0 : f->fp.size - offset;
	if (n > amount)
		n = amount;
	if (n <= *data_count) {
		/* Into the 2048-byte buffer MIG's server stub offers: the reply
		 * message carries them inline. */
		kern_return_t kr = pager_memcpy(f, offset, n, (unsigned char *)*data);
		if (kr == KERN_SUCCESS)
			*data_count = (mach_msg_type_number_t)n;
		return kr;
	}
	/* A buffer of our own: it travels out of line, deallocated from here. */
	vm_address_t buf = 0;
	kern_return_t kr = vm_allocate(g.self, &buf, guest_round_page(n), TRUE);
	if (kr != KERN_SUCCESS)
		return kr;
	kr = pager_memcpy(f, offset, n, (unsigned char *)buf);
	if (kr != KERN_SUCCESS) {
		(void)vm_deallocate(g.self, buf, guest_round_page(n));
		return kr;
	}
	*data = (data_t)buf;
	*data_count = (mach_msg_type_number_t)n;
	return KERN_SUCCESS;
}

kern_return_t S_io_read_direct(mach_port_t io, natural_t file, natural_t form,
			       vm_offset_t offset, vm_size_t amount, vm_size_t *count)
{
	struct client *c = client_of_port(io);
	kern_return_t kr = KERN_SUCCESS;

	if (c == NULL || file >= g.nfiles || (form != FORM_PROXY && form != FORM_TASK) ||
	    amount > c->bufsize)
		return KERN_INVALID_ARGUMENT;
	if (form == FORM_PROXY && c->proxy == MACH_PORT_NULL)
		return KERN_INVALID_CAPABILITY;
	struct file *f = &g.files[file];
	uint64_t n = offset >= f->fp.size ? 0 : f->fp.size - offset;
	if (n > amount)
		n = amount;
	/* A short copy is retried from the first byte not copied; the retry
	 * says why it stopped. */
	vm_size_t done = 0;
	while (done < n) {
		vm_size_t moved = 0;
		if (form == FORM_TASK)
			kr = vm_copy_from_object(c->task, c->buf + done, n - done, f->fp.object,
					  offset + done, &moved);
		else
			kr = vm_copy_between_objects(f->proxy, offset + done, c->proxy, done,
						n - done, &moved);
		done += moved;
		if (kr != KERN_SUCCESS || moved == 0)
			break;
	}
	if (kr == KERN_SUCCESS && done < n)
		kr = KERN_FAILURE;
	*count = done;
	return kr;
}

kern_return_t S_io_grant(mach_port_t io, mach_port_t buffer, vm_address_t address,
			 vm_size_t size)
{
	struct client *c = client_of_port(io);

	if (c == NULL || size != c->bufsize)
		return KERN_INVALID_ARGUMENT;
	if (c->proxy != MACH_PORT_NULL)
		(void)mach_port_deallocate(g.self, c->proxy);
	c->buf = address;
	c->proxy = buffer;
	return KERN_SUCCESS;
}

static void service_main(void *arg)
{
	(void)arg;
	guest_serve(g.svc_set, ktrans_server, "service");
}

/* A client task ------------------------------------------------------------ */

/* Bytes of the buffer that must change: the ends of the read's range get
 * a byte that is not the file's, as the simulator's client does. */
static void poison(struct file *f, uint64_t offset, uint64_t len)
{
	unsigned char *b = (unsigned char *)me->buf;
	b[0] = (unsigned char)~trace_content_byte(f->fp.key, offset);
	b[len - 1] = (unsigned char)~trace_content_byte(f->fp.key, offset + len - 1);
}

kern_return_t S_client_read(mach_port_t port, natural_t path, natural_t file,
			    vm_offset_t offset, vm_size_t amount, uint64_t *ticks,
			    vm_size_t *done)
{
	struct file *f = &g.files[file];
	kern_return_t kr;
	uint64_t t0, t1;

	(void)port;
	if (file >= g.nfiles || amount == 0 || amount > me->bufsize || path >= NPATHS)
		return KERN_INVALID_ARGUMENT;
	poison(f, offset, amount);
	if (path == PATH_OLD) {
		data_t data = (data_t)me->buf;
		mach_msg_type_number_t n = (mach_msg_type_number_t)me->bufsize;
		t0 = guest_rdtsc();
		kr = io_read(me->svc, file, &data, &n, offset, amount);
		if (kr == KERN_SUCCESS && (vm_address_t)data != me->buf) {
			/* glibc: out of line, copied into the user's buffer. */
			guest_copy8((void *)me->buf, data, n);
			kr = vm_deallocate(mach_task_self(), guest_trunc_page((vm_address_t)data),
					   guest_round_page((vm_address_t)data + n) -
					   guest_trunc_page((vm_address_t)data));
		}
		t1 = guest_rdtsc();
		*done = n;
	} else {
		vm_size_t count = 0;
		t0 = guest_rdtsc();
		kr = io_read_direct(me->svc, file,
				    path == PATH_FAST_PROXY ? FORM_PROXY : FORM_TASK, offset,
				    amount, &count);
		t1 = guest_rdtsc();
		*done = count;
	}
	if (kr != KERN_SUCCESS)
		guest_fail("client %u: %s read of file %u at %lu, %lu bytes: %s", me->id,
			   path_names[path], file, (unsigned long)offset, (unsigned long)amount,
			   guest_kr_name(kr));
	size_t bad = trace_content_check(f->fp.key, offset, (const uint8_t *)me->buf, *done);
	if (bad != *done)
		guest_fail("client %u: %s read of file %u at %lu, %lu bytes: byte %lu is 0x%x, "
			   "the file's is 0x%x", me->id, path_names[path], file,
			   (unsigned long)offset, (unsigned long)amount, (unsigned long)bad,
			   ((unsigned char *)me->buf)[bad],
			   trace_content_byte(f->fp.key, offset + bad));
	*ticks = t1 - t0;
	return KERN_SUCCESS;
}

static void client_main(void *arg)
{
	kern_return_t kr;

	me = arg;
	/* A program's read buffer, touched once: resident. */
	kr = vm_allocate(mach_task_self(), &me->buf, me->bufsize, TRUE);
	if (kr != KERN_SUCCESS)
		guest_fail("client %u: vm_allocate of its buffer: %s", me->id, guest_kr_name(kr));
	memset((void *)me->buf, 0, me->bufsize);
	/* The proxy form's capability: a write-only proxy of exactly the buffer. */
	mach_port_t proxy;
	kr = vm_region_create_proxy(mach_task_self(), me->buf, VM_PROT_WRITE, me->bufsize, &proxy);
	if (kr != KERN_SUCCESS)
		guest_fail("client %u: vm_region_create_proxy: %s", me->id, guest_kr_name(kr));
	kr = io_grant(me->svc, proxy, me->buf, me->bufsize);
	if (kr != KERN_SUCCESS)
		guest_fail("client %u: io_grant: %s", me->id, guest_kr_name(kr));
	guest_serve(me->cmd, kclient_server, "client");
}

/* The driver ---------------------------------------------------------------- */

static struct client *client_index(uint32_t id, bool add)
{
	for (unsigned i = 0; i < g.nclients; i++)
		if (g.clients[i].id == id)
			return &g.clients[i];
	if (!add)
		return NULL;
	if (g.nclients == MAX_CLIENTS)
		refuse("more than %u clients (client %u)", MAX_CLIENTS, id);
	g.clients[g.nclients].id = id;
	return &g.clients[g.nclients++];
}

static int scan_header(void *ctx, const struct trace_header *h)
{
	(void)ctx;
	g.nfiles = h->nfiles;
	for (uint32_t i = 0; i < h->nfiles; i++) {
		if (h->files[i].size > MAX_FILE_SIZE)
			refuse("file %s declares %lu bytes, above this guest's %lu", h->files[i].id,
			       (unsigned long)h->files[i].size, (unsigned long)MAX_FILE_SIZE);
		g.files[i].fp.size = h->files[i].size;
		g.files[i].fp.key = h->files[i].key;
	}
	return 0;
}

static int scan_op(void *ctx, const struct trace_op *op)
{
	(void)ctx;
	if (op->kind != TRACE_OP_READ) {
		g.writes++;
		return 0;
	}
	struct client *c = client_index(op->client, true);
	if (op->length > MAX_BUF)
		refuse("line %lu: a read of %lu bytes, above this guest's buffer of %lu",
		       (unsigned long)op->line, (unsigned long)op->length,
		       (unsigned long)MAX_BUF);
	/* The simulator's client buffer: a page, doubled until it holds the read. */
	vm_size_t size = c->bufsize ? c->bufsize : P;
	while (size < op->length)
		size *= 2;
	c->bufsize = size;
	g.reads++;
	return 0;
}

static void parse(const struct trace_handler *h)
{
	trace_parser_init(&g.parser, g.tfiles, MAX_FILES);
	(void)trace_parser_feed(&g.parser, guest_embed, guest_embed_len, h, NULL);
	(void)trace_parser_finish(&g.parser, h, NULL);
	if (g.parser.error == TRACE_E_TOO_MANY_FILES)
		refuse("more than %u files", MAX_FILES);
	if (g.parser.error != TRACE_OK) {
		char msg[160];
		trace_error_format(&g.parser, "trace", msg, sizeof msg);
		refuse("%s", msg);
	}
}

static mach_port_t new_receive(void)
{
	mach_port_t p;
	kern_return_t kr = mach_port_allocate(g.self, MACH_PORT_RIGHT_RECEIVE, &p);
	if (kr != KERN_SUCCESS)
		guest_fail("mach_port_allocate: %s", guest_kr_name(kr));
	GUEST_EXPECT_KR(mach_port_insert_right(g.self, p, p, MACH_MSG_TYPE_MAKE_SEND),
			KERN_SUCCESS);
	return p;
}

static void start_client(struct client *c)
{
	c->cmd = new_receive();
	c->svc = new_receive();
	GUEST_EXPECT_KR(mach_port_move_member(g.self, c->svc, g.svc_set), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_allocate(g.self, &c->stack, CLIENT_STACK, TRUE), KERN_SUCCESS);
	/* The orders' receive right goes to the client; it keeps a send right
	 * to its service port; both under the names they have here. */
	struct guest_right rights[2] = {
		{ c->cmd, MACH_MSG_TYPE_MOVE_RECEIVE },
		{ c->svc, MACH_MSG_TYPE_MAKE_SEND },
	};
	kern_return_t kr = guest_task_start(client_main, c, (void *)c->stack, CLIENT_STACK, rights,
					    2, &c->task, &c->thread);
	if (kr != KERN_SUCCESS)
		guest_fail("guest_task_start for client %u: %s", c->id, guest_kr_name(kr));
}

static void add_file(uint32_t i)
{
	struct file *f = &g.files[i];

	filepager_add(&f->fp);
	if (f->fp.size == 0)
		return;
	/* A read-only proxy of the whole file: the proxy form's source
	 * (vm_copy_between_objects goes to a kernel port), and the reference that
	 * keeps the object and its pages while the replay runs. */
	mach_port_t object[1] = { f->fp.object };
	rpc_vm_offset_t offset[1] = { 0 }, start[1] = { 0 };
	rpc_vm_size_t len[1] = { (rpc_vm_size_t)guest_round_page(f->fp.size) };
	GUEST_EXPECT_KR(memory_object_create_proxy(g.self, VM_PROT_READ, object,
						   MACH_MSG_TYPE_COPY_SEND, 1, offset, 1, start,
						   1, len, 1, &f->proxy),
			KERN_SUCCESS);
}

/* Warm: the read's pages made resident (a window mapped, each page read). */
static void warm(uint32_t file, uint64_t offset, uint64_t len)
{
	struct file *f = &g.files[file];
	uint64_t start = guest_trunc_page(offset), size = guest_round_page(offset + len) - start;
	vm_address_t at = 0;

	GUEST_EXPECT_KR(vm_map(g.self, &at, size, 0, TRUE, f->fp.object, start, FALSE, VM_PROT_READ,
			       VM_PROT_READ, VM_INHERIT_NONE), KERN_SUCCESS);
	for (uint64_t p = 0; p < size; p += P)
		(void)*(volatile unsigned char *)(uintptr_t)(at + p);
	GUEST_EXPECT_KR(vm_deallocate(g.self, at, size), KERN_SUCCESS);
}

/* Cold: the pager's answers for the read's pages staged, then the pages
 * flushed from the kernel's cache. */
static void cold(uint32_t file, uint64_t offset, uint64_t len)
{
	filepager_stage(&g.files[file].fp, offset, len);
	filepager_flush(&g.files[file].fp, offset, len);
}

static int replay_op(void *ctx, const struct trace_op *op)
{
	(void)ctx;
	if (op->kind != TRACE_OP_READ)
		return 0;
	struct client *c = client_index(op->client, false);
	unsigned b = bucket_of(op->length);

	if (!REPLAY_COLD)
		warm(op->file, op->offset, op->length);
	for (unsigned p = 0; p < NPATHS; p++) {
		uint64_t ticks = 0;
		vm_size_t done = 0;
		if (REPLAY_COLD)
			cold(op->file, op->offset, op->length);
		kern_return_t kr = client_read(c->cmd, p, op->file, op->offset, op->length,
					       &ticks, &done);
		if (kr != KERN_SUCCESS)
			guest_fail("line %lu: client_read: %s", (unsigned long)op->line,
				   guest_kr_name(kr));
		if (done != op->length)
			guest_fail("line %lu: %s read delivered %lu of %lu bytes",
				   (unsigned long)op->line, path_names[p], (unsigned long)done,
				   (unsigned long)op->length);
		g.n[b][p]++;
		g.ticks[b][p] += ticks;
	}
	g.done_reads++;
	if (g.done_reads % 250 == 0 || g.done_reads == g.reads)
		guest_printf("mosaic-replay: progress %lu/%lu reads\n",
			     (unsigned long)g.done_reads, (unsigned long)g.reads);
	return 0;
}

int guest_main(int argc, char **argv)
{
	static const struct trace_handler scan_handler = { .header = scan_header, .op = scan_op };
	static const struct trace_handler replay_handler = { .op = replay_op };
	mach_port_t thread;

	(void)argc, (void)argv;
	g.self = mach_task_self();
	/* 1. The whole trace checked, and what it needs known, before anything. */
	parse(&scan_handler);
	if (g.reads == 0)
		refuse("the trace has no read");
	vm_size_t bufs = 0;
	for (unsigned i = 0; i < g.nclients; i++) {
		/* Each at most MAX_BUF: the sum cannot wrap before it is refused. */
		bufs += g.clients[i].bufsize;
		if (bufs > MAX_BUFS)
			refuse("the clients' buffers take more than this guest's %lu bytes "
			       "(%u clients)", (unsigned long)MAX_BUFS, g.nclients);
	}
	guest_printf("mosaic-replay: trace of %u files, %u clients, %lu reads (%lu writes "
		     "skipped), %s cache\n", g.nfiles, g.nclients, (unsigned long)g.reads,
		     (unsigned long)g.writes, REPLAY_COLD ? "cold" : "warm");
	/* 2. The clients, each a task (made first: they inherit little). */
	GUEST_EXPECT_KR(mach_port_allocate(g.self, MACH_PORT_RIGHT_PORT_SET, &g.svc_set),
			KERN_SUCCESS);
	GUEST_EXPECT_KR(guest_thread_start(service_main, NULL, service_stack,
					   sizeof service_stack, &thread), KERN_SUCCESS);
	vm_size_t maxbuf = P;
	for (unsigned i = 0; i < g.nclients; i++) {
		start_client(&g.clients[i]);
		if (g.clients[i].bufsize > maxbuf)
			maxbuf = g.clients[i].bufsize;
	}
	/* 3. The files: memory objects we page, each held by a read-only proxy. */
	filepager_start(maxbuf + 2 * P);
	for (uint32_t i = 0; i < g.nfiles; i++)
		add_file(i);
	/* Every client has granted its buffer before the first read. */
	for (unsigned i = 0; i < g.nclients; i++)
		for (unsigned k = 0; g.clients[i].proxy == MACH_PORT_NULL; k++) {
			if (k == 5000)
				guest_fail("client %u never granted its buffer", g.clients[i].id);
			guest_sleep_ms(1);
		}
	/* 4. The reads. */
	parse(&replay_handler);
	/* 5. The results. */
	guest_printf("mosaic-replay: pager: %lu pages supplied, %lu of them staged\n",
		     (unsigned long)filepager_pageins(), (unsigned long)filepager_pageins_staged());
	guest_printf("mosaic-replay: begin\n");
	for (unsigned b = 0; b < BUCKETS; b++)
		for (unsigned p = 0; p < NPATHS; p++)
			if (g.n[b][p] != 0)
				guest_printf("%u\t%s\t%lu\t%lu\n", b, path_names[p],
					     (unsigned long)g.n[b][p], (unsigned long)g.ticks[b][p]);
	guest_printf("mosaic-replay: end\n");
	for (unsigned i = 0; i < g.nclients; i++)
		(void)task_terminate(g.clients[i].task);
	return 0;
}

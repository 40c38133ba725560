/*
 * sim_translator.c: the simulated translator (see sim_translator.h).
 *
 * Every step of a read is a simulator operation done by the task that would
 * do it on the Hurd: the server maps and unmaps windows and copies with its
 * own loads and stores; the client copies with its own; the kernel's work is
 * the RPCs.  The host only carries bytes between a load and the following
 * store (the scratch buffer), which is what a register does in memcpy.
 *
 * Counts are taken as the difference of the simulator's event counters
 * around the read, plus the message-level corrections the header describes.
 */
#include "sim_translator.h"

#include <glib.h>
#include <string.h>

#include "sim_fast.h"
#include "sim_proxy.h"
#include "vmc_range.h"

struct tr_file {
	struct sim_translator *tr;
	uint32_t id;
	uint64_t size;
	sim_name_t object;            /* the server's send right */
	sim_name_t proxy;             /* a read-only proxy of it: the proxy form's source */
};

struct sim_translator {
	struct sim_vm *vm;
	struct sim_task *server;
	sim_content_fn content;
	void *ctx;
	GPtrArray *files;             /* struct tr_file *, index = file id */
	GPtrArray *clients;           /* struct sim_client * */
	vmc_addr_t reply_buf;         /* the server's MIG reply buffer */
	unsigned char *scratch;       /* bytes between a load and a store */
	unsigned char *expect;        /* verification: the file's bytes */
	size_t scratch_len;
	/* What expect holds (valid if expect_len != 0): both paths verify
	 * the same read, so the second takes the first's bytes. */
	uint32_t expect_file;
	uint64_t expect_offset, expect_len;
};

struct sim_client {
	struct sim_translator *tr;
	struct sim_task *task;
	vmc_addr_t buf;
	uint64_t bufsize;
	sim_name_t server_in_client;  /* the server's task port (OOL replies) */
	sim_name_t task_in_server;    /* the client's task port (FAST_TASK) */
	sim_name_t proxy_in_server;   /* the buffer's proxy (FAST_PROXY) */
};

static const uint64_t tr_page = VMC_PAGE_SIZE;

/* Rounds a buffer's size or a task address up to a page: both are far
 * below the top (the simulated address space ends at 2^47).  A file's
 * offsets may reach the top of the 64-bit space: they go through
 * tr_file_pages instead, which works in last bytes. */
static uint64_t tr_round_page(uint64_t x)
{
	return (x + tr_page - 1) & ~(tr_page - 1);
}

/* The first and last page of the bytes of [offset, offset + len) that f
 * has (cut at its end): false if there are none.  Counted by last bytes,
 * so that a file whose last page is the last of the offset space needs no
 * offset past it. */
static bool tr_file_pages(const struct tr_file *f, uint64_t offset, uint64_t len,
			  uint64_t *first, uint64_t *last)
{
	struct vmc_range r;

	if (offset >= f->size || len == 0 ||
	    !vmc_range_make(offset, MIN(len, f->size - offset), &r))
		return false;
	*first = vmc_trunc_page(r.start);
	*last = vmc_trunc_page(vmc_range_last(&r));
	return true;
}

/* Makes the scratch buffers at least len bytes. */
static void tr_scratch_reserve(struct sim_translator *tr, size_t len)
{
	if (len <= tr->scratch_len)
		return;
	tr->scratch = g_realloc(tr->scratch, len);
	tr->expect = g_realloc(tr->expect, len);
	tr->scratch_len = len;
	tr->expect_len = 0;
}

/* The pager of one file: the content function, zeros past the end. */
static void tr_pager_content(void *ctx, vmc_off_t offset, unsigned char *page)
{
	struct tr_file *f = ctx;
	uint64_t n = 0;

	if (offset < f->size)
		n = MIN(tr_page, f->size - offset);
	if (n > 0)
		f->tr->content(f->tr->ctx, f->id, offset, page, n);
	memset(page + n, 0, tr_page - n);
}

struct sim_translator *sim_translator_create(struct sim_vm *vm, sim_content_fn content,
					     void *ctx)
{
	struct sim_translator *tr = g_new0(struct sim_translator, 1);

	tr->vm = vm;
	tr->content = content;
	tr->ctx = ctx;
	tr->files = g_ptr_array_new_with_free_func(g_free);
	tr->clients = g_ptr_array_new();
	tr->server = sim_task_create(vm, "translator");
	if (tr->server == NULL)
		goto fail;
	if (sim_vm_allocate(tr->server, sim_task_self(tr->server), &tr->reply_buf,
			    SIM_TRANSLATOR_INLINE_MAX, true) != KERN_SUCCESS)
		goto fail;
	return tr;
fail:
	sim_translator_destroy(tr);
	return NULL;
}

/* The client's task ends, and the server lets go of its rights to it and
 * to its buffer's proxy: the buffer's memory goes with them. */
static void tr_client_free(struct sim_client *c)
{
	struct sim_translator *tr = c->tr;

	if (c->task_in_server != SIM_NAME_NULL)
		(void)sim_port_deallocate(tr->server, c->task_in_server);
	if (c->proxy_in_server != SIM_NAME_NULL)
		(void)sim_port_deallocate(tr->server, c->proxy_in_server);
	if (c->task != NULL)
		sim_task_terminate(c->task);
	g_free(c);
}

void sim_client_destroy(struct sim_client *c)
{
	g_ptr_array_remove(c->tr->clients, c);
	tr_client_free(c);
}

void sim_translator_destroy(struct sim_translator *tr)
{
	if (tr == NULL)
		return;
	for (guint i = 0; i < tr->clients->len; i++)
		tr_client_free(g_ptr_array_index(tr->clients, i));
	g_ptr_array_free(tr->clients, TRUE);
	if (tr->server != NULL)
		sim_task_terminate(tr->server);
	g_ptr_array_free(tr->files, TRUE);
	g_free(tr->scratch);
	g_free(tr->expect);
	g_free(tr);
}

vmc_kr_t sim_translator_add_file(struct sim_translator *tr, uint32_t file, uint64_t size)
{
	/* Files come in order: the trace header numbers them. */
	if (file != tr->files->len)
		return KERN_INVALID_ARGUMENT;
	struct tr_file *f = g_new0(struct tr_file, 1);
	f->tr = tr;
	f->id = file;
	f->size = size;
	/* The pager has data for every page that starts below the file's
	 * end (sim_pager): its size need not be rounded, which for a file of
	 * more than 2^64 - 4096 bytes would give 0. */
	struct sim_pager pager = {
		.content = tr_pager_content,
		.ctx = f,
		.size = size,
		.latency = 0,
	};
	vmc_kr_t kr = sim_memory_object_create(tr->server, &pager, &f->object);
	if (kr != KERN_SUCCESS) {
		g_free(f);
		return kr;
	}
	/* memory_object_copy goes to its source: on the kernel that must be a
	 * kernel port, so the proxy form copies from a read-only proxy of the
	 * file (TRANSLATOR.md): of its pages, [0, round_page(size)), or, for a
	 * file whose last page is the last of the offset space (that end is
	 * past the top), of its bytes. */
	const vmc_off_t zero = 0;
	vmc_size_t len;
	if (vmc_add(size, tr_page - 1, &len))
		len &= ~(tr_page - 1);
	else
		len = size;
	if (len > 0)
		kr = sim_memory_object_create_proxy(tr->server, VMC_PROT_READ, &f->object, 1,
						    &zero, 1, &zero, 1, &len, 1, &f->proxy);
	if (kr != KERN_SUCCESS) {
		sim_port_deallocate(tr->server, f->object);
		g_free(f);
		return kr;
	}
	g_ptr_array_add(tr->files, f);
	return KERN_SUCCESS;
}

static struct tr_file *tr_file_get(struct sim_translator *tr, uint32_t file)
{
	return file < tr->files->len ? g_ptr_array_index(tr->files, file) : NULL;
}

/* The proxy form: the client hands the server a write-only proxy of exactly
 * its buffer (vm_region_create_proxy), made once per buffer as a client
 * library would, and the server copies from the file's read-only proxy into
 * it (an object-to-object copy).  No task port changes hands for it. */
static vmc_kr_t tr_copy_to_proxy(struct sim_translator *tr, struct sim_client *c,
				 struct tr_file *f, uint64_t offset, uint64_t dst_offset,
				 uint64_t len, vmc_size_t *count)
{
	return sim_memory_object_copy(tr->server, f->proxy, offset, c->proxy_in_server,
				      dst_offset, len, count);
}

/* Gives the server the capabilities of both fast forms: the client's task
 * port (the seed's form) and the proxy of its buffer (the recommended one). */
static vmc_kr_t tr_client_grant(struct sim_translator *tr, struct sim_client *c)
{
	sim_name_t proxy;
	vmc_kr_t kr = sim_port_copy_send(c->task, sim_task_self(c->task), tr->server,
					 &c->task_in_server);
	if (kr != KERN_SUCCESS)
		return kr;
	kr = sim_vm_region_create_proxy(c->task, sim_task_self(c->task), c->buf, VMC_PROT_WRITE,
					MAX(c->bufsize, 1), &proxy);
	if (kr != KERN_SUCCESS)
		return kr;
	kr = sim_port_copy_send(c->task, proxy, tr->server, &c->proxy_in_server);
	sim_port_deallocate(c->task, proxy);
	return kr;
}

struct sim_client *sim_client_create(struct sim_translator *tr, const char *label,
				     uint64_t bufsize, vmc_kr_t *kr)
{
	struct sim_client *c = g_new0(struct sim_client, 1);

	c->tr = tr;
	c->bufsize = bufsize;
	c->task = sim_task_create(tr->vm, label);
	if (c->task == NULL) {
		*kr = KERN_RESOURCE_SHORTAGE;
		goto fail;
	}
	*kr = sim_vm_allocate(c->task, sim_task_self(c->task), &c->buf,
			      tr_round_page(MAX(bufsize, 1)), true);
	if (*kr != KERN_SUCCESS)
		goto fail;
	/* Touch the buffer once: a program's read buffer is resident. */
	tr_scratch_reserve(tr, bufsize);
	memset(tr->scratch, 0, bufsize);
	*kr = sim_task_store(c->task, c->buf, tr->scratch, bufsize, NULL);
	if (*kr != KERN_SUCCESS)
		goto fail;
	/* The client's reply can come out of line: the simulator moves it with
	 * a vm_read by the client, which needs the server's task port. */
	*kr = sim_port_copy_send(tr->server, sim_task_self(tr->server), c->task,
				 &c->server_in_client);
	if (*kr != KERN_SUCCESS)
		goto fail;
	*kr = tr_client_grant(tr, c);
	if (*kr != KERN_SUCCESS)
		goto fail;
	g_ptr_array_add(tr->clients, c);
	return c;
fail:
	tr_client_free(c);
	return NULL;
}

/*
 * A task's own loads and stores.  The simulator counts one SIM_EV_FAULT per
 * vm_fault_page, whether a user access or the kernel's copy asked for the
 * page; a user access's fault also enters the kernel through an exception,
 * so each fault taken here counts one trap too.
 */
static vmc_kr_t tr_load(struct sim_translator *tr, struct sim_task *task, vmc_addr_t addr,
			void *buf, size_t len)
{
	uint64_t before[SIM_EV_COUNT], after[SIM_EV_COUNT];
	sim_events(tr->vm, before);
	vmc_kr_t kr = sim_task_load(task, addr, buf, len, NULL);
	sim_events(tr->vm, after);
	sim_count(tr->vm, SIM_EV_TRAP, after[SIM_EV_FAULT] - before[SIM_EV_FAULT]);
	return kr;
}

static vmc_kr_t tr_store(struct sim_translator *tr, struct sim_task *task, vmc_addr_t addr,
			 const void *buf, size_t len)
{
	uint64_t before[SIM_EV_COUNT], after[SIM_EV_COUNT];
	sim_events(tr->vm, before);
	vmc_kr_t kr = sim_task_store(task, addr, buf, len, NULL);
	sim_events(tr->vm, after);
	sim_count(tr->vm, SIM_EV_TRAP, after[SIM_EV_FAULT] - before[SIM_EV_FAULT]);
	return kr;
}

/* Snapshot of the event counters. */
static void tr_events_now(struct sim_translator *tr, uint64_t out[SIM_EV_COUNT])
{
	sim_events(tr->vm, out);
}

/*
 * libpager's pager_memcpy for a read: maps windows of at most 8 pages of the
 * file's memory object into the server, copies out of each with the server's
 * loads into `dst` (an address in the server) with its stores, unmaps.
 */
static vmc_kr_t tr_pager_memcpy(struct sim_translator *tr, struct tr_file *f,
				 uint64_t offset, uint64_t len, vmc_addr_t dst)
{
	sim_name_t self = sim_task_self(tr->server);
	const uint64_t max_window = SIM_TRANSLATOR_WINDOW_PAGES * tr_page;

	while (len > 0) {
		uint64_t win, last;
		if (!tr_file_pages(f, offset, len, &win, &last))
			return KERN_INVALID_ARGUMENT;   /* the caller cut len at the end */
		/* Up to the read's last page, at most max_window (by distances:
		 * the last window may end at the top of the offset space). */
		uint64_t win_size = last - win < max_window ? last - win + tr_page : max_window;
		uint64_t n = MIN(len, win_size - (offset - win));
		vmc_addr_t at = 0;
		vmc_kr_t kr = sim_vm_map(tr->server, self, &at, win_size, 0, true, f->object,
					 win, false, VMC_PROT_READ, VMC_PROT_READ);
		if (kr != KERN_SUCCESS)
			return kr;
		kr = tr_load(tr, tr->server, at + (offset - win), tr->scratch, n);
		if (kr == KERN_SUCCESS)
			kr = tr_store(tr, tr->server, dst, tr->scratch, n);
		sim_count(tr->vm, SIM_EV_BYTES_COPIED, n);
		vmc_kr_t kr2 = sim_vm_deallocate(tr->server, self, at, win_size);
		if (kr != KERN_SUCCESS)
			return kr;
		if (kr2 != KERN_SUCCESS)
			return kr2;
		len -= n;
		if (len > 0 && (!vmc_add(offset, n, &offset) || !vmc_add(dst, n, &dst)))
			return KERN_INVALID_ARGUMENT;
	}
	return KERN_SUCCESS;
}

/* The old path, inline reply (len <= SIM_TRANSLATOR_INLINE_MAX). */
static vmc_kr_t tr_read_old_inline(struct sim_translator *tr, struct sim_client *c,
				   struct tr_file *f, uint64_t offset, uint64_t len)
{
	/* The io_read round trip. */
	sim_count(tr->vm, SIM_EV_USER_RPC, 1);
	vmc_kr_t kr = tr_pager_memcpy(tr, f, offset, len, tr->reply_buf);
	if (kr != KERN_SUCCESS)
		return kr;
	/* The kernel copies the reply in from the server and out to the client;
	 * the scratch buffer still holds its bytes. */
	kr = sim_task_load(tr->server, tr->reply_buf, tr->scratch, len, NULL);
	if (kr != KERN_SUCCESS)
		return kr;
	sim_count(tr->vm, SIM_EV_MSG_BYTES, 2 * len);
	/* The client's stub copies the inline data into the user's buffer. */
	kr = tr_store(tr, c->task, c->buf, tr->scratch, len);
	sim_count(tr->vm, SIM_EV_BYTES_COPIED, len);
	return kr;
}

/* The old path, out-of-line reply.  *rpc_credit gets the RPCs the model
 * takes back (see the header). */
static vmc_kr_t tr_read_old_ool(struct sim_translator *tr, struct sim_client *c,
				struct tr_file *f, uint64_t offset, uint64_t len,
				uint64_t *rpc_credit)
{
	sim_name_t self = sim_task_self(tr->server);
	uint64_t size = tr_round_page(len);
	vmc_addr_t obuf = 0, data = 0;

	/* libdiskfs allocates a reply buffer of its own (mmap). */
	vmc_kr_t kr = sim_vm_allocate(tr->server, self, &obuf, size, true);
	if (kr != KERN_SUCCESS)
		return kr;
	kr = tr_pager_memcpy(tr, f, offset, len, obuf);
	if (kr == KERN_SUCCESS) {
		/* The reply: the buffer moves into the client's map.  The vm_read's
		 * RPC is the io_read round trip, a user_rpc. */
		kr = sim_vm_read(c->task, c->server_in_client, obuf, len, &data);
		*rpc_credit += 1;
		sim_count(tr->vm, SIM_EV_USER_RPC, 1);
		sim_count(tr->vm, SIM_EV_OOL_PAGE, size / tr_page);
	}
	/* MIG's dealloc flag: the buffer leaves the server with the message. */
	vmc_kr_t kr2 = sim_vm_deallocate(tr->server, self, obuf, size);
	if (kr2 == KERN_SUCCESS)
		*rpc_credit += 1;
	if (kr != KERN_SUCCESS)
		return kr;
	if (kr2 != KERN_SUCCESS)
		return kr2;
	/* glibc copies into the user's buffer and unmaps the reply data. */
	kr = tr_load(tr, c->task, data, tr->scratch, len);
	if (kr == KERN_SUCCESS)
		kr = tr_store(tr, c->task, c->buf, tr->scratch, len);
	sim_count(tr->vm, SIM_EV_BYTES_COPIED, len);
	kr2 = sim_vm_deallocate(c->task, sim_task_self(c->task), vmc_trunc_page(data),
				tr_round_page(data + len) - vmc_trunc_page(data));
	return kr != KERN_SUCCESS ? kr : kr2;
}

/*
 * The fast path: the client's io_read_direct request carries a capability
 * for its buffer; the server asks the kernel to copy from the file's memory
 * object straight into that buffer.  A short copy is retried from the first
 * byte not copied, as a real server would; the retry reports the reason.
 */
static vmc_kr_t tr_read_fast(struct sim_translator *tr, struct sim_client *c,
			     enum sim_read_path path, struct tr_file *f, uint64_t offset,
			     uint64_t len, uint64_t *done)
{
	vmc_kr_t kr = KERN_SUCCESS;

	/* The io_read_direct round trip. */
	sim_count(tr->vm, SIM_EV_USER_RPC, 1);
	*done = 0;
	while (*done < len) {
		vmc_size_t count = 0;
		if (path == SIM_READ_FAST_TASK)
			kr = sim_vm_read_fast(tr->server, c->task_in_server, c->buf + *done,
					      len - *done, f->object, offset + *done, &count);
		else
			kr = tr_copy_to_proxy(tr, c, f, offset + *done, *done, len - *done,
					      &count);
		*done += count;
		if (kr != KERN_SUCCESS || count == 0)
			break;
	}
	if (kr == KERN_SUCCESS && *done < len)
		kr = KERN_FAILURE;   /* no progress and no reason: cannot happen */
	return kr;
}

bool sim_translator_has_path(enum sim_read_path path)
{
	return path == SIM_READ_OLD || path == SIM_READ_FAST_TASK || path == SIM_READ_FAST_PROXY;
}

const char *sim_read_path_name(enum sim_read_path path)
{
	switch (path) {
	case SIM_READ_OLD: return "old";
	case SIM_READ_FAST_PROXY: return "fast";
	case SIM_READ_FAST_TASK: return "fast-task";
	}
	return "?";
}

vmc_kr_t sim_translator_read(struct sim_translator *tr, struct sim_client *c,
			     enum sim_read_path path, uint32_t file, uint64_t offset,
			     uint64_t len, uint64_t *done, uint64_t events[SIM_EV_COUNT])
{
	struct tr_file *f = tr_file_get(tr, file);
	uint64_t before[SIM_EV_COUNT], after[SIM_EV_COUNT];
	uint64_t rpc_credit = 0;
	vmc_kr_t kr;

	/* A known file, a length the buffer holds, a path we have? */
	if (f == NULL || len > c->bufsize || !sim_translator_has_path(path))
		return KERN_INVALID_ARGUMENT;
	/* A read past the end is cut at the end. */
	uint64_t n = offset >= f->size ? 0 : MIN(len, f->size - offset);
	tr_scratch_reserve(tr, n);

	tr_events_now(tr, before);
	*done = 0;
	if (n == 0) {
		sim_count(tr->vm, SIM_EV_USER_RPC, 1);
		kr = KERN_SUCCESS;
	} else if (path != SIM_READ_OLD) {
		kr = tr_read_fast(tr, c, path, f, offset, n, done);
	} else if (n <= SIM_TRANSLATOR_INLINE_MAX) {
		kr = tr_read_old_inline(tr, c, f, offset, n);
	} else {
		kr = tr_read_old_ool(tr, c, f, offset, n, &rpc_credit);
	}
	if (path == SIM_READ_OLD && kr == KERN_SUCCESS)
		*done = n;
	tr_events_now(tr, after);
	if (events != NULL) {
		for (int ev = 0; ev < SIM_EV_COUNT; ev++)
			events[ev] += after[ev] - before[ev];
		events[SIM_EV_RPC] -= MIN(rpc_credit, events[SIM_EV_RPC]);
	}
	return kr;
}

vmc_kr_t sim_translator_evict(struct sim_translator *tr, uint32_t file, uint64_t offset,
			      uint64_t len)
{
	struct tr_file *f = tr_file_get(tr, file);
	uint64_t first, last;
	if (f == NULL)
		return KERN_INVALID_ARGUMENT;
	if (!tr_file_pages(f, offset, len, &first, &last))
		return KERN_SUCCESS;
	/* Up to the last page itself: the page after it may be past the top. */
	for (uint64_t p = first;; p += tr_page) {
		/* A page that is not resident is as cold as it gets. */
		vmc_kr_t kr = sim_memory_object_evict(tr->server, f->object, p);
		if (kr != KERN_SUCCESS && kr != KERN_INVALID_ADDRESS)
			return kr;
		if (p == last)
			return KERN_SUCCESS;
	}
}

vmc_kr_t sim_translator_warm(struct sim_translator *tr, uint32_t file, uint64_t offset,
			     uint64_t len)
{
	struct tr_file *f = tr_file_get(tr, file);
	uint64_t first, last;
	if (f == NULL)
		return KERN_INVALID_ARGUMENT;
	if (!tr_file_pages(f, offset, len, &first, &last))
		return KERN_SUCCESS;
	sim_name_t self = sim_task_self(tr->server);
	const uint64_t chunk = 256 * tr_page;
	unsigned char byte;

	/* Windows of at most 256 pages, each page read once: the work follows
	 * the bytes asked for, never the file's declared size.  The loop ends
	 * with the window holding the last page (the next one's offset may be
	 * past the top of the offset space). */
	for (uint64_t off = first;; off += chunk) {
		bool final = last - off < chunk;
		uint64_t size = final ? last - off + tr_page : chunk;
		vmc_addr_t at = 0;
		vmc_kr_t kr = sim_vm_map(tr->server, self, &at, size, 0, true, f->object, off,
					 false, VMC_PROT_READ, VMC_PROT_READ);
		if (kr != KERN_SUCCESS)
			return kr;
		for (uint64_t p = 0; p < size && kr == KERN_SUCCESS; p += tr_page)
			kr = sim_task_load(tr->server, at + p, &byte, 1, NULL);
		vmc_kr_t kr2 = sim_vm_deallocate(tr->server, self, at, size);
		if (kr != KERN_SUCCESS)
			return kr;
		if (kr2 != KERN_SUCCESS)
			return kr2;
		if (final)
			return KERN_SUCCESS;
	}
}

bool sim_client_verify(struct sim_client *c, uint32_t file, uint64_t offset, uint64_t len)
{
	struct sim_translator *tr = c->tr;
	struct tr_file *f = tr_file_get(tr, file);

	if (f == NULL || len > c->bufsize)
		return false;
	if (len == 0)
		return true;
	tr_scratch_reserve(tr, len);
	if (sim_task_load(c->task, c->buf, tr->scratch, len, NULL) != KERN_SUCCESS)
		return false;
	if (tr->expect_len != len || tr->expect_file != file || tr->expect_offset != offset) {
		tr->content(tr->ctx, file, offset, tr->expect, len);
		tr->expect_file = file;
		tr->expect_offset = offset;
		tr->expect_len = len;
	}
	return memcmp(tr->scratch, tr->expect, len) == 0;
}

vmc_kr_t sim_client_poison(struct sim_client *c, uint32_t file, uint64_t offset, uint64_t len)
{
	struct sim_translator *tr = c->tr;
	unsigned char b;

	if (tr_file_get(tr, file) == NULL || len > c->bufsize)
		return KERN_INVALID_ARGUMENT;
	if (len == 0)
		return KERN_SUCCESS;
	uint64_t ends[2] = { 0, len - 1 };
	for (int i = 0; i < 2; i++) {
		tr->content(tr->ctx, file, offset + ends[i], &b, 1);
		b = (unsigned char)~b;
		vmc_kr_t kr = sim_task_store(c->task, c->buf + ends[i], &b, 1, NULL);
		if (kr != KERN_SUCCESS)
			return kr;
	}
	return KERN_SUCCESS;
}

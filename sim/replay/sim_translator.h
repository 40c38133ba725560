/*
 * sim_translator.h: a simulated Hurd translator serving read() two ways.
 *
 * The experiment of the 2005 seed: how much faster is a translator's read
 * when the kernel copies straight into the client's buffer?  A translator
 * (a server task) holds one memory object per file, served by a pager whose
 * data is the trace's content function.  Clients are tasks, each with one
 * buffer.  A read runs one of two paths, both made of real simulator
 * operations (RPCs, the tasks' own loads and stores, faults):
 *
 *   OLD   what libdiskfs + libpager + MIG + glibc do today.  The server maps
 *         a window of the memory object (at most 8 pages, as pager_memcpy
 *         does), copies out of it, unmaps it.  Up to SIM_TRANSLATOR_INLINE_MAX
 *         bytes travel inline in the reply (the server copies into its reply
 *         buffer, the kernel copies the message in and out, the client's stub
 *         copies into the user buffer).  Above it the server copies into a
 *         freshly allocated buffer that travels out of line: the kernel moves
 *         it into the client's map, the client copies out of it and
 *         deallocates it.
 *   FAST  one RPC from the client to the server carrying a capability; the
 *         server asks the kernel to copy from the memory object straight into
 *         the client's buffer.  The capability is either a write-only proxy
 *         of exactly the client's buffer (SIM_READ_FAST_PROXY, the
 *         capability-safe form) or the client's task port
 *         (SIM_READ_FAST_TASK, the seed's vm_read_fast form).
 *
 * Event accounting: one SIM_EV_RPC per message round trip.  The simulator has
 * no messages, so the translator counts the io_read round trip itself and the
 * kernel's copies of inline message data (copyin + copyout) as bytes copied.
 * An out-of-line reply is modelled by the client's vm_read of the server's
 * buffer (that call's RPC stands for the io_read round trip) and the server's
 * vm_deallocate of it (MIG's dealloc flag: part of the same message, so its
 * RPC is taken out of the read's counts).  Copies the tasks make themselves
 * (memcpy in the server, the stub, glibc) are counted as bytes copied.
 * The simulator counts a fault for every vm_fault_page, asked for by a user
 * access or by the kernel's copy alike; a fault the tasks take on their own
 * loads and stores also enters the kernel by an exception, so the translator
 * counts one trap for each of those.
 *
 * Single-threaded, like the simulator.  Nothing here sleeps.
 */
#ifndef SIM_TRANSLATOR_H
#define SIM_TRANSLATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

/* MIG's in-line buffer for io_read's unbounded `data_t` reply: a generated
 * server stub offers the server a 2048-byte buffer inside the reply message
 * (`char data[2048]; dataCnt = 2048;`) and sends the data out of line when
 * the server returns a buffer of its own (libdiskfs does when asked for more
 * than that). */
#define SIM_TRANSLATOR_INLINE_MAX 2048u

/* libpager's pager_memcpy maps at most this many pages at a time. */
#define SIM_TRANSLATOR_WINDOW_PAGES 8u

enum sim_read_path {
	SIM_READ_OLD,
	SIM_READ_FAST_PROXY,
	SIM_READ_FAST_TASK,
};

/* Fills out[0..len) with the bytes of `file` at `offset`.  Must be pure:
 * the pager and the verification both call it. */
typedef void (*sim_content_fn)(void *ctx, uint32_t file, uint64_t offset,
			       unsigned char *out, size_t len);

struct sim_translator;
struct sim_client;

/* Creates the server task in vm.  NULL on allocation failure. */
struct sim_translator *sim_translator_create(struct sim_vm *vm, sim_content_fn content,
					     void *ctx);
/* Destroys clients, files and the server task. */
void sim_translator_destroy(struct sim_translator *tr);

/* Adds file number `file` (files are numbered 0, 1, ... in order) of `size`
 * bytes: a memory object whose pager serves the content function.
 * KERN_INVALID_ARGUMENT if `file` is not the next number; the memory
 * object's errors otherwise; nothing added on failure. */
vmc_kr_t sim_translator_add_file(struct sim_translator *tr, uint32_t file, uint64_t size);

/* Creates a client task with a buffer of `bufsize` bytes (touched once, so
 * resident), the server's send rights for both fast forms, and its proxy.
 * Returns NULL and sets *kr on failure (nothing left behind). */
struct sim_client *sim_client_create(struct sim_translator *tr, const char *label,
				     uint64_t bufsize, vmc_kr_t *kr);

/*
 * Reads `len` bytes of `file` at `offset` into the client's buffer by `path`.
 * Reads past the end of the file are cut at the end (*done says how much).
 * Adds the read's events to events[] (if not NULL).
 * returns: KERN_SUCCESS with *done bytes delivered, or the first error;
 *          KERN_INVALID_ARGUMENT for an unknown file, a length above the
 *          client's buffer, or a path this build does not have.
 */
vmc_kr_t sim_translator_read(struct sim_translator *tr, struct sim_client *client,
			     enum sim_read_path path, uint32_t file, uint64_t offset,
			     uint64_t len, uint64_t *done, uint64_t events[SIM_EV_COUNT]);

/* Evicts the file's resident pages covering [offset, offset + len), so the
 * next read gets them from the pager (a cold cache).  Pages not resident are
 * skipped.  KERN_FAILURE if a page is pinned.  Not counted in any read. */
vmc_kr_t sim_translator_evict(struct sim_translator *tr, uint32_t file, uint64_t offset,
			      uint64_t len);

/* Makes the file's pages covering [offset, offset + len) resident (a warm
 * cache for a read of that range); the work follows len, not the file's
 * size.  Not counted in any read. */
vmc_kr_t sim_translator_warm(struct sim_translator *tr, uint32_t file, uint64_t offset,
			     uint64_t len);

/* Ends the client: its task, its buffer, and the server's rights to both
 * (the buffer's proxy dies with them).  Not counted in any read. */
void sim_client_destroy(struct sim_client *client);

/* Does the client's buffer hold the file's bytes [offset, offset + len)?
 * Reads the buffer with the client's own loads (events not counted in any
 * read).  Also returns false if the buffer cannot be read. */
bool sim_client_verify(struct sim_client *client, uint32_t file, uint64_t offset,
		       uint64_t len);

/* Writes a byte different from the expected one at both ends of the range,
 * so that a read that delivers nothing cannot pass verification. */
vmc_kr_t sim_client_poison(struct sim_client *client, uint32_t file, uint64_t offset,
			   uint64_t len);

/* Is this path available in this build? */
bool sim_translator_has_path(enum sim_read_path path);

const char *sim_read_path_name(enum sim_read_path path);

#endif /* SIM_TRANSLATOR_H */

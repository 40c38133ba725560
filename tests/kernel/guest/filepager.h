/*
 * filepager.h: files as memory objects, paged by a thread of this task.
 *
 * A file is a size and a key of the trace format's content function
 * (traces/FORMAT.md): its bytes, zeros past its end up to its last page.
 * filepager_add makes its memory object, a port whose receive right the
 * pager thread serves (memory_object.defs, with SEQNOS as the Hurd's
 * libpager); the kernel makes the object when a send right reaches it
 * (vm_map, a proxy, vm_copy_from_object) and the pager readies it cached, so its
 * pages stay while the object lives.
 *
 * A cold read is prepared in two steps, neither of which a measurement
 * should include: filepager_stage computes the pager's answers for a range
 * (so that answering a data request is a lookup and a data_supply, as a
 * pager with the data in memory would do), then filepager_flush evicts the
 * range's pages from the kernel's cache (memory_object_lock_request,
 * waited for).  A request for a page not staged is computed on the spot.
 *
 * Used by the replay guest (replay.c) and the benchmark (bench_oldpath.c);
 * one pager a task, started once from the first thread.
 */
#ifndef MOSAIC_FILEPAGER_H
#define MOSAIC_FILEPAGER_H

#include "guest.h"

struct fp_file {
	uint64_t size;
	uint64_t key;                   /* trace_content_key */
	mach_port_t object;             /* receive right (the pager's) and a send right */
	volatile mach_port_t control;   /* from memory_object_init */
};

/* Starts the pager thread; stage_room bytes (a page multiple) for staged
 * answers.  Fails the guest on error. */
void filepager_start(vm_size_t stage_room);

/* Makes f's memory object (f->size and f->key set by the caller). */
void filepager_add(struct fp_file *f);

/* Stages the answers for the pages covering [offset, offset + len) (at most
 * stage_room bytes of pages), replacing what was staged. */
void filepager_stage(struct fp_file *f, uint64_t offset, uint64_t len);

/* Evicts the pages covering [offset, offset + len) from the kernel's cache
 * and waits until it is done; waits first for the object's init. */
void filepager_flush(struct fp_file *f, uint64_t offset, uint64_t len);

/* A pager that misbehaves, for stress runs: of every 100 data requests,
 * about late_pct are answered after late_ms milliseconds and error_pct
 * with memory_object_data_error (KERN_MEMORY_ERROR), chosen by a generator
 * seeded with seed.  Off (0, 0) by default. */
void filepager_misbehave(uint64_t seed, unsigned late_pct, unsigned late_ms,
			 unsigned error_pct);

/* The pager's next n error answers are each followed at once by a flush of
 * that page (memory_object_lock_request, not waited for): the pager takes
 * back what it just answered, as a flush from another thread may do at that
 * moment (guest/error_flush.c). */
void filepager_flush_after_errors(unsigned n);

/* Pages supplied so far, and how many of them had been staged. */
uint64_t filepager_pageins(void);
uint64_t filepager_pageins_staged(void);
/* Requests answered late, and with an error. */
uint64_t filepager_late(void);
uint64_t filepager_errors(void);

#endif

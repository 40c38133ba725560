/*
 * kprof_plugin.c: an instruction profiler for a guest under QEMU, as a TCG
 * plugin (QEMU's plugin interface, version 1: QEMU 7.2, Debian 12's).
 *
 * Why: the kernel has no profiler, and the fast path's budget is counted in
 * instructions (-icount).  This counts, for every translation block QEMU
 * makes, how many times it ran; bench/kernel_profile.py multiplies by the
 * block's instruction count, folds the blocks into the kernel's functions
 * (its symbol table) and subtracts two boots that differ only in how many
 * calls they make, which leaves the instructions of one call, function by
 * function.
 *
 * Usage: qemu-system-x86_64 ... -plugin PATH/kprof_plugin.so,out=FILE
 * At QEMU's exit FILE gets one line per translation: vaddr (hex), number of
 * instructions, executions.  A block translated twice (after a flush) has
 * two lines; the reader adds them.  A block left early by an exception is
 * counted whole: the profile is of the paths that run to completion, which
 * is what a benchmark's steady state is.
 *
 * The window: the guest marks where the measured work starts and ends by
 * executing `xchg %bx,%bx' (bytes 66 87 db, an instruction that does
 * nothing; Bochs uses it the same way).  The executions counted are those
 * between the first two marks, so that boot, set-up and the kernel's idle
 * work around them (which differs from boot to boot) stay out; without
 * two marks, the whole run's.  The first line of FILE says which:
 * "# window marks N".
 *
 * Debian ships no qemu-plugin.h, so the few declarations used are written
 * here from the interface's documentation; QEMU checks qemu_plugin_version
 * at load time and refuses a plugin of an interface it does not have.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KPROF_EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef struct qemu_info_t qemu_info_t;   /* not looked into */
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };

typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags, void *userdata);

KPROF_EXPORT int qemu_plugin_version = 1;

/* One translation: blocks are kept in chunks that never move, since QEMU's
 * generated code adds to their counters by address. */
struct block {
	uint64_t vaddr;
	uint64_t insns;
	uint64_t runs;
	uint64_t at_mark[2];     /* runs when the window opened, closed */
};

enum { CHUNK = 65536 };
struct chunk {
	struct chunk *next;
	size_t used;
	struct block blocks[CHUNK];
};

static struct chunk *chunks;
static char *out_path;
static unsigned marks;

/* The guest's mark: the first two open and close the window. */
static void on_mark(unsigned int vcpu, void *userdata)
{
	(void)vcpu;
	(void)userdata;
	if (marks < 2)
		for (struct chunk *c = chunks; c != NULL; c = c->next)
			for (size_t i = 0; i < c->used; i++)
				c->blocks[i].at_mark[marks] = c->blocks[i].runs;
	marks++;
}

static int is_mark(const struct qemu_plugin_insn *insn)
{
	static const unsigned char mark[] = { 0x66, 0x87, 0xdb };   /* xchg %bx,%bx */

	return qemu_plugin_insn_size(insn) == sizeof mark &&
	       memcmp(qemu_plugin_insn_data(insn), mark, sizeof mark) == 0;
}

static struct block *new_block(void)
{
	if (chunks == NULL || chunks->used == CHUNK) {
		struct chunk *c = calloc(1, sizeof *c);
		if (c == NULL) {
			fprintf(stderr, "kprof: out of memory\n");
			abort();
		}
		c->next = chunks;
		chunks = c;
	}
	return &chunks->blocks[chunks->used++];
}

/* A single virtual processor is assumed (-icount runs one): the inline add
 * is not atomic. */
static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	struct block *b = new_block();

	(void)id;
	b->vaddr = qemu_plugin_tb_vaddr(tb);
	b->insns = qemu_plugin_tb_n_insns(tb);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->runs, 1);
	for (size_t i = 0; i < b->insns; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		if (is_mark(insn))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark, QEMU_PLUGIN_CB_NO_REGS,
							       NULL);
	}
}

static void on_qemu_exit(qemu_plugin_id_t id, void *userdata)
{
	FILE *f = fopen(out_path, "w");

	(void)id;
	(void)userdata;
	if (f == NULL) {
		perror(out_path);
		return;
	}
	fprintf(f, "# window marks %u\n", marks);
	for (struct chunk *c = chunks; c != NULL; c = c->next)
		for (size_t i = 0; i < c->used; i++) {
			const struct block *b = &c->blocks[i];
			/* A block made after the window opened had 0 runs then. */
			uint64_t runs = marks >= 2 ? b->at_mark[1] - b->at_mark[0] : b->runs;
			if (runs != 0)
				fprintf(f, "%" PRIx64 " %" PRIu64 " %" PRIu64 "\n", b->vaddr,
					b->insns, runs);
		}
	fclose(f);
}

KPROF_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
				     char **argv)
{
	(void)info;
	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], "out=", 4) == 0)
			out_path = strdup(argv[i] + 4);
	if (out_path == NULL) {
		fprintf(stderr, "kprof: usage: -plugin kprof_plugin.so,out=FILE\n");
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
	return 0;
}

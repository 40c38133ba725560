/*
 * mosaic.c: the `mosaic` command line.
 *
 *   mosaic [--seed N] COMMAND [ARGS...]
 *
 * Commands are looked up by name in `commands` below; each gets its own
 * argument vector (argv[0] is the command name) and parses its own options.
 * To add one (replay, import), write a `static int cmd_x(int argc, char
 * **argv)` and add a line to the table.
 *
 * `demo` shows the simulator at work in a few lines: a client buffer
 * spanning three map entries backed by three kinds of memory (a memory
 * object mapped shared, anonymous memory, a private copy-on-write copy of
 * the memory object), a translator that writes the memory object after the
 * copy was made, and a vm_read by the translator across the three entries.
 * Then the fast path: one vm_read_fast (sim_fast.h) by the translator,
 * copying an unaligned range of its memory object straight into the
 * client's buffer across the same three entries, with the events that call
 * alone counted.  It checks every byte and prints the events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "mosaic_replay.h"
#include "sim.h"
#include "sim_fast.h"
#include "mosaic_data.h"
#include "sim_scenario.h"
#include "strace_import.h"

static guint64 opt_seed = 1;

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* The demo's memory object: page p, byte i holds 'A' + (p * 7 + i) % 26. */
static void demo_content(void *ctx, vmc_off_t offset, unsigned char *page)
{
	(void)ctx;
	for (vmc_size_t i = 0; i < VMC_PAGE_SIZE; i++)
		page[i] = (unsigned char)('A' + ((offset / VMC_PAGE_SIZE) * 7 + i) % 26);
}

static unsigned char demo_anon(vmc_size_t i)
{
	return (unsigned char)('a' + i % 26);
}

#define TRY(call)                                                              \
	do {                                                                   \
		vmc_kr_t kr_ = (call);                                         \
		if (kr_ != KERN_SUCCESS) {                                     \
			fprintf(stderr, "mosaic demo: %s: %s\n", #call,        \
				vmc_kr_name(kr_));                             \
			goto out;                                              \
		}                                                              \
	} while (0)

static int cmd_demo(int argc, char **argv)
{
	const vmc_size_t P = VMC_PAGE_SIZE;
	struct sim_vm_config cfg = { .seed = opt_seed, .frames = 64 };
	struct sim_pager pager = { .content = demo_content, .size = 8 * P, .latency = 2 };
	int status = 1;
	unsigned char *got = NULL, *want = NULL;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: mosaic demo\n%s\n", "a buffer over three kinds of memory, read by "
		       "vm_read, written by vm_read_fast, with the events it cost.\n"
		       "Exit status: 0 done, 1 a check failed, 2 usage.");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "mosaic %s: no arguments expected\n", argv[0]);
		return 2;
	}
	struct sim_vm *vm = sim_vm_create(&cfg);
	struct sim_task *client = sim_task_create(vm, "client");
	struct sim_task *server = sim_task_create(vm, "translator");
	sim_name_t cself = sim_task_self(client), sself = sim_task_self(server);
	sim_name_t obj_s, obj_c, client_in_server;
	vmc_addr_t base = 0, at, srv_win = 0, data = 0;

	printf("mosaic demo (seed %llu)\n", (unsigned long long)opt_seed);
	/* The translator serves a memory object and gives the client a right. */
	TRY(sim_memory_object_create(server, &pager, &obj_s));
	TRY(sim_port_copy_send(server, obj_s, client, &obj_c));
	TRY(sim_port_copy_send(client, cself, server, &client_in_server));

	/* Three pages of client address space, three different entries. */
	TRY(sim_vm_allocate(client, cself, &base, 3 * P, true));
	TRY(sim_vm_deallocate(client, cself, base, 3 * P));
	at = base;
	TRY(sim_vm_map(client, cself, &at, P, 0, false, obj_c, 0, false,
		       VMC_PROT_READ | VMC_PROT_WRITE, VMC_PROT_ALL));
	at = base + P;
	TRY(sim_vm_allocate(client, cself, &at, P, false));
	at = base + 2 * P;
	TRY(sim_vm_map(client, cself, &at, P, 0, false, obj_c, 2 * P, true,
		       VMC_PROT_READ | VMC_PROT_WRITE, VMC_PROT_ALL));
	printf("client buffer %#llx..%#llx: memory object | anonymous | copy-on-write copy\n",
	       (unsigned long long)base, (unsigned long long)(base + 3 * P));

	/* The client fills its anonymous page. */
	want = g_malloc(3 * P);
	for (vmc_size_t i = 0; i < P; i++)
		want[P + i] = demo_anon(i);
	TRY(sim_task_store(client, base + P, want + P, P, NULL));

	/* The translator changes the object after the copy was made: the
	 * shared mapping sees it, the private copy must not. */
	TRY(sim_vm_map(server, sself, &srv_win, 3 * P, 0, true, obj_s, 0, false,
		       VMC_PROT_READ | VMC_PROT_WRITE, VMC_PROT_ALL));
	static const char note[] = "written by the translator";
	TRY(sim_task_store(server, srv_win + 10, note, sizeof note, NULL));
	TRY(sim_task_store(server, srv_win + 2 * P + 10, note, sizeof note, NULL));

	demo_content(NULL, 0, want);
	memcpy(want + 10, note, sizeof note);
	demo_content(NULL, 2 * P, want + 2 * P);

	/* The translator reads the client's buffer across the three entries. */
	const vmc_addr_t off = 100;
	const vmc_size_t len = 3 * P - 200;
	TRY(sim_vm_read(server, client_in_server, base + off, len, &data));
	got = g_malloc(len);
	TRY(sim_task_load(server, data, got, len, NULL));
	if (memcmp(got, want + off, len) != 0) {
		fprintf(stderr, "mosaic demo: vm_read returned the wrong bytes\n");
		goto out;
	}
	printf("vm_read of %llu bytes at %#llx across 3 entries: every byte checked, ok\n",
	       (unsigned long long)len, (unsigned long long)(base + off));

	/* The fast path: the object's bytes from 3P + 7 straight into the
	 * client's buffer, across the same three entries, in one call. */
	uint64_t ev0[SIM_EV_COUNT], ev1[SIM_EV_COUNT];
	vmc_size_t count = 0;
	const vmc_off_t foff = 3 * P + 7;
	sim_events(vm, ev0);
	TRY(sim_vm_read_fast(server, client_in_server, base + off, len, obj_s, foff, &count));
	sim_events(vm, ev1);
	if (count != len) {
		fprintf(stderr, "mosaic demo: vm_read_fast copied %llu of %llu bytes\n",
			(unsigned long long)count, (unsigned long long)len);
		goto out;
	}
	for (vmc_size_t p = 0; p < 3; p++)
		demo_content(NULL, 3 * P + p * P, want + p * P);
	TRY(sim_task_load(client, base + off, got, len, NULL));
	if (memcmp(got, want + (foff - 3 * P), len) != 0) {
		fprintf(stderr, "mosaic demo: vm_read_fast left the wrong bytes\n");
		goto out;
	}
	printf("vm_read_fast of %llu bytes, object offset %#llx -> %#llx, across 3 entries: "
	       "count %llu, every byte checked, ok\n  its events:", (unsigned long long)len,
	       (unsigned long long)foff, (unsigned long long)(base + off),
	       (unsigned long long)count);
	for (int i = 0; i < SIM_EV_COUNT; i++)
		if (ev1[i] != ev0[i])
			printf(" %s=%llu", sim_event_name((enum sim_event)i),
			       (unsigned long long)(ev1[i] - ev0[i]));
	printf("\n");

	const char *why;
	if (!sim_vm_check(vm, &why)) {
		fprintf(stderr, "mosaic demo: consistency check failed: %s\n", why);
		goto out;
	}
	uint64_t ev[SIM_EV_COUNT];
	sim_events(vm, ev);
	printf("events (whole demo):\n");
	for (int i = 0; i < SIM_EV_COUNT; i++)
		printf("  %-13s %llu\n", sim_event_name((enum sim_event)i),
		       (unsigned long long)ev[i]);
	status = 0;
out:
	g_free(got);
	g_free(want);
	sim_vm_destroy(vm);
	return status;
}

static int cmd_replay(int argc, char **argv)
{
	return mosaic_replay_main(argc, argv, opt_seed);
}

static int cmd_scenario(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: mosaic scenario [--task-bits 32|64] FILE.scn...\n"
		       "runs scenario files (traces/SCENARIO.md) on the simulator: one result line\n"
		       "per operation.  --task-bits 32: the calling task's addresses and sizes\n"
		       "are 32-bit words on this 64-bit kernel (GNU Mach built for user32).\n"
		       "Exit status: 0 every expectation met, 1 one missed,\n"
		       "2 usage or a file that does not parse.\n");
		return 0;
	}
	return sim_scenario_command(argc, argv);
}

static const struct command commands[] = {
	{ "demo", cmd_demo, "a buffer over three kinds of memory, read by vm_read, written by vm_read_fast" },
	{ "replay", cmd_replay, "replay read traces: the old read path against the fast one" },
	{ "scenario", cmd_scenario, "run scenario files (traces/SCENARIO.md) on the simulator" },
	{ "import", strace_import_command, "import strace LOG...: turn strace logs into a mosaic trace" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: mosaic [--seed N] COMMAND [ARGS...]\ncommands:\n");
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
	gboolean version = FALSE;
	GOptionEntry entries[] = {
		{ "seed", 's', 0, G_OPTION_ARG_INT64, &opt_seed,
		  "seed of the simulated world (default 1)", "N" },
		{ "version", 0, 0, G_OPTION_ARG_NONE, &version,
		  "print the version and the source commit, and exit", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new("COMMAND [ARGS...]");
	GError *err = NULL;

	GString *desc = g_string_new("Commands:\n");
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		g_string_append_printf(desc, "  %-8s %s\n", commands[i].name, commands[i].summary);
	g_string_append(desc, "\nEach command takes --help.  Exit status: 0 done, 1 failed work, "
			      "2 usage.\nSee mosaic(1).\n");
	g_option_context_set_description(ctx, desc->str);
	g_string_free(desc, TRUE);
	g_option_context_add_main_entries(ctx, entries, NULL);
	/* Options after the command name belong to the command. */
	g_option_context_set_strict_posix(ctx, TRUE);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "mosaic: %s\n", err->message);
		g_error_free(err);
		g_option_context_free(ctx);
		return 2;
	}
	g_option_context_free(ctx);
	if (version) {
		printf("mosaic %s\n", mosaic_version());
		return 0;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "mosaic: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}

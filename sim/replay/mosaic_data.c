/*
 * mosaic_data.c: see mosaic_data.h.
 *
 * The build gives three places (sim/meson.build): MOSAIC_BINDIR and
 * MOSAIC_DATADIR, where meson install puts the executable and the data
 * (DATADIR/calibration.tsv, DATADIR/plots/NAME.gp), and
 * MOSAIC_SOURCE_ROOT, the source tree (bench/calibration.tsv,
 * plots/NAME.gp).
 */
#include <glib.h>
#include <string.h>

#include "mosaic_data.h"
#include "mosaic_version.h"

/* The source tree's path of data file name. */
static char *source_path(const char *name)
{
	if (strcmp(name, "calibration.tsv") == 0)
		return g_build_filename(MOSAIC_SOURCE_ROOT, "bench", name, NULL);
	return g_build_filename(MOSAIC_SOURCE_ROOT, name, NULL);
}

/* Is this executable the installed one? */
static gboolean installed(void)
{
	char *exe = g_file_read_link("/proc/self/exe", NULL);
	gboolean yes = FALSE;

	if (exe != NULL) {
		char *dir = g_path_get_dirname(exe);
		char *bindir = g_canonicalize_filename(MOSAIC_BINDIR, "/");
		yes = strcmp(dir, bindir) == 0;
		g_free(bindir);
		g_free(dir);
		g_free(exe);
	}
	return yes;
}

/* The two candidates for name, in the order they are tried. */
static void candidates(const char *name, char *out[2])
{
	char *inst = g_build_filename(MOSAIC_DATADIR, name, NULL);
	char *src = source_path(name);

	if (installed()) {
		out[0] = inst;
		out[1] = src;
	} else {
		out[0] = src;
		out[1] = inst;
	}
}

char *mosaic_data_file(const char *name)
{
	char *c[2];
	char *found = NULL;

	candidates(name, c);
	for (int i = 0; i < 2; i++) {
		if (found == NULL && g_file_test(c[i], G_FILE_TEST_IS_REGULAR))
			found = g_strdup(c[i]);
		g_free(c[i]);
	}
	return found;
}

char *mosaic_data_places(const char *name)
{
	char *c[2];

	candidates(name, c);
	char *s = g_strdup_printf("%s or %s", c[0], c[1]);
	g_free(c[0]);
	g_free(c[1]);
	return s;
}

const char *mosaic_version(void)
{
	return MOSAIC_VERSION " (commit " MOSAIC_COMMIT ")";
}

/*
 * mosaic_data.h: where the mosaic command finds its data files (the
 * calibration, the gnuplot scripts), and what it says its version is.
 *
 * An installed mosaic (meson install) uses the files installed with it,
 * under the data directory of its prefix; one run from its build tree uses
 * the source tree's, so that an edit to the calibration or a script shows
 * at once.  Which one it is: whether the executable sits in the installed
 * bin directory.  Either falls back on the other, so a mosaic copied
 * elsewhere still finds an installation or its source tree if one exists.
 */
#ifndef MOSAIC_DATA_H
#define MOSAIC_DATA_H

/* The path of data file NAME ("calibration.tsv", "plots/speedup.gp"), or
 * NULL if neither place has it.  Free with g_free. */
char *mosaic_data_file(const char *name);

/* Where NAME is looked for, first place first, for messages ("A or B"). */
char *mosaic_data_places(const char *name);

/* "0.1.0 (commit 2507f12)": the version and the source commit built. */
const char *mosaic_version(void);

#endif

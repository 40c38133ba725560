/*
 * sim_cost.c: the cost model (see sim_cost.h).
 *
 * Parsing validates the whole file into a scratch table first and copies it
 * to the caller only when every event type has exactly one good line, so a
 * bad file changes nothing.  The keys are our own and do not depend on the
 * simulator's display names: the file format stays fixed if those change.
 */
#include "sim_cost.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK(sim-cost-error-quark, sim_cost_error)

/* A cost's key in the calibration file is the event's name (sim_event_name). */

const char *sim_cost_key(enum sim_event ev)
{
	g_assert((unsigned)ev < SIM_EV_COUNT);
	return sim_event_name(ev);
}

static int cost_event_of(const char *key)
{
	for (int ev = 0; ev < SIM_EV_COUNT; ev++)
		if (strcmp(sim_event_name(ev), key) == 0)
			return ev;
	return -1;
}

/* Parses one data line into table[ev]; seen[] catches duplicates. */
static gboolean cost_parse_line(char *line, const char *name, unsigned lineno,
				double table[SIM_EV_COUNT], gboolean seen[SIM_EV_COUNT],
				GError **error)
{
	char **f = g_strsplit(line, "\t", -1);
	gboolean ok = FALSE;
	guint n = g_strv_length(f);

	/* Four fields: event, cost, unit, source? */
	if (n != 4) {
		g_set_error(error, SIM_COST_ERROR, 0, "%s:%u: expected 4 tab-separated fields, got %u",
			    name, lineno, n);
		goto out;
	}
	/* A known event type, not seen before? */
	int ev = cost_event_of(f[0]);
	if (ev < 0) {
		g_set_error(error, SIM_COST_ERROR, 0, "%s:%u: unknown event '%s'", name, lineno, f[0]);
		goto out;
	}
	if (seen[ev]) {
		g_set_error(error, SIM_COST_ERROR, 0, "%s:%u: event '%s' given twice", name, lineno,
			    f[0]);
		goto out;
	}
	/* A finite, non-negative number and nothing after it? */
	char *end = NULL;
	errno = 0;
	double v = g_ascii_strtod(f[1], &end);
	if (end == f[1] || *end != '\0' || errno != 0 || !isfinite(v) || v < 0) {
		g_set_error(error, SIM_COST_ERROR, 0, "%s:%u: bad cost '%s' for '%s'", name, lineno,
			    f[1], f[0]);
		goto out;
	}
	/* The unit the model multiplies by? */
	const char *unit = ev == SIM_EV_BYTES_COPIED || ev == SIM_EV_MSG_BYTES ? "us/byte"
											: "us/event";
	if (strcmp(f[2], unit) != 0) {
		g_set_error(error, SIM_COST_ERROR, 0, "%s:%u: unit of '%s' must be %s, not '%s'",
			    name, lineno, f[0], unit, f[2]);
		goto out;
	}
	table[ev] = v;
	seen[ev] = TRUE;
	ok = TRUE;
out:
	g_strfreev(f);
	return ok;
}

gboolean sim_cost_parse(struct sim_cost *cost, const char *text, const char *name,
			GError **error)
{
	double table[SIM_EV_COUNT] = { 0 };
	gboolean seen[SIM_EV_COUNT] = { FALSE };
	gboolean header = FALSE, ok = TRUE;
	char **lines = g_strsplit(text, "\n", -1);

	for (unsigned i = 0; ok && lines[i] != NULL; i++) {
		char *line = lines[i];
		size_t len = strlen(line);
		if (len > 0 && line[len - 1] == '\r')
			line[len - 1] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (!header) {
			/* The first non-comment line must be the header. */
			if (strcmp(line, "event\tcost_us\tunit\tsource") != 0) {
				g_set_error(error, SIM_COST_ERROR, 0,
					    "%s:%u: expected the header line "
					    "'event<TAB>cost_us<TAB>unit<TAB>source'", name, i + 1);
				ok = FALSE;
			}
			header = TRUE;
			continue;
		}
		ok = cost_parse_line(line, name, i + 1, table, seen, error);
	}
	g_strfreev(lines);
	if (ok && !header) {
		g_set_error(error, SIM_COST_ERROR, 0, "%s: no header line", name);
		ok = FALSE;
	}
	for (int ev = 0; ok && ev < SIM_EV_COUNT; ev++) {
		if (!seen[ev]) {
			g_set_error(error, SIM_COST_ERROR, 0, "%s: no cost for event '%s'", name,
				    sim_event_name(ev));
			ok = FALSE;
		}
	}
	if (ok)
		memcpy(cost->us, table, sizeof(table));
	return ok;
}

gboolean sim_cost_load(struct sim_cost *cost, const char *path, GError **error)
{
	char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, error))
		return FALSE;
	gboolean ok = sim_cost_parse(cost, text, path, error);
	g_free(text);
	return ok;
}

double sim_cost_predict(const struct sim_cost *cost, const uint64_t counts[SIM_EV_COUNT],
			double by_event[SIM_EV_COUNT])
{
	double total = 0;
	for (int ev = 0; ev < SIM_EV_COUNT; ev++) {
		double part = (double)counts[ev] * cost->us[ev];
		if (by_event != NULL)
			by_event[ev] = part;
		total += part;
	}
	return total;
}

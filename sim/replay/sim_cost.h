/*
 * sim_cost.h: the cost model.  Turns the simulator's event counts into
 * predicted microseconds.
 *
 * The simulator does not time anything: it counts events (enum sim_event).
 * A calibration file (bench/calibration.tsv, produced by bench/calibrate.py
 * and explained in bench/CALIBRATION.md) gives one cost per event type; the
 * prediction for an operation is the dot product of its counts with those
 * costs, kept per event type so that a figure can show where the time goes.
 *
 * The file is tab-separated text: lines starting with '#' are comments, one
 * header line "event<TAB>cost_us<TAB>unit<TAB>source", then one line per event
 * type with its key (sim_cost_key), its cost (finite, >= 0), its unit
 * ("us/event", or "us/byte" for bytes_copied) and where the number comes
 * from.  Every event type appears exactly once.
 */
#ifndef SIM_COST_H
#define SIM_COST_H

#include <glib.h>
#include <stdint.h>

#include "sim.h"

#define SIM_COST_ERROR (sim_cost_error_quark())
GQuark sim_cost_error_quark(void);

/* Per-event costs, in microseconds per event (per byte for bytes copied). */
struct sim_cost {
	double us[SIM_EV_COUNT];
};

/* The key of an event type in the calibration file ("rpc", "bytes_copied"),
 * never NULL for ev < SIM_EV_COUNT. */
const char *sim_cost_key(enum sim_event ev);

/* Loads a calibration file.  On success fills *cost and returns TRUE; on any
 * problem (unreadable file, missing header, unknown, duplicate or missing
 * event, bad number or unit) returns FALSE with *error set (file and line
 * named) and leaves *cost untouched. */
gboolean sim_cost_load(struct sim_cost *cost, const char *path, GError **error);

/* The same, from text already in memory; `name` is used in messages. */
gboolean sim_cost_parse(struct sim_cost *cost, const char *text, const char *name,
			GError **error);

/* Predicted time of `counts` events: returns the total in microseconds and,
 * if `by_event` is not NULL, the part of each event type.  Pure. */
double sim_cost_predict(const struct sim_cost *cost, const uint64_t counts[SIM_EV_COUNT],
			double by_event[SIM_EV_COUNT]);

#endif /* SIM_COST_H */

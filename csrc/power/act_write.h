/*
 * act_write.h - the activity reports with energy: an act_report (act.h)
 * built as JSON (a jansson tree that the caller dumps once through
 * util/jdump.h) or written as CSV, every layer and the total billed with one
 * energy_model (energy.h) that the caller derived once from its profile and
 * geometry (energy_model_derive) and passes in; nothing here derives or
 * re-derives a table. The geometry written is m->hier.geom; the profile's
 * name and sensing fields come from p (JSON only).
 */
#ifndef SPARSECIM_ACT_WRITE_H
#define SPARSECIM_ACT_WRITE_H

#include <jansson.h>
#include <stdio.h>

#include "power/act.h"
#include "power/energy.h"
#include "util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One JSON object (a jansson tree, util/jdump.h) for one layer (or total):
 *   {"name": ..., "ops": N, "have_ref": true|false,
 *    "counts": {event: N, ...}, "counts_static": {...}|null, "counts_flat": {...}|null,
 *    "energy_fj": {component: fJ, ..., "total": fJ},
 *    "energy_fj_ungated": {...}|null, "energy_fj_flat": {...}|null,
 *    "fj_per_op": x|null, "fj_per_op_ungated": x|null, "fj_per_op_flat": x|null,
 *    "saving_fraction": x|null, "hierarchy_saving_fraction": x|null,
 *    "gated_fraction_data": x, "unmapped_fraction": x,
 *    "cycles_skipped": N, "cycles": N, "cycles_static": N|null}
 * ("ungated" = the static reference; null: no reference, or ops = 0 for
 * fj_per_op; reals as "%.10g" printed them.) A new reference the caller
 * owns, or NULL with err. */
json_t *act_json_entry(const act_layer *l, const energy_model *m, bnn_error *err);
/* The whole report as one JSON object (a new reference, or NULL with err):
 *   {"profile": name, "geometry": {...}, "local_eval_style": "sar"|"digital",
 *    "sa_lsb_ref_mv": x, "sa_lsb_exponent": x, "clock_period_ns": x,
 *    "per_event_fj": {event: fJ, ..., leakage per line-clock},
 *    "per_event_fj_flat": {...}, "layers": [entry, ...], "total": entry}. */
json_t *act_json(const act_report *r, const energy_profile *p, const energy_model *m, bnn_error *err);
/* CSV: a header, one row per layer, then a row named "total". Columns:
 * layer, ops, every event count of the gated run by name (among them
 * "cycles" and "planes_skipped"), the gated energy per component
 * (<component>_fj), energy_fj, energy_fj_ungated, energy_fj_flat,
 * fj_per_op, fj_per_op_ungated, fj_per_op_flat, saving_fraction,
 * hierarchy_saving_fraction, gated_fraction_data, unmapped_fraction,
 * cycles_skipped, cycles_static. Empty fields where the JSON has null. */
int act_write_csv(FILE *f, const act_report *r, const energy_model *m, bnn_error *err);

#ifdef __cplusplus
}
#endif
#endif

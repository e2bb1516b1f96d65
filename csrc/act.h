/*
 * act.h - activity records: the macro's event counts per layer and in total,
 * and their JSON / CSV reports with energy (docs/ENERGY.md).
 *
 * Events are the activity counters of rtl/cim_activity.v. They are kept in a
 * fixed enum whose only link to the RTL is the event NAME (act_event_name,
 * act_event_by_name): the testbench maps each RTL counter to an event by the
 * name it reports, so a reordered or extended RTL list changes one table
 * (act.c, `act_events`). Units: every count is a plain number of events
 * (see the table in act.c for what one event is); `ops` is the number of
 * binary operations = 1-bit multiply-accumulates of the layer's logical
 * MACs (docs/ENERGY.md, "Binary op").
 *
 * Ownership: act_counts is a plain value type. An act_report owns its layer
 * array (act_report_free). Nothing here keeps global mutable state.
 */
#ifndef SPARSECIM_ACT_H
#define SPARSECIM_ACT_H

#include <stdint.h>
#include <stdio.h>

#include "bnn_model.h"   /* bnn_error */

#ifdef __cplusplus
extern "C" {
#endif

/* The events. Order is internal; use names to talk to the RTL. */
typedef enum act_event {
    ACT_CYCLES = 0,             /* clock cycles (every op, NOPs too) */
    ACT_COMPUTE_OPS,            /* COMPUTE operations */
    ACT_SKIPPED_CYCLES,         /* COMPUTE with all-zero input, gating on */
    ACT_WEIGHT_ROW_WRITES,      /* WRITE operations (one row each) */
    ACT_WRITE_BITS_FLIPPED,     /* cells whose value a WRITE changed */
    ACT_READ_OPS,               /* READ operations */
    ACT_WORDLINE_PULSES,        /* read word lines raised (input bits = 1) */
    ACT_PRECHARGES_DONE,        /* local bit lines precharged (active segments x powered columns) */
    ACT_PRECHARGES_GATED,       /* local bit lines not precharged because gated */
    ACT_LOCAL_DISCHARGES,       /* conducting AND cells (sum of P) */
    ACT_LOCAL_EVALS_DONE,       /* local evaluations (active segment-columns) */
    ACT_LOCAL_EVALS_GATED,      /* local evaluations saved by gating */
    ACT_TRANSFERS,              /* local-to-global transfers (local lines that discharged) */
    ACT_ACC_UPDATES,            /* per-column accumulator updates */
    ACT_SEG_ACTIVE,             /* segment-cycles active (compute cycles) */
    ACT_SEG_GATED,              /* segment-cycles gated (compute cycles) */
    ACT_CHECKS,                 /* controller zero checks (segments checked) */
    ACT_CTRL_TOGGLES,           /* C1/C2 toggles (segment x column group) */
    ACT_WL_MASKED,              /* word lines held low by gating */
    ACT_NEVENTS
} act_event;

/* One set of event counts. */
typedef struct act_counts {
    uint64_t n[ACT_NEVENTS];
    uint64_t ops;               /* binary ops (1-bit MACs) these counts performed */
} act_counts;

/* snake_case name of an event ("wordline_pulses"), NULL if out of range. */
const char *act_event_name(act_event e);
/* One-line description with the unit of one event. */
const char *act_event_desc(act_event e);
/* Event of a name, or -1 if unknown. */
int act_event_by_name(const char *name);

/* dst += src (counts and ops). */
void act_add(act_counts *dst, const act_counts *src);
/* out = a - b (e.g. counter deltas). Returns 0, or -1 when some count of b
 * exceeds a's (err names the event; out is then unspecified). */
int act_sub(act_counts *out, const act_counts *a, const act_counts *b, bnn_error *err);
/* Sets the count of the event called `name`. Returns 0 or -1 (unknown name). */
int act_set_by_name(act_counts *c, const char *name, uint64_t value, bnn_error *err);

/* The ungated baseline of a (possibly gated) run: the counts the macro
 * would have produced with gating off. done += gated, gated = 0, no skipped
 * cycles, no controller checks, no C1/C2 toggles, no masked word lines;
 * every other count (and ops) is unchanged. out may equal in. */
void act_ungated(const act_counts *in, act_counts *out);

/* gated segment-cycles / all segment-cycles of compute cycles (0 if none). */
double act_gated_fraction(const act_counts *c);
/* skipped compute cycles / compute cycles (0 if none). */
double act_skipped_fraction(const act_counts *c);

/* ---- reports: counts per layer plus a total ---- */

typedef struct act_layer {
    char name[48];
    act_counts c;
} act_layer;

typedef struct act_report {
    int n_layers, cap;
    act_layer *layers;          /* owned, in order of first appearance */
} act_report;

void act_report_init(act_report *r);
void act_report_free(act_report *r);
/* The counts of layer `name`, created (zeroed) at the end if absent, so
 * that callers accumulate with act_add(act_report_layer(...), &delta).
 * NULL on allocation failure or a name longer than 47 bytes (err filled). */
act_counts *act_report_layer(act_report *r, const char *name, bnn_error *err);
/* Sum of all layers. */
void act_report_total(const act_report *r, act_counts *total);

struct energy_profile;
struct energy_geom;

/* One JSON object for one set of counts:
 *   {"name": ..., "ops": N, "counts": {event: N, ...},
 *    "energy_fj": {component: fJ, ..., "total": fJ}, "fj_per_op": x|null,
 *    "ungated_energy_fj": {...}, "ungated_fj_per_op": x|null,
 *    "saving_fraction": x, "gated_fraction": x, "skipped_cycle_fraction": x}
 * `indent` spaces precede each line after the first. Returns 0 or -1. */
int act_write_json_entry(FILE *f, const char *name, const act_counts *c, const struct energy_profile *p,
                         const struct energy_geom *g, int indent, bnn_error *err);
/* The whole report as one JSON object:
 *   {"profile": name, "geometry": {...}, "per_event_fj": {event: fJ},
 *    "layers": [entry, ...], "total": entry}  (entry as above). */
int act_write_json(FILE *f, const act_report *r, const struct energy_profile *p, const struct energy_geom *g,
                   bnn_error *err);
/* CSV: a header, one row per layer, then a row named "total". Columns:
 * layer, ops, every event count by name, energy per component (fJ),
 * total_fj, fj_per_op, ungated_total_fj, ungated_fj_per_op, saving_fraction,
 * gated_fraction, skipped_cycle_fraction. */
int act_write_csv(FILE *f, const act_report *r, const struct energy_profile *p, const struct energy_geom *g,
                  bnn_error *err);

#ifdef __cplusplus
}
#endif
#endif

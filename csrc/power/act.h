/*
 * act.h - activity records: the macro's event counts per layer and in total
 * (docs/ENERGY.md); their JSON / CSV reports with energy are act_write.h.
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

#include "util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The events. Order is internal; use names to talk to the RTL. The first
 * 24 are the RTL counters (rtl/cim_activity.v, same names and order as
 * act_rtl_counter_names below); ACT_PLANES_SKIPPED and ACT_INDEX_BITS are
 * counted by the driver.
 * "Line" = one local bit line = (segment, column); "array cycle" = the
 * stage-A cycle of an issued COMPUTE. Energies: docs/ENERGY.md. */
typedef enum act_event {
    ACT_CYCLES = 0,             /* clock cycles (every op, NOPs too) */
    ACT_COMPUTE_OPS,            /* array cycles (COMPUTE operations issued) */
    ACT_WEIGHT_ROW_WRITES,      /* WRITE operations (one row each) */
    ACT_WRITE_BITS_FLIPPED,     /* cells whose value a WRITE changed */
    ACT_READ_OPS,               /* READ operations */
    ACT_WORDLINE_PULSES,        /* read word lines raised at the array */
    ACT_PRECHARGES,             /* local lines precharged (C2 pulse x column) */
    ACT_LINE_RECHARGES,         /* precharged local lines that had discharged (state change) */
    ACT_RECHARGE_STEPS,         /* discharge steps restored by precharges (charge, in cell steps) */
    ACT_CELL_DISCHARGES,        /* AND cells that conducted */
    ACT_LINE_DISCHARGES,        /* local lines whose level fell in an evaluation (state change) */
    ACT_LOCAL_EVALS,            /* local lines sensed (SE x column) */
    ACT_TRANSFERS,              /* sensed local lines that drove a non-zero count onto the global line */
    ACT_ACC_UPDATES,            /* per-column accumulator updates (columns in use) */
    ACT_SEG_ACTIVE,             /* mapped segments not data-gated, per array cycle */
    ACT_SEG_GATED,              /* mapped segments data-gated, per array cycle */
    ACT_SEG_UNMAPPED,           /* segments holding no row in use, per array cycle */
    ACT_CHECKS,                 /* controller zero checks (mapped segments, gating on) */
    ACT_C1_TOGGLES,             /* C1 line transitions (segment x column group) */
    ACT_C2_TOGGLES,             /* C2 line transitions (segment x column group) */
    ACT_FOOTER_WAKEUPS,         /* footers (segment x column) on after a cycle off */
    ACT_FOOTER_OFF,             /* footer-off segment x column cycles, every clock (retention leakage) */
    ACT_ZERO_FLAG_WRITES,       /* SET_ZF operations: one segment's stored-zero flags written */
    ACT_ZERO_FLAG_GATED,        /* (powered group, mapped segment) pairs with their stored-zero flag set, per array cycle, gating on */
    ACT_PLANES_SKIPPED,         /* all-zero bit planes not issued (counted by the driver, not the RTL) */
    ACT_INDEX_BITS,             /* channel skip: live-channel mask bits read per job (counted by the driver) */
    ACT_NEVENTS
} act_event;

/* One set of event counts. */
typedef struct act_counts {
    uint64_t n[ACT_NEVENTS];
    uint64_t ops;               /* binary ops (1-bit MACs) these counts performed */
} act_counts;

/* The three references every report bills from one run (docs/ENERGY.md):
 *   GATED   the run as made: the RTL counters plus the driver's planes_skipped;
 *   STATIC  hierarchical bit lines, segments holding no weights off, no data
 *           gating, no plane skipping (what --no-gating runs; host model);
 *   FLAT    the conventional macro: one unsegmented bit line of ROWS cells
 *           per column, precharged and evaluated every compute cycle, no
 *           transfers (host model; billed with the flat energy table). */
typedef enum act_ref { ACT_REF_GATED = 0, ACT_REF_STATIC, ACT_REF_FLAT, ACT_NREF } act_ref;

/* snake_case name of a reference ("gated", "static", "flat"), NULL if out of range. */
const char *act_ref_name(act_ref r);

/* snake_case name of an event ("wordline_pulses"), NULL if out of range. */
const char *act_event_name(act_event e);
/* One-line description with the unit of one event. */
const char *act_event_desc(act_event e);
/* Event of a name, or -1 if unknown. */
int act_event_by_name(const char *name);

/* The RTL's activity counters (rtl/cim_activity.v header) by name, in
 * counter order (cnt_sel_i): what the testbench (tb/dut.h, dut_cnt_names)
 * and the reports call them (the library rooms' copy, so that both the
 * testbench and the command line's reports link it without each other). */
#define ACT_RTL_NCNT 24
extern const char *const act_rtl_counter_names[ACT_RTL_NCNT];

/* dst += src (counts and ops). */
void act_add(act_counts *dst, const act_counts *src);
/* out = a - b (e.g. counter deltas). Returns 0, or -1 when some count of b
 * exceeds a's (err names the event; out is then unspecified). */
int act_sub(act_counts *out, const act_counts *a, const act_counts *b, bnn_error *err);
/* Sets the count of the event called `name`. Returns 0 or -1 (unknown name). */
int act_set_by_name(act_counts *c, const char *name, uint64_t value, bnn_error *err);

/* Data-gated over MAPPED segment-cycles: segment_cycles_gated /
 * (segment_cycles_active + segment_cycles_gated), 0 if none. Unmapped
 * segments (no weights: configuration) are not sparsity and not counted. */
double act_gated_fraction_data(const act_counts *c);
/* segment_cycles_unmapped / all segment-cycles (0 if none). */
double act_unmapped_fraction(const act_counts *c);

/* ---- reports: counts per layer plus a total ---- */

typedef struct act_layer {
    char name[48];
    act_counts c[ACT_NREF];     /* by act_ref */
    int have_ref;               /* 1: c[ACT_REF_STATIC] and c[ACT_REF_FLAT] are valid */
    int parts;                  /* act_layer_add calls (have_ref is the AND over them) */
} act_layer;

typedef struct act_report {
    int n_layers, cap;
    act_layer *layers;          /* owned, in order of first appearance */
} act_report;

void act_report_init(act_report *r);
void act_report_free(act_report *r);
/* The layer called `name`, created (zeroed, no parts) at the end if absent,
 * so that callers accumulate with act_layer_add(act_report_layer(...), ...).
 * NULL on allocation failure or a name longer than 47 bytes (err filled). */
act_layer *act_report_layer(act_report *r, const char *name, bnn_error *err);
/* dst->c[k] += c[k] for the three references; have_ref: c[STATIC], c[FLAT]
 * are valid. The sum has references only if every part had them (a part
 * without them zeroes nothing, but the layer's references read as absent). */
void act_layer_add(act_layer *dst, const act_counts c[ACT_NREF], int have_ref);
/* Sum of all layers, named "total"; have_ref when every layer has it (and
 * there is at least one layer). */
void act_report_total(const act_report *r, act_layer *total);

#ifdef __cplusplus
}
#endif
#endif

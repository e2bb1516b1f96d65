/*
 * energy.h - the macro's energy model: technology profiles and the energy of
 * an activity record (docs/ENERGY.md).
 *
 *   energy = sum over events (count x energy per event) + leakage
 *
 * A technology profile (constraints/energy-*.txt) holds PRIMITIVE numbers
 * only: supply, capacitances, cell size, swings, gate counts, off current,
 * clock period, the column-foot style, the sense amplifier's reference LSB
 * and its scaling exponent. The per-event energies are DERIVED from the
 * primitives and the macro geometry (rows, columns, rows per segment,
 * columns per C1/C2 group, accumulator width) by one table of formulas
 * (energy_derive.c) that the derivation evaluates and energy_profile_print
 * prints, so the arithmetic is visible and cannot differ from what is
 * billed, and a geometry sweep stays consistent.
 *
 * Three references are billed from one run (act.h, act_ref): the run as
 * made (gated) and the static hierarchical macro with the hierarchical
 * table, the conventional flat macro (one bit line of ROWS cells per column)
 * with the flat table, derived for the same profile with one segment of
 * ROWS rows (energy_table_derive_flat). energy_model holds both tables.
 *
 * UNITS (everywhere in this interface, as in the profile key names):
 *   voltage V, capacitance fF, length um, current pA (per um of width: pA/um),
 *   time ns, energy fJ (fF x V^2 = fJ), power pW.
 *
 * Ownership: all types are plain values; nothing is allocated. No global
 * mutable state. Errors are returned (-1) with a one-line message.
 */
#ifndef SPARSECIM_ENERGY_H
#define SPARSECIM_ENERGY_H

#include <stdint.h>
#include <stdio.h>

#include "power/act.h"
#include "util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Macro geometry the energies depend on (rtl/cim_macro.v parameters). */
typedef struct energy_geom {
    int rows;           /* word lines (ROWS) */
    int cols;           /* columns (COLS) */
    int seg_rows;       /* rows per local bit-line segment (SEG_ROWS) */
    int col_group;      /* columns per C1/C2 pair (COL_GROUP) */
    int acc_w;          /* accumulator bits per column (ACC_W) */
} energy_geom;

/* The RTL defaults: 256 x 64, 16-row segments, groups of 8, 32-bit accumulators. */
energy_geom energy_geom_default(void);
/* Positive sizes, seg_rows divides rows, col_group divides cols. 0 or -1. */
int energy_geom_check(const energy_geom *g, bnn_error *err);

/* Column-foot circuit billed for a local evaluation (profile key
 * local_eval_style). */
enum energy_eval_style {
    ENERGY_EVAL_SAR = 0,        /* analog local line + SAR sense: bitlen(seg_rows) latch-SA comparisons */
    ENERGY_EVAL_DIGITAL = 1,    /* digital local adder tree: (seg_rows - 1) full adders */
};

/* A technology profile: the primitive numbers (field = key in the file). */
typedef struct energy_profile {
    char name[64];                  /* file base name without ".txt" */
    double vdd_v;                   /* supply, V */
    double clock_period_ns;         /* macro clock period, ns (the SDC's, constraints/cim_macro.sdc) */
    double wire_cap_ff_per_um;      /* metal wire capacitance, fF/um */
    double cell_height_um;          /* cell pitch along a bit line, um */
    double cell_width_um;           /* cell pitch along a word line, um */
    double rwl_gate_cap_ff;         /* read word line: gate cap of one cell's read access device, fF */
    double rbl_drain_cap_ff;        /* read bit line: drain cap of one cell's read access device, fF */
    double lbl_fixed_cap_ff;        /* local bit line: precharge device + evaluation input + transfer device, fF */
    double lbl_swing_v;             /* local bit line full-scale swing (all seg_rows cells conducting), V */
    double pch_gate_cap_ff;         /* precharge device gate per local bit line, fF */
    double sa_cap_ff;               /* switched cap of one sense-amplifier comparison, sized for sa_lsb_ref_mv, fF */
    double sa_lsb_ref_mv;           /* the LSB (one cell's step) the sense amplifier of sa_cap_ff resolves, mV */
    double sa_lsb_exponent;         /* alpha: comparison energy ~ (sa_lsb_ref/LSB)^alpha (1 Walden, 2 noise, 0 none) */
    int local_eval_style;           /* enum energy_eval_style (0 SAR sense, 1 digital adder tree) */
    double gbl_tap_cap_ff;          /* global bit line: transfer device drain per segment, fF */
    double gbl_swing_v;             /* global bit line full-scale swing, V */
    double logic_cap_ff_per_ge;     /* switched cap of one gate-equivalent output transition, fF */
    double logic_activity;          /* transitions per gate-equivalent per operation */
    double acc_ge_per_bit;          /* accumulator gate-equivalents per bit (adder + register + mux) */
    double popcount_ge_per_row;     /* counter-tree gate-equivalents per 1-bit input (X popcount, digital foot) */
    double check_ge_per_row;        /* zero-check (NOR tree) gate-equivalents per segment row */
    double flop_ge;                 /* gate-equivalents of one D flip-flop (lookahead register) */
    double footer_gate_cap_ff;      /* C1: footer device gate per column per segment, fF */
    double header_gate_cap_ff;      /* C2: precharge-supply header gate per column per segment, fF */
    double vgnd_cell_cap_ff;        /* virtual ground: read-stack source junction of one cell, fF */
    double footer_drain_cap_ff;     /* virtual ground: footer device drain per column per segment, fF */
    double wwl_gate_cap_ff;         /* write word line: gate cap of one cell's two write access devices, fF */
    double wbl_drain_cap_ff;        /* write bit line: drain cap of one cell's write access device, fF */
    double cell_node_cap_ff;        /* one storage node of the cell, fF */
    double ioff_pa_per_um;          /* off current per um of device width, pA/um */
    double cell_leak_width_um;      /* total width of a cell's leaking off devices, um */
    double leak_retention_fraction; /* leakage of a cell under a footer that is off / an active one */
} energy_profile;

/* Loads a profile file (format: docs/ENERGY.md; `key = value  # comment`,
 * every key required once). Errors: "file:line: unknown key 'x'",
 * "file:line: bad number 'x' for key 'k'", "file: missing key 'k'", ... */
int energy_profile_load(const char *path, energy_profile *p, bnn_error *err);
/* The same from a NUL-terminated text; `name` is used in messages and as the
 * profile name. */
int energy_profile_parse(const char *text, const char *name, energy_profile *p, bnn_error *err);

/* Energy components of a report. */
typedef enum energy_comp {
    ENERGY_WORDLINE = 0,        /* read word-line pulses */
    ENERGY_PRECHARGE,           /* precharge drivers + restoring the charge evaluations removed */
    ENERGY_EVAL,                /* local sense stages (SAR comparisons or digital adder trees) */
    ENERGY_TRANSFER,            /* local-to-global transfers */
    ENERGY_ACCUMULATE,          /* per-column accumulators */
    ENERGY_CONTROL,             /* X popcount, lookahead register, zero checks, zero detect of skipped planes, stored-zero flag writes */
    ENERGY_GATING,              /* C1/C2 line transitions, footer wake-ups (virtual ground recharge) */
    ENERGY_WRITE,               /* weight-row writes */
    ENERGY_READ,                /* plain memory reads */
    ENERGY_LEAKAGE,             /* cell leakage, footer on and footer off (retention) */
    ENERGY_NCOMP
} energy_comp;

/* snake_case name of a component ("wordline"), NULL if out of range. */
const char *energy_comp_name(energy_comp c);
/* The component an event's energy is booked to, or -1 for events that cost
 * nothing by themselves (cycles, segment-cycles: time bases; line state
 * changes and cell discharges: their charge is billed as recharge_steps;
 * footer-off cycles: they enter through leakage). */
int energy_event_comp(act_event e);

/* Per-event energies derived from a profile and a geometry, with the
 * intermediate quantities (kept for energy_profile_print and the tests). */
typedef struct energy_table {
    energy_geom geom;                   /* geometry billed (flat: seg_rows = rows) */
    int flat;                           /* 1: the conventional macro (energy_table_derive_flat) */
    int nseg;                           /* rows / seg_rows */
    int local_eval_style;               /* the profile's */
    double e_event_fj[ACT_NEVENTS];     /* fJ per event (0 for events with no own energy) */
    double leak_line_active_fj;         /* fJ per line (segment x column, seg_rows cells) per clock */
    double leak_line_off_fj;            /* the same with its footer off (retention) */
    /* intermediates */
    double c_rwl_ff;                    /* one read word line (cols cells) */
    double c_lbl_ff;                    /* one local bit line (seg_rows cells + fixed) */
    double dv_step_v;                   /* local swing per conducting cell */
    double c_pch_ff;                    /* precharge driver load per local bit line */
    int n_cmp;                          /* SAR comparisons per local evaluation = bitlen(seg_rows) */
    double lsb_mv;                      /* the line's LSB the sense amplifier resolves = 1000*dv_step_v, mV */
    double sa_lsb_scale;                /* (sa_lsb_ref_mv / lsb_mv)^sa_lsb_exponent */
    double e_cmp_fj;                    /* one comparison = sa_cap*V^2*sa_lsb_scale (local evaluation and read) */
    double e_eval_sar_fj;               /* one local evaluation, SAR sense = n_cmp*e_cmp_fj */
    double e_eval_digital_fj;           /* one local evaluation, digital adder tree (no LSB: not scaled) */
    double c_gbl_seg_ff;                /* global bit line per segment */
    double e_ge_fj;                     /* one gate-equivalent transition */
    double e_popcount_fj;               /* X popcount per compute */
    int n_la_ff;                        /* flip-flops of the lookahead register */
    double e_lookahead_fj;              /* lookahead register per compute */
    int n_zf_ff;                        /* flip-flops of the stored-zero flag bank (ngrp*nseg; billed per SET_ZF) */
    double c_c1_ff, c_c2_ff;            /* C1 / C2 line of one segment x column group */
    double c_vgnd_ff;                   /* virtual ground of one segment x column */
    double c_wwl_ff;                    /* one write word line */
    double c_wbl_ff;                    /* one write bit line */
    double p_leak_cell_pw;              /* leakage power of one active cell */
} energy_table;

/* The hierarchical macro's table (the gated run and the static reference).
 * Returns 0 or -1 (bad geometry). */
int energy_table_derive(const energy_profile *p, const energy_geom *g, energy_table *t, bnn_error *err);
/* The conventional flat macro's table: the same profile and geometry with
 * one segment of g->rows rows (C_lbl of rows cells, dV_step = LSB =
 * swing/rows, bitlen(rows) comparisons each scaled by (sa_lsb_ref/LSB)^alpha)
 * and no gating state in the lookahead register.
 * Returns 0 or -1. */
int energy_table_derive_flat(const energy_profile *p, const energy_geom *g, energy_table *t, bnn_error *err);

/* Both tables of one profile and geometry. */
typedef struct energy_model {
    energy_table hier;                  /* ACT_REF_GATED, ACT_REF_STATIC */
    energy_table flat;                  /* ACT_REF_FLAT */
} energy_model;

int energy_model_derive(const energy_profile *p, const energy_geom *g, energy_model *m, bnn_error *err);
/* The table a reference is billed with (NULL if ref is out of range). */
const energy_table *energy_model_table(const energy_model *m, act_ref ref);

/* Energy of a set of counts. */
typedef struct energy_result {
    double comp_fj[ENERGY_NCOMP];       /* by component */
    double event_fj[ACT_NEVENTS];       /* by event (dynamic only; leakage in comp_fj) */
    double total_fj;
    double fj_per_op;                   /* total_fj / ops; 0 when ops == 0 */
    int has_ops;                        /* ops > 0 */
} energy_result;

/* Energy of counts c with table t. Leakage =
 *   (cycles x nseg x cols - footer_off_cycles) x leak_line_active_fj
 *   + footer_off_cycles x leak_line_off_fj.
 * Returns 0, or -1 when the counts are inconsistent (more footer-off
 * line-cycles than cycles x nseg x cols). */
int energy_compute(const energy_table *t, const act_counts *c, energy_result *r, bnn_error *err);

/* The three references of one layer (or total) and the report's figures. */
typedef struct energy_summary {
    energy_result e[ACT_NREF];          /* by act_ref; static and flat zeroed without have_ref */
    int have_ref;                       /* c[ACT_REF_STATIC], c[ACT_REF_FLAT] were given */
    double saving_fraction;             /* 1 - E_gated / E_static (0 when E_static = 0) */
    double hierarchy_saving_fraction;   /* 1 - E_static / E_flat (0 when E_flat = 0) */
    double gated_fraction_data;         /* act_gated_fraction_data(gated) */
    double unmapped_fraction;           /* act_unmapped_fraction(gated) */
    uint64_t cycles;                    /* clock cycles of the gated run */
    uint64_t cycles_static;             /* of the static reference (0 without have_ref) */
    uint64_t cycles_skipped;            /* planes_skipped of the gated run */
} energy_summary;

/* Bills c[ACT_REF_GATED] (and, with have_ref, the static and flat
 * references) with m's tables. Returns 0 or -1 (energy_compute's errors,
 * prefixed with the reference's name). */
int energy_summarize(const energy_model *m, const act_counts c[ACT_NREF], int have_ref, energy_summary *s,
                     bnn_error *err);

/* Prints the primitives, every derived quantity with its formula and the
 * numbers put into it (hierarchical and flat), and the per-event energy
 * tables of both. Returns 0 or -1. */
int energy_profile_print(FILE *f, const energy_profile *p, const energy_geom *g, bnn_error *err);

#ifdef __cplusplus
}
#endif
#endif

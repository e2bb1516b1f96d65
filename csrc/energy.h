/*
 * energy.h - the macro's energy model: technology profiles and the energy of
 * an activity record (docs/ENERGY.md).
 *
 *   energy = sum over events (count x energy per event) + leakage
 *
 * A technology profile (constraints/energy-*.txt) holds PRIMITIVE numbers
 * only: supply, capacitances, cell size, swings, gate counts, off current,
 * clock period. The per-event energies are DERIVED here from the primitives
 * and the macro geometry (rows, columns, rows per segment, columns per C1/C2
 * group, accumulator width), so the arithmetic is visible
 * (energy_profile_print) and a geometry sweep stays consistent.
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

#include <stdio.h>

#include "act.h"
#include "bnn_model.h"   /* bnn_error */

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

/* A technology profile: the primitive numbers (field = key in the file). */
typedef struct energy_profile {
    char name[64];                  /* file base name without ".txt" */
    double vdd_v;                   /* supply, V */
    double clock_period_ns;         /* macro clock period, ns */
    double wire_cap_ff_per_um;      /* metal wire capacitance, fF/um */
    double cell_height_um;          /* cell pitch along a bit line, um */
    double cell_width_um;           /* cell pitch along a word line, um */
    double rwl_gate_cap_ff;         /* read word line: gate cap of one cell's read access device, fF */
    double rbl_drain_cap_ff;        /* read bit line: drain cap of one cell's read access device, fF */
    double lbl_fixed_cap_ff;        /* local bit line: precharge device + evaluation input + transfer device, fF */
    double lbl_swing_v;             /* local bit line full-scale swing (all seg_rows cells conducting), V */
    double pch_gate_cap_ff;         /* precharge device gate per local bit line, fF */
    double sa_cap_ff;               /* switched cap of one sense-amplifier comparison, fF */
    double gbl_tap_cap_ff;          /* global bit line: transfer device drain per segment, fF */
    double gbl_swing_v;             /* global bit line full-scale swing, V */
    double logic_cap_ff_per_ge;     /* switched cap of one gate-equivalent output transition, fF */
    double logic_activity;          /* transitions per gate-equivalent per operation */
    double acc_ge_per_bit;          /* accumulator gate-equivalents per bit (adder + register + mux) */
    double popcount_ge_per_row;     /* X popcount gate-equivalents per input row */
    double check_ge_per_row;        /* zero-check (NOR tree) gate-equivalents per segment row */
    double footer_gate_cap_ff;      /* C1: footer device gate per column per segment, fF */
    double header_gate_cap_ff;      /* C2: precharge-supply header gate per column per segment, fF */
    double wwl_gate_cap_ff;         /* write word line: gate cap of one cell's two write access devices, fF */
    double wbl_drain_cap_ff;        /* write bit line: drain cap of one cell's write access device, fF */
    double cell_node_cap_ff;        /* one storage node of the cell, fF */
    double ioff_pa_per_um;          /* off current per um of device width, pA/um */
    double cell_leak_width_um;      /* total width of a cell's leaking off devices, um */
    double leak_retention_fraction; /* leakage of a gated segment / an active one */
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
    ENERGY_PRECHARGE,           /* precharge drivers + restoring discharged local charge */
    ENERGY_EVAL,                /* local evaluations (sense comparisons) */
    ENERGY_TRANSFER,            /* local-to-global transfers */
    ENERGY_ACCUMULATE,          /* per-column accumulators */
    ENERGY_CONTROL,             /* sparse controller: X popcount, zero checks, C1/C2 toggles */
    ENERGY_WRITE,               /* weight-row writes */
    ENERGY_READ,                /* plain memory reads */
    ENERGY_LEAKAGE,             /* cell leakage, active and retention */
    ENERGY_NCOMP
} energy_comp;

/* snake_case name of a component ("wordline"), NULL if out of range. */
const char *energy_comp_name(energy_comp c);
/* The component an event's energy is booked to, or -1 for events that cost
 * nothing by themselves (cycles, gated/skipped/masked counts, segment-cycles:
 * those enter through leakage). */
int energy_event_comp(act_event e);

/* Per-event energies derived from a profile and a geometry, with the
 * intermediate quantities (kept for energy_profile_print and the tests). */
typedef struct energy_table {
    energy_geom geom;
    double e_event_fj[ACT_NEVENTS];     /* fJ per event (0 for events with no own energy) */
    double leak_active_fj;              /* fJ per active segment-cycle */
    double leak_gated_fj;               /* fJ per gated segment-cycle */
    int nseg;                           /* rows / seg_rows */
    /* intermediates */
    double c_rwl_ff;                    /* one read word line (cols cells) */
    double c_lbl_ff;                    /* one local bit line (seg_rows cells + fixed) */
    double dv_step_v;                   /* local swing per conducting cell */
    double c_pch_ff;                    /* precharge driver load per local bit line */
    int n_cmp;                          /* comparisons per local evaluation = bitlen(seg_rows) */
    double c_gbl_seg_ff;                /* global bit line per segment */
    double e_ge_fj;                     /* one gate-equivalent transition */
    double c_c1_ff, c_c2_ff;            /* C1 / C2 line of one segment x column group */
    double c_wwl_ff;                    /* one write word line */
    double c_wbl_ff;                    /* one write bit line */
    double p_leak_cell_pw;              /* leakage power of one active cell */
} energy_table;

/* Derives the table. Returns 0 or -1 (bad geometry). */
int energy_table_derive(const energy_profile *p, const energy_geom *g, energy_table *t, bnn_error *err);

/* Energy of a set of counts. */
typedef struct energy_result {
    double comp_fj[ENERGY_NCOMP];       /* by component */
    double event_fj[ACT_NEVENTS];       /* by event (dynamic only; leakage in comp_fj) */
    double total_fj;
    double fj_per_op;                   /* total_fj / ops; 0 when ops == 0 */
    int has_ops;                        /* ops > 0 */
} energy_result;

/* Energy of counts c. Leakage = (cycles x nseg - gated segment-cycles) x
 * leak_active_fj + gated segment-cycles x leak_gated_fj. Returns 0, or -1
 * when the counts are inconsistent (more gated segment-cycles than
 * cycles x nseg). */
int energy_compute(const energy_table *t, const act_counts *c, energy_result *r, bnn_error *err);
/* Energy of act_ungated(c): what the same work costs with gating off. */
int energy_compute_ungated(const energy_table *t, const act_counts *c, energy_result *r, bnn_error *err);

/* Prints the primitives, every derived quantity with its formula and the
 * numbers put into it, and the per-event energy table. Returns 0 or -1. */
int energy_profile_print(FILE *f, const energy_profile *p, const energy_geom *g, bnn_error *err);

#ifdef __cplusplus
}
#endif
#endif

/* test_energy.c - energy model, technology profiles and activity records.
 *
 * Known answers for the arithmetic (a hand-computed profile: every
 * per-event formula of the hierarchical and the flat table, the leakage
 * with retention, both column-foot styles), the comparator's LSB scaling
 * (SEG_ROWS 8/16/32 and flat, alpha 0/1/2, both nodes), the shipped 65 nm /
 * 22 nm tables at the default geometry, the profile parser (good files, every
 * bad case with file:line), the three-reference reports (JSON and CSV:
 * fields present, saving = 1 - gated/static from the same counts, null
 * without references), and, on counts from an emulation of the RTL counter
 * rules (rtl/cim_activity.v, cim_local_bl.v, cim_sparse_ctrl.v), the 65 nm
 * sanity range and the worked examples of docs/ENERGY.md. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "power/act.h"
#include "power/act_write.h"
#include "power/energy.h"
#include "util/jdump.h"
#include "test_util.h"

/* ---- helpers ---- */

static void assert_close(double got, double want, const char *what)
{
    double tol = 1e-9 * (fabs(want) > 1.0 ? fabs(want) : 1.0);
    cr_assert(fabs(got - want) <= tol, "%s: got %.17g, want %.17g", what, got, want);
}

/* within 0.05 % (the 4-5 digits docs/ENERGY.md prints) */
static void assert_near(double got, double want, const char *what)
{
    cr_assert(fabs(got - want) <= 5e-4 * fabs(want), "%s: got %.6g, want %.6g", what, got, want);
}

static void load_shipped(const char *node, energy_profile *p)
{
    char path[1024];
    bnn_error err = {{0}};
    snprintf(path, sizeof path, "%s/constraints/energy-%s.txt", tu_src_dir(), node);
    cr_assert_eq(energy_profile_load(path, p, &err), 0, "%s", err.msg);
}

/* A profile with binary-exact numbers, worked out by hand below. Line
 * numbers matter to the parser tests: vdd_v is line 2, sa_lsb_ref_mv 13,
 * sa_lsb_exponent 14, local_eval_style 15, gbl_swing_v 17,
 * leak_retention_fraction 33 (the last). The comparator is sized for the
 * hierarchical line's LSB (1 V / 4 rows = 250 mV): the flat line's LSB is
 * 125 mV, its comparisons cost (250/125)^1 = 2x. */
static const char hand_profile[] =
    "# hand-checked profile\n"
    "vdd_v = 2\n"
    "clock_period_ns = 1000   # ns\n"
    "wire_cap_ff_per_um = 0.5\n"
    "cell_height_um = 2\n"
    "cell_width_um = 4\n"
    "rwl_gate_cap_ff = 1\n"
    "rbl_drain_cap_ff = 1\n"
    "lbl_fixed_cap_ff = 2\n"
    "lbl_swing_v = 1\n"
    "pch_gate_cap_ff = 1\n"
    "sa_cap_ff = 1\n"
    "sa_lsb_ref_mv = 250\n"
    "sa_lsb_exponent = 1\n"
    "local_eval_style = 0\n"
    "gbl_tap_cap_ff = 1\n"
    "gbl_swing_v = 1\n"
    "logic_cap_ff_per_ge = 1\n"
    "logic_activity = 0.5\n"
    "acc_ge_per_bit = 2\n"
    "popcount_ge_per_row = 1\n"
    "check_ge_per_row = 1\n"
    "flop_ge = 2\n"
    "footer_gate_cap_ff = 1\n"
    "header_gate_cap_ff = 3\n"
    "vgnd_cell_cap_ff = 0.5\n"
    "footer_drain_cap_ff = 1\n"
    "wwl_gate_cap_ff = 2\n"
    "wbl_drain_cap_ff = 1\n"
    "cell_node_cap_ff = 1\n"
    "ioff_pa_per_um = 1000\n"
    "cell_leak_width_um = 0.5\n"
    "leak_retention_fraction = 0.25\n";

/* 2 segments of 4 rows, 2 column groups of 2 */
static const energy_geom hand_geom = {.rows = 8, .cols = 4, .seg_rows = 4, .col_group = 2, .acc_w = 8};

/* The energy model of profile p on hand_geom, derived once for the writers
 * (act_write.h: the caller derives, the writers bill). */
static const energy_model *hand_model(const energy_profile *p)
{
    static energy_model m;
    bnn_error err;
    cr_assert_eq(energy_model_derive(p, &hand_geom, &m, &err), 0, "%s", err.msg);
    return &m;
}

static void hand_parse(energy_profile *p)
{
    bnn_error err = {{0}};
    cr_assert_eq(energy_profile_parse(hand_profile, "hand.txt", p, &err), 0, "%s", err.msg);
}

/* The gated run of the hand example. */
static act_counts hand_counts(void)
{
    act_counts c;
    memset(&c, 0, sizeof c);
    c.n[ACT_CYCLES] = 10;
    c.n[ACT_COMPUTE_OPS] = 6;
    c.n[ACT_WEIGHT_ROW_WRITES] = 2;
    c.n[ACT_WRITE_BITS_FLIPPED] = 3;
    c.n[ACT_READ_OPS] = 1;
    c.n[ACT_WORDLINE_PULSES] = 7;
    c.n[ACT_PRECHARGES] = 8;
    c.n[ACT_LINE_RECHARGES] = 3;
    c.n[ACT_RECHARGE_STEPS] = 9;
    c.n[ACT_CELL_DISCHARGES] = 11;
    c.n[ACT_LINE_DISCHARGES] = 4;
    c.n[ACT_LOCAL_EVALS] = 8;
    c.n[ACT_TRANSFERS] = 5;
    c.n[ACT_ACC_UPDATES] = 12;
    c.n[ACT_SEG_ACTIVE] = 6;
    c.n[ACT_SEG_GATED] = 3;
    c.n[ACT_SEG_UNMAPPED] = 3;
    c.n[ACT_CHECKS] = 9;
    c.n[ACT_C1_TOGGLES] = 2;
    c.n[ACT_C2_TOGGLES] = 3;
    c.n[ACT_FOOTER_WAKEUPS] = 4;
    c.n[ACT_FOOTER_OFF] = 20;
    c.n[ACT_PLANES_SKIPPED] = 1;
    c.ops = 96;
    return c;
}

/* Its static reference: the skipped plane issued, nothing data-gated. */
static act_counts hand_static(void)
{
    act_counts c = hand_counts();
    c.n[ACT_CYCLES] = 12;
    c.n[ACT_COMPUTE_OPS] = 7;
    c.n[ACT_PRECHARGES] = 12;
    c.n[ACT_LOCAL_EVALS] = 12;
    c.n[ACT_ACC_UPDATES] = 14;
    c.n[ACT_SEG_ACTIVE] = 11;
    c.n[ACT_SEG_GATED] = 0;
    c.n[ACT_SEG_UNMAPPED] = 3;
    c.n[ACT_CHECKS] = 0;
    c.n[ACT_C1_TOGGLES] = 1;
    c.n[ACT_C2_TOGGLES] = 1;
    c.n[ACT_FOOTER_WAKEUPS] = 2;
    c.n[ACT_FOOTER_OFF] = 24;
    c.n[ACT_PLANES_SKIPPED] = 0;
    return c;
}

/* Its flat reference: one line of 8 cells per column, no transfers, no footers. */
static act_counts hand_flat(void)
{
    act_counts c = hand_static();
    c.n[ACT_PRECHARGES] = 28;
    c.n[ACT_LOCAL_EVALS] = 28;
    c.n[ACT_TRANSFERS] = 0;
    c.n[ACT_SEG_ACTIVE] = 7;
    c.n[ACT_SEG_UNMAPPED] = 0;
    c.n[ACT_C1_TOGGLES] = 0;
    c.n[ACT_C2_TOGGLES] = 0;
    c.n[ACT_FOOTER_WAKEUPS] = 0;
    c.n[ACT_FOOTER_OFF] = 0;
    return c;
}

static void hand_refs(act_counts c[ACT_NREF])
{
    c[ACT_REF_GATED] = hand_counts();
    c[ACT_REF_STATIC] = hand_static();
    c[ACT_REF_FLAT] = hand_flat();
}

/* ---- known answers: the hierarchical and the flat table ---- */

Test(energy, per_event_energies_known_answers)
{
    energy_profile p;
    energy_table t;
    bnn_error err = {{0}};
    hand_parse(&p);
    cr_assert_str_eq(p.name, "hand");
    cr_assert_eq(energy_table_derive(&p, &hand_geom, &t, &err), 0, "%s", err.msg);
    cr_assert_eq(t.flat, 0);
    cr_assert_eq(t.nseg, 2);
    /* V = 2, V^2 = 4, wire 0.5 fF/um */
    assert_close(t.c_rwl_ff, 12, "C_rwl = 4*(1 + 4*0.5)");
    assert_close(t.e_event_fj[ACT_WORDLINE_PULSES], 48, "E_wl = 12*4");
    assert_close(t.c_pch_ff, 3, "C_pch = 1 + 4*0.5");
    assert_close(t.e_event_fj[ACT_PRECHARGES], 12, "E_pch = 3*4");
    assert_close(t.c_lbl_ff, 10, "C_lbl = 4*(2*0.5 + 1) + 2");
    assert_close(t.dv_step_v, 0.25, "dV = 1/4");
    assert_close(t.e_event_fj[ACT_RECHARGE_STEPS], 5, "E_step = 10*2*0.25");
    cr_assert_eq(t.n_cmp, 3, "bitlen(4) = 3");
    assert_close(t.lsb_mv, 250, "LSB = 1 V/4");
    assert_close(t.sa_lsb_scale, 1, "(250/250)^1");
    assert_close(t.e_cmp_fj, 4, "E_cmp = 1*4*1");
    assert_close(t.e_eval_sar_fj, 12, "E_sar = 3*1*4");
    assert_close(t.e_eval_digital_fj, 3, "E_digital = (4-1)*1*0.5*2");
    assert_close(t.e_event_fj[ACT_LOCAL_EVALS], 12, "style 0 bills the SAR sense");
    assert_close(t.e_event_fj[ACT_TRANSFERS], 10, "E_tr = (4*2*0.5 + 1)*2*1");
    assert_close(t.e_ge_fj, 2, "E_ge = 1*4/2");
    assert_close(t.e_event_fj[ACT_ACC_UPDATES], 16, "E_acc = 8*2*0.5*2");
    assert_close(t.e_popcount_fj, 8, "E_pop = 8*1*0.5*2");
    /* lookahead: 8 input latches + bitlen(8) X + 4 column mask + 7 flags + 1 gate
     * + 2*2 gated/mapped + 3*2*2 C1/C2/SE = 40 flops */
    cr_assert_eq(t.n_la_ff, 40);
    assert_close(t.e_lookahead_fj, 80, "E_la = 40*2*0.5*2");
    assert_close(t.e_event_fj[ACT_COMPUTE_OPS], 88, "E_compute = 8 + 80");
    assert_close(t.e_event_fj[ACT_CHECKS], 4, "E_check = 4*1*0.5*2");
    assert_close(t.e_event_fj[ACT_PLANES_SKIPPED], 8, "E_skip = 2 segments * 4");
    assert_close(t.e_event_fj[ACT_INDEX_BITS], 2, "E_index = 2*0.5*2 (one flop read)");
    assert_close(t.c_c1_ff, 6, "C_C1 = 2*(1 + 2)");
    assert_close(t.e_event_fj[ACT_C1_TOGGLES], 12, "E_c1 = 6*4/2");
    assert_close(t.c_c2_ff, 10, "C_C2 = 2*(3 + 2)");
    assert_close(t.e_event_fj[ACT_C2_TOGGLES], 20, "E_c2 = 10*4/2");
    assert_close(t.c_vgnd_ff, 7, "C_vgnd = 4*(0.5 + 2*0.5) + 1");
    assert_close(t.e_event_fj[ACT_FOOTER_WAKEUPS], 28, "E_wake = 7*4");
    assert_close(t.e_event_fj[ACT_WEIGHT_ROW_WRITES], 64, "E_rw = 4*(2 + 2)*4");
    assert_close(t.e_event_fj[ACT_WRITE_BITS_FLIPPED], 72, "E_flip = (2*1 + 8*(1 + 1))*4");
    assert_close(t.e_event_fj[ACT_READ_OPS], 142, "E_read = 48 + 4*(12 + 4 + (5 + 10)/2)");
    assert_close(t.p_leak_cell_pw, 1000, "P = 1000*0.5*2");
    assert_close(t.leak_line_active_fj, 4, "E_line = 4 cells*1000 pW*1000 ns");
    assert_close(t.leak_line_off_fj, 1, "E_line_off = 0.25*4");
    const int none[] = {ACT_CYCLES, ACT_LINE_RECHARGES, ACT_CELL_DISCHARGES, ACT_LINE_DISCHARGES, ACT_SEG_ACTIVE,
                        ACT_SEG_GATED, ACT_SEG_UNMAPPED, ACT_FOOTER_OFF};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        cr_assert_eq(t.e_event_fj[none[i]], 0.0, "%s has no own energy", act_event_name((act_event)none[i]));
        cr_assert_eq(energy_event_comp((act_event)none[i]), -1);
    }
    cr_assert_eq(energy_event_comp(ACT_FOOTER_WAKEUPS), ENERGY_GATING);
    cr_assert_eq(energy_event_comp(ACT_C1_TOGGLES), ENERGY_GATING);
    cr_assert_eq(energy_event_comp(ACT_PLANES_SKIPPED), ENERGY_CONTROL);
    cr_assert_eq(energy_event_comp(ACT_INDEX_BITS), ENERGY_CONTROL);
    cr_assert_eq(energy_event_comp(ACT_RECHARGE_STEPS), ENERGY_PRECHARGE);
}

Test(energy, flat_table_known_answers)
{
    energy_profile p;
    energy_table f, h;
    energy_model m;
    bnn_error err = {{0}};
    hand_parse(&p);
    cr_assert_eq(energy_table_derive_flat(&p, &hand_geom, &f, &err), 0, "%s", err.msg);
    cr_assert_eq(f.flat, 1);
    cr_assert_eq(f.nseg, 1);
    cr_assert_eq(f.geom.seg_rows, 8, "one line of all 8 rows");
    assert_close(f.c_lbl_ff, 18, "C_lbl = 8*(2*0.5 + 1) + 2");
    assert_close(f.dv_step_v, 0.125, "dV = 1/8");
    assert_close(f.e_event_fj[ACT_RECHARGE_STEPS], 4.5, "E_step = 18*2/8");
    cr_assert_eq(f.n_cmp, 4, "bitlen(8)");
    assert_close(f.lsb_mv, 125, "LSB = 1 V/8");
    assert_close(f.sa_lsb_scale, 2, "(250/125)^1");
    assert_close(f.e_cmp_fj, 8, "E_cmp = 1*4*2");
    assert_close(f.e_event_fj[ACT_LOCAL_EVALS], 32, "E_sar = 4*1*4*2");
    assert_close(f.e_eval_digital_fj, 7, "E_digital = 7*1*0.5*2 (no LSB: unscaled)");
    cr_assert_eq(f.n_la_ff, 23, "8 + 4 + 4 + 7: no gating state");
    assert_close(f.e_event_fj[ACT_COMPUTE_OPS], 54, "E_compute = 8 + 23*2*0.5*2");
    assert_close(f.e_event_fj[ACT_CHECKS], 8, "E_check = 8*1*0.5*2");
    assert_close(f.e_event_fj[ACT_PLANES_SKIPPED], 8, "1 segment * 8 (= the hierarchical 2 * 4)");
    assert_close(f.e_event_fj[ACT_READ_OPS], 137, "E_read = 48 + 4*(12 + 8 + 4.5/2): no transfer");
    assert_close(f.leak_line_active_fj, 8, "E_line = 8 cells*1000 pW*1000 ns");
    assert_close(f.leak_line_off_fj, 2, "0.25*8");
    /* unchanged by the segmentation */
    assert_close(f.e_event_fj[ACT_WORDLINE_PULSES], 48, "E_wl");
    assert_close(f.e_event_fj[ACT_PRECHARGES], 12, "E_pch");
    assert_close(f.e_event_fj[ACT_ACC_UPDATES], 16, "E_acc");
    /* the model holds both; the flat reference is billed with the flat table */
    cr_assert_eq(energy_model_derive(&p, &hand_geom, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(energy_model_table(&m, ACT_REF_FLAT), &m.flat);
    cr_assert_eq(energy_model_table(&m, ACT_REF_STATIC), &m.hier);
    cr_assert_eq(energy_model_table(&m, ACT_REF_GATED), &m.hier);
    cr_assert_null(energy_model_table(&m, ACT_NREF));
    /* a hierarchical table of one segment has the flat line terms; only the
     * lookahead register's gating state differs */
    energy_geom one = hand_geom;
    one.seg_rows = one.rows;
    cr_assert_eq(energy_table_derive(&p, &one, &h, &err), 0, "%s", err.msg);
    for (int i = 0; i < ACT_NEVENTS; i++)
        if (i != ACT_COMPUTE_OPS && i != ACT_READ_OPS)
            assert_close(h.e_event_fj[i], f.e_event_fj[i], act_event_name((act_event)i));
    cr_assert_eq(h.n_la_ff - f.n_la_ff, 1 + 2 * 1 + 3 * 2 * 1);
    assert_close(h.e_event_fj[ACT_READ_OPS] - f.e_event_fj[ACT_READ_OPS], 4 * 0.5 * 18, "flat read: no transfer");
    cr_assert_eq(h.sa_lsb_scale, f.sa_lsb_scale, "the scaling depends on the line, not on flat");
}

Test(energy, components_and_leakage_known_answers)
{
    energy_profile p;
    energy_table t;
    energy_result r;
    bnn_error err = {{0}};
    hand_parse(&p);
    cr_assert_eq(energy_table_derive(&p, &hand_geom, &t, &err), 0, "%s", err.msg);
    act_counts c = hand_counts();
    cr_assert_eq(energy_compute(&t, &c, &r, &err), 0, "%s", err.msg);
    assert_close(r.comp_fj[ENERGY_WORDLINE], 336, "wordline = 7*48");
    assert_close(r.comp_fj[ENERGY_PRECHARGE], 141, "precharge = 8*12 + 9*5");
    assert_close(r.comp_fj[ENERGY_EVAL], 96, "eval = 8*12");
    assert_close(r.comp_fj[ENERGY_TRANSFER], 50, "transfer = 5*10");
    assert_close(r.comp_fj[ENERGY_ACCUMULATE], 192, "accumulate = 12*16");
    assert_close(r.comp_fj[ENERGY_CONTROL], 572, "control = 6*88 + 9*4 + 1*8");
    assert_close(r.comp_fj[ENERGY_GATING], 196, "gating = 2*12 + 3*20 + 4*28");
    assert_close(r.comp_fj[ENERGY_WRITE], 344, "write = 2*64 + 3*72");
    assert_close(r.comp_fj[ENERGY_READ], 142, "read = 1*142");
    /* 10 cycles x 2 segments x 4 columns = 80 line-cycles, 20 with the footer off */
    assert_close(r.comp_fj[ENERGY_LEAKAGE], 260, "leakage = (80 - 20)*4 + 20*0.25*4");
    assert_close(r.total_fj, 2329, "total");
    cr_assert(r.has_ops);
    assert_close(r.fj_per_op, 2329.0 / 96.0, "fJ/op");
    assert_close(r.event_fj[ACT_RECHARGE_STEPS], 45, "event share");
    /* retention: every line off leaks at the fraction */
    c.n[ACT_FOOTER_OFF] = 80;
    cr_assert_eq(energy_compute(&t, &c, &r, &err), 0, "%s", err.msg);
    assert_close(r.comp_fj[ENERGY_LEAKAGE], 80, "all off: 80*1");
    c.n[ACT_FOOTER_OFF] = 0;
    cr_assert_eq(energy_compute(&t, &c, &r, &err), 0, "%s", err.msg);
    assert_close(r.comp_fj[ENERGY_LEAKAGE], 320, "all on: 80*4");
    /* inconsistent counts are an error, not a negative leakage */
    c.n[ACT_FOOTER_OFF] = 81;
    cr_assert_eq(energy_compute(&t, &c, &r, &err), -1);
    cr_assert(strstr(err.msg, "footer-off line-cycles"), "%s", err.msg);
    /* no ops: fJ/op undefined, reported as has_ops = 0 */
    c = hand_counts();
    c.ops = 0;
    cr_assert_eq(energy_compute(&t, &c, &r, &err), 0);
    cr_assert_eq(r.has_ops, 0);
    cr_assert_eq(r.fj_per_op, 0.0);
}

Test(energy, three_references_summary)
{
    energy_profile p;
    energy_model m;
    energy_summary s;
    bnn_error err = {{0}};
    hand_parse(&p);
    cr_assert_eq(energy_model_derive(&p, &hand_geom, &m, &err), 0, "%s", err.msg);
    act_counts c[ACT_NREF];
    hand_refs(c);
    cr_assert_eq(energy_summarize(&m, c, 1, &s, &err), 0, "%s", err.msg);
    assert_close(s.e[ACT_REF_GATED].total_fj, 2329, "gated");
    /* static: wl 336, precharge 12*12 + 45, eval 12*12, transfer 50, acc 14*16,
     * control 7*88, gating 12 + 20 + 2*28, write 344, read 142,
     * leakage (96 - 24)*4 + 24*1 */
    assert_close(s.e[ACT_REF_STATIC].comp_fj[ENERGY_LEAKAGE], 312, "static leakage");
    assert_close(s.e[ACT_REF_STATIC].total_fj, 2445, "static");
    /* flat, with the flat table: wl 336, precharge 28*12 + 9*4.5, eval 28*32,
     * acc 224, control 7*54, write 344, read 137, leakage 12*4*8 */
    assert_close(s.e[ACT_REF_FLAT].comp_fj[ENERGY_PRECHARGE], 376.5, "flat precharge");
    assert_close(s.e[ACT_REF_FLAT].comp_fj[ENERGY_EVAL], 896, "flat eval");
    assert_close(s.e[ACT_REF_FLAT].comp_fj[ENERGY_LEAKAGE], 384, "flat leakage");
    assert_close(s.e[ACT_REF_FLAT].total_fj, 3075.5, "flat");
    assert_close(s.saving_fraction, 1.0 - 2329.0 / 2445.0, "saving = 1 - gated/static");
    assert_close(s.hierarchy_saving_fraction, 1.0 - 2445.0 / 3075.5, "hierarchy saving = 1 - static/flat");
    assert_close(s.gated_fraction_data, 3.0 / 9.0, "data-gated over mapped");
    assert_close(s.unmapped_fraction, 3.0 / 12.0, "unmapped over all");
    cr_assert_eq(s.cycles, 10);
    cr_assert_eq(s.cycles_static, 12);
    cr_assert_eq(s.cycles_skipped, 1);
    cr_assert_eq(s.have_ref, 1);
    /* without references only the gated run is billed */
    cr_assert_eq(energy_summarize(&m, c, 0, &s, &err), 0, "%s", err.msg);
    cr_assert_eq(s.have_ref, 0);
    assert_close(s.e[ACT_REF_GATED].total_fj, 2329, "gated alone");
    cr_assert_eq(s.e[ACT_REF_STATIC].total_fj, 0.0);
    cr_assert_eq(s.saving_fraction, 0.0);
    cr_assert_eq(s.cycles_static, 0);
    /* a reference's inconsistency is named */
    c[ACT_REF_FLAT].n[ACT_FOOTER_OFF] = 1000;
    cr_assert_eq(energy_summarize(&m, c, 1, &s, &err), -1);
    cr_assert(strstr(err.msg, "flat: energy:"), "%s", err.msg);
}

/* The column-foot choice: SAR sense (0, the default) or digital adder tree (1). */
Test(energy, column_foot_styles)
{
    energy_profile p;
    energy_table t, f;
    bnn_error err = {{0}};
    hand_parse(&p);
    cr_assert_eq(p.local_eval_style, ENERGY_EVAL_SAR);
    p.local_eval_style = ENERGY_EVAL_DIGITAL;
    cr_assert_eq(energy_table_derive(&p, &hand_geom, &t, &err), 0, "%s", err.msg);
    cr_assert_eq(energy_table_derive_flat(&p, &hand_geom, &f, &err), 0, "%s", err.msg);
    assert_close(t.e_event_fj[ACT_LOCAL_EVALS], 3, "digital: (4-1) FA x 1 GE x 0.5 x 2 fJ");
    assert_close(f.e_event_fj[ACT_LOCAL_EVALS], 7, "digital flat: (8-1) x 1 x 0.5 x 2");
    assert_close(t.e_eval_sar_fj, 12, "the SAR figure is still derived");
    energy_result r;
    act_counts c = hand_counts();
    cr_assert_eq(energy_compute(&t, &c, &r, &err), 0, "%s", err.msg);
    assert_close(r.comp_fj[ENERGY_EVAL], 24, "eval = 8*3");
    assert_close(r.total_fj, 2329 - 96 + 24, "only eval changes");
    /* from a file */
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", hand_profile);
    char *k = strstr(buf, "local_eval_style = 0");
    cr_assert(k);
    k[strlen("local_eval_style = ")] = '1';
    cr_assert_eq(energy_profile_parse(buf, "digital.txt", &p, &err), 0, "%s", err.msg);
    cr_assert_eq(p.local_eval_style, ENERGY_EVAL_DIGITAL);
    cr_assert_eq(energy_table_derive(&p, &hand_geom, &t, &err), 0, "%s", err.msg);
    assert_close(t.e_event_fj[ACT_LOCAL_EVALS], 3, "parsed style 1");
}

Test(energy, geometry_scales_derived_energies)
{
    energy_profile p;
    energy_table a, b;
    bnn_error err = {{0}};
    load_shipped("65nm", &p);
    energy_geom g = energy_geom_default();
    cr_assert_eq(energy_table_derive(&p, &g, &a, &err), 0, "%s", err.msg);
    g.seg_rows = 32;
    cr_assert_eq(energy_table_derive(&p, &g, &b, &err), 0, "%s", err.msg);
    /* longer local lines: more capacitance, one more comparison, same full-scale swing */
    cr_assert_gt(b.c_lbl_ff, a.c_lbl_ff);
    cr_assert_eq(b.n_cmp, a.n_cmp + 1);
    cr_assert_gt(b.e_event_fj[ACT_LOCAL_EVALS], a.e_event_fj[ACT_LOCAL_EVALS]);
    cr_assert_eq(b.nseg, 8);
    cr_assert_lt(b.n_la_ff, a.n_la_ff, "fewer segments, fewer C1/C2/SE registers");
    g = energy_geom_default();
    g.seg_rows = 24;
    cr_assert_eq(energy_table_derive(&p, &g, &b, &err), -1);
    cr_assert(strstr(err.msg, "does not divide"), "%s", err.msg);
    cr_assert_eq(energy_table_derive_flat(&p, &g, &b, &err), -1, "the flat table checks the geometry too");
    g = energy_geom_default();
    g.col_group = 0;
    cr_assert_eq(energy_geom_check(&g, &err), -1);
}

/* ---- the shipped profiles ---- */

/* docs/ENERGY.md's per-event table, default geometry 256x64x16, COL_GROUP 8, ACC_W 32. */
typedef struct shipped_answer {
    act_event e;
    double hier65, flat65, hier22, flat22;
} shipped_answer;

static const shipped_answer shipped[] = {
    {ACT_WORDLINE_PULSES, 35.932, 35.932, 5.9742, 5.9742},
    {ACT_PRECHARGES, 1.0648, 1.0648, 0.15462, 0.15462},
    {ACT_RECHARGE_STEPS, 0.23012, 0.18268, 0.041125, 0.0347},
    {ACT_LOCAL_EVALS, 36.3, 1045.44, 5.0575, 145.656},
    {ACT_TRANSFERS, 1.5699, 23.535, 0.3061, 4.6146},
    {ACT_ACC_UPDATES, 169.4, 169.4, 24.276, 24.276},
    {ACT_COMPUTE_OPS, 2101.2, 1312.9, 301.12, 188.14},
    {ACT_CHECKS, 6.05, 96.8, 0.867, 13.872},
    {ACT_PLANES_SKIPPED, 96.8, 96.8, 13.872, 13.872},
    {ACT_INDEX_BITS, 1.8906, 1.8906, 0.27094, 0.27094},
    {ACT_C1_TOGGLES, 7.26, 7.26, 0.97682, 0.97682},
    {ACT_C2_TOGGLES, 7.26, 7.26, 0.97682, 0.97682},
    {ACT_FOOTER_WAKEUPS, 4.3003, 63.542, 0.8368, 12.489},
    {ACT_WEIGHT_ROW_WRITES, 51.652, 51.652, 7.8608, 7.8608},
    {ACT_WRITE_BITS_FLIPPED, 65.175, 65.175, 12.697, 12.697},
    {ACT_READ_OPS, 626.32, 7544.2, 91.717, 1052.76},
};

Test(energy, shipped_tables_known_answers)
{
    energy_profile p65, p22;
    energy_model m65, m22;
    bnn_error err = {{0}};
    load_shipped("65nm", &p65);
    load_shipped("22nm", &p22);
    energy_geom g = energy_geom_default();
    cr_assert_eq(energy_model_derive(&p65, &g, &m65, &err), 0, "%s", err.msg);
    cr_assert_eq(energy_model_derive(&p22, &g, &m22, &err), 0, "%s", err.msg);
    char what[96];
    for (size_t i = 0; i < sizeof shipped / sizeof shipped[0]; i++) {
        const shipped_answer *a = &shipped[i];
        const char *n = act_event_name(a->e);
        snprintf(what, sizeof what, "%s 65nm hier", n);
        assert_near(m65.hier.e_event_fj[a->e], a->hier65, what);
        snprintf(what, sizeof what, "%s 65nm flat", n);
        assert_near(m65.flat.e_event_fj[a->e], a->flat65, what);
        snprintf(what, sizeof what, "%s 22nm hier", n);
        assert_near(m22.hier.e_event_fj[a->e], a->hier22, what);
        snprintf(what, sizeof what, "%s 22nm flat", n);
        assert_near(m22.flat.e_event_fj[a->e], a->flat22, what);
    }
    cr_assert_eq(m65.hier.n_la_ff, 256 + 9 + 64 + 7 + 1 + 2 * 16 + 3 * 8 * 16, "753 flops");
    cr_assert_eq(m65.flat.n_la_ff, 256 + 9 + 64 + 7, "336 flops");
    /* leakage: 16 cells x P_cell x 10 ns per line-clock; footer off x 0.779 */
    assert_near(m65.hier.leak_line_active_fj, 16 * 42.35e-6 * 10, "65nm line leak");
    assert_near(m65.hier.leak_line_off_fj, 0.779 * 16 * 42.35e-6 * 10, "65nm footer-off line leak");
    assert_near(m65.flat.leak_line_active_fj, 256 * 42.35e-6 * 10, "65nm flat line leak");
    assert_near(m22.hier.leak_line_active_fj, 16 * 11.05e-6 * 10, "22nm line leak");
    /* one clock for timing and energy: the SDC's period */
    assert_close(p65.clock_period_ns, 10, "65nm clock");
    assert_close(p22.clock_period_ns, 10, "22nm clock");
    char path[1024], text[8192];
    snprintf(path, sizeof path, "%s/constraints/cim_macro.sdc", tu_src_dir());
    FILE *f = fopen(path, "r");
    cr_assert(f, "%s", path);
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    cr_assert(strstr(text, "create_clock -name clk -period 10.0 "), "SDC period must be the profiles' 10 ns");
}

/* The retention fraction is the cell widths' (C1 stops only the read stack,
 * 1.31F of the 5.93F that leak): 4.62/5.93 = 0.779 in both profiles. */
Test(energy, shipped_retention_matches_cell_widths)
{
    const char *nodes[] = {"65nm", "22nm"};
    for (int i = 0; i < 2; i++) {
        energy_profile p;
        load_shipped(nodes[i], &p);
        double F = p.cell_height_um / 8.0;        /* 8F cell pitch along the bit line */
        double all = (2.08 + 1.23 + 1.31 + 1.31) * F, read = 1.31 * F;
        cr_assert(fabs(p.cell_leak_width_um - all) < 0.01 * all, "%s: leak width %g vs 5.93F = %g", nodes[i],
                  p.cell_leak_width_um, all);
        cr_assert(fabs(p.leak_retention_fraction - (all - read) / all) < 0.001, "%s: retention %g vs %g", nodes[i],
                  p.leak_retention_fraction, (all - read) / all);
        cr_assert_eq(p.local_eval_style, ENERGY_EVAL_SAR, "%s: the RTL's foot is the analog line", nodes[i]);
    }
}

/* ---- profile parser ---- */

Test(energy, shipped_profiles_load)
{
    energy_profile p65, p22;
    load_shipped("65nm", &p65);
    load_shipped("22nm", &p22);
    cr_assert_str_eq(p65.name, "energy-65nm");
    cr_assert_str_eq(p22.name, "energy-22nm");
    assert_close(p65.vdd_v, 1.1, "65nm vdd");
    assert_close(p22.vdd_v, 0.85, "22nm vdd");
    /* every derived energy of the smaller node is smaller */
    energy_model a, b;
    bnn_error err = {{0}};
    energy_geom g = energy_geom_default();
    cr_assert_eq(energy_model_derive(&p65, &g, &a, &err), 0, "%s", err.msg);
    cr_assert_eq(energy_model_derive(&p22, &g, &b, &err), 0, "%s", err.msg);
    for (int i = 0; i < ACT_NEVENTS; i++) {
        cr_assert_leq(b.hier.e_event_fj[i], a.hier.e_event_fj[i], "%s", act_event_name((act_event)i));
        cr_assert_leq(b.flat.e_event_fj[i], a.flat.e_event_fj[i], "%s", act_event_name((act_event)i));
    }
}

/* Replaces the line starting with `key` in the hand profile by `repl` (NULL: delete it). */
static void edited(char *out, size_t len, const char *key, const char *repl)
{
    out[0] = '\0';
    const char *s = hand_profile;
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t n = (size_t)(e - s) + 1;
        if (strncmp(s, key, strlen(key)) == 0 && s[strlen(key)] == ' ') {
            if (repl) {
                strncat(out, repl, len - strlen(out) - 1);
                strncat(out, "\n", len - strlen(out) - 1);
            }
        } else {
            strncat(out, s, n < len - strlen(out) - 1 ? n : len - strlen(out) - 1);
        }
        s += n;
    }
}

static void expect_bad(const char *text, const char *want)
{
    energy_profile p;
    bnn_error err = {{0}};
    cr_assert_eq(energy_profile_parse(text, "bad.txt", &p, &err), -1, "accepted, wanted '%s'", want);
    cr_assert(strstr(err.msg, want), "message '%s' lacks '%s'", err.msg, want);
}

Test(energy, parser_rejects_bad_profiles_with_file_and_line)
{
    char buf[4096];
    /* vdd_v is line 2 of the hand profile (line 1 is a comment) */
    edited(buf, sizeof buf, "vdd_v", "vdd_v = 1.x");
    expect_bad(buf, "bad.txt:2: bad number '1.x' for key 'vdd_v'");
    edited(buf, sizeof buf, "vdd_v", "vdd_v = nan");
    expect_bad(buf, "bad.txt:2: bad number 'nan'");
    edited(buf, sizeof buf, "vdd_v", "vdd_v = 1e999");
    expect_bad(buf, "bad.txt:2: bad number '1e999'");
    edited(buf, sizeof buf, "vdd_v", "vdd_v =   # nothing");
    expect_bad(buf, "bad.txt:2: missing value for key 'vdd_v'");
    edited(buf, sizeof buf, "vdd_v", "vdd = 1");
    expect_bad(buf, "bad.txt:2: unknown key 'vdd'");
    edited(buf, sizeof buf, "vdd_v", "vdd_v 1");
    expect_bad(buf, "bad.txt:2: expected 'key = value'");
    edited(buf, sizeof buf, "vdd_v", "vdd_v = -1");
    expect_bad(buf, "bad.txt:2: vdd_v = -1 out of range");
    edited(buf, sizeof buf, "leak_retention_fraction", "leak_retention_fraction = 1.5");
    expect_bad(buf, "bad.txt:33: leak_retention_fraction = 1.5 out of range");
    edited(buf, sizeof buf, "lbl_swing_v", "lbl_swing_v = 3");
    expect_bad(buf, "bad.txt:10: lbl_swing_v above vdd_v");
    edited(buf, sizeof buf, "sa_cap_ff", NULL);
    expect_bad(buf, "bad.txt: missing key 'sa_cap_ff'");
    edited(buf, sizeof buf, "vgnd_cell_cap_ff", NULL);
    expect_bad(buf, "bad.txt: missing key 'vgnd_cell_cap_ff'");
    snprintf(buf, sizeof buf, "%sgbl_swing_v = 1\n", hand_profile);
    expect_bad(buf, "bad.txt:34: key 'gbl_swing_v' given twice (first on line 17)");
    expect_bad("", "bad.txt: missing key 'vdd_v'");
    /* the column-foot style is a whole number, 0 or 1 */
    edited(buf, sizeof buf, "local_eval_style", "local_eval_style = 0.5");
    expect_bad(buf, "bad.txt:15: local_eval_style = 0.5 is not a whole number");
    edited(buf, sizeof buf, "local_eval_style", "local_eval_style = 2");
    expect_bad(buf, "bad.txt:15: local_eval_style = 2 out of range [0, 1]");
    edited(buf, sizeof buf, "local_eval_style", "local_eval_style = sar");
    expect_bad(buf, "bad.txt:15: bad number 'sar' for key 'local_eval_style'");
}

Test(energy, load_reports_path_and_line)
{
    char path[512], buf[4096];
    energy_profile p;
    bnn_error err = {{0}};
    tu_tmp_path(path, sizeof path, "energy");
    edited(buf, sizeof buf, "cell_width_um", "cell_width_um = wide");
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs(buf, f);
    fclose(f);
    cr_assert_eq(energy_profile_load(path, &p, &err), -1);
    char want[600];
    snprintf(want, sizeof want, "%s:6: bad number 'wide' for key 'cell_width_um'", path);
    cr_assert(strstr(err.msg, want), "%s", err.msg);
    remove(path);
    cr_assert_eq(energy_profile_load("/nonexistent/energy.txt", &p, &err), -1);
    cr_assert(strstr(err.msg, "/nonexistent/energy.txt: cannot open"), "%s", err.msg);
}

Test(energy, profile_print_shows_derivation)
{
    energy_profile p;
    bnn_error err = {{0}};
    hand_parse(&p);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert(f);
    cr_assert_eq(energy_profile_print(f, &p, &hand_geom, &err), 0, "%s", err.msg);
    fclose(f);
    cr_assert(strstr(text, "C_lbl  = seg_rows*(cell_h*wire + rbl_drain) + lbl_fixed = 4*(2*0.5 + 1) + 2 = 10 fF"),
              "%s", text);
    cr_assert(strstr(text, "C_lbl  = seg_rows*(cell_h*wire + rbl_drain) + lbl_fixed = 8*(2*0.5 + 1) + 2 = 18 fF"),
              "flat derivation: %s", text);
    cr_assert(strstr(text, "E_eval_sar = n_cmp*E_cmp                      = 3*4 = 12 fJ  (billed)"), "%s", text);
    cr_assert(strstr(text, "LSB    = lbl_swing/seg_rows                   = 1/8 = 125 mV"), "flat LSB: %s", text);
    cr_assert(strstr(text, "k_lsb  = (sa_lsb_ref/LSB)^alpha               = (250/125)^1 = 2"), "%s", text);
    cr_assert(strstr(text, "E_cmp  = sa_cap*V^2*k_lsb                     = 1*2^2*2 = 8 fJ per comparison"), "%s",
              text);
    cr_assert(strstr(text, "E_eval_sar = n_cmp*E_cmp                      = 4*8 = 32 fJ  (billed)"), "flat: %s", text);
    cr_assert(strstr(text, "sa_lsb_exponent            = 1 "), "%s", text);
    cr_assert(strstr(text, "C_vgnd = seg_rows*(vgnd_cell + cell_h*wire) + footer_drain = 4*(0.5 + 2*0.5) + 1 = 7 fF"),
              "%s", text);
    cr_assert(strstr(text, "local_evals"), "%s", text);
    cr_assert(strstr(text, "local_eval_style           = 0 "), "%s", text);
    free(text);
}

/* ---- the printed derivation is the billed one (drift check) ----
 * For random profiles and geometries, every line `LABEL = FORMULA = NUMBERS
 * = RESULT UNIT` that energy_profile_print writes is read back: NUMBERS,
 * evaluated here, give RESULT (within the printed digits; units: V -> mV,
 * pW x ns -> fJ), RESULT is the derived table's value of LABEL, every row
 * of the derivation is printed once per section, and the per-event table
 * at the end holds the derived energies. */

static double pv_sum(const char **s);

static double pv_atom(const char **s)
{
    while (**s == ' ')
        ++*s;
    if (**s == '(') {
        ++*s;
        double v = pv_sum(s);
        while (**s == ' ')
            ++*s;
        cr_assert_eq(**s, ')', "unbalanced: %s", *s);
        ++*s;
        return v;
    }
    char *end;
    double v = strtod(*s, &end);
    cr_assert(end != *s, "a number expected at '%s'", *s);
    *s = end;
    if (!strncmp(*s, " pW", 3) || !strncmp(*s, " ns", 3))
        *s += 3;
    return v;
}

static double pv_power(const char **s)
{
    double v = pv_atom(s);
    if (**s != '^')
        return v;
    ++*s;
    return pow(v, pv_atom(s));
}

static double pv_product(const char **s)
{
    double v = pv_power(s);
    while (**s == '*' || **s == '/') {
        char op = *(*s)++;
        double r = pv_power(s);
        v = op == '*' ? v * r : v / r;
    }
    return v;
}

static double pv_sum(const char **s)
{
    double v = pv_product(s);
    for (;;) {
        while (**s == ' ')
            ++*s;
        if (**s != '+' && **s != '-')
            return v;
        char op = *(*s)++;
        double r = pv_product(s);
        v = op == '+' ? v + r : v - r;
    }
}

/* What each printed row is in the table: a double field, an int field or an
 * event's energy; conv: RESULT / NUMBERS (units); line: printed in the flat
 * section too. */
typedef struct printed_row {
    const char *label;
    size_t off;
    int is_int, event;
    double conv;
    int line;
} printed_row;

#define PD(label, field, line) {label, offsetof(energy_table, field), 0, -1, 1.0, line}
#define PI(label, field, line) {label, offsetof(energy_table, field), 1, -1, 1.0, line}
#define PE(label, e, line) {label, 0, 0, e, 1.0, line}
static const printed_row printed_rows[] = {
    PD("C_rwl", c_rwl_ff, 0), PE("E_wordline_pulse", ACT_WORDLINE_PULSES, 0), PD("C_pch", c_pch_ff, 0),
    PE("E_precharge", ACT_PRECHARGES, 0), PD("E_ge", e_ge_fj, 0), PE("E_acc_update", ACT_ACC_UPDATES, 0),
    PD("E_popcount", e_popcount_fj, 0), PD("C_lbl", c_lbl_ff, 1), PD("dV_step", dv_step_v, 1),
    PE("E_recharge_step", ACT_RECHARGE_STEPS, 1), PI("n_cmp", n_cmp, 1),
    {"LSB", offsetof(energy_table, lsb_mv), 0, -1, 1000.0, 1}, PD("k_lsb", sa_lsb_scale, 1),
    PD("E_cmp", e_cmp_fj, 1), PD("E_eval_sar", e_eval_sar_fj, 1), PD("E_eval_digital", e_eval_digital_fj, 1),
    PD("C_gbl_seg", c_gbl_seg_ff, 1), PE("E_transfer", ACT_TRANSFERS, 1), PI("n_la", n_la_ff, 1),
    PD("E_lookahead", e_lookahead_fj, 1), PE("E_compute_op", ACT_COMPUTE_OPS, 1),
    {"E_line_leak", offsetof(energy_table, leak_line_active_fj), 0, -1, 1e-6, 1},
    PD("E_line_leak_off", leak_line_off_fj, 1), PE("E_check", ACT_CHECKS, 0), PE("E_plane_skipped", ACT_PLANES_SKIPPED, 0),
    PE("E_index_bit", ACT_INDEX_BITS, 0), PE("E_zero_flag_write", ACT_ZERO_FLAG_WRITES, 0), PD("C_C1", c_c1_ff, 0),
    PE("E_c1_toggle", ACT_C1_TOGGLES, 0), PD("C_C2", c_c2_ff, 0), PE("E_c2_toggle", ACT_C2_TOGGLES, 0),
    PD("C_vgnd", c_vgnd_ff, 0), PE("E_footer_wakeup", ACT_FOOTER_WAKEUPS, 0), PD("C_wwl", c_wwl_ff, 0),
    PE("E_row_write", ACT_WEIGHT_ROW_WRITES, 0), PD("C_wbl", c_wbl_ff, 0),
    PE("E_bit_flip", ACT_WRITE_BITS_FLIPPED, 0), PE("E_read", ACT_READ_OPS, 1), PD("P_leak_cell", p_leak_cell_pw, 0),
};
#undef PD
#undef PI
#undef PE
enum { N_PRINTED = (int)(sizeof printed_rows / sizeof printed_rows[0]) };

static double table_value(const energy_table *t, const printed_row *r)
{
    if (r->event >= 0)
        return t->e_event_fj[r->event];
    const char *b = (const char *)t + r->off;
    return r->is_int ? (double)*(const int *)(const void *)b : *(const double *)(const void *)b;
}

static void assert_rel(double got, double want, double rel, const char *what, const char *line)
{
    cr_assert(fabs(got - want) <= rel * fabs(want) + 1e-12, "%s: %.6g, want %.6g: '%s'", what, got, want, line);
}

/* One derived line of a section against table t; seen[] counts the rows. */
static void check_printed_line(char *line, const energy_table *t, int *seen)
{
    char *part[5];
    int n = 0;
    for (char *p = line; n < 5 && p; n++) {
        part[n] = p;
        p = strstr(p, " = ");
        if (p)
            *p = '\0', p += 3;
    }
    cr_assert(n == 3 || n == 4, "not 'LABEL = FORMULA [= NUMBERS] = RESULT': '%s'", line);
    char label[64];
    cr_assert_eq(sscanf(part[0], " %63s", label), 1);
    int r = 0;
    while (r < N_PRINTED && strcmp(printed_rows[r].label, label))
        r++;
    cr_assert(r < N_PRINTED, "a printed row the test does not know: %s", label);
    seen[r]++;
    double result = strtod(part[n - 1], NULL), want = table_value(t, &printed_rows[r]);
    assert_rel(result, want, 5e-4, label, part[n - 1]);
    if (n == 4) {
        const char *s = part[2];
        double v = pv_sum(&s) * printed_rows[r].conv;
        cr_assert_eq(*s, '\0', "%s: numbers not read to the end: '%s'", label, s);
        assert_rel(v, result, 3e-3, label, part[2]);
    }
}

/* Reads energy_profile_print's text back against m. */
static void check_printed(char *text, const energy_model *m)
{
    int seen[2][N_PRINTED] = {{0}};
    int sec = -1, events = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "derived, hierarchical", 21) || !strncmp(line, "derived, flat", 13)) {
            sec = line[9] == 'f';
            continue;
        }
        if (!strncmp(line, "per-event energy", 16) || !strncmp(line, "primitives", 10)) {
            sec = line[0] == 'p' && line[1] == 'e' ? 2 : -1;
            continue;
        }
        if (sec == 0 || sec == 1) {
            check_printed_line(line, sec ? &m->flat : &m->hier, seen[sec]);
        } else if (sec == 2) {
            char name[64];
            double h, f;
            if (sscanf(line, " %63s %lf %lf", name, &h, &f) != 3)
                continue;
            for (int e = 0; e < ACT_NEVENTS; e++)
                if (!strcmp(name, act_event_name((act_event)e))) {
                    assert_rel(h, m->hier.e_event_fj[e], 1e-4, name, line);
                    assert_rel(f, m->flat.e_event_fj[e], 1e-4, name, line);
                    events++;
                }
        }
    }
    cr_assert_eq(events, ACT_NEVENTS, "the per-event table lists every event");
    for (int r = 0; r < N_PRINTED; r++) {
        cr_assert_eq(seen[0][r], 1, "%s printed %d times in the hierarchical section", printed_rows[r].label, seen[0][r]);
        cr_assert_eq(seen[1][r], printed_rows[r].line, "%s printed %d times in the flat section", printed_rows[r].label,
                     seen[1][r]);
    }
}

static double unit_rand(uint64_t *s)
{
    *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
    return (double)(*s >> 11) / 9007199254740992.0;
}

Test(energy, printed_derivation_is_the_derived_table)
{
    tu_seed sd = tu_seed_of("energy/printed_derivation", 1616);
    uint64_t s = sd.seed | 1;
    energy_profile p0;
    load_shipped("65nm", &p0);
    for (int it = 0; it < 200; it++) {
        energy_profile p = p0;
        double *d[] = {&p.vdd_v, &p.clock_period_ns, &p.wire_cap_ff_per_um, &p.cell_height_um, &p.cell_width_um,
                       &p.rwl_gate_cap_ff, &p.rbl_drain_cap_ff, &p.lbl_fixed_cap_ff, &p.pch_gate_cap_ff, &p.sa_cap_ff,
                       &p.sa_lsb_ref_mv, &p.gbl_tap_cap_ff, &p.gbl_swing_v, &p.logic_cap_ff_per_ge, &p.logic_activity,
                       &p.acc_ge_per_bit, &p.popcount_ge_per_row, &p.check_ge_per_row, &p.flop_ge,
                       &p.footer_gate_cap_ff, &p.header_gate_cap_ff, &p.vgnd_cell_cap_ff, &p.footer_drain_cap_ff,
                       &p.wwl_gate_cap_ff, &p.wbl_drain_cap_ff, &p.cell_node_cap_ff, &p.ioff_pa_per_um,
                       &p.cell_leak_width_um, &p.leak_retention_fraction};
        for (size_t k = 0; k < sizeof d / sizeof d[0]; k++)
            *d[k] *= 0.25 + 1.5 * unit_rand(&s);
        p.lbl_swing_v = p.vdd_v * (0.1 + 0.9 * unit_rand(&s));
        p.sa_lsb_exponent = 2.0 * unit_rand(&s);
        p.local_eval_style = unit_rand(&s) < 0.5;
        int seg = 1 << (int)(unit_rand(&s) * 6), grp = 1 << (int)(unit_rand(&s) * 4);
        energy_geom g = {seg * (1 + (int)(unit_rand(&s) * 32)), grp * (1 + (int)(unit_rand(&s) * 16)), seg, grp,
                         1 + (int)(unit_rand(&s) * 40)};
        energy_model m;
        bnn_error err = {{0}};
        cr_assert_eq(energy_model_derive(&p, &g, &m, &err), 0, "%s (%s)", err.msg, sd.note);
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        cr_assert(f);
        cr_assert_eq(energy_profile_print(f, &p, &g, &err), 0, "%s", err.msg);
        fclose(f);
        check_printed(text, &m);
        free(text);
    }
}

/* The comparator's LSB scaling (docs/ENERGY.md, "Flat vs hierarchical"): one
 * comparison costs sa_cap*V^2*(sa_lsb_ref/LSB)^alpha, LSB = lbl_swing/seg_rows.
 * Known answers for the shipped profiles (alpha 1) at SEG_ROWS 8, 16, 32 and
 * the flat table (one line of 256 rows). */
typedef struct lsb_answer {
    int seg_rows;           /* 0: the flat table */
    double lsb_mv, scale, e_cmp, e_eval;
    int n_cmp;
} lsb_answer;

static void check_lsb_answers(const energy_profile *p, const lsb_answer *a, int n, const char *node)
{
    bnn_error err = {{0}};
    char what[96];
    for (int i = 0; i < n; i++) {
        energy_geom g = energy_geom_default();
        energy_table t;
        if (a[i].seg_rows) {
            g.seg_rows = a[i].seg_rows;
            cr_assert_eq(energy_table_derive(p, &g, &t, &err), 0, "%s", err.msg);
        } else {
            cr_assert_eq(energy_table_derive_flat(p, &g, &t, &err), 0, "%s", err.msg);
        }
        int sr = a[i].seg_rows ? a[i].seg_rows : g.rows;
        snprintf(what, sizeof what, "%s alpha %g seg_rows %d", node, p->sa_lsb_exponent, sr);
        cr_assert_eq(t.n_cmp, a[i].n_cmp, "%s: n_cmp", what);
        assert_close(t.lsb_mv, a[i].lsb_mv, what);
        assert_close(t.sa_lsb_scale, a[i].scale, what);
        assert_close(t.e_cmp_fj, a[i].e_cmp, what);
        assert_close(t.e_eval_sar_fj, a[i].e_eval, what);
        assert_close(t.e_event_fj[ACT_LOCAL_EVALS], a[i].e_eval, what);
        /* a plain read makes one comparison of the same sense amplifier */
        double rd = t.e_event_fj[ACT_WORDLINE_PULSES] +
                    g.cols * (t.e_event_fj[ACT_PRECHARGES] + a[i].e_cmp +
                              0.5 * (t.e_event_fj[ACT_RECHARGE_STEPS] + (t.flat ? 0.0 : t.e_event_fj[ACT_TRANSFERS])));
        assert_close(t.e_event_fj[ACT_READ_OPS], rd, what);
    }
}

Test(energy, comparator_lsb_scaling_known_answers)
{
    energy_profile p65, p22;
    load_shipped("65nm", &p65);
    load_shipped("22nm", &p22);
    /* the reference LSB is the 16-row local line's: lbl_swing/16 */
    assert_close(p65.sa_lsb_ref_mv, 1000.0 * p65.lbl_swing_v / 16, "65nm: 0.8 V/16 = 50 mV");
    assert_close(p22.sa_lsb_ref_mv, 1000.0 * p22.lbl_swing_v / 16, "22nm: 0.6 V/16 = 37.5 mV");
    assert_close(p65.sa_lsb_exponent, 1, "65nm default alpha (Walden)");
    assert_close(p22.sa_lsb_exponent, 1, "22nm default alpha (Walden)");
    /* 65 nm: sa_cap*V^2 = 6*1.21 = 7.26 fJ at the 50 mV reference */
    const lsb_answer a65[] = {
        {8, 100, 0.5, 3.63, 14.52, 4},          /* 4*7.26*50/100 */
        {16, 50, 1, 7.26, 36.3, 5},             /* 5*7.26 */
        {32, 25, 2, 14.52, 87.12, 6},           /* 6*7.26*50/25 */
        {0, 3.125, 16, 116.16, 1045.44, 9},     /* flat: 9*7.26*50/3.125 */
    };
    /* 22 nm: 1.4*0.85^2 = 1.0115 fJ at the 37.5 mV reference */
    const lsb_answer a22[] = {
        {8, 75, 0.5, 0.50575, 2.023, 4},
        {16, 37.5, 1, 1.0115, 5.0575, 5},
        {32, 18.75, 2, 2.023, 12.138, 6},
        {0, 2.34375, 16, 16.184, 145.656, 9},
    };
    check_lsb_answers(&p65, a65, 4, "65nm");
    check_lsb_answers(&p22, a22, 4, "22nm");
    /* the sensitivities: alpha 0 (unscaled, the old model) and 2 (noise-limited) */
    energy_profile alt = p65;
    alt.sa_lsb_exponent = 0;
    const lsb_answer a0[] = {
        {8, 100, 1, 7.26, 29.04, 4},
        {16, 50, 1, 7.26, 36.3, 5},
        {32, 25, 1, 7.26, 43.56, 6},
        {0, 3.125, 1, 7.26, 65.34, 9},
    };
    check_lsb_answers(&alt, a0, 4, "65nm");
    alt.sa_lsb_exponent = 2;
    const lsb_answer a2[] = {
        {8, 100, 0.25, 1.815, 7.26, 4},
        {16, 50, 1, 7.26, 36.3, 5},
        {32, 25, 4, 29.04, 174.24, 6},
        {0, 3.125, 256, 1858.56, 16727.04, 9},
    };
    check_lsb_answers(&alt, a2, 4, "65nm");
    alt = p22;
    alt.sa_lsb_exponent = 0;
    const lsb_answer b0[] = {
        {8, 75, 1, 1.0115, 4.046, 4},
        {16, 37.5, 1, 1.0115, 5.0575, 5},
        {32, 18.75, 1, 1.0115, 6.069, 6},
        {0, 2.34375, 1, 1.0115, 9.1035, 9},
    };
    check_lsb_answers(&alt, b0, 4, "22nm");
    alt.sa_lsb_exponent = 2;
    const lsb_answer b2[] = {
        {8, 75, 0.25, 0.252875, 1.0115, 4},
        {16, 37.5, 1, 1.0115, 5.0575, 5},
        {32, 18.75, 4, 4.046, 24.276, 6},
        {0, 2.34375, 256, 258.944, 2330.496, 9},
    };
    check_lsb_answers(&alt, b2, 4, "22nm");
    /* the digital foot has no LSB: its adder tree is not scaled (the read's
     * comparison still is) */
    energy_geom g = energy_geom_default();
    energy_table f0, f2;
    bnn_error err = {{0}};
    alt = p65;
    alt.local_eval_style = ENERGY_EVAL_DIGITAL;
    alt.sa_lsb_exponent = 0;
    cr_assert_eq(energy_table_derive_flat(&alt, &g, &f0, &err), 0, "%s", err.msg);
    alt.sa_lsb_exponent = 2;
    cr_assert_eq(energy_table_derive_flat(&alt, &g, &f2, &err), 0, "%s", err.msg);
    assert_near(f0.e_event_fj[ACT_LOCAL_EVALS], 675.0, "digital flat: 255*7*0.25*1.5125");
    assert_close(f2.e_event_fj[ACT_LOCAL_EVALS], f0.e_event_fj[ACT_LOCAL_EVALS], "digital foot: alpha-free");
    assert_close(f2.e_event_fj[ACT_READ_OPS] - f0.e_event_fj[ACT_READ_OPS], 64 * 7.26 * 255, "read: scaled");
}

Test(energy, parser_rejects_bad_lsb_keys)
{
    char buf[4096];
    /* sa_lsb_ref_mv is line 13, sa_lsb_exponent 14 of the hand profile */
    edited(buf, sizeof buf, "sa_lsb_ref_mv", "sa_lsb_ref_mv = 0");
    expect_bad(buf, "bad.txt:13: sa_lsb_ref_mv = 0 out of range (0, 5000] mV");
    edited(buf, sizeof buf, "sa_lsb_ref_mv", "sa_lsb_ref_mv = fifty");
    expect_bad(buf, "bad.txt:13: bad number 'fifty' for key 'sa_lsb_ref_mv' (mV)");
    edited(buf, sizeof buf, "sa_lsb_ref_mv", "sa_lsb_ref_mv = 1500");
    expect_bad(buf, "bad.txt:13: sa_lsb_ref_mv = 1500 mV above lbl_swing_v = 1 V");
    edited(buf, sizeof buf, "sa_lsb_exponent", "sa_lsb_exponent = 2.5");
    expect_bad(buf, "bad.txt:14: sa_lsb_exponent = 2.5 out of range [0, 2]");
    edited(buf, sizeof buf, "sa_lsb_exponent", "sa_lsb_exponent = -1");
    expect_bad(buf, "bad.txt:14: sa_lsb_exponent = -1 out of range [0, 2]");
    edited(buf, sizeof buf, "sa_lsb_exponent", NULL);
    expect_bad(buf, "bad.txt: missing key 'sa_lsb_exponent'");
    edited(buf, sizeof buf, "sa_lsb_ref_mv", NULL);
    expect_bad(buf, "bad.txt: missing key 'sa_lsb_ref_mv' (mV)");
    /* the edges are accepted: alpha 0 and 2, a reference LSB of the full swing */
    const char *ok[][2] = {{"sa_lsb_exponent", "sa_lsb_exponent = 0"},
                           {"sa_lsb_exponent", "sa_lsb_exponent = 2"},
                           {"sa_lsb_exponent", "sa_lsb_exponent = 0.5"},
                           {"sa_lsb_ref_mv", "sa_lsb_ref_mv = 1000"}};
    for (int i = 0; i < 4; i++) {
        energy_profile p;
        bnn_error err = {{0}};
        edited(buf, sizeof buf, ok[i][0], ok[i][1]);
        cr_assert_eq(energy_profile_parse(buf, "ok.txt", &p, &err), 0, "%s: %s", ok[i][1], err.msg);
    }
}

/* ---- activity records ---- */

Test(act, names_round_trip_and_arithmetic)
{
    for (int i = 0; i < ACT_NEVENTS; i++) {
        const char *n = act_event_name((act_event)i);
        cr_assert(n && act_event_desc((act_event)i));
        cr_assert_eq(act_event_by_name(n), i, "%s", n);
    }
    cr_assert_eq(act_event_by_name("no_such_event"), -1);
    cr_assert_null(act_event_name(ACT_NEVENTS));
    cr_assert_str_eq(act_ref_name(ACT_REF_GATED), "gated");
    cr_assert_str_eq(act_ref_name(ACT_REF_STATIC), "static");
    cr_assert_str_eq(act_ref_name(ACT_REF_FLAT), "flat");
    cr_assert_null(act_ref_name(ACT_NREF));

    bnn_error err = {{0}};
    act_counts a = hand_counts(), b = hand_counts(), d;
    act_add(&a, &b);
    cr_assert_eq(a.n[ACT_CYCLES], 20);
    cr_assert_eq(a.ops, 192);
    cr_assert_eq(act_sub(&d, &a, &b, &err), 0);
    cr_assert_eq(memcmp(&d, &b, sizeof d), 0);
    cr_assert_eq(act_sub(&d, &b, &a, &err), -1);
    cr_assert(strstr(err.msg, "would go negative"), "%s", err.msg);
    cr_assert_eq(act_set_by_name(&d, "read_ops", 77, &err), 0);
    cr_assert_eq(d.n[ACT_READ_OPS], 77);
    cr_assert_eq(act_set_by_name(&d, "reads", 1, &err), -1);
    cr_assert(strstr(err.msg, "unknown event 'reads'"), "%s", err.msg);
    assert_close(act_gated_fraction_data(&b), 3.0 / 9.0, "data-gated fraction: of mapped segment-cycles");
    assert_close(act_unmapped_fraction(&b), 3.0 / 12.0, "unmapped fraction: of all segment-cycles");
    memset(&d, 0, sizeof d);
    cr_assert_eq(act_gated_fraction_data(&d), 0.0);
    cr_assert_eq(act_unmapped_fraction(&d), 0.0);
}

Test(act, layers_accumulate_three_references)
{
    bnn_error err = {{0}};
    act_report r;
    act_report_init(&r);
    act_counts c[ACT_NREF];
    hand_refs(c);
    act_layer *l = act_report_layer(&r, "conv1", &err);
    cr_assert(l);
    cr_assert_eq(l->have_ref, 0, "a fresh layer has no references yet");
    act_layer_add(l, c, 1);
    cr_assert_eq(l->have_ref, 1);
    act_layer_add(act_report_layer(&r, "s0b0a", &err), c, 1);
    act_layer_add(act_report_layer(&r, "conv1", &err), c, 1);
    cr_assert_eq(r.n_layers, 2);
    l = &r.layers[0];
    cr_assert_eq(l->c[ACT_REF_GATED].n[ACT_CYCLES], 20);
    cr_assert_eq(l->c[ACT_REF_STATIC].n[ACT_CYCLES], 24);
    cr_assert_eq(l->c[ACT_REF_FLAT].n[ACT_PRECHARGES], 56);
    cr_assert_eq(l->have_ref, 1);
    act_layer tot;
    act_report_total(&r, &tot);
    cr_assert_str_eq(tot.name, "total");
    cr_assert_eq(tot.c[ACT_REF_GATED].n[ACT_CYCLES], 30);
    cr_assert_eq(tot.c[ACT_REF_STATIC].n[ACT_CYCLES], 36);
    cr_assert_eq(tot.c[ACT_REF_FLAT].ops, 3 * 96);
    cr_assert_eq(tot.have_ref, 1);
    /* one part without references: the layer and the total have none */
    act_layer_add(act_report_layer(&r, "s0b0a", &err), c, 0);
    cr_assert_eq(r.layers[1].have_ref, 0);
    cr_assert_eq(r.layers[1].c[ACT_REF_STATIC].n[ACT_CYCLES], 12, "a part without references adds none");
    cr_assert_eq(r.layers[1].c[ACT_REF_GATED].n[ACT_CYCLES], 20);
    act_report_total(&r, &tot);
    cr_assert_eq(tot.have_ref, 0);
    /* either order: a part without references, then one with them */
    act_layer_add(act_report_layer(&r, "fc", &err), c, 0);
    act_layer_add(act_report_layer(&r, "fc", &err), c, 1);
    cr_assert_eq(r.layers[2].have_ref, 0, "references missing for one part of the layer");
    act_report_free(&r);
    act_report_total(&r, &tot);
    cr_assert_eq(tot.have_ref, 0, "no layers: no references");
    char longname[80];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    cr_assert_null(act_report_layer(&r, longname, &err));
    cr_assert(strstr(err.msg, "longer than"), "%s", err.msg);
}

/* The number after "key": in text (after from); for an object, its "total". */
static double json_num_after(const char *text, const char *key, int *is_null)
{
    char pat[96];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *s = strstr(text, pat);
    cr_assert(s, "no %s in %s", pat, text);
    s += strlen(pat);
    if (*s == '{') {
        s = strstr(s, "\"total\": ");
        cr_assert(s);
        s += strlen("\"total\": ");
    }
    *is_null = strncmp(s, "null", 4) == 0;
    return *is_null ? 0.0 : strtod(s, NULL);
}

static double json_get(const char *text, const char *key)
{
    int null;
    double v = json_num_after(text, key, &null);
    cr_assert(!null, "%s is null", key);
    return v;
}

static void assert_balanced(const char *text)
{
    int depth = 0;
    for (const char *s = text; *s; s++) {
        depth += (*s == '{' || *s == '[') - (*s == '}' || *s == ']');
        cr_assert_geq(depth, 0);
    }
    cr_assert_eq(depth, 0);
}

/* One layer's entry (act_json_entry) as the report dumps it, malloc'd. */
static char *entry_text(const act_layer *l, const energy_model *m)
{
    bnn_error err = {{0}};
    json_t *e = act_json_entry(l, m, &err);
    cr_assert_not_null(e, "%s", err.msg);
    char *text = jd_text(e);
    json_decref(e);
    cr_assert_not_null(text);
    return text;
}

static const char *const report_fields[] = {
    "energy_fj", "energy_fj_ungated", "energy_fj_flat", "fj_per_op", "fj_per_op_ungated", "fj_per_op_flat",
    "saving_fraction", "hierarchy_saving_fraction", "gated_fraction_data", "unmapped_fraction", "cycles_skipped",
    "cycles", "cycles_static",
};
enum { N_REPORT_FIELDS = (int)(sizeof report_fields / sizeof report_fields[0]) };

Test(act, json_entry_fields_consistent)
{
    energy_profile p;
    hand_parse(&p);
    act_layer l;
    memset(&l, 0, sizeof l);
    snprintf(l.name, sizeof l.name, "conv1");
    act_counts c[ACT_NREF];
    hand_refs(c);
    act_layer_add(&l, c, 1);
    char *text = entry_text(&l, hand_model(&p));
    assert_balanced(text);
    for (int i = 0; i < N_REPORT_FIELDS; i++) {
        char pat[64];
        snprintf(pat, sizeof pat, "\"%s\": ", report_fields[i]);
        cr_assert(strstr(text, pat), "%s missing: %s", report_fields[i], text);
    }
    cr_assert(strstr(text, "\"counts_static\": {"), "%s", text);
    cr_assert(strstr(text, "\"counts_flat\": {"), "%s", text);
    double eg = json_get(text, "energy_fj"), es = json_get(text, "energy_fj_ungated"),
           ef = json_get(text, "energy_fj_flat");
    assert_close(eg, 2329, "gated total");
    assert_close(es, 2445, "static total");
    assert_close(ef, 3075.5, "flat total");
    assert_close(json_get(text, "saving_fraction"), 1.0 - eg / es, "saving = 1 - gated/static, same counts");
    assert_close(json_get(text, "hierarchy_saving_fraction"), 1.0 - es / ef, "hierarchy = 1 - static/flat");
    assert_close(json_get(text, "fj_per_op"), eg / 96, "fJ/op");
    assert_close(json_get(text, "fj_per_op_ungated"), es / 96, "fJ/op static");
    assert_close(json_get(text, "fj_per_op_flat"), ef / 96, "fJ/op flat");
    assert_close(json_get(text, "gated_fraction_data"), 3.0 / 9.0, "data-gated");
    assert_close(json_get(text, "unmapped_fraction"), 0.25, "unmapped");
    assert_close(json_get(text, "cycles_skipped"), 1, "planes skipped");
    assert_close(json_get(text, "cycles_static"), 12, "static cycles");
    /* "cycles" first appears inside "counts": both are the gated run's 10 */
    assert_close(json_get(strstr(text, "\"cycles_skipped\""), "cycles"), 10, "cycles");
    cr_assert(strstr(text, "\"have_ref\": true"), "%s", text);
    free(text);

    /* without references: nulls, the gated figures unchanged */
    memset(&l, 0, sizeof l);
    snprintf(l.name, sizeof l.name, "conv1");
    act_layer_add(&l, c, 0);
    text = entry_text(&l, hand_model(&p));
    assert_balanced(text);
    const char *nulls[] = {"energy_fj_ungated", "energy_fj_flat", "fj_per_op_ungated", "fj_per_op_flat",
                           "saving_fraction", "hierarchy_saving_fraction", "cycles_static", "counts_static"};
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++) {
        char pat[64];
        snprintf(pat, sizeof pat, "\"%s\": null", nulls[i]);
        cr_assert(strstr(text, pat), "%s not null: %s", nulls[i], text);
    }
    assert_close(json_get(text, "energy_fj"), 2329, "gated total without references");
    free(text);
}

Test(act, reports_json_and_csv)
{
    energy_profile p;
    bnn_error err = {{0}};
    hand_parse(&p);
    act_report r;
    act_report_init(&r);
    act_counts c[ACT_NREF];
    hand_refs(c);
    act_layer_add(act_report_layer(&r, "conv1", &err), c, 1);
    act_layer_add(act_report_layer(&r, "s0b0a", &err), c, 1);
    act_layer_add(act_report_layer(&r, "conv1", &err), c, 1);

    json_t *doc = act_json(&r, &p, hand_model(&p), &err);
    cr_assert_not_null(doc, "%s", err.msg);
    char *text = jd_text(doc);   /* as the report dumps it */
    json_decref(doc);
    size_t len = 0;
    FILE *f;
    assert_balanced(text);
    cr_assert(strstr(text, "\"profile\": \"hand\""), "%s", text);
    cr_assert(strstr(text, "\"name\": \"conv1\""), "%s", text);
    cr_assert(strstr(text, "\"local_eval_style\": \"sar\""), "%s", text);
    cr_assert(strstr(text, "\"local_evals\": 12,"), "%s", text);        /* per_event_fj */
    cr_assert(strstr(text, "\"local_evals\": 32,"), "%s", text);        /* per_event_fj_flat */
    cr_assert(strstr(text, "\"sa_lsb_ref_mv\": 250,"), "%s", text);
    cr_assert(strstr(text, "\"sa_lsb_exponent\": 1,"), "%s", text);
    const char *tot = strstr(text, "\"name\": \"total\"");
    cr_assert(tot, "%s", text);
    cr_assert(strstr(tot, "\"recharge_steps\": 27"), "%s", tot);        /* total: 3 x 9 */
    assert_close(json_get(tot, "energy_fj"), 3 * 2329, "total gated");
    assert_close(json_get(tot, "energy_fj_ungated"), 3 * 2445, "total static");
    assert_close(json_get(tot, "energy_fj_flat"), 3 * 3075.5, "total flat");
    assert_close(json_get(tot, "saving_fraction"), 1.0 - 2329.0 / 2445.0, "total saving");
    free(text);

    text = NULL;
    f = open_memstream(&text, &len);
    cr_assert_eq(act_write_csv(f, &r, hand_model(&p), &err), 0, "%s", err.msg);
    fclose(f);
    /* every line has the header's number of fields */
    int lines = 0, commas_first = -1, commas = 0;
    for (const char *s = text; *s; s++) {
        if (*s == ',')
            commas++;
        if (*s == '\n') {
            if (commas_first < 0)
                commas_first = commas;
            cr_assert_eq(commas, commas_first, "line %d has %d fields, header %d", lines + 1, commas, commas_first);
            commas = 0;
            lines++;
        }
    }
    cr_assert_eq(lines, 4, "header + 2 layers + total");
    cr_assert_eq(commas_first, 1 + ACT_NEVENTS + ENERGY_NCOMP + 12);
    /* split the header and the total row into fields */
    char *hdr = strdup(text), *row = strdup(strstr(text, "\ntotal,") + 1);
    cr_assert(hdr && row);
    *strchr(hdr, '\n') = '\0';
    *strchr(row, '\n') = '\0';
    char *hf[128], *rf[128];
    int nh = 0, nr = 0;
    for (char *t = strtok(hdr, ","); t && nh < 128; t = strtok(NULL, ","))
        hf[nh++] = t;
    for (char *s = row;; ) {
        rf[nr++] = s;
        char *q = strchr(s, ',');
        if (!q || nr == 128)
            break;
        *q = '\0';
        s = q + 1;
    }
    cr_assert_eq(nh, nr);
    double v[N_REPORT_FIELDS];
    for (int i = 0; i < N_REPORT_FIELDS; i++) {
        int k = 0;
        while (k < nh && strcmp(hf[k], report_fields[i]))
            k++;
        cr_assert_lt(k, nh, "CSV lacks column %s", report_fields[i]);
        for (int j = k + 1; j < nh; j++)
            cr_assert_str_neq(hf[j], hf[k], "column %s twice", hf[k]);
        cr_assert(*rf[k], "total: %s empty", report_fields[i]);
        v[i] = strtod(rf[k], NULL);
    }
    assert_close(v[0], 3 * 2329, "csv energy_fj");
    assert_close(v[1], 3 * 2445, "csv energy_fj_ungated");
    assert_close(v[2], 3 * 3075.5, "csv energy_fj_flat");
    assert_close(v[3], 2329.0 / 96, "csv fj_per_op");
    cr_assert(fabs(v[6] - (1.0 - v[0] / v[1])) < 1e-9, "csv saving_fraction %g vs 1 - %g/%g", v[6], v[0], v[1]);
    cr_assert(fabs(v[7] - (1.0 - v[1] / v[2])) < 1e-9, "csv hierarchy_saving_fraction");
    assert_close(v[8], 3.0 / 9.0, "csv gated_fraction_data");
    assert_close(v[9], 0.25, "csv unmapped_fraction");
    assert_close(v[10], 3, "csv cycles_skipped");
    assert_close(v[11], 30, "csv cycles");
    assert_close(v[12], 36, "csv cycles_static");
    free(hdr);
    free(row);
    free(text);

    /* a layer without references: its row and the total leave the reference fields empty */
    act_layer_add(act_report_layer(&r, "fc", &err), c, 0);
    text = NULL;
    f = open_memstream(&text, &len);
    cr_assert_eq(act_write_csv(f, &r, hand_model(&p), &err), 0, "%s", err.msg);
    fclose(f);
    const char *fc = strstr(text, "\nfc,");
    cr_assert(fc, "%s", text);
    cr_assert(strstr(fc, ",2329,,,24.26041667,,,,,"), "%s", fc);
    free(text);
    act_report_free(&r);
}

/* ---- emulation of the RTL counter rules ----
 * rtl/cim_activity.v, cim_local_bl.v, cim_sparse_ctrl.v: one edge counts the
 * array cycle (stage A) of the COMPUTE sampled at the previous edge, the
 * footers' state of this clock, then the operation at this edge (a COMPUTE
 * sets the next C1/C2/SE: the lookahead). The driver skips an all-zero plane
 * when gating is on (planes_skipped, no cycle). Configured flat (seg_rows =
 * rows, no transfers) it is the conventional macro. */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

static int rng_bit(rng *r, double p)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0) < p;
}

typedef struct macro_emu {
    energy_geom g;              /* seg_rows = rows when flat */
    int flat, gate, unit_log2, skip;
    int nseg, ngrp, nrows, ncols;
    uint8_t *w;                 /* rows x cols cells */
    int *lvl;                   /* nseg x cols line levels */
    uint8_t *vgnd;              /* nseg x cols: footer on last clock */
    uint8_t *c1, *c2, *se;      /* ngrp x nseg registers */
    uint8_t *la_rwl;            /* rows: word-line drivers' input latch */
    uint8_t la_gated[64], la_mapped[64];
    int la_valid, la_gate;
    act_counts c;
} macro_emu;

enum { GATE_NONE = 0, GATE_C1 = 1, GATE_C2 = 2, GATE_BOTH = 3 };

static void emu_init(macro_emu *m, const energy_geom *g, int flat, int gate, int unit_log2, int nrows)
{
    memset(m, 0, sizeof *m);
    m->g = *g;
    m->flat = flat;
    if (flat)
        m->g.seg_rows = g->rows;
    m->gate = gate;
    m->unit_log2 = unit_log2;
    m->skip = gate != GATE_NONE;
    m->nseg = m->g.rows / m->g.seg_rows;
    m->ngrp = g->cols / g->col_group;
    m->nrows = nrows;
    m->ncols = g->cols;
    cr_assert_leq(m->nseg, 64);
    m->w = calloc((size_t)g->rows * g->cols, 1);
    m->lvl = calloc((size_t)m->nseg * g->cols, sizeof *m->lvl);
    m->vgnd = calloc((size_t)m->nseg * g->cols, 1);
    m->c1 = calloc((size_t)m->ngrp * m->nseg, 1);
    m->c2 = calloc((size_t)m->ngrp * m->nseg, 1);
    m->se = calloc((size_t)m->ngrp * m->nseg, 1);
    m->la_rwl = calloc((size_t)g->rows, 1);
    cr_assert(m->w && m->lvl && m->vgnd && m->c1 && m->c2 && m->se && m->la_rwl);
}

static void emu_free(macro_emu *m)
{
    free(m->w);
    free(m->lvl);
    free(m->vgnd);
    free(m->c1);
    free(m->c2);
    free(m->se);
    free(m->la_rwl);
}

enum { OP_NOP = 0, OP_WRITE = 1, OP_COMPUTE = 3 };

/* One clock edge with operation op (WRITE: row, bits; COMPUTE: in). */
static void emu_edge(macro_emu *m, int op, int row, const uint8_t *bits)
{
    const energy_geom *g = &m->g;
    const int sr = g->seg_rows, nseg = m->nseg;
    act_counts *c = &m->c;
    c->n[ACT_CYCLES]++;
    /* stage A and the footers of this clock */
    for (int s = 0; s < nseg; s++) {
        for (int j = 0; j < g->cols; j++) {
            int k = (j / g->col_group) * nseg + s, li = s * g->cols + j;
            int foot = m->c1[k];
            if (!foot)
                c->n[ACT_FOOTER_OFF]++;
            else if (!m->vgnd[li])
                c->n[ACT_FOOTER_WAKEUPS]++;
            m->vgnd[li] = (uint8_t)foot;
            if (!m->la_valid)
                continue;
            int old = m->lvl[li], st = old;
            if (m->c2[k]) {
                c->n[ACT_PRECHARGES]++;
                c->n[ACT_LINE_RECHARGES] += old > 0;
                c->n[ACT_RECHARGE_STEPS] += (uint64_t)old;
                st = 0;
            }
            int cnt = 0;
            if (foot)
                for (int r = s * sr; r < (s + 1) * sr; r++)
                    cnt += m->la_rwl[r] & m->w[(size_t)r * g->cols + j];
            c->n[ACT_CELL_DISCHARGES] += (uint64_t)cnt;
            int lv = st + cnt > sr ? sr : st + cnt;
            c->n[ACT_LINE_DISCHARGES] += lv > st;
            if (m->se[k]) {
                c->n[ACT_LOCAL_EVALS]++;
                c->n[ACT_TRANSFERS] += !m->flat && lv > 0;
            }
            m->lvl[li] = lv;
        }
    }
    if (m->la_valid) {
        c->n[ACT_COMPUTE_OPS]++;
        for (int r = 0; r < g->rows; r++)
            c->n[ACT_WORDLINE_PULSES] += m->la_rwl[r];
        c->n[ACT_ACC_UPDATES] += (uint64_t)m->ncols;
        for (int s = 0; s < nseg; s++) {
            if (!m->la_mapped[s])
                c->n[ACT_SEG_UNMAPPED]++;
            else if (m->la_gated[s])
                c->n[ACT_SEG_GATED]++;
            else
                c->n[ACT_SEG_ACTIVE]++;
            c->n[ACT_CHECKS] += (uint64_t)(m->la_gate && m->la_mapped[s]);
        }
    }
    /* the operation at this edge */
    m->la_valid = op == OP_COMPUTE;
    if (op == OP_COMPUTE) {
        uint8_t zero[72], map[64];
        int nseg_p = (nseg + 7) / 8 * 8, unit = 1 << m->unit_log2;
        for (int s = 0; s < nseg_p; s++) {
            zero[s] = 1;
            if (s < nseg)
                for (int r = s * sr; r < (s + 1) * sr && r < m->nrows; r++)
                    zero[s] &= (uint8_t)!bits[r];
        }
        for (int s = 0; s < nseg; s++) {
            map[s] = (uint8_t)(s * sr < m->nrows);
            int uz = 1;
            for (int q = (s / unit) * unit; q < (s / unit) * unit + unit; q++)
                uz &= zero[q];
            m->la_gated[s] = (uint8_t)(m->gate != GATE_NONE && uz && map[s]);
            m->la_mapped[s] = map[s];
        }
        m->la_gate = m->gate != GATE_NONE;
        for (int r = 0; r < g->rows; r++)
            m->la_rwl[r] = (uint8_t)(r < m->nrows && bits[r]);
        for (int gi = 0; gi < m->ngrp; gi++) {
            int on_g = gi * g->col_group < m->ncols;
            for (int s = 0; s < nseg; s++) {
                int k = gi * nseg + s, on = on_g && map[s], gt = m->la_gated[s];
                uint8_t d1 = (uint8_t)(on && !(gt && (m->gate & GATE_C1)));
                uint8_t d2 = (uint8_t)(on && !(gt && (m->gate & GATE_C2)));
                c->n[ACT_C1_TOGGLES] += d1 != m->c1[k];
                c->n[ACT_C2_TOGGLES] += d2 != m->c2[k];
                m->c1[k] = d1;
                m->c2[k] = d2;
                m->se[k] = (uint8_t)(on && !gt);
            }
        }
    } else {
        memset(m->se, 0, (size_t)m->ngrp * nseg);
    }
    if (op == OP_WRITE) {
        c->n[ACT_WEIGHT_ROW_WRITES]++;
        for (int j = 0; j < g->cols; j++) {
            uint8_t *cell = &m->w[(size_t)row * g->cols + j];
            c->n[ACT_WRITE_BITS_FLIPPED] += *cell != bits[j];
            *cell = bits[j];
        }
    }
}

/* One bit plane of a pixel: issued, or skipped (all zero, gating on). ops
 * count the logical MACs either way. */
static void emu_plane(macro_emu *m, const uint8_t *in)
{
    int any = 0;
    for (int r = 0; r < m->nrows; r++)
        any |= in[r];
    m->c.ops += (uint64_t)m->nrows * (uint64_t)m->ncols;
    if (!any && m->skip)
        m->c.n[ACT_PLANES_SKIPPED]++;
    else
        emu_edge(m, OP_COMPUTE, 0, in);
}

/* The three references of one job. */
typedef struct emu_set {
    macro_emu e[ACT_NREF];
} emu_set;

static void set_init(emu_set *s, const energy_geom *g, int gate, int unit_log2, int nrows)
{
    emu_init(&s->e[ACT_REF_GATED], g, 0, gate, unit_log2, nrows);
    emu_init(&s->e[ACT_REF_STATIC], g, 0, GATE_NONE, unit_log2, nrows);
    emu_init(&s->e[ACT_REF_FLAT], g, 1, GATE_NONE, unit_log2, nrows);
}

static void set_free(emu_set *s)
{
    for (int k = 0; k < ACT_NREF; k++)
        emu_free(&s->e[k]);
}

static void set_counts(const emu_set *s, act_counts c[ACT_NREF])
{
    for (int k = 0; k < ACT_NREF; k++)
        c[k] = s->e[k].c;
}

/* A layer job: random weights of density 1/2 written row by row, then
 * `pixels` binary planes, then one NOP. Input rows: channel-major 3x3 taps
 * (row = c*9 + tap); channel c is zero for the whole job if zero_ch[c], else
 * each bit is 1 with probability `density`; every `zero_every`-th pixel (0:
 * never) the whole input is zero. */
static void run_job(emu_set *s, uint64_t seed, const uint8_t *zero_ch, double density, int pixels, int zero_every)
{
    const energy_geom *g = &s->e[0].g;
    int nrows = s->e[0].nrows;
    rng r = {seed | 1};
    uint8_t bits[1024], in[4096];
    cr_assert_leq(g->cols, 1024);
    cr_assert_leq(g->rows, 4096);
    for (int row = 0; row < nrows; row++) {
        for (int j = 0; j < g->cols; j++)
            bits[j] = (uint8_t)rng_bit(&r, 0.5);
        for (int k = 0; k < ACT_NREF; k++)
            emu_edge(&s->e[k], OP_WRITE, row, bits);
    }
    for (int t = 0; t < pixels; t++) {
        memset(in, 0, (size_t)g->rows);
        if (zero_every == 0 || t % zero_every != 0)
            for (int row = 0; row < nrows; row++)
                in[row] = (uint8_t)(!(zero_ch && zero_ch[row / 9]) && rng_bit(&r, density));
        for (int k = 0; k < ACT_NREF; k++)
            emu_plane(&s->e[k], in);
    }
    for (int k = 0; k < ACT_NREF; k++)
        emu_edge(&s->e[k], OP_NOP, 0, NULL);
}

static void summarize(const energy_profile *p, const act_counts c[ACT_NREF], energy_summary *s)
{
    energy_model m;
    bnn_error err = {{0}};
    energy_geom g = energy_geom_default();
    cr_assert_eq(energy_model_derive(p, &g, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(energy_summarize(&m, c, 1, s, &err), 0, "%s", err.msg);
}

static void report_line(const char *what, const energy_profile *p, const act_counts c[ACT_NREF])
{
    energy_summary s;
    summarize(p, c, &s);
    printf("%-30s %-11s data-gated %.3f | fJ/op flat %.3f static %.3f gated %.3f | saving %5.1f%% hierarchy "
           "%5.1f%% | cycles %llu static %llu skipped %llu\n",
           what, p->name, s.gated_fraction_data, s.e[ACT_REF_FLAT].fj_per_op, s.e[ACT_REF_STATIC].fj_per_op,
           s.e[ACT_REF_GATED].fj_per_op, 100.0 * s.saving_fraction, 100.0 * s.hierarchy_saving_fraction,
           (unsigned long long)s.cycles, (unsigned long long)s.cycles_static, (unsigned long long)s.cycles_skipped);
    for (int k = 0; k < ACT_NREF; k++) {
        printf("    %-7s", act_ref_name((act_ref)k));
        for (int q = 0; q < ENERGY_NCOMP; q++)
            printf(" %s %.4f", energy_comp_name((energy_comp)q), s.e[k].comp_fj[q] / (double)c[k].ops);
        printf("\n");
    }
}

/* The emulation's references obey the invariants the energy report relies on. */
Test(energy, emulated_references_are_consistent)
{
    energy_geom g = energy_geom_default();
    g.cols = 16;
    uint8_t zero_ch[28];
    for (int ch = 0; ch < 28; ch++)
        zero_ch[ch] = (uint8_t)(ch < 15 || ch % 3 == 0);
    for (int unit = 0; unit < 4; unit++) {
        emu_set s;
        set_init(&s, &g, GATE_BOTH, unit, 252);
        run_job(&s, 7, zero_ch, 0.3, 200, 9);
        act_counts c[ACT_NREF];
        set_counts(&s, c);
        const act_counts *cg = &c[ACT_REF_GATED], *cs = &c[ACT_REF_STATIC], *cf = &c[ACT_REF_FLAT];
        cr_assert_gt(cg->n[ACT_SEG_GATED], 0, "unit %d: something must be gated", unit);
        cr_assert_gt(cg->n[ACT_PLANES_SKIPPED], 0);
        cr_assert_eq(cs->n[ACT_SEG_GATED] + cs->n[ACT_CHECKS] + cs->n[ACT_PLANES_SKIPPED], 0);
        /* same work: ops, and every issued or skipped plane */
        cr_assert_eq(cg->ops, cs->ops);
        cr_assert_eq(cf->ops, cs->ops);
        cr_assert_eq(cg->n[ACT_COMPUTE_OPS] + cg->n[ACT_PLANES_SKIPPED], cs->n[ACT_COMPUTE_OPS]);
        cr_assert_eq(cs->n[ACT_CYCLES] - cg->n[ACT_CYCLES], cg->n[ACT_PLANES_SKIPPED], "a skipped plane saves a cycle");
        /* gating never changes the cells that conduct; the flat line sees them all */
        cr_assert_eq(cg->n[ACT_CELL_DISCHARGES], cs->n[ACT_CELL_DISCHARGES]);
        cr_assert_eq(cf->n[ACT_CELL_DISCHARGES], cs->n[ACT_CELL_DISCHARGES]);
        cr_assert_eq(cf->n[ACT_TRANSFERS], 0);
        cr_assert_eq(cf->n[ACT_PRECHARGES], cf->n[ACT_COMPUTE_OPS] * (uint64_t)g.cols, "flat: every column, every cycle");
        cr_assert_lt(cg->n[ACT_PRECHARGES], cs->n[ACT_PRECHARGES]);
        cr_assert_leq(cg->n[ACT_RECHARGE_STEPS], cg->n[ACT_CELL_DISCHARGES]);
        energy_profile p;
        load_shipped("65nm", &p);
        energy_summary sm;
        summarize(&p, c, &sm);
        cr_assert_gt(sm.saving_fraction, 0.0, "unit %d: gating must save energy here", unit);
        set_free(&s);
    }
}

/* ---- sanity: a typical binary layer at 65 nm lands in the measured range ---- */

/* 16-row segments, 256 x 64 tile fully used, 1024 pixels (a 32x32 CIFAR
 * stage-1 layer) on one weight load, inputs i.i.d. at 50 % density, random
 * weights. Gating is on but i.i.d. 50 % inputs give no all-zero segments. */
Test(energy, typical_binary_layer_65nm_in_measured_range)
{
    energy_profile p65, p22;
    load_shipped("65nm", &p65);
    load_shipped("22nm", &p22);
    energy_geom g = energy_geom_default();
    emu_set s;
    set_init(&s, &g, GATE_BOTH, 0, 256);
    run_job(&s, 12345, NULL, 0.5, 1024, 0);
    act_counts c[ACT_NREF];
    set_counts(&s, c);
    report_line("iid 50% input, 256x64, 1024 px", &p65, c);
    report_line("iid 50% input, 256x64, 1024 px", &p22, c);
    energy_summary s65, s22;
    summarize(&p65, c, &s65);
    summarize(&p22, c, &s22);
    for (int k = 0; k < ACT_NREF; k++) {
        double f = s65.e[k].fj_per_op;
        cr_assert(f >= 1.0 && f <= 18.0, "65 nm %s: %.3f fJ per binary op outside 1..18", act_ref_name((act_ref)k), f);
        cr_assert_lt(s22.e[k].fj_per_op, f);
    }
    /* nothing to gate: the gated run costs only its checks more than static */
    cr_assert_eq(c[ACT_REF_GATED].n[ACT_SEG_GATED], 0);
    cr_assert(s65.saving_fraction < 0 && s65.saving_fraction > -0.01, "%g", s65.saving_fraction);
    /* sensitivity (docs/ENERGY.md): column foot and retention */
    energy_profile alt = p65;
    alt.local_eval_style = ENERGY_EVAL_DIGITAL;
    energy_summary sd;
    summarize(&alt, c, &sd);
    printf("sensitivity 65nm digital foot: fJ/op flat %.3f static %.3f gated %.3f, saving %.2f%%, hierarchy %.1f%%\n",
           sd.e[ACT_REF_FLAT].fj_per_op, sd.e[ACT_REF_STATIC].fj_per_op, sd.e[ACT_REF_GATED].fj_per_op,
           100.0 * sd.saving_fraction, 100.0 * sd.hierarchy_saving_fraction);
    alt = p22;
    alt.local_eval_style = ENERGY_EVAL_DIGITAL;
    summarize(&alt, c, &sd);
    printf("sensitivity 22nm digital foot: fJ/op flat %.3f static %.3f gated %.3f, saving %.2f%%, hierarchy %.1f%%\n",
           sd.e[ACT_REF_FLAT].fj_per_op, sd.e[ACT_REF_STATIC].fj_per_op, sd.e[ACT_REF_GATED].fj_per_op,
           100.0 * sd.saving_fraction, 100.0 * sd.hierarchy_saving_fraction);
    /* the comparator's LSB scaling: alpha 0 (unscaled), 1 (Walden, the default), 2
     * (noise-limited). The 16-row segment is the reference: static and gated do not move */
    const energy_profile *nodes[] = {&p65, &p22};
    double hs[2][3];
    for (int n = 0; n < 2; n++) {
        for (int a = 0; a <= 2; a++) {
            alt = *nodes[n];
            alt.sa_lsb_exponent = a;
            summarize(&alt, c, &sd);
            const energy_summary *ref = n ? &s22 : &s65;
            printf("sensitivity %s alpha %d: fJ/op flat %.3f (eval %.3f) static %.3f gated %.3f, hierarchy %.1f%%\n",
                   alt.name, a, sd.e[ACT_REF_FLAT].fj_per_op,
                   sd.e[ACT_REF_FLAT].comp_fj[ENERGY_EVAL] / (double)c[ACT_REF_FLAT].ops,
                   sd.e[ACT_REF_STATIC].fj_per_op, sd.e[ACT_REF_GATED].fj_per_op,
                   100.0 * sd.hierarchy_saving_fraction);
            assert_near(sd.e[ACT_REF_STATIC].total_fj, ref->e[ACT_REF_STATIC].total_fj, "static: alpha-free at SEG 16");
            assert_near(sd.e[ACT_REF_GATED].total_fj, ref->e[ACT_REF_GATED].total_fj, "gated: alpha-free at SEG 16");
            hs[n][a] = sd.hierarchy_saving_fraction;
        }
        cr_assert_lt(hs[n][0], 0.0, "alpha 0 (unscaled): the flat macro looks cheaper");
        cr_assert_gt(hs[n][1], 0.0, "alpha 1: the hierarchy saves");
        cr_assert_gt(hs[n][2], hs[n][1]);
        assert_close(hs[n][1], nodes[n] == &p65 ? s65.hierarchy_saving_fraction : s22.hierarchy_saving_fraction,
                     "the shipped default is alpha 1");
    }
    set_free(&s);
}

/* SE-style sparsity: 28 channels x 3x3 = 252 rows, half the channels zeroed
 * for the whole job, the rest at 50 % density; zeroed channels scattered vs.
 * moved together (channel reorder). Prints the worked example of docs/ENERGY.md. */
Test(energy, se_sparse_layer_gating_saves)
{
    energy_profile p65, p22;
    load_shipped("65nm", &p65);
    load_shipped("22nm", &p22);
    energy_geom g = energy_geom_default();
    uint8_t scattered[28], moved[28];
    for (int ch = 0; ch < 28; ch++) {
        scattered[ch] = (uint8_t)(ch % 2);
        moved[ch] = (uint8_t)(ch < 14);
    }
    double saving[2][4];
    for (int mode = 0; mode < 2; mode++) {
        for (int unit = 0; unit < 4; unit++) {
            emu_set s;
            set_init(&s, &g, GATE_BOTH, unit, 252);
            run_job(&s, 777, mode ? moved : scattered, 0.5, 256, 0);
            act_counts c[ACT_NREF];
            set_counts(&s, c);
            char what[64];
            snprintf(what, sizeof what, "SE half zero, %s, unit %d", mode ? "moved" : "scattered", 1 << unit);
            report_line(what, &p65, c);
            if (unit == 0)
                report_line(what, &p22, c);
            energy_summary sm;
            summarize(&p65, c, &sm);
            saving[mode][unit] = sm.saving_fraction;
            set_free(&s);
        }
    }
    /* moved zero channels fill whole control units: gating must save more */
    cr_assert_gt(saving[1][0], saving[0][0]);
    cr_assert_gt(saving[1][0], 0.0);
    /* the gate modes on the moved case, unit 1; retention alternative */
    const int modes[] = {GATE_BOTH, GATE_C2, GATE_C1, GATE_NONE};
    const char *names[] = {"both", "c2", "c1", "none"};
    double e_mode[4];
    for (int k = 0; k < 4; k++) {
        emu_set s;
        set_init(&s, &g, modes[k], 0, 252);
        run_job(&s, 777, moved, 0.5, 256, 0);
        act_counts c[ACT_NREF];
        set_counts(&s, c);
        char what[64];
        snprintf(what, sizeof what, "SE moved, unit 1, gate %s", names[k]);
        report_line(what, &p65, c);
        energy_summary sm;
        summarize(&p65, c, &sm);
        e_mode[k] = sm.e[ACT_REF_GATED].total_fj;
        if (k == 0) {
            energy_profile bet = p65;
            bet.leak_retention_fraction = 0.15;
            energy_summary sb;
            summarize(&bet, c, &sb);
            printf("sensitivity 65nm retention 0.15: gated %.4f fJ/op (0.779: %.4f), leakage %.5f vs %.5f fJ/op\n",
                   sb.e[ACT_REF_GATED].fj_per_op, sm.e[ACT_REF_GATED].fj_per_op,
                   sb.e[ACT_REF_GATED].comp_fj[ENERGY_LEAKAGE] / (double)c[0].ops,
                   sm.e[ACT_REF_GATED].comp_fj[ENERGY_LEAKAGE] / (double)c[0].ops);
            cr_assert_lt(sb.e[ACT_REF_GATED].total_fj, sm.e[ACT_REF_GATED].total_fj);
            energy_profile dig = p65;
            dig.local_eval_style = ENERGY_EVAL_DIGITAL;
            summarize(&dig, c, &sb);
            printf("sensitivity 65nm digital foot, SE moved unit 1: fJ/op flat %.3f static %.3f gated %.3f, saving "
                   "%.1f%%, hierarchy %.1f%%\n",
                   sb.e[ACT_REF_FLAT].fj_per_op, sb.e[ACT_REF_STATIC].fj_per_op, sb.e[ACT_REF_GATED].fj_per_op,
                   100.0 * sb.saving_fraction, 100.0 * sb.hierarchy_saving_fraction);
        }
        if (k == 3) {
            /* gate none: the run is the static reference, count for count */
            for (int i = 0; i < ACT_NEVENTS; i++)
                cr_assert_eq(c[ACT_REF_GATED].n[i], c[ACT_REF_STATIC].n[i], "%s", act_event_name((act_event)i));
        }
        set_free(&s);
    }
    cr_assert_lt(e_mode[0], e_mode[3], "gating both saves against none");
    cr_assert_lt(e_mode[1], e_mode[3], "C2 only saves too");
    cr_assert_lt(e_mode[2], e_mode[3], "C1 only saves too (no sensing)");
}

/* Every counter name the testbench reports (csrc/power/act.c, act_rtl_counter_names = tb/dut.h's dut_cnt_names) is an
 * event here, in the same order: the one place an RTL counter list change
 * must be mirrored. The driver's planes_skipped and index_bits are the two
 * events beyond. */
Test(act, testbench_counter_names_all_map)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/csrc/power/act.c", tu_src_dir());
    FILE *f = fopen(path, "r");
    if (!f)
        cr_skip_test("no %s", path);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char *s = strstr(text, "act_rtl_counter_names[ACT_RTL_NCNT] = {");
    cr_assert(s, "act_rtl_counter_names not found in %s", path);
    char *end = strstr(s, "};");
    cr_assert(end);
    *end = '\0';
    s = strchr(s, '{');
    int found = 0;
    while ((s = strchr(s, '"')) != NULL) {
        char *q = strchr(s + 1, '"');
        cr_assert(q);
        *q = '\0';
        cr_assert_geq(act_event_by_name(s + 1), 0, "testbench counter '%s' has no energy event", s + 1);
        cr_assert_eq(act_event_by_name(s + 1), found, "testbench counter '%s' at %d", s + 1, found);
        found++;
        s = q + 1;
    }
    cr_assert_eq(found, ACT_NEVENTS - 2, "%d testbench counters, %d events", found, ACT_NEVENTS);
    cr_assert_eq(ACT_PLANES_SKIPPED, ACT_NEVENTS - 2);
    cr_assert_eq(ACT_INDEX_BITS, ACT_NEVENTS - 1);
}

/* The stored-zero flag bank (SET_ZF, rtl/cim_zero_flags.v): billed per
 * write (one segment's NGRP flags loaded), not in the lookahead register;
 * zero_flag_gated is a time base. */
Test(energy, zero_flag_events_known_answers)
{
    energy_profile p;
    energy_table t, f;
    bnn_error err = {{0}};
    hand_parse(&p);
    cr_assert_eq(energy_table_derive(&p, &hand_geom, &t, &err), 0, "%s", err.msg);
    cr_assert_eq(energy_table_derive_flat(&p, &hand_geom, &f, &err), 0, "%s", err.msg);
    cr_assert_eq(t.n_zf_ff, 2 * 2, "2 groups x 2 segments");
    assert_close(t.e_event_fj[ACT_ZERO_FLAG_WRITES], 4, "E_zf_write = 2 groups*2 GE*0.5*2");
    assert_close(f.e_event_fj[ACT_ZERO_FLAG_WRITES], 4, "the same row of flops (the references write none)");
    cr_assert_eq(t.e_event_fj[ACT_ZERO_FLAG_GATED], 0.0);
    cr_assert_eq(energy_event_comp(ACT_ZERO_FLAG_WRITES), ENERGY_CONTROL);
    cr_assert_eq(energy_event_comp(ACT_ZERO_FLAG_GATED), -1);
    cr_assert_str_eq(act_event_name(ACT_ZERO_FLAG_WRITES), "zero_flag_writes");
    cr_assert_str_eq(act_event_name(ACT_ZERO_FLAG_GATED), "zero_flag_gated");
    /* shipped 65 nm, default geometry: 8 groups x 5 GE x 0.25 x 1.5125 fJ; the lookahead register is unchanged */
    energy_profile p65;
    energy_model m;
    load_shipped("65nm", &p65);
    energy_geom g = energy_geom_default();
    cr_assert_eq(energy_model_derive(&p65, &g, &m, &err), 0, "%s", err.msg);
    assert_near(m.hier.e_event_fj[ACT_ZERO_FLAG_WRITES], 15.13, "65 nm zero_flag_writes");
    cr_assert_eq(m.hier.n_zf_ff, 128);
    cr_assert_eq(m.hier.n_la_ff, 753);
    /* a layer's counts: 10 flag writes bill 10 x E in the control component */
    act_counts c;
    memset(&c, 0, sizeof c);
    c.n[ACT_ZERO_FLAG_WRITES] = 10;
    c.n[ACT_ZERO_FLAG_GATED] = 1000;
    energy_result r;
    cr_assert_eq(energy_compute(&t, &c, &r, &err), 0, "%s", err.msg);
    assert_close(r.comp_fj[ENERGY_CONTROL], 40, "control = 10*4");
    assert_close(r.total_fj, 40, "nothing else");
}

/* test_energy.c - energy model, technology profiles and activity records.
 *
 * Known answers for the arithmetic (a hand-computed profile), the profile
 * parser (good files, every bad case with file:line), the ungated-baseline
 * identity on counts produced by an emulation of the RTL counter rules
 * (rtl/cim_activity.v), and the 65 nm sanity range for a typical binary layer. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "energy.h"
#include "test_util.h"

/* ---- helpers ---- */

static void assert_close(double got, double want, const char *what)
{
    double tol = 1e-9 * (fabs(want) > 1.0 ? fabs(want) : 1.0);
    cr_assert(fabs(got - want) <= tol, "%s: got %.17g, want %.17g", what, got, want);
}

static void load_shipped(const char *node, energy_profile *p)
{
    char path[1024];
    bnn_error err = {{0}};
    snprintf(path, sizeof path, "%s/constraints/energy-%s.txt", tu_src_dir(), node);
    cr_assert_eq(energy_profile_load(path, p, &err), 0, "%s", err.msg);
}

/* A profile with binary-exact numbers, worked out by hand below. */
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
    "gbl_tap_cap_ff = 1\n"
    "gbl_swing_v = 1\n"
    "logic_cap_ff_per_ge = 1\n"
    "logic_activity = 0.5\n"
    "acc_ge_per_bit = 2\n"
    "popcount_ge_per_row = 1\n"
    "check_ge_per_row = 1\n"
    "footer_gate_cap_ff = 1\n"
    "header_gate_cap_ff = 3\n"
    "wwl_gate_cap_ff = 2\n"
    "wbl_drain_cap_ff = 1\n"
    "cell_node_cap_ff = 1\n"
    "ioff_pa_per_um = 1000\n"
    "cell_leak_width_um = 0.5\n"
    "leak_retention_fraction = 0.25\n";

static const energy_geom hand_geom = {.rows = 8, .cols = 4, .seg_rows = 4, .col_group = 2, .acc_w = 8};

static act_counts hand_counts(void)
{
    act_counts c;
    memset(&c, 0, sizeof c);
    c.n[ACT_CYCLES] = 10;
    c.n[ACT_COMPUTE_OPS] = 6;
    c.n[ACT_SKIPPED_CYCLES] = 1;
    c.n[ACT_WEIGHT_ROW_WRITES] = 2;
    c.n[ACT_WRITE_BITS_FLIPPED] = 3;
    c.n[ACT_READ_OPS] = 1;
    c.n[ACT_WORDLINE_PULSES] = 7;
    c.n[ACT_PRECHARGES_DONE] = 8;
    c.n[ACT_PRECHARGES_GATED] = 4;
    c.n[ACT_LOCAL_DISCHARGES] = 9;
    c.n[ACT_LOCAL_EVALS_DONE] = 8;
    c.n[ACT_LOCAL_EVALS_GATED] = 4;
    c.n[ACT_TRANSFERS] = 5;
    c.n[ACT_ACC_UPDATES] = 12;
    c.n[ACT_SEG_ACTIVE] = 9;
    c.n[ACT_SEG_GATED] = 3;
    c.n[ACT_CHECKS] = 12;
    c.n[ACT_CTRL_TOGGLES] = 2;
    c.n[ACT_WL_MASKED] = 12;
    c.ops = 96;
    return c;
}

/* ---- known answers ---- */

Test(energy, per_event_energies_known_answers)
{
    energy_profile p;
    energy_table t;
    bnn_error err = {{0}};
    cr_assert_eq(energy_profile_parse(hand_profile, "hand.txt", &p, &err), 0, "%s", err.msg);
    cr_assert_str_eq(p.name, "hand");
    cr_assert_eq(energy_table_derive(&p, &hand_geom, &t, &err), 0, "%s", err.msg);
    /* V = 2, V^2 = 4, wire 0.5 fF/um */
    assert_close(t.c_rwl_ff, 12, "C_rwl = 4*(1 + 4*0.5)");
    assert_close(t.e_event_fj[ACT_WORDLINE_PULSES], 48, "E_wl = 12*4");
    assert_close(t.c_lbl_ff, 10, "C_lbl = 4*(2*0.5 + 1) + 2");
    assert_close(t.dv_step_v, 0.25, "dV = 1/4");
    assert_close(t.e_event_fj[ACT_LOCAL_DISCHARGES], 5, "E_dis = 10*2*0.25");
    assert_close(t.e_event_fj[ACT_PRECHARGES_DONE], 12, "E_pch = (1 + 4*0.5)*4");
    cr_assert_eq(t.n_cmp, 3, "bitlen(4) = 3");
    assert_close(t.e_event_fj[ACT_LOCAL_EVALS_DONE], 12, "E_eval = 3*1*4");
    assert_close(t.e_event_fj[ACT_TRANSFERS], 10, "E_tr = (4*2*0.5 + 1)*2*1");
    assert_close(t.e_ge_fj, 2, "E_ge = 1*4/2");
    assert_close(t.e_event_fj[ACT_ACC_UPDATES], 16, "E_acc = 8*2*0.5*2");
    assert_close(t.e_event_fj[ACT_COMPUTE_OPS], 8, "E_cmp = 8*1*0.5*2");
    assert_close(t.e_event_fj[ACT_CHECKS], 4, "E_check = 4*1*0.5*2");
    assert_close(t.e_event_fj[ACT_CTRL_TOGGLES], 32, "E_tog = (2*(1+2) + 2*(3+2))*4/2");
    assert_close(t.e_event_fj[ACT_WEIGHT_ROW_WRITES], 64, "E_rw = 4*(2 + 2)*4");
    assert_close(t.e_event_fj[ACT_WRITE_BITS_FLIPPED], 72, "E_flip = (2*1 + 8*(1 + 1))*4");
    assert_close(t.e_event_fj[ACT_READ_OPS], 142, "E_read = 48 + 4*(12 + 4 + (5 + 10)/2)");
    assert_close(t.p_leak_cell_pw, 1000, "P = 1000*0.5*2");
    assert_close(t.leak_active_fj, 16, "E_leak = 4*4*1000 pW*1000 ns");
    assert_close(t.leak_gated_fj, 4, "E_leak_gated = 0.25*16");
    cr_assert_eq(t.nseg, 2);
    const int none[] = {ACT_CYCLES, ACT_SKIPPED_CYCLES, ACT_PRECHARGES_GATED, ACT_LOCAL_EVALS_GATED,
                        ACT_SEG_ACTIVE, ACT_SEG_GATED, ACT_WL_MASKED};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        cr_assert_eq(t.e_event_fj[none[i]], 0.0, "%s has no own energy", act_event_name((act_event)none[i]));
        cr_assert_eq(energy_event_comp((act_event)none[i]), -1);
    }
}

Test(energy, components_known_answers)
{
    energy_profile p;
    energy_table t;
    energy_result r, u;
    bnn_error err = {{0}};
    cr_assert_eq(energy_profile_parse(hand_profile, "hand.txt", &p, &err), 0, "%s", err.msg);
    cr_assert_eq(energy_table_derive(&p, &hand_geom, &t, &err), 0, "%s", err.msg);
    act_counts c = hand_counts();
    cr_assert_eq(energy_compute(&t, &c, &r, &err), 0, "%s", err.msg);
    assert_close(r.comp_fj[ENERGY_WORDLINE], 336, "wordline = 7*48");
    assert_close(r.comp_fj[ENERGY_PRECHARGE], 141, "precharge = 8*12 + 9*5");
    assert_close(r.comp_fj[ENERGY_EVAL], 96, "eval = 8*12");
    assert_close(r.comp_fj[ENERGY_TRANSFER], 50, "transfer = 5*10");
    assert_close(r.comp_fj[ENERGY_ACCUMULATE], 192, "accumulate = 12*16");
    assert_close(r.comp_fj[ENERGY_CONTROL], 160, "control = 6*8 + 12*4 + 2*32");
    assert_close(r.comp_fj[ENERGY_WRITE], 344, "write = 2*64 + 3*72");
    assert_close(r.comp_fj[ENERGY_READ], 142, "read = 1*142");
    assert_close(r.comp_fj[ENERGY_LEAKAGE], 284, "leakage = (10*2 - 3)*16 + 3*4");
    assert_close(r.total_fj, 1745, "total");
    cr_assert(r.has_ops);
    assert_close(r.fj_per_op, 1745.0 / 96.0, "fJ/op");
    assert_close(r.event_fj[ACT_LOCAL_DISCHARGES], 45, "event share");
    /* ungated: done += gated, no checks/toggles, all segment-cycles active */
    cr_assert_eq(energy_compute_ungated(&t, &c, &u, &err), 0, "%s", err.msg);
    assert_close(u.comp_fj[ENERGY_PRECHARGE], 189, "ungated precharge = 12*12 + 45");
    assert_close(u.comp_fj[ENERGY_EVAL], 144, "ungated eval = 12*12");
    assert_close(u.comp_fj[ENERGY_CONTROL], 48, "ungated control = 6*8");
    assert_close(u.comp_fj[ENERGY_LEAKAGE], 320, "ungated leakage = 20*16");
    assert_close(u.total_fj, 1765, "ungated total");
    /* inconsistent counts are an error, not a negative leakage */
    c.n[ACT_SEG_GATED] = 21;
    cr_assert_eq(energy_compute(&t, &c, &r, &err), -1);
    cr_assert(strstr(err.msg, "segment-cycles"), "%s", err.msg);
    /* no ops: fJ/op undefined, reported as has_ops = 0 */
    c = hand_counts();
    c.ops = 0;
    cr_assert_eq(energy_compute(&t, &c, &r, &err), 0);
    cr_assert_eq(r.has_ops, 0);
    cr_assert_eq(r.fj_per_op, 0.0);
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
    cr_assert_gt(b.e_event_fj[ACT_LOCAL_EVALS_DONE], a.e_event_fj[ACT_LOCAL_EVALS_DONE]);
    cr_assert_eq(b.nseg, 8);
    g = energy_geom_default();
    g.seg_rows = 24;
    cr_assert_eq(energy_table_derive(&p, &g, &b, &err), -1);
    cr_assert(strstr(err.msg, "does not divide"), "%s", err.msg);
    g = energy_geom_default();
    g.col_group = 0;
    cr_assert_eq(energy_geom_check(&g, &err), -1);
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
    energy_table a, b;
    bnn_error err = {{0}};
    energy_geom g = energy_geom_default();
    cr_assert_eq(energy_table_derive(&p65, &g, &a, &err), 0, "%s", err.msg);
    cr_assert_eq(energy_table_derive(&p22, &g, &b, &err), 0, "%s", err.msg);
    for (int i = 0; i < ACT_NEVENTS; i++)
        cr_assert_leq(b.e_event_fj[i], a.e_event_fj[i], "%s", act_event_name((act_event)i));
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
    expect_bad(buf, "bad.txt:27: leak_retention_fraction = 1.5 out of range");
    edited(buf, sizeof buf, "lbl_swing_v", "lbl_swing_v = 3");
    expect_bad(buf, "bad.txt:10: lbl_swing_v above vdd_v");
    edited(buf, sizeof buf, "sa_cap_ff", NULL);
    expect_bad(buf, "bad.txt: missing key 'sa_cap_ff'");
    snprintf(buf, sizeof buf, "%sgbl_swing_v = 1\n", hand_profile);
    expect_bad(buf, "bad.txt:28: key 'gbl_swing_v' given twice (first on line 14)");
    expect_bad("", "bad.txt: missing key 'vdd_v'");
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
    cr_assert_eq(energy_profile_parse(hand_profile, "hand.txt", &p, &err), 0, "%s", err.msg);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert(f);
    cr_assert_eq(energy_profile_print(f, &p, &hand_geom, &err), 0, "%s", err.msg);
    fclose(f);
    cr_assert(strstr(text, "C_lbl  = seg_rows*(cell_h*wire + rbl_drain) + lbl_fixed = 4*(2*0.5 + 1) + 2 = 10 fF"),
              "%s", text);
    cr_assert(strstr(text, "E_local_eval = n_cmp*sa_cap*V^2"), "%s", text);
    cr_assert(strstr(text, "local_evals_done"), "%s", text);
    free(text);
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
    /* the testbench's names for the RTL counters (tb/dut.c) all map */
    const char *rtl[] = {"cycles", "compute_ops", "skipped_cycles", "weight_row_writes", "write_bits_flipped",
                         "read_ops", "wordline_pulses", "precharges_done", "precharges_gated", "local_discharges",
                         "local_evals_done", "local_evals_gated", "local_to_global_transfers",
                         "accumulator_updates", "segment_cycles_active", "segment_cycles_gated",
                         "controller_checks", "control_toggles", "wordlines_masked"};
    for (size_t i = 0; i < sizeof rtl / sizeof rtl[0]; i++)
        cr_assert_geq(act_event_by_name(rtl[i]), 0, "%s", rtl[i]);

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
    assert_close(act_gated_fraction(&b), 3.0 / 12.0, "gated fraction");
    assert_close(act_skipped_fraction(&b), 1.0 / 6.0, "skipped fraction");
}

Test(act, reports_json_and_csv)
{
    energy_profile p;
    bnn_error err = {{0}};
    cr_assert_eq(energy_profile_parse(hand_profile, "hand.txt", &p, &err), 0, "%s", err.msg);
    act_report r;
    act_report_init(&r);
    act_counts c = hand_counts();
    act_add(act_report_layer(&r, "conv1", &err), &c);
    act_add(act_report_layer(&r, "s0b0a", &err), &c);
    act_add(act_report_layer(&r, "conv1", &err), &c);
    cr_assert_eq(r.n_layers, 2);
    cr_assert_eq(r.layers[0].c.n[ACT_CYCLES], 20);
    char longname[80];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    cr_assert_null(act_report_layer(&r, longname, &err));
    act_counts tot;
    act_report_total(&r, &tot);
    cr_assert_eq(tot.n[ACT_CYCLES], 30);

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_eq(act_write_json(f, &r, &p, &hand_geom, &err), 0, "%s", err.msg);
    fclose(f);
    cr_assert(strstr(text, "\"profile\": \"hand\""), "%s", text);
    cr_assert(strstr(text, "\"name\": \"conv1\""), "%s", text);
    cr_assert(strstr(text, "\"name\": \"total\""), "%s", text);
    cr_assert(strstr(text, "\"local_discharges\": 27"), "%s", text);   /* total: 3 x 9 */
    cr_assert(strstr(text, "\"total\": 5235"), "%s", text);             /* 3 x 1745 fJ */
    cr_assert(strstr(text, "\"ungated_energy_fj\""), "%s", text);
    cr_assert(strstr(text, "\"gated_fraction\": 0.25"), "%s", text);
    cr_assert(strstr(text, "\"local_evals_done\": 12"), "%s", text);    /* per_event_fj */
    /* balanced braces and brackets */
    int depth = 0;
    for (const char *s = text; *s; s++) {
        depth += (*s == '{' || *s == '[') - (*s == '}' || *s == ']');
        cr_assert_geq(depth, 0);
    }
    cr_assert_eq(depth, 0);
    free(text);

    text = NULL;
    f = open_memstream(&text, &len);
    cr_assert_eq(act_write_csv(f, &r, &p, &hand_geom, &err), 0, "%s", err.msg);
    fclose(f);
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
    cr_assert_eq(commas_first, 1 + ACT_NEVENTS + ENERGY_NCOMP + 7);
    cr_assert(strstr(text, "\ntotal,288,"), "%s", text);
    cr_assert(strstr(text, ",1745,18.17708333"), "%s", text);
    free(text);
    act_report_free(&r);
}

/* ---- emulation of the RTL counter rules (rtl/cim_activity.v) ---- */

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
    energy_geom g;
    int gate_en, unit_log2;
    uint8_t *w;                 /* rows x cols weight bits */
    uint8_t *prev_gated;        /* nseg */
    act_counts c;
} macro_emu;

static void emu_init(macro_emu *m, const energy_geom *g, int gate_en, int unit_log2)
{
    memset(m, 0, sizeof *m);
    m->g = *g;
    m->gate_en = gate_en;
    m->unit_log2 = unit_log2;
    m->w = calloc((size_t)g->rows * g->cols, 1);
    m->prev_gated = calloc((size_t)(g->rows / g->seg_rows), 1);
    cr_assert(m->w && m->prev_gated);
}

static void emu_free(macro_emu *m)
{
    free(m->w);
    free(m->prev_gated);
}

static void emu_write(macro_emu *m, int row, const uint8_t *bits)
{
    m->c.n[ACT_CYCLES]++;
    m->c.n[ACT_WEIGHT_ROW_WRITES]++;
    for (int j = 0; j < m->g.cols; j++) {
        uint8_t *cell = &m->w[(size_t)row * m->g.cols + j];
        m->c.n[ACT_WRITE_BITS_FLIPPED] += *cell != bits[j];
        *cell = bits[j];
    }
}

/* One COMPUTE with all columns in use; `rows_used` counts toward ops. */
static void emu_compute(macro_emu *m, const uint8_t *in, int rows_used)
{
    const energy_geom *g = &m->g;
    int nseg = g->rows / g->seg_rows, unit = 1 << m->unit_log2;
    int nseg_p = (nseg + 7) / 8 * 8;
    uint8_t zero[1024], gated[1024];
    cr_assert_leq(nseg_p, 1024);
    int x = 0;
    for (int s = 0; s < nseg_p; s++) {
        zero[s] = 1;
        if (s < nseg)
            for (int r = s * g->seg_rows; r < (s + 1) * g->seg_rows; r++)
                if (in[r])
                    zero[s] = 0;
    }
    for (int r = 0; r < g->rows; r++)
        x += in[r];
    int n_gated = 0, n_chg = 0;
    for (int s = 0; s < nseg; s++) {
        int uz = 1;
        for (int k = (s / unit) * unit; k < (s / unit) * unit + unit; k++)
            uz &= zero[k];
        gated[s] = (uint8_t)(m->gate_en && uz);
        n_gated += gated[s];
        n_chg += gated[s] != m->prev_gated[s];
        m->prev_gated[s] = gated[s];
    }
    int n_act = nseg - n_gated, n_cols = g->cols, n_grp = n_cols / g->col_group;
    uint64_t p_sum = 0, n_dis = 0;
    for (int s = 0; s < nseg; s++) {
        if (gated[s])
            continue;
        for (int j = 0; j < g->cols; j++) {
            int cnt = 0;
            for (int r = s * g->seg_rows; r < (s + 1) * g->seg_rows; r++)
                cnt += in[r] & m->w[(size_t)r * g->cols + j];
            p_sum += (uint64_t)cnt;
            n_dis += cnt != 0;
        }
    }
    act_counts *c = &m->c;
    c->n[ACT_CYCLES]++;
    c->n[ACT_COMPUTE_OPS]++;
    c->n[ACT_SKIPPED_CYCLES] += (uint64_t)(m->gate_en && x == 0);
    c->n[ACT_WORDLINE_PULSES] += (uint64_t)x;
    c->n[ACT_PRECHARGES_DONE] += (uint64_t)n_act * (uint64_t)n_cols;
    c->n[ACT_PRECHARGES_GATED] += (uint64_t)n_gated * (uint64_t)n_cols;
    c->n[ACT_LOCAL_DISCHARGES] += p_sum;
    c->n[ACT_LOCAL_EVALS_DONE] += (uint64_t)n_act * (uint64_t)n_cols;
    c->n[ACT_LOCAL_EVALS_GATED] += (uint64_t)n_gated * (uint64_t)n_cols;
    c->n[ACT_TRANSFERS] += n_dis;
    c->n[ACT_ACC_UPDATES] += (uint64_t)g->cols;
    c->n[ACT_SEG_ACTIVE] += (uint64_t)n_act;
    c->n[ACT_SEG_GATED] += (uint64_t)n_gated;
    c->n[ACT_CHECKS] += m->gate_en ? (uint64_t)nseg : 0;
    c->n[ACT_CTRL_TOGGLES] += (uint64_t)n_chg * (uint64_t)n_grp;
    c->n[ACT_WL_MASKED] += (uint64_t)n_gated * (uint64_t)g->seg_rows;
    c->ops += (uint64_t)rows_used * (uint64_t)g->cols;
}

/* A layer job: random weights of density 1/2 written row by row, then `cycles`
 * compute cycles. Input rows: channel-major 3x3 taps (row = c*9 + tap) over
 * `rows_used` rows; channel c is zero for the whole job if zero_ch[c], else
 * each bit is 1 with probability `density`; every `zero_every`-th cycle
 * (0: never) the whole input is zero. */
static void run_job(macro_emu *m, uint64_t seed, int rows_used, const uint8_t *zero_ch, double density,
                    int cycles, int zero_every)
{
    rng r = {seed | 1};
    uint8_t bits[1024], in[4096];
    cr_assert_leq(m->g.cols, 1024);
    cr_assert_leq(m->g.rows, 4096);
    for (int row = 0; row < rows_used; row++) {
        for (int j = 0; j < m->g.cols; j++)
            bits[j] = (uint8_t)rng_bit(&r, 0.5);
        emu_write(m, row, bits);
    }
    for (int t = 0; t < cycles; t++) {
        memset(in, 0, (size_t)m->g.rows);
        if (zero_every == 0 || t % zero_every != 0)
            for (int row = 0; row < rows_used; row++)
                in[row] = (uint8_t)(!(zero_ch && zero_ch[row / 9]) && rng_bit(&r, density));
        emu_compute(m, in, rows_used);
    }
}

static int counts_equal(const act_counts *a, const act_counts *b, char *diff, size_t len)
{
    for (int i = 0; i < ACT_NEVENTS; i++) {
        if (a->n[i] != b->n[i]) {
            snprintf(diff, len, "%s: %llu vs %llu", act_event_name((act_event)i), (unsigned long long)a->n[i],
                     (unsigned long long)b->n[i]);
            return 0;
        }
    }
    if (a->ops != b->ops) {
        snprintf(diff, len, "ops: %llu vs %llu", (unsigned long long)a->ops, (unsigned long long)b->ops);
        return 0;
    }
    return 1;
}

/* The ungated baseline of a gated run equals the run with gating off, count by
 * count and in energy, for every control-unit size; done + gated of the gated
 * run equals done of the ungated run. */
Test(energy, ungated_baseline_identity)
{
    energy_profile p;
    energy_table t;
    bnn_error err = {{0}};
    load_shipped("65nm", &p);
    energy_geom g = energy_geom_default();
    g.cols = 16;
    cr_assert_eq(energy_table_derive(&p, &g, &t, &err), 0, "%s", err.msg);
    uint8_t zero_ch[28];
    for (int ch = 0; ch < 28; ch++)
        zero_ch[ch] = (uint8_t)(ch < 15 || ch % 3 == 0);
    for (int unit = 0; unit < 4; unit++) {
        macro_emu on, off;
        emu_init(&on, &g, 1, unit);
        emu_init(&off, &g, 0, unit);
        run_job(&on, 7, 252, zero_ch, 0.3, 200, 9);
        run_job(&off, 7, 252, zero_ch, 0.3, 200, 9);
        cr_assert_gt(on.c.n[ACT_SEG_GATED], 0, "unit %d: something must be gated", unit);
        cr_assert_gt(on.c.n[ACT_SKIPPED_CYCLES], 0);
        cr_assert_gt(on.c.n[ACT_CTRL_TOGGLES], 0);
        cr_assert_eq(on.c.n[ACT_PRECHARGES_DONE] + on.c.n[ACT_PRECHARGES_GATED], off.c.n[ACT_PRECHARGES_DONE]);
        cr_assert_eq(on.c.n[ACT_LOCAL_EVALS_DONE] + on.c.n[ACT_LOCAL_EVALS_GATED], off.c.n[ACT_LOCAL_EVALS_DONE]);
        cr_assert_eq(on.c.n[ACT_SEG_ACTIVE] + on.c.n[ACT_SEG_GATED], off.c.n[ACT_SEG_ACTIVE]);
        act_counts base;
        act_ungated(&on.c, &base);
        char diff[256] = "";
        cr_assert(counts_equal(&base, &off.c, diff, sizeof diff), "unit %d: %s", unit, diff);
        energy_result eu, eo, eg;
        cr_assert_eq(energy_compute_ungated(&t, &on.c, &eu, &err), 0, "%s", err.msg);
        cr_assert_eq(energy_compute(&t, &off.c, &eo, &err), 0, "%s", err.msg);
        cr_assert_eq(energy_compute(&t, &on.c, &eg, &err), 0, "%s", err.msg);
        for (int k = 0; k < ENERGY_NCOMP; k++)
            assert_close(eu.comp_fj[k], eo.comp_fj[k], energy_comp_name((energy_comp)k));
        assert_close(eu.total_fj, eo.total_fj, "total");
        cr_assert_lt(eg.total_fj, eo.total_fj, "unit %d: gating must save energy here", unit);
        /* an ungated record is its own baseline */
        cr_assert_eq(energy_compute_ungated(&t, &off.c, &eu, &err), 0, "%s", err.msg);
        assert_close(eu.total_fj, eo.total_fj, "ungated of ungated");
        emu_free(&on);
        emu_free(&off);
    }
}

/* ---- sanity: a typical binary layer at 65 nm lands in the measured range ---- */

static void report_line(const char *what, const energy_profile *p, const act_counts *c)
{
    energy_table t;
    energy_result r, u;
    bnn_error err = {{0}};
    energy_geom g = energy_geom_default();
    cr_assert_eq(energy_table_derive(p, &g, &t, &err), 0, "%s", err.msg);
    cr_assert_eq(energy_compute(&t, c, &r, &err), 0, "%s", err.msg);
    cr_assert_eq(energy_compute_ungated(&t, c, &u, &err), 0, "%s", err.msg);
    printf("%-34s %-12s gated %.3f  fJ/op %7.4f (ungated %7.4f, saving %5.1f%%) |", what, p->name,
           act_gated_fraction(c), r.fj_per_op, u.fj_per_op, 100.0 * (1.0 - r.total_fj / u.total_fj));
    for (int k = 0; k < ENERGY_NCOMP; k++)
        printf(" %s %.4f", energy_comp_name((energy_comp)k), r.comp_fj[k] / (double)c->ops);
    printf("\n");
}

/* 16-row segments, 256 x 64 tile fully used, 1024 pixels (a 32x32 CIFAR
 * stage-1 layer) on one weight load, inputs i.i.d. at 50 % density, random
 * weights. Gating is on but i.i.d. 50 % inputs give no all-zero segments. */
Test(energy, typical_binary_layer_65nm_in_measured_range, .timeout = 120)
{
    energy_profile p65, p22;
    load_shipped("65nm", &p65);
    load_shipped("22nm", &p22);
    energy_geom g = energy_geom_default();
    macro_emu m;
    emu_init(&m, &g, 1, 0);
    run_job(&m, 12345, 256, NULL, 0.5, 1024, 0);
    energy_table t;
    energy_result r;
    bnn_error err = {{0}};
    cr_assert_eq(energy_table_derive(&p65, &g, &t, &err), 0, "%s", err.msg);
    cr_assert_eq(energy_compute(&t, &m.c, &r, &err), 0, "%s", err.msg);
    report_line("iid 50% input, 256x64, 1024 px", &p65, &m.c);
    report_line("iid 50% input, 256x64, 1024 px", &p22, &m.c);
    cr_assert(r.fj_per_op >= 1.0 && r.fj_per_op <= 18.0, "65 nm: %.3f fJ per binary op outside 1..18", r.fj_per_op);
    cr_assert_eq(energy_table_derive(&p22, &g, &t, &err), 0, "%s", err.msg);
    energy_result r22;
    cr_assert_eq(energy_compute(&t, &m.c, &r22, &err), 0, "%s", err.msg);
    cr_assert_lt(r22.fj_per_op, r.fj_per_op);
    emu_free(&m);
}

/* SE-style sparsity: 28 channels x 3x3 = 252 rows, half the channels zeroed
 * for the whole job, the rest at 50 % density; zeroed channels scattered vs.
 * moved together (channel reorder). Prints the worked example of docs/ENERGY.md. */
Test(energy, se_sparse_layer_gating_saves, .timeout = 120)
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
        for (int unit = 0; unit < 4; unit += 1) {
            macro_emu m;
            emu_init(&m, &g, 1, unit);
            run_job(&m, 777, 252, mode ? moved : scattered, 0.5, 256, 0);
            char what[64];
            snprintf(what, sizeof what, "SE half zero, %s, unit %d", mode ? "moved" : "scattered", 1 << unit);
            report_line(what, &p65, &m.c);
            if (unit == 0)
                report_line(what, &p22, &m.c);
            energy_table t;
            energy_result r, u;
            bnn_error err = {{0}};
            cr_assert_eq(energy_table_derive(&p65, &g, &t, &err), 0, "%s", err.msg);
            cr_assert_eq(energy_compute(&t, &m.c, &r, &err), 0, "%s", err.msg);
            cr_assert_eq(energy_compute_ungated(&t, &m.c, &u, &err), 0, "%s", err.msg);
            saving[mode][unit] = 1.0 - r.total_fj / u.total_fj;
            emu_free(&m);
        }
    }
    /* moved zero channels fill whole control units: gating must save more */
    cr_assert_gt(saving[1][0], saving[0][0]);
    cr_assert_gt(saving[1][0], 0.0);
}

/* Every counter name the testbench reports (tb/dut.c, dut_cnt_names) is an
 * event here: the one place an RTL counter list change must be mirrored. */
Test(act, testbench_counter_names_all_map)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tb/dut.c", tu_src_dir());
    FILE *f = fopen(path, "r");
    if (!f)
        cr_skip_test("no %s", path);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char *s = strstr(text, "dut_cnt_names[DUT_NCNT] = {");
    cr_assert(s, "dut_cnt_names not found in %s", path);
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
        found++;
        s = q + 1;
    }
    cr_assert_eq(found, ACT_NEVENTS, "%d testbench counters, %d events", found, ACT_NEVENTS);
}

/* energy.c - technology profiles and the energy model (see energy.h, docs/ENERGY.md). */
#include "power/energy.h"
#include "model/bnn_model.h"   /* bnn_bitlen */
#include "util/infile.h"

#include "util/num.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- the profile keys: one table, the file format's single truth ---- */

typedef struct key_def {
    const char *key;
    size_t off;             /* offsetof(energy_profile, field) */
    int is_int;             /* 1: an int field, the value must be a whole number */
    const char *unit;
    double lo, hi;          /* accepted range */
    int lo_open;            /* 1: value must be > lo, 0: >= lo */
} key_def;

#define K(field, unit, lo, hi, open) {#field, offsetof(energy_profile, field), 0, unit, lo, hi, open}
#define KI(field, unit, lo, hi) {#field, offsetof(energy_profile, field), 1, unit, lo, hi, 0}
static const key_def keys[] = {
    K(vdd_v, "V", 0.0, 5.0, 1),
    K(clock_period_ns, "ns", 0.0, 1e6, 1),
    K(wire_cap_ff_per_um, "fF/um", 0.0, 10.0, 0),
    K(cell_height_um, "um", 0.0, 100.0, 1),
    K(cell_width_um, "um", 0.0, 100.0, 1),
    K(rwl_gate_cap_ff, "fF", 0.0, 1e3, 0),
    K(rbl_drain_cap_ff, "fF", 0.0, 1e3, 0),
    K(lbl_fixed_cap_ff, "fF", 0.0, 1e3, 0),
    K(lbl_swing_v, "V", 0.0, 5.0, 1),
    K(pch_gate_cap_ff, "fF", 0.0, 1e3, 0),
    K(sa_cap_ff, "fF", 0.0, 1e3, 0),
    K(sa_lsb_ref_mv, "mV", 0.0, 5000.0, 1),
    K(sa_lsb_exponent, "(0 none | 1 Walden | 2 noise-limited)", 0.0, 2.0, 0),
    KI(local_eval_style, "0 sar | 1 digital", 0.0, 1.0),
    K(gbl_tap_cap_ff, "fF", 0.0, 1e3, 0),
    K(gbl_swing_v, "V", 0.0, 5.0, 1),
    K(logic_cap_ff_per_ge, "fF", 0.0, 1e3, 0),
    K(logic_activity, "transitions/GE/op", 0.0, 10.0, 0),
    K(acc_ge_per_bit, "GE", 0.0, 1e3, 0),
    K(popcount_ge_per_row, "GE", 0.0, 1e3, 0),
    K(check_ge_per_row, "GE", 0.0, 1e3, 0),
    K(flop_ge, "GE", 0.0, 1e3, 0),
    K(footer_gate_cap_ff, "fF", 0.0, 1e3, 0),
    K(header_gate_cap_ff, "fF", 0.0, 1e3, 0),
    K(vgnd_cell_cap_ff, "fF", 0.0, 1e3, 0),
    K(footer_drain_cap_ff, "fF", 0.0, 1e3, 0),
    K(wwl_gate_cap_ff, "fF", 0.0, 1e3, 0),
    K(wbl_drain_cap_ff, "fF", 0.0, 1e3, 0),
    K(cell_node_cap_ff, "fF", 0.0, 1e3, 0),
    K(ioff_pa_per_um, "pA/um", 0.0, 1e9, 0),
    K(cell_leak_width_um, "um", 0.0, 100.0, 0),
    K(leak_retention_fraction, "fraction", 0.0, 1.0, 0),
};
#undef K
#undef KI
enum { NKEYS = (int)(sizeof keys / sizeof keys[0]) };

static void set_field(energy_profile *p, const key_def *k, double v)
{
    char *base = (char *)p + k->off;
    if (k->is_int)
        *(int *)(void *)base = (int)v;
    else
        *(double *)(void *)base = v;
}

static double get_field(const energy_profile *p, const key_def *k)
{
    const char *base = (const char *)p + k->off;
    return k->is_int ? (double)*(const int *)(const void *)base : *(const double *)(const void *)base;
}

static int key_index(const char *key)
{
    for (int i = 0; i < NKEYS; i++)
        if (strcmp(keys[i].key, key) == 0)
            return i;
    return -1;
}

/* Trims leading and trailing white space in place; returns the start. */
static char *trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static void base_name(const char *path, char *out, size_t len)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    snprintf(out, len, "%s", b);
    size_t n = strlen(out);
    if (n > 4 && strcmp(out + n - 4, ".txt") == 0)
        out[n - 4] = '\0';
}

int energy_profile_parse(const char *text, const char *name, energy_profile *p, bnn_error *err)
{
    if (!text || !name || !p) {
        bnn_set_err(err, "energy_profile_parse: NULL argument");
        return -1;
    }
    energy_profile tmp;
    memset(&tmp, 0, sizeof tmp);
    base_name(name, tmp.name, sizeof tmp.name);
    int seen[NKEYS] = {0};
    int lineno = 0;
    const char *s = text;
    while (*s) {
        lineno++;
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        char line[1024];
        if (n >= sizeof line) {
            bnn_set_err(err, "%s:%d: line longer than %zu characters", name, lineno, sizeof line - 1);
            return -1;
        }
        memcpy(line, s, n);
        line[n] = '\0';
        s = e ? e + 1 : s + n;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *l = trim(line);
        if (*l == '\0')
            continue;
        char *eq = strchr(l, '=');
        if (!eq) {
            char q[80];
            bnn_quote(q, sizeof q, l, 40);
            bnn_set_err(err, "%s:%d: expected 'key = value', got '%s'", name, lineno, q);
            return -1;
        }
        *eq = '\0';
        char *key = trim(l), *val = trim(eq + 1);
        int ki = key_index(key);
        if (ki < 0) {
            char q[80];
            bnn_quote(q, sizeof q, key, 40);
            bnn_set_err(err, "%s:%d: unknown key '%s'", name, lineno, q);
            return -1;
        }
        if (seen[ki]) {
            bnn_set_err(err, "%s:%d: key '%s' given twice (first on line %d)", name, lineno, key, seen[ki]);
            return -1;
        }
        if (*val == '\0') {
            bnn_set_err(err, "%s:%d: missing value for key '%s'", name, lineno, key);
            return -1;
        }
        double v;
        if (num_parse_real(val, &v)) {
            char q[80];
            bnn_quote(q, sizeof q, val, 40);
            bnn_set_err(err, "%s:%d: bad number '%s' for key '%s' (%s): expected a decimal number", name, lineno, q, key,
                    keys[ki].unit);
            return -1;
        }
        const key_def *k = &keys[ki];
        if ((k->lo_open ? !(v > k->lo) : !(v >= k->lo)) || v > k->hi) {
            bnn_set_err(err, "%s:%d: %s = %g out of range %c%g, %g] %s", name, lineno, key, v, k->lo_open ? '(' : '[',
                    k->lo, k->hi, k->unit);
            return -1;
        }
        if (k->is_int && v != floor(v)) {
            bnn_set_err(err, "%s:%d: %s = %g is not a whole number (%s)", name, lineno, key, v, k->unit);
            return -1;
        }
        set_field(&tmp, k, v);
        seen[ki] = lineno;
    }
    for (int i = 0; i < NKEYS; i++) {
        if (!seen[i]) {
            bnn_set_err(err, "%s: missing key '%s' (%s)", name, keys[i].key, keys[i].unit);
            return -1;
        }
    }
    if (tmp.lbl_swing_v > tmp.vdd_v || tmp.gbl_swing_v > tmp.vdd_v) {
        const char *k = tmp.lbl_swing_v > tmp.vdd_v ? "lbl_swing_v" : "gbl_swing_v";
        bnn_set_err(err, "%s:%d: %s above vdd_v = %g V", name, seen[key_index(k)], k, tmp.vdd_v);
        return -1;
    }
    /* the reference LSB is one cell's step of some line: at most the full swing (a one-row line) */
    if (tmp.sa_lsb_ref_mv > 1000.0 * tmp.lbl_swing_v) {
        bnn_set_err(err, "%s:%d: sa_lsb_ref_mv = %g mV above lbl_swing_v = %g V (an LSB is at most the full swing)", name,
                seen[key_index("sa_lsb_ref_mv")], tmp.sa_lsb_ref_mv, tmp.lbl_swing_v);
        return -1;
    }
    *p = tmp;
    return 0;
}

int energy_profile_load(const char *path, energy_profile *p, bnn_error *err)
{
    char *buf;
    size_t len;
    if (in_read_all(path, (size_t)1 << 24, "an energy profile", &buf, &len, err))
        return -1;
    if (memchr(buf, '\0', len)) {
        free(buf);
        bnn_set_err(err, "%s: not a text file (NUL byte)", path);
        return -1;
    }
    int rc = energy_profile_parse(buf, path, p, err);
    free(buf);
    return rc;
}

/* ---- geometry ---- */

energy_geom energy_geom_default(void)
{
    energy_geom g = {.rows = 256, .cols = 64, .seg_rows = 16, .col_group = 8, .acc_w = 32};
    return g;
}

int energy_geom_check(const energy_geom *g, bnn_error *err)
{
    if (!g) {
        bnn_set_err(err, "energy geometry: NULL");
        return -1;
    }
    if (g->rows < 1 || g->cols < 1 || g->seg_rows < 1 || g->col_group < 1 || g->acc_w < 1 || g->rows > (1 << 20) ||
        g->cols > (1 << 20) || g->acc_w > 1024) {
        bnn_set_err(err, "energy geometry: rows %d, cols %d, seg_rows %d, col_group %d, acc_w %d: sizes out of range",
                g->rows, g->cols, g->seg_rows, g->col_group, g->acc_w);
        return -1;
    }
    if (g->rows % g->seg_rows != 0) {
        bnn_set_err(err, "energy geometry: seg_rows %d does not divide rows %d", g->seg_rows, g->rows);
        return -1;
    }
    if (g->cols % g->col_group != 0) {
        bnn_set_err(err, "energy geometry: col_group %d does not divide cols %d", g->col_group, g->cols);
        return -1;
    }
    return 0;
}

/* ---- components ---- */

static const char *const comp_names[ENERGY_NCOMP] = {
    "wordline", "precharge", "eval", "transfer", "accumulate", "control", "gating", "write", "read", "leakage",
};

const char *energy_comp_name(energy_comp c)
{
    return ((int)c >= 0 && (int)c < ENERGY_NCOMP) ? comp_names[c] : NULL;
}

int energy_event_comp(act_event e)
{
    switch (e) {
    case ACT_WORDLINE_PULSES: return ENERGY_WORDLINE;
    case ACT_PRECHARGES:
    case ACT_RECHARGE_STEPS: return ENERGY_PRECHARGE;
    case ACT_LOCAL_EVALS: return ENERGY_EVAL;
    case ACT_TRANSFERS: return ENERGY_TRANSFER;
    case ACT_ACC_UPDATES: return ENERGY_ACCUMULATE;
    case ACT_COMPUTE_OPS:
    case ACT_CHECKS:
    case ACT_PLANES_SKIPPED:
    case ACT_INDEX_BITS:
    case ACT_ZERO_FLAG_WRITES: return ENERGY_CONTROL;
    case ACT_C1_TOGGLES:
    case ACT_C2_TOGGLES:
    case ACT_FOOTER_WAKEUPS: return ENERGY_GATING;
    case ACT_WEIGHT_ROW_WRITES:
    case ACT_WRITE_BITS_FLIPPED: return ENERGY_WRITE;
    case ACT_READ_OPS: return ENERGY_READ;
    default: return -1;
    }
}

/* ---- derivation: every per-event energy from primitives and geometry ---- */

/* Flip-flops of the lookahead register (rtl/cim_sparse_ctrl.v): the word-line
 * drivers' input latch (rows), X (bitlen(rows)), the column mask (cols),
 * valid/first/last/plane[4] (7); the hierarchical macro adds the gating flag,
 * gated and mapped per segment (1 + 2 nseg) and the C1, C2 and SE registers
 * per (column group, segment) (3 ngrp nseg). */
static int lookahead_flops(const energy_geom *g, int nseg, int flat)
{
    int n = g->rows + bnn_bitlen((unsigned)g->rows) + g->cols + 7;
    if (!flat)
        n += 1 + 2 * nseg + 3 * (g->cols / g->col_group) * nseg;
    return n;
}

static int derive(const energy_profile *p, const energy_geom *g0, int flat, energy_table *t, bnn_error *err)
{
    if (!p || !t) {
        bnn_set_err(err, "energy_table_derive: NULL argument");
        return -1;
    }
    if (energy_geom_check(g0, err) != 0)
        return -1;
    energy_geom gg = *g0;
    if (flat)
        gg.seg_rows = gg.rows;      /* one unsegmented bit line of rows cells per column */
    const energy_geom *g = &gg;
    memset(t, 0, sizeof *t);
    t->geom = gg;
    t->flat = flat;
    t->nseg = g->rows / g->seg_rows;
    t->local_eval_style = p->local_eval_style;
    const double v = p->vdd_v, v2 = v * v, w = p->wire_cap_ff_per_um;
    const int sr = g->seg_rows;
    double *e = t->e_event_fj;

    /* read word line: cols cells, each a read-access gate plus a cell width of wire; one
     * pulse (up and down) draws C*V^2 from the supply */
    t->c_rwl_ff = g->cols * (p->rwl_gate_cap_ff + p->cell_width_um * w);
    e[ACT_WORDLINE_PULSES] = t->c_rwl_ff * v2;

    /* local bit line: seg_rows cells (cell height of wire + a drain) plus the fixed part;
     * seg_rows conducting cells use the full swing, so one cell moves it by dV_step. The
     * precharge restores the charge evaluations removed, C_lbl*VDD*dV_step per step
     * (NeuroSim's C*V*dV), billed when restored (recharge_steps) */
    t->c_lbl_ff = sr * (p->cell_height_um * w + p->rbl_drain_cap_ff) + p->lbl_fixed_cap_ff;
    t->dv_step_v = p->lbl_swing_v / sr;
    e[ACT_RECHARGE_STEPS] = t->c_lbl_ff * v * t->dv_step_v;
    /* precharge driver: the precharge device's gate and a cell width of its control wire,
     * pulsed once per precharge of a line */
    t->c_pch_ff = p->pch_gate_cap_ff + p->cell_width_um * w;
    e[ACT_PRECHARGES] = t->c_pch_ff * v2;

    /* digital logic: one gate-equivalent transition draws C*V^2/2 on average */
    t->e_ge_fj = 0.5 * p->logic_cap_ff_per_ge * v2;

    /* local sense stage, per line sensed: SAR, bitlen(seg_rows) latch comparisons resolve
     * seg_rows+1 levels; digital, a counter tree of seg_rows 1-bit inputs as (seg_rows-1)
     * full adders of popcount_ge_per_row GE each.
     * The comparator resolves the line's LSB, one cell's step lbl_swing/seg_rows; sa_cap is
     * sized for sa_lsb_ref, and a finer LSB needs a larger latch: energy per comparison
     * sa_cap*V^2*(lsb_ref/lsb)^alpha (alpha 1: Walden, energy ~ 2^ENOB; 2: offset / kT/C
     * limited, C ~ 1/LSB^2; 0: unscaled). One comparator sized for the final LSB makes
     * every comparison of the search. The adder tree has no LSB: not scaled */
    t->n_cmp = bnn_bitlen((unsigned)sr);
    t->lsb_mv = 1000.0 * t->dv_step_v;
    t->sa_lsb_scale = pow(p->sa_lsb_ref_mv / t->lsb_mv, p->sa_lsb_exponent);
    t->e_cmp_fj = p->sa_cap_ff * v2 * t->sa_lsb_scale;
    t->e_eval_sar_fj = t->n_cmp * t->e_cmp_fj;
    t->e_eval_digital_fj = (sr - 1) * p->popcount_ge_per_row * p->logic_activity * t->e_ge_fj;
    e[ACT_LOCAL_EVALS] = p->local_eval_style == ENERGY_EVAL_DIGITAL ? t->e_eval_digital_fj : t->e_eval_sar_fj;

    /* transfer: the global line (nseg x c_gbl_seg) moves by gbl_swing/nseg per transfer,
     * restored from VDD: E = nseg*c_gbl_seg * VDD * gbl_swing/nseg = c_gbl_seg*VDD*gbl_swing */
    t->c_gbl_seg_ff = sr * p->cell_height_um * w + p->gbl_tap_cap_ff;
    e[ACT_TRANSFERS] = t->c_gbl_seg_ff * v * p->gbl_swing_v;

    e[ACT_ACC_UPDATES] = g->acc_w * p->acc_ge_per_bit * p->logic_activity * t->e_ge_fj;
    /* per array cycle: the X popcount and the lookahead register, clocked */
    t->e_popcount_fj = g->rows * p->popcount_ge_per_row * p->logic_activity * t->e_ge_fj;
    t->n_la_ff = lookahead_flops(g, t->nseg, flat);
    t->e_lookahead_fj = t->n_la_ff * p->flop_ge * p->logic_activity * t->e_ge_fj;
    e[ACT_COMPUTE_OPS] = t->e_popcount_fj + t->e_lookahead_fj;
    /* one segment's zero check (a seg_rows-input NOR); a skipped plane's zero detect is
     * every segment's */
    e[ACT_CHECKS] = sr * p->check_ge_per_row * p->logic_activity * t->e_ge_fj;
    e[ACT_PLANES_SKIPPED] = t->nseg * e[ACT_CHECKS];
    /* the channel skip's gather reads one bit of the live-channel mask (a flip-flop
     * the SE's gate output was latched in) per channel and job */
    e[ACT_INDEX_BITS] = p->flop_ge * p->logic_activity * t->e_ge_fj;
    /* SET_ZF: one segment's row of the stored-zero flag bank (rtl/cim_zero_flags.v,
     * ngrp flip-flops) loaded. The bank's ngrp*nseg flops are enabled only by a
     * SET_ZF and hold otherwise, so they are billed per write, not with the
     * lookahead register that every array cycle loads */
    t->n_zf_ff = (g->cols / g->col_group) * t->nseg;
    e[ACT_ZERO_FLAG_WRITES] = (g->cols / g->col_group) * p->flop_ge * p->logic_activity * t->e_ge_fj;

    /* C1 and C2 over one segment x column group: col_group footer / header gates plus
     * col_group cell widths of wire; one transition draws C*V^2/2 */
    t->c_c1_ff = g->col_group * (p->footer_gate_cap_ff + p->cell_width_um * w);
    t->c_c2_ff = g->col_group * (p->header_gate_cap_ff + p->cell_width_um * w);
    e[ACT_C1_TOGGLES] = 0.5 * t->c_c1_ff * v2;
    e[ACT_C2_TOGGLES] = 0.5 * t->c_c2_ff * v2;
    /* footer wake-up: the virtual ground of one segment x column (seg_rows read-stack
     * sources, seg_rows cell heights of wire, the footer's drain) floated up while the
     * footer was off and is pulled back down: a full recharge, C_vgnd*V^2 */
    t->c_vgnd_ff = sr * (p->vgnd_cell_cap_ff + p->cell_height_um * w) + p->footer_drain_cap_ff;
    e[ACT_FOOTER_WAKEUPS] = t->c_vgnd_ff * v2;

    /* write: a write word-line pulse per row; per flipped bit, both storage nodes
     * (2*C_node*V^2) and the write bit line that drives the new value (C_wbl*V^2) */
    t->c_wwl_ff = g->cols * (p->wwl_gate_cap_ff + p->cell_width_um * w);
    e[ACT_WEIGHT_ROW_WRITES] = t->c_wwl_ff * v2;
    t->c_wbl_ff = g->rows * (p->cell_height_um * w + p->wbl_drain_cap_ff);
    e[ACT_WRITE_BITS_FLIPPED] = (2.0 * p->cell_node_cap_ff + t->c_wbl_ff) * v2;

    /* read (plain memory): one word-line pulse; per column a precharge, one comparison (the
     * same sense amplifier resolving the same one-cell step: e_cmp_fj, in either foot style),
     * and for the half of the bits assumed 1 a one-step restore and (hierarchical: the sensed
     * line is the local one) a transfer to the global line; the flat line is sensed itself */
    e[ACT_READ_OPS] = e[ACT_WORDLINE_PULSES] +
                      g->cols * (e[ACT_PRECHARGES] + t->e_cmp_fj +
                                 0.5 * (e[ACT_RECHARGE_STEPS] + (flat ? 0.0 : e[ACT_TRANSFERS])));

    /* leakage: pA/um x um x V = pW per cell; one line = seg_rows cells; pW x ns = 1e-6 fJ.
     * A line whose footer is off leaks at the retention fraction */
    t->p_leak_cell_pw = p->ioff_pa_per_um * p->cell_leak_width_um * v;
    t->leak_line_active_fj = (double)sr * t->p_leak_cell_pw * p->clock_period_ns * 1e-6;
    t->leak_line_off_fj = t->leak_line_active_fj * p->leak_retention_fraction;
    return 0;
}

int energy_table_derive(const energy_profile *p, const energy_geom *g, energy_table *t, bnn_error *err)
{
    return derive(p, g, 0, t, err);
}

int energy_table_derive_flat(const energy_profile *p, const energy_geom *g, energy_table *t, bnn_error *err)
{
    return derive(p, g, 1, t, err);
}

int energy_model_derive(const energy_profile *p, const energy_geom *g, energy_model *m, bnn_error *err)
{
    if (!m) {
        bnn_set_err(err, "energy_model_derive: NULL argument");
        return -1;
    }
    if (derive(p, g, 0, &m->hier, err) != 0)
        return -1;
    return derive(p, g, 1, &m->flat, err);
}

const energy_table *energy_model_table(const energy_model *m, act_ref ref)
{
    if (!m || (int)ref < 0 || (int)ref >= ACT_NREF)
        return NULL;
    return ref == ACT_REF_FLAT ? &m->flat : &m->hier;
}

int energy_compute(const energy_table *t, const act_counts *c, energy_result *r, bnn_error *err)
{
    if (!t || !c || !r) {
        bnn_set_err(err, "energy_compute: NULL argument");
        return -1;
    }
    memset(r, 0, sizeof *r);
    for (int i = 0; i < ACT_NEVENTS; i++) {
        int comp = energy_event_comp((act_event)i);
        if (comp < 0)
            continue;
        double ej = (double)c->n[i] * t->e_event_fj[i];
        r->event_fj[i] = ej;
        r->comp_fj[comp] += ej;
    }
    /* every clock every line leaks; lines whose footer is off at the retention level */
    uint64_t per = (uint64_t)t->nseg * (uint64_t)t->geom.cols;
    uint64_t cyc = c->n[ACT_CYCLES], off = c->n[ACT_FOOTER_OFF];
    if (cyc <= UINT64_MAX / per && off > cyc * per) {
        bnn_set_err(err, "energy: %llu footer-off line-cycles exceed cycles (%llu) x lines (%llu)",
                (unsigned long long)off, (unsigned long long)cyc, (unsigned long long)per);
        return -1;
    }
    double lines = (double)cyc * (double)per;
    r->comp_fj[ENERGY_LEAKAGE] = (lines - (double)off) * t->leak_line_active_fj + (double)off * t->leak_line_off_fj;
    for (int k = 0; k < ENERGY_NCOMP; k++)
        r->total_fj += r->comp_fj[k];
    r->has_ops = c->ops > 0;
    r->fj_per_op = r->has_ops ? r->total_fj / (double)c->ops : 0.0;
    return 0;
}

int energy_summarize(const energy_model *m, const act_counts c[ACT_NREF], int have_ref, energy_summary *s,
                     bnn_error *err)
{
    if (!m || !c || !s) {
        bnn_set_err(err, "energy_summarize: NULL argument");
        return -1;
    }
    memset(s, 0, sizeof *s);
    s->have_ref = have_ref != 0;
    for (int k = 0; k < (s->have_ref ? ACT_NREF : 1); k++) {
        bnn_error e2;
        if (energy_compute(energy_model_table(m, (act_ref)k), &c[k], &s->e[k], &e2) != 0) {
            bnn_set_err(err, "%s: %s", act_ref_name((act_ref)k), e2.msg);
            return -1;
        }
    }
    const double eg = s->e[ACT_REF_GATED].total_fj, es = s->e[ACT_REF_STATIC].total_fj,
                 ef = s->e[ACT_REF_FLAT].total_fj;
    if (s->have_ref) {
        s->saving_fraction = es > 0 ? 1.0 - eg / es : 0.0;
        s->hierarchy_saving_fraction = ef > 0 ? 1.0 - es / ef : 0.0;
        s->cycles_static = c[ACT_REF_STATIC].n[ACT_CYCLES];
    }
    s->gated_fraction_data = act_gated_fraction_data(&c[ACT_REF_GATED]);
    s->unmapped_fraction = act_unmapped_fraction(&c[ACT_REF_GATED]);
    s->cycles = c[ACT_REF_GATED].n[ACT_CYCLES];
    s->cycles_skipped = c[ACT_REF_GATED].n[ACT_PLANES_SKIPPED];
    return 0;
}

/* ---- the derivation table ---- */

/* The quantities that depend on seg_rows (printed for both tables). */
static void print_line_terms(FILE *f, const energy_profile *p, const energy_table *t)
{
    const double v = p->vdd_v, w = p->wire_cap_ff_per_um;
    const energy_geom *g = &t->geom;
    fprintf(f, "  C_lbl  = seg_rows*(cell_h*wire + rbl_drain) + lbl_fixed = %d*(%g*%g + %g) + %g = %.4g fF\n",
            g->seg_rows, p->cell_height_um, w, p->rbl_drain_cap_ff, p->lbl_fixed_cap_ff, t->c_lbl_ff);
    fprintf(f, "  dV_step = lbl_swing/seg_rows                  = %g/%d = %.4g V\n", p->lbl_swing_v, g->seg_rows,
            t->dv_step_v);
    fprintf(f, "  E_recharge_step = C_lbl*V*dV_step             = %.4g*%g*%.4g = %.4g fJ\n", t->c_lbl_ff, v,
            t->dv_step_v, t->e_event_fj[ACT_RECHARGE_STEPS]);
    fprintf(f, "  n_cmp  = bitlen(seg_rows)                     = %d comparisons\n", t->n_cmp);
    fprintf(f, "  LSB    = lbl_swing/seg_rows                   = %g/%d = %.4g mV\n", p->lbl_swing_v, g->seg_rows,
            t->lsb_mv);
    fprintf(f, "  k_lsb  = (sa_lsb_ref/LSB)^alpha               = (%g/%.4g)^%g = %.4g\n", p->sa_lsb_ref_mv, t->lsb_mv,
            p->sa_lsb_exponent, t->sa_lsb_scale);
    fprintf(f, "  E_cmp  = sa_cap*V^2*k_lsb                     = %g*%g^2*%.4g = %.4g fJ per comparison\n",
            p->sa_cap_ff, v, t->sa_lsb_scale, t->e_cmp_fj);
    fprintf(f, "  E_eval_sar = n_cmp*E_cmp                      = %d*%.4g = %.4g fJ%s\n", t->n_cmp, t->e_cmp_fj,
            t->e_eval_sar_fj, t->local_eval_style == ENERGY_EVAL_SAR ? "  (billed)" : "");
    fprintf(f, "  E_eval_digital = (seg_rows-1)*pop_ge*activity*E_ge = %d*%g*%g*%.4g = %.4g fJ (no LSB: unscaled)%s\n",
            g->seg_rows - 1, p->popcount_ge_per_row, p->logic_activity, t->e_ge_fj, t->e_eval_digital_fj,
            t->local_eval_style == ENERGY_EVAL_DIGITAL ? "  (billed)" : "");
    fprintf(f, "  C_gbl_seg = seg_rows*cell_h*wire + gbl_tap    = %d*%g*%g + %g = %.4g fF\n", g->seg_rows,
            p->cell_height_um, w, p->gbl_tap_cap_ff, t->c_gbl_seg_ff);
    fprintf(f, "  E_transfer = C_gbl_seg*V*gbl_swing            = %.4g*%g*%g = %.4g fJ\n", t->c_gbl_seg_ff, v,
            p->gbl_swing_v, t->e_event_fj[ACT_TRANSFERS]);
    fprintf(f, "  n_la   = lookahead register flip-flops        = %d\n", t->n_la_ff);
    fprintf(f, "  E_lookahead = n_la*flop_ge*activity*E_ge      = %d*%g*%g*%.4g = %.4g fJ\n", t->n_la_ff, p->flop_ge,
            p->logic_activity, t->e_ge_fj, t->e_lookahead_fj);
    fprintf(f, "  E_compute_op = E_popcount + E_lookahead       = %.4g + %.4g = %.4g fJ\n", t->e_popcount_fj,
            t->e_lookahead_fj, t->e_event_fj[ACT_COMPUTE_OPS]);
    fprintf(f, "  E_line_leak = seg_rows*P_leak*T               = %d*%.4g pW*%g ns = %.4g fJ per line-clock\n",
            g->seg_rows, t->p_leak_cell_pw, p->clock_period_ns, t->leak_line_active_fj);
    fprintf(f, "  E_line_leak_off = retention*E_line_leak       = %g*%.4g = %.4g fJ per footer-off line-clock\n",
            p->leak_retention_fraction, t->leak_line_active_fj, t->leak_line_off_fj);
}

int energy_profile_print(FILE *f, const energy_profile *p, const energy_geom *g, bnn_error *err)
{
    energy_model m;
    if (!f) {
        bnn_set_err(err, "energy_profile_print: NULL stream");
        return -1;
    }
    if (energy_model_derive(p, g, &m, err) != 0)
        return -1;
    const energy_table *t = &m.hier;
    const double v = p->vdd_v, w = p->wire_cap_ff_per_um;
    fprintf(f, "energy profile %s\n", p->name);
    fprintf(f, "geometry: rows %d, cols %d, seg_rows %d (%d segments), col_group %d, acc_w %d\n", g->rows, g->cols,
            g->seg_rows, t->nseg, g->col_group, g->acc_w);
    fprintf(f, "column foot: %s\n", p->local_eval_style == ENERGY_EVAL_DIGITAL
                                         ? "digital local adder tree (local_eval_style = 1)"
                                         : "analog local line + SAR sense (local_eval_style = 0)");
    fprintf(f, "\nprimitives:\n");
    for (int i = 0; i < NKEYS; i++)
        fprintf(f, "  %-26s = %-12g %s\n", keys[i].key, get_field(p, &keys[i]), keys[i].unit);
    fprintf(f, "\nderived, hierarchical macro (C in fF, V in V, E in fJ):\n");
    fprintf(f, "  C_rwl  = cols*(rwl_gate + cell_w*wire)        = %d*(%g + %g*%g) = %.4g fF\n", g->cols,
            p->rwl_gate_cap_ff, p->cell_width_um, w, t->c_rwl_ff);
    fprintf(f, "  E_wordline_pulse = C_rwl*V^2                  = %.4g*%g^2 = %.4g fJ\n", t->c_rwl_ff, v,
            t->e_event_fj[ACT_WORDLINE_PULSES]);
    fprintf(f, "  C_pch  = pch_gate + cell_w*wire               = %g + %g*%g = %.4g fF\n", p->pch_gate_cap_ff,
            p->cell_width_um, w, t->c_pch_ff);
    fprintf(f, "  E_precharge = C_pch*V^2                       = %.4g*%g^2 = %.4g fJ\n", t->c_pch_ff, v,
            t->e_event_fj[ACT_PRECHARGES]);
    fprintf(f, "  E_ge   = logic_cap*V^2/2                      = %g*%g^2/2 = %.4g fJ per GE transition\n",
            p->logic_cap_ff_per_ge, v, t->e_ge_fj);
    fprintf(f, "  E_acc_update = acc_w*acc_ge*activity*E_ge     = %d*%g*%g*%.4g = %.4g fJ\n", g->acc_w,
            p->acc_ge_per_bit, p->logic_activity, t->e_ge_fj, t->e_event_fj[ACT_ACC_UPDATES]);
    fprintf(f, "  E_popcount = rows*pop_ge*activity*E_ge        = %d*%g*%g*%.4g = %.4g fJ\n", g->rows,
            p->popcount_ge_per_row, p->logic_activity, t->e_ge_fj, t->e_popcount_fj);
    print_line_terms(f, p, t);
    fprintf(f, "  E_check = seg_rows*check_ge*activity*E_ge     = %d*%g*%g*%.4g = %.4g fJ\n", g->seg_rows,
            p->check_ge_per_row, p->logic_activity, t->e_ge_fj, t->e_event_fj[ACT_CHECKS]);
    fprintf(f, "  E_plane_skipped = nseg*E_check                = %d*%.4g = %.4g fJ\n", t->nseg,
            t->e_event_fj[ACT_CHECKS], t->e_event_fj[ACT_PLANES_SKIPPED]);
    fprintf(f, "  E_index_bit = flop_ge*activity*E_ge           = %g*%g*%.4g = %.4g fJ\n", p->flop_ge,
            p->logic_activity, t->e_ge_fj, t->e_event_fj[ACT_INDEX_BITS]);
    fprintf(f, "  E_zero_flag_write = ngrp*flop_ge*activity*E_ge = %d*%g*%g*%.4g = %.4g fJ (bank of %d flops)\n",
            g->cols / g->col_group, p->flop_ge, p->logic_activity, t->e_ge_fj, t->e_event_fj[ACT_ZERO_FLAG_WRITES],
            t->n_zf_ff);
    fprintf(f, "  C_C1   = col_group*(footer_gate + cell_w*wire) = %d*(%g + %g*%g) = %.4g fF\n", g->col_group,
            p->footer_gate_cap_ff, p->cell_width_um, w, t->c_c1_ff);
    fprintf(f, "  E_c1_toggle = C_C1*V^2/2                      = %.4g*%g^2/2 = %.4g fJ\n", t->c_c1_ff, v,
            t->e_event_fj[ACT_C1_TOGGLES]);
    fprintf(f, "  C_C2   = col_group*(header_gate + cell_w*wire) = %d*(%g + %g*%g) = %.4g fF\n", g->col_group,
            p->header_gate_cap_ff, p->cell_width_um, w, t->c_c2_ff);
    fprintf(f, "  E_c2_toggle = C_C2*V^2/2                      = %.4g*%g^2/2 = %.4g fJ\n", t->c_c2_ff, v,
            t->e_event_fj[ACT_C2_TOGGLES]);
    fprintf(f, "  C_vgnd = seg_rows*(vgnd_cell + cell_h*wire) + footer_drain = %d*(%g + %g*%g) + %g = %.4g fF\n",
            g->seg_rows, p->vgnd_cell_cap_ff, p->cell_height_um, w, p->footer_drain_cap_ff, t->c_vgnd_ff);
    fprintf(f, "  E_footer_wakeup = C_vgnd*V^2                  = %.4g*%g^2 = %.4g fJ\n", t->c_vgnd_ff, v,
            t->e_event_fj[ACT_FOOTER_WAKEUPS]);
    fprintf(f, "  C_wwl  = cols*(wwl_gate + cell_w*wire)        = %d*(%g + %g*%g) = %.4g fF\n", g->cols,
            p->wwl_gate_cap_ff, p->cell_width_um, w, t->c_wwl_ff);
    fprintf(f, "  E_row_write = C_wwl*V^2                       = %.4g*%g^2 = %.4g fJ\n", t->c_wwl_ff, v,
            t->e_event_fj[ACT_WEIGHT_ROW_WRITES]);
    fprintf(f, "  C_wbl  = rows*(cell_h*wire + wbl_drain)       = %d*(%g*%g + %g) = %.4g fF\n", g->rows,
            p->cell_height_um, w, p->wbl_drain_cap_ff, t->c_wbl_ff);
    fprintf(f, "  E_bit_flip = (2*C_node + C_wbl)*V^2           = (2*%g + %.4g)*%g^2 = %.4g fJ\n",
            p->cell_node_cap_ff, t->c_wbl_ff, v, t->e_event_fj[ACT_WRITE_BITS_FLIPPED]);
    fprintf(f, "  E_read = E_wl + cols*(E_pch + E_cmp + (E_step + E_transfer)/2) = %.4g fJ\n",
            t->e_event_fj[ACT_READ_OPS]);
    fprintf(f, "  P_leak_cell = ioff*leak_width*V               = %g*%g*%g = %.4g pW\n", p->ioff_pa_per_um,
            p->cell_leak_width_um, v, t->p_leak_cell_pw);
    fprintf(f, "\nderived, flat macro (one bit line of %d cells per column, same profile):\n", g->rows);
    print_line_terms(f, p, &m.flat);
    fprintf(f, "  E_read = E_wl + cols*(E_pch + E_cmp + E_step/2) (no transfer) = %.4g fJ\n",
            m.flat.e_event_fj[ACT_READ_OPS]);
    fprintf(f, "\nper-event energy (fJ per event):\n");
    fprintf(f, "  %-28s %12s %12s  %s\n", "event", "hierarchical", "flat", "component");
    for (int i = 0; i < ACT_NEVENTS; i++) {
        int comp = energy_event_comp((act_event)i);
        fprintf(f, "  %-28s %12.5g %12.5g  %s\n", act_event_name((act_event)i), t->e_event_fj[i],
                m.flat.e_event_fj[i], comp < 0 ? "(no own energy)" : energy_comp_name((energy_comp)comp));
    }
    fprintf(f, "  %-28s %12.5g %12.5g  leakage (per line, every clock)\n", "leak_line_active", t->leak_line_active_fj,
            m.flat.leak_line_active_fj);
    fprintf(f, "  %-28s %12.5g %12.5g  leakage (per footer-off line-clock)\n", "leak_line_footer_off",
            t->leak_line_off_fj, m.flat.leak_line_off_fj);
    return 0;
}

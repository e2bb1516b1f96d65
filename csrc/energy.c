/* energy.c - technology profiles and the energy model (see energy.h, docs/ENERGY.md). */
#include "energy.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static void set_err(bnn_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

/* ---- the profile keys: one table, the file format's single truth ---- */

typedef struct key_def {
    const char *key;
    size_t off;             /* offsetof(energy_profile, field) */
    const char *unit;
    double lo, hi;          /* accepted range */
    int lo_open;            /* 1: value must be > lo, 0: >= lo */
} key_def;

#define K(field, unit, lo, hi, open) {#field, offsetof(energy_profile, field), unit, lo, hi, open}
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
    K(gbl_tap_cap_ff, "fF", 0.0, 1e3, 0),
    K(gbl_swing_v, "V", 0.0, 5.0, 1),
    K(logic_cap_ff_per_ge, "fF", 0.0, 1e3, 0),
    K(logic_activity, "transitions/GE/op", 0.0, 10.0, 0),
    K(acc_ge_per_bit, "GE", 0.0, 1e3, 0),
    K(popcount_ge_per_row, "GE", 0.0, 1e3, 0),
    K(check_ge_per_row, "GE", 0.0, 1e3, 0),
    K(footer_gate_cap_ff, "fF", 0.0, 1e3, 0),
    K(header_gate_cap_ff, "fF", 0.0, 1e3, 0),
    K(wwl_gate_cap_ff, "fF", 0.0, 1e3, 0),
    K(wbl_drain_cap_ff, "fF", 0.0, 1e3, 0),
    K(cell_node_cap_ff, "fF", 0.0, 1e3, 0),
    K(ioff_pa_per_um, "pA/um", 0.0, 1e9, 0),
    K(cell_leak_width_um, "um", 0.0, 100.0, 0),
    K(leak_retention_fraction, "fraction", 0.0, 1.0, 0),
};
#undef K
enum { NKEYS = (int)(sizeof keys / sizeof keys[0]) };

static double *field_of(energy_profile *p, const key_def *k)
{
    return (double *)(void *)((char *)p + k->off);
}

static const double *cfield_of(const energy_profile *p, const key_def *k)
{
    return (const double *)(const void *)((const char *)p + k->off);
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
        set_err(err, "energy_profile_parse: NULL argument");
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
            set_err(err, "%s:%d: line longer than %zu characters", name, lineno, sizeof line - 1);
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
            set_err(err, "%s:%d: expected 'key = value', got '%s'", name, lineno, l);
            return -1;
        }
        *eq = '\0';
        char *key = trim(l), *val = trim(eq + 1);
        int ki = key_index(key);
        if (ki < 0) {
            set_err(err, "%s:%d: unknown key '%s'", name, lineno, key);
            return -1;
        }
        if (seen[ki]) {
            set_err(err, "%s:%d: key '%s' given twice (first on line %d)", name, lineno, key, seen[ki]);
            return -1;
        }
        if (*val == '\0') {
            set_err(err, "%s:%d: missing value for key '%s'", name, lineno, key);
            return -1;
        }
        char *end = NULL;
        errno = 0;
        double v = strtod(val, &end);
        if (end == val || *end != '\0' || errno == ERANGE || !isfinite(v)) {
            set_err(err, "%s:%d: bad number '%s' for key '%s' (%s)", name, lineno, val, key, keys[ki].unit);
            return -1;
        }
        const key_def *k = &keys[ki];
        if ((k->lo_open ? !(v > k->lo) : !(v >= k->lo)) || v > k->hi) {
            set_err(err, "%s:%d: %s = %g out of range %c%g, %g] %s", name, lineno, key, v, k->lo_open ? '(' : '[',
                    k->lo, k->hi, k->unit);
            return -1;
        }
        *field_of(&tmp, k) = v;
        seen[ki] = lineno;
    }
    for (int i = 0; i < NKEYS; i++) {
        if (!seen[i]) {
            set_err(err, "%s: missing key '%s' (%s)", name, keys[i].key, keys[i].unit);
            return -1;
        }
    }
    if (tmp.lbl_swing_v > tmp.vdd_v || tmp.gbl_swing_v > tmp.vdd_v) {
        const char *k = tmp.lbl_swing_v > tmp.vdd_v ? "lbl_swing_v" : "gbl_swing_v";
        set_err(err, "%s:%d: %s above vdd_v = %g V", name, seen[key_index(k)], k, tmp.vdd_v);
        return -1;
    }
    *p = tmp;
    return 0;
}

int energy_profile_load(const char *path, energy_profile *p, bnn_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        set_err(err, "%s: out of memory", path);
        return -1;
    }
    size_t got;
    while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap) {
            if (cap >= (size_t)1 << 24) {
                free(buf);
                fclose(f);
                set_err(err, "%s: file too large for a profile", path);
                return -1;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                fclose(f);
                set_err(err, "%s: out of memory", path);
                return -1;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        set_err(err, "%s: read error", path);
        return -1;
    }
    buf[len] = '\0';
    if (memchr(buf, '\0', len)) {
        free(buf);
        set_err(err, "%s: not a text file (NUL byte)", path);
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
        set_err(err, "energy geometry: NULL");
        return -1;
    }
    if (g->rows < 1 || g->cols < 1 || g->seg_rows < 1 || g->col_group < 1 || g->acc_w < 1 || g->rows > (1 << 20) ||
        g->cols > (1 << 20) || g->acc_w > 1024) {
        set_err(err, "energy geometry: rows %d, cols %d, seg_rows %d, col_group %d, acc_w %d: sizes out of range",
                g->rows, g->cols, g->seg_rows, g->col_group, g->acc_w);
        return -1;
    }
    if (g->rows % g->seg_rows != 0) {
        set_err(err, "energy geometry: seg_rows %d does not divide rows %d", g->seg_rows, g->rows);
        return -1;
    }
    if (g->cols % g->col_group != 0) {
        set_err(err, "energy geometry: col_group %d does not divide cols %d", g->col_group, g->cols);
        return -1;
    }
    return 0;
}

/* ---- components ---- */

static const char *const comp_names[ENERGY_NCOMP] = {
    "wordline", "precharge", "eval", "transfer", "accumulate", "control", "write", "read", "leakage",
};

const char *energy_comp_name(energy_comp c)
{
    return ((int)c >= 0 && (int)c < ENERGY_NCOMP) ? comp_names[c] : NULL;
}

int energy_event_comp(act_event e)
{
    switch (e) {
    case ACT_WORDLINE_PULSES: return ENERGY_WORDLINE;
    case ACT_PRECHARGES_DONE:
    case ACT_LOCAL_DISCHARGES: return ENERGY_PRECHARGE;
    case ACT_LOCAL_EVALS_DONE: return ENERGY_EVAL;
    case ACT_TRANSFERS: return ENERGY_TRANSFER;
    case ACT_ACC_UPDATES: return ENERGY_ACCUMULATE;
    case ACT_COMPUTE_OPS:
    case ACT_CHECKS:
    case ACT_CTRL_TOGGLES: return ENERGY_CONTROL;
    case ACT_WEIGHT_ROW_WRITES:
    case ACT_WRITE_BITS_FLIPPED: return ENERGY_WRITE;
    case ACT_READ_OPS: return ENERGY_READ;
    default: return -1;
    }
}

/* ---- derivation: every per-event energy from primitives and geometry ---- */

int energy_table_derive(const energy_profile *p, const energy_geom *g, energy_table *t, bnn_error *err)
{
    if (!p || !t) {
        set_err(err, "energy_table_derive: NULL argument");
        return -1;
    }
    if (energy_geom_check(g, err) != 0)
        return -1;
    memset(t, 0, sizeof *t);
    t->geom = *g;
    t->nseg = g->rows / g->seg_rows;
    const double v = p->vdd_v, v2 = v * v, w = p->wire_cap_ff_per_um;
    double *e = t->e_event_fj;

    /* read word line: cols cells, each a read-access gate plus a cell width of wire; one
     * pulse (up and down) draws C*V^2 from the supply */
    t->c_rwl_ff = g->cols * (p->rwl_gate_cap_ff + p->cell_width_um * w);
    e[ACT_WORDLINE_PULSES] = t->c_rwl_ff * v2;

    /* local bit line: seg_rows cells (cell height of wire + a drain) plus the fixed part */
    t->c_lbl_ff = g->seg_rows * (p->cell_height_um * w + p->rbl_drain_cap_ff) + p->lbl_fixed_cap_ff;
    t->dv_step_v = p->lbl_swing_v / g->seg_rows;
    /* each conducting cell removes C_lbl*dV_step of charge; the precharge restores it from
     * VDD: E = C_lbl * VDD * dV_step (NeuroSim: C*V*dV for the lines that discharged) */
    e[ACT_LOCAL_DISCHARGES] = t->c_lbl_ff * v * t->dv_step_v;
    /* precharge driver: the precharge device's gate and a cell width of its control wire,
     * pulsed once per precharge */
    t->c_pch_ff = p->pch_gate_cap_ff + p->cell_width_um * w;
    e[ACT_PRECHARGES_DONE] = t->c_pch_ff * v2;

    /* local evaluation: resolves seg_rows+1 levels with bitlen(seg_rows) comparisons */
    t->n_cmp = bnn_bitlen((unsigned)g->seg_rows);
    e[ACT_LOCAL_EVALS_DONE] = t->n_cmp * p->sa_cap_ff * v2;

    /* transfer: the global line (nseg x c_gbl_seg) moves by gbl_swing/nseg per transfer,
     * restored from VDD: E = nseg*c_gbl_seg * VDD * gbl_swing/nseg = c_gbl_seg*VDD*gbl_swing */
    t->c_gbl_seg_ff = g->seg_rows * p->cell_height_um * w + p->gbl_tap_cap_ff;
    e[ACT_TRANSFERS] = t->c_gbl_seg_ff * v * p->gbl_swing_v;

    /* digital logic: one gate-equivalent transition draws C*V^2/2 on average */
    t->e_ge_fj = 0.5 * p->logic_cap_ff_per_ge * v2;
    e[ACT_ACC_UPDATES] = g->acc_w * p->acc_ge_per_bit * p->logic_activity * t->e_ge_fj;
    e[ACT_COMPUTE_OPS] = g->rows * p->popcount_ge_per_row * p->logic_activity * t->e_ge_fj;
    e[ACT_CHECKS] = g->seg_rows * p->check_ge_per_row * p->logic_activity * t->e_ge_fj;

    /* C1 and C2 over one segment x column group: col_group footer / header gates plus
     * col_group cell widths of wire each; one toggle is one transition of both: C*V^2/2 */
    t->c_c1_ff = g->col_group * (p->footer_gate_cap_ff + p->cell_width_um * w);
    t->c_c2_ff = g->col_group * (p->header_gate_cap_ff + p->cell_width_um * w);
    e[ACT_CTRL_TOGGLES] = 0.5 * (t->c_c1_ff + t->c_c2_ff) * v2;

    /* write: a write word-line pulse per row; per flipped bit, both storage nodes
     * (2*C_node*V^2) and the write bit line that drives the new value (C_wbl*V^2) */
    t->c_wwl_ff = g->cols * (p->wwl_gate_cap_ff + p->cell_width_um * w);
    e[ACT_WEIGHT_ROW_WRITES] = t->c_wwl_ff * v2;
    t->c_wbl_ff = g->rows * (p->cell_height_um * w + p->wbl_drain_cap_ff);
    e[ACT_WRITE_BITS_FLIPPED] = (2.0 * p->cell_node_cap_ff + t->c_wbl_ff) * v2;

    /* read (plain memory): one word-line pulse; per column a precharge, one comparison, and
     * for the half of the bits assumed 1 a one-cell discharge and a transfer */
    e[ACT_READ_OPS] = e[ACT_WORDLINE_PULSES] +
                      g->cols * (e[ACT_PRECHARGES_DONE] + p->sa_cap_ff * v2 +
                                 0.5 * (e[ACT_LOCAL_DISCHARGES] + e[ACT_TRANSFERS]));

    /* leakage: pA/um x um x V = pW per cell; seg_rows x cols cells x pW x ns = 1e-6 fJ */
    t->p_leak_cell_pw = p->ioff_pa_per_um * p->cell_leak_width_um * v;
    t->leak_active_fj = (double)g->seg_rows * g->cols * t->p_leak_cell_pw * p->clock_period_ns * 1e-6;
    t->leak_gated_fj = t->leak_active_fj * p->leak_retention_fraction;
    return 0;
}

int energy_compute(const energy_table *t, const act_counts *c, energy_result *r, bnn_error *err)
{
    if (!t || !c || !r) {
        set_err(err, "energy_compute: NULL argument");
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
    /* every cycle every segment leaks; gated segment-cycles at the retention level */
    double all_seg = (double)c->n[ACT_CYCLES] * (double)t->nseg;
    double gated = (double)c->n[ACT_SEG_GATED];
    if (gated > all_seg) {
        set_err(err, "energy: %llu gated segment-cycles exceed cycles (%llu) x segments (%d)",
                (unsigned long long)c->n[ACT_SEG_GATED], (unsigned long long)c->n[ACT_CYCLES], t->nseg);
        return -1;
    }
    r->comp_fj[ENERGY_LEAKAGE] = (all_seg - gated) * t->leak_active_fj + gated * t->leak_gated_fj;
    for (int k = 0; k < ENERGY_NCOMP; k++)
        r->total_fj += r->comp_fj[k];
    r->has_ops = c->ops > 0;
    r->fj_per_op = r->has_ops ? r->total_fj / (double)c->ops : 0.0;
    return 0;
}

int energy_compute_ungated(const energy_table *t, const act_counts *c, energy_result *r, bnn_error *err)
{
    if (!c) {
        set_err(err, "energy_compute_ungated: NULL argument");
        return -1;
    }
    act_counts u;
    act_ungated(c, &u);
    return energy_compute(t, &u, r, err);
}

/* ---- the derivation table ---- */

int energy_profile_print(FILE *f, const energy_profile *p, const energy_geom *g, bnn_error *err)
{
    energy_table t;
    if (!f || energy_table_derive(p, g, &t, err) != 0) {
        if (!f)
            set_err(err, "energy_profile_print: NULL stream");
        return -1;
    }
    const double v = p->vdd_v, w = p->wire_cap_ff_per_um;
    fprintf(f, "energy profile %s\n", p->name);
    fprintf(f, "geometry: rows %d, cols %d, seg_rows %d (%d segments), col_group %d, acc_w %d\n", g->rows, g->cols,
            g->seg_rows, t.nseg, g->col_group, g->acc_w);
    fprintf(f, "\nprimitives:\n");
    for (int i = 0; i < NKEYS; i++)
        fprintf(f, "  %-26s = %-12g %s\n", keys[i].key, *cfield_of(p, &keys[i]), keys[i].unit);
    fprintf(f, "\nderived (C in fF, V in V, E in fJ):\n");
    fprintf(f, "  C_rwl  = cols*(rwl_gate + cell_w*wire)        = %d*(%g + %g*%g) = %.4g fF\n", g->cols,
            p->rwl_gate_cap_ff, p->cell_width_um, w, t.c_rwl_ff);
    fprintf(f, "  E_wordline_pulse = C_rwl*V^2                  = %.4g*%g^2 = %.4g fJ\n", t.c_rwl_ff, v,
            t.e_event_fj[ACT_WORDLINE_PULSES]);
    fprintf(f, "  C_lbl  = seg_rows*(cell_h*wire + rbl_drain) + lbl_fixed = %d*(%g*%g + %g) + %g = %.4g fF\n",
            g->seg_rows, p->cell_height_um, w, p->rbl_drain_cap_ff, p->lbl_fixed_cap_ff, t.c_lbl_ff);
    fprintf(f, "  dV_step = lbl_swing/seg_rows                  = %g/%d = %.4g V\n", p->lbl_swing_v, g->seg_rows,
            t.dv_step_v);
    fprintf(f, "  E_local_discharge = C_lbl*V*dV_step           = %.4g*%g*%.4g = %.4g fJ\n", t.c_lbl_ff, v,
            t.dv_step_v, t.e_event_fj[ACT_LOCAL_DISCHARGES]);
    fprintf(f, "  C_pch  = pch_gate + cell_w*wire               = %g + %g*%g = %.4g fF\n", p->pch_gate_cap_ff,
            p->cell_width_um, w, t.c_pch_ff);
    fprintf(f, "  E_precharge_done = C_pch*V^2                  = %.4g*%g^2 = %.4g fJ\n", t.c_pch_ff, v,
            t.e_event_fj[ACT_PRECHARGES_DONE]);
    fprintf(f, "  n_cmp  = bitlen(seg_rows)                     = %d comparisons\n", t.n_cmp);
    fprintf(f, "  E_local_eval = n_cmp*sa_cap*V^2               = %d*%g*%g^2 = %.4g fJ\n", t.n_cmp, p->sa_cap_ff, v,
            t.e_event_fj[ACT_LOCAL_EVALS_DONE]);
    fprintf(f, "  C_gbl_seg = seg_rows*cell_h*wire + gbl_tap    = %d*%g*%g + %g = %.4g fF\n", g->seg_rows,
            p->cell_height_um, w, p->gbl_tap_cap_ff, t.c_gbl_seg_ff);
    fprintf(f, "  E_transfer = C_gbl_seg*V*gbl_swing            = %.4g*%g*%g = %.4g fJ\n", t.c_gbl_seg_ff, v,
            p->gbl_swing_v, t.e_event_fj[ACT_TRANSFERS]);
    fprintf(f, "  E_ge   = logic_cap*V^2/2                      = %g*%g^2/2 = %.4g fJ per GE transition\n",
            p->logic_cap_ff_per_ge, v, t.e_ge_fj);
    fprintf(f, "  E_acc_update = acc_w*acc_ge*activity*E_ge     = %d*%g*%g*%.4g = %.4g fJ\n", g->acc_w,
            p->acc_ge_per_bit, p->logic_activity, t.e_ge_fj, t.e_event_fj[ACT_ACC_UPDATES]);
    fprintf(f, "  E_compute_op (X popcount) = rows*pop_ge*activity*E_ge = %d*%g*%g*%.4g = %.4g fJ\n", g->rows,
            p->popcount_ge_per_row, p->logic_activity, t.e_ge_fj, t.e_event_fj[ACT_COMPUTE_OPS]);
    fprintf(f, "  E_check = seg_rows*check_ge*activity*E_ge     = %d*%g*%g*%.4g = %.4g fJ\n", g->seg_rows,
            p->check_ge_per_row, p->logic_activity, t.e_ge_fj, t.e_event_fj[ACT_CHECKS]);
    fprintf(f, "  C_C1   = col_group*(footer_gate + cell_w*wire) = %d*(%g + %g*%g) = %.4g fF\n", g->col_group,
            p->footer_gate_cap_ff, p->cell_width_um, w, t.c_c1_ff);
    fprintf(f, "  C_C2   = col_group*(header_gate + cell_w*wire) = %d*(%g + %g*%g) = %.4g fF\n", g->col_group,
            p->header_gate_cap_ff, p->cell_width_um, w, t.c_c2_ff);
    fprintf(f, "  E_ctrl_toggle = (C_C1 + C_C2)*V^2/2           = (%.4g + %.4g)*%g^2/2 = %.4g fJ\n", t.c_c1_ff,
            t.c_c2_ff, v, t.e_event_fj[ACT_CTRL_TOGGLES]);
    fprintf(f, "  C_wwl  = cols*(wwl_gate + cell_w*wire)        = %d*(%g + %g*%g) = %.4g fF\n", g->cols,
            p->wwl_gate_cap_ff, p->cell_width_um, w, t.c_wwl_ff);
    fprintf(f, "  E_row_write = C_wwl*V^2                       = %.4g*%g^2 = %.4g fJ\n", t.c_wwl_ff, v,
            t.e_event_fj[ACT_WEIGHT_ROW_WRITES]);
    fprintf(f, "  C_wbl  = rows*(cell_h*wire + wbl_drain)       = %d*(%g*%g + %g) = %.4g fF\n", g->rows,
            p->cell_height_um, w, p->wbl_drain_cap_ff, t.c_wbl_ff);
    fprintf(f, "  E_bit_flip = (2*C_node + C_wbl)*V^2           = (2*%g + %.4g)*%g^2 = %.4g fJ\n",
            p->cell_node_cap_ff, t.c_wbl_ff, v, t.e_event_fj[ACT_WRITE_BITS_FLIPPED]);
    fprintf(f, "  E_read = E_wl + cols*(E_pch + sa_cap*V^2 + (E_dis + E_transfer)/2) = %.4g fJ\n",
            t.e_event_fj[ACT_READ_OPS]);
    fprintf(f, "  P_leak_cell = ioff*leak_width*V               = %g*%g*%g = %.4g pW\n", p->ioff_pa_per_um,
            p->cell_leak_width_um, v, t.p_leak_cell_pw);
    fprintf(f, "  E_leak_active = seg_rows*cols*P_leak*T        = %d*%d*%.4g pW*%g ns = %.4g fJ per segment-cycle\n",
            g->seg_rows, g->cols, t.p_leak_cell_pw, p->clock_period_ns, t.leak_active_fj);
    fprintf(f, "  E_leak_gated = retention*E_leak_active        = %g*%.4g = %.4g fJ per segment-cycle\n",
            p->leak_retention_fraction, t.leak_active_fj, t.leak_gated_fj);
    fprintf(f, "\nper-event energy (fJ per event):\n");
    for (int i = 0; i < ACT_NEVENTS; i++) {
        int comp = energy_event_comp((act_event)i);
        fprintf(f, "  %-28s %12.5g  %s\n", act_event_name((act_event)i), t.e_event_fj[i],
                comp < 0 ? "(no own energy)" : energy_comp_name((energy_comp)comp));
    }
    fprintf(f, "  %-28s %12.5g  leakage (per segment-cycle, every cycle)\n", "leak_active", t.leak_active_fj);
    fprintf(f, "  %-28s %12.5g  leakage (per gated segment-cycle)\n", "leak_gated", t.leak_gated_fj);
    return 0;
}

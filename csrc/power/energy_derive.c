/* energy_derive.c - the per-event energies from a profile's primitives and
 * the macro geometry (energy.h, docs/ENERGY.md): ONE table of formulas that
 * energy_table_derive evaluates and energy_profile_print prints, so that
 * the printed derivation is the billed one. Also the events' components
 * (energy_event_comp), from the same table. */
#include "power/energy.h"
#include "power/energy_int.h"
#include "model/bnn_model.h"   /* bnn_bitlen */

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* ---- the derivation table ----
 *
 * A formula's text is its single truth: `{SYM}` is an operand, then
 * numbers, + - * / ( ), `^` (x^2 is x*x; any other exponent pow()) and
 * bitlen(...). An operand is a row's sym (or label) below, a geometry size
 * (rows, cols, seg_rows, col_group, acc_w: the table's, so seg_rows = rows
 * in the flat table) or a profile key's sym (energy_profile.c: V = vdd_v,
 * ...). `{SYM|UNIT}` prints UNIT after the operand's number. The printer
 * shows a row as `LABEL = FORMULA = NUMBERS = RESULT UNIT`: the formula with
 * the operands' names, then with their numbers (a geometry size or an int
 * row as %d, a primitive as %g, a derived value as %.4g). */

enum {
    R_HIER = 1,         /* derived for the hierarchical table (printed in its section) */
    R_FLAT = 2,         /* derived for the flat table */
    R_BOTH = R_HIER | R_FLAT,
    R_LINE = 4,         /* depends on the line (seg_rows): printed in the flat section too */
    R_HIDE = 8,         /* not printed (its value is printed where it is used) */
    R_RESULT = 16,      /* printed without the numbers put into the formula */
    R_INT = 32,         /* a whole count: stored in an int field, printed %d */
};
#define NO_FIELD ((size_t)-1)
#define F(field) offsetof(energy_table, field)

typedef struct formula {
    const char *label;  /* the printed name */
    const char *sym;    /* its name in formulas (NULL: the label) */
    const char *expr;
    const char *unit;   /* printed after the result; {SYM} there prints that operand's number */
    const char *note;   /* printed after the formula (NULL: none) */
    const char *text;   /* printed instead of the formula (NULL: the formula) */
    double scale;       /* a unit conversion applied last, not printed (0: none) */
    int flags;
    size_t field;       /* the energy_table field it fills (offsetof), or NO_FIELD */
    int event;          /* the event whose energy it is: e_event_fj[event] (-1: none) */
    int comp;           /* the event's component (energy_comp) */
    int style;          /* -1, or: the event is billed from this row only with this local_eval_style */
} formula;

#define ROW(label, sym, expr, unit, flags, field) {label, sym, expr, unit, NULL, NULL, 0, flags, field, -1, -1, -1}
#define EVENT(label, sym, expr, unit, flags, e, comp) {label, sym, expr, unit, NULL, NULL, 0, flags, NO_FIELD, e, comp, -1}

/* In the order the printer shows them (the line terms in the middle, as in
 * both sections); evaluated in dependency order. */
static const formula formulas[] = {
    /* geometry counts, printed where they are used */
    ROW("nseg", NULL, "{rows}/{seg_rows}", "", R_BOTH | R_HIDE | R_INT, F(nseg)),
    ROW("ngrp", NULL, "{cols}/{col_group}", "", R_BOTH | R_HIDE | R_INT, NO_FIELD),
    ROW("(seg_rows-1)", NULL, "{seg_rows} - 1", "", R_BOTH | R_HIDE | R_INT, NO_FIELD),
    /* read word line: cols cells, each a read-access gate plus a cell width of wire; one
     * pulse (up and down) draws C*V^2 from the supply */
    ROW("C_rwl", NULL, "{cols}*({rwl_gate} + {cell_w}*{wire})", " fF", R_BOTH, F(c_rwl_ff)),
    EVENT("E_wordline_pulse", "E_wl", "{C_rwl}*{V}^2", " fJ", R_BOTH, ACT_WORDLINE_PULSES, ENERGY_WORDLINE),
    /* precharge driver: the precharge device's gate and a cell width of its control wire,
     * pulsed once per precharge of a line */
    ROW("C_pch", NULL, "{pch_gate} + {cell_w}*{wire}", " fF", R_BOTH, F(c_pch_ff)),
    EVENT("E_precharge", "E_pch", "{C_pch}*{V}^2", " fJ", R_BOTH, ACT_PRECHARGES, ENERGY_PRECHARGE),
    /* digital logic: one gate-equivalent transition draws C*V^2/2 on average */
    ROW("E_ge", NULL, "{logic_cap}*{V}^2/2", " fJ per GE transition", R_BOTH, F(e_ge_fj)),
    EVENT("E_acc_update", NULL, "{acc_w}*{acc_ge}*{activity}*{E_ge}", " fJ", R_BOTH, ACT_ACC_UPDATES,
          ENERGY_ACCUMULATE),
    /* per array cycle: the X popcount (and the lookahead register, below), clocked */
    ROW("E_popcount", NULL, "{rows}*{pop_ge}*{activity}*{E_ge}", " fJ", R_BOTH, F(e_popcount_fj)),

    /* ---- the line terms (they depend on seg_rows) ----
     * local bit line: seg_rows cells (cell height of wire + a drain) plus the fixed part;
     * seg_rows conducting cells use the full swing, so one cell moves it by dV_step. The
     * precharge restores the charge evaluations removed, C_lbl*VDD*dV_step per step
     * (NeuroSim's C*V*dV), billed when restored (recharge_steps) */
    ROW("C_lbl", NULL, "{seg_rows}*({cell_h}*{wire} + {rbl_drain}) + {lbl_fixed}", " fF", R_BOTH | R_LINE,
        F(c_lbl_ff)),
    ROW("dV_step", NULL, "{lbl_swing}/{seg_rows}", " V", R_BOTH | R_LINE, F(dv_step_v)),
    EVENT("E_recharge_step", "E_step", "{C_lbl}*{V}*{dV_step}", " fJ", R_BOTH | R_LINE, ACT_RECHARGE_STEPS,
          ENERGY_PRECHARGE),
    /* local sense stage, per line sensed: SAR, bitlen(seg_rows) latch comparisons resolve
     * seg_rows+1 levels; digital, a counter tree of seg_rows 1-bit inputs as (seg_rows-1)
     * full adders of popcount_ge_per_row GE each.
     * The comparator resolves the line's LSB, one cell's step lbl_swing/seg_rows; sa_cap is
     * sized for sa_lsb_ref, and a finer LSB needs a larger latch: energy per comparison
     * sa_cap*V^2*(lsb_ref/lsb)^alpha (alpha 1: Walden, energy ~ 2^ENOB; 2: offset / kT/C
     * limited, C ~ 1/LSB^2; 0: unscaled). One comparator sized for the final LSB makes
     * every comparison of the search. The adder tree has no LSB: not scaled */
    ROW("n_cmp", NULL, "bitlen({seg_rows})", " comparisons", R_BOTH | R_LINE | R_RESULT | R_INT, F(n_cmp)),
    {"LSB", NULL, "{lbl_swing}/{seg_rows}", " mV", NULL, NULL, 1000.0, R_BOTH | R_LINE, F(lsb_mv), -1, -1, -1},
    ROW("k_lsb", NULL, "({sa_lsb_ref}/{LSB})^{alpha}", "", R_BOTH | R_LINE, F(sa_lsb_scale)),
    ROW("E_cmp", NULL, "{sa_cap}*{V}^2*{k_lsb}", " fJ per comparison", R_BOTH | R_LINE, F(e_cmp_fj)),
    {"E_eval_sar", NULL, "{n_cmp}*{E_cmp}", " fJ", NULL, NULL, 0, R_BOTH | R_LINE, F(e_eval_sar_fj),
     ACT_LOCAL_EVALS, ENERGY_EVAL, ENERGY_EVAL_SAR},
    {"E_eval_digital", NULL, "{(seg_rows-1)}*{pop_ge}*{activity}*{E_ge}", " fJ (no LSB: unscaled)", NULL, NULL, 0,
     R_BOTH | R_LINE, F(e_eval_digital_fj), ACT_LOCAL_EVALS, ENERGY_EVAL, ENERGY_EVAL_DIGITAL},
    /* transfer: the global line (nseg x c_gbl_seg) moves by gbl_swing/nseg per transfer,
     * restored from VDD: E = nseg*c_gbl_seg * VDD * gbl_swing/nseg = c_gbl_seg*VDD*gbl_swing */
    ROW("C_gbl_seg", NULL, "{seg_rows}*{cell_h}*{wire} + {gbl_tap}", " fF", R_BOTH | R_LINE, F(c_gbl_seg_ff)),
    EVENT("E_transfer", NULL, "{C_gbl_seg}*{V}*{gbl_swing}", " fJ", R_BOTH | R_LINE, ACT_TRANSFERS, ENERGY_TRANSFER),
    /* flip-flops of the lookahead register (rtl/cim_sparse_ctrl.v): the word-line drivers'
     * input latch (rows), X (bitlen(rows)), the column mask (cols), valid/first/last/plane[4]
     * (7); the hierarchical macro adds the gating flag, gated and mapped per segment
     * (1 + 2 nseg) and the C1, C2 and SE registers per (column group, segment) (3 ngrp nseg) */
    {"n_la", NULL, "{rows} + bitlen({rows}) + {cols} + 7 + 1 + 2*{nseg} + 3*{ngrp}*{nseg}", "", NULL,
     "lookahead register flip-flops", 0, R_HIER | R_LINE | R_RESULT | R_INT, F(n_la_ff), -1, -1, -1},
    {"n_la", NULL, "{rows} + bitlen({rows}) + {cols} + 7", "", NULL, "lookahead register flip-flops", 0,
     R_FLAT | R_LINE | R_RESULT | R_INT, F(n_la_ff), -1, -1, -1},
    ROW("E_lookahead", NULL, "{n_la}*{flop_ge}*{activity}*{E_ge}", " fJ", R_BOTH | R_LINE, F(e_lookahead_fj)),
    EVENT("E_compute_op", NULL, "{E_popcount} + {E_lookahead}", " fJ", R_BOTH | R_LINE, ACT_COMPUTE_OPS,
          ENERGY_CONTROL),
    /* leakage: pA/um x um x V = pW per cell; one line = seg_rows cells; pW x ns = 1e-6 fJ.
     * A line whose footer is off leaks at the retention fraction */
    {"E_line_leak", NULL, "{seg_rows}*{P_leak| pW}*{T| ns}", " fJ per line-clock", NULL, NULL, 1e-6,
     R_BOTH | R_LINE, F(leak_line_active_fj), -1, -1, -1},
    ROW("E_line_leak_off", NULL, "{retention}*{E_line_leak}", " fJ per footer-off line-clock", R_BOTH | R_LINE,
        F(leak_line_off_fj)),
    /* ---- end of the line terms ---- */

    /* one segment's zero check (a seg_rows-input NOR); a skipped plane's zero detect is
     * every segment's */
    EVENT("E_check", NULL, "{seg_rows}*{check_ge}*{activity}*{E_ge}", " fJ", R_BOTH, ACT_CHECKS, ENERGY_CONTROL),
    EVENT("E_plane_skipped", NULL, "{nseg}*{E_check}", " fJ", R_BOTH, ACT_PLANES_SKIPPED, ENERGY_CONTROL),
    /* the channel skip's gather reads one bit of the live-channel mask (a flip-flop
     * the SE's gate output was latched in) per channel and job */
    EVENT("E_index_bit", NULL, "{flop_ge}*{activity}*{E_ge}", " fJ", R_BOTH, ACT_INDEX_BITS, ENERGY_CONTROL),
    /* SET_ZF: one segment's row of the stored-zero flag bank (rtl/cim_zero_flags.v,
     * ngrp flip-flops) loaded. The bank's ngrp*nseg flops are enabled only by a
     * SET_ZF and hold otherwise, so they are billed per write, not with the
     * lookahead register that every array cycle loads */
    ROW("n_zf", NULL, "{ngrp}*{nseg}", "", R_BOTH | R_HIDE | R_INT, F(n_zf_ff)),
    EVENT("E_zero_flag_write", NULL, "{ngrp}*{flop_ge}*{activity}*{E_ge}", " fJ (bank of {n_zf} flops)", R_BOTH,
          ACT_ZERO_FLAG_WRITES, ENERGY_CONTROL),
    /* C1 and C2 over one segment x column group: col_group footer / header gates plus
     * col_group cell widths of wire; one transition draws C*V^2/2 */
    ROW("C_C1", NULL, "{col_group}*({footer_gate} + {cell_w}*{wire})", " fF", R_BOTH, F(c_c1_ff)),
    EVENT("E_c1_toggle", NULL, "{C_C1}*{V}^2/2", " fJ", R_BOTH, ACT_C1_TOGGLES, ENERGY_GATING),
    ROW("C_C2", NULL, "{col_group}*({header_gate} + {cell_w}*{wire})", " fF", R_BOTH, F(c_c2_ff)),
    EVENT("E_c2_toggle", NULL, "{C_C2}*{V}^2/2", " fJ", R_BOTH, ACT_C2_TOGGLES, ENERGY_GATING),
    /* footer wake-up: the virtual ground of one segment x column (seg_rows read-stack
     * sources, seg_rows cell heights of wire, the footer's drain) floated up while the
     * footer was off and is pulled back down: a full recharge, C_vgnd*V^2 */
    ROW("C_vgnd", NULL, "{seg_rows}*({vgnd_cell} + {cell_h}*{wire}) + {footer_drain}", " fF", R_BOTH, F(c_vgnd_ff)),
    EVENT("E_footer_wakeup", NULL, "{C_vgnd}*{V}^2", " fJ", R_BOTH, ACT_FOOTER_WAKEUPS, ENERGY_GATING),
    /* write: a write word-line pulse per row; per flipped bit, both storage nodes
     * (2*C_node*V^2) and the write bit line that drives the new value (C_wbl*V^2) */
    ROW("C_wwl", NULL, "{cols}*({wwl_gate} + {cell_w}*{wire})", " fF", R_BOTH, F(c_wwl_ff)),
    EVENT("E_row_write", NULL, "{C_wwl}*{V}^2", " fJ", R_BOTH, ACT_WEIGHT_ROW_WRITES, ENERGY_WRITE),
    ROW("C_wbl", NULL, "{rows}*({cell_h}*{wire} + {wbl_drain})", " fF", R_BOTH, F(c_wbl_ff)),
    EVENT("E_bit_flip", NULL, "(2*{C_node} + {C_wbl})*{V}^2", " fJ", R_BOTH, ACT_WRITE_BITS_FLIPPED, ENERGY_WRITE),
    /* read (plain memory): one word-line pulse; per column a precharge, one comparison (the
     * same sense amplifier resolving the same one-cell step: E_cmp, in either foot style),
     * and for the half of the bits assumed 1 a one-step restore and (hierarchical: the sensed
     * line is the local one) a transfer to the global line; the flat line is sensed itself */
    EVENT("E_read", NULL, "{E_wl} + {cols}*({E_pch} + {E_cmp} + ({E_step} + {E_transfer})/2)", " fJ",
          R_HIER | R_RESULT, ACT_READ_OPS, ENERGY_READ),
    {"P_leak_cell", "P_leak", "{ioff}*{leak_width}*{V}", " pW", NULL, NULL, 0, R_BOTH, F(p_leak_cell_pw), -1, -1, -1},
    {"E_read", NULL, "{E_wl} + {cols}*({E_pch} + {E_cmp} + {E_step}/2)", " fJ", " (no transfer)", NULL, 0,
     R_FLAT | R_RESULT, NO_FIELD, ACT_READ_OPS, ENERGY_READ, -1},
};
#undef ROW
#undef EVENT
#define NFORMULAS ((int)(sizeof formulas / sizeof formulas[0]))

static const char *sym_of(const formula *r) { return r->sym ? r->sym : r->label; }

/* ---- evaluation ---- */

/* One table being derived: every row's value, computed once, on demand. */
typedef struct dctx {
    const energy_profile *p;
    const energy_geom *g;       /* the table's geometry (flat: seg_rows = rows) */
    int kind;                   /* R_HIER or R_FLAT */
    double val[NFORMULAS];
    signed char state[NFORMULAS];   /* 0 not yet, 1 being evaluated, 2 done */
    const char *bad;            /* the first defect of the table met (NULL: none) */
} dctx;

static double eval_row(dctx *c, int i);

/* The row of this table named sym, or -1. */
static int row_of(const dctx *c, const char *sym, size_t n)
{
    for (int i = 0; i < NFORMULAS; i++)
        if ((formulas[i].flags & c->kind) && strlen(sym_of(&formulas[i])) == n && !strncmp(sym_of(&formulas[i]), sym, n))
            return i;
    return -1;
}

/* Operand sym (n bytes): a row, a geometry size or a primitive. fmt: how the printer shows it. */
static double operand(dctx *c, const char *sym, size_t n, const char **fmt)
{
    static const struct {
        const char *name;
        size_t off;
    } geom[] = {{"rows", offsetof(energy_geom, rows)}, {"cols", offsetof(energy_geom, cols)},
                {"seg_rows", offsetof(energy_geom, seg_rows)}, {"col_group", offsetof(energy_geom, col_group)},
                {"acc_w", offsetof(energy_geom, acc_w)}};
    int r = row_of(c, sym, n);
    if (r >= 0) {
        *fmt = formulas[r].flags & R_INT ? "%.0f" : "%.4g";
        return eval_row(c, r);
    }
    *fmt = "%.0f";
    for (size_t k = 0; k < sizeof geom / sizeof geom[0]; k++)
        if (strlen(geom[k].name) == n && !strncmp(geom[k].name, sym, n))
            return (double)*(const int *)(const void *)((const char *)c->g + geom[k].off);
    *fmt = "%g";
    for (int k = 0; k < energy_nkeys; k++)
        if (strlen(energy_keys[k].sym) == n && !strncmp(energy_keys[k].sym, sym, n))
            return energy_key_value(c->p, &energy_keys[k]);
    c->bad = "unknown operand";
    return 0.0;
}

/* A recursive-descent evaluator over a formula's text (*s advances). */
typedef struct lexer {
    dctx *c;
    const char *s;
} lexer;

static double ev_sum(lexer *x);

static void skip_space(lexer *x)
{
    while (*x->s == ' ')
        x->s++;
}

static double ev_atom(lexer *x)
{
    skip_space(x);
    double v = 0.0;
    if (*x->s == '(') {
        x->s++;
        v = ev_sum(x);
        skip_space(x);
        if (*x->s++ != ')')
            x->c->bad = "')' expected";
    } else if (*x->s == '{') {
        size_t n = strcspn(x->s + 1, "|}");
        const char *fmt;
        v = operand(x->c, x->s + 1, n, &fmt);
        x->s += 1 + n;
        x->s += strcspn(x->s, "}");
        if (*x->s++ != '}')
            x->c->bad = "'}' expected";
    } else if (!strncmp(x->s, "bitlen(", 7)) {
        x->s += 6;
        v = (double)bnn_bitlen((unsigned)ev_atom(x));
    } else if (*x->s >= '0' && *x->s <= '9') {
        while (*x->s >= '0' && *x->s <= '9')
            v = 10.0 * v + (double)(*x->s++ - '0');
    } else {
        x->c->bad = "operand expected";
    }
    return v;
}

/* atom [^ atom]: x^2 is x*x (the square rounded once), other exponents pow(). */
static double ev_power(lexer *x)
{
    double v = ev_atom(x);
    skip_space(x);
    if (*x->s != '^')
        return v;
    x->s++;
    if (x->s[0] == '2' && !(x->s[1] >= '0' && x->s[1] <= '9')) {
        x->s++;
        return v * v;
    }
    return pow(v, ev_atom(x));
}

static double ev_product(lexer *x)
{
    double v = ev_power(x);
    for (;;) {
        skip_space(x);
        char op = *x->s;
        if (op != '*' && op != '/')
            return v;
        x->s++;
        double r = ev_power(x);
        v = op == '*' ? v * r : v / r;
    }
}

static double ev_sum(lexer *x)
{
    double v = ev_product(x);
    for (;;) {
        skip_space(x);
        char op = *x->s;
        if (op != '+' && op != '-')
            return v;
        x->s++;
        double r = ev_product(x);
        v = op == '+' ? v + r : v - r;
    }
}

static double eval_row(dctx *c, int i)
{
    if (c->state[i] == 2)
        return c->val[i];
    if (c->state[i] == 1) {
        c->bad = "a formula depends on itself";
        return 0.0;
    }
    c->state[i] = 1;
    lexer x = {c, formulas[i].expr};
    double v = ev_sum(&x);
    if (*x.s)
        c->bad = "text after the formula";
    if (formulas[i].scale != 0.0)
        v = formulas[i].scale * v;
    c->val[i] = v;
    c->state[i] = 2;
    return v;
}

/* 1: row r bills its event under this profile (its style, if it has one, is the profile's). */
static int bills(const formula *r, const energy_profile *p)
{
    return r->event >= 0 && (r->style < 0 || r->style == p->local_eval_style);
}

/* Every row of the table kind into t (fields and event energies). 0 or -1. */
static int derive_rows(dctx *c, energy_table *t, bnn_error *err)
{
    for (int i = 0; i < NFORMULAS; i++) {
        const formula *r = &formulas[i];
        if (!(r->flags & c->kind))
            continue;
        double v = eval_row(c, i);
        if (c->bad) {
            bnn_set_err(err, "energy derivation: formula %s (%s): %s", r->label, r->expr, c->bad);
            return -1;
        }
        if (r->field != NO_FIELD && r->flags & R_INT)
            *(int *)(void *)((char *)t + r->field) = (int)v;
        else if (r->field != NO_FIELD)
            *(double *)(void *)((char *)t + r->field) = v;
        if (bills(r, c->p))
            t->e_event_fj[r->event] = v;
    }
    return 0;
}

static int derive(const energy_profile *p, const energy_geom *g0, int flat, energy_table *t, bnn_error *err)
{
    if (!p || !t) {
        bnn_set_err(err, "energy_table_derive: NULL argument");
        return -1;
    }
    if (energy_geom_check(g0, err) != 0)
        return -1;
    memset(t, 0, sizeof *t);
    t->geom = *g0;
    if (flat)
        t->geom.seg_rows = t->geom.rows;    /* one unsegmented bit line of rows cells per column */
    t->flat = flat;
    t->local_eval_style = p->local_eval_style;
    dctx c = {.p = p, .g = &t->geom, .kind = flat ? R_FLAT : R_HIER};
    return derive_rows(&c, t, err);
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

int energy_event_comp(act_event e)
{
    for (int i = 0; i < NFORMULAS; i++)
        if (formulas[i].event >= 0 && formulas[i].event == (int)e)
            return formulas[i].comp;
    return -1;
}

/* ---- the printer: the same table ---- */

/* Writes text with each {SYM|UNIT} as SYM (values 0) or as its number and
 * UNIT (values 1). Returns the characters written. */
static int put_text(FILE *f, dctx *c, const char *s, int values)
{
    int len = 0;
    while (*s) {
        if (*s != '{') {
            fputc(*s++, f);
            len++;
            continue;
        }
        size_t n = strcspn(s + 1, "|}"), all = strcspn(s + 1, "}");
        if (!values) {
            len += fprintf(f, "%.*s", (int)n, s + 1);
        } else {
            const char *fmt;
            double v = operand(c, s + 1, n, &fmt);
            len += fprintf(f, fmt, v);
            if (n < all)
                len += fprintf(f, "%.*s", (int)(all - n - 1), s + 2 + n);
        }
        s += 1 + all + (s[1 + all] == '}');
    }
    return len;
}

/* `  LABEL = FORMULA[NOTE]`, padded to put the second '=' in column 48 (at
 * least one space), then `= [NUMBERS = ]RESULT UNIT[  (billed)]`. */
static void print_row(FILE *f, dctx *c, int i)
{
    const formula *r = &formulas[i];
    int len = fprintf(f, "  %-6s = ", r->label);
    len += r->text ? fprintf(f, "%s", r->text) : put_text(f, c, r->expr, 0);
    if (r->note)
        len += fprintf(f, "%s", r->note);
    fprintf(f, "%*s= ", len < 47 ? 48 - len : 1, "");
    if (!(r->flags & R_RESULT)) {
        put_text(f, c, r->expr, 1);
        fputs(" = ", f);
    }
    fprintf(f, r->flags & R_INT ? "%.0f" : "%.4g", eval_row(c, i));
    put_text(f, c, r->unit, 1);
    if (r->style >= 0 && bills(r, c->p))
        fputs("  (billed)", f);
    fputc('\n', f);
}

/* The rows of one section: the hierarchical one (kind R_HIER) or the flat one. */
static void print_section(FILE *f, const energy_profile *p, const energy_table *t, int kind)
{
    dctx c = {.p = p, .g = &t->geom, .kind = kind};
    for (int i = 0; i < NFORMULAS; i++) {
        int fl = formulas[i].flags;
        if ((fl & kind) && !(fl & R_HIDE) && (kind == R_HIER || (fl & R_LINE) || !(fl & R_HIER)))
            print_row(f, &c, i);
    }
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
    fprintf(f, "energy profile %s\n", p->name);
    fprintf(f, "geometry: rows %d, cols %d, seg_rows %d (%d segments), col_group %d, acc_w %d\n", g->rows, g->cols,
            g->seg_rows, t->nseg, g->col_group, g->acc_w);
    fprintf(f, "column foot: %s\n", p->local_eval_style == ENERGY_EVAL_DIGITAL
                                         ? "digital local adder tree (local_eval_style = 1)"
                                         : "analog local line + SAR sense (local_eval_style = 0)");
    fprintf(f, "\nprimitives:\n");
    for (int i = 0; i < energy_nkeys; i++)
        fprintf(f, "  %-26s = %-12g %s\n", energy_keys[i].key, energy_key_value(p, &energy_keys[i]),
                energy_keys[i].unit);
    fprintf(f, "\nderived, hierarchical macro (C in fF, V in V, E in fJ):\n");
    print_section(f, p, t, R_HIER);
    fprintf(f, "\nderived, flat macro (one bit line of %d cells per column, same profile):\n", g->rows);
    print_section(f, p, &m.flat, R_FLAT);
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

/* amodel.c - the host's model of the array's activity (see amodel.h). */
#include "power/amodel.h"

#include <stdlib.h>
#include <string.h>

struct amodel {
    amodel_cfg cfg;
    int nseg, ngrp, rw, cw;     /* segments, column groups, words per row vector / column vector */
    uint64_t *cells;            /* column j's bits at [j*rw .. j*rw + rw) */
    uint16_t *lvl;              /* line level of (segment s, column j) at [s*cols + j] */
    uint8_t *c1, *c2, *se;      /* C1 / C2 registers, SE pulse of (group g, segment s) at [g*nseg + s] */
    uint8_t *vgnd;              /* footer of (g, s) on in the previous cycle */
    uint8_t *zf;                /* stored-zero flag of (g, s) at [g*nseg + s] (SET_ZF) */
    /* the lookahead register: the COMPUTE sampled at the previous edge */
    int la_valid, la_gate, la_ncols;
    int la_zf_gated;            /* (powered group, mapped segment) pairs with their stored-zero flag set, gating on */
    uint64_t *la_rwl;           /* rw words */
    uint8_t *la_gated, *la_mapped;
    /* scratch for the next decision */
    uint64_t *in_use;
    uint64_t *seg_rwl;          /* rw words: one segment's raised word lines (array_cycle) */
    uint8_t *zero, *unit_zero, *gated, *mapped;
    uint8_t *c1_d, *c2_d, *se_d;
    act_counts n;
};

static int popc(uint64_t v) { return __builtin_popcountll(v); }

/* popcount(a AND b) over bits [lo, lo + n) of two word vectors (b NULL: all ones). */
static int count_and(const uint64_t *a, const uint64_t *b, int lo, int n)
{
    if (lo % 64 + n <= 64) { /* within one word: a segment of <= 64 rows */
        int w = lo / 64;
        uint64_t mask = (n == 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1)) << (lo % 64);
        return popc(a[w] & (b ? b[w] : ~(uint64_t)0) & mask);
    }
    int total = 0;
    for (int bit = lo; bit < lo + n;) {
        int w = bit / 64, off = bit % 64, take = 64 - off < lo + n - bit ? 64 - off : lo + n - bit;
        uint64_t mask = (take == 64 ? ~(uint64_t)0 : (((uint64_t)1 << take) - 1)) << off;
        total += popc(a[w] & (b ? b[w] : ~(uint64_t)0) & mask);
        bit += take;
    }
    return total;
}

void amodel_free(amodel *m)
{
    if (!m)
        return;
    free(m->cells);
    free(m->lvl);
    free(m->c1);
    free(m->c2);
    free(m->se);
    free(m->vgnd);
    free(m->zf);
    free(m->la_rwl);
    free(m->la_gated);
    free(m->la_mapped);
    free(m->in_use);
    free(m->seg_rwl);
    free(m->zero);
    free(m->unit_zero);
    free(m->gated);
    free(m->mapped);
    free(m->c1_d);
    free(m->c2_d);
    free(m->se_d);
    free(m);
}

amodel *amodel_new(const amodel_cfg *cfg, bnn_error *err)
{
    if (cfg->rows <= 0 || cfg->cols <= 0 || cfg->seg_rows <= 0 || cfg->col_group <= 0 ||
        cfg->rows % cfg->seg_rows || cfg->cols % cfg->col_group || cfg->seg_rows > 65535) {
        snprintf(err->msg, sizeof err->msg,
                 "array model: bad geometry %dx%d (segment %d rows, group %d columns): segment and group must "
                 "divide rows and columns",
                 cfg->rows, cfg->cols, cfg->seg_rows, cfg->col_group);
        return NULL;
    }
    amodel *m = calloc(1, sizeof *m);
    if (!m)
        goto oom;
    m->cfg = *cfg;
    m->nseg = cfg->rows / cfg->seg_rows;
    m->ngrp = cfg->cols / cfg->col_group;
    m->rw = (cfg->rows + 63) / 64;
    m->cw = (cfg->cols + 63) / 64;
    size_t pairs = (size_t)m->ngrp * (size_t)m->nseg, ns = (size_t)m->nseg;
    m->cells = calloc((size_t)cfg->cols * (size_t)m->rw, sizeof *m->cells);
    m->lvl = calloc(ns * (size_t)cfg->cols, sizeof *m->lvl);
    m->c1 = calloc(pairs, 1);
    m->c2 = calloc(pairs, 1);
    m->se = calloc(pairs, 1);
    m->vgnd = calloc(pairs, 1);
    m->zf = calloc(pairs, 1);
    m->la_rwl = calloc((size_t)m->rw, sizeof *m->la_rwl);
    m->la_gated = calloc(ns, 1);
    m->la_mapped = calloc(ns, 1);
    m->in_use = calloc((size_t)m->rw, sizeof *m->in_use);
    m->seg_rwl = calloc((size_t)m->rw, sizeof *m->seg_rwl);
    m->zero = calloc(ns, 1);
    m->unit_zero = calloc(ns, 1);
    m->gated = calloc(ns, 1);
    m->mapped = calloc(ns, 1);
    m->c1_d = calloc(pairs, 1);
    m->c2_d = calloc(pairs, 1);
    m->se_d = calloc(pairs, 1);
    if (!m->c1_d || !m->c2_d || !m->se_d ||!m->cells || !m->lvl || !m->c1 || !m->c2 || !m->se || !m->vgnd || !m->la_rwl || !m->la_gated ||
        !m->la_mapped || !m->in_use || !m->seg_rwl || !m->zero || !m->gated || !m->mapped || !m->zf || !m->unit_zero)
        goto oom;
    amodel_reset(m);
    return m;
oom:
    amodel_free(m);
    snprintf(err->msg, sizeof err->msg, "array model: out of memory");
    return NULL;
}

void amodel_reset(amodel *m)
{
    size_t pairs = (size_t)m->ngrp * (size_t)m->nseg, ns = (size_t)m->nseg;
    memset(m->cells, 0, (size_t)m->cfg.cols * (size_t)m->rw * sizeof *m->cells);
    memset(m->lvl, 0, ns * (size_t)m->cfg.cols * sizeof *m->lvl);
    memset(m->c1, 0, pairs);
    memset(m->c2, 0, pairs);
    memset(m->se, 0, pairs);
    memset(m->vgnd, 0, pairs);
    memset(m->zf, 0, pairs);
    m->la_valid = 0;
    memset(&m->n, 0, sizeof m->n);
}

const act_counts *amodel_counts(const amodel *m) { return &m->n; }

uint64_t amodel_hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

uint64_t amodel_state_hash(const amodel *m, uint64_t h)
{
    size_t pairs = (size_t)m->ngrp * (size_t)m->nseg, ns = (size_t)m->nseg;
    int la[4] = {m->la_valid, m->la_valid ? m->la_gate : 0, m->la_valid ? m->la_ncols : 0,
                 m->la_valid ? m->la_zf_gated : 0};
    h = amodel_hash_bytes(h, m->cells, (size_t)m->cfg.cols * (size_t)m->rw * sizeof *m->cells);
    h = amodel_hash_bytes(h, m->lvl, ns * (size_t)m->cfg.cols * sizeof *m->lvl);
    h = amodel_hash_bytes(h, m->c1, pairs);
    h = amodel_hash_bytes(h, m->c2, pairs);
    h = amodel_hash_bytes(h, m->se, pairs);
    h = amodel_hash_bytes(h, m->vgnd, pairs);
    h = amodel_hash_bytes(h, m->zf, pairs);
    h = amodel_hash_bytes(h, la, sizeof la);
    if (m->la_valid) {
        h = amodel_hash_bytes(h, m->la_rwl, (size_t)m->rw * sizeof *m->la_rwl);
        h = amodel_hash_bytes(h, m->la_gated, ns);
        h = amodel_hash_bytes(h, m->la_mapped, ns);
    }
    return h;
}

/* The events of one (segment, column group) line pair in an array cycle,
 * summed over its columns: local sums, so that the loop over columns keeps
 * them in registers. */
typedef struct line_sums {
    uint64_t precharges, recharges, recharge_steps, cell_discharges, line_discharges, evals, transfers;
} line_sums;

/* The columns j0 .. j0+grp-1 of segment s in one array cycle: precharge
 * (pch), evaluation of the cells under the raised word lines (`rwl`, the
 * segment's nw row words starting at word w0, masked to the segment) when
 * the footer is on (ev), sensing (sense). */
static void line_pair_cycle(amodel *m, int s, int j0, int pch, int ev, int sense, const uint64_t *rwl, int w0,
                            int nw, line_sums *t)
{
    const int seg = m->cfg.seg_rows, grp = m->cfg.col_group, xfer = !m->cfg.flat;
    uint16_t *lv = &m->lvl[(size_t)s * (size_t)m->cfg.cols + (size_t)j0];
    const uint64_t *col = m->cells + (size_t)j0 * (size_t)m->rw + (size_t)w0;
    uint64_t rech = 0, steps = 0, cd = 0, ld = 0, tr = 0;
    for (int j = 0; j < grp; j++, col += m->rw) {
        int old = lv[j], st = pch ? 0 : old, cnt = 0;
        if (ev)
            for (int k = 0; k < nw; k++)
                cnt += popc(rwl[k] & col[k]);
        int level = st + cnt > seg ? seg : st + cnt;
        rech += pch && old;
        steps += pch ? (uint64_t)old : 0;
        cd += (uint64_t)cnt;
        ld += level != st;
        tr += level != 0;
        lv[j] = (uint16_t)level;
    }
    t->precharges += pch ? (uint64_t)grp : 0;
    t->recharges += rech;
    t->recharge_steps += steps;
    t->cell_discharges += cd;
    t->line_discharges += ld;
    t->evals += sense ? (uint64_t)grp : 0;
    t->transfers += sense && xfer ? tr : 0;
}

/* The array cycle of the COMPUTE in the lookahead register. */
static void array_cycle(amodel *m)
{
    const int seg = m->cfg.seg_rows, grp = m->cfg.col_group;
    uint64_t *n = m->n.n;
    line_sums t = {0};
    n[ACT_COMPUTE_OPS]++;
    n[ACT_WORDLINE_PULSES] += (uint64_t)count_and(m->la_rwl, NULL, 0, m->cfg.rows);
    for (int s = 0; s < m->nseg; s++) {
        /* the segment's raised word lines, as whole words masked to it */
        const int lo = s * seg, w0 = lo / 64, nw = (lo + seg - 1) / 64 - w0 + 1;
        uint64_t *rwl = m->seg_rwl;
        int wl = 0;
        for (int k = 0; k < nw; k++) {
            int a = lo - 64 * (w0 + k), b = lo + seg - 64 * (w0 + k); /* the segment's bits in this word: [a, b) */
            uint64_t mask = ~(uint64_t)0;
            if (a > 0)
                mask &= ~(uint64_t)0 << a;
            if (b < 64)
                mask &= ~(~(uint64_t)0 << b);
            rwl[k] = m->la_rwl[w0 + k] & mask;
            wl += popc(rwl[k]);
        }
        for (int g = 0; g < m->ngrp; g++) {
            int at = g * m->nseg + s, pch = m->c2[at], foot = m->c1[at], sense = m->se[at];
            if (!pch && (!foot || !wl)) /* nothing moves on these lines */
                continue;
            line_pair_cycle(m, s, g * grp, pch, foot && wl, sense, rwl, w0, nw, &t);
        }
    }
    n[ACT_PRECHARGES] += t.precharges;
    n[ACT_LINE_RECHARGES] += t.recharges;
    n[ACT_RECHARGE_STEPS] += t.recharge_steps;
    n[ACT_CELL_DISCHARGES] += t.cell_discharges;
    n[ACT_LINE_DISCHARGES] += t.line_discharges;
    n[ACT_LOCAL_EVALS] += t.evals;
    n[ACT_TRANSFERS] += t.transfers;
    n[ACT_ACC_UPDATES] += (uint64_t)m->la_ncols;
    uint64_t unmapped = 0, gated = 0, active = 0, checks = 0;
    for (int s = 0; s < m->nseg; s++) {
        unmapped += !m->la_mapped[s];
        gated += m->la_mapped[s] && m->la_gated[s];
        active += m->la_mapped[s] && !m->la_gated[s];
        checks += m->la_gate && m->la_mapped[s];
    }
    n[ACT_SEG_UNMAPPED] += unmapped;
    n[ACT_SEG_GATED] += gated;
    n[ACT_SEG_ACTIVE] += active;
    n[ACT_CHECKS] += checks;
    n[ACT_ZERO_FLAG_GATED] += (uint64_t)m->la_zf_gated;
}

/* The controller's decision for a COMPUTE: the next C1/C2/SE and the
 * lookahead register's contents (docs/SPEC.md section 6: gated(g, s) =
 * unit_zero(s) OR zf(g, s) for a powered group and mapped segment; a
 * mapped segment counts as data-gated when unit_zero(s), or when some
 * group is powered and every powered group's flag of s is set). */
static void decide(amodel *m, const amodel_op *op, uint8_t *c1_d, uint8_t *c2_d, uint8_t *se_d)
{
    const int seg = m->cfg.seg_rows;
    int nrows = op->nrows < 0 ? 0 : op->nrows > m->cfg.rows ? m->cfg.rows : op->nrows;
    for (int w = 0; w < m->rw; w++) {
        uint64_t keep = 0;
        int lo = 64 * w;
        if (nrows >= lo + 64)
            keep = ~(uint64_t)0;
        else if (nrows > lo)
            keep = ((uint64_t)1 << (nrows - lo)) - 1;
        m->in_use[w] = (op->in ? op->in[w] : 0) & keep;
    }
    for (int s = 0; s < m->nseg; s++) {
        m->mapped[s] = (uint8_t)(s * seg < nrows);
        m->zero[s] = (uint8_t)(count_and(m->in_use, NULL, s * seg, seg) == 0);
    }
    int unit = 1 << (op->unit_log2 & 3), any_powered = op->ncols > 0;
    for (int s = 0; s < m->nseg; s++) {
        int all_zero = 1;
        for (int u = (s / unit) * unit; u < (s / unit + 1) * unit; u++)
            if (u < m->nseg && !m->zero[u])
                all_zero = 0;
        m->unit_zero[s] = (uint8_t)all_zero;
        /* stored zeros in every powered group (group g is powered when g*col_group < ncols) */
        int zf_all = any_powered;
        for (int g = 0; g < m->ngrp && g * m->cfg.col_group < op->ncols; g++)
            zf_all &= m->zf[g * m->nseg + s];
        m->gated[s] = (uint8_t)((all_zero || zf_all) && m->mapped[s] && op->gate);
    }
    int zf_gated = 0;
    for (int g = 0; g < m->ngrp; g++) {
        int powered = g * m->cfg.col_group < op->ncols;
        for (int s = 0; s < m->nseg; s++) {
            int at = g * m->nseg + s, on = powered && m->mapped[s];
            int gat = m->unit_zero[s] || m->zf[at];
            c1_d[at] = (uint8_t)(on && !(gat && (op->gate & 1)));
            c2_d[at] = (uint8_t)(on && !(gat && (op->gate & 2)));
            se_d[at] = (uint8_t)(on && !(gat && op->gate));
            zf_gated += on && m->zf[at] && op->gate;
        }
    }
    m->la_zf_gated = zf_gated;
}

void amodel_step(amodel *m, const amodel_op *op)
{
    uint64_t *n = m->n.n;
    const int pairs = m->ngrp * m->nseg, grp = m->cfg.col_group;
    /* the cycle ending at this edge */
    n[ACT_CYCLES]++;
    if (m->la_valid)
        array_cycle(m);
    uint64_t off = 0, wakeups = 0;
    for (int at = 0; at < pairs; at++) {
        off += !m->c1[at];
        wakeups += m->c1[at] && !m->vgnd[at];
        m->vgnd[at] = m->c1[at];
    }
    n[ACT_FOOTER_OFF] += off * (uint64_t)grp;
    n[ACT_FOOTER_WAKEUPS] += wakeups * (uint64_t)grp;
    /* the operation sampled at this edge */
    m->la_valid = 0;
    if (op->op == AMODEL_WRITE && op->row >= 0 && op->row < m->cfg.rows) {
        n[ACT_WEIGHT_ROW_WRITES]++;
        for (int j = 0; j < m->cfg.cols; j++) {
            uint64_t *w = m->cells + (size_t)j * (size_t)m->rw + (size_t)(op->row / 64), bit = (uint64_t)1 << (op->row % 64);
            int v = op->wdata ? (int)((op->wdata[j / 64] >> (j % 64)) & 1u) : 0;
            if (((*w & bit) != 0) != v)
                n[ACT_WRITE_BITS_FLIPPED]++;
            *w = v ? (*w | bit) : (*w & ~bit);
        }
    } else if (op->op == AMODEL_READ) {
        n[ACT_READ_OPS]++;
    } else if (op->op == AMODEL_SET_ZF && op->row >= 0 && op->row < m->nseg) {
        n[ACT_ZERO_FLAG_WRITES]++;
        for (int g = 0; g < m->ngrp; g++)
            m->zf[g * m->nseg + op->row] = op->wdata ? (uint8_t)((op->wdata[g / 64] >> (g % 64)) & 1u) : 0;
    }
    if (op->op == AMODEL_COMPUTE) {
        decide(m, op, m->c1_d, m->c2_d, m->se_d);
        uint64_t t1 = 0, t2 = 0;
        for (int at = 0; at < pairs; at++) {
            t1 += m->c1_d[at] != m->c1[at];
            t2 += m->c2_d[at] != m->c2[at];
        }
        n[ACT_C1_TOGGLES] += t1;
        n[ACT_C2_TOGGLES] += t2;
        memcpy(m->c1, m->c1_d, (size_t)pairs);
        memcpy(m->c2, m->c2_d, (size_t)pairs);
        memcpy(m->se, m->se_d, (size_t)pairs);
        m->la_valid = 1;
        m->la_gate = op->gate != 0;
        m->la_ncols = op->ncols < 0 ? 0 : op->ncols > m->cfg.cols ? m->cfg.cols : op->ncols;
        memcpy(m->la_rwl, m->in_use, (size_t)m->rw * sizeof *m->la_rwl);
        memcpy(m->la_gated, m->gated, (size_t)m->nseg);
        memcpy(m->la_mapped, m->mapped, (size_t)m->nseg);
    } else {
        memset(m->se, 0, (size_t)pairs);
    }
    if (op->op == AMODEL_CLR_CNT)
        memset(&m->n, 0, sizeof m->n);
}

/* amodel.c - the host's model of the array's activity (see amodel.h). */
#include "power/amodel.h"

#include <stdlib.h>
#include <string.h>

struct amodel {
    amodel_cfg cfg;
    int nseg, ngrp, rw, cw;     /* segments, column groups, words per row vector / column vector */
    uint64_t *cells;            /* per column: column j's bits at [j*rw .. j*rw + rw) */
    int sliced;                 /* 1: bit-sliced array cycle (AMODEL_IMPL_SLICED) */
    int nb;                     /* sliced: bits of a line level (levels 0 .. seg_rows) */
    uint16_t *lvl;              /* per column: line level of (segment s, column j) at [s*cols + j] */
    uint64_t *rowbits;          /* sliced: row r's cells, column j at bit j%64 of [r*cw + j/64] */
    uint64_t *lvp;              /* sliced: bit k of the levels of segment s, column j at bit j%64 of
                                 * [(s*nb + k)*cw + j/64] */
    uint64_t *gm;               /* sliced: the columns of group g at [g*cw .. g*cw + cw) */
    /* the line controls of segment s, bit g = column group g (at most 64 groups) */
    uint64_t *c1, *c2, *se;     /* C1 / C2 registers, SE pulse */
    uint64_t *vgnd;             /* footer on in the previous cycle */
    uint64_t *zf;               /* stored-zero flags (SET_ZF) */
    uint64_t all_groups;        /* bits 0 .. ngrp-1 */
    /* the lookahead register: the COMPUTE sampled at the previous edge */
    int la_valid, la_gate, la_ncols;
    int la_zf_gated;            /* (powered group, mapped segment) pairs with their stored-zero flag set, gating on */
    uint64_t *la_rwl;           /* rw words */
    uint8_t *la_gated, *la_mapped;
    /* scratch for the next decision */
    uint64_t *in_use;
    uint64_t *seg_rwl;          /* rw words: one segment's raised word lines (array_cycle) */
    uint8_t *zero, *gated, *mapped;
    uint64_t *c1_d, *c2_d, *se_d;
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

/* Sets bits [lo, lo + n) of the word vector v. */
static void set_bits(uint64_t *v, int lo, int n)
{
    for (int bit = lo; bit < lo + n;) {
        int w = bit / 64, off = bit % 64, take = 64 - off < lo + n - bit ? 64 - off : lo + n - bit;
        v[w] |= (take == 64 ? ~(uint64_t)0 : (((uint64_t)1 << take) - 1)) << off;
        bit += take;
    }
}

void amodel_free(amodel *m)
{
    if (!m)
        return;
    free(m->cells);
    free(m->lvl);
    free(m->rowbits);
    free(m->lvp);
    free(m->gm);
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
        cfg->rows % cfg->seg_rows || cfg->cols % cfg->col_group || cfg->seg_rows > 65535 ||
        cfg->cols / cfg->col_group > 64 || (cfg->impl == AMODEL_IMPL_SLICED && cfg->seg_rows > 64)) {
        snprintf(err->msg, sizeof err->msg,
                 "array model: bad geometry %dx%d (segment %d rows, group %d columns): segment and group must "
                 "divide rows and columns, at most 64 groups (bit-sliced: segments of at most 64 rows)",
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
    size_t ns = (size_t)m->nseg;
    m->sliced = cfg->impl == AMODEL_IMPL_SLICED || (cfg->impl != AMODEL_IMPL_COLUMNS && cfg->seg_rows <= 64);
    while ((1 << m->nb) <= cfg->seg_rows)
        m->nb++;
    if (m->sliced) {
        m->rowbits = calloc((size_t)cfg->rows * (size_t)m->cw, sizeof *m->rowbits);
        m->lvp = calloc(ns * (size_t)m->nb * (size_t)m->cw, sizeof *m->lvp);
        m->gm = calloc((size_t)m->ngrp * (size_t)m->cw, sizeof *m->gm);
        if (!m->rowbits || !m->lvp || !m->gm)
            goto oom;
        for (int g = 0; g < m->ngrp; g++)
            set_bits(&m->gm[(size_t)g * (size_t)m->cw], g * cfg->col_group, cfg->col_group);
    } else {
        m->cells = calloc((size_t)cfg->cols * (size_t)m->rw, sizeof *m->cells);
        m->lvl = calloc(ns * (size_t)cfg->cols, sizeof *m->lvl);
        if (!m->cells || !m->lvl)
            goto oom;
    }
    m->c1 = calloc(ns, sizeof *m->c1);
    m->c2 = calloc(ns, sizeof *m->c2);
    m->se = calloc(ns, sizeof *m->se);
    m->vgnd = calloc(ns, sizeof *m->vgnd);
    m->zf = calloc(ns, sizeof *m->zf);
    m->la_rwl = calloc((size_t)m->rw, sizeof *m->la_rwl);
    m->la_gated = calloc(ns, 1);
    m->la_mapped = calloc(ns, 1);
    m->in_use = calloc((size_t)m->rw, sizeof *m->in_use);
    m->seg_rwl = calloc((size_t)m->rw, sizeof *m->seg_rwl);
    m->zero = calloc(ns, 1);
    m->gated = calloc(ns, 1);
    m->mapped = calloc(ns, 1);
    m->c1_d = calloc(ns, sizeof *m->c1_d);
    m->c2_d = calloc(ns, sizeof *m->c2_d);
    m->se_d = calloc(ns, sizeof *m->se_d);
    m->all_groups = m->ngrp == 64 ? ~(uint64_t)0 : (((uint64_t)1 << m->ngrp) - 1);
    if (!m->c1_d || !m->c2_d || !m->se_d || !m->c1 || !m->c2 || !m->se || !m->vgnd || !m->la_rwl || !m->la_gated ||
        !m->la_mapped || !m->in_use || !m->seg_rwl || !m->zero || !m->gated || !m->mapped || !m->zf)
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
    size_t ns = (size_t)m->nseg;
    if (m->sliced) {
        memset(m->rowbits, 0, (size_t)m->cfg.rows * (size_t)m->cw * sizeof *m->rowbits);
        memset(m->lvp, 0, ns * (size_t)m->nb * (size_t)m->cw * sizeof *m->lvp);
    } else {
        memset(m->cells, 0, (size_t)m->cfg.cols * (size_t)m->rw * sizeof *m->cells);
        memset(m->lvl, 0, ns * (size_t)m->cfg.cols * sizeof *m->lvl);
    }
    memset(m->c1, 0, ns * sizeof *m->c1);
    memset(m->c2, 0, ns * sizeof *m->c2);
    memset(m->se, 0, ns * sizeof *m->se);
    memset(m->vgnd, 0, ns * sizeof *m->vgnd);
    memset(m->zf, 0, ns * sizeof *m->zf);
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
    size_t ns = (size_t)m->nseg;
    int la[4] = {m->la_valid, m->la_valid ? m->la_gate : 0, m->la_valid ? m->la_ncols : 0,
                 m->la_valid ? m->la_zf_gated : 0};
    if (m->sliced) {
        h = amodel_hash_bytes(h, m->rowbits, (size_t)m->cfg.rows * (size_t)m->cw * sizeof *m->rowbits);
        h = amodel_hash_bytes(h, m->lvp, ns * (size_t)m->nb * (size_t)m->cw * sizeof *m->lvp);
    } else {
        h = amodel_hash_bytes(h, m->cells, (size_t)m->cfg.cols * (size_t)m->rw * sizeof *m->cells);
        h = amodel_hash_bytes(h, m->lvl, ns * (size_t)m->cfg.cols * sizeof *m->lvl);
    }
    h = amodel_hash_bytes(h, m->c1, ns * sizeof *m->c1);
    h = amodel_hash_bytes(h, m->c2, ns * sizeof *m->c2);
    h = amodel_hash_bytes(h, m->se, ns * sizeof *m->se);
    h = amodel_hash_bytes(h, m->vgnd, ns * sizeof *m->vgnd);
    h = amodel_hash_bytes(h, m->zf, ns * sizeof *m->zf);
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

/* Bit-sliced: the columns of word w of segment s at once. p, e, sn: the
 * columns precharged, evaluated (footer on and a word line raised) and
 * sensed; rwl: the segment's raised word lines (nw words from word w0).
 * The count of conducting cells of every column is built in planes c (a
 * ripple add of each raised row's cells), the level is min(start + count,
 * seg_rows) computed plane by plane, exactly the per-column arithmetic of
 * line_pair_cycle. */
static void sliced_word(amodel *m, int s, int w, uint64_t p, uint64_t e, uint64_t sn, const uint64_t *rwl, int w0,
                        int nw, line_sums *t)
{
    enum { NBMAX = 8 };
    const int nb = m->nb, cw = m->cw, seg = m->cfg.seg_rows;
    uint64_t *o = &m->lvp[(size_t)s * (size_t)nb * (size_t)cw + (size_t)w];
    uint64_t c[NBMAX] = {0}, sum[NBMAX + 1], st[NBMAX];
    for (int k = 0; e && k < nw; k++)
        for (uint64_t bits = rwl[k]; bits; bits &= bits - 1) {
            int r = 64 * (w0 + k) + __builtin_ctzll(bits);
            uint64_t x = m->rowbits[(size_t)r * (size_t)cw + (size_t)w] & e;
            for (int b = 0; x && b < nb; b++) { /* c += x, column by column */
                uint64_t carry = c[b] & x;
                c[b] ^= x;
                x = carry;
            }
        }
    uint64_t old_nz = 0, carry = 0;
    for (int b = 0; b < nb; b++) {
        uint64_t ob = o[(size_t)b * (size_t)cw];
        old_nz |= ob & p;
        t->recharge_steps += (uint64_t)popc(ob & p) << b;
        t->cell_discharges += (uint64_t)popc(c[b]) << b;
        st[b] = ob & ~p;
        sum[b] = st[b] ^ c[b] ^ carry;
        carry = (st[b] & c[b]) | (carry & (st[b] ^ c[b]));
    }
    sum[nb] = carry;
    uint64_t gt = 0, eq = ~(uint64_t)0; /* columns whose start + count > seg_rows */
    for (int b = nb; b >= 0; b--) {
        if ((seg >> b) & 1) {
            eq &= sum[b];
        } else {
            gt |= eq & sum[b];
            eq &= ~sum[b];
        }
    }
    uint64_t moved = 0, nz = 0;
    for (int b = 0; b < nb; b++) {
        uint64_t lv = (sum[b] & ~gt) | (((seg >> b) & 1) ? gt : 0);
        moved |= lv ^ st[b];
        nz |= lv;
        o[(size_t)b * (size_t)cw] = lv;
    }
    t->precharges += (uint64_t)popc(p);
    t->recharges += (uint64_t)popc(old_nz);
    t->line_discharges += (uint64_t)popc(moved);
    t->evals += (uint64_t)popc(sn);
    t->transfers += m->cfg.flat ? 0 : (uint64_t)popc(nz & sn);
}

/* The line events of segment s (raised word lines rwl, wl of them). */
static void segment_cycle(amodel *m, int s, const uint64_t *rwl, int w0, int nw, int wl, line_sums *t)
{
    const int grp = m->cfg.col_group;
    if (!m->sliced) {
        for (int g = 0; g < m->ngrp; g++) {
            int pch = (int)(m->c2[s] >> g) & 1, foot = (int)(m->c1[s] >> g) & 1, sense = (int)(m->se[s] >> g) & 1;
            if (!pch && (!foot || !wl)) /* nothing moves on these lines */
                continue;
            line_pair_cycle(m, s, g * grp, pch, foot && wl, sense, rwl, w0, nw, t);
        }
        return;
    }
    for (int w = 0; w < m->cw; w++) {
        uint64_t pm = 0, em = 0, sm = 0;
        const uint64_t c1 = wl ? m->c1[s] : 0, c2 = m->c2[s], se = m->se[s];
        for (uint64_t any = c1 | c2 | se; any; any &= any - 1) {
            int g = __builtin_ctzll(any);
            uint64_t gm = m->gm[(size_t)g * (size_t)m->cw + (size_t)w];
            pm |= (c2 >> g) & 1 ? gm : 0;
            em |= (c1 >> g) & 1 ? gm : 0;
            sm |= (se >> g) & 1 ? gm : 0;
        }
        uint64_t vis = pm | em; /* lines on which something moves */
        if (vis)
            sliced_word(m, s, w, pm, em, sm & vis, rwl, w0, nw, t);
    }
}

/* The array cycle of the COMPUTE in the lookahead register. */
static void array_cycle(amodel *m)
{
    const int seg = m->cfg.seg_rows;
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
        segment_cycle(m, s, rwl, w0, nw, wl, &t);
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
static void decide(amodel *m, const amodel_op *op)
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
    /* group g is powered when g*col_group < ncols */
    int npow = op->ncols <= 0 ? 0 : (op->ncols + m->cfg.col_group - 1) / m->cfg.col_group;
    uint64_t powered = npow >= m->ngrp ? m->all_groups : (((uint64_t)1 << npow) - 1);
    uint64_t g1 = op->gate & 1 ? ~(uint64_t)0 : 0, g2 = op->gate & 2 ? ~(uint64_t)0 : 0, ge = op->gate ? ~(uint64_t)0 : 0;
    int unit = 1 << (op->unit_log2 & 3), zf_gated = 0;
    for (int s = 0; s < m->nseg; s++) {
        int all_zero = 1;
        for (int u = (s / unit) * unit; u < (s / unit + 1) * unit; u++)
            if (u < m->nseg && !m->zero[u])
                all_zero = 0;
        /* stored zeros in every powered group */
        int zf_all = powered && (m->zf[s] & powered) == powered;
        m->gated[s] = (uint8_t)((all_zero || zf_all) && m->mapped[s] && op->gate);
        uint64_t on = m->mapped[s] ? powered : 0, gat = all_zero ? ~(uint64_t)0 : m->zf[s];
        m->c1_d[s] = on & ~(gat & g1);
        m->c2_d[s] = on & ~(gat & g2);
        m->se_d[s] = on & ~(gat & ge);
        zf_gated += popc(on & m->zf[s] & ge);
    }
    m->la_zf_gated = zf_gated;
}

/* WRITE of row `row` with the column bits wdata (NULL: zeros); returns the
 * cells that changed. */
static uint64_t write_row(amodel *m, int row, const uint64_t *wdata)
{
    uint64_t flipped = 0;
    if (m->sliced) {
        uint64_t *rb = &m->rowbits[(size_t)row * (size_t)m->cw];
        for (int w = 0; w < m->cw; w++) {
            int lo = 64 * w, n = m->cfg.cols - lo < 64 ? m->cfg.cols - lo : 64;
            uint64_t keep = n == 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1), v = (wdata ? wdata[w] : 0) & keep;
            flipped += (uint64_t)popc(rb[w] ^ v);
            rb[w] = v;
        }
        return flipped;
    }
    for (int j = 0; j < m->cfg.cols; j++) {
        uint64_t *w = m->cells + (size_t)j * (size_t)m->rw + (size_t)(row / 64), bit = (uint64_t)1 << (row % 64);
        int v = wdata ? (int)((wdata[j / 64] >> (j % 64)) & 1u) : 0;
        flipped += ((*w & bit) != 0) != v;
        *w = v ? (*w | bit) : (*w & ~bit);
    }
    return flipped;
}

void amodel_step(amodel *m, const amodel_op *op)
{
    uint64_t *n = m->n.n;
    const int grp = m->cfg.col_group;
    const size_t ns = (size_t)m->nseg;
    /* the cycle ending at this edge */
    n[ACT_CYCLES]++;
    if (m->la_valid)
        array_cycle(m);
    uint64_t off = 0, wakeups = 0;
    for (size_t s = 0; s < ns; s++) {
        off += (uint64_t)(m->ngrp - popc(m->c1[s]));
        wakeups += (uint64_t)popc(m->c1[s] & ~m->vgnd[s]);
        m->vgnd[s] = m->c1[s];
    }
    n[ACT_FOOTER_OFF] += off * (uint64_t)grp;
    n[ACT_FOOTER_WAKEUPS] += wakeups * (uint64_t)grp;
    /* the operation sampled at this edge */
    m->la_valid = 0;
    if (op->op == AMODEL_WRITE && op->row >= 0 && op->row < m->cfg.rows) {
        n[ACT_WEIGHT_ROW_WRITES]++;
        n[ACT_WRITE_BITS_FLIPPED] += write_row(m, op->row, op->wdata);
    } else if (op->op == AMODEL_READ) {
        n[ACT_READ_OPS]++;
    } else if (op->op == AMODEL_SET_ZF && op->row >= 0 && op->row < m->nseg) {
        n[ACT_ZERO_FLAG_WRITES]++;
        m->zf[op->row] = op->wdata ? op->wdata[0] & m->all_groups : 0;
    }
    if (op->op == AMODEL_COMPUTE) {
        decide(m, op);
        uint64_t t1 = 0, t2 = 0;
        for (size_t s = 0; s < ns; s++) {
            t1 += (uint64_t)popc(m->c1_d[s] ^ m->c1[s]);
            t2 += (uint64_t)popc(m->c2_d[s] ^ m->c2[s]);
        }
        n[ACT_C1_TOGGLES] += t1;
        n[ACT_C2_TOGGLES] += t2;
        memcpy(m->c1, m->c1_d, ns * sizeof *m->c1);
        memcpy(m->c2, m->c2_d, ns * sizeof *m->c2);
        memcpy(m->se, m->se_d, ns * sizeof *m->se);
        m->la_valid = 1;
        m->la_gate = op->gate != 0;
        m->la_ncols = op->ncols < 0 ? 0 : op->ncols > m->cfg.cols ? m->cfg.cols : op->ncols;
        memcpy(m->la_rwl, m->in_use, (size_t)m->rw * sizeof *m->la_rwl);
        memcpy(m->la_gated, m->gated, (size_t)m->nseg);
        memcpy(m->la_mapped, m->mapped, (size_t)m->nseg);
    } else {
        memset(m->se, 0, ns * sizeof *m->se);
    }
    if (op->op == AMODEL_CLR_CNT)
        memset(&m->n, 0, sizeof m->n);
}

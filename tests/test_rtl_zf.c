/*
 * test_rtl_zf.c - the stored-zero flags (SET_ZF, docs/SPEC.md sections 5
 * and 6) at the macro's ports and in the input-stationary driver:
 *   - known answer: a tile with all-zero (group, segment) blocks (a whole
 *     segment, one block, two blocks), their flags written: exactly those
 *     lines are gated (C1/C2/SE by gate mode, seg_gated_o, the segment and
 *     zero_flag_gated counters), in every control unit (the flags are not
 *     subject to the unit rule), results and conducting cells unchanged,
 *     no gating without gate_i, every counter equal to the host model's;
 *   - property: random tiles with zero blocks, random true flags (subsets
 *     of the zero blocks, rewritten now and then, writes that respect
 *     them), random inputs, rows and columns in use, gate modes and units:
 *     P, X, accumulators and seg_gated_o against the host (seg_gated_o by
 *     the SPEC's rule, written here), every counter against the host array
 *     model after every step, and the same accumulators as the same run
 *     without flags, with fewer lines sensed;
 *   - the input-stationary driver: bit-exact and counter-exact with flags,
 *     without (--no-zero-flags) and without gating; the flags gate lines
 *     the word-line rule does not, the cells that conduct are the same, and
 *     the static reference of both gated runs equals the --no-gating run's
 *     RTL counters event by event (that run writes no flags);
 *   - the CLI: --no-zero-flags only with --stationary input; the report's
 *     "zero_flags".
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>

#include "power/act.h"
#include "tb_drv.h"
#include "test_rtl_util.h"
#include "test_util.h"

static cim_dut *open_dut(const dut_geom *want)
{
    char err[512] = "";
    const dut_geom *g = dut_find_build(want, 0, NULL);
    cr_assert_not_null(g, "no build %dx%dx%d", want->rows, want->cols, want->seg_rows);
    cim_dut *d = dut_new(g, NULL, 0, 0, err, sizeof err);
    cr_assert_not_null(d, "%s", err);
    return d;
}

/* The DUT and the host array model, stepped together. */
typedef struct pair {
    cim_dut *d;
    amodel *am;
    const dut_geom *g;
    dut_out *out;
    int nseg, ngrp, cw;
} pair;

static void pair_open(pair *p, const dut_geom *want)
{
    p->d = open_dut(want);
    p->g = dut_geometry(p->d);
    bnn_error err;
    amodel_cfg mc = {p->g->rows, p->g->cols, p->g->seg_rows, p->g->col_group, 0, AMODEL_IMPL_AUTO};
    p->am = amodel_new(&mc, &err);
    cr_assert_not_null(p->am, "%s", err.msg);
    p->out = calloc(1, sizeof *p->out);
    p->nseg = p->g->rows / p->g->seg_rows;
    p->ngrp = p->g->cols / p->g->col_group;
    p->cw = (p->g->cols + 63) / 64;
}

static void pair_close(pair *p)
{
    amodel_free(p->am);
    free(p->out);
    dut_free(p->d);
}

static void step(pair *p, const dut_in *c)
{
    dut_step(p->d, c, p->out, DUT_OUT_ALL);
    amodel_op o = {.op = c->op, .row = c->addr, .wdata = c->wdata, .in = c->in, .gate = c->gate,
                   .unit_log2 = c->unit_log2, .ncols = c->ncols, .nrows = c->nrows};
    amodel_step(p->am, &o);
}

static void counters_match(const pair *p, const char *where, int it)
{
    const act_counts *e = amodel_counts(p->am);
    for (int k = 0; k < DUT_NCNT; k++) {
        int ev = act_event_by_name(dut_cnt_names[k]);
        cr_assert_geq(ev, 0, "%s", dut_cnt_names[k]);
        cr_assert_eq(dut_counter(p->d, k), e->n[ev], "%s %d: counter %s: RTL %llu, host model %llu", where, it,
                     dut_cnt_names[k], (unsigned long long)dut_counter(p->d, k), (unsigned long long)e->n[ev]);
    }
}

static int bit(const uint64_t *w, int i) { return (int)((w[i / 64] >> (i % 64)) & 1u); }
static void set_bit(uint64_t *w, int i, int v)
{
    uint64_t m = (uint64_t)1 << (i % 64);
    w[i / 64] = v ? (w[i / 64] | m) : (w[i / 64] & ~m);
}

/* Whether block (g, s) of the cells (rows x cw words) holds no 1. */
static int block_zero(const pair *p, const uint64_t *mem, int g, int s)
{
    for (int r = s * p->g->seg_rows; r < (s + 1) * p->g->seg_rows; r++)
        for (int j = g * p->g->col_group; j < (g + 1) * p->g->col_group; j++)
            if (bit(mem + (size_t)r * (size_t)p->cw, j))
                return 0;
    return 1;
}

/* ---- known answer ---- */

static void known_answer(const dut_geom *want)
{
    pair p;
    pair_open(&p, want);
    const dut_geom *g = p.g;
    const int rows = g->rows, cols = g->cols, cg = g->col_group, nseg = p.nseg, ngrp = p.ngrp, cw = p.cw;
    uint64_t *mem = calloc((size_t)rows * (size_t)cw, sizeof *mem);
    uint8_t *zb = calloc((size_t)ngrp * (size_t)nseg, 1);
    /* zero blocks: segment 1 in every group, (group 1, segment 3), (groups 0 and ngrp-1, segment nseg-2) */
    for (int gg = 0; gg < ngrp; gg++) {
        zb[gg * nseg + 1] = 1;
        zb[gg * nseg + nseg - 2] = gg == 0 || gg == ngrp - 1;
    }
    zb[1 * nseg + 3] = 1;
    const int n_zero = ngrp + 1 + 2;
    bnn_rng r;
    bnn_rng_seed(&r, 31);
    uint64_t ones = 0;
    for (int row = 0; row < rows; row++)
        for (int j = 0; j < cols; j++) {
            int s = row / g->seg_rows, gg = j / cg;
            /* other blocks: random, and never all zero (the first cell of each is 1) */
            int v = !zb[gg * nseg + s] && ((bnn_rng_u64(&r) & 1u) || (row % g->seg_rows == 0 && j % cg == 0));
            set_bit(mem + (size_t)row * (size_t)cw, j, v);
            ones += (uint64_t)v;
        }
    for (int row = 0; row < rows; row++) {
        dut_in w = {.op = DUT_WRITE, .addr = row, .wdata = mem + (size_t)row * (size_t)cw};
        step(&p, &w);
    }
    for (int gg = 0; gg < ngrp; gg++)
        for (int s = 0; s < nseg; s++)
            cr_assert_eq(block_zero(&p, mem, gg, s), zb[gg * nseg + s], "block (%d, %d)", gg, s);
    /* the flags: one SET_ZF per segment (bits above NGRP junk: ignored) */
    uint64_t fl[DUT_MAX_COLS / 64];
    for (int s = 0; s < nseg; s++) {
        memset(fl, 0xa5, sizeof fl);
        for (int gg = 0; gg < ngrp; gg++)
            set_bit(fl, gg, zb[gg * nseg + s]);
        dut_in z = {.op = DUT_SET_ZF, .addr = s, .wdata = fl};
        step(&p, &z);
    }
    cr_assert_eq(dut_counter(p.d, DUT_CNT_ZF_WRITES), (uint64_t)nseg);
    counters_match(&p, "flags written", 0);
    uint64_t in[DUT_MAX_COLS / 64 * 16];
    memset(in, 0xff, sizeof in);   /* every word line up: the word-line rule gates nothing */
    const int N = 5;
    static const int modes[] = {DUT_GATE_BOTH, DUT_GATE_C2, DUT_GATE_C1, DUT_GATE_NONE};
    for (int mi = 0; mi < 4; mi++)
        for (int unit = 0; unit < 4; unit += 3) {
            int m = modes[mi];
            dut_in clr = {.op = DUT_CLR_CNT};
            step(&p, &clr);
            int32_t acc[DUT_MAX_COLS] = {0};
            for (int k = 0; k < N; k++) {
                dut_in c = {.op = DUT_COMPUTE, .in = in, .first = k == 0, .last = k == N - 1, .plane = k,
                            .gate = m, .unit_log2 = unit, .ncols = cols, .nrows = rows};
                step(&p, &c);
                if (k > 0) {
                    cr_assert_eq(p.out->x, rows);
                    cr_assert_eq(p.out->seg_gated, m ? (uint64_t)1 << 1 : 0, "gate %d unit %d: seg_gated %llx", m,
                                 unit, (unsigned long long)p.out->seg_gated);
                }
                for (int j = 0; j < cols; j++) {
                    int pc = 0;
                    for (int row = 0; row < rows; row++)
                        pc += bit(mem + (size_t)row * (size_t)cw, j);
                    if (k > 0)
                        cr_assert_eq(p.out->p[j], pc, "gate %d unit %d column %d: P", m, unit, j);
                    acc[j] += (2 * pc - rows) * (1 << k);
                }
            }
            dut_in nop = {.op = DUT_NOP, .gate = m, .ncols = cols, .nrows = rows};
            step(&p, &nop);
            cr_assert_eq(p.out->acc_valid, 1);
            for (int j = 0; j < cols; j++)
                cr_assert_eq(p.out->acc[j], acc[j], "gate %d unit %d column %d: acc", m, unit, j);
            counters_match(&p, "known answer, gate", m);
            const uint64_t lines_all = (uint64_t)N * (uint64_t)nseg * (uint64_t)cols,
                           lines_zf = (uint64_t)N * (uint64_t)n_zero * (uint64_t)cg;
            cr_assert_eq(dut_counter(p.d, DUT_CNT_ZF_GATED), m ? (uint64_t)(N * n_zero) : 0, "gate %d", m);
            cr_assert_eq(dut_counter(p.d, DUT_CNT_SEG_GATED), m ? (uint64_t)N : 0, "gate %d: segment 1 only", m);
            cr_assert_eq(dut_counter(p.d, DUT_CNT_SEG_ACTIVE), (uint64_t)(N * (nseg - (m ? 1 : 0))), "gate %d", m);
            cr_assert_eq(dut_counter(p.d, DUT_CNT_EVALS), m ? lines_all - lines_zf : lines_all, "gate %d", m);
            cr_assert_eq(dut_counter(p.d, DUT_CNT_PRECHARGES), (m & DUT_GATE_C2) ? lines_all - lines_zf : lines_all,
                         "gate %d", m);
            cr_assert_eq(dut_counter(p.d, DUT_CNT_CELL_DISCHARGES), (uint64_t)N * ones,
                         "gate %d: the same cells conduct (none in a flagged block)", m);
            cr_assert_eq(dut_counter(p.d, DUT_CNT_CHECKS), m ? (uint64_t)(N * nseg) : 0);
        }
    /* flags cleared: nothing is gated any more */
    for (int s = 0; s < nseg; s++) {
        dut_in z = {.op = DUT_SET_ZF, .addr = s, .wdata = NULL};
        step(&p, &z);
    }
    dut_in clr = {.op = DUT_CLR_CNT};
    step(&p, &clr);
    dut_in c = {.op = DUT_COMPUTE, .in = in, .first = 1, .last = 1, .gate = DUT_GATE_BOTH, .ncols = cols,
                .nrows = rows};
    step(&p, &c);
    dut_in nop = {.op = DUT_NOP, .ncols = cols, .nrows = rows};
    step(&p, &nop);
    cr_assert_eq(p.out->seg_gated, 0);
    cr_assert_eq(dut_counter(p.d, DUT_CNT_ZF_GATED), 0);
    cr_assert_eq(dut_counter(p.d, DUT_CNT_EVALS), (uint64_t)nseg * (uint64_t)cols);
    counters_match(&p, "flags cleared", 0);
    free(mem);
    free(zb);
    pair_close(&p);
}

Test(zero_flags, known_answer_small) { known_answer(&rt_small); }
Test(zero_flags, known_answer_default, .timeout = 120) { known_answer(&rt_default); }

/* ---- property: random tiles, flags, inputs and configurations ---- */

typedef struct prop_log {
    int32_t *acc;       /* every accumulation's results */
    int n_acc;
    uint64_t evals, zf_gated;
} prop_log;

/* The SPEC's segment status: mapped, gating on, and the unit's word lines
 * zero or every powered group's flag of the segment set (a group powered). */
static uint64_t spec_seg_gated(const pair *p, const uint64_t *in, const uint8_t *zf, int gate, int unit_log2,
                               int ncols, int nrows)
{
    const dut_geom *g = p->g;
    uint64_t gated = 0;
    for (int s = 0; s < p->nseg; s++) {
        int u0 = (s >> unit_log2) << unit_log2, zero = 1;
        for (int t = u0; t < u0 + (1 << unit_log2) && t < p->nseg; t++)
            for (int row = t * g->seg_rows; row < (t + 1) * g->seg_rows; row++)
                zero &= row >= nrows || !bit(in, row);
        int all = ncols > 0;
        for (int gg = 0; gg < p->ngrp && gg * g->col_group < ncols; gg++)
            all &= zf[gg * p->nseg + s];
        if (gate && (zero || all) && s * g->seg_rows < nrows)
            gated |= (uint64_t)1 << s;
    }
    return gated;
}

static void prop_run(const dut_geom *want, uint64_t seed, int iters, int with_flags, prop_log *lg)
{
    pair p;
    pair_open(&p, want);
    const dut_geom *g = p.g;
    const int rows = g->rows, cols = g->cols, cg = g->col_group, nseg = p.nseg, ngrp = p.ngrp, cw = p.cw;
    uint64_t *mem = calloc((size_t)rows * (size_t)cw, sizeof *mem);
    /* zf: the flags the run decides (the same in both runs, so the writes that keep flagged blocks zero are
     * the same); zf_dut: what the DUT holds (zf, or all 0 in the run without flags) */
    uint8_t *zmap = calloc((size_t)ngrp * (size_t)nseg, 1), *zf = calloc((size_t)ngrp * (size_t)nseg, 1),
            *zf_dut = calloc((size_t)ngrp * (size_t)nseg, 1);
    uint64_t in[DUT_MAX_COLS / 64 * 16], row_w[DUT_MAX_COLS / 64], fl[DUT_MAX_COLS / 64];
    bnn_rng r;
    bnn_rng_seed(&r, seed);
    /* tiles: blocks zero with probability 1/2, whole segments now and then */
    for (int s = 0; s < nseg; s++) {
        int whole = bnn_rng_range(&r, 0, 3) == 0;
        for (int gg = 0; gg < ngrp; gg++)
            zmap[gg * nseg + s] = (uint8_t)(whole || bnn_rng_range(&r, 0, 1));
    }
    for (int row = 0; row < rows; row++) {
        for (int j = 0; j < cols; j++)
            set_bit(mem + (size_t)row * (size_t)cw, j,
                    !zmap[(j / cg) * nseg + row / g->seg_rows] && bnn_rng_range(&r, 0, 2) == 0);
        dut_in w = {.op = DUT_WRITE, .addr = row, .wdata = mem + (size_t)row * (size_t)cw};
        step(&p, &w);
    }
    int32_t acc[DUT_MAX_COLS];
    for (int it = 0; it < iters; it++) {
        /* now and then: a row rewritten (keeping flagged blocks zero), a segment's flags rewritten */
        if (bnn_rng_range(&r, 0, 3) == 0) {
            int row = bnn_rng_range(&r, 0, rows - 1), s = row / g->seg_rows;
            memset(row_w, 0, sizeof row_w);
            int follow = bnn_rng_range(&r, 0, 3) != 0;
            for (int j = 0; j < cols; j++) {
                int b = bnn_rng_range(&r, 0, 1);
                if (zf[(j / cg) * nseg + s] || (follow && zmap[(j / cg) * nseg + s]))
                    b = 0;
                set_bit(row_w, j, b);
            }
            memcpy(mem + (size_t)row * (size_t)cw, row_w, (size_t)cw * sizeof *row_w);
            dut_in w = {.op = DUT_WRITE, .addr = row, .wdata = row_w};
            step(&p, &w);
        }
        if (bnn_rng_range(&r, 0, 1) == 0) {
            int s = bnn_rng_range(&r, 0, nseg - 1), mode = bnn_rng_range(&r, 0, 3);
            memset(fl, 0, sizeof fl);
            for (int gg = 0; gg < ngrp; gg++) {
                int v = block_zero(&p, mem, gg, s) && mode != 0 && (mode == 1 || bnn_rng_range(&r, 0, 1));
                set_bit(fl, gg, v);
            }
            for (int j = ngrp; j < cols; j++)
                set_bit(fl, j, bnn_rng_range(&r, 0, 1));  /* junk above NGRP */
            /* a segment address past NSEG (when the row address has room) writes nothing */
            int far = bnn_rng_range(&r, 0, 7) == 0, addr = nseg < rows ? bnn_rng_range(&r, nseg, rows - 1) : s;
            if (!far)
                addr = s;
            if (addr < nseg)
                for (int gg = 0; gg < ngrp; gg++)
                    zf[gg * nseg + s] = (uint8_t)bit(fl, gg);
            if (with_flags) {
                dut_in z = {.op = DUT_SET_ZF, .addr = addr, .wdata = fl};
                step(&p, &z);
                memcpy(zf_dut, zf, (size_t)ngrp * (size_t)nseg);
            }
        }
        int gate = bnn_rng_range(&r, 0, 3), unit_log2 = bnn_rng_range(&r, 0, 3);
        int ncols = it % 5 == 0 ? bnn_rng_range(&r, 0, cols) : cols;
        int nrows = it % 4 == 0 ? bnn_rng_range(&r, 0, rows) : rows;
        int planes = bnn_rng_range(&r, 1, 4);
        for (int j = 0; j < cols; j++)
            acc[j] = 0;
        int hp[DUT_MAX_COLS], hx = 0, pend = 0;
        uint64_t pend_gated = 0;
        int pend_p[DUT_MAX_COLS], pend_x = 0;
        for (int k = 0; k < planes; k++) {
            for (int s = 0; s < nseg; s++) {
                int zero = bnn_rng_range(&r, 0, 2) == 0;
                for (int row = s * g->seg_rows; row < (s + 1) * g->seg_rows; row++)
                    set_bit(in, row, !zero && bnn_rng_range(&r, 0, 1));
            }
            hx = 0;
            for (int j = 0; j < cols; j++)
                hp[j] = 0;
            for (int row = 0; row < nrows && row < rows; row++)
                if (bit(in, row)) {
                    hx++;
                    for (int j = 0; j < ncols && j < cols; j++)
                        hp[j] += bit(mem + (size_t)row * (size_t)cw, j);
                }
            dut_in c = {.op = DUT_COMPUTE, .in = in, .first = k == 0, .last = k == planes - 1, .plane = k,
                        .gate = gate, .unit_log2 = unit_log2, .ncols = ncols, .nrows = nrows};
            step(&p, &c);
            if (pend) {
                cr_assert_eq(p.out->x, pend_x, "it %d: X", it);
                cr_assert_eq(p.out->seg_gated, pend_gated, "it %d: seg_gated %llx, the SPEC's %llx", it,
                             (unsigned long long)p.out->seg_gated, (unsigned long long)pend_gated);
                for (int j = 0; j < cols; j++)
                    cr_assert_eq(p.out->p[j], pend_p[j], "it %d column %d: P", it, j);
            }
            pend = 1;
            pend_x = hx;
            pend_gated = spec_seg_gated(&p, in, zf_dut, gate, unit_log2, ncols, nrows);
            memcpy(pend_p, hp, sizeof hp);
            for (int j = 0; j < cols; j++)
                acc[j] += j < ncols ? (2 * hp[j] - hx) * (1 << k) : 0;
            counters_match(&p, "compute", it);
        }
        dut_in nop = {.op = DUT_NOP, .ncols = ncols, .nrows = nrows};
        step(&p, &nop);
        cr_assert_eq(p.out->acc_valid, 1);
        cr_assert_eq(p.out->seg_gated, pend_gated, "it %d: seg_gated of the last plane", it);
        for (int j = 0; j < cols; j++) {
            cr_assert_eq(p.out->p[j], pend_p[j], "it %d column %d: P of the last plane", it, j);
            cr_assert_eq(p.out->acc[j], acc[j], "it %d column %d: acc", it, j);
            lg->acc[lg->n_acc++] = p.out->acc[j];
        }
        if (it % 29 == 28) {
            dut_in clr = {.op = DUT_CLR_CNT};
            step(&p, &clr);
        }
        counters_match(&p, "after", it);
        lg->evals += dut_counter(p.d, DUT_CNT_EVALS);
        lg->zf_gated += dut_counter(p.d, DUT_CNT_ZF_GATED);
    }
    free(mem);
    free(zmap);
    free(zf);
    free(zf_dut);
    pair_close(&p);
}

static void property(const dut_geom *g, uint64_t seed, int iters)
{
    prop_log a = {calloc((size_t)iters * DUT_MAX_COLS, sizeof(int32_t)), 0, 0, 0},
             b = {calloc((size_t)iters * DUT_MAX_COLS, sizeof(int32_t)), 0, 0, 0};
    prop_run(g, seed, iters, 1, &a);
    prop_run(g, seed, iters, 0, &b);
    cr_assert_eq(a.n_acc, b.n_acc);
    cr_assert_eq(memcmp(a.acc, b.acc, (size_t)a.n_acc * sizeof *a.acc), 0, "results differ with and without flags");
    cr_assert_gt(a.zf_gated, 0, "no line was gated by a stored-zero flag");
    cr_assert_eq(b.zf_gated, 0);
    cr_assert_lt(a.evals, b.evals, "the flags sense fewer lines");
    free(a.acc);
    free(b.acc);
}

Test(zero_flags, property_small, .timeout = 120)
{
    for (uint64_t seed = 7; seed < 10; seed++)
        property(&rt_small, seed, 1500);
}
Test(zero_flags, property_default, .timeout = 240) { property(&rt_default, 8, 500); }

/* ---- the input-stationary driver ---- */

typedef struct is_job {
    const bnn_model *m;
    tb_opts o;
    int images;
    tb_layer_stats *ls;     /* the input-stationary layers' (tb_stats), n_ls of them */
    int n_ls;
    uint64_t mismatches;
    char err[600];
} is_job;

/* Runs the images through the driver, input-stationary (tb_drv.h). */
static int is_images(tb_ctx *tb, is_job *j, bnn_trace *tr, bnn_tensor *img, bnn_error *err)
{
    bnn_rng r;
    bnn_rng_seed(&r, 5);
    tb_image_result res;
    for (int i = 0; i < j->images; i++) {
        rt_fill_image(img, &r, RT_RANDOM);
        if (bnn_forward(j->m, img, BNN_FAST, tr, err) || tb_run_image(tb, tr, i, &res, err))
            return -1;
    }
    const tb_layer_stats *ls = tb_stats(tb, &j->n_ls);
    j->ls = calloc((size_t)j->n_ls + 1, sizeof *j->ls);
    if (!j->ls)
        return -1;
    memcpy(j->ls, ls, (size_t)j->n_ls * sizeof *ls);
    j->mismatches = tb_mismatches(tb);
    return 0;
}

static int is_body(cim_dut *dut, void *arg)
{
    is_job *j = arg;
    bnn_error err = {""};
    bnn_trace *tr = bnn_trace_new(j->m);
    bnn_tensor *img = bnn_tensor_new(j->m->in_c, j->m->in_h, j->m->in_w, j->m->in_bits);
    tb_ctx *tb = tr && img ? tb_new(dut, j->m, &j->o, &err) : NULL;
    int rc = tb ? is_images(tb, j, tr, img, &err) : -1;
    if (rc)
        snprintf(j->err, sizeof j->err, "%s", err.msg[0] ? err.msg : "out of memory");
    tb_free(tb);
    bnn_tensor_free(img);
    bnn_trace_free(tr);
    return rc;
}

static void is_run(const dut_geom *want, const bnn_model *m, const tb_opts *o, is_job *j)
{
    memset(j, 0, sizeof *j);
    j->m = m;
    j->o = *o;
    j->o.stationary = MAP_INPUT_STATIONARY;
    j->images = 2;
    const dut_geom *g = dut_find_build(want, 0, NULL);
    cr_assert_not_null(g);
    char err[512] = "";
    cr_assert_eq(tb_backend_verilated.run(g, NULL, 0, 0, is_body, j, err, sizeof err), 0, "%s %s", err, j->err);
    cr_assert_eq(j->mismatches, 0, "%llu mismatches", (unsigned long long)j->mismatches);
}

static void is_driver(const dut_geom *want)
{
    bnn_random_opts ro = {.depth = 8, .width = 8, .se = 1, .in_c = 1, .in_h = 8, .in_w = 8, .classes = 10,
                          .seed = 3};
    bnn_model *m = NULL;
    bnn_error err;
    cr_assert_eq(bnn_model_random(&ro, &m, &err), 0, "%s", err.msg);
    tb_opts of = rt_opts(1, 0), on = rt_opts(1, 0), ou = rt_opts(0, 0);
    on.no_zero_flags = 1;
    ou.no_zero_flags = 0;
    is_job f, n, u;
    is_run(want, m, &of, &f);
    is_run(want, m, &on, &n);
    is_run(want, m, &ou, &u);
    uint64_t zf_gated = 0, seg_f = 0, seg_n = 0, evals_f = 0, evals_n = 0;
    int layers = 0;
    cr_assert(f.n_ls == n.n_ls && f.n_ls == u.n_ls);
    for (int l = 0; l < m->n_layers; l++) {
        if (!map_is_layer(&m->layers[l]))
            continue;
        cr_assert_lt(layers, f.n_ls, "more input-stationary layers than the driver ran");
        const tb_layer_stats *lf = &f.ls[layers], *ln = &n.ls[layers], *lu = &u.ls[layers];
        cr_assert_str_eq(lf->name, m->layers[l].name);
        layers++;
        cr_assert(lf->have_ref && ln->have_ref, "layer %s: no references", lf->name);
        cr_assert_eq(lf->act_mismatches + ln->act_mismatches + lu->act_mismatches, 0, "layer %s", lf->name);
        /* one SET_ZF per mapped segment and tile, in the flag run only */
        int nseg_map = 0;
        const bnn_conv *cv = &m->layers[l].u.conv;
        const dut_geom *bg = dut_find_build(want, 0, NULL);
        int nrow = cv->in_c * cv->k_h * cv->k_w, pix = cv->out_h * cv->out_w, rows = bg->rows, seg = bg->seg_rows,
            cols = bg->cols;
        for (int r0 = 0; r0 < nrow; r0 += rows)
            nseg_map += ((nrow - r0 < rows ? nrow - r0 : rows) + seg - 1) / seg;
        cr_assert_eq(lf->cnt[DUT_CNT_ZF_WRITES], (uint64_t)(2 * nseg_map * ((pix + cols - 1) / cols)), "layer %s",
                     lf->name);
        cr_assert_eq(ln->cnt[DUT_CNT_ZF_WRITES], 0);
        cr_assert_eq(lu->cnt[DUT_CNT_ZF_WRITES], 0);
        cr_assert_eq(ln->cnt[DUT_CNT_ZF_GATED], 0);
        /* the same cells conduct in every run */
        cr_assert_eq(lf->cnt[DUT_CNT_CELL_DISCHARGES], lu->cnt[DUT_CNT_CELL_DISCHARGES], "layer %s", lf->name);
        cr_assert_eq(ln->cnt[DUT_CNT_CELL_DISCHARGES], lu->cnt[DUT_CNT_CELL_DISCHARGES], "layer %s", lf->name);
        /* the static reference of both gated runs is the --no-gating run, event by event */
        for (int k = 0; k < DUT_NCNT; k++) {
            int e = act_event_by_name(dut_cnt_names[k]);
            cr_assert_eq(lf->stat.n[e], lu->cnt[k], "layer %s: %s: static reference %llu, --no-gating run %llu",
                         lf->name, dut_cnt_names[k], (unsigned long long)lf->stat.n[e],
                         (unsigned long long)lu->cnt[k]);
            cr_assert_eq(ln->stat.n[e], lu->cnt[k], "layer %s: %s", ln->name, dut_cnt_names[k]);
        }
        cr_assert_eq(lf->stat.n[ACT_CYCLES], lu->cycles, "layer %s: cycles", lf->name);
        /* the flags' cycles: one per SET_ZF */
        cr_assert_eq(lf->cycles, ln->cycles + lf->cnt[DUT_CNT_ZF_WRITES], "layer %s", lf->name);
        zf_gated += lf->cnt[DUT_CNT_ZF_GATED];
        seg_f += lf->cnt[DUT_CNT_SEG_GATED];
        seg_n += ln->cnt[DUT_CNT_SEG_GATED];
        evals_f += lf->cnt[DUT_CNT_EVALS];
        evals_n += ln->cnt[DUT_CNT_EVALS];
    }
    cr_assert_gt(layers, 0);
    cr_assert_eq(layers, f.n_ls, "the driver ran layers that are not binary convs");
    cr_assert_gt(zf_gated, 0, "the flags gated nothing");
    cr_assert_gt(seg_f, seg_n, "segments gated: %llu with flags, %llu without", (unsigned long long)seg_f,
                 (unsigned long long)seg_n);
    cr_assert_lt(evals_f, evals_n, "lines sensed: %llu with flags, %llu without", (unsigned long long)evals_f,
                 (unsigned long long)evals_n);
    free(f.ls);
    free(n.ls);
    free(u.ls);
    bnn_model_free(m);
}

Test(zero_flags, input_stationary_driver_small, .timeout = 120) { is_driver(&rt_small); }
Test(zero_flags, input_stationary_driver_default, .timeout = 240) { is_driver(&rt_default); }

/* ---- the CLI ---- */

Test(zero_flags, cli_option_and_report, .timeout = 120)
{
    static char out[1 << 16];
    char model[256], rep[256], cmd[2048];
    tu_tmp_path(model, sizeof model, "zfmodel");
    tu_tmp_path(rep, sizeof rep, "zfrep");
    snprintf(cmd, sizeof cmd, "%s/sparsecim model random --depth 8 --width 8 --se --input 8x8x1 --seed 3 -o %s 2>&1",
             tu_bin_dir(), model);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    snprintf(cmd, sizeof cmd, "%s/sparsecim run --small --model %s --data random --no-zero-flags 2>&1 >/dev/null",
             tu_bin_dir(), model);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "option --no-zero-flags: only with --stationary input"), "%s", out);
    static const char *const variants[] = {"", "--no-zero-flags", "--no-gating"};
    static const char *const want[] = {"\"zero_flags\": true", "\"zero_flags\": false", "\"zero_flags\": false"};
    for (int k = 0; k < 3; k++) {
        snprintf(cmd, sizeof cmd,
                 "%s/sparsecim run --small --model %s --data random:2 --count 2 --stationary input %s --quiet "
                 "--report %s 2>&1",
                 tu_bin_dir(), model, variants[k], rep);
        cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s: %s", variants[k], out);
        cr_assert(strstr(out, " 0 mismatches"), "%s: %s", variants[k], out);
        FILE *f = fopen(rep, "r");
        cr_assert_not_null(f);
        static char js[1 << 20];
        size_t n = fread(js, 1, sizeof js - 1, f);
        js[n] = '\0';
        fclose(f);
        cr_assert(strstr(js, want[k]), "%s: %s missing", variants[k], want[k]);
        cr_assert(strstr(js, "\"zero_flag_writes\": "), "%s: no zero_flag_writes counter", variants[k]);
        /* every layer ran its jobs once per image: jobs_run = 2 x tiles,
         * the input-stationary conv layers included */
        json_error_t je;
        json_t *doc = json_loads(js, 0, &je);
        cr_assert_not_null(doc, "%s: report: %s", variants[k], je.text);
        json_t *layers = json_object_get(doc, "layers");
        cr_assert(json_array_size(layers) > 2, "%s: layers", variants[k]);
        for (size_t i = 0; i < json_array_size(layers); i++) {
            json_t *l = json_array_get(layers, i);
            json_int_t tiles = json_integer_value(json_object_get(l, "tiles"));
            json_int_t jobs = json_integer_value(json_object_get(l, "jobs_run"));
            cr_assert(tiles > 0 && jobs == 2 * tiles, "%s: layer %s: tiles %lld, jobs_run %lld", variants[k],
                      json_string_value(json_object_get(l, "name")), (long long)tiles, (long long)jobs);
        }
        json_decref(doc);
    }
    remove(model);
    remove(rep);
}

/*
 * test_amodel.c - csrc/amodel.c: its two computations of the array cycle
 * (per column, bit-sliced) count the same events on random operation
 * streams over many geometries (segments that straddle words, groups that
 * straddle words, odd segment sizes, the flat reference), a known answer
 * for one compute, and bad configurations refused. The RTL tests compare
 * the automatic choice with the macro's counters; this compares the two
 * with each other, so that the one the RTL tests do not run stays exact.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "power/amodel.h"
#include "model/bnn_rng.h"

typedef struct geom {
    int rows, cols, seg, grp, flat;
} geom;

/* random bits with density num/8, in whole words */
static void rand_bits(bnn_rng *r, uint64_t *v, int nbits, int num)
{
    for (int w = 0; w < (nbits + 63) / 64; w++) {
        uint64_t x = 0;
        for (int b = 0; b < 64; b++)
            x |= (uint64_t)((bnn_rng_u64(r) & 7) < (uint64_t)num) << b;
        v[w] = x;
    }
}

/* one random operation: mostly computes over sparse inputs (whole segments
 * left zero), weight writes, stored-zero flags, an occasional CLR_CNT */
static void rand_op(bnn_rng *r, const geom *g, amodel_op *op, uint64_t *in, uint64_t *wd)
{
    int k = (int)(bnn_rng_u64(r) % 100), nseg = g->rows / g->seg;
    memset(op, 0, sizeof *op);
    if (k < 25) {
        op->op = AMODEL_WRITE;
        op->row = (int)(bnn_rng_u64(r) % (uint64_t)g->rows);
        rand_bits(r, wd, g->cols, (int)(bnn_rng_u64(r) % 9));
        op->wdata = bnn_rng_u64(r) % 16 ? wd : NULL;
    } else if (k < 80) {
        op->op = AMODEL_COMPUTE;
        rand_bits(r, in, g->rows, (int)(bnn_rng_u64(r) % 9));
        for (int s = 0; s < nseg; s++) /* about a third of the segments all zero */
            if (bnn_rng_u64(r) % 3 == 0)
                for (int i = s * g->seg; i < (s + 1) * g->seg; i++)
                    in[i / 64] &= ~((uint64_t)1 << (i % 64));
        op->in = bnn_rng_u64(r) % 32 ? in : NULL;
        op->gate = (int)(bnn_rng_u64(r) % 4);
        op->unit_log2 = (int)(bnn_rng_u64(r) % 4);
        op->ncols = (int)(bnn_rng_u64(r) % (uint64_t)(g->cols + 1));
        op->nrows = (int)(bnn_rng_u64(r) % (uint64_t)(g->rows + 1));
        if (bnn_rng_u64(r) % 4 == 0) { /* a full tile */
            op->ncols = g->cols;
            op->nrows = g->rows;
        }
    } else if (k < 86) {
        op->op = AMODEL_SET_ZF;
        op->row = (int)(bnn_rng_u64(r) % (uint64_t)nseg);
        rand_bits(r, wd, g->cols / g->grp, (int)(bnn_rng_u64(r) % 9));
        op->wdata = wd;
    } else if (k < 92) {
        op->op = AMODEL_READ;
    } else if (k < 93) {
        op->op = AMODEL_CLR_CNT;
    } else {
        op->op = AMODEL_NOP;
    }
}

static void check_equal(const act_counts *a, const act_counts *b, const geom *g, int step)
{
    for (int e = 0; e < ACT_NEVENTS; e++)
        cr_assert_eq(a->n[e], b->n[e], "%dx%d seg %d grp %d flat %d, step %d: event %s: per column %llu, sliced %llu",
                     g->rows, g->cols, g->seg, g->grp, g->flat, step, act_event_name(e),
                     (unsigned long long)a->n[e], (unsigned long long)b->n[e]);
}

Test(amodel, sliced_equals_per_column_on_random_streams)
{
    static const geom geoms[] = {
        {256, 64, 16, 8, 0}, {256, 64, 8, 8, 0},  {256, 64, 32, 8, 0},  {256, 64, 64, 8, 0},
        {64, 16, 8, 4, 0},   {64, 16, 16, 4, 0},  {64, 32, 16, 16, 0},  {128, 16, 8, 4, 0},
        {144, 96, 48, 24, 0}, /* segments straddle words; groups straddle words (cw 2) */
        {96, 200, 24, 8, 0}, {30, 10, 3, 5, 0},  {16, 128, 2, 2, 0},   {192, 64, 64, 64, 0},
        {64, 64, 64, 8, 1},   {48, 20, 48, 4, 1}, /* flat references within the sliced limit */
    };
    enum { STEPS = 3000 };
    uint64_t in[4], wd[4];
    bnn_error err;
    for (size_t i = 0; i < sizeof geoms / sizeof *geoms; i++) {
        const geom *g = &geoms[i];
        amodel_cfg cc = {g->rows, g->cols, g->seg, g->grp, g->flat, AMODEL_IMPL_COLUMNS};
        amodel_cfg sc = cc;
        sc.impl = AMODEL_IMPL_SLICED;
        amodel *mc = amodel_new(&cc, &err), *ms = amodel_new(&sc, &err);
        cr_assert(mc && ms, "%s", err.msg);
        bnn_rng r;
        bnn_rng_seed(&r, 0x5eed0000u + (uint64_t)i);
        uint64_t moved = 0;
        for (int step = 0; step < STEPS; step++) {
            amodel_op op;
            rand_op(&r, g, &op, in, wd);
            amodel_step(mc, &op);
            amodel_step(ms, &op);
            check_equal(amodel_counts(mc), amodel_counts(ms), g, step);
            moved += amodel_counts(ms)->n[ACT_LINE_DISCHARGES];
        }
        /* the streams exercised the lines: discharges, transfers and held levels happened */
        cr_assert_gt(moved, 0, "geometry %zu: no line ever discharged", i);
        amodel_free(mc);
        amodel_free(ms);
    }
}

/* Lines that are not precharged keep discharging: segment 1's stored-zero
 * flags are set, gate c2 gates its precharge but not its footer, and each
 * compute raises 3 of its 8 word lines over cells that are all 1: the 16
 * lines fall 0 -> 3 -> 6 -> 8 and stay at 8 (saturated), in both
 * computations. */
Test(amodel, held_lines_saturate_alike)
{
    uint64_t ones[1] = {~(uint64_t)0}, in[1] = {(uint64_t)0x700};
    bnn_error err;
    for (int impl = AMODEL_IMPL_COLUMNS; impl <= AMODEL_IMPL_SLICED; impl++) {
        amodel_cfg c = {64, 16, 8, 4, 0, impl};
        amodel *m = amodel_new(&c, &err);
        cr_assert_not_null(m, "%s", err.msg);
        for (int row = 0; row < 64; row++) {
            amodel_op w = {.op = AMODEL_WRITE, .row = row, .wdata = ones};
            amodel_step(m, &w);
        }
        amodel_op zf = {.op = AMODEL_SET_ZF, .row = 1, .wdata = ones}, clr = {.op = AMODEL_CLR_CNT};
        amodel_step(m, &zf);
        amodel_step(m, &clr);
        amodel_op cmp = {.op = AMODEL_COMPUTE, .in = in, .gate = 2, .ncols = 16, .nrows = 64};
        for (int step = 0; step < 12; step++)
            amodel_step(m, &cmp);
        amodel_op nop = {.op = AMODEL_NOP};
        amodel_step(m, &nop);
        const act_counts *n = amodel_counts(m);
        cr_assert_eq(n->n[ACT_CELL_DISCHARGES], 12 * 3 * 16, "impl %d", impl);
        cr_assert_eq(n->n[ACT_LINE_DISCHARGES], 3 * 16, "impl %d: the held lines saturate at 8 after 3 computes", impl);
        cr_assert_eq(n->n[ACT_TRANSFERS], 0, "impl %d: gated lines are not sensed", impl);
        amodel_free(m);
    }
}

/* Known answer: all cells 1, one compute of 5 rows in segment 0 and 8 in
 * segment 1 of a 32x8 macro (segments of 8 rows, groups of 4 columns),
 * no gating: 5*8 + 8*8 cells conduct, 8+8 lines discharge. */
Test(amodel, known_answer_one_compute)
{
    uint64_t ones[1] = {~(uint64_t)0}, in[1] = {0x1f | (0xffull << 8)};
    bnn_error err;
    for (int impl = AMODEL_IMPL_COLUMNS; impl <= AMODEL_IMPL_SLICED; impl++) {
        amodel_cfg c = {32, 8, 8, 4, 0, impl};
        amodel *m = amodel_new(&c, &err);
        cr_assert_not_null(m, "%s", err.msg);
        for (int row = 0; row < 32; row++) {
            amodel_op w = {.op = AMODEL_WRITE, .row = row, .wdata = ones};
            amodel_step(m, &w);
        }
        amodel_op clr = {.op = AMODEL_CLR_CNT};
        amodel_step(m, &clr);
        amodel_op cmp = {.op = AMODEL_COMPUTE, .in = in, .gate = 0, .ncols = 8, .nrows = 32};
        amodel_op nop = {.op = AMODEL_NOP};
        amodel_step(m, &cmp);
        amodel_step(m, &nop);
        const act_counts *n = amodel_counts(m);
        cr_assert_eq(n->n[ACT_WORDLINE_PULSES], 13, "impl %d", impl);
        cr_assert_eq(n->n[ACT_CELL_DISCHARGES], 5 * 8 + 8 * 8, "impl %d", impl);
        cr_assert_eq(n->n[ACT_LINE_DISCHARGES], 16, "impl %d", impl);
        cr_assert_eq(n->n[ACT_PRECHARGES], 4 * 8, "impl %d: every mapped line precharged", impl);
        cr_assert_eq(n->n[ACT_LOCAL_EVALS], 4 * 8, "impl %d", impl);
        cr_assert_eq(n->n[ACT_TRANSFERS], 16, "impl %d: lines that discharged are transferred", impl);
        cr_assert_eq(n->n[ACT_LINE_RECHARGES], 0, "impl %d: the lines were precharged before", impl);
        amodel_step(m, &cmp); /* the second compute recharges the 16 lines, 5*8 + 8*8 steps */
        amodel_step(m, &nop);
        cr_assert_eq(n->n[ACT_LINE_RECHARGES], 16, "impl %d", impl);
        cr_assert_eq(n->n[ACT_RECHARGE_STEPS], 5 * 8 + 8 * 8, "impl %d", impl);
        amodel_free(m);
    }
}

Test(amodel, bad_configurations_refused)
{
    static const amodel_cfg bad[] = {
        {0, 8, 8, 4, 0, 0},     {32, 8, 7, 4, 0, 0},  {32, 8, 8, 3, 0, 0}, {32, 8, 8, 0, 0, 0},
        {256, 64, 128, 8, 0, AMODEL_IMPL_SLICED}, /* sliced lines of at most 64 rows */
        {32, 130, 8, 2, 0, 0},  /* 65 column groups */
    };
    bnn_error err;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err.msg[0] = 0;
        cr_assert_null(amodel_new(&bad[i], &err), "config %zu accepted", i);
        cr_assert(strstr(err.msg, "array model: bad geometry"), "config %zu: %s", i, err.msg);
    }
    amodel_cfg flat = {256, 64, 256, 8, 1, AMODEL_IMPL_AUTO}; /* the flat reference: per column */
    amodel *m = amodel_new(&flat, &err);
    cr_assert_not_null(m, "%s", err.msg);
    amodel_free(m);
}

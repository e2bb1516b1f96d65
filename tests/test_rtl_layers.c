/*
 * test_rtl_layers.c - property tests: random single conv layers (1x1, 1x3,
 * 3x1, 3x3; stride 1 and 2; channel counts not a multiple of SEG_ROWS,
 * output counts not a multiple of COLS, several row and column tiles;
 * 1-bit and 8-bit inputs; random, all-zero, all-one and channel-sparse
 * inputs; gating on/off and every control unit; channel, tap and aligned
 * layouts) through the verilated
 * macro, each followed by a classifier, checked bit-exactly, with P and X
 * of every compute cycle compared too (--check-px). The same properties
 * run on the default 256x64x16 build and the small 64x16x8 build, and on
 * the build SPARSECIM_GEOM names (the geometry matrix). Grouped and
 * depthwise convs (docs/SPEC.md section 5: one job per group) the same way,
 * with the static row mask checked: a depthwise 3x3 job maps only the
 * segments of its 9 rows, every other segment is unmapped (configuration),
 * never data-gated. Seeds: SPARSECIM_SEED (tests/test_util.h).
 */
#include <criterion/criterion.h>

#include "test_rtl_util.h"

#define N_CASES 220

typedef struct coverage {
    int k[4], aligned, stride2, ch_not_seg, out_not_cols, row_tiles, col_tiles, bits8, zeros, ones, sparse, ungated;
} coverage;

/* Run options drawn at random: gating on in 4 of 5 cases (c1, c2 or both),
 * a control unit of 1..8 segments, any layout, every pixel's partials
 * checked. */
static tb_opts random_opts(bnn_rng *r)
{
    tb_opts o = rt_opts(bnn_rng_range(r, 0, 4) != 0, bnn_rng_range(r, 0, 3));
    if (o.gate != DUT_GATE_NONE)
        o.gate = bnn_rng_range(r, 1, 3); /* c1, c2 or both */
    o.check_px = 1;
    int lay = bnn_rng_range(r, 0, 3);
    o.layout = lay == 0 ? MAP_TAP_MAJOR : lay == 1 ? MAP_ALIGNED : MAP_CHANNEL_MAJOR;
    return o;
}

static void random_case(bnn_rng *r, const dut_geom *g, rt_conv_params *p, int *pattern, tb_opts *o, coverage *cv)
{
    static const int kh[4] = {1, 1, 3, 3}, kw[4] = {1, 3, 1, 3};
    int kind = bnn_rng_range(r, 0, 3);
    p->groups = 1;
    p->mult = 0;
    p->k_h = kh[kind];
    p->k_w = kw[kind];
    p->stride = bnn_rng_range(r, 1, 2);
    p->pad_h = bnn_rng_range(r, 0, 1) ? p->k_h / 2 : 0;
    p->pad_w = bnn_rng_range(r, 0, 1) ? p->k_w / 2 : 0;
    p->in_c = bnn_rng_range(r, 1, 2 * g->rows / (p->k_h * p->k_w) + 2);
    if (p->in_c > 64)
        p->in_c = bnn_rng_range(r, 1, 64);
    p->out_c = bnn_rng_range(r, 1, g->cols * 2 + 5);
    p->h = bnn_rng_range(r, 3, 7);
    p->w = bnn_rng_range(r, 3, 7);
    p->in_bits = bnn_rng_range(r, 0, 3) == 0 ? 8 : 1;
    p->classes = bnn_rng_range(r, 1, 12);
    int pr = bnn_rng_range(r, 0, 9);
    *pattern = pr < 5 ? RT_RANDOM : pr < 7 ? RT_SPARSE_CHANNELS : pr < 8 ? RT_ZEROS : RT_ONES;
    *o = random_opts(r);
    cv->aligned += o->layout == MAP_ALIGNED;
    int n = p->in_c * p->k_h * p->k_w;
    cv->k[kind]++;
    cv->stride2 += p->stride == 2;
    cv->ch_not_seg += p->in_c % g->seg_rows != 0;
    cv->out_not_cols += p->out_c % g->cols != 0;
    cv->row_tiles += n > g->rows;
    cv->col_tiles += p->out_c > g->cols;
    cv->bits8 += p->in_bits == 8;
    cv->zeros += *pattern == RT_ZEROS;
    cv->ones += *pattern == RT_ONES;
    cv->sparse += *pattern == RT_SPARSE_CHANNELS;
    cv->ungated += o->gate == DUT_GATE_NONE;
}

/* One case: the model m of the layer of p on an input of
 * `pattern` through the RTL of geometry g with options o, seeded by `seed`;
 * its result in res. Bit-exact against the reference (every pixel's partials,
 * the prediction); gated, an all-zero input issues no compute cycle of the
 * conv; ungated, nothing is gated or skipped. */
static void run_model_case(const dut_geom *g, const bnn_model *m, const rt_conv_params *p, int pattern,
                           const tb_opts *o, uint64_t seed, int i, const tu_seed *sd, rt_result *res)
{
    rt_run(&tb_backend_verilated, g, m, o, 1, seed, pattern, res);
    cr_assert(res->ok, "case %d: %s [%s]", i, res->err, sd->note);
    cr_assert_eq(res->mismatches, 0,
                 "case %d: %llu mismatches: conv %dx%dx%d groups %d k%dx%d s%d p%d/%d -> %d, %d bits, pattern %d, "
                 "gate %d unit %d layout %d [%s]",
                 i, (unsigned long long)res->mismatches, p->in_c, p->h, p->w, p->groups, p->k_h, p->k_w, p->stride,
                 p->pad_h, p->pad_w, p->out_c, p->in_bits, pattern, o->gate, 1 << o->unit_log2, (int)o->layout,
                 sd->note);
    cr_assert_eq(res->pred[0], res->ref_pred[0], "case %d [%s]", i, sd->note);
    const uint64_t *c = res->ls[0].cnt;
    if (pattern == RT_ZEROS && o->gate != DUT_GATE_NONE)
        cr_assert(c[DUT_CNT_COMPUTE] == 0 && res->ls[0].planes_skipped > 0, "case %d: zero input not skipped [%s]", i,
                  sd->note);
    if (o->gate == DUT_GATE_NONE)
        cr_assert_eq(c[DUT_CNT_SEG_GATED] + res->ls[0].planes_skipped, 0, "case %d: ungated run gated [%s]", i,
                     sd->note);
}

/* run_model_case on the layer of p with random weights from r. */
static void run_case(const dut_geom *g, const rt_conv_params *p, int pattern, const tb_opts *o, bnn_rng *r,
                     uint64_t seed, int i, const tu_seed *sd, rt_result *res)
{
    bnn_model *m = rt_conv_model(p, r);
    cr_assert_not_null(m, "case %d: model", i);
    run_model_case(g, m, p, pattern, o, seed, i, sd, res);
    bnn_model_free(m);
}

static void run_cases(const dut_geom *g, uint64_t fixed)
{
    bnn_rng r;
    tu_seed sd = tu_seed_of("layers/random", fixed);
    const uint64_t seed = sd.seed;
    bnn_rng_seed(&r, seed);
    coverage cv = {0};
    rt_result *res = calloc(1, sizeof *res);
    cr_assert_not_null(res);
    uint64_t total_cycles = 0;
    for (int i = 0; i < N_CASES; i++) {
        rt_conv_params p;
        int pattern;
        tb_opts o;
        random_case(&r, g, &p, &pattern, &o, &cv);
        run_case(g, &p, pattern, &o, &r, seed * 1000 + (uint64_t)i, i, &sd, res);
        total_cycles += res->cycles;
    }
    free(res);
    cr_log_info("%d layers, %llu cycles", N_CASES, (unsigned long long)total_cycles);
    for (int k = 0; k < 4; k++)
        cr_expect_geq(cv.k[k], 20, "kernel kind %d: %d cases", k, cv.k[k]);
    cr_expect_geq(cv.stride2, 50);
    cr_expect_geq(cv.aligned, 30);
    cr_expect_geq(cv.ch_not_seg, 50);
    cr_expect_geq(cv.out_not_cols, 50);
    cr_expect_geq(cv.row_tiles, 10);
    cr_expect_geq(cv.col_tiles, 10);
    cr_expect_geq(cv.bits8, 20);
    cr_expect_geq(cv.zeros, 5);
    cr_expect_geq(cv.ones, 5);
    cr_expect_geq(cv.sparse, 10);
    cr_expect_geq(cv.ungated, 10);
}

Test(layers, random_default_build, .timeout = 170) { run_cases(&rt_default, 101); }

Test(layers, random_small_build, .timeout = 170) { run_cases(&rt_small, 202); }

/* ------------------------------------------------ grouped, depthwise ---- */

#define N_GROUPED 120

typedef struct gcoverage {
    int depthwise, grouped, bits8, row_tiles, col_tiles, ungated, aligned, tap, zeros, sparse;
} gcoverage;

/* A random grouped or depthwise conv: 2..12 groups, a third depthwise (one
 * channel per group), else up to 2*ROWS/(k*k) input channels per group (row
 * tiles within a group) and up to 2*COLS + 3 outputs (column tiles within a
 * group); 8-bit inputs too (a depthwise first layer). */
static void grouped_case(bnn_rng *r, const dut_geom *g, rt_conv_params *p, int *pattern, tb_opts *o,
                         gcoverage *cv)
{
    static const int kh[4] = {1, 1, 3, 3}, kw[4] = {1, 3, 1, 3};
    int kind = bnn_rng_range(r, 0, 2) ? 3 : bnn_rng_range(r, 0, 2);
    *p = (rt_conv_params){.k_h = kh[kind], .k_w = kw[kind], .stride = bnn_rng_range(r, 1, 2)};
    p->pad_h = p->k_h / 2;
    p->pad_w = p->k_w / 2;
    int dw = bnn_rng_range(r, 0, 2) == 0;
    p->groups = bnn_rng_range(r, 2, dw ? 24 : 8);
    int cpg = dw ? 1 : bnn_rng_range(r, 0, 3) ? bnn_rng_range(r, 1, 8) : bnn_rng_range(r, 1, 2 * g->rows / (p->k_h * p->k_w));
    int opg = dw ? 1 : bnn_rng_range(r, 0, 3) ? bnn_rng_range(r, 1, 6) : bnn_rng_range(r, 1, 2 * g->cols + 3);
    p->in_c = p->groups * cpg;
    p->out_c = p->groups * opg;
    p->h = bnn_rng_range(r, 3, 6);
    p->w = bnn_rng_range(r, 3, 6);
    p->in_bits = bnn_rng_range(r, 0, 4) == 0 ? 8 : 1;
    p->classes = bnn_rng_range(r, 1, 10);
    int pr = bnn_rng_range(r, 0, 9);
    *pattern = pr < 5 ? RT_RANDOM : pr < 8 ? RT_SPARSE_CHANNELS : RT_ZEROS;
    *o = random_opts(r);
    cv->depthwise += dw;
    cv->grouped += !dw;
    cv->bits8 += p->in_bits == 8;
    cv->row_tiles += cpg * p->k_h * p->k_w > g->rows;
    cv->col_tiles += opg > g->cols;
    cv->ungated += o->gate == DUT_GATE_NONE;
    cv->aligned += o->layout == MAP_ALIGNED;
    cv->tap += o->layout == MAP_TAP_MAJOR;
    cv->zeros += *pattern == RT_ZEROS;
    cv->sparse += *pattern == RT_SPARSE_CHANNELS;
}

static void run_grouped(const dut_geom *g, uint64_t fixed)
{
    bnn_rng r;
    tu_seed sd = tu_seed_of("layers/grouped", fixed);
    bnn_rng_seed(&r, sd.seed);
    gcoverage cv = {0};
    int dw3 = 0;
    uint64_t total_cycles = 0;
    rt_result *res = calloc(1, sizeof *res);
    cr_assert_not_null(res);
    const int nseg = g->rows / g->seg_rows;
    for (int i = 0; i < N_GROUPED; i++) {
        rt_conv_params p;
        int pattern;
        tb_opts o;
        grouped_case(&r, g, &p, &pattern, &o, &cv);
        run_case(g, &p, pattern, &o, &r, sd.seed * 1000 + (uint64_t)i, i, &sd, res);
        /* one array job per group (and per row / column tile within it) */
        const int n = p.in_c / p.groups * p.k_h * p.k_w, opg = p.out_c / p.groups;
        if (o.layout != MAP_ALIGNED)
            cr_assert_eq(res->ls[0].tiles,
                         (uint64_t)p.groups * (uint64_t)((n + g->rows - 1) / g->rows) *
                             (uint64_t)((opg + g->cols - 1) / g->cols), "case %d: tiles [%s]", i, sd.note);
        /* a depthwise 3x3 layer: each job maps the segments of its 9 rows,
         * the others are unmapped in every array cycle (configuration) */
        const uint64_t *c = res->ls[0].cnt;
        if (p.in_c == p.groups && p.out_c == p.groups && n == 9 && o.layout != MAP_TAP_MAJOR && 9 <= g->rows) {
            const uint64_t mapped = (uint64_t)((9 + g->seg_rows - 1) / g->seg_rows);
            dw3++;
            cr_assert_eq(c[DUT_CNT_SEG_ACTIVE] + c[DUT_CNT_SEG_GATED], mapped * c[DUT_CNT_COMPUTE],
                         "case %d: mapped segment-cycles [%s]", i, sd.note);
            cr_assert_eq(c[DUT_CNT_SEG_UNMAPPED], ((uint64_t)nseg - mapped) * c[DUT_CNT_COMPUTE],
                         "case %d: unmapped segment-cycles [%s]", i, sd.note);
            /* and powers one column: its channel's output */
            cr_assert_eq(c[DUT_CNT_ACC_UPDATES], c[DUT_CNT_COMPUTE], "case %d: columns in use [%s]", i, sd.note);
        }
        total_cycles += res->cycles;
    }
    free(res);
    cr_log_info("%d grouped layers (%d depthwise, %d depthwise 3x3 with the row mask checked), %llu cycles",
                N_GROUPED, cv.depthwise, dw3, (unsigned long long)total_cycles);
    cr_expect_geq(cv.depthwise, 25);
    cr_expect_geq(cv.grouped, 50);
    cr_expect_geq(cv.bits8, 10);
    cr_expect_geq(cv.row_tiles, 5);
    cr_expect_geq(cv.col_tiles, 5);
    cr_expect_geq(cv.ungated, 10);
    cr_expect_geq(cv.aligned, 15);
    cr_expect_geq(cv.tap, 15);
    cr_expect_geq(cv.zeros, 5);
    cr_expect_geq(cv.sparse, 15);
    cr_expect_geq(dw3, 5);
}

Test(layers, grouped_small_build, .timeout = 170) { run_grouped(&rt_small, 404); }

Test(layers, grouped_default_build, .timeout = 170) { run_grouped(&rt_default, 505); }

/* ------------------------------------------------- multiplicities ---- */

#define N_MULT 80

/* Random ungrouped convs with multiplicities (docs/SPEC.md sections 2 and
 * 5: channel c's rows m[c] times, the copies after the channels), the
 * shapes, inputs and options of the random cases: bit-exact with every
 * pixel's partials; in the channel and tap layouts the layer takes
 * ceil(rows / ROWS) row tiles, rows = sum m[c] * k*k (the copies are rows),
 * and the copies push some layers into a second row tile. */
static void run_mult(const dut_geom *g, uint64_t fixed)
{
    bnn_rng r;
    tu_seed sd = tu_seed_of("layers/mult", fixed);
    bnn_rng_seed(&r, sd.seed);
    coverage cv = {0};
    rt_result *res = calloc(1, sizeof *res);
    cr_assert_not_null(res);
    int extra_tile = 0;
    for (int i = 0; i < N_MULT; i++) {
        rt_conv_params p;
        int pattern;
        tb_opts o;
        random_case(&r, g, &p, &pattern, &o, &cv);
        p.mult = 1;
        bnn_model *m = rt_conv_model(&p, &r);
        cr_assert_not_null(m, "case %d: model", i);
        const bnn_conv *c = &m->layers[0].u.conv;
        int rows = 0;
        for (int ch = 0; ch < c->in_c; ch++)
            rows += c->mult[ch] * c->k_h * c->k_w;
        /* bit-exact, and (every copy of a zero input is zero too) the zero and ungated rules */
        run_model_case(g, m, &p, pattern, &o, sd.seed * 1000 + (uint64_t)i, i, &sd, res);
        const int n = p.in_c * p.k_h * p.k_w;
        if (o.layout != MAP_ALIGNED)
            cr_assert_eq(res->ls[0].tiles, (uint64_t)((rows + g->rows - 1) / g->rows) *
                                               (uint64_t)((p.out_c + g->cols - 1) / g->cols),
                         "case %d: tiles [%s]", i, sd.note);
        extra_tile += (rows + g->rows - 1) / g->rows > (n + g->rows - 1) / g->rows;
        bnn_model_free(m);
    }
    free(res);
    cr_log_info("%d layers with multiplicities, %d of them a row tile more for the copies", N_MULT, extra_tile);
    cr_expect_geq(extra_tile, 5);
    cr_expect_geq(cv.bits8, 8);
    cr_expect_geq(cv.aligned, 8);
    cr_expect_geq(cv.zeros, 2);
}

Test(layers, mult_small_build, .timeout = 170) { run_mult(&rt_small, 606); }

Test(layers, mult_default_build, .timeout = 170) { run_mult(&rt_default, 707); }

/* The geometry matrix (make -f Makefile.sim geom-matrix): the build of
 * SPARSECIM_GEOM; skipped without it. */
Test(layers, random_env_build, .timeout = 600)
{
    dut_geom g = rt_env_geom();
    run_cases(&g, 303);
    run_grouped(&g, 606);
}

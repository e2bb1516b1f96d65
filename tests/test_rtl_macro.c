/*
 * test_rtl_macro.c - the macro at its ports (tb/dut.h) and the driver's
 * error paths:
 *   - write-then-read of the whole array as a plain SRAM (both builds);
 *   - P, X, bit-serial accumulation, thresholds and column masking against
 *     a host model, gated and ungated alike, with the counter invariant;
 *   - the waveform window (VCD header, signals and time range; FST build;
 *     a format the build lacks is refused);
 *   - a corrupted golden value is reported with its location;
 *   - the watchdog stops a DUT that never delivers a result.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "test_rtl_util.h"
#include "test_util.h"

static cim_dut *open_dut(const dut_geom *want, const char *trace, uint64_t from, uint64_t to)
{
    char err[512] = "";
    const dut_geom *g = dut_find_build(want, 0, NULL);
    cr_assert_not_null(g);
    cim_dut *d = dut_new(g, trace, from, to, err, sizeof err);
    cr_assert_not_null(d, "%s", err);
    return d;
}

static void random_words(bnn_rng *r, uint64_t *w, int bits)
{
    for (int i = 0; i < (bits + 63) / 64; i++)
        w[i] = bnn_rng_u64(r);
    if (bits % 64)
        w[(bits - 1) / 64] &= ((uint64_t)1 << (bits % 64)) - 1;
}

static void sram_roundtrip(const dut_geom *want)
{
    cim_dut *d = open_dut(want, NULL, 0, 0);
    const dut_geom *g = dut_geometry(d);
    int cw = (g->cols + 63) / 64;
    uint64_t *mem = calloc((size_t)g->rows * (size_t)cw, sizeof *mem);
    bnn_rng r;
    bnn_rng_seed(&r, 5);
    dut_out *out = calloc(1, sizeof *out);
    for (int pass = 0; pass < 2; pass++) {
        for (int row = 0; row < g->rows; row++) {
            random_words(&r, mem + (size_t)row * (size_t)cw, g->cols);
            dut_in in = {.op = DUT_WRITE, .addr = row, .wdata = mem + (size_t)row * (size_t)cw, .ncols = g->cols};
            dut_step(d, &in, out, 0);
            cr_assert_eq(out->rd_valid, 0);
        }
        /* read back in a different order */
        for (int k = 0; k < g->rows; k++) {
            int row = (k * 37 + 11) % g->rows;
            dut_in in = {.op = DUT_READ, .addr = row, .ncols = g->cols};
            dut_step(d, &in, out, DUT_OUT_RDATA);
            cr_assert_eq(out->rd_valid, 1, "row %d: rd_valid", row);
            for (int w = 0; w < cw; w++)
                cr_assert_eq(out->rdata[w], mem[(size_t)row * (size_t)cw + (size_t)w], "pass %d row %d word %d", pass,
                             row, w);
        }
        dut_in nop = {.op = DUT_NOP, .ncols = g->cols};
        dut_step(d, &nop, out, 0);
        cr_assert_eq(out->rd_valid, 0);
    }
    /* write_bits_flipped: rewriting row 0 with its complement flips every column */
    uint64_t before = dut_counter(d, DUT_CNT_FLIPS), inv[DUT_MAX_COLS / 64];
    for (int w = 0; w < cw; w++)
        inv[w] = ~mem[w];
    if (g->cols % 64)
        inv[cw - 1] &= ((uint64_t)1 << (g->cols % 64)) - 1;
    dut_in flip = {.op = DUT_WRITE, .addr = 0, .wdata = inv, .ncols = g->cols};
    dut_step(d, &flip, NULL, 0);
    cr_assert_eq(dut_counter(d, DUT_CNT_FLIPS) - before, (uint64_t)g->cols);
    cr_assert_eq(dut_counter(d, DUT_CNT_WRITES), (uint64_t)(2 * g->rows + 1));
    cr_assert_eq(dut_counter(d, DUT_CNT_READS), (uint64_t)(2 * g->rows));
    cr_assert_eq(dut_counter(d, DUT_CNT_COMPUTE), 0);
    dut_in clr = {.op = DUT_CLR_CNT, .ncols = g->cols};
    dut_step(d, &clr, NULL, 0);
    cr_assert_eq(dut_counter(d, DUT_CNT_WRITES), 0);
    cr_assert_eq(dut_counter(d, DUT_CNT_READS), 0);
    free(out);
    free(mem);
    dut_free(d);
}

Test(macro, sram_write_read_default) { sram_roundtrip(&rt_default); }
Test(macro, sram_write_read_small) { sram_roundtrip(&rt_small); }

/* Host model of one compute: P per column, X. */
static void host_px(const dut_geom *g, const uint64_t *mem, const uint64_t *in, int ncols, int *p, int *x)
{
    int cw = (g->cols + 63) / 64;
    *x = 0;
    for (int c = 0; c < g->cols; c++)
        p[c] = 0;
    for (int row = 0; row < g->rows; row++) {
        if (!((in[row / 64] >> (row % 64)) & 1))
            continue;
        (*x)++;
        for (int c = 0; c < ncols; c++)
            p[c] += (int)((mem[(size_t)row * (size_t)cw + (size_t)(c / 64)] >> (c % 64)) & 1);
    }
}

/* Random weights, then random multi-plane accumulations with block-sparse
 * inputs; checks P/X/acc/bin; returns the counters. */
static void compute_run(const dut_geom *want, int gate_en, int unit_log2, uint64_t *cnt)
{
    cim_dut *d = open_dut(want, NULL, 0, 0);
    const dut_geom *g = dut_geometry(d);
    int cw = (g->cols + 63) / 64, nseg = g->rows / g->seg_rows;
    uint64_t *mem = calloc((size_t)g->rows * (size_t)cw, sizeof *mem);
    uint64_t in[DUT_MAX_COLS / 64 * 16];
    int hp[DUT_MAX_COLS], hx;
    int32_t acc[DUT_MAX_COLS];
    int32_t thr[DUT_MAX_COLS];
    dut_out *out = calloc(1, sizeof *out);
    bnn_rng r;
    bnn_rng_seed(&r, 77);
    for (int row = 0; row < g->rows; row++) {
        random_words(&r, mem + (size_t)row * (size_t)cw, g->cols);
        dut_in w = {.op = DUT_WRITE, .addr = row, .wdata = mem + (size_t)row * (size_t)cw};
        dut_step(d, &w, NULL, 0);
    }
    for (int c = 0; c < g->cols; c++) {
        thr[c] = bnn_rng_range(&r, -40, 40);
        dut_in t = {.op = DUT_SET_THR, .addr = c, .thr = thr[c]};
        dut_step(d, &t, NULL, 0);
    }
    for (int it = 0; it < 300; it++) {
        int ncols = it % 7 == 0 ? bnn_rng_range(&r, 0, g->cols) : g->cols;
        int planes = bnn_rng_range(&r, 1, 8);
        for (int c = 0; c < g->cols; c++)
            acc[c] = 0;
        for (int k = 0; k < planes; k++) {
            /* block sparsity: each segment zero with probability 1/2 */
            for (int s = 0; s < nseg; s++) {
                int zero = bnn_rng_range(&r, 0, 1) || it % 11 == 0;
                for (int row = s * g->seg_rows; row < (s + 1) * g->seg_rows; row++) {
                    uint64_t b = zero ? 0 : bnn_rng_u64(&r) & 1;
                    uint64_t m = (uint64_t)1 << (row % 64);
                    in[row / 64] = b ? (in[row / 64] | m) : (in[row / 64] & ~m);
                }
            }
            host_px(g, mem, in, ncols, hp, &hx);
            int last = k == planes - 1;
            dut_in c = {.op = DUT_COMPUTE, .in = in, .first = k == 0, .last = last, .gate_en = gate_en,
                        .unit_log2 = unit_log2, .ncols = ncols};
            dut_step(d, &c, out, DUT_OUT_ALL);
            cr_assert_eq(out->cmp_valid, 1);
            cr_assert_eq(out->acc_valid, last);
            cr_assert_eq(out->x, hx, "it %d plane %d: X", it, k);
            for (int col = 0; col < g->cols; col++) {
                cr_assert_eq(out->p[col], hp[col], "it %d plane %d col %d (ncols %d): P", it, k, col, ncols);
                acc[col] = 2 * acc[col] + (col < ncols ? 2 * hp[col] - hx : 0);
            }
            /* a gated segment is one whose unit of 2^unit_log2 segments is all zero */
            for (int s = 0; s < nseg; s++) {
                int u0 = (s >> unit_log2) << unit_log2, zero = 1;
                for (int t = u0; t < u0 + (1 << unit_log2); t++)
                    for (int row = t * g->seg_rows; t < nseg && row < (t + 1) * g->seg_rows; row++)
                        zero &= !((in[row / 64] >> (row % 64)) & 1);
                int want_g = gate_en && zero;
                cr_assert_eq((int)((out->seg_gated >> s) & 1), want_g, "it %d segment %d gated", it, s);
            }
        }
        for (int col = 0; col < g->cols; col++) {
            cr_assert_eq(out->acc[col], acc[col], "it %d col %d: acc", it, col);
            int bin = (int)((out->bin[col / 64] >> (col % 64)) & 1);
            cr_assert_eq(bin, out->acc[col] >= thr[col], "it %d col %d: bin", it, col);
        }
    }
    for (int k = 0; k < DUT_NCNT; k++)
        cnt[k] = dut_counter(d, k);
    free(out);
    free(mem);
    dut_free(d);
}

static void gating_pair(const dut_geom *g, int unit_log2)
{
    uint64_t cg[DUT_NCNT], cu[DUT_NCNT];
    compute_run(g, 1, unit_log2, cg);
    compute_run(g, 0, unit_log2, cu);
    cr_assert_eq(cg[DUT_CNT_PRE_DONE] + cg[DUT_CNT_PRE_GATED], cu[DUT_CNT_PRE_DONE]);
    cr_assert_eq(cg[DUT_CNT_EVAL_DONE] + cg[DUT_CNT_EVAL_GATED], cu[DUT_CNT_EVAL_DONE]);
    cr_assert_eq(cg[DUT_CNT_SEG_ACTIVE] + cg[DUT_CNT_SEG_GATED], cu[DUT_CNT_SEG_ACTIVE]);
    cr_assert_gt(cg[DUT_CNT_SEG_GATED], 0);
    cr_assert_gt(cg[DUT_CNT_SKIPPED], 0);
    cr_assert_eq(cu[DUT_CNT_SEG_GATED], 0);
    cr_assert_eq(cu[DUT_CNT_SKIPPED], 0);
    cr_assert_eq(cg[DUT_CNT_COMPUTE], cu[DUT_CNT_COMPUTE]);
    cr_assert_eq(cg[DUT_CNT_CYCLES], cu[DUT_CNT_CYCLES]);
}

Test(macro, compute_gated_vs_ungated_small_unit1) { gating_pair(&rt_small, 0); }
Test(macro, compute_gated_vs_ungated_small_unit8) { gating_pair(&rt_small, 3); }
Test(macro, compute_gated_vs_ungated_default_unit2, .timeout = 120) { gating_pair(&rt_default, 1); }

/* ---- waveforms ---- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void run_cycles(cim_dut *d, int n)
{
    uint64_t in[4] = {0x00ff00ff00ff00ffull, 0, 0xffffull, 0};
    uint64_t wd[1] = {0x5a5a5a5a5a5a5a5aull};
    for (int i = 0; i < n; i++) {
        dut_in c = {.op = i % 3 == 0 ? DUT_WRITE : DUT_COMPUTE, .addr = i % 64, .wdata = wd, .in = in,
                    .first = 1, .last = 1, .gate_en = 1, .ncols = 64};
        dut_step(d, &c, NULL, 0);
    }
}

Test(waves, vcd_window_has_signals_and_range)
{
    char path[256];
    tu_tmp_path(path, sizeof path, "win");
    strcat(path, ".vcd");
    cim_dut *d = open_dut(&rt_default, path, 10, 30);
    uint64_t c0 = dut_cycles(d);
    run_cycles(d, 60);
    dut_free(d);
    size_t n;
    char *v = slurp(path, &n);
    cr_assert(strstr(v, "$timescale"), "no timescale");
    cr_assert(strstr(v, "1ns") || strstr(v, "1 ns"), "timescale not 1ns");
    static const char *const sigs[] = {" clk_i ", " op_i ", " seg_gated_o ", " in_i ", " acc_o ", " p_o "};
    for (size_t k = 0; k < sizeof sigs / sizeof *sigs; k++)
        cr_assert(strstr(v, sigs[k]), "signal%s missing from the VCD header", sigs[k]);
    cr_assert(strstr(v, "$enddefinitions"));
    /* every timestamp inside the window: cycle c has edges at 2c+1 and 2c+2 */
    long tmin = -1, tmax = -1, stamps = 0;
    for (char *s = strstr(v, "$enddefinitions"); (s = strchr(s, '\n')) != NULL; s++) {
        if (s[1] == '#') {
            long t = strtol(s + 2, NULL, 10);
            tmin = tmin < 0 || t < tmin ? t : tmin;
            tmax = t > tmax ? t : tmax;
            stamps++;
        }
    }
    cr_assert_eq(c0, 1, "creation runs one reset cycle");
    cr_assert_eq(tmin, 2 * 10 + 1, "first timestamp %ld", tmin);
    cr_assert_eq(tmax, 2 * 29 + 2, "last timestamp %ld", tmax);
    cr_assert_eq(stamps, 2 * 20, "%ld timestamps", stamps);
    free(v);
    remove(path);
}

Test(waves, fst_on_the_fst_build_and_refused_elsewhere)
{
    char path[256], err[512] = "";
    tu_tmp_path(path, sizeof path, "win");
    strcat(path, ".fst");
    unsigned fmts = 0;
    const dut_geom *g = dut_find_build(&rt_small, 0, &fmts);
    cr_assert(fmts & (1u << DUT_TRACE_FST), "the small geometry has an FST build");
    cim_dut *d = open_dut(&rt_small, path, 0, 20);
    run_cycles(d, 40);
    dut_free(d);
    size_t n;
    char *v = slurp(path, &n);
    cr_assert_gt(n, 64, "FST file too small");
    cr_assert_neq(v[0], '$', "an FST file, not a VCD");
    free(v);
    remove(path);
    /* the default geometry's build writes VCD only (unless built with SPARSECIM_TB_FST) */
    g = dut_find_build(&rt_default, 0, &fmts);
    if (!(fmts & (1u << DUT_TRACE_FST))) {
        cr_assert_null(dut_new(g, path, 0, 10, err, sizeof err));
        cr_assert(strstr(err, "VCD"), "message: %s", err);
    }
    cr_assert_null(dut_new(g, "/tmp/x.wave", 0, 10, err, sizeof err));
    cr_assert(strstr(err, ".vcd or .fst"), "message: %s", err);
}

/* ---- a corrupted golden value ---- */

static void corrupt_dot(bnn_trace *tr) { tr->dot[0][37] += 2; }

Test(negative, corrupted_golden_dot_is_reported)
{
    bnn_rng r;
    bnn_rng_seed(&r, 3);
    rt_conv_params p = {.in_c = 20, .out_c = 70, .h = 6, .w = 6, .k_h = 3, .k_w = 3, .stride = 1, .pad_h = 1,
                        .pad_w = 1, .in_bits = 1, .classes = 4};
    bnn_model *m = rt_conv_model(&p, &r);
    cr_assert_not_null(m);
    char path[256];
    tu_tmp_path(path, sizeof path, "log");
    FILE *log = fopen(path, "w+");
    rt_result *res = calloc(1, sizeof *res);
    tb_opts o = rt_opts(1, 0);
    o.log = log;
    rt_job j = {m, o, 1, 4, RT_RANDOM, res, corrupt_dot};
    char err[512] = "";
    const dut_geom *g = dut_find_build(&rt_default, 0, NULL);
    cr_assert_eq(tb_backend_verilated.run(g, NULL, 0, 0, rt_body, &j, err, sizeof err), 0, "%s %s", err, res->err);
    fclose(log);
    cr_assert_eq(res->mismatches, 1);
    cr_assert_eq(res->ls[0].mismatches, 1);
    size_t n;
    char *txt = slurp(path, &n);
    /* dot index 37 = channel 1 (36 pixels per channel), pixel 1; column tile 0, row tile 0 (180 rows) */
    cr_assert(strstr(txt, "mismatch: image 0 layer conv1 conv dot tile r*/c0 pixel 1 column 1: expected ") != NULL,
              "log: %s", txt);
    cr_assert(strstr(txt, "(cycle ") != NULL, "log: %s", txt);
    free(txt);
    remove(path);
    free(res);
    bnn_model_free(m);
}

/* ---- the watchdog: a DUT that never finishes an accumulation ---- */

static void dead_free(cim_dut *d) { free(d); }
static void dead_reset(cim_dut *d) { (void)d; }
static void dead_step(cim_dut *d, const dut_in *in, dut_out *out, unsigned want)
{
    (void)in;
    (void)want;
    d->cycles++;
    if (out)
        memset(out, 0, sizeof *out);
}
static uint64_t dead_counter(cim_dut *d, int idx)
{
    (void)idx;
    return d->cycles;
}
static const dut_ops dead_ops = {dead_free, dead_reset, dead_step, dead_counter};

Test(negative, watchdog_stops_a_dut_without_results)
{
    static const dut_geom g = {64, 16, 8, 4, 32};
    cim_dut *d = calloc(1, sizeof *d);
    d->ops = &dead_ops;
    d->geom = &g;
    bnn_rng r;
    bnn_rng_seed(&r, 9);
    rt_conv_params p = {.in_c = 3, .out_c = 5, .h = 4, .w = 4, .k_h = 1, .k_w = 1, .stride = 1, .in_bits = 1,
                        .classes = 2};
    bnn_model *m = rt_conv_model(&p, &r);
    bnn_error err;
    tb_opts o = rt_opts(1, 0);
    o.watchdog = 16;
    tb_ctx *tb = tb_new(d, m, &o, &err);
    cr_assert_not_null(tb, "%s", err.msg);
    bnn_trace *tr = bnn_trace_new(m);
    bnn_tensor *img = bnn_tensor_new(3, 4, 4, 1);
    cr_assert_eq(bnn_forward(m, img, BNN_FAST, tr, &err), 0);
    tb_image_result ir;
    cr_assert_eq(tb_run_image(tb, tr, 0, &ir, &err), -1);
    cr_assert(strstr(err.msg, "watchdog") && strstr(err.msg, "no acc_valid within 16 cycles") &&
                  strstr(err.msg, "layer conv1 tile r0/c0 pixel 0"),
              "message: %s", err.msg);
    tb_free(tb);
    bnn_trace_free(tr);
    bnn_tensor_free(img);
    bnn_model_free(m);
    dut_free(d);
}

/* ---- the RTL-chained prediction ---- */

static void corrupt_act5(bnn_trace *tr)
{
    bnn_tensor *t = tr->act[5];
    for (size_t i = 0; i < (size_t)t->c * (size_t)t->h * (size_t)t->w; i++)
        t->v[i] ^= 1u;
}

Test(negative, chained_prediction_runs_on_the_rtl_outputs, .timeout = 60)
{
    /* The reference's input of layer 5 is corrupted: layer 4's RTL output
     * differs from it (reported), layer 5 on the corrupted input mismatches
     * too, but the RTL-chained pass from layer 4's own outputs must give the
     * reference's (uncorrupted) prediction. */
    bnn_random_opts ro = {.depth = 8, .width = 8, .se = 0, .in_c = 2, .in_h = 12, .in_w = 12, .classes = 10,
                          .seed = 8};
    bnn_model *m = NULL;
    bnn_error err;
    cr_assert_eq(bnn_model_random(&ro, &m, &err), 0, "%s", err.msg);
    char path[256];
    tu_tmp_path(path, sizeof path, "log");
    FILE *log = fopen(path, "w+");
    rt_result *res = calloc(1, sizeof *res);
    tb_opts o = rt_opts(1, 0);
    o.log = log;
    rt_job j = {m, o, 1, 4, RT_RANDOM, res, corrupt_act5};
    char e[512] = "";
    const dut_geom *g = dut_find_build(&rt_small, 0, NULL);
    cr_assert_eq(tb_backend_verilated.run(g, NULL, 0, 0, rt_body, &j, e, sizeof e), 0, "%s %s", e, res->err);
    fclose(log);
    cr_assert_gt(res->ls[4].mismatches, 0, "layer 4's output differs from the corrupted reference");
    cr_assert_gt(res->ls[5].mismatches, 0, "layer 5 ran on the corrupted input");
    cr_assert_eq(res->ls[0].mismatches + res->ls[1].mismatches + res->ls[2].mismatches + res->ls[3].mismatches, 0);
    cr_assert_eq(res->chained[0], res->ref_pred[0], "chained %d, reference %d", res->chained[0], res->ref_pred[0]);
    size_t n;
    char *txt = slurp(path, &n);
    cr_assert(strstr(txt, "layer s1b0b conv output"), "log: %s", txt);
    free(txt);
    remove(path);
    free(res);
    bnn_model_free(m);
}

/* ---- golden job replay (the `sim` path) ---- */

#include "tb_golden.h"

typedef struct golden_set {
    tb_golden_job j;
    uint64_t *wl;
    int32_t *p, *x, *acc;
} golden_set;

/* Golden values of job 0 of a random conv layer, made with csrc/map.h. */
static void make_golden(const dut_geom *g, golden_set *s, map_layer **mlp, bnn_model **mp, bnn_tensor **imgp)
{
    bnn_rng r;
    bnn_rng_seed(&r, 12);
    rt_conv_params p = {.in_c = 13, .out_c = 11, .h = 5, .w = 5, .k_h = 3, .k_w = 3, .stride = 1, .pad_h = 1,
                        .pad_w = 1, .in_bits = 8, .classes = 2};
    bnn_model *m = rt_conv_model(&p, &r);
    bnn_tensor *img = bnn_tensor_new(13, 5, 5, 8);
    rt_fill_image(img, &r, RT_SPARSE_CHANNELS);
    map_op op;
    map_op_of(&m->layers[0], MAP_CONV, &op);
    map_cfg cfg = {g->rows, g->cols, g->seg_rows, MAP_CHANNEL_MAJOR, NULL};
    bnn_error err;
    map_layer *ml;
    cr_assert_eq(map_layer_build(&op, &cfg, &ml, &err), 0, "%s", err.msg);
    const map_job *jb = &ml->jobs[0];
    int pixels = map_pixels(&op), bits = op.bits, ww = g->rows / 64;
    s->wl = calloc((size_t)pixels * (size_t)bits * (size_t)ww, sizeof *s->wl);
    s->p = calloc((size_t)pixels * (size_t)bits * (size_t)jb->n_cols, sizeof *s->p);
    s->x = calloc((size_t)pixels * (size_t)bits, sizeof *s->x);
    s->acc = calloc((size_t)pixels * (size_t)jb->n_cols, sizeof *s->acc);
    int hp[DUT_MAX_COLS];
    for (int px = 0; px < pixels; px++)
        for (int k = 0; k < bits; k++) {
            size_t at = (size_t)px * (size_t)bits + (size_t)k;
            map_job_input(ml, jb, img, NULL, px, k, s->wl + at * (size_t)ww);
            int hx;
            map_job_px(ml, jb, s->wl + at * (size_t)ww, hp, &hx);
            s->x[at] = hx;
            for (int c = 0; c < jb->n_cols; c++) {
                s->p[at * (size_t)jb->n_cols + (size_t)c] = hp[c];
                int32_t *a = &s->acc[(size_t)px * (size_t)jb->n_cols + (size_t)c];
                *a = 2 * *a + 2 * hp[c] - hx;
            }
        }
    s->j = (tb_golden_job){"conv1", 0, 0, jb->n_rows, jb->n_cols, jb->col_words, bits, pixels, jb->wrows, s->wl,
                           s->p, s->x, s->acc};
    *mlp = ml;
    *mp = m;
    *imgp = img;
}

Test(golden, replay_matches_and_corruption_is_located)
{
    golden_set s;
    map_layer *ml;
    bnn_model *m;
    bnn_tensor *img;
    make_golden(&rt_default, &s, &ml, &m, &img);
    cim_dut *d = open_dut(&rt_default, NULL, 0, 0);
    char err[512] = "", path[256];
    uint64_t mism = 0;
    tb_golden_opts o = {.gate_en = 1, .unit_log2 = 0, .image = 0, .max_print = 5};
    cr_assert_eq(tb_golden_run(d, &s.j, &o, NULL, &mism, err, sizeof err), 0, "%s", err);
    cr_assert_eq(mism, 0);
    /* corrupt one golden partial: pixel 7, column 4 */
    s.acc[7 * s.j.n_cols + 4] += 1;
    tu_tmp_path(path, sizeof path, "glog");
    o.log = fopen(path, "w+");
    cr_assert_eq(tb_golden_run(d, &s.j, &o, NULL, &mism, err, sizeof err), 0, "%s", err);
    fclose(o.log);
    cr_assert_eq(mism, 1);
    size_t n;
    char *txt = slurp(path, &n);
    cr_assert(strstr(txt, "mismatch: image 0 layer conv1 partial tile r0/c0 pixel 7 column 4: expected "), "%s", txt);
    free(txt);
    remove(path);
    free(s.wl);
    free(s.p);
    free(s.x);
    free(s.acc);
    map_layer_free(ml);
    bnn_tensor_free(img);
    bnn_model_free(m);
    dut_free(d);
}

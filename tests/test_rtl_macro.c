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

/* Host model of one compute: P per column, X, over rows < nrows. */
static void host_px(const dut_geom *g, const uint64_t *mem, const uint64_t *in, int ncols, int nrows, int *p, int *x)
{
    int cw = (g->cols + 63) / 64;
    *x = 0;
    for (int c = 0; c < g->cols; c++)
        p[c] = 0;
    for (int row = 0; row < g->rows && row < nrows; row++) {
        if (!((in[row / 64] >> (row % 64)) & 1))
            continue;
        (*x)++;
        for (int c = 0; c < ncols; c++)
            p[c] += (int)((mem[(size_t)row * (size_t)cw + (size_t)(c / 64)] >> (c % 64)) & 1);
    }
}

/* Every counter of the DUT equals the host array model's. */
static void counters_match(cim_dut *d, const amodel *am, const char *where, int it)
{
    const act_counts *e = amodel_counts(am);
    for (int k = 0; k < DUT_NCNT; k++) {
        int ev = act_event_by_name(dut_cnt_names[k]);
        cr_assert_geq(ev, 0, "%s", dut_cnt_names[k]);
        cr_assert_eq(dut_counter(d, k), e->n[ev], "%s it %d: counter %s: RTL %llu, host model %llu", where, it,
                     dut_cnt_names[k], (unsigned long long)dut_counter(d, k), (unsigned long long)e->n[ev]);
    }
}

/* One step of the DUT and of the host array model. */
static void both_step(cim_dut *d, amodel *am, const dut_in *c, dut_out *out)
{
    dut_step(d, c, out, DUT_OUT_ALL);
    amodel_op o = {.op = c->op, .row = c->addr, .wdata = c->wdata, .in = c->in, .gate = c->gate,
                   .unit_log2 = c->unit_log2, .ncols = c->ncols, .nrows = c->nrows};
    amodel_step(am, &o);
}

/* What the step after a COMPUTE must show. */
typedef struct pending {
    int valid, last, x, it, k;
    int p[DUT_MAX_COLS];
    uint64_t gated;
} pending;

/*
 * Random weights, then random multi-plane accumulations (planes in random
 * order, each with its weight) with block-sparse inputs, random rows and
 * columns in use, interleaved NOPs, READs, rewrites and counter clears.
 * Every step: P/X/acc/bin/seg_gated of the COMPUTE one step before, and
 * every activity counter against the host array model. Fills acc_log
 * (every accumulation's results, for the mode comparison) and cnt.
 */
static void compute_run(const dut_geom *want, int gate, int unit_log2, int32_t *acc_log, uint64_t *cnt)
{
    cim_dut *d = open_dut(want, NULL, 0, 0);
    const dut_geom *g = dut_geometry(d);
    int cw = (g->cols + 63) / 64, nseg = g->rows / g->seg_rows;
    bnn_error err;
    amodel_cfg mc = {g->rows, g->cols, g->seg_rows, g->col_group, 0, AMODEL_IMPL_AUTO};
    amodel *am = amodel_new(&mc, &err);
    cr_assert_not_null(am, "%s", err.msg);
    uint64_t *mem = calloc((size_t)g->rows * (size_t)cw, sizeof *mem);
    uint64_t in[DUT_MAX_COLS / 64 * 16];
    int hx;
    int32_t acc[DUT_MAX_COLS], thr[DUT_MAX_COLS];
    dut_out *out = calloc(1, sizeof *out);
    pending *pd = calloc(1, sizeof *pd);
    bnn_rng r;
    tu_seed sd = tu_seed_of("macro/compute_run", 77);
    bnn_rng_seed(&r, sd.seed);
    for (int row = 0; row < g->rows; row++) {
        random_words(&r, mem + (size_t)row * (size_t)cw, g->cols);
        dut_in w = {.op = DUT_WRITE, .addr = row, .wdata = mem + (size_t)row * (size_t)cw};
        both_step(d, am, &w, out);
    }
    for (int c = 0; c < g->cols; c++) {
        thr[c] = bnn_rng_range(&r, -40, 40);
        dut_in t = {.op = DUT_SET_THR, .addr = c, .thr = thr[c]};
        both_step(d, am, &t, out);
    }
    int n_acc = 0;
    for (int it = 0; it < 300; it++) {
        int ncols = it % 7 == 0 ? bnn_rng_range(&r, 0, g->cols) : g->cols;
        int nrows = it % 5 == 0 ? bnn_rng_range(&r, 0, g->rows) : g->rows;
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
            int plane = (k * 5 + it) % planes, last = k == planes - 1;
            int hp[DUT_MAX_COLS];
            host_px(g, mem, in, ncols, nrows, hp, &hx);
            dut_in c = {.op = DUT_COMPUTE, .in = in, .first = k == 0, .last = last, .plane = plane, .gate = gate,
                        .unit_log2 = unit_log2, .ncols = ncols, .nrows = nrows};
            both_step(d, am, &c, out);
            if (pd->valid) {
                cr_assert_eq(out->cmp_valid, 1);
                cr_assert_eq(out->acc_valid, pd->last);
                cr_assert_eq(out->x, pd->x, "it %d plane %d: X", pd->it, pd->k);
                for (int col = 0; col < g->cols; col++)
                    cr_assert_eq(out->p[col], pd->p[col], "it %d plane %d col %d: P", pd->it, pd->k, col);
                cr_assert_eq(out->seg_gated, pd->gated, "it %d plane %d: seg_gated", pd->it, pd->k);
            }
            for (int col = 0; col < g->cols; col++)
                acc[col] += col < ncols ? (2 * hp[col] - hx) * (1 << plane) : 0;
            /* a gated segment: mapped, and its unit of 2^unit_log2 segments all zero (rows < nrows) */
            uint64_t gated = 0;
            for (int s = 0; s < nseg; s++) {
                int u0 = (s >> unit_log2) << unit_log2, zero = 1;
                for (int t = u0; t < u0 + (1 << unit_log2); t++)
                    for (int row = t * g->seg_rows; t < nseg && row < (t + 1) * g->seg_rows; row++)
                        zero &= row >= nrows || !((in[row / 64] >> (row % 64)) & 1);
                if (gate && zero && s * g->seg_rows < nrows)
                    gated |= (uint64_t)1 << s;
            }
            *pd = (pending){1, last, hx, it, k, {0}, gated};
            memcpy(pd->p, hp, sizeof hp);
            counters_match(d, am, "compute", it);
        }
        /* the result: one step later, with a NOP, a READ or a WRITE of the same value */
        int kind = it % 3;
        dut_in nx = {.op = kind == 0 ? DUT_NOP : kind == 1 ? DUT_READ : DUT_WRITE, .addr = it % g->rows,
                     .wdata = mem + (size_t)(it % g->rows) * (size_t)cw, .gate = gate, .ncols = ncols};
        both_step(d, am, &nx, out);
        cr_assert_eq(out->acc_valid, 1, "it %d: acc_valid", it);
        cr_assert_eq(out->x, pd->x, "it %d: X of the last plane", it);
        for (int col = 0; col < g->cols; col++) {
            cr_assert_eq(out->p[col], pd->p[col], "it %d col %d: P of the last plane", it, col);
            cr_assert_eq(out->acc[col], acc[col], "it %d col %d: acc [%s]", it, col, sd.note);
            int bin = (int)((out->bin[col / 64] >> (col % 64)) & 1);
            cr_assert_eq(bin, out->acc[col] >= thr[col], "it %d col %d: bin", it, col);
            acc_log[n_acc++] = out->acc[col];
        }
        pd->valid = 0;
        if (it % 37 == 36) {
            dut_in clr = {.op = DUT_CLR_CNT};
            both_step(d, am, &clr, out);
        }
        counters_match(d, am, "after", it);
    }
    for (int k = 0; k < DUT_NCNT; k++)
        cnt[k] = dut_counter(d, k);
    amodel_free(am);
    free(pd);
    free(out);
    free(mem);
    dut_free(d);
}

/* Every gate mode: the same results, counters equal to the host model's;
 * the modes differ where they must. */
static void gating_modes(const dut_geom *g, int unit_log2)
{
    static uint64_t cnt[4][DUT_NCNT];
    int32_t *acc[4];
    for (int m = 0; m < 4; m++) {
        acc[m] = calloc(300 * DUT_MAX_COLS, sizeof *acc[m]);
        compute_run(g, m, unit_log2, acc[m], cnt[m]);
    }
    for (int m = 1; m < 4; m++)
        cr_assert_eq(memcmp(acc[m], acc[0], 300 * DUT_MAX_COLS * sizeof *acc[0]), 0, "gate %d: results differ", m);
    const uint64_t *none = cnt[DUT_GATE_NONE], *both = cnt[DUT_GATE_BOTH], *c1 = cnt[DUT_GATE_C1],
                   *c2 = cnt[DUT_GATE_C2];
    cr_assert_gt(both[DUT_CNT_SEG_GATED], 0);
    cr_assert_eq(none[DUT_CNT_SEG_GATED], 0);
    cr_assert_lt(both[DUT_CNT_PRECHARGES], none[DUT_CNT_PRECHARGES], "C2 gating saves precharges");
    cr_assert_eq(c1[DUT_CNT_PRECHARGES], none[DUT_CNT_PRECHARGES], "C1 only: every mapped line precharged");
    cr_assert_eq(c2[DUT_CNT_PRECHARGES], both[DUT_CNT_PRECHARGES]);
    cr_assert_gt(both[DUT_CNT_FOOTER_OFF], none[DUT_CNT_FOOTER_OFF], "C1 gating turns footers off");
    cr_assert_eq(c2[DUT_CNT_FOOTER_OFF], none[DUT_CNT_FOOTER_OFF], "C2 only: footers stay on");
    cr_assert_lt(both[DUT_CNT_EVALS], none[DUT_CNT_EVALS]);
    cr_assert_eq(c1[DUT_CNT_EVALS], both[DUT_CNT_EVALS], "the sense stage is gated in every gating mode");
    cr_assert_eq(none[DUT_CNT_CHECKS], 0);
    for (int m = 0; m < 4; m++) {
        cr_assert_eq(cnt[m][DUT_CNT_CELL_DISCHARGES], none[DUT_CNT_CELL_DISCHARGES], "gate %d: cells", m);
        cr_assert_eq(cnt[m][DUT_CNT_CYCLES], none[DUT_CNT_CYCLES]);
        free(acc[m]);
    }
}

Test(macro, gate_modes_small_unit1) { gating_modes(&rt_small, 0); }
Test(macro, gate_modes_small_unit8) { gating_modes(&rt_small, 3); }
Test(macro, gate_modes_default_unit2, .timeout = 240) { gating_modes(&rt_default, 1); }

/* The geometry matrix (make -f Makefile.sim geom-matrix): the build of
 * SPARSECIM_GEOM, every gate mode at units 1 and 4 (acc of ACC_W bits,
 * sign-extended, against the host; counters against the host model), and
 * the SRAM; skipped without SPARSECIM_GEOM. */
Test(macro, env_build, .timeout = 600)
{
    dut_geom g = rt_env_geom();
    sram_roundtrip(&g);
    gating_modes(&g, 0);
    gating_modes(&g, 2);
}

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
                    .first = 1, .last = 1, .gate = DUT_GATE_BOTH, .ncols = 64, .nrows = 256};
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

Test(waves, fst_on_the_fst_builds_and_refused_elsewhere)
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
    /* the default geometry: FST too when built with SPARSECIM_TB_FST (the
     * default), else VCD only */
    g = dut_find_build(&rt_default, 0, &fmts);
    if (fmts & (1u << DUT_TRACE_FST)) {
        d = open_dut(&rt_default, path, 0, 20);
        run_cycles(d, 40);
        dut_free(d);
        v = slurp(path, &n);
        cr_assert(n > 64 && v[0] != '$', "the default geometry's FST build wrote no FST file");
        free(v);
        remove(path);
    } else {
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
static const dut_ops dead_ops = {dead_free, dead_reset, dead_step, dead_counter, NULL};

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
    for (int i = 0; i < 3 * 4 * 4; i++)
        img->v[i] = 1; /* not all zero: the first plane is issued */
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

/* ---- the accumulator width: a geometry whose ACC_W cannot hold a
 * layer's worst-case sum is refused by the driver (tb_new), with the width
 * it needs; one bit more is accepted. A 3x3 conv of one 8-bit channel: 9
 * rows x 255 = 2295, which needs 2^(ACC_W-1) - 2 >= 2295: ACC_W 13; at the
 * exact limit, 1-bit 1x1 convs of 14 and 15 channels at ACC_W 5. ---- */

static void acc_w_case(int acc_w, int accept, int in_c, int in_bits, const char *msg)
{
    const dut_geom g = {64, 16, 8, 4, acc_w};
    cim_dut *d = calloc(1, sizeof *d);
    d->ops = &dead_ops;
    d->geom = &g;
    bnn_rng r;
    bnn_rng_seed(&r, 9);
    const int k = in_bits > 1 ? 3 : 1;
    rt_conv_params p = {.in_c = in_c, .out_c = 5, .h = in_bits > 1 ? 4 : 1, .w = in_bits > 1 ? 4 : 1, .k_h = k,
                        .k_w = k, .stride = 1, .pad_h = k / 2, .pad_w = k / 2, .in_bits = in_bits, .classes = 2};
    bnn_model *m = rt_conv_model(&p, &r);
    cr_assert_not_null(m);
    bnn_error err = {""};
    tb_opts o = rt_opts(1, 0);
    tb_ctx *tb = tb_new(d, m, &o, &err);
    if (accept) {
        cr_assert_not_null(tb, "ACC_W %d: %s", acc_w, err.msg);
    } else {
        cr_assert_null(tb, "ACC_W %d accepted", acc_w);
        char want[128];
        snprintf(want, sizeof want, "does not fit the %d-bit accumulator (ACC_W) of geometry 64x16x8", acc_w);
        cr_assert(strstr(err.msg, "layer conv1") && strstr(err.msg, msg) && strstr(err.msg, want) &&
                      strstr(err.msg, "it needs ACC_W >= "),
                  "ACC_W %d: message: %s", acc_w, err.msg);
    }
    tb_free(tb);
    bnn_model_free(m);
    dut_free(d);
}

Test(negative, accumulator_too_narrow_is_refused)
{
    const char *m8 = "+-2295 (9 rows x (2^8 - 1)) does not fit";
    acc_w_case(12, 0, 1, 8, m8);
    acc_w_case(8, 0, 1, 8, m8);
    acc_w_case(13, 1, 1, 8, NULL);
    acc_w_case(32, 1, 1, 8, NULL);
    /* at the limit 2^(ACC_W-1) - 2: 14 rows of 1-bit inputs fit 5 bits, 15 do not */
    acc_w_case(5, 1, 14, 1, NULL);
    acc_w_case(5, 0, 15, 1, "+-15 (15 rows x (2^1 - 1)) does not fit");
    acc_w_case(6, 1, 15, 1, NULL);
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

/* Golden values of job 0 of a random conv layer, made with csrc/map/map.h. */
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
    map_cfg cfg = {g->rows, g->cols, g->seg_rows, MAP_CHANNEL_MAJOR, NULL, 0};
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
    tb_golden_opts o = {.gate = DUT_GATE_BOTH, .unit_log2 = 0, .image = 0, .max_print = 5};
    cr_assert_eq(tb_golden_run(d, &s.j, &o, NULL, &mism, NULL, err, sizeof err), 0, "%s", err);
    cr_assert_eq(mism, 0);
    /* corrupt one golden partial: pixel 7, column 4 */
    s.acc[7 * s.j.n_cols + 4] += 1;
    tu_tmp_path(path, sizeof path, "glog");
    o.log = fopen(path, "w+");
    cr_assert_eq(tb_golden_run(d, &s.j, &o, NULL, &mism, NULL, err, sizeof err), 0, "%s", err);
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

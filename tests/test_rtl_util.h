/*
 * test_rtl_util.h - helpers shared by the RTL tests (tests/test_rtl_*.c):
 * random single-layer models, image patterns, and "run a model on a DUT
 * and collect the driver's statistics". Header-only (static functions) so
 * that CMake's tests/test_*.c glob does not make it an executable.
 */
#ifndef SPARSECIM_TEST_RTL_UTIL_H
#define SPARSECIM_TEST_RTL_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "infer/bnn_infer.h"
#include "model/bnn_model.h"
#include "model/bnn_rng.h"
#include "dut.h"
#include "tb_backend.h"
#include "power/amodel.h"
#include "tb_drv.h"
#include "test_util.h"

static const dut_geom rt_default = {256, 64, 16, 0, 0};
static const dut_geom rt_small = {64, 16, 8, 0, 0};

/* For the *_env_build tests (the geometry matrix, `make -f Makefile.sim
 * geom-matrix`): the geometry of the environment's
 * SPARSECIM_GEOM=ROWSxCOLSxSEG_ROWS (col_group and acc_w are the build's).
 * Skips the calling test when SPARSECIM_GEOM is unset; fails it when the
 * value is malformed or names no verilated build of this program. */
static inline dut_geom rt_env_geom(void)
{
    const char *v = getenv("SPARSECIM_GEOM");
    int r = 0, c = 0, s = 0, n = 0;
    if (!v)
        cr_skip_test("SPARSECIM_GEOM unset (make -f Makefile.sim geom-matrix sets it)");
    cr_assert(sscanf(v, "%dx%dx%d%n", &r, &c, &s, &n) == 3 && !v[n] && r >= 1 && c >= 1 && s >= 1,
              "SPARSECIM_GEOM='%s': expected ROWSxCOLSxSEG_ROWS", v);
    dut_geom g = {r, c, s, 0, 0};
    cr_assert_not_null(dut_find_build(&g, 0, NULL), "SPARSECIM_GEOM=%s: no verilated build of it in this program", v);
    return g;
}

/* Input patterns for images. */
enum rt_pattern { RT_RANDOM = 0, RT_ZEROS, RT_ONES, RT_SPARSE_CHANNELS };

static inline void rt_fill_image(bnn_tensor *img, bnn_rng *r, int pattern)
{
    size_t hw = (size_t)img->h * (size_t)img->w;
    uint16_t maxv = (uint16_t)((1u << img->bits) - 1u);
    for (int c = 0; c < img->c; c++) {
        int zero_ch = pattern == RT_SPARSE_CHANNELS && bnn_rng_range(r, 0, 1);
        for (size_t p = 0; p < hw; p++) {
            uint16_t v = pattern == RT_ZEROS ? 0 : pattern == RT_ONES ? maxv : (uint16_t)(bnn_rng_u64(r) & maxv);
            img->v[(size_t)c * hw + p] = zero_ch ? 0 : v;
        }
    }
}

static inline void rt_random_bits(bnn_bits *b, bnn_rng *r)
{
    for (int o = 0; o < b->rows; o++)
        for (int i = 0; i < b->cols; i++)
            bnn_bits_set(b, o, i, (int)(bnn_rng_u64(r) & 1u));
}

/* Thresholds around the middle of the dot range, random signs. */
static inline void rt_random_thresh(bnn_thresh *t, bnn_rng *r, int spread)
{
    for (int o = 0; o < t->n; o++) {
        t->neg[o] = (uint8_t)(bnn_rng_range(r, 0, 3) == 0);
        for (int k = 0; k < t->pairs; k++)
            t->t[o * t->pairs + k] = bnn_rng_range(r, -spread, spread);
    }
}

typedef struct rt_conv_params {
    int in_c, out_c, h, w, k_h, k_w, stride, pad_h, pad_w, in_bits, classes;
    int groups;             /* 0 or 1: ordinary; else it divides in_c and out_c */
    int mult;               /* 1: random multiplicities 1..4 (about half the channels above 1; groups 1) */
} rt_conv_params;

/* A model of one CONV layer and a classifier (random weights/thresholds). */
static inline bnn_model *rt_conv_model(const rt_conv_params *p, bnn_rng *r)
{
    bnn_error err;
    bnn_model *m = calloc(1, sizeof *m);
    if (!m || !(m->layers = calloc(2, sizeof *m->layers))) {
        free(m);
        return NULL;
    }
    m->in_c = p->in_c;
    m->in_h = p->h;
    m->in_w = p->w;
    m->in_bits = p->in_bits;
    m->classes = p->classes;
    m->n_layers = 2;
    bnn_layer *l = &m->layers[0];
    l->type = BNN_CONV;
    bnn_conv *c = &l->u.conv;
    *c = (bnn_conv){.in_c = p->in_c, .out_c = p->out_c, .in_h = p->h, .in_w = p->w, .k_h = p->k_h, .k_w = p->k_w,
                    .stride = p->stride, .pad_h = p->pad_h, .pad_w = p->pad_w, .in_bits = p->in_bits,
                    .shortcut = -1, .groups = p->groups};
    int n = bnn_conv_n(c);
    int fail = bnn_bits_alloc(&c->wt, p->out_c, n) || bnn_thresh_alloc(&c->th, p->out_c, 1);
    if (!fail) {
        rt_random_bits(&c->wt, r);
        rt_random_thresh(&c->th, r, p->in_bits > 1 ? 20 * n : n / 4 + 1);
    }
    if (!fail && p->mult && (c->mult = malloc((size_t)p->in_c)) != NULL) {
        for (int ch = 0; ch < p->in_c; ch++)
            c->mult[ch] = (uint8_t)(bnn_rng_range(r, 0, 1) ? 1 : bnn_rng_range(r, 2, BNN_MAX_MULT));
        c->mult[bnn_rng_range(r, 0, p->in_c - 1)] = 2; /* not all 1 */
    }
    fail = fail || (p->mult && !c->mult);
    bnn_layer *k = &m->layers[1];
    k->type = BNN_CLASSIFIER;
    bnn_classifier *cl = &k->u.cls;
    cl->in_c = p->out_c;
    cl->classes = p->classes;
    cl->scale = calloc((size_t)p->classes, sizeof(float));
    cl->bias = calloc((size_t)p->classes, sizeof(float));
    fail = fail || !cl->scale || !cl->bias || bnn_bits_alloc(&cl->wt, p->classes, p->out_c);
    if (!fail) {
        rt_random_bits(&cl->wt, r);
        for (int i = 0; i < p->classes; i++) {
            cl->scale[i] = (float)(0.01 + 0.1 * bnn_rng_unit(r));
            cl->bias[i] = (float)(bnn_rng_unit(r) - 0.5);
        }
    }
    if (fail || bnn_model_validate(m, &err)) {
        bnn_model_free(m);
        return NULL;
    }
    return m;
}

/* What a run of some images on one DUT left behind. */
typedef struct rt_result {
    int ok;                 /* 1: every image ran (no error) */
    uint64_t mismatches;
    uint64_t cycles;        /* all clock cycles of the DUT (creation included) */
    int n_layers;
    tb_layer_stats ls[64];
    int pred[8], chained[8], ref_pred[8];
    uint64_t se_zero[64];   /* per SE layer: gates the reference set to 0, summed over the images */
    char err[600];
} rt_result;

typedef struct rt_job {
    const bnn_model *m;
    tb_opts o;
    int images;             /* <= 8 */
    uint64_t seed;
    int pattern;
    rt_result *res;
    void (*corrupt)(bnn_trace *tr);   /* optional: edits the reference before the check */
} rt_job;

static inline int rt_body(cim_dut *dut, void *arg)
{
    rt_job *j = arg;
    rt_result *res = j->res;
    bnn_error err;
    bnn_trace *tr = bnn_trace_new(j->m);
    bnn_tensor *img = bnn_tensor_new(j->m->in_c, j->m->in_h, j->m->in_w, j->m->in_bits);
    tb_ctx *tb = tr && img ? tb_new(dut, j->m, &j->o, &err) : NULL;
    bnn_rng r;
    bnn_rng_seed(&r, j->seed);
    res->ok = 0;
    if (!tb) {
        snprintf(res->err, sizeof res->err, "%s", tr && img ? err.msg : "out of memory");
        goto done;
    }
    for (int i = 0; i < j->images; i++) {
        rt_fill_image(img, &r, j->pattern);
        tb_image_result ir;
        if (bnn_forward(j->m, img, BNN_FAST, tr, &err)) {
            snprintf(res->err, sizeof res->err, "reference: %s", err.msg);
            goto done;
        }
        for (int l = 0; l < j->m->n_layers && l < 64; l++)
            if (j->m->layers[l].type == BNN_SE)
                for (int c = 0; c < j->m->layers[l].u.se.c; c++)
                    res->se_zero[l] += tr->se_g[l][c] == 0;
        if (j->corrupt)
            j->corrupt(tr);
        if (tb_run_image(tb, tr, i, &ir, &err)) {
            snprintf(res->err, sizeof res->err, "%s", err.msg);
            goto done;
        }
        res->pred[i] = ir.pred;
        res->chained[i] = ir.chained_pred;
        res->ref_pred[i] = ir.ref_pred;
    }
    const tb_layer_stats *ls = tb_stats(tb, &res->n_layers);
    if (res->n_layers > 64)
        res->n_layers = 64;
    memcpy(res->ls, ls, (size_t)res->n_layers * sizeof *ls);
    res->mismatches = tb_mismatches(tb);
    res->cycles = dut_cycles(dut);
    res->ok = 1;
done:
    tb_free(tb);
    bnn_tensor_free(img);
    bnn_trace_free(tr);
    return res->ok ? 0 : -1;
}

/* Runs `images` images of pattern through model m on geometry g with back end be. */
static inline int rt_run(const tb_backend *be, const dut_geom *g, const bnn_model *m, const tb_opts *o, int images,
                  uint64_t seed, int pattern, rt_result *res)
{
    memset(res, 0, sizeof *res);
    const dut_geom *bg = dut_find_build(g, be->systemc, NULL);
    if (!bg) {
        snprintf(res->err, sizeof res->err, "no build of that geometry");
        return -1;
    }
    rt_job j = {m, *o, images, seed, pattern, res, NULL};
    char err[512] = "";
    int rc = be->run(bg, NULL, 0, 0, rt_body, &j, err, sizeof err);
    if (rc && !res->err[0])
        snprintf(res->err, sizeof res->err, "%s", err);
    return rc;
}

static inline tb_opts rt_opts(int gate, int unit_log2)
{
    tb_opts o = {.gate = gate ? DUT_GATE_BOTH : DUT_GATE_NONE, .unit_log2 = unit_log2, .layout = MAP_CHANNEL_MAJOR, .max_print = 10,
                 .log = stderr};
    return o;
}

#endif

/*
 * test_infer_prop.c - properties over many random shapes and seeds:
 * BNN_NAIVE == BNN_FAST == a direct signed sum, bit for bit, on random conv
 * layers (grouped and depthwise ones too) and FC dots, and naive == fast
 * over whole random networks (ResNets, grouped, depthwise-separable).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "infer/bnn_infer.h"
#include "infer/bnn_kernels.h"
#include "model/bnn_model.h"
#include "model/bnn_rng.h"
#include "infer/bnn_stats.h"
#include "test_infer_util.h"
#include "test_util.h"

typedef struct layer_stats {
    long cases, ones, outputs, residual, multibit, zero_in, one_in, depthwise, grouped, mult, mult_differs;
} layer_stats;

/* One random conv layer through both implementations and the direct sum.
 * odd = 0: the network's kernels (1x1, 1x3, 3x1, 3x3), stride 1/2, sizes
 * 1..16; odd = 1: any kernel up to 12x12 or a few very wide ones (more than
 * 64 taps per channel or per row), stride 1..3, any padding < kernel.
 * grouped = 1: the conv has 2..12 groups (a third of them depthwise: one
 * input and one output channel per group; else 1..12 input and 1..10
 * output channels per group), the kernels of odd = 0. grouped = 2: an
 * ungrouped conv with multiplicities (docs/SPEC.md section 2: 1..4 per
 * input channel, not all 1; the direct sum multiplies each term). */
static void random_layer_case(bnn_rng *r, int t, layer_stats *st, int odd, int grouped)
{
    const int mult = grouped == 2;
    grouped = grouped == 1;
    static const int kern[4][2] = {{1, 1}, {1, 3}, {3, 1}, {3, 3}};
    static const int wide[5][2] = {{9, 9}, {1, 70}, {1, 60}, {3, 60}, {2, 33}};
    const int *k = odd ? (bnn_rng_range(r, 0, 3) ? NULL : wide[bnn_rng_range(r, 0, 4)]) : kern[bnn_rng_range(r, 0, 3)];
    const int kh = k ? k[0] : bnn_rng_range(r, 1, 12), kw = k ? k[1] : bnn_rng_range(r, 1, 12);
    const int groups = grouped ? bnn_rng_range(r, 2, 12) : 1, dw = grouped && bnn_rng_range(r, 0, 2) == 0;
    const int in_c = grouped ? groups * (dw ? 1 : bnn_rng_range(r, 1, 12))
                     : odd   ? bnn_rng_range(r, 1, 12)
                     : bnn_rng_range(r, 0, 2) ? bnn_rng_range(r, 1, 40) : bnn_rng_range(r, 41, 200);
    const int out_c = grouped ? groups * (dw ? 1 : bnn_rng_range(r, 1, 10))
                      : bnn_rng_range(r, 0, 3) ? bnn_rng_range(r, 1, 24) : bnn_rng_range(r, 25, odd ? 40 : 100);
    const int s = bnn_rng_range(r, 1, odd ? 3 : 2);
    const int ph = odd ? bnn_rng_range(r, 0, kh - 1) : kh > 1 ? bnn_rng_range(r, 0, 1) : 0;
    const int pw = odd ? bnn_rng_range(r, 0, kw - 1) : kw > 1 ? bnn_rng_range(r, 0, 1) : 0;
    const int h = bnn_rng_range(r, kh - 2 * ph > 1 ? kh - 2 * ph : 1, kh - 2 * ph > 16 ? kh - 2 * ph + 4 : 16);
    const int w = bnn_rng_range(r, kw - 2 * pw > 1 ? kw - 2 * pw : 1, kw - 2 * pw > 16 ? kw - 2 * pw + 4 : 16);
    const int bits = bnn_rng_range(r, 0, 2) ? 1 : bnn_rng_range(r, 2, 8);
    const int pairs = bnn_rng_range(r, 0, 2) == 0 ? 2 : 1;
    bnn_conv c = ti_gconv(in_c, out_c, h, w, kh, kw, s, ph, pw, bits, pairs, groups);
    const int n = c.wt.cols;
    if (mult) {
        c.mult = malloc((size_t)in_c);
        for (int ch = 0; ch < in_c; ch++)
            c.mult[ch] = (uint8_t)(bnn_rng_range(r, 0, 2) ? 1 : bnn_rng_range(r, 2, BNN_MAX_MULT));
        c.mult[bnn_rng_range(r, 0, in_c - 1)] = (uint8_t)bnn_rng_range(r, 2, BNN_MAX_MULT); /* not all 1 */
    }
    /* weights: random, or all +1 / all -1 for some channels */
    for (int o = 0; o < out_c; o++) {
        int wm = bnn_rng_range(r, 0, 7);
        for (int i = 0; i < n; i++)
            bnn_bits_set(&c.wt, o, i, wm == 0 ? 1 : wm == 1 ? 0 : (int)(bnn_rng_u64(r) & 1));
    }
    /* inputs: all zero, all max, or a random density of random values */
    const int mode = bnn_rng_range(r, 0, 9);
    const double dens = bnn_rng_unit(r);
    const unsigned maxv = (1u << bits) - 1u;
    bnn_tensor *in = bnn_tensor_new(in_c, h, w, bits);
    for (size_t i = 0; i < ti_numel(in); i++)
        in->v[i] = (uint16_t)(mode == 0 ? 0
                              : mode == 1 ? maxv
                              : bnn_rng_unit(r) < dens ? (unsigned)bnn_rng_range(r, 1, (int)maxv) : 0);
    /* thresholds around the dot's scale so outputs are a mix of 0 and 1 */
    const double spread = sqrt((double)n) * maxv * (mode == 1 ? 2.0 : dens + 0.05);
    for (int o = 0; o < out_c; o++) {
        c.th.neg[o] = (uint8_t)(bnn_rng_range(r, 0, 3) == 0);
        for (int p = 0; p < pairs; p++)
            c.th.t[o * pairs + p] = (int32_t)((bnn_rng_unit(r) * 2.0 - 1.0) * spread);
    }
    /* option-A shortcut: C_sc <= out_c channels, subsampled by s */
    bnn_tensor *sc = NULL;
    if (pairs == 2) {
        /* H_sc = H_out * ss, or one less (the 7x7 -> 4x4 case) when that
         * still gives ss = ceil(H_sc / H_out) in both dimensions */
        int ss = bnn_rng_range(r, 1, 2), odd = ss == 2 && c.out_h > 1 && c.out_w > 1;
        sc = bnn_tensor_new(bnn_rng_range(r, 1, out_c), c.out_h * ss - (odd ? bnn_rng_range(r, 0, 1) : 0),
                            c.out_w * ss - (odd ? bnn_rng_range(r, 0, 1) : 0), 1);
        for (size_t i = 0; i < ti_numel(sc); i++)
            sc->v[i] = (uint16_t)(bnn_rng_u64(r) & 1);
    }
    const size_t no = (size_t)out_c * (size_t)c.out_h * (size_t)c.out_w;
    bnn_tensor *o1 = bnn_tensor_new(out_c, c.out_h, c.out_w, 1), *o2 = bnn_tensor_new(out_c, c.out_h, c.out_w, 1);
    bnn_tensor *o3 = bnn_tensor_new(out_c, c.out_h, c.out_w, 1);
    int32_t *d1 = calloc(no, 4), *d2 = calloc(no, 4);
    bnn_error err;
    cr_assert_eq(bnn_conv_forward(&c, in, sc, o1, d1, BNN_NAIVE, &err), 0, "case %d: %s", t, err.msg);
    cr_assert_eq(bnn_conv_forward(&c, in, sc, o2, d2, BNN_FAST, &err), 0, "case %d: %s", t, err.msg);
    cr_assert_eq(bnn_conv_forward(&c, in, sc, o3, NULL, BNN_FAST, &err), 0, "case %d: %s", t, err.msg);
    for (int o = 0; o < out_c; o++)
        for (int y = 0; y < c.out_h; y++)
            for (int x = 0; x < c.out_w; x++) {
                size_t i = ((size_t)o * (size_t)c.out_h + (size_t)y) * (size_t)c.out_w + (size_t)x;
                long want = ti_direct_dot(&c, in, o, y, x);
                cr_assert_eq(d1[i], want, "case %d (in_c %d out_c %d groups %d k %dx%d s %d pad %d/%d %dx%d bits %d) "
                             "naive dot (%d,%d,%d) = %d, direct sum %ld", t, in_c, out_c, groups, kh, kw, s, ph, pw,
                             h, w, bits, o, y, x, d1[i], want);
                cr_assert_eq(d2[i], want, "case %d (in_c %d out_c %d groups %d k %dx%d s %d pad %d/%d %dx%d bits %d) "
                             "fast dot (%d,%d,%d) = %d, direct sum %ld", t, in_c, out_c, groups, kh, kw, s, ph, pw,
                             h, w, bits, o, y, x, d2[i], want);
                int ss = sc ? (sc->h + c.out_h - 1) / c.out_h : 1;
                int xb = sc && o < sc->c ? bnn_at(sc, o, y * ss, x * ss) : 0;
                cr_assert_eq(o1->v[i], bnn_thresh_apply(&c.th, o, (int32_t)want, xb), "case %d output", t);
                st->ones += o1->v[i];
            }
    if (mult) { /* the multiplicities change the dots: the same conv without them differs somewhere */
        uint8_t *m = c.mult;
        c.mult = NULL;
        int differs = 0;
        for (int o = 0; o < out_c && !differs; o++)
            for (int y = 0; y < c.out_h && !differs; y++)
                for (int x = 0; x < c.out_w && !differs; x++)
                    differs = ti_direct_dot(&c, in, o, y, x) !=
                              d1[((size_t)o * (size_t)c.out_h + (size_t)y) * (size_t)c.out_w + (size_t)x];
        c.mult = m;
        st->mult_differs += differs;
    }
    cr_assert_eq(memcmp(o1->v, o2->v, no * 2), 0, "case %d: outputs differ", t);
    cr_assert_eq(memcmp(o1->v, o3->v, no * 2), 0, "case %d: outputs differ without a dot array", t);
    st->cases++;
    st->outputs += (long)no;
    st->residual += pairs == 2;
    st->multibit += bits > 1;
    st->zero_in += mode == 0;
    st->one_in += mode == 1;
    st->depthwise += dw;
    st->grouped += grouped && !dw;
    st->mult += mult;
    free(d1);
    free(d2);
    bnn_tensor_free(o1);
    bnn_tensor_free(o2);
    bnn_tensor_free(o3);
    bnn_tensor_free(in);
    bnn_tensor_free(sc);
    ti_conv_free(&c);
}

/* 4 x 350 random layers, 4 seeds (the tests run in parallel). */
static void random_layers(uint64_t seed, int count, int odd, int grouped)
{
    bnn_rng r;
    tu_seed sd = tu_seed_of(grouped == 2 ? "prop/mult_layers" : grouped ? "prop/grouped_layers" : "prop/random_layers",
                            seed);
    bnn_rng_seed(&r, sd.seed);
    layer_stats st = {0};
    for (int t = 0; t < count; t++)
        random_layer_case(&r, t, &st, odd, grouped);
    if (grouped == 2) /* all but the all-zero inputs (about a tenth) see their multiplicities */
        cr_assert(st.mult == count && st.mult_differs > count * 3 / 4, "%ld of %ld cases changed by the "
                  "multiplicities [%s]", st.mult_differs, st.mult, sd.note);
    if (grouped == 1)
        cr_assert(st.depthwise > count / 5 && st.grouped > count / 3, "depthwise %ld grouped %ld [%s]", st.depthwise,
                  st.grouped, sd.note);
    /* the generator really covers what it claims */
    cr_assert_eq(st.cases, count, "[%s]", sd.note);
    cr_assert(st.residual > count / 5 && st.multibit > count / 5, "residual %ld multibit %ld [%s]", st.residual,
              st.multibit, sd.note);
    cr_assert(st.zero_in > count / 20 && st.one_in > count / 20, "zero %ld one %ld [%s]", st.zero_in, st.one_in,
              sd.note);
    cr_assert(st.ones > st.outputs / 10 && st.ones < st.outputs * 9 / 10, "%ld ones of %ld outputs [%s]", st.ones,
              st.outputs, sd.note);
}

Test(prop, random_layers_seed1, .timeout = 60) { random_layers(1, 350, 0, 0); }
Test(prop, random_layers_seed2, .timeout = 60) { random_layers(2, 350, 0, 0); }
Test(prop, random_layers_seed3, .timeout = 60) { random_layers(3, 350, 0, 0); }
Test(prop, random_layers_seed4, .timeout = 60) { random_layers(4, 350, 0, 0); }
Test(prop, random_odd_kernels, .timeout = 60) { random_layers(5, 300, 1, 0); }
/* grouped and depthwise convs: naive == packed == direct sum */
Test(prop, grouped_layers_seed1, .timeout = 60) { random_layers(11, 300, 0, 1); }
Test(prop, grouped_layers_seed2, .timeout = 60) { random_layers(12, 300, 0, 1); }
/* multiplicities (multi-value weights): naive (each element m[c] times) ==
 * packed (the conv over the channel copies) == direct sum of m[c] * a * w */
Test(prop, mult_layers_seed1, .timeout = 60) { random_layers(21, 300, 0, 2); }
Test(prop, mult_layers_odd, .timeout = 60) { random_layers(22, 200, 1, 2); }

/* Wide channels on larger images (more than one packed band, many words). */
Test(prop, wide_layers, .timeout = 60)
{
    bnn_rng r;
    tu_seed sd = tu_seed_of("prop/wide_layers", 99);
    bnn_rng_seed(&r, sd.seed);
    /* rows of more than one word, and a 1x60 kernel on 70 columns (a field
     * of more than 57 bits across words) */
    const struct { int in_c, out_c, h, w, kh, kw, s, bits, groups; } k[] = {
        {200, 8, 40, 40, 3, 3, 1, 1, 1}, {64, 16, 64, 64, 3, 3, 2, 1, 1}, {3, 16, 70, 70, 3, 3, 1, 8, 1},
        {130, 5, 33, 33, 1, 1, 1, 1, 1}, {7, 3, 66, 66, 3, 3, 1, 5, 1}, {1, 4, 3, 70, 1, 60, 1, 1, 1},
        {2, 4, 5, 66, 3, 60, 2, 3, 1},
        /* grouped: depthwise on a large image (several bands), groups of many words, 8-bit depthwise */
        {64, 64, 72, 72, 3, 3, 1, 1, 64}, {200, 8, 40, 40, 3, 3, 2, 1, 4}, {3, 6, 70, 70, 3, 3, 1, 8, 3}};
    for (size_t t = 0; t < sizeof k / sizeof k[0]; t++) {
        bnn_conv c = ti_gconv(k[t].in_c, k[t].out_c, k[t].h, k[t].w, k[t].kh, k[t].kw, k[t].s, k[t].kh / 2,
                              k[t].kw / 2, k[t].bits, 1, k[t].groups);
        for (int o = 0; o < c.out_c; o++)
            for (int i = 0; i < c.wt.cols; i++)
                bnn_bits_set(&c.wt, o, i, (int)(bnn_rng_u64(&r) & 1));
        bnn_tensor *in = bnn_tensor_new(c.in_c, c.in_h, c.in_w, c.in_bits);
        for (size_t i = 0; i < ti_numel(in); i++)
            in->v[i] = (uint16_t)(bnn_rng_u64(&r) & ((1u << c.in_bits) - 1u));
        size_t no = (size_t)c.out_c * (size_t)c.out_h * (size_t)c.out_w;
        bnn_tensor *o1 = bnn_tensor_new(c.out_c, c.out_h, c.out_w, 1), *o2 = bnn_tensor_new(c.out_c, c.out_h, c.out_w, 1);
        int32_t *d1 = calloc(no, 4), *d2 = calloc(no, 4);
        bnn_error err;
        cr_assert_eq(bnn_conv_forward(&c, in, NULL, o1, d1, BNN_NAIVE, &err), 0, "%s", err.msg);
        cr_assert_eq(bnn_conv_forward(&c, in, NULL, o2, d2, BNN_FAST, &err), 0, "%s", err.msg);
        cr_assert_eq(memcmp(d1, d2, no * 4), 0, "case %zu: dots differ [%s]", t, sd.note);
        cr_assert_eq(memcmp(o1->v, o2->v, no * 2), 0, "case %zu: outputs differ [%s]", t, sd.note);
        free(d1);
        free(d2);
        bnn_tensor_free(o1);
        bnn_tensor_free(o2);
        bnn_tensor_free(in);
        ti_conv_free(&c);
    }
}

/* FC dots (SE, classifier): naive == fast == signed sum, values up to 21 bits. */
Test(prop, fc_dots, .timeout = 60)
{
    bnn_rng r;
    tu_seed sd = tu_seed_of("prop/fc_dots", 77);
    bnn_rng_seed(&r, sd.seed);
    uint32_t a[700];
    for (int t = 0; t < 3000; t++) {
        int n = bnn_rng_range(&r, 1, 700), bits = bnn_rng_range(&r, 1, 21);
        bnn_bits w;
        cr_assert_eq(bnn_bits_alloc(&w, 2, n), 0);
        int64_t want = 0;
        for (int i = 0; i < n; i++) {
            a[i] = (uint32_t)bnn_rng_range(&r, 0, (1 << bits) - 1);
            int b = (int)(bnn_rng_u64(&r) & 1);
            bnn_bits_set(&w, 1, i, b);
            want += b ? (int64_t)a[i] : -(int64_t)a[i];
        }
        cr_assert_eq(bnn_fc_dot_naive(a, n, bits, &w, 1), want, "case %d [%s]", t, sd.note);
        cr_assert_eq(bnn_fc_dot_fast(a, n, bits, &w, 1), want, "case %d [%s]", t, sd.note);
        if (bits <= 16) {
            uint16_t a16[700];
            for (int i = 0; i < n; i++)
                a16[i] = (uint16_t)a[i];
            cr_assert_eq(bnn_dot_naive(a16, n, bits, &w, 1), want, "case %d", t);
        }
        free(w.w);
    }
}

static void random_image(bnn_tensor *img, uint64_t seed)
{
    bnn_rng r;
    bnn_rng_seed(&r, seed);
    for (size_t i = 0; i < ti_numel(img); i++)
        img->v[i] = (uint16_t)(bnn_rng_range(&r, 0, 3) ? bnn_rng_range(&r, 0, 255) : 0);
}

static void same_trace(const bnn_model *m, const bnn_trace *a, const bnn_trace *b, const char *what)
{
    for (int i = 0; i <= m->n_layers; i++) {
        const bnn_tensor *x = a->act[i], *y = b->act[i];
        cr_assert_eq(x == NULL, y == NULL);
        if (x)
            cr_assert_eq(memcmp(x->v, y->v, ti_numel(x) * 2), 0, "%s: input of layer %d", what, i);
        if (i == m->n_layers)
            break;
        const bnn_layer *l = &m->layers[i];
        if (l->type == BNN_CONV) {
            const bnn_conv *c = &l->u.conv;
            cr_assert_eq(memcmp(a->dot[i], b->dot[i], 4 * (size_t)c->out_c * (size_t)c->out_h * (size_t)c->out_w), 0,
                         "%s: dots of %s", what, l->name);
        } else if (l->type == BNN_SE) {
            size_t c = (size_t)l->u.se.c * 4, hd = (size_t)l->u.se.hidden * 4;
            cr_assert(!memcmp(a->se_q[i], b->se_q[i], c) && !memcmp(a->se_dot1[i], b->se_dot1[i], hd) &&
                          !memcmp(a->se_h[i], b->se_h[i], hd) && !memcmp(a->se_dot2[i], b->se_dot2[i], c) &&
                          !memcmp(a->se_g[i], b->se_g[i], c),
                      "%s: SE %s", what, l->name);
        }
    }
    size_t k = (size_t)m->classes;
    cr_assert(!memcmp(a->cls_q, b->cls_q, 4 * (size_t)m->layers[m->n_layers - 1].u.cls.in_c) &&
                  !memcmp(a->logits, b->logits, 4 * k) && !memcmp(a->scores, b->scores, sizeof(float) * k),
              "%s: classifier", what);
    cr_assert_eq(a->pred, b->pred, "%s: prediction", what);
}

/* Whole random ResNets (depth 14 / 20, SE on / off, 28x28x1 / 32x32x3):
 * every field of the trace agrees between the implementations, and a trace
 * reused for a second image equals a fresh one. */
Test(prop, whole_networks, .timeout = 60)
{
    const struct { int depth, se, c, h, width, dw, groups, bneck; } cfg[] = {
        {14, 1, 1, 28, 16, 0, 0, 0}, {14, 0, 1, 28, 16, 0, 0, 0}, {20, 1, 3, 32, 8, 0, 0, 0}, {20, 0, 3, 32, 8, 0, 0, 0},
        {14, 1, 3, 32, 8, 0, 0, 0}, {20, 1, 1, 28, 8, 0, 0, 0}, {8, 1, 1, 12, 4, 0, 0, 0},
        /* depthwise-separable and grouped networks */
        {14, 1, 1, 28, 16, 1, 0, 0}, {8, 0, 3, 13, 6, 1, 0, 0}, {14, 1, 1, 20, 8, 0, 4, 0}, {8, 0, 3, 12, 6, 0, 3, 0},
        /* bottleneck networks */
        {14, 1, 1, 28, 32, 0, 0, 1}, {8, 0, 3, 15, 12, 0, 0, 1},
        /* multiplicities (groups = -1: the option mult): plain, SE, depthwise-separable, bottleneck */
        {14, 0, 1, 28, 16, 0, -1, 0}, {14, 1, 3, 16, 8, 0, -1, 0}, {8, 1, 1, 12, 6, 1, -1, 0},
        {8, 0, 1, 15, 16, 0, -1, 1}};
    long gated = 0, gates = 0;
    const uint64_t base = tu_seed_of("prop/whole_networks", 0).seed;   /* 0 without SPARSECIM_SEED */
    for (size_t k = 0; k < sizeof cfg / sizeof cfg[0]; k++)
        for (int seed = 0; seed < 2; seed++) {
            bnn_random_opts o = {.depth = cfg[k].depth, .width = cfg[k].width, .se = cfg[k].se, .in_c = cfg[k].c,
                                 .in_h = cfg[k].h, .in_w = cfg[k].h, .classes = 10,
                                 .seed = base + (uint64_t)(k * 10 + seed), .depthwise = cfg[k].dw,
                                 .groups = cfg[k].groups > 0 ? cfg[k].groups : 0, .mult = cfg[k].groups < 0,
                                 .bottleneck = cfg[k].bneck};
            bnn_model *m;
            bnn_error err;
            cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
            if (o.mult)
                cr_assert_eq(bnn_model_file_version(m), BNN_VERSION_MULT, "config %zu: no multiplicities", k);
            bnn_tensor *img = bnn_tensor_new(o.in_c, o.in_h, o.in_w, 8), *img2 = bnn_tensor_new(o.in_c, o.in_h, o.in_w, 8);
            random_image(img, base + (uint64_t)seed + 100);
            random_image(img2, base + (uint64_t)seed + 200);
            bnn_trace *a = bnn_trace_new(m), *b = bnn_trace_new(m), *c = bnn_trace_new(m);
            cr_assert_eq(bnn_forward(m, img, BNN_NAIVE, a, &err), 0, "%s", err.msg);
            cr_assert_eq(bnn_forward(m, img2, BNN_FAST, b, &err), 0, "%s", err.msg); /* b reused below */
            cr_assert_eq(bnn_forward(m, img, BNN_FAST, b, &err), 0, "%s", err.msg);
            same_trace(m, a, b, "naive vs fast");
            cr_assert_eq(bnn_forward(m, img2, BNN_NAIVE, a, &err), 0, "%s", err.msg);
            cr_assert_eq(bnn_forward(m, img2, BNN_FAST, c, &err), 0, "%s", err.msg);
            same_trace(m, a, c, "naive vs fast, second image");
            /* SE: a gated-off channel is zero in the SE output, others pass */
            for (int i = 0; i < m->n_layers; i++) {
                if (m->layers[i].type != BNN_SE)
                    continue;
                const bnn_tensor *in = c->act[i], *out = c->act[i + 1];
                size_t hw = (size_t)in->h * (size_t)in->w;
                for (int ch = 0; ch < in->c; ch++) {
                    gates++;
                    gated += c->se_g[i][ch] == 0;
                    for (size_t p = 0; p < hw; p++)
                        cr_assert_eq(out->v[(size_t)ch * hw + p], c->se_g[i][ch] ? in->v[(size_t)ch * hw + p] : 0);
                }
            }
            bnn_trace_free(a);
            bnn_trace_free(b);
            bnn_trace_free(c);
            bnn_tensor_free(img);
            bnn_tensor_free(img2);
            bnn_model_free(m);
        }
    cr_assert(gated > 0 && gated < gates, "%ld of %ld gates off", gated, gates);
}

/* All-zero segments counted directly from the tensor (element by element,
 * per output pixel and plane), to check the packed count of bnn_stats; a
 * grouped conv's rows are per group (each group is its own array job). */
static void direct_segments(const bnn_conv *cv, const bnn_tensor *in, int seg, uint64_t *zero, uint64_t *total)
{
    const int groups = cv->groups > 1 ? cv->groups : 1;
    int kk = cv->k_h * cv->k_w, n = cv->in_c / groups * kk;
    /* multiplicities: the rows are every channel once, then the channels
     * with m >= 2 again, ... (written out here, not bnn_conv_copy_order) */
    int chan[BNN_MAX_MULT * 256], nc = 0;
    cr_assert(cv->in_c <= 256);
    for (int r = 1; r <= BNN_MAX_MULT; r++)
        for (int c = 0; c < cv->in_c / groups; c++)
            if ((cv->mult ? cv->mult[c] : 1) >= r)
                chan[nc++] = c;
    n = nc * kk;
    for (int g = 0; g < groups; g++)
    for (int y = 0; y < cv->out_h; y++)
        for (int x = 0; x < cv->out_w; x++)
            for (int k = 0; k < cv->in_bits; k++)
                for (int r0 = 0; r0 < n; r0 += seg) {
                    int any = 0;
                    for (int i = r0; i < n && i < r0 + seg; i++) {
                        int c = g * (cv->in_c / groups) + chan[i / kk], t = i % kk;
                        int iy = y * cv->stride + t / cv->k_w - cv->pad_h;
                        int ix = x * cv->stride + t % cv->k_w - cv->pad_w;
                        if (iy >= 0 && iy < in->h && ix >= 0 && ix < in->w)
                            any |= (bnn_at(in, c, iy, ix) >> k) & 1;
                    }
                    *zero += !any;
                    (*total)++;
                }
}

Test(prop, segment_statistics, .timeout = 60)
{
    const int segs[] = {16, 1, 5, 64, 100, 16, 3, 8};
    for (int k = 0; k < 8; k++) {
        bnn_random_opts o = {.depth = 14, .width = 8, .se = 1, .in_c = 1 + k % 3, .in_h = 16, .in_w = 12,
                             .classes = 10, .seed = (uint64_t)k, .depthwise = k >= 5 && k < 7,
                             .groups = k == 7 ? 2 : 0, .mult = k == 1 || k == 4 || k == 6};
        bnn_model *m;
        bnn_error err;
        cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
        bnn_stats *st = bnn_stats_new(m, segs[k]);
        bnn_trace *tr = bnn_trace_new(m);
        bnn_tensor *img = bnn_tensor_new(o.in_c, o.in_h, o.in_w, 8);
        uint64_t *zero = calloc((size_t)m->n_layers, 8), *total = calloc((size_t)m->n_layers, 8);
        for (int im = 0; im < 3; im++) {
            random_image(img, (uint64_t)(k * 10 + im));
            cr_assert_eq(bnn_forward(m, img, BNN_FAST, tr, &err), 0, "%s", err.msg);
            cr_assert_eq(bnn_stats_add(st, m, tr, im % 10), 0);
            for (int i = 0; i < m->n_layers; i++)
                if (m->layers[i].type == BNN_CONV)
                    direct_segments(&m->layers[i].u.conv, tr->act[i], segs[k], &zero[i], &total[i]);
        }
        for (int i = 0; i < m->n_layers; i++) {
            cr_assert_eq(st->seg_zero[i], zero[i], "seg %d layer %s", segs[k], m->layers[i].name);
            cr_assert_eq(st->seg_total[i], total[i], "seg %d layer %s", segs[k], m->layers[i].name);
        }
        cr_assert_eq(st->images, 3);
        free(zero);
        free(total);
        bnn_tensor_free(img);
        bnn_trace_free(tr);
        bnn_stats_free(st);
        bnn_model_free(m);
    }
}

/*
 * test_infer_util.h - helpers for the reference-model tests: hand-built conv
 * layers, random fills, and an independent direct dot (sum a_i * w_i over
 * the spec's index formula) to check both implementations against.
 */
#ifndef SPARSECIM_TEST_INFER_UTIL_H
#define SPARSECIM_TEST_INFER_UTIL_H

#include <criterion/criterion.h>
#include <stdlib.h>

#include "infer/bnn_infer.h"
#include "model/bnn_model.h"
#include "model/bnn_rng.h"

/* A conv layer of `groups` groups with zeroed weights / thresholds; pairs 2 = residual. */
static inline bnn_conv ti_gconv(int in_c, int out_c, int h, int w, int kh, int kw, int s, int ph, int pw, int bits,
                                int pairs, int groups)
{
    bnn_conv c = {.in_c = in_c, .out_c = out_c, .in_h = h, .in_w = w, .k_h = kh, .k_w = kw, .stride = s,
                  .pad_h = ph, .pad_w = pw, .in_bits = bits, .shortcut = pairs == 2 ? 0 : -1, .groups = groups};
    c.out_h = (h + 2 * ph - kh) / s + 1;
    c.out_w = (w + 2 * pw - kw) / s + 1;
    cr_assert_eq(bnn_bits_alloc(&c.wt, out_c, in_c / groups * kh * kw), 0);
    cr_assert_eq(bnn_thresh_alloc(&c.th, out_c, pairs), 0);
    return c;
}

static inline bnn_conv ti_conv(int in_c, int out_c, int h, int w, int kh, int kw, int s, int ph, int pw, int bits,
                               int pairs)
{
    return ti_gconv(in_c, out_c, h, w, kh, kw, s, ph, pw, bits, pairs, 1);
}

static inline void ti_conv_free(bnn_conv *c)
{
    free(c->wt.w);
    free(c->th.neg);
    free(c->th.t);
    free(c->mult);
    c->mult = NULL;
}

static inline size_t ti_numel(const bnn_tensor *t)
{
    return (size_t)t->c * (size_t)t->h * (size_t)t->w;
}

/* The dot of output (o, y, x) straight from docs/SPEC.md section 2 as a
 * signed sum (no bit planes, no packing): an independent third answer.
 * Groups: output o of group g = o / (out_c/groups) sums over input channels
 * g*(in_c/groups) + c, c < in_c/groups, with weight index c*k*k + tap.
 * Multiplicities: each term times mult[c] (the effective weight m*w). */
static inline long ti_direct_dot(const bnn_conv *cv, const bnn_tensor *in, int o, int y, int x)
{
    long s = 0;
    const int groups = cv->groups > 1 ? cv->groups : 1, cpg = cv->in_c / groups;
    const int c0 = o / (cv->out_c / groups) * cpg;
    for (int c = 0; c < cpg; c++)
        for (int ky = 0; ky < cv->k_h; ky++)
            for (int kx = 0; kx < cv->k_w; kx++) {
                int iy = y * cv->stride + ky - cv->pad_h, ix = x * cv->stride + kx - cv->pad_w;
                if (iy < 0 || iy >= in->h || ix < 0 || ix >= in->w)
                    continue;
                int i = c * cv->k_h * cv->k_w + ky * cv->k_w + kx;
                long a = bnn_at(in, c0 + c, iy, ix) * (long)(cv->mult ? cv->mult[c0 + c] : 1);
                s += bnn_bits_get(&cv->wt, o, i) ? a : -a;
            }
    return s;
}

#endif

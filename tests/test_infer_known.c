/*
 * test_infer_known.c - the reference model on hand-computed examples
 * (docs/SPEC.md sections 1-2), each run through both implementations,
 * and bad arguments rejected with a message.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "infer/bnn_infer.h"
#include "infer/bnn_kernels.h"
#include "model/bnn_model.h"
#include "model/bnn_rng.h"
#include "infer/bnn_stats.h"
#include "test_infer_util.h"

static bnn_bits row_bits(const int *w, int n)
{
    bnn_bits b;
    cr_assert_eq(bnn_bits_alloc(&b, 1, n), 0);
    for (int i = 0; i < n; i++)
        bnn_bits_set(&b, 0, i, w[i] > 0);
    return b;
}

static int32_t fc_both(const uint32_t *a, int n, int bits, const bnn_bits *w)
{
    int64_t d1 = bnn_fc_dot_naive(a, n, bits, w, 0), d2 = bnn_fc_dot_fast(a, n, bits, w, 0);
    cr_assert_eq(d1, d2, "fc dot: naive %lld, fast %lld", (long long)d1, (long long)d2);
    return (int32_t)d1;
}

Test(known, dot_2p_minus_x)
{
    uint16_t a[6] = {1, 1, 0, 1, 0, 1};
    uint32_t a32[6] = {1, 1, 0, 1, 0, 1};
    int w[6] = {+1, -1, +1, +1, -1, +1};
    bnn_bits b = row_bits(w, 6);
    /* P = popcount(a AND b) = #{0, 3, 5} = 3, X = 4: dot = 2*3 - 4 = 2 = 1 - 1 + 1 + 1 */
    cr_assert_eq(bnn_dot_naive(a, 6, 1, &b, 0), 2);
    cr_assert_eq(fc_both(a32, 6, 1, &b), 2);
    /* all-zero input: P = X = 0 whatever the weights */
    memset(a, 0, sizeof a);
    cr_assert_eq(bnn_dot_naive(a, 6, 1, &b, 0), 0);
    free(b.w);
}

Test(known, bit_planes_msb_first)
{
    /* a = {5, 6}, w = {+1, -1}, 3 planes:
     * k=2: a_2 = {1,1}: P=1 X=2 -> 0;  acc = 0
     * k=1: a_1 = {0,1}: P=0 X=1 -> -1; acc = 2*0 - 1 = -1
     * k=0: a_0 = {1,0}: P=1 X=1 -> 1;  acc = 2*(-1) + 1 = -1 = 5 - 6 */
    uint16_t a[2] = {5, 6};
    uint32_t a32[2] = {5, 6};
    int w[2] = {+1, -1};
    bnn_bits b = row_bits(w, 2);
    cr_assert_eq(bnn_dot_naive(a, 2, 3, &b, 0), -1);
    cr_assert_eq(fc_both(a32, 2, 3, &b), -1);
    free(b.w);
    /* 8-bit pixels: the planes sum to sum a_i * w_i */
    uint16_t p[3] = {200, 3, 255};
    uint32_t p32[3] = {200, 3, 255};
    int w3[3] = {+1, -1, +1};
    b = row_bits(w3, 3);
    cr_assert_eq(bnn_dot_naive(p, 3, 8, &b, 0), 200 - 3 + 255);
    cr_assert_eq(fc_both(p32, 3, 8, &b), 452);
    free(b.w);
    /* counts wider than 16 bits (squeeze of a 256x256 channel) */
    uint32_t q[2] = {65536, 70000};
    int wq[2] = {-1, +1};
    b = row_bits(wq, 2);
    cr_assert_eq(fc_both(q, 2, 17, &b), 70000 - 65536);
    free(b.w);
}

Test(known, threshold_sign_and_residual_pair)
{
    bnn_thresh t;
    cr_assert_eq(bnn_thresh_alloc(&t, 1, 1), 0);
    t.neg[0] = 1; /* s = -1: out = (-dot >= -5) = (dot <= 5) */
    t.t[0] = -5;
    cr_assert_eq(bnn_thresh_apply(&t, 0, 4, 0), 1);
    cr_assert_eq(bnn_thresh_apply(&t, 0, 5, 0), 1);
    cr_assert_eq(bnn_thresh_apply(&t, 0, 6, 0), 0);
    cr_assert_eq(bnn_thresh_apply(&t, 0, INT32_MIN + 1, 0), 1);
    free(t.neg);
    free(t.t);
    cr_assert_eq(bnn_thresh_alloc(&t, 1, 2), 0);
    t.t[0] = 3; /* T0: shortcut bit 0 */
    t.t[1] = 1; /* T1: shortcut bit 1 */
    cr_assert_eq(bnn_thresh_apply(&t, 0, 2, 0), 0);
    cr_assert_eq(bnn_thresh_apply(&t, 0, 2, 1), 1);
    cr_assert_eq(bnn_thresh_apply(&t, 0, 3, 0), 1);
    cr_assert_eq(bnn_thresh_apply(&t, 0, 0, 1), 0);
    free(t.neg);
    free(t.t);
}

/* 2x2 8-bit image [[10, 20], [30, 40]], 3x3 kernel pad 1, weights +1 but
 * the centre -1: every pixel sees the whole image, its own value negated. */
Test(known, conv_8bit_by_hand)
{
    const int32_t want[4] = {100 - 20, 100 - 40, 100 - 60, 100 - 80};
    for (int impl = 0; impl < 2; impl++)
        for (int neg = 0; neg < 2; neg++) {
            bnn_conv c = ti_conv(1, 1, 2, 2, 3, 3, 1, 1, 1, 8, 1);
            for (int i = 0; i < 9; i++)
                bnn_bits_set(&c.wt, 0, i, i != 4);
            c.th.neg[0] = (uint8_t)neg;
            c.th.t[0] = neg ? -60 : 60; /* dot >= 60, or -dot >= -60 i.e. dot <= 60 (pixel 1 is on the edge) */
            bnn_tensor *in = bnn_tensor_new(1, 2, 2, 8), *out = bnn_tensor_new(1, 2, 2, 1);
            const uint16_t px[4] = {10, 20, 30, 40};
            memcpy(in->v, px, sizeof px);
            int32_t dot[4];
            bnn_error err;
            cr_assert_eq(bnn_conv_forward(&c, in, NULL, out, dot, (bnn_impl)impl, &err), 0, "%s", err.msg);
            for (int p = 0; p < 4; p++) {
                cr_assert_eq(dot[p], want[p], "impl %d pixel %d: dot %d, want %d", impl, p, dot[p], want[p]);
                cr_assert_eq(out->v[p], neg ? want[p] <= 60 : want[p] >= 60);
            }
            bnn_tensor_free(in);
            bnn_tensor_free(out);
            ti_conv_free(&c);
        }
}

/* Weight bit i must meet input element i of the canonical channel-major
 * order i = c*k_h*k_w + ky*k_w + kx: a one-hot input at that element and a
 * weight row that is +1 only at i give dot +1 at that pixel. */
Test(known, canonical_channel_major_order)
{
    for (int impl = 0; impl < 2; impl++) {
        bnn_conv c = ti_conv(3, 1, 4, 5, 3, 3, 1, 1, 1, 1, 1);
        int n = c.wt.cols;
        bnn_tensor *in = bnn_tensor_new(3, 4, 5, 1), *out = bnn_tensor_new(1, 4, 5, 1);
        int32_t dot[20];
        bnn_error err;
        int checked = 0;
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 5; x++)
                for (int i = 0; i < n; i++) {
                    int ch = i / 9, ky = i % 9 / 3, kx = i % 3;
                    int iy = y + ky - 1, ix = x + kx - 1;
                    if (iy < 0 || iy >= 4 || ix < 0 || ix >= 5)
                        continue; /* a padded tap */
                    memset(in->v, 0, 60 * sizeof *in->v);
                    in->v[(ch * 4 + iy) * 5 + ix] = 1;
                    memset(c.wt.w, 0, (size_t)c.wt.words * sizeof *c.wt.w);
                    bnn_bits_set(&c.wt, 0, i, 1);
                    cr_assert_eq(bnn_conv_forward(&c, in, NULL, out, dot, (bnn_impl)impl, &err), 0);
                    cr_assert_eq(dot[y * 5 + x], 1, "impl %d pixel (%d,%d) index %d", impl, y, x, i);
                    checked++;
                }
        cr_assert_eq(checked, 3 * (2 + 3 + 3 + 2) * (2 + 3 + 3 + 3 + 2)); /* valid taps per row x per column */
        bnn_tensor_free(in);
        bnn_tensor_free(out);
        ti_conv_free(&c);
    }
}

Test(known, padding_1x3_and_3x1)
{
    for (int impl = 0; impl < 2; impl++)
        for (int vert = 0; vert < 2; vert++) {
            bnn_conv c = vert ? ti_conv(1, 1, 3, 1, 3, 1, 1, 1, 0, 1, 1) : ti_conv(1, 1, 1, 3, 1, 3, 1, 0, 1, 1, 1);
            cr_assert_eq(c.out_h * c.out_w, 3);
            for (int i = 0; i < 3; i++)
                bnn_bits_set(&c.wt, 0, i, 1);
            bnn_tensor *in = bnn_tensor_new(1, vert ? 3 : 1, vert ? 1 : 3, 1);
            for (int i = 0; i < 3; i++)
                in->v[i] = 1;
            bnn_tensor *out = bnn_tensor_new(1, c.out_h, c.out_w, 1);
            int32_t dot[3];
            bnn_error err;
            cr_assert_eq(bnn_conv_forward(&c, in, NULL, out, dot, (bnn_impl)impl, &err), 0, "%s", err.msg);
            /* the ends see one padded (zero) tap */
            cr_assert_eq(dot[0], 2);
            cr_assert_eq(dot[1], 3);
            cr_assert_eq(dot[2], 2);
            bnn_tensor_free(in);
            bnn_tensor_free(out);
            ti_conv_free(&c);
        }
}

/* A depthwise 3x3 conv (groups = 2 = in_c = out_c, pad 1) on a 2x3x3
 * binary image, computed by hand: output 0 sees only channel 0 (an X of
 * ones) with weights +1 but the centre -1, output 1 only channel 1 (its top
 * row of ones) with the kernel's top row +1, the rest -1.
 *   out 0, pixel (y, x): ones around it minus the centre:
 *     corners see their own 1 (-1) and the centre (+1): 0; edges see three
 *     ones: 3; the centre sees the four corners minus itself: 3
 *   out 1: at y = 0 the kernel's middle row (-1) lies on the row of ones
 *     (2, 3, 2 of them at x = 0, 1, 2), at y = 1 its top row (+1), at y = 2
 *     nothing. An ordinary conv would add the other channel's taps. */
Test(known, depthwise_3x3_by_hand)
{
    const uint16_t img[18] = {1, 0, 1, 0, 1, 0, 1, 0, 1, /* channel 0 */ 1, 1, 1, 0, 0, 0, 0, 0, 0};
    const int32_t want[18] = {0, 3, 0, 3, 3, 3, 0, 3, 0, /* out 1 */ -2, -3, -2, 2, 3, 2, 0, 0, 0};
    /* out 0: dot >= 3; out 1: s = -1, T = -1 (dot <= 1) */
    const uint16_t bits[18] = {0, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1};
    for (int impl = 0; impl < 2; impl++) {
        bnn_conv c = ti_gconv(2, 2, 3, 3, 3, 3, 1, 1, 1, 1, 1, 2);
        cr_assert_eq(c.wt.cols, 9);
        for (int i = 0; i < 9; i++) {
            bnn_bits_set(&c.wt, 0, i, i != 4);
            bnn_bits_set(&c.wt, 1, i, i < 3);
        }
        c.th.t[0] = 3;
        c.th.neg[1] = 1;
        c.th.t[1] = -1;
        bnn_tensor *in = bnn_tensor_new(2, 3, 3, 1), *out = bnn_tensor_new(2, 3, 3, 1);
        memcpy(in->v, img, sizeof img);
        int32_t dot[18];
        bnn_error err;
        cr_assert_eq(bnn_conv_forward(&c, in, NULL, out, dot, (bnn_impl)impl, &err), 0, "%s", err.msg);
        for (int k = 0; k < 18; k++) {
            cr_assert_eq(dot[k], want[k], "impl %d out %d pixel %d: dot %d, want %d", impl, k / 9, k % 9, dot[k],
                         want[k]);
            cr_assert_eq(out->v[k], bits[k], "impl %d out %d pixel %d", impl, k / 9, k % 9);
        }
        bnn_tensor_free(in);
        bnn_tensor_free(out);
        ti_conv_free(&c);
    }
}

/* Groups of several channels: a 1x1 conv 4 -> 4 in 2 groups on one pixel
 * (a = 1, 0, 1, 1): outputs 0, 1 see channels 0, 1 and outputs 2, 3
 * channels 2, 3, each a 2-element dot of its own weight row. */
Test(known, grouped_1x1_by_hand)
{
    const uint16_t a[4] = {1, 0, 1, 1};
    /* weight rows (2 bits each, in the group's channel order) and the dots:
     *   o0 (+1, +1) on (1, 0): 1     o1 (-1, +1) on (1, 0): -1
     *   o2 (+1, -1) on (1, 1): 0     o3 (-1, -1) on (1, 1): -2 */
    const int w[4][2] = {{1, 1}, {0, 1}, {1, 0}, {0, 0}};
    const int32_t want[4] = {1, -1, 0, -2};
    for (int impl = 0; impl < 2; impl++) {
        bnn_conv c = ti_gconv(4, 4, 1, 1, 1, 1, 1, 0, 0, 1, 1, 2);
        cr_assert_eq(c.wt.cols, 2);
        for (int o = 0; o < 4; o++)
            for (int i = 0; i < 2; i++)
                bnn_bits_set(&c.wt, o, i, w[o][i]);
        bnn_tensor *in = bnn_tensor_new(4, 1, 1, 1), *out = bnn_tensor_new(4, 1, 1, 1);
        memcpy(in->v, a, sizeof a);
        int32_t dot[4];
        bnn_error err;
        cr_assert_eq(bnn_conv_forward(&c, in, NULL, out, dot, (bnn_impl)impl, &err), 0, "%s", err.msg);
        for (int o = 0; o < 4; o++)
            cr_assert_eq(dot[o], want[o], "impl %d out %d: dot %d, want %d", impl, o, dot[o], want[o]);
        /* groups that do not divide the channels are refused */
        c.groups = 3;
        cr_assert_neq(bnn_conv_forward(&c, in, NULL, out, dot, (bnn_impl)impl, &err), 0);
        cr_assert(strstr(err.msg, "3 groups do not divide 4 input and 4 output channels") != NULL, "%s", err.msg);
        bnn_tensor_free(in);
        bnn_tensor_free(out);
        ti_conv_free(&c);
    }
}

Test(known, stride2_output_sizes)
{
    struct { int h, w, kh, kw, ph, pw, oh, ow; } k[] = {
        {7, 7, 3, 3, 1, 1, 4, 4}, {28, 28, 3, 3, 1, 1, 14, 14}, {4, 4, 1, 1, 0, 0, 2, 2},
        {5, 4, 3, 1, 1, 0, 3, 2}, {1, 6, 1, 3, 0, 1, 1, 3}, {2, 2, 3, 3, 1, 1, 1, 1}};
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        bnn_conv c = ti_conv(2, 2, k[i].h, k[i].w, k[i].kh, k[i].kw, 2, k[i].ph, k[i].pw, 1, 1);
        cr_assert_eq(c.out_h, k[i].oh, "case %zu", i);
        cr_assert_eq(c.out_w, k[i].ow, "case %zu", i);
        bnn_tensor *in = bnn_tensor_new(2, k[i].h, k[i].w, 1), *out = bnn_tensor_new(2, k[i].oh, k[i].ow, 1);
        bnn_error err;
        for (int impl = 0; impl < 2; impl++)
            cr_assert_eq(bnn_conv_forward(&c, in, NULL, out, NULL, (bnn_impl)impl, &err), 0, "%s", err.msg);
        bnn_tensor_free(in);
        bnn_tensor_free(out);
        ti_conv_free(&c);
    }
}

/* Option A: 1x1 conv with stride 2 whose thresholds make the output the
 * shortcut bit (T0 never met, T1 always): the output is the block input
 * subsampled, and the channels beyond it are 0. Also a 7x7 -> 4x4 case. */
Test(known, option_a_shortcut)
{
    for (int impl = 0; impl < 2; impl++)
        for (int odd = 0; odd < 2; odd++) {
            int h = odd ? 7 : 4, oh = odd ? 4 : 2;
            bnn_conv c = ti_conv(2, 3, h, h, odd ? 3 : 1, odd ? 3 : 1, 2, odd, odd, 1, 2);
            cr_assert_eq(c.out_h, oh);
            for (int o = 0; o < 3; o++) {
                c.th.t[2 * o] = 1000;
                c.th.t[2 * o + 1] = -1000;
            }
            bnn_tensor *in = bnn_tensor_new(2, h, h, 1);
            bnn_rng r;
            bnn_rng_seed(&r, 4);
            for (size_t i = 0; i < ti_numel(in); i++)
                in->v[i] = (uint16_t)(bnn_rng_u64(&r) & 1);
            bnn_tensor *out = bnn_tensor_new(3, oh, oh, 1);
            bnn_error err;
            cr_assert_eq(bnn_conv_forward(&c, in, in, out, NULL, (bnn_impl)impl, &err), 0, "%s", err.msg);
            for (int o = 0; o < 3; o++)
                for (int y = 0; y < oh; y++)
                    for (int x = 0; x < oh; x++)
                        cr_assert_eq(bnn_at(out, o, y, x), o < 2 ? bnn_at(in, o, 2 * y, 2 * x) : 0,
                                     "impl %d h %d (%d,%d,%d)", impl, h, o, y, x);
            bnn_tensor_free(in);
            bnn_tensor_free(out);
            ti_conv_free(&c);
        }
}

/* The shortcut bit picks T0 or T1 at the same dot: dot 0 everywhere (zero
 * input), T0 = 1 (not met), T1 = 0 (met) except a negative-sign channel. */
Test(known, residual_threshold_picked_by_shortcut_bit)
{
    for (int impl = 0; impl < 2; impl++) {
        bnn_conv c = ti_conv(2, 2, 3, 3, 3, 3, 1, 1, 1, 1, 2);
        c.th.t[0] = 1;
        c.th.t[1] = 0;
        c.th.neg[1] = 1; /* channel 1: -0 >= T: T0 = 0 met, T1 = 1 not met */
        c.th.t[2] = 0;
        c.th.t[3] = 1;
        bnn_tensor *in = bnn_tensor_new(2, 3, 3, 1), *sc = bnn_tensor_new(2, 3, 3, 1);
        for (int i = 0; i < 18; i++)
            sc->v[i] = (uint16_t)(i % 4 == 1);
        bnn_tensor *out = bnn_tensor_new(2, 3, 3, 1);
        bnn_error err;
        cr_assert_eq(bnn_conv_forward(&c, in, sc, out, NULL, (bnn_impl)impl, &err), 0, "%s", err.msg);
        for (int i = 0; i < 18; i++)
            cr_assert_eq(out->v[i], i < 9 ? sc->v[i] : !sc->v[i], "impl %d element %d", impl, i);
        bnn_tensor_free(in);
        bnn_tensor_free(sc);
        bnn_tensor_free(out);
        ti_conv_free(&c);
    }
}

/* A hand-made model: SE(2 channels, hidden 1) then a 2-class classifier. */
static bnn_model *se_model(float scale1, float bias1)
{
    bnn_model *m = calloc(1, sizeof *m);
    m->in_c = 2;
    m->in_h = 2;
    m->in_w = 2;
    m->in_bits = 1;
    m->classes = 2;
    m->n_layers = 2;
    m->layers = calloc(2, sizeof *m->layers);
    bnn_se *se = &m->layers[0].u.se;
    m->layers[0].type = BNN_SE;
    se->c = 2;
    se->hidden = 1;
    cr_assert_eq(bnn_bits_alloc(&se->fc1, 1, 2), 0);
    bnn_bits_set(&se->fc1, 0, 0, 1); /* w1 = [+1, -1] */
    cr_assert_eq(bnn_thresh_alloc(&se->th1, 1, 1), 0);
    se->th1.t[0] = 2;
    cr_assert_eq(bnn_bits_alloc(&se->fc2, 2, 1), 0);
    bnn_bits_set(&se->fc2, 0, 0, 1); /* w2 = [+1], [-1] */
    cr_assert_eq(bnn_thresh_alloc(&se->th2, 2, 1), 0);
    bnn_classifier *cl = &m->layers[1].u.cls;
    m->layers[1].type = BNN_CLASSIFIER;
    cl->in_c = 2;
    cl->classes = 2;
    cr_assert_eq(bnn_bits_alloc(&cl->wt, 2, 2), 0);
    bnn_bits_set(&cl->wt, 0, 0, 1);
    bnn_bits_set(&cl->wt, 0, 1, 1); /* class 0: [+1, +1] */
    bnn_bits_set(&cl->wt, 1, 1, 1); /* class 1: [-1, +1] */
    cl->scale = calloc(2, sizeof(float));
    cl->bias = calloc(2, sizeof(float));
    cl->scale[0] = 1.0f;
    cl->scale[1] = scale1;
    cl->bias[1] = bias1;
    bnn_error err;
    cr_assert_eq(bnn_model_validate(m, &err), 0, "%s", err.msg);
    return m;
}

Test(known, se_gates_by_hand)
{
    for (int impl = 0; impl < 2; impl++) {
        bnn_model *m = se_model(1.0f, 7.0f);
        bnn_tensor *img = bnn_tensor_new(2, 2, 2, 1);
        const uint16_t px[8] = {1, 1, 0, 1, /* channel 0: 3 ones */ 0, 1, 0, 0 /* channel 1: 1 one */};
        memcpy(img->v, px, sizeof px);
        bnn_trace *tr = bnn_trace_new(m);
        bnn_error err;
        cr_assert_eq(bnn_forward(m, img, (bnn_impl)impl, tr, &err), 0, "%s", err.msg);
        cr_assert_eq(m->layers[0].u.se.q_bits, 3); /* bitlen(4) */
        cr_assert_eq(tr->se_q[0][0], 3);
        cr_assert_eq(tr->se_q[0][1], 1);
        cr_assert_eq(tr->se_dot1[0][0], 2); /* 3 - 1 */
        cr_assert_eq(tr->se_h[0][0], 1);    /* 2 >= 2 */
        cr_assert_eq(tr->se_dot2[0][0], 1); /* h * (+1) */
        cr_assert_eq(tr->se_dot2[0][1], -1);
        cr_assert_eq(tr->se_g[0][0], 1);    /* 1 >= 0 */
        cr_assert_eq(tr->se_g[0][1], 0);    /* -1 < 0: channel 1 switched off */
        const bnn_tensor *o = tr->act[1];   /* out = in AND g */
        cr_assert_eq(memcmp(o->v, px, 4 * sizeof px[0]), 0);
        for (int i = 4; i < 8; i++)
            cr_assert_eq(o->v[i], 0);
        bnn_trace_free(tr);
        bnn_model_free(m);
        bnn_tensor_free(img);
    }
}

Test(known, classifier_scores_and_ties)
{
    const uint16_t px[8] = {1, 1, 0, 1, 0, 1, 0, 0};
    for (int impl = 0; impl < 2; impl++) {
        /* after the SE above, pooled counts q = {3, 0}: logits 3 and -3 */
        struct { float scale1, bias1; int pred; } k[] = {
            {1.0f, 7.0f, 1},   /* 3 < -3 + 7 = 4 */
            {1.0f, 6.0f, 0},   /* 3 == 3: the lowest index wins */
            {-1.0f, 0.0f, 0},  /* 3 > 3.0? no: 3 == (-3)(-1) = 3, tie again */
            {-1.0f, 0.5f, 1},  /* 3 < 3.5 */
            {0.1f, 2.95f, 0},  /* float rounding: see below */
        };
        for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
            bnn_model *m = se_model(k[i].scale1, k[i].bias1);
            bnn_tensor *img = bnn_tensor_new(2, 2, 2, 1);
            memcpy(img->v, px, sizeof px);
            bnn_trace *tr = bnn_trace_new(m);
            bnn_error err;
            cr_assert_eq(bnn_forward(m, img, (bnn_impl)impl, tr, &err), 0, "%s", err.msg);
            cr_assert_eq(tr->cls_q[0], 3);
            cr_assert_eq(tr->cls_q[1], 0);
            cr_assert_eq(tr->logits[0], 3);
            cr_assert_eq(tr->logits[1], -3);
            /* score = one float multiply, then one float add (no FMA) */
            volatile float prod = -3.0f * k[i].scale1;
            volatile float want = prod + k[i].bias1;
            cr_assert_eq(memcmp(&tr->scores[1], (const void *)&want, sizeof want), 0, "case %zu: %.9g vs %.9g", i,
                         (double)tr->scores[1], (double)want);
            cr_assert_float_eq(tr->scores[0], 3.0f, 0);
            int pred = tr->scores[1] > tr->scores[0] ? 1 : 0;
            if (i < 4)
                cr_assert_eq(pred, k[i].pred, "case %zu", i);
            cr_assert_eq(tr->pred, pred, "case %zu: pred %d", i, tr->pred);
            bnn_trace_free(tr);
            bnn_tensor_free(img);
            bnn_model_free(m);
        }
    }
}

/* A classifier straight on a 1x256x256 binary image: pooled counts of 17
 * bits (more than a uint16 holds). */
Test(known, counts_wider_than_16_bits)
{
    bnn_model *m = calloc(1, sizeof *m);
    *m = (bnn_model){.in_c = 1, .in_h = 256, .in_w = 256, .in_bits = 1, .classes = 2, .n_layers = 1};
    m->layers = calloc(1, sizeof *m->layers);
    m->layers[0].type = BNN_CLASSIFIER;
    bnn_classifier *cl = &m->layers[0].u.cls;
    cl->in_c = 1;
    cl->classes = 2;
    cr_assert_eq(bnn_bits_alloc(&cl->wt, 2, 1), 0);
    bnn_bits_set(&cl->wt, 1, 0, 1); /* class 0: -1, class 1: +1 */
    cl->scale = calloc(2, sizeof(float));
    cl->bias = calloc(2, sizeof(float));
    cl->scale[0] = cl->scale[1] = 1.0f;
    bnn_error err;
    cr_assert_eq(bnn_model_validate(m, &err), 0, "%s", err.msg);
    cr_assert_eq(cl->q_bits, 17);
    bnn_tensor *img = bnn_tensor_new(1, 256, 256, 1);
    for (size_t i = 0; i < ti_numel(img); i++)
        img->v[i] = 1;
    for (int impl = 0; impl < 2; impl++) {
        bnn_trace *tr = bnn_trace_new(m);
        cr_assert_eq(bnn_forward(m, img, (bnn_impl)impl, tr, &err), 0, "%s", err.msg);
        cr_assert_eq(tr->cls_q[0], 65536);
        cr_assert_eq(tr->logits[0], -65536);
        cr_assert_eq(tr->logits[1], 65536);
        cr_assert_eq(tr->pred, 1);
        bnn_trace_free(tr);
    }
    bnn_tensor_free(img);
    bnn_model_free(m);
}

static void expect_conv_error(const bnn_conv *c, const bnn_tensor *in, const bnn_tensor *sc, bnn_tensor *out,
                              const char *needle)
{
    for (int impl = 0; impl < 2; impl++) {
        bnn_error err = {{0}};
        cr_assert_neq(bnn_conv_forward(c, in, sc, out, NULL, (bnn_impl)impl, &err), 0, "accepted: %s", needle);
        cr_assert(strstr(err.msg, needle), "message '%s' lacks '%s'", err.msg, needle);
    }
}

Test(bad, conv_arguments_rejected)
{
    bnn_conv c = ti_conv(2, 3, 4, 4, 3, 3, 1, 1, 1, 2, 1);
    bnn_tensor *in = bnn_tensor_new(2, 4, 4, 2), *out = bnn_tensor_new(3, 4, 4, 1);
    bnn_tensor *wrong = bnn_tensor_new(3, 4, 4, 2), *sc = bnn_tensor_new(2, 4, 4, 1);
    bnn_tensor *wrong_out = bnn_tensor_new(3, 4, 3, 1);
    expect_conv_error(&c, wrong, NULL, out, "tensors 3x4x4 -> 3x4x4 do not match the layer 2x4x4 -> 3x4x4");
    expect_conv_error(&c, in, NULL, wrong_out, "do not match the layer");
    expect_conv_error(&c, in, sc, out, "shortcut tensor for a layer with one threshold");
    in->v[17] = 4; /* 3 bits in a 2-bit layer */
    expect_conv_error(&c, in, NULL, out, "input element 17 is 4, more than 2 bits");
    in->v[17] = 3;
    c.out_h = 3;
    expect_conv_error(&c, in, NULL, out, "bad geometry");
    ti_conv_free(&c);
    /* residual layer: no shortcut, or one that does not fit option A */
    c = ti_conv(2, 3, 4, 4, 3, 3, 1, 1, 1, 1, 2);
    bnn_tensor *in1 = bnn_tensor_new(2, 4, 4, 1);
    expect_conv_error(&c, in1, NULL, out, "no shortcut tensor");
    bnn_tensor *big = bnn_tensor_new(4, 4, 4, 1), *far = bnn_tensor_new(2, 12, 12, 1);
    expect_conv_error(&c, in1, big, out, "does not fit output 3x4x4 by option A");
    expect_conv_error(&c, in1, far, out, "by option A");
    ti_conv_free(&c);
    /* weights that do not match the layer */
    c = ti_conv(2, 3, 4, 4, 3, 3, 1, 1, 1, 1, 1);
    c.wt.cols = 17;
    expect_conv_error(&c, in1, NULL, out, "weights");
    c.wt.cols = 18;
    ti_conv_free(&c);
    bnn_tensor_free(in);
    bnn_tensor_free(in1);
    bnn_tensor_free(out);
    bnn_tensor_free(wrong);
    bnn_tensor_free(wrong_out);
    bnn_tensor_free(sc);
    bnn_tensor_free(big);
    bnn_tensor_free(far);
}

/* n * (2^bits - 1) beyond int32: rejected before any work. */
Test(bad, conv_dot_range_rejected)
{
    bnn_conv c = ti_conv(140, 1, 255, 255, 255, 255, 1, 0, 0, 8, 1); /* 9.1M inputs x 255 */
    bnn_tensor *in = bnn_tensor_new(140, 255, 255, 8), *out = bnn_tensor_new(1, 1, 1, 1);
    cr_assert_not_null(in);
    expect_conv_error(&c, in, NULL, out, "can overflow an int32 dot");
    bnn_tensor_free(in);
    bnn_tensor_free(out);
    ti_conv_free(&c);
}

Test(bad, forward_image_rejected)
{
    bnn_model *m = se_model(1.0f, 0.0f);
    bnn_trace *tr = bnn_trace_new(m);
    bnn_tensor *img = bnn_tensor_new(2, 2, 3, 1);
    bnn_error err;
    cr_assert_neq(bnn_forward(m, img, BNN_FAST, tr, &err), 0);
    cr_assert(strstr(err.msg, "image 2x2x3 does not match the model input 2x2x2"), "%s", err.msg);
    bnn_tensor_free(img);
    img = bnn_tensor_new(2, 2, 2, 1);
    img->v[5] = 2;
    cr_assert_neq(bnn_forward(m, img, BNN_NAIVE, tr, &err), 0);
    cr_assert(strstr(err.msg, "image element 5 is 2, more than the model's 1 input bits"), "%s", err.msg);
    bnn_tensor_free(img);
    bnn_trace_free(tr);
    bnn_model_free(m);
}

/* One pixel of value 5 (planes 0 and 2) at (1,1) of a 4x4 image, 3x3 conv
 * with pad 1, 9 rows cut into segments of 4 (rows 0-3, 4-7, 8): the 9
 * output pixels whose window holds (1,1) have one non-zero segment on each
 * of those 2 planes; 16 pixels x 8 planes x 3 segments in all. */
Test(known, segment_zero_fraction)
{
    bnn_random_opts o = {.depth = 8, .width = 4, .se = 0, .in_c = 1, .in_h = 4, .in_w = 4, .classes = 3, .seed = 5};
    bnn_model *m;
    bnn_error err;
    cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
    bnn_stats *st = bnn_stats_new(m, 4);
    bnn_trace *tr = bnn_trace_new(m);
    bnn_tensor *img = bnn_tensor_new(1, 4, 4, 8);
    img->v[1 * 4 + 1] = 5;
    cr_assert_eq(bnn_forward(m, img, BNN_FAST, tr, &err), 0, "%s", err.msg);
    cr_assert_eq(bnn_stats_add(st, m, tr, 0), 0);
    cr_assert_eq(st->seg_total[0], 16 * 8 * 3);
    cr_assert_eq(st->seg_zero[0], 16 * 8 * 3 - 9 * 2);
    cr_assert_eq(st->in_zero[0], 15);
    cr_assert_eq(st->in_total[0], 16);
    bnn_tensor_free(img);
    bnn_trace_free(tr);
    bnn_stats_free(st);
    bnn_model_free(m);
}

/* Multiplicities (docs/SPEC.md section 2): a 1x1 conv of 2 channels on one
 * pixel, m = {3, 1}: channel 0 counts three times. 8-bit a = {200, 3},
 * w = {-1, +1}: dot = 3*(-200) + 3 = -597; binary a = {1, 1}, w = {+1, -1},
 * m = {2, 1}: dot = 2 - 1 = 1 (2P - X = 2*2 - 3). Both implementations. */
static int32_t mult_dot(const uint8_t *m, const uint16_t *a, const int *w, int bits)
{
    int32_t d[2];
    for (int impl = 0; impl < 2; impl++) {
        bnn_conv c = ti_conv(2, 1, 1, 1, 1, 1, 1, 0, 0, bits, 1);
        c.mult = malloc(2);
        memcpy(c.mult, m, 2);
        for (int i = 0; i < 2; i++)
            bnn_bits_set(&c.wt, 0, i, w[i] > 0);
        bnn_tensor *in = bnn_tensor_new(2, 1, 1, bits), *out = bnn_tensor_new(1, 1, 1, 1);
        in->v[0] = a[0];
        in->v[1] = a[1];
        bnn_error err;
        cr_assert_eq(bnn_conv_forward(&c, in, NULL, out, &d[impl], impl ? BNN_FAST : BNN_NAIVE, &err), 0, "%s",
                     err.msg);
        bnn_tensor_free(in);
        bnn_tensor_free(out);
        ti_conv_free(&c);
    }
    cr_assert_eq(d[0], d[1], "naive %d, fast %d", d[0], d[1]);
    return d[0];
}

Test(known, multiplicities)
{
    cr_assert_eq(mult_dot((const uint8_t[]){3, 1}, (const uint16_t[]){200, 3}, (const int[]){-1, +1}, 8), -597);
    cr_assert_eq(mult_dot((const uint8_t[]){2, 1}, (const uint16_t[]){1, 1}, (const int[]){+1, -1}, 1), 1);
    cr_assert_eq(mult_dot((const uint8_t[]){1, 4}, (const uint16_t[]){1, 1}, (const int[]){+1, -1}, 1), -3);
    /* a grouped conv with multiplicities is refused with a message */
    bnn_conv c = ti_gconv(2, 2, 1, 1, 1, 1, 1, 0, 0, 1, 1, 2);
    c.mult = malloc(2);
    c.mult[0] = 2;
    c.mult[1] = 1;
    bnn_tensor *in = bnn_tensor_new(2, 1, 1, 1), *out = bnn_tensor_new(2, 1, 1, 1);
    bnn_error err;
    cr_assert_neq(bnn_conv_forward(&c, in, NULL, out, NULL, BNN_FAST, &err), 0);
    cr_assert(strstr(err.msg, "multiplicity 2 of channel 0 on a grouped conv"), "%s", err.msg);
    bnn_tensor_free(in);
    bnn_tensor_free(out);
    ti_conv_free(&c);
}

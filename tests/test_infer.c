/* test_infer.c - reference model: known answers, naive vs packed properties. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "bnn_infer.h"
#include "bnn_model.h"
#include "bnn_rng.h"

static bnn_bits row_bits(const int *w, int n)
{
    bnn_bits b;
    cr_assert_eq(bnn_bits_alloc(&b, 1, n), 0);
    for (int i = 0; i < n; i++)
        bnn_bits_set(&b, 0, i, w[i] > 0);
    return b;
}

Test(known, dot_2p_minus_x)
{
    uint16_t a[4] = {1, 1, 0, 1};
    int w[4] = {+1, -1, +1, +1};
    bnn_bits b = row_bits(w, 4);
    /* P = popcount(a AND b) = 2, X = 3: dot = 2*2 - 3 = 1 = 1 - 1 + 0 + 1 */
    cr_assert_eq(bnn_dot_naive(a, 4, 1, &b, 0), 1);
    free(b.w);
}

Test(known, bit_planes)
{
    uint16_t a[3] = {200, 3, 255};
    int w[3] = {+1, -1, +1};
    bnn_bits b = row_bits(w, 3);
    cr_assert_eq(bnn_dot_naive(a, 3, 8, &b, 0), 200 - 3 + 255);
    free(b.w);
}

Test(known, thresholds_sign_and_residual)
{
    bnn_thresh t;
    cr_assert_eq(bnn_thresh_alloc(&t, 1, 1), 0);
    t.neg[0] = 1;
    t.t[0] = -5;
    cr_assert_eq(bnn_thresh_apply(&t, 0, 4, 0), 1);  /* -4 >= -5 */
    cr_assert_eq(bnn_thresh_apply(&t, 0, 5, 0), 1);  /* -5 >= -5 */
    cr_assert_eq(bnn_thresh_apply(&t, 0, 6, 0), 0);  /* -6 <  -5 */
    free(t.neg);
    free(t.t);
    cr_assert_eq(bnn_thresh_alloc(&t, 1, 2), 0);
    t.t[0] = 3; /* shortcut bit 0 */
    t.t[1] = 1; /* shortcut bit 1 */
    cr_assert_eq(bnn_thresh_apply(&t, 0, 2, 0), 0);
    cr_assert_eq(bnn_thresh_apply(&t, 0, 2, 1), 1);
    cr_assert_eq(bnn_thresh_apply(&t, 0, 3, 0), 1);
    free(t.neg);
    free(t.t);
}

static bnn_conv make_conv(int in_c, int out_c, int h, int w, int kh, int kw, int s, int ph, int pw, int bits, int pairs)
{
    bnn_conv c = {.in_c = in_c, .out_c = out_c, .in_h = h, .in_w = w, .k_h = kh, .k_w = kw, .stride = s,
                  .pad_h = ph, .pad_w = pw, .in_bits = bits, .shortcut = pairs == 2 ? 0 : -1};
    c.out_h = (h + 2 * ph - kh) / s + 1;
    c.out_w = (w + 2 * pw - kw) / s + 1;
    cr_assert_eq(bnn_bits_alloc(&c.wt, out_c, in_c * kh * kw), 0);
    cr_assert_eq(bnn_thresh_alloc(&c.th, out_c, pairs), 0);
    return c;
}

static void free_conv(bnn_conv *c)
{
    free(c->wt.w);
    free(c->th.neg);
    free(c->th.t);
}

Test(known, padding_1x3_and_3x1)
{
    for (int impl = 0; impl < 2; impl++)
        for (int vert = 0; vert < 2; vert++) {
            bnn_conv c = vert ? make_conv(1, 1, 3, 1, 3, 1, 1, 1, 0, 1, 1) : make_conv(1, 1, 1, 3, 1, 3, 1, 0, 1, 1, 1);
            for (int i = 0; i < 3; i++)
                bnn_bits_set(&c.wt, 0, i, 1);
            bnn_tensor *in = bnn_tensor_new(1, vert ? 3 : 1, vert ? 1 : 3, 1);
            for (int i = 0; i < 3; i++)
                in->v[i] = 1;
            bnn_tensor *out = bnn_tensor_new(1, c.out_h, c.out_w, 1);
            int32_t dot[3];
            bnn_error err;
            cr_assert_eq(bnn_conv_forward(&c, in, NULL, out, dot, (bnn_impl)impl, &err), 0);
            cr_assert_eq(dot[0], 2);
            cr_assert_eq(dot[1], 3);
            cr_assert_eq(dot[2], 2);
            bnn_tensor_free(in);
            bnn_tensor_free(out);
            free_conv(&c);
        }
}

Test(known, stride2_size_and_option_a)
{
    for (int impl = 0; impl < 2; impl++) {
        /* 1x1 conv, stride 2, 2 -> 3 channels, 4x4 -> 2x2; thresholds make the
         * output equal the shortcut bit: T0 never met, T1 always met */
        bnn_conv c = make_conv(2, 3, 4, 4, 1, 1, 2, 0, 0, 1, 2);
        cr_assert_eq(c.out_h, 2);
        for (int o = 0; o < 3; o++) {
            c.th.t[2 * o] = 1000;
            c.th.t[2 * o + 1] = -1000;
        }
        bnn_tensor *in = bnn_tensor_new(2, 4, 4, 1);
        bnn_rng r;
        bnn_rng_seed(&r, 4);
        for (int i = 0; i < 32; i++)
            in->v[i] = (uint16_t)(bnn_rng_u64(&r) & 1);
        bnn_tensor *out = bnn_tensor_new(3, 2, 2, 1);
        bnn_error err;
        cr_assert_eq(bnn_conv_forward(&c, in, in, out, NULL, (bnn_impl)impl, &err), 0);
        for (int o = 0; o < 3; o++)
            for (int y = 0; y < 2; y++)
                for (int x = 0; x < 2; x++)
                    cr_assert_eq(bnn_at(out, o, y, x), o < 2 ? bnn_at(in, o, 2 * y, 2 * x) : 0);
        /* the 7x7 -> 4x4 case of ResNet stages: k3 pad1 stride2 */
        bnn_conv d = make_conv(1, 1, 7, 7, 3, 3, 2, 1, 1, 1, 1);
        cr_assert_eq(d.out_h, 4);
        cr_assert_eq(d.out_w, 4);
        free_conv(&d);
        bnn_tensor_free(in);
        bnn_tensor_free(out);
        free_conv(&c);
    }
}

/* A hand-made model: SE(2 channels, hidden 1) then a 2-class classifier. */
static bnn_model *se_model(float bias1)
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
    bnn_bits_alloc(&se->fc1, 1, 2);
    bnn_bits_set(&se->fc1, 0, 0, 1); /* w1 = [+1, -1] */
    bnn_thresh_alloc(&se->th1, 1, 1);
    se->th1.t[0] = 2;
    bnn_bits_alloc(&se->fc2, 2, 1);
    bnn_bits_set(&se->fc2, 0, 0, 1); /* w2 = [+1], [-1] */
    bnn_thresh_alloc(&se->th2, 2, 1);
    bnn_classifier *cl = &m->layers[1].u.cls;
    m->layers[1].type = BNN_CLASSIFIER;
    cl->in_c = 2;
    cl->classes = 2;
    bnn_bits_alloc(&cl->wt, 2, 2);
    bnn_bits_set(&cl->wt, 0, 0, 1);
    bnn_bits_set(&cl->wt, 0, 1, 1); /* class 0: [+1, +1] */
    bnn_bits_set(&cl->wt, 1, 1, 1); /* class 1: [-1, +1] */
    cl->scale = calloc(2, sizeof(float));
    cl->bias = calloc(2, sizeof(float));
    cl->scale[0] = 1.0f;
    cl->scale[1] = 1.0f;
    cl->bias[1] = bias1;
    bnn_error err;
    cr_assert_eq(bnn_model_validate(m, &err), 0, "%s", err.msg);
    return m;
}

Test(known, se_gates_and_classifier)
{
    for (int impl = 0; impl < 2; impl++) {
        bnn_model *m = se_model(7.0f);
        bnn_tensor *img = bnn_tensor_new(2, 2, 2, 1);
        uint16_t px[8] = {1, 1, 0, 1, /* channel 0: 3 ones */ 0, 1, 0, 0 /* channel 1: 1 one */};
        memcpy(img->v, px, sizeof px);
        bnn_trace *tr = bnn_trace_new(m);
        bnn_error err;
        cr_assert_eq(bnn_forward(m, img, (bnn_impl)impl, tr, &err), 0, "%s", err.msg);
        cr_assert_eq(tr->se_q[0][0], 3);
        cr_assert_eq(tr->se_q[0][1], 1);
        cr_assert_eq(tr->se_dot1[0][0], 2); /* 3 - 1 */
        cr_assert_eq(tr->se_h[0][0], 1);    /* 2 >= 2 */
        cr_assert_eq(tr->se_dot2[0][0], 1);
        cr_assert_eq(tr->se_dot2[0][1], -1);
        cr_assert_eq(tr->se_g[0][0], 1);
        cr_assert_eq(tr->se_g[0][1], 0);    /* channel 1 switched off */
        cr_assert_eq(tr->cls_q[0], 3);
        cr_assert_eq(tr->cls_q[1], 0);
        cr_assert_eq(tr->logits[0], 3);
        cr_assert_eq(tr->logits[1], -3);
        cr_assert_float_eq(tr->scores[1], 4.0f, 0);
        cr_assert_eq(tr->pred, 1);          /* 3 < -3 + 7 */
        bnn_trace_free(tr);
        bnn_model_free(m);
        m = se_model(6.0f);                 /* scores tie 3 == 3: lowest index wins */
        tr = bnn_trace_new(m);
        cr_assert_eq(bnn_forward(m, img, (bnn_impl)impl, tr, &err), 0);
        cr_assert_eq(tr->pred, 0);
        bnn_trace_free(tr);
        bnn_model_free(m);
        bnn_tensor_free(img);
    }
}

/* ---- properties: naive == fast ---- */

Test(prop, naive_equals_fast_1200_random_layers, .timeout = 120)
{
    bnn_rng r;
    bnn_rng_seed(&r, 2024);
    const int kern[4][2] = {{1, 1}, {1, 3}, {3, 1}, {3, 3}};
    for (int t = 0; t < 1200; t++) {
        int kk = bnn_rng_range(&r, 0, 3);
        int kh = kern[kk][0], kw = kern[kk][1];
        int in_c = bnn_rng_range(&r, 0, 3) ? bnn_rng_range(&r, 1, 40) : bnn_rng_range(&r, 41, 200);
        int out_c = bnn_rng_range(&r, 1, t % 10 ? 24 : 100);
        int s = bnn_rng_range(&r, 1, 2);
        int h = bnn_rng_range(&r, kh, 12), w = bnn_rng_range(&r, kw, 12);
        int bits = bnn_rng_range(&r, 0, 2) ? 1 : bnn_rng_range(&r, 2, 8);
        int pairs = bits == 1 && bnn_rng_range(&r, 0, 1) ? 2 : 1;
        bnn_conv c = make_conv(in_c, out_c, h, w, kh, kw, s, kh / 2, kw / 2, bits, pairs);
        for (int o = 0; o < out_c; o++) {
            for (int i = 0; i < c.wt.cols; i++)
                bnn_bits_set(&c.wt, o, i, (int)(bnn_rng_u64(&r) & 1));
            c.th.neg[o] = (uint8_t)(bnn_rng_range(&r, 0, 3) == 0);
            for (int p = 0; p < pairs; p++)
                c.th.t[o * pairs + p] = bnn_rng_range(&r, -6, 6);
        }
        /* density: all-zero, all-one or random */
        int mode = bnn_rng_range(&r, 0, 9);
        double dens = bnn_rng_unit(&r);
        bnn_tensor *in = bnn_tensor_new(in_c, h, w, bits);
        for (size_t i = 0; i < (size_t)in_c * (size_t)h * (size_t)w; i++) {
            unsigned maxv = (1u << bits) - 1;
            in->v[i] = (uint16_t)(mode == 0 ? 0 : mode == 1 ? maxv
                                  : bnn_rng_unit(&r) < dens ? (unsigned)bnn_rng_range(&r, 1, (int)maxv) : 0);
        }
        bnn_tensor *sc = NULL;
        if (pairs == 2) {
            int sc_c = bnn_rng_range(&r, 1, out_c);
            sc = bnn_tensor_new(sc_c, c.out_h * s > h ? c.out_h * s : c.out_h * s, c.out_w * s, 1);
            for (size_t i = 0; i < (size_t)sc->c * (size_t)sc->h * (size_t)sc->w; i++)
                sc->v[i] = (uint16_t)(bnn_rng_u64(&r) & 1);
        }
        size_t no = (size_t)out_c * (size_t)c.out_h * (size_t)c.out_w;
        bnn_tensor *o1 = bnn_tensor_new(out_c, c.out_h, c.out_w, 1), *o2 = bnn_tensor_new(out_c, c.out_h, c.out_w, 1);
        int32_t *d1 = calloc(no, 4), *d2 = calloc(no, 4);
        bnn_error err;
        cr_assert_eq(bnn_conv_forward(&c, in, sc, o1, d1, BNN_NAIVE, &err), 0);
        cr_assert_eq(bnn_conv_forward(&c, in, sc, o2, d2, BNN_FAST, &err), 0);
        cr_assert_eq(memcmp(d1, d2, no * 4), 0, "case %d: dots differ (in_c %d out_c %d k %dx%d s %d bits %d)", t,
                     in_c, out_c, kh, kw, s, bits);
        cr_assert_eq(memcmp(o1->v, o2->v, no * 2), 0, "case %d: outputs differ", t);
        if (mode == 0)
            for (size_t i = 0; i < no; i++)
                cr_assert_eq(d1[i], 0, "all-zero input gives dot 0");
        free(d1);
        free(d2);
        bnn_tensor_free(o1);
        bnn_tensor_free(o2);
        bnn_tensor_free(in);
        bnn_tensor_free(sc);
        free_conv(&c);
    }
}

/* dot of the naive kernel == sum a_i * w_i computed directly (an independent formula) */
Test(prop, dot_equals_signed_sum, .timeout = 30)
{
    bnn_rng r;
    bnn_rng_seed(&r, 77);
    for (int t = 0; t < 2000; t++) {
        int n = bnn_rng_range(&r, 1, 300), bits = bnn_rng_range(&r, 1, 10);
        uint16_t a[300];
        bnn_bits w;
        bnn_bits_alloc(&w, 1, n);
        long want = 0;
        for (int i = 0; i < n; i++) {
            a[i] = (uint16_t)bnn_rng_range(&r, 0, (1 << bits) - 1);
            int b = (int)(bnn_rng_u64(&r) & 1);
            bnn_bits_set(&w, 0, i, b);
            want += b ? a[i] : -(long)a[i];
        }
        cr_assert_eq(bnn_dot_naive(a, n, bits, &w, 0), want);
        free(w.w);
    }
}

Test(prop, whole_networks_naive_equals_fast, .timeout = 120)
{
    struct { int depth, se, c, h; } cfgs[] = {{14, 1, 1, 28}, {14, 0, 1, 28}, {20, 1, 3, 32}, {20, 0, 3, 32}, {8, 1, 1, 12}};
    for (int k = 0; k < 5; k++)
        for (int seed = 0; seed < 2; seed++) {
            bnn_random_opts o = {.depth = cfgs[k].depth, .width = k == 4 ? 4 : 8, .se = cfgs[k].se, .in_c = cfgs[k].c,
                                 .in_h = cfgs[k].h, .in_w = cfgs[k].h, .classes = 10, .seed = (uint64_t)(k * 10 + seed)};
            bnn_model *m;
            bnn_error err;
            cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
            bnn_tensor *img = bnn_tensor_new(o.in_c, o.in_h, o.in_w, 8);
            bnn_rng r;
            bnn_rng_seed(&r, (uint64_t)seed + 100);
            for (size_t i = 0; i < (size_t)o.in_c * (size_t)o.in_h * (size_t)o.in_w; i++)
                img->v[i] = (uint16_t)(bnn_rng_range(&r, 0, 3) ? bnn_rng_range(&r, 0, 255) : 0);
            bnn_trace *a = bnn_trace_new(m), *b = bnn_trace_new(m);
            cr_assert_eq(bnn_forward(m, img, BNN_NAIVE, a, &err), 0, "%s", err.msg);
            cr_assert_eq(bnn_forward(m, img, BNN_FAST, b, &err), 0, "%s", err.msg);
            for (int i = 0; i < m->n_layers; i++) {
                const bnn_tensor *x = a->act[i], *y = b->act[i];
                cr_assert_eq(memcmp(x->v, y->v, (size_t)x->c * (size_t)x->h * (size_t)x->w * 2), 0, "layer %d input", i);
                if (m->layers[i].type == BNN_SE)
                    cr_assert_eq(memcmp(a->se_g[i], b->se_g[i], 4 * (size_t)m->layers[i].u.se.c), 0);
            }
            cr_assert_eq(memcmp(a->logits, b->logits, 4 * (size_t)m->classes), 0);
            cr_assert_eq(a->pred, b->pred);
            bnn_trace_free(a);
            bnn_trace_free(b);
            bnn_tensor_free(img);
            bnn_model_free(m);
        }
}

/*
 * bnn_model_random.c - the random binarized ResNet generator (docs/SPEC.md
 * section 3): conv1, 3 stages of n residual blocks (depth 6n+2), optional
 * binarized SE after every block, count-pooling classifier; optionally
 * grouped 3x3 convs or depthwise-separable blocks. Weights are
 * fair coin flips; thresholds sit near the middle of each dot's
 * distribution so that activations are non-trivial (about 20-60% ones on
 * uniform random 8-bit images, about half the SE gates on; checked by
 * tests/test_model.c). Deterministic in the seed (bnn_rng.h, no globals).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/bnn_model.h"
#include "model/bnn_model_int.h"
#include "model/bnn_rng.h"

static void random_bits(bnn_bits *b, bnn_rng *r)
{
    for (int o = 0; o < b->rows; o++)
        for (int i = 0; i < b->cols; i++)
            bnn_bits_set(b, o, i, (int)(bnn_rng_u64(r) & 1u));
}

/* Threshold near the middle of the dot's distribution: spread ~ sigma/2. */
static void random_thresh(bnn_thresh *t, bnn_rng *r, double center, double sigma, int neg_ok)
{
    for (int o = 0; o < t->n; o++) {
        t->neg[o] = neg_ok ? (bnn_rng_range(r, 0, 7) == 0) : 0;
        int spread = (int)(sigma / 2) + 1;
        int base = (int)center + bnn_rng_range(r, -spread, spread);
        if (t->pairs == 2) {
            int d = bnn_rng_range(r, 0, (int)(sigma / 2) + 1);
            t->t[2 * o] = base + d;     /* shortcut bit 0: harder */
            t->t[2 * o + 1] = base - d; /* shortcut bit 1: easier */
        } else {
            t->t[o] = base;
        }
    }
}

/* A k x k conv (pad k/2) of `groups` groups. */
static int add_conv_k(bnn_model *m, int *nl, bnn_rng *r, int in_c, int out_c, int h, int w, int k, int stride,
                      int in_bits, int shortcut, int groups)
{
    bnn_layer *l = &m->layers[(*nl)++];
    m->n_layers = *nl;
    l->type = BNN_CONV;
    bnn_conv *c = &l->u.conv;
    *c = (bnn_conv){.in_c = in_c, .out_c = out_c, .in_h = h, .in_w = w, .k_h = k, .k_w = k,
                    .stride = stride, .pad_h = k / 2, .pad_w = k / 2, .in_bits = in_bits, .shortcut = shortcut,
                    .groups = groups};
    int n = bnn_conv_n(c);
    if (bnn_bits_alloc(&c->wt, out_c, n) || bnn_thresh_alloc(&c->th, out_c, shortcut >= 0 ? 2 : 1))
        return -1;
    random_bits(&c->wt, r);
    /* 8-bit image: activations ~ half of 255 on average, dot sigma ~ sqrt(n)*150 */
    double sigma = in_bits > 1 ? 150.0 * sqrt(n) : sqrt(n * 0.5);
    random_thresh(&c->th, r, 0.0, sigma, 1);
    return 0;
}

static int add_conv(bnn_model *m, int *nl, bnn_rng *r, int in_c, int out_c, int h, int w, int stride,
                    int in_bits, int shortcut)
{
    return add_conv_k(m, nl, r, in_c, out_c, h, w, 3, stride, in_bits, shortcut, 1);
}

/* One 3x3 conv of a block as the options build it: ordinary, grouped, or
 * depthwise-separable (depthwise 3x3 with the stride, then pointwise 1x1
 * in_c -> out_c carrying the shortcut). */
static int add_block_conv(const bnn_random_opts *o, bnn_model *m, int *nl, bnn_rng *r, int in_c, int out_c, int h,
                          int w, int stride, int shortcut)
{
    if (!o->depthwise)
        return add_conv_k(m, nl, r, in_c, out_c, h, w, 3, stride, 1, shortcut, o->groups > 1 ? o->groups : 1);
    if (add_conv_k(m, nl, r, in_c, in_c, h, w, 3, stride, 1, -1, in_c))
        return -1;
    return add_conv_k(m, nl, r, in_c, out_c, (h - 1) / stride + 1, (w - 1) / stride + 1, 1, 1, 1, shortcut, 1);
}

/* A bottleneck block in_c -> out_c: 1x1 reduce to mid = max(1, out_c/4),
 * 3x3 mid -> mid with the stride, 1x1 expand to out_c with the shortcut to
 * the block input (the input of the reduce conv, layer index *nl). */
static int add_bottleneck(bnn_model *m, int *nl, bnn_rng *r, int in_c, int out_c, int h, int w, int stride)
{
    int mid = out_c / 4 > 1 ? out_c / 4 : 1, ia = *nl;
    if (add_conv_k(m, nl, r, in_c, mid, h, w, 1, 1, 1, -1, 1) ||
        add_conv_k(m, nl, r, mid, mid, h, w, 3, stride, 1, -1, 1))
        return -1;
    return add_conv_k(m, nl, r, mid, out_c, (h - 1) / stride + 1, (w - 1) / stride + 1, 1, 1, 1, ia, 1);
}

/* Multiplicities (o->mult) on every ungrouped conv (conv1 too), from their
 * own stream (the seed mixed through one splitmix step with a constant, so
 * that nearby seeds do not give shifted copies of one stream, and so that
 * the rest of the model is the one the seed makes without them): about one
 * channel in four gets 2..BNN_MAX_MULT; a conv left all 1 carries none, and
 * when every conv is left so the first one's channel 0 gets 2 (a model made
 * with multiplicities always has some: version 3). Nonzero when out of
 * memory. */
static int add_mults(bnn_model *m, uint64_t seed)
{
    bnn_rng r;
    bnn_rng_seed(&r, seed ^ 0x6d756c7469706c79u); /* "multiply" */
    bnn_rng_seed(&r, bnn_rng_u64(&r));
    int first = -1, some = 0;
    for (int i = 0; i < m->n_layers; i++) {
        bnn_conv *c = &m->layers[i].u.conv;
        if (m->layers[i].type != BNN_CONV || bnn_conv_groups(c) > 1)
            continue;
        if (first < 0)
            first = i;
        if (!(c->mult = malloc((size_t)c->in_c)))
            return 1;
        int any = 0;
        for (int ch = 0; ch < c->in_c; ch++) {
            c->mult[ch] = (uint8_t)(bnn_rng_range(&r, 0, 3) ? 1 : bnn_rng_range(&r, 2, BNN_MAX_MULT));
            any |= c->mult[ch] > 1;
        }
        some |= any;
        if (!any) {
            free(c->mult);
            c->mult = NULL;
        }
    }
    if (!some && first >= 0) {
        bnn_conv *c = &m->layers[first].u.conv;
        if (!(c->mult = malloc((size_t)c->in_c)))
            return 1;
        memset(c->mult, 1, (size_t)c->in_c);
        c->mult[0] = 2;
    }
    return 0;
}

static int add_se(bnn_model *m, int *nl, bnn_rng *r, int c, int h, int w)
{
    bnn_layer *l = &m->layers[(*nl)++];
    m->n_layers = *nl;
    l->type = BNN_SE;
    bnn_se *s = &l->u.se;
    s->c = c;
    s->hidden = c / 4 > 1 ? c / 4 : 1;
    if (bnn_bits_alloc(&s->fc1, s->hidden, c) || bnn_thresh_alloc(&s->th1, s->hidden, 1) ||
        bnn_bits_alloc(&s->fc2, c, s->hidden) || bnn_thresh_alloc(&s->th2, c, 1))
        return -1;
    random_bits(&s->fc1, r);
    random_bits(&s->fc2, r);
    /* squeeze counts ~ h*w/2 each: FC1 dot sigma ~ sqrt(c) * h*w/4 */
    random_thresh(&s->th1, r, 0.0, sqrt((double)c) * h * w / 4.0, 1);
    random_thresh(&s->th2, r, 0.0, sqrt((double)s->hidden), 1);
    return 0;
}

/* Packed weight bytes (as in the file) of the ResNet of o with n blocks per
 * stage: checked against the format's limit before anything is allocated
 * (for grouped, depthwise-separable and bottleneck blocks the ordinary
 * ResNet's bytes bound theirs: a group, a separable pair or a bottleneck
 * of C/4 holds fewer weights). */
static size_t weight_bytes(const bnn_random_opts *o, int n)
{
    size_t w = (size_t)o->width, sum = w * (((size_t)o->in_c * 9 + 7) / 8);
    for (int s = 0; s < 3; s++) {
        size_t c = w << s, cin = s ? c / 2 : w, hid = c / 4 > 1 ? c / 4 : 1;
        sum += c * ((cin * 9 + 7) / 8) + (2 * (size_t)n - 1) * c * ((c * 9 + 7) / 8);
        if (o->se)
            sum += (size_t)n * (hid * ((c + 7) / 8) + c * ((hid + 7) / 8));
    }
    return sum + (size_t)o->classes * ((4 * w + 7) / 8);
}

/* The options in range and compatible. 0 or -1. */
static int check_opts(const bnn_random_opts *o, bnn_error *err)
{
    if (o->depth < 8 || (o->depth - 2) % 6 || o->depth > 200) {
        bnn_set_err(err, "random model: depth %d is not 6n+2 (8, 14, 20, 32 ...)", o->depth);
        return -1;
    }
    if (o->width < 1 || o->width > BNN_MAX_CH / 4 || o->in_c < 1 || o->in_c > BNN_MAX_CH || o->in_h < 1 ||
        o->in_w < 1 || o->in_h > BNN_MAX_IMG || o->in_w > BNN_MAX_IMG || o->classes < 1 ||
        o->classes > BNN_MAX_CLASSES) {
        bnn_set_err(err, "random model: width %d (1..%d), input %dx%dx%d (1..%d x 1..%d x 1..%d) or classes %d (1..%d) out of range",
                    o->width, BNN_MAX_CH / 4, o->in_h, o->in_w, o->in_c, BNN_MAX_IMG, BNN_MAX_IMG, BNN_MAX_CH,
                    o->classes, BNN_MAX_CLASSES);
        return -1;
    }
    if (o->groups < 0 || (o->groups > 1 && (o->depthwise || o->bottleneck || o->width % o->groups))) {
        bnn_set_err(err, "random model: groups %d: %s", o->groups,
                    o->depthwise    ? "not with depthwise-separable blocks"
                    : o->bottleneck ? "not with bottleneck blocks"
                                    : "expected a divisor of the width");
        return -1;
    }
    if (o->mult && o->groups > 1) {
        bnn_set_err(err, "random model: multiplicities are for ungrouped convs: not with groups %d", o->groups);
        return -1;
    }
    if (o->bottleneck && o->depthwise) {
        bnn_set_err(err, "random model: bottleneck blocks are not depthwise-separable (choose one)");
        return -1;
    }
    return 0;
}

/* conv1 and the 3 stages of n blocks (SE after each block with o->se);
 * *c: the channels out. Nonzero when out of memory. */
static int add_body(const bnn_random_opts *o, bnn_model *m, int *nl, bnn_rng *r, int n, int *c)
{
    int h = o->in_h, w = o->in_w;
    *c = o->width;
    int fail = add_conv(m, nl, r, o->in_c, *c, h, w, 1, 8, -1);
    for (int s = 0; s < 3 && !fail; s++) {
        int cout = o->width << s;
        for (int b = 0; b < n && !fail; b++) {
            int stride = (s > 0 && b == 0) ? 2 : 1;
            int ia = *nl;
            if (o->bottleneck)
                fail |= add_bottleneck(m, nl, r, *c, cout, h, w, stride);
            else
                fail |= add_block_conv(o, m, nl, r, *c, cout, h, w, stride, -1);
            h = (h + 2 - 3) / stride + 1;
            w = (w + 2 - 3) / stride + 1;
            *c = cout;
            if (!o->bottleneck)
                fail |= fail ? 0 : add_block_conv(o, m, nl, r, *c, *c, h, w, 1, ia);
            if (o->se && !fail)
                fail |= add_se(m, nl, r, *c, h, w);
        }
    }
    return fail;
}

/* The binary classifier of c channels, the last layer. Nonzero when out of memory. */
static int add_classifier(bnn_model *m, int *nl, bnn_rng *r, int c, int classes)
{
    bnn_layer *l = &m->layers[(*nl)++];
    m->n_layers = *nl;
    l->type = BNN_CLASSIFIER;
    bnn_classifier *cl = &l->u.cls;
    cl->in_c = c;
    cl->classes = classes;
    cl->scale = calloc((size_t)classes, sizeof(float));
    cl->bias = calloc((size_t)classes, sizeof(float));
    if (bnn_bits_alloc(&cl->wt, classes, c) || !cl->scale || !cl->bias)
        return 1;
    random_bits(&cl->wt, r);
    for (int k = 0; k < classes; k++) {
        cl->scale[k] = (float)(0.01 + 0.1 * bnn_rng_unit(r));
        cl->bias[k] = (float)(bnn_rng_unit(r) - 0.5);
    }
    return 0;
}

int bnn_model_random(const bnn_random_opts *o, bnn_model **out, bnn_error *err)
{
    *out = NULL;
    if (check_opts(o, err))
        return -1;
    int n = (o->depth - 2) / 6;
    int max_layers = 1 + 3 * n * (o->depthwise ? 5 : o->bottleneck ? 4 : 3) + 1;
    size_t bytes = weight_bytes(o, n);
    if (bytes > BNN_MAX_WEIGHT_BYTES) {
        bnn_set_err(err, "random model: depth %d, width %d needs %zu MiB of weights, the format's limit is %u MiB",
                    o->depth, o->width, bytes >> 20, BNN_MAX_WEIGHT_BYTES >> 20);
        return -1;
    }
    bnn_model *m = calloc(1, sizeof *m);
    if (!m || !(m->layers = calloc((size_t)max_layers, sizeof *m->layers))) {
        free(m);
        bnn_set_err(err, "random model: out of memory");
        return -1;
    }
    bnn_rng r;
    bnn_rng_seed(&r, o->seed);
    m->in_c = o->in_c;
    m->in_h = o->in_h;
    m->in_w = o->in_w;
    m->in_bits = 8;
    m->classes = o->classes;
    int nl = 0, c;
    int fail = add_body(o, m, &nl, &r, n, &c);
    if (!fail)
        fail = add_classifier(m, &nl, &r, c, o->classes);
    if (!fail && o->mult)
        fail = add_mults(m, o->seed);
    if (fail) {
        bnn_model_free(m);
        bnn_set_err(err, "random model: out of memory");
        return -1;
    }
    if (bnn_model_validate(m, err)) {
        bnn_model_free(m);
        return -1;
    }
    *out = m;
    return 0;
}

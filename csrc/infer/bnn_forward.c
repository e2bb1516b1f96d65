/*
 * bnn_forward.c - a whole image through the model (docs/SPEC.md section 2):
 * conv (with the option-A residual), SE gating, count pooling, classifier,
 * plus the shape checks in front of the conv kernels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infer/bnn_infer.h"
#include "infer/bnn_kernels.h"

/* Option-A subsampling stride of shortcut tensor sc for an out_h x out_w
 * output with out_c channels: 1 or 2, 0 when it does not fit. */
static int shortcut_stride(const bnn_tensor *sc, int out_c, int out_h, int out_w)
{
    int s = (sc->h + out_h - 1) / out_h;
    if (sc->c < 1 || sc->c > out_c || s < 1 || s > 2 || (sc->w + out_w - 1) / out_w != s)
        return 0;
    return s;
}

/* 1 when some element of t is >= 2^bits (its first such index in *at). */
static int out_of_range(const bnn_tensor *t, int bits, size_t *at)
{
    size_t n = (size_t)t->c * (size_t)t->h * (size_t)t->w;
    unsigned all = 0;
    for (size_t i = 0; i < n; i++) /* an OR reduction first: it vectorizes */
        all |= t->v[i];
    if (bits >= 16 || (all >> bits) == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (t->v[i] >> bits) {
            *at = i;
            return 1;
        }
    return 0;
}

int bnn_conv_forward(const bnn_conv *cv, const bnn_tensor *in, const bnn_tensor *sc, bnn_tensor *out,
                     int32_t *dot, bnn_impl impl, bnn_error *err)
{
    const int groups = bnn_conv_groups(cv);
    if (cv->groups < 0 || cv->in_c < 1 || cv->out_c < 1 || cv->in_c % groups || cv->out_c % groups) {
        snprintf(err->msg, sizeof err->msg, "conv: %d groups do not divide %d input and %d output channels",
                 cv->groups, cv->in_c, cv->out_c);
        return -1;
    }
    for (int c = 0; cv->mult && c < cv->in_c; c++)
        if (groups > 1 || cv->mult[c] < 1 || cv->mult[c] > BNN_MAX_MULT) {
            snprintf(err->msg, sizeof err->msg, "conv: multiplicity %d of channel %d%s", cv->mult[c], c,
                     groups > 1 ? " on a grouped conv" : " out of range 1..4");
            return -1;
        }
    const int64_t n = (int64_t)bnn_conv_n(cv), rows = (int64_t)bnn_conv_rows(cv);
    if (cv->in_bits < 1 || cv->in_bits > 16 || cv->stride < 1 || cv->k_h < 1 || cv->k_w < 1 ||
        cv->pad_h < 0 || cv->pad_w < 0 || cv->out_h != (cv->in_h + 2 * cv->pad_h - cv->k_h) / cv->stride + 1 ||
        cv->out_w != (cv->in_w + 2 * cv->pad_w - cv->k_w) / cv->stride + 1 || cv->out_h < 1 || cv->out_w < 1) {
        snprintf(err->msg, sizeof err->msg, "conv: bad geometry (k %dx%d stride %d pad %d/%d, %d bits, %dx%d -> %dx%d)",
                 cv->k_h, cv->k_w, cv->stride, cv->pad_h, cv->pad_w, cv->in_bits, cv->in_h, cv->in_w, cv->out_h,
                 cv->out_w);
        return -1;
    }
    if (in->c != cv->in_c || in->h != cv->in_h || in->w != cv->in_w || out->c != cv->out_c ||
        out->h != cv->out_h || out->w != cv->out_w) {
        snprintf(err->msg, sizeof err->msg, "conv: tensors %dx%dx%d -> %dx%dx%d do not match the layer %dx%dx%d -> %dx%dx%d",
                 in->c, in->h, in->w, out->c, out->h, out->w, cv->in_c, cv->in_h, cv->in_w, cv->out_c, cv->out_h,
                 cv->out_w);
        return -1;
    }
    if (cv->wt.rows != cv->out_c || cv->wt.cols != n || cv->wt.words != (int)((n + 63) / 64) ||
        cv->th.n != cv->out_c || (cv->th.pairs != 1 && cv->th.pairs != 2)) {
        snprintf(err->msg, sizeof err->msg, "conv: weights %dx%d / thresholds %dx%d do not match %d outputs of %lld inputs",
                 cv->wt.rows, cv->wt.cols, cv->th.n, cv->th.pairs, cv->out_c, (long long)n);
        return -1;
    }
    if (rows * (int64_t)((1u << cv->in_bits) - 1u) > INT32_MAX) {
        snprintf(err->msg, sizeof err->msg, "conv: %lld inputs (with copies) of %d bits can overflow an int32 dot",
                 (long long)rows, cv->in_bits);
        return -1;
    }
    int sc_s = 0;
    if ((cv->th.pairs == 2) != (sc != NULL)) {
        snprintf(err->msg, sizeof err->msg, "conv: %s", sc ? "a shortcut tensor for a layer with one threshold per channel"
                                                           : "residual thresholds (T0/T1) but no shortcut tensor");
        return -1;
    }
    if (sc && !(sc_s = shortcut_stride(sc, cv->out_c, cv->out_h, cv->out_w))) {
        snprintf(err->msg, sizeof err->msg, "conv: shortcut %dx%dx%d does not fit output %dx%dx%d by option A",
                 sc->c, sc->h, sc->w, cv->out_c, cv->out_h, cv->out_w);
        return -1;
    }
    size_t at;
    if (out_of_range(in, cv->in_bits, &at)) {
        snprintf(err->msg, sizeof err->msg, "conv: input element %zu is %u, more than %d bits", at, in->v[at],
                 cv->in_bits);
        return -1;
    }
    int rc = impl == BNN_FAST ? bnn_conv_fast(cv, in, sc, sc_s, out, dot) : bnn_conv_naive(cv, in, sc, sc_s, out, dot);
    if (rc)
        snprintf(err->msg, sizeof err->msg, "conv: out of memory");
    return rc;
}

/* An FC dot checked against the int32 range of the trace and the RTL. */
static int fc_dot(bnn_impl impl, const uint32_t *a, int n, int bits, const bnn_bits *w, int row, int32_t *out,
                  const char *layer, const char *what, bnn_error *err)
{
    if (bits < 1 || bits > 32 || w->cols != n || row >= w->rows) {
        snprintf(err->msg, sizeof err->msg, "layer %s: %s row %d: %d inputs of %d bits do not fit weights %dx%d", layer,
                 what, row, n, bits, w->rows, w->cols);
        return -1;
    }
    int64_t d = impl == BNN_FAST ? bnn_fc_dot_fast(a, n, bits, w, row) : bnn_fc_dot_naive(a, n, bits, w, row);
    if (d < INT32_MIN || d > INT32_MAX) {
        snprintf(err->msg, sizeof err->msg, "layer %s: %s dot %d = %lld overflows int32", layer, what, row,
                 (long long)d);
        return -1;
    }
    *out = (int32_t)d;
    return 0;
}

/* Per-channel count of ones of a binary tensor into q (int32 and uint32). */
static void count_pool(const bnn_tensor *t, int32_t *q, uint32_t *q32)
{
    size_t hw = (size_t)t->h * (size_t)t->w;
    for (int c = 0; c < t->c; c++) {
        uint32_t s = 0;
        for (size_t p = 0; p < hw; p++)
            s += t->v[(size_t)c * hw + p] & 1u;
        q[c] = (int32_t)s;
        q32[c] = s;
    }
}

static int se_forward(const bnn_layer *l, const bnn_tensor *in, bnn_tensor *out, bnn_trace *tr, int li,
                      bnn_impl impl, uint32_t *a, bnn_error *err)
{
    const bnn_se *se = &l->u.se;
    count_pool(in, tr->se_q[li], a);
    for (int j = 0; j < se->hidden; j++) {
        if (fc_dot(impl, a, se->c, se->q_bits, &se->fc1, j, &tr->se_dot1[li][j], l->name, "fc1", err))
            return -1;
        tr->se_h[li][j] = bnn_thresh_apply(&se->th1, j, tr->se_dot1[li][j], 0);
    }
    for (int j = 0; j < se->hidden; j++)
        a[j] = (uint32_t)tr->se_h[li][j];
    for (int c = 0; c < se->c; c++) {
        if (fc_dot(impl, a, se->hidden, 1, &se->fc2, c, &tr->se_dot2[li][c], l->name, "fc2", err))
            return -1;
        tr->se_g[li][c] = bnn_thresh_apply(&se->th2, c, tr->se_dot2[li][c], 0);
    }
    size_t hw = (size_t)in->h * (size_t)in->w;
    for (int c = 0; c < se->c; c++) {
        uint16_t g = tr->se_g[li][c] ? 1 : 0;
        for (size_t p = 0; p < hw; p++)
            out->v[(size_t)c * hw + p] = (uint16_t)(in->v[(size_t)c * hw + p] & g);
    }
    return 0;
}

static int classifier_forward(const bnn_layer *l, const bnn_tensor *in, bnn_trace *tr, bnn_impl impl,
                              uint32_t *a, bnn_error *err)
{
    const bnn_classifier *cl = &l->u.cls;
    count_pool(in, tr->cls_q, a);
    int best = 0;
    for (int k = 0; k < cl->classes; k++) {
        if (fc_dot(impl, a, cl->in_c, cl->q_bits, &cl->wt, k, &tr->logits[k], l->name, "class", err))
            return -1;
        float s = (float)tr->logits[k] * cl->scale[k]; /* one multiply, one add: no FMA */
        tr->scores[k] = s + cl->bias[k];
        if (tr->scores[k] > tr->scores[best]) /* strict: the lowest index wins ties */
            best = k;
    }
    tr->pred = best;
    return 0;
}

/* act[i] with the given shape: the trace's tensor when it already has it. */
static bnn_tensor *act_slot(bnn_trace *tr, int i, int c, int h, int w, int bits)
{
    bnn_tensor *t = tr->act[i];
    if (t && t->c == c && t->h == h && t->w == w) {
        t->bits = bits;
        return t;
    }
    bnn_tensor_free(t);
    tr->act[i] = bnn_tensor_new(c, h, w, bits);
    return tr->act[i];
}

int bnn_forward(const bnn_model *m, const bnn_tensor *image, bnn_impl impl, bnn_trace *tr, bnn_error *err)
{
    if (image->c != m->in_c || image->h != m->in_h || image->w != m->in_w) {
        snprintf(err->msg, sizeof err->msg, "image %dx%dx%d does not match the model input %dx%dx%d",
                 image->c, image->h, image->w, m->in_c, m->in_h, m->in_w);
        return -1;
    }
    if (tr->n_layers != m->n_layers) {
        snprintf(err->msg, sizeof err->msg, "trace made for %d layers, model has %d", tr->n_layers, m->n_layers);
        return -1;
    }
    size_t at;
    if (out_of_range(image, m->in_bits, &at)) {
        snprintf(err->msg, sizeof err->msg, "image element %zu is %u, more than the model's %d input bits", at,
                 image->v[at], m->in_bits);
        return -1;
    }
    int max_c = m->in_c;
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i].type == BNN_CONV && m->layers[i].u.conv.out_c > max_c)
            max_c = m->layers[i].u.conv.out_c;
    uint32_t *a = malloc(((size_t)max_c + 1) * sizeof *a); /* squeeze / pooled counts */
    if (!a || !act_slot(tr, 0, image->c, image->h, image->w, m->in_bits))
        goto oom;
    memcpy(tr->act[0]->v, image->v, (size_t)image->c * (size_t)image->h * (size_t)image->w * sizeof *image->v);
    tr->pred = -1;
    for (int i = 0; i < m->n_layers; i++) {
        const bnn_layer *l = &m->layers[i];
        const bnn_tensor *in = tr->act[i];
        int bad = 0;
        if (l->type == BNN_CONV) {
            const bnn_conv *cv = &l->u.conv;
            bnn_tensor *out = act_slot(tr, i + 1, cv->out_c, cv->out_h, cv->out_w, 1);
            if (!out)
                goto oom;
            const bnn_tensor *sc = cv->shortcut >= 0 ? tr->act[cv->shortcut] : NULL;
            bnn_error e;
            if ((bad = bnn_conv_forward(cv, in, sc, out, tr->dot[i], impl, &e)))
                snprintf(err->msg, sizeof err->msg, "layer %s: %.440s", l->name, e.msg);
        } else if (l->type == BNN_SE) {
            bnn_tensor *out = act_slot(tr, i + 1, in->c, in->h, in->w, 1);
            if (!out)
                goto oom;
            bad = se_forward(l, in, out, tr, i, impl, a, err);
        } else {
            bnn_tensor_free(tr->act[i + 1]);
            tr->act[i + 1] = NULL;
            bad = classifier_forward(l, in, tr, impl, a, err);
        }
        if (bad) {
            free(a);
            return -1;
        }
    }
    free(a);
    return 0;
oom:
    free(a);
    snprintf(err->msg, sizeof err->msg, "forward: out of memory");
    return -1;
}

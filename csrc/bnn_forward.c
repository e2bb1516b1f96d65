/*
 * bnn_forward.c - a whole image through the model (docs/SPEC.md section 2):
 * conv (with the option-A residual), SE gating, count pooling, classifier.
 */
#include <stdio.h>
#include <string.h>

#include "bnn_infer.h"
#include "bnn_kernels.h"

int bnn_conv_forward(const bnn_conv *cv, const bnn_tensor *in, const bnn_tensor *sc, bnn_tensor *out,
                     int32_t *dot, bnn_impl impl, bnn_error *err)
{
    if (in->c != cv->in_c || in->h != cv->in_h || in->w != cv->in_w || out->c != cv->out_c ||
        out->h != cv->out_h || out->w != cv->out_w) {
        snprintf(err->msg, sizeof err->msg, "conv: tensor shapes do not match the layer");
        return -1;
    }
    int rc = impl == BNN_FAST ? bnn_conv_fast(cv, in, sc, out, dot) : bnn_conv_naive(cv, in, sc, out, dot);
    if (rc)
        snprintf(err->msg, sizeof err->msg, "conv: out of memory");
    return rc;
}

static int32_t dot_impl(bnn_impl impl, const uint16_t *a, int n, int bits, const bnn_bits *w, int row)
{
    return impl == BNN_FAST ? bnn_dot_fast(a, n, bits, w, row) : bnn_dot_naive(a, n, bits, w, row);
}

/* Per-channel count of ones of a binary tensor into q (as int32 and uint16). */
static void count_pool(const bnn_tensor *t, int32_t *q, uint16_t *q16)
{
    size_t hw = (size_t)t->h * (size_t)t->w;
    for (int c = 0; c < t->c; c++) {
        int32_t s = 0;
        for (size_t p = 0; p < hw; p++)
            s += t->v[(size_t)c * hw + p];
        q[c] = s;
        q16[c] = (uint16_t)s;
    }
}

static int se_forward(const bnn_se *se, const bnn_tensor *in, bnn_tensor *out, bnn_trace *tr, int li,
                      bnn_impl impl)
{
    uint16_t a[4096];
    count_pool(in, tr->se_q[li], a);
    for (int j = 0; j < se->hidden; j++) {
        tr->se_dot1[li][j] = dot_impl(impl, a, se->c, se->q_bits, &se->fc1, j);
        tr->se_h[li][j] = bnn_thresh_apply(&se->th1, j, tr->se_dot1[li][j], 0);
    }
    for (int j = 0; j < se->hidden; j++)
        a[j] = (uint16_t)tr->se_h[li][j];
    for (int c = 0; c < se->c; c++) {
        tr->se_dot2[li][c] = dot_impl(impl, a, se->hidden, 1, &se->fc2, c);
        tr->se_g[li][c] = bnn_thresh_apply(&se->th2, c, tr->se_dot2[li][c], 0);
    }
    size_t hw = (size_t)in->h * (size_t)in->w;
    for (int c = 0; c < se->c; c++)
        for (size_t p = 0; p < hw; p++)
            out->v[(size_t)c * hw + p] = (uint16_t)(in->v[(size_t)c * hw + p] & (tr->se_g[li][c] ? 1 : 0));
    return 0;
}

static void classifier_forward(const bnn_classifier *cl, const bnn_tensor *in, bnn_trace *tr, bnn_impl impl)
{
    uint16_t a[4096];
    count_pool(in, tr->cls_q, a);
    int best = 0;
    for (int k = 0; k < cl->classes; k++) {
        tr->logits[k] = dot_impl(impl, a, cl->in_c, cl->q_bits, &cl->wt, k);
        float s = (float)tr->logits[k] * cl->scale[k];
        tr->scores[k] = s + cl->bias[k];
        if (tr->scores[k] > tr->scores[best])
            best = k;
    }
    tr->pred = best;
}

int bnn_forward(const bnn_model *m, const bnn_tensor *image, bnn_impl impl, bnn_trace *tr, bnn_error *err)
{
    if (image->c != m->in_c || image->h != m->in_h || image->w != m->in_w) {
        snprintf(err->msg, sizeof err->msg, "image %dx%dx%d does not match the model input %dx%dx%d",
                 image->c, image->h, image->w, m->in_c, m->in_h, m->in_w);
        return -1;
    }
    for (int i = 0; i <= m->n_layers; i++) {
        bnn_tensor_free(tr->act[i]);
        tr->act[i] = NULL;
    }
    tr->act[0] = bnn_tensor_new(image->c, image->h, image->w, m->in_bits);
    if (!tr->act[0])
        goto oom;
    memcpy(tr->act[0]->v, image->v, (size_t)image->c * (size_t)image->h * (size_t)image->w * sizeof *image->v);
    for (int i = 0; i < m->n_layers; i++) {
        const bnn_layer *l = &m->layers[i];
        const bnn_tensor *in = tr->act[i];
        if (l->type == BNN_CONV) {
            const bnn_conv *cv = &l->u.conv;
            bnn_tensor *out = bnn_tensor_new(cv->out_c, cv->out_h, cv->out_w, 1);
            if (!out)
                goto oom;
            tr->act[i + 1] = out;
            const bnn_tensor *sc = cv->shortcut >= 0 ? tr->act[cv->shortcut] : NULL;
            if (bnn_conv_forward(cv, in, sc, out, tr->dot[i], impl, err))
                return -1;
        } else if (l->type == BNN_SE) {
            bnn_tensor *out = bnn_tensor_new(in->c, in->h, in->w, 1);
            if (!out)
                goto oom;
            tr->act[i + 1] = out;
            se_forward(&l->u.se, in, out, tr, i, impl);
        } else {
            classifier_forward(&l->u.cls, in, tr, impl);
        }
    }
    return 0;
oom:
    snprintf(err->msg, sizeof err->msg, "forward: out of memory");
    return -1;
}

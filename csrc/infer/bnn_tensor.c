/* bnn_tensor.c - activation tensors and per-image traces (bnn_infer.h). */
#include <stdlib.h>

#include "infer/bnn_infer.h"

bnn_tensor *bnn_tensor_new(int c, int h, int w, int bits)
{
    bnn_tensor *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->c = c;
    t->h = h;
    t->w = w;
    t->bits = bits;
    t->v = calloc((size_t)c * (size_t)h * (size_t)w + 1, sizeof *t->v);
    if (!t->v) {
        free(t);
        return NULL;
    }
    return t;
}

void bnn_tensor_free(bnn_tensor *t)
{
    if (!t)
        return;
    free(t->v);
    free(t);
}

static void free_rows(int32_t **p, int n)
{
    if (!p)
        return;
    for (int i = 0; i < n; i++)
        free(p[i]);
    free(p);
}

bnn_trace *bnn_trace_new(const bnn_model *m)
{
    bnn_trace *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    int n = m->n_layers;
    t->n_layers = n;
    t->act = calloc((size_t)n + 1, sizeof *t->act);
    t->dot = calloc((size_t)n, sizeof *t->dot);
    t->se_q = calloc((size_t)n, sizeof *t->se_q);
    t->se_h = calloc((size_t)n, sizeof *t->se_h);
    t->se_g = calloc((size_t)n, sizeof *t->se_g);
    t->se_dot1 = calloc((size_t)n, sizeof *t->se_dot1);
    t->se_dot2 = calloc((size_t)n, sizeof *t->se_dot2);
    int ok = t->act && t->dot && t->se_q && t->se_h && t->se_g && t->se_dot1 && t->se_dot2;
    for (int i = 0; ok && i < n; i++) {
        const bnn_layer *l = &m->layers[i];
        if (l->type == BNN_CONV) {
            const bnn_conv *c = &l->u.conv;
            ok = (t->dot[i] = calloc((size_t)c->out_c * (size_t)c->out_h * (size_t)c->out_w, 4)) != NULL;
        } else if (l->type == BNN_SE) {
            size_t c = (size_t)l->u.se.c, hd = (size_t)l->u.se.hidden;
            ok = (t->se_q[i] = calloc(c, 4)) && (t->se_g[i] = calloc(c, 4)) &&
                 (t->se_dot2[i] = calloc(c, 4)) && (t->se_h[i] = calloc(hd, 4)) &&
                 (t->se_dot1[i] = calloc(hd, 4));
        } else {
            size_t k = (size_t)l->u.cls.classes;
            ok = (t->cls_q = calloc((size_t)l->u.cls.in_c, 4)) && (t->logits = calloc(k, 4)) &&
                 (t->scores = calloc(k, sizeof(float)));
        }
    }
    if (!ok) {
        bnn_trace_free(t);
        return NULL;
    }
    return t;
}

void bnn_trace_free(bnn_trace *t)
{
    if (!t)
        return;
    int n = t->n_layers;
    if (t->act)
        for (int i = 0; i <= n; i++)
            bnn_tensor_free(t->act[i]);
    free(t->act);
    free_rows(t->dot, n);
    free_rows(t->se_q, n);
    free_rows(t->se_h, n);
    free_rows(t->se_g, n);
    free_rows(t->se_dot1, n);
    free_rows(t->se_dot2, n);
    free(t->cls_q);
    free(t->logits);
    free(t->scores);
    free(t);
}

void bnn_tensor_count_ones(const bnn_tensor *t, uint16_t *q)
{
    size_t hw = (size_t)t->h * (size_t)t->w;
    for (int c = 0; c < t->c; c++) {
        unsigned s = 0;
        for (size_t p = 0; p < hw; p++)
            s += t->v[(size_t)c * hw + p] & 1u;
        q[c] = (uint16_t)s;
    }
}

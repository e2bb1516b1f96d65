/*
 * bnn_infer.h - integer-exact inference of a bnn_model (docs/SPEC.md 1-2).
 *
 * Two implementations of every layer behind one interface:
 *   BNN_NAIVE  element by element, obviously right (bnn_naive.c)
 *   BNN_FAST   64-bit packed words and popcount (bnn_fast.c)
 * They must agree bit for bit; tests/test_infer_prop.c proves it.
 *
 * Ownership: bnn_tensor_new()/bnn_trace_new() return objects the caller
 * frees with the matching _free(). Functions return 0 on success and a
 * non-zero value with err filled on failure; nothing here exits or keeps
 * global state.
 */
#ifndef SPARSECIM_BNN_INFER_H
#define SPARSECIM_BNN_INFER_H

#include <stdint.h>

#include "model/bnn_model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bnn_impl { BNN_NAIVE = 0, BNN_FAST = 1 } bnn_impl;

/* An activation tensor C x H x W, element [c][y][x] at v[(c*h + y)*w + x],
 * each an unsigned value of `bits` bits (1 for binary activations). */
typedef struct bnn_tensor {
    int c, h, w, bits;
    uint16_t *v;        /* c*h*w values, owned */
} bnn_tensor;

bnn_tensor *bnn_tensor_new(int c, int h, int w, int bits);   /* zero-filled; NULL on OOM */
void bnn_tensor_free(bnn_tensor *t);
/* Per channel, the number of ones of a binary tensor (the SE squeeze and
 * the classifier's count pooling): q[c] for c < t->c (counts < 2^16). */
void bnn_tensor_count_ones(const bnn_tensor *t, uint16_t *q);
static inline uint16_t bnn_at(const bnn_tensor *t, int c, int y, int x)
{
    return t->v[((size_t)c * (size_t)t->h + (size_t)y) * (size_t)t->w + (size_t)x];
}

/* What one image's pass leaves behind, per layer i (all owned by the trace):
 *   act[i]      the input tensor of layer i (act[0] = the image)
 *   act[n]      the input of the classifier = output of the last non-classifier layer
 *               (act has n_layers + 1 entries; act[n_layers] == NULL when the
 *               last layer is the classifier, since it makes no tensor)
 *   dot[i]      CONV: the raw dots, out_c*out_h*out_w int32 in tensor order
 *               (before sign and threshold); NULL for other layers
 *   se_q/h/g[i] SE: squeeze counts (c), hidden bits (hidden), gates (c);
 *               se_dot1[i] (hidden) and se_dot2[i] (c) are the FC dots
 *   cls_q       classifier pooled counts (in_c), logits (classes), scores (classes)
 *   pred        argmax class
 */
typedef struct bnn_trace {
    int n_layers;
    bnn_tensor **act;
    int32_t **dot;
    int32_t **se_q, **se_h, **se_g, **se_dot1, **se_dot2;
    int32_t *cls_q;
    int32_t *logits;
    float *scores;
    int pred;
} bnn_trace;

bnn_trace *bnn_trace_new(const bnn_model *m);
void bnn_trace_free(bnn_trace *t);

/* Runs the whole model on one image (shape in_c x in_h x in_w, every value
 * < 2^in_bits; the tensor's own `bits` field is not used). Fills every
 * field of tr; a trace can be reused for any number of images of its model
 * (its tensors are kept when their shapes match). Errors (returned, with
 * err naming the layer): image shape or values, a dot beyond int32, OOM. */
int bnn_forward(const bnn_model *m, const bnn_tensor *image, bnn_impl impl,
                bnn_trace *tr, bnn_error *err);

/* Single-layer kernels (used by the full pass and by the property tests).
 * conv: in = layer input, sc = shortcut tensor (the input of layer
 * conv->shortcut, NULL when none); out must be out_c x out_h x out_w bits=1;
 * dot (may be NULL) receives out_c*out_h*out_w raw dots. Checked before any
 * work: tensor shapes against the layer, weight/threshold sizes, sc given
 * exactly when th.pairs == 2 and fitting option A (sc->c <= out_c, stride
 * ceil(sc->h / out_h) in {1, 2}, the same for the width), input values
 * < 2^in_bits, and n * (2^in_bits - 1) <= INT32_MAX so no dot can overflow. */
int bnn_conv_forward(const bnn_conv *cv, const bnn_tensor *in, const bnn_tensor *sc,
                     bnn_tensor *out, int32_t *dot, bnn_impl impl, bnn_error *err);

/* Dot of an unsigned multi-bit vector a (n values of `bits` bits, 1..16)
 * with a packed bipolar weight row, computed per docs/SPEC.md section 1
 * (the caller keeps n * (2^bits - 1) within int32). */
int32_t bnn_dot_naive(const uint16_t *a, int n, int bits, const bnn_bits *w, int row);

/* Threshold: (sign * dot >= T[pair]). */
static inline int bnn_thresh_apply(const bnn_thresh *th, int o, int32_t dot, int x)
{
    int64_t d = th->neg[o] ? -(int64_t)dot : (int64_t)dot;
    return d >= (int64_t)th->t[o * th->pairs + (th->pairs == 2 ? x : 0)];
}

#ifdef __cplusplus
}
#endif
#endif

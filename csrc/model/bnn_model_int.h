/*
 * bnn_model_int.h - internals shared by the bnn_model_*.c files only
 * (the incremental layer namer, the model checker).
 * Other modules use bnn_model.h.
 */
#ifndef SPARSECIM_BNN_MODEL_INT_H
#define SPARSECIM_BNN_MODEL_INT_H

#include <stddef.h>

#include "model/bnn_model.h"

/* Names layers one at a time, in file order (docs/SPEC.md section 3).
 * Layer i's name depends on layers 0..i only, except that an "a" conv is
 * confirmed by the next layer being its residual "b" conv; when it is not,
 * the step for the next layer renames it "L<i>". So the loader can name a
 * layer before reading its weights (for error messages) and the final names
 * equal bnn_model_name_layers()'s. */
typedef struct bnn_namer_core {
    int stage, block, width;    /* committed ResNet position */
    int started;                /* a first residual block was seen */
    int prev_kind;              /* kind of the previous layer (NK_* in bnn_model.c) */
    int a_stage, a_block;       /* position of a tentative "a" conv */
    int a_width;
    int a_start, a_last;        /* its unit: first and last layer (a_start < a_last: a depthwise-separable pair) */
    int mid;                    /* a plain conv after a one-layer "a": the tentative "b" of a bottleneck */
} bnn_namer_core;

/* A bottleneck block is three convs: "a" (no shortcut), "b" (no shortcut),
 * "c" (the residual, shortcut = "a"): s0b0a, s0b0b, s0b0c; its position
 * (stage, block) is decided at "c" from the block's stride and width.
 * A depthwise conv followed by a pointwise (1x1, groups 1) conv is one unit
 * of the ResNet shape, named after the pointwise conv, the depthwise one
 * NAME.dw (s0b0a.dw, s0b0a, s0b0b.dw, s0b0b); the shortcut of a "b" unit
 * names the first layer of its "a" unit. A depthwise conv is named as a
 * conv of its own first; when the next layer makes it a unit, the step is
 * redone from the state saved before it. */
typedef struct bnn_namer {
    bnn_namer_core c;
    int dw;                     /* index of the previous layer when it may start a unit, else -1 */
    bnn_namer_core saved;       /* the state before it */
    char saved_a_name[32], saved_a_dw_name[32];  /* the names of its tentative "a" unit */
} bnn_namer;

void bnn_namer_init(bnn_namer *n);
/* Names layers[i] (uses type, and for CONV in_c, out_c, k_h, k_w, stride,
 * shortcut, groups); may rename layers[i-1] (and an "a" unit, or the "a"
 * and "b" of a bottleneck, before it). */
void bnn_namer_step(bnn_namer *n, bnn_layer *layers, int i);

/* The complete model check behind bnn_model_validate() and the loader.
 * file: name used in messages ("model" for in-memory models).
 * rec_off: byte offset of each layer record in the file, or NULL; when
 * given, messages carry "byte N" of the offending field. */
int bnn_model_check(bnn_model *m, const char *file, const size_t *rec_off, bnn_error *err);
/* The same for a file of version `version` (1, 2 or 3: the CONV record's
 * field offsets differ, see BNN_REC_CONV_GROUPS, BNN_REC_CONV_MULT and
 * bnn_rec_conv_weights). */
int bnn_model_check_file(bnn_model *m, const char *file, const size_t *rec_off, unsigned version,
                         bnn_error *err);

/* Byte offsets of the fixed fields inside a layer record (type byte at 0). */
enum {
    BNN_REC_CONV_IN_C = 1, BNN_REC_CONV_OUT_C = 3, BNN_REC_CONV_IN_H = 5, BNN_REC_CONV_IN_W = 7,
    BNN_REC_CONV_K_H = 9, BNN_REC_CONV_K_W = 10, BNN_REC_CONV_STRIDE = 11, BNN_REC_CONV_PAD_H = 12,
    BNN_REC_CONV_PAD_W = 13, BNN_REC_CONV_IN_BITS = 14, BNN_REC_CONV_SHORTCUT = 15,
    BNN_REC_CONV_WEIGHTS = 17,
    /* version 2: u16 groups at +17, the weights at +19 */
    BNN_REC_CONV_GROUPS = 17, BNN_REC_CONV_WEIGHTS_V2 = 19,
    /* version 3: groups at +17, u8 mult flag at +19, with flag 1 in_c u8
     * multiplicities at +20; the weights at +20 (+ in_c with flag 1) */
    BNN_REC_CONV_MULT_FLAG = 19, BNN_REC_CONV_MULT = 20,
    BNN_REC_SE_C = 1, BNN_REC_SE_HIDDEN = 3, BNN_REC_SE_FC1 = 5,
    BNN_REC_CLS_IN_C = 1, BNN_REC_CLS_CLASSES = 3, BNN_REC_CLS_WEIGHTS = 5,
    /* header */
    BNN_HDR_VERSION = 8, BNN_HDR_IN_C = 12, BNN_HDR_IN_H = 14, BNN_HDR_IN_W = 16,
    BNN_HDR_IN_BITS = 18, BNN_HDR_RESERVED = 19, BNN_HDR_CLASSES = 20, BNN_HDR_N_LAYERS = 22,
    BNN_HDR_SIZE = 24
};

/* Offset of a CONV record's weights in a file of `version`: the record
 * grows by the groups field (version >= 2), the mult flag (version 3) and
 * the in_c multiplicities when the conv has them (flag 1). */
static inline size_t bnn_rec_conv_weights(unsigned version, int in_c, int has_mult)
{
    if (version >= BNN_VERSION_MULT)
        return (size_t)BNN_REC_CONV_MULT + (has_mult ? (size_t)in_c : 0);
    return version >= BNN_VERSION_GROUPS ? BNN_REC_CONV_WEIGHTS_V2 : BNN_REC_CONV_WEIGHTS;
}

#endif

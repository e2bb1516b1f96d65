/*
 * bnn_model_int.h - internals shared by the bnn_model_*.c files only
 * (the incremental layer namer, the model checker).
 * Other modules use bnn_model.h.
 */
#ifndef SPARSECIM_BNN_MODEL_INT_H
#define SPARSECIM_BNN_MODEL_INT_H

#include <stddef.h>

#include "bnn_model.h"

/* Names layers one at a time, in file order (docs/SPEC.md section 3).
 * Layer i's name depends on layers 0..i only, except that an "a" conv is
 * confirmed by the next layer being its residual "b" conv; when it is not,
 * the step for the next layer renames it "L<i>". So the loader can name a
 * layer before reading its weights (for error messages) and the final names
 * equal bnn_model_name_layers()'s. */
typedef struct bnn_namer {
    int stage, block, width;    /* committed ResNet position */
    int started;                /* a first residual block was seen */
    int prev_kind;              /* kind of the previous layer (NK_* in bnn_model.c) */
    int a_stage, a_block;       /* position of a tentative "a" conv */
    int a_width;
} bnn_namer;

void bnn_namer_init(bnn_namer *n);
/* Names layers[i] (uses type, and for CONV out_c, stride, shortcut). */
void bnn_namer_step(bnn_namer *n, bnn_layer *layers, int i);

/* The complete model check behind bnn_model_validate() and the loader.
 * file: name used in messages ("model" for in-memory models).
 * rec_off: byte offset of each layer record in the file, or NULL; when
 * given, messages carry "byte N" of the offending field. */
int bnn_model_check(bnn_model *m, const char *file, const size_t *rec_off, bnn_error *err);

/* Byte offsets of the fixed fields inside a layer record (type byte at 0). */
enum {
    BNN_REC_CONV_IN_C = 1, BNN_REC_CONV_OUT_C = 3, BNN_REC_CONV_IN_H = 5, BNN_REC_CONV_IN_W = 7,
    BNN_REC_CONV_K_H = 9, BNN_REC_CONV_K_W = 10, BNN_REC_CONV_STRIDE = 11, BNN_REC_CONV_PAD_H = 12,
    BNN_REC_CONV_PAD_W = 13, BNN_REC_CONV_IN_BITS = 14, BNN_REC_CONV_SHORTCUT = 15,
    BNN_REC_CONV_WEIGHTS = 17,
    BNN_REC_SE_C = 1, BNN_REC_SE_HIDDEN = 3, BNN_REC_SE_FC1 = 5,
    BNN_REC_CLS_IN_C = 1, BNN_REC_CLS_CLASSES = 3, BNN_REC_CLS_WEIGHTS = 5,
    /* header */
    BNN_HDR_VERSION = 8, BNN_HDR_IN_C = 12, BNN_HDR_IN_H = 14, BNN_HDR_IN_W = 16,
    BNN_HDR_IN_BITS = 18, BNN_HDR_RESERVED = 19, BNN_HDR_CLASSES = 20, BNN_HDR_N_LAYERS = 22,
    BNN_HDR_SIZE = 24
};

#endif

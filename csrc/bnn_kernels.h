/*
 * bnn_kernels.h - internal: the per-implementation kernels behind
 * bnn_infer.h (naive in bnn_naive.c, packed in bnn_fast.c). Not for users.
 */
#ifndef SPARSECIM_BNN_KERNELS_H
#define SPARSECIM_BNN_KERNELS_H

#include "bnn_infer.h"

/* Conv kernels: out/dot as in bnn_conv_forward; return 0 or -1 on OOM. */
int bnn_conv_naive(const bnn_conv *cv, const bnn_tensor *in, const bnn_tensor *sc,
                   bnn_tensor *out, int32_t *dot);
int bnn_conv_fast(const bnn_conv *cv, const bnn_tensor *in, const bnn_tensor *sc,
                  bnn_tensor *out, int32_t *dot);
/* Packed dot of an unsigned multi-bit vector with a weight row. */
int32_t bnn_dot_fast(const uint16_t *a, int n, int bits, const bnn_bits *w, int row);

/* Option-A shortcut bit of channel o at output pixel (y, x): the shortcut
 * tensor subsampled by S = ceil(sc->h / out_h), channels >= sc->c are 0. */
static inline int bnn_shortcut_bit(const bnn_tensor *sc, int o, int y, int x, int out_h)
{
    if (!sc || o >= sc->c)
        return 0;
    int s = (sc->h + out_h - 1) / out_h;
    return bnn_at(sc, o, y * s, x * s) & 1;
}

#endif

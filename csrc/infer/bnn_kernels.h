/*
 * bnn_kernels.h - internal: the per-implementation kernels behind
 * bnn_infer.h (naive in bnn_naive.c, packed in bnn_fast.c). Not for users.
 * Callers (bnn_forward.c) have checked shapes before calling them.
 */
#ifndef SPARSECIM_BNN_KERNELS_H
#define SPARSECIM_BNN_KERNELS_H

#include "infer/bnn_infer.h"

/* Conv kernels: out/dot as in bnn_conv_forward; sc (may be NULL) is the
 * option-A shortcut tensor, subsampled by sc_s (1 or 2); channels >= sc->c
 * give shortcut bit 0. Return 0, or -1 when out of memory. */
int bnn_conv_naive(const bnn_conv *cv, const bnn_tensor *in, const bnn_tensor *sc, int sc_s,
                   bnn_tensor *out, int32_t *dot);
int bnn_conv_fast(const bnn_conv *cv, const bnn_tensor *in, const bnn_tensor *sc, int sc_s,
                  bnn_tensor *out, int32_t *dot);

/* A conv with multiplicities as the ordinary conv over its channel copies
 * (bnn_mult.c): ecv a copy of cv with in_c = the copies, mult NULL and,
 * with weights = 1, its own expanded weight rows (else wt.w NULL: shapes
 * only, for packing the input); the thresholds are cv's; ein the input
 * with its channels in copy order (own values). Free both with
 * bnn_conv_expand_free. 0, or -1 when out of memory (nothing to free). */
int bnn_conv_expand(const bnn_conv *cv, const bnn_tensor *in, bnn_conv *ecv, bnn_tensor *ein, int weights);
void bnn_conv_expand_free(bnn_conv *ecv, bnn_tensor *ein);

/* The packed im2col input vectors of group g (0 for an ordinary conv) for
 * every output pixel, as the fast conv uses them: [out_h*out_w][in_bits]
 * [ceil(n/64)] words, n = bnn_conv_n(cv), plane k of pixel p at
 * ((p*in_bits + k) * words), bit i = canonical index i of the group's
 * input channels, unused bits 0. With multiplicities: the vectors of the
 * expansion (bnn_conv_expand, n = bnn_conv_rows(cv)): the array's rows. The caller frees the result; NULL when
 * out of memory. Shapes unchecked. */
uint64_t *bnn_conv_pack(const bnn_conv *cv, const bnn_tensor *in, int g);

/* FC dots (SE and classifier): a holds n unsigned values of `bits` bits
 * (1..32; squeeze counts can exceed 16 bits), w row `row` the bipolar
 * weights. Exact in int64; the caller checks the int32 range. */
int64_t bnn_fc_dot_naive(const uint32_t *a, int n, int bits, const bnn_bits *w, int row);
int64_t bnn_fc_dot_fast(const uint32_t *a, int n, int bits, const bnn_bits *w, int row);

#endif

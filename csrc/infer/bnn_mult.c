/*
 * bnn_mult.c - a conv with multiplicities (docs/SPEC.md section 2,
 * "Multiplicities") as the ordinary conv the array computes: its input
 * channels in copy order (bnn_conv_copy_order: every channel once, then
 * the second copies, ...), each copy with its channel's k_h*k_w weight bits.
 * The packed kernels and the statistics run on this expansion; the naive
 * kernel counts each element m[c] times instead (bnn_naive.c), so the two
 * meet only in the tests.
 */
#include <stdlib.h>
#include <string.h>

#include "infer/bnn_kernels.h"

int bnn_conv_expand(const bnn_conv *cv, const bnn_tensor *in, bnn_conv *ecv, bnn_tensor *ein)
{
    const int kk = cv->k_h * cv->k_w;
    const size_t plane = (size_t)in->h * (size_t)in->w;
    int *order = malloc(((size_t)cv->in_c * BNN_MAX_MULT + 1) * sizeof *order);
    if (!order)
        return -1;
    const int n_copies = bnn_conv_copy_order(cv->mult, NULL, cv->in_c, order);
    *ecv = *cv;
    ecv->mult = NULL;
    ecv->in_c = n_copies;
    *ein = *in;
    ein->c = n_copies;
    ein->v = malloc((size_t)n_copies * plane * sizeof *ein->v + 1);
    if (!ein->v || bnn_bits_alloc(&ecv->wt, cv->out_c, n_copies * kk)) {
        free(order);
        free(ein->v);
        ein->v = NULL;
        ecv->wt.w = NULL;
        return -1;
    }
    for (int q = 0; q < n_copies; q++) {
        memcpy(ein->v + (size_t)q * plane, in->v + (size_t)order[q] * plane, plane * sizeof *ein->v);
        for (int o = 0; o < cv->out_c; o++)
            for (int t = 0; t < kk; t++)
                bnn_bits_set(&ecv->wt, o, q * kk + t, bnn_bits_get(&cv->wt, o, order[q] * kk + t));
    }
    free(order);
    return 0;
}

void bnn_conv_expand_free(bnn_conv *ecv, bnn_tensor *ein)
{
    free(ecv->wt.w);
    ecv->wt.w = NULL;
    free(ein->v);
    ein->v = NULL;
}

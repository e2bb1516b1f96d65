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

/* Row o of the expanded weights: the first in_c*k*k bits are the conv's own
 * row (every channel once, in order, comes first in copy order), copied by
 * words; the copies after them bit by bit from their channel's bits. */
static void expand_row(const bnn_conv *cv, const int *order, int n_copies, bnn_bits *ew, int o)
{
    const int kk = cv->k_h * cv->k_w;
    const uint64_t *src = cv->wt.w + (size_t)o * (size_t)cv->wt.words;
    uint64_t *dst = ew->w + (size_t)o * (size_t)ew->words;
    memcpy(dst, src, (size_t)cv->wt.words * sizeof *dst); /* unused bits of the last word are 0 */
    for (int q = cv->in_c; q < n_copies; q++)
        for (int t = 0; t < kk; t++)
            if (bnn_bits_get(&cv->wt, o, order[q] * kk + t))
                dst[(q * kk + t) >> 6] |= (uint64_t)1 << ((q * kk + t) & 63);
}

int bnn_conv_expand(const bnn_conv *cv, const bnn_tensor *in, bnn_conv *ecv, bnn_tensor *ein, int weights)
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
    ecv->wt.w = NULL;
    ecv->wt.cols = n_copies * kk;
    ecv->wt.words = (ecv->wt.cols + 63) / 64;
    *ein = *in;
    ein->c = n_copies;
    ein->v = malloc((size_t)n_copies * plane * sizeof *ein->v + 1);
    if (!ein->v || (weights && bnn_bits_alloc(&ecv->wt, cv->out_c, n_copies * kk))) {
        free(order);
        free(ein->v);
        ein->v = NULL;
        ecv->wt.w = NULL;
        return -1;
    }
    for (int q = 0; q < n_copies; q++)
        memcpy(ein->v + (size_t)q * plane, in->v + (size_t)order[q] * plane, plane * sizeof *ein->v);
    for (int o = 0; weights && o < cv->out_c; o++)
        expand_row(cv, order, n_copies, &ecv->wt, o);
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

/*
 * bnn_naive.c - the obviously-right implementation (BNN_NAIVE): every input
 * element and bit plane one at a time, straight from docs/SPEC.md sections
 * 1-2 (bit-serial, most significant plane first, acc = 2*acc + 2P - X).
 * Slow on purpose: it is the reference the packed code is tested against.
 */
#include <stdlib.h>

#include "infer/bnn_infer.h"
#include "infer/bnn_kernels.h"

int32_t bnn_dot_naive(const uint16_t *a, int n, int bits, const bnn_bits *w, int row)
{
    int64_t acc = 0;
    for (int k = bits - 1; k >= 0; k--) {
        int64_t p = 0, x = 0;
        for (int i = 0; i < n; i++) {
            int ai = (a[i] >> k) & 1;
            x += ai;                                   /* X_k = popcount(a_k) */
            p += ai & bnn_bits_get(w, row, i);         /* P_k = popcount(a_k AND b) */
        }
        acc = 2 * acc + (2 * p - x);
    }
    return (int32_t)acc;
}

/* The dot of a conv with multiplicities (docs/SPEC.md section 2): element
 * i counts mi[i] times in P_k and X_k. */
static int32_t dot_naive_mult(const uint16_t *a, const uint8_t *mi, int n, int bits, const bnn_bits *w, int row)
{
    int64_t acc = 0;
    for (int k = bits - 1; k >= 0; k--) {
        int64_t p = 0, x = 0;
        for (int i = 0; i < n; i++) {
            int ai = (a[i] >> k) & 1;
            x += (int64_t)mi[i] * ai;
            p += (int64_t)mi[i] * (ai & bnn_bits_get(w, row, i));
        }
        acc = 2 * acc + (2 * p - x);
    }
    return (int32_t)acc;
}

int64_t bnn_fc_dot_naive(const uint32_t *a, int n, int bits, const bnn_bits *w, int row)
{
    int64_t acc = 0;
    for (int k = bits - 1; k >= 0; k--) {
        int64_t p = 0, x = 0;
        for (int i = 0; i < n; i++) {
            int ai = (int)((a[i] >> k) & 1u);
            x += ai;
            p += ai & bnn_bits_get(w, row, i);
        }
        acc = 2 * acc + (2 * p - x);
    }
    return acc;
}

/* The input element of canonical index i = c*(k_h*k_w) + ky*k_w + kx of
 * an output of the group whose first input channel is c0, for output pixel
 * (y, x): in[c0 + c][y*S + ky - pad_h][x*S + kx - pad_w], 0 outside. */
static uint16_t im2col_at(const bnn_conv *cv, const bnn_tensor *in, int c0, int i, int y, int x)
{
    int kk = cv->k_h * cv->k_w;
    int c = i / kk, tap = i % kk;
    int iy = y * cv->stride + tap / cv->k_w - cv->pad_h;
    int ix = x * cv->stride + tap % cv->k_w - cv->pad_w;
    if (iy < 0 || iy >= in->h || ix < 0 || ix >= in->w)
        return 0; /* zero padding */
    return bnn_at(in, c0 + c, iy, ix);
}

int bnn_conv_naive(const bnn_conv *cv, const bnn_tensor *in, const bnn_tensor *sc, int sc_s, bnn_tensor *out,
                   int32_t *dot)
{
    /* groups (docs/SPEC.md section 2): output o of group g = o / (out_c /
     * groups) sees the n = (in_c / groups) * k*k elements of its group's
     * input channels g*(in_c/groups) ..; groups = 1 is the ordinary conv */
    const int groups = bnn_conv_groups(cv), opg = cv->out_c / groups, cpg = cv->in_c / groups;
    int n = bnn_conv_n(cv);
    uint16_t *a = malloc(((size_t)n + 1) * sizeof *a);
    uint8_t *mi = cv->mult ? malloc((size_t)n + 1) : NULL; /* multiplicity of each element */
    if (!a || (cv->mult && !mi)) {
        free(a);
        free(mi);
        return -1;
    }
    for (int i = 0; mi && i < n; i++)
        mi[i] = cv->mult[i / (cv->k_h * cv->k_w)];
    for (int y = 0; y < cv->out_h; y++)
        for (int x = 0; x < cv->out_w; x++)
            for (int g = 0; g < groups; g++) {
                for (int i = 0; i < n; i++)
                    a[i] = im2col_at(cv, in, g * cpg, i, y, x);
                for (int o = g * opg; o < (g + 1) * opg; o++) {
                    int32_t d = mi ? dot_naive_mult(a, mi, n, cv->in_bits, &cv->wt, o)
                                   : bnn_dot_naive(a, n, cv->in_bits, &cv->wt, o);
                    /* option A: subsampled shortcut, channels beyond it are 0 */
                    int xs = sc && o < sc->c ? bnn_at(sc, o, y * sc_s, x * sc_s) & 1 : 0;
                    size_t idx = ((size_t)o * (size_t)cv->out_h + (size_t)y) * (size_t)cv->out_w + (size_t)x;
                    out->v[idx] = (uint16_t)bnn_thresh_apply(&cv->th, o, d, xs);
                    if (dot)
                        dot[idx] = d;
                }
            }
    free(a);
    free(mi);
    return 0;
}

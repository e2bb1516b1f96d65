/*
 * bnn_fast.c - the packed implementation (BNN_FAST).
 *
 * The input tensor is first packed per pixel: for every (plane, y, x) a
 * group of in_c bits (channel c at bit c). An output pixel's input vector is
 * then the concatenation of k_h*k_w such groups, in tap-major order
 * (bit = tap*in_c + c), built with word shifts instead of bit by bit. The
 * weights are re-packed once per call into the same tap-major order, so
 * P = popcount(a AND b) and X = popcount(a) are word operations. The dot is
 * independent of the order of the terms, so the result equals the
 * canonical-order definition exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "bnn_infer.h"
#include "bnn_kernels.h"

static inline int popc(uint64_t v) { return __builtin_popcountll(v); }

/* ORs `nbits` bits of src (packed, LSB first) into dst at bit offset `off`. */
static inline void append_bits(uint64_t *dst, int off, const uint64_t *src, int nbits)
{
    for (int j = 0; nbits > 0; j++, nbits -= 64, off += 64) {
        uint64_t v = src[j];
        int sh = off & 63;
        dst[off >> 6] |= v << sh;
        int cnt = nbits < 64 ? nbits : 64;
        if (sh && sh + cnt > 64)
            dst[(off >> 6) + 1] |= v >> (64 - sh);
    }
}

int bnn_conv_fast(const bnn_conv *cv, const bnn_tensor *in, const bnn_tensor *sc, bnn_tensor *out,
                  int32_t *dot)
{
    const int C = cv->in_c, kk = cv->k_h * cv->k_w, bits = cv->in_bits;
    const int pw = (C + 63) / 64;                /* words per packed pixel group */
    const int n = kk * C, nw = (n + 63) / 64;    /* words per input vector */
    const size_t npix = (size_t)in->h * (size_t)in->w;
    uint64_t *pix = calloc((size_t)bits * npix * (size_t)pw + 1, sizeof *pix);
    uint64_t *wt = calloc((size_t)cv->out_c * (size_t)nw + 1, sizeof *wt);
    uint64_t *vec = malloc(((size_t)bits * (size_t)nw + 1) * sizeof *vec);
    int *xk = malloc(((size_t)bits + 1) * sizeof *xk);
    if (!pix || !wt || !vec || !xk) {
        free(pix);
        free(wt);
        free(vec);
        free(xk);
        return -1;
    }
    /* pack the input: pix[(k*npix + p)*pw + c/64] bit c%64 = bit k of in[c][p] */
    for (int c = 0; c < C; c++)
        for (size_t p = 0; p < npix; p++) {
            unsigned v = in->v[(size_t)c * npix + p];
            for (int k = 0; v && k < bits; k++)
                if ((v >> k) & 1u)
                    pix[((size_t)k * npix + p) * (size_t)pw + (size_t)(c >> 6)] |= (uint64_t)1 << (c & 63);
        }
    /* re-pack the weights tap-major */
    for (int o = 0; o < cv->out_c; o++)
        for (int c = 0; c < C; c++)
            for (int t = 0; t < kk; t++)
                if (bnn_bits_get(&cv->wt, o, c * kk + t)) {
                    int b = t * C + c;
                    wt[(size_t)o * (size_t)nw + (size_t)(b >> 6)] |= (uint64_t)1 << (b & 63);
                }
    for (int y = 0; y < cv->out_h; y++)
        for (int x = 0; x < cv->out_w; x++) {
            memset(vec, 0, (size_t)bits * (size_t)nw * sizeof *vec);
            for (int t = 0; t < kk; t++) {
                int iy = y * cv->stride + t / cv->k_w - cv->pad_h;
                int ix = x * cv->stride + t % cv->k_w - cv->pad_w;
                if (iy < 0 || iy >= in->h || ix < 0 || ix >= in->w)
                    continue; /* zero padding */
                size_t p = (size_t)iy * (size_t)in->w + (size_t)ix;
                for (int k = 0; k < bits; k++)
                    append_bits(vec + (size_t)k * (size_t)nw, t * C,
                                pix + ((size_t)k * npix + p) * (size_t)pw, C);
            }
            for (int k = 0; k < bits; k++) {
                int s = 0;
                for (int j = 0; j < nw; j++)
                    s += popc(vec[(size_t)k * (size_t)nw + (size_t)j]);
                xk[k] = s;
            }
            for (int o = 0; o < cv->out_c; o++) {
                const uint64_t *wr = wt + (size_t)o * (size_t)nw;
                int64_t acc = 0;
                for (int k = bits - 1; k >= 0; k--) {
                    const uint64_t *a = vec + (size_t)k * (size_t)nw;
                    int p = 0;
                    for (int j = 0; j < nw; j++)
                        p += popc(a[j] & wr[j]);
                    acc = 2 * acc + (2 * p - xk[k]);
                }
                int32_t d = (int32_t)acc;
                size_t idx = ((size_t)o * (size_t)cv->out_h + (size_t)y) * (size_t)cv->out_w + (size_t)x;
                out->v[idx] = (uint16_t)bnn_thresh_apply(&cv->th, o, d, bnn_shortcut_bit(sc, o, y, x, cv->out_h));
                if (dot)
                    dot[idx] = d;
            }
        }
    free(pix);
    free(wt);
    free(vec);
    free(xk);
    return 0;
}

int32_t bnn_dot_fast(const uint16_t *a, int n, int bits, const bnn_bits *w, int row)
{
    uint64_t plane[64]; /* n <= 4096 (BNN_MAX_DIM) */
    const uint64_t *wr = w->w + (size_t)row * (size_t)w->words;
    int nw = (n + 63) / 64;
    int64_t acc = 0;
    for (int k = bits - 1; k >= 0; k--) {
        memset(plane, 0, (size_t)nw * sizeof plane[0]);
        for (int i = 0; i < n; i++)
            plane[i >> 6] |= (uint64_t)((a[i] >> k) & 1u) << (i & 63);
        int p = 0, x = 0;
        for (int j = 0; j < nw; j++) {
            p += popc(plane[j] & wr[j]);
            x += popc(plane[j]);
        }
        acc = 2 * acc + (2 * p - x);
    }
    return (int32_t)acc;
}

/*
 * bnn_fast.c - the packed implementation (BNN_FAST).
 *
 * Conv: for a band of output pixels, the im2col input vector of every pixel
 * is packed once per bit plane into 64-bit words in the canonical
 * channel-major order of docs/SPEC.md section 2 (bit i = c*k_h*k_w +
 * ky*k_w + kx, LSB first), the same order as the weight rows, so
 * P = popcount(a AND w) and X = popcount(a) are word operations on the
 * model's own weight words. The packed band (sized to stay in L2) is then
 * reused for every output channel. Multi-bit inputs use
 * dot = sum_k 2^k (2 P_k - X_k) = 2 sum_k 2^k P_k - sum_k 2^k X_k, which is
 * the MSB-first recurrence of the spec written out (exact in int64).
 *
 * Packing: each input (plane, channel, row) is first turned into a zero-padded
 * bit row (column x + pad_w at bit x + pad_w; SSE2 movemask when available),
 * so a kernel row's k_w taps are one unaligned k_w-bit field of that row.
 * When a channel's k_h*k_w taps fit 64 bits they are gathered into one field
 * (windows of each input row computed once, shared by the k_h output rows
 * that read it) and ORed into the vector at bit c*k_h*k_w; wider kernels go
 * row by row in pieces of at most 64 bits.
 *
 * Compute: per output channel, a tight AND+popcount loop over the band's
 * pixels with the word count (1..6, 8, 9) and plane count (1, 8) as
 * compile-time constants, dots stored, then thresholds in a second loop
 * (the shortcut bit picks T0/T1; zero-padded shortcut channels give x = 0).
 *
 * Grouped convs (docs/SPEC.md section 2): each group is packed and computed
 * as an ordinary conv over views of the group's input channels, weight rows,
 * thresholds, outputs and shortcut channels (group_view), so a depthwise
 * layer is `groups` convs of one channel each.
 *
 * Multiplicities (docs/SPEC.md section 2): the conv over its channel copies
 * (bnn_conv_expand, bnn_mult.c), computed as an ordinary conv.
 *
 * FC dots (SE, classifier) pack 64 elements per word and plane at a time.
 *
 * Memory: everything is allocated per call and freed before returning.
 * Nothing here checks shapes: bnn_conv_forward (bnn_forward.c) does.
 */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "infer/bnn_infer.h"
#include "infer/bnn_kernels.h"

#define BAND_BYTES (96u * 1024u) /* packed input vectors per band: fits L2 */

static inline int popc(uint64_t v) { return __builtin_popcountll(v); }

/* len (1..64) bits of a packed row starting at bit `start`; the row has a
 * spare zero word at its end so the two-word read never leaves it. */
static inline uint64_t bits_at(const uint64_t *row, int start, int len)
{
    int w = start >> 6, s = start & 63;
    uint64_t v = row[w] >> s;
    if (s)
        v |= row[w + 1] << (64 - s);
    return len == 64 ? v : v & (((uint64_t)1 << len) - 1);
}

/* ORs len (1..64) bits v into dst at bit offset off. */
static inline void put_bits(uint64_t *dst, int off, uint64_t v, int len)
{
    int w = off >> 6, s = off & 63;
    dst[w] |= v << s;
    if (s && s + len > 64)
        dst[w + 1] |= v >> (64 - s);
}

/* The work of one conv call. */
typedef struct fconv {
    const bnn_conv *cv;
    const bnn_tensor *sc;
    int sc_s;               /* shortcut subsampling stride */
    int kk, n, nw, bits;    /* taps, vector length, words per plane vector, planes */
    int hp, rw;             /* padded rows, words per padded row */
    uint64_t *rows;         /* [bits][in_c][hp][rw] padded bit rows */
    uint64_t *vec;          /* [band pixels][bits][nw] packed vectors */
    int64_t *xs;            /* [band pixels] sum_k 2^k X_k */
    uint64_t *win;          /* [band input rows][out_w] k_w-bit windows */
    int32_t *dbuf;          /* [band pixels] dots when the caller wants none */
    int band;               /* output rows per band */
} fconv;

static void fconv_free(fconv *f)
{
    free(f->rows);
    free(f->vec);
    free(f->xs);
    free(f->win);
    free(f->dbuf);
}

/* Bit k of each of v[0..len) (len <= 64), element i at bit i. */
static inline uint64_t plane_bits(const uint16_t *v, int len, int k)
{
    uint64_t word = 0;
    int i = 0;
#ifdef __SSE2__
    /* 16 elements at a time: bit k to the sign bit, saturating pack to
     * bytes keeps the sign, movemask collects the 16 signs */
    const __m128i sh = _mm_cvtsi32_si128(15 - k);
    for (; i + 16 <= len; i += 16) {
        __m128i lo = _mm_sll_epi16(_mm_loadu_si128((const __m128i *)(const void *)(v + i)), sh);
        __m128i hi = _mm_sll_epi16(_mm_loadu_si128((const __m128i *)(const void *)(v + i + 8)), sh);
        word |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_packs_epi16(lo, hi)) << i;
    }
#endif
    for (; i < len; i++)
        word |= (uint64_t)((v[i] >> k) & 1u) << i;
    return word;
}

/* rows[k][c][iy + pad_h] bit (ix + pad_w) = bit k of in[c][iy][ix] */
static __attribute__((noinline)) void pack_rows(fconv *f, const bnn_tensor *in)
{
    const bnn_conv *cv = f->cv;
    for (int k = 0; k < f->bits; k++)
        for (int c = 0; c < cv->in_c; c++)
            for (int iy = 0; iy < in->h; iy++) {
                uint64_t *row = f->rows + (((size_t)k * (size_t)cv->in_c + (size_t)c) * (size_t)f->hp +
                                           (size_t)(iy + cv->pad_h)) * (size_t)f->rw;
                const uint16_t *src = in->v + ((size_t)c * (size_t)in->h + (size_t)iy) * (size_t)in->w;
                for (int x0 = 0; x0 < in->w; x0 += 64) {
                    const int len = in->w - x0 < 64 ? in->w - x0 : 64;
                    uint64_t word = plane_bits(src + x0, len, k);
                    if (word)
                        put_bits(row, x0 + cv->pad_w, word, len);
                }
            }
}

/* The KW-bit field at bit `start` of a padded row, KW <= 57: one unaligned
 * little-endian load (the row's spare word keeps it inside the buffer). */
static inline uint64_t field57(const uint64_t *row, int start, int KW)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, (const unsigned char *)row + (start >> 3), sizeof v);
    return (v >> (start & 7)) & (((uint64_t)1 << KW) - 1);
#else
    return bits_at(row, start, KW);
#endif
}

/* One (plane, channel) of a band when the channel's KH*KW taps fit one
 * 64-bit field: win[r][x] holds the KW taps of padded row r at output
 * column x (shared by the KH output rows that read row r); the channel's
 * field of pixel (y, x) is win[y*S][x] | win[y*S+1][x] << KW | ... */
static inline __attribute__((always_inline)) void pack_small(fconv *f, const uint64_t *plane, uint64_t *dst,
                                                             int rows_out, int sh, int KH, int KW)
{
    const int S = f->cv->stride, ow = f->cv->out_w, kk = KH * KW;
    const size_t pstride = (size_t)f->bits * (size_t)f->nw;
    const int hrows = (rows_out - 1) * S + KH;
    uint64_t *win = f->win;
    for (int r = 0; r < hrows; r++) {
        const uint64_t *row = plane + (size_t)r * (size_t)f->rw;
        uint64_t *wr = win + (size_t)r * (size_t)ow;
        if (f->rw == 2 && KW < 64) { /* the padded row is one word (images up to 64 wide) */
            const uint64_t r0 = row[0], m = ((uint64_t)1 << KW) - 1;
            for (int x = 0; x < ow; x++)
                wr[x] = (r0 >> (x * S)) & m;
        } else {
            for (int x = 0; x < ow; x++)
                wr[x] = KW <= 57 ? field57(row, x * S, KW) : bits_at(row, x * S, KW);
        }
    }
    const int spill = sh && sh + kk > 64;
    for (int y = 0; y < rows_out; y++) {
        const uint64_t *wy = win + (size_t)(y * S) * (size_t)ow;
        uint64_t *d = dst + (size_t)y * (size_t)ow * pstride;
        for (int x = 0; x < ow; x++, d += pstride) {
            uint64_t pat = 0;
            for (int ky = 0; ky < KH; ky++)
                pat |= wy[(size_t)ky * (size_t)ow + (size_t)x] << (ky * KW);
            d[0] |= pat << sh;
            if (spill)
                d[1] |= pat >> (64 - sh);
        }
    }
}

/* Packs the vectors of output rows [y0, y1) into f->vec and sets f->xs. */
static __attribute__((noinline)) void pack_band(fconv *f, int y0, int y1)
{
    const bnn_conv *cv = f->cv;
    const int kh = cv->k_h, kw = cv->k_w, S = cv->stride, nw = f->nw, bits = f->bits, ow = cv->out_w;
    const size_t pstride = (size_t)bits * (size_t)nw; /* words from one pixel's vectors to the next */
    const int np = (y1 - y0) * ow;
    memset(f->vec, 0, (size_t)np * pstride * sizeof *f->vec);
    for (int k = 0; k < bits; k++)
        for (int c = 0; c < cv->in_c; c++) {
            const uint64_t *plane = f->rows + (((size_t)k * (size_t)cv->in_c + (size_t)c) * (size_t)f->hp +
                                               (size_t)(y0 * S)) * (size_t)f->rw;
            const int off = c * f->kk, wi = off >> 6, sh = off & 63;
            uint64_t *dst = f->vec + (size_t)k * (size_t)nw + (size_t)wi;
            if (f->kk <= 64) {
                const int ro = y1 - y0;
                if (kh == 3 && kw == 3)
                    pack_small(f, plane, dst, ro, sh, 3, 3);
                else if (kh == 1 && kw == 1)
                    pack_small(f, plane, dst, ro, sh, 1, 1);
                else if (kh == 1 && kw == 3)
                    pack_small(f, plane, dst, ro, sh, 1, 3);
                else if (kh == 3 && kw == 1)
                    pack_small(f, plane, dst, ro, sh, 3, 1);
                else
                    pack_small(f, plane, dst, ro, sh, kh, kw);
            } else {
                for (int y = 0; y < y1 - y0; y++)
                    for (int x = 0; x < ow; x++) {
                        uint64_t *d = f->vec + (size_t)(y * ow + x) * pstride + (size_t)k * (size_t)nw;
                        const uint64_t *row = plane + (size_t)(y * S) * (size_t)f->rw;
                        for (int ky = 0; ky < kh; ky++, row += f->rw)
                            for (int kx = 0; kx < kw; kx += 64) {
                                int len = kw - kx < 64 ? kw - kx : 64;
                                uint64_t v = bits_at(row, x * S + kx, len);
                                if (v)
                                    put_bits(d, off + ky * kw + kx, v, len);
                            }
                    }
            }
        }
    for (int p = 0; p < np; p++) {
        const uint64_t *a = f->vec + (size_t)p * pstride;
        int64_t xs = 0;
        for (int k = 0; k < bits; k++) {
            int s = 0;
            for (int j = 0; j < nw; j++)
                s += popc(a[(size_t)k * (size_t)nw + (size_t)j]);
            xs += (int64_t)s << k;
        }
        f->xs[p] = xs;
    }
}

/* sum_j popcount(a[j] & w[j]); NW is a constant after inlining. */
static inline __attribute__((always_inline)) int and_popc(const uint64_t *a, const uint64_t *w, int NW)
{
    int s = 0;
    for (int j = 0; j < NW; j++)
        s += popc(a[j] & w[j]);
    return s;
}

/* Thresholds one output channel's dots d[p0..p1) into ov[p0..p1). */
static __attribute__((noinline)) void threshold_band(const fconv *f, int o, int p0, int p1, const int32_t *d,
                                                     uint16_t *ov)
{
    const bnn_conv *cv = f->cv;
    const int ow = cv->out_w;
    const int32_t *t = cv->th.t + (size_t)o * (size_t)cv->th.pairs;
    const int64_t t0 = t[0], t1 = t[cv->th.pairs - 1];
    const int64_t sg = cv->th.neg[o] ? -1 : 1;
    if (!f->sc || o >= f->sc->c) { /* no shortcut bit (or a zero-padded channel): x = 0 */
        if (sg > 0) {
            const int32_t lo = (int32_t)t0;                      /* d >= T */
            for (int p = p0; p < p1; p++)
                ov[p] = (uint16_t)(d[p] >= lo);
        } else {
            const int32_t hi = -t0 > INT32_MAX ? INT32_MAX : (int32_t)-t0; /* -d >= T <=> d <= -T */
            for (int p = p0; p < p1; p++)
                ov[p] = (uint16_t)(d[p] <= hi);
        }
        return;
    }
    const uint16_t *scp = f->sc->v + (size_t)o * (size_t)f->sc->h * (size_t)f->sc->w;
    for (int p = p0; p < p1; p++) {
        const int y = p / ow, x = p % ow;
        const int xb = scp[(size_t)(y * f->sc_s) * (size_t)f->sc->w + (size_t)(x * f->sc_s)] & 1;
        ov[p] = (uint16_t)(sg * d[p] >= (xb ? t1 : t0));
    }
}

/* Every output channel over the band [p0, p1): dots into the caller's dot
 * array (or a scratch row), then the thresholds. */
static inline __attribute__((always_inline)) void compute_band(const fconv *f, int p0, int p1, bnn_tensor *out,
                                                               int32_t *dot, int NW, int BITS)
{
    const bnn_conv *cv = f->cv;
    const int bits = BITS ? BITS : f->bits; /* BITS: a constant 1 or 8, or 0 */
    const size_t npo = (size_t)cv->out_h * (size_t)cv->out_w;
    for (int o = 0; o < cv->out_c; o++) {
        const uint64_t *w = cv->wt.w + (size_t)o * (size_t)cv->wt.words;
        int32_t *dv = dot ? dot + (size_t)o * npo : f->dbuf - p0;
        const uint64_t *a = f->vec;
        if (BITS == 1) {
            for (int p = p0; p < p1; p++, a += NW)
                dv[p] = 2 * and_popc(a, w, NW) - (int32_t)f->xs[p - p0];
        } else {
            for (int p = p0; p < p1; p++, a += (size_t)bits * (size_t)NW) {
                int64_t pk = 0;
                for (int k = 0; k < bits; k++)
                    pk += (int64_t)and_popc(a + (size_t)k * (size_t)NW, w, NW) << k;
                dv[p] = (int32_t)(2 * pk - f->xs[p - p0]);
            }
        }
        threshold_band(f, o, p0, p1, dv, out->v + (size_t)o * npo);
    }
}

static inline __attribute__((always_inline)) void compute_nw(const fconv *f, int p0, int p1, bnn_tensor *out, int32_t *dot, int bits)
{
    switch (f->nw) { /* constant word counts let the compiler unroll the popcount loop */
    case 1: compute_band(f, p0, p1, out, dot, 1, bits); break;
    case 2: compute_band(f, p0, p1, out, dot, 2, bits); break;
    case 3: compute_band(f, p0, p1, out, dot, 3, bits); break;
    case 4: compute_band(f, p0, p1, out, dot, 4, bits); break;
    case 5: compute_band(f, p0, p1, out, dot, 5, bits); break;
    case 6: compute_band(f, p0, p1, out, dot, 6, bits); break;
    case 8: compute_band(f, p0, p1, out, dot, 8, bits); break;
    case 9: compute_band(f, p0, p1, out, dot, 9, bits); break;
    default: compute_band(f, p0, p1, out, dot, f->nw, bits); break;
    }
}

/* 1-bit inputs (every layer but the first) and 8-bit pixels get their own
 * instances with a constant plane count. */
static __attribute__((noinline)) void compute_any(const fconv *f, int p0, int p1, bnn_tensor *out, int32_t *dot)
{
    if (f->bits == 1)
        compute_nw(f, p0, p1, out, dot, 1);
    else if (f->bits == 8)
        compute_nw(f, p0, p1, out, dot, 8);
    else
        compute_nw(f, p0, p1, out, dot, 0);
}

/* Sets up f for bands of `band` output rows (0: as many as fit BAND_BYTES)
 * and packs the input rows. Returns 0, or -1 (f freed) when out of memory. */
static int fconv_init(fconv *f, const bnn_conv *cv, const bnn_tensor *in, int band)
{
    *f = (fconv){.cv = cv, .bits = cv->in_bits};
    f->kk = cv->k_h * cv->k_w;
    f->n = cv->in_c * f->kk;
    f->nw = (f->n + 63) / 64;
    f->hp = in->h + 2 * cv->pad_h;
    f->rw = (in->w + 2 * cv->pad_w + 63) / 64 + 1; /* + a spare word for bits_at / field57 */
    const size_t per_pix = (size_t)f->bits * (size_t)f->nw * sizeof(uint64_t);
    if (band < 1)
        band = (int)(BAND_BYTES / (per_pix * (size_t)cv->out_w)); /* output rows per band */
    if (band < 1)
        band = 1;
    if (band > cv->out_h)
        band = cv->out_h;
    f->band = band;
    const size_t band_pix = (size_t)band * (size_t)cv->out_w;
    f->rows = calloc((size_t)f->bits * (size_t)cv->in_c * (size_t)f->hp * (size_t)f->rw, sizeof *f->rows);
    f->vec = malloc(band_pix * per_pix);
    f->xs = malloc(band_pix * sizeof *f->xs);
    f->dbuf = malloc(band_pix * sizeof *f->dbuf);
    f->win = malloc((size_t)((band - 1) * cv->stride + cv->k_h) * (size_t)cv->out_w * sizeof *f->win);
    if (!f->rows || !f->vec || !f->xs || !f->win || !f->dbuf) {
        fconv_free(f);
        return -1;
    }
    pack_rows(f, in);
    return 0;
}

/* Group g of a grouped conv as an ordinary conv over views of the caller's
 * arrays (nothing copied): in_c / groups input channels (the group's, which
 * are contiguous in the channel-major tensor), out_c / groups outputs, the
 * group's weight rows and thresholds. in_v is the group's input view. */
static bnn_conv group_view(const bnn_conv *cv, int g, const bnn_tensor *in, bnn_tensor *in_v)
{
    const int groups = bnn_conv_groups(cv), opg = cv->out_c / groups, cpg = cv->in_c / groups;
    bnn_conv s = *cv;
    s.groups = 1;
    s.in_c = cpg;
    s.out_c = opg;
    s.wt.rows = opg;
    s.wt.w = cv->wt.w + (size_t)g * (size_t)opg * (size_t)cv->wt.words;
    s.th.n = opg;
    s.th.neg = cv->th.neg + (size_t)g * (size_t)opg;
    s.th.t = cv->th.t + (size_t)g * (size_t)opg * (size_t)cv->th.pairs;
    *in_v = *in;
    in_v->c = cpg;
    in_v->v = in->v + (size_t)g * (size_t)cpg * (size_t)in->h * (size_t)in->w;
    return s;
}

static int conv_fast1(const bnn_conv *cv, const bnn_tensor *in, const bnn_tensor *sc, int sc_s, bnn_tensor *out,
                      int32_t *dot)
{
    fconv f;
    if (fconv_init(&f, cv, in, 0))
        return -1;
    f.sc = sc;
    f.sc_s = sc_s;
    for (int y0 = 0; y0 < cv->out_h; y0 += f.band) {
        int y1 = y0 + f.band < cv->out_h ? y0 + f.band : cv->out_h;
        pack_band(&f, y0, y1);
        compute_any(&f, y0 * cv->out_w, y1 * cv->out_w, out, dot);
    }
    fconv_free(&f);
    return 0;
}

int bnn_conv_fast(const bnn_conv *cv, const bnn_tensor *in, const bnn_tensor *sc, int sc_s, bnn_tensor *out,
                  int32_t *dot)
{
    const int groups = bnn_conv_groups(cv);
    if (cv->mult) { /* groups = 1 (checked by bnn_conv_forward) */
        bnn_conv ecv;
        bnn_tensor ein;
        if (bnn_conv_expand(cv, in, &ecv, &ein, 1))
            return -1;
        int rc = conv_fast1(&ecv, &ein, sc, sc_s, out, dot);
        bnn_conv_expand_free(&ecv, &ein);
        return rc;
    }
    if (groups == 1)
        return conv_fast1(cv, in, sc, sc_s, out, dot);
    /* grouped: each group packed and computed as its own ordinary conv; its
     * outputs, dots and shortcut channels are the group's slices */
    const int opg = cv->out_c / groups;
    const size_t npo = (size_t)cv->out_h * (size_t)cv->out_w;
    for (int g = 0; g < groups; g++) {
        bnn_tensor in_v, out_v = *out, sc_v;
        bnn_conv s = group_view(cv, g, in, &in_v);
        out_v.c = opg;
        out_v.v = out->v + (size_t)g * (size_t)opg * npo;
        const bnn_tensor *scp = NULL;
        if (sc && sc->c > g * opg) { /* the group's shortcut channels; beyond sc->c they are 0 */
            sc_v = *sc;
            sc_v.c = sc->c - g * opg < opg ? sc->c - g * opg : opg;
            sc_v.v = sc->v + (size_t)g * (size_t)opg * (size_t)sc->h * (size_t)sc->w;
            scp = &sc_v;
        }
        if (conv_fast1(&s, &in_v, scp, sc_s, &out_v, dot ? dot + (size_t)g * (size_t)opg * npo : NULL))
            return -1;
    }
    return 0;
}

/* Every output pixel's packed vectors of an ungrouped conv (bnn_conv_pack). */
static uint64_t *pack_all(const bnn_conv *cv, const bnn_tensor *in)
{
    fconv f;
    if (fconv_init(&f, cv, in, cv->out_h))
        return NULL;
    pack_band(&f, 0, cv->out_h);
    uint64_t *v = f.vec;
    f.vec = NULL;
    fconv_free(&f);
    return v;
}

uint64_t *bnn_conv_pack(const bnn_conv *cv, const bnn_tensor *in, int g)
{
    if (cv->mult) { /* groups = 1: the input's channel copies (packing reads no weights) */
        bnn_conv ecv;
        bnn_tensor ein;
        if (bnn_conv_expand(cv, in, &ecv, &ein, 0))
            return NULL;
        uint64_t *v = pack_all(&ecv, &ein);
        bnn_conv_expand_free(&ecv, &ein);
        return v;
    }
    bnn_tensor in_v;
    bnn_conv s = group_view(cv, g, in, &in_v);
    return pack_all(&s, &in_v);
}

int64_t bnn_fc_dot_fast(const uint32_t *a, int n, int bits, const bnn_bits *w, int row)
{
    const uint64_t *wr = w->w + (size_t)row * (size_t)w->words;
    int64_t pk[32] = {0}, xk[32] = {0};
    for (int j = 0; j * 64 < n; j++) {
        const int m = n - j * 64 < 64 ? n - j * 64 : 64;
        const uint32_t *aj = a + (size_t)j * 64;
        for (int k = 0; k < bits; k++) {
            uint64_t plane = 0;
            for (int i = 0; i < m; i++)
                plane |= (uint64_t)((aj[i] >> k) & 1u) << i;
            pk[k] += popc(plane & wr[j]);
            xk[k] += popc(plane);
        }
    }
    int64_t acc = 0;
    for (int k = bits - 1; k >= 0; k--)
        acc = 2 * acc + (2 * pk[k] - xk[k]);
    return acc;
}

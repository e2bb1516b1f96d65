/*
 * bnn_model.c - the .bnn model file: load, validate, save, names, MACs.
 *
 * File layout (docs/SPEC.md section 4, all little-endian):
 *
 *   header   magic "SCIMBNN1" | u32 version=1 | u16 in_c | u16 in_h | u16 in_w
 *            | u8 in_bits | u8 reserved=0 | u16 classes | u16 n_layers     (24 bytes)
 *   layers   u8 type, then
 *     CONV(1)       u16 in_c, out_c, in_h, in_w | u8 k_h, k_w, stride, pad_h, pad_w, in_bits
 *                   | i16 shortcut | weights out_c x ceil(n/8) | sign ceil(out_c/8)
 *                   | i32 T x out_c (x2 with a shortcut: T0, T1)
 *     SE(2)         u16 C, hidden | fc1 weights hidden x ceil(C/8) | sign ceil(hidden/8)
 *                   | i32 x hidden | fc2 weights C x ceil(hidden/8) | sign ceil(C/8) | i32 x C
 *     CLASSIFIER(3) u16 in_c, classes | weights classes x ceil(in_c/8) | f32 scale x classes
 *                   | f32 bias x classes
 *   trailer  u32 CRC-32 (zlib) of every byte before it
 *
 * Weight bits are LSB first within a byte, in canonical input order; unused
 * bits of a row's last byte must be 0. Every error names the file, the byte
 * offset and the field.
 */
#define _POSIX_C_SOURCE 200809L
#include "bnn_model.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "bnn_rng.h"

#define BNN_MAX_DIM 4096
#define BNN_MAX_IMG 1024
#define BNN_MAX_WEIGHT_BYTES (256u << 20)

int bnn_bitlen(unsigned n)
{
    int b = 1;
    while (b < 32 && (n >> b) != 0)
        b++;
    return b;
}

static void set_err(bnn_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

int bnn_bits_alloc(bnn_bits *b, int rows, int cols)
{
    b->rows = rows;
    b->cols = cols;
    b->words = (cols + 63) / 64;
    b->w = calloc((size_t)rows * (size_t)b->words + 1, sizeof *b->w);
    return b->w ? 0 : -1;
}

int bnn_thresh_alloc(bnn_thresh *t, int n, int pairs)
{
    t->n = n;
    t->pairs = pairs;
    t->neg = calloc((size_t)n + 1, 1);
    t->t = calloc((size_t)n * (size_t)pairs + 1, sizeof *t->t);
    return (t->neg && t->t) ? 0 : -1;
}

static void bits_free(bnn_bits *b) { free(b->w); b->w = NULL; }
static void thresh_free(bnn_thresh *t)
{
    free(t->neg);
    free(t->t);
    t->neg = NULL;
    t->t = NULL;
}

void bnn_model_free(bnn_model *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->n_layers && m->layers; i++) {
        bnn_layer *l = &m->layers[i];
        switch (l->type) {
        case BNN_CONV:
            bits_free(&l->u.conv.wt);
            thresh_free(&l->u.conv.th);
            break;
        case BNN_SE:
            bits_free(&l->u.se.fc1);
            thresh_free(&l->u.se.th1);
            bits_free(&l->u.se.fc2);
            thresh_free(&l->u.se.th2);
            break;
        case BNN_CLASSIFIER:
            bits_free(&l->u.cls.wt);
            free(l->u.cls.scale);
            free(l->u.cls.bias);
            break;
        }
    }
    free(m->layers);
    free(m);
}

/* ------------------------------------------------------------ reader ---- */

typedef struct rd {
    const uint8_t *p;
    size_t len, off;
    const char *name;
    bnn_error *err;
} rd;

static int rd_need(rd *r, size_t n, const char *field)
{
    if (r->len - r->off < n) {
        set_err(r->err, "%s: byte %zu: field '%s': file truncated (need %zu bytes, %zu left)",
                r->name, r->off, field, n, r->len - r->off);
        return -1;
    }
    return 0;
}

static int rd_uint(rd *r, int bytes, const char *field, long lo, long hi, long *v)
{
    size_t at = r->off;
    if (rd_need(r, (size_t)bytes, field))
        return -1;
    unsigned long x = 0;
    for (int i = 0; i < bytes; i++)
        x |= (unsigned long)r->p[r->off + (size_t)i] << (8 * i);
    r->off += (size_t)bytes;
    long val = (long)x;
    if (val < lo || val > hi) {
        set_err(r->err, "%s: byte %zu: field '%s': expected %ld..%ld, got %ld", r->name, at, field,
                lo, hi, val);
        return -1;
    }
    *v = val;
    return 0;
}

static int rd_i16(rd *r, const char *field, long lo, long hi, long *v)
{
    size_t at = r->off;
    if (rd_need(r, 2, field))
        return -1;
    int16_t x = (int16_t)(uint16_t)(r->p[r->off] | (r->p[r->off + 1] << 8));
    r->off += 2;
    if (x < lo || x > hi) {
        set_err(r->err, "%s: byte %zu: field '%s': expected %ld..%ld, got %d", r->name, at, field, lo,
                hi, (int)x);
        return -1;
    }
    *v = x;
    return 0;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Reads `rows` rows of ceil(cols/8) bytes into a packed matrix. */
static int rd_bits(rd *r, bnn_bits *b, int rows, int cols, const char *field)
{
    size_t rb = ((size_t)cols + 7) / 8;
    if (rd_need(r, rb * (size_t)rows, field))
        return -1;
    if (bnn_bits_alloc(b, rows, cols)) {
        set_err(r->err, "%s: byte %zu: field '%s': out of memory", r->name, r->off, field);
        return -1;
    }
    for (int o = 0; o < rows; o++) {
        const uint8_t *row = r->p + r->off;
        for (size_t j = 0; j < rb; j++)
            b->w[(size_t)o * (size_t)b->words + j / 8] |= (uint64_t)row[j] << (8 * (j % 8));
        if (cols % 8 && (row[rb - 1] >> (cols % 8))) {
            set_err(r->err, "%s: byte %zu: field '%s' row %d: unused weight bits are not 0", r->name,
                    r->off + rb - 1, field, o);
            return -1;
        }
        r->off += rb;
    }
    return 0;
}

static int rd_thresh(rd *r, bnn_thresh *t, int n, int pairs, const char *field)
{
    char f[96];
    size_t sb = ((size_t)n + 7) / 8;
    snprintf(f, sizeof f, "%s sign", field);
    if (rd_need(r, sb, f))
        return -1;
    if (bnn_thresh_alloc(t, n, pairs)) {
        set_err(r->err, "%s: byte %zu: field '%s': out of memory", r->name, r->off, field);
        return -1;
    }
    for (int o = 0; o < n; o++)
        t->neg[o] = (r->p[r->off + (size_t)o / 8] >> (o % 8)) & 1u;
    if (n % 8 && (r->p[r->off + sb - 1] >> (n % 8))) {
        set_err(r->err, "%s: byte %zu: field '%s': unused sign bits are not 0", r->name,
                r->off + sb - 1, f);
        return -1;
    }
    r->off += sb;
    snprintf(f, sizeof f, "%s thresholds", field);
    if (rd_need(r, 4 * (size_t)n * (size_t)pairs, f))
        return -1;
    for (int i = 0; i < n * pairs; i++) {
        t->t[i] = (int32_t)get_u32(r->p + r->off);
        r->off += 4;
    }
    return 0;
}

/* Weight budget check before allocating. */
static int budget(rd *r, size_t *used, size_t add, const char *field)
{
    if (add > BNN_MAX_WEIGHT_BYTES - *used) {
        set_err(r->err, "%s: byte %zu: field '%s': model exceeds %u MiB of weights", r->name, r->off,
                field, BNN_MAX_WEIGHT_BYTES >> 20);
        return -1;
    }
    *used += add;
    return 0;
}

static int load_conv(rd *r, bnn_conv *cv, size_t *used, const char *ln)
{
    char f[96];
    long v;
#define FIELD(s) (snprintf(f, sizeof f, "%s %s", ln, s), f)
    if (rd_uint(r, 2, FIELD("in_c"), 1, BNN_MAX_DIM, &v)) return -1;
    cv->in_c = (int)v;
    if (rd_uint(r, 2, FIELD("out_c"), 1, BNN_MAX_DIM, &v)) return -1;
    cv->out_c = (int)v;
    if (rd_uint(r, 2, FIELD("in_h"), 1, BNN_MAX_IMG, &v)) return -1;
    cv->in_h = (int)v;
    if (rd_uint(r, 2, FIELD("in_w"), 1, BNN_MAX_IMG, &v)) return -1;
    cv->in_w = (int)v;
    if (rd_uint(r, 1, FIELD("k_h"), 1, 7, &v)) return -1;
    cv->k_h = (int)v;
    if (rd_uint(r, 1, FIELD("k_w"), 1, 7, &v)) return -1;
    cv->k_w = (int)v;
    if (rd_uint(r, 1, FIELD("stride"), 1, 2, &v)) return -1;
    cv->stride = (int)v;
    if (rd_uint(r, 1, FIELD("pad_h"), 0, cv->k_h - 1, &v)) return -1;
    cv->pad_h = (int)v;
    if (rd_uint(r, 1, FIELD("pad_w"), 0, cv->k_w - 1, &v)) return -1;
    cv->pad_w = (int)v;
    if (rd_uint(r, 1, FIELD("in_bits"), 1, 8, &v)) return -1;
    cv->in_bits = (int)v;
    if (rd_i16(r, FIELD("shortcut"), -1, 1023, &v)) return -1;
    cv->shortcut = (int)v;
    int n = cv->in_c * cv->k_h * cv->k_w;
    if (budget(r, used, (size_t)cv->out_c * (((size_t)n + 7) / 8), FIELD("weights"))) return -1;
    if (rd_bits(r, &cv->wt, cv->out_c, n, FIELD("weights"))) return -1;
    return rd_thresh(r, &cv->th, cv->out_c, cv->shortcut >= 0 ? 2 : 1, ln);
#undef FIELD
}

static int load_se(rd *r, bnn_se *se, size_t *used, const char *ln)
{
    char f[96];
    long v;
    snprintf(f, sizeof f, "%s channels", ln);
    if (rd_uint(r, 2, f, 1, BNN_MAX_DIM, &v)) return -1;
    se->c = (int)v;
    snprintf(f, sizeof f, "%s hidden", ln);
    if (rd_uint(r, 2, f, 1, BNN_MAX_DIM, &v)) return -1;
    se->hidden = (int)v;
    snprintf(f, sizeof f, "%s fc1 weights", ln);
    if (budget(r, used, 2 * (size_t)se->c * (size_t)se->hidden / 8 + 16, f)) return -1;
    if (rd_bits(r, &se->fc1, se->hidden, se->c, f)) return -1;
    snprintf(f, sizeof f, "%s fc1", ln);
    if (rd_thresh(r, &se->th1, se->hidden, 1, f)) return -1;
    snprintf(f, sizeof f, "%s fc2 weights", ln);
    if (rd_bits(r, &se->fc2, se->c, se->hidden, f)) return -1;
    snprintf(f, sizeof f, "%s fc2", ln);
    return rd_thresh(r, &se->th2, se->c, 1, f);
}

static int load_cls(rd *r, bnn_classifier *c, size_t *used, const char *ln)
{
    char f[96];
    long v;
    snprintf(f, sizeof f, "%s in_c", ln);
    if (rd_uint(r, 2, f, 1, BNN_MAX_DIM, &v)) return -1;
    c->in_c = (int)v;
    snprintf(f, sizeof f, "%s classes", ln);
    if (rd_uint(r, 2, f, 1, 1000, &v)) return -1;
    c->classes = (int)v;
    snprintf(f, sizeof f, "%s weights", ln);
    if (budget(r, used, (size_t)c->classes * (((size_t)c->in_c + 7) / 8), f)) return -1;
    if (rd_bits(r, &c->wt, c->classes, c->in_c, f)) return -1;
    snprintf(f, sizeof f, "%s scale/bias", ln);
    if (rd_need(r, 8 * (size_t)c->classes, f)) return -1;
    c->scale = calloc((size_t)c->classes, sizeof(float));
    c->bias = calloc((size_t)c->classes, sizeof(float));
    if (!c->scale || !c->bias) {
        set_err(r->err, "%s: byte %zu: field '%s': out of memory", r->name, r->off, f);
        return -1;
    }
    for (int k = 0; k < c->classes; k++) {
        uint32_t u = get_u32(r->p + r->off);
        memcpy(&c->scale[k], &u, 4);
        r->off += 4;
    }
    for (int k = 0; k < c->classes; k++) {
        uint32_t u = get_u32(r->p + r->off);
        memcpy(&c->bias[k], &u, 4);
        r->off += 4;
    }
    return 0;
}

/* ----------------------------------------------------- validation ------ */

/* Running tensor shape while walking the layers. */
typedef struct shape {
    int c, h, w, bits;
} shape;

/* Names layers from the ResNet topology (docs/SPEC.md section 3). */
static void name_layers(bnn_model *m)
{
    int stage = 0, block = -1, width = 0;
    for (int i = 0; i < m->n_layers; i++) {
        bnn_layer *l = &m->layers[i];
        if (l->type == BNN_CLASSIFIER) {
            snprintf(l->name, sizeof l->name, "fc");
        } else if (l->type == BNN_SE) {
            if (block >= 0)
                snprintf(l->name, sizeof l->name, "s%db%dse", stage, block);
            else
                snprintf(l->name, sizeof l->name, "L%dse", i);
        } else if (l->u.conv.shortcut >= 0) {
            if (block >= 0 && i > 0 && m->layers[i - 1].type == BNN_CONV &&
                m->layers[i - 1].u.conv.shortcut < 0 && l->u.conv.shortcut == i - 1)
                snprintf(l->name, sizeof l->name, "s%db%db", stage, block);
            else
                snprintf(l->name, sizeof l->name, "L%d", i);
        } else if (i == 0) {
            snprintf(l->name, sizeof l->name, "conv1");
            width = l->u.conv.out_c;
        } else {
            const bnn_conv *cv = &l->u.conv;
            if (block < 0) {
                block = 0;
                stage = 0;
            } else if (cv->stride > 1 || cv->out_c != width) {
                stage++;
                block = 0;
            } else {
                block++;
            }
            width = cv->out_c;
            snprintf(l->name, sizeof l->name, "s%db%da", stage, block);
        }
    }
}

/* Option-A fit: shortcut tensor sc into an output of shape (c, h, w). */
static int option_a_stride(shape sc, int c, int h, int w)
{
    int s = (sc.h + h - 1) / h;
    if (sc.c > c || sc.bits != 1 || s < 1 || s > 2 || (sc.w + w - 1) / w != s ||
        (h - 1) * s > sc.h - 1 || (w - 1) * s > sc.w - 1)
        return 0;
    return s;
}

static int validate_walk(bnn_model *m, shape *in_shapes, const char *file, bnn_error *err)
{
    shape cur = {m->in_c, m->in_h, m->in_w, m->in_bits};
    for (int i = 0; i < m->n_layers; i++) {
        bnn_layer *l = &m->layers[i];
        in_shapes[i] = cur;
        if (l->type == BNN_CONV) {
            bnn_conv *cv = &l->u.conv;
            if (cv->in_c != cur.c || cv->in_h != cur.h || cv->in_w != cur.w || cv->in_bits != cur.bits) {
                set_err(err, "%s: layer %d: CONV input %dx%dx%d/%d bits does not match the previous output %dx%dx%d/%d bits",
                        file, i, cv->in_c, cv->in_h, cv->in_w, cv->in_bits, cur.c, cur.h, cur.w, cur.bits);
                return -1;
            }
            if (cv->pad_h >= cv->k_h || cv->pad_w >= cv->k_w || cv->stride < 1 || cv->stride > 2 ||
                cv->in_h + 2 * cv->pad_h < cv->k_h || cv->in_w + 2 * cv->pad_w < cv->k_w) {
                set_err(err, "%s: layer %d: CONV kernel %dx%d pad %d/%d stride %d does not fit input %dx%d",
                        file, i, cv->k_h, cv->k_w, cv->pad_h, cv->pad_w, cv->stride, cv->in_h, cv->in_w);
                return -1;
            }
            cv->out_h = (cv->in_h + 2 * cv->pad_h - cv->k_h) / cv->stride + 1;
            cv->out_w = (cv->in_w + 2 * cv->pad_w - cv->k_w) / cv->stride + 1;
            if (cv->shortcut >= 0) {
                if (cv->shortcut >= i || m->layers[cv->shortcut].type != BNN_CONV) {
                    set_err(err, "%s: layer %d: shortcut %d must name an earlier CONV layer", file, i,
                            cv->shortcut);
                    return -1;
                }
                if (!option_a_stride(in_shapes[cv->shortcut], cv->out_c, cv->out_h, cv->out_w)) {
                    shape s = in_shapes[cv->shortcut];
                    set_err(err, "%s: layer %d: shortcut tensor %dx%dx%d does not fit output %dx%dx%d by option A",
                            file, i, s.c, s.h, s.w, cv->out_c, cv->out_h, cv->out_w);
                    return -1;
                }
            }
            if (cv->th.pairs != (cv->shortcut >= 0 ? 2 : 1)) {
                set_err(err, "%s: layer %d: threshold pairs do not match the shortcut", file, i);
                return -1;
            }
            cur = (shape){cv->out_c, cv->out_h, cv->out_w, 1};
        } else if (l->type == BNN_SE) {
            bnn_se *se = &l->u.se;
            if (se->c != cur.c || cur.bits != 1) {
                set_err(err, "%s: layer %d: SE over %d channels, but the tensor has %d channels of %d bits",
                        file, i, se->c, cur.c, cur.bits);
                return -1;
            }
            se->h = cur.h;
            se->w = cur.w;
            se->q_bits = bnn_bitlen((unsigned)(cur.h * cur.w));
        } else if (l->type == BNN_CLASSIFIER) {
            bnn_classifier *c = &l->u.cls;
            if (i != m->n_layers - 1 || c->in_c != cur.c || cur.bits != 1 || c->classes != m->classes) {
                set_err(err, "%s: layer %d: CLASSIFIER must be last, with in_c %d == %d channels and classes %d == %d",
                        file, i, c->in_c, cur.c, c->classes, m->classes);
                return -1;
            }
            c->h = cur.h;
            c->w = cur.w;
            c->q_bits = bnn_bitlen((unsigned)(cur.h * cur.w));
        } else {
            set_err(err, "%s: layer %d: unknown type %d", file, i, (int)l->type);
            return -1;
        }
    }
    if (m->n_layers < 1 || m->layers[m->n_layers - 1].type != BNN_CLASSIFIER) {
        set_err(err, "%s: the last layer must be a CLASSIFIER", file);
        return -1;
    }
    name_layers(m);
    return 0;
}

int bnn_model_validate(bnn_model *m, bnn_error *err)
{
    if (m->in_c < 1 || m->in_c > BNN_MAX_DIM || m->in_h < 1 || m->in_h > BNN_MAX_IMG || m->in_w < 1 ||
        m->in_w > BNN_MAX_IMG || m->in_bits < 1 || m->in_bits > 8 || m->classes < 1 ||
        m->classes > 1000 || m->n_layers < 1 || m->n_layers > 1024) {
        set_err(err, "model: header out of range (in %dx%dx%d/%d bits, %d classes, %d layers)", m->in_c,
                m->in_h, m->in_w, m->in_bits, m->classes, m->n_layers);
        return -1;
    }
    shape *in_shapes = calloc((size_t)m->n_layers, sizeof *in_shapes);
    if (!in_shapes) {
        set_err(err, "model: out of memory");
        return -1;
    }
    int rc = validate_walk(m, in_shapes, "model", err);
    free(in_shapes);
    return rc;
}

int bnn_model_load_mem(const uint8_t *buf, size_t len, const char *name, bnn_model **out,
                       bnn_error *err)
{
    *out = NULL;
    rd r = {buf, len, 0, name, err};
    long v;
    if (rd_need(&r, 8, "magic"))
        return -1;
    if (memcmp(buf, BNN_MAGIC, 8) != 0) {
        set_err(err, "%s: byte 0: field 'magic': expected \"%s\", not a .bnn file", name, BNN_MAGIC);
        return -1;
    }
    r.off = 8;
    if (rd_uint(&r, 4, "version", BNN_VERSION, BNN_VERSION, &v))
        return -1;
    if (len < 28) {
        set_err(err, "%s: byte %zu: file truncated (%zu bytes is shorter than header + CRC)", name, len, len);
        return -1;
    }
    /* The CRC is checked first for the body, but after the magic/version so
     * that a wrong file type gets the clearer message. */
    uint32_t want = get_u32(buf + len - 4);
    uint32_t got = (uint32_t)crc32(0L, buf, (uInt)(len - 4));
    bnn_model *m = calloc(1, sizeof *m);
    if (!m) {
        set_err(err, "%s: out of memory", name);
        return -1;
    }
    r.len = len - 4; /* fields may not run into the CRC */
    int rc = -1;
    size_t used = 0;
    if (rd_uint(&r, 2, "in_c", 1, BNN_MAX_DIM, &v)) goto fail;
    m->in_c = (int)v;
    if (rd_uint(&r, 2, "in_h", 1, BNN_MAX_IMG, &v)) goto fail;
    m->in_h = (int)v;
    if (rd_uint(&r, 2, "in_w", 1, BNN_MAX_IMG, &v)) goto fail;
    m->in_w = (int)v;
    if (rd_uint(&r, 1, "in_bits", 1, 8, &v)) goto fail;
    m->in_bits = (int)v;
    if (rd_uint(&r, 1, "reserved", 0, 0, &v)) goto fail;
    if (rd_uint(&r, 2, "classes", 1, 1000, &v)) goto fail;
    m->classes = (int)v;
    if (rd_uint(&r, 2, "n_layers", 1, 1024, &v)) goto fail;
    int nl = (int)v;
    m->layers = calloc((size_t)nl, sizeof *m->layers);
    if (!m->layers) {
        set_err(err, "%s: out of memory", name);
        goto fail;
    }
    for (int i = 0; i < nl; i++) {
        char ln[32];
        snprintf(ln, sizeof ln, "layer %d", i);
        char f[48];
        snprintf(f, sizeof f, "%s type", ln);
        if (rd_uint(&r, 1, f, 1, 3, &v)) goto fail;
        m->layers[i].type = (bnn_layer_type)v;
        m->n_layers = i + 1; /* so that free() releases what was read */
        size_t at = r.off;
        int lr = v == BNN_CONV ? load_conv(&r, &m->layers[i].u.conv, &used, ln)
               : v == BNN_SE   ? load_se(&r, &m->layers[i].u.se, &used, ln)
                               : load_cls(&r, &m->layers[i].u.cls, &used, ln);
        (void)at;
        if (lr) goto fail;
    }
    if (r.off != r.len) {
        set_err(err, "%s: byte %zu: %zu unexpected bytes after the last layer (before the CRC)", name,
                r.off, r.len - r.off);
        goto fail;
    }
#ifdef SPARSECIM_FUZZ_NO_CRC
    want = got; /* fuzzing build only: reach the field checks behind the CRC */
#endif
    if (want != got) {
        set_err(err, "%s: byte %zu: field 'crc32': stored 0x%08x, computed 0x%08x (file corrupted)",
                name, len - 4, want, got);
        goto fail;
    }
    shape *in_shapes = calloc((size_t)m->n_layers, sizeof *in_shapes);
    if (!in_shapes) {
        set_err(err, "%s: out of memory", name);
        goto fail;
    }
    rc = validate_walk(m, in_shapes, name, err);
    free(in_shapes);
    if (rc)
        goto fail;
    *out = m;
    return 0;
fail:
    bnn_model_free(m);
    return -1;
}

int bnn_model_load(const char *path, bnn_model **out, bnn_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len < cap)
            break;
        if (cap >= (size_t)BNN_MAX_WEIGHT_BYTES + (1u << 20)) {
            free(buf);
            fclose(f);
            set_err(err, "%s: byte %zu: file larger than any valid model", path, len);
            return -1;
        }
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int ioerr = ferror(f);
    fclose(f);
    if (!buf || ioerr) {
        free(buf);
        set_err(err, "%s: read error", path);
        return -1;
    }
    int rc = bnn_model_load_mem(buf, len, path, out, err);
    free(buf);
    return rc;
}

/* ------------------------------------------------------------ writer ---- */

typedef struct wr {
    uint8_t *p;
    size_t len, cap;
    int oom;
} wr;

static void wr_bytes(wr *w, const void *src, size_t n)
{
    if (w->oom)
        return;
    if (w->len + n > w->cap) {
        size_t nc = w->cap ? w->cap : 4096;
        while (nc < w->len + n)
            nc *= 2;
        uint8_t *np = realloc(w->p, nc);
        if (!np) {
            w->oom = 1;
            return;
        }
        w->p = np;
        w->cap = nc;
    }
    memcpy(w->p + w->len, src, n);
    w->len += n;
}

static void wr_le(wr *w, uint32_t v, int bytes)
{
    uint8_t b[4];
    for (int i = 0; i < bytes; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    wr_bytes(w, b, (size_t)bytes);
}

static void wr_bits(wr *w, const bnn_bits *b)
{
    size_t rb = ((size_t)b->cols + 7) / 8;
    for (int o = 0; o < b->rows; o++)
        for (size_t j = 0; j < rb; j++) {
            uint8_t byte = (uint8_t)(b->w[(size_t)o * (size_t)b->words + j / 8] >> (8 * (j % 8)));
            wr_bytes(w, &byte, 1);
        }
}

static void wr_thresh(wr *w, const bnn_thresh *t)
{
    for (int j = 0; j < (t->n + 7) / 8; j++) {
        uint8_t byte = 0;
        for (int k = 0; k < 8 && j * 8 + k < t->n; k++)
            byte |= (uint8_t)((t->neg[j * 8 + k] ? 1 : 0) << k);
        wr_bytes(w, &byte, 1);
    }
    for (int i = 0; i < t->n * t->pairs; i++)
        wr_le(w, (uint32_t)t->t[i], 4);
}

int bnn_model_serialize(const bnn_model *m, uint8_t **buf, size_t *len, bnn_error *err)
{
    wr w = {0};
    wr_bytes(&w, BNN_MAGIC, 8);
    wr_le(&w, BNN_VERSION, 4);
    wr_le(&w, (uint32_t)m->in_c, 2);
    wr_le(&w, (uint32_t)m->in_h, 2);
    wr_le(&w, (uint32_t)m->in_w, 2);
    wr_le(&w, (uint32_t)m->in_bits, 1);
    wr_le(&w, 0, 1);
    wr_le(&w, (uint32_t)m->classes, 2);
    wr_le(&w, (uint32_t)m->n_layers, 2);
    for (int i = 0; i < m->n_layers; i++) {
        const bnn_layer *l = &m->layers[i];
        wr_le(&w, (uint32_t)l->type, 1);
        if (l->type == BNN_CONV) {
            const bnn_conv *c = &l->u.conv;
            wr_le(&w, (uint32_t)c->in_c, 2);
            wr_le(&w, (uint32_t)c->out_c, 2);
            wr_le(&w, (uint32_t)c->in_h, 2);
            wr_le(&w, (uint32_t)c->in_w, 2);
            wr_le(&w, (uint32_t)c->k_h, 1);
            wr_le(&w, (uint32_t)c->k_w, 1);
            wr_le(&w, (uint32_t)c->stride, 1);
            wr_le(&w, (uint32_t)c->pad_h, 1);
            wr_le(&w, (uint32_t)c->pad_w, 1);
            wr_le(&w, (uint32_t)c->in_bits, 1);
            wr_le(&w, (uint32_t)(uint16_t)(int16_t)c->shortcut, 2);
            wr_bits(&w, &c->wt);
            wr_thresh(&w, &c->th);
        } else if (l->type == BNN_SE) {
            const bnn_se *s = &l->u.se;
            wr_le(&w, (uint32_t)s->c, 2);
            wr_le(&w, (uint32_t)s->hidden, 2);
            wr_bits(&w, &s->fc1);
            wr_thresh(&w, &s->th1);
            wr_bits(&w, &s->fc2);
            wr_thresh(&w, &s->th2);
        } else {
            const bnn_classifier *c = &l->u.cls;
            wr_le(&w, (uint32_t)c->in_c, 2);
            wr_le(&w, (uint32_t)c->classes, 2);
            wr_bits(&w, &c->wt);
            for (int k = 0; k < c->classes; k++) {
                uint32_t u;
                memcpy(&u, &c->scale[k], 4);
                wr_le(&w, u, 4);
            }
            for (int k = 0; k < c->classes; k++) {
                uint32_t u;
                memcpy(&u, &c->bias[k], 4);
                wr_le(&w, u, 4);
            }
        }
    }
    if (!w.oom)
        wr_le(&w, (uint32_t)crc32(0L, w.p, (uInt)w.len), 4);
    if (w.oom) {
        free(w.p);
        set_err(err, "serialize: out of memory");
        return -1;
    }
    *buf = w.p;
    *len = w.len;
    return 0;
}

int bnn_model_save(const bnn_model *m, const char *path, bnn_error *err)
{
    uint8_t *buf;
    size_t len;
    if (bnn_model_serialize(m, &buf, &len, err))
        return -1;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        set_err(err, "%s: cannot create: %s", tmp, strerror(errno));
        free(buf);
        return -1;
    }
    int ok = fwrite(buf, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    free(buf);
    if (!ok || rename(tmp, path) != 0) {
        set_err(err, "%s: write failed: %s", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

uint64_t bnn_model_macs(const bnn_model *m)
{
    uint64_t macs = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const bnn_layer *l = &m->layers[i];
        if (l->type == BNN_CONV) {
            const bnn_conv *c = &l->u.conv;
            macs += (uint64_t)c->out_c * (uint64_t)c->out_h * (uint64_t)c->out_w *
                    (uint64_t)(c->in_c * c->k_h * c->k_w) * (uint64_t)c->in_bits;
        } else if (l->type == BNN_SE) {
            const bnn_se *s = &l->u.se;
            macs += (uint64_t)s->hidden * (uint64_t)s->c * (uint64_t)s->q_bits +
                    (uint64_t)s->c * (uint64_t)s->hidden;
        } else {
            const bnn_classifier *c = &l->u.cls;
            macs += (uint64_t)c->classes * (uint64_t)c->in_c * (uint64_t)c->q_bits;
        }
    }
    return macs;
}

/* ------------------------------------------------- random generator ---- */

static void random_bits(bnn_bits *b, bnn_rng *r)
{
    for (int o = 0; o < b->rows; o++)
        for (int i = 0; i < b->cols; i++)
            bnn_bits_set(b, o, i, (int)(bnn_rng_u64(r) & 1u));
}

/* Threshold near the middle of the dot's distribution: spread ~ sigma/2. */
static void random_thresh(bnn_thresh *t, bnn_rng *r, double center, double sigma, int neg_ok)
{
    for (int o = 0; o < t->n; o++) {
        t->neg[o] = neg_ok ? (bnn_rng_range(r, 0, 7) == 0) : 0;
        int spread = (int)(sigma / 2) + 1;
        int base = (int)center + bnn_rng_range(r, -spread, spread);
        if (t->pairs == 2) {
            int d = bnn_rng_range(r, 0, (int)(sigma / 2) + 1);
            t->t[2 * o] = base + d;     /* shortcut bit 0: harder */
            t->t[2 * o + 1] = base - d; /* shortcut bit 1: easier */
        } else {
            t->t[o] = base;
        }
    }
}

static int add_conv(bnn_model *m, int *nl, bnn_rng *r, int in_c, int out_c, int h, int w, int stride,
                    int in_bits, int shortcut)
{
    bnn_layer *l = &m->layers[(*nl)++];
    m->n_layers = *nl;
    l->type = BNN_CONV;
    bnn_conv *c = &l->u.conv;
    *c = (bnn_conv){.in_c = in_c, .out_c = out_c, .in_h = h, .in_w = w, .k_h = 3, .k_w = 3,
                    .stride = stride, .pad_h = 1, .pad_w = 1, .in_bits = in_bits, .shortcut = shortcut};
    int n = in_c * 9;
    if (bnn_bits_alloc(&c->wt, out_c, n) || bnn_thresh_alloc(&c->th, out_c, shortcut >= 0 ? 2 : 1))
        return -1;
    random_bits(&c->wt, r);
    /* 8-bit image: activations ~ half of 255 on average, dot sigma ~ sqrt(n)*150 */
    double sigma = in_bits > 1 ? 150.0 * sqrt(n) : sqrt(n * 0.5);
    random_thresh(&c->th, r, 0.0, sigma, 1);
    return 0;
}

static int add_se(bnn_model *m, int *nl, bnn_rng *r, int c, int h, int w)
{
    bnn_layer *l = &m->layers[(*nl)++];
    m->n_layers = *nl;
    l->type = BNN_SE;
    bnn_se *s = &l->u.se;
    s->c = c;
    s->hidden = c / 4 > 1 ? c / 4 : 1;
    if (bnn_bits_alloc(&s->fc1, s->hidden, c) || bnn_thresh_alloc(&s->th1, s->hidden, 1) ||
        bnn_bits_alloc(&s->fc2, c, s->hidden) || bnn_thresh_alloc(&s->th2, c, 1))
        return -1;
    random_bits(&s->fc1, r);
    random_bits(&s->fc2, r);
    /* squeeze counts ~ h*w/2 each: FC1 dot sigma ~ sqrt(c) * h*w/4 */
    random_thresh(&s->th1, r, 0.0, sqrt((double)c) * h * w / 4.0, 1);
    random_thresh(&s->th2, r, 0.0, sqrt((double)s->hidden), 1);
    return 0;
}

int bnn_model_random(const bnn_random_opts *o, bnn_model **out, bnn_error *err)
{
    *out = NULL;
    if (o->depth < 8 || (o->depth - 2) % 6 || o->depth > 200) {
        set_err(err, "random model: depth %d is not 6n+2 (8, 14, 20, 32 ...)", o->depth);
        return -1;
    }
    if (o->width < 1 || o->width * 4 > BNN_MAX_DIM || o->in_c < 1 || o->in_c > 4 || o->in_h < 4 ||
        o->in_w < 4 || o->in_h > BNN_MAX_IMG || o->in_w > BNN_MAX_IMG || o->classes < 1 ||
        o->classes > 1000) {
        set_err(err, "random model: width %d, input %dx%dx%d or classes %d out of range", o->width,
                o->in_h, o->in_w, o->in_c, o->classes);
        return -1;
    }
    int n = (o->depth - 2) / 6;
    int max_layers = 1 + 3 * n * 3 + 1;
    bnn_model *m = calloc(1, sizeof *m);
    if (!m || !(m->layers = calloc((size_t)max_layers, sizeof *m->layers))) {
        free(m);
        set_err(err, "random model: out of memory");
        return -1;
    }
    bnn_rng r;
    bnn_rng_seed(&r, o->seed);
    m->in_c = o->in_c;
    m->in_h = o->in_h;
    m->in_w = o->in_w;
    m->in_bits = 8;
    m->classes = o->classes;
    int nl = 0, h = o->in_h, w = o->in_w, c = o->width;
    int fail = add_conv(m, &nl, &r, o->in_c, c, h, w, 1, 8, -1);
    for (int s = 0; s < 3 && !fail; s++) {
        int cout = o->width << s;
        for (int b = 0; b < n && !fail; b++) {
            int stride = (s > 0 && b == 0) ? 2 : 1;
            int ia = nl;
            fail |= add_conv(m, &nl, &r, c, cout, h, w, stride, 1, -1);
            h = (h + 2 - 3) / stride + 1;
            w = (w + 2 - 3) / stride + 1;
            c = cout;
            fail |= fail ? 0 : add_conv(m, &nl, &r, c, c, h, w, 1, 1, ia);
            if (o->se && !fail)
                fail |= add_se(m, &nl, &r, c, h, w);
        }
    }
    if (!fail) {
        bnn_layer *l = &m->layers[nl++];
        m->n_layers = nl;
        l->type = BNN_CLASSIFIER;
        bnn_classifier *cl = &l->u.cls;
        cl->in_c = c;
        cl->classes = o->classes;
        cl->scale = calloc((size_t)o->classes, sizeof(float));
        cl->bias = calloc((size_t)o->classes, sizeof(float));
        fail = bnn_bits_alloc(&cl->wt, o->classes, c) || !cl->scale || !cl->bias;
        if (!fail) {
            random_bits(&cl->wt, &r);
            for (int k = 0; k < o->classes; k++) {
                cl->scale[k] = (float)(0.01 + 0.1 * bnn_rng_unit(&r));
                cl->bias[k] = (float)(bnn_rng_unit(&r) - 0.5);
            }
        }
    }
    if (fail) {
        bnn_model_free(m);
        set_err(err, "random model: out of memory");
        return -1;
    }
    if (bnn_model_validate(m, err)) {
        bnn_model_free(m);
        return -1;
    }
    *out = m;
    return 0;
}

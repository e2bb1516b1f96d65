/*
 * bnn_model_check.c - the complete check of a model (docs/SPEC.md 2-4):
 * header and field ranges, the shape chain, shortcuts (option A), array
 * sizes and unused bits, multiplicities, classifier last. Used by bnn_model_validate()
 * (in-memory models) and by the loader (messages then carry byte offsets).
 * Fills the derived fields: conv out_h/out_w, SE/classifier h, w, q_bits,
 * and the layer names.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/bnn_model.h"
#include "model/bnn_model_int.h"

typedef struct ck {
    bnn_model *m;
    const char *file;
    const size_t *rec;  /* record offsets, NULL for in-memory models */
    unsigned version;   /* file version (the CONV record's offsets: 1, 2 or 3), 1 in memory */
    bnn_error *err;
} ck;

/* Running tensor while walking the layers. */
typedef struct shape {
    int c, h, w, bits;
} shape;

/* One-line error: "FILE: byte N: field 'layer I (NAME) FIELD': ...".
 * layer < 0: a header field at absolute offset `off`; otherwise `off` is
 * relative to the layer's record, (size_t)-1 when no offset applies. */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static int fail(const ck *c, int layer, size_t off, const char *field, const char *fmt, ...)
{
    char where[64] = "", what[128], why[300];
    if (c->rec && off != (size_t)-1)
        snprintf(where, sizeof where, "byte %zu: ", layer < 0 ? off : c->rec[layer] + off);
    if (layer < 0)
        snprintf(what, sizeof what, "%s", field);
    else
        snprintf(what, sizeof what, "layer %d (%s) %s", layer, c->m->layers[layer].name, field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    bnn_set_err(c->err, "%s: %sfield '%s': %s", c->file, where, what, why);
    return -1;
}

static int range(const ck *c, int layer, size_t off, const char *field, long v, long lo, long hi)
{
    if (v < lo || v > hi)
        return fail(c, layer, off, field, "expected %ld..%ld, got %ld", lo, hi, v);
    return 0;
}

/* The chain rule: a layer's input field must equal the running tensor's. */
static int chain(const ck *c, int layer, size_t off, const char *field, long v, long want)
{
    if (v != want) {
        if (layer == 0)
            return fail(c, layer, off, field, "expected %ld (the image), got %ld", want, v);
        return fail(c, layer, off, field, "expected %ld (output of layer %d (%s)), got %ld", want,
                    layer - 1, c->m->layers[layer - 1].name, v);
    }
    return 0;
}

/* A packed matrix of the right size whose unused bits are 0. */
static int bits_ok(const ck *c, int layer, size_t off, const char *field, const bnn_bits *b, int rows,
                   int cols)
{
    if (!b->w || b->rows != rows || b->cols != cols || b->words != (cols + 63) / 64)
        return fail(c, layer, off, field, "expected a %dx%d bit matrix, got %dx%d (%d words/row%s)", rows,
                    cols, b->rows, b->cols, b->words, b->w ? "" : ", no data");
    if (cols % 64) {
        uint64_t unused = ~(uint64_t)0 << (cols % 64);
        for (int r = 0; r < rows; r++)
            if (b->w[(size_t)r * (size_t)b->words + (size_t)b->words - 1] & unused)
                return fail(c, layer, off, field, "row %d: unused weight bits are not 0", r);
    }
    return 0;
}

static int thresh_ok(const ck *c, int layer, size_t off, const char *field, const bnn_thresh *t, int n,
                     int pairs)
{
    if (!t->neg || !t->t || t->n != n || t->pairs != pairs)
        return fail(c, layer, off, field, "expected %d outputs x %d thresholds, got %d x %d%s", n, pairs,
                    t->n, t->pairs, (t->neg && t->t) ? "" : " (no data)");
    for (int o = 0; o < n; o++)
        if (t->neg[o] > 1)
            return fail(c, layer, off, field, "sign flag %d is %d, expected 0 or 1", o, t->neg[o]);
    return 0;
}

/* Option-A stride of shortcut tensor sc into an output c x h x w: 1 or 2, 0 if it does not fit. */
static int option_a_stride(shape sc, int c, int h, int w)
{
    int s = (sc.h + h - 1) / h;
    if (sc.c > c || sc.bits != 1 || s < 1 || s > 2 || (sc.w + w - 1) / w != s || (h - 1) * s > sc.h - 1 ||
        (w - 1) * s > sc.w - 1)
        return 0;
    return s;
}

/* Multiplicities (docs/SPEC.md section 2): none (NULL), or in_c values
 * 1..BNN_MAX_MULT, not all 1, on an ungrouped conv only. In a file of
 * version 3 the flag is at +19 and the values at +20 (the loader has
 * checked them already as it read them; the messages here are the same). */
static int check_mult(const ck *c, int i, const bnn_conv *cv)
{
    if (!cv->mult)
        return 0;
    const int in_file = c->version >= BNN_VERSION_MULT;
    const size_t foff = in_file ? BNN_REC_CONV_MULT_FLAG : (size_t)-1;
    const size_t moff = in_file ? BNN_REC_CONV_MULT : (size_t)-1;
    if (bnn_conv_groups(cv) > 1)
        return fail(c, i, foff, in_file ? "mult flag" : "multiplicities", "multiplicities on a conv of %d groups "
                    "(they are for ungrouped convs only)", bnn_conv_groups(cv));
    int above = 0;
    for (int ch = 0; ch < cv->in_c; ch++) {
        if (cv->mult[ch] < 1 || cv->mult[ch] > BNN_MAX_MULT)
            return fail(c, i, in_file ? moff + (size_t)ch : moff, "multiplicities",
                        "multiplicity of channel %d: expected 1..%d, got %d", ch, BNN_MAX_MULT, cv->mult[ch]);
        above |= cv->mult[ch] > 1;
    }
    if (!above)
        return fail(c, i, moff, "multiplicities", in_file ? "all 1 (write flag 0)"
                                                           : "all 1 (use mult = NULL: no multiplicities)");
    return 0;
}

static int check_conv(const ck *c, int i, shape *cur, const shape *in_shapes)
{
    bnn_conv *cv = &c->m->layers[i].u.conv;
    if (chain(c, i, BNN_REC_CONV_IN_C, "in_c", cv->in_c, cur->c) ||
        range(c, i, BNN_REC_CONV_OUT_C, "out_c", cv->out_c, 1, BNN_MAX_CH) ||
        chain(c, i, BNN_REC_CONV_IN_H, "in_h", cv->in_h, cur->h) ||
        chain(c, i, BNN_REC_CONV_IN_W, "in_w", cv->in_w, cur->w) ||
        range(c, i, BNN_REC_CONV_K_H, "k_h", cv->k_h, 1, BNN_MAX_K) ||
        range(c, i, BNN_REC_CONV_K_W, "k_w", cv->k_w, 1, BNN_MAX_K) ||
        range(c, i, BNN_REC_CONV_STRIDE, "stride", cv->stride, 1, BNN_MAX_STRIDE) ||
        range(c, i, BNN_REC_CONV_PAD_H, "pad_h", cv->pad_h, 0, cv->k_h - 1) ||
        range(c, i, BNN_REC_CONV_PAD_W, "pad_w", cv->pad_w, 0, cv->k_w - 1) ||
        chain(c, i, BNN_REC_CONV_IN_BITS, "in_bits", cv->in_bits, cur->bits) ||
        range(c, i, BNN_REC_CONV_SHORTCUT, "shortcut", cv->shortcut, -1, i - 1))
        return -1;
    /* groups: 0 (in memory) is read as 1; in a file it is 1..in_c (version >= 2) */
    const size_t goff = c->version >= BNN_VERSION_GROUPS ? BNN_REC_CONV_GROUPS : (size_t)-1;
    const size_t woff = bnn_rec_conv_weights(c->version, cv->in_c, cv->mult != NULL);
    if (range(c, i, goff, "groups", cv->groups, 0, cv->in_c))
        return -1;
    const int groups = bnn_conv_groups(cv);
    if (cv->in_c % groups || cv->out_c % groups)
        return fail(c, i, goff, "groups", "expected a divisor of in_c %d and of out_c %d, got %d", cv->in_c,
                    cv->out_c, groups);
    if (check_mult(c, i, cv))
        return -1;
    if (cv->in_h + 2 * cv->pad_h < cv->k_h)
        return fail(c, i, BNN_REC_CONV_K_H, "k_h", "kernel height %d does not fit input height %d + 2 x pad %d",
                    cv->k_h, cv->in_h, cv->pad_h);
    if (cv->in_w + 2 * cv->pad_w < cv->k_w)
        return fail(c, i, BNN_REC_CONV_K_W, "k_w", "kernel width %d does not fit input width %d + 2 x pad %d",
                    cv->k_w, cv->in_w, cv->pad_w);
    cv->out_h = (cv->in_h + 2 * cv->pad_h - cv->k_h) / cv->stride + 1;
    cv->out_w = (cv->in_w + 2 * cv->pad_w - cv->k_w) / cv->stride + 1;
    if (cv->shortcut >= 0) {
        const bnn_layer *s = &c->m->layers[cv->shortcut];
        if (s->type != BNN_CONV)
            return fail(c, i, BNN_REC_CONV_SHORTCUT, "shortcut", "layer %d (%s) is not a CONV layer",
                        cv->shortcut, s->name);
        shape sc = in_shapes[cv->shortcut];
        if (!option_a_stride(sc, cv->out_c, cv->out_h, cv->out_w))
            return fail(c, i, BNN_REC_CONV_SHORTCUT, "shortcut",
                        "input of layer %d (%s), CxHxW %dx%dx%d of %d-bit values, does not fit the output CxHxW %dx%dx%d by option A (1-bit, C <= out_c, stride 1 or 2)",
                        cv->shortcut, s->name, sc.c, sc.h, sc.w, sc.bits, cv->out_c, cv->out_h, cv->out_w);
    }
    int n = bnn_conv_n(cv);
    size_t wend = woff + (size_t)cv->out_c * (((size_t)n + 7) / 8);
    if (bits_ok(c, i, woff, "weights", &cv->wt, cv->out_c, n) ||
        thresh_ok(c, i, wend, "sign/thresholds", &cv->th, cv->out_c, cv->shortcut >= 0 ? 2 : 1))
        return -1;
    *cur = (shape){cv->out_c, cv->out_h, cv->out_w, 1};
    return 0;
}

static int check_se(const ck *c, int i, const shape *cur)
{
    bnn_se *se = &c->m->layers[i].u.se;
    if (chain(c, i, BNN_REC_SE_C, "channels", se->c, cur->c) ||
        range(c, i, BNN_REC_SE_HIDDEN, "hidden", se->hidden, 1, BNN_MAX_CH))
        return -1;
    if (cur->bits != 1)
        return fail(c, i, BNN_REC_SE_C, "channels", "the input tensor has %d-bit values, SE needs 1-bit",
                    cur->bits);
    size_t fc2 = BNN_REC_SE_FC1 + (size_t)se->hidden * (((size_t)se->c + 7) / 8 + 4) +
                 ((size_t)se->hidden + 7) / 8;
    if (bits_ok(c, i, BNN_REC_SE_FC1, "fc1 weights", &se->fc1, se->hidden, se->c) ||
        thresh_ok(c, i, (size_t)-1, "fc1 sign/thresholds", &se->th1, se->hidden, 1) ||
        bits_ok(c, i, fc2, "fc2 weights", &se->fc2, se->c, se->hidden) ||
        thresh_ok(c, i, (size_t)-1, "fc2 sign/thresholds", &se->th2, se->c, 1))
        return -1;
    se->h = cur->h;
    se->w = cur->w;
    se->q_bits = bnn_bitlen((unsigned)(cur->h * cur->w));
    return 0;
}

static int check_cls(const ck *c, int i, const shape *cur)
{
    bnn_classifier *cl = &c->m->layers[i].u.cls;
    if (i != c->m->n_layers - 1)
        return fail(c, i, 0, "type", "CLASSIFIER must be the last layer (there are %d)", c->m->n_layers);
    if (chain(c, i, BNN_REC_CLS_IN_C, "in_c", cl->in_c, cur->c))
        return -1;
    if (cl->classes != c->m->classes)
        return fail(c, i, BNN_REC_CLS_CLASSES, "classes", "expected %d (the header's classes), got %d",
                    c->m->classes, cl->classes);
    if (cur->bits != 1)
        return fail(c, i, BNN_REC_CLS_IN_C, "in_c", "the input tensor has %d-bit values, CLASSIFIER needs 1-bit",
                    cur->bits);
    if (bits_ok(c, i, BNN_REC_CLS_WEIGHTS, "weights", &cl->wt, cl->classes, cl->in_c))
        return -1;
    if (!cl->scale || !cl->bias)
        return fail(c, i, (size_t)-1, "scale/bias", "missing");
    cl->h = cur->h;
    cl->w = cur->w;
    cl->q_bits = bnn_bitlen((unsigned)(cur->h * cur->w));
    return 0;
}

static int check_header(const ck *c)
{
    const bnn_model *m = c->m;
    if (range(c, -1, BNN_HDR_IN_C, "in_c", m->in_c, 1, BNN_MAX_CH) ||
        range(c, -1, BNN_HDR_IN_H, "in_h", m->in_h, 1, BNN_MAX_IMG) ||
        range(c, -1, BNN_HDR_IN_W, "in_w", m->in_w, 1, BNN_MAX_IMG) ||
        range(c, -1, BNN_HDR_IN_BITS, "in_bits", m->in_bits, 1, 8) ||
        range(c, -1, BNN_HDR_CLASSES, "classes", m->classes, 1, BNN_MAX_CLASSES) ||
        range(c, -1, BNN_HDR_N_LAYERS, "n_layers", m->n_layers, 1, BNN_MAX_LAYERS))
        return -1;
    if (!m->layers)
        return fail(c, -1, (size_t)-1, "layers", "missing");
    for (int i = 0; i < m->n_layers; i++) {
        int t = (int)m->layers[i].type;
        if (t < BNN_CONV || t > BNN_CLASSIFIER) {
            snprintf(m->layers[i].name, sizeof m->layers[i].name, "L%d", i);
            return fail(c, i, 0, "type", "expected 1..3 (CONV, SE, CLASSIFIER), got %d", t);
        }
    }
    return 0;
}

static size_t matrix_bytes(const bnn_bits *b)
{
    return (size_t)b->rows * (((size_t)b->cols + 7) / 8);
}

/* Packed weight bytes of a checked model, as stored in the file. */
static size_t weight_bytes(const bnn_model *m)
{
    size_t sum = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const bnn_layer *l = &m->layers[i];
        if (l->type == BNN_CONV)
            sum += matrix_bytes(&l->u.conv.wt);
        else if (l->type == BNN_SE)
            sum += matrix_bytes(&l->u.se.fc1) + matrix_bytes(&l->u.se.fc2);
        else
            sum += matrix_bytes(&l->u.cls.wt);
    }
    return sum;
}

int bnn_model_check(bnn_model *m, const char *file, const size_t *rec_off, bnn_error *err)
{
    return bnn_model_check_file(m, file, rec_off, BNN_VERSION, err);
}

int bnn_model_check_file(bnn_model *m, const char *file, const size_t *rec_off, unsigned version,
                         bnn_error *err)
{
    ck c = {m, file, rec_off, version, err};
    if (check_header(&c))
        return -1;
    bnn_model_name_layers(m);
    shape *in_shapes = calloc((size_t)m->n_layers, sizeof *in_shapes);
    if (!in_shapes) {
        bnn_set_err(err, "%s: out of memory", file);
        return -1;
    }
    shape cur = {m->in_c, m->in_h, m->in_w, m->in_bits};
    int rc = 0;
    /* activations are not backed by file bytes: a small file may claim a
     * huge input, so every tensor and the whole trace are limited before
     * anything is allocated for them */
    uint64_t trace = 0;
    if ((uint64_t)m->in_c * (uint64_t)m->in_h * (uint64_t)m->in_w > BNN_MAX_ACT_ELEMS)
        rc = fail(&c, -1, BNN_HDR_IN_C, "in_c", "input %dx%dx%d (CxHxW) has more than %u elements (the limit)", m->in_c,
                  m->in_h, m->in_w, BNN_MAX_ACT_ELEMS);
    for (int i = 0; i < m->n_layers && !rc; i++) {
        in_shapes[i] = cur;
        trace += 2 * (uint64_t)cur.c * (uint64_t)cur.h * (uint64_t)cur.w;
        switch (m->layers[i].type) {
        case BNN_CONV:
            rc = check_conv(&c, i, &cur, in_shapes);
            if (!rc && (uint64_t)cur.c * (uint64_t)cur.h * (uint64_t)cur.w > BNN_MAX_ACT_ELEMS)
                rc = fail(&c, i, BNN_REC_CONV_OUT_C, "out_c", "output %dx%dx%d has more than %u elements (the limit)",
                          cur.c, cur.h, cur.w, BNN_MAX_ACT_ELEMS);
            trace += 4 * (uint64_t)cur.c * (uint64_t)cur.h * (uint64_t)cur.w;
            if (!rc && trace > BNN_MAX_TRACE_BYTES)
                rc = fail(&c, i, BNN_REC_CONV_OUT_C, "out_c", "the activations up to this layer need more than %u MiB "
                          "per image (the limit)", BNN_MAX_TRACE_BYTES >> 20);
            break;
        case BNN_SE:
            rc = check_se(&c, i, &cur);
            break;
        case BNN_CLASSIFIER:
            rc = check_cls(&c, i, &cur);
            break;
        }
    }
    free(in_shapes);
    if (!rc && weight_bytes(m) > BNN_MAX_WEIGHT_BYTES)
        rc = fail(&c, -1, (size_t)-1, "weights", "%zu bytes of packed weights, the limit is %u MiB",
                  weight_bytes(m), BNN_MAX_WEIGHT_BYTES >> 20);
    if (!rc && m->layers[m->n_layers - 1].type != BNN_CLASSIFIER)
        rc = fail(&c, m->n_layers - 1, 0, "type", "the last layer must be a CLASSIFIER (type 3), got %d",
                  (int)m->layers[m->n_layers - 1].type);
    return rc;
}

int bnn_model_validate(bnn_model *m, bnn_error *err)
{
    return bnn_model_check(m, "model", NULL, err);
}

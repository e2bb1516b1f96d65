/*
 * bnn_model.c - model memory (alloc/free), bitlen, MAC count, layer names.
 *
 * The model code is split by job:
 *   bnn_model.c         this file
 *   bnn_model_check.c   bnn_model_validate(): ranges, shape chain, shortcuts
 *                       (it calls this file, never the other way round)
 *   bnn_model_io.c      .bnn reader / writer (load, load_mem, serialize, save)
 *   bnn_model_random.c  the random ResNet generator
 *
 * The .bnn file, versions 1, 2 and 3 (docs/SPEC.md section 4,
 * docs/FORMAT.md), all integers little-endian, decoded byte by byte (no
 * host-order casts); version 2 only adds the CONV record's u16 groups
 * (+17), and is written only when a CONV has groups > 1 (and none has
 * multiplicities); version 3 adds after the groups a u8 mult flag (+19)
 * and, with flag 1, in_c u8 multiplicities (+20), and is written only when
 * a CONV has multiplicities:
 *
 *   off  size  field       range / meaning
 *   0    8     magic       "SCIMBNN1"
 *   8    4     version     u32 = 1, 2 (a CONV with groups > 1) or 3 (a CONV with multiplicities)
 *   12   2     in_c        u16 image channels       1..4096
 *   14   2     in_h        u16 image height         1..1024
 *   16   2     in_w        u16 image width          1..1024
 *   18   1     in_bits     u8 bits per pixel        1..8
 *   19   1     reserved    u8 = 0
 *   20   2     classes     u16                      1..1000
 *   22   2     n_layers    u16                      1..1024
 *   24   ...   n_layers layer records, each starting with u8 type:
 *
 *   CONV (type 1), 17-byte head then data:
 *     +1 u16 in_c 1..4096   +3 u16 out_c 1..4096  +5 u16 in_h 1..1024  +7 u16 in_w 1..1024
 *     +9 u8 k_h 1..7  +10 u8 k_w 1..7  +11 u8 stride 1..2  +12 u8 pad_h 0..k_h-1
 *     +13 u8 pad_w 0..k_w-1  +14 u8 in_bits 1..8  +15 i16 shortcut -1 or 0..index-1
 *     version 2: +17 u16 groups 1..in_c dividing in_c and out_c, the weights at +19
 *     version 3: +17 groups as version 2, +19 u8 mult flag 0..1 (1 only with groups 1),
 *                with flag 1 +20 in_c x u8 multiplicity 1..4 (not all 1); the weights
 *                at +20, or +20+in_c with flag 1
 *     +17 weights     out_c rows x ceil(n/8) bytes, n = (in_c/groups)*k_h*k_w, bit i of
 *                     a row at byte i/8 bit i%8 (LSB first), canonical order
 *                     i = c*k_h*k_w + ky*k_w + kx; unused bits of the last byte 0
 *         sign        ceil(out_c/8) bytes, bit o = 1: s = -1; unused bits 0
 *         thresholds  out_c x i32 T, or with a shortcut out_c x (i32 T0, i32 T1)
 *   SE (type 2):
 *     +1 u16 channels C 1..4096   +3 u16 hidden 1..4096
 *     +5 fc1 weights hidden x ceil(C/8) | fc1 sign ceil(hidden/8) | hidden x i32
 *        fc2 weights C x ceil(hidden/8) | fc2 sign ceil(C/8)     | C x i32
 *   CLASSIFIER (type 3), must be last:
 *     +1 u16 in_c 1..4096   +3 u16 classes (= header classes)
 *     +5 weights classes x ceil(in_c/8) | f32 scale x classes | f32 bias x classes
 *   end-4  4   crc32       u32 zlib crc32 of every byte before it; nothing after
 *
 * Semantic rules (checked after the CRC): each layer's input shape and bits
 * equal the running tensor (image first), SE and CLASSIFIER see 1-bit
 * tensors, a shortcut names an earlier CONV whose input fits the output by
 * option A (C_sc <= out_c, stride 1 or 2), total weight bytes <= 256 MiB.
 * Errors are one line: "FILE: byte N: field 'layer 3 (s0b1a) k_h': expected
 * 1..7, got 0".
 */
#define _POSIX_C_SOURCE 200809L
#include "model/bnn_model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/bnn_model_int.h"

int bnn_bitlen(unsigned n)
{
    int b = 1;
    while (b < 32 && (n >> b) != 0)
        b++;
    return b;
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

static void bits_free(bnn_bits *b)
{
    free(b->w);
    b->w = NULL;
}

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
            free(l->u.conv.mult);
            l->u.conv.mult = NULL;
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

int bnn_conv_rows(const bnn_conv *c)
{
    if (!c->mult)
        return bnn_conv_n(c);
    int rows = 0;
    for (int ch = 0; ch < c->in_c; ch++)
        rows += c->mult[ch];
    return rows * c->k_h * c->k_w;
}

int bnn_conv_copy_order(const uint8_t *mult, const int *chans, int n_ch, int *out)
{
    int k = 0;
    for (int r = 1; r <= (mult ? BNN_MAX_MULT : 1); r++)
        for (int i = 0; i < n_ch; i++) {
            const int ch = chans ? chans[i] : i;
            if (r == 1 || mult[ch] >= r)
                out[k++] = ch;
        }
    return k;
}

unsigned bnn_model_file_version(const bnn_model *m)
{
    for (int i = 0; m->layers && i < m->n_layers; i++)
        if (m->layers[i].type == BNN_CONV && m->layers[i].u.conv.mult)
            return BNN_VERSION_MULT;
    for (int i = 0; m->layers && i < m->n_layers; i++)
        if (m->layers[i].type == BNN_CONV && m->layers[i].u.conv.groups > 1)
            return BNN_VERSION_GROUPS;
    return BNN_VERSION;
}

uint64_t bnn_model_macs(const bnn_model *m)
{
    uint64_t macs = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const bnn_layer *l = &m->layers[i];
        if (l->type == BNN_CONV) {
            const bnn_conv *c = &l->u.conv;
            macs += (uint64_t)c->out_c * (uint64_t)c->out_h * (uint64_t)c->out_w *
                    (uint64_t)bnn_conv_rows(c) * (uint64_t)c->in_bits;
        } else if (l->type == BNN_SE) {
            const bnn_se *s = &l->u.se;
            /* fc1: hidden outputs x C inputs x q_bits planes; fc2: C x hidden x 1 */
            macs += (uint64_t)s->hidden * (uint64_t)s->c * (uint64_t)s->q_bits +
                    (uint64_t)s->c * (uint64_t)s->hidden;
        } else if (l->type == BNN_CLASSIFIER) {
            const bnn_classifier *c = &l->u.cls;
            macs += (uint64_t)c->classes * (uint64_t)c->in_c * (uint64_t)c->q_bits;
        }
    }
    return macs;
}

/* ------------------------------------------------------- layer names ---- */

enum { NK_OTHER, NK_CONV1, NK_A, NK_MID, NK_B, NK_SE };

void bnn_namer_init(bnn_namer *n)
{
    *n = (bnn_namer){0};
    n->c.prev_kind = NK_OTHER;
    n->dw = -1;
}

static void generic_name(bnn_layer *l, int i)
{
    snprintf(l->name, sizeof l->name, "L%d", i);
}

/* A depthwise conv (one input channel per group) that may start a unit. */
static int is_depthwise(const bnn_layer *l, int i)
{
    return i > 0 && l->type == BNN_CONV && l->u.conv.groups > 1 && l->u.conv.shortcut < 0 &&
           l->u.conv.groups == l->u.conv.in_c;
}

/* A pointwise conv that ends a unit started by a depthwise one. */
static int is_pointwise(const bnn_layer *l)
{
    return l->type == BNN_CONV && l->u.conv.groups <= 1 && l->u.conv.k_h == 1 && l->u.conv.k_w == 1;
}

/* Renames a tentative "a" unit that was not confirmed. */
static void unname_a(bnn_namer_core *n, bnn_layer *layers)
{
    generic_name(&layers[n->a_last], n->a_last);
    if (n->a_start < n->a_last)
        generic_name(&layers[n->a_start], n->a_start);
}

/* The position of a block of output width out_c and stride `stride` that
 * starts after the committed one. */
static void next_block(const bnn_namer_core *n, int stride, int out_c, int *stage, int *block)
{
    if (!n->started) {
        *stage = 0;
        *block = 0;
    } else if (stride > 1 || out_c != n->width) {
        *stage = n->stage + 1;
        *block = 0;
    } else {
        *stage = n->stage;
        *block = n->block + 1;
    }
}

static int conv_stride(const bnn_layer *layers, int i) { return layers[i].u.conv.stride; }

/* A bottleneck: the "a" and "b" pending in n and layers[i], the "c" with
 * the shortcut to "a": the block is committed and named. */
static void name_bottleneck(bnn_namer_core *n, bnn_layer *layers, int i)
{
    int sa = conv_stride(layers, n->a_start), sb = conv_stride(layers, n->mid);
    next_block(n, sa > sb ? sa : sb, layers[i].u.conv.out_c, &n->stage, &n->block);
    n->width = layers[i].u.conv.out_c;
    n->started = 1;
    snprintf(layers[n->a_start].name, sizeof layers[n->a_start].name, "s%db%da", n->stage, n->block);
    snprintf(layers[n->mid].name, sizeof layers[n->mid].name, "s%db%db", n->stage, n->block);
    snprintf(layers[i].name, sizeof layers[i].name, "s%db%dc", n->stage, n->block);
    n->prev_kind = NK_B;
}

/* Names the unit [u, i] (u == i: one layer) by the ResNet rules. */
static void name_unit(bnn_namer_core *n, bnn_layer *layers, int u, int i)
{
    bnn_layer *l = &layers[i];
    int conv = l->type == BNN_CONV, sc = conv ? l->u.conv.shortcut : -2;
    if (n->prev_kind == NK_MID) {
        if (u == i && sc == n->a_start) { /* the "c" of a bottleneck */
            name_bottleneck(n, layers, i);
            return;
        }
        unname_a(n, layers); /* no bottleneck (its "a" is one layer) */
        if (sc == n->mid) {                            /* the middle conv was the "a" of a basic block */
            next_block(n, conv_stride(layers, n->mid), layers[n->mid].u.conv.out_c, &n->a_stage, &n->a_block);
            n->a_width = layers[n->mid].u.conv.out_c;
            n->a_start = n->a_last = n->mid;
            snprintf(layers[n->mid].name, sizeof layers[n->mid].name, "s%db%da", n->a_stage, n->a_block);
            n->prev_kind = NK_A;
        } else {
            generic_name(&layers[n->mid], n->mid);
            n->prev_kind = NK_OTHER;
        }
    }
    int is_b = conv && n->prev_kind == NK_A && sc == n->a_start;
    if (n->prev_kind == NK_A && !is_b && conv && u == i && sc < 0 && n->a_start == n->a_last) {
        n->mid = i; /* perhaps the "b" of a bottleneck: named when its "c" comes */
        snprintf(l->name, sizeof l->name, "s%db%db", n->a_stage, n->a_block);
        n->prev_kind = NK_MID;
        return;
    }
    if (n->prev_kind == NK_A && !is_b) {
        unname_a(n, layers); /* an "a" conv without its "b" */
        n->prev_kind = NK_OTHER;
    }
    if (n->prev_kind == NK_A) { /* is_b: the block is confirmed */
        n->stage = n->a_stage;
        n->block = n->a_block;
        n->width = n->a_width;
        n->started = 1;
        snprintf(l->name, sizeof l->name, "s%db%db", n->stage, n->block);
        n->prev_kind = NK_B;
    } else if (l->type == BNN_CLASSIFIER) {
        snprintf(l->name, sizeof l->name, "fc");
        n->prev_kind = NK_OTHER;
    } else if (l->type == BNN_SE && n->prev_kind == NK_B) {
        snprintf(l->name, sizeof l->name, "s%db%dse", n->stage, n->block);
        n->prev_kind = NK_SE;
    } else if (l->type == BNN_CONV && u == 0 && l->u.conv.shortcut < 0) {
        snprintf(l->name, sizeof l->name, "conv1");
        n->width = l->u.conv.out_c;
        n->prev_kind = NK_CONV1;
    } else if (l->type == BNN_CONV && l->u.conv.shortcut < 0) {
        const bnn_conv *c = &l->u.conv;
        int stride = c->stride > layers[u].u.conv.stride ? c->stride : layers[u].u.conv.stride;
        next_block(n, stride, c->out_c, &n->a_stage, &n->a_block);
        n->a_width = c->out_c;
        n->a_start = u;
        n->a_last = i;
        snprintf(l->name, sizeof l->name, "s%db%da", n->a_stage, n->a_block);
        n->prev_kind = NK_A;
    } else {
        generic_name(l, i);
        n->prev_kind = NK_OTHER;
    }
    if (u < i) { /* the depthwise half of the unit */
        if (l->name[0] == 'L')
            generic_name(&layers[u], u);
        else {
            char nm[sizeof l->name];
            snprintf(nm, sizeof nm, "%.28s.dw", l->name);
            memcpy(layers[u].name, nm, sizeof nm);
        }
    }
}

void bnn_namer_step(bnn_namer *n, bnn_layer *layers, int i)
{
    bnn_layer *l = &layers[i];
    if (n->dw >= 0 && n->dw == i - 1 && is_pointwise(l)) {
        /* the previous depthwise conv and this one are a unit: redo its step */
        n->c = n->saved;
        if (n->c.prev_kind == NK_A) {
            snprintf(layers[n->c.a_last].name, sizeof layers[n->c.a_last].name, "%s", n->saved_a_name);
            snprintf(layers[n->c.a_start].name, sizeof layers[n->c.a_start].name, "%s", n->saved_a_dw_name);
        }
        n->dw = -1;
        name_unit(&n->c, layers, i - 1, i);
        return;
    }
    n->dw = -1;
    if (is_depthwise(l, i)) {
        n->dw = i;
        n->saved = n->c;
        if (n->c.prev_kind == NK_A) {
            snprintf(n->saved_a_name, sizeof n->saved_a_name, "%s", layers[n->c.a_last].name);
            snprintf(n->saved_a_dw_name, sizeof n->saved_a_dw_name, "%s", layers[n->c.a_start].name);
        }
    }
    name_unit(&n->c, layers, i, i);
}

void bnn_model_name_layers(bnn_model *m)
{
    bnn_namer n;
    bnn_namer_init(&n);
    for (int i = 0; i < m->n_layers; i++)
        bnn_namer_step(&n, m->layers, i);
    if (n.c.prev_kind == NK_A) /* a model that ends in an "a" conv (no classifier) */
        unname_a(&n.c, m->layers);
    if (n.c.prev_kind == NK_MID) { /* ... or in the "a" and "b" of a bottleneck */
        unname_a(&n.c, m->layers);
        generic_name(&m->layers[n.c.mid], n.c.mid);
    }
}

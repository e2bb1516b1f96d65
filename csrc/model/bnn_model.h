/*
 * bnn_model.h - the in-memory binarized network and its .bnn file format.
 *
 * The arithmetic and the file layout are specified in docs/SPEC.md
 * (sections 1-4), byte by byte in docs/FORMAT.md. A bnn_model owns every
 * array it points to; free it with bnn_model_free(). Nothing here keeps
 * global state. Implementation: bnn_model.c (memory, names, MACs),
 * bnn_model_check.c (validation), bnn_model_io.c (file), bnn_model_random.c.
 *
 * Weight bits are kept in canonical order (docs/SPEC.md section 2) packed
 * into 64-bit words, LSB first: bit i of a row is bit (i % 64) of word
 * (i / 64). Unused bits of the last word are always 0.
 */
#ifndef SPARSECIM_BNN_MODEL_H
#define SPARSECIM_BNN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"   /* bnn_error, bnn_set_err, bnn_quote */

#ifdef __cplusplus
extern "C" {
#endif

#define BNN_MAGIC "SCIMBNN1"
#define BNN_VERSION 1u          /* every conv has groups = 1: the file is version 1 */
#define BNN_VERSION_GROUPS 2u   /* a conv has groups > 1: version 2 (a u16 groups per CONV record) */
#define BNN_VERSION_MULT 3u     /* a conv has multiplicities: version 3 (groups, then a u8 flag and,
                                   with flag 1, in_c u8 multiplicities per CONV record) */
#define BNN_MAX_MULT 4          /* largest input-channel multiplicity (copies of a channel's rows) */

/* Limits the loader and bnn_model_validate() enforce (docs/FORMAT.md). */
#define BNN_MAX_CH 4096          /* channels of any tensor, SE hidden units */
#define BNN_MAX_IMG 1024         /* image / tensor height and width */
#define BNN_MAX_K 7              /* kernel height and width */
#define BNN_MAX_STRIDE 2
#define BNN_MAX_CLASSES 1000
#define BNN_MAX_LAYERS 1024
#define BNN_MAX_WEIGHT_BYTES (256u << 20)   /* all packed weight rows of a file */
#define BNN_MAX_ACT_ELEMS (1u << 24)        /* elements of one activation tensor (C x H x W), input included */
#define BNN_MAX_TRACE_BYTES (512u << 20)    /* a per-image trace: every tensor (2 B/element) and conv dot (4 B) */

typedef enum bnn_layer_type {
    BNN_CONV = 1,
    BNN_SE = 2,
    BNN_CLASSIFIER = 3
} bnn_layer_type;

/* A packed matrix of bipolar weight bits: rows x cols, bit = 1 means +1. */
typedef struct bnn_bits {
    int rows;           /* output channels */
    int cols;           /* input-vector length n */
    int words;          /* 64-bit words per row = ceil(cols / 64) */
    uint64_t *w;        /* rows * words words, owned */
} bnn_bits;

/* A thresholded binary output set: out = (sign * dot >= thr[o][x]). */
typedef struct bnn_thresh {
    int n;              /* outputs */
    int pairs;          /* 1: plain threshold, 2: residual (T0, T1) */
    uint8_t *neg;       /* n flags, 1 means sign = -1; owned */
    int32_t *t;         /* n * pairs thresholds, t[o*pairs + x]; owned */
} bnn_thresh;

typedef struct bnn_conv {
    int in_c, out_c, in_h, in_w, out_h, out_w;
    int k_h, k_w, stride, pad_h, pad_w;
    int in_bits;        /* bits per input element (8 for the image, else 1) */
    int shortcut;       /* index of the layer whose input is the shortcut, -1 none */
    int groups;         /* convolution groups (docs/SPEC.md section 2): 1 ordinary,
                           in_c = out_c depthwise; it divides in_c and out_c.
                           0 is read as 1 (bnn_conv_groups), so that a conv
                           built before the field existed stays ordinary */
    uint8_t *mult;      /* NULL: every input channel once; else in_c multiplicities
                           1..BNN_MAX_MULT, not all 1, groups = 1 only (docs/SPEC.md
                           section 2, "Multiplicities"): input channel c's elements
                           count mult[c] times in every dot (the mapping puts
                           mult[c] copies of its rows in the array); owned */
    bnn_bits wt;        /* out_c x ((in_c/groups)*k_h*k_w): output o (of group
                           g = o / (out_c/groups)) over its group's input
                           channels g*(in_c/groups) .. (g+1)*(in_c/groups)-1 */
    bnn_thresh th;      /* out_c outputs, pairs = 2 with a shortcut */
} bnn_conv;

typedef struct bnn_se {
    int c, h, w;        /* tensor shape it gates */
    int hidden;
    int q_bits;         /* bitlen(h*w): bits of a squeeze count */
    bnn_bits fc1;       /* hidden x c */
    bnn_thresh th1;     /* hidden outputs */
    bnn_bits fc2;       /* c x hidden */
    bnn_thresh th2;     /* c outputs (the gates) */
} bnn_se;

typedef struct bnn_classifier {
    int in_c, h, w, classes;
    int q_bits;         /* bitlen(h*w) */
    bnn_bits wt;        /* classes x in_c */
    float *scale;       /* classes, owned */
    float *bias;        /* classes, owned */
} bnn_classifier;

typedef struct bnn_layer {
    bnn_layer_type type;
    char name[32];      /* derived: conv1, s0b1a, s1b0se, fc ... */
    union {
        bnn_conv conv;
        bnn_se se;
        bnn_classifier cls;
    } u;
} bnn_layer;

typedef struct bnn_model {
    int in_c, in_h, in_w, in_bits;
    int classes;
    int n_layers;
    bnn_layer *layers;  /* owned */
} bnn_model;

/* bnn_error, bnn_set_err, bnn_quote: util/error.h */

/* Bits needed to hold n (bitlen(0) = 1). */
int bnn_bitlen(unsigned n);

/* Get / set bit i of row r of a packed matrix. */
static inline int bnn_bits_get(const bnn_bits *b, int r, int i)
{
    return (int)((b->w[(size_t)r * (size_t)b->words + (size_t)(i >> 6)] >> (i & 63)) & 1u);
}
static inline void bnn_bits_set(bnn_bits *b, int r, int i, int v)
{
    uint64_t *wp = &b->w[(size_t)r * (size_t)b->words + (size_t)(i >> 6)];
    uint64_t m = (uint64_t)1 << (i & 63);
    *wp = v ? (*wp | m) : (*wp & ~m);
}

/* The groups of a conv (0 is read as 1), its input channels per group and
 * the length of one output's input vector: (in_c/groups) * k_h * k_w. */
static inline int bnn_conv_groups(const bnn_conv *c) { return c->groups > 1 ? c->groups : 1; }
static inline int bnn_conv_cpg(const bnn_conv *c) { return c->in_c / bnn_conv_groups(c); }
static inline int bnn_conv_n(const bnn_conv *c) { return bnn_conv_cpg(c) * c->k_h * c->k_w; }

/* The multiplicity of input channel ch of a conv (1 without multiplicities)
 * and the array rows one output's dot takes: sum over the group's channels
 * of mult * k_h * k_w (= bnn_conv_n without multiplicities). */
static inline int bnn_conv_mult(const bnn_conv *c, int ch) { return c->mult ? c->mult[ch] : 1; }
int bnn_conv_rows(const bnn_conv *c);

/* The order of the channel copies (docs/SPEC.md section 5, Multiplicities):
 * the n_ch channels chans[0..n_ch-1] (chans NULL: 0..n_ch-1) once each in
 * that order, then the second copies of those with mult[ch] >= 2 (mult a
 * conv's multiplicities, NULL: all 1) in the same
 * order, then the third, ... Writes them to out (room for n_ch *
 * BNN_MAX_MULT) and returns how many: the array rows' channels, k_h*k_w
 * rows each, in the order the mapping places them, and the channel order of
 * the expanded input the packed reference computes on. */
int bnn_conv_copy_order(const uint8_t *mult, const int *chans, int n_ch, int *out);

/* The file version a model is written as: BNN_VERSION_MULT when a conv has
 * multiplicities, else BNN_VERSION_GROUPS when a conv has groups > 1, else
 * BNN_VERSION (so every model without either is written byte for byte as
 * before versions 2 and 3 existed). */
unsigned bnn_model_file_version(const bnn_model *m);

/* Frees a model and everything it owns (NULL is fine). */
void bnn_model_free(bnn_model *m);

/* Reads and validates a .bnn file (docs/SPEC.md section 4; versions 1, 2
 * and 3, a version-3 CONV's multiplicities into mult, owned). On failure
 * returns non-zero, *out = NULL and err names the file, byte offset and field. */
int bnn_model_load(const char *path, bnn_model **out, bnn_error *err);
/* The same from memory; `name` is used in messages. */
int bnn_model_load_mem(const uint8_t *buf, size_t len, const char *name,
                       bnn_model **out, bnn_error *err);
/* Serializes to a malloc'ed buffer (caller frees *buf). The model is
 * checked first as by bnn_model_validate() (on a copy: m is not changed);
 * an invalid model is refused, so whatever is written loads again. */
int bnn_model_serialize(const bnn_model *m, uint8_t **buf, size_t *len, bnn_error *err);
/* Writes a .bnn file atomically (csrc/util/outfile.h: beside PATH, fsync, rename; non-regular PATH refused). */
int bnn_model_save(const bnn_model *m, const char *path, bnn_error *err);

/* Checks an in-memory model completely: header and per-layer ranges, the
 * shape chain (each layer consumes the previous output), shortcut indices
 * and option-A fit, array sizes, unused weight bits 0, classifier last.
 * Fills the derived fields (out_h/out_w, SE and classifier h/w/q_bits, layer
 * names). Errors read "model: field 'layer 3 (s0b1a) in_c': expected 16
 * (...), got 8". The loader runs the same checks, with file byte offsets. */
int bnn_model_validate(bnn_model *m, bnn_error *err);

/* (Re)derives every layer name from the topology (docs/SPEC.md section 3):
 * conv1, s{stage}b{block}a/b, s{stage}b{block}se, fc; a layer that is not
 * part of that ResNet shape gets "L<index>". */
void bnn_model_name_layers(bnn_model *m);

/* Binary MACs of one image: for every CONV and FC, outputs x inputs x bits
 * (a CONV's inputs counted with their multiplicities: bnn_conv_rows, the
 * binary products the macro computes). */
uint64_t bnn_model_macs(const bnn_model *m);

/* Options of the random ResNet generator (docs/SPEC.md section 3). */
typedef struct bnn_random_opts {
    int depth;          /* 6n+2: 14, 20, 32 ... */
    int width;          /* base width, 16 */
    int se;             /* 1: SE in every block */
    int depthwise;      /* 1: depthwise-separable blocks (each 3x3 conv after conv1
                           becomes depthwise 3x3 + pointwise 1x1) */
    int groups;         /* 0 or 1: ordinary; N > 1: the 3x3 convs after conv1 have
                           N groups (N divides the width; not with depthwise) */
    int mult;           /* 0: none; 1: multiplicities on the ungrouped convs, conv1
                           too (random, 1..BNN_MAX_MULT, about one channel in four
                           above 1; at least one in the model; not with groups) */
    int bottleneck;     /* 1: bottleneck blocks (1x1 reduce to max(1, C/4), 3x3 with
                           the stride, 1x1 expand to C with the shortcut); not with
                           depthwise or groups */
    int in_c, in_h, in_w;
    int classes;
    uint64_t seed;
} bnn_random_opts;

int bnn_model_random(const bnn_random_opts *o, bnn_model **out, bnn_error *err);

/* Allocation helpers used by the loader, the generator and the tests. */
int bnn_bits_alloc(bnn_bits *b, int rows, int cols);
int bnn_thresh_alloc(bnn_thresh *t, int n, int pairs);

#ifdef __cplusplus
}
#endif
#endif

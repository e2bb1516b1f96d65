/*
 * map.h - layer-to-array mapping (docs/SPEC.md section 5).
 *
 * A layer part (a CONV, an SE's fc1 or fc2, the classifier FC) is a matrix
 * product: out_c output channels, each a dot over n input elements (the
 * canonical index i = c*k*k + tap of docs/SPEC.md, for FCs i = c), for
 * every output pixel, over `bits` bit planes. The mapping assigns input
 * elements to array rows (row layout + optional channel permutation), cuts
 * rows into tiles of ROWS and output channels into tiles of COLS. One
 * map_job is one (row tile, column tile) pair: its weights are written once
 * and then every pixel's planes are streamed through it.
 *
 * Layouts (array position p of the canonical element c*k*k + tap, c the
 * channel at permutation position pos):
 *   channel  p = pos*k*k + tap: a channel's taps on adjacent rows;
 *   tap      p = tap*n_ch + pos: one tap of every channel, then the next;
 *   aligned  channel-major, but no channel straddles a segment: when
 *            k*k <= SEG_ROWS, floor(SEG_ROWS/(k*k)) whole channels per
 *            segment and the rest of the segment is padding; when k*k >
 *            SEG_ROWS, each channel starts on a segment boundary (and on
 *            the next row tile if it would straddle one) and its last
 *            segment is padded. A channel whose inputs are all zero (an SE
 *            gate, a dead channel) then zeroes whole segments. For k = 1
 *            (FC parts, 1x1) aligned = channel.
 * Padding positions hold no element (elem = -1): their weight bits are 0,
 * their word lines are never driven, the driver does not write them. A
 * job's n_rows ends at its last element, so a tile's trailing padding is
 * unmapped (rows >= n_rows), like the rows after the last tile.
 *
 * Groups (a grouped or depthwise CONV, docs/SPEC.md sections 2 and 5):
 * each group is mapped as its own ordinary conv of in_c/groups input
 * channels and out_c/groups outputs. The layout, `order` and the row tiles
 * are those of one group (its channels c = 0 .. in_c/groups-1, elements
 * c*k*k + tap of the group's weight rows); the column tiles are per group,
 * group after group: column tile ct is group ct / ctpg, its tile ct % ctpg
 * of ctpg = ceil((out_c/groups) / COLS). A job thus holds only its own
 * group's rows and columns: the other groups' rows are not in its n_rows
 * (unmapped) and the columns past its outputs are masked, so no column
 * ever sees a row of another group (the macro's X is one count over all
 * rows in use) and nothing of another group is counted as sparsity.
 * A grouped layer takes no channel permutation or subset.
 *
 * Multiplicities (a CONV with mult, docs/SPEC.md sections 2 and 5): input
 * channel c is placed mult[c] times, the copies in bnn_conv_copy_order's
 * order (every mapped channel once, then the second copies, ...), each copy
 * its channel's k*k elements under the layout; so `order` holds the same
 * element at mult[c] positions and the copies take the rows after the
 * channels (the rows the last tile would otherwise leave unused). n_ch
 * counts the copies. With a channel subset, the subset's channels with
 * their copies.
 *
 * Channel subsets (the per-image channel skip): with perm and n_perm > 0,
 * only the n_perm channels perm[0..n_perm-1] are mapped, packed in that
 * order; the others are absent (their inputs must be zero for the dots to
 * equal the full layer's). n_perm = 0 means every channel (perm, if given,
 * is then a permutation of all in_c channels).
 *
 * Input-stationary (map_layer_build_is, a binary CONV only: map_is_layer;
 * map_layer.stationary = MAP_INPUT_STATIONARY): the cells hold the
 * activations, the word lines the weight bits. The rows are those of weight-stationary (one group's
 * elements in the layout, row tiles of ROWS, trailing padding cut off);
 * the columns are output pixels, tiles of COLS per group (ctpg pixel
 * tiles, col_tile = group * ctpg + pixel tile, col0 / n_cols = the first
 * pixel and the pixels in use); a job's steps are its group's outputs
 * out0 .. out0 + n_steps - 1, one COMPUTE each (one plane) with that
 * output's weight bits (1 = +1) on the word lines (wl, X = wl_ones). Per
 * image, map_layer_set_input() fills every job's cells (wrows: row r,
 * column c = the activation of element elem[r] at pixel col0 + c, 0 in
 * the padding), the ones per column and the stored-zero flags (docs/SPEC.md
 * sections 5 and 6: flag (g, s) = 1 where the tile stores no 1 in segment
 * s's rows < n_rows of column group g's columns), which the driver writes
 * with SET_ZF after the rows. A column's dot part is then 2P - A, A its
 * ones (map_dot_part). Jobs are group-major: group, row tile, pixel tile.
 *
 * Units and orders:
 *   - rows are array word lines: job row r holds input element elem[r];
 *   - a weight tile row is COLS bits, bit j = weight bit (1 = +1) of output
 *     channel col0 + j for element elem[r]; columns >= n_cols are 0;
 *   - word-line vectors are ROWS bits packed LSB first in 64-bit words
 *     (row r = bit r%64 of word r/64); rows >= n_rows are 0;
 *   - planes are streamed MSB first: plane index 0 = bit (bits-1).
 * A map_layer owns its jobs and arrays; free with map_layer_free().
 */
#ifndef SPARSECIM_MAP_H
#define SPARSECIM_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "infer/bnn_infer.h"
#include "model/bnn_model.h"

typedef enum map_layout { MAP_CHANNEL_MAJOR = 0, MAP_TAP_MAJOR = 1, MAP_ALIGNED = 2 } map_layout;
typedef enum map_part { MAP_CONV = 0, MAP_FC1 = 1, MAP_FC2 = 2, MAP_CLS = 3 } map_part;
/* Which operand the cells hold: the weights (default) or the activations (see above). */
typedef enum map_stationary { MAP_WEIGHT_STATIONARY = 0, MAP_INPUT_STATIONARY = 1 } map_stationary;

typedef struct map_cfg {
    int rows, cols, seg_rows;   /* macro geometry */
    map_layout layout;
    const int *perm;            /* perm[pos] = input channel at position pos, or NULL */
    int n_perm;                 /* channels mapped: perm[0..n_perm-1]; 0 = all in_c (see above) */
} map_cfg;

/* The layout's name ("channel", "tap", "aligned") and the inverse: 0 or -1. */
const char *map_layout_name(map_layout l);
int map_layout_parse(const char *s, map_layout *l);

/* The matrix-product view of one layer part. */
typedef struct map_op {
    map_part part;
    int n;                      /* input elements per dot */
    int out_c;                  /* output channels */
    int bits;                   /* bit planes */
    int in_c, k_h, k_w, stride, pad_h, pad_w;   /* geometry (FC: k = 1, in_h = in_w = 1) */
    int groups;                 /* CONV groups (1 for FC parts); n = (in_c/groups)*k*k */
    const uint8_t *mult;        /* CONV multiplicities (in_c, the layer's), NULL: every channel once */
    int rows;                   /* elements with their copies: n, or sum_c mult[c]*k*k (MACs count these) */
    int in_h, in_w, out_h, out_w;
    const bnn_bits *wt;         /* out_c x n weights, canonical order (of each output's group) */
} map_op;

typedef struct map_job {
    int row_tile, col_tile;
    int row0, n_rows;           /* first array-order row position, rows used */
    int col0, n_cols;           /* first output channel, columns used */
    int group, ch0;             /* its group, and the group's first input channel (0 and 0 when groups = 1) */
    const int *elem;            /* n_rows canonical element indices, -1 = padding (into map_layer.order) */
    int n_elems;                /* rows holding an element (n_rows minus padding) */
    uint64_t *wrows;            /* n_rows x col_words cell rows, owned: the weight tile (input-stationary:
                                 * the activations, filled per image by map_layer_set_input) */
    int col_words;              /* 64-bit words per weight row = ceil(COLS/64) */
    /* input-stationary only (NULL / 0 otherwise), owned: */
    int out0;                   /* the output of step 0 (the group's first output) */
    uint64_t *wl;               /* n_steps x ROWS/64 word-line vectors: output out0 + s's weight bits */
    int *wl_ones;               /* n_steps: X of each step */
    int *col_ones;              /* n_cols: the ones the cells store per column (this image) */
    uint64_t *zflags;           /* n_zf x col_words: bit g of segment s = stored-zero flag (g, s) (this image) */
    int n_zf;                   /* mapped segments: ceil(n_rows / SEG_ROWS) */
} map_job;

typedef struct map_layer {
    map_op op;
    map_cfg cfg;
    map_stationary stationary;  /* the operand in the cells */
    int col_group;              /* input-stationary: columns per column group (the flags' groups) */
    int *order;                 /* n_pos: canonical element at array-order position p, -1 = padding */
    int n_pos;                  /* array positions (elements + padding) */
    int n_ch;                   /* input channels mapped per group (in_c/groups, or n_perm of a subset),
                                 * each copy counted (multiplicities) */
    int n_row_tiles, n_col_tiles, n_jobs;   /* n_col_tiles = groups x ctpg */
    int ctpg;                   /* column tiles per group */
    int n_steps;                /* word-line vectors per plane of each job: the pixels (input-stationary:
                                 * the outputs of one group) */
    map_job *jobs;              /* in the order they run: row-tile major, job = rt * n_col_tiles + ct
                                 * (input-stationary: group-major, see above; map_result_job) */
} map_layer;

/* 1 when layer l can run input-stationary: a CONV with 1-bit inputs (a cell holds one bit). */
int map_is_layer(const bnn_layer *l);

/* Matrix view of a CONV layer, an SE part (MAP_FC1 / MAP_FC2) or the classifier. */
int map_op_of(const bnn_layer *l, map_part part, map_op *op);

/* Builds the jobs of one layer part (weight-stationary). Returns 0 or -1
 * (err filled). */
int map_layer_build(const map_op *op, const map_cfg *cfg, map_layer **out, bnn_error *err);

/* The same input-stationary (see above): a binary CONV, no channel subset;
 * col_group = the macro's columns per column group (the stored-zero flags). */
int map_layer_build_is(const map_op *op, const map_cfg *cfg, int col_group, map_layer **out, bnn_error *err);
void map_layer_free(map_layer *ml);

/* Fills the word-line vector (ROWS bits, rows/64 words) of job j for output
 * pixel p (row-major over out_h x out_w) and plane index k (0 = MSB) from
 * the part's input values. For CONV, `in` is the layer input tensor; for FC
 * parts, `vec` holds the n input values (in may be NULL). Input-stationary:
 * p is the step (the output out0 + p), the vector its weight bits. */
void map_job_input(const map_layer *ml, const map_job *j, const bnn_tensor *in, const uint16_t *vec,
                   int p, int k, uint64_t *wl);

/* Reference arithmetic on one word-line vector: per-column P (n_cols) and X
 * (against the job's cells, wrows). */
void map_job_px(const map_layer *ml, const map_job *j, const uint64_t *wl, int *p, int *x);

/* Input-stationary: fills every job's cells, ones per column and
 * stored-zero flags from the layer input `in` (see above). Nothing for
 * weight-stationary (the cells hold the weights from the build on). */
void map_layer_set_input(map_layer *ml, const bnn_tensor *in);

/* Where the result of column c at step s of job j goes: the index
 * o * pixels + p of its output channel o and pixel p in the layer's dots. */
size_t map_result_at(const map_layer *ml, const map_job *j, int s, int c);

/* The job of row tile rt that computes output o at pixel p (its index in
 * ml->jobs), and there the step (*s) and column (*c). */
int map_result_job(const map_layer *ml, int rt, int o, int p, int *s, int *c);

/* The dot part of column c at step s from the accumulator acc = 2P - X:
 * acc itself, input-stationary acc + X - the column's ones (= 2P - A). */
int32_t map_dot_part(const map_layer *ml, const map_job *j, int s, int c, int32_t acc);

/* The column tile (index into a row tile's jobs) of output channel o
 * (weight-stationary; map_result_job for either). */
static inline int map_col_tile(const map_layer *ml, int o)
{
    const int opg = ml->op.out_c / ml->op.groups;
    return (o / opg) * ml->ctpg + (o % opg) / ml->cfg.cols;
}

/* Number of output pixels (out_h * out_w; 1 for FC parts). */
static inline int map_pixels(const map_op *op) { return op->out_h * op->out_w; }

#endif

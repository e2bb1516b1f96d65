/*
 * tb_vec.h - golden vector files: one array job with its host-computed
 * expected values, for replay through the RTL without the reference model
 * (`sparsecim run --vectors-out DIR` writes them, `sparsecim sim --vectors
 * DIR` replays them).
 *
 * File DIR/iIMAGE_lLAYER_NAME_rROW_cCOL.vec, little-endian throughout:
 *   0   8  magic "SCIMVEC1"
 *   8   4  u32 version = 1
 *   12  2  u16 rows, u16 cols, u16 seg_rows     macro geometry of the mapping
 *   18  2  u16 reserved = 0
 *   20 32  layer name, NUL padded
 *   52 4x8 i32 image, layer index, row_tile, col_tile, n_rows, n_cols, bits, pixels
 *   84 ..  weight rows: n_rows x ceil(cols/64) u64
 *      ..  word-line vectors: pixels x bits x rows/64 u64 (plane 0 = MSB)
 *      ..  X: pixels x bits i32;  P: pixels x bits x n_cols i32;  acc: pixels x n_cols i32
 *  end-4 4 u32 CRC-32 (zlib) of every byte before it
 * A tb_vec owns its arrays; free with tb_vec_free().
 */
#ifndef SPARSECIM_TB_VEC_H
#define SPARSECIM_TB_VEC_H

#include <stdint.h>

#include "bnn_infer.h"
#include "map.h"
#include "tb_golden.h"

typedef struct tb_vec {
    int rows, cols, seg_rows;
    char layer[32];
    int image, layer_index;
    tb_golden_job job;          /* points into the arrays below */
    uint64_t *wrows, *wl;
    int32_t *x, *p, *acc;
} tb_vec;

/* Writes every array job of every layer of one image (inputs from the
 * reference trace tr) into dir. Returns 0 or -1 (err filled). */
int tb_vec_write_image(const char *dir, const bnn_model *m, const map_cfg *cfg, const bnn_trace *tr, int image,
                       bnn_error *err);

/* Reads and validates one file. Returns 0 or -1 (err names file and field). */
int tb_vec_read(const char *path, tb_vec *v, bnn_error *err);
void tb_vec_free(tb_vec *v);

#endif

/*
 * vec.h - golden vectors: the array jobs of every layer of an image as the
 * reference model computes them, written as text files of fixed-width hex
 * words that a C testbench (tb/, `sparsecim sim --vectors DIR`) and a
 * Verilog testbench ($readmemh, tb/xsim_tb.v, `make -f Makefile.sim xsim`)
 * both read. Written by `sparsecim vectors` and `sparsecim run --vectors-out`.
 *
 * A vector directory holds:
 *
 *   manifest.txt   the index (written last, atomically; see below)
 *   iIIIII_lLLL_NAME_rRRR_cCCC.hex   one array job (row tile R, column tile C)
 *   iIIIII_lLLL_NAME.out.hex         the layer's final outputs
 * (I image index, L layer index, NAME the layer name; an SE layer has two
 * parts, NAME.fc1 and NAME.fc2).
 *
 * Hex files: one 64-bit word per line, exactly 16 lower-case hex digits,
 * most significant digit first ($readmemh into reg [63:0] mem[]). Lines
 * starting with "//" are comments (the first line says what the file is).
 * Word indices below count data lines only. Every file ends with a word
 * whose low 32 bits are the CRC-32 (zlib) of all earlier words, each taken
 * as 8 little-endian bytes.
 *
 * Job file (VEC_JOB_HDR = 20 header words):
 *    0 magic 0x5343494d56454331 ("SCIMVEC1")   1 format version (1)
 *    2 ROWS   3 COLS   4 SEG_ROWS              macro geometry of the mapping
 *    5 image  6 layer index  7 part (0 conv, 1 SE fc1, 2 SE fc2, 3 classifier)
 *    8 row tile  9 column tile  10 n_rows (rows written)  11 n_cols (columns used)
 *   12 bits (planes per pixel)  13 pixels  14 words in the file (CRC word included)
 *   15 reserved (0)   16..19 name, 8 ASCII bytes per word, first byte in the
 *      most significant byte, NUL padded (1..32 printable bytes, no space,
 *      no '/', as the manifest's NAME)
 *   then, in this order:
 *   W  n_rows x CW words, CW = ceil(COLS/64): weight row r (array row r),
 *      word w bit i = weight of column 64w+i (1 = +1); columns >= n_cols 0
 *   L  pixels x bits x RW words, RW = ROWS/64: the read word lines of one
 *      compute cycle, pixel-major then plane (plane 0 = MSB first), word w
 *      bit i = row 64w+i
 *   X  pixels x bits words: X of the cycle (ones on the word lines)
 *   P  pixels x bits x PW words, PW = ceil(n_cols/4): P per column in
 *      16-bit lanes, lane l (bits 16l+15..16l) of word k = column 4k+l
 *   A  pixels x AW words, AW = ceil(n_cols/2): the accumulator after the
 *      pixel's last plane, 32-bit two's complement lanes, lane l (bits
 *      32l+31..32l) of word k = column 2k+l
 *   CRC word
 *
 * Output file (VEC_OUT_HDR = 14 header words):
 *    0 magic 0x5343494d4f555431 ("SCIMOUT1")   1 format version (1)
 *    2 image  3 layer index  4 kind (0 bit tensor, 1 logits)
 *    5 C  6 H  7 W  8 words in the file  9 reserved  10..13 name (as above)
 *   kind 0 (conv, SE): ceil(C*H*W/64) words, element e = (c*H + y)*W + x at
 *          bit e%64 of word e/64 (for SE: the gated tensor)
 *   kind 1 (classifier): C words, the logits (64-bit two's complement),
 *          then one word, the predicted class
 *   CRC word
 *
 * manifest.txt: text lines; '#' starts a comment line (of any length).
 * Other lines are at most 510 bytes, fields separated by single spaces,
 * numbers decimal (csrc/util/num.h), exactly one geometry line:
 *   geometry ROWS COLS SEG_ROWS
 *   image INDEX LABEL PREDICTION         (label -1 when unknown)
 *   job FILE IMAGE LAYER PART ROW_TILE COL_TILE N_ROWS N_COLS BITS PIXELS WORDS NAME
 *   out FILE IMAGE LAYER WORDS NAME
 *   end JOBS OUTS IMAGES                 (last line; counts of the lines above)
 * Ranges: ROWS 64..65472 (a multiple of 64 and of SEG_ROWS), COLS 1..4096,
 * IMAGE 0..2^31-1, LAYER 0..1023, PART 0..3, tiles 0..65535, N_ROWS
 * 1..65535, N_COLS 1..4096, BITS 1..16, PIXELS 1..2^22, WORDS 1..2^31-1,
 * LABEL/PREDICTION -1..999, FILE and NAME printable without '/'.
 * A writer removes an old manifest.txt before it writes any file and
 * writes the new one last (atomically), so a directory without one is an
 * incomplete set, which readers refuse.
 * Jobs appear in the order a testbench replays them (image, layer, part,
 * row tile, column tile); a grouped conv's column tiles run group after
 * group (csrc/map/map.h, docs/SPEC.md section 5: one group per job).
 *
 * Ownership: a vec_writer, vec_job and vec_manifest own their memory; free
 * them with their functions. Errors are returned (bnn_error: file, line or
 * word, what was expected); nothing exits.
 */
#ifndef SPARSECIM_VEC_H
#define SPARSECIM_VEC_H

#include <stdint.h>

#include "infer/bnn_infer.h"
#include "map/map.h"

#define VEC_JOB_MAGIC 0x5343494d56454331ull
#define VEC_OUT_MAGIC 0x5343494d4f555431ull
#define VEC_VERSION 1
#define VEC_JOB_HDR 20
#define VEC_OUT_HDR 14

/* ---- writing ---- */
typedef struct vec_writer vec_writer;

/* Creates dir (if missing) for vectors of macro geometry cfg (cfg->perm is
 * not used: vectors are written for the unpermuted mapping). model / data
 * are recorded in the manifest comments. NULL on error (err filled). */
vec_writer *vec_writer_open(const char *dir, const map_cfg *cfg, const char *model, const char *data,
                            bnn_error *err);
/* Writes every job and every layer output of one image, from its
 * reference trace. label: -1 when unknown. Returns 0 or -1. */
int vec_writer_image(vec_writer *w, const bnn_model *m, const bnn_trace *tr, int image, int label,
                     bnn_error *err);
/* Writes manifest.txt and frees w (also on error). Returns 0 or -1. */
int vec_writer_close(vec_writer *w, bnn_error *err);
/* Frees w without a manifest (the directory then has no index). */
void vec_writer_abort(vec_writer *w);
/* Job files, output files and bytes written so far. */
void vec_writer_counts(const vec_writer *w, long *jobs, long *outs, uint64_t *bytes);

/* ---- reading ---- */

/* One job file. Arrays are unpacked: P and X per cycle, acc per pixel. */
typedef struct vec_job {
    int rows, cols, seg_rows;
    int image, layer, part, row_tile, col_tile;
    int n_rows, n_cols, bits, pixels;
    int col_words, row_words;   /* CW = ceil(cols/64), RW = rows/64 */
    char name[40];
    uint64_t *wrows;            /* n_rows x col_words */
    uint64_t *wl;               /* pixels x bits x row_words */
    int32_t *x;                 /* pixels x bits */
    int32_t *p;                 /* pixels x bits x n_cols */
    int32_t *acc;               /* pixels x n_cols */
} vec_job;

int vec_job_read(const char *path, vec_job *v, bnn_error *err);
void vec_job_free(vec_job *v);

/* Reads a hex word file (format above, CRC checked): *words (owned by the
 * caller, free()) and *n. Errors name the file and line. */
int vec_read_words(const char *path, uint64_t **words, long *n, bnn_error *err);
/* CRC-32 (zlib) of n words taken as 8 little-endian bytes each: the value of
 * a file's last word (over all earlier words). */
uint32_t vec_crc_words(const uint64_t *w, size_t n);

typedef struct vec_entry {
    char file[96];
    char name[40];
    int image, layer;
    long words;
} vec_entry;

typedef struct vec_manifest {
    int rows, cols, seg_rows;
    int n_jobs, n_outs, n_images;
    vec_entry *jobs, *outs;
} vec_manifest;

/* Reads DIR/manifest.txt. Returns 0 or -1 (err: file, line, what). */
int vec_manifest_read(const char *dir, vec_manifest **out, bnn_error *err);
void vec_manifest_free(vec_manifest *mf);

#endif

/*
 * tb_golden.h - replay of one golden array job through the macro: the job's
 * weight rows, its word-line vectors (per pixel and bit plane) and the
 * expected P / X of every compute cycle and accumulator of every pixel,
 * as a golden vector file holds them (csrc/vec/vec.h). `sparsecim sim` maps the
 * files onto this; tests build jobs from csrc/map/map.h in memory.
 *
 * Units: word-line vectors are ROWS bits (rows/64 words, LSB first), weight
 * rows COLS bits (col_words words); planes MSB first (plane 0 = first,
 * weight 2^(bits-1)). Planes go back to back (each result is checked one
 * step after its COMPUTE, DUT_COMPUTE_LATENCY); with gating on an all-zero
 * plane is not issued (its expected P and X are 0 by the contract), and a
 * pixel whose planes are all zero is not issued at all (partial 0).
 * Everything is borrowed; nothing is kept after the call.
 */
#ifndef SPARSECIM_TB_GOLDEN_H
#define SPARSECIM_TB_GOLDEN_H

#include <stdint.h>
#include <stdio.h>

#include "dut.h"

struct tb_act;

typedef struct tb_golden_job {
    const char *layer;          /* for messages, e.g. "s1b0b" */
    int row_tile, col_tile;
    int n_rows, n_cols;         /* rows written, columns in use */
    int col_words;              /* 64-bit words per weight row */
    int bits, pixels;           /* planes per pixel, pixels */
    const uint64_t *wrows;      /* n_rows x col_words */
    const uint64_t *wl;         /* pixels x bits x (ROWS/64) word-line vectors */
    const int32_t *exp_p;       /* pixels x bits x n_cols, or NULL */
    const int32_t *exp_x;       /* pixels x bits, or NULL */
    const int32_t *exp_acc;     /* pixels x n_cols, or NULL */
} tb_golden_job;

typedef struct tb_golden_opts {
    int gate, unit_log2;        /* enum dut_gate; with gating on, all-zero planes are not issued */
    int image;                  /* for messages */
    int max_print;              /* mismatches printed (then counted) */
    int *printed;               /* shared print counter across jobs (may be NULL) */
    FILE *log;                  /* stderr if NULL */
    int watchdog;               /* cycles to wait for acc_valid (0: 64) */
    struct tb_act *act;         /* host array models that follow the run (tb_act.h), or NULL */
} tb_golden_opts;

/* The planes of one pixel that a run issues: bits planes of `words` 64-bit
 * words each, MSB plane first; all of them without skip, else those with a
 * bit set. Returns the mask (bit k = plane k issued, bits <= 16); *first and
 * *last receive the first and last plane issued (-1 when none). */
unsigned tb_issued_planes(const uint64_t *planes, int bits, int words, int skip, int *first, int *last);

/* Runs the job; *mismatches += the differences found; *skipped += the
 * planes not issued (may be NULL). Returns 0, or -1 on
 * a watchdog stop or bad job (err filled). acc_out (pixels x n_cols, may be
 * NULL) receives the RTL's accumulators. */
int tb_golden_run(cim_dut *dut, const tb_golden_job *j, const tb_golden_opts *o, int32_t *acc_out,
                  uint64_t *mismatches, uint64_t *skipped, char *err, size_t errlen);

#endif

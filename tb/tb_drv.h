/*
 * tb_drv.h - the testbench driver: streams every MAC of a model's layers
 * through the macro (a cim_dut, any back end) and checks the results
 * bit-exactly against the reference trace (bnn_forward).
 *
 * Per layer the reference *inputs* are used, so one wrong layer does not
 * cascade into the next; every dot (conv, SE fc1/fc2, classifier logits),
 * every binary output, every SE gate and the prediction is compared. If
 * some layer's output differs, the rest of the network is re-run from the
 * RTL's own outputs to give the RTL-chained prediction (tb_image_result).
 * The host does only what docs/SPEC.md allows: sums row-tile partials,
 * applies thresholds the macro did not (the RTL threshold unit is used for
 * single-row-tile, non-residual, s = +1 columns), picks residual
 * thresholds, pools, computes SE gates.
 *
 * Per array job (map.h): the weight tile rows go through the write port
 * (rows whose content the array already holds are skipped, as a resident
 * weight would be), the thresholds through SET_THR, then per output pixel
 * the input bit planes (MSB first, each with its weight 2^plane, first/last
 * on the first/last plane issued), back to back: a result is read in the
 * step after its last plane, while the next pixel's first plane goes in;
 * one NOP drains the pipeline at the end of a job. With gating on, an
 * all-zero plane (inside the job's rows) is not issued at all (the skip):
 * it adds 0, and a pixel whose planes are all zero has the partial 0
 * without a cycle. A pixel whose acc_valid does not come within
 * tb_opts.watchdog cycles of its last plane stops the run with an error.
 *
 * Per-image channel skip (tb_opts.skip_channels): a layer whose input is an
 * SE block's output (a binary CONV or the classifier right after an SE)
 * is mapped per image with only the channels the SE left on (its gates,
 * known before the layer starts), packed in the layout: a zeroed channel's
 * weight rows are not written and its rows take no place in the row tiles.
 * The dots are unchanged (a zeroed channel's inputs are all zero).
 * Dynamic move (tb_opts.dynamic_move, with or without the skip): the same
 * layers are mapped per image with their channels ordered by the number of
 * ones each carries in (the SE's squeeze count, 0 for a zeroed channel),
 * sparsest first, so zeroed and sparse channels share segments. The
 * references (static, flat) still do the full layer: the driver gives them
 * the work a run without the skip would issue.
 *
 * Input-stationary (tb_opts.stationary = MAP_INPUT_STATIONARY, `run
 * --stationary input`): only the binary convs (map_is_layer) are mapped
 * and run, with the input-stationary jobs of map.h: per image the layer's
 * activations go into the jobs' cells; per job every row is written (no
 * resident-row skip: the cells change with the image), with gating (and
 * unless tb_opts.no_zero_flags) its stored-zero flags follow, one SET_ZF
 * per mapped segment; then one COMPUTE per output of the job's group with
 * its weight bits on the word lines, by the same job loop. P and X of
 * every COMPUTE are checked (check_px is implied), the dots rebuilt from
 * the accumulators (map_dot_part) summed over row tiles are compared with
 * the trace's; no output bits, SE, classifier or RTL-chained re-run (the
 * prediction is the reference's). The sparse controller's word-line rule
 * gates on -1 weights here; the flags gate the lines of all-zero blocks of
 * activations whatever the weights.
 *
 * Activity: every operation is also given to the host's array model
 * (csrc/power/amodel.h) in the run's gate mode; per layer its counts must equal
 * the RTL's counters (a difference is a mismatch, "activity counter ...").
 * Two more models give the references of the same work: static (gate
 * none, every plane issued) and flat (one bit line of ROWS cells).
 *
 * Ownership: a tb_ctx owns its mappings, buffers and statistics; the DUT,
 * the model and the log FILE are borrowed and must outlive it. Nothing
 * here exits or keeps global state.
 */
#ifndef SPARSECIM_TB_DRV_H
#define SPARSECIM_TB_DRV_H

#include <stdint.h>
#include <stdio.h>

#include "power/act.h"
#include "infer/bnn_infer.h"
#include "dut.h"
#include "map/map.h"
#include "tb_stats.h"

typedef struct tb_opts {
    int gate;               /* enum dut_gate: lines data gating drives (DUT_GATE_NONE: the static run) */
    int no_skip;            /* 1: issue all-zero planes too (default: not issued when gating is on) */
    int no_check_act;       /* 1: do not compare the activity counters with the host's array model */
    int unit_log2;          /* control unit = 2^unit_log2 segments (0..3) */
    map_layout layout;      /* row layout */
    const int *const *perm; /* per layer: input-channel permutation or NULL (may be NULL) */
    int max_print;          /* mismatches printed in full, then only counted */
    FILE *log;              /* mismatch reports (stderr if NULL) */
    int check_px;           /* 1: also compare P and X of every compute cycle with the host */
    int watchdog;           /* cycles to wait for a result (0: 64) */
    int rewrite_all;        /* 1: write every weight row of every job (no resident-row skip) */
    int skip_channels;      /* 1: per image, map only the channels an SE left on (see above) */
    int dynamic_move;       /* 1: per image, order those channels sparsest first (see above) */
    int no_zero_flags;      /* 1: input-stationary runs write no stored-zero flags (see above) */
    map_stationary stationary;  /* MAP_INPUT_STATIONARY: the binary convs input-stationary (see above) */
} tb_opts;

/* tb_layer_stats (per-layer statistics): tb_stats.h */

typedef struct tb_image_result {
    int pred;                   /* class from the RTL logits (reference inputs) */
    int chained_pred;           /* class when every layer consumes the RTL's outputs */
    int ref_pred;               /* the reference's class */
    uint64_t mismatches;        /* of this image */
    uint64_t cycles;            /* of this image */
} tb_image_result;

typedef struct tb_ctx tb_ctx;

/* Maps every layer for the DUT's geometry (input-stationary: the binary
 * convs). NULL on error (err filled). */
tb_ctx *tb_new(cim_dut *dut, const bnn_model *m, const tb_opts *o, bnn_error *err);
void tb_free(tb_ctx *t);

/* Runs one image through the RTL against its reference trace `ref`
 * (`image` numbers the messages). Mismatches are counted and printed, not
 * errors: returns 0 when the run completed, -1 on a watchdog stop or
 * another error (err filled). */
int tb_run_image(tb_ctx *t, const bnn_trace *ref, int image, tb_image_result *res, bnn_error *err);

/* The statistics of the layers the run maps (every layer; input-stationary
 * the binary convs), in model order; *n_layers their number. Valid until
 * the next call or tb_free. */
const tb_layer_stats *tb_stats(const tb_ctx *t, int *n_layers);

/* Zeroes what the images run so far added to the statistics (per layer:
 * everything but name, shape, tiles and MACs per image; the mismatch
 * count), keeping the macro's and the models' state: a split run's worker
 * runs the image before its block this way (a warm-up, not counted), so
 * that its block starts from the state the single run has there. */
void tb_stats_clear(tb_ctx *t);
void tb_layer_stats_clear(tb_layer_stats *ls, int n);

/* Hash of the state the next image starts from: the host models' (tb_act.h)
 * and the driver's record of the rows the array holds. Equal hashes at an
 * image boundary: the rest of the run counts the same events. */
uint64_t tb_state_hash(const tb_ctx *t);
uint64_t tb_mismatches(const tb_ctx *t);
cim_dut *tb_dut(const tb_ctx *t);

/* Data-gated fraction of a layer: data-gated / mapped segment-cycles. */
double tb_gated_fraction(const tb_layer_stats *s);

#endif

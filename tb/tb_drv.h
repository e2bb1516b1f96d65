/*
 * tb_drv.h - the testbench driver: streams every MAC of a model's layers
 * through the macro (a cim_dut) and checks them bit-exactly against the
 * reference trace (bnn_forward).
 *
 * Per layer, the reference *inputs* are used, so one wrong layer does not
 * hide or cascade into the next; every dot (conv, SE fc1/fc2, classifier
 * logits) and every binary output is compared. The host does only what
 * docs/SPEC.md allows: sums row-tile partials, applies thresholds the
 * macro did not, picks residual thresholds, pools, computes SE gates.
 *
 * A tb_ctx owns its mapping cache and statistics; the DUT and the model
 * are borrowed and must outlive it.
 */
#ifndef SPARSECIM_TB_DRV_H
#define SPARSECIM_TB_DRV_H

#include <stdint.h>
#include <stdio.h>

#include "bnn_infer.h"
#include "dut.h"
#include "map.h"

typedef struct tb_opts {
    int gate_en;            /* 1: sparse gating on */
    int unit_log2;          /* control unit = 2^unit_log2 segments */
    map_layout layout;      /* row layout */
    const int *const *perm; /* per layer: input-channel permutation or NULL (may be NULL) */
    int max_print;          /* mismatches printed in full (then only counted) */
    FILE *log;              /* mismatch reports (stderr if NULL) */
} tb_opts;

typedef struct tb_layer_stats {
    char name[32];
    char shape[48];
    int tiles;                  /* array jobs of the layer (all parts) */
    uint64_t cycles;
    uint64_t mismatches;
    uint64_t macs;              /* binary MACs of the layer */
    uint64_t cnt[DUT_NCNT];     /* activity counter deltas */
} tb_layer_stats;

typedef struct tb_ctx tb_ctx;

tb_ctx *tb_new(cim_dut *dut, const bnn_model *m, const tb_opts *o, bnn_error *err);
void tb_free(tb_ctx *t);

/* Runs one image (its reference trace `ref`, data-set index `image` for the
 * messages). Adds to the per-layer statistics; *pred receives the class
 * from the RTL's logits. Returns 0 when the run completed (mismatches are
 * counted, not errors), -1 on a watchdog stop or error (err filled). */
int tb_run_image(tb_ctx *t, const bnn_trace *ref, int image, int *pred, bnn_error *err);

const tb_layer_stats *tb_stats(const tb_ctx *t, int *n_layers);
uint64_t tb_mismatches(const tb_ctx *t);

#endif

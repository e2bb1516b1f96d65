/*
 * tb_stats.h - what a run counts per layer: the record the driver
 * (tb_drv.c) fills and the activity side (tb_act.c) adds the RTL's counter
 * deltas and the host models' references to. Its own header so that the
 * driver uses tb_act.h and tb_act.h does not need the driver's (one way).
 */
#ifndef SPARSECIM_TB_STATS_H
#define SPARSECIM_TB_STATS_H

#include <stdint.h>

#include "power/act.h"
#include "dut.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Per-layer statistics, accumulated over the images run. */
typedef struct tb_layer_stats {
    char name[32];
    char shape[64];
    int tiles;                  /* array jobs of the layer (all parts) */
    uint64_t cycles;            /* clock cycles spent on the layer */
    uint64_t mismatches;
    uint64_t macs;              /* binary MACs per image */
    uint64_t cnt[DUT_NCNT];     /* activity counter deltas (the RTL's) */
    uint64_t planes_skipped;    /* all-zero planes not issued */
    uint64_t act_mismatches;    /* counters that differed from the host's array model (also in mismatches) */
    uint64_t ch_total;          /* layer after an SE: its input channels, summed over images (else 0) */
    uint64_t ch_zeroed;         /* of those, zeroed by the SE's gates */
    uint64_t ch_skipped;        /* of those, not mapped (the channel skip: = ch_zeroed; else 0) */
    uint64_t jobs_run;          /* array jobs run, summed over images (tiles x images without the skip) */
    uint64_t index_bits;        /* channel skip: live-channel mask bits read (in_c per job run) */
    int have_ref;               /* 1: stat and flat hold the host model's references */
    act_counts stat;            /* host array model: the same work as a --no-gating run (static reference) */
    act_counts flat;            /* host array model: the conventional flat macro (ops not filled) */
} tb_layer_stats;

#ifdef __cplusplus
}
#endif
#endif

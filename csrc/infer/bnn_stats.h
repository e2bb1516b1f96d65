/*
 * bnn_stats.h - sparsity statistics of a reference pass: per-layer input
 * zero fraction, fraction of all-zero SEG_ROWS-row segments under the
 * channel-major array mapping, SE gate zero fractions per stage.
 * A bnn_stats owns its arrays; counts accumulate over images.
 */
#ifndef SPARSECIM_BNN_STATS_H
#define SPARSECIM_BNN_STATS_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "infer/bnn_infer.h"

typedef struct bnn_stats {
    int n_layers, seg_rows, images, correct;
    uint64_t *in_zero, *in_total;       /* per layer: zero input elements / all */
    uint64_t *seg_zero, *seg_total;     /* per conv layer: all-zero segments / all (per plane) */
    uint64_t *gate_zero, *gate_total;   /* per SE layer: zero gates / gates */
} bnn_stats;

bnn_stats *bnn_stats_new(const bnn_model *m, int seg_rows);
void bnn_stats_free(bnn_stats *s);
/* Adds one image's trace (label < 0: unknown). Returns 0, -1 when out of
 * memory. */
int bnn_stats_add(bnn_stats *s, const bnn_model *m, const bnn_trace *tr, int label);
/* Stage (0..2) of an SE layer from its name, -1 if not an sXbYse layer. */
int bnn_stats_stage(const bnn_layer *l);
/* Fraction of the channels the SE gates of stage st (0..2) zeroed, over the
 * images added so far; -1.0 when the model has no SE layer in that stage (or
 * no image has been added yet). */
double bnn_stats_stage_zero(const bnn_stats *s, const bnn_model *m, int st);
/* Sets the members "layers" (per layer: name, type, input_zero_fraction,
 * segment_zero_fraction or null, an SE's channels_zeroed_fraction) and
 * "se" (per stage with an SE: stage, channels_zeroed_fraction) of the
 * JSON object o (a jansson tree, util/jdump.h; fractions as "%.6f" printed
 * them). 0, or -1 (out of memory). */
int bnn_stats_json(const bnn_stats *s, const bnn_model *m, json_t *o);

#endif

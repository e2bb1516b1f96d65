/*
 * remap.h - input-channel remapping ("move") for the sparse controller.
 *
 * A segment of SEG_ROWS word lines can be gated only when every input bit
 * on it is 0. With channel-major rows (row = c*k*k + tap) a segment holds
 * the taps of a few neighbouring channels, so placing channels that are
 * often zero next to each other makes all-zero segments more frequent. A
 * remap_stats collects, on calibration images (never the measured ones),
 * how often each input channel of each CONV layer is zero, and turns that
 * into one permutation per layer: channels sorted by falling zero fraction
 * (ties by index), position p of the array holding channel perm[p]. The
 * weight rows are permuted with the inputs (csrc/map/map.h, map_cfg.perm), so
 * results are unchanged; only the gating changes.
 *
 * Ownership: a remap_stats owns its counts and permutations; the pointers
 * remap_perms() returns stay valid until remap_free(). No global state.
 */
#ifndef SPARSECIM_REMAP_H
#define SPARSECIM_REMAP_H

#include <stdint.h>

#include "infer/bnn_infer.h"
#include "model/bnn_model.h"

typedef struct remap_stats remap_stats;

/* Statistics for model m (borrowed; must outlive the stats). NULL on OOM. */
remap_stats *remap_new(const bnn_model *m);
void remap_free(remap_stats *r);

/* Adds one calibration image's trace (from bnn_forward on m). */
void remap_add(remap_stats *r, const bnn_trace *tr);

/* Images added so far. */
int remap_images(const remap_stats *r);

/* Zero fraction of input channel c of layer li over the images added
 * (0 for non-CONV layers, grouped convs, or out of range). */
double remap_zero_fraction(const remap_stats *r, int li, int c);

/* Per layer (m->n_layers entries): the permutation of a CONV layer with
 * more than one input channel and groups = 1, NULL for every other layer. Recomputed from
 * the current statistics at each call. NULL on OOM. */
const int *const *remap_perms(remap_stats *r);

#endif

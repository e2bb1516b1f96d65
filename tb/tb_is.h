/*
 * tb_is.h - input-stationary runs of the binary conv layers: the
 * activations go into the cells, the weight bits onto the word lines.
 *
 * For a CONV layer with 1-bit inputs (every layer after conv1), the im2col
 * matrix is cut into jobs of ROWS input elements (channel-major rows, as in
 * csrc/map/map.h) x COLS output pixels. A job writes its activation tile (row r,
 * column j = element r of pixel j, 0 for padding), then issues one COMPUTE
 * per output channel with that channel's weight bits (1 = +1) on the word
 * lines. The macro's P of column j is then the number of element positions
 * where the activation is 1 and the weight is +1, so the pixel's dot is
 * 2P - A, A = the ones of the column's activations (host-side, from the
 * tile it wrote). Every P, X and accumulator is compared with the expected
 * value (tb/tb_golden.h), and the dots rebuilt from the RTL's accumulators
 * (P = (acc + X) / 2) summed over row tiles are compared with the reference
 * trace's dots: a difference counts as a mismatch.
 *
 * The sparse controller's word-line rule gates on zero word lines, which
 * here are -1 weights, not zero activations. With gating on (and unless
 * tb_opts.no_zero_flags), each tile therefore also gets its stored-zero
 * flags (docs/SPEC.md sections 5, 6): after its rows, one SET_ZF per
 * mapped segment s with flag (g, s) = 1 where the tile stores no 1 in
 * segment s's rows (< the tile's rows) of column group g's columns; the
 * controller gates those (group, segment) lines whatever the weights. The
 * flags cost one cycle per mapped segment and tile (zero_flag_writes); a
 * --no-gating run writes none. A grouped conv runs group by group: each
 * group's tiles hold its own n = (in_c/groups)*k*k rows of activations,
 * with one COMPUTE per output of the group. Layers other than binary convs (conv1's
 * 8-bit input, SE FCs, the classifier) are not run in this mode.
 */
#ifndef SPARSECIM_TB_IS_H
#define SPARSECIM_TB_IS_H

#include <stdint.h>

#include "infer/bnn_infer.h"
#include "dut.h"
#include "tb_drv.h"

struct tb_act;

/* Whether layer l runs input-stationary (CONV with 1-bit inputs). */
int tb_is_layer(const bnn_layer *l);

/* Runs every input-stationary layer of one image (reference trace tr) on
 * dut; ls (m->n_layers entries, caller-zeroed once) accumulates per layer
 * tiles (first image only), cycles, MACs per image, counters and
 * mismatches; *mismatches += all. o: gating, unit, printing. act (may be
 * NULL): the host array models that follow the DUT (tb_act.h): the layers'
 * counters are checked against them and get the references. Returns 0, or
 * -1 on a watchdog stop or OOM (err filled). */
int tb_is_image(cim_dut *dut, const bnn_model *m, const bnn_trace *tr, int image, const tb_opts *o,
                struct tb_act *act, tb_layer_stats *ls, uint64_t *mismatches, bnn_error *err);

#endif

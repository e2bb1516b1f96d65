/*
 * tb_act.h - the activity side of a run: the host's array models that
 * follow every operation the driver gives the macro (csrc/power/amodel.h), and
 * the per-layer bookkeeping of the RTL's counters against them.
 *
 *   expected  the run's own gate mode: its counts must equal the RTL's
 *             counters (a difference is reported and counted);
 *   static    gate none, every plane issued: what a --no-gating run does;
 *   flat      the conventional macro (one line of ROWS cells per column).
 *
 * The driver calls tb_act_step() with every dut_in it steps, and for a
 * plane it does not issue tb_act_skipped() (the references spend that
 * cycle); tb_act_ref_nop() is a cycle only the references spend (a drain
 * the gated run did not need). tb_act_account() closes a layer: it adds
 * the RTL's counter deltas and the references' deltas to a tb_layer_stats.
 * When the run's work differs from the references' by more than skipped
 * planes (the per-image channel skip maps fewer rows), the driver gives
 * the run's operations with tb_act_step_exp() and the references' own
 * operations with tb_act_ref().
 *
 * Ownership: a tb_act owns its models; the DUT is borrowed. No global state.
 */
#ifndef SPARSECIM_TB_ACT_H
#define SPARSECIM_TB_ACT_H

#include <stdint.h>
#include <stdio.h>

#include "power/amodel.h"
#include "dut.h"
#include "tb_stats.h"

typedef struct tb_act tb_act;

/* Models for geometry g in gate mode `gate`; marks the DUT's counters as
 * the start of the first layer. NULL on error (err filled). The DUT must
 * be in its reset state (the models start there). */
tb_act *tb_act_new(cim_dut *dut, int gate, bnn_error *err);
void tb_act_free(tb_act *a);

/* One operation the DUT was given (after dut_step). */
void tb_act_step(tb_act *a, const dut_in *c);
/* An operation of the run only (the references do other work). */
void tb_act_step_exp(tb_act *a, const dut_in *c);
/* An operation of the references only (gate none, whatever c->gate says). */
void tb_act_ref(tb_act *a, const dut_in *c);
/* A COMPUTE the gated run did not issue (all-zero plane). */
void tb_act_skipped(tb_act *a, const dut_in *c);
/* A NOP only the references spend. */
void tb_act_ref_nop(tb_act *a, int ncols, int nrows);

/* The state of the three host models (amodel_state_hash), folded into h:
 * what the array holds and how its lines stand (a split run's boundary check). */
uint64_t tb_act_state_hash(const tb_act *a, uint64_t h);

/* Marks now as the start of the next layer (its counts so far are dropped). */
void tb_act_mark(tb_act *a);

/* Closes a layer: adds the RTL counter deltas since the last mark to s->cnt,
 * the references' to s->stat / s->flat (s->have_ref = 1), and compares the
 * RTL deltas with the expected model's unless check is 0: every counter that
 * differs is printed to log (while *printed < max_print; *printed counts
 * up) as "mismatch: image I layer L activity counter C: expected E (host
 * array model), got G" and counted in s->act_mismatches. Returns the number
 * of counters that differed, plus 1 when the RTL's cell discharges differ
 * from the static reference's (the same cells conduct in every gate mode:
 * a reference not given the layer's work shows so; printed like the
 * others). Then marks now as the next layer's start. */
uint64_t tb_act_account(tb_act *a, tb_layer_stats *s, int check, FILE *log, int *printed, int max_print, int image,
                        const char *layer);

#endif

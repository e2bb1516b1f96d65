/*
 * amodel.h - the host's model of the macro's array activity: which events
 * the macro's bit lines, C1/C2 lines and controller must produce for a
 * stream of operations (docs/SPEC.md section 6, docs/ENERGY.md).
 *
 * It is written from the specification, independently of rtl/, and serves
 * two purposes:
 *   - expectation: run on the same operations as the RTL, in the same gate
 *     mode, its counts must equal the RTL's activity counters event by
 *     event (a miswired gate, a counter or a line that does the wrong thing
 *     shows up as a difference);
 *   - references: run on the operations a --no-gating run would issue, it
 *     gives the `static` reference (hierarchical bit lines, empty segments
 *     off, no data gating); configured flat (one segment of ROWS rows, no
 *     local-to-global transfer) it gives the `flat` reference (the
 *     conventional macro with one bit line per column).
 *
 * Model of one clock edge (amodel_step): the edge counts the array cycle
 * of the COMPUTE sampled at the previous edge (stage A: precharge of lines
 * whose C2 is on, evaluation of cells whose word line, bit and footer C1
 * are on, sensing of lines whose SE is on), the clock's leakage state
 * (footers off) and footer wake-ups, then the operation sampled at this
 * edge (a WRITE changes cells after the array cycle has used them; a
 * COMPUTE sets the next C1/C2/SE from its inputs: the controller's
 * lookahead, with the stored-zero flags SET_ZF wrote: a (group, segment)
 * whose flag is set is gated as a zero unit is, in every control unit).
 * CLR_CNT zeroes every count, this edge's included.
 *
 * Units: counts of events as in act.h (ACT_PLANES_SKIPPED and ops are not
 * touched: the driver owns them). Ownership: an amodel owns its state;
 * amodel_counts() points into it. No global state; nothing exits.
 */
#ifndef SPARSECIM_AMODEL_H
#define SPARSECIM_AMODEL_H

#include <stddef.h>
#include <stdint.h>

#include "power/act.h"
#include "util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct amodel amodel;

typedef struct amodel_cfg {
    int rows, cols;         /* the macro's geometry */
    int seg_rows;           /* rows per local line (rows for a flat model) */
    int col_group;          /* columns per C1/C2 line */
    int flat;               /* 1: conventional macro: no transfers counted */
    int impl;               /* AMODEL_IMPL_*: how the array cycle is computed (same counts) */
} amodel_cfg;

/* Two computations of the array cycle, equal event by event (tests/test_amodel.c
 * compares them on random operation streams): per column (a popcount of the
 * raised word lines AND each column's cells, the line's level in a counter)
 * or bit-sliced (every column of a segment at once: a row's 64 cells in a
 * word, the levels of 64 lines as bit planes, the count of conducting cells
 * added plane by plane). AUTO: bit-sliced for segments of at most 64 rows,
 * per column for longer lines (the flat reference), where one popcount per
 * column is cheaper than adding hundreds of rows. */
enum { AMODEL_IMPL_AUTO = 0, AMODEL_IMPL_COLUMNS = 1, AMODEL_IMPL_SLICED = 2 };

/* The operations of docs/SPEC.md section 6 (the op_i codes). */
enum { AMODEL_NOP = 0, AMODEL_WRITE = 1, AMODEL_READ = 2, AMODEL_COMPUTE = 3, AMODEL_SET_THR = 4,
       AMODEL_CLR_CNT = 5, AMODEL_SET_ZF = 6 };

/* One operation at one clock edge; fields not used by op are ignored. */
typedef struct amodel_op {
    int op;                     /* AMODEL_* */
    int row;                    /* WRITE: row written; SET_ZF: segment */
    const uint64_t *wdata;      /* WRITE: cols bits; SET_ZF: bit g = stored-zero flag of group g (NULL = zero) */
    const uint64_t *in;         /* COMPUTE: rows bits (NULL = zero) */
    int gate;                   /* COMPUTE: bit 0 C1, bit 1 C2 driven by data gating */
    int unit_log2;              /* COMPUTE: control unit = 2^unit_log2 segments */
    int ncols, nrows;           /* COMPUTE: columns and rows in use */
} amodel_op;

/* A model in its reset state (every line precharged, C1/C2 off, cells 0,
 * stored-zero flags 0, counts 0). NULL on error (err filled). */
amodel *amodel_new(const amodel_cfg *cfg, bnn_error *err);
void amodel_free(amodel *m);

/* Back to the reset state (cells included), as rst_ni does. */
void amodel_reset(amodel *m);

/* One clock edge with operation op. */
void amodel_step(amodel *m, const amodel_op *op);

/* The counts since reset or the last CLR_CNT. */
const act_counts *amodel_counts(const amodel *m);

/* 64-bit FNV-1a hash of the model's state (cells, line levels, C1/C2/SE,
 * footers, stored-zero flags, the lookahead register; not the counts),
 * folded into h (start with AMODEL_HASH_INIT). Two models with the same
 * geometry and the same state count the same events for the same
 * operations from then on (a split run checks its image boundaries with it). */
#define AMODEL_HASH_INIT 0xcbf29ce484222325ull
uint64_t amodel_hash_bytes(uint64_t h, const void *p, size_t n);
uint64_t amodel_state_hash(const amodel *m, uint64_t h);

#ifdef __cplusplus
}
#endif
#endif

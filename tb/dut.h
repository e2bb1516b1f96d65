/*
 * dut.h - the thin C interface over one simulated cim_macro (rtl/cim_macro.v,
 * docs/SPEC.md section 6), whatever the back end (tb/tb_backend.h).
 *
 * A cim_dut is an opaque handle. The verilated C++ back end
 * (tb/dut_verilated.cpp) owns the Verilator context, the model and the
 * trace; the SystemC back end (tb/sc_top.cpp) owns its SystemC top. Every
 * C++ exception is caught at this boundary and turned into an error string.
 *
 * Units and orders:
 *   - bit vectors cross the interface as 64-bit words, LSB first (bit r of a
 *     ROWS-bit vector is bit r%64 of word r/64);
 *   - one dut_step() = one rising clock edge; outputs are the registered
 *     outputs after that edge (READ: valid after the READ's own step;
 *     COMPUTE: after the next step, DUT_COMPUTE_LATENCY);
 *   - time: one clock cycle = 2 time units (1 ns each) in the waveform;
 *     cycle c (counting from 0 at creation) has its rising edge at 2c+1 ns;
 *   - waveforms: VCD or FST, chosen by the file extension; a verilated build
 *     has one trace format, so the extension must match a build of that
 *     geometry (dut_find_build reports which formats exist).
 */
#ifndef SPARSECIM_DUT_H
#define SPARSECIM_DUT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cim_dut cim_dut;

#define DUT_MAX_COLS 256        /* widest geometry the shim supports */
#define DUT_MAX_SEGS 64         /* ROWS / SEG_ROWS at most */

enum dut_op { DUT_NOP = 0, DUT_WRITE = 1, DUT_READ = 2, DUT_COMPUTE = 3, DUT_SET_THR = 4, DUT_CLR_CNT = 5,
              DUT_SET_ZF = 6 };

/* Activity counter indices: rtl/cim_activity.v header. */
enum dut_cnt {
    DUT_CNT_CYCLES = 0, DUT_CNT_COMPUTE, DUT_CNT_WRITES, DUT_CNT_FLIPS, DUT_CNT_READS, DUT_CNT_WL_PULSES,
    DUT_CNT_PRECHARGES, DUT_CNT_RECHARGES, DUT_CNT_RECHARGE_STEPS, DUT_CNT_CELL_DISCHARGES,
    DUT_CNT_LINE_DISCHARGES, DUT_CNT_EVALS, DUT_CNT_TRANSFERS, DUT_CNT_ACC_UPDATES, DUT_CNT_SEG_ACTIVE,
    DUT_CNT_SEG_GATED, DUT_CNT_SEG_UNMAPPED, DUT_CNT_CHECKS, DUT_CNT_C1_TOGGLES, DUT_CNT_C2_TOGGLES,
    DUT_CNT_FOOTER_WAKEUPS, DUT_CNT_FOOTER_OFF, DUT_CNT_ZF_WRITES, DUT_CNT_ZF_GATED, DUT_NCNT
};
/* Counter names as used in reports (snake_case), for the C side (the C++
 * shims name no counter): csrc/power/act.c's list, which the reports link
 * without the RTL too (sparsecim merge reads them back); the testbench
 * needs no file of the command line for it. */
#ifndef __cplusplus
#include "power/act.h"
#define dut_cnt_names act_rtl_counter_names
_Static_assert(DUT_NCNT == ACT_RTL_NCNT, "tb/dut.h and csrc/power/act.h list the same counters");
#endif

/* gate_i: the lines data gating drives (bit 0 C1, bit 1 C2; SE whenever != 0). */
enum dut_gate { DUT_GATE_NONE = 0, DUT_GATE_C1 = 1, DUT_GATE_C2 = 2, DUT_GATE_BOTH = 3 };

/* Cycles from a COMPUTE to its registered outputs: the op is sampled at
 * edge t (stage L, the controller's lookahead register), the array
 * evaluates in the next cycle (stage A) and P/X/acc are registered at
 * edge t+1, i.e. visible in the dut_out of the step after the COMPUTE's. */
#define DUT_COMPUTE_LATENCY 2

/* col_group and acc_w 0 in a geometry asked for: any (dut_find_build). */
typedef struct dut_geom {
    int rows, cols, seg_rows, col_group, acc_w;
} dut_geom;

/* Trace formats of a build. */
typedef enum dut_trace_fmt { DUT_TRACE_VCD = 0, DUT_TRACE_FST = 1 } dut_trace_fmt;

/* One cycle's inputs (all of the macro's input ports but the clock/reset). */
typedef struct dut_in {
    int op;                  /* enum dut_op */
    int addr;                /* WRITE/READ: row; SET_THR: column; SET_ZF: segment */
    const uint64_t *wdata;   /* COLS bits (WRITE; SET_ZF: bit g = stored-zero flag of group g), NULL = all zero */
    const uint64_t *in;      /* ROWS bits (COMPUTE), NULL = all zero */
    int first, last;         /* COMPUTE: first / last plane issued of an accumulation */
    int plane;               /* COMPUTE: the plane's weight is 2^plane (0..15) */
    int32_t thr;             /* SET_THR: signed threshold */
    int gate;                /* enum dut_gate: lines driven by data gating */
    int unit_log2;           /* control unit = 2^unit_log2 segments, 0..3 */
    int ncols;               /* columns in use, 0..COLS */
    int nrows;               /* rows in use, 0..ROWS (static row mask) */
    int cnt_sel;             /* counter shown on cnt_o */
} dut_in;

/* Which of the wide outputs dut_step() copies (the narrow ones always). */
enum { DUT_OUT_P = 1, DUT_OUT_ACC = 2, DUT_OUT_BIN = 4, DUT_OUT_RDATA = 8, DUT_OUT_ALL = 15 };

/* The registered outputs after one clock edge. */
typedef struct dut_out {
    int cmp_valid, acc_valid, rd_valid;
    int x;                            /* X of the last array cycle */
    uint64_t seg_gated;               /* bit s: segment s data-gated in the last array cycle (docs/SPEC.md 6) */
    int p[DUT_MAX_COLS];              /* DUT_OUT_P: per-column P of the last COMPUTE */
    int32_t acc[DUT_MAX_COLS];        /* DUT_OUT_ACC: per-column accumulator */
    uint64_t bin[DUT_MAX_COLS / 64];  /* DUT_OUT_BIN: per-column acc >= threshold */
    uint64_t rdata[DUT_MAX_COLS / 64];/* DUT_OUT_RDATA: READ result */
} dut_out;

/* Looks a verilated build up by geometry and back end (0 plain C++, 1
 * SystemC); fmt_mask receives the trace formats available (bit 1<<fmt).
 * Returns the canonical geometry (static storage) or NULL. */
const dut_geom *dut_find_build(const dut_geom *want, int systemc, unsigned *fmt_mask);
/* Geometries built into this program, terminated by rows == 0. */
const dut_geom *dut_geom_at(int i);

/* Trace format of a path by extension (.vcd / .fst); -1 for anything else. */
int dut_trace_fmt_of(const char *path);

/* Creates and resets a plain verilated model of geometry g (from
 * dut_find_build). trace: waveform path or NULL; only cycles in
 * [from, to) are dumped (to = 0: no end). NULL on error (err filled). */
cim_dut *dut_new(const dut_geom *g, const char *trace, uint64_t from, uint64_t to, char *err, size_t errlen);
/* Finishes the model (final()), then closes the trace; NULL is fine. */
void dut_free(cim_dut *d);

/* Asserts rst_ni for one cycle (array contents are kept by the RTL only
 * if it says so; counters and outputs are cleared). */
void dut_reset(cim_dut *d);
/* One clock cycle with these inputs; out (may be NULL) receives the
 * registered outputs, with the wide ones chosen by want (DUT_OUT_*). */
void dut_step(cim_dut *d, const dut_in *in, dut_out *out, unsigned want);
/* Activity counter idx (0..DUT_NCNT-1) now, without a clock edge. */
uint64_t dut_counter(cim_dut *d, int idx);
/* Clock cycles since creation (reset cycles included). */
uint64_t dut_cycles(const cim_dut *d);
const dut_geom *dut_geometry(const cim_dut *d);

/* How a build of geometry g on that back end clocks the model (static
 * strings):
 *   "fast"     one evaluation per cycle outside the waveform window (the
 *              shim tells the model's edge detector that the clock was low:
 *              Verilator-internal state, detected when the shim is compiled)
 *   "two-edge" both edges evaluated in every cycle: the model has no such
 *              state (another Verilator), or SPARSECIM_CLOCK=two-edge is set
 *              in the environment (DUT_CLOCK_ENV), which forces it at dut_new
 *   "systemc"  the SystemC back end (its clock drives both edges)
 * NULL when there is no such build. */
#define DUT_CLOCK_ENV "SPARSECIM_CLOCK"
const char *dut_clock_path(const dut_geom *g, int systemc);

#ifdef __cplusplus
}
#endif
#endif

/*
 * dut.h - the thin C interface over one verilated build of rtl/cim_macro.v.
 *
 * A cim_dut is an opaque handle owning the Verilator context, the model and
 * (optionally) a VCD trace; the C++ side (dut_verilated.cpp) is compiled
 * once per geometry. Bit vectors cross the interface as 64-bit words, LSB
 * first (bit r of a ROWS-bit vector is bit r%64 of word r/64).
 * Time: one clock cycle = 2 time units (timescale 1 ns per unit in the VCD,
 * so a 2 ns clock period in the waveform).
 */
#ifndef SPARSECIM_DUT_H
#define SPARSECIM_DUT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cim_dut cim_dut;

enum dut_op { DUT_NOP = 0, DUT_WRITE = 1, DUT_READ = 2, DUT_COMPUTE = 3, DUT_SET_THR = 4, DUT_CLR_CNT = 5 };

/* Counter indices (rtl/cim_activity.v). */
enum dut_cnt {
    DUT_CNT_CYCLES = 0, DUT_CNT_COMPUTE, DUT_CNT_SKIPPED, DUT_CNT_WRITES, DUT_CNT_FLIPS, DUT_CNT_READS,
    DUT_CNT_WL_PULSES, DUT_CNT_PRE_DONE, DUT_CNT_PRE_GATED, DUT_CNT_DISCHARGES, DUT_CNT_EVAL_DONE,
    DUT_CNT_EVAL_GATED, DUT_CNT_TRANSFERS, DUT_CNT_ACC_UPDATES, DUT_CNT_SEG_ACTIVE, DUT_CNT_SEG_GATED,
    DUT_CNT_CHECKS, DUT_CNT_CTRL_TOGGLES, DUT_CNT_WL_MASKED, DUT_NCNT
};
extern const char *const dut_cnt_names[DUT_NCNT];

typedef struct dut_geom {
    const char *name;   /* e.g. "256x64s16" */
    int rows, cols, seg_rows, col_group, acc_w;
} dut_geom;

/* One cycle's inputs. Static configuration is set with dut_config(). */
typedef struct dut_in {
    int op;
    int addr;
    const uint64_t *wdata;   /* COLS bits (WRITE) or NULL */
    const uint64_t *in;      /* ROWS bits (COMPUTE) or NULL */
    int first, last;
    int32_t thr;
} dut_in;

/* Outputs after the clock edge that executed the op (the registered outputs). */
typedef struct dut_out {
    int cmp_valid, acc_valid, rd_valid;
    int x;
} dut_out;

/* Available geometries (one verilated build each): by name, or the i-th
 * (NULL past the last). */
const dut_geom *dut_geom_find(const char *name);
const dut_geom *dut_geom_at(int i);

/* Creates and resets a model. trace: VCD path or NULL; dumping is limited
 * to cycles [from, to) (to = 0: no limit). NULL on error (err filled). */
cim_dut *dut_new(const dut_geom *g, const char *trace, uint64_t from, uint64_t to, char *err, size_t errlen);
void dut_free(cim_dut *d);

void dut_config(cim_dut *d, int gate_en, int unit_log2, int ncols);
/* One clock cycle. */
void dut_step(cim_dut *d, const dut_in *in, dut_out *out);
/* Register outputs of the last cycle. */
void dut_p(cim_dut *d, int *p);             /* COLS values */
void dut_acc(cim_dut *d, int32_t *acc);     /* COLS values */
void dut_bin(cim_dut *d, uint64_t *bin);    /* COLS bits */
void dut_rdata(cim_dut *d, uint64_t *row);  /* COLS bits */
uint64_t dut_seg_gated(cim_dut *d);         /* segments 0..63 */
uint64_t dut_counter(cim_dut *d, int idx);
uint64_t dut_cycles(const cim_dut *d);
const dut_geom *dut_geometry(const cim_dut *d);

#ifdef __cplusplus
}
#endif
#endif

/*
 * tb_backend.h - the simulation back ends behind a cim_dut.
 *
 *   tb_backend_verilated  the verilated C++ model, stepped directly
 *   tb_backend_systemc    the verilated SystemC model (verilator --sc) in a
 *                         SystemC top whose SC_THREAD runs the caller's body
 *
 * Both run a body with a cim_dut: tb_backend.run() creates the DUT, calls
 * body(dut, arg) (for SystemC from inside the SC_THREAD, so every
 * dut_step() is a real clock cycle of the SystemC simulation), frees the
 * DUT and returns the body's status. The same C driver thus runs on both.
 * SystemC allows one elaboration per process: the SystemC back end can run
 * once per process (a second run returns an error).
 *
 * Internals (for the back ends only): every handle starts with struct
 * cim_dut, whose ops table the C dispatch in tb/dut.c calls.
 */
#ifndef SPARSECIM_TB_BACKEND_H
#define SPARSECIM_TB_BACKEND_H

#include "dut.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Per-handle operations a back end implements. */
typedef struct dut_ops {
    void (*free_)(cim_dut *);
    void (*reset)(cim_dut *);
    void (*step)(cim_dut *, const dut_in *, dut_out *, unsigned want);
    uint64_t (*counter)(cim_dut *, int);
    /* Closes the waveform trace (NULL: the back end has no such check):
     * 0, or -1 with err naming the file when a write failed (disk full). */
    int (*close_trace)(cim_dut *, char *err, size_t errlen);
} dut_ops;

struct cim_dut {
    const dut_ops *ops;
    const dut_geom *geom;
    uint64_t cycles;
};

/* What the body of a run gets; returns its own status (0 ok). */
typedef int (*tb_body_fn)(cim_dut *dut, void *arg);

typedef struct tb_backend {
    const char *name;   /* "verilated" | "systemc" */
    int systemc;        /* 1: a SystemC build is needed */
    /* Creates a DUT of geometry g (trace/from/to as dut_new), runs body and
     * frees the DUT. Returns the body's status, or -1 when the DUT could not
     * be made (err filled). */
    int (*run)(const dut_geom *g, const char *trace, uint64_t from, uint64_t to, tb_body_fn body, void *arg,
               char *err, size_t errlen);
} tb_backend;

extern const tb_backend tb_backend_verilated;
extern const tb_backend tb_backend_systemc;

/* ---- the generated build registry (tb/tb.cmake writes dut_registry.c) ---- */
typedef cim_dut *(*dut_factory_fn)(const dut_geom *g, const char *trace, uint64_t from, uint64_t to, char *err,
                                   size_t errlen);
typedef int (*dut_sc_run_fn)(const dut_geom *g, const char *trace, uint64_t from, uint64_t to, tb_body_fn body,
                             void *arg, char *err, size_t errlen);
typedef struct dut_build {
    dut_geom geom;
    int fmt;                    /* dut_trace_fmt */
    dut_factory_fn factory;     /* plain C++ build, or NULL */
    dut_sc_run_fn sc_run;       /* SystemC build, or NULL */
    /* plain C++ build: the clock path its shim was compiled with (see
     * dut_clock_path in dut.h), or NULL (SystemC) */
    const char *(*clock)(void);
} dut_build;
extern const dut_build dut_builds[];   /* terminated by geom.rows == 0 */

/* The build of exactly this geometry, back end and trace format, or NULL. */
const dut_build *dut_build_lookup(const dut_geom *g, int systemc, int fmt);

#ifdef __cplusplus
}
#endif
#endif

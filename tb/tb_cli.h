/*
 * tb_cli.h - what `sparsecim sim` and `sparsecim run` share: the common
 * options (back end, geometry, gating, waves), the per-layer table, the
 * JSON report. Errors are one line on stderr; nothing exits.
 */
#ifndef SPARSECIM_TB_CLI_H
#define SPARSECIM_TB_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "tb_backend.h"
#include "tb_drv.h"

typedef struct tb_cli_common {
    tb_opts o;              /* driver options (gating, unit, layout, printing) */
    const tb_backend *be;   /* verilated (default) or systemc */
    dut_geom want;          /* requested geometry (col_group 0: any) */
    const dut_geom *geom;   /* the build's geometry, after tb_cli_resolve */
    const char *waves;      /* waveform path or NULL */
    long from, to;          /* waveform window in cycles [from, to) */
    const char *report;     /* JSON report path or NULL */
    int quiet;              /* no per-layer table */
    long max_mismatch;
} tb_cli_common;

void tb_cli_common_init(tb_cli_common *c);

/* Consumes argv[*i] (and its value) when it is a common option: returns 1,
 * 0 when it is not one, -1 on a bad value (message printed). */
int tb_cli_common_arg(tb_cli_common *c, const char *cmd, int argc, char **argv, int *i);

/* Help text of the common options. */
extern const char tb_cli_common_help[];

/* Checks the geometry / back end / waveform format combination against the
 * builds in this program; 0 ok, -1 with a message. */
int tb_cli_resolve(tb_cli_common *c, const char *cmd);

/* Geometry as "256x64x16" (rows x cols x segment rows). */
void tb_cli_geom_name(const dut_geom *g, char *buf, size_t n);

/* The per-layer table (layer, shape, tiles, cycles, mismatches, gated fraction). */
void tb_cli_table(FILE *f, const tb_layer_stats *ls, int nl);

/* Summary of a run for the JSON report. */
typedef struct tb_cli_summary {
    const char *command;        /* "run" | "sim" */
    const char *source;         /* the model file, or the vector directory */
    const char *data;           /* the data spec, or NULL */
    int images, correct, chained_equal;
    uint64_t mismatches;
    const int *pred, *chained, *ref_pred, *label;   /* images entries; label may be NULL */
    double wall_seconds;
} tb_cli_summary;

/* Writes the JSON report: images, mismatches, cycles, predictions,
 * accuracy, layers (name, shape, tiles, cycles, mismatches, gated_fraction,
 * every activity counter by name), totals. */
void tb_cli_json(FILE *f, const tb_cli_common *c, const tb_cli_summary *s, const tb_layer_stats *ls, int nl);

#endif

/*
 * cli_common.h - what `sparsecim sim`, `run` and `merge` share. The common
 * options (back end, geometry, gating, waves, report outputs), their checks,
 * SAIF conversion and writing the report: cli_common_*, in cli_common.c,
 * built with the RTL. The reports: cli_report_* (the energy profile of a
 * run, the per-layer table, the SE line, the activity with its three
 * references, the energy summary, the JSON report, the shard a part report
 * holds), in cli_report.c, which needs no DUT and is built without the RTL
 * too. Errors are one line on stderr; nothing exits.
 */
#ifndef SPARSECIM_CLI_COMMON_H
#define SPARSECIM_CLI_COMMON_H

#include <stdint.h>
#include <stdio.h>

#include "power/act.h"
#include "cli/cli_util.h"
#include "power/energy.h"
#include "tb_backend.h"
#include "tb_drv.h"

typedef struct cli_common {
    tb_opts o;              /* driver options (gating, unit, layout, printing) */
    const tb_backend *be;   /* verilated (default) or systemc */
    dut_geom want;          /* requested geometry (col_group 0: any) */
    const dut_geom *geom;   /* the build's geometry, after cli_common_resolve */
    const char *clock_path; /* how the build clocks the model (dut_clock_path), after cli_common_resolve */
    const char *waves;      /* waveform path or NULL */
    long from, to;          /* waveform window in cycles [from, to) */
    const char *report;     /* JSON report path or NULL */
    int quiet;              /* no per-layer table */
    long max_mismatch;
    const char *energy;     /* --energy profile path, "none", or NULL (default profile) */
    const char *csv;        /* --csv path or NULL */
    const char *saif;       /* --saif path or NULL */
    char saif_vcd[4300];    /* the VCD the SAIF is made from (a temporary one without --waves) */
    char saif_dir[4200];    /* without --waves: the temporary directory beside the SAIF holding saif_vcd */
    int saif_tmp;           /* 1: saif_vcd / saif_dir are temporary, removed after the conversion */
    int input_stationary;   /* run --stationary input */
    const char *remap;      /* run --remap calibration spec, or NULL */
    int remap_images;       /* calibration images used */
    long remap_offset;      /* the first of them */
    int have_energy;        /* a profile is loaded (after cli_common_resolve) */
    const char *prof_path;  /* its file (have_energy) */
    uint32_t prof_crc;      /* CRC-32 of that file (have_energy) */
    energy_profile prof;    /* the profile (have_energy) */
    energy_model em;        /* its energy tables for the build's geometry (hierarchical and flat),
                               derived once by cli_report_load_profile and passed to every writer */
} cli_common;

void cli_common_init(cli_common *c);

/* The common options of run and sim as a table (cli_util.h) that the
 * subcommand's own joins: their ids start at CLI_COMMON_OPT_ID0, so the
 * subcommand's must be below it. */
#define CLI_COMMON_OPT_ID0 1000
extern const cli_opt cli_common_opts[];

/* Takes option `id` that cli_next returned (its value in p) into c when it
 * is a common option: 1, 0 when it is not one, -1 on a bad value (message
 * printed). */
int cli_common_opt(cli_common *c, const cli_parser *p, int id);

/* Help text of the common options. */
extern const char cli_common_help[];

/* The energy profile used without --energy: the 65 nm profile of the
 * source tree this program was built from (constraints/energy-65nm.txt),
 * when that file is present. */
#ifndef SPARSECIM_DEFAULT_PROFILE
#define SPARSECIM_DEFAULT_PROFILE "constraints/energy-65nm.txt"
#endif

/* Checks the geometry / back end / waveform format combination against the
 * builds in this program and loads the energy profile (derived for the
 * build's geometry); 0 ok, -1 with a message. */
int cli_common_resolve(cli_common *c, const char *cmd);

/* Checks every output of the common options (--report, --csv, --saif,
 * --waves) before any work, against the inputs in `in` (the energy profile
 * is added): out_check / out_distinct (csrc/util/outfile.h). 0, or -1 with one
 * line printed. */
int cli_common_check_outputs(const cli_common *c, const char *cmd, cli_inputs *in);

/* A back end's error message as the user should read it: one about the
 * temporary VCD of --saif names the --saif file instead (buf holds it). */
const char *cli_common_error(const cli_common *c, const char *msg, char *buf, size_t n);

/* Removes the temporary VCD of --saif without --waves (and its directory);
 * no-op otherwise. */
void cli_common_cleanup(cli_common *c);

/* With --saif: converts the window's VCD into the SAIF file (csrc/power/saif.h)
 * and removes a temporary VCD. 0, or -1 with a message. */
int cli_common_saif(cli_common *c, const char *cmd);

/* ---- the reports (cli_report.c) ---- */

/* Loads the profile `path` (derived for c->geom) into c: prof, et,
 * prof_path, prof_crc, have_energy = 1. 0, or -1 with a message. */
int cli_report_load_profile(cli_common *c, const char *cmd, const char *path);

/* Name of a gate mode (enum dut_gate): "none", "c1", "c2", "both". */
const char *cli_report_gate_name(int gate);

/* Geometry as "256x64x16" (rows x cols x segment rows). */
void cli_report_geom_name(const dut_geom *g, char *buf, size_t n);

/* The per-layer table (layer, shape, tiles, cycles, mismatches, gated:
 * data-gated over mapped segment-cycles, act_gated_fraction_data). */
void cli_report_table(FILE *f, const tb_layer_stats *ls, int nl);
/* One line on the layers right after an SE (none: nothing printed): the
 * channels the SE zeroed, their data gating, and under --skip-channels /
 * --dynamic-move what was not mapped, the jobs run and the index bits. */
void cli_report_se_summary(FILE *f, const cli_common *c, const tb_layer_stats *ls, int nl);

/* The activity of the layers as an act_report with the three references
 * (act.h, act_ref): gated = the RTL counters by name (dut_cnt_names) plus
 * planes_skipped; static = ls->stat, flat = ls->flat, valid when
 * ls->have_ref. The ops of all three = binary MACs x images (the same
 * logical work; the host model's own ops are not used). Returns 0, or -1
 * (err filled; r is then empty and freed). */
int cli_report_act(const tb_layer_stats *ls, int nl, int images, act_report *r, bnn_error *err);

/* Prints the energy summary when a profile is loaded: per image the flat,
 * static and gated energies, the savings (gated vs static, static vs flat),
 * fJ/op, the data-gated fraction and the cycles saved (static - gated, and
 * the planes skipped); per layer too with --quiet off. Writes --csv
 * (act_write_csv). 0 or -1 (message). */
int cli_report_energy(FILE *f, const cli_common *c, const char *cmd, const tb_layer_stats *ls, int nl, int images);

/* The part of a split run a report holds (run --shard I/N, a worker of
 * run --jobs N): block `index` of `of` contiguous blocks of the run's
 * images [run_first, run_first + run_count), its own images [first, first
 * + count); the host models' state hash (tb_state_hash) where the block
 * starts (after the warm-up image first - 1 when index > 0) and ends. */
typedef struct cli_shard {
    int index, of;
    long first, count, run_first, run_count;
    uint64_t state_start, state_end;
} cli_shard;

/* Block i of n of `count` images from `first`: [*b, *b + *len). */
void cli_shard_block(long first, long count, int i, int n, long *b, long *len);

/* Summary of a run for the JSON report. */
typedef struct cli_summary {
    const char *command;        /* "run" | "sim" */
    const char *source;         /* the model file, or the vector directory */
    const char *data;           /* the data spec, or NULL */
    int images, correct, chained_equal;
    uint64_t mismatches;
    const int *pred, *chained, *ref_pred, *label;   /* images entries; label may be NULL */
    double wall_seconds;
    int have_model_id;          /* 1: model_bytes / model_crc identify the source's file (run) */
    uint64_t model_bytes;
    uint32_t model_crc;         /* the .bnn's CRC-32 (of every byte before its CRC field) */
    const cli_shard *shard;      /* NULL: the whole run */
} cli_summary;

/* Writes the JSON report: images, mismatches, cycles, predictions,
 * accuracy, layers (name, shape, tiles, cycles, mismatches, gated_fraction,
 * every activity counter by name), totals; with a profile also per layer and
 * in total (numbers in fJ; "ungated" = the static reference; null where a
 * reference is missing): energy_fj, energy_fj_ungated, energy_fj_flat,
 * fj_per_op, fj_per_op_ungated, fj_per_op_flat, saving_fraction (1 -
 * gated/static), hierarchy_saving_fraction (1 - static/flat),
 * gated_fraction_data, unmapped_fraction, cycles_skipped, cycles (total
 * only: a layer's "cycles" is the driver's), cycles_static; and "energy"
 * (csrc/power/act_write.h act_json: per-event energies, components and counts of
 * the three references per layer). Every report also holds what an exact
 * merge needs (cli_part.h): the model file's size and CRC, the profile's
 * path and CRC, and per layer `raw`: MACs per image, planes skipped, index
 * bits, activity mismatches and the static and flat counts by event name;
 * a part of a split run its `shard` (cli_shard). The report is built as one
 * jansson tree and dumped once to f (csrc/util/jdump.h: two-space indent,
 * each number as the printf format of its field printed it). 0, or -1
 * with err (out of memory); a write error stays on f for out_commit. */
int cli_report_json(FILE *f, const cli_common *c, const cli_summary *s, const tb_layer_stats *ls, int nl,
                bnn_error *err);

/* With --report: writes the JSON report (cli_report_json) through outfile.h
 * and prints "report: PATH". 0, or -1 with one line printed. */
int cli_common_report(const cli_common *c, const char *cmd, const cli_summary *s, const tb_layer_stats *ls, int nl);

#endif

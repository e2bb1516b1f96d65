/*
 * cli_part.h - exact merging of the JSON reports of a split run: the parts
 * of `run --shard I/N` (sparsecim merge) and the workers of `run --jobs N`
 * (which are shard reports written to a temporary directory) go through
 * the same code.
 *
 * A part is read back from its JSON report (cli_report_json writes everything a
 * merge needs: per layer the raw counters of the run and of the static and
 * flat references, planes skipped, index bits; the model file's size and
 * CRC; the energy profile's path and CRC; the shard and its image range).
 * Merging checks that every part comes from the same model file, data,
 * back end, geometry, options and energy profile, that the shards are
 * blocks of the same run that cover its images exactly once, and that
 * each block started from the macro state its predecessor ended in (the
 * warm-up, tb_drv.h tb_stats_clear); then it concatenates the per-image
 * arrays in image order and sums every counter. Energies are not merged:
 * the writer recomputes them from the summed counters with the profile, so
 * the merged report is the single run's, field for field, but for
 * wall_seconds (the longest part's) and the shard field (absent).
 *
 * Reports are read with jansson (csrc/util/jload.h: a key given twice in an
 * object is refused). Errors: one line in msg, return -1; the caller exits
 * 2. A parse error or a field of the wrong type (or missing) names the
 * file, the line and column and what was expected:
 * "part.json:12:5: expected a non-negative integer for "cycles"" (the
 * place of the value, or of the object that lacks it).
 * Ownership: a cli_part owns its text, tree and arrays (cli_part_free); a
 * merged part borrows the first input's tree for the option fields, so the
 * inputs must outlive it. No global state; nothing exits.
 */
#ifndef SPARSECIM_CLI_PART_H
#define SPARSECIM_CLI_PART_H

#include <stddef.h>

#include "util/jload.h"
#include "cli/cli_common.h"

/* The largest report a merge reads (a report of 10,000 images is about
 * 0.6 MB, one array entry a line): a larger file is refused before it is
 * parsed. */
#define CLI_PART_MAX_BYTES ((size_t)1 << 28)

typedef struct cli_part {
    char path[1024];            /* the report's file, for messages */
    char *text;                 /* its contents (for the places of errors, jload.h) */
    size_t len;                 /* bytes of text */
    json_t *doc;                /* parsed (jansson); borrowed in a merged part */
    int have_shard;
    cli_shard sh;
    int images;
    int *pred, *chained, *ref_pred, *label;     /* images entries; label NULL without labels */
    uint64_t mismatches;
    double wall_seconds;
    tb_layer_stats *ls;
    int nl;
} cli_part;

/* Reads a report. 0, or -1 (msg: "FILE: what"). */
int cli_part_load(const char *path, cli_part *p, char *msg, size_t n);
void cli_part_free(cli_part *p);

/* Merges parts[0..n) (any order; every one a shard report of the same run)
 * into *out (its own arrays; doc borrowed from the first shard). 0, or -1
 * with msg. */
int cli_part_merge(cli_part *parts, int n, cli_part *out, char *msg, size_t mlen);

/* The options a report was made with, for the writers (cli_report_json,
 * cli_report_energy): c, with be and g as the storage c points to; the energy
 * profile is loaded from the report's path, or from `energy` when not
 * NULL, and its CRC must be the report's. 0, or -1 with a message on
 * stderr ("sparsecim CMD: ..."). */
int cli_part_common(const cli_part *p, const char *cmd, const char *energy, cli_common *c, tb_backend *be,
                   dut_geom *g);

/* The run summary of a (merged) part; correct and chained_equal recounted
 * from its arrays. */
cli_summary cli_part_summary(const cli_part *p);

/* Adds the counts of layer b into a (cycles, mismatches, every counter,
 * planes skipped, the skip's channels and index bits, both references);
 * the per-image figures (tiles, MACs), name and shape are a's. */
void tb_layer_stats_add(tb_layer_stats *a, const tb_layer_stats *b);

/* Images of the part that its prediction got right (labels), and those whose
 * RTL-chained prediction equals the reference's. */
int cli_part_correct(const cli_part *p);
int cli_part_chained_equal(const cli_part *p);

#endif

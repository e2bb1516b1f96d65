/*
 * cli_util.h - small helpers shared by the subcommands: option values with
 * range checks (num.h: decimal only, no wrap), a progress line.
 * Output files: outfile.h.
 */
#ifndef SPARSECIM_CLI_UTIL_H
#define SPARSECIM_CLI_UTIL_H

#include <stdint.h>
#include <stdio.h>

/* Parses a decimal integer option value in [lo, hi] (num_parse_i64). On error prints
 * "sparsecim CMD: option OPT: expected an integer in lo..hi, got 'V'" and
 * returns -1. */
int cli_int(const char *cmd, const char *opt, const char *val, long lo, long hi, long *out);

/* Fetches the value of option argv[*i] (advancing *i); prints an error and
 * returns NULL when it is missing. */
const char *cli_value(const char *cmd, int argc, char **argv, int *i);

/* The input files of a command (outputs must not be one of them). */
typedef struct cli_inputs {
    const char *p[64];
    int n;
    char spec[4][4096];     /* storage for the files of data specs */
    int n_spec;
} cli_inputs;
/* Adds a path (NULL ignored). */
void cli_inputs_add(cli_inputs *in, const char *path);
/* Adds the files a data spec reads (ds_spec_files). */
void cli_inputs_add_spec(cli_inputs *in, const char *spec);

/* Checks every output before any work is done: each path (NULL: not given)
 * with out_check against the inputs, and all of them distinct
 * (out_distinct). On error prints one line "sparsecim CMD: option OPT:
 * why" and returns -1. */
int cli_check_outputs(const char *cmd, const cli_inputs *in, const char *const *paths, const char *const *opts,
                      int n);

/* Size of a file and the CRC-32 (zlib) of its bytes but the last `tail`
 * (a .bnn ends with the CRC-32 of what precedes it, and the CRC of a
 * message followed by its own CRC is the same for every message: pass 4,
 * and *crc is the model's own CRC). 0, or -1 (errno set). */
int cli_file_crc(const char *path, long tail, uint64_t *bytes, uint32_t *crc);

/* Progress: a bar on a terminal, a plain line every `every` items otherwise. */
void cli_progress(FILE *f, int is_tty, int done, int total, const char *what);

#endif

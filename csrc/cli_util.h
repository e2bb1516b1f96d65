/*
 * cli_util.h - small helpers shared by the subcommands: option values with
 * range checks, JSON string output, atomic file output, a progress line.
 */
#ifndef SPARSECIM_CLI_UTIL_H
#define SPARSECIM_CLI_UTIL_H

#include <stdint.h>
#include <stdio.h>

/* Parses a decimal integer option value in [lo, hi]. On error prints
 * "sparsecim CMD: option OPT: expected an integer in lo..hi, got 'V'" and
 * returns -1. */
int cli_int(const char *cmd, const char *opt, const char *val, long lo, long hi, long *out);

/* Fetches the value of option argv[*i] (advancing *i); prints an error and
 * returns NULL when it is missing. */
const char *cli_value(const char *cmd, int argc, char **argv, int *i);

/* A file written atomically: opened as PATH.tmp.PID, renamed on commit. */
typedef struct cli_out {
    FILE *f;
    char path[4096];
    char tmp[4160];
} cli_out;
int cli_out_open(cli_out *o, const char *cmd, const char *path);
int cli_out_commit(cli_out *o, const char *cmd);  /* closes; 0 ok */
void cli_out_abort(cli_out *o);

/* Size of a file and the CRC-32 (zlib) of its bytes but the last `tail`
 * (a .bnn ends with the CRC-32 of what precedes it, and the CRC of a
 * message followed by its own CRC is the same for every message: pass 4,
 * and *crc is the model's own CRC). 0, or -1 (errno set). */
int cli_file_crc(const char *path, long tail, uint64_t *bytes, uint32_t *crc);

/* Progress: a bar on a terminal, a plain line every `every` items otherwise. */
void cli_progress(FILE *f, int is_tty, int done, int total, const char *what);

#endif

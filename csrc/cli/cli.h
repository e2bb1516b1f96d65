/*
 * cli.h - the subcommands of the `sparsecim` program.
 *
 * Each takes the arguments after its own name (argv[0] is the subcommand
 * name) and returns the process exit status: 0 success, 1 a check failed
 * (e.g. mismatches), 2 bad input or usage (one line on stderr saying what
 * and where). None of them calls exit().
 */
#ifndef SPARSECIM_CLI_H
#define SPARSECIM_CLI_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

int cli_model(int argc, char **argv);    /* csrc/cli/cli_model.c:   model random|info */
int cli_infer(int argc, char **argv);    /* csrc/cli/cli_infer.c:   reference inference */
int cli_vectors(int argc, char **argv);  /* csrc/cli/cli_vectors.c: golden vectors */
int cli_saif(int argc, char **argv);     /* csrc/cli/cli_saif.c:    SAIF from a VCD */
int cli_bench(int argc, char **argv);    /* csrc/cli/cli_bench.c:   reference-model benchmark */
int cli_merge(int argc, char **argv);    /* csrc/cli/cli_merge.c:   merge shard reports (no RTL needed) */
/* present when built with the RTL (csrc/cli/cli_sim.c, cli_run.c over the testbench library tb/) */
int cli_sim(int argc, char **argv);      /* replay golden vectors through the RTL */
int cli_run(int argc, char **argv);      /* model + data through reference and RTL */
/* `sparsecim --version`'s list of the verilated builds (csrc/cli/cli_common.c): one
 * line each, geometry, back end, trace format and clock path */
void cli_print_builds(FILE *f);

#ifdef __cplusplus
}
#endif
#endif

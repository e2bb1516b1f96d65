/*
 * saif.h - switching activity (SAIF 2.0) from a VCD dump.
 *
 * Verilator 5.006 writes VCD and FST but no SAIF, so the project writes its
 * own: saif_from_vcd() streams a VCD file (as `sparsecim run --waves` or any
 * simulator writes it), keeps per net bit the time spent at 0, 1 and X/Z and
 * the number of 0<->1 transitions, and writes a backward SAIF file with the
 * VCD's scope tree as SAIF instances:
 *
 *   (SAIFILE (SAIFVERSION "2.0") (DIRECTION "backward") (DESIGN "TOP")
 *    (VENDOR "sparsecim") (PROGRAM_NAME "sparsecim saif") (VERSION "1")
 *    (DIVIDER / ) (TIMESCALE 1 ns) (DURATION D)
 *    (INSTANCE scope (NET (name\[i\] (T0 t) (T1 t) (TX t) (TC n) (IG 0)) ...)
 *       (INSTANCE child ...)))
 *
 * Per bit T0 + T1 + TX = DURATION (time units of the VCD's $timescale); TC
 * counts 0->1 and 1->0 transitions only (a change through X or Z is not
 * one; IG, glitches, is 0: a VCD has no sub-timestep information). The
 * window is [start, end) in VCD time units; by default from the first to
 * the last timestamp of the file. Before the first value of a bit it is X.
 * Vector values shorter than their width are extended as the VCD standard
 * says (0 for a leading 0 or 1, else the leading X/Z). Net and instance
 * names escape '[', ']', '/', '(' , ')' and spaces with a backslash; a
 * vector [msb:lsb] becomes one net per bit, name\[i\].
 *
 * Limits (a small file must not cost minutes or GiB): a variable is at
 * most SAIF_MAX_WIDTH bits wide, the dump at most SAIF_MAX_BITS net bits
 * in all (the bits of every $var, aliases included: the nets the SAIF
 * lists, so that the output stays in proportion), scopes at most
 * SAIF_MAX_DEPTH deep, a line at most SAIF_MAX_LINE bytes, a header token 4095 bytes;
 * vector values shorter than their width may be extended to at most
 * SAIF_MAX_FILL bits over the whole file; timestamps are 0..2^62 and
 * ranges 32-bit signed indices whose span equals the width. The file must
 * be text (a NUL or other control byte is refused with its line) and end
 * with a newline, outside any $comment: a dump cut inside a record (an
 * interrupted simulation) is refused ("file ends inside ..."), one cut
 * exactly at a line end cannot be told from a complete one.
 *
 * Errors (returned, never exit): "FILE:LINE: what was expected, got ...".
 * No global state; everything allocated is freed before return.
 */
#ifndef SPARSECIM_SAIF_H
#define SPARSECIM_SAIF_H

#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

#define SAIF_MAX_WIDTH 65536                 /* bits of one $var */
#define SAIF_MAX_BITS (1 << 21)              /* net bits of a dump ($var bits, aliases included) */
#define SAIF_MAX_DEPTH 1024                  /* nesting of $scope */
#define SAIF_MAX_LINE (SAIF_MAX_WIDTH + 4096) /* bytes of a value-change line */
#define SAIF_MAX_FILL ((uint64_t)1 << 28)    /* bits filled by extending short values */
#define SAIF_MAX_TIME ((int64_t)1 << 62)     /* largest timestamp */

typedef struct saif_opts {
    int64_t start, end;     /* window in VCD time units; -1: first / last timestamp */
    const char *design;     /* DESIGN name; NULL: the top scope's name */
} saif_opts;

/* Summary of a conversion. */
typedef struct saif_stats {
    long nets;              /* net bits written (aliases written once per scope) */
    long vars;              /* $var declarations */
    long changes;           /* value changes read */
    int64_t duration;       /* end - start */
    char timescale[32];     /* e.g. "1 ns" */
} saif_stats;

/* Converts vcd_path into a SAIF file at saif_path (csrc/util/outfile.h: checked
 * first, written beside it, renamed; never over vcd_path or a non-regular
 * file). st may be NULL. Returns 0 or -1 (err). */
int saif_from_vcd(const char *vcd_path, const char *saif_path, const saif_opts *o, saif_stats *st,
                  bnn_error *err);

#endif

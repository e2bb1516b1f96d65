/*
 * num.h - strict number parsing, the one parser behind every number the
 * project reads from a user: option values (cli_util.h cli_int), --geometry,
 * --window, VCD widths, ranges and timestamps, manifest fields, energy
 * profile values.
 *
 * Integers: decimal only, an optional '-' then digits (no '+', no white
 * space, no hex or octal prefix), overflow detected while accumulating (no
 * wrap, no undefined behaviour), range checked. Reals: decimal only
 * ([-]digits[.digits][e[+|-]digits], or [-].digits...), finite; hex floats,
 * "inf" and "nan" are refused. No global state, nothing printed.
 */
#ifndef SPARSECIM_NUM_H
#define SPARSECIM_NUM_H

#include <stdint.h>

/* Parses the integer at the start of s into *out. Returns the first
 * character after it, or NULL when s does not start with a number, the
 * number overflows int64 or lies outside [lo, hi]. */
const char *num_i64(const char *s, int64_t lo, int64_t hi, int64_t *out);

/* The whole string s is one integer in [lo, hi]: 0, else -1. */
int num_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out);

/* The whole string s is one finite decimal real: 0, else -1. */
int num_parse_real(const char *s, double *out);

#endif

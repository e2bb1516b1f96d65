/*
 * jdump.h - the JSON writer of the program's reports (`run`, `sim`,
 * `merge`, `infer`, the activity/energy report): the reports are built as
 * jansson trees (json_t) and dumped once, here, in the one format of the
 * project: two-space indentation (JSON_INDENT(2): every member and array
 * entry on its own line), keys in insertion order, reals with at most 15
 * significant digits, a newline at the end. jload.h reads them back.
 *
 * Numbers keep the text the report printed before jansson: jd_real rounds
 * a value to the printf format the field always had ("%.6f", "%.3f",
 * "%.10g", ...) and keeps that number (an integer when the format printed
 * one, e.g. "%.10g" of 50); the dump then prints it with the shortest of
 * at most 15 significant digits that %g gives, so "0.500000" is now
 * written 0.5, 0 as 0.0, 5e-05 as 5e-5 (docs/FORMAT.md, "Reports").
 *
 * Ownership: every jd_* constructor returns a new reference (NULL only when
 * out of memory, or for a value jd_u64 cannot hold); jd_set takes the
 * reference it is given, also on failure. No global state; nothing exits.
 * The dump goes to a stream the caller opened through csrc/util/outfile.h
 * (temporary file, fsync, rename): this module only formats.
 */
#ifndef SPARSECIM_JDUMP_H
#define SPARSECIM_JDUMP_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

/* What a tree that could not be built is (a constructor returned NULL). */
#define JD_BUILD_ERROR "cannot build the JSON (out of memory, or a count of 2^63 or more)"

/* The dump flags of every report (JSON_INDENT(2) | JSON_REAL_PRECISION(15)). */
#define JD_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(15))

/* v printed with fmt (one printf conversion of a double, e.g. "%.6f") and
 * read back: an integer when that text is one, else a real; null when v is
 * not finite (no JSON number can say it). */
json_t *jd_real(double v, const char *fmt);
/* jd_real(v, fmt), or null when !ok. */
json_t *jd_real_or_null(int ok, double v, const char *fmt);
/* A non-negative integer; NULL (a failed report) above INT64_MAX, which
 * jansson's integers cannot hold. */
json_t *jd_u64(uint64_t v);
/* s as a JSON string (NULL as ""); bytes that are not UTF-8 become U+FFFD. */
json_t *jd_str(const char *s);
/* s as a string, or null when s is NULL. */
json_t *jd_str_or_null(const char *s);
/* v as lowercase hex of `digits` digits (zero-padded), a string. */
json_t *jd_hex(uint64_t v, int digits);
/* An array of n ints. */
json_t *jd_ints(const int *v, int n);

/* Sets member key of object o to v (taking the reference). 0, or -1 when v
 * is NULL or o cannot take it: callers or together the results of a tree's
 * jd_set calls and fail once. */
int jd_set(json_t *o, const char *key, json_t *v);
/* Appends v to array a (taking the reference). 0 or -1, as jd_set. */
int jd_push(json_t *a, json_t *v);

/* Dumps doc to f (JD_FLAGS) and a newline. 0, or -1 with err ("what: ...")
 * when doc is NULL (a tree that could not be built) or jansson fails on
 * its own. A write error is not reported here: it stays on the stream
 * (ferror), and out_commit refuses the file naming the errno (ENOSPC,
 * EFBIG, ...), as it does for every output. */
int jd_dump(FILE *f, const json_t *doc, const char *what, bnn_error *err);
/* The text jd_dump writes but its final newline, malloc'd (the caller
 * frees it), or NULL. */
char *jd_text(const json_t *doc);

#endif

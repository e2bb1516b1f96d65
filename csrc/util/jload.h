/*
 * jload.h - the JSON reader of the program's reports (`merge`, `run
 * --jobs`, `sim --jobs`): jansson parses (RFC 8259, a repeated key in an
 * object refused: JSON_REJECT_DUPLICATES), this module says where.
 *
 * A value read from a document is a jl_at: the jansson value and the way
 * to it from the root (member key or array index at each level), so that
 * a schema error can name the line and column of the value it refuses (or
 * of the object that lacks a member) in the text that was parsed:
 * jl_where finds that place by walking the text, which jansson accepted,
 * along the same keys. Lines and columns count from 1, columns in
 * characters, as jansson's own errors do.
 *
 * Ownership: jl_parse returns a tree the caller frees with json_decref; a
 * jl_at borrows its value and its parent (on the caller's stack). No
 * global state; nothing exits.
 */
#ifndef SPARSECIM_JLOAD_H
#define SPARSECIM_JLOAD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* Parses text[0..len) (one JSON document, duplicates refused) into *out.
 * 0, or -1 with *out NULL and err = "L:C: what" (jansson's message). */
int jl_parse(const char *text, size_t len, json_t **out, bnn_error *err);

typedef struct jl_at {
    const json_t *v;            /* NULL: the member or entry does not exist */
    const struct jl_at *up;     /* the object or array holding it, NULL at the root */
    const char *key;            /* its member name in up, NULL for an array entry */
    size_t index;               /* its index in up (an array entry) */
} jl_at;

jl_at jl_root(const json_t *doc);
/* Member key of o (v NULL when o is no object or has none). */
jl_at jl_member(const jl_at *o, const char *key);
/* Entry i of a (v NULL when a is no array or is shorter). */
jl_at jl_item(const jl_at *a, size_t i);

/* Byte offset in text of the value at (or, when it does not exist, of the
 * nearest enclosing value that does). text must be what at's document was
 * parsed from. */
size_t jl_offset(const jl_at *at, const char *text, size_t len);
/* Line and column of byte offset off of text. */
void jl_line_col(const char *text, size_t off, int *line, int *col);
/* jl_offset, then jl_line_col. */
void jl_where(const jl_at *at, const char *text, size_t len, int *line, int *col);

/* Conversions: 0, or -1 when the value is missing or not of that kind
 * (u64: an integer >= 0; int: an integer in int range; num: an integer or
 * a real; str: a string, *out borrowed from the tree). */
int jl_u64(const jl_at *at, uint64_t *out);
int jl_int(const jl_at *at, int *out);
int jl_num(const jl_at *at, double *out);
int jl_str(const jl_at *at, const char **out);

#endif

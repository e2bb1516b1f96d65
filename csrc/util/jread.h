/*
 * jread.h - a small JSON reader (RFC 8259) for the program's own reports:
 * `sparsecim merge` and `run --jobs` read the JSON reports `run` writes.
 *
 * The document becomes a tree of values; each keeps the span of its source
 * text (so two values can be compared as written) and numbers stay text
 * until asked for (so a 64-bit counter is read exactly: jr_u64). Strings
 * are decoded (\uXXXX escapes to UTF-8). Nesting is limited to 64 levels.
 *
 * Ownership: jr_parse returns a tree the caller frees with jr_free; the
 * tree points into the text it was parsed from, which must outlive it.
 * No global state; nothing exits.
 */
#ifndef SPARSECIM_JREAD_H
#define SPARSECIM_JREAD_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef enum jr_type { JR_NULL, JR_BOOL, JR_NUM, JR_STR, JR_ARR, JR_OBJ } jr_type;

typedef struct jr_val {
    jr_type t;
    const char *src;        /* the value's text in the document */
    size_t len;
    int b;                  /* JR_BOOL */
    char *str;              /* JR_STR: decoded, NUL-terminated */
    int n;                  /* JR_ARR / JR_OBJ: elements */
    struct jr_val *kids;    /* n values */
    char **keys;            /* JR_OBJ: n decoded keys */
} jr_val;

/* Parses text[0..len) into *out. 0, or -1 with err = "line L column C: what". */
int jr_parse(const char *text, size_t len, jr_val **out, bnn_error *err);
void jr_free(jr_val *v);

/* Member `key` of an object (the first of that name), NULL if v is no object or has none. */
const jr_val *jr_get(const jr_val *v, const char *key);

/* Number conversions: 0, or -1 when v is not a number of that kind (u64:
 * a non-negative integer < 2^64; int: an integer in int range). */
int jr_u64(const jr_val *v, uint64_t *out);
int jr_int(const jr_val *v, int *out);
int jr_double(const jr_val *v, double *out);

/* 1 when a and b are written the same (their source spans are equal). */
int jr_same(const jr_val *a, const jr_val *b);

#endif

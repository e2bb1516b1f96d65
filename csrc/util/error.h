/*
 * error.h - the one error helper: a bnn_error is a one-line message that
 * names what and where; every module of csrc/ (and tb/, csrc/cli/) fills it
 * with bnn_set_err(), and quotes text from a file with bnn_quote().
 */
#ifndef SPARSECIM_ERROR_H
#define SPARSECIM_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error report filled by the functions below: one line, names what and where. */
typedef struct bnn_error {
    char msg[512];
} bnn_error;

/* printf into err->msg (err may be NULL): the error helper every module
 * uses to fill a bnn_error. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void bnn_set_err(bnn_error *err, const char *fmt, ...);

/* Text from a file, made safe to quote in a one-line message: at most
 * max_in bytes of src (stopping at a NUL), printable ASCII kept, every
 * other byte written as \xHH, "..." when cut. Always NUL-terminates dst. */
void bnn_quote(char *dst, size_t n, const char *src, size_t max_in);

#ifdef __cplusplus
}
#endif
#endif

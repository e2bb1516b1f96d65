/*
 * vec_words.h - the hex word files of golden vectors (format: vec.h), shared
 * by the files of csrc/vec/ only: a growable buffer of 64-bit words, the
 * file writer (the CRC word appended) and the room's error helper. The
 * reader (vec_read_words) and the CRC word (vec_crc_words) are public, in
 * vec.h; both are implemented in vec_words.c.
 *
 * Ownership: a vec_wbuf owns w (free() it); the writer takes nothing.
 */
#ifndef SPARSECIM_VEC_WORDS_H
#define SPARSECIM_VEC_WORDS_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* Words appended in order; on allocation failure oom is set and later
 * puts are ignored (checked once, when the file is written). */
typedef struct vec_wbuf {
    uint64_t *w;
    size_t n, cap;
    int oom;
} vec_wbuf;

void vec_wbuf_put(vec_wbuf *b, uint64_t v);

/* Writes b's words with their CRC word appended (to b) as DIR/FILE: the
 * line "// COMMENT", then one word of 16 hex digits per line, atomically
 * (util/outfile.h). *bytes grows by the bytes written. 0 or -1. */
int vec_words_write(const char *dir, const char *file, const char *comment, vec_wbuf *b, uint64_t *bytes,
                    bnn_error *err);

/* printf into err->msg; returns -1 (so that `return vec_msg(...)`). */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int vec_msg(bnn_error *err, const char *fmt, ...);

#endif

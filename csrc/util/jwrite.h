/*
 * jwrite.h - the one JSON string writer of the program's reports (`run`,
 * `sim`, `infer`, `merge`, activity reports); jread.h reads them back.
 *
 * No state; the caller owns the stream and checks its error flag when it
 * closes it (csrc/util/outfile.h).
 */
#ifndef SPARSECIM_JWRITE_H
#define SPARSECIM_JWRITE_H

#include <stdio.h>

/* Writes s as a JSON string literal: quotes, backslash and control bytes
 * (< 0x20) escaped, other bytes as they are (the program's strings are
 * UTF-8 or ASCII). NULL is written as the empty string "". */
void jw_str(FILE *f, const char *s);

#endif

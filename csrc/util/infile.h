/*
 * infile.h - the one way the project reads a whole file into memory
 * (energy profiles, JSON reports, fuzz corpus files).
 *
 * The caller owns the buffer (free()). Errors are returned (bnn_error, one
 * line naming the path); nothing exits. No global state.
 */
#ifndef SPARSECIM_INFILE_H
#define SPARSECIM_INFILE_H

#include <stddef.h>

#include "util/error.h"

/* Reads the file at path: *buf (malloc'ed, len bytes and a NUL after them,
 * so text may be parsed as a C string) and *len. A file of more than max
 * bytes is refused ("PATH: larger than MAX bytes (the limit for WHAT)"),
 * read only up to the limit; what names the kind of file in that message.
 * 0, or -1 with err set ("PATH: cannot open: WHY", "PATH: read error:
 * WHY", "PATH: out of memory") and *buf NULL. */
int in_read_all(const char *path, size_t max, const char *what, char **buf, size_t *len, bnn_error *err);

#endif

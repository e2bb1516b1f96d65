/*
 * outfile.h - the one way the project writes a file (reports, CSV, JSON,
 * predictions, SAIF, golden vectors, models).
 *
 * An output is written to a fresh temporary file beside its target
 * (DIR/.NAME.XXXXXX, mkstemp: two outputs of one command never share a
 * temporary name), flushed, fsync'ed and renamed over the target only when
 * every write succeeded; on any error the temporary file is removed and the
 * target is left as it was. A target that exists and is not a regular file
 * (a device such as /dev/full, a FIFO, a socket, a symbolic link, a
 * directory) is refused before anything is written, and so is a target
 * that is the same file (device and inode) as one of the command's inputs.
 * Errors name the user's path, never the temporary one.
 *
 * Errors are returned (bnn_error, one line); nothing exits. No global state.
 */
#ifndef SPARSECIM_OUTFILE_H
#define SPARSECIM_OUTFILE_H

#include <stdio.h>

#include "util/error.h"

typedef struct out_file {
    FILE *f;            /* the temporary file, open for writing (NULL: closed) */
    char path[4096];    /* the target */
    char tmp[4400];     /* the temporary file beside it */
} out_file;

/* Checks that path may be written as an output: not empty, its directory
 * exists, the path is not an existing non-regular file (lstat: a symbolic
 * link is refused), and it is not the same file as any of inputs[0..n_inputs)
 * (NULL entries are skipped; inputs that do not exist are ignored).
 * 0, or -1 with err "PATH: why". */
int out_check(const char *path, const char *const *inputs, int n_inputs, bnn_error *err);

/* Checks that no two of paths[0..n) name the same output (the same
 * directory, by device and inode, and the same file name; NULL entries
 * skipped). opts[i] names path i in the message (e.g. "--json"). */
int out_distinct(const char *const *paths, const char *const *opts, int n, bnn_error *err);

/* out_check, then creates the temporary file. 0, or -1 (err; o->f NULL). */
int out_open(out_file *o, const char *path, const char *const *inputs, int n_inputs, bnn_error *err);

/* Flushes, fsyncs and closes the temporary file and renames it over the
 * target. On any error (ENOSPC, EIO, ...) the temporary file is removed,
 * the target is untouched and -1 is returned with err naming the target. */
int out_commit(out_file *o, bnn_error *err);

/* Closes and removes the temporary file (no-op when not open). */
void out_abort(out_file *o);

/* Writes n bytes as the whole file path (out_open + fwrite + out_commit). */
int out_write_all(const char *path, const void *buf, size_t n, const char *const *inputs, int n_inputs,
                  bnn_error *err);

#endif

/* fuzz_util.h - helpers of the fuzz targets (tests/fuzz/fuzz_*.c), shared by
 * the libFuzzer builds (tests/fuzz/run.sh) and the corpus replay of the
 * normal test build (tests/fuzz/replay.c, CTest fuzz_replay_*).
 *
 * The parsers read files, so a target writes its input into a private
 * temporary directory (one per call, removed with everything in it before
 * the call returns) and gives the parser that path. A harness failure
 * (cannot create the directory) aborts: it is not a finding about the
 * input. A broken contract of the parser (a bad message, an accepted input
 * that breaks its own invariants) traps: that is a finding.
 * No global state. */
#ifndef SPARSECIM_FUZZ_UTIL_H
#define SPARSECIM_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz_dir {
    char path[512];     /* the directory, no trailing '/' */
} fz_dir;

/* Creates a fresh directory under $TMPDIR (default /tmp); aborts on failure. */
void fz_dir_open(fz_dir *d);
/* Writes n bytes to d/name and puts the full path into path (pn bytes). */
void fz_write(const fz_dir *d, const char *name, const void *data, size_t n, char *path, size_t pn);
/* The same, gzip-compressed. */
void fz_write_gz(const fz_dir *d, const char *name, const void *data, size_t n, char *path, size_t pn);
/* Removes every file in d and d itself. */
void fz_dir_close(fz_dir *d);

/* The contract of an error message: not empty, one line, printable ASCII
 * only (no raw input bytes echoed), starting with prefix (the file named)
 * unless prefix is NULL. Traps when broken. */
void fz_check_msg(const char *msg, const char *prefix);

/* Traps when cond is false (an invariant of an accepted input). */
#define FZ_ASSERT(cond) do { if (!(cond)) __builtin_trap(); } while (0)

#endif

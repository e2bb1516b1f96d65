/* test_util.h - helpers shared by the Criterion tests (temp files, paths). */
#ifndef SPARSECIM_TEST_UTIL_H
#define SPARSECIM_TEST_UTIL_H
#include <stddef.h>
#include <stdint.h>

/* Source tree root (SPARSECIM_SRC from CTest, else "."). */
const char *tu_src_dir(void);
/* Build tree root (SPARSECIM_BIN from CTest, else "build"). */
const char *tu_bin_dir(void);
/* Writes a fresh temporary path "<tmpdir>/sparsecim-<tag>-XXXXXX" into buf. */
void tu_tmp_path(char *buf, size_t len, const char *tag);
/* Runs a shell command, returns its exit status (or -1); output captured
 * into out (NUL-terminated, truncated to len) when out != NULL. */
int tu_run(const char *cmd, char *out, size_t len);
/* Writes the n bytes b into the file path (created or truncated). 0 or -1. */
int tu_write_file(const char *path, const void *b, size_t n);
/* Writes n 64-bit words as a golden-vector hex file (csrc/vec/vec.h), one
 * 16-digit word per line; with fix_crc the last word is replaced by the
 * CRC-32 of the others (so only a replay can notice a change). 0 or -1. */
int tu_write_hex_words(const char *path, uint64_t *w, long n, int fix_crc);
/* Compares two report files (JSON or CSV) line by line, ignoring every
 * line that holds "wall_seconds" (the only field a rerun may change).
 * 0 when equal; -1 with msg = where they differ (byte offset and the text
 * around it) or why a file could not be read. */
/* A whole text file without its lines that hold any of the strings keys
 * (NULL-terminated; NULL: none), malloc'd and NUL-terminated, its length in
 * *len (if not NULL); NULL when it cannot be read. */
char *tu_slurp_without(const char *path, const char *const *keys, size_t *len);
int tu_same_report(const char *a, const char *b, char *msg, size_t len);

/* The seeds of the property tests. Without SPARSECIM_SEED in the
 * environment a test uses its fixed seed (CI stays reproducible); with
 * SPARSECIM_SEED=S (decimal, 0..2^64-1) every fixed seed F becomes a seed
 * derived from S and F (distinct per test, the same for the same S).
 * note names what reproduces the run ("SPARSECIM_SEED=S" or the fixed
 * seed); tu_seed_of prints it once on stderr ("seed: ..."), and the tests
 * put it into their failure messages. A value that is not a decimal number
 * is fatal (no silent fallback to the fixed seeds). */
typedef struct tu_seed {
    uint64_t seed;
    char note[128];
} tu_seed;
tu_seed tu_seed_of(const char *test, uint64_t fixed);
#endif

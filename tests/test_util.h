/* test_util.h - helpers shared by the Criterion tests (temp files, paths). */
#ifndef SPARSECIM_TEST_UTIL_H
#define SPARSECIM_TEST_UTIL_H
#include <stddef.h>

/* Source tree root (SPARSECIM_SRC from CTest, else "."). */
const char *tu_src_dir(void);
/* Build tree root (SPARSECIM_BIN from CTest, else "build"). */
const char *tu_bin_dir(void);
/* Writes a fresh temporary path "<tmpdir>/sparsecim-<tag>-XXXXXX" into buf. */
void tu_tmp_path(char *buf, size_t len, const char *tag);
/* Runs a shell command, returns its exit status (or -1); output captured
 * into out (NUL-terminated, truncated to len) when out != NULL. */
int tu_run(const char *cmd, char *out, size_t len);
#endif

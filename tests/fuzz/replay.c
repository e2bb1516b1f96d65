/* replay.c - runs a fuzz target's entry function (LLVMFuzzerTestOneInput)
 * on files, without libFuzzer: the CTest fuzz_replay_* tests of the normal
 * (gcc, and ASan/UBSan in CI) test build replay every committed corpus
 * file and crash regression of tests/fuzz/corpus/TARGET/ with it.
 *
 * Usage: fuzz_replay_TARGET FILE|DIR...  (a directory: every regular file
 * in it, in name order). A finding traps or is a sanitizer report, so a
 * regression fails the test; exit 0 when all ran, 2 on a usage or I/O
 * error (naming the file). */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_util.h"
#include "util/infile.h"

static int run_file(const char *path)
{
    char *buf;
    size_t n;
    bnn_error err;
    if (in_read_all(path, (size_t)1 << 30, "a corpus file", &buf, &n, &err)) {
        fprintf(stderr, "replay: %s\n", err.msg);
        return -1;
    }
    /* an exact-size copy, so that ASan sees a read past the input's end */
    uint8_t *in = malloc(n ? n : 1);
    if (!in) {
        free(buf);
        fprintf(stderr, "replay: %s: out of memory\n", path);
        return -1;
    }
    memcpy(in, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(in, n);
    free(in);
    return 0;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int run_dir(const char *dir, long *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: %s: cannot open: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **nn = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *nn);
            if (!nn) {
                rc = -1;
                break;
            }
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (rc)
        fprintf(stderr, "replay: %s: out of memory\n", dir);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        char p[4096];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        if (!rc && stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
            rc = run_file(p);
            (*count)++;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    long count = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st)) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 2;
        }
        if (S_ISDIR(st.st_mode) ? run_dir(argv[i], &count) : (count++, run_file(argv[i])))
            return 2;
    }
    if (count == 0) {   /* an emptied corpus must not pass as tested */
        fprintf(stderr, "replay: no input files in %s\n", argv[1]);
        return 2;
    }
    printf("replay: %ld inputs, no finding\n", count);
    return 0;
}

/* infile.c - a whole file into memory (see infile.h). */
#include "util/infile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int in_read_all(const char *path, size_t max, const char *what, char **buf, size_t *len, bnn_error *err)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        bnn_set_err(err, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0, got;
    char *b = malloc(cap);
    int too_large = 0, no_memory = !b;
    /* cap - n - 1: room for the NUL; one byte past max is read to see it */
    while (!too_large && !no_memory && (got = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n > max) {
            too_large = 1;
        } else if (n + 1 == cap) {
            char *nb = realloc(b, cap * 2);
            no_memory = !nb;
            if (nb) {
                b = nb;
                cap *= 2;
            }
        }
    }
    int read_errno = ferror(f) ? errno : 0;
    fclose(f);
    if (too_large)
        bnn_set_err(err, "%s: larger than %zu bytes (the limit for %s)", path, max, what);
    else if (no_memory)
        bnn_set_err(err, "%s: out of memory", path);
    else if (read_errno)
        bnn_set_err(err, "%s: read error: %s", path, strerror(read_errno));
    if (too_large || no_memory || read_errno) {
        free(b);
        return -1;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

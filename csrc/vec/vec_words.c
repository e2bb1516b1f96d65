/* vec_words.c - hex word files: buffer, CRC word, reader and writer (vec_words.h, vec.h). */
#define _POSIX_C_SOURCE 200809L
#include "vec/vec_words.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/crc.h"
#include "util/outfile.h"
#include "vec/vec.h"

void vec_wbuf_put(vec_wbuf *b, uint64_t v)
{
    if (b->oom)
        return;
    if (b->n == b->cap) {
        size_t c = b->cap ? 2 * b->cap : 1024;
        uint64_t *nw = realloc(b->w, c * sizeof *nw);
        if (!nw) {
            b->oom = 1;
            return;
        }
        b->w = nw;
        b->cap = c;
    }
    b->w[b->n++] = v;
}

int vec_msg(bnn_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

uint32_t vec_crc_words(const uint64_t *w, size_t n)
{
    uint32_t crc = crc_init();
    for (size_t i = 0; i < n; i++) {
        unsigned char b[8];
        for (int k = 0; k < 8; k++)
            b[k] = (unsigned char)(w[i] >> (8 * k));
        crc = crc_update(crc, b, 8);
    }
    return crc;
}

int vec_words_write(const char *dir, const char *file, const char *comment, vec_wbuf *b, uint64_t *bytes,
                    bnn_error *err)
{
    if (b->oom)
        return vec_msg(err, "out of memory");
    vec_wbuf_put(b, vec_crc_words(b->w, b->n));
    if (b->oom)
        return vec_msg(err, "out of memory");
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    out_file o;
    if (out_open(&o, path, NULL, 0, err))
        return -1;
    fprintf(o.f, "// %s\n", comment);
    for (size_t i = 0; i < b->n; i++)
        fprintf(o.f, "%016llx\n", (unsigned long long)b->w[i]);
    if (out_commit(&o, err))
        return -1;
    *bytes += 17u * b->n + strlen(comment) + 4;
    return 0;
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Reads the word lines of f into b (comments skipped). *ln: lines read. 0 or -1. */
static int read_lines(FILE *f, const char *path, vec_wbuf *b, long *ln, bnn_error *err)
{
    char line[256];
    while (fgets(line, sizeof line, f)) {
        ++*ln;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n')
            return vec_msg(err, "%s: line %ld: line too long (expected 16 hex digits)", path, *ln);
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (!strncmp(line, "//", 2))
            continue;
        uint64_t v = 0;
        int ok = len == 16;
        for (size_t i = 0; ok && i < 16; i++) {
            int h = hexval((unsigned char)line[i]);
            ok = h >= 0;
            v = v << 4 | (uint64_t)(h & 15);
        }
        if (!ok) {
            char q[80];
            bnn_quote(q, sizeof q, line, 24);
            return vec_msg(err, "%s: line %ld: expected a word of 16 hex digits, got '%s'", path, *ln, q);
        }
        vec_wbuf_put(b, v);
    }
    return 0;
}

/* The last word holds the CRC-32 of the others. 0 or -1. */
static int check_crc(const char *path, const vec_wbuf *b, bnn_error *err)
{
    uint32_t crc = vec_crc_words(b->w, b->n - 1);
#ifdef SPARSECIM_FUZZ_NO_CRC
    crc = (uint32_t)b->w[b->n - 1]; /* fuzzing build only: any CRC-32 passes, so mutated files reach the checks behind it */
#endif
    if (b->w[b->n - 1] != crc)
        return vec_msg(err, "%s: word %zu (CRC-32): expected %08x (computed), got %016llx", path, b->n - 1, crc,
                       (unsigned long long)b->w[b->n - 1]);
    return 0;
}

int vec_read_words(const char *path, uint64_t **words, long *n, bnn_error *err)
{
    *words = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return vec_msg(err, "%s: cannot open: %s", path, strerror(errno));
    vec_wbuf b = {0};
    long ln = 0;
    int rc = read_lines(f, path, &b, &ln, err);
    if (!rc && ferror(f))
        rc = vec_msg(err, "%s: read error", path);
    fclose(f);
    if (!rc && b.oom)
        rc = vec_msg(err, "%s: out of memory", path);
    if (!rc && b.n < 2)
        rc = vec_msg(err, "%s: line %ld: file ends after %zu words (expected a header and a CRC word)", path, ln, b.n);
    if (!rc)
        rc = check_crc(path, &b, err);
    if (rc) {
        free(b.w);
        return -1;
    }
    *words = b.w;
    *n = (long)b.n;
    return 0;
}

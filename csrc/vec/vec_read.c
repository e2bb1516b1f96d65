/* vec_read.c - the job-file reader: header checked field by field, arrays
 * unpacked (format and ownership in vec.h). */
#include "vec/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vec/vec_words.h"

static void get_name(const uint64_t *w, char *out, size_t n)
{
    char s[33] = {0};
    for (int k = 0; k < 4; k++)
        for (int i = 0; i < 8; i++)
            s[8 * k + i] = (char)(w[k] >> (56 - 8 * i));
    snprintf(out, n, "%s", s);
}

/* The name words of a file hold 1..32 printable bytes (as the manifest's
 * NAME: no space, no '/'), then NUL padding only. */
static int name_ok(const uint64_t *w)
{
    int end = 0, n = 0;
    for (int k = 0; k < 32; k++) {
        unsigned ch = (unsigned)(w[k / 8] >> (56 - 8 * (k % 8))) & 0xff;
        if (!ch) {
            end = 1;
            continue;
        }
        if (end || ch <= 0x20 || ch >= 0x7f || ch == '/')
            return 0;
        n++;
    }
    return n > 0;
}

void vec_job_free(vec_job *v)
{
    free(v->wrows);
    free(v->wl);
    free(v->x);
    free(v->p);
    free(v->acc);
    memset(v, 0, sizeof *v);
}

/* Words of the file the shape fields of v imply (vec.h: job file). */
static size_t job_total(const vec_job *v)
{
    size_t cyc = (size_t)v->pixels * (size_t)v->bits;
    int pw = (v->n_cols + 3) / 4, aw = (v->n_cols + 1) / 2;
    return VEC_JOB_HDR + (size_t)v->n_rows * (size_t)v->col_words + cyc * (size_t)(v->row_words + 1 + pw) +
           (size_t)v->pixels * (size_t)aw + 1;
}

/* The header fields into v, checked in word order: the index of the first
 * bad word (want: what it should hold), or -1. */
static int job_header(const uint64_t *w, long n, vec_job *v, char *want, size_t wn)
{
    for (int k = 1; k < 16; k++)
        if (w[k] > 0x7fffffffull) {
            snprintf(want, wn, "a value below 2^31");
            return k;
        }
    v->rows = (int)w[2], v->cols = (int)w[3], v->seg_rows = (int)w[4];
    v->image = (int)w[5], v->layer = (int)w[6], v->part = (int)w[7];
    v->row_tile = (int)w[8], v->col_tile = (int)w[9];
    v->n_rows = (int)w[10], v->n_cols = (int)w[11], v->bits = (int)w[12], v->pixels = (int)w[13];
    v->col_words = (v->cols + 63) / 64;
    v->row_words = v->rows / 64;
    get_name(w + 16, v->name, sizeof v->name);
    int bad = -1;
    if (w[0] != VEC_JOB_MAGIC)
        bad = 0, snprintf(want, wn, "%016llx (\"SCIMVEC1\")", VEC_JOB_MAGIC);
    else if (w[1] != VEC_VERSION)
        bad = 1, snprintf(want, wn, "%d", VEC_VERSION);
    else if (v->rows < 64 || v->rows % 64 || v->rows > 65535)
        bad = 2, snprintf(want, wn, "a multiple of 64 up to 65535");
    else if (v->cols < 1 || v->cols > 4096)
        bad = 3, snprintf(want, wn, "1..4096");
    else if (v->seg_rows < 1 || v->rows % v->seg_rows)
        bad = 4, snprintf(want, wn, "a divisor of ROWS (%d)", v->rows);
    else if (v->part > 3)
        bad = 7, snprintf(want, wn, "0..3");
    else if (v->n_rows < 1 || v->n_rows > v->rows)
        bad = 10, snprintf(want, wn, "1..ROWS (%d)", v->rows);
    else if (v->n_cols < 1 || v->n_cols > v->cols)
        bad = 11, snprintf(want, wn, "1..COLS (%d)", v->cols);
    else if (v->bits < 1 || v->bits > 16)
        bad = 12, snprintf(want, wn, "1..16");
    else if (v->pixels < 1 || v->pixels > (1 << 22))
        bad = 13, snprintf(want, wn, "1..2^22");
    else if (!name_ok(w + 16))
        bad = 16, snprintf(want, wn, "1..32 printable bytes without '/', NUL padded");
    else if (w[14] != job_total(v))
        bad = 14, snprintf(want, wn, "%zu (from the shape fields)", job_total(v));
    else if ((size_t)n != job_total(v))
        bad = 14, snprintf(want, wn, "%ld (words in the file)", n);
    return bad;
}

/* The arrays W, L, X, P, A of the words after the header. 0 or -1 (out of memory). */
static int job_unpack(const uint64_t *w, vec_job *v)
{
    size_t cyc = (size_t)v->pixels * (size_t)v->bits;
    int pw = (v->n_cols + 3) / 4, aw = (v->n_cols + 1) / 2;
    v->wrows = malloc((size_t)v->n_rows * (size_t)v->col_words * sizeof *v->wrows);
    v->wl = malloc(cyc * (size_t)v->row_words * sizeof *v->wl);
    v->x = malloc(cyc * sizeof *v->x);
    v->p = malloc(cyc * (size_t)v->n_cols * sizeof *v->p);
    v->acc = malloc((size_t)v->pixels * (size_t)v->n_cols * sizeof *v->acc);
    if (!v->wrows || !v->wl || !v->x || !v->p || !v->acc)
        return -1;
    const uint64_t *q = w + VEC_JOB_HDR;
    memcpy(v->wrows, q, (size_t)v->n_rows * (size_t)v->col_words * sizeof *q);
    q += (size_t)v->n_rows * (size_t)v->col_words;
    memcpy(v->wl, q, cyc * (size_t)v->row_words * sizeof *q);
    q += cyc * (size_t)v->row_words;
    for (size_t i = 0; i < cyc; i++)
        v->x[i] = (int32_t)*q++;
    for (size_t i = 0; i < cyc; i++, q += pw)
        for (int c = 0; c < v->n_cols; c++)
            v->p[i * (size_t)v->n_cols + (size_t)c] = (int32_t)(uint16_t)(q[c / 4] >> (16 * (c % 4)));
    for (int px = 0; px < v->pixels; px++, q += aw)
        for (int c = 0; c < v->n_cols; c++)
            v->acc[(size_t)px * (size_t)v->n_cols + (size_t)c] = (int32_t)(uint32_t)(q[c / 2] >> (32 * (c % 2)));
    return 0;
}

int vec_job_read(const char *path, vec_job *v, bnn_error *err)
{
    static const char *const field[VEC_JOB_HDR] = {
        "magic", "version", "ROWS", "COLS", "SEG_ROWS", "image", "layer index", "part", "row tile",
        "column tile", "n_rows", "n_cols", "bits", "pixels", "word count", "reserved", "name", "name", "name", "name"};
    memset(v, 0, sizeof *v);
    uint64_t *w;
    long n;
    if (vec_read_words(path, &w, &n, err))
        return -1;
    if (n < VEC_JOB_HDR + 1) {
        vec_msg(err, "%s: %ld words: expected at least %d (header and CRC)", path, n, VEC_JOB_HDR + 1);
        free(w);
        return -1;
    }
    char want[80] = "";
    int bad = job_header(w, n, v, want, sizeof want);
    if (bad >= 0) {
        vec_msg(err, "%s: word %d (%s): expected %s, got %llu", path, bad, field[bad], want,
                (unsigned long long)w[bad]);
        free(w);
        memset(v, 0, sizeof *v);
        return -1;
    }
    int rc = job_unpack(w, v);
    free(w);
    if (rc) {
        vec_job_free(v);
        return vec_msg(err, "%s: out of memory", path);
    }
    return 0;
}

/* ds.c - data set readers (see ds.h). */
#define _POSIX_C_SOURCE 200809L
#include "data/ds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "model/bnn_rng.h"

void ds_free(ds_set *s)
{
    if (!s)
        return;
    free(s->pixels);
    free(s->labels);
    free(s);
}

/* gzread of exactly n bytes (or fewer at the end of the data); -1 on an
 * error (err filled, naming the byte offset). */
static long gz_read_n(gzFile f, const char *path, uint8_t *dst, size_t n, size_t at, bnn_error *err)
{
    size_t got = 0;
    while (got < n) {
        unsigned chunk = n - got > (1u << 30) ? (1u << 30) : (unsigned)(n - got);
        int r = gzread(f, dst + got, chunk);
        int e = Z_OK;
        const char *why = gzerror(f, &e);
        if (r < 0 || e != Z_OK) {   /* a gzip stream cut short: its data, then Z_BUF_ERROR */
            bnn_set_err(err, "%s: byte %zu%s: %s", path, at + got + (r > 0 ? (size_t)r : 0),
                    gzdirect(f) ? "" : " of the gzip data", why);
            return -1;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (long)got;
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Reads an unsigned-byte IDX file of want_nd dimensions (gzip or plain):
 * the header first, its dimensions checked (each 1..2^24, at most
 * DS_MAX_BYTES of data, the real size of a plain file), then exactly the
 * data it promises, inflated incrementally into a buffer of that size; a
 * file with less or more data is refused. */
/* The IDX header: magic (unsigned bytes), want_nd dimensions of 1..2^24,
 * their product (*total) within the limit. 0 or -1. */
static int idx_header(gzFile f, const char *path, int want_nd, uint32_t *dims, uint64_t *total, bnn_error *err)
{
    uint8_t h[16];
    size_t hl = 4 + 4 * (size_t)want_nd;
    long got = gz_read_n(f, path, h, 4, 0, err);
    if (got < 0)
        return -1;
    if (got < 4) {
        bnn_set_err(err, "%s: byte %ld: truncated IDX header (%ld bytes)", path, got, got);
        return -1;
    }
    if (h[0] || h[1] || h[2] != 0x08) {
        bnn_set_err(err, "%s: byte 0: not an unsigned-byte IDX file (magic %02x %02x %02x %02x)", path, h[0], h[1], h[2],
                h[3]);
        return -1;
    }
    if (h[3] != want_nd) {
        bnn_set_err(err, "%s: byte 3: expected %d dimensions, got %d", path, want_nd, h[3]);
        return -1;
    }
    if ((got = gz_read_n(f, path, h + 4, hl - 4, 4, err)) < 0)
        return -1;
    if ((size_t)got < hl - 4) {
        bnn_set_err(err, "%s: byte %zu: truncated IDX header", path, 4 + (size_t)got);
        return -1;
    }
    *total = 1;
    for (int i = 0; i < want_nd; i++) {
        dims[i] = be32(h + 4 + 4 * i);
        if (dims[i] == 0 || dims[i] > (1u << 24)) {
            bnn_set_err(err, "%s: byte %d: dimension %d is %u (expected 1..%u)", path, 4 + 4 * i, i, dims[i], 1u << 24);
            return -1;
        }
        *total *= dims[i];
        if (*total > DS_MAX_BYTES) {
            bnn_set_err(err, "%s: byte %d: the header promises more than %u MiB of data (the limit)", path, 4 + 4 * i,
                    DS_MAX_BYTES >> 20);
            return -1;
        }
    }
    return 0;
}

/* The total bytes of data after the hl header bytes, and nothing after
 * them (a plain file: by its size first). *data: malloc'd. 0 or -1. */
static int idx_data(gzFile f, const char *path, size_t hl, uint64_t total, uint8_t **data, bnn_error *err)
{
    struct stat st;
    if (gzdirect(f) && stat(path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size != hl + total) {
        if ((uint64_t)st.st_size < hl + total)
            bnn_set_err(err, "%s: byte %llu: truncated: the header promises %llu bytes of data from byte %zu", path,
                    (unsigned long long)st.st_size, (unsigned long long)total, hl);
        else
            bnn_set_err(err, "%s: byte %llu: %llu bytes after the data the header describes", path,
                    (unsigned long long)(hl + total), (unsigned long long)st.st_size - hl - total);
        return -1;
    }
    uint8_t *b = malloc(total + 1);
    if (!b) {
        bnn_set_err(err, "%s: out of memory (%llu bytes of data)", path, (unsigned long long)total);
        return -1;
    }
    /* one byte more than promised: there must be none */
    long got = gz_read_n(f, path, b, total + 1, hl, err);
    if (got >= 0 && (uint64_t)got != total) {
        if ((uint64_t)got < total)
            bnn_set_err(err, "%s: byte %zu: truncated: the header promises %llu bytes of data from byte %zu", path,
                    hl + (size_t)got, (unsigned long long)total, hl);
        else
            bnn_set_err(err, "%s: byte %llu: bytes after the data the header describes", path,
                    (unsigned long long)(hl + total));
    }
    if (got < 0 || (uint64_t)got != total) {
        free(b);
        return -1;
    }
    *data = b;
    return 0;
}

static int read_idx(const char *path, int want_nd, uint32_t *dims, uint8_t **data, size_t *len, bnn_error *err)
{
    *data = NULL;
    gzFile f = gzopen(path, "rb");
    if (!f) {
        bnn_set_err(err, "%s: cannot open: %s", path, errno ? strerror(errno) : "out of memory");
        return -1;
    }
    uint64_t total = 0;
    int rc = idx_header(f, path, want_nd, dims, &total, err);
    if (!rc)
        rc = idx_data(f, path, 4 + 4 * (size_t)want_nd, total, data, err);
    if (!rc)
        *len = total;
    gzclose(f);
    return rc;
}

int ds_load_idx(const char *images, const char *labels, ds_set **out, bnn_error *err)
{
    *out = NULL;
    uint8_t *ib = NULL, *lb = NULL;
    size_t il, ll;
    uint32_t idim[3], ldim[1];
    ds_set *s = NULL;
    if (read_idx(images, 3, idim, &ib, &il, err))
        goto fail;
    if (idim[1] > 1024 || idim[2] > 1024) {
        bnn_set_err(err, "%s: byte 8: image size %ux%u too large (at most 1024x1024)", images, idim[1], idim[2]);
        goto fail;
    }
    if (read_idx(labels, 1, ldim, &lb, &ll, err))
        goto fail;
    if (idim[0] != ldim[0]) {
        bnn_set_err(err, "%s: byte 4: %u labels for %u images in %s", labels, ldim[0], idim[0], images);
        goto fail;
    }
    for (uint32_t i = 0; i < ldim[0]; i++)
        if (lb[i] > 99) {
            bnn_set_err(err, "%s: byte %u: label %u out of range 0..99", labels, 8 + i, lb[i]);
            goto fail;
        }
    s = calloc(1, sizeof *s);
    if (!s) {
        bnn_set_err(err, "%s: out of memory", images);
        goto fail;
    }
    s->count = (int)idim[0];
    s->c = 1;
    s->h = (int)idim[1];
    s->w = (int)idim[2];
    s->pixels = ib;
    s->labels = lb;
    *out = s;
    return 0;
fail:
    ds_free(s);
    free(ib);
    free(lb);
    return -1;
}

int ds_load_cifar10(const char *path, ds_set **out, bnn_error *err)
{
    *out = NULL;
    const size_t rec = 1 + 3072;
    gzFile f = gzopen(path, "rb");
    if (!f) {
        bnn_set_err(err, "%s: cannot open: %s", path, errno ? strerror(errno) : "out of memory");
        return -1;
    }
    ds_set *s = calloc(1, sizeof *s);
    uint8_t *r = malloc(rec);
    size_t cap = 0;
    int rc = -1;
    if (!s || !r) {
        bnn_set_err(err, "%s: out of memory", path);
        goto done;
    }
    s->c = 3;
    s->h = 32;
    s->w = 32;
    for (;;) {
        size_t at = (size_t)s->count * rec;
        long got = gz_read_n(f, path, r, rec, at, err);
        if (got < 0)
            goto done;
        if (got == 0 && s->count > 0)
            break;
        if ((size_t)got < rec) {
            bnn_set_err(err, "%s: byte %zu: size %zu is not a whole number of 3073-byte CIFAR-10 records", path, at,
                    at + (size_t)got);
            goto done;
        }
        if (r[0] > 9) {
            bnn_set_err(err, "%s: byte %zu: label %u out of range 0..9", path, at, r[0]);
            goto done;
        }
        if (at + rec > DS_MAX_BYTES) {
            bnn_set_err(err, "%s: byte %zu: more than %u MiB of records (the limit)", path, at, DS_MAX_BYTES >> 20);
            goto done;
        }
        if ((size_t)s->count == cap) {
            cap = cap ? 2 * cap : 1024;
            uint8_t *np = realloc(s->pixels, cap * 3072), *nl = np ? realloc(s->labels, cap) : NULL;
            if (np)
                s->pixels = np;
            if (nl)
                s->labels = nl;
            if (!np || !nl) {
                bnn_set_err(err, "%s: out of memory", path);
                goto done;
            }
        }
        s->labels[s->count] = r[0];
        memcpy(s->pixels + (size_t)s->count * 3072, r + 1, 3072);
        s->count++;
    }
    *out = s;
    s = NULL;
    rc = 0;
done:
    gzclose(f);
    free(r);
    ds_free(s);
    return rc;
}

int ds_spec_files(const char *spec, char files[][4096])
{
    if (!strncmp(spec, "idx:", 4)) {
        const char *comma = strchr(spec + 4, ',');
        if (!comma)
            return 0;
        snprintf(files[0], 4096, "%.*s", (int)(comma - spec - 4), spec + 4);
        snprintf(files[1], 4096, "%s", comma + 1);
        return 2;
    }
    if (!strncmp(spec, "cifar10:", 8)) {
        snprintf(files[0], 4096, "%s", spec + 8);
        return 1;
    }
    if (!strncmp(spec, "fashion-mnist:", 14)) {
        const char *dir = getenv("SPARSECIM_FMNIST_DIR");
        const char *pre = !strcmp(spec + 14, "train") ? "train" : "t10k";
        if (!dir || !*dir)
            dir = DS_FMNIST_DIR;
        snprintf(files[0], 4096, "%.3000s/%s-images-idx3-ubyte.gz", dir, pre);
        snprintf(files[1], 4096, "%.3000s/%s-labels-idx1-ubyte.gz", dir, pre);
        return 2;
    }
    return 0;
}

int ds_load(const char *spec, ds_set **out, bnn_error *err)
{
    *out = NULL;
    if (!strncmp(spec, "fashion-mnist:", 14)) {
        const char *split = spec + 14;
        const char *pre = !strcmp(split, "train") ? "train" : !strcmp(split, "test") ? "t10k" : NULL;
        if (!pre) {
            bnn_set_err(err, "data spec '%s': expected fashion-mnist:train or fashion-mnist:test", spec);
            return -1;
        }
        const char *dir = getenv("SPARSECIM_FMNIST_DIR");
        if (!dir || !*dir)
            dir = DS_FMNIST_DIR;
        char ip[4096], lp[4096];
        snprintf(ip, sizeof ip, "%s/%s-images-idx3-ubyte.gz", dir, pre);
        snprintf(lp, sizeof lp, "%s/%s-labels-idx1-ubyte.gz", dir, pre);
        if (access(ip, R_OK) != 0 || access(lp, R_OK) != 0) {
            bnn_set_err(err, "%s: cannot read %s/%s-*-ubyte.gz (install the Debian package dataset-fashion-mnist: "
                    "make -f Makefile.sim deps, or set SPARSECIM_FMNIST_DIR)", spec, dir, pre);
            return -1;
        }
        return ds_load_idx(ip, lp, out, err);
    }
    if (!strncmp(spec, "idx:", 4)) {
        const char *comma = strchr(spec + 4, ',');
        if (!comma || comma == spec + 4 || !comma[1]) {
            bnn_set_err(err, "data spec '%s': expected idx:IMAGES,LABELS", spec);
            return -1;
        }
        char ip[4096];
        size_t n = (size_t)(comma - (spec + 4));
        if (n >= sizeof ip) {
            bnn_set_err(err, "data spec '%s': path too long", spec);
            return -1;
        }
        memcpy(ip, spec + 4, n);
        ip[n] = '\0';
        return ds_load_idx(ip, comma + 1, out, err);
    }
    if (!strncmp(spec, "cifar10:", 8) && spec[8])
        return ds_load_cifar10(spec + 8, out, err);
    bnn_set_err(err, "data spec '%s': expected fashion-mnist:train|test, idx:IMAGES,LABELS or cifar10:FILE.bin", spec);
    return -1;
}

void ds_image(const ds_set *s, int i, bnn_tensor *t)
{
    size_t n = (size_t)s->c * (size_t)s->h * (size_t)s->w;
    const uint8_t *p = s->pixels + (size_t)i * n;
    for (size_t j = 0; j < n; j++)
        t->v[j] = p[j];
}

int ds_check_model(const ds_set *s, const bnn_model *m, const char *spec, const char *model, bnn_error *err)
{
    if (s->c != m->in_c || s->h != m->in_h || s->w != m->in_w) {
        bnn_set_err(err, "%s: images are %dx%dx%d (CxHxW) but the model %s expects %dx%dx%d", spec, s->c, s->h, s->w,
                model, m->in_c, m->in_h, m->in_w);
        return -1;
    }
    if (m->in_bits != 8) {
        bnn_set_err(err, "%s: pixels are 8-bit but the model %s has %d-bit inputs", spec, model, m->in_bits);
        return -1;
    }
    for (int i = 0; i < s->count; i++)
        if (s->labels[i] >= m->classes) {
            bnn_set_err(err, "%s: image %d has label %u but the model %s has %d classes", spec, i, s->labels[i], model,
                    m->classes);
            return -1;
        }
    return 0;
}

int ds_check_use(const ds_set *s, const bnn_model *m, const char *spec, const char *model, const char *opt,
                 long offset, long *count, bnn_error *err)
{
    if (ds_check_model(s, m, spec, model, err))
        return -1;
    if (offset < 0 || offset >= s->count) {
        bnn_set_err(err, "option %soffset %ld: %s has %d images (0..%d)", opt, offset, spec, s->count, s->count - 1);
        return -1;
    }
    if (*count < 0)
        *count = s->count - offset;
    if (*count > s->count - offset) {
        bnn_set_err(err, "option %scount: %ld images from %ld, but %s has %d (%soffset %ld)", opt, *count, offset, spec,
                s->count, opt, offset);
        return -1;
    }
    return 0;
}

void ds_random_image(bnn_tensor *t, uint64_t seed, long idx)
{
    bnn_rng r;
    bnn_rng_seed(&r, seed * 1000003u + (uint64_t)idx);
    size_t n = (size_t)t->c * (size_t)t->h * (size_t)t->w;
    for (size_t i = 0; i < n; i++)
        t->v[i] = (uint16_t)(bnn_rng_u64(&r) & ((1u << t->bits) - 1u));
}

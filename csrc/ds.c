/* ds.c - data set readers (see ds.h). */
#define _POSIX_C_SOURCE 200809L
#include "ds.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "bnn_rng.h"

static void set_err(bnn_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

void ds_free(ds_set *s)
{
    if (!s)
        return;
    free(s->pixels);
    free(s->labels);
    free(s);
}

/* Reads a whole file through zlib (transparent for non-gzip files). */
static int read_all(const char *path, uint8_t **buf, size_t *len, bnn_error *err)
{
    gzFile f = gzopen(path, "rb");
    if (!f) {
        set_err(err, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 20, n = 0;
    uint8_t *b = malloc(cap);
    for (;;) {
        if (!b)
            break;
        if (n == cap) {
            if (cap >= ((size_t)1 << 31)) {
                free(b);
                b = NULL;
                break;
            }
            uint8_t *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
        int got = gzread(f, b + n, (unsigned)(cap - n > (1u << 30) ? (1u << 30) : cap - n));
        if (got < 0) {
            int e;
            set_err(err, "%s: byte %zu%s: read error: %s", path, n, gzdirect(f) ? "" : " of the gzip data",
                    gzerror(f, &e));
            free(b);
            gzclose(f);
            return -1;
        }
        n += (size_t)got;
        int e = Z_OK;
        const char *why = gzerror(f, &e);
        if (e != Z_OK) { /* a gzip stream cut short reports its partial data, then this */
            set_err(err, "%s: byte %zu of the gzip data: %s", path, n, why);
            free(b);
            gzclose(f);
            return -1;
        }
        if (got == 0)
            break;
    }
    gzclose(f);
    if (!b) {
        set_err(err, "%s: out of memory or file too large", path);
        return -1;
    }
    *buf = b;
    *len = n;
    return 0;
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Parses an unsigned-byte IDX header; dims out, returns payload offset or -1. */
static long idx_header(const char *path, const uint8_t *b, size_t len, int want_nd, uint32_t *dims,
                       bnn_error *err)
{
    if (len < 4) {
        set_err(err, "%s: byte 0: truncated IDX header (%zu bytes)", path, len);
        return -1;
    }
    if (b[0] || b[1] || b[2] != 0x08) {
        set_err(err, "%s: byte 0: not an unsigned-byte IDX file (magic %02x %02x %02x %02x)", path, b[0],
                b[1], b[2], b[3]);
        return -1;
    }
    if (b[3] != want_nd) {
        set_err(err, "%s: byte 3: expected %d dimensions, got %d", path, want_nd, b[3]);
        return -1;
    }
    if (len < 4 + 4 * (size_t)want_nd) {
        set_err(err, "%s: byte %zu: truncated IDX header", path, len);
        return -1;
    }
    uint64_t total = 1;
    for (int i = 0; i < want_nd; i++) {
        dims[i] = be32(b + 4 + 4 * i);
        if (dims[i] == 0 || dims[i] > (1u << 24)) {
            set_err(err, "%s: byte %d: dimension %d is %u (expected 1..%u)", path, 4 + 4 * i, i, dims[i],
                    1u << 24);
            return -1;
        }
        total *= dims[i];
    }
    size_t off = 4 + 4 * (size_t)want_nd;
    if (len - off < total) {
        set_err(err, "%s: byte %zu: truncated: the header promises %llu bytes of data from byte %zu", path, len,
                (unsigned long long)total, off);
        return -1;
    }
    if (len - off > total) {
        set_err(err, "%s: byte %llu: %llu bytes after the data the header describes", path,
                (unsigned long long)(off + total), (unsigned long long)(len - off - total));
        return -1;
    }
    return (long)off;
}

int ds_load_idx(const char *images, const char *labels, ds_set **out, bnn_error *err)
{
    *out = NULL;
    uint8_t *ib = NULL, *lb = NULL;
    size_t il, ll;
    uint32_t idim[3], ldim[1];
    ds_set *s = NULL;
    if (read_all(images, &ib, &il, err) || read_all(labels, &lb, &ll, err))
        goto fail;
    long io = idx_header(images, ib, il, 3, idim, err);
    if (io < 0)
        goto fail;
    long lo = idx_header(labels, lb, ll, 1, ldim, err);
    if (lo < 0)
        goto fail;
    if (idim[0] != ldim[0]) {
        set_err(err, "%s: byte 4: %u labels for %u images in %s", labels, ldim[0], idim[0], images);
        goto fail;
    }
    if (idim[1] > 1024 || idim[2] > 1024) {
        set_err(err, "%s: byte 8: image size %ux%u too large", images, idim[1], idim[2]);
        goto fail;
    }
    for (uint32_t i = 0; i < ldim[0]; i++)
        if (lb[lo + i] > 99) {
            set_err(err, "%s: byte %ld: label %u out of range 0..99", labels, lo + (long)i, lb[lo + i]);
            goto fail;
        }
    s = calloc(1, sizeof *s);
    if (!s)
        goto oom;
    s->count = (int)idim[0];
    s->c = 1;
    s->h = (int)idim[1];
    s->w = (int)idim[2];
    s->pixels = malloc(il - (size_t)io);
    s->labels = malloc(ll - (size_t)lo);
    if (!s->pixels || !s->labels)
        goto oom;
    memcpy(s->pixels, ib + io, il - (size_t)io);
    memcpy(s->labels, lb + lo, ll - (size_t)lo);
    free(ib);
    free(lb);
    *out = s;
    return 0;
oom:
    set_err(err, "%s: out of memory", images);
fail:
    ds_free(s);
    free(ib);
    free(lb);
    return -1;
}

int ds_load_cifar10(const char *path, ds_set **out, bnn_error *err)
{
    *out = NULL;
    uint8_t *b;
    size_t len;
    if (read_all(path, &b, &len, err))
        return -1;
    const size_t rec = 1 + 3072;
    if (len == 0 || len % rec) {
        set_err(err, "%s: byte %zu: size %zu is not a whole number of 3073-byte CIFAR-10 records", path,
                len - len % rec, len);
        free(b);
        return -1;
    }
    ds_set *s = calloc(1, sizeof *s);
    int n = (int)(len / rec);
    if (s) {
        s->count = n;
        s->c = 3;
        s->h = 32;
        s->w = 32;
        s->pixels = malloc((size_t)n * 3072);
        s->labels = malloc((size_t)n);
    }
    if (!s || !s->pixels || !s->labels) {
        ds_free(s);
        free(b);
        set_err(err, "%s: out of memory", path);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const uint8_t *r = b + (size_t)i * rec;
        if (r[0] > 9) {
            set_err(err, "%s: byte %zu: label %u out of range 0..9", path, (size_t)i * rec, r[0]);
            ds_free(s);
            free(b);
            return -1;
        }
        s->labels[i] = r[0];
        memcpy(s->pixels + (size_t)i * 3072, r + 1, 3072);
    }
    free(b);
    *out = s;
    return 0;
}

int ds_load(const char *spec, ds_set **out, bnn_error *err)
{
    *out = NULL;
    if (!strncmp(spec, "fashion-mnist:", 14)) {
        const char *split = spec + 14;
        const char *pre = !strcmp(split, "train") ? "train" : !strcmp(split, "test") ? "t10k" : NULL;
        if (!pre) {
            set_err(err, "data spec '%s': expected fashion-mnist:train or fashion-mnist:test", spec);
            return -1;
        }
        const char *dir = getenv("SPARSECIM_FMNIST_DIR");
        if (!dir || !*dir)
            dir = DS_FMNIST_DIR;
        char ip[4096], lp[4096];
        snprintf(ip, sizeof ip, "%s/%s-images-idx3-ubyte.gz", dir, pre);
        snprintf(lp, sizeof lp, "%s/%s-labels-idx1-ubyte.gz", dir, pre);
        if (access(ip, R_OK) != 0 || access(lp, R_OK) != 0) {
            set_err(err, "%s: cannot read %s/%s-*-ubyte.gz (install the Debian package dataset-fashion-mnist: "
                    "make -f Makefile.sim deps, or set SPARSECIM_FMNIST_DIR)", spec, dir, pre);
            return -1;
        }
        return ds_load_idx(ip, lp, out, err);
    }
    if (!strncmp(spec, "idx:", 4)) {
        const char *comma = strchr(spec + 4, ',');
        if (!comma || comma == spec + 4 || !comma[1]) {
            set_err(err, "data spec '%s': expected idx:IMAGES,LABELS", spec);
            return -1;
        }
        char ip[4096];
        size_t n = (size_t)(comma - (spec + 4));
        if (n >= sizeof ip) {
            set_err(err, "data spec '%s': path too long", spec);
            return -1;
        }
        memcpy(ip, spec + 4, n);
        ip[n] = '\0';
        return ds_load_idx(ip, comma + 1, out, err);
    }
    if (!strncmp(spec, "cifar10:", 8) && spec[8])
        return ds_load_cifar10(spec + 8, out, err);
    set_err(err, "data spec '%s': expected fashion-mnist:train|test, idx:IMAGES,LABELS or cifar10:FILE.bin", spec);
    return -1;
}

void ds_image(const ds_set *s, int i, bnn_tensor *t)
{
    size_t n = (size_t)s->c * (size_t)s->h * (size_t)s->w;
    const uint8_t *p = s->pixels + (size_t)i * n;
    for (size_t j = 0; j < n; j++)
        t->v[j] = p[j];
}

int ds_check_model(const ds_set *s, const bnn_model *m, const char *spec, bnn_error *err)
{
    if (s->c != m->in_c || s->h != m->in_h || s->w != m->in_w) {
        set_err(err, "%s: images are %dx%dx%d (CxHxW) but the model expects %dx%dx%d", spec, s->c, s->h, s->w,
                m->in_c, m->in_h, m->in_w);
        return -1;
    }
    if (m->in_bits != 8) {
        set_err(err, "%s: pixels are 8-bit but the model's input has %d bits", spec, m->in_bits);
        return -1;
    }
    for (int i = 0; i < s->count; i++)
        if (s->labels[i] >= m->classes) {
            set_err(err, "%s: image %d has label %u but the model has %d classes", spec, i, s->labels[i],
                    m->classes);
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

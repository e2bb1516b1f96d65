/*
 * bnn_model_io.c - the .bnn reader and writer (layout: top of bnn_model.c,
 * docs/FORMAT.md). Every integer is decoded byte by byte, little-endian.
 *
 * Load order: magic, version (1, 2 or 3); then every field in file order
 * with its range (so no allocation is larger than the bytes that back it,
 * and a truncated file names the field it ends in; a CONV's groups,
 * version >= 2, with its divisibility, before the weights whose length
 * depends on it; a CONV's mult flag and multiplicities, version 3, each
 * checked when read: flag 0 or 1, 1 only on an ungrouped conv, values
 * 1..BNN_MAX_MULT, not all 1); then no trailing bytes; then the version
 * against the model (bnn_model_file_version: 2 exactly when a CONV has
 * groups > 1 and none has multiplicities, 3 exactly when one has
 * multiplicities: one encoding per model); then the CRC; then the semantic
 * checks of bnn_model_check() (shape chain, shortcuts), whose messages
 * carry the byte offset of the field.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/bnn_model.h"
#include "model/bnn_model_int.h"
#include "util/crc.h"
#include "util/outfile.h"

static uint32_t get_le(const uint8_t *p, int bytes)
{
    uint32_t x = 0;
    for (int i = 0; i < bytes; i++)
        x |= (uint32_t)p[i] << (8 * i);
    return x;
}

/* ------------------------------------------------------------ reader ---- */

typedef struct rd {
    const uint8_t *p;
    size_t len, off;    /* len excludes the CRC */
    const char *name;   /* file name for messages */
    char label[64];     /* "layer 3 (s0b1a)" or "" for header fields */
    size_t weights;     /* packed weight bytes so far */
    unsigned version;   /* 1; 2: CONV records carry groups; 3: groups and the mult flag */
    bnn_error *err;
} rd;

static void field_name(const rd *r, const char *field, char *out, size_t n)
{
    snprintf(out, n, "%s%s%s", r->label, r->label[0] ? " " : "", field);
}

static int rd_need(rd *r, size_t n, const char *field)
{
    if (r->len - r->off < n) {
        char f[128];
        field_name(r, field, f, sizeof f);
        bnn_set_err(r->err, "%s: byte %zu: field '%s': file truncated (needs %zu bytes, %zu left before the CRC)",
                    r->name, r->off, f, n, r->len - r->off);
        return -1;
    }
    return 0;
}

/* Reads an unsigned (or, with is_signed, a two's complement) integer of
 * `bytes` bytes and checks lo <= v <= hi. */
static int rd_int(rd *r, int bytes, int is_signed, const char *field, long lo, long hi, long *v)
{
    size_t at = r->off;
    if (rd_need(r, (size_t)bytes, field))
        return -1;
    uint32_t u = get_le(r->p + r->off, bytes);
    r->off += (size_t)bytes;
    long val = (long)u;
    if (is_signed && bytes == 2)
        val = (long)(int16_t)(uint16_t)u;
    if (val < lo || val > hi) {
        char f[128];
        field_name(r, field, f, sizeof f);
        bnn_set_err(r->err, "%s: byte %zu: field '%s': expected %ld..%ld, got %ld", r->name, at, f, lo, hi, val);
        return -1;
    }
    *v = val;
    return 0;
}

#define RD_U(r, bytes, field, lo, hi, dst)                                                                  \
    do {                                                                                                    \
        long v_;                                                                                            \
        if (rd_int((r), (bytes), 0, (field), (lo), (hi), &v_))                                              \
            return -1;                                                                                      \
        (dst) = (int)v_;                                                                                    \
    } while (0)

/* `rows` rows of ceil(cols/8) bytes into a packed matrix; unused bits must be 0. */
static int rd_bits(rd *r, bnn_bits *b, int rows, int cols, const char *field)
{
    size_t rb = ((size_t)cols + 7) / 8, total = rb * (size_t)rows;
    char f[128];
    field_name(r, field, f, sizeof f);
    if (total > BNN_MAX_WEIGHT_BYTES - r->weights) {
        bnn_set_err(r->err, "%s: byte %zu: field '%s': the model's weights exceed %u MiB", r->name, r->off, f,
                    BNN_MAX_WEIGHT_BYTES >> 20);
        return -1;
    }
    if (rd_need(r, total, field))
        return -1;
    r->weights += total;
    if (bnn_bits_alloc(b, rows, cols)) {
        bnn_set_err(r->err, "%s: byte %zu: field '%s': out of memory", r->name, r->off, f);
        return -1;
    }
    for (int o = 0; o < rows; o++) {
        const uint8_t *row = r->p + r->off;
        for (size_t j = 0; j < rb; j++)
            b->w[(size_t)o * (size_t)b->words + j / 8] |= (uint64_t)row[j] << (8 * (j % 8));
        if (cols % 8 && (row[rb - 1] >> (cols % 8))) {
            bnn_set_err(r->err, "%s: byte %zu: field '%s': row %d: unused weight bits are not 0 (byte 0x%02x, %d bits used)",
                        r->name, r->off + rb - 1, f, o, row[rb - 1], cols % 8);
            return -1;
        }
        r->off += rb;
    }
    return 0;
}

/* Sign bits then n*pairs int32 thresholds; `field` is "sign"/"fc1 sign" etc. */
static int rd_thresh(rd *r, bnn_thresh *t, int n, int pairs, const char *prefix)
{
    char fs[64], ft[64], f[128];
    snprintf(fs, sizeof fs, "%ssign", prefix);
    snprintf(ft, sizeof ft, "%sthresholds", prefix);
    size_t sb = ((size_t)n + 7) / 8;
    if (rd_need(r, sb, fs))
        return -1;
    if (bnn_thresh_alloc(t, n, pairs)) {
        field_name(r, fs, f, sizeof f);
        bnn_set_err(r->err, "%s: byte %zu: field '%s': out of memory", r->name, r->off, f);
        return -1;
    }
    for (int o = 0; o < n; o++)
        t->neg[o] = (uint8_t)((r->p[r->off + (size_t)o / 8] >> (o % 8)) & 1u);
    if (n % 8 && (r->p[r->off + sb - 1] >> (n % 8))) {
        field_name(r, fs, f, sizeof f);
        bnn_set_err(r->err, "%s: byte %zu: field '%s': unused sign bits are not 0 (byte 0x%02x, %d bits used)",
                    r->name, r->off + sb - 1, f, r->p[r->off + sb - 1], n % 8);
        return -1;
    }
    r->off += sb;
    if (rd_need(r, 4 * (size_t)n * (size_t)pairs, ft))
        return -1;
    for (int i = 0; i < n * pairs; i++) {
        t->t[i] = (int32_t)get_le(r->p + r->off, 4);
        r->off += 4;
    }
    return 0;
}

/* Version 3: a CONV's u8 mult flag and, with flag 1, its in_c u8
 * multiplicities (docs/FORMAT.md), read after the groups. Flag 1 only on
 * an ungrouped conv; each multiplicity 1..BNN_MAX_MULT; not all 1 (a conv
 * without copies is written with flag 0: one encoding per model). */
static int load_mult(rd *r, bnn_conv *cv)
{
    char f[128];
    size_t at = r->off;
    if (rd_need(r, 1, "mult flag"))
        return -1;
    int flag = r->p[r->off++];
    field_name(r, "mult flag", f, sizeof f);
    if (flag > 1) {
        bnn_set_err(r->err, "%s: byte %zu: field '%s': expected 0 or 1, got %d", r->name, at, f, flag);
        return -1;
    }
    if (flag && cv->groups > 1) {
        bnn_set_err(r->err, "%s: byte %zu: field '%s': 1 on a conv of %d groups (multiplicities are for "
                    "ungrouped convs only)", r->name, at, f, cv->groups);
        return -1;
    }
    if (!flag)
        return 0;
    at = r->off;
    if (rd_need(r, (size_t)cv->in_c, "multiplicities"))
        return -1;
    field_name(r, "multiplicities", f, sizeof f);
    if (!(cv->mult = malloc((size_t)cv->in_c))) {
        bnn_set_err(r->err, "%s: byte %zu: field '%s': out of memory", r->name, at, f);
        return -1;
    }
    int above = 0;
    for (int ch = 0; ch < cv->in_c; ch++) {
        int v = r->p[at + (size_t)ch];
        if (v < 1 || v > BNN_MAX_MULT) {
            bnn_set_err(r->err, "%s: byte %zu: field '%s': multiplicity of channel %d: expected 1..%d, got %d",
                        r->name, at + (size_t)ch, f, ch, BNN_MAX_MULT, v);
            return -1;
        }
        cv->mult[ch] = (uint8_t)v;
        above |= v > 1;
    }
    if (!above) {
        bnn_set_err(r->err, "%s: byte %zu: field '%s': all 1 (write flag 0)", r->name, at, f);
        return -1;
    }
    r->off += (size_t)cv->in_c;
    return 0;
}

static int load_conv(rd *r, bnn_conv *cv, int index)
{
    long v;
    RD_U(r, 2, "in_c", 1, BNN_MAX_CH, cv->in_c);
    RD_U(r, 2, "out_c", 1, BNN_MAX_CH, cv->out_c);
    RD_U(r, 2, "in_h", 1, BNN_MAX_IMG, cv->in_h);
    RD_U(r, 2, "in_w", 1, BNN_MAX_IMG, cv->in_w);
    RD_U(r, 1, "k_h", 1, BNN_MAX_K, cv->k_h);
    RD_U(r, 1, "k_w", 1, BNN_MAX_K, cv->k_w);
    RD_U(r, 1, "stride", 1, BNN_MAX_STRIDE, cv->stride);
    RD_U(r, 1, "pad_h", 0, cv->k_h - 1, cv->pad_h);
    RD_U(r, 1, "pad_w", 0, cv->k_w - 1, cv->pad_w);
    RD_U(r, 1, "in_bits", 1, 8, cv->in_bits);
    if (rd_int(r, 2, 1, "shortcut", -1, index - 1, &v))
        return -1;
    cv->shortcut = (int)v;
    cv->groups = 1;
    if (r->version >= BNN_VERSION_GROUPS) {
        size_t at = r->off;
        RD_U(r, 2, "groups", 1, cv->in_c, cv->groups);
        if (cv->in_c % cv->groups || cv->out_c % cv->groups) {
            char f[128];
            field_name(r, "groups", f, sizeof f);
            bnn_set_err(r->err, "%s: byte %zu: field '%s': expected a divisor of in_c %d and of out_c %d, got %d",
                        r->name, at, f, cv->in_c, cv->out_c, cv->groups);
            return -1;
        }
    }
    if (r->version >= BNN_VERSION_MULT && load_mult(r, cv))
        return -1;
    /* the weights are read with the groups (their row length depends on them) */
    if (rd_bits(r, &cv->wt, cv->out_c, bnn_conv_n(cv), "weights"))
        return -1;
    return rd_thresh(r, &cv->th, cv->out_c, cv->shortcut >= 0 ? 2 : 1, "");
}

static int load_se(rd *r, bnn_se *se)
{
    RD_U(r, 2, "channels", 1, BNN_MAX_CH, se->c);
    RD_U(r, 2, "hidden", 1, BNN_MAX_CH, se->hidden);
    if (rd_bits(r, &se->fc1, se->hidden, se->c, "fc1 weights") || rd_thresh(r, &se->th1, se->hidden, 1, "fc1 ") ||
        rd_bits(r, &se->fc2, se->c, se->hidden, "fc2 weights"))
        return -1;
    return rd_thresh(r, &se->th2, se->c, 1, "fc2 ");
}

static int load_cls(rd *r, bnn_classifier *c)
{
    RD_U(r, 2, "in_c", 1, BNN_MAX_CH, c->in_c);
    RD_U(r, 2, "classes", 1, BNN_MAX_CLASSES, c->classes);
    if (rd_bits(r, &c->wt, c->classes, c->in_c, "weights") || rd_need(r, 8 * (size_t)c->classes, "scale/bias"))
        return -1;
    c->scale = calloc((size_t)c->classes, sizeof(float));
    c->bias = calloc((size_t)c->classes, sizeof(float));
    if (!c->scale || !c->bias) {
        bnn_set_err(r->err, "%s: byte %zu: out of memory", r->name, r->off);
        return -1;
    }
    for (int k = 0; k < 2 * c->classes; k++) {
        uint32_t u = get_le(r->p + r->off, 4);
        memcpy(k < c->classes ? &c->scale[k] : &c->bias[k - c->classes], &u, 4);
        r->off += 4;
    }
    return 0;
}

/* Peeks the fields that decide layer i's name (before they are checked) so
 * that messages about the record can say "layer 3 (s0b1a)". */
static void name_for_messages(rd *r, bnn_model *m, bnn_namer *nm, int i)
{
    bnn_layer *l = &m->layers[i];
    if (l->type == BNN_CONV) {
        const uint8_t *p = r->p + r->off; /* just after the type byte */
        size_t left = r->len - r->off;
        l->u.conv.in_c = left >= 2 ? (int)get_le(p, 2) : 0;
        l->u.conv.out_c = left >= 4 ? (int)get_le(p + 2, 2) : 0;
        l->u.conv.k_h = left >= 9 ? p[8] : 0;
        l->u.conv.k_w = left >= 10 ? p[9] : 0;
        l->u.conv.stride = left >= 11 ? p[10] : 1;
        l->u.conv.shortcut = left >= 16 ? (int)(int16_t)(uint16_t)get_le(p + 14, 2) : -1;
        /* groups at +17 in versions 2 and 3 (the version-3 mult flag and
         * multiplicities come after it and do not change names) */
        l->u.conv.groups = r->version >= BNN_VERSION_GROUPS && left >= 18 ? (int)get_le(p + 16, 2) : 1;
    }
    bnn_namer_step(nm, m->layers, i);
    snprintf(r->label, sizeof r->label, "layer %d (%s)", i, l->name);
}

static int load_header(rd *r, bnn_model *m)
{
    RD_U(r, 2, "in_c", 1, BNN_MAX_CH, m->in_c);
    RD_U(r, 2, "in_h", 1, BNN_MAX_IMG, m->in_h);
    RD_U(r, 2, "in_w", 1, BNN_MAX_IMG, m->in_w);
    RD_U(r, 1, "in_bits", 1, 8, m->in_bits);
    int reserved;
    RD_U(r, 1, "reserved", 0, 0, reserved);
    (void)reserved;
    RD_U(r, 2, "classes", 1, BNN_MAX_CLASSES, m->classes);
    int nl;
    RD_U(r, 2, "n_layers", 1, BNN_MAX_LAYERS, nl);
    m->layers = calloc((size_t)nl, sizeof *m->layers);
    if (!m->layers) {
        bnn_set_err(r->err, "%s: out of memory", r->name);
        return -1;
    }
    return nl;
}

static int load_layers(rd *r, bnn_model *m, int nl, size_t *rec_off)
{
    bnn_namer nm;
    bnn_namer_init(&nm);
    for (int i = 0; i < nl; i++) {
        rec_off[i] = r->off;
        snprintf(r->label, sizeof r->label, "layer %d", i);
        long type;
        if (rd_int(r, 1, 0, "type", BNN_CONV, BNN_CLASSIFIER, &type))
            return -1;
        m->layers[i].type = (bnn_layer_type)type;
        m->n_layers = i + 1; /* so that bnn_model_free() releases what was read */
        name_for_messages(r, m, &nm, i);
        int rc = type == BNN_CONV ? load_conv(r, &m->layers[i].u.conv, i)
               : type == BNN_SE   ? load_se(r, &m->layers[i].u.se)
                                  : load_cls(r, &m->layers[i].u.cls);
        if (rc)
            return -1;
    }
    r->label[0] = '\0';
    return 0;
}

/* One encoding per model: version 2 only when a conv needs its groups,
 * version 3 only when a conv has multiplicities (a file of a higher
 * version than its model needs is refused, saying what the model lacks). */
static int version_mismatch(const rd *r, const bnn_model *m)
{
    const unsigned want = bnn_model_file_version(m);
    if (r->version == want)
        return 0;
    const char *why = r->version < BNN_VERSION_MULT ? "no CONV layer has groups > 1"
                      : want == BNN_VERSION      ? "no CONV layer has multiplicities or groups > 1"
                                                 : "no CONV layer has multiplicities";
    bnn_set_err(r->err, "%s: byte %d: field 'version': expected %u (%s), got %u", r->name, BNN_HDR_VERSION, want, why,
                r->version);
    return -1;
}

int bnn_model_load_mem(const uint8_t *buf, size_t len, const char *name, bnn_model **out, bnn_error *err)
{
    *out = NULL;
    rd r = {.p = buf, .len = len, .name = name, .err = err};
    long v;
    if (rd_need(&r, 8, "magic"))
        return -1;
    if (memcmp(buf, BNN_MAGIC, 8) != 0) {
        bnn_set_err(err, "%s: byte 0: field 'magic': expected \"%s\", not a .bnn file", name, BNN_MAGIC);
        return -1;
    }
    r.off = 8;
    if (rd_int(&r, 4, 0, "version", BNN_VERSION, BNN_VERSION_MULT, &v))
        return -1;
    r.version = (unsigned)v;
    if (len < BNN_HDR_SIZE + 4) {
        bnn_set_err(err, "%s: byte %zu: file truncated (%zu bytes is shorter than the header + CRC, %d bytes)",
                    name, len, len, BNN_HDR_SIZE + 4);
        return -1;
    }
    r.len = len - 4; /* no field may run into the CRC */
    bnn_model *m = calloc(1, sizeof *m);
    size_t *rec_off = NULL;
    if (!m) {
        bnn_set_err(err, "%s: out of memory", name);
        return -1;
    }
    int nl = load_header(&r, m);
    if (nl < 0)
        goto fail;
    rec_off = calloc((size_t)nl, sizeof *rec_off);
    if (!rec_off) {
        bnn_set_err(err, "%s: out of memory", name);
        goto fail;
    }
    if (load_layers(&r, m, nl, rec_off))
        goto fail;
    if (r.off != r.len) {
        bnn_set_err(err, "%s: byte %zu: field 'n_layers': %zu unexpected bytes after the last of %d layers (before the 4-byte CRC)",
                    name, r.off, r.len - r.off, nl);
        goto fail;
    }
    if (version_mismatch(&r, m))
        goto fail;
    uint32_t want = get_le(buf + len - 4, 4), got = crc_bytes(buf, len - 4);
#ifdef SPARSECIM_FUZZ_NO_CRC
    want = got; /* fuzzing build only: let mutated files reach the checks behind the CRC */
#endif
    if (want != got) {
        bnn_set_err(err, "%s: byte %zu: field 'crc32': stored 0x%08x, computed 0x%08x (file corrupted)", name,
                    len - 4, (unsigned)want, (unsigned)got);
        goto fail;
    }
    if (bnn_model_check_file(m, name, rec_off, r.version, err))
        goto fail;
    free(rec_off);
    *out = m;
    return 0;
fail:
    free(rec_off);
    bnn_model_free(m);
    return -1;
}

int bnn_model_load(const char *path, bnn_model **out, bnn_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        bnn_set_err(err, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    /* A valid file is at most the weight limit plus thresholds and headers. */
    const size_t max_len = (size_t)BNN_MAX_WEIGHT_BYTES + ((size_t)64 << 20);
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    int too_big = 0;
    int read_errno = 0;
    while (buf) {
        errno = 0;
        len += fread(buf + len, 1, cap - len, f);
        read_errno = errno;
        if (len < cap)
            break;
        if (cap >= max_len) {
            too_big = 1;
            break;
        }
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int ioerr = ferror(f);
    fclose(f);
    if (too_big) {
        free(buf);
        bnn_set_err(err, "%s: byte %zu: file larger than any valid model (%zu MiB)", path, len, max_len >> 20);
        return -1;
    }
    if (!buf || ioerr) {
        free(buf);
        bnn_set_err(err, "%s: %s%s", path, buf ? "cannot read: " : "out of memory",
                    buf ? strerror(read_errno ? read_errno : EIO) : "");
        return -1;
    }
    int rc = bnn_model_load_mem(buf, len, path, out, err);
    free(buf);
    return rc;
}

/* ------------------------------------------------------------ writer ---- */

typedef struct wr {
    uint8_t *p;
    size_t len, cap;
    int oom;
} wr;

static void wr_bytes(wr *w, const void *src, size_t n)
{
    if (w->oom)
        return;
    if (n > w->cap - w->len) {
        size_t nc = w->cap ? w->cap : 4096;
        while (nc - w->len < n)
            nc *= 2;
        uint8_t *np = realloc(w->p, nc);
        if (!np) {
            w->oom = 1;
            return;
        }
        w->p = np;
        w->cap = nc;
    }
    memcpy(w->p + w->len, src, n);
    w->len += n;
}

static void wr_le(wr *w, uint32_t v, int bytes)
{
    uint8_t b[4];
    for (int i = 0; i < bytes; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    wr_bytes(w, b, (size_t)bytes);
}

static void wr_bits(wr *w, const bnn_bits *b)
{
    size_t rb = ((size_t)b->cols + 7) / 8;
    for (int o = 0; o < b->rows; o++)
        for (size_t j = 0; j < rb; j++)
            wr_le(w, (uint32_t)(uint8_t)(b->w[(size_t)o * (size_t)b->words + j / 8] >> (8 * (j % 8))), 1);
}

static void wr_thresh(wr *w, const bnn_thresh *t)
{
    for (int j = 0; j < (t->n + 7) / 8; j++) {
        uint32_t byte = 0;
        for (int k = 0; k < 8 && j * 8 + k < t->n; k++)
            byte |= (uint32_t)(t->neg[j * 8 + k] ? 1 : 0) << k;
        wr_le(w, byte, 1);
    }
    for (int i = 0; i < t->n * t->pairs; i++)
        wr_le(w, (uint32_t)t->t[i], 4);
}

static void wr_floats(wr *w, const float *f, int n)
{
    for (int k = 0; k < n; k++) {
        uint32_t u;
        memcpy(&u, &f[k], 4);
        wr_le(w, u, 4);
    }
}

static void wr_layer(wr *w, const bnn_layer *l, unsigned version)
{
    wr_le(w, (uint32_t)l->type, 1);
    if (l->type == BNN_CONV) {
        const bnn_conv *c = &l->u.conv;
        wr_le(w, (uint32_t)c->in_c, 2);
        wr_le(w, (uint32_t)c->out_c, 2);
        wr_le(w, (uint32_t)c->in_h, 2);
        wr_le(w, (uint32_t)c->in_w, 2);
        wr_le(w, (uint32_t)c->k_h, 1);
        wr_le(w, (uint32_t)c->k_w, 1);
        wr_le(w, (uint32_t)c->stride, 1);
        wr_le(w, (uint32_t)c->pad_h, 1);
        wr_le(w, (uint32_t)c->pad_w, 1);
        wr_le(w, (uint32_t)c->in_bits, 1);
        wr_le(w, (uint32_t)(uint16_t)(int16_t)c->shortcut, 2);
        if (version >= BNN_VERSION_GROUPS)
            wr_le(w, (uint32_t)bnn_conv_groups(c), 2);
        if (version >= BNN_VERSION_MULT) {
            /* flag 0 for a conv without multiplicities, else 1 and in_c bytes */
            wr_le(w, c->mult ? 1u : 0u, 1);
            if (c->mult)
                wr_bytes(w, c->mult, (size_t)c->in_c);
        }
        wr_bits(w, &c->wt);
        wr_thresh(w, &c->th);
    } else if (l->type == BNN_SE) {
        const bnn_se *s = &l->u.se;
        wr_le(w, (uint32_t)s->c, 2);
        wr_le(w, (uint32_t)s->hidden, 2);
        wr_bits(w, &s->fc1);
        wr_thresh(w, &s->th1);
        wr_bits(w, &s->fc2);
        wr_thresh(w, &s->th2);
    } else {
        const bnn_classifier *c = &l->u.cls;
        wr_le(w, (uint32_t)c->in_c, 2);
        wr_le(w, (uint32_t)c->classes, 2);
        wr_bits(w, &c->wt);
        wr_floats(w, c->scale, c->classes);
        wr_floats(w, c->bias, c->classes);
    }
}

int bnn_model_serialize(const bnn_model *m, uint8_t **buf, size_t *len, bnn_error *err)
{
    *buf = NULL;
    *len = 0;
    /* Only a valid model is written: check a shallow copy (the check fills
     * derived fields and names, which must not change the caller's model;
     * it only reads the arrays, mult included, which stay the caller's:
     * the copy's layer array is freed, never what it points to). */
    bnn_model copy = *m;
    bnn_layer *layers = m->n_layers > 0 && m->n_layers <= BNN_MAX_LAYERS && m->layers
                            ? malloc((size_t)m->n_layers * sizeof *layers)
                            : NULL;
    if (layers)
        memcpy(layers, m->layers, (size_t)m->n_layers * sizeof *layers);
    copy.layers = layers;
    int bad = bnn_model_check(&copy, "model", NULL, err);
    free(layers);
    if (bad)
        return -1;
    wr w = {0};
    const unsigned version = bnn_model_file_version(m);
    wr_bytes(&w, BNN_MAGIC, 8);
    wr_le(&w, version, 4);
    wr_le(&w, (uint32_t)m->in_c, 2);
    wr_le(&w, (uint32_t)m->in_h, 2);
    wr_le(&w, (uint32_t)m->in_w, 2);
    wr_le(&w, (uint32_t)m->in_bits, 1);
    wr_le(&w, 0, 1);
    wr_le(&w, (uint32_t)m->classes, 2);
    wr_le(&w, (uint32_t)m->n_layers, 2);
    for (int i = 0; i < m->n_layers; i++)
        wr_layer(&w, &m->layers[i], version);
    if (!w.oom)
        wr_le(&w, crc_bytes(w.p, w.len), 4);
    if (w.oom) {
        free(w.p);
        bnn_set_err(err, "model: out of memory while serializing");
        return -1;
    }
    *buf = w.p;
    *len = w.len;
    return 0;
}

int bnn_model_save(const bnn_model *m, const char *path, bnn_error *err)
{
    uint8_t *buf;
    size_t len;
    if (bnn_model_serialize(m, &buf, &len, err))
        return -1;
    int rc = out_write_all(path, buf, len, NULL, 0, err);
    free(buf);
    return rc;
}

/* tb_vec.c - golden vector files (see tb_vec.h). */
#include "tb_vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define VEC_MAGIC "SCIMVEC1"
#define VEC_HEAD 84

/* ---- a growable little-endian buffer ---- */
typedef struct buf {
    uint8_t *b;
    size_t n, cap;
    int oom;
} buf;

static void put(buf *o, const void *p, size_t n)
{
    if (o->oom)
        return;
    if (o->n + n > o->cap) {
        size_t c = o->cap ? o->cap * 2 : 4096;
        while (c < o->n + n)
            c *= 2;
        uint8_t *nb = realloc(o->b, c);
        if (!nb) {
            o->oom = 1;
            return;
        }
        o->b = nb;
        o->cap = c;
    }
    memcpy(o->b + o->n, p, n);
    o->n += n;
}
static void put_u16(buf *o, unsigned v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(o, b, 2);
}
static void put_u32(buf *o, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(o, b, 4);
}
static void put_u64(buf *o, uint64_t v)
{
    put_u32(o, (uint32_t)v);
    put_u32(o, (uint32_t)(v >> 32));
}
static uint32_t get_u32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static unsigned get_u16(const uint8_t *p) { return (unsigned)p[0] | (unsigned)p[1] << 8; }
static uint64_t get_u64(const uint8_t *p) { return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32; }

static void squeeze(const bnn_tensor *in, uint16_t *q)
{
    size_t hw = (size_t)in->h * (size_t)in->w;
    for (int c = 0; c < in->c; c++) {
        unsigned s = 0;
        for (size_t p = 0; p < hw; p++)
            s += in->v[(size_t)c * hw + p] & 1u;
        q[c] = (uint16_t)s;
    }
}

/* One job's file. */
static int write_job(const char *dir, const bnn_layer *l, int li, const map_layer *ml, const map_job *j,
                     const bnn_tensor *in, const uint16_t *vec, int image, bnn_error *err)
{
    const map_cfg *cfg = &ml->cfg;
    int pixels = map_pixels(&ml->op), bits = ml->op.bits, ww = cfg->rows / 64, cw = (cfg->cols + 63) / 64;
    uint64_t *wl = malloc((size_t)ww * sizeof *wl);
    int *p = malloc((size_t)cfg->cols * sizeof *p);
    int32_t *xs = malloc((size_t)pixels * (size_t)bits * sizeof *xs);
    int32_t *ps = malloc((size_t)pixels * (size_t)bits * (size_t)(j->n_cols + 1) * sizeof *ps);
    int32_t *acc = calloc((size_t)pixels * (size_t)(j->n_cols + 1), sizeof *acc);
    buf o = {0};
    int rc = -1;
    if (!wl || !p || !xs || !ps || !acc) {
        snprintf(err->msg, sizeof err->msg, "vectors: out of memory");
        goto done;
    }
    put(&o, VEC_MAGIC, 8);
    put_u32(&o, 1);
    put_u16(&o, (unsigned)cfg->rows);
    put_u16(&o, (unsigned)cfg->cols);
    put_u16(&o, (unsigned)cfg->seg_rows);
    put_u16(&o, 0);
    /* an SE layer's two FC jobs are LAYER.fc1 and LAYER.fc2 (docs/SPEC.md section 3) */
    char name[32] = {0};
    snprintf(name, sizeof name, "%.26s%s", l->name,
             ml->op.part == MAP_FC1 ? ".fc1" : ml->op.part == MAP_FC2 ? ".fc2" : "");
    put(&o, name, 32);
    int32_t hd[8] = {image, li, j->row_tile, j->col_tile, j->n_rows, j->n_cols, bits, pixels};
    for (int k = 0; k < 8; k++)
        put_u32(&o, (uint32_t)hd[k]);
    for (int r = 0; r < j->n_rows; r++)
        for (int w = 0; w < cw; w++)
            put_u64(&o, j->wrows[(size_t)r * (size_t)j->col_words + (size_t)w]);
    for (int px = 0; px < pixels; px++)
        for (int k = 0; k < bits; k++) {
            size_t at = (size_t)px * (size_t)bits + (size_t)k;
            int x;
            map_job_input(ml, j, in, vec, px, k, wl);
            map_job_px(ml, j, wl, p, &x);
            for (int w = 0; w < ww; w++)
                put_u64(&o, wl[w]);
            xs[at] = x;
            for (int c = 0; c < j->n_cols; c++) {
                ps[at * (size_t)j->n_cols + (size_t)c] = p[c];
                int32_t *a = &acc[(size_t)px * (size_t)j->n_cols + (size_t)c];
                *a = 2 * *a + 2 * p[c] - x;
            }
        }
    for (size_t i = 0; i < (size_t)pixels * (size_t)bits; i++)
        put_u32(&o, (uint32_t)xs[i]);
    for (size_t i = 0; i < (size_t)pixels * (size_t)bits * (size_t)j->n_cols; i++)
        put_u32(&o, (uint32_t)ps[i]);
    for (size_t i = 0; i < (size_t)pixels * (size_t)j->n_cols; i++)
        put_u32(&o, (uint32_t)acc[i]);
    if (o.oom) {
        snprintf(err->msg, sizeof err->msg, "vectors: out of memory");
        goto done;
    }
    put_u32(&o, (uint32_t)crc32(0L, o.b, (uInt)o.n));
    char path[4096];
    snprintf(path, sizeof path, "%.3900s/i%05d_l%03d_%s_r%03d_c%03d.vec", dir, image, li, name, j->row_tile,
             j->col_tile);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(o.b, 1, o.n, f) != o.n || fclose(f) != 0) {
        snprintf(err->msg, sizeof err->msg, "vectors: %.400s: cannot write", path);
        goto done;
    }
    rc = 0;
done:
    free(o.b);
    free(wl);
    free(p);
    free(xs);
    free(ps);
    free(acc);
    return rc;
}

int tb_vec_write_image(const char *dir, const bnn_model *m, const map_cfg *cfg, const bnn_trace *tr, int image,
                       bnn_error *err)
{
    uint16_t *vec = malloc(4096 * sizeof *vec);
    if (!vec) {
        snprintf(err->msg, sizeof err->msg, "vectors: out of memory");
        return -1;
    }
    int rc = 0;
    for (int li = 0; li < m->n_layers && !rc; li++) {
        const bnn_layer *l = &m->layers[li];
        map_part parts[2] = {l->type == BNN_CONV ? MAP_CONV : l->type == BNN_SE ? MAP_FC1 : MAP_CLS, MAP_FC2};
        for (int pi = 0; pi < (l->type == BNN_SE ? 2 : 1) && !rc; pi++) {
            map_op op;
            map_layer *ml = NULL;
            map_cfg c = *cfg;
            c.perm = NULL;
            if (map_op_of(l, parts[pi], &op) || op.n > 4096 || map_layer_build(&op, &c, &ml, err)) {
                if (!ml)
                    snprintf(err->msg, sizeof err->msg, "vectors: layer %s: cannot map", l->name);
                rc = -1;
                break;
            }
            const bnn_tensor *in = NULL;
            if (parts[pi] == MAP_CONV)
                in = tr->act[li];
            else if (parts[pi] == MAP_FC2)
                for (int k = 0; k < l->u.se.hidden; k++)
                    vec[k] = (uint16_t)tr->se_h[li][k];
            else
                squeeze(tr->act[li], vec);
            for (int ji = 0; ji < ml->n_jobs && !rc; ji++)
                rc = write_job(dir, l, li, ml, &ml->jobs[ji], in, vec, image, err);
            map_layer_free(ml);
        }
    }
    free(vec);
    return rc;
}

void tb_vec_free(tb_vec *v)
{
    free(v->wrows);
    free(v->wl);
    free(v->x);
    free(v->p);
    free(v->acc);
    memset(v, 0, sizeof *v);
}

int tb_vec_read(const char *path, tb_vec *v, bnn_error *err)
{
    memset(v, 0, sizeof *v);
    FILE *f = fopen(path, "rb");
    uint8_t *b = NULL;
    long n = -1;
    if (f && !fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET) && (b = malloc((size_t)n + 1)) &&
        fread(b, 1, (size_t)n, f) == (size_t)n) {
    } else {
        snprintf(err->msg, sizeof err->msg, "%.400s: cannot read", path);
        if (f)
            fclose(f);
        free(b);
        return -1;
    }
    fclose(f);
    const char *bad = NULL;
    size_t off = 0;
    if (n < VEC_HEAD + 4 || memcmp(b, VEC_MAGIC, 8)) {
        bad = "magic";
    } else if (get_u32(b + 8) != 1) {
        bad = "version", off = 8;
    } else if (crc32(0L, b, (uInt)(n - 4)) != get_u32(b + n - 4)) {
        bad = "CRC-32", off = (size_t)n - 4;
    }
    if (!bad) {
        v->rows = (int)get_u16(b + 12);
        v->cols = (int)get_u16(b + 14);
        v->seg_rows = (int)get_u16(b + 16);
        memcpy(v->layer, b + 20, 31);
        int32_t hd[8];
        for (int k = 0; k < 8; k++)
            hd[k] = (int32_t)get_u32(b + 52 + 4 * k);
        v->image = hd[0];
        v->layer_index = hd[1];
        int nr = hd[4], nc = hd[5], bits = hd[6], px = hd[7];
        int ww = v->rows / 64, cw = (v->cols + 63) / 64;
        if (v->rows < 64 || v->rows % 64 || v->cols < 1 || v->cols > DUT_MAX_COLS || v->seg_rows < 1) {
            bad = "geometry", off = 12;
        } else if (nr < 1 || nr > v->rows || nc < 1 || nc > v->cols || bits < 1 || bits > 16 || px < 1 ||
                   px > 1 << 20) {
            bad = "job shape", off = 52;
        } else {
            size_t need = VEC_HEAD + 8 * ((size_t)nr * (size_t)cw + (size_t)px * (size_t)bits * (size_t)ww) +
                          4 * ((size_t)px * (size_t)bits * (size_t)(1 + nc) + (size_t)px * (size_t)nc) + 4;
            if (need != (size_t)n) {
                bad = "length", off = (size_t)n;
            } else {
                v->wrows = malloc((size_t)nr * (size_t)cw * sizeof *v->wrows);
                v->wl = malloc((size_t)px * (size_t)bits * (size_t)ww * sizeof *v->wl);
                v->x = malloc((size_t)px * (size_t)bits * sizeof *v->x);
                v->p = malloc((size_t)px * (size_t)bits * (size_t)nc * sizeof *v->p);
                v->acc = malloc((size_t)px * (size_t)nc * sizeof *v->acc);
                if (!v->wrows || !v->wl || !v->x || !v->p || !v->acc) {
                    bad = "memory";
                } else {
                    const uint8_t *q = b + VEC_HEAD;
                    for (size_t i = 0; i < (size_t)nr * (size_t)cw; i++, q += 8)
                        v->wrows[i] = get_u64(q);
                    for (size_t i = 0; i < (size_t)px * (size_t)bits * (size_t)ww; i++, q += 8)
                        v->wl[i] = get_u64(q);
                    for (size_t i = 0; i < (size_t)px * (size_t)bits; i++, q += 4)
                        v->x[i] = (int32_t)get_u32(q);
                    for (size_t i = 0; i < (size_t)px * (size_t)bits * (size_t)nc; i++, q += 4)
                        v->p[i] = (int32_t)get_u32(q);
                    for (size_t i = 0; i < (size_t)px * (size_t)nc; i++, q += 4)
                        v->acc[i] = (int32_t)get_u32(q);
                    v->job = (tb_golden_job){v->layer, hd[2], hd[3], nr, nc, cw, bits, px, v->wrows, v->wl,
                                             v->p, v->x, v->acc};
                }
            }
        }
    }
    free(b);
    if (bad) {
        snprintf(err->msg, sizeof err->msg, "%.400s: byte %zu: bad %s", path, off, bad);
        tb_vec_free(v);
        return -1;
    }
    return 0;
}

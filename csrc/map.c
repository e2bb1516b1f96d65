/* map.c - layer-to-array mapping (see map.h). */
#include "map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int map_op_of(const bnn_layer *l, map_part part, map_op *op)
{
    memset(op, 0, sizeof *op);
    op->part = part;
    op->k_h = op->k_w = op->stride = 1;
    op->in_h = op->in_w = op->out_h = op->out_w = 1;
    if (l->type == BNN_CONV && part == MAP_CONV) {
        const bnn_conv *c = &l->u.conv;
        op->in_c = c->in_c;
        op->k_h = c->k_h;
        op->k_w = c->k_w;
        op->stride = c->stride;
        op->pad_h = c->pad_h;
        op->pad_w = c->pad_w;
        op->in_h = c->in_h;
        op->in_w = c->in_w;
        op->out_h = c->out_h;
        op->out_w = c->out_w;
        op->out_c = c->out_c;
        op->bits = c->in_bits;
        op->wt = &c->wt;
    } else if (l->type == BNN_SE && part == MAP_FC1) {
        op->in_c = l->u.se.c;
        op->out_c = l->u.se.hidden;
        op->bits = l->u.se.q_bits;
        op->wt = &l->u.se.fc1;
    } else if (l->type == BNN_SE && part == MAP_FC2) {
        op->in_c = l->u.se.hidden;
        op->out_c = l->u.se.c;
        op->bits = 1;
        op->wt = &l->u.se.fc2;
    } else if (l->type == BNN_CLASSIFIER && part == MAP_CLS) {
        op->in_c = l->u.cls.in_c;
        op->out_c = l->u.cls.classes;
        op->bits = l->u.cls.q_bits;
        op->wt = &l->u.cls.wt;
    } else {
        return -1;
    }
    op->n = op->in_c * op->k_h * op->k_w;
    return 0;
}

void map_layer_free(map_layer *ml)
{
    if (!ml)
        return;
    for (int i = 0; ml->jobs && i < ml->n_jobs; i++)
        free(ml->jobs[i].wrows);
    free(ml->jobs);
    free(ml->order);
    free(ml);
}

int map_layer_build(const map_op *op, const map_cfg *cfg, map_layer **out, bnn_error *err)
{
    *out = NULL;
    if (cfg->rows < 1 || cfg->cols < 1 || cfg->rows % 64 || cfg->seg_rows < 1 || cfg->rows % cfg->seg_rows) {
        snprintf(err->msg, sizeof err->msg, "map: geometry %dx%d with %d-row segments: rows must be a multiple of 64 and of the segment",
                 cfg->rows, cfg->cols, cfg->seg_rows);
        return -1;
    }
    map_layer *ml = calloc(1, sizeof *ml);
    if (!ml)
        goto oom;
    ml->op = *op;
    ml->cfg = *cfg;
    ml->cfg.perm = NULL; /* the permutation is folded into `order` */
    int kk = op->k_h * op->k_w, n = op->n;
    ml->order = malloc((size_t)n * sizeof *ml->order);
    if (!ml->order)
        goto oom;
    /* array-order position -> canonical element */
    for (int pos = 0; pos < op->in_c; pos++) {
        int c = cfg->perm ? cfg->perm[pos] : pos;
        if (c < 0 || c >= op->in_c) {
            snprintf(err->msg, sizeof err->msg, "map: permutation entry %d = %d out of range 0..%d", pos, c, op->in_c - 1);
            map_layer_free(ml);
            return -1;
        }
        for (int t = 0; t < kk; t++) {
            int p = cfg->layout == MAP_TAP_MAJOR ? t * op->in_c + pos : pos * kk + t;
            ml->order[p] = c * kk + t;
        }
    }
    ml->n_row_tiles = (n + cfg->rows - 1) / cfg->rows;
    ml->n_col_tiles = (op->out_c + cfg->cols - 1) / cfg->cols;
    ml->n_jobs = ml->n_row_tiles * ml->n_col_tiles;
    ml->jobs = calloc((size_t)ml->n_jobs, sizeof *ml->jobs);
    if (!ml->jobs)
        goto oom;
    int cw = (cfg->cols + 63) / 64;
    for (int rt = 0; rt < ml->n_row_tiles; rt++)
        for (int ct = 0; ct < ml->n_col_tiles; ct++) {
            map_job *j = &ml->jobs[rt * ml->n_col_tiles + ct];
            j->row_tile = rt;
            j->col_tile = ct;
            j->row0 = rt * cfg->rows;
            j->n_rows = n - j->row0 < cfg->rows ? n - j->row0 : cfg->rows;
            j->col0 = ct * cfg->cols;
            j->n_cols = op->out_c - j->col0 < cfg->cols ? op->out_c - j->col0 : cfg->cols;
            j->elem = ml->order + j->row0;
            j->col_words = cw;
            j->wrows = calloc((size_t)j->n_rows * (size_t)cw + 1, sizeof *j->wrows);
            if (!j->wrows)
                goto oom;
            for (int r = 0; r < j->n_rows; r++)
                for (int c = 0; c < j->n_cols; c++)
                    if (bnn_bits_get(op->wt, j->col0 + c, j->elem[r]))
                        j->wrows[(size_t)r * (size_t)cw + (size_t)(c >> 6)] |= (uint64_t)1 << (c & 63);
        }
    *out = ml;
    return 0;
oom:
    map_layer_free(ml);
    snprintf(err->msg, sizeof err->msg, "map: out of memory");
    return -1;
}

void map_job_input(const map_layer *ml, const map_job *j, const bnn_tensor *in, const uint16_t *vec, int p,
                   int k, uint64_t *wl)
{
    const map_op *op = &ml->op;
    int words = ml->cfg.rows / 64, kk = op->k_h * op->k_w;
    int bit = op->bits - 1 - k;
    memset(wl, 0, (size_t)words * sizeof *wl);
    int y = p / op->out_w, x = p % op->out_w;
    for (int r = 0; r < j->n_rows; r++) {
        int i = j->elem[r];
        unsigned v;
        if (op->part == MAP_CONV) {
            int c = i / kk, t = i % kk;
            int iy = y * op->stride + t / op->k_w - op->pad_h;
            int ix = x * op->stride + t % op->k_w - op->pad_w;
            v = (iy < 0 || iy >= op->in_h || ix < 0 || ix >= op->in_w) ? 0u : bnn_at(in, c, iy, ix);
        } else {
            v = vec[i];
        }
        wl[r >> 6] |= (uint64_t)((v >> bit) & 1u) << (r & 63);
    }
}

void map_job_px(const map_layer *ml, const map_job *j, const uint64_t *wl, int *p, int *x)
{
    int xs = 0;
    for (int r = 0; r < j->n_rows; r++)
        xs += (int)((wl[r >> 6] >> (r & 63)) & 1u);
    *x = xs;
    for (int c = 0; c < j->n_cols; c++) {
        int s = 0;
        for (int r = 0; r < j->n_rows; r++)
            s += (int)((wl[r >> 6] >> (r & 63)) & (j->wrows[(size_t)r * (size_t)j->col_words + (size_t)(c >> 6)] >> (c & 63)) & 1u);
        p[c] = s;
    }
    (void)ml;
}

/* map.c - layer-to-array mapping (see map.h). */
#include "map/map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int map_is_layer(const bnn_layer *l) { return l->type == BNN_CONV && l->u.conv.in_bits == 1; }

int map_op_of(const bnn_layer *l, map_part part, map_op *op)
{
    memset(op, 0, sizeof *op);
    op->part = part;
    op->k_h = op->k_w = op->stride = op->groups = 1;
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
        op->groups = bnn_conv_groups(c);
        op->mult = c->mult;
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
    op->n = op->in_c / op->groups * op->k_h * op->k_w;
    op->rows = part == MAP_CONV ? bnn_conv_rows(&l->u.conv) : op->n;
    return 0;
}

void map_layer_free(map_layer *ml)
{
    if (!ml)
        return;
    for (int i = 0; ml->jobs && i < ml->n_jobs; i++) {
        free(ml->jobs[i].wrows);
        free(ml->jobs[i].wl);
        free(ml->jobs[i].wl_ones);
        free(ml->jobs[i].col_ones);
        free(ml->jobs[i].zflags);
    }
    free(ml->jobs);
    free(ml->order);
    free(ml);
}

const char *map_layout_name(map_layout l)
{
    return l == MAP_TAP_MAJOR ? "tap" : l == MAP_ALIGNED ? "aligned" : "channel";
}

int map_layout_parse(const char *s, map_layout *l)
{
    static const map_layout all[] = {MAP_CHANNEL_MAJOR, MAP_TAP_MAJOR, MAP_ALIGNED};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (!strcmp(s, map_layout_name(all[i]))) {
            *l = all[i];
            return 0;
        }
    return -1;
}

/* First position of a kk-row channel at or after `at` under the aligned
 * layout (see map.h): inside one segment when it fits one, else on a
 * segment boundary and inside one row tile. */
static int aligned_start(int at, int kk, int seg, int rows)
{
    if (kk <= seg)
        return at % seg + kk > seg ? (at / seg + 1) * seg : at;
    at = (at + seg - 1) / seg * seg;
    if (kk <= rows && at % rows + kk > rows)
        at = (at / rows + 1) * rows;
    return at;
}

/* The channel at each permutation position (chans, n_ch entries), checked:
 * in range, each at most once. Returns 0 or -1 (err filled). */
static int map_channels(const map_op *op, const map_cfg *cfg, int *chans, int n_ch, bnn_error *err)
{
    const int lim = op->in_c / op->groups; /* a group's channels */
    char *seen = calloc((size_t)lim + 1, 1);
    if (!seen) {
        snprintf(err->msg, sizeof err->msg, "map: out of memory");
        return -1;
    }
    int rc = 0;
    for (int pos = 0; pos < n_ch && !rc; pos++) {
        int c = cfg->perm ? cfg->perm[pos] : pos;
        if (c < 0 || c >= lim) {
            snprintf(err->msg, sizeof err->msg, "map: permutation entry %d = %d out of range 0..%d", pos, c, lim - 1);
            rc = -1;
        } else if (seen[c]++) {
            snprintf(err->msg, sizeof err->msg, "map: permutation entry %d: channel %d listed twice", pos, c);
            rc = -1;
        }
        chans[pos] = c;
    }
    free(seen);
    return rc;
}

/* Fills ml->order / n_pos from the layout (see map.h). Returns 0 or -1. */
static int map_place(map_layer *ml, const map_op *op, const map_cfg *cfg, bnn_error *err)
{
    int kk = op->k_h * op->k_w, n_ch = ml->n_ch;
    int *chans = malloc(((size_t)n_ch + 1) * sizeof *chans);
    int *copies = malloc(((size_t)n_ch * BNN_MAX_MULT + 1) * sizeof *copies);
    if (!chans || !copies || map_channels(op, cfg, chans, n_ch, err)) {
        if (!chans || !copies)
            snprintf(err->msg, sizeof err->msg, "map: out of memory");
        free(chans);
        free(copies);
        return -1;
    }
    /* multiplicities: every channel's copies (map.h); chans becomes the copies */
    n_ch = ml->n_ch = bnn_conv_copy_order(op->mult, chans, n_ch, copies);
    free(chans);
    chans = copies;
    int n_pos = n_ch * kk;
    if (cfg->layout == MAP_ALIGNED) {
        n_pos = 0;
        for (int pos = 0; pos < n_ch; pos++)
            n_pos = aligned_start(n_pos, kk, cfg->seg_rows, cfg->rows) + kk;
    }
    ml->n_pos = n_pos;
    ml->order = malloc(((size_t)n_pos + 1) * sizeof *ml->order);
    if (!ml->order) {
        free(chans);
        snprintf(err->msg, sizeof err->msg, "map: out of memory");
        return -1;
    }
    for (int p = 0; p < n_pos; p++)
        ml->order[p] = -1;
    for (int pos = 0, at = 0; pos < n_ch; pos++) {
        int c = chans[pos];
        if (cfg->layout == MAP_ALIGNED)
            at = aligned_start(at, kk, cfg->seg_rows, cfg->rows);
        for (int t = 0; t < kk; t++) {
            int p = cfg->layout == MAP_TAP_MAJOR ? t * n_ch + pos : at + t;
            ml->order[p] = c * kk + t;
        }
        at += kk;
    }
    free(chans);
    return 0;
}

/* The index in ml->jobs of job (rt, ct): the order the jobs run in (map.h). */
static int job_index(const map_layer *ml, int rt, int ct)
{
    if (ml->stationary == MAP_INPUT_STATIONARY)
        return ((ct / ml->ctpg) * ml->n_row_tiles + rt) * ml->ctpg + ct % ml->ctpg;
    return rt * ml->n_col_tiles + ct;
}

/* Job (rt, ct)'s tiles and rows (trailing padding cut off), its group, and
 * its cell rows allocated (zero). Returns the job, NULL when out of memory. */
static map_job *job_rows(map_layer *ml, int rt, int ct)
{
    const map_op *op = &ml->op;
    const map_cfg *cfg = &ml->cfg;
    map_job *j = &ml->jobs[job_index(ml, rt, ct)];
    int cw = (cfg->cols + 63) / 64;
    j->row_tile = rt;
    j->col_tile = ct;
    j->row0 = rt * cfg->rows;
    j->n_rows = ml->n_pos - j->row0 < cfg->rows ? ml->n_pos - j->row0 : cfg->rows;
    j->group = ct / ml->ctpg;
    j->ch0 = j->group * (op->in_c / op->groups);
    j->elem = ml->order + j->row0;
    while (j->n_rows > 0 && j->elem[j->n_rows - 1] < 0)
        j->n_rows--;
    j->n_elems = 0;
    for (int r = 0; r < j->n_rows; r++)
        j->n_elems += j->elem[r] >= 0;
    j->col_words = cw;
    j->wrows = calloc((size_t)j->n_rows * (size_t)cw + 1, sizeof *j->wrows);
    return j->wrows ? j : NULL;
}

/* Builds job (rt, ct): its rows and weight tile. */
static int map_job_build(map_layer *ml, int rt, int ct)
{
    const map_op *op = &ml->op;
    const map_cfg *cfg = &ml->cfg;
    map_job *j = job_rows(ml, rt, ct);
    if (!j)
        return -1;
    /* column tile ct: group ct / ctpg, that group's tile ct % ctpg */
    const int opg = op->out_c / op->groups, ctg = ct % ml->ctpg, cw = j->col_words;
    j->col0 = j->group * opg + ctg * cfg->cols;
    j->n_cols = opg - ctg * cfg->cols < cfg->cols ? opg - ctg * cfg->cols : cfg->cols;
    for (int r = 0; r < j->n_rows; r++)
        for (int c = 0; c < j->n_cols && j->elem[r] >= 0; c++)
            if (bnn_bits_get(op->wt, j->col0 + c, j->elem[r]))
                j->wrows[(size_t)r * (size_t)cw + (size_t)(c >> 6)] |= (uint64_t)1 << (c & 63);
    return 0;
}

/* Builds input-stationary job (rt, ct): its rows, its pixels (pixel tile
 * ct % ctpg), its steps' word lines (the group's outputs' weight bits) and
 * their X, and room for what each image fills (cells, ones, flags). */
static int map_is_job_build(map_layer *ml, int rt, int ct)
{
    const map_op *op = &ml->op;
    const int cols = ml->cfg.cols, words = ml->cfg.rows / 64, pixels = map_pixels(op);
    map_job *j = job_rows(ml, rt, ct);
    if (!j)
        return -1;
    j->col0 = ct % ml->ctpg * cols;
    j->n_cols = pixels - j->col0 < cols ? pixels - j->col0 : cols;
    j->out0 = j->group * ml->n_steps;
    j->n_zf = (j->n_rows + ml->cfg.seg_rows - 1) / ml->cfg.seg_rows;
    j->wl = calloc((size_t)ml->n_steps * (size_t)words + 1, sizeof *j->wl);
    j->wl_ones = calloc((size_t)ml->n_steps + 1, sizeof *j->wl_ones);
    j->col_ones = calloc((size_t)cols + 1, sizeof *j->col_ones);
    j->zflags = calloc((size_t)j->n_zf * (size_t)j->col_words + 1, sizeof *j->zflags);
    if (!j->wl || !j->wl_ones || !j->col_ones || !j->zflags)
        return -1;
    for (int s = 0; s < ml->n_steps; s++)
        for (int r = 0; r < j->n_rows; r++)
            if (j->elem[r] >= 0 && bnn_bits_get(op->wt, j->out0 + s, j->elem[r])) {
                j->wl[(size_t)s * (size_t)words + (size_t)(r >> 6)] |= (uint64_t)1 << (r & 63);
                j->wl_ones[s]++;
            }
    return 0;
}

/* The configuration checks of map_build: 0, or -1 with err filled. */
static int map_check(const map_op *op, const map_cfg *cfg, map_stationary st, int col_group, bnn_error *err)
{
    if (cfg->rows < 1 || cfg->cols < 1 || cfg->rows % 64 || cfg->seg_rows < 1 || cfg->rows % cfg->seg_rows) {
        snprintf(err->msg, sizeof err->msg, "map: geometry %dx%d with %d-row segments: rows must be a multiple of 64 and of the segment",
                 cfg->rows, cfg->cols, cfg->seg_rows);
        return -1;
    }
    if (op->groups < 1 || op->in_c % op->groups || op->out_c % op->groups ||
        (op->groups > 1 && (cfg->perm || cfg->n_perm))) {
        snprintf(err->msg, sizeof err->msg,
                 "map: %d groups of %d input and %d output channels%s", op->groups, op->in_c, op->out_c,
                 op->groups > 1 && (cfg->perm || cfg->n_perm) ? ": a grouped layer takes no channel permutation or subset"
                                                              : " (groups must divide both)");
        return -1;
    }
    if (cfg->n_perm < 0 || cfg->n_perm > op->in_c || (cfg->n_perm > 0 && !cfg->perm)) {
        snprintf(err->msg, sizeof err->msg, "map: a subset of %d channels (of %d) needs a channel list", cfg->n_perm,
                 op->in_c);
        return -1;
    }
    if (st == MAP_INPUT_STATIONARY &&
        (op->part != MAP_CONV || op->bits != 1 || cfg->n_perm || col_group < 1 || cfg->cols % col_group)) {
        snprintf(err->msg, sizeof err->msg,
                 "map: input-stationary: a binary conv (1-bit inputs), no channel subset, column groups dividing "
                 "the %d columns (got %d)", cfg->cols, col_group);
        return -1;
    }
    return 0;
}

/* map_layer_build and map_layer_build_is: the layer, its rows placed, its jobs. */
static int map_build(const map_op *op, const map_cfg *cfg, map_stationary st, int col_group, map_layer **out,
                     bnn_error *err)
{
    *out = NULL;
    if (map_check(op, cfg, st, col_group, err))
        return -1;
    const int is = st == MAP_INPUT_STATIONARY, opg = op->out_c / op->groups;
    map_layer *ml = calloc(1, sizeof *ml);
    if (!ml)
        goto oom;
    ml->op = *op;
    ml->cfg = *cfg;
    ml->stationary = st;
    ml->col_group = col_group;
    ml->cfg.perm = NULL; /* the permutation is folded into `order` */
    ml->n_ch = cfg->n_perm > 0 ? cfg->n_perm : op->in_c / op->groups;
    if (map_place(ml, op, cfg, err)) {
        map_layer_free(ml);
        return -1;
    }
    ml->n_row_tiles = (ml->n_pos + cfg->rows - 1) / cfg->rows;
    /* column tiles per group: of its outputs, input-stationary of the pixels */
    ml->ctpg = ((is ? map_pixels(op) : opg) + cfg->cols - 1) / cfg->cols;
    ml->n_col_tiles = op->groups * ml->ctpg;
    ml->n_jobs = ml->n_row_tiles * ml->n_col_tiles;
    ml->n_steps = is ? opg : map_pixels(op);
    ml->jobs = calloc((size_t)ml->n_jobs + 1, sizeof *ml->jobs);
    if (!ml->jobs)
        goto oom;
    for (int rt = 0; rt < ml->n_row_tiles; rt++)
        for (int ct = 0; ct < ml->n_col_tiles; ct++)
            if (is ? map_is_job_build(ml, rt, ct) : map_job_build(ml, rt, ct))
                goto oom;
    *out = ml;
    return 0;
oom:
    map_layer_free(ml);
    snprintf(err->msg, sizeof err->msg, "map: out of memory");
    return -1;
}

int map_layer_build(const map_op *op, const map_cfg *cfg, map_layer **out, bnn_error *err)
{
    return map_build(op, cfg, MAP_WEIGHT_STATIONARY, 0, out, err);
}

int map_layer_build_is(const map_op *op, const map_cfg *cfg, int col_group, map_layer **out, bnn_error *err)
{
    return map_build(op, cfg, MAP_INPUT_STATIONARY, col_group, out, err);
}

/* The CONV input value of canonical element i (c*k*k + tap of the group
 * whose first input channel is ch0) at output pixel p; 0 in the padding. */
static unsigned conv_input(const map_op *op, const bnn_tensor *in, int ch0, int i, int p)
{
    const int kk = op->k_h * op->k_w, y = p / op->out_w, x = p % op->out_w;
    int c = ch0 + i / kk, t = i % kk;
    int iy = y * op->stride + t / op->k_w - op->pad_h;
    int ix = x * op->stride + t % op->k_w - op->pad_w;
    return (iy < 0 || iy >= op->in_h || ix < 0 || ix >= op->in_w) ? 0u : bnn_at(in, c, iy, ix);
}

void map_job_input(const map_layer *ml, const map_job *j, const bnn_tensor *in, const uint16_t *vec, int p,
                   int k, uint64_t *wl)
{
    const map_op *op = &ml->op;
    int words = ml->cfg.rows / 64;
    int bit = op->bits - 1 - k;
    if (ml->stationary == MAP_INPUT_STATIONARY) {
        memcpy(wl, j->wl + (size_t)p * (size_t)words, (size_t)words * sizeof *wl);
        return;
    }
    memset(wl, 0, (size_t)words * sizeof *wl);
    for (int r = 0; r < j->n_rows; r++) {
        int i = j->elem[r];
        if (i < 0)
            continue; /* padding: never driven */
        unsigned v = op->part == MAP_CONV ? conv_input(op, in, j->ch0, i, p) : vec[i];
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

/* Input-stationary job j's stored-zero flags from its cells: flag (g, s) =
 * 1 where segment s's rows (< n_rows) hold no 1 in column group g's columns. */
static void is_job_flags(const map_layer *ml, map_job *j)
{
    const int seg = ml->cfg.seg_rows, grp = ml->col_group, cw = j->col_words;
    memset(j->zflags, 0, (size_t)j->n_zf * (size_t)cw * sizeof *j->zflags);
    for (int s = 0; s < j->n_zf; s++)
        for (int g = 0; g < ml->cfg.cols / grp; g++) {
            int any = 0;
            for (int r = s * seg; r < (s + 1) * seg && r < j->n_rows && !any; r++)
                for (int c = g * grp; c < (g + 1) * grp && !any; c++)
                    any = (int)(j->wrows[(size_t)r * (size_t)cw + (size_t)(c >> 6)] >> (c & 63) & 1u);
            if (!any)
                j->zflags[(size_t)s * (size_t)cw + (size_t)(g >> 6)] |= (uint64_t)1 << (g & 63);
        }
}

/* Input-stationary job j's cells for input `in` (row r, column c = the
 * activation of element elem[r] at pixel col0 + c), their ones per column
 * and the flags. */
static void is_job_fill(const map_layer *ml, map_job *j, const bnn_tensor *in)
{
    const int cw = j->col_words;
    memset(j->wrows, 0, (size_t)j->n_rows * (size_t)cw * sizeof *j->wrows);
    memset(j->col_ones, 0, (size_t)ml->cfg.cols * sizeof *j->col_ones);
    for (int r = 0; r < j->n_rows; r++)
        for (int c = 0; c < j->n_cols && j->elem[r] >= 0; c++)
            if (conv_input(&ml->op, in, j->ch0, j->elem[r], j->col0 + c) & 1u) {
                j->wrows[(size_t)r * (size_t)cw + (size_t)(c >> 6)] |= (uint64_t)1 << (c & 63);
                j->col_ones[c]++;
            }
    is_job_flags(ml, j);
}

void map_layer_set_input(map_layer *ml, const bnn_tensor *in)
{
    for (int ji = 0; ml->stationary == MAP_INPUT_STATIONARY && ji < ml->n_jobs; ji++)
        is_job_fill(ml, &ml->jobs[ji], in);
}

size_t map_result_at(const map_layer *ml, const map_job *j, int s, int c)
{
    const size_t pixels = (size_t)map_pixels(&ml->op);
    if (ml->stationary == MAP_INPUT_STATIONARY)
        return (size_t)(j->out0 + s) * pixels + (size_t)(j->col0 + c);
    return (size_t)(j->col0 + c) * pixels + (size_t)s;
}

int map_result_job(const map_layer *ml, int rt, int o, int p, int *s, int *c)
{
    if (ml->stationary == MAP_INPUT_STATIONARY) {
        const int g = o / ml->n_steps, pt = p / ml->cfg.cols;
        *s = o - g * ml->n_steps;
        *c = p - pt * ml->cfg.cols;
        return job_index(ml, rt, g * ml->ctpg + pt);
    }
    const int ji = job_index(ml, rt, map_col_tile(ml, o));
    *s = p;
    *c = o - ml->jobs[ji].col0;
    return ji;
}

int32_t map_dot_part(const map_layer *ml, const map_job *j, int s, int c, int32_t acc)
{
    if (ml->stationary == MAP_INPUT_STATIONARY)
        return acc + j->wl_ones[s] - j->col_ones[c];
    return acc;
}

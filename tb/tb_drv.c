/* tb_drv.c - the testbench driver (see tb_drv.h). */
#include "tb_drv.h"

#include <stdlib.h>
#include <string.h>

#include "tb_act.h"
#include "tb_golden.h"

/* A layer part's RTL results for one image. */
typedef struct part_buf {
    int32_t *dots;      /* out_c x pixels: summed row-tile partials */
    int32_t *part;      /* n_row_tiles x out_c x pixels: per-tile dot parts (map_dot_part of the accumulators) */
    uint64_t *cyc;      /* n_jobs x steps: cycle of each accumulator result */
    int8_t *bin;        /* out_c x pixels: RTL threshold bit, -1 when the host thresholds */
} part_buf;

struct tb_ctx {
    cim_dut *dut;
    const bnn_model *m;
    tb_opts o;
    dut_geom g;
    map_layer **maps;           /* 2 per layer: conv | fc1 | classifier, then fc2 (NULL: the layer is not run) */
    int is;                     /* an input-stationary run (tb_opts.stationary): only the binary convs */
    tb_layer_stats *ls;
    tb_layer_stats *view;       /* the mapped layers' statistics, in order (tb_stats) */
    uint64_t mismatches;
    int printed;
    int image;
    int compare;                /* 0 while re-running the RTL-chained rest of a network */
    uint64_t img_mismatches;
    /* the weights the array holds (what was last written to each row) */
    uint64_t *shadow;
    uint8_t *shadow_ok;
    uint64_t *rshadow;          /* the same for the references' array (differs under the channel skip) */
    uint8_t *rshadow_ok;
    int col_words;
    int exp_only;               /* 1: the references do not follow this layer's steps (channel skip) */
    map_layer *dyn;             /* this image's map of a channel-skipped layer */
    int *live;                  /* its channel list */
    int *key;                   /* per channel: ones it carries into the layer (the dynamic move's order) */
    part_buf pb;
    uint16_t *vec;              /* FC input vector */
    uint16_t *hbits;            /* SE hidden bits */
    uint16_t *gates;            /* SE gates (the channel mask of the SE's output) */
    int32_t *dots2;             /* SE fc2 dots */
    bnn_tensor **rtl_out;       /* n_layers + 1: the RTL's output tensors (index = next layer) */
    uint64_t *wl;               /* one word-line vector */
    int *hp;                    /* host P per column (check_px) */
    dut_out out;
    tb_act *act;                /* host array models: expected, static, flat */
    uint64_t *planes;           /* bits x rw words: one step's planes */
    int rw;                     /* words per word-line vector */
    /* the COMPUTE whose result the next step shows */
    struct {
        int valid, last, job, step, x;
        int *p;                 /* host P per column (check_px) */
    } pend;
    const map_layer *cur_ml;    /* the part being run (for the pending capture) */
    int cur_li;
};



static void fill_err(bnn_error *err, const char *msg) { snprintf(err->msg, sizeof err->msg, "%s", msg); }

void tb_free(tb_ctx *t)
{
    if (!t)
        return;
    if (t->maps)
        for (int i = 0; i < 2 * t->m->n_layers; i++)
            map_layer_free(t->maps[i]);
    if (t->rtl_out)
        for (int i = 0; i <= t->m->n_layers; i++)
            bnn_tensor_free(t->rtl_out[i]);
    free(t->rtl_out);
    free(t->maps);
    free(t->ls);
    free(t->view);
    free(t->shadow);
    free(t->shadow_ok);
    free(t->rshadow);
    free(t->rshadow_ok);
    map_layer_free(t->dyn);
    free(t->live);
    free(t->key);
    free(t->pb.dots);
    free(t->pb.part);
    free(t->pb.cyc);
    free(t->pb.bin);
    free(t->vec);
    free(t->hbits);
    free(t->gates);
    free(t->dots2);
    free(t->wl);
    free(t->hp);
    free(t->pend.p);
    free(t->planes);
    tb_act_free(t->act);
    free(t);
}

static void layer_shape(const bnn_layer *l, char *buf, size_t n)
{
    if (l->type == BNN_CONV) {
        const bnn_conv *c = &l->u.conv;
        /* a depthwise kernel is "dw3x3", a grouped one "k3x3g4" */
        char g[16] = "";
        if (bnn_conv_groups(c) > 1 && bnn_conv_cpg(c) > 1)
            snprintf(g, sizeof g, "g%d", bnn_conv_groups(c));
        snprintf(buf, n, "%dx%dx%d>%dx%dx%d %s%dx%d%s s%d", c->in_c, c->in_h, c->in_w, c->out_c, c->out_h, c->out_w,
                 bnn_conv_groups(c) > 1 && !g[0] ? "dw" : "k", c->k_h, c->k_w, g, c->stride);
    } else if (l->type == BNN_SE) {
        snprintf(buf, n, "se %d>%d>%d", l->u.se.c, l->u.se.hidden, l->u.se.c);
    } else {
        snprintf(buf, n, "fc %d>%d", l->u.cls.in_c, l->u.cls.classes);
    }
}

/* The accumulator's worst case for a layer part: the most rows a job of it
 * uses times the largest input value (every plane's weight summed), which
 * bounds |sum_k 2^k (2P_k - X_k)| and every partial sum of it. */
static int acc_worst_rows(const map_layer *ml)
{
    int rows = 0;
    for (int k = 0; k < ml->n_jobs; k++)
        rows = ml->jobs[k].n_rows > rows ? ml->jobs[k].n_rows : rows;
    return rows;
}
static int64_t job_worst(const map_layer *ml, int rows) { return (int64_t)rows * (((int64_t)1 << ml->op.bits) - 1); }
static int64_t acc_worst(const map_layer *ml) { return job_worst(ml, acc_worst_rows(ml)); }
/* The largest worst case an ACC_W-bit signed accumulator takes: 2^(ACC_W-1)
 * - 2, so that a threshold clamped to worst + 1 (clamp_thr) fits too. */
static int64_t acc_limit(const dut_geom *g) { return ((int64_t)1 << (g->acc_w - 1)) - 2; }
/* A threshold beyond the job's reachable sums decides the same when
 * clamped to them (dot >= T for every dot or for none), and then fits the
 * ACC_W-bit threshold register whatever the model's value. */
static int32_t clamp_thr(int32_t thr, int64_t worst)
{
    return thr > worst + 1 ? (int32_t)(worst + 1) : thr < -worst ? (int32_t)-worst : thr;
}

/* The context without its maps: options, geometry, the array shadows, the
 * host models. NULL on error (err filled). */
static tb_ctx *ctx_new(cim_dut *dut, const bnn_model *m, const tb_opts *o, bnn_error *err)
{
    tb_ctx *t = calloc(1, sizeof *t);
    if (!t) {
        fill_err(err, "testbench: out of memory");
        return NULL;
    }
    t->dut = dut;
    t->m = m;
    t->o = *o;
    if (!t->o.log)
        t->o.log = stderr;
    if (t->o.watchdog <= 0)
        t->o.watchdog = 64;
    t->is = o->stationary == MAP_INPUT_STATIONARY;
    if (t->is)
        t->o.check_px = 1; /* an input-stationary run checks P and X of every COMPUTE */
    t->g = *dut_geometry(dut);
    t->compare = 1;
    if (t->g.cols > DUT_MAX_COLS || t->g.rows % 64 || t->g.acc_w < 2 || t->g.acc_w > 32) {
        fill_err(err, "testbench: geometry not supported (columns <= 256, rows a multiple of 64, ACC_W 2..32)");
        free(t);
        return NULL;
    }
    t->col_words = (t->g.cols + 63) / 64;
    dut_reset(dut); /* the host's array models start from the reset state too */
    t->maps = calloc((size_t)m->n_layers * 2, sizeof *t->maps);
    t->ls = calloc((size_t)m->n_layers, sizeof *t->ls);
    t->view = calloc((size_t)m->n_layers, sizeof *t->view);
    t->rtl_out = calloc((size_t)m->n_layers + 1, sizeof *t->rtl_out);
    t->shadow = calloc((size_t)t->g.rows * (size_t)t->col_words, sizeof *t->shadow);
    t->shadow_ok = calloc((size_t)t->g.rows, 1);
    t->rshadow = calloc((size_t)t->g.rows * (size_t)t->col_words, sizeof *t->rshadow);
    t->rshadow_ok = calloc((size_t)t->g.rows, 1);
    t->rw = t->g.rows / 64;
    t->wl = calloc((size_t)t->rw, sizeof *t->wl);
    t->hp = calloc((size_t)t->g.cols, sizeof *t->hp);
    t->pend.p = calloc((size_t)t->g.cols, sizeof *t->pend.p);
    if (!t->maps || !t->ls || !t->view || !t->rtl_out || !t->shadow || !t->shadow_ok || !t->rshadow ||
        !t->rshadow_ok || !t->wl || !t->hp || !t->pend.p) {
        fill_err(err, "testbench: out of memory");
        tb_free(t);
        return NULL;
    }
    if (!(t->act = tb_act_new(dut, o->gate, err))) {
        tb_free(t);
        return NULL;
    }
    return t;
}

/* What the per-part buffers must hold, over every mapped part (tb_new). */
typedef struct buf_need {
    size_t dots, part, cyc, n;  /* out_c x pixels; x row tiles; jobs x steps; inputs or outputs of a dot */
    int bits;                   /* bit planes */
} buf_need;

/* Refuses a part whose worst-case sum does not fit the accumulator: 0, or
 * -1 with err filled (naming the ACC_W it needs). */
static int check_acc(const tb_ctx *t, const bnn_layer *l, const map_layer *ml, bnn_error *err)
{
    if (ml->op.bits > 16 || acc_worst(ml) <= acc_limit(&t->g))
        return 0;
    int need = 2;
    while ((((int64_t)1 << (need - 1)) - 2) < acc_worst(ml))
        need++;
    snprintf(err->msg, sizeof err->msg,
             "testbench: layer %s: worst-case accumulator sum +-%lld (%d rows x (2^%d - 1)) does not fit "
             "the %d-bit accumulator (ACC_W) of geometry %dx%dx%d: it needs ACC_W >= %d",
             l->name, (long long)acc_worst(ml), acc_worst_rows(ml), ml->op.bits, t->g.acc_w, t->g.rows, t->g.cols,
             t->g.seg_rows, need);
    return -1;
}

/* Maps part `part` of layer i into t->maps[2 * i + slot]; adds its tiles
 * and MACs to the layer's statistics and its sizes to *need. 0 or -1. */
static int map_one_part(tb_ctx *t, int i, map_part part, int slot, buf_need *need, bnn_error *err)
{
    const bnn_layer *l = &t->m->layers[i];
    map_op op;
    if (map_op_of(l, part, &op)) {
        snprintf(err->msg, sizeof err->msg, "testbench: layer %s: no array mapping", l->name);
        return -1;
    }
    map_cfg cfg = {t->g.rows, t->g.cols, t->g.seg_rows, t->o.layout, NULL, 0};
    cfg.perm = (part == MAP_CONV && t->o.perm) ? t->o.perm[i] : NULL;
    if (t->is ? map_layer_build_is(&op, &cfg, t->g.col_group, &t->maps[2 * i + slot], err)
              : map_layer_build(&op, &cfg, &t->maps[2 * i + slot], err))
        return -1;
    const map_layer *ml = t->maps[2 * i + slot];
    if (check_acc(t, l, ml, err))
        return -1;
    tb_layer_stats *s = &t->ls[i];
    size_t px = (size_t)map_pixels(&op), oc = (size_t)op.out_c;
    s->tiles += ml->n_jobs;
    s->macs += (uint64_t)op.rows * oc * px * (uint64_t)op.bits; /* copies counted (bnn_model_macs) */
    need->dots = oc * px > need->dots ? oc * px : need->dots;
    need->part = (size_t)ml->n_row_tiles * oc * px > need->part ? (size_t)ml->n_row_tiles * oc * px : need->part;
    need->cyc = (size_t)ml->n_jobs * (size_t)ml->n_steps > need->cyc ? (size_t)ml->n_jobs * (size_t)ml->n_steps
                                                                       : need->cyc;
    need->n = (size_t)op.n > need->n ? (size_t)op.n : need->n;
    need->bits = op.bits > need->bits ? op.bits : need->bits;
    need->n = oc > need->n ? oc : need->n;
    return 0;
}

/* Maps layer i: its name and shape (" IS" appended input-stationary), its
 * parts, the tensor of its RTL outputs. An input-stationary run maps only
 * the binary convs (map_is_layer), without outputs. 0 or -1. */
static int map_one_layer(tb_ctx *t, int i, buf_need *need, bnn_error *err)
{
    const bnn_layer *l = &t->m->layers[i];
    if (t->is && !map_is_layer(l))
        return 0;
    tb_layer_stats *s = &t->ls[i];
    snprintf(s->name, sizeof s->name, "%s", l->name);
    layer_shape(l, s->shape, sizeof s->shape);
    if (t->is) {
        size_t n = strlen(s->shape);
        snprintf(s->shape + n, sizeof s->shape - n, " IS");
    }
    map_part first = l->type == BNN_CONV ? MAP_CONV : l->type == BNN_SE ? MAP_FC1 : MAP_CLS;
    if (map_one_part(t, i, first, 0, need, err) || (l->type == BNN_SE && map_one_part(t, i, MAP_FC2, 1, need, err)))
        return -1;
    if (l->type == BNN_CLASSIFIER || t->is)
        return 0;
    int c = l->type == BNN_CONV ? l->u.conv.out_c : l->u.se.c;
    int h = l->type == BNN_CONV ? l->u.conv.out_h : l->u.se.h;
    int w = l->type == BNN_CONV ? l->u.conv.out_w : l->u.se.w;
    if (!(t->rtl_out[i + 1] = bnn_tensor_new(c, h, w, 1))) {
        fill_err(err, "testbench: out of memory");
        return -1;
    }
    return 0;
}

/* The per-part buffers, as large as *need says. 0 or -1 (err filled). */
static int alloc_bufs(tb_ctx *t, const buf_need *need, bnn_error *err)
{
    if (need->bits > 16) {
        snprintf(err->msg, sizeof err->msg, "testbench: %d bit planes (the macro weighs at most 16)", need->bits);
        return -1;
    }
    t->pb.dots = calloc(need->dots, sizeof *t->pb.dots);
    t->pb.part = calloc(need->part, sizeof *t->pb.part);
    t->pb.cyc = calloc(need->cyc, sizeof *t->pb.cyc);
    t->pb.bin = calloc(need->dots, sizeof *t->pb.bin);
    t->vec = calloc(need->n, sizeof *t->vec);
    t->hbits = calloc(need->n, sizeof *t->hbits);
    t->gates = calloc(need->n, sizeof *t->gates);
    t->dots2 = calloc(need->n, sizeof *t->dots2);
    t->live = calloc(need->n, sizeof *t->live);
    t->key = calloc(need->n, sizeof *t->key);
    t->planes = calloc((size_t)need->bits * (size_t)t->rw, sizeof *t->planes);
    if (!t->planes || !t->pb.dots || !t->pb.part || !t->pb.cyc || !t->pb.bin || !t->vec || !t->hbits || !t->gates ||
        !t->dots2 || !t->live || !t->key) {
        fill_err(err, "testbench: out of memory");
        return -1;
    }
    return 0;
}

tb_ctx *tb_new(cim_dut *dut, const bnn_model *m, const tb_opts *o, bnn_error *err)
{
    tb_ctx *t = ctx_new(dut, m, o, err);
    if (!t)
        return NULL;
    buf_need need = {1, 1, 1, 1, 1};
    for (int i = 0; i < m->n_layers; i++)
        if (map_one_layer(t, i, &need, err)) {
            tb_free(t);
            return NULL;
        }
    if (alloc_bufs(t, &need, err)) {
        tb_free(t);
        return NULL;
    }
    return t;
}

const tb_layer_stats *tb_stats(const tb_ctx *t, int *n_layers)
{
    int n = 0;
    for (int i = 0; i < t->m->n_layers; i++)
        if (t->maps[2 * i])
            t->view[n++] = t->ls[i];
    *n_layers = n;
    return t->view;
}

void tb_layer_stats_clear(tb_layer_stats *ls, int n)
{
    for (int i = 0; i < n; i++) {
        tb_layer_stats keep = {.tiles = ls[i].tiles, .macs = ls[i].macs};
        memcpy(keep.name, ls[i].name, sizeof keep.name);
        memcpy(keep.shape, ls[i].shape, sizeof keep.shape);
        ls[i] = keep;
    }
}

void tb_stats_clear(tb_ctx *t)
{
    tb_layer_stats_clear(t->ls, t->m->n_layers);
    t->mismatches = 0;
}

uint64_t tb_state_hash(const tb_ctx *t)
{
    if (t->is) /* its tiles are written whole: what the array held before does not matter */
        return tb_act_state_hash(t->act, AMODEL_HASH_INIT);
    size_t n = (size_t)t->g.rows * (size_t)t->col_words * sizeof *t->shadow;
    uint64_t h = tb_act_state_hash(t->act, AMODEL_HASH_INIT);
    h = amodel_hash_bytes(h, t->shadow, n);
    h = amodel_hash_bytes(h, t->shadow_ok, (size_t)t->g.rows);
    h = amodel_hash_bytes(h, t->rshadow, n);
    return amodel_hash_bytes(h, t->rshadow_ok, (size_t)t->g.rows);
}

uint64_t tb_mismatches(const tb_ctx *t) { return t->mismatches; }
cim_dut *tb_dut(const tb_ctx *t) { return t->dut; }

/* Records and prints (up to max_print) one mismatch. rt/ct < 0: not tied to a tile. */
static void report(tb_ctx *t, int li, const char *what, int rt, int ct, int pixel, int col, long expected, long got,
                   uint64_t cycle)
{
    if (!t->compare)
        return;
    t->mismatches++;
    t->img_mismatches++;
    t->ls[li].mismatches++;
    if (t->printed < t->o.max_print) {
        /* r* / c*: not tied to one row / column tile (e.g. a summed dot whose
         * tiles each agree with the host: the golden value itself differs) */
        char tile[32], r[12] = "*", c[12] = "*";
        if (rt >= 0)
            snprintf(r, sizeof r, "%d", rt);
        if (ct >= 0)
            snprintf(c, sizeof c, "%d", ct);
        snprintf(tile, sizeof tile, "r%s/c%s", r, c);
        fprintf(t->o.log,
                "mismatch: image %d layer %s %s tile %s pixel %d column %d: expected %ld, got %ld (cycle %llu)\n",
                t->image, t->m->layers[li].name, what, tile, pixel, col, expected, got, (unsigned long long)cycle);
    } else if (t->printed == t->o.max_print) {
        fprintf(t->o.log, "mismatch: more mismatches are counted, not printed (--max-mismatch %d)\n",
                t->o.max_print);
    }
    t->printed++;
}

/* Steps one cycle with the job's static configuration; the models follow. */
static void step(tb_ctx *t, int op, int addr, const uint64_t *wdata, const uint64_t *in, int first, int last,
                 int plane, int32_t thr, int ncols, int nrows, unsigned want)
{
    dut_in c = {.op = op, .addr = addr, .wdata = wdata, .in = in, .first = first, .last = last, .plane = plane,
                .thr = thr, .gate = t->o.gate, .unit_log2 = t->o.unit_log2, .ncols = ncols, .nrows = nrows,
                .cnt_sel = 0};
    dut_step(t->dut, &c, &t->out, want);
    if (t->exp_only)
        tb_act_step_exp(t->act, &c);
    else
        tb_act_step(t->act, &c);
}

/* One operation of the references only (their own work, see tb_act_ref). */
static void ref_op(tb_ctx *t, int op, int addr, const uint64_t *wdata, const uint64_t *in, int ncols, int nrows)
{
    dut_in c = {.op = op, .addr = addr, .wdata = wdata, .in = in, .gate = DUT_GATE_NONE, .unit_log2 = t->o.unit_log2,
                .ncols = ncols, .nrows = nrows};
    tb_act_ref(t->act, &c);
}

/* A plane the gated run does not issue: the reference models still spend
 * the cycle a --no-gating run would. */
static void skipped_plane(tb_ctx *t, const uint64_t *in, int ncols, int nrows)
{
    if (t->exp_only)
        return;
    dut_in c = {.op = DUT_COMPUTE, .in = in, .gate = DUT_GATE_NONE, .unit_log2 = t->o.unit_log2, .ncols = ncols,
                .nrows = nrows};
    tb_act_skipped(t->act, &c);
}

/* 1 when row r of the array (shadow sh/ok) must be written to hold `row`;
 * the shadow then holds it. */
static int needs_write(const tb_ctx *t, uint64_t *sh, uint8_t *ok, int r, const uint64_t *row)
{
    size_t cw = (size_t)t->col_words;
    if (!t->o.rewrite_all && ok[r] && !memcmp(sh + (size_t)r * cw, row, cw * sizeof *row))
        return 0;
    memcpy(sh + (size_t)r * cw, row, cw * sizeof *row);
    ok[r] = 1;
    return 1;
}

/* Writes the job's weight tile (skipping rows the array already holds).
 * The references' array is followed apart (its shadow): with the channel
 * skip the two arrays hold different rows. Under exp_only the references
 * are not given this job at all (ref_load_weights gives them theirs). */
static void load_weights(tb_ctx *t, const map_job *j)
{
    for (int r = 0; r < j->n_rows; r++) {
        const uint64_t *row = j->wrows + (size_t)r * (size_t)j->col_words;
        int run = needs_write(t, t->shadow, t->shadow_ok, r, row);
        int ref = !t->exp_only && needs_write(t, t->rshadow, t->rshadow_ok, r, row);
        if (run) {
            int eo = t->exp_only;
            t->exp_only = !ref;
            step(t, DUT_WRITE, r, row, NULL, 0, 0, 0, 0, j->n_cols, j->n_rows, 0);
            t->exp_only = eo;
        } else if (ref) {
            ref_op(t, DUT_WRITE, r, row, NULL, j->n_cols, j->n_rows);
        }
    }
}

static void ref_load_weights(tb_ctx *t, const map_job *j)
{
    for (int r = 0; r < j->n_rows; r++) {
        const uint64_t *row = j->wrows + (size_t)r * (size_t)j->col_words;
        if (needs_write(t, t->rshadow, t->rshadow_ok, r, row))
            ref_op(t, DUT_WRITE, r, row, NULL, j->n_cols, j->n_rows);
    }
}

/* Writes an input-stationary job's cells (map.h): every row (they hold
 * this image's activations), with the control fields low as a golden job
 * writes them (tb_golden.h); then, with gating and unless no_zero_flags,
 * its stored-zero flags, one SET_ZF per mapped segment, given to the run's
 * model only (the references are a --no-gating run, which writes none). */
static void load_cells(tb_ctx *t, const map_job *j)
{
    for (int r = 0; r < j->n_rows; r++) {
        dut_in c = {.op = DUT_WRITE, .addr = r, .wdata = j->wrows + (size_t)r * (size_t)j->col_words,
                    .ncols = j->n_cols, .nrows = j->n_rows};
        dut_step(t->dut, &c, NULL, 0);
        tb_act_step(t->act, &c);
    }
    for (int s = 0; t->o.gate != DUT_GATE_NONE && !t->o.no_zero_flags && s < j->n_zf; s++) {
        dut_in z = {.op = DUT_SET_ZF, .addr = s, .wdata = j->zflags + (size_t)s * (size_t)j->col_words,
                    .ncols = j->n_cols, .nrows = j->n_rows};
        dut_step(t->dut, &z, NULL, 0);
        tb_act_step_exp(t->act, &z);
    }
}

/* The host's expected dot part of one job, column c at step s. */
static int32_t host_partial(tb_ctx *t, const map_layer *ml, const map_job *j, const bnn_tensor *in,
                            const uint16_t *vec, int s, int c)
{
    int32_t acc = 0;
    int x;
    for (int k = 0; k < ml->op.bits; k++) {
        map_job_input(ml, j, in, vec, s, k, t->wl);
        map_job_px(ml, j, t->wl, t->hp, &x);
        acc = 2 * acc + 2 * t->hp[c] - x;
    }
    return map_dot_part(ml, j, s, c, acc);
}

/* The pixel and the output channel a message names for column c (-1: the
 * whole step) at step s of job j. */
static void result_coords(const map_layer *ml, const map_job *j, int s, int c, int *pixel, int *chan)
{
    if (ml->stationary == MAP_INPUT_STATIONARY) {
        *pixel = c < 0 ? -1 : j->col0 + c;
        *chan = j->out0 + s;
    } else {
        *pixel = s;
        *chan = c < 0 ? -1 : j->col0 + c;
    }
}

/* Records the result of a step's last plane from t->out. */
static void take_result(tb_ctx *t, int rtl_thr_ok, const bnn_thresh *th)
{
    const map_layer *ml = t->cur_ml;
    const map_job *j = &ml->jobs[t->pend.job];
    size_t plane = (size_t)ml->op.out_c * (size_t)map_pixels(&ml->op);
    int32_t *part = t->pb.part + (size_t)j->row_tile * plane;
    t->pb.cyc[(size_t)t->pend.job * (size_t)ml->n_steps + (size_t)t->pend.step] = dut_cycles(t->dut);
    for (int c = 0; c < j->n_cols; c++) {
        size_t at = map_result_at(ml, j, t->pend.step, c);
        part[at] = map_dot_part(ml, j, t->pend.step, c, t->out.acc[c]);
        if (rtl_thr_ok && !th->neg[j->col0 + c])
            t->pb.bin[at] = (int8_t)((t->out.bin[c >> 6] >> (c & 63)) & 1u);
    }
}

/*
 * After a step: the outputs now show the COMPUTE issued one step before
 * (t->pend). Checks P/X (check_px) and takes a last plane's accumulators;
 * waits up to the watchdog for a late acc_valid. Returns -1 on a stop.
 */
static int capture(tb_ctx *t, int rtl_thr_ok, const bnn_thresh *th, bnn_error *err)
{
    if (!t->pend.valid)
        return 0;
    const map_job *j = &t->cur_ml->jobs[t->pend.job];
    int li = t->cur_li, pixel, chan;
    t->pend.valid = 0;
    if (t->o.check_px) {
        uint64_t cyc = dut_cycles(t->dut);
        result_coords(t->cur_ml, j, t->pend.step, -1, &pixel, &chan);
        if (!t->out.cmp_valid)
            report(t, li, "cmp_valid", j->row_tile, j->col_tile, pixel, chan, 1, 0, cyc);
        if (t->out.x != t->pend.x)
            report(t, li, "X", j->row_tile, j->col_tile, pixel, chan, t->pend.x, t->out.x, cyc);
        for (int c = 0; c < j->n_cols; c++)
            if (t->out.p[c] != t->pend.p[c]) {
                result_coords(t->cur_ml, j, t->pend.step, c, &pixel, &chan);
                report(t, li, "P", j->row_tile, j->col_tile, pixel, chan, t->pend.p[c], t->out.p[c], cyc);
            }
    }
    if (!t->pend.last)
        return 0;
    for (int i = 0; !t->out.acc_valid && i < t->o.watchdog; i++)
        step(t, DUT_NOP, 0, NULL, NULL, 0, 0, 0, 0, j->n_cols, j->n_rows, DUT_OUT_ACC | DUT_OUT_BIN);
    if (!t->out.acc_valid) {
        result_coords(t->cur_ml, j, t->pend.step, -1, &pixel, &chan);
        snprintf(err->msg, sizeof err->msg,
                 "watchdog: image %d layer %s tile r%d/c%d %s %d: no acc_valid within %d cycles of the last "
                 "plane (cycle %llu)",
                 t->image, t->m->layers[li].name, j->row_tile, j->col_tile, t->is ? "output" : "pixel",
                 t->is ? chan : pixel, t->o.watchdog, (unsigned long long)dut_cycles(t->dut));
        return -1;
    }
    take_result(t, rtl_thr_ok, th);
    return 0;
}

/* Streams the planes of step p of job ji (a pixel; input-stationary an
 * output), the issued ones back to back. With gating all-zero planes are
 * skipped, unless no_skip (which run refuses for input-stationary runs:
 * they skip them always). */
static int run_step(tb_ctx *t, const map_layer *ml, int ji, int p, const bnn_tensor *in, const uint16_t *vec,
                    int rtl_thr_ok, const bnn_thresh *th, bnn_error *err)
{
    const map_job *j = &ml->jobs[ji];
    const int bits = ml->op.bits, skip = t->o.gate != DUT_GATE_NONE && !t->o.no_skip;
    for (int k = 0; k < bits; k++)
        map_job_input(ml, j, in, vec, p, k, t->planes + (size_t)k * (size_t)t->rw);
    int first_k, last_k;
    unsigned issued = tb_issued_planes(t->planes, bits, t->rw, skip, &first_k, &last_k);
    for (int k = 0; k < bits; k++) {
        const uint64_t *w = t->planes + (size_t)k * (size_t)t->rw;
        if (!(issued >> k & 1u)) {
            t->ls[t->cur_li].planes_skipped++;
            skipped_plane(t, w, j->n_cols, j->n_rows);
            continue;
        }
        int last = k == last_k;
        unsigned want = DUT_OUT_ACC | DUT_OUT_BIN | (t->o.check_px ? DUT_OUT_P : 0u);
        step(t, DUT_COMPUTE, 0, NULL, w, k == first_k, last, bits - 1 - k, 0, j->n_cols, j->n_rows, want);
        if (capture(t, rtl_thr_ok, th, err))
            return -1;
        t->pend.valid = 1;
        t->pend.last = last;
        t->pend.job = ji;
        t->pend.step = p;
        if (t->o.check_px)
            map_job_px(ml, j, w, t->pend.p, &t->pend.x);
    }
    if (first_k < 0) {
        /* every plane zero: the accumulator would be 0, nothing was issued */
        size_t plane = (size_t)ml->op.out_c * (size_t)map_pixels(&ml->op);
        for (int c = 0; c < j->n_cols; c++)
            t->pb.part[(size_t)j->row_tile * plane + map_result_at(ml, j, p, c)] = map_dot_part(ml, j, p, c, 0);
        t->pb.cyc[(size_t)ji * (size_t)ml->n_steps + (size_t)p] = dut_cycles(t->dut);
    }
    return 0;
}

/* 1 when the RTL threshold unit thresholds this part (docs/SPEC.md §5: one
 * row tile, a plain threshold pair). */
static int rtl_thresholds(const map_layer *ml, const bnn_thresh *th)
{
    return ml->n_row_tiles == 1 && th && th->pairs == 1;
}

/*
 * Streams one layer part (its map ml) through the macro: per job, weights
 * (input-stationary: the cells and flags), thresholds (th, columns that may
 * use the RTL's), then every step's planes, then one NOP that drains the
 * last result. Fills t->pb. Returns -1 on a watchdog stop.
 */
static int run_part(tb_ctx *t, int li, const map_layer *ml, const bnn_thresh *th, const bnn_tensor *in,
                    const uint16_t *vec, bnn_error *err)
{
    const map_op *op = &ml->op;
    int steps = ml->n_steps, oc = op->out_c;
    size_t plane = (size_t)oc * (size_t)map_pixels(op);
    int rtl_thr_ok = rtl_thresholds(ml, th);
    memset(t->pb.bin, -1, plane);
    t->cur_ml = ml;
    t->cur_li = li;
    t->pend.valid = 0;
    if (t->compare) /* jobs_run: the jobs of this image's mapping */
        t->ls[li].jobs_run += (uint64_t)ml->n_jobs;
    for (int ji = 0; ji < ml->n_jobs; ji++) {
        const map_job *j = &ml->jobs[ji];
        if (t->is)
            load_cells(t, j);
        else
            load_weights(t, j);
        if (rtl_thr_ok)
            for (int c = 0; c < j->n_cols; c++)
                if (!th->neg[j->col0 + c])
                    step(t, DUT_SET_THR, c, NULL, NULL, 0, 0, 0, clamp_thr(th->t[j->col0 + c], job_worst(ml, j->n_rows)),
                         j->n_cols, j->n_rows, 0);
        for (int p = 0; p < steps; p++)
            if (run_step(t, ml, ji, p, in, vec, rtl_thr_ok, th, err))
                return -1;
        /* drain: the last result appears after one more cycle (a run that
         * issued nothing in this job has nothing to drain; the references,
         * which issue every plane, still spend the cycle) */
        if (t->pend.valid) {
            step(t, DUT_NOP, 0, NULL, NULL, 0, 0, 0, 0, j->n_cols, j->n_rows,
                 DUT_OUT_ACC | DUT_OUT_BIN | (t->o.check_px ? DUT_OUT_P : 0u));
            if (capture(t, rtl_thr_ok, th, err))
                return -1;
        } else if (steps > 0 && !t->exp_only) {
            tb_act_ref_nop(t->act, j->n_cols, j->n_rows);
        }
    }
    for (size_t i = 0; i < plane; i++) {
        int32_t s = 0;
        for (int rt = 0; rt < ml->n_row_tiles; rt++)
            s += t->pb.part[(size_t)rt * plane + i];
        t->pb.dots[i] = s;
    }
    return 0;
}

/*
 * The references' own work for a layer part the run did differently (the
 * channel skip): what a run without the skip issues with gating off, job by
 * job: weights, thresholds, every plane of every pixel, the drain NOP.
 */
static void ref_part(tb_ctx *t, const map_layer *ml, const bnn_thresh *th, const bnn_tensor *in, const uint16_t *vec)
{
    int pixels = map_pixels(&ml->op);
    int rtl_thr_ok = rtl_thresholds(ml, th);
    for (int ji = 0; ji < ml->n_jobs; ji++) {
        const map_job *j = &ml->jobs[ji];
        ref_load_weights(t, j);
        if (rtl_thr_ok)
            for (int c = 0; c < j->n_cols; c++)
                if (!th->neg[j->col0 + c])
                    ref_op(t, DUT_SET_THR, c, NULL, NULL, j->n_cols, j->n_rows);
        for (int p = 0; p < pixels; p++)
            for (int k = 0; k < ml->op.bits; k++) {
                map_job_input(ml, j, in, vec, p, k, t->wl);
                ref_op(t, DUT_COMPUTE, 0, NULL, t->wl, j->n_cols, j->n_rows);
            }
        if (pixels > 0)
            ref_op(t, DUT_NOP, 0, NULL, NULL, j->n_cols, j->n_rows);
    }
}

/* Sorts channels ch[0..n-1] by key[ch] ascending, ties in their order (insertion sort: n <= a few hundred). */
static void sort_by_key(int *ch, int n, const int *key)
{
    for (int i = 1; i < n; i++) {
        int c = ch[i], j = i;
        for (; j > 0 && key[ch[j - 1]] > key[c]; j--)
            ch[j] = ch[j - 1];
        ch[j] = c;
    }
}

/*
 * The map layer li runs with in this pass: its static map, or for a layer
 * right after an SE, this image's map: under the channel skip only the
 * channels the SE left on; under the dynamic move the channels ordered by
 * the ones each carries into the layer (the SE's squeeze count q, 0 for a
 * zeroed channel; sparsest first), so that sparse channels share segments;
 * otherwise in the static map's order. The gates and counts are the
 * reference's while comparing (each layer gets reference inputs), the
 * RTL's own in the chained re-run. Returns NULL on error (err filled).
 */
/* 1 when layer li's input is an SE output (a binary CONV or the classifier right after an SE). */
static int after_se(const bnn_model *m, int li)
{
    const bnn_layer *l = &m->layers[li];
    return li > 0 && m->layers[li - 1].type == BNN_SE &&
           ((l->type == BNN_CONV && l->u.conv.in_bits == 1) || l->type == BNN_CLASSIFIER);
}

/* The channels of this image's map of layer li into t->live (static order;
 * only the live ones under the skip; sorted by the ones they carry under the
 * move). Returns their number. */
static int image_channels(tb_ctx *t, const map_layer *full, const bnn_trace *ref, int chained, int li)
{
    const int kk = full->op.k_h * full->op.k_w;
    int live = 0;
    /* every channel once, in its static order: the first in_c channel
     * entries (multiplicities: the copies follow them, map.h) */
    for (int p = 0, seen = 0; p < full->n_pos && seen < full->op.in_c; p++) {
        int e = full->order[p];
        if (e < 0 || e % kk)
            continue; /* one entry per channel: its first tap */
        int c = e / kk;
        seen++;
        int on = chained ? t->gates[c] : ref->se_g[li - 1][c] != 0;
        t->key[c] = on ? (chained ? (int)t->vec[c] : ref->se_q[li - 1][c]) : 0;
        if (on || !t->o.skip_channels)
            t->live[live++] = c;
    }
    if (t->o.dynamic_move)
        sort_by_key(t->live, live, t->key);
    return live;
}

/* Builds t->dyn: full's layer with channels t->live[0..live-1] (none: an
 * empty map, no rows and no jobs, whose dots are 0). 0 or -1. */
static int build_image_map(tb_ctx *t, const map_layer *full, int live, bnn_error *err)
{
    map_cfg cfg = full->cfg;
    cfg.perm = live ? t->live : NULL;
    cfg.n_perm = live;
    map_op op = full->op;
    if (!live)
        op.in_c = op.n = op.rows = 0;
    map_layer_free(t->dyn);
    t->dyn = NULL;
    if (map_layer_build(&op, &cfg, &t->dyn, err))
        return -1;
    t->dyn->op = full->op;
    return 0;
}

static const map_layer *layer_map(tb_ctx *t, const bnn_trace *ref, int chain_from, int li, bnn_error *err)
{
    const map_layer *full = t->maps[2 * li];
    if (!after_se(t->m, li))
        return full;
    const int n_ch = full->op.in_c;
    tb_layer_stats *s = &t->ls[li];
    if (t->compare) {
        s->ch_total += (uint64_t)n_ch;
        for (int c = 0; c < n_ch; c++)
            s->ch_zeroed += ref->se_g[li - 1][c] == 0;
    }
    /* a grouped layer is mapped statically (docs/SPEC.md section 5): its
     * groups are jobs of their own, and a zeroed channel's all-zero planes
     * are not issued anyway when gating is on */
    if ((!t->o.skip_channels && !t->o.dynamic_move) || full->op.groups > 1)
        return full;
    int live = image_channels(t, full, ref, chain_from >= 0 && li > chain_from, li);
    if (build_image_map(t, full, live, err))
        return NULL;
    if (t->compare) {
        /* the gather's table per job: the live mask (1 bit per channel) under
         * the skip, the channel order (bitlen(in_c - 1) bits per mapped
         * channel) under the move */
        int ibits = 1;
        while ((1 << ibits) < n_ch)
            ibits++;
        uint64_t per_job = (t->o.skip_channels ? (uint64_t)n_ch : 0) +
                           (t->o.dynamic_move ? (uint64_t)live * (uint64_t)ibits : 0);
        s->ch_skipped += (uint64_t)(n_ch - live);
        s->index_bits += per_job * (uint64_t)t->dyn->n_jobs;
    }
    return t->dyn;
}

/* Compares the part's dots with the reference; localizes each mismatch to its row tile. */
static void compare_dots(tb_ctx *t, int li, const char *what, const map_layer *ml, const bnn_tensor *in,
                         const uint16_t *vec, const int32_t *expect)
{
    if (!t->compare || !expect)
        return;
    int pixels = map_pixels(&ml->op), oc = ml->op.out_c, s, c;
    size_t plane = (size_t)oc * (size_t)pixels;
    for (int o = 0; o < oc; o++)
        for (int p = 0; p < pixels; p++) {
            size_t at = (size_t)o * (size_t)pixels + (size_t)p;
            if (t->pb.dots[at] == expect[at])
                continue;
            if (!ml->n_jobs) { /* an empty map (every channel skipped): no tile to name */
                report(t, li, what, -1, map_col_tile(ml, o), p, o, expect[at], t->pb.dots[at], dut_cycles(t->dut));
                continue;
            }
            int rt_bad = -1;
            for (int rt = 0; rt < ml->n_row_tiles && rt_bad < 0; rt++) {
                const map_job *j = &ml->jobs[map_result_job(ml, rt, o, p, &s, &c)];
                if (host_partial(t, ml, j, in, vec, s, c) != t->pb.part[(size_t)rt * plane + at])
                    rt_bad = rt;
            }
            int ji = map_result_job(ml, rt_bad < 0 ? 0 : rt_bad, o, p, &s, &c);
            uint64_t cyc = t->pb.cyc[(size_t)ji * (size_t)ml->n_steps + (size_t)s];
            report(t, li, what, rt_bad, ml->jobs[ji].col_tile, p, o, expect[at], t->pb.dots[at], cyc);
        }
}

/* The output bit of channel o, pixel index at: the RTL's threshold bit when
 * it made one (checked against the host's), else the host's. */
static int out_bit(tb_ctx *t, int li, const bnn_thresh *th, int o, size_t at, int pixel, int x_sc)
{
    int host = bnn_thresh_apply(th, o, t->pb.dots[at], x_sc);
    int8_t rtl = t->pb.bin[at];
    if (rtl >= 0 && rtl != host)
        report(t, li, "threshold unit", 0, o / t->g.cols, pixel, o, host, rtl, dut_cycles(t->dut));
    return rtl >= 0 ? rtl : host;
}

/* The input tensor of layer i in this pass (see tb_run_image). */
static const bnn_tensor *act_of(const tb_ctx *t, const bnn_trace *ref, int chain_from, int i)
{
    return (chain_from >= 0 && i > chain_from) ? t->rtl_out[i] : ref->act[i];
}

/* run_part with map ml; when ml is not the layer's static map (the channel
 * skip), the references are given the static map's work instead. */
static int run_part_as(tb_ctx *t, int li, const map_layer *ml, const bnn_thresh *th, const bnn_tensor *in,
                       const uint16_t *vec, bnn_error *err)
{
    const map_layer *full = t->maps[2 * li];
    t->exp_only = ml != full;
    int rc = run_part(t, li, ml, th, in, vec, err);
    t->exp_only = 0;
    if (!rc && ml != full)
        ref_part(t, full, th, in, vec);
    return rc;
}

/* A conv's output bits from its dots (and the shortcut's bit), into the
 * RTL's output tensor: 1 when one differs from the reference's, else 0. */
static int conv_outputs(tb_ctx *t, const bnn_trace *ref, int chain_from, int li)
{
    const bnn_conv *cv = &t->m->layers[li].u.conv;
    const bnn_tensor *sc = cv->shortcut >= 0 ? act_of(t, ref, chain_from, cv->shortcut) : NULL;
    int pixels = cv->out_h * cv->out_w, sstride = sc ? (sc->h + cv->out_h - 1) / cv->out_h : 1, differs = 0;
    bnn_tensor *out = t->rtl_out[li + 1];
    for (int o = 0; o < cv->out_c; o++)
        for (int p = 0; p < pixels; p++) {
            int y = p / cv->out_w, x = p % cv->out_w;
            int xs = (sc && o < sc->c) ? bnn_at(sc, o, y * sstride, x * sstride) & 1 : 0;
            size_t at = (size_t)o * (size_t)pixels + (size_t)p;
            int bit = out_bit(t, li, &cv->th, o, at, p, xs);
            out->v[at] = (uint16_t)bit;
            int want = bnn_at(ref->act[li + 1], o, y, x);
            if (bit != want) {
                differs = 1;
                report(t, li, "conv output", -1, o / t->g.cols, p, o, want, bit, dut_cycles(t->dut));
            }
        }
    return differs;
}

/* A weight-stationary conv with map ml on input in: 1 when its output
 * differs from the reference's, 0 if equal, -1 on error. */
static int run_conv(tb_ctx *t, const bnn_trace *ref, int chain_from, int li, const map_layer *ml,
                    const bnn_tensor *in, bnn_error *err)
{
    if (run_part_as(t, li, ml, &t->m->layers[li].u.conv.th, in, NULL, err))
        return -1;
    compare_dots(t, li, "conv dot", ml, in, NULL, ref->dot[li]);
    return conv_outputs(t, ref, chain_from, li);
}

/* An input-stationary conv (map.h): the image's activations into the
 * jobs' cells, the jobs run, the dots rebuilt from the accumulators
 * compared with the reference's. No output bits (the next layer takes the
 * reference's input): 0, or -1 on error. */
static int run_conv_is(tb_ctx *t, const bnn_trace *ref, int li, bnn_error *err)
{
    map_layer *ml = t->maps[2 * li];
    map_layer_set_input(ml, ref->act[li]);
    if (run_part(t, li, ml, NULL, ref->act[li], NULL, err))
        return -1;
    compare_dots(t, li, "conv dot", ml, ref->act[li], NULL, ref->dot[li]);
    return 0;
}

/* One FC half of an SE block with map ml and thresholds th on the n-entry
 * input in (fc1: the squeeze counts; fc2: the hidden bits): its dots
 * compared with ref_dot, its n output bits into bits, each compared with
 * ref_bit (reported as what_bit). 0, or -1 on error. */
static int se_fc(tb_ctx *t, int li, const map_layer *ml, const bnn_thresh *th, const uint16_t *in, int n,
                 const int32_t *ref_dot, const int32_t *ref_bit, const char *what_dot, const char *what_bit,
                 uint16_t *bits, bnn_error *err)
{
    if (run_part(t, li, ml, th, NULL, in, err))
        return -1;
    compare_dots(t, li, what_dot, ml, NULL, in, ref_dot);
    for (int j = 0; j < n; j++) {
        bits[j] = (uint16_t)out_bit(t, li, th, j, (size_t)j, 0, 0);
        if (bits[j] != ref_bit[j])
            report(t, li, what_bit, -1, j / t->g.cols, 0, j, ref_bit[j], bits[j], dut_cycles(t->dut));
    }
    return 0;
}

/* An SE block (fc1 with map ml on the squeeze counts of in, the hidden
 * bits, fc2, the gates; its output = in masked by the gates): 1 when the
 * output differs from the reference's, 0 if equal, -1 on error. */
static int run_se(tb_ctx *t, const bnn_trace *ref, int li, const map_layer *ml, const bnn_tensor *in, bnn_error *err)
{
    const bnn_se *se = &t->m->layers[li].u.se;
    bnn_tensor_count_ones(in, t->vec);
    if (se_fc(t, li, ml, &se->th1, t->vec, se->hidden, ref->se_dot1[li], ref->se_h[li], "se fc1 dot", "se hidden",
              t->hbits, err) ||
        se_fc(t, li, t->maps[2 * li + 1], &se->th2, t->hbits, se->c, ref->se_dot2[li], ref->se_g[li], "se fc2 dot",
              "se gate", t->gates, err))
        return -1;
    int differs = 0;
    bnn_tensor *out = t->rtl_out[li + 1];
    size_t hw = (size_t)in->h * (size_t)in->w;
    for (int c = 0; c < se->c; c++)
        for (size_t p = 0; p < hw; p++) {
            size_t at = (size_t)c * hw + p;
            out->v[at] = (uint16_t)(in->v[at] & (t->gates[c] ? 1u : 0u));
            if (out->v[at] != ref->act[li + 1]->v[at])
                differs = 1;
        }
    return differs;
}

/* The classifier with map ml on the counts of in; *pred = the class: 1 when
 * it differs from the reference's, 0 if equal, -1 on error. */
static int run_classifier(tb_ctx *t, const bnn_trace *ref, int li, const map_layer *ml, const bnn_tensor *in,
                          int *pred, bnn_error *err)
{
    const bnn_classifier *cl = &t->m->layers[li].u.cls;
    bnn_tensor_count_ones(in, t->vec);
    if (run_part_as(t, li, ml, NULL, NULL, t->vec, err))
        return -1;
    compare_dots(t, li, "logit", ml, NULL, t->vec, ref->logits);
    int best = 0;
    float bs = 0.0f;
    for (int k = 0; k < cl->classes; k++) {
        float s = (float)t->pb.dots[k] * cl->scale[k];
        s = s + cl->bias[k];
        if (k == 0 || s > bs) {
            best = k;
            bs = s;
        }
    }
    *pred = best;
    if (best == ref->pred)
        return 0;
    report(t, li, "prediction", -1, -1, 0, 0, ref->pred, best, dut_cycles(t->dut));
    return 1;
}

/* Runs layer li (by its kind); returns 1 when its output differs from the
 * reference's, 0 if equal, -1 on error. *pred receives the class for the
 * classifier. */
static int run_layer(tb_ctx *t, const bnn_trace *ref, int chain_from, int li, int *pred, bnn_error *err)
{
    const bnn_layer *l = &t->m->layers[li];
    if (t->is)
        return run_conv_is(t, ref, li, err);
    const bnn_tensor *in = act_of(t, ref, chain_from, li);
    const map_layer *ml = layer_map(t, ref, chain_from, li, err);
    if (!ml)
        return -1;
    if (l->type == BNN_CONV)
        return run_conv(t, ref, chain_from, li, ml, in, err);
    if (l->type == BNN_SE)
        return run_se(t, ref, li, ml, in, err);
    return run_classifier(t, ref, li, ml, in, pred, err);
}

/* Per layer: the RTL's counter deltas, checked against the expected
 * model's (a difference is a mismatch), and the references' deltas. */
static void account_layer(tb_ctx *t, int li)
{
    tb_layer_stats *s = &t->ls[li];
    uint64_t bad = tb_act_account(t->act, s, !t->o.no_check_act && t->compare, t->o.log, &t->printed,
                                  t->o.max_print, t->image, t->m->layers[li].name);
    t->mismatches += bad;
    t->img_mismatches += bad;
    s->mismatches += bad;
}

int tb_run_image(tb_ctx *t, const bnn_trace *ref, int image, tb_image_result *res, bnn_error *err)
{
    const bnn_model *m = t->m;
    uint64_t cyc_start = dut_cycles(t->dut);
    t->image = image;
    t->compare = 1;
    t->img_mismatches = 0;
    res->pred = res->chained_pred = -1;
    res->ref_pred = ref->pred;
    int diverged = -1; /* first layer whose RTL output differs */
    tb_act_mark(t->act); /* the image starts here (a chained re-run before it is not counted) */
    for (int li = 0; li < m->n_layers; li++) {
        if (!t->maps[2 * li])
            continue; /* not run (input-stationary: not a binary conv) */
        tb_layer_stats *s = &t->ls[li];
        uint64_t cyc0 = dut_cycles(t->dut);
        int d = run_layer(t, ref, -1, li, &res->pred, err);
        if (d < 0)
            return -1;
        if (d && diverged < 0 && m->layers[li].type != BNN_CLASSIFIER)
            diverged = li;
        s->cycles += dut_cycles(t->dut) - cyc0;
        account_layer(t, li);
    }
    if (t->is)
        res->pred = ref->pred; /* no classifier on the array: the reference's class */
    res->chained_pred = res->pred;
    res->cycles = dut_cycles(t->dut) - cyc_start;
    if (diverged >= 0) {
        /* the rest of the network from the RTL's own outputs (not compared, not counted) */
        t->compare = 0;
        for (int li = diverged + 1; li < m->n_layers; li++)
            if (run_layer(t, ref, diverged, li, &res->chained_pred, err) < 0) {
                t->compare = 1;
                return -1;
            }
        t->compare = 1;
    }
    res->mismatches = t->img_mismatches;
    return 0;
}

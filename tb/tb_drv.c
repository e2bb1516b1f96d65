/* tb_drv.c - the testbench driver (see tb_drv.h). */
#include "tb_drv.h"

#include <stdlib.h>
#include <string.h>

#define TB_MAX_COLS 256

struct tb_ctx {
    cim_dut *dut;
    const bnn_model *m;
    tb_opts o;
    const dut_geom *g;
    map_layer **maps;           /* n_layers x 2 parts (conv|fc1|cls, fc2) */
    tb_layer_stats *ls;
    uint64_t mismatches;
    int printed;
    int32_t *partial;           /* dots being assembled, out_c * pixels */
    uint16_t vec[4096];
};

static void fill_err(bnn_error *err, const char *msg) { snprintf(err->msg, sizeof err->msg, "%s", msg); }

tb_ctx *tb_new(cim_dut *dut, const bnn_model *m, const tb_opts *o, bnn_error *err)
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
    t->g = dut_geometry(dut);
    if (t->g->cols > TB_MAX_COLS) {
        fill_err(err, "testbench: more than 256 columns");
        free(t);
        return NULL;
    }
    t->maps = calloc((size_t)m->n_layers * 2, sizeof *t->maps);
    t->ls = calloc((size_t)m->n_layers, sizeof *t->ls);
    size_t maxdot = 1;
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i].type == BNN_CONV) {
            const bnn_conv *c = &m->layers[i].u.conv;
            size_t n = (size_t)c->out_c * (size_t)c->out_h * (size_t)c->out_w;
            maxdot = n > maxdot ? n : maxdot;
        }
    t->partial = calloc(maxdot + 1024, sizeof *t->partial);
    if (!t->maps || !t->ls || !t->partial) {
        fill_err(err, "testbench: out of memory");
        tb_free(t);
        return NULL;
    }
    map_cfg cfg = {t->g->rows, t->g->cols, t->g->seg_rows, o->layout, NULL};
    for (int i = 0; i < m->n_layers; i++) {
        const bnn_layer *l = &m->layers[i];
        tb_layer_stats *s = &t->ls[i];
        snprintf(s->name, sizeof s->name, "%s", l->name);
        map_part parts[2] = {l->type == BNN_CONV ? MAP_CONV : l->type == BNN_SE ? MAP_FC1 : MAP_CLS, MAP_FC2};
        int np = l->type == BNN_SE ? 2 : 1;
        for (int p = 0; p < np; p++) {
            map_op op;
            map_op_of(l, parts[p], &op);
            cfg.perm = (parts[p] == MAP_CONV && o->perm) ? o->perm[i] : NULL;
            if (map_layer_build(&op, &cfg, &t->maps[2 * i + p], err)) {
                tb_free(t);
                return NULL;
            }
            s->tiles += t->maps[2 * i + p]->n_jobs;
            s->macs += (uint64_t)op.n * (uint64_t)op.out_c * (uint64_t)map_pixels(&op) * (uint64_t)op.bits;
        }
        if (l->type == BNN_CONV)
            snprintf(s->shape, sizeof s->shape, "%dx%dx%d>%dx%dx%d k%dx%d/%d", l->u.conv.in_c, l->u.conv.in_h,
                     l->u.conv.in_w, l->u.conv.out_c, l->u.conv.out_h, l->u.conv.out_w, l->u.conv.k_h,
                     l->u.conv.k_w, l->u.conv.stride);
        else if (l->type == BNN_SE)
            snprintf(s->shape, sizeof s->shape, "se %d>%d>%d", l->u.se.c, l->u.se.hidden, l->u.se.c);
        else
            snprintf(s->shape, sizeof s->shape, "fc %d>%d", l->u.cls.in_c, l->u.cls.classes);
    }
    return t;
}

void tb_free(tb_ctx *t)
{
    if (!t)
        return;
    if (t->maps)
        for (int i = 0; i < 2 * t->m->n_layers; i++)
            map_layer_free(t->maps[i]);
    free(t->maps);
    free(t->ls);
    free(t->partial);
    free(t);
}

const tb_layer_stats *tb_stats(const tb_ctx *t, int *n_layers)
{
    *n_layers = t->m->n_layers;
    return t->ls;
}

uint64_t tb_mismatches(const tb_ctx *t) { return t->mismatches; }

static void report(tb_ctx *t, int image, int li, const char *what, const map_job *j, int pixel, int col,
                   long expected, long got)
{
    t->mismatches++;
    t->ls[li].mismatches++;
    if (t->printed++ < t->o.max_print)
        fprintf(t->o.log,
                "mismatch: image %d layer %s %s tile r%d/c%d pixel %d column %d: expected %ld, got %ld (cycle %llu)\n",
                image, t->m->layers[li].name, what, j ? j->row_tile : -1, j ? j->col_tile : -1, pixel, col,
                expected, got, (unsigned long long)dut_cycles(t->dut));
    else if (t->printed == t->o.max_print + 1)
        fprintf(t->o.log, "mismatch: further mismatches are counted, not printed\n");
}

/*
 * Streams one layer part through the macro: per job, write the weight tile,
 * then every pixel's bit planes; sums the row-tile partials into `dots`
 * (out_c x pixels, channel-major like the trace). Returns -1 on a watchdog
 * stop.
 */
static int run_part(tb_ctx *t, int image, int li, const map_layer *ml, const bnn_tensor *in, const uint16_t *vec,
                    int32_t *dots, bnn_error *err)
{
    const map_op *op = &ml->op;
    int pixels = map_pixels(op);
    uint64_t wl[64];   /* up to 4096 rows */
    int32_t acc[TB_MAX_COLS];
    memset(dots, 0, (size_t)op->out_c * (size_t)pixels * sizeof *dots);
    for (int ji = 0; ji < ml->n_jobs; ji++) {
        const map_job *j = &ml->jobs[ji];
        /* load the weight tile through the write port, one row per cycle */
        for (int r = 0; r < j->n_rows; r++) {
            dut_in w = {.op = DUT_WRITE, .addr = r, .wdata = j->wrows + (size_t)r * (size_t)j->col_words};
            dut_step(t->dut, &w, NULL);
        }
        dut_config(t->dut, t->o.gate_en, t->o.unit_log2, j->n_cols);
        for (int p = 0; p < pixels; p++) {
            dut_out out = {0};
            for (int k = 0; k < op->bits; k++) {
                map_job_input(ml, j, in, vec, p, k, wl);
                dut_in c = {.op = DUT_COMPUTE, .in = wl, .first = k == 0, .last = k == op->bits - 1};
                dut_step(t->dut, &c, &out);
            }
            if (!out.acc_valid) {
                snprintf(err->msg, sizeof err->msg,
                         "watchdog: image %d layer %s tile r%d/c%d pixel %d: no acc_valid after the last plane (cycle %llu)",
                         image, t->m->layers[li].name, j->row_tile, j->col_tile, p,
                         (unsigned long long)dut_cycles(t->dut));
                return -1;
            }
            dut_acc(t->dut, acc);
            for (int c = 0; c < j->n_cols; c++)
                dots[(size_t)(j->col0 + c) * (size_t)pixels + (size_t)p] += acc[c];
        }
    }
    return 0;
}

static void compare_dots(tb_ctx *t, int image, int li, const char *what, const int32_t *exp, const int32_t *got,
                         int n, int pixels)
{
    for (int i = 0; i < n; i++)
        if (exp[i] != got[i])
            report(t, image, li, what, NULL, pixels > 1 ? i % pixels : 0, pixels > 1 ? i / pixels : i, exp[i], got[i]);
}

int tb_run_image(tb_ctx *t, const bnn_trace *ref, int image, int *pred, bnn_error *err)
{
    const bnn_model *m = t->m;
    *pred = -1;
    for (int li = 0; li < m->n_layers; li++) {
        const bnn_layer *l = &m->layers[li];
        tb_layer_stats *s = &t->ls[li];
        uint64_t c0[DUT_NCNT], cyc0 = dut_cycles(t->dut);
        for (int k = 0; k < DUT_NCNT; k++)
            c0[k] = dut_counter(t->dut, k);
        const bnn_tensor *in = ref->act[li];
        if (l->type == BNN_CONV) {
            const bnn_conv *cv = &l->u.conv;
            int pixels = cv->out_h * cv->out_w;
            if (run_part(t, image, li, t->maps[2 * li], in, NULL, t->partial, err))
                return -1;
            compare_dots(t, image, li, "conv dot", ref->dot[li], t->partial, cv->out_c * pixels, pixels);
            const bnn_tensor *sc = cv->shortcut >= 0 ? ref->act[cv->shortcut] : NULL;
            int sstride = sc ? (sc->h + cv->out_h - 1) / cv->out_h : 1;
            for (int o = 0; o < cv->out_c; o++)
                for (int p = 0; p < pixels; p++) {
                    int y = p / cv->out_w, x = p % cv->out_w;
                    int xs = (sc && o < sc->c) ? bnn_at(sc, o, y * sstride, x * sstride) & 1 : 0;
                    int bit = bnn_thresh_apply(&cv->th, o, t->partial[(size_t)o * (size_t)pixels + (size_t)p], xs);
                    int want = bnn_at(ref->act[li + 1], o, y, x);
                    if (bit != want)
                        report(t, image, li, "conv output", NULL, p, o, want, bit);
                }
        } else if (l->type == BNN_SE) {
            const bnn_se *se = &l->u.se;
            int32_t d1[4096], d2[4096];
            /* squeeze (host): per-channel count of ones */
            size_t hw = (size_t)in->h * (size_t)in->w;
            for (int c = 0; c < se->c; c++) {
                unsigned q = 0;
                for (size_t p = 0; p < hw; p++)
                    q += in->v[(size_t)c * hw + p];
                t->vec[c] = (uint16_t)q;
            }
            if (run_part(t, image, li, t->maps[2 * li], NULL, t->vec, d1, err))
                return -1;
            compare_dots(t, image, li, "se fc1 dot", ref->se_dot1[li], d1, se->hidden, 1);
            for (int j = 0; j < se->hidden; j++)
                t->vec[j] = (uint16_t)bnn_thresh_apply(&se->th1, j, d1[j], 0);
            if (run_part(t, image, li, t->maps[2 * li + 1], NULL, t->vec, d2, err))
                return -1;
            compare_dots(t, image, li, "se fc2 dot", ref->se_dot2[li], d2, se->c, 1);
            for (int c = 0; c < se->c; c++) {
                int g = bnn_thresh_apply(&se->th2, c, d2[c], 0);
                if (g != ref->se_g[li][c])
                    report(t, image, li, "se gate", NULL, 0, c, ref->se_g[li][c], g);
            }
        } else {
            const bnn_classifier *cl = &l->u.cls;
            int32_t lg[1000];
            size_t hw = (size_t)in->h * (size_t)in->w;
            for (int c = 0; c < cl->in_c; c++) {
                unsigned q = 0;
                for (size_t p = 0; p < hw; p++)
                    q += in->v[(size_t)c * hw + p];
                t->vec[c] = (uint16_t)q;
            }
            if (run_part(t, image, li, t->maps[2 * li], NULL, t->vec, lg, err))
                return -1;
            compare_dots(t, image, li, "logit", ref->logits, lg, cl->classes, 1);
            int best = 0;
            float bs = 0;
            for (int k = 0; k < cl->classes; k++) {
                float sc = (float)lg[k] * cl->scale[k];
                sc = sc + cl->bias[k];
                if (k == 0 || sc > bs) {
                    best = k;
                    bs = sc;
                }
            }
            *pred = best;
            if (best != ref->pred)
                report(t, image, li, "prediction", NULL, 0, 0, ref->pred, best);
        }
        s->cycles += dut_cycles(t->dut) - cyc0;
        for (int k = 0; k < DUT_NCNT; k++)
            s->cnt[k] += dut_counter(t->dut, k) - c0[k];
    }
    return 0;
}

/* bnn_stats.c - see bnn_stats.h. */
#include "infer/bnn_stats.h"

#include "infer/bnn_kernels.h"
#include "util/jdump.h"

#include <stdlib.h>

bnn_stats *bnn_stats_new(const bnn_model *m, int seg_rows)
{
    bnn_stats *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t n = (size_t)m->n_layers;
    s->n_layers = m->n_layers;
    s->seg_rows = seg_rows;
    s->in_zero = calloc(n, 8);
    s->in_total = calloc(n, 8);
    s->seg_zero = calloc(n, 8);
    s->seg_total = calloc(n, 8);
    s->gate_zero = calloc(n, 8);
    s->gate_total = calloc(n, 8);
    if (!s->in_zero || !s->in_total || !s->seg_zero || !s->seg_total || !s->gate_zero || !s->gate_total) {
        bnn_stats_free(s);
        return NULL;
    }
    return s;
}

void bnn_stats_free(bnn_stats *s)
{
    if (!s)
        return;
    free(s->in_zero);
    free(s->in_total);
    free(s->seg_zero);
    free(s->seg_total);
    free(s->gate_zero);
    free(s->gate_total);
    free(s);
}

int bnn_stats_stage(const bnn_layer *l)
{
    int st, b;
    char tail[8];
    if (l->type == BNN_SE && sscanf(l->name, "s%db%d%7s", &st, &b, tail) == 3)
        return st;
    return -1;
}

/* 1 when bits [lo, hi) of the packed vector v are all 0. */
static int range_zero(const uint64_t *v, int lo, int hi)
{
    while (lo < hi) {
        int w = lo >> 6, s = lo & 63, len = hi - lo < 64 - s ? hi - lo : 64 - s;
        uint64_t m = len == 64 ? ~(uint64_t)0 : (((uint64_t)1 << len) - 1) << s;
        if (v[w] & m)
            return 0;
        lo += len;
    }
    return 1;
}

/* Counts all-zero segments of the channel-major im2col rows, per output
 * pixel and bit plane, from the packed vectors of the fast conv. A grouped
 * conv's rows are per group (each group is its own array job, docs/SPEC.md
 * section 5): its segments are counted group by group. With multiplicities
 * the rows are the channel copies (bnn_conv_pack). */
static int seg_count(const bnn_conv *cv, const bnn_tensor *in, int seg, uint64_t *zero, uint64_t *total)
{
    const int n = bnn_conv_rows(cv), nw = (n + 63) / 64;
    const size_t planes = (size_t)cv->out_h * (size_t)cv->out_w * (size_t)cv->in_bits;
    for (int g = 0; g < bnn_conv_groups(cv); g++) {
        uint64_t *vec = bnn_conv_pack(cv, in, g);
        if (!vec)
            return -1;
        for (size_t q = 0; q < planes; q++)
            for (int r0 = 0; r0 < n; r0 += seg) {
                *zero += (uint64_t)range_zero(vec + q * (size_t)nw, r0, r0 + seg < n ? r0 + seg : n);
                (*total)++;
            }
        free(vec);
    }
    return 0;
}

int bnn_stats_add(bnn_stats *s, const bnn_model *m, const bnn_trace *tr, int label)
{
    s->images++;
    if (label >= 0 && tr->pred == label)
        s->correct++;
    for (int i = 0; i < m->n_layers; i++) {
        const bnn_tensor *in = tr->act[i];
        size_t n = (size_t)in->c * (size_t)in->h * (size_t)in->w;
        uint64_t z = 0;
        for (size_t j = 0; j < n; j++)
            z += in->v[j] == 0;
        s->in_zero[i] += z;
        s->in_total[i] += n;
        const bnn_layer *l = &m->layers[i];
        if (l->type == BNN_CONV && s->seg_rows > 0 &&
            seg_count(&l->u.conv, in, s->seg_rows, &s->seg_zero[i], &s->seg_total[i]))
            return -1;
        if (l->type == BNN_SE) {
            for (int c = 0; c < l->u.se.c; c++)
                s->gate_zero[i] += tr->se_g[i][c] == 0;
            s->gate_total[i] += (uint64_t)l->u.se.c;
        }
    }
    return 0;
}

static double frac(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 0.0; }

double bnn_stats_stage_zero(const bnn_stats *s, const bnn_model *m, int st)
{
    uint64_t z = 0, t = 0;
    for (int i = 0; i < m->n_layers; i++)
        if (bnn_stats_stage(&m->layers[i]) == st) {
            z += s->gate_zero[i];
            t += s->gate_total[i];
        }
    return t ? frac(z, t) : -1.0;
}

/* One entry of "layers". */
static json_t *layer_json(const bnn_stats *s, const bnn_layer *l, int i)
{
    json_t *o = json_object();
    int bad = !o || jd_set(o, "name", jd_str(l->name)) ||
              jd_set(o, "type", jd_str(l->type == BNN_CONV ? "conv" : l->type == BNN_SE ? "se" : "fc")) ||
              jd_set(o, "input_zero_fraction", jd_real(frac(s->in_zero[i], s->in_total[i]), "%.6f")) ||
              jd_set(o, "segment_zero_fraction",   /* null: not a conv, or --seg-rows 0 */
                     jd_real_or_null(l->type == BNN_CONV && s->seg_rows > 0, frac(s->seg_zero[i], s->seg_total[i]),
                                     "%.6f"));
    if (!bad && l->type == BNN_SE)
        bad = jd_set(o, "channels_zeroed_fraction", jd_real(frac(s->gate_zero[i], s->gate_total[i]), "%.6f"));
    return bad ? (json_decref(o), NULL) : o;
}

int bnn_stats_json(const bnn_stats *s, const bnn_model *m, json_t *o)
{
    json_t *layers = json_array(), *se = json_array();
    int bad = !layers || !se;
    for (int i = 0; !bad && i < m->n_layers; i++)
        bad = jd_push(layers, layer_json(s, &m->layers[i], i));
    for (int st = 0; !bad && st < 3; st++) {
        double z = bnn_stats_stage_zero(s, m, st);
        if (z < 0.0)
            continue;
        json_t *e = json_object();
        bad = !e || jd_set(e, "stage", json_integer(st)) || jd_set(e, "channels_zeroed_fraction", jd_real(z, "%.6f"));
        bad = bad ? (json_decref(e), -1) : jd_push(se, e);
    }
    if (bad) {
        json_decref(layers);
        json_decref(se);
        return -1;
    }
    return jd_set(o, "layers", layers) | jd_set(o, "se", se);
}

/* bnn_stats.c - see bnn_stats.h. */
#include "bnn_stats.h"

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

/* Counts all-zero segments of the channel-major im2col rows, per plane. */
static void seg_count(const bnn_conv *cv, const bnn_tensor *in, int seg, uint64_t *zero, uint64_t *total)
{
    int kk = cv->k_h * cv->k_w, n = cv->in_c * kk;
    for (int y = 0; y < cv->out_h; y++)
        for (int x = 0; x < cv->out_w; x++)
            for (int k = 0; k < cv->in_bits; k++)
                for (int r0 = 0; r0 < n; r0 += seg) {
                    int any = 0;
                    for (int i = r0; i < n && i < r0 + seg && !any; i++) {
                        int c = i / kk, t = i % kk;
                        int iy = y * cv->stride + t / cv->k_w - cv->pad_h;
                        int ix = x * cv->stride + t % cv->k_w - cv->pad_w;
                        if (iy >= 0 && iy < in->h && ix >= 0 && ix < in->w)
                            any = (bnn_at(in, c, iy, ix) >> k) & 1;
                    }
                    *zero += !any;
                    (*total)++;
                }
}

void bnn_stats_add(bnn_stats *s, const bnn_model *m, const bnn_trace *tr, int label)
{
    s->images++;
    if (label >= 0 && tr->pred == label)
        s->correct++;
    for (int i = 0; i < m->n_layers; i++) {
        const bnn_tensor *in = tr->act[i];
        size_t n = (size_t)in->c * (size_t)in->h * (size_t)in->w;
        for (size_t j = 0; j < n; j++)
            s->in_zero[i] += in->v[j] == 0;
        s->in_total[i] += n;
        const bnn_layer *l = &m->layers[i];
        if (l->type == BNN_CONV && s->seg_rows > 0)
            seg_count(&l->u.conv, in, s->seg_rows, &s->seg_zero[i], &s->seg_total[i]);
        if (l->type == BNN_SE) {
            for (int c = 0; c < l->u.se.c; c++)
                s->gate_zero[i] += tr->se_g[i][c] == 0;
            s->gate_total[i] += (uint64_t)l->u.se.c;
        }
    }
}

static double frac(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 0.0; }

void bnn_stats_json(const bnn_stats *s, const bnn_model *m, FILE *f)
{
    fprintf(f, "  \"layers\": [\n");
    for (int i = 0; i < m->n_layers; i++) {
        const bnn_layer *l = &m->layers[i];
        fprintf(f, "    {\"name\": \"%s\", \"type\": \"%s\", \"input_zero_fraction\": %.6f", l->name,
                l->type == BNN_CONV ? "conv" : l->type == BNN_SE ? "se" : "fc", frac(s->in_zero[i], s->in_total[i]));
        if (l->type == BNN_CONV && s->seg_rows > 0)
            fprintf(f, ", \"segment_zero_fraction\": %.6f", frac(s->seg_zero[i], s->seg_total[i]));
        if (l->type == BNN_SE)
            fprintf(f, ", \"channels_zeroed_fraction\": %.6f", frac(s->gate_zero[i], s->gate_total[i]));
        fprintf(f, "}%s\n", i + 1 < m->n_layers ? "," : "");
    }
    fprintf(f, "  ],\n  \"se\": [");
    int first = 1;
    for (int st = 0; st < 3; st++) {
        uint64_t z = 0, t = 0;
        for (int i = 0; i < m->n_layers; i++)
            if (bnn_stats_stage(&m->layers[i]) == st) {
                z += s->gate_zero[i];
                t += s->gate_total[i];
            }
        if (!t)
            continue;
        fprintf(f, "%s\n    {\"stage\": %d, \"channels_zeroed_fraction\": %.6f}", first ? "" : ",", st, frac(z, t));
        first = 0;
    }
    fprintf(f, "%s]", first ? "" : "\n  ");
}

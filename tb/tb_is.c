/* tb_is.c - input-stationary runs of the binary conv layers (see tb_is.h). */
#include "tb_is.h"

#include <stdlib.h>
#include <string.h>

#include "tb_act.h"
#include "tb_golden.h"

int tb_is_layer(const bnn_layer *l) { return l->type == BNN_CONV && l->u.conv.in_bits == 1; }

/* Activation bit of canonical element i (= c*k*k + tap) of the group whose
 * first input channel is c0, for output pixel p, 0 in the padding. */
static int act_bit(const bnn_conv *cv, const bnn_tensor *in, int c0, int i, int p)
{
    int kk = cv->k_h * cv->k_w, c = c0 + i / kk, tap = i % kk;
    int oy = p / cv->out_w, ox = p % cv->out_w;
    int y = oy * cv->stride - cv->pad_h + tap / cv->k_w, x = ox * cv->stride - cv->pad_w + tap % cv->k_w;
    if (y < 0 || y >= in->h || x < 0 || x >= in->w)
        return 0;
    return bnn_at(in, c, y, x) & 1;
}

int tb_is_image(cim_dut *dut, const bnn_model *m, const bnn_trace *tr, int image, const tb_opts *o,
                tb_act *act, tb_layer_stats *ls, uint64_t *mismatches, bnn_error *err)
{
    const dut_geom *g = dut_geometry(dut);
    int rw = g->rows / 64, cw = (g->cols + 63) / 64, rc = 0, printed = 0;
    tb_golden_opts go = {.act = act, .gate = o->gate, .unit_log2 = o->unit_log2, .image = image,
                         .max_print = o->max_print, .printed = &printed, .log = o->log, .watchdog = o->watchdog};
    for (int li = 0; li < m->n_layers && !rc; li++) {
        const bnn_layer *l = &m->layers[li];
        if (!tb_is_layer(l))
            continue;
        const bnn_conv *cv = &l->u.conv;
        const bnn_tensor *in = tr->act[li];
        /* a grouped conv: one set of tiles per group, its n rows and out_c/groups computes */
        int n = bnn_conv_n(cv), pix = cv->out_h * cv->out_w, oc = cv->out_c / bnn_conv_groups(cv);
        int ngr = bnn_conv_groups(cv), cpg = bnn_conv_cpg(cv);
        int nrt = (n + g->rows - 1) / g->rows, nct = (pix + g->cols - 1) / g->cols;
        tb_layer_stats *s = &ls[li];
        if (!s->name[0]) {
            snprintf(s->name, sizeof s->name, "%s", l->name);
            char gs[16] = "";
            if (ngr > 1 && cpg > 1)
                snprintf(gs, sizeof gs, "g%d", ngr);
            snprintf(s->shape, sizeof s->shape, "%dx%dx%d>%dx%dx%d %s%dx%d%s s%d IS", cv->in_c, cv->in_h, cv->in_w,
                     cv->out_c, cv->out_h, cv->out_w, ngr > 1 && cpg == 1 ? "dw" : "k", cv->k_h, cv->k_w, gs,
                     cv->stride);
        }
        if (s->tiles == 0 || image == 0)
            s->tiles = ngr * nrt * nct;
        s->macs = (uint64_t)n * (uint64_t)cv->out_c * (uint64_t)pix;
        int64_t *dot = calloc((size_t)cv->out_c * (size_t)pix, sizeof *dot);
        uint64_t *wrows = calloc((size_t)g->rows * (size_t)cw, sizeof *wrows);
        uint64_t *wl = calloc((size_t)oc * (size_t)rw, sizeof *wl);
        int32_t *ex = calloc((size_t)oc, sizeof *ex);
        int32_t *ep = calloc((size_t)oc * (size_t)g->cols, sizeof *ep);
        int32_t *ea = calloc((size_t)oc * (size_t)g->cols, sizeof *ea);
        int32_t *acc = calloc((size_t)oc * (size_t)g->cols, sizeof *acc);
        int *ones = calloc((size_t)g->cols, sizeof *ones);
        int nseg = g->rows / g->seg_rows, ngrp = g->cols / g->col_group, zflags = o->gate && !o->no_zero_flags;
        uint64_t *zf = calloc((size_t)nseg * (size_t)cw, sizeof *zf);
        if (!dot || !wrows || !wl || !ex || !ep || !ea || !acc || !ones || !zf) {
            snprintf(err->msg, sizeof err->msg, "input-stationary: out of memory");
            rc = -1;
        }
        uint64_t cyc0 = dut_cycles(dut), mis0 = *mismatches;
        if (act)
            tb_act_mark(act);
        for (int gt = 0; gt < ngr * nrt && !rc; gt++) {
            /* group gi's row tile rt: its outputs q0.. q0+oc-1, its input channels gi*cpg.. */
            int gi = gt / nrt, rt = gt % nrt, q0 = gi * oc, c0 = gi * cpg;
            int r0 = rt * g->rows, nr = n - r0 < g->rows ? n - r0 : g->rows;
            /* word lines: output channel q0+q's weight bits of this row tile */
            memset(wl, 0, (size_t)oc * (size_t)rw * sizeof *wl);
            for (int q = 0; q < oc; q++)
                for (int r = 0; r < nr; r++)
                    if (bnn_bits_get(&cv->wt, q0 + q, r0 + r))
                        wl[(size_t)q * (size_t)rw + (size_t)(r / 64)] |= 1ull << (r % 64);
            for (int q = 0; q < oc; q++) {
                ex[q] = 0;
                for (int w = 0; w < rw; w++)
                    ex[q] += __builtin_popcountll(wl[(size_t)q * (size_t)rw + (size_t)w]);
            }
            for (int ct = 0; ct < nct && !rc; ct++) {
                int p0 = ct * g->cols, nc = pix - p0 < g->cols ? pix - p0 : g->cols;
                /* cells: row r, column j = activation of element r0+r at pixel p0+j */
                memset(wrows, 0, (size_t)g->rows * (size_t)cw * sizeof *wrows);
                memset(ones, 0, (size_t)g->cols * sizeof *ones);
                for (int r = 0; r < nr; r++)
                    for (int j = 0; j < nc; j++)
                        if (act_bit(cv, in, c0, r0 + r, p0 + j)) {
                            wrows[(size_t)r * (size_t)cw + (size_t)(j / 64)] |= 1ull << (j % 64);
                            ones[j]++;
                        }
                /* stored-zero flags: (g, s) holds no 1 in the tile's rows of segment s, columns of group g */
                memset(zf, 0, (size_t)nseg * (size_t)cw * sizeof *zf);
                for (int sg = 0; zflags && sg * g->seg_rows < nr; sg++)
                    for (int gr = 0; gr < ngrp; gr++) {
                        int any = 0;
                        for (int r = sg * g->seg_rows; r < (sg + 1) * g->seg_rows && r < nr && !any; r++)
                            for (int j = gr * g->col_group; j < (gr + 1) * g->col_group && !any; j++)
                                any = (int)(wrows[(size_t)r * (size_t)cw + (size_t)(j / 64)] >> (j % 64) & 1);
                        if (!any)
                            zf[(size_t)sg * (size_t)cw + (size_t)(gr / 64)] |= 1ull << (gr % 64);
                    }
                /* expected P, X and accumulators of every compute (one per output channel) */
                for (int q = 0; q < oc; q++)
                    for (int j = 0; j < nc; j++) {
                        int p = 0;
                        for (int r = 0; r < nr; r++)
                            p += (int)(wl[(size_t)q * (size_t)rw + (size_t)(r / 64)] >> (r % 64) & 1) &
                                 (int)(wrows[(size_t)r * (size_t)cw + (size_t)(j / 64)] >> (j % 64) & 1);
                        ep[(size_t)q * (size_t)nc + (size_t)j] = p;
                        ea[(size_t)q * (size_t)nc + (size_t)j] = 2 * p - ex[q];
                    }
                char name[48];
                snprintf(name, sizeof name, "%.31s(IS)", l->name);
                tb_golden_job job = {name, rt, gi * nct + ct, nr, nc, cw, 1, oc, wrows, wl, ep, ex, ea, zflags ? zf : NULL};
                char msg[400];
                if (tb_golden_run(dut, &job, &go, acc, mismatches, &s->planes_skipped, msg, sizeof msg)) {
                    snprintf(err->msg, sizeof err->msg, "%s", msg);
                    rc = -1;
                    break;
                }
                /* the pixel dots from the RTL's accumulators: P = (acc + X) / 2, dot part = 2P - ones */
                for (int q = 0; q < oc; q++)
                    for (int j = 0; j < nc; j++) {
                        int32_t a = acc[(size_t)q * (size_t)nc + (size_t)j];
                        dot[(size_t)(q0 + q) * (size_t)pix + (size_t)(p0 + j)] += (int64_t)(a + ex[q]) - ones[j];
                    }
            }
        }
        for (size_t k = 0; !rc && k < (size_t)cv->out_c * (size_t)pix; k++)
            if (dot[k] != tr->dot[li][k]) {
                if (printed++ < o->max_print)
                    fprintf(o->log ? o->log : stderr,
                            "mismatch: image %d layer %s (input-stationary) channel %zu pixel %zu: dot expected %d, "
                            "got %lld\n",
                            image, l->name, k / (size_t)pix, k % (size_t)pix, tr->dot[li][k], (long long)dot[k]);
                (*mismatches)++;
            }
        s->cycles += dut_cycles(dut) - cyc0;
        if (act && !rc)
            *mismatches += tb_act_account(act, s, !o->no_check_act, o->log, &printed, o->max_print, image, l->name);
        s->mismatches += *mismatches - mis0;
        free(dot);
        free(wrows);
        free(wl);
        free(ex);
        free(ep);
        free(ea);
        free(acc);
        free(ones);
        free(zf);
    }
    return rc;
}

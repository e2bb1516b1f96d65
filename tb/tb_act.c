/* tb_act.c - the host array models of a run and the per-layer activity
 * bookkeeping (see tb_act.h). */
#include "tb_act.h"

#include <stdlib.h>

enum { AM_EXP = 0, AM_STAT = 1, AM_FLAT = 2, AM_N = 3 };

struct tb_act {
    cim_dut *dut;
    int gate;
    amodel *am[AM_N];
    int ev[DUT_NCNT];           /* act_event of each RTL counter (by name) */
    int cd;                     /* the RTL counter of cell discharges */
    uint64_t c0[DUT_NCNT];      /* RTL counters at the mark */
    act_counts m0[AM_N];        /* model counts at the mark */
};

void tb_act_free(tb_act *a)
{
    if (!a)
        return;
    for (int i = 0; i < AM_N; i++)
        amodel_free(a->am[i]);
    free(a);
}

void tb_act_mark(tb_act *a)
{
    for (int k = 0; k < DUT_NCNT; k++)
        a->c0[k] = dut_counter(a->dut, k);
    for (int i = 0; i < AM_N; i++)
        a->m0[i] = *amodel_counts(a->am[i]);
}

uint64_t tb_act_state_hash(const tb_act *a, uint64_t h)
{
    for (int i = 0; i < AM_N; i++)
        h = amodel_state_hash(a->am[i], h);
    return h;
}

tb_act *tb_act_new(cim_dut *dut, int gate, bnn_error *err)
{
    const dut_geom *g = dut_geometry(dut);
    tb_act *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err->msg, sizeof err->msg, "testbench: out of memory");
        return NULL;
    }
    a->dut = dut;
    a->gate = gate;
    for (int k = 0; k < DUT_NCNT; k++) {
        a->ev[k] = act_event_by_name(dut_cnt_names[k]);
        if (a->ev[k] < 0) {
            snprintf(err->msg, sizeof err->msg, "testbench: RTL counter '%s' is not an activity event",
                     dut_cnt_names[k]);
            tb_act_free(a);
            return NULL;
        }
    }
    a->cd = -1;
    for (int k = 0; k < DUT_NCNT; k++)
        if (a->ev[k] == ACT_CELL_DISCHARGES)
            a->cd = k;
    if (a->cd < 0) {
        snprintf(err->msg, sizeof err->msg, "testbench: no RTL counter of cell discharges");
        tb_act_free(a);
        return NULL;
    }
    amodel_cfg hc = {g->rows, g->cols, g->seg_rows, g->col_group, 0, AMODEL_IMPL_AUTO};
    amodel_cfg fc = {g->rows, g->cols, g->rows, g->col_group, 1, AMODEL_IMPL_AUTO};
    if (!(a->am[AM_EXP] = amodel_new(&hc, err)) || !(a->am[AM_STAT] = amodel_new(&hc, err)) ||
        !(a->am[AM_FLAT] = amodel_new(&fc, err))) {
        tb_act_free(a);
        return NULL;
    }
    tb_act_mark(a);
    return a;
}

static amodel_op model_op(const dut_in *c, int gate)
{
    amodel_op o = {.op = c->op, .row = c->addr, .wdata = c->wdata, .in = c->in, .gate = gate,
                   .unit_log2 = c->unit_log2, .ncols = c->ncols, .nrows = c->nrows};
    return o;
}

void tb_act_step(tb_act *a, const dut_in *c)
{
    amodel_op e = model_op(c, c->gate), n = model_op(c, DUT_GATE_NONE);
    amodel_step(a->am[AM_EXP], &e);
    amodel_step(a->am[AM_STAT], &n);
    amodel_step(a->am[AM_FLAT], &n);
}

void tb_act_step_exp(tb_act *a, const dut_in *c)
{
    amodel_op e = model_op(c, c->gate);
    amodel_step(a->am[AM_EXP], &e);
}

void tb_act_ref(tb_act *a, const dut_in *c)
{
    amodel_op n = model_op(c, DUT_GATE_NONE);
    amodel_step(a->am[AM_STAT], &n);
    amodel_step(a->am[AM_FLAT], &n);
}

void tb_act_skipped(tb_act *a, const dut_in *c)
{
    dut_in n = *c;
    n.op = DUT_COMPUTE;
    tb_act_ref(a, &n);
}

void tb_act_ref_nop(tb_act *a, int ncols, int nrows)
{
    dut_in n = {.op = DUT_NOP, .gate = DUT_GATE_NONE, .ncols = ncols, .nrows = nrows};
    tb_act_ref(a, &n);
}

uint64_t tb_act_account(tb_act *a, tb_layer_stats *s, int check, FILE *log, int *printed, int max_print, int image,
                        const char *layer)
{
    const act_counts *now[AM_N];
    uint64_t bad = 0;
    for (int i = 0; i < AM_N; i++)
        now[i] = amodel_counts(a->am[i]);
    for (int k = 0; k < DUT_NCNT; k++) {
        uint64_t got = dut_counter(a->dut, k) - a->c0[k];
        int e = a->ev[k];
        uint64_t want = now[AM_EXP]->n[e] - a->m0[AM_EXP].n[e];
        s->cnt[k] += got;
        if (check && got != want) {
            bad++;
            if ((*printed)++ < max_print)
                fprintf(log ? log : stderr,
                        "mismatch: image %d layer %s activity counter %s: expected %llu (host array model), got "
                        "%llu\n",
                        image, layer, dut_cnt_names[k], (unsigned long long)want, (unsigned long long)got);
        }
    }
    /* the static reference did the same arithmetic: the same cells conduct
     * (gating and skipping only leave out lines and planes whose inputs are
     * all zero, and the stored-zero flags lines whose cells are), so a
     * reference that was not given the layer's work shows */
    uint64_t dis_rtl = dut_counter(a->dut, a->cd) - a->c0[a->cd];
    uint64_t dis_ref = now[AM_STAT]->n[ACT_CELL_DISCHARGES] - a->m0[AM_STAT].n[ACT_CELL_DISCHARGES];
    if (check && dis_rtl != dis_ref) {
        bad++;
        if ((*printed)++ < max_print)
            fprintf(log ? log : stderr,
                    "mismatch: image %d layer %s: %llu cells conducted, the static reference's %llu (it was not given "
                    "the same work)\n",
                    image, layer, (unsigned long long)dis_rtl, (unsigned long long)dis_ref);
    }
    for (int e = 0; e < ACT_NEVENTS; e++) {
        s->stat.n[e] += now[AM_STAT]->n[e] - a->m0[AM_STAT].n[e];
        s->flat.n[e] += now[AM_FLAT]->n[e] - a->m0[AM_FLAT].n[e];
    }
    s->have_ref = 1;
    s->act_mismatches += bad;
    tb_act_mark(a);
    return bad;
}

/* tb_golden.c - replay of one golden array job (see tb_golden.h). */
#include "tb_golden.h"

#include "tb_act.h"

#include <stdlib.h>

static void mis(const tb_golden_job *j, const tb_golden_opts *o, int *printed, const char *what, int pixel,
                int col, long expected, long got, uint64_t cycle)
{
    FILE *log = o->log ? o->log : stderr;
    if (*printed < o->max_print)
        fprintf(log,
                "mismatch: image %d layer %s %s tile r%d/c%d pixel %d column %d: expected %ld, got %ld (cycle %llu)\n",
                o->image, j->layer ? j->layer : "?", what, j->row_tile, j->col_tile, pixel, col, expected, got,
                (unsigned long long)cycle);
    else if (*printed == o->max_print)
        fprintf(log, "mismatch: more mismatches are counted, not printed\n");
    (*printed)++;
}

/* The state of one replay: what the next step's outputs show. */
typedef struct gold_run {
    cim_dut *dut;
    const tb_golden_job *j;
    const tb_golden_opts *o;
    dut_out *out;
    int32_t *acc_out;
    uint64_t *mismatches;
    int *printed;
    int pend, pend_last, pend_pixel;    /* a COMPUTE is in flight (its plane index at) */
    size_t pend_at;
} gold_run;

static void gold_step(gold_run *r, const dut_in *in)
{
    unsigned want = (r->j->exp_p ? DUT_OUT_P : 0u) | DUT_OUT_ACC;
    dut_step(r->dut, in, r->out, want);
    if (r->o->act)
        tb_act_step(r->o->act, in);
}

/* Checks the outputs of the COMPUTE issued one step before. */
static int gold_capture(gold_run *r, int watchdog, char *err, size_t errlen)
{
    const tb_golden_job *j = r->j;
    if (!r->pend)
        return 0;
    r->pend = 0;
    uint64_t cyc = dut_cycles(r->dut);
    size_t at = r->pend_at;
    if (j->exp_x && r->out->x != j->exp_x[at]) {
        mis(j, r->o, r->printed, "X", r->pend_pixel, -1, j->exp_x[at], r->out->x, cyc);
        (*r->mismatches)++;
    }
    for (int col = 0; j->exp_p && col < j->n_cols; col++)
        if (r->out->p[col] != j->exp_p[at * (size_t)j->n_cols + (size_t)col]) {
            mis(j, r->o, r->printed, "P", r->pend_pixel, col, j->exp_p[at * (size_t)j->n_cols + (size_t)col],
                r->out->p[col], cyc);
            (*r->mismatches)++;
        }
    if (!r->pend_last)
        return 0;
    for (int i = 0; i < watchdog && !r->out->acc_valid; i++) {
        dut_in nop = {.op = DUT_NOP, .gate = r->o->gate, .unit_log2 = r->o->unit_log2, .ncols = j->n_cols,
                      .nrows = j->n_rows};
        gold_step(r, &nop);
    }
    if (!r->out->acc_valid) {
        snprintf(err, errlen,
                 "watchdog: layer %s tile r%d/c%d pixel %d: no acc_valid within %d cycles of the last plane "
                 "(cycle %llu)",
                 j->layer, j->row_tile, j->col_tile, r->pend_pixel, watchdog, (unsigned long long)dut_cycles(r->dut));
        return -1;
    }
    for (int col = 0; col < j->n_cols; col++) {
        size_t a = (size_t)r->pend_pixel * (size_t)j->n_cols + (size_t)col;
        if (r->acc_out)
            r->acc_out[a] = r->out->acc[col];
        if (j->exp_acc && r->out->acc[col] != j->exp_acc[a]) {
            mis(j, r->o, r->printed, "partial", r->pend_pixel, col, j->exp_acc[a], r->out->acc[col],
                dut_cycles(r->dut));
            (*r->mismatches)++;
        }
    }
    return 0;
}

unsigned tb_issued_planes(const uint64_t *planes, int bits, int words, int skip, int *first, int *last)
{
    unsigned mask = 0;
    *first = *last = -1;
    for (int k = 0; k < bits; k++) {
        int any = !skip;
        for (int i = 0; i < words && !any; i++)
            any = planes[(size_t)k * (size_t)words + (size_t)i] != 0;
        if (any) {
            mask |= 1u << k;
            *first = *first < 0 ? k : *first;
            *last = k;
        }
    }
    return mask;
}

/* A pixel whose planes were all skipped: its partial is 0. */
static void gold_zero_pixel(gold_run *r, int p)
{
    const tb_golden_job *j = r->j;
    for (int col = 0; col < j->n_cols; col++) {
        size_t a = (size_t)p * (size_t)j->n_cols + (size_t)col;
        if (r->acc_out)
            r->acc_out[a] = 0;
        if (j->exp_acc && j->exp_acc[a] != 0) {
            mis(j, r->o, r->printed, "partial (all planes zero, not issued)", p, col, j->exp_acc[a], 0,
                dut_cycles(r->dut));
            (*r->mismatches)++;
        }
    }
}

int tb_golden_run(cim_dut *dut, const tb_golden_job *j, const tb_golden_opts *o, int32_t *acc_out,
                  uint64_t *mismatches, uint64_t *skipped, char *err, size_t errlen)
{
    const dut_geom *g = dut_geometry(dut);
    int local_printed = 0;
    int wwords = g->rows / 64, watchdog = o->watchdog > 0 ? o->watchdog : 64;
    if (j->n_rows < 0 || j->n_rows > g->rows || j->n_cols < 0 || j->n_cols > g->cols || j->bits < 1 ||
        j->bits > 16 || j->pixels < 0 || j->col_words < (g->cols + 63) / 64) {
        snprintf(err, errlen, "golden job %s r%d/c%d: %d rows x %d columns, %d planes does not fit the %dx%d macro",
                 j->layer, j->row_tile, j->col_tile, j->n_rows, j->n_cols, j->bits, g->rows, g->cols);
        return -1;
    }
    gold_run r = {.dut = dut, .j = j, .o = o, .out = malloc(sizeof(dut_out)), .acc_out = acc_out,
                  .mismatches = mismatches, .printed = o->printed ? o->printed : &local_printed};
    if (!r.out) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int row = 0; row < j->n_rows; row++) {
        dut_in w = {.op = DUT_WRITE, .addr = row, .wdata = j->wrows + (size_t)row * (size_t)j->col_words,
                    .ncols = j->n_cols, .nrows = j->n_rows};
        dut_step(dut, &w, NULL, 0);
        if (o->act)
            tb_act_step(o->act, &w);
    }
    int rc = 0, skip = o->gate != DUT_GATE_NONE;
    for (int p = 0; p < j->pixels && rc == 0; p++) {
        const uint64_t *pl = j->wl + (size_t)p * (size_t)j->bits * (size_t)wwords;
        int first_k, last_k;
        unsigned issued = tb_issued_planes(pl, j->bits, wwords, skip, &first_k, &last_k);
        for (int k = 0; k < j->bits && rc == 0; k++) {
            const uint64_t *w = pl + (size_t)k * (size_t)wwords;
            if (!(issued >> k & 1u)) {
                if (skipped)
                    (*skipped)++;
                if (o->act) {
                    dut_in c = {.op = DUT_COMPUTE, .in = w, .unit_log2 = o->unit_log2, .ncols = j->n_cols,
                                .nrows = j->n_rows};
                    tb_act_skipped(o->act, &c);
                }
                continue;
            }
            dut_in c = {.op = DUT_COMPUTE, .in = w, .first = k == first_k, .last = k == last_k,
                        .plane = j->bits - 1 - k, .gate = o->gate, .unit_log2 = o->unit_log2, .ncols = j->n_cols,
                        .nrows = j->n_rows};
            gold_step(&r, &c);
            rc = gold_capture(&r, watchdog, err, errlen);
            r.pend = 1;
            r.pend_last = k == last_k;
            r.pend_pixel = p;
            r.pend_at = (size_t)p * (size_t)j->bits + (size_t)k;
        }
        if (first_k < 0)
            gold_zero_pixel(&r, p);
    }
    if (rc == 0 && r.pend) {
        dut_in nop = {.op = DUT_NOP, .gate = o->gate, .unit_log2 = o->unit_log2, .ncols = j->n_cols,
                      .nrows = j->n_rows};
        gold_step(&r, &nop);
        rc = gold_capture(&r, watchdog, err, errlen);
    } else if (rc == 0 && j->pixels > 0 && o->act) {
        tb_act_ref_nop(o->act, j->n_cols, j->n_rows); /* the references drain what they issued */
    }
    free(r.out);
    return rc;
}

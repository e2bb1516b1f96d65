/* tb_golden.c - replay of one golden array job (see tb_golden.h). */
#include "tb_golden.h"

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

int tb_golden_run(cim_dut *dut, const tb_golden_job *j, const tb_golden_opts *o, int32_t *acc_out,
                  uint64_t *mismatches, char *err, size_t errlen)
{
    const dut_geom *g = dut_geometry(dut);
    int local_printed = 0, *printed = o->printed ? o->printed : &local_printed;
    int wwords = g->rows / 64, watchdog = o->watchdog > 0 ? o->watchdog : 64;
    if (j->n_rows < 0 || j->n_rows > g->rows || j->n_cols < 0 || j->n_cols > g->cols || j->bits < 1 ||
        j->pixels < 0 || j->col_words < (g->cols + 63) / 64) {
        snprintf(err, errlen, "golden job %s r%d/c%d: %d rows x %d columns does not fit the %dx%d macro", j->layer,
                 j->row_tile, j->col_tile, j->n_rows, j->n_cols, g->rows, g->cols);
        return -1;
    }
    dut_out *out = malloc(sizeof *out);
    if (!out) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int r = 0; r < j->n_rows; r++) {
        dut_in w = {.op = DUT_WRITE, .addr = r, .wdata = j->wrows + (size_t)r * (size_t)j->col_words,
                    .ncols = j->n_cols};
        dut_step(dut, &w, NULL, 0);
    }
    int rc = 0;
    for (int p = 0; p < j->pixels && rc == 0; p++) {
        for (int k = 0; k < j->bits; k++) {
            size_t at = (size_t)p * (size_t)j->bits + (size_t)k;
            int last = k == j->bits - 1;
            dut_in c = {.op = DUT_COMPUTE, .in = j->wl + at * (size_t)wwords, .first = k == 0, .last = last,
                        .gate_en = o->gate_en, .unit_log2 = o->unit_log2, .ncols = j->n_cols};
            dut_step(dut, &c, out, (j->exp_p ? DUT_OUT_P : 0u) | (last ? DUT_OUT_ACC : 0u));
            uint64_t cyc = dut_cycles(dut);
            if (j->exp_x && out->x != j->exp_x[at]) {
                mis(j, o, printed, "X", p, -1, j->exp_x[at], out->x, cyc);
                (*mismatches)++;
            }
            for (int col = 0; j->exp_p && col < j->n_cols; col++)
                if (out->p[col] != j->exp_p[at * (size_t)j->n_cols + (size_t)col]) {
                    mis(j, o, printed, "P", p, col, j->exp_p[at * (size_t)j->n_cols + (size_t)col], out->p[col], cyc);
                    (*mismatches)++;
                }
        }
        for (int i = 0; i < watchdog && !out->acc_valid; i++) {
            dut_in nop = {.op = DUT_NOP, .gate_en = o->gate_en, .unit_log2 = o->unit_log2, .ncols = j->n_cols};
            dut_step(dut, &nop, out, DUT_OUT_ACC);
        }
        if (!out->acc_valid) {
            snprintf(err, errlen,
                     "watchdog: layer %s tile r%d/c%d pixel %d: no acc_valid within %d cycles of the last plane "
                     "(cycle %llu)",
                     j->layer, j->row_tile, j->col_tile, p, watchdog, (unsigned long long)dut_cycles(dut));
            rc = -1;
            break;
        }
        for (int col = 0; col < j->n_cols; col++) {
            size_t at = (size_t)p * (size_t)j->n_cols + (size_t)col;
            if (acc_out)
                acc_out[at] = out->acc[col];
            if (j->exp_acc && out->acc[col] != j->exp_acc[at]) {
                mis(j, o, printed, "partial", p, col, j->exp_acc[at], out->acc[col], dut_cycles(dut));
                (*mismatches)++;
            }
        }
    }
    free(out);
    return rc;
}

/*
 * test_rtl_lines.c - the local bit lines as a waveform shows them.
 *
 * A random stream of writes, sparse computes (random rows and columns in
 * use, all control-unit sizes) and idle cycles runs through the small
 * verilated macro with a VCD of every cycle, in each gate mode. From the
 * VCD alone (the lines' waveform view g_col[j].u_col.u_lbl.lbl_v, the lookahead
 * register's la_valid / la_gated) the test
 *   - counts the lines' recharges (a discharged line back to the precharge
 *     level) and discharges (a line's level falling in an evaluation) and
 *     finds them equal to the activity counters line_recharges and
 *     line_discharges;
 *   - checks that a data-gated segment's lines do not move while it is
 *     gated: no toggle at all with C2 gated (both, c2); with C1 only the
 *     line may be precharged but never discharges;
 *   - with gating off, checks that the gated segments of the same stream
 *     (from the host) are precharged and evaluated like any other (the
 *     check is not vacuous).
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "test_rtl_util.h"
#include "test_util.h"

#define MAXV 4096   /* VCD variables kept */

/* The VCD: for each kept variable its value at every dump time. */
typedef struct vcd {
    int nvar;
    char code[MAXV][8];
    char name[MAXV][96];        /* scope path + name, e.g. cim_macro.g_col[3].u_col.u_lbl.lbl_v */
    int width[MAXV];
    int ntime;
    long *times;                /* dump times */
    uint64_t **val;             /* val[v][t * words + w]: value of var v after time index t */
    int words;                  /* 64-bit words per value (max width / 64) */
} vcd;

static int find_code(const vcd *v, const char *code)
{
    for (int i = 0; i < v->nvar; i++)
        if (!strcmp(v->code[i], code))
            return i;
    return -1;
}

static int find_var(const vcd *v, const char *suffix)
{
    size_t n = strlen(suffix);
    for (int i = 0; i < v->nvar; i++) {
        size_t m = strlen(v->name[i]);
        if (m >= n && !strcmp(v->name[i] + m - n, suffix))
            return i;
    }
    return -1;
}

static void set_bits(uint64_t *dst, int words, const char *bits)
{
    memset(dst, 0, (size_t)words * sizeof *dst);
    int n = (int)strlen(bits);
    for (int i = 0; i < n; i++)
        if (bits[n - 1 - i] == '1')
            dst[i / 64] |= (uint64_t)1 << (i % 64);
}

/* Reads the variables of a VCD whose names contain one of the keys. */
static void vcd_read(const char *path, vcd *v, const char *const *keys, int nkeys)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char line[1 << 16], scope[512] = "";
    int maxw = 1;
    memset(v, 0, sizeof *v);
    while (fgets(line, sizeof line, f)) {
        char a[128], b[128], c[128], d[128];
        if (sscanf(line, " $scope %127s %127s", a, b) == 2) {
            strncat(scope, b, sizeof scope - strlen(scope) - 2);
            strcat(scope, ".");
        } else if (strstr(line, "$upscope")) {
            size_t n = strlen(scope);
            if (n)
                scope[n - 1] = 0;
            char *dot = strrchr(scope, '.');
            if (dot)
                dot[1] = 0;
            else
                scope[0] = 0;
        } else if (sscanf(line, " $var %127s %127s %127s %127s", a, b, c, d) == 4) {
            char full[700];
            snprintf(full, sizeof full, "%s%s", scope, d);
            int keep = 0;
            for (int k = 0; k < nkeys; k++)
                keep |= strstr(full, keys[k]) != NULL;
            if (keep && find_code(v, c) < 0) {
                cr_assert_lt(v->nvar, MAXV);
                snprintf(v->code[v->nvar], sizeof v->code[0], "%.7s", c);
                snprintf(v->name[v->nvar], sizeof v->name[0], "%.95s", full);
                v->width[v->nvar] = atoi(b);
                maxw = v->width[v->nvar] > maxw ? v->width[v->nvar] : maxw;
                v->nvar++;
            }
        } else if (strstr(line, "$enddefinitions")) {
            break;
        }
    }
    v->words = (maxw + 63) / 64;
    int cap = 1024;
    v->times = malloc((size_t)cap * sizeof *v->times);
    v->val = calloc((size_t)v->nvar, sizeof *v->val);
    for (int i = 0; i < v->nvar; i++)
        v->val[i] = calloc((size_t)cap * (size_t)v->words, sizeof **v->val);
    uint64_t *cur = calloc((size_t)v->nvar * (size_t)v->words, sizeof *cur);
    int t = -1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[0] == '#') {
            if (t >= 0)
                for (int i = 0; i < v->nvar; i++)
                    memcpy(v->val[i] + (size_t)t * (size_t)v->words, cur + (size_t)i * (size_t)v->words,
                           (size_t)v->words * sizeof *cur);
            t++;
            if (t == cap) {
                cap *= 2;
                v->times = realloc(v->times, (size_t)cap * sizeof *v->times);
                for (int i = 0; i < v->nvar; i++)
                    v->val[i] = realloc(v->val[i], (size_t)cap * (size_t)v->words * sizeof **v->val);
            }
            v->times[t] = atol(line + 1);
        } else if (line[0] == 'b') {
            char *sp = strchr(line, ' ');
            if (!sp)
                continue;
            *sp = 0;
            int i = find_code(v, sp + 1);
            if (i >= 0)
                set_bits(cur + (size_t)i * (size_t)v->words, v->words, line + 1);
        } else if (line[0] == '0' || line[0] == '1') {
            int i = find_code(v, line + 1);
            if (i >= 0)
                cur[(size_t)i * (size_t)v->words] = (uint64_t)(line[0] == '1');
        }
    }
    if (t >= 0)
        for (int i = 0; i < v->nvar; i++)
            memcpy(v->val[i] + (size_t)t * (size_t)v->words, cur + (size_t)i * (size_t)v->words,
                   (size_t)v->words * sizeof *cur);
    v->ntime = t + 1;
    free(cur);
    fclose(f);
}

static void vcd_free(vcd *v)
{
    for (int i = 0; i < v->nvar; i++)
        free(v->val[i]);
    free(v->val);
    free(v->times);
}

/* Field (bits [lo, lo+n)) of var i after time index t (t < 0: 0). */
static unsigned field(const vcd *v, int i, int t, int lo, int n)
{
    if (t < 0)
        return 0;
    const uint64_t *w = v->val[i] + (size_t)t * (size_t)v->words;
    unsigned r = 0;
    for (int b = 0; b < n; b++)
        r |= (unsigned)((w[(lo + b) / 64] >> ((lo + b) % 64)) & 1) << b;
    return r;
}

/* The stream: random rows, sparse computes, NOPs. Returns the cycles run. */
static void run_stream(cim_dut *d, int gate, uint64_t seed)
{
    const dut_geom *g = dut_geometry(d);
    bnn_rng r;
    bnn_rng_seed(&r, seed);
    uint64_t w[DUT_MAX_COLS / 64] = {0}, in[16] = {0};
    int nseg = g->rows / g->seg_rows;
    for (int row = 0; row < g->rows; row++) {
        w[0] = bnn_rng_u64(&r);
        dut_in c = {.op = DUT_WRITE, .addr = row, .wdata = w};
        dut_step(d, &c, NULL, 0);
    }
    for (int it = 0; it < 400; it++) {
        int op = bnn_rng_range(&r, 0, 9);
        dut_in c = {.op = DUT_NOP, .gate = gate, .unit_log2 = bnn_rng_range(&r, 0, 3), .ncols = g->cols,
                    .nrows = g->rows};
        if (op <= 6) {
            memset(in, 0, sizeof in);
            for (int s = 0; s < nseg; s++)
                if (bnn_rng_range(&r, 0, 2) == 0)
                    for (int row = s * g->seg_rows; row < (s + 1) * g->seg_rows; row++)
                        if (bnn_rng_range(&r, 0, 2) == 0)
                            in[row / 64] |= (uint64_t)1 << (row % 64);
            c.op = DUT_COMPUTE;
            c.in = in;
            c.first = c.last = 1;
            if (it % 9 == 0)
                c.nrows = bnn_rng_range(&r, 1, g->rows);
            if (it % 13 == 0)
                c.ncols = bnn_rng_range(&r, 1, g->cols);
        } else if (op == 7) {
            w[0] = bnn_rng_u64(&r);
            c.op = DUT_WRITE;
            c.addr = bnn_rng_range(&r, 0, g->rows - 1);
            c.wdata = w;
        }
        dut_step(d, &c, NULL, 0);
    }
    dut_in nop = {.op = DUT_NOP, .gate = gate, .ncols = g->cols, .nrows = g->rows};
    dut_step(d, &nop, NULL, 0);
    dut_step(d, &nop, NULL, 0);
}

static void lines_in_mode(int gate)
{
    static const dut_geom want = {64, 16, 8, 0, 0};
    char path[256], err[512] = "";
    tu_tmp_path(path, sizeof path, "lines");
    strcat(path, ".vcd");
    const dut_geom *g = dut_find_build(&want, 0, NULL);
    cr_assert_not_null(g);
    cim_dut *d = dut_new(g, path, 0, 0, err, sizeof err);
    cr_assert_not_null(d, "%s", err);
    run_stream(d, gate, 11);
    uint64_t rch = dut_counter(d, DUT_CNT_RECHARGES), dis = dut_counter(d, DUT_CNT_LINE_DISCHARGES);
    uint64_t gated_cycles = dut_counter(d, DUT_CNT_SEG_GATED);
    dut_free(d);

    static vcd v;
    static const char *const keys[] = {"u_col.u_lbl.lbl_v", "u_ctrl.la_valid_o", "u_ctrl.la_gated_o"};
    vcd_read(path, &v, keys, 3);
    int nseg = g->rows / g->seg_rows, lw = g->seg_rows;
    int valid = find_var(&v, "u_ctrl.la_valid_o"), gated = find_var(&v, "u_ctrl.la_gated_o");
    cr_assert(valid >= 0 && gated >= 0, "lookahead register nets missing from the VCD");
    int col[DUT_MAX_COLS];
    for (int j = 0; j < g->cols; j++) {
        char nm[64];
        snprintf(nm, sizeof nm, "g_col[%d].u_col.u_lbl.lbl_v", j);
        col[j] = find_var(&v, nm);
        cr_assert_geq(col[j], 0, "%s missing from the VCD", nm);
        cr_assert_eq(v.width[col[j]], g->rows);
    }
    /* toggles of every line field: recharges (to 0 from above) and discharges (up) */
    uint64_t n_rch = 0, n_dis = 0, held = 0, bad = 0;
    for (int j = 0; j < g->cols; j++)
        for (int s = 0; s < nseg; s++)
            for (int t = 1; t < v.ntime; t++) {
                unsigned a = field(&v, col[j], t - 1, s * lw, lw), b = field(&v, col[j], t, s * lw, lw);
                n_rch += a > 0 && b == 0;
                n_dis += b > a;
            }
    cr_assert_eq(n_rch, rch, "gate %d: recharges in the VCD %llu, counter %llu", gate, (unsigned long long)n_rch,
                 (unsigned long long)rch);
    cr_assert_eq(n_dis, dis, "gate %d: discharges in the VCD %llu, counter %llu", gate, (unsigned long long)n_dis,
                 (unsigned long long)dis);
    cr_assert_gt(n_dis, 100, "the stream discharges lines");
    /* a data-gated segment during its array cycle: edges at odd times (rising) and even (falling) */
    for (int t = 1; t + 1 < v.ntime; t++) {
        if (v.times[t] % 2 != 1 || !field(&v, valid, t, 0, 1))
            continue;
        for (int s = 0; s < nseg; s++) {
            if (!field(&v, gated, t, s, 1))
                continue;
            for (int j = 0; j < g->cols; j++) {
                unsigned before = field(&v, col[j], t - 1, s * lw, lw), pre = field(&v, col[j], t, s * lw, lw),
                         ev = field(&v, col[j], t + 1, s * lw, lw);
                held += before == pre && pre == ev;
                if (gate == DUT_GATE_C1)
                    bad += !(pre == before || pre == 0) || ev != pre;   /* precharged maybe, never discharged */
                else
                    bad += before != pre || pre != ev;                 /* C2 gated: holds */
            }
        }
    }
    cr_assert_eq(bad, 0, "gate %d: %llu gated line-cycles moved", gate, (unsigned long long)bad);
    if (gate != DUT_GATE_NONE)
        cr_assert_gt(held, 500, "gate %d: %llu gated line-cycles held (the check is not vacuous)", gate,
                     (unsigned long long)held);
    else
        cr_assert_eq(gated_cycles, 0);
    vcd_free(&v);
    remove(path);
}

Test(lines, vcd_toggles_equal_counters_gate_both) { lines_in_mode(DUT_GATE_BOTH); }
Test(lines, vcd_toggles_equal_counters_gate_c2) { lines_in_mode(DUT_GATE_C2); }
Test(lines, vcd_toggles_equal_counters_gate_c1) { lines_in_mode(DUT_GATE_C1); }
Test(lines, vcd_toggles_equal_counters_gate_none) { lines_in_mode(DUT_GATE_NONE); }

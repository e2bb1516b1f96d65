/*
 * test_rtl_clock.c - the shim's fast clock path (tb/dut_verilated.cpp: one
 * evaluation per cycle outside the waveform window) against plain two-edge
 * evaluation (SPARSECIM_CLOCK=two-edge, dut.h): the same images give the
 * same results and the same activity counters, layer by layer, in the
 * driver (in-process) and in `sparsecim run`'s JSON report (field for field
 * but wall_seconds and clock_path); a run with a waveform window in the
 * middle (two-edge inside it, fast outside) gives them too; the report and
 * `sparsecim --version` name the clock path. On a Verilator whose model
 * lacks the state the fast path needs, the build reports "two-edge" and the
 * comparisons are skipped with a warning (nothing to compare).
 *
 * Small: a random SE-ResNet-8 (width 8, 12x12 input) on the 64x16x8 macro.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_rtl_util.h"
#include "test_util.h"

static bnn_model *small_net(void)
{
    bnn_random_opts ro = {.depth = 8, .width = 8, .se = 1, .in_c = 1, .in_h = 12, .in_w = 12, .classes = 10,
                          .seed = 4};
    bnn_model *m = NULL;
    bnn_error err;
    cr_assert_eq(bnn_model_random(&ro, &m, &err), 0, "%s", err.msg);
    return m;
}

static void require_fast(void)
{
    const dut_geom *g = dut_find_build(&rt_small, 0, NULL);
    cr_assert_not_null(g, "no 64x16x8 build");
    const char *ck = dut_clock_path(g, 0);
    cr_assert_not_null(ck);
    if (strcmp(ck, "fast")) {
        cr_log_warn("the 64x16x8 build clocks '%s' (no fast path with this Verilator): nothing to compare", ck);
        cr_skip_test("no fast clock path in this build");
    }
}

static void same_result(const rt_result *a, const rt_result *b, const char *what)
{
    cr_assert(a->ok && b->ok, "%s: %s / %s", what, a->err, b->err);
    cr_assert_eq(a->mismatches, 0, "%s", what);
    cr_assert_eq(b->mismatches, 0, "%s", what);
    cr_assert_eq(a->cycles, b->cycles, "%s: cycles %llu vs %llu", what, (unsigned long long)a->cycles,
                 (unsigned long long)b->cycles);
    cr_assert_eq(a->n_layers, b->n_layers);
    for (int i = 0; i < 2; i++)
        cr_assert(a->pred[i] == b->pred[i] && a->chained[i] == b->chained[i], "%s: image %d", what, i);
    for (int l = 0; l < a->n_layers; l++) {
        const tb_layer_stats *x = &a->ls[l], *y = &b->ls[l];
        cr_assert_eq(x->cycles, y->cycles, "%s: layer %s cycles", what, x->name);
        cr_assert_eq(x->planes_skipped, y->planes_skipped, "%s: layer %s", what, x->name);
        for (int k = 0; k < DUT_NCNT; k++)
            cr_assert_eq(x->cnt[k], y->cnt[k], "%s: layer %s: %s %llu vs %llu", what, x->name, dut_cnt_names[k],
                         (unsigned long long)x->cnt[k], (unsigned long long)y->cnt[k]);
        cr_assert_eq(memcmp(&x->stat, &y->stat, sizeof x->stat), 0, "%s: layer %s: static reference", what,
                     x->name);
    }
}

/* In-process: the driver's results and per-layer RTL counters, gated and
 * ungated, fast path vs forced two-edge. */
Test(clock, fast_equals_two_edge_in_the_driver, .timeout = 120)
{
    require_fast();
    bnn_model *m = small_net();
    rt_result *f = calloc(1, sizeof *f), *t = calloc(1, sizeof *t);
    for (int gate = 0; gate < 2; gate++) {
        tb_opts o = rt_opts(gate, 0);
        o.check_px = 1;
        cr_assert_eq(unsetenv(DUT_CLOCK_ENV), 0);
        rt_run(&tb_backend_verilated, &rt_small, m, &o, 2, 5, RT_RANDOM, f);
        cr_assert_eq(setenv(DUT_CLOCK_ENV, "two-edge", 1), 0);
        rt_run(&tb_backend_verilated, &rt_small, m, &o, 2, 5, RT_RANDOM, t);
        same_result(f, t, gate ? "gated" : "ungated");
    }
    unsetenv(DUT_CLOCK_ENV);
    free(f);
    free(t);
    bnn_model_free(m);
}

/* A file without its lines holding any of the keys (malloc'd). */
static char *slurp_without(const char *path, const char *const *keys)
{
    char *s = tu_slurp_without(path, keys, NULL);
    cr_assert_not_null(s, "%s", path);
    return s;
}

static char out[1 << 16];

static int run_report(const char *env, const char *model, const char *report, const char *extra)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "%s %s/sparsecim run --small --model %s --data random:3 --count 3 --check-px --quiet --report %s %s 2>&1",
             env, tu_bin_dir(), model, report, extra);
    return tu_run(cmd, out, sizeof out);
}

/* `sparsecim run`'s report, field for field but wall_seconds and
 * clock_path: fast vs two-edge, and fast with a waveform window in the
 * middle of the run (the path switches at its edges). */
Test(clock, run_reports_equal, .timeout = 120)
{
    require_fast();
    char model[512], rf[512], rt[512], rw[512], vcd[600];
    tu_tmp_path(model, sizeof model, "clock-model");
    tu_tmp_path(rf, sizeof rf, "clock-fast");
    tu_tmp_path(rt, sizeof rt, "clock-two");
    tu_tmp_path(rw, sizeof rw, "clock-waves");
    snprintf(vcd, sizeof vcd, "%s.vcd", rw);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s/sparsecim model random --depth 8 --se --width 8 --input 12x12x1 --seed 6 -o %s 2>&1",
             tu_bin_dir(), model);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    cr_assert_eq(run_report("env -u " DUT_CLOCK_ENV, model, rf, ""), 0, "%s", out);
    cr_assert_eq(run_report(DUT_CLOCK_ENV "=two-edge", model, rt, ""), 0, "%s", out);
    char extra[700];
    snprintf(extra, sizeof extra, "--waves %s --window 500:1500", vcd);
    cr_assert_eq(run_report("env -u " DUT_CLOCK_ENV, model, rw, extra), 0, "%s", out);
    static const char *const keys[] = {"\"wall_seconds\"", "\"clock_path\"", NULL};
    char *a = slurp_without(rf, keys), *b = slurp_without(rt, keys), *c = slurp_without(rw, keys);
    cr_assert(strlen(a) > 1000, "%s is nearly empty", rf);
    cr_assert(strstr(a, "\"mismatches\": 0,"), "the fast run has mismatches");
    cr_assert_str_eq(a, b, "fast and two-edge reports differ (%s, %s)", rf, rt);
    cr_assert_str_eq(a, c, "the report of the run with a waveform window differs (%s, %s)", rf, rw);
    char *fa = slurp_without(rf, (const char *const[]){"\"command\"", NULL});
    cr_assert(strstr(fa, "\"clock_path\": \"fast\""), "the fast run's report does not say clock_path fast");
    char *tb = slurp_without(rt, (const char *const[]){"\"command\"", NULL});
    cr_assert(strstr(tb, "\"clock_path\": \"two-edge\""), "the forced run's report does not say two-edge");
    free(a);
    free(b);
    free(c);
    free(fa);
    free(tb);
    remove(model);
    remove(rf);
    remove(rt);
    remove(rw);
    remove(vcd);
}

Test(clock, version_names_the_clock_path_and_bad_values_are_refused)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s/sparsecim --version 2>&1", tu_bin_dir());
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "verilated 64x16x8 col_group 4") && strstr(out, ": clock "), "%s", out);
    /* a value dut_new does not know is refused, naming the variable */
    cr_assert_eq(setenv(DUT_CLOCK_ENV, "fastest", 1), 0);
    char err[256] = "";
    const dut_geom *g = dut_find_build(&rt_small, 0, NULL);
    cr_assert_not_null(g);
    cr_assert_null(dut_new(g, NULL, 0, 0, err, sizeof err));
    cr_assert(strstr(err, DUT_CLOCK_ENV "='fastest'"), "%s", err);
    unsetenv(DUT_CLOCK_ENV);
    /* ... by run with either back end (the SystemC one has no clock path to
     * choose, but a misspelt value is not silently ignored) */
    char model[512];
    tu_tmp_path(model, sizeof model, "clock-model");
    snprintf(cmd, sizeof cmd, "%s/sparsecim model random --depth 8 --width 4 --input 8x8x1 --seed 2 -o %s 2>&1",
             tu_bin_dir(), model);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    static const char *const backends[] = {"", "--systemc"};
    for (int k = 0; k < 2; k++) {
        snprintf(cmd, sizeof cmd, DUT_CLOCK_ENV "=twoedge %s/sparsecim run --model %s --data random:1 %s 2>&1",
                 tu_bin_dir(), model, backends[k]);
        int rc = tu_run(cmd, out, sizeof out);
        cr_assert_eq(rc, 2, "%s: exit %d: %s", backends[k], rc, out);
        cr_assert(strstr(out, "sparsecim run: environment " DUT_CLOCK_ENV "='twoedge': expected two-edge or fast"),
                  "%s: %s", backends[k], out);
    }
    remove(model);
}

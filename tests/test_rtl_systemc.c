/*
 * test_rtl_systemc.c - the SystemC back end (verilator --sc model in a
 * SystemC top, the C driver running in its SC_THREAD) against the plain
 * verilated C++ model: the same network and image must give identical
 * results, identical cycle counts and identical activity counters per
 * layer. SystemC elaborates once per process; Criterion runs each test in
 * its own process.
 */
#include <criterion/criterion.h>

#include "test_rtl_util.h"
#include "test_util.h"

Test(systemc, same_results_and_cycles_as_verilated, .timeout = 170)
{
    bnn_random_opts ro = {.depth = 14, .width = 16, .se = 1, .in_c = 1, .in_h = 28, .in_w = 28, .classes = 10,
                          .seed = 41};
    bnn_model *m = NULL;
    bnn_error err;
    cr_assert_eq(bnn_model_random(&ro, &m, &err), 0, "%s", err.msg);
    rt_result *v = calloc(1, sizeof *v), *s = calloc(1, sizeof *s);
    tb_opts o = rt_opts(1, 1);
    rt_run(&tb_backend_verilated, &rt_default, m, &o, 1, 5, RT_RANDOM, v);
    cr_assert(v->ok, "verilated: %s", v->err);
    rt_run(&tb_backend_systemc, &rt_default, m, &o, 1, 5, RT_RANDOM, s);
    cr_assert(s->ok, "SystemC: %s", s->err);
    cr_assert_eq(v->mismatches, 0);
    cr_assert_eq(s->mismatches, 0);
    cr_assert_eq(s->pred[0], v->pred[0]);
    cr_assert_eq(s->cycles, v->cycles, "SystemC %llu cycles, verilated %llu", (unsigned long long)s->cycles,
                 (unsigned long long)v->cycles);
    cr_assert_eq(s->n_layers, v->n_layers);
    for (int l = 0; l < v->n_layers; l++) {
        cr_assert_eq(s->ls[l].cycles, v->ls[l].cycles, "layer %s", v->ls[l].name);
        for (int k = 0; k < DUT_NCNT; k++)
            cr_assert_eq(s->ls[l].cnt[k], v->ls[l].cnt[k], "layer %s counter %s", v->ls[l].name, dut_cnt_names[k]);
    }
    /* a second elaboration in one process is refused, not crashed */
    rt_result *again = calloc(1, sizeof *again);
    cr_assert_neq(rt_run(&tb_backend_systemc, &rt_default, m, &o, 1, 5, RT_RANDOM, again), 0);
    cr_assert(strstr(again->err, "one simulation per process"), "%s", again->err);
    free(again);
    free(v);
    free(s);
    bnn_model_free(m);
}

static int wave_body(cim_dut *d, void *arg)
{
    (void)arg;
    uint64_t in[4] = {0xffull, 0, 0, 1};
    for (int i = 0; i < 50; i++) {
        dut_in c = {.op = DUT_COMPUTE, .in = in, .first = 1, .last = 1, .gate = DUT_GATE_BOTH, .ncols = 64, .nrows = 256};
        dut_step(d, &c, NULL, 0);
    }
    return (int)dut_cycles(d);
}

Test(systemc, vcd_window)
{
    char path[256], err[512] = "";
    tu_tmp_path(path, sizeof path, "scwin");
    strcat(path, ".vcd");
    const dut_geom *g = dut_find_build(&rt_default, 1, NULL);
    cr_assert_not_null(g);
    int rc = tb_backend_systemc.run(g, path, 5, 15, wave_body, NULL, err, sizeof err);
    cr_assert_eq(rc, 51, "cycles %d (%s)", rc, err);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    char line[4096];
    int has_clk = 0, has_gated = 0;
    long tmin = -1, tmax = -1;
    while (fgets(line, sizeof line, f)) {
        has_clk |= strstr(line, " clk_i ") != NULL;
        has_gated |= strstr(line, " seg_gated_o ") != NULL;
        if (line[0] == '#') {
            long t = strtol(line + 1, NULL, 10);
            tmin = tmin < 0 || t < tmin ? t : tmin;
            tmax = t > tmax ? t : tmax;
        }
    }
    fclose(f);
    cr_assert(has_clk && has_gated, "signals missing");
    cr_assert(tmin >= 2 * 5 && tmax <= 2 * 15 + 2, "time range %ld..%ld", tmin, tmax);
    remove(path);
}

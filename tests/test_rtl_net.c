/*
 * test_rtl_net.c - whole networks through the verilated macro (default
 * 256x64x16 build): every layer of a random SE-ResNet-14 on 28x28x1 and of
 * a random ResNet-20 on 32x32x3 must match the reference bit for bit, with
 * gating on (control units 1 and 4) and off; gated and ungated runs must
 * agree and satisfy done + gated (gated run) == done (ungated run) for the
 * counter pairs rtl/cim_activity.v documents, and the gated run's ungated
 * baseline (act_ungated, the "would have happened" counts the energy
 * report uses) equals the ungated run's counters event by event.
 */
#include <criterion/criterion.h>

#include "act.h"
#include "test_rtl_util.h"

static bnn_model *make_net(int depth, int se, int in_c, int hw, uint64_t seed)
{
    bnn_random_opts ro = {.depth = depth, .width = 16, .se = se, .in_c = in_c, .in_h = hw, .in_w = hw,
                          .classes = 10, .seed = seed};
    bnn_model *m = NULL;
    bnn_error err;
    cr_assert_eq(bnn_model_random(&ro, &m, &err), 0, "%s", err.msg);
    return m;
}

static void assert_clean(const rt_result *r, int images)
{
    cr_assert(r->ok, "run failed: %s", r->err);
    cr_assert_eq(r->mismatches, 0, "%llu mismatches", (unsigned long long)r->mismatches);
    for (int i = 0; i < images; i++) {
        cr_assert_eq(r->pred[i], r->ref_pred[i], "image %d: RTL class %d, reference %d", i, r->pred[i], r->ref_pred[i]);
        cr_assert_eq(r->chained[i], r->ref_pred[i], "image %d: chained class %d", i, r->chained[i]);
    }
    for (int l = 0; l < r->n_layers; l++) {
        cr_assert_eq(r->ls[l].mismatches, 0, "layer %s", r->ls[l].name);
        cr_assert_gt(r->ls[l].cycles, 0, "layer %s ran no cycles", r->ls[l].name);
        cr_assert_gt(r->ls[l].cnt[DUT_CNT_COMPUTE], 0, "layer %s: no compute ops", r->ls[l].name);
    }
}

/* done + gated of the gated run == done of the ungated run, per layer. */
static void assert_gating_invariant(const rt_result *g, const rt_result *u)
{
    static const int pairs[][2] = {{DUT_CNT_PRE_DONE, DUT_CNT_PRE_GATED},
                                   {DUT_CNT_EVAL_DONE, DUT_CNT_EVAL_GATED},
                                   {DUT_CNT_SEG_ACTIVE, DUT_CNT_SEG_GATED}};
    cr_assert_eq(g->n_layers, u->n_layers);
    uint64_t gated = 0;
    for (int l = 0; l < g->n_layers; l++) {
        const uint64_t *cg = g->ls[l].cnt, *cu = u->ls[l].cnt;
        for (size_t p = 0; p < sizeof pairs / sizeof *pairs; p++) {
            int d = pairs[p][0], x = pairs[p][1];
            cr_assert_eq(cg[d] + cg[x], cu[d], "layer %s: %s %llu + %s %llu != ungated %llu", g->ls[l].name,
                         dut_cnt_names[d], (unsigned long long)cg[d], dut_cnt_names[x], (unsigned long long)cg[x],
                         (unsigned long long)cu[d]);
            cr_assert_eq(cu[x], 0, "layer %s: ungated run gated %s", u->ls[l].name, dut_cnt_names[x]);
        }
        /* the same work was issued */
        cr_assert_eq(cg[DUT_CNT_COMPUTE], cu[DUT_CNT_COMPUTE], "layer %s", g->ls[l].name);
        cr_assert_eq(cg[DUT_CNT_WRITES], cu[DUT_CNT_WRITES], "layer %s", g->ls[l].name);
        cr_assert_eq(cg[DUT_CNT_ACC_UPDATES], cu[DUT_CNT_ACC_UPDATES], "layer %s", g->ls[l].name);
        cr_assert_eq(cg[DUT_CNT_DISCHARGES], cu[DUT_CNT_DISCHARGES], "layer %s: gating changed the cells that conduct",
                     g->ls[l].name);
        cr_assert_eq(g->ls[l].cycles, u->ls[l].cycles, "layer %s", g->ls[l].name);
        gated += cg[DUT_CNT_SEG_GATED];
        /* every event: what the gated run says would have happened without
         * gating (act_ungated) is what the ungated run did */
        act_counts ag = {.ops = 0}, au = {.ops = 0}, base;
        bnn_error err;
        for (int k = 0; k < DUT_NCNT; k++) {
            cr_assert_eq(act_set_by_name(&ag, dut_cnt_names[k], cg[k], &err), 0, "%s", err.msg);
            cr_assert_eq(act_set_by_name(&au, dut_cnt_names[k], cu[k], &err), 0, "%s", err.msg);
        }
        act_ungated(&ag, &base);
        for (int e = 0; e < ACT_NEVENTS; e++)
            cr_assert_eq(base.n[e], au.n[e], "layer %s: %s: gated run's ungated baseline %llu, ungated run %llu",
                         g->ls[l].name, act_event_name((act_event)e), (unsigned long long)base.n[e],
                         (unsigned long long)au.n[e]);
    }
    cr_assert_gt(gated, 0, "gating never gated a segment");
}

Test(net, resnet14_se_28x28_gated_vs_ungated, .timeout = 170)
{
    bnn_model *m = make_net(14, 1, 1, 28, 14);
    rt_result *g = calloc(1, sizeof *g), *u = calloc(1, sizeof *u);
    tb_opts og = rt_opts(1, 0), ou = rt_opts(0, 0);
    rt_run(&tb_backend_verilated, &rt_default, m, &og, 2, 7, RT_RANDOM, g);
    assert_clean(g, 2);
    rt_run(&tb_backend_verilated, &rt_default, m, &ou, 2, 7, RT_RANDOM, u);
    assert_clean(u, 2);
    for (int i = 0; i < 2; i++)
        cr_assert_eq(g->pred[i], u->pred[i]);
    assert_gating_invariant(g, u);
    free(g);
    free(u);
    bnn_model_free(m);
}

Test(net, resnet14_se_28x28_unit4, .timeout = 170)
{
    bnn_model *m = make_net(14, 1, 1, 28, 15);
    rt_result *g = calloc(1, sizeof *g);
    tb_opts o = rt_opts(1, 2);
    rt_run(&tb_backend_verilated, &rt_default, m, &o, 2, 8, RT_RANDOM, g);
    assert_clean(g, 2);
    free(g);
    bnn_model_free(m);
}

Test(net, resnet20_32x32x3_gated_vs_ungated, .timeout = 170)
{
    bnn_model *m = make_net(20, 0, 3, 32, 20);
    rt_result *g = calloc(1, sizeof *g), *u = calloc(1, sizeof *u);
    tb_opts og = rt_opts(1, 2), ou = rt_opts(0, 0);
    rt_run(&tb_backend_verilated, &rt_default, m, &og, 1, 9, RT_RANDOM, g);
    assert_clean(g, 1);
    rt_run(&tb_backend_verilated, &rt_default, m, &ou, 1, 9, RT_RANDOM, u);
    assert_clean(u, 1);
    cr_assert_eq(g->pred[0], u->pred[0]);
    assert_gating_invariant(g, u);
    /* and with a control unit of one segment */
    tb_opts o1 = rt_opts(1, 0);
    rt_run(&tb_backend_verilated, &rt_default, m, &o1, 1, 9, RT_RANDOM, g);
    assert_clean(g, 1);
    assert_gating_invariant(g, u);
    free(g);
    free(u);
    bnn_model_free(m);
}

Test(net, resnet14_se_small_macro, .timeout = 170)
{
    /* the 64x16x8 macro: many more row and column tiles per layer */
    bnn_model *m = make_net(14, 1, 1, 28, 16);
    rt_result *g = calloc(1, sizeof *g);
    tb_opts o = rt_opts(1, 1);
    o.layout = MAP_TAP_MAJOR;
    rt_run(&tb_backend_verilated, &rt_small, m, &o, 1, 10, RT_RANDOM, g);
    assert_clean(g, 1);
    free(g);
    bnn_model_free(m);
}

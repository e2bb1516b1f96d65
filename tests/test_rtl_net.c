/*
 * test_rtl_net.c - whole networks through the verilated macro (default
 * 256x64x16 build): every layer of a random SE-ResNet-14 on 28x28x1 and of
 * a random ResNet-20 on 32x32x3 must match the reference bit for bit, with
 * gating on (control units 1 and 4) and off; gated and ungated runs must
 * agree, every layer's counters must equal the host array model's (the
 * driver checks it: a difference is a mismatch), and the static reference
 * that the gated run reports (the host model fed with what a --no-gating
 * run issues) must equal the RTL counters of the real --no-gating run,
 * event by event, cycles included.
 */
#include <criterion/criterion.h>

#include "power/act.h"
#include "test_rtl_util.h"

static bnn_model *make_net_opts(int depth, int se, int in_c, int hw, uint64_t seed, int mult)
{
    bnn_random_opts ro = {.depth = depth, .width = 16, .se = se, .in_c = in_c, .in_h = hw, .in_w = hw,
                          .classes = 10, .seed = seed, .mult = mult};
    bnn_model *m = NULL;
    bnn_error err;
    cr_assert_eq(bnn_model_random(&ro, &m, &err), 0, "%s", err.msg);
    return m;
}

static bnn_model *make_net(int depth, int se, int in_c, int hw, uint64_t seed)
{
    return make_net_opts(depth, se, in_c, hw, seed, 0);
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

/* The gated run's static reference == the --no-gating run's RTL counters, per layer. */
static void assert_gating_invariant(const rt_result *g, const rt_result *u, int expect_skip)
{
    cr_assert_eq(g->n_layers, u->n_layers);
    uint64_t gated = 0, skipped = 0;
    for (int l = 0; l < g->n_layers; l++) {
        const tb_layer_stats *lg = &g->ls[l], *lu = &u->ls[l];
        cr_assert(lg->have_ref, "layer %s: no reference counts", lg->name);
        for (int k = 0; k < DUT_NCNT; k++) {
            int e = act_event_by_name(dut_cnt_names[k]);
            cr_assert_eq(lg->stat.n[e], lu->cnt[k], "layer %s: %s: static reference %llu, --no-gating run %llu",
                         lg->name, dut_cnt_names[k], (unsigned long long)lg->stat.n[e],
                         (unsigned long long)lu->cnt[k]);
        }
        cr_assert_eq(lg->stat.n[ACT_CYCLES], lu->cycles, "layer %s: cycles", lg->name);
        cr_assert_eq(lu->planes_skipped, 0, "layer %s: the ungated run skipped", lu->name);
        cr_assert_eq(lu->cnt[DUT_CNT_SEG_GATED], 0, "layer %s: the ungated run gated", lu->name);
        /* the same cells conduct, fewer cycles are spent */
        cr_assert_eq(lg->cnt[DUT_CNT_CELL_DISCHARGES], lu->cnt[DUT_CNT_CELL_DISCHARGES], "layer %s", lg->name);
        gated += lg->cnt[DUT_CNT_SEG_GATED];
        skipped += lg->planes_skipped;
    }
    cr_assert_gt(gated, 0, "gating never gated a segment");
    if (expect_skip)
        cr_assert_gt(skipped, 0, "no plane was skipped");
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
    assert_gating_invariant(g, u, 1);
    free(g);
    free(u);
    bnn_model_free(m);
}

/* The per-image channel skip: bit-exact and counter-exact (assert_clean),
 * every layer after an SE maps exactly the channels the reference's gates
 * left on (the zeroed ones counted independently from the reference trace),
 * fewer rows are written and fewer cycles spent than without the skip, and
 * the references it reports are still those of the run without the skip:
 * its static reference == the --no-gating run's RTL counters. In the
 * channel and the aligned layout. */
static void skip_case(map_layout layout, int dynamic_move, uint64_t seed)
{
    bnn_model *m = make_net(14, 1, 1, 28, seed);
    rt_result *s = calloc(1, sizeof *s), *g = calloc(1, sizeof *g), *u = calloc(1, sizeof *u);
    tb_opts os = rt_opts(1, 0), og = rt_opts(1, 0), ou = rt_opts(0, 0);
    os.layout = og.layout = ou.layout = layout;
    os.skip_channels = 1;
    os.dynamic_move = dynamic_move;
    rt_run(&tb_backend_verilated, &rt_default, m, &os, 2, seed, RT_RANDOM, s);
    assert_clean(s, 2);
    rt_run(&tb_backend_verilated, &rt_default, m, &og, 2, seed, RT_RANDOM, g);
    assert_clean(g, 2);
    rt_run(&tb_backend_verilated, &rt_default, m, &ou, 2, seed, RT_RANDOM, u);
    assert_clean(u, 2);
    uint64_t skipped = 0, writes_s = 0, writes_g = 0;
    for (int l = 0; l < s->n_layers; l++) {
        const bnn_layer *ly = &m->layers[l];
        int after_se = l > 0 && m->layers[l - 1].type == BNN_SE &&
                       ((ly->type == BNN_CONV && ly->u.conv.in_bits == 1) || ly->type == BNN_CLASSIFIER);
        int in_c = ly->type == BNN_CONV ? ly->u.conv.in_c : ly->type == BNN_CLASSIFIER ? ly->u.cls.in_c : 0;
        cr_assert_eq(s->ls[l].ch_skipped, after_se ? s->se_zero[l - 1] : 0, "layer %s: %llu channels skipped",
                     s->ls[l].name, (unsigned long long)s->ls[l].ch_skipped);
        cr_assert_eq(s->ls[l].ch_total, after_se ? 2u * (unsigned)in_c : 0u, "layer %s", s->ls[l].name);
        cr_assert_eq(s->ls[l].cnt[DUT_CNT_CELL_DISCHARGES], g->ls[l].cnt[DUT_CNT_CELL_DISCHARGES], "layer %s",
                     s->ls[l].name);
        skipped += s->ls[l].ch_skipped;
        writes_s += s->ls[l].cnt[DUT_CNT_WRITES];
        writes_g += g->ls[l].cnt[DUT_CNT_WRITES];
    }
    cr_assert_gt(skipped, 0, "the SE gates zeroed no channel: the case tests nothing");
    cr_assert_lt(writes_s, writes_g, "the skip wrote %llu rows, the run without it %llu", (unsigned long long)writes_s,
                 (unsigned long long)writes_g);
    cr_assert_lt(s->cycles, g->cycles);
    assert_gating_invariant(s, u, 1);
    free(s);
    free(g);
    free(u);
    bnn_model_free(m);
}

Test(net, resnet14_se_channel_skip, .timeout = 170) { skip_case(MAP_CHANNEL_MAJOR, 0, 21); }
Test(net, resnet14_se_channel_skip_aligned, .timeout = 170) { skip_case(MAP_ALIGNED, 0, 22); }
Test(net, resnet14_se_channel_skip_dynamic_move, .timeout = 170) { skip_case(MAP_CHANNEL_MAJOR, 1, 23); }

/* The dynamic move alone (no skip): bit-exact and counter-exact, the same
 * cells conduct, its references are the static run's, and with the zeroed
 * channels moved together the layers after an SE gate more segment-cycles
 * than in the static order. */
Test(net, resnet14_se_dynamic_move, .timeout = 170)
{
    bnn_model *m = make_net(14, 1, 1, 28, 24);
    rt_result *d = calloc(1, sizeof *d), *g = calloc(1, sizeof *g), *u = calloc(1, sizeof *u);
    tb_opts od = rt_opts(1, 0), og = rt_opts(1, 0), ou = rt_opts(0, 0);
    od.dynamic_move = 1;
    rt_run(&tb_backend_verilated, &rt_default, m, &od, 2, 24, RT_RANDOM, d);
    assert_clean(d, 2);
    rt_run(&tb_backend_verilated, &rt_default, m, &og, 2, 24, RT_RANDOM, g);
    assert_clean(g, 2);
    rt_run(&tb_backend_verilated, &rt_default, m, &ou, 2, 24, RT_RANDOM, u);
    assert_clean(u, 2);
    uint64_t gated_d = 0, gated_g = 0, zeroed = 0;
    for (int l = 1; l < d->n_layers; l++) {
        if (m->layers[l - 1].type != BNN_SE)
            continue;
        cr_assert_eq(d->ls[l].ch_skipped, 0, "layer %s: the move skipped channels", d->ls[l].name);
        gated_d += d->ls[l].cnt[DUT_CNT_SEG_GATED];
        gated_g += g->ls[l].cnt[DUT_CNT_SEG_GATED];
        zeroed += d->se_zero[l - 1];
    }
    cr_assert_gt(zeroed, 0, "the SE gates zeroed no channel: the case tests nothing");
    cr_assert_gt(gated_d, gated_g, "after an SE: %llu gated segment-cycles with the move, %llu without",
                 (unsigned long long)gated_d, (unsigned long long)gated_g);
    assert_gating_invariant(d, u, 1);
    free(d);
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
    assert_gating_invariant(g, u, 0);
    /* and with a control unit of one segment */
    tb_opts o1 = rt_opts(1, 0);
    rt_run(&tb_backend_verilated, &rt_default, m, &o1, 1, 9, RT_RANDOM, g);
    assert_clean(g, 1);
    assert_gating_invariant(g, u, 0);
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

/* The geometry matrix (make -f Makefile.sim geom-matrix): on the build of
 * SPARSECIM_GEOM, a random SE-ResNet-14 (12x12x1) bit-exact and
 * counter-exact gated (units 1 and 2) and ungated, the gated run's static
 * reference equal to the --no-gating run's RTL counters, and the channel
 * skip in the aligned layout; skipped without SPARSECIM_GEOM. */
Test(net, env_build, .timeout = 600)
{
    dut_geom eg = rt_env_geom();
    tu_seed sd = tu_seed_of("net/env_build", 31);
    bnn_model *m = make_net(14, 1, 1, 12, sd.seed);
    rt_result *g = calloc(1, sizeof *g), *u = calloc(1, sizeof *u), *s = calloc(1, sizeof *s);
    tb_opts og = rt_opts(1, 0), ou = rt_opts(0, 0), o2 = rt_opts(1, 1), os = rt_opts(1, 0);
    os.layout = MAP_ALIGNED;
    os.skip_channels = 1;
    og.check_px = ou.check_px = o2.check_px = os.check_px = 1;
    rt_run(&tb_backend_verilated, &eg, m, &og, 2, sd.seed, RT_RANDOM, g);
    assert_clean(g, 2);
    rt_run(&tb_backend_verilated, &eg, m, &ou, 2, sd.seed, RT_RANDOM, u);
    assert_clean(u, 2);
    assert_gating_invariant(g, u, 0);
    rt_run(&tb_backend_verilated, &eg, m, &o2, 2, sd.seed, RT_RANDOM, g);
    assert_clean(g, 2);
    assert_gating_invariant(g, u, 0);
    rt_run(&tb_backend_verilated, &eg, m, &os, 2, sd.seed, RT_RANDOM, s);
    assert_clean(s, 2);
    cr_log_info("%s: %llu cycles gated, %llu ungated", getenv("SPARSECIM_GEOM"), (unsigned long long)g->cycles,
                (unsigned long long)u->cycles);
    free(g);
    free(u);
    free(s);
    bnn_model_free(m);
}

/* Multiplicities (multi-value weights, docs/SPEC.md sections 2 and 5): a
 * random SE-ResNet-14 with about a quarter of every ungrouped conv's input
 * channels counted 2..4 times, gated (unit 1) and ungated, with the channel
 * skip, and input-stationary: bit-exact (every layer's dots, the prediction,
 * the counters against the host model), the gated run's static reference
 * == the ungated run's counters, and the MACs of every conv count the
 * copies (bnn_conv_rows, computed from the model, not from the map). */
Test(net, resnet14_se_multiplicities, .timeout = 170)
{
    bnn_model *m = make_net_opts(14, 1, 1, 28, 31, 1);
    cr_assert_eq(bnn_model_file_version(m), BNN_VERSION_MULT);
    rt_result *g = calloc(1, sizeof *g), *u = calloc(1, sizeof *u);
    tb_opts og = rt_opts(1, 0), ou = rt_opts(0, 0), os = rt_opts(1, 0), oi = rt_opts(1, 0);
    rt_run(&tb_backend_verilated, &rt_default, m, &og, 2, 31, RT_RANDOM, g);
    assert_clean(g, 2);
    rt_run(&tb_backend_verilated, &rt_default, m, &ou, 2, 31, RT_RANDOM, u);
    assert_clean(u, 2);
    assert_gating_invariant(g, u, 1);
    int with_mult = 0;
    for (int l = 0; l < m->n_layers; l++) {
        const bnn_layer *ly = &m->layers[l];
        if (ly->type != BNN_CONV)
            continue;
        const bnn_conv *c = &ly->u.conv;
        int rows = 0;
        for (int ch = 0; ch < c->in_c; ch++)
            rows += c->mult ? c->mult[ch] : 1;
        with_mult += c->mult != NULL;
        uint64_t want = (uint64_t)c->out_c * (uint64_t)(c->out_h * c->out_w) * (uint64_t)(rows * c->k_h * c->k_w) *
                        (uint64_t)c->in_bits;
        cr_assert_eq(g->ls[l].macs, want, "layer %s: %llu MACs, %llu with the copies (per image)", g->ls[l].name,
                     (unsigned long long)g->ls[l].macs, (unsigned long long)want);
    }
    cr_assert_gt(with_mult, 10, "%d convs with multiplicities", with_mult);
    os.skip_channels = 1;
    rt_run(&tb_backend_verilated, &rt_default, m, &os, 2, 31, RT_RANDOM, g);
    assert_clean(g, 2);
    oi.stationary = MAP_INPUT_STATIONARY;
    rt_run(&tb_backend_verilated, &rt_default, m, &oi, 1, 31, RT_RANDOM, g);
    cr_assert(g->ok, "input-stationary: %s", g->err);
    cr_assert_eq(g->mismatches, 0, "input-stationary: %llu mismatches", (unsigned long long)g->mismatches);
    free(g);
    free(u);
    bnn_model_free(m);
}

/*
 * test_rtl_cli.c - `sparsecim run` end to end: a random SE-ResNet-14 model
 * file through the reference and the macro (exit 0, per-layer table,
 * JSON report with every field and counter, waveform window), and bad
 * input (one line on stderr, exit 2). Random depthwise-separable and
 * grouped models through `run` and through golden vectors + `sim` on the
 * small macro in every gate mode.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dut.h"
#include "test_util.h"

static char out[1 << 16];

static int sh(const char *fmt, const char *a, const char *b, const char *c)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, fmt, tu_bin_dir(), a ? a : "", b ? b : "", c ? c : "");
    return tu_run(cmd, out, sizeof out);
}

static void make_model(char *path, size_t n)
{
    tu_tmp_path(path, n, "model");
    cr_assert_eq(sh("%s/sparsecim model random --depth 14 --se --input 28x28x1 --seed 3 -o %s 2>&1", path, NULL, NULL),
                 0, "%s", out);
}

Test(cli, run_reports_json_and_waves, .timeout = 120)
{
    char model[256], rep[256], vcd[256];
    make_model(model, sizeof model);
    tu_tmp_path(rep, sizeof rep, "rep");
    tu_tmp_path(vcd, sizeof vcd, "vcd");
    strcat(vcd, ".vcd");
    int rc = sh("%s/sparsecim run --model %s --data random:4 --count 2 --unit 2 --report %s 2>&1", model, rep, NULL);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "s2b1se"), "table: %s", out);
    cr_assert(strstr(out, "0 mismatches"), "%s", out);
    cr_assert(strstr(out, "image 1: predicted"), "%s", out);
    FILE *f = fopen(rep, "r");
    cr_assert_not_null(f);
    static char js[1 << 18];
    size_t n = fread(js, 1, sizeof js - 1, f);
    js[n] = 0;
    fclose(f);
    static const char *const keys[] = {"\"images\": 2", "\"mismatches\": 0", "\"cycles\": ", "\"predictions\": [",
                                       "\"accuracy\": ", "\"layers\": [", "\"name\": \"conv1\"", "\"shape\": ",
                                       "\"tiles\": ", "\"gated_fraction\": ", "\"unit\": 2", "\"chained_equal\": true"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
        cr_assert(strstr(js, keys[k]), "report lacks %s", keys[k]);
    for (int k = 0; k < DUT_NCNT; k++) {
        char key[64];
        snprintf(key, sizeof key, "\"%s\": ", dut_cnt_names[k]);
        cr_assert(strstr(js, key), "report lacks counter %s", key);
    }
    rc = sh("%s/sparsecim run --model %s --data random --small --waves %s --window 100:300 --quiet 2>&1", model, vcd,
            NULL);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, out);
    f = fopen(vcd, "r");
    cr_assert_not_null(f, "no waveform");
    fclose(f);
    remove(vcd);
    remove(rep);
    remove(model);
}

Test(cli, bad_input_exits_2_with_one_line, .timeout = 60)
{
    char model[256];
    make_model(model, sizeof model);
    static const char *const bad[][2] = {
        {"--unit 3", "--unit"},
        {"--geometry 100x3x2", "geometry"},
        {"--systemc --waves w.fst", "writes only .vcd"},
        {"--waves w.txt", "--waves"},
        {"--window 5:2", "--window"},
        {"--frobnicate", "unknown"},
        {"--count 0", "--count"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        int rc = sh("%s/sparsecim run --model %s --data random %s 2>&1 >/dev/null", model, bad[k][0], NULL);
        cr_assert_eq(rc, 2, "%s: exit %d: %s", bad[k][0], rc, out);
        cr_assert(strstr(out, bad[k][1]), "%s: message: %s", bad[k][0], out);
        cr_assert_eq(strchr(out, '\n'), out + strlen(out) - 1, "%s: not one line: %s", bad[k][0], out);
    }
    int rc = sh("%s/sparsecim run --model /nonexistent.bnn --data random 2>&1 >/dev/null", NULL, NULL, NULL);
    cr_assert_eq(rc, 2, "%s", out);
    remove(model);
}

Test(cli, injected_mismatch_is_located_and_exits_1, .timeout = 60)
{
    char model[256], rep[256];
    make_model(model, sizeof model);
    tu_tmp_path(rep, sizeof rep, "rep");
    /* dot 100 of s1b0b (32 x 14 x 14): channel 0, pixel 100 (196 pixels per channel) */
    int rc = sh("%s/sparsecim run --model %s --data random:2 --quiet --inject s1b0b:100 --report %s 2>&1", model, rep,
                NULL);
    cr_assert_eq(rc, 1, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "mismatch: image 0 layer s1b0b conv dot tile r*/c0 pixel 100 column 0: expected "), "%s",
              out);
    cr_assert(strstr(out, "(cycle "), "%s", out);
    cr_assert(strstr(out, "1 mismatches"), "%s", out);
    FILE *f = fopen(rep, "r");
    cr_assert_not_null(f);
    static char js[1 << 18];
    size_t n = fread(js, 1, sizeof js - 1, f);
    js[n] = 0;
    fclose(f);
    cr_assert(strstr(js, "\"mismatches\": 1,"), "report");
    cr_assert(strstr(js, "\"name\": \"s1b0b\",\n      \"shape\": \"32x14x14>32x14x14 k3x3 s1\",\n      \"tiles\": 2,"), "report");
    /* the print limit: with 0 printed, the count still makes exit status 1 */
    rc = sh("%s/sparsecim run --model %s --data random:2 --quiet --inject fc:3 --max-mismatch 0 2>&1", model, NULL,
            NULL);
    cr_assert_eq(rc, 1, "exit %d: %s", rc, out);
    cr_assert_null(strstr(out, "mismatch: image"), "%s", out);
    cr_assert(strstr(out, "more mismatches are counted"), "%s", out);
    rc = sh("%s/sparsecim run --model %s --data random --inject s1b0b:99999 2>&1 >/dev/null", model, NULL, NULL);
    cr_assert_eq(rc, 2, "%s", out);
    remove(rep);
    remove(model);
}

/* Reads a whole file into a static buffer. */
static const char *slurp(const char *path)
{
    static char buf[1 << 20];
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* The number after `"key": ` in s (the first one), or -1. */
static double num_after(const char *s, const char *key)
{
    char k[64];
    snprintf(k, sizeof k, "\"%s\": ", key);
    const char *p = strstr(s, k);
    return p ? strtod(p + strlen(k), NULL) : -1.0;
}

Test(cli, run_energy_report_gated_vs_ungated, .timeout = 120)
{
    char model[256], rep[256], rep0[256], csv[256], prof[512];
    make_model(model, sizeof model);
    tu_tmp_path(rep, sizeof rep, "erep");
    tu_tmp_path(rep0, sizeof rep0, "erep0");
    tu_tmp_path(csv, sizeof csv, "ecsv");
    snprintf(prof, sizeof prof, "%s/constraints/energy-22nm.txt", tu_src_dir());
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s/sparsecim run --model %s --data random:6 --energy %s --report %s --csv %s 2>&1",
             tu_bin_dir(), model, prof, rep, csv);
    int rc = tu_run(cmd, out, sizeof out);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "energy (energy-22nm, 256x64x16): "), "%s", out);
    static char js[1 << 20];
    snprintf(js, sizeof js, "%s", slurp(rep));
    const char *tot = strstr(js, "\"total\": {\n    \"gated_fraction\"");
    cr_assert_not_null(tot, "no total");
    double e = num_after(tot, "energy_fj"), eu = num_after(tot, "energy_fj_ungated"), fop = num_after(tot, "fj_per_op");
    cr_assert(e > 0 && eu > e, "gated %f, ungated %f", e, eu);
    cr_assert(fop > 0.05 && fop < 18.0, "fJ/op %f", fop);
    /* the layers' energies add up to the total */
    double sum = 0;
    int layers = 0;
    for (const char *p = strstr(js, "\"layers\": ["); p && (p = strstr(p, "\n    {\n      \"name\": ")) && p < tot; p++) {
        const char *end = strstr(p + 1, "\n    }");   /* the entry (indented JSON: one member a line) */
        static char line[1 << 15];
        snprintf(line, sizeof line, "%.*s", (int)(end - p), p);
        double le = num_after(line, "energy_fj");
        cr_assert(le > 0, "layer line without energy: %.200s", line);
        cr_assert(strstr(line, "\"gated_fraction\": "), "%.200s", line);
        sum += le;
        layers++;
    }
    cr_assert_eq(layers, 20, "layers %d", layers);
    cr_assert(sum > 0.999 * e && sum < 1.001 * e, "sum of layers %f, total %f", sum, e);
    cr_assert(strstr(js, "\"energy\": {\n    \"profile\": \"energy-22nm\""),
              "no energy object");
    /* CSV: header, one row per layer, total */
    const char *c = slurp(csv);
    int lines = 0;
    for (const char *p = c; *p; p++)
        lines += *p == '\n';
    cr_assert_eq(lines, 22, "csv lines %d: %.300s", lines, c);
    cr_assert(!strncmp(c, "layer,ops,", 10) && strstr(c, "\ntotal,"), "%.300s", c);

    /* the same run with gating off costs exactly the gated run's ungated baseline */
    snprintf(cmd, sizeof cmd, "%s/sparsecim run --model %s --data random:6 --energy %s --no-gating --quiet --report %s 2>&1",
             tu_bin_dir(), model, prof, rep0);
    rc = tu_run(cmd, out, sizeof out);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, out);
    const char *j0 = slurp(rep0);
    const char *t0 = strstr(j0, "\"total\": {\n    \"gated_fraction\"");
    cr_assert_not_null(t0);
    double e0 = num_after(t0, "energy_fj"), e0u = num_after(t0, "energy_fj_ungated");
    cr_assert(e0 > 0.999999 * eu && e0 < 1.000001 * eu, "no-gating run %f, gated run's baseline %f", e0, eu);
    cr_assert(e0u > 0.999999 * e0 && e0u < 1.000001 * e0, "ungated run's own baseline %f vs %f", e0u, e0);
    cr_assert_eq(num_after(t0, "gated_fraction"), 0.0);

    /* bad profile / csv without a profile: one line, exit 2 */
    snprintf(cmd, sizeof cmd, "%s/sparsecim run --model %s --data random --energy /nonexistent.txt 2>&1 >/dev/null",
             tu_bin_dir(), model);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "option --energy: ") && strstr(out, "/nonexistent.txt"), "%s", out);
    snprintf(cmd, sizeof cmd, "%s/sparsecim run --model %s --data random --energy none --csv %s 2>&1 >/dev/null",
             tu_bin_dir(), model, csv);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "option --csv: needs an energy profile"), "%s", out);
    remove(model);
    remove(rep);
    remove(rep0);
    remove(csv);
}

Test(cli, remap_keeps_results_bit_exact, .timeout = 120)
{
    char rep[256], cmd[2048];
    tu_tmp_path(rep, sizeof rep, "remap");
    snprintf(cmd, sizeof cmd,
             "%s/sparsecim run --model %s/vectors/models/se-resnet14-fmnist.bnn --data fashion-mnist:test --count 3 "
             "--remap fashion-mnist:train --remap-count 20 --quiet --report %s 2>&1",
             tu_bin_dir(), tu_src_dir(), rep);
    int rc = tu_run(cmd, out, sizeof out);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "0 mismatches, RTL-chained = reference on 3/3"), "%s", out);
    cr_assert(strstr(out, "remap: conv input channels ordered by zero fraction on 20 images of fashion-mnist:train"),
              "%s", out);
    const char *js = slurp(rep);
    cr_assert(strstr(js, "\"remap\": \"fashion-mnist:train\",\n  \"remap_images\": 20,"), "%.600s", js);
    snprintf(cmd, sizeof cmd,
             "%s/sparsecim run --model %s/vectors/models/se-resnet14-fmnist.bnn --data random --remap fashion-mnist:train "
             "--remap-count 70000 2>&1 >/dev/null",
             tu_bin_dir(), tu_src_dir());
    cr_assert_eq(tu_run(cmd, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "option --remap-count: 70000 images from 0, but fashion-mnist:train has 60000"), "%s", out);
    remove(rep);
}

Test(cli, input_stationary_bit_exact, .timeout = 120)
{
    char model[256];
    make_model(model, sizeof model);
    static const char *const variants[] = {"", "--no-gating", "--small --unit 2"};
    for (size_t k = 0; k < sizeof variants / sizeof *variants; k++) {
        int rc = sh("%s/sparsecim run --model %s --data random:5 --stationary input %s 2>&1", model, variants[k], NULL);
        cr_assert_eq(rc, 0, "%s: exit %d: %s", variants[k], rc, out);
        cr_assert(strstr(out, "0 mismatches"), "%s: %s", variants[k], out);
        cr_assert(strstr(out, "s2b1b ") && strstr(out, " IS "), "%s: no input-stationary layers: %s", variants[k], out);
        cr_assert_null(strstr(out, "conv1 "), "conv1 (8-bit input) is not input-stationary: %s", out);
        cr_assert(strstr(out, "energy ("), "%s", out);
    }
    int rc = sh("%s/sparsecim run --model %s --data random --stationary input --inject s0b0a:1 2>&1 >/dev/null", model,
                NULL, NULL);
    cr_assert_eq(rc, 2, "%s", out);
    cr_assert(strstr(out, "option --stationary input: not with --inject"), "%s", out);
    rc = sh("%s/sparsecim run --model %s --data random --stationary diagonal 2>&1 >/dev/null", model, NULL, NULL);
    cr_assert_eq(rc, 2, "%s", out);
    cr_assert(strstr(out, "expected weight or input, got 'diagonal'"), "%s", out);
    remove(model);
}

/* The per-image mappings from the command line: the shipped SE model with
 * the skip and the move in the aligned layout is bit-exact, says what the SE
 * sparsity did (text and JSON: zeroed = skipped channels, index bits read),
 * and the combinations that cannot work are refused with exit 2. */
Test(cli, per_image_mappings, .timeout = 120)
{
    char rep[256], shipped[1024];
    tu_tmp_path(rep, sizeof rep, "json");
    snprintf(shipped, sizeof shipped, "%s/vectors/models/se-resnet14-fmnist.bnn", tu_src_dir());
    int rc = sh("%s/sparsecim run --model %s --data fashion-mnist:test --count 2 --layout aligned --skip-channels "
                "--dynamic-move --quiet --report %s 2>&1",
                shipped, rep, NULL);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "0 mismatches, RTL-chained = reference on 2/2"), "%s", out);
    const char *line = strstr(out, "SE sparsity: the SE gates zeroed ");
    cr_assert(line, "%s", out);
    double zeroed = 0, skipped = 0;
    cr_assert_eq(sscanf(line, "SE sparsity: the SE gates zeroed %lf%%", &zeroed), 1, "%s", line);
    const char *ns = strstr(line, "of their channels not mapped");
    cr_assert(ns && strstr(line, "(layout aligned, channel skip, dynamic move)"), "%s", line);
    while (ns > line && ns[-1] != ';')
        ns--;
    cr_assert_eq(sscanf(ns, " %lf%%", &skipped), 1, "%s", ns);
    cr_assert(zeroed > 10.0 && zeroed == skipped, "zeroed %.1f%%, skipped %.1f%%", zeroed, skipped);
    const char *js = slurp(rep);
    cr_assert(strstr(js, "\"layout\": \"aligned\",\n  \"skip_channels\": true,\n  \"dynamic_move\": true,"), "%.900s",
              js);
    cr_assert(strstr(js, "\"after_se_layers\": 6,"), "%.300s", strstr(js, "\"total\""));
    cr_assert_null(strstr(strstr(js, "\n  \"total\": "), "\"index_bits\": 0,"), "no index bits counted");
    remove(rep);
    static const char *const bad[][2] = {
        {"--layout diagonal", "option --layout: expected channel, tap or aligned, got 'diagonal'"},
        {"--stationary input --skip-channels", "option --stationary input: not with --skip-channels"},
        {"--stationary input --dynamic-move", "option --stationary input: not with --dynamic-move"},
        {"--stationary input --layout aligned", "option --stationary input: not with --layout"},
        {"--stationary input --no-skip", "option --stationary input: not with --no-skip"},
        {"--skip-channels --vectors-out /tmp/sparsecim-never", "option --skip-channels: not with --vectors-out"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        char opts[256];
        snprintf(opts, sizeof opts, "%s", bad[k][0]);
        rc = sh("%s/sparsecim run --model %s --data random %s 2>&1 >/dev/null", shipped, opts, NULL);
        cr_assert_eq(rc, 2, "%s: exit %d: %s", opts, rc, out);
        cr_assert(strstr(out, bad[k][1]), "%s: %s", opts, out);
    }
    /* a model without SE: a note, the run as without the option */
    snprintf(shipped, sizeof shipped, "%s/vectors/models/resnet14-fmnist.bnn", tu_src_dir());
    rc = sh("%s/sparsecim run --model %s --data random:1 --skip-channels --quiet 2>&1", shipped, NULL, NULL);
    cr_assert_eq(rc, 0, "%s", out);
    cr_assert(strstr(out, "note: --skip-channels: the model has no SE layer"), "%s", out);
    cr_assert_null(strstr(out, "SE sparsity"), "%s", out);
}

/* A random depthwise-separable SE model (docs/SPEC.md section 5: one job
 * per group) on the small macro: `run` bit-exact in the four gate modes
 * with P and X of every cycle, --no-gating, unit 4, the tap and aligned
 * layouts, with the per-image mappings (the grouped layers mapped
 * statically), input-stationary; golden vectors replayed by `sim` in every
 * gate mode; a grouped (--groups 2) ResNet and a bottleneck ResNet (1x1,
 * 3x3, 1x1 per block) the same way. */
Test(cli, depthwise_grouped_and_bottleneck_models, .timeout = 240)
{
    char model[256], dir[256], rep[256], cmd[2048];
    tu_tmp_path(model, sizeof model, "dwmodel");
    tu_tmp_path(dir, sizeof dir, "dwvec");
    tu_tmp_path(rep, sizeof rep, "dwrep");
    static const char *const models[] = {"--depth 8 --width 4 --depthwise --se --input 8x8x1 --seed 5",
                                         "--depth 8 --width 4 --groups 2 --se --input 8x8x1 --seed 6",
                                         "--depth 8 --width 8 --bottleneck --se --input 8x8x1 --seed 7"};
    static const char *const variants[] = {
        "--gate both --check-px", "--gate c2 --check-px", "--gate c1 --check-px", "--gate none --check-px",
        "--no-gating", "--unit 4", "--layout tap", "--layout aligned --skip-channels --dynamic-move",
        "--stationary input", "--stationary input --no-gating"};
    for (size_t mi = 0; mi < sizeof models / sizeof *models; mi++) {
        snprintf(cmd, sizeof cmd, "%s/sparsecim model random %s -o %s 2>&1", tu_bin_dir(), models[mi], model);
        cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
        for (size_t k = 0; k < sizeof variants / sizeof *variants; k++) {
            snprintf(cmd, sizeof cmd, "%s/sparsecim run --model %s --data random:3 --count 2 --small %s --report %s 2>&1",
                     tu_bin_dir(), model, variants[k], rep);
            int rc = tu_run(cmd, out, sizeof out);
            cr_assert_eq(rc, 0, "%s: %s: exit %d: %s", models[mi], variants[k], rc, out);
            cr_assert(strstr(out, "0 mismatches"), "%s: %s: %s", models[mi], variants[k], out);
            if (mi == 0 && !strstr(variants[k], "stationary"))
                cr_assert(strstr(out, "s0b0a.dw ") && strstr(out, "4x8x8>4x8x8 dw3x3 s1 "), "%s: %s", variants[k], out);
            if (mi == 1 && !strstr(variants[k], "stationary"))
                cr_assert(strstr(out, "4x8x8>4x8x8 k3x3g2 s1 "), "%s: %s", variants[k], out);
            if (mi == 2 && !strstr(variants[k], "stationary"))
                cr_assert(strstr(out, "s0b0c ") && strstr(out, "8x8x8>2x8x8 k1x1 s1 ") && strstr(out, "2x8x8>8x8x8 k1x1 s1 "),
                          "%s: %s", variants[k], out);
            if (strstr(variants[k], "stationary") && mi < 2)
                cr_assert(strstr(out, mi ? " k3x3g2 s1 IS " : " dw3x3 s1 IS "), "%s: %s", variants[k], out);
            if (mi == 0 && !strstr(variants[k], "stationary")) {
                const char *js = slurp(rep);
                cr_assert(strstr(js, "\"mismatches\": 0,") && strstr(js, "\"name\": \"s1b0b.dw\""), "%.400s", js);
            }
        }
        /* golden vectors of the model, replayed in every gate mode */
        snprintf(cmd, sizeof cmd, "rm -rf %s && %s/sparsecim vectors --model %s --data random:3 --count 2 --rows 64 "
                 "--cols 16 --seg-rows 8 -o %s --quiet 2>&1", dir, tu_bin_dir(), model, dir);
        cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
        static const char *const gates[] = {"both", "c2", "c1", "none"};
        for (size_t k = 0; k < 4; k++) {
            snprintf(cmd, sizeof cmd, "%s/sparsecim sim --vectors %s --gate %s --check-px --quiet 2>&1", tu_bin_dir(),
                     dir, gates[k]);
            int rc = tu_run(cmd, out, sizeof out);
            cr_assert_eq(rc, 0, "%s: sim --gate %s: exit %d: %s", models[mi], gates[k], rc, out);
            cr_assert(strstr(out, "0 mismatches"), "%s: sim --gate %s: %s", models[mi], gates[k], out);
        }
    }
    /* a depthwise layer of the small macro: one 9-row job per channel (s0b0a.dw: 4 channels, 4 tiles) */
    snprintf(cmd, sizeof cmd, "%s/sparsecim model random --depth 8 --width 4 --depthwise --input 8x8x1 --seed 5 -o %s && "
             "%s/sparsecim run --model %s --data random:3 --small 2>&1", tu_bin_dir(), model, tu_bin_dir(), model);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    const char *row = strstr(out, "s0b0a.dw   4x8x8>4x8x8 dw3x3 s1 ");
    int tiles = 0;
    cr_assert(row && sscanf(row, "%*s %*s %*s %*s %d", &tiles) == 1 && tiles == 4, "%s", out);
    snprintf(cmd, sizeof cmd, "rm -rf %s %s %s", dir, model, rep);
    tu_run(cmd, NULL, 0);
}

/*
 * test_rtl_cli.c - `sparsecim run` end to end: a random SE-ResNet-14 model
 * file through the reference and the macro (exit 0, per-layer table,
 * JSON report with every field and counter, waveform window), and bad
 * input (one line on stderr, exit 2).
 */
#include <criterion/criterion.h>
#include <stdio.h>
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
        {"--waves w.fst", ".vcd"},
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
    cr_assert(strstr(js, "\"name\": \"s1b0b\", \"shape\": \"32x14x14>32x14x14 k3x3 s1\", \"tiles\": 2, "), "report");
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

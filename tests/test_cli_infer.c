/*
 * test_cli_infer.c - `sparsecim infer` end to end: a random model and IDX
 * data the test writes itself; the JSON and predictions match the library's
 * own forward pass; bad input exits 2 with one line and writes nothing.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "infer/bnn_infer.h"
#include "model/bnn_model.h"
#include "model/bnn_rng.h"
#include "test_util.h"

enum { N_IMG = 20, H = 28, W = 28 };

typedef struct fixture {
    char model[256], images[256], labels[256], json[256], pred[256], spec[600];
    uint8_t px[N_IMG * H * W], lab[N_IMG];
} fixture;

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* A random SE-ResNet-8 on 28x28x1 and N_IMG random images (gzip IDX). */
static void make_fixture(fixture *f)
{
    tu_tmp_path(f->model, sizeof f->model, "model");
    tu_tmp_path(f->images, sizeof f->images, "img");
    tu_tmp_path(f->labels, sizeof f->labels, "lab");
    tu_tmp_path(f->json, sizeof f->json, "json");
    tu_tmp_path(f->pred, sizeof f->pred, "pred");
    remove(f->json);
    remove(f->pred);
    bnn_random_opts o = {.depth = 8, .width = 8, .se = 1, .in_c = 1, .in_h = H, .in_w = W, .classes = 10, .seed = 11};
    bnn_model *m;
    bnn_error err;
    cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(bnn_model_save(m, f->model, &err), 0, "%s", err.msg);
    bnn_model_free(m);
    bnn_rng r;
    bnn_rng_seed(&r, 3);
    for (int i = 0; i < N_IMG * H * W; i++)
        f->px[i] = (uint8_t)(bnn_rng_range(&r, 0, 2) ? bnn_rng_range(&r, 0, 255) : 0);
    for (int i = 0; i < N_IMG; i++)
        f->lab[i] = (uint8_t)bnn_rng_range(&r, 0, 9);
    uint8_t hdr[16] = {0, 0, 8, 3};
    be32(hdr + 4, N_IMG);
    be32(hdr + 8, H);
    be32(hdr + 12, W);
    gzFile g = gzopen(f->images, "wb");
    gzwrite(g, hdr, 16);
    gzwrite(g, f->px, sizeof f->px);
    gzclose(g);
    uint8_t lh[8] = {0, 0, 8, 1};
    be32(lh + 4, N_IMG);
    FILE *p = fopen(f->labels, "wb");
    fwrite(lh, 1, 8, p);
    fwrite(f->lab, 1, N_IMG, p);
    fclose(p);
    snprintf(f->spec, sizeof f->spec, "idx:%s,%s", f->images, f->labels);
}

static void drop_fixture(const fixture *f)
{
    remove(f->model);
    remove(f->images);
    remove(f->labels);
    remove(f->json);
    remove(f->pred);
}

static int sh(char *out, size_t len, const char *fmt, ...)
{
    char args[3000], cmd[3200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "%s/sparsecim infer %s", tu_bin_dir(), args);
    return tu_run(cmd, out, len);
}

/* The library's own predictions for images [off, off+n). */
static void reference(const fixture *f, int off, int n, int *pred, int *correct)
{
    bnn_model *m;
    bnn_error err;
    cr_assert_eq(bnn_model_load(f->model, &m, &err), 0, "%s", err.msg);
    bnn_trace *tr = bnn_trace_new(m);
    bnn_tensor *img = bnn_tensor_new(1, H, W, 8);
    *correct = 0;
    for (int i = 0; i < n; i++) {
        for (int p = 0; p < H * W; p++)
            img->v[p] = f->px[(off + i) * H * W + p];
        cr_assert_eq(bnn_forward(m, img, BNN_NAIVE, tr, &err), 0, "%s", err.msg);
        pred[i] = tr->pred;
        *correct += tr->pred == f->lab[off + i];
    }
    bnn_tensor_free(img);
    bnn_trace_free(tr);
    bnn_model_free(m);
}

static char *slurp(const char *path)
{
    FILE *p = fopen(path, "rb");
    cr_assert_not_null(p, "%s missing", path);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, p);
    buf[n] = '\0';
    fclose(p);
    return buf;
}

Test(cli_infer, json_and_predictions_match_library, .timeout = 60)
{
    fixture f;
    make_fixture(&f);
    char out[8192];
    int rc = sh(out, sizeof out, "--model %s --data %s --count 12 --offset 3 --json %s --predictions %s 2>&1", f.model,
                f.spec, f.json, f.pred);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, out);
    int want[12], correct;
    reference(&f, 3, 12, want, &correct);
    char line[64];
    snprintf(line, sizeof line, "(%d/12)", correct);
    cr_assert(strstr(out, line) && strstr(out, "s0b0se") && strstr(out, "SE stage 2"), "%s", out);
    /* JSON: the keys, the count, the accuracy and every prediction */
    const char *js = slurp(f.json);
    const char *keys[] = {"\"accuracy\"", "\"count\": 12", "\"layers\"", "\"input_zero_fraction\"",
                          "\"segment_zero_fraction\"", "\"se\"", "\"stage\": 2", "\"channels_zeroed_fraction\"",
                          "\"predictions\"", "\"wall_seconds\"", "\"name\": \"conv1\"", "\"name\": \"fc\""};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        cr_assert(strstr(js, keys[k]), "JSON lacks %s:\n%s", keys[k], js);
    double acc = atof(strstr(js, "\"accuracy\":") + 11);
    cr_assert_float_eq(acc, correct / 12.0, 1e-6);
    const char *p = strchr(strstr(js, "\"predictions\""), '[') + 1;
    for (int i = 0; i < 12; i++) {
        char *end;
        long v = strtol(p, &end, 10);
        cr_assert_neq(end, p, "prediction %d missing", i);
        cr_assert_eq(v, want[i], "prediction %d: %ld, library %d", i, v, want[i]);
        p = end + (*end == ',');
    }
    p += strspn(p, " \n");   /* the report's indentation */
    cr_assert_eq(*p, ']');
    /* predictions file: a comment line, then one class per line */
    char *pf = slurp(f.pred), *save;
    char *ln = strtok_r(pf, "\n", &save);
    cr_assert(ln && ln[0] == '#', "first line: %s", ln ? ln : "(none)");
    for (int i = 0; i < 12; i++) {
        ln = strtok_r(NULL, "\n", &save);
        cr_assert_not_null(ln);
        cr_assert_eq(atoi(ln), want[i]);
    }
    cr_assert_null(strtok_r(NULL, "\n", &save));
    /* the naive implementation writes the same predictions */
    char p2[256];
    tu_tmp_path(p2, sizeof p2, "pred2");
    rc = sh(out, sizeof out, "--model %s --data %s --count 12 --offset 3 --impl naive --predictions %s 2>&1", f.model,
            f.spec, p2);
    cr_assert_eq(rc, 0, "%s", out);
    char first[8192];
    snprintf(first, sizeof first, "%s", slurp(f.pred) /* re-read: strtok cut it */);
    cr_assert_str_eq(slurp(p2), first);
    remove(p2);
    drop_fixture(&f);
}

/* Exit 2, one line on stderr holding every needle, no output files. */
static void expect_bad(const fixture *f, const char *args, const char *n1, const char *n2)
{
    char out[4096];
    int rc = sh(out, sizeof out, "%s --json %s --predictions %s 2>&1 >/dev/null", args, f->json, f->pred);
    cr_assert_eq(rc, 2, "exit %d for %s: %s", rc, args, out);
    cr_assert(strstr(out, n1) && (!n2 || strstr(out, n2)), "message for %s: %s", args, out);
    char *nl = strchr(out, '\n');
    cr_assert(nl && nl[1] == '\0', "not one line: %s", out);
    cr_assert_neq(access(f->json, F_OK), 0, "%s written", f->json);
    cr_assert_neq(access(f->pred, F_OK), 0, "%s written", f->pred);
}

Test(cli_infer, bad_input_exit_2, .timeout = 60)
{
    fixture f;
    make_fixture(&f);
    char a[1200];
    /* a label beyond the model's 10 classes */
    FILE *p = fopen(f.labels, "r+b");
    fseek(p, 8 + 4, SEEK_SET);
    fputc(12, p);
    fclose(p);
    snprintf(a, sizeof a, "--model %s --data %s", f.model, f.spec);
    expect_bad(&f, a, "image 4 has label 12 but the model ", "has 10 classes");
    /* a model for another image size */
    bnn_random_opts o = {.depth = 8, .width = 4, .se = 0, .in_c = 3, .in_h = 32, .in_w = 32, .classes = 10, .seed = 1};
    bnn_model *m;
    bnn_error err;
    cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(bnn_model_save(m, f.model, &err), 0, "%s", err.msg);
    bnn_model_free(m);
    expect_bad(&f, a, "images are 1x28x28 (CxHxW) but the model ", "expects 3x32x32");
    /* a truncated model file, a data file that is not IDX */
    p = fopen(f.model, "r+b");
    cr_assert_eq(ftruncate(fileno(p), 40), 0);
    fclose(p);
    expect_bad(&f, a, f.model, "byte");
    drop_fixture(&f);
    make_fixture(&f);
    p = fopen(f.images, "wb");
    fputs("not an idx file at all", p);
    fclose(p);
    snprintf(a, sizeof a, "--model %s --data %s", f.model, f.spec);
    expect_bad(&f, a, f.images, "byte 0");
    drop_fixture(&f);
    make_fixture(&f);
    /* an output that cannot be created: nothing is written, not even the other file */
    char out[4096];
    int rc = sh(out, sizeof out, "--model %s --data %s --count 2 --predictions %s --json /nonexistent-dir/o.json 2>&1 "
                "> /dev/null", f.model, f.spec, f.pred);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "/nonexistent-dir/o.json") && strstr(out, "cannot write into"), "%s", out);
    cr_assert_neq(access(f.pred, F_OK), 0, "%s written", f.pred);
    /* options */
    expect_bad(&f, "--data x", "--model and --data are required", NULL);
    snprintf(a, sizeof a, "--model %s --data %s --offset 20", f.model, f.spec);
    expect_bad(&f, a, "--offset 20", NULL);
    expect_bad(&f, "--count -3", "option --count: expected an integer", NULL);
    expect_bad(&f, "--seg-rows x", "option --seg-rows: expected an integer in 0..65536, got 'x'", NULL);
    expect_bad(&f, "--frobnicate 1", "unknown option '--frobnicate'", NULL);
    drop_fixture(&f);
}

/* `sparsecim bench` (short): every figure printed, positive, and fast beats naive. */
Test(cli_bench, smoke, .timeout = 60)
{
    char cmd[600], out[8192];
    snprintf(cmd, sizeof cmd, "%s/sparsecim bench --seconds 0.1 2>&1", tu_bin_dir());
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    double peak = 0;
    const char *p = strstr(out, "popcount peak");
    cr_assert(p && sscanf(strchr(p, ':') + 1, "%lf", &peak) == 1 && peak > 0, "%s", out);
    const char *rows[] = {"3x3 16->16 28x28 ", "3x3 64->64 7x7 ", "3x3 1->16 28x28 8-bit "};
    for (int k = 0; k < 3; k++) {
        double f, n, ratio, pct;
        p = strstr(out, rows[k]);
        cr_assert_not_null(p, "%s missing:\n%s", rows[k], out);
        cr_assert_eq(sscanf(p + strlen(rows[k]), "%lf %lf %lfx %lf%%", &f, &n, &ratio, &pct), 4, "%s", p);
        cr_assert(f > n && n > 0 && ratio > 1 && pct > 0, "%s", p);
    }
    cr_assert(strstr(out, "SE-ResNet-14 28x28x1 (fast):") && strstr(out, "SE-ResNet-14 28x28x1 (naive):"), "%s", out);
    snprintf(cmd, sizeof cmd, "%s/sparsecim bench --seconds 1e9 2>&1", tu_bin_dir());
    cr_assert_eq(tu_run(cmd, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "option --seconds: expected a number in 0.1..60"), "%s", out);
}

/* CIFAR-10 records through `sparsecim infer` on a 32x32x3 model. */
Test(cli_infer, cifar10_data, .timeout = 60)
{
    char model[256], bin[256], pred[256], out[8192];
    tu_tmp_path(model, sizeof model, "model");
    tu_tmp_path(bin, sizeof bin, "cifar");
    tu_tmp_path(pred, sizeof pred, "pred");
    bnn_random_opts o = {.depth = 8, .width = 4, .se = 1, .in_c = 3, .in_h = 32, .in_w = 32, .classes = 10, .seed = 2};
    bnn_model *m;
    bnn_error err;
    cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(bnn_model_save(m, model, &err), 0, "%s", err.msg);
    FILE *f = fopen(bin, "wb");
    bnn_rng r;
    bnn_rng_seed(&r, 9);
    uint8_t rec[3073];
    int want[4];
    bnn_trace *tr = bnn_trace_new(m);
    bnn_tensor *img = bnn_tensor_new(3, 32, 32, 8);
    for (int i = 0; i < 4; i++) {
        rec[0] = (uint8_t)(i * 3);
        for (int k = 0; k < 3072; k++)
            img->v[k] = rec[1 + k] = (uint8_t)bnn_rng_range(&r, 0, 255);
        fwrite(rec, 1, sizeof rec, f);
        cr_assert_eq(bnn_forward(m, img, BNN_NAIVE, tr, &err), 0, "%s", err.msg);
        want[i] = tr->pred;
    }
    fclose(f);
    bnn_tensor_free(img);
    bnn_trace_free(tr);
    bnn_model_free(m);
    int rc = sh(out, sizeof out, "--model %s --data cifar10:%s --predictions %s 2>&1", model, bin, pred);
    cr_assert_eq(rc, 0, "%s", out);
    cr_assert(strstr(out, "[0..4)"), "%s", out);
    const char *p = strchr(slurp(pred), '\n') + 1;
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(atoi(p), want[i], "image %d", i);
        p = strchr(p, '\n') + 1;
    }
    remove(model);
    remove(bin);
    remove(pred);
}

/*
 * test_shipped.c - the shipped trained models (vectors/models/): the C
 * reference model's predictions equal the exporter's independent integer
 * model image for image (the committed .pred files, first 1000 test images),
 * and the exported integer accuracy is within 1 point of the float model's.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bnn_infer.h"
#include "bnn_model.h"
#include "ds.h"
#include "test_util.h"

static double json_number(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    char *p = strstr(buf, pat);
    cr_assert_not_null(p, "%s: no key %s", path, key);
    return strtod(p + strlen(pat), NULL);
}

static void check_model(const char *name)
{
    char bnn[1024], pred[1024], js[1024];
    snprintf(bnn, sizeof bnn, "%s/vectors/models/%s.bnn", tu_src_dir(), name);
    snprintf(pred, sizeof pred, "%s/vectors/models/%s.pred", tu_src_dir(), name);
    snprintf(js, sizeof js, "%s/vectors/models/%s.json", tu_src_dir(), name);
    FILE *pf = fopen(pred, "r");
    if (!pf)
        cr_skip_test("%s is not shipped", pred);
    ds_set *ds;
    bnn_error err;
    if (ds_load("fashion-mnist:test", &ds, &err)) {
        fclose(pf);
        cr_skip_test("dataset-fashion-mnist is not installed");
    }
    bnn_model *m;
    cr_assert_eq(bnn_model_load(bnn, &m, &err), 0, "%s", err.msg);
    bnn_trace *tr = bnn_trace_new(m);
    bnn_tensor *img = bnn_tensor_new(1, 28, 28, 8);
    char line[512];
    int i = 0, differ = 0;
    while (fgets(line, sizeof line, pf)) {
        if (line[0] == '#')
            continue;
        ds_image(ds, i, img);
        cr_assert_eq(bnn_forward(m, img, BNN_FAST, tr, &err), 0);
        if (tr->pred != atoi(line) && differ++ < 5)
            cr_log_error("%s image %d: C model %d, exporter %d", name, i, tr->pred, atoi(line));
        i++;
    }
    fclose(pf);
    cr_assert_eq(i, 1000, "%s: %d predictions, expected 1000", pred, i);
    cr_assert_eq(differ, 0, "%s: %d of 1000 predictions differ from the exporter's", name, differ);
    double ai = json_number(js, "accuracy_integer"), af = json_number(js, "accuracy_float");
    cr_assert(ai > 0.5 && af > 0.5, "accuracies %f %f", ai, af);
    cr_assert(ai >= af - 0.01, "integer accuracy %.4f more than 1 point below the float model's %.4f", ai, af);
    bnn_tensor_free(img);
    bnn_trace_free(tr);
    bnn_model_free(m);
    ds_free(ds);
}

Test(shipped, se_model_matches_exporter, .timeout = 120) { check_model("se-resnet14-fmnist"); }
Test(shipped, plain_model_matches_exporter, .timeout = 120) { check_model("resnet14-fmnist"); }

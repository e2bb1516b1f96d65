/*
 * test_shipped.c - the shipped trained models (vectors/models/): the C
 * reference model's predictions equal the exporter's independent integer
 * model image for image (the committed .pred files, first 1000 test images),
 * and the exported integer accuracy is within 1 point of the float model's;
 * on all 10,000 test images the shipped models meet the project's targets
 * (no SE >= 88%; SE >= 87% with its gates zeroing >= 40% of the channels,
 * averaged over the three stages; ResNet-20 and ResNet-32 >= 86%, issue
 * #14). The depthwise-separable model (issue
 * #14, 79.06% on the test set, below its 86% target: `sparsecim infer`)
 * is checked against its exporter only: the C model runs it at ~100
 * images/s (its depthwise layers pack 9-bit rows), too slow for the whole
 * test set under the sanitizers. The multi-value model (version 3, 12
 * convs with channel copies) and its control: against the exporter too.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infer/bnn_infer.h"
#include "model/bnn_model.h"
#include "infer/bnn_stats.h"
#include "data/ds.h"
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
Test(shipped, dw_model_matches_exporter, .timeout = 120) { check_model("dw-resnet14-fmnist"); }
Test(shipped, resnet20_model_matches_exporter, .timeout = 120) { check_model("resnet20-fmnist"); }
Test(shipped, bneck_model_matches_exporter, .timeout = 120) { check_model("bneck-se-resnet14-fmnist"); }
Test(shipped, resnet32_model_matches_exporter, .timeout = 120) { check_model("resnet32-fmnist"); }
/* multi-value weights (issue #14): the fine-tune with channel copies in the
 * spare rows, a version-3 file made by export.py, and its control */
Test(shipped, mult_model_matches_exporter, .timeout = 120)
{
    char bnn[1024];
    snprintf(bnn, sizeof bnn, "%s/vectors/models/resnet14-mult-fmnist.bnn", tu_src_dir());
    bnn_model *m;
    bnn_error err;
    cr_assert_eq(bnn_model_load(bnn, &m, &err), 0, "%s", err.msg);
    int convs = 0;
    for (int i = 0; i < m->n_layers; i++)
        convs += m->layers[i].type == BNN_CONV && m->layers[i].u.conv.mult != NULL;
    cr_assert_eq(bnn_model_file_version(m), BNN_VERSION_MULT);
    cr_assert_eq(convs, 12, "%d convs with multiplicities, expected the 12 binary convs after conv1", convs);
    bnn_model_free(m);
    check_model("resnet14-mult-fmnist");
}
Test(shipped, mult_control_matches_exporter, .timeout = 120) { check_model("resnet14-ctl-fmnist"); }
Test(shipped, mult_quarter_matches_exporter, .timeout = 120) { check_model("resnet14-multq-fmnist"); }

/* The C model on the whole test set: accuracy and, per stage, the fraction
 * of channels the SE gates zero (-1 for a stage without SE layers). */
static void whole_test_set(const ds_set *ds, const char *name, double *acc, double zeroed[3])
{
    char bnn[1024];
    snprintf(bnn, sizeof bnn, "%s/vectors/models/%s.bnn", tu_src_dir(), name);
    bnn_error err;
    bnn_model *m;
    cr_assert_eq(bnn_model_load(bnn, &m, &err), 0, "%s", err.msg);
    bnn_trace *tr = bnn_trace_new(m);
    bnn_tensor *img = bnn_tensor_new(m->in_c, m->in_h, m->in_w, m->in_bits);
    bnn_stats *st = bnn_stats_new(m, 0); /* no segment statistics: accuracy and gates only */
    cr_assert(tr && img && st);
    for (int i = 0; i < ds->count; i++) {
        ds_image(ds, i, img);
        cr_assert_eq(bnn_forward(m, img, BNN_FAST, tr, &err), 0, "%s image %d: %s", name, i, err.msg);
        cr_assert_eq(bnn_stats_add(st, m, tr, ds->labels[i]), 0);
    }
    *acc = (double)st->correct / (double)ds->count;
    for (int s = 0; s < 3; s++)
        zeroed[s] = bnn_stats_stage_zero(st, m, s);
    bnn_stats_free(st);
    bnn_tensor_free(img);
    bnn_trace_free(tr);
    bnn_model_free(m);
}

/* No .timeout: this takes about 90 s under AddressSanitizer, and with a
 * .timeout on it Criterion 2.4 (runner --jobs 2) left a 48-byte allocation
 * of its own that LeakSanitizer reports as a failure. */
Test(shipped, models_meet_the_targets)
{
    ds_set *ds;
    bnn_error err;
    if (ds_load("fashion-mnist:test", &ds, &err))
        cr_skip_test("fashion-mnist:test: %s", err.msg);
    cr_assert_eq(ds->count, 10000, "the Fashion-MNIST test set has %d images, expected 10000", ds->count);
    double acc_plain, acc_se, acc_r20, z_plain[3], z_se[3], z_r20[3];
    whole_test_set(ds, "resnet14-fmnist", &acc_plain, z_plain);
    whole_test_set(ds, "se-resnet14-fmnist", &acc_se, z_se);
    whole_test_set(ds, "resnet20-fmnist", &acc_r20, z_r20);
    ds_free(ds);
    double z_mean = 0.0;
    for (int s = 0; s < 3; s++) {
        cr_expect(z_plain[s] < 0.0, "the no-SE model has SE layers in stage %d", s);
        cr_assert(z_se[s] >= 0.0, "the SE model has no SE layer in stage %d", s);
        z_mean += z_se[s] / 3.0;
    }
    cr_log_info("no SE %.2f%%; SE %.2f%%, %.1f / %.1f / %.1f%% of the channels zeroed (mean %.1f%%)",
                100 * acc_plain, 100 * acc_se, 100 * z_se[0], 100 * z_se[1], 100 * z_se[2], 100 * z_mean);
    cr_expect(acc_plain >= 0.88, "no-SE model: %.2f%% on the test set, target >= 88%%", 100 * acc_plain);
    cr_expect(acc_se >= 0.87, "SE model: %.2f%% on the test set, target >= 87%%", 100 * acc_se);
    /* issue #14: ResNet-20 (6n+2) >= 86% */
    cr_expect(acc_r20 >= 0.86, "ResNet-20: %.2f%% on the test set, target >= 86%%", 100 * acc_r20);
    cr_expect(z_mean >= 0.40, "SE model: gates zero %.1f%% of the channels (mean over 3 stages), target >= 40%%",
              100 * z_mean);
}

/* issue #14: a deeper ResNet (6n+2) >= 86% on the whole test set; with SE,
 * its gates zero channels in every stage (the fractions are logged). */
static void deep_target(const char *name, int se)
{
    ds_set *ds;
    bnn_error err;
    if (ds_load("fashion-mnist:test", &ds, &err))
        cr_skip_test("fashion-mnist:test: %s", err.msg);
    double acc, z[3];
    whole_test_set(ds, name, &acc, z);
    ds_free(ds);
    cr_log_info("%s: %.2f%%; SE channels zeroed %.1f / %.1f / %.1f%%", name, 100 * acc, 100 * z[0], 100 * z[1],
                100 * z[2]);
    cr_expect(acc >= 0.86, "%s: %.2f%% on the test set, target >= 86%%", name, 100 * acc);
    for (int s = 0; s < 3; s++) {
        if (se)
            cr_expect(z[s] > 0.0, "%s: the SE gates of stage %d zero no channel", name, s);
        else
            cr_expect(z[s] < 0.0, "%s: the no-SE model has SE layers in stage %d", name, s);
    }
}

/* no .timeout (see models_meet_the_targets) */
Test(shipped, resnet32_meets_the_target) { deep_target("resnet32-fmnist", 0); }

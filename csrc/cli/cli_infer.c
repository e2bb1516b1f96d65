/* cli_infer.c - `sparsecim infer`: the C reference model on a data set. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "infer/bnn_infer.h"
#include "infer/bnn_stats.h"
#include "cli/cli.h"
#include "cli/cli_util.h"
#include "data/ds.h"
#include "util/outfile.h"
#include "util/jdump.h"

static const char *usage_text =
    "usage: sparsecim infer --model FILE.bnn --data SPEC [--count N] [--offset K] [--json OUT.json]\n"
    "                       [--predictions OUT.txt] [--impl fast|naive] [--seg-rows 16]\n"
    "\n"
    "Runs the integer reference model (docs/SPEC.md) on N images from K on and prints the\n"
    "accuracy, each layer's input zero fraction, the fraction of all-zero SEG_ROWS-row segments\n"
    "(channel-major rows, per bit plane) and the SE gates' zeroed channel fraction per stage.\n"
    "SPEC: fashion-mnist:train|test, idx:IMAGES,LABELS, cifar10:FILE.bin\n"
    "Default: all images from 0, --impl fast, --seg-rows 16 (0 turns segment statistics off).\n";

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* What `infer --json` reports besides the statistics. */
typedef struct infer_run {
    const char *model, *data, *impl;
    long offset, count;
    double accuracy, wall_seconds;
    long seg_rows;
    const int *pred;            /* count entries */
} infer_run;

/* The JSON report of `infer` (one jansson tree, dumped once to f: util/jdump.h). 0 or -1 (err). */
static int infer_json(FILE *f, const infer_run *r, const bnn_stats *st, const bnn_model *m, bnn_error *err)
{
    json_t *o = json_object();
    int bad = !o || jd_set(o, "model", jd_str(r->model)) || jd_set(o, "data", jd_str(r->data)) ||
              jd_set(o, "impl", jd_str(r->impl)) || jd_set(o, "offset", json_integer(r->offset)) ||
              jd_set(o, "count", json_integer(r->count)) || jd_set(o, "accuracy", jd_real(r->accuracy, "%.6f")) ||
              jd_set(o, "correct", json_integer(st->correct)) ||
              jd_set(o, "wall_seconds", jd_real(r->wall_seconds, "%.3f")) ||
              jd_set(o, "seg_rows", json_integer(r->seg_rows)) || bnn_stats_json(st, m, o) ||
              jd_set(o, "predictions", jd_ints(r->pred, (int)r->count));
    int rc = jd_dump(f, bad ? NULL : o, "report", err);
    json_decref(o);
    return rc;
}

int cli_infer(int argc, char **argv)
{
    const char *model = NULL, *data = NULL, *json = NULL, *preds = NULL;
    long count = -1, offset = 0, seg = 16;
    bnn_impl impl = BNN_FAST;
    static const char *const opts[] = {"--model", "--data", "--json", "--predictions", "--count",
                                       "--offset", "--seg-rows", "--impl"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            return 0;
        }
        size_t k = 0;
        while (k < sizeof opts / sizeof opts[0] && strcmp(a, opts[k]))
            k++;
        if (k == sizeof opts / sizeof opts[0])
            return fprintf(stderr, "sparsecim infer: %s '%s' (see --help)\n",
                           strncmp(a, "--", 2) ? "unexpected argument" : "unknown option", a), 2;
        if (!(v = cli_value("infer", argc, argv, &i)))
            return 2;
        if (!strcmp(a, "--model")) model = v;
        else if (!strcmp(a, "--data")) data = v;
        else if (!strcmp(a, "--json")) json = v;
        else if (!strcmp(a, "--predictions")) preds = v;
        else if (!strcmp(a, "--count")) { if (cli_int("infer", a, v, 1, 100000000, &count)) return 2; }
        else if (!strcmp(a, "--offset")) { if (cli_int("infer", a, v, 0, 100000000, &offset)) return 2; }
        else if (!strcmp(a, "--seg-rows")) { if (cli_int("infer", a, v, 0, 65536, &seg)) return 2; }
        else if (!strcmp(v, "fast")) impl = BNN_FAST; /* --impl */
        else if (!strcmp(v, "naive")) impl = BNN_NAIVE;
        else return fprintf(stderr, "sparsecim infer: option --impl: expected fast or naive, got '%s'\n", v), 2;
    }
    if (!model || !data)
        return fprintf(stderr, "sparsecim infer: --model and --data are required (see --help)\n"), 2;
    {
        cli_inputs in = {.n = 0};
        cli_inputs_add(&in, model);
        cli_inputs_add_spec(&in, data);
        const char *outs[] = {json, preds}, *onames[] = {"--json", "--predictions"};
        if (cli_check_outputs("infer", &in, outs, onames, 2))
            return 2;
    }
    bnn_error err;
    bnn_model *m = NULL;
    ds_set *ds = NULL;
    if (bnn_model_load(model, &m, &err) || ds_load(data, &ds, &err)) {
        fprintf(stderr, "sparsecim infer: %s\n", err.msg);
        bnn_model_free(m);
        return 2;
    }
    int rc = 2;
    bnn_trace *tr = NULL;
    bnn_tensor *img = NULL;
    bnn_stats *st = NULL;
    int *pred = NULL;
    out_file jo = {0}, po = {0};
    if (ds_check_use(ds, m, data, model, "--", offset, &count, &err)) {
        fprintf(stderr, "sparsecim infer: %s\n", err.msg);
        goto done;
    }
    tr = bnn_trace_new(m);
    img = bnn_tensor_new(m->in_c, m->in_h, m->in_w, m->in_bits);
    st = bnn_stats_new(m, (int)seg);
    pred = calloc((size_t)count, sizeof *pred);
    if (!tr || !img || !st || !pred) {
        fprintf(stderr, "sparsecim infer: out of memory\n");
        goto done;
    }
    /* outputs are opened (as temporary files) before the run, so a bad path
     * fails at once, and renamed into place together at the end */
    {
        const char *ins[] = {model};
        if ((preds && out_open(&po, preds, ins, 1, &err)) || (json && out_open(&jo, json, ins, 1, &err))) {
            fprintf(stderr, "sparsecim infer: option %s: %s\n", po.f || !preds ? "--json" : "--predictions", err.msg);
            goto done;
        }
    }
    int tty = isatty(2);
    double t0 = now_s();
    for (long n = 0; n < count; n++) {
        int idx = (int)(offset + n);
        ds_image(ds, idx, img);
        if (bnn_forward(m, img, impl, tr, &err)) {
            fprintf(stderr, "sparsecim infer: image %d: %s\n", idx, err.msg);
            goto done;
        }
        pred[n] = tr->pred;
        if (bnn_stats_add(st, m, tr, ds->labels[idx])) {
            fprintf(stderr, "sparsecim infer: out of memory\n");
            goto done;
        }
        if (tty && count >= 200)
            cli_progress(stderr, tty, (int)n + 1, (int)count, "infer");
    }
    double wall = now_s() - t0;
    double acc = (double)st->correct / (double)count;
    printf("%s on %s [%ld..%ld): accuracy %.2f%% (%d/%ld), %.1f images/s\n", model, data, offset, offset + count,
           100.0 * acc, st->correct, count, (double)count / wall);
    printf("%-10s %10s %10s\n", "layer", "in_zero", "seg_zero");
    for (int i = 0; i < m->n_layers; i++) {
        double z = (double)st->in_zero[i] / (double)st->in_total[i];
        if (st->seg_total[i])
            printf("%-10s %10.3f %10.3f\n", m->layers[i].name, z,
                   (double)st->seg_zero[i] / (double)st->seg_total[i]);
        else
            printf("%-10s %10.3f %10s\n", m->layers[i].name, z, "-");
    }
    for (int s = 0; s < 3; s++) {
        double z = bnn_stats_stage_zero(st, m, s);
        if (z >= 0.0)
            printf("SE stage %d: %.1f%% of channels zeroed by the gates\n", s, 100.0 * z);
    }
    if (preds) {
        fprintf(po.f, "# predictions of %s on %s from image %ld\n", model, data, offset);
        for (long n = 0; n < count; n++)
            fprintf(po.f, "%d\n", pred[n]);
    }
    if (json) {
        infer_run run = {model, data, impl == BNN_FAST ? "fast" : "naive", offset, count, acc, wall, seg, pred};
        if (infer_json(jo.f, &run, st, m, &err)) {
            fprintf(stderr, "sparsecim infer: option --json: %s: %s\n", json, err.msg);
            goto done;
        }
    }
    if ((preds && out_commit(&po, &err)) || (json && out_commit(&jo, &err))) {
        fprintf(stderr, "sparsecim infer: %s\n", err.msg);
        goto done;
    }
    if (preds)
        printf("wrote %s\n", preds);
    if (json)
        printf("wrote %s\n", json);
    rc = 0;
done:
    out_abort(&jo);
    out_abort(&po);
    free(pred);
    bnn_stats_free(st);
    bnn_tensor_free(img);
    bnn_trace_free(tr);
    ds_free(ds);
    bnn_model_free(m);
    return rc;
}

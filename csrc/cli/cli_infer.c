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
typedef struct infer_report {
    const char *model, *data, *impl;
    long offset, count;
    double accuracy, wall_seconds;
    long seg_rows;
    const int *pred;            /* count entries */
} infer_report;

/* The JSON report of `infer` (one jansson tree, dumped once to f: util/jdump.h). 0 or -1 (err). */
static int infer_json(FILE *f, const infer_report *r, const bnn_stats *st, const bnn_model *m, bnn_error *err)
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

enum { I_MODEL = 1, I_DATA, I_COUNT, I_OFFSET, I_JSON, I_PREDICTIONS, I_IMPL, I_SEG_ROWS };

static const cli_opt infer_opts[] = {
    CLI_OPT_STR("model", I_MODEL, NULL),
    CLI_OPT_STR("data", I_DATA, NULL),
    CLI_OPT_INT("count", I_COUNT, 1, 100000000),
    CLI_OPT_INT("offset", I_OFFSET, 0, 100000000),
    CLI_OPT_STR("json", I_JSON, NULL),
    CLI_OPT_STR("predictions", I_PREDICTIONS, NULL),
    CLI_OPT_STR("impl", I_IMPL, "fast or naive"),
    CLI_OPT_INT("seg-rows", I_SEG_ROWS, 0, 65536),
    CLI_OPT_END,
};

/* The command line of infer. */
typedef struct infer_args {
    const char *model, *data, *json, *preds;
    long count, offset, seg;    /* count -1: to the end of the set */
    bnn_impl impl;
} infer_args;

/* The command line into a, its outputs checked: 0, 1 (help printed) or -1 (message printed). */
static int infer_parse(int argc, char **argv, infer_args *a)
{
    static const char *const impls[] = {"naive", "fast"};   /* by bnn_impl */
    cli_parser p;
    cli_parse_init(&p, "infer", argc, argv, infer_opts, NULL, 0);
    for (int id; (id = cli_next(&p)) != CLI_DONE;) {
        int k;
        switch (id) {
        case CLI_HELP: fputs(usage_text, stdout); return 1;
        case CLI_ERROR: return -1;
        case I_MODEL: a->model = p.val; break;
        case I_DATA: a->data = p.val; break;
        case I_JSON: a->json = p.val; break;
        case I_PREDICTIONS: a->preds = p.val; break;
        case I_COUNT: a->count = p.num; break;
        case I_OFFSET: a->offset = p.num; break;
        case I_SEG_ROWS: a->seg = p.num; break;
        default: /* I_IMPL */
            if ((k = cli_enum(p.val, impls, 2)) < 0)
                return cli_bad_value(&p);
            a->impl = (bnn_impl)k;
        }
    }
    if (!a->model || !a->data)
        return fprintf(stderr, "sparsecim infer: --model and --data are required (see --help)\n"), -1;
    cli_inputs in = {.n = 0};
    cli_inputs_add(&in, a->model);
    cli_inputs_add_spec(&in, a->data);
    const char *outs[] = {a->json, a->preds}, *onames[] = {"--json", "--predictions"};
    return cli_check_outputs("infer", &in, outs, onames, 2);
}

/* What a run of infer holds. */
typedef struct infer_run {
    bnn_model *m;
    ds_set *ds;
    bnn_trace *tr;
    bnn_tensor *img;
    bnn_stats *st;
    int *pred;
    out_file jo, po;    /* --json, --predictions */
    double wall;
} infer_run;

/* The images through the reference model: predictions and statistics. 0 or -1 (message printed). */
static int infer_images(const infer_args *a, infer_run *x)
{
    bnn_error err;
    int tty = isatty(2);
    double t0 = now_s();
    for (long n = 0; n < a->count; n++) {
        int idx = (int)(a->offset + n);
        ds_image(x->ds, idx, x->img);
        if (bnn_forward(x->m, x->img, a->impl, x->tr, &err)) {
            fprintf(stderr, "sparsecim infer: image %d: %s\n", idx, err.msg);
            return -1;
        }
        x->pred[n] = x->tr->pred;
        if (bnn_stats_add(x->st, x->m, x->tr, x->ds->labels[idx])) {
            fprintf(stderr, "sparsecim infer: out of memory\n");
            return -1;
        }
        if (tty && a->count >= 200)
            cli_progress(stderr, tty, (int)n + 1, (int)a->count, "infer");
    }
    x->wall = now_s() - t0;
    return 0;
}

/* The accuracy line, the per-layer zero fractions, the SE stages. */
static void infer_print(const infer_args *a, const infer_run *x)
{
    const bnn_model *m = x->m;
    const bnn_stats *st = x->st;
    double acc = (double)st->correct / (double)a->count;
    printf("%s on %s [%ld..%ld): accuracy %.2f%% (%d/%ld), %.1f images/s\n", a->model, a->data, a->offset,
           a->offset + a->count, 100.0 * acc, st->correct, a->count, (double)a->count / x->wall);
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
}

/* --predictions and --json into their (temporary) files. 0 or -1 (message printed). */
static int infer_write(const infer_args *a, infer_run *x, bnn_error *err)
{
    if (a->preds) {
        fprintf(x->po.f, "# predictions of %s on %s from image %ld\n", a->model, a->data, a->offset);
        for (long n = 0; n < a->count; n++)
            fprintf(x->po.f, "%d\n", x->pred[n]);
    }
    if (!a->json)
        return 0;
    infer_report r = {a->model, a->data, a->impl == BNN_FAST ? "fast" : "naive", a->offset, a->count,
                      (double)x->st->correct / (double)a->count, x->wall, a->seg, x->pred};
    if (infer_json(x->jo.f, &r, x->st, x->m, err)) {
        fprintf(stderr, "sparsecim infer: option --json: %s: %s\n", a->json, err->msg);
        return -1;
    }
    return 0;
}

/* Loads, runs, prints and writes. 0 or -1 (message printed). */
static int infer_main(infer_args *a, infer_run *x)
{
    bnn_error err;
    if (bnn_model_load(a->model, &x->m, &err) || ds_load(a->data, &x->ds, &err) ||
        ds_check_use(x->ds, x->m, a->data, a->model, "--", a->offset, &a->count, &err)) {
        fprintf(stderr, "sparsecim infer: %s\n", err.msg);
        return -1;
    }
    x->tr = bnn_trace_new(x->m);
    x->img = bnn_tensor_new(x->m->in_c, x->m->in_h, x->m->in_w, x->m->in_bits);
    x->st = bnn_stats_new(x->m, (int)a->seg);
    x->pred = calloc((size_t)a->count, sizeof *x->pred);
    if (!x->tr || !x->img || !x->st || !x->pred) {
        fprintf(stderr, "sparsecim infer: out of memory\n");
        return -1;
    }
    /* outputs are opened (as temporary files) before the run, so a bad path
     * fails at once, and renamed into place together at the end */
    const char *ins[] = {a->model};
    if ((a->preds && out_open(&x->po, a->preds, ins, 1, &err)) || (a->json && out_open(&x->jo, a->json, ins, 1, &err))) {
        fprintf(stderr, "sparsecim infer: option %s: %s\n", x->po.f || !a->preds ? "--json" : "--predictions", err.msg);
        return -1;
    }
    if (infer_images(a, x))
        return -1;
    infer_print(a, x);
    if (infer_write(a, x, &err))
        return -1;
    if ((a->preds && out_commit(&x->po, &err)) || (a->json && out_commit(&x->jo, &err))) {
        fprintf(stderr, "sparsecim infer: %s\n", err.msg);
        return -1;
    }
    if (a->preds)
        printf("wrote %s\n", a->preds);
    if (a->json)
        printf("wrote %s\n", a->json);
    return 0;
}

int cli_infer(int argc, char **argv)
{
    infer_args a = {.count = -1, .offset = 0, .seg = 16, .impl = BNN_FAST};
    int k = infer_parse(argc, argv, &a);
    if (k)
        return k > 0 ? 0 : 2;
    infer_run x = {0};
    int rc = infer_main(&a, &x) ? 2 : 0;
    out_abort(&x.jo);
    out_abort(&x.po);
    free(x.pred);
    bnn_stats_free(x.st);
    bnn_tensor_free(x.img);
    bnn_trace_free(x.tr);
    ds_free(x.ds);
    bnn_model_free(x.m);
    return rc;
}

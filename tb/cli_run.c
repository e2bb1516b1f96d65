/*
 * cli_run.c - `sparsecim run`: model + data through the C reference model
 * (BNN_FAST) and the simulated macro in one process, every layer checked
 * bit-exactly (tb_drv.h), with a per-layer table, per-image predictions
 * and an optional JSON report (tb_cli.h).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bnn_infer.h"
#include "cli.h"
#include "cli_util.h"
#include "ds.h"
#include "remap.h"
#include "tb_act.h"
#include "tb_cli.h"
#include "tb_is.h"
#include "vec.h"

static const char usage_text[] =
    "usage: sparsecim run --model FILE.bnn --data SPEC [--count N] [--offset K] [options]\n"
    "\n"
    "Runs N images (default 1) through the C reference model and, layer by layer, through the\n"
    "simulated macro (every MAC of every conv and FC layer), comparing every dot, gate, output bit\n"
    "and the prediction bit-exactly. Each layer consumes the reference's input, so a mismatch does\n"
    "not cascade; the RTL-chained prediction is reported too. SPEC: a data set (fashion-mnist:test,\n"
    "idx:IMAGES,LABELS, cifar10:FILE.bin) or random[:SEED] (random pixels, no labels).\n"
    "\n"
    "Options:\n"
    "  --count N           images (default 1)\n"
    "  --offset K          first image index (default 0)\n"
    "  --vectors-out DIR   also write every array job of every image as golden vector files\n"
    "                      (csrc/vec.h, as sparsecim vectors does) into DIR, for sim --vectors DIR\n"
    "  --inject LAYER:I    checker self-test: add 2 to the reference's dot I of LAYER (conv dot,\n"
    "                      SE fc1 dot or logit) for the first image; the run must report it\n"
    "  --remap SPEC        channel remap (\"move\"): order each conv layer's input channels by their\n"
    "                      zero fraction on calibration images of SPEC (e.g. fashion-mnist:train),\n"
    "                      so that often-zero channels share segments (csrc/remap.h)\n"
    "  --remap-count N     calibration images (default 100), from --remap-offset K (default 0)\n"
    "  --stationary weight|input  weight (default): weights in the cells, inputs on the word lines;\n"
    "                      input: the binary conv layers only, activations in the cells, weight bits\n"
    "                      on the word lines, dots rebuilt from the RTL and checked (tb/tb_is.h); with\n"
    "                      gating, each tile's stored-zero flags are written (SET_ZF) after its rows\n"
    "  --no-zero-flags     input-stationary: write no stored-zero flags (gating on the word lines only)\n";

static const char exit_text[] = "Exit status: 0 all equal, 1 mismatches, 2 bad input, watchdog stop or error.\n";

typedef struct run_ctx {
    const tb_cli_common *c;
    const bnn_model *m;
    const ds_set *ds;       /* NULL: random images */
    uint64_t seed;
    long count, offset;
    int *pred, *chained, *ref_pred, *label;
    int correct, chained_equal;
    uint64_t mismatches;
    vec_writer *vw;         /* --vectors-out, or NULL */
    int inject_layer;       /* -1: none */
    long inject_index;
    tb_layer_stats *ls;     /* copied out of the driver */
    int nl;
    int input_stationary;   /* --stationary input */
    char err[600];
} run_ctx;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The reference value --inject corrupts (NULL: none at that index); *n its count. */
static int32_t *inject_target(const bnn_model *m, bnn_trace *tr, int li, long *n)
{
    const bnn_layer *l = &m->layers[li];
    if (l->type == BNN_CONV) {
        *n = (long)l->u.conv.out_c * l->u.conv.out_h * l->u.conv.out_w;
        return tr ? tr->dot[li] : NULL;
    }
    if (l->type == BNN_SE) {
        *n = l->u.se.hidden;
        return tr ? tr->se_dot1[li] : NULL;
    }
    *n = l->u.cls.classes;
    return tr ? tr->logits : NULL;
}

static void inject(run_ctx *r, bnn_trace *tr)
{
    long n;
    int32_t *v = inject_target(r->m, tr, r->inject_layer, &n);
    if (v && r->inject_index < n)
        v[r->inject_index] += 2;
}

/* Image idx of the data set, or of random:SEED. */
static void load_image(const run_ctx *r, long idx, bnn_tensor *img)
{
    if (r->ds)
        ds_image(r->ds, (int)idx, img);
    else
        ds_random_image(img, r->seed, idx);
}

/* The body: runs on the DUT (for SystemC inside the SC_THREAD). */
static int run_body(cim_dut *dut, void *arg)
{
    run_ctx *r = arg;
    bnn_error err;
    int rc = -1;
    bnn_trace *tr = bnn_trace_new(r->m);
    bnn_tensor *img = bnn_tensor_new(r->m->in_c, r->m->in_h, r->m->in_w, r->m->in_bits);
    tb_ctx *tb = tr && img && !r->input_stationary ? tb_new(dut, r->m, &r->c->o, &err) : NULL;
    if (!tr || !img || (!tb && !r->input_stationary)) {
        snprintf(r->err, sizeof r->err, "%s", tr && img ? err.msg : "out of memory");
        goto done;
    }
    int tty = isatty(2);
    if (r->input_stationary) {
        /* the binary conv layers only, activations in the cells (tb/tb_is.h) */
        tb_layer_stats *all = calloc((size_t)r->m->n_layers, sizeof *all);
        if (!all) {
            snprintf(r->err, sizeof r->err, "out of memory");
            goto done;
        }
        tb_opts o = r->c->o;
        dut_reset(dut); /* the host's array models start from the reset state */
        tb_act *act = tb_act_new(dut, o.gate, &err);
        if (!act) {
            snprintf(r->err, sizeof r->err, "%s", err.msg);
            free(all);
            goto done;
        }
        for (long n = 0; n < r->count; n++) {
            long idx = r->offset + n;
            load_image(r, idx, img);
            if (bnn_forward(r->m, img, BNN_FAST, tr, &err) ||
                tb_is_image(dut, r->m, tr, (int)n, &o, act, all, &r->mismatches, &err)) {
                snprintf(r->err, sizeof r->err, "image %ld: %s", idx, err.msg);
                tb_act_free(act);
                free(all);
                goto done;
            }
            r->pred[n] = r->chained[n] = r->ref_pred[n] = tr->pred;   /* the reference's: no RTL classifier here */
            r->label[n] = r->ds ? r->ds->labels[idx] : -1;
            r->correct += r->ds && tr->pred == r->label[n];
            r->chained_equal++;
            if (r->count > 1)
                cli_progress(stderr, tty, (int)n + 1, (int)r->count, "run");
        }
        tb_act_free(act);
        r->nl = 0;
        for (int i = 0; i < r->m->n_layers; i++)
            if (all[i].name[0])
                all[r->nl++] = all[i];
        r->ls = all;
        rc = 0;
        goto done;
    }
    for (long n = 0; n < r->count; n++) {
        long idx = r->offset + n;
        load_image(r, idx, img);
        tb_image_result res;
        int bad = bnn_forward(r->m, img, BNN_FAST, tr, &err);
        if (!bad && r->vw)
            bad = vec_writer_image(r->vw, r->m, tr, (int)idx, r->ds ? r->ds->labels[idx] : -1, &err);
        if (!bad && n == 0 && r->inject_layer >= 0)
            inject(r, tr);
        if (bad || tb_run_image(tb, tr, (int)idx, &res, &err)) {
            snprintf(r->err, sizeof r->err, "image %ld: %s", idx, err.msg);
            goto done;
        }
        r->pred[n] = res.pred;
        r->chained[n] = res.chained_pred;
        r->ref_pred[n] = res.ref_pred;
        r->label[n] = r->ds ? r->ds->labels[idx] : -1;
        r->correct += r->ds && res.pred == r->label[n];
        r->chained_equal += res.chained_pred == res.ref_pred;
        if (r->count > 1)
            cli_progress(stderr, tty, (int)n + 1, (int)r->count, "run");
    }
    const tb_layer_stats *ls = tb_stats(tb, &r->nl);
    r->ls = malloc((size_t)r->nl * sizeof *r->ls);
    if (!r->ls) {
        snprintf(r->err, sizeof r->err, "out of memory");
        goto done;
    }
    memcpy(r->ls, ls, (size_t)r->nl * sizeof *r->ls);
    r->mismatches = tb_mismatches(tb);
    rc = 0;
done:
    tb_free(tb);
    bnn_tensor_free(img);
    bnn_trace_free(tr);
    return rc;
}

int cli_run(int argc, char **argv)
{
    const char *model = NULL, *data = NULL, *inject_spec = NULL, *vec_dir = NULL, *remap_spec = NULL;
    long count = 1, offset = 0, remap_count = 100, remap_offset = 0;
    int stationary = 0;
    tb_cli_common c;
    tb_cli_common_init(&c);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("%s%s\n%s", usage_text, tb_cli_common_help, exit_text);
            return 0;
        }
        int k = tb_cli_common_arg(&c, "run", argc, argv, &i);
        if (k < 0)
            return 2;
        if (k > 0)
            continue;
        if (!strcmp(a, "--no-zero-flags")) {
            c.o.no_zero_flags = 1;
            continue;
        }
        if (!strcmp(a, "--model") || !strcmp(a, "--data") || !strcmp(a, "--count") || !strcmp(a, "--offset") ||
            !strcmp(a, "--inject") || !strcmp(a, "--vectors-out") || !strcmp(a, "--remap") ||
            !strcmp(a, "--remap-count") || !strcmp(a, "--remap-offset") || !strcmp(a, "--stationary")) {
            if (!(v = cli_value("run", argc, argv, &i)))
                return 2;
            if (!strcmp(a, "--stationary")) {
                if (!strcmp(v, "input"))
                    stationary = 1;
                else if (strcmp(v, "weight"))
                    return fprintf(stderr, "sparsecim run: option --stationary: expected weight or input, got '%s'\n",
                                   v), 2;
            } else if (!strcmp(a, "--remap"))
                remap_spec = v;
            else if (!strcmp(a, "--remap-count")) {
                if (cli_int("run", a, v, 1, 1000000, &remap_count))
                    return 2;
            } else if (!strcmp(a, "--remap-offset")) {
                if (cli_int("run", a, v, 0, 100000000, &remap_offset))
                    return 2;
            } else if (!strcmp(a, "--inject"))
                inject_spec = v;
            else if (!strcmp(a, "--vectors-out"))
                vec_dir = v;
            else if (!strcmp(a, "--model"))
                model = v;
            else if (!strcmp(a, "--data"))
                data = v;
            else if (cli_int("run", a, v, a[2] == 'c' ? 1 : 0, 100000000, a[2] == 'c' ? &count : &offset))
                return 2;
            continue;
        }
        fprintf(stderr, "sparsecim run: unknown argument '%s' (see sparsecim run --help)\n", a);
        return 2;
    }
    if (!model || !data) {
        fprintf(stderr, "sparsecim run: --model and --data are required (see sparsecim run --help)\n");
        return 2;
    }
    int per_image_map = c.o.skip_channels || c.o.dynamic_move;
    if (c.o.no_zero_flags && !stationary) {
        fprintf(stderr, "sparsecim run: option --no-zero-flags: only with --stationary input\n");
        return 2;
    }
    if (stationary && (inject_spec || vec_dir || remap_spec || per_image_map || c.o.layout != MAP_CHANNEL_MAJOR)) {
        fprintf(stderr, "sparsecim run: option --stationary input: not with %s\n",
                inject_spec ? "--inject" : vec_dir ? "--vectors-out" : remap_spec ? "--remap" :
                c.o.skip_channels ? "--skip-channels" : c.o.dynamic_move ? "--dynamic-move" :
                "--layout (the activations are the rows)");
        return 2;
    }
    if (per_image_map && vec_dir) {
        fprintf(stderr, "sparsecim run: option %s: not with --vectors-out (the vectors hold the static mapping)\n",
                c.o.skip_channels ? "--skip-channels" : "--dynamic-move");
        return 2;
    }
    cli_inputs in = {.n = 0};
    cli_inputs_add(&in, model);
    cli_inputs_add_spec(&in, data);
    cli_inputs_add_spec(&in, remap_spec);
    if (tb_cli_check_outputs(&c, "run", &in) || tb_cli_resolve(&c, "run")) {
        tb_cli_cleanup(&c);
        return 2;
    }
    bnn_error err;
    bnn_model *m = NULL;
    ds_set *ds = NULL;
    run_ctx r = {.c = &c, .count = count, .offset = offset, .inject_layer = -1, .input_stationary = stationary};
    c.input_stationary = stationary;
    remap_stats *rs = NULL;
    int rc = 2;
    if (bnn_model_load(model, &m, &err)) {
        fprintf(stderr, "sparsecim run: %s\n", err.msg);
        return 2;
    }
    r.m = m;
    if (per_image_map) {
        int n_se = 0;
        for (int i = 0; i < m->n_layers; i++)
            n_se += m->layers[i].type == BNN_SE;
        if (!n_se)
            fprintf(stderr, "sparsecim run: note: %s: the model has no SE layer; every layer keeps its static map\n",
                    c.o.skip_channels ? "--skip-channels" : "--dynamic-move");
    }
    if (remap_spec) {
        ds_set *cal = NULL;
        bnn_trace *ctr = NULL;
        bnn_tensor *cimg = NULL;
        int bad = 0;
        if (ds_load(remap_spec, &cal, &err)) {
            fprintf(stderr, "sparsecim run: option --remap: %s\n", err.msg);
            bad = 1;
        } else if (ds_check_use(cal, m, remap_spec, model, "--remap-", remap_offset, &remap_count, &err)) {
            fprintf(stderr, "sparsecim run: %s\n", err.msg);
            bad = 1;
        } else if (!(rs = remap_new(m)) || !(ctr = bnn_trace_new(m)) ||
                   !(cimg = bnn_tensor_new(m->in_c, m->in_h, m->in_w, m->in_bits))) {
            fprintf(stderr, "sparsecim run: out of memory\n");
            bad = 1;
        }
        for (long n = 0; !bad && n < remap_count; n++) {
            ds_image(cal, (int)(remap_offset + n), cimg);
            if (bnn_forward(m, cimg, BNN_FAST, ctr, &err)) {
                fprintf(stderr, "sparsecim run: option --remap: image %ld: %s\n", remap_offset + n, err.msg);
                bad = 1;
            } else {
                remap_add(rs, ctr);
            }
        }
        bnn_tensor_free(cimg);
        bnn_trace_free(ctr);
        ds_free(cal);
        if (bad || !(c.o.perm = remap_perms(rs))) {
            if (!bad)
                fprintf(stderr, "sparsecim run: out of memory\n");
            goto done;
        }
        c.remap = remap_spec;
        c.remap_images = (int)remap_count;
    }
    if (inject_spec) {
        const char *colon = strrchr(inject_spec, ':');
        long n = 0;
        for (int li = 0; colon && li < m->n_layers; li++)
            if ((size_t)(colon - inject_spec) == strlen(m->layers[li].name) &&
                !strncmp(inject_spec, m->layers[li].name, (size_t)(colon - inject_spec)))
                r.inject_layer = li;
        if (r.inject_layer < 0) {
            fprintf(stderr, "sparsecim run: option --inject: expected LAYER:INDEX with a layer of %s, got '%s'\n",
                    model, inject_spec);
            goto done;
        }
        inject_target(m, NULL, r.inject_layer, &n);
        if (cli_int("run", "--inject INDEX", colon + 1, 0, n - 1, &r.inject_index))
            goto done;
    }
    if (!strncmp(data, "random", 6) && (data[6] == 0 || data[6] == ':')) {
        long seed = 1;
        if (data[6] == ':' && cli_int("run", "--data random:SEED", data + 7, 0, 0x7fffffffL, &seed))
            goto done;
        r.seed = (uint64_t)seed;
    } else {
        if (ds_load(data, &ds, &err)) {
            fprintf(stderr, "sparsecim run: %s\n", err.msg);
            goto done;
        }
        if (ds_check_use(ds, m, data, model, "--", offset, &count, &err)) {
            fprintf(stderr, "sparsecim run: %s\n", err.msg);
            goto done;
        }
        r.ds = ds;
    }
    r.pred = calloc((size_t)count, sizeof *r.pred);
    r.chained = calloc((size_t)count, sizeof *r.chained);
    r.ref_pred = calloc((size_t)count, sizeof *r.ref_pred);
    r.label = calloc((size_t)count, sizeof *r.label);
    if (!r.pred || !r.chained || !r.ref_pred || !r.label) {
        fprintf(stderr, "sparsecim run: out of memory\n");
        goto done;
    }
    if (vec_dir) {
        map_cfg vcfg = {c.geom->rows, c.geom->cols, c.geom->seg_rows, c.o.layout, NULL, 0};
        if (!(r.vw = vec_writer_open(vec_dir, &vcfg, model, data, &err))) {
            fprintf(stderr, "sparsecim run: option --vectors-out: %s\n", err.msg);
            goto done;
        }
    }
    char derr[512] = "";
    double t0 = now_s();
    int brc = c.be->run(c.geom, c.waves, (uint64_t)c.from, (uint64_t)c.to, run_body, &r, derr, sizeof derr);
    double wall = now_s() - t0;
    if (brc) {
        char ebuf[1200];
        fprintf(stderr, "sparsecim run: %s\n", tb_cli_error(&c, r.err[0] ? r.err : derr, ebuf, sizeof ebuf));
        goto done;
    }
    if (r.vw) {
        vec_writer *vw = r.vw;
        r.vw = NULL;
        if (vec_writer_close(vw, &err)) {
            fprintf(stderr, "sparsecim run: option --vectors-out: %s\n", err.msg);
            goto done;
        }
    }
    if (!c.quiet) {
        tb_cli_table(stdout, r.ls, r.nl);
        for (long n = 0; n < count && (n < 100 || count <= 1000); n++) {
            printf("image %ld: predicted %d, reference %d, RTL-chained %d", offset + n, r.pred[n], r.ref_pred[n],
                   r.chained[n]);
            if (ds)
                printf(", true %d%s", r.label[n], r.pred[n] == r.label[n] ? "" : " (wrong)");
            printf("\n");
        }
    }
    uint64_t cycles = 0, macs = 0;
    for (int i = 0; i < r.nl; i++) {
        cycles += r.ls[i].cycles;
        macs += r.ls[i].macs;
    }
    char gname[32];
    tb_cli_geom_name(c.geom, gname, sizeof gname);
    printf("%ld images, %s %s, gate %s, unit %d: %llu mismatches, RTL-chained = reference on %d/%ld",
           count, c.be->name, gname, tb_gate_name(c.o.gate), 1 << c.o.unit_log2,
           (unsigned long long)r.mismatches, r.chained_equal, count);
    if (ds)
        printf(", accuracy %.2f%%", 100.0 * r.correct / (double)count);
    printf(", %llu cycles, %.3f s (%.0f cycles/s, %.3g binary MACs/s)\n", (unsigned long long)cycles, wall,
           (double)cycles / wall, (double)macs * (double)count / wall);
    if (c.waves && !c.saif_tmp)
        printf("waves: %s (cycles %ld..%ld)\n", c.waves, c.from, c.to);
    if (c.remap)
        printf("remap: conv input channels ordered by zero fraction on %d images of %s from %ld\n", c.remap_images,
               c.remap, remap_offset);
    if (!r.input_stationary)
        tb_cli_se_summary(stdout, &c, r.ls, r.nl);
    if (tb_cli_energy(stdout, &c, "run", r.ls, r.nl, (int)count))
        goto done;
    if (tb_cli_saif(&c, "run"))
        goto done;
    tb_cli_summary s = {"run", model, data, (int)count, r.correct, r.chained_equal == count, r.mismatches,
                        r.pred, r.chained, r.ref_pred, ds ? r.label : NULL, wall};
    if (tb_cli_report(&c, "run", &s, r.ls, r.nl))
        goto done;
    rc = r.mismatches || r.chained_equal != count ? 1 : 0;
done:
    tb_cli_cleanup(&c);
    remap_free(rs);
    vec_writer_abort(r.vw);
    free(r.pred);
    free(r.chained);
    free(r.ref_pred);
    free(r.label);
    free(r.ls);
    ds_free(ds);
    bnn_model_free(m);
    return rc;
}

/*
 * cli_run.c - `sparsecim run`: model + data through the reference model and
 * the verilated macro in one process, every layer checked bit-exactly, with
 * a per-layer table of cycles, mismatches, gating and a JSON report.
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
#include "dut.h"
#include "tb_drv.h"

static const char *usage_text =
    "usage: sparsecim run --model FILE.bnn --data SPEC [--count N] [--offset K] [--report OUT.json]\n"
    "                     [--no-gating] [--unit 1|2|4|8] [--layout channel|tap] [--geometry NAME]\n"
    "                     [--waves FILE.vcd] [--window FROM:TO] [--max-mismatch N] [--quiet]\n"
    "\n"
    "Runs N images (default 8) through the C reference model and, layer by layer, through the\n"
    "verilated macro (every MAC of every conv and FC layer), comparing every dot, gate and output\n"
    "bit-exactly. Prints a per-layer table and each image's predicted and true class.\n"
    "  --no-gating      ungated baseline (results must not change)\n"
    "  --unit U         control unit of U segments (default 1)\n"
    "  --geometry NAME  verilated macro build (default 256x64s16; also 64x16s8)\n"
    "  --waves F.vcd    VCD of the macro, cycles FROM..TO of --window (default 0:2000)\n"
    "Exit status: 0 all equal, 1 mismatches, 2 bad input or a watchdog stop.\n";

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double frac(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 0.0; }

static void write_report(FILE *f, const char *model, const char *data, const tb_opts *o, const char *geom,
                         int images, int correct, uint64_t mismatches, const tb_layer_stats *ls, int nl,
                         const int *pred, const int *label, double wall)
{
    uint64_t cycles = 0, tot[DUT_NCNT] = {0};
    for (int i = 0; i < nl; i++) {
        cycles += ls[i].cycles;
        for (int k = 0; k < DUT_NCNT; k++)
            tot[k] += ls[i].cnt[k];
    }
    fprintf(f, "{\n  \"model\": \"%s\",\n  \"data\": \"%s\",\n  \"geometry\": \"%s\",\n", model, data, geom);
    fprintf(f, "  \"gating\": %s,\n  \"unit\": %d,\n  \"layout\": \"%s\",\n", o->gate_en ? "true" : "false",
            1 << o->unit_log2, o->layout == MAP_TAP_MAJOR ? "tap" : "channel");
    fprintf(f, "  \"images\": %d,\n  \"mismatches\": %llu,\n  \"cycles\": %llu,\n  \"accuracy\": %.6f,\n", images,
            (unsigned long long)mismatches, (unsigned long long)cycles, images ? (double)correct / images : 0.0);
    fprintf(f, "  \"wall_seconds\": %.3f,\n  \"predictions\": [", wall);
    for (int i = 0; i < images; i++)
        fprintf(f, "%s%d", i ? "," : "", pred[i]);
    fprintf(f, "],\n  \"labels\": [");
    for (int i = 0; i < images; i++)
        fprintf(f, "%s%d", i ? "," : "", label[i]);
    fprintf(f, "],\n  \"layers\": [\n");
    for (int i = 0; i < nl; i++) {
        const tb_layer_stats *s = &ls[i];
        fprintf(f, "    {\"name\": \"%s\", \"shape\": \"%s\", \"tiles\": %d, \"cycles\": %llu, \"mismatches\": %llu, "
                   "\"macs\": %llu, \"gated_fraction\": %.6f, \"skipped_fraction\": %.6f, \"counters\": {",
                s->name, s->shape, s->tiles, (unsigned long long)s->cycles, (unsigned long long)s->mismatches,
                (unsigned long long)s->macs,
                frac(s->cnt[DUT_CNT_SEG_GATED], s->cnt[DUT_CNT_SEG_GATED] + s->cnt[DUT_CNT_SEG_ACTIVE]),
                frac(s->cnt[DUT_CNT_SKIPPED], s->cnt[DUT_CNT_COMPUTE]));
        for (int k = 0; k < DUT_NCNT; k++)
            fprintf(f, "%s\"%s\": %llu", k ? ", " : "", dut_cnt_names[k], (unsigned long long)s->cnt[k]);
        fprintf(f, "}}%s\n", i + 1 < nl ? "," : "");
    }
    fprintf(f, "  ],\n  \"total\": {\"gated_fraction\": %.6f, \"skipped_fraction\": %.6f, \"counters\": {",
            frac(tot[DUT_CNT_SEG_GATED], tot[DUT_CNT_SEG_GATED] + tot[DUT_CNT_SEG_ACTIVE]),
            frac(tot[DUT_CNT_SKIPPED], tot[DUT_CNT_COMPUTE]));
    for (int k = 0; k < DUT_NCNT; k++)
        fprintf(f, "%s\"%s\": %llu", k ? ", " : "", dut_cnt_names[k], (unsigned long long)tot[k]);
    fprintf(f, "}}\n}\n");
}

int cli_run(int argc, char **argv)
{
    const char *model = NULL, *data = NULL, *report = NULL, *waves = NULL, *geom_name = "256x64s16";
    long count = 8, offset = 0, unit = 1, maxmis = 20, from = 0, to = 2000;
    int quiet = 0;
    tb_opts o = {.gate_en = 1, .unit_log2 = 0, .layout = MAP_CHANNEL_MAJOR, .perm = NULL, .max_print = 20, .log = stderr};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (!strcmp(a, "--no-gating")) { o.gate_en = 0; continue; }
        if (!strcmp(a, "--quiet")) { quiet = 1; continue; }
        if (strncmp(a, "--", 2) || !(v = cli_value("run", argc, argv, &i)))
            return fprintf(stderr, "sparsecim run: %s '%s' (see --help)\n",
                           strncmp(a, "--", 2) ? "unexpected argument" : "missing value for", a), 2;
        if (!strcmp(a, "--model")) model = v;
        else if (!strcmp(a, "--data")) data = v;
        else if (!strcmp(a, "--report")) report = v;
        else if (!strcmp(a, "--waves")) waves = v;
        else if (!strcmp(a, "--geometry")) geom_name = v;
        else if (!strcmp(a, "--count")) { if (cli_int("run", a, v, 1, 10000000, &count)) return 2; }
        else if (!strcmp(a, "--offset")) { if (cli_int("run", a, v, 0, 10000000, &offset)) return 2; }
        else if (!strcmp(a, "--max-mismatch")) { if (cli_int("run", a, v, 0, 1000000, &maxmis)) return 2; }
        else if (!strcmp(a, "--unit")) {
            if (cli_int("run", a, v, 1, 8, &unit) || (unit & (unit - 1)))
                return fprintf(stderr, "sparsecim run: option --unit: expected 1, 2, 4 or 8, got '%s'\n", v), 2;
            o.unit_log2 = unit == 1 ? 0 : unit == 2 ? 1 : unit == 4 ? 2 : 3;
        } else if (!strcmp(a, "--layout")) {
            if (!strcmp(v, "channel")) o.layout = MAP_CHANNEL_MAJOR;
            else if (!strcmp(v, "tap")) o.layout = MAP_TAP_MAJOR;
            else return fprintf(stderr, "sparsecim run: option --layout: expected channel or tap, got '%s'\n", v), 2;
        } else if (!strcmp(a, "--window")) {
            char tail;
            if (sscanf(v, "%ld:%ld%c", &from, &to, &tail) != 2 || from < 0 || to <= from)
                return fprintf(stderr, "sparsecim run: option --window: expected FROM:TO cycles with FROM < TO, got '%s'\n", v), 2;
        } else
            return fprintf(stderr, "sparsecim run: unknown option '%s' (see --help)\n", a), 2;
    }
    o.max_print = (int)maxmis;
    if (!model || !data)
        return fprintf(stderr, "sparsecim run: --model and --data are required (see --help)\n"), 2;
    if (waves) {
        size_t n = strlen(waves);
        if (n < 5 || strcmp(waves + n - 4, ".vcd"))
            return fprintf(stderr, "sparsecim run: option --waves: '%s': this build writes VCD; name the file *.vcd\n", waves), 2;
    }
    const dut_geom *g = dut_geom_find(geom_name);
    if (!g) {
        fprintf(stderr, "sparsecim run: option --geometry: no verilated build '%s' (available:", geom_name);
        for (int k = 0; dut_geom_at(k); k++)
            fprintf(stderr, " %s", dut_geom_at(k)->name);
        fprintf(stderr, ")\n");
        return 2;
    }
    bnn_error err;
    bnn_model *m = NULL;
    ds_set *ds = NULL;
    if (bnn_model_load(model, &m, &err) || ds_load(data, &ds, &err)) {
        fprintf(stderr, "sparsecim run: %s\n", err.msg);
        bnn_model_free(m);
        return 2;
    }
    int rc = 2;
    cim_dut *dut = NULL;
    tb_ctx *tb = NULL;
    bnn_trace *tr = NULL;
    bnn_tensor *img = NULL;
    int *pred = NULL, *label = NULL;
    cli_out ro = {0};
    if (ds->c != m->in_c || ds->h != m->in_h || ds->w != m->in_w) {
        fprintf(stderr, "sparsecim run: %s: images are %dx%dx%d but %s expects %dx%dx%d\n", data, ds->h, ds->w, ds->c,
                model, m->in_h, m->in_w, m->in_c);
        goto done;
    }
    if (offset >= ds->count) {
        fprintf(stderr, "sparsecim run: --offset %ld: the data set has %d images\n", offset, ds->count);
        goto done;
    }
    if (offset + count > ds->count)
        count = ds->count - offset;
    char derr[256];
    dut = dut_new(g, waves, (uint64_t)from, (uint64_t)to, derr, sizeof derr);
    if (!dut) {
        fprintf(stderr, "sparsecim run: %s\n", derr);
        goto done;
    }
    tb = tb_new(dut, m, &o, &err);
    tr = bnn_trace_new(m);
    img = bnn_tensor_new(m->in_c, m->in_h, m->in_w, m->in_bits);
    pred = calloc((size_t)count, sizeof *pred);
    label = calloc((size_t)count, sizeof *label);
    if (!tb || !tr || !img || !pred || !label) {
        fprintf(stderr, "sparsecim run: %s\n", tb ? "out of memory" : err.msg);
        goto done;
    }
    int tty = isatty(2), correct = 0;
    double t0 = now_s();
    for (long n = 0; n < count; n++) {
        int idx = (int)(offset + n);
        ds_image(ds, idx, img);
        if (bnn_forward(m, img, BNN_FAST, tr, &err) || tb_run_image(tb, tr, idx, &pred[n], &err)) {
            fprintf(stderr, "sparsecim run: image %d: %s\n", idx, err.msg);
            goto done;
        }
        label[n] = ds->labels[idx];
        correct += pred[n] == label[n];
        if (count > 8)
            cli_progress(stderr, tty, (int)n + 1, (int)count, "run");
    }
    double wall = now_s() - t0;
    int nl;
    const tb_layer_stats *ls = tb_stats(tb, &nl);
    uint64_t mism = tb_mismatches(tb), cycles = 0, macs = 0;
    if (!quiet) {
        printf("%-8s %-28s %5s %10s %10s %8s %8s\n", "layer", "shape", "tiles", "cycles", "mismatch", "gated", "skipped");
        for (int i = 0; i < nl; i++) {
            const tb_layer_stats *s = &ls[i];
            printf("%-8s %-28s %5d %10llu %10llu %7.1f%% %7.1f%%\n", s->name, s->shape, s->tiles,
                   (unsigned long long)s->cycles, (unsigned long long)s->mismatches,
                   100.0 * frac(s->cnt[DUT_CNT_SEG_GATED], s->cnt[DUT_CNT_SEG_GATED] + s->cnt[DUT_CNT_SEG_ACTIVE]),
                   100.0 * frac(s->cnt[DUT_CNT_SKIPPED], s->cnt[DUT_CNT_COMPUTE]));
        }
        if (count <= 32)
            for (long n = 0; n < count; n++)
                printf("image %ld: predicted %d, true %d%s\n", offset + n, pred[n], label[n],
                       pred[n] == label[n] ? "" : "  (wrong)");
    }
    uint64_t sg = 0, sa = 0;
    for (int i = 0; i < nl; i++) {
        cycles += ls[i].cycles;
        macs += ls[i].macs;
        sg += ls[i].cnt[DUT_CNT_SEG_GATED];
        sa += ls[i].cnt[DUT_CNT_SEG_ACTIVE];
    }
    printf("%ld images on %s (%s, gating %s, unit %ld): accuracy %.2f%%, %llu mismatches, %llu cycles, "
           "%.1f%% segment-cycles gated, %.2f s (%.0f cycles/s)\n",
           count, g->name, o.layout == MAP_TAP_MAJOR ? "tap-major" : "channel-major", o.gate_en ? "on" : "off", unit,
           100.0 * correct / (double)count, (unsigned long long)mism, (unsigned long long)cycles,
           100.0 * frac(sg, sg + sa), wall, (double)cycles / wall);
    if (report) {
        if (cli_out_open(&ro, "run", report))
            goto done;
        write_report(ro.f, model, data, &o, g->name, (int)count, correct, mism, ls, nl, pred, label, wall);
        if (cli_out_commit(&ro, "run"))
            goto done;
        printf("report: %s\n", report);
    }
    if (waves)
        printf("waves: %s (cycles %ld..%ld)\n", waves, from, to);
    (void)macs;
    rc = mism ? 1 : 0;
done:
    cli_out_abort(&ro);
    free(pred);
    free(label);
    bnn_tensor_free(img);
    bnn_trace_free(tr);
    tb_free(tb);
    dut_free(dut);
    ds_free(ds);
    bnn_model_free(m);
    return rc;
}

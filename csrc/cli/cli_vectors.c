/* cli_vectors.c - `sparsecim vectors`: golden vectors from the reference model (csrc/vec/vec.h). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infer/bnn_infer.h"
#include "cli/cli.h"
#include "cli/cli_util.h"
#include "data/ds.h"
#include "map/map.h"
#include "vec/vec.h"

static const char *usage_text =
    "usage: sparsecim vectors --model FILE.bnn --data SPEC -o DIR [--count N] [--offset K]\n"
    "                         [--rows 256 --cols 64 --seg-rows 16] [--layout channel|tap|aligned] [--quiet]\n"
    "\n"
    "Runs the integer reference model on N images from K on and writes, per image and layer,\n"
    "every array job of the layer mapped onto a ROWS x COLS macro: the weight tile rows as\n"
    "written, the word-line vector of every compute cycle, the expected X and per-column P of\n"
    "every cycle and the partial dot products per pixel, plus the layer's final outputs, as\n"
    "files of 16-digit hex words ($readmemh) with DIR/manifest.txt as the index. Format:\n"
    "csrc/vec/vec.h. Replay: sparsecim sim --vectors DIR (Verilator), make -f Makefile.sim xsim (Icarus).\n"
    "\n"
    "SPEC: fashion-mnist:train|test, idx:IMAGES,LABELS, cifar10:FILE.bin, random[:SEED]\n"
    "      (random: uniform pixels, seed 1 by default, no labels)\n"
    "Defaults: --count 1 --offset 0 --rows 256 --cols 64 --seg-rows 16 --layout channel.\n"
    "Size: a 28x28 ResNet-14 image is about 3.3 MB of vectors on the default 256x64 macro\n"
    "(measured: the shipped SE model, 2 images 6.6 MB) and 6.5 MB on 64x16 with 8-row segments.\n"
    "An existing vector set in DIR loses its manifest first; the new manifest is written last.\n";

int cli_vectors(int argc, char **argv)
{
    const char *model = NULL, *data = NULL, *dir = NULL;
    long count = 1, offset = 0, rows = 256, cols = 64, seg = 16;
    int quiet = 0;
    map_layout layout = MAP_CHANNEL_MAJOR;
    static const char *const opts[] = {"--model", "--data", "-o", "--count", "--offset",
                                       "--rows", "--cols", "--seg-rows", "--layout"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (!strcmp(a, "--quiet")) {
            quiet = 1;
            continue;
        }
        size_t k = 0;
        while (k < sizeof opts / sizeof opts[0] && strcmp(a, opts[k]))
            k++;
        if (k == sizeof opts / sizeof opts[0])
            return fprintf(stderr, "sparsecim vectors: %s '%s' (see --help)\n",
                           strncmp(a, "-", 1) ? "unexpected argument" : "unknown option", a), 2;
        if (!(v = cli_value("vectors", argc, argv, &i)))
            return 2;
        if (!strcmp(a, "--model")) model = v;
        else if (!strcmp(a, "--data")) data = v;
        else if (!strcmp(a, "-o")) dir = v;
        else if (!strcmp(a, "--count")) { if (cli_int("vectors", a, v, 1, 1000000, &count)) return 2; }
        else if (!strcmp(a, "--offset")) { if (cli_int("vectors", a, v, 0, 100000000, &offset)) return 2; }
        else if (!strcmp(a, "--rows")) { if (cli_int("vectors", a, v, 64, 65472, &rows)) return 2; }
        else if (!strcmp(a, "--cols")) { if (cli_int("vectors", a, v, 1, 4096, &cols)) return 2; }
        else if (!strcmp(a, "--seg-rows")) { if (cli_int("vectors", a, v, 1, 65472, &seg)) return 2; }
        else if (map_layout_parse(v, &layout)) /* --layout */
            return fprintf(stderr, "sparsecim vectors: option --layout: expected channel, tap or aligned, got '%s'\n", v), 2;
    }
    if (!model || !data || !dir)
        return fprintf(stderr, "sparsecim vectors: --model, --data and -o DIR are required (see --help)\n"), 2;
    if (rows % 64 || rows % seg)
        return fprintf(stderr, "sparsecim vectors: --rows %ld --seg-rows %ld: rows must be a multiple of 64 and of "
                               "the segment size\n", rows, seg), 2;
    bnn_error err;
    bnn_model *m = NULL;
    ds_set *ds = NULL;
    long seed = 1;
    int rnd = !strncmp(data, "random", 6) && (data[6] == 0 || data[6] == ':');
    if (bnn_model_load(model, &m, &err)) {
        fprintf(stderr, "sparsecim vectors: %s\n", err.msg);
        return 2;
    }
    int rc = 2;
    bnn_trace *tr = NULL;
    bnn_tensor *img = NULL;
    vec_writer *w = NULL;
    if (rnd) {
        if (data[6] == ':' && cli_int("vectors", "--data random:SEED", data + 7, 0, 0x7fffffffL, &seed))
            goto done;
    } else {
        if (ds_load(data, &ds, &err)) {
            fprintf(stderr, "sparsecim vectors: %s\n", err.msg);
            goto done;
        }
        if (ds_check_use(ds, m, data, model, "--", offset, &count, &err)) {
            fprintf(stderr, "sparsecim vectors: %s\n", err.msg);
            goto done;
        }
    }
    tr = bnn_trace_new(m);
    img = bnn_tensor_new(m->in_c, m->in_h, m->in_w, m->in_bits);
    if (!tr || !img) {
        fprintf(stderr, "sparsecim vectors: out of memory\n");
        goto done;
    }
    map_cfg cfg = {(int)rows, (int)cols, (int)seg, layout, NULL, 0};
    if (!(w = vec_writer_open(dir, &cfg, model, data, &err))) {
        fprintf(stderr, "sparsecim vectors: %s\n", err.msg);
        goto done;
    }
    for (long n = 0; n < count; n++) {
        long idx = offset + n;
        if (ds)
            ds_image(ds, (int)idx, img);
        else
            ds_random_image(img, (uint64_t)seed, idx);
        if (bnn_forward(m, img, BNN_FAST, tr, &err) ||
            vec_writer_image(w, m, tr, (int)idx, ds ? ds->labels[idx] : -1, &err)) {
            fprintf(stderr, "sparsecim vectors: image %ld: %s\n", idx, err.msg);
            goto done;
        }
        if (!quiet && count > 1)
            cli_progress(stderr, 0, (int)n + 1, (int)count, "vectors");
    }
    long jobs, outs;
    uint64_t bytes;
    vec_writer_counts(w, &jobs, &outs, &bytes);
    vec_writer *wc = w;
    w = NULL;
    if (vec_writer_close(wc, &err)) {
        fprintf(stderr, "sparsecim vectors: %s\n", err.msg);
        goto done;
    }
    printf("wrote %s/manifest.txt: %ld images, %ld array-job files, %ld layer-output files, %.1f MB, %ldx%ld macro, "
           "%ld-row segments\n", dir, count, jobs, outs, (double)bytes / 1e6, rows, cols, seg);
    rc = 0;
done:
    vec_writer_abort(w);
    bnn_tensor_free(img);
    bnn_trace_free(tr);
    ds_free(ds);
    bnn_model_free(m);
    return rc;
}

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

enum { V_MODEL = 1, V_DATA, V_OUT, V_COUNT, V_OFFSET, V_ROWS, V_COLS, V_SEG_ROWS, V_LAYOUT, V_QUIET };

static const cli_opt vectors_opts[] = {
    CLI_OPT_STR("model", V_MODEL, NULL),
    CLI_OPT_STR("data", V_DATA, NULL),
    CLI_OPT_STR("o", V_OUT, NULL),
    CLI_OPT_INT("count", V_COUNT, 1, 1000000),
    CLI_OPT_INT("offset", V_OFFSET, 0, 100000000),
    CLI_OPT_INT("rows", V_ROWS, 64, 65472),
    CLI_OPT_INT("cols", V_COLS, 1, 4096),
    CLI_OPT_INT("seg-rows", V_SEG_ROWS, 1, 65472),
    CLI_OPT_STR("layout", V_LAYOUT, CLI_LAYOUTS),
    CLI_OPT_FLAG("quiet", V_QUIET),
    CLI_OPT_END,
};

/* The command line of vectors. */
typedef struct vectors_args {
    const char *model, *data, *dir;
    long count, offset, rows, cols, seg;
    int quiet;
    map_layout layout;
} vectors_args;

/* The command line into a: 0, 1 (help printed) or -1 (message printed). */
static int vectors_parse(int argc, char **argv, vectors_args *a)
{
    cli_parser p;
    cli_parse_init(&p, "vectors", argc, argv, vectors_opts, NULL, 0);
    for (int id; (id = cli_next(&p)) != CLI_DONE;) {
        switch (id) {
        case CLI_HELP: fputs(usage_text, stdout); return 1;
        case CLI_ERROR: return -1;
        case V_MODEL: a->model = p.val; break;
        case V_DATA: a->data = p.val; break;
        case V_OUT: a->dir = p.val; break;
        case V_COUNT: a->count = p.num; break;
        case V_OFFSET: a->offset = p.num; break;
        case V_ROWS: a->rows = p.num; break;
        case V_COLS: a->cols = p.num; break;
        case V_SEG_ROWS: a->seg = p.num; break;
        case V_QUIET: a->quiet = 1; break;
        default: /* V_LAYOUT */
            if (map_layout_parse(p.val, &a->layout))
                return cli_bad_value(&p);
        }
    }
    if (!a->model || !a->data || !a->dir)
        return fprintf(stderr, "sparsecim vectors: --model, --data and -o DIR are required (see --help)\n"), -1;
    if (a->rows % 64 || a->rows % a->seg)
        return fprintf(stderr, "sparsecim vectors: --rows %ld --seg-rows %ld: rows must be a multiple of 64 and of "
                               "the segment size\n", a->rows, a->seg), -1;
    return 0;
}

/* --data: random[:SEED] (*seed) or a data set (*ds) checked against the
 * model and the images asked for. 0 or -1 (message printed). */
static int vectors_data(vectors_args *a, const bnn_model *m, ds_set **ds, long *seed)
{
    bnn_error err;
    int rnd = cli_random_spec("vectors", a->data, seed);
    if (rnd)
        return rnd < 0 ? -1 : 0;
    if (ds_load(a->data, ds, &err) || ds_check_use(*ds, m, a->data, a->model, "--", a->offset, &a->count, &err)) {
        fprintf(stderr, "sparsecim vectors: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* Every image's array jobs into the writer w (tr, img: the model's trace and input). 0 or -1 (message printed). */
static int vectors_images(const vectors_args *a, const bnn_model *m, const ds_set *ds, long seed, bnn_trace *tr,
                          bnn_tensor *img, vec_writer *w)
{
    bnn_error err;
    for (long n = 0; n < a->count; n++) {
        long idx = a->offset + n;
        if (ds)
            ds_image(ds, (int)idx, img);
        else
            ds_random_image(img, (uint64_t)seed, idx);
        if (bnn_forward(m, img, BNN_FAST, tr, &err) ||
            vec_writer_image(w, m, tr, (int)idx, ds ? ds->labels[idx] : -1, &err)) {
            fprintf(stderr, "sparsecim vectors: image %ld: %s\n", idx, err.msg);
            return -1;
        }
        if (!a->quiet && a->count > 1)
            cli_progress(stderr, 0, (int)n + 1, (int)a->count, "vectors");
    }
    return 0;
}

/* Loads, writes the vectors and the manifest. 0 or -1 (message printed). */
static int vectors_main(vectors_args *a)
{
    bnn_error err;
    bnn_model *m = NULL;
    ds_set *ds = NULL;
    vec_writer *w = NULL;
    bnn_trace *tr = NULL;
    bnn_tensor *img = NULL;
    long seed = 1;
    int rc = -1;
    if (bnn_model_load(a->model, &m, &err)) {
        fprintf(stderr, "sparsecim vectors: %s\n", err.msg);
        return -1;
    }
    if (vectors_data(a, m, &ds, &seed))
        goto done;
    tr = bnn_trace_new(m);
    img = bnn_tensor_new(m->in_c, m->in_h, m->in_w, m->in_bits);
    if (!tr || !img) {
        fprintf(stderr, "sparsecim vectors: out of memory\n");
        goto done;
    }
    map_cfg cfg = {(int)a->rows, (int)a->cols, (int)a->seg, a->layout, NULL, 0};
    if (!(w = vec_writer_open(a->dir, &cfg, a->model, a->data, &err))) {
        fprintf(stderr, "sparsecim vectors: %s\n", err.msg);
        goto done;
    }
    if (vectors_images(a, m, ds, seed, tr, img, w))
        goto done;
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
           "%ld-row segments\n", a->dir, a->count, jobs, outs, (double)bytes / 1e6, a->rows, a->cols, a->seg);
    rc = 0;
done:
    vec_writer_abort(w);
    bnn_tensor_free(img);
    bnn_trace_free(tr);
    ds_free(ds);
    bnn_model_free(m);
    return rc;
}

int cli_vectors(int argc, char **argv)
{
    vectors_args a = {.count = 1, .offset = 0, .rows = 256, .cols = 64, .seg = 16, .layout = MAP_CHANNEL_MAJOR};
    int k = vectors_parse(argc, argv, &a);
    if (k)
        return k > 0 ? 0 : 2;
    return vectors_main(&a) ? 2 : 0;
}

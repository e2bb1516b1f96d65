/*
 * cli_run.c - `sparsecim run`: model + data through the C reference model
 * (BNN_FAST) and the simulated macro in one process, every layer checked
 * bit-exactly (tb_drv.h), with a per-layer table, per-image predictions
 * and an optional JSON report (cli_common.h).
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "infer/bnn_infer.h"
#include "cli/cli.h"
#include "cli/cli_util.h"
#include "data/ds.h"
#include "util/num.h"
#include "util/outfile.h"
#include "map/remap.h"
#include "cli/cli_common.h"
#include "cli/cli_jobs.h"
#include "cli/cli_part.h"
#include "vec/vec.h"

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
    "                      (csrc/vec/vec.h, as sparsecim vectors does) into DIR, for sim --vectors DIR\n"
    "  --inject LAYER:I    checker self-test: add 2 to the reference's dot I of LAYER (conv dot,\n"
    "                      SE fc1 dot or logit) for the first image; the run must report it\n"
    "  --remap SPEC        channel remap (\"move\"): order each conv layer's input channels by their\n"
    "                      zero fraction on calibration images of SPEC (e.g. fashion-mnist:train),\n"
    "                      so that often-zero channels share segments (csrc/map/remap.h)\n"
    "  --remap-count N     calibration images (default 100), from --remap-offset K (default 0)\n"
    "  --stationary weight|input  weight (default): weights in the cells, inputs on the word lines;\n"
    "                      input: the binary conv layers only, activations in the cells, weight bits\n"
    "                      on the word lines, dots rebuilt from the RTL and checked (csrc/map/map.h); with\n"
    "                      gating, each tile's stored-zero flags are written (SET_ZF) after its rows and\n"
    "                      all-zero planes are never issued (so not with --no-skip)\n"
    "  --no-zero-flags     input-stationary: write no stored-zero flags (gating on the word lines only)\n"
    "  --jobs N            N worker processes (default 1; 0: one per online core), each with its own\n"
    "                      simulated macro, on contiguous blocks of the images (worker k: block k of N);\n"
    "                      their reports are merged exactly (sparsecim merge's code): the same report as\n"
    "                      one process but for wall_seconds. A failed or killed worker fails the run\n"
    "                      (exit 2, naming it and its images). Not with --waves, --saif, --vectors-out\n"
    "  --shard I/N         run only block I (0-based) of N contiguous blocks of the images; --report\n"
    "                      then records the shard and its images, for sparsecim merge (also with --jobs).\n"
    "                      A block after the first begins with the image before it, run and not counted\n"
    "                      (a warm-up), so that the macro starts the block in the single run's state; the\n"
    "                      reports carry a hash of that state and the merge checks it. Test hook:\n"
    "                      SPARSECIM_TEST_KILL_WORKER=K: worker K kills itself (SIGKILL) after one image\n";

static const char exit_text[] = "Exit status: 0 all equal, 1 mismatches, 2 bad input, watchdog stop or error.\n";

typedef struct run_ctx {
    const cli_common *c;
    const bnn_model *m;
    const ds_set *ds;       /* NULL: random images */
    uint64_t seed;
    long count, offset;     /* the images this process runs */
    long run_first;         /* the first image of the whole run (--inject's; a block after it warms up) */
    int *pred, *chained, *ref_pred, *label;
    int correct, chained_equal;
    uint64_t mismatches;
    vec_writer *vw;         /* --vectors-out, or NULL */
    int inject_layer;       /* -1: none */
    long inject_index;
    tb_layer_stats *ls;     /* copied out of the driver */
    int nl;
    int input_stationary;   /* --stationary input */
    int progress_fd;        /* a worker: one byte per image to the parent; -1: print the progress here */
    int kill_self;          /* test hook (SPARSECIM_TEST_KILL_WORKER): SIGKILL after the first image */
    uint64_t state_start, state_end;    /* tb_state_hash where the block starts and ends */
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

/* The image before this process's block, when the block is not the run's
 * first: run first and not counted, so that the block starts from the
 * macro state the single run has there (tb_stats_clear). -1: none. */
static long warmup_image(const run_ctx *r) { return r->offset > r->run_first ? r->offset - 1 : -1; }

/* Image n of the block done: progress, and the test hook. */
static void image_done(const run_ctx *r, long n, int tty)
{
    if (r->progress_fd >= 0) {
        ssize_t w = write(r->progress_fd, "i", 1);
        (void)w; /* a parent that is gone sees the worker's status */
    } else if (r->count > 1) {
        cli_progress(stderr, tty, (int)n + 1, (int)r->count, "run");
    }
    if (r->kill_self)
        raise(SIGKILL);
}

/* Image idx through the driver. */
static int run_one_image(run_ctx *r, tb_ctx *tb, bnn_trace *tr, bnn_tensor *img, long idx, tb_image_result *res)
{
    bnn_error err;
    load_image(r, idx, img);
    int bad = bnn_forward(r->m, img, BNN_FAST, tr, &err);
    if (!bad && r->vw)
        bad = vec_writer_image(r->vw, r->m, tr, (int)idx, r->ds ? r->ds->labels[idx] : -1, &err);
    if (!bad && idx == r->run_first && r->inject_layer >= 0)
        inject(r, tr);
    if (bad || tb_run_image(tb, tr, (int)idx, res, &err)) {
        snprintf(r->err, sizeof r->err, "image %ld: %s", idx, err.msg);
        return -1;
    }
    return 0;
}

/* The block's images (after its warm-up image, if any) through the driver. */
static int run_images(run_ctx *r, tb_ctx *tb, bnn_trace *tr, bnn_tensor *img)
{
    int tty = isatty(2);
    tb_image_result res;
    long warm = warmup_image(r);
    if (warm >= 0) {
        if (run_one_image(r, tb, tr, img, warm, &res))
            return -1;
        tb_stats_clear(tb);
    }
    r->state_start = tb_state_hash(tb);
    for (long n = 0; n < r->count; n++) {
        long idx = r->offset + n;
        if (run_one_image(r, tb, tr, img, idx, &res))
            return -1;
        r->pred[n] = res.pred;
        r->chained[n] = res.chained_pred;
        r->ref_pred[n] = res.ref_pred;
        r->label[n] = r->ds ? r->ds->labels[idx] : -1;
        r->correct += r->ds && res.pred == r->label[n];
        r->chained_equal += res.chained_pred == res.ref_pred;
        image_done(r, n, tty);
    }
    r->state_end = tb_state_hash(tb);
    const tb_layer_stats *ls = tb_stats(tb, &r->nl);
    r->ls = malloc((size_t)r->nl * sizeof *r->ls);
    if (!r->ls) {
        snprintf(r->err, sizeof r->err, "out of memory");
        return -1;
    }
    memcpy(r->ls, ls, (size_t)r->nl * sizeof *r->ls);
    r->mismatches = tb_mismatches(tb);
    return 0;
}

/* The body: runs on the DUT (for SystemC inside the SC_THREAD). */
static int run_body(cim_dut *dut, void *arg)
{
    run_ctx *r = arg;
    bnn_error err;
    int rc = -1;
    bnn_trace *tr = bnn_trace_new(r->m);
    bnn_tensor *img = bnn_tensor_new(r->m->in_c, r->m->in_h, r->m->in_w, r->m->in_bits);
    tb_opts o = r->c->o;
    o.stationary = r->input_stationary ? MAP_INPUT_STATIONARY : MAP_WEIGHT_STATIONARY;
    tb_ctx *tb = tr && img ? tb_new(dut, r->m, &o, &err) : NULL;
    if (!tb)
        snprintf(r->err, sizeof r->err, "%s", tr && img ? err.msg : "out of memory");
    else
        rc = run_images(r, tb, tr, img);
    tb_free(tb);
    bnn_tensor_free(img);
    bnn_trace_free(tr);
    return rc;
}

/* "I/N" with 0 <= I < N <= 100000 (num.h: decimal). 0 or -1. */
static int parse_shard(const char *v, int *i, int *n)
{
    int64_t a = 0, b = 0;
    const char *p = num_i64(v, 0, 100000, &a);
    p = p && *p == '/' ? num_i64(p + 1, 1, 100000, &b) : NULL;
    if (!p || *p || a >= b)
        return -1;
    *i = (int)a;
    *n = (int)b;
    return 0;
}

/* What the report of this process says about the run beyond r and c. */
typedef struct run_id {
    const char *model, *data;
    uint64_t model_bytes;
    uint32_t model_crc;
} run_id;

/* Writes the JSON report of r to path (shard: NULL for the whole run). 0 or -1. */
static int write_report(const run_ctx *r, const cli_common *c, const run_id *id, const char *path,
                        const cli_shard *sh, double wall)
{
    out_file ro;
    bnn_error err;
    cli_summary s = {"run", id->model, id->data, (int)r->count, r->correct, r->chained_equal == r->count,
                        r->mismatches, r->pred, r->chained, r->ref_pred, r->ds ? r->label : NULL, wall,
                        1, id->model_bytes, id->model_crc, sh};
    if (out_open(&ro, path, NULL, 0, &err)) {
        fprintf(stderr, "sparsecim run: option --report: %s\n", err.msg);
        return -1;
    }
    if (cli_report_json(ro.f, c, &s, r->ls, r->nl, &err)) {
        out_abort(&ro);
        fprintf(stderr, "sparsecim run: option --report: %s: %s\n", path, err.msg);
        return -1;
    }
    if (out_commit(&ro, &err)) {
        fprintf(stderr, "sparsecim run: option --report: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* The workers of run --jobs: block k of the images in tmp/wK.json. */
typedef struct jobs_ctx {
    run_ctx *r;
    const cli_common *c;
    const run_id *id;
    int n, kill;                /* workers; the one the test hook kills (-1: none) */
    long *first, *count;
    long block_first, block_count;  /* what they split (the run, or this shard) */
    cli_jobs_dir *dir;               /* the workers' reports */
} jobs_ctx;

static void worker_path(const jobs_ctx *j, int k, char *buf, size_t n)
{
    cli_jobs_dir_file(j->dir, k, buf, n);
}

static int worker_main(int k, int fd, void *arg)
{
    jobs_ctx *j = arg;
    run_ctx *r = j->r;
    char derr[512] = "", path[4200];
    r->offset = j->first[k];
    r->count = j->count[k];
    r->progress_fd = fd;
    r->kill_self = k == j->kill;
    double t0 = now_s();
    if (j->c->be->run(j->c->geom, NULL, 0, 0, run_body, r, derr, sizeof derr)) {
        fprintf(stderr, "sparsecim run: worker %d: %s\n", k, r->err[0] ? r->err : derr);
        return 2;
    }
    cli_shard sh = {k, j->n, r->offset, r->count, j->block_first, j->block_count, r->state_start, r->state_end};
    worker_path(j, k, path, sizeof path);
    if (write_report(r, j->c, j->id, path, &sh, now_s() - t0))
        return 2;
    return r->mismatches || r->chained_equal != r->count ? 1 : 0;
}

/* Takes the merged workers' results into r. */
static void take_merged(run_ctx *r, cli_part *m)
{
    size_t k = (size_t)m->images * sizeof(int);
    memcpy(r->pred, m->pred, k);
    memcpy(r->chained, m->chained, k);
    memcpy(r->ref_pred, m->ref_pred, k);
    if (m->label)
        memcpy(r->label, m->label, k);
    r->ls = m->ls;
    m->ls = NULL;
    r->nl = m->nl;
    r->mismatches = m->mismatches;
    r->correct = cli_part_correct(m);
    r->chained_equal = cli_part_chained_equal(m);
    r->state_start = m->sh.state_start;
    r->state_end = m->sh.state_end;
}

/* Loads and merges the workers' reports into r. 0 or -1 (message printed). */
static int merge_workers(jobs_ctx *j)
{
    cli_part *parts = calloc((size_t)j->n, sizeof *parts), m = {0};
    char msg[1024] = "", path[4200];
    int loaded = 0, rc = -1;
    if (!parts) {
        fprintf(stderr, "sparsecim run: out of memory\n");
        return -1;
    }
    for (; loaded < j->n && !msg[0]; loaded++) {
        worker_path(j, loaded, path, sizeof path);
        cli_part_load(path, &parts[loaded], msg, sizeof msg);
    }
    if (!msg[0] && !cli_part_merge(parts, j->n, &m, msg, sizeof msg)) {
        take_merged(j->r, &m);
        rc = 0;
    }
    if (rc)
        fprintf(stderr, "sparsecim run: merging the workers' reports: %s\n", msg);
    m.doc = NULL; /* borrowed */
    cli_part_free(&m);
    for (int i = 0; i < loaded; i++)
        cli_part_free(&parts[i]);
    free(parts);
    return rc;
}

/* run --jobs n: the images of r split into n workers, merged back into r. 0 or -1. */
static int run_jobs(run_ctx *r, const cli_common *c, const run_id *id, int n)
{
    jobs_ctx j = {r, c, id, n, -1, calloc((size_t)n, sizeof(long)), calloc((size_t)n, sizeof(long)), r->offset,
                  r->count, NULL};
    const char *kill_env = getenv("SPARSECIM_TEST_KILL_WORKER");
    char msg[1024] = "out of memory";
    int rc = -1, st = 0;
    if (kill_env)
        j.kill = atoi(kill_env);
    if (!j.first || !j.count || !(j.dir = cli_jobs_dir_new("run", n, "json", msg, sizeof msg))) {
        fprintf(stderr, "sparsecim run: option --jobs: %s\n", msg);
        goto done;
    }
    for (int k = 0; k < n; k++)
        cli_shard_block(r->offset, r->count, k, n, &j.first[k], &j.count[k]);
    if ((st = cli_jobs_run(n, j.first, j.count, worker_main, &j, "run", msg, sizeof msg)))
        fprintf(stderr, "sparsecim run: %s\n", msg);
    else
        rc = merge_workers(&j);
    cli_jobs_dir_free(j.dir);
    if (st > 0) /* interrupted: nothing written, the files removed; end as the signal does */
        cli_jobs_reraise(st);
done:
    free(j.first);
    free(j.count);
    r->offset = j.block_first;
    r->count = j.block_count;
    return rc;
}

enum {
    R_MODEL = 1, R_DATA, R_COUNT, R_OFFSET, R_VECTORS_OUT, R_INJECT, R_REMAP, R_REMAP_COUNT, R_REMAP_OFFSET,
    R_STATIONARY, R_NO_ZERO_FLAGS, R_JOBS, R_SHARD
};

static const cli_opt run_opts[] = {
    CLI_OPT_STR("model", R_MODEL, NULL),
    CLI_OPT_STR("data", R_DATA, NULL),
    CLI_OPT_INT("count", R_COUNT, 1, 100000000),
    CLI_OPT_INT("offset", R_OFFSET, 0, 100000000),
    CLI_OPT_STR("vectors-out", R_VECTORS_OUT, NULL),
    CLI_OPT_STR("inject", R_INJECT, NULL),
    CLI_OPT_STR("remap", R_REMAP, NULL),
    CLI_OPT_INT("remap-count", R_REMAP_COUNT, 1, 1000000),
    CLI_OPT_INT("remap-offset", R_REMAP_OFFSET, 0, 100000000),
    CLI_OPT_STR("stationary", R_STATIONARY, "weight or input"),
    CLI_OPT_FLAG("no-zero-flags", R_NO_ZERO_FLAGS),
    CLI_OPT_INT("jobs", R_JOBS, 0, 1024),
    CLI_OPT_STR("shard", R_SHARD, "I/N with 0 <= I < N (e.g. 0/4)"),
    CLI_OPT_END,
};

/* The command line of a run (beside the common options). */
typedef struct run_args {
    const char *model, *data, *inject, *vec_dir, *remap;
    long count, offset;         /* the images; after run_block, this process's block */
    long remap_count, remap_offset, jobs;
    int stationary;             /* --stationary input */
    int shard_i, shard_n;       /* --shard I/N (shard_n 0: none) */
} run_args;

/* One option of run's own table (a->...) or a common one (c): 0 or -1 (message printed). */
static int run_opt(run_args *a, cli_common *c, const cli_parser *p, int id)
{
    static const char *const stationaries[] = {"weight", "input"};
    switch (id) {
    case R_MODEL: a->model = p->val; break;
    case R_DATA: a->data = p->val; break;
    case R_COUNT: a->count = p->num; break;
    case R_OFFSET: a->offset = p->num; break;
    case R_VECTORS_OUT: a->vec_dir = p->val; break;
    case R_INJECT: a->inject = p->val; break;
    case R_REMAP: a->remap = p->val; break;
    case R_REMAP_COUNT: a->remap_count = p->num; break;
    case R_REMAP_OFFSET: a->remap_offset = p->num; break;
    case R_NO_ZERO_FLAGS: c->o.no_zero_flags = 1; break;
    case R_JOBS: a->jobs = p->num; break;
    case R_STATIONARY:
        if ((a->stationary = cli_enum(p->val, stationaries, 2)) < 0)
            return cli_bad_value(p);
        break;
    case R_SHARD:
        if (parse_shard(p->val, &a->shard_i, &a->shard_n))
            return cli_bad_value(p);
        break;
    default:
        return cli_common_opt(c, p, id) < 0 ? -1 : 0;
    }
    return 0;
}

/* The command line into a and c: 0, 1 (help printed) or -1 (message printed). */
static int run_parse(int argc, char **argv, run_args *a, cli_common *c)
{
    cli_parser p;
    cli_parse_init(&p, "run", argc, argv, run_opts, cli_common_opts, 0);
    for (int id; (id = cli_next(&p)) != CLI_DONE;) {
        if (id == CLI_HELP) {
            printf("%s%s\n%s", usage_text, cli_common_help, exit_text);
            return 1;
        }
        if (id == CLI_ERROR || run_opt(a, c, &p, id))
            return -1;
    }
    if (!a->model || !a->data) {
        fprintf(stderr, "sparsecim run: --model and --data are required (see sparsecim run --help)\n");
        return -1;
    }
    return 0;
}

/* The combinations of options that are refused. 0 or -1 (message printed). */
static int run_check_combos(const run_args *a, const cli_common *c)
{
    int per_image_map = c->o.skip_channels || c->o.dynamic_move;
    if (c->o.no_zero_flags && !a->stationary) {
        fprintf(stderr, "sparsecim run: option --no-zero-flags: only with --stationary input\n");
        return -1;
    }
    if (a->stationary &&
        (a->inject || a->vec_dir || a->remap || per_image_map || c->o.layout != MAP_CHANNEL_MAJOR || c->o.no_skip)) {
        fprintf(stderr, "sparsecim run: option --stationary input: not with %s\n",
                a->inject ? "--inject" : a->vec_dir ? "--vectors-out" : a->remap ? "--remap" :
                c->o.skip_channels ? "--skip-channels" : c->o.dynamic_move ? "--dynamic-move" :
                c->o.no_skip ? "--no-skip (an input-stationary run never issues an all-zero plane)" :
                "--layout (the activations are the rows)");
        return -1;
    }
    if ((a->jobs > 1 || a->shard_n) && (c->waves || c->saif || a->vec_dir)) {
        fprintf(stderr, "sparsecim run: option %s: not with %s (%s)\n", a->jobs > 1 ? "--jobs" : "--shard",
                c->waves ? "--waves" : c->saif ? "--saif" : "--vectors-out",
                a->vec_dir ? "one process writes the vectors" : "the window is of one process's cycles");
        return -1;
    }
    if (per_image_map && a->vec_dir) {
        fprintf(stderr, "sparsecim run: option %s: not with --vectors-out (the vectors hold the static mapping)\n",
                c->o.skip_channels ? "--skip-channels" : "--dynamic-move");
        return -1;
    }
    return 0;
}

/* Every check before any work: the combinations, the outputs against the
 * inputs, the build and the energy profile. 0 or -1 (message printed). */
static int run_check(run_args *a, cli_common *c)
{
    if (a->jobs == 0)
        a->jobs = cli_jobs_online();
    if (run_check_combos(a, c))
        return -1;
    cli_inputs in = {.n = 0};
    cli_inputs_add(&in, a->model);
    cli_inputs_add_spec(&in, a->data);
    cli_inputs_add_spec(&in, a->remap);
    if (cli_common_check_outputs(c, "run", &in) || cli_common_resolve(c, "run")) {
        cli_common_cleanup(c);
        return -1;
    }
    return 0;
}

/* --remap: the calibration images' zero fractions into the permutations
 * of c->o.perm (held by *rs). 0 or -1 (message printed). */
static int run_remap(run_args *a, cli_common *c, const bnn_model *m, remap_stats **rs)
{
    bnn_error err;
    ds_set *cal = NULL;
    bnn_trace *ctr = NULL;
    bnn_tensor *cimg = NULL;
    int bad = 0;
    if (ds_load(a->remap, &cal, &err)) {
        fprintf(stderr, "sparsecim run: option --remap: %s\n", err.msg);
        bad = 1;
    } else if (ds_check_use(cal, m, a->remap, a->model, "--remap-", a->remap_offset, &a->remap_count, &err)) {
        fprintf(stderr, "sparsecim run: %s\n", err.msg);
        bad = 1;
    } else if (!(*rs = remap_new(m)) || !(ctr = bnn_trace_new(m)) ||
               !(cimg = bnn_tensor_new(m->in_c, m->in_h, m->in_w, m->in_bits))) {
        fprintf(stderr, "sparsecim run: out of memory\n");
        bad = 1;
    }
    for (long n = 0; !bad && n < a->remap_count; n++) {
        ds_image(cal, (int)(a->remap_offset + n), cimg);
        if (bnn_forward(m, cimg, BNN_FAST, ctr, &err)) {
            fprintf(stderr, "sparsecim run: option --remap: image %ld: %s\n", a->remap_offset + n, err.msg);
            bad = 1;
        } else {
            remap_add(*rs, ctr);
        }
    }
    bnn_tensor_free(cimg);
    bnn_trace_free(ctr);
    ds_free(cal);
    if (bad || !(c->o.perm = remap_perms(*rs))) {
        if (!bad)
            fprintf(stderr, "sparsecim run: out of memory\n");
        return -1;
    }
    c->remap = a->remap;
    c->remap_images = (int)a->remap_count;
    c->remap_offset = a->remap_offset;
    return 0;
}

/* --inject LAYER:INDEX into r->inject_layer, r->inject_index. 0 or -1 (message printed). */
static int run_inject(const run_args *a, const bnn_model *m, run_ctx *r)
{
    const char *colon = strrchr(a->inject, ':');
    long n = 0;
    for (int li = 0; colon && li < m->n_layers; li++)
        if ((size_t)(colon - a->inject) == strlen(m->layers[li].name) &&
            !strncmp(a->inject, m->layers[li].name, (size_t)(colon - a->inject)))
            r->inject_layer = li;
    if (r->inject_layer < 0) {
        fprintf(stderr, "sparsecim run: option --inject: expected LAYER:INDEX with a layer of %s, got '%s'\n",
                a->model, a->inject);
        return -1;
    }
    inject_target(m, NULL, r->inject_layer, &n);
    return cli_int("run", "--inject INDEX", colon + 1, 0, n - 1, &r->inject_index);
}

/* --data: random[:SEED] (r->seed) or a data set checked against the model
 * and the images asked for (r->ds = *ds). 0 or -1 (message printed). */
static int run_data(run_args *a, const bnn_model *m, run_ctx *r, ds_set **ds)
{
    bnn_error err;
    long seed;
    int rnd = cli_random_spec("run", a->data, &seed);
    if (rnd) {
        r->seed = (uint64_t)seed;
        return rnd < 0 ? -1 : 0;
    }
    if (ds_load(a->data, ds, &err) || ds_check_use(*ds, m, a->data, a->model, "--", a->offset, &a->count, &err)) {
        fprintf(stderr, "sparsecim run: %s\n", err.msg);
        return -1;
    }
    r->ds = *ds;
    return 0;
}

/* The images of this process (--shard: its block, then a->count and
 * a->offset are the block's; *run_count the whole run's), at most one
 * worker per image, the per-image results allocated. 0 or -1 (message printed). */
static int run_block(run_args *a, run_ctx *r, long *run_count)
{
    *run_count = a->count;
    if (a->shard_n) {
        cli_shard_block(a->offset, *run_count, a->shard_i, a->shard_n, &r->offset, &r->count);
        if (r->count < 1) {
            fprintf(stderr, "sparsecim run: option --shard: %d/%d: %ld images make no block %d of %d\n", a->shard_i,
                    a->shard_n, *run_count, a->shard_i, a->shard_n);
            return -1;
        }
        a->count = r->count;
        a->offset = r->offset;
    }
    if (a->jobs > a->count)
        a->jobs = a->count;
    r->pred = calloc((size_t)a->count, sizeof *r->pred);
    r->chained = calloc((size_t)a->count, sizeof *r->chained);
    r->ref_pred = calloc((size_t)a->count, sizeof *r->ref_pred);
    r->label = calloc((size_t)a->count, sizeof *r->label);
    if (!r->pred || !r->chained || !r->ref_pred || !r->label) {
        fprintf(stderr, "sparsecim run: out of memory\n");
        return -1;
    }
    return 0;
}

/* The images through the reference and the macro (in a->jobs workers when
 * more than one), --vectors-out written; *wall the run's wall time. 0 or
 * -1 (message printed). */
static int run_execute(const run_args *a, cli_common *c, run_ctx *r, const run_id *id, double *wall)
{
    bnn_error err;
    if (a->vec_dir) {
        map_cfg vcfg = {c->geom->rows, c->geom->cols, c->geom->seg_rows, c->o.layout, NULL, 0};
        if (!(r->vw = vec_writer_open(a->vec_dir, &vcfg, a->model, a->data, &err))) {
            fprintf(stderr, "sparsecim run: option --vectors-out: %s\n", err.msg);
            return -1;
        }
    }
    char derr[512] = "";
    double t0 = now_s();
    if (a->jobs > 1) {
        if (run_jobs(r, c, id, (int)a->jobs))
            return -1;
    } else if (c->be->run(c->geom, c->waves, (uint64_t)c->from, (uint64_t)c->to, run_body, r, derr, sizeof derr)) {
        char ebuf[1200];
        fprintf(stderr, "sparsecim run: %s\n", cli_common_error(c, r->err[0] ? r->err : derr, ebuf, sizeof ebuf));
        return -1;
    }
    *wall = now_s() - t0;
    if (r->vw) {
        vec_writer *vw = r->vw;
        r->vw = NULL;
        if (vec_writer_close(vw, &err)) {
            fprintf(stderr, "sparsecim run: option --vectors-out: %s\n", err.msg);
            return -1;
        }
    }
    return 0;
}

/* The table, the image lines, the summary line, the waveform, remap and SE notes. */
static void run_print(const run_args *a, const cli_common *c, const run_ctx *r, double wall)
{
    long count = a->count, offset = a->offset;
    if (!c->quiet) {
        cli_report_table(stdout, r->ls, r->nl);
        for (long n = 0; n < count && (n < 100 || count <= 1000); n++) {
            printf("image %ld: predicted %d, reference %d, RTL-chained %d", offset + n, r->pred[n], r->ref_pred[n],
                   r->chained[n]);
            if (r->ds)
                printf(", true %d%s", r->label[n], r->pred[n] == r->label[n] ? "" : " (wrong)");
            printf("\n");
        }
    }
    uint64_t cycles = 0, macs = 0;
    for (int i = 0; i < r->nl; i++) {
        cycles += r->ls[i].cycles;
        macs += r->ls[i].macs;
    }
    char gname[32];
    cli_report_geom_name(c->geom, gname, sizeof gname);
    printf("%ld images, %s %s, gate %s, unit %d: %llu mismatches, RTL-chained = reference on %d/%ld",
           count, c->be->name, gname, cli_report_gate_name(c->o.gate), 1 << c->o.unit_log2,
           (unsigned long long)r->mismatches, r->chained_equal, count);
    if (r->ds)
        printf(", accuracy %.2f%%", 100.0 * r->correct / (double)count);
    printf(", %llu cycles, %.3f s (%.0f cycles/s, %.3g binary MACs/s)\n", (unsigned long long)cycles, wall,
           (double)cycles / wall, (double)macs * (double)count / wall);
    if (c->waves && !c->saif_tmp)
        printf("waves: %s (cycles %ld..%ld)\n", c->waves, c->from, c->to);
    if (c->remap)
        printf("remap: conv input channels ordered by zero fraction on %d images of %s from %ld\n", c->remap_images,
               c->remap, a->remap_offset);
    if (!r->input_stationary)
        cli_report_se_summary(stdout, c, r->ls, r->nl);
}

/* --skip-channels / --dynamic-move on a model without SE: a note (every layer keeps its static map). */
static void run_note_no_se(const cli_common *c, const bnn_model *m)
{
    if (!c->o.skip_channels && !c->o.dynamic_move)
        return;
    int n_se = 0;
    for (int i = 0; i < m->n_layers; i++)
        n_se += m->layers[i].type == BNN_SE;
    if (!n_se)
        fprintf(stderr, "sparsecim run: note: %s: the model has no SE layer; every layer keeps its static map\n",
                c->o.skip_channels ? "--skip-channels" : "--dynamic-move");
}

/* The model, what prepares the run (remap, inject, data, images), the run,
 * its printout, energy, SAIF and report. The exit status. */
static int run_main(run_args *a, cli_common *c)
{
    bnn_error err;
    bnn_model *m = NULL;
    ds_set *ds = NULL;
    remap_stats *rs = NULL;
    run_ctx r = {.c = c, .count = a->count, .offset = a->offset, .run_first = a->offset, .inject_layer = -1,
                 .input_stationary = a->stationary, .progress_fd = -1};
    run_id id = {a->model, a->data, 0, 0};
    long run_count = 0;
    double wall = 0;
    int rc = 2;
    c->input_stationary = a->stationary;
    if (bnn_model_load(a->model, &m, &err)) {
        fprintf(stderr, "sparsecim run: %s\n", err.msg);
        goto done;
    }
    r.m = m;
    if (cli_file_crc(a->model, 4, &id.model_bytes, &id.model_crc)) {
        fprintf(stderr, "sparsecim run: %s: cannot read\n", a->model);
        goto done;
    }
    run_note_no_se(c, m);
    if ((a->remap && run_remap(a, c, m, &rs)) || (a->inject && run_inject(a, m, &r)) || run_data(a, m, &r, &ds) ||
        run_block(a, &r, &run_count) || run_execute(a, c, &r, &id, &wall))
        goto done;
    run_print(a, c, &r, wall);
    if (cli_report_energy(stdout, c, "run", r.ls, r.nl, (int)a->count) || cli_common_saif(c, "run"))
        goto done;
    if (c->report) {
        cli_shard sh = {a->shard_i, a->shard_n, r.offset, r.count, r.run_first, run_count, r.state_start, r.state_end};
        if (write_report(&r, c, &id, c->report, a->shard_n ? &sh : NULL, wall))
            goto done;
        printf("report: %s\n", c->report);
    }
    rc = r.mismatches || r.chained_equal != a->count ? 1 : 0;
done:
    cli_common_cleanup(c);
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

int cli_run(int argc, char **argv)
{
    run_args a = {.count = 1, .offset = 0, .remap_count = 100, .remap_offset = 0, .jobs = 1};
    cli_common c;
    cli_common_init(&c);
    int k = run_parse(argc, argv, &a, &c);
    if (k)
        return k > 0 ? 0 : 2;
    if (run_check(&a, &c))
        return 2;
    return run_main(&a, &c);
}

/*
 * cli_sim.c - `sparsecim sim --vectors DIR`: replays golden vector files
 * (csrc/vec/vec.h, written by `sparsecim vectors` or `run --vectors-out DIR`) through the
 * simulated macro without the reference model: per job the weight rows,
 * every word-line vector, and the expected P, X and accumulators compared.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_util.h"
#include "tb_act.h"
#include "cli/cli_common.h"
#include "tb_golden.h"
#include "cli/cli_jobs.h"
#include "cli/cli_part.h"
#include "vec/vec.h"
#include "util/outfile.h"

static const char usage_text[] =
    "usage: sparsecim sim --vectors DIR [options]\n"
    "\n"
    "Replays the golden vectors in DIR (written by sparsecim vectors or run --vectors-out; the jobs\n"
    "in DIR/manifest.txt order) through the simulated macro: weights, word lines, and the expected\n"
    "P, X and partial accumulators of every compute cycle compared. The geometry is the vectors'.\n"
    "\n"
    "Options:\n"
    "  --jobs N            N worker processes (default 1; 0: one per online core), each with its own\n"
    "                      macro and a contiguous block of the images; each replays the image before\n"
    "                      its block first, uncounted, so that its macro starts in the state the\n"
    "                      single run has there: the report equals the single run's but wall time.\n"
    "                      Not with --waves or --saif\n";

typedef struct sim_ctx {
    const cli_common *c;
    const char *dir;
    const vec_manifest *mf;
    tb_layer_stats *ls;         /* by layer index */
    int nl, images;
    uint64_t mismatches;
    /* the jobs replayed: [warm, lo) uncounted (the image before a worker's
     * block), then [lo, hi) counted */
    int warm, lo, hi;
    int progress_fd;            /* a worker: one byte per image done; -1: none */
    uint64_t state_start, state_end;    /* host array models' state hash where [lo, hi) starts and ends */
    char err[600];
} sim_ctx;

/* What a replay carries from one job to the next. */
typedef struct sim_pass {
    tb_act *act;
    tb_golden_opts go;
    int printed;                /* mismatches printed in full */
    int quiet;                  /* the uncounted jobs' printed count: so high that they print nothing */
    int last_image, first_image;
    tb_layer_stats scratch;     /* the uncounted jobs' statistics */
    uint64_t scratch_mis;
} sim_pass;

/* Job i's file into v, checked against the manifest and the DUT's geometry. 0, or -1 (s->err). */
static int sim_read_job(sim_ctx *s, cim_dut *dut, int i, vec_job *v)
{
    bnn_error err;
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", s->dir, s->mf->jobs[i].file);
    if (vec_job_read(path, v, &err)) {
        snprintf(s->err, sizeof s->err, "%s", err.msg);
        return -1;
    }
    const dut_geom *g = dut_geometry(dut);
    if (v->rows != g->rows || v->cols != g->cols || v->seg_rows != g->seg_rows || v->layer < 0 ||
        v->layer >= s->nl || v->image != s->mf->jobs[i].image || v->layer != s->mf->jobs[i].layer) {
        snprintf(s->err, sizeof s->err,
                 "%.400s: geometry %dx%dx%d, image %d or layer %d differs from the manifest's", path, v->rows,
                 v->cols, v->seg_rows, v->image, v->layer);
        vec_job_free(v);
        return -1;
    }
    return 0;
}

/* Replays job i (counted when i >= s->lo) and accounts it. 0, or -1 (s->err). */
static int sim_job(sim_ctx *s, cim_dut *dut, sim_pass *sp, int i)
{
    const int counted = i >= s->lo;
    vec_job v;
    if (sim_read_job(s, dut, i, &v))
        return -1;
    tb_golden_job job = {v.name, v.row_tile, v.col_tile, v.n_rows, v.n_cols, v.col_words, v.bits, v.pixels,
                         v.wrows, v.wl, v.p, v.x, v.acc};
    tb_layer_stats *ls = counted ? &s->ls[v.layer] : memset(&sp->scratch, 0, sizeof sp->scratch);
    uint64_t *mis = counted ? &s->mismatches : &sp->scratch_mis;
    sp->quiet = 1 << 30;
    sp->go.printed = counted ? &sp->printed : &sp->quiet;
    snprintf(ls->name, sizeof ls->name, "%.31s", v.name);
    char *part = strstr(ls->name, ".fc");   /* SE: both FC jobs count for the layer */
    if (part)
        *part = 0;
    uint64_t cyc0 = dut_cycles(dut), mis0 = *mis;
    tb_act_mark(sp->act);
    sp->go.image = v.image;
    int rc = tb_golden_run(dut, &job, &sp->go, NULL, mis, &ls->planes_skipped, s->err, sizeof s->err);
    if (i == s->lo)
        sp->first_image = v.image;
    ls->tiles += v.image == sp->first_image;
    ls->cycles += dut_cycles(dut) - cyc0;
    ls->mismatches += *mis - mis0;
    if (v.image == sp->first_image)   /* MACs per image */
        ls->macs += (uint64_t)v.n_rows * (uint64_t)v.n_cols * (uint64_t)v.pixels * (uint64_t)v.bits;
    if (!ls->shape[0])
        snprintf(ls->shape, sizeof ls->shape, "%d px x %d planes", v.pixels, v.bits);
    if (rc == 0) {
        uint64_t bad = tb_act_account(sp->act, ls, counted && !s->c->o.no_check_act, stderr, sp->go.printed,
                                      s->c->o.max_print, v.image, ls->name);
        *mis += bad;
        ls->mismatches += bad;
    }
    if (counted && v.image != sp->last_image) {
        s->images++;
        sp->last_image = v.image;
    }
    if (counted && s->progress_fd >= 0 && (i + 1 == s->hi || s->mf->jobs[i + 1].image != v.image)) {
        ssize_t w = write(s->progress_fd, "i", 1);
        (void)w;    /* the parent counts the images from its pipe; a short pipe fails the run there */
    }
    vec_job_free(&v);
    return rc ? -1 : 0;
}

static int sim_body(cim_dut *dut, void *arg)
{
    sim_ctx *s = arg;
    bnn_error aerr;
    sim_pass sp = {.last_image = -1, .first_image = -1};
    if (!(sp.act = tb_act_new(dut, s->c->o.gate, &aerr))) {
        snprintf(s->err, sizeof s->err, "%s", aerr.msg);
        return -1;
    }
    sp.go = (tb_golden_opts){.act = sp.act, .gate = s->c->o.gate, .unit_log2 = s->c->o.unit_log2,
                             .max_print = s->c->o.max_print, .printed = &sp.printed, .log = stderr};
    int rc = 0;
    for (int i = s->warm; i < s->hi && !rc; i++) {
        if (i == s->lo)
            s->state_start = tb_act_state_hash(sp.act, AMODEL_HASH_INIT);
        rc = sim_job(s, dut, &sp, i);
    }
    if (!rc)
        s->state_end = tb_act_state_hash(sp.act, AMODEL_HASH_INIT);
    tb_act_free(sp.act);
    return rc;
}

/* ---- sim --jobs N: worker processes over contiguous blocks of images ---- */

typedef struct sim_jobs {
    sim_ctx *s;                 /* filled per worker with its range */
    const int *img_job;         /* manifest job index where image k starts; [n_images] = n_jobs */
    long *first, *count;        /* worker k: images [first[k], first[k] + count[k]) */
    int n;
    cli_jobs_dir *dir;           /* the workers' results: w<k>.bin */
} sim_jobs;

static void sim_worker_path(const sim_jobs *j, int k, char *buf, size_t n)
{
    cli_jobs_dir_file(j->dir, k, buf, n);
}

/* Worker k: replays the image before its block uncounted, then its block;
 * hands back its images, mismatches and per-layer statistics as raw
 * structs (the same program reads them back). Exit status 0, 1
 * (mismatches) or 2 (error, printed). */
static int sim_worker(int k, int fd, void *arg)
{
    sim_jobs *j = arg;
    sim_ctx *s = j->s;
    const long b = j->first[k], e = b + j->count[k];
    char derr[512] = "", path[4200];
    bnn_error err;
    out_file o;
    s->lo = j->img_job[b];
    s->hi = j->img_job[e];
    s->warm = b > 0 ? j->img_job[b - 1] : s->lo;
    s->progress_fd = fd;
    if (s->c->be->run(s->c->geom, NULL, 0, 0, sim_body, s, derr, sizeof derr)) {
        fprintf(stderr, "sparsecim sim: worker %d (images %ld..%ld): %s\n", k, b, e - 1, s->err[0] ? s->err : derr);
        return 2;
    }
    sim_worker_path(j, k, path, sizeof path);
    if (out_open(&o, path, NULL, 0, &err)) {
        fprintf(stderr, "sparsecim sim: worker %d: %s\n", k, err.msg);
        return 2;
    }
    int hdr[2] = {s->images, s->nl};
    uint64_t words[3] = {s->mismatches, s->state_start, s->state_end};
    fwrite(hdr, sizeof hdr, 1, o.f);
    fwrite(words, sizeof words, 1, o.f);
    fwrite(s->ls, sizeof *s->ls, (size_t)s->nl, o.f);
    if (out_commit(&o, &err)) {     /* checks the stream's error flag */
        fprintf(stderr, "sparsecim sim: worker %d: %s\n", k, err.msg);
        return 2;
    }
    return s->mismatches ? 1 : 0;
}

/* Sums the workers' results into j->s (worker 0's per-image figures),
 * checking that each block began in the state the one before ended in
 * (the warm-up did its job). 0 or -1 (printed). */
static int sim_collect(sim_jobs *j)
{
    sim_ctx *s = j->s;
    tb_layer_stats *w = calloc((size_t)s->nl, sizeof *w);
    int rc = w ? 0 : -1;
    uint64_t prev_end = 0;
    s->images = 0;
    s->mismatches = 0;
    memset(s->ls, 0, (size_t)s->nl * sizeof *s->ls);
    for (int k = 0; k < j->n && !rc; k++) {
        char path[4200];
        int hdr[2];
        uint64_t words[3];
        sim_worker_path(j, k, path, sizeof path);
        FILE *f = fopen(path, "rb");
        if (!f || fread(hdr, sizeof hdr, 1, f) != 1 || hdr[1] != s->nl || hdr[0] != j->count[k] ||
            fread(words, sizeof words, 1, f) != 1 || fread(w, sizeof *w, (size_t)s->nl, f) != (size_t)s->nl ||
            fgetc(f) != EOF) {
            fprintf(stderr, "sparsecim sim: worker %d: its result %s is missing, short or too long\n", k, path);
            rc = -1;
        } else if (k > 0 && words[1] != prev_end) {
            fprintf(stderr, "sparsecim sim: worker %d (images %ld..%ld) did not start in the state worker %d ended "
                            "in (state %016llx, not %016llx): its warm-up image did not restore the macro's state\n",
                    k, j->first[k], j->first[k] + j->count[k] - 1, k - 1, (unsigned long long)words[1],
                    (unsigned long long)prev_end);
            rc = -1;
        } else {
            prev_end = words[2];
            s->images += hdr[0];
            s->mismatches += words[0];
            for (int i = 0; i < s->nl; i++) {
                if (!s->ls[i].name[0])
                    s->ls[i] = w[i];
                else
                    tb_layer_stats_add(&s->ls[i], &w[i]);
            }
        }
        if (f)
            fclose(f);
    }
    if (!w)
        fprintf(stderr, "sparsecim sim: out of memory\n");
    free(w);
    return rc;
}

/* sim --jobs n over the manifest's images. 0, or -1 (printed). */
static int sim_jobs_run(sim_ctx *s, int n)
{
    const vec_manifest *mf = s->mf;
    int n_img = 1, rc = -1;
    for (int i = 1; i < mf->n_jobs; i++) {
        if (mf->jobs[i].image < mf->jobs[i - 1].image) {
            fprintf(stderr, "sparsecim sim: option --jobs: %s/manifest.txt: the jobs of image %d are not in image "
                            "order (line of job %d)\n", s->dir, mf->jobs[i].image, i + 1);
            return -1;
        }
        n_img += mf->jobs[i].image != mf->jobs[i - 1].image;
    }
    n = n > n_img ? n_img : n;
    int *img_job = calloc((size_t)n_img + 1, sizeof *img_job);
    sim_jobs j = {s, img_job, calloc((size_t)n, sizeof(long)), calloc((size_t)n, sizeof(long)), n, NULL};
    char msg[1024] = "out of memory";
    int st = 0;
    if (!img_job || !j.first || !j.count || !(j.dir = cli_jobs_dir_new("sim", n, "bin", msg, sizeof msg))) {
        fprintf(stderr, "sparsecim sim: option --jobs: %s\n", msg);
        goto done;
    }
    for (int i = 0, k = 0; i < mf->n_jobs; i++)
        if (i == 0 || mf->jobs[i].image != mf->jobs[i - 1].image)
            img_job[k++] = i;
    img_job[n_img] = mf->n_jobs;
    for (int k = 0; k < n; k++)
        cli_shard_block(0, n_img, k, n, &j.first[k], &j.count[k]);
    if ((st = cli_jobs_run(n, j.first, j.count, sim_worker, &j, "sim", msg, sizeof msg)))
        fprintf(stderr, "sparsecim sim: %s\n", msg);
    else
        rc = sim_collect(&j);
done:
    cli_jobs_dir_free(j.dir);
    if (st > 0) /* interrupted: the files removed; end as the signal does */
        cli_jobs_reraise(st);
    free(img_job);
    free(j.first);
    free(j.count);
    return rc;
}

enum { S_VECTORS = 1, S_JOBS };

static const cli_opt sim_opts[] = {
    CLI_OPT_STR("vectors", S_VECTORS, NULL),
    CLI_OPT_INT("jobs", S_JOBS, 0, 1024),
    CLI_OPT_END,
};

/* The command line into c, *dir and *jobs: 0, 1 (help printed) or -1 (message printed). */
static int sim_parse(int argc, char **argv, cli_common *c, const char **dir, long *jobs)
{
    cli_parser p;
    cli_parse_init(&p, "sim", argc, argv, sim_opts, cli_common_opts, 0);
    for (int id; (id = cli_next(&p)) != CLI_DONE;) {
        if (id == CLI_HELP) {
            printf("%s%s\nExit status: 0 all equal, 1 mismatches, 2 bad input or error.\n", usage_text,
                   cli_common_help);
            return 1;
        }
        if (id == S_VECTORS)
            *dir = p.val;
        else if (id == S_JOBS)
            *jobs = p.num;
        else if (id == CLI_ERROR || cli_common_opt(c, &p, id) < 0)
            return -1;
    }
    if (!*dir) {
        fprintf(stderr, "sparsecim sim: --vectors DIR is required (see sparsecim sim --help)\n");
        return -1;
    }
    return 0;
}

/* The outputs checked against the manifest, and --jobs against the
 * waveform options, before any work. 0 or -1 (message printed). */
static int sim_check(cli_common *c, const char *dir, long *jobs)
{
    char mpath[4200];
    snprintf(mpath, sizeof mpath, "%.4000s/manifest.txt", dir);
    cli_inputs in = {.n = 0};
    cli_inputs_add(&in, mpath);
    if (cli_common_check_outputs(c, "sim", &in))
        return -1;
    if (*jobs == 0)
        *jobs = cli_jobs_online();
    if (*jobs > 1 && (c->waves || c->saif)) {
        fprintf(stderr, "sparsecim sim: option --jobs: not with %s (the window is of one process's cycles)\n",
                c->waves ? "--waves" : "--saif");
        return -1;
    }
    return 0;
}

/* The manifest's geometry (c->want) and layers (s->nl, s->ls), the options
 * the vectors fix refused, the build resolved. 0 or -1 (message printed). */
static int sim_setup(sim_ctx *s, cli_common *c, const vec_manifest *mf)
{
    const char *dir = s->dir;
    if (mf->n_jobs == 0) {
        fprintf(stderr, "sparsecim sim: %s/manifest.txt: no jobs\n", dir);
        return -1;
    }
    /* any column group and accumulator width: the vectors fix neither */
    dut_geom fg = {mf->rows, mf->cols, mf->seg_rows, 0, 0};
    if ((c->want.rows != 256 || c->want.cols != 64 || c->want.seg_rows != 16) &&
        (c->want.rows != fg.rows || c->want.cols != fg.cols || c->want.seg_rows != fg.seg_rows)) {
        fprintf(stderr, "sparsecim sim: option --geometry %dx%dx%d: the vectors in %s are for a %dx%dx%d macro\n",
                c->want.rows, c->want.cols, c->want.seg_rows, dir, fg.rows, fg.cols, fg.seg_rows);
        return -1;
    }
    c->want = fg;
    for (int i = 0; i < mf->n_jobs; i++)
        s->nl = mf->jobs[i].layer + 1 > s->nl ? mf->jobs[i].layer + 1 : s->nl;
    if (s->nl > 4096 || !(s->ls = calloc((size_t)s->nl, sizeof *s->ls))) {
        fprintf(stderr, "sparsecim sim: %s/manifest.txt: bad layer indices\n", dir);
        return -1;
    }
    if (c->o.skip_channels || c->o.dynamic_move || c->o.layout != MAP_CHANNEL_MAJOR) {
        fprintf(stderr, "sparsecim sim: option %s: the golden vectors fix the mapping (give it to `vectors` or "
                        "`run --vectors-out`)\n",
                c->o.skip_channels ? "--skip-channels" : c->o.dynamic_move ? "--dynamic-move" : "--layout");
        return -1;
    }
    return cli_common_resolve(c, "sim");
}

/* Replays every job (in jobs worker processes when jobs > 1); *wall its
 * wall time. 0 or -1 (message printed). */
static int sim_replay(sim_ctx *s, cli_common *c, long jobs, double *wall)
{
    char derr[512] = "";
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int brc = 0;
    s->hi = s->mf->n_jobs;
    if (jobs > 1) {
        if (sim_jobs_run(s, (int)jobs))
            return -1;
    } else {
        brc = c->be->run(c->geom, c->waves, (uint64_t)c->from, (uint64_t)c->to, sim_body, s, derr, sizeof derr);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    *wall = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (brc) {
        char ebuf[1200];
        fprintf(stderr, "sparsecim sim: %s\n", cli_common_error(c, s->err[0] ? s->err : derr, ebuf, sizeof ebuf));
        return -1;
    }
    return 0;
}

/* The table, the summary line, the energy, --saif and --report. 0 or -1 (message printed). */
static int sim_finish(sim_ctx *s, cli_common *c, double wall)
{
    /* layers that had no file (none, normally) are dropped from the table */
    int nl = 0;
    for (int i = 0; i < s->nl; i++)
        if (s->ls[i].name[0])
            s->ls[nl++] = s->ls[i];
    uint64_t cycles = 0;
    for (int i = 0; i < nl; i++)
        cycles += s->ls[i].cycles;
    if (!c->quiet)
        cli_report_table(stdout, s->ls, nl);
    printf("%d array jobs, %d images, %s, gate %s, unit %d: %llu mismatches, %llu cycles, %.3f s\n", s->mf->n_jobs,
           s->images, c->be->name, cli_report_gate_name(c->o.gate), 1 << c->o.unit_log2, (unsigned long long)s->mismatches,
           (unsigned long long)cycles, wall);
    if (cli_report_energy(stdout, c, "sim", s->ls, nl, s->images) || cli_common_saif(c, "sim"))
        return -1;
    if (!c->report)
        return 0;
    int *none = calloc((size_t)s->images + 1, sizeof *none);
    if (!none)
        return -1;
    for (int i = 0; i < s->images; i++)
        none[i] = -1;
    cli_summary sum = {"sim", s->dir, NULL, s->images, 0, 1, s->mismatches, none, none, none, NULL, wall, 0, 0, 0,
                          NULL};
    int bad = cli_common_report(c, "sim", &sum, s->ls, nl);
    free(none);
    return bad ? -1 : 0;
}

int cli_sim(int argc, char **argv)
{
    const char *dir = NULL;
    long jobs = 1;
    cli_common c;
    cli_common_init(&c);
    int k = sim_parse(argc, argv, &c, &dir, &jobs);
    if (k)
        return k > 0 ? 0 : 2;
    if (sim_check(&c, dir, &jobs))
        return 2;
    sim_ctx s = {.c = &c, .dir = dir, .progress_fd = -1};
    vec_manifest *mf = NULL;
    int rc = 2;
    bnn_error merr;
    double wall = 0;
    if (vec_manifest_read(dir, &mf, &merr)) {
        fprintf(stderr, "sparsecim sim: %s\n", merr.msg);
        return 2;
    }
    s.mf = mf;
    if (!sim_setup(&s, &c, mf) && !sim_replay(&s, &c, jobs, &wall) && !sim_finish(&s, &c, wall))
        rc = s.mismatches ? 1 : 0;
    cli_common_cleanup(&c);
    vec_manifest_free(mf);
    free(s.ls);
    return rc;
}

/*
 * cli_sim.c - `sparsecim sim --vectors DIR`: replays golden vector files
 * (csrc/vec.h, written by `sparsecim vectors` or `run --vectors-out DIR`) through the
 * simulated macro without the reference model: per job the weight rows,
 * every word-line vector, and the expected P, X and accumulators compared.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_util.h"
#include "tb_act.h"
#include "tb_cli.h"
#include "tb_golden.h"
#include "vec.h"

static const char usage_text[] =
    "usage: sparsecim sim --vectors DIR [options]\n"
    "\n"
    "Replays the golden vectors in DIR (written by sparsecim vectors or run --vectors-out; the jobs\n"
    "in DIR/manifest.txt order) through the simulated macro: weights, word lines, and the expected\n"
    "P, X and partial accumulators of every compute cycle compared. The geometry is the vectors'.\n"
    "\n"
    "Options:\n";

typedef struct sim_ctx {
    const tb_cli_common *c;
    const char *dir;
    const vec_manifest *mf;
    tb_layer_stats *ls;         /* by layer index */
    int nl, images;
    uint64_t mismatches;
    char err[600];
} sim_ctx;

static int sim_body(cim_dut *dut, void *arg)
{
    sim_ctx *s = arg;
    int printed = 0, last_image = -1, first_image = -1;
    bnn_error aerr;
    tb_act *act = tb_act_new(dut, s->c->o.gate, &aerr);
    if (!act) {
        snprintf(s->err, sizeof s->err, "%s", aerr.msg);
        return -1;
    }
    tb_golden_opts go = {.act = act, .gate = s->c->o.gate, .unit_log2 = s->c->o.unit_log2,
                         .max_print = s->c->o.max_print, .printed = &printed, .log = stderr};
    for (int i = 0; i < s->mf->n_jobs; i++) {
        vec_job v;
        bnn_error err;
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", s->dir, s->mf->jobs[i].file);
        if (vec_job_read(path, &v, &err)) {
            snprintf(s->err, sizeof s->err, "%s", err.msg);
            tb_act_free(act);
            return -1;
        }
        const dut_geom *g = dut_geometry(dut);
        if (v.rows != g->rows || v.cols != g->cols || v.seg_rows != g->seg_rows || v.layer < 0 ||
            v.layer >= s->nl || v.image != s->mf->jobs[i].image || v.layer != s->mf->jobs[i].layer) {
            snprintf(s->err, sizeof s->err,
                     "%.400s: geometry %dx%dx%d, image %d or layer %d differs from the manifest's", path, v.rows,
                     v.cols, v.seg_rows, v.image, v.layer);
            vec_job_free(&v);
            tb_act_free(act);
            return -1;
        }
        tb_golden_job job = {v.name, v.row_tile, v.col_tile, v.n_rows, v.n_cols, v.col_words, v.bits, v.pixels,
                             v.wrows, v.wl, v.p, v.x, v.acc, NULL};
        tb_layer_stats *ls = &s->ls[v.layer];
        snprintf(ls->name, sizeof ls->name, "%.31s", v.name);
        char *part = strstr(ls->name, ".fc");   /* SE: both FC jobs count for the layer */
        if (part)
            *part = 0;
        uint64_t cyc0 = dut_cycles(dut), mis0 = s->mismatches;
        tb_act_mark(act);
        go.image = v.image;
        int rc = tb_golden_run(dut, &job, &go, NULL, &s->mismatches, &ls->planes_skipped, s->err, sizeof s->err);
        if (i == 0)
            first_image = v.image;
        ls->tiles += v.image == first_image;
        ls->cycles += dut_cycles(dut) - cyc0;
        ls->mismatches += s->mismatches - mis0;
        if (v.image == first_image)   /* MACs per image */
            ls->macs += (uint64_t)v.n_rows * (uint64_t)v.n_cols * (uint64_t)v.pixels * (uint64_t)v.bits;
        if (!ls->shape[0])
            snprintf(ls->shape, sizeof ls->shape, "%d px x %d planes", v.pixels, v.bits);
        if (rc == 0) {
            uint64_t bad = tb_act_account(act, ls, !s->c->o.no_check_act, stderr, &printed, s->c->o.max_print,
                                          v.image, ls->name);
            s->mismatches += bad;
            ls->mismatches += bad;
        }
        if (v.image != last_image) {
            s->images++;
            last_image = v.image;
        }
        vec_job_free(&v);
        if (rc) {
            tb_act_free(act);
            return -1;
        }
    }
    tb_act_free(act);
    return 0;
}

int cli_sim(int argc, char **argv)
{
    const char *dir = NULL;
    tb_cli_common c;
    tb_cli_common_init(&c);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("%s%s\nExit status: 0 all equal, 1 mismatches, 2 bad input or error.\n", usage_text,
                   tb_cli_common_help);
            return 0;
        }
        int k = tb_cli_common_arg(&c, "sim", argc, argv, &i);
        if (k < 0)
            return 2;
        if (k > 0)
            continue;
        if (!strcmp(a, "--vectors")) {
            if (!(dir = cli_value("sim", argc, argv, &i)))
                return 2;
            continue;
        }
        fprintf(stderr, "sparsecim sim: unknown argument '%s' (see sparsecim sim --help)\n", a);
        return 2;
    }
    if (!dir) {
        fprintf(stderr, "sparsecim sim: --vectors DIR is required (see sparsecim sim --help)\n");
        return 2;
    }
    {
        char mpath[4200];
        snprintf(mpath, sizeof mpath, "%.4000s/manifest.txt", dir);
        cli_inputs in = {.n = 0};
        cli_inputs_add(&in, mpath);
        if (tb_cli_check_outputs(&c, "sim", &in))
            return 2;
    }
    sim_ctx s = {.c = &c, .dir = dir};
    vec_manifest *mf = NULL;
    int rc = 2;
    bnn_error merr;
    if (vec_manifest_read(dir, &mf, &merr)) {
        fprintf(stderr, "sparsecim sim: %s\n", merr.msg);
        return 2;
    }
    s.mf = mf;
    if (mf->n_jobs == 0) {
        fprintf(stderr, "sparsecim sim: %s/manifest.txt: no jobs\n", dir);
        goto done;
    }
    {
        /* any column group and accumulator width: the vectors fix neither */
        dut_geom fg = {mf->rows, mf->cols, mf->seg_rows, 0, 0};
        if ((c.want.rows != 256 || c.want.cols != 64 || c.want.seg_rows != 16) &&
            (c.want.rows != fg.rows || c.want.cols != fg.cols || c.want.seg_rows != fg.seg_rows)) {
            fprintf(stderr, "sparsecim sim: option --geometry %dx%dx%d: the vectors in %s are for a %dx%dx%d macro\n",
                    c.want.rows, c.want.cols, c.want.seg_rows, dir, fg.rows, fg.cols, fg.seg_rows);
            goto done;
        }
        c.want = fg;
        for (int i = 0; i < mf->n_jobs; i++)
            s.nl = mf->jobs[i].layer + 1 > s.nl ? mf->jobs[i].layer + 1 : s.nl;
        if (s.nl > 4096 || !(s.ls = calloc((size_t)s.nl, sizeof *s.ls))) {
            fprintf(stderr, "sparsecim sim: %s/manifest.txt: bad layer indices\n", dir);
            goto done;
        }
    }
    if (c.o.skip_channels || c.o.dynamic_move || c.o.layout != MAP_CHANNEL_MAJOR) {
        fprintf(stderr, "sparsecim sim: option %s: the golden vectors fix the mapping (give it to `vectors` or "
                        "`run --vectors-out`)\n",
                c.o.skip_channels ? "--skip-channels" : c.o.dynamic_move ? "--dynamic-move" : "--layout");
        goto done;
    }
    if (tb_cli_resolve(&c, "sim"))
        goto done;
    char derr[512] = "";
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int brc = c.be->run(c.geom, c.waves, (uint64_t)c.from, (uint64_t)c.to, sim_body, &s, derr, sizeof derr);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (brc) {
        char ebuf[1200];
        fprintf(stderr, "sparsecim sim: %s\n", tb_cli_error(&c, s.err[0] ? s.err : derr, ebuf, sizeof ebuf));
        goto done;
    }
    /* layers that had no file (none, normally) are dropped from the table */
    int nl = 0;
    for (int i = 0; i < s.nl; i++)
        if (s.ls[i].name[0])
            s.ls[nl++] = s.ls[i];
    uint64_t cycles = 0;
    for (int i = 0; i < nl; i++)
        cycles += s.ls[i].cycles;
    if (!c.quiet)
        tb_cli_table(stdout, s.ls, nl);
    printf("%d array jobs, %d images, %s, gate %s, unit %d: %llu mismatches, %llu cycles, %.3f s\n", mf->n_jobs,
           s.images, c.be->name, tb_gate_name(c.o.gate), 1 << c.o.unit_log2, (unsigned long long)s.mismatches,
           (unsigned long long)cycles, wall);
    if (tb_cli_energy(stdout, &c, "sim", s.ls, nl, s.images))
        goto done;
    if (tb_cli_saif(&c, "sim"))
        goto done;
    if (c.report) {
        int *none = calloc((size_t)s.images + 1, sizeof *none);
        if (!none)
            goto done;
        for (int i = 0; i < s.images; i++)
            none[i] = -1;
        tb_cli_summary sum = {"sim", dir, NULL, s.images, 0, 1, s.mismatches, none, none, none, NULL, wall, 0, 0, 0, NULL};
        int bad = tb_cli_report(&c, "sim", &sum, s.ls, nl);
        free(none);
        if (bad)
            goto done;
    }
    rc = s.mismatches ? 1 : 0;
done:
    tb_cli_cleanup(&c);
    vec_manifest_free(mf);
    free(s.ls);
    return rc;
}

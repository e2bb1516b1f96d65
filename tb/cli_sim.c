/*
 * cli_sim.c - `sparsecim sim --vectors DIR`: replays golden vector files
 * (tb/tb_vec.h, written by `sparsecim run --vectors-out DIR`) through the
 * simulated macro without the reference model: per job the weight rows,
 * every word-line vector, and the expected P, X and accumulators compared.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_util.h"
#include "tb_cli.h"
#include "tb_vec.h"

static const char usage_text[] =
    "usage: sparsecim sim --vectors DIR [options]\n"
    "\n"
    "Replays the golden vector files DIR/*.vec (written by sparsecim run --vectors-out DIR) through\n"
    "the simulated macro in name order: weights, word lines, and the expected P, X and partial\n"
    "accumulators of every compute cycle compared. The geometry is the files' own.\n"
    "\n"
    "Options:\n";

typedef struct sim_ctx {
    const tb_cli_common *c;
    char **files;
    int n_files;
    tb_layer_stats *ls;         /* by layer index */
    int nl, images;
    uint64_t mismatches;
    char err[600];
} sim_ctx;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int sim_body(cim_dut *dut, void *arg)
{
    sim_ctx *s = arg;
    int printed = 0, last_image = -1, first_image = -1;
    tb_golden_opts go = {.gate_en = s->c->o.gate_en, .unit_log2 = s->c->o.unit_log2,
                         .max_print = s->c->o.max_print, .printed = &printed, .log = stderr};
    for (int i = 0; i < s->n_files; i++) {
        tb_vec v;
        bnn_error err;
        if (tb_vec_read(s->files[i], &v, &err)) {
            snprintf(s->err, sizeof s->err, "%s", err.msg);
            return -1;
        }
        const dut_geom *g = dut_geometry(dut);
        if (v.rows != g->rows || v.cols != g->cols || v.seg_rows != g->seg_rows || v.layer_index < 0 ||
            v.layer_index >= s->nl) {
            snprintf(s->err, sizeof s->err, "%s: geometry %dx%dx%d or layer %d differs from the first file's",
                     s->files[i], v.rows, v.cols, v.seg_rows, v.layer_index);
            tb_vec_free(&v);
            return -1;
        }
        tb_layer_stats *ls = &s->ls[v.layer_index];
        snprintf(ls->name, sizeof ls->name, "%s", v.layer);
        char *part = strstr(ls->name, ".fc");   /* SE: both FC jobs count for the layer */
        if (part)
            *part = 0;
        uint64_t c0[DUT_NCNT], cyc0 = dut_cycles(dut), mis0 = s->mismatches;
        for (int k = 0; k < DUT_NCNT; k++)
            c0[k] = dut_counter(dut, k);
        go.image = v.image;
        int rc = tb_golden_run(dut, &v.job, &go, NULL, &s->mismatches, s->err, sizeof s->err);
        if (i == 0)
            first_image = v.image;
        ls->tiles += v.image == first_image;
        ls->cycles += dut_cycles(dut) - cyc0;
        ls->mismatches += s->mismatches - mis0;
        ls->macs += (uint64_t)v.job.n_rows * (uint64_t)v.job.n_cols * (uint64_t)v.job.pixels * (uint64_t)v.job.bits;
        if (!ls->shape[0])
            snprintf(ls->shape, sizeof ls->shape, "%d px x %d planes", v.job.pixels, v.job.bits);
        for (int k = 0; k < DUT_NCNT; k++)
            ls->cnt[k] += dut_counter(dut, k) - c0[k];
        if (v.image != last_image) {
            s->images++;
            last_image = v.image;
        }
        tb_vec_free(&v);
        if (rc)
            return -1;
    }
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
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "sparsecim sim: %s: cannot open the vector directory\n", dir);
        return 2;
    }
    sim_ctx s = {.c = &c};
    int cap = 0, rc = 2;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".vec"))
            continue;
        if (s.n_files == cap) {
            cap = cap ? 2 * cap : 64;
            char **nf = realloc(s.files, (size_t)cap * sizeof *nf);
            if (!nf)
                break;
            s.files = nf;
        }
        size_t len = strlen(dir) + n + 2;
        if (!(s.files[s.n_files] = malloc(len)))
            break;
        snprintf(s.files[s.n_files++], len, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (s.n_files == 0) {
        fprintf(stderr, "sparsecim sim: %s: no .vec files\n", dir);
        goto done;
    }
    qsort(s.files, (size_t)s.n_files, sizeof *s.files, cmp_str);
    /* geometry and layer count from the files */
    {
        tb_vec v;
        bnn_error err;
        if (tb_vec_read(s.files[0], &v, &err)) {
            fprintf(stderr, "sparsecim sim: %s\n", err.msg);
            goto done;
        }
        dut_geom fg = {v.rows, v.cols, v.seg_rows, 0, 32};
        tb_vec_free(&v);
        if ((c.want.rows != 256 || c.want.cols != 64 || c.want.seg_rows != 16) &&
            (c.want.rows != fg.rows || c.want.cols != fg.cols || c.want.seg_rows != fg.seg_rows)) {
            fprintf(stderr, "sparsecim sim: %s: the vectors are for a %dx%dx%d macro, not the one asked for\n",
                    s.files[0], fg.rows, fg.cols, fg.seg_rows);
            goto done;
        }
        c.want = fg;
        for (int i = 0; i < s.n_files; i++) {
            const char *l = strstr(s.files[i] + strlen(dir), "_l");
            int li = l ? atoi(l + 2) : 0;
            s.nl = li + 1 > s.nl ? li + 1 : s.nl;
        }
        if (s.nl > 4096 || !(s.ls = calloc((size_t)s.nl, sizeof *s.ls))) {
            fprintf(stderr, "sparsecim sim: %s: bad file names\n", dir);
            goto done;
        }
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
        fprintf(stderr, "sparsecim sim: %s\n", s.err[0] ? s.err : derr);
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
    printf("%d vector files, %d images, %s, gating %s, unit %d: %llu mismatches, %llu cycles, %.3f s\n", s.n_files,
           s.images, c.be->name, c.o.gate_en ? "on" : "off", 1 << c.o.unit_log2, (unsigned long long)s.mismatches,
           (unsigned long long)cycles, wall);
    if (c.report) {
        int *none = calloc((size_t)s.images + 1, sizeof *none);
        if (!none)
            goto done;
        for (int i = 0; i < s.images; i++)
            none[i] = -1;
        tb_cli_summary sum = {"sim", dir, NULL, s.images, 0, 1, s.mismatches, none, none, none, NULL, wall};
        cli_out ro = {0};
        int bad = cli_out_open(&ro, "sim", c.report);
        if (!bad) {
            tb_cli_json(ro.f, &c, &sum, s.ls, nl);
            bad = cli_out_commit(&ro, "sim");
        }
        free(none);
        if (bad)
            goto done;
    }
    rc = s.mismatches ? 1 : 0;
done:
    for (int i = 0; i < s.n_files; i++)
        free(s.files[i]);
    free(s.files);
    free(s.ls);
    return rc;
}

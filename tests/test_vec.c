/*
 * test_vec.c - golden vectors (csrc/vec/vec.h) against the reference model.
 *
 * For random (SE-)ResNets, images and macro geometries, every job file is
 * read back and checked independently of the writer: P and X recomputed by
 * popcount from the stored weight rows and word-line vectors, the stored
 * partials equal to the MSB-first sum of 2P - X, and the partials of all
 * row tiles of a column summing to the reference dot of the trace (conv
 * dots, SE fc1/fc2 dots, logits). Output files equal the trace's tensors
 * and logits. Then bad input: a changed digit (CRC), a bad line, a wrong
 * word count, a manifest without its end line, each with file and
 * line / word in the message; and the `sparsecim vectors` command line.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infer/bnn_infer.h"
#include "model/bnn_rng.h"
#include "data/ds.h"
#include "test_util.h"
#include "vec/vec.h"

static int popc(uint64_t v) { return __builtin_popcountll(v); }

/* Checks every job and output listed in dir against the traces (one per image). */
static void check_dir(const char *dir, const bnn_model *m, bnn_trace **tr, int images)
{
    vec_manifest *mf;
    bnn_error err;
    cr_assert_eq(vec_manifest_read(dir, &mf, &err), 0, "%s", err.msg);
    cr_assert_eq(mf->n_images, images);
    cr_assert_eq(mf->n_outs, images * m->n_layers);
    /* dot sums per (image, layer, part): accumulated over row tiles */
    long checked = 0;
    for (int i = 0; i < mf->n_jobs; i++) {
        char path[4200];
        vec_job v;
        snprintf(path, sizeof path, "%s/%s", dir, mf->jobs[i].file);
        cr_assert_eq(vec_job_read(path, &v, &err), 0, "%s", err.msg);
        cr_assert_eq(v.rows, mf->rows);
        cr_assert_eq(v.cols, mf->cols);
        int cw = v.col_words, rw = v.row_words;
        for (int px = 0; px < v.pixels; px++) {
            for (int c = 0; c < v.n_cols; c++) {
                int64_t acc = 0;
                for (int k = 0; k < v.bits; k++) {
                    size_t at = (size_t)px * (size_t)v.bits + (size_t)k;
                    const uint64_t *wl = v.wl + at * (size_t)rw;
                    int x = 0, p = 0;
                    for (int q = 0; q < rw; q++)
                        x += popc(wl[q]);
                    for (int r = 0; r < v.n_rows; r++)
                        if ((wl[r / 64] >> (r % 64) & 1) && (v.wrows[(size_t)r * (size_t)cw + (size_t)(c / 64)] >> (c % 64) & 1))
                            p++;
                    cr_assert_eq(v.x[at], x, "%s: X of pixel %d plane %d", path, px, k);
                    cr_assert_eq(v.p[at * (size_t)v.n_cols + (size_t)c], p, "%s: P px %d plane %d col %d", path, px, k, c);
                    acc = 2 * acc + 2 * p - x;
                }
                cr_assert_eq(v.acc[(size_t)px * (size_t)v.n_cols + (size_t)c], acc, "%s: acc px %d col %d", path, px, c);
            }
            /* rows beyond n_rows are never raised */
            for (int k = 0; k < v.bits; k++)
                for (int r = v.n_rows; r < v.rows; r++)
                    cr_assert_eq(v.wl[((size_t)px * (size_t)v.bits + (size_t)k) * (size_t)rw + (size_t)(r / 64)] >> (r % 64) & 1, 0);
        }
        vec_job_free(&v);
        checked++;
    }
    /* partials summed over row tiles = the reference dots */
    for (int img = 0; img < images; img++)
        for (int li = 0; li < m->n_layers; li++) {
            const bnn_layer *l = &m->layers[li];
            for (int part = 0; part < (l->type == BNN_SE ? 2 : 1); part++) {
                int ptype = l->type == BNN_CONV ? 0 : l->type == BNN_SE ? 1 + part : 3;
                int outs = l->type == BNN_CONV ? l->u.conv.out_c : l->type == BNN_SE ? (part ? l->u.se.c : l->u.se.hidden)
                                                                                       : l->u.cls.classes;
                int pix = l->type == BNN_CONV ? l->u.conv.out_h * l->u.conv.out_w : 1;
                int64_t *sum = calloc((size_t)outs * (size_t)pix, sizeof *sum);
                int seen = 0;
                for (int i = 0; i < mf->n_jobs; i++) {
                    if (mf->jobs[i].image != img || mf->jobs[i].layer != li)
                        continue;
                    char path[4200];
                    vec_job v;
                    snprintf(path, sizeof path, "%s/%s", dir, mf->jobs[i].file);
                    cr_assert_eq(vec_job_read(path, &v, &err), 0, "%s", err.msg);
                    if (v.part == ptype) {
                        seen++;
                        cr_assert_eq(v.pixels, pix);
                        for (int px = 0; px < pix; px++)
                            for (int c = 0; c < v.n_cols; c++)
                                sum[(size_t)(v.col_tile * v.cols + c) * (size_t)pix + (size_t)px] +=
                                    v.acc[(size_t)px * (size_t)v.n_cols + (size_t)c];
                    }
                    vec_job_free(&v);
                }
                cr_assert(seen > 0, "no job for image %d layer %s part %d", img, l->name, ptype);
                for (int o = 0; o < outs; o++)
                    for (int px = 0; px < pix; px++) {
                        int32_t ref = l->type == BNN_CONV ? tr[img]->dot[li][(size_t)o * (size_t)pix + (size_t)px]
                                      : l->type == BNN_SE ? (part ? tr[img]->se_dot2[li][o] : tr[img]->se_dot1[li][o])
                                                          : tr[img]->logits[o];
                        cr_assert_eq(sum[(size_t)o * (size_t)pix + (size_t)px], ref,
                                     "image %d layer %s part %d output %d pixel %d", img, l->name, ptype, o, px);
                    }
                free(sum);
            }
        }
    /* layer outputs */
    for (int i = 0; i < mf->n_outs; i++) {
        char path[4200];
        uint64_t *w;
        long n;
        snprintf(path, sizeof path, "%s/%s", dir, mf->outs[i].file);
        cr_assert_eq(vec_read_words(path, &w, &n, &err), 0, "%s", err.msg);
        cr_assert_eq(w[0], VEC_OUT_MAGIC);
        cr_assert_eq((long)w[8], n);
        const bnn_trace *t = tr[w[2]];
        int li = (int)w[3];
        cr_assert_eq(li, mf->outs[i].layer);
        if (w[4] == 1) {
            for (uint64_t c = 0; c < w[5]; c++)
                cr_assert_eq((int64_t)w[VEC_OUT_HDR + c], t->logits[c]);
            cr_assert_eq((int)w[VEC_OUT_HDR + w[5]], t->pred);
        } else {
            const bnn_tensor *a = t->act[li + 1];
            size_t e = (size_t)a->c * (size_t)a->h * (size_t)a->w;
            cr_assert_eq(w[5] * w[6] * w[7], e);
            for (size_t k = 0; k < e; k++)
                cr_assert_eq((int)(w[VEC_OUT_HDR + k / 64] >> (k % 64) & 1), a->v[k] & 1, "%s: element %zu", path, k);
        }
        free(w);
    }
    cr_assert(checked > 0);
    vec_manifest_free(mf);
}

static void write_dir(const char *dir, const bnn_model *m, const map_cfg *cfg, bnn_trace **tr, int images, uint64_t seed)
{
    bnn_error err;
    vec_writer *w = vec_writer_open(dir, cfg, "random", "random", &err);
    cr_assert_not_null(w, "%s", err.msg);
    bnn_tensor *img = bnn_tensor_new(m->in_c, m->in_h, m->in_w, m->in_bits);
    for (int i = 0; i < images; i++) {
        ds_random_image(img, seed, i);
        cr_assert_eq(bnn_forward(m, img, BNN_FAST, tr[i], &err), 0, "%s", err.msg);
        cr_assert_eq(vec_writer_image(w, m, tr[i], i, -1, &err), 0, "%s", err.msg);
    }
    cr_assert_eq(vec_writer_close(w, &err), 0, "%s", err.msg);
    bnn_tensor_free(img);
}

static void rm_dir(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    tu_run(cmd, NULL, 0);
}

Test(vec, random_models_and_geometries_match_reference, .timeout = 300)
{
    static const int geo[][3] = {{64, 16, 8}, {128, 24, 16}, {64, 70, 32}, {256, 64, 16}};
    bnn_rng r;
    bnn_rng_seed(&r, 77);
    for (int t = 0; t < 6; t++) {
        bnn_random_opts o = {.depth = t % 3 == 2 ? 20 : 8, .width = bnn_rng_range(&r, 4, 12), .se = t % 2,
                             .in_c = t == 3 ? 3 : 1, .in_h = bnn_rng_range(&r, 5, 10), .in_w = bnn_rng_range(&r, 5, 10),
                             .classes = bnn_rng_range(&r, 2, 10), .seed = (uint64_t)t + 1};
        bnn_model *m;
        bnn_error err;
        cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
        const int *g = geo[t % 4];
        map_cfg cfg = {g[0], g[1], g[2], t % 2 ? MAP_TAP_MAJOR : MAP_CHANNEL_MAJOR, NULL, 0};
        bnn_trace *tr[2] = {bnn_trace_new(m), bnn_trace_new(m)};
        char dir[256];
        tu_tmp_path(dir, sizeof dir, "vec");
    remove(dir);
        write_dir(dir, m, &cfg, tr, 2, (uint64_t)t);
        check_dir(dir, m, tr, 2);
        rm_dir(dir);
        bnn_trace_free(tr[0]);
        bnn_trace_free(tr[1]);
        bnn_model_free(m);
    }
}

/* Rewrites word `at` of a hex file (data lines only), keeping the old CRC word. */
static void set_word(const char *path, long at, uint64_t v)
{
    uint64_t *w;
    long n;
    bnn_error err;
    cr_assert_eq(vec_read_words(path, &w, &n, &err), 0, "%s", err.msg);
    w[at] = v;
    cr_assert_eq(tu_write_hex_words(path, w, n, 0), 0);
    free(w);
}

static void msg_has(const char *msg, const char *a, const char *b)
{
    cr_assert(strstr(msg, a) && (!b || strstr(msg, b)), "message: %s", msg);
}

Test(vec, bad_files_are_rejected_with_place)
{
    bnn_random_opts o = {.depth = 8, .width = 4, .se = 1, .in_c = 1, .in_h = 6, .in_w = 6, .classes = 3, .seed = 9};
    bnn_model *m;
    bnn_error err;
    cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
    map_cfg cfg = {64, 16, 8, MAP_CHANNEL_MAJOR, NULL, 0};
    bnn_trace *tr[1] = {bnn_trace_new(m)};
    char dir[256], path[512], cmd[2048];
    tu_tmp_path(dir, sizeof dir, "vecbad");
    remove(dir);
    write_dir(dir, m, &cfg, tr, 1, 3);
    snprintf(path, sizeof path, "%s/i00000_l000_conv1_r000_c000.hex", dir);
    vec_job v;
    cr_assert_eq(vec_job_read(path, &v, &err), 0, "%s", err.msg);
    vec_job_free(&v);

    /* one digit changed: the CRC word catches it */
    snprintf(cmd, sizeof cmd, "cp %s %s.orig && sed -i '30s/^./f/' %s", path, path, path);
    cr_assert_eq(tu_run(cmd, NULL, 0), 0);
    cr_assert_neq(vec_job_read(path, &v, &err), 0);
    msg_has(err.msg, path, "(CRC-32): expected");
    /* a line that is not a word */
    snprintf(cmd, sizeof cmd, "cp %s.orig %s && sed -i '5s/.*/12345/' %s", path, path, path);
    tu_run(cmd, NULL, 0);
    cr_assert_neq(vec_job_read(path, &v, &err), 0);
    msg_has(err.msg, "line 5: expected a word of 16 hex digits, got '12345'", NULL);
    /* a changed word with the old CRC word */
    snprintf(cmd, sizeof cmd, "cp %s.orig %s", path, path);
    tu_run(cmd, NULL, 0);
    set_word(path, 14, 5);
    cr_assert_neq(vec_job_read(path, &v, &err), 0);
    msg_has(err.msg, "(CRC-32)", NULL);
    /* an empty file */
    snprintf(cmd, sizeof cmd, ": > %s", path);
    tu_run(cmd, NULL, 0);
    cr_assert_neq(vec_job_read(path, &v, &err), 0);
    msg_has(err.msg, path, "expected a header and a CRC word");
    /* a manifest without its end line */
    snprintf(cmd, sizeof cmd, "sed -i '$d' %s/manifest.txt", dir);
    tu_run(cmd, NULL, 0);
    vec_manifest *mf;
    cr_assert_neq(vec_manifest_read(dir, &mf, &err), 0);
    msg_has(err.msg, "manifest.txt: line", "without the 'end' line");
    /* an unknown line */
    snprintf(cmd, sizeof cmd, "echo 'bogus 1 2' >> %s/manifest.txt", dir);
    tu_run(cmd, NULL, 0);
    cr_assert_neq(vec_manifest_read(dir, &mf, &err), 0);
    msg_has(err.msg, "expected geometry, image, job, out or end, got 'bogus 1 2'", NULL);
    cr_assert_neq(vec_manifest_read("/nonexistent-dir", &mf, &err), 0);
    msg_has(err.msg, "/nonexistent-dir/manifest.txt: cannot open", NULL);
    rm_dir(dir);
    bnn_trace_free(tr[0]);
    bnn_model_free(m);
}

/* A header field that is wrong but CRC-consistent: the reader names the word. */
Test(vec, header_fields_checked)
{
    bnn_random_opts o = {.depth = 8, .width = 4, .se = 0, .in_c = 1, .in_h = 5, .in_w = 5, .classes = 2, .seed = 4};
    bnn_model *m;
    bnn_error err;
    cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
    map_cfg cfg = {64, 16, 8, MAP_CHANNEL_MAJOR, NULL, 0};
    bnn_trace *tr[1] = {bnn_trace_new(m)};
    char dir[256], path[512];
    tu_tmp_path(dir, sizeof dir, "vechdr");
    remove(dir);
    write_dir(dir, m, &cfg, tr, 1, 5);
    snprintf(path, sizeof path, "%s/i00000_l001_s0b0a_r000_c000.hex", dir);
    static const struct {
        long at;
        uint64_t v;
        const char *want;
    } cases[] = {{0, 1, "word 0 (magic)"}, {1, 2, "word 1 (version): expected 1, got 2"},
                 {2, 100, "word 2 (ROWS): expected a multiple of 64"}, {12, 0, "word 12 (bits): expected 1..16, got 0"},
                 {11, 17, "word 11 (n_cols): expected 1..COLS (16), got 17"},
                 {14, 3, "word 14 (word count): expected"},
                 {16, 0x73300a3061000000ull, "word 16 (name): expected 1..32 printable bytes"},   /* "s0\na" */
                 {16, 0, "word 16 (name): expected 1..32 printable bytes"},                        /* empty */
                 {17, 0x7800000000000000ull, "word 16 (name): expected 1..32 printable bytes"}};   /* after the NUL */
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint64_t *w;
        long n;
        cr_assert_eq(vec_read_words(path, &w, &n, &err), 0, "%s", err.msg);
        uint64_t old = w[cases[c].at];
        w[cases[c].at] = cases[c].v;
        cr_assert_eq(tu_write_hex_words(path, w, n, 1), 0);
        vec_job v;
        cr_assert_neq(vec_job_read(path, &v, &err), 0, "case %zu", c);
        msg_has(err.msg, path, cases[c].want);
        w[cases[c].at] = old;
        cr_assert_eq(tu_write_hex_words(path, w, n, 1), 0);
        free(w);
        cr_assert_eq(vec_job_read(path, &v, &err), 0, "%s", err.msg);
        vec_job_free(&v);
    }
    rm_dir(dir);
    bnn_trace_free(tr[0]);
    bnn_model_free(m);
}

Test(vec, command_line, .timeout = 120)
{
    char model[256], dir[256], cmd[2048], out[8192];
    tu_tmp_path(model, sizeof model, "vecmodel");
    tu_tmp_path(dir, sizeof dir, "veccli");
    remove(dir);
    snprintf(cmd, sizeof cmd, "%s/sparsecim model random --depth 8 --width 8 --se --input 8x8x1 --seed 3 -o %s 2>&1",
             tu_bin_dir(), model);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    snprintf(cmd, sizeof cmd, "%s/sparsecim vectors --model %s --data random:2 --count 2 --rows 64 --cols 16 --seg-rows 8 -o %s 2>&1",
             tu_bin_dir(), model, dir);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "manifest.txt: 2 images"), "%s", out);
    vec_manifest *mf;
    bnn_error err;
    cr_assert_eq(vec_manifest_read(dir, &mf, &err), 0, "%s", err.msg);
    cr_assert_eq(mf->rows, 64);
    cr_assert_eq(mf->n_images, 2);
    vec_manifest_free(mf);
    static const struct {
        const char *args, *want;
    } bad[] = {
        {"--data random", "--model, --data and -o DIR are required"},
        {"--model /nonexistent.bnn --data random -o X", "/nonexistent.bnn"},
        {"--model M --data random -o X --rows 100", "rows must be a multiple of 64"},
        {"--model M --data random -o X --cols 0", "option --cols: expected an integer in 1..4096, got '0'"},
        {"--model M --data random -o X --layout diagonal", "expected channel, tap or aligned, got 'diagonal'"},
        {"--model M --data fashion-mnist:nope -o X", "fashion-mnist"},
        {"--model M --data random:x -o X", "random:SEED"},
        {"--bogus", "unknown option '--bogus'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char args[512];
        snprintf(args, sizeof args, "%s", bad[i].args);
        char *mpos = strstr(args, "M ");
        char full[1024];
        if (mpos) {
            *mpos = 0;
            snprintf(full, sizeof full, "%s%s %s", args, model, mpos + 2);
        } else {
            snprintf(full, sizeof full, "%s", args);
        }
        snprintf(cmd, sizeof cmd, "%s/sparsecim vectors %s 2>&1", tu_bin_dir(), full);
        int rc = tu_run(cmd, out, sizeof out);
        cr_assert_eq(rc, 2, "%s: exit %d: %s", full, rc, out);
        cr_assert(strstr(out, bad[i].want), "%s: %s", full, out);
        cr_assert_eq(strchr(out, '\n'), out + strlen(out) - 1, "one line: %s", out);
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s %s X", dir, model);
    tu_run(cmd, NULL, 0);
}

/* test_map.c - layer-to-array mapping: coverage and equivalence properties. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "bnn_infer.h"
#include "bnn_rng.h"
#include "map.h"

/* Every (output channel, pixel, element) MAC covered exactly once, and the
 * summed per-job partial dots (from the job's own tile bits) equal the
 * reference conv dots, for random shapes, layouts, permutations, geometries. */
Test(map, every_mac_once_and_partials_sum_to_dots, .timeout = 120)
{
    bnn_rng r;
    bnn_rng_seed(&r, 99);
    const int kern[4][2] = {{1, 1}, {1, 3}, {3, 1}, {3, 3}};
    const int rows_opt[3] = {64, 128, 256}, cols_opt[3] = {8, 16, 64}, seg_opt[4] = {4, 8, 16, 32};
    for (int t = 0; t < 300; t++) {
        int kk = bnn_rng_range(&r, 0, 3), kh = kern[kk][0], kw = kern[kk][1];
        int in_c = bnn_rng_range(&r, 1, t % 5 ? 40 : 200), out_c = bnn_rng_range(&r, 1, t % 7 ? 40 : 150);
        int s = bnn_rng_range(&r, 1, 2), h = bnn_rng_range(&r, kh, 7), w = bnn_rng_range(&r, kw, 7);
        int bits = bnn_rng_range(&r, 0, 3) ? 1 : bnn_rng_range(&r, 2, 8);
        bnn_layer l = {.type = BNN_CONV};
        bnn_conv *c = &l.u.conv;
        *c = (bnn_conv){.in_c = in_c, .out_c = out_c, .in_h = h, .in_w = w, .k_h = kh, .k_w = kw, .stride = s,
                        .pad_h = kh / 2, .pad_w = kw / 2, .in_bits = bits, .shortcut = -1};
        c->out_h = (h + 2 * c->pad_h - kh) / s + 1;
        c->out_w = (w + 2 * c->pad_w - kw) / s + 1;
        bnn_bits_alloc(&c->wt, out_c, in_c * kh * kw);
        bnn_thresh_alloc(&c->th, out_c, 1);
        for (int o = 0; o < out_c; o++)
            for (int i = 0; i < c->wt.cols; i++)
                bnn_bits_set(&c->wt, o, i, (int)(bnn_rng_u64(&r) & 1));
        int *perm = malloc((size_t)in_c * sizeof *perm);
        for (int i = 0; i < in_c; i++)
            perm[i] = i;
        for (int i = in_c - 1; i > 0; i--) {
            int j = bnn_rng_range(&r, 0, i), x = perm[i];
            perm[i] = perm[j];
            perm[j] = x;
        }
        map_cfg cfg = {rows_opt[bnn_rng_range(&r, 0, 2)], cols_opt[bnn_rng_range(&r, 0, 2)], 0,
                       (map_layout)bnn_rng_range(&r, 0, 1), bnn_rng_range(&r, 0, 1) ? perm : NULL};
        cfg.seg_rows = seg_opt[bnn_rng_range(&r, 0, 3)];
        map_op op;
        cr_assert_eq(map_op_of(&l, MAP_CONV, &op), 0);
        map_layer *ml;
        bnn_error err;
        cr_assert_eq(map_layer_build(&op, &cfg, &ml, &err), 0, "%s", err.msg);
        /* coverage: each (channel, element) exactly once */
        int n = op.n;
        int *seen = calloc((size_t)n * (size_t)out_c, sizeof *seen);
        for (int ji = 0; ji < ml->n_jobs; ji++) {
            const map_job *j = &ml->jobs[ji];
            cr_assert(j->n_rows <= cfg.rows && j->n_cols <= cfg.cols);
            for (int rr = 0; rr < j->n_rows; rr++)
                for (int cc = 0; cc < j->n_cols; cc++)
                    seen[(size_t)(j->col0 + cc) * (size_t)n + (size_t)j->elem[rr]]++;
        }
        for (int i = 0; i < n * out_c; i++)
            cr_assert_eq(seen[i], 1, "case %d: MAC %d covered %d times", t, i, seen[i]);
        /* channel-major without permutation: channel c's taps are adjacent rows */
        if (cfg.layout == MAP_CHANNEL_MAJOR && !cfg.perm)
            for (int p = 0; p < n; p++)
                cr_assert_eq(ml->order[p], p);
        /* partial sums of the jobs equal the reference dots */
        bnn_tensor *in = bnn_tensor_new(in_c, h, w, bits);
        for (size_t i = 0; i < (size_t)in_c * (size_t)h * (size_t)w; i++)
            in->v[i] = (uint16_t)(bnn_rng_range(&r, 0, 2) ? 0 : bnn_rng_range(&r, 0, (1 << bits) - 1));
        int pixels = c->out_h * c->out_w;
        int32_t *ref = calloc((size_t)out_c * (size_t)pixels, 4), *sum = calloc((size_t)out_c * (size_t)pixels, 4);
        bnn_tensor *out = bnn_tensor_new(out_c, c->out_h, c->out_w, 1);
        cr_assert_eq(bnn_conv_forward(c, in, NULL, out, ref, BNN_NAIVE, &err), 0);
        uint64_t wl[4];
        int P[64], X;
        for (int ji = 0; ji < ml->n_jobs; ji++) {
            const map_job *j = &ml->jobs[ji];
            for (int p = 0; p < pixels; p++) {
                int32_t acc[64] = {0};
                for (int k = 0; k < bits; k++) {
                    map_job_input(ml, j, in, NULL, p, k, wl);
                    for (int rr = j->n_rows; rr < cfg.rows; rr++)
                        cr_assert_eq((wl[rr >> 6] >> (rr & 63)) & 1, 0, "unused row driven");
                    map_job_px(ml, j, wl, P, &X);
                    for (int cc = 0; cc < j->n_cols; cc++)
                        acc[cc] = 2 * acc[cc] + 2 * P[cc] - X;
                }
                for (int cc = 0; cc < j->n_cols; cc++)
                    sum[(size_t)(j->col0 + cc) * (size_t)pixels + (size_t)p] += acc[cc];
            }
        }
        cr_assert_eq(memcmp(ref, sum, (size_t)out_c * (size_t)pixels * 4), 0, "case %d: partials do not sum to the dots", t);
        free(ref);
        free(sum);
        free(seen);
        free(perm);
        bnn_tensor_free(in);
        bnn_tensor_free(out);
        map_layer_free(ml);
        free(c->wt.w);
        free(c->th.neg);
        free(c->th.t);
    }
}

Test(map, bad_geometry_rejected)
{
    bnn_layer l = {.type = BNN_SE};
    map_op op;
    cr_assert_neq(map_op_of(&l, MAP_CONV, &op), 0);
    l.u.se.c = 8;
    l.u.se.hidden = 2;
    l.u.se.q_bits = 4;
    bnn_bits_alloc(&l.u.se.fc1, 2, 8);
    cr_assert_eq(map_op_of(&l, MAP_FC1, &op), 0);
    map_cfg cfg = {100, 16, 8, MAP_CHANNEL_MAJOR, NULL};
    map_layer *ml;
    bnn_error err;
    cr_assert_neq(map_layer_build(&op, &cfg, &ml, &err), 0);
    cr_assert(strstr(err.msg, "multiple of 64"), "%s", err.msg);
    free(l.u.se.fc1.w);
}

/*
 * test_remap.c - channel remap statistics and permutations (csrc/map/remap.h):
 * on random SE-ResNets and images every CONV layer with more than one
 * input channel gets a true permutation, ordered by falling zero fraction
 * with ties by index, the zero fractions equal a direct count over the
 * traces, and a layer without calibration data keeps the identity; mapping
 * a layer through the permutation (csrc/map/map.h) still gives the reference
 * dots (every row tile's partials add up to them).
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "infer/bnn_infer.h"
#include "model/bnn_rng.h"
#include "data/ds.h"
#include "map/map.h"
#include "map/remap.h"

Test(remap, permutations_sorted_by_zero_fraction)
{
    for (int t = 0; t < 4; t++) {
        bnn_random_opts o = {.depth = t < 2 ? 8 : 14, .width = 8 + 4 * t, .se = t % 2, .in_c = 1, .in_h = 9,
                             .in_w = 9, .classes = 4, .seed = (uint64_t)t + 30};
        bnn_model *m;
        bnn_error err;
        cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
        remap_stats *r = remap_new(m);
        cr_assert_not_null(r);
        /* before any image: identity */
        const int *const *p0 = remap_perms(r);
        for (int li = 0; li < m->n_layers; li++)
            if (p0[li])
                for (int c = 0; c < m->layers[li].u.conv.in_c; c++)
                    cr_assert_eq(p0[li][c], c);
        bnn_trace *tr = bnn_trace_new(m);
        bnn_tensor *img = bnn_tensor_new(m->in_c, m->in_h, m->in_w, m->in_bits);
        uint64_t **zc = calloc((size_t)m->n_layers, sizeof *zc);
        uint64_t *tot = calloc((size_t)m->n_layers, sizeof *tot);
        for (int li = 0; li < m->n_layers; li++)
            if (m->layers[li].type == BNN_CONV)
                zc[li] = calloc((size_t)m->layers[li].u.conv.in_c, sizeof **zc);
        for (int i = 0; i < 5; i++) {
            ds_random_image(img, 100 + (uint64_t)t, i);
            cr_assert_eq(bnn_forward(m, img, BNN_FAST, tr, &err), 0, "%s", err.msg);
            remap_add(r, tr);
            for (int li = 0; li < m->n_layers; li++) {
                if (!zc[li])
                    continue;
                const bnn_tensor *a = tr->act[li];
                for (int c = 0; c < a->c; c++)
                    for (int y = 0; y < a->h; y++)
                        for (int x = 0; x < a->w; x++)
                            zc[li][c] += bnn_at(a, c, y, x) == 0;
                tot[li] += (uint64_t)a->h * (uint64_t)a->w;
            }
        }
        cr_assert_eq(remap_images(r), 5);
        const int *const *p = remap_perms(r);
        int nonid = 0;
        for (int li = 0; li < m->n_layers; li++) {
            const bnn_layer *l = &m->layers[li];
            if (l->type != BNN_CONV || l->u.conv.in_c < 2) {
                cr_assert_null(p[li], "layer %s", l->name);
                continue;
            }
            int n = l->u.conv.in_c;
            char *seen = calloc((size_t)n, 1);
            for (int pos = 0; pos < n; pos++) {
                int c = p[li][pos];
                cr_assert(c >= 0 && c < n && !seen[c], "layer %s: not a permutation at %d", l->name, pos);
                seen[c] = 1;
                nonid |= c != pos;
                cr_assert_float_eq(remap_zero_fraction(r, li, c), (double)zc[li][c] / (double)tot[li], 1e-12);
                if (pos > 0) {
                    int b = p[li][pos - 1];
                    cr_assert(zc[li][b] > zc[li][c] || (zc[li][b] == zc[li][c] && b < c),
                              "layer %s: position %d (channel %d, %llu zeros) after channel %d (%llu)", l->name, pos, c,
                              (unsigned long long)zc[li][c], b, (unsigned long long)zc[li][b]);
                }
            }
            free(seen);
        }
        cr_assert(nonid, "model %d: every permutation is the identity", t);

        /* a permuted mapping still computes the reference dots */
        for (int li = 0; li < m->n_layers; li++) {
            if (!p[li])
                continue;
            const bnn_layer *l = &m->layers[li];
            map_op op;
            cr_assert_eq(map_op_of(l, MAP_CONV, &op), 0);
            map_cfg cfg = {64, 16, 8, MAP_CHANNEL_MAJOR, p[li], 0};
            map_layer *ml;
            cr_assert_eq(map_layer_build(&op, &cfg, &ml, &err), 0, "%s", err.msg);
            int pix = map_pixels(&op);
            int64_t *sum = calloc((size_t)op.out_c * (size_t)pix, sizeof *sum);
            uint64_t wl[1];
            int pc[16], x;
            for (int j = 0; j < ml->n_jobs; j++) {
                const map_job *jb = &ml->jobs[j];
                for (int px = 0; px < pix; px++) {
                    map_job_input(ml, jb, tr->act[li], NULL, px, 0, wl);
                    map_job_px(ml, jb, wl, pc, &x);
                    for (int c = 0; c < jb->n_cols; c++)
                        sum[(size_t)(jb->col0 + c) * (size_t)pix + (size_t)px] += 2 * pc[c] - x;
                }
            }
            for (size_t k = 0; k < (size_t)op.out_c * (size_t)pix; k++)
                cr_assert_eq(sum[k], tr->dot[li][k], "layer %s dot %zu", l->name, k);
            free(sum);
            map_layer_free(ml);
        }
        for (int li = 0; li < m->n_layers; li++)
            free(zc[li]);
        free(zc);
        free(tot);
        bnn_tensor_free(img);
        bnn_trace_free(tr);
        remap_free(r);
        bnn_model_free(m);
    }
}

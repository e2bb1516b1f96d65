/* test_map.c - layer-to-array mapping: coverage and equivalence properties. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "infer/bnn_infer.h"
#include "model/bnn_rng.h"
#include "map/map.h"

/* The aligned layout (map.h): a channel's taps are adjacent, a channel of
 * k*k <= SEG_ROWS rows lies inside one segment, a longer one starts on a
 * segment boundary, and no channel straddles a row tile; the padding is
 * the least that does this (a channel moves only when it does not fit). */
static void assert_aligned(const map_layer *ml, const map_cfg *cfg, int kk, int t)
{
    int seg = cfg->seg_rows, prev_end = 0;
    for (int p = 0; p < ml->n_pos;) {
        if (ml->order[p] < 0) {
            p++;
            continue;
        }
        int c = ml->order[p] / kk;
        for (int k = 0; k < kk; k++)
            cr_assert_eq(ml->order[p + k], c * kk + k, "case %d: channel %d not on adjacent rows", t, c);
        if (kk <= seg) {
            cr_assert_eq(p / seg, (p + kk - 1) / seg, "case %d: channel %d straddles a segment", t, c);
            cr_assert(p == prev_end || prev_end % seg + kk > seg, "case %d: channel %d padded needlessly", t, c);
        } else {
            cr_assert_eq(p % seg, 0, "case %d: channel %d not on a segment boundary", t, c);
        }
        if (kk <= cfg->rows)
            cr_assert_eq(p / cfg->rows, (p + kk - 1) / cfg->rows, "case %d: channel %d straddles a tile", t, c);
        p += kk;
        prev_end = p;
    }
}

/* Random inputs (half zeros) through the jobs of ml, bit-serially as the
 * macro computes (acc = 2 acc + 2 P - X per input bit): the partials of the
 * jobs summed per output and pixel equal the reference dots of conv c. Rows
 * a job leaves unused are never driven (rows = the array's rows). */
static void assert_partials_sum_to_dots(const bnn_conv *c, const map_layer *ml, int rows, bnn_rng *r, int t)
{
    const int bits = c->in_bits, out_c = c->out_c, pixels = c->out_h * c->out_w;
    bnn_tensor *in = bnn_tensor_new(c->in_c, c->in_h, c->in_w, bits);
    for (size_t i = 0; i < (size_t)c->in_c * (size_t)c->in_h * (size_t)c->in_w; i++)
        in->v[i] = (uint16_t)(bnn_rng_range(r, 0, 2) ? 0 : bnn_rng_range(r, 0, (1 << bits) - 1));
    int32_t *ref = calloc((size_t)out_c * (size_t)pixels, 4), *sum = calloc((size_t)out_c * (size_t)pixels, 4);
    bnn_tensor *out = bnn_tensor_new(out_c, c->out_h, c->out_w, 1);
    bnn_error err;
    cr_assert_eq(bnn_conv_forward(c, in, NULL, out, ref, BNN_NAIVE, &err), 0, "%s", err.msg);
    uint64_t wl[4];
    int P[64], X;
    for (int ji = 0; ji < ml->n_jobs; ji++) {
        const map_job *j = &ml->jobs[ji];
        for (int p = 0; p < pixels; p++) {
            int32_t acc[64] = {0};
            for (int k = 0; k < bits; k++) {
                map_job_input(ml, j, in, NULL, p, k, wl);
                for (int rr = j->n_rows; rr < rows; rr++)
                    cr_assert_eq((wl[rr >> 6] >> (rr & 63)) & 1, 0, "case %d: unused row driven", t);
                map_job_px(ml, j, wl, P, &X);
                for (int cc = 0; cc < j->n_cols; cc++)
                    acc[cc] = 2 * acc[cc] + 2 * P[cc] - X;
            }
            for (int cc = 0; cc < j->n_cols; cc++)
                sum[(size_t)(j->col0 + cc) * (size_t)pixels + (size_t)p] += acc[cc];
        }
    }
    cr_assert_eq(memcmp(ref, sum, (size_t)out_c * (size_t)pixels * 4), 0,
                 "case %d (groups %d, %d -> %d, k %dx%d): partials do not sum to the dots", t, bnn_conv_groups(c), c->in_c,
                 out_c, c->k_h, c->k_w);
    free(ref);
    free(sum);
    bnn_tensor_free(in);
    bnn_tensor_free(out);
}

/* Every (output channel, pixel, element) MAC covered exactly once (m[c]
 * times with multiplicities, the copies after the channels), and the
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
        /* every third case with multiplicities (docs/SPEC.md section 2): channel c's rows m[c] times */
        int copies = in_c;
        if (t % 3 == 0) {
            c->mult = malloc((size_t)in_c);
            for (int ch = 0; ch < in_c; ch++)
                copies += (c->mult[ch] = (uint8_t)(bnn_rng_range(&r, 0, 2) ? 1 : bnn_rng_range(&r, 2, 4))) - 1;
        }
        int *perm = malloc((size_t)in_c * sizeof *perm);
        for (int i = 0; i < in_c; i++)
            perm[i] = i;
        for (int i = in_c - 1; i > 0; i--) {
            int j = bnn_rng_range(&r, 0, i), x = perm[i];
            perm[i] = perm[j];
            perm[j] = x;
        }
        map_cfg cfg = {rows_opt[bnn_rng_range(&r, 0, 2)], cols_opt[bnn_rng_range(&r, 0, 2)], 0,
                       (map_layout)bnn_rng_range(&r, 0, 2), bnn_rng_range(&r, 0, 1) ? perm : NULL, 0};
        cfg.seg_rows = seg_opt[bnn_rng_range(&r, 0, 3)];
        map_op op;
        cr_assert_eq(map_op_of(&l, MAP_CONV, &op), 0);
        map_layer *ml;
        bnn_error err;
        cr_assert_eq(map_layer_build(&op, &cfg, &ml, &err), 0, "%s", err.msg);
        /* coverage: each (channel, element) exactly once; padding rows hold weight 0 */
        int n = op.n;
        int *seen = calloc((size_t)n * (size_t)out_c, sizeof *seen);
        for (int ji = 0; ji < ml->n_jobs; ji++) {
            const map_job *j = &ml->jobs[ji];
            cr_assert(j->n_rows <= cfg.rows && j->n_cols <= cfg.cols);
            cr_assert(j->n_rows == 0 || j->elem[j->n_rows - 1] >= 0, "case %d: trailing padding mapped", t);
            for (int rr = 0; rr < j->n_rows; rr++)
                for (int cc = 0; cc < j->n_cols; cc++) {
                    if (j->elem[rr] < 0) {
                        cr_assert_eq((j->wrows[(size_t)rr * (size_t)j->col_words + (size_t)(cc >> 6)] >> (cc & 63)) & 1,
                                     0, "case %d: padding row %d holds a weight", t, rr);
                        continue;
                    }
                    seen[(size_t)(j->col0 + cc) * (size_t)n + (size_t)j->elem[rr]]++;
                }
        }
        cr_assert_eq(cfg.layout == MAP_ALIGNED || ml->n_pos == copies * kh * kw, 1,
                     "case %d: %d positions for %d elements (%d channel copies)", t, ml->n_pos, n, copies);
        cr_assert_eq(op.rows, copies * kh * kw, "case %d: map_op rows %d", t, op.rows);
        if (cfg.layout == MAP_ALIGNED)
            assert_aligned(ml, &cfg, kh * kw, t);
        for (int i = 0; i < n * out_c; i++)
            cr_assert_eq(seen[i], c->mult ? c->mult[(i % n) / (kh * kw)] : 1, "case %d: MAC %d covered %d times", t, i,
                         seen[i]);
        /* channel-major without permutation: channel c's taps are adjacent
         * rows, every channel once, then the copies (second copies of the
         * channels with m >= 2 in channel order, then the third ...) */
        if (cfg.layout == MAP_CHANNEL_MAJOR) { /* in the permutation's order when there is one */
            int p = 0;
            for (int round = 1; round <= 4; round++)
                for (int pos = 0; pos < in_c; pos++) {
                    const int ch = cfg.perm ? cfg.perm[pos] : pos;
                    for (int tap = 0; tap < kh * kw && (c->mult ? c->mult[ch] : 1) >= round; tap++, p++)
                        cr_assert_eq(ml->order[p], ch * kh * kw + tap, "case %d: position %d", t, p);
                }
            cr_assert_eq(p, ml->n_pos);
        }
        /* partial sums of the jobs equal the reference dots */
        assert_partials_sum_to_dots(c, ml, cfg.rows, &r, t);
        free(seen);
        free(perm);
        map_layer_free(ml);
        free(c->wt.w);
        free(c->th.neg);
        free(c->th.t);
        free(c->mult);
    }
}

/* Grouped and depthwise convs (map.h "Groups"): every job holds one group's
 * rows and columns only (its columns are outputs of its group, its rows
 * elements of that group's weight rows, fed from its input channels), each
 * (output, element) MAC is mapped exactly once, map_col_tile finds every
 * output's job, and the jobs' partials sum to the reference dots, for
 * random shapes, layouts and geometries. A depthwise 3x3 layer is one job
 * of 9 rows and 1 column per channel. */
Test(map, groups_one_job_per_group_and_partials_sum_to_dots, .timeout = 120)
{
    bnn_rng r;
    bnn_rng_seed(&r, 1414);
    const int kern[4][2] = {{1, 1}, {1, 3}, {3, 1}, {3, 3}};
    const int rows_opt[3] = {64, 128, 256}, cols_opt[3] = {8, 16, 64}, seg_opt[4] = {4, 8, 16, 32};
    int depthwise = 0;
    for (int t = 0; t < 200; t++) {
        int kk = bnn_rng_range(&r, 0, 3), kh = kern[kk][0], kw = kern[kk][1];
        int groups = bnn_rng_range(&r, 2, 20), dw = t % 3 == 0;
        int cpg = dw ? 1 : bnn_rng_range(&r, 1, t % 5 ? 12 : 40), opg = dw ? 1 : bnn_rng_range(&r, 1, t % 7 ? 12 : 80);
        int in_c = groups * cpg, out_c = groups * opg;
        int s = bnn_rng_range(&r, 1, 2), h = bnn_rng_range(&r, kh, 6), w = bnn_rng_range(&r, kw, 6);
        int bits = bnn_rng_range(&r, 0, 3) ? 1 : bnn_rng_range(&r, 2, 8);
        bnn_layer l = {.type = BNN_CONV};
        bnn_conv *c = &l.u.conv;
        *c = (bnn_conv){.in_c = in_c, .out_c = out_c, .in_h = h, .in_w = w, .k_h = kh, .k_w = kw, .stride = s,
                        .pad_h = kh / 2, .pad_w = kw / 2, .in_bits = bits, .shortcut = -1, .groups = groups};
        c->out_h = (h + 2 * c->pad_h - kh) / s + 1;
        c->out_w = (w + 2 * c->pad_w - kw) / s + 1;
        bnn_bits_alloc(&c->wt, out_c, cpg * kh * kw);
        bnn_thresh_alloc(&c->th, out_c, 1);
        for (int o = 0; o < out_c; o++)
            for (int i = 0; i < c->wt.cols; i++)
                bnn_bits_set(&c->wt, o, i, (int)(bnn_rng_u64(&r) & 1));
        map_cfg cfg = {rows_opt[bnn_rng_range(&r, 0, 2)], cols_opt[bnn_rng_range(&r, 0, 2)], 0,
                       (map_layout)bnn_rng_range(&r, 0, 2), NULL, 0};
        cfg.seg_rows = seg_opt[bnn_rng_range(&r, 0, 3)];
        map_op op;
        cr_assert_eq(map_op_of(&l, MAP_CONV, &op), 0);
        cr_assert(op.groups == groups && op.n == cpg * kh * kw);
        map_layer *ml;
        bnn_error err;
        cr_assert_eq(map_layer_build(&op, &cfg, &ml, &err), 0, "%s", err.msg);
        cr_assert_eq(ml->n_col_tiles, groups * ((opg + cfg.cols - 1) / cfg.cols), "case %d", t);
        int n = op.n;
        int *seen = calloc((size_t)n * (size_t)out_c, sizeof *seen);
        for (int ji = 0; ji < ml->n_jobs; ji++) {
            const map_job *j = &ml->jobs[ji];
            cr_assert(j->n_rows <= cfg.rows && j->n_cols <= cfg.cols && j->n_cols >= 1);
            cr_assert(j->group == j->col0 / opg && (j->col0 + j->n_cols - 1) / opg == j->group,
                      "case %d job %d: columns %d.. of groups %d..%d", t, ji, j->col0, j->col0 / opg,
                      (j->col0 + j->n_cols - 1) / opg);
            cr_assert_eq(j->ch0, j->group * cpg);
            cr_assert(j->n_elems <= n, "case %d: a job holds more rows than its group has", t);
            for (int cc = 0; cc < j->n_cols; cc++)
                cr_assert_eq(map_col_tile(ml, j->col0 + cc), ji % ml->n_col_tiles, "case %d", t);
            for (int rr = 0; rr < j->n_rows; rr++)
                for (int cc = 0; cc < j->n_cols && j->elem[rr] >= 0; cc++)
                    seen[(size_t)(j->col0 + cc) * (size_t)n + (size_t)j->elem[rr]]++;
        }
        for (int i = 0; i < n * out_c; i++)
            cr_assert_eq(seen[i], 1, "case %d: MAC %d covered %d times", t, i, seen[i]);
        if (dw && kh * kw <= cfg.rows) {
            depthwise++;
            cr_assert_eq(ml->n_jobs, in_c, "case %d: a depthwise layer is one job per channel", t);
            for (int ji = 0; ji < ml->n_jobs; ji++)
                cr_assert(ml->jobs[ji].n_elems == kh * kw && ml->jobs[ji].n_cols == 1);
        }
        /* the partials of the jobs sum to the reference dots */
        assert_partials_sum_to_dots(c, ml, cfg.rows, &r, t);
        /* a grouped layer takes no permutation or subset */
        int perm[1] = {0};
        map_cfg pc = cfg;
        pc.perm = perm;
        map_layer *bad = (map_layer *)1;
        cr_assert_neq(map_layer_build(&op, &pc, &bad, &err), 0);
        cr_assert(strstr(err.msg, "a grouped layer takes no channel permutation or subset"), "%s", err.msg);
        free(seen);
        map_layer_free(ml);
        free(c->wt.w);
        free(c->th.neg);
        free(c->th.t);
    }
    cr_assert(depthwise > 50, "%d depthwise cases", depthwise);
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
    map_cfg cfg = {100, 16, 8, MAP_CHANNEL_MAJOR, NULL, 0};
    map_layer *ml;
    bnn_error err;
    cr_assert_neq(map_layer_build(&op, &cfg, &ml, &err), 0);
    cr_assert(strstr(err.msg, "multiple of 64"), "%s", err.msg);
    free(l.u.se.fc1.w);
}

/* A channel subset (the per-image skip) maps only the listed channels, in
 * their order and packed; with the other channels' inputs zero, the summed
 * partials equal the full layer's dots, in every layout. Bad lists are
 * rejected. */
Test(map, channel_subset_packs_live_channels_and_keeps_dots)
{
    bnn_rng r;
    bnn_rng_seed(&r, 5);
    for (int t = 0; t < 120; t++) {
        int kh = bnn_rng_range(&r, 0, 1) ? 3 : 1, kw = kh, in_c = bnn_rng_range(&r, 1, 70), out_c = bnn_rng_range(&r, 1, 20);
        int h = bnn_rng_range(&r, 3, 6), w = bnn_rng_range(&r, 3, 6);
        bnn_layer l = {.type = BNN_CONV};
        bnn_conv *c = &l.u.conv;
        *c = (bnn_conv){.in_c = in_c, .out_c = out_c, .in_h = h, .in_w = w, .k_h = kh, .k_w = kw, .stride = 1,
                        .pad_h = kh / 2, .pad_w = kw / 2, .in_bits = 1, .shortcut = -1, .out_h = h, .out_w = w};
        bnn_bits_alloc(&c->wt, out_c, in_c * kh * kw);
        bnn_thresh_alloc(&c->th, out_c, 1);
        for (int o = 0; o < out_c; o++)
            for (int i = 0; i < c->wt.cols; i++)
                bnn_bits_set(&c->wt, o, i, (int)(bnn_rng_u64(&r) & 1));
        int *live = malloc((size_t)in_c * sizeof *live), n_live = 0;
        bnn_tensor *in = bnn_tensor_new(in_c, h, w, 1);
        for (int ch = 0; ch < in_c; ch++) {
            int on = bnn_rng_range(&r, 0, 2) != 0;
            if (on)
                live[n_live++] = ch;
            for (int i = 0; i < h * w; i++)
                in->v[(size_t)ch * (size_t)(h * w) + (size_t)i] = (uint16_t)(on ? bnn_rng_range(&r, 0, 1) : 0);
        }
        if (n_live == 0)
            live[n_live++] = 0;
        for (int i = n_live - 1; i > 0; i--) { /* any order */
            int j = bnn_rng_range(&r, 0, i), x = live[i];
            live[i] = live[j];
            live[j] = x;
        }
        map_cfg cfg = {64, 16, bnn_rng_range(&r, 0, 1) ? 8 : 16, (map_layout)bnn_rng_range(&r, 0, 2), live, n_live};
        map_op op;
        cr_assert_eq(map_op_of(&l, MAP_CONV, &op), 0);
        map_layer *ml;
        bnn_error err;
        cr_assert_eq(map_layer_build(&op, &cfg, &ml, &err), 0, "%s", err.msg);
        cr_assert_eq(ml->n_ch, n_live);
        int kk = kh * kw, seen_ch = 0;
        for (int p = 0; p < ml->n_pos; p++)
            if (ml->order[p] >= 0 && ml->order[p] % kk == 0) {
                int ch = ml->order[p] / kk;
                if (cfg.layout != MAP_TAP_MAJOR)
                    cr_assert_eq(ch, live[seen_ch], "case %d: position %d holds channel %d, expected %d", t, p, ch,
                                 live[seen_ch]);
                seen_ch++;
            }
        cr_assert_eq(seen_ch, n_live, "case %d", t);
        if (cfg.layout != MAP_ALIGNED)
            cr_assert_eq(ml->n_pos, n_live * kk);
        int pixels = h * w;
        int32_t *ref = calloc((size_t)out_c * (size_t)pixels, 4), *sum = calloc((size_t)out_c * (size_t)pixels, 4);
        bnn_tensor *out = bnn_tensor_new(out_c, h, w, 1);
        cr_assert_eq(bnn_conv_forward(c, in, NULL, out, ref, BNN_NAIVE, &err), 0);
        uint64_t wl[1];
        int P[16], X;
        for (int ji = 0; ji < ml->n_jobs; ji++) {
            const map_job *j = &ml->jobs[ji];
            for (int p = 0; p < pixels; p++) {
                map_job_input(ml, j, in, NULL, p, 0, wl);
                map_job_px(ml, j, wl, P, &X);
                for (int cc = 0; cc < j->n_cols; cc++)
                    sum[(size_t)(j->col0 + cc) * (size_t)pixels + (size_t)p] += 2 * P[cc] - X;
            }
        }
        cr_assert_eq(memcmp(ref, sum, (size_t)out_c * (size_t)pixels * 4), 0, "case %d: subset dots differ", t);
        map_layer_free(ml);
        /* a channel listed twice, out of range, or a subset without a list */
        if (n_live >= 2) {
            int keep = live[1];
            live[1] = live[0];
            cr_assert_neq(map_layer_build(&op, &cfg, &ml, &err), 0);
            cr_assert(strstr(err.msg, "listed twice"), "%s", err.msg);
            live[1] = keep;
        }
        live[0] = in_c;
        cr_assert_neq(map_layer_build(&op, &cfg, &ml, &err), 0);
        cr_assert(strstr(err.msg, "out of range"), "%s", err.msg);
        cfg.perm = NULL;
        cr_assert_neq(map_layer_build(&op, &cfg, &ml, &err), 0);
        cr_assert(strstr(err.msg, "needs a channel list"), "%s", err.msg);
        free(ref);
        free(sum);
        free(live);
        bnn_tensor_free(in);
        bnn_tensor_free(out);
        free(c->wt.w);
        free(c->th.neg);
        free(c->th.t);
    }
}

Test(map, layout_names_round_trip)
{
    map_layout l;
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(map_layout_parse(map_layout_name((map_layout)i), &l), 0);
        cr_assert_eq((int)l, i);
    }
    cr_assert_neq(map_layout_parse("Aligned", &l), 0);
    cr_assert_neq(map_layout_parse("", &l), 0);
}

/* ---- input-stationary (map.h "Input-stationary") ---- */

/* A random binary conv of `groups` groups (cpg inputs and opg outputs each)
 * with fair-coin weights. Free with free_conv. */
static void random_conv(bnn_conv *c, bnn_rng *r, int groups, int cpg, int opg, int kh, int kw)
{
    int s = bnn_rng_range(r, 1, 2), h = bnn_rng_range(r, kh, 9), w = bnn_rng_range(r, kw, 9);
    *c = (bnn_conv){.in_c = groups * cpg, .out_c = groups * opg, .in_h = h, .in_w = w, .k_h = kh, .k_w = kw,
                    .stride = s, .pad_h = kh / 2, .pad_w = kw / 2, .in_bits = 1, .shortcut = -1, .groups = groups};
    c->out_h = (h + 2 * c->pad_h - kh) / s + 1;
    c->out_w = (w + 2 * c->pad_w - kw) / s + 1;
    bnn_bits_alloc(&c->wt, c->out_c, cpg * kh * kw);
    bnn_thresh_alloc(&c->th, c->out_c, 1);
    for (int o = 0; o < c->out_c; o++)
        for (int i = 0; i < c->wt.cols; i++)
            bnn_bits_set(&c->wt, o, i, (int)(bnn_rng_u64(r) & 1));
}

static void free_conv(bnn_conv *c)
{
    free(c->wt.w);
    free(c->th.neg);
    free(c->th.t);
}

/* Activation bit of element e (c*k*k + tap of the group from channel ch0) at pixel p, by the conv's geometry. */
static int act_of(const bnn_conv *cv, const bnn_tensor *in, int ch0, int e, int p)
{
    int kk = cv->k_h * cv->k_w, tap = e % kk, oy = p / cv->out_w, ox = p % cv->out_w;
    int y = oy * cv->stride - cv->pad_h + tap / cv->k_w, x = ox * cv->stride - cv->pad_w + tap % cv->k_w;
    return y < 0 || y >= in->h || x < 0 || x >= in->w ? 0 : bnn_at(in, ch0 + e / kk, y, x) & 1;
}

static int bit_at(const uint64_t *v, int i) { return (int)(v[i >> 6] >> (i & 63) & 1u); }

/* Job j's cells, their ones per column and its stored-zero flags, from the
 * input itself: row r, column c = element elem[r] at pixel col0 + c, 0 on
 * padding rows and past n_cols; flag (g, s) = no 1 in segment s's rows
 * (< n_rows) of group g's columns. *flags_on / *flags_off count the flags. */
static void assert_cells_and_flags(const bnn_conv *cv, const map_layer *ml, const map_job *j, const bnn_tensor *in,
                                   int cg, int t, int *flags_on, int *flags_off)
{
    const int seg = ml->cfg.seg_rows, cols = ml->cfg.cols;
    for (int c = 0; c < cols; c++) {
        int ones = 0;
        for (int r = 0; r < j->n_rows; r++) {
            int want = c < j->n_cols && j->elem[r] >= 0 ? act_of(cv, in, j->ch0, j->elem[r], j->col0 + c) : 0;
            cr_assert_eq(bit_at(j->wrows + (size_t)r * (size_t)j->col_words, c), want,
                         "case %d: cell (%d, %d) of job r%d/c%d", t, r, c, j->row_tile, j->col_tile);
            ones += want;
        }
        if (c < j->n_cols)
            cr_assert_eq(j->col_ones[c], ones, "case %d: column %d's ones", t, c);
    }
    cr_assert_eq(j->n_zf, (j->n_rows + seg - 1) / seg);
    for (int s = 0; s < j->n_zf; s++)
        for (int g = 0; g < cols / cg; g++) {
            int any = 0;
            for (int r = s * seg; r < (s + 1) * seg && r < j->n_rows; r++)
                for (int c = g * cg; c < (g + 1) * cg; c++)
                    any |= bit_at(j->wrows + (size_t)r * (size_t)j->col_words, c);
            int flag = bit_at(j->zflags + (size_t)s * (size_t)j->col_words, g);
            cr_assert_eq(flag, !any, "case %d: flag (group %d, segment %d) of job r%d/c%d is %d", t, g, s,
                         j->row_tile, j->col_tile, flag);
            *(flag ? flags_on : flags_off) += 1;
        }
}

/* Job j's word lines (step s = output out0 + s: its weight bits on the
 * rows of elements, nothing else) and X; every (output, pixel, element)
 * the job computes counted in seen (out_c x pixels x n). */
static void assert_word_lines(const bnn_conv *cv, const map_layer *ml, const map_job *j, int *seen, int t)
{
    const int rows = ml->cfg.rows, n = ml->op.n, pixels = cv->out_h * cv->out_w;
    uint64_t wl[4];
    int P[64], X;
    for (int s = 0; s < ml->n_steps; s++) {
        map_job_input(ml, j, NULL, NULL, s, 0, wl);
        int ones = 0;
        for (int r = 0; r < rows; r++) {
            int want = r < j->n_rows && j->elem[r] >= 0 ? bnn_bits_get(&cv->wt, j->out0 + s, j->elem[r]) : 0;
            cr_assert_eq(bit_at(wl, r), want, "case %d: word line %d of step %d", t, r, s);
            ones += want;
        }
        map_job_px(ml, j, wl, P, &X);
        cr_assert(X == ones && j->wl_ones[s] == ones, "case %d: X of step %d", t, s);
        for (int r = 0; r < j->n_rows; r++)
            for (int c = 0; c < j->n_cols && j->elem[r] >= 0; c++)
                seen[((size_t)(j->out0 + s) * (size_t)pixels + (size_t)(j->col0 + c)) * (size_t)n +
                     (size_t)j->elem[r]]++;
    }
}

/* The dots rebuilt as the driver does (per job, step and column: acc = 2P
 * - X, its dot part map_dot_part, summed where map_result_at says) equal
 * the reference conv's; map_result_job finds every result's job back. */
static void assert_is_dots(const bnn_conv *cv, const map_layer *ml, const bnn_tensor *in, int t)
{
    const int pixels = cv->out_h * cv->out_w;
    int32_t *ref = calloc((size_t)cv->out_c * (size_t)pixels, 4), *sum = calloc((size_t)cv->out_c * (size_t)pixels, 4);
    bnn_tensor *out = bnn_tensor_new(cv->out_c, cv->out_h, cv->out_w, 1);
    bnn_error err;
    cr_assert_eq(bnn_conv_forward(cv, in, NULL, out, ref, BNN_NAIVE, &err), 0, "%s", err.msg);
    uint64_t wl[4];
    int P[64], X;
    for (int ji = 0; ji < ml->n_jobs; ji++) {
        const map_job *j = &ml->jobs[ji];
        for (int s = 0; s < ml->n_steps; s++) {
            map_job_input(ml, j, in, NULL, s, 0, wl);
            map_job_px(ml, j, wl, P, &X);
            for (int c = 0; c < j->n_cols; c++) {
                size_t at = map_result_at(ml, j, s, c);
                sum[at] += map_dot_part(ml, j, s, c, 2 * P[c] - X);
                int s2, c2;
                cr_assert_eq(map_result_job(ml, j->row_tile, (int)(at / (size_t)pixels), (int)(at % (size_t)pixels),
                                            &s2, &c2), ji, "case %d: result %zu's job", t, at);
                cr_assert(s2 == s && c2 == c, "case %d: result %zu: step %d column %d, expected %d %d", t, at, s2, c2,
                          s, c);
            }
        }
    }
    cr_assert_eq(memcmp(ref, sum, (size_t)cv->out_c * (size_t)pixels * 4), 0,
                 "case %d (groups %d, %d -> %d, k %dx%d): input-stationary dots differ", t, cv->groups, cv->in_c,
                 cv->out_c, cv->k_h, cv->k_w);
    free(ref);
    free(sum);
    bnn_tensor_free(out);
}

/* Input-stationary jobs of random binary convs (plain, grouped, depthwise),
 * layouts and geometries, on inputs with all-zero, sparse and dense
 * channels: they run group by group, row tile by row tile; the cells hold
 * the activations and every (output, pixel, element) MAC is computed
 * exactly once; the word lines are the outputs' weight bits; every
 * stored-zero flag is true to the tile it covers (and both values occur);
 * the dots rebuilt from P, X and the columns' ones equal the reference. */
Test(map, input_stationary_every_mac_once_and_flags_true, .timeout = 120)
{
    bnn_rng r;
    bnn_rng_seed(&r, 1616);
    const int kern[4][2] = {{1, 1}, {1, 3}, {3, 1}, {3, 3}};
    const int rows_opt[3] = {64, 128, 256}, cols_opt[3] = {8, 16, 64}, seg_opt[3] = {8, 16, 32}, cg_opt[4] = {1, 2, 4, 8};
    int flags_on = 0, flags_off = 0, grouped = 0;
    for (int t = 0; t < 150; t++) {
        int kk = bnn_rng_range(&r, 0, 3), groups = t % 3 ? 1 : bnn_rng_range(&r, 2, 8), dw = groups > 1 && t % 2;
        int cpg = dw ? 1 : bnn_rng_range(&r, 1, t % 5 ? 12 : 40), opg = dw ? 1 : bnn_rng_range(&r, 1, 12);
        bnn_conv cv;
        random_conv(&cv, &r, groups, cpg, opg, kern[kk][0], kern[kk][1]);
        map_cfg cfg = {rows_opt[bnn_rng_range(&r, 0, 2)], cols_opt[bnn_rng_range(&r, 0, 2)],
                       seg_opt[bnn_rng_range(&r, 0, 2)], (map_layout)bnn_rng_range(&r, 0, 2), NULL, 0};
        int cg = cg_opt[bnn_rng_range(&r, 0, 3)];
        cg = cg > cfg.cols ? cfg.cols : cg;
        bnn_layer l = {.type = BNN_CONV, .u.conv = cv};
        map_op op;
        cr_assert(map_is_layer(&l) && map_op_of(&l, MAP_CONV, &op) == 0);
        map_layer *ml;
        bnn_error err;
        cr_assert_eq(map_layer_build_is(&op, &cfg, cg, &ml, &err), 0, "%s", err.msg);
        cr_assert_eq(ml->n_steps, opg);
        /* channels all zero, sparse or dense */
        bnn_tensor *in = bnn_tensor_new(cv.in_c, cv.in_h, cv.in_w, 1);
        for (int c = 0; c < cv.in_c; c++) {
            int dens = bnn_rng_range(&r, 0, 2);
            for (int i = 0; i < cv.in_h * cv.in_w; i++)
                in->v[(size_t)c * (size_t)(cv.in_h * cv.in_w) + (size_t)i] =
                    (uint16_t)(dens == 0 ? 0 : dens == 1 ? bnn_rng_range(&r, 0, 15) == 0 : bnn_rng_range(&r, 0, 1));
        }
        map_layer_set_input(ml, in);
        size_t nmac = (size_t)op.n * (size_t)cv.out_c * (size_t)(cv.out_h * cv.out_w);
        int *seen = calloc(nmac, sizeof *seen);
        for (int ji = 0; ji < ml->n_jobs; ji++) {
            const map_job *j = &ml->jobs[ji];
            cr_assert_eq(ji, (j->group * ml->n_row_tiles + j->row_tile) * ml->ctpg + j->col_tile % ml->ctpg,
                         "case %d: job %d out of the group, row tile, pixel tile order", t, ji);
            cr_assert(j->out0 == j->group * opg && j->ch0 == j->group * cpg && j->col_tile / ml->ctpg == j->group);
            cr_assert(j->n_cols >= 1 && j->col0 + j->n_cols <= cv.out_h * cv.out_w && j->n_rows <= cfg.rows);
            assert_cells_and_flags(&cv, ml, j, in, cg, t, &flags_on, &flags_off);
            assert_word_lines(&cv, ml, j, seen, t);
        }
        for (size_t i = 0; i < nmac; i++)
            cr_assert_eq(seen[i], 1, "case %d: MAC %zu computed %d times", t, i, seen[i]);
        assert_is_dots(&cv, ml, in, t);
        grouped += groups > 1;
        free(seen);
        bnn_tensor_free(in);
        map_layer_free(ml);
        free_conv(&cv);
    }
    cr_assert(flags_on > 1000 && flags_off > 1000, "flags set %d, clear %d", flags_on, flags_off);
    cr_assert_gt(grouped, 30);
}

/* Input-stationary takes a binary conv, no channel subset, column groups
 * that divide the columns. */
Test(map, input_stationary_bad_config_rejected)
{
    bnn_rng r;
    bnn_rng_seed(&r, 3);
    bnn_conv cv;
    random_conv(&cv, &r, 1, 4, 4, 3, 3);
    bnn_layer l = {.type = BNN_CONV, .u.conv = cv};
    map_op op;
    cr_assert_eq(map_op_of(&l, MAP_CONV, &op), 0);
    int live[2] = {0, 1};
    map_cfg cfg = {64, 16, 8, MAP_CHANNEL_MAJOR, NULL, 0}, sub = {64, 16, 8, MAP_CHANNEL_MAJOR, live, 2};
    map_layer *ml = NULL;
    bnn_error err;
    cr_assert_eq(map_layer_build_is(&op, &cfg, 4, &ml, &err), 0, "%s", err.msg);
    map_layer_free(ml);
    cr_assert_neq(map_layer_build_is(&op, &cfg, 3, &ml, &err), 0);
    cr_assert(strstr(err.msg, "input-stationary") && strstr(err.msg, "(got 3)"), "%s", err.msg);
    cr_assert_neq(map_layer_build_is(&op, &cfg, 0, &ml, &err), 0);
    cr_assert_neq(map_layer_build_is(&op, &sub, 4, &ml, &err), 0);
    cr_assert(strstr(err.msg, "no channel subset"), "%s", err.msg);
    l.u.conv.in_bits = 8;
    cr_assert(!map_is_layer(&l));
    cr_assert_eq(map_op_of(&l, MAP_CONV, &op), 0);
    cr_assert_neq(map_layer_build_is(&op, &cfg, 4, &ml, &err), 0);
    cr_assert(strstr(err.msg, "1-bit inputs"), "%s", err.msg);
    free_conv(&cv);
}

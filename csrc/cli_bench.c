/*
 * cli_bench.c - `sparsecim bench`: the reference model's speed, from one run.
 *
 * Reports binary MACs/s of the packed (BNN_FAST) and naive (BNN_NAIVE)
 * implementations on the same layers, their ratio, images/s of a random
 * SE-ResNet-14 on 28x28x1, and the machine's AND+popcount peak measured by
 * a tight loop over data in L1 built with the same flags as the packed code.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bnn_infer.h"
#include "bnn_model.h"
#include "bnn_rng.h"
#include "cli.h"
#include "cli_util.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* AND + popcount over 2 x 2 KiB (in L1): binary MACs per second. The sum
 * is returned so the loop cannot be optimized away. */
static double popcount_peak(double seconds, uint64_t *sink)
{
    enum { N = 256 };
    uint64_t a[N], b[N];
    bnn_rng r;
    bnn_rng_seed(&r, 1);
    for (int i = 0; i < N; i++) {
        a[i] = bnn_rng_u64(&r);
        b[i] = bnn_rng_u64(&r);
    }
    uint64_t s = 0, iters = 0;
    double t0 = now_s(), t;
    do {
        for (int rep = 0; rep < 1000; rep++) {
            for (int i = 0; i < N; i += 4) {
                s += (uint64_t)__builtin_popcountll(a[i] & b[i]) + (uint64_t)__builtin_popcountll(a[i + 1] & b[i + 1]) +
                     (uint64_t)__builtin_popcountll(a[i + 2] & b[i + 2]) + (uint64_t)__builtin_popcountll(a[i + 3] & b[i + 3]);
            }
            a[rep & (N - 1)] ^= s; /* keep the data live */
        }
        iters += 1000;
        t = now_s() - t0;
    } while (t < seconds);
    *sink += s;
    return (double)iters * N * 64.0 / t;
}

typedef struct bench_layer {
    const char *name;
    int in_c, out_c, h, bits;
} bench_layer;

static int conv_rate(const bench_layer *bl, bnn_impl impl, double seconds, double *macs_per_s)
{
    bnn_conv c = {.in_c = bl->in_c, .out_c = bl->out_c, .in_h = bl->h, .in_w = bl->h, .k_h = 3, .k_w = 3,
                  .stride = 1, .pad_h = 1, .pad_w = 1, .in_bits = bl->bits, .shortcut = -1};
    c.out_h = c.out_w = bl->h;
    if (bnn_bits_alloc(&c.wt, c.out_c, c.in_c * 9) || bnn_thresh_alloc(&c.th, c.out_c, 1))
        return -1;
    bnn_rng r;
    bnn_rng_seed(&r, 5);
    for (int o = 0; o < c.out_c; o++)
        for (int i = 0; i < c.wt.cols; i++)
            bnn_bits_set(&c.wt, o, i, (int)(bnn_rng_u64(&r) & 1));
    bnn_tensor *in = bnn_tensor_new(c.in_c, c.in_h, c.in_w, c.in_bits);
    bnn_tensor *out = bnn_tensor_new(c.out_c, c.out_h, c.out_w, 1);
    for (size_t i = 0; i < (size_t)c.in_c * (size_t)c.in_h * (size_t)c.in_w; i++)
        in->v[i] = (uint16_t)bnn_rng_range(&r, 0, (1 << c.in_bits) - 1);
    double macs = (double)c.out_c * c.out_h * c.out_w * c.in_c * 9.0 * c.in_bits;
    long n = 0;
    double t0 = now_s(), t;
    bnn_error err;
    do {
        bnn_conv_forward(&c, in, NULL, out, NULL, impl, &err);
        n++;
        t = now_s() - t0;
    } while (t < seconds);
    *macs_per_s = macs * (double)n / t;
    bnn_tensor_free(in);
    bnn_tensor_free(out);
    free(c.wt.w);
    free(c.th.neg);
    free(c.th.t);
    return 0;
}

int cli_bench(int argc, char **argv)
{
    long secs10 = 10; /* tenths of a second per measurement */
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: sparsecim bench [--tenths N]\n  measures each figure for N/10 s (default 10)\n");
            return 0;
        }
        if (!strcmp(argv[i], "--tenths") && (v = cli_value("bench", argc, argv, &i))) {
            if (cli_int("bench", "--tenths", v, 1, 600, &secs10))
                return 2;
        } else {
            fprintf(stderr, "sparsecim bench: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    double sec = (double)secs10 / 10.0;
    uint64_t sink = 0;
    double peak = popcount_peak(sec, &sink);
    printf("popcount peak (AND+popcount, L1, 1 core): %.1f G binary MACs/s\n", peak / 1e9);
    const bench_layer layers[] = {
        {"3x3 16->16 28x28", 16, 16, 28, 1}, {"3x3 64->64 7x7", 64, 64, 7, 1}, {"3x3 1->16 28x28 8-bit", 1, 16, 28, 8}};
    printf("%-24s %14s %14s %8s %9s\n", "layer", "fast GMAC/s", "naive GMAC/s", "ratio", "% peak");
    for (size_t k = 0; k < sizeof layers / sizeof layers[0]; k++) {
        double f, n;
        if (conv_rate(&layers[k], BNN_FAST, sec, &f) || conv_rate(&layers[k], BNN_NAIVE, sec / 2, &n)) {
            fprintf(stderr, "sparsecim bench: out of memory\n");
            return 2;
        }
        printf("%-24s %14.2f %14.3f %7.1fx %8.1f%%\n", layers[k].name, f / 1e9, n / 1e9, f / n, 100.0 * f / peak);
    }
    bnn_random_opts o = {.depth = 14, .width = 16, .se = 1, .in_c = 1, .in_h = 28, .in_w = 28, .classes = 10, .seed = 1};
    bnn_model *m;
    bnn_error err;
    if (bnn_model_random(&o, &m, &err)) {
        fprintf(stderr, "sparsecim bench: %s\n", err.msg);
        return 2;
    }
    bnn_trace *tr = bnn_trace_new(m);
    bnn_tensor *img = bnn_tensor_new(1, 28, 28, 8);
    bnn_rng r;
    bnn_rng_seed(&r, 2);
    for (int i = 0; i < 784; i++)
        img->v[i] = (uint16_t)(bnn_rng_range(&r, 0, 1) ? 0 : bnn_rng_range(&r, 0, 255));
    for (int impl = 1; impl >= 0; impl--) {
        long n = 0;
        double t0 = now_s(), t;
        do {
            bnn_forward(m, img, (bnn_impl)impl, tr, &err);
            n++;
            t = now_s() - t0;
        } while (t < sec);
        printf("SE-ResNet-14 28x28x1 (%s): %.1f images/s, %.2f G binary MACs/s\n", impl ? "fast" : "naive",
               (double)n / t, (double)n * (double)bnn_model_macs(m) / t / 1e9);
    }
    bnn_trace_free(tr);
    bnn_tensor_free(img);
    bnn_model_free(m);
    if (sink == 42)
        printf("\n");
    return 0;
}

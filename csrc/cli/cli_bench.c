/*
 * cli_bench.c - `sparsecim bench`: the reference model's speed, from one run.
 *
 * Reports binary MACs/s of the packed (BNN_FAST) and naive (BNN_NAIVE)
 * implementations on the same layers, their ratio, images/s of a random
 * SE-ResNet-14 on 28x28x1, and the machine's AND+popcount peak measured by
 * a tight loop over data in L1 built with the same flags as the packed code
 * (so "% of peak" compares like with like). One binary MAC = one input bit
 * times one weight bit (an n-element dot of b-bit inputs is n*b MACs).
 * Single-threaded; times are the thread's CPU time, and every figure is the
 * best of three runs of about S/3 CPU-seconds each (cache and frequency
 * noise from other processes on a shared machine).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "infer/bnn_infer.h"
#include "model/bnn_model.h"
#include "model/bnn_rng.h"
#include "cli/cli.h"
#include "cli/cli_util.h"
#include "util/num.h"

/* The thread's CPU time: rates per CPU-second stay meaningful when other
 * processes share the cores (wall time would count their time slices). */
static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* AND + popcount over 2 x 2 KiB (L1), four independent sums so the loop is
 * bound by popcount throughput, not by an add chain: binary MACs / s. */
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
    double best = 0;
    for (int trial = 0; trial < 3; trial++) {
        uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, iters = 0;
        double t0 = now_s(), t;
        do {
            for (int rep = 0; rep < 1000; rep++) {
                for (int i = 0; i < N; i += 4) {
                    s0 += (uint64_t)__builtin_popcountll(a[i] & b[i]);
                    s1 += (uint64_t)__builtin_popcountll(a[i + 1] & b[i + 1]);
                    s2 += (uint64_t)__builtin_popcountll(a[i + 2] & b[i + 2]);
                    s3 += (uint64_t)__builtin_popcountll(a[i + 3] & b[i + 3]);
                }
                a[rep & (N - 1)] ^= s0; /* data changes: the sums cannot be hoisted */
            }
            iters += 1000;
            t = now_s() - t0;
        } while (t < seconds / 3);
        *sink += s0 + s1 + s2 + s3;
        double rate = (double)iters * N * 64.0 / t;
        if (rate > best)
            best = rate;
    }
    return best;
}

typedef struct bench_layer {
    const char *name;
    int in_c, out_c, h, bits;
} bench_layer;

/* Best-of-three rate of one 3x3 pad-1 layer with random weights and inputs. */
static int conv_rate(const bench_layer *bl, bnn_impl impl, double seconds, double *macs_per_s, bnn_error *err)
{
    bnn_conv c = {.in_c = bl->in_c, .out_c = bl->out_c, .in_h = bl->h, .in_w = bl->h, .k_h = 3, .k_w = 3,
                  .stride = 1, .pad_h = 1, .pad_w = 1, .in_bits = bl->bits, .shortcut = -1};
    c.out_h = c.out_w = bl->h;
    bnn_tensor *in = bnn_tensor_new(c.in_c, c.in_h, c.in_w, c.in_bits);
    bnn_tensor *out = bnn_tensor_new(c.out_c, c.out_h, c.out_w, 1);
    int rc = -1;
    if (!in || !out || bnn_bits_alloc(&c.wt, c.out_c, c.in_c * 9) || bnn_thresh_alloc(&c.th, c.out_c, 1)) {
        snprintf(err->msg, sizeof err->msg, "out of memory");
        goto done;
    }
    bnn_rng r;
    bnn_rng_seed(&r, 5);
    for (int o = 0; o < c.out_c; o++)
        for (int i = 0; i < c.wt.cols; i++)
            bnn_bits_set(&c.wt, o, i, (int)(bnn_rng_u64(&r) & 1));
    for (size_t i = 0; i < (size_t)c.in_c * (size_t)c.in_h * (size_t)c.in_w; i++)
        in->v[i] = (uint16_t)bnn_rng_range(&r, 0, (1 << c.in_bits) - 1);
    double macs = (double)c.out_c * c.out_h * c.out_w * c.in_c * 9.0 * c.in_bits;
    *macs_per_s = 0;
    for (int trial = 0; trial < 3; trial++) {
        long n = 0;
        double t0 = now_s(), t;
        do {
            if (bnn_conv_forward(&c, in, NULL, out, NULL, impl, err))
                goto done;
            n++;
            t = now_s() - t0;
        } while (t < seconds / 3);
        if (macs * (double)n / t > *macs_per_s)
            *macs_per_s = macs * (double)n / t;
    }
    rc = 0;
done:
    bnn_tensor_free(in);
    bnn_tensor_free(out);
    free(c.wt.w);
    free(c.th.neg);
    free(c.th.t);
    return rc;
}

/* Best-of-three images/s of the whole model on one random image. */
static int net_rate(const bnn_model *m, bnn_impl impl, double seconds, double *images_per_s, bnn_error *err)
{
    bnn_trace *tr = bnn_trace_new(m);
    bnn_tensor *img = bnn_tensor_new(m->in_c, m->in_h, m->in_w, m->in_bits);
    int rc = -1;
    if (!tr || !img) {
        snprintf(err->msg, sizeof err->msg, "out of memory");
        goto done;
    }
    bnn_rng r;
    bnn_rng_seed(&r, 2);
    for (size_t i = 0; i < (size_t)m->in_c * (size_t)m->in_h * (size_t)m->in_w; i++)
        img->v[i] = (uint16_t)(bnn_rng_range(&r, 0, 1) ? 0 : bnn_rng_range(&r, 0, (1 << m->in_bits) - 1));
    *images_per_s = 0;
    for (int trial = 0; trial < 3; trial++) {
        long n = 0;
        double t0 = now_s(), t;
        do {
            if (bnn_forward(m, img, impl, tr, err))
                goto done;
            n++;
            t = now_s() - t0;
        } while (t < seconds / 3);
        if ((double)n / t > *images_per_s)
            *images_per_s = (double)n / t;
    }
    rc = 0;
done:
    bnn_trace_free(tr);
    bnn_tensor_free(img);
    return rc;
}

static const char *usage_text =
    "usage: sparsecim bench [--seconds S]\n"
    "  Reference-model speed: binary MACs/s of the packed and naive implementations on\n"
    "  three layers, their ratio, the packed code as % of this machine's AND+popcount\n"
    "  peak (one core), and images/s of a random SE-ResNet-14 on 28x28x1.\n"
    "  S: seconds per figure (0.1..60, default 1; the naive runs get S/2).\n";

enum { B_SECONDS = 1 };

static const cli_opt bench_opts[] = {CLI_OPT_STR("seconds", B_SECONDS, "a number in 0.1..60"), CLI_OPT_END};

int cli_bench(int argc, char **argv)
{
    double sec = 1.0;
    cli_parser p;
    cli_parse_init(&p, "bench", argc, argv, bench_opts, NULL, 0);
    for (int id; (id = cli_next(&p)) != CLI_DONE;) {
        if (id == CLI_HELP) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (id == CLI_ERROR)
            return 2;
        if (num_parse_real(p.val, &sec) || !(sec >= 0.1 && sec <= 60))   /* B_SECONDS */
            return cli_bad_value(&p), 2;
    }
    bnn_error err;
    uint64_t sink = 0;
    double peak = popcount_peak(sec, &sink);
    printf("popcount peak (AND+popcount, L1, 1 core): %.1f G binary MACs/s (rates per CPU-second)\n", peak / 1e9);
    const bench_layer layers[] = {{"3x3 16->16 28x28", 16, 16, 28, 1},
                                  {"3x3 64->64 7x7", 64, 64, 7, 1},
                                  {"3x3 1->16 28x28 8-bit", 1, 16, 28, 8}};
    printf("%-24s %12s %13s %8s %8s\n", "layer", "fast GMAC/s", "naive GMAC/s", "ratio", "% peak");
    for (size_t k = 0; k < sizeof layers / sizeof layers[0]; k++) {
        double f, n;
        if (conv_rate(&layers[k], BNN_FAST, sec, &f, &err) || conv_rate(&layers[k], BNN_NAIVE, sec / 2, &n, &err)) {
            fprintf(stderr, "sparsecim bench: %s: %s\n", layers[k].name, err.msg);
            return 2;
        }
        printf("%-24s %12.2f %13.3f %7.1fx %7.1f%%\n", layers[k].name, f / 1e9, n / 1e9, f / n, 100.0 * f / peak);
    }
    bnn_random_opts o = {.depth = 14, .width = 16, .se = 1, .in_c = 1, .in_h = 28, .in_w = 28, .classes = 10, .seed = 1};
    bnn_model *m;
    if (bnn_model_random(&o, &m, &err)) {
        fprintf(stderr, "sparsecim bench: %s\n", err.msg);
        return 2;
    }
    double macs = (double)bnn_model_macs(m);
    for (int impl = BNN_FAST; impl >= BNN_NAIVE; impl--) {
        double ips;
        if (net_rate(m, (bnn_impl)impl, impl == BNN_FAST ? sec : sec / 2, &ips, &err)) {
            fprintf(stderr, "sparsecim bench: SE-ResNet-14: %s\n", err.msg);
            bnn_model_free(m);
            return 2;
        }
        printf("SE-ResNet-14 28x28x1 (%s): %.1f images/s, %.2f G binary MACs/s (%.1f M MACs/image)\n",
               impl == BNN_FAST ? "fast" : "naive", ips, ips * macs / 1e9, macs / 1e6);
    }
    bnn_model_free(m);
    if (sink == 42) /* keeps the peak loop's result alive */
        printf("\n");
    return 0;
}

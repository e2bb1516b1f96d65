/* cli_model.c - `sparsecim model random|info`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/bnn_model.h"
#include "cli/cli.h"
#include "util/num.h"
#include "cli/cli_util.h"

static const char *usage_text =
    "usage: sparsecim model random --depth 14 [--se] [--depthwise | --groups N | --bottleneck] [--width 16]\n"
    "                              [--input 28x28x1]\n"
    "                              [--classes 10] --seed N -o FILE.bnn\n"
    "       sparsecim model info FILE.bnn\n"
    "\n"
    "random   writes a random binarized ResNet in the .bnn format (docs/FORMAT.md):\n"
    "         conv1 (8-bit image), 3 stages of n residual blocks, option-A shortcuts,\n"
    "         count pooling + binary classifier; fair-coin weights, thresholds near\n"
    "         the median of each dot (non-trivial activations)\n"
    "  --depth D      6n+2: 8, 14, 20, 26, 32 ... 200 (default 14)\n"
    "  --width W      channels of stage 0; stages 1, 2 have 2W, 4W (default 16)\n"
    "  --se           binarized squeeze-and-excitation after every block (hidden max(1, C/4))\n"
    "  --depthwise    depthwise-separable blocks (MobileNet-style): every 3x3 conv after conv1\n"
    "                 becomes a depthwise 3x3 conv (groups = C, the stride) followed by a\n"
    "                 pointwise 1x1 conv (C -> C_out; the block's second one has the shortcut)\n"
    "  --groups N     grouped ResNet: every 3x3 conv after conv1 has N groups (N divides W;\n"
    "                 not with --depthwise; 1 = ordinary, the default)\n"
    "  --bottleneck   bottleneck blocks: 1x1 reduce C_in -> C/4, 3x3 C/4 -> C/4 (the stride),\n"
    "                 1x1 expand C/4 -> C with the shortcut (n blocks per stage as for D)\n"
    "  --input HxWxC  image shape (default 28x28x1; 32x32x3 for CIFAR-10)\n"
    "  --classes K    classifier outputs, 1..1000 (default 10)\n"
    "  --seed N       PRNG seed, 0..2147483647 (required; same seed, same file)\n"
    "  -o FILE.bnn    output, written atomically (required)\n"
    "info     checks a .bnn file and lists its layers: shapes (HxWxC), kernel, stride,\n"
    "         array rows per output (C*k*k), weight bits, binary MACs per image\n"
    "\n"
    "Bad options or a bad file: one line on stderr, exit status 2.\n";

/* "HxWxC" with H, W in 1..BNN_MAX_IMG and C in 1..BNN_MAX_CH; 0 on success. */
static int parse_shape(const char *s, int *h, int *w, int *c)
{
    int64_t v[3];
    const int64_t hi[3] = {BNN_MAX_IMG, BNN_MAX_IMG, BNN_MAX_CH};
    for (int i = 0; i < 3; i++) {
        s = num_i64(s, 1, hi[i], &v[i]);
        if (!s || *s != (i < 2 ? 'x' : '\0'))
            return -1;
        s += i < 2;
    }
    *h = (int)v[0];
    *w = (int)v[1];
    *c = (int)v[2];
    return 0;
}

static int model_random(int argc, char **argv)
{
    bnn_random_opts o = {.depth = 14, .width = 16, .se = 0, .in_c = 1, .in_h = 28, .in_w = 28,
                         .classes = 10, .seed = 1};
    const char *out = NULL;
    int have_seed = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        long x;
        if (!strcmp(a, "--se")) {
            o.se = 1;
        } else if (!strcmp(a, "--depthwise")) {
            o.depthwise = 1;
        } else if (!strcmp(a, "--bottleneck")) {
            o.bottleneck = 1;
        } else if (!strcmp(a, "--groups")) {
            if (!(v = cli_value("model random", argc, argv, &i)) || cli_int("model random", a, v, 1, BNN_MAX_CH, &x))
                return 2;
            o.groups = (int)x;
        } else if (!strcmp(a, "--depth")) {
            if (!(v = cli_value("model random", argc, argv, &i)) || cli_int("model random", a, v, 8, 200, &x))
                return 2;
            o.depth = (int)x;
        } else if (!strcmp(a, "--width")) {
            if (!(v = cli_value("model random", argc, argv, &i)) || cli_int("model random", a, v, 1, 1024, &x))
                return 2;
            o.width = (int)x;
        } else if (!strcmp(a, "--classes")) {
            if (!(v = cli_value("model random", argc, argv, &i)) || cli_int("model random", a, v, 1, 1000, &x))
                return 2;
            o.classes = (int)x;
        } else if (!strcmp(a, "--seed")) {
            if (!(v = cli_value("model random", argc, argv, &i)) ||
                cli_int("model random", a, v, 0, 2147483647L, &x))
                return 2;
            o.seed = (uint64_t)x;
            have_seed = 1;
        } else if (!strcmp(a, "--input")) {
            if (!(v = cli_value("model random", argc, argv, &i)))
                return 2;
            if (parse_shape(v, &o.in_h, &o.in_w, &o.in_c)) {
                fprintf(stderr, "sparsecim model random: option --input: expected HxWxC with H, W in 1..%d and C in 1..%d (e.g. 28x28x1), got '%s'\n",
                        BNN_MAX_IMG, BNN_MAX_CH, v);
                return 2;
            }
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (!(out = cli_value("model random", argc, argv, &i)))
                return 2;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            return 0;
        } else {
            fprintf(stderr, "sparsecim model random: unknown option '%s' (see --help)\n", a);
            return 2;
        }
    }
    if (!out || !have_seed) {
        fprintf(stderr, "sparsecim model random: %s is required (see --help)\n", out ? "--seed N" : "-o FILE.bnn");
        return 2;
    }
    bnn_model *m;
    bnn_error err;
    if (bnn_model_random(&o, &m, &err)) {
        fprintf(stderr, "sparsecim model random: %s\n", err.msg);
        return 2;
    }
    int rc = bnn_model_save(m, out, &err);
    if (rc) {
        fprintf(stderr, "sparsecim model random: option -o: %s\n", err.msg);
    } else {
        char kind[48] = "";
        if (o.depthwise)
            snprintf(kind, sizeof kind, ", depthwise-separable");
        else if (o.bottleneck)
            snprintf(kind, sizeof kind, ", bottleneck");
        else if (o.groups > 1)
            snprintf(kind, sizeof kind, ", %d groups", o.groups);
        printf("wrote %s: depth %d, width %d, %s%s, input %dx%dx%d, classes %d, %d layers, %llu binary MACs/image\n",
               out, o.depth, o.width, o.se ? "SE" : "no SE", kind, o.in_h, o.in_w, o.in_c, o.classes, m->n_layers,
               (unsigned long long)bnn_model_macs(m));
    }
    bnn_model_free(m);
    return rc ? 2 : 0;
}

/* One row of the info table. */
static void info_row(int idx, const char *name, const char *type, const char *in, const char *out, const char *k,
                     const char *stride, long rows, uint64_t params, uint64_t macs)
{
    printf("%3d  %-11s %-6s %-16s %-12s %-6s %-6s %6ld %9llu %12llu\n", idx, name, type, in, out, k, stride, rows,
           (unsigned long long)params, (unsigned long long)macs);
}

static void info_layer(int i, const bnn_layer *l, uint64_t *thresholds)
{
    char in[48], outs[40], k[16], st[24], nm[48];
    if (l->type == BNN_CONV) {
        const bnn_conv *c = &l->u.conv;
        long rows = (long)bnn_conv_n(c);
        uint64_t params = (uint64_t)rows * (uint64_t)c->out_c;
        char type[16] = "conv";
        if (bnn_conv_groups(c) > 1 && bnn_conv_cpg(c) == 1)
            snprintf(type, sizeof type, "dw");
        else if (bnn_conv_groups(c) > 1)
            snprintf(type, sizeof type, "g%d", bnn_conv_groups(c));
        snprintf(in, sizeof in, "%dx%dx%d%s", c->in_h, c->in_w, c->in_c, c->in_bits > 1 ? "/8b" : "");
        if (c->in_bits > 1 && c->in_bits != 8)
            snprintf(in, sizeof in, "%dx%dx%d/%db", c->in_h, c->in_w, c->in_c, c->in_bits);
        snprintf(outs, sizeof outs, "%dx%dx%d", c->out_h, c->out_w, c->out_c);
        snprintf(k, sizeof k, "%dx%d", c->k_h, c->k_w);
        snprintf(st, sizeof st, "%d", c->stride);
        if (c->shortcut >= 0)
            snprintf(st + strlen(st), sizeof st - strlen(st), "+r%d", c->shortcut);
        info_row(i, l->name, type, in, outs, k, st, rows, params,
                 params * (uint64_t)c->out_h * (uint64_t)c->out_w * (uint64_t)c->in_bits);
        *thresholds += (uint64_t)c->out_c * (uint64_t)c->th.pairs;
    } else if (l->type == BNN_SE) {
        const bnn_se *s = &l->u.se;
        uint64_t p = (uint64_t)s->c * (uint64_t)s->hidden;
        snprintf(nm, sizeof nm, "%s.fc1", l->name);
        snprintf(in, sizeof in, "%dx%dx%d>%dx%db", s->h, s->w, s->c, s->c, s->q_bits);
        snprintf(outs, sizeof outs, "%d", s->hidden);
        info_row(i, nm, "se.fc", in, outs, "-", "-", s->c, p, p * (uint64_t)s->q_bits);
        snprintf(nm, sizeof nm, "%s.fc2", l->name);
        snprintf(in, sizeof in, "%d", s->hidden);
        snprintf(outs, sizeof outs, "%d gates", s->c);
        info_row(i, nm, "se.fc", in, outs, "-", "-", s->hidden, p, p);
        *thresholds += (uint64_t)s->hidden + (uint64_t)s->c;
    } else {
        const bnn_classifier *c = &l->u.cls;
        uint64_t p = (uint64_t)c->in_c * (uint64_t)c->classes;
        snprintf(in, sizeof in, "%dx%dx%d>%dx%db", c->h, c->w, c->in_c, c->in_c, c->q_bits);
        snprintf(outs, sizeof outs, "%d logits", c->classes);
        info_row(i, l->name, "fc", in, outs, "-", "-", c->in_c, p, p * (uint64_t)c->q_bits);
    }
}

static uint64_t weight_bits(const bnn_model *m)
{
    uint64_t bits = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const bnn_layer *l = &m->layers[i];
        if (l->type == BNN_CONV)
            bits += (uint64_t)l->u.conv.wt.rows * (uint64_t)l->u.conv.wt.cols;
        else if (l->type == BNN_SE)
            bits += 2 * (uint64_t)l->u.se.c * (uint64_t)l->u.se.hidden;
        else
            bits += (uint64_t)l->u.cls.in_c * (uint64_t)l->u.cls.classes;
    }
    return bits;
}

static int model_info(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "sparsecim model info: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
        if (path) {
            fprintf(stderr, "sparsecim model info: expected one model file, got '%s' and '%s'\n", path, argv[i]);
            return 2;
        }
        path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "sparsecim model info: expected a model file (see --help)\n");
        return 2;
    }
    bnn_model *m;
    bnn_error err;
    if (bnn_model_load(path, &m, &err)) {
        fprintf(stderr, "sparsecim model info: %s\n", err.msg);
        return 2;
    }
    printf("%s: %s version %u; input %dx%dx%d (HxWxC), %d-bit pixels; %d classes; %d layers\n", path, BNN_MAGIC,
           bnn_model_file_version(m), m->in_h, m->in_w, m->in_c, m->in_bits, m->classes, m->n_layers);
    printf("shapes HxWxC; >NxBb: count pooling to N values of B bits; stride +rI: residual, shortcut = input of layer I;\n"
           "rows: array rows of one output (C*k*k); params: weight bits; MACs: binary MACs per image (x input bits)\n");
    if (bnn_model_file_version(m) >= BNN_VERSION_GROUPS)
        printf("type dw: depthwise conv (groups = in_c), gN: conv of N groups; its rows are (C/groups)*k*k, one array\n"
               "job per group (docs/SPEC.md section 5)\n");
    printf("%3s  %-11s %-6s %-16s %-12s %-6s %-6s %6s %9s %12s\n", "#", "name", "type", "input", "output", "kernel",
           "stride", "rows", "params", "MACs");
    uint64_t thresholds = 0;
    for (int i = 0; i < m->n_layers; i++)
        info_layer(i, &m->layers[i], &thresholds);
    printf("total: %llu weight bits (%llu bytes packed), %llu thresholds, %llu binary MACs per image\n",
           (unsigned long long)weight_bits(m), (unsigned long long)(weight_bits(m) + 7) / 8,
           (unsigned long long)thresholds, (unsigned long long)bnn_model_macs(m));
    bnn_model_free(m);
    return 0;
}

int cli_model(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "sparsecim model: expected a subcommand, random or info (see --help)\n");
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (!strcmp(argv[1], "random"))
        return model_random(argc - 1, argv + 1);
    if (!strcmp(argv[1], "info"))
        return model_info(argc - 1, argv + 1);
    fprintf(stderr, "sparsecim model: unknown subcommand '%s' (random or info)\n", argv[1]);
    return 2;
}

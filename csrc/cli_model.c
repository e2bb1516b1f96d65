/* cli_model.c - `sparsecim model random|info`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bnn_model.h"
#include "cli.h"
#include "cli_util.h"

static const char *usage_text =
    "usage: sparsecim model random --depth 14 [--se] [--width 16] [--input 28x28x1] [--classes 10] --seed N -o FILE.bnn\n"
    "       sparsecim model info FILE.bnn\n"
    "\n"
    "random  writes a random binarized ResNet (depth 6n+2, 3 stages, option-A shortcuts,\n"
    "        binarized SE in every block with --se) in the .bnn format (docs/FORMAT.md)\n"
    "info    lists the layers: shapes, kernel, stride, array rows, parameters, binary MACs\n";

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
            char tail;
            if (sscanf(v, "%dx%dx%d%c", &o.in_h, &o.in_w, &o.in_c, &tail) != 3) {
                fprintf(stderr, "sparsecim model random: option --input: expected HxWxC (e.g. 28x28x1), got '%s'\n", v);
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
    if (rc)
        fprintf(stderr, "sparsecim model random: %s\n", err.msg);
    else
        printf("wrote %s: depth %d, width %d, %s, input %dx%dx%d, %d classes, %d layers, %llu binary MACs/image\n",
               out, o.depth, o.width, o.se ? "SE" : "no SE", o.in_h, o.in_w, o.in_c, o.classes, m->n_layers,
               (unsigned long long)bnn_model_macs(m));
    bnn_model_free(m);
    return rc ? 2 : 0;
}

static int model_info(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
            fputs(usage_text, stdout);
            return 0;
        }
        fprintf(stderr, "sparsecim model info: expected one model file (see --help)\n");
        return 2;
    }
    bnn_model *m;
    bnn_error err;
    if (bnn_model_load(argv[1], &m, &err)) {
        fprintf(stderr, "sparsecim model info: %s\n", err.msg);
        return 2;
    }
    printf("%s: .bnn v%u, input %dx%dx%d (%d-bit), %d classes, %d layers\n", argv[1], BNN_VERSION, m->in_h,
           m->in_w, m->in_c, m->in_bits, m->classes, m->n_layers);
    printf("%3s %-9s %-5s %-12s %-12s %-6s %-3s %5s %9s %12s\n", "#", "name", "type", "input", "output",
           "kernel", "s", "rows", "params", "MACs");
    uint64_t total_bits = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const bnn_layer *l = &m->layers[i];
        char in[32], outs[32], k[16] = "-", st[8] = "-";
        long rows = 0;
        uint64_t params = 0, macs = 0;
        if (l->type == BNN_CONV) {
            const bnn_conv *c = &l->u.conv;
            snprintf(in, sizeof in, "%dx%dx%d%s", c->in_c, c->in_h, c->in_w, c->in_bits > 1 ? "/8b" : "");
            snprintf(outs, sizeof outs, "%dx%dx%d", c->out_c, c->out_h, c->out_w);
            snprintf(k, sizeof k, "%dx%d", c->k_h, c->k_w);
            snprintf(st, sizeof st, "%d", c->stride);
            rows = (long)c->in_c * c->k_h * c->k_w;
            params = (uint64_t)rows * (uint64_t)c->out_c;
            macs = params * (uint64_t)c->out_h * (uint64_t)c->out_w * (uint64_t)c->in_bits;
        } else if (l->type == BNN_SE) {
            const bnn_se *s = &l->u.se;
            snprintf(in, sizeof in, "%dx%dx%d", s->c, s->h, s->w);
            snprintf(outs, sizeof outs, "%d>%d>%d", s->c, s->hidden, s->c);
            rows = s->c;
            params = 2 * (uint64_t)s->c * (uint64_t)s->hidden;
            macs = (uint64_t)s->hidden * (uint64_t)s->c * (uint64_t)s->q_bits + (uint64_t)s->c * (uint64_t)s->hidden;
        } else {
            const bnn_classifier *c = &l->u.cls;
            snprintf(in, sizeof in, "%dx%dx%d", c->in_c, c->h, c->w);
            snprintf(outs, sizeof outs, "%d", c->classes);
            rows = c->in_c;
            params = (uint64_t)c->in_c * (uint64_t)c->classes;
            macs = params * (uint64_t)c->q_bits;
        }
        total_bits += params;
        printf("%3d %-9s %-5s %-12s %-12s %-6s %-3s %5ld %9llu %12llu\n", i, l->name,
               l->type == BNN_CONV ? "conv" : l->type == BNN_SE ? "se" : "fc", in, outs, k, st, rows,
               (unsigned long long)params, (unsigned long long)macs);
    }
    printf("total: %llu weight bits, %llu binary MACs per image\n", (unsigned long long)total_bits,
           (unsigned long long)bnn_model_macs(m));
    bnn_model_free(m);
    return 0;
}

int cli_model(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "random"))
        return model_random(argc - 1, argv + 1);
    if (!strcmp(argv[1], "info"))
        return model_info(argc - 1, argv + 1);
    fprintf(stderr, "sparsecim model: unknown subcommand '%s' (random or info)\n", argv[1]);
    return 2;
}

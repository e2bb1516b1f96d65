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
    "                              [--mult] [--input 28x28x1]\n"
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
    "  --mult         multiplicities on the ungrouped convs (docs/SPEC.md section 2): about one\n"
    "                 input channel in four counts 2..4 times (its rows repeated in the array);\n"
    "                 a version-3 file; not with --groups\n"
    "  --input HxWxC  image shape (default 28x28x1; 32x32x3 for CIFAR-10)\n"
    "  --classes K    classifier outputs, 1..1000 (default 10)\n"
    "  --seed N       PRNG seed, 0..2147483647 (required; same seed, same file)\n"
    "  -o FILE.bnn    output, written atomically (required)\n"
    "info     checks a .bnn file and lists its layers: shapes (HxWxC), kernel, stride,\n"
    "         array rows per output (C*k*k, with multiplicities their sum * k*k), weight bits,\n"
    "         binary MACs per image; the file version; per conv with multiplicities the\n"
    "         channels above 1\n"
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

#define CLI_MODEL_STR_(x) #x
#define CLI_MODEL_STR(x) CLI_MODEL_STR_(x)

enum { M_DEPTH = 1, M_WIDTH, M_SE, M_DEPTHWISE, M_GROUPS, M_BOTTLENECK, M_MULT, M_INPUT, M_CLASSES, M_SEED, M_OUT };

static const cli_opt random_opts[] = {
    CLI_OPT_INT("depth", M_DEPTH, 8, 200),
    CLI_OPT_INT("width", M_WIDTH, 1, 1024),
    CLI_OPT_FLAG("se", M_SE),
    CLI_OPT_FLAG("depthwise", M_DEPTHWISE),
    CLI_OPT_INT("groups", M_GROUPS, 1, BNN_MAX_CH),
    CLI_OPT_FLAG("bottleneck", M_BOTTLENECK),
    CLI_OPT_FLAG("mult", M_MULT),
    CLI_OPT_STR("input", M_INPUT, "HxWxC with H, W in 1.." CLI_MODEL_STR(BNN_MAX_IMG) " and C in 1.." CLI_MODEL_STR(
                                      BNN_MAX_CH) " (e.g. 28x28x1)"),
    CLI_OPT_INT("classes", M_CLASSES, 1, 1000),
    CLI_OPT_INT("seed", M_SEED, 0, 2147483647L),
    CLI_OPT_STR("o", M_OUT, NULL),
    CLI_OPT_STR("output", M_OUT, NULL),
    CLI_OPT_END,
};

/* The command line of model random into o and *out: 0, 1 (help printed) or -1 (message printed). */
static int random_parse(int argc, char **argv, bnn_random_opts *o, const char **out)
{
    cli_parser p;
    int have_seed = 0;
    cli_parse_init(&p, "model random", argc, argv, random_opts, NULL, 0);
    for (int id; (id = cli_next(&p)) != CLI_DONE;) {
        switch (id) {
        case CLI_HELP: fputs(usage_text, stdout); return 1;
        case CLI_ERROR: return -1;
        case M_DEPTH: o->depth = (int)p.num; break;
        case M_WIDTH: o->width = (int)p.num; break;
        case M_SE: o->se = 1; break;
        case M_DEPTHWISE: o->depthwise = 1; break;
        case M_GROUPS: o->groups = (int)p.num; break;
        case M_BOTTLENECK: o->bottleneck = 1; break;
        case M_MULT: o->mult = 1; break;
        case M_CLASSES: o->classes = (int)p.num; break;
        case M_SEED: o->seed = (uint64_t)p.num; have_seed = 1; break;
        case M_OUT: *out = p.val; break;
        default: /* M_INPUT */
            if (parse_shape(p.val, &o->in_h, &o->in_w, &o->in_c))
                return cli_bad_value(&p);
        }
    }
    if (!*out || !have_seed) {
        fprintf(stderr, "sparsecim model random: %s is required (see --help)\n", *out ? "--seed N" : "-o FILE.bnn");
        return -1;
    }
    return 0;
}

static int model_random(int argc, char **argv)
{
    bnn_random_opts o = {.depth = 14, .width = 16, .se = 0, .in_c = 1, .in_h = 28, .in_w = 28,
                         .classes = 10, .seed = 1};
    const char *out = NULL;
    int k = random_parse(argc, argv, &o, &out);
    if (k)
        return k > 0 ? 0 : 2;
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
        char kind[80] = "";
        if (o.depthwise)
            snprintf(kind, sizeof kind, ", depthwise-separable");
        else if (o.bottleneck)
            snprintf(kind, sizeof kind, ", bottleneck");
        else if (o.groups > 1)
            snprintf(kind, sizeof kind, ", %d groups", o.groups);
        if (o.mult)
            snprintf(kind + strlen(kind), sizeof kind - strlen(kind), ", multiplicities (version %u)",
                     bnn_model_file_version(m));
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

/* The line under a conv with multiplicities: its channels above 1 (the
 * first 16, "c3x2" = channel 3 counts twice) and its array rows against
 * n = C*k*k, the rows without copies. */
static void info_mult(const bnn_conv *c)
{
    char list[200] = "";
    int above = 0, listed = 0;
    size_t len = 0;
    for (int ch = 0; ch < c->in_c; ch++) {
        if (c->mult[ch] <= 1)
            continue;
        above++;
        if (listed < 16 && len < sizeof list) {
            int w = snprintf(list + len, sizeof list - len, "%sc%dx%d", listed ? " " : "", ch, c->mult[ch]);
            len += w > 0 ? (size_t)w : 0;
            listed++;
        }
    }
    printf("     mult: %d of %d channels above 1: %s%s; rows %d (n %d)\n", above, c->in_c, list,
           above > listed ? " ..." : "", bnn_conv_rows(c), bnn_conv_n(c));
}

static void info_layer(int i, const bnn_layer *l, uint64_t *thresholds)
{
    char in[48], outs[40], k[16], st[24], nm[48];
    if (l->type == BNN_CONV) {
        const bnn_conv *c = &l->u.conv;
        /* rows with the copies (the MACs count them), params without */
        long rows = (long)bnn_conv_rows(c);
        uint64_t params = (uint64_t)bnn_conv_n(c) * (uint64_t)c->out_c;
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
                 (uint64_t)rows * (uint64_t)c->out_c * (uint64_t)c->out_h * (uint64_t)c->out_w *
                     (uint64_t)c->in_bits);
        if (c->mult)
            info_mult(c);
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
    cli_parser p;
    cli_parse_init(&p, "model info", argc, argv, NULL, NULL, 1);
    for (int id; (id = cli_next(&p)) != CLI_DONE;) {
        if (id == CLI_HELP) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (id == CLI_ERROR)
            return 2;
        if (path) {
            fprintf(stderr, "sparsecim model info: expected one model file, got '%s' and '%s'\n", path, p.val);
            return 2;
        }
        path = p.val;
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
           "rows: array rows of one output (C*k*k, copies counted); params: weight bits; MACs: binary MACs per image (x input bits)\n");
    int grouped = 0;
    for (int i = 0; i < m->n_layers; i++)
        grouped |= m->layers[i].type == BNN_CONV && bnn_conv_groups(&m->layers[i].u.conv) > 1;
    if (grouped)
        printf("type dw: depthwise conv (groups = in_c), gN: conv of N groups; its rows are (C/groups)*k*k, one array\n"
               "job per group (docs/SPEC.md section 5)\n");
    if (bnn_model_file_version(m) >= BNN_VERSION_MULT)
        printf("mult: input channels counted more than once (cNxM: channel N, M copies of its rows; docs/SPEC.md\n"
               "section 2); such a conv's rows are sum(mult)*k*k, its n = C*k*k weight bits per output\n");
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
    cli_parser p;
    cli_parse_init(&p, "model", argc, argv, NULL, NULL, 1);
    int id = cli_next(&p);
    if (id == CLI_HELP) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (id == CLI_ERROR)
        return 2;
    if (id == CLI_DONE) {
        fprintf(stderr, "sparsecim model: expected a subcommand, random or info (see --help)\n");
        return 2;
    }
    if (!strcmp(p.val, "random"))
        return model_random(argc - p.index, argv + p.index);
    if (!strcmp(p.val, "info"))
        return model_info(argc - p.index, argv + p.index);
    fprintf(stderr, "sparsecim model: unknown subcommand '%s' (random or info)\n", p.val);
    return 2;
}

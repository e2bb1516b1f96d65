/*
 * test_bad_input.c - the table-driven bad-input suite (issue #12): the real
 * `sparsecim` binary on hundreds of bad inputs over every subcommand and
 * format (options, numbers, output targets, .bnn, IDX, CIFAR-10, VCD,
 * golden-vector manifests and job files, energy profiles). For every case:
 *   - exit status 2 (a hang is killed after 20 s and fails the case),
 *   - exactly one line on stderr, holding the case's needles (the file
 *     and byte offset / line, or the option),
 *   - no sanitizer report (in the ASan build the binary is instrumented),
 *   - the fixture directory, inputs and output directory, is unchanged:
 *     no file created, none replaced or modified (names, sizes, inodes,
 *     modification times compared before and after).
 * Cases are generated from tables (option x bad value, output option x
 * bad target, format x corruption). No case names a system device as an
 * output (a device node is made in the fixture). `run`/`sim` cases are skipped (and
 * counted as skipped) when the binary has no RTL (the RTL-less ASan
 * build). The case count is printed.
 */
#define _XOPEN_SOURCE 700
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zlib.h>

#include "model/bnn_model.h"
#include "test_util.h"

/* ------------------------------------------------------------ fixture ---- */

typedef struct fx {
    char t[300];        /* fixture directory */
    char bin[600];      /* the sparsecim binary */
    int rtl;            /* the binary has run / sim */
    int have_dev;       /* "full": a character device (/dev/full's numbers) made in the fixture (root only) */
    int cases, skipped;
} fx;

static char *fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char *s = NULL;
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    s = malloc((size_t)n + 1);
    cr_assert_not_null(s);
    va_start(ap, f);
    vsnprintf(s, (size_t)n + 1, f, ap);
    va_end(ap);
    return s;
}

static void put_file(const fx *x, const char *name, const void *b, size_t n)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", x->t, name);
    FILE *f = fopen(p, "wb");
    cr_assert_not_null(f, "%s", p);
    cr_assert_eq(fwrite(b, 1, n, f), n);
    cr_assert_eq(fclose(f), 0);
}

static void put_text(const fx *x, const char *name, const char *s) { put_file(x, name, s, strlen(s)); }

static void put_gz(const fx *x, const char *name, const void *b, size_t n)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", x->t, name);
    gzFile f = gzopen(p, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(gzwrite(f, b, (unsigned)n), (int)n);
    cr_assert_eq(gzclose(f), Z_OK);
}

static void sh(const char *cmd)
{
    char out[4096];
    int rc = tu_run(cmd, out, sizeof out);
    cr_assert_eq(rc, 0, "%s: %s", cmd, out);
}

/* sh() of a formatted command */
static void shf(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char cmd[4096];
    int n = vsnprintf(cmd, sizeof cmd, f, ap);
    va_end(ap);
    cr_assert(n > 0 && (size_t)n < sizeof cmd);
    sh(cmd);
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

enum { NIMG = 20, IH = 8, IW = 8 };

/* An IDX file: magic, dims, data. */
static uint8_t *idx_bytes(int nd, const uint32_t *dims, size_t *len)
{
    size_t n = 1;
    for (int i = 0; i < nd; i++)
        n *= dims[i];
    uint8_t *b = calloc(1, 4 + 4 * (size_t)nd + n);
    b[2] = 8;
    b[3] = (uint8_t)nd;
    for (int i = 0; i < nd; i++)
        be32(b + 4 + 4 * i, dims[i]);
    for (size_t i = 0; i < n; i++)
        b[4 + 4 * nd + i] = (uint8_t)((i * 37) % (nd == 1 ? 10 : 256));
    *len = 4 + 4 * (size_t)nd + n;
    return b;
}

static uint32_t crc_of(const uint8_t *b, size_t n) { return (uint32_t)crc32(crc32(0L, Z_NULL, 0), b, (uInt)n); }

/* The model bytes with a change at `off` (n bytes of v, little-endian), CRC recomputed. */
static void bnn_variant(const fx *x, const char *name, const uint8_t *m, size_t len, size_t off, int n, uint32_t v)
{
    uint8_t *b = malloc(len);
    memcpy(b, m, len);
    for (int i = 0; i < n; i++)
        b[off + (size_t)i] = (uint8_t)(v >> (8 * i));
    uint32_t c = crc_of(b, len - 4);
    for (int i = 0; i < 4; i++)
        b[len - 4 + (size_t)i] = (uint8_t)(c >> (8 * i));
    put_file(x, name, b, len);
    free(b);
}

static void make_fixture(fx *x)
{
    memset(x, 0, sizeof *x);
    tu_tmp_path(x->t, sizeof x->t, "bad");
    remove(x->t);
    cr_assert_eq(mkdir(x->t, 0777), 0);
    snprintf(x->bin, sizeof x->bin, "%s/sparsecim", tu_bin_dir());
    char out[8192], cmd[2000];
    snprintf(cmd, sizeof cmd, "%s --help", x->bin);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    x->rtl = strstr(out, "\n  run ") != NULL;
    /* a device of our own: a mutant that replaces devices must not replace the
     * system's /dev/full (without root it is a regular file, its cases skipped) */
    {
        char p[600];
        snprintf(p, sizeof p, "%s/full", x->t);
        x->have_dev = mknod(p, S_IFCHR | 0666, makedev(1, 7)) == 0;
        if (!x->have_dev)
            put_text(x, "full", "");
    }
    /* the model: 8x8x1 input, depth 8, width 4, SE, 10 classes */
    bnn_random_opts o = {.depth = 8, .width = 4, .se = 1, .in_c = 1, .in_h = IH, .in_w = IW, .classes = 10, .seed = 5};
    bnn_model *m;
    bnn_error err;
    cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
    uint8_t *mb;
    size_t ml;
    cr_assert_eq(bnn_model_serialize(m, &mb, &ml, &err), 0, "%s", err.msg);
    put_file(x, "m.bnn", mb, ml);
    bnn_model_free(m);
    /* good data */
    uint32_t di[3] = {NIMG, IH, IW}, dl[1] = {NIMG};
    size_t il, ll;
    uint8_t *ib = idx_bytes(3, di, &il), *lb = idx_bytes(1, dl, &ll);
    put_file(x, "img", ib, il);
    put_file(x, "lab", lb, ll);
    put_gz(x, "img.gz", ib, il);
    put_gz(x, "lab.gz", lb, ll);
    /* a VCD, an energy profile, a vector set, special files */
    put_text(x, "keep.json", "{\"an existing output\": 1}\n");
    put_text(x, "ok.vcd", "$timescale 1ns $end\n$scope module t $end\n$var wire 1 ! a $end\n"
                          "$var wire 4 \" b [3:0] $end\n$upscope $end\n$enddefinitions $end\n#0\n0!\nb0000 \"\n"
                          "#5\n1!\nb1010 \"\n#10\n0!\n");
    snprintf(cmd, sizeof cmd,
             "cd %s && cp %s/constraints/energy-65nm.txt energy.txt && mkdir out dir && mkfifo fifo && "
             "ln -s out/nowhere link && %s vectors --model m.bnn --data idx:img,lab --count 1 --rows 64 --cols 16 "
             "--seg-rows 8 -o vec --quiet > /dev/null",
             x->t, tu_src_dir(), x->bin);
    sh(cmd);

    /* ---- bad .bnn files ---- */
    size_t cuts[] = {0, 4, 8, 11, 12, 20, 23, 24, 25, 30, 41, 60, 100, ml / 2, ml - 5, ml - 4, ml - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        char n[64];
        snprintf(n, sizeof n, "cut%zu.bnn", i);
        put_file(x, n, mb, cuts[i]);
    }
    uint8_t *b = malloc(ml + 8);
    memcpy(b, mb, ml);
    b[0] = 'X';
    put_file(x, "magic.bnn", b, ml);
    memcpy(b, mb, ml);
    b[ml / 2] ^= 0x10;
    put_file(x, "crc.bnn", b, ml);
    memcpy(b, mb, ml);
    memset(b + ml, 0, 8);
    put_file(x, "trail.bnn", b, ml + 8);   /* CRC then 8 bytes */
    free(b);
    bnn_variant(x, "version.bnn", mb, ml, 8, 4, 2);
    bnn_variant(x, "inc0.bnn", mb, ml, 12, 2, 0);
    bnn_variant(x, "inc9999.bnn", mb, ml, 12, 2, 9999);
    bnn_variant(x, "inh0.bnn", mb, ml, 14, 2, 0);
    bnn_variant(x, "bits0.bnn", mb, ml, 18, 1, 0);
    bnn_variant(x, "bits9.bnn", mb, ml, 18, 1, 9);
    bnn_variant(x, "bits4.bnn", mb, ml, 18, 1, 4);     /* the chain then fails at layer 0 */
    bnn_variant(x, "resv.bnn", mb, ml, 19, 1, 1);
    bnn_variant(x, "cls0.bnn", mb, ml, 20, 2, 0);
    bnn_variant(x, "nl0.bnn", mb, ml, 22, 2, 0);
    bnn_variant(x, "nl9999.bnn", mb, ml, 22, 2, 9999);
    bnn_variant(x, "type9.bnn", mb, ml, 24, 1, 9);
    bnn_variant(x, "l0inc.bnn", mb, ml, 25, 2, 3);
    bnn_variant(x, "l0k0.bnn", mb, ml, 33, 1, 0);
    bnn_variant(x, "l0stride.bnn", mb, ml, 35, 1, 7);
    /* a 658-byte model claiming a 4096 x 1024 x 1024 input (a 1x1 conv to one
     * channel, then the classifier): 8 GiB of activations if believed */
    {
        uint8_t h[700] = {0};
        size_t n = 0;
        memcpy(h, "SCIMBNN1", 8);
        n = 8;
        const uint32_t hdr[][2] = {{1, 4}, {4096, 2}, {1024, 2}, {1024, 2}, {8, 1}, {0, 1}, {10, 2}, {2, 2},
                                   /* CONV */ {1, 1}, {4096, 2}, {1, 2}, {1024, 2}, {1024, 2}, {1, 1}, {1, 1},
                                   {1, 1}, {0, 1}, {0, 1}, {8, 1}, {0xffff, 2}};
        for (size_t k = 0; k < sizeof hdr / sizeof *hdr; k++)
            for (uint32_t i = 0; i < hdr[k][1]; i++)
                h[n++] = (uint8_t)(hdr[k][0] >> (8 * i));
        n += 512 + 1 + 4;                   /* weights, sign, threshold */
        h[n++] = 3;                         /* CLASSIFIER in_c 1, classes 10 */
        h[n++] = 1, h[n++] = 0, h[n++] = 10, h[n++] = 0;
        n += 10 + 80;                       /* weights, scale, bias */
        uint32_t c = crc_of(h, n);
        for (int i = 0; i < 4; i++)
            h[n++] = (uint8_t)(c >> (8 * i));
        put_file(x, "huge.bnn", h, n);
    }
    /* a depthwise-separable model (version 2): layer 1 (s0b0a.dw, 4 -> 4,
     * groups 4) starts at byte 68 (conv1's record: 19 + 4 x 2 + 1 + 16
     * bytes), its groups at 85 */
    {
        bnn_random_opts od = {.depth = 8, .width = 4, .se = 1, .depthwise = 1, .in_c = 1, .in_h = IH, .in_w = IW,
                              .classes = 10, .seed = 5};
        bnn_model *dm;
        uint8_t *db;
        size_t dl;
        cr_assert_eq(bnn_model_random(&od, &dm, &err), 0, "%s", err.msg);
        cr_assert_eq(bnn_model_serialize(dm, &db, &dl, &err), 0, "%s", err.msg);
        bnn_model_free(dm);
        cr_assert(db[8] == 2 && db[68] == 1 && db[85] == 4 && db[86] == 0, "the depthwise fixture's layout");
        bnn_variant(x, "dwg0.bnn", db, dl, 85, 2, 0);      /* groups 0 */
        bnn_variant(x, "dwg3.bnn", db, dl, 85, 2, 3);      /* not a divisor of 4 */
        bnn_variant(x, "dwg5.bnn", db, dl, 85, 2, 5);      /* more than in_c */
        bnn_variant(x, "dwconv1g.bnn", db, dl, 24 + 17, 2, 2); /* conv1 (1 channel) with 2 groups */
        bnn_variant(x, "dwv1.bnn", db, dl, 8, 4, 1);       /* version 1: the groups read as weights */
        bnn_variant(x, "dwv3.bnn", db, dl, 8, 4, 3);
        put_file(x, "dwcut.bnn", db, 90);                  /* the last 4 bytes taken as the CRC: cut inside layer 1's groups */
        free(db);
    }
    /* a valid model with 4-bit inputs: the data set has 8-bit pixels */
    {
        uint8_t *h = malloc(ml);
        memcpy(h, mb, ml);
        h[18] = 4;
        bnn_variant(x, "m4.bnn", h, ml, 24 + 14, 1, 4);
        free(h);
    }
    free(mb);

    /* ---- bad IDX / CIFAR files ---- */
    put_file(x, "i_empty", "", 0);
    put_file(x, "i_short", ib, 3);
    put_file(x, "i_hdr", ib, 10);
    put_file(x, "i_cut", ib, il - 1);
    uint8_t *e = calloc(1, il + 2100);
    memcpy(e, ib, il);
    memset(e + il, 7, 5);
    put_file(x, "i_extra", e, il + 5);
    put_gz(x, "i_extra.gz", e, il + 5);
    memcpy(e, ib, il);
    e[2] = 9;
    put_file(x, "i_type", e, il);
    memcpy(e, ib, il);
    e[3] = 2;
    put_file(x, "i_nd", e, il);
    memcpy(e, ib, il);
    be32(e + 8, 0);
    put_file(x, "i_dim0", e, il);
    memcpy(e, ib, il);
    be32(e + 4, 1u << 24);
    be32(e + 8, 1024);
    be32(e + 12, 1024);
    put_file(x, "i_huge", e, il);
    put_gz(x, "i_huge.gz", e, il);
    memcpy(e, ib, il);
    be32(e + 8, 2000);
    be32(e + 4, 1);
    be32(e + 12, 1);
    put_file(x, "i_tall", e, 16 + 2000);   /* 2000x1: taller than 1024 */
    free(e);
    {   /* a gzip bomb: the header promises NIMG images, the stream holds 64 MiB */
        char p[600];
        snprintf(p, sizeof p, "%s/i_bomb.gz", x->t);
        gzFile g = gzopen(p, "wb9");
        cr_assert_not_null(g);
        gzwrite(g, ib, (unsigned)il);
        static uint8_t zero[1 << 16];
        for (int i = 0; i < 1024; i++)
            gzwrite(g, zero, sizeof zero);
        gzclose(g);
    }
    {   /* a truncated gzip stream */
        char p[600];
        snprintf(p, sizeof p, "%s/img.gz", x->t);
        FILE *f = fopen(p, "rb");
        uint8_t gzb[4096];
        size_t gn = fread(gzb, 1, sizeof gzb, f);
        fclose(f);
        put_file(x, "i_gzcut.gz", gzb, gn / 2);
        put_file(x, "i_gztail.gz", gzb, gn - 3);   /* the data, not the trailer */
    }
    uint32_t d5[1] = {NIMG - 1};
    size_t l5;
    uint8_t *lb5 = idx_bytes(1, d5, &l5);
    put_file(x, "l_count", lb5, l5);
    free(lb5);
    memcpy(lb + 8 + 3, "\x0c", 1);
    put_file(x, "l_class", lb, ll);   /* label 12 >= 10 classes */
    lb[8 + 3] = 200;
    put_file(x, "l_200", lb, ll);
    free(ib);
    free(lb);
    uint8_t *cf = calloc(3 * 3073, 1);
    put_file(x, "c_size.bin", cf, 3073 + 10);
    cf[3073] = 10;
    put_file(x, "c_label.bin", cf, 2 * 3073);
    put_file(x, "c_empty.bin", cf, 0);
    free(cf);
}

static void drop_fixture(const fx *x)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", x->t);
    sh(cmd);
}

/* ------------------------------------------------------------ snapshot ---- */

typedef struct sbuf {
    char *s;
    size_t n, cap;
} sbuf;

static void sadd(sbuf *b, const char *line)
{
    size_t l = strlen(line);
    if (b->n + l + 1 > b->cap) {
        b->cap = (b->n + l + 1) * 2;
        b->s = realloc(b->s, b->cap);
        cr_assert_not_null(b->s);
    }
    memcpy(b->s + b->n, line, l + 1);
    b->n += l;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every entry under dir (recursively): name, type, size, inode, mtime. */
static void snap_dir(const char *dir, const char *rel, sbuf *out)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    char *names[4096];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 4096)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (int i = 0; i < n; i++) {
        char p[1200], line[1600];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        struct stat st;
        cr_assert_eq(lstat(p, &st), 0, "%s", p);
        /* a directory's own mtime is left out: a temporary file made and
         * removed beside an output changes it, and leaves nothing */
        snprintf(line, sizeof line, "%s/%s %o %lld %llu %lld.%09ld\n", rel, names[i], (unsigned)st.st_mode,
                 S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size, (unsigned long long)st.st_ino,
                 S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_mtim.tv_sec, S_ISDIR(st.st_mode) ? 0L : st.st_mtim.tv_nsec);
        sadd(out, line);
        if (S_ISDIR(st.st_mode)) {
            char r[1200];
            snprintf(r, sizeof r, "%s/%s", rel, names[i]);
            snap_dir(p, r, out);
        }
        free(names[i]);
    }
}

static char *snapshot(const fx *x)
{
    sbuf b = {0};
    sadd(&b, "");
    snap_dir(x->t, ".", &b);
    return b.s;
}

/* ------------------------------------------------------------ the check ---- */

/* Runs `sparsecim ARGS` in the fixture directory; expects the contract above.
 * needles: up to 2 strings the one stderr line must hold (NULL: none). */
static void expect2_sh(fx *x, int needs_rtl, const char *prefix, const char *args, const char *n1, const char *n2)
{
    x->cases++;
    if (needs_rtl && !x->rtl) {
        x->skipped++;
        return;
    }
    char *before = snapshot(x);
    char *cmd = fmt("cd '%s' && %s timeout 20 %s %s 2>&1 >/dev/null", x->t, prefix, x->bin, args);
    static char out[16384];
    int rc = tu_run(cmd, out, sizeof out);
    char *after = snapshot(x);
    cr_expect_eq(rc, 2, "sparsecim %s: exit status %d (2 expected; 124: hung), stderr: %s", args, rc, out);
    size_t n = strlen(out);
    cr_expect(n > 0 && out[n - 1] == '\n' && strchr(out, '\n') == out + n - 1,
              "sparsecim %s: not exactly one line on stderr: %s", args, out);
    cr_expect(!strstr(out, "Sanitizer") && !strstr(out, "runtime error"), "sparsecim %s: sanitizer report: %s", args,
              out);
    cr_expect(!n1 || strstr(out, n1), "sparsecim %s: the message does not name '%s': %s", args, n1, out);
    cr_expect(!n2 || strstr(out, n2), "sparsecim %s: the message does not name '%s': %s", args, n2, out);
    cr_expect_str_eq(after, before, "sparsecim %s: files changed in the fixture directory", args);
    free(before);
    free(after);
    free(cmd);
}

static void expect2(fx *x, int needs_rtl, const char *args, const char *n1, const char *n2)
{
    expect2_sh(x, needs_rtl, "", args, n1, n2);
}

static void report(const fx *x, const char *what)
{
    printf("bad input, %s: %d cases (%d skipped: no RTL in this build)\n", what, x->cases, x->skipped);
    fflush(stdout);
}

/* Base arguments of each subcommand (valid apart from what a case adds). */
typedef struct cmd_base {
    const char *name, *base;
    int rtl;
} cmd_base;

#define M "--model m.bnn"
#define D "--data idx:img,lab"
static const cmd_base cmds[] = {
    {"infer", "infer " M " " D, 0},
    {"vectors", "vectors " M " " D " -o out/v --rows 64 --cols 16 --seg-rows 8", 0},
    {"saif", "saif --vcd ok.vcd -o out/x.saif", 0},
    {"model random", "model random --depth 8 --seed 1 -o out/r.bnn", 0},
    {"model info", "model info m.bnn", 0},
    {"bench", "bench", 0},
    {"run", "run " M " " D " --small --energy none", 1},
    {"sim", "sim --vectors vec --energy none", 1},
    {"merge", "merge vec/manifest.txt -o out/m.json", 0},
};

/* ------------------------------------------------------------ options ---- */

/* option x bad value, for every numeric option of every command */
Test(bad_input, numbers, .timeout = 600)
{
    fx x;
    make_fixture(&x);
    static const char *const ints[] = {"''", "abc", "12abc", "0x10", "+5", "' 5'", "'5 '", "1e3", "1.5",
                                       "99999999999999999999", "-99999999999999999999", "-1",
                                       "9223372036854775808", "18446744073709551617", "18446744073709551621"};
    static const struct {
        int cmd;
        const char *opt;
    } iopts[] = {
        {0, "--count"}, {0, "--offset"}, {0, "--seg-rows"}, {1, "--count"}, {1, "--offset"}, {1, "--rows"},
        {1, "--cols"}, {1, "--seg-rows"}, {2, "--start"}, {2, "--end"}, {3, "--depth"}, {3, "--width"},
        {3, "--classes"}, {3, "--seed"}, {6, "--count"}, {6, "--offset"}, {6, "--remap-count"},
        {6, "--remap-offset"}, {6, "--max-mismatch"}, {7, "--max-mismatch"},
    };
    for (size_t o = 0; o < sizeof iopts / sizeof *iopts; o++)
        for (size_t v = 0; v < sizeof ints / sizeof *ints; v++) {
            const cmd_base *c = &cmds[iopts[o].cmd];
            char *a = fmt("%s %s %s", c->base, iopts[o].opt, ints[v]);
            expect2(&x, c->rtl, a, iopts[o].opt, NULL);
            free(a);
        }
    /* structured values: each list for the commands that take it */
    static const char *const windows[] = {"''", "5", "5:", ":5", "5:5", "6:5", "1:99999999999999999999",
                                          "-1:5", "0x1:5", "1:2:3", "a:b", "'1 :5'", "0:18446744073709551621", "4503599627370497:4503599627370498"};
    static const char *const geoms[] = {"''", "64x16", "64x16x8x1", "4294967360x16x8", "64x16x0", "0x16x8",
                                        "-64x16x8", "64X16X8", "0x40x16x8", "'64x16x8 '", "99999999999999999999x1x1",
                                        "+64x16x8", "64x16x8x", "100x16x8", "18446744073709551680x16x8"};
    static const char *const units[] = {"0", "3", "16", "-1", "1.0", "abc", "''", "0x1", "99999999999999999999"};
    for (int c = 6; c <= 7; c++) {
        for (size_t v = 0; v < sizeof windows / sizeof *windows; v++) {
            char *a = fmt("%s --window %s", cmds[c].base, windows[v]);
            expect2(&x, 1, a, "--window", NULL);
            free(a);
        }
        for (size_t v = 0; v < sizeof geoms / sizeof *geoms; v++) {
            char *a = fmt("%s --geometry %s", cmds[c].base, geoms[v]);
            expect2(&x, 1, a, "geometry", NULL);
            free(a);
        }
        for (size_t v = 0; v < sizeof units / sizeof *units; v++) {
            char *a = fmt("%s --unit %s", cmds[c].base, units[v]);
            expect2(&x, 1, a, "--unit", NULL);
            free(a);
        }
    }
    static const char *const shapes[] = {"28x28", "0x28x1", "28x28x0", "2000x28x1", "28x28x5000", "28x28x1x",
                                         "28X28X1", "4294967324x28x1", "+28x28x1", "28x-28x1", "''"};
    for (size_t v = 0; v < sizeof shapes / sizeof *shapes; v++) {
        char *a = fmt("%s --input %s", cmds[3].base, shapes[v]);
        expect2(&x, 0, a, "--input", NULL);
        free(a);
    }
    static const char *const secs[] = {"''", "abc", "0x1p0", "inf", "nan", "1e999", "100", "0.01", "1,5", "' 1'",
                                       "-1", "0x10"};
    for (size_t v = 0; v < sizeof secs / sizeof *secs; v++) {
        char *a = fmt("bench --seconds %s", secs[v]);
        expect2(&x, 0, a, "--seconds", NULL);
        free(a);
    }
    static const char *const injects[] = {"conv1:-1", "conv1:99999999999", "nosuch:0", "conv1", "conv1:abc",
                                          "conv1:0x1", "':0'"};
    for (size_t v = 0; v < sizeof injects / sizeof *injects; v++) {
        char *a = fmt("%s --inject %s", cmds[6].base, injects[v]);
        expect2(&x, 1, a, "--inject", NULL);
        free(a);
    }
    /* --count / --offset past the end of the data set (20 images), the one shared check */
    static const char *const ranges[] = {"--count 21", "--offset 20", "--offset 19 --count 2", "--offset 1000000",
                                         "--count 1000000"};
    for (int c = 0; c <= 6; c += 6)
        for (size_t v = 0; v < sizeof ranges / sizeof *ranges; v++) {
            char *a = fmt("%s %s", cmds[c].base, ranges[v]);
            expect2(&x, cmds[c].rtl, a, strstr(ranges[v], "count") && !strstr(ranges[v], "offset 1000") ? "--count"
                                                                                                       : "--offset",
                    "idx:img,lab");
            free(a);
        }
    for (size_t v = 0; v < sizeof ranges / sizeof *ranges; v++) {
        char *a = fmt("%s %s", cmds[1].base, ranges[v]);
        expect2(&x, 0, a, strstr(ranges[v], "count") && !strstr(ranges[v], "offset 1000") ? "--count" : "--offset",
                "idx:img,lab");
        free(a);
    }
    report(&x, "numbers");
    drop_fixture(&x);
}

/* every option without its value, unknown options, bad words */
Test(bad_input, usage, .timeout = 600)
{
    fx x;
    make_fixture(&x);
    static const struct {
        int cmd;
        const char *opt;
    } vopts[] = {
        {0, "--model"}, {0, "--data"}, {0, "--json"}, {0, "--predictions"}, {0, "--count"}, {0, "--offset"},
        {0, "--seg-rows"}, {0, "--impl"}, {1, "--model"}, {1, "--data"}, {1, "-o"}, {1, "--count"}, {1, "--offset"},
        {1, "--rows"}, {1, "--cols"}, {1, "--seg-rows"}, {1, "--layout"}, {2, "--vcd"}, {2, "-o"}, {2, "--start"},
        {2, "--end"}, {2, "--design"}, {3, "--depth"}, {3, "--width"}, {3, "--classes"}, {3, "--seed"},
        {3, "--input"}, {3, "-o"}, {5, "--seconds"}, {6, "--model"}, {6, "--data"}, {6, "--count"},
        {6, "--offset"}, {6, "--gate"}, {6, "--unit"}, {6, "--layout"}, {6, "--geometry"}, {6, "--waves"},
        {6, "--window"}, {6, "--report"}, {6, "--csv"}, {6, "--saif"}, {6, "--energy"}, {6, "--inject"},
        {6, "--remap"}, {6, "--stationary"}, {6, "--vectors-out"}, {6, "--max-mismatch"}, {7, "--vectors"},
        {7, "--gate"}, {7, "--report"}, {7, "--csv"}, {7, "--waves"}, {7, "--saif"}, {7, "--energy"},
    };
    for (size_t o = 0; o < sizeof vopts / sizeof *vopts; o++) {
        const cmd_base *c = &cmds[vopts[o].cmd];
        char *a = fmt("%s %s", c->base, vopts[o].opt);
        expect2(&x, c->rtl, a, vopts[o].opt, NULL);
        free(a);
    }
    for (size_t c = 0; c < sizeof cmds / sizeof *cmds; c++) {
        char *a = fmt("%s --frobnicate", cmds[c].base);
        expect2(&x, cmds[c].rtl, a, "--frobnicate", NULL);
        free(a);
        a = fmt("%s -x", cmds[c].base);
        expect2(&x, cmds[c].rtl, a, "-x", NULL);
        free(a);
    }
    static const struct {
        int cmd;
        const char *args, *needle;
    } words[] = {
        {0, "--impl fast2", "--impl"}, {1, "--layout diag", "--layout"}, {1, "--layout ''", "--layout"},
        {1, "--rows 100", "--rows"}, {1, "--rows 64 --seg-rows 48", "--seg-rows"}, {6, "--gate all", "--gate"},
        {6, "--gate BOTH", "--gate"}, {6, "--layout diag", "--layout"}, {6, "--stationary both", "--stationary"},
        {6, "--waves w.txt", "--waves"}, {6, "--no-zero-flags", "--no-zero-flags"},
        {6, "--stationary input --inject conv1:0", "--stationary"}, {6, "--skip-channels --vectors-out out/v", "--skip"},
        {7, "--layout tap", "--layout"}, {7, "--skip-channels", "--skip-channels"}, {7, "--geometry 128x32x8", "vec"},
        {7, "--saif out/s.saif --waves out/w.fst", "--saif"},
    };
    for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
        char *a = fmt("%s %s", cmds[words[w].cmd].base, words[w].args);
        expect2(&x, cmds[words[w].cmd].rtl, a, words[w].needle, NULL);
        free(a);
    }
    expect2(&x, 0, "frob", "frob", NULL);
    expect2(&x, 0, "model", "subcommand", NULL);
    expect2(&x, 0, "model frob", "frob", NULL);
    expect2(&x, 0, "infer --data idx:img,lab", "--model", NULL);
    expect2(&x, 0, "vectors --model m.bnn --data idx:img,lab", "-o", NULL);
    expect2(&x, 0, "saif --vcd ok.vcd", "-o", NULL);
    expect2(&x, 0, "model random --depth 8 -o out/r.bnn", "--seed", NULL);
    expect2(&x, 0, "model random --depth 9 --seed 1 -o out/r.bnn", "depth", NULL);
    expect2(&x, 1, "run --model m.bnn", "--data", NULL);
    expect2(&x, 1, "sim", "--vectors", NULL);
    report(&x, "usage");
    drop_fixture(&x);
}

/* ------------------------------------------------------------ outputs ---- */

Test(bad_input, outputs, .timeout = 600)
{
    fx x;
    make_fixture(&x);
    static const struct {
        int cmd;
        const char *opt, *input, *suffix;
    } outs[] = {
        {0, "--json", "m.bnn", ""}, {0, "--predictions", "img", ""}, {2, "-o", "ok.vcd", ""},
        {3, "-o", NULL, ""}, {6, "--report", "m.bnn", ""}, {6, "--csv", "lab", ""}, {6, "--saif", "m.bnn", ""},
        {7, "--report", "vec/manifest.txt", ""}, {7, "--csv", "vec/manifest.txt", ""},
        {7, "--saif", "vec/manifest.txt", ""},
    };
    static const struct {
        const char *path, *needle;
    } targets[] = {
        {"full", "character device"}, {"fifo", "FIFO"}, {"link", "symbolic link"}, {"dir", "directory"},
        {"nodir/x", "nodir"}, {"''", "empty"}, {"out/", "directory"}, {"m.bnn/x", "m.bnn"},
    };
    for (size_t o = 0; o < sizeof outs / sizeof *outs; o++) {
        const cmd_base *c = &cmds[outs[o].cmd];
        /* strip the base's own -o for the commands whose output is -o */
        char base[400];
        snprintf(base, sizeof base, "%s", c->base);
        char *own = strstr(base, " -o ");
        if (own && !strcmp(outs[o].opt, "-o"))
            *own = 0;
        for (size_t t = 0; t < sizeof targets / sizeof *targets; t++) {
            if (!x.have_dev && !strcmp(targets[t].path, "full")) {
                x.cases++, x.skipped++;
                continue;
            }
            char *a = fmt("%s %s %s%s", base, outs[o].opt, targets[t].path, outs[o].suffix);
            expect2(&x, c->rtl, a, outs[o].opt, targets[t].needle);
            free(a);
        }
        if (outs[o].input) {
            char *a = fmt("%s %s %s", base, outs[o].opt, outs[o].input);
            expect2(&x, c->rtl, a, outs[o].opt, "input");
            free(a);
        }
    }
    /* a device that ends in .vcd, a FIFO named .vcd */
    shf("cd '%s' && ln -s full full.vcd && mkfifo fifo.vcd && ln -s ok.vcd ln.vcd", x.t);
    expect2(&x, 1, "run " M " " D " --small --energy none --waves full.vcd", "--waves", "symbolic link");
    expect2(&x, 1, "run " M " " D " --small --energy none --waves fifo.vcd", "--waves", "FIFO");
    expect2(&x, 1, "sim --vectors vec --energy none --waves ln.vcd", "--waves", "symbolic link");
    expect2(&x, 0, "saif --vcd ln.vcd -o ok.vcd", "-o", "input");
    /* the same output twice */
    expect2(&x, 0, "infer " M " " D " --json out/a --predictions out/a", "--predictions", "--json");
    expect2(&x, 0, "infer " M " " D " --json out/a --predictions out/./a", "--predictions", "--json");
    expect2(&x, 1, "run " M " " D " --small --energy none --report out/a --csv out/a", "--csv", "--report");
    expect2(&x, 1, "run " M " " D " --small --energy none --report out/a.vcd --waves out/a.vcd", "--waves",
            "--report");
    expect2(&x, 1, "sim --vectors vec --energy none --report out/a --saif out/a", "--saif", "--report");
    /* vectors -o: not a directory, or an input */
    static const char *const vdirs[] = {"full", "fifo", "link", "m.bnn", "nodir/v", "''"};
    for (size_t v = 0; v < sizeof vdirs / sizeof *vdirs; v++) {
        char *a = fmt("vectors " M " " D " --rows 64 --cols 16 --seg-rows 8 -o %s", vdirs[v]);
        expect2(&x, 0, a, NULL, NULL);
        free(a);
        a = fmt("run " M " " D " --small --energy none --vectors-out %s", vdirs[v]);
        expect2(&x, 1, a, "--vectors-out", NULL);
        free(a);
    }
    /* merge: its outputs, and reports that are no reports */
    shf("cd '%s' && cp %s/tests/data/merge/shard0.json %s/tests/data/merge/shard1.json . && printf '{' > r_cut.json && "
        "printf '\\001\\377' > r_bin.json && : > r_empty.json && echo '[1, 2]' > r_arr.json",
        x.t, tu_src_dir(), tu_src_dir());
    for (size_t t = 0; t < sizeof targets / sizeof *targets; t++) {
        if (!x.have_dev && !strcmp(targets[t].path, "full"))
            continue;
        char *a = fmt("merge shard0.json shard1.json -o %s", targets[t].path);
        expect2(&x, 0, a, "-o", targets[t].needle);
        free(a);
        a = fmt("merge shard0.json shard1.json -o out/m.json --csv %s", targets[t].path);
        expect2(&x, 0, a, "--csv", targets[t].needle);
        free(a);
    }
    expect2(&x, 0, "merge shard0.json shard1.json -o shard1.json", "-o", "input");
    expect2(&x, 0, "merge shard0.json shard1.json -o out/a --csv out/a", "--csv", "-o");
    /* layer names with a line end / a control character (JSON escapes): quoted in the message, one line */
    shf("cd '%s' && sed 's/\"name\": \"conv1\"/\"name\": \"con\\\\nv1\"/' shard1.json > r_lname.json && "
        "sed '0,/\"counters\"/s//\"kounters\"/; s/\"name\": \"conv1\"/\"name\": \"c\\\\u0001\"/' shard0.json "
        "> r_lname2.json", x.t);
    expect2(&x, 0, "merge shard0.json r_lname.json -o out/m.json", "r_lname.json: different model", "con\\x0av1");
    expect2(&x, 0, "merge r_lname2.json shard1.json -o out/m.json", "layer 'c\\x01': expected an object", "r_lname2.json:");
    static const char *const reps[] = {"r_cut.json", "r_bin.json", "r_empty.json", "r_arr.json", "nosuch.json", "dir",
                                       "m.bnn"};
    for (size_t i = 0; i < sizeof reps / sizeof *reps; i++) {
        char *a = fmt("merge shard0.json %s -o out/m.json", reps[i]);
        expect2(&x, 0, a, reps[i], NULL);
        free(a);
    }
    /* write errors are failures, the target untouched: a file size limit
     * (EFBIG, as a full disk gives ENOSPC) while the outputs are written */
    const char *lim = "trap '' XFSZ; ulimit -f 2;";
    expect2_sh(&x, 0, lim, "model random --depth 14 --width 16 --seed 1 -o out/big.bnn", "out/big.bnn", "File too large");
    expect2_sh(&x, 0, lim, "model random --depth 14 --width 16 --seed 1 -o m.bnn", "m.bnn", "File too large");
    expect2_sh(&x, 0, "trap '' XFSZ; ulimit -f 1;", "infer " M " " D " --json out/j.json", "out/j.json", "File too large");
    expect2_sh(&x, 0, "trap '' XFSZ; ulimit -f 1;", "infer " M " " D " --json keep.json", "keep.json",
               "File too large");
    expect2_sh(&x, 0, "trap '' XFSZ; ulimit -f 0;", "saif --vcd ok.vcd -o out/x.saif", "out/x.saif", "File too large");
    expect2_sh(&x, 1, lim, "run " M " " D " --small --report out/r.json", "out/r.json", "File too large");
    expect2_sh(&x, 1, lim, "run " M " " D " --small --csv out/r.csv", "out/r.csv", "File too large");
    expect2_sh(&x, 1, lim, "sim --vectors vec --report out/r.json", "out/r.json", "File too large");
    /* a write error on the waveform (a full disk deadlocked Verilator's trace
     * flush): the run fails naming the file, the incomplete file removed */
    expect2_sh(&x, 1, "trap '' XFSZ; ulimit -f 64;", "run " M " " D " --small --energy none --waves out/w.vcd --window 0:100000",
               "out/w.vcd", "cannot write the waveform");
    expect2_sh(&x, 1, "trap '' XFSZ; ulimit -f 64;", "run " M " " D " --small --energy none --saif out/w.saif --window 0:100000",
               "--saif", "out/w.saif");
    expect2_sh(&x, 1, "trap '' XFSZ; ulimit -f 64;", "sim --vectors vec --energy none --waves out/w.vcd --window 0:100000",
               "out/w.vcd", "cannot write the waveform");
    /* a typo in --report's directory is found before the run, not after */
    expect2(&x, 1, "run " M " " D " --small --csv out/c.csv --report nodir/r.json", "--report", "nodir");
    expect2(&x, 1, "run " M " " D " --small --csv out/c.csv --saif full", "--saif", NULL);
    expect2(&x, 1, "sim --vectors vec --csv out/c.csv --report nodir/r.json", "--report", "nodir");
    expect2(&x, 1, "run " M " " D " --small --systemc --geometry 100x16x8", "SystemC", "100x16x8");
    report(&x, "outputs");
    drop_fixture(&x);
}

/* ------------------------------------------------------------ files ---- */

Test(bad_input, model_and_data_files, .timeout = 600)
{
    fx x;
    make_fixture(&x);
    static const char *const models[] = {
        "cut0.bnn", "cut1.bnn", "cut2.bnn", "cut3.bnn", "cut4.bnn", "cut5.bnn", "cut6.bnn", "cut7.bnn",
        "cut8.bnn", "cut9.bnn", "cut10.bnn", "cut11.bnn", "cut12.bnn", "cut13.bnn", "cut14.bnn", "cut15.bnn",
        "cut16.bnn", "magic.bnn", "crc.bnn", "trail.bnn", "version.bnn", "inc0.bnn", "inc9999.bnn", "inh0.bnn",
        "bits0.bnn", "bits9.bnn", "resv.bnn", "cls0.bnn", "nl0.bnn", "nl9999.bnn", "type9.bnn", "l0inc.bnn",
        "l0k0.bnn", "l0stride.bnn", "huge.bnn", "bits4.bnn", "dwg0.bnn", "dwg3.bnn", "dwg5.bnn", "dwconv1g.bnn",
        "dwv1.bnn", "dwv3.bnn", "dwcut.bnn",
    };
    static const char *const users[] = {"infer --data idx:img,lab --model %s",
                                        "vectors --data idx:img,lab -o out/v --model %s", "model info %s",
                                        "run --data idx:img,lab --small --energy none --model %s"};
    for (size_t u = 0; u < 4; u++)
        for (size_t i = 0; i < sizeof models / sizeof *models; i++) {
            char *a = fmt(users[u], models[i]);
            expect2(&x, u == 3, a, models[i], "byte ");
            free(a);
        }
    /* with random data nothing but the model's own limit stands between it and 8 GiB */
    expect2(&x, 0, "vectors --data random -o out/v --model huge.bnn", "huge.bnn", "limit");
    expect2(&x, 1, "run --data random --small --energy none --model huge.bnn", "huge.bnn", "limit");
    for (size_t u = 0; u < 4; u++) {
        char *a = fmt(users[u], "nosuch.bnn");
        expect2(&x, u == 3, a, "nosuch.bnn", NULL);
        free(a);
        a = fmt(users[u], "dir");
        expect2(&x, u == 3, a, "dir", NULL);
        free(a);
        if (u != 2) {   /* a 4-bit model, 8-bit data: both named */
            a = fmt(users[u], "m4.bnn");
            expect2(&x, u == 3, a, "m4.bnn", "idx:img,lab");
            free(a);
        }
    }
    /* data files: the spec, the file and the offset */
    static const struct {
        const char *spec, *n1, *n2;
    } data[] = {
        {"idx:i_empty,lab", "i_empty", "byte 0"}, {"idx:i_short,lab", "i_short", "byte"},
        {"idx:i_hdr,lab", "i_hdr", "byte"}, {"idx:i_cut,lab", "i_cut", "truncated"},
        {"idx:i_extra,lab", "i_extra", "after the data"}, {"idx:i_extra.gz,lab", "i_extra.gz", "after the data"},
        {"idx:i_type,lab", "i_type", "byte 0"}, {"idx:i_nd,lab", "i_nd", "byte 3"},
        {"idx:i_dim0,lab", "i_dim0", "byte 8"}, {"idx:i_huge,lab", "i_huge", "limit"},
        {"idx:i_huge.gz,lab", "i_huge.gz", "limit"}, {"idx:i_tall,lab", "i_tall", "byte 8"},
        {"idx:i_bomb.gz,lab", "i_bomb.gz", "after the data"}, {"idx:i_gzcut.gz,lab", "i_gzcut.gz", "byte"},
        {"idx:i_gztail.gz,lab", "i_gztail.gz", "byte"}, {"idx:img,l_count", "l_count", "labels"},
        {"idx:img,l_class", "l_class", "m.bnn"}, {"idx:img,l_200", "l_200", "byte 11"},
        {"idx:img,i_empty", "i_empty", "byte"}, {"idx:img,img", "img", "dimensions"},
        {"idx:nosuch,lab", "nosuch", "cannot open"}, {"idx:img,nosuch", "nosuch", "cannot open"},
        {"idx:dir,lab", "dir", NULL}, {"idx:img", "idx:img", NULL}, {"idx:", "idx:", NULL},
        {"idx:,lab", "idx:,lab", NULL}, {"cifar10:c_size.bin", "c_size.bin", "byte"},
        {"cifar10:c_label.bin", "c_label.bin", "byte 3073"}, {"cifar10:c_empty.bin", "c_empty.bin", "byte 0"},
        {"cifar10:", "cifar10:", NULL}, {"fashion-mnist:valid", "fashion-mnist:valid", NULL},
        {"nosuch:x", "nosuch:x", NULL}, {"random:abc", "random:SEED", NULL}, {"random:-1", "random:SEED", NULL},
        {"cifar10:ok.vcd", "ok.vcd", "byte"},
    };
    for (size_t d = 0; d < sizeof data / sizeof *data; d++) {
        int rnd = !strncmp(data[d].spec, "random", 6);
        char *a;
        if (!rnd) {   /* infer takes no random data */
            a = fmt("infer --model m.bnn --data %s", data[d].spec);
            expect2(&x, 0, a, data[d].n1, data[d].n2);
            free(a);
        }
        a = fmt("vectors --model m.bnn -o out/v --rows 64 --cols 16 --seg-rows 8 --data %s", data[d].spec);
        expect2(&x, 0, a, data[d].n1, data[d].n2);
        free(a);
        a = fmt("run --model m.bnn --small --energy none --data %s", data[d].spec);
        expect2(&x, 1, a, data[d].n1, data[d].n2);
        free(a);
    }
    /* run --remap with bad calibration data */
    expect2(&x, 1, "run " M " " D " --small --energy none --remap idx:i_cut,lab", "--remap", "i_cut");
    expect2(&x, 1, "run " M " " D " --small --energy none --remap idx:img,lab --remap-count 30", "--remap-count",
            "idx:img,lab");
    report(&x, "model and data files");
    drop_fixture(&x);
}

Test(bad_input, vcd_files, .timeout = 600)
{
    fx x;
    make_fixture(&x);
    const char *hdr = "$timescale 1ns $end\n$scope module t $end\n$var wire 1 ! a $end\n$upscope $end\n"
                      "$enddefinitions $end\n";
    char *big = NULL;
    static const struct {
        const char *name, *text, *needle;
    } vcds[] = {
        {"v_empty.vcd", "", "header"},
        {"v_nodef.vcd", "$scope module t $end\n$var wire 1 ! a $end\n$upscope $end\n", "header"},
        {"v_w0.vcd", "$scope module t $end\n$var wire 0 ! a $end\n", ":2:"},
        {"v_wbig.vcd", "$scope module t $end\n$var wire 65537 ! a $end\n", ":2:"},
        {"v_w24.vcd", "$scope module t $end\n$var wire 16777216 ! a $end\n", ":2:"},
        {"v_wx.vcd", "$scope module t $end\n$var wire 1x ! a $end\n", ":2:"},
        {"v_whex.vcd", "$scope module t $end\n$var wire 0x4 ! a $end\n", ":2:"},
        {"v_r1.vcd", "$scope module t $end\n$var wire 1 ! a [2147483647:-1] $end\n", ":2:"},
        {"v_r2.vcd", "$scope module t $end\n$var wire 1 ! a [-2147483648:2147483647] $end\n", ":2:"},
        {"v_r3.vcd", "$scope module t $end\n$var wire 1 ! a [99999999999:99999999999] $end\n", ":2:"},
        {"v_r4.vcd", "$scope module t $end\n$var wire 2 ! a [3:0] $end\n", ":2:"},
        {"v_r5.vcd", "$scope module t $end\n$var wire 2 ! a [1:0 $end\n", ":2:"},
        {"v_r6.vcd", "$scope module t $end\n$var wire 2 ! a [+1:0] $end\n", ":2:"},
        {"v_ts.vcd", "$timescale fast $end\n", ":1:"},
        {"v_tsend.vcd", "$timescale 1ns\n", "$timescale"},
        {"v_scope.vcd", "$scope module\n", "$scope"},
        {"v_up.vcd", "$upscope $end\n", ":1:"},
        {"v_out.vcd", "$var wire 1 ! a $end\n", ":1:"},
        {"v_kw.vcd", "hello\n", ":1:"},
        {"v_open.vcd", "$scope module t $end\n$var wire 1 ! a $end\n$enddefinitions $end\n", ":3:"},
        {"v_novar.vcd", "$scope module t $end\n$upscope $end\n$enddefinitions $end\n", ":3:"},
        {"v_comm.vcd", "$comment never closed\n", "$comment"},
        {"v_dup.vcd", "$scope module t $end\n$var wire 1 ! a $end\n$var wire 2 ! b $end\n", ":3:"},
    };
    for (size_t i = 0; i < sizeof vcds / sizeof *vcds; i++)
        put_text(&x, vcds[i].name, vcds[i].text);
    static const struct {
        const char *name, *body, *needle;
    } chg[] = {
        {"c_undecl.vcd", "#0\n1?\n", ":7:"}, {"c_before.vcd", "1!\n", ":6:"},
        {"c_back.vcd", "#5\n1!\n#3\n", ":8:"}, {"c_neg.vcd", "#-1\n", ":6:"},
        {"c_tsbig.vcd", "#0\n#99999999999999999999\n", ":7:"}, {"c_ts62.vcd", "#0\n#4611686018427387905\n", ":7:"},
        {"c_tshex.vcd", "#0x10\n", ":6:"}, {"c_tsplus.vcd", "#+5\n", ":6:"}, {"c_digit.vcd", "#0\nb12 !\n", ":7:"},
        {"c_wide.vcd", "#0\nb101 !\n", ":7:"}, {"c_noid.vcd", "#0\nb1\n", ":7:"}, {"c_scal.vcd", "#0\n1\n", ":7:"},
        {"c_junk.vcd", "#0\nhello\n", ":7:"}, {"c_cut.vcd", "#0\n1!\n#1", "ends inside"},
        {"c_cut2.vcd", "#0\n1!\n#10\n0", "ends inside"}, {"c_cmt.vcd", "#0\n$comment cut\n", "$comment"},
        {"c_nots.vcd", "", "no timestamp"}, {"c_empty.vcd", "#0\n1!\n", "empty"},
    };
    for (size_t i = 0; i < sizeof chg / sizeof *chg; i++) {
        char *t = fmt("%s%s", hdr, chg[i].body);
        put_text(&x, chg[i].name, t);
        free(t);
    }
    /* binary, overlong tokens and lines, too many bits, too much extension */
    put_file(&x, "b_nul.vcd", "$scope module t $end\n$var wire 1 ! a\0 $end\n", 43);
    {
        char *t = fmt("%s#0\n1!\n#1\n0!\x01\n", hdr);
        put_text(&x, "b_ctl.vcd", t);
        free(t);
    }
    big = malloc(200000);
    memset(big, 'a', 199999);
    big[199999] = 0;
    memcpy(big, "$scope module ", 14);
    put_text(&x, "b_tok.vcd", big);
    {
        char *t = fmt("$scope module t $end\n$var wire 65536 ! a $end\n$upscope $end\n$enddefinitions $end\n#0\nb%s !\n",
                      big);
        put_text(&x, "b_line.vcd", t);
        free(t);
    }
    {   /* 33 variables of 65536 bits: more than 2^21 net bits */
        sbuf b = {0};
        sadd(&b, "$scope module t $end\n");
        for (int i = 0; i < 33; i++) {
            char l[80];
            snprintf(l, sizeof l, "$var wire 65536 v%d a%d $end\n", i, i);
            sadd(&b, l);
        }
        sadd(&b, "$upscope $end\n$enddefinitions $end\n#0\n");
        put_text(&x, "b_bits.vcd", b.s);
        free(b.s);
    }
    {   /* one 65536-bit variable and 32 aliases of it: 33 x 65536 nets in the SAIF, more than 2^21 */
        sbuf b = {0};
        sadd(&b, "$scope module t $end\n");
        for (int i = 0; i < 33; i++) {
            char l[80];
            snprintf(l, sizeof l, "$var wire 65536 ! a%d $end\n", i);
            sadd(&b, l);
        }
        sadd(&b, "$upscope $end\n$enddefinitions $end\n#0\nb0 !\n#1\n");
        put_text(&x, "b_alias.vcd", b.s);
        free(b.s);
    }
    {   /* scopes nested 1025 deep */
        sbuf b = {0};
        for (int i = 0; i < 1025; i++)
            sadd(&b, "$scope module m $end\n");
        sadd(&b, "$var wire 1 ! a $end\n");
        for (int i = 0; i < 1025; i++)
            sadd(&b, "$upscope $end\n");
        sadd(&b, "$enddefinitions $end\n#0\n1!\n#1\n");
        put_text(&x, "b_deep.vcd", b.s);
        free(b.s);
    }
    {   /* one 65536-bit variable set 5000 times by a 1-bit value: 2^28 bits of extension exceeded */
        sbuf b = {0};
        sadd(&b, "$scope module t $end\n$var wire 65536 ! a $end\n$upscope $end\n$enddefinitions $end\n");
        for (int i = 0; i < 5000; i++) {
            char l[40];
            snprintf(l, sizeof l, "#%d\nb%d !\n", i, i & 1);
            sadd(&b, l);
        }
        put_text(&x, "b_fill.vcd", b.s);
        free(b.s);
    }
    free(big);
    for (size_t i = 0; i < sizeof vcds / sizeof *vcds; i++) {
        char *a = fmt("saif -o out/x.saif --vcd %s", vcds[i].name);
        expect2(&x, 0, a, vcds[i].name, vcds[i].needle);
        free(a);
    }
    for (size_t i = 0; i < sizeof chg / sizeof *chg; i++) {
        char *a = fmt("saif -o out/x.saif --vcd %s", chg[i].name);
        expect2(&x, 0, a, chg[i].name, chg[i].needle);
        free(a);
    }
    static const struct {
        const char *name, *needle;
    } bins[] = {{"b_nul.vcd", "0x00"}, {"b_ctl.vcd", "0x01"}, {"b_tok.vcd", "token"}, {"b_line.vcd", "line"},
                {"b_bits.vcd", "limit"}, {"b_alias.vcd", ":34:"}, {"b_deep.vcd", ":1025:"}, {"b_fill.vcd", "limit"}, {"/dev/zero", "0x00"}, {"dir", "directory"},
                {"nosuch.vcd", "nosuch.vcd"}, {"m.bnn", "m.bnn"}};
    for (size_t i = 0; i < sizeof bins / sizeof *bins; i++) {
        char *a = fmt("saif -o out/x.saif --vcd %s", bins[i].name);
        expect2(&x, 0, a, bins[i].name, bins[i].needle);
        free(a);
    }
    expect2(&x, 0, "saif -o out/x.saif --vcd ok.vcd --start 7 --end 7", "window", NULL);
    expect2(&x, 0, "saif -o out/x.saif --vcd ok.vcd --start 50", "empty", NULL);
    report(&x, "VCD files");
    drop_fixture(&x);
}

/* golden-vector manifests and job files, energy profiles: through sim / run */
Test(bad_input, vector_and_profile_files, .timeout = 600)
{
    fx x;
    make_fixture(&x);
    static const struct {
        const char *name, *sed, *needle;
    } man[] = {
        {"m_geom2", "3a geometry 64 16 8", "second 'geometry'"},
        {"m_geomhuge", "s/^geometry .*/geometry 99999999999999999999 16 8/", "ROWS"},
        {"m_geomhex", "s/^geometry .*/geometry 0x40 16 8/", "ROWS"},
        {"m_geom100", "s/^geometry .*/geometry 100 16 8/", "multiple of 64"},
        {"m_nogeom", "/^geometry/d", "geometry"},
        {"m_layer", "0,/^job/s/^job \\([^ ]*\\) \\([^ ]*\\) [^ ]* /job \\1 \\2 2147483647 /", "LAYER"},
        {"m_layerneg", "0,/^job/s/^job \\([^ ]*\\) \\([^ ]*\\) [^ ]* /job \\1 \\2 -1 /", "LAYER"},
        {"m_image", "0,/^job/s/^job \\([^ ]*\\) [^ ]* /job \\1 99999999999 /", "IMAGE"},
        {"m_fields", "0,/^job/s/$/ extra/", "expected 'geometry"},
        {"m_slash", "0,/^job/s/^job /job ..\\//", "FILE"},
        {"m_kw", "3a frob 1 2 3", "frob"},
        {"m_noend", "/^end/d", "end"},
        {"m_endcnt", "s/^end .*/end 1 1 1/", "'end' counts"},
        {"m_after", "$a job x 0 0 0 0 0 1 1 1 1 1 x", "after the 'end'"},
        {"m_longline", "3a image 0 0 0 000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", "longer"},
        {"m_spaces", "s/^geometry 64/geometry  64/", "ROWS"},
    };
    for (size_t i = 0; i < sizeof man / sizeof *man; i++)
        shf("cd '%s' && mkdir %s && sed -e '%s' vec/manifest.txt > %s/manifest.txt", x.t, man[i].name, man[i].sed,
               man[i].name);
    shf("cd '%s' && mkdir m_bin && (head -n 3 vec/manifest.txt; printf '\\001\\002\\377\\n'; tail -n +4 "
           "vec/manifest.txt) > m_bin/manifest.txt && (printf '\\001\\377 = 1\\n'; cat energy.txt) > e_bin.txt",
           x.t);
    expect2(&x, 1, "sim --energy none --vectors m_bin", "m_bin", "\\x01\\x02\\xff");
    expect2(&x, 1, "run " M " " D " --small --energy e_bin.txt", "e_bin.txt", "\\x01\\xff");
    expect2(&x, 1, "sim --vectors vec --energy e_bin.txt", "e_bin.txt", "\\x01\\xff");
    for (size_t i = 0; i < sizeof man / sizeof *man; i++) {
        char *a = fmt("sim --energy none --vectors %s", man[i].name);
        expect2(&x, 1, a, man[i].name, man[i].needle);
        free(a);
    }
    /* a legal long comment line is accepted: the case must not fail because of it
     * (checked with a bad line after it, so the error is that line's) */
    shf("cd '%s' && mkdir m_comment && (echo '# %0600d'; sed -e '3a frob' vec/manifest.txt) > "
           "m_comment/manifest.txt",
           x.t, 0);
    expect2(&x, 1, "sim --energy none --vectors m_comment", "line 5", "frob");
    expect2(&x, 1, "sim --energy none --vectors dir", "manifest", NULL);
    expect2(&x, 1, "sim --energy none --vectors nosuch", "nosuch", NULL);
    expect2(&x, 1, "sim --energy none --vectors m.bnn", "m.bnn", NULL);
    /* job files: the first job of a copy of the set corrupted */
    static const struct {
        const char *name, *cmd, *needle;
    } jobs[] = {
        {"j_hex", "sed -i '3s/.*/zzzzzzzzzzzzzzzz/' \"$f\"", "line 3"},
        {"j_bin", "sed -i '3s/.*/\\x01\\x02\\xfe/' \"$f\"", "\\x01"},
        {"j_short", "sed -i '3s/.*/0123/' \"$f\"", "line 3"},
        {"j_crc", "sed -i '3s/^./f/' \"$f\"", "CRC"},
        {"j_cut", "sed -i '$d' \"$f\"", "CRC"},
        {"j_empty", ": > \"$f\"", "words"},
        {"j_gone", "rm \"$f\"", "cannot open"},
    };
    for (size_t i = 0; i < sizeof jobs / sizeof *jobs; i++) {
        shf("cd '%s' && cp -r vec %s && f=%s/$(awk '$1==\"job\"{print $2; exit}' vec/manifest.txt) && %s", x.t,
               jobs[i].name, jobs[i].name, jobs[i].cmd);
        char *a = fmt("sim --energy none --vectors %s", jobs[i].name);
        expect2(&x, 1, a, jobs[i].name, jobs[i].needle);
        free(a);
    }
    /* energy profiles */
    static const struct {
        const char *name, *sed, *needle;
    } prof[] = {
        {"e_hex.txt", "s/^vdd_v *=.*/vdd_v = 0x1p0/", "vdd_v"},
        {"e_inf.txt", "s/^vdd_v *=.*/vdd_v = inf/", "vdd_v"},
        {"e_nan.txt", "s/^vdd_v *=.*/vdd_v = nan/", "vdd_v"},
        {"e_big.txt", "s/^vdd_v *=.*/vdd_v = 1e999/", "vdd_v"},
        {"e_comma.txt", "s/^vdd_v *=.*/vdd_v = 1,0/", "vdd_v"},
        {"e_range.txt", "s/^vdd_v *=.*/vdd_v = 9/", "vdd_v"},
        {"e_unknown.txt", "1i frob = 1", "frob"},
        {"e_missing.txt", "/^vdd_v/d", "vdd_v"},
        {"e_dup.txt", "/^vdd_v/p", "vdd_v"},
        {"e_noeq.txt", "1i vdd_v 1.0", "key = value"},
        {"e_int.txt", "s/^local_eval_style *=.*/local_eval_style = 0.5/", "local_eval_style"},
    };
    for (size_t i = 0; i < sizeof prof / sizeof *prof; i++)
        shf("cd '%s' && sed -e '%s' energy.txt > %s", x.t, prof[i].sed, prof[i].name);
    put_file(&x, "e_nul.txt", "vdd_v = 1\0\n", 11);
    for (size_t i = 0; i < sizeof prof / sizeof *prof; i++) {
        char *a = fmt("run " M " " D " --small --energy %s", prof[i].name);
        expect2(&x, 1, a, prof[i].name, prof[i].needle);
        free(a);
        a = fmt("sim --vectors vec --energy %s", prof[i].name);
        expect2(&x, 1, a, prof[i].name, prof[i].needle);
        free(a);
    }
    static const char *const pfiles[] = {"e_nul.txt", "nosuch.txt", "dir", "/dev/null"};
    for (size_t i = 0; i < sizeof pfiles / sizeof *pfiles; i++) {
        char *a = fmt("run " M " " D " --small --energy %s", pfiles[i]);
        expect2(&x, 1, a, pfiles[i], "--energy");
        free(a);
    }
    report(&x, "vector and profile files");
    drop_fixture(&x);
}

/* vectors -o over an existing set, failing half-way (a job file's name is
 * taken by a directory): the old manifest is gone before any file is
 * replaced, no new one is written, and sim refuses the directory */
Test(bad_input, interrupted_vectors_leave_no_manifest, .timeout = 300)
{
    fx x;
    make_fixture(&x);
    char cmd[2000], out[4096];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && cp -r vec v2 && last=$(awk '$1==\"job\"{f=$2} END{print f}' v2/manifest.txt) && "
             "rm v2/$last && mkdir v2/$last && echo $last",
             x.t);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    out[strcspn(out, "\n")] = 0;
    char last[256];
    snprintf(last, sizeof last, "%.200s", out);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && %s vectors --model m.bnn --data idx:img,lab --count 1 --rows 64 --cols 16 --seg-rows 8 "
             "-o v2 2>&1 >/dev/null",
             x.t, x.bin);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, last) && strstr(out, "directory"), "%s", out);
    char p[700];
    snprintf(p, sizeof p, "%s/v2/manifest.txt", x.t);
    cr_assert_neq(access(p, F_OK), 0, "an interrupted vectors run left %s", p);
    if (x.rtl) {
        snprintf(cmd, sizeof cmd, "cd '%s' && %s sim --energy none --vectors v2 2>&1 >/dev/null", x.t, x.bin);
        cr_assert_eq(tu_run(cmd, out, sizeof out), 2, "%s", out);
        cr_assert(strstr(out, "no manifest.txt") && strstr(out, "v2"), "%s", out);
    }
    /* a write error (a file size limit) part way: exit 2, no manifest */
    snprintf(cmd, sizeof cmd,
             "cd '%s' && trap '' XFSZ && ulimit -f 8 && %s vectors --model m.bnn --data idx:img,lab --count 1 "
             "--rows 64 --cols 16 --seg-rows 8 -o vec 2>&1 >/dev/null",
             x.t, x.bin);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "vec/") && strstr(out, "File too large"), "%s", out);
    snprintf(p, sizeof p, "%s/vec/manifest.txt", x.t);
    cr_assert_neq(access(p, F_OK), 0, "a failed vectors run left %s", p);
    drop_fixture(&x);
}

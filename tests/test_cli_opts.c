/*
 * test_cli_opts.c - the one option convention of every `sparsecim`
 * subcommand (csrc/cli/cli_util.h, cli_next over getopt_long), on the real
 * binary:
 *   - `--opt=value` and `--opt value` are the same option: the same report
 *     (JSON, CSV, model, vectors, SAIF) from both spellings and from
 *     unambiguous prefixes (--cou for --count), for infer, vectors, model
 *     random, saif, merge and (with the RTL) run and sim;
 *   - an exact name beats a longer one it is the prefix of (--depth, not
 *     --depthwise);
 *   - refused with exit status 2 and exactly the one line of the convention:
 *     an ambiguous prefix naming every candidate, an unknown option (long
 *     and short), a missing value, a value given to a flag, an argument to a
 *     command that takes none, a bad value (the table's text);
 *   - `--` ends the options: what follows is an argument even if it starts
 *     with '-' (model info, merge), refused by a command that takes none.
 * The run and sim cases are skipped (and say so) when the binary has no RTL.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test_util.h"

typedef struct fx {
    char t[300];    /* the fixture directory: model, data, VCD; the outputs */
    char bin[600];  /* the sparsecim binary */
    int rtl;        /* it has run and sim */
} fx;

static char out[1 << 16];

/* Runs `cd T && sparsecim ARGS 2>&1` (ARGS formatted); stdout and stderr into out. The exit status. */
static int sc(const fx *x, const char *fmt, ...)
{
    char args[2000], cmd[3000];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    cr_assert(n > 0 && (size_t)n < sizeof args);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s 2>&1", x->t, x->bin, args);
    return tu_run(cmd, out, sizeof out);
}

#define OK(x, ...)                                                                  \
    do {                                                                            \
        int rc_ = sc(x, __VA_ARGS__);                                               \
        cr_assert_eq(rc_, 0, "exit status %d (0 expected): %s", rc_, out);          \
    } while (0)

/* sparsecim ARGS must fail with exit status 2 and exactly the line `want`. */
static void refused(const fx *x, const char *args, const char *want)
{
    int rc = sc(x, "%s", args);
    cr_expect_eq(rc, 2, "sparsecim %s: exit status %d (2 expected): %s", args, rc, out);
    char line[1200];
    snprintf(line, sizeof line, "%s\n", want);
    cr_expect_str_eq(out, line, "sparsecim %s: not the one line '%s': %s", args, want, out);
}

static void put_file(const fx *x, const char *name, const void *b, size_t n)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", x->t, name);
    cr_assert_eq(tu_write_file(p, b, n), 0, "%s", p);
}

/* An IDX file of nd dimensions (unsigned bytes), values i * 37 mod `mod`. */
static void put_idx(const fx *x, const char *name, int nd, const uint32_t *dims, int mod)
{
    size_t n = 1;
    for (int i = 0; i < nd; i++)
        n *= dims[i];
    uint8_t *b = calloc(1, 4 + 4 * (size_t)nd + n);
    cr_assert_not_null(b);
    b[2] = 8;
    b[3] = (uint8_t)nd;
    for (int i = 0; i < nd; i++)
        for (int k = 0; k < 4; k++)
            b[4 + 4 * i + k] = (uint8_t)(dims[i] >> (24 - 8 * k));
    for (size_t i = 0; i < n; i++)
        b[4 + 4 * nd + i] = (uint8_t)((i * 37) % (size_t)mod);
    put_file(x, name, b, 4 + 4 * (size_t)nd + n);
    free(b);
}

/* The fixture: m.bnn (8x8x1, depth 8, width 4, SE), 20 images idx:img,lab, ok.vcd. */
static void make_fixture(fx *x)
{
    memset(x, 0, sizeof *x);
    tu_tmp_path(x->t, sizeof x->t, "opts");
    remove(x->t);
    cr_assert_eq(mkdir(x->t, 0777), 0, "%s", x->t);
    snprintf(x->bin, sizeof x->bin, "%s/sparsecim", tu_bin_dir());
    OK(x, "--help");
    x->rtl = strstr(out, "\n  run ") != NULL;
    OK(x, "model random --depth 8 --width 4 --se --input 8x8x1 --seed 5 -o m.bnn");
    uint32_t di[3] = {20, 8, 8}, dl[1] = {20};
    put_idx(x, "img", 3, di, 256);
    put_idx(x, "lab", 1, dl, 10);
    static const char vcd[] = "$timescale 1ns $end\n$scope module t $end\n$var wire 1 ! a $end\n"
                              "$var wire 4 \" b [3:0] $end\n$upscope $end\n$enddefinitions $end\n#0\n0!\nb0000 \"\n"
                              "#5\n1!\nb1010 \"\n#10\n0!\n";
    put_file(x, "ok.vcd", vcd, strlen(vcd));
}

static void drop_fixture(const fx *x)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", x->t);
    cr_assert_eq(tu_run(cmd, NULL, 0), 0);
}

/* Files (or directories) a and b of the fixture are equal byte for byte. */
static void same_bytes(const fx *x, const char *a, const char *b)
{
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "cd '%s' && diff -r %s %s 2>&1", x->t, a, b);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s and %s differ: %s", a, b, out);
}

/* Reports a and b of the fixture are equal but for wall_seconds (tu_same_report). */
static void same_report(const fx *x, const char *a, const char *b)
{
    char pa[700], pb[700], msg[1024];
    snprintf(pa, sizeof pa, "%s/%s", x->t, a);
    snprintf(pb, sizeof pb, "%s/%s", x->t, b);
    cr_assert_eq(tu_same_report(pa, pb, msg, sizeof msg), 0, "%s", msg);
}

#define D "--data idx:img,lab"

Test(cli_opts, equals_sign_and_prefixes_give_the_same_results, .timeout = 300)
{
    fx x;
    make_fixture(&x);
    /* infer: the JSON and the predictions */
    OK(&x, "infer --model m.bnn " D " --count 5 --offset 2 --impl naive --seg-rows 8 --json a.json --predictions a.txt");
    OK(&x, "infer --model=m.bnn --data=idx:img,lab --count=5 --offset=2 --impl=naive --seg-rows=8 --json=b.json "
           "--predictions=b.txt");
    OK(&x, "infer --mod m.bnn --da=idx:img,lab --cou 5 --of=2 --im naive --se=8 --j c.json --p=c.txt");
    same_report(&x, "a.json", "b.json");
    same_report(&x, "a.json", "c.json");
    same_bytes(&x, "a.txt", "b.txt");
    same_bytes(&x, "a.txt", "c.txt");
    /* vectors: every file of the set */
    OK(&x, "vectors --model m.bnn " D " --count 2 --offset 1 --rows 64 --cols 16 --seg-rows 8 --layout tap -o va --quiet");
    OK(&x, "vectors --model=m.bnn --data=idx:img,lab --count=2 --offset=1 --rows=64 --cols=16 --seg-rows=8 "
           "--layout=tap -ovb --quiet");
    OK(&x, "vectors --mo m.bnn --d idx:img,lab --cou=2 --of 1 --r=64 --col 16 --s=8 --l tap -o vc --q");
    same_bytes(&x, "va/manifest.txt", "vb/manifest.txt");
    same_bytes(&x, "va", "vb");
    same_bytes(&x, "va", "vc");
    /* model random: the same file; --depth is exact although it is a prefix of --depthwise */
    OK(&x, "model random --depth 14 --width 8 --se --groups 2 --input 8x8x1 --classes 7 --seed 9 -o ma.bnn");
    OK(&x, "model random --depth=14 --width=8 --se --groups=2 --input=8x8x1 --classes=7 --seed=9 --output=mb.bnn");
    OK(&x, "model random --depth 14 --wi=8 --se --gr 2 --in=8x8x1 --cl 7 --see=9 --out mc.bnn");
    same_bytes(&x, "ma.bnn", "mb.bnn");
    same_bytes(&x, "ma.bnn", "mc.bnn");
    OK(&x, "model info ma.bnn");
    cr_assert(strstr(out, " g2 "), "--groups 2 not taken: %s", out);
    /* saif */
    OK(&x, "saif --vcd ok.vcd -o a.saif --start 1 --end 9 --design t");
    OK(&x, "saif --vcd=ok.vcd -ob.saif --start=1 --end=9 --design=t");
    OK(&x, "saif --v ok.vcd -o c.saif --st=1 --e 9 --de=t");
    same_bytes(&x, "a.saif", "b.saif");
    same_bytes(&x, "a.saif", "c.saif");
    /* merge (in the source tree: the shard reports name their profile by a relative path) */
    char cmd[4000];
    const char *sh = "tests/data/merge/shard";
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' merge %s0.json %s1.json %s2.json -o '%s/a.mj' --csv '%s/a.csv' 2>&1 && "
             "'%s' merge --out='%s/b.mj' %s0.json --cs='%s/b.csv' --qu -- %s1.json %s2.json 2>&1",
             tu_src_dir(), x.bin, sh, sh, sh, x.t, x.t, x.bin, x.t, sh, x.t, sh, sh);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    same_report(&x, "a.mj", "b.mj");
    same_bytes(&x, "a.csv", "b.csv");
    if (!x.rtl) {
        printf("cli_opts: no RTL in this build: run and sim skipped\n");
        drop_fixture(&x);
        return;
    }
    /* run: the common options of run and sim too */
    OK(&x, "run --model m.bnn --data random:3 --count 3 --offset 1 --small --gate c2 --unit 2 --layout aligned "
           "--skip-channels --max-mismatch 4 --report ra.json --csv ra.csv --quiet");
    OK(&x, "run --model=m.bnn --data=random:3 --count=3 --offset=1 --geometry=64x16x8 --gate=c2 --unit=2 "
           "--layout=aligned --skip-channels --max-mismatch=4 --report=rb.json --csv=rb.csv --quiet");
    OK(&x, "run --mod m.bnn --da random:3 --cou=3 --of 1 --sm --ga=c2 --un 2 --la=aligned --sk --max 4 "
           "--rep rc.json --cs=rc.csv --q");
    same_report(&x, "ra.json", "rb.json");
    same_report(&x, "ra.json", "rc.json");
    same_bytes(&x, "ra.csv", "rb.csv");
    same_bytes(&x, "ra.csv", "rc.csv");
    /* sim of the vectors above */
    OK(&x, "sim --vectors va --gate c1 --unit 4 --jobs 2 --report sa.json --quiet");
    OK(&x, "sim --vectors=va --gate=c1 --unit=4 --jobs=2 --report=sb.json --quiet");
    OK(&x, "sim --v va --gat c1 --u=4 --j 2 --re=sc.json --qu");
    same_report(&x, "sa.json", "sb.json");
    same_report(&x, "sa.json", "sc.json");
    drop_fixture(&x);
}

Test(cli_opts, refusals_are_one_line_of_the_convention, .timeout = 120)
{
    fx x;
    make_fixture(&x);
    static const struct {
        int rtl;
        const char *args, *want;
    } bad[] = {
        /* ambiguous prefixes name every candidate, in the tables' order */
        {0, "vectors --c 3", "sparsecim vectors: option '--c' is ambiguous: --count, --cols"},
        {0, "model random --de=8", "sparsecim model random: option '--de' is ambiguous: --depth, --depthwise"},
        {0, "model random --seed 1 -o m2.bnn --d 8", "sparsecim model random: option '--d' is ambiguous: --depth, --depthwise"},
        {1, "run --model m.bnn --data random --re x",
         "sparsecim run: option '--re' is ambiguous: --remap, --remap-count, --remap-offset, --report"},
        {1, "sim --vectors va --w 1:2", "sparsecim sim: option '--w' is ambiguous: --waves, --window"},
        /* unknown options, long and short */
        {0, "infer --model m.bnn " D " --frob", "sparsecim infer: unknown option '--frob' (see --help)"},
        {0, "infer --model m.bnn " D " --frob=1", "sparsecim infer: unknown option '--frob' (see --help)"},
        {0, "merge -x", "sparsecim merge: unknown option '-x' (see --help)"},
        {0, "model info -m.bnn", "sparsecim model info: unknown option '-m' (see --help)"},
        {0, "--frob", "sparsecim: unknown option '--frob' (see --help)"},
        {1, "run --model m.bnn --data random --countx 2", "sparsecim run: unknown option '--countx' (see --help)"},
        /* a missing value, a value to a flag */
        {0, "model random --depth 8 -o m2.bnn --seed", "sparsecim model random: option --seed needs a value"},
        {0, "model random --depth 8 --seed 1 --out", "sparsecim model random: option --output needs a value"},
        {0, "saif --vcd ok.vcd -o", "sparsecim saif: option -o needs a value"},
        {0, "bench --sec", "sparsecim bench: option --seconds needs a value"},
        {0, "merge x.json -o y.json --qu=1", "sparsecim merge: option --quiet takes no value"},
        {1, "run --model m.bnn --data random --small=1", "sparsecim run: option --small takes no value"},
        {1, "sim --vectors va --help=1", "sparsecim sim: option --help takes no value"},
        /* arguments to a command that takes none; after --, an option is an argument */
        {0, "saif --vcd ok.vcd -o x.saif extra", "sparsecim saif: unexpected argument 'extra' (see --help)"},
        {0, "infer --model m.bnn " D " -- --count 3", "sparsecim infer: unexpected argument '--count' (see --help)"},
        {1, "run --model m.bnn --data random -- --small", "sparsecim run: unexpected argument '--small' (see --help)"},
        /* bad values, with the text of the option's table (empty: --opt=) */
        {0, "infer --model m.bnn " D " --impl=fastest", "sparsecim infer: option --impl: expected fast or naive, got 'fastest'"},
        {0, "model random --seed= -o m2.bnn", "sparsecim model random: option --seed: expected an integer in 0..2147483647, got ''"},
        {0, "vectors --model m.bnn " D " -o v --lay=diag",
         "sparsecim vectors: option --layout: expected channel, tap or aligned, got 'diag'"},
        {1, "run --model m.bnn --data random --ga=all", "sparsecim run: option --gate: expected both, c2, c1 or none, got 'all'"},
        {1, "run --model m.bnn --data random --shard=3/3",
         "sparsecim run: option --shard: expected I/N with 0 <= I < N (e.g. 0/4), got '3/3'"},
    };
    int skipped = 0;
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        if (bad[k].rtl && !x.rtl) {
            skipped++;
            continue;
        }
        refused(&x, bad[k].args, bad[k].want);
    }
    printf("cli_opts: %zu refusals (%d skipped: no RTL in this build)\n", sizeof bad / sizeof *bad, skipped);
    /* the program's own options take prefixes too */
    OK(&x, "--vers");
    cr_assert(!strncmp(out, "sparsecim (", 11), "%s", out);
    drop_fixture(&x);
}

Test(cli_opts, double_dash_ends_the_options, .timeout = 120)
{
    fx x;
    make_fixture(&x);
    /* a model file whose name starts with '-' */
    char cmd[1000];
    snprintf(cmd, sizeof cmd, "cp '%s/m.bnn' '%s/-m.bnn'", x.t, x.t);
    cr_assert_eq(tu_run(cmd, NULL, 0), 0);
    OK(&x, "model info -- -m.bnn");
    cr_assert(strstr(out, "-m.bnn: SCIMBNN"), "%s", out);
    refused(&x, "model info -- -m.bnn m.bnn", "sparsecim model info: expected one model file, got '-m.bnn' and 'm.bnn'");
    /* after --, an option's name is an argument */
    refused(&x, "model random --seed 2 --depth 8 -- -o", "sparsecim model random: unexpected argument '-o' (see --help)");
    refused(&x, "model info -- --help", "sparsecim model info: --help: cannot open: No such file or directory");
    OK(&x, "model info --help -- m.bnn");
    cr_assert(!strncmp(out, "usage: sparsecim model random", 29), "%s", out);
    drop_fixture(&x);
}

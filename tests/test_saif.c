/*
 * test_saif.c - SAIF from VCD (csrc/power/saif.h): known answers on a hand-made
 * dump (scalars, a vector with left extension, a reversed range, X values,
 * an alias in a bracketed scope, a window), the file's structure checked by
 * an independent reader (tests/saif_read.h), and bad dumps rejected with
 * file and line.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "power/saif.h"
#include "saif_read.h"
#include "test_util.h"

static const char dump[] =
    "$date today $end\n"
    "$version hand-made $end\n"
    "$timescale 1ps $end\n"
    "$scope module top $end\n"
    " $var wire 1 ! clk $end\n"
    " $var wire 4 \" bus [3:0] $end\n"
    " $scope module u_a[0] $end\n"
    "  $var wire 1 ! clk $end\n"
    "  $var wire 2 # v [0:1] $end\n"
    " $upscope $end\n"
    "$upscope $end\n"
    "$enddefinitions $end\n"
    "#0\n"
    "$dumpvars\n"
    "0!\n"
    "b10 \"\n"
    "bx1 #\n"
    "$end\n"
    "#5\n"
    "1!\n"
    "b1010 \"\n"
    "#10\n"
    "0!\n"
    "b0 #\n"
    "#20\n";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static void expect(const sr_file *f, const char *path, unsigned long long t0, unsigned long long t1,
                   unsigned long long tx, unsigned long long tc)
{
    const sr_net *n = sr_find(f, path);
    cr_assert_not_null(n, "no net %s", path);
    cr_assert(n->t0 == t0 && n->t1 == t1 && n->tx == tx && n->tc == tc,
              "%s: T0 %llu T1 %llu TX %llu TC %llu, expected %llu %llu %llu %llu", path, n->t0, n->t1, n->tx, n->tc,
              t0, t1, tx, tc);
}

Test(saif, known_answers_whole_dump)
{
    char vcd[256], saif[256];
    tu_tmp_path(vcd, sizeof vcd, "vcd");
    tu_tmp_path(saif, sizeof saif, "saif");
    write_file(vcd, dump);
    saif_opts o = {-1, -1, NULL};
    saif_stats st;
    bnn_error err;
    cr_assert_eq(saif_from_vcd(vcd, saif, &o, &st, &err), 0, "%s", err.msg);
    cr_assert_eq(st.duration, 20);
    cr_assert_eq(st.vars, 4);
    cr_assert_str_eq(st.timescale, "1 ps");
    char *text = sr_slurp(saif);
    sr_file f;
    sr_parse(text, &f);
    cr_assert_eq(f.duration, 20);
    cr_assert_str_eq(f.timescale, "1 ps");
    cr_assert_str_eq(f.design, "top");
    cr_assert_eq(f.n, 1 + 4 + 1 + 2);
    expect(&f, "top/clk", 15, 5, 0, 2);
    expect(&f, "top/bus\\[3\\]", 5, 15, 0, 1);   /* 0 (extended) until 5, then 1 */
    expect(&f, "top/bus\\[2\\]", 20, 0, 0, 0);
    expect(&f, "top/bus\\[1\\]", 0, 20, 0, 0);
    expect(&f, "top/bus\\[0\\]", 20, 0, 0, 0);
    expect(&f, "top/u_a\\[0\\]/clk", 15, 5, 0, 2);   /* the alias */
    expect(&f, "top/u_a\\[0\\]/v\\[1\\]", 10, 10, 0, 1); /* [0:1]: the LSB position is v[1] */
    expect(&f, "top/u_a\\[0\\]/v\\[0\\]", 10, 0, 10, 0); /* X -> 0 is not a transition */
    free(text);
    free(f.nets);
    remove(vcd);
    remove(saif);
}

Test(saif, known_answers_window)
{
    char vcd[256], saif[256];
    tu_tmp_path(vcd, sizeof vcd, "vcd");
    tu_tmp_path(saif, sizeof saif, "saif");
    write_file(vcd, dump);
    saif_opts o = {5, 15, "w"};
    bnn_error err;
    cr_assert_eq(saif_from_vcd(vcd, saif, &o, NULL, &err), 0, "%s", err.msg);
    char *text = sr_slurp(saif);
    sr_file f;
    sr_parse(text, &f);
    cr_assert_eq(f.duration, 10);
    cr_assert_str_eq(f.design, "w");
    expect(&f, "top/clk", 5, 5, 0, 2);       /* the rise at 5 and the fall at 10 */
    expect(&f, "top/bus\\[3\\]", 0, 10, 0, 1);
    expect(&f, "top/u_a\\[0\\]/v\\[0\\]", 5, 0, 5, 0);
    free(text);
    free(f.nets);
    remove(vcd);
    remove(saif);
}

/* Many nets and scopes cost time in proportion (the writer once compared
 * every pair of names in a scope: 100,000 nets took minutes); aliases count
 * against the net limit (a 1 KB dump once wrote 144 MB). */
Test(saif, many_nets_linear_aliases_limited, .timeout = 60)
{
    char vcd[256], saif[256];
    tu_tmp_path(vcd, sizeof vcd, "vcd");
    tu_tmp_path(saif, sizeof saif, "saif");
    enum { NV = 100000, NS = 20000 };
    FILE *f = fopen(vcd, "w");
    cr_assert_not_null(f);
    fprintf(f, "$timescale 1ns $end\n$scope module t $end\n");
    for (int i = 0; i < NV; i++)
        fprintf(f, "$var wire 1 i%d n%d $end\n", i, i);
    fprintf(f, "$var wire 1 i0 n0 $end\n");   /* an alias of the same name: written once */
    for (int i = 0; i < NS; i++)
        fprintf(f, "$scope module s%d $end\n$var wire 1 i%d n $end\n$upscope $end\n", i, i);
    fprintf(f, "$upscope $end\n$enddefinitions $end\n#0\n1i0\n#1\n");
    fclose(f);
    saif_opts o = {-1, -1, NULL};
    saif_stats st;
    bnn_error err;
    cr_assert_eq(saif_from_vcd(vcd, saif, &o, &st, &err), 0, "%s", err.msg);
    cr_assert_eq(st.vars, NV + 1 + NS);
    cr_assert_eq(st.nets, NV + NS);
    char *text = sr_slurp(saif);
    sr_file sf;
    sr_parse(text, &sf);
    cr_assert_eq(sf.n, NV + NS);
    expect(&sf, "t/n0", 0, 1, 0, 0);
    expect(&sf, "t/s19999/n", 0, 0, 1, 0);   /* never given a value: X */
    expect(&sf, "t/s0/n", 0, 1, 0, 0);
    free(text);
    free(sf.nets);
    f = fopen(vcd, "w");
    cr_assert_not_null(f);
    fprintf(f, "$scope module t $end\n");
    for (int i = 0; i < 40; i++)
        fprintf(f, "$var wire 65536 ! a%d $end\n", i);
    fprintf(f, "$upscope $end\n$enddefinitions $end\n#0\nb0 !\n#1\n");
    fclose(f);
    remove(saif);
    cr_assert_neq(saif_from_vcd(vcd, saif, &o, &st, &err), 0);
    cr_assert(strstr(err.msg, ":34: $var a32: more than 2097152 net bits in the dump, aliases included"), "%s",
              err.msg);
    cr_assert_null(fopen(saif, "r"));
    remove(vcd);
}

Test(saif, bad_dumps_name_file_and_line)
{
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"$scope module t $end $var wire 1 ! a $end $upscope $end $enddefinitions $end\n#0\n1?\n",
         ":3: value change of undeclared identifier '?'"},
        {"$scope module t $end $var wire 2 ! a [3:0] $end\n", ":1: $var a: range [3:0] (4 bits) does not match width 2"},
        {"$scope module t $end $var wire 1 ! a $end $upscope $end\n", "file ends inside the header, before $enddefinitions"},
        {"$scope module t $end $var wire 1 ! a $end $upscope $end $enddefinitions $end\n#5\n1!\n#3\n",
         ":4: expected a timestamp #T, 5 <= T <= 2^62, got '#3'"},
        {"$scope module t $end $var wire 2 ! a $end $upscope $end $enddefinitions $end\n#0\nb12 !\n",
         ":3: expected 0, 1, x or z digits, got '2'"},
        {"$scope module t $end $var wire 2 ! a $end $upscope $end $enddefinitions $end\n#0\nb101 !\n",
         ":3: value of 3 bits for identifier '!' of width 2"},
        {"$scope module t $end $var wire 1 ! a $end $upscope $end $enddefinitions $end\n1!\n",
         ":2: value change before the first timestamp"},
        {"$scope module t $end $var wire 1 ! a $end $upscope $end $enddefinitions $end\n", "no timestamp"},
        {"$timescale fast $end\n", ":1: expected a $timescale like '1ns' or '1 ps', got 'fast'"},
    };
    char vcd[256], saif[256];
    tu_tmp_path(vcd, sizeof vcd, "vcd");
    tu_tmp_path(saif, sizeof saif, "saif");
    remove(saif);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(vcd, bad[i].text);
        saif_opts o = {-1, -1, NULL};
        bnn_error err;
        cr_assert_neq(saif_from_vcd(vcd, saif, &o, NULL, &err), 0, "case %zu accepted", i);
        cr_assert(strstr(err.msg, vcd) && strstr(err.msg, bad[i].want), "case %zu: %s (want %s)", i, err.msg,
                  bad[i].want);
        FILE *f = fopen(saif, "r");
        cr_assert_null(f, "case %zu: a partial SAIF was left", i);
    }
    bnn_error err;
    saif_opts o = {-1, -1, NULL};
    cr_assert_neq(saif_from_vcd("/nonexistent.vcd", saif, &o, NULL, &err), 0);
    cr_assert(strstr(err.msg, "/nonexistent.vcd: cannot open"), "%s", err.msg);
    remove(vcd);
}

/*
 * test_merge.c - `sparsecim merge` without the RTL (it runs in the
 * sanitizer build): the JSON reader (csrc/util/jread.h) on known answers and bad
 * text; the shard reports of a small run (tests/data/merge/, made by
 * tests/data/merge/make.sh) merged equal the single run's report byte for
 * byte but wall_seconds, in any order, with the CSV; refused with exit 2
 * and one line: another model, geometry, option or profile, overlapping or
 * missing shards, a report that is no shard, a broken state chain, bad JSON.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jread.h"
#include "test_util.h"

static char out[1 << 16];

Test(jread, known_answers)
{
    const char *t = "{\"a\": [1, -2, 3.5e2, 18446744073709551615], \"s\": \"x\\\"\\u00e9\\n\", \"b\": true,"
                    " \"n\": null, \"o\": {}, \"e\": []}";
    jr_val *v;
    bnn_error err;
    cr_assert_eq(jr_parse(t, strlen(t), &v, &err), 0, "%s", err.msg);
    const jr_val *a = jr_get(v, "a");
    cr_assert_eq(a->t, JR_ARR);
    cr_assert_eq(a->n, 4);
    uint64_t u;
    int i;
    double d;
    cr_assert_eq(jr_u64(&a->kids[3], &u), 0);
    cr_assert_eq(u, UINT64_MAX);
    cr_assert_eq(jr_u64(&a->kids[1], &u), -1, "negative is no u64");
    cr_assert_eq(jr_int(&a->kids[1], &i), 0);
    cr_assert_eq(i, -2);
    cr_assert_eq(jr_int(&a->kids[2], &i), -1, "3.5e2 is no int");
    cr_assert_eq(jr_double(&a->kids[2], &d), 0);
    cr_assert_float_eq(d, 350.0, 1e-12);
    cr_assert_str_eq(jr_get(v, "s")->str, "x\"\xc3\xa9\n");
    cr_assert_eq(jr_get(v, "b")->b, 1);
    cr_assert_eq(jr_get(v, "n")->t, JR_NULL);
    cr_assert_eq(jr_get(v, "o")->n, 0);
    cr_assert_eq(jr_get(v, "e")->t, JR_ARR);
    cr_assert_null(jr_get(v, "missing"));
    cr_assert(jr_same(&a->kids[0], &a->kids[0]));
    cr_assert(!jr_same(&a->kids[0], &a->kids[1]));
    jr_free(v);
}

Test(jread, bad_text_named_by_line_and_column)
{
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"{\"a\": 1,\n \"b\" 2}", "line 2 column 6: expected ':'"},
        {"[1, 2", "expected ',' or ']'"},
        {"{\"a\": tru}", "expected a value"},
        {"\"abc", "unterminated string"},
        {"[01]", "expected ',' or ']'"},
        {"{} x", "text after the value"},
        {"\"\\q\"", "bad escape"},
        {"", "unexpected end"},
        {"[1.]", "bad number"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        jr_val *v = NULL;
        bnn_error err;
        cr_assert_eq(jr_parse(bad[k].text, strlen(bad[k].text), &v, &err), -1, "%s", bad[k].text);
        cr_assert_null(v);
        cr_assert_not_null(strstr(err.msg, bad[k].want), "%s: %s", bad[k].text, err.msg);
    }
    char deep[200];
    memset(deep, '[', sizeof deep - 1);
    deep[sizeof deep - 1] = 0;
    jr_val *v;
    bnn_error err;
    cr_assert_eq(jr_parse(deep, strlen(deep), &v, &err), -1);
    cr_assert_not_null(strstr(err.msg, "nested too deeply"), "%s", err.msg);
}

/* ---- merge on the shipped fixtures ---- */

static int sh(const char *fmt, const char *a, const char *b)
{
    static char cmd[1 << 15];
    snprintf(cmd, sizeof cmd, fmt, tu_src_dir(), tu_bin_dir(), a ? a : "", b ? b : "");
    return tu_run(cmd, out, sizeof out);
}

/* Asserts that two reports are equal except their wall_seconds lines. */
static void assert_same(const char *a, const char *b)
{
    char msg[512];
    cr_assert(tu_same_report(a, b, msg, sizeof msg) == 0, "%s", msg);
}

/* The merge runs in the source tree: the reports name their profile as
 * tests/data/merge/energy.txt. */
#define MERGE "cd %s && %s/sparsecim merge "
#define D "tests/data/merge/"

Test(merge, shards_equal_single_run, .timeout = 60)
{
    char json[4200], csv[4200];
    tu_tmp_path(json, sizeof json, "merged-json");
    tu_tmp_path(csv, sizeof csv, "merged-csv");
    int rc = sh(MERGE D "shard2.json " D "shard0.json " D "shard1.json -o %s --csv %s 2>&1", json, csv);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, out);
    cr_assert_not_null(strstr(out, "merged 6 images (0..5)"), "%s", out);
    char want[4200];
    snprintf(want, sizeof want, "%s/" D "single.json", tu_src_dir());
    assert_same(want, json);
    snprintf(want, sizeof want, "%s/" D "single.csv", tu_src_dir());
    assert_same(want, csv);
    remove(json);
    remove(csv);
}

/* Writes src with its first `from` replaced by `to` into a temporary file (path into buf). */
static void edited(const char *src, const char *from, const char *to, char *buf, size_t n)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/" D "%s", tu_src_dir(), src);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char *text = calloc(1, 1 << 21);
    size_t len = fread(text, 1, (1 << 21) - 1, f);
    fclose(f);
    char *at = strstr(text, from);
    cr_assert_not_null(at, "%s: no '%s'", src, from);
    tu_tmp_path(buf, n, "edited");
    f = fopen(buf, "w");
    cr_assert_not_null(f);
    fwrite(text, 1, (size_t)(at - text), f);
    fputs(to, f);
    fwrite(at + strlen(from), 1, len - (size_t)(at - text) - strlen(from), f);
    fclose(f);
    free(text);
}

static void refused(const char *reports, const char *want)
{
    int rc = sh(MERGE "%s -o /tmp/sparsecim-merge-refused.json 2>&1", reports, NULL);
    cr_assert_eq(rc, 2, "merge %s: exit %d: %s", reports, rc, out);
    cr_assert_not_null(strstr(out, want), "merge %s: expected '%s' in: %s", reports, want, out);
    cr_assert_eq(strchr(out, '\n'), out + strlen(out) - 1, "one line: %s", out);
}

Test(merge, refusals, .timeout = 60)
{
    char e[4200], r[9000];
    refused(D "shard0.json " D "shard1.json " D "shard1.json " D "shard2.json", "overlapping images");
    refused(D "shard0.json " D "shard2.json", "missing images 2..3");
    refused(D "shard1.json " D "shard2.json", "missing images 0..1");
    refused(D "shard0.json " D "single.json", "single.json: not a shard report");
    static const struct {
        const char *from, *to, *want;
    } edits[] = {
        {"\"model_crc\": \"", "\"model_crc\": \"f", "different model (.bnn CRC-32)"},
        {"\"model_bytes\": ", "\"model_bytes\": 1", "different model (.bnn size)"},
        {"\"geometry\": \"64x16x8\"", "\"geometry\": \"256x64x16\"", "different geometry"},
        {"\"gate\": \"both\"", "\"gate\": \"c2\"", "different option --gate"},
        {"\"energy_profile_crc\": \"", "\"energy_profile_crc\": \"f", "different energy profile"},
        {"\"data\": \"random:7\"", "\"data\": \"random:8\"", "different data"},
        {"\"state_start\": \"", "\"state_start\": \"0000000000000001\", \"was\": \"",
         "its warm-up image did not reproduce the state"},
        {"\"predictions\": [", "\"predictions\": [1, ", "expected an array of 2 integers"},
        {"\"layers\": [", "\"layers\": [}", "not a JSON report: line"},
        {"\"jobs_run\": ", "\"jobs_run\": -", "expected a non-negative integer"},
        {"\"shard\": {\"index\": 1, \"of\": 3", "\"shard\": {\"index\": 1, \"of\": 4", "is not of the same run"},
    };
    for (size_t k = 0; k < sizeof edits / sizeof *edits; k++) {
        edited("shard1.json", edits[k].from, edits[k].to, e, sizeof e);
        snprintf(r, sizeof r, D "shard0.json %s " D "shard2.json", e);
        refused(r, edits[k].want);
        remove(e);
    }
    /* the profile read must be the one the reports were made with */
    int rc = sh(MERGE D "shard0.json " D "shard1.json " D "shard2.json -o /tmp/sparsecim-merge-refused.json --energy %s/constraints/energy-22nm.txt 2>&1",
                tu_src_dir(), NULL);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, out);
    cr_assert_not_null(strstr(out, "but the reports were made with"), "%s", out);
    rc = sh(MERGE "-o /tmp/sparsecim-merge-refused.json 2>&1", NULL, NULL);
    cr_assert_eq(rc, 2, "%s", out);
    rc = sh(MERGE D "shard0.json --bogus 2>&1", NULL, NULL);
    cr_assert_eq(rc, 2, "%s", out);
    cr_assert_not_null(strstr(out, "unknown option '--bogus'"), "%s", out);
    rc = sh(MERGE "/nonexistent.json -o /tmp/sparsecim-merge-refused.json 2>&1", NULL, NULL);
    cr_assert_eq(rc, 2, "%s", out);
    cr_assert_not_null(strstr(out, "/nonexistent.json: cannot open: No such file or directory"), "%s", out);
}

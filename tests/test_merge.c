/*
 * test_merge.c - `sparsecim merge` without the RTL (it runs in the
 * sanitizer build): the shard reports of a small run (tests/data/merge/, made by
 * tests/data/merge/make.sh) merged equal the single run's report byte for
 * byte but wall_seconds, in any order, with the CSV; refused with exit 2
 * and one line: another model, geometry, option or profile, overlapping or
 * missing shards, a report that is no shard, a broken state chain, bad JSON
 * (named by line and column, a repeated key too), a field of the wrong
 * type named by its key and the line and column of its value (counted
 * here, independently of the reader: csrc/util/jload.c). The reader's own
 * known answers are in tests/test_json.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static char out[1 << 16];

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

/* shard1.json with its first `from` replaced by `to` is refused with
 * "FILE:L:C: want", L:C (counted here, in bytes: the fixtures are ASCII)
 * where `mark` starts inside `to` in the edited file, or, with mark NULL
 * (a member removed), where the object holding `from` starts. */
static void located(const char *from, const char *to, const char *mark, const char *want)
{
    char e[4200], r[9000], where[4600];
    edited("shard1.json", from, to, e, sizeof e);
    FILE *f = fopen(e, "r");
    cr_assert_not_null(f);
    char *text = calloc(1, 1 << 21);
    size_t len = fread(text, 1, (1 << 21) - 1, f);
    fclose(f);
    cr_assert_lt(len, (size_t)(1 << 21) - 1);
    size_t off = (size_t)(strstr(text, to) - text);
    if (mark) {
        off += (size_t)(strstr(to, mark) - to);
    } else {
        for (int depth = 0; off > 0; off--)   /* back to the '{' that holds it (no braces in its strings) */
            if (text[off - 1] == '}')
                depth++;
            else if (text[off - 1] == '{' && depth-- == 0)
                break;
        off--;
    }
    int line = 1, col = 1;
    for (size_t i = 0; i < off; i++)
        if (text[i] == '\n')
            line++, col = 1;
        else
            col++;
    free(text);
    snprintf(where, sizeof where, "%s:%d:%d: %s", e, line, col, want);
    snprintf(r, sizeof r, D "shard0.json %s " D "shard2.json", e);
    refused(r, where);
    remove(e);
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
        {"\"layers\": [", "\"layers\": [}", "(not a JSON report)"},
        {"\"images\": ", "\"images\": 2, \"images\": ", "duplicate object key near '\"images\"' (not a JSON report)"},
        {"\"jobs_run\": ", "\"jobs_run\": -", "expected a non-negative integer for \"jobs_run\""},
        {"\"of\": 3,", "\"of\": 4,", "is not of the same run"},
    };
    for (size_t k = 0; k < sizeof edits / sizeof *edits; k++) {
        edited("shard1.json", edits[k].from, edits[k].to, e, sizeof e);
        snprintf(r, sizeof r, D "shard0.json %s " D "shard2.json", e);
        refused(r, edits[k].want);
        remove(e);
    }
    located("\"mismatches\": ", "\"mismatches\": 1.5, \"was\": ", "1.5",
            "expected a non-negative integer for \"mismatches\"");
    located("\"predictions\": [", "\"predictions\": [\"x\", ", "[", "expected an array of 2 integers for \"predictions\"");
    located("\"state_end\": ", "\"state_end\": 7, \"was\": ", "7", "expected a hexadecimal string for \"state_end\"");
    located("\"counters\": ", "\"counts\": ", NULL,
            "layer 'conv1': expected an object (a report of an older sparsecim?) for \"counters\"");
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

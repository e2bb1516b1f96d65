/* test_json.c - the reports' JSON on jansson: the writer's values
 * (csrc/util/jdump.c: strings, numbers printed as the old printf formats
 * printed them, the integer limit, the one dump format) and the reader
 * (csrc/util/jload.c: duplicates refused, errors with line and column,
 * conversions, the place of any value in its text). */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jdump.h"
#include "util/jload.h"

/* v dumped alone (JSON_ENCODE_ANY) into a malloc'd string; v consumed. */
static char *text_of(json_t *v)
{
    cr_assert_not_null(v);
    char *t = json_dumps(v, JSON_ENCODE_ANY | JD_FLAGS);
    cr_assert_not_null(t);
    json_decref(v);
    return t;
}

Test(jdump, strings_known_answers)
{
    static const struct { const char *in, *out; } k[] = {
        {"", "\"\""},
        {"conv1", "\"conv1\""},
        {"a\"b", "\"a\\\"b\""},
        {"a\\b", "\"a\\\\b\""},
        {"tab\there", "\"tab\\there\""},
        {"line\n", "\"line\\n\""},
        {"\x1f\x7f", "\"\\u001F\x7f\""},
        {"caf\xc3\xa9", "\"caf\xc3\xa9\""},
        {"a/b", "\"a/b\""},
        {"bad\xff\xc3(", "\"bad\xef\xbf\xbd\xef\xbf\xbd(\""},   /* not UTF-8: U+FFFD per byte */
        {"\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},   /* a surrogate is no UTF-8 */
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        char *w = text_of(jd_str(k[i].in));
        cr_assert_str_eq(w, k[i].out, "case %zu", i);
        free(w);
    }
    char *w = text_of(jd_str(NULL));
    cr_assert_str_eq(w, "\"\"");
    free(w);
    w = text_of(jd_str_or_null(NULL));
    cr_assert_str_eq(w, "null");
    free(w);
}

/* Writes s in an object, parses it back, expects the same bytes. */
static void round_trip(const char *s)
{
    json_t *o = json_object();
    cr_assert_eq(jd_set(o, "s", jd_str(s)), 0);
    char *w = jd_text(o);
    json_decref(o);
    json_t *v = NULL;
    bnn_error err = {{0}};
    cr_assert_eq(jl_parse(w, strlen(w), &v, &err), 0, "%s: %s", w, err.msg);
    cr_assert_str_eq(json_string_value(json_object_get(v, "s")), s, "written as %s", w);
    json_decref(v);
    free(w);
}

Test(jdump, every_ascii_byte_round_trips)
{
    char s[4] = "x?y";
    for (int c = 1; c < 128; c++) {
        s[1] = (char)c;
        round_trip(s);
    }
}

Test(jdump, random_strings_round_trip)
{
    unsigned x = 12345;
    char s[64];
    for (int t = 0; t < 2000; t++) {
        int n = (int)(x % 60);
        for (int i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            s[i] = (char)(1 + (x >> 16) % 127);   /* ASCII 1..127 */
        }
        s[n] = 0;
        round_trip(s);
    }
}

Test(jdump, numbers_known_answers)
{
    static const struct {
        double v;
        const char *fmt, *out;
    } k[] = {
        {0.5, "%.6f", "0.5"},            /* printf wrote 0.500000 */
        {0.0, "%.6f", "0.0"},            /* 0.000000 */
        {-1e-9, "%.6f", "-0.0"},         /* -0.000000 */
        {0.1234564, "%.6f", "0.123456"},
        {5e-5, "%.6f", "5e-5"},          /* 0.000050 */
        {14784483.6864, "%.3f", "14784483.686"},
        {29.70781234, "%.6g", "29.7078"},
        {1.5e-5, "%.6g", "1.5e-5"},      /* 1.5e-05 */
        {50.0, "%.10g", "50"},           /* an integer, as printf wrote it */
        {1e20, "%.10g", "1e20"},         /* 1e+20 */
        {7020.0, "%.0f", "7020"},
        {2662167000000.123, "%.3f", "2662167000000.12"},   /* more than 15 digits: 15 */
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        char *w = text_of(jd_real(k[i].v, k[i].fmt));
        cr_assert_str_eq(w, k[i].out, "case %zu: %s", i, w);
        free(w);
    }
    char *w = text_of(jd_real(NAN, "%.6f"));
    cr_assert_str_eq(w, "null");
    free(w);
    w = text_of(jd_real_or_null(0, 1.0, "%.6f"));
    cr_assert_str_eq(w, "null");
    free(w);
    w = text_of(jd_hex(0xc8a7e42cu, 8));
    cr_assert_str_eq(w, "\"c8a7e42c\"");
    free(w);
    w = text_of(jd_hex(1, 16));
    cr_assert_str_eq(w, "\"0000000000000001\"");
    free(w);
    w = text_of(jd_u64((uint64_t)INT64_MAX));
    cr_assert_str_eq(w, "9223372036854775807");
    free(w);
    cr_assert_null(jd_u64((uint64_t)INT64_MAX + 1), "jansson's integers end at 2^63 - 1");
    json_t *o = json_object();
    cr_assert_eq(jd_set(o, "x", NULL), -1);
    json_decref(o);
}

/* Significant digits of a printf text: from its first to its last non-zero digit. */
static int sig_digits(const char *s)
{
    int first = -1, last = -1, i = 0;
    for (; *s && *s != 'e'; s++) {
        if (*s < '0' || *s > '9')
            continue;
        if (*s != '0') {
            if (first < 0)
                first = i;
            last = i;
        }
        i++;
    }
    return first < 0 ? 0 : last - first + 1;
}

Test(jdump, numbers_read_back_as_the_old_text_did)
{
    static const char *const fmts[] = {"%.6f", "%.3f", "%.6g", "%.10g", "%.0f"};
    unsigned long long x = 88172645463325252ull;
    int checked = 0;
    for (int t = 0; t < 20000; t++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double mant = (double)(x >> 11) / 9007199254740992.0, v = ldexp(mant, (int)(x % 80) - 40);
        if (x & 1)
            v = -v;
        const char *fmt = fmts[t % 5];
        char old[512];
        snprintf(old, sizeof old, fmt, v);
        if (sig_digits(old) > 15)
            continue;   /* beyond a double's 15 digits: printed to 15 (known answer above) */
        char *w = text_of(jd_real(v, fmt));
        cr_assert_eq(strtod(w, NULL), strtod(old, NULL), "%s of %.17g: printf %s, report %s", fmt, v, old, w);
        cr_assert_eq(strpbrk(old, ".eE") == NULL, strpbrk(w, ".eE") == NULL, "integer as before: %s, %s", old, w);
        free(w);
        checked++;
    }
    cr_assert_gt(checked, 15000);
}

Test(jdump, dump_format)
{
    json_t *o = json_object(), *a = json_array();
    cr_assert_eq(jd_set(o, "b", json_integer(1)) | jd_set(o, "a", a) | jd_push(a, json_integer(2)) |
                     jd_set(o, "e", json_object()),
                 0);
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    bnn_error err;
    cr_assert_eq(jd_dump(f, o, "test", &err), 0, "%s", err.msg);
    fclose(f);
    cr_assert_str_eq(buf, "{\n  \"b\": 1,\n  \"a\": [\n    2\n  ],\n  \"e\": {}\n}\n", "keys in order, indent 2: %s", buf);
    free(buf);
    json_decref(o);
    cr_assert_eq(jd_dump(stdout, NULL, "test", &err), -1);
    cr_assert(strstr(err.msg, "test: cannot build the JSON"), "%s", err.msg);
}

/* ---- the reader ---- */

Test(jload, known_answers)
{
    const char *t = "{\"a\": [1, -2, 3.5e2, 9223372036854775807], \"s\": \"x\\\"\\u00e9\\n\", \"b\": true,"
                    " \"n\": null, \"o\": {}, \"e\": []}";
    json_t *doc;
    bnn_error err;
    cr_assert_eq(jl_parse(t, strlen(t), &doc, &err), 0, "%s", err.msg);
    jl_at r = jl_root(doc), a = jl_member(&r, "a"), s = jl_member(&r, "s"), miss = jl_member(&r, "missing");
    uint64_t u;
    int i;
    double d;
    const char *str;
    jl_at e3 = jl_item(&a, 3), e1 = jl_item(&a, 1), e2 = jl_item(&a, 2), e9 = jl_item(&a, 9);
    cr_assert_eq(jl_u64(&e3, &u), 0);
    cr_assert_eq(u, (uint64_t)INT64_MAX);
    cr_assert_eq(jl_u64(&e1, &u), -1, "negative is no u64");
    cr_assert_eq(jl_int(&e1, &i), 0);
    cr_assert_eq(i, -2);
    cr_assert_eq(jl_int(&e3, &i), -1, "beyond int");
    cr_assert_eq(jl_int(&e2, &i), -1, "3.5e2 is no int");
    cr_assert_eq(jl_num(&e2, &d), 0);
    cr_assert_float_eq(d, 350.0, 1e-12);
    cr_assert_eq(jl_num(&e1, &d), 0, "an integer is a number");
    cr_assert_eq(jl_str(&s, &str), 0);
    cr_assert_str_eq(str, "x\"\xc3\xa9\n");
    cr_assert_eq(jl_str(&e1, &str), -1);
    cr_assert_null(miss.v);
    cr_assert_null(e9.v);
    cr_assert_eq(jl_int(&miss, &i), -1);
    jl_at not_obj = jl_member(&a, "x");
    cr_assert_null(not_obj.v);
    json_decref(doc);
}

Test(jload, bad_text_named_by_line_and_column)
{
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"{\"a\": 1,\n \"b\" 2}", "2:6: ':' expected"},
        {"{\"a\": 1,\n \"a\": 2}", "2:4: duplicate object key near '\"a\"'"},
        {"{\"x\": {\"k\": 1, \"k\": 1}}", "duplicate object key"},
        {"[1, 2", "1:5: ']' expected near end of file"},
        {"{\"a\": tru}", "1:9: invalid token near 'tru'"},
        {"\"abc", "premature end of input"},
        {"[01]", "invalid token"},
        {"{} x", "1:4: end of file expected near 'x'"},
        {"[\"\\q\"]", "invalid escape"},
        {"", "'[' or '{' expected"},
        {"[1.]", "invalid token"},
        {"[18446744073709551615]", "too big integer"},
        {"[1e400]", "real number overflow"},
        {"[\"a\xff\"]", "unable to decode byte 0xff"},
        {"[\"a\t\"]", "1:3: control character 0x9 near '\"a'"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        json_t *v = (json_t *)1;
        bnn_error err;
        cr_assert_eq(jl_parse(bad[k].text, strlen(bad[k].text), &v, &err), -1, "%s", bad[k].text);
        cr_assert_null(v);
        cr_assert_not_null(strstr(err.msg, bad[k].want), "%s: %s", bad[k].text, err.msg);
        cr_assert_null(strchr(err.msg, '\n'), "one line: %s", err.msg);
    }
}

/* Line and column of the first occurrence of needle in t (counted here, by hand). */
static void place_of(const char *t, const char *needle, int *line, int *col)
{
    const char *at = strstr(t, needle);
    cr_assert_not_null(at, "%s", needle);
    *line = 1;
    *col = 1;
    for (const char *p = t; p < at; p++)
        if (*p == '\n')
            ++*line, *col = 1;
        else
            ++*col;
}

Test(jload, where_values_are)
{
    const char *t = "{\n  \"a\": 1,\n  \"l\": [\n    {\"n\": \"x\", \"c\": {\"k\": [7, 8]}},\n"
                    "    {\"n\": \"y\", \"\\u0063\": 5, \"s\": \"q\\\"}\"}\n  ],\n  \"z\": false\n}\n";
    json_t *doc;
    bnn_error err;
    cr_assert_eq(jl_parse(t, strlen(t), &doc, &err), 0, "%s", err.msg);
    jl_at r = jl_root(doc), l = jl_member(&r, "l"), l0 = jl_item(&l, 0), l1 = jl_item(&l, 1);
    jl_at c = jl_member(&l0, "c"), k = jl_member(&c, "k"), k1 = jl_item(&k, 1), c1 = jl_member(&l1, "c");
    jl_at z = jl_member(&r, "z"), none = jl_member(&l1, "none"), deep = jl_member(&none, "x");
    struct {
        const jl_at *at;
        const char *needle;
    } w[] = {
        {&r, "{"}, {&l, "["}, {&l0, "{\"n\": \"x\""}, {&l1, "{\"n\": \"y\""}, {&c, "{\"k\""}, {&k1, "8]"},
        {&c1, "5,"},            /* an escaped key ("\u0063" is "c") found by its decoded name */
        {&z, "false"},          /* after a string holding a quote and a brace */
        {&none, "{\"n\": \"y\""},   /* missing: the object that lacks it */
        {&deep, "{\"n\": \"y\""},
    };
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        int line, col, wl, wc;
        jl_where(w[i].at, t, strlen(t), &line, &col);
        place_of(t, w[i].needle, &wl, &wc);
        cr_assert(line == wl && col == wc, "case %zu (%s): %d:%d, expected %d:%d", i, w[i].needle, line, col, wl, wc);
    }
    /* jansson skips a NUL byte between tokens; so does the walk (a fuzz finding: it stopped there) */
    static const char nul[] = "{\"a\": -2\0, \"b\": 5}";
    json_t *d2;
    cr_assert_eq(jl_parse(nul, sizeof nul - 1, &d2, &err), 0, "%s", err.msg);
    jl_at r2 = jl_root(d2), b2 = jl_member(&r2, "b");
    cr_assert_eq(jl_offset(&b2, nul, sizeof nul - 1), sizeof nul - 3, "after the NUL");
    json_decref(d2);
    int line, col;
    jl_line_col("\xc3\xa9x\n\xc3\xa9y", 6, &line, &col);
    cr_assert(line == 2 && col == 2, "columns count characters: %d:%d", line, col);
    json_decref(doc);
}

/* Every value of a dumped document is found where its own text starts. */
static void check_all(const jl_at *at, const char *t, size_t len, int *n)
{
    size_t off = jl_offset(at, t, len);
    json_error_t je;
    json_t *v = json_loadb(t + off, len - off, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &je);
    cr_assert(v && json_equal(v, at->v), "value at offset %zu: %.40s", off, t + off);
    json_decref(v);
    ++*n;
    if (json_is_array(at->v))
        for (size_t i = 0; i < json_array_size(at->v); i++) {
            jl_at e = jl_item(at, i);
            check_all(&e, t, len, n);
        }
    if (json_is_object(at->v)) {
        const char *key;
        json_t *val;
        json_object_foreach((json_t *)at->v, key, val) {
            jl_at m = jl_member(at, key);
            check_all(&m, t, len, n);
        }
    }
}

Test(jload, every_value_of_a_report_located)
{
    json_t *o = json_object(), *l = json_array();
    cr_assert_eq(jd_set(o, "command", jd_str("run")) | jd_set(o, "data", json_null()) |
                     jd_set(o, "wall_seconds", jd_real(0.083, "%.3f")) | jd_set(o, "layers", json_incref(l)),
                 0);
    for (int i = 0; i < 5; i++) {
        json_t *e = json_object();
        char name[16];
        snprintf(name, sizeof name, "s%db0\"a", i);
        cr_assert_eq(jd_set(e, "name", jd_str(name)) | jd_set(e, "fr", jd_real(i / 7.0, "%.6f")) |
                         jd_set(e, "ints", jd_ints((const int[]){i, -i, 3}, 3)) | jd_set(e, "ok", json_true()) |
                         jd_push(l, e),
                     0);
    }
    json_decref(l);
    char *t = jd_text(o);
    json_decref(o);
    json_t *doc;
    bnn_error err;
    cr_assert_eq(jl_parse(t, strlen(t), &doc, &err), 0, "%s", err.msg);
    jl_at r = jl_root(doc);
    int n = 0;
    check_all(&r, t, strlen(t), &n);
    cr_assert_eq(n, 1 + 4 + 5 * (1 + 4 + 3));
    json_decref(doc);
    free(t);
}

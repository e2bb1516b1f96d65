/* test_json.c - the report JSON writer (csrc/util/jwrite.c) against known
 * answers, and written-then-read round trips through the reader
 * (csrc/util/jread.c) over every byte value and random strings. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jread.h"
#include "util/jwrite.h"

/* jw_str(s) into a malloc'd string. */
static char *written(const char *s)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    cr_assert_not_null(f);
    jw_str(f, s);
    cr_assert_eq(fclose(f), 0);
    return buf;
}

Test(jwrite, known_answers)
{
    static const struct { const char *in, *out; } k[] = {
        {"", "\"\""},
        {"conv1", "\"conv1\""},
        {"a\"b", "\"a\\\"b\""},
        {"a\\b", "\"a\\\\b\""},
        {"tab\there", "\"tab\\u0009here\""},
        {"line\n", "\"line\\u000a\""},
        {"\x1f\x7f", "\"\\u001f\x7f\""},
        {"caf\xc3\xa9", "\"caf\xc3\xa9\""},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        char *w = written(k[i].in);
        cr_assert_str_eq(w, k[i].out, "case %zu", i);
        free(w);
    }
    char *w = written(NULL);
    cr_assert_str_eq(w, "\"\"");
    free(w);
}

/* Writes s, parses it back, expects the same bytes. */
static void round_trip(const char *s)
{
    char *w = written(s);
    jr_val *v = NULL;
    bnn_error err = {0};
    cr_assert_eq(jr_parse(w, strlen(w), &v, &err), 0, "%s: %s", w, err.msg);
    cr_assert_eq(v->t, JR_STR);
    cr_assert_str_eq(v->str, s, "written as %s", w);
    jr_free(v);
    free(w);
}

Test(jwrite, every_ascii_byte_round_trips)
{
    char s[4] = "x?y";
    for (int c = 1; c < 128; c++) {
        s[1] = (char)c;
        round_trip(s);
    }
}

Test(jwrite, random_strings_round_trip)
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

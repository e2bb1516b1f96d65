/* jdump.c - the reports' JSON values and their one dump (see jdump.h). */
#include "util/jdump.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

json_t *jd_real(double v, const char *fmt)
{
    if (!isfinite(v))
        return json_null();
    char buf[512];
    snprintf(buf, sizeof buf, fmt, v);
    if (!strpbrk(buf, ".eE"))
        return json_integer((json_int_t)strtoll(buf, NULL, 10));
    return json_real(strtod(buf, NULL));
}

json_t *jd_real_or_null(int ok, double v, const char *fmt) { return ok ? jd_real(v, fmt) : json_null(); }

json_t *jd_u64(uint64_t v) { return v <= (uint64_t)INT64_MAX ? json_integer((json_int_t)v) : NULL; }

/* Length of the UTF-8 sequence at s (1..4), or 0 when it is none (RFC
 * 3629: no overlong form, no surrogate, nothing above U+10FFFF). */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0) || (c == 0xf0 && s[1] < 0x90) ||
        (c == 0xf4 && s[1] >= 0x90))
        return 0;
    return n;
}

/* s with every byte that starts no valid sequence replaced by U+FFFD. */
static json_t *repaired(const char *s)
{
    size_t len = strlen(s), k = 0;
    char *t = malloc(3 * len + 1);
    if (!t)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = utf8_len(p);
        if (n) {
            memcpy(t + k, p, n);
            k += n;
            p += n;
            continue;
        }
        memcpy(t + k, "\xef\xbf\xbd", 3);
        k += 3;
        p++;
    }
    json_t *v = json_stringn(t, k);
    free(t);
    return v;
}

json_t *jd_str(const char *s)
{
    if (!s)
        s = "";
    json_t *v = json_string(s);   /* NULL: not UTF-8 (or out of memory) */
    return v ? v : repaired(s);
}

json_t *jd_str_or_null(const char *s) { return s ? jd_str(s) : json_null(); }

json_t *jd_hex(uint64_t v, int digits)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%0*llx", digits, (unsigned long long)v);
    return json_string(buf);
}

json_t *jd_ints(const int *v, int n)
{
    json_t *a = json_array();
    int bad = !a;
    for (int i = 0; a && i < n; i++)
        bad |= json_array_append_new(a, json_integer(v[i]));
    if (bad) {
        json_decref(a);
        return NULL;
    }
    return a;
}

int jd_set(json_t *o, const char *key, json_t *v)
{
    if (!v)
        return -1;
    return json_object_set_new(o, key, v) ? -1 : 0;   /* set_new drops v on failure */
}

int jd_push(json_t *a, json_t *v)
{
    if (!v)
        return -1;
    return json_array_append_new(a, v) ? -1 : 0;
}

int jd_dump(FILE *f, const json_t *doc, const char *what, bnn_error *err)
{
    if (!doc) {
        bnn_set_err(err, "%s: " JD_BUILD_ERROR, what);
        return -1;
    }
    int bad = json_dumpf(doc, f, JD_FLAGS) || fputc('\n', f) == EOF;
    if (bad && !ferror(f)) {   /* not the stream's: jansson's own (no write failed) */
        bnn_set_err(err, "%s: jansson could not dump the tree", what);
        return -1;
    }
    return 0;   /* a write error stays on the stream: out_commit names it (ENOSPC, EFBIG ...) */
}

char *jd_text(const json_t *doc) { return doc ? json_dumps(doc, JD_FLAGS) : NULL; }

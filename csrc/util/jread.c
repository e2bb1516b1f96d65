/* jread.c - a small JSON reader (see jread.h). */
#include "util/jread.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { JR_MAX_DEPTH = 64 };

typedef struct jr_in {
    const char *s, *end, *p;
    bnn_error *err;
} jr_in;

static int fail(jr_in *in, const char *what)
{
    int line = 1, col = 1;
    for (const char *q = in->s; q < in->p && q < in->end; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    snprintf(in->err->msg, sizeof in->err->msg, "line %d column %d: %s", line, col, what);
    return -1;
}

static void skip_ws(jr_in *in)
{
    while (in->p < in->end && (*in->p == ' ' || *in->p == '\t' || *in->p == '\n' || *in->p == '\r'))
        in->p++;
}

static void free_val(jr_val *v)
{
    free(v->str);
    for (int i = 0; i < v->n; i++) {
        free_val(&v->kids[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->kids);
    free(v->keys);
}

void jr_free(jr_val *v)
{
    if (!v)
        return;
    free_val(v);
    free(v);
}

static int hex4(jr_in *in, unsigned *u)
{
    *u = 0;
    for (int k = 0; k < 4; k++, in->p++) {
        if (in->p >= in->end)
            return fail(in, "unterminated \\u escape");
        char c = *in->p;
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return fail(in, "bad \\u escape");
        *u = *u * 16 + (unsigned)d;
    }
    return 0;
}

static size_t put_utf8(char *o, unsigned u)
{
    if (u < 0x80) {
        o[0] = (char)u;
        return 1;
    }
    if (u < 0x800) {
        o[0] = (char)(0xc0 | u >> 6);
        o[1] = (char)(0x80 | (u & 0x3f));
        return 2;
    }
    o[0] = (char)(0xe0 | u >> 12);
    o[1] = (char)(0x80 | ((u >> 6) & 0x3f));
    o[2] = (char)(0x80 | (u & 0x3f));
    return 3;
}

/* A string at in->p (the opening quote); *out decoded. */
static int parse_string(jr_in *in, char **out)
{
    in->p++;
    const char *start = in->p;
    while (in->p < in->end && *in->p != '"')
        in->p += *in->p == '\\' ? 2 : 1;
    if (in->p >= in->end)
        return fail(in, "unterminated string");
    size_t cap = (size_t)(in->p - start) + 1;
    char *o = malloc(cap), *w = o;
    if (!o)
        return fail(in, "out of memory");
    in->p = start;
    while (*in->p != '"') {
        unsigned char c = (unsigned char)*in->p++;
        if (c < 0x20) {
            free(o);
            return fail(in, "control character in string");
        }
        if (c != '\\') {
            *w++ = (char)c;
            continue;
        }
        char e = *in->p++;
        const char *map = e ? strchr("\"\"\\\\//b\bf\fn\nr\rt\t", e) : NULL;
        if (e == 'u') {
            unsigned u;
            if (hex4(in, &u)) {
                free(o);
                return -1;
            }
            w += put_utf8(w, u); /* 6 source bytes give at most 3 */
        } else if (map && (map - "\"\"\\\\//b\bf\fn\nr\rt\t") % 2 == 0) {
            *w++ = map[1];
        } else {
            free(o);
            in->p--;
            return fail(in, "bad escape in string");
        }
    }
    in->p++;
    *w = 0;
    *out = o;
    return 0;
}

static int parse_value(jr_in *in, jr_val *v, int depth);

/* Elements of an array or members of an object, after the opening bracket. */
static int parse_items(jr_in *in, jr_val *v, int obj, int depth)
{
    int cap = 0;
    char close = obj ? '}' : ']';
    skip_ws(in);
    if (in->p < in->end && *in->p == close) {
        in->p++;
        return 0;
    }
    for (;;) {
        if (v->n == cap) {
            cap = cap ? 2 * cap : 8;
            jr_val *k = realloc(v->kids, (size_t)cap * sizeof *k);
            char **ks = obj ? realloc(v->keys, (size_t)cap * sizeof *ks) : NULL;
            if (k)
                v->kids = k;
            if (ks)
                v->keys = ks;
            if (!k || (obj && !ks))
                return fail(in, "out of memory");
        }
        jr_val *kid = &v->kids[v->n];
        memset(kid, 0, sizeof *kid);
        skip_ws(in);
        if (obj) {
            v->keys[v->n] = NULL;
            if (in->p >= in->end || *in->p != '"')
                return fail(in, "expected a member name");
            if (parse_string(in, &v->keys[v->n]))
                return -1;
            skip_ws(in);
            if (in->p >= in->end || *in->p != ':') {
                v->n++;
                return fail(in, "expected ':'");
            }
            in->p++;
        }
        v->n++;
        if (parse_value(in, kid, depth + 1))
            return -1;
        skip_ws(in);
        if (in->p < in->end && *in->p == ',') {
            in->p++;
            continue;
        }
        if (in->p < in->end && *in->p == close) {
            in->p++;
            return 0;
        }
        return fail(in, obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int parse_number(jr_in *in)
{
    const char *p = in->p;
    if (p < in->end && *p == '-')
        p++;
    if (p >= in->end || *p < '0' || *p > '9')
        return fail(in, "expected a value");
    if (*p == '0')
        p++;
    else
        while (p < in->end && *p >= '0' && *p <= '9')
            p++;
    if (p < in->end && *p == '.') {
        p++;
        if (p >= in->end || *p < '0' || *p > '9')
            return fail(in, "bad number");
        while (p < in->end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < in->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < in->end && (*p == '+' || *p == '-'))
            p++;
        if (p >= in->end || *p < '0' || *p > '9')
            return fail(in, "bad number");
        while (p < in->end && *p >= '0' && *p <= '9')
            p++;
    }
    in->p = p;
    return 0;
}

static int word(jr_in *in, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(in->end - in->p) < n || memcmp(in->p, w, n))
        return 0;
    in->p += n;
    return 1;
}

static int parse_value(jr_in *in, jr_val *v, int depth)
{
    if (depth > JR_MAX_DEPTH)
        return fail(in, "nested too deeply");
    skip_ws(in);
    if (in->p >= in->end)
        return fail(in, "unexpected end of text");
    v->src = in->p;
    int rc = 0;
    char c = *in->p;
    if (c == '{' || c == '[') {
        v->t = c == '{' ? JR_OBJ : JR_ARR;
        in->p++;
        rc = parse_items(in, v, c == '{', depth);
    } else if (c == '"') {
        v->t = JR_STR;
        rc = parse_string(in, &v->str);
    } else if (word(in, "true") || word(in, "false")) {
        v->t = JR_BOOL;
        v->b = c == 't';
    } else if (word(in, "null")) {
        v->t = JR_NULL;
    } else {
        v->t = JR_NUM;
        rc = parse_number(in);
    }
    v->len = (size_t)(in->p - v->src);
    return rc;
}

int jr_parse(const char *text, size_t len, jr_val **out, bnn_error *err)
{
    jr_in in = {text, text + len, text, err};
    jr_val *v = calloc(1, sizeof *v);
    *out = NULL;
    if (!v) {
        snprintf(err->msg, sizeof err->msg, "out of memory");
        return -1;
    }
    if (parse_value(&in, v, 0)) {
        jr_free(v);
        return -1;
    }
    skip_ws(&in);
    if (in.p != in.end) {
        jr_free(v);
        return fail(&in, "text after the value");
    }
    *out = v;
    return 0;
}

const jr_val *jr_get(const jr_val *v, const char *key)
{
    if (!v || v->t != JR_OBJ)
        return NULL;
    for (int i = 0; i < v->n; i++)
        if (!strcmp(v->keys[i], key))
            return &v->kids[i];
    return NULL;
}

/* The number's text as a C string (numbers are short). */
static int num_text(const jr_val *v, char *buf, size_t n)
{
    if (!v || v->t != JR_NUM || v->len >= n)
        return -1;
    memcpy(buf, v->src, v->len);
    buf[v->len] = 0;
    return 0;
}

int jr_u64(const jr_val *v, uint64_t *out)
{
    char buf[64], *end;
    if (num_text(v, buf, sizeof buf) || strpbrk(buf, "-.eE"))
        return -1;
    errno = 0;
    unsigned long long u = strtoull(buf, &end, 10);
    if (errno || *end)
        return -1;
    *out = (uint64_t)u;
    return 0;
}

int jr_int(const jr_val *v, int *out)
{
    char buf[64], *end;
    if (num_text(v, buf, sizeof buf) || strpbrk(buf, ".eE"))
        return -1;
    errno = 0;
    long l = strtol(buf, &end, 10);
    if (errno || *end || l < INT_MIN || l > INT_MAX)
        return -1;
    *out = (int)l;
    return 0;
}

int jr_double(const jr_val *v, double *out)
{
    char buf[64], *end;
    if (num_text(v, buf, sizeof buf))
        return -1;
    *out = strtod(buf, &end);
    return *end ? -1 : 0;
}

int jr_same(const jr_val *a, const jr_val *b)
{
    if (!a || !b)
        return a == b;
    return a->len == b->len && !memcmp(a->src, b->src, a->len);
}

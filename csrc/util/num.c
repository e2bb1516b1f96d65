/* num.c - strict number parsing (see num.h). */
#include "util/num.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

const char *num_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    if (!s)
        return NULL;
    int neg = *s == '-';
    const char *p = s + neg;
    if (*p < '0' || *p > '9')
        return NULL;
    /* accumulate the magnitude as unsigned: INT64_MIN's fits */
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (limit - d) / 10u)
            return NULL;
        v = v * 10u + d;
    }
    int64_t r = neg ? (v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    if (r < lo || r > hi)
        return NULL;
    *out = r;
    return p;
}

int num_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    int64_t v;
    const char *e = num_i64(s, lo, hi, &v);
    if (!e || *e)
        return -1;
    *out = v;
    return 0;
}

static const char *digits(const char *p, int *n)
{
    *n = 0;
    while (*p >= '0' && *p <= '9')
        p++, ++*n;
    return p;
}

int num_parse_real(const char *s, double *out)
{
    if (!s)
        return -1;
    const char *p = s + (*s == '-');
    int a, b = 0, c;
    p = digits(p, &a);
    if (*p == '.')
        p = digits(p + 1, &b);
    if (a + b == 0)
        return -1;
    if (*p == 'e' || *p == 'E') {
        p += 1 + (p[1] == '+' || p[1] == '-');
        p = digits(p, &c);
        if (!c)
            return -1;
    }
    if (*p)
        return -1;
    /* the syntax is plain decimal: strtod reads exactly what was checked */
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

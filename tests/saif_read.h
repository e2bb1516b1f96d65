/*
 * saif_read.h - a small SAIF reader for the tests (independent of
 * csrc/power/saif.c): checks the file's structure (balanced parentheses, the
 * header entries, DURATION, every net with T0, T1, TX, TC, IG and
 * T0 + T1 + TX = DURATION) and collects every net as "inst/inst/net" with
 * its figures. Criterion asserts on any structural error.
 */
#ifndef SPARSECIM_SAIF_READ_H
#define SPARSECIM_SAIF_READ_H

#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sr_net {
    char path[256];
    unsigned long long t0, t1, tx, tc;
} sr_net;

typedef struct sr_file {
    unsigned long long duration;
    char timescale[32], design[64];
    sr_net *nets;
    long n, cap;
} sr_file;

typedef struct sr_lex {
    const char *p;
    char tok[256];
} sr_lex;

/* Next token: "(", ")", a quoted string (without quotes) or a word (escapes kept). */
static int sr_next(sr_lex *l)
{
    while (isspace((unsigned char)*l->p))
        l->p++;
    if (!*l->p)
        return 0;
    size_t k = 0;
    if (*l->p == '(' || *l->p == ')') {
        l->tok[0] = *l->p++;
        l->tok[1] = 0;
        return 1;
    }
    if (*l->p == '"') {
        l->p++;
        while (*l->p && *l->p != '"' && k + 1 < sizeof l->tok)
            l->tok[k++] = *l->p++;
        cr_assert_eq(*l->p, '"', "SAIF: unterminated string");
        l->p++;
    } else {
        while (*l->p && !isspace((unsigned char)*l->p) && *l->p != '(' && *l->p != ')' && k + 2 < sizeof l->tok) {
            if (*l->p == '\\')
                l->tok[k++] = *l->p++;
            l->tok[k++] = *l->p++;
        }
    }
    l->tok[k] = 0;
    return 1;
}

static void sr_expect(sr_lex *l, const char *want)
{
    cr_assert(sr_next(l) && !strcmp(l->tok, want), "SAIF: expected '%s', got '%s'", want, l->tok);
}

static unsigned long long sr_num(sr_lex *l)
{
    cr_assert(sr_next(l), "SAIF: expected a number");
    char *end;
    unsigned long long v = strtoull(l->tok, &end, 10);
    cr_assert(!*end && end != l->tok, "SAIF: expected a number, got '%s'", l->tok);
    return v;
}

/* (INSTANCE name (NET ...) (INSTANCE ...) ...), the "(INSTANCE" already read. */
static void sr_instance(sr_lex *l, sr_file *f, const char *prefix)
{
    char path[256];
    cr_assert(sr_next(l) && strcmp(l->tok, "(") && strcmp(l->tok, ")"), "SAIF: instance without a name");
    cr_assert_lt(strlen(prefix) + strlen(l->tok) + 2, sizeof path, "SAIF: path too long");
    snprintf(path, sizeof path, "%.120s%s%.120s", prefix, *prefix ? "/" : "", l->tok);
    for (;;) {
        cr_assert(sr_next(l), "SAIF: file ends inside INSTANCE %s", path);
        if (!strcmp(l->tok, ")"))
            return;
        cr_assert_str_eq(l->tok, "(", "SAIF: in %s", path);
        cr_assert(sr_next(l), "SAIF: file ends");
        if (!strcmp(l->tok, "INSTANCE")) {
            sr_instance(l, f, path);
            continue;
        }
        cr_assert_str_eq(l->tok, "NET", "SAIF: in %s: expected NET or INSTANCE", path);
        for (;;) {
            cr_assert(sr_next(l), "SAIF: file ends in NET");
            if (!strcmp(l->tok, ")"))
                break;
            cr_assert_str_eq(l->tok, "(");
            cr_assert(sr_next(l));
            sr_net n = {{0}, 0, 0, 0, 0};
            cr_assert_lt(strlen(path) + strlen(l->tok) + 2, sizeof n.path, "SAIF: path too long");
            snprintf(n.path, sizeof n.path, "%.120s/%.120s", path, l->tok);
            int seen = 0;
            for (;;) {
                cr_assert(sr_next(l));
                if (!strcmp(l->tok, ")"))
                    break;
                cr_assert_str_eq(l->tok, "(");
                cr_assert(sr_next(l));
                char key[8];
                snprintf(key, sizeof key, "%.7s", l->tok);
                unsigned long long v = sr_num(l);
                sr_expect(l, ")");
                if (!strcmp(key, "T0")) n.t0 = v, seen |= 1;
                else if (!strcmp(key, "T1")) n.t1 = v, seen |= 2;
                else if (!strcmp(key, "TX")) n.tx = v, seen |= 4;
                else if (!strcmp(key, "TC")) n.tc = v, seen |= 8;
                else if (!strcmp(key, "IG")) seen |= 16;
                else cr_assert_fail("SAIF: net %s: unknown entry %s", n.path, key);
            }
            cr_assert_eq(seen, 31, "SAIF: net %s lacks one of T0 T1 TX TC IG", n.path);
            cr_assert_eq(n.t0 + n.t1 + n.tx, f->duration, "SAIF: net %s: T0+T1+TX = %llu, DURATION %llu", n.path,
                         n.t0 + n.t1 + n.tx, f->duration);
            if (f->n == f->cap) {
                f->cap = f->cap ? 2 * f->cap : 1024;
                f->nets = realloc(f->nets, (size_t)f->cap * sizeof *f->nets);
                cr_assert_not_null(f->nets);
            }
            f->nets[f->n++] = n;
        }
    }
}

static void sr_parse(const char *text, sr_file *f)
{
    memset(f, 0, sizeof *f);
    sr_lex l = {text, {0}};
    sr_expect(&l, "(");
    sr_expect(&l, "SAIFILE");
    int have = 0;
    for (;;) {
        cr_assert(sr_next(&l), "SAIF: file ends before the closing ')'");
        if (!strcmp(l.tok, ")"))
            break;
        cr_assert_str_eq(l.tok, "(");
        cr_assert(sr_next(&l));
        if (!strcmp(l.tok, "INSTANCE")) {
            cr_assert_eq(have & 0x3f, 0x3f, "SAIF: INSTANCE before the header (%x)", have);
            sr_instance(&l, f, "");
            continue;
        }
        char key[32];
        snprintf(key, sizeof key, "%.31s", l.tok);
        if (!strcmp(key, "DURATION")) {
            f->duration = sr_num(&l);
            have |= 1;
            sr_expect(&l, ")");
        } else if (!strcmp(key, "TIMESCALE")) {
            unsigned long long n = sr_num(&l);
            cr_assert(sr_next(&l));
            snprintf(f->timescale, sizeof f->timescale, "%llu %.8s", n, l.tok);
            have |= 2;
            sr_expect(&l, ")");
        } else if (!strcmp(key, "SAIFVERSION")) {
            cr_assert(sr_next(&l) && !strcmp(l.tok, "2.0"), "SAIF version %s", l.tok);
            have |= 4;
            sr_expect(&l, ")");
        } else if (!strcmp(key, "DIRECTION")) {
            cr_assert(sr_next(&l) && !strcmp(l.tok, "backward"));
            have |= 8;
            sr_expect(&l, ")");
        } else if (!strcmp(key, "DESIGN")) {
            cr_assert(sr_next(&l));
            snprintf(f->design, sizeof f->design, "%.63s", l.tok);
            have |= 16;
            sr_expect(&l, ")");
        } else if (!strcmp(key, "DIVIDER")) {
            cr_assert(sr_next(&l) && !strcmp(l.tok, "/"));
            have |= 32;
            sr_expect(&l, ")");
        } else {
            /* VENDOR, PROGRAM_NAME, VERSION, DATE: one value */
            cr_assert(sr_next(&l));
            sr_expect(&l, ")");
        }
    }
    cr_assert(!sr_next(&l), "SAIF: text after the closing ')': %s", l.tok);
    cr_assert_gt(f->n, 0, "SAIF: no nets");
}

static const sr_net *sr_find(const sr_file *f, const char *path)
{
    for (long i = 0; i < f->n; i++)
        if (!strcmp(f->nets[i].path, path))
            return &f->nets[i];
    return NULL;
}

static char *sr_slurp(const char *path)
{
    FILE *fp = fopen(path, "r");
    cr_assert_not_null(fp, "%s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    cr_assert_not_null(b);
    cr_assert_eq(fread(b, 1, (size_t)n, fp), (size_t)n);
    b[n] = 0;
    fclose(fp);
    return b;
}

#endif

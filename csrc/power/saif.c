/* saif.c - SAIF 2.0 from a VCD dump (see saif.h). */
#define _POSIX_C_SOURCE 200809L
#include "power/saif.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/num.h"
#include "util/outfile.h"

/* Per net bit: time at 0, 1, X/Z (index = value), transitions, last change. */
typedef struct bit_state {
    uint64_t t[3];
    uint64_t tc;
    int64_t last;
    uint8_t v;          /* 0, 1, 2 = X or Z */
} bit_state;

/* One VCD identifier code (several $vars may alias it). */
typedef struct sig {
    char *id;
    int width;
    size_t base;        /* first bit in the bit array; bit k = value position k from the LSB */
} sig;

typedef struct var {
    int scope, sig;
    char *name;
    int msb, lsb;       /* declared range (msb = lsb = -1: scalar without range) */
    int dup;            /* 1: an earlier $var of its scope has its name (written once) */
    int next;           /* the next $var of its scope, -1 */
} var;

typedef struct scope {
    char *name;
    int parent;
    int depth;          /* 0 for a top scope */
    int first_var, last_var;    /* its $vars in order (var.next), -1 */
    int first_kid, last_kid, next_sib;  /* its child scopes in order, -1 */
} scope;

typedef struct vcd {
    const char *path;
    long line;
    bnn_error *err;
    scope *scopes;
    int n_scopes, cap_scopes;
    var *vars;
    int n_vars, cap_vars;
    sig *sigs;
    int n_sigs, cap_sigs;
    int *table;         /* open addressing: sig index + 1, 0 empty */
    size_t table_size;
    bit_state *bits;
    size_t n_bits;
    uint64_t net_bits;  /* bits of all $vars, aliases included: the nets the SAIF will list (SAIF_MAX_BITS) */
    char timescale[32];
    int64_t start, end, now, first_ts, last_ts;
    int have_ts, end_given;
    long changes;
    uint64_t filled;    /* bits filled by extending short vector values (SAIF_MAX_FILL) */
    int failed;         /* an error message is set: later ones do not replace it */
} vcd;

/* Sets the error "FILE:LINE: what" (the first one stands: a failing
 * tokenizer's reason is not replaced by its caller's "expected ...") */
static int fail(vcd *v, const char *fmt, ...)
{
    if (v->failed)
        return -1;
    v->failed = 1;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(v->err->msg, sizeof v->err->msg, "%.100s:%ld: %s", v->path, v->line, msg);
    return -1;
}

static uint64_t hash_id(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int find_sig(const vcd *v, const char *id)
{
    if (!v->table)
        return -1;
    for (size_t i = hash_id(id) & (v->table_size - 1);; i = (i + 1) & (v->table_size - 1)) {
        int k = v->table[i];
        if (!k)
            return -1;
        if (!strcmp(v->sigs[k - 1].id, id))
            return k - 1;
    }
}

/* Adds sig index s to the hash table, doubling it at half load. */
static int table_add(vcd *v, int s)
{
    if (2 * ((size_t)v->n_sigs + 1) > v->table_size) {
        size_t n = v->table_size ? 2 * v->table_size : 1024;
        int *t = calloc(n, sizeof *t);
        if (!t)
            return -1;
        free(v->table);
        v->table = t;
        v->table_size = n;
        for (int k = 0; k < s; k++) {
            size_t i = hash_id(v->sigs[k].id) & (n - 1);
            while (v->table[i])
                i = (i + 1) & (n - 1);
            v->table[i] = k + 1;
        }
    }
    size_t i = hash_id(v->sigs[s].id) & (v->table_size - 1);
    while (v->table[i])
        i = (i + 1) & (v->table_size - 1);
    v->table[i] = s + 1;
    return 0;
}

static int grow(void **a, int *cap, int n, size_t elem)
{
    if (n < *cap)
        return 0;
    int c = *cap ? 2 * *cap : 64;
    void *na = realloc(*a, (size_t)c * elem);
    if (!na)
        return -1;
    *a = na;
    *cap = c;
    return 0;
}

/* Appends element idx to a list of scopes or vars held as the indices of
 * its first and last elements, each element naming the next by index:
 * next_of_last is the link field of element *last (NULL when empty). */
static void list_append(int *first, int *last, int *next_of_last, int idx)
{
    if (next_of_last)
        *next_of_last = idx;
    else
        *first = idx;
    *last = idx;
}

/* A byte a VCD (text) may hold: printable ASCII or white space. */
static int text_byte(int ch) { return (ch >= 0x20 && ch < 0x7f) || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v'; }

static int bad_byte(vcd *v, int ch)
{
    return fail(v, "byte 0x%02x: binary data, not a VCD text file", ch & 0xff);
}

/* Header: $timescale, $scope, $var, $upscope, up to $enddefinitions. Tokens
 * may spread over lines, so the header is read as one token stream.
 * Returns 1 with a token in buf, 0 at the end of the file, -1 on a token
 * longer than the buffer or a non-text byte (message set). */
static int next_tok(vcd *v, FILE *f, char *buf, size_t n)
{
    int ch;
    while ((ch = getc(f)) != EOF && isspace(ch))
        if (ch == '\n')
            v->line++;
    if (ch == EOF)
        return 0;
    size_t k = 0;
    do {
        if (!text_byte(ch))
            return bad_byte(v, ch);
        if (k + 1 >= n)
            return fail(v, "a token longer than %zu bytes", n - 1);
        buf[k++] = (char)ch;
    } while ((ch = getc(f)) != EOF && !isspace(ch));
    if (ch == '\n')
        ungetc(ch, f);   /* counted with the next token: v->line is the line of this one */
    buf[k] = 0;
    return 1;
}

/* The next token of a header section: at the end of the file, "file ends
 * inside WHAT". 0 or -1. */
static int need_tok(vcd *v, FILE *f, char *buf, size_t n, const char *what)
{
    int r = next_tok(v, f, buf, n);
    if (r == 0)
        return fail(v, "file ends inside %s (truncated VCD)", what);
    return r < 0 ? -1 : 0;
}

/* Skips a section to its $end. */
static int skip_section(vcd *v, FILE *f, const char *what)
{
    char tok[4096];
    do {
        if (need_tok(v, f, tok, sizeof tok, what))
            return -1;
    } while (strcmp(tok, "$end"));
    return 0;
}

/* A declared range "[MSB:LSB]" or "[BIT]", int32 indices; its width as int64. */
static int parse_range(const char *rng, int *msb, int *lsb, int64_t *width)
{
    int64_t a, b;
    const char *p = rng[0] == '[' ? num_i64(rng + 1, INT32_MIN, INT32_MAX, &a) : NULL;
    if (!p)
        return -1;
    if (*p == ':')
        p = num_i64(p + 1, INT32_MIN, INT32_MAX, &b);
    else
        b = a;
    if (!p || strcmp(p, "]"))
        return -1;
    *msb = (int)a;
    *lsb = (int)b;
    *width = (a > b ? a - b : b - a) + 1;
    return 0;
}

/* $enddefinitions $end: the header is complete. */
static int hdr_end(vcd *v, FILE *f, int cur)
{
    char tok[4096];
    if (need_tok(v, f, tok, sizeof tok, "$enddefinitions") || strcmp(tok, "$end"))
        return fail(v, "expected $end after $enddefinitions");
    if (cur != -1)
        return fail(v, "$enddefinitions inside scope '%s' (missing $upscope)", v->scopes[cur].name);
    if (!v->n_vars)
        return fail(v, "no $var declarations");
    return 0;
}

/* $timescale NUMBER UNIT $end (or NUMBERUNIT): v->timescale = "NUMBER UNIT". */
static int hdr_timescale(vcd *v, FILE *f)
{
    char tok[4096], ts[32] = "";
    for (;;) {
        if (need_tok(v, f, tok, sizeof tok, "$timescale"))
            return -1;
        if (!strcmp(tok, "$end"))
            break;
        if (strlen(ts) + strlen(tok) + 2 < sizeof ts)
            strcat(strcat(ts, *ts ? " " : ""), tok);
    }
    /* "1ns" -> "1 ns" */
    size_t d = strspn(ts, "0123456789");
    if (d == 0 || d == strlen(ts))
        return fail(v, "expected a $timescale like '1ns' or '1 ps', got '%s'", ts);
    snprintf(v->timescale, sizeof v->timescale, "%.*s %s", (int)d, ts, ts[d] == ' ' ? ts + d + 1 : ts + d);
    return 0;
}

/* $scope TYPE NAME $end: a new scope inside *cur, which it becomes. */
static int hdr_scope(vcd *v, FILE *f, int *cur)
{
    char tok[4096], kind[64], name[1024];
    if (need_tok(v, f, kind, sizeof kind, "$scope") || need_tok(v, f, name, sizeof name, "$scope") ||
        need_tok(v, f, tok, sizeof tok, "$scope") || strcmp(tok, "$end"))
        return fail(v, "expected '$scope TYPE NAME $end'");
    if (*cur >= 0 && v->scopes[*cur].depth + 1 >= SAIF_MAX_DEPTH)
        return fail(v, "$scope %s: scopes nested more than %d deep (the limit)", name, SAIF_MAX_DEPTH);
    if (grow((void **)&v->scopes, &v->cap_scopes, v->n_scopes, sizeof *v->scopes) ||
        !(v->scopes[v->n_scopes].name = strdup(name)))
        return fail(v, "out of memory");
    scope *sc = &v->scopes[v->n_scopes];
    sc->parent = *cur;
    sc->depth = *cur < 0 ? 0 : v->scopes[*cur].depth + 1;
    sc->first_var = sc->last_var = sc->first_kid = sc->last_kid = sc->next_sib = -1;
    if (*cur >= 0) {
        scope *p = &v->scopes[*cur];
        list_append(&p->first_kid, &p->last_kid, p->last_kid < 0 ? NULL : &v->scopes[p->last_kid].next_sib,
                    v->n_scopes);
    }
    *cur = v->n_scopes++;
    return 0;
}

/* $upscope $end: *cur becomes its parent. */
static int hdr_upscope(vcd *v, FILE *f, int *cur)
{
    char tok[4096];
    if (need_tok(v, f, tok, sizeof tok, "$upscope") || strcmp(tok, "$end"))
        return fail(v, "expected $end after $upscope");
    if (*cur < 0)
        return fail(v, "$upscope without an open $scope");
    *cur = v->scopes[*cur].parent;
    return 0;
}

/* One $var's fields as declared. */
typedef struct var_decl {
    char id[64], name[1024], rng[128];
    int64_t width;
    int msb, lsb;           /* -1: no range */
} var_decl;

/* $var TYPE WIDTH ID NAME [RANGE] $end (a range may be glued to the name). */
static int var_read(vcd *v, FILE *f, int cur, var_decl *d)
{
    char tok[4096], type[64], width_s[32];
    d->rng[0] = 0;
    if (need_tok(v, f, type, sizeof type, "$var") || need_tok(v, f, width_s, sizeof width_s, "$var") ||
        need_tok(v, f, d->id, sizeof d->id, "$var") || need_tok(v, f, d->name, sizeof d->name, "$var"))
        return fail(v, "expected '$var TYPE WIDTH ID NAME [RANGE] $end'");
    if (cur < 0)
        return fail(v, "$var '%s' outside any $scope", d->name);
    if (num_parse_i64(width_s, 1, SAIF_MAX_WIDTH, &d->width))
        return fail(v, "$var %s: expected a width of 1..%d bits (the limit), got '%s'", d->name, SAIF_MAX_WIDTH,
                    width_s);
    if (need_tok(v, f, tok, sizeof tok, "$var"))
        return -1;
    if (strcmp(tok, "$end")) {
        snprintf(d->rng, sizeof d->rng, "%.127s", tok);
        if (need_tok(v, f, tok, sizeof tok, "$var") || strcmp(tok, "$end"))
            return fail(v, "$var %s: expected $end after the range", d->name);
    }
    /* a range glued to the name: "bus[7:0]" */
    char *br = strchr(d->name, '[');
    if (!d->rng[0] && br && strchr(br, ':')) {
        snprintf(d->rng, sizeof d->rng, "%.127s", br);
        *br = 0;
    }
    d->msb = d->lsb = -1;
    if (d->rng[0]) {
        int64_t rw;
        if (parse_range(d->rng, &d->msb, &d->lsb, &rw))
            return fail(v, "$var %s: expected a range [MSB:LSB] or [BIT] of 32-bit indices, got '%s'", d->name,
                        d->rng);
        if (rw != d->width)
            return fail(v, "$var %s: range %s (%lld bits) does not match width %lld", d->name, d->rng, (long long)rw,
                        (long long)d->width);
    }
    return 0;
}

/* The signal of d's identifier (new, or an alias of the same width): its index, or -1. */
static int var_signal(vcd *v, const var_decl *d)
{
    const int64_t w = d->width;
    int s = find_sig(v, d->id);
    if (s >= 0 && v->sigs[s].width != w)
        return fail(v, "$var %s: identifier '%s' declared with widths %d and %lld", d->name, d->id, v->sigs[s].width,
                    (long long)w);
    if (s >= 0)
        return s;
    if (grow((void **)&v->sigs, &v->cap_sigs, v->n_sigs, sizeof *v->sigs) || !(v->sigs[v->n_sigs].id = strdup(d->id)))
        return fail(v, "out of memory");
    v->sigs[v->n_sigs].width = (int)w;
    v->sigs[v->n_sigs].base = v->n_bits;
    v->n_bits += (size_t)w;
    if (table_add(v, v->n_sigs))
        return fail(v, "out of memory");
    return v->n_sigs++;
}

/* $var ... $end: a variable of scope cur. */
static int hdr_var(vcd *v, FILE *f, int cur)
{
    var_decl d;
    if (var_read(v, f, cur, &d))
        return -1;
    if (v->net_bits + (uint64_t)d.width > SAIF_MAX_BITS)
        return fail(v, "$var %s: more than %d net bits in the dump, aliases included (the limit)", d.name,
                    SAIF_MAX_BITS);
    v->net_bits += (uint64_t)d.width;
    int s = var_signal(v, &d);
    if (s < 0)
        return -1;
    if (grow((void **)&v->vars, &v->cap_vars, v->n_vars, sizeof *v->vars) ||
        !(v->vars[v->n_vars].name = strdup(d.name)))
        return fail(v, "out of memory");
    v->vars[v->n_vars] = (var){cur, s, v->vars[v->n_vars].name, d.msb, d.lsb, 0, -1};
    scope *sc = &v->scopes[cur];
    list_append(&sc->first_var, &sc->last_var, sc->last_var < 0 ? NULL : &v->vars[sc->last_var].next, v->n_vars);
    v->n_vars++;
    return 0;
}

static int read_header(vcd *v, FILE *f)
{
    char tok[4096];
    int cur = -1, r = 0, rc = 0;
    while (!rc && (r = next_tok(v, f, tok, sizeof tok)) > 0) {
        if (!strcmp(tok, "$enddefinitions"))
            return hdr_end(v, f, cur);
        if (!strcmp(tok, "$timescale")) {
            rc = hdr_timescale(v, f);
        } else if (!strcmp(tok, "$scope")) {
            rc = hdr_scope(v, f, &cur);
        } else if (!strcmp(tok, "$upscope")) {
            rc = hdr_upscope(v, f, &cur);
        } else if (!strcmp(tok, "$var")) {
            rc = hdr_var(v, f, cur);
        } else if (tok[0] == '$') {
            /* $date, $version, $comment and unknown sections: skip to $end */
            char what[80];
            snprintf(what, sizeof what, "%.60s", tok);
            rc = skip_section(v, f, what);
        } else {
            return fail(v, "expected a $keyword in the header, got '%.40s'", tok);
        }
    }
    if (rc || r < 0)
        return -1;
    return fail(v, "file ends inside the header, before $enddefinitions (truncated VCD?)");
}

static void account(vcd *v, bit_state *b, int64_t t)
{
    int64_t a = b->last > v->start ? b->last : v->start;
    int64_t z = t < v->end ? t : v->end;
    if (z > a)
        b->t[b->v] += (uint64_t)(z - a);
    b->last = t;
}

static void set_bit(vcd *v, bit_state *b, uint8_t nv)
{
    if (nv == b->v)
        return;
    account(v, b, v->now);
    if (b->v < 2 && nv < 2 && v->now >= v->start && v->now < v->end)
        b->tc++;
    b->v = nv;
}

static int val_of(int ch)
{
    switch (ch) {
    case '0': return 0;
    case '1': return 1;
    case 'x': case 'X': case 'z': case 'Z': return 2;
    default: return -1;
    }
}

static int change(vcd *v, const char *value, const char *id, int vector)
{
    int s = find_sig(v, id);
    if (s < 0)
        return fail(v, "value change of undeclared identifier '%.20s'", id);
    const sig *g = &v->sigs[s];
    size_t n = strlen(value);
    if (!vector && n != 1)
        return fail(v, "expected a scalar value change");
    if (n > (size_t)g->width)
        return fail(v, "value of %zu bits for identifier '%.20s' of width %d", n, id, g->width);
    if (n < (size_t)g->width) {
        v->filled += (uint64_t)g->width - n;
        if (v->filled > SAIF_MAX_FILL)
            return fail(v, "short vector values extended to more than %llu bits in all (the limit)",
                        (unsigned long long)SAIF_MAX_FILL);
    }
    int lead = val_of((unsigned char)value[0]);
    if (lead < 0)
        return fail(v, "expected 0, 1, x or z digits, got '%c'", value[0]);
    uint8_t ext = (uint8_t)(lead == 1 ? 0 : lead);
    for (int k = 0; k < g->width; k++) {   /* k = position from the LSB */
        int c = (size_t)k < n ? val_of((unsigned char)value[n - 1 - (size_t)k]) : ext;
        if (c < 0)
            return fail(v, "expected 0, 1, x or z digits, got '%c'", value[n - 1 - (size_t)k]);
        set_bit(v, &v->bits[g->base + (size_t)k], (uint8_t)c);
    }
    v->changes++;
    return 0;
}

/* Reads one line (at most SAIF_MAX_LINE bytes) into buf. Returns its
 * length, -1 at the end of the file, -2 on an error (message set). *nl:
 * the line ended with a newline. */
static long read_line(vcd *v, FILE *f, char *buf, int *nl)
{
    long k = 0;
    int ch;
    *nl = 0;
    while ((ch = getc(f)) != EOF) {
        if (ch == '\n') {
            *nl = 1;
            break;
        }
        if (!text_byte(ch))
            return bad_byte(v, ch), -2;
        if (k >= SAIF_MAX_LINE)
            return fail(v, "a line longer than %d bytes", SAIF_MAX_LINE), -2;
        buf[k++] = (char)ch;
    }
    if (ch == EOF && k == 0)
        return -1;
    buf[k] = 0;
    return k;
}

static int read_changes(vcd *v, FILE *f)
{
    char *line = malloc((size_t)SAIF_MAX_LINE + 1);
    if (!line)
        return fail(v, "out of memory");
    long len;
    int rc = 0, nl = 1, in_comment = 0;
    /* v->line: the header's last line, whose rest is read first */
    for (; !rc && (len = read_line(v, f, line, &nl)) >= 0; v->line++) {
        if (!nl) {
            rc = fail(v, "file ends inside a record (no newline after the last line: truncated VCD?)");
            break;
        }
        char *save = NULL, *tok = strtok_r(line, " \t\r\n\f\v", &save);
        for (; tok && !rc; tok = strtok_r(NULL, " \t\r\n\f\v", &save)) {
            if (in_comment) {   /* $comment ... $end, possibly over lines */
                in_comment = strcmp(tok, "$end") != 0;
                continue;
            }
            if (tok[0] == '#') {
                int64_t t;
                if (num_parse_i64(tok + 1, v->have_ts ? v->now : 0, SAIF_MAX_TIME, &t)) {
                    rc = fail(v, "expected a timestamp #T, %lld <= T <= 2^62, got '%.30s'", (long long)v->now, tok);
                    break;
                }
                if (!v->have_ts) {
                    v->first_ts = t;
                    if (v->start < 0)
                        v->start = t;
                    v->have_ts = 1;
                }
                v->now = v->last_ts = t;
            } else if (tok[0] == 'b' || tok[0] == 'B' || tok[0] == 'r' || tok[0] == 'R') {
                char *id = strtok_r(NULL, " \t\r\n\f\v", &save);
                if (!id)
                    rc = fail(v, "expected an identifier after the vector value");
                else if (!v->have_ts)
                    rc = fail(v, "value change before the first timestamp");
                else if (tok[0] == 'b' || tok[0] == 'B')
                    rc = change(v, tok + 1, id, 1);
            } else if (tok[0] == '$') {
                in_comment = !strcmp(tok, "$comment");
                /* $dumpvars, $dumpall, $dumpon, $dumpoff, $end: values follow as usual */
            } else if (val_of((unsigned char)tok[0]) >= 0) {
                if (!v->have_ts)
                    rc = fail(v, "value change before the first timestamp");
                else if (!tok[1])
                    rc = fail(v, "expected an identifier after the scalar value '%c'", tok[0]);
                else {
                    char one[2] = {tok[0], 0};
                    rc = change(v, one, tok + 1, 0);
                }
            } else {
                rc = fail(v, "expected a timestamp or a value change, got '%.30s'", tok);
            }
        }
    }
    free(line);
    if (!rc && len == -2)
        rc = -1;
    if (!rc && ferror(f))
        rc = fail(v, "read error: %s", strerror(errno));
    if (!rc && in_comment)
        rc = fail(v, "file ends inside $comment (truncated VCD?)");
    return rc;
}

/* SAIF identifier: backslash before anything but letters, digits and '_'. */
static void put_name(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (!isalnum((unsigned char)*s) && *s != '_')
            fputc('\\', f);
        fputc(*s, f);
    }
}

static void put_bit(FILE *f, const char *name, int idx, const bit_state *b, int indent)
{
    fprintf(f, "%*s(", indent, "");
    put_name(f, name);
    if (idx >= 0)
        fprintf(f, "\\[%d\\]", idx);
    fprintf(f, " (T0 %llu) (T1 %llu) (TX %llu) (TC %llu) (IG 0))\n", (unsigned long long)b->t[0],
            (unsigned long long)b->t[1], (unsigned long long)b->t[2], (unsigned long long)b->tc);
}

/* Marks each $var whose name an earlier $var of the same scope has (an
 * alias: written once), by sorting (scope, name, index): O(n log n), so a
 * dump with many nets in one scope costs no quadratic scan. 0 or -1 (OOM). */
typedef struct var_key {
    int scope, i;
    const char *name;
} var_key;

static int by_scope_name(const void *a, const void *b)
{
    const var_key *x = a, *y = b;
    if (x->scope != y->scope)
        return x->scope < y->scope ? -1 : 1;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int mark_dups(vcd *v)
{
    var_key *k = malloc((size_t)(v->n_vars ? v->n_vars : 1) * sizeof *k);
    if (!k)
        return -1;
    for (int i = 0; i < v->n_vars; i++)
        k[i] = (var_key){v->vars[i].scope, i, v->vars[i].name};
    qsort(k, (size_t)v->n_vars, sizeof *k, by_scope_name);
    for (int i = 1; i < v->n_vars; i++)
        if (k[i].scope == k[i - 1].scope && !strcmp(k[i].name, k[i - 1].name))
            v->vars[k[i].i].dup = 1;
    free(k);
    return 0;
}

static long write_scope(FILE *f, const vcd *v, int s)
{
    long nets = 0;
    int ind = 2 * v->scopes[s].depth;
    fprintf(f, "%*s(INSTANCE ", ind, "");
    put_name(f, v->scopes[s].name);
    fprintf(f, "\n");
    int opened = 0;
    for (int i = v->scopes[s].first_var; i >= 0; i = v->vars[i].next) {
        const var *x = &v->vars[i];
        if (x->dup)
            continue;   /* a name declared twice in one scope (aliases) is written once */
        if (!opened) {
            fprintf(f, "%*s(NET\n", ind + 2, "");
            opened = 1;
        }
        const sig *g = &v->sigs[x->sig];
        for (int k = g->width - 1; k >= 0; k--) {
            int idx = x->msb < 0 ? (g->width > 1 ? k : -1) : (x->msb >= x->lsb ? x->lsb + k : x->lsb - k);
            put_bit(f, x->name, idx, &v->bits[g->base + (size_t)k], ind + 4);
            nets++;
        }
    }
    if (opened)
        fprintf(f, "%*s)\n", ind + 2, "");
    for (int c = v->scopes[s].first_kid; c >= 0; c = v->scopes[c].next_sib)
        nets += write_scope(f, v, c);   /* recursion depth < SAIF_MAX_DEPTH */
    fprintf(f, "%*s)\n", ind, "");
    return nets;
}

static void vcd_free(vcd *v)
{
    for (int i = 0; i < v->n_scopes; i++)
        free(v->scopes[i].name);
    for (int i = 0; i < v->n_vars; i++)
        free(v->vars[i].name);
    for (int i = 0; i < v->n_sigs; i++)
        free(v->sigs[i].id);
    free(v->scopes);
    free(v->vars);
    free(v->sigs);
    free(v->table);
    free(v->bits);
}

/* The SAIF file of the read dump v (its window accounted), atomically; st
 * (may be NULL) filled. 0 or -1. */
static int write_saif(const vcd *v, const saif_opts *o, const char *saif_path, const char *const *ins, saif_stats *st,
                      bnn_error *err)
{
    out_file out = {0};
    if (out_open(&out, saif_path, ins, 1, err))
        return -1;
    int top = 0, rc = 0;
    fprintf(out.f, "(SAIFILE\n(SAIFVERSION \"2.0\")\n(DIRECTION \"backward\")\n(DESIGN \"");
    put_name(out.f, o && o->design ? o->design : v->scopes[top].name);
    fprintf(out.f, "\")\n(VENDOR \"sparsecim\")\n(PROGRAM_NAME \"sparsecim saif\")\n(VERSION \"1\")\n"
                   "(DIVIDER / )\n(TIMESCALE %s)\n(DURATION %lld)\n",
            v->timescale, (long long)(v->end - v->start));
    long nets = 0;
    for (int s = 0; s < v->n_scopes; s++)
        if (v->scopes[s].parent < 0)
            nets += write_scope(out.f, v, s);
    fprintf(out.f, ")\n");
    if (out_commit(&out, err)) {
        rc = -1;
    } else if (st) {
        st->nets = nets;
        st->vars = v->n_vars;
        st->changes = v->changes;
        st->duration = v->end - v->start;
        snprintf(st->timescale, sizeof st->timescale, "%s", v->timescale);
    }
    out_abort(&out);
    return rc;
}

int saif_from_vcd(const char *vcd_path, const char *saif_path, const saif_opts *o, saif_stats *st, bnn_error *err)
{
    vcd v = {.path = vcd_path, .line = 1, .err = err, .start = o && o->start >= 0 ? o->start : -1};
    v.end_given = o && o->end >= 0;
    v.end = v.end_given ? o->end : INT64_MAX;
    snprintf(v.timescale, sizeof v.timescale, "1 ns");
    if (v.end_given && v.start >= 0 && v.end <= v.start) {
        snprintf(err->msg, sizeof err->msg, "saif: window %lld..%lld is empty", (long long)v.start,
                 (long long)v.end);
        return -1;
    }
    FILE *f = fopen(vcd_path, "r");
    struct stat fs;
    if (!f || fstat(fileno(f), &fs) || S_ISDIR(fs.st_mode)) {
        int e = f && S_ISDIR(fs.st_mode) ? EISDIR : errno;
        if (f)
            fclose(f);
        bnn_set_err(err, "%.200s: cannot open: %s", vcd_path, strerror(e));
        return -1;
    }
    /* the output is checked now and created only when the dump has been read */
    const char *ins[] = {vcd_path};
    if (out_check(saif_path, ins, 1, err)) {
        fclose(f);
        return -1;
    }
    int rc = read_header(&v, f);
    if (!rc && mark_dups(&v))
        rc = fail(&v, "out of memory");
    if (!rc) {
        v.bits = malloc(v.n_bits * sizeof *v.bits);
        if (!v.bits)
            rc = fail(&v, "out of memory (%zu net bits)", v.n_bits);
        for (size_t i = 0; !rc && i < v.n_bits; i++)
            v.bits[i] = (bit_state){.last = INT64_MIN, .v = 2};
    }
    if (!rc)
        rc = read_changes(&v, f);
    fclose(f);
    if (!rc && !v.have_ts)
        rc = fail(&v, "no timestamp: the dump holds no values");
    if (!rc) {
        if (!v.end_given)
            v.end = v.last_ts;
        if (v.end <= v.start)
            rc = fail(&v, "window %lld..%lld is empty (timestamps %lld..%lld)", (long long)v.start,
                      (long long)v.end, (long long)v.first_ts, (long long)v.last_ts);
    }
    if (!rc) {
        for (size_t i = 0; i < v.n_bits; i++)
            account(&v, &v.bits[i], v.end);
        rc = write_saif(&v, o, saif_path, ins, st, err);
    }
    vcd_free(&v);
    return rc;
}

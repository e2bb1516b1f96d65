/* cli_part.c - exact merging of split-run reports (see cli_part.h). */
#include "cli/cli_part.h"
#include "util/infile.h"

#include <limits.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The top-level fields every part must share (written the same), and what
 * a difference means. */
static const struct {
    const char *key, *what;
} same_fields[] = {
    {"command", "command"},
    {"model_bytes", "model (.bnn size)"},
    {"model_crc", "model (.bnn CRC-32)"},
    {"data", "data"},
    {"backend", "back end"},
    {"geometry", "geometry"},
    {"col_group", "geometry (column group)"},
    {"acc_w", "geometry (accumulator width)"},
    {"gating", "option (gating)"},
    {"gate", "option --gate"},
    {"skip", "option --no-skip"},
    {"unit", "option --unit"},
    {"layout", "option --layout"},
    {"skip_channels", "option --skip-channels"},
    {"dynamic_move", "option --dynamic-move"},
    {"stationary", "option --stationary"},
    {"zero_flags", "option --no-zero-flags"},
    {"remap", "option --remap"},
    {"remap_images", "option --remap-count"},
    {"remap_offset", "option --remap-offset"},
    {"energy_profile_crc", "energy profile (CRC-32)"},
};

static int say(char *msg, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, n, fmt, ap);
    va_end(ap);
    return -1;
}

void cli_part_free(cli_part *p)
{
    if (!p)
        return;
    json_decref(p->doc);
    free(p->text);
    free(p->pred);
    free(p->chained);
    free(p->ref_pred);
    free(p->label);
    free(p->ls);
    memset(p, 0, sizeof *p);
}

/* "FILE:L:C: CTXexpected WHAT for "KEY"", the place of the value at (or of
 * the object that lacks it); ctx NULL or e.g. "layer 'x': ". */
static int bad_ctx(const cli_part *p, const jl_at *at, const char *ctx, const char *what, char *msg, size_t n)
{
    char key[200] = "", place[64] = "";
    if (at->up && at->key) {
        char q[160];
        bnn_quote(q, sizeof q, at->key, 40);
        snprintf(key, sizeof key, " for \"%s\"", q);
    } else if (at->up) {
        snprintf(key, sizeof key, " for entry %zu", at->index);
    }
    if (p->text) {   /* a merged part has none: its tree is a shard's */
        int line, col;
        jl_where(at, p->text, p->len, &line, &col);
        snprintf(place, sizeof place, ":%d:%d", line, col);
    }
    return say(msg, n, "%s%s: %sexpected %s%s", p->path, place, ctx ? ctx : "", what, key);
}

static int bad(const cli_part *p, const jl_at *at, const char *what, char *msg, size_t n)
{
    return bad_ctx(p, at, NULL, what, msg, n);
}

/* A non-negative integer member (u64), or an int member (i). */
static int get_u64(const cli_part *p, const jl_at *o, const char *key, uint64_t *v, char *msg, size_t n)
{
    jl_at m = jl_member(o, key);
    return jl_u64(&m, v) ? bad(p, &m, "a non-negative integer", msg, n) : 0;
}

static int get_int(const cli_part *p, const jl_at *o, const char *key, int *v, char *msg, size_t n)
{
    jl_at m = jl_member(o, key);
    return jl_int(&m, v) ? bad(p, &m, "an integer", msg, n) : 0;
}

static int get_long(const cli_part *p, const jl_at *o, const char *key, long *v, char *msg, size_t n)
{
    int i;
    if (get_int(p, o, key, &i, msg, n))
        return -1;
    *v = i;
    return 0;
}

/* A hex string of 1 to 16 digits. */
static int hex_of(const jl_at *m, uint64_t *v)
{
    const char *s = NULL;
    size_t len = jl_str(m, &s) ? 0 : strlen(s);
    if (len < 1 || len > 16 || strspn(s, "0123456789abcdefABCDEF") != len)
        return -1;
    *v = strtoull(s, NULL, 16);
    return 0;
}

static int get_hex(const cli_part *p, const jl_at *o, const char *key, uint64_t *v, char *msg, size_t n)
{
    jl_at m = jl_member(o, key);
    return hex_of(&m, v) ? bad(p, &m, "a hexadecimal string", msg, n) : 0;
}

/* An int array of p->images entries into *out (NULL when absent and optional). */
static int get_ints(const cli_part *p, const char *key, int optional, int **out, char *msg, size_t n)
{
    jl_at root = jl_root(p->doc), a = jl_member(&root, key);
    *out = NULL;
    if (!a.v && optional)
        return 0;
    if (!json_is_array(a.v) || json_array_size(a.v) != (size_t)p->images) {
        char what[64];
        snprintf(what, sizeof what, "an array of %d integers", p->images);
        return bad(p, &a, what, msg, n);
    }
    *out = calloc((size_t)(p->images ? p->images : 1), sizeof **out);
    if (!*out)
        return say(msg, n, "%s: out of memory", p->path);
    for (int i = 0; i < p->images; i++) {
        jl_at e = jl_item(&a, (size_t)i);
        if (jl_int(&e, &(*out)[i]))
            return bad(p, &e, "an integer", msg, n);
    }
    return 0;
}

/* Counts by event name (every event of act.h present). */
static int get_events(const cli_part *p, const jl_at *o, const char *key, act_counts *a, char *msg, size_t n)
{
    jl_at e = jl_member(o, key);
    memset(a, 0, sizeof *a);
    if (!json_is_object(e.v))
        return bad(p, &e, "an object of event counts", msg, n);
    for (int k = 0; k < ACT_NEVENTS; k++)
        if (get_u64(p, &e, act_event_name((act_event)k), &a->n[k], msg, n))
            return -1;
    return 0;
}

static int get_str(const cli_part *p, const jl_at *o, const char *key, char *buf, size_t bn, char *msg, size_t n)
{
    jl_at m = jl_member(o, key);
    const char *s = NULL;
    if (jl_str(&m, &s) || strlen(s) >= bn) {
        char what[64];
        snprintf(what, sizeof what, "a string of at most %zu bytes", bn - 1);
        return bad(p, &m, what, msg, n);
    }
    memcpy(buf, s, strlen(s) + 1);
    return 0;
}

/* The raw counters of one entry of "layers" (tb_layer_stats). */
static int get_layer_raw(const cli_part *p, const jl_at *l, tb_layer_stats *s, char *msg, size_t n)
{
    jl_at cnt = jl_member(l, "counters"), raw = jl_member(l, "raw");
    if (!json_is_object(cnt.v) || !json_is_object(raw.v)) {
        char q[160], ctx[200];
        bnn_quote(q, sizeof q, s->name, 40);
        snprintf(ctx, sizeof ctx, "layer '%s': ", q);
        return bad_ctx(p, json_is_object(cnt.v) ? &raw : &cnt, ctx, "an object (a report of an older sparsecim?)", msg,
                       n);
    }
    for (int k = 0; k < DUT_NCNT; k++)
        if (get_u64(p, &cnt, dut_cnt_names[k], &s->cnt[k], msg, n))
            return -1;
    return get_u64(p, &raw, "macs_per_image", &s->macs, msg, n) ||
                   get_u64(p, &raw, "planes_skipped", &s->planes_skipped, msg, n) ||
                   get_u64(p, &raw, "index_bits", &s->index_bits, msg, n) ||
                   get_u64(p, &raw, "act_mismatches", &s->act_mismatches, msg, n) ||
                   get_int(p, &raw, "have_ref", &s->have_ref, msg, n) ||
                   get_events(p, &raw, "static", &s->stat, msg, n) || get_events(p, &raw, "flat", &s->flat, msg, n)
               ? -1
               : 0;
}

/* One entry of "layers". */
static int get_layer(const cli_part *p, const jl_at *l, tb_layer_stats *s, char *msg, size_t n)
{
    if (!json_is_object(l->v))
        return bad(p, l, "an object", msg, n);
    if (get_str(p, l, "name", s->name, sizeof s->name, msg, n) ||
        get_str(p, l, "shape", s->shape, sizeof s->shape, msg, n) || get_int(p, l, "tiles", &s->tiles, msg, n) ||
        get_u64(p, l, "cycles", &s->cycles, msg, n) || get_u64(p, l, "mismatches", &s->mismatches, msg, n) ||
        get_u64(p, l, "jobs_run", &s->jobs_run, msg, n) || get_u64(p, l, "channels_total", &s->ch_total, msg, n) ||
        get_u64(p, l, "channels_zeroed", &s->ch_zeroed, msg, n) ||
        get_u64(p, l, "channels_skipped", &s->ch_skipped, msg, n))
        return -1;
    return get_layer_raw(p, l, s, msg, n);
}

static int get_layers(cli_part *p, char *msg, size_t n)
{
    jl_at root = jl_root(p->doc), a = jl_member(&root, "layers");
    if (!json_is_array(a.v) || json_array_size(a.v) > INT_MAX)
        return bad(p, &a, "an array", msg, n);
    p->nl = (int)json_array_size(a.v);
    p->ls = calloc((size_t)(p->nl ? p->nl : 1), sizeof *p->ls);
    if (!p->ls)
        return say(msg, n, "%s: out of memory", p->path);
    for (int i = 0; i < p->nl; i++) {
        jl_at l = jl_item(&a, (size_t)i);
        if (get_layer(p, &l, &p->ls[i], msg, n))
            return -1;
    }
    return 0;
}

static int get_shard(cli_part *p, char *msg, size_t n)
{
    jl_at root = jl_root(p->doc), s = jl_member(&root, "shard");
    p->have_shard = s.v != NULL;
    if (!s.v)
        return 0;
    cli_shard *h = &p->sh;
    if (get_int(p, &s, "index", &h->index, msg, n) || get_int(p, &s, "of", &h->of, msg, n) ||
        get_long(p, &s, "first", &h->first, msg, n) || get_long(p, &s, "count", &h->count, msg, n) ||
        get_long(p, &s, "run_first", &h->run_first, msg, n) || get_long(p, &s, "run_count", &h->run_count, msg, n) ||
        get_hex(p, &s, "state_start", &h->state_start, msg, n) || get_hex(p, &s, "state_end", &h->state_end, msg, n))
        return -1;
    if (h->of < 1 || h->index < 0 || h->index >= h->of || h->count != p->images) {
        int line, col;
        jl_where(&s, p->text, p->len, &line, &col);
        return say(msg, n, "%s:%d:%d: field 'shard': index %d of %d with %ld images, but the report has %d", p->path,
                   line, col, h->index, h->of, h->count, p->images);
    }
    return 0;
}

/* The top-level numbers: images, mismatches, wall_seconds. */
static int get_head(cli_part *p, char *msg, size_t n)
{
    jl_at root = jl_root(p->doc), w = jl_member(&root, "wall_seconds");
    if (!json_is_object(p->doc))
        return bad(p, &root, "an object (a report)", msg, n);
    if (get_int(p, &root, "images", &p->images, msg, n) || get_u64(p, &root, "mismatches", &p->mismatches, msg, n))
        return -1;
    if (jl_num(&w, &p->wall_seconds))
        return bad(p, &w, "a number", msg, n);
    if (p->images < 0) {
        jl_at i = jl_member(&root, "images");
        return bad(p, &i, "a non-negative integer", msg, n);
    }
    return 0;
}

int cli_part_load(const char *path, cli_part *p, char *msg, size_t n)
{
    bnn_error err;
    memset(p, 0, sizeof *p);
    snprintf(p->path, sizeof p->path, "%s", path);
    if (in_read_all(path, CLI_PART_MAX_BYTES, "a report", &p->text, &p->len, &err))
        return say(msg, n, "%s", err.msg);
    if (jl_parse(p->text, p->len, &p->doc, &err))
        return say(msg, n, "%s:%s (not a JSON report)", path, err.msg);
    return get_head(p, msg, n) || get_ints(p, "predictions", 0, &p->pred, msg, n) ||
                   get_ints(p, "chained_predictions", 0, &p->chained, msg, n) ||
                   get_ints(p, "reference_predictions", 0, &p->ref_pred, msg, n) ||
                   get_ints(p, "labels", 1, &p->label, msg, n) || get_layers(p, msg, n) || get_shard(p, msg, n)
               ? -1
               : 0;
}

/* ---- merging ---- */

/* Short text of a field for a message: the value as JSON (compact), at
 * most 40 bytes, quoted (bnn_quote: line ends and other bytes a message
 * line must not hold become \xHH). */
static void field_text(const json_t *v, char *buf, size_t n)
{
    char *t = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    bnn_quote(buf, n, t ? t : "(none)", 40);
    free(t);
}

static int check_same(const cli_part *a, const cli_part *b, char *msg, size_t n)
{
    for (size_t i = 0; i < sizeof same_fields / sizeof *same_fields; i++) {
        const json_t *x = json_object_get(a->doc, same_fields[i].key), *y = json_object_get(b->doc, same_fields[i].key);
        if ((!x && !y) || (x && y && json_equal(x, y)))
            continue;
        char tx[80], ty[80];
        field_text(x, tx, sizeof tx);
        field_text(y, ty, sizeof ty);
        return say(msg, n, "%s: different %s: '%s' is %s, but %s in %s", b->path, same_fields[i].what,
                   same_fields[i].key, ty, tx, a->path);
    }
    if (a->nl != b->nl)
        return say(msg, n, "%s: different model: %d layers, %s has %d", b->path, b->nl, a->path, a->nl);
    for (int i = 0; i < a->nl; i++) {
        const tb_layer_stats *x = &a->ls[i], *y = &b->ls[i];
        if (strcmp(x->name, y->name) || strcmp(x->shape, y->shape) || x->tiles != y->tiles || x->macs != y->macs) {
            char xn[160], xs[160], yn[160], ys[160];
            bnn_quote(xn, sizeof xn, x->name, 40);
            bnn_quote(xs, sizeof xs, x->shape, 40);
            bnn_quote(yn, sizeof yn, y->name, 40);
            bnn_quote(ys, sizeof ys, y->shape, 40);
            return say(msg, n, "%s: different model or mapping: layer %d is %s %s (%d tiles), %s has %s %s (%d tiles)",
                       b->path, i, yn, ys, y->tiles, a->path, xn, xs, x->tiles);
        }
    }
    if ((a->label == NULL) != (b->label == NULL))
        return say(msg, n, "%s: different data: labels %s, %s", b->path, b->label ? "present" : "absent", a->path);
    return 0;
}

static int by_first(const void *x, const void *y)
{
    const cli_part *a = *(const cli_part *const *)x, *b = *(const cli_part *const *)y;
    return a->sh.first < b->sh.first ? -1 : a->sh.first > b->sh.first ? 1 : a->sh.index - b->sh.index;
}

/* Image range text "F..L" (inclusive) of [first, first + count). */
static void range_text(long first, long count, char *buf, size_t n)
{
    if (count <= 0)
        snprintf(buf, n, "none");
    else
        snprintf(buf, n, "%ld..%ld", first, first + count - 1);
}

/* The sorted shards q[0..n) tile the run's images exactly once, each from
 * the state its predecessor ended in. */
static int check_cover(cli_part *const *q, int n, char *msg, size_t mlen)
{
    const cli_shard *s0 = &q[0]->sh;
    long at = s0->run_first, end = s0->run_first + s0->run_count;
    char r[64];
    for (int i = 0; i < n; i++) {
        const cli_shard *s = &q[i]->sh;
        if (s->of != s0->of || s->run_first != s0->run_first || s->run_count != s0->run_count)
            return say(msg, mlen, "%s: shard %d/%d of images %ld+%ld is not of the same run as %s (shard %d/%d of %ld+%ld)",
                       q[i]->path, s->index, s->of, s->run_first, s->run_count, q[0]->path, s0->index, s0->of,
                       s0->run_first, s0->run_count);
        if (s->first < at) {
            range_text(s->first, s->count, r, sizeof r);
            return say(msg, mlen, "%s: overlapping images: shard %d/%d (images %s) overlaps %s", q[i]->path, s->index,
                       s->of, r, q[i - 1]->path);
        }
        if (s->first > at) {
            range_text(at, s->first - at, r, sizeof r);
            return say(msg, mlen, "missing images %s of the run (a shard of %d not given; next is %s)", r, s0->of,
                       q[i]->path);
        }
        if (i > 0 && s->state_start != q[i - 1]->sh.state_end)
            return say(msg, mlen,
                       "%s: shard %d/%d starts from macro state %016llx, but %s ended in %016llx: its warm-up image "
                       "did not reproduce the state, the counts would differ from one run's (use fewer shards)",
                       q[i]->path, s->index, s->of, (unsigned long long)s->state_start, q[i - 1]->path,
                       (unsigned long long)q[i - 1]->sh.state_end);
        at += s->count;
    }
    if (at < end) {
        range_text(at, end - at, r, sizeof r);
        return say(msg, mlen, "missing images %s of the run (a shard of %d not given)", r, s0->of);
    }
    return 0;
}

static void add_counts(act_counts *a, const act_counts *b)
{
    for (int e = 0; e < ACT_NEVENTS; e++)
        a->n[e] += b->n[e];
}

void tb_layer_stats_add(tb_layer_stats *a, const tb_layer_stats *b)
{
    a->cycles += b->cycles;
    a->mismatches += b->mismatches;
    for (int k = 0; k < DUT_NCNT; k++)
        a->cnt[k] += b->cnt[k];
    a->planes_skipped += b->planes_skipped;
    a->act_mismatches += b->act_mismatches;
    a->ch_total += b->ch_total;
    a->ch_zeroed += b->ch_zeroed;
    a->ch_skipped += b->ch_skipped;
    a->jobs_run += b->jobs_run;
    a->index_bits += b->index_bits;
    a->have_ref = a->have_ref && b->have_ref;
    add_counts(&a->stat, &b->stat);
    add_counts(&a->flat, &b->flat);
}

static int alloc_out(cli_part *out, int images, int nl, int labels)
{
    size_t k = (size_t)(images ? images : 1);
    out->pred = calloc(k, sizeof *out->pred);
    out->chained = calloc(k, sizeof *out->chained);
    out->ref_pred = calloc(k, sizeof *out->ref_pred);
    out->label = labels ? calloc(k, sizeof *out->label) : NULL;
    out->ls = calloc((size_t)(nl ? nl : 1), sizeof *out->ls);
    return out->pred && out->chained && out->ref_pred && (!labels || out->label) && out->ls ? 0 : -1;
}

/* Appends part p's images at image index `at` of out and adds its counters. */
static void append(cli_part *out, const cli_part *p, int at)
{
    size_t k = (size_t)p->images * sizeof(int);
    memcpy(out->pred + at, p->pred, k);
    memcpy(out->chained + at, p->chained, k);
    memcpy(out->ref_pred + at, p->ref_pred, k);
    if (out->label)
        memcpy(out->label + at, p->label, k);
    for (int i = 0; i < out->nl; i++)
        tb_layer_stats_add(&out->ls[i], &p->ls[i]);
    out->mismatches += p->mismatches;
    if (p->wall_seconds > out->wall_seconds)
        out->wall_seconds = p->wall_seconds;
}

int cli_part_merge(cli_part *parts, int n, cli_part *out, char *msg, size_t mlen)
{
    memset(out, 0, sizeof *out);
    if (n < 1)
        return say(msg, mlen, "no reports to merge");
    cli_part **q = malloc((size_t)n * sizeof *q);
    if (!q)
        return say(msg, mlen, "out of memory");
    int images = 0, rc = -1;
    for (int i = 0; i < n; i++) {
        q[i] = &parts[i];
        if (!parts[i].have_shard) {
            say(msg, mlen, "%s: not a shard report (made by run --shard I/N)", parts[i].path);
            goto done;
        }
        if (check_same(&parts[0], &parts[i], msg, mlen))
            goto done;
        images += parts[i].images;
    }
    qsort(q, (size_t)n, sizeof *q, by_first);
    if (check_cover(q, n, msg, mlen))
        goto done;
    out->nl = q[0]->nl;
    out->images = images;
    if (alloc_out(out, images, out->nl, q[0]->label != NULL)) {
        say(msg, mlen, "out of memory");
        goto done;
    }
    for (int i = 0; i < out->nl; i++) {
        tb_layer_stats z = {.tiles = q[0]->ls[i].tiles, .macs = q[0]->ls[i].macs, .have_ref = 1};
        memcpy(z.name, q[0]->ls[i].name, sizeof z.name);
        memcpy(z.shape, q[0]->ls[i].shape, sizeof z.shape);
        out->ls[i] = z;
    }
    for (int i = 0, at = 0; i < n; at += q[i]->images, i++)
        append(out, q[i], at);
    snprintf(out->path, sizeof out->path, "%s", q[0]->path);
    out->doc = q[0]->doc;
    out->sh = q[0]->sh;
    out->sh.first = q[0]->sh.run_first;
    out->sh.count = images;
    out->sh.state_end = q[n - 1]->sh.state_end;
    rc = 0;
done:
    free(q);
    if (rc) {
        out->doc = NULL;
        cli_part_free(out);
    }
    return rc;
}

/* ---- the options of a report, for the writers ---- */

static const char *doc_str(const cli_part *p, const char *key)
{
    return json_string_value(json_object_get(p->doc, key));   /* NULL: none, or no string */
}

static int doc_bool(const cli_part *p, const char *key) { return json_is_true(json_object_get(p->doc, key)); }

/* The int member key of the report, or -1 when it is none. */
static int doc_int(const cli_part *p, const char *key, int *v)
{
    jl_at root = jl_root(p->doc), m = jl_member(&root, key);
    return jl_int(&m, v);
}

static int common_geom(const cli_part *p, const char *cmd, dut_geom *g)
{
    const char *gs = doc_str(p, "geometry");
    int cg = 0, aw = 0;
    char tail;
    if (!gs || sscanf(gs, "%dx%dx%d%c", &g->rows, &g->cols, &g->seg_rows, &tail) != 3 ||
        doc_int(p, "col_group", &cg) || doc_int(p, "acc_w", &aw) || g->rows < 1 ||
        g->cols < 1 || g->seg_rows < 1 || cg < 1 || aw < 1) {
        fprintf(stderr, "sparsecim %s: %s: fields 'geometry', 'col_group', 'acc_w': expected RxCxS and two integers\n",
                cmd, p->path);
        return -1;
    }
    g->col_group = cg;
    g->acc_w = aw;
    return 0;
}

static int common_opts(const cli_part *p, const char *cmd, cli_common *c)
{
    const char *gate = doc_str(p, "gate"), *layout = doc_str(p, "layout"), *st = doc_str(p, "stationary");
    int unit = 0, gm = -1;
    for (int k = 0; gate && k < 4; k++)
        if (!strcmp(gate, cli_report_gate_name(k)))
            gm = k;
    if (gm < 0 || !layout || map_layout_parse(layout, &c->o.layout) || doc_int(p, "unit", &unit) ||
        unit < 1 || unit > 8 || (unit & (unit - 1)) || !st) {
        fprintf(stderr, "sparsecim %s: %s: fields 'gate', 'layout', 'unit', 'stationary': not as run writes them\n",
                cmd, p->path);
        return -1;
    }
    c->o.gate = gm;
    c->o.no_skip = gm && !doc_bool(p, "skip");
    c->o.unit_log2 = unit == 1 ? 0 : unit == 2 ? 1 : unit == 4 ? 2 : 3;
    c->o.skip_channels = doc_bool(p, "skip_channels");
    c->o.dynamic_move = doc_bool(p, "dynamic_move");
    c->input_stationary = !strcmp(st, "input");
    c->o.no_zero_flags = c->input_stationary && gm && !doc_bool(p, "zero_flags");
    c->remap = doc_str(p, "remap");
    if (c->remap) {
        int img = 0, off = 0;
        doc_int(p, "remap_images", &img);
        doc_int(p, "remap_offset", &off);
        c->remap_images = img;
        c->remap_offset = off;
    }
    return 0;
}

static int common_energy(const cli_part *p, const char *cmd, const char *energy, cli_common *c)
{
    const char *path = doc_str(p, "energy_profile");
    if (!path)
        return 0;
    uint64_t want;
    char msg[512] = "";
    jl_at root = jl_root(p->doc);
    if (get_hex(p, &root, "energy_profile_crc", &want, msg, sizeof msg)) {
        fprintf(stderr, "sparsecim %s: %s\n", cmd, msg);
        return -1;
    }
    if (cli_report_load_profile(c, cmd, energy ? energy : path))
        return -1;
    if (c->prof_crc != (uint32_t)want) {
        fprintf(stderr, "sparsecim %s: energy profile %s has CRC-32 %08x, but the reports were made with %08llx (%s)\n",
                cmd, c->prof_path, (unsigned)c->prof_crc, (unsigned long long)want, path);
        return -1;
    }
    return 0;
}

int cli_part_common(const cli_part *p, const char *cmd, const char *energy, cli_common *c, tb_backend *be,
                   dut_geom *g)
{
    memset(c, 0, sizeof *c);
    memset(be, 0, sizeof *be);
    be->name = doc_str(p, "backend");
    if (!be->name) {
        fprintf(stderr, "sparsecim %s: %s: field 'backend': expected a string\n", cmd, p->path);
        return -1;
    }
    c->be = be;
    c->clock_path = doc_str(p, "clock_path");   /* optional; the first report's (not compared) */
    c->geom = g;
    c->want = *g;
    c->quiet = 1;
    c->o.max_print = 20;
    if (common_geom(p, cmd, g) || common_opts(p, cmd, c))
        return -1;
    c->want = *g;
    return common_energy(p, cmd, energy, c);
}

int cli_part_correct(const cli_part *p)
{
    int n = 0;
    for (int i = 0; p->label && i < p->images; i++)
        n += p->pred[i] == p->label[i];
    return n;
}

int cli_part_chained_equal(const cli_part *p)
{
    int n = 0;
    for (int i = 0; i < p->images; i++)
        n += p->chained[i] == p->ref_pred[i];
    return n;
}

cli_summary cli_part_summary(const cli_part *p)
{
    cli_summary s = {"run", doc_str(p, "source"), doc_str(p, "data"), p->images, cli_part_correct(p),
                        cli_part_chained_equal(p) == p->images, p->mismatches, p->pred, p->chained, p->ref_pred,
                        p->label, p->wall_seconds, 0, 0, 0, NULL};
    uint64_t crc = 0;
    char msg[256];
    jl_at root = jl_root(p->doc);
    if (!get_u64(p, &root, "model_bytes", &s.model_bytes, msg, sizeof msg) &&
        !get_hex(p, &root, "model_crc", &crc, msg, sizeof msg)) {
        s.have_model_id = 1;
        s.model_crc = (uint32_t)crc;
    }
    return s;
}

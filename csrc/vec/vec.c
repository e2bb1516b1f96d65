/* vec.c - golden vector files (format and ownership in vec.h). */
#define _POSIX_C_SOURCE 200809L
#include "vec/vec.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "util/num.h"
#include "util/outfile.h"

/* ---- growable buffers ---- */
typedef struct wbuf {
    uint64_t *w;
    size_t n, cap;
    int oom;
} wbuf;

static void wput(wbuf *b, uint64_t v)
{
    if (b->oom)
        return;
    if (b->n == b->cap) {
        size_t c = b->cap ? 2 * b->cap : 1024;
        uint64_t *nw = realloc(b->w, c * sizeof *nw);
        if (!nw) {
            b->oom = 1;
            return;
        }
        b->w = nw;
        b->cap = c;
    }
    b->w[b->n++] = v;
}

typedef struct sbuf {
    char *s;
    size_t n, cap;
    int oom;
} sbuf;

static void sprint(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->oom || need < 0)
        return;
    if (b->n + (size_t)need + 1 > b->cap) {
        size_t c = b->cap ? 2 * b->cap : 4096;
        while (c < b->n + (size_t)need + 1)
            c *= 2;
        char *ns = realloc(b->s, c);
        if (!ns) {
            b->oom = 1;
            return;
        }
        b->s = ns;
        b->cap = c;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, (size_t)need + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)need;
}

uint32_t vec_crc_words(const uint64_t *w, size_t n)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    for (size_t i = 0; i < n; i++) {
        unsigned char b[8];
        for (int k = 0; k < 8; k++)
            b[k] = (unsigned char)(w[i] >> (8 * k));
        crc = crc32(crc, b, 8);
    }
    return (uint32_t)crc;
}

/* A name as four words, 8 ASCII bytes each, first byte most significant. */
static void put_name(wbuf *b, const char *name)
{
    char s[32] = {0};
    size_t len = strlen(name);
    memcpy(s, name, len < sizeof s ? len : sizeof s);
    for (int k = 0; k < 4; k++) {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
            v = v << 8 | (unsigned char)s[8 * k + i];
        wput(b, v);
    }
}

static void get_name(const uint64_t *w, char *out, size_t n)
{
    char s[33] = {0};
    for (int k = 0; k < 4; k++)
        for (int i = 0; i < 8; i++)
            s[8 * k + i] = (char)(w[k] >> (56 - 8 * i));
    snprintf(out, n, "%s", s);
}

/* The name words of a file hold 1..32 printable bytes (as the manifest's
 * NAME: no space, no '/'), then NUL padding only. */
static int name_ok(const uint64_t *w)
{
    int end = 0, n = 0;
    for (int k = 0; k < 32; k++) {
        unsigned ch = (unsigned)(w[k / 8] >> (56 - 8 * (k % 8))) & 0xff;
        if (!ch) {
            end = 1;
            continue;
        }
        if (end || ch <= 0x20 || ch >= 0x7f || ch == '/')
            return 0;
        n++;
    }
    return n > 0;
}

/* ---- writer ---- */
struct vec_writer {
    char dir[4096];
    map_cfg cfg;
    sbuf man;                   /* manifest body (job/out/image lines) */
    int n_jobs, n_outs, n_images;
    uint64_t bytes;
    uint16_t *vec;              /* FC input values (4096) */
};

static int vmsg(bnn_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

vec_writer *vec_writer_open(const char *dir, const map_cfg *cfg, const char *model, const char *data,
                            bnn_error *err)
{
    if (strlen(dir) > 3800) {
        vmsg(err, "%.60s...: directory name too long", dir);
        return NULL;
    }
    if (cfg->rows < 64 || cfg->rows % 64 || cfg->cols < 1 || cfg->seg_rows < 1 || cfg->rows % cfg->seg_rows) {
        vmsg(err, "geometry %dx%d with %d-row segments: rows must be a multiple of 64 and of the segment",
             cfg->rows, cfg->cols, cfg->seg_rows);
        return NULL;
    }
    if (mkdir(dir, 0777) && errno != EEXIST) {
        vmsg(err, "%s: cannot create the directory: %s", dir, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
        vmsg(err, "%s: not a directory", dir);
        return NULL;
    }
    /* an old vector set here stops being one before any file of it is
     * replaced: its manifest goes first, the new one is written last, so
     * an interrupted run leaves a directory that `sim` refuses */
    char mpath[4200];
    snprintf(mpath, sizeof mpath, "%s/manifest.txt", dir);
    if (lstat(mpath, &st) == 0 && !S_ISREG(st.st_mode)) {
        vmsg(err, "%s: exists and is not a regular file; refusing to replace it", mpath);
        return NULL;
    }
    if (remove(mpath) && errno != ENOENT) {
        vmsg(err, "%s: cannot remove the old manifest: %s", mpath, strerror(errno));
        return NULL;
    }
    vec_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->vec = malloc(4096 * sizeof *w->vec))) {
        free(w);
        vmsg(err, "out of memory");
        return NULL;
    }
    snprintf(w->dir, sizeof w->dir, "%s", dir);
    w->cfg = *cfg;
    w->cfg.perm = NULL;
    sprint(&w->man, "# sparsecim golden vectors, format %d (csrc/vec.h)\n", VEC_VERSION);
    sprint(&w->man, "# model %s, data %s, %s rows\n", model ? model : "-", data ? data : "-",
           cfg->layout == MAP_TAP_MAJOR ? "tap-major" : cfg->layout == MAP_ALIGNED ? "segment-aligned" : "channel-major");
    sprint(&w->man, "geometry %d %d %d\n", cfg->rows, cfg->cols, cfg->seg_rows);
    return w;
}

void vec_writer_counts(const vec_writer *w, long *jobs, long *outs, uint64_t *bytes)
{
    *jobs = w->n_jobs;
    *outs = w->n_outs;
    *bytes = w->bytes;
}

/* Writes words (with the CRC word appended) as a hex file. */
static int write_hex(vec_writer *w, const char *file, const char *comment, wbuf *b, bnn_error *err)
{
    if (b->oom)
        return vmsg(err, "out of memory");
    wput(b, vec_crc_words(b->w, b->n));
    if (b->oom)
        return vmsg(err, "out of memory");
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", w->dir, file);
    out_file o;
    if (out_open(&o, path, NULL, 0, err))
        return -1;
    fprintf(o.f, "// %s\n", comment);
    for (size_t i = 0; i < b->n; i++)
        fprintf(o.f, "%016llx\n", (unsigned long long)b->w[i]);
    if (out_commit(&o, err))
        return -1;
    w->bytes += 17u * b->n + strlen(comment) + 4;
    return 0;
}

static const char *part_suffix(map_part p) { return p == MAP_FC1 ? ".fc1" : p == MAP_FC2 ? ".fc2" : ""; }

static int write_job(vec_writer *w, const bnn_layer *l, int li, const map_layer *ml, const map_job *j,
                     const bnn_tensor *in, int image, bnn_error *err)
{
    const map_cfg *cfg = &ml->cfg;
    int pixels = map_pixels(&ml->op), bits = ml->op.bits, rw = cfg->rows / 64, cw = (cfg->cols + 63) / 64;
    int pw = (j->n_cols + 3) / 4, aw = (j->n_cols + 1) / 2;
    size_t cyc = (size_t)pixels * (size_t)bits;
    size_t total = VEC_JOB_HDR + (size_t)j->n_rows * (size_t)cw + cyc * (size_t)(rw + 1 + pw) +
                   (size_t)pixels * (size_t)aw + 1;
    char name[40];
    snprintf(name, sizeof name, "%.31s%s", l->name, part_suffix(ml->op.part));
    uint64_t *wl = malloc((size_t)rw * sizeof *wl);
    int *p = malloc((size_t)cfg->cols * sizeof *p);
    int32_t *xs = malloc(cyc * sizeof *xs);
    int32_t *ps = malloc(cyc * (size_t)j->n_cols * sizeof *ps);
    int32_t *acc = calloc((size_t)pixels * (size_t)j->n_cols, sizeof *acc);
    wbuf b = {0};
    int rc = -1;
    if (!wl || !p || !xs || !ps || !acc) {
        vmsg(err, "out of memory");
        goto done;
    }
    uint64_t hd[16] = {VEC_JOB_MAGIC, VEC_VERSION, (uint64_t)cfg->rows, (uint64_t)cfg->cols,
                       (uint64_t)cfg->seg_rows, (uint64_t)image, (uint64_t)li, (uint64_t)ml->op.part,
                       (uint64_t)j->row_tile, (uint64_t)j->col_tile, (uint64_t)j->n_rows, (uint64_t)j->n_cols,
                       (uint64_t)bits, (uint64_t)pixels, (uint64_t)total, 0};
    for (int k = 0; k < 16; k++)
        wput(&b, hd[k]);
    put_name(&b, name);
    for (int r = 0; r < j->n_rows; r++)
        for (int k = 0; k < cw; k++)
            wput(&b, j->wrows[(size_t)r * (size_t)j->col_words + (size_t)k]);
    for (int px = 0; px < pixels; px++)
        for (int k = 0; k < bits; k++) {
            size_t at = (size_t)px * (size_t)bits + (size_t)k;
            int x;
            map_job_input(ml, j, in, w->vec, px, k, wl);
            map_job_px(ml, j, wl, p, &x);
            for (int q = 0; q < rw; q++)
                wput(&b, wl[q]);
            xs[at] = x;
            for (int c = 0; c < j->n_cols; c++) {
                ps[at * (size_t)j->n_cols + (size_t)c] = p[c];
                int32_t *a = &acc[(size_t)px * (size_t)j->n_cols + (size_t)c];
                *a = (int32_t)(2 * (int64_t)*a + 2 * (int64_t)p[c] - x);
            }
        }
    for (size_t i = 0; i < cyc; i++)
        wput(&b, (uint64_t)(uint32_t)xs[i]);
    for (size_t i = 0; i < cyc; i++)
        for (int k = 0; k < pw; k++) {
            uint64_t v = 0;
            for (int l2 = 0; l2 < 4 && 4 * k + l2 < j->n_cols; l2++)
                v |= (uint64_t)(uint16_t)ps[i * (size_t)j->n_cols + (size_t)(4 * k + l2)] << (16 * l2);
            wput(&b, v);
        }
    for (int px = 0; px < pixels; px++)
        for (int k = 0; k < aw; k++) {
            uint64_t v = 0;
            for (int l2 = 0; l2 < 2 && 2 * k + l2 < j->n_cols; l2++)
                v |= (uint64_t)(uint32_t)acc[(size_t)px * (size_t)j->n_cols + (size_t)(2 * k + l2)] << (32 * l2);
            wput(&b, v);
        }
    char file[96], comment[200];
    snprintf(file, sizeof file, "i%05d_l%03d_%s_r%03d_c%03d.hex", image, li, name, j->row_tile, j->col_tile);
    snprintf(comment, sizeof comment,
             "sparsecim golden vectors v%d: image %d, layer %d %s, tile r%d/c%d, %d rows x %d columns, "
             "%d pixels x %d planes, %dx%d macro",
             VEC_VERSION, image, li, name, j->row_tile, j->col_tile, j->n_rows, j->n_cols, pixels, bits, cfg->rows,
             cfg->cols);
    if (write_hex(w, file, comment, &b, err))
        goto done;
    sprint(&w->man, "job %s %d %d %d %d %d %d %d %d %d %zu %s\n", file, image, li, (int)ml->op.part, j->row_tile,
           j->col_tile, j->n_rows, j->n_cols, bits, pixels, total, name);
    w->n_jobs++;
    rc = 0;
done:
    free(b.w);
    free(wl);
    free(p);
    free(xs);
    free(ps);
    free(acc);
    return rc;
}

/* The layer's final outputs: the next layer's input tensor, or the logits. */
static int write_out(vec_writer *w, const bnn_model *m, const bnn_trace *tr, int li, int image, bnn_error *err)
{
    const bnn_layer *l = &m->layers[li];
    wbuf b = {0};
    int kind = l->type == BNN_CLASSIFIER ? 1 : 0;
    const bnn_tensor *t = kind ? NULL : tr->act[li + 1];
    int c = kind ? l->u.cls.classes : t->c, h = kind ? 1 : t->h, wd = kind ? 1 : t->w;
    size_t n = (size_t)c * (size_t)h * (size_t)wd;
    size_t data = kind ? n + 1 : (n + 63) / 64;
    uint64_t hd[10] = {VEC_OUT_MAGIC, VEC_VERSION, (uint64_t)image, (uint64_t)li, (uint64_t)kind,
                       (uint64_t)c, (uint64_t)h, (uint64_t)wd, VEC_OUT_HDR + data + 1, 0};
    for (int k = 0; k < 10; k++)
        wput(&b, hd[k]);
    put_name(&b, l->name);
    if (kind) {
        for (size_t i = 0; i < n; i++)
            wput(&b, (uint64_t)(int64_t)tr->logits[i]);
        wput(&b, (uint64_t)tr->pred);
    } else {
        for (size_t k = 0; k < data; k++) {
            uint64_t v = 0;
            for (size_t i = 64 * k; i < n && i < 64 * k + 64; i++)
                v |= (uint64_t)(t->v[i] & 1u) << (i % 64);
            wput(&b, v);
        }
    }
    char file[96], comment[160];
    snprintf(file, sizeof file, "i%05d_l%03d_%s.out.hex", image, li, l->name);
    snprintf(comment, sizeof comment, "sparsecim layer outputs v%d: image %d, layer %d %s, %s %dx%dx%d", VEC_VERSION,
             image, li, l->name, kind ? "logits" : "bits", c, h, wd);
    int rc = write_hex(w, file, comment, &b, err);
    free(b.w);
    if (rc)
        return -1;
    sprint(&w->man, "out %s %d %d %zu %s\n", file, image, li, VEC_OUT_HDR + data + 1, l->name);
    w->n_outs++;
    return 0;
}

int vec_writer_image(vec_writer *w, const bnn_model *m, const bnn_trace *tr, int image, int label, bnn_error *err)
{
    sprint(&w->man, "image %d %d %d\n", image, label, tr->pred);
    w->n_images++;
    for (int li = 0; li < m->n_layers; li++) {
        const bnn_layer *l = &m->layers[li];
        map_part parts[2] = {l->type == BNN_CONV ? MAP_CONV : l->type == BNN_SE ? MAP_FC1 : MAP_CLS, MAP_FC2};
        for (int pi = 0; pi < (l->type == BNN_SE ? 2 : 1); pi++) {
            map_op op;
            map_layer *ml = NULL;
            if (map_op_of(l, parts[pi], &op) || op.n > 4096)
                return vmsg(err, "layer %s: cannot map onto the array", l->name);
            if (map_layer_build(&op, &w->cfg, &ml, err))
                return -1;
            const bnn_tensor *in = NULL;
            if (parts[pi] == MAP_CONV)
                in = tr->act[li];
            else if (parts[pi] == MAP_FC2)
                for (int k = 0; k < l->u.se.hidden; k++)
                    w->vec[k] = (uint16_t)tr->se_h[li][k];
            else if (parts[pi] == MAP_FC1)
                bnn_tensor_count_ones(tr->act[li], w->vec);
            else
                for (int k = 0; k < op.n; k++)
                    w->vec[k] = (uint16_t)tr->cls_q[k];
            int rc = 0;
            for (int ji = 0; ji < ml->n_jobs && !rc; ji++)
                rc = write_job(w, l, li, ml, &ml->jobs[ji], in, image, err);
            map_layer_free(ml);
            if (rc)
                return -1;
        }
        if (write_out(w, m, tr, li, image, err))
            return -1;
    }
    return 0;
}

void vec_writer_abort(vec_writer *w)
{
    if (!w)
        return;
    free(w->man.s);
    free(w->vec);
    free(w);
}

int vec_writer_close(vec_writer *w, bnn_error *err)
{
    sprint(&w->man, "end %d %d %d\n", w->n_jobs, w->n_outs, w->n_images);
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.txt", w->dir);
    int rc = 0;
    if (w->man.oom)
        rc = vmsg(err, "out of memory");
    else if (out_write_all(path, w->man.s, w->man.n, NULL, 0, err))
        rc = -1;
    vec_writer_abort(w);
    return rc;
}

/* ---- reading ---- */

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

int vec_read_words(const char *path, uint64_t **words, long *n, bnn_error *err)
{
    *words = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return vmsg(err, "%s: cannot open: %s", path, strerror(errno));
    wbuf b = {0};
    char line[256];
    long ln = 0;
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            rc = vmsg(err, "%s: line %ld: line too long (expected 16 hex digits)", path, ln);
            break;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (!strncmp(line, "//", 2))
            continue;
        uint64_t v = 0;
        int ok = len == 16;
        for (size_t i = 0; ok && i < 16; i++) {
            int h = hexval((unsigned char)line[i]);
            ok = h >= 0;
            v = v << 4 | (uint64_t)(h & 15);
        }
        if (!ok) {
            char q[80];
            bnn_quote(q, sizeof q, line, 24);
            rc = vmsg(err, "%s: line %ld: expected a word of 16 hex digits, got '%s'", path, ln, q);
            break;
        }
        wput(&b, v);
    }
    if (!rc && ferror(f))
        rc = vmsg(err, "%s: read error", path);
    fclose(f);
    if (!rc && b.oom)
        rc = vmsg(err, "%s: out of memory", path);
    if (!rc && b.n < 2)
        rc = vmsg(err, "%s: line %ld: file ends after %zu words (expected a header and a CRC word)", path, ln, b.n);
    if (!rc) {
        uint32_t crc = vec_crc_words(b.w, b.n - 1);
#ifdef SPARSECIM_FUZZ_NO_CRC
        crc = (uint32_t)b.w[b.n - 1]; /* fuzzing build only: any CRC-32 passes, so mutated files reach the checks behind it */
#endif
        if (b.w[b.n - 1] != crc)
            rc = vmsg(err, "%s: word %zu (CRC-32): expected %08x (computed), got %016llx", path, b.n - 1, crc,
                      (unsigned long long)b.w[b.n - 1]);
    }
    if (rc) {
        free(b.w);
        return -1;
    }
    *words = b.w;
    *n = (long)b.n;
    return 0;
}

void vec_job_free(vec_job *v)
{
    free(v->wrows);
    free(v->wl);
    free(v->x);
    free(v->p);
    free(v->acc);
    memset(v, 0, sizeof *v);
}

int vec_job_read(const char *path, vec_job *v, bnn_error *err)
{
    memset(v, 0, sizeof *v);
    uint64_t *w;
    long n;
    if (vec_read_words(path, &w, &n, err))
        return -1;
    static const char *const field[VEC_JOB_HDR] = {
        "magic", "version", "ROWS", "COLS", "SEG_ROWS", "image", "layer index", "part", "row tile",
        "column tile", "n_rows", "n_cols", "bits", "pixels", "word count", "reserved", "name", "name", "name", "name"};
    int bad = -1;
    char want[80] = "";
    if (n < VEC_JOB_HDR + 1) {
        vmsg(err, "%s: %ld words: expected at least %d (header and CRC)", path, n, VEC_JOB_HDR + 1);
        free(w);
        return -1;
    }
    for (int k = 0; k < 16 && k < VEC_JOB_HDR; k++)
        if (w[k] > 0x7fffffffull && k != 0) {
            bad = k;
            snprintf(want, sizeof want, "a value below 2^31");
            break;
        }
    if (bad < 0) {
        v->rows = (int)w[2], v->cols = (int)w[3], v->seg_rows = (int)w[4];
        v->image = (int)w[5], v->layer = (int)w[6], v->part = (int)w[7];
        v->row_tile = (int)w[8], v->col_tile = (int)w[9];
        v->n_rows = (int)w[10], v->n_cols = (int)w[11], v->bits = (int)w[12], v->pixels = (int)w[13];
        v->col_words = (v->cols + 63) / 64;
        v->row_words = v->rows / 64;
        get_name(w + 16, v->name, sizeof v->name);
        if (w[0] != VEC_JOB_MAGIC)
            bad = 0, snprintf(want, sizeof want, "%016llx (\"SCIMVEC1\")", VEC_JOB_MAGIC);
        else if (w[1] != VEC_VERSION)
            bad = 1, snprintf(want, sizeof want, "%d", VEC_VERSION);
        else if (v->rows < 64 || v->rows % 64 || v->rows > 65535)
            bad = 2, snprintf(want, sizeof want, "a multiple of 64 up to 65535");
        else if (v->cols < 1 || v->cols > 4096)
            bad = 3, snprintf(want, sizeof want, "1..4096");
        else if (v->seg_rows < 1 || v->rows % v->seg_rows)
            bad = 4, snprintf(want, sizeof want, "a divisor of ROWS (%d)", v->rows);
        else if (v->part > 3)
            bad = 7, snprintf(want, sizeof want, "0..3");
        else if (v->n_rows < 1 || v->n_rows > v->rows)
            bad = 10, snprintf(want, sizeof want, "1..ROWS (%d)", v->rows);
        else if (v->n_cols < 1 || v->n_cols > v->cols)
            bad = 11, snprintf(want, sizeof want, "1..COLS (%d)", v->cols);
        else if (v->bits < 1 || v->bits > 16)
            bad = 12, snprintf(want, sizeof want, "1..16");
        else if (v->pixels < 1 || v->pixels > (1 << 22))
            bad = 13, snprintf(want, sizeof want, "1..2^22");
        else if (!name_ok(w + 16))
            bad = 16, snprintf(want, sizeof want, "1..32 printable bytes without '/', NUL padded");
    }
    size_t cyc = (size_t)v->pixels * (size_t)v->bits;
    int pw = (v->n_cols + 3) / 4, aw = (v->n_cols + 1) / 2;
    size_t total = 0;
    if (bad < 0) {
        total = VEC_JOB_HDR + (size_t)v->n_rows * (size_t)v->col_words + cyc * (size_t)(v->row_words + 1 + pw) +
                (size_t)v->pixels * (size_t)aw + 1;
        if (w[14] != total)
            bad = 14, snprintf(want, sizeof want, "%zu (from the shape fields)", total);
        else if ((size_t)n != total)
            bad = 14, snprintf(want, sizeof want, "%ld (words in the file)", n);
    }
    if (bad >= 0) {
        vmsg(err, "%s: word %d (%s): expected %s, got %llu", path, bad, field[bad], want,
             (unsigned long long)w[bad]);
        free(w);
        memset(v, 0, sizeof *v);
        return -1;
    }
    v->wrows = malloc((size_t)v->n_rows * (size_t)v->col_words * sizeof *v->wrows);
    v->wl = malloc(cyc * (size_t)v->row_words * sizeof *v->wl);
    v->x = malloc(cyc * sizeof *v->x);
    v->p = malloc(cyc * (size_t)v->n_cols * sizeof *v->p);
    v->acc = malloc((size_t)v->pixels * (size_t)v->n_cols * sizeof *v->acc);
    if (!v->wrows || !v->wl || !v->x || !v->p || !v->acc) {
        vec_job_free(v);
        free(w);
        return vmsg(err, "%s: out of memory", path);
    }
    const uint64_t *q = w + VEC_JOB_HDR;
    memcpy(v->wrows, q, (size_t)v->n_rows * (size_t)v->col_words * sizeof *q);
    q += (size_t)v->n_rows * (size_t)v->col_words;
    memcpy(v->wl, q, cyc * (size_t)v->row_words * sizeof *q);
    q += cyc * (size_t)v->row_words;
    for (size_t i = 0; i < cyc; i++)
        v->x[i] = (int32_t)*q++;
    for (size_t i = 0; i < cyc; i++, q += pw)
        for (int c = 0; c < v->n_cols; c++)
            v->p[i * (size_t)v->n_cols + (size_t)c] = (int32_t)(uint16_t)(q[c / 4] >> (16 * (c % 4)));
    for (int px = 0; px < v->pixels; px++, q += aw)
        for (int c = 0; c < v->n_cols; c++)
            v->acc[(size_t)px * (size_t)v->n_cols + (size_t)c] = (int32_t)(uint32_t)(q[c / 2] >> (32 * (c % 2)));
    free(w);
    return 0;
}

/* ---- manifest ---- */

void vec_manifest_free(vec_manifest *mf)
{
    if (!mf)
        return;
    free(mf->jobs);
    free(mf->outs);
    free(mf);
}

static int add_entry(vec_entry **a, int *n, const vec_entry *e)
{
    if ((*n & (*n - 1)) == 0) {   /* grow at powers of two */
        vec_entry *na = realloc(*a, (size_t)(*n ? 2 * *n : 64) * sizeof *na);
        if (!na)
            return -1;
        *a = na;
    }
    (*a)[(*n)++] = *e;
    return 0;
}

/* Splits a manifest line at single spaces into at most max fields. */
static int split_fields(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *p = line; n < max;) {
        f[n++] = p;
        p = strchr(p, ' ');
        if (!p)
            return n;
        *p++ = 0;
    }
    return max + 1;   /* too many */
}

typedef struct mf_rd {
    const char *path;
    long ln;
    bnn_error *err;
} mf_rd;

/* Field k (named what) of a manifest line as an integer in [lo, hi]. */
static int mf_int(const mf_rd *r, char **f, int k, const char *what, int64_t lo, int64_t hi, int64_t *out)
{
    if (!num_parse_i64(f[k], lo, hi, out))
        return 0;
    char q[64];
    bnn_quote(q, sizeof q, f[k], 40);
    return vmsg(r->err, "%s: line %ld: field %d (%s): expected an integer in %lld..%lld, got '%s'", r->path, r->ln,
                k + 1, what, (long long)lo, (long long)hi, q);
}

/* A file or layer name field: 1..max-1 bytes, no '/', printable. */
static int mf_name(const mf_rd *r, char **f, int k, const char *what, char *dst, size_t max)
{
    size_t n = strlen(f[k]);
    int ok = n > 0 && n < max && !strchr(f[k], '/');
    for (size_t i = 0; ok && i < n; i++)
        ok = f[k][i] > 0x20 && f[k][i] < 0x7f;
    if (ok) {
        memcpy(dst, f[k], n + 1);
        return 0;
    }
    char q[64];
    bnn_quote(q, sizeof q, f[k], 40);
    return vmsg(r->err, "%s: line %ld: field %d (%s): expected a name of 1..%zu printable bytes without '/', got '%s'",
                r->path, r->ln, k + 1, what, max - 1, q);
}

int vec_manifest_read(const char *dir, vec_manifest **out, bnn_error *err)
{
    *out = NULL;
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.txt", dir);
    struct stat st;
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
        return vmsg(err, "%s: not a directory (a vector directory holds manifest.txt)", dir);
    FILE *f = fopen(path, "r");
    if (!f && errno == ENOENT && stat(dir, &st) == 0)
        return vmsg(err, "%s: no manifest.txt: not a vector directory, or `sparsecim vectors` did not finish "
                         "writing it (the manifest is written last)", dir);
    if (!f)
        return vmsg(err, "%s: cannot open: %s", path, strerror(errno));
    vec_manifest *mf = calloc(1, sizeof *mf);
    if (!mf) {
        fclose(f);
        return vmsg(err, "%s: out of memory", path);
    }
    char line[512];
    mf_rd r = {path, 0, err};
    int rc = 0, ended = 0, have_geom = 0, cont = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        int whole = len > 0 && line[len - 1] == '\n';
        int was_cont = cont;
        cont = !whole && !feof(f);
        if (was_cont)
            continue;   /* the rest of a long comment line */
        r.ln++;
        if (!whole && len < sizeof line - 1 && !feof(f)) {
            rc = vmsg(err, "%s: line %ld: a NUL byte: not a manifest", path, r.ln);
            break;
        }
        if (line[0] == '#')
            continue;   /* a comment line, of any length */
        if (cont) {
            rc = vmsg(err, "%s: line %ld: line longer than %zu bytes", path, r.ln, sizeof line - 2);
            break;
        }
        if (line[0] == '\n')
            continue;
        if (ended) {
            rc = vmsg(err, "%s: line %ld: expected nothing after the 'end' line", path, r.ln);
            break;
        }
        char *fl[16];
        char head[64];
        bnn_quote(head, sizeof head, line, strcspn(line, "\r\n"));
        int nf = split_fields(line, fl, 14);
        vec_entry e = {0};
        int64_t v[12];
        if (!strcmp(fl[0], "geometry")) {
            if (have_geom) {
                rc = vmsg(err, "%s: line %ld: a second 'geometry' line", path, r.ln);
                break;
            }
            have_geom = 1;
            if (nf != 4)
                rc = vmsg(err, "%s: line %ld: expected 'geometry ROWS COLS SEG_ROWS', got '%s'", path, r.ln, head);
            else if (!(rc = mf_int(&r, fl, 1, "ROWS", 64, 65472, &v[0])) &&
                     !(rc = mf_int(&r, fl, 2, "COLS", 1, 4096, &v[1])) &&
                     !(rc = mf_int(&r, fl, 3, "SEG_ROWS", 1, v[0], &v[2])) && (v[0] % 64 || v[0] % v[2]))
                rc = vmsg(err, "%s: line %ld: geometry %lld %lld %lld: ROWS must be a multiple of 64 and of SEG_ROWS",
                          path, r.ln, (long long)v[0], (long long)v[1], (long long)v[2]);
            mf->rows = (int)v[0], mf->cols = (int)v[1], mf->seg_rows = (int)v[2];
        } else if (!strcmp(fl[0], "image")) {
            if (nf != 4)
                rc = vmsg(err, "%s: line %ld: expected 'image INDEX LABEL PREDICTION', got '%s'", path, r.ln, head);
            else if (!(rc = mf_int(&r, fl, 1, "INDEX", 0, INT32_MAX, &v[0])) &&
                     !(rc = mf_int(&r, fl, 2, "LABEL", -1, BNN_MAX_CLASSES - 1, &v[1])))
                rc = mf_int(&r, fl, 3, "PREDICTION", -1, BNN_MAX_CLASSES - 1, &v[2]);
            mf->n_images++;
        } else if (!strcmp(fl[0], "job")) {
            static const char *const what[] = {"IMAGE", "LAYER", "PART", "ROW_TILE", "COL_TILE", "N_ROWS",
                                               "N_COLS", "BITS", "PIXELS", "WORDS"};
            static const int64_t lo[] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1};
            static const int64_t hi[] = {INT32_MAX, BNN_MAX_LAYERS - 1, 3, 65535, 65535, 65535, 4096, 16,
                                         1 << 22, INT32_MAX};
            if (nf != 13) {
                rc = vmsg(err, "%s: line %ld: expected 'job FILE IMAGE LAYER PART ROW_TILE COL_TILE N_ROWS N_COLS "
                               "BITS PIXELS WORDS NAME', got '%s'", path, r.ln, head);
                break;
            }
            rc = mf_name(&r, fl, 1, "FILE", e.file, sizeof e.file);
            for (int k = 0; !rc && k < 10; k++)
                rc = mf_int(&r, fl, 2 + k, what[k], lo[k], hi[k], &v[k]);
            if (!rc)
                rc = mf_name(&r, fl, 12, "NAME", e.name, sizeof e.name);
            e.image = (int)v[0], e.layer = (int)v[1], e.words = (long)v[9];
            if (!rc && add_entry(&mf->jobs, &mf->n_jobs, &e))
                rc = vmsg(err, "%s: out of memory", path);
        } else if (!strcmp(fl[0], "out")) {
            if (nf != 6) {
                rc = vmsg(err, "%s: line %ld: expected 'out FILE IMAGE LAYER WORDS NAME', got '%s'", path, r.ln, head);
                break;
            }
            if (!(rc = mf_name(&r, fl, 1, "FILE", e.file, sizeof e.file)) &&
                !(rc = mf_int(&r, fl, 2, "IMAGE", 0, INT32_MAX, &v[0])) &&
                !(rc = mf_int(&r, fl, 3, "LAYER", 0, BNN_MAX_LAYERS - 1, &v[1])) &&
                !(rc = mf_int(&r, fl, 4, "WORDS", 1, INT32_MAX, &v[2])))
                rc = mf_name(&r, fl, 5, "NAME", e.name, sizeof e.name);
            e.image = (int)v[0], e.layer = (int)v[1], e.words = (long)v[2];
            if (!rc && add_entry(&mf->outs, &mf->n_outs, &e))
                rc = vmsg(err, "%s: out of memory", path);
        } else if (!strcmp(fl[0], "end")) {
            if (nf != 4)
                rc = vmsg(err, "%s: line %ld: expected 'end JOBS OUTS IMAGES', got '%s'", path, r.ln, head);
            else if (!(rc = mf_int(&r, fl, 1, "JOBS", 0, INT32_MAX, &v[0])) &&
                     !(rc = mf_int(&r, fl, 2, "OUTS", 0, INT32_MAX, &v[1])) &&
                     !(rc = mf_int(&r, fl, 3, "IMAGES", 0, INT32_MAX, &v[2])) &&
                     (v[0] != mf->n_jobs || v[1] != mf->n_outs || v[2] != mf->n_images))
                rc = vmsg(err, "%s: line %ld: 'end' counts %lld jobs, %lld outputs, %lld images; the file lists %d, %d, %d",
                          path, r.ln, (long long)v[0], (long long)v[1], (long long)v[2], mf->n_jobs, mf->n_outs,
                          mf->n_images);
            ended = 1;
        } else {
            rc = vmsg(err, "%s: line %ld: expected geometry, image, job, out or end, got '%s'", path, r.ln, head);
        }
    }
    if (!rc && ferror(f))
        rc = vmsg(err, "%s: read error", path);
    fclose(f);
    if (!rc && !have_geom)
        rc = vmsg(err, "%s: no 'geometry' line", path);
    if (!rc && !ended)
        rc = vmsg(err, "%s: line %ld: file ends without the 'end' line (incomplete vector directory)", path, r.ln);
    if (rc) {
        vec_manifest_free(mf);
        return -1;
    }
    *out = mf;
    return 0;
}

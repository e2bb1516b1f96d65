/* vec_write.c - the golden-vector writer: job files, output files, the
 * manifest (format and ownership in vec.h). */
#define _POSIX_C_SOURCE 200809L
#include "vec/vec.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/outfile.h"
#include "vec/vec_words.h"

/* ---- the manifest body: a growable string ---- */
typedef struct sbuf {
    char *s;
    size_t n, cap;
    int oom;
} sbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
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

/* A name as four words, 8 ASCII bytes each, first byte most significant. */
static void put_name(vec_wbuf *b, const char *name)
{
    char s[32] = {0};
    size_t len = strlen(name);
    memcpy(s, name, len < sizeof s ? len : sizeof s);
    for (int k = 0; k < 4; k++) {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
            v = v << 8 | (unsigned char)s[8 * k + i];
        vec_wbuf_put(b, v);
    }
}

struct vec_writer {
    char dir[4096];
    map_cfg cfg;
    sbuf man;                   /* manifest body (job/out/image lines) */
    int n_jobs, n_outs, n_images;
    uint64_t bytes;
    uint16_t *vec;              /* FC input values (4096) */
};

/* The directory exists (made if missing) and holds no manifest any more. */
static int prepare_dir(const char *dir, bnn_error *err)
{
    if (mkdir(dir, 0777) && errno != EEXIST)
        return vec_msg(err, "%s: cannot create the directory: %s", dir, strerror(errno));
    struct stat st;
    if (stat(dir, &st) || !S_ISDIR(st.st_mode))
        return vec_msg(err, "%s: not a directory", dir);
    /* an old vector set here stops being one before any file of it is
     * replaced: its manifest goes first, the new one is written last, so
     * an interrupted run leaves a directory that `sim` refuses */
    char mpath[4200];
    snprintf(mpath, sizeof mpath, "%s/manifest.txt", dir);
    if (lstat(mpath, &st) == 0 && !S_ISREG(st.st_mode))
        return vec_msg(err, "%s: exists and is not a regular file; refusing to replace it", mpath);
    if (remove(mpath) && errno != ENOENT)
        return vec_msg(err, "%s: cannot remove the old manifest: %s", mpath, strerror(errno));
    return 0;
}

vec_writer *vec_writer_open(const char *dir, const map_cfg *cfg, const char *model, const char *data,
                            bnn_error *err)
{
    if (strlen(dir) > 3800) {
        vec_msg(err, "%.60s...: directory name too long", dir);
        return NULL;
    }
    if (cfg->rows < 64 || cfg->rows % 64 || cfg->cols < 1 || cfg->seg_rows < 1 || cfg->rows % cfg->seg_rows) {
        vec_msg(err, "geometry %dx%d with %d-row segments: rows must be a multiple of 64 and of the segment",
                cfg->rows, cfg->cols, cfg->seg_rows);
        return NULL;
    }
    if (prepare_dir(dir, err))
        return NULL;
    vec_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->vec = malloc(4096 * sizeof *w->vec))) {
        free(w);
        vec_msg(err, "out of memory");
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

static const char *part_suffix(map_part p) { return p == MAP_FC1 ? ".fc1" : p == MAP_FC2 ? ".fc2" : ""; }

/* ---- one job file ---- */

/* What one job file holds (vec.h: job file). */
typedef struct job_shape {
    int pixels, bits, rw, cw, pw, aw;
    size_t cyc;                 /* compute cycles: pixels x bits */
    size_t total;               /* words in the file, CRC word included */
} job_shape;

static job_shape job_shape_of(const map_layer *ml, const map_job *j)
{
    job_shape s;
    s.pixels = map_pixels(&ml->op), s.bits = ml->op.bits;
    s.rw = ml->cfg.rows / 64, s.cw = (ml->cfg.cols + 63) / 64;
    s.pw = (j->n_cols + 3) / 4, s.aw = (j->n_cols + 1) / 2;
    s.cyc = (size_t)s.pixels * (size_t)s.bits;
    s.total = VEC_JOB_HDR + (size_t)j->n_rows * (size_t)s.cw + s.cyc * (size_t)(s.rw + 1 + s.pw) +
              (size_t)s.pixels * (size_t)s.aw + 1;
    return s;
}

/* The header words and the weight rows W. */
static void put_job_head(vec_wbuf *b, const map_layer *ml, const map_job *j, const job_shape *s, int image, int li,
                         const char *name)
{
    const map_cfg *cfg = &ml->cfg;
    uint64_t hd[16] = {VEC_JOB_MAGIC, VEC_VERSION, (uint64_t)cfg->rows, (uint64_t)cfg->cols,
                       (uint64_t)cfg->seg_rows, (uint64_t)image, (uint64_t)li, (uint64_t)ml->op.part,
                       (uint64_t)j->row_tile, (uint64_t)j->col_tile, (uint64_t)j->n_rows, (uint64_t)j->n_cols,
                       (uint64_t)s->bits, (uint64_t)s->pixels, (uint64_t)s->total, 0};
    for (int k = 0; k < 16; k++)
        vec_wbuf_put(b, hd[k]);
    put_name(b, name);
    for (int r = 0; r < j->n_rows; r++)
        for (int k = 0; k < s->cw; k++)
            vec_wbuf_put(b, j->wrows[(size_t)r * (size_t)j->col_words + (size_t)k]);
}

/* The word lines L of every cycle (into b) with the cycle's X (xs), P (ps)
 * and the accumulators after each pixel's last plane (acc, zeroed). 0 or -1. */
static int put_job_cycles(vec_writer *w, const map_layer *ml, const map_job *j, const bnn_tensor *in,
                          const job_shape *s, vec_wbuf *b, int32_t *xs, int32_t *ps, int32_t *acc, bnn_error *err)
{
    uint64_t *wl = malloc((size_t)s->rw * sizeof *wl);
    int *p = malloc((size_t)ml->cfg.cols * sizeof *p);
    if (!wl || !p) {
        free(wl);
        free(p);
        return vec_msg(err, "out of memory");
    }
    for (int px = 0; px < s->pixels; px++)
        for (int k = 0; k < s->bits; k++) {
            size_t at = (size_t)px * (size_t)s->bits + (size_t)k;
            int x;
            map_job_input(ml, j, in, w->vec, px, k, wl);
            map_job_px(ml, j, wl, p, &x);
            for (int q = 0; q < s->rw; q++)
                vec_wbuf_put(b, wl[q]);
            xs[at] = x;
            for (int c = 0; c < j->n_cols; c++) {
                ps[at * (size_t)j->n_cols + (size_t)c] = p[c];
                int32_t *a = &acc[(size_t)px * (size_t)j->n_cols + (size_t)c];
                *a = (int32_t)(2 * (int64_t)*a + 2 * (int64_t)p[c] - x);
            }
        }
    free(wl);
    free(p);
    return 0;
}

/* n vectors of n_cols values, each packed into words of `lanes` lanes of
 * 64/lanes bits (two's complement cut to the lane), lane l of word k =
 * column lanes*k + l. */
static void put_lanes(vec_wbuf *b, const int32_t *v, size_t n, int n_cols, int lanes)
{
    const int lw = 64 / lanes;
    const uint64_t mask = (1ull << lw) - 1;
    const int words = (n_cols + lanes - 1) / lanes;
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < words; k++) {
            uint64_t x = 0;
            for (int l = 0; l < lanes && lanes * k + l < n_cols; l++)
                x |= ((uint64_t)(uint32_t)v[i * (size_t)n_cols + (size_t)(lanes * k + l)] & mask) << (lw * l);
            vec_wbuf_put(b, x);
        }
}

/* The file of b (its name and comment line) and its manifest line. */
static int commit_job(vec_writer *w, const map_layer *ml, const map_job *j, const job_shape *s, int image, int li,
                      const char *name, vec_wbuf *b, bnn_error *err)
{
    char file[96], comment[200];
    snprintf(file, sizeof file, "i%05d_l%03d_%s_r%03d_c%03d.hex", image, li, name, j->row_tile, j->col_tile);
    snprintf(comment, sizeof comment,
             "sparsecim golden vectors v%d: image %d, layer %d %s, tile r%d/c%d, %d rows x %d columns, "
             "%d pixels x %d planes, %dx%d macro",
             VEC_VERSION, image, li, name, j->row_tile, j->col_tile, j->n_rows, j->n_cols, s->pixels, s->bits,
             ml->cfg.rows, ml->cfg.cols);
    if (vec_words_write(w->dir, file, comment, b, &w->bytes, err))
        return -1;
    sprint(&w->man, "job %s %d %d %d %d %d %d %d %d %d %zu %s\n", file, image, li, (int)ml->op.part, j->row_tile,
           j->col_tile, j->n_rows, j->n_cols, s->bits, s->pixels, s->total, name);
    w->n_jobs++;
    return 0;
}

static int write_job(vec_writer *w, const bnn_layer *l, int li, const map_layer *ml, const map_job *j,
                     const bnn_tensor *in, int image, bnn_error *err)
{
    const job_shape s = job_shape_of(ml, j);
    char name[40];
    snprintf(name, sizeof name, "%.31s%s", l->name, part_suffix(ml->op.part));
    int32_t *xs = malloc(s.cyc * sizeof *xs);
    int32_t *ps = malloc(s.cyc * (size_t)j->n_cols * sizeof *ps);
    int32_t *acc = calloc((size_t)s.pixels * (size_t)j->n_cols, sizeof *acc);
    vec_wbuf b = {0};
    int rc = -1;
    if (!xs || !ps || !acc) {
        vec_msg(err, "out of memory");
        goto done;
    }
    put_job_head(&b, ml, j, &s, image, li, name);
    if (put_job_cycles(w, ml, j, in, &s, &b, xs, ps, acc, err))
        goto done;
    for (size_t i = 0; i < s.cyc; i++)
        vec_wbuf_put(&b, (uint64_t)(uint32_t)xs[i]);
    put_lanes(&b, ps, s.cyc, j->n_cols, 4);
    put_lanes(&b, acc, (size_t)s.pixels, j->n_cols, 2);
    rc = commit_job(w, ml, j, &s, image, li, name, &b, err);
done:
    free(b.w);
    free(xs);
    free(ps);
    free(acc);
    return rc;
}

/* ---- outputs, images, the manifest ---- */

/* The layer's final outputs: the next layer's input tensor, or the logits. */
static int write_out(vec_writer *w, const bnn_model *m, const bnn_trace *tr, int li, int image, bnn_error *err)
{
    const bnn_layer *l = &m->layers[li];
    vec_wbuf b = {0};
    int kind = l->type == BNN_CLASSIFIER ? 1 : 0;
    const bnn_tensor *t = kind ? NULL : tr->act[li + 1];
    int c = kind ? l->u.cls.classes : t->c, h = kind ? 1 : t->h, wd = kind ? 1 : t->w;
    size_t n = (size_t)c * (size_t)h * (size_t)wd;
    size_t data = kind ? n + 1 : (n + 63) / 64;
    uint64_t hd[10] = {VEC_OUT_MAGIC, VEC_VERSION, (uint64_t)image, (uint64_t)li, (uint64_t)kind,
                       (uint64_t)c, (uint64_t)h, (uint64_t)wd, VEC_OUT_HDR + data + 1, 0};
    for (int k = 0; k < 10; k++)
        vec_wbuf_put(&b, hd[k]);
    put_name(&b, l->name);
    if (kind) {
        for (size_t i = 0; i < n; i++)
            vec_wbuf_put(&b, (uint64_t)(int64_t)tr->logits[i]);
        vec_wbuf_put(&b, (uint64_t)tr->pred);
    } else {
        for (size_t k = 0; k < data; k++) {
            uint64_t v = 0;
            for (size_t i = 64 * k; i < n && i < 64 * k + 64; i++)
                v |= (uint64_t)(t->v[i] & 1u) << (i % 64);
            vec_wbuf_put(&b, v);
        }
    }
    char file[96], comment[160];
    snprintf(file, sizeof file, "i%05d_l%03d_%s.out.hex", image, li, l->name);
    snprintf(comment, sizeof comment, "sparsecim layer outputs v%d: image %d, layer %d %s, %s %dx%dx%d", VEC_VERSION,
             image, li, l->name, kind ? "logits" : "bits", c, h, wd);
    int rc = vec_words_write(w->dir, file, comment, &b, &w->bytes, err);
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
                return vec_msg(err, "layer %s: cannot map onto the array", l->name);
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
        rc = vec_msg(err, "out of memory");
    else if (out_write_all(path, w->man.s, w->man.n, NULL, 0, err))
        rc = -1;
    vec_writer_abort(w);
    return rc;
}

